//! Reconciling an export with what was delivered: each lead of the file against the stored
//! leads that are the same lead, into five classes.
//!
//! A stored lead is the file's lead when it has the file row's key, or when it was delivered
//! (`import_source = api`) with the same submission time and the same e-mail or the same
//! first phone ([`same_delivery`]). The persistence layer finds those candidates and the fields
//! in which one differs; the classes, the rule and the report are decided here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::clean::Value;
use crate::field::Field;
use crate::report::csv_cell;
use crate::validate::Row;

/// Where a lead of the export, or a delivered lead, stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Delivered once, with the content the export says.
    Matched,
    /// Delivered once, with other values in some fields.
    Differs,
    /// In the export; no stored lead is it.
    NotDelivered,
    /// Delivered inside the export's submission window, and absent from the export.
    DeliveredNotExported,
    /// Two or more stored leads are the one lead of the export.
    DeliveredTwice,
}

impl Class {
    pub const ALL: [Class; 5] = [
        Class::Matched,
        Class::Differs,
        Class::NotDelivered,
        Class::DeliveredNotExported,
        Class::DeliveredTwice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Matched => "matched",
            Class::Differs => "differs",
            Class::NotDelivered => "not_delivered",
            Class::DeliveredNotExported => "delivered_not_exported",
            Class::DeliveredTwice => "delivered_twice",
        }
    }

    /// For people: "delivered, not exported".
    pub fn label(self) -> &'static str {
        match self {
            Class::Matched => "matched",
            Class::Differs => "differs",
            Class::NotDelivered => "not delivered",
            Class::DeliveredNotExported => "delivered, not exported",
            Class::DeliveredTwice => "delivered twice",
        }
    }
}

/// What identifies a delivery when keys differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contact<'a> {
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// In UTC.
    pub submitted_at: Option<NaiveDateTime>,
}

impl<'a> Contact<'a> {
    /// A file row's contact, from its cleaned values.
    pub fn of(row: &'a Row) -> Contact<'a> {
        let text = |f| match row.lead.get(f) {
            Some(Value::Email(e)) => Some(e.as_str()),
            Some(Value::Phone(p)) => Some(p.as_str()),
            _ => None,
        };
        Contact {
            email: text(Field::Email),
            phone: text(Field::Phone1),
            submitted_at: match row.lead.get(Field::SubmittedAt) {
                Some(Value::Timestamp(t)) => Some(t.utc().naive_utc()),
                _ => None,
            },
        }
    }
}

/// Whether a delivered lead is the file's lead though its key differs: the same submission
/// time, and the same e-mail or the same first phone.
pub fn same_delivery(file: &Contact<'_>, delivered: &Contact<'_>) -> bool {
    let same = |a: Option<&str>, b: Option<&str>| a.is_some() && a == b;
    file.submitted_at.is_some()
        && file.submitted_at == delivered.submitted_at
        && (same(file.email, delivered.email) || same(file.phone, delivered.phone))
}

/// One field whose delivered value is not the exported one (`extra` for the unmapped cells).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// A canonical field's name, or `extra`.
    pub field: String,
    pub delivered: Option<String>,
    pub exported: Option<String>,
}

/// One lead's place: a row of the export, or a delivered lead the export lacks.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub class: Class,
    /// The export's line; `None` for a delivered lead the export lacks.
    pub line: Option<u64>,
    /// The export row's key.
    pub key: Option<String>,
    /// The keys of the stored leads that are this lead.
    pub stored: Vec<String>,
    pub differences: Vec<Difference>,
}

impl Finding {
    /// The finding of an export row, from the stored leads that are it and, when there is one,
    /// the fields in which it differs.
    pub fn of_row(row: &Row, stored: Vec<String>, differences: Vec<Difference>) -> Finding {
        let class = match stored.len() {
            0 => Class::NotDelivered,
            1 if differences.is_empty() => Class::Matched,
            1 => Class::Differs,
            _ => Class::DeliveredTwice,
        };
        Finding {
            class,
            line: Some(row.line),
            key: row.key.as_ref().map(|k| k.as_str().to_owned()),
            stored,
            differences: if class == Class::Differs {
                differences
            } else {
                Vec::new()
            },
        }
    }

    /// A delivered lead the export lacks.
    pub fn not_exported(stored_key: String) -> Finding {
        Finding {
            class: Class::DeliveredNotExported,
            line: None,
            key: None,
            stored: vec![stored_key],
            differences: Vec::new(),
        }
    }

