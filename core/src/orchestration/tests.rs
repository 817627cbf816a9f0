//! Scenarios on a fake clock: each builds messages from authored JSON, a
//! user's history from events, and checks what [`decide`] answers and why.

use serde_json::{json, Value};

use super::checks::by_id;
use super::*;
use crate::protocol::{event_names, Event};
use crate::state::HELD_OUT;
use crate::time::{parse_rfc3339_ms, DAY_MS, HOUR_MS};

/// Monday 2026-11-30 10:00 UTC.
fn monday_10() -> f64 {
    parse_rfc3339_ms("2026-11-30T10:00:00Z").unwrap_or_default()
}

fn message(id: &str, kind: &str, priority: i32, targeting: Value) -> Message {
    serde_json::from_value(json!({
        "id": id, "kind": kind, "priority": priority,
        "content": {"body": id}, "targeting": targeting,
    }))
    .expect("test message is valid")
}

fn compile(messages: &[Message]) -> Vec<CompiledMessage> {
    let (ok, bad) = compile_all(messages);
    assert!(bad.is_empty(), "{bad:?}");
    ok
}

/// Mutable pieces a scenario changes; [`Fixture::ctx`] lends them out.
struct Fixture {
    now: f64,
    url: String,
    attributes: Value,
    groups: SavedGroups,
    locale: Option<String>,
    page: PageFacts,
    showing: Vec<String>,
    session_start: f64,
    messenger_open: bool,
    utc_offset_minutes: i32,
    clock_skew: f64,
    user_key: String,
}

impl Fixture {
    fn new() -> Self {
        let now = monday_10();
        Self {
            now,
            url: "https://app.example.com/dashboard".into(),
            attributes: json!({"plan": "pro", "company": {"size": 40}}),
            groups: SavedGroups::default(),
            locale: Some("en-GB".into()),
            page: PageFacts {
                viewed_at: now,
                last_input_at: now,
                ..PageFacts::default()
            },
            showing: Vec::new(),
            session_start: now - HOUR_MS,
            messenger_open: false,
            utc_offset_minutes: 0,
            clock_skew: 0.0,
            user_key: "user-1".into(),
        }
    }

    fn ctx(&self) -> Context<'_> {
        Context {
            now: self.now,
            user_key: &self.user_key,
            url: &self.url,
            attributes: &self.attributes,
            groups: &self.groups,
            locale: self.locale.as_deref(),
            utc_offset_minutes: self.utc_offset_minutes,
            clock_skew: self.clock_skew,
            session_start: self.session_start,
            page: &self.page,
            messenger_open: self.messenger_open,
            conversation_open: false,
            showing: &self.showing,
        }
    }
}

fn event(id: &str, name: &str, ts: f64, message: Option<&str>) -> Event {
    Event {
        id: id.into(),
        name: name.into(),
        ts,
        message_id: message.map(str::to_owned),
        data: Default::default(),
    }
}

fn shown(state: &mut UserState, id: &str, ts: f64) {
    state.apply(&event(
        &format!("{id}-{ts}"),
        event_names::SHOWN,
        ts,
        Some(id),
    ));
}

fn run(ms: &[CompiledMessage], f: &Fixture, s: &UserState, set: &Settings) -> Vec<Verdict> {
    decide(ms, &f.ctx(), s, set)
}

#[test]
fn higher_priority_takes_the_slot_and_others_say_who_won() {
    let ms = compile(&[
        message("low", "banner", 1, json!({})),
        message("high", "banner", 5, json!({})),
        message("spot", "hotspot", 0, json!({})),
        message("spot2", "hotspot", 0, json!({})),
    ]);
    let f = Fixture::new();
    let v = run(&ms, &f, &UserState::default(), &Settings::default());
    let d = by_id(&v);
    assert_eq!(d["high"], &Decision::Show);
    assert_eq!(
        d["low"],
        &Decision::Hidden(Reason::LowerPriority {
            winner: "high".into(),
            slot: "banner"
        })
    );
    // Hotspots share no slot.
    assert_eq!(d["spot"], &Decision::Show);
    assert_eq!(d["spot2"], &Decision::Show);
    let low = v
        .iter()
        .find(|x| x.message_id == "low")
        .map(Verdict::explain);
    assert_eq!(
        low.as_deref(),
        Some("low: lower priority: high takes the banner slot")
    );
}

