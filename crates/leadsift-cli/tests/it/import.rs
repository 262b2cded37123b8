//! `leadsift import`, `history` and `serve` as processes: into SQLite, through the HTTP API,
//! and through a server that is killed with SIGKILL in the middle.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::{fixtures, leadsift};

pub fn tmp(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("leadsift-cli-import-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmp");
    dir
}

pub fn json_of(out: &std::process::Output) -> Json {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json summary")
}

pub fn table(url: &str) -> Vec<Json> {
    let db = leadsift_store::Database::open(url, 1).expect("db");
    leadsift_store::import::all_leads(&db)
        .expect("leads")
        .iter()
        .map(|r| r.content())
        .collect()
}

#[test]
fn import_then_again_then_a_dry_run() {
    let dir = tmp("sqlite");
    let url = format!("sqlite://{}", dir.join("a.db").display());
    let file = fixtures().join("golden/lc-comma-utf8.csv");
    let file = file.to_str().expect("path");
    let dry = json_of(&leadsift(&[
        "import",
        file,
        "--database-url",
        &url,
        "--dry-run",
        "--format",
        "json",
    ]));
    assert_eq!(
        (dry["run_id"].clone(), dry["dry_run"].clone()),
        (Json::Null, Json::Bool(true))
    );
    let history = leadsift(&["history", "--database-url", &url, "--json"]);
    assert_eq!(
        json_of(&history),
        serde_json::json!([]),
        "a dry run writes nothing, not even a run"
    );
    let first = json_of(&leadsift(&[
        "import",
        file,
        "--database-url",
        &url,
        "--batch-size",
        "33",
        "--format",
        "json",
    ]));
    for k in [
        "created",
        "updated",
        "unchanged",
        "existing",
        "rejected",
        "duplicates",
    ] {
        assert_eq!(first[k], dry[k], "the dry run predicted {k}");
    }
    assert_eq!(first["batches"], 7);
    let second = json_of(&leadsift(&[
        "import",
        file,
        "--database-url",
        &url,
        "--format",
        "json",
    ]));
    assert_eq!(second["created"], 0);
    assert_eq!(second["existing"], first["created"]);
    let history = json_of(&leadsift(&["history", "--database-url", &url, "--json"]));
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    assert_eq!(history[0]["id"], second["run_id"], "newest first");
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn serve(port: u16, url: &str) -> Child {
    serve_with_token(port, url, None)
}

/// `leadsift serve` on `port` over `url`, with `LEADSIFT_TOKEN` when a token is given; returns
/// once it answers.
pub fn serve_with_token(port: u16, url: &str, token: Option<&str>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leadsift"));
    if let Some(t) = token {
        cmd.env("LEADSIFT_TOKEN", t);
    }
    let child = cmd
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            url,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    wait_until_up(port);
    child
}

/// Waits until a server on `port` answers `/healthz` (30 s at most).
pub fn wait_until_up(port: u16) {
    let started = Instant::now();
    while reqwest::blocking::get(format!("http://127.0.0.1:{port}/healthz")).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn batches_done(port: u16) -> i64 {
    reqwest::blocking::get(format!("http://127.0.0.1:{port}/api/v1/imports"))
        .ok()
        .and_then(|r| r.json::<Json>().ok())
        .and_then(|j| j["runs"][0]["batches"].as_i64())
        .unwrap_or(0)
}

pub fn big_file(dir: &Path) -> PathBuf {
    // Four golden files' rows one after the other: 800 rows, 160 batches of 5.
    let mut text = String::new();
    for (i, name) in [
        "lc-comma-utf8",
        "lc-comma-utf8",
        "lc-comma-utf8",
        "lc-comma-utf8",
    ]
    .iter()
    .enumerate()
    {
        let body = std::fs::read_to_string(fixtures().join(format!("golden/{name}.csv")))
            .expect("fixture");
        let mut lines = body.splitn(2, '\n');
        let header = lines.next().expect("header");
        if i == 0 {
            text.push_str(header);
            text.push('\n');
        }
        // Distinct leads per copy: prefix the lead and event ids.
        text.push_str(
            &lines
                .next()
                .expect("rows")
                .lines()
                .map(|l| format!("{i}{l}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        text.push('\n');
    }
    let path = dir.join("big.csv");
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn a_server_killed_mid_import_and_restarted_ends_with_the_clean_table() {
    let dir = tmp("fault");
    let file = big_file(&dir);
    let file = file.to_str().expect("path");
    let clean_url = format!("sqlite://{}", dir.join("clean.db").display());
    json_of(&leadsift(&[
        "import",
        file,
        "--database-url",
        &clean_url,
        "--batch-size",
        "5",
        "--format",
        "json",
    ]));

    let url = format!("sqlite://{}", dir.join("served.db").display());
    let port = free_port();
    let mut server = serve(port, &url);
    let client = Command::new(env!("CARGO_BIN_EXE_leadsift"))
        .args([
            "import",
            file,
            "--server",
            &format!("http://127.0.0.1:{port}"),
            "--batch-size",
            "5",
            "--format",
            "json",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("client");
    let started = Instant::now();
    while batches_done(port) < 20 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import did not progress"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
    std::thread::sleep(Duration::from_millis(700));
    let mut server = serve(port, &url);
    let out = client.wait_with_output().expect("client ends");
    let summary = json_of(&out);
    server.kill().expect("stop");
    server.wait().expect("reaped");
    assert_eq!(summary["rows"], 800);
    let (served, clean) = (table(&url), table(&clean_url));
    assert_eq!(served.len(), clean.len(), "as many leads as a clean import");
    for (a, b) in served.iter().zip(&clean) {
        if a != b {
            let diff: Vec<String> = a
                .as_object()
                .expect("object")
                .iter()
                .filter(|(k, v)| b.get(k.as_str()) != Some(v))
                .map(|(k, v)| format!("{k}: served {v}, clean {}", b[k.as_str()]))
                .collect();
            panic!(
                "lead {} differs from a clean import's: {diff:?}",
                a["lead_key"]
            );
        }
    }
}

/// A database of its own on `LEADSIFT_TEST_PG`, dropped at the end; None when that is unset
/// (and `LEADSIFT_REQUIRE_PG` is not).
pub fn postgres(name: &str) -> Option<(String, impl Drop)> {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let Ok(base) = std::env::var("LEADSIFT_TEST_PG") else {
        assert!(
            std::env::var_os("LEADSIFT_REQUIRE_PG").is_none(),
            "LEADSIFT_TEST_PG is not set"
        );
        leadsift_testkit::skipped(
            "leadsift-cli: the PostgreSQL imports",
            "LEADSIFT_TEST_PG=postgres://user@host:port",
        );
        return None;
    };
    let base = base.trim_end_matches('/').to_owned();
    let name = format!("leadsift_cli_{}_{name}", std::process::id());
    let admin = format!("{base}/postgres");
    let mut c = PgConnection::establish(&admin).expect("LEADSIFT_TEST_PG reachable");
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        diesel::sql_query(sql).execute(&mut c).expect("create");
    }
    struct DropDb(String, String);
    impl Drop for DropDb {
        fn drop(&mut self) {
            if let Ok(mut c) = PgConnection::establish(&self.0) {
                let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.1);
                let _ = diesel::sql_query(sql).execute(&mut c);
            }
        }
    }
    Some((format!("{base}/{name}"), DropDb(admin, name)))
}

/// On PostgreSQL two batches are written at once; a later row of a key must still replace the
/// earlier one when they sit in neighbouring batches. A file where every key comes back in
/// the next batches, imported in batches of three, must end as the one-writer SQLite import.
/// (The ordering rule itself is tested deterministically beside `WriteOrder`.)
#[test]
fn two_writers_keep_the_files_order_where_it_matters() {
    let Some((pg, _db)) = postgres("order") else {
        return;
    };
    let dir = tmp("order");
    let file = dir.join("repeats.csv");
    let mut csv = String::from("Lead ID,City,Email\n");
    for round in 0..12 {
        for key in 0..5 {
            csv.push_str(&format!("L{key},City {round},l{key}.{round}@example.com\n"));
        }
    }
    std::fs::write(&file, csv).expect("write");
    let sqlite = format!("sqlite://{}", dir.join("one.db").display());
    let file = file.to_str().expect("path");
    let mut counts = Vec::new();
    for url in [&sqlite, &pg] {
        let out = json_of(&leadsift(&[
            "import",
            file,
            "--batch-size",
            "3",
            "--format",
            "json",
            "--database-url",
            url,
        ]));
        counts.push((out["created"].clone(), out["duplicates"].clone()));
    }
    assert_eq!(counts[0], (Json::from(5), Json::from(55)));
    assert_eq!(counts[1], counts[0], "the same counts");
    let stored = table(&pg);
    assert_eq!(stored, table(&sqlite), "the same stored leads");
    assert!(
        stored.iter().all(|l| l["city"] == "City 11"),
        "each key holds its last row: {stored:?}"
    );
}

/// Every stored lead keeps its original row (header → cell as read, in column order), whether
/// imported into a database or through a server; `--no-original` keeps none.
#[test]
fn the_original_row_is_stored_unless_told_not_to() {
    let dir = tmp("original");
    let file = dir.join("leads.csv");
    std::fs::write(
        &file,
        "Zeta,Lead ID,Email,Phone\nz1,L1,A@Example.com,(512) 789-1111\nz2,L2,b@example.com,\n",
    )
    .expect("write");
    let file = file.to_str().expect("path");
    let originals = |url: &str| -> Vec<Option<String>> {
        let db = leadsift_store::Database::open(url, 1).expect("db");
        let mut leads = leadsift_store::import::all_leads(&db).expect("leads");
        leads.sort_by(|a, b| a.lead_key.cmp(&b.lead_key));
        leads.into_iter().map(|l| l.original).collect()
    };
    let want = vec![
        Some(
            r#"{"Zeta":"z1","Lead ID":"L1","Email":"A@Example.com","Phone":"(512) 789-1111"}"#
                .to_owned(),
        ),
        Some(r#"{"Zeta":"z2","Lead ID":"L2","Email":"b@example.com","Phone":""}"#.to_owned()),
    ];
    let import = |db: &str, flags: &[&str]| -> String {
        let url = format!("sqlite://{}", dir.join(db).display());
        let mut args = vec!["import", file, "--format", "json", "--database-url", &url];
        args.extend_from_slice(flags);
        json_of(&leadsift(&args));
        url
    };
    assert_eq!(
        originals(&import("kept.db", &[])),
        want,
        "into the database"
    );
    assert_eq!(
        originals(&import("none.db", &["--no-original"])),
        vec![None, None],
        "--no-original"
    );
    let url = format!("sqlite://{}", dir.join("served.db").display());
    let port = free_port();
    let mut server = serve(port, &url);
    let base = format!("http://127.0.0.1:{port}");
    json_of(&leadsift(&[
        "import", file, "--server", &base, "--format", "json",
    ]));
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(originals(&url), want, "through a server");
}
