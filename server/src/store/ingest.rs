//! The event writer: one task that owns event inserts and groups whatever
//! batches arrive while it is busy into one transaction.
//!
//! A commit is the expensive part of an insert (on SQLite the WAL append
//! and lock; on Postgres a round trip and a flush), so under load many
//! requests share one. A request is answered only after the transaction
//! holding its events has committed: an acknowledged event is on disk,
//! which is what makes a kill -9 lose nothing that was acknowledged.

use std::sync::{Mutex, OnceLock};

use beckon_core::protocol::{Event, EventsAccepted};
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::{now_ms, Dialect};
use crate::error::{AppError, Result};

/// Rows per `INSERT` statement: one prepared statement per size up to this.
const ROWS_PER_STATEMENT: usize = 50;

/// A group stops growing at this many events, to bound one transaction.
const MAX_GROUP_EVENTS: usize = 5_000;

/// Batches that may wait for the writer before senders wait too.
const QUEUE: usize = 1_024;

/// One request's batch, and where to send its answer.
struct Job {
    app_id: String,
    user_key: String,
    events: Vec<Event>,
    reply: oneshot::Sender<Result<EventsAccepted>>,
}

/// The handle requests submit to.
pub(super) struct Writer {
    queue: Mutex<Option<mpsc::Sender<Job>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Writer {
    /// Starts the writer task on `pool`.
    pub(super) fn start(pool: AnyPool, dialect: Dialect) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(run(pool, dialect, rx));
        tracing::debug!(?dialect, "event writer started");
        Self {
            queue: Mutex::new(Some(tx)),
            task: Mutex::new(Some(task)),
        }
    }

    /// Stores a batch; resolves once it is committed.
    pub(super) async fn submit(
        &self,
        app_id: &str,
        user_key: &str,
        events: Vec<Event>,
    ) -> Result<EventsAccepted> {
        let sender = self
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(AppError::WriterGone)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            app_id: app_id.to_owned(),
            user_key: user_key.to_owned(),
            events,
            reply,
        };
        sender.send(job).await.map_err(|_| AppError::WriterGone)?;
        answer.await.map_err(|_| AppError::WriterGone)?
    }

    /// Refuses new batches, then waits until every queued one is written.
    pub(super) async fn stop(&self) {
        drop(self.queue.lock().unwrap_or_else(|p| p.into_inner()).take());
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "event writer ended abnormally");
            }
        }
    }
}

async fn run(pool: AnyPool, dialect: Dialect, mut rx: mpsc::Receiver<Job>) {
    let mut group = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut size = first.events.len();
        group.push(first);
        while size < MAX_GROUP_EVENTS {
            match rx.try_recv() {
                Ok(job) => {
                    size += job.events.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        match write(&pool, dialect, &group).await {
            Ok(counts) => {
                for (job, accepted) in group.drain(..).zip(counts) {
                    let total = job.events.len();
                    let _ = job.reply.send(Ok(EventsAccepted {
                        accepted,
                        duplicates: total - accepted,
                    }));
                }
            }
            // One batch must not fail its neighbours: write each alone.
            Err(error) if group.len() > 1 => {
                tracing::warn!(%error, batches = group.len(), "group write failed; writing batches one by one");
                for job in group.drain(..) {
                    let result = write(&pool, dialect, std::slice::from_ref(&job)).await;
                    let _ = job.reply.send(result.map(|counts| {
                        let accepted = counts.first().copied().unwrap_or(0);
                        EventsAccepted {
                            accepted,
                            duplicates: job.events.len() - accepted,
                        }
                    }));
                }
            }
            Err(error) => {
                for job in group.drain(..) {
                    let _ = job.reply.send(Err(AppError::Database(sqlx::Error::Protocol(
                        error.to_string(),
                    ))));
                }
            }
        }
    }
}

/// `INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING RETURNING event_id` for
/// `rows` rows; built once per size.
fn insert_sql(rows: usize) -> &'static str {
    static SQL: OnceLock<Vec<String>> = OnceLock::new();
    let all = SQL.get_or_init(|| {
        (0..=ROWS_PER_STATEMENT)
            .map(|n| {
                let values: Vec<String> = (0..n)
                    .map(|i| {
                        let b = i * 6;
                        format!(
                            "($1, ${}, $2, ${}, ${}, ${}, ${}, ${})",
                            b + 3,
                            b + 4,
                            b + 5,
                            b + 6,
                            b + 7,
                            b + 8
                        )
                    })
                    .collect();
                format!(
                    "INSERT INTO events (app_id, event_id, user_key, name, message_id, ts, data, received_at) \
                     VALUES {} ON CONFLICT (app_id, event_id) DO NOTHING RETURNING event_id",
                    values.join(", ")
                )
            })
            .collect()
    });
    &all[rows.min(ROWS_PER_STATEMENT)]
}

/// Writes the group in one transaction; how many events of each job were new.
async fn write(pool: &AnyPool, dialect: Dialect, group: &[Job]) -> Result<Vec<usize>> {
    let now = now_ms();
    let mut tx = super::begin_write(pool, dialect).await?;
    let mut counts = Vec::with_capacity(group.len());
    for job in group {
        let mut accepted = 0;
        for chunk in job.events.chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::query(insert_sql(chunk.len()))
                .bind(&job.app_id)
                .bind(&job.user_key);
            for e in chunk {
                let data = if e.data.is_empty() {
                    "{}".to_owned()
                } else {
                    serde_json::to_string(&e.data)?
                };
                query = query
                    .bind(&e.id)
                    .bind(&e.name)
                    .bind(&e.message_id)
                    .bind(e.ts)
                    .bind(data)
                    .bind(now);
            }
            accepted += query.fetch_all(&mut *tx).await?.len();
        }
        counts.push(accepted);
    }
    tx.commit().await?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_sql_numbers_every_row() {
        let sql = insert_sql(2);
        assert!(
            sql.contains("($1, $3, $2, $4, $5, $6, $7, $8), ($1, $9, $2, $10, $11, $12, $13, $14)"),
            "{sql}"
        );
        assert!(insert_sql(50).contains("$302"));
    }
}
