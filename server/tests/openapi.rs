//! `/openapi.json` cannot drift from the router: every documented
//! operation is answered by a route (not the static-file fallback, not
//! 405), and the calls the SDK and the e2e tests depend on are documented.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::harness;
use serde_json::Value;

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let h = harness().await;
    let (status, doc, _) = h
        .send(
            Request::get("/openapi.json")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap_or("").starts_with("3."),
        "{doc}"
    );
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, ops) in paths {
        let concrete = path
            .replace("{app_id}", "demo")
            .replace('{', "x")
            .replace('}', "");
        for method in ops.as_object().expect("operations").keys() {
            let mut req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&concrete)
                .header(header::AUTHORIZATION, format!("Bearer {}", common::ADMIN));
            if method == "post" || method == "put" || method == "patch" {
                req = req.header(header::CONTENT_TYPE, "application/json");
            }
            let (status, body, _) = h.send(req.body(Body::from("{}")).expect("req")).await;
            let ours = body.get("error").is_some() || status.is_success();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                ours || status != StatusCode::NOT_FOUND,
                "{method} {path} fell through to static files: {body}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} operations documented");
}

#[tokio::test]
async fn the_sdk_calls_and_admin_api_are_documented() {
    let doc: Value = serde_json::to_value(beckon_server::openapi()).expect("json");
    for (path, method) in [
        ("/v1/boot", "post"),
        ("/v1/events", "post"),
        ("/admin/v1/apps/{app_id}/events", "get"),
        ("/admin/v1/apps/{app_id}/messages", "post"),
        ("/admin/v1/apps/{app_id}/messages/{message_id}/stats", "get"),
        ("/metrics", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    assert!(doc["components"]["securitySchemes"]["admin"].is_object());
    assert!(
        doc["components"]["schemas"]["AppSettings"].is_object(),
        "schemas are generated from the types"
    );
}
