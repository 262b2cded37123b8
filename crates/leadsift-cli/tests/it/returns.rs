//! `leadsift returns` against the generator's own account of what it damaged: the returns file
//! lists exactly the leads with the chosen problems, each with its event id.

use leadsift_testkit::generate::{Spec, generate_to_vec};
use serde_json::Value as Json;

use crate::leadsift;

/// Each generated record's event id, the reasons it must be returned for (invalid phone,
/// invalid e-mail, a test lead) and its price in cents; from the expected records alone.
fn expected_returns(expected: &str) -> Vec<(String, Vec<&'static str>, i64)> {
    let mut out = Vec::new();
    for line in expected.lines() {
        let rec: Json = serde_json::from_str(line).expect("an expected record");
        let invalid: Vec<&str> = rec["invalid"]
            .as_array()
            .expect("invalid")
            .iter()
            .filter_map(Json::as_str)
            .collect();
        let mut why = Vec::new();
        if invalid.iter().any(|f| f.starts_with("phone_")) {
            why.push("Invalid phone number");
        }
        if invalid.contains(&"email") {
            why.push("nvalid e-mail address");
        }
        if rec["lead"]["is_test"] == Json::Bool(true) {
            why.push("est lead");
        }
        if !why.is_empty() {
            let id = rec["lead"]["event_id"]
                .as_str()
                .expect("an event id")
                .to_owned();
            let cents = rec["lead"]["price"]
                .as_f64()
                .map_or(0, |p| (p * 100.0).round() as i64);
            out.push((id, why, cents));
        }
    }
    out
}

#[test]
fn the_returns_file_lists_exactly_the_leads_with_the_chosen_problems() {
    let spec = Spec {
        rows: 1500,
        seed: 41,
        invalid: 0.08,
        ..Spec::default()
    };
    let (csv, expected) = generate_to_vec(&spec);
    let dir = std::env::temp_dir().join(format!("leadsift-returns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("export.csv");
    std::fs::write(&file, csv).expect("write");
    let out_path = dir.join("returns.csv");
    let out = leadsift(&[
        "returns",
        file.to_str().expect("utf-8"),
        "--reason-codes",
        "invalid_phone,invalid_email,is_test",
        "--out",
        out_path.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{out:?}");
    let summary: Json = serde_json::from_slice(&out.stdout).expect("the summary is JSON");
    let want = expected_returns(&expected);
    assert!(
        want.len() > 100,
        "the generator damaged too few rows: {}",
        want.len()
    );
    let text = std::fs::read_to_string(&out_path).expect("the returns file");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("Event ID,Reason"));
    let got: Vec<(&str, &str)> = lines
        .map(|l| l.split_once(',').expect("two cells"))
        .collect();
    let ids: Vec<&str> = got.iter().map(|(id, _)| *id).collect();
    let want_ids: Vec<&str> = want.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids, want_ids);
    for ((id, reason), (_, why, _)) in got.iter().zip(&want) {
        for w in why {
            assert!(reason.contains(w), "{id}: {reason:?} does not say {w:?}");
        }
    }
    let cents: i64 = want.iter().map(|(_, _, c)| c).sum();
    assert_eq!(summary["returned"], want.len());
    assert_eq!(summary["price_cents"], cents);
    assert_eq!(summary["without_event_id"], 0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rows_without_an_event_id_are_listed_apart_and_bad_codes_are_usage_errors() {
    let dir = std::env::temp_dir().join(format!("leadsift-returns-b-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("export.csv");
    std::fs::write(
        &file,
        "Event ID,Lead ID,Email,Phone 1,Price\n=E1,L1,bad@,5127891111,$1.50\n,L2,b@example.com,12,2\nE3,L3,c@example.com,5127891113,4\n",
    )
    .expect("write");
    let file = file.to_str().expect("utf-8");
    let out = leadsift(&["returns", file]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Event ID,Reason\n'=E1,Invalid e-mail address\n"
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("1 lead to return, 1.50 of price"), "{said}");
    assert!(
        said.contains("1 row matches but has no event id and cannot be returned: line 3"),
        "{said}"
    );
    let out = leadsift(&["returns", file, "--reason-codes", "invalid_phone,nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"nope\" is not a reason code"));
    std::fs::remove_dir_all(&dir).ok();
}