#[test]
fn a_message_on_screen_keeps_its_slot_against_a_newcomer() {
    let ms = compile(&[
        message("old", "banner", 1, json!({})),
        message("new", "banner", 9, json!({})),
    ]);
    let mut f = Fixture::new();
    f.showing = vec!["old".into()];
    let mut state = UserState::default();
    shown(&mut state, "old", f.now - 1000.0);
    let d = run(&ms, &f, &state, &Settings::default());
    let d = by_id(&d);
    assert_eq!(d["old"], &Decision::Show);
    assert!(matches!(
        d["new"],
        Decision::Hidden(Reason::LowerPriority { .. })
    ));
}

#[test]
fn page_audience_and_locale_rules_explain_the_miss() {
    let ms = compile(&[
        message(
            "pricing",
            "banner",
            0,
            json!({"pages": {"include": [{"match": "starts_with", "value": "/pricing"}]}}),
        ),
        message("free", "tooltip", 0, json!({"audience": {"plan": "free"}})),
        message("german", "post", 0, json!({"locales": ["de"]})),
    ]);
    let mut f = Fixture::new();
    let v = run(&ms, &f, &UserState::default(), &Settings::default());
    let d = by_id(&v);
    assert!(matches!(
        d["pricing"],
        Decision::Hidden(Reason::Page { .. })
    ));
    match d["free"] {
        Decision::Hidden(Reason::Audience(why)) => assert!(why.contains("plan"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        d["german"],
        Decision::Hidden(Reason::Locale { .. })
    ));

    f.url = "https://app.example.com/pricing?x=1".into();
    f.attributes = json!({"plan": "free"});
    f.locale = Some("de-AT".into());
    let v = run(&ms, &f, &UserState::default(), &Settings::default());
    assert!(v.iter().all(Verdict::is_shown), "{v:?}");
}

#[test]
fn frequency_once_dismissed_completed_max_and_every() {
    let ms = compile(&[
        message("once", "hotspot", 0, json!({"frequency": {"show": "once"}})),
        message("until_closed", "hotspot", 0, json!({})),
        message(
            "tour",
            "hotspot",
            0,
            json!({"frequency": {"show": "completed"}}),
        ),
        message(
            "thrice",
            "hotspot",
            0,
            json!({"frequency": {"show": "always", "max_times": 3}}),
        ),
        message(
            "weekly",
            "hotspot",
            0,
            json!({"frequency": {"show": "always", "every_days": 7}}),
        ),
    ]);
    let mut f = Fixture::new();
    f.session_start = f.now; // earlier showings belong to other sessions
    let mut state = UserState::default();
    let before = f.now - 2.0 * DAY_MS;
    shown(&mut state, "once", before);
    shown(&mut state, "until_closed", before);
    state.apply(&event(
        "d1",
        event_names::DISMISSED,
        before,
        Some("until_closed"),
    ));
    shown(&mut state, "tour", before);
    state.apply(&event("c1", event_names::COMPLETED, before, Some("tour")));
    for i in 0..3 {
        shown(&mut state, "thrice", before - f64::from(i) * DAY_MS);
    }
    shown(&mut state, "weekly", before);
    let v = run(&ms, &f, &state, &Settings::default());
    let d = by_id(&v);
    assert_eq!(
        d["once"],
        &Decision::Hidden(Reason::Frequency(FrequencyMiss::Once))
    );
    assert_eq!(
        d["until_closed"],
        &Decision::Hidden(Reason::Frequency(FrequencyMiss::Dismissed))
    );
    assert_eq!(
        d["tour"],
        &Decision::Hidden(Reason::Frequency(FrequencyMiss::Completed))
    );
    assert_eq!(
        d["thrice"],
        &Decision::Hidden(Reason::Frequency(FrequencyMiss::MaxTimes {
            shown: 3,
            max: 3
        }))
    );
    assert!(matches!(
        d["weekly"],
        Decision::Hidden(Reason::Frequency(FrequencyMiss::TooSoon { .. }))
    ));
    // The weekly one comes back when its week is over, and next_wake says when.
    let wake = next_wake(&ms, &f.ctx(), &state, &Settings::default());
    assert_eq!(wake, Some(before + 7.0 * DAY_MS));
    f.now = before + 7.0 * DAY_MS;
    f.page.viewed_at = f.now;
    f.session_start = f.now;
    let v = run(&ms, &f, &state, &Settings::default());
    assert_eq!(by_id(&v)["weekly"], &Decision::Show);
}

#[test]
fn a_dismissed_message_on_screen_goes_away() {
    let ms = compile(&[message("b", "banner", 0, json!({}))]);
    let mut f = Fixture::new();
    f.showing = vec!["b".into()];
    let mut state = UserState::default();
    shown(&mut state, "b", f.now);
    assert!(run(&ms, &f, &state, &Settings::default())[0].is_shown());
    state.apply(&event("d", event_names::DISMISSED, f.now, Some("b")));
    assert!(!run(&ms, &f, &state, &Settings::default())[0].is_shown());
}

#[test]
fn session_budget_stops_the_fourth_message_but_not_an_essential_one() {
    let mut list: Vec<Message> = (0..5)
        .map(|i| message(&format!("h{i}"), "hotspot", 10 - i, json!({})))
        .collect();
    list.push(message("outage", "hotspot", -1, json!({"essential": true})));
    let ms = compile(&list);
    let f = Fixture::new();
    let v = run(&ms, &f, &UserState::default(), &Settings::default());
    let d = by_id(&v);
    for id in ["h0", "h1", "h2"] {
        assert_eq!(d[id], &Decision::Show, "{id}");
    }
    for id in ["h3", "h4"] {
        assert_eq!(
            d[id],
            &Decision::Hidden(Reason::Budget(BudgetMiss::Session { shown: 3, max: 3 })),
            "{id}"
        );
    }
    assert_eq!(d["outage"], &Decision::Show);
}

#[test]
fn budget_counts_earlier_showings_in_session_and_day_and_spacing() {
    let ms = compile(&[
        message("a", "hotspot", 3, json!({"frequency": {"show": "always"}})),
        message("b", "hotspot", 2, json!({})),
        message("c", "hotspot", 1, json!({})),
    ]);
    let mut f = Fixture::new();
    let settings = Settings {
        max_per_session: None,
        max_per_day: Some(1),
        min_gap_minutes: Some(30.0),
        ..Settings::default()
    };
    let mut state = UserState::default();
    // "a" was shown 10 minutes ago: it has paid its place in the day's budget
    // and stays allowed; the others wait for the gap, then the day.
    shown(&mut state, "a", f.now - 10.0 * 60_000.0);
    let v = run(&ms, &f, &state, &settings);
    let d = by_id(&v);
    assert!(matches!(
        d["b"],
        Decision::Hidden(Reason::Budget(BudgetMiss::Day { shown: 1, max: 1 }))
    ));

    let settings = Settings {
        max_per_day: None,
        ..settings
    };
    let v = run(&ms, &f, &state, &settings);
    let d = by_id(&v);
    assert!(
        matches!(
            d["b"],
            Decision::Hidden(Reason::Budget(BudgetMiss::Gap { .. }))
        ),
        "{d:?}"
    );
    assert_eq!(
        next_wake(&ms, &f.ctx(), &state, &settings),
        Some(f.now + 20.0 * 60_000.0)
    );
    f.now += 20.0 * 60_000.0;
    f.page.viewed_at = f.now;
    let v = run(&ms, &f, &state, &settings);
    let d = by_id(&v);
    assert_eq!(d["b"], &Decision::Show);
    // One new message per pass: the gap now runs from "b".
    assert!(matches!(
        d["c"],
        Decision::Hidden(Reason::Budget(BudgetMiss::Gap { .. }))
    ));
}

#[test]
fn an_unhappy_conversation_silences_marketing_for_the_quiet_period() {
    let ms = compile(&[
        message("promo", "banner", 0, json!({})),
        message("outage", "hotspot", 0, json!({"essential": true})),
    ]);
    let mut f = Fixture::new();
    let state = UserState {
        unhappy_at: Some(f.now - 2.0 * HOUR_MS),
        ..UserState::default()
    };
    let v = run(&ms, &f, &state, &Settings::default());
    let d = by_id(&v);
    assert!(matches!(
        d["promo"],
        Decision::Hidden(Reason::Suppressed(Suppression::Unhappy { .. }))
    ));
    assert_eq!(d["outage"], &Decision::Show);
    assert_eq!(
        next_wake(&ms, &f.ctx(), &state, &Settings::default()),
        Some(f.now + 22.0 * HOUR_MS)
    );
    f.now += 22.0 * HOUR_MS;
    assert!(run(&ms, &f, &state, &Settings::default())[0].is_shown());

    f.messenger_open = true;
    let v = run(&ms, &f, &state, &Settings::default());
    assert_eq!(
        by_id(&v)["promo"],
        &Decision::Hidden(Reason::Suppressed(Suppression::MessengerOpen))
    );
}

#[test]
fn hold_out_is_deterministic_and_close_to_its_share() {
    let ms = compile(&[message(
        "promo",
        "banner",
        0,
        json!({"holdout_percent": 20}),
    )]);
    let mut f = Fixture::new();
    let mut held = 0;
    for i in 0..2000 {
        f.user_key = format!("user-{i}");
        let first = run(&ms, &f, &UserState::default(), &Settings::default());
        let again = run(&ms, &f, &UserState::default(), &Settings::default());
        assert_eq!(first, again);
        if matches!(first[0].decision, Decision::HoldOut(_)) {
            held += 1;
        }
    }
    assert!((340..460).contains(&held), "{held} of 2000 held out");

    // The app-wide group holds everyone at 100 %, except essential messages.
    let ms = compile(&[
        message("promo", "banner", 0, json!({})),
        message("outage", "hotspot", 0, json!({"essential": true})),
    ]);
    let all = Settings {
        holdout_percent: 100.0,
        ..Settings::default()
    };
    let v = run(&ms, &f, &UserState::default(), &all);
    let d = by_id(&v);
    assert_eq!(
        d["promo"],
        &Decision::HoldOut(Reason::HoldOut {
            global: true,
            percent: 100.0
        })
    );
    assert_eq!(d["outage"], &Decision::Show);
}

#[test]
fn triggers_wait_for_what_they_name() {
    let ms = compile(&[
        message(
            "after_export",
            "hotspot",
            0,
            json!({"trigger": {"type": "event", "name": "export", "count": 2, "within_hours": 24}}),
        ),
        message(
            "on_click",
            "hotspot",
            0,
            json!({"trigger": {"type": "element", "selector": "#upgrade", "on": "clicked"}}),
        ),
        message(
            "dwell",
            "hotspot",
            0,
            json!({"trigger": {"type": "time_on_page", "seconds": 30}}),
        ),
        message(
            "scrolled",
            "hotspot",
            0,
            json!({"trigger": {"type": "scroll", "percent": 50}}),
        ),
        message(
            "leaving",
            "hotspot",
            0,
            json!({"trigger": {"type": "exit_intent"}}),
        ),
        message(
            "idle",
            "hotspot",
            0,
            json!({"trigger": {"type": "idle", "seconds": 60}}),
        ),
        message("api", "hotspot", 0, json!({"trigger": {"type": "api"}})),
    ]);
    let settings = Settings {
        max_per_session: None,
        ..Settings::default()
    };
    let mut f = Fixture::new();
    let mut state = UserState::default();
    state.apply(&event("e0", "export", f.now - 48.0 * HOUR_MS, None));
    state.apply(&event("e1", "export", f.now - HOUR_MS, None));
    let v = run(&ms, &f, &state, &settings);
    assert!(v.iter().all(|x| !x.is_shown()), "{v:?}");
    let explained: Vec<String> = v.iter().map(Verdict::explain).collect();
    assert!(
        explained.contains(
            &"after_export: trigger: waiting for event export (1 of 2 in 24 h)".to_owned()
        ),
        "{explained:?}"
    );
    assert_eq!(
        next_wake(&ms, &f.ctx(), &state, &settings),
        Some(f.now + 30_000.0)
    );

    state.apply(&event("e2", "export", f.now, None));
    f.page.elements.insert(
        "#upgrade".into(),
        ElementFacts {
            present: true,
            clicked: true,
            hovered: false,
        },
    );
    f.page.scroll_percent = 75.0;
    f.page.exit_intent = true;
    f.page.api_triggered.insert("api".into());
    f.now += 61_000.0;
    let v = run(&ms, &f, &state, &settings);
    assert!(v.iter().all(Verdict::is_shown), "{v:?}");
}

#[test]
fn schedule_runs_between_instants_on_chosen_days_and_local_hours() {
    let ms = compile(&[message(
        "office_hours",
        "banner",
        0,
        json!({"schedule": {
            "start": "2026-11-01T00:00:00Z", "end": "2026-12-31T00:00:00Z",
            "days": [1, 2, 3, 4, 5], "hours": [9, 17]
        }}),
    )]);
    let mut f = Fixture::new();
    assert!(run(&ms, &f, &UserState::default(), &Settings::default())[0].is_shown());
    // 10:00 UTC is 19:00 in Tokyo: after hours there.
    f.utc_offset_minutes = 9 * 60;
    assert_eq!(
        run(&ms, &f, &UserState::default(), &Settings::default())[0].decision,
        Decision::Hidden(Reason::Schedule(ScheduleMiss::Hour(19)))
    );
    f.utc_offset_minutes = 0;
    f.now -= 2.0 * DAY_MS; // Saturday
    assert_eq!(
        run(&ms, &f, &UserState::default(), &Settings::default())[0].decision,
        Decision::Hidden(Reason::Schedule(ScheduleMiss::Day(6)))
    );
    f.now += 60.0 * DAY_MS;
    assert_eq!(
        run(&ms, &f, &UserState::default(), &Settings::default())[0].decision,
        Decision::Hidden(Reason::Schedule(ScheduleMiss::Ended))
    );
}

#[test]
fn a_browser_clock_days_off_keeps_schedules_to_the_real_clock() {
    let ms = compile(&[message(
        "launch",
        "banner",
        0,
        json!({"schedule": {"start": "2026-12-01T00:00:00Z", "end": "2026-12-03T00:00:00Z"}}),
    )]);
    let start = parse_rfc3339_ms("2026-12-01T00:00:00Z").unwrap_or(f64::NAN);
    let mut f = Fixture::new();
    // Really an hour after the start, on a clock two days behind.
    f.now = start + HOUR_MS - 2.0 * DAY_MS;
    f.clock_skew = 2.0 * DAY_MS;
    assert!(run(&ms, &f, &UserState::default(), &Settings::default())[0].is_shown());
    // Really an hour before it: not yet, and the next look is at the start,
    // in this clock.
    f.now = start - HOUR_MS - 2.0 * DAY_MS;
    assert_eq!(
        run(&ms, &f, &UserState::default(), &Settings::default())[0].decision,
        Decision::Hidden(Reason::Schedule(ScheduleMiss::NotStarted))
    );
    assert_eq!(
        next_wake(&ms, &f.ctx(), &UserState::default(), &Settings::default()),
        Some(start - 2.0 * DAY_MS)
    );
    // A clock two days ahead, really after the end.
    f.clock_skew = -2.0 * DAY_MS;
    f.now = start + 2.0 * DAY_MS + HOUR_MS + 2.0 * DAY_MS;
    assert_eq!(
        run(&ms, &f, &UserState::default(), &Settings::default())[0].decision,
        Decision::Hidden(Reason::Schedule(ScheduleMiss::Ended))
    );
}

#[test]
fn a_tooltip_waits_for_its_element_and_leaves_its_place_to_one_that_has_it() {
    let tip = |id: &str, anchor: &str, priority: i32| -> Message {
        serde_json::from_value(json!({
            "id": id, "kind": "tooltip", "priority": priority,
            "content": {"body": id, "anchor": {"selector": anchor}}, "targeting": {},
        }))
        .expect("test message is valid")
    };
    let ms = compile(&[tip("ghost", "#gone", 9), tip("real", "#here", 1)]);
    let mut f = Fixture::new();
    f.page.elements.get_or_default("#here").present = true;
    let v = run(&ms, &f, &UserState::default(), &Settings::default());
    let d = by_id(&v);
    assert_eq!(
        d["ghost"],
        &Decision::Hidden(Reason::Trigger(
            "waiting for its element #gone to be on the page".into()
        ))
    );
    assert_eq!(d["real"], &Decision::Show, "the higher one is not there");
    // On screen, its element replaced for a moment by a re-render: it stays.
    f.showing = vec!["real".into()];
    f.page.elements.get_or_default("#here").present = false;
    let v = run(&ms, &f, &UserState::default(), &Settings::default());
    assert_eq!(by_id(&v)["real"], &Decision::Show);
}

#[test]
fn a_tour_waits_for_its_first_steps_element_unless_in_progress_or_elsewhere() {
    let tour = |id: &str, page: Option<&str>| -> Message {
        serde_json::from_value(json!({
            "id": id, "kind": "tour", "priority": 0,
            "content": {"tour": {"steps": [
                {"kind": "tooltip", "body": "Start here", "selector": "#start", "page": page},
                {"kind": "modal", "body": "Done"},
            ]}},
            "targeting": {},
        }))
        .expect("test message is valid")
    };
    let waiting = Decision::Hidden(Reason::Trigger(
        "waiting for its element #start to be on the page".into(),
    ));
    let ms = compile(&[tour("onboarding", None)]);
    let mut f = Fixture::new();
    let mut state = UserState::default();
    assert_eq!(
        run(&ms, &f, &state, &Settings::default())[0].decision,
        waiting
    );
    f.page.elements.get_or_default("#start").present = true;
    assert!(run(&ms, &f, &state, &Settings::default())[0].is_shown());
    // In progress at its modal step: it goes on without the element.
    f.page.elements.get_or_default("#start").present = false;
    let mut step = event("st", event_names::STEP, f.now - 1.0, Some("onboarding"));
    step.data.insert("step".into(), 1.into());
    state.apply(&step);
    assert!(run(&ms, &f, &state, &Settings::default())[0].is_shown());
    // A first step on another page: the tour takes the user there.
    let ms = compile(&[tour("elsewhere", Some("/settings"))]);
    let state = UserState::default();
    assert!(run(&ms, &f, &state, &Settings::default())[0].is_shown());
    let ms = compile(&[tour("here", Some("/dashboard"))]);
    assert_eq!(
        run(&ms, &f, &state, &Settings::default())[0].decision,
        waiting
    );
}

#[test]
fn goals_count_once_within_their_window_for_shown_and_held_out_users() {
    let ms = compile(&[
        message(
            "upsell",
            "banner",
            0,
            json!({"goal": {"event": "upgraded", "within_days": 3}}),
        ),
        message(
            "profile",
            "hotspot",
            0,
            json!({"goal": {"condition": {"profile_complete": true}}}),
        ),
    ]);
    let mut f = Fixture::new();
    let mut state = UserState::default();
    assert!(goals_reached(&ms, &f.ctx(), &state).is_empty());
    shown(&mut state, "upsell", f.now);
    state.apply(&event("h", HELD_OUT, f.now, Some("profile")));
    assert!(goals_reached(&ms, &f.ctx(), &state).is_empty());

    state.apply(&event("u", "upgraded", f.now + HOUR_MS, None));
    f.attributes = json!({"profile_complete": true});
    f.now += 2.0 * HOUR_MS;
    assert_eq!(
        goals_reached(&ms, &f.ctx(), &state),
        vec!["profile", "upsell"]
    );

    state.apply(&event("g", event_names::GOAL, f.now, Some("upsell")));
    assert_eq!(goals_reached(&ms, &f.ctx(), &state), vec!["profile"]);

    // Too late: the window closed.
    let mut late = UserState::default();
    shown(&mut late, "upsell", f.now - 10.0 * DAY_MS);
    late.apply(&event("u2", "upgraded", f.now, None));
    assert!(goals_reached(&ms, &f.ctx(), &late).is_empty());
}

#[test]
fn a_bad_rule_is_set_apart_and_the_rest_still_decide() {
    let good = message("good", "banner", 0, json!({}));
    let mut bad = message("bad", "banner", 0, json!({}));
    bad.targeting.audience = Some(json!({"$or": [{}, null]}));
    let (ok, errors) = compile_all(&[good, bad]);
    assert_eq!(ok.len(), 1);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "bad");
    assert!(
        errors[0].1.to_string().contains("targeting.audience"),
        "{}",
        errors[0].1
    );
}

