//! Apps: the tenant of everything else, with the settings that decide who
//! may talk to it (identity verification, anonymous access, origins, rates).

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use utoipa::ToSchema;

use super::{now_ms, Store};
use crate::error::Result;

/// An app as the server knows it.
#[derive(Debug, Clone)]
pub struct AppRecord {
    /// Public id, sent by the SDK.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Secret for identity verification; never sent to a browser.
    pub secret: String,
    /// Who may talk to it and how fast.
    pub settings: AppSettings,
}

/// Per-app settings, kept as one JSON column so a new setting needs no
/// migration. Every field has a default, so `{}` is a valid app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppSettings {
    /// Identified users must prove who they are (`user_hash` or `user_jwt`);
    /// without a valid proof a boot or event batch is refused with 401.
    #[serde(default)]
    pub require_identity: bool,
    /// Whether anonymous visitors may boot and send events at all.
    #[serde(default = "yes")]
    pub allow_anonymous: bool,
    /// Origins (`https://app.example.com`) whose pages may call the API
    /// from a browser; `*` allows any. The server's own origin always may.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Request rates this app and each of its users may reach.
    #[serde(default)]
    pub rate_limits: RateLimits,
    /// The attention budget core's orchestration applies to every user
    /// (messages per session and day, minimum gap, quiet hours after an
    /// unhappy conversation, app-wide control group); sent with every boot.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attention: beckon_core::orchestration::Settings,
    /// The messenger: its words, the bot's confidence threshold, and when
    /// an unread agent reply goes out by email.
    #[serde(default)]
    pub messenger: MessengerSettings,
}

/// How an app's messenger presents itself and behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MessengerSettings {
    /// The team's name in the messenger's header and in emails.
    pub team_name: String,
    /// The home view's greeting.
    pub greeting: String,
    /// The bot's name on its answers.
    pub bot_name: String,
    /// How soon a person usually answers, in words ("in a few minutes").
    pub expected_reply: String,
    /// The bot answers only when its confidence (0–1, see `crate::bot`)
    /// reaches this; below it the conversation goes to a person.
    pub bot_threshold: f64,
    /// An agent reply the user has not seen after this many seconds is
    /// sent by email (when the user left an address); `None`: the server's
    /// default (`BECKON_EMAIL_DELAY_SECS`, else 5 minutes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_after_seconds: Option<f64>,
}

impl Default for MessengerSettings {
    fn default() -> Self {
        Self {
            team_name: "The team".to_owned(),
            greeting: "Hi there! Ask us anything, or search the help articles.".to_owned(),
            bot_name: "Beckon Bot".to_owned(),
            expected_reply: "in a few minutes".to_owned(),
            bot_threshold: crate::bot::DEFAULT_THRESHOLD,
            email_after_seconds: None,
        }
    }
}

impl MessengerSettings {
    /// The part the SDK's messenger shows, sent with every boot.
    pub fn config(&self) -> beckon_core::conversation::MessengerConfig {
        beckon_core::conversation::MessengerConfig {
            team_name: self.team_name.clone(),
            greeting: self.greeting.clone(),
            bot_name: self.bot_name.clone(),
            expected_reply: self.expected_reply.clone(),
        }
    }
}

/// Token-bucket rates: a steady rate per second and a burst on top.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    /// Requests per second for the whole app (boot and events together).
    #[serde(default = "default_app_rate")]
    pub app_per_second: f64,
    /// Requests per second for one user of the app.
    #[serde(default = "default_user_rate")]
    pub user_per_second: f64,
    /// How many requests above the rate may arrive at once.
    #[serde(default = "default_burst")]
    pub burst: f64,
}

fn yes() -> bool {
    true
}
fn default_app_rate() -> f64 {
    2000.0
}
fn default_user_rate() -> f64 {
    5.0
}
fn default_burst() -> f64 {
    20.0
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            app_per_second: default_app_rate(),
            user_per_second: default_user_rate(),
            burst: default_burst(),
        }
    }
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            require_identity: false,
            allow_anonymous: true,
            allowed_origins: Vec::new(),
            rate_limits: RateLimits::default(),
            attention: beckon_core::orchestration::Settings::default(),
            messenger: MessengerSettings::default(),
        }
    }
}

fn app_from_row(r: &AnyRow) -> Result<AppRecord> {
    let settings: String = r.try_get("settings")?;
    Ok(AppRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        secret: r.try_get("secret")?,
        settings: serde_json::from_str(&settings)?,
    })
}

impl Store {
    /// The app with this public id, if any, read from the database (the
    /// request path uses [`Store::cached_app`]).
    pub async fn load_app(&self, app_id: &str) -> Result<Option<AppRecord>> {
        let row = sqlx::query("SELECT id, name, secret, settings FROM apps WHERE id = $1")
            .bind(app_id)
            .fetch_optional(self.read())
            .await?;
        row.as_ref().map(app_from_row).transpose()
    }

    /// Every app, by id.
    pub async fn apps(&self) -> Result<Vec<AppRecord>> {
        let rows = sqlx::query("SELECT id, name, secret, settings FROM apps ORDER BY id")
            .fetch_all(self.read())
            .await?;
        rows.iter().map(app_from_row).collect()
    }

    /// Creates an app; false if the id is taken.
    pub async fn insert_app(&self, app: &AppRecord) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO apps (id, name, secret, settings, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&app.id)
        .bind(&app.name)
        .bind(&app.secret)
        .bind(serde_json::to_string(&app.settings)?)
        .bind(now_ms())
        .execute(self.write())
        .await?;
        self.inner.cache.invalidate(&app.id);
        Ok(done.rows_affected() == 1)
    }

    /// Replaces an app's name, secret and settings.
    pub async fn update_app(&self, app: &AppRecord) -> Result<()> {
        sqlx::query("UPDATE apps SET name = $2, secret = $3, settings = $4 WHERE id = $1")
            .bind(&app.id)
            .bind(&app.name)
            .bind(&app.secret)
            .bind(serde_json::to_string(&app.settings)?)
            .execute(self.write())
            .await?;
        self.inner.cache.invalidate(&app.id);
        Ok(())
    }

    /// Whether no app exists yet (a fresh database, to be seeded).
    pub async fn is_empty(&self) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM apps")
            .fetch_one(self.read())
            .await?;
        Ok(row.try_get::<i64, _>("n")? == 0)
    }
}
