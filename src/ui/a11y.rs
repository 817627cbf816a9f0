//! Keyboard and screen-reader behaviour shared by the surfaces, after the
//! WAI-ARIA Authoring Practices: a modal dialog keeps Tab inside itself,
//! Escape closes, and focus goes back where it was when the surface closes.

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

use crate::dom::document;

/// What Tab can reach inside a surface.
const FOCUSABLE: &str =
    "a[href],button:not([disabled]),input:not([disabled]),[tabindex]:not([tabindex='-1'])";

/// The element that has focus, looking through open shadow roots (the
/// document only reports the outermost host).
pub fn active_element() -> Option<Element> {
    let mut el = document().ok()?.active_element()?;
    while let Some(inner) = el.shadow_root().and_then(|r| r.active_element()) {
        el = inner;
    }
    Some(el)
}

/// Moves focus to `el` if it is an HTML element.
pub fn focus(el: &Element) {
    if let Some(el) = el.dyn_ref::<HtmlElement>() {
        let _ = el.focus();
    }
}

/// Remembers the focused element and gives focus back to it when dropped,
/// if it is still in the page and focus is not somewhere the user chose in
/// the meantime (inside the page, outside Beckon).
pub struct ReturnFocus(Option<Element>);

impl ReturnFocus {
    /// Remembers what has focus now.
    pub fn remember() -> Self {
        Self(active_element())
    }
}

impl Drop for ReturnFocus {
    fn drop(&mut self) {
        let Some(el) = self.0.take() else { return };
        let lost = match document().ok().and_then(|d| d.active_element()) {
            None => true,
            Some(now) => {
                now.has_attribute(crate::dom::HOST_ATTRIBUTE)
                    || document().ok().and_then(|d| d.body()).is_some_and(|b| {
                        let b: &Element = b.as_ref();
                        b == &now
                    })
            }
        };
        if lost && el.is_connected() {
            focus(&el);
        }
    }
}

/// Keeps Tab and Shift+Tab cycling inside `container` (a modal dialog).
pub fn trap_focus(container: &Element) -> EventListener {
    let box_ = container.clone();
    EventListener::new(container, "keydown", move |e| {
        let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
            return;
        };
        if e.key() != "Tab" {
            return;
        }
        let Ok(list) = box_.query_selector_all(FOCUSABLE) else {
            return;
        };
        let n = list.length();
        let item = |i: u32| list.item(i).and_then(|n| n.dyn_into::<Element>().ok());
        let (Some(first), Some(last)) = (item(0), item(n.saturating_sub(1))) else {
            e.prevent_default();
            return;
        };
        let now = active_element();
        let at_edge = if e.shift_key() {
            now.as_ref() == Some(&first) || now.as_ref() == Some(&box_)
        } else {
            now.as_ref() == Some(&last)
        };
        if at_edge {
            e.prevent_default();
            focus(if e.shift_key() { &last } else { &first });
        }
    })
}

/// Calls `f` when Escape is pressed while focus is inside `target`.
pub fn on_escape(target: &Element, f: impl Fn() + 'static) -> EventListener {
    escape_dyn(target, Box::new(f))
}

fn escape_dyn(target: &Element, f: Box<dyn Fn()>) -> EventListener {
    EventListener::new(target, "keydown", move |e| {
        if let Some(k) = e.dyn_ref::<KeyboardEvent>() {
            if k.key() == "Escape" {
                k.stop_propagation();
                f();
            }
        }
    })
}

/// A visually hidden polite live region inside a surface: screen readers
/// read what it is given. The text is set a moment after the region is in
/// the page, because a region inserted together with its text is not
/// announced by every screen reader.
pub struct Announcer {
    region: Element,
    _pending: Option<gloo_timers::callback::Timeout>,
}

impl Announcer {
    /// Adds the (empty) region to `parent`.
    pub fn new(doc: &web_sys::Document, parent: &Element) -> crate::SdkResult<Self> {
        let region = crate::dom::element(doc, "div", "sr", None)?;
        super::attr(&region, "role", "status");
        super::add(parent, &region);
        Ok(Self {
            region,
            _pending: None,
        })
    }

    /// Announces `text` (replacing what was said before).
    pub fn say(&mut self, text: String) {
        let region = self.region.clone();
        region.set_text_content(None);
        self._pending = Some(gloo_timers::callback::Timeout::new(150, move || {
            region.set_text_content(Some(&text));
        }));
    }

    /// Empties the region (the thing announced closed).
    pub fn clear(&mut self) {
        self._pending = None;
        self.region.set_text_content(None);
    }
}
