//! The JS-facing surface, all in one place. The loader (`js/loader.js`)
//! calls [`configure`] once and then [`command`] for every `Beckon(...)`
//! call. Nothing here throws: a bad call becomes one console warning that
//! names the argument, and `boot` resolves to `{ok, error?}` instead of
//! rejecting.

use std::cell::RefCell;

use beckon_core::protocol::MAX_EVENT_NAME_BYTES;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{warn, SdkError};
use crate::runtime::{self, debug, listeners, with_runtime, BootOptions, Defaults};

/// The JSON of the attributes one `boot` or `update` may carry. The server
/// takes 256 KB a request and answered a bigger one with a bare 413; this
/// says at the call what is too big. (Intercom's limits, 250 attributes of
/// 255 characters, come to about as much.)
const MAX_ATTRIBUTES_BYTES: usize = 64 * 1024;

/// Every command `Beckon(name, …)` knows.
pub const COMMANDS: &[&str] = &[
    "boot",
    "update",
    "track",
    "page",
    "shutdown",
    "show",
    "hide",
    "showNewMessage",
    "showArticle",
    "startTour",
    "startChecklist",
    "on",
    "debug",
    "status",
];

thread_local! {
    /// Calls made before `boot` has set the runtime up, replayed after.
    static PENDING: RefCell<Vec<(String, JsValue, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// Defaults read by the loader from its script tag (`data-app-id`,
/// `data-api-base`).
#[wasm_bindgen]
pub fn configure(defaults: JsValue) {
    match crate::client::from_js::<Defaults>(&defaults) {
        Ok(d) => runtime::set_defaults(d),
        Err(e) => warn(&["loader defaults: ", &e].concat()),
    }
}

/// The loader's early boot request: `key` names the user it is for, as
/// `JSON.stringify([app_id, user_id, anonymous_id, email, user_hash,
/// user_jwt, attributes])`, and `response` the pending answer as
/// `{status, text}`, its body already read.
#[wasm_bindgen]
pub fn prefetched(key: String, response: js_sys::Promise) {
    runtime::set_prefetch(key, response);
}

/// Makes a typo such as `userId` a warning that names it and lists the
/// known options, before the options are read.
fn reject_unknown_keys(arg: &JsValue, command: &str, known: &[&str]) -> Result<(), SdkError> {
    if !arg.is_object() {
        return Err(SdkError::BadArgument(
            [command, ": expected an object of options"].concat(),
        ));
    }
    let keys = js_sys::Object::keys(arg.unchecked_ref::<js_sys::Object>());
    for key in keys.iter().filter_map(|k| k.as_string()) {
        if !known.contains(&key.as_str()) {
            return Err(SdkError::BadArgument(
                [
                    command,
                    ": unknown field `",
                    &key,
                    "`, expected one of: ",
                    &known.join(", "),
                ]
                .concat(),
            ));
        }
    }
    Ok(())
}

fn result(ok: bool, error: Option<&str>) -> JsValue {
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"ok".into(), &JsValue::from_bool(ok));
    if let Some(e) = error {
        let _ = js_sys::Reflect::set(&obj, &"error".into(), &JsValue::from_str(e));
    }
    obj.into()
}

fn bad(message: String) -> JsValue {
    warn(&SdkError::BadArgument(message).describe());
    JsValue::UNDEFINED
}

/// A JSON object argument (attributes, metadata); `undefined` is empty.
/// Its JSON may be at most `max_bytes` long.
fn object_arg(
    arg: &JsValue,
    command: &str,
    what: &str,
    max_bytes: usize,
) -> Result<Map<String, Value>, String> {
    if arg.is_undefined() || arg.is_null() {
        return Ok(Map::new());
    }
    if !arg.is_object() || js_sys::Array::is_array(arg) {
        return Err([command, ": ", what, " must be an object"].concat());
    }
    crate::client::from_js_within::<Map<String, Value>>(arg, max_bytes)
        .map_err(|e| [command, ": ", what, ": ", &e].concat())
}

/// A non-empty string argument.
fn string_arg(arg: &JsValue, command: &str, what: &str) -> Result<String, String> {
    arg.as_string()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| [command, ": ", what, " must be a non-empty string"].concat())
}

