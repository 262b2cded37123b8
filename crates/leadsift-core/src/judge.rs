//! Judging rows: identity, status, content hash and the database classification. Shared by
//! the file validator, the wire's re-validation and the batch plan, so that each gives the
//! same verdict.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::issue::{Issue, IssueCode, Severity};
use crate::lead::{Lead, LeadKey, RowStatus};

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
    status_of(issues.iter().map(|i| (i.code, i.severity)), strict)
}

/// The status of a row whose issues have these codes and severities: rejected when one
/// rejects ([`rejects`]), valid with none, else warning. A row kept in brief (its codes
/// only, each with its code's severity) is judged by the same rule.
pub fn status_of(issues: impl Iterator<Item = (IssueCode, Severity)>, strict: bool) -> RowStatus {
    let mut any = false;
    for (code, severity) in issues {
        if code.rejects() || (strict && severity == Severity::Error) {
            return RowStatus::Rejected;
        }
        any = true;
    }
    if any {
        RowStatus::Warning
    } else {
        RowStatus::Valid
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
