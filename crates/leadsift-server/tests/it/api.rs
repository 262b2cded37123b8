//! The HTTP API over a real port.

use std::sync::mpsc;

use leadsift_core::wire::{BatchRowJson, WireRow, batch_checksum};
use leadsift_server::config::Settings;
use leadsift_server::startup::Application;
use reqwest::blocking::Client;
use serde_json::{Value as Json, json};

use crate::{TestDb, fixtures, sqlite, validate};

#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    pub http: Client,
    pub db: TestDb,
    /// The server's token, which [`TestApp::get`], `post` and `put` send.
    pub token: Option<String>,
}

/// A server on a free loopback port, on its own database, for the rest of the test process.
pub fn spawn(edit: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_on(sqlite(), edit)
}

pub fn spawn_on(db: TestDb, edit: impl FnOnce(&mut Settings)) -> TestApp {
    let mut s = Settings {
        database_url: db.url.clone(),
        bind: "127.0.0.1:0".parse().expect("addr"),
        ..Settings::default()
    };
    edit(&mut s);
    let token = s.token.clone();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(s).expect("server builds");
            tx.send(app.port()).expect("port");
            app.run_until_stopped().await
        })
    });
    let port = rx.recv().expect("server started");
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        http: Client::new(),
        db,
        token,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authed(&self, r: reqwest::blocking::RequestBuilder) -> reqwest::blocking::RequestBuilder {
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub fn get(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.authed(self.http.get(self.url(path)))
    }

    pub fn post(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.authed(self.http.post(self.url(path)))
    }

    /// `POST path` with a body of the given type.
    pub fn post_body(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::blocking::Body>,
    ) -> reqwest::blocking::Response {
        self.post(path)
            .header("content-type", content_type)
            .body(body)
            .send()
            .expect("post")
    }

    pub fn put(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.authed(self.http.put(self.url(path)))
    }

    pub fn create_run(&self, body: Json) -> Json {
        let r = self
            .post("/api/v1/imports")
            .json(&body)
            .send()
            .expect("request");
        assert_eq!(r.status(), 201);
        r.json().expect("json")
    }
}

impl TestApp {
    /// `PUT /api/v1/imports/{id}/batches/{seq}` with a JSON body.
    pub fn put_batch(&self, id: &Json, seq: u64, body: &Json) -> reqwest::blocking::Response {
        self.put(&format!("/api/v1/imports/{id}/batches/{seq}"))
            .json(body)
            .send()
            .expect("put")
    }
}

/// A batch as a client sends it: the rows' JSON and the checksum over them.
pub fn batch_body(rows: &[leadsift_core::Row]) -> Json {
    let wire: Vec<WireRow> = rows.iter().map(WireRow::from_row).collect();
    let rows: Vec<Json> = rows
        .iter()
        .map(|r| serde_json::to_value(BatchRowJson(r)).unwrap_or_default())
        .collect();
    json!({"rows": rows, "checksum": batch_checksum(&wire)})
}

pub fn error_of(r: reqwest::blocking::Response) -> (u16, Json) {
    let status = r.status().as_u16();
    (status, r.json().expect("error body is JSON"))
}

#[test]
fn health_and_readiness() {
    let app = spawn(|_| {});
    assert_eq!(app.get("/healthz").send().expect("get").status(), 200);
    let ready: Json = app
        .get("/readyz")
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert_eq!(ready["status"], "ready");
    let page = app.get("/").send().expect("get").text().expect("text");
    assert!(page.contains("scripts/build-web.sh"), "{page}");
    let (status, body) = error_of(app.get("/nowhere").send().expect("get"));
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
}

