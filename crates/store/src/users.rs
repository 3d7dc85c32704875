//! Users, role grants and API tokens (R-ORG-3, R-SEC-1).

use crate::error::Result;
use crate::{on_conn, Conn};

/// A user as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Whether the user may sign in.
    pub active: bool,
    /// Consecutive failed sign-ins.
    pub failed_logins: i32,
    /// Locked until this instant (ms), after repeated failures.
    pub locked_until: Option<i64>,
}

/// A role grant with the node's path and the department's code.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrantRow {
    /// Role code.
    pub role: String,
    /// Node id.
    pub org_node_id: i64,
    /// Node path.
    pub org_path: String,
    /// Department id, if the grant is tied to one.
    pub department_id: Option<i64>,
    /// Department code.
    pub department_code: Option<String>,
}

const USER_COLUMNS: &str = "id, username, display_name, password_hash, active, failed_logins, locked_until";

/// Inserts a user and returns the id.
pub async fn insert_user(
    c: &mut Conn<'_>,
    username: &str,
    display_name: &str,
    password_hash: &str,
    now_ms: i64,
) -> Result<i64> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
        "INSERT INTO app_user (username, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(username)
    .bind(display_name)
    .bind(password_hash)
    .bind(now_ms)
    .fetch_one(&mut **c)
    .await
    })?)
}

/// Grants a role at a node (optionally for a department there).
pub async fn grant(c: &mut Conn<'_>, user_id: i64, role: &str, node_id: i64, department_id: Option<i64>) -> Result<()> {
    on_conn!(c, |c| {
        sqlx::query("INSERT INTO role_grant (user_id, role, org_node_id, department_id) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(role)
            .bind(node_id)
            .bind(department_id)
            .execute(&mut **c)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// A user by login name.
pub async fn by_username(c: &mut Conn<'_>, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM app_user WHERE username = $1");
    Ok(on_conn!(c, |c| sqlx::query_as::<_, UserRow>(&sql)
        .bind(username)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Number of users (zero on a fresh database).
pub async fn count(c: &mut Conn<'_>) -> Result<i64> {
    Ok(on_conn!(c, |c| sqlx::query_scalar("SELECT COUNT(*) FROM app_user")
        .fetch_one(&mut **c)
        .await)?)
}

/// The grants of a user.
pub async fn grants_of(c: &mut Conn<'_>, user_id: i64) -> Result<Vec<GrantRow>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as::<_, GrantRow>(
            "SELECT g.role, g.org_node_id, n.path AS org_path, g.department_id, d.code AS department_code \
         FROM role_grant g JOIN org_node n ON n.id = g.org_node_id LEFT JOIN department d ON d.id = g.department_id \
         WHERE g.user_id = $1 ORDER BY g.id",
        )
        .bind(user_id)
        .fetch_all(&mut **c)
        .await
    })?)
}

/// Records a sign-in outcome: resets the failure count on success, otherwise counts the failure
/// and sets `locked_until` when given.
pub async fn record_login(c: &mut Conn<'_>, user_id: i64, success: bool, locked_until: Option<i64>) -> Result<()> {
    if success {
        on_conn!(c, |c| sqlx::query(
            "UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = $1"
        )
        .bind(user_id)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    } else {
        on_conn!(c, |c| {
            sqlx::query(
            "UPDATE app_user SET failed_logins = failed_logins + 1, locked_until = COALESCE($2, locked_until) WHERE id = $1"
        )
        .bind(user_id)
        .bind(locked_until)
        .execute(&mut **c)
        .await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Stores a new API token's hash.
pub async fn insert_token(
    c: &mut Conn<'_>,
    user_id: i64,
    token_hash: &str,
    label: &str,
    now_ms: i64,
    expires_ms: i64,
) -> Result<i64> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
        "INSERT INTO api_token (user_id, token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(label)
    .bind(now_ms)
    .bind(expires_ms)
    .fetch_one(&mut **c)
    .await
    })?)
}

/// The holder of a valid (unexpired, unrevoked) token of an active user, with the token's expiry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenOwner {
    /// User id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// When the token expires (ms).
    pub expires_at: i64,
}

/// The active user holding a valid token with this hash.
pub async fn token_owner(c: &mut Conn<'_>, token_hash: &str, now_ms: i64) -> Result<Option<TokenOwner>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, TokenOwner>(
        "SELECT u.id, u.username, u.display_name, t.expires_at FROM app_user u JOIN api_token t ON t.user_id = u.id \
         WHERE t.token_hash = $1 AND t.expires_at > $2 AND t.revoked_at IS NULL AND u.active = $3"
    )
    .bind(token_hash)
    .bind(now_ms)
    .bind(true)
    .fetch_optional(&mut **c)
    .await)?)
}

