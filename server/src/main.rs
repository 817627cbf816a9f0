//! `beckon-server`: reads its settings from the environment, opens the
//! database, seeds the demo app on first start and serves on 127.0.0.1.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `PORT` | 8080 | port on 127.0.0.1 (0 picks a free one) |
//! | `BECKON_DATA` | `./data` | folder of the SQLite file and the admin key |
//! | `DATABASE_URL` | unset | `postgres://…` to use Postgres instead of SQLite |
//! | `BECKON_ADMIN_KEY` | generated, kept in `$BECKON_DATA/admin-key` | bearer key of `/admin/v1` |
//! | `BECKON_SDK_DIR` | `./dist` | built SDK files |
//! | `BECKON_EXAMPLES_DIR` | `./examples` | example pages |
//! | `BECKON_LOG` | `text` | `json` for one JSON object per log line |
//! | `RUST_LOG` | `info` | log filter |
//! | `BECKON_INBOX_DIR` | `./server/inbox` | the agents' inbox page, served at `/inbox` |
//! | `BECKON_SESSION_HOURS` | 12 | lifetime of a messenger session token |
//! | `BECKON_STREAM_POLL_MS` | 2000 | how often event streams re-read the database (writes of other processes) |
//! | `BECKON_STREAMS_PER_USER` | 10 | event streams one user may hold open in one process (more are refused with 429; the SDK polls) |
//! | `BECKON_SMTP_URL` | unset | `smtp://host:port` (`smtps://`, `?tls=required`, `user:pass@`): unseen agent replies go out by email |
//! | `BECKON_MAIL_FROM` | `Beckon <support@beckon.localhost>` | From of those emails |
//! | `BECKON_REPLY_DOMAIN` | the From's domain | domain of `reply+<token>@…`, routed to `POST /v1/email/inbound` |
//! | `BECKON_EMAIL_DELAY_SECS` | 300 | an agent reply unseen this long is emailed (apps may set their own) |
//! | `BECKON_EMAIL_SCAN_SECS` | 5 | how often the sender looks for due replies |

use std::path::PathBuf;
use std::time::Duration;

use beckon_server::config::EmailConfig;
use beckon_server::{mail, seed, store::Store, AppState, Config};
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

/// A number of seconds (fractions allowed) from the environment.
fn env_secs(name: &str, default: Duration) -> Result<Duration, String> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| format!("{name} must be a number of seconds, not {v:?}")),
        _ => Ok(default),
    }
}

/// The email settings from the environment.
fn email_config() -> Result<EmailConfig, String> {
    let defaults = EmailConfig::default();
    let from = env_or("BECKON_MAIL_FROM", &defaults.from);
    let from_domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim().to_owned())
        .filter(|d| !d.is_empty());
    let reply_domain = std::env::var("BECKON_REPLY_DOMAIN")
        .ok()
        .filter(|d| !d.is_empty())
        .or(from_domain)
        .unwrap_or(defaults.reply_domain);
    Ok(EmailConfig {
        smtp_url: std::env::var("BECKON_SMTP_URL")
            .ok()
            .filter(|u| !u.is_empty()),
        from,
        reply_domain,
        delay: env_secs("BECKON_EMAIL_DELAY_SECS", defaults.delay)?,
        scan_every: env_secs("BECKON_EMAIL_SCAN_SECS", defaults.scan_every)?,
    })
}

fn init_logs() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    if env_or("BECKON_LOG", "text") == "json" {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logs();
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
    config.database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    config.inbox_dir = PathBuf::from(env_or("BECKON_INBOX_DIR", "server/inbox"));
    // The same parser for hours and milliseconds: read as a number, scaled.
    config.session_ttl = env_secs("BECKON_SESSION_HOURS", Duration::from_secs(12))? * 3600;
    config.stream_poll = env_secs("BECKON_STREAM_POLL_MS", Duration::from_secs(2000))? / 1000;
    config.streams_per_user = match std::env::var("BECKON_STREAMS_PER_USER") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|_| format!("BECKON_STREAMS_PER_USER must be a whole number, not {v:?}"))?,
        _ => config.streams_per_user,
    };
    config.email = email_config()?;

    let store = Store::connect(&config.database()).await?;
    if seed::seed_if_empty(&store).await? {
        tracing::info!("seeded the demo app into a new database");
    }
    let state = AppState::new(store.clone(), config);
    let hub = state.hub.clone();
    if mail::spawn_sender(state.clone())?.is_some() {
        tracing::info!("emailing unseen agent replies");
    }

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    // One machine-readable line, so scripts and tests that start the server
    // on port 0 learn where it listens.
    println!("beckon-server listening on http://{addr}/");
    tracing::info!(%addr, database = ?store.dialect(), "listening");
    axum::serve(listener, beckon_server::app(state))
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Open event streams end here, or they would hold the shutdown.
            hub.stop();
        })
        .await?;
    // Every request has been answered; let the event writer finish and the
    // database close cleanly.
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; the listener then stops accepting and
/// in-flight requests finish, so every acknowledged event is stored and no
/// request is acknowledged after that.
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
