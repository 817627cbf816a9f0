//! Booting and shutting down.
//!
//! A boot shows messages before the network answers: the last boot answer
//! for this user is cached, so the runtime starts from it (and from the
//! state this browser recorded), and reconciles when the server's answer
//! arrives. A server that is down leaves the cached messages working and
//! the events queued.

use std::cell::{Cell, RefCell};

use beckon_core::protocol::{
    BootRequest, BootResponse, PageContext, UserIdentity, PROTOCOL_VERSION,
};
use beckon_core::state::UserState;
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

use super::options::{BootOptions, Defaults};
use super::outbox::Outbox;
use super::{listeners, now_ms, page_url, random_id, window, with_runtime, Runtime, RUNTIME};
use crate::client::{from_json_str, post, Answer};
use crate::error::{warn, SdkError, SdkResult};
use crate::storage::{ms_from_text, ms_text, Storage};

/// Inactivity after which the next page view starts a new session (the
/// attention budget counts per session), as analytics tools define it.
const SESSION_GAP_MS: f64 = 30.0 * 60_000.0;

/// Users of an app whose cached boot answer and state this browser keeps:
/// the ones active last. Each costs about 8 KB of `localStorage`, a quota
/// the app itself shares; an agent impersonating users, or a shared
/// computer, would otherwise fill it up until the app's own writes fail.
const USERS_KEPT: usize = 5;

/// A boot answer longer than this (an app with hundreds of rich messages)
/// is not cached: a reload then waits for the server. Five users' answers
/// of this size are already an eighth of the origin's `localStorage`
/// quota, which the app's own writes share.
pub const MAX_CACHED_BOOT_BYTES: usize = 128 * 1024;

thread_local! {
    /// The boot request the loader sent while the module was still
    /// downloading: its identity key and the `fetch` promise.
    static PREFETCH: RefCell<Option<(String, js_sys::Promise)>> = const { RefCell::new(None) };
    static DEFAULTS: RefCell<Defaults> = RefCell::new(Defaults::default());
    /// Counts boots, so the answer of a boot that a later boot replaced is
    /// ignored.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
}

/// Records the loader's defaults.
pub fn set_defaults(defaults: Defaults) {
    DEFAULTS.with(|d| *d.borrow_mut() = defaults);
}

/// Takes the loader's early boot request (see `js/loader.js`).
pub fn set_prefetch(key: String, response: js_sys::Promise) {
    PREFETCH.with(|p| *p.borrow_mut() = Some((key, response)));
}

/// The identity a boot request is for, as the loader writes it: the JSON
/// of `[app_id, user_id, anonymous_id, email, user_hash, user_jwt,
/// attributes]`. A prefetched answer is used only for exactly this user.
fn identity_key(app_id: &str, user: &UserIdentity) -> Option<String> {
    let opt = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    let parts = js_sys::Array::new();
    parts.push(&JsValue::from_str(app_id));
    parts.push(&opt(&user.user_id));
    parts.push(&opt(&user.anonymous_id));
    parts.push(&opt(&user.email));
    parts.push(&opt(&user.user_hash));
    parts.push(&opt(&user.user_jwt));
    // Through the host's JSON, so numbers are written as the loader's
    // `JSON.stringify` writes them.
    let attributes = crate::client::to_json_string(&user.attributes).ok()?;
    parts.push(&js_sys::JSON::parse(&attributes).ok()?);
    crate::client::stringify(&parts).ok().map(String::from)
}

/// The boot answer: the loader's early request when it was for this very
/// user, else a request of our own.
async fn ask_server(api_base: &str, request: &BootRequest) -> SdkResult<Answer> {
    let prefetched = PREFETCH.with(|p| p.borrow_mut().take());
    if let Some((key, promise)) = prefetched {
        if identity_key(&request.app_id, &request.user).as_deref() == Some(key.as_str()) {
            // `{status, text}`, the body already read by the loader; a
            // network failure rejects, and the SDK then asks itself.
            if let Ok(answer) = wasm_bindgen_futures::JsFuture::from(promise).await {
                let get = |name: &str| js_sys::Reflect::get(&answer, &JsValue::from_str(name));
                if let Some(status) = get("status").ok().and_then(|s| s.as_f64()) {
                    let text = get("text").ok().and_then(|t| t.as_string());
                    return Ok(Answer {
                        status: status as u16,
                        text,
                        // The loader reads no headers; a refused early
                        // boot is retried by the usual backoff.
                        retry_after_ms: None,
                    });
                }
            }
        }
    }
    post(api_base, "/v1/boot", request, false).await
}

