//! Messages and their versions. The row holds the current version; every
//! save (content, rules or status) appends the whole message to
//! `message_versions`, so what was live at any time can be shown again.

use beckon_core::protocol::{Message, MessageKind};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use utoipa::ToSchema;

use super::{now_ms, Store};
use crate::error::Result;

/// Whether a message reaches browsers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Being written; only previews see it.
    Draft,
    /// Sent to every boot of its app.
    Live,
    /// Retired; kept for its analytics.
    Archived,
}

impl MessageStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Draft => "draft",
            MessageStatus::Live => "live",
            MessageStatus::Archived => "archived",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "live" => MessageStatus::Live,
            "archived" => MessageStatus::Archived,
            _ => MessageStatus::Draft,
        }
    }
}

/// What an author sends to create or replace a message. `targeting` holds
/// audience, pages, trigger, schedule, frequency, hold-out and goal, as
/// core's `Targeting` defines them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    /// Stable id; made up from the name when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// A name for authors; never shown to users.
    #[serde(default)]
    pub name: Option<String>,
    /// Which surface draws it.
    #[schema(value_type = String, example = "banner")]
    pub kind: MessageKind,
    /// Higher wins when several are eligible at once.
    #[serde(default)]
    pub priority: i32,
    /// What it says (core's `Content`).
    #[schema(value_type = Object)]
    pub content: beckon_core::protocol::Content,
    /// Who sees it, where, when and how often (core's `Targeting`).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub targeting: beckon_core::targeting::Targeting,
    /// Draft (default), live or archived.
    #[serde(default)]
    pub status: Option<MessageStatus>,
}

/// A message as stored: the current version with its bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MessageRecord {
    /// Author-facing name.
    pub name: Option<String>,
    /// Draft, live or archived.
    pub status: MessageStatus,
    /// Number of the current version, from 1.
    pub version: i64,
    /// Created (ms since epoch).
    pub created_at: i64,
    /// Last saved.
    pub updated_at: i64,
    /// The message as the SDK receives it.
    #[schema(value_type = Object)]
    pub message: Message,
}

/// One saved version of a message.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MessageVersion {
    /// Version number.
    pub version: i64,
    /// Status it was saved with.
    pub status: MessageStatus,
    /// Author-facing name then.
    pub name: Option<String>,
    /// When it was saved.
    pub created_at: i64,
    /// The message then.
    #[schema(value_type = Object)]
    pub message: Message,
}

const COLUMNS: &str = "name, status, version, created_at, updated_at, message";

fn record_from_row(r: &AnyRow) -> Result<MessageRecord> {
    let message: String = r.try_get("message")?;
    let status: String = r.try_get("status")?;
    Ok(MessageRecord {
        name: r.try_get("name")?,
        status: MessageStatus::parse(&status),
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        message: serde_json::from_str(&message)?,
    })
}

