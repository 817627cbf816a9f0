//! The individual rules [`super::decide`] applies, each answering why not.

use super::reason::{BudgetMiss, FrequencyMiss, Reason, ScheduleMiss, Suppression};
use super::{CompiledMessage, Context, Settings};
use crate::condition::js_number;
use crate::state::UserState;
use crate::targeting::{locale_matches, CompiledSchedule, ElementAction, ShowUntil, Trigger};
use crate::time::{local_weekday_hour, DAY_MS, HOUR_MS};

/// Every rule that depends on this message alone, in the order their
/// explanations are most useful: where, who, when, how often, what
/// happened, and whether proactive messages are welcome now. A message on
/// screen is only re-checked for the rules that can change under it.
pub(super) fn eligibility(
    m: &CompiledMessage,
    ctx: &Context<'_>,
    state: &UserState,
    settings: &Settings,
    showing: bool,
) -> Result<(), Reason> {
    let t = &m.targeting;
    if !t.pages.matches(ctx.url) {
        return Err(Reason::Page {
            url: ctx.url.to_owned(),
        });
    }
    if let Some(audience) = &t.audience {
        if !audience.eval(ctx.attributes, ctx.groups) {
            let why = audience
                .explain(ctx.attributes, ctx.groups)
                .unwrap_or_else(|| "did not match".to_owned());
            return Err(Reason::Audience(why));
        }
    }
    if !locale_matches(&t.locales, ctx.locale) {
        return Err(Reason::Locale {
            locale: ctx.locale.map(str::to_owned),
            wanted: t.locales.clone(),
        });
    }
    if let Some(s) = &t.schedule {
        schedule(s, ctx).map_err(Reason::Schedule)?;
    }
    frequency(m, ctx, state, showing).map_err(Reason::Frequency)?;
    if showing {
        return Ok(());
    }
    if !ctx.page.api_triggered.contains(&m.id) {
        trigger(&t.trigger, ctx, state).map_err(Reason::Trigger)?;
    }
    // A tooltip with nothing to point at would be counted as shown (a
    // "show once" spent) while the user sees nothing. Once open, it follows
    // its element, which a re-render may replace for a moment. A tour waits
    // so for its first step's element on that step's page; a tour in
    // progress goes on where it was.
    let waits_for_anchor = match m.kind {
        crate::protocol::MessageKind::Tour => {
            state.message(&m.id).and_then(|s| s.tour_step()).is_none()
                && m.anchor_page
                    .as_deref()
                    .is_none_or(|p| crate::content::page_matches(p, ctx.url))
        }
        _ => true,
    };
    if let (Some(anchor), true) = (&m.anchor, waits_for_anchor) {
        if !ctx.page.elements.get(anchor).is_some_and(|f| f.present) {
            return Err(Reason::Trigger(
                ["waiting for its element ", anchor, " to be on the page"].concat(),
            ));
        }
    }
    if !t.essential {
        suppression(ctx, state, settings).map_err(Reason::Suppressed)?;
    }
    Ok(())
}

fn schedule(s: &CompiledSchedule, ctx: &Context<'_>) -> Result<(), ScheduleMiss> {
    // The real time: a browser's clock may be off by days.
    let now = ctx.now + ctx.clock_skew;
    if s.start.is_some_and(|start| now < start) {
        return Err(ScheduleMiss::NotStarted);
    }
    if s.end.is_some_and(|end| now >= end) {
        return Err(ScheduleMiss::Ended);
    }
    let (day, hour) = local_weekday_hour(now, ctx.utc_offset_minutes);
    if s.days != 0 && s.days & (1 << day) == 0 {
        return Err(ScheduleMiss::Day(day));
    }
    if let Some([from, to]) = s.hours {
        let inside = match from.cmp(&to) {
            std::cmp::Ordering::Less => (from..to).contains(&hour),
            std::cmp::Ordering::Greater => hour >= from || hour < to,
            std::cmp::Ordering::Equal => true,
        };
        if !inside {
            return Err(ScheduleMiss::Hour(hour));
        }
    }
    Ok(())
}

fn frequency(
    m: &CompiledMessage,
    ctx: &Context<'_>,
    state: &UserState,
    showing: bool,
) -> Result<(), FrequencyMiss> {
    let f = &m.targeting.frequency;
    let Some(ms) = state.message(&m.id) else {
        return Ok(());
    };
    if f.show != ShowUntil::Always && ms.completed_at.is_some() {
        return Err(FrequencyMiss::Completed);
    }
    if f.show == ShowUntil::Dismissed && ms.dismissed_at.is_some() {
        return Err(FrequencyMiss::Dismissed);
    }
    if showing {
        // The showing on screen is already counted; only closing or
        // finishing it can take it away.
        return Ok(());
    }
    let shown = ms.shown_count();
    if f.show == ShowUntil::Once && shown > 0 {
        return Err(FrequencyMiss::Once);
    }
    if let Some(max) = f.max_times {
        if shown >= max {
            return Err(FrequencyMiss::MaxTimes { shown, max });
        }
    }
    if let (Some(days), Some(last)) = (f.every_days, ms.shown.last()) {
        let ago_ms = ctx.now - last;
        if ago_ms < days * DAY_MS {
            return Err(FrequencyMiss::TooSoon {
                ago_ms,
                every_days: days,
            });
        }
    }
    Ok(())
}

