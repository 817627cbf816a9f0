//! Deciding, among the app's messages, which ones this user sees now.
//!
//! One pure entry point, [`decide`], fed by a [`Context`] the caller builds
//! (the SDK from the browser, the server's preview from a stored user), as
//! GrowthBook's SDKs evaluate features. It answers a [`Verdict`] for every
//! message: shown, held out, or hidden with the [`Reason`] of the first rule
//! that said no. [`next_wake`] tells the caller when a time-based rule may
//! change its answer, so the SDK sets one timer instead of polling, and
//! [`goals_reached`] finds shown messages whose goal has now been met.

mod checks;
mod reason;

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::condition::SavedGroups;
use crate::protocol::{Message, MessageKind};
use crate::state::UserState;
use crate::targeting::CompiledTargeting;
use crate::Result;

pub use reason::{human_duration, BudgetMiss, FrequencyMiss, Reason, ScheduleMiss, Suppression};

/// The app-wide attention rules, set by the app on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// At most this many proactive messages per session.
    #[serde(
        default = "default_per_session",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_per_session: Option<u32>,
    /// At most this many in any 24 hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_day: Option<u32>,
    /// At least this many minutes between two different messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_gap_minutes: Option<f64>,
    /// Quiet hours after an unhappy conversation.
    #[serde(default = "default_unhappy_hours")]
    pub unhappy_quiet_hours: f64,
    /// App-wide control group, percent of users who see no proactive message.
    #[serde(default)]
    pub holdout_percent: f64,
    /// Seed of the app-wide control group's hash.
    #[serde(default = "default_seed")]
    pub holdout_seed: String,
}

fn default_per_session() -> Option<u32> {
    Some(3)
}

fn default_unhappy_hours() -> f64 {
    24.0
}

fn default_seed() -> String {
    "beckon-global-holdout".to_owned()
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_per_session: default_per_session(),
            max_per_day: None,
            min_gap_minutes: None,
            unhappy_quiet_hours: default_unhappy_hours(),
            holdout_percent: 0.0,
            holdout_seed: default_seed(),
        }
    }
}

/// What happened to one element a trigger watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct ElementFacts {
    /// It is in the page.
    pub present: bool,
    /// The user clicked it during this page view.
    pub clicked: bool,
    /// The pointer rested on it during this page view.
    pub hovered: bool,
}

/// What the SDK observed during the current page view.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
pub struct PageFacts {
    /// When this page view began (ms); a route change starts a new one.
    pub viewed_at: f64,
    /// Last keyboard, pointer or scroll input (ms).
    pub last_input_at: f64,
    /// Deepest scroll, percent of the scrollable height.
    pub scroll_percent: f64,
    /// The pointer left towards the browser's chrome.
    pub exit_intent: bool,
    /// Per CSS selector that a trigger names.
    pub elements: crate::vecmap::VecMap<ElementFacts>,
    /// Messages the app asked for through the API.
    pub api_triggered: crate::vecmap::VecSet,
}

/// Everything [`decide`] needs to know about now.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Now, ms since the epoch.
    pub now: f64,
    /// The user's key (hold-out groups hash it).
    pub user_key: &'a str,
    /// The page's URL.
    pub url: &'a str,
    /// The user's attributes, company attributes under `company`.
    pub attributes: &'a Value,
    /// Saved groups audiences may refer to.
    pub groups: &'a SavedGroups,
    /// The user's locale, e.g. `de-AT`.
    pub locale: Option<&'a str>,
    /// The user's offset from UTC in minutes (UTC+1 is 60).
    pub utc_offset_minutes: i32,
    /// How far this clock (`now`, and the state's times) is behind the
    /// server's, ms: schedules, instants of the real clock, are compared
    /// with `now + clock_skew`. 0 on the server.
    pub clock_skew: f64,
    /// When this session began (ms).
    pub session_start: f64,
    /// This page view's observations.
    pub page: &'a PageFacts,
    /// The messenger is open.
    pub messenger_open: bool,
    /// The user has an open conversation.
    pub conversation_open: bool,
    /// Messages on screen now.
    pub showing: &'a [String],
}

