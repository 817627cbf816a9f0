//! `/admin/v1/inbox/{app_id}/…`: what the agents' inbox page (`/inbox`)
//! reads and does — the queue, a conversation with the user's record
//! beside it, replies (live to the user), assignment, closing, the unhappy
//! mark, typing, and the learning loop's snippets.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use beckon_core::conversation::{AuthorKind, ConversationStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{app_or_404, Admin};
use crate::error::{AppError, Result};
use crate::http::{AppJson, AuthorJson};
use crate::messenger::{self, check_body, check_name};
use crate::store::{
    new_id, now_ms, AppRecord, CompanyRecord, ConversationRecord, NewConversationMessage, Snippet,
    SnippetStatus, StoredEvent, UserRecord,
};
use crate::AppState;

/// Routes of the inbox.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(open_one))
        .routes(routes!(seen))
        .routes(routes!(reply))
        .routes(routes!(assign))
        .routes(routes!(close))
        .routes(routes!(unhappy))
        .routes(routes!(typing))
        .routes(routes!(list_snippets, save_snippet))
        .routes(routes!(approve_snippet))
        .routes(routes!(delete_snippet))
}

/// The most conversations one list shows.
const LIST_LIMIT: i64 = 200;

/// How many of the user's latest events the inbox shows.
const RECENT_EVENTS: i64 = 20;

/// Which conversations to list.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Filter {
    /// Waiting for or with a person.
    #[default]
    Open,
    /// Open and assigned to `agent`.
    Mine,
    /// Closed.
    Closed,
    /// Still with the bot.
    Bot,
    /// Everything.
    All,
}

/// The list's query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `open` (default), `mine`, `closed`, `bot` or `all`.
    #[param(value_type = Option<String>)]
    pub filter: Option<Filter>,
    /// The agent asking (for `mine`).
    pub agent: Option<String>,
}

/// One line of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxLine {
    /// Conversation id.
    pub id: String,
    /// `bot`, `open` or `closed`.
    #[schema(value_type = String)]
    pub status: ConversationStatus,
    /// Whose.
    pub user_key: String,
    /// The user's email, when known.
    pub email: Option<String>,
    /// Who has it.
    pub assignee: Option<String>,
    /// The last message (core's ConversationMessage).
    #[schema(value_type = Object)]
    pub last: beckon_core::conversation::ConversationMessage,
    /// User messages no agent has seen.
    pub waiting: u32,
    /// Rated badly or marked unhappy.
    pub unhappy: bool,
    /// The user's rating.
    pub rating: Option<u8>,
    /// Last activity (ms).
    pub updated_at: f64,
}

/// What an agent's answer could become, for the learning loop.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnippetSuggestion {
    /// What the user asked that the bot could not answer.
    pub question: String,
    /// The agent's latest reply.
    pub answer: String,
}

/// A conversation as the inbox shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxConversation {
    /// The conversation and its transcript (core's Conversation).
    #[schema(value_type = Object)]
    pub conversation: beckon_core::conversation::Conversation,
    /// Whose.
    pub user_key: String,
    /// The user's record.
    pub user: Option<UserRecord>,
    /// Their company.
    pub company: Option<CompanyRecord>,
    /// Their latest events, oldest first.
    pub events: Vec<StoredEvent>,
    /// What the user asked when the bot handed off.
    pub handoff_question: Option<String>,
    /// Rated badly or marked unhappy.
    pub unhappy: bool,
    /// The user's words with their rating.
    pub rating_comment: Option<String>,
    /// User messages no agent has seen.
    pub waiting: u32,
    /// Set once an agent has answered a question the bot could not.
    pub snippet_suggestion: Option<SnippetSuggestion>,
}

/// Who does something.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentAction {
    /// The agent's name (shown to the user).
    pub agent: String,
}

/// An agent's reply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentReply {
    /// The agent's name, shown to the user on the reply.
    pub agent: String,
    /// Markdown.
    pub body: String,
}

/// A change of assignee.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The agent who takes it; `null` puts it back in the queue.
    pub assignee: Option<String>,
}

/// A snippet to save for review.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSnippet {
    /// The question as users ask it.
    pub question: String,
    /// The answer (Markdown).
    pub answer: String,
    /// The conversation it comes from.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// The agent saving it.
    #[serde(default)]
    pub agent: Option<String>,
}

/// Approval, optionally with last edits.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnippetApproval {
    /// A better wording of the question.
    #[serde(default)]
    pub question: Option<String>,
    /// A better answer.
    #[serde(default)]
    pub answer: Option<String>,
}

