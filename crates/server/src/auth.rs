//! Authentication (R-SEC-1): argon2id password hashes, opaque bearer tokens stored only as their
//! SHA-256, and the [`Principal`] every authenticated request carries with its scope (R-ORG-4).

use crate::error::AppError;
use crate::state::AppState;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use domain::access::{any_allows, scope_of, Grant, Permission, Scope};
use domain::{Code, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Hashes a password with argon2id (memory-hard) and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a random password, verified against when the user does not exist, so a wrong
/// username costs the same time as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_secret()).expect("hashing works"))
}

/// A new random secret: 32 bytes, URL-safe base64.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Failed sign-ins in a row after which an account is locked.
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a locked account stays locked, in minutes.
pub const LOCKOUT_MINUTES: i64 = 15;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    /// User id.
    pub user_id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role grants.
    pub grants: Vec<Grant>,
    /// The complaints the caller may see.
    pub scope: Scope,
}

impl Principal {
    /// Fails with 403 unless one of the caller's roles carries `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if any_allows(&self.grants, permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden("Your roles do not allow this.".into()))
        }
    }

    /// Whether an org node (project) lies under one of the caller's grants.
    pub fn sees_node(&self, org_path: &str) -> bool {
        self.scope.all || self.grants.iter().any(|g| org_path.starts_with(g.org_path.as_str()))
    }
}

/// Loads a user's grants as domain grants.
pub async fn load_grants(c: &mut store::Conn<'_>, user_id: i64) -> Result<Vec<Grant>, AppError> {
    let rows = store::users::grants_of(c, user_id).await?;
    Ok(rows
        .into_iter()
        .filter_map(|g| {
            let role = Role::from_code(&g.role)?;
            Some(Grant {
                role,
                org_path: g.org_path,
                department: g.department_id.zip(g.department_code),
            })
        })
        .collect())
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).ok_or_else(|| {
            AppError::Unauthorized("Send Authorization: Bearer <token>; get one from POST /api/v1/auth/token.".into())
        })?;
        let value = header
            .to_str()
            .map_err(|_| AppError::Unauthorized("The Authorization header is not readable.".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or_else(|| AppError::Unauthorized("Use the Bearer scheme.".into()))?;
        principal_for_token(state, token).await
    }
}

/// The principal of a bearer token or session token: unknown, expired and revoked ones are 401.
pub async fn principal_for_token(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let hash = token_hash(token);
    if let Some(p) = state.cached_principal(&hash) {
        return Ok(p);
    }
    let now = domain::time::to_millis(state.clock.now());
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let owner = store::users::token_owner(&mut c, &hash, now)
        .await?
        .ok_or_else(|| AppError::Unauthorized("The token is unknown, expired or revoked.".into()))?;
    let grants = load_grants(&mut c, owner.id).await?;
    let scope = scope_of(&grants);
    let principal = Principal {
        user_id: owner.id,
        username: owner.username,
        display_name: owner.display_name,
        grants,
        scope,
    };
    state.cache_principal(hash, principal.clone(), domain::time::from_millis(owner.expires_at));
    Ok(principal)
}

/// Forgets a token's cached principal (after sign-out).
pub fn forget_token(state: &AppState, token: &str) {
    state.forget_principal(&token_hash(token));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_tokens() {
        let h = hash_password("Kesu@2026").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Kesu@2026", &h));
        assert!(!verify_password("kesu@2026", &h));
        assert!(!verify_password("x", "not a hash"));
        let t = new_secret();
        assert_eq!(t.len(), 43);
        assert_ne!(t, new_secret());
        assert_eq!(token_hash("abc").len(), 64);
    }
}
