//! Typed configuration: defaults, then an optional TOML file, then the environment, then the
//! command line; [`Settings::check`] refuses what would be unsafe or meaningless.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// A configuration that cannot be run (the command line exits 2 on it).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// How the server writes its log lines on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per event.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(ConfigError(format!(
                "the log format {s:?} is not text or json"
            ))),
        }
    }
}

/// Everything the server and the importer need to know about their surroundings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://path.db`, a plain path (SQLite), or `postgres://...`.
    pub database_url: String,
    /// Where `serve` listens. Loopback unless told otherwise.
    pub bind: SocketAddr,
    /// The bearer token that every API route needs; `None` means the API is open to
    /// loopback clients only (see `allowed_hosts`).
    pub token: Option<String>,
    /// Host names (as in the `Host` and `Origin` headers) accepted besides loopback ones.
    /// Without a token, only loopback and these are served (a defence against DNS rebinding
    /// and cross-site requests); with a token and a non-empty list, only these and loopback.
    pub allowed_hosts: Vec<String>,
    /// The largest request body accepted, in bytes (compressed, as sent).
    pub max_body_bytes: usize,
    /// The most bytes a gzip upload may inflate to.
    pub max_inflated_bytes: u64,
    /// The most a gzip upload may inflate per compressed byte.
    pub max_inflation_ratio: u64,
    /// The most rows one batch may hold.
    pub max_batch_rows: usize,
    /// The most uploads (CSV bodies and batches) handled at once; more get 503.
    pub max_uploads: usize,
    /// A run that receives no batch for this many seconds is marked `abandoned`.
    pub abandon_after_secs: u64,
    /// Connections in the database pool.
    pub pool_size: u32,
    /// Where the browser app's built files are served from, when they exist.
    pub web_dir: String,
    /// Where CSV uploads are spooled while they arrive (the system's temporary directory
    /// when empty).
    pub spool_dir: String,
    pub log_format: LogFormat,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://leadsift.db".to_owned(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            token: None,
            allowed_hosts: Vec::new(),
            max_body_bytes: 64 << 20,
            max_inflated_bytes: 1 << 30,
            max_inflation_ratio: leadsift_core::Limits::default().max_inflation_ratio,
            max_batch_rows: 100_000,
            max_uploads: 4,
            abandon_after_secs: 3600,
            pool_size: 8,
            web_dir: "target/web".to_owned(),
            spool_dir: String::new(),
            log_format: LogFormat::Text,
        }
    }
}

fn env_number<T: std::str::FromStr>(name: &str, slot: &mut T) -> Result<()> {
    if let Ok(v) = std::env::var(name) {
        *slot = v
            .parse()
            .map_err(|_| ConfigError(format!("{name}={v:?} is not a number")))?;
    }
    Ok(())
}

impl Settings {
    /// Defaults, overlaid by `file` when it exists (`leadsift.toml` by default), overlaid by
    /// `DATABASE_URL`, `LEADSIFT_BIND`, `LEADSIFT_TOKEN`, `LEADSIFT_ALLOWED_HOSTS` (comma
    /// separated), `LEADSIFT_WEB_DIR`, `LEADSIFT_MAX_BODY_BYTES`,
    /// `LEADSIFT_MAX_INFLATED_BYTES`, `LEADSIFT_MAX_UPLOADS`, `LEADSIFT_ABANDON_AFTER_SECS`
    /// and `LEADSIFT_LOG_FORMAT`. Call [`Settings::check`] once the command line is applied.
    pub fn load(file: Option<&Path>) -> Result<Settings> {
        let path = file.unwrap_or(Path::new("leadsift.toml"));
        let mut s = if path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read {}", path.display()))?;
            toml::from_str(&text).map_err(|e| {
                ConfigError(format!(
                    "{} is not valid configuration: {}",
                    path.display(),
                    e.message()
                ))
            })?
        } else if file.is_some() {
            return Err(ConfigError(format!(
                "the configuration file {} does not exist",
                path.display()
            ))
            .into());
        } else {
            Settings::default()
        };
        if let Ok(v) = std::env::var("DATABASE_URL") {
            s.database_url = v;
        }
        if let Ok(v) = std::env::var("LEADSIFT_BIND") {
            s.bind = v.parse().map_err(|_| {
                ConfigError(format!(
                    "LEADSIFT_BIND={v:?} is not an address such as 127.0.0.1:8080"
                ))
            })?;
        }
        if let Ok(v) = std::env::var("LEADSIFT_TOKEN") {
            s.token = Some(v);
        }
        if let Ok(v) = std::env::var("LEADSIFT_ALLOWED_HOSTS") {
            s.allowed_hosts = v
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Ok(v) = std::env::var("LEADSIFT_WEB_DIR") {
            s.web_dir = v;
        }
        if let Ok(v) = std::env::var("LEADSIFT_LOG_FORMAT") {
            s.log_format = v.parse()?;
        }
        env_number("LEADSIFT_MAX_BODY_BYTES", &mut s.max_body_bytes)?;
        env_number("LEADSIFT_MAX_INFLATED_BYTES", &mut s.max_inflated_bytes)?;
        env_number("LEADSIFT_MAX_UPLOADS", &mut s.max_uploads)?;
        env_number("LEADSIFT_ABANDON_AFTER_SECS", &mut s.abandon_after_secs)?;
        Ok(s)
    }

    /// Refuses a configuration that would be unsafe or cannot work: an empty or blank
    /// token (it would silently turn access control off), a non-loopback address without a
    /// token (it would open the data to the network), limits of zero.
    pub fn check(&self) -> Result<(), ConfigError> {
        if let Some(t) = &self.token {
            if t.trim().is_empty() {
                return Err(ConfigError(
                    "the token is empty: give a real token (at least 16 characters), or none for loopback-only use".to_owned(),
                ));
            }
            if t.chars().any(|c| c.is_control() || c == ' ') {
                return Err(ConfigError(
                    "the token holds spaces or control characters, which an Authorization header cannot carry".to_owned(),
                ));
            }
        }
        if !self.bind.ip().is_loopback() && self.token.is_none() {
            return Err(ConfigError(format!(
                "refusing to listen on {} without a token: set --token or LEADSIFT_TOKEN, or bind to 127.0.0.1",
                self.bind
            )));
        }
        for (name, v) in [
            ("max_body_bytes", self.max_body_bytes as u64),
            ("max_inflated_bytes", self.max_inflated_bytes),
            ("max_inflation_ratio", self.max_inflation_ratio),
            ("max_batch_rows", self.max_batch_rows as u64),
            ("max_uploads", self.max_uploads as u64),
            ("abandon_after_secs", self.abandon_after_secs),
            ("pool_size", u64::from(self.pool_size)),
        ] {
            if v == 0 {
                return Err(ConfigError(format!("{name} must be more than 0")));
            }
        }
        Ok(())
    }

    /// The core's limits for uploads this server reads.
    pub fn read_limits(&self) -> leadsift_core::Limits {
        leadsift_core::Limits {
            max_inflated_bytes: self.max_inflated_bytes,
            max_inflation_ratio: self.max_inflation_ratio,
            ..leadsift_core::Limits::default()
        }
    }
}