/// `Beckon(name, arg, arg2)`: runs one command of the public API.
#[wasm_bindgen]
pub fn command(name: &str, arg: JsValue, arg2: JsValue) -> JsValue {
    match name {
        "boot" => boot(arg),
        "on" => match arg.as_string() {
            Some(event) => listeners::subscribe(&event, arg2),
            None => bad("on: the first argument must be an event name".into()),
        },
        "debug" => {
            debug::set(arg.is_undefined() || arg.is_truthy());
            with_runtime(|rt| rt.evaluate());
            JsValue::UNDEFINED
        }
        "shutdown" => {
            PENDING.with(|p| p.borrow_mut().clear());
            runtime::shutdown(true);
            JsValue::UNDEFINED
        }
        "status" => runtime::status(),
        known if COMMANDS.contains(&known) => {
            let ran = with_runtime(|_| ()).is_some();
            if ran {
                run(name, &arg, &arg2)
            } else {
                // Before boot (or while it starts): kept and replayed.
                PENDING.with(|p| p.borrow_mut().push((name.to_owned(), arg, arg2)));
                JsValue::UNDEFINED
            }
        }
        other => bad([
            "unknown command `",
            other,
            "`, expected one of: ",
            &COMMANDS.join(", "),
        ]
        .concat()),
    }
}

/// Replays the calls made before the runtime was ready.
pub(crate) fn drain_pending() {
    let pending = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    for (name, arg, arg2) in pending {
        run(&name, &arg, &arg2);
    }
}

/// The commands that need a booted runtime.
fn run(name: &str, arg: &JsValue, arg2: &JsValue) -> JsValue {
    let outcome: Result<(), String> = match name {
        "update" => object_arg(arg, "update", "attributes", MAX_ATTRIBUTES_BYTES)
            .map(|attrs| with_runtime(|rt| rt.update(attrs)).unwrap_or_default()),
        "track" => string_arg(arg, "track", "the event name").and_then(|event| {
            if event.len() > MAX_EVENT_NAME_BYTES {
                return Err([
                    "track: the event name is ",
                    &event.len().to_string(),
                    " bytes, more than the ",
                    &MAX_EVENT_NAME_BYTES.to_string(),
                    " allowed",
                ]
                .concat());
            }
            // Refused here, with the reason, rather than by the server
            // along with the batch it would be sent in.
            let data = object_arg(
                arg2,
                "track",
                "metadata",
                runtime::outbox::MAX_METADATA_BYTES,
            )?;
            with_runtime(|rt| rt.track(&event, data));
            Ok(())
        }),
        "page" => {
            with_runtime(|rt| rt.page());
            Ok(())
        }
        "startTour" | "startChecklist" => string_arg(arg, name, "the message id").map(|id| {
            with_runtime(|rt| rt.start(&id));
        }),
        "show" | "hide" | "showNewMessage" | "showArticle" => {
            with_runtime(|rt| rt.messenger_command(name, arg));
            Ok(())
        }
        _ => Ok(()),
    };
    if let Err(message) = outcome {
        bad(message);
    }
    JsValue::UNDEFINED
}

fn boot(arg: JsValue) -> JsValue {
    let options = if arg.is_undefined() || arg.is_null() {
        Ok(BootOptions::default())
    } else {
        reject_unknown_keys(&arg, "boot", BootOptions::FIELDS)
            .and_then(|()| {
                let attributes =
                    js_sys::Reflect::get(&arg, &"attributes".into()).unwrap_or(JsValue::UNDEFINED);
                object_arg(&attributes, "boot", "attributes", MAX_ATTRIBUTES_BYTES)
                    .map(drop)
                    .map_err(SdkError::BadArgument)
            })
            .and_then(|()| {
                crate::client::from_js::<BootOptions>(&arg)
                    .map_err(|e| SdkError::BadArgument(["boot: ", &e].concat()))
            })
    };
    let promise = wasm_bindgen_futures::future_to_promise(async move {
        let outcome = match options {
            Ok(options) => runtime::boot(options).await,
            Err(e) => Err(e),
        };
        Ok(match outcome {
            Ok(()) => result(true, None),
            Err(e) => {
                let text = e.describe();
                warn(&text);
                result(false, Some(&text))
            }
        })
    });
    promise.into()
}
