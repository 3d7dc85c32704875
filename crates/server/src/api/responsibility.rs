//! `/api/v1/complaints/{number}/responsibility`: who answers for a closed complaint (R-AC-1).

use super::docs::Problem;
use super::extract::JsonObject;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::responsibility;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/complaints/{number}/responsibility", get(read).put(propose))
        .route("/api/v1/complaints/{number}/responsibility/decision", post(decide))
}

/// The complaint's responsibility assignment, or `assignment: null`.
#[utoipa::path(get, path = "/api/v1/complaints/{number}/responsibility", tag = "accountability", params(("number" = String, Path)),
    responses((status = 200, description = "`{number, assignment: {state: proposed|approved|rejected, parties: [{kind, party, share}], proposed_by, proposed_at, decided_by, decided_at, note} | null}`"),
        (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn read(State(state): State<AppState>, who: Principal, Path(number): Path<String>) -> AppResult<Json<Value>> {
    Ok(Json(responsibility::get(&state, &who, &number).await?))
}

/// Proposes who answers for a closed or archived complaint: `{parties: [{kind: department|team|person|contractor, party, share}]}`,
/// shares in percent with at most two decimals that make exactly 100; replaces a rejected proposal.
#[utoipa::path(put, path = "/api/v1/complaints/{number}/responsibility", tag = "accountability", params(("number" = String, Path)),
    request_body(content = Object, description = "`{parties: [{kind, party, share}]}`"),
    responses((status = 200, description = "the assignment"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn propose(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(responsibility::propose(&state, &who, &number, body).await?))
}

/// Approves or rejects the proposed assignment: `{approve: bool, note}` (a note is required to
/// reject); by a project, city or region head, group customer relations or management other than
/// the proposer.
#[utoipa::path(post, path = "/api/v1/complaints/{number}/responsibility/decision", tag = "accountability", params(("number" = String, Path)),
    request_body(content = Object, description = "`{approve, note}`"),
    responses((status = 200, description = "the assignment"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(responsibility::decide(&state, &who, &number, body).await?))
}
