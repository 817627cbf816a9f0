//! Conversations, their messages, and the per-user feed that the event
//! stream and the polling fallback read.
//!
//! Every write to a user's conversations goes through one
//! [`ConversationWriter`]: a transaction that first locks the user's row
//! (`FOR UPDATE` on Postgres; SQLite's `BEGIN IMMEDIATE` already excludes
//! every other writer). The feed's sequence numbers are drawn inside that
//! lock, so for one user they commit in the order they were drawn, and a
//! reader that has seen `seq = n` can never later find a new row below `n`
//! — which is what lets several server processes share one database and
//! resume a stream from the database alone.

use beckon_core::conversation::{
    AuthorKind, Conversation, ConversationMessage, ConversationStatus, ConversationSummary,
    Delivery, Source, StreamEvent,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

use super::{now_ms, Store};
use crate::error::Result;

/// The most feed items one read returns; a client further behind reads again.
pub const FEED_PAGE: i64 = 500;

/// A conversation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRecord {
    /// Its app.
    pub app_id: String,
    /// Server id.
    pub id: String,
    /// Whose.
    pub user_key: String,
    /// Bot, open (with people) or closed.
    pub status: ConversationStatus,
    /// The agent who has it.
    pub assignee: Option<String>,
    /// The user's rating, 1–5.
    pub rating: Option<u8>,
    /// The user's words with the rating.
    pub rating_comment: Option<String>,
    /// A bad rating or an agent's mark.
    pub unhappy: bool,
    /// Names the conversation in the reply-to address of its emails.
    pub email_token: String,
    /// What the user asked that the bot could not answer.
    pub handoff_question: Option<String>,
    /// The last message seq the user has seen.
    pub user_read_seq: i64,
    /// The last message seq an agent has seen.
    pub agent_read_seq: i64,
    /// The last agent message seq sent by email.
    pub emailed_seq: i64,
    /// Created (ms).
    pub created_at: i64,
    /// Last message or change (ms).
    pub updated_at: i64,
}

/// A message as stored: the protocol's message and its place.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    /// Global, increasing: read markers compare against it.
    pub seq: i64,
    /// The message (for user messages, `delivery` is filled in on view).
    pub message: ConversationMessage,
    /// For bot answers: whether the user said it helped.
    pub feedback: Option<bool>,
}

/// A message to add.
#[derive(Debug, Clone, Default)]
pub struct NewConversationMessage {
    /// The client's id (user messages), for dedupe.
    pub client_id: Option<String>,
    /// Who (defaults to the user).
    pub author: Option<AuthorKind>,
    /// The bot's or agent's name.
    pub author_name: Option<String>,
    /// Markdown.
    pub body: String,
    /// Citations of a bot answer.
    pub sources: Vec<Source>,
    /// A bot answer the user may rate.
    pub asks_feedback: bool,
    /// A system message asking for an email address.
    pub asks_email: bool,
}

/// A snippet's review state.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SnippetStatus {
    /// Saved from an answer, waiting for review; the bot does not use it.
    Pending,
    /// The bot answers from it.
    Approved,
}

/// A question and its answer, saved from an agent's reply.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Snippet {
    /// Id.
    pub id: String,
    /// The question as a user asked it.
    pub question: String,
    /// The answer (Markdown).
    pub answer: String,
    /// Review state.
    pub status: SnippetStatus,
    /// The conversation it was saved from.
    pub conversation_id: Option<String>,
    /// The agent who saved it.
    pub created_by: Option<String>,
    /// Created (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub updated_at: i64,
}

/// A conversation with an agent reply that is due to go out by email.
#[derive(Debug, Clone)]
pub struct EmailDue {
    /// The conversation.
    pub conversation: ConversationRecord,
    /// The user's address.
    pub email: String,
    /// The agent messages not yet seen nor emailed, oldest first.
    pub messages: Vec<StoredMessage>,
}

fn status_str(s: ConversationStatus) -> &'static str {
    match s {
        ConversationStatus::Bot => "bot",
        ConversationStatus::Open => "open",
        ConversationStatus::Closed => "closed",
    }
}

