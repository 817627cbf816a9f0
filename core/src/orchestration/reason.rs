//! Why a message is not shown now, as data (for the server's preview and
//! tests) that prints as one short line (for the SDK's debug mode).

use std::fmt;

use crate::condition::js_number;

/// The first rule that kept a message off the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The page rules do not include this URL.
    Page {
        /// The page's URL.
        url: String,
    },
    /// The audience condition failed; the text names the first failing leaf.
    Audience(String),
    /// The user's locale is not one the message is for.
    Locale {
        /// The user's locale.
        locale: Option<String>,
        /// The message's locales.
        wanted: Vec<String>,
    },
    /// Outside the schedule.
    Schedule(ScheduleMiss),
    /// The frequency rules say no.
    Frequency(FrequencyMiss),
    /// The trigger has not fired yet.
    Trigger(String),
    /// Proactive messages keep away for now.
    Suppressed(Suppression),
    /// The user is in the control group.
    HoldOut {
        /// The app-wide group rather than the message's own.
        global: bool,
        /// Its share, in percent.
        percent: f64,
    },
    /// The attention budget is spent.
    Budget(BudgetMiss),
    /// Another message takes the same place on screen.
    LowerPriority {
        /// The message that won.
        winner: String,
        /// The place, e.g. `banner`.
        slot: &'static str,
    },
}

/// How a message is outside its schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum ScheduleMiss {
    /// Starts later.
    NotStarted,
    /// Already over.
    Ended,
    /// Not on this weekday (0 = Sunday).
    Day(u8),
    /// Not at this hour.
    Hour(u8),
}

/// Which frequency rule says no.
#[derive(Debug, Clone, PartialEq)]
pub enum FrequencyMiss {
    /// Shown once and it is a once-only message.
    Once,
    /// The user closed it.
    Dismissed,
    /// The user finished it.
    Completed,
    /// Shown as many times as allowed.
    MaxTimes {
        /// Showings so far.
        shown: u32,
        /// The limit.
        max: u32,
    },
    /// Shown too recently.
    TooSoon {
        /// Ms since the last showing.
        ago_ms: f64,
        /// The minimum gap, in days.
        every_days: f64,
    },
}

/// Why proactive messages keep away.
#[derive(Debug, Clone, PartialEq)]
pub enum Suppression {
    /// The messenger is open.
    MessengerOpen,
    /// The user has an open conversation.
    OpenConversation,
    /// A recent conversation went badly.
    Unhappy {
        /// Ms since it was marked unhappy.
        ago_ms: f64,
        /// How long messages keep away, in hours.
        quiet_hours: f64,
    },
}

/// Which part of the budget is spent.
#[derive(Debug, Clone, PartialEq)]
pub enum BudgetMiss {
    /// Messages shown this session.
    Session {
        /// Shown.
        shown: u32,
        /// Allowed.
        max: u32,
    },
    /// Messages shown in the last 24 hours.
    Day {
        /// Shown.
        shown: u32,
        /// Allowed.
        max: u32,
    },
    /// The last message was too recent.
    Gap {
        /// Ms since the last one.
        ago_ms: f64,
        /// Minimum gap, in minutes.
        min_minutes: f64,
    },
}

