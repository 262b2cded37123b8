//! The database classification and the server's re-validation.

use leadsift_core::clean::CleanOptions;
use leadsift_core::judge::{classify, content_hash};
use leadsift_core::wire::{InvalidValue, WireRow};
use leadsift_core::{IssueCode, Options, Outcome, Prior, RowStatus};

use crate::run_chunked;

#[test]
fn classification_follows_the_design() {
    use Outcome::*;
    let prior = |hash: &str, ours: bool| Prior {
        content_hash: hash.to_owned(),
        written_by_this_run: ours,
    };
    let cases: &[(RowStatus, Option<Prior>, &str, bool, Outcome)] = &[
        (RowStatus::Valid, None, "a", false, Created),
        (RowStatus::Warning, None, "a", true, Created),
        (
            RowStatus::Valid,
            Some(prior("a", false)),
            "b",
            false,
            Existing,
        ),
        (
            RowStatus::Valid,
            Some(prior("a", false)),
            "a",
            true,
            Unchanged,
        ),
        (
            RowStatus::Valid,
            Some(prior("a", false)),
            "b",
            true,
            Updated,
        ),
        (
            RowStatus::Valid,
            Some(prior("a", true)),
            "b",
            false,
            Duplicate,
        ),
        (RowStatus::Rejected, None, "a", true, Rejected),
    ];
    for (status, prior, hash, force, want) in cases {
        assert_eq!(
            classify(*status, prior.as_ref(), hash, *force),
            *want,
            "{status:?} {prior:?} {hash} {force}"
        );
    }
    assert!(Created.writes() && Updated.writes() && Duplicate.writes());
    assert!(!Unchanged.writes() && !Existing.writes() && !Rejected.writes());
}

#[test]
fn an_honest_clients_rows_pass_revalidation_unchanged() {
    let bytes = std::fs::read(crate::fixtures().join("golden/lc-comma-utf8.csv")).expect("fixture");
    let (rows, _) =
        run_chunked(&bytes, 1 << 20, Options::new(leadsift_testkit::today())).expect("readable");
    for row in &rows {
        let again =
            WireRow::from_row(row).revalidate(&CleanOptions::new(leadsift_testkit::today()), false);
        assert_eq!(again.lead, row.lead, "line {}", row.line);
        assert_eq!(again.key, row.key);
        assert_eq!(
            again.status, row.status,
            "line {}: {:?} vs {:?}",
            row.line, again.issues, row.issues
        );
        let codes = |r: &leadsift_core::Row| {
            let mut c: Vec<_> = r
                .issues
                .iter()
                .map(|i| (i.code, i.field, i.raw.clone()))
                .collect();
            c.sort();
            c
        };
        assert_eq!(
            codes(&again),
            codes(row),
            "line {}: the same issues",
            row.line
        );
        assert_eq!(
            content_hash(&again.lead, &again.extra),
            content_hash(&row.lead, &row.extra)
        );
    }
}

#[test]
fn a_tampered_row_is_rejected_with_an_issue() {
    let cases: &[(&str, &str)] = &[
        ("phone_1", "(512) 789-1111"),
        ("email", "John@Example.com"),
        ("phone_1", "555-555-5555"),
        ("state", "Texas"),
        ("price", "$12"),
        ("lead_idx", "L1"),
    ];
    for (field, text) in cases {
        let wire = WireRow {
            record: 0,
            line: 2,
            values: vec![
                ("lead_id".to_owned(), Some("L1".to_owned())),
                ((*field).to_owned(), Some((*text).to_owned())),
            ],
            extra: Vec::new(),
            invalid: Vec::new(),
            notes: Vec::new(),
            original: Vec::new(),
            edited: Vec::new(),
        };
        let row = wire.revalidate(&CleanOptions::new(leadsift_testkit::today()), false);
        assert_eq!(row.status, RowStatus::Rejected, "{field}={text}");
        assert!(
            row.issues
                .iter()
                .any(|i| i.code == IssueCode::TamperedValue),
            "{field}={text}: {:?}",
            row.issues
        );
    }
    // A value reported invalid that cleans, and one that does fail, with its raw text kept.
    let wire = |raw: &str| WireRow {
        record: 0,
        line: 2,
        values: vec![("lead_id".to_owned(), Some("L1".to_owned()))],
        extra: Vec::new(),
        invalid: vec![InvalidValue {
            field: "email".into(),
            column: Some("Email".into()),
            raw: raw.into(),
        }],
        notes: Vec::new(),
        original: Vec::new(),
        edited: Vec::new(),
    };
    let lying =
        wire("a@example.com").revalidate(&CleanOptions::new(leadsift_testkit::today()), false);
    assert_eq!(lying.status, RowStatus::Rejected);
    let honest = wire("bob@").revalidate(&CleanOptions::new(leadsift_testkit::today()), false);
    assert_eq!(honest.status, RowStatus::Warning);
    assert_eq!(honest.issues[0].code, IssueCode::InvalidEmail);
    assert_eq!(honest.issues[0].raw.as_deref(), Some("bob@"));
}

