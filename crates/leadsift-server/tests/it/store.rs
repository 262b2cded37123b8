//! The persistence layer and the import pipeline on both backends.

use leadsift_core::{IssueCode, Outcomes};
use leadsift_store::import::{self, Batch, ImportError};
use leadsift_store::models::LeadRow;
use serde_json::Value as Json;

use crate::{backends, dry_run, fixtures, import_rows, run_options, validate};

fn all(db: &leadsift_store::Database) -> Vec<LeadRow> {
    import::all_leads(db).expect("leads")
}

/// A stored row's column as the generator's expected JSON writes it.
/// A stored column as the API writes it (timestamps in the core's own form, with `Z`).
fn column(row: &LeadRow, field: &str) -> Json {
    serde_json::to_value(row).expect("row json")[field].clone()
}

/// One golden case through the pipeline: every expected value is stored in its column.
fn check(db: &leadsift_store::Database, name: &str) {
    let dir = fixtures().join("golden");
    let bytes = std::fs::read(dir.join(format!("{name}.csv"))).expect("fixture");
    let rows = validate(&bytes);
    import_rows(db, &rows, 37, false);
    let stored = all(db);
    let expected: Vec<Json> = std::fs::read_to_string(dir.join(format!("{name}.expected.jsonl")))
        .expect("expected")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    for exp in &expected {
        let id = exp["lead"]["lead_id"].as_str().expect("lead_id");
        let row = stored
            .iter()
            .find(|r| r.lead_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("{name}: lead {id} not stored"));
        for (field, want) in exp["lead"].as_object().expect("lead") {
            let got = column(row, field);
            let same = match (got.as_f64(), want.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => &got == want,
            };
            assert!(
                same,
                "{name}: lead {id} {field}: stored {got}, expected {want}"
            );
        }
        let extra: Json = serde_json::from_str(&row.extra).expect("extra json");
        assert_eq!(extra, exp["extra"], "{name}: lead {id} extra");
        assert_eq!(row.import_source, leadsift_core::ImportSource::Csv);
        let invalid: Json = serde_json::from_str(&row.invalid).expect("invalid json");
        for f in exp["invalid"].as_array().expect("invalid") {
            assert!(
                invalid.get(f.as_str().expect("field")).is_some(),
                "{name}: lead {id}: raw value of {f} kept"
            );
        }
    }
}

#[test]
fn imports_store_exactly_the_expected_values() {
    for t in backends() {
        check(&t.db, "lc-comma-utf8");
    }
    for t in backends() {
        check(&t.db, "camel-comma-utf16");
    }
}

#[test]
fn a_second_import_changes_nothing_and_a_dry_run_predicts_it() {
    let bytes = std::fs::read(fixtures().join("golden/snake-tab-utf8bom.csv")).expect("fixture");
    let rows = validate(&bytes);
    for t in backends() {
        let predicted = dry_run(&t.db, &rows, 25, false);
        let first = import_rows(&t.db, &rows, 25, false);
        assert_eq!(
            predicted, first,
            "{}: dry run predicts the first import",
            t.url
        );
        assert_eq!(
            first.created + first.rejected + first.duplicates,
            first.rows
        );
        let before = all(&t.db);
        let predicted = dry_run(&t.db, &rows, 25, false);
        let second = import_rows(&t.db, &rows, 25, false);
        assert_eq!(predicted, second);
        assert_eq!(
            (second.created, second.updated, second.existing),
            (0, 0, first.created)
        );
        assert_eq!(before, all(&t.db), "{}: nothing changed", t.url);
        let refresh = import_rows(&t.db, &rows, 25, true);
        assert_eq!((refresh.updated, refresh.unchanged), (0, first.created));
        assert_eq!(before, all(&t.db));
    }
}

#[test]
fn force_refresh_after_an_edit_updates_exactly_the_edited_rows() {
    let original = "Lead ID,Email,Phone 1,City\nL1,a@example.com,5127891111,Austin\nL2,b@example.com,5127891112,Boston\nL3,c@example.com,5127891113,Chicago\n";
    let edited = "Lead ID,Email,Phone 1,City\nL1,a@example.com,5127891111,Austin\nL2,b@example.com,5127891112,Dallas\nL3,c@example.com,5127891113,Chicago\nL4,d@example.com,,Denver\n";
    for t in backends() {
        import_rows(&t.db, &validate(original.as_bytes()), 2, false);
        let before = all(&t.db);
        let rows = validate(edited.as_bytes());
        let without = dry_run(&t.db, &rows, 2, false);
        assert_eq!(
            (without.created, without.existing, without.updated),
            (1, 3, 0)
        );
        let predicted = dry_run(&t.db, &rows, 2, true);
        let got = import_rows(&t.db, &rows, 2, true);
        assert_eq!(predicted, got);
        assert_eq!(
            (got.created, got.updated, got.unchanged),
            (1, 1, 2),
            "{}",
            t.url
        );
        let after = all(&t.db);
        assert_eq!(after.len(), 4);
        assert_eq!(after[1].city.as_deref(), Some("Dallas"));
        assert_eq!(after[0], before[0], "unedited rows are untouched");
        assert_eq!(after[2], before[2]);
        assert_ne!(after[1].updated_run, before[1].updated_run);
    }
}

