//! `POST /v1/events`: a batch of client events, deduplicated by id.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Extension;
use beckon_core::protocol::{EventBatch, EventsAccepted};
use beckon_core::time::clock_skew;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cors::CorsSlot;
use super::gate;
use super::AppJson;
use crate::auth::MAX_ID_LEN;
use crate::error::{AppError, Result};
use crate::AppState;
use beckon_core::protocol::MAX_EVENT_NAME_BYTES;

/// The most events one batch may carry; the SDK sends at most 25.
pub const MAX_BATCH: usize = 500;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ingest))
}

fn validate(batch: &EventBatch) -> Result<()> {
    let bad = |message: String| AppError::bad(StatusCode::BAD_REQUEST, "bad_event", message);
    if batch.events.len() > MAX_BATCH {
        return Err(bad(format!(
            "a batch holds at most {MAX_BATCH} events, this one {}",
            batch.events.len()
        )));
    }
    for (i, e) in batch.events.iter().enumerate() {
        if e.id.is_empty() || e.id.len() > MAX_ID_LEN {
            return Err(bad(format!(
                "events[{i}].id must be 1 to {MAX_ID_LEN} bytes"
            )));
        }
        if e.name.is_empty() || e.name.len() > MAX_EVENT_NAME_BYTES {
            return Err(bad(format!(
                "events[{i}].name must be 1 to {MAX_EVENT_NAME_BYTES} bytes"
            )));
        }
        if e.message_id.as_ref().is_some_and(|m| m.len() > MAX_ID_LEN) {
            return Err(bad(format!(
                "events[{i}].message_id must be at most {MAX_ID_LEN} bytes"
            )));
        }
        if !e.ts.is_finite() {
            return Err(bad(format!(
                "events[{i}].ts must be a number of milliseconds"
            )));
        }
    }
    Ok(())
}

/// Stores a batch of one user's events.
///
/// Answered only once the events are committed, so an acknowledged event
/// survives a crash; a repeated id is dropped and counted as a duplicate.
/// Events sent under an anonymous id that has since been merged into a
/// user go to that user.
#[utoipa::path(post, path = "/v1/events", tag = "sdk",
    request_body(content = Object, description = "core's EventBatch: app_id, user, events (≤ 500), sent_at (the browser's clock; times move to the server's)"),
    responses(
        (status = 200, description = "core's EventsAccepted: accepted, duplicates", body = Object),
        (status = 400, description = "a bad event, named by index", body = Object),
        (status = 401, description = "identity proof missing or wrong", body = Object),
        (status = 403, description = "origin not allowed for this app", body = Object),
        (status = 413, description = "body over the size limit", body = Object),
        (status = 429, description = "rate limited; see Retry-After", body = Object),
    ))]
async fn ingest(
    State(state): State<AppState>,
    Extension(slot): Extension<CorsSlot>,
    headers: HeaderMap,
    AppJson(mut batch): AppJson<EventBatch>,
) -> Result<AppJson<EventsAccepted>> {
    let (app, verified) = gate::admit(&state, &headers, &slot, &batch.app_id, &batch.user).await?;
    validate(&batch)?;
    // Stored in the server's clock, whatever the browser's says.
    let skew = clock_skew(batch.sent_at, crate::store::now_ms() as f64);
    for e in &mut batch.events {
        e.ts += skew;
    }
    let mut key = verified.key;
    if verified.user_id.is_none() {
        if let Some(user) = state.store.alias(&app.app.id, &key).await? {
            key = user;
        }
    }
    let result = state
        .store
        .insert_events(&app.app.id, &key, batch.events)
        .await?;
    state.metrics.events_accepted.inc_by(result.accepted as u64);
    state
        .metrics
        .events_duplicate
        .inc_by(result.duplicates as u64);
    Ok(AppJson(result))
}
