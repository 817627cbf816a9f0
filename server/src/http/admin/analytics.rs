//! Events, per-message analytics, and users with their timelines.

use axum::extract::{Path, Query, State};
use beckon_core::state::UserState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{app_or_404, Admin};
use crate::error::{AppError, Result};
use crate::http::AppJson;
use crate::store::{CompanyRecord, MessageCounts, MessageStats, StoredEvent, UserRecord};
use crate::AppState;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events))
        .routes(routes!(app_stats))
        .routes(routes!(message_stats))
        .routes(routes!(get_user))
        .routes(routes!(user_timeline))
}

/// Filter of the event list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventFilter {
    /// Only this user's events (their `user_key`).
    pub user: Option<String>,
    /// Only events of this name.
    pub name: Option<String>,
}

/// The app's stored events, oldest first (at most 10,000).
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/events", tag = "admin",
    params(("app_id" = String, Path), EventFilter),
    responses((status = 200, body = Vec<StoredEvent>), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn list_events(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Query(filter): Query<EventFilter>,
) -> Result<AppJson<Vec<StoredEvent>>> {
    app_or_404(&state, &app_id).await?;
    let events = state
        .store
        .events(&app_id, filter.user.as_deref(), filter.name.as_deref())
        .await?;
    Ok(AppJson(events))
}

/// Shown / clicked / dismissed / completed / goal counts of every message.
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/stats", tag = "admin",
    params(("app_id" = String, Path)),
    responses((status = 200, body = Vec<MessageCounts>), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn app_stats(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
) -> Result<AppJson<Vec<MessageCounts>>> {
    app_or_404(&state, &app_id).await?;
    Ok(AppJson(state.store.message_counts(&app_id, None).await?))
}

/// One message's counts and the comparison of the users who saw it with
/// the hold-out group who, by the deterministic hash, did not.
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/messages/{message_id}/stats", tag = "admin",
    params(("app_id" = String, Path), ("message_id" = String, Path)),
    responses((status = 200, body = MessageStats), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn message_stats(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, message_id)): Path<(String, String)>,
) -> Result<AppJson<MessageStats>> {
    let record = state
        .store
        .message(&app_id, &message_id)
        .await?
        .ok_or_else(|| AppError::not_found("message", &message_id))?;
    let goal = record.message.targeting.goal.as_ref();
    let goal_event = goal.and_then(|g| g.event.as_deref());
    let window = goal.map_or(0.0, |g| g.within_days * beckon_core::time::DAY_MS);
    Ok(AppJson(
        state
            .store
            .message_stats(&app_id, &message_id, goal_event, window)
            .await?,
    ))
}

/// A user with their company and the state boots derive from their events.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// The record.
    pub user: UserRecord,
    /// Their company, when known.
    pub company: Option<CompanyRecord>,
    /// What they have seen, dismissed and completed.
    #[schema(value_type = Object)]
    pub state: UserState,
}

/// One user by key (the user id, or `anon:` + the anonymous id).
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/users/{user_key}", tag = "admin",
    params(("app_id" = String, Path), ("user_key" = String, Path)),
    responses((status = 200, body = UserView), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn get_user(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, user_key)): Path<(String, String)>,
) -> Result<AppJson<UserView>> {
    let user = state
        .store
        .user(&app_id, &user_key)
        .await?
        .ok_or_else(|| AppError::not_found("user", &user_key))?;
    let company = match &user.company_id {
        Some(c) => state.store.company(&app_id, c).await?,
        None => None,
    };
    let user_state = state.store.user_state(&app_id, &user_key).await?;
    Ok(AppJson(UserView {
        user,
        company,
        state: user_state,
    }))
}

/// How much of a timeline to return.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// The latest this many events (default 500, at most 10,000).
    pub limit: Option<i64>,
}

/// One user's events in the order they happened.
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/users/{user_key}/timeline", tag = "admin",
    params(("app_id" = String, Path), ("user_key" = String, Path), TimelineQuery),
    responses((status = 200, body = Vec<StoredEvent>), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn user_timeline(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, user_key)): Path<(String, String)>,
    Query(q): Query<TimelineQuery>,
) -> Result<AppJson<Vec<StoredEvent>>> {
    app_or_404(&state, &app_id).await?;
    let limit = q.limit.unwrap_or(500).clamp(1, crate::store::LIST_LIMIT);
    Ok(AppJson(
        state.store.timeline(&app_id, &user_key, limit).await?,
    ))
}