fn kind_str(kind: MessageKind) -> Result<String> {
    Ok(serde_json::to_value(kind)?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// One save of a message, bound as `$1`…`$8` (app, id, name, kind, status,
/// priority, message JSON, time) by both the insert and the update.
struct Saved<'a> {
    app_id: &'a str,
    message: &'a Message,
    name: Option<&'a str>,
    status: MessageStatus,
    json: &'a str,
    now: i64,
}

impl<'a> Saved<'a> {
    fn bind(
        &self,
        query: sqlx::query::Query<'a, sqlx::Any, sqlx::any::AnyArguments<'a>>,
    ) -> Result<sqlx::query::Query<'a, sqlx::Any, sqlx::any::AnyArguments<'a>>> {
        Ok(query
            .bind(self.app_id)
            .bind(&self.message.id)
            .bind(self.name)
            .bind(kind_str(self.message.kind)?)
            .bind(self.status.as_str())
            .bind(i64::from(self.message.priority))
            .bind(self.json)
            .bind(self.now))
    }
}

impl Store {
    /// Saves a new message as version 1; `None` if the id is taken.
    pub async fn create_message(
        &self,
        app_id: &str,
        message: &Message,
        name: Option<&str>,
        status: MessageStatus,
    ) -> Result<Option<MessageRecord>> {
        let now = now_ms();
        let json = serde_json::to_string(message)?;
        let mut tx = self.begin_write().await?;
        let saved = Saved {
            app_id,
            message,
            name,
            status,
            json: &json,
            now,
        };
        let inserted = saved
            .bind(sqlx::query(
                "INSERT INTO messages (app_id, id, name, kind, status, priority, version, message, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8) ON CONFLICT (app_id, id) DO NOTHING",
            ))?
            .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(None);
        }
        record_version(&mut tx, app_id, &message.id, 1, status, name, &json, now).await?;
        tx.commit().await?;
        self.inner.cache.invalidate(app_id);
        self.message(app_id, &message.id).await
    }

    /// Saves a new version of an existing message; `None` if there is none.
    /// A `status` of `None` keeps the current one.
    pub async fn update_message(
        &self,
        app_id: &str,
        message: &Message,
        name: Option<&str>,
        status: Option<MessageStatus>,
    ) -> Result<Option<MessageRecord>> {
        let Some(current) = self.message(app_id, &message.id).await? else {
            return Ok(None);
        };
        let status = status.unwrap_or(current.status);
        let now = now_ms();
        let json = serde_json::to_string(message)?;
        let mut tx = self.begin_write().await?;
        let saved = Saved {
            app_id,
            message,
            name,
            status,
            json: &json,
            now,
        };
        let row = saved
            .bind(sqlx::query(
                "UPDATE messages SET name = $3, kind = $4, status = $5, priority = $6, message = $7,
                    version = version + 1, updated_at = $8
                 WHERE app_id = $1 AND id = $2 RETURNING version",
            ))?
            .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let version: i64 = row.try_get("version")?;
        record_version(
            &mut tx,
            app_id,
            &message.id,
            version,
            status,
            name,
            &json,
            now,
        )
        .await?;
        tx.commit().await?;
        self.inner.cache.invalidate(app_id);
        self.message(app_id, &message.id).await
    }

    /// The message's current version.
    pub async fn message(&self, app_id: &str, id: &str) -> Result<Option<MessageRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM messages WHERE app_id = $1 AND id = $2"
        ))
        .bind(app_id)
        .bind(id)
        .fetch_optional(self.read())
        .await?;
        row.as_ref().map(record_from_row).transpose()
    }

    /// The app's messages, optionally of one status, highest priority first.
    pub async fn messages(
        &self,
        app_id: &str,
        status: Option<MessageStatus>,
    ) -> Result<Vec<MessageRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM messages WHERE app_id = $1 AND ($2 IS NULL OR status = $2)
             ORDER BY priority DESC, id"
        ))
        .bind(app_id)
        .bind(status.map(MessageStatus::as_str))
        .fetch_all(self.read())
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// Every saved version of a message, newest first.
    pub async fn message_versions(&self, app_id: &str, id: &str) -> Result<Vec<MessageVersion>> {
        let rows = sqlx::query(
            "SELECT version, status, name, created_at, message FROM message_versions
             WHERE app_id = $1 AND message_id = $2 ORDER BY version DESC",
        )
        .bind(app_id)
        .bind(id)
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                let message: String = r.try_get("message")?;
                let status: String = r.try_get("status")?;
                Ok(MessageVersion {
                    version: r.try_get("version")?,
                    status: MessageStatus::parse(&status),
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    message: serde_json::from_str(&message)?,
                })
            })
            .collect()
    }

    /// The app's live messages, highest priority first, as boots send them.
    pub async fn live_messages(&self, app_id: &str) -> Result<Vec<Message>> {
        Ok(self
            .messages(app_id, Some(MessageStatus::Live))
            .await?
            .into_iter()
            .map(|r| r.message)
            .collect())
    }
}

#[allow(clippy::too_many_arguments)]
async fn record_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    app_id: &str,
    id: &str,
    version: i64,
    status: MessageStatus,
    name: Option<&str>,
    json: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO message_versions (app_id, message_id, version, status, name, message, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(app_id)
    .bind(id)
    .bind(version)
    .bind(status.as_str())
    .bind(name)
    .bind(json)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
