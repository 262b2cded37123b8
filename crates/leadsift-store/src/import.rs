//! The import pipeline shared by `leadsift import` and the batch API: a batch of cleaned rows
//! is planned against the database (by the core's `plan::plan`) and written in one
//! transaction, with its issues, its idempotency record and the run's counters.

use chrono::{NaiveDateTime, Timelike, Utc};
use leadsift_core::judge::{Outcome, Outcomes, content_hash};
use leadsift_core::plan::{DryRun, mark_written, plan};
use leadsift_core::wire::{WireRow, batch_checksum};
use leadsift_core::{ImportSource, Issue, Row, Surface};
use serde::{Deserialize, Serialize};

use crate::db::{Backend, Database, write_transaction};
use crate::error::{Result, StoreError};
use crate::models::{IssueRow, LeadRow, LeadValues, NewBatch, NewIssue, NewRun, RunRow, RunStatus};
use crate::queries as q;
use crate::write::write_leads;

/// How a run was asked for.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunOptions {
    pub file_name: String,
    /// The file's SHA-256, when the rows come from a file (a client streaming rows from
    /// elsewhere has none).
    #[serde(default)]
    pub file_sha256: String,
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default)]
    pub force_refresh: bool,
    #[serde(default)]
    pub strict: bool,
    /// `csv` for files, `api` for leads posted one by one. The batch API ignores it: its runs
    /// are `csv`.
    #[serde(default)]
    pub import_source: ImportSource,
    /// The mapping overrides the client used, for the record (any JSON, usually an object of
    /// header → field; at most 64 KiB).
    #[serde(default)]
    #[schema(value_type = serde_json::Value)]
    pub mapping: serde_json::Value,
    /// Where the run is started: `browser`, `cli` or `api` (the default); the history shows
    /// it. An upload's run is the server's to mark.
    #[serde(default)]
    pub surface: Surface,
}

/// Why a batch was not applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("import run {0} does not exist")]
    RunNotFound(i64),
    #[error("import run {0} has ended: start a new run")]
    RunFinished(i64),
    #[error("batch {seq} of run {run} was already received with another checksum")]
    Conflict { run: i64, seq: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::Store(e.into())
    }
}

/// One row's fate in a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowResult {
    pub record: u64,
    pub line: u64,
    pub key: Option<String>,
    pub outcome: Outcome,
    pub issues: Vec<Issue>,
}

/// The answer to a batch; sent again, unchanged, when the same batch is sent again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BatchAnswer {
    pub run_id: i64,
    pub seq: i64,
    pub counts: Outcomes,
    pub rows: Vec<RowResult>,
    /// True when this is the stored answer to an earlier identical request.
    #[serde(default)]
    pub replayed: bool,
}

/// A batch ready to be applied: its rows, each row's content hash and, when something will
/// compare it, the batch's checksum. Built apart from the transaction, so the command line
/// builds the next one on its reading thread while this one is written.
#[derive(Debug, Clone)]
pub struct Batch {
    rows: Vec<Row>,
    hashes: Vec<String>,
    checksum: String,
}

impl Batch {
    /// A batch whose checksum is computed from its rows: one that may be sent again, and
    /// whose resending must be told from another batch under the same number.
    pub fn new(rows: Vec<Row>) -> Batch {
        let wire: Vec<WireRow> = rows.iter().map(WireRow::from_row).collect();
        let checksum = batch_checksum(&wire);
        Batch::checked(rows, checksum)
    }

    /// A batch that only its reader writes, once, in order (`leadsift import` into a
    /// database, an upload the server reads itself): nothing will ever compare a checksum, so
    /// none is computed (building the wire form of every row to hash it cost as much as
    /// validating it). Its record holds an empty checksum: under its number, only the same
    /// reader's batch can arrive.
    pub fn written_once(rows: Vec<Row>) -> Batch {
        Batch::checked(rows, String::new())
    }

    /// A batch with its checksum already computed from the rows (the server computes it from
    /// the rows it read, and compares a client's when one was sent).
    pub fn checked(rows: Vec<Row>, checksum: String) -> Batch {
        let hashes = rows
            .iter()
            .map(|r| content_hash(&r.lead, &r.extra))
            .collect();
        Batch {
            rows,
            hashes,
            checksum,
        }
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The checksum; empty for a batch [written once](Batch::written_once).
    pub fn checksum(&self) -> &str {
        &self.checksum
    }

    /// The file line of the batch's first row.
    pub fn first_line(&self) -> Option<u64> {
        self.rows.first().map(|r| r.line)
    }
}

/// When a batch of one run may be written while another is being written: batch `seq` waits
/// until the batch the core's [`leadsift_core::plan::write_after`] names is written; this
/// type only waits and signals.
#[derive(Debug, Default)]
pub struct WriteOrder {
    state: std::sync::Mutex<OrderState>,
    changed: std::sync::Condvar,
}

#[derive(Debug, Default)]
struct OrderState {
    /// Every batch up to this one is written.
    through: i64,
    /// Written batches after `through`.
    later: std::collections::BTreeSet<i64>,
    failed: bool,
}

impl WriteOrder {
    /// The batch that must be written before batch `seq` starts (the core's
    /// [`leadsift_core::plan::write_after`]).
    pub fn after(seq: i64, batch: &Batch, previous_first_line: Option<u64>) -> i64 {
        leadsift_core::plan::write_after(seq, &batch.rows, previous_first_line)
    }

