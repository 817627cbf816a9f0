//! `fetch` with the messenger's session token: GET and POST of JSON with
//! `Authorization: Bearer`. The answer is read by
//! [`crate::client::read_response`], so errors look like the rest of the
//! SDK's (a 4xx is [`crate::SdkError::Refused`] with its status).

use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

use crate::client::read_response;
use crate::error::{js_text, SdkError, SdkResult};

fn browser(e: JsValue) -> SdkError {
    SdkError::Browser(js_text(&e))
}

/// `method url` with an optional bearer token and JSON body; the JSON
/// answer read as `R`.
pub async fn request<R: DeserializeOwned>(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> SdkResult<R> {
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().map_err(browser)?;
    if let Some(token) = token {
        headers
            .set("authorization", &["Bearer ", token].concat())
            .map_err(browser)?;
    }
    if let Some(body) = body {
        headers
            .set("content-type", "application/json")
            .map_err(browser)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init)
        .map_err(|e| SdkError::BadArgument(js_text(&e)))?;
    let window = web_sys::window().ok_or_else(|| SdkError::Browser("no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| SdkError::Network(js_text(&e)))?
        .dyn_into()
        .map_err(|_| SdkError::Server("fetch gave no Response".into()))?;
    read_response(response).await
}
