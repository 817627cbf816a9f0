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
        ("/v1/conversations", "post"),
        ("/v1/conversations/stream", "get"),
        ("/v1/conversations/updates", "get"),
        ("/v1/conversations/{conversation_id}/rating", "post"),
        ("/v1/email/inbound", "post"),
        (
            "/admin/v1/inbox/{app_id}/conversations/{conversation_id}/reply",
            "post",
        ),
        (
            "/admin/v1/inbox/{app_id}/snippets/{snippet_id}/approve",
            "post",
        ),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    assert!(doc["components"]["securitySchemes"]["admin"].is_object());
    assert!(doc["components"]["securitySchemes"]["session"].is_object());
    assert!(
        doc["components"]["schemas"]["AppSettings"].is_object(),
        "schemas are generated from the types"
    );
}

/// The other direction: no route can reach the router without reaching the
/// document, because every handler is registered with `routes!` (which adds
/// both). Plain axum registration is allowed only for the static files.
#[test]
fn no_route_bypasses_the_document() {
    let http = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut stack = vec![http];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src/http") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let source = std::fs::read_to_string(&path).expect("source");
            let static_files = path.ends_with("assets.rs");
            for needle in [".route(", ".nest(", ".route_service(", ".nest_service("] {
                let allowed = static_files && needle == ".nest_service(";
                assert!(
                    allowed || !source.contains(needle),
                    "{} registers a route with `{needle}`, outside the OpenAPI document",
                    path.display()
                );
            }
        }
    }
    assert!(files >= 10, "only {files} files read");
}
