//! Messages: authoring with versions and status, validated at save time.
//!
//! Every rule is compiled with core's own compiler when it is saved, so a
//! rule that core cannot run is refused here, naming the field, and never
//! reaches a browser.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use beckon_core::protocol::{ActionTarget, Message, MessageKind};
use beckon_core::targeting::CompiledTargeting;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{app_or_404, check_id, id_from, Admin};
use crate::error::{AppError, Result};
use crate::http::{AppJson, AuthorJson};
use crate::store::{MessageInput, MessageRecord, MessageStatus, MessageVersion};
use crate::AppState;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_messages, create_message))
        .routes(routes!(get_message, update_message))
        .routes(routes!(set_status))
        .routes(routes!(list_versions))
}

/// Longest text field of a message's content.
const MAX_TEXT: usize = 20_000;

/// Turns an author's input into a message core can run, or the 422 that
/// names the first field at fault.
async fn validate(
    state: &AppState,
    app_id: &str,
    id: String,
    input: &MessageInput,
) -> Result<Message> {
    check_id("id", &id)?;
    let content = &input.content;
    if content.body.len() > MAX_TEXT {
        return Err(AppError::field(
            "content.body",
            format!("at most {MAX_TEXT} bytes"),
        ));
    }
    if content.title.as_ref().is_some_and(|t| t.len() > 500) {
        return Err(AppError::field("content.title", "at most 500 bytes"));
    }
    if let Some(action) = &content.action {
        if action.label.trim().is_empty() {
            return Err(AppError::field("content.action.label", "must not be empty"));
        }
        match &action.target {
            ActionTarget::Url { url } => {
                let safe = ["https://", "http://", "mailto:", "/"]
                    .iter()
                    .any(|p| url.starts_with(p))
                    && !url.starts_with("//");
                if !safe {
                    return Err(AppError::field(
                        "content.action.url",
                        "an http(s), mailto or site-relative (/…) URL",
                    ));
                }
            }
            ActionTarget::Article { article_id } => {
                if state.store.article(app_id, article_id).await?.is_none() {
                    return Err(AppError::field(
                        "content.action.article_id",
                        format!("no article {article_id:?} in this app"),
                    ));
                }
            }
            ActionTarget::Tour { message_id } => {
                let tour = state.store.message(app_id, message_id).await?;
                if !tour.is_some_and(|t| t.message.kind == MessageKind::Tour) {
                    return Err(AppError::field(
                        "content.action.message_id",
                        format!("no tour {message_id:?} in this app"),
                    ));
                }
            }
            ActionTarget::Messenger { .. } => {}
        }
    }
    content
        .check(input.kind)
        .map_err(|(field, reason)| AppError::field(field, reason))?;
    CompiledTargeting::compile(&input.targeting).map_err(|e| match e {
        beckon_core::Error::InvalidRule { path, reason } => AppError::field(path, reason),
        other => AppError::field("targeting", other.to_string()),
    })?;
    Ok(Message {
        id,
        kind: input.kind,
        priority: input.priority,
        content: input.content.clone(),
        targeting: input.targeting.clone(),
    })
}

/// Filter of the message list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListFilter {
    /// Only messages with this status.
    pub status: Option<MessageStatus>,
}

/// The app's messages, highest priority first.
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/messages", tag = "admin",
    params(("app_id" = String, Path), ListFilter),
    responses((status = 200, body = Vec<MessageRecord>), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn list_messages(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Query(filter): Query<ListFilter>,
) -> Result<AppJson<Vec<MessageRecord>>> {
    app_or_404(&state, &app_id).await?;
    Ok(AppJson(state.store.messages(&app_id, filter.status).await?))
}

/// Creates a message (version 1); a draft unless `status` says otherwise.
#[utoipa::path(post, path = "/admin/v1/apps/{app_id}/messages", tag = "admin",
    params(("app_id" = String, Path)), request_body = MessageInput,
    responses((status = 201, body = MessageRecord), (status = 409, body = Object),
        (status = 422, description = "a field or rule is wrong; `field` names it", body = Object)),
    security(("admin" = [])))]
