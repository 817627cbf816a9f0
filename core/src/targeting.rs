//! Who sees a message, where and when: the authored rules of one message,
//! as JSON, and their compiled form.
//!
//! Authors write [`Targeting`]; [`CompiledTargeting::compile`] turns it
//! into something cheap to check on every page view (conditions compiled,
//! regexes built, dates parsed) and rejects a bad rule with the JSON path of
//! the fault, so the server refuses it at save time and it never reaches a
//! browser.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::condition::Condition;
use crate::json::FromJson;
use crate::time::parse_rfc3339_ms;
use crate::{Error, Result};

/// The rules of one message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Targeting {
    /// A GrowthBook condition over the user's attributes (company attributes
    /// under `company`). Absent: everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Value>,
    /// Pages the message may appear on.
    #[serde(default, skip_serializing_if = "PageRules::is_empty")]
    pub pages: PageRules,
    /// What makes it appear once the rest allows it. Default: page view.
    #[serde(default)]
    pub trigger: Trigger,
    /// When it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Locales it is for (`de` matches `de-AT`); empty: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locales: Vec<String>,
    /// How often one user may see it.
    #[serde(default)]
    pub frequency: Frequency,
    /// Percentage (0–100) of users held back as a control group.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub holdout_percent: f64,
    /// What counts as the message having worked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<Goal>,
    /// Essential messages (an outage notice) ignore the attention budget and
    /// the suppression after an unhappy conversation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub essential: bool,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// Include and exclude lists of URL rules. An empty include list means every
/// page; an exclude match always wins.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct PageRules {
    /// The page must match one of these (or the list is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<UrlRule>,
    /// The page must match none of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<UrlRule>,
}

impl PageRules {
    fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }
}

/// How a URL rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum UrlMatch {
    /// The path (or full URL, if the pattern has a scheme) is exactly this;
    /// a query string or fragment on the page does not stop a match.
    Equals,
    /// Contains this.
    Contains,
    /// Starts with this.
    StartsWith,
    /// Ends with this (query and fragment ignored).
    EndsWith,
    /// An ECMAScript regular expression tested against the full URL.
    Regex,
}

/// One URL rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct UrlRule {
    /// How to compare.
    #[serde(rename = "match")]
    pub kind: UrlMatch,
    /// What to compare with.
    pub value: String,
}

/// Where on an element a trigger listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum ElementAction {
    /// The element is in the page (now or later).
    Present,
    /// The user clicked it.
    Clicked,
    /// The pointer rested on it.
    Hovered,
}

/// What makes an eligible message appear. (Read through [`FromJson`]:
/// serde's derive of an internally tagged enum buffers the object in its
/// `Content` tree, a second deserializer in the wasm.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, FromJson)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// As soon as the page is viewed.
    #[default]
    PageView,
    /// The user did something the app tracks, `count` times within the
    /// window (or ever).
    Event {
        /// The event's name, as passed to `track`.
        name: String,
        /// How many times (default 1).
        #[serde(default = "one")]
        count: u32,
        /// The window, in hours; absent: ever.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within_hours: Option<f64>,
    },
    /// Something happens to an element matched by a CSS selector.
    Element {
        /// CSS selector.
        selector: String,
        /// What must happen to it.
        on: ElementAction,
    },
    /// The user has been on the page this long.
    TimeOnPage {
        /// Seconds.
        seconds: f64,
    },
    /// The user scrolled this far down the page.
    Scroll {
        /// Percent of the scrollable height, 0–100.
        percent: f64,
    },
    /// The pointer left the window towards the browser's chrome.
    ExitIntent,
    /// No input for this long.
    Idle {
        /// Seconds.
        seconds: f64,
    },
    /// Only when the app calls the API for it.
    Api,
}

crate::deserialize_with_from_json!(Trigger);

fn one() -> u32 {
    1
}

/// When a message runs: between two instants, on some days and hours in
/// the user's own time zone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// RFC 3339 instant it starts, e.g. `2026-12-01T09:00:00Z`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// RFC 3339 instant it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Days of the week, 0 = Sunday … 6 = Saturday; empty: every day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<u8>,
    /// Hours of the day `[from, to)`, 0–24; `from > to` wraps midnight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<[u8; 2]>,
}

