//! The API through the real router (`app()` + `tower::ServiceExt::oneshot`)
//! on a real database (SQLite, or Postgres when the environment names one).

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{harness, post, ADMIN};
use serde_json::{json, Value};

fn boot_body(user: &str, url: &str) -> String {
    json!({"app_id": "demo", "user": {"user_id": user}, "page": {"url": url}}).to_string()
}

fn event(id: &str, name: &str) -> Value {
    common::event(id, name, "welcome-banner")
}

#[tokio::test]
async fn boot_returns_live_messages_and_empty_state() {
    let h = harness().await;
    let (status, body, _) = h.send(post("/v1/boot", boot_body("u1", "http://x/"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user_key"], "u1");
    let ids: Vec<&str> = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "reports-tour",
            "reports-banner",
            "getting-started",
            "roles-tooltip",
            "schedule-hotspot",
            "export-tooltip",
            "team-post",
            "welcome-banner",
            "pricing-banner"
        ],
        "priority order"
    );
    assert_eq!(body["state"]["messages"], json!({}));
    assert_eq!(
        body["settings"]["max_per_session"], 12,
        "the app's attention budget (the demo seeds 12, to show every surface): {body}"
    );
}

#[tokio::test]
async fn unknown_app_is_a_404_naming_it() {
    let h = harness().await;
    let body = json!({"app_id": "nope", "user": {"user_id": "u"}, "page": {"url": "/"}});
    let (status, body, _) = h.send(post("/v1/boot", body.to_string())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "unknown_app");
    assert!(body["message"].as_str().unwrap_or("").contains("nope"));
}

#[tokio::test]
async fn malformed_json_unknown_fields_and_missing_user_are_explained() {
    let h = harness().await;
    let (status, body, _) = h.send(post("/v1/boot", "{not json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "bad_json");

    let unknown =
        json!({"app_id": "demo", "user": {"user_id": "u", "plan": 1}, "page": {"url": "/"}});
    let (status, body, _) = h.send(post("/v1/boot", unknown.to_string())).await;
    assert!(status.is_client_error(), "{status}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("unknown field `plan`"),
        "{body}"
    );

    let anon = json!({"app_id": "demo", "user": {}, "page": {"url": "/"}});
    let (status, body, _) = h.send(post("/v1/boot", anon.to_string())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "missing_user");
}

#[tokio::test]
async fn oversized_body_is_a_413_in_json() {
    let h = harness().await;
    let big = json!({"app_id": "demo", "user": {"user_id": "u", "attributes": {"blob": "x".repeat(20_000)}}, "page": {"url": "/"}});
    let (status, body, _) = h.send(post("/v1/boot", big.to_string())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"], "body_too_large");
}

#[tokio::test]
async fn events_are_deduplicated_by_client_id_and_fold_into_state() {
    let h = harness().await;
    let batch = json!({"app_id": "demo", "user": {"user_id": "u2"},
        "events": [event("e1", "message.shown"), event("e2", "message.dismissed")]});
    let (status, body, _) = h.send(post("/v1/events", batch.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"accepted": 2, "duplicates": 0}));

    // A retry of the same batch, plus one new event.
    let retry = json!({"app_id": "demo", "user": {"user_id": "u2"},
        "events": [event("e1", "message.shown"), event("e2", "message.dismissed"), event("e3", "message.shown")]});
    let (_, body, _) = h.send(post("/v1/events", retry.to_string())).await;
    assert_eq!(body, json!({"accepted": 1, "duplicates": 2}));

    let (_, body, _) = h.send(post("/v1/boot", boot_body("u2", "http://x/"))).await;
    let m = &body["state"]["messages"]["welcome-banner"];
    let shown = m["shown"]["recent"].as_object().map(|r| r.len());
    assert_eq!(shown, Some(2), "two distinct showings: {m}");
    assert!(m["dismissed_at"].is_number(), "{m}");

    // Another user's state is untouched.
    let (_, body, _) = h.send(post("/v1/boot", boot_body("u3", "http://x/"))).await;
    assert_eq!(body["state"]["messages"], json!({}));
}

/// Milliseconds since the epoch now, as the server's clock says.
fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64)
}

/// An admin read of one user's events.
async fn admin_events(h: &common::Harness, user: &str) -> Vec<Value> {
    let req = Request::get(format!("/admin/v1/apps/demo/events?user={user}"))
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
        .body(Body::empty())
        .expect("req");
    let (_, body, _) = h.send(req).await;
    body.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_browser_clock_off_by_days_is_stored_in_the_servers_clock_and_answered_in_its_own() {
    let h = harness().await;
    let day = 86_400_000.0;
    // A browser two days ahead: its event happened a minute ago by its
    // clock.
    let browser_now = now_ms() + 2.0 * day;
    let shown = |id: &str, ts: f64| json!({"id": id, "name": "message.shown", "ts": ts, "message_id": "welcome-banner"});
    let batch = json!({"app_id": "demo", "user": {"user_id": "skewed"},
        "events": [shown("ahead", browser_now - 60_000.0)], "sent_at": browser_now});
    let (status, body, _) = h.send(post("/v1/events", batch.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A browser whose clock is right, within the tolerance.
    let batch = json!({"app_id": "demo", "user": {"user_id": "skewed"},
        "events": [shown("right", now_ms() - 30_000.0)], "sent_at": now_ms() + 20_000.0});
    h.send(post("/v1/events", batch.to_string())).await;

    let stored = admin_events(&h, "skewed").await;
    let ts = |id: &str| {
        stored
            .iter()
            .find(|e| e["id"] == id)
            .and_then(|e| e["ts"].as_f64())
            .unwrap_or(f64::NAN)
    };
    let now = now_ms();
    assert!(
        (now - 60_000.0 - ts("ahead")).abs() < 10_000.0,
        "a minute ago by the server's clock: {stored:?}"
    );
    assert!(
        (now - 30_000.0 - ts("right")).abs() < 10_000.0,
        "left alone: {stored:?}"
    );

    // The same browser boots: the state is in its clock again.
    let boot = json!({"app_id": "demo", "user": {"user_id": "skewed"},
        "page": {"url": "http://x/"}, "sent_at": now_ms() + 2.0 * day});
    let (_, body, _) = h.send(post("/v1/boot", boot.to_string())).await;
    let recent = &body["state"]["messages"]["welcome-banner"]["shown"]["recent"];
    let ahead = recent["ahead"].as_f64().unwrap_or(f64::NAN);
    assert!(
        (browser_now - 60_000.0 - ahead).abs() < 10_000.0,
        "{recent}"
    );
    // And how far behind it is, for the schedules' real instants.
    let skew = body["clock_skew"].as_f64().unwrap_or(f64::NAN);
    assert!((skew + 2.0 * day).abs() < 10_000.0, "{skew}");
    // A boot that does not say its clock gets the server's.
    let (_, body, _) = h
        .send(post("/v1/boot", boot_body("skewed", "http://x/")))
        .await;
    let recent = &body["state"]["messages"]["welcome-banner"]["shown"]["recent"];
    assert_eq!(recent["ahead"].as_f64(), Some(ts("ahead")), "{recent}");
    assert_eq!(body["clock_skew"].as_f64(), Some(0.0));
}

#[tokio::test]
async fn bad_events_are_rejected_whole_with_the_index() {
    let h = harness().await;
    let batch = json!({"app_id": "demo", "user": {"user_id": "u"},
        "events": [event("ok", "message.shown"), event("", "message.shown")]});
    let (status, body, _) = h.send(post("/v1/events", batch.to_string())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("events[1].id"),
        "{body}"
    );
}

#[tokio::test]
async fn admin_events_need_the_key_and_filter_by_user_and_name() {
    let h = harness().await;
    let batch = json!({"app_id": "demo", "user": {"user_id": "u4"},
        "events": [event("a", "message.shown"), event("b", "message.dismissed")]});
    h.send(post("/v1/events", batch.to_string())).await;

    let uri = "/admin/v1/apps/demo/events?user=u4&name=message.dismissed";
    let req = Request::get(uri).body(Body::empty()).expect("req");
    let (status, _, _) = h.send(req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let req = Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
        .body(Body::empty())
        .expect("req");
    let (status, body, _) = h.send(req).await;
    assert_eq!(status, StatusCode::OK);
    let list = body.as_array().expect("array");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], "b");
}

#[tokio::test]
async fn wasm_is_served_as_application_wasm_with_cache_headers() {
    let h = harness().await;
    let get = |uri: &str| Request::get(uri).body(Body::empty()).expect("req");
    // Named by its content hash: the same bytes forever.
    let (status, _, headers) = h.send(get("/sdk/beckon_bg.0123456789abcdef.wasm")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    // The unversioned name changes with each build.
    let (status, _, headers) = h.send(get("/sdk/beckon_bg.wasm")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=300, stale-while-revalidate=86400"
    );
    // A module of a build no longer kept: a 404 nobody caches, so a stale
    // loader can react to it and the next deploy can bring it back.
    let (status, _, headers) = h.send(get("/sdk/beckon_bg.fedcba9876543210.wasm")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    // Readable from the product's pages on other origins, the 404 too
    // (a stale loader must see it is one).
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    for path in ["/sdk/loader.js", "/sdk/beckon_bg.0123456789abcdef.wasm"] {
        let (_, _, headers) = h.send(get(path)).await;
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*", "{path}");
        assert_eq!(
            headers["cross-origin-resource-policy"], "cross-origin",
            "{path}"
        );
    }
    // A page whose tracing adds headers to every fetch preflights the
    // module's: allowed, whatever the headers.
    let preflight = Request::options("/sdk/beckon_bg.0123456789abcdef.wasm")
        .header(header::ORIGIN, "https://app.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "sentry-trace,baggage",
        )
        .body(Body::empty())
        .expect("req");
    let (status, _, headers) = h.send(preflight).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_METHODS], "GET");
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "sentry-trace,baggage"
    );
}

#[tokio::test]
async fn the_boot_state_keeps_the_counted_event_names_and_the_most_recent_others() {
    let h = harness().await;
    // `report_created` (done first of all) is counted by the seeded
    // checklist; 250 other names come after it.
    let mut events = vec![json!({"id": "rc", "name": "report_created", "ts": 1.0})];
    for i in 0..250 {
        events.push(json!({"id": format!("v{i}"), "name": format!("viewed_item_{i}"), "ts": 10.0 + f64::from(i)}));
    }
    for chunk in events.chunks(50) {
        let batch = json!({"app_id": "demo", "user": {"user_id": "u-names"}, "events": chunk});
        let (status, body, _) = h.send(post("/v1/events", batch.to_string())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, body, _) = h
        .send(post("/v1/boot", boot_body("u-names", "http://x/")))
        .await;
    let names = body["state"]["events"].as_object().expect("events");
    assert_eq!(names.len(), beckon_core::state::EVENT_NAMES_LIMIT);
    assert!(names.contains_key("report_created"));
    assert!(!names.contains_key("viewed_item_50"));
    assert!(names.contains_key("viewed_item_51"));
    assert!(names.contains_key("viewed_item_249"));
}

#[tokio::test]
async fn tour_steps_and_checklist_tasks_come_back_in_the_state() {
    let h = harness().await;
    let mut step = common::event("s1", "message.step", "reports-tour");
    step["data"] = json!({"step": 3});
    let mut older = common::event("s0", "message.step", "reports-tour");
    older["data"] = json!({"step": 1});
    older["ts"] = json!(1.0);
    let mut task = common::event("t1", "message.task", "getting-started");
    task["data"] = json!({"task": "invite"});
    let batch = json!({"app_id": "demo", "user": {"user_id": "u-progress"},
        "events": [step, older, task]});
    let (status, body, _) = h.send(post("/v1/events", batch.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, body, _) = h
        .send(post("/v1/boot", boot_body("u-progress", "http://x/")))
        .await;
    let messages = &body["state"]["messages"];
    assert_eq!(messages["reports-tour"]["step"]["step"], 3, "{messages}");
    assert_eq!(messages["getting-started"]["tasks"], json!(["invite"]));
}