/// The snippet list's filter.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SnippetQuery {
    /// `pending` or `approved`; both when absent.
    #[param(value_type = Option<String>)]
    pub status: Option<SnippetStatus>,
}

fn statuses(filter: Filter) -> &'static [ConversationStatus] {
    match filter {
        Filter::Open | Filter::Mine => &[ConversationStatus::Open],
        Filter::Closed => &[ConversationStatus::Closed],
        Filter::Bot => &[ConversationStatus::Bot],
        Filter::All => &[
            ConversationStatus::Bot,
            ConversationStatus::Open,
            ConversationStatus::Closed,
        ],
    }
}

/// The queue.
#[utoipa::path(get, path = "/admin/v1/inbox/{app_id}/conversations", tag = "inbox",
    params(("app_id" = String, Path), ListQuery),
    responses((status = 200, body = Vec<InboxLine>), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn list(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<AppJson<Vec<InboxLine>>> {
    app_or_404(&state, &app_id).await?;
    let filter = q.filter.unwrap_or_default();
    let assignee = match filter {
        Filter::Mine => Some(
            q.agent
                .as_deref()
                .filter(|a| !a.trim().is_empty())
                .ok_or_else(|| AppError::field("agent", "needed for filter=mine"))?,
        ),
        _ => None,
    };
    let rows = state
        .store
        .inbox_conversations(&app_id, statuses(filter), assignee, LIST_LIMIT)
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for (c, summary) in rows {
        let email = state
            .store
            .user(&app_id, &c.user_key)
            .await?
            .and_then(|u| u.email);
        lines.push(InboxLine {
            waiting: state
                .store
                .user_messages_after(&app_id, &c.id, c.agent_read_seq)
                .await?,
            id: c.id,
            status: c.status,
            user_key: c.user_key,
            email,
            assignee: c.assignee,
            last: summary.last,
            unhappy: c.unhappy,
            rating: c.rating,
            updated_at: summary.updated_at,
        });
    }
    Ok(AppJson(lines))
}

async fn inbox_view(
    state: &AppState,
    app: &AppRecord,
    c: ConversationRecord,
) -> Result<InboxConversation> {
    let store = &state.store;
    let messages = store.conversation_messages(&app.id, &c.id).await?;
    let user = store.user(&app.id, &c.user_key).await?;
    let company = match user.as_ref().and_then(|u| u.company_id.clone()) {
        Some(id) => store.company(&app.id, &id).await?,
        None => None,
    };
    let events = store.timeline(&app.id, &c.user_key, RECENT_EVENTS).await?;
    let last_agent = messages
        .iter()
        .rev()
        .find(|m| m.message.author == AuthorKind::Agent);
    let snippet_suggestion = match (&c.handoff_question, last_agent) {
        (Some(q), Some(a)) => Some(SnippetSuggestion {
            question: q.clone(),
            answer: a.message.body.clone(),
        }),
        _ => None,
    };
    let waiting = messages
        .iter()
        .filter(|m| m.message.author == AuthorKind::User && m.seq > c.agent_read_seq)
        .count();
    Ok(InboxConversation {
        conversation: c.view(
            &messages,
            Some(app.settings.messenger.expected_reply.clone()),
        ),
        user_key: c.user_key,
        user,
        company,
        events,
        handoff_question: c.handoff_question,
        unhappy: c.unhappy,
        rating_comment: c.rating_comment,
        waiting: u32::try_from(waiting).unwrap_or(u32::MAX),
        snippet_suggestion,
    })
}

/// A conversation with the user's record, company and recent events.
#[utoipa::path(get, path = "/admin/v1/inbox/{app_id}/conversations/{conversation_id}", tag = "inbox",
    params(("app_id" = String, Path), ("conversation_id" = String, Path)),
    responses((status = 200, body = InboxConversation), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn open_one(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, id)): Path<(String, String)>,
) -> Result<AppJson<InboxConversation>> {
    let app = app_or_404(&state, &app_id).await?;
    let c = state
        .store
        .conversation(&app_id, &id)
        .await?
        .ok_or_else(|| AppError::not_found("conversation", &id))?;
    Ok(AppJson(inbox_view(&state, &app, c).await?))
}

async fn done(
    state: &AppState,
    app: &AppRecord,
    c: ConversationRecord,
) -> Result<AppJson<InboxConversation>> {
    Ok(AppJson(inbox_view(state, app, c).await?))
}

/// An agent has read the conversation: the user's messages show as seen.
#[utoipa::path(post, path = "/admin/v1/inbox/{app_id}/conversations/{conversation_id}/seen", tag = "inbox",
    params(("app_id" = String, Path), ("conversation_id" = String, Path)),
    responses((status = 200, body = InboxConversation), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn seen(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, id)): Path<(String, String)>,
) -> Result<AppJson<InboxConversation>> {
    let app = app_or_404(&state, &app_id).await?;
    let (mut w, mut c) = messenger::agent_begin(&state, &app, &id).await?;
    let last = w.last_seq(&c.id).await?;
    if last > c.agent_read_seq {
        c.agent_read_seq = last;
        w.save(&c).await?;
    }
    let c = messenger::agent_finish(&state, &app, w, c).await?;
    done(&state, &app, c).await
}

