//! `POST /v1/boot`: who the user is → their state and the app's messages.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Extension;
use beckon_core::protocol::{BootRequest, UserIdentity, PROTOCOL_VERSION};
use beckon_core::state::UserState;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cors::CorsSlot;
use super::gate;
use super::AppJson;
use crate::auth::Verified;
use crate::error::Result;
use crate::store::{CompanyRecord, UserUpdate};
use crate::AppState;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(boot))
}

/// The answer, field for field core's `BootResponse` (plus the app's
/// attention `settings`), with the messages
/// spliced in as the JSON the app cache already holds, so a boot never
/// serialises the same messages again.
#[derive(Serialize)]
struct BootAnswer<'a> {
    v: u32,
    user_key: String,
    state: UserState,
    messages: &'a RawValue,
    /// The app's attention budget, which the SDK's orchestration applies.
    settings: &'a beckon_core::orchestration::Settings,
    /// The messenger's session token (issued only here, after identity
    /// verification).
    session: String,
    /// The messenger's words.
    messenger: beckon_core::conversation::MessengerConfig,
    /// How far the browser's clock is behind this one, ms.
    clock_skew: f64,
}

/// Splits what the SDK sent into the user's record and their company
/// (`attributes.company`, when it is an object with an `id`).
pub fn user_update(verified: &Verified, user: &UserIdentity) -> UserUpdate {
    let mut attributes = user.attributes.clone();
    let company = match attributes.get("company") {
        Some(Value::Object(c)) if c.get("id").and_then(Value::as_str).is_some() => {
            let mut c: Map<String, Value> = c.clone();
            let id = c.remove("id").and_then(|v| v.as_str().map(str::to_owned));
            let name = c.remove("name").and_then(|v| v.as_str().map(str::to_owned));
            attributes.remove("company");
            id.map(|id| CompanyRecord {
                id,
                name,
                attributes: c,
            })
        }
        _ => None,
    };
    UserUpdate {
        key: verified.key.clone(),
        user_id: verified.user_id.clone(),
        email: user.email.clone(),
        attributes,
        company,
    }
}

/// Boots the SDK for one user on one page.
///
/// Identified users are checked against the app's identity settings
/// first; when the call names both a user id and an anonymous id, the
/// anonymous visitor's records move into the user's.
#[utoipa::path(post, path = "/v1/boot", tag = "sdk",
    request_body(content = Object, description = "core's BootRequest: app_id, user, page, sent_at (the browser's clock; the state comes back in it)"),
    responses(
        (status = 200, description = "core's BootResponse: v, user_key, state, messages, settings, session, messenger", body = Object),
        (status = 401, description = "identity proof missing or wrong; nothing of the user is returned", body = Object),
        (status = 403, description = "origin not allowed for this app", body = Object),
        (status = 404, description = "unknown app", body = Object),
        (status = 429, description = "rate limited; see Retry-After", body = Object),
    ))]
async fn boot(
    State(state): State<AppState>,
    Extension(slot): Extension<CorsSlot>,
    headers: HeaderMap,
    AppJson(req): AppJson<BootRequest>,
) -> Result<axum::response::Response> {
    let (app, verified) = gate::admit(&state, &headers, &slot, &req.app_id, &req.user).await?;
    let store = &state.store;
    store
        .upsert_user(&app.app.id, &user_update(&verified, &req.user))
        .await?;
    match (&verified.user_id, &verified.anonymous_key) {
        // The record exists now, so the visitor's attributes have a home.
        (Some(_), Some(anon)) => {
            store
                .merge_anonymous(&app.app.id, anon, &verified.key)
                .await?;
        }
        // A merged anonymous id that boots alone again is a new visitor.
        (None, Some(anon)) if store.alias(&app.app.id, anon).await?.is_some() => {
            store.drop_alias(&app.app.id, anon).await?;
        }
        _ => {}
    }
    let mut user_state = store.user_state(&app.app.id, &verified.key).await?;
    // As the SDK keeps it: the event names the live messages count, and the
    // most recent others up to the limit.
    user_state.bound_events(|name| app.live.iter().any(|m| m.counts_event(name)));
    // In the browser's clock, which its rules compare with.
    let clock_skew = beckon_core::time::clock_skew(req.sent_at, crate::store::now_ms() as f64);
    user_state.shift(-clock_skew);
    let session = crate::session::issue(&app.app, &verified.key, state.config.session_ttl)?;
    let answer = BootAnswer {
        v: PROTOCOL_VERSION,
        user_key: verified.key,
        state: user_state,
        messages: &app.live_json,
        settings: &app.app.settings.attention,
        session,
        messenger: app.app.settings.messenger.config(),
        clock_skew,
    };
    Ok(axum::response::IntoResponse::into_response(AppJson(answer)))
}
