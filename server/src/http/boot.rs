//! `POST /v1/boot`: who the user is → their state and the app's messages.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use beckon_core::protocol::{BootRequest, BootResponse, UserIdentity, PROTOCOL_VERSION};

use super::AppJson;
use crate::error::{AppError, Result};
use crate::store::AppRecord;
use crate::AppState;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/boot", post(boot))
}

/// The longest id (user, anonymous, event) accepted; longer ones are a
/// client bug or an attack, never a real id.
pub const MAX_ID_LEN: usize = 256;

/// Finds the app or answers 404.
pub async fn known_app(state: &AppState, app_id: &str) -> Result<AppRecord> {
    state.store.app(app_id).await?.ok_or_else(|| {
        AppError::bad(
            StatusCode::NOT_FOUND,
            "unknown_app",
            format!("no app with id {app_id:?}; check the app_id you boot with"),
        )
    })
}

/// The user's storage key, or a 400 that says which id is missing or bad.
pub fn user_key(user: &UserIdentity) -> Result<String> {
    let key = user.key().ok_or_else(|| {
        AppError::bad(
            StatusCode::BAD_REQUEST,
            "missing_user",
            "user needs a non-empty user_id or anonymous_id",
        )
    })?;
    if key.len() > MAX_ID_LEN {
        return Err(AppError::bad(
            StatusCode::BAD_REQUEST,
            "bad_user",
            format!("user id is longer than {MAX_ID_LEN} bytes"),
        ));
    }
    Ok(key.to_owned())
}

async fn boot(
    State(state): State<AppState>,
    AppJson(req): AppJson<BootRequest>,
) -> Result<AppJson<BootResponse>> {
    let app = known_app(&state, &req.app_id).await?;
    user_key(&req.user)?;
    let key = state.store.upsert_user(&app.id, &req.user).await?;
    let user_state = state.store.user_state(&app.id, &key).await?;
    let messages = state.store.live_messages(&app.id).await?;
    Ok(AppJson(BootResponse {
        v: PROTOCOL_VERSION,
        user_key: key,
        state: user_state,
        messages,
    }))
}
