//! The wire: a cleaned row as it travels from a client (the browser, `leadsift import
//! --server`) to the server, and the server's re-validation of it. [`WireRow`] is the row as
//! text; [`BatchRowJson`] writes it in the batch API's JSON and [`BatchRowIn`] reads that JSON
//! back (the endpoint's one body shape); [`StoredRow`] reads a validator's own row JSON (what
//! a JavaScript client of `leadsift-wasm` holds) into a `WireRow`; [`batch_checksum`] is the batch's digest.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clean::{self, CleanOptions};
use crate::field::Field;
use crate::issue::{Issue, IssueCode, Severity};
use crate::judge::{identify, status};
use crate::lead::{Lead, Row};

/// A value that failed cleaning on the client, sent with its raw text so that the server can
/// check the verdict and keep the raw value.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The record's cells as read ([`Row::original`]); empty when the client keeps none.
    #[serde(default)]
    pub original: Vec<(String, String)>,
    /// The columns whose cells a person edited on the client ([`Row::edited`]): the values
    /// are validated like any other, and stored with this mark.
    #[serde(default)]
    pub edited: Vec<String>,
}

/// The values of `row` that failed cleaning, with their raw text: what a client sends as
/// `invalid`.
fn invalid_of(row: &Row) -> Vec<InvalidValue> {
    row.issues
        .iter()
        .filter_map(|i| {
            let field = i.failed_field()?;
            row.lead.get(field).is_none().then(|| InvalidValue {
                field: field.name().to_owned(),
                column: i.column.clone(),
                raw: i.raw.clone().unwrap_or_default(),
            })
        })
        .collect()
}

/// Whether a client sends `issue` as a note: an issue that only the file could show (a value's
/// failure travels as `invalid`; identity, masks and tampering the server decides again).
fn is_note(issue: &Issue) -> bool {
    issue.failed_field().is_none()
        && !matches!(
            issue.code,
            IssueCode::NoIdentity | IssueCode::Masked | IssueCode::TamperedValue
        )
}

/// The issues of `row` that a client sends as `notes`.
fn notes_of(row: &Row) -> impl Iterator<Item = &Issue> {
    row.issues.iter().filter(|i| is_note(i))
}

impl WireRow {
    pub fn from_row(row: &Row) -> WireRow {
        WireRow {
            record: row.record,
            line: row.line,
            values: row
                .lead
                .iter()
                .map(|(f, v)| (f.name().to_owned(), v.map(|v| v.to_text().into_owned())))
                .collect(),
            extra: row.extra.clone(),
            invalid: invalid_of(row),
            notes: notes_of(row).cloned().collect(),
            original: row.original.clone(),
            edited: row.edited.clone(),
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
        // No client's row holds more than a file's record may: the columns and bytes of the
        // default `Limits`, which every reader of a file applies.
        let limits = crate::records::Limits::default();
        let too_large = |pairs: &[(String, String)]| {
            pairs.len() > limits.max_columns
                || pairs.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()
                    > limits.max_record_bytes
        };
        let edited_too_large = self.edited.len() > limits.max_columns
            || self.edited.iter().map(String::len).sum::<usize>() > limits.max_record_bytes;
        if too_large(&self.extra) || too_large(&self.original) || edited_too_large {
            issues.push(Issue::new(
                IssueCode::TamperedValue,
                format!(
                    "the row's extra cells, original cells or edited columns are more than a \
                     file's record may hold ({} columns, {} bytes)",
                    limits.max_columns, limits.max_record_bytes
                ),
            ));
        }
        let key = identify(&lead, &mut issues);
        let status = status(&issues, strict);
        // A client's strings reach storage only without NUL (`text::NUL_STANDS_IN`); values
        // with one were refused above, as cleaning removes control characters.
        let mut extra = self.extra.clone();
        let mut original = self.original.clone();
        for (k, v) in extra.iter_mut().chain(original.iter_mut()) {
            crate::text::strip_nul(k);
            crate::text::strip_nul(v);
        }
        let mut edited = self.edited.clone();
        edited.iter_mut().for_each(crate::text::strip_nul);
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
            original,
            read: crate::lead::ReadFacts::default(),
            cells: None,
            edited,
        }
    }
}

/// The checksum of a batch: SHA-256 over every row's number, line, values, extra and original
/// row, rows in order, each row's pairs by name.
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
        // By name too: a client whose JSON library sorts objects (or, like JavaScript, puts
        // integer-like keys first) still sends the same batch; the order is stored as sent.
        let mut original: Vec<&(String, String)> = r.original.iter().collect();
        original.sort();
        h.update([0x1d]);
        for (k, v) in original {
            h.update(k);
            h.update([0x1e]);
            h.update(v);
            h.update([0x1f]);
        }
        // Only when there are any: a batch without edits keeps the checksum it always had.
        if !r.edited.is_empty() {
            h.update([0x1d]);
            for k in &r.edited {
                h.update(k);
                h.update([0x1f]);
            }
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
        struct Notes<'r>(&'r Row);
        impl Serialize for Notes<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(notes_of(self.0))
            }
        }
        let mut st = s.serialize_struct("BatchRow", 7)?;
        st.serialize_field("record", &self.0.record)?;
        st.serialize_field("line", &self.0.line)?;
        st.serialize_field("lead", &self.0.lead)?;
        st.serialize_field("extra", &crate::lead::TextMap(&self.0.extra))?;
        st.serialize_field("invalid", &invalid_of(self.0))?;
        st.serialize_field("notes", &Notes(self.0))?;
        if !self.0.original.is_empty() {
            st.serialize_field("original", &crate::lead::TextMap(&self.0.original))?;
        }
        if !self.0.edited.is_empty() {
            st.serialize_field("edited", &self.0.edited)?;
        }
        st.end()
    }
}