#[test]
fn a_later_row_of_the_same_file_replaces_the_earlier_even_across_batches() {
    let file = "Lead ID,City\nL1,Austin\nL2,Boston\nL1,Chicago\nL1,Denver\n";
    for t in backends() {
        let rows = validate(file.as_bytes());
        let predicted = dry_run(&t.db, &rows, 2, false);
        // The batch API's dry run (the browser's): its earlier batches' keys are remembered.
        let run = import::start_run(&t.db, &run_options(true, false)).expect("run");
        let mut served = Outcomes::default();
        for (i, chunk) in rows.chunks(2).enumerate() {
            let batch = Batch::new(chunk.to_vec());
            served.merge(
                &import::apply_batch(&t.db, run.id, i as i64 + 1, &batch)
                    .expect("dry")
                    .counts,
            );
        }
        import::finish_run(&t.db, run.id).expect("finish");
        assert!(all(&t.db).is_empty(), "a dry run writes no lead");
        let got = import_rows(&t.db, &rows, 2, false);
        assert_eq!(predicted, got);
        assert_eq!(served, got, "{}: the server's dry run", t.url);
        assert_eq!((got.created, got.duplicates), (2, 2));
        let stored = all(&t.db);
        assert_eq!(stored.len(), 2);
        assert_eq!(stored[0].city.as_deref(), Some("Denver"), "{}", t.url);
    }
}

#[test]
fn batches_are_idempotent_and_a_different_batch_under_the_same_number_conflicts() {
    let rows = validate(b"Lead ID,City\nL1,Austin\nL2,Boston\n");
    let other = validate(b"Lead ID,City\nL3,Chicago\n");
    for t in backends() {
        let run = import::start_run(&t.db, &run_options(false, false)).expect("run");
        let batch = Batch::new(rows.clone());
        let first = import::apply_batch(&t.db, run.id, 1, &batch).expect("batch");
        let again = import::apply_batch(&t.db, run.id, 1, &batch).expect("replay");
        assert!(again.replayed && !first.replayed);
        assert_eq!(
            (again.counts, again.rows.clone()),
            (first.counts, first.rows.clone())
        );
        assert_eq!(all(&t.db).len(), 2);
        let other = Batch::new(other.clone());
        let err = import::apply_batch(&t.db, run.id, 1, &other).expect_err("conflict");
        assert!(matches!(err, ImportError::Conflict { seq: 1, .. }), "{err}");
        let run = import::finish_run(&t.db, run.id).expect("finish");
        assert_eq!(
            (run.rows_read, run.created, run.batches),
            (2, 2, 1),
            "a replay is not counted twice"
        );
        let err = import::apply_batch(&t.db, run.id, 2, &other).expect_err("finished");
        assert!(matches!(err, ImportError::RunFinished(_)));
        assert!(matches!(
            import::apply_batch(&t.db, 999, 1, &other),
            Err(ImportError::RunNotFound(999))
        ));
    }
}

#[test]
fn an_interrupted_import_run_again_ends_like_one_clean_run() {
    let bytes = std::fs::read(fixtures().join("golden/lc-comma-utf8.csv")).expect("fixture");
    let rows = validate(&bytes);
    for (clean, broken) in backends().into_iter().zip(backends()) {
        import_rows(&clean.db, &rows, 30, false);
        // The first attempt dies after three batches; the second runs the whole file.
        let run = import::start_run(&broken.db, &run_options(false, false)).expect("run");
        for (i, chunk) in rows.chunks(30).take(3).enumerate() {
            import::apply_batch(
                &broken.db,
                run.id,
                i as i64 + 1,
                &Batch::new(chunk.to_vec()),
            )
            .expect("batch");
        }
        let second = import_rows(&broken.db, &rows, 30, false);
        assert_eq!(
            second.created + second.existing + second.rejected + second.duplicates,
            rows.len() as u64
        );
        let strip = |v: Vec<LeadRow>| -> Vec<Json> { v.iter().map(LeadRow::content).collect() };
        assert_eq!(
            strip(all(&clean.db)),
            strip(all(&broken.db)),
            "{}",
            clean.url
        );
    }
}

