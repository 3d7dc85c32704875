//! `/api/v1/admin/deliveries`: what was sent, what waits for a retry, what failed (R-NT-3).

use super::docs::Problem;
use super::extract::query_pairs;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::access::Permission;
use domain::time::{from_millis, rfc3339_cn, to_millis};
use domain::FieldError;
use futures::FutureExt;
use serde_json::{json, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/deliveries", get(list))
        .route("/api/v1/admin/deliveries/{id}/retry", post(retry))
}

const STATES: [&str; 4] = ["pending", "sending", "delivered", "failed"];

/// Outgoing messages in one state, with the backlog by state (administrators).
#[utoipa::path(get, path = "/api/v1/admin/deliveries", tag = "notifications",
    params(("state" = Option<String>, Query, description = "pending, sending, delivered or failed (default failed)"),
        ("limit" = Option<i64>, Query, description = "1 to 500, default 100")),
    responses((status = 200, description = "`{backlog: {state: count}, items: [...]}`"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, who: Principal, RawQuery(q): RawQuery) -> AppResult<Json<Value>> {
    who.require(Permission::Administer)?;
    let (mut wanted, mut limit, mut errors) = ("failed".to_string(), 100, Vec::new());
    for (k, v) in query_pairs(q.as_deref()) {
        match k.as_str() {
            "state" if STATES.contains(&v.as_str()) => wanted = v,
            "state" => errors.push(FieldError::new(
                "state",
                "must be pending, sending, delivered or failed",
            )),
            "limit" => match v.parse::<i64>() {
                Ok(n) if (1..=500).contains(&n) => limit = n,
                _ => errors.push(FieldError::new("limit", "must be an integer from 1 to 500")),
            },
            other => errors.push(FieldError::new(
                other.chars().take(40).collect::<String>(),
                "is not a known parameter",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let backlog: serde_json::Map<String, Value> = store::outbox::backlog(&mut c)
        .await?
        .into_iter()
        .map(|(s, n)| (s, json!(n)))
        .collect();
    let items: Vec<Value> = store::outbox::deliveries(&mut c, &wanted, limit)
        .await?
        .into_iter()
        .map(|d| {
            json!({
                "id": d.id, "created_at": rfc3339_cn(from_millis(d.created_at)), "kind": d.kind, "channel": d.channel,
                "recipient": d.recipient, "state": d.state, "attempts": d.attempts,
                "next_attempt_at": rfc3339_cn(from_millis(d.next_attempt_at)), "last_error": d.last_error,
                "delivered_at": d.delivered_at.map(|t| rfc3339_cn(from_millis(t))),
            })
        })
        .collect();
    Ok(Json(json!({"backlog": backlog, "items": items})))
}

/// Send a failed message again (administrators).
#[utoipa::path(post, path = "/api/v1/admin/deliveries/{id}/retry", tag = "notifications",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, description = "Queued again"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn retry(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> AppResult<Json<Value>> {
    who.require(Permission::Administer)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let now = to_millis(state.clock.now());
    let found = state
        .store
        .write(move |c| async move { Ok::<_, AppError>(store::outbox::retry(c, id, now).await?) }.boxed())
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(Json(json!({"id": id, "state": "pending"})))
}
