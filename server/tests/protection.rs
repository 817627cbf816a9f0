//! Protection and operations through the router: rate limits with 429 and
//! Retry-After, CORS per app, body limits, Prometheus metrics.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{event, harness, post};
use serde_json::json;

fn boot_req(app: &str, user: &str, origin: Option<&str>) -> Request<Body> {
    let mut req = post(
        "/v1/boot",
        json!({"app_id": app, "user": {"user_id": user}, "page": {"url": "/"}}).to_string(),
    );
    req.headers_mut()
        .insert(header::HOST, "beckon.test".parse().expect("host"));
    if let Some(o) = origin {
        req.headers_mut()
            .insert(header::ORIGIN, o.parse().expect("origin"));
    }
    req
}

#[tokio::test]
async fn a_user_over_its_rate_gets_429_with_retry_after() {
    let h = harness().await;
    h.create_app(
        "slow",
        json!({"rate_limits": {"user_per_second": 0.5, "burst": 2, "app_per_second": 0}}),
    )
    .await;
    for i in 0..3 {
        let (status, body, _) = h.send(boot_req("slow", "u", None)).await;
        assert_eq!(status, StatusCode::OK, "request {i}: {body}");
    }
    let (status, body, headers) = h.send(boot_req("slow", "u", None)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"], "rate_limited");
    let wait: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("seconds");
    assert!((1..=2).contains(&wait), "{wait}");
    let (status, _, _) = h.send(boot_req("slow", "someone-else", None)).await;
    assert_eq!(status, StatusCode::OK, "other users have their own budget");
    // From the server's own pages (and any allowed origin) the SDK may
    // read the wait: Retry-After is exposed to it.
    let (status, _, headers) = h
        .send(boot_req("slow", "u", Some("http://beckon.test")))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        headers[header::ACCESS_CONTROL_EXPOSE_HEADERS],
        "retry-after"
    );
    assert!(headers.get(header::RETRY_AFTER).is_some());
}

#[tokio::test]
async fn an_app_over_its_rate_gets_429() {
    let h = harness().await;
    h.create_app(
        "busy",
        json!({"rate_limits": {"app_per_second": 1, "burst": 1, "user_per_second": 0}}),
    )
    .await;
    let statuses: Vec<StatusCode> = {
        let mut v = Vec::new();
        for i in 0..4 {
            v.push(h.send(boot_req("busy", &format!("u{i}"), None)).await.0);
        }
        v
    };
    assert_eq!(statuses[..2], [StatusCode::OK, StatusCode::OK]);
    assert_eq!(
        statuses[2..],
        [StatusCode::TOO_MANY_REQUESTS, StatusCode::TOO_MANY_REQUESTS]
    );
    let (_, metrics, _) = h
        .send(Request::get("/metrics").body(Body::empty()).expect("req"))
        .await;
    assert!(
        metrics
            .as_str()
            .unwrap_or("")
            .contains("beckon_rate_limited_total 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn cors_answers_only_the_apps_allowed_origins() {
    let h = harness().await;
    h.create_app(
        "web",
        json!({"allowed_origins": ["https://app.example.com"]}),
    )
    .await;
    let (status, _, headers) = h
        .send(boot_req("web", "u", Some("https://app.example.com")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example.com"
    );

    let (status, body, headers) = h
        .send(boot_req("web", "u", Some("https://evil.example")))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("origin_not_allowed"))
    );
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    // A "simple" request from a disallowed origin stores nothing either.
    let mut req = post(
        "/v1/events",
        json!({"app_id": "web", "user": {"user_id": "u"}, "events": [event("x", "message.shown", "m")]}).to_string(),
    );
    req.headers_mut().insert(
        header::ORIGIN,
        "https://evil.example".parse().expect("origin"),
    );
    assert_eq!(h.send(req).await.0, StatusCode::FORBIDDEN);
    let (_, stored) = h.admin("GET", "/admin/v1/apps/web/events", None).await;
    assert_eq!(stored, json!([]));

    let (status, _, headers) = h
        .send(boot_req("web", "u", Some("http://beckon.test")))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the server's own pages may always call it"
    );
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://beckon.test"
    );

    let preflight = Request::options("/v1/boot")
        .header(header::ORIGIN, "https://app.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .body(Body::empty())
        .expect("req");
    let (status, _, headers) = h.send(preflight).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap_or("")
        .contains("content-type"));

    // The page's tracing adds its headers to the SDK's requests: allowed.
    let traced = Request::options("/v1/events")
        .header(header::ORIGIN, "https://app.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "baggage,content-type,sentry-trace",
        )
        .body(Body::empty())
        .expect("req");
    let (status, _, headers) = h.send(traced).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "baggage,content-type,sentry-trace"
    );
}

#[tokio::test]
async fn oversized_event_batches_are_413() {
    let h = harness().await;
    let events: Vec<_> = (0..400)
        .map(|i| event(&format!("e{i}"), "message.shown", "welcome-banner"))
        .collect();
    let (status, body) = h
        .events("demo", json!({"user_id": "u"}), json!(events))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large"))
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_events() {
    let h = harness().await;
    h.boot("demo", json!({"user_id": "m"}), "/").await;
    h.events(
        "demo",
        json!({"user_id": "m"}),
        json!([event("a", "message.shown", "welcome-banner")]),
    )
    .await;
    h.events(
        "demo",
        json!({"user_id": "m"}),
        json!([event("a", "message.shown", "welcome-banner")]),
    )
    .await;
    let (status, text, headers) = h
        .send(Request::get("/metrics").body(Body::empty()).expect("req"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap_or("")
        .contains("openmetrics"));
    let text = text.as_str().unwrap_or_default();
    for line in [
        "beckon_http_requests_total{route=\"/v1/boot\",method=\"POST\",status=\"2xx\"} 1",
        "beckon_http_requests_total{route=\"/v1/events\",method=\"POST\",status=\"2xx\"} 2",
        "beckon_events_accepted_total 1",
        "beckon_events_duplicate_total 1",
    ] {
        assert!(text.contains(line), "missing {line}:\n{text}");
    }
    assert!(
        text.contains("beckon_http_request_duration_seconds_bucket{le="),
        "{text}"
    );
}
