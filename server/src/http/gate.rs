//! What every SDK call passes before it touches a user's data, in order:
//! the app exists, the page's origin is allowed, the app's and then the
//! user's rate budget has room, and the user is who they claim to be.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use beckon_core::protocol::UserIdentity;

use super::cors::{self, CorsSlot};
use crate::auth::{self, Verified};
use crate::error::{AppError, Result};
use crate::store::CachedApp;
use crate::AppState;

/// Finds the app or answers 404.
pub async fn known_app(state: &AppState, app_id: &str) -> Result<Arc<CachedApp>> {
    state.store.cached_app(app_id).await?.ok_or_else(|| {
        AppError::bad(
            StatusCode::NOT_FOUND,
            "unknown_app",
            format!("no app with id {app_id:?}; check the app_id you boot with"),
        )
    })
}

fn limit(
    state: &AppState,
    key: &str,
    per_second: f64,
    burst: f64,
    scope: &'static str,
) -> Result<()> {
    state.limiter.check(key, per_second, burst).map_err(|wait| {
        state.metrics.rate_limited.inc();
        AppError::RateLimited {
            scope,
            // Whole seconds, rounded up: retrying earlier would be refused again.
            retry_after: (wait.as_secs_f64().ceil() as u64).max(1),
        }
    })
}

/// Charges one request to the app's own budget.
pub fn limit_app(state: &AppState, app: &crate::store::AppRecord) -> Result<()> {
    let rates = app.settings.rate_limits;
    limit(
        state,
        &format!("app\u{1f}{}", app.id),
        rates.app_per_second,
        rates.burst,
        "app",
    )
}

/// Charges one request to the user's own budget.
pub fn limit_user(state: &AppState, app: &crate::store::AppRecord, user_key: &str) -> Result<()> {
    let rates = app.settings.rate_limits;
    limit(
        state,
        &format!("user\u{1f}{}\u{1f}{user_key}", app.id),
        rates.user_per_second,
        rates.burst,
        "user",
    )
}

/// Runs the checks; on success the caller may read and write `Verified.key`.
pub async fn admit(
    state: &AppState,
    headers: &HeaderMap,
    slot: &CorsSlot,
    app_id: &str,
    user: &UserIdentity,
) -> Result<(Arc<CachedApp>, Verified)> {
    let app = known_app(state, app_id).await?;
    let settings = &app.app.settings;
    cors::admit(settings, headers, slot)?;
    limit_app(state, &app.app)?;
    let verified = auth::verify(&app.app, user)?;
    limit_user(state, &app.app, &verified.key)?;
    Ok((app, verified))
}
