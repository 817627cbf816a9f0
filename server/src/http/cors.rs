//! CORS limited to each app's allowed origins.
//!
//! The app is named in the request body, which a preflight does not carry,
//! so the check happens in two places: the preflight is answered for any
//! origin (it reveals and changes nothing), and the handler, once it knows
//! the app, refuses a browser request from an origin the app has not
//! allowed with 403 *before doing anything*, and marks allowed ones in a
//! [`CorsSlot`] that this middleware turns into `Access-Control-Allow-Origin`.
//! A disallowed origin therefore neither reads an answer nor gets an event
//! stored, even with a "simple" request that skips the preflight.

use std::sync::{Arc, OnceLock};

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, Result};
use crate::store::AppSettings;

/// Where a handler leaves the origin it admitted.
#[derive(Clone, Default)]
pub struct CorsSlot(Arc<OnceLock<HeaderValue>>);

/// Answers preflights and adds the allow-origin header a handler decided on.
pub async fn layer(mut req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    if req.method() == Method::OPTIONS {
        let Some(origin) = origin else {
            return StatusCode::NO_CONTENT.into_response();
        };
        return preflight(req.headers(), origin, "GET, POST", "600");
    }
    let slot = CorsSlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut res = next.run(req).await;
    if let Some(allowed) = slot.0.get() {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed.clone());
        // Not a CORS-safelisted header: without this the SDK on another
        // origin could not read how long a 429 or 503 asks it to wait.
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after"),
        );
    }
    if origin.is_some() {
        res.headers_mut()
            .append(header::VARY, HeaderValue::from_static("Origin"));
    }
    res
}

/// The answer to a preflight: `origin` may send `methods` with whatever
/// headers the browser asks for. A page's tracing (Sentry's `sentry-trace`
/// and `baggage`, Datadog's `x-datadog-*`, `traceparent`) wraps `fetch` and
/// adds its own headers to the SDK's requests; a preflight that named only
/// the SDK's headers made every one of them fail. The server reads none of
/// them. Asked for none: the SDK's own (the messenger's session token, the
/// cursor a polyfilled EventSource resumes with). Browsers keep the answer
/// `max_age` seconds.
pub fn preflight(
    request: &HeaderMap,
    origin: HeaderValue,
    methods: &'static str,
    max_age: &'static str,
) -> Response {
    let asked = request
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static(
            "content-type, authorization, last-event-id",
        ));
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    for (name, value) in [
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, origin),
        (
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(methods),
        ),
        (header::ACCESS_CONTROL_ALLOW_HEADERS, asked),
        (
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(max_age),
        ),
        (
            header::VARY,
            HeaderValue::from_static("Origin, Access-Control-Request-Headers"),
        ),
    ] {
        h.insert(name, value);
    }
    res
}

/// Whether `origin` is the server's own (scheme aside: the host the
/// browser addressed is the one in `Host`).
fn same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// Admits the request for the app or refuses it with 403. A request with no
/// `Origin` is not from a browser page and CORS does not apply.
pub fn admit(settings: &AppSettings, headers: &HeaderMap, slot: &CorsSlot) -> Result<()> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let text = origin.to_str().unwrap_or_default();
    let allowed = same_origin(text, headers)
        || settings
            .allowed_origins
            .iter()
            .any(|o| o == "*" || o.trim_end_matches('/').eq_ignore_ascii_case(text));
    if allowed {
        let _ = slot.0.set(origin.clone());
        Ok(())
    } else {
        Err(AppError::bad(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            format!("origin {text:?} is not among this app's allowed origins"),
        ))
    }
}