/// The boot answer read, with its text as it came for the cache (the wasm
/// needs no serializer for the whole protocol, about 13 KB, and the text
/// is not written again).
fn boot_answer(answer: SdkResult<Answer>) -> SdkResult<(BootResponse, String)> {
    let (json, text) = answer?.into_json()?;
    let response = read_boot(json).map_err(SdkError::Server)?;
    Ok((response, text))
}

/// Reads a boot answer (the server's, or the cached one) leaving out, with
/// one warning, each message this SDK cannot read, rather than failing the
/// whole answer: after a deploy, a tab that still runs the SDK it loaded
/// before gets answers from the new server, whose messages may use a field
/// or a kind it does not know, and it showed nothing at all until reloaded.
/// Such a message is left out, not read without what it does not know (a
/// targeting rule it skipped could show it to the wrong people).
fn read_boot(mut json: Value) -> Result<BootResponse, String> {
    let items = match json.get_mut("messages") {
        Some(Value::Array(items)) => std::mem::take(items),
        _ => Vec::new(), // reported by the whole answer's reading below
    };
    let mut response: BootResponse = crate::client::from_value(json)?;
    let mut left_out = Vec::new();
    for item in items {
        let id = item.get("id").and_then(Value::as_str).map(str::to_owned);
        match crate::client::from_value(item) {
            Ok(message) => response.messages.push(message),
            Err(why) => left_out.push([id.as_deref().unwrap_or("?"), " (", &why, ")"].concat()),
        }
    }
    if !left_out.is_empty() {
        warn(
            &[
                "this SDK cannot read these messages, so they are not shown (a newer server? \
                 reloading the page loads its SDK): ",
                &left_out.join(", "),
            ]
            .concat(),
        );
    }
    Ok(response)
}

fn app_storage(app_id: &str) -> Storage {
    Storage::with_prefix(["beckon:", app_id, ":"].concat())
}

/// The visitor id kept for this app on this browser, made on first visit.
fn anonymous_id(app_id: &str) -> String {
    let storage = app_storage(app_id);
    if let Some(id) = storage.get("anonymous_id").filter(|id| !id.is_empty()) {
        return id;
    }
    let id = random_id();
    storage.set("anonymous_id", &id);
    id
}

/// The stored session as `(start, last activity)`, both ms.
fn read_session(storage: &Storage) -> Option<(f64, f64)> {
    let s = storage.get("session")?;
    let (start, last) = s.split_once(':')?;
    Some((ms_from_text(start)?, ms_from_text(last)?))
}

fn write_session(storage: &Storage, start: f64, last: f64) {
    storage.set(
        "session",
        &[ms_text(start), ":".into(), ms_text(last)].concat(),
    );
}

/// When the current session began: now, unless the last activity was
/// within [`SESSION_GAP_MS`].
fn session_start(storage: &Storage, now: f64) -> f64 {
    let start = match read_session(storage) {
        Some((start, last)) if now - last < SESSION_GAP_MS => start,
        _ => now,
    };
    write_session(storage, start, now);
    start
}

/// The user state this browser stored in `storage` (by this tab or
/// another), if it reads.
pub(super) fn stored_state(storage: &Storage) -> Option<UserState> {
    storage
        .get("state")
        .and_then(|t| from_json_str::<UserState>(&t).ok())
}

/// What this browser caches of a user, the server's to give again at their
/// next boot (events and messages not sent yet are kept apart from it).
const CACHED_PER_USER: [&str; 4] = ["boot", "state", "session", "tab-beat"];

/// The storage of the visitor `anonymous`.
fn visitor_storage(app_id: &str, anonymous: &str) -> Storage {
    Storage::for_user(app_id, &["anon:", anonymous].concat())
}

/// As a visitor logs in (an identified boot carries the visitor id, and
/// the server merges the visitor into the user), what this browser kept
/// of the visitor counts for the user at once: the visitor's state and the
/// events not sent yet. A banner the visitor dismissed a moment before
/// logging in came back after the login, its dismissal still in the
/// visitor's queue, which nothing sent once the visitor was gone. The
/// queue itself moves once the server has accepted the login
/// ([`Runtime::adopt_visitor`]).
fn add_visitors_state(app_id: &str, anonymous: &str, state: &mut UserState) {
    let visitor = visitor_storage(app_id, anonymous);
    if let Some(theirs) = stored_state(&visitor) {
        state.merge(&theirs);
    }
    for event in Outbox::open(visitor).all() {
        state.apply(&event);
    }
}

