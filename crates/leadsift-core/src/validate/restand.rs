//! A remap that cleans again only what the new choices change.
//!
//! A [`Replay`] makes every row again: every cell of every record cleaned under the new
//! mapping. Most remaps change one column, and a row's standing (its status, its issues, the
//! row it replaces) is then what it was except for that column's cell. A store that keeps
//! each row's [`Brief`] (its issues as code and column, its lead key's hash) beside the
//! cells gets the new standing from a [`Restand`]: the cells of the changed columns cleaned
//! again, the rest of the brief kept, and the in-file duplicates counted afresh from the
//! kept key hashes. What that needs of the rules is said here once:
//!
//! - a row's lead key reads only [`LeadKey::FIELDS`], and of those only the ones that decided
//!   it ([`LeadKey::decided_by`]: a key made from a lead id reads nothing else): when a changed
//!   column was or becomes one of those, the row's columns mapped to one of
//!   [`LeadKey::FIELDS`] are cleaned again and its key made again;
//! - a postal code's leading zeros are restored from the row's state: when a changed column
//!   was or becomes either, both are cleaned again;
//! - a field is mapped by one column at most (a second column aiming at it is kept in extra,
//!   [`crate::mapping::MatchKind::Duplicate`]), so a field's issue is in its column;
//! - which rows replace which depends on every row's status (a rejected row replaces
//!   nothing), so the duplicates are always counted again, in file order.
//!
//! The result is the full replay's, row for row and in the summary, on every fixture:
//! `a_remap_in_brief_is_the_full_remap`.

use std::hash::{Hash, Hasher};

use super::{Replay, Replayer, Summary, restored_zip};
use crate::clean;
use crate::field::Field;
use crate::issue::IssueCode;
use crate::judge;
use crate::lead::{KeyKind, Lead, LeadKey, Row, RowStatus};
use crate::mapping::{Column, MappingOverrides};
use crate::seen::SeenKeys;

/// One of a row's issues in brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BriefIssue {
    /// The zero-based column it was found in; `None` for the row's own issues (its shape, its
    /// identity, a duplicate).
    pub column: Option<u16>,
    pub code: IssueCode,
    /// Whether cleaning the column's cell raised it (its field's issue).
    pub cleaned: bool,
}

/// What a remap in brief needs of a row besides its cells ([`Replayer::brief`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Brief {
    /// The hash of the row's lead key, as in-file duplicates are found by, and what the key
    /// was made from; `None` without one.
    pub key: Option<(u64, KeyKind)>,
    pub issues: Box<[BriefIssue]>,
}

/// A row's standing as a remap in brief makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub status: RowStatus,
    /// The line of the earlier row with the same key, which this row replaces.
    pub replaces_line: Option<u64>,
    pub brief: Brief,
}

/// The hash by which in-file duplicates are found.
pub(super) fn key_hash(key: &LeadKey) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// The status of a row with these issues in brief ([`judge::status_of`]).
fn status_of(issues: &[BriefIssue], strict: bool) -> RowStatus {
    judge::status_of(issues.iter().map(|i| (i.code, i.code.severity())), strict)
}

impl Replayer {
    /// The brief of `row`, a row this replayer made.
    pub fn brief(&self, row: &Row) -> Brief {
        let issues = row
            .issues
            .iter()
            .map(|i| {
                let column = match (i.field, i.column.as_deref()) {
                    (Some(f), _) => self.columns.iter().position(|c| c.field == Some(f)),
                    (None, Some(key)) => self.column_of_key(key),
                    (None, None) => None,
                };
                BriefIssue {
                    column: column.and_then(|c| u16::try_from(c).ok()),
                    code: i.code,
                    cleaned: i.field.is_some(),
                }
            })
            .collect();
        Brief {
            key: row.key.as_ref().map(|k| (key_hash(k), k.kind())),
            issues,
        }
    }

    /// The standing of `row`, a row this replayer made.
    pub fn standing(&self, row: &Row) -> Standing {
        Standing {
            status: row.status,
            replaces_line: row.replaces_line,
            brief: self.brief(row),
        }
    }

    /// The column whose key ([`Row::original`]'s) is `key`.
    fn column_of_key(&self, key: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.extra_key == key)
            .or_else(|| {
                let n: usize = key.strip_prefix("column_")?.parse().ok()?;
                n.checked_sub(1)
            })
    }

    /// [`Replayer::replay`] in brief: the rows' standing under the new choices from their
    /// briefs and the cells of the columns that need cleaning again.
    pub fn restand(&self, read: &Summary, overrides: &MappingOverrides, strict: bool) -> Restand {
        let replay = self.replay(read, overrides, strict);
        let (old, new) = (&self.columns, &replay.replayer.columns);
        // The same header, so the same columns: a column's field is all that differs.
        let field = |columns: &[Column], i: usize| columns.get(i).and_then(|c| c.field);
        let changed: Vec<usize> = (0..old.len().max(new.len()))
            .filter(|&i| field(old, i) != field(new, i))
            .collect();
        let touches = |fields: &[Field]| {
            changed.iter().any(|&i| {
                [field(old, i), field(new, i)]
                    .into_iter()
                    .flatten()
                    .any(|f| fields.contains(&f))
            })
        };
        // Per kind of key (and none): whether the change touches what decided it.
        let kinds = [
            None,
            Some(KeyKind::LeadId),
            Some(KeyKind::EventId),
            Some(KeyKind::Contact),
        ];
        let rekey = kinds.map(|k| touches(LeadKey::decided_by(k)));
        let postal = touches(&[Field::State, Field::PostalCode]);
        let again = new
            .iter()
            .map(|c| {
                changed.contains(&c.index)
                    || (postal
                        && c.field
                            .is_some_and(|f| matches!(f, Field::State | Field::PostalCode)))
            })
            .collect();
        let identity = new
            .iter()
            .map(|c| c.field.is_some_and(|f| LeadKey::FIELDS.contains(&f)))
            .collect();
        Restand {
            replay,
            again,
            identity,
            rekey,
            seen: SeenKeys::default(),
        }
    }
}

