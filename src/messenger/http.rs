//! `fetch` with the messenger's session token. Every call of the messenger
//! goes through the one non-generic [`request`], which answers the parsed
//! JSON as a `serde_json::Value`; callers read it into their type afterwards
//! ([`parse`]). One future type for all calls keeps the wasm small (a
//! generic request per answer type cost a state machine each).
//!
//! Errors come from [`crate::client::read_response`], so they look like
//! the rest of the SDK's (a 4xx is [`crate::SdkError::Refused`]).

use crate::client::{fetch, read_response};
use crate::error::{SdkError, SdkResult};
use beckon_core::json::FromJson;
use serde_json::Value;

/// One HTTP call, built by [`super::api::Api`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Req {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Full address.
    pub url: String,
    /// Bearer token, for conversation calls.
    pub token: Option<String>,
    /// JSON body.
    pub body: Option<String>,
}

/// Runs `req`; the JSON answer, or the server's explanation as an error.
pub async fn request(req: Req) -> SdkResult<Value> {
    let auth = req.token.as_ref().map(|t| ["Bearer ", t].concat());
    let mut headers = Vec::with_capacity(2);
    if let Some(auth) = &auth {
        headers.push(("authorization", auth.as_str()));
    }
    if req.body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    let response = fetch(req.method, &req.url, &headers, req.body.as_deref(), false).await?;
    read_response::<Value>(response).await
}

/// Reads an answer of [`request`] as `T`.
pub fn parse<T: FromJson>(value: Value) -> SdkResult<T> {
    crate::client::from_value(value).map_err(SdkError::Server)
}
