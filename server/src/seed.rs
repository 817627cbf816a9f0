//! The demo app a fresh database starts with, so `npm run demo` has
//! something to show. Its content is `server/seed/demo.json`, parsed with
//! the same protocol types the API uses, so a bad seed fails the tests.

use beckon_core::protocol::Message;
use rand::distr::{Alphanumeric, SampleString};
use serde::Deserialize;

use crate::error::Result;
use crate::store::{AppRecord, AppSettings, Article, Collection, MessageStatus, Store};

/// The demo content, compiled into the binary.
pub const DEMO_SEED: &str = include_str!("../seed/demo.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    app: SeedApp,
    messages: Vec<Message>,
    articles: Vec<SeedArticle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedApp {
    id: String,
    name: String,
    /// The demo shows every surface in one visit, so it may raise the
    /// attention budget above the default.
    #[serde(default)]
    settings: AppSettings,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedArticle {
    id: String,
    collection: Option<String>,
    title: String,
    body: String,
}

/// A random secret of 32 letters and digits.
pub fn random_secret() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 32)
}

/// Seeds the demo app when the database has no app yet; returns whether it did.
pub async fn seed_if_empty(store: &Store) -> Result<bool> {
    if !store.is_empty().await? {
        return Ok(false);
    }
    let seed: Seed = serde_json::from_str(DEMO_SEED)?;
    let app = AppRecord {
        id: seed.app.id.clone(),
        name: seed.app.name,
        secret: random_secret(),
        settings: seed.app.settings,
    };
    if !store.insert_app(&app).await? {
        // Another server process on the same database seeded it first.
        return Ok(false);
    }
    let mut collections = Vec::new();
    for a in &seed.articles {
        let collection_id = a.collection.as_deref().map(slug);
        if let (Some(id), Some(name)) = (&collection_id, &a.collection) {
            if !collections.contains(id) {
                collections.push(id.clone());
                let position = i64::try_from(collections.len()).unwrap_or(0);
                store
                    .put_collection(
                        &app.id,
                        &Collection {
                            id: id.clone(),
                            name: name.clone(),
                            description: String::new(),
                            position,
                        },
                    )
                    .await?;
            }
        }
        store
            .put_article(
                &app.id,
                &Article {
                    id: a.id.clone(),
                    collection_id,
                    title: a.title.clone(),
                    body: a.body.clone(),
                    updated_at: 0,
                },
            )
            .await?;
    }
    for message in &seed.messages {
        store
            .create_message(&app.id, message, None, MessageStatus::Live)
            .await?;
    }
    Ok(true)
}

/// `"Getting started"` → `getting-started`.
fn slug(name: &str) -> String {
    name.trim().to_lowercase().replace(' ', "-")
}
