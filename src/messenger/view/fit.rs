//! Keeps the full-screen panel (phones) inside the part of the page the
//! user sees.
//!
//! On a phone the on-screen keyboard shrinks only the *visual* viewport
//! (Chrome's default since version 108, and Safari's): a panel fixed to the
//! whole layout viewport keeps its composer under the keyboard, or the
//! browser pans the page and the header goes off the top. While the panel
//! is open, this follows `window.visualViewport` and gives the panel its
//! offset and size as `--bk-vv-*` variables with the class `fit`; the
//! stylesheet uses them only under 480px, where the panel is full screen.
//! Read through `Reflect` rather than web-sys's `VisualViewport`, which
//! would add bindings for four numbers.

use gloo_events::EventListener;
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, EventTarget};

use crate::dom::set_style;

/// Following the visual viewport; dropping it stops.
pub struct Fit {
    _listeners: [EventListener; 2],
}

impl Fit {
    /// Starts fitting `panel`, or `None` where the browser has no
    /// `visualViewport`.
    pub fn follow(panel: &Element) -> Option<Self> {
        let window = web_sys::window()?;
        let vv = Reflect::get(&window, &"visualViewport".into())
            .ok()
            .filter(JsValue::is_object)?;
        let target: EventTarget = vv.clone().unchecked_into();
        fit(panel, &vv);
        let on = |name: &'static str| {
            let (panel, vv) = (panel.clone(), vv.clone());
            EventListener::new(&target, name, move |_| fit(&panel, &vv))
        };
        let listeners = [on("resize"), on("scroll")];
        let _ = panel.class_list().add_1("fit");
        Some(Self {
            _listeners: listeners,
        })
    }
}

/// Writes the visual viewport's offset and size onto `panel`.
fn fit(panel: &Element, vv: &JsValue) {
    let px = |name: &str| {
        let v = Reflect::get(vv, &name.into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        // Whole pixels: formatting an f64 would bring Rust's float
        // formatting into the wasm.
        [(v.round() as i32).to_string(), "px".to_owned()].concat()
    };
    set_style(
        panel,
        &[
            ("--bk-vv-top", &px("offsetTop")),
            ("--bk-vv-left", &px("offsetLeft")),
            ("--bk-vv-w", &px("width")),
            ("--bk-vv-h", &px("height")),
        ],
    );
}
