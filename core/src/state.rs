//! What a user has seen, dismissed and completed, and the app events that
//! triggers and goals count.
//!
//! The state is a set of event records keyed by the event's own id, so
//! merging two copies is a union: the server's copy (folded from the events
//! it stored) and the browser's (with events it has not sent yet), or two
//! tabs that both wrote, merge without losing either's counts and without
//! counting one event twice. Histories keep the newest [`HISTORY_LIMIT`]
//! records and a count of the older ones, so storage stays bounded; counts
//! are exact until a history has been compacted.

use crate::vecmap::{VecMap, VecSet};

use crate::json::FromJson;
use serde::{Deserialize, Serialize};

use crate::protocol::{event_names, Event};

/// How many app event names the state keeps counts for. An app that puts
/// ids into event names (`viewed_item_123`) would otherwise grow the
/// state without end: it is written to storage after each task that
/// tracks, and read on each boot. The server folds a user's most recent
/// 1000 app events into the boot answer, so it is bounded there too.
pub const EVENT_NAMES_LIMIT: usize = 200;

/// Version of the serialised state; bumped when its shape changes.
pub const STATE_VERSION: u32 = 2;

/// How many records one history keeps before folding the oldest into a count.
pub const HISTORY_LIMIT: usize = 50;

/// Occurrences of one thing: event id → when (ms), plus the number of
/// older occurrences dropped to bound storage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
pub struct History {
    /// The newest occurrences by event id.
    #[serde(default, skip_serializing_if = "VecMap::is_empty")]
    pub recent: VecMap<f64>,
    /// Occurrences no longer listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub older: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl History {
    /// Records one occurrence; the same id twice counts once.
    pub fn add(&mut self, id: &str, ts: f64) {
        self.recent.insert(id.to_owned(), ts);
        self.compact();
    }

    /// How many times in all.
    pub fn count(&self) -> u32 {
        self.older
            .saturating_add(u32::try_from(self.recent.len()).unwrap_or(u32::MAX))
    }

    /// How many listed occurrences are at or after `since`.
    pub fn count_since(&self, since: f64) -> u32 {
        let n = self.recent.values().filter(|&&t| t >= since).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The latest occurrence.
    pub fn last(&self) -> Option<f64> {
        self.recent.values().copied().reduce(f64::max)
    }

    /// The earliest listed occurrence.
    pub fn first(&self) -> Option<f64> {
        self.recent.values().copied().reduce(f64::min)
    }

    /// Moves every listed occurrence by `by` ms.
    pub fn shift(&mut self, by: f64) {
        for ts in self.recent.values_mut() {
            *ts += by;
        }
    }

    /// Union by event id.
    pub fn merge(&mut self, other: &History) {
        for (id, ts) in &other.recent {
            self.recent.insert(id.clone(), *ts);
        }
        self.older = self.older.max(other.older);
        self.compact();
    }

    fn compact(&mut self) {
        while self.recent.len() > HISTORY_LIMIT {
            let oldest = self
                .recent
                .iter()
                .min_by(|a, b| a.1.total_cmp(b.1).then_with(|| a.0.cmp(b.0)))
                .map(|(id, _)| id.clone());
            match oldest {
                Some(id) => {
                    self.recent.remove(&id);
                    self.older = self.older.saturating_add(1);
                }
                None => break,
            }
        }
    }
}

/// One message's history with one user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
pub struct MessageState {
    /// Each time it was shown.
    #[serde(default)]
    pub shown: History,
    /// When the user first dismissed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismissed_at: Option<f64>,
    /// When the user first completed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<f64>,
    /// When its goal was first reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal_at: Option<f64>,
    /// When the user was first held out of it (control group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_out_at: Option<f64>,
    /// First showing (or hold-out), which goal windows count from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_at: Option<f64>,
    /// The last time the user completed or dismissed it (a tour started
    /// again after that is in progress again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<f64>,
    /// A tour's latest step move (the latest wins across tabs and devices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StepAt>,
    /// A checklist's done tasks, by id.
    #[serde(default, skip_serializing_if = "VecSet::is_empty")]
    pub tasks: VecSet,
}

/// Where a tour is, and since when.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, FromJson)]
pub struct StepAt {
    /// The 0-based step.
    pub step: u32,
    /// When the tour moved there, ms.
    pub at: f64,
}

fn later_step(a: Option<StepAt>, b: Option<StepAt>) -> Option<StepAt> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.at > x.at { y } else { x }),
        (x, y) => x.or(y),
    }
}

