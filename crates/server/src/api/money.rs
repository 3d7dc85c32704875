//! Compensation and expense budgets (R-AC-3): `/api/v1/complaints/{number}/compensation…` and
//! `/api/v1/budgets/{region}/{year}…`. Money is integer fen.

use super::docs::Problem;
use super::extract::JsonObject;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::money;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/complaints/{number}/compensation", get(compensation))
        .route("/api/v1/complaints/{number}/compensation/payment", post(pay))
        .route("/api/v1/budgets/{region}/{year}", get(report).put(set_budget))
        .route("/api/v1/budgets/{region}/{year}/expenses", post(spend))
}

/// A complaint's approved compensation (from its plan in force) and its payment.
#[utoipa::path(get, path = "/api/v1/complaints/{number}/compensation", tag = "accountability", params(("number" = String, Path)),
    responses((status = 200, description = "`{number, approved_fen, form, paid: {amount_fen, paid_on, reference} | null}`"),
        (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn compensation(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(money::compensation(&state, &who, &number).await?))
}

/// Records the payment of the approved compensation, once: `{amount_fen, paid_on, reference}`.
#[utoipa::path(post, path = "/api/v1/complaints/{number}/compensation/payment", tag = "accountability", params(("number" = String, Path)),
    request_body(content = Object, description = "`{amount_fen, paid_on: YYYY-MM-DD, reference}`"),
    responses((status = 200, description = "the compensation"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn pay(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(money::pay(&state, &who, &number, body).await?))
}

/// Spending against budget for a region and year.
#[utoipa::path(get, path = "/api/v1/budgets/{region}/{year}", tag = "accountability",
    params(("region" = String, Path, description = "region code"), ("year" = i64, Path)),
    responses((status = 200, description = "`{region, year, sales_target_fen, cap_fen, budget_fen, spent_fen, remaining_fen, excluded_fen: {pre_delivery_service, post_delivery_service, compensation}, compensation_paid_fen}`"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    who: Principal,
    Path((region, year)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    Ok(Json(money::report(&state, &who, &region, &year).await?))
}

/// Sets a region's customer-relations budget for a year, at most 0.5‰ of its sales target.
#[utoipa::path(put, path = "/api/v1/budgets/{region}/{year}", tag = "accountability",
    params(("region" = String, Path), ("year" = i64, Path)),
    request_body(content = Object, description = "`{sales_target_fen, budget_fen}`"),
    responses((status = 200, description = "the report"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_budget(
    State(state): State<AppState>,
    who: Principal,
    Path((region, year)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(money::set_budget(&state, &who, &region, &year, body).await?))
}

/// Records spending: `{spent_on, kind: relations|pre_delivery_service|post_delivery_service|compensation, amount_fen, note}`;
/// customer-relations spending beyond the budget is refused (409).
#[utoipa::path(post, path = "/api/v1/budgets/{region}/{year}/expenses", tag = "accountability",
    params(("region" = String, Path), ("year" = i64, Path)),
    request_body(content = Object, description = "`{spent_on, kind, amount_fen, note}`"),
    responses((status = 200, description = "the report"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn spend(
    State(state): State<AppState>,
    who: Principal,
    Path((region, year)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(money::spend(&state, &who, &region, &year, body).await?))
}
