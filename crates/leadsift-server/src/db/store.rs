// The query functions, compiled once per backend: `db/mod.rs` includes this file in its
// `sqlite` and `pg` modules, each of which defines `Conn`, `BACKEND` and `schema` first.
// Every function takes a connection, so that callers compose them inside one transaction.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use leadsift_core::judge::Prior;
use leadsift_core::{Field, Row};

use crate::db::models::{BatchRow, IssueRow, LeadQuery, LeadRow, RunRow};
use crate::stored::Columns;

/// The canonical columns of a lead, and what the importer maintains beside them.
/// Every column but `id`: inserted whole (also by PostgreSQL's binary COPY, which needs
/// NULL rather than DEFAULT for `None`), updated without the key and the creation columns.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = schema::leads, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct LeadValues {
    #[diesel(skip_update)]
    pub lead_key: String,
    pub lead_id: Option<String>,
    pub event_id: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub flow_id: Option<String>,
    pub flow_name: Option<String>,
    pub source_id: Option<String>,
    pub source_name: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone_1: Option<String>,
    pub phone_2: Option<String>,
    pub phone_3: Option<String>,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub dob: Option<NaiveDate>,
    pub gender: Option<String>,
    pub campaign: Option<String>,
    pub ad_group: Option<String>,
    pub keyword: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub quality_score: Option<f64>,
    pub lead_score: Option<f64>,
    pub price: Option<f64>,
    pub is_duplicate: Option<bool>,
    pub is_test: Option<bool>,
    pub status: Option<String>,
    pub disposition: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub referring_url: Option<String>,
    pub landing_page: Option<String>,
    pub trustedform_cert_url: Option<String>,
    pub universal_leadid: Option<String>,
    pub comments: Option<String>,
    pub extra: String,
    pub invalid: String,
    pub import_source: String,
    pub content_hash: String,
    pub updated_run: Option<i64>,
    pub updated_at: NaiveDateTime,
    #[diesel(skip_update)]
    pub created_run: Option<i64>,
    #[diesel(skip_update)]
    pub created_at: NaiveDateTime,
}

impl LeadValues {
    /// The columns of a cleaned row, written by `run` (or by no run, for a lead posted alone).
    pub fn of(row: &Row, content_hash: &str, source: &str, run: Option<i64>, now: NaiveDateTime) -> LeadValues {
        let col = Columns::new(row);
        LeadValues {
            lead_key: row.key.as_ref().map(|k| k.as_str().to_owned()).unwrap_or_default(),
            created_run: run,
            created_at: now,
            lead_id: col.text(Field::LeadId),
            event_id: col.text(Field::EventId),
            submitted_at: col.timestamp(Field::SubmittedAt),
            flow_id: col.text(Field::FlowId),
            flow_name: col.text(Field::FlowName),
            source_id: col.text(Field::SourceId),
            source_name: col.text(Field::SourceName),
            outcome: col.text(Field::Outcome),
            reason: col.text(Field::Reason),
            first_name: col.text(Field::FirstName),
            last_name: col.text(Field::LastName),
            email: col.text(Field::Email),
            phone_1: col.text(Field::Phone1),
            phone_2: col.text(Field::Phone2),
            phone_3: col.text(Field::Phone3),
            address_1: col.text(Field::Address1),
            address_2: col.text(Field::Address2),
            city: col.text(Field::City),
            state: col.text(Field::State),
            postal_code: col.text(Field::PostalCode),
            country: col.text(Field::Country),
            dob: col.date(Field::Dob),
            gender: col.text(Field::Gender),
            campaign: col.text(Field::Campaign),
            ad_group: col.text(Field::AdGroup),
            keyword: col.text(Field::Keyword),
            utm_source: col.text(Field::UtmSource),
            utm_medium: col.text(Field::UtmMedium),
            utm_campaign: col.text(Field::UtmCampaign),
            utm_term: col.text(Field::UtmTerm),
            utm_content: col.text(Field::UtmContent),
            quality_score: col.number(Field::QualityScore),
            lead_score: col.number(Field::LeadScore),
            price: col.number(Field::Price),
            is_duplicate: col.boolean(Field::IsDuplicate),
            is_test: col.boolean(Field::IsTest),
            status: col.text(Field::Status),
            disposition: col.text(Field::Disposition),
            ip_address: col.text(Field::IpAddress),
            user_agent: col.text(Field::UserAgent),
            referring_url: col.text(Field::ReferringUrl),
            landing_page: col.text(Field::LandingPage),
            trustedform_cert_url: col.text(Field::TrustedformCertUrl),
            universal_leadid: col.text(Field::UniversalLeadid),
            comments: col.text(Field::Comments),
            extra: col.extra_json(),
            invalid: col.invalid_json(),
            import_source: source.to_owned(),
            content_hash: content_hash.to_owned(),
            updated_run: run,
            updated_at: now,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = schema::import_runs)]
pub struct NewRun<'a> {
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    pub dry_run: bool,
    pub force_refresh: bool,
    pub strict: bool,
    pub import_source: &'a str,
    pub mapping: &'a str,
    pub status: &'a str,
    pub started_at: NaiveDateTime,
    pub last_activity_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = schema::import_batches)]
