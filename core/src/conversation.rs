//! The messenger's JSON bodies: conversations between a user, the bot and
//! the app's people, shared by the SDK's messenger and the server.
//!
//! Every `/v1/conversations…` call is authorised by the session token the
//! boot answered ([`crate::protocol::BootResponse::session`]), sent as
//! `Authorization: Bearer <token>` (or `?session=<token>` on the event
//! stream, which `EventSource` cannot give headers). The token names one
//! app and one user key and was issued only after identity verification,
//! so the server never trusts an id sent in a body: one user can never
//! reach another's conversation, whatever id they guess.
//!
//! | call | body → answer |
//! |---|---|
//! | `GET /v1/conversations` | → [`ConversationList`] |
//! | `POST /v1/conversations` | [`NewMessage`] → [`Conversation`] (with the bot's answer, if it had one) |
//! | `GET /v1/conversations/{id}` | → [`Conversation`] |
//! | `POST /v1/conversations/{id}/messages` | [`NewMessage`] → [`Conversation`] |
//! | `POST /v1/conversations/{id}/read` | → [`Conversation`] (unread count back to 0) |
//! | `POST /v1/conversations/{id}/feedback` | [`BotFeedback`] → [`Conversation`] |
//! | `POST /v1/conversations/{id}/handoff` | → [`Conversation`] (to the human queue) |
//! | `POST /v1/conversations/{id}/rating` | [`Rating`] → [`Conversation`] |
//! | `POST /v1/conversations/{id}/email` | [`ContactEmail`] → [`Conversation`] |
//! | `GET /v1/conversations/stream?session=` | Server-Sent Events of [`StreamEvent`], `id:` = cursor, resumes from `Last-Event-ID` |
//! | `GET /v1/conversations/updates?since=<cursor>` | → [`Updates`], the polling fallback |

use crate::json::FromJson;
use serde::{Deserialize, Serialize};

/// Who wrote a conversation message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    /// The end user.
    User,
    /// The knowledge-base bot.
    Bot,
    /// A person of the app's team.
    Agent,
    /// A notice from the system (handed off, closed, asked for an email).
    System,
}

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// The bot is handling it.
    Bot,
    /// Waiting in the human queue or with an agent.
    Open,
    /// Closed by an agent or the user.
    Closed,
}

/// What a user message did to reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Stored by the server.
    Sent,
    /// Opened by an agent.
    Seen,
}

/// A knowledge-base article or approved snippet an answer came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct Source {
    /// `article` or `snippet`.
    pub kind: String,
    /// Its id (article ids are the ones messages link to).
    pub id: String,
    /// Its title, to show as the citation.
    pub title: String,
}

/// One message in a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct ConversationMessage {
    /// Server id.
    pub id: String,
    /// The id the client made when sending it (dedupes retries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Who wrote it.
    pub author: AuthorKind,
    /// The author's display name (the agent's or the bot's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// Markdown text (the SDK renders its safe subset as DOM nodes).
    pub body: String,
    /// Milliseconds since the epoch.
    pub ts: f64,
    /// For bot answers: where the answer came from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// For user messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// For bot answers: the user may say whether it helped.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub asks_feedback: bool,
    /// For system messages: the server asks the user for an email address
    /// (answer with `POST …/email`), so replies can reach them by email.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub asks_email: bool,
}

/// A conversation with its whole transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct Conversation {
    /// Server id.
    pub id: String,
    /// Where it stands.
    pub status: ConversationStatus,
    /// The assigned agent's name, once someone has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// How soon a person usually answers, for the user ("a few minutes").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_reply: Option<String>,
    /// Messages the user has not seen.
    pub unread: u32,
    /// The user's rating, once given (1–5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    /// The transcript, oldest first.
    pub messages: Vec<ConversationMessage>,
    /// Milliseconds since the epoch of the last message.
    pub updated_at: f64,
}

/// One line of the user's conversation list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct ConversationSummary {
    /// Server id.
    pub id: String,
    /// Where it stands.
    pub status: ConversationStatus,
    /// The last message.
    pub last: ConversationMessage,
    /// Messages the user has not seen.
    pub unread: u32,
    /// Milliseconds since the epoch of the last message.
    pub updated_at: f64,
}

/// `GET /v1/conversations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct ConversationList {
    /// Newest first.
    pub conversations: Vec<ConversationSummary>,
    /// Unread messages across all of them (the launcher's badge).
    pub unread: u32,
    /// Where the stream or `updates?since=` should start so that nothing
    /// after this list is missed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A message the user writes, starting or continuing a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// Markdown text, at most 10,000 characters.
    pub body: String,
    /// Client-made id; a retry with the same id changes nothing.
    pub client_id: String,
}

/// The user says whether a bot answer helped; `false` asks for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct BotFeedback {
    /// The bot message concerned.
    pub message_id: String,
    /// Whether it helped.
    pub helped: bool,
}

/// The user's rating at the close of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// 1 (bad) to 5 (great); 1 and 2 count as unhappy.
    pub rating: u8,
    /// Optional words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An anonymous user leaves an email so replies can reach them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct ContactEmail {
    /// The address.
    pub email: String,
}

/// The name (`event:`) of the event each update stream starts with: the
/// SDK waits for it to know that events get through (a proxy that buffers
/// the stream delivers nothing and reports no error).
pub const STREAM_HELLO: &str = "hello";

/// One item of the event stream (and of the polling fallback).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    /// A new message in one of the user's conversations.
    Message {
        /// The conversation.
        conversation_id: String,
        /// The message.
        message: ConversationMessage,
    },
    /// A conversation's status, assignee or unread count changed.
    Conversation {
        /// Its new summary.
        conversation: ConversationSummary,
    },
    /// An agent is typing.
    Typing {
        /// The conversation.
        conversation_id: String,
        /// Who.
        author_name: String,
    },
}

/// `GET /v1/conversations/updates?since=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct Updates {
    /// What happened after `since`, oldest first.
    pub events: Vec<StreamEvent>,
    /// Pass as `since` next time.
    pub cursor: String,
}

/// How the app's messenger presents itself; sent with every boot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct MessengerConfig {
    /// The team's name in the messenger's header.
    pub team_name: String,
    /// The home view's greeting.
    pub greeting: String,
    /// The bot's name on its answers.
    pub bot_name: String,
    /// How soon a person usually answers, in words.
    pub expected_reply: String,
}
