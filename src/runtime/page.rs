//! What the SDK watches in the page: route changes of single-page apps,
//! scrolling, the pointer leaving for the browser's chrome, user input,
//! clicks and hovers on elements triggers name, elements appearing, the
//! page being hidden, the network coming back.
//!
//! Every listener and observer is held in a guard here, so dropping the
//! watcher (at `shutdown`) removes all of them; nothing is patched on the
//! page's globals except `history.pushState`/`replaceState` in browsers
//! without the Navigation API, and those are put back on drop unless
//! another script has wrapped them since ([`HistoryHook`] says why).

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A change the runtime reacts to.
pub enum Signal {
    /// The URL may have changed (history, hash, Navigation API, `page()`).
    Route,
    /// The page, or an element in it, scrolled.
    Scroll(web_sys::Event),
    /// The pointer left towards the browser's chrome.
    ExitIntent,
    /// Pointer or wheel input.
    Input,
    /// A key pressed anywhere in the page.
    Key,
    /// A click anywhere; the runtime matches trigger selectors on its path.
    Click(web_sys::Event),
    /// The pointer entered an element.
    Hover(web_sys::Event),
    /// The DOM changed while an element trigger waits.
    Mutation,
    /// The page was hidden: send what is queued.
    Hidden,
    /// The page is being unloaded or put in the back-forward cache: send
    /// what is queued, and the other tabs may take this one's messages.
    Leaving,
    /// The page came back from the back-forward cache.
    Back,
    /// The page is visible again (the user came back to this tab).
    Visible,
    /// The browser is online again.
    Online,
}

type Handler = std::rc::Rc<dyn Fn(Signal)>;

/// Whether the page is hidden (a background tab, a minimised window).
pub fn page_hidden() -> bool {
    crate::dom::document().is_ok_and(|d| d.hidden())
}

/// Whether focus is in a field of the page the user types into: a text
/// input, a textarea, an editable element (shadow roots included).
pub fn focus_in_field() -> bool {
    let Some(el) = crate::ui::a11y::active_element() else {
        return false;
    };
    if el
        .dyn_ref::<web_sys::HtmlElement>()
        .is_some_and(web_sys::HtmlElement::is_content_editable)
    {
        return true;
    }
    match el.tag_name().as_str() {
        "TEXTAREA" => true,
        "INPUT" => !matches!(
            el.get_attribute("type")
                .unwrap_or_default()
                .to_ascii_lowercase()
                .as_str(),
            "button"
                | "submit"
                | "reset"
                | "checkbox"
                | "radio"
                | "range"
                | "color"
                | "file"
                | "image"
                | "hidden"
        ),
        _ => false,
    }
}

/// Whether the page shows a modal dialog of its own: a `<dialog>` opened
/// with `showModal()`, or a rendered element marked `aria-modal="true"`
/// (the dialogs of React, Vue and the like; some libraries keep a closed
/// one in the page, hidden). Beckon's own are in shadow roots, which the
/// document's query does not enter.
pub fn dialog_open() -> bool {
    let Ok(doc) = crate::dom::document() else {
        return false;
    };
    if doc.query_selector("dialog:modal").ok().flatten().is_some() {
        return true;
    }
    let Ok(marked) = doc.query_selector_all("[aria-modal=true]") else {
        return false;
    };
    (0..marked.length())
        .filter_map(|i| marked.item(i)?.dyn_into::<web_sys::Element>().ok())
        .any(|el| {
            let r = el.get_bounding_client_rect();
            r.width() > 0.0 && r.height() > 0.0
        })
}

/// The page's listeners, removed on drop.
pub struct PageWatcher {
    _listeners: Vec<EventListener>,
    _history: Option<HistoryPatch>,
}