fn parse_status(s: &str) -> ConversationStatus {
    match s {
        "bot" => ConversationStatus::Bot,
        "closed" => ConversationStatus::Closed,
        _ => ConversationStatus::Open,
    }
}

fn author_str(a: AuthorKind) -> &'static str {
    match a {
        AuthorKind::User => "user",
        AuthorKind::Bot => "bot",
        AuthorKind::Agent => "agent",
        AuthorKind::System => "system",
    }
}

fn parse_author(s: &str) -> AuthorKind {
    match s {
        "user" => AuthorKind::User,
        "bot" => AuthorKind::Bot,
        "agent" => AuthorKind::Agent,
        _ => AuthorKind::System,
    }
}

fn snippet_status_str(s: SnippetStatus) -> &'static str {
    match s {
        SnippetStatus::Pending => "pending",
        SnippetStatus::Approved => "approved",
    }
}

/// A fresh id: a prefix and 20 random letters and digits, so ids cannot be
/// guessed (and would be refused anyway: every read is scoped to its user).
pub fn new_id(prefix: &str) -> String {
    let mut id = crate::seed::random_secret();
    id.truncate(20);
    format!("{prefix}{id}")
}

const CONVERSATION_COLUMNS: &str = "app_id, id, user_key, status, assignee, rating, rating_comment, \
     unhappy, email_token, handoff_question, user_read_seq, agent_read_seq, emailed_seq, created_at, updated_at";

fn conversation_from_row(r: &AnyRow) -> Result<ConversationRecord> {
    let status: String = r.try_get("status")?;
    let rating: Option<i64> = r.try_get("rating")?;
    let unhappy: i64 = r.try_get("unhappy")?;
    Ok(ConversationRecord {
        app_id: r.try_get("app_id")?,
        id: r.try_get("id")?,
        user_key: r.try_get("user_key")?,
        status: parse_status(&status),
        assignee: r.try_get("assignee")?,
        rating: rating.and_then(|n| u8::try_from(n).ok()),
        rating_comment: r.try_get("rating_comment")?,
        unhappy: unhappy != 0,
        email_token: r.try_get("email_token")?,
        handoff_question: r.try_get("handoff_question")?,
        user_read_seq: r.try_get("user_read_seq")?,
        agent_read_seq: r.try_get("agent_read_seq")?,
        emailed_seq: r.try_get("emailed_seq")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const MESSAGE_COLUMNS: &str =
    "seq, id, client_id, author, author_name, body, ts, sources, asks_feedback, asks_email, feedback";

fn message_from_row(r: &AnyRow) -> Result<StoredMessage> {
    let author: String = r.try_get("author")?;
    let sources: String = r.try_get("sources")?;
    let ts: i64 = r.try_get("ts")?;
    let asks_feedback: i64 = r.try_get("asks_feedback")?;
    let asks_email: i64 = r.try_get("asks_email")?;
    let feedback: Option<i64> = r.try_get("feedback")?;
    let author = parse_author(&author);
    Ok(StoredMessage {
        seq: r.try_get("seq")?,
        message: ConversationMessage {
            id: r.try_get("id")?,
            client_id: r.try_get("client_id")?,
            author,
            author_name: r.try_get("author_name")?,
            body: r.try_get("body")?,
            ts: ts as f64,
            sources: serde_json::from_str(&sources)?,
            delivery: (author == AuthorKind::User).then_some(Delivery::Sent),
            asks_feedback: asks_feedback != 0,
            asks_email: asks_email != 0,
        },
        feedback: feedback.map(|f| f != 0),
    })
}

impl ConversationRecord {
    /// The message as the user sees it: their own messages say whether an
    /// agent has seen them.
    pub fn shown(&self, m: &StoredMessage) -> ConversationMessage {
        let mut message = m.message.clone();
        if message.author == AuthorKind::User {
            message.delivery = Some(if m.seq <= self.agent_read_seq {
                Delivery::Seen
            } else {
                Delivery::Sent
            });
        }
        message
    }

    /// Messages the user has not seen: everything not theirs after their
    /// read marker.
    pub fn unread(&self, messages: &[StoredMessage]) -> u32 {
        let n = messages
            .iter()
            .filter(|m| m.message.author != AuthorKind::User && m.seq > self.user_read_seq)
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The whole conversation as the user's messenger shows it.
    pub fn view(&self, messages: &[StoredMessage], expected_reply: Option<String>) -> Conversation {
        Conversation {
            id: self.id.clone(),
            status: self.status,
            assignee: self.assignee.clone(),
            expected_reply: expected_reply.filter(|_| self.status == ConversationStatus::Open),
            unread: self.unread(messages),
            rating: self.rating,
            messages: messages.iter().map(|m| self.shown(m)).collect(),
            updated_at: self.updated_at as f64,
        }
    }
}

/// One line of a list: the last message and the unread count, read with
/// two small queries rather than the whole transcript.
async fn summary(
    conn: &mut AnyConnection,
    c: &ConversationRecord,
) -> Result<Option<ConversationSummary>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM conversation_messages WHERE app_id = $1 AND conversation_id = $2
         ORDER BY seq DESC LIMIT 1"
    );
    let Some(last) = sqlx::query(&sql)
        .bind(&c.app_id)
        .bind(&c.id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let last = message_from_row(&last)?;
    let unread: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM conversation_messages
         WHERE app_id = $1 AND conversation_id = $2 AND author <> 'user' AND seq > $3",
    )
    .bind(&c.app_id)
    .bind(&c.id)
    .bind(c.user_read_seq)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    Ok(Some(ConversationSummary {
        id: c.id.clone(),
        status: c.status,
        last: c.shown(&last),
        unread: u32::try_from(unread).unwrap_or(u32::MAX),
        updated_at: c.updated_at as f64,
    }))
}

async fn messages_of(
    conn: &mut AnyConnection,
    app_id: &str,
    id: &str,
) -> Result<Vec<StoredMessage>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM conversation_messages WHERE app_id = $1 AND conversation_id = $2 ORDER BY seq"
    );
    let rows = sqlx::query(&sql)
        .bind(app_id)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(message_from_row).collect()
}

