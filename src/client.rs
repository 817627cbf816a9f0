//! The HTTP client: JSON over `fetch`, with the server's error body turned
//! into a readable [`SdkError`].
//!
//! `fetch` from web-sys rather than a wrapper crate: it costs a few hundred
//! bytes of glue, where gloo-net would bring its own request builder.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

use crate::error::{js_text, SdkError, SdkResult};

/// Serialises `value` to a JS value that `JSON.stringify` renders as the
/// protocol expects (plain objects, not `Map`s).
pub fn to_js<T: Serialize>(value: &T) -> SdkResult<JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|e| SdkError::BadArgument(e.to_string()))
}

/// `POST {base}{path}` with a JSON body; the JSON answer read as `R`.
/// `keepalive` lets the request outlive the page (for the last events).
pub async fn post_json<T: Serialize, R: DeserializeOwned>(
    base: &str,
    path: &str,
    body: &T,
    keepalive: bool,
) -> SdkResult<R> {
    let text = to_json_string(body)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&text));
    if keepalive {
        // Not in this web-sys's RequestInit; every current browser has it.
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
    }
    let headers = web_sys::Headers::new().map_err(|e| SdkError::Browser(js_text(&e)))?;
    headers
        .set("content-type", "application/json")
        .map_err(|e| SdkError::Browser(js_text(&e)))?;
    init.set_headers(&headers);
    let url = [base.trim_end_matches('/'), path].concat();
    let request = Request::new_with_str_and_init(&url, &init)
        .map_err(|e| SdkError::BadArgument(js_text(&e)))?;
    let window = web_sys::window().ok_or_else(|| SdkError::Browser("no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| SdkError::Network(js_text(&e)))?
        .dyn_into()
        .map_err(|_| SdkError::Server("fetch gave no Response".into()))?;
    read_response(response).await
}

/// Reads a `fetch` answer: its JSON as `R` when the status is 2xx, else
/// the server's error explanation as an [`SdkError`].
pub async fn read_response<R: DeserializeOwned>(response: Response) -> SdkResult<R> {
    let status = response.status();
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    if !response.ok() {
        let detail = json
            .as_ref()
            .and_then(|j| js_sys::Reflect::get(j, &JsValue::from_str("message")).ok())
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        if (400..500).contains(&status) {
            return Err(SdkError::Refused(status, detail));
        }
        return Err(SdkError::Server(
            ["HTTP ", &status.to_string(), " ", &detail].concat(),
        ));
    }
    let json = json.ok_or_else(|| {
        SdkError::Server(
            [
                "HTTP ",
                &status.to_string(),
                " with a body that is not JSON",
            ]
            .concat(),
        )
    })?;
    serde_wasm_bindgen::from_value(json).map_err(|e| SdkError::Server(e.to_string()))
}

/// `JSON.stringify` of a serialisable value: the browser's own JSON writer,
/// so the wasm carries no JSON formatting code.
pub fn to_json_string<T: Serialize>(value: &T) -> SdkResult<String> {
    js_sys::JSON::stringify(&to_js(value)?)
        .map(String::from)
        .map_err(|e| SdkError::BadArgument(js_text(&e)))
}

/// `JSON.parse`, then read as `T`.
pub fn from_json_str<T: DeserializeOwned>(text: &str) -> SdkResult<T> {
    let value = js_sys::JSON::parse(text).map_err(|e| SdkError::BadArgument(js_text(&e)))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| SdkError::BadArgument(e.to_string()))
}
