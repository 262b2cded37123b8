//! Editing a cell: the edited record is made like one read with that cell, says which columns
//! were edited, and is counted again without a whole replay unless its standing key changed.

use leadsift_core::wire::{WireRow, batch_checksum};
use leadsift_core::{Options, Row, RowStatus, Summary, Validator};

use crate::run_chunked;

const FILE: &str = "Email,Phone,First Name,Home Owner\n\
                    ann@example.com,555-12,Ann,yes\n\
                    bob@example.com,(415) 555-2671,Bob,no\n\
                    not an email,,Cy,\n\
                    ann@example.com,555-12,Ann again,\n";

fn options() -> Options {
    Options {
        keep_cells: true,
        keep_original: true,
        ..Options::new(leadsift_testkit::today())
    }
}

/// The file's rows (cells kept), its summary and its replayer.
fn read(text: &str) -> (Vec<Row>, Summary, leadsift_core::Replayer) {
    let mut v = Validator::new(options());
    let mut rows = v.push(text.as_bytes()).expect("readable");
    rows.extend(v.finish().expect("readable"));
    let replayer = v.replayer().expect("a header").clone();
    (rows, v.summary().clone(), replayer)
}

/// `row` made again with `edits` applied to its kept cells.
fn edit(replayer: &leadsift_core::Replayer, row: &Row, edits: &[(usize, &str)]) -> Row {
    let cells = row.cells.as_ref().expect("cells kept");
    let edits: Vec<(usize, String)> = edits.iter().map(|(c, t)| (*c, (*t).to_owned())).collect();
    replayer.edited_row(
        &cells.get(),
        &edits,
        row.record,
        row.line,
        row.read,
        row.replaces_line,
    )
}

/// The file as if it had held line 2's phone fixed: what the edit must give.
fn with_line_2_fixed() -> (Vec<Row>, Summary) {
    let text = FILE.replacen("555-12,Ann,yes", "415 555 0134,Ann,yes", 1);
    run_chunked(text.as_bytes(), 64, options()).expect("readable")
}

/// The same row as if the file had held the edited text, but for what says it was edited.
fn same_but_edited(edited: &Row, written: &Row, columns: &[&str]) {
    assert_eq!(edited.edited, columns);
    let mut e = edited.clone();
    e.edited.clear();
    e.original.clone_from(&written.original);
    e.cells.clone_from(&written.cells);
    assert_eq!(&e, written);
}

#[test]
fn an_edited_cell_is_cleaned_as_if_the_file_held_it() {
    let (rows, _, replayer) = read(FILE);
    assert_eq!(rows[0].status, RowStatus::Warning, "555-12 is no phone");
    let fixed = edit(&replayer, &rows[0], &[(1, "415 555 0134")]);
    assert_eq!(fixed.status, RowStatus::Valid);
    assert_eq!(
        fixed
            .lead
            .get(leadsift_core::Field::Phone1)
            .map(|v| v.to_text().into_owned()),
        Some("4155550134".to_owned())
    );
    // The original row and the kept cells stay as read: the edit is in the values.
    assert_eq!(fixed.original, rows[0].original);
    assert_eq!(fixed.cells, rows[0].cells);
    let (written, _) = with_line_2_fixed();
    same_but_edited(&fixed, &written[0], &["Phone"]);

    // A bad edit is judged like a bad cell: the e-mail of row 3 stays invalid, and now says so
    // about the new text.
    let bad = edit(&replayer, &rows[2], &[(0, "still@not"), (0, "still not")]);
    assert_eq!(bad.status, RowStatus::Rejected);
    assert!(
        bad.issues
            .iter()
            .any(|i| i.raw.as_deref() == Some("still not"))
    );
    assert_eq!(bad.edited, ["Email"], "a column edited twice is named once");
    // An unmapped column's edit goes to extra; a column past the record is ignored.
    let extra = edit(&replayer, &rows[1], &[(3, "maybe"), (9, "nowhere")]);
    assert!(
        extra
            .extra
            .contains(&("Home Owner".to_owned(), "maybe".to_owned()))
    );
    assert_eq!(extra.edited, ["Home Owner"]);
}