fn trigger(t: &Trigger, ctx: &Context<'_>, state: &UserState) -> Result<(), String> {
    let page = ctx.page;
    match t {
        Trigger::PageView => Ok(()),
        Trigger::Event {
            name,
            count,
            within_hours,
        } => {
            let since = within_hours.map(|h| ctx.now - h * HOUR_MS);
            let n = state.event_count(name, since);
            if n >= *count {
                Ok(())
            } else {
                let window = within_hours
                    .map(|h| [" in ", &js_number(h), " h"].concat())
                    .unwrap_or_default();
                Err(format!("waiting for event {name} ({n} of {count}{window})"))
            }
        }
        Trigger::Element { selector, on } => {
            let facts = page.elements.get(selector).copied().unwrap_or_default();
            let (done, what) = match on {
                ElementAction::Present => (facts.present, "present"),
                ElementAction::Clicked => (facts.clicked, "clicked"),
                ElementAction::Hovered => (facts.hovered, "hovered"),
            };
            if done {
                Ok(())
            } else {
                Err(format!("waiting for {selector} to be {what}"))
            }
        }
        Trigger::TimeOnPage { seconds } => {
            let so_far = (ctx.now - page.viewed_at) / 1000.0;
            if so_far >= *seconds {
                Ok(())
            } else {
                Err(format!(
                    "waiting for {} s on page ({} s so far)",
                    js_number(*seconds),
                    js_number(so_far.floor())
                ))
            }
        }
        Trigger::Scroll { percent } => {
            if page.scroll_percent >= *percent {
                Ok(())
            } else {
                Err(format!(
                    "waiting for scroll to {}% ({}% so far)",
                    js_number(*percent),
                    js_number(page.scroll_percent.floor())
                ))
            }
        }
        Trigger::ExitIntent => {
            if page.exit_intent {
                Ok(())
            } else {
                Err("waiting for exit intent".to_owned())
            }
        }
        Trigger::Idle { seconds } => {
            if (ctx.now - page.last_input_at) / 1000.0 >= *seconds {
                Ok(())
            } else {
                Err(format!(
                    "waiting for {} s without input",
                    js_number(*seconds)
                ))
            }
        }
        Trigger::Api => Err("only when started through the API".to_owned()),
    }
}

fn suppression(ctx: &Context<'_>, state: &UserState, s: &Settings) -> Result<(), Suppression> {
    if ctx.messenger_open {
        return Err(Suppression::MessengerOpen);
    }
    if ctx.conversation_open {
        return Err(Suppression::OpenConversation);
    }
    if let Some(at) = state.unhappy_at {
        let ago_ms = ctx.now - at;
        if ago_ms < s.unhappy_quiet_hours * HOUR_MS {
            return Err(Suppression::Unhappy {
                ago_ms,
                quiet_hours: s.unhappy_quiet_hours,
            });
        }
    }
    Ok(())
}

/// GrowthBook's hash (v2) of the user's key with `seed`, below `share`.
fn in_group(seed: &str, user_key: &str, share: f64) -> bool {
    share > 0.0 && crate::hash::hash(seed, user_key, 2).is_some_and(|n| n < share)
}

/// The control groups: the app-wide one, then the message's own. Both are
/// a deterministic hash, so the user is in the same group on every device
/// and in every tool that uses GrowthBook's hash.
pub(super) fn holdout(m: &CompiledMessage, ctx: &Context<'_>, s: &Settings) -> Option<Reason> {
    if m.targeting.essential {
        return None;
    }
    if in_group(&s.holdout_seed, ctx.user_key, s.holdout_percent / 100.0) {
        return Some(Reason::HoldOut {
            global: true,
            percent: s.holdout_percent,
        });
    }
    if in_group(&m.id, ctx.user_key, m.targeting.holdout) {
        return Some(Reason::HoldOut {
            global: false,
            percent: m.targeting.holdout * 100.0,
        });
    }
    None
}

/// The attention budget as it stands during one [`super::decide`] pass:
/// which proactive messages were shown this session and in the last day,
/// and when the last one appeared. A message already shown this session
/// has paid and is not charged again.
pub(super) struct Budget<'s> {
    /// Distinct ids; a few per session, so vectors (a `BTreeSet<&str>` cost
    /// the wasm about 4 KB).
    session: Vec<&'s str>,
    day: Vec<&'s str>,
    last_shown: Option<f64>,
    now: f64,
    settings: &'s Settings,
}

