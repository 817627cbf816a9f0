//! The JS-facing surface, all in one place. The loader (`js/loader.js`)
//! calls [`configure`] once and then [`command`] for every `Beckon(...)`
//! call. Nothing here throws: a bad call becomes one console warning, and
//! `boot` resolves to `{ok, error?}` instead of rejecting.

use wasm_bindgen::prelude::*;

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
                serde_wasm_bindgen::from_value::<BootOptions>(arg)
                    .map_err(|e| SdkError::BadArgument(["boot: ", &e.to_string()].concat()))
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