impl PageWatcher {
    /// Starts watching; every signal goes to `handler`.
    pub fn start(handler: impl Fn(Signal) + 'static) -> Option<Self> {
        let window = web_sys::window()?;
        let document = window.document()?;
        let handler: Handler = std::rc::Rc::new(handler);
        let passive = EventListenerOptions {
            phase: gloo_events::EventListenerPhase::Capture,
            passive: true,
        };
        let mut listeners = Vec::new();
        let on = |target: &web_sys::EventTarget,
                  kind: &'static str,
                  opts: EventListenerOptions,
                  make: fn(&web_sys::Event) -> Option<Signal>| {
            let h = handler.clone();
            EventListener::new_with_options(target, kind, opts, move |e| {
                if let Some(signal) = make(e) {
                    h(signal);
                }
            })
        };
        let win: &web_sys::EventTarget = window.as_ref();
        let doc: &web_sys::EventTarget = document.as_ref();
        listeners.push(on(win, "popstate", passive, |_| Some(Signal::Route)));
        listeners.push(on(win, "hashchange", passive, |_| Some(Signal::Route)));
        // Captured: an element's scroll does not bubble, and in app-shell
        // layouts the page's content scrolls in one.
        listeners.push(on(win, "scroll", passive, |e| {
            Some(Signal::Scroll(e.clone()))
        }));
        listeners.push(on(win, "keydown", passive, |_| Some(Signal::Key)));
        for kind in ["pointerdown", "wheel", "touchstart", "pointermove"] {
            listeners.push(on(win, kind, passive, |_| Some(Signal::Input)));
        }
        listeners.push(on(doc, "click", passive, |e| {
            Some(Signal::Click(e.clone()))
        }));
        listeners.push(on(doc, "mouseover", passive, |e| {
            Some(Signal::Hover(e.clone()))
        }));
        listeners.push(on(doc, "mouseout", passive, |e| {
            let m = e.dyn_ref::<web_sys::MouseEvent>()?;
            (m.related_target().is_none() && m.client_y() <= 0).then_some(Signal::ExitIntent)
        }));
        listeners.push(on(doc, "visibilitychange", passive, |_| {
            Some(if page_hidden() {
                Signal::Hidden
            } else {
                Signal::Visible
            })
        }));
        listeners.push(on(win, "pagehide", passive, |_| Some(Signal::Leaving)));
        listeners.push(on(win, "pageshow", passive, |e| {
            // `PageTransitionEvent.persisted`: restored, not a first load.
            js_sys::Reflect::get(e, &"persisted".into())
                .ok()
                .filter(JsValue::is_truthy)
                .map(|_| Signal::Back)
        }));
        listeners.push(on(win, "online", passive, |_| Some(Signal::Online)));

        // The Navigation API sees every same-document navigation, pushState
        // included; older browsers need history's two methods wrapped.
        let navigation = js_sys::Reflect::get(&window, &"navigation".into())
            .ok()
            .filter(|n| n.is_object())
            .and_then(|n| n.dyn_into::<web_sys::EventTarget>().ok());
        let history = match navigation {
            Some(nav) => {
                listeners.push(on(&nav, "currententrychange", passive, |_| {
                    Some(Signal::Route)
                }));
                None
            }
            None => HistoryPatch::install(handler.clone()),
        };
        Some(Self {
            _listeners: listeners,
            _history: history,
        })
    }
}

/// A wrapper of one `history` method: `(state, title, url) -> result`.
type HistoryWrapper = Closure<dyn FnMut(JsValue, JsValue, JsValue) -> JsValue>;

/// Where the wrappers send route changes: the booted SDK's handler, or
/// nobody between a `shutdown` and the next `boot`.
type HandlerSlot = std::rc::Rc<std::cell::RefCell<Option<Handler>>>;

/// `history.pushState` and `replaceState` wrapped, once per page.
///
/// Other scripts (analytics, session replay, routers) wrap the same methods,
/// often after the SDK: their wrapper then calls ours. Putting the originals
/// back at `shutdown` would silently cut their wrapper out of the chain, and
/// dropping our closures would make every navigation of the app throw. So
/// the originals go back only when both methods are still ours; otherwise
/// the wrappers stay, passing calls through with nobody to tell, and the
/// next `boot` takes them up again instead of wrapping once more.
struct HistoryHook {
    history: web_sys::History,
    /// Each method's name, the page's original, and our wrapper of it.
    methods: Vec<(&'static str, JsValue, HistoryWrapper)>,
    slot: HandlerSlot,
}

thread_local! {
    /// The page's one [`HistoryHook`], if it has been installed.
    static HISTORY_HOOK: std::cell::RefCell<Option<HistoryHook>> =
        const { std::cell::RefCell::new(None) };
}

impl HistoryHook {
    fn install() -> Option<Self> {
        let history = web_sys::window()?.history().ok()?;
        let slot = HandlerSlot::default();
        let mut methods = Vec::new();
        for name in ["pushState", "replaceState"] {
            let original = js_sys::Reflect::get(&history, &name.into()).ok()?;
            let func: js_sys::Function = original.clone().dyn_into().ok()?;
            let (slot, target) = (slot.clone(), history.clone());
            let wrapper: HistoryWrapper =
                Closure::new(move |state: JsValue, title: JsValue, url: JsValue| {
                    let out = func.call3(&target, &state, &title, &url);
                    // Cloned out first: the handler may shut the SDK down.
                    let handler = slot.borrow().clone();
                    if let Some(handler) = handler {
                        handler(Signal::Route);
                    }
                    // Errors (a cross-origin URL) belong to the app: rethrow.
                    out.unwrap_or_else(|e| wasm_bindgen::throw_val(e))
                });
            methods.push((name, original, wrapper));
        }
        // Installed only once both could be made.
        for (name, _, wrapper) in &methods {
            let _ = js_sys::Reflect::set(&history, &(*name).into(), wrapper.as_ref());
        }
        Some(Self {
            history,
            methods,
            slot,
        })
    }

