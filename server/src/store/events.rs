//! The event stream: batch ingest (through the [`ingest`](super::ingest)
//! writer) and reading events back for the admin API.

use beckon_core::protocol::{Event, EventsAccepted};
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::Row;
use utoipa::ToSchema;

use super::Store;
use crate::error::Result;

/// The most events one listing returns.
pub const LIST_LIMIT: i64 = 10_000;

/// An event as stored, for the admin API.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
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
    /// What the app attached.
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
}

fn event_from_row(r: &AnyRow) -> Result<StoredEvent> {
    let data: String = r.try_get("data")?;
    Ok(StoredEvent {
        id: r.try_get("event_id")?,
        user_key: r.try_get("user_key")?,
        name: r.try_get("name")?,
        message_id: r.try_get("message_id")?,
        ts: r.try_get("ts")?,
        received_at: r.try_get("received_at")?,
        data: serde_json::from_str(&data)?,
    })
}

impl Store {
    /// Stores a batch; an event whose id the app has seen before is dropped
    /// and counted as a duplicate. Resolves once the batch is committed.
    pub async fn insert_events(
        &self,
        app_id: &str,
        user_key: &str,
        events: Vec<Event>,
    ) -> Result<EventsAccepted> {
        self.inner.ingest.submit(app_id, user_key, events).await
    }

    /// An app's events, oldest first, optionally for one user and one name.
    pub async fn events(
        &self,
        app_id: &str,
        user_key: Option<&str>,
        name: Option<&str>,
    ) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(
            "SELECT event_id, user_key, name, message_id, ts, received_at, data FROM events
             WHERE app_id = $1 AND ($2 IS NULL OR user_key = $2) AND ($3 IS NULL OR name = $3)
             ORDER BY received_at, ts LIMIT $4",
        )
        .bind(app_id)
        .bind(user_key)
        .bind(name)
        .bind(LIST_LIMIT)
        .fetch_all(self.read())
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// One user's timeline: their events in the order they happened, the
    /// latest `limit`.
    pub async fn timeline(
        &self,
        app_id: &str,
        user_key: &str,
        limit: i64,
    ) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(
            "SELECT * FROM (SELECT event_id, user_key, name, message_id, ts, received_at, data FROM events
               WHERE app_id = $1 AND user_key = $2 ORDER BY ts DESC LIMIT $3) AS latest
             ORDER BY ts",
        )
        .bind(app_id)
        .bind(user_key)
        .bind(limit)
        .fetch_all(self.read())
        .await?;
        rows.iter().map(event_from_row).collect()
    }
}
