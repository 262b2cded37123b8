//! Judging rows: identity, status, content hash, the database classification, and the server's
//! re-validation of rows a client already cleaned. Shared by the file validator, the importer
//! and the server, so that each gives the same verdict.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clean::{self, CleanOptions, PostalCode, Value};
use crate::field::Field;
use crate::issue::{Issue, IssueCode, Severity};
use crate::validate::{Lead, LeadKey, Row, RowStatus};

/// The key of `lead`, or a `no_identity` issue when it has none.
pub fn identify(lead: &Lead, issues: &mut Vec<Issue>) -> Option<LeadKey> {
    let key = LeadKey::of(lead);
    if key.is_none() {
        issues.push(Issue::new(
            IssueCode::NoIdentity,
            "the row has no lead_id, no event_id, no valid email and no valid phone",
        ));
    }
    key
}

/// Whether the issues reject the row: a rejecting code, or in strict mode any error.
pub fn rejects(issues: &[Issue], strict: bool) -> bool {
    issues
        .iter()
        .any(|i| i.code.rejects() || (strict && i.severity == Severity::Error))
}

/// The row's status from its issues.
pub fn status(issues: &[Issue], strict: bool) -> RowStatus {
    if rejects(issues, strict) {
        RowStatus::Rejected
    } else if issues.is_empty() {
        RowStatus::Valid
    } else {
        RowStatus::Warning
    }
}

/// A ZIP code that failed cleaning (`issue_at` is its issue) but that lost its leading zeros in a
/// spreadsheet, restored when the row's state makes the original certain.
pub(crate) fn recover_zip(lead: &mut Lead, issues: &mut [Issue], issue_at: usize, raw: &str) {
    if let Some(Value::State(state)) = lead.get(Field::State)
        && let Some((zip, note)) = PostalCode::restore_leading_zeros(raw, state)
    {
        let issue = &mut issues[issue_at];
        issue.code = note.code;
        issue.severity = note.code.severity();
        issue.message = note.message;
        lead.set(Field::PostalCode, Some(Value::PostalCode(zip)));
    }
}

/// A digest of everything stored for a lead (cleaned values and extra), to tell an update
/// that changes something from one that changes nothing.
pub fn content_hash(lead: &Lead, extra: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    for (field, value) in lead.iter() {
        h.update(field.name());
        h.update([0x1e]);
        if let Some(v) = value {
            h.update([u8::from(v.is_masked())]);
            h.update(v.to_text().as_bytes());
        }
        h.update([0x1f]);
    }
    let mut extra: Vec<&(String, String)> = extra.iter().collect();
    extra.sort();
    for (k, v) in extra {
        h.update(k);
        h.update([0x1e]);
        h.update(v);
        h.update([0x1f]);
    }
    crate::text::hex(&h.finalize()[..16])
}

/// What the database holds for a key before a row is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior {
    pub content_hash: String,
    /// Whether this same import run created or last updated it (an earlier row of the file).
    pub written_by_this_run: bool,
}

/// Where a row ends up. Every data row of a run has exactly one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new key: inserted.
    Created,
    /// An existing key, force refresh on, content differs: updated.
    Updated,
    /// An existing key, force refresh on, content the same: nothing written.
    Unchanged,
    /// An existing key, force refresh off: left alone.
    Existing,
    /// Not imported.
    Rejected,
    /// A later row of the same file with the key of a row this run wrote: it replaces that row.
    Duplicate,
}

impl Outcome {
    /// Whether the row is written to the database.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Outcome::Created | Outcome::Updated | Outcome::Duplicate
        )
    }
}

