//! Issuing API tokens for a username and password, with lockout (R-SEC-1).

use crate::auth::{
    decoy_hash, load_grants, new_secret, token_hash, verify_password, LOCKOUT_MINUTES, MAX_FAILED_LOGINS,
};
use crate::error::AppError;
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use domain::time::{from_millis, to_millis};
use futures::FutureExt;

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
