//! The messenger through the whole router: the bot answers and cites,
//! handoff keeps the transcript, retries dedupe, the stream delivers
//! agent replies live and resumes after a reconnect, polling returns the
//! same, a learned snippet answers a paraphrase, ratings feed the
//! suppression of proactive messages, and no user reaches another's
//! conversation.

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{harness, harness_with, Harness};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

fn authors(c: &Value) -> Vec<String> {
    c["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["author"].as_str().unwrap_or("?").to_owned())
        .collect()
}

/// `GET /v1/conversations/updates?since=`: the status and the answer.
async fn updates_since(h: &Harness, token: &str, since: &str) -> (StatusCode, Value) {
    h.messenger(
        "GET",
        &format!("/v1/conversations/updates?since={since}"),
        Some(token),
        None,
    )
    .await
}

async fn agent_reply(h: &Harness, id: &str, body: &str) -> Value {
    let (status, view) = h
        .admin(
            "POST",
            &format!("/admin/v1/inbox/demo/conversations/{id}/reply"),
            Some(json!({"agent": "Grace", "body": body})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

#[tokio::test]
async fn the_bot_answers_at_once_and_cites_the_article() {
    let h = harness().await;
    let token = h.session("asker").await;
    let started = Instant::now();
    let c = h.ask(&token, "How do I invite my team?").await;
    let took = started.elapsed();
    assert_eq!(c["status"], "bot", "{c}");
    assert_eq!(authors(&c), ["user", "bot"]);
    let answer = &c["messages"][1];
    assert_eq!(answer["sources"][0]["kind"], "article");
    assert_eq!(answer["sources"][0]["id"], "invite-team");
    assert_eq!(answer["sources"][0]["title"], "Invite your team");
    assert_eq!(answer["asks_feedback"], true);
    assert_eq!(answer["author_name"], "Acme Bot");
    assert!(
        answer["body"].as_str().unwrap_or("").contains("Settings"),
        "{answer}"
    );
    assert_eq!(c["messages"][0]["delivery"], "sent");
    assert_eq!(c["unread"], 1, "the bot's answer is unread until read");
    eprintln!("bot answer (first, index built): {took:?}");

    // A second question reuses the index.
    let started = Instant::now();
    let again = h.ask(&token, "How can I schedule a weekly report?").await;
    eprintln!("bot answer (index warm): {:?}", started.elapsed());
    assert_eq!(
        again["messages"][1]["sources"][0]["id"], "scheduled-reports",
        "{again}"
    );

    // The user says it helped: nothing else changes.
    let id = c["id"].as_str().expect("id");
    let (status, after) = h
        .messenger(
            "POST",
            &format!("/v1/conversations/{id}/feedback"),
            Some(&token),
            Some(json!({"message_id": answer["id"], "helped": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["status"], "bot");

    // Reading clears the unread count, in the list too.
    let (_, read) = h
        .messenger(
            "POST",
            &format!("/v1/conversations/{id}/read"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(read["unread"], 0);
    let (status, list) = h
        .messenger("GET", "/v1/conversations", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["conversations"].as_array().map(Vec::len), Some(2));
    assert_eq!(list["unread"], 1, "only the second conversation is unread");
    assert!(list["cursor"].as_str().is_some());
}

#[tokio::test]
async fn below_the_threshold_it_hands_off_with_the_whole_transcript() {
    let h = harness().await;
    let token = h.session("lost").await;
    let c = h
        .ask(&token, "Can I change the currency on my invoices?")
        .await;
    assert_eq!(c["status"], "open", "{c}");
    assert_eq!(authors(&c), ["user", "system", "system"]);
    assert_eq!(c["expected_reply"], "in a few minutes");
    let told = c["messages"][1]["body"].as_str().unwrap_or("");
    assert!(
        told.contains("Acme Support") && told.contains("in a few minutes"),
        "{told}"
    );
    assert_eq!(
        c["messages"][2]["asks_email"], true,
        "anonymous: asked for an email"
    );
    let id = c["id"].as_str().expect("id");

    // The user keeps writing; nothing goes to the bot, nothing is lost.
    let (status, c) = h
        .messenger(
            "POST",
            &format!("/v1/conversations/{id}/messages"),
            Some(&token),
            Some(json!({"body": "It is for our Swiss office.", "client_id": "m2"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(authors(&c), ["user", "system", "system", "user"]);

    // The agent sees every word, and the question the bot could not answer.
    let (status, view) = h
        .admin(
            "GET",
            &format!("/admin/v1/inbox/demo/conversations/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let bodies: Vec<&str> = view["conversation"]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["author"] == "user")
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(
        bodies,
        [
            "Can I change the currency on my invoices?",
            "It is for our Swiss office."
        ]
    );
    assert_eq!(
        view["handoff_question"],
        "Can I change the currency on my invoices?"
    );
    assert_eq!(view["waiting"], 2);
    let (_, queue) = h
        .admin(
            "GET",
            "/admin/v1/inbox/demo/conversations?filter=open",
            None,
        )
        .await;
    assert_eq!(queue[0]["id"], id, "{queue}");

    // The agent opens it: the user's messages show as seen.
    h.admin(
        "POST",
        &format!("/admin/v1/inbox/demo/conversations/{id}/seen"),
        None,
    )
    .await;
    let (_, c) = h
        .messenger(
            "GET",
            &format!("/v1/conversations/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(c["messages"][0]["delivery"], "seen", "{c}");
}

#[tokio::test]
async fn asking_for_a_person_or_saying_no_hands_off() {
    let h = harness().await;
    let token = h.session("wants-human").await;
    let c = h.ask(&token, "I want to talk to a human").await;
    assert_eq!(c["status"], "open", "{c}");

    let c = h.ask(&token, "How do I invite my team?").await;
    let id = c["id"].as_str().expect("id");
    let (_, c) = h
        .messenger(
            "POST",
            &format!("/v1/conversations/{id}/feedback"),
            Some(&token),
            Some(json!({"message_id": c["messages"][1]["id"], "helped": false})),
        )
        .await;
    assert_eq!(c["status"], "open", "{c}");
    let (_, view) = h
        .admin(
            "GET",
            &format!("/admin/v1/inbox/demo/conversations/{id}"),
            None,
        )
        .await;
    assert_eq!(view["handoff_question"], "How do I invite my team?");

    let c = h.ask(&token, "How do I invite my team?").await;
    let id = c["id"].as_str().expect("id");
    let (status, c) = h
        .messenger(
            "POST",
            &format!("/v1/conversations/{id}/handoff"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(c["status"], "open");
    assert_eq!(authors(&c), ["user", "bot", "system", "system"]);
    // A second handoff changes nothing.
    let (_, again) = h
        .messenger(
            "POST",
            &format!("/v1/conversations/{id}/handoff"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(authors(&again), authors(&c));

    // Feedback on something that is not a bot answer names the field.
    let (status, err) = h
        .messenger(
            "POST",
            &format!("/v1/conversations/{id}/feedback"),
            Some(&token),
            Some(json!({"message_id": "nope", "helped": false})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "message_id");
}

#[tokio::test]
async fn retries_with_the_same_client_id_change_nothing_and_fields_are_named() {
    let h = harness().await;
    let token = h.session("retry").await;
    let body = json!({"body": "How do I invite my team?", "client_id": "c-1"});
    let (_, first) = h
        .messenger(
            "POST",
            "/v1/conversations",
            Some(&token),
            Some(body.clone()),
        )
        .await;
    let (_, second) = h
        .messenger("POST", "/v1/conversations", Some(&token), Some(body))
        .await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["messages"], second["messages"]);
    let (_, list) = h
        .messenger("GET", "/v1/conversations", Some(&token), None)
        .await;
    assert_eq!(list["conversations"].as_array().map(Vec::len), Some(1));

    for (body, field) in [
        (json!({"body": "  ", "client_id": "x"}), "body"),
        (
            json!({"body": "x".repeat(10_001), "client_id": "x"}),
            "body",
        ),
        (json!({"body": "hi", "client_id": ""}), "client_id"),
        (json!({"body": "hi"}), "(body)"),
        (json!({"body": "hi", "client_id": "x", "extra": 1}), "extra"),
    ] {
        let (status, err) = h
            .messenger("POST", "/v1/conversations", Some(&token), Some(body))
            .await;
        assert!(status.is_client_error(), "{status} {err}");
        assert_eq!(err["field"], field, "{err}");
    }
    let id = first["id"].as_str().expect("id");
    for (path, body, field) in [
        ("rating", json!({"rating": 9}), "rating"),
        ("email", json!({"email": "not-an-address"}), "email"),
    ] {
        let (status, err) = h
            .messenger(
                "POST",
                &format!("/v1/conversations/{id}/{path}"),
                Some(&token),
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["field"], field);
    }
}

#[tokio::test]
async fn no_user_reaches_another_users_conversation() {
    let h = harness_with(|c| c.session_ttl = Duration::from_secs(4)).await;
    let alice = h.session("alice").await;
    // Long enough for the checks below on a slow database; `exp` has
    // whole seconds, so the token is surely expired 5 s after its boot.
    let expires = Instant::now() + Duration::from_millis(5100);
    let mallory = h.session("mallory").await;
    let c = h.ask(&alice, "How do I invite my team?").await;
    let id = c["id"].as_str().expect("id");

    // Mallory knows the id: every call answers 404, as for a made-up id.
    for (method, path, body) in [
        ("GET", String::new(), None),
        (
            "POST",
            "/messages".into(),
            Some(json!({"body": "hi", "client_id": "m"})),
        ),
        ("POST", "/read".into(), None),
        ("POST", "/handoff".into(), None),
        ("POST", "/rating".into(), Some(json!({"rating": 1}))),
        (
            "POST",
            "/email".into(),
            Some(json!({"email": "m@evil.test"})),
        ),
        (
            "POST",
            "/feedback".into(),
            Some(json!({"message_id": c["messages"][1]["id"], "helped": false})),
        ),
    ] {
        for target in [id, "c_guessed00000000000000"] {
            let (status, err) = h
                .messenger(
                    method,
                    &format!("/v1/conversations/{target}{path}"),
                    Some(&mallory),
                    body.clone(),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {err}");
        }
    }
    let (_, list) = h
        .messenger("GET", "/v1/conversations", Some(&mallory), None)
        .await;
    assert_eq!(list["conversations"], json!([]));
    let (_, updates) = h
        .messenger(
            "GET",
            "/v1/conversations/updates?since=0",
            Some(&mallory),
            None,
        )
        .await;
    assert_eq!(
        updates["events"],
        json!([]),
        "Alice's feed is not Mallory's"
    );

    // No token, a forged one, one of another app, one that claims another app.
    let (status, _) = h.messenger("GET", "/v1/conversations", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mut forged = alice.clone();
    forged.pop();
    forged.push(if alice.ends_with('A') { 'B' } else { 'A' });
    let (status, err) = h
        .messenger(
            "GET",
            &format!("/v1/conversations/{id}"),
            Some(&forged),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");
    assert_eq!(err["error"], "invalid_session");
    let (status, _) = h
        .messenger("GET", "/v1/conversations", Some("not.a.token"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    h.create_app("other", json!({})).await;
    let (_, boot) = h
        .boot("other", json!({"anonymous_id": "alice"}), "https://o.test/")
        .await;
    let other = boot["session"].as_str().expect("session");
    let (status, _) = h
        .messenger("GET", &format!("/v1/conversations/{id}"), Some(other), None)
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "same anonymous id, other app: not hers"
    );
    // Other app's token with the payload edited to claim the demo app.
    let parts: Vec<&str> = other.split('.').collect();
    let payload = String::from_utf8(decode_b64url(parts[1]))
        .expect("utf8")
        .replace("\"other\"", "\"demo\"");
    let edited = format!(
        "{}.{}.{}",
        parts[0],
        encode_b64url(payload.as_bytes()),
        parts[2]
    );
    let (status, _) = h
        .messenger(
            "GET",
            &format!("/v1/conversations/{id}"),
            Some(&edited),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The token expires (4 s here).
    tokio::time::sleep(expires.saturating_duration_since(Instant::now())).await;
    let (status, err) = h
        .messenger(
            "GET",
            &format!("/v1/conversations/{id}"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");
    assert!(
        err["message"].as_str().unwrap_or("").contains("expired"),
        "{err}"
    );
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn decode_b64url(s: &str) -> Vec<u8> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let v = B64.iter().position(|b| *b == c).expect("base64url") as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

fn encode_b64url(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Reads a stream's body until `pred` holds for what arrived, or 5 s pass.
async fn read_until(body: &mut Body, seen: &mut String, pred: impl Fn(&str) -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !pred(seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    seen.push_str(&String::from_utf8_lossy(&data));
                }
            }
            _ => return false,
        }
    }
    true
}

fn last_id(text: &str) -> Option<String> {
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix("id:"))
        .map(|s| s.trim().to_owned())
}

#[tokio::test]
async fn the_stream_delivers_agent_replies_live_and_resumes_after_a_reconnect() {
    let h = harness().await;
    let token = h.session("live").await;
    let c = h.ask(&token, "Please let me talk to a person").await;
    let id = c["id"].as_str().expect("id").to_owned();
    let (_, list) = h
        .messenger("GET", "/v1/conversations", Some(&token), None)
        .await;
    let cursor = list["cursor"].as_str().expect("cursor").to_owned();

    let res = open_stream(&h, &token).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
    assert_eq!(
        res.headers()["x-accel-buffering"],
        "no",
        "proxies pass it unbuffered"
    );
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
    let mut body = res.into_body();
    let mut seen = String::new();
    assert!(
        read_until(&mut body, &mut seen, |s| s.contains("retry:")
            && s.contains("event: hello"))
        .await,
        "{seen}"
    );

    let started = Instant::now();
    agent_reply(&h, &id, "Hi, I am Grace. Let me check.").await;
    assert!(
        read_until(&mut body, &mut seen, |s| s.contains("Let me check.")
            && s.contains("\"type\":\"conversation\""))
        .await,
        "the reply arrives live: {seen}"
    );
    eprintln!("agent reply to the user's stream: {:?}", started.elapsed());
    assert!(seen.contains("\"author_name\":\"Grace\""), "{seen}");
    // Typing reaches the stream too (no id: it is not stored).
    h.admin(
        "POST",
        &format!("/admin/v1/inbox/demo/conversations/{id}/typing"),
        Some(json!({"agent": "Grace"})),
    )
    .await;
    assert!(
        read_until(&mut body, &mut seen, |s| s.contains("\"type\":\"typing\"")).await,
        "{seen}"
    );
    let resume_from = last_id(&seen).expect("an id: line");
    drop(body);

    // While the user is away, the agent writes again.
    agent_reply(&h, &id, "Found it: Settings, Billing.").await;

    let res = h
        .app
        .clone()
        .oneshot(
            Request::get(format!("/v1/conversations/stream?session={token}"))
                .header("last-event-id", &resume_from)
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("infallible");
    let mut body = res.into_body();
    let mut resumed = String::new();
    assert!(
        read_until(&mut body, &mut resumed, |s| s.contains("Found it")).await,
        "the missed reply arrives after the reconnect: {resumed}"
    );
    assert!(
        !resumed.contains("Let me check."),
        "nothing twice: {resumed}"
    );

    // Polling from the list's cursor returns the same, in order.
    let (status, updates) = updates_since(&h, &token, &cursor).await;
    assert_eq!(status, StatusCode::OK, "{updates}");
    let bodies: Vec<&str> = updates["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"] == "message")
        .filter_map(|e| e["message"]["body"].as_str())
        .collect();
    assert_eq!(
        bodies,
        [
            "Hi, I am Grace. Let me check.",
            "Found it: Settings, Billing."
        ]
    );
    let next = updates["cursor"].as_str().expect("cursor");
    let (_, none) = updates_since(&h, &token, next).await;
    assert_eq!(none["events"], json!([]));
    assert_eq!(none["cursor"], next);
    let (status, err) = h
        .messenger(
            "GET",
            "/v1/conversations/updates?since=soon",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "since");

    // The user's view: Grace has it, two unread.
    let (_, c) = h
        .messenger(
            "GET",
            &format!("/v1/conversations/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(c["assignee"], "Grace");
    assert_eq!(c["unread"], 4, "two system notes and two replies");
}

#[tokio::test]
async fn a_learned_snippet_answers_a_paraphrase_and_cites_it() {
    let h = harness().await;
    let token = h.session("learner").await;
    let c = h
        .ask(&token, "Can I change the currency on my invoices?")
        .await;
    assert_eq!(c["status"], "open", "the bot does not know yet: {c}");
    let id = c["id"].as_str().expect("id");
    let view = agent_reply(
        &h,
        id,
        "Yes: go to **Settings → Billing** and pick a currency; the next invoice uses it.",
    )
    .await;
    let suggestion = &view["snippet_suggestion"];
    assert_eq!(
        suggestion["question"], "Can I change the currency on my invoices?",
        "{view}"
    );

    let (status, snippet) = h
        .admin(
            "POST",
            "/admin/v1/inbox/demo/snippets",
            Some(
                json!({"question": suggestion["question"], "answer": suggestion["answer"],
                        "conversation_id": id, "agent": "Grace"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{snippet}");
    assert_eq!(snippet["status"], "pending");
    let paraphrase = "How do I switch the currency of an invoice?";
    let pending = h.ask(&token, paraphrase).await;
    assert_eq!(
        pending["status"], "open",
        "a pending snippet is not used: {pending}"
    );

    let sid = snippet["id"].as_str().expect("id");
    let (status, approved) = h
        .admin(
            "POST",
            &format!("/admin/v1/inbox/demo/snippets/{sid}/approve"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "approved");

    for question in [
        paraphrase,
        "invoice currency change?",
        "Can I change the currency on my invoices?",
    ] {
        let c = h.ask(&token, question).await;
        assert_eq!(c["status"], "bot", "{question}: {c}");
        let answer = &c["messages"][1];
        assert_eq!(answer["sources"][0]["kind"], "snippet", "{question}");
        assert_eq!(answer["sources"][0]["id"], sid);
        assert!(answer["body"]
            .as_str()
            .unwrap_or("")
            .contains("Settings → Billing"));
    }
    // Articles still win their own questions.
    let c = h.ask(&token, "How do I invite my team?").await;
    assert_eq!(c["messages"][1]["sources"][0]["id"], "invite-team");

    // Deleting it takes it out of the bot's knowledge.
    let (status, _) = h
        .admin(
            "DELETE",
            &format!("/admin/v1/inbox/demo/snippets/{sid}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let c = h.ask(&token, paraphrase).await;
    assert_eq!(c["status"], "open");
}

#[tokio::test]
async fn a_bad_rating_or_an_unhappy_mark_keeps_proactive_messages_away() {
    use beckon_core::orchestration::{
        compile_all, decide, Context, Decision, PageFacts, Reason, Settings, Suppression,
    };
    use beckon_core::protocol::Message;
    use beckon_core::state::UserState;

    let h = harness().await;
    let token = h.session("grumpy").await;
    let (_, boot) = h
        .boot("demo", json!({"anonymous_id": "grumpy"}), "https://x.test/")
        .await;
    assert!(boot["state"].get("unhappy_at").is_none(), "{boot}");
    assert_eq!(boot["messenger"]["bot_name"], "Acme Bot");

    let c = h.ask(&token, "How do I invite my team?").await;
    let id = c["id"].as_str().expect("id");
    let (status, rated) = h
        .messenger(
            "POST",
            &format!("/v1/conversations/{id}/rating"),
            Some(&token),
            Some(json!({"rating": 1, "comment": "Useless"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rated}");
    assert_eq!(rated["rating"], 1);

    let (_, boot) = h
        .boot("demo", json!({"anonymous_id": "grumpy"}), "https://x.test/")
        .await;
    let unhappy_at = boot["state"]["unhappy_at"]
        .as_f64()
        .expect("unhappy_at set");
    let now = beckon_server::store::now_ms() as f64;
    assert!((now - unhappy_at).abs() < 60_000.0);

    // What the SDK then decides from this boot answer.
    let messages: Vec<Message> =
        serde_json::from_value(boot["messages"].clone()).expect("messages");
    assert!(!messages.is_empty(), "the demo has messages");
    let state: UserState = serde_json::from_value(boot["state"].clone()).expect("state");
    let settings: Settings = serde_json::from_value(boot["settings"].clone()).expect("settings");
    let (compiled, _) = compile_all(&messages);
    let attributes = json!({});
    let groups = Default::default();
    let page = PageFacts {
        viewed_at: now,
        last_input_at: now,
        ..Default::default()
    };
    let ctx = Context {
        now,
        user_key: "anon:grumpy",
        url: "https://x.test/",
        attributes: &attributes,
        groups: &groups,
        locale: None,
        utc_offset_minutes: 0,
        clock_skew: 0.0,
        session_start: now,
        page: &page,
        messenger_open: false,
        conversation_open: false,
        showing: &[],
    };
    let verdicts = decide(&compiled, &ctx, &state, &settings);
    assert!(verdicts.iter().all(|v| !v.is_shown()), "{verdicts:?}");
    assert!(
        verdicts.iter().any(|v| matches!(
            &v.decision,
            Decision::Hidden(Reason::Suppressed(Suppression::Unhappy { .. }))
        )),
        "suppressed because unhappy: {:?}",
        verdicts.iter().map(|v| v.explain()).collect::<Vec<_>>()
    );

    // A good rating elsewhere leaves a happy user alone; an agent's mark
    // sets it too.
    let happy = h.session("happy").await;
    let c = h.ask(&happy, "How do I invite my team?").await;
    let id = c["id"].as_str().expect("id");
    h.messenger(
        "POST",
        &format!("/v1/conversations/{id}/rating"),
        Some(&happy),
        Some(json!({"rating": 5})),
    )
    .await;
    let (_, boot) = h
        .boot("demo", json!({"anonymous_id": "happy"}), "https://x.test/")
        .await;
    assert!(boot["state"].get("unhappy_at").is_none(), "{boot}");
    let (status, view) = h
        .admin(
            "POST",
            &format!("/admin/v1/inbox/demo/conversations/{id}/unhappy"),
            Some(json!({"agent": "Grace"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["unhappy"], true);
    let (_, boot) = h
        .boot("demo", json!({"anonymous_id": "happy"}), "https://x.test/")
        .await;
    assert!(boot["state"]["unhappy_at"].as_f64().is_some(), "{boot}");
}

#[tokio::test]
async fn conversations_and_unhappiness_follow_a_visitor_who_identifies() {
    let h = harness().await;
    let token = h.session("visitor").await;
    let c = h
        .ask(&token, "Can I change the currency on my invoices?")
        .await;
    let id = c["id"].as_str().expect("id");
    h.messenger(
        "POST",
        &format!("/v1/conversations/{id}/rating"),
        Some(&token),
        Some(json!({"rating": 2})),
    )
    .await;
    let (status, boot) = h
        .boot(
            "demo",
            json!({"user_id": "ada", "anonymous_id": "visitor"}),
            "https://x.test/",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{boot}");
    assert!(
        boot["state"]["unhappy_at"].as_f64().is_some(),
        "merged: {boot}"
    );
    let ada = boot["session"].as_str().expect("session");
    let (_, list) = h
        .messenger("GET", "/v1/conversations", Some(ada), None)
        .await;
    assert_eq!(list["conversations"][0]["id"], id, "{list}");
    let (status, _) = h
        .messenger(
            "GET",
            &format!("/v1/conversations/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the visitor's old session no longer reaches it"
    );
}

#[tokio::test]
async fn the_inbox_assigns_closes_and_filters() {
    let h = harness().await;
    let token = h.session("queue").await;
    let c = h.ask(&token, "talk to a human please").await;
    let id = c["id"].as_str().expect("id");
    let (status, view) = h
        .admin(
            "POST",
            &format!("/admin/v1/inbox/demo/conversations/{id}/assign"),
            Some(json!({"assignee": "Grace"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let (_, mine) = h
        .admin(
            "GET",
            "/admin/v1/inbox/demo/conversations?filter=mine&agent=Grace",
            None,
        )
        .await;
    assert_eq!(mine[0]["id"], id);
    let (_, theirs) = h
        .admin(
            "GET",
            "/admin/v1/inbox/demo/conversations?filter=mine&agent=Alan",
            None,
        )
        .await;
    assert_eq!(theirs, json!([]));
    let (status, err) = h
        .admin(
            "GET",
            "/admin/v1/inbox/demo/conversations?filter=mine",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["field"], "agent");
    let (status, view) = h
        .admin(
            "POST",
            &format!("/admin/v1/inbox/demo/conversations/{id}/close"),
            Some(json!({"agent": "Grace"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["conversation"]["status"], "closed");
    let (_, closed) = h
        .admin(
            "GET",
            "/admin/v1/inbox/demo/conversations?filter=closed",
            None,
        )
        .await;
    assert_eq!(closed[0]["id"], id);
    let (_, c) = h
        .messenger(
            "GET",
            &format!("/v1/conversations/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(c["status"], "closed");
    assert!(c["messages"]
        .as_array()
        .and_then(|m| m.last())
        .is_some_and(|m| m["body"].as_str().unwrap_or("").contains("How did we do")));
    // Without the admin key: nothing.
    let (status, _, _) = h
        .send(
            Request::get("/admin/v1/inbox/demo/conversations")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_preflight_allows_the_session_header() {
    let h = harness().await;
    let (status, _, headers) = h
        .send(
            Request::options("/v1/conversations")
                .header(header::ORIGIN, "https://app.test")
                .header("access-control-request-headers", "authorization")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let allowed = headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap_or("");
    assert!(allowed.contains("authorization"), "{allowed}");
}

/// Two server processes on one database: a stream served by one sees a
/// reply written through the other, from the database (each process has
/// its own in-memory wake-ups; here the second "process" is a second
/// `AppState` over the same store, with a hub of its own).
#[tokio::test]
async fn a_stream_sees_writes_of_another_process() {
    let h = harness_with(|c| c.stream_poll = Duration::from_millis(200)).await;
    let other = beckon_server::AppState::new(h.state.store.clone(), (*h.state.config).clone());
    let other_app = beckon_server::app(other);
    let token = h.session("two-procs").await;
    let c = h.ask(&token, "talk to a human").await;
    let id = c["id"].as_str().expect("id").to_owned();

    let res = open_stream(&h, &token).await;
    let mut body = res.into_body();
    let mut seen = String::new();
    assert!(read_until(&mut body, &mut seen, |s| s.contains("retry:")).await);
    let reply = Request::post(format!("/admin/v1/inbox/demo/conversations/{id}/reply"))
        .header(header::AUTHORIZATION, format!("Bearer {}", common::ADMIN))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"agent": "Ada", "body": "From the other process"}).to_string(),
        ))
        .expect("req");
    let res = other_app.oneshot(reply).await.expect("infallible");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        read_until(&mut body, &mut seen, |s| s
            .contains("From the other process"))
        .await,
        "{seen}"
    );
}

#[tokio::test]
async fn typing_reaches_a_polling_client_until_the_reply_and_no_one_else() {
    let h = harness().await;
    let token = h.session("poller").await;
    let other = h.session("bystander").await;
    let c = h.ask(&token, "Please let me talk to a person").await;
    let id = c["id"].as_str().expect("id").to_owned();
    let poll = |token: String| {
        let h = &h;
        async move {
            let (_, list) = h
                .messenger("GET", "/v1/conversations", Some(&token), None)
                .await;
            let cursor = list["cursor"].as_str().unwrap_or("0").to_owned();
            let (status, updates) = updates_since(h, &token, &cursor).await;
            assert_eq!(status, StatusCode::OK, "{updates}");
            updates["events"].clone()
        }
    };
    assert_eq!(poll(token.clone()).await, json!([]));

    h.admin(
        "POST",
        &format!("/admin/v1/inbox/demo/conversations/{id}/typing"),
        Some(json!({"agent": "Grace"})),
    )
    .await;
    let typing = json!([{"type": "typing", "conversation_id": id, "author_name": "Grace"}]);
    assert_eq!(poll(token.clone()).await, typing);
    // Still news on the next poll a moment later (once, not piled up).
    assert_eq!(poll(token.clone()).await, typing);
    assert_eq!(
        poll(other.clone()).await,
        json!([]),
        "another user sees none"
    );

    agent_reply(&h, &id, "Here I am.").await;
    assert_eq!(poll(token).await, json!([]), "the reply ends it");
}

/// Opens an event stream with `token`; the response (its body holds the
/// stream open).
async fn open_stream(h: &Harness, token: &str) -> axum::response::Response {
    h.app
        .clone()
        .oneshot(
            Request::get(format!("/v1/conversations/stream?session={token}"))
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("infallible")
}

#[tokio::test]
async fn one_user_holds_a_bounded_number_of_streams_and_a_closed_one_frees_its_place() {
    let h = harness_with(|c| c.streams_per_user = 2).await;
    let token = h.session("many-windows").await;
    let first = open_stream(&h, &token).await;
    let second = open_stream(&h, &token).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    let refused = open_stream(&h, &token).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = refused
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["error"], "too_many_streams", "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| m.contains("poll")),
        "{body}"
    );
    // Another user is not counted with this one.
    let other = h.session("someone-else").await;
    assert_eq!(open_stream(&h, &other).await.status(), StatusCode::OK);
    // A stream that ends (the tab closed) frees its place.
    drop(first);
    assert_eq!(open_stream(&h, &token).await.status(), StatusCode::OK);
    drop(second);
}
