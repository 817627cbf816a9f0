//! Wake-ups for the event streams of this process.
//!
//! The feed in the database is the truth (see `store::conversations`);
//! this only tells a stream *when* to read it, so a reply shows up at once
//! instead of at the next poll. Streams also re-read the database every
//! few seconds, which is how writes of other server processes sharing the
//! same database reach them. Typing indicators are the one thing that
//! lives here only: they are worth nothing a few seconds later.

use std::sync::Arc;

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
}

impl Default for Hub {
    fn default() -> Self {
        // A stream that falls this far behind re-reads the database anyway.
        let (signals, _) = broadcast::channel(1024);
        let (stopping, _) = watch::channel(false);
        Self { signals, stopping }
    }
}

impl Hub {
    /// Wakes the user's streams: their feed grew.
    pub fn notify(&self, app_id: &str, user_key: &str) {
        let _ = self.signals.send(Signal::Feed {
            app_id: app_id.into(),
            user_key: user_key.into(),
        });
    }

    /// Tells the user's streams that an agent is typing.
    pub fn typing(&self, app_id: &str, user_key: &str, conversation_id: &str, author_name: &str) {
        let _ = self.signals.send(Signal::Typing {
            app_id: app_id.into(),
            user_key: user_key.into(),
            conversation_id: conversation_id.to_owned(),
            author_name: author_name.to_owned(),
        });
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
