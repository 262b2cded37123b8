//! The one comparison every surface's golden test makes: a row as that surface wrote it (JSON)
//! against the record the generator ([`generate`]) says it must be.

use serde_json::Value as Json;

pub mod generate;
pub mod nanp;

/// The day every test runs on, so that no verdict depends on the clock.
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a real date")
}

/// Where the shared fixtures live.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");

/// Equal JSON, numbers by value (`10` and `10.0`, as Python and JavaScript may write them).
pub fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Why `row` (`{"record", "lead", "issues", "extra", ...}`) is not the generator's `expected`
/// record (`{"record", "lead", "invalid", "extra"}`): every expected field's value, the fields
/// with an error, and `extra`. `None` when it is.
pub fn golden_mismatch(row: &Json, expected: &Json) -> Option<String> {
    let record = &expected["record"];
    if row["record"] != *record {
        return Some(format!(
            "record number {} where {record} was expected",
            row["record"]
        ));
    }
    for (field, want) in expected["lead"].as_object()? {
        let got = &row["lead"][field];
        if !same(got, want) {
            return Some(format!(
                "record {record} {field}: got {got}, expected {want}"
            ));
        }
    }
    let mut invalid: Vec<&str> = row["issues"]
        .as_array()?
        .iter()
        .filter(|i| i["severity"] == "error")
        .filter_map(|i| i["field"].as_str())
        .collect();
    invalid.sort_unstable();
    let mut want: Vec<&str> = expected["invalid"]
        .as_array()?
        .iter()
        .filter_map(Json::as_str)
        .collect();
    want.sort_unstable();
    if invalid != want {
        return Some(format!(
            "record {record}: fields in error {invalid:?}, expected {want:?}"
        ));
    }
    if row["extra"] != expected["extra"] {
        return Some(format!(
            "record {record}: extra {}, expected {}",
            row["extra"], expected["extra"]
        ));
    }
    None
}

/// The expected records of a golden case.
pub fn expected(jsonl: &str) -> Vec<Json> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("expected records are JSON lines"))
        .collect()
}

/// A gzip bomb: `mib` MiB of newlines, as that many gzip members of 1 MiB each (about 1 KiB
/// apiece), so a 2 GiB bomb is built in milliseconds.
pub fn gzip_bomb(mib: usize) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&vec![b'\n'; 1 << 20]).expect("in memory");
    let member = enc.finish().expect("in memory");
    member.repeat(mib)
}

/// `text` gzipped.
pub fn gzip(text: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text).expect("in memory");
    enc.finish().expect("in memory")
}

/// Records that `suite` did not run in this `cargo test`, and what would make it run
/// (`enable`: the variable to set or the thing to install). The line is written to the
/// terminal at once and kept under `target/leadsift-skipped/`, named by the `cargo` process
/// that runs the tests, so that the last suite of the run (`xtask`'s `skipped_suites`) can
/// print every skipped suite again at the end.
pub fn skipped(suite: &str, enable: &str) {
    use std::io::Write;
    let line = format!("skipped: {suite} (to run it: {enable})");
    // Straight to the file descriptor: the test harness captures only `eprintln!`.
    let _ = writeln!(std::io::stderr(), "{line}");
    let dir = skipped_dir();
    if std::fs::create_dir_all(&dir).is_ok() {
        let name: String = suite
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let _ = std::fs::write(dir.join(format!("{}-{name}", cargo_pid())), line);
    }
}

/// Where [`skipped`] keeps its lines.
pub fn skipped_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/leadsift-skipped")
}

/// The process that started this test binary: `cargo test`, the same for every suite of a run.
pub fn cargo_pid() -> u32 {
    // /proc/self/stat: "pid (name) state ppid ..."; the name may hold spaces and parentheses.
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = &s[s.rfind(')')? + 1..];
            after.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}
