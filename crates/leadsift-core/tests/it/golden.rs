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

/// A generated export of `rows` rows, a fifth of its values damaged.
fn damaged(rows: u64, seed: u64) -> Vec<u8> {
    leadsift_testkit::generate::generate_to_vec(&leadsift_testkit::generate::Spec {
        rows,
        seed,
        invalid: 0.2,
        ..Default::default()
    })
    .0
}

/// Validates `bytes` keeping cells, then makes every row again from its cells and reading
/// facts with the file's `Replayer`: each must equal the row the validator made.
fn assert_rows_replay(name: &str, bytes: &[u8], options: Options) -> usize {
    let options = Options {
        keep_cells: true,
        keep_original: true,
        ..options
    };
    let mut v = leadsift_core::Validator::new(options);
    let mut rows = Vec::new();
    for part in bytes.chunks(4099) {
        match v.push(part) {
            Ok(r) => rows.extend(r),
            Err(_) => return 0, // an unreadable file has no rows to make again
        }
    }
    match v.finish() {
        Ok(r) => rows.extend(r),
        Err(_) => return 0,
    }
    let Some(replayer) = v.replayer() else {
        assert!(rows.is_empty(), "{name}: rows without a header");
        return 0;
    };
    for row in &rows {
        let cells = row.cells.as_ref().expect("cells kept");
        let again = replayer.row(
            &cells.get(),
            row.record,
            row.line,
            row.read,
            row.replaces_line,
        );
        assert_eq!(&again, row, "{name}: line {}", row.line);
    }
    rows.len()
}

#[test]
fn every_row_is_made_again_from_its_cells() {
    let mut made = 0;
    for dir in ["golden", "bad"] {
        for entry in std::fs::read_dir(fixtures().join(dir)).expect("fixtures") {
            let path = entry.expect("entry").path();
            let name = path.display().to_string();
            if name.ends_with(".csv") || name.ends_with(".csv.gz") {
                let bytes = std::fs::read(&path).expect("fixture");
                made += assert_rows_replay(&name, &bytes, Options::new(leadsift_testkit::today()));
                let strict = Options {
                    strict: true,
                    ..Options::new(leadsift_testkit::today())
                };
                made += assert_rows_replay(&name, &bytes, strict);
            }
        }
    }
    // Damaged values, duplicates and every header style, in bulk.
    for seed in [1, 2, 3] {
        let csv = damaged(800, seed);
        made += assert_rows_replay("generated", &csv, Options::new(leadsift_testkit::today()));
    }
    assert!(made > 3000, "only {made} rows made again");
}

#[test]
fn cells_come_back_from_their_parts_only_when_the_parts_are_whole() {
    let cells = leadsift_core::Cells::new(&["a", "", "é", "bc"]);
    assert_eq!(cells.get(), ["a", "", "é", "bc"]);
    let again = leadsift_core::Cells::from_parts(cells.text().to_owned(), cells.ends().to_vec());
    assert_eq!(again.as_ref(), Some(&cells));
    // An end inside "é", past the text, or before the one before: refused.
    assert_eq!(
        leadsift_core::Cells::from_parts("aé".into(), vec![1, 2]),
        None
    );
    assert_eq!(leadsift_core::Cells::from_parts("ab".into(), vec![3]), None);
    assert_eq!(
        leadsift_core::Cells::from_parts("ab".into(), vec![2, 1]),
        None
    );
}

