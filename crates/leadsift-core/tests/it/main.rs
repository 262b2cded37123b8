//! The core's integration tests over the shared fixtures in `tests/fixtures/`.

mod bad;
mod edit;
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

/// `docs/MAPPING.md` is the alias table as the code holds it. `LEADSIFT_BLESS=1` rewrites it.
#[test]
fn the_mapping_reference_is_the_code() {
    use std::fmt::Write as _;
    let mut doc = String::from(
        "# Mapping reference\n\n\
         Generated from `crates/leadsift-core/src/mapping.rs` by the core's test \
         `the_mapping_reference_is_the_code` (`LEADSIFT_BLESS=1 cargo test -p leadsift-core \
         the_mapping_reference` rewrites it).\n\n\
         A header is normalised first (byte-order mark and spaces trimmed, lower case, a \
         leading `lead.` or `vars.lead.` dropped, spaces, hyphens, slashes, dots and camelCase \
         boundaries turned into `_`), then looked up as a canonical name, then here. So \
         `Phone 1`, `phone-1`, `lead.phone_1` and `Phone1` are all `phone_1`. A bare `id` is \
         the lead id, except beside `lead.id`, where it is the event id (LeadConduit's event \
         exports). Money columns other than the lead's price (`cost`, `revenue`, `margin`, \
         `amount`) are custom columns, kept in `extra`.\n\n\
         | field | type | aliases (normalised) |\n|---|---|---|\n",
    );
    for f in leadsift_core::Field::ALL {
        let names: Vec<String> = leadsift_core::mapping::aliases()
            .filter(|(_, g)| g == f)
            .map(|(a, _)| format!("`{a}`"))
            .collect();
        let _ = writeln!(
            doc,
            "| `{}` | {:?} | {} |",
            f.name(),
            f.ty(),
            names.join(", ")
        );
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/MAPPING.md");
    if std::env::var_os("LEADSIFT_BLESS").is_some() {
        std::fs::write(&path, &doc).expect("write docs/MAPPING.md");
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == doc,
        "docs/MAPPING.md is not the alias table: run LEADSIFT_BLESS=1 cargo test -p leadsift-core the_mapping_reference"
    );
}
