//! Prometheus metrics, served at `/metrics` in the text format.
//!
//! One registry per [`AppState`](crate::AppState) rather than a global
//! recorder, so tests that build many apps in one process each count their
//! own requests.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Labels of a request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The route pattern (`/v1/boot`), never the raw path, so ids do not
    /// explode the number of series.
    pub route: String,
    /// HTTP method.
    pub method: String,
    /// Status class, e.g. `2xx`.
    pub status: String,
}

/// Labels of a timed route.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TimingLabels {
    /// The route pattern.
    pub route: String,
}

/// Every metric the server keeps.
pub struct Metrics {
    registry: Registry,
    /// Requests answered, by route, method and status class.
    pub requests: Family<RouteLabels, Counter>,
    /// Time to answer, by route.
    pub latency: Family<TimingLabels, Histogram>,
    /// Events stored.
    pub events_accepted: Counter<u64, AtomicU64>,
    /// Events dropped as repeats of a stored id.
    pub events_duplicate: Counter<u64, AtomicU64>,
    /// Requests refused by a rate limit.
    pub rate_limited: Counter<u64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("beckon");
        let requests = Family::<RouteLabels, Counter>::default();
        let latency = Family::<TimingLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0002, 2.0, 16))
        });
        let events_accepted = Counter::default();
        let events_duplicate = Counter::default();
        let rate_limited = Counter::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request",
            latency.clone(),
        );
        registry.register("events_accepted", "Events stored", events_accepted.clone());
        registry.register(
            "events_duplicate",
            "Events dropped because their id was stored before",
            events_duplicate.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests refused by a rate limit",
            rate_limited.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            events_accepted,
            events_duplicate,
            rate_limited,
        }
    }
}

impl Metrics {
    /// A shared, empty set of metrics.
    pub fn shared() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        out
    }
}
