//! `/api/v1/inbox`: the caller's in-app notices (R-NT-1) — reminders, escalations, approvals.

use super::docs::Problem;
use super::extract::query_pairs;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::time::{from_millis, rfc3339_cn, to_millis};
use domain::FieldError;
use futures::FutureExt;
use serde_json::{json, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/inbox", get(list))
        .route("/api/v1/inbox/{id}/read", post(read))
}

/// The caller's notices, newest first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "notifications",
    params(("unread" = Option<bool>, Query, description = "true: unread only"),
        ("limit" = Option<i64>, Query, description = "1 to 200, default 50"),
        ("before" = Option<i64>, Query, description = "next_before of the previous page")),
    responses((status = 200, description = "`{items: [{id, at, kind, number, zh, en, read_at}], unread, next_before}`"),
        (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, who: Principal, RawQuery(q): RawQuery) -> AppResult<Json<Value>> {
    let mut errors = Vec::new();
    let (mut unread_only, mut limit, mut before) = (false, 50, None);
    for (k, v) in query_pairs(q.as_deref()) {
        match (k.as_str(), v.as_str()) {
            ("unread", "true") => unread_only = true,
            ("unread", "false") => unread_only = false,
            ("limit", n) => match n.parse::<i64>() {
                Ok(n) if (1..=200).contains(&n) => limit = n,
                _ => errors.push(FieldError::new("limit", "must be an integer from 1 to 200")),
            },
            ("before", n) => match n.parse::<i64>() {
                Ok(n) if n > 0 => before = Some(n),
                _ => errors.push(FieldError::new("before", "must be a notice id")),
            },
            (other, _) => errors.push(FieldError::new(
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
    let rows = store::outbox::inbox(&mut c, who.user_id, unread_only, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<Value> = rows
        .iter()
        .take(limit as usize)
        .map(|n| {
            let p: Value = serde_json::from_str(&n.payload).unwrap_or(Value::Null);
            json!({
                "id": n.id, "at": rfc3339_cn(from_millis(n.created_at)), "kind": n.kind, "number": p["number"],
                "zh": p["zh"], "en": p["en"], "read_at": n.read_at.map(|t| rfc3339_cn(from_millis(t))),
            })
        })
        .collect();
    let next_before = if more {
        items.last().and_then(|i| i["id"].as_i64())
    } else {
        None
    };
    let unread = store::outbox::unread(&mut c, who.user_id).await?;
    Ok(Json(
        json!({"items": items, "unread": unread, "next_before": next_before}),
    ))
}

/// Mark one of the caller's notices read.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "Notice id")),
    responses((status = 200, description = "`{unread}`"), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn read(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let (user, now) = (who.user_id, to_millis(state.clock.now()));
    let found = state
        .store
        .write(move |c| async move { Ok::<_, AppError>(store::outbox::mark_read(c, user, id, now).await?) }.boxed())
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    let mut r = state.store.reader().await?;
    Ok(Json(
        json!({"unread": store::outbox::unread(&mut r.conn(), who.user_id).await?}),
    ))
}
