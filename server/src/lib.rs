//! beckon-server: the platform the Beckon SDK talks to.
//!
//! [`app`] builds the whole HTTP application from an [`AppState`] and is kept
//! apart from `main` so tests drive it directly with `tower::ServiceExt`.
#![deny(missing_docs)]

pub mod auth;
pub mod config;
pub mod error;
pub mod http;
pub mod limits;
pub mod metrics;
pub mod seed;
pub mod store;

use std::sync::Arc;

pub use config::Config;
pub use error::{AppError, Result};
pub use http::{app, openapi};
use store::Store;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Settings fixed at start.
    pub config: Arc<Config>,
    /// Prometheus counters and timings.
    pub metrics: Arc<metrics::Metrics>,
    /// Per-app and per-user request budgets.
    pub limiter: Arc<limits::RateLimiter>,
}

impl AppState {
    /// State around a store, with fresh metrics and rate limits.
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            store,
            config: Arc::new(config),
            metrics: metrics::Metrics::shared(),
            limiter: Arc::default(),
        }
    }
}
