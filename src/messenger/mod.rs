//! The messenger: a launcher with an unread badge, and a panel (a modal
//! dialog) with a home view, conversations and help articles.
//!
//! [`Messenger`] is the one thing the runtime holds. It owns a shadow host
//! with everything drawn, the [`stream::Stream`] of updates, and the
//! [`model::Model`]; the runtime wires its methods to `Beckon('show')`,
//! `hide`, `showNewMessage`, `showArticle`, and its [`MessengerEvent`]s to
//! `on('unread_count')` and friends. Dropping it removes every node,
//! listener, timer and the connection.
//!
//! Inside, every user action arrives through three listeners on the shadow
//! root (click, submit, keydown) that read `data-act`/`data-form`
//! attributes (see [`view`]); asynchronous answers come back through a
//! weak reference, so a request that ends after the messenger is gone does
//! nothing. Events for the app are queued and delivered from a microtask,
//! never from inside one of the runtime's own calls.
//!
//! Wiring, for the runtime (after a boot whose answer has `session` and
//! `messenger`):
//!
//! | the app / a surface | the messenger |
//! |---|---|
//! | boot | [`Messenger::new`]`(boot.messenger, Connection { api_base, app_id, session }, options, emit)` |
//! | a later boot of the same user | [`Messenger::set_session`] |
//! | `show()` / `hide()` | [`Messenger::open`] / [`Messenger::close`] |
//! | `showNewMessage(text?)`, `ActionTarget::Messenger { text }` | [`Messenger::new_message`] |
//! | `showArticle(id)`, `ActionTarget::Article { article_id }` | [`Messenger::show_article`] |
//! | orchestration's "messenger open" | [`Messenger::is_open`] |
//! | `on('unread_count')`, `on('conversation:opened')` | [`MessengerEvent::UnreadCount`], [`MessengerEvent::ConversationOpened`] |
//! | `shutdown()`, a user change | drop it |
//!
//! Nothing the user writes is lost: a message is shown at once as
//! "Sending…", kept in memory with its client id until the server has it,
//! retried with backoff on network trouble, and offered for a manual retry
//! after that; a half-written message survives closing the panel.

pub mod api;
#[cfg(feature = "test-hooks")]
pub mod hooks;
pub mod http;
pub mod model;
mod nav;
pub mod stream;
pub mod strings;
mod sync;
pub(crate) mod unsent;
pub mod view;

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use beckon_core::conversation::MessengerConfig;
use beckon_core::json::FromJson;
use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

pub use crate::runtime::options::{Alignment, ThemeOptions};

use crate::dom::{append, document, element, set_attr, set_style, ShadowHost};
use crate::error::{warn, SdkResult};
use crate::ui::a11y::ReturnFocus;
use crate::ui::i18n::dir;
use crate::ui::theme::BASE_CSS;
use api::{Api, Article, ArticleSummary};
use model::{Load, Model, Target};
use stream::{Mode, Stream};
use view::conversation::{set_value, ConvView};
use view::home::Home;
use view::launcher::Launcher;
use view::Frame;

/// Where the server is and whose messenger this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Server origin (the boot's `api_base`).
    pub api_base: String,
    /// The app's public id.
    pub app_id: String,
    /// The boot answer's `session` token.
    pub session: String,
}

/// The app's settings for the messenger (from `boot`).
#[derive(Debug, Clone, PartialEq, FromJson)]
#[serde(default)]
pub struct MessengerOptions {
    /// The launcher's and panel's side.
    pub alignment: Alignment,
    /// Distance from the side edge, px (default 20).
    pub horizontal_padding: Option<u32>,
    /// Distance from the bottom edge, px (default 20).
    pub vertical_padding: Option<u32>,
    /// The app's own element(s) that open the messenger when clicked.
    pub launcher_selector: Option<String>,
    /// No default launcher (the app opens the messenger itself).
    pub hide_launcher: bool,
    /// Stacking level.
    pub z_index: i32,
    /// Locale of the SDK's words and dates.
    pub locale: String,
    /// Colours.
    pub theme: ThemeOptions,
}

impl Default for MessengerOptions {
    fn default() -> Self {
        Self {
            alignment: Alignment::Right,
            horizontal_padding: None,
            vertical_padding: None,
            launcher_selector: None,
            hide_launcher: false,
            z_index: crate::ui::DEFAULT_Z_INDEX,
            locale: "en".to_owned(),
            theme: ThemeOptions::default(),
        }
    }
}

