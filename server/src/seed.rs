//! The demo app a fresh database starts with, so `npm run demo` has
//! something to show. Its content is `server/seed/demo.json`, parsed with
//! the same protocol types the API uses, so a bad seed fails the tests.

use beckon_core::protocol::Message;
use rand::distr::{Alphanumeric, SampleString};
use serde::Deserialize;

use crate::error::Result;
use crate::store::{AppRecord, Article, MessageStatus, Store};

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
    store
        .insert_app(AppRecord {
            id: seed.app.id.clone(),
            name: seed.app.name,
            secret: random_secret(),
        })
        .await?;
    for message in &seed.messages {
        store
            .put_message(&seed.app.id, message, MessageStatus::Live)
            .await?;
    }
    for a in seed.articles {
        store
            .put_article(
                &seed.app.id,
                Article {
                    id: a.id,
                    collection: a.collection,
                    title: a.title,
                    body: a.body,
                },
            )
            .await?;
    }
    Ok(true)
}
