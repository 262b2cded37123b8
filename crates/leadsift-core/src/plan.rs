//! What a batch of cleaned rows does to the database: which row of a key wins, what each row's
//! outcome is, what a dry run predicts given what its earlier batches would have written, and
//! which earlier batch must be written before a batch may start.
//!
//! The persistence layer looks up the [`Prior`]s of a batch's keys, calls [`plan`] and writes
//! the rows the plan names; it decides none of this itself.

use std::collections::{HashMap, HashSet};

use crate::judge::{Outcome, Outcomes, Prior, classify};
use crate::validate::Row;

/// What to write for a batch, and each row's outcome.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// One per row of the batch, in order.
    pub outcomes: Vec<Outcome>,
    /// Indexes of the rows to insert; a key appears once, with its latest row.
    pub inserts: Vec<usize>,
    /// Indexes of the rows that update a stored lead; a key appears once, with its latest row.
    pub updates: Vec<usize>,
}

impl Plan {
    /// The counts of the plan's outcomes.
    pub fn counts(&self) -> Outcomes {
        let mut c = Outcomes::default();
        for o in &self.outcomes {
            c.add(*o);
        }
        c
    }

    /// The keys of the rows that write (what a dry run records as "would have written").
    pub fn written_keys<'r>(&self, rows: &'r [Row]) -> impl Iterator<Item = &'r str> {
        rows.iter()
            .zip(&self.outcomes)
            .filter(|(_, o)| o.writes())
            .filter_map(|(r, _)| r.key.as_ref().map(|k| k.as_str()))
    }
}

/// Classifies every row of a batch. `hashes[i]` is row `i`'s content hash
/// ([`crate::judge::content_hash`]); `priors` is what the database holds for the batch's keys.
/// Within the batch, a later row of a key that an earlier row writes replaces it: the key is
/// written once, with the later row, and the later row is judged against the earlier one.
pub fn plan(
    rows: &[Row],
    hashes: &[String],
    priors: &HashMap<String, Prior>,
    force_refresh: bool,
) -> Plan {
    /// A key this batch writes: its prior as the batch leaves it, and where it was planned.
    struct Local {
        prior: Prior,
        slot: Slot,
    }
    enum Slot {
        Insert(usize),
        Update(usize),
    }
    let mut p = Plan::default();
    let mut local: HashMap<&str, Local> = HashMap::new();
    for (i, (row, hash)) in rows.iter().zip(hashes).enumerate() {
        let key = row.key.as_ref().map(|k| k.as_str());
        let prior = key.and_then(|k| local.get(k).map(|l| &l.prior).or_else(|| priors.get(k)));
        let outcome = classify(row.status, prior, hash, force_refresh);
        if let (true, Some(k)) = (outcome.writes(), key) {
            match local.get_mut(k) {
                Some(l) => {
                    match l.slot {
                        Slot::Insert(s) => p.inserts[s] = i,
                        Slot::Update(s) => p.updates[s] = i,
                    }
                    l.prior.content_hash.clone_from(hash);
                }
                None => {
                    let slot = if outcome == Outcome::Created {
                        p.inserts.push(i);
                        Slot::Insert(p.inserts.len() - 1)
                    } else {
                        p.updates.push(i);
                        Slot::Update(p.updates.len() - 1)
                    };
                    let prior = Prior {
                        content_hash: hash.clone(),
                        written_by_this_run: true,
                    };
                    local.insert(k, Local { prior, slot });
                }
            }
        }
        p.outcomes.push(outcome);
    }
    p
}

/// Marks `keys` as written by this run in `priors`: a dry run's earlier batches would have
/// written them, so a real run would find them there.
pub fn mark_written<'k>(
    priors: &mut HashMap<String, Prior>,
    keys: impl IntoIterator<Item = &'k str>,
) {
    for k in keys {
        priors
            .entry(k.to_owned())
            .or_insert_with(|| Prior {
                content_hash: String::new(),
                written_by_this_run: true,
            })
            .written_by_this_run = true;
    }
}

/// A dry run's memory between batches: the keys its earlier batches would have written. It
/// makes the prediction of batch `n` what a real run would do after batches `1..n`.
#[derive(Debug, Default)]
pub struct DryRun {
    written: HashSet<String>,
}

impl DryRun {
    /// Plans a batch as a real run would after the batches this dry run has seen, and
    /// remembers what it would write.
    pub fn plan(
        &mut self,
        rows: &[Row],
        hashes: &[String],
        mut priors: HashMap<String, Prior>,
        force_refresh: bool,
    ) -> Plan {
        let earlier: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.key.as_ref().map(|k| k.as_str()))
            .filter(|k| self.written.contains(*k))
            .collect();
        mark_written(&mut priors, earlier);
        let p = plan(rows, hashes, &priors, force_refresh);
        self.written.extend(p.written_keys(rows).map(str::to_owned));
        p
    }
}

/// Whether a row of `rows` replaces a row on `line` or after it (a later row of a key
/// replaces the earlier one, so the earlier one must be written first).
pub fn replaces_from(rows: &[Row], line: u64) -> bool {
    rows.iter()
        .any(|r| r.replaces_line.is_some_and(|l| l >= line))
}

/// With batches written by two writers at once: the batch that must be written before batch
/// `seq` starts. Batch `seq` waits for `seq - 2`, and for `seq - 1` when one of its rows
/// replaces a row of batch `seq - 1` (which began on `previous_first_line`); so the file's
/// order holds wherever it matters, and the counts and stored values equal one writer's.
pub fn write_after(seq: i64, rows: &[Row], previous_first_line: Option<u64>) -> i64 {
    match previous_first_line {
        Some(line) if replaces_from(rows, line) => seq - 1,
        _ => seq - 2,
    }
}

#[cfg(test)]
mod tests;
