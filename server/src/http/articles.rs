//! `GET /v1/apps/{app_id}/articles…`: the knowledge base as the SDK reads it
//! (a message's "learn more", the help view). Public like the rest of `/v1`:
//! articles are help content, so only the app's origin and rate limits
//! apply, no user.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Extension;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cors::{self, CorsSlot};
use super::gate;
use super::AppJson;
use crate::error::{AppError, Result};
use crate::store::{Article, Collection};
use crate::AppState;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(help_center))
        .routes(routes!(read_article))
}

/// A search of the help center.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HelpQuery {
    /// Words that must all appear in the title or body (case-insensitive).
    pub q: Option<String>,
}

/// An article in a list: no body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    /// Id, for `…/articles/{article_id}`.
    pub id: String,
    /// Collection.
    pub collection_id: Option<String>,
    /// Heading.
    pub title: String,
}

/// The help center: collections and the articles that match.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpCenter {
    /// Collections in display order.
    pub collections: Vec<Collection>,
    /// Matching articles, by title.
    pub articles: Vec<ArticleSummary>,
}

async fn admit_app(
    state: &AppState,
    headers: &HeaderMap,
    slot: &CorsSlot,
    app_id: &str,
) -> Result<()> {
    let app = gate::known_app(state, app_id).await?;
    cors::admit(&app.app.settings, headers, slot)?;
    gate::limit_app(state, &app.app)
}

/// Collections and articles, optionally searched.
#[utoipa::path(get, path = "/v1/apps/{app_id}/articles", tag = "sdk",
    params(("app_id" = String, Path), HelpQuery),
    responses((status = 200, body = HelpCenter), (status = 404, body = Object)))]
async fn help_center(
    State(state): State<AppState>,
    Extension(slot): Extension<CorsSlot>,
    headers: HeaderMap,
    Path(app_id): Path<String>,
    Query(query): Query<HelpQuery>,
) -> Result<AppJson<HelpCenter>> {
    admit_app(&state, &headers, &slot, &app_id).await?;
    let words: Vec<String> = query
        .q
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let articles = state
        .store
        .articles(&app_id, None)
        .await?
        .into_iter()
        .filter(|a: &Article| {
            let text = format!("{} {}", a.title, a.body).to_lowercase();
            words.iter().all(|w| text.contains(w))
        })
        .map(|a| ArticleSummary {
            id: a.id,
            collection_id: a.collection_id,
            title: a.title,
        })
        .collect();
    Ok(AppJson(HelpCenter {
        collections: state.store.collections(&app_id).await?,
        articles,
    }))
}

/// One article, its body in Markdown.
#[utoipa::path(get, path = "/v1/apps/{app_id}/articles/{article_id}", tag = "sdk",
    params(("app_id" = String, Path), ("article_id" = String, Path)),
    responses((status = 200, body = Article), (status = 404, body = Object)))]
async fn read_article(
    State(state): State<AppState>,
    Extension(slot): Extension<CorsSlot>,
    headers: HeaderMap,
    Path((app_id, article_id)): Path<(String, String)>,
) -> Result<AppJson<Article>> {
    admit_app(&state, &headers, &slot, &app_id).await?;
    state
        .store
        .article(&app_id, &article_id)
        .await?
        .map(AppJson)
        .ok_or_else(|| AppError::not_found("article", &article_id))
}