/// Forgets what this browser cached for all but the [`USERS_KEPT`] users
/// active last (by their session's last activity), the user of `current`
/// always kept. What goes is the server's to give again at that user's
/// next boot; events not yet sent (`outbox`) and unsent messages stay.
fn forget_stale_users(app_id: &str, current: &Storage) {
    let mut users: Vec<(f64, Storage)> = app_storage(app_id)
        .names()
        .into_iter()
        .filter_map(|name| {
            let user = Storage::for_user(app_id, name.strip_suffix(":session")?);
            (user.prefix() != current.prefix()).then_some(user)
        })
        .map(|user| (read_session(&user).map_or(0.0, |(_, l)| l), user))
        .collect();
    if users.len() < USERS_KEPT {
        return;
    }
    beckon_core::sort_small_by(&mut users, |a, b| a.0 > b.0);
    for (_, user) in users.into_iter().skip(USERS_KEPT - 1) {
        for name in CACHED_PER_USER {
            user.remove(name);
        }
    }
}

/// Marks activity now, extending the session.
pub(super) fn touch_session(storage: &Storage) {
    let now = now_ms();
    let start = read_session(storage).map_or(now, |(start, _)| start);
    write_session(storage, start, now);
}

/// A boot request for `user` on the page at `url`.
fn boot_request(
    app_id: String,
    user: UserIdentity,
    url: String,
    title: Option<String>,
    locale: Option<String>,
) -> BootRequest {
    BootRequest {
        v: PROTOCOL_VERSION,
        app_id,
        user,
        page: PageContext { url, title, locale },
        sent_at: Some(js_sys::Date::now()),
    }
}

fn browser_locale() -> Option<String> {
    window().ok().and_then(|w| w.navigator().language())
}

