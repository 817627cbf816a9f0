//! Articles (Markdown) and the collections they are filed in.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use beckon_core::protocol::ActionTarget;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{app_or_404, check_id, id_from, Admin};
use crate::error::{AppError, Result};
use crate::http::{AppJson, AuthorJson};
use crate::store::{Article, ArticleInput, Collection, CollectionInput};
use crate::AppState;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_collections, create_collection))
        .routes(routes!(list_articles, create_article))
        .routes(routes!(get_article, put_article, delete_article))
}

/// Longest article body.
const MAX_BODY: usize = 200_000;

/// The app's collections in display order.
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/collections", tag = "admin",
    params(("app_id" = String, Path)), responses((status = 200, body = Vec<Collection>)),
    security(("admin" = [])))]
async fn list_collections(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
) -> Result<AppJson<Vec<Collection>>> {
    app_or_404(&state, &app_id).await?;
    Ok(AppJson(state.store.collections(&app_id).await?))
}

/// Creates or replaces a collection.
#[utoipa::path(post, path = "/admin/v1/apps/{app_id}/collections", tag = "admin",
    params(("app_id" = String, Path)), request_body = CollectionInput,
    responses((status = 200, body = Collection), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn create_collection(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    AuthorJson(input): AuthorJson<CollectionInput>,
) -> Result<AppJson<Collection>> {
    app_or_404(&state, &app_id).await?;
    if input.name.trim().is_empty() {
        return Err(AppError::field("name", "must not be empty"));
    }
    let id = input.id.unwrap_or_else(|| id_from(&input.name));
    check_id("id", &id)?;
    let collection = Collection {
        id,
        name: input.name,
        description: input.description,
        position: input.position,
    };
    state.store.put_collection(&app_id, &collection).await?;
    Ok(AppJson(collection))
}

/// Filter of the article list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ArticleFilter {
    /// Only articles of this collection.
    pub collection: Option<String>,
}

/// The app's articles by title.
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/articles", tag = "admin",
    params(("app_id" = String, Path), ArticleFilter), responses((status = 200, body = Vec<Article>)),
    security(("admin" = [])))]
async fn list_articles(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Query(filter): Query<ArticleFilter>,
) -> Result<AppJson<Vec<Article>>> {
    app_or_404(&state, &app_id).await?;
    Ok(AppJson(
        state
            .store
            .articles(&app_id, filter.collection.as_deref())
            .await?,
    ))
}

async fn save(state: &AppState, app_id: &str, id: String, input: ArticleInput) -> Result<Article> {
    app_or_404(state, app_id).await?;
    check_id("id", &id)?;
    if input.title.trim().is_empty() {
        return Err(AppError::field("title", "must not be empty"));
    }
    if input.body.len() > MAX_BODY {
        return Err(AppError::field("body", format!("at most {MAX_BODY} bytes")));
    }
    if let Some(c) = &input.collection_id {
        if !state.store.collection_exists(app_id, c).await? {
            return Err(AppError::field(
                "collection_id",
                format!("no collection {c:?} in this app"),
            ));
        }
    }
    let article = Article {
        id,
        collection_id: input.collection_id,
        title: input.title,
        body: input.body,
        updated_at: crate::store::now_ms(),
    };
    state.store.put_article(app_id, &article).await?;
    Ok(article)
}

/// Creates an article.
#[utoipa::path(post, path = "/admin/v1/apps/{app_id}/articles", tag = "admin",
    params(("app_id" = String, Path)), request_body = ArticleInput,
    responses((status = 201, body = Article), (status = 409, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn create_article(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    AuthorJson(input): AuthorJson<ArticleInput>,
) -> Result<(StatusCode, AppJson<Article>)> {
    let id = input.id.clone().unwrap_or_else(|| id_from(&input.title));
    if state.store.article(&app_id, &id).await?.is_some() {
        return Err(AppError::bad(
            StatusCode::CONFLICT,
            "conflict",
            format!("an article with id {id:?} exists; PUT to change it"),
        ));
    }
    Ok((
        StatusCode::CREATED,
        AppJson(save(&state, &app_id, id, input).await?),
    ))
}

/// One article.
#[utoipa::path(get, path = "/admin/v1/apps/{app_id}/articles/{article_id}", tag = "admin",
    params(("app_id" = String, Path), ("article_id" = String, Path)),
    responses((status = 200, body = Article), (status = 404, body = Object)),
    security(("admin" = [])))]
async fn get_article(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, article_id)): Path<(String, String)>,
) -> Result<AppJson<Article>> {
    state
        .store
        .article(&app_id, &article_id)
        .await?
        .map(AppJson)
        .ok_or_else(|| AppError::not_found("article", &article_id))
}

/// Creates or replaces an article under this id.
#[utoipa::path(put, path = "/admin/v1/apps/{app_id}/articles/{article_id}", tag = "admin",
    params(("app_id" = String, Path), ("article_id" = String, Path)), request_body = ArticleInput,
    responses((status = 200, body = Article), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn put_article(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, article_id)): Path<(String, String)>,
    AuthorJson(input): AuthorJson<ArticleInput>,
) -> Result<AppJson<Article>> {
    if input.id.as_ref().is_some_and(|id| *id != article_id) {
        return Err(AppError::field("id", "differs from the id in the path"));
    }
    Ok(AppJson(save(&state, &app_id, article_id, input).await?))
}

/// Deletes an article no message points at.
#[utoipa::path(delete, path = "/admin/v1/apps/{app_id}/articles/{article_id}", tag = "admin",
    params(("app_id" = String, Path), ("article_id" = String, Path)),
    responses((status = 204), (status = 404, body = Object),
        (status = 409, description = "a message still links to it", body = Object)),
    security(("admin" = [])))]
async fn delete_article(
    _: Admin,
    State(state): State<AppState>,
    Path((app_id, article_id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let users = state.store.messages(&app_id, None).await?;
    let linked = users.iter().find(|m| {
        m.message.content.action.as_ref().is_some_and(
            |a| matches!(&a.target, ActionTarget::Article { article_id: id } if *id == article_id),
        )
    });
    if let Some(m) = linked {
        return Err(AppError::bad(
            StatusCode::CONFLICT,
            "in_use",
            format!("message {:?} links to this article", m.message.id),
        ));
    }
    if state.store.delete_article(&app_id, &article_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found("article", &article_id))
    }
}