#[test]
fn an_edit_is_counted_in_place_unless_it_changes_the_standing_key() {
    let (rows, summary, replayer) = read(FILE);
    assert_eq!(summary.duplicates, 1, "line 5 replaces line 2");
    // A name: the key stands, the row is counted again in place.
    let mut counted = summary.clone();
    let renamed = edit(&replayer, &rows[3], &[(2, "Annie")]);
    assert!(counted.replace_row(&rows[3], &renamed));
    assert_eq!(counted, summary, "a name changes no count here");
    // The phone of line 2: its key changes, so line 5 may no longer replace it: not in place.
    let fixed = edit(&replayer, &rows[0], &[(1, "415 555 0134")]);
    let mut untouched = summary.clone();
    assert!(!untouched.replace_row(&rows[0], &fixed));
    assert_eq!(
        untouched, summary,
        "nothing counted when it cannot be counted in place"
    );
    // The e-mail of the rejected row: it stands now, where it stood on nothing before.
    let email = edit(&replayer, &rows[2], &[(0, "cy@example.com")]);
    assert_eq!(email.status, RowStatus::Valid);
    assert!(!counted.replace_row(&rows[2], &email));
    // The whole file made again with the edit equals the file written with it.
    let mut replay = replayer.replay(&summary, &Default::default(), false);
    for (i, row) in rows.iter().enumerate() {
        let cells = row.cells.as_ref().expect("cells").get();
        let made = if i == 0 {
            let edits = [(1, "415 555 0134".to_owned())];
            replay.edited_row(&cells, &edits, row.record, row.line, row.read)
        } else {
            replay.row(&cells, row.record, row.line, row.read)
        };
        assert_eq!(made.edited.is_empty(), i != 0);
    }
    let (_, mut replayed) = replay.finish();
    let (_, written) = with_line_2_fixed();
    replayed.bytes = written.bytes; // the written file is longer by the edit
    assert_eq!(replayed, written);
    assert_eq!(replayed.duplicates, 0, "line 5 no longer has line 2's key");
}

#[test]
fn an_edited_row_says_so_on_the_wire_and_the_server_keeps_the_mark() {
    let (rows, _, replayer) = read(FILE);
    let fixed = edit(&replayer, &rows[0], &[(1, "415 555 0134")]);
    let wire = WireRow::from_row(&fixed);
    assert_eq!(wire.edited, ["Phone"]);
    let json = serde_json::to_string(&leadsift_core::wire::WireRowJson(&wire)).expect("json");
    assert!(json.contains(r#""edited":["Phone"]"#), "{json}");
    let back: leadsift_core::wire::BatchRowIn = serde_json::from_str(&json).expect("reads back");
    let back = back.into_wire();
    assert_eq!(back.edited, wire.edited);
    assert_eq!(
        batch_checksum(std::slice::from_ref(&back)),
        batch_checksum(std::slice::from_ref(&wire))
    );
    let again = back.revalidate(&options().clean, false);
    assert_eq!(again.status, RowStatus::Valid);
    assert_eq!(again.edited, ["Phone"]);
    // The mark is part of the batch's content; a row without edits hashes as it always did.
    let plain = WireRow::from_row(&rows[1]);
    assert!(
        !json.is_empty()
            && !serde_json::to_string(&leadsift_core::wire::WireRowJson(&plain))
                .expect("json")
                .contains("edited")
    );
    let mut unmarked = wire.clone();
    unmarked.edited.clear();
    assert_ne!(batch_checksum(&[wire]), batch_checksum(&[unmarked]));
}

#[test]
fn an_edited_mark_larger_than_a_record_rejects_the_row() {
    let (rows, _, _) = read(FILE);
    let mut wire = WireRow::from_row(&rows[1]);
    let limits = leadsift_core::Limits::default();
    wire.edited = (0..=limits.max_columns).map(|i| format!("c{i}")).collect();
    let row = wire.revalidate(&options().clean, false);
    assert_eq!(row.status, RowStatus::Rejected);
    assert!(
        row.issues
            .iter()
            .any(|i| i.code == leadsift_core::IssueCode::TamperedValue)
    );
    wire.edited = vec!["Phone\0".to_owned()];
    let row = wire.revalidate(&options().clean, false);
    assert!(!row.edited[0].contains('\0'), "no NUL reaches storage");
}

#[test]
fn a_sample_cell_is_cleaned_as_its_column_is_mapped() {
    let (_, _, replayer) = read(FILE);
    assert_eq!(
        replayer.cleaned_cell(1, "(415) 555-2671"),
        Some(Ok("4155552671".to_owned()))
    );
    assert!(matches!(replayer.cleaned_cell(1, "555-12"), Some(Err(m)) if m.contains("digits")));
    assert_eq!(replayer.cleaned_cell(1, ""), Some(Ok(String::new())));
    assert_eq!(
        replayer.cleaned_cell(3, "yes"),
        None,
        "Home Owner maps to no field"
    );
    assert_eq!(replayer.cleaned_cell(9, "x"), None, "no such column");
}

#[test]
fn a_value_that_failed_cleaning_is_found_by_its_column() {
    let (rows, _, _) = read(FILE);
    assert!(rows[0].failed_in_column("Phone"), "555-12 failed");
    assert!(!rows[0].failed_in_column("Email"));
    assert!(rows[2].failed_in_column("Email"), "not an email failed");
    // A warning is no failure: an e-mail kept with a note is not an invalid cell.
    let (noted, _) = run_chunked(b"Email\nann@example.com\x07\n", 64, options()).expect("readable");
    assert!(!noted[0].issues.is_empty(), "a note was raised");
    assert!(!noted[0].failed_in_column("Email"));
}
