//! User and company records, the merge of an anonymous visitor into the
//! user they identify as, and the state derived from a user's events.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use beckon_core::protocol::{event_names, Event};
use beckon_core::state::UserState;
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use utoipa::ToSchema;

use super::{now_ms, Dialect, Store};
use crate::error::Result;

/// Tables whose rows belong to one user (`app_id`, `user_key`); a merge
/// moves them all, so a visitor's conversations (and the feed of their
/// stream) follow them when they identify.
const USER_OWNED_TABLES: &[&str] = &["events", "conversations", "conversation_feed"];

/// A boot refreshes `last_seen` at most this often (ms) when nothing else
/// changed, so repeated boots of one user are reads only.
const LAST_SEEN_GRANULARITY_MS: i64 = 60_000;

/// How many of a user's most recent app events (not message events) feed
/// their state; the state keeps a short history per event name anyway.
const APP_EVENTS_IN_STATE: i64 = 1000;

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UserRecord {
    /// The storage key: the app's user id, or `anon:` + the anonymous id.
    pub user_key: String,
    /// The app's id for the user, when identified.
    pub user_id: Option<String>,
    /// Email, when known.
    pub email: Option<String>,
    /// Attributes, merged key by key over every boot.
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
    /// The user's company, when known.
    pub company_id: Option<String>,
    /// First boot (ms since epoch).
    pub first_seen: i64,
    /// Latest boot, to the minute.
    pub last_seen: i64,
    /// When the user last had an unhappy conversation (ms), which keeps
    /// proactive messages away for a while.
    pub unhappy_at: Option<f64>,
}

/// A company as stored; users point at it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CompanyRecord {
    /// The app's id for the company.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Attributes, merged key by key.
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
}

/// What a boot says about a user, already split into user and company.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    /// Storage key.
    pub key: String,
    /// The app's user id, when identified.
    pub user_id: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// User attributes (without `company`).
    pub attributes: Map<String, Value>,
    /// The company from `attributes.company`, when it has an `id`.
    pub company: Option<CompanyRecord>,
}

/// Boots this process stored lately, by a fingerprint of what they said.
/// A boot that says the same again within [`LAST_SEEN_GRANULARITY_MS`]
/// needs no database work at all for the user record, which takes one of
/// the two queries off the hottest call.
#[derive(Default)]
pub(super) struct RecentBoots {
    seen: Mutex<HashMap<u64, i64>>,
}

/// Fingerprints beyond this many are dropped wholesale.
const MAX_RECENT_BOOTS: usize = 200_000;

impl RecentBoots {
    fn fingerprint(app_id: &str, update: &UserUpdate) -> u64 {
        // SipHash with fixed keys: the same fingerprint for the same boot.
        let mut h = std::hash::DefaultHasher::new();
        (app_id, &update.key, &update.user_id, &update.email).hash(&mut h);
        serde_json::to_string(&update.attributes)
            .unwrap_or_default()
            .hash(&mut h);
        update
            .company
            .as_ref()
            .map(|c| {
                (
                    &c.id,
                    &c.name,
                    serde_json::to_string(&c.attributes).unwrap_or_default(),
                )
            })
            .hash(&mut h);
        h.finish()
    }

    fn fresh(&self, fingerprint: u64, now: i64) -> bool {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.get(&fingerprint)
            .is_some_and(|t| now - t < LAST_SEEN_GRANULARITY_MS)
    }

    fn record(&self, fingerprint: u64, now: i64) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_RECENT_BOOTS {
            seen.clear();
        }
        seen.insert(fingerprint, now);
    }
}

fn user_from_row(r: &AnyRow) -> Result<UserRecord> {
    let attributes: String = r.try_get("attributes")?;
    Ok(UserRecord {
        user_key: r.try_get("user_key")?,
        user_id: r.try_get("user_id")?,
        email: r.try_get("email")?,
        attributes: serde_json::from_str(&attributes)?,
        company_id: r.try_get("company_id")?,
        first_seen: r.try_get("first_seen")?,
        last_seen: r.try_get("last_seen")?,
        unhappy_at: r.try_get("unhappy_at")?,
    })
}

const USER_COLUMNS: &str =
    "user_key, user_id, email, attributes, company_id, first_seen, last_seen, unhappy_at";

/// Whether storing `update` over `stored` would change nothing but a
/// `last_seen` that is still fresh. A company's own attributes are
/// refreshed with `last_seen`, at most once a minute.
fn is_noop(stored: &UserRecord, update: &UserUpdate, now: i64) -> bool {
    now - stored.last_seen < LAST_SEEN_GRANULARITY_MS
        && update
            .email
            .as_ref()
            .is_none_or(|e| stored.email.as_ref() == Some(e))
        && update
            .attributes
            .iter()
            .all(|(k, v)| stored.attributes.get(k) == Some(v))
        && update
            .company
            .as_ref()
            .is_none_or(|c| stored.company_id.as_ref() == Some(&c.id))
}

