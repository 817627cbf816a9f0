//! The messenger's side of the server: requests and what their answers
//! do, the update stream's events, unread counts, and the send queue.
//!
//! Every request runs in the one future of [`Inner::spawn`] and its answer
//! comes back to [`Inner::done`] tagged with a [`Job`], so the wasm holds
//! one async state machine for all calls instead of one per call site.

use std::rc::Rc;

use beckon_core::conversation::{BotFeedback, Conversation, ConversationList, NewMessage, Rating};
use gloo_timers::callback::Timeout;

use super::api::{Article, HelpCenter};
use super::http::{parse, request, Req};
use super::model::{Load, Model, Pending, SendState, Target};
use super::stream::{Feed, Mode, Stream};
use super::{with, Inner, MessengerEvent, View};
use crate::client::to_json_string;
use crate::error::{warn, SdkError, SdkResult};
use crate::runtime::outbox::backoff_ms;
use crate::runtime::page::page_hidden;
use crate::runtime::random_id;

/// How long a hidden tab keeps its update stream, ms: long enough that a
/// glance at another tab costs no reconnection, short enough that tabs
/// left in the background do not hold the browser's few connections to
/// the server.
pub const HIDDEN_STREAM_MS: u32 = 10_000;

/// What a request was for; its answer goes to [`Inner::done`].
pub(super) enum Job {
    /// The conversation list.
    List,
    /// The conversation on screen, read again.
    Fetch,
    /// A message of the user's.
    Write(Pending),
    /// `POST …/{what}` on conversation `id`; `undo` takes back an
    /// optimistic change if it fails.
    Act(&'static str, String, Option<fn(&mut Model, &str)>),
    /// The help search with this sequence number.
    Search(u32),
    /// An article.
    Article,
}

impl Inner {
    /// Runs `req`; its answer goes to [`Inner::done`] with `job` if the
    /// messenger still exists.
    pub(super) fn spawn(&self, req: Req, job: Job) {
        let w = self.me.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = request(req).await;
            with(&w, |i| i.done(job, answer));
        });
    }

    /// What an answer does.
    fn done(&mut self, job: Job, answer: SdkResult<serde_json::Value>) -> SdkResult<()> {
        if matches!(job, Job::List) {
            self.listing = false;
        }
        match job {
            Job::List => match answer.and_then(parse::<ConversationList>) {
                Ok(list) => {
                    self.model.set_list(list);
                    self.ensure_stream();
                    self.tell_unread()?;
                    self.redraw_list()?;
                }
                Err(e) => self.failed(&e),
            },
            Job::Fetch => {
                self.fetching = false;
                match answer.and_then(parse::<Conversation>) {
                    Ok(conv) => self.took(conv)?,
                    Err(e) => self.failed(&e),
                }
                if std::mem::take(&mut self.fetch_again) {
                    self.fetch_current();
                }
            }
            Job::Write(p) => {
                match answer.and_then(parse::<Conversation>) {
                    Ok(conv) => self.sent(&p, conv)?,
                    Err(e) => self.unsent(&p, &e),
                }
                self.sync_conv()?;
                self.pump();
            }
            Job::Act(what, id, undo) => {
                if what == "read" {
                    self.reading = false;
                }
                match answer.and_then(parse::<Conversation>) {
                    Ok(conv) => self.took(conv)?,
                    Err(e) => {
                        self.failed(&e);
                        if let Some(undo) = undo {
                            undo(&mut self.model, &id);
                        }
                        self.sync_conv()?;
                    }
                }
            }
            // Only the latest search may fill the list.
            Job::Search(seq) if seq != self.searches => {}
            Job::Search(_) => {
                self.results = Some(match answer.and_then(parse::<HelpCenter>) {
                    Ok(h) => Load::Ready(h.articles),
                    Err(e) => {
                        self.failed(&e);
                        Load::Failed
                    }
                });
                self.redraw_results()?;
            }
            Job::Article => {
                self.article = match answer.and_then(parse::<Article>) {
                    Ok(a) => Load::Ready(a),
                    Err(e) => {
                        self.failed(&e);
                        Load::Failed
                    }
                };
                self.redraw_article()?;
            }
        }
        Ok(())
    }

    /// A failed call: an expired session is the runtime's to fix; a server
    /// asking to wait is warned about once per wait; the rest is a warning.
    pub(super) fn failed(&mut self, e: &SdkError) {
        if matches!(e, SdkError::Refused(401, _)) {
            self.emit(MessengerEvent::SessionExpired);
        } else if e.wait_ms() > 0 {
            let now = js_sys::Date::now();
            if now >= self.busy_until {
                warn(&e.describe());
            }
            self.busy_until = now + f64::from(e.wait_ms());
        } else {
            warn(&e.describe());
        }
    }

    /// Updates the badge and tells the app when the unread count changed.
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

    /// Reads the conversation list (the badge, the home view), unless a
    /// request for it is on its way or the server asked to wait: the panel
    /// then shows the list it has.
    pub(super) fn load_list(&mut self) {
        if self.listing || js_sys::Date::now() < self.busy_until {
            return;
        }
        self.listing = true;
        self.spawn(self.api.list(), Job::List);
    }

    /// Opens the update stream once the user has a conversation to hear
    /// about (a visitor who never writes holds no connection).
    /// Opens the update stream if the user has a conversation: live in a
    /// visible tab; in a hidden one (opened in the background, or left),
    /// polling now and then, holding no connection: a browser opens at
    /// most six HTTP/1.1 connections to a server, so six tabs holding
    /// streams left a seventh tab unable to reach it at all, page and SDK
    /// alike.
    pub(super) fn ensure_stream(&mut self) {
        let needed = !self.model.list.is_empty() || self.model.current.is_some();
        if !needed {
            return;
        }
        let hidden = page_hidden();
        let background = self.stream.as_ref().map(|s| s.mode() == Mode::Background);
        match (background, hidden) {
            // Nothing yet: as the tab is.
            (None, _) => self.start_stream(hidden),
            // Back in a tab that was polling in the background: live,
            // from where the polls got to.
            (Some(true), false) => self.start_stream(false),
            _ => {}
        }
    }

    /// Replaces the stream with a live one (or one for the background),
    /// starting where the old one got to.
    fn start_stream(&mut self, background: bool) {
        if let Some(cursor) = self.stream.take().and_then(|s| s.cursor()) {
            self.model.cursor = Some(cursor);
        }
        let w = self.me.clone();
        let on_feed: Rc<dyn Fn(Feed)> = Rc::new(move |feed| with(&w, |i| i.on_feed(feed)));
        let (api, cursor) = (self.api.clone(), self.model.cursor.clone());
        self.stream = Some(if background {
            Stream::background(api, cursor, on_feed)
        } else {
            Stream::start(api, cursor, on_feed)
        });
    }

    /// The tab was hidden or shown: a tab hidden for [`HIDDEN_STREAM_MS`]
    /// closes its live stream and polls now and then instead; shown again,
    /// it goes live from where it got to (the server replays what came
    /// meanwhile).
    pub(super) fn hidden_changed(&mut self) {
        if !page_hidden() {
            self.stream_sleep = None;
            self.ensure_stream();
            return;
        }
        let live = self
            .stream
            .as_ref()
            .is_some_and(|s| s.mode() != Mode::Background);
        if !live || self.stream_sleep.is_some() {
            return;
        }
        let w = self.me.clone();
        self.stream_sleep = Some(Timeout::new(HIDDEN_STREAM_MS, move || {
            with(&w, |i| {
                i.stream_sleep = None;
                if page_hidden() && i.stream.is_some() {
                    i.start_stream(true);
                }
                Ok(())
            });
        }));
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
    pub(super) fn fetch_current(&mut self) {
        let View::Conv(Target::Conv(id)) = &self.view else {
            return;
        };
        if self.fetching {
            self.fetch_again = true;
            return;
        }
        self.fetching = true;
        self.spawn(self.api.get(id), Job::Fetch);
    }

    /// A conversation from the server: into the model, onto the screen.
    /// Unread messages in it that the user is looking at are read: at
    /// once on screen, and the server is told.
    fn took(&mut self, conv: Conversation) -> SdkResult<()> {
        let on_screen = self.view == View::Conv(Target::Conv(conv.id.clone()));
        let read = conv.unread > 0 && self.viewing() == Some(conv.id.as_str());
        let id = conv.id.clone();
        self.model.put(conv, on_screen);
        if read {
            self.model.seen(&id);
            if !self.reading {
                self.reading = true;
                self.call("read", None, None);
            }
        }
        self.ensure_stream();
        self.tell_unread()?;
        self.redraw_list()?;
        self.sync_conv()
    }

    /// `POST …/{what}` on the conversation on screen; `undo` runs if it
    /// fails (to take back an optimistic "thanks").
    pub(super) fn call(
        &mut self,
        what: &'static str,
        body: Option<String>,
        undo: Option<fn(&mut Model, &str)>,
    ) {
        if let View::Conv(Target::Conv(id)) = &self.view {
            self.spawn(
                self.api.act(id, what, body),
                Job::Act(what, id.clone(), undo),
            );
        }
    }

    /// The user says whether a bot answer helped ("no" hands off).
    pub(super) fn feedback(&mut self, message_id: &str, helped: bool) -> SdkResult<()> {
        self.model.answered.insert(message_id.to_owned());
        self.sync_conv()?;
        let body = to_json_string(&BotFeedback {
            message_id: message_id.to_owned(),
            helped,
        })?;
        self.call("feedback", Some(body), Some(|m, _| m.answered.clear()));
        Ok(())
    }

    /// The user rates the closed conversation on screen.
    pub(super) fn rate(&mut self, n: &str) -> SdkResult<()> {
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
        );
        Ok(())
    }

    /// Searches the help articles.
    pub(super) fn search(&mut self, q: String) {
        self.searches += 1;
        self.spawn(self.api.articles(&q), Job::Search(self.searches));
        self.query = q;
        self.results = Some(Load::Loading);
        let _ = self.redraw_results();
    }

    /// Shows what the user wrote at once and queues it for the server.
    pub(super) fn send(&mut self, body: String) -> SdkResult<()> {
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
    pub(super) fn pump(&mut self) {
        if self.retry.is_some() {
            return;
        }
        let Some(p) = self.model.next_to_send() else {
            return;
        };
        let message = NewMessage {
            body: p.body.clone(),
            client_id: p.client_id.clone(),
        };
        let id = match &p.target {
            Target::Conv(id) => Some(id.as_str()),
            Target::New(_) => None,
        };
        match self.api.write(id, &message) {
            Ok(req) => self.spawn(req, Job::Write(p)),
            Err(e) => self.unsent(&p, &e),
        }
    }

    /// A send failed: retried after a backoff while the network is the
    /// trouble (three tries), else left for the user's Retry.
    fn unsent(&mut self, p: &Pending, e: &SdkError) {
        self.failed(e);
        if !self.model.failed(&p.client_id, e.is_retryable()) {
            return;
        }
        let failures = self
            .model
            .pending
            .iter()
            .find(|q| q.client_id == p.client_id)
            .map_or(1, |q| q.failures);
        let w = self.me.clone();
        let delay = backoff_ms(failures, js_sys::Math::random());
        self.retry = Some(Timeout::new(delay, move || {
            with(&w, |i| {
                i.retry = None;
                i.pump();
                i.sync_conv()
            })
        }));
    }

    /// The server has `p`: a first message made a conversation, which
    /// the screen now shows.
    fn sent(&mut self, p: &Pending, conv: Conversation) -> SdkResult<()> {
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
