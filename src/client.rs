//! The HTTP client: JSON over `fetch`, with the server's error body turned
//! into a readable [`SdkError`].
//!
//! `fetch` from web-sys rather than a wrapper crate: it costs a few hundred
//! bytes of glue, where gloo-net would bring its own request builder.

use beckon_core::json::FromJson;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

use crate::error::{js_text, SdkError, SdkResult};

/// `POST {base}{path}` with a JSON body; the JSON answer read as `R`.
/// `keepalive` lets the request outlive the page (for the last events).
pub async fn post_json<T: Serialize, R: FromJson>(
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
pub async fn read_response<R: FromJson>(response: Response) -> SdkResult<R> {
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    read_answer(response.status(), json)
}

/// An answer already read: its status, and its body as `JSON.parse` gave
/// it (`None` when the body was not JSON). The loader reads its early boot
/// answer this way (see `js/loader.js`).
pub fn read_answer<R: FromJson>(status: u16, json: Option<JsValue>) -> SdkResult<R> {
    if !(200..300).contains(&status) {
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
    from_value(json_value(&json)?).map_err(SdkError::Server)
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

/// Reads JSON text (storage, other tabs) as `T`: the host's `JSON.parse`
/// (exact for every number), then [`from_value`].
pub fn from_json_str<T: FromJson>(text: &str) -> SdkResult<T> {
    let value = js_sys::JSON::parse(text).map_err(|e| SdkError::BadArgument(js_text(&e)))?;
    from_value(json_value(&value)?).map_err(SdkError::BadArgument)
}

/// Reads an argument of the app (options, attributes) as `T`, as its JSON:
/// `JSON.stringify` decides what the data is (a `Date` becomes its ISO text,
/// `undefined` and functions are left out, a cycle is an error), then the
/// same path as every other input ([`from_value`]). The error text names
/// the field and what was expected, e.g. ``invalid type: string "x",
/// expected u32``.
pub fn from_js<T: FromJson>(arg: &JsValue) -> Result<T, String> {
    let text = js_sys::JSON::stringify(arg).map_err(|e| js_text(&e))?;
    // `undefined` itself has no JSON text: it reads as `null`.
    let plain = match text.as_string() {
        Some(text) => js_sys::JSON::parse(&text).map_err(|e| js_text(&e))?,
        None => JsValue::NULL,
    };
    from_value(json_value(&plain).map_err(|e| e.describe())?)
}

/// Reads a JSON value as `T` ([`beckon_core::json`]). Every input of the SDK
/// goes through here, so each type's `Deserialize` code is in the wasm
/// once, for this one deserializer (serde-wasm-bindgen beside it cost about
/// 80 KB).
pub fn from_value<T: FromJson>(value: Value) -> Result<T, String> {
    beckon_core::json::from_value(value)
}

/// Deepest nesting read from the host, as serde_json's own limit: hostile
/// input cannot exhaust the stack.
const MAX_DEPTH: u32 = 128;

/// A JS value that came out of `JSON.parse` (or `response.json()`) as a
/// `serde_json::Value`. Numbers are taken as the host parsed them (exact);
/// integers that fit are kept as integers, as serde_json reads them from
/// text.
pub fn json_value(value: &JsValue) -> SdkResult<Value> {
    convert(value, 0).ok_or_else(|| SdkError::BadArgument("JSON nested too deeply".into()))
}

fn convert(v: &JsValue, depth: u32) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    if let Some(s) = v.as_string() {
        return Some(Value::String(s));
    }
    if let Some(n) = v.as_f64() {
        return Some(number(n));
    }
    if let Some(b) = v.as_bool() {
        return Some(Value::Bool(b));
    }
    if js_sys::Array::is_array(v) {
        let array: &js_sys::Array = v.unchecked_ref();
        let mut out = Vec::with_capacity(array.length() as usize);
        for item in array.iter() {
            out.push(convert(&item, depth + 1)?);
        }
        return Some(Value::Array(out));
    }
    if v.is_object() {
        let mut out = serde_json::Map::new();
        for entry in js_sys::Object::entries(v.unchecked_ref()).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            let key = entry.get(0).as_string().unwrap_or_default();
            out.insert(key, convert(&entry.get(1), depth + 1)?);
        }
        return Some(Value::Object(out));
    }
    Some(Value::Null)
}

/// A JS number as serde_json would read its JSON text: a whole number that
/// an `i64`/`u64` holds exactly is an integer; NaN and infinities (which
/// JSON writes as `null`) are `null`.
fn number(n: f64) -> Value {
    const SAFE: f64 = 9_007_199_254_740_991.0;
    if n.fract() == 0.0 && n.abs() <= SAFE {
        if n >= 0.0 {
            return Value::from(n as u64);
        }
        return Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
}
