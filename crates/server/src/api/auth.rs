//! `POST /api/v1/auth/token`; listing and revoking tokens and sessions.

use super::docs::{Problem, TokenRequest, TokenResponse};
use super::extract::{query_pairs, Fields, JsonObject};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services;
use crate::services::auth::issue_token;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use domain::time::rfc3339_cn;
use domain::FieldError;
use serde_json::{json, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/token", post(token))
        .route("/api/v1/auth/tokens", get(list))
        .route("/api/v1/auth/tokens/{id}", delete(revoke))
}

/// Whose tokens: `?user=` (administrators only), else the caller's own; anything else is 422.
fn holder(q: Option<&str>) -> AppResult<Option<String>> {
    let mut user = None;
    for (k, v) in query_pairs(q) {
        match k.as_str() {
            "user" if !v.is_empty() && v.len() <= 64 => user = Some(v),
            "user" => return Err(AppError::field("user", "must be a username")),
            other => {
                return Err(AppError::field(
                    &other.chars().take(40).collect::<String>(),
                    "is not a known parameter",
                ))
            }
        }
    }
    Ok(user)
}

/// My API tokens and web sessions that have not expired (`?user=` for administrators): id,
/// kind (`api` or `session`), issued, expires and revoked times; never the secret (R-SEC-1).
#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth",
    params(("user" = Option<String>, Query, description = "Another user's tokens (administrators)")),
    responses((status = 200, description = "`{username, items: [{id, kind, created_at, expires_at, revoked_at}]}`"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, who: Principal, RawQuery(q): RawQuery) -> AppResult<Json<Value>> {
    let user = holder(q.as_deref())?;
    Ok(Json(services::auth::list_tokens(&state, &who, user.as_deref()).await?))
}

/// Revoke one of my tokens or sessions (`?user=` for administrators, audited); it stops working
/// at once in this process and within 10 seconds in every other.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth",
    params(("id" = i64, Path, description = "Token id from the list"),
        ("user" = Option<String>, Query, description = "Another user's token (administrators)")),
    responses((status = 204, description = "Revoked"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<StatusCode> {
    let user = holder(q.as_deref())?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    services::auth::revoke_id(&state, &who, user.as_deref(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Exchange a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn token(State(state): State<AppState>, JsonObject(body): JsonObject) -> AppResult<Json<Value>> {
    let mut f = Fields::new(&body, "");
    f.reject_unknown(&["username", "password"]);
    let username = f.string("username");
    let password = f.string("password");
    let mut errors = f.errors;
    for (field, v, max) in [("username", &username, 64), ("password", &password, 256)] {
        match v {
            None => errors.push(FieldError::new(field, "is required")),
            Some(s) if s.is_empty() || s.chars().count() > max => {
                errors.push(FieldError::new(field, format!("must be 1 to {max} characters")))
            }
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let issued = issue_token(
        &state,
        username.as_deref().unwrap_or_default(),
        password.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(
        json!({"token": issued.token, "expires_at": rfc3339_cn(issued.expires_at)}),
    ))
}