#[test]
fn a_run_in_batches_is_idempotent_and_conflicts_are_refused() {
    let app = spawn(|_| {});
    let rows =
        validate(&std::fs::read(fixtures().join("golden/lc-comma-utf8.csv")).expect("fixture"));
    let run = app.create_run(json!({"file_name": "leads.csv", "file_sha256": "abc", "dry_run": false, "force_refresh": false, "strict": false, "mapping": {}}));
    let id = &run["id"];
    let mut created = 0;
    for (i, chunk) in rows.chunks(50).enumerate() {
        let seq = i as u64 + 1;
        let body = batch_body(chunk);
        let first: Json = app.put_batch(id, seq, &body).json().expect("json");
        let again: Json = app.put_batch(id, seq, &body).json().expect("json");
        assert_eq!(first["counts"], again["counts"]);
        assert_eq!(first["rows"], again["rows"]);
        assert_eq!(again["replayed"], true);
        created += first["counts"]["created"].as_u64().expect("created");
    }
    let other = batch_body(&rows[..3]);
    let (status, body) = error_of(app.put_batch(id, 1, &other));
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("batch_conflict"))
    );
    let mut wrong = batch_body(&rows[..3]);
    wrong["checksum"] = json!("0000");
    let (status, body) = error_of(app.put_batch(id, 99, &wrong));
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("checksum_mismatch"))
    );
    let done: Json = app
        .post(&format!("/api/v1/imports/{id}/finish"))
        .send()
        .expect("post")
        .json()
        .expect("json");
    assert_eq!(done["status"], "finished");
    assert_eq!(done["created"].as_u64(), Some(created));
    assert_eq!(
        done["rows_read"].as_u64(),
        Some(rows.len() as u64),
        "replays are not counted again"
    );
    let stored = leadsift_store::import::all_leads(&app.db.db).expect("leads");
    assert_eq!(stored.len() as u64, created);
}

/// A client that computes no checksum (and has no file to hash) gets the same guarantees: a
/// replay of the same rows is answered from the record, other rows under the same number are a
/// conflict, whether or not either carried a checksum.
#[test]
fn a_batch_without_a_checksum_is_accepted_replayed_and_conflicted_alike() {
    for db in crate::backends() {
        let app = spawn_on(db, |_| {});
        let rows =
            validate(&std::fs::read(fixtures().join("golden/lc-comma-utf8.csv")).expect("fixture"));
        let run = app.create_run(json!({"file_name": "from-a-crm"}));
        assert_eq!(run["file_sha256"], "", "no digest is needed");
        let id = &run["id"];
        let bare = |rows: &[leadsift_core::Row]| {
            let mut b = batch_body(rows);
            b.as_object_mut().expect("object").remove("checksum");
            b
        };
        let first: Json = app
            .put_batch(id, 1, &bare(&rows[..40]))
            .json()
            .expect("json");
        assert_eq!(first["replayed"], false);
        let again: Json = app
            .put_batch(id, 1, &bare(&rows[..40]))
            .json()
            .expect("json");
        assert_eq!(
            (&again["replayed"], &again["counts"]),
            (&json!(true), &first["counts"])
        );
        // The same rows with their checksum are the same batch.
        let with: Json = app
            .put_batch(id, 1, &batch_body(&rows[..40]))
            .json()
            .expect("json");
        assert_eq!(with["replayed"], true);
        for other in [bare(&rows[40..80]), batch_body(&rows[40..80])] {
            let (status, body) = error_of(app.put_batch(id, 1, &other));
            assert_eq!(
                (status, body["error"].as_str()),
                (409, Some("batch_conflict"))
            );
        }
        let second: Json = app
            .put_batch(id, 2, &bare(&rows[40..80]))
            .json()
            .expect("json");
        assert_eq!(second["counts"]["rows"], 40);
    }
}

/// Runs and leads say what they mean: objects as objects, times as RFC 3339 in UTC with `Z`
/// and at most microseconds.
#[test]
fn runs_and_leads_are_json_that_means_what_it_says() {
    for db in crate::backends() {
        let app = spawn_on(db, |_| {});
        let run = app.create_run(json!({"file_name": "a.csv", "mapping": {"Cell": "phone_2"}}));
        assert_eq!(run["mapping"], json!({"Cell": "phone_2"}));
        let time = |v: &Json, what: &str| {
            let t = v.as_str().unwrap_or_else(|| panic!("{what}: {v}"));
            let parsed = chrono::DateTime::parse_from_rfc3339(t)
                .unwrap_or_else(|e| panic!("{what}: {t}: {e}"));
            assert!(t.ends_with('Z'), "{what}: {t}");
            assert_eq!(parsed.offset().local_minus_utc(), 0);
            let fraction = t
                .trim_end_matches('Z')
                .split_once('.')
                .map_or(0, |(_, f)| f.len());
            assert!(fraction <= 6, "{what}: {t}");
        };
        time(&run["started_at"], "started_at");
        time(&run["last_activity_at"], "last_activity_at");
        assert_eq!(run["finished_at"], Json::Null);
        let file = b"Lead ID,Email,Submission Timestamp\nL1,a@example.com,2024-03-05 14:22:10\n";
        let r: Json = app
            .post_body(
                "/api/v1/imports/csv?file_name=t.csv",
                "text/csv",
                file.to_vec(),
            )
            .json()
            .expect("json");
        assert_eq!(r["run"]["mapping"], Json::Null);
        time(&r["run"]["finished_at"], "finished_at");
        let lead: Json = app
            .get("/api/v1/leads/lead:L1")
            .send()
            .expect("get")
            .json()
            .expect("json");
        assert_eq!(lead["submitted_at"], "2024-03-05T14:22:10Z");
        time(&lead["created_at"], "created_at");
        time(&lead["updated_at"], "updated_at");
        assert!(lead["extra"].is_object() && lead["invalid"].is_object());
        assert!(lead["original"].is_object());
        let history: Json = app
            .get("/api/v1/imports")
            .send()
            .expect("get")
            .json()
            .expect("json");
        for run in history["runs"].as_array().expect("runs") {
            assert!(!run["mapping"].is_string(), "{run}");
            time(&run["started_at"], "a listed run's started_at");
        }
    }
}

