//! The `kesu` server: configuration, HTTP API, services and background jobs.
#![recursion_limit = "256"]

pub mod api;
pub mod auth;
pub mod backup;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod metrics;
pub mod services;
pub mod state;
pub mod web;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Config;
pub use state::AppState;

/// Opens the store, bootstraps it, optionally loads demo data, and returns the router with its state.
pub async fn build(config: Config, clock: std::sync::Arc<dyn Clock>) -> anyhow::Result<(axum::Router, AppState)> {
    let store = store::Store::open(&config.database_url, store::StoreOptions::default()).await?;
    services::bootstrap::run(&store, &config, clock.now()).await?;
    let state = AppState::new(store, config, clock).await?;
    let indexed = services::search::backfill(&state).await?;
    if indexed > 0 {
        tracing::info!(indexed, "complaints added to the search index");
    }
    let rolled = services::reports::backfill(&state).await?;
    if rolled > 0 {
        tracing::info!(rolled, "complaints added to the report roll-up");
    }
    if state.config.demo {
        demo::load_if_empty(&state, true).await?;
    }
    Ok((api::router(state.clone()), state))
}