/// A message with its rules compiled.
#[derive(Debug, Clone)]
pub struct CompiledMessage {
    /// Its id.
    pub id: String,
    /// Its surface.
    pub kind: MessageKind,
    /// Higher wins.
    pub priority: i32,
    /// Compiled rules.
    pub targeting: CompiledTargeting,
    /// A tooltip's or hotspot's element (CSS selector), or the element of
    /// a tour's first step when that is a tooltip step on this page: it
    /// opens only once the element is on the page
    /// (`page.elements[anchor].present`).
    pub anchor: Option<String>,
    /// For a tour's first step: the page it lives on, if it names one.
    pub anchor_page: Option<String>,
}

impl CompiledMessage {
    /// Compiles one message's rules.
    pub fn compile(m: &Message) -> Result<Self> {
        let first_step = m.content.tour.as_ref().and_then(|t| t.steps.first());
        let (anchor, anchor_page) = match m.kind {
            MessageKind::Tooltip | MessageKind::Hotspot => {
                (m.content.anchor.as_ref().map(|a| a.selector.clone()), None)
            }
            MessageKind::Tour => match first_step {
                Some(step) if !step.is_modal() => (step.selector.clone(), step.page.clone()),
                _ => (None, None),
            },
            _ => (None, None),
        };
        Ok(Self {
            id: m.id.clone(),
            kind: m.kind,
            priority: m.priority,
            targeting: CompiledTargeting::compile(&m.targeting)?,
            anchor,
            anchor_page,
        })
    }
}

/// Compiles every message, highest priority first (ties by id, so every
/// caller orders them the same way). A message whose rules do not compile
/// is returned apart with its error instead of failing the rest.
pub fn compile_all(messages: &[Message]) -> (Vec<CompiledMessage>, Vec<(String, crate::Error)>) {
    let mut ok = Vec::with_capacity(messages.len());
    let mut bad = Vec::new();
    for m in messages {
        match CompiledMessage::compile(m) {
            Ok(c) => ok.push(c),
            Err(e) => bad.push((m.id.clone(), e)),
        }
    }
    crate::sort_small_by(&mut ok, |a, b| {
        b.priority.cmp(&a.priority).then_with(|| a.id.cmp(&b.id)) == std::cmp::Ordering::Less
    });
    (ok, bad)
}

/// The answer for one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Show it (or keep showing it).
    Show,
    /// It would be shown, but the user is in the control group: record the
    /// hold-out, show nothing.
    HoldOut(Reason),
    /// Not now, and why.
    Hidden(Reason),
}

/// A message and its decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The message.
    pub message_id: String,
    /// What to do.
    pub decision: Decision,
}

impl Verdict {
    /// Whether to show it.
    pub fn is_shown(&self) -> bool {
        self.decision == Decision::Show
    }

    /// One line for debug output: `welcome: shown` or `tour: trigger: …`.
    pub fn explain(&self) -> String {
        match &self.decision {
            Decision::Show => [self.message_id.as_str(), ": shown"].concat(),
            Decision::HoldOut(r) | Decision::Hidden(r) => {
                [self.message_id.as_str(), ": ", &r.to_string()].concat()
            }
        }
    }
}

/// The place on screen a kind of message takes; one message per place at a
/// time, except hotspots, which are meant to be several.
pub fn slot(kind: MessageKind) -> Option<&'static str> {
    match kind {
        MessageKind::Banner => Some("banner"),
        MessageKind::Tooltip => Some("tooltip"),
        MessageKind::Hotspot => None,
        MessageKind::Checklist => Some("checklist"),
        MessageKind::Tour | MessageKind::Post => Some("modal"),
    }
}

/// Gives `slot` to `id` unless a message holds it already.
fn take<'m>(taken: &mut Vec<(&'static str, &'m str)>, slot: &'static str, id: &'m str) {
    if !taken.iter().any(|(s, _)| *s == slot) {
        taken.push((slot, id));
    }
}

