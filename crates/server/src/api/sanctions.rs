//! `/api/v1/accountability/…` and `/api/v1/settings/sanction-rates`: the penalties and rewards
//! ledger, efficiency bonuses, the monthly close and statement (R-AC-2). Money is integer fen.

use super::docs::Problem;
use super::extract::JsonObject;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::sanctions;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/settings/sanction-rates", get(read_rates).put(set_rates))
        .route("/api/v1/accountability/bonuses/{month}", put(bonuses))
        .route("/api/v1/accountability/sanctions", post(record))
        .route("/api/v1/accountability/months/{month}/close", post(close))
        .route("/api/v1/accountability/statements/{month}", get(statement))
        .route("/api/v1/accountability/performance/{month}", get(performance))
}

/// The ledger's rates in fen per base.
#[utoipa::path(get, path = "/api/v1/settings/sanction-rates", tag = "accountability",
    responses((status = 200, description = "`{warning, minor_demerit, commendation, merit}` in fen per base"), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn read_rates(State(state): State<AppState>, _who: Principal) -> AppResult<Json<Value>> {
    Ok(Json(sanctions::read_rates(&state).await?))
}

/// Replaces the rates (administrators; audited).
#[utoipa::path(put, path = "/api/v1/settings/sanction-rates", tag = "accountability",
    request_body(content = Object, description = "`{warning, minor_demerit, commendation, merit}` in fen, 1 to 100000000"),
    responses((status = 200, description = "the rates"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_rates(
    State(state): State<AppState>,
    who: Principal,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(sanctions::set_rates(&state, &who, body).await?))
}

/// Records the month's efficiency bonuses: `{bonuses: [{user, amount_fen}]}`.
#[utoipa::path(put, path = "/api/v1/accountability/bonuses/{month}", tag = "accountability", params(("month" = String, Path, description = "YYYY-MM")),
    request_body(content = Object, description = "`{bonuses: [{user, amount_fen}]}`"),
    responses((status = 200, description = "the month's statement"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn bonuses(
    State(state): State<AppState>,
    who: Principal,
    Path(month): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(sanctions::set_bonuses(&state, &who, &month, body).await?))
}

/// Records a penalty or reward: `{user, month, kind: warning|minor_demerit|major_demerit|commendation|merit|reward, bases, amount_fen, complaint, reason}`.
#[utoipa::path(post, path = "/api/v1/accountability/sanctions", tag = "accountability",
    request_body(content = Object, description = "`{user, month, kind, bases, amount_fen (a reward only), complaint, reason}`"),
    responses((status = 200, description = "`{id, month, kind, amount_fen, penalty}`"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    who: Principal,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(sanctions::record(&state, &who, body).await?))
}

/// Closes a month for HR; nothing more may be recorded for it.
#[utoipa::path(post, path = "/api/v1/accountability/months/{month}/close", tag = "accountability", params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "the month's statement"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn close(State(state): State<AppState>, who: Principal, Path(month): Path<String>) -> AppResult<Json<Value>> {
    Ok(Json(sanctions::close(&state, &who, &month).await?))
}

/// The month's statement per person and department: bonus, carried in, assessed, the cap (half
/// the bonus), deducted, carried out, rewards, in fen.
#[utoipa::path(get, path = "/api/v1/accountability/statements/{month}", tag = "accountability", params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "`{month, closed, people: [{user, name, department, bonus_fen, carried_in_fen, assessed_fen, cap_fen, deducted_fen, carried_out_fen, rewards_fen}], departments: [{department, deducted_fen, carried_out_fen, rewards_fen, people}]}`"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn statement(
    State(state): State<AppState>,
    who: Principal,
    Path(month): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(sanctions::statement(&state, &who, &month).await?))
}

/// Staff figures for a month (R-AC-4): per handler and department in the caller's scope, the
/// complaints received that month that they handle, closed, handling-timely and satisfaction
/// rates, and the month's penalties and rewards in fen.
#[utoipa::path(get, path = "/api/v1/accountability/performance/{month}", tag = "accountability", params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "`{month, people: [{user, name, department, handled, closed, handling_timely_rate, satisfaction_rate, penalties_fen, rewards_fen}], departments: [{department, ...}]}`"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn performance(
    State(state): State<AppState>,
    who: Principal,
    Path(month): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(sanctions::performance(&state, &who, &month).await?))
}
