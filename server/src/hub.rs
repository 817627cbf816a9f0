//! Wake-ups for the event streams of this process.
//!
//! The feed in the database is the truth (see `store::conversations`);
//! this only tells a stream *when* to read it, so a reply shows up at once
//! instead of at the next poll. Streams also re-read the database every
//! few seconds, which is how writes of other server processes sharing the
//! same database reach them. Typing indicators are the one thing that
//! lives here only: they are worth nothing a few seconds later. The last
//! few seconds of them are also kept, for clients that poll
//! (`/v1/conversations/updates`) because their stream does not get through.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch};

/// What a stream may be woken for.
#[derive(Debug, Clone)]
pub enum Signal {
    /// New items in this user's feed.
    Feed {
        /// The app.
        app_id: Arc<str>,
        /// The user.
        user_key: Arc<str>,
    },
    /// An agent is typing in one of this user's conversations.
    Typing {
        /// The app.
        app_id: Arc<str>,
        /// The user.
        user_key: Arc<str>,
        /// The conversation.
        conversation_id: String,
        /// The agent.
        author_name: String,
    },
}

impl Signal {
    /// Whether it concerns this user.
    pub fn is_for(&self, app: &str, user: &str) -> bool {
        match self {
            Signal::Feed { app_id, user_key }
            | Signal::Typing {
                app_id, user_key, ..
            } => &**app_id == app && &**user_key == user,
        }
    }
}

/// The process's wake-up channel, and the signal that ends every stream
/// when the server shuts down (an open stream would otherwise hold the
/// graceful shutdown forever).
pub struct Hub {
    signals: broadcast::Sender<Signal>,
    stopping: watch::Sender<bool>,
    /// Who typed lately, per (app, user).
    typing: Mutex<HashMap<(String, String), Vec<RecentTyping>>>,
    /// Open streams per (app, user).
    streams: Arc<Mutex<HashMap<(String, String), usize>>>,
}

/// One open stream of a user, counted until it is dropped.
pub struct StreamSlot {
    key: (String, String),
    streams: Arc<Mutex<HashMap<(String, String), usize>>>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = streams.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                streams.remove(&self.key);
            }
        }
    }
}

/// `(conversation, agent, when)` of a typing signal.
type RecentTyping = (String, String, Instant);

/// How long a typing signal is news for a polling client. The inbox
/// repeats it every 3 s while the agent types and the SDK polls every
/// 4 s, so a poll during typing always finds one.
pub const TYPING_FRESH: Duration = Duration::from_secs(5);

/// Whether a typing signal sent `at` is still news `now`.
fn fresh(at: Instant, now: Instant) -> bool {
    now.duration_since(at) < TYPING_FRESH
}

/// Users with a typing signal kept before stale ones are swept out.
const TYPING_SWEEP_AT: usize = 1024;

impl Default for Hub {
    fn default() -> Self {
        // A stream that falls this far behind re-reads the database anyway.
        let (signals, _) = broadcast::channel(1024);
        let (stopping, _) = watch::channel(false);
        Self {
            signals,
            stopping,
            typing: Mutex::default(),
            streams: Arc::default(),
        }
    }
}

impl Hub {
    /// Counts a new stream of the user, or `None` when they already have
    /// `most` open in this process. Every open stream re-reads the
    /// database every few seconds, so one user (a script, a browser with
    /// dozens of windows) cannot hold unbounded work; a browser refused a
    /// stream polls instead.
    pub fn open_stream(&self, app_id: &str, user_key: &str, most: usize) -> Option<StreamSlot> {
        let key = (app_id.to_owned(), user_key.to_owned());
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let n = streams.entry(key.clone()).or_insert(0);
        if *n >= most {
            return None;
        }
        *n += 1;
        Some(StreamSlot {
            key,
            streams: self.streams.clone(),
        })
    }

    /// Wakes the user's streams: their feed grew.
    pub fn notify(&self, app_id: &str, user_key: &str) {
        let _ = self.signals.send(Signal::Feed {
            app_id: app_id.into(),
            user_key: user_key.into(),
        });
    }

    /// Tells the user's streams that an agent is typing.
    pub fn typing(&self, app_id: &str, user_key: &str, conversation_id: &str, author_name: &str) {
        let now = Instant::now();
        self.edit_typing(app_id, user_key, |list| {
            list.retain(|(c, a, _)| c != conversation_id || a != author_name);
            list.push((conversation_id.to_owned(), author_name.to_owned(), now));
        });
        let _ = self.signals.send(Signal::Typing {
            app_id: app_id.into(),
            user_key: user_key.into(),
            conversation_id: conversation_id.to_owned(),
            author_name: author_name.to_owned(),
        });
    }

    /// `(conversation, agent)` of the typing signals of the last
    /// [`TYPING_FRESH`] for this user, for a client that polls.
    pub fn recent_typing(&self, app_id: &str, user_key: &str) -> Vec<(String, String)> {
        self.edit_typing(app_id, user_key, |list| {
            list.iter()
                .map(|(c, a, _)| (c.clone(), a.clone()))
                .collect()
        })
        .unwrap_or_default()
    }

    /// A reply came in the conversation: its typing signals are over.
    pub fn typing_done(&self, app_id: &str, user_key: &str, conversation_id: &str) {
        self.edit_typing(app_id, user_key, |list| {
            list.retain(|(c, _, _)| c != conversation_id);
        });
    }

    /// Runs `f` on this user's typing signals, the stale ones dropped
    /// first; a user left with none is removed from the map.
    fn edit_typing<R>(
        &self,
        app_id: &str,
        user_key: &str,
        f: impl FnOnce(&mut Vec<RecentTyping>) -> R,
    ) -> Option<R> {
        let now = Instant::now();
        let mut recent = self.typing.lock().ok()?;
        if recent.len() >= TYPING_SWEEP_AT {
            // Users who stopped typing long ago, swept under the same lock.
            recent.retain(|_, list| {
                list.retain(|(_, _, at)| fresh(*at, now));
                !list.is_empty()
            });
        }
        let key = (app_id.to_owned(), user_key.to_owned());
        let list = recent.entry(key.clone()).or_default();
        list.retain(|(_, _, at)| fresh(*at, now));
        let out = f(list);
        if list.is_empty() {
            recent.remove(&key);
        }
        Some(out)
    }

    /// Signals from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.signals.subscribe()
    }

    /// Ends every stream (at shutdown).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves-on-change handle that turns `true` at shutdown.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }
}
