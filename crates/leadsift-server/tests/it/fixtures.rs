//! The shared bad-input fixtures (`tests/fixtures/bad`) through the server, on every backend:
//! uploaded whole (`POST /api/v1/imports/csv`) and sent as a client's batches (`PUT
//! …/batches/1`, re-validated), each gives the outcome its `.expected.json` states, and every
//! stored lead holds what the core cleaned, its extra and its original row.

use leadsift_core::Options;
use serde_json::{Value as Json, json};

use crate::api::{TestApp, batch_body, error_of, spawn_on};
use crate::fixtures;

/// Each fixture's name, bytes and expected outcome, in name order.
fn cases() -> Vec<(String, Vec<u8>, Json)> {
    let dir = fixtures().join("bad");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("bad fixtures")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".expected.json").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 25, "the bad fixtures are there");
    names
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(dir.join(format!("{name}.csv"))).expect("fixture");
            let exp = std::fs::read_to_string(dir.join(format!("{name}.expected.json")))
                .expect("expected");
            (name, bytes, serde_json::from_str(&exp).expect("json"))
        })
        .collect()
}

fn keeping_original() -> Options {
    Options {
        keep_original: true,
        ..Options::new(leadsift_testkit::today())
    }
}

/// The same JSON value, a number read as a number (`1100` and `1100.0` are one price).
fn same(a: &Json, b: &Json) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The stored lead of the fixture's first row holds what the core made of it.
fn check_first_lead(app: &TestApp, name: &str, bytes: &[u8], exp: &Json) {
    let (rows, _) = leadsift_core::validate_bytes(bytes, keeping_original()).expect("readable");
    let Some(first) = rows.first() else { return };
    let Some(key) = &first.key else { return };
    if first.status == leadsift_core::RowStatus::Rejected {
        return;
    }
    // The last row of the file with this key is the one stored.
    let last = rows
        .iter()
        .rev()
        .find(|r| r.key.as_ref() == Some(key))
        .expect("the row itself");
    let r = app
        .get(&format!("/api/v1/leads/{}", key.as_str()))
        .send()
        .expect("get");
    assert_eq!(r.status(), 200, "{name}: lead {}", key.as_str());
    let lead: Json = r.json().expect("json");
    let want = serde_json::to_value(&last.lead).expect("lead");
    for (field, value) in want.as_object().expect("object") {
        let got = &lead[field];
        assert!(same(got, value), "{name}: {field}: {got} != {value}");
    }
    if rows.len() == 1 {
        for key in ["first_name", "email", "price"] {
            if let Some(v) = exp.get(key) {
                assert!(same(&lead[key], v), "{name}: {key}");
            }
        }
        if let Some(fields) = exp.get("lead").and_then(Json::as_object) {
            for (field, v) in fields {
                assert!(same(&lead[field], v), "{name}: lead.{field}");
            }
        }
        if let Some(extra) = exp.get("extra") {
            assert_eq!(lead["extra"], *extra, "{name}: extra");
        }
    }
    let original: serde_json::Map<String, Json> = last
        .original
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    assert_eq!(lead["original"], Json::Object(original), "{name}: original");
}

/// Each fixture starts from an empty `leads` table (several use the key `L1`).
fn forget_leads(app: &TestApp) {
    use diesel::RunQueryDsl;
    app.db
        .db
        .with(|c| {
            diesel::sql_query("DELETE FROM leads")
                .execute(c)
                .map_err(leadsift_store::StoreError::from)
        })
        .expect("leads emptied");
}

