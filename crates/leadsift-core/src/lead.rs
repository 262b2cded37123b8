//! The leaf types of a cleaned file: [`Lead`] (one optional value per canonical field),
//! [`LeadKey`], [`RowStatus`], [`Row`], and what a row is made from ([`Cells`],
//! [`ReadFacts`]). This module imports nothing of reading or judging, so every other module can
//! use it without a cycle.

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::clean::{SmallText, Value};
use crate::field::Field;
use crate::issue::Issue;

/// Whether a row is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// No issues.
    Valid,
    /// Imported, with issues.
    Warning,
    /// Not imported.
    Rejected,
}

/// A cleaned lead: one optional value per canonical field.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    values: Vec<Option<Value>>,
}

impl Default for Lead {
    fn default() -> Self {
        Lead {
            // Written slot by slot (no value to clone): the slots only need their `None`.
            values: std::iter::repeat_with(|| None).take(Field::COUNT).collect(),
        }
    }
}

impl Lead {
    pub fn get(&self, field: Field) -> Option<&Value> {
        self.values[field.index()].as_ref()
    }

    pub fn set(&mut self, field: Field, value: Option<Value>) {
        self.values[field.index()] = value;
    }

    /// The slot of `field`, to clean a value into where it is kept.
    pub(crate) fn slot(&mut self, field: Field) -> &mut Option<Value> {
        &mut self.values[field.index()]
    }

    /// Empties every field but those in `keep` (a bit per [`Field::index`]), keeping the
    /// slots: a slot kept must be written before the lead is read.
    pub(crate) fn clear_except(&mut self, keep: u64) {
        for (i, v) in self.values.iter_mut().enumerate() {
            if keep >> i & 1 == 0 && v.is_some() {
                *v = None;
            }
        }
    }

    /// Every canonical field with its value, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (Field, Option<&Value>)> {
        Field::ALL.iter().map(|f| (*f, self.get(*f)))
    }

    pub(crate) fn text(&self, field: Field) -> Option<String> {
        self.get(field)
            .filter(|v| !v.is_masked())
            .map(|v| v.to_text().into_owned())
    }
}

impl Serialize for Lead {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(Field::COUNT))?;
        for (field, value) in self.iter() {
            map.serialize_entry(field.name(), &value)?;
        }
        map.end()
    }
}

/// What a [`LeadKey`] was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    LeadId,
    EventId,
    /// The fingerprint of e-mail, phone and submission time.
    Contact,
}

/// The identity of a lead: `lead:<lead_id>`, `event:<event_id>`, or `fp:<fingerprint>` of the
/// cleaned email, phone and submission time.
///
/// Kept in place when it is short (a lead or event id's key, nearly every row's): making it
/// costs a row no allocation. Hashed, ordered and written as its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadKey(SmallText);

impl std::hash::Hash for LeadKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for LeadKey {
    fn partial_cmp(&self, other: &LeadKey) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LeadKey {
    fn cmp(&self, other: &LeadKey) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Serialize for LeadKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LeadKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<LeadKey, D::Error> {
        String::deserialize(d).map(|key| LeadKey(key.into()))
    }
}

impl LeadKey {
    /// The fields a lead key is made of: [`LeadKey::of`] reads no other.
    pub const FIELDS: &'static [Field] = &[
        Field::LeadId,
        Field::EventId,
        Field::Email,
        Field::Phone1,
        Field::Phone2,
        Field::Phone3,
        Field::SubmittedAt,
    ];

    /// What the key was made from.
    pub fn kind(&self) -> KeyKind {
        if self.as_str().starts_with("lead:") {
            KeyKind::LeadId
        } else if self.as_str().starts_with("event:") {
            KeyKind::EventId
        } else {
            KeyKind::Contact
        }
    }

    /// The fields whose values decided the key of a lead whose key was made from `kind`
    /// (`None`: the lead had no key): while they are unchanged, so is the key. A lead id
    /// comes first, then an event id, then the contact fields ([`LeadKey::of`]).
    pub fn decided_by(kind: Option<KeyKind>) -> &'static [Field] {
        match kind {
            Some(KeyKind::LeadId) => &LeadKey::FIELDS[..1],
            Some(KeyKind::EventId) => &LeadKey::FIELDS[..2],
            Some(KeyKind::Contact) | None => LeadKey::FIELDS,
        }
    }

    /// The key of a cleaned lead, or `None` when it has no identity.
    pub fn of(lead: &Lead) -> Option<LeadKey> {
        for (field, prefix) in [(Field::LeadId, "lead:"), (Field::EventId, "event:")] {
            if let Some(id) = lead.get(field).filter(|v| !v.is_masked()) {
                return Some(LeadKey(SmallText::concat(prefix, &id.to_text())));
            }
        }
        let email = lead
            .get(Field::Email)
            .filter(|v| matches!(v, Value::Email(_)));
        let phone = [Field::Phone1, Field::Phone2, Field::Phone3]
            .iter()
            .find_map(|f| match lead.get(*f) {
                Some(Value::Phone(p)) => Some(p.number().to_owned()),
                _ => None,
            });
        if email.is_none() && phone.is_none() {
            return None;
        }
        let mut h = Sha256::new();
        h.update(email.map(|e| e.to_text().into_owned()).unwrap_or_default());
        h.update([0x1f]);
        h.update(phone.unwrap_or_default());
        h.update([0x1f]);
        h.update(lead.text(Field::SubmittedAt).unwrap_or_default());
        let digest = h.finalize();
        Some(LeadKey(SmallText::concat(
            "fp:",
            &crate::text::hex(&digest[..16]),
        )))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// What reading found about a record besides its cells; with them, a [`crate::validate::Replayer`] makes the
/// record's row again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadFacts {
    /// Fields seen, including those past the column limit.
    pub field_count: usize,
    /// The first field over the size limit (zero-based) and its size.
    pub oversized_field: Option<(usize, usize)>,
    /// The record's size, when it went over the limit.
    pub oversized_record: Option<usize>,
    /// The line of a quote that the file never closed.
    pub unterminated_quote: Option<u64>,
    /// Whether the decoder had replaced invalid bytes by the time the record was read (only
    /// then is a U+FFFD in a cell a replaced byte rather than text).
    pub replaced: bool,
}

