//! The admin API for content: messages of every kind with versions and
//! status, articles in collections, and validation that names the field.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::harness;
use serde_json::{json, Value};

fn banner(id: &str) -> Value {
    json!({"id": id, "name": "Spring sale", "kind": "banner", "priority": 3,
        "content": {"title": "Sale", "body": "20% off"},
        "targeting": {"audience": {"plan": {"$in": ["free", "trial"]}},
            "pages": {"include": [{"match": "starts_with", "value": "/app"}]},
            "frequency": {"show": "once"}, "holdout_percent": 10,
            "goal": {"event": "upgraded", "within_days": 14}}})
}

fn live_ids(boot: &Value) -> Vec<String> {
    boot["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_draft_goes_live_and_every_save_is_a_version() {
    let h = harness().await;
    let (status, created) = h
        .admin("POST", "/admin/v1/apps/demo/messages", Some(banner("sale")))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        (created["status"].as_str(), created["version"].as_i64()),
        (Some("draft"), Some(1))
    );
    let (_, boot) = h.boot("demo", json!({"user_id": "u"}), "/").await;
    assert!(
        !live_ids(&boot).contains(&"sale".to_owned()),
        "drafts never reach browsers"
    );

    let (status, live) = h
        .admin(
            "POST",
            "/admin/v1/apps/demo/messages/sale/status",
            Some(json!({"status": "live"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{live}");
    assert_eq!(live["version"], 2);
    let (_, boot) = h.boot("demo", json!({"user_id": "u"}), "/").await;
    let sent = boot["messages"]
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["id"] == "sale")
        .cloned();
    let sent = sent.expect("live message is sent at once");
    assert_eq!(
        sent["targeting"]["audience"],
        json!({"plan": {"$in": ["free", "trial"]}}),
        "with its rules"
    );

    let mut changed = banner("sale");
    changed["content"]["body"] = json!("30% off");
    let (status, v3) = h
        .admin("PUT", "/admin/v1/apps/demo/messages/sale", Some(changed))
        .await;
    assert_eq!(status, StatusCode::OK, "{v3}");
    assert_eq!(
        (v3["version"].as_i64(), v3["status"].as_str()),
        (Some(3), Some("live")),
        "status kept"
    );

    let (_, versions) = h
        .admin("GET", "/admin/v1/apps/demo/messages/sale/versions", None)
        .await;
    let list = versions.as_array().expect("versions");
    assert_eq!(
        list.iter()
            .map(|v| v["version"].as_i64().unwrap_or(0))
            .collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert_eq!(
        list[2]["message"]["content"]["body"], "20% off",
        "old versions keep their content"
    );

    h.admin(
        "POST",
        "/admin/v1/apps/demo/messages/sale/status",
        Some(json!({"status": "archived"})),
    )
    .await;
    let (_, boot) = h.boot("demo", json!({"user_id": "u"}), "/").await;
    assert!(
        !live_ids(&boot).contains(&"sale".to_owned()),
        "archived messages leave boots"
    );
    let (_, drafts) = h
        .admin("GET", "/admin/v1/apps/demo/messages?status=archived", None)
        .await;
    assert_eq!(drafts.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn every_kind_of_message_can_be_authored() {
    let h = harness().await;
    let anchor = json!({"body": "hi", "anchor": {"selector": "#go"}});
    let contents = [
        ("banner", json!({"body": "hi"})),
        ("tooltip", anchor.clone()),
        ("hotspot", anchor),
        (
            "checklist",
            json!({"body": "hi", "checklist": {"tasks": [
                {"id": "t", "title": "Do it", "done_when": {"type": "manual"}}]}}),
        ),
        (
            "tour",
            json!({"body": "hi", "tour": {"steps": [{"kind": "modal", "body": "Welcome"}]}}),
        ),
        ("post", json!({"body": "hi"})),
    ];
    for (kind, content) in contents {
        let body = json!({"kind": kind, "name": format!("A {kind}"), "content": content,
            "targeting": {"trigger": {"type": "element", "selector": "#go", "on": "clicked"}}});
        let (status, m) = h
            .admin("POST", "/admin/v1/apps/demo/messages", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{kind}: {m}");
        assert_eq!(m["message"]["kind"], kind);
        assert!(
            m["message"]["id"]
                .as_str()
                .unwrap_or("")
                .starts_with(&format!("a-{kind}-")),
            "{m}"
        );
    }
}

async fn rejected(body: Value) -> Value {
    let h = harness().await;
    let (status, err) = h
        .admin("POST", "/admin/v1/apps/demo/messages", Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"], "invalid_field", "{err}");
    err
}

#[tokio::test]
async fn a_bad_rule_is_rejected_at_save_naming_the_field() {
    let mut bad_audience = banner("x");
    bad_audience["targeting"]["audience"] = json!({"$or": [{"plan": "pro"}, null]});
    let err = rejected(bad_audience).await;
    assert!(
        err["field"]
            .as_str()
            .unwrap_or("")
            .starts_with("targeting.audience"),
        "{err}"
    );

    let mut bad_regex = banner("x");
    bad_regex["targeting"]["pages"] = json!({"include": [{"match": "regex", "value": "(["}]});
    let err = rejected(bad_regex).await;
    assert!(
        err["field"]
            .as_str()
            .unwrap_or("")
            .starts_with("targeting.pages"),
        "{err}"
    );

    let mut bad_holdout = banner("x");
    bad_holdout["targeting"]["holdout_percent"] = json!(150);
    assert_eq!(
        rejected(bad_holdout).await["field"],
        "targeting.holdout_percent"
    );
}

#[tokio::test]
async fn shape_errors_name_the_field_path() {
    let mut typo = banner("x");
    typo["targeting"]["frequency"] = json!({"show": "sometimes"});
    let err = rejected(typo).await;
    assert_eq!(err["field"], "targeting.frequency.show", "{err}");

    let err = rejected(json!({"kind": "popup", "content": {}})).await;
    assert_eq!(err["field"], "kind", "{err}");

    let mut bad_id = banner("has space");
    bad_id["id"] = json!("has space");
    assert_eq!(rejected(bad_id).await["field"], "id");

    let mut js_url = banner("x");
    js_url["content"]["action"] =
        json!({"label": "Go", "type": "url", "url": "javascript:alert(1)"});
    assert_eq!(rejected(js_url).await["field"], "content.action.url");
}

#[tokio::test]
async fn articles_live_in_collections_and_messages_point_at_them() {
    let h = harness().await;
    let mut linked = banner("learn");
    linked["content"]["action"] =
        json!({"label": "Read", "type": "article", "article_id": "billing-faq"});
    let (status, err) = h
        .admin("POST", "/admin/v1/apps/demo/messages", Some(linked.clone()))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "content.action.article_id");

    let (status, err) = h
        .admin("POST", "/admin/v1/apps/demo/articles",
            Some(json!({"id": "billing-faq", "collection_id": "nope", "title": "Billing", "body": "# Billing"})))
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("collection_id"))
    );

    let (status, c) = h
        .admin(
            "POST",
            "/admin/v1/apps/demo/collections",
            Some(json!({"id": "billing", "name": "Billing"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let (status, a) = h
        .admin("POST", "/admin/v1/apps/demo/articles",
            Some(json!({"id": "billing-faq", "collection_id": "billing", "title": "Billing", "body": "# Billing\n\nPay **yearly**."})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let (status, _) = h
        .admin("POST", "/admin/v1/apps/demo/messages", Some(linked))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (_, list) = h
        .admin(
            "GET",
            "/admin/v1/apps/demo/articles?collection=billing",
            None,
        )
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["body"], "# Billing\n\nPay **yearly**.");
    let (_, seeded) = h
        .admin("GET", "/admin/v1/apps/demo/collections", None)
        .await;
    assert_eq!(
        seeded.as_array().map(Vec::len),
        Some(3),
        "two seeded collections and ours: {seeded}"
    );

    let (status, err) = h
        .admin("DELETE", "/admin/v1/apps/demo/articles/billing-faq", None)
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (StatusCode::CONFLICT, Some("in_use"))
    );
}

#[tokio::test]
async fn the_admin_api_needs_the_key() {
    let h = harness().await;
    for (method, uri) in [
        ("GET", "/admin/v1/apps"),
        ("POST", "/admin/v1/apps/demo/messages"),
        (
            "GET",
            "/admin/v1/apps/demo/messages/welcome-banner/versions",
        ),
        ("GET", "/admin/v1/apps/demo/stats"),
        ("POST", "/admin/v1/apps/demo/secret"),
    ] {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", "Bearer wrong")
            .body(Body::empty())
            .expect("request");
        let (status, body, _) = h.send(req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {uri}: {body}");
    }
}

#[tokio::test]
async fn apps_are_created_with_validated_settings() {
    let h = harness().await;
    let (status, err) = h
        .admin(
            "POST",
            "/admin/v1/apps",
            Some(json!({"name": "X", "settings": {"allowed_origins": ["evil.com"]}})),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("settings.allowed_origins[0]")
        )
    );
    let (status, err) = h
        .admin(
            "POST",
            "/admin/v1/apps",
            Some(json!({"name": "X", "settings": {"rate_limits": {"burst": "lots"}}})),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("settings.rate_limits.burst")
        )
    );
    let (status, app) = h
        .admin("POST", "/admin/v1/apps", Some(json!({"name": "My Shop"})))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        app["id"].as_str().unwrap_or("").starts_with("my-shop-"),
        "{app}"
    );
    assert_eq!(app["secret"].as_str().map(str::len), Some(32));
    let (status, _) = h
        .admin(
            "POST",
            "/admin/v1/apps",
            Some(json!({"id": "demo", "name": "again"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_sdk_reads_and_searches_the_help_center() {
    let h = harness().await;
    let (status, center, _) = h
        .send(
            Request::get("/v1/apps/demo/articles?q=invite%20SETTINGS")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{center}");
    assert_eq!(center["collections"].as_array().map(Vec::len), Some(2));
    let ids: Vec<&str> = center["articles"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, ["invite-team"], "every word must match: {center}");
    assert!(
        center["articles"][0].get("body").is_none(),
        "lists carry no bodies"
    );

    let (status, article, _) = h
        .send(
            Request::get("/v1/apps/demo/articles/scheduled-reports")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        article["body"]
            .as_str()
            .unwrap_or("")
            .contains("**Share → Schedule**"),
        "{article}"
    );
    let (status, _, _) = h
        .send(
            Request::get("/v1/apps/demo/articles/nope")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_surface_without_what_it_needs_is_rejected_naming_the_field() {
    let cases = [
        ("tooltip", json!({"body": "hi"}), "content.anchor.selector"),
        (
            "checklist",
            json!({"body": "hi"}),
            "content.checklist.tasks",
        ),
        (
            "tour",
            json!({"body": "hi", "tour": {"steps": []}}),
            "content.tour.steps",
        ),
        (
            "tour",
            json!({"body": "hi", "tour": {"steps": [{"kind": "tooltip", "body": "x"}]}}),
            "content.tour.steps[0].selector",
        ),
        (
            "checklist",
            json!({"body": "hi", "checklist": {"tasks": [
                {"id": "a", "title": "A", "done_when": {"type": "manual"}},
                {"id": "a", "title": "B", "done_when": {"type": "manual"}}]}}),
            "content.checklist.tasks[1].id",
        ),
        (
            "post",
            json!({"body": "hi", "image": "javascript:alert(1)"}),
            "content.image",
        ),
    ];
    for (kind, content, field) in cases {
        let body = json!({"kind": kind, "name": "x", "content": content, "targeting": {}});
        assert_eq!(rejected(body).await["field"], field, "{kind}");
    }
}
