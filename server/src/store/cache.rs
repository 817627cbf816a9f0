//! The per-app data every boot needs — the app and its live messages,
//! already serialised — kept in memory for a few seconds.
//!
//! A boot is the hottest call, and its app part is the same for every user
//! of the app, so it is read from the database at most once per
//! [`TTL`] and per process. Writes in this process drop the entry at once;
//! other processes on the same Postgres see a change within the TTL.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use beckon_core::protocol::Message;
use serde_json::value::RawValue;

use super::{AppRecord, Store};
use crate::error::Result;

/// How long an entry is trusted.
pub const TTL: Duration = Duration::from_secs(2);

/// Entries beyond this many are dropped wholesale, so a flood of made-up
/// app ids cannot grow the map without bound.
const MAX_ENTRIES: usize = 10_000;

/// An app with what boots send of it.
#[derive(Debug)]
pub struct CachedApp {
    /// The app.
    pub app: AppRecord,
    /// Its live messages, highest priority first.
    pub live: Vec<Message>,
    /// The same, as the JSON array a boot answers with.
    pub live_json: Box<RawValue>,
}

/// When it was loaded, and the app (`None`: no such app).
type Entry = (Instant, Option<Arc<CachedApp>>);

#[derive(Default)]
pub(super) struct AppCache {
    entries: RwLock<HashMap<String, Entry>>,
}

impl AppCache {
    fn get(&self, app_id: &str) -> Option<Option<Arc<CachedApp>>> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        let (at, entry) = entries.get(app_id)?;
        (at.elapsed() < TTL).then(|| entry.clone())
    }

    fn put(&self, app_id: &str, entry: Option<Arc<CachedApp>>) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(app_id.to_owned(), (Instant::now(), entry));
    }

    pub(super) fn invalidate(&self, app_id: &str) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        entries.remove(app_id);
    }
}

impl Store {
    /// The app and its live messages, from memory when fresh; `None` for an
    /// app that does not exist (remembered too, for the same time).
    pub async fn cached_app(&self, app_id: &str) -> Result<Option<Arc<CachedApp>>> {
        if let Some(hit) = self.inner.cache.get(app_id) {
            return Ok(hit);
        }
        let entry = match self.load_app(app_id).await? {
            Some(app) => {
                let live = self.live_messages(app_id).await?;
                let live_json = serde_json::value::to_raw_value(&live)?;
                Some(Arc::new(CachedApp {
                    app,
                    live,
                    live_json,
                }))
            }
            None => None,
        };
        self.inner.cache.put(app_id, entry.clone());
        Ok(entry)
    }
}
