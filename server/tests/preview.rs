//! Preview: what the SDK would show a stored user on a page, with core's
//! explanation for every message it would not show.

mod common;

use axum::http::StatusCode;
use common::harness;
use serde_json::{json, Value};

fn verdict<'a>(answer: &'a Value, id: &str) -> &'a Value {
    answer["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("{id} missing from {answer}"))
}

#[tokio::test]
async fn preview_shows_what_the_sdk_would_and_explains_the_rest() {
    let h = harness().await;
    let draft = json!({"id": "pro-tips", "kind": "post", "content": {"body": "Tips for pro users"},
        "targeting": {"audience": {"plan": {"$in": ["pro"]}}}});
    let (status, body) = h
        .admin("POST", "/admin/v1/apps/demo/messages", Some(draft))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = h
        .boot(
            "demo",
            json!({"user_id": "ada", "attributes": {"plan": "free"}}),
            "http://x/",
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, answer) = h
        .admin(
            "POST",
            "/admin/v1/apps/demo/preview",
            Some(json!({"user_key": "ada", "url": "http://x/"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["shown"], json!(["welcome-banner"]), "{answer}");
    let pricing = verdict(&answer, "pricing-banner");
    assert_eq!(pricing["decision"], "hidden");
    assert!(
        pricing["reason"].as_str().unwrap_or("").contains("page"),
        "{pricing}"
    );
    let tips = verdict(&answer, "pro-tips");
    assert_eq!(
        (tips["decision"].as_str(), tips["status"].as_str()),
        (Some("hidden"), Some("draft"))
    );
    assert!(
        tips["reason"].as_str().unwrap_or("").contains("plan"),
        "names the attribute: {tips}"
    );

    let (_, as_pro) = h
        .admin(
            "POST",
            "/admin/v1/apps/demo/preview",
            Some(json!({"user_key": "ada", "url": "http://x/", "attributes": {"plan": "pro"}})),
        )
        .await;
    assert!(
        as_pro["shown"]
            .as_array()
            .expect("shown")
            .contains(&json!("pro-tips")),
        "{as_pro}"
    );

    let (_, live_only) = h
        .admin(
            "POST",
            "/admin/v1/apps/demo/preview",
            Some(
                json!({"url": "http://x/", "attributes": {"plan": "pro"}, "include_drafts": false}),
            ),
        )
        .await;
    assert!(live_only["messages"]
        .as_array()
        .expect("list")
        .iter()
        .all(|m| m["id"] != "pro-tips"));

    let (status, _) = h
        .admin(
            "POST",
            "/admin/v1/apps/demo/preview",
            Some(json!({"user_key": "nobody", "url": "http://x/"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
