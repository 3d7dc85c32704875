//! `/api/v1/reports/summary` (API.md, R-AN-3).

use super::docs::Problem;
use super::extract::query_pairs;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::reports;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/reports/summary", get(summary))
}

/// Counts and rates by one dimension over complaints received from `from` to `to` (Asia/Shanghai
/// dates, inclusive), within the caller's scope; rates are null when nothing was measured.
#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "reports",
    params(("from" = String, Query, description = "YYYY-MM-DD"), ("to" = String, Query, description = "YYYY-MM-DD, inclusive"),
        ("by" = String, Query, description = "category, grade, channel, project, department or state")),
    responses((status = 200, description = "`{from, to, by, rows: [{key, label, label_en, count, response_timely_rate, handling_timely_rate, closure_rate, satisfaction_rate}], total: {...}}`"),
        (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn summary(State(state): State<AppState>, who: Principal, RawQuery(q): RawQuery) -> AppResult<Json<Value>> {
    let query = reports::parse(&query_pairs(q.as_deref())).map_err(AppError::Validation)?;
    Ok(Json(reports::summary(&state, &who, &query).await?))
}
