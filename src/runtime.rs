//! The booted SDK: who the user is, what the server sent, what is on
//! screen. One instance per page, kept in a thread-local because the wasm
//! runs on the page's one thread and JS callbacks need to reach it.

use std::cell::RefCell;

use beckon_core::orchestration::{
    compile_all, decide, CompiledMessage, Context, PageFacts, Settings,
};
use beckon_core::protocol::{
    event_names, ActionTarget, BootRequest, BootResponse, Event, EventBatch, EventsAccepted,
    Message, PageContext, UserIdentity, PROTOCOL_VERSION,
};
use beckon_core::state::UserState;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::client::{from_json_str, post_json, to_json_string};
use crate::error::{warn, SdkError, SdkResult};
use crate::storage::Storage;
use crate::ui::{self, Env, Surface, UiEvent};

/// Settings the loader read from its script tag, used when `boot` omits them.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Defaults {
    /// Where the Beckon server is.
    #[serde(default)]
    pub api_base: Option<String>,
    /// The app to boot.
    #[serde(default)]
    pub app_id: Option<String>,
}

/// The argument of `Beckon('boot', {...})`. Unknown keys are refused, so a
/// typo such as `userId` is a warning, not an anonymous boot.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootOptions {
    /// The app's public id (or from the script tag's `data-app-id`).
    #[serde(default)]
    pub app_id: Option<String>,
    /// The app's id for this user; absent for anonymous visitors.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The user's email.
    #[serde(default)]
    pub email: Option<String>,
    /// Attributes rules can target.
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// HMAC of the user id, when the app verifies identity.
    #[serde(default)]
    pub user_hash: Option<String>,
    /// Server address (or from `data-api-base`, else the page's origin).
    #[serde(default)]
    pub api_base: Option<String>,
}

impl BootOptions {
    /// The keys `boot` accepts, for the unknown-key check at the JS edge.
    pub const FIELDS: &'static [&'static str] = &[
        "app_id",
        "user_id",
        "email",
        "attributes",
        "user_hash",
        "api_base",
    ];
}

thread_local! {
    static DEFAULTS: RefCell<Defaults> = RefCell::new(Defaults::default());
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

/// Records the loader's defaults.
pub fn set_defaults(defaults: Defaults) {
    DEFAULTS.with(|d| *d.borrow_mut() = defaults);
}

/// The booted state of the SDK.
pub struct Runtime {
    app_id: String,
    api_base: String,
    user: UserIdentity,
    state: UserState,
    messages: Vec<Message>,
    compiled: Vec<CompiledMessage>,
    user_key: String,
    attributes: Value,
    settings: Settings,
    session_start: f64,
    page: PageFacts,
    storage: Storage,
    /// Surfaces on screen, by message id.
    surfaces: std::collections::BTreeMap<String, Box<dyn Surface>>,
}

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

/// The visitor id kept for this app on this browser, made on first visit.
fn anonymous_id(app_id: &str) -> String {
    let storage = Storage::with_prefix(["beckon:", app_id, ":"].concat());
    if let Some(id) = storage.get("anonymous_id").filter(|id| !id.is_empty()) {
        return id;
    }
    let id = random_id();
    storage.set("anonymous_id", &id);
    id
}

/// Boots for a user: asks the server, merges its state with what this
/// browser recorded, and shows what the rules allow on this page.
pub async fn boot(options: BootOptions) -> SdkResult<()> {
    shutdown(false);
    let defaults = DEFAULTS.with(|d| d.borrow().clone());
    let app_id = options
        .app_id
        .or(defaults.app_id)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| SdkError::BadArgument("boot needs an app_id".into()))?;
    let api_base = match options.api_base.or(defaults.api_base) {
        Some(base) => base,
        None => window()?
            .location()
            .origin()
            .map_err(|_| SdkError::Browser("no origin".into()))?,
    };
    let user_id = options.user_id.filter(|u| !u.is_empty());
    let user = UserIdentity {
        anonymous_id: if user_id.is_none() {
            Some(anonymous_id(&app_id))
        } else {
            None
        },
        user_id,
        email: options.email,
        attributes: options.attributes,
        user_hash: options.user_hash,
        ..UserIdentity::default()
    };
    let request = BootRequest {
        v: PROTOCOL_VERSION,
        app_id: app_id.clone(),
        user: user.clone(),
        page: PageContext {
            url: page_url(),
            title: crate::dom::document().ok().map(|d| d.title()),
            locale: window().ok().and_then(|w| w.navigator().language()),
        },
    };
    let response: BootResponse = post_json(&api_base, "/v1/boot", &request, false).await?;
    let storage = Storage::for_user(&app_id, &response.user_key);
    let mut state = response.state;
    if let Some(local) = storage
        .get("state")
        .and_then(|text| from_json_str::<UserState>(&text).ok())
    {
        state.merge(&local);
    }
    let (compiled, bad) = compile_all(&response.messages);
    for (id, e) in bad {
        warn(&["message ", &id, " skipped: ", &e.to_string()].concat());
    }
    let now = now_ms();
    let runtime = Runtime {
        compiled,
        user_key: response.user_key.clone(),
        attributes: Value::Object(user.attributes.clone()),
        settings: response.settings,
        session_start: now,
        page: PageFacts {
            viewed_at: now,
            last_input_at: now,
            ..PageFacts::default()
        },
        app_id,
        api_base,
        // Only the ids travel with events; attributes went with the boot.
        user: UserIdentity {
            user_id: user.user_id,
            anonymous_id: user.anonymous_id,
            user_hash: user.user_hash,
            ..UserIdentity::default()
        },
        state,
        messages: response.messages,
        storage,
        surfaces: Default::default(),
    };
    RUNTIME.with(|r| *r.borrow_mut() = Some(runtime));
    with_runtime(Runtime::evaluate);
    Ok(())
}

