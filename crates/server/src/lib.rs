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
    // Backfills walk the whole complaint table; once one found everything in place, later
    // starts skip it (start to /readyz under a second at a million complaints).
    if !whole(&state, store::search::WHOLE_KEY).await? {
        let indexed = services::search::backfill(&state).await?;
        tracing::info!(indexed, "complaints added to the search index");
        mark_whole(&state, store::search::WHOLE_KEY).await?;
    }
    if !whole(&state, store::rollup::WHOLE_KEY).await? {
        let rolled = services::reports::backfill(&state).await?;
        tracing::info!(rolled, "complaints added to the report roll-up");
        mark_whole(&state, store::rollup::WHOLE_KEY).await?;
    }
    if state.config.demo {
        demo::load_if_empty(&state, true).await?;
    }
    Ok((api::router(state.clone()), state))
}

/// Whether a backfill marker is set.
async fn whole(state: &AppState, key: &str) -> anyhow::Result<bool> {
    let mut r = state.store.reader().await?;
    Ok(store::settings::get(&mut r.conn(), key).await?.is_some())
}

/// Sets a backfill marker.
async fn mark_whole(state: &AppState, key: &'static str) -> anyhow::Result<()> {
    state
        .store
        .write(move |c| {
            use futures::FutureExt;
            async move { store::settings::put(c, key, "true").await }.boxed()
        })
        .await?;
    Ok(())
}
