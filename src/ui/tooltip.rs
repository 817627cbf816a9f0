//! Tooltips and hotspots: a card anchored to an element of the app by CSS
//! selector, placed by [`super::position`] (flip, shift, arrow) and kept in
//! place by [`super::track`] on scroll, resize and anchor movement. It
//! waits for an element that is not there yet, and hides while its element
//! is scrolled out of view or gone from the page.
//!
//! A tooltip opens at once, or on hover, click or focus of its element. A
//! hotspot is a pulsing dot on the element (a button, so keyboard users
//! reach it) that opens the tooltip. Screen readers hear the tooltip
//! through a polite live region when it opens, and, for hover and focus
//! tooltips, as the element's `aria-description` (an id reference cannot
//! cross into the shadow root). Escape closes it.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use beckon_core::content::{Anchor, Placement, ShowOn};
use beckon_core::protocol::{Message, MessageKind};
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use web_sys::Element;

use super::a11y::{on_escape, Announcer};
use super::card::{actions, button, close_button, fill, Listeners};
use super::i18n::{dir, is_rtl, text, Text};
use super::markdown::{fill_placeholders, plain};
use super::position::{apply, css_zoom, px, Rect, ARROW_CSS};
use super::track::{Target, Tracker};
use super::{add, attr};
use super::{floating_host, Emit, Env, Surface, UiEvent};
use crate::dom::{document, element, set_style, ShadowHost};
use crate::error::{SdkError, SdkResult};

const CSS: &str = ".tip{position:fixed;width:max-content;max-width:min(320px,calc(100vw - 16px))}\
[hidden]{display:none!important}\
.dot{position:fixed;width:20px;height:20px;padding:0;border-radius:50%;background:var(--bk-accent);\
box-shadow:0 0 0 3px #fff}\
@media (prefers-reduced-motion:no-preference){.dot::after{content:'';position:absolute;inset:0;\
border-radius:50%;background:var(--bk-accent);animation:bk-pulse 1.6s ease-out infinite}}\
@keyframes bk-pulse{from{transform:scale(1);opacity:.7}to{transform:scale(2.4);opacity:0}}";

/// How long the pointer may travel from the element to the card before a
/// hover tooltip closes.
const HOVER_GRACE_MS: u32 = 250;

struct Inner {
    card: Element,
    arrow: Element,
    dot: Option<Element>,
    /// Right to left: the dot sits on the element's top-left corner, where
    /// the element's text ends.
    rtl: bool,
    placement: Placement,
    show_on: ShowOn,
    open: bool,
    anchor: Option<Target>,
    /// The element's `aria-description` before we set ours.
    described: Option<(Element, Option<String>)>,
    description: Option<String>,
    anchor_listeners: Listeners,
    announcer: Announcer,
    words: String,
    closing: Option<Timeout>,
    /// The host element, which follows its element into a modal dialog.
    host: web_sys::HtmlElement,
}

/// A tooltip or hotspot on screen.
pub struct TooltipView {
    inner: Rc<RefCell<Inner>>,
    _tracker: Tracker,
    _listeners: Listeners,
    _host: ShadowHost,
}

