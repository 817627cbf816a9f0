//! `/v1/conversations…`: the SDK's messenger, exactly as
//! `beckon_core::conversation` documents it.
//!
//! Every call is authorised by the session token of the boot (see
//! [`crate::session`]): the token alone says which app and which user, so
//! a conversation id from a path is only ever looked up among that user's
//! conversations, and another user's id answers 404 exactly like one that
//! does not exist.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use beckon_core::conversation::{
    BotFeedback, ContactEmail, Conversation, ConversationList, NewMessage, Rating, StreamEvent,
    Updates,
};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cors::{self, CorsSlot};
use super::{gate, AppJson, AuthorJson};
use crate::error::{AppError, Result};
use crate::hub::Signal;
use crate::messenger;
use crate::store::{AppRecord, Store};
use crate::{session, AppState};

/// The most conversations a list answers.
const LIST_LIMIT: i64 = 50;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, start))
        .routes(routes!(stream))
        .routes(routes!(updates))
        .routes(routes!(get_one))
        .routes(routes!(send))
        .routes(routes!(read))
        .routes(routes!(feedback))
        .routes(routes!(handoff))
        .routes(routes!(rating))
        .routes(routes!(email))
}

/// A caller with a valid session: the app and the user key it names.
pub struct Session {
    /// The app, as the request path's gate left it.
    pub app: Arc<crate::store::CachedApp>,
    /// The user.
    pub user_key: String,
}

impl Session {
    fn app(&self) -> &AppRecord {
        &self.app.app
    }
}

/// `?session=` (for `EventSource`, which cannot send headers).
fn query_token(parts: &Parts) -> Option<String> {
    parts.uri.query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == "session").then(|| v.to_owned())
    })
}

impl FromRequestParts<AppState> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned)
            .or_else(|| query_token(parts))
            .ok_or_else(|| {
                AppError::unauthorized(
                    "no_session",
                    "send the session token of the boot as `Authorization: Bearer <token>`",
                )
            })?;
        let app_id = session::claimed_app(&token)?;
        let app = gate::known_app(state, &app_id).await?;
        let slot = parts
            .extensions
            .get::<CorsSlot>()
            .cloned()
            .unwrap_or_default();
        cors::admit(&app.app.settings, &parts.headers, &slot)?;
        gate::limit_app(state, &app.app)?;
        let user_key = session::verify(&app.app, &token)?;
        gate::limit_user(state, &app.app, &user_key)?;
        Ok(Session { app, user_key })
    }
}

/// The user's conversations, newest first, with the launcher's badge
/// count and the cursor to stream from.
#[utoipa::path(get, path = "/v1/conversations", tag = "sdk",
    responses((status = 200, description = "core's ConversationList", body = Object),
        (status = 401, description = "no session, or not a valid one", body = Object)),
    security(("session" = [])))]
async fn list(State(state): State<AppState>, s: Session) -> Result<AppJson<ConversationList>> {
    // The head first: anything after it reaches the stream, so nothing
    // falls between this list and the stream that follows it.
    let head = state.store.feed_head(&s.app().id, &s.user_key).await?;
    let rows = state
        .store
        .user_conversations(&s.app().id, &s.user_key, LIST_LIMIT)
        .await?;
    let conversations: Vec<_> = rows.into_iter().map(|(_, summary)| summary).collect();
    let unread = conversations.iter().map(|c| c.unread).sum();
    Ok(AppJson(ConversationList {
        conversations,
        unread,
        cursor: Some(head.to_string()),
    }))
}

/// Starts a conversation; the bot answers at once when it can.
#[utoipa::path(post, path = "/v1/conversations", tag = "sdk",
    request_body(content = Object, description = "core's NewMessage: body, client_id"),
    responses((status = 200, description = "core's Conversation, with the bot's answer or the handoff", body = Object),
        (status = 401, body = Object), (status = 422, description = "a field is wrong; `field` names it", body = Object),
        (status = 429, body = Object)),
    security(("session" = [])))]
