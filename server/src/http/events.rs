//! `POST /v1/events`: a batch of client events, deduplicated by id.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use beckon_core::protocol::{EventBatch, EventsAccepted};

use super::boot::{known_app, user_key, MAX_ID_LEN};
use super::AppJson;
use crate::error::{AppError, Result};
use crate::AppState;

/// The most events one batch may carry; the SDK sends at most 50.
pub const MAX_BATCH: usize = 500;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/events", post(ingest))
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
        if e.name.is_empty() || e.name.len() > 200 {
            return Err(bad(format!("events[{i}].name must be 1 to 200 bytes")));
        }
        if !e.ts.is_finite() {
            return Err(bad(format!(
                "events[{i}].ts must be a number of milliseconds"
            )));
        }
    }
    Ok(())
}

async fn ingest(
    State(state): State<AppState>,
    AppJson(batch): AppJson<EventBatch>,
) -> Result<AppJson<EventsAccepted>> {
    let app = known_app(&state, &batch.app_id).await?;
    let key = user_key(&batch.user)?;
    validate(&batch)?;
    let result = state
        .store
        .insert_events(&app.id, &key, batch.events)
        .await?;
    Ok(AppJson(result))
}
