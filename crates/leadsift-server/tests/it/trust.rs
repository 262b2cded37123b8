//! The server against a hostile client and a failing world (the trust issue): each attack is
//! a test of its outcome (status, message, run status, rows stored), on SQLite and, where it
//! touches storage, on PostgreSQL.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use leadsift_server::config::Settings;
use leadsift_server::startup::Application;
use reqwest::Method;
use serde_json::{Value as Json, json};

use crate::api::{TestApp, batch_body, error_of, spawn, spawn_on};
use crate::{backends, validate};

const TOKEN: &str = "a-long-enough-test-token";

fn with_token(s: &mut Settings) {
    s.token = Some(TOKEN.into());
}

/// A request without the token.
fn anon(app: &TestApp, m: Method, path: &str) -> reqwest::blocking::RequestBuilder {
    app.http.request(m, app.url(path))
}

fn runs(app: &TestApp) -> Vec<Json> {
    let page: Json = app
        .get("/api/v1/imports?limit=500")
        .send()
        .expect("get")
        .json()
        .expect("json");
    page["runs"].as_array().cloned().unwrap_or_default()
}

fn lead_count(app: &TestApp) -> usize {
    leadsift_store::import::all_leads(&app.db.db)
        .expect("leads")
        .len()
}

/// One raw HTTP/1.1 exchange: what is written, then whatever the server answers before it
/// closes (or 30 s pass, which fails the test rather than hanging it).
fn raw(app: &TestApp, request: &[u8]) -> String {
    let addr = app.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(request).expect("write");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if out.windows(4).any(|w| w == b"\r\n\r\n") && complete(&out) {
                    break;
                }
            }
            Err(e) => panic!("no answer: {e}"),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a response with a Content-Length has all its body.
fn complete(resp: &[u8]) -> bool {
    let text = String::from_utf8_lossy(resp);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .and_then(|v| v.trim().parse::<usize>().ok())
        })
        .is_none_or(|n| body.len() >= n)
}

#[test]
fn with_a_token_every_route_that_holds_data_needs_it() {
    let app = spawn(with_token);
    let run = app.create_run(json!({"file_name": "a.csv", "file_sha256": ""}));
    let id = run["id"].as_i64().expect("id");
    let routes = [
        (Method::GET, "/api/v1/leads".to_owned()),
        (Method::GET, "/api/v1/leads/lead:x".to_owned()),
        (Method::GET, "/api/v1/imports".to_owned()),
        (Method::GET, format!("/api/v1/imports/{id}")),
        (Method::GET, format!("/api/v1/imports/{id}/errors.csv")),
        (Method::GET, "/metrics".to_owned()),
        (Method::POST, "/api/v1/imports".to_owned()),
        (Method::PUT, format!("/api/v1/imports/{id}/batches/1")),
        (Method::POST, format!("/api/v1/imports/{id}/finish")),
        (Method::POST, format!("/api/v1/imports/{id}/abandon")),
        (Method::POST, "/api/v1/imports/csv".to_owned()),
        (Method::POST, "/api/v1/leads".to_owned()),
        (Method::GET, "/api/v1/nothing-here".to_owned()),
    ];
    for (m, path) in &routes {
        let (s, b) = error_of(anon(&app, m.clone(), path).send().expect("send"));
        assert_eq!(
            (s, b["error"].as_str()),
            (401, Some("unauthorized")),
            "{m} {path}"
        );
        let (s, b) = error_of(
            anon(&app, m.clone(), path)
                .header("authorization", "Bearer not-the-token")
                .send()
                .expect("send"),
        );
        assert_eq!(
            (s, b["error"].as_str()),
            (401, Some("invalid_token")),
            "{m} {path}"
        );
    }
    for open in ["/healthz", "/readyz", "/"] {
        assert_eq!(
            anon(&app, Method::GET, open).send().expect("get").status(),
            200,
            "{open}"
        );
    }
    // The scheme in any case, the token compared exactly.
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let r = anon(&app, Method::GET, "/api/v1/imports")
            .header("authorization", format!("{scheme} {TOKEN}"))
            .send()
            .expect("get");
        assert_eq!(r.status(), 200, "{scheme}");
    }
    let longer = format!("{TOKEN}x");
    let r = anon(&app, Method::GET, "/api/v1/imports")
        .bearer_auth(&longer)
        .send()
        .expect("get");
    assert_eq!(r.status(), 401);
}

