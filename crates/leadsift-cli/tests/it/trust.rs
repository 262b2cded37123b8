//! The trust issue as processes see it: configuration refused with exit 2, gzip bombs in flat
//! memory (peak RSS measured), damaged input that commits nothing, runs that always end, the
//! log of a 500, and two servers on one PostgreSQL.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value as Json;

use crate::import::{free_port, postgres, table, tmp, wait_until_up};
use crate::{fixtures, leadsift};

/// The binary under test: the release build when CI names it (fast enough to inflate 2 GiB),
/// else this crate's.
fn bin() -> PathBuf {
    std::env::var_os("LEADSIFT_E2E_BIN")
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_leadsift")))
}

fn release() -> bool {
    bin() != Path::new(env!("CARGO_BIN_EXE_leadsift"))
}

/// Runs `leadsift args`; returns its output and its peak resident memory in KiB, as the
/// kernel counts it for a waited-for child (`getrusage(RUSAGE_CHILDREN)`, read by Python's
/// standard library, which CI has).
fn with_peak_rss(args: &[&str]) -> (std::process::Output, u64) {
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n\
                  sys.stdout.buffer.write(r.stdout)\n\
                  sys.stderr.buffer.write(r.stderr)\n\
                  sys.stderr.write('\\nPEAK_RSS_KIB=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n\
                  sys.exit(r.returncode)";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(bin())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("python3");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak = stderr
        .lines()
        .find_map(|l| l.strip_prefix("PEAK_RSS_KIB="))
        .and_then(|n| n.trim().parse().ok())
        .expect("peak rss");
    (out, peak)
}

/// The high-water mark of a running process's resident memory, in KiB.
fn vm_hwm(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .expect("status")
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[test]
fn an_empty_token_is_a_usage_error_from_flag_environment_and_file() {
    let dir = tmp("empty-token");
    let toml = dir.join("leadsift.toml");
    std::fs::write(&toml, "token = \"\"\n").expect("write");
    let db = format!("sqlite://{}", dir.join("x.db").display());
    let cases: [(&[&str], Option<&str>); 4] = [
        (&["serve", "--bind", "0.0.0.0:0", "--token", ""], None),
        (&["serve", "--bind", "127.0.0.1:0"], Some("  ")),
        (
            &[
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--config",
                toml.to_str().expect("p"),
            ],
            None,
        ),
        (
            &["import", "--server", "http://127.0.0.1:9", "--token", ""],
            None,
        ),
    ];
    for (args, env) in cases {
        let mut c = Command::new(bin());
        c.args(args).args(["--database-url", &db]);
        if let Some(v) = env {
            c.env("LEADSIFT_TOKEN", v);
        }
        let out = c.stdin(Stdio::null()).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
        assert!(err.contains("token is empty"), "{err}");
    }
    assert!(!dir.join("x.db").exists(), "nothing was opened");
}

#[test]
fn validate_refuses_a_two_gigabyte_gzip_bomb_in_flat_memory() {
    let dir = tmp("bomb");
    let bomb = dir.join("newlines.csv.gz");
    std::fs::write(&bomb, leadsift_testkit::gzip_bomb(2048)).expect("write");
    let path = bomb.to_str().expect("p");
    let (out, peak) = with_peak_rss(&["validate", path, "--format", "summary"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("decompression bomb"), "{err}");
    assert!(peak < 64 << 10, "peak RSS {peak} KiB");
    // With the ratio limit lifted it is read to the end, still in flat memory (each step
    // inflates at most 32 KiB, where one 256 KiB read of it used to inflate to 256 MiB). The
    // release build reads 512 MiB of it (2 GiB take 40 s), a debug build 64 MiB.
    let ratio_off = ["--max-inflation-ratio", "100000000"];
    let small = dir.join("small.csv.gz");
    std::fs::write(
        &small,
        leadsift_testkit::gzip_bomb(if release() { 512 } else { 64 }),
    )
    .expect("write");
    let path = small.to_str().expect("p");
    let mut args = vec!["validate", path, "--format", "summary"];
    args.extend(ratio_off);
    let (out, peak) = with_peak_rss(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Json = serde_json::from_slice(&out.stdout).expect("summary");
    assert_eq!(summary["notes"][0], "the file holds no header row");
    assert!(peak < 64 << 10, "peak RSS {peak} KiB");
}

/// `leadsift args` with `file`'s bytes on standard input.
fn through_a_pipe(args: &[&str], file: &Path) -> std::process::Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&std::fs::read(file).expect("read"))
        .expect("pipe");
    child.wait_with_output().expect("ends")
}

/// The golden gzip, cut short.
fn damaged_gzip(dir: &Path) -> PathBuf {
    let gz = std::fs::read(fixtures().join("golden/lc-comma-utf8-gzip.csv.gz")).expect("gz");
    let path = dir.join("damaged.csv.gz");
    std::fs::write(&path, &gz[..gz.len() * 3 / 4]).expect("write");
    path
}

#[test]
fn a_damaged_gzip_file_commits_nothing_and_from_a_pipe_its_run_ends_failed() {
    let dir = tmp("damaged");
    let url = format!("sqlite://{}", dir.join("d.db").display());
    let file = damaged_gzip(&dir);
    let out = leadsift(&[
        "import",
        file.to_str().expect("p"),
        "--database-url",
        &url,
        "--batch-size",
        "5",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("gzip data is damaged"), "{err}");
    let history = leadsift(&["history", "--database-url", &url, "--json"]);
    let runs: Json = serde_json::from_slice(&history.stdout).expect("json");
    assert_eq!(runs, serde_json::json!([]), "no run was started");
    assert!(table(&url).is_empty(), "no lead was written");
    // From standard input the stream cannot be checked before it is read: the batches before
    // the damage stay, and the run says why it ended.
    let out = through_a_pipe(
        &["import", "-", "--database-url", &url, "--batch-size", "5"],
        &file,
    );
    assert_eq!(out.status.code(), Some(1));
    let history = leadsift(&["history", "--database-url", &url, "--json"]);
    let runs: Json = serde_json::from_slice(&history.stdout).expect("json");
    assert_eq!(runs[0]["status"], "failed", "{runs}");
    assert!(
        runs[0]["failure"]
            .as_str()
            .is_some_and(|f| f.contains("gzip data is damaged")),
        "{runs}"
    );
    let shown = leadsift(&["history", "--database-url", &url]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("failed") && text.contains("gzip data is damaged"),
        "{text}"
    );
}

#[test]
fn history_shows_file_names_with_their_control_characters_escaped() {
    let dir = tmp("ansi");
    let url = format!("sqlite://{}", dir.join("h.db").display());
    let name = dir.join("leads\u{1b}[2J\u{1b}[31mred\r.csv");
    std::fs::copy(fixtures().join("golden/lc-comma-utf8.csv"), &name).expect("copy");
    let out = leadsift(&["import", name.to_str().expect("p"), "--database-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = leadsift(&["history", "--database-url", &url]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    assert!(
        text.contains("leads\\u{1b}[2J\\u{1b}[31mred\\u{d}.csv"),
        "{text}"
    );
}

/// `leadsift serve` with its stderr in `log`; waits until it answers.
fn serve_logged(port: u16, url: &str, log: &Path, extra: &[&str]) -> Child {
    let child = Command::new(bin())
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            url,
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("log"))
        .spawn()
        .expect("serve");
    wait_until_up(port);
    child
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn the_server_refuses_gzip_bombs_in_bounded_memory_and_keeps_answering() {
    let dir = tmp("serve-bomb");
    let url = format!("sqlite://{}", dir.join("s.db").display());
    let port = free_port();
    let server = serve_logged(port, &url, &dir.join("log"), &[]);
    let bomb = leadsift_testkit::gzip_bomb(1024);
    let base = format!("http://127.0.0.1:{port}");
    let sent: Vec<_> = (0..2)
        .map(|i| {
            let (bomb, base) = (bomb.clone(), base.clone());
            std::thread::spawn(move || {
                reqwest::blocking::Client::new()
                    .post(format!(
                        "{base}/api/v1/imports/csv?file_name=bomb{i}.csv.gz"
                    ))
                    .header("content-type", "application/gzip")
                    .body(bomb)
                    .send()
                    .expect("post")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let health = reqwest::blocking::get(format!("{base}/healthz")).expect("healthz");
    assert_eq!(health.status(), 200);
    for s in sent {
        assert_eq!(s.join().expect("thread"), 413);
    }
    let peak = vm_hwm(server.id());
    stop(server);
    assert!(peak < 256 << 10, "peak RSS {peak} KiB");
    assert!(table(&url).is_empty());
}

#[test]
fn a_500_is_logged_with_its_request_id_and_cause_and_its_body_says_only_internal() {
    let dir = tmp("log500");
    let db = dir.join("l.db");
    let url = format!("sqlite://{}", db.display());
    let port = free_port();
    let log = dir.join("log.jsonl");
    let server = serve_logged(port, &url, &log, &["--log-format", "json"]);
    {
        use diesel::{Connection, RunQueryDsl, SqliteConnection};
        let mut c = SqliteConnection::establish(db.to_str().expect("p")).expect("sqlite");
        diesel::sql_query("ALTER TABLE leads RENAME TO leads_elsewhere")
            .execute(&mut c)
            .expect("rename");
    }
    let r = reqwest::blocking::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/api/v1/imports/csv?file_name=x.csv"
        ))
        .header("content-type", "text/csv")
        .body("Lead ID,Email\nL1,a@example.com\n")
        .send()
        .expect("post");
    assert_eq!(r.status(), 500);
    let rid = r.headers()["x-request-id"].to_str().expect("id").to_owned();
    let body: Json = r.json().expect("json");
    assert_eq!(body["error"], "internal");
    assert!(
        !body["message"]
            .as_str()
            .unwrap_or("")
            .contains("no such table")
    );
    let ok = reqwest::blocking::get(format!("http://127.0.0.1:{port}/healthz")).expect("get");
    assert_eq!(ok.status(), 200);
    stop(server);
    let lines: Vec<Json> = std::io::BufReader::new(std::fs::File::open(&log).expect("log"))
        .lines()
        .map_while(Result::ok)
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(&l).expect("each line is JSON"))
        .collect();
    let of_request = |rid: &str| -> Vec<&Json> {
        lines
            .iter()
            .filter(|l| l["span"]["request_id"] == rid)
            .collect()
    };
    let ours = of_request(&rid);
    let error = ours
        .iter()
        .find(|l| l["level"] == "ERROR")
        .unwrap_or_else(|| panic!("an error line for {rid} in {lines:?}"));
    assert!(
        error["error"]
            .as_str()
            .is_some_and(|e| e.contains("no such table")),
        "the whole chain: {error}"
    );
    let access = ours
        .iter()
        .find(|l| l["target"] == "leadsift::access")
        .expect("access line");
    assert_eq!(access["status"], 500);
    assert_eq!(access["span"]["route"], "/api/v1/imports/csv");
    assert!(access["latency_ms"].is_number());
    assert!(
        lines
            .iter()
            .any(|l| l["target"] == "leadsift::access" && l["status"] == 200),
        "every request has its line"
    );
}

/// The runs' counts each add up: every row read has exactly one outcome.
fn counts_add_up(run: &Json) -> bool {
    let n = |k: &str| run[k].as_i64().unwrap_or(-1);
    n("rows_read")
        == n("created")
            + n("updated")
            + n("unchanged")
            + n("existing")
            + n("rejected")
            + n("duplicates")
}

#[test]
fn two_servers_on_one_postgres_keep_counts_exact() {
    let Some((pg, _db)) = postgres("two_servers") else {
        return;
    };
    let dir = tmp("two-servers");
    let file = crate::import::big_file(&dir);
    let path = file.to_str().expect("p");
    // The reference: one clean import.
    let clean = format!("sqlite://{}", dir.join("clean.db").display());
    let out = leadsift(&["import", path, "--database-url", &clean, "--format", "json"]);
    assert!(out.status.success());
    let reference: Json = serde_json::from_slice(&out.stdout).expect("json");
    // Migrate once, then two servers on the same database.
    assert!(
        leadsift(&["migrate", "--database-url", &pg])
            .status
            .success()
    );
    let ports = [free_port(), free_port()];
    let servers: Vec<Child> = ports
        .iter()
        .enumerate()
        .map(|(i, p)| serve_logged(*p, &pg, &dir.join(format!("log{i}")), &[]))
        .collect();
    let bytes = std::fs::read(&file).expect("read");
    let mut work = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        for j in 0..2 {
            let (bytes, port) = (bytes.clone(), *port);
            work.push(std::thread::spawn(move || {
                let r = reqwest::blocking::Client::new()
                    .post(format!(
                        "http://127.0.0.1:{port}/api/v1/imports/csv?file_name=s{i}-{j}.csv&batch_size={}",
                        7 + j * 4
                    ))
                    .header("content-type", "text/csv")
                    .timeout(Duration::from_secs(300))
                    .send_body(bytes);
                assert_eq!(r, 200);
            }));
        }
        let (path, port) = (path.to_owned(), *port);
        work.push(std::thread::spawn(move || {
            let out = Command::new(bin())
                .args([
                    "import",
                    &path,
                    "--server",
                    &format!("http://127.0.0.1:{port}"),
                    "--batch-size",
                    "9",
                ])
                .stdin(Stdio::null())
                .output()
                .expect("import");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }));
    }
    for w in work {
        w.join().expect("an upload failed");
    }
    for s in servers {
        stop(s);
    }
    assert_eq!(table(&pg), table(&clean), "row for row");
    let history = leadsift(&["history", "--database-url", &pg, "--json", "--limit", "100"]);
    let runs: Vec<Json> = serde_json::from_slice(&history.stdout).expect("json");
    assert_eq!(runs.len(), 6);
    assert!(runs.iter().all(|r| r["status"] == "finished"), "{runs:?}");
    assert!(runs.iter().all(counts_add_up), "{runs:?}");
    let created: i64 = runs
        .iter()
        .map(|r| r["created"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(
        Json::from(created),
        reference["created"],
        "each lead was created once, by one of the runs"
    );
}

/// `send` with a body, answering the status.
trait SendBody {
    fn send_body(self, body: Vec<u8>) -> u16;
}

impl SendBody for reqwest::blocking::RequestBuilder {
    fn send_body(self, body: Vec<u8>) -> u16 {
        self.body(body).send().expect("send").status().as_u16()
    }
}

#[test]
fn an_import_to_a_server_that_fails_halfway_abandons_its_run_with_the_reason() {
    let dir = tmp("remote-fail");
    let url = format!("sqlite://{}", dir.join("r.db").display());
    let port = free_port();
    let server = serve_logged(port, &url, &dir.join("log"), &[]);
    let file = damaged_gzip(&dir);
    let out = through_a_pipe(
        &[
            "import",
            "-",
            "--server",
            &format!("http://127.0.0.1:{port}"),
            "--batch-size",
            "5",
        ],
        &file,
    );
    assert_eq!(out.status.code(), Some(1));
    let runs: Json = reqwest::blocking::get(format!("http://127.0.0.1:{port}/api/v1/imports"))
        .expect("get")
        .json()
        .expect("json");
    stop(server);
    let run = &runs["runs"][0];
    assert_eq!(run["status"], "abandoned", "{runs}");
    assert!(
        run["failure"].as_str().is_some_and(
            |f| f.starts_with("the client gave up: ") && f.contains("gzip data is damaged")
        ),
        "{run}"
    );
    assert!(
        run["created"].as_i64().is_some_and(|n| n > 0),
        "the batches before stay: {run}"
    );
}
