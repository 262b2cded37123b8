//! `leadsift reconcile` on the scenario it exists for: an export, most of whose leads were
//! delivered through `POST /api/v1/leads` — some with other values, some twice under two ids,
//! some not at all — and deliveries the export lacks. Every class is counted exactly, and the
//! differing fields are named; on SQLite and on PostgreSQL, from the database and through the
//! server's API.

use std::collections::BTreeSet;

use leadsift_testkit::generate::{Spec, generate_to_vec};
use serde_json::{Value as Json, json};

use crate::import::{free_port, json_of, postgres, serve_with_token, tmp};
use crate::leadsift;

/// The generator's expected record `rec` as LeadConduit would deliver it: the lead's fields
/// and the custom column, nulls left out.
fn delivery(rec: &Json) -> serde_json::Map<String, Json> {
    let mut lead: serde_json::Map<String, Json> = rec["lead"]
        .as_object()
        .expect("lead")
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in rec["extra"].as_object().expect("extra") {
        lead.insert(k.clone(), v.clone());
    }
    lead
}

fn scenario(url: &str, name: &str) {
    let dir = tmp(&format!("reconcile-{name}"));
    let (csv, expected) = generate_to_vec(&Spec {
        rows: 60,
        seed: 77,
        invalid: 0.0,
        ..Spec::default()
    });
    let file = dir.join("export.csv");
    std::fs::write(&file, csv).expect("write");
    let records: Vec<Json> = expected
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect();
    let migrated = leadsift(&["migrate", "--database-url", url]);
    assert!(migrated.status.success(), "{migrated:?}");
    let port = free_port();
    let mut server = serve_with_token(port, url, None);
    let http = reqwest::blocking::Client::new();
    let post = |lead: &serde_json::Map<String, Json>| {
        let r = http
            .post(format!("http://127.0.0.1:{port}/api/v1/leads"))
            .json(lead)
            .send()
            .expect("post");
        assert!(r.status().is_success(), "{:?}", r.text());
    };
    // Records 0–4 are never delivered; 5–8 are delivered with another city and e-mail; 9–11
    // are delivered twice, the second time under other ids.
    for (i, rec) in records.iter().enumerate() {
        let mut lead = delivery(rec);
        match i {
            0..=4 => continue,
            5..=8 => {
                lead.insert("city".into(), json!("Elsewhere"));
                lead.insert("email".into(), json!(format!("changed{i}@example.com")));
            }
            9..=11 => {
                let mut again = lead.clone();
                again.insert("lead_id".into(), json!(format!("again-{i}")));
                again.insert("event_id".into(), json!(format!("again-event-{i}")));
                post(&again);
            }
            _ => {}
        }
        post(&lead);
    }
    // Two deliveries inside the export's window that it does not hold.
    for n in 0..2 {
        let mut lead = delivery(&records[20]);
        lead.insert("lead_id".into(), json!(format!("elsewhere-{n}")));
        lead.remove("event_id");
        lead.insert("email".into(), json!(format!("nobody{n}@example.com")));
        lead.insert("phone_1".into(), json!(format!("512789100{n}")));
        post(&lead);
    }
    let report = dir.join("report.csv");
    let reconcile = |more: &[&str]| {
        let file = file.to_str().expect("utf-8");
        let mut args = vec!["reconcile", file, "--database-url", url, "--format", "json"];
        args.extend(more);
        json_of(&leadsift(&args))
    };
    let s = reconcile(&[
        "--report",
        report.to_str().expect("utf-8"),
        "--batch-size",
        "7",
    ]);
    assert_eq!(
        [
            &s["rows"],
            &s["matched"],
            &s["differs"],
            &s["not_delivered"],
            &s["delivered_not_exported"],
            &s["delivered_twice"],
        ],
        [
            &json!(60),
            &json!(48),
            &json!(4),
            &json!(5),
            &json!(2),
            &json!(3)
        ],
        "{s}"
    );
    assert_eq!(s["fields"], json!({"city": 4, "email": 4}));
    let text = std::fs::read_to_string(&report).expect("report");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("class,line,lead_key,stored_keys,field,delivered,exported")
    );
    let lines: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let cities: BTreeSet<&str> = lines
        .iter()
        .filter(|l| l[0] == "differs" && l[4] == "city")
        .map(|l| l[5])
        .collect();
    assert_eq!(cities, BTreeSet::from(["Elsewhere"]));
    let twice: Vec<&Vec<&str>> = lines.iter().filter(|l| l[0] == "delivered_twice").collect();
    assert_eq!(twice.len(), 3);
    assert!(
        twice.iter().all(|l| l[3].split(' ').count() == 2),
        "{twice:?}"
    );
    let lacking: Vec<&str> = lines
        .iter()
        .filter(|l| l[0] == "delivered_not_exported")
        .map(|l| l[3])
        .collect();
    assert_eq!(lacking, ["lead:elsewhere-0", "lead:elsewhere-1"]);
    // Read only: the leads are as they were delivered.
    let again = reconcile(&[]);
    assert_eq!(again, s);
    // Through the server's API, the same findings.
    let base = format!("http://127.0.0.1:{port}");
    let remote = reconcile(&["--server", &base, "--batch-size", "11"]);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(remote, s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reconcile_counts_every_class_on_sqlite() {
    let dir = tmp("reconcile-db");
    let url = format!("sqlite://{}", dir.join("leads.db").display());
    scenario(&url, "sqlite");
}

#[test]
fn reconcile_counts_every_class_on_postgres() {
    let Some((url, _db)) = postgres("reconcile") else {
        return;
    };
    scenario(&url, "postgres");
}