/// An agent's reply, live in the user's messenger (and by email later if
/// unseen).
#[utoipa::path(post, path = "/admin/v1/inbox/{app_id}/conversations/{conversation_id}/reply", tag = "inbox",
    params(("app_id" = String, Path), ("conversation_id" = String, Path)), request_body = AgentReply,
    responses((status = 200, body = InboxConversation), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn reply(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, id)): Path<(String, String)>,
    AuthorJson(r): AuthorJson<AgentReply>,
) -> Result<AppJson<InboxConversation>> {
    let app = app_or_404(&state, &app_id).await?;
    let c = messenger::agent_reply(&state, &app, &id, r.agent, r.body).await?;
    done(&state, &app, c).await
}

/// Gives the conversation to an agent, or back to the queue.
#[utoipa::path(post, path = "/admin/v1/inbox/{app_id}/conversations/{conversation_id}/assign", tag = "inbox",
    params(("app_id" = String, Path), ("conversation_id" = String, Path)), request_body = Assignment,
    responses((status = 200, body = InboxConversation), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn assign(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, id)): Path<(String, String)>,
    AuthorJson(a): AuthorJson<Assignment>,
) -> Result<AppJson<InboxConversation>> {
    let app = app_or_404(&state, &app_id).await?;
    let assignee = a.assignee.filter(|n| !n.trim().is_empty());
    if let Some(name) = &assignee {
        check_name("assignee", name)?;
    }
    let (mut w, mut c) = messenger::agent_begin(&state, &app, &id).await?;
    c.assignee = assignee;
    if c.status == ConversationStatus::Bot {
        c.status = ConversationStatus::Open;
    }
    w.save(&c).await?;
    let c = messenger::agent_finish(&state, &app, w, c).await?;
    done(&state, &app, c).await
}

/// Closes the conversation; the user is asked to rate it.
#[utoipa::path(post, path = "/admin/v1/inbox/{app_id}/conversations/{conversation_id}/close", tag = "inbox",
    params(("app_id" = String, Path), ("conversation_id" = String, Path)), request_body = AgentAction,
    responses((status = 200, body = InboxConversation), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn close(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, id)): Path<(String, String)>,
    AuthorJson(a): AuthorJson<AgentAction>,
) -> Result<AppJson<InboxConversation>> {
    let app = app_or_404(&state, &app_id).await?;
    check_name("agent", &a.agent)?;
    let (mut w, mut c) = messenger::agent_begin(&state, &app, &id).await?;
    if c.status != ConversationStatus::Closed {
        c.status = ConversationStatus::Closed;
        w.add(
            &mut c,
            NewConversationMessage {
                author: Some(AuthorKind::System),
                body: format!("{} closed this conversation. How did we do?", a.agent),
                ..Default::default()
            },
        )
        .await?;
    }
    let c = messenger::agent_finish(&state, &app, w, c).await?;
    done(&state, &app, c).await
}

/// Marks the conversation unhappy: proactive messages keep away from the
/// user for the app's quiet hours.
#[utoipa::path(post, path = "/admin/v1/inbox/{app_id}/conversations/{conversation_id}/unhappy", tag = "inbox",
    params(("app_id" = String, Path), ("conversation_id" = String, Path)), request_body = AgentAction,
    responses((status = 200, body = InboxConversation), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn unhappy(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, id)): Path<(String, String)>,
    AuthorJson(a): AuthorJson<AgentAction>,
) -> Result<AppJson<InboxConversation>> {
    let app = app_or_404(&state, &app_id).await?;
    check_name("agent", &a.agent)?;
    let (mut w, mut c) = messenger::agent_begin(&state, &app, &id).await?;
    c.unhappy = true;
    w.save(&c).await?;
    let c = messenger::agent_finish(&state, &app, w, c).await?;
    state
        .store
        .set_unhappy(&app.id, &c.user_key, now_ms() as f64)
        .await?;
    tracing::info!(app = %app.id, conversation = %c.id, agent = %a.agent, "marked unhappy");
    done(&state, &app, c).await
}

