//! Shared state handed to every request: store, clock, configuration and the rule data.

use crate::auth::Principal;
use crate::clock::Clock;
use crate::config::Config;
use chrono::{DateTime, Utc};
use domain::calendar::Calendar;
use domain::category::Category;
use domain::grading::TextRule;
use domain::sla::ClockOverride;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
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

/// A value shared by every request and replaced whole when an administrator changes it.
pub struct Snapshot<T>(RwLock<Arc<T>>);

impl<T> Default for Snapshot<T>
where
    T: Default,
{
    fn default() -> Self {
        Snapshot(RwLock::new(Arc::default()))
    }
}

impl<T> Snapshot<T> {
    /// The current value.
    pub fn get(&self) -> Arc<T> {
        self.0.read().expect("snapshot lock").clone()
    }

    /// Replaces the value.
    pub fn set(&self, value: T) {
        *self.0.write().expect("snapshot lock") = Arc::new(value);
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
    taxonomy: Arc<Snapshot<Taxonomy>>,
    principals: Arc<Mutex<HashMap<String, CachedPrincipal>>>,
    calendar: Arc<Snapshot<Calendar>>,
    clock_overrides: Arc<Snapshot<Vec<ClockOverride>>>,
    /// The HTTP client for gateways and robots, built once (it keeps a connection pool).
    pub http: reqwest::Client,
}

#[derive(Clone)]
struct CachedPrincipal {
    principal: Principal,
    token_expires_at: DateTime<Utc>,
    cached_at: Instant,
}

/// How long a token's resolved principal (user, grants, scope) is reused before it is read again.
pub const PRINCIPAL_CACHE_TTL: Duration = Duration::from_secs(10);
const PRINCIPAL_CACHE_MAX: usize = 10_000;

impl AppState {
    /// Builds the state and loads the taxonomy.
    pub async fn new(store: Store, config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
        let state = AppState {
            store,
            config: Arc::new(config),
            clock,
            taxonomy: Arc::default(),
            principals: Arc::default(),
            calendar: Arc::default(),
            clock_overrides: Arc::default(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()?,
        };
        state.reload_taxonomy().await?;
        state.reload_calendar().await?;
        state.reload_clock_overrides().await?;
        Ok(state)
    }

    /// The current categories and rules.
    pub fn taxonomy(&self) -> Arc<Taxonomy> {
        self.taxonomy.get()
    }

    /// The working calendar of every stored year (R-SLA-2).
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar.get()
    }

    /// Reloads the working calendar after an administrator changed a year.
    pub async fn reload_calendar(&self) -> anyhow::Result<()> {
        let mut r = self.store.reader().await?;
        let years = store::calendar::all(&mut r.conn()).await?;
        self.calendar.set(Calendar::new(&years));
        Ok(())
    }

    /// The administrator's overrides of the clock policies (R-SLA-1).
    pub fn clock_overrides(&self) -> Arc<Vec<ClockOverride>> {
        self.clock_overrides.get()
    }

    /// Reloads the clock-policy overrides after an administrator changed them.
    pub async fn reload_clock_overrides(&self) -> anyhow::Result<()> {
        let mut r = self.store.reader().await?;
        let fresh = crate::services::settings::clock_overrides(&mut r.conn())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        self.clock_overrides.set(fresh);
        Ok(())
    }

    /// The cached principal of a token hash, if fresh and the token has not expired by the clock.
    pub fn cached_principal(&self, token_hash: &str) -> Option<Principal> {
        let now = self.clock.now();
        let cache = self.principals.lock().expect("principal cache");
        cache
            .get(token_hash)
            .filter(|c| c.cached_at.elapsed() < PRINCIPAL_CACHE_TTL && c.token_expires_at > now)
            .map(|c| c.principal.clone())
    }

    /// Remembers a token's principal for [`PRINCIPAL_CACHE_TTL`].
    pub fn cache_principal(&self, token_hash: String, principal: Principal, token_expires_at: DateTime<Utc>) {
        let mut cache = self.principals.lock().expect("principal cache");
        if cache.len() >= PRINCIPAL_CACHE_MAX {
            cache.retain(|_, c| c.cached_at.elapsed() < PRINCIPAL_CACHE_TTL);
            if cache.len() >= PRINCIPAL_CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(
            token_hash,
            CachedPrincipal {
                principal,
                token_expires_at,
                cached_at: Instant::now(),
            },
        );
    }

    /// Reloads categories and rules after an administrator changed them.
    pub async fn reload_taxonomy(&self) -> anyhow::Result<()> {
        let mut r = self.store.reader().await?;
        let mut c = r.conn();
        let fresh = Taxonomy {
            categories: store::taxonomy::categories(&mut c).await?,
            rules: store::taxonomy::rules(&mut c).await?,
        };
        self.taxonomy.set(fresh);
        Ok(())
    }
}
