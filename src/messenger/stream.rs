//! Real-time updates: Server-Sent Events, with polling when they fail.
//!
//! `EventSource` reconnects by itself after a dropped connection and sends
//! the last `id:` it saw as `Last-Event-ID`, so the server resumes exactly
//! there. It gives up for good on an HTTP error (and may not exist at all:
//! old browsers, a `connect-src` policy, a proxy that buffers streams); then,
//! or after [`ERRORS_BEFORE_POLLING`] errors in a row, this module polls
//! `/updates?since=<cursor>` instead, and tries the stream again after
//! [`POLLS_BEFORE_LIVE`] good polls, starting it from the cursor (`since=`)
//! so nothing falls in between. A stream whose first event (the server's
//! `hello`) does not come within [`HELLO_WAIT_MS`] is behind a proxy that
//! buffers it, and is given up for polling the same way. Events may repeat
//! across a switch; the model drops duplicates by message id.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use beckon_core::conversation::{StreamEvent, STREAM_HELLO};
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

use super::api::{stream_event, updates, Api};
use super::http::request;
use crate::error::SdkError;
use crate::runtime::outbox::backoff_ms;

/// Stream errors in a row (without an event or an open in between)
/// before falling back to polling.
pub const ERRORS_BEFORE_POLLING: u32 = 3;
/// Good polls before the stream is tried again.
pub const POLLS_BEFORE_LIVE: u32 = 15;
/// Time between polls, ms.
pub const POLL_MS: u32 = 4_000;
/// Time between polls of a tab in the background, ms: no connection
/// held (a browser has few per server), and news such as the unread count
/// (which apps show in the tab's title) still arrives; browsers run a
/// hidden tab's timers about once a minute anyway.
pub const BACKGROUND_POLL_MS: u32 = 30_000;
/// How long a new stream may take to deliver the server's `hello`, ms.
/// A proxy that buffers the stream (some corporate proxies and
/// antivirus software do) delivers nothing and reports no error: the
/// stream looks open while replies never arrive. Past this, polling.
pub const HELLO_WAIT_MS: u32 = 10_000;

/// What the stream delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum Feed {
    /// An event of the user's conversations.
    Event(StreamEvent),
    /// The session token was refused; the stream stopped until it is
    /// started again with a new one.
    Expired,
}

/// How updates arrive now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Server-Sent Events.
    Live,
    /// `/updates?since=` every [`POLL_MS`].
    Polling,
    /// `/updates?since=` every [`BACKGROUND_POLL_MS`], never live: the
    /// tab is in the background.
    Background,
    /// Not at all (the session was refused).
    Stopped,
}

struct St {
    api: Api,
    on_feed: Rc<dyn Fn(Feed)>,
    cursor: Option<String>,
    mode: Mode,
    source: Option<EventSource>,
    listeners: Vec<EventListener>,
    errors: u32,
    polls: u32,
    failures: u32,
    timer: Option<Timeout>,
}

impl St {
    fn close_live(&mut self) {
        if let Some(es) = self.source.take() {
            es.close();
        }
        self.listeners.clear();
    }
}

impl Drop for St {
    fn drop(&mut self) {
        self.close_live();
    }
}

/// The running update channel; dropping it closes the connection and
/// stops every timer.
pub struct Stream(Rc<RefCell<St>>);

impl Stream {
    /// Starts receiving updates after `cursor` (from now when `None`).
    pub fn start(api: Api, cursor: Option<String>, on_feed: Rc<dyn Fn(Feed)>) -> Self {
        let st = new_state(api, cursor, on_feed, Mode::Live);
        go_live(&st);
        Self(st)
    }

    /// Polls for updates after `cursor` every [`BACKGROUND_POLL_MS`],
    /// holding no connection: for a tab in the background.
    pub fn background(api: Api, cursor: Option<String>, on_feed: Rc<dyn Fn(Feed)>) -> Self {
        let st = new_state(api, cursor, on_feed, Mode::Background);
        schedule_poll(&st, BACKGROUND_POLL_MS);
        Self(st)
    }

    /// How updates arrive now.
    pub fn mode(&self) -> Mode {
        self.0.borrow().mode
    }

    /// The last cursor seen.
    pub fn cursor(&self) -> Option<String> {
        self.0.borrow().cursor.clone()
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Ok(mut st) = self.0.try_borrow_mut() {
            st.mode = Mode::Stopped;
            st.timer = None;
            st.close_live();
        }
    }
}

fn new_state(
    api: Api,
    cursor: Option<String>,
    on_feed: Rc<dyn Fn(Feed)>,
    mode: Mode,
) -> Rc<RefCell<St>> {
    Rc::new(RefCell::new(St {
        api,
        on_feed,
        cursor,
        mode,
        source: None,
        listeners: Vec::new(),
        errors: 0,
        polls: 0,
        failures: 0,
        timer: None,
    }))
}