/// How often one user may see a message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum ShowUntil {
    /// Once, ever.
    Once,
    /// On every eligible page until the user closes it.
    #[default]
    Dismissed,
    /// Until the user finishes it (tours, checklists).
    Completed,
    /// Whenever eligible (limited by the other fields and the budget).
    Always,
}

/// Frequency rules; all that are set must allow a showing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Frequency {
    /// The basic rule.
    #[serde(default)]
    pub show: ShowUntil,
    /// At most this many showings in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_times: Option<u32>,
    /// At least this many days between two showings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_days: Option<f64>,
}

/// What marks a shown message as having worked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// The user does this tracked event after seeing the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Or the user's attributes come to match this condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
    /// How long after the first showing the goal still counts (default 7).
    #[serde(default = "seven", skip_serializing_if = "is_seven")]
    pub within_days: f64,
}

fn seven() -> f64 {
    7.0
}

fn is_seven(x: &f64) -> bool {
    *x == 7.0
}

/// A URL rule ready to test.
#[derive(Debug, Clone)]
pub struct CompiledUrlRule {
    kind: UrlMatch,
    value: String,
    regex: Option<Condition>,
}

/// The part of a URL rules compare with: the whole URL when the pattern has
/// a scheme, otherwise path + query + fragment, so authors write `/pricing`.
fn subject<'a>(url: &'a str, pattern: &str) -> &'a str {
    if pattern.contains("://") {
        return url;
    }
    match url.find("://") {
        Some(scheme_end) => {
            let rest = &url[scheme_end + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        }
        None => url,
    }
}

fn without_query(s: &str) -> &str {
    s.split(['?', '#']).next().unwrap_or(s)
}

impl CompiledUrlRule {
    fn compile(rule: &UrlRule, path: &str) -> Result<Self> {
        let regex = match rule.kind {
            UrlMatch::Regex => {
                if !crate::condition::is_valid_regex(&rule.value) {
                    return Err(Error::InvalidRule {
                        path: [path, ".value"].concat(),
                        reason: ["not a valid regular expression: ", &rule.value].concat(),
                    });
                }
                let cond = serde_json::json!({ "url": { "$regex": rule.value } });
                Some(Condition::compile(&cond)?)
            }
            _ => None,
        };
        Ok(Self {
            kind: rule.kind,
            value: rule.value.clone(),
            regex,
        })
    }

    /// Whether `url` satisfies this rule.
    pub fn matches(&self, url: &str) -> bool {
        let s = subject(url, &self.value);
        match self.kind {
            UrlMatch::Equals => s == self.value || without_query(s) == self.value,
            UrlMatch::Contains => s.contains(&self.value),
            UrlMatch::StartsWith => s.starts_with(&self.value),
            UrlMatch::EndsWith => {
                s.ends_with(&self.value) || without_query(s).ends_with(&self.value)
            }
            UrlMatch::Regex => self.regex.as_ref().is_some_and(|c| {
                c.eval(
                    &serde_json::json!({ "url": url }),
                    &crate::condition::SavedGroups::default(),
                )
            }),
        }
    }
}

/// Page rules ready to test.
#[derive(Debug, Clone, Default)]
pub struct CompiledPages {
    include: Vec<CompiledUrlRule>,
    exclude: Vec<CompiledUrlRule>,
}

impl CompiledPages {
    /// Compiles include and exclude lists; `path` is where they sit in JSON.
    pub fn compile(rules: &PageRules, path: &str) -> Result<Self> {
        let list = |rules: &[UrlRule], which: &str| -> Result<Vec<CompiledUrlRule>> {
            rules
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    CompiledUrlRule::compile(
                        r,
                        &[path, ".", which, "[", &i.to_string(), "]"].concat(),
                    )
                })
                .collect()
        };
        Ok(Self {
            include: list(&rules.include, "include")?,
            exclude: list(&rules.exclude, "exclude")?,
        })
    }

    /// Whether a message with these rules may appear at `url`.
    pub fn matches(&self, url: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|r| r.matches(url)))
            && !self.exclude.iter().any(|r| r.matches(url))
    }
}

/// A schedule with its instants parsed.
#[derive(Debug, Clone, Default)]
pub struct CompiledSchedule {
    /// Start, ms since the epoch.
    pub start: Option<f64>,
    /// End, ms since the epoch.
    pub end: Option<f64>,
    /// Allowed weekdays as a bit set (bit 0 = Sunday); 0 means all.
    pub days: u8,
    /// `[from, to)` hours.
    pub hours: Option<[u8; 2]>,
}

