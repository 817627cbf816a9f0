//! Shared set-up of the HTTP tests: the real router (`app()`) over a real
//! database, driven with `tower::ServiceExt::oneshot`.
//!
//! The database is a SQLite file in a temporary folder, or, when
//! `BECKON_TEST_POSTGRES` holds a Postgres URL (scripts/test.sh sets it),
//! a new database created on that server for each test, so every test
//! runs against both backends with the same assertions.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use beckon_server::store::Store;
use beckon_server::{seed, AppState, Config};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::Executor;
use tower::ServiceExt;

/// The admin key every harness uses.
pub const ADMIN: &str = "test-admin-key";

/// A running app and what keeps its database alive.
pub struct Harness {
    /// The router under test.
    pub app: Router,
    /// Its state, for tests that look behind the API.
    pub state: AppState,
    _dir: tempfile::TempDir,
}

/// A new, empty Postgres database when the environment names a server;
/// its URL.
pub async fn postgres_database() -> Option<String> {
    let url = std::env::var("BECKON_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())?;
    sqlx::any::install_default_drivers();
    let name = format!("beckon_t_{}", seed::random_secret().to_lowercase());
    let admin = sqlx::AnyPool::connect(&url)
        .await
        .expect("connect to Postgres");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    admin.close().await;
    let (base, _) = url.rsplit_once('/').expect("URL with a database");
    Some(format!("{base}/{name}"))
}

/// A fresh, empty store on the backend the environment selects.
pub async fn store(dir: &std::path::Path) -> Store {
    match postgres_database().await {
        Some(url) => Store::connect(&url).await.expect("open Postgres store"),
        None => Store::open_sqlite(&dir.join("db.sqlite3"))
            .await
            .expect("open SQLite store"),
    }
}

/// The demo app seeded into a fresh database, behind the whole router.
pub async fn harness() -> Harness {
    harness_with(|_| {}).await
}

/// [`harness`] with settings changed by `adjust` first.
pub async fn harness_with(adjust: impl FnOnce(&mut Config)) -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(dir.path()).await;
    assert!(seed::seed_if_empty(&store).await.expect("seed"));
    let mut config = Config::for_data_dir(dir.path().to_path_buf(), ADMIN.into());
    let sdk = dir.path().join("sdk");
    std::fs::create_dir_all(&sdk).expect("sdk dir");
    for name in ["beckon_bg.wasm", "beckon_bg.0123456789abcdef.wasm"] {
        std::fs::write(sdk.join(name), b"\0asm\x01\0\0\0").expect("wasm file");
    }
    config.sdk_dir = sdk;
    config.body_limit = 16 * 1024;
    adjust(&mut config);
    let state = AppState::new(store, config);
    Harness {
        app: beckon_server::app(state.clone()),
        state,
        _dir: dir,
    }
}

impl Harness {
    /// Sends a request; the status, the body as JSON (or `Null`) and the headers.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value, HeaderMap) {
        let res = self.app.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, body, headers)
    }

    /// POSTs JSON to the SDK API.
    pub async fn post(&self, uri: &str, body: &Value) -> (StatusCode, Value, HeaderMap) {
        self.send(post(uri, body.to_string())).await
    }

    /// Calls the admin API with the admin key.
    pub async fn admin(&self, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.request(method, uri, Some(ADMIN), body).await
    }

    /// A request with an optional bearer token and JSON body.
    pub async fn request(
        &self,
        method: &str,
        uri: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let (status, body, _) = self.send(req.body(body).expect("request")).await;
        (status, body)
    }

    /// Creates an app through the admin API; its secret.
    pub async fn create_app(&self, id: &str, settings: Value) -> String {
        let (status, body) = self
            .admin(
                "POST",
                "/admin/v1/apps",
                Some(json!({"id": id, "name": id, "settings": settings})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["secret"].as_str().expect("secret").to_owned()
    }

    /// Boots `user` (a JSON user object) into `app` at `url`.
    pub async fn boot(&self, app: &str, user: Value, url: &str) -> (StatusCode, Value) {
        let (status, body, _) = self
            .post(
                "/v1/boot",
                &json!({"app_id": app, "user": user, "page": {"url": url}}),
            )
            .await;
        (status, body)
    }

    /// Sends events for `user` into `app`.
    pub async fn events(&self, app: &str, user: Value, events: Value) -> (StatusCode, Value) {
        let (status, body, _) = self
            .post(
                "/v1/events",
                &json!({"app_id": app, "user": user, "events": events}),
            )
            .await;
        (status, body)
    }
}

impl Harness {
    /// Boots an anonymous visitor of the demo app; their session token.
    pub async fn session(&self, anonymous_id: &str) -> String {
        let (status, boot) = self
            .boot(
                "demo",
                json!({"anonymous_id": anonymous_id}),
                "https://x.test/",
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{boot}");
        boot["session"].as_str().expect("session").to_owned()
    }

    /// Calls the messenger API with a session token (`None`: without).
    pub async fn messenger(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.request(method, uri, token, body).await
    }

    /// Starts a conversation with `text`; the conversation.
    pub async fn ask(&self, token: &str, text: &str) -> Value {
        let (status, c) = self
            .messenger(
                "POST",
                "/v1/conversations",
                Some(token),
                Some(json!({"body": text, "client_id": seed::random_secret()})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{c}");
        c
    }
}

/// A JSON POST.
pub fn post(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .expect("request")
}

/// A message event.
pub fn event(id: &str, name: &str, message: &str) -> Value {
    json!({"id": id, "name": name, "ts": 1.0e12, "message_id": message})
}
