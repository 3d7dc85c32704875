//! Liveness, readiness and metrics (R-OP-4), and the layer that measures every request.

use crate::error::AppError;
use crate::metrics::{RequestLabels, RouteLabels};
use crate::state::AppState;
use axum::extract::State;
use axum::extract::{MatchedPath, Request};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::Code;
use serde_json::{json, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// 200 while the process serves.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200)))]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// 200 when the database is reachable and migrated (migrations run before the server listens).
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200), (status = 503)))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    state
        .store
        .ping()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    Ok(Json(
        json!({"status": "ready", "database": format!("{:?}", state.store.backend()).to_lowercase()}),
    ))
}

/// Prometheus metrics: requests and latency by route, sweep steps, deliveries, and the queue
/// depths, overdue clocks and outbox backlog of the database. No personal data, so no login:
/// restrict it at the network edge like any scrape endpoint.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text"), (status = 503)))]
pub async fn metrics(State(state): State<AppState>) -> Result<Response, AppError> {
    let open: Vec<&str> = domain::State::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.code())
        .collect();
    let snap = {
        let mut r = state.store.reader().await?;
        let mut c = r.conn();
        crate::metrics::Snapshot {
            outbox: store::outbox::undelivered(&mut c).await?,
            overdue: store::clocks::overdue(&mut c, &open).await?,
            open: store::complaints::count_by_state(&mut c, &open).await?,
        }
    };
    let body = state.metrics.render(&snap);
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        body,
    )
        .into_response())
}

/// Counts every request and its latency by method, route template and status.
pub async fn measure(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    let m = &state.metrics;
    m.latency
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}
