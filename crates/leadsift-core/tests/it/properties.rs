//! Properties: any chunking gives the output of a single chunk; cleaning is idempotent.

use leadsift_core::clean::{CleanOptions, clean};
use leadsift_core::{Field, Options, Validator};
use proptest::prelude::*;

use crate::{fixtures, run_chunked};

fn split_at(bytes: &[u8], cuts: &[usize]) -> (Vec<serde_json::Value>, serde_json::Value) {
    let mut v = Validator::new(Options::new(leadsift_testkit::today()));
    let mut rows = Vec::new();
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut start = 0;
    for c in cuts.into_iter().chain([bytes.len()]) {
        rows.extend(v.push(&bytes[start..c]).expect("push"));
        start = c;
    }
    rows.extend(v.finish().expect("finish"));
    let rows = rows
        .iter()
        .map(|r| serde_json::to_value(r).expect("row"))
        .collect();
    (rows, serde_json::to_value(v.summary()).expect("summary"))
}

fn corpus() -> Vec<Vec<u8>> {
    let g = fixtures().join("golden");
    let mut files: Vec<Vec<u8>> = [
        "camel-comma-utf16.csv",
        "lc-semicolon-cp1252-crlf.csv",
        "snake-tab-utf8bom.csv",
        "lc-comma-utf8-gzip.csv.gz",
    ]
    .iter()
    .map(|f| {
        let b = std::fs::read(g.join(f)).expect("fixture");
        if f.ends_with(".gz") {
            b
        } else {
            b[..b.len().min(40_000)].to_vec()
        }
    })
    .collect();
    for f in [
        "unterminated-quote",
        "ragged",
        "nul-bytes",
        "bom-crlf",
        "excel-unicode-text",
        "only-delimiters",
    ] {
        files.push(
            std::fs::read(fixtures().join("bad").join(format!("{f}.csv"))).expect("bad fixture"),
        );
    }
    // Quoted newlines and CRLF right at the places a chunk boundary would hurt.
    files.push(
        "Lead ID,Comments\r\n\"L1\",\"a\r\nb\"\"c\"\r\nL2,é€😀\r\n"
            .as_bytes()
            .to_vec(),
    );
    files
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_chunking_gives_the_single_chunk_output(which in 0usize..11, cuts in proptest::collection::vec(any::<usize>(), 0..40)) {
        let files = corpus();
        let bytes = &files[which % files.len()];
        let whole = split_at(bytes, &[]);
        let chunked = split_at(bytes, &cuts);
        prop_assert_eq!(whole, chunked);
    }

    #[test]
    fn byte_at_a_time_equals_whole(which in 0usize..11) {
        let files = corpus();
        let bytes = &files[which % files.len()];
        let small = &bytes[..bytes.len().min(6000)];
        let a = run_chunked(small, 1, Options::new(leadsift_testkit::today())).map(|(r, s)| (r.len(), s.rows, s.valid));
        let b = run_chunked(small, usize::MAX, Options::new(leadsift_testkit::today())).map(|(r, s)| (r.len(), s.rows, s.valid));
        prop_assert_eq!(a, b);
    }
}

/// Raw values shaped like what exports hold, for every type, plus arbitrary text.
fn raw_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9 ().+-]{7,18}( ?(x|ext\\.?) ?[0-9]{1,4})?",
        "'?[2-9][0-9]{9}(\\.0)?",
        "[2-9]\\.[0-9]{9}E\\+?9",
        " ?[A-Za-z0-9._%+-]{1,12}@[A-Za-z0-9-]{1,10}\\.[A-Za-z]{2,4} ?",
        "[0-9]{3,5}([ -][0-9]{4})?",
        "[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9]",
        "(texas|TX|tx|New York|n\\.y\\.|Quebec|Dexus|pr)",
        "(Y|yes|1|TRUE|no|0|f|maybe)",
        "\\(?-?[$€]?[0-9]{1,3}(,[0-9]{3}){0,2}(\\.[0-9]{1,3})?\\)?",
        "[0-9]{1,2}/[0-9]{1,2}/([0-9]{2}|[0-9]{4})",
        "(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]([ T][0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?(Z|[+-][01][0-9]:?[0-5][0-9])?)?",
        "[0-9]{10}|[0-9]{13}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}|[0-9a-fA-F:]{2,20}",
        "(https?|HTTP)://[A-Za-z0-9.-]{1,12}(:[0-9]{2,4})?(/[A-Za-z0-9?=&%._-]{0,20})?",
        "(https://cert\\.trustedform\\.com/)?[0-9a-fA-F]{40}",
        "\\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\\}?",
        "(M|f|Female|other|x)",
        "[0-9*/]{4,12}",
        "\\PC{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn cleaning_is_idempotent(raw in raw_value(), which in 0usize..45) {
        let field = Field::ALL[which % Field::ALL.len()];
        let options = CleanOptions::new(leadsift_testkit::today());
        let once = clean(field, &raw, &options);
        if let Some(value) = &once.value {
            let text = value.to_text().into_owned();
            let twice = clean(field, &text, &options);
            prop_assert_eq!(twice.value.as_ref(), Some(value), "{} {:?} -> {:?}", field, raw, text);
            let severity_ok = twice.note.as_ref().is_none_or(|n| n.code == leadsift_core::IssueCode::Masked);
            prop_assert!(severity_ok, "{} {:?} -> {:?} gave {:?}", field, raw, text, twice.note);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// The compiled NANP table gives libphonenumber's own verdict, number for number.
    #[test]
    fn nanp_validity_agrees_with_libphonenumber(national in "[0-9]{10}") {
        let number = phonenumber::parse(Some(phonenumber::country::Id::US), format!("+1{national}")).expect("parses");
        prop_assert_eq!(leadsift_core::clean::nanp_is_valid(&national), phonenumber::is_valid(&number), "{}", national);
    }
}

