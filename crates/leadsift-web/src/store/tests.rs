use super::*;

fn kept(i: usize) -> Kept {
    Kept {
        record: i as u64,
        line: i as u64 + 2,
        replaces_line: None,
        read: ReadFacts {
            field_count: 3,
            oversized_field: (i % 11 == 5).then_some((2, 1 << 21)),
            oversized_record: (i % 13 == 6).then_some(9 << 20),
            unterminated_quote: (i % 17 == 8).then_some(i as u64 + 2),
            replaced: i % 5 == 1,
        },
        cells: Cells::new(&[&format!("person{i}@example.com"), "", "Zoë \"Z\"\n, ok"]),
        edits: Vec::new(),
    }
}

/// A row's standing with no issue but its status.
fn standing(status: RowStatus) -> Standing {
    Standing {
        status,
        replaces_line: None,
        brief: Brief::default(),
    }
}

fn fill(n: usize) -> RowStore {
    let mut s = RowStore::new();
    for i in 0..n {
        let status = [RowStatus::Valid, RowStatus::Warning, RowStatus::Rejected][i % 3];
        keep(&mut s, status, &kept(i));
    }
    s
}

fn keep(s: &mut RowStore, status: RowStatus, k: &Kept) {
    s.push(standing(status), k.record, k.line, &k.read, &k.cells);
}

fn records(rows: &[Kept]) -> Vec<u64> {
    rows.iter().map(|k| k.record).collect()
}

#[test]
fn records_come_back_whole_across_sealed_and_open_blocks() {
    let n = BLOCK_ROWS * 3 + 17;
    let mut s = fill(n);
    assert_eq!(s.len(), n);
    // Sealed blocks not yet compressed, then one compressed beside two not, then all.
    check_every_block(&mut s, n);
    assert!(s.compress_some(1));
    check_every_block(&mut s, n);
    while s.compress_some(1) {}
    assert!(s.raw.is_empty() && s.raw_bytes == 0);
    check_every_block(&mut s, n);
}

fn check_every_block(s: &mut RowStore, n: usize) {
    s.cache.clear();
    for i in [
        0,
        1,
        3,
        5,
        6,
        8,
        BLOCK_ROWS - 1,
        BLOCK_ROWS,
        2 * BLOCK_ROWS + 5,
        n - 1,
    ] {
        assert_eq!(s.get(i), Some(kept(i)), "record {i}");
    }
    assert_eq!(s.get(n), None);
    let range = s.range(BLOCK_ROWS - 2, BLOCK_ROWS + 2);
    assert_eq!(
        records(&range),
        (BLOCK_ROWS as u64 - 2..BLOCK_ROWS as u64 + 2).collect::<Vec<_>>()
    );
    assert_eq!(s.range(n - 1, n + 50).len(), 1);
    let mut visited = Vec::new();
    s.visit(0, n, |i, k| {
        assert_eq!(k, kept(i), "record {i}");
        visited.push(i);
    });
    assert_eq!(visited, (0..n).collect::<Vec<_>>());
}

#[test]
fn past_the_raw_budget_the_oldest_blocks_are_compressed_as_rows_arrive() {
    let mut s = RowStore::new();
    s.raw_budget = 2 * BLOCK_ROWS * 40;
    for i in 0..BLOCK_ROWS * 6 {
        keep(&mut s, RowStatus::Valid, &kept(i));
        assert!(
            s.raw_bytes <= s.raw_budget,
            "row {i}: {} raw bytes",
            s.raw_bytes
        );
    }
    // The newest blocks are the ones left to compress when the worker is idle.
    assert!(!s.raw.is_empty() && s.raw.len() < 6);
    assert!(s.raw.iter().all(|&b| b >= 6 - s.raw.len()));
    assert!(matches!(s.blocks[0], Block::Lz4(_)));
    while s.compress_some(2) {}
    check_every_block(&mut s, BLOCK_ROWS * 6);
}

#[test]
fn varints_cover_every_width() {
    for n in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
        let mut out = Vec::new();
        varint(&mut out, n);
        let mut input = out.as_slice();
        assert_eq!(read_varint(&mut input), Some(n));
        assert!(input.is_empty());
    }
    // Cut short, or longer than 64 bits: not a number.
    assert_eq!(read_varint(&mut &[0x80u8][..]), None);
    assert_eq!(read_varint(&mut &[0xffu8; 11][..]), None);
}