/// DESIGN.md's "Identity, duplicates, updates": the outcome of writing a row whose content
/// hashes to `hash`, given what the database holds for its key.
pub fn classify(
    row_status: RowStatus,
    prior: Option<&Prior>,
    hash: &str,
    force_refresh: bool,
) -> Outcome {
    if row_status == RowStatus::Rejected {
        return Outcome::Rejected;
    }
    match prior {
        None => Outcome::Created,
        Some(p) if p.written_by_this_run => Outcome::Duplicate,
        Some(_) if !force_refresh => Outcome::Existing,
        Some(p) if p.content_hash == hash => Outcome::Unchanged,
        Some(_) => Outcome::Updated,
    }
}

/// Counts of outcomes, for a batch or a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Rows read (`rows_read` in a run's JSON, which reads back as `Outcomes` too).
    #[serde(alias = "rows_read")]
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub existing: u64,
    pub rejected: u64,
    pub duplicates: u64,
}

impl Outcomes {
    pub fn add(&mut self, outcome: Outcome) {
        self.rows += 1;
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Existing => self.existing += 1,
            Outcome::Rejected => self.rejected += 1,
            Outcome::Duplicate => self.duplicates += 1,
        }
    }

    pub fn merge(&mut self, other: &Outcomes) {
        self.rows += other.rows;
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.existing += other.existing;
        self.rejected += other.rejected;
        self.duplicates += other.duplicates;
    }
}

/// A value that failed cleaning on the client, sent with its raw text so that the server can
/// check the verdict and keep the raw value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidValue {
    pub field: String,
    pub column: Option<String>,
    pub raw: String,
}

/// A cleaned row as it travels from a client to the server: every canonical field's normal
/// form as text (`None` for null), `extra`, the raw values that failed cleaning, and the row's
/// other issues (which only the file could show: a short row, a duplicate in the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRow {
    pub record: u64,
    pub line: u64,
    pub values: Vec<(String, Option<String>)>,
    pub extra: Vec<(String, String)>,
    #[serde(default)]
    pub invalid: Vec<InvalidValue>,
    #[serde(default)]
    pub notes: Vec<Issue>,
}

impl WireRow {
    pub fn from_row(row: &Row) -> WireRow {
        let failed = |i: &Issue| i.failed_field().is_some();
        WireRow {
            record: row.record,
            line: row.line,
            values: row
                .lead
                .iter()
                .map(|(f, v)| (f.name().to_owned(), v.map(|v| v.to_text().into_owned())))
                .collect(),
            extra: row.extra.clone(),
            invalid: row
                .issues
                .iter()
                .filter_map(|i| {
                    let field = i.failed_field()?;
                    row.lead.get(field).is_none().then(|| InvalidValue {
                        field: field.name().to_owned(),
                        column: i.column.clone(),
                        raw: i.raw.clone().unwrap_or_default(),
                    })
                })
                .collect(),
            notes: row
                .issues
                .iter()
                .filter(|i| {
                    !failed(i)
                        && !matches!(
                            i.code,
                            IssueCode::NoIdentity | IssueCode::Masked | IssueCode::TamperedValue
                        )
                })
                .cloned()
                .collect(),
        }
    }

