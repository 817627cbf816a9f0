//! `/admin/v1/…`: the authoring and analytics API, behind the admin key.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::boot::known_app;
use super::AppJson;
use crate::error::{AppError, Result};
use crate::store::StoredEvent;
use crate::AppState;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route("/admin/v1/apps/{app_id}/events", get(list_events))
}

/// Checks `Authorization: Bearer <admin key>` in constant time.
fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<()> {
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let expected = state.config.admin_key.as_bytes();
    let same_len = given.len() == expected.len();
    let diff = given
        .bytes()
        .zip(expected.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if same_len && diff == 0 && !expected.is_empty() {
        Ok(())
    } else {
        Err(AppError::bad(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "admin API needs `Authorization: Bearer <admin key>`",
        ))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventFilter {
    user: Option<String>,
    name: Option<String>,
}

async fn list_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(app_id): Path<String>,
    Query(filter): Query<EventFilter>,
) -> Result<AppJson<Vec<StoredEvent>>> {
    require_admin(&state, &headers)?;
    let app = known_app(&state, &app_id).await?;
    let events = state
        .store
        .events(&app.id, filter.user, filter.name)
        .await?;
    Ok(AppJson(events))
}
