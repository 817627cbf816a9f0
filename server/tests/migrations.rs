//! A SQLite file written by the first server version (schema 0001, counted
//! in `PRAGMA user_version`) opens with this one: its migrations are
//! adopted, the new ones run once, and its messages and articles survive.

use beckon_server::store::{MessageStatus, Store};
use sqlx::{Connection, Executor};

#[tokio::test]
async fn a_first_version_database_is_migrated_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.sqlite3");
    {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut old = sqlx::SqliteConnection::connect(&url)
            .await
            .expect("create old db");
        old.execute(include_str!("../migrations/sqlite/0001_init.sql"))
            .await
            .expect("old schema");
        old.execute(
            "PRAGMA user_version = 1;
             INSERT INTO apps (id, name, secret, created_at) VALUES ('demo', 'Demo', 's', 1);
             INSERT INTO messages (id, app_id, kind, status, priority, content, targeting, created_at, updated_at)
               VALUES ('hello', 'demo', 'banner', 'live', 4, '{\"body\":\"Hi\"}', '{}', 1, 2);
             INSERT INTO articles (id, app_id, collection, title, body, updated_at)
               VALUES ('a1', 'demo', 'Getting started', 'Start', '# Start', 3);",
        )
        .await
        .expect("old rows");
        old.close().await.expect("close");
    }
    for _ in 0..2 {
        let store = Store::open_sqlite(&path).await.expect("open and migrate");
        let live = store.live_messages("demo").await.expect("messages");
        assert_eq!(live.len(), 1);
        assert_eq!(
            (
                live[0].id.as_str(),
                live[0].priority,
                live[0].content.body.as_str()
            ),
            ("hello", 4, "Hi")
        );
        let record = store
            .message("demo", "hello")
            .await
            .expect("read")
            .expect("exists");
        assert_eq!((record.status, record.version), (MessageStatus::Live, 1));
        let article = store
            .article("demo", "a1")
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(article.collection_id.as_deref(), Some("getting-started"));
        let collections = store.collections("demo").await.expect("collections");
        assert_eq!(collections.len(), 1);
        assert_eq!(collections[0].name, "Getting started");
        store.close().await;
    }
}
