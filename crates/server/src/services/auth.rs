//! Issuing API tokens for a username and password, with lockout (R-SEC-1).

use crate::auth::{
    decoy_hash, load_grants, new_secret, token_hash, verify_password, Principal, LOCKOUT_MINUTES, MAX_FAILED_LOGINS,
};
use crate::error::AppError;
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use domain::access::Permission;
use domain::time::{from_millis, rfc3339_cn, to_millis};
use futures::FutureExt;
use serde_json::{json, Value};

/// A freshly issued token.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The secret; shown once, stored only as a hash.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Checks the credentials and issues an API token; every failure is the same 401 to the caller.
pub async fn issue_token(state: &AppState, username: &str, password: &str) -> Result<Issued, AppError> {
    issue(state, username, password, "api").await
}

/// Like [`issue_token`], for a web session (the token travels in a cookie).
pub async fn issue_session(state: &AppState, username: &str, password: &str) -> Result<Issued, AppError> {
    issue(state, username, password, "session").await
}

/// Ends a session or revokes a token.
pub async fn revoke(state: &AppState, token: &str) -> Result<(), AppError> {
    let (hash, now) = (token_hash(token), to_millis(state.clock.now()));
    state
        .store
        .write(move |c| async move { Ok::<_, AppError>(store::users::revoke_token(c, &hash, now).await?) }.boxed())
        .await
}

async fn issue(state: &AppState, username: &str, password: &str, label: &'static str) -> Result<Issued, AppError> {
    let now = state.clock.now();
    let user = {
        let mut r = state.store.reader().await?;
        store::users::by_username(&mut r.conn(), username).await?
    };
    let denied = || AppError::Unauthorized("Wrong username or password, or the account is locked.".into());
    let Some(user) = user else {
        // Same work as a real check, so timing does not reveal which usernames exist.
        let _ = verify_password(password, decoy_hash());
        return Err(denied());
    };
    if user.locked_until.is_some_and(|t| from_millis(t) > now) {
        return Err(AppError::Unauthorized(format!(
            "The account is locked after {MAX_FAILED_LOGINS} failed sign-ins; try again later."
        )));
    }
    let ok = user.active && verify_password(password, &user.password_hash);
    let ttl = Duration::hours(state.config.token_ttl_hours);
    let token = new_secret();
    let hash = token_hash(&token);
    let user_id = user.id;
    let lock_at =
        (user.failed_logins + 1 >= MAX_FAILED_LOGINS).then(|| to_millis(now + Duration::minutes(LOCKOUT_MINUTES)));
    state
        .store
        .write(move |c| {
            async move {
                if !ok {
                    store::users::record_login(c, user_id, false, lock_at).await?;
                    return Ok(false);
                }
                store::users::record_login(c, user_id, true, None).await?;
                if load_grants(c, user_id).await?.is_empty() {
                    return Err(AppError::Unauthorized(
                        "This account has no role; ask an administrator.".into(),
                    ));
                }
                store::users::insert_token(c, user_id, &hash, label, to_millis(now), to_millis(now + ttl)).await?;
                Ok::<_, AppError>(true)
            }
            .boxed()
        })
        .await?
        .then_some(Issued {
            token,
            expires_at: now + ttl,
        })
        .ok_or_else(denied)
}

/// Whose tokens a caller asks about: their own, or (administrators) another user's.
async fn token_holder(state: &AppState, who: &Principal, username: Option<&str>) -> Result<(i64, String), AppError> {
    match username.filter(|u| *u != who.username) {
        None => Ok((who.user_id, who.username.clone())),
        Some(u) => {
            who.require(Permission::Administer)?;
            let mut r = state.store.reader().await?;
            let user = store::users::by_username(&mut r.conn(), u)
                .await?
                .filter(|u| u.password_hash != "!")
                .ok_or(AppError::NotFound)?;
            Ok((user.id, user.username))
        }
    }
}

/// The live and revoked-but-unexpired tokens and sessions of the caller, or of `username` for an
/// administrator (R-SEC-1): id, kind, issued, expires, revoked; never the secret.
pub async fn list_tokens(state: &AppState, who: &Principal, username: Option<&str>) -> Result<Value, AppError> {
    let (id, username) = token_holder(state, who, username).await?;
    let now = state.clock.now();
    let rows = {
        let mut r = state.store.reader().await?;
        store::users::tokens_of(&mut r.conn(), id, to_millis(now)).await?
    };
    let items: Vec<Value> = rows
        .into_iter()
        .map(|t| {
            json!({
                "id": t.id,
                "kind": t.label,
                "created_at": rfc3339_cn(from_millis(t.created_at)),
                "expires_at": rfc3339_cn(from_millis(t.expires_at)),
                "revoked_at": t.revoked_at.map(|r| rfc3339_cn(from_millis(r))),
            })
        })
        .collect();
    Ok(json!({"username": username, "items": items}))
}

/// Revokes one token or session of the caller, or of `username` for an administrator (audited
/// then); 404 when there is no such live token.
pub async fn revoke_id(state: &AppState, who: &Principal, username: Option<&str>, id: i64) -> Result<(), AppError> {
    let (holder, username) = token_holder(state, who, username).await?;
    let (actor, at) = (who.user_id, to_millis(state.clock.now()));
    let by_admin = holder != who.user_id;
    let hash = state
        .store
        .write(move |c| {
            async move {
                let hash = store::users::revoke_token_id(c, holder, id, at)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if by_admin {
                    let after = json!({"username": username, "token": id, "revoked": true});
                    crate::services::settings::audit_change(c, "token", json!(null), after, actor, at).await?;
                }
                Ok::<_, AppError>(hash)
            }
            .boxed()
        })
        .await?;
    state.forget_principal(&hash);
    Ok(())
}
