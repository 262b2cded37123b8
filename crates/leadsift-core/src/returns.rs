//! Returns: which leads of an export go back to their seller, and why, in the form
//! LeadConduit's feedback import reads (Lead Events › Import Feedback, imported as "Returns"):
//! an `Event ID` column and a `Reason` column.
//!
//! A row is returned when one of its issues has a chosen code (or, for `is_test`, when the
//! lead says it is a test). It can be returned only with its `event_id`: a matching row
//! without one is counted apart, never written.

use crate::clean::Value;
use crate::field::Field;
use crate::issue::IssueCode;
use crate::report::csv_cell;
use crate::validate::Row;

/// The returns file's header line.
pub const RETURNS_HEADER: &str = "Event ID,Reason\n";

/// Why a lead may be returned: an issue of its row, or its own word that it is a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ReturnCode {
    /// A row with an issue of this code.
    Issue(IssueCode),
    /// A lead whose `is_test` is true.
    Test,
}

/// The codes returned when none are chosen: what sellers take back.
pub const DEFAULT_RETURN_CODES: [ReturnCode; 4] = [
    ReturnCode::Issue(IssueCode::InvalidPhone),
    ReturnCode::Issue(IssueCode::InvalidEmail),
    ReturnCode::Issue(IssueCode::DuplicateInFile),
    ReturnCode::Test,
];

/// A reason list that names no reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReturnsError {
    #[error(
        "{0:?} is not a reason code: use an issue code (invalid_phone, invalid_email, duplicate_in_file, …) or is_test"
    )]
    UnknownCode(String),
    #[error("no reason code is given")]
    NoCodes,
}

impl ReturnCode {
    /// `is_test`, or the issue's code.
    pub fn name(self) -> &'static str {
        match self {
            ReturnCode::Issue(code) => code.as_str(),
            ReturnCode::Test => "is_test",
        }
    }

    pub fn parse(name: &str) -> Result<ReturnCode, ReturnsError> {
        let name = name.trim();
        if name == "is_test" {
            return Ok(ReturnCode::Test);
        }
        IssueCode::ALL
            .iter()
            .find(|c| c.as_str() == name)
            .map(|c| ReturnCode::Issue(*c))
            .ok_or_else(|| ReturnsError::UnknownCode(name.to_owned()))
    }

    /// Every code a returns rule accepts, for a page's checkboxes.
    pub fn all() -> impl Iterator<Item = ReturnCode> {
        IssueCode::ALL
            .iter()
            .map(|c| ReturnCode::Issue(*c))
            .chain([ReturnCode::Test])
    }
}

/// Which codes return a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRule {
    codes: Vec<ReturnCode>,
}

impl Default for ReturnRule {
    fn default() -> Self {
        ReturnRule::new(DEFAULT_RETURN_CODES)
    }
}

/// A lead to return: its line, its event id (when it has one), the codes that matched, the
/// reason and its price.
#[derive(Debug, Clone, PartialEq)]
pub struct Return {
    pub line: u64,
    pub event_id: Option<String>,
    pub codes: Vec<ReturnCode>,
    /// A short sentence for the seller, built from the matching issues.
    pub reason: String,
    /// The lead's `price`, in cents.
    pub price_cents: Option<i64>,
}

impl Return {
    /// The returns file's line, formula-escaped; `None` without an event id.
    pub fn to_csv(&self) -> Option<String> {
        let id = self.event_id.as_deref()?;
        Some(format!("{},{}\n", csv_cell(id), csv_cell(&self.reason)))
    }
}

