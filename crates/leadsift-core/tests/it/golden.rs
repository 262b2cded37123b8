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
fn keep_raw_gives_each_rows_cells_as_read_and_changes_nothing_else() {
    let bytes =
        b"Email,Phone,Notes\n ANN@EXAMPLE.COM ,=\"2025550143\",\"a, b\"\nbob@example.com,,\n";
    let (plain, _) = run_chunked(bytes, 7, Options::new(leadsift_testkit::today())).expect("plain");
    let keep = Options {
        keep_raw: true,
        ..Options::new(leadsift_testkit::today())
    };
    let (raw, _) = run_chunked(bytes, 7, keep).expect("raw");
    assert_eq!(raw[0].raw, [" ANN@EXAMPLE.COM ", "=\"2025550143\"", "a, b"]);
    assert_eq!(raw[1].raw, ["bob@example.com", "", ""]);
    assert!(plain.iter().all(|r| r.raw.is_empty()));
    for (p, r) in plain.iter().zip(&raw) {
        assert_eq!(p.lead, r.lead);
        assert_eq!(p.issues, r.issues);
    }
    // Serialised rows carry `raw` only when it was asked for (an issue's `raw` is no array).
    let text = serde_json::to_string(&raw[0]).expect("json");
    assert!(text.contains("\"raw\":[\" ANN@EXAMPLE.COM \""));
    assert!(
        !serde_json::to_string(&plain[0])
            .expect("json")
            .contains("\"raw\":[")
    );
}