async fn start(
    State(state): State<AppState>,
    s: Session,
    AuthorJson(new): AuthorJson<NewMessage>,
) -> Result<AppJson<Conversation>> {
    let c = messenger::user_message(&state, s.app(), &s.user_key, None, new).await?;
    Ok(AppJson(c))
}

/// One of the user's conversations with its whole transcript.
#[utoipa::path(get, path = "/v1/conversations/{conversation_id}", tag = "sdk",
    params(("conversation_id" = String, Path)),
    responses((status = 200, description = "core's Conversation", body = Object),
        (status = 404, description = "no such conversation of this user", body = Object)),
    security(("session" = [])))]
async fn get_one(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> Result<AppJson<Conversation>> {
    let c = state
        .store
        .user_conversation(&s.app().id, &s.user_key, &id)
        .await?
        .ok_or_else(|| AppError::not_found("conversation", &id))?;
    Ok(AppJson(messenger::view(&state, s.app(), &c).await?))
}

/// The user's next message; the bot answers while it has the conversation.
#[utoipa::path(post, path = "/v1/conversations/{conversation_id}/messages", tag = "sdk",
    params(("conversation_id" = String, Path)),
    request_body(content = Object, description = "core's NewMessage"),
    responses((status = 200, description = "core's Conversation", body = Object),
        (status = 404, body = Object), (status = 422, body = Object)),
    security(("session" = [])))]
async fn send(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    AuthorJson(new): AuthorJson<NewMessage>,
) -> Result<AppJson<Conversation>> {
    let c = messenger::user_message(&state, s.app(), &s.user_key, Some(&id), new).await?;
    Ok(AppJson(c))
}

/// The user has seen the conversation: its unread count goes to 0.
#[utoipa::path(post, path = "/v1/conversations/{conversation_id}/read", tag = "sdk",
    params(("conversation_id" = String, Path)),
    responses((status = 200, description = "core's Conversation", body = Object), (status = 404, body = Object)),
    security(("session" = [])))]
async fn read(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> Result<AppJson<Conversation>> {
    Ok(AppJson(
        messenger::mark_read(&state, s.app(), &s.user_key, &id).await?,
    ))
}

/// Whether a bot answer helped; `helped: false` hands off to a person.
#[utoipa::path(post, path = "/v1/conversations/{conversation_id}/feedback", tag = "sdk",
    params(("conversation_id" = String, Path)),
    request_body(content = Object, description = "core's BotFeedback: message_id, helped"),
    responses((status = 200, description = "core's Conversation", body = Object),
        (status = 404, body = Object), (status = 422, body = Object)),
    security(("session" = [])))]
async fn feedback(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    AuthorJson(f): AuthorJson<BotFeedback>,
) -> Result<AppJson<Conversation>> {
    Ok(AppJson(
        messenger::feedback(&state, s.app(), &s.user_key, &id, f.message_id, f.helped).await?,
    ))
}

/// The user asks for a person: the conversation goes to the human queue.
#[utoipa::path(post, path = "/v1/conversations/{conversation_id}/handoff", tag = "sdk",
    params(("conversation_id" = String, Path)),
    responses((status = 200, description = "core's Conversation", body = Object), (status = 404, body = Object)),
    security(("session" = [])))]
async fn handoff(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> Result<AppJson<Conversation>> {
    Ok(AppJson(
        messenger::request_person(&state, s.app(), &s.user_key, &id).await?,
    ))
}

/// The user's rating (1–5); 1 and 2 keep proactive messages away.
#[utoipa::path(post, path = "/v1/conversations/{conversation_id}/rating", tag = "sdk",
    params(("conversation_id" = String, Path)),
    request_body(content = Object, description = "core's Rating: rating, comment"),
    responses((status = 200, description = "core's Conversation", body = Object),
        (status = 404, body = Object), (status = 422, body = Object)),
    security(("session" = [])))]
async fn rating(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    AuthorJson(r): AuthorJson<Rating>,
) -> Result<AppJson<Conversation>> {
    Ok(AppJson(
        messenger::rate(&state, s.app(), &s.user_key, &id, r).await?,
    ))
}

