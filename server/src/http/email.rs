//! `POST /v1/email/inbound`: the mail provider's webhook for replies to
//! the messenger's emails (see [`crate::mail`]).

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{gate, AppJson};
use crate::error::{AppError, Result};
use crate::{mail, messenger, AppState};

/// Largest raw email the webhook takes: mail providers cap messages at
/// about 25 MB, and a reply with a photo attached must not be refused (only
/// its text is kept). The API's general limit would turn it away.
pub const INBOUND_LIMIT: usize = 30 * 1024 * 1024;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    // The innermost body limit is the one extractors see.
    OpenApiRouter::new()
        .routes(routes!(inbound))
        .layer(DefaultBodyLimit::max(INBOUND_LIMIT))
}

/// Which app's webhook this is.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboundQuery {
    /// The app; its webhook secret must be the bearer token.
    pub app_id: String,
}

/// What became of an inbound email.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboundResult {
    /// The conversation it joined.
    pub conversation_id: String,
}

/// Compares two strings in constant time.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A user's email reply, as the raw RFC 822 message: it lands in the
/// conversation its `reply+<token>@` recipient names, without the quoted
/// history. A redelivery of the same Message-ID changes nothing.
#[utoipa::path(post, path = "/v1/email/inbound", tag = "email",
    params(InboundQuery),
    request_body(content = String, description = "the raw message (RFC 822)", content_type = "message/rfc822"),
    responses((status = 200, body = InboundResult),
        (status = 401, description = "not the app's webhook secret", body = Object),
        (status = 404, description = "no conversation for the reply-to token", body = Object),
        (status = 422, description = "not an email, or nothing new in it", body = Object)),
    security(("webhook" = [])))]
async fn inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<InboundQuery>,
    raw: Bytes,
) -> Result<AppJson<InboundResult>> {
    let app = gate::known_app(&state, &q.app_id).await?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !same(given, &mail::webhook_secret(&app.app)) {
        return Err(AppError::unauthorized(
            "unauthorized",
            "the inbound webhook needs `Authorization: Bearer <the app's email webhook secret>`",
        ));
    }
    gate::limit_app(&state, &app.app)?;
    let reply = mail::parse_reply(&raw)
        .ok_or_else(|| AppError::field("(body)", "not an email with a reply+<token>@ recipient"))?;
    let conversation = state
        .store
        .conversation_by_token(&reply.token)
        .await?
        .filter(|c| c.app_id == app.app.id)
        .ok_or_else(|| {
            AppError::bad(
                StatusCode::NOT_FOUND,
                "not_found",
                "no conversation has this reply-to address",
            )
        })?;
    if reply.body.trim().is_empty() {
        return Err(AppError::field("(body)", "the reply has no new text"));
    }
    let c = messenger::email_reply(
        &state,
        &app.app,
        &conversation.id,
        reply.message_id,
        reply.body,
    )
    .await?;
    tracing::info!(app = %app.app.id, conversation = %c.id, "email reply received");
    Ok(AppJson(InboundResult {
        conversation_id: c.id,
    }))
}
