//! beckon-server: the platform the Beckon SDK talks to.
//!
//! [`app`] builds the whole HTTP application from an [`AppState`] and is kept
//! apart from `main` so tests drive it directly with `tower::ServiceExt`.
#![deny(missing_docs)]

pub mod config;
pub mod error;
pub mod http;
pub mod seed;
pub mod store;

use std::sync::Arc;

pub use config::Config;
pub use error::{AppError, Result};
pub use http::app;
use store::Store;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Settings fixed at start.
    pub config: Arc<Config>,
}