/// The user leaves an email address, so replies can reach them by email.
#[utoipa::path(post, path = "/v1/conversations/{conversation_id}/email", tag = "sdk",
    params(("conversation_id" = String, Path)),
    request_body(content = Object, description = "core's ContactEmail: email"),
    responses((status = 200, description = "core's Conversation", body = Object),
        (status = 404, body = Object), (status = 422, body = Object)),
    security(("session" = [])))]
async fn email(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    AuthorJson(e): AuthorJson<ContactEmail>,
) -> Result<AppJson<Conversation>> {
    Ok(AppJson(
        messenger::leave_email(&state, s.app(), &s.user_key, &id, e.email).await?,
    ))
}

/// Where a stream or poll starts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Since {
    /// The session token (the stream's only way to send it). Read by the
    /// [`Session`] extractor from the raw query; declared here so the
    /// document lists it and `deny_unknown_fields` accepts it.
    #[allow(dead_code)]
    pub session: Option<String>,
    /// A cursor from a list, an update or an event's `id:`.
    pub since: Option<String>,
}

fn cursor(field: &str, text: &str) -> Result<i64> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| AppError::field(field, "a cursor this server gave"))
}

/// The polling fallback: what happened after `since`, and the next cursor.
#[utoipa::path(get, path = "/v1/conversations/updates", tag = "sdk",
    params(Since),
    responses((status = 200, description = "core's Updates: events, cursor", body = Object),
        (status = 401, body = Object), (status = 422, body = Object)),
    security(("session" = [])))]
async fn updates(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Since>,
) -> Result<AppJson<Updates>> {
    let app_id = &s.app().id;
    let Some(since) = q.since.as_deref() else {
        let head = state.store.feed_head(app_id, &s.user_key).await?;
        return Ok(AppJson(Updates {
            events: Vec::new(),
            cursor: head.to_string(),
        }));
    };
    let since = cursor("since", since)?;
    let items = state.store.feed(app_id, &s.user_key, since).await?;
    let next = items.last().map_or(since, |(seq, _)| *seq);
    let mut events: Vec<StreamEvent> = items.into_iter().map(|(_, e)| e).collect();
    // Typing is not in the feed (it is stale in seconds): a polling client
    // gets the signals of the last few seconds with each answer, after the
    // messages, so a reply that came meanwhile ends it on the client.
    events.extend(
        state
            .hub
            .recent_typing(app_id, &s.user_key)
            .into_iter()
            .map(|(conversation_id, author_name)| StreamEvent::Typing {
                conversation_id,
                author_name,
            }),
    );
    Ok(AppJson(Updates {
        events,
        cursor: next.to_string(),
    }))
}

/// What one open stream keeps between events.
struct Tail {
    store: Store,
    app_id: String,
    user_key: String,
    cursor: i64,
    signals: tokio::sync::broadcast::Receiver<Signal>,
    stopping: tokio::sync::watch::Receiver<bool>,
    poll: Duration,
    pending: VecDeque<Event>,
    /// The database must be read before waiting again.
    dirty: bool,
    /// Counts this stream among the user's while it lasts.
    _slot: crate::hub::StreamSlot,
}

fn sse(event: &StreamEvent, id: Option<i64>) -> Event {
    let event_out = Event::default()
        .json_data(event)
        .unwrap_or_else(|_| Event::default().comment("unserialisable event"));
    match id {
        Some(seq) => event_out.id(seq.to_string()),
        None => event_out,
    }
}