impl ReturnRule {
    /// A rule of these codes (duplicates dropped, in the order given).
    pub fn new(codes: impl IntoIterator<Item = ReturnCode>) -> ReturnRule {
        let mut out: Vec<ReturnCode> = Vec::new();
        for c in codes {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        ReturnRule { codes: out }
    }

    /// A comma-separated list of codes: `invalid_phone,invalid_email,is_test`.
    pub fn parse_list(list: &str) -> Result<ReturnRule, ReturnsError> {
        let codes = list
            .split(',')
            .filter(|c| !c.trim().is_empty())
            .map(ReturnCode::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if codes.is_empty() {
            return Err(ReturnsError::NoCodes);
        }
        Ok(ReturnRule::new(codes))
    }

    pub fn codes(&self) -> &[ReturnCode] {
        &self.codes
    }

    /// Whether `row` goes back, and why.
    pub fn judge(&self, row: &Row) -> Option<Return> {
        Candidate::of(row)?.under(self)
    }
}

/// Every reason a row could go back for, before any is chosen: what a page keeps per row so
/// that the choice of reasons can change without reading the file again.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub line: u64,
    pub event_id: Option<String>,
    /// The lead's `price`, in cents.
    pub price_cents: Option<i64>,
    /// Each code the row has, with its phrase, in [`ReturnCode::all`]'s order.
    pub matches: Vec<(ReturnCode, String)>,
}

impl Candidate {
    /// The reasons `row` could go back for; `None` when it has none.
    pub fn of(row: &Row) -> Option<Candidate> {
        let matches: Vec<(ReturnCode, String)> = ReturnCode::all()
            .filter_map(|code| {
                let phrase = match code {
                    ReturnCode::Test => {
                        matches!(row.lead.get(Field::IsTest), Some(Value::Boolean(true)))
                            .then(|| "test lead".to_owned())
                    }
                    ReturnCode::Issue(c) => phrase(row, c),
                };
                phrase.map(|p| (code, p))
            })
            .collect();
        if matches.is_empty() {
            return None;
        }
        Some(Candidate {
            line: row.line,
            event_id: row
                .lead
                .get(Field::EventId)
                .map(|v| v.to_text().into_owned()),
            price_cents: match row.lead.get(Field::Price) {
                Some(Value::Number(n)) => Some((n.value() * 100.0).round() as i64),
                _ => None,
            },
            matches,
        })
    }

    /// The return under `rule`: the phrases of its codes, in its order; `None` when the row
    /// has none of them.
    pub fn under(&self, rule: &ReturnRule) -> Option<Return> {
        let mut codes = Vec::new();
        let mut phrases = Vec::new();
        for code in &rule.codes {
            if let Some((_, p)) = self.matches.iter().find(|(c, _)| c == code) {
                codes.push(*code);
                phrases.push(p.as_str());
            }
        }
        if codes.is_empty() {
            return None;
        }
        let mut reason = phrases.join("; ");
        if let Some(first) = reason.get(..1) {
            let upper = first.to_ascii_uppercase();
            reason.replace_range(..1, &upper);
        }
        Some(Return {
            line: self.line,
            event_id: self.event_id.clone(),
            codes,
            reason,
            price_cents: self.price_cents,
        })
    }
}

/// The phrase for the issues of `row` with `code`, or `None` when it has none.
fn phrase(row: &Row, code: IssueCode) -> Option<String> {
    let matching: Vec<_> = row.issues.iter().filter(|i| i.code == code).collect();
    if matching.is_empty() {
        return None;
    }
    let mut fields: Vec<&str> = matching
        .iter()
        .filter_map(|i| i.field.map(Field::name))
        .collect();
    fields.dedup();
    let what = match code {
        IssueCode::InvalidPhone => "invalid phone number".to_owned(),
        IssueCode::InvalidEmail => "invalid e-mail address".to_owned(),
        IssueCode::DuplicateInFile => {
            return Some(match row.replaces_line {
                Some(line) => {
                    format!("duplicate lead (the same lead as line {line} of the export)")
                }
                None => "duplicate lead".to_owned(),
            });
        }
        other => other.as_str().replace('_', " "),
    };
    // One field says which; the e-mail has only one.
    Some(match fields.as_slice() {
        [] | ["email"] => what,
        fields => format!("{what} ({})", fields.join(", ")),
    })
}

/// What a returns file holds: how many leads, the price they carry, per code, and the rows
/// that match but cannot be returned for want of an event id.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReturnsSummary {
    /// Leads written to the returns file.
    pub returned: u64,
    /// The `price` of the returned leads, in cents (leads without a price count nothing).
    pub price_cents: i64,
    /// Returned leads by code (a lead with two matching codes counts under each).
    pub by_code: std::collections::BTreeMap<&'static str, u64>,
    /// Rows that match but have no event id: how many.
    pub without_event_id: u64,
    /// Their lines, the first [`ReturnsSummary::LINES_KEPT`].
    pub without_event_id_lines: Vec<u64>,
}

impl ReturnsSummary {
    /// How many lines of rows without an event id are kept (the count goes on).
    pub const LINES_KEPT: usize = 1000;

    pub fn add(&mut self, r: &Return) {
        if r.event_id.is_none() {
            self.without_event_id += 1;
            if self.without_event_id_lines.len() < Self::LINES_KEPT {
                self.without_event_id_lines.push(r.line);
            }
            return;
        }
        self.returned += 1;
        self.price_cents += r.price_cents.unwrap_or(0);
        for c in &r.codes {
            *self.by_code.entry(c.name()).or_default() += 1;
        }
    }

    /// The price as money: `412.50`.
    pub fn price(&self) -> String {
        let sign = if self.price_cents < 0 { "-" } else { "" };
        let c = self.price_cents.unsigned_abs();
        format!("{sign}{}.{:02}", c / 100, c % 100)
    }
}

#[cfg(test)]
mod tests;