/// The agent is typing: the user's messenger shows it for a few seconds.
#[utoipa::path(post, path = "/admin/v1/inbox/{app_id}/conversations/{conversation_id}/typing", tag = "inbox",
    params(("app_id" = String, Path), ("conversation_id" = String, Path)), request_body = AgentAction,
    responses((status = 204), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn typing(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, id)): Path<(String, String)>,
    AuthorJson(a): AuthorJson<AgentAction>,
) -> Result<StatusCode> {
    check_name("agent", &a.agent)?;
    let c = state
        .store
        .conversation(&app_id, &id)
        .await?
        .ok_or_else(|| AppError::not_found("conversation", &id))?;
    state.hub.typing(&app_id, &c.user_key, &c.id, &a.agent);
    Ok(StatusCode::NO_CONTENT)
}

/// The app's snippets, newest first.
#[utoipa::path(get, path = "/admin/v1/inbox/{app_id}/snippets", tag = "inbox",
    params(("app_id" = String, Path), SnippetQuery),
    responses((status = 200, body = Vec<Snippet>), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn list_snippets(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Query(q): Query<SnippetQuery>,
) -> Result<AppJson<Vec<Snippet>>> {
    app_or_404(&state, &app_id).await?;
    Ok(AppJson(state.store.snippets(&app_id, q.status).await?))
}

fn check_snippet(question: &str, answer: &str) -> Result<()> {
    check_body("question", question)?;
    if question.chars().count() > 500 {
        return Err(AppError::field("question", "at most 500 characters"));
    }
    check_body("answer", answer)
}

/// Saves an agent's answer as a snippet, pending review: the bot does not
/// use it until it is approved.
#[utoipa::path(post, path = "/admin/v1/inbox/{app_id}/snippets", tag = "inbox",
    params(("app_id" = String, Path)), request_body = NewSnippet,
    responses((status = 201, body = Snippet), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn save_snippet(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    AuthorJson(n): AuthorJson<NewSnippet>,
) -> Result<(StatusCode, AppJson<Snippet>)> {
    app_or_404(&state, &app_id).await?;
    check_snippet(&n.question, &n.answer)?;
    if let Some(id) = &n.conversation_id {
        if state.store.conversation(&app_id, id).await?.is_none() {
            return Err(AppError::field(
                "conversation_id",
                "no such conversation in this app",
            ));
        }
    }
    let now = now_ms();
    let snippet = Snippet {
        id: new_id("s_"),
        question: n.question.trim().to_owned(),
        answer: n.answer.trim().to_owned(),
        status: SnippetStatus::Pending,
        conversation_id: n.conversation_id,
        created_by: n.agent,
        created_at: now,
        updated_at: now,
    };
    state.store.put_snippet(&app_id, &snippet).await?;
    Ok((StatusCode::CREATED, AppJson(snippet)))
}

/// Approves a snippet (optionally reworded): the bot answers from it from
/// now on, citing it.
#[utoipa::path(post, path = "/admin/v1/inbox/{app_id}/snippets/{snippet_id}/approve", tag = "inbox",
    params(("app_id" = String, Path), ("snippet_id" = String, Path)), request_body = SnippetApproval,
    responses((status = 200, body = Snippet), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn approve_snippet(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, snippet_id)): Path<(String, String)>,
    AuthorJson(a): AuthorJson<SnippetApproval>,
) -> Result<AppJson<Snippet>> {
    app_or_404(&state, &app_id).await?;
    let mut snippet = state
        .store
        .snippets(&app_id, None)
        .await?
        .into_iter()
        .find(|s| s.id == snippet_id)
        .ok_or_else(|| AppError::not_found("snippet", &snippet_id))?;
    if let Some(q) = a.question {
        snippet.question = q.trim().to_owned();
    }
    if let Some(answer) = a.answer {
        snippet.answer = answer.trim().to_owned();
    }
    check_snippet(&snippet.question, &snippet.answer)?;
    snippet.status = SnippetStatus::Approved;
    snippet.updated_at = now_ms();
    state.store.put_snippet(&app_id, &snippet).await?;
    tracing::info!(app = %app_id, snippet = %snippet.id, "snippet approved");
    Ok(AppJson(snippet))
}

/// Deletes a snippet (rejects a pending one, or retires an approved one).
#[utoipa::path(delete, path = "/admin/v1/inbox/{app_id}/snippets/{snippet_id}", tag = "inbox",
    params(("app_id" = String, Path), ("snippet_id" = String, Path)),
    responses((status = 204), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn delete_snippet(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, snippet_id)): Path<(String, String)>,
) -> Result<StatusCode> {
    if state.store.delete_snippet(&app_id, &snippet_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found("snippet", &snippet_id))
    }
}