impl<'s> Budget<'s> {
    pub(super) fn new(
        messages: &'s [CompiledMessage],
        ctx: &Context<'_>,
        state: &UserState,
        settings: &'s Settings,
    ) -> Self {
        let mut budget = Budget {
            session: Vec::new(),
            day: Vec::new(),
            last_shown: None,
            now: ctx.now,
            settings,
        };
        for m in messages.iter().filter(|m| !m.targeting.essential) {
            let Some(last) = state.message(&m.id).and_then(|s| s.shown.last()) else {
                continue;
            };
            if last >= ctx.session_start && !budget.session.contains(&m.id.as_str()) {
                budget.session.push(&m.id);
            }
            if last >= ctx.now - DAY_MS && !budget.day.contains(&m.id.as_str()) {
                budget.day.push(&m.id);
            }
            budget.last_shown = Some(budget.last_shown.map_or(last, |t: f64| t.max(last)));
        }
        budget
    }

    pub(super) fn charge(&mut self, m: &'s CompiledMessage) -> Result<(), BudgetMiss> {
        if m.targeting.essential || self.session.contains(&m.id.as_str()) {
            return Ok(());
        }
        let count = |set: &Vec<&str>| u32::try_from(set.len()).unwrap_or(u32::MAX);
        if let Some(max) = self.settings.max_per_session {
            if count(&self.session) >= max {
                return Err(BudgetMiss::Session {
                    shown: count(&self.session),
                    max,
                });
            }
        }
        if let Some(max) = self.settings.max_per_day {
            if !self.day.contains(&m.id.as_str()) && count(&self.day) >= max {
                return Err(BudgetMiss::Day {
                    shown: count(&self.day),
                    max,
                });
            }
        }
        if let (Some(gap), Some(last)) = (self.settings.min_gap_minutes, self.last_shown) {
            let ago_ms = self.now - last;
            if ago_ms < gap * 60_000.0 {
                return Err(BudgetMiss::Gap {
                    ago_ms,
                    min_minutes: gap,
                });
            }
        }
        // Not in `session` (checked above); perhaps already in `day`.
        self.session.push(&m.id);
        if !self.day.contains(&m.id.as_str()) {
            self.day.push(&m.id);
        }
        self.last_shown = Some(self.now);
        Ok(())
    }
}

/// When a time-based rule of this message may next change its answer.
pub(super) fn wake_for(
    m: &CompiledMessage,
    ctx: &Context<'_>,
    state: &UserState,
    settings: &Settings,
) -> Option<f64> {
    let t = &m.targeting;
    let mut times: Vec<f64> = Vec::new();
    match t.trigger {
        Trigger::TimeOnPage { seconds } => times.push(ctx.page.viewed_at + seconds * 1000.0),
        Trigger::Idle { seconds } => times.push(ctx.page.last_input_at + seconds * 1000.0),
        _ => {}
    }
    if let Some(s) = &t.schedule {
        // Instants of the real clock, in this clock.
        let skew = ctx.clock_skew;
        times.extend(s.start.map(|t| t - skew));
        times.extend(s.end.map(|t| t - skew));
        if s.days != 0 || s.hours.is_some() {
            times.push(((ctx.now + skew) / HOUR_MS).floor() * HOUR_MS + HOUR_MS - skew);
        }
    }
    let ms = state.message(&m.id);
    if let (Some(days), Some(last)) = (t.frequency.every_days, ms.and_then(|s| s.shown.last())) {
        times.push(last + days * DAY_MS);
    }
    if let Some(at) = state.unhappy_at {
        times.push(at + settings.unhappy_quiet_hours * HOUR_MS);
    }
    if let Some(gap) = settings.min_gap_minutes {
        let last = state
            .messages
            .values()
            .filter_map(|s| s.shown.last())
            .reduce(f64::max);
        times.extend(last.map(|l| l + gap * 60_000.0));
    }
    times.into_iter().filter(|x| *x > ctx.now).reduce(f64::min)
}

/// Whether this message's goal is reached now for the first time.
pub(super) fn goal_reached(m: &CompiledMessage, ctx: &Context<'_>, state: &UserState) -> bool {
    let Some(goal) = &m.targeting.goal else {
        return false;
    };
    let Some(ms) = state.message(&m.id) else {
        return false;
    };
    let Some(first) = ms.first_at else {
        return false;
    };
    if ms.goal_at.is_some() {
        return false;
    }
    let until = first + goal.within_ms;
    let by_event = goal.event.as_ref().is_some_and(|name| {
        state
            .events
            .get(name)
            .is_some_and(|h| h.recent.values().any(|&ts| ts >= first && ts <= until))
    });
    let by_condition = ctx.now <= until
        && goal
            .condition
            .as_ref()
            .is_some_and(|c| c.eval(ctx.attributes, ctx.groups));
    by_event || by_condition
}

/// Used by tests: a map from id to message, to look verdicts up by id.
#[cfg(test)]
pub(super) fn by_id(v: &[super::Verdict]) -> std::collections::BTreeMap<&str, &super::Decision> {
    v.iter()
        .map(|x| (x.message_id.as_str(), &x.decision))
        .collect()
}
