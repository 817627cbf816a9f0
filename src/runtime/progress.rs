//! Progress of multi-step surfaces: a tour's current step and a
//! checklist's done tasks.
//!
//! Both live in the user's state as events (`message.step`,
//! `message.task`), so they persist in storage, reach the other tabs, and
//! are synced with the server like every other event; a tour continues on
//! the next page, in another tab or on another device. The runtime turns
//! the state into each surface's [`Progress`] and tells the surfaces on
//! screen whenever it may have changed.

use beckon_core::vecmap::VecSet;

use beckon_core::content::checklist_done;
use beckon_core::protocol::{event_names, Message, MessageKind};
use serde_json::{Map, Value};

use super::{listeners, Runtime};
use crate::error::warn;
use crate::ui::{Env, Progress};

/// `(message id, task id, selector)` of every checklist task done by
/// clicking an element of the app.
pub(super) fn task_clicks(messages: &[Message]) -> Vec<(String, String, String)> {
    messages
        .iter()
        .filter_map(|m| m.content.checklist.as_ref().map(|c| (m, c)))
        .flat_map(|(m, c)| {
            c.click_selectors()
                .map(|(task, selector)| (m.id.clone(), task.to_owned(), selector.to_owned()))
        })
        .collect()
}

impl Runtime {
    /// What the surface of message `id` needs: the common environment and
    /// the message's own progress.
    pub(super) fn env_for(&self, id: &str) -> Env {
        let mut env = self.env();
        env.progress = Progress {
            step: self.tour_step(id).unwrap_or(0),
            done_tasks: self.done_tasks(id),
            seen_before: self.state.message(id).is_some_and(|m| m.shown_count() > 0),
            tour_running: self
                .surfaces
                .keys()
                .any(|k| k != id && self.message(k).is_some_and(|m| m.kind == MessageKind::Tour)),
        };
        env
    }

    /// The step of a tour in progress; `None` when it is not.
    pub(super) fn tour_step(&self, id: &str) -> Option<usize> {
        self.state.message(id).and_then(|m| m.tour_step())
    }

    /// The checklist's done tasks: those recorded, and those whose event or
    /// attribute condition holds now.
    fn done_tasks(&self, id: &str) -> VecSet {
        let recorded = self
            .state
            .message(id)
            .map(|m| m.tasks.clone())
            .unwrap_or_default();
        let list = self.message(id).and_then(|m| m.content.checklist.as_ref());
        match list {
            Some(list) => checklist_done(list, &self.state, &self.attributes, &recorded),
            None => recorded,
        }
    }

    /// Records each checklist task that became done (by an event or an
    /// attribute) and is not recorded yet, so it stays done once done, then
    /// redraws the tours and checklists on screen with the progress they
    /// now have (the other surfaces have none, and building their `Env`
    /// would copy the attributes for nothing).
    pub(super) fn sync_progress(&mut self) {
        let mut new_tasks = Vec::new();
        for m in &self.messages {
            // Only lists the user has seen: the others' progress is
            // computed when they show.
            let seen = self.surfaces.contains_key(&m.id)
                || self
                    .state
                    .message(&m.id)
                    .is_some_and(|s| s.shown_count() > 0);
            if m.kind != MessageKind::Checklist || !seen {
                continue;
            }
            let recorded = self.state.message(&m.id).map(|s| &s.tasks);
            for task in self.done_tasks(&m.id) {
                if !recorded.is_some_and(|r| r.contains(&task)) {
                    new_tasks.push((m.id.clone(), task));
                }
            }
        }
        for (id, task) in new_tasks {
            self.record_task(&id, &task);
        }
        let ids: Vec<String> = self
            .surfaces
            .keys()
            .filter(|id| {
                self.message(id)
                    .is_some_and(|m| matches!(m.kind, MessageKind::Tour | MessageKind::Checklist))
            })
            .cloned()
            .collect();
        for id in ids {
            let env = self.env_for(&id);
            if let Some(on_screen) = self.surfaces.get_mut(&id) {
                if let Err(e) = on_screen.view.update(&env) {
                    warn(&["message ", &id, ": ", &e.describe()].concat());
                }
            }
        }
    }

    pub(super) fn record_step(&mut self, id: &str, step: usize) {
        let mut data = Map::new();
        data.insert("step".to_owned(), Value::from(step));
        self.record(event_names::STEP, Some(id), data);
    }

    pub(super) fn record_task(&mut self, id: &str, task: &str) {
        if self
            .state
            .message(id)
            .is_some_and(|m| m.tasks.contains(task))
        {
            return;
        }
        let mut data = Map::new();
        data.insert("task".to_owned(), Value::from(task));
        self.record(event_names::TASK, Some(id), data);
    }

    /// An app event may move a tour on screen whose step waits for it.
    pub(super) fn advance_tours(&mut self, event: &str) {
        let mut moves = Vec::new();
        for id in self.surfaces.keys() {
            let Some(tour) = self.message(id).and_then(|m| m.content.tour.as_ref()) else {
                continue;
            };
            let step = self.tour_step(id).unwrap_or(0);
            if let Some(next) = tour.advance_on_event(step, event) {
                moves.push((id.clone(), next, tour.steps.len()));
            }
        }
        for (id, next, len) in moves {
            if next >= len {
                self.complete(&id);
            } else {
                self.record_step(&id, next);
            }
        }
    }

    /// The user finished a tour or a checklist. A finished checklist
    /// reached its goal and stays on screen, showing it is done, until the
    /// user closes it; a finished tour closes.
    pub(super) fn complete(&mut self, id: &str) {
        let done_before = self
            .state
            .message(id)
            .is_some_and(|m| m.completed_at.is_some());
        self.record(event_names::COMPLETED, Some(id), Map::new());
        let kind = self.message(id).map(|m| m.kind);
        if kind == Some(MessageKind::Checklist) {
            let goal_recorded = self.state.message(id).is_some_and(|m| m.goal_at.is_some());
            if !goal_recorded {
                self.record(event_names::GOAL, Some(id), Map::new());
                listeners::emit("message:goal", listeners::message_payload(id));
            }
            self.forced.insert(id.to_owned());
        } else {
            self.close(id);
        }
        if !done_before || kind != Some(MessageKind::Checklist) {
            listeners::emit("message:completed", listeners::message_payload(id));
        }
    }
}
