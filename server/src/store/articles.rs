//! The knowledge base: articles (Markdown) filed in collections. One
//! article record is what a message's "learn more", the help view and the
//! bot all point at, by id.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use utoipa::ToSchema;

use super::{now_ms, Store};
use crate::error::Result;

/// A collection of articles, in the order the help view lists them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Collection {
    /// Stable id.
    pub id: String,
    /// Heading.
    pub name: String,
    /// One line under the heading.
    pub description: String,
    /// Sort key, ascending.
    pub position: i64,
}

/// What an author sends for a collection.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionInput {
    /// Stable id; made up from the name when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// Heading.
    pub name: String,
    /// One line under the heading.
    #[serde(default)]
    pub description: String,
    /// Sort key.
    #[serde(default)]
    pub position: i64,
}

/// A knowledge-base article.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Article {
    /// Stable id, referenced by messages and the bot.
    pub id: String,
    /// Collection it is filed under.
    pub collection_id: Option<String>,
    /// Heading.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Last saved (ms since epoch).
    pub updated_at: i64,
}

/// What an author sends for an article.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// Stable id; made up from the title when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// Collection to file it under (must exist).
    #[serde(default)]
    pub collection_id: Option<String>,
    /// Heading.
    pub title: String,
    /// Markdown body.
    pub body: String,
}

fn article_from_row(r: &AnyRow) -> Result<Article> {
    Ok(Article {
        id: r.try_get("id")?,
        collection_id: r.try_get("collection_id")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Creates or replaces a collection.
    pub async fn put_collection(&self, app_id: &str, c: &Collection) -> Result<()> {
        sqlx::query(
            "INSERT INTO collections (app_id, id, name, description, position, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (app_id, id) DO UPDATE SET name = excluded.name,
                description = excluded.description, position = excluded.position,
                updated_at = excluded.updated_at",
        )
        .bind(app_id)
        .bind(&c.id)
        .bind(&c.name)
        .bind(&c.description)
        .bind(c.position)
        .bind(now_ms())
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// The app's collections in display order.
    pub async fn collections(&self, app_id: &str) -> Result<Vec<Collection>> {
        let rows = sqlx::query(
            "SELECT id, name, description, position FROM collections WHERE app_id = $1
             ORDER BY position, name",
        )
        .bind(app_id)
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Collection {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    description: r.try_get("description")?,
                    position: r.try_get("position")?,
                })
            })
            .collect()
    }

    /// Whether the collection exists.
    pub async fn collection_exists(&self, app_id: &str, id: &str) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 FROM collections WHERE app_id = $1 AND id = $2")
                .bind(app_id)
                .bind(id)
                .fetch_optional(self.read())
                .await?
                .is_some(),
        )
    }

    /// Creates or replaces an article.
    pub async fn put_article(&self, app_id: &str, a: &Article) -> Result<()> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO articles (app_id, id, collection_id, title, body, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (app_id, id) DO UPDATE SET collection_id = excluded.collection_id,
                title = excluded.title, body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(app_id)
        .bind(&a.id)
        .bind(&a.collection_id)
        .bind(&a.title)
        .bind(&a.body)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// One article.
    pub async fn article(&self, app_id: &str, id: &str) -> Result<Option<Article>> {
        let row = sqlx::query(
            "SELECT id, collection_id, title, body, updated_at FROM articles WHERE app_id = $1 AND id = $2",
        )
        .bind(app_id)
        .bind(id)
        .fetch_optional(self.read())
        .await?;
        row.as_ref().map(article_from_row).transpose()
    }

    /// The app's articles, optionally of one collection, by title.
    pub async fn articles(&self, app_id: &str, collection: Option<&str>) -> Result<Vec<Article>> {
        let rows = sqlx::query(
            "SELECT id, collection_id, title, body, updated_at FROM articles
             WHERE app_id = $1 AND ($2 IS NULL OR collection_id = $2) ORDER BY title",
        )
        .bind(app_id)
        .bind(collection)
        .fetch_all(self.read())
        .await?;
        rows.iter().map(article_from_row).collect()
    }

    /// Deletes an article; false if there was none. Messages that point at
    /// it are found by the caller first (a message must never point at
    /// nothing).
    pub async fn delete_article(&self, app_id: &str, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM articles WHERE app_id = $1 AND id = $2")
            .bind(app_id)
            .bind(id)
            .execute(self.write())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
