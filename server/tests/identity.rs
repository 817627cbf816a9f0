//! Identity verification and the wall between users: missing, forged and
//! guessed proofs and ids, JWTs, anonymous access, and the merge of an
//! anonymous visitor into the user they identify as.

mod common;

use axum::http::StatusCode;
use beckon_server::auth::user_hash;
use common::{event, harness, Harness};
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

fn jwt(secret: &str, sub: &str, exp_in_s: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    encode(
        &Header::default(),
        &json!({"sub": sub, "exp": now + exp_in_s}),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("token")
}

/// An app that requires identity, with one dismissal stored for `alice`.
async fn secured() -> (Harness, String) {
    let h = harness().await;
    let secret = h.create_app("sec", json!({"require_identity": true})).await;
    let alice = json!({"user_id": "alice", "user_hash": user_hash(&secret, "alice")});
    let (status, body) = h
        .events(
            "sec",
            alice,
            json!([event("a1", "message.dismissed", "m1")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (h, secret)
}

fn refused(status: StatusCode, body: &Value, code: &str) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], code, "{body}");
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["error", "message"], "nothing but the error: {body}");
}

#[tokio::test]
async fn a_boot_without_proof_is_refused_and_returns_nothing() {
    let (h, _) = secured().await;
    let (status, body) = h.boot("sec", json!({"user_id": "alice"}), "/").await;
    refused(status, &body, "identity_required");
}

#[tokio::test]
async fn forged_hashes_are_refused() {
    let (h, secret) = secured().await;
    for hash in [
        user_hash(&secret, "mallory"),
        user_hash("guessed-secret", "alice"),
        "00".repeat(32),
        "not hex".to_owned(),
    ] {
        let (status, body) = h
            .boot("sec", json!({"user_id": "alice", "user_hash": hash}), "/")
            .await;
        refused(status, &body, "invalid_identity");
    }
    let (status, body) = h
        .boot(
            "sec",
            json!({"user_id": "alice", "user_hash": user_hash(&secret, "alice")}),
            "/",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["state"]["messages"]["m1"]["dismissed_at"].is_number(),
        "{body}"
    );
}

#[tokio::test]
async fn a_proof_for_one_user_does_not_write_another_users_events() {
    let (h, secret) = secured().await;
    let mallory_proof = user_hash(&secret, "mallory");
    let (status, body) = h
        .events(
            "sec",
            json!({"user_id": "alice", "user_hash": mallory_proof}),
            json!([event("forged", "message.shown", "m1")]),
        )
        .await;
    refused(status, &body, "invalid_identity");
    let (status, body) = h
        .events(
            "sec",
            json!({"user_id": "alice"}),
            json!([event("bare", "message.shown", "m1")]),
        )
        .await;
    refused(status, &body, "identity_required");
    let (_, events) = h
        .admin("GET", "/admin/v1/apps/sec/events?user=alice", None)
        .await;
    let ids: Vec<&str> = events
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids, ["a1"], "only alice's own event");
}

#[tokio::test]
async fn jwts_are_checked_for_signature_expiry_and_subject() {
    let (h, secret) = secured().await;
    let ok = jwt(&secret, "alice", 600);
    let (status, body) = h.boot("sec", json!({"user_jwt": ok}), "/").await;
    assert_eq!(status, StatusCode::OK, "a JWT alone identifies: {body}");
    assert_eq!(body["user_key"], "alice");

    let cases = [
        json!({"user_jwt": jwt(&secret, "alice", -3600)}),
        json!({"user_jwt": jwt("wrong", "alice", 600)}),
        json!({"user_id": "alice", "user_jwt": jwt(&secret, "mallory", 600)}),
        // alg "none": header {"alg":"none"}, no signature.
        json!({"user_jwt": "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhbGljZSIsImV4cCI6OTk5OTk5OTk5OX0."}),
    ];
    for user in cases {
        let (status, body) = h.boot("sec", user.clone(), "/").await;
        refused(status, &body, "invalid_identity");
    }
}

#[tokio::test]
async fn a_given_proof_is_checked_even_where_none_is_required() {
    let h = harness().await;
    let (status, body) = h
        .boot("demo", json!({"user_id": "u", "user_hash": "00ff"}), "/")
        .await;
    refused(status, &body, "invalid_identity");
}

