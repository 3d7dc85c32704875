//! `POST /api/v1/auth/token`.

use super::docs::{Problem, TokenRequest, TokenResponse};
use super::extract::{Fields, JsonObject};
use crate::error::{AppError, AppResult};
use crate::services::auth::issue_token;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use domain::time::rfc3339_cn;
use domain::FieldError;
use serde_json::{json, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/auth/token", post(token))
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
