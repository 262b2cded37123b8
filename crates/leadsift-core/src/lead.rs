//! The leaf types of a cleaned file: [`Lead`] (one optional value per canonical field),
//! [`LeadKey`], [`RowStatus`] and [`Row`]. This module imports nothing of reading or judging,
//! so every other module can use it without a cycle.

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::clean::Value;
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
            values: vec![None; Field::COUNT],
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

/// The identity of a lead: `lead:<lead_id>`, `event:<event_id>`, or `fp:<fingerprint>` of the
/// cleaned email, phone and submission time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeadKey(String);

impl LeadKey {
    /// The key of a cleaned lead, or `None` when it has no identity.
    pub fn of(lead: &Lead) -> Option<LeadKey> {
        for (field, prefix) in [(Field::LeadId, "lead:"), (Field::EventId, "event:")] {
            if let Some(id) = lead.get(field).filter(|v| !v.is_masked()) {
                let id = id.to_text();
                let mut key = String::with_capacity(prefix.len() + id.len());
                key.push_str(prefix);
                key.push_str(&id);
                return Some(LeadKey(key));
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
        Some(LeadKey(format!("fp:{}", crate::text::hex(&digest[..16]))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
        st.end()
    }
}
