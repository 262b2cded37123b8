//! Reconciling an export with the stored deliveries, a batch of rows at a time: the lookups
//! the core's `reconcile` rule needs, and nothing written. Memory holds one batch's leads and
//! the ids of the stored leads already matched (8 bytes each), never the table.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use leadsift_core::reconcile::{Contact, Finding, Window, same_delivery};
use leadsift_core::{ImportSource, Row};

use crate::db::Database;
use crate::error::{Result, StoreError};
use crate::models::{LeadRow, LeadValues};
use crate::queries as q;

/// One reconciliation: feed it the export's rows in batches, then ask for the deliveries the
/// export lacks.
#[derive(Debug)]
pub struct Reconciler<'a> {
    db: &'a Database,
    /// The stored leads some row of the export is.
    seen: HashSet<i64>,
    window: Window,
}

impl<'a> Reconciler<'a> {
    pub fn new(db: &'a Database) -> Reconciler<'a> {
        Reconciler {
            db,
            seen: HashSet::new(),
            window: Window::default(),
        }
    }

    /// The findings of a batch of the export's rows, in order.
    pub fn batch(&mut self, rows: &[Row]) -> Result<Vec<Finding>> {
        let keys: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.key.as_ref().map(|k| k.as_str()))
            .collect();
        let contacts: Vec<Contact<'_>> = rows.iter().map(Contact::of).collect();
        let emails: Vec<&str> = contacts.iter().filter_map(|c| c.email).collect();
        let phones: Vec<&str> = contacts.iter().filter_map(|c| c.phone).collect();
        let (by_key, deliveries) = self.db.with(|c| -> Result<_> {
            Ok((
                q::leads_by_keys(c, &keys)?,
                q::deliveries_by_contact(c, &emails, &phones)?,
            ))
        })?;
        let by_key: HashMap<&str, &LeadRow> =
            by_key.iter().map(|l| (l.lead_key.as_str(), l)).collect();
        let now = Utc::now().naive_utc();
        let mut out = Vec::with_capacity(rows.len());
        for (row, contact) in rows.iter().zip(&contacts) {
            self.window.add(row);
            let mut same: Vec<&LeadRow> = Vec::new();
            if let Some(l) = row.key.as_ref().and_then(|k| by_key.get(k.as_str())) {
                same.push(l);
            }
            for d in &deliveries {
                if !same.iter().any(|l| l.id == d.id) && same_delivery(contact, &d.contact()) {
                    same.push(d);
                }
            }
            self.seen.extend(same.iter().map(|l| l.id));
            let differences = match same.as_slice() {
                [one] => LeadValues::of(row, "", ImportSource::Csv, None, now).differences(one),
                _ => Vec::new(),
            };
            let stored = same.iter().map(|l| l.lead_key.clone()).collect();
            out.push(Finding::of_row(row, stored, differences));
        }
        Ok(out)
    }

    /// The deliveries inside the export's submission window that no row of it is, a page at a
    /// time, in id order.
    pub fn not_exported<E: From<StoreError>>(
        &self,
        mut each: impl FnMut(Finding) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let (Some(from), Some(to)) = (self.window.from, self.window.to) else {
            return Ok(());
        };
        let mut after = 0;
        loop {
            let page = self
                .db
                .with(|c| -> Result<_> { Ok(q::deliveries_between(c, from, to, after, 1000)?) })?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.0;
            for (id, key) in page {
                if !self.seen.contains(&id) {
                    each(Finding::not_exported(key))?;
                }
            }
        }
    }
}