#[test]
fn rejected_rows_are_not_stored_and_their_issues_are() {
    let rows = validate(b"Lead ID,Email,City\n,,Austin\nL2,bob@,Boston\n");
    for t in backends() {
        let got = import_rows(&t.db, &rows, 10, false);
        assert_eq!((got.created, got.rejected), (1, 1));
        let issues = import::run_issues(&t.db, 1, 0, 100).expect("issues");
        let codes: Vec<String> = issues.into_iter().map(|i| i.code).collect();
        assert!(codes.contains(&IssueCode::NoIdentity.as_str().to_owned()));
        assert!(codes.contains(&IssueCode::InvalidEmail.as_str().to_owned()));
    }
}

#[test]
fn hostile_strings_are_stored_literally() {
    let long = "x".repeat(100_000);
    let file = format!(
        "Lead ID,Comments,City\n\"L1'; DROP TABLE leads; --\",\"{long}\",\"Robert'); DELETE FROM import_runs;--\"\n"
    );
    for t in backends() {
        let got = import_rows(&t.db, &validate(file.as_bytes()), 10, false);
        assert_eq!(got.created, 1);
        let stored = all(&t.db);
        assert_eq!(
            stored[0].lead_id.as_deref(),
            Some("L1'; DROP TABLE leads; --")
        );
        assert_eq!(stored[0].comments.as_ref().map(String::len), Some(100_000));
        assert_eq!(
            stored[0].city.as_deref(),
            Some("Robert'); DELETE FROM import_runs;--")
        );
    }
}

#[test]
fn migrations_go_down_and_up_again() {
    for t in backends() {
        t.db.revert_all().expect("down");
        assert!(!t.db.migrate().expect("up").is_empty());
        assert!(t.db.migrate().expect("again").is_empty());
        assert_eq!(
            import_rows(&t.db, &validate(b"Lead ID\nL1\n"), 1, false),
            Outcomes {
                rows: 1,
                created: 1,
                ..Outcomes::default()
            }
        );
    }
}

#[test]
fn eight_overlapping_imports_at_once_into_postgres() {
    let Some(t) = crate::postgres() else { return };
    // Eight files of 300 leads; file i holds keys 100*i .. 100*i+300, so neighbours overlap.
    let files: Vec<Vec<leadsift_core::Row>> = (0..8)
        .map(|i| {
            let mut csv = String::from("Lead ID,Email,City\n");
            for k in (100 * i)..(100 * i + 300) {
                csv.push_str(&format!("K{k},k{k}@example.com,City {k}\n"));
            }
            validate(csv.as_bytes())
        })
        .collect();
    let totals: Vec<Outcomes> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .iter()
            .map(|rows| s.spawn(|| import_rows(&t.db, rows, 25, false)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no import failed"))
            .collect()
    });
    let stored = all(&t.db);
    assert_eq!(stored.len(), 1000, "every distinct key once: 0..1000");
    let created: u64 = totals.iter().map(|o| o.created).sum();
    let existing: u64 = totals.iter().map(|o| o.existing).sum();
    assert_eq!(created, 1000, "each key created exactly once");
    assert_eq!(created + existing, 8 * 300, "every row counted once");
}

