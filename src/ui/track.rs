//! Keeps an anchored surface next to its element: finds the element by CSS
//! selector (in the document or the app's open shadow roots), waits for it
//! when it is not there yet, and calls back whenever it may have moved,
//! changed size, scrolled, or left the page, as floating-ui's `autoUpdate`
//! does (ancestor scroll, window resize, `ResizeObserver` on both the
//! anchor and the card), plus a `MutationObserver` for elements that come,
//! go or are re-rendered.
//!
//! Changes inside Beckon's own shadow roots are invisible to the document's
//! observer, so moving a card never triggers another update. DOM changes
//! are coalesced into one update per animation frame: on a page that
//! changes many times a frame (a live dashboard) measuring after each
//! change forced a layout of the page each time.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions, EventListenerPhase};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::position::{clip_within, clipping_ancestors, Rect};
use crate::error::{SdkError, SdkResult};
use crate::runtime::page::{query_deep, query_light, DomObserver, ShadowSearch};

/// Called with the anchor, or `None` when it is not in the page.
pub type OnMove = Rc<dyn Fn(Option<&Target>)>;

/// The element a surface points at, with its ancestors that clip what
/// overflows them (found once per element: reading their styles on every
/// scroll would cost a style recalculation each time).
#[derive(Clone)]
pub struct Target {
    /// The app's element.
    pub element: Element,
    clippers: Rc<[Element]>,
}

impl Target {
    fn new(element: Element) -> Self {
        let clippers = clipping_ancestors(&element).into();
        Self { element, clippers }
    }

    /// Where it can be seen, in viewport pixels: the viewport cut by the
    /// ancestors that clip it.
    pub fn clip(&self) -> Rect {
        clip_within(&self.clippers)
    }

    /// Its box, if the user can see any of it.
    pub fn visible_box(&self) -> Option<Rect> {
        let own = Rect::of(&self.element);
        own.is_visible_within(&self.clip()).then_some(own)
    }
}

impl PartialEq for Target {
    fn eq(&self, other: &Self) -> bool {
        self.element == other.element
    }
}

/// A `ResizeObserver`, disconnected on drop.
struct Resize {
    observer: web_sys::ResizeObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl Drop for Resize {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

struct State {
    selector: String,
    anchor: Option<Target>,
    resize: Option<Resize>,
    on_move: OnMove,
    /// An update is asked for the next animation frame.
    frame_pending: bool,
    /// Until when (ms) the anchor is measured at every frame: a CSS
    /// transition or animation on the page may be moving it.
    follow_until: f64,
    /// The frame-by-frame measuring runs.
    following: bool,
    /// How often the page's shadow roots may be searched for it.
    shadow: ShadowSearch,
}

/// Watches one selector; every observer and listener goes when dropped.
pub struct Tracker {
    state: Rc<RefCell<State>>,
    _dom: Option<DomObserver>,
    _listeners: [EventListener; 8],
}

impl Tracker {
    /// Starts watching `selector`; `card` (the floating element, if any) is
    /// observed for size changes too. Calls `on_move` once at once.
    pub fn new(selector: &str, card: Option<&Element>, on_move: OnMove) -> SdkResult<Self> {
        let state = Rc::new(RefCell::new(State {
            selector: selector.to_owned(),
            anchor: None,
            resize: None,
            on_move,
            frame_pending: false,
            follow_until: 0.0,
            following: false,
            shadow: ShadowSearch::default(),
        }));
        let update = {
            let state = Rc::downgrade(&state);
            move || {
                if let Some(s) = state.upgrade() {
                    refresh(&s);
                }
            }
        };
        let resize = {
            let update = update.clone();
            Closure::<dyn FnMut(js_sys::Array)>::new(move |_| update())
        };
        let window = web_sys::window().ok_or_else(|| SdkError::Browser("no window".into()))?;
        let document = window
            .document()
            .ok_or_else(|| SdkError::Browser("no document".into()))?;
        if let Ok(observer) = web_sys::ResizeObserver::new(resize.as_ref().unchecked_ref()) {
            if let Some(card) = card {
                observer.observe(card);
            }
            // The page growing or shrinking moves what is below the change:
            // an image above the anchor that loads late, a web font that
            // swaps in, a list that fills. The hotspot stayed where its
            // element had been before an image above it loaded.
            if let Some(body) = document.body() {
                observer.observe(&body);
            }
            state.borrow_mut().resize = Some(Resize {
                observer,
                _callback: resize,
            });
        }
        // Capture: scrolling of any container on the way to the anchor.
        let options = EventListenerOptions {
            passive: true,
            phase: EventListenerPhase::Capture,
        };
        let listen = |name: &'static str| {
            let update = update.clone();
            EventListener::new_with_options(&window, name, options, move |_| update())
        };
        // A transition or an animation moves elements without a DOM change
        // or a resize (a sidebar sliding, a panel opening): the anchor is
        // followed at every frame while they run, and measured once more
        // as they end. The hotspot of a nav item stayed where the item
        // was before the sidebar collapsed.
        let follow = |name: &'static str| {
            let state = Rc::downgrade(&state);
            EventListener::new_with_options(&window, name, options, move |_| {
                if let Some(s) = state.upgrade() {
                    follow_for_a_while(&s);
                }
            })
        };
        // An image or a frame that loads inside a box of fixed size moves
        // its neighbours without resizing the page. (`load` does not reach
        // the window: listened for on the document.)
        let loaded = {
            let state = Rc::downgrade(&state);
            EventListener::new_with_options(&document, "load", options, move |_| {
                if let Some(s) = state.upgrade() {
                    refresh_next_frame(&s);
                }
            })
        };
        let listeners = [
            listen("scroll"),
            listen("resize"),
            loaded,
            follow("transitionrun"),
            follow("transitionend"),
            follow("transitioncancel"),
            follow("animationstart"),
            follow("animationend"),
        ];
        let dom = {
            let state = Rc::downgrade(&state);
            DomObserver::start(move || {
                if let Some(s) = state.upgrade() {
                    refresh_next_frame(&s);
                }
            })
        };
        let tracker = Self {
            state,
            _dom: dom,
            _listeners: listeners,
        };
        refresh(&tracker.state);
        Ok(tracker)
    }

