//! Policies an administrator edits, stored in the database so every process reads the same.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::clocks::Affects;
use crate::state::AppState;
use domain::access::Permission;
use domain::approval::ApprovalPolicy;
use futures::FutureExt;
use serde_json::{json, Value};
use store::Conn;

/// The key of the approval policy (R-WF-5).
pub const APPROVAL_POLICY: &str = "approval_policy";

/// The key of the clock-policy overrides (R-SLA-1).
pub const CLOCK_POLICY: &str = "clock_policy";

/// The stored clock-policy overrides (none: the SPEC defaults throughout).
pub async fn clock_overrides(c: &mut Conn<'_>) -> AppResult<Vec<domain::sla::ClockOverride>> {
    let Some(text) = store::settings::get(c, CLOCK_POLICY).await? else {
        return Ok(vec![]);
    };
    let value: Value =
        serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("stored clock policy: {e}")))?;
    parse_overrides(&value).map_err(|e| AppError::Internal(format!("stored clock policy is invalid: {e:?}")))
}

fn parse_overrides(body: &Value) -> Result<Vec<domain::sla::ClockOverride>, Vec<domain::FieldError>> {
    let Some(items) = body
        .get("overrides")
        .and_then(Value::as_array)
        .filter(|a| a.len() <= 200)
    else {
        return Err(vec![domain::FieldError::new(
            "overrides",
            "must be a list of at most 200 overrides",
        )]);
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match domain::sla::ClockOverride::from_json(item, &format!("overrides[{i}]")) {
            Ok(o) => out.push(o),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Replaces the clock-policy overrides (administrators); running clocks are recomputed (R-SLA-1).
pub async fn set_clock_overrides(state: &AppState, who: &Principal, body: Value) -> AppResult<Value> {
    who.require(Permission::Administer)?;
    let overrides = parse_overrides(&body).map_err(AppError::Validation)?;
    let settings = state.settings();
    let taxonomy = &settings.taxonomy;
    let unknown: Vec<domain::FieldError> = overrides
        .iter()
        .enumerate()
        .filter(|(_, o)| o.category.as_deref().is_some_and(|c| taxonomy.category(c).is_none()))
        .map(|(i, _)| domain::FieldError::new(format!("overrides[{i}].category"), "unknown category"))
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::Validation(unknown));
    }
    let stored = json!({"overrides": overrides.iter().map(|o| o.to_json()).collect::<Vec<_>>()});
    let (user, at, value) = (who.user_id, domain::time::to_millis(state.clock.now()), stored.clone());
    state
        .store
        .write(move |c| {
            async move {
                let old = clock_overrides(c).await?;
                let before = json!({"overrides": old.iter().map(|o| o.to_json()).collect::<Vec<_>>()});
                store::settings::put(c, CLOCK_POLICY, &value.to_string()).await?;
                audit_change(c, CLOCK_POLICY, before, value, user, at).await?;
                let named = old.iter().chain(overrides.iter()).map(|o| o.clock).collect();
                crate::services::clocks::settings_changed(c, Affects::Clocks(named)).await
            }
            .boxed()
        })
        .await?;
    state.reload_settings().await.map_err(AppError::from)?;
    Ok(stored)
}

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
