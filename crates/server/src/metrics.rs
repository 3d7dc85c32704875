//! Prometheus metrics (R-OP-4): requests and latency by route, sweep steps and deliveries as
//! they happen, and, read from the database at each scrape, queue depths, overdue clocks and the
//! outbox backlog, so every process reports the same figures for the shared database.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::Mutex;

/// Labels of an HTTP request: the route template, never the path (numbers stay out of metrics).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// HTTP method.
    pub method: String,
    /// Matched route template, e.g. `/api/v1/complaints/{number}`, or `unmatched`.
    pub route: String,
    /// Status code.
    pub status: u16,
}

/// Labels of a route's latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// HTTP method.
    pub method: String,
    /// Matched route template.
    pub route: String,
}

/// Labels by delivery channel.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ChannelLabels {
    /// `sms`, `email`, `robot`, ….
    pub channel: String,
}

/// Labels by sweep step.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StepLabels {
    /// `warn`, `breach` or `escalate`.
    pub step: String,
}

/// Labels by SLA clock.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClockLabels {
    /// The clock code.
    pub clock: String,
}

/// Labels by complaint state.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    /// The state code.
    pub state: String,
}

/// Labels of an outbox count.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutboxLabels {
    /// Delivery channel.
    pub channel: String,
    /// Message state.
    pub state: String,
}

/// Every metric of one process.
pub struct Metrics {
    registry: Registry,
    /// HTTP requests served.
    pub requests: Family<RequestLabels, Counter>,
    /// HTTP latency in seconds.
    pub latency: Family<RouteLabels, Histogram>,
    /// Sweep steps taken (warn, breach, escalate).
    pub sweep_steps: Family<StepLabels, Counter>,
    /// Messages delivered, by channel.
    pub delivered: Family<ChannelLabels, Counter>,
    /// Delivery attempts that failed (to be retried), by channel.
    pub delivery_failures: Family<ChannelLabels, Counter>,
    /// Messages given up after the last attempt (listed at /admin/deliveries), by channel.
    pub delivery_given_up: Family<ChannelLabels, Counter>,
    /// Registrations written per transaction by the registrar (issue 9's group commit).
    pub registration_groups: Histogram,
    outbox: Family<OutboxLabels, Gauge>,
    overdue: Family<ClockLabels, Gauge>,
    open: Family<StateLabels, Gauge>,
    scrape: Mutex<()>,
}

/// What the database says at scrape time.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Outbox messages not yet delivered: (channel, state, count).
    pub outbox: Vec<(String, String, i64)>,
    /// Breached clocks not yet met, by clock.
    pub overdue: Vec<(String, i64)>,
    /// Complaints in each open state.
    pub open: Vec<(String, i64)>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers every metric under the `kesu_` prefix.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("kesu");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        let sweep_steps = Family::<StepLabels, Counter>::default();
        let delivered = Family::<ChannelLabels, Counter>::default();
        let delivery_failures = Family::<ChannelLabels, Counter>::default();
        let delivery_given_up = Family::<ChannelLabels, Counter>::default();
        let registration_groups = Histogram::new(exponential_buckets(1.0, 2.0, 10));
        registry.register(
            "registration_group_size",
            "Registrations written together by one transaction",
            registration_groups.clone(),
        );
        let outbox = Family::<OutboxLabels, Gauge>::default();
        let overdue = Family::<ClockLabels, Gauge>::default();
        let open = Family::<StateLabels, Gauge>::default();
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency", latency.clone());
        registry.register("sweep_steps", "SLA sweep steps taken (R-SLA-3)", sweep_steps.clone());
        registry.register("deliveries", "Notifications delivered, by channel", delivered.clone());
        registry.register(
            "delivery_failures",
            "Delivery attempts that failed and will be retried, by channel",
            delivery_failures.clone(),
        );
        registry.register(
            "delivery_given_up",
            "Notifications that failed their last attempt, by channel",
            delivery_given_up.clone(),
        );
        registry.register(
            "outbox_messages",
            "Outbox messages not yet delivered, by channel and state",
            outbox.clone(),
        );
        registry.register(
            "overdue_clocks",
            "Breached SLA clocks not yet met, by clock",
            overdue.clone(),
        );
        registry.register(
            "complaints_open",
            "Complaints in each open state (the work queues)",
            open.clone(),
        );
        Metrics {
            registry,
            registration_groups,
            requests,
            latency,
            sweep_steps,
            delivered,
            delivery_failures,
            delivery_given_up,
            outbox,
            overdue,
            open,
            scrape: Mutex::new(()),
        }
    }

    /// Counts a sweep step.
    pub fn step(&self, step: &str, n: u64) {
        self.sweep_steps
            .get_or_create(&StepLabels { step: step.into() })
            .inc_by(n);
    }

    /// Counts a delivery outcome of a channel in one of the delivery families.
    pub fn delivery(family: &Family<ChannelLabels, Counter>, channel: &str) {
        family
            .get_or_create(&ChannelLabels {
                channel: channel.into(),
            })
            .inc();
    }

    /// The text exposition, with the database's figures of `snap`.
    pub fn render(&self, snap: &Snapshot) -> String {
        let _one_at_a_time = self.scrape.lock().expect("scrape lock");
        self.outbox.clear();
        for (channel, state, n) in &snap.outbox {
            self.outbox
                .get_or_create(&OutboxLabels {
                    channel: channel.clone(),
                    state: state.clone(),
                })
                .set(*n);
        }
        self.overdue.clear();
        for (clock, n) in &snap.overdue {
            self.overdue
                .get_or_create(&ClockLabels { clock: clock.clone() })
                .set(*n);
        }
        self.open.clear();
        for (state, n) in &snap.open {
            self.open.get_or_create(&StateLabels { state: state.clone() }).set(*n);
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String");
        out
    }
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}
