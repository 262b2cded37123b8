//! The tables as Rust values: row structs (what a query reads) and `New*` insert structs (what
//! a write binds). API types live in the server's routes; none of these is one of those.

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use diesel::prelude::*;
use leadsift_core::{Field, ImportSource, Row, Surface};
use serde::{Deserialize, Serialize};

use crate::columns::Columns;
use crate::schema;

/// Where a run is: every run starts `running` and ends once, in one of the other three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    /// Every batch arrived.
    Finished,
    /// It could not complete; the run's `failure` says why.
    Failed,
    /// Its client discarded it or stopped without a word; the run's `failure` says why.
    Abandoned,
}

impl RunStatus {
    /// Every status, in the order a history lists them.
    pub const ALL: [RunStatus; 4] = [
        RunStatus::Running,
        RunStatus::Finished,
        RunStatus::Failed,
        RunStatus::Abandoned,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Finished => "finished",
            RunStatus::Failed => "failed",
            RunStatus::Abandoned => "abandoned",
        }
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A stored text that names no value of its type (a database written by something else).
#[derive(Debug, thiserror::Error)]
#[error("the database holds {value:?} where a {what} was expected")]
pub struct UnknownName {
    what: &'static str,
    value: String,
}

impl TryFrom<String> for RunStatus {
    type Error = UnknownName;
    fn try_from(value: String) -> Result<Self, UnknownName> {
        RunStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or(UnknownName {
                what: "run status",
                value,
            })
    }
}

/// One import run: the sync history. It serialises with `mapping` as a JSON object and its
/// times as RFC 3339 in UTC (`Z`).
#[derive(Debug, Clone, PartialEq, Queryable, Serialize, utoipa::ToSchema)]
pub struct RunRow {
    pub id: i64,
    pub file_name: String,
    pub file_sha256: String,
    pub dry_run: bool,
    pub force_refresh: bool,
    pub strict: bool,
    #[diesel(deserialize_as = String)]
    pub import_source: ImportSource,
    /// The mapping overrides the client gave when it started the run, as it sent them.
    #[serde(serialize_with = "json_text")]
    #[schema(value_type = serde_json::Value)]
    pub mapping: String,
    #[diesel(deserialize_as = String)]
    pub status: RunStatus,
    #[schema(minimum = 0)]
    pub rows_read: i64,
    #[schema(minimum = 0)]
    pub created: i64,
    #[schema(minimum = 0)]
    pub updated: i64,
    #[schema(minimum = 0)]
    pub unchanged: i64,
    #[schema(minimum = 0)]
    pub existing: i64,
    #[schema(minimum = 0)]
    pub rejected: i64,
    #[schema(minimum = 0)]
    pub duplicates: i64,
    /// Batches received.
    #[schema(minimum = 0)]
    pub batches: i64,
    #[serde(serialize_with = "utc")]
    pub started_at: NaiveDateTime,
    #[serde(serialize_with = "utc_or_null")]
    pub finished_at: Option<NaiveDateTime>,
    /// Why a `failed` or `abandoned` run ended.
    pub failure: Option<String>,
    /// The last batch received, or the end.
    #[serde(serialize_with = "utc")]
    pub last_activity_at: NaiveDateTime,
    /// Where the run was started.
    #[diesel(deserialize_as = String)]
    pub surface: Surface,
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

/// The API document's schema of a stored lead: every column, each canonical field with its
/// type's JSON (text, a number, a boolean, a date or an RFC 3339 time), null when empty.
impl utoipa::PartialSchema for LeadRow {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use leadsift_core::FieldType;
        use utoipa::openapi::schema::{
            AdditionalProperties, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type,
        };
        let nullable = |t: Type| SchemaType::from_iter([t, Type::Null]);
        let of = |t: Type, format: Option<KnownFormat>| {
            ObjectBuilder::new()
                .schema_type(nullable(t))
                .format(format.map(SchemaFormat::KnownFormat))
        };
        let text_map = |what: &str, null: bool| {
            ObjectBuilder::new()
                .schema_type(if null {
                    nullable(Type::Object)
                } else {
                    SchemaType::new(Type::Object)
                })
                .description(Some(what))
                .additional_properties(Some(AdditionalProperties::RefOr(
                    ObjectBuilder::new().schema_type(Type::String).into(),
                )))
        };
        let time = |what: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .description(Some(what))
        };
        let mut o = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("one stored lead"))
            .property("id", ObjectBuilder::new().schema_type(Type::Integer))
            .property(
                "lead_key",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("the lead's identity (DESIGN.md: identity)")),
            );
        for f in Field::ALL {
            let p = match f.ty() {
                FieldType::Timestamp => of(Type::String, Some(KnownFormat::DateTime)),
                FieldType::Date => of(Type::String, Some(KnownFormat::Date)),
                FieldType::Number => of(Type::Number, None),
                FieldType::Boolean => of(Type::Boolean, None),
                _ => of(Type::String, None),
            };
            o = o.property(f.name(), p);
        }
        o = o
            .property(
                "extra",
                text_map("the cells of columns mapped to no field: key → text", false),
            )
            .property(
                "invalid",
                text_map(
                    "the raw text of each field whose value failed cleaning (or was masked)",
                    false,
                ),
            )
            .property("import_source", <ImportSource as utoipa::PartialSchema>::schema())
            .property(
                "created_run",
                ObjectBuilder::new().schema_type(nullable(Type::Integer)),
            )
            .property(
                "updated_run",
                ObjectBuilder::new().schema_type(nullable(Type::Integer)),
            )
            .property(
                "content_hash",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("the first 128 bits of the SHA-256 of the lead's fields and extra, lower-case hex: equal content, equal hash")),
            )
            .property("created_at", time("when the lead was first stored"))
            .property("updated_at", time("when the lead was last written"))
            .property(
                "original",
                text_map(
                    "the record's cells as read, header → text, in column order; null when the import kept none",
                    true,
                ),
            )
            .property(
                "edited",
                utoipa::openapi::schema::ArrayBuilder::new()
                    .schema_type(nullable(Type::Array))
                    .items(ObjectBuilder::new().schema_type(Type::String))
                    .description(Some(
                        "the columns (keys of `original`) whose cells a person edited in the page before sending; null when none was",
                    )),
            );
        for name in ["id", "lead_key"]
            .into_iter()
            .chain(Field::ALL.iter().map(|f| f.name()))
            .chain([
                "extra",
                "invalid",
                "import_source",
                "created_run",
                "updated_run",
                "content_hash",
                "created_at",
                "updated_at",
                "original",
                "edited",
            ])
        {
            o = o.required(name);
        }
        o.into()
    }
}