/// A duration in the unit a person would use: `40 s`, `12 min`, `5 h`, `3 d`.
pub fn human_duration(ms: f64) -> String {
    let s = (ms / 1000.0).max(0.0);
    let (n, unit) = if s < 60.0 {
        (s, "s")
    } else if s < 3600.0 {
        (s / 60.0, "min")
    } else if s < 86_400.0 {
        (s / 3600.0, "h")
    } else {
        (s / 86_400.0, "d")
    };
    [js_number(n.floor()), " ".into(), unit.into()].concat()
}

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Page { url } => write!(f, "page: {url} is not among the message's pages"),
            Reason::Audience(why) => write!(f, "audience: {why}"),
            Reason::Locale { locale, wanted } => write!(
                f,
                "locale: {} is not one of [{}]",
                locale.as_deref().unwrap_or("unknown"),
                wanted.join(", ")
            ),
            Reason::Schedule(ScheduleMiss::NotStarted) => f.write_str("schedule: not started yet"),
            Reason::Schedule(ScheduleMiss::Ended) => f.write_str("schedule: ended"),
            Reason::Schedule(ScheduleMiss::Day(d)) => write!(
                f,
                "schedule: not on {}",
                DAYS.get(usize::from(*d)).copied().unwrap_or("this day")
            ),
            Reason::Schedule(ScheduleMiss::Hour(h)) => {
                write!(f, "schedule: not at {h}:00 in the user's time zone")
            }
            Reason::Frequency(FrequencyMiss::Once) => f.write_str("frequency: shown once already"),
            Reason::Frequency(FrequencyMiss::Dismissed) => f.write_str("frequency: dismissed"),
            Reason::Frequency(FrequencyMiss::Completed) => f.write_str("frequency: completed"),
            Reason::Frequency(FrequencyMiss::MaxTimes { shown, max }) => {
                write!(f, "frequency: shown {shown} of {max} times")
            }
            Reason::Frequency(FrequencyMiss::TooSoon { ago_ms, every_days }) => write!(
                f,
                "frequency: shown {} ago, every {} d",
                human_duration(*ago_ms),
                js_number(*every_days)
            ),
            Reason::Trigger(why) => write!(f, "trigger: {why}"),
            Reason::Suppressed(Suppression::MessengerOpen) => {
                f.write_str("suppressed: the messenger is open")
            }
            Reason::Suppressed(Suppression::OpenConversation) => {
                f.write_str("suppressed: the user has an open conversation")
            }
            Reason::Suppressed(Suppression::Unhappy {
                ago_ms,
                quiet_hours,
            }) => write!(
                f,
                "suppressed: unhappy conversation {} ago (quiet for {} h)",
                human_duration(*ago_ms),
                js_number(*quiet_hours)
            ),
            Reason::HoldOut { global, percent } => write!(
                f,
                "hold-out group ({}{}% of users)",
                if *global { "app-wide, " } else { "" },
                js_number(*percent)
            ),
            Reason::Budget(BudgetMiss::Session { shown, max }) => {
                write!(f, "budget: {shown} of {max} messages shown this session")
            }
            Reason::Budget(BudgetMiss::Day { shown, max }) => {
                write!(
                    f,
                    "budget: {shown} of {max} messages shown in the last 24 h"
                )
            }
            Reason::Budget(BudgetMiss::Gap {
                ago_ms,
                min_minutes,
            }) => write!(
                f,
                "budget: last message {} ago, minimum gap {} min",
                human_duration(*ago_ms),
                js_number(*min_minutes)
            ),
            Reason::LowerPriority { winner, slot } => {
                write!(f, "lower priority: {winner} takes the {slot} slot")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(4_000.0), "4 s");
        assert_eq!(human_duration(4.0 * 3_600_000.0), "4 h");
        assert_eq!(human_duration(90_000.0), "1 min");
        assert_eq!(human_duration(3.0 * 86_400_000.0), "3 d");
    }

    #[test]
    fn reasons_print_one_short_line() {
        let r = Reason::Budget(BudgetMiss::Gap {
            ago_ms: 4.0 * 3_600_000.0,
            min_minutes: 480.0,
        });
        assert_eq!(
            r.to_string(),
            "budget: last message 4 h ago, minimum gap 480 min"
        );
        let r = Reason::Frequency(FrequencyMiss::MaxTimes { shown: 3, max: 3 });
        assert_eq!(r.to_string(), "frequency: shown 3 of 3 times");
        let r = Reason::HoldOut {
            global: false,
            percent: 10.0,
        };
        assert_eq!(r.to_string(), "hold-out group (10% of users)");
    }
}