/// Runs `f` on the booted runtime, if there is one.
fn with_runtime(f: impl FnOnce(&mut Runtime)) {
    RUNTIME.with(|r| {
        if let Ok(mut guard) = r.try_borrow_mut() {
            if let Some(rt) = guard.as_mut() {
                f(rt);
            }
        }
    });
}

/// Removes everything the SDK put on the page; with `forget_user`, also the
/// user's stored state (the `shutdown()` of the public API, for log-out).
pub fn shutdown(forget_user: bool) {
    let old = RUNTIME.with(|r| r.borrow_mut().take());
    if let Some(rt) = old {
        if forget_user {
            rt.storage.clear();
        }
        drop(rt);
    }
}

impl Runtime {
    /// Decides every message for now and makes the screen agree: opens
    /// what should show, closes what should not any more.
    fn evaluate(&mut self) {
        let url = page_url();
        let showing: Vec<String> = self.surfaces.keys().cloned().collect();
        let ctx = Context {
            now: now_ms(),
            user_key: &self.user_key,
            url: &url,
            attributes: &self.attributes,
            groups: &beckon_core::condition::SavedGroups::default(),
            locale: None,
            utc_offset_minutes: -(js_sys::Date::new_0().get_timezone_offset() as i32),
            session_start: self.session_start,
            page: &self.page,
            messenger_open: false,
            conversation_open: false,
            showing: &showing,
        };
        let verdicts = decide(&self.compiled, &ctx, &self.state, &self.settings);
        for v in &verdicts {
            let on_screen = self.surfaces.contains_key(&v.message_id);
            if !v.is_shown() {
                if on_screen {
                    self.surfaces.remove(&v.message_id);
                }
                continue;
            }
            if on_screen {
                continue;
            }
            let Some(message) = self.messages.iter().find(|m| m.id == v.message_id) else {
                continue;
            };
            let id = message.id.clone();
            // Events defer to a microtask so the surface (and the listener
            // running the callback) is dropped after the callback returns.
            let emit_id = id.clone();
            let emit: ui::Emit = std::rc::Rc::new(move |event: UiEvent| {
                let id = emit_id.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    with_runtime(|rt| rt.on_ui_event(&id, event));
                });
            });
            match ui::show(message, &Env::default(), emit) {
                Ok(view) => {
                    self.surfaces.insert(id.clone(), view);
                    self.record(event_names::SHOWN, &id);
                }
                Err(e) => warn(&e.describe()),
            }
        }
    }

    fn on_ui_event(&mut self, id: &str, event: UiEvent) {
        match event {
            UiEvent::Dismissed => self.dismiss(id),
            UiEvent::Clicked(_) => self.act(id),
            UiEvent::Completed => {
                self.surfaces.remove(id);
                self.record(event_names::COMPLETED, id);
            }
            UiEvent::Step(_) | UiEvent::TaskClicked(_) => {}
        }
    }

    fn dismiss(&mut self, id: &str) {
        self.surfaces.remove(id);
        self.record(event_names::DISMISSED, id);
    }

    fn act(&mut self, id: &str) {
        self.record(event_names::CLICKED, id);
        let target = self
            .messages
            .iter()
            .find(|m| m.id == id)
            .and_then(|m| m.content.action.as_ref())
            .map(|a| a.target.clone());
        if let Some(ActionTarget::Url { url }) = target {
            if is_safe_url(&url) {
                if let Ok(w) = window() {
                    let _ = w.location().assign(&url);
                }
            } else {
                warn(
                    &[
                        "refused to open a link that is not http(s), mailto or relative: ",
                        &url,
                    ]
                    .concat(),
                );
            }
        }
    }

    /// Records a message event: into the state at once (so a dismissal holds
    /// even if the page closes now), into storage, and to the server.
    fn record(&mut self, name: &str, message_id: &str) {
        let event = Event {
            id: random_id(),
            name: name.to_owned(),
            ts: now_ms(),
            message_id: Some(message_id.to_owned()),
            data: Map::new(),
        };
        self.state.apply(&event);
        match to_json_string(&self.state) {
            Ok(text) => self.storage.set("state", &text),
            Err(e) => warn(&e.describe()),
        }
        let batch = EventBatch {
            app_id: self.app_id.clone(),
            user: self.user.clone(),
            events: vec![event],
        };
        let base = self.api_base.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = post_json::<_, EventsAccepted>(&base, "/v1/events", &batch, true).await
            {
                warn(&e.describe());
            }
        });
    }
}

/// Links from server content may only be http(s), mailto or relative.
pub fn is_safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after the first '/', '?' or '#' is part of a relative path.
            let first_delim = lower.find(['/', '?', '#']).unwrap_or(usize::MAX);
            colon > first_delim
                || lower.starts_with("http:")
                || lower.starts_with("https:")
                || lower.starts_with("mailto:")
        }
    }
}