    /// The report's lines: one per difference, or one; formula-escaped.
    pub fn to_csv(&self) -> String {
        let head = format!(
            "{},{},{},{}",
            self.class.as_str(),
            self.line.map(|l| l.to_string()).unwrap_or_default(),
            csv_cell(self.key.as_deref().unwrap_or_default()),
            csv_cell(&self.stored.join(" "))
        );
        if self.differences.is_empty() {
            return format!("{head},,,\n");
        }
        self.differences
            .iter()
            .map(|d| {
                format!(
                    "{head},{},{},{}\n",
                    d.field,
                    csv_cell(d.delivered.as_deref().unwrap_or_default()),
                    csv_cell(d.exported.as_deref().unwrap_or_default())
                )
            })
            .collect()
    }
}

/// The report's header line.
pub const RECONCILE_REPORT_HEADER: &str =
    "class,line,lead_key,stored_keys,field,delivered,exported\n";

/// The export's submission window: the earliest and latest `submitted_at` of its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

impl Window {
    pub fn add(&mut self, row: &Row) {
        if let Some(t) = Contact::of(row).submitted_at {
            self.from = Some(self.from.map_or(t, |f| f.min(t)));
            self.to = Some(self.to.map_or(t, |x| x.max(t)));
        }
    }

    /// The window as `GET /api/v1/reconcile/deliveries` reads it (RFC 3339 in UTC, to the
    /// microsecond); `None` when no row has a submission time, so no delivery can be missed.
    pub fn bounds(&self) -> Option<(String, String)> {
        // chrono's `%Y-%m-%dT%H:%M:%S%.6fZ`, written without a format string.
        let text = |t: NaiveDateTime| {
            use chrono::Timelike;
            let mut out = String::with_capacity(27);
            let _ = crate::clean::write_date(&mut out, t.date());
            // A leap second (nanoseconds past a billion) reads as second 60.
            let leap = u32::from(t.nanosecond() >= 1_000_000_000);
            let micros = t.nanosecond() % 1_000_000_000 / 1000;
            let _ = write!(
                out,
                "T{:02}:{:02}:{:02}.{micros:06}Z",
                t.hour(),
                t.minute(),
                t.second() + leap
            );
            out
        };
        Some((text(self.from?), text(self.to?)))
    }
}

/// The stored leads that some row of the export is, by key: what a client of the HTTP API
/// keeps to tell, at the end, the deliveries that no row is.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    keys: std::collections::HashSet<String>,
}

impl Seen {
    pub fn add(&mut self, f: &Finding) {
        if f.line.is_some() {
            self.keys.extend(f.stored.iter().cloned());
        }
    }

    /// The finding of a delivery of the export's window, when no row of the export is it.
    pub fn not_exported(&self, stored_key: &str) -> Option<Finding> {
        (!self.keys.contains(stored_key)).then(|| Finding::not_exported(stored_key.to_owned()))
    }
}

/// The counts of each class, and how often each field differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileSummary {
    /// Rows of the export that were classified.
    pub rows: u64,
    pub matched: u64,
    pub differs: u64,
    pub not_delivered: u64,
    pub delivered_not_exported: u64,
    pub delivered_twice: u64,
    /// Differing leads by field.
    pub fields: BTreeMap<String, u64>,
}

impl ReconcileSummary {
    pub fn add(&mut self, f: &Finding) {
        if f.line.is_some() {
            self.rows += 1;
        }
        *match f.class {
            Class::Matched => &mut self.matched,
            Class::Differs => &mut self.differs,
            Class::NotDelivered => &mut self.not_delivered,
            Class::DeliveredNotExported => &mut self.delivered_not_exported,
            Class::DeliveredTwice => &mut self.delivered_twice,
        } += 1;
        for d in &f.differences {
            *self.fields.entry(d.field.clone()).or_default() += 1;
        }
    }

    pub fn count(&self, class: Class) -> u64 {
        match class {
            Class::Matched => self.matched,
            Class::Differs => self.differs,
            Class::NotDelivered => self.not_delivered,
            Class::DeliveredNotExported => self.delivered_not_exported,
            Class::DeliveredTwice => self.delivered_twice,
        }
    }
}

#[cfg(test)]
mod tests;