/// Decides every message for this user, now. `messages` must be in the
/// order [`compile_all`] gives (priority first).
pub fn decide(
    messages: &[CompiledMessage],
    ctx: &Context<'_>,
    state: &UserState,
    settings: &Settings,
) -> Vec<Verdict> {
    let mut verdicts = Vec::with_capacity(messages.len());
    // Slot → the message holding it; a handful of slots, so a vector (a
    // `BTreeMap<&str, &str>` cost the wasm about 4 KB).
    let mut taken: Vec<(&'static str, &str)> = Vec::new();
    // Messages on screen keep their place against newcomers, and so does a
    // tour the user is in the middle of, which goes on whatever its rules
    // say (on every page, until finished or skipped).
    let in_progress = |m: &CompiledMessage| {
        m.kind == MessageKind::Tour
            && state
                .message(&m.id)
                .is_some_and(|s| s.tour_step().is_some())
    };
    for m in messages {
        if ctx.showing.contains(&m.id) || in_progress(m) {
            if let Some(slot) = slot(m.kind) {
                take(&mut taken, slot, &m.id);
            }
            // A tour's own bubbles are tooltips: no other tooltip competes
            // with them for the user's eye.
            if let Some(tip) = slot(MessageKind::Tooltip).filter(|_| m.kind == MessageKind::Tour) {
                take(&mut taken, tip, &m.id);
            }
        }
    }
    let mut budget = checks::Budget::new(messages, ctx, state, settings);
    for m in messages {
        let showing = ctx.showing.contains(&m.id);
        if in_progress(m) {
            verdicts.push(Verdict {
                message_id: m.id.clone(),
                decision: Decision::Show,
            });
            continue;
        }
        let decision = match checks::eligibility(m, ctx, state, settings, showing) {
            Err(reason) => Decision::Hidden(reason),
            Ok(()) if showing => Decision::Show,
            Ok(()) => match checks::holdout(m, ctx, settings) {
                Some(reason) => Decision::HoldOut(reason),
                None => {
                    let slot = slot(m.kind);
                    let holder =
                        |s: &'static str| taken.iter().find(|(t, _)| *t == s).map(|(_, w)| (s, *w));
                    match slot.and_then(holder) {
                        Some((slot, winner)) => Decision::Hidden(Reason::LowerPriority {
                            winner: winner.to_owned(),
                            slot,
                        }),
                        None => match budget.charge(m) {
                            Err(miss) => Decision::Hidden(Reason::Budget(miss)),
                            Ok(()) => {
                                if let Some(s) = slot {
                                    take(&mut taken, s, &m.id);
                                }
                                Decision::Show
                            }
                        },
                    }
                }
            },
        };
        verdicts.push(Verdict {
            message_id: m.id.clone(),
            decision,
        });
    }
    verdicts
}

/// The earliest time after `ctx.now` at which a time-based rule (time on
/// page, idle, schedule start or end, a frequency gap, the budget's gap, the
/// unhappy quiet period) may change a decision; `None` if nothing will
/// change by waiting alone.
pub fn next_wake(
    messages: &[CompiledMessage],
    ctx: &Context<'_>,
    state: &UserState,
    settings: &Settings,
) -> Option<f64> {
    messages
        .iter()
        .filter_map(|m| checks::wake_for(m, ctx, state, settings))
        .filter(|t| *t > ctx.now)
        .reduce(f64::min)
}

/// Messages whose goal is reached now and was not recorded before: shown
/// (or held out, for the comparison) within the goal's window, and then the
/// goal event happened or the goal condition came to match.
pub fn goals_reached(
    messages: &[CompiledMessage],
    ctx: &Context<'_>,
    state: &UserState,
) -> Vec<String> {
    messages
        .iter()
        .filter(|m| checks::goal_reached(m, ctx, state))
        .map(|m| m.id.clone())
        .collect()
}

#[cfg(test)]
mod tests;
