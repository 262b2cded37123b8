//! Typed configuration: defaults, then an optional TOML file, then the environment.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// Everything the server and the importer need to know about their surroundings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://path.db`, a plain path (SQLite), or `postgres://...`.
    pub database_url: String,
    /// Where `serve` listens. Loopback unless told otherwise.
    pub bind: SocketAddr,
    /// The bearer token writes need; `None` means writes are open (loopback only).
    pub token: Option<String>,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The most rows one batch may hold.
    pub max_batch_rows: usize,
    /// Connections in the database pool.
    pub pool_size: u32,
    /// Where the browser app's built files are served from, when they exist.
    pub web_dir: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://leadsift.db".to_owned(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            token: None,
            max_body_bytes: 64 << 20,
            max_batch_rows: 100_000,
            pool_size: 8,
            web_dir: "target/web".to_owned(),
        }
    }
}

impl Settings {
    /// Defaults, overlaid by `file` when it exists (`leadsift.toml` by default), overlaid by
    /// `DATABASE_URL`, `LEADSIFT_BIND`, `LEADSIFT_TOKEN`, `LEADSIFT_WEB_DIR` and
    /// `LEADSIFT_MAX_BODY_BYTES`.
    pub fn load(file: Option<&Path>) -> Result<Settings> {
        let path = file.unwrap_or(Path::new("leadsift.toml"));
        let mut s = if path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read {}", path.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("{} is not valid configuration", path.display()))?
        } else if file.is_some() {
            anyhow::bail!("the configuration file {} does not exist", path.display());
        } else {
            Settings::default()
        };
        if let Ok(v) = std::env::var("DATABASE_URL") {
            s.database_url = v;
        }
        if let Ok(v) = std::env::var("LEADSIFT_BIND") {
            s.bind = v.parse().with_context(|| {
                format!("LEADSIFT_BIND={v:?} is not an address such as 127.0.0.1:8080")
            })?;
        }
        if let Ok(v) = std::env::var("LEADSIFT_TOKEN") {
            s.token = Some(v).filter(|t| !t.is_empty());
        }
        if let Ok(v) = std::env::var("LEADSIFT_WEB_DIR") {
            s.web_dir = v;
        }
        if let Ok(v) = std::env::var("LEADSIFT_MAX_BODY_BYTES") {
            s.max_body_bytes = v
                .parse()
                .with_context(|| format!("LEADSIFT_MAX_BODY_BYTES={v:?} is not a number"))?;
        }
        Ok(s)
    }

    /// A non-loopback address without a token would open writes to the network.
    pub fn check_exposure(&self) -> Result<()> {
        if !self.bind.ip().is_loopback() && self.token.is_none() {
            anyhow::bail!(
                "refusing to listen on {} without a token: set --token or LEADSIFT_TOKEN, or bind to 127.0.0.1",
                self.bind
            );
        }
        Ok(())
    }
}
