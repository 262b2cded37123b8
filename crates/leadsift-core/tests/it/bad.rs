//! Bad input: each file gets the outcome its `.expected.json` states, and nothing is lost.

use leadsift_core::records::Limits;
use leadsift_core::{IssueCode, Options, ReadError};
use serde_json::Value as Json;

use crate::{fixtures, run_chunked};

fn check(name: &str) {
    let dir = fixtures().join("bad");
    let bytes = std::fs::read(dir.join(format!("{name}.csv"))).expect("fixture");
    let exp: Json = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{name}.expected.json"))).expect("expected"),
    )
    .expect("json");
    for chunk in [1, 3, 64, 1 << 20] {
        let result = run_chunked(&bytes, chunk, Options::new(leadsift_testkit::today()));
        if let Some(error) = exp.get("error") {
            let e = result.expect_err(name);
            assert_eq!(Json::String(e.to_string()), *error, "{name}");
            continue;
        }
        let (rows, s) = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            s.rows,
            s.valid + s.warning + s.rejected + s.blank,
            "{name}: every row accounted for"
        );
        assert_eq!(
            rows.len() as u64,
            s.rows - s.blank,
            "{name}: one row out per data record"
        );
        for key in ["rows", "valid", "warning", "rejected", "blank"] {
            if let Some(want) = exp.get(key) {
                let got = match key {
                    "rows" => s.rows,
                    "valid" => s.valid,
                    "warning" => s.warning,
                    "rejected" => s.rejected,
                    _ => s.blank,
                };
                assert_eq!(Json::from(got), *want, "{name}: {key} (chunk {chunk})");
            }
        }
        if let Some(issues) = exp.get("issues").and_then(Json::as_object) {
            for (code, n) in issues {
                let got = s
                    .issues
                    .iter()
                    .find(|(c, _)| c.as_str() == code)
                    .map_or(0, |(_, n)| *n);
                assert_eq!(Json::from(got), *n, "{name}: issue {code}");
            }
        }
        if let Some(notes) = exp.get("notes") {
            assert_eq!(
                serde_json::to_value(&s.notes).expect("notes"),
                *notes,
                "{name}: notes"
            );
        }
        let sniffed = serde_json::to_value(&s.sniffed).expect("sniffed");
        for key in ["encoding", "delimiter", "bom", "line_endings"] {
            if let Some(want) = exp.get(key) {
                assert_eq!(sniffed[key], *want, "{name}: {key}");
            }
        }
        for key in ["first_name", "email", "price"] {
            if let Some(want) = exp.get(key) {
                let first = serde_json::to_value(&rows[0]).expect("row");
                assert_eq!(first["lead"][key], *want, "{name}: {key}");
            }
        }
        if let Some(lead) = exp.get("lead").and_then(Json::as_object) {
            let first = serde_json::to_value(&rows[0]).expect("row");
            for (field, want) in lead {
                assert_eq!(first["lead"][field], *want, "{name}: lead.{field}");
            }
        }
        if let Some(fields) = exp.get("fields").and_then(Json::as_object) {
            let columns = &s.mapping.as_ref().expect("a mapping").columns;
            for (header, want) in fields {
                let got = columns
                    .iter()
                    .find(|c| c.header == *header)
                    .unwrap_or_else(|| panic!("{name}: no column {header:?}"));
                assert_eq!(
                    got.field.map(|f| f.name()),
                    want.as_str(),
                    "{name}: the column {header:?}"
                );
            }
        }
        if let Some(extra) = exp.get("extra") {
            let first = serde_json::to_value(&rows[0]).expect("row");
            assert_eq!(first["extra"], *extra, "{name}: extra");
        }
    }
}

