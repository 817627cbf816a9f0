//! Analytics over the event stream: how often each message was shown,
//! clicked, dismissed, completed and reached its goal, and whether users
//! who saw it reached the goal more often than the hold-out group who,
//! by the same deterministic hash, did not.

use beckon_core::protocol::event_names::{CLICKED, COMPLETED, DISMISSED, GOAL, SHOWN};
use beckon_core::state::HELD_OUT;
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use super::Store;
use crate::error::Result;

/// One message's event counts (events, and distinct users who saw it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct MessageCounts {
    /// The message.
    pub message_id: String,
    /// `message.shown` events.
    pub shown: i64,
    /// `message.clicked` events.
    pub clicked: i64,
    /// `message.dismissed` events.
    pub dismissed: i64,
    /// `message.completed` events.
    pub completed: i64,
    /// `message.goal` events.
    pub goal: i64,
    /// `message.held_out` events (control group exposures).
    pub held_out: i64,
    /// Distinct users it was shown to.
    pub users_shown: i64,
}

/// One side of the hold-out comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct GroupStats {
    /// Users in the group (shown it, or held out of it).
    pub users: i64,
    /// Of those, users who reached the goal.
    pub converted: i64,
    /// `converted / users`, or 0 for an empty group.
    pub rate: f64,
}

/// A message's counts and its hold-out comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct MessageStats {
    /// Event counts.
    pub counts: MessageCounts,
    /// Users who were shown the message.
    pub shown_group: GroupStats,
    /// Users held out of it (the control group).
    pub holdout_group: GroupStats,
    /// `shown_group.rate - holdout_group.rate`, when both groups have users.
    pub lift: Option<f64>,
}

const COUNTS_SQL: &str = "SELECT message_id,
    COUNT(CASE WHEN name = $2 THEN 1 END) AS shown,
    COUNT(CASE WHEN name = $3 THEN 1 END) AS clicked,
    COUNT(CASE WHEN name = $4 THEN 1 END) AS dismissed,
    COUNT(CASE WHEN name = $5 THEN 1 END) AS completed,
    COUNT(CASE WHEN name = $6 THEN 1 END) AS goal,
    COUNT(CASE WHEN name = $7 THEN 1 END) AS held_out,
    COUNT(DISTINCT CASE WHEN name = $2 THEN user_key END) AS users_shown
  FROM events WHERE app_id = $1 AND message_id IS NOT NULL AND ($8 IS NULL OR message_id = $8)
  GROUP BY message_id ORDER BY message_id";

/// Exposure per user (first shown or held out), then whether each reached
/// the goal: a `message.goal` event for the message, or the goal's own
/// event within the window after the first exposure.
const GROUPS_SQL: &str = "WITH exposure AS (
    SELECT user_key, MAX(CASE WHEN name = $3 THEN 1 ELSE 0 END) AS held_out, MIN(ts) AS first_ts
      FROM events WHERE app_id = $1 AND message_id = $2 AND name IN ($3, $4)
     GROUP BY user_key)
  SELECT CAST(x.held_out AS BIGINT) AS held_out, COUNT(*) AS users,
    COUNT(CASE WHEN EXISTS (
        SELECT 1 FROM events g WHERE g.app_id = $1 AND g.user_key = x.user_key
           AND ((g.message_id = $2 AND g.name = $5)
             OR (g.name = $6 AND g.ts >= x.first_ts AND g.ts <= x.first_ts + $7)))
      THEN 1 END) AS converted
  FROM exposure x GROUP BY x.held_out";

fn group(users: i64, converted: i64) -> GroupStats {
    GroupStats {
        users,
        converted,
        rate: if users > 0 {
            converted as f64 / users as f64
        } else {
            0.0
        },
    }
}

impl Store {
    /// Event counts of every message of the app (or of one).
    pub async fn message_counts(
        &self,
        app_id: &str,
        message_id: Option<&str>,
    ) -> Result<Vec<MessageCounts>> {
        let rows = sqlx::query(COUNTS_SQL)
            .bind(app_id)
            .bind(SHOWN)
            .bind(CLICKED)
            .bind(DISMISSED)
            .bind(COMPLETED)
            .bind(GOAL)
            .bind(HELD_OUT)
            .bind(message_id)
            .fetch_all(self.read())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(MessageCounts {
                    message_id: r.try_get("message_id")?,
                    shown: r.try_get("shown")?,
                    clicked: r.try_get("clicked")?,
                    dismissed: r.try_get("dismissed")?,
                    completed: r.try_get("completed")?,
                    goal: r.try_get("goal")?,
                    held_out: r.try_get("held_out")?,
                    users_shown: r.try_get("users_shown")?,
                })
            })
            .collect()
    }

    /// Counts and the hold-out comparison of one message. `goal_event` and
    /// `goal_window_ms` come from the message's goal, when it names an event.
    pub async fn message_stats(
        &self,
        app_id: &str,
        message_id: &str,
        goal_event: Option<&str>,
        goal_window_ms: f64,
    ) -> Result<MessageStats> {
        let counts = self
            .message_counts(app_id, Some(message_id))
            .await?
            .pop()
            .unwrap_or_else(|| MessageCounts {
                message_id: message_id.to_owned(),
                ..MessageCounts::default()
            });
        let rows = sqlx::query(GROUPS_SQL)
            .bind(app_id)
            .bind(message_id)
            .bind(HELD_OUT)
            .bind(SHOWN)
            .bind(GOAL)
            .bind(goal_event)
            .bind(goal_window_ms)
            .fetch_all(self.read())
            .await?;
        let mut stats = MessageStats {
            counts,
            ..MessageStats::default()
        };
        for r in &rows {
            let g = group(r.try_get("users")?, r.try_get("converted")?);
            if r.try_get::<i64, _>("held_out")? == 1 {
                stats.holdout_group = g;
            } else {
                stats.shown_group = g;
            }
        }
        if stats.shown_group.users > 0 && stats.holdout_group.users > 0 {
            stats.lift = Some(stats.shown_group.rate - stats.holdout_group.rate);
        }
        Ok(stats)
    }
}
