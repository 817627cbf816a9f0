//! Server processes keep no state of their own beyond short caches, so
//! several can share one database: two stores opened at once on the same
//! database migrate it once, see each other's writes, and deduplicate
//! events across each other.

mod common;

use beckon_core::protocol::Event;
use beckon_server::{seed, store::Store};

fn ev(id: &str) -> Event {
    Event {
        id: id.into(),
        name: "page.viewed".into(),
        ts: 1.0e12,
        message_id: None,
        data: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = match common::postgres_database().await {
        Some(url) => url,
        None => dir.path().join("shared.sqlite3").display().to_string(),
    };
    let (a, b) = tokio::join!(Store::connect(&url), Store::connect(&url));
    let (a, b) = (a.expect("store a"), b.expect("store b"));
    assert!(seed::seed_if_empty(&a).await.expect("seed"));
    assert!(
        !seed::seed_if_empty(&b).await.expect("seed again"),
        "seeded once"
    );
    let app = b
        .cached_app("demo")
        .await
        .expect("read")
        .expect("b sees a's app");
    let seeded: serde_json::Value = serde_json::from_str(seed::DEMO_SEED).expect("seed json");
    assert_eq!(
        app.live.len(),
        seeded["messages"].as_array().map_or(0, Vec::len)
    );

    let first = a
        .insert_events("demo", "u", vec![ev("e1"), ev("e2")])
        .await
        .expect("a writes");
    let second = b
        .insert_events("demo", "u", vec![ev("e2"), ev("e3")])
        .await
        .expect("b writes");
    assert_eq!(
        (first.accepted, second.accepted, second.duplicates),
        (2, 1, 1)
    );
    let stored = a.events("demo", Some("u"), None).await.expect("list");
    assert_eq!(
        stored.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["e1", "e2", "e3"]
    );
    a.close().await;
    b.close().await;
}
