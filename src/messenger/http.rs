//! `fetch` with the messenger's session token. Every call of the messenger
//! goes through the one non-generic [`request`], which answers the parsed
//! JSON as a `serde_json::Value`; callers read it into their type afterwards
//! ([`parse`]). One future type for all calls keeps the wasm small (a
//! generic request per answer type cost a state machine each).
//!
//! Errors come from [`crate::client::read_response`], so they look like
//! the rest of the SDK's (a 4xx is [`crate::SdkError::Refused`]).

use beckon_core::json::FromJson;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

use crate::client::read_response;
use crate::error::{js_text, SdkError, SdkResult};

/// One HTTP call, built by [`super::api::Api`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Req {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Full address.
    pub url: String,
    /// Bearer token, for conversation calls.
    pub token: Option<String>,
    /// JSON body.
    pub body: Option<String>,
}

fn browser(e: JsValue) -> SdkError {
    SdkError::Browser(js_text(&e))
}

/// Runs `req`; the JSON answer, or the server's explanation as an error.
pub async fn request(req: Req) -> SdkResult<Value> {
    let init = RequestInit::new();
    init.set_method(req.method);
    let headers = Headers::new().map_err(browser)?;
    if let Some(token) = &req.token {
        headers
            .set("authorization", &["Bearer ", token].concat())
            .map_err(browser)?;
    }
    if let Some(body) = &req.body {
        headers
            .set("content-type", "application/json")
            .map_err(browser)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(&req.url, &init)
        .map_err(|e| SdkError::BadArgument(js_text(&e)))?;
    let window = web_sys::window().ok_or_else(|| SdkError::Browser("no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| SdkError::Network(js_text(&e)))?
        .dyn_into()
        .map_err(|_| SdkError::Server("fetch gave no Response".into()))?;
    read_response::<Value>(response).await
}

/// Reads an answer of [`request`] as `T`.
pub fn parse<T: FromJson>(value: Value) -> SdkResult<T> {
    crate::client::from_value(value).map_err(SdkError::Server)
}
