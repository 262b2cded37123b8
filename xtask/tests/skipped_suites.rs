//! The last suite of `cargo test --workspace` (the workspace's members run in name order, and
//! `xtask` comes last): prints one line per suite that was skipped in this run, with what
//! enables it, so that a skipped suite is never mistaken for a passed one.

use std::io::Write;

#[test]
fn skipped_suites() {
    let prefix = format!("{}-", leadsift_testkit::cargo_pid());
    let mut lines: Vec<String> = std::fs::read_dir(leadsift_testkit::skipped_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter_map(|e| {
            let line = std::fs::read_to_string(e.path()).ok();
            let _ = std::fs::remove_file(e.path());
            line
        })
        .collect();
    lines.sort();
    let mut err = std::io::stderr();
    if lines.is_empty() {
        let _ = writeln!(err, "\nevery suite ran (none was skipped)");
    } else {
        let _ = writeln!(err, "\n{} suite(s) did not run:", lines.len());
        for line in lines {
            let _ = writeln!(err, "  {line}");
        }
    }
}
