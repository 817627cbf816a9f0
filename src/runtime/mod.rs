//! The booted SDK: who the user is, what the server sent, what is on
//! screen. One instance per page, kept in a thread-local because the wasm
//! runs on the page's one thread and JS callbacks need to reach it.
//!
//! The loop is always the same: something happens (boot, a route change, a
//! tracked event, a timer, another tab's news), the runtime updates what it
//! knows, asks core's [`decide`] what should be on screen, and makes the
//! screen agree. Every recorded event goes to the state at once (so a
//! dismissal holds even if the page closes now), to the other tabs, and to
//! the durable [`outbox::Outbox`].

mod boot;
pub mod debug;
pub mod listeners;
pub mod options;
pub mod outbox;
pub mod page;
mod progress;
mod support;
pub mod tabs;

use std::cell::RefCell;
use std::rc::Rc;

use beckon_core::condition::SavedGroups;
use beckon_core::orchestration::{
    compile_all, decide, goals_reached, next_wake, CompiledMessage, Context, Decision, PageFacts,
    Settings,
};
use beckon_core::protocol::{event_names, ActionTarget, Event, Message, MessageKind, UserIdentity};
use beckon_core::state::{UserState, HELD_OUT};
use beckon_core::targeting::{ElementAction, Trigger};
use beckon_core::vecmap::{VecMap, VecSet};
use gloo_timers::callback::Timeout;
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

pub use boot::{boot, set_defaults, set_prefetch, shutdown};
pub use options::{BootOptions, Defaults};

use crate::client::to_json_string;
use crate::error::{warn, SdkError, SdkResult};
use crate::storage::Storage;
use crate::ui::markdown::is_safe_url;
use crate::ui::{self, Env, Surface, UiEvent};
use outbox::{Next, Outbox};
use page::{DomObserver, PageWatcher, ShadowSearch, Signal};
use tabs::{Claim, TabMessage, Tabs};

/// How long a tab waits for the other tabs' claims before deciding: a new
/// tab when another tab of this user was active lately, and a tab the user
/// comes back to.
const TAB_GRACE_MS: u32 = 120;

/// How long after the last key a message that takes focus (a centred
/// post, a modal tour step) waits while the user types into a field.
const TYPING_PAUSE_MS: f64 = 1_500.0;

/// How long element triggers wait for their element on one page view.
pub const ELEMENT_WAIT_MS: u32 = 30_000;

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

/// A surface on screen.
struct OnScreen {
    view: Box<dyn Surface>,
    since: f64,
}

/// The booted state of the SDK.
pub struct Runtime {
    app_id: String,
    api_base: String,
    /// Ids and proofs only: what travels with events.
    user: UserIdentity,
    user_key: String,
    attributes: Value,
    locale: String,
    options: BootOptions,
    state: UserState,
    messages: Vec<Message>,
    compiled: Vec<CompiledMessage>,
    /// Every (selector, action) an element trigger of this page's messages
    /// names, and the elements their tooltips point at (as `Present`).
    element_triggers: Vec<(String, ElementAction)>,
    /// The elements this page's tooltips point at: waited for as long as
    /// the page view lasts (a tooltip on a button in a dialog the user opens
    /// a minute later), where a `present` trigger gives up after
    /// [`ELEMENT_WAIT_MS`].
    anchors: Vec<String>,
    /// `(message, task, selector)` of checklist tasks done by a click.
    task_clicks: Vec<(String, String, String)>,
    /// The messenger, when the app has one.
    messenger: Option<crate::messenger::Messenger>,
    /// The messenger of the boot answer, until it is created.
    messenger_waiting: Option<support::WaitingMessenger>,
    /// Lifts the bottom corners above a bottom banner while one shows.
    lift: Option<crate::ui::lift::Lift>,
    settings: Settings,
    session_start: f64,
    url: String,
    page: PageFacts,
    surfaces: VecMap<OnScreen>,
    /// Started through the API (`startTour`): shown whatever the rules say,
    /// until closed.
    forced: VecSet,
    /// Whether the server's boot answer is in, or will not come (a message
    /// missing from the cached list may still come with it).
    answered: bool,
    /// Whether the app's messages and messenger are known: from the
    /// server's answer, or from the one cached by an earlier visit.
    known: bool,
    /// Whether the server has answered a boot of this runtime.
    reached: bool,
    /// A boot is being asked again (see `boot_again_if_unanswered`).
    boot_retrying: bool,
    /// `ready` was emitted for this boot.
    ready_emitted: bool,
    /// `startTour`/`startChecklist` calls made before the server answered
    /// for a message not (yet) known: started when the answer comes.
    waiting_starts: Vec<String>,
    /// The last of `show` / `hide` / `showNewMessage` / `showArticle`
    /// called before the server answered on a first visit (an app opening
    /// the messenger as its page loads): done when the answer comes.
    waiting_messenger: Option<(String, JsValue)>,
    /// How far this browser's clock is behind the server's, ms, as the
    /// last boot answer said: schedules are compared with the real time.
    clock_skew: f64,
    /// Could not be drawn on this page view; warned once.
    failed: VecSet,
    storage: Storage,
    outbox: Outbox,
    tabs: Option<Tabs>,
    /// Left the other tabs at `pagehide`; rejoins if the page comes back.
    away: bool,
    watcher: Option<PageWatcher>,
    dom_observer: Option<DomObserver>,
    element_deadline: f64,
    /// Until then, decisions wait for the other tabs' claims.
    grace_until: f64,
    element_timer: Option<Timeout>,
    /// How often the page's shadow roots may be searched for elements.
    shadow_search: ShadowSearch,
    wake: Option<Timeout>,
    retry: Option<Timeout>,
    debounce: Option<Timeout>,
    /// Attributes of `update` calls the server has not heard yet: calls
    /// close together (an app that updates on every render) go as one
    /// request after [`UPDATE_DELAY_MS`], and a value it already has
    /// sends nothing.
    unsent_attributes: Map<String, Value>,
    update_timer: Option<Timeout>,
    /// When the last batch of events went out (ms), and the timer that
    /// sends the next one [`SEND_INTERVAL_MS`] after it.
    last_send: f64,
    send_timer: Option<Timeout>,
    /// When a key was last pressed in the page (ms).
    last_key_at: f64,
    /// When this tab last wrote its heartbeat, and the session's last
    /// activity (ms); see [`Runtime::heartbeat`].
    beat_at: f64,
    session_touched_at: f64,
    /// A write of the state and the outbox is due at the end of this task.
    write_scheduled: bool,
    /// A `track` in this task asked for an evaluation at its end.
    evaluate_due: bool,
    debug_last: Vec<String>,
}

