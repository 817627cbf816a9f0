//! The database behind one interface.
//!
//! A SQLite file (WAL) by default, Postgres when the server is given a
//! `postgres://` URL. Both are reached through sqlx's `Any` driver with the
//! same SQL (`$1` placeholders, `ON CONFLICT`, `RETURNING` mean the same in
//! both), so every query is written once; the few places where the
//! dialects differ ask [`Dialect`]. Handlers call the async methods; the
//! SQL lives in the submodules, one per resource.
//!
//! SQLite has one writer at a time, so the store keeps one connection for
//! writes and a small pool of readers that WAL lets run beside it. Postgres
//! writes through its whole pool. Events go through [`ingest`], which
//! groups concurrent batches into one transaction on either database.

mod apps;
mod articles;
mod cache;
mod conversations;
mod events;
mod ingest;
mod messages;
mod migrate;
mod stats;
mod users;

use std::path::Path;
use std::sync::{Arc, Once};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use apps::{AppRecord, AppSettings, MessengerSettings, RateLimits};
pub use articles::{Article, ArticleInput, Collection, CollectionInput};
pub use cache::CachedApp;
pub use conversations::{
    new_id, ConversationRecord, ConversationWriter, EmailDue, NewConversationMessage, Snippet,
    SnippetStatus, StoredMessage, FEED_PAGE,
};
pub use events::{StoredEvent, LIST_LIMIT};
pub use messages::{MessageInput, MessageRecord, MessageStatus, MessageVersion};
pub use stats::{GroupStats, MessageCounts, MessageStats};
pub use users::UserUpdate;
pub use users::{CompanyRecord, UserRecord};

use crate::error::Result;

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// An embedded SQLite file.
    Sqlite,
    /// A Postgres server.
    Postgres,
}

/// A handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    dialect: Dialect,
    /// Reads (and, on Postgres, writes).
    read: AnyPool,
    /// Writes: one connection on SQLite, the same pool on Postgres.
    write: AnyPool,
    ingest: ingest::Writer,
    cache: cache::AppCache,
    recent_boots: users::RecentBoots,
}

/// Milliseconds since the Unix epoch, the time unit of every stored row.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Settings every SQLite connection gets. NORMAL in WAL mode survives a
/// crash of the process (kill -9): only a power cut can lose the last
/// commits, and then without corrupting the file.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -65536;";

impl Store {
    /// Opens the database named by `url`: `postgres://…` (or
    /// `postgresql://…`) for Postgres, anything else is a SQLite file path.
    pub async fn connect(url: &str) -> Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::open_postgres(url).await
        } else {
            Self::open_sqlite(Path::new(url.trim_start_matches("sqlite://"))).await
        }
    }

    /// Opens (creating if needed) the SQLite file at `path` and brings its
    /// schema up to date.
    pub async fn open_sqlite(path: &Path) -> Result<Self> {
        install_drivers();
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let options: AnyConnectOptions = url.parse()?;
        let pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(sqlx::raw_sql(SQLITE_PRAGMAS)).await?;
                        Ok(())
                    })
                })
        };
        let write = pool(1).connect_with(options.clone()).await?;
        migrate::run(&write, Dialect::Sqlite).await?;
        let read = pool(4).connect_with(options).await?;
        Ok(Self::new(Dialect::Sqlite, read, write))
    }

    /// Connects to Postgres and brings its schema up to date. Several
    /// server processes may share one database: nothing is kept only in a
    /// process except caches that expire within seconds.
    pub async fn open_postgres(url: &str) -> Result<Self> {
        install_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        migrate::run(&pool, Dialect::Postgres).await?;
        Ok(Self::new(Dialect::Postgres, pool.clone(), pool))
    }

    fn new(dialect: Dialect, read: AnyPool, write: AnyPool) -> Self {
        let ingest = ingest::Writer::start(write.clone(), dialect);
        Self {
            inner: Arc::new(Inner {
                dialect,
                read,
                write,
                ingest,
                cache: cache::AppCache::default(),
                recent_boots: users::RecentBoots::default(),
            }),
        }
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        self.inner.dialect
    }

    /// Waits for the event writer to finish what it was given, then closes
    /// the connections (on SQLite this checkpoints the WAL into the file).
    pub async fn close(&self) {
        self.inner.ingest.stop().await;
        self.inner.read.close().await;
        self.inner.write.close().await;
    }

    /// A write transaction; see [`begin_write`].
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        begin_write(self.write(), self.dialect()).await
    }

    fn read(&self) -> &AnyPool {
        &self.inner.read
    }

    fn write(&self) -> &AnyPool {
        &self.inner.write
    }
}

/// Starts a write transaction. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes
/// later fails with `SQLITE_BUSY_SNAPSHOT` when another process wrote in
/// between, where an immediate one waits its turn (busy timeout).
pub(crate) async fn begin_write(
    pool: &AnyPool,
    dialect: Dialect,
) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    Ok(match dialect {
        Dialect::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        Dialect::Postgres => pool.begin().await?,
    })
}

/// sqlx's `Any` driver finds the real drivers through a registry filled once.
fn install_drivers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(sqlx::any::install_default_drivers);
}
