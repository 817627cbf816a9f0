//! The event stream: batch ingest with dedupe by the client's id.

use beckon_core::protocol::{Event, EventsAccepted};
use rusqlite::params;
use serde::Serialize;

use super::{now_ms, Store};
use crate::error::Result;

/// An event as stored, for the admin API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvent {
    /// The client's id.
    pub id: String,
    /// Whose.
    pub user_key: String,
    /// What.
    pub name: String,
    /// About which message, if any.
    pub message_id: Option<String>,
    /// When it happened on the client (ms).
    pub ts: f64,
    /// When the server stored it (ms).
    pub received_at: i64,
}

impl Store {
    /// Stores a batch in one transaction; an event whose id the app has seen
    /// before is dropped and counted as a duplicate.
    pub async fn insert_events(
        &self,
        app_id: &str,
        user_key: &str,
        events: Vec<Event>,
    ) -> Result<EventsAccepted> {
        let app_id = app_id.to_owned();
        let user_key = user_key.to_owned();
        self.call(move |c| {
            let now = now_ms();
            let tx = c.transaction()?;
            let mut accepted = 0;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR IGNORE INTO events
                       (app_id, event_id, user_key, name, message_id, ts, data, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?;
                for e in &events {
                    let data = serde_json::to_string(&e.data)?;
                    accepted += stmt.execute(params![
                        app_id,
                        e.id,
                        user_key,
                        e.name,
                        e.message_id,
                        e.ts,
                        data,
                        now
                    ])?;
                }
            }
            tx.commit()?;
            Ok(EventsAccepted {
                accepted,
                duplicates: events.len() - accepted,
            })
        })
        .await
    }

    /// An app's events, newest last, optionally for one user and one name.
    pub async fn events(
        &self,
        app_id: &str,
        user_key: Option<String>,
        name: Option<String>,
    ) -> Result<Vec<StoredEvent>> {
        let app_id = app_id.to_owned();
        self.call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT event_id, user_key, name, message_id, ts, received_at FROM events
                 WHERE app_id = ?1 AND (?2 IS NULL OR user_key = ?2) AND (?3 IS NULL OR name = ?3)
                 ORDER BY received_at, ts LIMIT 10000",
            )?;
            let rows = stmt.query_map(params![app_id, user_key, name], |r| {
                Ok(StoredEvent {
                    id: r.get(0)?,
                    user_key: r.get(1)?,
                    name: r.get(2)?,
                    message_id: r.get(3)?,
                    ts: r.get(4)?,
                    received_at: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}