#[test]
fn explanations_read_as_one_line() {
    let ms = compile(&[message(
        "tour",
        "tour",
        0,
        json!({"trigger": {"type": "time_on_page", "seconds": 10}}),
    )]);
    let f = Fixture::new();
    let v = run(&ms, &f, &UserState::default(), &Settings::default());
    assert_eq!(
        v[0].explain(),
        "tour: trigger: waiting for 10 s on page (0 s so far)"
    );
}

#[test]
fn a_tour_in_progress_goes_on_anywhere_and_keeps_the_modal_slot() {
    // The tour starts only through the API and only on /reports; the post
    // would show on any page and has the higher priority.
    let ms = compile(&[
        message(
            "tour",
            "tour",
            1,
            json!({"trigger": {"type": "api"}, "pages": {"include": [{"match": "contains", "value": "/reports"}]}}),
        ),
        message("post", "post", 9, json!({})),
        message("tip", "tooltip", 9, json!({})),
    ]);
    let mut f = Fixture::new();
    f.url = "https://app.example/team".into();
    let mut state = UserState::default();
    let d = run(&ms, &f, &state, &Settings::default());
    assert_ne!(by_id(&d)["tour"], &Decision::Show, "not started");
    assert_eq!(by_id(&d)["post"], &Decision::Show);

    // The user moved to step 2 on another page: the tour goes on here and
    // the post waits for it.
    let mut step = event("s", event_names::STEP, f.now - 1_000.0, Some("tour"));
    step.data.insert("step".into(), json!(2));
    state.apply(&step);
    let d = run(&ms, &f, &state, &Settings::default());
    assert_eq!(by_id(&d)["tour"], &Decision::Show);
    assert_eq!(
        by_id(&d)["post"],
        &Decision::Hidden(Reason::LowerPriority {
            winner: "tour".into(),
            slot: "modal"
        })
    );
    assert_eq!(
        by_id(&d)["tip"],
        &Decision::Hidden(Reason::LowerPriority {
            winner: "tour".into(),
            slot: "tooltip"
        }),
        "the tour's bubbles have no competition"
    );

    // Skipped: over, and the post may show.
    state.apply(&event("x", event_names::DISMISSED, f.now, Some("tour")));
    let d = run(&ms, &f, &state, &Settings::default());
    assert_ne!(by_id(&d)["tour"], &Decision::Show);
    assert_eq!(by_id(&d)["post"], &Decision::Show);
}
