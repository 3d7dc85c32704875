//! `/api/v1/warnings`: early warnings (预警, R-AN-5) in the caller's scope, and acknowledging one.

use super::docs::Problem;
use super::extract::{query_pairs, Fields, JsonObject};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::warnings;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::FieldError;
use serde_json::{json, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/warnings", get(list))
        .route("/api/v1/warnings/{id}/acknowledge", post(acknowledge))
}

/// The newest 200 warnings in the caller's scope; `open=true` for those not yet acknowledged.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "reports",
    params(("open" = Option<bool>, Query, description = "true: only those not yet acknowledged")),
    responses((status = 200, description = "`{items: [{id, kind, kind_label, title, title_en, detail, complaint_number, raised_at, acknowledged_at, acknowledged_by, note}]}`; kind is volume_spike, recurring_defect, sensitive_mention or group_forming"),
        (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, who: Principal, RawQuery(q): RawQuery) -> AppResult<Json<Value>> {
    let mut open = false;
    let mut errors = Vec::new();
    for (k, v) in query_pairs(q.as_deref()) {
        match (k.as_str(), v.as_str()) {
            ("open", "true") => open = true,
            ("open", "false") => open = false,
            ("open", _) => errors.push(FieldError::new("open", "must be true or false")),
            (other, _) => errors.push(FieldError::new(
                other.chars().take(40).collect::<String>(),
                "is not a known parameter",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(Json(json!({"items": warnings::list(&state, &who, open).await?})))
}

/// Acknowledges a warning with what is being done about it (`{"note": "…"}`): supervisors,
/// department, project, city and region heads, group customer relations and management.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/acknowledge", tag = "reports",
    params(("id" = i64, Path, description = "warning id")),
    request_body(content = Object, description = "`{note}`"),
    responses((status = 200, description = "the warning"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn acknowledge(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let mut f = Fields::new(&body, "");
    let note = f.string("note").unwrap_or_default();
    f.reject_unknown(&["note"]);
    if !f.errors.is_empty() {
        return Err(AppError::Validation(f.errors));
    }
    Ok(Json(warnings::acknowledge(&state, &who, id, note).await?))
}
