//! Shared state handed to every request: store, clock, configuration and the rule data.

use crate::auth::Principal;
use crate::clock::Clock;
use crate::config::Config;
use chrono::{DateTime, Utc};
use domain::calendar::Calendar;
use domain::category::Category;
use domain::grading::TextRule;
use domain::hours::BusinessHours;
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

/// The settings every request reads and an administrator edits, cached whole per process and
/// reloaded when the database's settings epoch moves (a change made here or by another process).
#[derive(Debug, Default)]
pub struct Settings {
    /// The settings epoch this copy was read at.
    pub epoch: i64,
    /// Categories and grading rules (R-GR-2, R-GR-3).
    pub taxonomy: Taxonomy,
    /// The working calendar of every stored year (R-SLA-2).
    pub calendar: Calendar,
    /// The administrator's overrides of the clock policies (R-SLA-1).
    pub clock_overrides: Vec<ClockOverride>,
    /// Business hours of the nodes that set their own, by org path (R-SLA-2).
    pub hours: Vec<(String, BusinessHours)>,
}

impl Settings {
    /// Reads every cached setting in one go.
    pub async fn load(c: &mut store::Conn<'_>) -> anyhow::Result<Settings> {
        let epoch = store::settings::epoch(c).await?;
        let taxonomy = Taxonomy {
            categories: store::taxonomy::categories(c).await?,
            rules: store::taxonomy::rules(c).await?,
        };
        let calendar = Calendar::new(&store::calendar::all(c).await?);
        let clock_overrides = crate::services::settings::clock_overrides(c)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let hours = store::clocks::hours(c)
            .await?
            .into_iter()
            .map(|h| {
                let hours = BusinessHours {
                    open: BusinessHours::from_minutes(h.open_min),
                    close: BusinessHours::from_minutes(h.close_min),
                };
                (h.path, hours)
            })
            .collect();
        Ok(Settings {
            epoch,
            taxonomy,
            calendar,
            clock_overrides,
            hours,
        })
    }

    /// The close of business at an org path (R-SLA-2).
    pub fn close_at(&self, path: &str) -> chrono::NaiveTime {
        domain::hours::resolve(path, &self.hours).close
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
    settings: Arc<Snapshot<Settings>>,
    principals: Arc<Mutex<HashMap<String, CachedPrincipal>>>,
    /// The HTTP client for gateways and robots, built once (it keeps a connection pool).
    pub http: reqwest::Client,
    /// This process's metrics (R-OP-4).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Each user's workbench figures, with when they were counted.
    pub workbench_figures: Arc<Mutex<HashMap<i64, CachedFigures>>>,
    /// Writes concurrent registrations together (issue 9).
    pub registrar: crate::services::register::Registrar,
    /// Per-address limits of the public endpoints: filings, lookups.
    pub public_limits: Arc<(
        crate::services::public::RateLimiter,
        crate::services::public::RateLimiter,
    )>,
}

/// A user's workbench figures and when they were counted.
pub type CachedFigures = (Instant, Arc<crate::web::workbench::Figures>);

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
    /// Builds the state and loads the settings.
    pub async fn new(store: Store, config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
        let public_limits = Arc::new((
            crate::services::public::RateLimiter::new(config.public_filings_per_10min, Duration::from_secs(600)),
            crate::services::public::RateLimiter::new(config.public_lookups_per_minute, Duration::from_secs(60)),
        ));
        let metrics: Arc<crate::metrics::Metrics> = Arc::default();
        let state = AppState {
            registrar: crate::services::register::Registrar::start(store.clone(), metrics.clone()),
            store,
            config: Arc::new(config),
            clock,
            settings: Arc::default(),
            principals: Arc::default(),
            metrics,
            public_limits,
            workbench_figures: Arc::default(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()?,
        };
        state.reload_settings().await?;
        Ok(state)
    }

    /// The cached settings.
    pub fn settings(&self) -> Arc<Settings> {
        self.settings.get()
    }

    /// Reads the settings again (after a change made in this process).
    pub async fn reload_settings(&self) -> anyhow::Result<()> {
        let mut r = self.store.reader().await?;
        let fresh = Settings::load(&mut r.conn()).await?;
        self.settings.set(fresh);
        Ok(())
    }

    /// Reloads the settings if another process changed them since they were read; true if it did.
    pub async fn refresh_settings(&self) -> anyhow::Result<bool> {
        let epoch = {
            let mut r = self.store.reader().await?;
            store::settings::epoch(&mut r.conn()).await?
        };
        if epoch == self.settings().epoch {
            return Ok(false);
        }
        self.reload_settings().await?;
        Ok(true)
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

    /// Drops a token's cached principal.
    pub fn forget_principal(&self, token_hash: &str) {
        self.principals.lock().expect("principal cache").remove(token_hash);
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
}