#[tokio::test]
async fn anonymous_access_can_be_switched_off() {
    let h = harness().await;
    h.create_app("closed", json!({"allow_anonymous": false}))
        .await;
    let (status, body) = h.boot("closed", json!({"anonymous_id": "v1"}), "/").await;
    refused(status, &body, "anonymous_disabled");
    let (status, body) = h
        .events(
            "closed",
            json!({"anonymous_id": "v1"}),
            json!([event("e", "x", "m")]),
        )
        .await;
    refused(status, &body, "anonymous_disabled");
    let (status, _) = h.boot("closed", json!({"user_id": "u"}), "/").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_anonymous_id_cannot_name_an_identified_user() {
    let (h, secret) = secured().await;
    let (status, body) = h.boot("sec", json!({"anonymous_id": "alice"}), "/").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user_key"], "anon:alice");
    assert_eq!(
        body["state"]["messages"],
        json!({}),
        "alice's state stays hers"
    );
    let (status, body) = h
        .boot(
            "sec",
            json!({"user_id": "anon:alice", "user_hash": user_hash(&secret, "anon:alice")}),
            "/",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "user.user_id");
}

#[tokio::test]
async fn a_rotated_secret_invalidates_old_proofs() {
    let (h, secret) = secured().await;
    let (status, body) = h.admin("POST", "/admin/v1/apps/sec/secret", None).await;
    assert_eq!(status, StatusCode::OK);
    let new_secret = body["secret"].as_str().expect("secret").to_owned();
    assert_ne!(new_secret, secret);
    let (status, _) = h
        .boot(
            "sec",
            json!({"user_id": "alice", "user_hash": user_hash(&secret, "alice")}),
            "/",
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = h
        .boot(
            "sec",
            json!({"user_id": "alice", "user_hash": user_hash(&new_secret, "alice")}),
            "/",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn identifying_merges_the_anonymous_visitor_into_the_user() {
    let h = harness().await;
    let visitor = json!({"anonymous_id": "v-123", "attributes": {"source": "ad", "plan": "free"}});
    let (status, _) = h.boot("demo", visitor.clone(), "/").await;
    assert_eq!(status, StatusCode::OK);
    h.events(
        "demo",
        visitor,
        json!([event("v-e1", "message.dismissed", "welcome-banner")]),
    )
    .await;

    let both = json!({"user_id": "ada", "anonymous_id": "v-123", "attributes": {"plan": "pro"}});
    let (status, body) = h.boot("demo", both, "/").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user_key"], "ada");
    assert!(
        body["state"]["messages"]["welcome-banner"]["dismissed_at"].is_number(),
        "the visitor's dismissal moved with them: {body}"
    );

    let (status, user) = h.admin("GET", "/admin/v1/apps/demo/users/ada", None).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(
        user["user"]["attributes"],
        json!({"source": "ad", "plan": "pro"}),
        "the user's own attributes win"
    );
    let (status, _) = h
        .admin("GET", "/admin/v1/apps/demo/users/anon:v-123", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the visitor record is gone");

    // A batch still queued under the anonymous id follows the user…
    h.events(
        "demo",
        json!({"anonymous_id": "v-123"}),
        json!([event("late", "message.shown", "welcome-banner")]),
    )
    .await;
    let (_, timeline) = h
        .admin("GET", "/admin/v1/apps/demo/users/ada/timeline", None)
        .await;
    let ids: Vec<&str> = timeline
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{timeline}");
    assert!(ids.contains(&"late") && ids.contains(&"v-e1"));

    // …until the anonymous id boots alone again: then it is a new visitor.
    let (_, body) = h.boot("demo", json!({"anonymous_id": "v-123"}), "/").await;
    assert_eq!(body["state"]["messages"], json!({}), "{body}");
}

#[tokio::test]
async fn companies_come_from_the_company_attribute() {
    let h = harness().await;
    let user = json!({"user_id": "bo", "attributes": {"role": "admin",
        "company": {"id": "acme", "name": "Acme", "seats": 40}}});
    let (status, _) = h.boot("demo", user, "/").await;
    assert_eq!(status, StatusCode::OK);
    let (_, view) = h.admin("GET", "/admin/v1/apps/demo/users/bo", None).await;
    assert_eq!(view["user"]["company_id"], "acme");
    assert_eq!(view["user"]["attributes"], json!({"role": "admin"}));
    assert_eq!(
        view["company"],
        json!({"id": "acme", "name": "Acme", "attributes": {"seats": 40}})
    );
}
