//! Saved views of the complaint list: a name and a query string, per user.

use crate::error::Result;
use crate::{on_conn, Conn};

/// A user's views: (id, name, query), by name.
pub async fn of_user(c: &mut Conn<'_>, user: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, name, query FROM saved_view WHERE user_id = $1 ORDER BY name"
    )
    .bind(user)
    .fetch_all(&mut **c)
    .await)?)
}

/// Saves a view, replacing one of the same name.
pub async fn save(c: &mut Conn<'_>, user: i64, name: &str, query: &str) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "INSERT INTO saved_view (user_id, name, query) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query"
    )
    .bind(user)
    .bind(name)
    .bind(query)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Deletes one of the user's views.
pub async fn delete(c: &mut Conn<'_>, user: i64, id: i64) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "DELETE FROM saved_view WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}
