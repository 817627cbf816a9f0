//! The runtime's side of the messenger: creating it when the boot answer
//! says the app has one, carrying the public API's `show` / `hide` /
//! `showNewMessage` / `showArticle` and the surfaces' article and
//! messenger actions to it, and its events to the app's `on()`
//! subscribers and to orchestration (no proactive message over an open
//! messenger or while the user waits for a person).

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use beckon_core::conversation::MessengerConfig;
use wasm_bindgen::JsValue;

use super::{later, listeners, Runtime};
use crate::error::warn;
use crate::messenger::{Connection, Messenger, MessengerEvent, MessengerOptions};
use crate::storage::Storage;

impl Runtime {
    /// Takes the messenger part of a boot answer: the messenger is created
    /// once the proactive messages of this answer are on screen (see
    /// [`Runtime::start_messenger`]); after that it gets each new session
    /// token, and it is removed when the app no longer has one.
    pub(super) fn set_messenger(
        &mut self,
        config: Option<MessengerConfig>,
        session: Option<String>,
    ) {
        let (Some(config), Some(session)) = (config, session) else {
            self.messenger = None;
            self.messenger_waiting = None;
            return;
        };
        if let Some(m) = &self.messenger {
            m.set_session(session);
            return;
        }
        let timer = match self.messenger_waiting.take() {
            Some(w) => w.timer,
            None => after_next_paint(),
        };
        self.messenger_waiting = Some(WaitingMessenger {
            config,
            session,
            timer,
        });
    }

    /// Creates the messenger the boot answer announced, if it is still
    /// waiting. It waits for the frame after the first messages are drawn:
    /// the launcher, its styles and the conversation list are not needed
    /// for that frame, and making them first made the first message appear
    /// about 10 ms later on a cold page (`npm run bench:browser`). Anything
    /// that needs the messenger earlier (the API's `show`, a message's
    /// action) creates it on the spot.
    pub(super) fn start_messenger(&mut self) {
        let Some(WaitingMessenger {
            config, session, ..
        }) = self.messenger_waiting.take()
        else {
            return;
        };
        let options = MessengerOptions {
            alignment: self.options.alignment,
            horizontal_padding: self.options.horizontal_padding,
            vertical_padding: self.options.vertical_padding,
            launcher_selector: self.options.launcher_selector.clone(),
            hide_launcher: self.options.hide_default_launcher,
            z_index: self
                .options
                .z_index
                .unwrap_or(crate::ui::DEFAULT_Z_INDEX)
                .saturating_add(crate::ui::layer::MESSENGER),
            locale: self.locale.clone(),
            theme: self.options.theme.clone(),
        };
        let connection = Connection {
            api_base: self.api_base.clone(),
            app_id: self.app_id.clone(),
            session,
        };
        match Messenger::new(config, connection, options, Rc::new(on_messenger_event)) {
            Ok(m) => {
                // The user's own namespace, which `shutdown()` clears.
                m.keep_unsent_in(Storage::with_prefix(self.storage.prefix().to_owned()));
                self.messenger = Some(m);
                self.place_corners();
            }
            Err(e) => warn(&["the messenger could not start: ", &e.describe()].concat()),
        }
    }

    /// Keeps what sits in the bottom corners (the messenger, the
    /// checklist, a corner post) above a banner fixed along the bottom of
    /// the page, while one is on screen (see [`crate::ui::lift`]).
    pub(super) fn place_corners(&mut self) {
        let bar = self
            .surfaces
            .values()
            .find_map(|s| s.view.bottom_bar())
            .cloned();
        let Some(bar) = bar else {
            self.lift = None;
            return;
        };
        let corners: Vec<web_sys::Element> = self
            .surfaces
            .values()
            .filter_map(|s| s.view.bottom_corner())
            .map(|h| h.clone().into())
            .chain(self.messenger.as_ref().and_then(Messenger::corner))
            .collect();
        match &self.lift {
            Some(lift) if lift.follows(&bar) => lift.set_corners(corners),
            _ => self.lift = Some(crate::ui::lift::Lift::follow(&bar, corners)),
        }
    }

    /// Whether the messenger's panel is open.
    pub(super) fn messenger_open(&self) -> bool {
        self.messenger.as_ref().is_some_and(Messenger::is_open)
    }

    /// Whether the user waits for a person in one of their conversations.
    pub(super) fn conversation_open(&self) -> bool {
        self.messenger
            .as_ref()
            .is_some_and(Messenger::has_open_conversation)
    }