#[test]
fn filters_count_and_page_in_file_order() {
    let mut s = fill(BLOCK_ROWS + 10);
    let total = BLOCK_ROWS + 10;
    assert_eq!(s.count(Filter::All), total);
    let rejected = (0..total).filter(|i| i % 3 == 2).count();
    assert_eq!(s.count(Filter::Rejected), rejected);
    assert_eq!(s.count(Filter::Issues), total - total.div_ceil(3));
    assert_eq!(records(&s.page(Filter::Rejected, 1, 3)), [5, 8, 11]);
    // A push after a view was built is seen by the next count.
    keep(&mut s, RowStatus::Rejected, &kept(total));
    assert_eq!(s.count(Filter::Rejected), rejected + 1);
}

#[test]
fn a_million_rows_stay_small() {
    // Realistic records compress well: the store holds far less than their cells.
    let mut s = RowStore::new();
    let mut given = 0;
    for i in 0..50_000 {
        let cells = [
            format!("{i:024x}"),
            format!("person{i}@example.com"),
            format!("(202) 555-{:04}", i % 10_000),
            "Texas".to_owned(),
            "2025-01-02 10:11:12".to_owned(),
        ];
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let k = Kept {
            cells: Cells::new(&refs),
            ..kept(i)
        };
        given += k.cells.text().len();
        keep(&mut s, RowStatus::Valid, &k);
    }
    // Once compressed (the worker does it when idle), the records take under half; beside
    // them each row has its facts and its brief (without issues here), 56 bytes.
    while s.compress_some(16) {}
    let facts = s.len() * (size_of::<Facts>() + size_of::<Brief>());
    assert!(size_of::<Facts>() + size_of::<Brief>() <= 56);
    assert!(
        (s.memory() - facts) * 2 < given,
        "{} of {given}",
        s.memory()
    );
}

#[test]
fn unknown_filter_names_show_everything() {
    assert_eq!(Filter::parse("rejected"), Filter::Rejected);
    assert_eq!(Filter::parse("nonsense"), Filter::All);
}

#[test]
fn rows_filter_by_the_class_a_comparison_gave_them() {
    let mut s = fill(BLOCK_ROWS + 10);
    assert_eq!(s.count(Filter::parse("class:differs")), 0);
    s.set_class(3, Class::Differs);
    s.set_class(BLOCK_ROWS + 2, Class::Differs);
    s.set_class(4, Class::Matched);
    s.set_class(BLOCK_ROWS + 10, Class::Matched); // past the rows: ignored
    assert_eq!(s.count(Filter::parse("class:differs")), 2);
    assert_eq!(s.count(Filter::parse("class:matched")), 1);
    let page = s.page(Filter::Class(Class::Differs), 0, 10);
    assert_eq!(records(&page), [3, BLOCK_ROWS as u64 + 2]);
    // A row classed again moves; a new comparison starts from nothing.
    s.set_class(3, Class::Matched);
    assert_eq!(s.count(Filter::parse("class:matched")), 2);
    s.clear_classes();
    assert_eq!(s.count(Filter::parse("class:matched")), 0);
    assert_eq!(Filter::parse("class:nonsense"), Filter::All);
}

/// A row's standing with the given issues (code, column) and the line it replaces.
fn standing_with(issues: &[(IssueCode, Option<u16>)], replaces: Option<u64>) -> Standing {
    let issues: Box<[leadsift_core::BriefIssue]> = issues
        .iter()
        .map(|&(code, column)| leadsift_core::BriefIssue {
            column,
            code,
            cleaned: column.is_some(),
        })
        .collect();
    let status = if issues.iter().any(|i| i.code.rejects()) {
        RowStatus::Rejected
    } else if issues.is_empty() {
        RowStatus::Valid
    } else {
        RowStatus::Warning
    };
    Standing {
        status,
        replaces_line: replaces,
        brief: Brief { key: None, issues },
    }
}