#[test]
fn an_empty_or_blank_token_is_a_configuration_error() {
    for bad in ["", " ", "\t", "two words"] {
        let s = Settings {
            token: Some(bad.into()),
            bind: "0.0.0.0:0".parse().expect("addr"),
            ..Settings::default()
        };
        let err = s.check().expect_err("refused");
        assert!(err.to_string().contains("token"), "{bad:?}: {err}");
        let built = Application::build(Settings {
            database_url: "sqlite://never-opened.db".into(),
            ..s
        });
        assert!(built.is_err(), "{bad:?}");
    }
    let toml: Settings = toml::from_str("token = \"\"").expect("parses");
    assert!(toml.check().is_err(), "an empty token from the file too");
    assert!(!std::path::Path::new("never-opened.db").exists());
}

#[test]
fn the_token_is_checked_before_the_body_is_read() {
    let app = spawn(with_token);
    // Headers that promise 60 MiB, and no body at all: answered at once, not after reading.
    let port = app.base.rsplit(':').next().expect("port");
    for (method, path) in [
        ("PUT", "/api/v1/imports/1/batches/1"),
        ("POST", "/api/v1/imports/csv"),
        ("POST", "/api/v1/leads"),
    ] {
        let resp = raw(
            &app,
            format!(
                "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: 62914560\r\n\r\n"
            )
            .as_bytes(),
        );
        assert!(resp.starts_with("HTTP/1.1 401"), "{method} {path}: {resp}");
    }
}

