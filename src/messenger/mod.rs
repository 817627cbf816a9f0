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
//! Nothing the user writes is lost: a message is shown at once as
//! "Sending…", kept in memory with its client id until the server has it,
//! retried with backoff on network trouble, and offered for a manual retry
//! after that; a half-written message survives closing the panel.

pub mod api;
#[cfg(feature = "test-hooks")]
pub mod hooks;
pub mod http;
pub mod model;
pub mod stream;
pub mod strings;
pub mod view;

use std::cell::RefCell;
use std::future::Future;
use std::rc::{Rc, Weak};

use beckon_core::conversation::{BotFeedback, ContactEmail, MessengerConfig, NewMessage, Rating};
use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

pub use crate::runtime::options::{Alignment, ThemeOptions};

use crate::client::to_json_string;
use crate::dom::{append, document, element, set_attr, set_style, ShadowHost};
use crate::error::{warn, SdkError, SdkResult};
use crate::runtime::outbox::backoff_ms;
use crate::runtime::random_id;
use crate::ui::a11y::{focus, ReturnFocus};
use crate::ui::i18n::dir;
use crate::ui::theme::BASE_CSS;
use api::{Api, Article, ArticleSummary};
use model::{ask, Load, Model, Pending, SendState, Target};
use stream::{Feed, Mode, Stream};
use view::conversation::{set_value, value, ConvView, Ctx};
use view::home::Home;
use view::launcher::Launcher;
use view::{article, Frame};

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
#[derive(Debug, Clone, PartialEq, Deserialize)]
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
            z_index: 2_147_483_000,
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
    retry: Option<Timeout>,
    typing_timer: Option<Timeout>,
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
            &[BASE_CSS, view::CSS].concat(),
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
                fetch_again: false,
                retry: None,
                typing_timer: None,
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

    /// Runs `fut`, then `then` with its output if the messenger still
    /// exists.
    fn spawn<T: 'static>(
        &self,
        fut: impl Future<Output = T> + 'static,
        then: impl FnOnce(&mut Inner, T) -> SdkResult<()> + 'static,
    ) {
        let w = self.me.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let out = fut.await;
            with(&w, |i| then(i, out));
        });
    }

    /// A failed call: an expired session is the runtime's to fix, the rest
    /// is a warning.
    fn failed(&mut self, e: &SdkError) {
        if matches!(e, SdkError::Refused(401, _)) {
            self.emit(MessengerEvent::SessionExpired);
        } else {
            warn(&e.describe());
        }
    }

    fn toggle(&mut self) -> SdkResult<()> {
        if self.panel.is_some() {
            self.close();
            Ok(())
        } else {
            self.open()
        }
    }

    fn open(&mut self) -> SdkResult<()> {
        if self.panel.is_some() {
            return Ok(());
        }
        let back = ReturnFocus::remember();
        let frame = Frame::new(&self.wrap, &self.opts.locale)?;
        self.panel = Some(Panel {
            frame,
            screen: Screen::Empty,
            _return: back,
        });
        if let Some(l) = &self.launcher {
            l.set_expanded(true)?;
        }
        self.emit(MessengerEvent::Opened);
        self.render()?;
        self.load_list();
        Ok(())
    }

    fn close(&mut self) {
        if self.panel.is_none() {
            return;
        }
        self.save_draft();
        self.panel = None;
        self.opened = None;
        if let Some(l) = &self.launcher {
            let _ = l.set_expanded(false);
        }
        self.emit(MessengerEvent::Closed);
    }

    fn save_draft(&mut self) {
        if let Some(Screen::Conv(cv)) = self.panel.as_ref().map(|p| &p.screen) {
            self.draft = value(&cv.field);
        }
    }

    /// Moves to `view`, opening the panel if needed.
    fn go(&mut self, view: View) -> SdkResult<()> {
        self.save_draft();
        let was = std::mem::replace(&mut self.view, view);
        if self.view == View::Home {
            self.history.clear();
        } else if self.panel.is_some() && was != self.view {
            self.history.push(was);
        }
        if self.panel.is_some() {
            self.render()
        } else {
            self.open()
        }
    }

    fn back(&mut self) -> SdkResult<()> {
        self.save_draft();
        self.view = self.history.pop().unwrap_or(View::Home);
        self.render()
    }

    fn act(&mut self, act: &str, arg: &str) -> SdkResult<()> {
        match act {
            "launcher" => self.toggle(),
            "close" => {
                self.close();
                Ok(())
            }
            "back" => self.back(),
            "new" => {
                let target = self.model.new_target();
                self.go(View::Conv(target))
            }
            "conv" => self.go(View::Conv(Target::Conv(arg.to_owned()))),
            "article" => self.go(View::Article(arg.to_owned())),
            "helped" | "person" => self.feedback(arg, act == "helped"),
            "handoff" => self.call("handoff", None, None),
            "rate" => self.rate(arg),
            "retry" => {
                self.model.requeue(Some(arg));
                self.pump();
                self.sync_conv()
            }
            _ => Ok(()),
        }
    }

    fn submit(&mut self, form: &Element) -> SdkResult<()> {
        let field = |name: &str| {
            form.query_selector(&["[name=", name, "]"].concat())
                .ok()
                .flatten()
        };
        match form.get_attribute("data-form").as_deref() {
            Some("send") => {
                let Some(f) = field("body") else {
                    return Ok(());
                };
                let text = value(&f);
                if text.trim().is_empty() {
                    return Ok(());
                }
                set_value(&f, "");
                self.draft.clear();
                self.send(text)
            }
            Some("search") => {
                let q = field("q").map(|f| value(&f)).unwrap_or_default();
                self.search(q);
                Ok(())
            }
            Some("email") => {
                let email = field("email").map(|f| value(&f)).unwrap_or_default();
                let body = to_json_string(&ContactEmail { email })?;
                self.call("email", Some(body), None)
            }
            _ => Ok(()),
        }
    }

    /// Draws the current view into the panel and moves focus into it.
    fn render(&mut self) -> SdkResult<()> {
        let Some(panel) = self.panel.as_mut() else {
            return Ok(());
        };
        let locale = self.opts.locale.as_str();
        let frame = &panel.frame;
        match &self.view {
            View::Home => {
                self.opened = None;
                frame.show(&self.config.team_name, false, false);
                let home = Home::new(&frame.body, locale, &self.config, &self.query)?;
                home.set_list(&self.model.list, locale, &self.config.bot_name)?;
                if let Some(r) = &self.results {
                    home.set_results(r, locale)?;
                }
                panel.screen = Screen::Home(home);
                focus_first(frame);
                if self.results.is_none() {
                    // The home view starts with the help center's articles.
                    self.search(String::new());
                }
            }
            View::Conv(target) => {
                frame.show(&self.config.team_name, true, true);
                let cv = ConvView::new(&frame.body, locale, &self.draft)?;
                focus(&cv.field);
                panel.screen = Screen::Conv(cv);
                if let Target::Conv(id) = target {
                    let id = id.clone();
                    if self.model.current.as_ref().is_none_or(|c| c.id != id) {
                        self.model.current = None;
                    }
                    // Read afresh even when known: what is kept may miss
                    // a status, a "seen" or the unread count of meanwhile.
                    self.fetch_current();
                    self.opened_conversation(id);
                }
                self.sync_conv()?;
            }
            View::Article(id) => {
                let loaded = matches!(&self.article, Load::Ready(a) if &a.id == id);
                if !loaded {
                    self.article = Load::Loading;
                    let (api, id) = (self.api.clone(), id.clone());
                    self.spawn(async move { api.article(&id).await }, |i, r| {
                        i.article = match r {
                            Ok(a) => Load::Ready(a),
                            Err(e) => {
                                i.failed(&e);
                                Load::Failed
                            }
                        };
                        i.redraw_article()
                    });
                }
                self.redraw_article()?;
                if let Some(p) = &self.panel {
                    focus(&p.frame.back);
                }
            }
        }
        Ok(())
    }

    fn redraw_article(&mut self) -> SdkResult<()> {
        let (Some(panel), View::Article(_)) = (self.panel.as_mut(), &self.view) else {
            return Ok(());
        };
        let locale = self.opts.locale.as_str();
        panel
            .frame
            .show(article::title(&self.article, locale), true, false);
        panel.screen = Screen::Empty;
        article::show(&panel.frame.body, &self.article, locale)
    }

    fn redraw_list(&self) -> SdkResult<()> {
        if let Some(Screen::Home(home)) = self.panel.as_ref().map(|p| &p.screen) {
            home.set_list(&self.model.list, self.locale(), &self.config.bot_name)?;
        }
        Ok(())
    }

    /// The conversation the user is looking at right now (panel open, tab
    /// visible): its new messages are read as they arrive.
    fn viewing(&self) -> Option<&str> {
        let visible = document().is_ok_and(|d| !d.hidden());
        match (&self.view, &self.panel) {
            (View::Conv(Target::Conv(id)), Some(_)) if visible => Some(id),
            _ => None,
        }
    }

    /// Redraws the conversation on screen from the model, and marks it
    /// read if the user is looking at unread messages.
    fn sync_conv(&mut self) -> SdkResult<()> {
        let (Some(panel), View::Conv(target)) = (self.panel.as_mut(), &self.view) else {
            return Ok(());
        };
        let Screen::Conv(cv) = &mut panel.screen else {
            return Ok(());
        };
        let conv = match target {
            Target::Conv(id) => self.model.current.as_ref().filter(|c| &c.id == id),
            Target::New(_) => None,
        };
        let pending: Vec<&Pending> = self.model.pending_for(target).collect();
        let what = conv.map_or(model::Ask::Nothing, |c| ask(&self.model, c));
        let ctx = Ctx {
            locale: &self.opts.locale,
            bot_name: &self.config.bot_name,
            team: &self.config.team_name,
            expected: &self.config.expected_reply,
        };
        cv.sync(&ctx, conv, &pending, &what)?;
        cv.set_typing(&self.opts.locale, self.model.typing.as_deref());
        let title = conv
            .and_then(|c| c.assignee.as_deref())
            .unwrap_or(&self.config.team_name);
        panel.frame.title.set_text_content(Some(title));
        Ok(())
    }

    fn opened_conversation(&mut self, id: String) {
        if self.opened.as_ref() != Some(&id) {
            self.opened = Some(id.clone());
            self.emit(MessengerEvent::ConversationOpened(id));
        }
    }

    fn tell_unread(&mut self) -> SdkResult<()> {
        let n = self.model.unread();
        if self.told_unread == Some(n) {
            return Ok(());
        }
        self.told_unread = Some(n);
        if let Some(l) = &self.launcher {
            l.set_unread(n, &self.opts.locale)?;
        }
        self.emit(MessengerEvent::UnreadCount(n));
        Ok(())
    }

    fn load_list(&mut self) {
        let api = self.api.clone();
        self.spawn(async move { api.list().await }, |i, r| match r {
            Ok(list) => {
                i.model.set_list(list);
                i.ensure_stream();
                i.tell_unread()?;
                i.redraw_list()
            }
            Err(e) => {
                i.failed(&e);
                Ok(())
            }
        });
    }

    /// Opens the update stream once the user has a conversation to hear
    /// about (a visitor who never writes holds no connection).
    fn ensure_stream(&mut self) {
        let needed = !self.model.list.is_empty() || self.model.current.is_some();
        if self.stream.is_some() || !needed {
            return;
        }
        let w = self.me.clone();
        let on_feed: Rc<dyn Fn(Feed)> = Rc::new(move |feed| with(&w, |i| i.on_feed(feed)));
        self.stream = Some(Stream::start(
            self.api.clone(),
            self.model.cursor.clone(),
            on_feed,
        ));
    }

    fn on_feed(&mut self, feed: Feed) -> SdkResult<()> {
        let event = match feed {
            Feed::Expired => {
                self.emit(MessengerEvent::SessionExpired);
                return Ok(());
            }
            Feed::Event(e) => e,
        };
        let viewing = self.viewing().map(str::to_owned);
        let changed = self.model.apply(event, viewing.as_deref());
        if let Some(id) = &viewing {
            // The server counts what the user is looking at until the
            // read (after the refetch this change asks for) lands.
            self.model.seen(id);
        }
        if changed.typing {
            // An agent's typing signal lasts a few seconds unless renewed.
            let w = self.me.clone();
            self.typing_timer = Some(Timeout::new(6_000, move || {
                with(&w, |i| {
                    i.model.typing = None;
                    i.sync_conv()
                })
            }));
        }
        if changed.list {
            self.tell_unread()?;
            self.redraw_list()?;
        }
        if changed.refetch {
            self.fetch_current();
        }
        if changed.current || changed.typing {
            self.sync_conv()?;
        }
        Ok(())
    }

    /// Reads the conversation on screen again (one request at a time; a
    /// change during it asks for one more).
    fn fetch_current(&mut self) {
        let View::Conv(Target::Conv(id)) = &self.view else {
            return;
        };
        if self.fetching {
            self.fetch_again = true;
            return;
        }
        self.fetching = true;
        let (api, id) = (self.api.clone(), id.clone());
        self.spawn(async move { api.get(&id).await }, |i, r| {
            i.fetching = false;
            match r {
                Ok(conv) => i.took(conv)?,
                Err(e) => i.failed(&e),
            }
            if std::mem::take(&mut i.fetch_again) {
                i.fetch_current();
            }
            Ok(())
        });
    }

    /// A conversation from the server: into the model, onto the screen.
    /// Unread messages in it that the user is looking at are read: at
    /// once on screen, and the server is told.
    fn took(&mut self, conv: beckon_core::conversation::Conversation) -> SdkResult<()> {
        let on_screen = self.view == View::Conv(Target::Conv(conv.id.clone()));
        let read = conv.unread > 0 && self.viewing() == Some(conv.id.as_str());
        let id = conv.id.clone();
        self.model.put(conv, on_screen);
        if read {
            self.model.seen(&id);
            if !self.reading {
                self.reading = true;
                self.call("read", None, None)?;
            }
        }
        self.ensure_stream();
        self.tell_unread()?;
        self.redraw_list()?;
        self.sync_conv()
    }

    /// `POST …/{what}` on the conversation on screen; `undo` runs if it
    /// fails (to take back an optimistic "thanks").
    fn call(
        &mut self,
        what: &'static str,
        body: Option<String>,
        undo: Option<fn(&mut Model, &str)>,
    ) -> SdkResult<()> {
        let View::Conv(Target::Conv(id)) = &self.view else {
            return Ok(());
        };
        let (api, id) = (self.api.clone(), id.clone());
        self.spawn(
            async move {
                let r = api.act(&id, what, body.as_deref()).await;
                (id, r)
            },
            move |i, (id, r)| {
                if what == "read" {
                    i.reading = false;
                }
                match r {
                    Ok(conv) => i.took(conv),
                    Err(e) => {
                        i.failed(&e);
                        if let Some(undo) = undo {
                            undo(&mut i.model, &id);
                        }
                        i.sync_conv()
                    }
                }
            },
        );
        Ok(())
    }

    fn feedback(&mut self, message_id: &str, helped: bool) -> SdkResult<()> {
        self.model.answered.insert(message_id.to_owned());
        self.sync_conv()?;
        let body = to_json_string(&BotFeedback {
            message_id: message_id.to_owned(),
            helped,
        })?;
        self.call(
            "feedback",
            Some(body),
            Some(|m, _| {
                m.answered.clear();
            }),
        )
    }

    fn rate(&mut self, n: &str) -> SdkResult<()> {
        let (Ok(rating), View::Conv(Target::Conv(id))) = (n.parse::<u8>(), &self.view) else {
            return Ok(());
        };
        self.model.rated.insert(id.clone());
        self.sync_conv()?;
        let body = to_json_string(&Rating {
            rating,
            comment: None,
        })?;
        self.call(
            "rating",
            Some(body),
            Some(|m, id| {
                m.rated.remove(id);
            }),
        )
    }

    fn search(&mut self, q: String) {
        self.query = q.clone();
        self.results = Some(Load::Loading);
        self.searches += 1;
        let seq = self.searches;
        let _ = self.redraw_results();
        let api = self.api.clone();
        self.spawn(async move { api.articles(&q).await }, move |i, r| {
            // Only the latest search may fill the list.
            if seq != i.searches {
                return Ok(());
            }
            i.results = Some(match r {
                Ok(h) => Load::Ready(h.articles),
                Err(e) => {
                    i.failed(&e);
                    Load::Failed
                }
            });
            i.redraw_results()
        });
    }

    fn redraw_results(&self) -> SdkResult<()> {
        if let (Some(Screen::Home(home)), Some(r)) =
            (self.panel.as_ref().map(|p| &p.screen), &self.results)
        {
            home.set_results(r, self.locale())?;
        }
        Ok(())
    }

    /// Shows what the user wrote at once and queues it for the server.
    fn send(&mut self, body: String) -> SdkResult<()> {
        let View::Conv(target) = &self.view else {
            return Ok(());
        };
        self.model.pending.push(Pending {
            client_id: random_id(),
            target: target.clone(),
            body,
            ts: js_sys::Date::now(),
            state: SendState::Queued,
            failures: 0,
        });
        self.sync_conv()?;
        self.pump();
        Ok(())
    }

    /// Sends the next queued message, if none is on its way and no retry
    /// is waiting.
    fn pump(&mut self) {
        if self.retry.is_some() {
            return;
        }
        let Some(p) = self.model.next_to_send() else {
            return;
        };
        let api = self.api.clone();
        let message = NewMessage {
            body: p.body.clone(),
            client_id: p.client_id.clone(),
        };
        let id = match &p.target {
            Target::Conv(id) => Some(id.clone()),
            Target::New(_) => None,
        };
        self.spawn(
            async move { api.write(id.as_deref(), &message).await },
            move |i, r| {
                match r {
                    Ok(conv) => i.sent(&p, conv)?,
                    Err(e) => {
                        i.failed(&e);
                        if i.model.failed(&p.client_id, e.is_retryable()) {
                            let failures = i
                                .model
                                .pending
                                .iter()
                                .find(|q| q.client_id == p.client_id)
                                .map_or(1, |q| q.failures);
                            let w = i.me.clone();
                            let delay = backoff_ms(failures, js_sys::Math::random());
                            i.retry = Some(Timeout::new(delay, move || {
                                with(&w, |i| {
                                    i.retry = None;
                                    i.pump();
                                    i.sync_conv()
                                })
                            }));
                        }
                        i.sync_conv()?;
                    }
                }
                i.pump();
                Ok(())
            },
        );
    }

    /// The server has `p`: a first message made a conversation, which
    /// the screen now shows.
    fn sent(
        &mut self,
        p: &Pending,
        conv: beckon_core::conversation::Conversation,
    ) -> SdkResult<()> {
        if let Target::New(_) = p.target {
            let id = conv.id.clone();
            self.model.started(&p.target, &id);
            for v in self
                .history
                .iter_mut()
                .chain(std::iter::once(&mut self.view))
            {
                if *v == View::Conv(p.target.clone()) {
                    *v = View::Conv(Target::Conv(id.clone()));
                }
            }
            self.emit(MessengerEvent::ConversationStarted(id.clone()));
            if self.view == View::Conv(Target::Conv(id.clone())) {
                self.opened_conversation(id);
            }
        }
        self.took(conv)
    }
}

/// Focuses the first control of the panel's body (or the dialog).
fn focus_first(frame: &Frame) {
    match frame.first_control() {
        Some(el) => focus(&el),
        None => focus(&frame.dialog),
    }
}