#[test]
fn rows_filter_by_issue_code_column_and_edit() {
    // Columns: Email, Phone, Zip.
    let mut s = RowStore::new();
    let issues: [&[(IssueCode, Option<u16>)]; 4] = [
        &[],
        &[(IssueCode::InvalidPhone, Some(1))],
        &[
            (IssueCode::InvalidPhone, Some(1)),
            (IssueCode::InvalidPostalCode, Some(2)),
        ],
        &[(IssueCode::ShortRow, None)],
    ];
    for (i, list) in issues.iter().enumerate() {
        let k = kept(i);
        s.push(
            standing_with(list, None),
            k.record,
            k.line,
            &k.read,
            &k.cells,
        );
    }
    assert_eq!(
        records(&s.page(Filter::parse("code:invalid_phone"), 0, 9)),
        [1, 2]
    );
    assert_eq!(records(&s.page(Filter::parse("code:short_row"), 0, 9)), [3]);
    assert_eq!(records(&s.page(Filter::parse("column:2"), 0, 9)), [2]);
    assert_eq!(s.count(Filter::parse("column:0")), 0);
    assert_eq!(Filter::parse("code:nonsense"), Filter::All);
    assert_eq!(Filter::parse("column:64"), Filter::All);

    // An edit is kept beside the record and comes back with it; a second edit of the same
    // cell replaces the first.
    assert_eq!(s.count(Filter::Edited), 0);
    assert!(s.edit(1, 1, "415 555 0134".into()));
    assert!(s.edit(1, 1, "415 555 0135".into()));
    assert!(s.edit(1, 0, "b@example.com".into()));
    assert!(!s.edit(9, 0, "no such row".into()));
    let got = s.get(1).expect("row 1");
    assert_eq!(
        got.edits,
        [
            (1, "415 555 0135".to_owned()),
            (0, "b@example.com".to_owned())
        ]
    );
    assert_eq!(got.cells, kept(1).cells, "the cells stay as read");
    // A cell's text as it stands: the last edit, else as read; none past the record.
    assert_eq!(got.text(1).as_deref(), Some("415 555 0135"));
    assert_eq!(got.text(2).as_deref(), Some("Zoë \"Z\"\n, ok"));
    assert_eq!(got.text(3), None);
    assert_eq!(records(&s.page(Filter::Edited, 0, 9)), [1]);

    // The row made again: its facts replace the old ones, and the filters follow.
    s.set_standing(1, standing_with(&[], Some(7)));
    assert_eq!(s.brief(1), Some(&Brief::default()));
    assert_eq!(
        records(&s.page(Filter::parse("code:invalid_phone"), 0, 9)),
        [2]
    );
    assert_eq!(s.get(1).expect("row 1").replaces_line, Some(7));
    assert_eq!(
        s.range(0, 4)[1].replaces_line,
        Some(7),
        "the open block too"
    );
    s.clear_edits();
    assert_eq!(s.count(Filter::Edited), 0);
    assert!(s.get(1).expect("row 1").edits.is_empty());
}

#[test]
fn a_visit_hands_every_record_once_in_order_as_it_stands() {
    let n = BLOCK_ROWS * 2 + 5;
    let mut s = fill(n);
    s.get(BLOCK_ROWS + 3); // one block cached, the others not
    assert!(s.edit(BLOCK_ROWS + 1, 2, "edited".into()));
    let mut seen = Vec::new();
    s.visit(BLOCK_ROWS - 2, n + 10, |i, k| {
        assert_eq!(k.record, i as u64);
        assert_eq!(k.edits.is_empty(), i != BLOCK_ROWS + 1, "row {i}");
        seen.push(i);
    });
    assert_eq!(seen, (BLOCK_ROWS - 2..n).collect::<Vec<_>>());
    let mut none = 0;
    s.visit(n, n + 3, |_, _| none += 1);
    assert_eq!(none, 0);
}

/// A row lent by the validator is kept as the record it was made from: its number, line,
/// reading facts and cells as read, and the line it replaces (from its standing), for every
/// row the validator returns owned from the same file.
#[test]
fn rows_kept_as_lent_are_the_records_of_the_rows_returned() {
    let file = "lead_id,email,note\nA1,a@example.com,\"x\ny\"\nA1,a@example.com,\n\nB2,bad,z,extra\n\"C3,c@example.com\n";
    let mut options = leadsift_core::Options::new(
        leadsift_core::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
    );
    options.keep_cells = true;
    let (rows, _) =
        leadsift_core::validate_bytes(file.as_bytes(), options.clone()).expect("readable");
    let mut lent = RowStore::new();
    let mut v = leadsift_core::Validator::new(options);
    let mut keep = |r: &leadsift_core::Replayer, row: &leadsift_core::Row| {
        let cells = row.cells.as_ref().expect("cells kept");
        lent.push(r.standing(row), row.record, row.line, &row.read, cells);
    };
    v.push_each(file.as_bytes(), &mut keep).expect("readable");
    v.finish_each(&mut keep).expect("readable");
    assert_eq!(lent.len(), 4);
    assert_eq!(lent.len(), rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let want = Kept {
            record: row.record,
            line: row.line,
            replaces_line: row.replaces_line,
            read: row.read,
            cells: row.cells.expect("cells kept"),
            edits: Vec::new(),
        };
        assert_eq!(lent.get(i), Some(want), "record {i}");
    }
}
