//! Shared state handed to every request: store, clock, configuration and the rule data.

use crate::clock::Clock;
use crate::config::Config;
use domain::category::Category;
use domain::grading::TextRule;
use std::sync::{Arc, RwLock};
use store::Store;

/// Categories and grading rules, loaded from the database (R-GR-2, R-GR-3).
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    /// Active categories in display order.
    pub categories: Vec<Category>,
    /// Active grading rules.
    pub rules: Vec<TextRule>,
}

impl Taxonomy {
    /// A category by code.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }
}

/// The application state.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The configuration.
    pub config: Arc<Config>,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    taxonomy: Arc<RwLock<Arc<Taxonomy>>>,
}

impl AppState {
    /// Builds the state and loads the taxonomy.
    pub async fn new(
        store: Store,
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<AppState> {
        let state = AppState {
            store,
            config: Arc::new(config),
            clock,
            taxonomy: Arc::default(),
        };
        state.reload_taxonomy().await?;
        Ok(state)
    }

    /// The current categories and rules.
    pub fn taxonomy(&self) -> Arc<Taxonomy> {
        self.taxonomy.read().expect("taxonomy lock").clone()
    }

    /// Reloads categories and rules after an administrator changed them.
    pub async fn reload_taxonomy(&self) -> anyhow::Result<()> {
        let mut r = self.store.reader().await?;
        let mut c = r.conn();
        let fresh = Taxonomy {
            categories: store::taxonomy::categories(&mut c).await?,
            rules: store::taxonomy::rules(&mut c).await?,
        };
        *self.taxonomy.write().expect("taxonomy lock") = Arc::new(fresh);
        Ok(())
    }
}
