use std::collections::HashMap;

use super::{DryRun, plan, replaces_from, write_after};
use crate::judge::{Outcome, Prior, content_hash};
use crate::validate::{Options, Row, validate_bytes};

/// The rows of a small file, and their content hashes.
fn rows(csv: &str) -> (Vec<Row>, Vec<String>) {
    let (rows, _) =
        validate_bytes(csv.as_bytes(), Options::new(leadsift_testkit::today())).expect("readable");
    let hashes = rows
        .iter()
        .map(|r| content_hash(&r.lead, &r.extra))
        .collect();
    (rows, hashes)
}

fn stored(hash: &str) -> Prior {
    Prior {
        content_hash: hash.to_owned(),
        written_by_this_run: false,
    }
}

const FILE: &str = "Lead ID,Email\nA,a@example.com\nB,b@example.com\nA,a2@example.com\n,\nC,not-an-email\nA,a3@example.com\n";

#[test]
fn a_new_key_is_created_once_with_its_latest_row() {
    let (rows, hashes) = rows(FILE);
    let p = plan(&rows, &hashes, &HashMap::new(), false);
    use Outcome::*;
    assert_eq!(
        p.outcomes,
        [Created, Created, Duplicate, Created, Duplicate]
    );
    // A is inserted once, with its last row (index 4); B and C once each.
    assert_eq!(p.inserts, [4, 1, 3]);
    assert!(p.updates.is_empty());
    assert_eq!(p.counts().created, 3);
    assert_eq!(p.counts().duplicates, 2);
    assert_eq!(p.counts().rows, 5);
}

#[test]
fn a_stored_key_is_left_alone_unless_force_refresh_and_then_only_when_it_differs() {
    let (rows, hashes) = rows("Lead ID,Email\nA,a@example.com\nB,b@example.com\n");
    let mut priors = HashMap::new();
    priors.insert("lead:A".to_owned(), stored(&hashes[0]));
    priors.insert("lead:B".to_owned(), stored("something else"));
    let kept = plan(&rows, &hashes, &priors, false);
    assert_eq!(kept.outcomes, [Outcome::Existing, Outcome::Existing]);
    assert!(kept.inserts.is_empty() && kept.updates.is_empty());
    let forced = plan(&rows, &hashes, &priors, true);
    assert_eq!(forced.outcomes, [Outcome::Unchanged, Outcome::Updated]);
    assert_eq!(forced.updates, [1]);
}

#[test]
fn a_later_row_of_an_updated_key_replaces_the_update() {
    let (rows, hashes) = rows("Lead ID,Email\nA,a@example.com\nA,a2@example.com\n");
    let mut priors = HashMap::new();
    priors.insert("lead:A".to_owned(), stored("old"));
    let p = plan(&rows, &hashes, &priors, true);
    assert_eq!(p.outcomes, [Outcome::Updated, Outcome::Duplicate]);
    assert_eq!(p.updates, [1]);
    assert!(p.inserts.is_empty());
}

#[test]
fn a_rejected_row_writes_nothing_and_has_no_key_to_win() {
    let (rows, hashes) = rows("Lead ID,Email\n,\"\"\nA,a@example.com\n");
    let p = plan(&rows, &hashes, &HashMap::new(), false);
    assert_eq!(p.outcomes.len(), rows.len());
    assert_eq!(p.outcomes.last(), Some(&Outcome::Created));
    assert!(
        rows.iter()
            .zip(&p.outcomes)
            .all(|(r, o)| r.key.is_some() || *o == Outcome::Rejected)
    );
}

#[test]
fn a_dry_run_predicts_what_a_real_run_does_batch_by_batch() {
    let (rows, hashes) = rows(FILE);
    // One batch, planned for real.
    let whole = plan(&rows, &hashes, &HashMap::new(), false);
    // The same rows in batches of two, by a dry run that writes nothing: each batch's priors
    // come from a database that is still empty.
    let mut dry = DryRun::default();
    let mut predicted = Vec::new();
    for (r, h) in rows.chunks(2).zip(hashes.chunks(2)) {
        predicted.extend(dry.plan(r, h, HashMap::new(), false).outcomes);
    }
    assert_eq!(predicted, whole.outcomes);
}

#[test]
fn a_batch_waits_for_the_one_before_only_when_it_replaces_a_row_of_it() {
    let (rows, _) = rows(FILE);
    // The rows on lines 2..3 are one batch, 4.. the next; line 4 replaces line 2.
    let (first, second) = rows.split_at(2);
    assert!(replaces_from(second, 2));
    assert_eq!(write_after(5, second, Some(first[0].line)), 4);
    assert!(!replaces_from(first, 2));
    assert_eq!(write_after(5, first, Some(1_000)), 3);
    assert_eq!(write_after(1, first, None), -1);
}
