//! The query functions, written once for both backends against [`Conn`]. Every function
//! takes a connection, not the pool, so that callers compose them inside one transaction.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use leadsift_core::judge::Prior;

use crate::db::Conn;
use crate::models::{
    BatchRow, IssueRow, LeadQuery, LeadRow, NewBatch, NewIssue, NewRun, RunRow, RunStatus,
};
use crate::schema;

pub fn create_run(conn: &mut Conn, new: &NewRun<'_>) -> QueryResult<RunRow> {
    use schema::import_runs::dsl::*;
    diesel::insert_into(import_runs)
        .values(new)
        .get_result(conn)
}

pub fn get_run(conn: &mut Conn, run: i64) -> QueryResult<Option<RunRow>> {
    use schema::import_runs::dsl::*;
    import_runs.find(run).first(conn).optional()
}

/// Runs newest first, `limit` of them, older than `before` when given.
pub fn list_runs(conn: &mut Conn, limit: i64, before: Option<i64>) -> QueryResult<Vec<RunRow>> {
    use schema::import_runs::dsl::*;
    let mut q = import_runs.order(id.desc()).limit(limit).into_boxed();
    if let Some(b) = before {
        q = q.filter(id.lt(b));
    }
    q.load(conn)
}

pub fn find_batch(conn: &mut Conn, run: i64, number: i64) -> QueryResult<Option<BatchRow>> {
    use schema::import_batches::dsl::*;
    import_batches
        .filter(run_id.eq(run))
        .filter(seq.eq(number))
        .first(conn)
        .optional()
}

pub fn insert_batch(conn: &mut Conn, new: &NewBatch<'_>) -> QueryResult<usize> {
    use schema::import_batches::dsl::*;
    diesel::insert_into(import_batches)
        .values(new)
        .execute(conn)
}