impl Tail {
    /// The next event to send; `None` ends the stream (shutdown).
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(e);
            }
            if *self.stopping.borrow() {
                return None;
            }
            if self.dirty {
                self.dirty = false;
                match self
                    .store
                    .feed(&self.app_id, &self.user_key, self.cursor)
                    .await
                {
                    Ok(items) => {
                        // A full page means more is waiting: read again.
                        self.dirty = items.len() as i64 == crate::store::FEED_PAGE;
                        for (seq, e) in items {
                            self.cursor = seq;
                            self.pending.push_back(sse(&e, Some(seq)));
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "stream read failed; retrying at the next poll")
                    }
                }
                continue;
            }
            self.wait().await;
        }
    }

    /// Waits for a signal for this user, the poll interval, or shutdown.
    async fn wait(&mut self) {
        let timer = tokio::time::sleep(self.poll);
        tokio::pin!(timer);
        loop {
            tokio::select! {
                _ = &mut timer => { self.dirty = true; return; }
                _ = self.stopping.changed() => return,
                signal = self.signals.recv() => match signal {
                    Ok(s) if s.is_for(&self.app_id, &self.user_key) => {
                        if let Signal::Typing { conversation_id, author_name, .. } = s {
                            let typing = StreamEvent::Typing { conversation_id, author_name };
                            self.pending.push_back(sse(&typing, None));
                        } else {
                            self.dirty = true;
                        }
                        return;
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => { self.dirty = true; return; }
                    Err(RecvError::Closed) => { self.stopping.mark_changed(); return; }
                },
            }
        }
    }
}

/// Server-Sent Events of the user's conversations: each event's `id:` is a
/// cursor; a reconnect sends it back as `Last-Event-ID` (the browser does
/// this by itself) and the stream resumes after it, from the database, so
/// nothing written meanwhile — by this process or another — is missed.
/// Without a cursor it starts from now. Each stream starts with a `hello`
/// event, which the SDK waits for to know that events get through; idle
/// streams get a comment every 15 s so proxies keep them open.
#[utoipa::path(get, path = "/v1/conversations/stream", tag = "sdk",
    params(Since, ("Last-Event-ID" = Option<String>, Header, description = "resume after this cursor")),
    responses((status = 200, description = "text/event-stream of core's StreamEvent", content_type = "text/event-stream"),
        (status = 401, body = Object),
        (status = 429, description = "the user has too many streams open; poll instead", body = Object)),
    security(("session" = [])))]
async fn stream(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Query(q): Query<Since>,
) -> Result<impl axum::response::IntoResponse> {
    let app_id = s.app().id.clone();
    let most = state.config.streams_per_user;
    let Some(slot) = state.hub.open_stream(&app_id, &s.user_key, most) else {
        return Err(AppError::BadRequest {
            status: axum::http::StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_streams",
            message: format!(
                "this user already has {most} update streams open; poll /v1/conversations/updates instead"
            ),
            field: None,
        });
    };
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty());
    let start = match (resume, q.since.as_deref()) {
        (Some(id), _) => cursor("Last-Event-ID", id)?,
        (None, Some(since)) => cursor("since", since)?,
        (None, None) => state.store.feed_head(&app_id, &s.user_key).await?,
    };
    let tail = Tail {
        store: state.store.clone(),
        app_id,
        user_key: s.user_key,
        cursor: start,
        signals: state.hub.subscribe(),
        stopping: state.hub.stopping(),
        poll: state.config.stream_poll,
        // `hello` first, at once: an SDK that does not get it soon is
        // behind a proxy that buffers the stream, and polls instead.
        pending: VecDeque::from([Event::default()
            .retry(Duration::from_secs(2))
            .event(beckon_core::conversation::STREAM_HELLO)
            .data("{}")]),
        dirty: true,
        _slot: slot,
    };
    let events = futures_util::stream::unfold(tail, |mut tail| async move {
        let event = tail.next().await?;
        Some((Ok::<_, Infallible>(event), tail))
    });
    let sse = Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(state.config.keep_alive)
            .text("keep-alive"),
    );
    // nginx buffers proxied responses by default: a buffered stream
    // delivers nothing live and never fails, so the SDK would not even
    // fall back to polling. This header turns its buffering off.
    Ok(([(NO_BUFFERING, "no")], sse))
}

/// The header nginx (and proxies that copy it) read to pass a response
/// through unbuffered.
const NO_BUFFERING: header::HeaderName = header::HeaderName::from_static("x-accel-buffering");