/// Every write to one user's conversations, in one transaction under the
/// user's lock; [`ConversationWriter::commit`] adds a summary to the feed
/// for every conversation it changed.
pub struct ConversationWriter {
    tx: Transaction<'static, Any>,
    app_id: String,
    user_key: String,
    touched: Vec<ConversationRecord>,
    fed: bool,
}

impl Store {
    /// Starts a write to `user_key`'s conversations (locking the user).
    pub async fn conversation_writer(
        &self,
        app_id: &str,
        user_key: &str,
    ) -> Result<ConversationWriter> {
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!(
            "SELECT 1 FROM users WHERE app_id = $1 AND user_key = $2{}",
            self.for_update()
        ))
        .bind(app_id)
        .bind(user_key)
        .fetch_optional(&mut *tx)
        .await?;
        Ok(ConversationWriter {
            tx,
            app_id: app_id.to_owned(),
            user_key: user_key.to_owned(),
            touched: Vec::new(),
            fed: false,
        })
    }

    /// A conversation by id, whoever's it is (the inbox's view; the SDK's
    /// calls use [`Store::user_conversation`]).
    pub async fn conversation(&self, app_id: &str, id: &str) -> Result<Option<ConversationRecord>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE app_id = $1 AND id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(app_id)
            .bind(id)
            .fetch_optional(self.read())
            .await?;
        row.as_ref().map(conversation_from_row).transpose()
    }

    /// One of the user's conversations; another user's is `None`, exactly
    /// as one that does not exist.
    pub async fn user_conversation(
        &self,
        app_id: &str,
        user_key: &str,
        id: &str,
    ) -> Result<Option<ConversationRecord>> {
        Ok(self
            .conversation(app_id, id)
            .await?
            .filter(|c| c.user_key == user_key))
    }

    /// The conversation whose emails carry this reply-to token.
    pub async fn conversation_by_token(&self, token: &str) -> Result<Option<ConversationRecord>> {
        let sql =
            format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE email_token = $1");
        let row = sqlx::query(&sql)
            .bind(token)
            .fetch_optional(self.read())
            .await?;
        row.as_ref().map(conversation_from_row).transpose()
    }

    /// A conversation's transcript, oldest first.
    pub async fn conversation_messages(
        &self,
        app_id: &str,
        id: &str,
    ) -> Result<Vec<StoredMessage>> {
        let mut conn = self.read().acquire().await?;
        messages_of(&mut conn, app_id, id).await
    }

    /// The user's conversations with their summaries, newest first.
    pub async fn user_conversations(
        &self,
        app_id: &str,
        user_key: &str,
        limit: i64,
    ) -> Result<Vec<(ConversationRecord, ConversationSummary)>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE app_id = $1 AND user_key = $2
             ORDER BY updated_at DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(app_id)
            .bind(user_key)
            .bind(limit)
            .fetch_all(self.read())
            .await?;
        self.with_summaries(rows).await
    }

    /// The inbox's list: conversations in any of `statuses`, optionally
    /// assigned to one agent, most recently active first.
    pub async fn inbox_conversations(
        &self,
        app_id: &str,
        statuses: &[ConversationStatus],
        assignee: Option<&str>,
        limit: i64,
    ) -> Result<Vec<(ConversationRecord, ConversationSummary)>> {
        let names: Vec<&str> = statuses.iter().map(|s| status_str(*s)).collect();
        let pick = |i: usize| names.get(i).copied().unwrap_or("");
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE app_id = $1
               AND status IN ($2, $3, $4) AND ($5 IS NULL OR assignee = $5)
             ORDER BY updated_at DESC LIMIT $6"
        );
        let rows = sqlx::query(&sql)
            .bind(app_id)
            .bind(pick(0))
            .bind(pick(1))
            .bind(pick(2))
            .bind(assignee)
            .bind(limit)
            .fetch_all(self.read())
            .await?;
        self.with_summaries(rows).await
    }

    async fn with_summaries(
        &self,
        rows: Vec<AnyRow>,
    ) -> Result<Vec<(ConversationRecord, ConversationSummary)>> {
        let mut conn = self.read().acquire().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let c = conversation_from_row(r)?;
            if let Some(s) = summary(&mut conn, &c).await? {
                out.push((c, s));
            }
        }
        Ok(out)
    }

    /// The user's feed after `since`, oldest first: (seq, event).
    pub async fn feed(
        &self,
        app_id: &str,
        user_key: &str,
        since: i64,
    ) -> Result<Vec<(i64, StreamEvent)>> {
        let rows = sqlx::query(
            "SELECT seq, event FROM conversation_feed WHERE app_id = $1 AND user_key = $2 AND seq > $3
             ORDER BY seq LIMIT $4",
        )
        .bind(app_id)
        .bind(user_key)
        .bind(since)
        .bind(FEED_PAGE)
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                let event: String = r.try_get("event")?;
                Ok((r.try_get("seq")?, serde_json::from_str(&event)?))
            })
            .collect()
    }

    /// User messages after `seq` (those no agent has seen).
    pub async fn user_messages_after(&self, app_id: &str, id: &str, seq: i64) -> Result<u32> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM conversation_messages
             WHERE app_id = $1 AND conversation_id = $2 AND author = 'user' AND seq > $3",
        )
        .bind(app_id)
        .bind(id)
        .bind(seq)
        .fetch_one(self.read())
        .await?;
        Ok(u32::try_from(row.try_get::<i64, _>("n")?).unwrap_or(u32::MAX))
    }

    /// The latest feed position of the user (0: nothing yet).
    pub async fn feed_head(&self, app_id: &str, user_key: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS head FROM conversation_feed WHERE app_id = $1 AND user_key = $2",
        )
        .bind(app_id)
        .bind(user_key)
        .fetch_one(self.read())
        .await?;
        Ok(row.try_get("head")?)
    }

    /// Conversations of `app_id` with agent replies written before
    /// `before` (ms) that the user has neither seen nor been emailed, and
    /// an address to email them to.
    pub async fn email_due(&self, app_id: &str, before: i64, limit: i64) -> Result<Vec<EmailDue>> {
        let sql = format!(
            "SELECT c.{}, u.email AS user_email FROM conversations c
               JOIN users u ON u.app_id = c.app_id AND u.user_key = c.user_key
             WHERE c.app_id = $1 AND u.email IS NOT NULL AND EXISTS (
               SELECT 1 FROM conversation_messages m WHERE m.app_id = c.app_id AND m.conversation_id = c.id
                 AND m.author = 'agent' AND m.seq > c.user_read_seq AND m.seq > c.emailed_seq AND m.ts <= $2)
             LIMIT $3",
            CONVERSATION_COLUMNS.replace(", ", ", c.")
        );
        let rows = sqlx::query(&sql)
            .bind(app_id)
            .bind(before)
            .bind(limit)
            .fetch_all(self.read())
            .await?;
        let mut due = Vec::with_capacity(rows.len());
        for r in &rows {
            let conversation = conversation_from_row(r)?;
            let email: String = r.try_get("user_email")?;
            let floor = conversation.user_read_seq.max(conversation.emailed_seq);
            let messages = self
                .conversation_messages(app_id, &conversation.id)
                .await?
                .into_iter()
                .filter(|m| m.message.author == AuthorKind::Agent && m.seq > floor)
                .collect();
            due.push(EmailDue {
                conversation,
                email,
                messages,
            });
        }
        Ok(due)
    }

    /// Moves a conversation's emailed marker from `from` to `to` if no one
    /// else moved it first: the claim that keeps two server processes from
    /// sending the same email, and its undo when sending failed.
    pub async fn claim_email(&self, app_id: &str, id: &str, from: i64, to: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE conversations SET emailed_seq = $4 WHERE app_id = $1 AND id = $2 AND emailed_seq = $3",
        )
        .bind(app_id)
        .bind(id)
        .bind(from)
        .bind(to)
        .execute(self.write())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the latest unhappy moment of a user; an older one never
    /// replaces a newer one.
    pub async fn set_unhappy(&self, app_id: &str, user_key: &str, at: f64) -> Result<()> {
        sqlx::query(
            "UPDATE users SET unhappy_at = $3 WHERE app_id = $1 AND user_key = $2
               AND (unhappy_at IS NULL OR unhappy_at < $3)",
        )
        .bind(app_id)
        .bind(user_key)
        .bind(at)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Stores the email address the user left in the messenger.
    pub async fn set_email(&self, app_id: &str, user_key: &str, email: &str) -> Result<()> {
        sqlx::query("UPDATE users SET email = $3 WHERE app_id = $1 AND user_key = $2")
            .bind(app_id)
            .bind(user_key)
            .bind(email)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// A version of the app's knowledge base: changes whenever an article
    /// or an approved snippet is added, changed or removed.
    pub async fn knowledge_version(&self, app_id: &str) -> Result<String> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM articles WHERE app_id = $1) AS a,
                    (SELECT COALESCE(MAX(updated_at), 0) FROM articles WHERE app_id = $1) AS au,
                    (SELECT COUNT(*) FROM snippets WHERE app_id = $1 AND status = 'approved') AS s,
                    (SELECT COALESCE(MAX(updated_at), 0) FROM snippets WHERE app_id = $1 AND status = 'approved') AS su",
        )
        .bind(app_id)
        .fetch_one(self.read())
        .await?;
        let (a, au, s, su): (i64, i64, i64, i64) = (
            row.try_get("a")?,
            row.try_get("au")?,
            row.try_get("s")?,
            row.try_get("su")?,
        );
        Ok(format!("{a}.{au}.{s}.{su}"))
    }

    /// Saves a snippet.
    pub async fn put_snippet(&self, app_id: &str, s: &Snippet) -> Result<()> {
        sqlx::query(
            "INSERT INTO snippets (app_id, id, question, answer, status, conversation_id, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (app_id, id) DO UPDATE SET question = excluded.question, answer = excluded.answer,
                status = excluded.status, updated_at = excluded.updated_at",
        )
        .bind(app_id)
        .bind(&s.id)
        .bind(&s.question)
        .bind(&s.answer)
        .bind(snippet_status_str(s.status))
        .bind(&s.conversation_id)
        .bind(&s.created_by)
        .bind(s.created_at)
        .bind(s.updated_at)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// The app's snippets, optionally of one status, newest first.
    pub async fn snippets(
        &self,
        app_id: &str,
        status: Option<SnippetStatus>,
    ) -> Result<Vec<Snippet>> {
        let rows = sqlx::query(
            "SELECT id, question, answer, status, conversation_id, created_by, created_at, updated_at
             FROM snippets WHERE app_id = $1 AND ($2 IS NULL OR status = $2) ORDER BY created_at DESC",
        )
        .bind(app_id)
        .bind(status.map(snippet_status_str))
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                Ok(Snippet {
                    id: r.try_get("id")?,
                    question: r.try_get("question")?,
                    answer: r.try_get("answer")?,
                    status: if status == "approved" {
                        SnippetStatus::Approved
                    } else {
                        SnippetStatus::Pending
                    },
                    conversation_id: r.try_get("conversation_id")?,
                    created_by: r.try_get("created_by")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Deletes a snippet; false if there was none.
    pub async fn delete_snippet(&self, app_id: &str, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM snippets WHERE app_id = $1 AND id = $2")
            .bind(app_id)
            .bind(id)
            .execute(self.write())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl ConversationWriter {
    /// Whose conversations this writes.
    pub fn user_key(&self) -> &str {
        &self.user_key
    }

    /// A new conversation of the user, handled by the bot.
    pub async fn create(&mut self) -> Result<ConversationRecord> {
        let now = now_ms();
        let c = ConversationRecord {
            app_id: self.app_id.clone(),
            id: new_id("c_"),
            user_key: self.user_key.clone(),
            status: ConversationStatus::Bot,
            assignee: None,
            rating: None,
            rating_comment: None,
            unhappy: false,
            email_token: new_id("").to_lowercase(),
            handoff_question: None,
            user_read_seq: 0,
            agent_read_seq: 0,
            emailed_seq: 0,
            created_at: now,
            updated_at: now,
        };
        sqlx::query(
            "INSERT INTO conversations (app_id, id, user_key, status, email_token, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&c.app_id)
        .bind(&c.id)
        .bind(&c.user_key)
        .bind(status_str(c.status))
        .bind(&c.email_token)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(c)
    }

    /// One of this user's conversations, read inside the lock.
    pub async fn load(&mut self, id: &str) -> Result<Option<ConversationRecord>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE app_id = $1 AND id = $2 AND user_key = $3"
        );
        let row = sqlx::query(&sql)
            .bind(&self.app_id)
            .bind(id)
            .bind(&self.user_key)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(conversation_from_row).transpose()
    }

    /// The conversation in which the user already sent `client_id`, if any.
    pub async fn sent_before(&mut self, client_id: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT m.conversation_id FROM conversation_messages m
               JOIN conversations c ON c.app_id = m.app_id AND c.id = m.conversation_id
             WHERE m.app_id = $1 AND c.user_key = $2 AND m.client_id = $3",
        )
        .bind(&self.app_id)
        .bind(&self.user_key)
        .bind(client_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(|r| r.try_get("conversation_id")).transpose()?)
    }

    /// The transcript, read inside the lock.
    pub async fn messages(&mut self, id: &str) -> Result<Vec<StoredMessage>> {
        messages_of(&mut self.tx, &self.app_id, id).await
    }

    /// The seq of the conversation's latest message (0: none).
    pub async fn last_seq(&mut self, id: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS last FROM conversation_messages WHERE app_id = $1 AND conversation_id = $2",
        )
        .bind(&self.app_id)
        .bind(id)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get("last")?)
    }

    /// Appends a message, and a `message` item to the user's feed.
    pub async fn add(
        &mut self,
        c: &mut ConversationRecord,
        new: NewConversationMessage,
    ) -> Result<StoredMessage> {
        let now = now_ms();
        let author = new.author.unwrap_or(AuthorKind::User);
        let id = new_id("m_");
        let row = sqlx::query(
            "INSERT INTO conversation_messages (app_id, conversation_id, id, client_id, author, author_name,
                body, ts, sources, asks_feedback, asks_email)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING seq",
        )
        .bind(&c.app_id)
        .bind(&c.id)
        .bind(&id)
        .bind(&new.client_id)
        .bind(author_str(author))
        .bind(&new.author_name)
        .bind(&new.body)
        .bind(now)
        .bind(serde_json::to_string(&new.sources)?)
        .bind(i64::from(new.asks_feedback))
        .bind(i64::from(new.asks_email))
        .fetch_one(&mut *self.tx)
        .await?;
        let stored = StoredMessage {
            seq: row.try_get("seq")?,
            message: ConversationMessage {
                id,
                client_id: new.client_id,
                author,
                author_name: new.author_name,
                body: new.body,
                ts: now as f64,
                sources: new.sources,
                delivery: (author == AuthorKind::User).then_some(Delivery::Sent),
                asks_feedback: new.asks_feedback,
                asks_email: new.asks_email,
            },
            feedback: None,
        };
        c.updated_at = now;
        self.push(&StreamEvent::Message {
            conversation_id: c.id.clone(),
            message: c.shown(&stored),
        })
        .await?;
        self.save(c).await?;
        Ok(stored)
    }

    /// Stores every changeable field of the conversation, and marks it for
    /// a `conversation` item in the feed at commit.
    pub async fn save(&mut self, c: &ConversationRecord) -> Result<()> {
        sqlx::query(
            "UPDATE conversations SET status = $3, assignee = $4, rating = $5, rating_comment = $6,
                unhappy = $7, handoff_question = $8, user_read_seq = $9, agent_read_seq = $10, updated_at = $11
             WHERE app_id = $1 AND id = $2",
        )
        .bind(&c.app_id)
        .bind(&c.id)
        .bind(status_str(c.status))
        .bind(&c.assignee)
        .bind(c.rating.map(i64::from))
        .bind(&c.rating_comment)
        .bind(i64::from(c.unhappy))
        .bind(&c.handoff_question)
        .bind(c.user_read_seq)
        .bind(c.agent_read_seq)
        .bind(c.updated_at)
        .execute(&mut *self.tx)
        .await?;
        match self.touched.iter_mut().find(|t| t.id == c.id) {
            Some(t) => *t = c.clone(),
            None => self.touched.push(c.clone()),
        }
        Ok(())
    }

    /// Records whether a bot answer helped; false if there is no such bot
    /// message in the conversation.
    pub async fn set_feedback(
        &mut self,
        c: &ConversationRecord,
        message_id: &str,
        helped: bool,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE conversation_messages SET feedback = $4
             WHERE app_id = $1 AND conversation_id = $2 AND id = $3 AND author = 'bot'",
        )
        .bind(&c.app_id)
        .bind(&c.id)
        .bind(message_id)
        .bind(i64::from(helped))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn push(&mut self, event: &StreamEvent) -> Result<()> {
        sqlx::query(
            "INSERT INTO conversation_feed (app_id, user_key, event, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&self.app_id)
        .bind(&self.user_key)
        .bind(serde_json::to_string(event)?)
        .bind(now_ms())
        .execute(&mut *self.tx)
        .await?;
        self.fed = true;
        Ok(())
    }

    /// Adds the changed conversations' summaries to the feed and commits;
    /// returns whether the feed grew (so the caller wakes the streams).
    pub async fn commit(mut self) -> Result<bool> {
        for c in std::mem::take(&mut self.touched) {
            if let Some(conversation) = summary(&mut self.tx, &c).await? {
                self.push(&StreamEvent::Conversation { conversation })
                    .await?;
            }
        }
        self.tx.commit().await?;
        Ok(self.fed)
    }
}
