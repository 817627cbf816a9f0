//! The SDK's built files under `/sdk/`, the agents' inbox at `/inbox`, and
//! the example pages at `/`.
//!
//! The build writes `.br` and `.gz` twins of each SDK file, served as they
//! are, so no request pays for compressing the wasm module.

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::Config;

/// Static routes; they need no state.
pub fn router<S: Clone + Send + Sync + 'static>(config: &Config) -> Router<S> {
    let sdk = ServeDir::new(&config.sdk_dir)
        .precompressed_br()
        .precompressed_gzip();
    // File names are not content-hashed, so browsers revalidate after five
    // minutes; the ETag/Last-Modified answer is a cheap 304.
    let sdk_cache = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300, stale-while-revalidate=86400"),
    );
    let pages = ServeDir::new(&config.examples_dir);
    let page_cache = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    // The agents' inbox: a static page; its data comes from the admin API.
    let inbox = ServeDir::new(&config.inbox_dir);
    Router::new()
        .nest_service(
            "/inbox",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache"),
                ))
                .service(inbox),
        )
        .nest_service(
            "/sdk",
            tower::ServiceBuilder::new().layer(sdk_cache).service(sdk),
        )
        .fallback_service(
            tower::ServiceBuilder::new()
                .layer(page_cache)
                .service(pages),
        )
}
