//! The server crate against real databases: SQLite always, PostgreSQL when `LEADSIFT_TEST_PG`
//! names a server (each test gets a database of its own, dropped afterwards).

mod api;
mod contract;
mod fixtures;
mod store;
mod trust;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use leadsift_core::judge::Outcomes;
use leadsift_core::{Options, Row, Validator};
use leadsift_store::Database;
use leadsift_store::import::{self, RunOptions};

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// A fresh database; dropped (PostgreSQL) or deleted (SQLite) with the value.
pub struct TestDb {
    pub db: Database,
    pub url: String,
    cleanup: Box<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        (self.cleanup)();
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn sqlite() -> TestDb {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("leadsift-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let url = format!("sqlite://{}", dir.join("test.db").display());
    let db = Database::open(&url, 4).expect("sqlite");
    TestDb {
        db,
        url,
        cleanup: Box::new(move || drop(std::fs::remove_dir_all(&dir))),
    }
}

/// A fresh PostgreSQL database, or `None` when `LEADSIFT_TEST_PG` is not set (CI sets it and
/// sets `LEADSIFT_REQUIRE_PG=1`, so that a missing server fails instead of skipping).
pub fn postgres() -> Option<TestDb> {
    let Ok(base) = std::env::var("LEADSIFT_TEST_PG") else {
        assert!(
            std::env::var_os("LEADSIFT_REQUIRE_PG").is_none(),
            "LEADSIFT_TEST_PG is not set"
        );
        leadsift_testkit::skipped(
            "leadsift-server: every persistence and API test on PostgreSQL",
            "LEADSIFT_TEST_PG=postgres://user@host:port",
        );
        return None;
    };
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("leadsift_test_{}_{n}", std::process::id());
    let admin = format!("{}/postgres", base.trim_end_matches('/'));
    let mut c = PgConnection::establish(&admin).expect("LEADSIFT_TEST_PG reachable");
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut c)
        .expect("drop");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .expect("create");
    let url = format!("{}/{name}", base.trim_end_matches('/'));
    let db = Database::open(&url, 8).expect("postgres");
    Some(TestDb {
        db,
        url,
        cleanup: Box::new(move || {
            if let Ok(mut c) = PgConnection::establish(&admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c);
            }
        }),
    })
}

/// Both backends (PostgreSQL only when configured).
pub fn backends() -> Vec<TestDb> {
    let mut v = vec![sqlite()];
    v.extend(postgres());
    v
}

pub fn validate(bytes: &[u8]) -> Vec<Row> {
    let mut v = Validator::new(Options::new(leadsift_testkit::today()));
    let mut rows = v.push(bytes).expect("readable");
    rows.extend(v.finish().expect("readable"));
    rows
}

pub fn run_options(dry_run: bool, force_refresh: bool) -> RunOptions {
    RunOptions {
        file_name: "test.csv".into(),
        file_sha256: String::new(),
        dry_run,
        force_refresh,
        strict: false,
        import_source: leadsift_core::ImportSource::Csv,
        mapping: serde_json::Value::Null,
        surface: leadsift_core::Surface::Cli,
    }
}

/// Imports `rows` as one run in batches of `batch`; returns the totals.
pub fn import_rows(db: &Database, rows: &[Row], batch: usize, force_refresh: bool) -> Outcomes {
    let run = import::start_run(db, &run_options(false, force_refresh)).expect("run");
    let mut totals = Outcomes::default();
    for (i, chunk) in rows.chunks(batch).enumerate() {
        let batch = import::Batch::new(chunk.to_vec());
        let answer = import::apply_batch(db, run.id, i as i64 + 1, &batch).expect("batch");
        totals.merge(&answer.counts);
    }
    import::finish_run(db, run.id).expect("finish");
    totals
}

/// Predicts the import of `rows` with the command line's dry run.
pub fn dry_run(db: &Database, rows: &[Row], batch: usize, force_refresh: bool) -> Outcomes {
    let mut written = leadsift_core::plan::DryRun::default();
    let mut totals = Outcomes::default();
    for chunk in rows.chunks(batch) {
        let batch = import::Batch::new(chunk.to_vec());
        totals
            .merge(&import::dry_batch(db, &batch, force_refresh, &mut written).expect("dry batch"));
    }
    totals
}
