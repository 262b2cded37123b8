//! The core's integration tests over the shared fixtures in `tests/fixtures/`.

mod bad;
mod golden;
mod judge;
mod properties;

use std::path::PathBuf;

use leadsift_core::{Options, ReadError, Row, Summary, Validator};

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Validates `bytes` pushed in chunks of `chunk` bytes.
pub fn run_chunked(
    bytes: &[u8],
    chunk: usize,
    options: Options,
) -> Result<(Vec<Row>, Summary), ReadError> {
    let mut v = Validator::new(options);
    let mut rows = Vec::new();
    for part in bytes.chunks(chunk.max(1)) {
        rows.extend(v.push(part)?);
    }
    rows.extend(v.finish()?);
    Ok((rows, v.summary().clone()))
}