#[test]
fn a_tampered_row_is_rejected_with_an_issue() {
    let app = spawn(|_| {});
    let rows = validate(
        b"Lead ID,Email,Phone 1\nL1,a@example.com,5127891111\nL2,b@example.com,5127891112\n",
    );
    let run = app.create_run(json!({"file_name": "t.csv", "file_sha256": ""}));
    let mut body = batch_body(&rows);
    body["rows"][1]["lead"]["phone_1"] = json!("(512) 789-1112");
    body["rows"][1]["lead"]["is_admin"] = json!(true);
    let values: Vec<WireRow> = body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| WireRow {
            record: r["record"].as_u64().expect("record"),
            line: r["line"].as_u64().expect("line"),
            values: r["lead"]
                .as_object()
                .expect("lead")
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_owned)
                            .or_else(|| (!v.is_null()).then(|| v.to_string())),
                    )
                })
                .collect(),
            extra: Vec::new(),
            invalid: Vec::new(),
            notes: Vec::new(),
            original: Vec::new(),
            edited: Vec::new(),
        })
        .collect();
    body["checksum"] = json!(batch_checksum(&values));
    let answer: Json = app.put_batch(&run["id"], 1, &body).json().expect("json");
    assert_eq!(answer["counts"]["created"], 1);
    assert_eq!(answer["counts"]["rejected"], 1);
    let codes: Vec<&str> = answer["rows"][1]["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter_map(|i| i["code"].as_str())
        .collect();
    assert!(
        codes.iter().all(|c| *c == "tampered_value") && codes.len() == 2,
        "{codes:?}"
    );
}

