//! The browser app end to end: `tests/e2e/run.mjs` drives Debian's Chromium against
//! `leadsift serve` (this crate's binary, or `LEADSIFT_E2E_BIN`) serving the Trunk build.
//!
//! It needs the built app (`scripts/build-web.sh`), `npm ci` in tests/e2e, /usr/bin/chromium
//! and the export generator (`cargo build --release -p xtask`). Without them the test says what is missing and passes, unless
//! `LEADSIFT_REQUIRE_E2E=1` (as in CI), where a missing part is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn browser_app_end_to_end() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let needs: [(&str, PathBuf); 4] = [
        (
            "the built app (scripts/build-web.sh)",
            root.join("target/web/index.html"),
        ),
        (
            "playwright-core (npm ci in tests/e2e)",
            root.join("tests/e2e/node_modules/playwright-core"),
        ),
        (
            "Chromium (apt-get install chromium)",
            PathBuf::from("/usr/bin/chromium"),
        ),
        (
            "the generator (cargo build --release -p xtask)",
            root.join("target/release/xtask"),
        ),
    ];
    let missing: Vec<&str> = needs
        .iter()
        .filter(|(_, p)| !p.exists())
        .map(|(what, _)| *what)
        .collect();
    let node = Command::new("node").arg("--version").output().is_ok();
    if !missing.is_empty() || !node {
        let what = if node {
            missing.join(", ")
        } else {
            "node".to_owned()
        };
        assert!(
            std::env::var("LEADSIFT_REQUIRE_E2E").as_deref() != Ok("1"),
            "the browser tests cannot run: missing {what}"
        );
        leadsift_testkit::skipped(
            "leadsift-cli: the browser app end to end (tests/e2e)",
            &format!("provide {what}"),
        );
        return;
    }
    let bin = std::env::var("LEADSIFT_E2E_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_leadsift").to_owned());
    let status = Command::new("node")
        .arg(Path::new("tests/e2e/run.mjs"))
        .current_dir(&root)
        .env("LEADSIFT_BIN", bin)
        .status()
        .expect("run node");
    assert!(
        status.success(),
        "the browser end-to-end run failed: see its output above"
    );
}