fn upload_every_fixture(app: &TestApp) {
    for (name, bytes, exp) in cases() {
        forget_leads(app);
        let r = app.post_body(
            &format!("/api/v1/imports/csv?file_name={name}.csv&force_refresh=true"),
            "text/csv",
            bytes.clone(),
        );
        if let Some(error) = exp.get("error") {
            let (status, body) = error_of(r);
            assert_eq!(
                (status, body["error"].as_str()),
                (422, Some("unreadable_file")),
                "{name}"
            );
            assert!(
                body["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(error.as_str().expect("text"))),
                "{name}: {body}"
            );
            continue;
        }
        assert!(r.status().is_success(), "{name}: {}", r.status());
        let r: Json = r.json().expect("json");
        assert_eq!(r["run"]["status"], "finished", "{name}");
        for key in ["rows", "valid", "warning", "rejected", "blank"] {
            if let Some(want) = exp.get(key) {
                assert_eq!(r["summary"][key], *want, "{name}: {key}");
            }
        }
        if let Some(issues) = exp.get("issues").and_then(Json::as_object) {
            for (code, n) in issues {
                assert_eq!(r["summary"]["issues"][code], *n, "{name}: issue {code}");
            }
        }
        if let Some(notes) = exp.get("notes") {
            assert_eq!(r["summary"]["notes"], *notes, "{name}: notes");
        }
        check_first_lead(app, &name, &bytes, &exp);
    }
}

fn batch_every_fixture(app: &TestApp) {
    for (name, bytes, exp) in cases() {
        if exp.get("error").is_some() {
            continue;
        }
        forget_leads(app);
        let (rows, _) = leadsift_core::validate_bytes(&bytes, keeping_original()).expect(&name);
        let run =
            app.create_run(json!({"file_name": name, "file_sha256": "", "force_refresh": true}));
        let answer = app.put_batch(&run["id"], 1, &batch_body(&rows));
        let status = answer.status();
        assert_eq!(status, 200, "{name}: {}", answer.text().unwrap_or_default());
        let answer: Json = answer.json().expect("json");
        let counts = &answer["counts"];
        let rows_expected = exp["rows"].as_u64().unwrap_or(0) - exp["blank"].as_u64().unwrap_or(0);
        assert_eq!(counts["rows"], rows_expected, "{name}: rows");
        assert_eq!(
            counts["rejected"],
            exp["rejected"].as_u64().unwrap_or(0),
            "{name}: the server re-validates to the same verdict"
        );
        let finished = app
            .post(&format!("/api/v1/imports/{}/finish", run["id"]))
            .send()
            .expect("finish");
        assert_eq!(finished.status(), 200, "{name}");
        check_first_lead(app, &name, &bytes, &exp);
    }
}

#[test]
fn every_bad_fixture_uploaded_gives_its_outcome_on_every_backend() {
    for db in crate::backends() {
        upload_every_fixture(&spawn_on(db, |_| {}));
    }
}

#[test]
fn every_bad_fixture_sent_in_batches_gives_its_outcome_on_every_backend() {
    for db in crate::backends() {
        batch_every_fixture(&spawn_on(db, |_| {}));
    }
}

/// The original row keeps the file's column order in what the API writes, and an upload told
/// `original=false` keeps none.
#[test]
fn the_original_row_is_kept_in_column_order_unless_turned_off() {
    for db in crate::backends() {
        let app = spawn_on(db, |_| {});
        let file = b"Zeta,Lead ID,Email,Alpha\nz1,L1,a@example.com,\n".to_vec();
        let r = app.post_body("/api/v1/imports/csv?file_name=a.csv", "text/csv", file);
        assert!(r.status().is_success());
        let text = app
            .get("/api/v1/leads/lead:L1")
            .send()
            .expect("get")
            .text()
            .expect("text");
        assert!(
            text.contains(
                r#""original":{"Zeta":"z1","Lead ID":"L1","Email":"a@example.com","Alpha":""}"#
            ),
            "{text}"
        );
        let file = b"Lead ID,Email\nL2,b@example.com\n".to_vec();
        let r = app.post_body(
            "/api/v1/imports/csv?file_name=b.csv&original=false",
            "text/csv",
            file,
        );
        assert!(r.status().is_success());
        let lead: Json = app
            .get("/api/v1/leads/lead:L2")
            .send()
            .expect("get")
            .json()
            .expect("json");
        assert_eq!(lead["original"], Json::Null);
        assert_eq!(lead["email"], "b@example.com");
    }
}
