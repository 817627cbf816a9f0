//! Keeps what sits in the bottom corners above a bar fixed along the bottom
//! of the page (a bottom banner): the messenger's launcher and panel, the
//! checklist, a corner post. Without it they covered the bar's ends, its
//! title and its dismiss button included. The bar's height is followed with
//! a `ResizeObserver` (its text wraps differently as the window narrows)
//! into `--bk-lift` on each of them, which their stylesheets add to their
//! `bottom`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ResizeObserver};

use crate::dom::set_style;

/// Follows one bar for a set of corner elements; the observer is
/// disconnected on drop.
pub struct Lift {
    bar: HtmlElement,
    corners: Rc<RefCell<Vec<Element>>>,
    /// The bar's height as last measured.
    px: Rc<Cell<u32>>,
    observer: Option<ResizeObserver>,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl Drop for Lift {
    fn drop(&mut self) {
        if let Some(o) = &self.observer {
            o.disconnect();
        }
        lift_all(&self.corners.borrow(), 0);
    }
}

impl Lift {
    /// Lifts `corners` by `bar`'s height now and whenever it changes (to 0
    /// when it leaves the page). Without `ResizeObserver` the lift is set
    /// once.
    pub fn follow(bar: &HtmlElement, corners: Vec<Element>) -> Self {
        let corners = Rc::new(RefCell::new(corners));
        let px = Rc::new(Cell::new(0));
        let (b, c, p) = (bar.clone(), Rc::clone(&corners), Rc::clone(&px));
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_| {
            p.set(height(&b));
            lift_all(&c.borrow(), p.get());
        });
        // The observer reports the bar's size once after it is observed,
        // in the frame's layout step: measuring it here instead would force
        // a layout before the first message is painted.
        let observer = ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
        match &observer {
            Some(o) => o.observe(bar),
            None => {
                px.set(height(bar));
                lift_all(&corners.borrow(), px.get());
            }
        }
        Self {
            bar: bar.clone(),
            corners,
            px,
            observer,
            _callback: callback,
        }
    }

    /// Whether this follows `bar` already.
    pub fn follows(&self, bar: &HtmlElement) -> bool {
        &self.bar == bar
    }

    /// Lifts these corners from now on; ones no longer in the list are
    /// put back down.
    pub fn set_corners(&self, corners: Vec<Element>) {
        lift_all(&corners, self.px.get());
        // The observer's callback, the only other reader, runs from the
        // event loop and never inside this call, so the borrow is free.
        let Ok(mut current) = self.corners.try_borrow_mut() else {
            return;
        };
        for old in current.iter().filter(|old| !corners.contains(old)) {
            set(old, 0);
        }
        *current = corners;
    }
}

/// The bar's height in whole pixels of its own (the corners are in the
/// same zoomed box, if the page zooms); 0 once it has left the page.
fn height(bar: &HtmlElement) -> u32 {
    if !bar.is_connected() {
        return 0;
    }
    let zoom = super::position::css_zoom(bar);
    crate::dom::clamp(
        (bar.get_bounding_client_rect().height() / zoom).ceil(),
        0.0,
        10_000.0,
    ) as u32
}

/// Sets the lift of each of `corners` to `px`.
fn lift_all(corners: &[Element], px: u32) {
    for corner in corners {
        set(corner, px);
    }
}

/// Sets the lift of `corner` to `px`.
fn set(corner: &Element, px: u32) {
    set_style(
        corner,
        &[("--bk-lift", &[px.to_string(), "px".to_owned()].concat())],
    );
}
