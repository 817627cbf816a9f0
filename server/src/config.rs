//! Settings read once at start, from the environment.

use std::path::PathBuf;
use std::time::Duration;

/// How the server was asked to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the SQLite file (and the generated admin key) live.
    pub data_dir: PathBuf,
    /// TCP port on 127.0.0.1.
    pub port: u16,
    /// Bearer key for `/admin/v1/…`.
    pub admin_key: String,
    /// Built SDK files (loader, glue, wasm), served under `/sdk/`.
    pub sdk_dir: PathBuf,
    /// Example pages, served at `/`.
    pub examples_dir: PathBuf,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// `postgres://…` to use Postgres; `None` for the SQLite file in
    /// `data_dir`.
    pub database_url: Option<String>,
    /// The agents' inbox page (static files), served at `/inbox`.
    pub inbox_dir: PathBuf,
    /// How long a messenger session token lasts.
    pub session_ttl: Duration,
    /// How often an open event stream re-reads the database even when this
    /// process wrote nothing: the delay for writes of other processes.
    pub stream_poll: Duration,
    /// Comment lines on an idle event stream, so proxies keep it open.
    pub keep_alive: Duration,
    /// Event streams one user may hold open in one process at a time.
    pub streams_per_user: usize,
    /// Outgoing email.
    pub email: EmailConfig,
}

/// Where and when unseen agent replies go out by email.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// `smtp://host:port`, `smtps://…` or `smtp://…?tls=required`, with
    /// optional `user:password@`; `None`: no email is sent.
    pub smtp_url: Option<String>,
    /// The From of every email: `Name <address>` or an address.
    pub from: String,
    /// Domain of the reply-to addresses (`reply+<token>@domain`), whose
    /// mail the inbound webhook receives.
    pub reply_domain: String,
    /// An agent reply unseen this long is emailed, unless the app sets its
    /// own `messenger.email_after_seconds`.
    pub delay: Duration,
    /// How often the sender looks for replies that are due.
    pub scan_every: Duration,
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Beckon <support@beckon.localhost>".to_owned(),
            reply_domain: "beckon.localhost".to_owned(),
            delay: Duration::from_secs(300),
            scan_every: Duration::from_secs(5),
        }
    }
}

impl Config {
    /// Where the store lives: the Postgres URL, or the SQLite file.
    pub fn database(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => self.data_dir.join("beckon.sqlite3").display().to_string(),
        }
    }

    /// Defaults suited to tests: paths relative to the repository root.
    pub fn for_data_dir(data_dir: PathBuf, admin_key: String) -> Self {
        Self {
            data_dir,
            port: 0,
            admin_key,
            sdk_dir: PathBuf::from("dist"),
            examples_dir: PathBuf::from("examples"),
            body_limit: 256 * 1024,
            database_url: None,
            inbox_dir: PathBuf::from("server/inbox"),
            session_ttl: crate::session::DEFAULT_TTL,
            stream_poll: Duration::from_secs(2),
            keep_alive: Duration::from_secs(15),
            streams_per_user: 10,
            email: EmailConfig::default(),
        }
    }
}