/// The classification a batch was planned with can go stale before it is written (a
/// concurrent import inserts or removes a key): the write says so instead of inserting twice
/// or overwriting a lead the run was not allowed to touch, and `apply_batch` classifies again.
#[test]
fn a_write_planned_on_a_stale_classification_is_refused() {
    let rows = validate(b"Lead ID,City\nL1,Austin\nL2,Boston\n");
    for t in backends() {
        import_rows(&t.db, &rows[..1], 10, false);
        let at = chrono::Utc::now().naive_utc();
        let stale = |inserts: &[usize], updates: &[usize]| -> anyhow::Result<bool> {
            use diesel::Connection;
            use leadsift_store::models::LeadValues;
            let values = |i: usize| {
                LeadValues::of(&rows[i], "h", leadsift_core::ImportSource::Csv, None, at)
            };
            let ins: Vec<_> = inserts.iter().map(|&i| values(i)).collect();
            let mut upd: Vec<_> = updates
                .iter()
                .map(|&i| (values(i).lead_key.clone(), values(i)))
                .collect();
            let mut c = t.db.conn()?;
            c.transaction::<bool, anyhow::Error, _>(|c| {
                let held = leadsift_store::write::write_leads(c, &ins, &mut upd)?;
                // Never kept: this test only asks what the write would say.
                Err(anyhow::anyhow!("rolled back: {held}"))
            })
            .or_else(|e| match e.to_string().strip_prefix("rolled back: ") {
                Some(held) => Ok(held == "true"),
                None => Err(e),
            })
        };
        // L1 is stored: inserting it again is refused (PostgreSQL says so; SQLite's unique
        // index fails the statement, which apply_batch also retries).
        match stale(&[0], &[]) {
            Ok(held) => assert!(!held, "{}: an insert over a stored key held", t.url),
            Err(e) => assert!(e.to_string().contains("UNIQUE"), "{}: {e}", t.url),
        }
        // L2 is not stored: updating it is refused on both.
        assert!(!stale(&[], &[1]).expect("update"), "{}", t.url);
        // The classification that agrees with the table holds.
        assert!(stale(&[1], &[0]).expect("fresh"), "{}", t.url);
        assert_eq!(all(&t.db).len(), 1, "{}: nothing was kept", t.url);
    }
}

/// Two writers: a batch that replaces a row of the batch before it waits for that batch;
/// any other batch waits only for the one before its predecessor.
#[test]
fn a_batch_waits_for_the_batch_whose_rows_it_replaces() {
    use import::WriteOrder;
    let rows = validate(b"Lead ID,City\nL1,A\nL2,B\nL1,C\nL3,D\nL4,E\n");
    let (first, second, third) = (
        Batch::new(rows[..2].to_vec()),
        Batch::new(rows[2..3].to_vec()),
        Batch::new(rows[3..].to_vec()),
    );
    assert!(
        leadsift_core::plan::replaces_from(second.rows(), 2)
            && !leadsift_core::plan::replaces_from(third.rows(), 2)
    );
    assert_eq!(WriteOrder::after(2, &second, first.first_line()), 1);
    assert_eq!(WriteOrder::after(3, &third, second.first_line()), 1);
    assert_eq!(WriteOrder::after(1, &first, None), -1);
    let order = WriteOrder::default();
    assert!(order.wait_until(0), "nothing to wait for");
    std::thread::scope(|s| {
        let waiter = s.spawn(|| order.wait_until(2));
        order.written(2);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!waiter.is_finished(), "batch 1 is not written yet");
        order.written(1);
        assert!(
            waiter.join().expect("waiter"),
            "batches 1 and 2 are written"
        );
        let stopped = s.spawn(|| order.wait_until(5));
        order.fail();
        assert!(
            !stopped.join().expect("waiter"),
            "a failed write stops the waiters"
        );
    });
}

/// A large run into PostgreSQL leaves the planner's statistics current; a small one and a dry
/// run leave them to autovacuum.
#[test]
fn a_large_import_into_postgres_refreshes_the_statistics() {
    use diesel::{QueryableByName, RunQueryDsl, sql_types::Bool};
    let Some(pg) = crate::postgres() else { return };
    #[derive(QueryableByName)]
    struct Analyzed {
        #[diesel(sql_type = Bool)]
        analyzed: bool,
    }
    let analyzed = || -> bool {
        let mut c = diesel::Connection::establish(&pg.url).expect("pg");
        let rows: Vec<Analyzed> = diesel::sql_query(
            "SELECT last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE relname = 'leads'",
        )
        .load::<Analyzed>(&mut c as &mut diesel::PgConnection)
        .expect("stats");
        rows.first().is_some_and(|r| r.analyzed)
    };
    let small = leadsift_testkit::generate::generate_to_vec(&leadsift_testkit::generate::Spec {
        rows: 50,
        ..Default::default()
    });
    crate::import_rows(&pg.db, &crate::validate(&small.0), 500, false);
    assert!(!analyzed(), "a 50-row run analyzed the table");
    let spec = leadsift_testkit::generate::Spec {
        rows: leadsift_store::import::ANALYZE_AFTER_ROWS as u64,
        seed: 5,
        ..Default::default()
    };
    let (csv, _) = leadsift_testkit::generate::generate_to_vec(&spec);
    crate::import_rows(&pg.db, &crate::validate(&csv), 5000, false);
    assert!(
        analyzed(),
        "a run of {} leads did not analyze the table",
        spec.rows
    );
}
