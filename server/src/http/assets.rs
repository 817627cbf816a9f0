//! The SDK's built files under `/sdk/`, the agents' inbox at `/inbox`, and
//! the example pages at `/`.
//!
//! The build writes `.br` and `.gz` twins of each SDK file, served as they
//! are, so no request pays for compressing the wasm module.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::Config;

/// Static routes; they need no state.
pub fn router<S: Clone + Send + Sync + 'static>(config: &Config) -> Router<S> {
    let sdk = ServeDir::new(&config.sdk_dir)
        .precompressed_br()
        .precompressed_gzip();
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
            tower::ServiceBuilder::new()
                .layer(middleware::from_fn(sdk_headers))
                .service(sdk),
        )
        .fallback_service(
            tower::ServiceBuilder::new()
                .layer(page_cache)
                .service(pages),
        )
}

/// The headers of every SDK file.
///
/// Who may read it: anyone. The product's pages are on other origins than
/// this server, and the loader `fetch`es the module, a CORS request: without
/// `Access-Control-Allow-Origin` the SDK never loads there (and a 404 for an
/// outdated module would look like a network failure, so a stale loader
/// would retry instead of reloading). The files are public and fetched
/// without credentials, so `*`. `Cross-Origin-Resource-Policy` lets a page
/// that requires it (`Cross-Origin-Embedder-Policy: require-corp`) run the
/// loader's `<script>`.
///
/// How long browsers keep it. The module is named by its content hash
/// (`beckon_bg.<16 hex>.wasm`, written by scripts/build-sdk.sh), so a name
/// always means the same bytes: kept a year, never revalidated. Other names
/// (the loader, the unversioned module of the npm package) change with each
/// build: revalidated after five minutes, the ETag answer a cheap 304, a
/// stale copy used meanwhile while it is fetched again.
///
/// A preflight is answered here too: a page whose tracing adds its headers
/// to every `fetch` (Sentry's `sentry-trace`, Datadog's) makes the loader's
/// fetch of the module a preflighted request, and the file server answered
/// `OPTIONS` with no CORS headers, so the SDK never loaded on such a page.
async fn sdk_headers(request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS {
        // Any origin may `GET` the files, with whatever headers.
        let any = HeaderValue::from_static("*");
        return super::cors::preflight(request.headers(), any, "GET", "86400");
    }
    let immutable = is_content_addressed(request.uri().path());
    let mut response = next.run(request).await;
    let value = if !(response.status().is_success() || response.status().is_redirection()) {
        // A missing module must not be remembered: the loader reacts to it.
        "no-store"
    } else if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300, stale-while-revalidate=86400"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    response
}

/// `beckon_bg.<16 lowercase hex digits>.wasm`, under any folder.
fn is_content_addressed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_prefix("beckon_bg.")
        .and_then(|rest| rest.strip_suffix(".wasm"))
        .is_some_and(|hash| {
            hash.len() == 16 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        })
}

#[cfg(test)]
mod tests {
    use super::is_content_addressed;

    #[test]
    fn only_hashed_module_names_are_content_addressed() {
        assert!(is_content_addressed("/beckon_bg.0123456789abcdef.wasm"));
        assert!(!is_content_addressed("/beckon_bg.wasm"));
        assert!(!is_content_addressed("/loader.js"));
        assert!(!is_content_addressed("/beckon_bg.0123456789ABCDEF.wasm"));
        assert!(!is_content_addressed("/beckon_bg.0123456789abcde.wasm"));
        assert!(!is_content_addressed("/beckon_bg.0123456789abcdef.wasm.gz"));
    }
}
