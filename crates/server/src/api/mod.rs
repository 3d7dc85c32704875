//! The HTTP API of API.md: one router per module, merged here with the edge layers.

pub mod actions;
pub mod attachments;
pub mod auth;
pub mod calendar;
pub mod complaints;
pub mod deliveries;
pub mod docs;
pub mod extract;
pub mod health;
pub mod import;
pub mod inbox;
pub mod insight;
pub mod me;
pub mod meta;
pub mod money;
pub mod openapi;
pub mod projects;
pub mod public;
pub mod reports;
pub mod responsibility;
pub mod robots;
pub mod sanctions;
pub mod settings;
pub mod warnings;

use crate::error::AppError;
use crate::state::AppState;
use axum::http::{HeaderName, Request};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(auth::router())
        .merge(complaints::router())
        .merge(actions::router())
        .merge(attachments::router())
        .merge(projects::router())
        .merge(meta::router())
        .merge(me::router())
        .merge(settings::router())
        .merge(calendar::router())
        .merge(inbox::router())
        .merge(deliveries::router())
        .merge(import::router())
        .merge(robots::router())
        .merge(health::router())
        .merge(public::router())
        .merge(reports::router())
        .merge(warnings::router())
        .merge(insight::router())
        .merge(responsibility::router())
        .merge(sanctions::router())
        .merge(money::router())
        .merge(crate::web::router())
        .merge(openapi::router())
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(state.clone(), health::measure))
        .with_state(state)
        .layer(CatchPanicLayer::custom(|_| -> Response {
            AppError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(
            // Logs method, path and status with the request id; never bodies, so no personal data.
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                // One line per request at info: status and latency, inside the span with its id.
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                ),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