    /// Blocks until every batch up to `seq` is written; false when a write failed.
    pub fn wait_until(&self, seq: i64) -> bool {
        let Ok(mut st) = self.state.lock() else {
            return false;
        };
        while !st.failed && st.through < seq {
            st = match self.changed.wait(st) {
                Ok(st) => st,
                Err(_) => return false,
            };
        }
        !st.failed
    }

    pub fn written(&self, seq: i64) {
        if let Ok(mut st) = self.state.lock() {
            let st = &mut *st;
            st.later.insert(seq);
            while st.later.remove(&(st.through + 1)) {
                st.through += 1;
            }
        }
        self.changed.notify_all();
    }

    /// A write failed: every waiting writer stops.
    pub fn fail(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.failed = true;
        }
        self.changed.notify_all();
    }
}

/// Now, to the microsecond (what PostgreSQL keeps, so SQLite keeps the same).
fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

pub fn start_run(db: &Database, o: &RunOptions) -> Result<RunRow> {
    let mapping = o.mapping.to_string();
    let started = now();
    db.with(|c| {
        let new = NewRun {
            file_name: &o.file_name,
            file_sha256: &o.file_sha256,
            dry_run: o.dry_run,
            force_refresh: o.force_refresh,
            strict: o.strict,
            import_source: o.import_source.as_str(),
            mapping: &mapping,
            status: RunStatus::Running.as_str(),
            started_at: started,
            last_activity_at: started,
            surface: o.surface.as_str(),
        };
        Ok(q::create_run(c, &new)?)
    })
}

pub fn get_run(db: &Database, id: i64) -> Result<Option<RunRow>> {
    db.with(|c| Ok(q::get_run(c, id)?))
}

pub fn finish_run(db: &Database, id: i64) -> Result<RunRow, ImportError> {
    end_run(db, id, RunEnd::Finished)
}

/// How a run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd<'a> {
    /// Every batch arrived.
    Finished,
    /// It could not complete (an unreadable or damaged upload, a database error, a client
    /// that stopped sending): why.
    Failed(&'a str),
    /// Its client discarded it or stopped without a word: why.
    Abandoned(&'a str),
}

/// Ends a running run (and forgets a dry run's keys); a run that has already ended is
/// returned as it is.
pub fn end_run(db: &Database, id: i64, end: RunEnd<'_>) -> Result<RunRow, ImportError> {
    let at = now();
    let (status, reason) = match end {
        RunEnd::Finished => (RunStatus::Finished, None),
        RunEnd::Failed(why) => (RunStatus::Failed, Some(why)),
        RunEnd::Abandoned(why) => (RunStatus::Abandoned, Some(why)),
    };
    let r: Result<Option<RunRow>> = db.with(|c| match q::end_run(c, id, status, reason, at)? {
        Some(ended) => {
            q::clear_dry_keys(c, id)?;
            if db.backend() == Backend::Postgres
                && !ended.dry_run
                && ended.created + ended.updated >= ANALYZE_AFTER_ROWS
            {
                // Best effort: the run has ended either way.
                let _ = q::analyze_leads(c);
            }
            Ok(Some(ended))
        }
        None => Ok(q::get_run(c, id)?),
    });
    r?.ok_or(ImportError::RunNotFound(id))
}

/// A run that wrote at least this many leads into PostgreSQL refreshes the table's statistics
/// when it ends. Right after a bulk load, before autovacuum gets to it, the planner's estimates
/// are stale, and look-ups by e-mail or phone were planned as sequential scans (a
/// reconciliation of 1,000,000 rows ran for over 14 minutes instead of 103 s). PostgreSQL's
/// ANALYZE reads a sample of 30,000 rows whatever the table's size.
pub const ANALYZE_AFTER_ROWS: i64 = 10_000;

/// Marks as `abandoned` every running run that has received nothing for `idle`; returns
/// their ids. Safe to run from several servers at once (a run ends only once).
pub fn sweep_abandoned(db: &Database, idle: std::time::Duration) -> Result<Vec<i64>, ImportError> {
    let idle = chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::MAX);
    let before = now().checked_sub_signed(idle).unwrap_or(NaiveDateTime::MIN);
    let reason = format!(
        "no batch arrived for {}: the client stopped before finishing",
        human_duration(idle.num_seconds())
    );
    let stale: Result<Vec<i64>> = db.with(|c| Ok(q::stale_runs(c, before, 1000)?));
    let stale = stale?;
    let mut ended = Vec::new();
    for id in stale {
        let last = get_run(db, id)?.and_then(|r| r.failure);
        let reason = match last {
            Some(why) => format!("{reason}; before that, {why}"),
            None => reason.clone(),
        };
        let run = end_run(db, id, RunEnd::Abandoned(&reason))?;
        if run.status == RunStatus::Abandoned {
            ended.push(id);
        }
    }
    Ok(ended)
}