impl TooltipView {
    /// Draws `message` (a tooltip or a hotspot).
    pub fn show(message: &Message, env: &Env, emit: Emit) -> SdkResult<Self> {
        let content = message.content.localized(&env.locale);
        let anchor: Anchor = content
            .anchor
            .clone()
            .ok_or_else(|| SdkError::BadArgument("a tooltip needs an anchor".into()))?;
        let hotspot = message.kind == MessageKind::Hotspot;
        let show_on = match (hotspot, anchor.show_on) {
            (true, ShowOn::Immediately) => ShowOn::Click,
            (_, s) => s,
        };
        let host = floating_host(
            if hotspot { "hotspot" } else { "tooltip" },
            &[CSS, ARROW_CSS],
            env,
            &[("top", "0"), ("left", "0")],
            super::layer::ANCHORED,
        )?;
        let doc = document()?;
        let root = element(&doc, "div", "bk", None)?;
        attr(&root, "dir", dir(&env.locale));
        add(host.root(), &root);
        let mut listeners = Vec::new();

        let card = element(&doc, "div", "card tip bk-anim", None)?;
        attr(&card, "role", "dialog");
        attr(&card, "data-message-id", &message.id);
        attr(&card, "hidden", "");
        let arrow = element(&doc, "div", "arrow", None)?;
        add(&card, &arrow);
        let title = content.title.as_deref();
        match title {
            Some(_) => attr(&card, "aria-labelledby", "t"),
            None => attr(&card, "aria-label", text(&env.locale, Text::ShowTip)),
        }
        fill(&doc, &card, title, &content.body, Some(&content), env, "t")?;
        let buttons = element(&doc, "div", "actions", None)?;
        actions(&doc, &buttons, &content, &emit, &mut listeners, None)?;
        if buttons.child_element_count() > 0 {
            add(&card, &buttons);
        }
        add(&root, &card);

        let words = [
            title
                .map(|t| fill_placeholders(t, &env.attributes))
                .unwrap_or_default()
                .as_str(),
            ". ",
            &plain(&content.body, &env.attributes),
        ]
        .concat();
        let inner = Rc::new(RefCell::new(Inner {
            host: host.host().clone(),
            card: card.clone(),
            arrow,
            dot: None,
            rtl: is_rtl(&env.locale),
            placement: anchor.placement,
            show_on,
            open: show_on == ShowOn::Immediately,
            anchor: None,
            described: None,
            description: (!hotspot && matches!(show_on, ShowOn::Hover | ShowOn::Focus))
                .then(|| words.clone()),
            anchor_listeners: Vec::new(),
            announcer: Announcer::new(&doc, &root)?,
            words,
            closing: None,
        }));
        let weak = Rc::downgrade(&inner);

        // Closing: for good when the message may be dismissed, else just
        // the card (it opens again on the next hover or click).
        let dismissible = content.dismissible;
        let close: Rc<dyn Fn()> = {
            let (weak, emit) = (weak.clone(), emit.clone());
            Rc::new(move || {
                if dismissible {
                    emit(UiEvent::Dismissed);
                } else {
                    set_open(&weak, false);
                }
            })
        };
        if dismissible || show_on != ShowOn::Immediately {
            let c = close.clone();
            close_button(
                &doc,
                &card,
                text(&env.locale, Text::Close),
                &mut listeners,
                move || c(),
            )?;
        }
        {
            let weak = weak.clone();
            listeners.push(on_escape(&card, move || set_open(&weak, false)));
        }
        if show_on == ShowOn::Hover || show_on == ShowOn::Focus {
            // The pointer may move into the card without it closing.
            let w = weak.clone();
            listeners.push(EventListener::new(&card, "mouseenter", move |_| {
                hover(&w, true)
            }));
            let w = weak.clone();
            listeners.push(EventListener::new(&card, "mouseleave", move |_| {
                hover(&w, false)
            }));
        }
        if hotspot {
            let label = [text(&env.locale, Text::ShowTip), ": ", title.unwrap_or("")].concat();
            let w = weak.clone();
            let dot = button(&doc, &root, "dot", "", &mut listeners, move || toggle(&w))?;
            attr(&dot, "aria-label", label.trim_end_matches([':', ' ']));
            attr(&dot, "aria-expanded", "false");
            attr(&dot, "hidden", "");
            trigger_listeners(&dot, show_on, &weak, &mut listeners);
            let w = weak.clone();
            listeners.push(on_escape(&dot, move || set_open(&w, false)));
            inner.borrow_mut().dot = Some(dot);
        }

        let on_move = {
            let weak = weak.clone();
            Rc::new(move |anchor: Option<&Target>| moved(&weak, anchor, hotspot))
        };
        let tracker = Tracker::new(&anchor.selector, Some(&card), on_move)?;
        Ok(Self {
            inner,
            _tracker: tracker,
            _listeners: listeners,
            _host: host,
        })
    }
}

/// Listeners on whatever opens the card (the app's element, or the dot).
fn trigger_listeners(
    target: &Element,
    show_on: ShowOn,
    weak: &Weak<RefCell<Inner>>,
    out: &mut Listeners,
) {
    let mut on = |name: &'static str, f: fn(&Weak<RefCell<Inner>>)| {
        let w = weak.clone();
        out.push(EventListener::new(target, name, move |_| f(&w)));
    };
    match show_on {
        ShowOn::Immediately => {}
        ShowOn::Click => {
            // The dot's own click listener toggles already.
            if !target.has_attribute("aria-expanded") {
                on("click", toggle);
            }
        }
        ShowOn::Hover | ShowOn::Focus => {
            on("mouseenter", |w| hover(w, true));
            on("mouseleave", |w| hover(w, false));
            on("focusin", |w| set_open(w, true));
            on("focusout", |w| set_open(w, false));
        }
    }
    let w = weak.clone();
    out.push(on_escape(target, move || set_open(&w, false)));
}

fn toggle(weak: &Weak<RefCell<Inner>>) {
    let open = weak.upgrade().is_some_and(|i| i.borrow().open);
    set_open(weak, !open);
}

fn hover(weak: &Weak<RefCell<Inner>>, entering: bool) {
    let Some(inner) = weak.upgrade() else { return };
    if entering {
        inner.borrow_mut().closing = None;
        set_open(weak, true);
    } else {
        let w = weak.clone();
        inner.borrow_mut().closing =
            Some(Timeout::new(HOVER_GRACE_MS, move || set_open(&w, false)));
    }
}

