//! `leadsift` end to end: the real binary over the shared fixtures.

mod e2e;
mod examples;
mod import;
mod reconcile;
mod returns;
mod trust;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value as Json;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

pub fn leadsift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leadsift"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run leadsift")
}

fn ndjson(out: &Output) -> Vec<Json> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson line"))
        .collect()
}

/// One golden case through the CLI: every expected field, the invalid fields and `extra`.
fn check(name: &str, file: &str) {
    check_in(&fixtures().join("golden"), name, file);
}

fn check_in(dir: &std::path::Path, name: &str, file: &str) {
    let path = dir.join(file);
    let out = leadsift(&[
        "validate",
        path.to_str().expect("path"),
        "--format",
        "ndjson",
    ]);
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = ndjson(&out);
    let expected = leadsift_testkit::expected(
        &std::fs::read_to_string(dir.join(format!("{name}.expected.jsonl"))).expect("expected"),
    );
    assert_eq!(rows.len(), expected.len(), "{name}");
    for (row, exp) in rows.iter().zip(&expected) {
        assert!(row["line"].as_u64().is_some_and(|l| l >= 2));
        assert!(["valid", "warning", "rejected"].contains(&row["status"].as_str().unwrap_or("")));
        assert_eq!(
            row["lead"].as_object().map(|o| o.len()),
            Some(45),
            "every canonical field is present"
        );
        if let Some(why) = leadsift_testkit::golden_mismatch(row, exp) {
            panic!("{name}: {why}");
        }
    }
}

#[test]
fn golden_cases_agree_with_the_generator() {
    let mut n = 0;
    for entry in std::fs::read_dir(fixtures().join("golden")).expect("dir") {
        let file = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(name) = file
            .strip_suffix(".csv")
            .or_else(|| file.strip_suffix(".csv.gz"))
        {
            check(name, &file);
            n += 1;
        }
    }
    assert!(n >= 8);
}

#[test]
fn bad_inputs_give_their_stated_outcome() {
    for entry in std::fs::read_dir(fixtures().join("bad")).expect("dir") {
        let file = entry.expect("entry").path();
        if file.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let exp: Json = serde_json::from_str(
            &std::fs::read_to_string(file.with_extension("expected.json")).expect("expected"),
        )
        .expect("json");
        let out = leadsift(&[
            "validate",
            file.to_str().expect("path"),
            "--format",
            "summary",
        ]);
        if let Some(error) = exp.get("error") {
            assert_eq!(out.status.code(), Some(1), "{}", file.display());
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(error.as_str().expect("error")), "{stderr}");
            assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");
            continue;
        }
        assert!(
            out.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let s: Json = serde_json::from_slice(&out.stdout).expect("summary json");
        for key in [
            "rows",
            "valid",
            "warning",
            "rejected",
            "blank",
            "encoding",
            "delimiter",
            "notes",
        ] {
            if let Some(want) = exp.get(key) {
                assert_eq!(&s[key], want, "{}: {key}", file.display());
            }
        }
        if let Some(issues) = exp.get("issues").and_then(Json::as_object) {
            for (code, n) in issues {
                assert_eq!(&s["issues"][code], n, "{}: {code}", file.display());
            }
        }
        if let Some(fields) = exp.get("fields").and_then(Json::as_object) {
            let columns = s["mapping"].as_array().expect("mapping");
            for (header, want) in fields {
                let column = columns
                    .iter()
                    .find(|c| c["header"] == header.as_str())
                    .unwrap_or_else(|| panic!("{}: no column {header}", file.display()));
                assert_eq!(&column["field"], want, "{}: {header}", file.display());
            }
        }
        // The first row's values, as `--format ndjson` writes them.
        let out = leadsift(&[
            "validate",
            file.to_str().expect("path"),
            "--format",
            "ndjson",
        ]);
        let Some(first) = out
            .stdout
            .split(|b| *b == b'\n')
            .next()
            .filter(|l| !l.is_empty())
        else {
            continue;
        };
        let first: Json = serde_json::from_slice(first).expect("ndjson");
        let lead = exp
            .get("lead")
            .and_then(Json::as_object)
            .into_iter()
            .flatten();
        let named = ["first_name", "email", "price"]
            .into_iter()
            .filter_map(|k| Some((k.to_owned(), exp.get(k)?.clone())));
        for (field, want) in lead.map(|(k, v)| (k.clone(), v.clone())).chain(named) {
            assert_eq!(first["lead"][&field], want, "{}: {field}", file.display());
        }
        if let Some(extra) = exp.get("extra") {
            assert_eq!(&first["extra"], extra, "{}: extra", file.display());
        }
    }
}