/// Boots for a user: starts at once from the cache, then asks the server
/// and reconciles.
pub async fn boot(options: BootOptions) -> SdkResult<()> {
    // The same user booted again the same way (an app that boots on every
    // route or render): its new attributes are an update. Tearing down
    // would close the messenger and redraw every message.
    let again = with_runtime(|rt| {
        let same = rt.options.same_but_attributes(&options);
        if same {
            rt.update(options.attributes.clone());
        }
        same
    });
    if again == Some(true) {
        return Ok(());
    }
    shutdown(false);
    let generation = GENERATION.with(|g| {
        g.set(g.get().wrapping_add(1));
        g.get()
    });
    let defaults = DEFAULTS.with(|d| d.borrow().clone());
    let app_id = options
        .app_id
        .clone()
        .or(defaults.app_id)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| SdkError::BadArgument("boot needs an app_id".into()))?;
    let api_base = match options.api_base.clone().or(defaults.api_base) {
        Some(base) => base,
        None => window()?
            .location()
            .origin()
            .map_err(|_| SdkError::Browser("no origin".into()))?,
    };
    let user_id = options.user_id.clone().filter(|u| !u.is_empty());
    // The visitor id travels with an identified boot too, so the server
    // merges what the visitor did before logging in into the user.
    let anonymous = anonymous_id(&app_id);
    let key = match &user_id {
        Some(u) => u.clone(),
        None => ["anon:", &anonymous].concat(),
    };
    let identity = UserIdentity {
        user_id: user_id.clone(),
        anonymous_id: Some(anonymous),
        email: options.email.clone(),
        attributes: options.attributes.clone(),
        user_hash: options.user_hash.clone(),
        user_jwt: options.user_jwt.clone(),
    };
    let storage = Storage::for_user(&app_id, &key);
    let cached = storage
        .get("boot")
        .and_then(|t| beckon_core::json::text::parse(&t).ok())
        .and_then(|json| read_boot(json).ok());
    let mut state = stored_state(&storage).unwrap_or_default();
    if user_id.is_some() {
        if let Some(visitor) = &identity.anonymous_id {
            add_visitors_state(&app_id, visitor, &mut state);
        }
    }
    let now = now_ms();
    let mut runtime = Runtime {
        app_id: app_id.clone(),
        api_base: api_base.clone(),
        user: UserIdentity {
            user_id: identity.user_id.clone(),
            anonymous_id: identity.anonymous_id.clone(),
            user_hash: identity.user_hash.clone(),
            user_jwt: identity.user_jwt.clone(),
            ..UserIdentity::default()
        },
        user_key: cached.as_ref().map_or(key.clone(), |c| c.user_key.clone()),
        attributes: Value::Object(options.attributes.clone()),
        locale: options
            .locale
            .clone()
            .or_else(browser_locale)
            .unwrap_or_else(|| "en".to_owned()),
        options,
        state: UserState::default(),
        messages: Vec::new(),
        compiled: Vec::new(),
        element_triggers: Vec::new(),
        anchors: Vec::new(),
        task_clicks: Vec::new(),
        messenger: None,
        messenger_waiting: None,
        lift: None,
        settings: Default::default(),
        session_start: session_start(&storage, now),
        url: String::new(),
        page: Default::default(),
        surfaces: Default::default(),
        forced: Default::default(),
        answered: false,
        known: false,
        reached: false,
        boot_retrying: false,
        ready_emitted: false,
        waiting_starts: Vec::new(),
        waiting_messenger: None,
        clock_skew: 0.0,
        failed: Default::default(),
        outbox: Outbox::open(Storage::for_user(&app_id, &key)),
        storage,
        tabs: None,
        away: false,
        watcher: None,
        dom_observer: None,
        element_deadline: 0.0,
        grace_until: 0.0,
        element_timer: None,
        shadow_search: Default::default(),
        wake: None,
        retry: None,
        debounce: None,
        unsent_attributes: Map::new(),
        update_timer: None,
        last_send: 0.0,
        send_timer: None,
        last_key_at: 0.0,
        beat_at: 0.0,
        session_touched_at: 0.0,
        write_scheduled: false,
        evaluate_due: false,
        debug_last: Vec::new(),
    };
    let had_cache = cached.is_some();
    if let Some(c) = cached {
        runtime.known = true;
        state.merge(&c.state);
        runtime.settings = c.settings;
        runtime.clock_skew = c.clock_skew;
        runtime.set_messages(c.messages);
        runtime.set_messenger(c.messenger, c.session);
    }
    runtime.state = state;
    runtime.new_page_view(page_url());
    runtime.attach();
    RUNTIME.with(|r| *r.borrow_mut() = Some(runtime));
    with_runtime(|rt| {
        if rt.other_tab_active() {
            rt.decide_after_other_tabs();
        } else {
            rt.evaluate();
        }
        rt.flush();
    });
    crate::api::drain_pending();

    let request = boot_request(
        app_id,
        identity,
        page_url(),
        crate::dom::document().ok().map(|d| d.title()),
        browser_locale(),
    );
    let answer = boot_answer(ask_server(&api_base, &request).await);
    if GENERATION.with(Cell::get) != generation {
        // A later boot (another user) replaced this one meanwhile.
        return Ok(());
    }
    match answer {
        Ok((response, text)) => {
            with_runtime(|rt| {
                if rt.user.user_id.is_some() {
                    rt.adopt_visitor();
                }
                rt.reconcile(response, &text);
            });
            Ok(())
        }
        Err(e @ SdkError::Refused(401 | 403, _)) => {
            // Identity not verified: show nothing of this user's, not even
            // from the cache.
            shutdown(false);
            Err(e)
        }
        Err(e) => {
            with_runtime(Runtime::end_waiting);
            if had_cache {
                warn("working from the last answer until the server is back");
                with_runtime(Runtime::emit_ready);
            }
            Err(e)
        }
    }
}

impl Runtime {
    /// The login accepted, the visitor's unsent events (and messages
    /// written in the messenger) go to the user's queues (the server keeps
    /// each id once, so one already on its way is not counted twice) and
    /// the visitor's keys go, as the server merged the visitor into the
    /// user. A visitor who browses again with this id starts afresh, there
    /// as here.
    fn adopt_visitor(&mut self) {
        let Some(anonymous) = self.user.anonymous_id.clone() else {
            return;
        };
        let visitor = visitor_storage(&self.app_id, &anonymous);
        let mut unsent = Outbox::open(visitor_storage(&self.app_id, &anonymous));
        let events = unsent.all();
        if !events.is_empty() {
            for event in events {
                self.outbox.push(event);
            }
            self.outbox.write();
            self.flush_soon();
        }
        unsent.clear();
        crate::messenger::unsent::hand_over(&visitor, &self.storage);
        for name in CACHED_PER_USER {
            visitor.remove(name);
        }
    }