fn has_event_source() -> bool {
    web_sys::window()
        .is_some_and(|w| js_sys::Reflect::has(&w, &"EventSource".into()).unwrap_or(false))
}

fn go_live(s: &Rc<RefCell<St>>) {
    let mut st = s.borrow_mut();
    let url = st.api.stream_url(st.cursor.as_deref());
    let Ok(es) = EventSource::new(&url) else {
        drop(st);
        return go_polling(s);
    };
    let w = Rc::downgrade(s);
    let on_message = EventListener::new(&es, "message", move |e| {
        let (Some(s), Some(e)) = (w.upgrade(), e.dyn_ref::<MessageEvent>()) else {
            return;
        };
        let id = e.last_event_id();
        let feed = {
            let mut st = s.borrow_mut();
            st.errors = 0;
            st.timer = None;
            if !id.is_empty() {
                st.cursor = Some(id);
            }
            st.on_feed.clone()
        };
        // An event this SDK does not know (a newer server) is skipped.
        if let Some(event) = e
            .data()
            .as_string()
            .and_then(|t| beckon_core::json::text::parse(&t).ok())
            .and_then(stream_event)
        {
            feed(Feed::Event(event));
        }
    });
    // The server's first event: the stream gets through.
    let w = Rc::downgrade(s);
    let on_hello = EventListener::new(&es, STREAM_HELLO, move |_| {
        if let Some(s) = w.upgrade() {
            let mut st = s.borrow_mut();
            st.errors = 0;
            st.timer = None;
        }
    });
    let w = Rc::downgrade(s);
    let on_open = EventListener::new(&es, "open", move |_| {
        if let Some(s) = w.upgrade() {
            s.borrow_mut().errors = 0;
        }
    });
    let w: Weak<RefCell<St>> = Rc::downgrade(s);
    let on_error = EventListener::new(&es, "error", move |_| {
        let Some(s) = w.upgrade() else { return };
        let give_up = {
            let mut st = s.borrow_mut();
            st.errors += 1;
            let closed = st
                .source
                .as_ref()
                .is_none_or(|es| es.ready_state() == EventSource::CLOSED);
            closed || st.errors >= ERRORS_BEFORE_POLLING
        };
        if give_up {
            go_polling(&s);
        }
    });
    let w = Rc::downgrade(s);
    let watchdog = Timeout::new(HELLO_WAIT_MS, move || {
        if let Some(s) = w.upgrade() {
            go_polling(&s);
        }
    });
    st.source = Some(es);
    st.listeners = vec![on_message, on_hello, on_open, on_error];
    st.mode = Mode::Live;
    st.errors = 0;
    st.timer = Some(watchdog);
}

fn go_polling(s: &Rc<RefCell<St>>) {
    {
        let mut st = s.borrow_mut();
        st.close_live();
        st.mode = Mode::Polling;
        st.polls = 0;
    }
    // At once: catch up on what the failing stream may have missed.
    schedule_poll(s, 0);
}

fn schedule_poll(s: &Rc<RefCell<St>>, delay: u32) {
    let w = Rc::downgrade(s);
    let timer = Timeout::new(delay, move || {
        if let Some(s) = w.upgrade() {
            poll(&s);
        }
    });
    s.borrow_mut().timer = Some(timer);
}

fn poll(s: &Rc<RefCell<St>>) {
    let req = {
        let st = s.borrow();
        st.api.updates(st.cursor.as_deref())
    };
    let w = Rc::downgrade(s);
    wasm_bindgen_futures::spawn_local(async move {
        let result = request(req).await.and_then(updates);
        let Some(s) = w.upgrade() else { return };
        let feed = s.borrow().on_feed.clone();
        match result {
            Ok((events, cursor)) => {
                let live = {
                    let mut st = s.borrow_mut();
                    st.cursor = Some(cursor);
                    st.failures = 0;
                    st.polls += 1;
                    st.mode == Mode::Polling && st.polls >= POLLS_BEFORE_LIVE && has_event_source()
                };
                for event in events {
                    feed(Feed::Event(event));
                }
                // The receiver may have stopped the stream meanwhile.
                let mode = s.borrow().mode;
                if live && mode == Mode::Polling {
                    go_live(&s);
                } else if mode == Mode::Polling {
                    schedule_poll(&s, POLL_MS);
                } else if mode == Mode::Background {
                    schedule_poll(&s, BACKGROUND_POLL_MS);
                }
            }
            Err(SdkError::Refused(401 | 403, _)) => {
                s.borrow_mut().mode = Mode::Stopped;
                feed(Feed::Expired);
            }
            Err(_) => {
                let delay = {
                    let mut st = s.borrow_mut();
                    let least = match st.mode {
                        Mode::Polling => POLL_MS,
                        Mode::Background => BACKGROUND_POLL_MS,
                        Mode::Live | Mode::Stopped => return,
                    };
                    st.failures += 1;
                    backoff_ms(st.failures, js_sys::Math::random()).max(least)
                };
                schedule_poll(&s, delay);
            }
        }
    });
}
