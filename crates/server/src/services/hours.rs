//! Business hours per org node (R-SLA-2): read, and replaced by an administrator, after which
//! running working-day clocks are recomputed.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::access::Permission;
use domain::hours::BusinessHours;
use domain::FieldError;
use futures::FutureExt;
use serde_json::{json, Value};
use store::Conn;

/// The key under which changes are audited.
const SETTING: &str = "business_hours";

async fn current(c: &mut Conn<'_>) -> AppResult<Value> {
    let nodes: Vec<Value> = store::clocks::hours(c)
        .await?
        .into_iter()
        .map(|h| {
            json!({
                "node": h.code,
                "name": h.name,
                "open": BusinessHours::fmt(BusinessHours::from_minutes(h.open_min)),
                "close": BusinessHours::fmt(BusinessHours::from_minutes(h.close_min)),
            })
        })
        .collect();
    let d = BusinessHours::default();
    Ok(json!({
        "default": {"open": BusinessHours::fmt(d.open), "close": BusinessHours::fmt(d.close)},
        "nodes": nodes,
    }))
}

/// The hours in force: the default, and every node that sets its own (its descendants inherit).
pub async fn get(state: &AppState) -> AppResult<Value> {
    let mut r = state.store.reader().await?;
    current(&mut r.conn()).await
}

fn parse(body: &Value) -> Result<Vec<(String, BusinessHours)>, Vec<FieldError>> {
    let mut errors = Vec::new();
    for key in body.as_object().into_iter().flat_map(|m| m.keys()) {
        if key != "nodes" {
            errors.push(FieldError::new(
                key.chars().take(40).collect::<String>(),
                "is not a known field",
            ));
        }
    }
    let Some(items) = body["nodes"].as_array().filter(|a| a.len() <= 1000) else {
        errors.push(FieldError::new("nodes", "must be a list of at most 1000 entries"));
        return Err(errors);
    };
    let mut out: Vec<(String, BusinessHours)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("nodes[{i}]");
        let known = item.as_object().is_some_and(|m| {
            m.keys()
                .all(|k| ["node", "name", "open", "close"].contains(&k.as_str()))
        });
        if !known {
            errors.push(FieldError::new(&at, "must be {node, open, close}"));
            continue;
        }
        let node = item["node"]
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 64);
        let Some(node) = node else {
            errors.push(FieldError::new(format!("{at}.node"), "must be an org node code"));
            continue;
        };
        if out.iter().any(|(n, _)| n == node) {
            errors.push(FieldError::new(format!("{at}.node"), "is listed twice"));
            continue;
        }
        match BusinessHours::parse(item["open"].as_str(), item["close"].as_str(), &at) {
            Ok(h) => out.push((node.to_string(), h)),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Replaces every node's own hours (administrators), audits the change and recomputes running
/// clocks; returns the hours now in force.
pub async fn put(state: &AppState, who: &Principal, body: Value) -> AppResult<Value> {
    who.require(Permission::Administer)?;
    let entries = parse(&body).map_err(AppError::Validation)?;
    let (user, at) = (who.user_id, domain::time::to_millis(state.clock.now()));
    let after = state
        .store
        .write(move |c| {
            async move {
                let before = current(c).await?;
                store::clocks::clear_hours(c).await?;
                let mut unknown = Vec::new();
                for (i, (node, h)) in entries.iter().enumerate() {
                    let (open, close) = (BusinessHours::to_minutes(h.open), BusinessHours::to_minutes(h.close));
                    if !store::clocks::set_hours(c, node, open, close).await? {
                        unknown.push(FieldError::new(format!("nodes[{i}].node"), "no org node has this code"));
                    }
                }
                if !unknown.is_empty() {
                    // Returning an error rolls the whole change back.
                    return Err(AppError::Validation(unknown));
                }
                let after = current(c).await?;
                crate::services::settings::audit_change(c, SETTING, before, after.clone(), user, at).await?;
                crate::services::clocks::settings_changed(c, crate::services::clocks::Affects::WorkingDays).await?;
                Ok(after)
            }
            .boxed()
        })
        .await?;
    state.reload_settings().await?;
    Ok(after)
}