/// Validates `bytes` keeping cells, then makes every row again under `overrides` and `strict`
/// with a [`leadsift_core::Replay`]: rows and summary must equal validating the file again
/// with those choices.
fn assert_replay_is_validating_again(
    name: &str,
    bytes: &[u8],
    overrides: &leadsift_core::MappingOverrides,
    strict: bool,
) -> usize {
    let options = |mapping: leadsift_core::MappingOverrides, strict: bool| Options {
        keep_cells: true,
        keep_original: true,
        mapping,
        strict,
        ..Options::new(leadsift_testkit::today())
    };
    // The first reading had a choice of its own, naming a column the file lacks: its note goes.
    let mut before = leadsift_core::MappingOverrides::default();
    before.0.insert(
        "Gone Column".to_owned(),
        leadsift_core::mapping::Target::parse("city").expect("field"),
    );
    let Ok((first, read)) = run_chunked(bytes, 4099, options(before.clone(), false)) else {
        return 0;
    };
    let Ok((again, summary)) = run_chunked(bytes, 4099, options(overrides.clone(), strict)) else {
        panic!("{name}: readable once, then not");
    };
    // The replayer of the first reading, as a store that kept only cells has it.
    let mut v = leadsift_core::Validator::new(options(before, false));
    let _ = v.push(bytes);
    let _ = v.finish();
    let Some(replayer) = v.replayer() else {
        assert!(first.is_empty(), "{name}: rows without a header");
        return 0;
    };
    let mut replay = replayer.replay(&read, overrides, strict);
    assert_eq!(first.len(), again.len(), "{name}: row count");
    for (old, new) in first.iter().zip(&again) {
        let cells = old.cells.as_ref().expect("cells kept");
        let made = replay.row(&cells.get(), old.record, old.line, old.read);
        assert_eq!(&made, new, "{name}: line {}", old.line);
    }
    let (replayer, replayed) = replay.finish();
    assert_eq!(replayed, summary, "{name}: summary");
    assert_eq!(replayer.columns(), summary.mapping.expect("mapped").columns);
    first.len()
}

/// Another mapping for a file: its first mapped column kept as a custom column, its first
/// unmapped one given its suggestion (or `phone_2`), and a column it does not have.
fn another_mapping(bytes: &[u8]) -> Option<leadsift_core::MappingOverrides> {
    use leadsift_core::mapping::Target;
    let (_, summary) = run_chunked(bytes, 65536, Options::new(leadsift_testkit::today())).ok()?;
    let columns = summary.mapping?.columns;
    let mut overrides = leadsift_core::MappingOverrides::default();
    if let Some(c) = columns.iter().find(|c| c.field.is_some()) {
        overrides
            .0
            .insert(c.header.clone(), Target::parse("extra").expect("word"));
    }
    if let Some(c) = columns.iter().find(|c| c.field.is_none()) {
        let field = c.suggestion.map_or("phone_2", |(f, _)| f.name());
        overrides
            .0
            .insert(c.header.clone(), Target::parse(field).expect("field"));
    }
    overrides.0.insert(
        "No Such Column".to_owned(),
        Target::parse("email").expect("field"),
    );
    Some(overrides)
}

#[test]
fn a_file_mapped_again_from_its_cells_is_the_file_validated_again() {
    let mut made = 0;
    for (name, bytes) in &every_file(600) {
        let Some(overrides) = another_mapping(bytes) else {
            continue;
        };
        for strict in [false, true] {
            made += assert_replay_is_validating_again(name, bytes, &overrides, strict);
        }
        // Back to what was detected: the empty choice.
        made += assert_replay_is_validating_again(name, bytes, &Default::default(), false);
    }
    assert!(made > 3000, "only {made} rows made again");
}

/// The fixtures' files, and two damaged generator files of `rows` rows.
fn every_file(rows: u64) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in ["golden", "bad"] {
        for entry in std::fs::read_dir(fixtures().join(dir)).expect("fixtures") {
            let path = entry.expect("entry").path();
            let name = path.display().to_string();
            if name.ends_with(".csv") || name.ends_with(".csv.gz") {
                files.push((name, std::fs::read(&path).expect("fixture")));
            }
        }
    }
    for seed in [4, 5] {
        files.push((format!("generated {seed}"), damaged(rows, seed)));
    }
    files
}

/// The edits a person might have made: every seventh record's cell in a column that turns
/// with the record, emptied or replaced by text no field accepts whole.
fn edits_of(record: u64, columns: usize) -> Vec<(usize, String)> {
    if record % 7 != 3 || columns == 0 {
        return Vec::new();
    }
    let column = (record as usize / 7) % columns;
    let text = if record.is_multiple_of(2) {
        ""
    } else {
        "00501"
    };
    vec![(column, text.to_owned())]
}