macro_rules! bad_cases {
    ($($test:ident => $name:literal),* $(,)?) => { $( #[test] fn $test() { check($name); } )* };
}

bad_cases! {
    empty_file => "empty",
    header_without_rows => "header-only",
    bom_and_crlf => "bom-crlf",
    utf16_as_excel_unicode_text => "excel-unicode-text",
    windows_1252_names => "windows-1252-names",
    semicolons_with_decimal_commas => "semicolon-decimal-comma",
    ragged_rows => "ragged",
    unterminated_quote_at_end => "unterminated-quote",
    nul_bytes => "nul-bytes",
    png_renamed_to_csv => "png-renamed",
    duplicate_header_names => "duplicate-headers",
    header_of_blanks => "blank-header",
    lines_of_delimiters_only => "only-delimiters",
    excel_text_formulas_and_numeric_zips => "excel-formulas",
    an_event_export_keys_by_lead_id => "event-export",
    money_columns_that_are_not_the_price => "money-columns",
    spreadsheet_serials_phone_hints_and_punctuated_booleans => "excel-serials",
    mac_roman_is_named => "mac-roman-names",
    code_page_437_is_named => "dos-names",
    a_blank_row_above_a_custom_header => "blank-row-above-header",
    a_comma_that_is_not_this_files_decimal_separator => "ambiguous-decimal-comma",
    forms_leadconduit_reads_as_meant => "leadconduit-parity",
    the_original_tools_aliases => "original-tool-aliases",
    activeprospects_lead_export => "activeprospect-leads",
    activeprospects_event_export => "activeprospect-events",
    two_digit_birth_years => "two-digit-years",
    header_spellings_people_expect_and_other_families => "header-spellings",
}

#[test]
fn a_50_mb_field_is_rejected_with_its_size_and_memory_stays_bounded() {
    let mut file = b"Lead ID,Comments\nL1,ok\nL2,\"".to_vec();
    file.extend(std::iter::repeat_n(b'x', 50 << 20));
    file.extend_from_slice(b"\"\nL3,after\n");
    let (rows, s) =
        run_chunked(&file, 1 << 16, Options::new(leadsift_testkit::today())).expect("readable");
    assert_eq!((s.rows, s.valid, s.rejected), (3, 2, 1));
    let big = &rows[1];
    assert_eq!(big.line, 3);
    let issue = big
        .issues
        .iter()
        .find(|i| i.code == IssueCode::FieldTooLarge)
        .expect("field_too_large");
    assert!(
        issue.message.contains("52428800 bytes"),
        "{}",
        issue.message
    );
    assert_eq!(issue.column.as_deref(), Some("Comments"));
    assert_eq!(
        rows[2]
            .lead
            .get(leadsift_core::Field::Comments)
            .map(|v| v.to_text().into_owned()),
        Some("after".into())
    );
}

#[test]
fn two_thousand_columns_stop_the_file_with_the_limit_named() {
    let header: Vec<String> = (0..2000).map(|i| format!("c{i}")).collect();
    let file = format!("{}\n{}\n", header.join(","), vec!["1"; 2000].join(","));
    let err = run_chunked(
        file.as_bytes(),
        4096,
        Options::new(leadsift_testkit::today()),
    )
    .expect_err("too many columns");
    assert_eq!(
        err,
        ReadError::TooManyColumns {
            line: 1,
            columns: 2000,
            limit: 1000
        }
    );
    // Raising the limit reads it: nothing is lost, the values stay in extra.
    let options = Options {
        limits: Limits {
            max_columns: 2000,
            ..Limits::default()
        },
        ..Options::new(leadsift_testkit::today())
    };
    let (rows, _) = run_chunked(file.as_bytes(), 4096, options).expect("readable");
    assert_eq!(rows[0].extra.len(), 2000);
}

#[test]
fn a_data_row_wider_than_the_column_limit_is_rejected() {
    let row = vec!["x"; 1500].join(",");
    let file = format!("Lead ID,Email\nL1,{row}\n");
    let (rows, s) = run_chunked(
        file.as_bytes(),
        999,
        Options::new(leadsift_testkit::today()),
    )
    .expect("readable");
    assert_eq!(s.rejected, 1);
    assert!(
        rows[0]
            .issues
            .iter()
            .any(|i| i.code == IssueCode::TooManyColumns)
    );
}

#[test]
fn gzip_that_is_cut_short_is_a_clear_error() {
    let gz = std::fs::read(fixtures().join("golden/lc-comma-utf8-gzip.csv.gz")).expect("gz");
    let cut = &gz[..gz.len() / 2];
    let err =
        run_chunked(cut, 4096, Options::new(leadsift_testkit::today())).expect_err("truncated");
    assert!(matches!(err, ReadError::Gzip(_)), "{err}");
}

#[test]
fn strict_mode_rejects_rows_with_any_error() {
    let file = b"Lead ID,Email\nL1,bob@\nL2,b@example.com\n";
    let (_, lax) =
        run_chunked(file, 64, Options::new(leadsift_testkit::today())).expect("readable");
    assert_eq!((lax.valid, lax.warning, lax.rejected), (1, 1, 0));
    let (_, strict) = run_chunked(
        file,
        64,
        Options {
            strict: true,
            ..Options::new(leadsift_testkit::today())
        },
    )
    .expect("readable");
    assert_eq!((strict.valid, strict.rejected), (1, 1));
}

#[test]
fn a_later_row_with_the_same_key_replaces_the_earlier_one() {
    let file = b"Lead ID,Email\nL1,a@example.com\nL2,b@example.com\nL1,c@example.com\n";
    let (rows, s) =
        run_chunked(file, 5, Options::new(leadsift_testkit::today())).expect("readable");
    assert_eq!(s.duplicates, 1);
    assert_eq!(rows[2].replaces_line, Some(2));
    let issue = rows[2]
        .issues
        .iter()
        .find(|i| i.code == IssueCode::DuplicateInFile)
        .expect("duplicate_in_file");
    assert!(
        issue.message.contains("the row on line 2"),
        "{}",
        issue.message
    );
}

#[test]
fn rows_without_identity_are_rejected_and_fingerprints_identify_the_rest() {
    let file = b"Email,Phone 1,Submission Timestamp,City\na@example.com,,2024-03-05 14:22:10,Austin\n,5127891111,,Austin\n,,,Austin\n";
    let (rows, s) =
        run_chunked(file, 7, Options::new(leadsift_testkit::today())).expect("readable");
    assert_eq!((s.valid, s.rejected), (2, 1));
    assert!(
        rows[0]
            .key
            .as_ref()
            .is_some_and(|k| k.as_str().starts_with("fp:"))
    );
    assert_ne!(rows[0].key, rows[1].key);
    assert!(
        rows[2]
            .issues
            .iter()
            .any(|i| i.code == IssueCode::NoIdentity)
    );
}

#[test]
fn bytes_invalid_in_the_sniffed_encoding_are_flagged_on_their_row() {
    // 70 KB of clean UTF-8 decides the encoding; a Windows-1252 byte comes after it.
    let mut file = b"Lead ID,City\n".to_vec();
    for i in 0..8000 {
        file.extend_from_slice(format!("L{i},Austin\n").as_bytes());
    }
    file.extend_from_slice(b"L9999,S\xe3o Paulo\n");
    let (rows, s) =
        run_chunked(&file, 4096, Options::new(leadsift_testkit::today())).expect("readable");
    assert_eq!(
        s.sniffed.as_ref().map(|x| x.encoding.as_str()),
        Some("UTF-8")
    );
    let bad = &rows[8000];
    assert!(
        bad.issues
            .iter()
            .any(|i| i.code == IssueCode::EncodingReplaced),
        "{:?}",
        bad.issues
    );
    assert_eq!(
        bad.lead
            .get(leadsift_core::Field::City)
            .map(|v| v.to_text().into_owned()),
        Some("S\u{fffd}o Paulo".into())
    );
    assert!(
        rows[..8000].iter().all(|r| r.issues.is_empty()),
        "rows before it are clean"
    );
}

#[test]
fn a_gzip_bomb_is_refused_by_its_inflation_ratio() {
    // 256 MiB of newlines in 256 KiB: refused once 4 MiB have inflated, whatever the chunking.
    let bomb = leadsift_testkit::gzip_bomb(256);
    for chunk in [1 << 10, 64 << 10, bomb.len()] {
        let err =
            run_chunked(&bomb, chunk, Options::new(leadsift_testkit::today())).expect_err("bomb");
        assert!(matches!(err, ReadError::InflationRatio { .. }), "{err}");
        assert!(err.to_string().contains("decompression bomb"), "{err}");
    }
}

#[test]
fn gzip_input_over_the_inflated_limit_is_refused() {
    let mut csv = b"Lead ID,Email\n".to_vec();
    for i in 0..20_000 {
        csv.extend_from_slice(format!("L{i},p{i}@example.com\n").as_bytes());
    }
    let gz = leadsift_testkit::gzip(&csv);
    let limits = |max_inflated_bytes| Options {
        limits: Limits {
            max_inflated_bytes,
            ..Limits::default()
        },
        ..Options::new(leadsift_testkit::today())
    };
    let err = run_chunked(&gz, 4096, limits(100_000)).expect_err("over the limit");
    assert_eq!(err, ReadError::InflatedTooLarge { limit: 100_000 });
    let (rows, _) = run_chunked(&gz, 4096, limits(csv.len() as u64)).expect("at the limit");
    assert_eq!(rows.len(), 20_000);
}

#[test]
fn a_header_cell_over_the_field_limit_is_an_error_not_a_cut() {
    let mut file = b"Lead ID,".to_vec();
    file.extend(std::iter::repeat_n(b'x', 5000));
    file.extend_from_slice(b",Email\nL1,a,b@example.com\n");
    let options = Options {
        limits: Limits {
            max_field_bytes: 4096,
            ..Limits::default()
        },
        ..Options::new(leadsift_testkit::today())
    };
    let err = run_chunked(&file, 512, options).expect_err("too large");
    assert_eq!(
        err,
        ReadError::HeaderCellTooLarge {
            line: 1,
            column: 2,
            size: 5000,
            limit: 4096
        }
    );
}

#[test]
fn a_megabyte_header_cell_is_read_and_kept_in_extra() {
    // Header matching is linear in the header's length: this used to take half a minute.
    let long = "y".repeat((1 << 20) - 1);
    let file = format!("Lead ID,{long},{long}z,{long}w,{long}v\nL1,a,b,c,d\n");
    let (rows, s) = run_chunked(
        file.as_bytes(),
        1 << 16,
        Options::new(leadsift_testkit::today()),
    )
    .expect("readable");
    assert_eq!(s.valid + s.warning, 1);
    assert_eq!(rows[0].extra.len(), 4);
}

#[test]
fn nul_bytes_never_reach_a_kept_value() {
    // Cleaned values drop them (control characters); raw values kept in extra or in an
    // issue carry U+FFFD instead, which every database's text holds.
    let file = b"Lead ID,Email,Note\0s,Phone 1\nL1,a@exam\0ple.com,x\0y,51\x0078\n";
    let (rows, _) =
        run_chunked(file, 3, Options::new(leadsift_testkit::today())).expect("readable");
    let row = &rows[0];
    let texts = row
        .lead
        .iter()
        .filter_map(|(_, v)| v.map(|v| v.to_text().into_owned()))
        .chain(row.extra.iter().flat_map(|(k, v)| [k.clone(), v.clone()]))
        .chain(row.issues.iter().flat_map(|i| {
            [i.raw.clone(), i.column.clone(), Some(i.message.clone())]
                .into_iter()
                .flatten()
        }))
        .collect::<Vec<_>>();
    assert!(texts.iter().all(|t| !t.contains('\0')), "{texts:?}");
    assert!(
        row.extra
            .contains(&("Note\u{fffd}s".to_owned(), "x\u{fffd}y".to_owned())),
        "{:?}",
        row.extra
    );
    assert_eq!(
        row.lead
            .get(leadsift_core::Field::Email)
            .map(|v| v.to_text().into_owned()),
        Some("a@example.com".into())
    );
}

#[test]
fn every_surface_reads_a_delimiter_by_one_rule() {
    use leadsift_core::sniff::delimiter_for_label;
    for (label, d) in [
        ("tab", b'\t'),
        ("\\t", b'\t'),
        ("\t", b'\t'),
        ("comma", b','),
        (";", b';'),
        ("pipe", b'|'),
        ("~", b'~'),
    ] {
        assert_eq!(delimiter_for_label(label), Ok(d), "{label:?}");
    }
    for bad in ["\"", "a", "7", " ", "\n", "ab", "", "é"] {
        let err = delimiter_for_label(bad).expect_err(bad);
        assert!(matches!(err, ReadError::BadDelimiter(_)), "{bad:?}: {err}");
    }
    // The same rule for a library caller that sets the byte itself.
    let options = Options {
        delimiter: Some(b'"'),
        ..Options::new(leadsift_testkit::today())
    };
    let err = run_chunked(b"a\"b\n1\"2\n", 4, options).expect_err("a quote");
    assert!(matches!(err, ReadError::BadDelimiter(_)), "{err}");
}

#[test]
fn a_header_line_past_the_end_of_the_file_is_named() {
    let options = Options {
        header_line: Some(99),
        ..Options::new(leadsift_testkit::today())
    };
    let (rows, summary) =
        leadsift_core::validate_bytes(b"Lead ID,Email\nL1,a@b.co\n", options).expect("readable");
    assert!(rows.is_empty());
    assert_eq!(
        summary.notes,
        ["the header was to be on line 99, but the file has 2 lines"]
    );
    assert_eq!(summary.preamble, 2, "every line is accounted for");
}

#[test]
fn a_legacy_encoding_named_reads_its_letters() {
    for (file, label, first, last) in [
        ("mac-roman-names", "macintosh", "José", "Núñez"),
        ("dos-names", "cp437", "Jürgen", "Müller"),
    ] {
        let bytes =
            std::fs::read(fixtures().join("bad").join(format!("{file}.csv"))).expect("fixture");
        let options = Options {
            encoding: Some(leadsift_core::sniff::charset_for_label(label).expect("label")),
            ..Options::new(leadsift_testkit::today())
        };
        let (rows, summary) = leadsift_core::validate_bytes(&bytes, options).expect("readable");
        let text = |f| rows[0].lead.get(f).map(|v| v.to_text().into_owned());
        assert_eq!(
            text(leadsift_core::Field::FirstName).as_deref(),
            Some(first),
            "{file}"
        );
        assert_eq!(
            text(leadsift_core::Field::LastName).as_deref(),
            Some(last),
            "{file}"
        );
        assert!(summary.notes.is_empty(), "{file}: {:?}", summary.notes);
        assert!(rows[0].issues.is_empty(), "{file}: {:?}", rows[0].issues);
    }
    // Real Windows-1252 names raise no suspicion.
    let bytes = std::fs::read(fixtures().join("bad/windows-1252-names.csv")).expect("fixture");
    assert_eq!(leadsift_core::sniff::legacy_suspect(&bytes), None);
}
