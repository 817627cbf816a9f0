//! Messages and articles: the app's content.

use beckon_core::protocol::{Content, Message, MessageKind};
use beckon_core::targeting::Targeting;
use rusqlite::params;

use super::{now_ms, Store};
use crate::error::Result;

/// Whether a message reaches browsers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    /// Being written; only previews see it.
    Draft,
    /// Sent to every boot of its app.
    Live,
    /// Retired; kept for its analytics.
    Archived,
}

impl MessageStatus {
    fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Draft => "draft",
            MessageStatus::Live => "live",
            MessageStatus::Archived => "archived",
        }
    }
}

/// A knowledge-base article.
#[derive(Debug, Clone)]
pub struct Article {
    /// Stable id, referenced by messages and the bot.
    pub id: String,
    /// Collection it is filed under.
    pub collection: Option<String>,
    /// Heading.
    pub title: String,
    /// Markdown body.
    pub body: String,
}

impl Store {
    /// Saves a message (insert or replace by id).
    pub async fn put_message(
        &self,
        app_id: &str,
        message: &Message,
        status: MessageStatus,
    ) -> Result<()> {
        let app_id = app_id.to_owned();
        let m = message.clone();
        self.call(move |c| {
            let now = now_ms();
            c.execute(
                "INSERT INTO messages (id, app_id, kind, status, priority, content, targeting, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, status = excluded.status,
                    priority = excluded.priority, content = excluded.content,
                    targeting = excluded.targeting, updated_at = excluded.updated_at",
                params![
                    m.id,
                    app_id,
                    serde_json::to_value(m.kind)?.as_str().unwrap_or("banner"),
                    status.as_str(),
                    m.priority,
                    serde_json::to_string(&m.content)?,
                    serde_json::to_string(&m.targeting)?,
                    now
                ],
            )?;
            Ok(())
        })
        .await
    }

    /// The app's live messages, highest priority first.
    pub async fn live_messages(&self, app_id: &str) -> Result<Vec<Message>> {
        let app_id = app_id.to_owned();
        self.call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, kind, priority, content, targeting FROM messages
                 WHERE app_id = ?1 AND status = 'live' ORDER BY priority DESC, id",
            )?;
            let rows = stmt.query_map([&app_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i32>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?;
            let mut messages = Vec::new();
            for row in rows {
                let (id, kind, priority, content, targeting) = row?;
                messages.push(Message {
                    id,
                    kind: serde_json::from_value::<MessageKind>(serde_json::Value::String(kind))?,
                    priority,
                    content: serde_json::from_str::<Content>(&content)?,
                    targeting: serde_json::from_str::<Targeting>(&targeting)?,
                });
            }
            Ok(messages)
        })
        .await
    }

    /// Saves an article (insert or replace by id).
    pub async fn put_article(&self, app_id: &str, article: Article) -> Result<()> {
        let app_id = app_id.to_owned();
        self.call(move |c| {
            c.execute(
                "INSERT INTO articles (id, app_id, collection, title, body, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET collection = excluded.collection,
                    title = excluded.title, body = excluded.body, updated_at = excluded.updated_at",
                params![
                    article.id,
                    app_id,
                    article.collection,
                    article.title,
                    article.body,
                    now_ms()
                ],
            )?;
            Ok(())
        })
        .await
    }
}
