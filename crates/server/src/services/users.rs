//! Users and their roles, managed by administrators (R-ORG-3): create a user, grant a role at
//! an org node (optionally tied to one of the node's departments). Every change is audited.

use crate::auth::{hash_password, Principal};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::access::Permission;
use domain::validate::{text, Lines};
use domain::{Code, FieldError, Role};
use futures::FutureExt;
use serde_json::json;

/// A role to grant: role, node code and optional department code.
#[derive(Debug, Clone)]
pub struct NewGrant {
    /// Role code.
    pub role: String,
    /// Org node code.
    pub node: String,
    /// Department code at that node.
    pub department: Option<String>,
}

/// A user to create, with a first role.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Initial password.
    pub password: String,
    /// First role.
    pub grant: NewGrant,
}

fn check_username(u: &str, errors: &mut Vec<FieldError>) {
    let ok = (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.' || b == b'-');
    if !ok {
        errors.push(FieldError::new(
            "username",
            "3 to 32 characters: lowercase letters, digits, _ . -",
        ));
    }
}

fn check_grant(g: &NewGrant, errors: &mut Vec<FieldError>) -> Option<Role> {
    let role = Role::from_code(&g.role);
    if role.is_none() {
        errors.push(FieldError::new("role", format!("must be one of: {}", Role::expected())));
    }
    if g.node.is_empty() {
        errors.push(FieldError::new("node", "is required: an org node code"));
    }
    role
}

/// Creates a user with a first role (administrators).
pub async fn create(state: &AppState, who: &Principal, new: NewUser) -> AppResult<()> {
    who.require(Permission::Administer)?;
    let mut errors = Vec::new();
    check_username(&new.username, &mut errors);
    let name = text("display_name", &new.display_name, 40, Lines::Single)
        .map_err(|e| errors.push(e))
        .ok();
    if new.password.chars().count() < 10 {
        errors.push(FieldError::new("password", "must be at least 10 characters"));
    }
    check_grant(&new.grant, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = hash_password(&new.password).map_err(|e| AppError::Internal(e.to_string()))?;
    let (actor, at) = (who.user_id, domain::time::to_millis(state.clock.now()));
    let name = name.expect("checked");
    state
        .store
        .write(move |c| {
            async move {
                if store::users::by_username(c, &new.username).await?.is_some() {
                    return Err(AppError::field("username", "is taken"));
                }
                let id = store::users::insert_user(c, &new.username, &name, &hash, at).await?;
                grant_in(c, id, &new.grant).await?;
                let after = json!({"username": new.username, "display_name": name, "role": new.grant.role, "node": new.grant.node, "department": new.grant.department});
                crate::services::settings::audit_change(c, "user", json!(null), after, actor, at).await
            }
            .boxed()
        })
        .await
}

/// Grants a role to an existing user (administrators).
pub async fn grant(state: &AppState, who: &Principal, username: &str, g: NewGrant) -> AppResult<()> {
    who.require(Permission::Administer)?;
    let mut errors = Vec::new();
    check_grant(&g, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (actor, at, username) = (
        who.user_id,
        domain::time::to_millis(state.clock.now()),
        username.to_string(),
    );
    state
        .store
        .write(move |c| {
            async move {
                let user = store::users::by_username(c, &username)
                    .await?
                    .filter(|u| u.password_hash != "!")
                    .ok_or_else(|| AppError::field("username", "no such user"))?;
                grant_in(c, user.id, &g).await?;
                let after = json!({"username": username, "role": g.role, "node": g.node, "department": g.department});
                crate::services::settings::audit_change(c, "grant", json!(null), after, actor, at).await
            }
            .boxed()
        })
        .await
}

/// Grants a role inside a transaction: the node and department must exist.
pub(crate) async fn grant_in(c: &mut store::Conn<'_>, user: i64, g: &NewGrant) -> AppResult<()> {
    let node = store::org::node_by_code(c, &g.node)
        .await?
        .ok_or_else(|| AppError::field("node", "no org node has this code"))?;
    let department = match &g.department {
        None => None,
        Some(code) => Some(
            store::org::departments_of(c, node.id)
                .await?
                .into_iter()
                .find(|d| &d.code == code)
                .ok_or_else(|| AppError::field("department", "this node has no such department"))?
                .id,
        ),
    };
    store::users::grant(c, user, &g.role, node.id, department).await?;
    Ok(())
}