    /// Whether both methods are still our wrappers (no script wrapped them
    /// since, nor put something else there).
    fn still_ours(&self) -> bool {
        self.methods.iter().all(|(name, _, wrapper)| {
            js_sys::Reflect::get(&self.history, &(*name).into())
                .is_ok_and(|now| now == *wrapper.as_ref())
        })
    }
}

/// The booted SDK's hold on the [`HistoryHook`]: route changes go to its
/// handler until it is dropped.
struct HistoryPatch;

impl HistoryPatch {
    fn install(handler: Handler) -> Option<Self> {
        HISTORY_HOOK.with(|cell| {
            let mut hook = cell.borrow_mut();
            if hook.is_none() {
                *hook = Some(HistoryHook::install()?);
            }
            let hook = hook.as_ref()?;
            *hook.slot.borrow_mut() = Some(handler);
            Some(Self)
        })
    }
}

impl Drop for HistoryPatch {
    fn drop(&mut self) {
        HISTORY_HOOK.with(|cell| {
            let mut hook = cell.borrow_mut();
            let Some(h) = hook.as_ref() else { return };
            *h.slot.borrow_mut() = None;
            if h.still_ours() {
                for (name, original, _) in &h.methods {
                    let _ = js_sys::Reflect::set(&h.history, &(*name).into(), original);
                }
                *hook = None;
            }
        });
    }
}

/// A `MutationObserver` on the document (and on open shadow roots found
/// while looking for an element), disconnected on drop.
pub struct DomObserver {
    observer: web_sys::MutationObserver,
    _callback: Closure<dyn FnMut(js_sys::Array, web_sys::MutationObserver)>,
}

impl DomObserver {
    /// Calls `on_change` after DOM changes under the document.
    pub fn start(on_change: impl Fn() + 'static) -> Option<Self> {
        let callback = Closure::<dyn FnMut(js_sys::Array, web_sys::MutationObserver)>::new(
            move |_records, _observer| on_change(),
        );
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        let this = Self {
            observer,
            _callback: callback,
        };
        let root = web_sys::window()?.document()?.document_element()?;
        this.watch(&root);
        Some(this)
    }

