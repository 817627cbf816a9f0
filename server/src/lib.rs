//! beckon-server: the platform the Beckon SDK talks to.
//!
//! [`app`] builds the whole HTTP application from an [`AppState`] and is kept
//! apart from `main` so tests drive it directly with `tower::ServiceExt`.
#![deny(missing_docs)]

pub mod auth;
pub mod bot;
pub mod config;
pub mod error;
pub mod http;
pub mod hub;
pub mod limits;
pub mod mail;
pub mod messenger;
pub mod metrics;
pub mod seed;
pub mod session;
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
    /// The knowledge-base bot's indexes.
    pub bot: Arc<bot::Bot>,
    /// Wake-ups of the messenger's event streams.
    pub hub: Arc<hub::Hub>,
}

impl AppState {
    /// State around a store, with fresh metrics and rate limits.
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            store,
            config: Arc::new(config),
            metrics: metrics::Metrics::shared(),
            limiter: Arc::default(),
            bot: Arc::default(),
            hub: Arc::default(),
        }
    }
}
