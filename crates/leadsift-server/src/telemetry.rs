//! The log: `tracing` events on stderr, as text or one JSON object per line, filtered by
//! `RUST_LOG` (default `info`). Installed once by the binary; tests may leave it out.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the subscriber; a second call (tests, an embedding program) changes nothing.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.with_ansi(false).try_init(),
    };
}