    /// Also watches the subtree of `node` (an open shadow root, whose
    /// changes the document's observer does not see).
    pub fn watch(&self, node: &web_sys::Node) {
        let init = web_sys::MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        init.set_attributes(true);
        let _ = self.observer.observe_with_options(node, &init);
    }
}

impl Drop for DomObserver {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// How often at most a missing element is looked for in the page's open
/// shadow roots ([`query_deep`]): finding them visits every element of the
/// page, one call from the module each, and a page that changes at every
/// frame (a live dashboard of 6,000 cells) spent 4% of its main thread on
/// it while a tooltip's element was missing. The document itself is
/// searched at every change.
pub const SHADOW_SEARCH_MS: f64 = 250.0;

/// When a searcher of missing elements (the runtime's element triggers, an
/// anchored surface) last searched the page's shadow roots: at most every
/// [`SHADOW_SEARCH_MS`], with one more search when that time is up after
/// one was put off, so an element that comes inside a web component is
/// found all the same.
#[derive(Default)]
pub struct ShadowSearch {
    /// When the shadow roots were last searched (ms).
    at: f64,
    /// The search put off, due when the time is up.
    later: Option<gloo_timers::callback::Timeout>,
}

impl ShadowSearch {
    /// Whether the shadow roots may be searched now (taken as searched);
    /// if not, `again` runs once when they may.
    pub fn may_search(&mut self, again: impl FnOnce() + 'static) -> bool {
        let now = js_sys::Date::now();
        let since = now - self.at;
        if !(0.0..SHADOW_SEARCH_MS).contains(&since) {
            self.at = now;
            self.later = None;
            return true;
        }
        if self.later.is_none() {
            let wait = (SHADOW_SEARCH_MS - since).ceil() as u32;
            self.later = Some(gloo_timers::callback::Timeout::new(wait, again));
        }
        false
    }
}

/// The first element matching `selector` in the document (not in shadow
/// roots); an invalid selector matches nothing.
pub fn query_light(selector: &str) -> Option<web_sys::Element> {
    web_sys::window()?
        .document()?
        .query_selector(selector)
        .ok()
        .flatten()
}

/// The first element matching `selector` in the document or in any open
/// shadow root inside it; the shadow roots searched are passed to
/// `on_shadow_root` so a caller can observe them too. An invalid selector
/// matches nothing (the server already refused it at save time; an old
/// browser may still not know a pseudo-class).
pub fn query_deep(
    selector: &str,
    mut on_shadow_root: impl FnMut(&web_sys::ShadowRoot),
) -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    if let Ok(Some(el)) = document.query_selector(selector) {
        return Some(el);
    }
    let mut roots: Vec<web_sys::ShadowRoot> = Vec::new();
    collect_shadow_roots(document.as_ref(), &mut roots);
    let mut i = 0;
    while let Some(root) = roots.get(i).cloned() {
        i += 1;
        // Beckon's own hosts are not the page's content.
        let ours = root.host().has_attribute(crate::dom::HOST_ATTRIBUTE);
        if ours {
            continue;
        }
        on_shadow_root(&root);
        if let Ok(Some(el)) = root.query_selector(selector) {
            return Some(el);
        }
        collect_shadow_roots(root.as_ref(), &mut roots);
    }
    None
}

fn collect_shadow_roots(scope: &web_sys::Node, out: &mut Vec<web_sys::ShadowRoot>) {
    let all = match scope.dyn_ref::<web_sys::Document>() {
        Some(d) => d.query_selector_all("*"),
        None => match scope.dyn_ref::<web_sys::ShadowRoot>() {
            Some(r) => r.query_selector_all("*"),
            None => return,
        },
    };
    let Ok(all) = all else { return };
    for i in 0..all.length() {
        if let Some(root) = all
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.shadow_root())
        {
            out.push(root);
        }
    }
}

/// Whether any element on the event's composed path (shadow DOM included)
/// matches `selector`.
pub fn path_matches(event: &web_sys::Event, selector: &str) -> bool {
    event.composed_path().iter().any(|node| {
        node.dyn_ref::<web_sys::Element>()
            .is_some_and(|el| el.matches(selector).unwrap_or(false))
    })
}

/// How far down the page the user has scrolled, in percent of the distance
/// that can be scrolled (100 when the whole page fits the window), from a
/// `scroll` event; `None` when what scrolled is not the page.
///
/// The page is the document, or, in app-shell layouts where the document
/// never scrolls, an element that takes up most of the window (the main
/// pane). Smaller scrollers (a menu, a wide table, a chat log) are not the
/// page: scrolling one of those on a page that fits the window counted as
/// having read all of it, and a "scroll half the page" message came up at
/// once.
pub fn scroll_percent(event: &web_sys::Event) -> Option<f64> {
    let window = web_sys::window()?;
    let view = |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let (top, height, seen) = match event.target()?.dyn_into::<web_sys::Element>() {
        Ok(pane) => {
            let (w, h) = (
                f64::from(pane.client_width()),
                f64::from(pane.client_height()),
            );
            if 2.0 * w < view(window.inner_width()) || 2.0 * h < view(window.inner_height()) {
                return None;
            }
            (
                f64::from(pane.scroll_top()),
                f64::from(pane.scroll_height()),
                h,
            )
        }
        Err(_) => {
            let root = window.document()?.document_element()?;
            (
                window.scroll_y().unwrap_or(0.0),
                f64::from(root.scroll_height()),
                view(window.inner_height()),
            )
        }
    };
    if height <= seen {
        return Some(100.0);
    }
    Some(crate::dom::clamp(top / (height - seen) * 100.0, 0.0, 100.0))
}