#[test]
fn the_content_hash_sees_every_value_and_extra() {
    let bytes = b"Lead ID,Email,Note\nL1,a@example.com,x\nL1,a@example.com,y\nL1,b@example.com,x\nL1,a@example.com,x\n";
    let (rows, _) =
        run_chunked(bytes, 64, Options::new(leadsift_testkit::today())).expect("readable");
    let h: Vec<String> = rows
        .iter()
        .map(|r| content_hash(&r.lead, &r.extra))
        .collect();
    assert_ne!(h[0], h[1], "extra differs");
    assert_ne!(h[0], h[2], "email differs");
    assert_eq!(h[0], h[3], "same content");
}

#[test]
fn a_batch_row_reads_every_json_scalar_as_the_text_it_stands_for() {
    use leadsift_core::wire::{BatchRowIn, Scalar};
    let row: BatchRowIn = serde_json::from_str(
        r#"{"record": 0, "line": 2, "lead": {"email": "a@b.co", "price": 9.5, "lead_score": 7,
            "is_test": true, "city": null, "postal_code": 18446744073709551615,
            "quality_score": -3}}"#,
    )
    .expect("row");
    let text = |k: &str| row.lead[k].clone().into_text();
    assert_eq!(text("email").as_deref(), Some("a@b.co"));
    assert_eq!(text("price").as_deref(), Some("9.5"));
    assert_eq!(text("lead_score").as_deref(), Some("7"));
    assert_eq!(text("quality_score").as_deref(), Some("-3"));
    assert_eq!(text("is_test").as_deref(), Some("true"));
    assert_eq!(row.lead["city"], Scalar::Null);
    // Past i64: the digits, not a rounded float.
    assert_eq!(text("postal_code").as_deref(), Some("18446744073709551615"));
    for bad in [r#"[1]"#, r#"{"a": 1}"#] {
        let json = format!(r#"{{"record": 0, "line": 2, "lead": {{"email": {bad}}}}}"#);
        let err = serde_json::from_str::<BatchRowIn>(&json).expect_err("not a scalar");
        assert!(
            err.to_string()
                .contains("a string, a number, a boolean or null"),
            "{err}"
        );
    }
}

#[test]
fn hex_is_lower_case_two_digits_a_byte() {
    assert_eq!(
        leadsift_core::text::hex(&[0x00, 0x0f, 0xa0, 0xff]),
        "000fa0ff"
    );
    assert_eq!(leadsift_core::text::hex(&[]), "");
}

#[test]
fn which_issues_keep_a_raw_value_is_decided_once() {
    use leadsift_core::{Field, Issue, IssueCode};
    let failed = Issue::new(IssueCode::InvalidEmail, "x").with_field(Field::Email);
    let masked = Issue::new(IssueCode::Masked, "x").with_field(Field::Phone1);
    let trimmed = Issue::new(IssueCode::ControlCharactersRemoved, "x").with_field(Field::City);
    let row_level = Issue::new(IssueCode::NoIdentity, "x");
    assert_eq!(failed.failed_field(), Some(Field::Email));
    assert_eq!(failed.kept_raw_field(), Some(Field::Email));
    assert_eq!(masked.failed_field(), None);
    assert_eq!(masked.kept_raw_field(), Some(Field::Phone1));
    assert_eq!(trimmed.kept_raw_field(), None);
    assert_eq!(row_level.failed_field(), None);
}

#[test]
fn a_posted_lead_is_validated_as_a_one_record_file() {
    use leadsift_core::{Field, Options, validate_pairs};
    let pairs = vec![
        ("lead_id".to_owned(), "P1".to_owned()),
        ("Email".to_owned(), " Jo@Example.COM ".to_owned()),
        ("note, with \"quotes\"".to_owned(), "a,b\n\"c\"".to_owned()),
    ];
    let row = validate_pairs(&pairs, Options::new(leadsift_testkit::today()))
        .expect("readable")
        .expect("a row");
    assert_eq!(row.key.as_ref().map(|k| k.as_str()), Some("lead:P1"));
    assert_eq!(
        row.lead.get(Field::Email).map(|v| v.to_text().into_owned()),
        Some("jo@example.com".into())
    );
    assert_eq!(
        row.extra,
        vec![("note, with \"quotes\"".to_owned(), "a,b\n\"c\"".to_owned())]
    );
    assert!(
        validate_pairs(&[], Options::new(leadsift_testkit::today()))
            .expect("ok")
            .is_none()
    );
    let blank = vec![("email".to_owned(), String::new())];
    assert!(
        validate_pairs(&blank, Options::new(leadsift_testkit::today()))
            .expect("ok")
            .is_none()
    );
}