impl utoipa::ToSchema for LeadRow {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Lead")
    }
}

/// A stored time (UTC, without a zone in the column) as RFC 3339 with its `Z`, to the second,
/// with a fraction (milli- or microseconds) only when it has one.
pub fn utc_text(t: &NaiveDateTime) -> String {
    let micros = t.and_utc().timestamp_subsec_micros();
    let t = t
        .and_utc()
        .with_nanosecond(micros * 1000)
        .unwrap_or(t.and_utc());
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn utc<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&utc_text(t))
}

fn utc_or_null<S: serde::Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => utc(t, s),
        None => s.serialize_none(),
    }
}

/// A JSON column written as the JSON it holds (the store wrote it, from `serde_json`); a
/// text that is not JSON (a database written by something else) is written as a string.
fn json_text<S: serde::Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    match serde_json::value::RawValue::from_string(text.to_owned()) {
        Ok(raw) => raw.serialize(s),
        Err(_) => s.serialize_str(text),
    }
}

fn json_text_or_null<S: serde::Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match text {
        Some(t) => json_text(t, s),
        None => s.serialize_none(),
    }
}

/// A canonical column's value as the API writes it: timestamps as RFC 3339 in UTC, the rest as
/// they are.
trait ColumnJson {
    fn write<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
}

impl ColumnJson for Option<NaiveDateTime> {
    fn write<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        utc_or_null(self, s)
    }
}

macro_rules! column_json_as_is {
    ($($t:ty),*) => {$(
        impl ColumnJson for $t {
            fn write<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.serialize(s)
            }
        }
    )*};
}
column_json_as_is!(Option<String>, Option<f64>, Option<bool>, Option<NaiveDate>);

fn column<S: serde::Serializer, T: ColumnJson>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    v.write(s)
}

/// A column's value as text, as a report shows it (times as RFC 3339 in UTC).
trait ColumnText {
    fn text(&self) -> String;
}

impl ColumnText for String {
    fn text(&self) -> String {
        self.clone()
    }
}

impl ColumnText for NaiveDateTime {
    fn text(&self) -> String {
        utc_text(self)
    }
}

