//! The JS-facing surface, all in one place. The loader (`js/loader.js`)
//! calls [`configure`] once and then [`command`] for every `Beckon(...)`
//! call. Nothing here throws: a bad call becomes one console warning, and
//! `boot` resolves to `{ok, error?}` instead of rejecting.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{warn, SdkError};
use crate::runtime::{self, BootOptions, Defaults};

/// Defaults read by the loader from its script tag (`data-app-id`,
/// `data-api-base`).
#[wasm_bindgen]
pub fn configure(defaults: JsValue) {
    match serde_wasm_bindgen::from_value::<Defaults>(defaults) {
        Ok(d) => runtime::set_defaults(d),
        Err(e) => warn(&["loader defaults: ", &e.to_string()].concat()),
    }
}

/// serde-wasm-bindgen reads only the fields a struct names, so
/// `deny_unknown_fields` never fires on a JS object; this check makes a typo
/// such as `userId` a warning that names it.
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

/// `Beckon(name, arg)`: runs one command of the public API.
#[wasm_bindgen]
pub fn command(name: &str, arg: JsValue) -> JsValue {
    match name {
        "boot" => {
            let options = if arg.is_undefined() || arg.is_null() {
                Ok(BootOptions::default())
            } else {
                reject_unknown_keys(&arg, "boot", BootOptions::FIELDS).and_then(|()| {
                    serde_wasm_bindgen::from_value::<BootOptions>(arg)
                        .map_err(|e| SdkError::BadArgument(["boot: ", &e.to_string()].concat()))
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
        "shutdown" => {
            runtime::shutdown(true);
            JsValue::UNDEFINED
        }
        other => {
            warn(&["unknown command: ", other].concat());
            JsValue::UNDEFINED
        }
    }
}