/// LeadConduit's event export: two events of one lead are one lead (keyed by `lead.id`), and
/// each keeps its event id.
#[test]
fn two_events_of_one_lead_are_one_lead() {
    let csv =
        b"id,type,lead.id,lead.email\nevt-1,click,L1,a@example.com\nevt-2,sale,L1,a@example.com\n";
    let (rows, _) = leadsift_core::validate_bytes(csv, Options::new(leadsift_testkit::today()))
        .expect("readable");
    let keys: Vec<_> = rows
        .iter()
        .map(|r| r.key.as_ref().map(|k| k.as_str()))
        .collect();
    assert_eq!(keys, [Some("lead:L1"), Some("lead:L1")]);
    assert_eq!(rows[1].replaces_line, Some(2));
    let event = |r: &leadsift_core::Row| {
        r.lead
            .get(leadsift_core::Field::EventId)
            .map(|v| v.to_text().into_owned())
    };
    assert_eq!(event(&rows[0]).as_deref(), Some("evt-1"));
    assert_eq!(event(&rows[1]).as_deref(), Some("evt-2"));
}

#[test]
fn the_original_row_travels_the_wire_in_column_order() {
    use leadsift_core::wire::{BatchRowIn, BatchRowJson, batch_checksum};
    let options = Options {
        keep_original: true,
        ..Options::new(leadsift_testkit::today())
    };
    // Column order that a sorted map would change: Zeta before Alpha.
    let (rows, _) =
        run_chunked(b"Zeta,Email,Alpha\nz1,a@example.com,\n", 5, options).expect("readable");
    let json = serde_json::to_string(&BatchRowJson(&rows[0])).expect("json");
    assert!(
        json.contains(r#""original":{"Zeta":"z1","Email":"a@example.com","Alpha":""}"#),
        "{json}"
    );
    let back: BatchRowIn = serde_json::from_str(&json).expect("the endpoint reads it");
    let wire = back.into_wire();
    assert_eq!(wire.original, rows[0].original);
    assert_eq!(
        batch_checksum(std::slice::from_ref(&wire)),
        batch_checksum(&[WireRow::from_row(&rows[0])])
    );
    let again = wire.revalidate(&CleanOptions::new(leadsift_testkit::today()), false);
    assert_eq!(again.original, rows[0].original);
    // The checksum sees the original row: the same values with another original differ.
    let mut other = wire.clone();
    other.original[0].1 = "z2".to_owned();
    assert_ne!(
        batch_checksum(std::slice::from_ref(&wire)),
        batch_checksum(&[other])
    );
    // A client's NUL is stored as its stand-in; a value that is not text is refused.
    let mut nul = wire.clone();
    nul.original[0].1 = "z\u{0}1".to_owned();
    let stored = nul.revalidate(&CleanOptions::new(leadsift_testkit::today()), false);
    assert_eq!(stored.original[0].1, "z\u{fffd}1");
    let bad = json.replace(r#""Zeta":"z1""#, r#""Zeta":{"a":1}"#);
    assert!(serde_json::from_str::<BatchRowIn>(&bad).is_err());
}

/// What a client checksums is what the server computes from the JSON it reads, for every bad
/// fixture's rows with their original rows.
#[test]
fn the_batch_checksum_survives_the_json_for_every_fixture() {
    use leadsift_core::wire::{BatchRowIn, BatchRowJson, batch_checksum};
    let dir = crate::fixtures().join("bad");
    for entry in std::fs::read_dir(&dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("fixture");
        let options = Options {
            keep_original: true,
            ..Options::new(leadsift_testkit::today())
        };
        let Ok((rows, _)) = run_chunked(&bytes, 1 << 20, options) else {
            continue;
        };
        let sent: Vec<WireRow> = rows.iter().map(WireRow::from_row).collect();
        let read: Vec<WireRow> = rows
            .iter()
            .map(|r| {
                let json = serde_json::to_string(&BatchRowJson(r)).expect("json");
                serde_json::from_str::<BatchRowIn>(&json)
                    .expect("the endpoint reads it")
                    .into_wire()
            })
            .collect();
        let sorted = |v: &[(String, String)]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        for (s, r) in sent.iter().zip(&read) {
            assert_eq!(
                (sorted(&s.extra), &s.invalid, &s.notes, &s.original),
                (sorted(&r.extra), &r.invalid, &r.notes, &r.original),
                "{}",
                path.display()
            );
        }
        assert_eq!(
            batch_checksum(&sent),
            batch_checksum(&read),
            "{}",
            path.display()
        );
    }
}

/// The README's worked examples of the batch checksum: the bytes the recipe describes give
/// these digests, and so does a batch read from the JSON a client sends.
#[test]
fn the_batch_checksum_recipe_gives_the_readmes_examples() {
    use leadsift_core::wire::{BatchRowIn, batch_checksum};
    let of = |json: &str| -> String {
        let rows: Vec<BatchRowIn> = serde_json::from_str(json).expect("rows");
        let wire: Vec<WireRow> = rows.into_iter().map(BatchRowIn::into_wire).collect();
        batch_checksum(&wire)
    };
    let first = r#"[{"record": 0, "line": 2,
        "lead": {"lead_id": "L1", "email": "a@example.com", "price": "12.5", "phone_1": null}}]"#;
    assert_eq!(
        of(first),
        "b4c30e52e64b453fdfa1172afc90c030cc8379988e063e5a3c86967aa22ce9ca"
    );
    // The same bytes written out by hand, as the README's recipe lists them.
    let mut bytes = Vec::new();
    bytes.extend(0u64.to_le_bytes());
    bytes.extend(2u64.to_le_bytes());
    bytes.extend(b"\x1d\x1d");
    for (name, value) in [
        ("email", Some("a@example.com")),
        ("lead_id", Some("L1")),
        ("phone_1", None),
        ("price", Some("12.5")),
    ] {
        bytes.extend(name.as_bytes());
        bytes.push(0x1e);
        match value {
            Some(v) => {
                bytes.push(1);
                bytes.extend(v.as_bytes());
            }
            None => bytes.push(0),
        }
        bytes.push(0x1f);
    }
    bytes.extend(b"\x1d\x1d\x1c");
    use sha2::Digest;
    assert_eq!(
        leadsift_core::text::hex(&sha2::Sha256::digest(&bytes)),
        of(first)
    );
    let second = r#"[{"record": 0, "line": 2, "lead": {"lead_id": "L1"},
        "extra": {"Notes": "call after 5"},
        "invalid": [{"field": "email", "column": "Email", "raw": "a@"}]}]"#;
    assert_eq!(
        of(second),
        "0dd0257fd0af448d37f8cc341a7d77c63aa469a25f4706e200fcb0ff45f42798"
    );
}