fn set_open(weak: &Weak<RefCell<Inner>>, open: bool) {
    let Some(inner) = weak.upgrade() else { return };
    let Ok(mut i) = inner.try_borrow_mut() else {
        return;
    };
    if i.open == open {
        return;
    }
    i.open = open;
    i.closing = None;
    if let Some(dot) = &i.dot {
        let _ = dot.set_attribute("aria-expanded", if open { "true" } else { "false" });
    }
    if !open {
        i.announcer.clear();
    }
    let anchor = i.anchor.clone();
    drop(i);
    place(&inner, anchor.as_ref());
}

/// The tracker's callback: the element appeared, moved, or went away.
fn moved(weak: &Weak<RefCell<Inner>>, anchor: Option<&Target>, hotspot: bool) {
    let Some(inner) = weak.upgrade() else { return };
    {
        let Ok(mut i) = inner.try_borrow_mut() else {
            return;
        };
        if i.anchor.as_ref() != anchor {
            i.anchor = anchor.cloned();
            i.anchor_listeners.clear();
            restore_description(&mut i);
            if let Some(a) = anchor.map(|a| &a.element) {
                if !hotspot {
                    let mut l = Vec::new();
                    trigger_listeners(a, i.show_on, weak, &mut l);
                    i.anchor_listeners = l;
                }
                if let Some(d) = i.description.clone() {
                    i.described = Some((a.clone(), a.get_attribute("aria-description")));
                    let _ = a.set_attribute("aria-description", &d);
                }
            }
        }
    }
    place(&inner, anchor);
}

/// Shows, hides and positions the dot and the card.
fn place(inner: &Rc<RefCell<Inner>>, anchor: Option<&Target>) {
    let Ok(mut i) = inner.try_borrow_mut() else {
        return;
    };
    follow_into_modal_dialog(&i, anchor);
    let rect = anchor.and_then(Target::visible_box);
    let Some(rect) = rect else {
        // Gone or scrolled away: nothing floats over an empty spot.
        let _ = i.card.set_attribute("hidden", "");
        if let Some(dot) = &i.dot {
            let _ = dot.set_attribute("hidden", "");
        }
        return;
    };
    let mut target = rect;
    if let Some(dot) = &i.dot {
        let _ = dot.remove_attribute("hidden");
        // On the element's corner, in viewport pixels: the dot is 20 of its
        // own pixels, which a zoomed page scales.
        let zoom = css_zoom(dot);
        let half = 10.0 * zoom;
        let x = if i.rtl { rect.x } else { rect.x + rect.w } - half;
        let y = rect.y - half;
        set_style(dot, &[("left", &px(x, zoom)), ("top", &px(y, zoom))]);
        target = Rect {
            x,
            y,
            w: 2.0 * half,
            h: 2.0 * half,
        };
    }
    if !i.open {
        let _ = i.card.set_attribute("hidden", "");
        return;
    }
    let was_hidden = i.card.has_attribute("hidden");
    let _ = i.card.remove_attribute("hidden");
    let (card, arrow, side) = (i.card.clone(), i.arrow.clone(), i.placement);
    apply(&card, Some(&arrow), target, side);
    if was_hidden {
        let words = i.words.clone();
        i.announcer.say(words);
    }
}

/// Puts the host inside the page's modal `<dialog>` while the element is
/// in it, and back where surfaces go after. A modal dialog is in the
/// browser's top layer, above every z-index, and makes the rest of the
/// page inert: a hotspot on a button of the dialog was drawn under it,
/// unseen and unclickable, though counted as shown. Inside the dialog the
/// host is in the top layer with it (a fixed box, not clipped by the
/// dialog's overflow), and the keeper puts it back in the body if the page
/// removes the dialog.
fn follow_into_modal_dialog(i: &Inner, anchor: Option<&Target>) {
    let modal = anchor
        .and_then(|a| a.element.closest("dialog").ok().flatten())
        .filter(|d| d.matches(":modal").unwrap_or(false));
    let parent = i.host.parent_element();
    match modal {
        Some(dialog) => {
            if parent.as_ref() != Some(&dialog) {
                let _ = dialog.append_child(&i.host);
            }
        }
        None => {
            if parent.is_some_and(|p| p.tag_name() == "DIALOG") {
                crate::dom::put_back(&i.host);
            }
        }
    }
}

fn restore_description(i: &mut Inner) {
    if let Some((el, old)) = i.described.take() {
        let _ = match old {
            Some(v) => el.set_attribute("aria-description", &v),
            None => el.remove_attribute("aria-description"),
        };
    }
}

impl Surface for TooltipView {
    fn update(&mut self, _env: &Env) -> SdkResult<()> {
        Ok(())
    }
}

impl Drop for TooltipView {
    fn drop(&mut self) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            i.anchor_listeners.clear();
            i.closing = None;
            restore_description(&mut i);
        }
    }
}
