//! The tour: a sequence of tooltip and modal steps, possibly on several
//! pages, with Back / Next / Skip and "2 of 5".
//!
//! The current step is the runtime's to keep ([`super::Progress::step`]):
//! the tour reports every move as [`UiEvent::Step`], and when the next
//! step lives on another page it goes there (keeping the page's query, so
//! the app's own state survives) and the runtime shows the tour again at
//! that step. A tooltip step waits, invisible, until its element is in the
//! page; a step may advance when the user clicks its element or when the
//! app tracks an event (the runtime moves the step and calls `update`).
//! Modal steps trap focus; Escape skips the tour; focus returns to where
//! it was when the tour ends.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use beckon_core::content::{page_matches, step_url, AdvanceOn, TourStep};
use beckon_core::protocol::Message;
use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use super::a11y::{focus, on_escape, trap_focus, ReturnFocus};
use super::card::{button, fill, Listeners};
use super::i18n::{count, dir, text, Text};
use super::position::{apply, css_zoom, px, Rect, ARROW_CSS};
use super::track::{Target, Tracker};
use super::{add, attr};
use super::{floating_host, Emit, Env, Surface, UiEvent};
use crate::dom::{document, element, set_style, ShadowHost};
use crate::error::{SdkError, SdkResult};

const CSS: &str = "[hidden]{display:none!important}\
.backdrop{position:fixed;inset:0;display:grid;place-items:center;background:rgba(17,24,39,.6);padding:16px}\
.step{width:min(340px,calc(100vw - 16px));max-width:none}.float{position:fixed}\
.float.centre{left:50%!important;top:50%!important;transform:translate(-50%,-50%)}.centre .arrow{display:none}\
.only-centred{display:none}.centre .only-centred{display:inline-block}\
.resume{position:fixed;bottom:16px;left:50%;transform:translateX(-50%);box-shadow:0 6px 20px rgba(0,0,0,.3)}\
.ring{position:fixed;border-radius:8px;pointer-events:none;box-shadow:0 0 0 4px rgba(147,197,253,.9),0 0 0 9999px rgba(17,24,39,.35)}\
@media (prefers-reduced-motion:no-preference){.float,.ring{transition:left .15s,top .15s,width .15s,height .15s}}";

struct Inner {
    doc: Document,
    root: Element,
    emit: Emit,
    env: Env,
    steps: Vec<TourStep>,
    step: usize,
    listeners: Listeners,
    tracker: Option<Tracker>,
    /// Focus the card when it first shows (after a user's move).
    focus_pending: bool,
    /// Bring the step's element into view when it is first found outside
    /// it, once per step (the user may scroll away afterwards).
    scroll_pending: bool,
    navigating: Option<Timeout>,
    /// Shows a tooltip step in the middle of the screen when its element
    /// has not come within [`ELEMENT_WAIT_MS`].
    centre_later: Option<Timeout>,
    weak: Weak<RefCell<Inner>>,
}

/// How long a tooltip step waits for its element before it is shown in the
/// middle of the screen instead. The step goes to its element if that comes
/// later. Without it, a step whose element the page no longer has (a
/// redesign, a feature flag, a permission) left the tour invisible and
/// unskippable, holding the modal and tooltip slots.
const ELEMENT_WAIT_MS: u32 = 3_000;

/// A tour on screen.
pub struct TourView {
    inner: Rc<RefCell<Inner>>,
    _host: ShadowHost,
    _return: ReturnFocus,
}

fn href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

impl TourView {
    /// Draws `message` as a tour at the step in `env.progress`.
    pub fn show(message: &Message, env: &Env, emit: Emit) -> SdkResult<Self> {
        let content = message.content.localized(&env.locale);
        let steps = content
            .tour
            .map(|t| t.steps)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| SdkError::BadArgument("a tour needs steps".into()))?;
        let host = floating_host(
            "tour",
            &[CSS, ARROW_CSS],
            env,
            &[("top", "0"), ("left", "0")],
            super::layer::MODAL,
        )?;
        let doc = document()?;
        let root = element(&doc, "div", "bk", None)?;
        attr(&root, "dir", dir(&env.locale));
        attr(&root, "data-message-id", &message.id);
        add(host.root(), &root);
        let return_focus = ReturnFocus::remember();
        let inner = Rc::new_cyclic(|weak| {
            RefCell::new(Inner {
                doc,
                root,
                emit,
                env: env.clone(),
                steps,
                step: env.progress.step,
                listeners: Vec::new(),
                tracker: None,
                focus_pending: true,
                scroll_pending: true,
                navigating: None,
                centre_later: None,
                weak: weak.clone(),
            })
        });
        draw(&inner)?;
        Ok(Self {
            inner,
            _host: host,
            _return: return_focus,
        })
    }
}

