//! The HTTP surface: one module per resource, each with its `router()`.
//!
//! Every API route is registered through `utoipa-axum`'s `routes!`, which
//! adds the handler to the router *and* its `#[utoipa::path]` to the
//! OpenAPI document in one step, so the document served at
//! `/openapi.json` is made from the same list as the router.

mod admin;
mod articles;
mod assets;
mod boot;
mod conversations;
mod cors;
mod email;
mod events;
mod gate;
mod json;
mod ops;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use json::{AppJson, AuthorJson};

use crate::AppState;

/// The top of the OpenAPI document; paths are added by the routers.
#[derive(OpenApi)]
#[openapi(
    info(title = "Beckon API", description = "The SDK's API (`/v1`) and the admin API (`/admin/v1`, bearer admin key)."),
    modifiers(&AdminKey),
    tags((name = "sdk", description = "Called by the browser SDK"),
         (name = "admin", description = "Authoring and analytics, behind the admin key"),
         (name = "inbox", description = "The agents' inbox, behind the admin key"),
         (name = "email", description = "Inbound email webhook, behind the app's webhook secret"),
         (name = "ops", description = "Operations"))
)]
struct ApiDoc;

/// Declares the admin key and the messenger session as bearer schemes.
struct AdminKey;

impl utoipa::Modify for AdminKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The messenger's session token from the boot (or `?session=`).
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        // An app's inbound-email webhook secret.
        components.add_security_scheme(
            "webhook",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every documented route: the SDK's, the admin API, and operations.
fn api() -> OpenApiRouter<AppState> {
    let sdk = OpenApiRouter::new()
        .merge(boot::router())
        .merge(events::router())
        .merge(articles::router())
        .merge(conversations::router())
        .merge(email::router())
        .layer(middleware::from_fn(cors::layer));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(sdk)
        .merge(admin::router())
        .merge(ops::router())
}

/// The OpenAPI document of the whole API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().into_openapi()
}

/// The whole application: API, admin API, the SDK's files and the examples.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    let (api, _) = api().split_for_parts();
    let api = api
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), ops::observe))
        .with_state(state.clone());
    api.merge(assets::router(&state.config))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(
            // One span per request (method, path, version) that every log
            // line of the request carries; status and latency at debug, so
            // RUST_LOG=info stays quiet under load and debug shows each call.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::DEBUG)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
}