/// What the messenger tells the app (through the runtime's `on()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessengerEvent {
    /// The panel opened.
    Opened,
    /// The panel closed.
    Closed,
    /// Unread messages across the user's conversations (`unread_count`);
    /// sent once after the first load, then on every change.
    UnreadCount(u32),
    /// The user opened a conversation (`conversation:opened`).
    ConversationOpened(String),
    /// The user's first message created a conversation.
    ConversationStarted(String),
    /// The server refused the session token (expired): boot again and
    /// pass the new token to [`Messenger::set_session`].
    SessionExpired,
}

/// Which screen the panel shows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum View {
    Home,
    Conv(Target),
    Article(String),
}

enum Screen {
    Empty,
    Home(Home),
    Conv(ConvView),
}

struct Panel {
    frame: Frame,
    screen: Screen,
    // Declared last: focus goes back only after the dialog is gone.
    _return: ReturnFocus,
}

impl Drop for Frame {
    fn drop(&mut self) {
        self.dialog.remove();
    }
}

struct Inner {
    me: Weak<RefCell<Inner>>,
    api: Api,
    config: MessengerConfig,
    opts: MessengerOptions,
    emit: Rc<dyn Fn(MessengerEvent)>,
    wrap: Element,
    launcher: Option<Launcher>,
    panel: Option<Panel>,
    view: View,
    history: Vec<View>,
    model: Model,
    stream: Option<Stream>,
    /// Turns the live stream of a tab left hidden into background polling
    /// (see [`sync::HIDDEN_STREAM_MS`]).
    stream_sleep: Option<Timeout>,
    query: String,
    results: Option<Load<Vec<ArticleSummary>>>,
    searches: u32,
    article: Load<Article>,
    draft: String,
    events: Vec<MessengerEvent>,
    flushing: bool,
    told_unread: Option<u32>,
    /// The conversation `ConversationOpened` was last sent for in this
    /// opening of the panel (back from an article is not a new opening).
    opened: Option<String>,
    reading: bool,
    fetching: bool,
    fetch_again: bool,
    /// A list request is on its way: opening the panel again asks no more.
    listing: bool,
    /// Until then (ms) the server asked to be left alone: no list requests,
    /// and its refusals are not warned about again.
    busy_until: f64,
    retry: Option<Timeout>,
    typing_timer: Option<Timeout>,
    /// Where unsent messages are kept, and what was last written there.
    unsent: Option<(crate::storage::Storage, String)>,
    listeners: Vec<EventListener>,
    // Last: removing the host removes every node.
    _host: ShadowHost,
}

/// The messenger on the page.
pub struct Messenger {
    inner: Rc<RefCell<Inner>>,
}

/// Runs `f` on the messenger if it still exists and is not busy, warns
/// about its error, then delivers queued events.
fn with(w: &Weak<RefCell<Inner>>, f: impl FnOnce(&mut Inner) -> SdkResult<()>) {
    let Some(rc) = w.upgrade() else { return };
    let Ok(mut inner) = rc.try_borrow_mut() else {
        return;
    };
    if let Err(e) = f(&mut inner) {
        warn(&e.describe());
    }
    inner.save_unsent();
    inner.flush();
}

fn target_element(e: &web_sys::Event) -> Option<Element> {
    e.target()?.dyn_into::<Element>().ok()
}

fn px(n: Option<u32>) -> String {
    [n.unwrap_or(20).to_string(), "px".to_owned()].concat()
}

