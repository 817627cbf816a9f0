//! The database behind one interface.
//!
//! Today a SQLite file (WAL mode), reached through one connection on a
//! blocking thread: SQLite serialises writers anyway, and one connection keeps
//! batched inserts fast. Handlers call the async methods; the SQL lives in the
//! submodules, one per resource.

mod events;
mod messages;
mod migrations;
mod users;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

pub use events::StoredEvent;
pub use messages::{Article, MessageStatus};

use crate::error::Result;

/// A handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// An app as the server knows it.
#[derive(Debug, Clone)]
pub struct AppRecord {
    /// Public id, sent by the SDK.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Secret for identity verification; never sent to a browser.
    pub secret: String,
}

/// Milliseconds since the Unix epoch, the time unit of every stored row.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Store {
    /// Opens (creating if needed) the SQLite file at `path` and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL in WAL mode survives a crash of the process (kill -9): only a
        // power cut can lose the last commits, and then never corrupts.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::from_connection(conn)
    }

    /// An in-memory database, for tests that need no file.
    pub fn open_in_memory() -> Result<Self> {
        Self::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut conn: Connection) -> Result<Self> {
        migrations::run(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock poisons it; the connection itself
            // is still sound (SQLite rolls back the open transaction), so go on.
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await?
    }

    /// The app with this public id, if any.
    pub async fn app(&self, app_id: &str) -> Result<Option<AppRecord>> {
        let app_id = app_id.to_owned();
        self.call(move |c| {
            use rusqlite::OptionalExtension;
            Ok(c.query_row(
                "SELECT id, name, secret FROM apps WHERE id = ?1",
                [&app_id],
                |r| {
                    Ok(AppRecord {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        secret: r.get(2)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    /// Creates an app.
    pub async fn insert_app(&self, app: AppRecord) -> Result<()> {
        self.call(move |c| {
            c.execute(
                "INSERT INTO apps (id, name, secret, created_at) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![app.id, app.name, app.secret, now_ms()],
            )?;
            Ok(())
        })
        .await
    }

    /// Whether no app exists yet (a fresh database, to be seeded).
    pub async fn is_empty(&self) -> Result<bool> {
        self.call(|c| {
            let n: i64 = c.query_row("SELECT COUNT(*) FROM apps", [], |r| r.get(0))?;
            Ok(n == 0)
        })
        .await
    }
}
