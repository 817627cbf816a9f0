//! Settings read once at start, from the environment.

use std::path::PathBuf;

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
        }
    }
}