/// Remaps one file in brief ([`leadsift_core::Restand`]) from `from` to `to`, and checks each
/// row's standing and the summary against the full replay; the rows checked.
fn assert_remap_in_brief_is_full(
    name: &str,
    bytes: &[u8],
    from: &leadsift_core::MappingOverrides,
    to: &leadsift_core::MappingOverrides,
    strict: bool,
) -> Option<usize> {
    let options = Options {
        keep_cells: true,
        mapping: from.clone(),
        ..Options::new(leadsift_testkit::today())
    };
    let mut v = leadsift_core::Validator::new(options);
    let mut rows = v.push(bytes).ok()?;
    rows.extend(v.finish().ok()?);
    let replayer = v.replayer()?.clone();
    let width = replayer.columns().len();
    // The file as it stood before the remap: rows with edits made, duplicates counted.
    let mut before = replayer.replay(v.summary(), from, false);
    let mut standing = Vec::new();
    for row in &rows {
        let cells = row.cells.as_ref().expect("cells kept");
        let edits = edits_of(row.record, width);
        let made = before.edited_row(&cells.get(), &edits, row.record, row.line, row.read);
        standing.push((made.line, replayer.brief(&made), edits));
    }
    let (before_replayer, read) = before.finish();
    let mut brief = before_replayer.restand(&read, to, strict);
    let mut full = before_replayer.replay(&read, to, strict);
    for (row, (line, old, edits)) in rows.iter().zip(&standing) {
        let cells = row.cells.as_ref().expect("cells kept").get();
        let got = brief.row(&cells, edits, *line, old);
        let want = full.edited_row(&cells, edits, row.record, row.line, row.read);
        let want_brief = full.replayer().brief(&want);
        let mut want_issues = want_brief.issues.to_vec();
        let mut got_issues = got.brief.issues.to_vec();
        want_issues.sort();
        got_issues.sort();
        let at = format!("{name}: line {line}, {to:?}, strict {strict}");
        assert_eq!(got.status, want.status, "{at}: status");
        assert_eq!(got.replaces_line, want.replaces_line, "{at}: replaces");
        assert_eq!(got_issues, want_issues, "{at}: issues");
        assert_eq!(got.brief.key, want_brief.key, "{at}: lead key");
    }
    let (r1, s1) = brief.finish();
    let (r2, s2) = full.finish();
    assert_eq!(s1, s2, "{name}: summary, {to:?}, strict {strict}");
    assert_eq!(r1.columns(), r2.columns());
    Some(rows.len())
}

#[test]
fn a_remap_in_brief_is_the_full_remap() {
    use leadsift_core::mapping::Target;
    let mut checked = 0;
    let fields = [
        "extra",
        "state",
        "postal_code",
        "email",
        "phone_1",
        "city",
        "submitted_at",
        "lead_id",
        "first_name",
    ];
    let mut files = every_file(300);
    // ZIP codes a spreadsheet took the leading zeros of, which the state restores; keys by
    // e-mail and phone, some shared.
    files.push((
        "zip codes and shared keys".to_owned(),
        b"email,phone,state,zip,city,submitted\n\
          a@example.com,617-555-0100,MA,2134,Boston,2026-01-02\n\
          b@example.com,,NJ,7030,Hoboken,2026-01-02\n\
          ,201-555-0111,CT,6103,Hartford,2026-01-03\n\
          a@example.com,617-555-0100,MA,2134,Boston,2026-01-02\n\
          not an email,,NY,10001,New York,2026-01-04\n\
          b@example.com,,ZZ,7030,Hoboken,2026-01-02\n\
          ,,ME,4101,Portland,\n"
            .to_vec(),
    ));
    for (name, bytes) in files {
        let Ok((_, summary)) = run_chunked(&bytes, 65536, Options::new(leadsift_testkit::today()))
        else {
            continue;
        };
        let Some(mapping) = summary.mapping else {
            continue;
        };
        // Strictness alone (k = 0, strict and not), then other mappings.
        let mut cases = vec![(Default::default(), Default::default())];
        if let Some(o) = another_mapping(&bytes) {
            cases.push((Default::default(), o));
        }
        for (i, column) in mapping.columns.iter().enumerate().take(4) {
            let field = fields[i % fields.len()];
            // The column given another field, and the column that had that field let go, so
            // that no field is mapped twice.
            let mut to = leadsift_core::MappingOverrides::default();
            to.0.insert(column.header.clone(), Target::parse(field).expect("field"));
            if let Some(had) = mapping
                .columns
                .iter()
                .find(|c| c.field.is_some_and(|f| f.name() == field) && c.index != i)
            {
                to.0.insert(had.header.clone(), Target::parse("extra").expect("word"));
            }
            cases.push((Default::default(), to.clone()));
            // And back again, from that mapping.
            cases.push((to, Default::default()));
        }
        // The columns the rules read across a row let go of, and taken back.
        for field in ["state", "postal_code", "email", "lead_id", "phone_1"] {
            if let Some(had) = mapping
                .columns
                .iter()
                .find(|c| c.field.is_some_and(|f| f.name() == field))
            {
                let mut to = leadsift_core::MappingOverrides::default();
                to.0.insert(had.header.clone(), Target::parse("extra").expect("word"));
                cases.push((Default::default(), to.clone()));
                cases.push((to, Default::default()));
            }
        }
        for (k, (from, to)) in cases.iter().enumerate() {
            for strict in [false, true] {
                if strict && k % 4 != 0 {
                    continue;
                }
                checked +=
                    assert_remap_in_brief_is_full(&name, &bytes, from, to, strict).unwrap_or(0);
            }
        }
    }
    assert!(checked > 30_000, "only {checked} rows remapped in brief");
}