/// How long `update` calls gather before the server hears of them.
pub const UPDATE_DELAY_MS: u32 = 1_000;

/// The tab's heartbeat and the session's last activity are written at
/// most this often.
const MARK_EVERY_MS: f64 = 10_000.0;

/// Events go to the server at most once per this long: the first at once,
/// what follows within it in one batch at its end. An app that tracks on
/// every scroll or render then sends a request a second, not one per task
/// (the server allows a user 5 a second, everything included).
pub const SEND_INTERVAL_MS: f64 = 1_000.0;

fn window() -> SdkResult<web_sys::Window> {
    web_sys::window().ok_or_else(|| SdkError::Browser("no window".into()))
}

fn page_url() -> String {
    window()
        .and_then(|w| {
            w.location()
                .href()
                .map_err(|_| SdkError::Browser("no location".into()))
        })
        .unwrap_or_default()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The user's offset from UTC in minutes (UTC+1 is 60).
fn utc_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// 128 random bits as 32 hex digits, for event and visitor ids.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    let filled = window()
        .ok()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No Web Crypto (very old or odd hosts): Math.random is enough to
        // keep ids apart, which is all they are for.
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// Runs `f` on the booted runtime, if there is one and it is not busy
/// (a callback that fires while the runtime works waits for its microtask).
pub(crate) fn with_runtime<R>(f: impl FnOnce(&mut Runtime) -> R) -> Option<R> {
    RUNTIME.with(|r| {
        let mut guard = r.try_borrow_mut().ok()?;
        guard.as_mut().map(f)
    })
}

/// Like [`with_runtime`], but from a fresh microtask: for browser callbacks
/// that may fire while the runtime is in the middle of its own work.
pub(crate) fn later(f: impl FnOnce(&mut Runtime) + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        with_runtime(f);
    });
}

impl Runtime {
    /// Installs the message list (from the cache or the server) compiled.
    fn set_messages(&mut self, messages: Vec<Message>) {
        let (compiled, bad) = compile_all(&messages);
        for (id, e) in bad {
            warn(&["message ", &id, " skipped: ", &e.to_string()].concat());
        }
        self.compiled = compiled;
        self.task_clicks = progress::task_clicks(&messages);
        self.messages = messages;
        // Elements of messages new to this page view are looked for now,
        // not at the next change of the page.
        self.elements_of_page();
        self.check_elements();
    }

    /// The elements this page's messages wait for: their element triggers
    /// and the elements tooltips point at (a tooltip opens once its element
    /// is there). Only messages whose page rules match this page: every
    /// tooltip of the app kept a DOM observer running on every page. Kept
    /// apart because clicks and hovers (every `mouseover`) are matched
    /// against them.
    fn elements_of_page(&mut self) {
        let url = &self.url;
        let here = self
            .compiled
            .iter()
            .filter(|m| m.targeting.pages.matches(url));
        self.anchors = here.clone().filter_map(|m| m.anchor.clone()).collect();
        self.element_triggers = here
            .filter_map(|m| match &m.targeting.trigger {
                Trigger::Element { selector, on } => Some((selector.clone(), *on)),
                _ => None,
            })
            .chain(
                self.anchors
                    .iter()
                    .map(|a| (a.clone(), ElementAction::Present)),
            )
            .collect();
    }

    /// The live message with this id.
    fn message(&self, id: &str) -> Option<&Message> {
        self.messages.iter().find(|m| m.id == id)
    }