/// A client's row cannot carry more than a file's record could: more cells, or more bytes, in
/// its extra or original row rejects it.
#[test]
fn a_client_row_larger_than_a_record_is_rejected() {
    let options = Options {
        keep_original: true,
        ..Options::new(leadsift_testkit::today())
    };
    let (rows, _) =
        run_chunked(b"Lead ID,Email\nL1,a@example.com\n", 64, options).expect("readable");
    let honest = WireRow::from_row(&rows[0]);
    let clean = CleanOptions::new(leadsift_testkit::today());
    assert_eq!(honest.revalidate(&clean, false).status, RowStatus::Valid);
    let limits = leadsift_core::Limits::default();
    let mut wide = honest.clone();
    wide.original = (0..=limits.max_columns)
        .map(|i| (format!("c{i}"), String::new()))
        .collect();
    let mut heavy = honest.clone();
    heavy.extra = vec![("Notes".into(), "x".repeat(limits.max_record_bytes + 1))];
    for row in [wide, heavy] {
        let again = row.revalidate(&clean, false);
        assert_eq!(again.status, RowStatus::Rejected);
        assert!(
            again
                .issues
                .iter()
                .any(|i| i.code == IssueCode::TamperedValue && i.message.contains("1000 columns"))
        );
    }
}

#[test]
fn an_issues_effect_agrees_with_the_status_it_gives_its_row() {
    use leadsift_core::{Issue, judge};
    for &code in IssueCode::ALL {
        for strict in [false, true] {
            let status = judge::status(&[Issue::new(code, "m")], strict);
            let expected = match status {
                RowStatus::Rejected => "rejects the row",
                RowStatus::Warning if code.severity() == leadsift_core::Severity::Error => {
                    "value left out"
                }
                RowStatus::Warning => "note",
                RowStatus::Valid => unreachable!("an issue never leaves a row valid"),
            };
            assert_eq!(code.effect(strict), expected, "{code} strict={strict}");
        }
    }
}
