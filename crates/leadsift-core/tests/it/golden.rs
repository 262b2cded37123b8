//! Golden cases: generator exports (`leadsift_testkit::generate`) in every header style, delimiter and encoding, and the
//! cleaned records the generator says each must produce.

use leadsift_core::Options;

use crate::{fixtures, run_chunked};

/// Checks one golden case: every expected field of every record, the invalid fields, `extra`.
fn check(name: &str, file: &str) {
    let dir = fixtures().join("golden");
    let bytes = std::fs::read(dir.join(file)).expect("fixture");
    let expected = leadsift_testkit::expected(
        &std::fs::read_to_string(dir.join(format!("{name}.expected.jsonl"))).expect("expected"),
    );
    let (rows, summary) =
        run_chunked(&bytes, 7919, Options::new(leadsift_testkit::today())).expect("readable");
    assert_eq!(rows.len(), expected.len(), "{name}: record count");
    assert_eq!(summary.rows, expected.len() as u64, "{name}: summary rows");
    for (row, exp) in rows.iter().zip(&expected) {
        let got = serde_json::to_value(row).expect("row json");
        if let Some(why) = leadsift_testkit::golden_mismatch(&got, exp) {
            panic!("{name}: {why}");
        }
    }
}

#[test]
fn every_golden_case_matches_the_generator() {
    let dir = fixtures().join("golden");
    let mut cases = 0;
    for entry in std::fs::read_dir(&dir).expect("golden dir") {
        let file = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let name = file
            .strip_suffix(".csv")
            .or_else(|| file.strip_suffix(".csv.gz"));
        if let Some(name) = name {
            check(name, &file);
            cases += 1;
        }
    }
    assert!(cases >= 8, "expected the golden cases, found {cases}");
}

#[test]
fn the_shipped_sample_matches_its_expected_output() {
    let root = fixtures().join("../..");
    let bytes = std::fs::read(root.join("data/leadconduit_leads.csv")).expect("sample");
    let (rows, summary) =
        run_chunked(&bytes, 1 << 20, Options::new(leadsift_testkit::today())).expect("readable");
    assert_eq!(rows.len(), 200);
    assert_eq!(
        summary.valid + summary.warning + summary.rejected + summary.blank,
        summary.rows
    );
}

#[test]
fn keep_original_gives_each_rows_cells_under_their_headers_and_changes_nothing_else() {
    // A repeated header gets its extra key, a cell past the header its column number, a NUL
    // its stand-in; empty cells are kept.
    let bytes =
        b"Email,Phone,Email\n ANN@EXAMPLE.COM ,=\"2025550143\",a\0b,past\nbob@example.com,,\n";
    let (plain, _) = run_chunked(bytes, 7, Options::new(leadsift_testkit::today())).expect("plain");
    let keep = Options {
        keep_original: true,
        ..Options::new(leadsift_testkit::today())
    };
    let (kept, _) = run_chunked(bytes, 7, keep).expect("original");
    let pairs = |r: &leadsift_core::Row| -> Vec<(String, String)> { r.original.clone() };
    let own = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        pairs(&kept[0]),
        own(&[
            ("Email", " ANN@EXAMPLE.COM "),
            ("Phone", "=\"2025550143\""),
            ("Email (column 3)", "a\u{fffd}b"),
            ("column_4", "past"),
        ])
    );
    assert_eq!(
        pairs(&kept[1]),
        own(&[
            ("Email", "bob@example.com"),
            ("Phone", ""),
            ("Email (column 3)", "")
        ])
    );
    assert!(plain.iter().all(|r| r.original.is_empty()));
    for (p, r) in plain.iter().zip(&kept) {
        assert_eq!(p.lead, r.lead);
        assert_eq!(p.issues, r.issues);
    }
    // Serialised rows carry `original`, in column order, only when it was asked for.
    let text = serde_json::to_string(&kept[0]).expect("json");
    assert!(text.contains("\"original\":{\"Email\":\" ANN@EXAMPLE.COM \",\"Phone\""));
    assert!(
        !serde_json::to_string(&plain[0])
            .expect("json")
            .contains("\"original\"")
    );
}