impl CompiledSchedule {
    fn compile(s: &Schedule, path: &str) -> Result<Self> {
        let instant = |v: &Option<String>, field: &str| -> Result<Option<f64>> {
            v.as_deref()
                .map(|text| {
                    parse_rfc3339_ms(text).ok_or_else(|| Error::InvalidRule {
                        path: [path, ".", field].concat(),
                        reason: ["not an RFC 3339 date-time: ", text].concat(),
                    })
                })
                .transpose()
        };
        let mut days = 0u8;
        for (i, d) in s.days.iter().enumerate() {
            if *d > 6 {
                return Err(Error::InvalidRule {
                    path: [path, ".days[", &i.to_string(), "]"].concat(),
                    reason: "days are 0 (Sunday) to 6 (Saturday)".into(),
                });
            }
            days |= 1 << d;
        }
        if let Some([from, to]) = s.hours {
            if from > 24 || to > 24 {
                return Err(Error::InvalidRule {
                    path: [path, ".hours"].concat(),
                    reason: "hours are 0 to 24".into(),
                });
            }
        }
        let compiled = Self {
            start: instant(&s.start, "start")?,
            end: instant(&s.end, "end")?,
            days,
            hours: s.hours,
        };
        if let (Some(a), Some(b)) = (compiled.start, compiled.end) {
            if a >= b {
                return Err(Error::InvalidRule {
                    path: [path, ".end"].concat(),
                    reason: "end is not after start".into(),
                });
            }
        }
        Ok(compiled)
    }
}

/// A goal with its condition compiled.
#[derive(Debug, Clone)]
pub struct CompiledGoal {
    /// Event name that reaches it.
    pub event: Option<String>,
    /// Attribute condition that reaches it.
    pub condition: Option<Condition>,
    /// Window after the first showing, ms.
    pub within_ms: f64,
}

/// Everything of [`Targeting`], ready to evaluate many times.
#[derive(Debug, Clone)]
pub struct CompiledTargeting {
    /// Compiled audience.
    pub audience: Option<Condition>,
    /// Compiled page rules.
    pub pages: CompiledPages,
    /// The trigger as authored (it has nothing to compile).
    pub trigger: Trigger,
    /// Parsed schedule.
    pub schedule: Option<CompiledSchedule>,
    /// Lower-cased locales.
    pub locales: Vec<String>,
    /// Frequency rules.
    pub frequency: Frequency,
    /// Hold-out share, 0–1.
    pub holdout: f64,
    /// Compiled goal.
    pub goal: Option<CompiledGoal>,
    /// Bypasses budget and suppression.
    pub essential: bool,
}

