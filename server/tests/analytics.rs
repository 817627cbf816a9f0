//! Per-message counts, the hold-out comparison and per-user timelines.

mod common;

use axum::http::StatusCode;
use common::{harness, Harness};
use serde_json::{json, Value};

const DAY: f64 = 86_400_000.0;
const T0: f64 = 1.7e12;

fn ev(id: &str, name: &str, message: Option<&str>, ts: f64) -> Value {
    match message {
        Some(m) => json!({"id": id, "name": name, "ts": ts, "message_id": m}),
        None => json!({"id": id, "name": name, "ts": ts}),
    }
}

async fn send(h: &Harness, user: &str, events: Value) {
    let (status, body) = h.events("demo", json!({"user_id": user}), events).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn counts_per_message_and_kind_of_event() {
    let h = harness().await;
    let m = Some("welcome-banner");
    send(
        &h,
        "a",
        json!([
            ev("1", "message.shown", m, T0),
            ev("2", "message.shown", m, T0 + 1.0),
            ev("3", "message.clicked", m, T0 + 2.0),
            ev("4", "message.completed", m, T0 + 3.0)
        ]),
    )
    .await;
    send(
        &h,
        "b",
        json!([
            ev("5", "message.shown", m, T0),
            ev("6", "message.dismissed", m, T0 + 1.0),
            ev("7", "message.goal", m, T0 + 2.0),
            ev("8", "message.shown", Some("pricing-banner"), T0)
        ]),
    )
    .await;
    let (status, all) = h.admin("GET", "/admin/v1/apps/demo/stats", None).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");
    let (_, stats) = h
        .admin(
            "GET",
            "/admin/v1/apps/demo/messages/welcome-banner/stats",
            None,
        )
        .await;
    let c = &stats["counts"];
    assert_eq!(
        [
            &c["shown"],
            &c["clicked"],
            &c["dismissed"],
            &c["completed"],
            &c["goal"],
            &c["users_shown"]
        ],
        [
            &json!(3),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(2)
        ],
        "{stats}"
    );
}

#[tokio::test]
async fn the_hold_out_group_is_compared_with_the_shown_group() {
    let h = harness().await;
    let goal = json!({"kind": "banner", "id": "upsell", "content": {"body": "Upgrade"},
        "targeting": {"holdout_percent": 50, "goal": {"event": "upgraded", "within_days": 7}}});
    let (status, body) = h
        .admin("POST", "/admin/v1/apps/demo/messages", Some(goal))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let m = Some("upsell");
    // Shown to four users; two upgrade within a week, one only after it.
    for (user, upgrade_after) in [
        ("s1", Some(1.0)),
        ("s2", Some(6.0)),
        ("s3", Some(9.0)),
        ("s4", None),
    ] {
        let mut events = vec![ev(&format!("{user}-shown"), "message.shown", m, T0)];
        if let Some(days) = upgrade_after {
            events.push(ev(&format!("{user}-up"), "upgraded", None, T0 + days * DAY));
        }
        send(&h, user, Value::Array(events)).await;
    }
    // Held out of it: two users, one upgrades anyway; an upgrade *before*
    // the hold-out does not count.
    send(
        &h,
        "h1",
        json!([
            ev("h1-held", "message.held_out", m, T0),
            ev("h1-up", "upgraded", None, T0 + DAY)
        ]),
    )
    .await;
    send(
        &h,
        "h2",
        json!([
            ev("h2-up", "upgraded", None, T0 - DAY),
            ev("h2-held", "message.held_out", m, T0)
        ]),
    )
    .await;

    let (_, stats) = h
        .admin("GET", "/admin/v1/apps/demo/messages/upsell/stats", None)
        .await;
    assert_eq!(
        stats["shown_group"],
        json!({"users": 4, "converted": 2, "rate": 0.5}),
        "{stats}"
    );
    assert_eq!(
        stats["holdout_group"],
        json!({"users": 2, "converted": 1, "rate": 0.5}),
        "{stats}"
    );
    assert_eq!(stats["lift"], json!(0.0));
    assert_eq!(stats["counts"]["held_out"], 2);
}

#[tokio::test]
async fn a_users_timeline_is_in_the_order_things_happened() {
    let h = harness().await;
    send(
        &h,
        "t",
        json!([
            ev("late", "clicked_export", None, T0 + 2.0),
            ev("early", "signed_in", None, T0)
        ]),
    )
    .await;
    send(
        &h,
        "t",
        json!([ev("mid", "message.shown", Some("welcome-banner"), T0 + 1.0)]),
    )
    .await;
    send(&h, "other", json!([ev("not-mine", "signed_in", None, T0)])).await;
    let (status, timeline) = h
        .admin("GET", "/admin/v1/apps/demo/users/t/timeline", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = timeline
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids, ["early", "mid", "late"]);
    let (_, last) = h
        .admin("GET", "/admin/v1/apps/demo/users/t/timeline?limit=1", None)
        .await;
    assert_eq!(last[0]["id"], "late", "the limit keeps the latest");
}
