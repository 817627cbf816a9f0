//! Keeps Beckon's host elements in the page when the page replaces its
//! `<body>` or empties it.
//!
//! Turbo (the default of Rails apps), pjax and some frameworks navigate by
//! swapping the body for the next page's, or by rewriting its content. The
//! hosts the SDK appended to the old body went with it: the messenger's
//! launcher was gone after the first such navigation, and every message
//! drawn after it was drawn into a detached body. One `MutationObserver`
//! watches the root element's and the body's children (not their
//! subtrees, so a page's own rendering costs nothing) and puts back every
//! host that is no longer in the document, in the body there is now.
//!
//! A page that removes them on purpose again and again is not fought:
//! after [`MAX_PUT_BACK`] puts back within a second, it stops, with one
//! warning.

use std::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, MutationObserver, MutationObserverInit};

use crate::error::warn;

/// Puts back within one second after which the keeper gives up.
const MAX_PUT_BACK: u32 = 50;

struct Keeper {
    hosts: Vec<HtmlElement>,
    observer: MutationObserver,
    _callback: Closure<dyn FnMut(js_sys::Array, MutationObserver)>,
    /// The body being watched, to watch a new one when it is replaced.
    body: Option<HtmlElement>,
    /// Puts back in the current second: (second's start ms, count).
    recent: (f64, u32),
    gave_up: bool,
}

thread_local! {
    static KEEPER: RefCell<Option<Keeper>> = const { RefCell::new(None) };
}

/// Keeps `host` (appended to the body) in the page until [`release`].
pub fn keep(host: &HtmlElement) {
    KEEPER.with(|k| {
        let Ok(mut keeper) = k.try_borrow_mut() else {
            return;
        };
        if keeper.is_none() {
            *keeper = start();
        }
        if let Some(keeper) = keeper.as_mut() {
            keeper.hosts.push(host.clone());
        }
    });
}

/// Stops keeping `host`; the observer goes with the last one.
pub fn release(host: &HtmlElement) {
    KEEPER.with(|k| {
        let Ok(mut keeper) = k.try_borrow_mut() else {
            return;
        };
        if let Some(kept) = keeper.as_mut() {
            kept.hosts.retain(|h| h != host);
            if kept.hosts.is_empty() {
                kept.observer.disconnect();
                *keeper = None;
            }
        }
    });
}

fn start() -> Option<Keeper> {
    let callback = Closure::<dyn FnMut(js_sys::Array, MutationObserver)>::new(|_, _| put_back());
    let observer = MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    let root = crate::dom::document().ok()?.document_element()?;
    let _ = observer.observe_with_options(&root, &children_only());
    let mut keeper = Keeper {
        hosts: Vec::new(),
        observer,
        _callback: callback,
        body: None,
        recent: (0.0, 0),
        gave_up: false,
    };
    keeper.watch_body();
    Some(keeper)
}

fn children_only() -> MutationObserverInit {
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init
}

impl Keeper {
    /// Watches the document's current body, if it is not watched yet.
    fn watch_body(&mut self) {
        let body = crate::dom::document().ok().and_then(|d| d.body());
        if body.is_some() && body != self.body {
            if let Some(b) = &body {
                let _ = self.observer.observe_with_options(b, &children_only());
            }
            self.body = body;
        }
    }
}

/// Puts every kept host that left the document back into its body.
fn put_back() {
    KEEPER.with(|k| {
        let Ok(mut keeper) = k.try_borrow_mut() else {
            return;
        };
        let Some(keeper) = keeper.as_mut() else {
            return;
        };
        if keeper.gave_up {
            return;
        }
        keeper.watch_body();
        let Some(body) = keeper.body.clone() else {
            return;
        };
        let now = js_sys::Date::now();
        let mut modal = None;
        for host in keeper.hosts.iter().filter(|h| !h.is_connected()) {
            if now - keeper.recent.0 > 1000.0 {
                keeper.recent = (now, 0);
            }
            keeper.recent.1 += 1;
            if keeper.recent.1 > MAX_PUT_BACK {
                keeper.gave_up = true;
                warn("the page keeps removing Beckon's elements; they are no longer put back");
                return;
            }
            let _ = body.append_child(host);
            modal = modal.or_else(|| {
                host.shadow_root()?
                    .query_selector("[aria-modal=true]")
                    .ok()
                    .flatten()
            });
        }
        // A modal dialog had focus, which left with the old body: it gets
        // it back (its focus trap and Escape work on focus inside it).
        if let Some(dialog) = modal {
            let lost = crate::dom::document()
                .ok()
                .and_then(|d| d.active_element())
                .is_none_or(|el| el == *body.as_ref());
            if lost {
                crate::ui::a11y::focus(&dialog);
            }
        }
    });
}