impl ColumnText for NaiveDate {
    fn text(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
}

macro_rules! column_text_display {
    ($($t:ty),*) => {$(
        impl ColumnText for $t {
            fn text(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
column_text_display!(f64, bool);

impl LeadRow {
    /// What identifies this lead as a delivery when keys differ.
    pub fn contact(&self) -> leadsift_core::reconcile::Contact<'_> {
        leadsift_core::reconcile::Contact {
            email: self.email.as_deref(),
            phone: self.phone_1.as_deref(),
            submitted_at: self.submitted_at,
        }
    }
}

/// The column type of a canonical field of type `$ty` (`FieldType`): what `leads` stores.
macro_rules! column_type {
    (Timestamp) => { Option<NaiveDateTime> };
    (Date) => { Option<NaiveDate> };
    (Number) => { Option<f64> };
    (Boolean) => { Option<bool> };
    ($other:ident) => { Option<String> };
}

/// A cleaned value of type `$ty` as its column's value.
macro_rules! column_value {
    (Timestamp, $col:expr, $f:expr) => {
        $col.timestamp($f)
    };
    (Date, $col:expr, $f:expr) => {
        $col.date($f)
    };
    (Number, $col:expr, $f:expr) => {
        $col.number($f)
    };
    (Boolean, $col:expr, $f:expr) => {
        $col.boolean($f)
    };
    ($other:ident, $col:expr, $f:expr) => {
        $col.text($f)
    };
}

/// The `leads` table's row struct and insert struct, one column per canonical field, from
/// `leadsift_core::canonical_fields!`. The order is the table's (`schema.rs`): `id`,
/// `lead_key`, the fields, then the bookkeeping columns.
macro_rules! lead_structs {
    ($( $variant:ident = $column:ident : $ty:ident ),* $(,)?) => {
        /// One stored lead. It serialises with its JSON columns (`extra`, `invalid`,
        /// `original`) as JSON objects, not as strings that hold JSON.
        #[derive(Debug, Clone, PartialEq, Queryable, Serialize)]
        pub struct LeadRow {
            pub id: i64,
            pub lead_key: String,
            $(
                #[serde(serialize_with = "column")]
                pub $column: column_type!($ty),
            )*
            #[serde(serialize_with = "json_text")]
            pub extra: String,
            #[serde(serialize_with = "json_text")]
            pub invalid: String,
            #[diesel(deserialize_as = String)]
            pub import_source: ImportSource,
            pub created_run: Option<i64>,
            pub updated_run: Option<i64>,
            pub content_hash: String,
            #[serde(serialize_with = "utc")]
            pub created_at: NaiveDateTime,
            #[serde(serialize_with = "utc")]
            pub updated_at: NaiveDateTime,
            /// The record's cells as read, header → text, a JSON object in column order;
            /// `None` when the import kept none.
            #[serde(serialize_with = "json_text_or_null")]
            pub original: Option<String>,
            /// The columns a person edited in the page before the lead was sent, a JSON array;
            /// `None` when none was.
            #[serde(serialize_with = "json_text_or_null")]
            pub edited: Option<String>,
        }

        /// The canonical columns of a lead, and what the importer maintains beside them.
        /// Every column but `id`: inserted whole (also by PostgreSQL's binary COPY, which needs
        /// NULL rather than DEFAULT for `None`), updated without the key and the creation
        /// columns.
        #[derive(Debug, Clone, Insertable, AsChangeset)]
        #[diesel(table_name = schema::leads, treat_none_as_null = true, treat_none_as_default_value = false)]
        pub struct LeadValues {
            #[diesel(skip_update)]
            pub lead_key: String,
            $( pub $column: column_type!($ty), )*
            pub extra: String,
            pub invalid: String,
            pub original: Option<String>,
            pub edited: Option<String>,
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
            /// The canonical columns (and `extra`) in which `stored` is not these values: the
            /// stored value beside this one, as text.
            pub fn differences(&self, stored: &LeadRow) -> Vec<leadsift_core::reconcile::Difference> {
                let mut out = Vec::new();
                $(
                    if self.$column != stored.$column {
                        out.push(leadsift_core::reconcile::Difference {
                            field: Field::$variant.name().to_owned(),
                            delivered: stored.$column.as_ref().map(ColumnText::text),
                            exported: self.$column.as_ref().map(ColumnText::text),
                        });
                    }
                )*
                let parsed = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
                if parsed(&self.extra) != parsed(&stored.extra) {
                    out.push(leadsift_core::reconcile::Difference {
                        field: "extra".to_owned(),
                        delivered: Some(stored.extra.clone()),
                        exported: Some(self.extra.clone()),
                    });
                }
                out
            }

            /// The columns of a cleaned row, written by `run` (or by no run, for a lead posted
            /// alone).
            pub fn of(
                row: &Row,
                content_hash: &str,
                source: ImportSource,
                run: Option<i64>,
                now: NaiveDateTime,
            ) -> LeadValues {
                let col = Columns::new(row);
                LeadValues {
                    lead_key: row.key.as_ref().map(|k| k.as_str().to_owned()).unwrap_or_default(),
                    $( $column: column_value!($ty, col, Field::$variant), )*
                    extra: col.extra_json(),
                    invalid: col.invalid_json(),
                    original: col.original_json(),
                    edited: col.edited_json(),
                    import_source: source.as_str().to_owned(),
                    content_hash: content_hash.to_owned(),
                    updated_run: run,
                    updated_at: now,
                    created_run: run,
                    created_at: now,
                }
            }
        }
    };
}

leadsift_core::canonical_fields!(lead_structs);

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
    pub surface: &'a str,
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
