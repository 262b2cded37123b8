//! `examples/send_batches.py` (Python's standard library only) against a real `leadsift
//! serve` with a token: a client in another language can start a run, send checksummed
//! batches, replay one, meet a conflict, finish and read the history.

use std::process::Command;

use crate::import::{free_port, serve_with_token, tmp};

#[test]
fn the_python_example_imports_through_the_batch_api() {
    if Command::new("python3").arg("--version").output().is_err() {
        // CI requires the browser suite, and installs python3 with it.
        assert!(
            std::env::var("LEADSIFT_REQUIRE_E2E").as_deref() != Ok("1"),
            "python3 is needed for the example"
        );
        leadsift_testkit::skipped(
            "leadsift-cli: the Python batch-API example",
            "python3 on PATH",
        );
        return;
    }
    let dir = tmp("python-example");
    let url = format!("sqlite://{}", dir.join("example.db").display());
    let port = free_port();
    let token = "example-token-0123456789";
    let mut server = serve_with_token(port, &url, Some(token));
    let script = crate::fixtures().join("../../examples/send_batches.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(["--server", &format!("http://127.0.0.1:{port}")])
        .env("LEADSIFT_TOKEN", token)
        .output()
        .expect("python3");
    // Without the token the same script is refused at its first request, and says so.
    let refused = Command::new("python3")
        .arg(&script)
        .args(["--server", &format!("http://127.0.0.1:{port}")])
        .env_remove("LEADSIFT_TOKEN")
        .output()
        .expect("python3");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("starting the run: expected 201, got 401"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("10 created, 1 rejected"), "{stdout}");
    assert!(
        stdout.contains("line 12 rejected: tampered_value"),
        "{stdout}"
    );
    let db = leadsift_store::Database::open(&url, 1).expect("db");
    let leads = leadsift_store::import::all_leads(&db).expect("leads");
    assert_eq!(leads.len(), 10);
}
