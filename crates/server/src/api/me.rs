//! `/api/v1/me`: the signed-in user's profile, notice channels and language.

use super::docs::Problem;
use super::extract::JsonObject;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::services::me;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me", get(read).patch(update))
}

/// Who I am: roles, contact addresses, which notices also go by e-mail or SMS, and language.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, description = "`{username, display_name, roles, email, phone, notifications: {inbox, email, sms}, locale}`"), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn read(State(state): State<AppState>, who: Principal) -> AppResult<Json<Value>> {
    Ok(Json(me::get(&state, &who).await?))
}

/// Change my contact addresses, notice channels (`off`, `important`, `all`) or language; fields
/// left out keep their value.
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth",
    request_body(content = Object, description = "`{\"email\": \"zhao@example.com\", \"phone\": \"13900001111\", \"notifications\": {\"email\": \"all\", \"sms\": \"important\"}, \"locale\": \"zh\"}`"),
    responses((status = 200, description = "The profile now"), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    who: Principal,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    Ok(Json(me::patch(&state, &who, Value::Object(body)).await?))
}
