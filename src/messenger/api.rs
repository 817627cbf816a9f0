//! The calls of the messenger's contract ([`beckon_core::conversation`])
//! and the knowledge base's two public reads, as [`Req`]s for
//! [`super::http::request`]. Conversation calls carry the session token;
//! article reads do not (they are public, and no `Authorization` header
//! means no CORS preflight).
//!
//! Stream events are read by their `type` field here rather than through
//! serde's internally tagged enum, whose buffering code (a second copy of
//! every message deserializer) cost about 25 KB of wasm.

use beckon_core::conversation::{
    ConversationMessage, ConversationSummary, NewMessage, StreamEvent,
};
use beckon_core::json::FromJson;
use serde_json::Value;

use super::http::{parse, Req};
use crate::client::to_json_string;
use crate::error::SdkResult;

/// An article in a search answer.
#[derive(Debug, Clone, PartialEq, FromJson)]
pub struct ArticleSummary {
    /// Id, for [`Api::article`].
    pub id: String,
    /// Heading.
    pub title: String,
}

/// The part of the help center answer the messenger shows.
#[derive(Debug, Clone, FromJson)]
pub struct HelpCenter {
    /// Matching articles.
    pub articles: Vec<ArticleSummary>,
}

/// One article: the same record tooltips, banners and the bot link to.
#[derive(Debug, Clone, PartialEq, FromJson)]
pub struct Article {
    /// Id.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Markdown body.
    pub body: String,
}

/// Where the server is and who is asking.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// Server origin, e.g. `https://beckon.example.com`.
    pub base: String,
    /// The app's public id (for article paths).
    pub app_id: String,
    /// The boot's session token.
    pub session: String,
}

fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

impl Api {
    fn url(&self, path: &[&str]) -> String {
        let mut url = self.base.trim_end_matches('/').to_owned();
        for part in path {
            url.push_str(part);
        }
        url
    }

    fn authed(&self, method: &'static str, url: String, body: Option<String>) -> Req {
        Req {
            method,
            url,
            token: Some(self.session.clone()),
            body,
        }
    }

    fn conv(&self, id: &str, what: &str) -> String {
        self.url(&["/v1/conversations/", &enc(id), what])
    }

    /// The user's conversations, the unread total and the stream cursor
    /// (a [`beckon_core::conversation::ConversationList`]).
    pub fn list(&self) -> Req {
        self.authed("GET", self.url(&["/v1/conversations"]), None)
    }

    /// One conversation with its transcript.
    pub fn get(&self, id: &str) -> Req {
        self.authed("GET", self.conv(id, ""), None)
    }

    /// Starts a conversation (`id` = `None`) or continues one.
    pub fn write(&self, id: Option<&str>, message: &NewMessage) -> SdkResult<Req> {
        let url = match id {
            Some(id) => self.conv(id, "/messages"),
            None => self.url(&["/v1/conversations"]),
        };
        Ok(self.authed("POST", url, Some(to_json_string(message)?)))
    }

    /// `POST /v1/conversations/{id}/{what}` (`read`, `feedback`,
    /// `handoff`, `rating`, `email`); body-less calls send `{}`.
    pub fn act(&self, id: &str, what: &str, body: Option<String>) -> Req {
        let url = self.conv(id, &["/", what].concat());
        self.authed("POST", url, Some(body.unwrap_or_else(|| "{}".into())))
    }

    /// What happened after `since` (the polling fallback).
    pub fn updates(&self, since: Option<&str>) -> Req {
        let url = match since {
            Some(s) => self.url(&["/v1/conversations/updates?since=", &enc(s)]),
            None => self.url(&["/v1/conversations/updates"]),
        };
        self.authed("GET", url, None)
    }

    /// The event stream's address: the token in the query (EventSource
    /// cannot send headers), resuming after `since` when given.
    pub fn stream_url(&self, since: Option<&str>) -> String {
        let mut url = self.url(&["/v1/conversations/stream?session=", &enc(&self.session)]);
        if let Some(s) = since {
            url.push_str("&since=");
            url.push_str(&enc(s));
        }
        url
    }

    /// Help articles matching `q` (all when empty): a [`HelpCenter`].
    pub fn articles(&self, q: &str) -> Req {
        let url = self.url(&["/v1/apps/", &enc(&self.app_id), "/articles?q=", &enc(q)]);
        Req {
            method: "GET",
            url,
            token: None,
            body: None,
        }
    }

    /// One [`Article`].
    pub fn article(&self, id: &str) -> Req {
        let url = self.url(&["/v1/apps/", &enc(&self.app_id), "/articles/", &enc(id)]);
        Req {
            method: "GET",
            url,
            token: None,
            body: None,
        }
    }
}

#[derive(FromJson)]
struct MessageEvent {
    conversation_id: String,
    message: ConversationMessage,
}

#[derive(FromJson)]
struct SummaryEvent {
    conversation: ConversationSummary,
}

#[derive(FromJson)]
struct TypingEvent {
    conversation_id: String,
    author_name: String,
}

/// One [`StreamEvent`] from its JSON; `None` for a kind this SDK does not
/// know (a newer server) or a malformed one.
pub fn stream_event(value: Value) -> Option<StreamEvent> {
    let kind = value.get("type")?.as_str()?.to_owned();
    Some(match kind.as_str() {
        "message" => {
            let e: MessageEvent = parse(value).ok()?;
            StreamEvent::Message {
                conversation_id: e.conversation_id,
                message: e.message,
            }
        }
        "conversation" => StreamEvent::Conversation {
            conversation: parse::<SummaryEvent>(value).ok()?.conversation,
        },
        "typing" => {
            let e: TypingEvent = parse(value).ok()?;
            StreamEvent::Typing {
                conversation_id: e.conversation_id,
                author_name: e.author_name,
            }
        }
        _ => return None,
    })
}

#[derive(FromJson)]
struct RawUpdates {
    events: Vec<Value>,
    cursor: String,
}

/// The events and next cursor of an `updates` answer.
pub fn updates(value: Value) -> SdkResult<(Vec<StreamEvent>, String)> {
    let raw: RawUpdates = parse(value)?;
    let events = raw.events.into_iter().filter_map(stream_event).collect();
    Ok((events, raw.cursor))
}