async fn create_message(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    AuthorJson(input): AuthorJson<MessageInput>,
) -> Result<(StatusCode, AppJson<MessageRecord>)> {
    app_or_404(&state, &app_id).await?;
    let id = input
        .id
        .clone()
        .unwrap_or_else(|| id_from(input.name.as_deref().unwrap_or("message")));
    let message = validate(&state, &app_id, id, &input).await?;
    let status = input.status.unwrap_or(MessageStatus::Draft);
    let record = state
        .store
        .create_message(&app_id, &message, input.name.as_deref(), status)
        .await?
        .ok_or_else(|| {
            AppError::bad(
                StatusCode::CONFLICT,
                "conflict",
                format!(
                    "a message with id {:?} exists; PUT to change it",
                    message.id
                ),
            )
        })?;
    tracing::info!(app = %app_id, message = %record.message.id, status = ?record.status, "message created");
    Ok((StatusCode::CREATED, AppJson(record)))
}

/// One message's current version.
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/messages/{message_id}", tag = "admin",
    params(("app_id" = String, Path), ("message_id" = String, Path)),
    responses((status = 200, body = MessageRecord), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn get_message(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, message_id)): Path<(String, String)>,
) -> Result<AppJson<MessageRecord>> {
    state
        .store
        .message(&app_id, &message_id)
        .await?
        .map(AppJson)
        .ok_or_else(|| AppError::not_found("message", &message_id))
}

/// Saves a new version of a message.
#[utoipa::path(put, path = "/admin/v1/apps/{app_id}/messages/{message_id}", tag = "admin",
    params(("app_id" = String, Path), ("message_id" = String, Path)), request_body = MessageInput,
    responses((status = 200, body = MessageRecord), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn update_message(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, message_id)): Path<(String, String)>,
    AuthorJson(input): AuthorJson<MessageInput>,
) -> Result<AppJson<MessageRecord>> {
    if input.id.as_ref().is_some_and(|id| *id != message_id) {
        return Err(AppError::field("id", "differs from the id in the path"));
    }
    let message = validate(&state, &app_id, message_id.clone(), &input).await?;
    let record = state
        .store
        .update_message(&app_id, &message, input.name.as_deref(), input.status)
        .await?
        .ok_or_else(|| AppError::not_found("message", &message_id))?;
    tracing::info!(app = %app_id, message = %message_id, version = record.version, status = ?record.status, "message saved");
    Ok(AppJson(record))
}

/// A change of status only.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The new status.
    pub status: MessageStatus,
}

/// Publishes, unpublishes or archives a message (a new version).
#[utoipa::path(post, path = "/admin/v1/apps/{app_id}/messages/{message_id}/status", tag = "admin",
    params(("app_id" = String, Path), ("message_id" = String, Path)), request_body = StatusChange,
    responses((status = 200, body = MessageRecord), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn set_status(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, message_id)): Path<(String, String)>,
    AuthorJson(change): AuthorJson<StatusChange>,
) -> Result<AppJson<MessageRecord>> {
    let current = state
        .store
        .message(&app_id, &message_id)
        .await?
        .ok_or_else(|| AppError::not_found("message", &message_id))?;
    let record = state
        .store
        .update_message(
            &app_id,
            &current.message,
            current.name.as_deref(),
            Some(change.status),
        )
        .await?
        .ok_or_else(|| AppError::not_found("message", &message_id))?;
    tracing::info!(app = %app_id, message = %message_id, version = record.version, status = ?record.status, "message status changed");
    Ok(AppJson(record))
}

/// Every saved version of a message, newest first.
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/messages/{message_id}/versions", tag = "admin",
    params(("app_id" = String, Path), ("message_id" = String, Path)),
    responses((status = 200, body = Vec<MessageVersion>), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn list_versions(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, message_id)): Path<(String, String)>,
) -> Result<AppJson<Vec<MessageVersion>>> {
    let versions = state.store.message_versions(&app_id, &message_id).await?;
    if versions.is_empty() {
        return Err(AppError::not_found("message", &message_id));
    }
    Ok(AppJson(versions))
}