pub fn insert_issues(conn: &mut Conn, new: &[NewIssue<'_>]) -> QueryResult<usize> {
    use schema::import_issues::dsl::*;
    let mut n = 0;
    for chunk in new.chunks(500) {
        // A multi-row INSERT with `DEFAULT` for a `None` is not in the backends' common
        // subset: run it on the inner connection.
        let q = diesel::insert_into(import_issues).values(chunk);
        n += match conn {
            Conn::Sqlite(c) => q.execute(c)?,
            Conn::Pg(c) => q.execute(c)?,
        };
    }
    Ok(n)
}

pub fn run_issues(conn: &mut Conn, run: i64, after: i64, limit: i64) -> QueryResult<Vec<IssueRow>> {
    use schema::import_issues::dsl::*;
    import_issues
        .filter(run_id.eq(run))
        .filter(id.gt(after))
        .order(id.asc())
        .limit(limit)
        .load(conn)
}

/// Adds a batch's counts to its run.
pub fn add_to_run(
    conn: &mut Conn,
    run: i64,
    c: &leadsift_core::Outcomes,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    use schema::import_runs::dsl::*;
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    diesel::update(import_runs.find(run))
        .set((
            rows_read.eq(rows_read + n(c.rows)),
            created.eq(created + n(c.created)),
            updated.eq(updated + n(c.updated)),
            unchanged.eq(unchanged + n(c.unchanged)),
            existing.eq(existing + n(c.existing)),
            rejected.eq(rejected + n(c.rejected)),
            duplicates.eq(duplicates + n(c.duplicates)),
            batches.eq(batches + 1),
            last_activity_at.eq(at),
        ))
        .execute(conn)
}

/// Ends a running run: `finished`, `failed` or `abandoned`, with the reason for the last two.
/// A run that has already ended keeps its end (`None`).
pub fn end_run(
    conn: &mut Conn,
    run: i64,
    new_status: RunStatus,
    reason: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<Option<RunRow>> {
    use schema::import_runs::dsl::*;
    diesel::update(
        import_runs
            .find(run)
            .filter(status.eq(RunStatus::Running.as_str())),
    )
    .set((
        status.eq(new_status.as_str()),
        failure.eq(reason),
        finished_at.eq(Some(at)),
        last_activity_at.eq(at),
    ))
    .get_result(conn)
    .optional()
}

/// Running runs with no activity since `before`, oldest first, at most `limit`.
pub fn stale_runs(conn: &mut Conn, before: NaiveDateTime, limit: i64) -> QueryResult<Vec<i64>> {
    use schema::import_runs::dsl::*;
    import_runs
        .filter(
            status
                .eq(RunStatus::Running.as_str())
                .and(last_activity_at.lt(before)),
        )
        .order(last_activity_at.asc())
        .select(id)
        .limit(limit)
        .load(conn)
}

/// How many runs have each status.
pub fn runs_by_status(conn: &mut Conn) -> QueryResult<Vec<(RunStatus, i64)>> {
    use schema::import_runs::dsl::*;
    let counts: Vec<(String, i64)> = import_runs
        .group_by(status)
        .select((status, diesel::dsl::count_star()))
        .load(conn)?;
    counts
        .into_iter()
        .map(|(s, n)| {
            Ok((
                RunStatus::try_from(s)
                    .map_err(|e| diesel::result::Error::DeserializationError(e.into()))?,
                n,
            ))
        })
        .collect()
}

/// What the database holds for `keys`; `run` marks the keys that run wrote.
pub fn priors(
    conn: &mut Conn,
    keys: &[&str],
    run: Option<i64>,
) -> QueryResult<HashMap<String, Prior>> {
    use schema::leads::dsl::*;
    let mut out = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(500) {
        let found: Vec<(String, String, Option<i64>, Option<i64>)> = leads
            .filter(lead_key.eq_any(chunk))
            .select((lead_key, content_hash, created_run, updated_run))
            .load(conn)?;
        for (k, h, c, u) in found {
            let ours = run.is_some() && (c == run || u == run);
            out.insert(
                k,
                Prior {
                    content_hash: h,
                    written_by_this_run: ours,
                },
            );
        }
    }
    Ok(out)
}

/// Of `keys`, those that earlier batches of dry run `run` would have written.
pub fn dry_keys(conn: &mut Conn, run: i64, keys: &[&str]) -> QueryResult<Vec<String>> {
    use schema::import_dry_keys::dsl::*;
    let mut out = Vec::new();
    for chunk in keys.chunks(500) {
        out.extend(
            import_dry_keys
                .filter(run_id.eq(run))
                .filter(lead_key.eq_any(chunk))
                .select(lead_key)
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}

/// Records keys that dry run `run` would have written.
pub fn add_dry_keys(conn: &mut Conn, run: i64, keys: &[&str]) -> QueryResult<usize> {
    use schema::import_dry_keys::dsl::*;
    let mut n = 0;
    for chunk in keys.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|k| (run_id.eq(run), lead_key.eq(*k)))
            .collect();
        // `ON CONFLICT` is not in the backends' common subset: run it on the inner connection.
        let q = diesel::insert_into(import_dry_keys)
            .values(&rows)
            .on_conflict_do_nothing();
        n += match conn {
            Conn::Sqlite(c) => q.execute(c)?,
            Conn::Pg(c) => q.execute(c)?,
        };
    }
    Ok(n)
}

/// Forgets a finished dry run's keys.
pub fn clear_dry_keys(conn: &mut Conn, run: i64) -> QueryResult<usize> {
    use schema::import_dry_keys::dsl::*;
    diesel::delete(import_dry_keys.filter(run_id.eq(run))).execute(conn)
}

pub fn get_lead(conn: &mut Conn, key: &str) -> QueryResult<Option<LeadRow>> {
    use schema::leads::dsl::*;
    leads.filter(lead_key.eq(key)).first(conn).optional()
}

pub fn find_leads(conn: &mut Conn, f: &LeadQuery) -> QueryResult<Vec<LeadRow>> {
    use schema::leads::dsl::*;
    let mut q = leads.order(id.asc()).limit(f.limit).into_boxed();
    if let Some(v) = &f.email {
        q = q.filter(email.eq(v.clone()));
    }
    if let Some(v) = &f.phone {
        q = q.filter(
            phone_1
                .eq(v.clone())
                .or(phone_2.eq(v.clone()))
                .or(phone_3.eq(v.clone())),
        );
    }
    if let Some(v) = f.since {
        q = q.filter(submitted_at.ge(v));
    }
    if let Some(v) = f.until {
        q = q.filter(submitted_at.lt(v));
    }
    if let Some(v) = &f.campaign {
        q = q.filter(campaign.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        q = q.filter(status.eq(v.clone()));
    }
    if let Some(c) = f.cursor {
        q = q.filter(id.gt(c));
    }
    q.load(conn)
}

/// The stored leads with these keys.
pub fn leads_by_keys(conn: &mut Conn, keys: &[&str]) -> QueryResult<Vec<LeadRow>> {
    use schema::leads::dsl::*;
    let mut out = Vec::new();
    for chunk in keys.chunks(500) {
        out.extend(leads.filter(lead_key.eq_any(chunk)).load::<LeadRow>(conn)?);
    }
    Ok(out)
}

/// The delivered leads (`import_source = api`) with one of these e-mails or first phones.
pub fn deliveries_by_contact(
    conn: &mut Conn,
    emails: &[&str],
    phones: &[&str],
) -> QueryResult<Vec<LeadRow>> {
    use schema::leads::dsl::*;
    let mut out: Vec<LeadRow> = Vec::new();
    for chunk in emails.chunks(500) {
        out.extend(
            leads
                .filter(import_source.eq("api"))
                .filter(email.eq_any(chunk))
                .load::<LeadRow>(conn)?,
        );
    }
    for chunk in phones.chunks(500) {
        out.extend(
            leads
                .filter(import_source.eq("api"))
                .filter(phone_1.eq_any(chunk))
                .load::<LeadRow>(conn)?,
        );
    }
    out.sort_by_key(|l| l.id);
    out.dedup_by_key(|l| l.id);
    Ok(out)
}

/// A page of the delivered leads submitted from `from` to `to` (both included), in id order
/// after `after`: their ids and keys.
pub fn deliveries_between(
    conn: &mut Conn,
    from: NaiveDateTime,
    to: NaiveDateTime,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, String)>> {
    use schema::leads::dsl::*;
    leads
        .filter(import_source.eq("api"))
        .filter(submitted_at.ge(from))
        .filter(submitted_at.le(to))
        .filter(id.gt(after))
        .order(id.asc())
        .limit(limit)
        .select((id, lead_key))
        .load(conn)
}

/// Every stored lead in key order, for comparing tables in tests and tools.
pub fn all_leads(conn: &mut Conn) -> QueryResult<Vec<LeadRow>> {
    use schema::leads::dsl::*;
    leads.order(lead_key.asc()).load(conn)
}

/// Refreshes the planner's statistics of `leads` (PostgreSQL: a sample of the table).
pub fn analyze_leads(conn: &mut Conn) -> QueryResult<usize> {
    diesel::sql_query("ANALYZE leads").execute(conn)
}

pub fn ping(conn: &mut Conn) -> QueryResult<usize> {
    diesel::sql_query("SELECT 1").execute(conn)
}

/// Records on a running run why its last batch failed (kept as the reason if it never ends).
pub fn note_failure(conn: &mut Conn, run: i64, why: &str) -> QueryResult<usize> {
    use schema::import_runs::dsl::*;
    diesel::update(
        import_runs
            .find(run)
            .filter(status.eq(RunStatus::Running.as_str())),
    )
    .set(failure.eq(Some(why)))
    .execute(conn)
}