    /// Starts listening to the page and the other tabs.
    fn attach(&mut self) {
        self.watcher = PageWatcher::start(|signal| match signal {
            // Every pointer move, key and wheel turn: only the time is kept,
            // at once (no microtask each), and skipped if the runtime is
            // busy right then, since the next one is never far.
            Signal::Input | Signal::Key => {
                with_runtime(|rt| rt.on_signal(signal));
            }
            // Every element boundary the pointer crosses: queued only when a
            // message waits for a hover (most apps have none).
            Signal::Hover(event) => {
                if with_runtime(|rt| rt.watches_hovers()) != Some(false) {
                    later(move |rt| rt.on_signal(Signal::Hover(event)));
                }
            }
            other => later(move |rt| rt.on_signal(other)),
        });
        self.join_tabs(tab_id());
    }

    /// Joins the other tabs of this user as `tab` (saying hello).
    fn join_tabs(&mut self, tab: String) {
        self.tabs = Tabs::open(&self.app_id, &self.user_key, tab, |msg| {
            later(move |rt| rt.on_tab_message(msg))
        });
    }

    /// Whether a live message has a hover trigger.
    fn watches_hovers(&self) -> bool {
        self.element_triggers
            .iter()
            .any(|(_, on)| *on == ElementAction::Hovered)
    }

