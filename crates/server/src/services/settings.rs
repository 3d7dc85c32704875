//! Policies an administrator edits, stored in the database so every process reads the same.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::access::Permission;
use domain::approval::ApprovalPolicy;
use futures::FutureExt;
use serde_json::{json, Value};
use store::Conn;

/// The key of the approval policy (R-WF-5).
pub const APPROVAL_POLICY: &str = "approval_policy";

/// The approval policy in force: the stored one, or the defaults.
pub async fn approval_policy(c: &mut Conn<'_>) -> AppResult<ApprovalPolicy> {
    let Some(text) = store::settings::get(c, APPROVAL_POLICY).await? else {
        return Ok(ApprovalPolicy::default());
    };
    let value: Value =
        serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("stored approval policy: {e}")))?;
    ApprovalPolicy::from_json(&value)
        .map_err(|e| AppError::Internal(format!("stored approval policy is invalid: {e:?}")))
}

/// Records an administrator's change of a setting on the audit trail, with before and after.
pub async fn audit_change(
    c: &mut Conn<'_>,
    setting: &str,
    before: Value,
    after: Value,
    user: i64,
    at: i64,
) -> AppResult<()> {
    let payload = json!({"setting": setting, "before": before, "after": after});
    let event = store::audit::NewEvent {
        complaint_id: None,
        at_ms: at,
        actor_id: Some(user),
        kind: "setting_changed",
        payload: &payload,
    };
    store::audit::append(c, &event).await?;
    Ok(())
}

/// Replaces the approval policy (administrators only) and records who changed it.
pub async fn set_approval_policy(state: &AppState, who: &Principal, body: Value) -> AppResult<Value> {
    who.require(Permission::Administer)?;
    let policy = ApprovalPolicy::from_json(&body).map_err(AppError::Validation)?;
    let stored = policy.to_json();
    let at = domain::time::to_millis(state.clock.now());
    let user = who.user_id;
    let value = stored.clone();
    state
        .store
        .write(move |c| {
            async move {
                let before = approval_policy(c).await?.to_json();
                store::settings::put(c, APPROVAL_POLICY, &value.to_string()).await?;
                audit_change(c, APPROVAL_POLICY, before, value, user, at).await?;
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    Ok(stored)
}