/// A [`WireRow`] in the batch API's JSON, every value as its text (the shape [`BatchRowIn`]
/// reads; the server cleans the text again either way): how a client that holds rows as
/// JSON, not as `Row`s (a JavaScript client of `leadsift-wasm`), or that holds the wire rows
/// it checksummed (the browser's worker), writes a batch.
#[derive(Debug)]
pub struct WireRowJson<'a>(pub &'a WireRow);

impl Serialize for WireRowJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeStruct};
        struct Pairs<'p, V>(&'p [(String, V)]);
        impl<V: Serialize> Serialize for Pairs<'_, V> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        let w = self.0;
        let mut st = s.serialize_struct("BatchRow", 7)?;
        st.serialize_field("record", &w.record)?;
        st.serialize_field("line", &w.line)?;
        st.serialize_field("lead", &Pairs(&w.values))?;
        st.serialize_field("extra", &Pairs(&w.extra))?;
        st.serialize_field("invalid", &w.invalid)?;
        st.serialize_field("notes", &w.notes)?;
        if !w.original.is_empty() {
            st.serialize_field("original", &Pairs(&w.original))?;
        }
        if !w.edited.is_empty() {
            st.serialize_field("edited", &w.edited)?;
        }
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

/// A row as the batch API receives it: the shape [`BatchRowJson`] and [`WireRowJson`] write,
/// and the only one the endpoint reads. Any other key is refused (a validator's own row, with
/// `issues` and `status`, would otherwise lose its failed values' raw text without a word).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(
        description = "One cleaned row: `lead` holds canonical fields (their normal form as text), `extra` the cells of unmapped columns, `invalid` the raw text of values that failed cleaning, `notes` the issues only the file could show, `original` the record's cells, `edited` the columns whose cells a person edited before sending. Any other key is refused."
    )
)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// The record's cells as read, header → text, in column order.
    #[serde(default)]
    pub original: OrderedText,
    /// The columns (keys of `original`) whose cells a person edited before sending.
    #[serde(default)]
    pub edited: Vec<String>,
}

impl BatchRowIn {
    pub fn into_wire(self) -> WireRow {
        let mut w = wire_row(
            self.record,
            self.line,
            self.lead,
            self.extra,
            self.invalid,
            self.notes,
        );
        w.original = self.original.0;
        w.edited = self.edited;
        w
    }
}

/// A JSON object of text values read in the order it was written (a map would sort it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderedText(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for OrderedText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<OrderedText, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = OrderedText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of column names to the cells' text")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<OrderedText, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(OrderedText(pairs))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A validator's own row JSON (`{record, line, lead, extra, issues, ...}`, as `Row` serialises
/// and a JavaScript client of `leadsift-wasm` holds it), read into the wire row it stands for: the failed
/// values become `invalid`, the file's notes `notes`. Never a request body.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredRow {
    pub record: u64,
    pub line: u64,
    pub lead: std::collections::BTreeMap<String, Scalar>,
    #[serde(default)]
    pub extra: std::collections::BTreeMap<String, Scalar>,
    #[serde(default)]
    pub issues: Vec<Issue>,
    /// The record's cells as read, when the row kept them.
    #[serde(default)]
    pub original: OrderedText,
    #[serde(default)]
    pub edited: Vec<String>,
}

impl StoredRow {
    pub fn into_wire(self) -> WireRow {
        let null = |field: Field| {
            self.lead
                .get(field.name())
                .is_some_and(|v| *v == Scalar::Null)
        };
        let (mut invalid, mut notes) = (Vec::new(), Vec::new());
        for i in &self.issues {
            match i.failed_field() {
                Some(f) if null(f) => invalid.push(InvalidValue {
                    field: f.name().to_owned(),
                    column: i.column.clone(),
                    raw: i.raw.clone().unwrap_or_default(),
                }),
                _ if is_note(i) => notes.push(i.clone()),
                _ => {}
            }
        }
        let mut w = wire_row(
            self.record,
            self.line,
            self.lead,
            self.extra,
            invalid,
            notes,
        );
        w.original = self.original.0;
        w.edited = self.edited;
        w
    }
}

fn wire_row(
    record: u64,
    line: u64,
    lead: std::collections::BTreeMap<String, Scalar>,
    extra: std::collections::BTreeMap<String, Scalar>,
    invalid: Vec<InvalidValue>,
    notes: Vec<Issue>,
) -> WireRow {
    WireRow {
        record,
        line,
        values: lead.into_iter().map(|(k, v)| (k, v.into_text())).collect(),
        extra: extra
            .into_iter()
            .filter_map(|(k, v)| v.into_text().map(|t| (k, t)))
            .collect(),
        invalid,
        notes,
        original: Vec::new(),
        edited: Vec::new(),
    }
}
