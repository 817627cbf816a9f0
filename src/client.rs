//! The HTTP client: JSON over `fetch`, with the server's error body turned
//! into a readable [`SdkError`].
//!
//! `fetch` from web-sys rather than a wrapper crate: it costs a few hundred
//! bytes of glue, where gloo-net would bring its own request builder.

use beckon_core::json::text::parse;
use beckon_core::json::FromJson;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

use crate::error::{js_text, SdkError, SdkResult};

/// `POST {base}{path}` with a JSON body; the JSON answer read as `R`.
/// `keepalive` lets the request outlive the page (for the last events).
pub async fn post_json<T: Serialize, R: FromJson>(
    base: &str,
    path: &str,
    body: &T,
    keepalive: bool,
) -> SdkResult<R> {
    post(base, path, body, keepalive).await?.read()
}

/// `POST {base}{path}` with a JSON body: the answer, its body read as text.
pub async fn post<T: Serialize>(
    base: &str,
    path: &str,
    body: &T,
    keepalive: bool,
) -> SdkResult<Answer> {
    let text = to_json_string(body)?;
    let url = [base.trim_end_matches('/'), path].concat();
    let response = fetch(
        "POST",
        &url,
        &[("content-type", "application/json")],
        Some(&text),
        keepalive,
    )
    .await?;
    Ok(Answer::of(response).await)
}

/// `fetch(url, {method, headers, body, keepalive})`, the one place the SDK
/// calls it. Headers and init are plain objects, not `Headers` and
/// `Request`: the browser builds those itself, and the SDK's own would be
/// two more interfaces (their prototypes and wrappers) in the page's heap.
pub async fn fetch(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    keepalive: bool,
) -> SdkResult<Response> {
    let init = RequestInit::new();
    init.set_method(method);
    let names = js_sys::Object::new();
    for (name, value) in headers {
        // Setting a property of a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&names, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    init.set_headers(&names);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    if keepalive {
        // Not in this web-sys's RequestInit; every current browser has it.
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
    }
    let window = web_sys::window().ok_or_else(|| SdkError::Browser("no window".into()))?;
    // A malformed address rejects like a network failure; its message
    // names the address.
    JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| SdkError::Network(js_text(&e)))?
        .dyn_into()
        .map_err(|_| SdkError::Server("fetch gave no Response".into()))
}

/// Reads a `fetch` answer: its JSON as `R` when the status is 2xx, else
/// the server's error explanation as an [`SdkError`].
pub async fn read_response<R: FromJson>(response: Response) -> SdkResult<R> {
    Answer::of(response).await.read()
}

/// A server's answer with its body read: the status, and the body's text
/// (`None` when it could not be read). The loader reads its early boot
/// answer this way too (see `js/loader.js`).
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body, when it could be read.
    pub text: Option<String>,
    /// A 429's or 503's `Retry-After`, in ms.
    pub retry_after_ms: Option<u32>,
}

/// The longest wait a `Retry-After` may impose, so a misconfigured proxy
/// cannot silence the SDK for the rest of the page's life.
const MAX_RETRY_AFTER_MS: u32 = 10 * 60_000;

/// `Retry-After` in whole seconds (its date form is left to the backoff),
/// read through `Reflect` only on the rare answers that carry it: the
/// `Headers` interface is then built by the page on those alone.
fn retry_after_ms(response: &Response) -> Option<u32> {
    let headers = js_sys::Reflect::get(response, &"headers".into()).ok()?;
    let get: js_sys::Function = js_sys::Reflect::get(&headers, &"get".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let value = get
        .call1(&headers, &"retry-after".into())
        .ok()?
        .as_string()?;
    let seconds: u32 = value.trim().parse().ok()?;
    Some(seconds.saturating_mul(1000).min(MAX_RETRY_AFTER_MS))
}

impl Answer {
    /// Reads the body of `response`.
    async fn of(response: Response) -> Self {
        let text = match response.text() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .ok()
                .and_then(|t| t.as_string()),
            Err(_) => None,
        };
        let status = response.status();
        Answer {
            status,
            text,
            retry_after_ms: matches!(status, 429 | 503)
                .then(|| retry_after_ms(&response))
                .flatten(),
        }
    }

    /// The JSON as `R` when the status is 2xx, else the server's error
    /// explanation as an [`SdkError`].
    pub fn read<R: FromJson>(self) -> SdkResult<R> {
        let (json, _) = self.into_json()?;
        from_value(json).map_err(SdkError::Server)
    }

    /// The JSON and the text it was read from, when the status is 2xx;
    /// else the server's error explanation as an [`SdkError`].
    pub fn into_json(self) -> SdkResult<(Value, String)> {
        let status = self.status;
        let json = self.text.as_deref().and_then(|t| parse(t).ok());
        if !(200..300).contains(&status) {
            let detail = json
                .as_ref()
                .and_then(|j| j.get("message"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            if let Some(wait) = self.retry_after_ms {
                return Err(SdkError::Busy(status, wait, detail.to_owned()));
            }
            if (400..500).contains(&status) {
                return Err(SdkError::Refused(status, detail.to_owned()));
            }
            return Err(SdkError::Server(
                ["HTTP ", &status.to_string(), " ", detail].concat(),
            ));
        }
        match (json, self.text) {
            (Some(json), Some(text)) => Ok((json, text)),
            _ => Err(SdkError::Server(
                [
                    "HTTP ",
                    &status.to_string(),
                    " with a body that is not JSON",
                ]
                .concat(),
            )),
        }
    }
}

/// The JSON text of a serialisable value, written by serde_json with the
/// host's number formatting (see [`JsNumbers`]), so it reads exactly as
/// `JSON.stringify` of the same data would.
pub fn to_json_string<T: Serialize + ?Sized>(value: &T) -> SdkResult<String> {
    let mut out = Vec::with_capacity(128);
    value
        .serialize(&mut serde_json::Serializer::with_formatter(
            &mut out, JsNumbers,
        ))
        .map_err(|e| SdkError::BadArgument(e.to_string()))?;
    // serde_json writes only UTF-8.
    String::from_utf8(out).map_err(|e| SdkError::BadArgument(e.to_string()))
}

/// serde_json's compact output, except that floats are written by the
/// host's `Number.prototype.toString` (what `JSON.stringify` uses): exact
/// JavaScript text, and the wasm carries no float formatting of its own.
struct JsNumbers;

impl serde_json::ser::Formatter for JsNumbers {
    fn write_f32<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        value: f32,
    ) -> std::io::Result<()> {
        self.write_f64(w, f64::from(value))
    }

    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        w.write_all(beckon_core::condition::js_number(value).as_bytes())
    }
}