    /// `show`, `hide`, `showNewMessage(text?)`, `showArticle(id)`. Before
    /// the server's first answer on a first visit the messenger is not
    /// known yet: the last such call waits for the answer.
    pub(crate) fn messenger_command(&mut self, name: &str, arg: &JsValue) {
        self.start_messenger();
        if self.messenger.is_none() && !self.known && !self.answered {
            self.waiting_messenger = Some((name.to_owned(), arg.clone()));
            return;
        }
        let Some(m) = &self.messenger else {
            let why = if self.known {
                ": this app has no messenger (turn it on in the app's settings)"
            } else {
                ": the messenger is not known yet (the server has not answered)"
            };
            warn(&[name, why].concat());
            return;
        };
        match name {
            "show" => m.open(),
            "hide" => m.close(),
            "showNewMessage" => {
                if !(arg.is_undefined() || arg.is_null() || arg.is_string()) {
                    warn("showNewMessage: the prefilled text must be a string");
                    return;
                }
                m.new_message(arg.as_string().as_deref());
            }
            "showArticle" => match arg.as_string().filter(|s| !s.trim().is_empty()) {
                Some(id) => m.show_article(&id),
                None => warn("showArticle: the article id must be a non-empty string"),
            },
            _ => {}
        }
    }

    /// A message's "open this article" action.
    pub(super) fn open_article(&mut self, article_id: &str) {
        self.start_messenger();
        match &self.messenger {
            Some(m) => m.show_article(article_id),
            None => warn("an article action needs the messenger, which this app does not have"),
        }
    }

    /// A message's "talk to us" action, with its prefilled text.
    pub(super) fn open_conversation(&mut self, text: Option<&str>) {
        self.start_messenger();
        match &self.messenger {
            Some(m) => m.new_message(text),
            None => warn("a messenger action needs the messenger, which this app does not have"),
        }
    }
}

/// The messenger's news, for the app and for orchestration. The messenger
/// delivers it from a microtask, outside the runtime's own calls.
fn on_messenger_event(event: MessengerEvent) {
    match event {
        MessengerEvent::Opened => {
            listeners::emit("messenger:opened", JsValue::UNDEFINED);
            later(Runtime::evaluate);
        }
        MessengerEvent::Closed => {
            listeners::emit("messenger:closed", JsValue::UNDEFINED);
            later(Runtime::evaluate);
        }
        MessengerEvent::UnreadCount(n) => {
            listeners::emit("unread_count", JsValue::from_f64(f64::from(n)));
            // An answer from a person may have changed who waits.
            later(Runtime::evaluate);
        }
        MessengerEvent::ConversationOpened(id) => {
            listeners::emit("conversation:opened", conversation_payload(&id));
        }
        MessengerEvent::ConversationStarted(id) => {
            listeners::emit("conversation:started", conversation_payload(&id));
            later(Runtime::evaluate);
        }
        MessengerEvent::SessionExpired => {
            later(|rt| super::boot::refresh(rt, Default::default(), false))
        }
    }
}

/// A `{conversation_id}` payload.
fn conversation_payload(id: &str) -> JsValue {
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"conversation_id".into(), &JsValue::from_str(id));
    obj.into()
}

/// A messenger the boot answer announced, not created yet.
pub(super) struct WaitingMessenger {
    config: MessengerConfig,
    session: String,
    /// Creates it if no frame comes (a hidden tab draws none); dropped
    /// with the runtime, so `shutdown()` leaves no timer behind.
    timer: Timeout,
}

/// Schedules [`Runtime::start_messenger`] for the task after the next
/// frame (an animation frame callback runs just before the frame is drawn,
/// so the work goes to a task queued from it), with a timer as the fallback
/// for tabs that draw no frames.
fn after_next_paint() -> Timeout {
    // Both callbacks free themselves once called (`once_into_js`).
    let next_task = Closure::once_into_js(|| {
        let start = Closure::once_into_js(|| later(Runtime::start_messenger));
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(start.unchecked_ref());
        }
    });
    let asked = web_sys::window()
        .is_some_and(|w| w.request_animation_frame(next_task.unchecked_ref()).is_ok());
    Timeout::new(if asked { FALLBACK_MS } else { 0 }, || {
        later(Runtime::start_messenger)
    })
}

/// How long a messenger waits for a frame before it is created anyway.
const FALLBACK_MS: u32 = 250;