impl Messenger {
    /// Draws the launcher (unless hidden), listens for the app's own
    /// launcher, and loads the user's conversations for the badge.
    pub fn new(
        config: MessengerConfig,
        conn: Connection,
        opts: MessengerOptions,
        emit: Rc<dyn Fn(MessengerEvent)>,
    ) -> SdkResult<Self> {
        let doc = document()?;
        let z = opts.z_index.to_string();
        let host = ShadowHost::new(
            "messenger",
            &[BASE_CSS, view::CSS],
            &[
                ("position", "fixed"),
                ("z-index", &z),
                ("top", "0"),
                ("left", "0"),
                ("width", "0"),
                ("height", "0"),
                ("display", "block"),
            ],
        )?;
        // The same theme as the proactive surfaces: custom properties and
        // a fixed light or dark mode.
        let (theme_vars, theme_mode) = opts.theme.host_theme();
        crate::ui::apply_theme(
            &host,
            &crate::ui::Env {
                theme_vars,
                theme_mode,
                ..crate::ui::Env::default()
            },
        );
        let left = opts.alignment == Alignment::Left;
        let wrap = element(
            &doc,
            "div",
            if left { "bk wrap left" } else { "bk wrap" },
            None,
        )?;
        set_attr(&wrap, "dir", dir(&opts.locale))?;
        set_attr(&wrap, "lang", &opts.locale)?;
        let (x, y) = (px(opts.horizontal_padding), px(opts.vertical_padding));
        let mut vars = vec![("--bk-x", x.as_str()), ("--bk-y", y.as_str())];
        let t = &opts.theme;
        for (name, value) in [
            ("--bk-accent", &t.accent),
            ("--bk-accent-text", &t.accent_text),
            ("--bk-bg", &t.background),
            ("--bk-text", &t.text),
        ] {
            if let Some(v) = value {
                vars.push((name, v));
            }
        }
        set_style(&wrap, &vars);
        append(host.root(), &wrap)?;
        let launcher = if opts.hide_launcher {
            None
        } else {
            Some(Launcher::new(&wrap, &opts.locale)?)
        };
        let api = Api {
            base: conn.api_base,
            app_id: conn.app_id,
            session: conn.session,
        };
        let inner = Rc::new_cyclic(|me: &Weak<RefCell<Inner>>| {
            RefCell::new(Inner {
                me: me.clone(),
                api,
                config,
                opts,
                emit,
                wrap,
                launcher,
                panel: None,
                view: View::Home,
                history: Vec::new(),
                model: Model::default(),
                stream: None,
                stream_sleep: None,
                query: String::new(),
                results: None,
                searches: 0,
                article: Load::Loading,
                draft: String::new(),
                events: Vec::new(),
                flushing: false,
                told_unread: None,
                opened: None,
                reading: false,
                fetching: false,
                listing: false,
                busy_until: 0.0,
                fetch_again: false,
                retry: None,
                typing_timer: None,
                unsent: None,
                listeners: Vec::new(),
                _host: host,
            })
        });
        {
            let mut i = inner.borrow_mut();
            i.listen(&doc)?;
            i.load_list();
        }
        Ok(Self { inner })
    }

    fn run(&self, f: impl FnOnce(&mut Inner) -> SdkResult<()>) {
        with(&Rc::downgrade(&self.inner), f);
    }

    /// Opens the panel where the user left it (home the first time).
    pub fn open(&self) {
        self.run(Inner::open);
    }

    /// Closes the panel; focus goes back where it was.
    pub fn close(&self) {
        self.run(|i| {
            i.close();
            Ok(())
        });
    }

    /// Whether the panel is open.
    pub fn is_open(&self) -> bool {
        self.inner.try_borrow().is_ok_and(|i| i.panel.is_some())
    }

    /// The element whose `--bk-lift` raises the launcher and the panel
    /// (see [`crate::ui::lift`]).
    pub fn corner(&self) -> Option<Element> {
        self.inner.try_borrow().ok().map(|i| i.wrap.clone())
    }

    /// Opens a new conversation, the composer holding `prefill`.
    pub fn new_message(&self, prefill: Option<&str>) {
        self.run(|i| {
            let text = prefill.unwrap_or_default().to_owned();
            i.save_draft();
            let target = i.model.new_target();
            i.go(View::Conv(target))?;
            i.draft = text;
            if let Some(Screen::Conv(cv)) = i.panel.as_ref().map(|p| &p.screen) {
                set_value(&cv.field, &i.draft);
            }
            Ok(())
        });
    }

    /// Opens the panel on a help article.
    pub fn show_article(&self, id: &str) {
        self.run(|i| i.go(View::Article(id.to_owned())));
    }

    /// Keeps the user's unsent messages in `storage` from now on, and
    /// sends the ones an earlier page of this user left there.
    pub fn keep_unsent_in(&self, storage: crate::storage::Storage) {
        self.run(|i| {
            i.keep_unsent_in(storage);
            Ok(())
        });
    }

    /// Whether one of the user's conversations waits for a person (or is
    /// with one): orchestration keeps proactive messages away meanwhile.
    pub fn has_open_conversation(&self) -> bool {
        self.inner.try_borrow().is_ok_and(|i| {
            i.model
                .list
                .iter()
                .any(|c| c.status == beckon_core::conversation::ConversationStatus::Open)
        })
    }