impl Store {
    pub(super) fn for_update(&self) -> &'static str {
        match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }

    /// The user with this key, if any.
    pub async fn user(&self, app_id: &str, user_key: &str) -> Result<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE app_id = $1 AND user_key = $2");
        let row = sqlx::query(&sql)
            .bind(app_id)
            .bind(user_key)
            .fetch_optional(self.read())
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// The company with this id, if any.
    pub async fn company(&self, app_id: &str, id: &str) -> Result<Option<CompanyRecord>> {
        let row =
            sqlx::query("SELECT id, name, attributes FROM companies WHERE app_id = $1 AND id = $2")
                .bind(app_id)
                .bind(id)
                .fetch_optional(self.read())
                .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let attributes: String = r.try_get("attributes")?;
                Ok(Some(CompanyRecord {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    attributes: serde_json::from_str(&attributes)?,
                }))
            }
        }
    }

    /// Creates or refreshes the user's record: attributes given at boot
    /// replace the stored ones key by key, so an app can send only what
    /// changed. A boot that changes nothing is a read only.
    pub async fn upsert_user(&self, app_id: &str, update: &UserUpdate) -> Result<()> {
        let now = now_ms();
        let fingerprint = RecentBoots::fingerprint(app_id, update);
        let recent = &self.inner.recent_boots;
        if recent.fresh(fingerprint, now) {
            return Ok(());
        }
        if let Some(stored) = self.user(app_id, &update.key).await? {
            if is_noop(&stored, update, now) {
                recent.record(fingerprint, stored.last_seen);
                return Ok(());
            }
        }
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE app_id = $1 AND user_key = $2{}",
            self.for_update()
        );
        let stored = sqlx::query(&sql)
            .bind(app_id)
            .bind(&update.key)
            .fetch_optional(&mut *tx)
            .await?;
        let mut attributes = match &stored {
            Some(row) => user_from_row(row)?.attributes,
            None => Map::new(),
        };
        attributes.extend(update.attributes.clone());
        if let Some(company) = &update.company {
            upsert_company(&mut tx, app_id, company, now, self.for_update()).await?;
        }
        sqlx::query(
            "INSERT INTO users (app_id, user_key, user_id, email, attributes, company_id, first_seen, last_seen)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
             ON CONFLICT (app_id, user_key) DO UPDATE SET
                user_id = COALESCE(excluded.user_id, users.user_id),
                email = COALESCE(excluded.email, users.email),
                company_id = COALESCE(excluded.company_id, users.company_id),
                attributes = excluded.attributes,
                last_seen = excluded.last_seen",
        )
        .bind(app_id)
        .bind(&update.key)
        .bind(&update.user_id)
        .bind(&update.email)
        .bind(serde_json::to_string(&attributes)?)
        .bind(update.company.as_ref().map(|c| c.id.clone()))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        recent.record(fingerprint, now);
        Ok(())
    }

    /// Moves an anonymous visitor's record into the identified user's:
    /// attributes (the user's win), first seen, and every row the visitor
    /// owned. Later events sent under the anonymous id follow the user
    /// until that id boots alone again. Returns whether there was anything
    /// to merge.
    pub async fn merge_anonymous(
        &self,
        app_id: &str,
        anonymous_key: &str,
        user_key: &str,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE app_id = $1 AND user_key = $2{}",
            self.for_update()
        );
        let Some(anon) = sqlx::query(&sql)
            .bind(app_id)
            .bind(anonymous_key)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(false);
        };
        let anon = user_from_row(&anon)?;
        let user = sqlx::query(&sql)
            .bind(app_id)
            .bind(user_key)
            .fetch_optional(&mut *tx)
            .await?;
        let user = user.as_ref().map(user_from_row).transpose()?;
        let mut attributes = anon.attributes;
        if let Some(u) = &user {
            attributes.extend(u.attributes.clone());
        }
        let first_seen = user
            .as_ref()
            .map_or(anon.first_seen, |u| u.first_seen.min(anon.first_seen));
        // The latest unhappy moment wins, as core's state merge does.
        let unhappy_at = match (user.as_ref().and_then(|u| u.unhappy_at), anon.unhappy_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        sqlx::query(
            "UPDATE users SET attributes = $3, first_seen = $4,
                email = COALESCE(email, $5), company_id = COALESCE(company_id, $6), unhappy_at = $7
             WHERE app_id = $1 AND user_key = $2",
        )
        .bind(app_id)
        .bind(user_key)
        .bind(serde_json::to_string(&attributes)?)
        .bind(first_seen)
        .bind(anon.email)
        .bind(anon.company_id)
        .bind(unhappy_at)
        .execute(&mut *tx)
        .await?;
        for table in USER_OWNED_TABLES {
            sqlx::query(&format!(
                "UPDATE {table} SET user_key = $3 WHERE app_id = $1 AND user_key = $2"
            ))
            .bind(app_id)
            .bind(anonymous_key)
            .bind(user_key)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM users WHERE app_id = $1 AND user_key = $2")
            .bind(app_id)
            .bind(anonymous_key)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO aliases (app_id, anonymous_id, user_key, merged_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (app_id, anonymous_id) DO UPDATE SET user_key = excluded.user_key,
                merged_at = excluded.merged_at",
        )
        .bind(app_id)
        .bind(anonymous_key)
        .bind(user_key)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The identified user an anonymous key was merged into, if it was.
    pub async fn alias(&self, app_id: &str, anonymous_key: &str) -> Result<Option<String>> {
        let row =
            sqlx::query("SELECT user_key FROM aliases WHERE app_id = $1 AND anonymous_id = $2")
                .bind(app_id)
                .bind(anonymous_key)
                .fetch_optional(self.read())
                .await?;
        Ok(row.map(|r| r.try_get("user_key")).transpose()?)
    }

    /// Forgets an alias: the anonymous id booted alone again, so it is a
    /// new visitor from now on.
    pub async fn drop_alias(&self, app_id: &str, anonymous_key: &str) -> Result<()> {
        sqlx::query("DELETE FROM aliases WHERE app_id = $1 AND anonymous_id = $2")
            .bind(app_id)
            .bind(anonymous_key)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// What the user has seen, dismissed and completed and how often they
    /// did the app's events, folded from their events in time order: every
    /// message event, and the most recent app events.
    pub async fn user_state(&self, app_id: &str, user_key: &str) -> Result<UserState> {
        let rows = sqlx::query(
            "SELECT event_id, name, ts, message_id, data FROM (
                SELECT event_id, name, ts, message_id, data FROM events
                 WHERE app_id = $1 AND user_key = $2 AND message_id IS NOT NULL
                UNION ALL
                SELECT * FROM (SELECT event_id, name, ts, message_id, data FROM events
                 WHERE app_id = $1 AND user_key = $2 AND message_id IS NULL
                 ORDER BY ts DESC LIMIT $3) AS recent
             ) AS mine ORDER BY ts",
        )
        .bind(app_id)
        .bind(user_key)
        .bind(APP_EVENTS_IN_STATE)
        .fetch_all(self.read())
        .await?;
        let mut state = UserState::default();
        let unhappy =
            sqlx::query("SELECT unhappy_at FROM users WHERE app_id = $1 AND user_key = $2")
                .bind(app_id)
                .bind(user_key)
                .fetch_optional(self.read())
                .await?;
        state.unhappy_at = unhappy
            .map(|r| r.try_get::<Option<f64>, _>("unhappy_at"))
            .transpose()?
            .flatten();
        for r in &rows {
            let name: String = r.try_get("name")?;
            // Only tour steps and checklist tasks carry what the state
            // keeps in their data; the rest is not parsed.
            let data = if name == event_names::STEP || name == event_names::TASK {
                let text: String = r.try_get("data")?;
                serde_json::from_str::<Map<String, Value>>(&text).unwrap_or_default()
            } else {
                Map::new()
            };
            state.apply(&Event {
                id: r.try_get("event_id")?,
                name,
                ts: r.try_get("ts")?,
                message_id: r.try_get("message_id")?,
                data,
            });
        }
        Ok(state)
    }
}

async fn upsert_company(
    tx: &mut Transaction<'_, Any>,
    app_id: &str,
    company: &CompanyRecord,
    now: i64,
    for_update: &str,
) -> Result<()> {
    let stored = sqlx::query(&format!(
        "SELECT attributes FROM companies WHERE app_id = $1 AND id = $2{for_update}"
    ))
    .bind(app_id)
    .bind(&company.id)
    .fetch_optional(&mut **tx)
    .await?;
    let mut attributes: Map<String, Value> = match stored {
        Some(r) => serde_json::from_str(&r.try_get::<String, _>("attributes")?)?,
        None => Map::new(),
    };
    attributes.extend(company.attributes.clone());
    sqlx::query(
        "INSERT INTO companies (app_id, id, name, attributes, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (app_id, id) DO UPDATE SET name = COALESCE(excluded.name, companies.name),
            attributes = excluded.attributes, updated_at = excluded.updated_at",
    )
    .bind(app_id)
    .bind(&company.id)
    .bind(&company.name)
    .bind(serde_json::to_string(&attributes)?)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