impl MessageState {
    /// Times shown.
    pub fn shown_count(&self) -> u32 {
        self.shown.count()
    }

    /// The step a tour in progress is at: it moved past its first step and
    /// has not been completed or dismissed since. `None`: not in progress
    /// (the rules decide whether it starts, at step 0).
    pub fn tour_step(&self) -> Option<usize> {
        let s = self.step?;
        if self.ended_at.is_some_and(|t| t >= s.at) {
            return None;
        }
        Some(s.step as usize)
    }
}

/// A user's history with the app's messages and events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct UserState {
    /// Shape version, see [`STATE_VERSION`].
    pub v: u32,
    /// Per message id.
    #[serde(default)]
    pub messages: VecMap<MessageState>,
    /// The app's own tracked events, per name.
    #[serde(default, skip_serializing_if = "VecMap::is_empty")]
    pub events: VecMap<History>,
    /// When the user last had an unhappy conversation (bad rating or an
    /// agent's mark); proactive messages keep away for a while after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unhappy_at: Option<f64>,
}

impl Default for UserState {
    fn default() -> Self {
        Self {
            v: STATE_VERSION,
            messages: VecMap::new(),
            events: VecMap::new(),
            unhappy_at: None,
        }
    }
}

fn earliest(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn latest(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// Event names the SDK records when a message is kept from a user in the
/// control group, so the server can compare the groups.
pub const HELD_OUT: &str = "message.held_out";

impl UserState {
    /// Moves every time in the state by `by` ms: the server's clock to a
    /// browser's whose clock is off (see [`crate::time::clock_skew`]).
    pub fn shift(&mut self, by: f64) {
        if by == 0.0 {
            return;
        }
        let moved = |t: &mut Option<f64>| {
            if let Some(t) = t {
                *t += by;
            }
        };
        for m in self.messages.values_mut() {
            m.shown.shift(by);
            moved(&mut m.dismissed_at);
            moved(&mut m.completed_at);
            moved(&mut m.goal_at);
            moved(&mut m.held_out_at);
            moved(&mut m.first_at);
            moved(&mut m.ended_at);
            if let Some(step) = &mut m.step {
                step.at += by;
            }
        }
        for h in self.events.values_mut() {
            h.shift(by);
        }
        moved(&mut self.unhappy_at);
    }

    /// Folds one event into the state: message events into their message,
    /// any other event into the per-name counters.
    pub fn apply(&mut self, event: &Event) {
        let ts = event.ts;
        let Some(id) = event.message_id.as_deref() else {
            self.events.get_or_default(&event.name).add(&event.id, ts);
            return;
        };
        let m = self.messages.get_or_default(id);
        match event.name.as_str() {
            event_names::SHOWN => {
                m.shown.add(&event.id, ts);
                m.first_at = earliest(m.first_at, Some(ts));
            }
            event_names::DISMISSED => {
                m.dismissed_at = earliest(m.dismissed_at, Some(ts));
                m.ended_at = latest(m.ended_at, Some(ts));
            }
            event_names::COMPLETED => {
                m.completed_at = earliest(m.completed_at, Some(ts));
                m.ended_at = latest(m.ended_at, Some(ts));
            }
            event_names::GOAL => m.goal_at = earliest(m.goal_at, Some(ts)),
            HELD_OUT => {
                m.held_out_at = earliest(m.held_out_at, Some(ts));
                m.first_at = earliest(m.first_at, Some(ts));
            }
            event_names::STEP => {
                if let Some(step) = event.data.get("step").and_then(|v| v.as_u64()) {
                    let step = u32::try_from(step).unwrap_or(u32::MAX);
                    m.step = later_step(m.step, Some(StepAt { step, at: ts }));
                }
            }
            event_names::TASK => {
                if let Some(task) = event.data.get("task").and_then(|v| v.as_str()) {
                    m.tasks.insert(task.to_owned());
                }
            }
            _ => {}
        }
    }

    /// Folds another copy in (server and browser, or two tabs). Union of
    /// records by event id; first times keep the earliest; nothing either
    /// side recorded is lost and nothing is counted twice.
    pub fn merge(&mut self, other: &UserState) {
        for (id, theirs) in &other.messages {
            let mine = self.messages.get_or_default(id);
            mine.shown.merge(&theirs.shown);
            mine.dismissed_at = earliest(mine.dismissed_at, theirs.dismissed_at);
            mine.completed_at = earliest(mine.completed_at, theirs.completed_at);
            mine.goal_at = earliest(mine.goal_at, theirs.goal_at);
            mine.held_out_at = earliest(mine.held_out_at, theirs.held_out_at);
            mine.first_at = earliest(mine.first_at, theirs.first_at);
            mine.ended_at = latest(mine.ended_at, theirs.ended_at);
            mine.step = later_step(mine.step, theirs.step);
            mine.tasks.extend(theirs.tasks.iter().cloned());
        }
        for (name, theirs) in &other.events {
            self.events.get_or_default(name).merge(theirs);
        }
        self.unhappy_at = latest(self.unhappy_at, other.unhappy_at);
    }

    /// Whether the user dismissed this message.
    pub fn is_dismissed(&self, message_id: &str) -> bool {
        self.messages
            .get(message_id)
            .is_some_and(|m| m.dismissed_at.is_some())
    }

    /// This message's history, if it has one.
    pub fn message(&self, message_id: &str) -> Option<&MessageState> {
        self.messages.get(message_id)
    }

    /// Keeps at most [`EVENT_NAMES_LIMIT`] app event names: those the user
    /// did longest ago go first, except the names `counted` says a live
    /// message's rules count (which are few; they all stay).
    pub fn bound_events(&mut self, counted: impl Fn(&str) -> bool) {
        let excess = self.events.len().saturating_sub(EVENT_NAMES_LIMIT);
        if excess == 0 {
            return;
        }
        // (last time, position) of each name that may go, stalest first;
        // ties keep key order (the sort is stable).
        let mut stale: Vec<(f64, usize)> = self
            .events
            .iter()
            .enumerate()
            .filter(|(_, (name, _))| !counted(name))
            .map(|(i, (_, history))| (history.last().unwrap_or(f64::NEG_INFINITY), i))
            .collect();
        crate::sort_small_by(&mut stale, |a, b| a.0 < b.0);
        let mut gone = vec![false; self.events.len()];
        for &(_, i) in stale.iter().take(excess) {
            if let Some(g) = gone.get_mut(i) {
                *g = true;
            }
        }
        let mut position = 0;
        self.events.retain(|_, _| {
            let keep = !gone.get(position).copied().unwrap_or(false);
            position += 1;
            keep
        });
    }

    /// How many times the app event `name` happened at or after `since`
    /// (all times if `since` is `None`).
    pub fn event_count(&self, name: &str, since: Option<f64>) -> u32 {
        self.events.get(name).map_or(0, |h| match since {
            Some(t) => h.count_since(t),
            None => h.count(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, name: &str, ts: f64) -> Event {
        Event {
            id: id.into(),
            name: name.into(),
            ts,
            message_id: Some("m1".into()),
            data: Default::default(),
        }
    }

    fn app_ev(id: &str, name: &str, ts: f64) -> Event {
        Event {
            message_id: None,
            ..ev(id, name, ts)
        }
    }

    #[test]
    fn shown_counts_by_event_id_and_keeps_times() {
        let mut s = UserState::default();
        s.apply(&ev("a", event_names::SHOWN, 20.0));
        s.apply(&ev("b", event_names::SHOWN, 10.0));
        s.apply(&ev("a", event_names::SHOWN, 20.0)); // a retry
        let m = &s.messages["m1"];
        assert_eq!(m.shown_count(), 2);
        assert_eq!(m.shown.last(), Some(20.0));
        assert_eq!(m.first_at, Some(10.0));
        assert!(!s.is_dismissed("m1"));
    }

    #[test]
    fn a_shifted_state_is_the_state_of_the_same_events_at_shifted_times() {
        let by = 2.0 * crate::time::DAY_MS;
        let events = |at: f64| {
            let mut step = ev("st", event_names::STEP, at + 3.0);
            step.data.insert("step".into(), 1.into());
            vec![
                ev("s", event_names::SHOWN, at),
                ev("h", HELD_OUT, at),
                ev("d", event_names::DISMISSED, at + 1.0),
                ev("c", event_names::COMPLETED, at + 2.0),
                ev("g", event_names::GOAL, at + 2.0),
                step,
                app_ev("e", "exported", at + 4.0),
            ]
        };
        let mut before = UserState::default();
        let mut after = UserState::default();
        for e in events(1_000.0) {
            before.apply(&e);
        }
        for e in events(1_000.0 + by) {
            after.apply(&e);
        }
        before.unhappy_at = Some(500.0);
        after.unhappy_at = Some(500.0 + by);
        assert_ne!(before, after);
        before.shift(by);
        assert_eq!(before, after);
    }

    #[test]
    fn first_dismissal_wins() {
        let mut s = UserState::default();
        s.apply(&ev("a", event_names::DISMISSED, 9.0));
        s.apply(&ev("b", event_names::DISMISSED, 5.0));
        assert_eq!(s.messages["m1"].dismissed_at, Some(5.0));
        assert!(s.is_dismissed("m1"));
    }

    #[test]
    fn two_tabs_merge_without_losing_or_doubling_counts() {
        let mut base = UserState::default();
        base.apply(&ev("s1", event_names::SHOWN, 1.0));
        let (mut tab_a, mut tab_b) = (base.clone(), base.clone());
        tab_a.apply(&ev("s2", event_names::SHOWN, 2.0));
        tab_a.apply(&app_ev("e1", "report_created", 2.5));
        tab_b.apply(&ev("s3", event_names::SHOWN, 3.0));
        tab_b.apply(&ev("d1", event_names::DISMISSED, 3.5));
        let mut merged = tab_a.clone();
        merged.merge(&tab_b);
        assert_eq!(merged.messages["m1"].shown_count(), 3);
        assert_eq!(merged.messages["m1"].dismissed_at, Some(3.5));
        assert_eq!(merged.event_count("report_created", None), 1);
        // Merging is commutative and idempotent.
        let mut other_way = tab_b.clone();
        other_way.merge(&tab_a);
        assert_eq!(merged, other_way);
        let mut again = merged.clone();
        again.merge(&tab_a);
        assert_eq!(again, merged);
    }

    #[test]
    fn histories_stay_bounded_and_keep_counting() {
        let mut s = UserState::default();
        for i in 0..(HISTORY_LIMIT + 10) {
            s.apply(&app_ev(&format!("e{i}"), "click", i as f64));
        }
        let h = &s.events["click"];
        assert_eq!(h.recent.len(), HISTORY_LIMIT);
        assert_eq!(h.count(), (HISTORY_LIMIT + 10) as u32);
        assert_eq!(h.first(), Some(10.0), "the oldest were folded away");
        assert_eq!(s.event_count("click", Some(55.0)), 5);
    }

    #[test]
    fn state_round_trips_through_json() {
        let mut s = UserState::default();
        s.apply(&ev("a", event_names::SHOWN, 1.0));
        s.apply(&app_ev("b", "x", 2.0));
        s.unhappy_at = Some(3.0);
        let json = serde_json::to_string(&s).expect("json");
        assert_eq!(serde_json::from_str::<UserState>(&json).expect("back"), s);
    }

    fn with_data(id: &str, name: &str, ts: f64, key: &str, value: serde_json::Value) -> Event {
        let mut e = ev(id, name, ts);
        e.data.insert(key.into(), value);
        e
    }

    #[test]
    fn tour_step_is_the_latest_move_until_the_tour_ends() {
        let mut s = UserState::default();
        assert_eq!(s.message("m1").and_then(MessageState::tour_step), None);
        s.apply(&with_data("a", event_names::STEP, 10.0, "step", 2.into()));
        s.apply(&with_data("b", event_names::STEP, 5.0, "step", 1.into()));
        assert_eq!(s.messages["m1"].tour_step(), Some(2), "the later move wins");
        s.apply(&with_data("c", event_names::STEP, 11.0, "step", "x".into()));
        assert_eq!(
            s.messages["m1"].tour_step(),
            Some(2),
            "a bad step is ignored"
        );
        s.apply(&ev("d", event_names::COMPLETED, 12.0));
        assert_eq!(
            s.messages["m1"].tour_step(),
            None,
            "completed: not in progress"
        );
        s.apply(&with_data("e", event_names::STEP, 20.0, "step", 1.into()));
        assert_eq!(s.messages["m1"].tour_step(), Some(1), "started again later");
        s.apply(&ev("f", event_names::DISMISSED, 25.0));
        assert_eq!(
            s.messages["m1"].tour_step(),
            None,
            "skipped the second time"
        );
    }

    #[test]
    fn steps_and_tasks_merge_across_tabs() {
        let mut a = UserState::default();
        let mut b = UserState::default();
        a.apply(&with_data("s1", event_names::STEP, 1.0, "step", 1.into()));
        b.apply(&with_data("s2", event_names::STEP, 2.0, "step", 3.into()));
        a.apply(&with_data(
            "t1",
            event_names::TASK,
            1.0,
            "task",
            "invite".into(),
        ));
        b.apply(&with_data(
            "t2",
            event_names::TASK,
            1.0,
            "task",
            "connect".into(),
        ));
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert_eq!(ab.messages["m1"].tour_step(), Some(3));
        assert_eq!(ab.messages["m1"].tasks.len(), 2);
        let json = serde_json::to_string(&ab).expect("json");
        assert_eq!(serde_json::from_str::<UserState>(&json).expect("back"), ab);
    }

    #[test]
    fn event_names_are_bounded_stalest_first_keeping_counted_ones() {
        let mut s = UserState::default();
        // `signup` is counted by a rule and was done first of all.
        s.apply(&app_ev("e-signup", "signup", 1.0));
        for i in 0..EVENT_NAMES_LIMIT + 50 {
            let t = 10.0 + i as f64;
            s.apply(&app_ev(&format!("e{i}"), &format!("viewed_item_{i}"), t));
        }
        // Done again lately: the name is fresh, though it was first early.
        s.apply(&app_ev("e0-again", "viewed_item_0", 10_000.0));
        s.bound_events(|name| name == "signup");
        assert_eq!(s.events.len(), EVENT_NAMES_LIMIT);
        assert_eq!(s.event_count("signup", None), 1);
        assert_eq!(s.event_count("viewed_item_0", None), 2);
        // The stalest uncounted names went: 1 … 51.
        assert_eq!(s.event_count("viewed_item_1", None), 0);
        assert_eq!(s.event_count("viewed_item_51", None), 0);
        assert_eq!(s.event_count("viewed_item_52", None), 1);
        let last = EVENT_NAMES_LIMIT + 49;
        assert_eq!(s.event_count(&format!("viewed_item_{last}"), None), 1);
        // Message histories are never touched, and a bounded state stays.
        s.apply(&ev("s1", event_names::SHOWN, 5.0));
        let before = s.clone();
        s.bound_events(|_| false);
        assert_eq!(s, before);
    }

    #[test]
    fn counted_names_all_stay_even_past_the_limit() {
        let mut s = UserState::default();
        for i in 0..EVENT_NAMES_LIMIT + 10 {
            s.apply(&app_ev(&format!("e{i}"), &format!("n{i}"), i as f64));
        }
        s.bound_events(|_| true);
        assert_eq!(s.events.len(), EVENT_NAMES_LIMIT + 10);
        // A merge of a large copy (the server's) is bounded in one pass.
        let mut other = UserState::default();
        for i in 0..1000 {
            other.apply(&app_ev(
                &format!("x{i}"),
                &format!("x{i}"),
                500.0 + i as f64,
            ));
        }
        let mut mine = UserState::default();
        mine.apply(&app_ev("k", "kept", 0.0));
        mine.merge(&other);
        mine.bound_events(|name| name == "kept");
        assert_eq!(mine.events.len(), EVENT_NAMES_LIMIT);
        assert_eq!(mine.event_count("kept", None), 1);
        assert_eq!(mine.event_count("x999", None), 1);
        assert_eq!(mine.event_count("x800", None), 0);
        assert_eq!(mine.event_count("x801", None), 1);
    }
}