fn human_duration(secs: i64) -> String {
    match secs {
        s if s % 3600 == 0 && s >= 3600 => format!("{} h", s / 3600),
        s if s % 60 == 0 && s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// How many runs have each status.
pub fn runs_by_status(db: &Database) -> Result<Vec<(RunStatus, i64)>> {
    db.with(|c| Ok(q::runs_by_status(c)?))
}

/// Applies one batch of a run in one transaction; idempotent per (run, seq, checksum).
/// A conflict with a concurrent writer (a key inserted meanwhile, a serialization failure, a
/// plan made stale: [`StoreError::is_retryable`]) rolls the transaction back and the batch is
/// tried again, up to ten times. Writers lock leads in key order, so two of them cannot
/// deadlock on the `leads` table.
pub fn apply_batch(
    db: &Database,
    run_id: i64,
    seq: i64,
    batch: &Batch,
) -> Result<BatchAnswer, ImportError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match apply_once(db, run_id, seq, batch) {
            Err(ImportError::Store(e)) if attempt < 10 && e.is_retryable() => {
                std::thread::sleep(std::time::Duration::from_millis(5 * attempt));
                continue;
            }
            other => return other,
        }
    }
}

fn apply_once(
    db: &Database,
    run_id: i64,
    seq: i64,
    batch: &Batch,
) -> Result<BatchAnswer, ImportError> {
    let (rows, checksum) = (batch.rows(), batch.checksum());
    let at = now();
    db.with(|c| {
        write_transaction::<BatchAnswer, ImportError, _>(c, |c| {
            let run = q::get_run(c, run_id)?.ok_or(ImportError::RunNotFound(run_id))?;
            if let Some(b) = q::find_batch(c, run_id, seq)? {
                if b.checksum != checksum {
                    return Err(ImportError::Conflict { run: run_id, seq });
                }
                let mut answer: BatchAnswer =
                    serde_json::from_str(&b.response).map_err(StoreError::from)?;
                answer.replayed = true;
                return Ok(answer);
            }
            if run.status != RunStatus::Running {
                return Err(ImportError::RunFinished(run_id));
            }
            let keys: Vec<&str> = rows
                .iter()
                .filter_map(|r| r.key.as_ref().map(|k| k.as_str()))
                .collect();
            let mut priors = q::priors(c, &keys, Some(run_id))?;
            if run.dry_run {
                // What the dry run's earlier batches would have written.
                let earlier = q::dry_keys(c, run_id, &keys)?;
                mark_written(&mut priors, earlier.iter().map(String::as_str));
            }
            let plan = plan(rows, &batch.hashes, &priors, run.force_refresh);
            if run.dry_run {
                let would: Vec<&str> = plan.written_keys(rows).collect();
                q::add_dry_keys(c, run_id, &would)?;
            }
            if !run.dry_run {
                let values = |i: usize| {
                    let key = rows[i]
                        .key
                        .as_ref()
                        .map(|k| k.as_str().to_owned())
                        .unwrap_or_default();
                    (
                        key,
                        LeadValues::of(
                            &rows[i],
                            &batch.hashes[i],
                            run.import_source,
                            Some(run_id),
                            at,
                        ),
                    )
                };
                let inserts: Vec<_> = plan.inserts.iter().map(|&i| values(i).1).collect();
                let mut updates: Vec<_> = plan.updates.iter().map(|&i| values(i)).collect();
                if !write_leads(c, &inserts, &mut updates)? {
                    return Err(StoreError::Stale.into());
                }
            }
            let answer = answer_for(run_id, seq, rows, &plan.outcomes);
            let issues: Vec<NewIssue<'_>> = rows
                .iter()
                .flat_map(|r| r.issues.iter().map(move |i| (r, i)))
                .map(|(r, i)| NewIssue {
                    run_id,
                    batch_seq: seq,
                    line: i64::try_from(r.line).unwrap_or(i64::MAX),
                    record: i64::try_from(r.record).unwrap_or(i64::MAX),
                    column_name: i.column.as_deref(),
                    field: i.field.map(|f| f.name()),
                    code: i.code.as_str(),
                    severity: i.severity.as_str(),
                    message: &i.message,
                    raw: i.raw.as_deref(),
                })
                .collect();
            q::insert_issues(c, &issues)?;
            let response = serde_json::to_string(&answer).map_err(StoreError::from)?;
            let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
            let counts = &answer.counts;
            q::insert_batch(
                c,
                &NewBatch {
                    run_id,
                    seq,
                    checksum,
                    rows_read: n(counts.rows),
                    created: n(counts.created),
                    updated: n(counts.updated),
                    unchanged: n(counts.unchanged),
                    existing: n(counts.existing),
                    rejected: n(counts.rejected),
                    duplicates: n(counts.duplicates),
                    response: &response,
                    created_at: at,
                },
            )?;
            q::add_to_run(c, run_id, counts, at)?;
            Ok(answer)
        })
    })
}