/// Reads JSON text (storage, other tabs, the update stream) as `T`, read
/// in the module as `JSON.parse` reads it ([`parse`]), then [`from_value`].
pub fn from_json_str<T: FromJson>(text: &str) -> SdkResult<T> {
    from_value(parse(text).map_err(SdkError::BadArgument)?).map_err(SdkError::BadArgument)
}

/// `JSON.stringify(value)` as if the page had not given arrays a `toJSON`.
/// Prototype.js 1.6 (still in some older apps) defines `Array.prototype.
/// toJSON` returning a string, so `JSON.stringify({tags: ["a"]})` says
/// `{"tags":"[\"a\"]"}`: attributes and event data lists would reach the
/// server as strings, and conditions on them fail. The property is set
/// aside for this one synchronous call and put back as it was.
pub fn stringify(value: &JsValue) -> Result<js_sys::JsString, JsValue> {
    ARRAY_PROTOTYPE.with(|proto| {
        let name = JsValue::from_str("toJSON");
        let own = js_sys::Reflect::get_own_property_descriptor(proto, &name)
            .ok()
            .filter(|d| !d.is_undefined());
        let set_aside =
            own.is_some() && js_sys::Reflect::delete_property(proto, &name).unwrap_or(false);
        let text = js_sys::JSON::stringify(value);
        if let (true, Some(descriptor)) = (set_aside, own) {
            let _ = js_sys::Reflect::define_property(proto, &name, descriptor.unchecked_ref());
        }
        text
    })
}

thread_local! {
    /// `Array.prototype`, looked up once: [`stringify`] runs for every
    /// `track` and `update`.
    static ARRAY_PROTOTYPE: js_sys::Object = js_sys::Object::get_prototype_of(&js_sys::Array::new());
}

/// Reads an argument of the app (options, attributes) as `T`, as its JSON:
/// `JSON.stringify` decides what the data is (a `Date` becomes its ISO text,
/// `undefined` and functions are left out, a cycle is an error), then the
/// same path as every other input ([`from_value`]). The error text names
/// the field and what was expected, e.g. ``invalid type: string "x",
/// expected u32``.
pub fn from_js<T: FromJson>(arg: &JsValue) -> Result<T, String> {
    from_js_within(arg, usize::MAX)
}

/// [`from_js`] for an argument whose JSON may be at most `max_bytes` long
/// (counted in UTF-16 units, as the page's strings are: near enough).
pub fn from_js_within<T: FromJson>(arg: &JsValue, max_bytes: usize) -> Result<T, String> {
    let text = stringify(arg).map_err(|e| js_text(&e))?;
    let length = text.length() as usize;
    if length > max_bytes {
        return Err([
            "its JSON is ",
            &length.div_ceil(1024).to_string(),
            " KB, more than the ",
            &(max_bytes / 1024).to_string(),
            " KB allowed",
        ]
        .concat());
    }
    // `undefined` itself has no JSON text: it reads as `null`.
    let value = match text.as_string() {
        Some(text) => parse(&text)?,
        None => Value::Null,
    };
    from_value(value)
}

/// Reads a JSON value as `T` ([`beckon_core::json`]). Every input of the SDK
/// goes through here, so each type's `Deserialize` code is in the wasm
/// once, for this one deserializer (serde-wasm-bindgen beside it cost about
/// 80 KB).
pub fn from_value<T: FromJson>(value: Value) -> Result<T, String> {
    beckon_core::json::from_value(value)
}