/// A user's own settings as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct ProfileRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notify_email: String,
    pub notify_sms: String,
    pub locale: String,
}

/// A user's contact addresses, notice channels and language.
pub async fn profile(c: &mut Conn<'_>, id: i64) -> Result<Option<ProfileRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, ProfileRow>(
        "SELECT id, username, display_name, email, phone, notify_email, notify_sms, locale FROM app_user WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Stores a user's contact addresses, notice channels and language.
pub async fn set_profile(c: &mut Conn<'_>, p: &ProfileRow) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE app_user SET email = $1, phone = $2, notify_email = $3, notify_sms = $4, locale = $5 WHERE id = $6"
    )
    .bind(&p.email)
    .bind(&p.phone)
    .bind(&p.notify_email)
    .bind(&p.notify_sms)
    .bind(&p.locale)
    .bind(p.id)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Revokes a token (sign-out).
pub async fn revoke_token(c: &mut Conn<'_>, token_hash: &str, now_ms: i64) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE api_token SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL"
    )
    .bind(now_ms)
    .bind(token_hash)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Makes sure a user that never signs in exists (the owner portal's actor); returns its id.
pub async fn ensure_system_user(c: &mut Conn<'_>, username: &str, display_name: &str, now_ms: i64) -> Result<i64> {
    if let Some(u) = by_username(c, username).await? {
        return Ok(u.id);
    }
    // "!" is no password hash, so no password ever matches; the account is inactive too.
    let id = insert_user(c, username, display_name, "!", now_ms).await?;
    on_conn!(c, |c| sqlx::query("UPDATE app_user SET active = $1 WHERE id = $2")
        .bind(false)
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    Ok(id)
}

/// Every user that may sign in: (id, username, display name), by username.
pub async fn all(c: &mut Conn<'_>) -> Result<Vec<(i64, String, String)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, username, display_name FROM app_user WHERE password_hash <> '!' ORDER BY username"
    )
    .fetch_all(&mut **c)
    .await)?)
}

/// One of a user's tokens or sessions, never its secret.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct TokenRow {
    pub id: i64,
    pub label: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// A user's tokens and sessions that have not expired, newest first (R-SEC-1).
pub async fn tokens_of(c: &mut Conn<'_>, user_id: i64, now_ms: i64) -> Result<Vec<TokenRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, TokenRow>(
        "SELECT id, label, created_at, expires_at, revoked_at FROM api_token \
         WHERE user_id = $1 AND expires_at > $2 ORDER BY id DESC LIMIT 500"
    )
    .bind(user_id)
    .bind(now_ms)
    .fetch_all(&mut **c)
    .await)?)
}

/// Revokes one live token of a user by id; its hash (to forget cached principals), or None
/// when the user holds no such live token.
pub async fn revoke_token_id(c: &mut Conn<'_>, user_id: i64, id: i64, now_ms: i64) -> Result<Option<String>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
        "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL AND expires_at > $1 \
         RETURNING token_hash"
    )
    .bind(now_ms)
    .bind(id)
    .bind(user_id)
    .fetch_optional(&mut **c)
    .await
    })?)
}

/// Every role grant of every user that may sign in: username, display name, role, node code,
/// department code, e-mail, phone (for the full export).
pub async fn all_grants(
    c: &mut Conn<'_>,
) -> Result<
    Vec<(
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    )>,
> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT u.username, u.display_name, g.role, n.code, d.code, u.email, u.phone FROM role_grant g \
         JOIN app_user u ON u.id = g.user_id JOIN org_node n ON n.id = g.org_node_id \
         LEFT JOIN department d ON d.id = g.department_id WHERE u.password_hash <> '!' ORDER BY u.username, g.id"
    )
    .fetch_all(&mut **c)
    .await)?)
}
