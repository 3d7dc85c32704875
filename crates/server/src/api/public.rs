//! `/api/v1/public/…`: the owners' endpoints of API.md (R-IN-5). No authentication; rate limited
//! per client address; a number with the wrong phone or token is the same 404 as no number.

use super::docs::Problem;
use super::extract::{query_pairs, JsonObject};
use crate::error::{AppError, AppResult};
use crate::services::public::{self, OwnerAction, Proof};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::intake::NewComplaint;
use domain::{Code, FieldError, Satisfaction};
use serde_json::{Map, Value};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/public/complaints", post(file))
        .route("/api/v1/public/complaints/{number}", get(track))
        .route("/api/v1/public/complaints/{number}/{action}", post(owner_action))
}

/// The client's address (from the connection; `0.0.0.0` when the server was not started with it).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip()),
        ))
    }
}

/// Fields an owner may not set: staff decide grade and category, and the time of receipt is now.
const STAFF_ONLY: [&str; 4] = ["grade", "category_code", "received_at", "grade_reason"];

/// Parses an owner's filing: the registration body minus the staff-only fields.
pub fn parse_filing(
    body: &Map<String, Value>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<NewComplaint, Vec<FieldError>> {
    let refused: Vec<FieldError> = STAFF_ONLY
        .iter()
        .filter(|k| body.contains_key(**k))
        .map(|k| FieldError::new(*k, "is set by the service centre, not on a public filing"))
        .collect();
    if !refused.is_empty() {
        return Err(refused);
    }
    let raw = super::complaints::raw_complaint(body)?;
    NewComplaint::parse(&raw, now)
}

/// File a complaint as an owner; returns the number and a tracking token.
#[utoipa::path(post, path = "/api/v1/public/complaints", tag = "public",
    request_body(content = Object, description = "The registration body minus `grade`, `category_code` and `received_at`"),
    responses((status = 201, description = "`{number, tracking_token}`"), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn file(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonObject(body): JsonObject,
) -> AppResult<Response> {
    state.public_limits.0.check(ip)?;
    let new = parse_filing(&body, state.clock.now()).map_err(AppError::Validation)?;
    let done = public::file(&state, new).await?;
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

fn proof(q: &[(String, String)]) -> AppResult<Proof> {
    let get = |k: &str| q.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    Proof::from_fields(get("phone"), get("token")).ok_or(AppError::NotFound)
}

/// Follow a complaint: state, replies, expected reply time and what the owner may do now.
#[utoipa::path(get, path = "/api/v1/public/complaints/{number}", tag = "public",
    params(("number" = String, Path, description = "Complaint number"),
        ("phone" = Option<String>, Query, description = "The phone given when filing"),
        ("token" = Option<String>, Query, description = "Or the tracking token")),
    responses((status = 200, description = "`{number, state, subject, replies, progress, may_confirm, may_object, may_rate, …}`"), (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn track(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(number): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Json<Value>> {
    state.public_limits.1.check(ip)?;
    let p = proof(&query_pairs(q.as_deref()))?;
    Ok(Json(public::track(&state, &number, &p).await?))
}

/// The owner accepts the result (`confirm`), objects (`object`, `{reason}`) or rates the service
/// (`rate`, `{satisfaction, remarks}`); the body carries `phone` or `token`.
#[utoipa::path(post, path = "/api/v1/public/complaints/{number}/{action}", tag = "public",
    params(("number" = String, Path, description = "Complaint number"), ("action" = String, Path, description = "confirm, object or rate")),
    request_body(content = Object, description = "`{\"token\": \"…\"}` or `{\"phone\": \"…\"}`, plus `reason` for object, `satisfaction` and `remarks` for rate"),
    responses((status = 200, description = "The owner's view after the action"), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn owner_action(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path((number, action)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    state.public_limits.1.check(ip)?;
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let p = Proof::from_fields(text("phone"), text("token")).ok_or(AppError::NotFound)?;
    let action = parse_owner_action(&action, text("reason"), text("satisfaction"), text("remarks"))?;
    Ok(Json(public::act(&state, &number, &p, action).await?))
}

/// Reads an owner's action from its name and fields.
pub fn parse_owner_action(
    action: &str,
    reason: Option<&str>,
    satisfaction: Option<&str>,
    remarks: Option<&str>,
) -> AppResult<OwnerAction> {
    let limit = |field: &str, s: &str| {
        domain::validate::text(field, s, 2000, domain::validate::Lines::Multi)
            .map_err(|e| AppError::Validation(vec![e]))
    };
    match action {
        "confirm" => Ok(OwnerAction::Confirm),
        "object" => {
            let reason = reason.ok_or_else(|| AppError::field("reason", "is required"))?;
            Ok(OwnerAction::Object(limit("reason", reason)?))
        }
        "rate" => {
            let s = satisfaction.and_then(Satisfaction::from_code).ok_or_else(|| {
                AppError::field("satisfaction", format!("must be one of: {}", Satisfaction::expected()))
            })?;
            let remarks = remarks.map(|r| limit("remarks", r)).transpose()?;
            Ok(OwnerAction::Rate(s, remarks))
        }
        _ => Err(AppError::NotFound),
    }
}
