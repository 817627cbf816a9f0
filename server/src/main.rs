//! `beckon-server`: reads its settings from the environment, opens the
//! database, seeds the demo app on first start and serves on 127.0.0.1.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `PORT` | 8080 | port on 127.0.0.1 (0 picks a free one) |
//! | `BECKON_DATA` | `./data` | folder of the SQLite file and the admin key |
//! | `BECKON_ADMIN_KEY` | generated, kept in `$BECKON_DATA/admin-key` | bearer key of `/admin/v1` |
//! | `BECKON_SDK_DIR` | `./dist` | built SDK files |
//! | `BECKON_EXAMPLES_DIR` | `./examples` | example pages |

use std::path::PathBuf;
use std::sync::Arc;

use beckon_server::{seed, store::Store, AppState, Config};
use tracing_subscriber::EnvFilter;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The admin key from the environment, else the one kept in the data folder,
/// else a new one written there.
fn admin_key(data_dir: &std::path::Path) -> std::io::Result<String> {
    if let Ok(key) = std::env::var("BECKON_ADMIN_KEY") {
        if !key.is_empty() {
            return Ok(key);
        }
    }
    let path = data_dir.join("admin-key");
    match std::fs::read_to_string(&path) {
        Ok(key) if !key.trim().is_empty() => Ok(key.trim().to_owned()),
        _ => {
            let key = seed::random_secret();
            std::fs::write(&path, &key)?;
            Ok(key)
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let port: u16 = env_or("PORT", "8080")
        .parse()
        .map_err(|e| format!("PORT must be a port number: {e}"))?;
    let data_dir = PathBuf::from(env_or("BECKON_DATA", "data"));
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| format!("cannot create data folder {}: {e}", data_dir.display()))?;
    let key = admin_key(&data_dir)?;
    let mut config = Config::for_data_dir(data_dir.clone(), key);
    config.port = port;
    config.sdk_dir = PathBuf::from(env_or("BECKON_SDK_DIR", "dist"));
    config.examples_dir = PathBuf::from(env_or("BECKON_EXAMPLES_DIR", "examples"));

    let store = Store::open(&data_dir.join("beckon.sqlite3"))?;
    if seed::seed_if_empty(&store).await? {
        tracing::info!("seeded the demo app into a new database");
    }
    let state = AppState {
        store,
        config: Arc::new(config),
    };

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    // One machine-readable line, so scripts and tests that start the server
    // on port 0 learn where it listens.
    println!("beckon-server listening on http://{addr}/");
    tracing::info!(%addr, data = %data_dir.display(), "listening");
    axum::serve(listener, beckon_server::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before the
/// process exits, so no acknowledged event is lost.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