/// A file's rows' standing made again under other choices from their briefs, in file order
/// (from [`Replayer::restand`]).
#[derive(Debug)]
pub struct Restand {
    /// The new replayer, and the account being made.
    replay: Replay,
    /// Per column: whether its cells are cleaned again (its issues in the brief dropped).
    again: Vec<bool>,
    /// Per column: whether it is mapped to one of [`LeadKey::FIELDS`] (cleaned again with the
    /// key).
    identity: Vec<bool>,
    /// Whether a row's key is made again, by the kind of its old key: none, lead id, event
    /// id, contact.
    rekey: [bool; 4],
    seen: SeenKeys,
}

impl Restand {
    /// The next row's standing (rows in file order, each once): `cells` as read, the person's
    /// `edits` ([`Replayer::edited_row`]), the record's `line` and its brief as last made.
    pub fn row(
        &mut self,
        cells: &[&str],
        edits: &[(usize, String)],
        line: u64,
        old: &Brief,
    ) -> Standing {
        let replayer = &self.replay.replayer;
        let rekey = self.rekey[match old.key {
            None => 0,
            Some((_, KeyKind::LeadId)) => 1,
            Some((_, KeyKind::EventId)) => 2,
            Some((_, KeyKind::Contact)) => 3,
        }];
        let again = |i: usize| {
            self.again.get(i) == Some(&true) || (rekey && self.identity.get(i) == Some(&true))
        };
        let mut issues: Vec<BriefIssue> = old
            .issues
            .iter()
            .filter(|i| {
                i.code != IssueCode::DuplicateInFile
                    && !(rekey && i.code == IssueCode::NoIdentity)
                    && !(i.cleaned && i.column.is_some_and(|c| again(usize::from(c))))
            })
            .copied()
            .collect();
        let mut key = old.key;
        let cell = |i: usize| -> Option<&str> {
            match edits.iter().rev().find(|(c, _)| *c == i) {
                Some((_, text)) if i < cells.len() => Some(text.as_str()),
                _ => cells.get(i).copied(),
            }
        };
        let mut lead = Lead::default();
        let mut postal_at: Option<(usize, &str)> = None;
        for (i, column) in replayer.columns.iter().enumerate() {
            if !again(i) {
                continue;
            }
            let (Some(field), Some(raw)) = (column.field, cell(i)) else {
                continue;
            };
            let cleaned = clean::clean(field, raw, &replayer.clean);
            if field == Field::PostalCode && cleaned.value.is_none() && cleaned.note.is_some() {
                postal_at = Some((issues.len(), raw));
            }
            if let Some(note) = cleaned.note {
                issues.push(BriefIssue {
                    column: u16::try_from(i).ok(),
                    code: note.code,
                    cleaned: true,
                });
            }
            lead.set(field, cleaned.value);
        }
        if let Some((at, raw)) = postal_at
            && let Some((_, note)) = restored_zip(&lead, raw)
        {
            issues[at].code = note.code;
        }
        if rekey {
            key = LeadKey::of(&lead).map(|k| (key_hash(&k), k.kind()));
            if key.is_none() {
                issues.push(BriefIssue {
                    column: None,
                    code: IssueCode::NoIdentity,
                    cleaned: false,
                });
            }
        }
        let strict = replayer.strict;
        let mut status = status_of(&issues, strict);
        let mut replaces_line = None;
        if let Some((h, _)) = key.filter(|_| status != RowStatus::Rejected) {
            let at = u32::try_from(line).unwrap_or(u32::MAX);
            if let Some(prev) = self.seen.insert(h, at) {
                replaces_line = Some(u64::from(prev));
                issues.push(BriefIssue {
                    column: None,
                    code: IssueCode::DuplicateInFile,
                    cleaned: false,
                });
                status = status_of(&issues, strict);
            }
        }
        self.replay.summary.count_parts(
            status,
            replaces_line.is_some(),
            issues.iter().map(|i| i.code),
            true,
        );
        Standing {
            status,
            replaces_line,
            brief: Brief {
                key,
                issues: issues.into_boxed_slice(),
            },
        }
    }

    /// The account so far; complete once every row's standing has been made again.
    pub fn summary(&self) -> &Summary {
        self.replay.summary()
    }

    /// The replayer of the new choices and the account.
    pub fn finish(self) -> (Replayer, Summary) {
        self.replay.finish()
    }
}