#[test]
fn without_a_token_other_sites_pages_cannot_write_or_read() {
    let app = spawn(|s| s.allowed_hosts = vec!["leads.internal".into()]);
    let port = app.base.rsplit(':').next().expect("port").to_owned();
    let body = json!({"file_name": "a.csv", "file_sha256": ""});
    // A page on another site: its Origin, or Sec-Fetch-Site.
    let (s, b) = error_of(
        app.post("/api/v1/imports")
            .header("origin", "https://evil.example")
            .json(&body)
            .send()
            .expect("post"),
    );
    assert_eq!((s, b["error"].as_str()), (403, Some("cross_origin")));
    let (s, _) = error_of(
        app.post("/api/v1/imports")
            .header("origin", "null")
            .json(&body)
            .send()
            .expect("post"),
    );
    assert_eq!(s, 403, "an opaque origin");
    let (s, _) = error_of(
        app.get("/api/v1/leads")
            .header("sec-fetch-site", "cross-site")
            .send()
            .expect("get"),
    );
    assert_eq!(s, 403);
    // The bodies a page may send unasked (no preflight): text/plain JSON, forms, multipart.
    for (path, ctype, text) in [
        ("/api/v1/imports", "text/plain", body.to_string()),
        (
            "/api/v1/leads",
            "text/plain",
            "{\"lead_id\": \"x\"}".to_owned(),
        ),
        (
            "/api/v1/leads",
            "application/x-www-form-urlencoded",
            "lead_id=x".to_owned(),
        ),
        (
            "/api/v1/imports/csv",
            "multipart/form-data; boundary=b",
            "--b\r\n\r\nLead ID\r\nL1\r\n--b--".to_owned(),
        ),
        (
            "/api/v1/imports/csv",
            "text/plain",
            "Lead ID\nL1\n".to_owned(),
        ),
    ] {
        let (s, b) = error_of(app.post_body(path, ctype, text));
        assert_eq!(
            (s, b["error"].as_str()),
            (415, Some("unsupported_media_type")),
            "{path} {ctype}"
        );
    }
    // DNS rebinding: a foreign name resolving to 127.0.0.1 is still a foreign Host.
    for host in ["evil.example", "evil.example:80", "127.0.0.1.evil.example"] {
        let resp = raw(
            &app,
            format!("GET /api/v1/leads HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert!(resp.starts_with("HTTP/1.1 403"), "{host}: {resp}");
        assert!(resp.contains("forbidden_host"), "{resp}");
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "leads.internal".to_owned(),
    ] {
        let resp = raw(
            &app,
            format!("GET /api/v1/leads HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert!(resp.starts_with("HTTP/1.1 200"), "{host}: {resp}");
    }
    // The app's own page (its Origin is the server's) still works.
    let r = app
        .post("/api/v1/imports")
        .header("origin", format!("http://127.0.0.1:{port}"))
        .header("sec-fetch-site", "same-origin")
        .json(&body)
        .send()
        .expect("post");
    assert_eq!(r.status(), 201);
    // Probes answer whatever the Host (a load balancer's check).
    let resp = raw(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: lb.example\r\nConnection: close\r\n\r\n",
    );
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
}

#[test]
fn a_gzip_bomb_is_refused_and_commits_nothing() {
    let app = spawn(|_| {});
    // 1 GiB of newlines in about 1 MB.
    let bomb = leadsift_testkit::gzip_bomb(1024);
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    let (s, b) = error_of(app.post_body(
        "/api/v1/imports/csv?file_name=bomb.csv.gz",
        "application/gzip",
        bomb,
    ));
    assert_eq!(
        (s, b["error"].as_str()),
        (413, Some("payload_too_large")),
        "{b}"
    );
    assert!(
        b["message"]
            .as_str()
            .is_some_and(|m| m.contains("decompression bomb")),
        "{b}"
    );
    // A bomb under the ratio but over the inflated limit.
    let app = spawn(|s| s.max_inflated_bytes = 1 << 20);
    let mut csv = b"Lead ID,Email\n".to_vec();
    for i in 0..60_000 {
        csv.extend_from_slice(format!("L{i},p{i}@example.com\n").as_bytes());
    }
    let (s, b) = error_of(app.post_body(
        "/api/v1/imports/csv?file_name=big.csv.gz",
        "application/gzip",
        leadsift_testkit::gzip(&csv),
    ));
    assert_eq!(
        (s, b["error"].as_str()),
        (413, Some("payload_too_large")),
        "{b}"
    );
    assert!(runs(&app).is_empty(), "no run was started");
    assert_eq!(lead_count(&app), 0);
}

/// A CSV of `n` distinct leads.
fn leads_csv(n: usize, prefix: &str) -> Vec<u8> {
    let mut csv = b"Lead ID,Email,Phone 1,First Name\n".to_vec();
    for i in 0..n {
        csv.extend_from_slice(
            format!(
                "{prefix}{i},p{i}@example.com,512789{:04},Name{i}\n",
                i % 10_000
            )
            .as_bytes(),
        );
    }
    csv
}

#[test]
fn a_saturated_server_still_answers_healthz_and_refuses_more_uploads_with_503() {
    let app = std::sync::Arc::new(spawn(|s| s.max_uploads = 2));
    let csv = leads_csv(150_000, "S");
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let uploads: Vec<_> = (0..2)
        .map(|i| {
            let (app, csv, done) = (app.clone(), csv.clone(), done.clone());
            std::thread::spawn(move || {
                let r = app
                    .post(&format!(
                        "/api/v1/imports/csv?file_name=s{i}.csv&batch_size=5000"
                    ))
                    .header("content-type", "text/csv")
                    .body(csv)
                    .timeout(Duration::from_secs(600))
                    .send()
                    .expect("post");
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                r.status().as_u16()
            })
        })
        .collect();
    // Wait until both are in the server (the metrics say so).
    let in_flight = |app: &TestApp| {
        let text = app
            .get("/metrics")
            .send()
            .expect("metrics")
            .text()
            .expect("text");
        text.lines()
            .find_map(|l| l.strip_prefix("leadsift_uploads_in_flight "))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    let mut seen = 0;
    for _ in 0..6000 {
        seen = in_flight(&app);
        if seen == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(seen, 2, "both uploads reached the server");
    let r = app.post_body(
        "/api/v1/imports/csv?file_name=third.csv",
        "text/csv",
        "Lead ID\nL1\n",
    );
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    let health = app.get("/healthz").send().expect("healthz");
    assert_eq!(health.status(), 200);
    assert_eq!(
        done.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "healthz answered while both uploads were still running"
    );
    for u in uploads {
        assert_eq!(u.join().expect("thread"), 200);
    }
    let finished = runs(&app);
    assert_eq!(finished.len(), 2);
    assert!(
        finished.iter().all(|r| r["status"] == "finished"),
        "{finished:?}"
    );
}

#[test]
fn an_upload_that_never_fully_arrives_commits_nothing_and_starts_no_run() {
    for db in backends() {
        let app = spawn_on(db, |s| s.max_body_bytes = 1 << 20);
        let port = app.base.rsplit(':').next().expect("port").to_owned();
        let csv = leads_csv(40_000, "A");
        assert!(csv.len() > 1 << 20);
        // Declared over the limit: refused before a byte of it is read.
        let (s, b) = error_of(app.post_body(
            "/api/v1/imports/csv?file_name=big.csv",
            "text/csv",
            csv.clone(),
        ));
        assert_eq!((s, b["error"].as_str()), (413, Some("payload_too_large")));
        // Chunked, so the size is known only as it arrives: refused when it passes the limit.
        let (s, b) = error_of(
            app.post("/api/v1/imports/csv?file_name=chunked.csv")
                .header("content-type", "text/csv")
                .body(reqwest::blocking::Body::new(std::io::Cursor::new(
                    csv.clone(),
                )))
                .send()
                .expect("post"),
        );
        assert_eq!((s, b["error"].as_str()), (413, Some("payload_too_large")));
        // A client that goes away halfway.
        let half = &csv[..600_000];
        let addr = app.base.trim_start_matches("http://").to_owned();
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.write_all(
            format!(
                "POST /api/v1/imports/csv?file_name=cut.csv HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/csv\r\nContent-Length: 900000\r\n\r\n"
            )
            .as_bytes(),
        )
        .expect("headers");
        s.write_all(half).expect("half");
        drop(s);
        // A damaged gzip (cut short).
        let gz = leadsift_testkit::gzip(&leads_csv(20_000, "G"));
        let (s, b) = error_of(app.post_body(
            "/api/v1/imports/csv?file_name=cut.csv.gz",
            "application/gzip",
            gz[..gz.len() * 2 / 3].to_vec(),
        ));
        assert_eq!(
            (s, b["error"].as_str()),
            (422, Some("unreadable_file")),
            "{b}"
        );
        // The server is still whole, and nothing of these was kept.
        assert_eq!(app.get("/healthz").send().expect("get").status(), 200);
        assert!(runs(&app).is_empty(), "{:?}", runs(&app));
        assert_eq!(lead_count(&app), 0);
    }
}

/// Renames the leads table away, so that every write fails as a broken database's would.
fn break_the_leads_table(app: &TestApp) {
    use diesel::RunQueryDsl;
    let rename = || -> anyhow::Result<usize> {
        let mut c = app.db.db.conn()?;
        Ok(diesel::sql_query("ALTER TABLE leads RENAME TO leads_elsewhere").execute(&mut *c)?)
    };
    rename().expect("renamed");
}

#[test]
fn a_database_failure_ends_the_run_and_the_500_says_only_internal() {
    for db in backends() {
        let app = spawn_on(db, |s| s.abandon_after_secs = 1);
        let rows = validate(&leads_csv(30, "D"));
        // The whole-file upload: the run ends failed, with the reason.
        break_the_leads_table(&app);
        let r = app.post_body(
            "/api/v1/imports/csv?file_name=broken.csv",
            "text/csv",
            leads_csv(30, "D"),
        );
        assert_eq!(r.status(), 500);
        let rid = r
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .expect("request id")
            .to_owned();
        let b: Json = r.json().expect("json");
        assert_eq!(b["error"], "internal");
        let message = b["message"].as_str().expect("message");
        assert!(message.contains(&rid), "{message}");
        for inside in ["leads", "table", "relation", "sql"] {
            assert!(!message.to_lowercase().contains(inside), "{message}");
        }
        let history = runs(&app);
        assert_eq!(history[0]["status"], "failed", "{history:?}");
        let why = history[0]["failure"].as_str().expect("failure");
        assert!(why.contains("batch 1") && why.contains(&rid), "{why}");
        // The batch API: the run keeps running (the client may retry); if it never comes
        // back, the sweep ends it, with the last failure in the reason.
        let run = app.create_run(json!({"file_name": "b.csv", "file_sha256": ""}));
        let r = app.put_batch(&run["id"], 1, &batch_body(&rows));
        assert_eq!(r.status(), 500);
        let mut status = Json::Null;
        for _ in 0..100 {
            let now: Json = app
                .get(&format!("/api/v1/imports/{}", run["id"]))
                .send()
                .expect("get")
                .json()
                .expect("json");
            status = now["status"].clone();
            if status != "running" {
                assert!(
                    now["failure"]
                        .as_str()
                        .is_some_and(|f| f.contains("no batch arrived") && f.contains("batch 1")),
                    "{now}"
                );
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(status, "abandoned");
    }
}

#[test]
fn a_discarded_run_ends_abandoned_and_takes_no_more_batches() {
    for db in backends() {
        let app = spawn_on(db, |_| {});
        let rows = validate(&leads_csv(10, "X"));
        let run = app.create_run(json!({"file_name": "x.csv", "file_sha256": ""}));
        assert_eq!(
            app.put_batch(&run["id"], 1, &batch_body(&rows[..5]))
                .status(),
            200
        );
        let ended: Json = app
            .post(&format!("/api/v1/imports/{}/abandon", run["id"]))
            .json(&json!({"reason": "discarded in the browser"}))
            .send()
            .expect("post")
            .json()
            .expect("json");
        assert_eq!(ended["status"], "abandoned");
        assert_eq!(
            ended["failure"],
            "the client gave up: discarded in the browser"
        );
        assert_eq!(ended["created"], 5, "the committed batch stays");
        let (s, b) = error_of(app.put_batch(&run["id"], 2, &batch_body(&rows[5..])));
        assert_eq!((s, b["error"].as_str()), (409, Some("run_finished")));
        // Without a body: the default reason.
        let other = app.create_run(json!({"file_name": "y.csv", "file_sha256": ""}));
        let ended: Json = app
            .post(&format!("/api/v1/imports/{}/abandon", other["id"]))
            .send()
            .expect("post")
            .json()
            .expect("json");
        assert_eq!(ended["failure"], "discarded by the client");
        // Finishing an ended run changes nothing.
        let again: Json = app
            .post(&format!("/api/v1/imports/{}/finish", other["id"]))
            .send()
            .expect("post")
            .json()
            .expect("json");
        assert_eq!(again["status"], "abandoned");
    }
}

#[test]
fn a_run_nobody_sends_to_is_swept_as_abandoned() {
    let app = spawn(|s| s.abandon_after_secs = 1);
    let run = app.create_run(json!({"file_name": "idle.csv", "file_sha256": "", "dry_run": true}));
    let mut last = Json::Null;
    for _ in 0..100 {
        last = app
            .get(&format!("/api/v1/imports/{}", run["id"]))
            .send()
            .expect("get")
            .json()
            .expect("json");
        if last["status"] != "running" {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(last["status"], "abandoned", "{last}");
    assert_eq!(
        last["failure"],
        "no batch arrived for 1 s: the client stopped before finishing"
    );
    assert!(last["finished_at"].is_string());
}

/// A file with NUL bytes in mapped and unmapped cells and in a header.
fn nul_file() -> Vec<u8> {
    let mut f = b"Lead ID,Email,First Name,City,Notes\0x,Phone 1\n".to_vec();
    for i in 0..50 {
        f.extend_from_slice(
            format!("N{i},p{i}@exam\0ple.com,Jo\0{i},Aus\0tin,free\0text {i},512789{i:04}\n")
                .as_bytes(),
        );
    }
    f
}

#[test]
fn nul_bytes_import_into_postgres_as_into_sqlite() {
    let mut results = Vec::new();
    for db in backends() {
        let app = spawn_on(db, |_| {});
        let r = app.post_body(
            "/api/v1/imports/csv?file_name=nul.csv&batch_size=20",
            "text/csv",
            nul_file(),
        );
        assert_eq!(r.status(), 200, "{}", r.text().unwrap_or_default());
        let b: Json = r.json().expect("json");
        assert_eq!(b["run"]["created"], 50, "{b}");
        // Through the batch API too, with a NUL in a value the client claims is clean.
        let run = app.create_run(json!({"file_name": "nul-batch.csv", "file_sha256": ""}));
        let mut body = batch_body(&validate(b"Lead ID,City\nB1,Austin\n"));
        body["rows"][0]["lead"]["city"] = json!("Aus\u{0}tin");
        body["rows"][0]["extra"] = json!({"No\u{0}te": "a\u{0}b"});
        let rows: Vec<leadsift_core::wire::WireRow> =
            serde_json::from_value::<Vec<leadsift_core::wire::BatchRowIn>>(body["rows"].clone())
                .expect("rows")
                .into_iter()
                .map(leadsift_core::wire::BatchRowIn::into_wire)
                .collect();
        body["checksum"] = json!(leadsift_core::wire::batch_checksum(&rows));
        let r = app.put_batch(&run["id"], 1, &body);
        assert_eq!(r.status(), 200, "{}", r.text().unwrap_or_default());
        let leads = leadsift_store::import::all_leads(&app.db.db).expect("leads");
        let content: Vec<String> = leads
            .iter()
            .map(|l| {
                format!(
                    "{}|{:?}|{:?}|{:?}|{}",
                    l.lead_key, l.email, l.first_name, l.city, l.extra
                )
            })
            .collect();
        assert!(content.iter().all(|c| !c.contains('\0')), "{content:?}");
        results.push((b["run"]["rows_read"].clone(), content));
    }
    if results.len() == 2 {
        assert_eq!(
            results[0], results[1],
            "PostgreSQL stores what SQLite stores"
        );
    }
}

#[test]
fn nul_bytes_and_oversized_strings_in_requests_are_400s() {
    let app = spawn(|_| {});
    for path in [
        "/api/v1/leads/lead:a%00b",
        "/api/v1/leads?email=a%00@example.com",
        "/api/v1/imports?limit=1%00",
    ] {
        let (s, b) = error_of(app.get(path).send().expect("get"));
        assert_eq!(
            (s, b["error"].as_str()),
            (400, Some("invalid_request")),
            "{path}"
        );
    }
    let (s, b) = error_of(app.post_body(
        "/api/v1/imports/csv?file_name=a%00.csv",
        "text/csv",
        "Lead ID\nL1\n",
    ));
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")));
    let (s, b) = error_of(
        app.post("/api/v1/imports")
            .json(&json!({"file_name": "a\u{0}.csv", "file_sha256": ""}))
            .send()
            .expect("post"),
    );
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_body")), "{b}");
    let (s, b) = error_of(
        app.post("/api/v1/imports")
            .json(&json!({"file_name": "x".repeat(256), "file_sha256": ""}))
            .send()
            .expect("post"),
    );
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_body")));
    assert!(
        b["message"].as_str().is_some_and(|m| m.contains("255")),
        "{b}"
    );
    let r = app
        .post("/api/v1/imports")
        .json(&json!({"file_name": "é".repeat(127), "file_sha256": ""}))
        .send()
        .expect("post");
    assert_eq!(r.status(), 201, "254 bytes is fine");
    let big: serde_json::Map<String, Json> = (0..3000)
        .map(|i| (format!("Header number {i}"), json!("extra")))
        .collect();
    let (s, b) = error_of(
        app.post("/api/v1/imports")
            .json(&json!({"file_name": "m.csv", "file_sha256": "", "mapping": big}))
            .send()
            .expect("post"),
    );
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_body")));
    assert!(
        b["message"].as_str().is_some_and(|m| m.contains("65536")),
        "{b}"
    );
    let long = format!("/api/v1/imports/csv?file_name={}.csv", "y".repeat(300));
    for path in ["/api/v1/imports/csv?file_name=", long.as_str()] {
        let (s, b) = error_of(app.post_body(path, "text/csv", "Lead ID\nL1\n"));
        assert_eq!(
            (s, b["error"].as_str()),
            (400, Some("invalid_query")),
            "{b}"
        );
    }
    assert!(
        app.get("/api/v1/imports")
            .send()
            .expect("get")
            .json::<Json>()
            .expect("json")["runs"]
            .as_array()
            .is_some_and(|r| r.len() == 1),
        "only the 254-byte name started a run"
    );
}

#[test]
fn dot_files_are_not_served() {
    let dir = std::env::temp_dir().join(format!("leadsift-dots-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".git")).expect("dir");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>app</title>").expect("w");
    std::fs::write(dir.join(".hidden.js"), "secret()").expect("w");
    std::fs::write(dir.join(".env"), "TOKEN=x").expect("w");
    std::fs::write(dir.join(".git/config"), "[core]").expect("w");
    std::fs::write(dir.join("app.js"), "export {}").expect("w");
    let web_dir = dir.to_str().expect("utf-8").to_owned();
    let app = spawn(|s| s.web_dir = web_dir);
    for hidden in ["/.hidden.js", "/.env", "/.git/config", "/%2eenv"] {
        let r = app.get(hidden).send().expect("get");
        assert!(r.status().is_client_error(), "{hidden}: {}", r.status());
        let body = r.text().expect("text");
        assert!(!body.contains("secret") && !body.contains("TOKEN") && !body.contains("[core]"));
    }
    assert_eq!(app.get("/app.js").send().expect("get").status(), 200);
    assert_eq!(app.get("/").send().expect("get").status(), 200);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn metrics_count_rows_batches_and_runs() {
    let app = spawn(with_token);
    let r = app.post_body(
        "/api/v1/imports/csv?file_name=m.csv&batch_size=10",
        "text/csv",
        leads_csv(35, "M"),
    );
    assert_eq!(r.status(), 200);
    let text = app
        .get("/metrics")
        .send()
        .expect("get")
        .text()
        .expect("text");
    for line in [
        "leadsift_rows_total{outcome=\"created\"} 35",
        "leadsift_batches_total 4",
        "leadsift_batch_seconds_count 4",
        "leadsift_runs{status=\"finished\"} 1",
        "leadsift_runs{status=\"running\"} 0",
        "leadsift_uploads_in_flight 0",
        "# TYPE leadsift_batch_seconds histogram",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
}

#[test]
fn small_bodies_have_small_limits_in_the_apis_shape() {
    let app = spawn(|_| {});
    let big = "x".repeat(300 << 10);
    for path in ["/api/v1/imports", "/api/v1/leads"] {
        let body = json!({"file_name": big, "file_sha256": "", "lead_id": big}).to_string();
        let (s, b) = error_of(app.post_body(path, "application/json", body));
        assert_eq!(
            (s, b["error"].as_str()),
            (413, Some("payload_too_large")),
            "{path}: {b}"
        );
    }
}