/// A record's cells exactly as read, in one string with each cell's end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cells {
    text: String,
    ends: Vec<u32>,
}

impl Cells {
    pub fn new(cells: &[&str]) -> Cells {
        let mut new = Cells {
            text: String::with_capacity(cells.iter().map(|c| c.len()).sum()),
            ends: Vec::with_capacity(cells.len()),
        };
        new.refill(cells);
        new
    }

    /// Holds `cells` in place of what it held, keeping its buffers.
    pub fn refill(&mut self, cells: &[&str]) {
        self.text.clear();
        self.ends.clear();
        for c in cells {
            self.text.push_str(c);
            self.ends
                .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        }
    }

    /// Cells from their parts (as a store kept them); `None` unless every end lies within the
    /// text, in order, between characters.
    pub fn from_parts(text: String, ends: Vec<u32>) -> Option<Cells> {
        let mut start = 0;
        for &end in &ends {
            let end = end as usize;
            if end < start || !text.is_char_boundary(end) {
                return None;
            }
            start = end;
        }
        Some(Cells { text, ends })
    }

    /// Every cell's text, one after another.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where each cell ends in [`Cells::text`].
    pub fn ends(&self) -> &[u32] {
        &self.ends
    }

    pub fn get(&self) -> Vec<&str> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let cell = self.text.get(start..end as usize).unwrap_or_default();
                start = end as usize;
                cell
            })
            .collect()
    }
}

/// One data record, cleaned.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Zero-based number among the data records (blank lines are no record).
    pub record: u64,
    /// The physical line the record starts on.
    pub line: u64,
    pub status: RowStatus,
    pub lead: Lead,
    /// Columns that map to no field: the column's key and the raw value; empty cells left out.
    pub extra: Vec<(String, String)>,
    pub issues: Vec<Issue>,
    pub key: Option<LeadKey>,
    /// The line of the earlier row with the same key, which this row replaces.
    pub replaces_line: Option<u64>,
    /// The record's cells as read, in column order, each under its column's key (the header,
    /// `Email (column 3)` for a repeated one, `column_N` past the header), empty cells
    /// included, when [`crate::Options::keep_original`] is set; else empty. What an import
    /// stores as the lead's original row.
    pub original: Vec<(String, String)>,
    /// What reading found about the record besides its cells (default for a row not read
    /// from a file).
    pub read: ReadFacts,
    /// The record's cells exactly as read, when [`crate::Options::keep_cells`] is set.
    pub cells: Option<Cells>,
    /// The keys of the columns (as in [`Row::original`]) whose cells a person edited before
    /// the row was made ([`crate::Replayer::edited_row`]); empty for a row as read.
    pub edited: Vec<String>,
}

impl Row {
    /// A row of nothing: no value, no issue, valid.
    pub(crate) fn empty(record: u64, line: u64) -> Row {
        Row {
            record,
            line,
            status: RowStatus::Valid,
            lead: Lead::default(),
            extra: Vec::new(),
            issues: Vec::new(),
            key: None,
            replaces_line: None,
            original: Vec::new(),
            read: ReadFacts::default(),
            cells: None,
            edited: Vec::new(),
        }
    }

    /// Whether a value of column `header` (its header as in [`crate::mapping::Column::header`])
    /// failed cleaning in this row: the cell a "set the invalid cells to empty" fix empties.
    pub fn failed_in_column(&self, header: &str) -> bool {
        self.issues
            .iter()
            .any(|i| i.failed_field().is_some() && i.column.as_deref() == Some(header))
    }

    /// The key by which a later row with the same key replaces this one in the file: its lead
    /// key, unless the row is rejected (a rejected row replaces nothing and is replaced by
    /// nothing).
    pub fn standing_key(&self) -> Option<&LeadKey> {
        self.key
            .as_ref()
            .filter(|_| self.status != RowStatus::Rejected)
    }
}

/// Name → text pairs written as a JSON object in their own order (a map would sort them):
/// `extra`, and the original row in column order.
#[derive(Debug, Clone, Copy)]
pub struct TextMap<'a>(pub &'a [(String, String)]);

impl Serialize for TextMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Serialize for Row {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Row", 8)?;
        st.serialize_field("record", &self.record)?;
        st.serialize_field("line", &self.line)?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("key", &self.key)?;
        st.serialize_field("lead", &self.lead)?;
        st.serialize_field("extra", &TextMap(&self.extra))?;
        st.serialize_field("issues", &self.issues)?;
        st.serialize_field("replaces_line", &self.replaces_line)?;
        if !self.original.is_empty() {
            st.serialize_field("original", &TextMap(&self.original))?;
        }
        if !self.edited.is_empty() {
            st.serialize_field("edited", &self.edited)?;
        }
        st.end()
    }
}

#[cfg(test)]
mod tests;
