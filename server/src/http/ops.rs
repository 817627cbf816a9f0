//! Operations: `/metrics` (Prometheus), `/openapi.json`, `/healthz`, and the
//! middleware that counts and times every API request.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::Result;
use crate::metrics::{RouteLabels, TimingLabels};
use crate::AppState;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(metrics))
        .routes(routes!(openapi_json))
        .routes(routes!(healthz))
}

/// Prometheus metrics in the text format.
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> Response {
    let mut res = state.metrics.render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    res
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "ops",
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object)))]
async fn openapi_json() -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    let doc = DOC.get_or_init(|| super::openapi().to_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], doc.as_str()).into_response()
}

/// Whether the server and its database answer.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "ok"), (status = 500, body = Object)))]
async fn healthz(State(state): State<AppState>) -> Result<&'static str> {
    state.store.is_empty().await?;
    Ok("ok")
}

/// Counts and times each request under its route pattern.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = format!("{}xx", res.status().as_u16() / 100);
    state
        .metrics
        .latency
        .get_or_create(&TimingLabels {
            route: route.clone(),
        })
        .observe(start.elapsed().as_secs_f64());
    state
        .metrics
        .requests
        .get_or_create(&RouteLabels {
            route,
            method,
            status,
        })
        .inc();
    res
}