pub struct NewBatch<'a> {
    pub run_id: i64,
    pub seq: i64,
    pub checksum: &'a str,
    pub rows_read: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub existing: i64,
    pub rejected: i64,
    pub duplicates: i64,
    pub response: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = schema::import_issues)]
pub struct NewIssue<'a> {
    pub run_id: i64,
    pub batch_seq: i64,
    pub line: i64,
    pub record: i64,
    pub column_name: Option<&'a str>,
    pub field: Option<&'a str>,
    pub code: &'a str,
    pub severity: &'a str,
    pub message: &'a str,
    pub raw: Option<&'a str>,
}

pub fn create_run(conn: &mut Conn, new: &NewRun<'_>) -> QueryResult<RunRow> {
    use schema::import_runs::dsl::*;
    diesel::insert_into(import_runs).values(new).get_result(conn)
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
    import_batches.filter(run_id.eq(run)).filter(seq.eq(number)).first(conn).optional()
}

pub fn insert_batch(conn: &mut Conn, new: &NewBatch<'_>) -> QueryResult<usize> {
    use schema::import_batches::dsl::*;
    diesel::insert_into(import_batches).values(new).execute(conn)
}

pub fn insert_issues(conn: &mut Conn, new: &[NewIssue<'_>]) -> QueryResult<usize> {
    use schema::import_issues::dsl::*;
    let mut n = 0;
    for chunk in new.chunks(500) {
        n += diesel::insert_into(import_issues).values(chunk).execute(conn)?;
    }
    Ok(n)
}

pub fn run_issues(conn: &mut Conn, run: i64, after: i64, limit: i64) -> QueryResult<Vec<IssueRow>> {
    use schema::import_issues::dsl::*;
    import_issues.filter(run_id.eq(run)).filter(id.gt(after)).order(id.asc()).limit(limit).load(conn)
}

/// Adds a batch's counts to its run.
pub fn add_to_run(conn: &mut Conn, run: i64, c: &leadsift_core::Outcomes, at: NaiveDateTime) -> QueryResult<usize> {
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
pub fn end_run(conn: &mut Conn, run: i64, new_status: &str, reason: Option<&str>, at: NaiveDateTime) -> QueryResult<Option<RunRow>> {
    use schema::import_runs::dsl::*;
    diesel::update(import_runs.find(run).filter(status.eq("running")))
        .set((status.eq(new_status), failure.eq(reason), finished_at.eq(Some(at)), last_activity_at.eq(at)))
        .get_result(conn)
        .optional()
}

/// Running runs with no activity since `before`, oldest first, at most `limit`.
pub fn stale_runs(conn: &mut Conn, before: NaiveDateTime, limit: i64) -> QueryResult<Vec<i64>> {
    use schema::import_runs::dsl::*;
    import_runs
        .filter(status.eq("running").and(last_activity_at.lt(before)))
        .order(last_activity_at.asc())
        .select(id)
        .limit(limit)
        .load(conn)
}

/// How many runs have each status.
pub fn runs_by_status(conn: &mut Conn) -> QueryResult<Vec<(String, i64)>> {
    use schema::import_runs::dsl::*;
    import_runs.group_by(status).select((status, diesel::dsl::count_star())).load(conn)
}

/// What the database holds for `keys`; `run` marks the keys that run wrote.
pub fn priors(conn: &mut Conn, keys: &[&str], run: Option<i64>) -> QueryResult<HashMap<String, Prior>> {
    use schema::leads::dsl::*;
    let mut out = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(500) {
        let found: Vec<(String, String, Option<i64>, Option<i64>)> = leads
            .filter(lead_key.eq_any(chunk))
            .select((lead_key, content_hash, created_run, updated_run))
            .load(conn)?;
        for (k, h, c, u) in found {
            let ours = run.is_some() && (c == run || u == run);
            out.insert(k, Prior { content_hash: h, written_by_this_run: ours });
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
        let rows: Vec<_> = chunk.iter().map(|k| (run_id.eq(run), lead_key.eq(*k))).collect();
        n += diesel::insert_into(import_dry_keys).values(&rows).on_conflict_do_nothing().execute(conn)?;
    }
    Ok(n)
}

/// Forgets a finished dry run's keys.
pub fn clear_dry_keys(conn: &mut Conn, run: i64) -> QueryResult<usize> {
    use schema::import_dry_keys::dsl::*;
    diesel::delete(import_dry_keys.filter(run_id.eq(run))).execute(conn)
}

/// How a backend writes a batch's leads: `db/mod.rs` implements it for each connection
/// (cached multi-row INSERTs and UPDATEs on SQLite; on PostgreSQL a binary COPY into a
/// staging table and one `INSERT … ON CONFLICT` from it).
pub trait WriteLeads {
    /// Inserts `inserts` (keys the batch's classification found absent) and replaces the
    /// values of `updates` (keys it found present). `Ok(false)`: the table no longer agrees
    /// with that classification (a concurrent writer got there first); the caller rolls back
    /// and classifies again, so that counts stay exact and no lead is overwritten unasked.
    fn write_leads(&mut self, inserts: &[LeadValues], updates: &mut [(String, LeadValues)]) -> QueryResult<bool>;
}

/// Writes a batch's new and changed leads; see [`WriteLeads`].
pub fn write_leads(conn: &mut Conn, inserts: &[LeadValues], updates: &mut [(String, LeadValues)]) -> QueryResult<bool> {
    conn.write_leads(inserts, updates)
}

/// Replaces the values of existing leads one statement each, in key order; the number found.
pub fn update_leads(conn: &mut Conn, changed: &mut [(String, LeadValues)]) -> QueryResult<usize> {
    use schema::leads::dsl::*;
    changed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut n = 0;
    for (k, v) in changed.iter() {
        n += diesel::update(leads.filter(lead_key.eq(k))).set(v).execute(conn)?;
    }
    Ok(n)
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
        q = q.filter(phone_1.eq(v.clone()).or(phone_2.eq(v.clone())).or(phone_3.eq(v.clone())));
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

pub fn count_leads(conn: &mut Conn) -> QueryResult<i64> {
    use schema::leads::dsl::*;
    leads.count().get_result(conn)
}

/// Every stored lead in key order, for comparing tables in tests and tools.
pub fn all_leads(conn: &mut Conn) -> QueryResult<Vec<LeadRow>> {
    use schema::leads::dsl::*;
    leads.order(lead_key.asc()).load(conn)
}

pub fn ping(conn: &mut Conn) -> QueryResult<usize> {
    diesel::sql_query("SELECT 1").execute(conn)
}

#[allow(dead_code)]
fn _date_is_used(_: NaiveDate) {}

/// Records on a running run why its last batch failed (kept as the reason if it never ends).
pub fn note_failure(conn: &mut Conn, run: i64, why: &str) -> QueryResult<usize> {
    use schema::import_runs::dsl::*;
    diesel::update(import_runs.find(run).filter(status.eq("running"))).set(failure.eq(Some(why))).execute(conn)
}