    fn context<'a>(&'a self, showing: &'a [String], groups: &'a SavedGroups) -> Context<'a> {
        Context {
            now: now_ms(),
            user_key: &self.user_key,
            url: &self.url,
            attributes: &self.attributes,
            groups,
            locale: Some(&self.locale),
            utc_offset_minutes: utc_offset_minutes(),
            clock_skew: self.clock_skew,
            session_start: self.session_start,
            page: &self.page,
            messenger_open: self.messenger_open(),
            conversation_open: self.conversation_open(),
            showing,
        }
    }

    /// Decides every message for now and makes the screen agree: opens
    /// what should show, closes what should not any more, records hold-outs
    /// and goals, and sets one timer for the next time-based change.
    pub(crate) fn evaluate(&mut self) {
        if now_ms() < self.grace_until {
            return;
        }
        let showing: Vec<String> = self.surfaces.keys().cloned().collect();
        let groups = SavedGroups::default();
        let ctx = self.context(&showing, &groups);
        let verdicts = decide(&self.compiled, &ctx, &self.state, &self.settings);
        let wake = next_wake(&self.compiled, &ctx, &self.state, &self.settings);
        let goals = goals_reached(&self.compiled, &ctx, &self.state);

        let mut explained = Vec::with_capacity(verdicts.len());
        let mut changed = false;
        // A message may wait for the user (see `held_back`); the page is
        // evaluated again when it may open.
        let typing_until = self.typing_until();
        let mut page_dialog = None;
        let mut resume: Option<f64> = None;
        for v in &verdicts {
            let id = &v.message_id;
            let since = self.surfaces.get(id).map(|s| s.since);
            let elsewhere = self
                .tabs
                .as_ref()
                .is_some_and(|t| t.held_elsewhere(id, since));
            let forced = self.forced.contains(id);
            let wanted = (v.is_shown() || forced) && !elsewhere;
            let held = match since {
                None if wanted => self.held_back(id, typing_until, &mut page_dialog),
                _ => None,
            };
            if let Some((_, until)) = held {
                resume = Some(resume.map_or(until, |r| r.min(until)));
            }
            let show = wanted && held.is_none();
            if debug::enabled() {
                explained.push(if elsewhere {
                    [id.as_str(), ": open in another tab"].concat()
                } else if let Some((why, _)) = held {
                    [id.as_str(), ": waits, ", why].concat()
                } else if forced && !v.is_shown() {
                    [id.as_str(), ": started through the API"].concat()
                } else {
                    v.explain()
                });
            }
            if let Decision::HoldOut(_) = v.decision {
                let recorded = self
                    .state
                    .message(id)
                    .is_some_and(|m| m.held_out_at.is_some());
                if !recorded {
                    self.record(HELD_OUT, Some(id), Map::new());
                }
            }
            match (since.is_some(), show) {
                (true, false) => {
                    self.surfaces.remove(id);
                    changed = true;
                }
                (false, true) => changed |= self.open(id),
                _ => {}
            }
        }
        for id in goals {
            self.record(event_names::GOAL, Some(&id), Map::new());
            listeners::emit("message:goal", listeners::message_payload(&id));
        }
        if changed {
            self.announce_showing();
            self.place_corners();
        }
        self.sync_progress();
        debug::print(&self.url, explained, &mut self.debug_last);
        self.heartbeat();
        let wake = match (wake, resume) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.wake = wake.map(|at| {
            let delay = crate::dom::clamp(at - now_ms(), 0.0, 2_147_483_000.0) as u32;
            Timeout::new(delay.saturating_add(5), || later(Runtime::evaluate))
        });
        self.watch_elements();
    }

    /// Whether message `id`, about to open, waits for the user, why, and
    /// until when to look again:
    /// - one that takes focus (a centred post, a modal tour step) while the
    ///   user types into a field, whose next keys would land in it;
    /// - any but a tooltip or hotspot while the page shows its own modal
    ///   dialog (`<dialog>` opened modal, or `aria-modal`): it would open
    ///   under the dialog's backdrop unseen, counted as shown, or on top of
    ///   it, fighting the dialog's focus trap. An element's own tooltip may
    ///   point into the dialog. Looked at again every second until closed.
    ///
    /// `page_dialog` caches the page lookup for one evaluation.
    fn held_back(
        &self,
        id: &str,
        typing_until: Option<f64>,
        page_dialog: &mut Option<bool>,
    ) -> Option<(&'static str, f64)> {
        let message = self.message(id)?;
        if let Some(until) = typing_until {
            if ui::takes_focus(message, self.tour_step(id).unwrap_or(0)) {
                return Some(("the user is typing", until));
            }
        }
        let anchored = matches!(message.kind, MessageKind::Tooltip | MessageKind::Hotspot);
        (!anchored && *page_dialog.get_or_insert_with(page::dialog_open))
            .then(|| ("the page shows its own dialog", now_ms() + 1_000.0))
    }

    /// Until when the user counts as typing (focus in a field of the page,
    /// a key pressed less than [`TYPING_PAUSE_MS`] ago); `None` if not.
    fn typing_until(&self) -> Option<f64> {
        let until = self.last_key_at + TYPING_PAUSE_MS;
        (until > now_ms() && page::focus_in_field()).then_some(until)
    }

    /// Draws one message; whether it is now on screen.
    fn open(&mut self, id: &str) -> bool {
        let Some(message) = self.message(id) else {
            return false;
        };
        let message_id = id.to_owned();
        // Events defer to a microtask so the surface (and the listener
        // running the callback) is dropped after the callback returns.
        let emit: ui::Emit = Rc::new(move |event: UiEvent| {
            let id = message_id.clone();
            later(move |rt| rt.on_ui_event(&id, event));
        });
        match ui::show(message, &self.env_for(id), emit) {
            Ok(view) => {
                self.surfaces.insert(
                    id.to_owned(),
                    OnScreen {
                        view,
                        since: now_ms(),
                    },
                );
                self.record(event_names::SHOWN, Some(id), Map::new());
                listeners::emit("message:shown", listeners::message_payload(id));
                true
            }
            Err(e) => {
                if self.failed.insert(id.to_owned()) {
                    warn(&["message ", id, ": ", &e.describe()].concat());
                }
                false
            }
        }
    }

    fn env(&self) -> Env {
        let mut env = Env {
            locale: self.locale.clone(),
            attributes: match &self.attributes {
                Value::Object(m) => m.clone(),
                _ => Map::new(),
            },
            ..Env::default()
        };
        if let Some(z) = self.options.z_index {
            env.z_index = z;
        }
        (env.theme_vars, env.theme_mode) = self.options.theme.host_theme();
        let has_messenger = self.messenger.is_some() || self.messenger_waiting.is_some();
        if has_messenger && !self.options.hide_default_launcher {
            env.launcher = Some(self.options.alignment);
        }
        env
    }

    /// Notes that this tab is alive and deciding, for tabs that open later,
    /// at most every [`MARK_EVERY_MS`]: each `localStorage` write is a
    /// `storage` event in every other tab of the app, whose own listeners
    /// run for it, and a tab that opens only asks whether another one was
    /// active in the last half minute.
    fn heartbeat(&mut self) {
        let now = now_ms();
        if now - self.beat_at < MARK_EVERY_MS {
            return;
        }
        if let Some(tabs) = &self.tabs {
            let beat = [tabs.tab.as_str(), ":", &crate::storage::ms_text(now)].concat();
            self.storage.set("tab-beat", &beat);
            self.beat_at = now;
        }
    }

    /// Whether another tab of this user decided something in the last
    /// half minute (so it may have messages open).
    pub(crate) fn other_tab_active(&self) -> bool {
        let Some(tabs) = &self.tabs else { return false };
        self.storage.get("tab-beat").is_some_and(|beat| {
            beat.split_once(':').is_some_and(|(tab, at)| {
                tab != tabs.tab
                    && crate::storage::ms_from_text(at).is_some_and(|t| now_ms() - t < 30_000.0)
            })
        })
    }

    fn announce_showing(&self) {
        if let Some(tabs) = &self.tabs {
            let claims = self
                .surfaces
                .iter()
                .map(|(id, s)| Claim {
                    id: id.clone(),
                    since: s.since,
                })
                .collect();
            tabs.post(&TabMessage::Showing {
                tab: tabs.tab.clone(),
                claims,
            });
        }
    }

    fn on_ui_event(&mut self, id: &str, event: UiEvent) {
        match event {
            // Recorded before closing: the other tabs must hear of the
            // dismissal before they hear the message is no longer open here.
            UiEvent::Dismissed => {
                self.record(event_names::DISMISSED, Some(id), Map::new());
                self.close(id);
                listeners::emit("message:dismissed", listeners::message_payload(id));
            }
            UiEvent::Clicked(action) => {
                self.record(event_names::CLICKED, Some(id), Map::new());
                listeners::emit("message:clicked", listeners::message_payload(id));
                self.act(&action.target);
            }
            UiEvent::Completed => self.complete(id),
            UiEvent::Step(step) => self.record_step(id, step),
            UiEvent::TaskClicked(task) => self.record_task(id, &task),
        }
        self.evaluate();
    }

    fn close(&mut self, id: &str) {
        // A message the app started is started once: after the user closed
        // it, only another call brings it back (a tour whose frequency is
        // "until completed" came straight back at step 1 after Skip).
        self.forced.remove(id);
        self.page.api_triggered.remove(id);
        if self.surfaces.remove(id).is_some() {
            self.announce_showing();
            self.place_corners();
        }
    }

    /// Carries out a message's action.
    fn act(&mut self, target: &ActionTarget) {
        match target {
            ActionTarget::Url { url } => {
                if is_safe_url(url) {
                    if let Ok(w) = window() {
                        let _ = w.location().assign(url);
                    }
                } else {
                    warn(
                        &[
                            "refused to open a link that is not http(s), mailto or relative: ",
                            url,
                        ]
                        .concat(),
                    );
                }
            }
            ActionTarget::Tour { message_id } => self.start(message_id),
            ActionTarget::Article { article_id } => self.open_article(article_id),
            ActionTarget::Messenger { text } => self.open_conversation(text.as_deref()),
        }
    }

    /// Shows a message now, whatever its rules say (`startTour`,
    /// `startChecklist`).
    pub(crate) fn start(&mut self, id: &str) {
        if self.message(id).is_none() && !self.answered {
            // An app that starts its tour right after boot, on a first
            // visit: the tour comes with the server's answer.
            if !self.waiting_starts.iter().any(|w| w == id) {
                self.waiting_starts.push(id.to_owned());
            }
            return;
        }
        if self.force(id) {
            self.evaluate();
        }
    }

    /// Marks a live message as started through the API; whether it is one.
    fn force(&mut self, id: &str) -> bool {
        if self.message(id).is_none() {
            let why = if self.known {
                "`"
            } else {
                "` (the server has not answered, so its messages are not known)"
            };
            warn(&["no live message with id `", id, why].concat());
            return false;
        }
        self.forced.insert(id.to_owned());
        self.page.api_triggered.insert(id.to_owned());
        true
    }

    /// Records an event everywhere it must go: the state, storage, the
    /// other tabs, the outbox.
    pub(crate) fn record(
        &mut self,
        name: &str,
        message_id: Option<&str>,
        data: Map<String, Value>,
    ) {
        let event = Event {
            id: random_id(),
            name: name.to_owned(),
            ts: now_ms(),
            message_id: message_id.map(str::to_owned),
            data,
        };
        self.state.apply(&event);
        if let Some(tabs) = &self.tabs {
            tabs.queue_event(event.clone());
        }
        self.outbox.push(event);
        // Storage is written, and the other tabs told, once at the end of
        // the task, however many events it recorded (see `Outbox::push`).
        if !self.write_scheduled {
            self.write_scheduled = true;
            later(Runtime::end_of_task);
        }
        self.flush_soon();
    }

    /// Sends the queued events now, or [`SEND_INTERVAL_MS`] after the last
    /// batch if that was sooner.
    fn flush_soon(&mut self) {
        if self.send_timer.is_some() {
            return;
        }
        let wait = self.last_send + SEND_INTERVAL_MS - now_ms();
        if wait <= 0.0 {
            self.flush();
            return;
        }
        self.send_timer = Some(Timeout::new(wait as u32, || {
            later(|rt| {
                rt.send_timer = None;
                rt.flush();
            })
        }));
    }

    /// Writes the state and the outbox that `record` changed in this task,
    /// then evaluates if a `track` asked for it.
    pub(super) fn end_of_task(&mut self) {
        self.write_storage();
        if std::mem::take(&mut self.evaluate_due) {
            self.evaluate();
        }
    }

    /// Writes the state and the outbox that `record` changed in this task,
    /// and tells the other tabs what it recorded.
    pub(super) fn write_storage(&mut self) {
        if std::mem::take(&mut self.write_scheduled) {
            self.save_state();
            self.outbox.write();
        }
        if let Some(tabs) = &self.tabs {
            tabs.post_queued_events();
        }
    }

    /// Writes the state, its app event names bounded first: the stalest go,
    /// the ones a live message counts stay ([`UserState::bound_events`]).
    fn save_state(&mut self) {
        let messages = &self.messages;
        self.state
            .bound_events(|name| messages.iter().any(|m| m.counts_event(name)));
        match to_json_string(&self.state) {
            Ok(text) => self.storage.set("state", &text),
            Err(e) => warn(&e.describe()),
        }
        // The session's last activity only decides whether the next page
        // view starts a new session, 30 minutes on: written at most every
        // [`MARK_EVERY_MS`] too.
        let now = now_ms();
        if now - self.session_touched_at >= MARK_EVERY_MS {
            boot::touch_session(&self.storage);
            self.session_touched_at = now;
        }
    }

    /// `track(name, metadata)`: an app event, which event triggers and goals
    /// count.
    pub(crate) fn track(&mut self, name: &str, data: Map<String, Value>) {
        self.record(name, None, data);
        self.advance_tours(name);
        // Once at the end of the task, however many events it tracked.
        self.evaluate_due = true;
    }

    /// `update(attributes)`: new attributes apply at once; the server hears
    /// of them in the background.
    pub(crate) fn update(&mut self, attributes: Map<String, Value>) {
        if !self.attributes.is_object() {
            self.attributes = Value::Object(Map::new());
        }
        let Some(current) = self.attributes.as_object_mut() else {
            return;
        };
        let mut changed = false;
        for (k, v) in attributes {
            if current.get(&k) != Some(&v) {
                current.insert(k.clone(), v.clone());
                self.unsent_attributes.insert(k, v);
                changed = true;
            }
        }
        if !changed {
            return;
        }
        if self.update_timer.is_none() {
            self.update_timer = Some(Timeout::new(UPDATE_DELAY_MS, || {
                later(|rt| {
                    rt.update_timer = None;
                    rt.send_attributes(false);
                })
            }));
        }
        self.evaluate();
    }

    /// The server never answered this boot (it was down, or the browser
    /// offline) and seems reachable now: ask again, with the attributes
    /// waiting, so the app's messages show without a reload.
    fn boot_again_if_unanswered(&mut self) {
        // `answered` without `reached`: the boot's own request failed (one
        // still on its way is not asked twice).
        if self.answered && !self.reached && !self.boot_retrying {
            self.boot_retrying = true;
            let attributes = std::mem::take(&mut self.unsent_attributes);
            self.update_timer = None;
            boot::refresh(self, attributes, false);
        }
    }

    /// Attributes the server did not receive (it was unreachable) wait for
    /// the next send, under any newer value of the same key.
    pub(super) fn requeue_attributes(&mut self, attributes: Map<String, Value>) {
        for (k, v) in attributes {
            self.unsent_attributes.entry(k).or_insert(v);
        }
    }

    /// Sends the attributes `update` gathered, if any (`leaving`: the page
    /// is going away, so the request must outlive it).
    fn send_attributes(&mut self, leaving: bool) {
        self.update_timer = None;
        if !self.unsent_attributes.is_empty() {
            let attributes = std::mem::take(&mut self.unsent_attributes);
            boot::refresh(self, attributes, leaving);
        }
    }

    /// `page()`: the app says the page changed (a router the SDK cannot see).
    pub(crate) fn page(&mut self) {
        let url = page_url();
        self.new_page_view(url);
        self.evaluate();
    }

    /// Sends the next batch of queued events, if none is on its way and
    /// no retry is waiting: events tracked during a backoff (or a server's
    /// `Retry-After`) wait for it too, instead of each sending at once.
    pub(crate) fn flush(&mut self) {
        if self.retry.is_some() {
            return;
        }
        let Some(batch) = self.outbox.take_batch() else {
            return;
        };
        self.last_send = now_ms();
        let (base, app, user) = (
            self.api_base.clone(),
            self.app_id.clone(),
            self.user.clone(),
        );
        let generation = boot::generation();
        wasm_bindgen_futures::spawn_local(async move {
            let (sent, outcome) = outbox::send(&base, &app, &user, batch, false).await;
            if boot::generation() != generation {
                // Another user's runtime now: this answer is not its queue's.
                return;
            }
            let reachable = outcome.is_ok();
            with_runtime(|rt| {
                if reachable {
                    rt.boot_again_if_unanswered();
                }
                match rt.outbox.answered(&sent, &outcome) {
                    Next::Send => rt.flush(),
                    // Events tracked while the batch was on its way wait
                    // their turn.
                    Next::SendSoon => rt.flush_soon(),
                    Next::RetryIn(ms) => {
                        rt.retry = Some(Timeout::new(ms, || {
                            later(|rt| {
                                rt.retry = None;
                                rt.flush();
                            })
                        }));
                    }
                    Next::Idle => {}
                }
            });
        });
    }

    /// The page is going away: send everything with `keepalive`, which
    /// outlives the page. The events stay queued until acknowledged, so if
    /// the page does survive (it was only hidden) nothing changes.
    fn flush_before_leaving(&mut self) {
        self.send_attributes(true);
        if self.outbox.is_empty() {
            return;
        }
        // Sent on behalf of this runtime, which may be gone (shut down, or
        // another user booted) when the answers come: they are then the
        // stored queue's to settle, at this user's next boot.
        let generation = boot::generation();
        for batch in self.outbox.all().chunks(outbox::BATCH) {
            let (base, app, user) = (
                self.api_base.clone(),
                self.app_id.clone(),
                self.user.clone(),
            );
            let batch = batch.to_vec();
            wasm_bindgen_futures::spawn_local(async move {
                let (sent, outcome) = outbox::send(&base, &app, &user, batch, true).await;
                if outcome.is_ok() && boot::generation() == generation {
                    with_runtime(|rt| rt.outbox.answered(&sent, &outcome));
                }
            });
        }
    }

    fn on_signal(&mut self, signal: Signal) {
        let now = now_ms();
        match signal {
            Signal::Route => {
                let url = page_url();
                if url != self.url {
                    self.new_page_view(url);
                    self.evaluate();
                }
            }
            Signal::Scroll(event) => {
                self.page.last_input_at = now;
                let Some(percent) = page::scroll_percent(&event) else {
                    return;
                };
                let crossed = self.compiled.iter().any(|m| {
                    matches!(m.targeting.trigger, Trigger::Scroll { percent: p }
                        if percent >= p && self.page.scroll_percent < p)
                });
                self.page.scroll_percent = self.page.scroll_percent.max(percent);
                if crossed {
                    self.evaluate();
                }
            }
            Signal::ExitIntent => {
                if !self.page.exit_intent {
                    self.page.exit_intent = true;
                    self.evaluate();
                }
            }
            Signal::Input => self.page.last_input_at = now,
            Signal::Key => {
                self.page.last_input_at = now;
                self.last_key_at = now;
            }
            Signal::Click(event) | Signal::Hover(event) => {
                let clicked = event.type_() == "click";
                if clicked {
                    self.page.last_input_at = now;
                }
                let mut hit = false;
                for (selector, on) in &self.element_triggers {
                    let wanted = if clicked {
                        *on == ElementAction::Clicked
                    } else {
                        *on == ElementAction::Hovered
                    };
                    if wanted && page::path_matches(&event, selector) {
                        let facts = self.page.elements.get_or_default(selector);
                        let slot = if clicked {
                            &mut facts.clicked
                        } else {
                            &mut facts.hovered
                        };
                        hit |= !*slot;
                        *slot = true;
                    }
                }
                if clicked {
                    let done: Vec<(String, String)> = self
                        .task_clicks
                        .iter()
                        .filter(|(_, _, selector)| page::path_matches(&event, selector))
                        .map(|(message, task, _)| (message.clone(), task.clone()))
                        .collect();
                    for (message, task) in done {
                        hit = true;
                        self.record_task(&message, &task);
                    }
                }
                if hit {
                    self.evaluate();
                }
            }
            Signal::Mutation => {
                if self.debounce.is_none() {
                    self.debounce = Some(Timeout::new(50, || {
                        later(|rt| {
                            rt.debounce = None;
                            if rt.check_elements() {
                                rt.evaluate();
                            }
                        })
                    }));
                }
            }
            Signal::Hidden => self.flush_before_leaving(),
            Signal::Leaving => {
                self.flush_before_leaving();
                // Leaves the other tabs, saying goodbye (dropping `Tabs`).
                // A closed tab runs no destructor: without the goodbye its
                // claims would keep its messages from every other tab
                // until they reload. And a page kept in the back-forward
                // cache must not listen: Chromium evicts a cached page that
                // a channel message reaches, and the app's next page says
                // hello as soon as it boots, so no page of the app would
                // ever come back from the cache.
                self.away = self.tabs.take().is_some();
            }
            // Restored from the back-forward cache: both `visibilitychange`
            // (first, in Chromium) and `pageshow` come; the first rejoins.
            Signal::Visible | Signal::Back if self.away => self.come_back(),
            Signal::Visible => self.tab_shown(),
            Signal::Back => self.evaluate(),
            Signal::Online => {
                self.boot_again_if_unanswered();
                self.send_attributes(false);
                // Back online: the backoff from the failures offline is over.
                self.retry = None;
                self.flush();
            }
        }
    }

    /// A route change: a new page view with fresh observations; delayed
    /// triggers of the old page no longer count.
    fn new_page_view(&mut self, url: String) {
        let now = now_ms();
        self.url = url;
        self.elements_of_page();
        self.page = PageFacts {
            viewed_at: now,
            last_input_at: now,
            api_triggered: std::mem::take(&mut self.page.api_triggered),
            ..PageFacts::default()
        };
        self.failed.clear();
        self.wake = None;
        self.element_deadline = now + f64::from(ELEMENT_WAIT_MS);
        self.check_elements();
    }

    /// Looks for elements `present` triggers wait for; whether one appeared.
    /// The page's shadow roots are searched as often as [`ShadowSearch`]
    /// allows; an element not searched for keeps what was known of it.
    fn check_elements(&mut self) -> bool {
        let mut appeared = false;
        let mut roots = Vec::new();
        // Whether the shadow roots may be searched, asked once, when needed.
        let mut deep = None;
        for (selector, on) in &self.element_triggers {
            if *on != ElementAction::Present {
                continue;
            }
            let present = if page::query_light(selector).is_some() {
                true
            } else if *deep.get_or_insert_with(|| {
                self.shadow_search.may_search(|| {
                    later(|rt| {
                        if rt.check_elements() {
                            rt.evaluate();
                        }
                    })
                })
            }) {
                page::query_deep(selector, |r| roots.push(r.clone())).is_some()
            } else {
                continue;
            };
            let facts = self.page.elements.get_or_default(selector);
            appeared |= present && !facts.present;
            facts.present = present;
        }
        if let Some(observer) = &self.dom_observer {
            for root in roots {
                observer.watch(root.as_ref());
            }
        }
        appeared
    }

    /// Keeps a DOM observer while a `present` trigger still waits on this
    /// page view, and not after [`ELEMENT_WAIT_MS`]; or while a tooltip's
    /// element is missing.
    fn watch_elements(&mut self) {
        let missing =
            |selector: &String| !self.page.elements.get(selector).is_some_and(|f| f.present);
        let in_time = now_ms() < self.element_deadline;
        let trigger_waits = in_time
            && self.element_triggers.iter().any(|(selector, on)| {
                *on == ElementAction::Present
                    && !self.anchors.contains(selector)
                    && missing(selector)
            });
        let waiting = trigger_waits || self.anchors.iter().any(missing);
        if waiting {
            if self.dom_observer.is_none() {
                self.dom_observer =
                    DomObserver::start(|| later(|rt| rt.on_signal(Signal::Mutation)));
                let left = (self.element_deadline - now_ms()).max(0.0) as u32;
                self.debounce = None;
                // Re-run once at the deadline so the observer is dropped.
                self.element_timer = Some(Timeout::new(left.saturating_add(10), || {
                    later(Runtime::evaluate)
                }));
            }
        } else {
            self.dom_observer = None;
            self.element_timer = None;
        }
    }

    /// The user came back to this tab. The other tabs' claims are asked
    /// for again, and the messages decided once the tabs alive have
    /// answered: a tab that was killed without `pagehide` (as some mobile
    /// browsers do) answers nothing, so its claims go.
    fn tab_shown(&mut self) {
        let Some(tabs) = &mut self.tabs else {
            self.evaluate();
            return;
        };
        tabs.forget_others();
        tabs.hello();
        self.decide_after_other_tabs();
    }

    /// The page is back after `pagehide` (restored from the back-forward
    /// cache). What the other tabs recorded meanwhile, with the channel
    /// closed, is in storage (each tab writes the whole state); their
    /// claims are asked for again, this tab's are told, and the messages
    /// decided once the tabs have answered. A tab that took one of this
    /// tab's messages after its goodbye gives it back, since this tab's
    /// claim is older.
    ///
    /// It rejoins under a new tab id: Chromium holds the goodbye posted at
    /// `pagehide` while the page is frozen and delivers it after the page
    /// is back, where it would take away the claims just made.
    fn come_back(&mut self) {
        self.away = false;
        if let Some(stored) = boot::stored_state(&self.storage) {
            self.state.merge(&stored);
        }
        self.join_tabs(random_id());
        self.announce_showing();
        self.decide_after_other_tabs();
    }

    /// Decides [`TAB_GRACE_MS`] from now, once the other tabs have said
    /// what they show, so a message open there does not flash here.
    pub(super) fn decide_after_other_tabs(&mut self) {
        self.grace_until = now_ms() + f64::from(TAB_GRACE_MS);
        self.wake = Some(Timeout::new(TAB_GRACE_MS, || later(Runtime::evaluate)));
    }

    /// Takes in what another tab recorded; a dismissal or completion there
    /// closes the message here too.
    fn apply_other_tabs_event(&mut self, event: &Event) {
        self.state.apply(event);
        if let Some(id) = &event.message_id {
            if event.name == event_names::DISMISSED || event.name == event_names::COMPLETED {
                self.close(id);
            }
        }
    }

    fn on_tab_message(&mut self, msg: TabMessage) {
        if let Some(tabs) = &mut self.tabs {
            tabs.note(&msg);
        }
        match msg {
            TabMessage::Event { event } => {
                self.apply_other_tabs_event(&event);
                self.evaluate();
            }
            TabMessage::Events { events } => {
                for event in &events {
                    self.apply_other_tabs_event(event);
                }
                self.evaluate();
            }
            TabMessage::Hello { .. } => self.announce_showing(),
            TabMessage::Showing { .. } => self.evaluate(),
            // A tab that left gives its messages up, to a tab the user
            // looks at: a hidden one takes them when it is visible again
            // (else reloading the tab in front would move its banner to
            // a tab behind).
            TabMessage::Bye { .. } if !page::page_hidden() => self.evaluate(),
            TabMessage::Bye { .. } => {}
        }
    }
}

/// This tab's id, kept in `sessionStorage` so a reload is the same tab.
fn tab_id() -> String {
    let session = window()
        .ok()
        .and_then(|w| w.session_storage().ok().flatten());
    if let Some(id) = session
        .as_ref()
        .and_then(|s| s.get_item("beckon:tab").ok().flatten())
    {
        return id;
    }
    let id = random_id();
    if let Some(s) = session {
        let _ = s.set_item("beckon:tab", &id);
    }
    id
}

/// A `{…}` JS object of the runtime's public figures, for `Beckon('status')`
/// and tests.
pub fn status() -> JsValue {
    let obj = js_sys::Object::new();
    with_runtime(|rt| {
        let set = |k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(&obj, &k.into(), &v);
        };
        set("user_key", JsValue::from_str(&rt.user_key));
        set("queued", JsValue::from_f64(rt.outbox.len() as f64));
        let showing = js_sys::Array::new();
        for id in rt.surfaces.keys() {
            showing.push(&JsValue::from_str(id));
        }
        set("showing", showing.into());
    });
    obj.into()
}