    /// Takes the server's answer: its messages and settings replace the
    /// cached ones, its state merges with this browser's.
    fn reconcile(&mut self, response: BootResponse, text: &str) {
        if text.len() <= MAX_CACHED_BOOT_BYTES {
            self.storage.set("boot", text);
        } else {
            self.storage.remove("boot");
        }
        if !self.reached {
            // Once a boot, as this user's cache is written, and after the
            // first messages are drawn rather than before: it reads every
            // key of the origin's storage.
            forget_stale_users(&self.app_id, &self.storage);
        }
        self.user_key = response.user_key;
        self.state.merge(&response.state);
        self.settings = response.settings;
        self.clock_skew = response.clock_skew;
        self.set_messages(response.messages);
        self.set_messenger(response.messenger, response.session);
        self.save_state();
        self.known = true;
        self.reached = true;
        self.end_waiting();
        self.evaluate();
        // The first answer makes the SDK ready (also when it came from a
        // boot asked again after the server was down).
        self.emit_ready();
    }

    /// `ready`, once per boot; from a microtask, so an app's handler that
    /// calls the SDK (`show` in `ready`) finds the runtime free.
    fn emit_ready(&mut self) {
        if !std::mem::replace(&mut self.ready_emitted, true) {
            wasm_bindgen_futures::spawn_local(async {
                listeners::emit("ready", JsValue::UNDEFINED);
            });
        }
    }

    /// The server's answer is in, or will not come: starts that waited for
    /// it start now, or get the warning that says why.
    fn end_waiting(&mut self) {
        self.answered = true;
        for id in std::mem::take(&mut self.waiting_starts) {
            self.force(&id);
        }
        if let Some((name, arg)) = self.waiting_messenger.take() {
            self.messenger_command(&name, &arg);
        }
    }
}

/// Tells the server about new attributes (a boot with the same ids), and
/// reconciles with its answer; `keepalive` when the page is going away.
pub(super) fn refresh(rt: &Runtime, attributes: Map<String, Value>, keepalive: bool) {
    let user = UserIdentity {
        attributes: attributes.clone(),
        ..rt.user.clone()
    };
    let request = boot_request(
        rt.app_id.clone(),
        user,
        rt.url.clone(),
        None,
        Some(rt.locale.clone()),
    );
    let base = rt.api_base.clone();
    let generation = GENERATION.with(Cell::get);
    // A failure names what was being sent: the app's update, or the boot
    // asked again because the first one never reached the server.
    let what = if rt.boot_retrying {
        "boot, asked again: "
    } else {
        "update: "
    };
    wasm_bindgen_futures::spawn_local(async move {
        match boot_answer(post(&base, "/v1/boot", &request, keepalive).await) {
            Ok((response, text)) if GENERATION.with(Cell::get) == generation => {
                with_runtime(|rt| rt.reconcile(response, &text));
            }
            Ok(_) => {}
            Err(e) => {
                warn(&[what, &e.describe()].concat());
                if GENERATION.with(Cell::get) == generation {
                    with_runtime(|rt| {
                        rt.boot_retrying = false;
                        if e.is_retryable() {
                            // Sent again when the browser is back online,
                            // or with the next update.
                            rt.requeue_attributes(attributes);
                        }
                    });
                }
            }
        }
    });
}

/// Which boot the runtime is of: a later boot or `shutdown()` changes it,
/// so an answer to an earlier one is not taken for the current user's.
pub(super) fn generation() -> u32 {
    GENERATION.with(Cell::get)
}

/// Removes everything the SDK put on the page (nodes, listeners, observers,
/// timers, the tab channel), after a last attempt to send what is queued
/// (another user boots in this page: what this one did reaches the server
/// now, not whenever this user next boots on this browser, which may be
/// never); with `forget_user` (the public `shutdown()`, for log-out) also
/// this user's stored state and the visitor id.
pub fn shutdown(forget_user: bool) {
    GENERATION.with(|g| g.set(g.get().wrapping_add(1)));
    let old = RUNTIME.with(|r| r.try_borrow_mut().ok().and_then(|mut r| r.take()));
    let Some(mut rt) = old else { return };
    // What this task recorded is stored before the runtime goes.
    rt.write_storage();
    rt.flush_before_leaving();
    if forget_user {
        rt.outbox.clear();
        rt.storage.clear();
        app_storage(&rt.app_id).remove("anonymous_id");
    }
    drop(rt);
    // The surfaces are gone; their parsed stylesheets need not stay.
    crate::dom::forget_stylesheets();
}
