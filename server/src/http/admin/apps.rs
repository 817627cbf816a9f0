//! Apps: create, read, change settings, rotate the secret.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{app_or_404, check_id, id_from, Admin};
use crate::error::{AppError, Result};
use crate::http::{AppJson, AuthorJson};
use crate::seed::random_secret;
use crate::store::{AppRecord, AppSettings};
use crate::AppState;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_apps, create_app))
        .routes(routes!(get_app, update_app))
        .routes(routes!(rotate_secret))
}

/// An app as the admin API shows it, secret included: the admin is who
/// hands it to the app's backend.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppView {
    /// Public id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Identity-verification secret.
    pub secret: String,
    /// Settings.
    pub settings: AppSettings,
    /// The bearer token of this app's inbound-email webhook
    /// (`POST /v1/email/inbound?app_id=…`); derived from the secret, so it
    /// changes when the secret is rotated.
    pub email_webhook_secret: String,
}

impl From<AppRecord> for AppView {
    fn from(a: AppRecord) -> Self {
        Self {
            email_webhook_secret: crate::mail::webhook_secret(&a),
            id: a.id,
            name: a.name,
            secret: a.secret,
            settings: a.settings,
        }
    }
}

/// A new app.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApp {
    /// Public id; made up from the name when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// Display name.
    pub name: String,
    /// Settings; defaults when absent.
    #[serde(default)]
    pub settings: Option<AppSettings>,
}

/// A change to an app; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppPatch {
    /// New display name.
    #[serde(default)]
    pub name: Option<String>,
    /// New settings (replaced as a whole).
    #[serde(default)]
    pub settings: Option<AppSettings>,
}

fn check_settings(s: &AppSettings) -> Result<()> {
    let r = s.rate_limits;
    for (field, v) in [
        ("settings.rate_limits.app_per_second", r.app_per_second),
        ("settings.rate_limits.user_per_second", r.user_per_second),
        ("settings.rate_limits.burst", r.burst),
    ] {
        if !v.is_finite() || v < 0.0 {
            return Err(AppError::field(field, "a number ≥ 0 (0: no limit)"));
        }
    }
    let m = &s.messenger;
    if !(0.0..=1.0).contains(&m.bot_threshold) {
        return Err(AppError::field(
            "settings.messenger.bot_threshold",
            "a confidence from 0 to 1",
        ));
    }
    if m.email_after_seconds
        .is_some_and(|v| !v.is_finite() || v < 0.0)
    {
        return Err(AppError::field(
            "settings.messenger.email_after_seconds",
            "a number of seconds ≥ 0",
        ));
    }
    for (field, text) in [
        ("settings.messenger.team_name", &m.team_name),
        ("settings.messenger.bot_name", &m.bot_name),
    ] {
        if text.trim().is_empty() || text.chars().count() > 100 {
            return Err(AppError::field(field, "1 to 100 characters"));
        }
    }
    for (i, o) in s.allowed_origins.iter().enumerate() {
        let ok = o == "*" || o.starts_with("http://") || o.starts_with("https://");
        if !ok {
            return Err(AppError::field(
                format!("settings.allowed_origins[{i}]"),
                "an origin like https://app.example.com, or *",
            ));
        }
    }
    Ok(())
}

/// Every app.
#[utoipa::path(get, path = "/admin/v1/apps", tag = "admin",
    responses((status = 200, body = Vec<AppView>)), security(("admin" = [])))]
async fn list_apps(_: Admin, State(state): State<AppState>) -> Result<AppJson<Vec<AppView>>> {
    let apps = state.store.apps().await?;
    Ok(AppJson(apps.into_iter().map(AppView::from).collect()))
}

/// Creates an app with a new secret.
#[utoipa::path(post, path = "/admin/v1/apps", tag = "admin", request_body = NewApp,
    responses((status = 201, body = AppView), (status = 409, description = "id taken", body = Object),
        (status = 422, description = "a field is wrong; `field` names it", body = Object)),
    security(("admin" = [])))]
async fn create_app(
    _: Admin,
    State(state): State<AppState>,
    AuthorJson(new): AuthorJson<NewApp>,
) -> Result<(StatusCode, AppJson<AppView>)> {
    if new.name.trim().is_empty() {
        return Err(AppError::field("name", "must not be empty"));
    }
    let id = new.id.unwrap_or_else(|| id_from(&new.name));
    check_id("id", &id)?;
    let settings = new.settings.unwrap_or_default();
    check_settings(&settings)?;
    let app = AppRecord {
        id,
        name: new.name,
        secret: random_secret(),
        settings,
    };
    if !state.store.insert_app(&app).await? {
        return Err(AppError::bad(
            StatusCode::CONFLICT,
            "conflict",
            format!("an app with id {:?} exists", app.id),
        ));
    }
    tracing::info!(app = %app.id, "app created");
    Ok((StatusCode::CREATED, AppJson(app.into())))
}

/// One app.
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}", tag = "admin",
    params(("app_id" = String, Path)), responses((status = 200, body = AppView), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn get_app(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
) -> Result<AppJson<AppView>> {
    Ok(AppJson(app_or_404(&state, &app_id).await?.into()))
}

/// Changes an app's name or settings.
#[utoipa::path(patch, path = "/admin/v1/apps/{app_id}", tag = "admin",
    params(("app_id" = String, Path)), request_body = AppPatch,
    responses((status = 200, body = AppView), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn update_app(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    AuthorJson(patch): AuthorJson<AppPatch>,
) -> Result<AppJson<AppView>> {
    let mut app = app_or_404(&state, &app_id).await?;
    if let Some(name) = patch.name {
        if name.trim().is_empty() {
            return Err(AppError::field("name", "must not be empty"));
        }
        app.name = name;
    }
    if let Some(settings) = patch.settings {
        check_settings(&settings)?;
        app.settings = settings;
    }
    state.store.update_app(&app).await?;
    Ok(AppJson(app.into()))
}

/// Replaces the app's secret; every `user_hash` and `user_jwt` made with
/// the old one stops working at once.
#[utoipa::path(post, path = "/admin/v1/apps/{app_id}/secret", tag = "admin",
    params(("app_id" = String, Path)), responses((status = 200, body = AppView), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn rotate_secret(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
) -> Result<AppJson<AppView>> {
    let mut app = app_or_404(&state, &app_id).await?;
    app.secret = random_secret();
    state.store.update_app(&app).await?;
    tracing::warn!(app = %app.id, "app secret rotated; older identity proofs no longer verify");
    Ok(AppJson(app.into()))
}