    /// Validates the row again, trusting nothing that could make a bad value look good:
    /// every value must be in normal form already (cleaning is idempotent, so an honest
    /// client's values come back unchanged), every reported failure must really fail, and the
    /// key and status are decided here. A value that breaks either rule rejects the row with
    /// `tampered_value`. The client's notes can only add warnings or reject its own row.
    pub fn revalidate(&self, options: &CleanOptions, strict: bool) -> Row {
        let mut lead = Lead::default();
        let mut issues = Vec::new();
        let tampered = |name: &str, why: String| {
            Issue::new(IssueCode::TamperedValue, why).with_column(name.to_owned())
        };
        for (name, text) in &self.values {
            let Some(field) = Field::from_name(name) else {
                issues.push(tampered(name, format!("{name:?} is not a canonical field")));
                continue;
            };
            let Some(text) = text else { continue };
            let cleaned = clean::clean(field, text, options);
            if cleaned
                .value
                .as_ref()
                .is_none_or(|v| v.to_text() != text.as_str())
            {
                let why = match &cleaned.note {
                    Some(n) if cleaned.value.is_none() => n.message.clone(),
                    _ => "the value is not in leadsift's normal form".to_owned(),
                };
                issues.push(
                    Issue::new(
                        IssueCode::TamperedValue,
                        format!("the value was not cleaned by leadsift: {why}"),
                    )
                    .with_field(field)
                    .with_raw(text),
                );
                continue;
            }
            if let Some(note) = cleaned.note.filter(|n| n.code == IssueCode::Masked) {
                issues.push(
                    Issue::new(note.code, note.message)
                        .with_field(field)
                        .with_raw(text),
                );
            }
            lead.set(field, cleaned.value);
        }
        for bad in &self.invalid {
            let Some(field) = Field::from_name(&bad.field) else {
                issues.push(tampered(
                    &bad.field,
                    format!("{:?} is not a canonical field", bad.field),
                ));
                continue;
            };
            let cleaned = clean::clean(field, &bad.raw, options);
            match (cleaned.value, cleaned.note) {
                (None, Some(note)) if lead.get(field).is_none() => {
                    let mut issue = Issue::new(note.code, note.message)
                        .with_field(field)
                        .with_raw(&bad.raw);
                    issue.column = bad.column.clone();
                    issues.push(issue);
                }
                _ => issues.push(
                    Issue::new(
                        IssueCode::TamperedValue,
                        "a value reported as invalid cleans, or the field also has a value",
                    )
                    .with_field(field)
                    .with_raw(&bad.raw),
                ),
            }
        }
        issues.extend(
            self.notes
                .iter()
                .filter(|i| i.field.is_none() || i.severity == Severity::Warning)
                .cloned(),
        );
        let key = identify(&lead, &mut issues);
        let status = status(&issues, strict);
        // A client's strings reach storage only without NUL (`text::NUL_STANDS_IN`); values
        // with one were refused above, as cleaning removes control characters.
        let mut extra = self.extra.clone();
        for (k, v) in &mut extra {
            crate::text::strip_nul(k);
            crate::text::strip_nul(v);
        }
        for i in &mut issues {
            crate::text::strip_nul(&mut i.message);
            for s in [&mut i.column, &mut i.raw].into_iter().flatten() {
                crate::text::strip_nul(s);
            }
        }
        Row {
            record: self.record,
            line: self.line,
            status,
            lead,
            extra,
            issues,
            key,
            replaces_line: None,
            raw: Vec::new(),
        }
    }
}

/// The checksum of a batch: SHA-256 over every row's number, line, values and extra, rows in
/// order, values and extra by name.
/// The client sends it with the batch; the same number with another checksum is a conflict.
pub fn batch_checksum(rows: &[WireRow]) -> String {
    let mut h = Sha256::new();
    for r in rows {
        h.update(r.record.to_le_bytes());
        h.update(r.line.to_le_bytes());
        // Sorted by name: the checksum does not depend on the order a JSON object kept.
        let mut values: Vec<&(String, Option<String>)> = r.values.iter().collect();
        values.sort();
        let mut extra: Vec<&(String, String)> = r.extra.iter().collect();
        extra.sort();
        let mut invalid: Vec<(&str, Option<&str>, &str)> = r
            .invalid
            .iter()
            .map(|i| (i.field.as_str(), i.column.as_deref(), i.raw.as_str()))
            .collect();
        invalid.sort();
        for (f, c, raw) in invalid {
            h.update(f);
            h.update([0x1e]);
            h.update(c.unwrap_or(""));
            h.update([0x1e]);
            h.update(raw);
            h.update([0x1f]);
        }
        h.update([0x1d]);
        for n in &r.notes {
            h.update(n.code.as_str());
            h.update([0x1e]);
            h.update(&n.message);
            h.update([0x1f]);
        }
        h.update([0x1d]);
        for (k, v) in values {
            h.update(k);
            h.update([0x1e]);
            match v {
                Some(v) => {
                    h.update([1]);
                    h.update(v);
                }
                None => h.update([0]),
            }
            h.update([0x1f]);
        }
        h.update([0x1d]);
        for (k, v) in extra {
            h.update(k);
            h.update([0x1e]);
            h.update(v);
            h.update([0x1f]);
        }
        h.update([0x1c]);
    }
    crate::text::hex(&h.finalize())
}