#[test]
fn nanp_validity_agrees_on_the_prefixes_whose_verdict_depends_on_later_digits() {
    // Found by sweeping every area code and exchange: these depend on digits 7 to 10.
    for prefix in ["246521", "246522", "876606"] {
        for suffix in ["0000", "5555", "9999", "1234", "0101", "8642"] {
            assert_nanp_agrees(&format!("{prefix}{suffix}"));
        }
    }
}

#[test]
fn nanp_validity_agrees_on_every_area_code() {
    // Each region of country code 1 is chosen by its area codes: one number per area code and
    // two exchanges reaches every region and each region's type patterns.
    for area in 200..1000 {
        for exchange in ["234", "555", "876"] {
            assert_nanp_agrees(&format!("{area}{exchange}0147"));
        }
    }
}

/// The committed NANP pattern table is what `cargo xtask nanp` makes from this `phonenumber`'s
/// metadata (after an upgrade of the crate, run it again).
#[test]
fn nanp_table_is_the_metadata() {
    let committed = include_str!("../../src/clean/nanp_table.rs");
    assert!(
        committed == leadsift_testkit::nanp::table_source(),
        "src/clean/nanp_table.rs is stale: run `cargo xtask nanp`"
    );
}

fn assert_nanp_agrees(national: &str) {
    let number = phonenumber::parse(Some(phonenumber::country::Id::US), format!("+1{national}"))
        .expect("parses");
    assert_eq!(
        leadsift_core::clean::nanp_is_valid(national),
        phonenumber::is_valid(&number),
        "{national}"
    );
}

/// The records of `text` as the home-written splitter reads them, blank lines left out.
fn split_ours(text: &str) -> Vec<Vec<String>> {
    let mut splitter = leadsift_core::records::RecordSplitter::new(
        b',',
        leadsift_core::records::Limits::default(),
    );
    let mut out = Vec::new();
    let mut keep = |r: &leadsift_core::records::RawRecord| {
        out.push(r.fields().into_iter().map(str::to_owned).collect());
    };
    splitter.push(text, &mut keep);
    splitter.finish(&mut keep);
    out
}

/// The records of `text` as the `csv` crate (`csv-core` underneath) reads them.
fn split_csv(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.expect("csv reads any text")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    /// The splitter reads every text as the `csv` crate does, record for record and field for
    /// field, but for one difference of purpose: a blank line is a record here (one empty
    /// field, counted as a blank row), where `csv` skips it.
    #[test]
    fn the_splitter_agrees_with_csv_core(text in "[ab\u{e9},\" \r\n]{0,40}") {
        let ours: Vec<Vec<String>> = split_ours(&text)
            .into_iter()
            .filter(|r| r.len() != 1 || !r[0].is_empty())
            .collect();
        let theirs: Vec<Vec<String>> = split_csv(&text)
            .into_iter()
            .filter(|r| r.len() != 1 || !r[0].is_empty())
            .collect();
        prop_assert_eq!(ours, theirs, "{:?}", text);
    }
}

/// The spreadsheet-safe cell as first written: a formula escaped with `'`, then quoted when the
/// cell needs it.
fn csv_cell_reference(value: &str) -> String {
    let escaped = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if escaped.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", escaped.replace('"', "\"\""))
    } else {
        escaped
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    /// Writing cells straight into the line changes no cell.
    #[test]
    fn report_cells_are_escaped_as_before(value in "[a=+@\\-\t\r\n,\" é]{0,12}") {
        prop_assert_eq!(leadsift_core::report::csv_cell(&value), csv_cell_reference(&value));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Dates and timestamps are written as chrono's `%Y-%m-%d` and `%Y-%m-%dT%H:%M:%S` write
    /// them, at any second of years 1 to 9999.
    #[test]
    fn dates_and_timestamps_are_written_as_chrono_writes_them(secs in -62_135_596_800i64..253_402_300_799i64, nanos in 0u32..1_000_000_000) {
        use chrono::Datelike;
        let t = chrono::DateTime::from_timestamp(secs, nanos).expect("in range");
        let text = t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
        let options = leadsift_core::clean::CleanOptions::new(leadsift_testkit::today());
        let cleaned = leadsift_core::clean::clean(leadsift_core::Field::SubmittedAt, &text, &options);
        let frac = format!("{nanos:09}");
        let frac = frac.trim_end_matches('0');
        let want = format!("{}{}{frac}Z", t.format("%Y-%m-%dT%H:%M:%S"), if frac.is_empty() { "" } else { "." });
        // Times the cleaner refuses (before 1800) have nothing to write.
        if let Some(v) = cleaned.value {
            prop_assert_eq!(v.to_text().into_owned(), want);
        } else {
            prop_assert!(t.year() < 1800, "{} refused", text);
        }
        let date = t.date_naive();
        let cleaned = leadsift_core::clean::clean(leadsift_core::Field::Dob, &date.format("%Y-%m-%d").to_string(), &options);
        if let Some(v) = cleaned.value {
            prop_assert_eq!(v.to_text().into_owned(), date.format("%Y-%m-%d").to_string());
        }
    }
}