#[test]
fn bad_requests_get_clear_errors() {
    let app = spawn(|s| s.max_body_bytes = 4096);
    let post =
        |path: &str, body: &'static str| error_of(app.post_body(path, "application/json", body));
    let (s, b) = post("/api/v1/imports", "{not json");
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_json")));
    let (s, b) = post("/api/v1/imports", r#"{"file_name": 7, "file_sha256": ""}"#);
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_body")));
    assert!(
        b["message"]
            .as_str()
            .is_some_and(|m| m.contains("line 1 column 15")),
        "located: {b}"
    );
    let (s, b) = error_of(app.get("/api/v1/imports/12345").send().expect("get"));
    assert_eq!((s, b["error"].as_str()), (404, Some("not_found")));
    let (s, _) = error_of(app.get("/api/v1/imports/abc").send().expect("get"));
    assert_eq!(s, 404);
    let big = format!(
        "{{\"file_name\": \"{}\", \"file_sha256\": \"\"}}",
        "x".repeat(10_000)
    );
    let (s, b) = error_of(app.post_body("/api/v1/imports", "application/json", big));
    assert_eq!((s, b["error"].as_str()), (413, Some("payload_too_large")));
    let csv = "Lead ID\n".to_owned() + &"L1\n".repeat(3000);
    let (s, b) = error_of(app.post_body("/api/v1/imports/csv", "text/csv", csv));
    assert_eq!((s, b["error"].as_str()), (413, Some("payload_too_large")));
    let png = std::fs::read(fixtures().join("bad/png-renamed.csv")).expect("png");
    let (s, b) = error_of(app.post_body("/api/v1/imports/csv?file_name=x.csv", "text/csv", png));
    assert_eq!((s, b["error"].as_str()), (422, Some("unreadable_file")));
    let runs: Json = app
        .get("/api/v1/imports")
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert_eq!(
        runs["runs"][0]["status"], "failed",
        "the unreadable upload's run says so"
    );
    let (s, b) = error_of(app.post_body("/api/v1/imports?x", "text/plain", "{}"));
    assert_eq!(
        (s, b["error"].as_str()),
        (415, Some("unsupported_media_type"))
    );
}

#[test]
fn the_api_needs_the_token_when_one_is_set() {
    let app = spawn(|s| s.token = Some("s3cret".into()));
    let body = json!({"file_name": "a.csv", "file_sha256": ""});
    let anon = |m: reqwest::Method, path: &str| app.http.request(m, app.url(path));
    let (s, b) = error_of(
        anon(reqwest::Method::POST, "/api/v1/imports")
            .json(&body)
            .send()
            .expect("post"),
    );
    assert_eq!((s, b["error"].as_str()), (401, Some("unauthorized")));
    let (s, b) = error_of(
        anon(reqwest::Method::POST, "/api/v1/imports")
            .bearer_auth("wrong")
            .json(&body)
            .send()
            .expect("post"),
    );
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_token")));
    let r = app
        .post("/api/v1/imports")
        .json(&body)
        .send()
        .expect("post");
    assert_eq!(r.status(), 201);
    assert_eq!(
        anon(reqwest::Method::GET, "/api/v1/imports")
            .header("authorization", "bearer s3cret")
            .send()
            .expect("get")
            .status(),
        200,
        "the scheme is matched in any case"
    );
    let (s, _) = error_of(
        anon(reqwest::Method::POST, "/api/v1/leads")
            .json(&json!({"lead_id": "x"}))
            .send()
            .expect("post"),
    );
    assert_eq!(s, 401);
}

#[test]
fn a_public_address_without_a_token_is_refused() {
    let s = Settings {
        bind: "0.0.0.0:0".parse().expect("addr"),
        ..Settings::default()
    };
    let err = Application::build(s).expect_err("refused");
    assert!(err.to_string().contains("without a token"), "{err}");
}

#[test]
fn a_csv_upload_gives_the_same_verdict_as_the_validator() {
    let app = spawn(|_| {});
    let bytes =
        std::fs::read(fixtures().join("golden/lc-semicolon-cp1252-crlf.csv")).expect("fixture");
    let (rows, summary) = leadsift_core::validate_bytes(
        &bytes,
        leadsift_core::Options::new(leadsift_testkit::today()),
    )
    .expect("readable");
    let r: Json = app
        .post_body(
            "/api/v1/imports/csv?file_name=leads.csv&batch_size=40",
            "text/csv",
            bytes,
        )
        .json()
        .expect("json");
    assert_eq!(r["summary"]["valid"].as_u64(), Some(summary.valid));
    assert_eq!(r["summary"]["rejected"].as_u64(), Some(summary.rejected));
    assert_eq!(r["run"]["rows_read"].as_u64(), Some(rows.len() as u64));
    assert_eq!(
        r["run"]["batches"].as_u64(),
        Some(rows.len().div_ceil(40) as u64)
    );
    let id = r["run"]["id"].as_i64().expect("id");
    let csv = app
        .get(&format!("/api/v1/imports/{id}/errors.csv"))
        .send()
        .expect("get")
        .text()
        .expect("text");
    let issues: usize = summary.issues.values().map(|n| *n as usize).sum();
    assert_eq!(
        csv.lines().count(),
        issues + 1,
        "one line per issue after the header"
    );
    let report: String = std::iter::once(leadsift_core::report::ERROR_REPORT_HEADER.to_owned())
        .chain(rows.iter().map(leadsift_core::report::error_report_lines))
        .collect();
    assert_eq!(
        csv, report,
        "the stored report is the validator's, byte for byte"
    );
    let one: Json = app
        .get(&format!("/api/v1/imports/{id}"))
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert_eq!(one["file_name"], "leads.csv");
    assert_eq!(one["file_sha256"].as_str().map(str::len), Some(64));
}

#[test]
fn leads_can_be_posted_one_at_a_time_and_found() {
    // Form posts (LeadConduit's delivery) need a token: a page on another site can send them.
    let app = spawn(|s| s.token = Some("delivery-token".into()));
    let r = app.post("/api/v1/leads").json(&json!({"lead_id": "LC1", "email": " Jo@Example.COM ", "phone_1": "(512) 789-1111", "campaign": "spring", "custom": 7})).send().expect("post");
    assert_eq!(r.status(), 201);
    let body: Json = r.json().expect("json");
    assert_eq!(
        (body["outcome"].as_str(), body["key"].as_str()),
        (Some("created"), Some("lead:LC1"))
    );
    let r = app
        .post("/api/v1/leads")
        .form(&[
            ("lead_id", "LC1"),
            ("email", "jo@example.com"),
            ("phone_1", "5127891111"),
            ("campaign", "summer"),
            ("custom", "7"),
        ])
        .send()
        .expect("post");
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Json>().expect("json")["outcome"], "updated");
    let r = app
        .post("/api/v1/leads")
        .json(&json!({"city": "Austin"}))
        .send()
        .expect("post");
    assert_eq!(r.status(), 422);
    let found: Json = app
        .get("/api/v1/leads?phone=512.789.1111&campaign=summer")
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert_eq!(found["leads"].as_array().map(Vec::len), Some(1));
    let lead = &found["leads"][0];
    assert_eq!(
        (lead["email"].as_str(), lead["import_source"].as_str()),
        (Some("jo@example.com"), Some("api"))
    );
    // The JSON columns are objects, and a posted lead keeps what was posted as its original row.
    assert_eq!(lead["extra"], json!({"custom": "7"}));
    assert_eq!(lead["invalid"], json!({}));
    let one = app.get("/api/v1/leads/lead:LC1").send().expect("get");
    assert_eq!(one.status(), 200);
    let one: Json = one.json().expect("json");
    assert_eq!(
        one["original"],
        json!({"lead_id": "LC1", "email": "jo@example.com", "phone_1": "5127891111",
               "campaign": "summer", "custom": "7"})
    );
    // A JSON post's original row keeps the order it was written in.
    let r = app
        .post("/api/v1/leads")
        .header("content-type", "application/json")
        .body(r#"{"lead_id": "LC2", "phone_1": "5127891112", "email": "kim@example.com", "Zip Code": "78704"}"#)
        .send()
        .expect("post");
    assert_eq!(r.status(), 201);
    let text = app
        .get("/api/v1/leads/lead:LC2")
        .send()
        .expect("get")
        .text()
        .expect("text");
    let original = &text[text.find("\"original\"").expect("original")..];
    let at = |k: &str| original.find(&format!("\"{k}\"")).expect(k);
    assert!(
        at("lead_id") < at("phone_1")
            && at("phone_1") < at("email")
            && at("email") < at("Zip Code"),
        "{original}"
    );
    assert_eq!(
        app.get("/api/v1/leads/lead:nope")
            .send()
            .expect("get")
            .status(),
        404
    );
    let (s, b) = error_of(
        app.get("/api/v1/leads?since=yesterday")
            .send()
            .expect("get"),
    );
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_query")));
}

#[test]
fn history_is_newest_first_and_paginated() {
    fn file_names(page: &Json) -> Vec<&str> {
        page["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .filter_map(|r| r["file_name"].as_str())
            .collect()
    }
    let app = spawn(|_| {});
    for i in 0..5 {
        app.create_run(json!({"file_name": format!("f{i}.csv"), "file_sha256": ""}));
    }
    let page: Json = app
        .get("/api/v1/imports?limit=2")
        .send()
        .expect("get")
        .json()
        .expect("json");
    let names = file_names(&page);
    assert_eq!(names, ["f4.csv", "f3.csv"]);
    let next = page["next"].as_i64().expect("next");
    let page: Json = app
        .get(&format!("/api/v1/imports?limit=2&before={next}"))
        .send()
        .expect("get")
        .json()
        .expect("json");
    let names = file_names(&page);
    assert_eq!(names, ["f2.csv", "f1.csv"]);
}

#[test]
fn a_flood_of_bad_requests_does_not_harm_the_good_ones() {
    let app = spawn(|_| {});
    let base = app.base.clone();
    let flood: Vec<_> = (0..4)
        .map(|_| {
            let base = base.clone();
            std::thread::spawn(move || {
                let http = Client::new();
                let mut refused = 0;
                for i in 0..150 {
                    let r = http
                        .post(format!("{base}/api/v1/imports/{}/finish", 1_000_000 + i))
                        .body(vec![0xffu8; 512])
                        .send()
                        .expect("send");
                    refused += usize::from(r.status().is_client_error());
                    let r = http
                        .post(format!("{base}/api/v1/imports"))
                        .header("content-type", "application/json")
                        .body("{{{{")
                        .send()
                        .expect("send");
                    refused += usize::from(r.status() == 400);
                }
                refused
            })
        })
        .collect();
    let bytes = std::fs::read(fixtures().join("golden/lc-comma-utf8.csv")).expect("fixture");
    let r: Json = app
        .post_body(
            "/api/v1/imports/csv?file_name=good.csv&batch_size=20",
            "text/csv",
            bytes,
        )
        .json()
        .expect("json");
    assert_eq!(r["run"]["status"], "finished", "{r}");
    assert_eq!(r["run"]["rows_read"], 200);
    for f in flood {
        assert_eq!(f.join().expect("thread"), 300);
    }
}

#[test]
fn the_api_works_on_postgres_too() {
    let Some(db) = crate::postgres() else { return };
    let app = spawn_on(db, |_| {});
    let bytes = std::fs::read(fixtures().join("golden/snake-tab-utf8bom.csv")).expect("fixture");
    let r: Json = app
        .post_body(
            "/api/v1/imports/csv?file_name=pg.csv&batch_size=30",
            "text/csv",
            bytes.clone(),
        )
        .json()
        .expect("json");
    assert_eq!(r["run"]["status"], "finished");
    let again: Json = app
        .post_body("/api/v1/imports/csv?file_name=pg.csv", "text/csv", bytes)
        .json()
        .expect("json");
    assert_eq!(again["run"]["created"], 0);
    assert_eq!(
        again["run"]["existing"],
        r["run"]["created"].as_u64().expect("n")
    );
}

#[test]
fn hostile_batches_are_refused_clearly() {
    let app = spawn(|_| {});
    let run = app.create_run(json!({"file_name": "h.csv", "file_sha256": ""}));
    let url = app.url(&format!("/api/v1/imports/{}/batches/1", run["id"]));
    // A million rows in one batch.
    let mut body = String::from("{\"checksum\": \"x\", \"rows\": [");
    for i in 0..1_000_000 {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!("{{\"record\":{i},\"line\":{i},\"lead\":{{}}}}"));
    }
    body.push_str("]}");
    let (s, b) = error_of(
        app.http
            .put(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .expect("put"),
    );
    assert_eq!(
        (s, b["error"].as_str()),
        (413, Some("batch_too_large")),
        "{b}"
    );
    // Invalid UTF-8 inside a JSON string.
    let mut bad =
        br#"{"checksum": "x", "rows": [{"record": 0, "line": 2, "lead": {"city": ""#.to_vec();
    bad.extend_from_slice(&[0xff, 0xfe, b'"', b'}', b'}', b']', b'}']);
    let (s, b) = error_of(
        app.http
            .put(&url)
            .header("content-type", "application/json")
            .body(bad)
            .send()
            .expect("put"),
    );
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_json")), "{b}");
    // The run took none of it.
    let one: Json = app
        .get(&format!("/api/v1/imports/{}", run["id"]))
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert_eq!(one["batches"], 0);
}

#[test]
fn the_app_is_served_with_its_precompressed_wasm_to_clients_that_accept_gzip() {
    let dir = std::env::temp_dir().join(format!("leadsift-web-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>app</title>").expect("w");
    std::fs::write(dir.join("app_bg.wasm"), b"\0asm plain").expect("w");
    std::fs::write(dir.join("app_bg.wasm.gz"), b"pretend gzip").expect("w");
    std::fs::write(dir.join("only.js"), "export {}").expect("w");
    let web_dir = dir.to_str().expect("utf-8").to_owned();
    let app = spawn(|s| s.web_dir = web_dir);
    let get = |path: &str, gzip: bool| {
        let mut r = app.get(path);
        if gzip {
            r = r.header("accept-encoding", "br, gzip");
        }
        r.send().expect("get")
    };
    let zipped = get("/app_bg.wasm", true);
    assert_eq!(zipped.status(), 200);
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["content-type"], "application/wasm");
    assert_eq!(zipped.headers()["vary"], "Accept-Encoding");
    assert_eq!(zipped.bytes().expect("body").as_ref(), b"pretend gzip");
    let plain = get("/app_bg.wasm", false);
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().expect("body").as_ref(), b"\0asm plain");
    // A file without a twin is the file (compressed on the fly when asked); a missing one is a
    // 404; the page is the index.
    assert_eq!(get("/only.js", false).text().expect("body"), "export {}");
    assert_eq!(get("/only.js", true).headers()["content-encoding"], "gzip");
    assert_eq!(get("/missing.js", true).status(), 404);
    assert!(
        get("/", false)
            .text()
            .expect("page")
            .contains("<title>app</title>")
    );
}

/// The batch endpoint reads one row shape. A validator's own row JSON (with `status`, `key`,
/// `issues`) is refused with the key named, instead of being read without its failed values.
#[test]
fn a_row_in_another_shape_is_refused_by_name() {
    let app = spawn(|_| {});
    let run = app.create_run(json!({"file_name": "s.csv", "file_sha256": ""}));
    let rows = validate(b"Lead ID,Email\nL1,not-an-email\n");
    let wire: Vec<WireRow> = rows.iter().map(WireRow::from_row).collect();
    let body = json!({
        "rows": [serde_json::to_value(&rows[0]).expect("row")],
        "checksum": batch_checksum(&wire),
    });
    let (s, b) = error_of(app.put_batch(&run["id"], 1, &body));
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_body")), "{b}");
    assert!(
        b["message"]
            .as_str()
            .is_some_and(|m| m.contains("unknown field")),
        "{b}"
    );
    // The same row in the batch shape is taken.
    let answer: Json = app
        .put_batch(&run["id"], 1, &batch_body(&rows))
        .json()
        .expect("json");
    assert_eq!(answer["counts"]["created"], 1, "{answer}");
}

#[test]
fn a_run_says_where_it_was_started_and_a_lead_which_cells_were_edited() {
    for db in crate::backends() {
        let app = spawn_on(db, |_| {});
        // The client says browser, cli or api (the default); an upload is the server's to say.
        let run = app.create_run(json!({"file_name": "a.csv", "surface": "browser"}));
        assert_eq!(run["surface"], "browser");
        assert_eq!(
            app.create_run(json!({"file_name": "a.csv"}))["surface"],
            "api"
        );
        for claim in ["upload", "unknown", "desktop"] {
            let r = app
                .post("/api/v1/imports")
                .json(&json!({"file_name": "a.csv", "surface": claim}))
                .send()
                .expect("post");
            let (status, body) = error_of(r);
            assert_eq!(status, 400, "{claim}: {body}");
        }
        let r: Json = app
            .post_body(
                "/api/v1/imports/csv?file_name=t.csv",
                "text/csv",
                b"Lead ID,Email\nU1,u@example.com\n".to_vec(),
            )
            .json()
            .expect("json");
        assert_eq!(r["run"]["surface"], "upload");

        // A row whose phone a person fixed in the page: validated like any other, stored with
        // the columns edited.
        let (rows, _) = leadsift_core::validate_bytes(
            b"Lead ID,Email,Phone\nE1,e@example.com,555-12\n",
            leadsift_core::Options {
                keep_cells: true,
                ..leadsift_core::Options::new(leadsift_testkit::today())
            },
        )
        .expect("readable");
        let mut v = leadsift_core::Validator::new(leadsift_core::Options {
            keep_cells: true,
            ..leadsift_core::Options::new(leadsift_testkit::today())
        });
        let _ = v.push(b"Lead ID,Email,Phone\nE1,e@example.com,555-12\n");
        let _ = v.finish();
        let cells = rows[0].cells.as_ref().expect("cells");
        let fixed = v.replayer().expect("header").edited_row(
            &cells.get(),
            &[(2, "(415) 555-0134".to_owned())],
            0,
            2,
            rows[0].read,
            None,
        );
        assert_eq!(fixed.edited, ["Phone"]);
        let run = app.create_run(json!({"file_name": "e.csv", "surface": "browser"}));
        let answer: Json = app
            .put_batch(&run["id"], 1, &batch_body(&[fixed]))
            .json()
            .expect("json");
        assert_eq!(answer["counts"]["created"], 1, "{answer}");
        let lead: Json = app
            .get("/api/v1/leads/lead:E1")
            .send()
            .expect("get")
            .json()
            .expect("json");
        assert_eq!(lead["phone_1"], "4155550134");
        assert_eq!(lead["edited"], json!(["Phone"]));
    }
}
