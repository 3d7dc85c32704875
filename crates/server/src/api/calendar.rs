//! `/api/v1/calendar/{year}` (API.md): statutory rest days on weekdays and make-up working days.

use super::docs::Problem;
use super::extract::JsonObject;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::calendar;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/calendar/{year}", get(read).put(replace))
}

fn year(s: &str) -> AppResult<i32> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// One year of the working calendar.
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, description = "e.g. 2026")),
    responses((status = 200, description = "`{year, holidays: [YYYY-MM-DD], makeup_workdays: [YYYY-MM-DD]}`"), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn read(State(state): State<AppState>, _who: Principal, Path(y): Path<String>) -> AppResult<Json<Value>> {
    Ok(Json(calendar::get(&state, year(&y)?).await?))
}

/// Replace one year (administrators).
#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, description = "e.g. 2027")),
    request_body(content = Object, description = "`{year, holidays, makeup_workdays}`: holidays on weekdays, make-up days on weekends, all in the year"),
    responses((status = 200, description = "The year as stored"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn replace(
    State(state): State<AppState>,
    who: Principal,
    Path(y): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(calendar::put(&state, &who, year(&y)?, Value::Object(body)).await?))
}
