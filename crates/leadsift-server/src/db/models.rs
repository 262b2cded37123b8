//! Row structs: what the tables hold, as Rust values. Insert structs live beside the schema of
//! each backend (in `store.rs`); API types live in `api.rs`. None of these is the other.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::Queryable;
use serde::Serialize;

/// One import run: the sync history.
#[derive(Debug, Clone, PartialEq, Queryable, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub file_name: String,
    pub file_sha256: String,
    pub dry_run: bool,
    pub force_refresh: bool,
    pub strict: bool,
    pub import_source: String,
    pub mapping: String,
    pub status: String,
    pub rows_read: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub existing: i64,
    pub rejected: i64,
    pub duplicates: i64,
    pub batches: i64,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    /// Why a `failed` or `abandoned` run ended.
    pub failure: Option<String>,
    /// The last batch received, or the end.
    pub last_activity_at: NaiveDateTime,
}

/// One accepted batch: its checksum and the answer given the first time.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct BatchRow {
    pub id: i64,
    pub run_id: i64,
    pub seq: i64,
    pub checksum: String,
    pub rows_read: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub existing: i64,
    pub rejected: i64,
    pub duplicates: i64,
    pub response: String,
    pub created_at: NaiveDateTime,
}

/// One issue of one row of a run.
#[derive(Debug, Clone, PartialEq, Queryable, Serialize)]
pub struct IssueRow {
    pub id: i64,
    pub run_id: i64,
    pub batch_seq: i64,
    pub line: i64,
    pub record: i64,
    pub column_name: Option<String>,
    pub field: Option<String>,
    pub code: String,
    pub severity: String,
    pub message: String,
    pub raw: Option<String>,
}

/// One stored lead.
#[derive(Debug, Clone, PartialEq, Queryable, Serialize)]
pub struct LeadRow {
    pub id: i64,
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
    pub created_run: Option<i64>,
    pub updated_run: Option<i64>,
    pub content_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Filters for `GET /api/v1/leads`.
#[derive(Debug, Default, Clone)]
pub struct LeadQuery {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
    pub campaign: Option<String>,
    pub status: Option<String>,
    pub limit: i64,
    /// The id after which to continue (keyset pagination).
    pub cursor: Option<i64>,
}

impl LeadRow {
    /// What the lead holds, without the bookkeeping that differs between two imports of the
    /// same rows (id, the runs, the times): for comparing tables.
    pub fn content(&self) -> serde_json::Value {
        let mut j = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = j.as_object_mut() {
            for k in [
                "id",
                "created_run",
                "updated_run",
                "created_at",
                "updated_at",
            ] {
                o.remove(k);
            }
        }
        j
    }
}
