//! Schema migrations, kept in `server/migrations/{sqlite,postgres}/` and
//! applied in order, each once, recorded in `schema_migrations`.
//!
//! The two databases get separate files because their DDL differs
//! (`INTEGER` vs `BIGINT`, SQLite's table rebuilds); the schema they end
//! at is the same. A SQLite file from before this table existed counted
//! its migrations in `PRAGMA user_version`; those count as applied.

use sqlx::{AnyPool, Row};

use super::{begin_write, now_ms, Dialect};
use crate::error::{AppError, Result};

/// SQLite's migrations, in order. Append; never edit one that has shipped.
const SQLITE: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_platform.sql"),
    include_str!("../../migrations/sqlite/0003_messenger.sql"),
];

/// Postgres's migrations, in order.
const POSTGRES: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_messenger.sql"),
];

/// Any number; it only has to be the same in every server process, so two
/// of them starting at once on one Postgres do not both migrate.
const PG_LOCK_KEY: i64 = 0x6265_636b_6f6e;

/// The migrations of a dialect.
pub fn migrations(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres => POSTGRES,
    }
}

/// Applies the migrations this database has not had yet, each in its own
/// transaction with its record.
pub async fn run(pool: &AnyPool, dialect: Dialect) -> Result<()> {
    // Under the lock too: two Postgres servers creating the table at once
    // would otherwise race in the catalogue.
    let mut tx = begin_write(pool, dialect).await?;
    lock(&mut tx, dialect).await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if dialect == Dialect::Sqlite {
        adopt_user_version(pool).await?;
    }
    for (index, sql) in migrations(dialect).iter().enumerate() {
        let version = i64::try_from(index + 1).unwrap_or(i64::MAX);
        let mut tx = begin_write(pool, dialect).await?;
        lock(&mut tx, dialect).await?;
        let done = sqlx::query("SELECT 1 FROM schema_migrations WHERE version = $1")
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if done {
            continue;
        }
        sqlx::raw_sql(sql)
            .execute(&mut *tx)
            .await
            .map_err(|source| AppError::Migration { version, source })?;
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(version)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version, ?dialect, "applied migration");
    }
    Ok(())
}

/// On Postgres, holds the migration lock until the transaction ends (SQLite's
/// `BEGIN IMMEDIATE` already excludes other writers).
async fn lock(tx: &mut sqlx::Transaction<'static, sqlx::Any>, dialect: Dialect) -> Result<()> {
    if dialect == Dialect::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(PG_LOCK_KEY)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Records the migrations an older SQLite file counted in `user_version`.
async fn adopt_user_version(pool: &AnyPool) -> Result<()> {
    let row = sqlx::query("PRAGMA user_version").fetch_one(pool).await?;
    let counted: i64 = row.try_get(0)?;
    for version in 1..=counted {
        sqlx::query(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(version)
        .bind(now_ms())
        .execute(pool)
        .await?;
    }
    if counted > 0 {
        sqlx::query("PRAGMA user_version = 0").execute(pool).await?;
    }
    Ok(())
}
