//! Keeps the launcher and the panel above a bar fixed along the bottom of
//! the page (a bottom banner). Both sit in the bottom corner, so without
//! this the launcher covered the banner's end, its dismiss button
//! included. The bar's height is followed with a `ResizeObserver` (its
//! text wraps differently as the window narrows) into the wrap's
//! `--bk-lift`, which the stylesheet adds to their `bottom`.

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ResizeObserver};

use crate::dom::set_style;

/// Follows one bar; the observer is disconnected on drop.
pub struct Lift {
    bar: HtmlElement,
    observer: ResizeObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl Drop for Lift {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

impl Lift {
    /// Lifts `wrap` by `bar`'s height now and whenever it changes (to 0
    /// when it leaves the page). `None` when the browser has no
    /// `ResizeObserver`: the lift is then set once.
    pub fn follow(bar: &HtmlElement, wrap: &Element) -> Option<Self> {
        set(wrap, height(bar));
        let (b, w) = (bar.clone(), wrap.clone());
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_| set(&w, height(&b)));
        let observer = ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(bar);
        Some(Self {
            bar: bar.clone(),
            observer,
            _callback: callback,
        })
    }

    /// Whether this follows `bar` already.
    pub fn follows(&self, bar: &HtmlElement) -> bool {
        &self.bar == bar
    }
}

/// The bar's height in whole pixels; 0 once it has left the page.
fn height(bar: &HtmlElement) -> u32 {
    if !bar.is_connected() {
        return 0;
    }
    crate::dom::clamp(
        bar.get_bounding_client_rect().height().ceil(),
        0.0,
        10_000.0,
    ) as u32
}

/// Sets the lift of `wrap` to `px`.
pub fn set(wrap: &Element, px: u32) {
    set_style(
        wrap,
        &[("--bk-lift", &[px.to_string(), "px".to_owned()].concat())],
    );
}