/// Every fixture, read with each row lent ([`Validator::push_each`], one row buffer used again
/// record after record), gives the rows and summary that [`Validator::push`] returns: nothing
/// of one record (an issue, an extra cell, the original row, the cells, a duplicate's mark)
/// stays in the next. Cells and the original row are kept, so those buffers are checked too.
#[test]
fn rows_lent_one_by_one_are_the_rows_returned() {
    // A row that replaces an earlier one, then rows that replace none.
    let duplicates = "lead_id,email,note\nA1,a@example.com,x\nA1,a@example.com,\nB2,bad,\nC3,,y\n";
    // Short records after full ones: the columns a record does not reach are empty in its
    // row, whatever the row before held there (text in place, a long text, a typed value).
    let short = format!(
        "lead_id,first_name,comments,phone_1,city\nA1,Ann,{},5125550100,Austin\nA2,Bo\nA3\nA4,Cy,short,,Waco\nA5,,\n",
        "a comment too long to be kept in place".repeat(2)
    );
    let mut files = vec![
        ("duplicates".to_owned(), duplicates.as_bytes().to_vec()),
        ("short records".to_owned(), short.into_bytes()),
    ];
    for dir in ["golden", "bad"] {
        for entry in std::fs::read_dir(fixtures().join(dir)).expect("fixture dir") {
            let path = entry.expect("entry").path();
            let name = path.to_string_lossy().into_owned();
            if name.ends_with(".csv") || name.ends_with(".csv.gz") {
                files.push((name, std::fs::read(&path).expect("fixture")));
            }
        }
    }
    let cases = files.len();
    for (name, bytes) in files {
        let mut options = Options::new(leadsift_testkit::today());
        options.keep_cells = true;
        options.keep_original = true;
        let returned = run_chunked(&bytes, 4099, options.clone());
        let mut v = leadsift_core::Validator::new(options);
        let mut lent = Vec::new();
        let mut each =
            |_: &leadsift_core::Replayer, row: &leadsift_core::Row| lent.push(row.clone());
        let read = bytes
            .chunks(4099)
            .try_for_each(|part| v.push_each(part, &mut each))
            .and_then(|()| v.finish_each(&mut each));
        match (returned, read) {
            (Ok((rows, summary)), Ok(())) => {
                assert_eq!(lent, rows, "{name}: rows");
                assert_eq!(v.summary(), &summary, "{name}: summary");
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{name}: error"),
            (a, b) => panic!("{name}: returned {a:?}, lent {b:?}"),
        }
    }
    assert!(cases >= 30, "expected every fixture, found {cases}");
}