/// Moves to step `n` at the user's (or the element's) request.
fn go(weak: &Weak<RefCell<Inner>>, n: usize) {
    let Some(inner) = weak.upgrade() else { return };
    let (emit, len, page) = {
        let Ok(i) = inner.try_borrow() else { return };
        (
            i.emit.clone(),
            i.steps.len(),
            i.steps.get(n).and_then(|s| s.page.clone()),
        )
    };
    if n >= len {
        emit(UiEvent::Completed);
        return;
    }
    emit(UiEvent::Step(n));
    if let Ok(mut i) = inner.try_borrow_mut() {
        i.step = n;
        i.focus_pending = true;
        i.scroll_pending = true;
        if let Some(page) = page.filter(|p| !page_matches(p, &href())) {
            // The runtime stores the step first (its handler runs in a
            // microtask, before this timer); then the page changes.
            let url = step_url(&page, &href());
            i.navigating = Some(Timeout::new(0, move || {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().assign(&url);
                }
            }));
        }
    }
    let _ = draw(&inner);
}

/// Draws the current step (or nothing, when it lives on another page).
fn draw(inner: &Rc<RefCell<Inner>>) -> SdkResult<()> {
    let Ok(mut i) = inner.try_borrow_mut() else {
        return Ok(());
    };
    i.tracker = None;
    i.centre_later = None;
    i.listeners.clear();
    i.root.set_text_content(None);
    let n = i.step;
    let Some(step) = i.steps.get(n).cloned() else {
        (i.emit)(UiEvent::Completed);
        return Ok(());
    };
    if i.navigating.is_some() {
        return Ok(());
    }
    let doc = i.doc.clone();
    if let Some(page) = step.page.as_deref().filter(|p| !page_matches(p, &href())) {
        // The step lives on another page: offer the way there, quietly.
        let url = step_url(page, &href());
        let label = [
            text(&i.env.locale, Text::Resume),
            " (",
            &count(&i.env.locale, Text::StepOf, n + 1, i.steps.len()),
            ")",
        ]
        .concat();
        let mut listeners = Vec::new();
        button(
            &doc,
            &i.root,
            "primary resume",
            &label,
            &mut listeners,
            move || {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().assign(&url);
                }
            },
        )?;
        i.listeners = listeners;
        return Ok(());
    }
    let loc = i.env.locale.clone();
    let weak = i.weak.clone();
    let total = i.steps.len();
    let mut listeners = Vec::new();

    let card = element(&doc, "div", "card step bk-anim", None)?;
    attr(&card, "role", "dialog");
    attr(&card, "tabindex", "-1");
    match step.title {
        Some(_) => attr(&card, "aria-labelledby", "t"),
        None => attr(
            &card,
            "aria-label",
            &count(&loc, Text::StepOf, n + 1, total),
        ),
    }
    let modal = step.is_modal();
    let arrow = element(&doc, "div", "arrow", None)?;
    if !modal {
        add(&card, &arrow);
    }
    fill(
        &doc,
        &card,
        step.title.as_deref(),
        &step.body,
        None,
        &i.env,
        "t",
    )?;
    let bar = element(&doc, "div", "actions", None)?;
    add(
        &bar,
        &element(
            &doc,
            "span",
            "count",
            Some(&count(&loc, Text::StepOf, n + 1, total)),
        )?,
    );
    let e = i.emit.clone();
    button(
        &doc,
        &bar,
        "secondary",
        text(&loc, Text::Skip),
        &mut listeners,
        move || e(UiEvent::Dismissed),
    )?;
    if n > 0 {
        let w = weak.clone();
        button(
            &doc,
            &bar,
            "secondary",
            text(&loc, Text::Back),
            &mut listeners,
            move || go(&w, n - 1),
        )?;
    }
    // A step that advances by a click on its element has a Next only while
    // it is shown centred because the element is not there to click
    // ([`centre_later`]); the stylesheet shows it then.
    let next_class = match step.advance_on {
        AdvanceOn::Next => "primary",
        _ => "primary only-centred",
    };
    let label = text(
        &loc,
        if n + 1 == total {
            Text::Done
        } else {
            Text::Next
        },
    );
    let w = weak.clone();
    button(&doc, &bar, next_class, label, &mut listeners, move || {
        go(&w, n + 1)
    })?;
    add(&card, &bar);
    let e = i.emit.clone();
    listeners.push(on_escape(&card, move || e(UiEvent::Dismissed)));

    if modal {
        attr(&card, "aria-modal", "true");
        let backdrop = element(&doc, "div", "backdrop", None)?;
        add(&backdrop, &card);
        add(&i.root, &backdrop);
        listeners.push(trap_focus(&card));
        if std::mem::take(&mut i.focus_pending) {
            focus(&card);
        }
        i.listeners = listeners;
        return Ok(());
    }

    let selector = step.selector.clone().unwrap_or_default();
    if step.advance_on == AdvanceOn::Click {
        // On the document, in the capture phase: the app may re-render the
        // element or stop the click's propagation.
        let (w, sel) = (weak.clone(), selector.clone());
        listeners.push(EventListener::new_with_options(
            &doc,
            "click",
            EventListenerOptions::run_in_capture_phase(),
            move |ev| {
                let hit = ev
                    .target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .and_then(|t| t.closest(&sel).ok().flatten())
                    .is_some();
                if hit {
                    go(&w, n + 1);
                }
            },
        ));
    }
    card.class_list().add_1("float").ok();
    attr(&card, "hidden", "");
    let ring = element(&doc, "div", "ring", None)?;
    attr(&ring, "hidden", "");
    add(&i.root, &ring);
    add(&i.root, &card);
    i.listeners = listeners;
    let placement = step.placement;
    let centred = Rc::new(std::cell::Cell::new(false));
    i.centre_later = Some(centre_later(&card, &selector, &centred, weak.clone()));
    let w = weak.clone();
    let c = card.clone();
    let scrolled = w.clone();
    let on_move = Rc::new(move |anchor: Option<&Target>| {
        if let Some(target) = anchor {
            bring_into_view(target, &scrolled);
        }
        match anchor.and_then(Target::visible_box) {
            None if anchor.is_none() && centred.get() => {}
            None => {
                let _ = c.set_attribute("hidden", "");
                let _ = ring.set_attribute("hidden", "");
            }
            Some(r) => {
                centred.set(false);
                let _ = c.class_list().remove_1("centre");
                let _ = ring.remove_attribute("hidden");
                // 4 of the ring's own pixels around the element.
                let zoom = css_zoom(&ring);
                let pad = 4.0 * zoom;
                set_style(
                    &ring,
                    &[
                        ("left", &px(r.x - pad, zoom)),
                        ("top", &px(r.y - pad, zoom)),
                        ("width", &px(r.w + 2.0 * pad, zoom)),
                        ("height", &px(r.h + 2.0 * pad, zoom)),
                    ],
                );
                let _ = c.remove_attribute("hidden");
                apply(&c, Some(&arrow), r, placement);
                if take_focus_pending(&w) {
                    focus(&c);
                }
            }
        }
    });
    drop(i);
    let tracker = Tracker::new(&selector, Some(&card), on_move)?;
    if let Ok(mut i) = inner.try_borrow_mut() {
        i.tracker = Some(tracker);
    }
    Ok(())
}

