//! The calls of the messenger's contract ([`beckon_core::conversation`])
//! and the knowledge base's two public reads, as typed async functions.
//! Conversation calls carry the session token; article reads do not (they
//! are public, and no `Authorization` header means no CORS preflight).

use beckon_core::conversation::{Conversation, ConversationList, NewMessage, Updates};
use serde::Deserialize;

use super::http::request;
use crate::client::to_json_string;
use crate::error::SdkResult;

/// An article in a search answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ArticleSummary {
    /// Id, for [`Api::article`].
    pub id: String,
    /// Heading.
    pub title: String,
}

/// The part of the help center answer the messenger shows.
#[derive(Debug, Clone, Deserialize)]
pub struct HelpCenter {
    /// Matching articles.
    pub articles: Vec<ArticleSummary>,
}

/// One article: the same record tooltips, banners and the bot link to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
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

    fn conv(&self, id: &str, what: &str) -> String {
        self.url(&["/v1/conversations/", &enc(id), what])
    }

    async fn send<R: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        url: &str,
        body: Option<&str>,
    ) -> SdkResult<R> {
        request(method, url, Some(&self.session), body).await
    }

    /// The user's conversations, the unread total and the stream cursor.
    pub async fn list(&self) -> SdkResult<ConversationList> {
        self.send("GET", &self.url(&["/v1/conversations"]), None)
            .await
    }

    /// One conversation with its transcript.
    pub async fn get(&self, id: &str) -> SdkResult<Conversation> {
        self.send("GET", &self.conv(id, ""), None).await
    }

    /// Starts a conversation (`id` = `None`) or continues one.
    pub async fn write(&self, id: Option<&str>, message: &NewMessage) -> SdkResult<Conversation> {
        let url = match id {
            Some(id) => self.conv(id, "/messages"),
            None => self.url(&["/v1/conversations"]),
        };
        let body = to_json_string(message)?;
        self.send("POST", &url, Some(&body)).await
    }

    /// `POST /v1/conversations/{id}/{what}` (`read`, `feedback`,
    /// `handoff`, `rating`, `email`) with an optional JSON body.
    pub async fn act(&self, id: &str, what: &str, body: Option<&str>) -> SdkResult<Conversation> {
        let url = self.conv(id, &["/", what].concat());
        // Body-less calls still send a JSON content type with `{}`, which
        // every handler accepts and no proxy mistakes for a form post.
        self.send("POST", &url, Some(body.unwrap_or("{}"))).await
    }

    /// What happened after `since` (the polling fallback).
    pub async fn updates(&self, since: Option<&str>) -> SdkResult<Updates> {
        let url = match since {
            Some(s) => self.url(&["/v1/conversations/updates?since=", &enc(s)]),
            None => self.url(&["/v1/conversations/updates"]),
        };
        self.send("GET", &url, None).await
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

    /// Help articles matching `q` (all when empty).
    pub async fn articles(&self, q: &str) -> SdkResult<HelpCenter> {
        let url = self.url(&["/v1/apps/", &enc(&self.app_id), "/articles?q=", &enc(q)]);
        request("GET", &url, None, None).await
    }

    /// One article.
    pub async fn article(&self, id: &str) -> SdkResult<Article> {
        let url = self.url(&["/v1/apps/", &enc(&self.app_id), "/articles/", &enc(id)]);
        request("GET", &url, None, None).await
    }
}
