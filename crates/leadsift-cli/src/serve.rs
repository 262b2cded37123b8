//! `leadsift serve`: the HTTP API (and the browser app's files, once built).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use leadsift_server::config::{LogFormat, Settings};
use leadsift_server::startup::Application;
use leadsift_store::redact;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to listen. Loopback unless told otherwise; any other address needs a token.
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// The database (default sqlite://leadsift.db; also DATABASE_URL).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// The bearer token every API route needs (also LEADSIFT_TOKEN). Without one, the API
    /// answers loopback clients only, and refuses other sites' pages.
    #[arg(long)]
    token: Option<String>,
    /// A host name to serve besides loopback ones (repeatable; also LEADSIFT_ALLOWED_HOSTS).
    #[arg(long = "allowed-host", value_name = "HOST")]
    allowed_hosts: Vec<String>,
    /// The log's format on stderr: text or json (also LEADSIFT_LOG_FORMAT).
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<LogFormat>,
    /// A TOML configuration file (default: leadsift.toml when it exists).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let mut s = Settings::load(args.config.as_deref())?;
    if let Some(b) = args.bind {
        s.bind = b;
    }
    if let Some(u) = args.database_url {
        s.database_url = u;
    }
    if let Some(t) = args.token {
        s.token = Some(t);
    }
    if !args.allowed_hosts.is_empty() {
        s.allowed_hosts = args.allowed_hosts;
    }
    if let Some(f) = args.log_format {
        s.log_format = f;
    }
    s.check()?;
    leadsift_server::telemetry::init(s.log_format);
    let (bind, url, token) = (s.bind, redact(&s.database_url), s.token.is_some());
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(s)?;
        eprintln!(
            "leadsift listening on http://{}:{} (database {url}{})",
            bind.ip(),
            app.port(),
            if token {
                ", the API needs the token"
            } else {
                ", loopback clients only"
            }
        );
        app.run_until_stopped().await.context("the server stopped")
    })
}