fn invalid(path: &str, reason: &str) -> Error {
    Error::InvalidRule {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Re-roots a condition's error path (`$…`) under `prefix`.
fn under(prefix: &str, e: Error) -> Error {
    match e {
        Error::InvalidRule { path, reason } => Error::InvalidRule {
            path: [prefix, path.trim_start_matches('$')].concat(),
            reason,
        },
        other => other,
    }
}

impl CompiledTargeting {
    /// Compiles and checks every rule; an error's path starts at
    /// `targeting`.
    pub fn compile(t: &Targeting) -> Result<Self> {
        let audience = t
            .audience
            .as_ref()
            .map(|a| Condition::compile(a).map_err(|e| under("targeting.audience", e)))
            .transpose()?;
        match &t.trigger {
            Trigger::Event { name, count, .. } if name.is_empty() || *count == 0 => {
                return Err(invalid(
                    "targeting.trigger",
                    "an event trigger needs a name and a count of at least 1",
                ))
            }
            Trigger::Element { selector, .. } if selector.trim().is_empty() => {
                return Err(invalid("targeting.trigger.selector", "empty selector"))
            }
            Trigger::Scroll { percent } if !(0.0..=100.0).contains(percent) => {
                return Err(invalid("targeting.trigger.percent", "0 to 100"))
            }
            Trigger::TimeOnPage { seconds } | Trigger::Idle { seconds }
                if !seconds.is_finite() || *seconds < 0.0 =>
            {
                return Err(invalid(
                    "targeting.trigger.seconds",
                    "a number of seconds ≥ 0",
                ))
            }
            _ => {}
        }
        if !(0.0..=100.0).contains(&t.holdout_percent) {
            return Err(invalid("targeting.holdout_percent", "0 to 100"));
        }
        if t.frequency.max_times == Some(0) {
            return Err(invalid("targeting.frequency.max_times", "at least 1"));
        }
        let goal = t
            .goal
            .as_ref()
            .map(|g| -> Result<CompiledGoal> {
                if g.event.is_none() && g.condition.is_none() {
                    return Err(invalid("targeting.goal", "needs an event or a condition"));
                }
                Ok(CompiledGoal {
                    event: g.event.clone(),
                    condition: g
                        .condition
                        .as_ref()
                        .map(|c| {
                            Condition::compile(c).map_err(|e| under("targeting.goal.condition", e))
                        })
                        .transpose()?,
                    within_ms: g.within_days * crate::time::DAY_MS,
                })
            })
            .transpose()?;
        Ok(Self {
            audience,
            pages: CompiledPages::compile(&t.pages, "targeting.pages")?,
            trigger: t.trigger.clone(),
            schedule: t
                .schedule
                .as_ref()
                .map(|s| CompiledSchedule::compile(s, "targeting.schedule"))
                .transpose()?,
            locales: t.locales.iter().map(|l| l.to_ascii_lowercase()).collect(),
            frequency: t.frequency,
            holdout: t.holdout_percent / 100.0,
            goal,
            essential: t.essential,
        })
    }
}

/// Whether `locale` (e.g. `de-AT`) is one of `wanted` (`de`, `de-at`):
/// equal, or `wanted` is its language.
pub fn locale_matches(wanted: &[String], locale: Option<&str>) -> bool {
    if wanted.is_empty() {
        return true;
    }
    let Some(locale) = locale else { return false };
    let locale = locale.to_ascii_lowercase().replace('_', "-");
    wanted.iter().any(|w| {
        locale == *w
            || (locale.len() > w.len()
                && locale.starts_with(w.as_str())
                && locale.as_bytes()[w.len()] == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pages(v: Value) -> CompiledPages {
        let rules: PageRules = serde_json::from_value(v).expect("rules");
        CompiledPages::compile(&rules, "p").expect("compile")
    }

    #[test]
    fn equals_compares_the_path_ignoring_query() {
        let p = pages(json!({"include": [{"match": "equals", "value": "/pricing"}]}));
        assert!(p.matches("https://app.example/pricing"));
        assert!(p.matches("https://app.example/pricing?ref=x"));
        assert!(!p.matches("https://app.example/pricing/team"));
    }

    #[test]
    fn full_url_patterns_compare_the_full_url() {
        let p =
            pages(json!({"include": [{"match": "starts_with", "value": "https://app.example/"}]}));
        assert!(p.matches("https://app.example/a"));
        assert!(!p.matches("https://other.example/a"));
    }

    #[test]
    fn exclude_wins_over_include_and_empty_means_everywhere() {
        let p = pages(json!({
            "include": [{"match": "starts_with", "value": "/app"}],
            "exclude": [{"match": "contains", "value": "settings"}]}));
        assert!(p.matches("http://h/app/home"));
        assert!(!p.matches("http://h/app/settings"));
        assert!(!p.matches("http://h/"));
        assert!(pages(json!({})).matches("http://h/anything"));
    }

    #[test]
    fn regex_rules_test_the_full_url_and_bad_ones_are_rejected_with_their_path() {
        let p = pages(json!({"include": [{"match": "regex", "value": "/projects/\\d+/edit$"}]}));
        assert!(p.matches("https://h/projects/42/edit"));
        assert!(!p.matches("https://h/projects/x/edit"));
        let bad: PageRules =
            serde_json::from_value(json!({"exclude": [{"match": "ends_with", "value": "x"}, {"match": "regex", "value": "(unclosed"}]}))
                .expect("rules");
        let err = CompiledPages::compile(&bad, "targeting.pages").unwrap_err();
        assert!(
            err.to_string().contains("targeting.pages.exclude[1].value"),
            "{err}"
        );
    }

    #[test]
    fn audience_errors_are_rooted_at_targeting() {
        let t: Targeting = serde_json::from_value(json!({"audience": {"$or": null}})).expect("t");
        let err = CompiledTargeting::compile(&t).unwrap_err();
        assert!(err.to_string().contains("targeting.audience"), "{err}");
    }

    /// The derive the hand-written `Deserialize` replaced, kept to check
    /// that both accept and refuse the same documents with the same texts.
    #[derive(Debug, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    enum Derived {
        PageView,
        Event {
            name: String,
            #[serde(default = "one")]
            count: u32,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            within_hours: Option<f64>,
        },
        Element {
            selector: String,
            on: ElementAction,
        },
        TimeOnPage {
            seconds: f64,
        },
        Scroll {
            percent: f64,
        },
        ExitIntent,
        Idle {
            seconds: f64,
        },
        Api,
    }

    #[test]
    fn triggers_read_as_the_derive_read_them() {
        for doc in [
            json!({"type": "page_view"}),
            json!({"type": "page_view", "extra": 1}),
            json!({"type": "event", "name": "x"}),
            json!({"type": "event", "name": "x", "count": 3, "within_hours": 1.5}),
            json!({"type": "event", "name": "x", "within_hours": null}),
            json!({"type": "event", "name": "x", "cnt": 2}),
            json!({"type": "event", "count": 2}),
            json!({"type": "event", "name": 5}),
            json!({"type": "event", "name": "x", "count": -1}),
            json!({"type": "element", "selector": "#a", "on": "clicked"}),
            json!({"type": "element", "selector": "#a", "on": "tapped"}),
            json!({"type": "time_on_page", "seconds": 3}),
            json!({"type": "scroll", "percent": "half"}),
            json!({"type": "idle"}),
            json!({"type": "exit_intent"}),
            json!({"type": "api"}),
            json!({"type": "teleport"}),
            json!({"type": 3}),
            json!({"name": "x"}),
            json!("page_view"),
            json!([1]),
        ] {
            let ours = serde_json::from_value::<Trigger>(doc.clone())
                .map(|t| serde_json::to_value(t).expect("json"))
                .map_err(|e| e.to_string());
            let derived = serde_json::from_value::<Derived>(doc.clone())
                .map(|t| serde_json::to_value(t).expect("json"))
                .map_err(|e| e.to_string());
            assert_eq!(
                ours.is_ok(),
                derived.is_ok(),
                "{doc}: {ours:?} / {derived:?}"
            );
            // Same values, same error texts; only a document that is not an
            // object is worded differently ("expected a map").
            if doc.is_object() {
                assert_eq!(ours, derived, "{doc}");
            }
        }
    }

    #[test]
    fn unknown_trigger_fields_and_kinds_are_refused() {
        assert!(
            serde_json::from_value::<Trigger>(json!({"type": "event", "name": "x", "cnt": 2}))
                .is_err()
        );
        assert!(serde_json::from_value::<Trigger>(json!({"type": "teleport"})).is_err());
        let t: Trigger = serde_json::from_value(json!({"type": "event", "name": "x"})).expect("t");
        assert_eq!(
            t,
            Trigger::Event {
                name: "x".into(),
                count: 1,
                within_hours: None
            }
        );
    }

    #[test]
    fn schedule_checks_dates_days_and_order() {
        let ok = Schedule {
            start: Some("2026-12-01T09:00:00Z".into()),
            end: Some("2026-12-02T09:00:00+01:00".into()),
            days: vec![1, 5],
            hours: Some([9, 17]),
        };
        let c = CompiledSchedule::compile(&ok, "s").expect("ok");
        assert_eq!(c.days, 0b100010);
        let mut bad = ok.clone();
        bad.start = Some("1 Dec".into());
        assert!(CompiledSchedule::compile(&bad, "s")
            .unwrap_err()
            .to_string()
            .contains("s.start"));
        let mut reversed = ok.clone();
        reversed.end = Some("2026-11-01T00:00:00Z".into());
        assert!(CompiledSchedule::compile(&reversed, "s").is_err());
        let mut day = ok;
        day.days = vec![7];
        assert!(CompiledSchedule::compile(&day, "s")
            .unwrap_err()
            .to_string()
            .contains("s.days[0]"));
    }

    #[test]
    fn locales_match_language_or_exact_tag() {
        let wanted = vec!["de".to_owned(), "fr-ca".to_owned()];
        assert!(locale_matches(&wanted, Some("de-AT")));
        assert!(locale_matches(&wanted, Some("de")));
        assert!(locale_matches(&wanted, Some("fr-CA")));
        assert!(!locale_matches(&wanted, Some("fr-FR")));
        assert!(!locale_matches(&wanted, Some("den")));
        assert!(!locale_matches(&wanted, None));
        assert!(locale_matches(&[], None));
    }
}
