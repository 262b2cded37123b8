//! A cleaned row as column values: the translation from the core's typed values to what the
//! tables store. Values that a column's type cannot hold (a masked date) are kept, with the
//! raw values of fields that failed cleaning, in the `invalid` JSON column.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use leadsift_core::clean::Value;
use leadsift_core::{Field, Row, TextMap};

#[derive(Debug)]
pub struct Columns<'a> {
    row: &'a Row,
}

impl<'a> Columns<'a> {
    pub fn new(row: &'a Row) -> Self {
        Columns { row }
    }

    pub fn text(&self, f: Field) -> Option<String> {
        self.row.lead.get(f).map(|v| v.to_text().into_owned())
    }

    pub fn timestamp(&self, f: Field) -> Option<NaiveDateTime> {
        match self.row.lead.get(f) {
            Some(Value::Timestamp(t)) => Some(t.utc().naive_utc()),
            _ => None,
        }
    }

    pub fn date(&self, f: Field) -> Option<NaiveDate> {
        match self.row.lead.get(f) {
            Some(Value::Date(d)) => Some(d.date()),
            _ => None,
        }
    }

    pub fn number(&self, f: Field) -> Option<f64> {
        match self.row.lead.get(f) {
            Some(Value::Number(n)) => Some(n.value()),
            _ => None,
        }
    }

    pub fn boolean(&self, f: Field) -> Option<bool> {
        match self.row.lead.get(f) {
            Some(Value::Boolean(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn extra_json(&self) -> String {
        let map: BTreeMap<&str, &str> = self
            .row
            .extra
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        serde_json::to_string(&map).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The original row as a JSON object in column order (the row's own order, which a map
    /// would sort), or `None` when the row kept none.
    pub fn original_json(&self) -> Option<String> {
        if self.row.original.is_empty() {
            return None;
        }
        serde_json::to_string(&TextMap(&self.row.original)).ok()
    }

    /// The edited columns as a JSON array, or `None` when no cell was edited.
    pub fn edited_json(&self) -> Option<String> {
        if self.row.edited.is_empty() {
            return None;
        }
        serde_json::to_string(&self.row.edited).ok()
    }

    /// `{field: {"raw": ..., "code": ...}}` for values that failed cleaning, and masked values.
    pub fn invalid_json(&self) -> String {
        let mut map = BTreeMap::new();
        for issue in &self.row.issues {
            if let Some(field) = issue.kept_raw_field() {
                map.insert(
                    field.name(),
                    serde_json::json!({"raw": issue.raw, "code": issue.code.as_str()}),
                );
            }
        }
        serde_json::to_string(&map).unwrap_or_else(|_| "{}".to_owned())
    }
}
