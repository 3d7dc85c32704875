//! Group-robot webhooks attached to departments (R-NT-1).

use crate::error::Result;
use crate::{on_conn, Conn};

/// A robot as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RobotRow {
    /// Id.
    pub id: i64,
    /// Department it speaks for.
    pub department_id: i64,
    /// `wecom`, `dingtalk` or `feishu`.
    pub kind: String,
    /// Webhook URL.
    pub url: String,
}

/// Adds a robot and returns its id.
pub async fn add(c: &mut Conn<'_>, department_id: i64, kind: &str, url: &str, now_ms: i64) -> Result<i64> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "INSERT INTO robot (department_id, kind, url, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(department_id)
    .bind(kind)
    .bind(url)
    .bind(now_ms)
    .fetch_one(&mut **c)
    .await)?)
}

/// The robots of a department.
pub async fn of_department(c: &mut Conn<'_>, department_id: i64) -> Result<Vec<RobotRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, RobotRow>(
        "SELECT id, department_id, kind, url FROM robot WHERE department_id = $1 ORDER BY id"
    )
    .bind(department_id)
    .fetch_all(&mut **c)
    .await)?)
}

/// Every robot.
pub async fn all(c: &mut Conn<'_>) -> Result<Vec<RobotRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, RobotRow>(
        "SELECT id, department_id, kind, url FROM robot ORDER BY id"
    )
    .fetch_all(&mut **c)
    .await)?)
}

/// Removes a robot; false when there was none.
pub async fn remove(c: &mut Conn<'_>, id: i64) -> Result<bool> {
    let n = on_conn!(c, |c| sqlx::query("DELETE FROM robot WHERE id = $1")
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