    /// Calls the callback now (after the card changed its content).
    pub fn refresh(&self) {
        refresh(&self.state);
    }
}

/// Asks for one [`refresh`] at the next animation frame, however many DOM
/// changes come before it. A tab in the background draws no frames: its
/// surfaces are placed when it is shown again.
fn refresh_next_frame(state: &Rc<RefCell<State>>) {
    let Ok(mut s) = state.try_borrow_mut() else {
        return;
    };
    if std::mem::replace(&mut s.frame_pending, true) {
        return;
    }
    drop(s);
    let weak = Rc::downgrade(state);
    let asked = at_next_frame(move || {
        if let Some(s) = weak.upgrade() {
            if let Ok(mut st) = s.try_borrow_mut() {
                st.frame_pending = false;
            }
            refresh(&s);
        }
    });
    if !asked {
        if let Ok(mut s) = state.try_borrow_mut() {
            s.frame_pending = false;
        }
        refresh(state);
    }
}

/// Runs `f` at the next animation frame; whether the browser took it. The
/// callback frees itself once called; a tracker dropped meanwhile leaves
/// it a no-op (it holds the state weakly).
fn at_next_frame(f: impl FnOnce() + 'static) -> bool {
    let callback = Closure::once_into_js(f);
    web_sys::window().is_some_and(|w| w.request_animation_frame(callback.unchecked_ref()).is_ok())
}

/// How long after a transition or an animation starts or ends the anchor
/// is measured at every frame (most UI transitions take under half of it;
/// a longer one is measured again as it ends).
const FOLLOW_MS: f64 = 1000.0;

/// Measures the anchor at every animation frame for the next
/// [`FOLLOW_MS`]: a transition or an animation on the page has started or
/// ended. Endless animations (a spinner) start once, so they cost one
/// second of it, not every frame for as long as they turn.
fn follow_for_a_while(state: &Rc<RefCell<State>>) {
    let Ok(mut s) = state.try_borrow_mut() else {
        return;
    };
    s.follow_until = js_sys::Date::now() + FOLLOW_MS;
    if std::mem::replace(&mut s.following, true) {
        return;
    }
    drop(s);
    follow_next_frame(Rc::downgrade(state));
}

fn follow_next_frame(weak: std::rc::Weak<RefCell<State>>) {
    let again = weak.clone();
    let asked = at_next_frame(move || {
        let Some(s) = again.upgrade() else { return };
        refresh(&s);
        let more = match s.try_borrow_mut() {
            Ok(mut st) => {
                st.following = js_sys::Date::now() < st.follow_until;
                st.following
            }
            Err(_) => true,
        };
        if more {
            follow_next_frame(again);
        }
    });
    if !asked {
        if let Some(s) = weak.upgrade() {
            if let Ok(mut st) = s.try_borrow_mut() {
                st.following = false;
            }
        }
    }
}

/// Looks for the missing anchor: in the document at every update, in the
/// page's open shadow roots as often as [`ShadowSearch`] allows.
fn look_for(state: &Rc<RefCell<State>>, s: &mut State) -> Option<Element> {
    if let Some(found) = query_light(&s.selector) {
        return Some(found);
    }
    let weak = Rc::downgrade(state);
    let now = s.shadow.may_search(move || {
        if let Some(st) = weak.upgrade() {
            refresh(&st);
        }
    });
    now.then(|| query_deep(&s.selector, |_| {})).flatten()
}

/// Finds the anchor again if it left the page, re-targets the
/// `ResizeObserver` when it changed, and reports.
fn refresh(state: &Rc<RefCell<State>>) {
    let (anchor, on_move) = {
        let Ok(mut s) = state.try_borrow_mut() else {
            return;
        };
        let still_there = s.anchor.as_ref().is_some_and(|a| a.element.is_connected());
        if !still_there {
            let found = look_for(state, &mut s);
            if found.as_ref() != s.anchor.as_ref().map(|a| &a.element) {
                if let Some(r) = &s.resize {
                    if let Some(old) = &s.anchor {
                        r.observer.unobserve(&old.element);
                    }
                    if let Some(new) = &found {
                        r.observer.observe(new);
                    }
                }
                s.anchor = found.map(Target::new);
            }
        }
        (s.anchor.clone(), s.on_move.clone())
    };
    on_move(anchor.as_ref());
}
