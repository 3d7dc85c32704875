//! `/api/v1/issues`, `/api/v1/risks`, `/api/v1/cases`: common issues and rectification (R-AN-6),
//! the risk register (R-AN-7) and the case library (R-AN-8).

use super::docs::Problem;
use super::extract::{query_pairs, JsonObject};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::insight;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::FieldError;
use serde_json::{json, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/issues", get(list_issues).post(create_issue))
        .route("/api/v1/issues/{id}", get(read_issue).patch(update_issue))
        .route("/api/v1/risks", get(list_risks).post(create_risk))
        .route("/api/v1/risks/{id}", axum::routing::put(update_risk))
        .route("/api/v1/cases", get(list_cases))
        .route("/api/v1/complaints/{number}/case", post(publish_case))
}

fn id_of(raw: &str) -> AppResult<i64> {
    raw.parse().map_err(|_| AppError::NotFound)
}

fn no_params(q: Option<&str>) -> AppResult<()> {
    let unknown: Vec<FieldError> = query_pairs(q)
        .iter()
        .map(|(k, _)| FieldError::new(k.chars().take(40).collect::<String>(), "is not a known parameter"))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(unknown))
    }
}

/// Common issues in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/issues", tag = "insight",
    responses((status = 200, description = "`{items: [{id, title, root_cause, plan, owner, deadline, state, state_label, result, reported_at, created_at, complaint_count}]}`"),
        (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn list_issues(
    State(state): State<AppState>,
    who: Principal,
    RawQuery(q): RawQuery,
) -> AppResult<Json<Value>> {
    no_params(q.as_deref())?;
    Ok(Json(json!({"items": insight::issues(&state, &who).await?})))
}

/// Groups complaints that share a root cause into a common issue with a rectification plan.
#[utoipa::path(post, path = "/api/v1/issues", tag = "insight",
    request_body(content = Object, description = "`{node, title, root_cause, plan, owner, deadline: YYYY-MM-DD, complaints: [number]}`"),
    responses((status = 200, description = "the issue with its complaints"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_issue(
    State(state): State<AppState>,
    who: Principal,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(insight::create_issue(&state, &who, body).await?))
}

/// One common issue with its complaints.
#[utoipa::path(get, path = "/api/v1/issues/{id}", tag = "insight", params(("id" = i64, Path)),
    responses((status = 200, description = "the issue"), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn read_issue(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(insight::issue(&state, &who, id_of(&id)?).await?))
}

/// Adds complaints, starts the rectification, or closes the issue with its result, which is
/// then reported to every linked complaint's owner (SMS or e-mail through the outbox).
#[utoipa::path(patch, path = "/api/v1/issues/{id}", tag = "insight", params(("id" = i64, Path)),
    request_body(content = Object, description = "`{complaints: [number]}`, `{state: \"rectifying\"}` or `{state: \"done\", result}`"),
    responses((status = 200, description = "the issue"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_issue(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(insight::update_issue(&state, &who, id_of(&id)?, body).await?))
}

/// The risk register in the caller's scope: open risks first, highest level first.
#[utoipa::path(get, path = "/api/v1/risks", tag = "insight",
    responses((status = 200, description = "`{items: [{id, source, title, assessment, level, level_label, mitigation, status, status_label, owner, review_on, created_at, updated_at}]}`"),
        (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn list_risks(
    State(state): State<AppState>,
    who: Principal,
    RawQuery(q): RawQuery,
) -> AppResult<Json<Value>> {
    no_params(q.as_deref())?;
    Ok(Json(json!({"items": insight::risks(&state, &who).await?})))
}

/// Registers a known risk before any complaint.
#[utoipa::path(post, path = "/api/v1/risks", tag = "insight",
    request_body(content = Object, description = "`{node, source, title, assessment, level: low|medium|high, mitigation, status: open|mitigating|closed, owner, review_on: YYYY-MM-DD}`"),
    responses((status = 200, description = "the risk"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_risk(
    State(state): State<AppState>,
    who: Principal,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(insight::save_risk(&state, &who, None, body).await?))
}

/// Rewrites a risk (every field but `node`).
#[utoipa::path(put, path = "/api/v1/risks/{id}", tag = "insight", params(("id" = i64, Path)),
    request_body(content = Object, description = "as for POST, without node"),
    responses((status = 200, description = "the risk"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_risk(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(insight::save_risk(&state, &who, Some(id_of(&id)?), body).await?))
}

/// The case library for every staff member: cases whose text has every word of `q`.
#[utoipa::path(get, path = "/api/v1/cases", tag = "insight", params(("q" = Option<String>, Query, description = "Chinese words")),
    responses((status = 200, description = "`{items: [{id, number, category_code, project, title, summary, lessons, published_by, published_at}]}`"),
        (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list_cases(
    State(state): State<AppState>,
    _who: Principal,
    RawQuery(q): RawQuery,
) -> AppResult<Json<Value>> {
    let mut text = String::new();
    for (k, v) in query_pairs(q.as_deref()) {
        match k.as_str() {
            "q" if v.chars().count() <= 200 => text = v,
            "q" => return Err(AppError::field("q", "at most 200 characters")),
            other => {
                return Err(AppError::field(
                    &other.chars().take(40).collect::<String>(),
                    "is not a known parameter",
                ))
            }
        }
    }
    Ok(Json(json!({"items": insight::cases(&state, &text).await?})))
}

/// Publishes a closed complaint as a case with its lessons learned.
#[utoipa::path(post, path = "/api/v1/complaints/{number}/case", tag = "insight", params(("number" = String, Path)),
    request_body(content = Object, description = "`{title, lessons}`"),
    responses((status = 200, description = "`{id, number}`"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn publish_case(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(insight::publish_case(&state, &who, &number, body).await?))
}