/// Whether the step's card is to take focus now (the first time it shows
/// after a user's move); later calls say no.
fn take_focus_pending(inner: &Weak<RefCell<Inner>>) -> bool {
    inner
        .upgrade()
        .and_then(|i| {
            i.try_borrow_mut()
                .ok()
                .map(|mut i| std::mem::take(&mut i.focus_pending))
        })
        .unwrap_or(false)
}

/// After [`ELEMENT_WAIT_MS`], shows `card` in the middle of the screen if
/// its element (`selector`) is still not on the page, and focuses it as a
/// user's move would have.
fn centre_later(
    card: &Element,
    selector: &str,
    centred: &Rc<std::cell::Cell<bool>>,
    inner: Weak<RefCell<Inner>>,
) -> Timeout {
    let (card, selector, centred) = (card.clone(), selector.to_owned(), centred.clone());
    Timeout::new(ELEMENT_WAIT_MS, move || {
        if crate::runtime::page::query_deep(&selector, |_| {}).is_some() {
            return;
        }
        centred.set(true);
        let _ = card.class_list().add_1("centre");
        let _ = card.remove_attribute("hidden");
        if take_focus_pending(&inner) {
            focus(&card);
        }
    })
}

/// Scrolls a step's element to the middle of the screen the first time it
/// is found for this step and is not wholly in view: a step whose element
/// was below the fold was drawn nowhere, and the tour seemed to end when
/// the user pressed Next (tours of Appcues, Usertour and driver.js scroll
/// too). The page's own `scroll-behavior` decides whether it is smooth.
fn bring_into_view(target: &Target, inner: &Weak<RefCell<Inner>>) {
    let el = &target.element;
    let r = Rect::of(el);
    if r.w <= 0.0 && r.h <= 0.0 {
        return; // not laid out (yet): nothing to scroll to
    }
    let Some(inner) = inner.upgrade() else { return };
    let Ok(mut i) = inner.try_borrow_mut() else {
        return;
    };
    if !std::mem::take(&mut i.scroll_pending) {
        return;
    }
    drop(i);
    // Whole: inside the viewport and inside the pane it scrolls in.
    if !target.clip().contains(&r) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        options.set_inline(web_sys::ScrollLogicalPosition::Nearest);
        el.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

impl Surface for TourView {
    fn update(&mut self, env: &Env) -> SdkResult<()> {
        {
            let Ok(mut i) = self.inner.try_borrow_mut() else {
                return Ok(());
            };
            i.env.attributes.clone_from(&env.attributes);
            if i.step == env.progress.step {
                return Ok(());
            }
            i.step = env.progress.step;
            i.focus_pending = true;
            i.scroll_pending = true;
        }
        draw(&self.inner)
    }
}
