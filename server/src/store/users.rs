//! User records and the state derived from their events.

use beckon_core::protocol::{Event, UserIdentity};
use beckon_core::state::UserState;
use rusqlite::params;

use super::{now_ms, Store};
use crate::error::Result;

impl Store {
    /// Creates or refreshes the user's record: attributes given at boot
    /// replace the stored ones key by key, so an app can send only what
    /// changed.
    pub async fn upsert_user(&self, app_id: &str, user: &UserIdentity) -> Result<String> {
        let app_id = app_id.to_owned();
        let user = user.clone();
        self.call(move |c| {
            let key = user.key().unwrap_or_default().to_owned();
            let now = now_ms();
            let tx = c.transaction()?;
            let stored: Option<String> = {
                use rusqlite::OptionalExtension;
                tx.query_row(
                    "SELECT attributes FROM users WHERE app_id = ?1 AND user_key = ?2",
                    params![app_id, key],
                    |r| r.get(0),
                )
                .optional()?
            };
            let mut attributes: serde_json::Map<String, serde_json::Value> = match stored {
                Some(json) => serde_json::from_str(&json)?,
                None => Default::default(),
            };
            attributes.extend(user.attributes.clone());
            tx.execute(
                "INSERT INTO users (app_id, user_key, user_id, email, attributes, first_seen, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                 ON CONFLICT (app_id, user_key) DO UPDATE SET
                    user_id = COALESCE(excluded.user_id, users.user_id),
                    email = COALESCE(excluded.email, users.email),
                    attributes = excluded.attributes,
                    last_seen = excluded.last_seen",
                params![
                    app_id,
                    key,
                    user.user_id,
                    user.email,
                    serde_json::to_string(&attributes)?,
                    now
                ],
            )?;
            tx.commit()?;
            Ok(key)
        })
        .await
    }

    /// What the user has seen, dismissed and completed, folded from their
    /// message events in the order they happened.
    pub async fn user_state(&self, app_id: &str, user_key: &str) -> Result<UserState> {
        let app_id = app_id.to_owned();
        let user_key = user_key.to_owned();
        self.call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT event_id, name, ts, message_id FROM events
                 WHERE app_id = ?1 AND user_key = ?2 AND message_id IS NOT NULL
                 ORDER BY ts",
            )?;
            let mut state = UserState::default();
            let rows = stmt.query_map(params![app_id, user_key], |r| {
                Ok(Event {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    ts: r.get(2)?,
                    message_id: r.get(3)?,
                    data: Default::default(),
                })
            })?;
            for event in rows {
                state.apply(&event?);
            }
            Ok(state)
        })
        .await
    }
}
