//! The SDK's one error type. Errors are turned into a single console warning
//! at the JS edge ([`crate::api`]); they never reach the host page as
//! exceptions.

use wasm_bindgen::{JsCast, JsValue};

/// Everything the SDK can fail with.
#[derive(Debug)]
pub enum SdkError {
    /// The app called the API wrongly; the text names the argument.
    BadArgument(String),
    /// The server could not be reached.
    Network(String),
    /// The server answered with an error or with something unreadable.
    Server(String),
    /// The browser refused something (no document, no storage…).
    Browser(String),
    /// The server refused the request with a 4xx status; sending it again
    /// unchanged will not help (except 408 and 429, see
    /// [`SdkError::is_retryable`]).
    Refused(u16, String),
    /// The server asked to wait before trying again (a 429 or 503 with
    /// `Retry-After`): the status, the wait in ms, its explanation.
    Busy(u16, u32, String),
}

/// `Result` with [`SdkError`].
pub type SdkResult<T> = Result<T, SdkError>;

impl SdkError {
    /// The text of the console warning.
    pub fn describe(&self) -> String {
        match self {
            SdkError::BadArgument(m) => ["bad argument: ", m].concat(),
            SdkError::Network(m) => ["cannot reach the Beckon server: ", m].concat(),
            SdkError::Server(m) => ["the Beckon server answered badly: ", m].concat(),
            SdkError::Browser(m) => ["the browser refused: ", m].concat(),
            SdkError::Refused(status, m) => [
                "the Beckon server refused the request (HTTP ",
                &status.to_string(),
                "): ",
                m,
            ]
            .concat(),
            SdkError::Busy(status, _, m) => [
                "the Beckon server is busy (HTTP ",
                &status.to_string(),
                "): ",
                m,
            ]
            .concat(),
        }
    }

    /// How long the server asked to wait before trying again, in ms (0
    /// when it did not say).
    pub fn wait_ms(&self) -> u32 {
        match self {
            SdkError::Busy(_, ms, _) => *ms,
            _ => 0,
        }
    }

    /// Whether trying the same request later may succeed: network trouble,
    /// a 5xx, a timeout or a rate limit.
    pub fn is_retryable(&self) -> bool {
        match self {
            SdkError::Network(_) | SdkError::Server(_) | SdkError::Busy(..) => true,
            SdkError::Refused(status, _) => matches!(status, 408 | 429),
            SdkError::BadArgument(_) | SdkError::Browser(_) => false,
        }
    }
}

/// Text of a thrown JS value (an `Error`'s message, a string, or its JSON),
/// for warnings.
pub fn js_text(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return e.message().into();
    }
    if let Some(s) = value.as_string() {
        return s;
    }
    crate::client::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

/// Writes one `[Beckon] …` warning to the console.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&["[Beckon] ", message].concat()));
}