fn answer_for(run_id: i64, seq: i64, rows: &[Row], outcomes: &[Outcome]) -> BatchAnswer {
    let mut counts = Outcomes::default();
    let results = rows
        .iter()
        .zip(outcomes)
        .map(|(r, o)| {
            counts.add(*o);
            RowResult {
                record: r.record,
                line: r.line,
                key: r.key.as_ref().map(|k| k.as_str().to_owned()),
                outcome: *o,
                issues: r.issues.clone(),
            }
        })
        .collect();
    BatchAnswer {
        run_id,
        seq,
        counts,
        rows: results,
        replayed: false,
    }
}

/// A dry run of the command line: the classification a real run would make, from read-only
/// queries, writing nothing. `dry` carries what earlier batches would have written.
pub fn dry_batch(
    db: &Database,
    batch: &Batch,
    force_refresh: bool,
    dry: &mut DryRun,
) -> Result<Outcomes> {
    let rows = batch.rows();
    let keys: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.key.as_ref().map(|k| k.as_str()))
        .collect();
    let priors = db.with(|c| Ok::<_, StoreError>(q::priors(c, &keys, None)?))?;
    Ok(dry
        .plan(rows, &batch.hashes, priors, force_refresh)
        .counts())
}

/// The sync history, newest first.
pub fn list_runs(db: &Database, limit: i64, before: Option<i64>) -> Result<Vec<RunRow>> {
    db.with(|c| Ok(q::list_runs(c, limit.clamp(1, 1000), before)?))
}

/// A run's issues after the issue id `after`, `limit` of them, in order.
pub fn run_issues(db: &Database, run: i64, after: i64, limit: i64) -> Result<Vec<IssueRow>> {
    db.with(|c| Ok(q::run_issues(c, run, after, limit)?))
}

/// Every stored lead in key order.
pub fn all_leads(db: &Database) -> Result<Vec<LeadRow>> {
    db.with(|c| Ok(q::all_leads(c)?))
}

/// Marks a run that could not complete, with why.
pub fn fail_run(db: &Database, id: i64, reason: &str) -> Result<RunRow, ImportError> {
    end_run(db, id, RunEnd::Failed(reason))
}

/// Records on a running run why its last batch failed: the reason it shows if its client
/// never sends that batch again.
pub fn note_failure(db: &Database, id: i64, why: &str) -> Result<()> {
    db.with(|c| Ok(q::note_failure(c, id, why).map(|_| ())?))
}

/// Upserts one lead posted on its own (a LeadConduit delivery): created, updated or unchanged.
pub fn upsert_one(db: &Database, row: &Row, source: ImportSource) -> Result<Outcome> {
    let Some(key) = row.key.as_ref().map(|k| k.as_str().to_owned()) else {
        return Ok(Outcome::Rejected);
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let at = now();
        let r: Result<Outcome> = db.with(|c| {
            write_transaction::<Outcome, StoreError, _>(c, |c| {
                let priors = q::priors(c, &[key.as_str()], None)?;
                let hash = content_hash(&row.lead, &row.extra);
                let plan = plan(
                    std::slice::from_ref(row),
                    std::slice::from_ref(&hash),
                    &priors,
                    true,
                );
                let values = || LeadValues::of(row, &hash, source, None, at);
                let inserts: Vec<_> = plan.inserts.iter().map(|_| values()).collect();
                let mut updates: Vec<_> = plan
                    .updates
                    .iter()
                    .map(|_| (key.clone(), values()))
                    .collect();
                if !write_leads(c, &inserts, &mut updates)? {
                    return Err(StoreError::Stale);
                }
                Ok(plan.outcomes[0])
            })
        });
        match r {
            Err(e) if attempt < 3 && e.is_retryable() => continue,
            other => return other,
        }
    }
}