/// A row in the batch API's JSON: `{record, line, lead, extra, invalid, notes}`, with numbers
/// and booleans as JSON numbers and booleans. The server reads it back as a [`WireRow`].
#[derive(Debug)]
pub struct BatchRowJson<'a>(pub &'a Row);

impl Serialize for BatchRowJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let wire = WireRow::from_row(self.0);
        let mut st = s.serialize_struct("BatchRow", 6)?;
        st.serialize_field("record", &self.0.record)?;
        st.serialize_field("line", &self.0.line)?;
        st.serialize_field("lead", &self.0.lead)?;
        st.serialize_field("extra", &crate::validate::ExtraMap(&self.0.extra))?;
        st.serialize_field("invalid", &wire.invalid)?;
        st.serialize_field("notes", &wire.notes)?;
        st.end()
    }
}

/// A JSON scalar of a row sent by a client: text as it is, numbers and booleans as the text
/// the core cleans them from, null as no value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

/// Read by the JSON value's own type. (Not `#[serde(untagged)]`, which tries each variant in
/// turn and formats an error message for every miss: most of a batch's parsing time.)
impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, a number, a boolean or null")
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                // Past i64: kept as its digits rather than rounded to a float.
                Ok(i64::try_from(v).map_or_else(|_| Scalar::Text(v.to_string()), Scalar::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Text(v))
            }
        }
        d.deserialize_any(Visit)
    }
}

impl Scalar {
    pub fn into_text(self) -> Option<String> {
        match self {
            Scalar::Null => None,
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Int(i) => Some(i.to_string()),
            Scalar::Float(f) => Some(f.to_string()),
            Scalar::Text(s) => Some(s),
        }
    }
}

/// A row as the batch API receives it (the shape [`BatchRowJson`] writes, or a validator's
/// row with its `issues`), read by the server and by the browser's batch builder alike.
#[derive(Debug, Clone, Deserialize)]
pub struct BatchRowIn {
    pub record: u64,
    pub line: u64,
    pub lead: std::collections::BTreeMap<String, Scalar>,
    #[serde(default)]
    pub extra: std::collections::BTreeMap<String, Scalar>,
    #[serde(default)]
    pub invalid: Vec<InvalidValue>,
    #[serde(default)]
    pub notes: Vec<Issue>,
    /// A validator's row carries all its issues instead of `invalid` and `notes`.
    #[serde(default)]
    pub issues: Vec<Issue>,
}

impl BatchRowIn {
    pub fn into_wire(self) -> WireRow {
        let values: Vec<(String, Option<String>)> = self
            .lead
            .into_iter()
            .map(|(k, v)| (k, v.into_text()))
            .collect();
        let (mut invalid, mut notes) = (self.invalid, self.notes);
        let null = |field: Field| values.iter().any(|(k, v)| k == field.name() && v.is_none());
        for i in self.issues {
            match i.failed_field() {
                Some(f) if null(f) => invalid.push(InvalidValue {
                    field: f.name().to_owned(),
                    column: i.column.clone(),
                    raw: i.raw.clone().unwrap_or_default(),
                }),
                Some(_) => {}
                None if matches!(
                    i.code,
                    IssueCode::NoIdentity | IssueCode::Masked | IssueCode::TamperedValue
                ) => {}
                None => notes.push(i),
            }
        }
        WireRow {
            record: self.record,
            line: self.line,
            values,
            extra: self
                .extra
                .into_iter()
                .filter_map(|(k, v)| v.into_text().map(|t| (k, t)))
                .collect(),
            invalid,
            notes,
        }
    }
}
