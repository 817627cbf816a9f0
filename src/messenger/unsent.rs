//! Messages the user wrote that the server has not acknowledged, kept in
//! the user's storage so a reload (or a closed tab) loses none of them: the
//! next messenger of the same user sends them, with the same client ids,
//! so a message that did arrive before the reload is not stored twice.

use serde_json::{json, Value};

use super::model::{Pending, SendState, Target};
use super::Inner;
use crate::client::{from_json_str, to_json_string};
use crate::storage::Storage;

/// The storage key.
const KEY: &str = "messenger-unsent";

/// The pending messages as stored: `[{client_id, conversation_id?, body,
/// ts}]` (no conversation id: it starts a new conversation).
fn encode(pending: &[Pending]) -> String {
    let list: Vec<Value> = pending
        .iter()
        .map(|p| {
            let mut v = json!({"client_id": p.client_id, "body": p.body, "ts": p.ts});
            if let Target::Conv(id) = &p.target {
                v["conversation_id"] = Value::from(id.as_str());
            }
            v
        })
        .collect();
    // The SDK's own JSON writer: numbers as JavaScript writes them, and no
    // float formatting code of Rust's in the wasm.
    to_json_string(&Value::Array(list)).unwrap_or_default()
}

/// Moves the messages `from` keeps unsent to `to` (a visitor who logged
/// in: the server has merged the visitor's conversations into the user's,
/// so the user's messenger sends them, a question written offline just
/// before the login included).
pub(crate) fn hand_over(from: &Storage, to: &Storage) {
    let read = |s: &Storage| {
        s.get(KEY)
            .and_then(|t| from_json_str::<Vec<Value>>(&t).ok())
            .unwrap_or_default()
    };
    let theirs = read(from);
    if theirs.is_empty() {
        return;
    }
    let mut mine = read(to);
    for item in theirs {
        if !mine.iter().any(|m| m["client_id"] == item["client_id"]) {
            mine.push(item);
        }
    }
    if let Ok(text) = to_json_string(&Value::Array(mine)) {
        to.set(KEY, &text);
        from.remove(KEY);
    }
}

impl Inner {
    /// Starts keeping unsent messages in `storage`, and queues the ones an
    /// earlier page left there.
    pub(super) fn keep_unsent_in(&mut self, storage: Storage) {
        let saved = storage
            .get(KEY)
            .and_then(|t| from_json_str::<Vec<Value>>(&t).ok())
            .unwrap_or_default();
        // Messages that started a conversation together go on together.
        let new_target = (!saved.is_empty()).then(|| self.model.new_target());
        for item in saved {
            let (Some(client_id), Some(body)) = (item["client_id"].as_str(), item["body"].as_str())
            else {
                continue;
            };
            if self.model.pending.iter().any(|p| p.client_id == client_id) {
                continue;
            }
            let target = match (item["conversation_id"].as_str(), &new_target) {
                (Some(id), _) => Target::Conv(id.to_owned()),
                (None, Some(t)) => t.clone(),
                (None, None) => continue,
            };
            self.model.pending.push(Pending {
                client_id: client_id.to_owned(),
                target,
                body: body.to_owned(),
                ts: item["ts"].as_f64().unwrap_or_else(js_sys::Date::now),
                state: SendState::Queued,
                failures: 0,
            });
        }
        self.unsent = Some((storage, String::new()));
        self.save_unsent();
        self.pump();
    }

    /// Writes the unsent messages down if they changed.
    pub(super) fn save_unsent(&mut self) {
        let text = encode(&self.model.pending);
        let Some((storage, last)) = &mut self.unsent else {
            return;
        };
        if *last == text {
            return;
        }
        if self.model.pending.is_empty() {
            storage.remove(KEY);
        } else {
            storage.set(KEY, &text);
        }
        *last = text;
    }
}
