//! What a user has seen, dismissed and completed.
//!
//! The server derives it from the event stream and sends it at boot; the SDK
//! applies its own events on top so a dismissal takes effect at once, before
//! the server has heard of it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::protocol::{event_names, Event};

/// Version of the serialised state; bumped when its shape changes.
pub const STATE_VERSION: u32 = 1;

/// A user's history with the app's messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserState {
    /// Shape version, see [`STATE_VERSION`].
    pub v: u32,
    /// Per message id.
    #[serde(default)]
    pub messages: BTreeMap<String, MessageState>,
}

impl Default for UserState {
    fn default() -> Self {
        Self {
            v: STATE_VERSION,
            messages: BTreeMap::new(),
        }
    }
}

/// One message's history with one user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageState {
    /// How many times it was shown.
    #[serde(default)]
    pub shown: u32,
    /// When it was last shown (ms since epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_shown: Option<f64>,
    /// When the user dismissed it, if they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismissed_at: Option<f64>,
    /// When the user completed it, if they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<f64>,
}

impl UserState {
    /// Folds one message event into the state; other events are ignored here.
    pub fn apply(&mut self, event: &Event) {
        let Some(id) = event.message_id.as_deref() else {
            return;
        };
        let entry = self.messages.entry(id.to_owned()).or_default();
        match event.name.as_str() {
            event_names::SHOWN => {
                entry.shown = entry.shown.saturating_add(1);
                entry.last_shown = Some(entry.last_shown.map_or(event.ts, |t| t.max(event.ts)));
            }
            event_names::DISMISSED => {
                entry.dismissed_at.get_or_insert(event.ts);
            }
            event_names::COMPLETED => {
                entry.completed_at.get_or_insert(event.ts);
            }
            _ => {}
        }
    }

    /// Folds another copy of the state into this one (the server's and the
    /// browser's, or two tabs'). Counts take the larger side, times the
    /// later showing and the earlier dismissal or completion, so nothing
    /// either side recorded is undone.
    pub fn merge(&mut self, other: &UserState) {
        for (id, theirs) in &other.messages {
            let mine = self.messages.entry(id.clone()).or_default();
            mine.shown = mine.shown.max(theirs.shown);
            mine.last_shown = max_time(mine.last_shown, theirs.last_shown);
            mine.dismissed_at = min_time(mine.dismissed_at, theirs.dismissed_at);
            mine.completed_at = min_time(mine.completed_at, theirs.completed_at);
        }
    }

    /// Whether the user dismissed this message.
    pub fn is_dismissed(&self, message_id: &str) -> bool {
        self.messages
            .get(message_id)
            .is_some_and(|m| m.dismissed_at.is_some())
    }
}

fn max_time(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

fn min_time(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(name: &str, ts: f64) -> Event {
        Event {
            id: format!("{name}-{ts}"),
            name: name.into(),
            ts,
            message_id: Some("m1".into()),
            data: Default::default(),
        }
    }

    #[test]
    fn shown_counts_and_keeps_latest_time() {
        let mut s = UserState::default();
        s.apply(&ev(event_names::SHOWN, 20.0));
        s.apply(&ev(event_names::SHOWN, 10.0));
        let m = &s.messages["m1"];
        assert_eq!(m.shown, 2);
        assert_eq!(m.last_shown, Some(20.0));
        assert!(!s.is_dismissed("m1"));
    }

    #[test]
    fn merge_keeps_what_either_side_recorded() {
        let mut server = UserState::default();
        server.apply(&ev(event_names::SHOWN, 10.0));
        let mut local = server.clone();
        local.apply(&ev(event_names::SHOWN, 30.0));
        local.apply(&ev(event_names::DISMISSED, 31.0));
        server.merge(&local);
        let m = &server.messages["m1"];
        assert_eq!(
            (m.shown, m.last_shown, m.dismissed_at),
            (2, Some(30.0), Some(31.0))
        );
    }

    #[test]
    fn first_dismissal_wins() {
        let mut s = UserState::default();
        s.apply(&ev(event_names::DISMISSED, 5.0));
        s.apply(&ev(event_names::DISMISSED, 9.0));
        assert_eq!(s.messages["m1"].dismissed_at, Some(5.0));
        assert!(s.is_dismissed("m1"));
    }
}