    /// Unread messages across the user's conversations.
    pub fn unread(&self) -> u32 {
        self.inner.try_borrow().map_or(0, |i| i.model.unread())
    }

    /// A new session token after a boot (the old one expired or the user
    /// changed): reconnects and sends again what had failed.
    pub fn set_session(&self, session: String) {
        self.run(|i| {
            i.api.session = session;
            i.stream = None;
            i.ensure_stream();
            i.model.requeue(None);
            i.pump();
            i.sync_conv()
        });
    }

    /// How updates arrive now (`None` before the stream is needed: a user
    /// with no conversation has no open connection).
    pub fn stream_mode(&self) -> Option<Mode> {
        self.inner
            .try_borrow()
            .ok()
            .and_then(|i| i.stream.as_ref().map(Stream::mode))
    }
}

impl Inner {
    /// The three delegated listeners on the shadow root, and the app's own
    /// launcher on the document.
    fn listen(&mut self, doc: &web_sys::Document) -> SdkResult<()> {
        let root: web_sys::EventTarget = self._host.root().clone().into();
        let w = self.me.clone();
        self.listeners
            .push(EventListener::new(&root, "click", move |e| {
                let Some(b) =
                    target_element(e).and_then(|t| t.closest("[data-act]").ok().flatten())
                else {
                    return;
                };
                let act = b.get_attribute("data-act").unwrap_or_default();
                let arg = b.get_attribute("data-arg").unwrap_or_default();
                with(&w, |i| i.act(&act, &arg));
            }));
        let w = self.me.clone();
        let opts = EventListenerOptions::enable_prevent_default();
        self.listeners.push(EventListener::new_with_options(
            &root,
            "submit",
            opts,
            move |e| {
                e.prevent_default();
                let Some(form) = target_element(e) else {
                    return;
                };
                with(&w, |i| i.submit(&form));
            },
        ));
        let w = self.me.clone();
        self.listeners.push(EventListener::new_with_options(
            &root,
            "keydown",
            opts,
            move |e| {
                let Some(k) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                let key = k.key();
                if key == "Escape" {
                    k.stop_propagation();
                    with(&w, |i| {
                        i.close();
                        Ok(())
                    });
                } else if key == "Enter" && !k.shift_key() && !k.is_composing() {
                    // Enter sends, Shift+Enter is a new line.
                    let Some(field) = target_element(e).filter(|t| t.tag_name() == "TEXTAREA")
                    else {
                        return;
                    };
                    k.prevent_default();
                    let form = field.closest("form").ok().flatten();
                    with(&w, |i| form.map_or(Ok(()), |f| i.submit(&f)));
                }
            },
        ));
        // A tab left hidden lets its live stream go and polls now and
        // then; back in it, the stream goes live from its cursor and the
        // conversation on screen is read again, so what came meanwhile
        // arrives.
        let w = self.me.clone();
        self.listeners
            .push(EventListener::new(doc, "visibilitychange", move |_| {
                with(&w, |i| {
                    i.hidden_changed();
                    if i.viewing().is_some() {
                        i.fetch_current();
                    }
                    Ok(())
                })
            }));
        if let Some(sel) = self.opts.launcher_selector.clone() {
            if doc.query_selector(&sel).is_err() {
                warn("launcher_selector is not a valid CSS selector; ignored");
            } else {
                let w = self.me.clone();
                self.listeners
                    .push(EventListener::new(doc, "click", move |e| {
                        if target_element(e)
                            .is_some_and(|t| t.closest(&sel).ok().flatten().is_some())
                        {
                            with(&w, Inner::toggle);
                        }
                    }));
            }
        }
        Ok(())
    }

    fn locale(&self) -> &str {
        &self.opts.locale
    }

    fn emit(&mut self, e: MessengerEvent) {
        self.events.push(e);
    }

    /// Delivers queued events from a microtask, outside every borrow, so
    /// the app's handlers may call the messenger (or drop it).
    fn flush(&mut self) {
        if self.events.is_empty() || self.flushing {
            return;
        }
        self.flushing = true;
        let w = self.me.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(rc) = w.upgrade() else { return };
            let (events, emit) = match rc.try_borrow_mut() {
                Ok(mut i) => {
                    i.flushing = false;
                    (std::mem::take(&mut i.events), i.emit.clone())
                }
                Err(_) => return,
            };
            drop(rc);
            for e in events {
                emit(e);
            }
        });
    }
}
