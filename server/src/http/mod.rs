//! The HTTP surface: one module per resource, each with its `router()`.

mod admin;
mod assets;
mod boot;
mod events;
mod json;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use json::AppJson;

use crate::AppState;

/// The whole application: API, admin API, the SDK's files and the examples.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    let api = Router::new()
        .merge(boot::router())
        .merge(events::router())
        .merge(admin::router())
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state.clone());
    api.merge(assets::router(&state.config))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}
