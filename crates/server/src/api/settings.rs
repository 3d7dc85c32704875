//! `/api/v1/settings/…`: the approval tiers of R-WF-5, clock policies (R-SLA-1) and business
//! hours per org node (R-SLA-2).

use super::docs::Problem;
use super::extract::JsonObject;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::settings;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/settings/approval-policy", get(read).put(replace))
        .route("/api/v1/settings/clock-policy", get(read_clocks).put(replace_clocks))
        .route("/api/v1/settings/business-hours", get(read_hours).put(replace_hours))
}

/// The approval tiers in force.
#[utoipa::path(get, path = "/api/v1/settings/approval-policy", tag = "settings",
    responses((status = 200, description = "`{ladder, by_grade, by_amount}`"), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn read(State(state): State<AppState>, _who: Principal) -> AppResult<Json<Value>> {
    let mut r = state.store.reader().await?;
    Ok(Json(settings::approval_policy(&mut r.conn()).await?.to_json()))
}

/// Replace the approval tiers (administrators).
#[utoipa::path(put, path = "/api/v1/settings/approval-policy", tag = "settings",
    request_body(content = Object, description = "`{\"ladder\": [\"dept_head\", …], \"by_grade\": {\"general\": 0, …}, \"by_amount\": [{\"up_to_fen\": 200000, \"tiers\": 0}, …]}`"),
    responses((status = 200, description = "The policy now in force"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn replace(
    State(state): State<AppState>,
    who: Principal,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(
        settings::set_approval_policy(&state, &who, Value::Object(body)).await?,
    ))
}

/// The clock-policy overrides in force (R-SLA-1); empty means the SPEC defaults throughout.
#[utoipa::path(get, path = "/api/v1/settings/clock-policy", tag = "settings",
    responses((status = 200, description = "`{overrides: [{clock, grades, category, minutes | working_days}]}`"), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn read_clocks(State(state): State<AppState>, _who: Principal) -> AppResult<Json<Value>> {
    let settings = state.settings();
    Ok(Json(
        serde_json::json!({"overrides": settings.clock_overrides.iter().map(|o| o.to_json()).collect::<Vec<_>>()}),
    ))
}

/// Replace the clock-policy overrides (administrators); running clocks are recomputed from when they started.
#[utoipa::path(put, path = "/api/v1/settings/clock-policy", tag = "settings",
    request_body(content = Object, description = "`{\"overrides\": [{\"clock\": \"handle\", \"grades\": [\"general\"], \"category\": \"property\", \"minutes\": 720}]}`"),
    responses((status = 200, description = "The overrides now in force"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn replace_clocks(
    State(state): State<AppState>,
    who: Principal,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(
        settings::set_clock_overrides(&state, &who, Value::Object(body)).await?,
    ))
}

/// Business hours: the default and every org node that sets its own (descendants inherit, R-SLA-2).
#[utoipa::path(get, path = "/api/v1/settings/business-hours", tag = "settings",
    responses((status = 200, description = "`{default: {open, close}, nodes: [{node, name, open, close}]}`"), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn read_hours(State(state): State<AppState>, _who: Principal) -> AppResult<Json<Value>> {
    Ok(Json(crate::services::hours::get(&state).await?))
}

/// Replace the nodes' own business hours (administrators); running working-day clocks are recomputed.
#[utoipa::path(put, path = "/api/v1/settings/business-hours", tag = "settings",
    request_body(content = Object, description = "`{\"nodes\": [{\"node\": \"GZ-001\", \"open\": \"08:30\", \"close\": \"17:30\"}]}`"),
    responses((status = 200, description = "The hours now in force"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn replace_hours(
    State(state): State<AppState>,
    who: Principal,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(
        crate::services::hours::put(&state, &who, Value::Object(body)).await?,
    ))
}
