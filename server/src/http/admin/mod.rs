//! `/admin/v1/…`: the authoring and analytics API, behind the admin key.

mod analytics;
mod apps;
mod articles;
mod inbox;
mod messages;
mod preview;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use utoipa_axum::router::OpenApiRouter;

use crate::auth;
use crate::error::{AppError, Result};
use crate::store::AppRecord;
use crate::AppState;

/// Routes of the admin API.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(apps::router())
        .merge(messages::router())
        .merge(articles::router())
        .merge(analytics::router())
        .merge(preview::router())
        .merge(inbox::router())
}

/// Proof that the request carried the admin key; handlers take it as an
/// argument, so one that forgets cannot compile into an open endpoint.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        auth::require_admin(&state.config.admin_key, &parts.headers)?;
        Ok(Admin)
    }
}

/// The app, read fresh from the database (authoring must not act on a
/// cached copy), or 404.
async fn app_or_404(state: &AppState, app_id: &str) -> Result<AppRecord> {
    state
        .store
        .load_app(app_id)
        .await?
        .ok_or_else(|| AppError::not_found("app", app_id))
}

/// Ids authors choose: 1–128 letters, digits, `-`, `_` or `.`, so they are
/// safe in URLs, logs and CSS-free DOM ids alike.
fn check_id(field: &str, id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(AppError::field(
            field,
            "1 to 128 letters, digits, '-', '_' or '.'",
        ))
    }
}

/// An id made from a name (`"Welcome tour"` → `welcome-tour`) with a random
/// tail, for authors who do not pick one.
fn id_from(name: &str) -> String {
    let mut slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    slug = slug
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    slug.truncate(60);
    let tail = crate::seed::random_secret();
    if slug.is_empty() {
        tail[..12].to_ascii_lowercase()
    } else {
        format!("{slug}-{}", tail[..6].to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_names_are_valid_ids() {
        let id = id_from("Welcome, tour!");
        assert!(id.starts_with("welcome-tour-"), "{id}");
        assert!(check_id("id", &id).is_ok());
        assert!(check_id("id", &id_from("   ")).is_ok());
        assert!(check_id("id", "a b").is_err());
    }
}