#[test]
fn the_summary_names_encoding_delimiter_and_mapping() {
    let path = fixtures().join("golden/camel-comma-utf16.csv");
    let out = leadsift(&[
        "validate",
        path.to_str().expect("path"),
        "--format",
        "summary",
    ]);
    let s: Json = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(s["encoding"], "UTF-16LE");
    assert_eq!(s["delimiter"], ",");
    assert_eq!(
        s["rows"].as_u64(),
        Some(
            s["valid"].as_u64().unwrap_or(0)
                + s["warning"].as_u64().unwrap_or(0)
                + s["rejected"].as_u64().unwrap_or(0)
                + s["blank"].as_u64().unwrap_or(0)
        )
    );
    let mapping = s["mapping"].as_array().expect("mapping");
    let phone = mapping
        .iter()
        .find(|c| c["header"] == "primaryPhone")
        .expect("primaryPhone");
    assert_eq!(
        (&phone["field"], &phone["match"]),
        (&Json::from("phone_1"), &Json::from("alias"))
    );
    assert_eq!(s["unmapped"], serde_json::json!(["home_owner_acme"]));
}

/// Validates `csv` (written to a temporary file) with `flag PATH`; returns that file's text.
fn report(name: &str, csv: &str, flag: &str) -> String {
    let dir = std::env::temp_dir().join(format!("leadsift-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let input = dir.join("in.csv");
    std::fs::write(&input, csv).expect("write");
    let report = dir.join("report.csv");
    let out = leadsift(&[
        "validate",
        input.to_str().expect("p"),
        "--format",
        "summary",
        flag,
        report.to_str().expect("p"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&report).expect("report")
}

#[test]
fn the_error_report_escapes_formulas() {
    let text = report(
        "errors",
        "Lead ID,Email,Phone 1\nL1,=HYPERLINK(\"http://x\"),+15125550000\nL2,@SUM(A1),-1\n",
        "--errors",
    );
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("line,record,column,field,code,severity,message,raw")
    );
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    assert!(text.contains(",'@SUM(A1)"), "{text}");
    assert!(text.contains(",'-1"), "{text}");
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert!(cells[0].parse::<u64>().is_ok(), "line number first: {line}");
    }
}

#[test]
fn the_cleaned_csv_has_one_line_per_row_unique_headers_and_escaped_formulas() {
    let text = report(
        "cleaned",
        "Lead ID,Email,Status,Comments\nL1,A@Example.com,new,\"=1+1, and more\"\n\nL2,b@example.com,,plain\n",
        "--cleaned",
    );
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(header[..3], ["line", "row_status", "lead_key"]);
    let unique: std::collections::BTreeSet<&&str> = header.iter().collect();
    assert_eq!(
        unique.len(),
        header.len(),
        "header names repeat: {header:?}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows[0].starts_with("2,valid,lead:L1,"), "{}", rows[0]);
    assert!(rows[0].contains(",a@example.com,"), "{}", rows[0]);
    assert!(rows[0].contains("\"'=1+1, and more\""), "{}", rows[0]);
    assert!(rows[1].starts_with("4,valid,lead:L2,"), "{}", rows[1]);
}

#[test]
fn exit_codes() {
    let missing = leadsift(&["validate", "/nonexistent/leads.csv"]);
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.starts_with("error: could not open /nonexistent/leads.csv: "),
        "{stderr}"
    );
    assert_eq!(
        leadsift(&["validate", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(
        leadsift(&["validate", "--timezone", "Mars/Olympus"])
            .status
            .code(),
        Some(2)
    );
    for bad in ["ab", "\"", "x", "7", " "] {
        assert_eq!(
            leadsift(&["validate", "--delimiter", bad]).status.code(),
            Some(2),
            "{bad:?}"
        );
    }
    assert_eq!(
        leadsift(&["validate", "--encoding", "klingon"])
            .status
            .code(),
        Some(2)
    );
    let png = fixtures().join("bad/png-renamed.csv");
    assert_eq!(
        leadsift(&["validate", png.to_str().expect("p")])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn standard_input_and_overrides() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadsift"))
        .args([
            "validate",
            "-",
            "--format",
            "ndjson",
            "--delimiter",
            "|",
            "--timezone",
            "-05:00",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(b"Lead ID|Submission Timestamp\nL1|2024-03-05 09:22:10\n")
            .expect("write");
    }
    let out = child.wait_with_output().expect("wait");
    let rows = ndjson(&out);
    assert_eq!(rows[0]["lead"]["submitted_at"], "2024-03-05T14:22:10Z");
}

#[test]
fn a_mapping_file_overrides_the_detected_mapping() {
    let dir = std::env::temp_dir().join(format!("leadsift-map-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let input = dir.join("in.csv");
    std::fs::write(&input, "Lead ID,Cell,Email\nL1,5127891111,a@example.com\n").expect("write");
    let mapping = dir.join("mapping.json");
    std::fs::write(&mapping, r#"{"Cell": "phone_2", "Email": "extra"}"#).expect("write");
    let out = leadsift(&[
        "validate",
        input.to_str().expect("p"),
        "--format",
        "ndjson",
        "--mapping",
        mapping.to_str().expect("p"),
    ]);
    let rows = ndjson(&out);
    assert_eq!(rows[0]["lead"]["phone_2"], "5127891111");
    assert_eq!(rows[0]["lead"]["email"], Json::Null);
    assert_eq!(rows[0]["extra"]["Email"], "a@example.com");
    std::fs::write(&mapping, r#"{"Cell": "mobile"}"#).expect("write");
    let bad = leadsift(&[
        "validate",
        input.to_str().expect("p"),
        "--mapping",
        mapping.to_str().expect("p"),
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

/// A reader that closes the pipe after the first row (`leadsift validate … | head -1`): the
/// run stops writing, says nothing on stderr and exits 0, as a Unix filter does.
#[test]
fn a_pipe_closed_after_the_first_row_ends_the_run_quietly() {
    use std::io::BufRead;
    let dir = std::env::temp_dir().join(format!("leadsift-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let input = dir.join("in.csv");
    let spec = leadsift_testkit::generate::Spec {
        rows: 20_000,
        ..Default::default()
    };
    let (bytes, _) = leadsift_testkit::generate::generate_to_vec(&spec);
    std::fs::write(&input, bytes).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadsift"))
        .args(["validate", input.to_str().expect("p"), "--format", "ndjson"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("a first row");
    let row: Json = serde_json::from_str(&first).expect("a row as JSON");
    assert_eq!(row["line"], 2);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    // A report that cannot be written (a full disk) stops the run with that error.
    let out = leadsift(&[
        "validate",
        input.to_str().expect("p"),
        "--errors",
        "/dev/full",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("could not write the error report"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Every header style × delimiter × encoding the generator offers, freshly generated (with and
/// without CRLF in turn), through the CLI.
#[test]
fn the_full_generator_matrix_agrees() {
    use leadsift_testkit::generate::{DELIMITERS, Encoding, HeaderStyle, Spec, generate_to_vec};
    let dir = std::env::temp_dir().join(format!("leadsift-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let mut cases = 0;
    for (style_name, style) in HeaderStyle::ALL {
        for (delimiter_name, delimiter) in DELIMITERS {
            for (encoding_name, encoding) in Encoding::ALL {
                let name = format!("{style_name}-{delimiter_name}-{encoding_name}");
                let spec = Spec {
                    rows: 150,
                    seed: cases + 100,
                    invalid: 0.05,
                    style,
                    delimiter,
                    encoding,
                    crlf: cases % 2 == 0,
                };
                let (csv, expected) = generate_to_vec(&spec);
                std::fs::write(dir.join(format!("{name}.csv")), csv).expect("write");
                std::fs::write(dir.join(format!("{name}.expected.jsonl")), expected)
                    .expect("write");
                check_in(&dir, &name, &format!("{name}.csv"));
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 48);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every bad flag value and mapping is a usage error (exit 2) that names what was wrong; a
/// mapping key that names no column is reported, not ignored.
#[test]
fn bad_flags_and_mappings_are_named() {
    let dir = std::env::temp_dir().join(format!("leadsift-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let input = dir.join("in.csv");
    std::fs::write(&input, "Lead ID,Email\nL1,a@example.com\n").expect("write");
    let file = input.to_str().expect("path");
    for (flags, says) in [
        (vec!["--header-line", "0"], "--header-line"),
        (vec!["--delimiter", "x"], "--delimiter"),
        (vec!["--encoding", "klingon"], "--encoding"),
    ] {
        let mut args = vec!["validate", file];
        args.extend(&flags);
        let out = leadsift(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(says), "{flags:?}: {err}");
    }
    let mapping = dir.join("m.json");
    std::fs::write(&mapping, r#"{"Email": "emial"}"#).expect("write");
    let out = leadsift(&["validate", file, "--mapping", mapping.to_str().expect("p")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("\"Email\": \"emial\" is not a canonical field"),
        "{err}"
    );
    assert!(err.contains("nearest: email"), "{err}");
    std::fs::write(&mapping, r#"{"E-mail address": "email"}"#).expect("write");
    let out = leadsift(&[
        "validate",
        file,
        "--mapping",
        mapping.to_str().expect("p"),
        "--format",
        "summary",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("the mapping names a column the file does not have: \"E-mail address\""),
        "{err}"
    );
    let summary: Json = serde_json::from_slice(&out.stdout).expect("summary");
    assert!(
        summary["notes"].to_string().contains("E-mail address"),
        "{summary}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file whose mapping has no identity field says so before anything is imported: in the
/// table's mapping, and on stderr beside the machine formats (whose output stays as it is).
#[test]
fn a_mapping_without_an_identity_field_warns() {
    let dir = std::env::temp_dir().join(format!("leadsift-identity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let none = dir.join("none.csv");
    std::fs::write(&none, "First Name,Cell Renamed\nAnn,5127891111\n").expect("write");
    let contact = dir.join("contact.csv");
    std::fs::write(&contact, "Email,City\nann@example.com,Austin\n").expect("write");
    let none = none.to_str().expect("utf-8");
    let out = leadsift(&["validate", none, "--format", "table"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("warning: no column is mapped to lead_id, event_id, email or a phone"),
        "{table}"
    );
    let out = leadsift(&["validate", none, "--format", "summary"]);
    assert!(serde_json::from_slice::<Json>(&out.stdout).is_ok());
    assert!(String::from_utf8_lossy(&out.stderr).contains("every row will be rejected"));
    let out = leadsift(&[
        "validate",
        contact.to_str().expect("utf-8"),
        "--format",
        "ndjson",
    ]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("told apart by e-mail and phone"),
        "{out:?}"
    );
    let fine = leadsift(&[
        "validate",
        &fixtures()
            .join("golden/camel-pipe-utf8-crlf.csv")
            .to_string_lossy(),
        "--format",
        "summary",
    ]);
    assert!(
        !String::from_utf8_lossy(&fine.stderr).contains("warning:"),
        "{fine:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
