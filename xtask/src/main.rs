//! Project chores.
//!
//! `cargo xtask gen [--rows N] [--seed S] [--invalid P] [--header-style lc|snake|camel]
//! [--delimiter comma|semicolon|tab|pipe] [--encoding utf-8|utf-8-sig|cp1252|utf-16] [--crlf]
//! --out FILE [--expected FILE]` writes a realistic export and the cleaned records it must give
//! (`leadsift_testkit::generate`).
//!
//! `cargo xtask bench-import [--rows N] [--pg URL]` imports one generated file (1,000,000 rows by default) four ways on this machine, in
//! one run, and prints a table: `leadsift import` into SQLite, beside SQLite's own
//! `INSERT … SELECT` of the same stored rows (the `sqlite3` shell); into PostgreSQL, beside `psql
//! \copy` of the same cleaned rows into a copy of the same table; through the HTTP batch API
//! (batches of 5,000) with the server's peak RSS; and pandas `read_csv` + `to_sql` of the same
//! file into the same PostgreSQL, the tool an analyst would reach for instead.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::io::Write;

use anyhow::{Context, Result, bail};
use leadsift_testkit::generate::{DELIMITERS, Encoding, HeaderStyle, Spec, generate};

const GEN_USAGE: &str = "usage: cargo xtask gen [--rows N] [--seed S] [--invalid P] \
[--header-style lc|snake|camel] [--delimiter comma|semicolon|tab|pipe] \
[--encoding utf-8|utf-8-sig|cp1252|utf-16] [--crlf] --out FILE [--expected FILE]";

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// Looks `value` up among `(name, value)` pairs, naming the choices when it is not there.
fn choose<T: Copy>(what: &str, value: &str, choices: &[(&str, T)]) -> Result<T> {
    choices
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, v)| *v)
        .with_context(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            format!("{what} must be one of {}, not {value:?}", names.join(", "))
        })
}

/// `cargo xtask gen`: a generated export (and its expected records) to files.
fn generate_files(args: &[String]) -> Result<()> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{GEN_USAGE}");
        return Ok(());
    }
    let mut spec = Spec::default();
    if let Some(v) = flag(args, "--rows") {
        spec.rows = v.parse().context("--rows must be a whole number")?;
    }
    if let Some(v) = flag(args, "--seed") {
        spec.seed = v.parse().context("--seed must be a whole number")?;
    }
    if let Some(v) = flag(args, "--invalid") {
        spec.invalid = v
            .parse()
            .context("--invalid must be a share such as 0.05")?;
    }
    if let Some(v) = flag(args, "--header-style") {
        spec.style = choose("--header-style", &v, &HeaderStyle::ALL)?;
    }
    if let Some(v) = flag(args, "--delimiter") {
        spec.delimiter = choose("--delimiter", &v, &DELIMITERS)?;
    }
    if let Some(v) = flag(args, "--encoding") {
        spec.encoding = choose("--encoding", &v, &Encoding::ALL)?;
    }
    spec.crlf = args.iter().any(|a| a == "--crlf");
    let out = flag(args, "--out").with_context(|| format!("--out is required\n{GEN_USAGE}"))?;
    let mut csv = std::io::BufWriter::new(
        std::fs::File::create(&out).with_context(|| format!("cannot create {out}"))?,
    );
    let mut expected = match flag(args, "--expected") {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(&path).with_context(|| format!("cannot create {path}"))?,
        )),
        None => None,
    };
    generate(
        &spec,
        &mut csv,
        expected.as_mut().map(|e| e as &mut dyn Write),
    )
    .with_context(|| format!("cannot write {out}"))?;
    csv.flush()?;
    if let Some(mut e) = expected {
        e.flush()?;
    }
    Ok(())
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sh(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not run {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed with {}", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn psql(url: &str, sql: &str) -> Result<String> {
    sh(Command::new("psql").args([url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql]))
}

fn timed(f: impl FnOnce() -> Result<()>) -> Result<Duration> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed())
}

/// `cargo xtask gzip FILE…`: writes `FILE.gz` beside each file, in gzip's format by deflate's
/// best encoder (Zopfli): the twins `leadsift serve` sends to browsers that accept gzip, 4 to 8 %
/// smaller than `gzip -9`'s, for the same decoder. The browser app's build calls it.
fn gzip_twins(files: &[String]) -> Result<()> {
    if files.is_empty() {
        bail!("usage: cargo xtask gzip FILE…");
    }
    let options = zopfli::Options {
        // Past five iterations the files shrink by a few hundred bytes and take twice as long.
        iteration_count: std::num::NonZeroU64::new(5).expect("not zero"),
        ..zopfli::Options::default()
    };
    for file in files {
        let data = std::fs::read(file).with_context(|| format!("cannot read {file}"))?;
        let mut out = Vec::new();
        zopfli::compress(options, zopfli::Format::Gzip, data.as_slice(), &mut out)
            .with_context(|| format!("cannot compress {file}"))?;
        std::fs::write(format!("{file}.gz"), &out)
            .with_context(|| format!("cannot write {file}.gz"))?;
        println!("{file}: {} → {} bytes", data.len(), out.len());
    }
    Ok(())
}

struct Row {
    what: String,
    rows_per_s: f64,
    note: String,
}

/// Writes `leadsift-core`'s NANP pattern table from the `phonenumber` crate's metadata.
fn nanp_table() -> Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/leadsift-core/src/clean/nanp_table.rs");
    std::fs::write(&path, leadsift_testkit::nanp::table_source())
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen") => return generate_files(&args[1..]),
        Some("gzip") => return gzip_twins(&args[1..]),
        Some("nanp") => return nanp_table(),
        Some("bench-import") => {}
        _ => {
            bail!(
                "usage: cargo xtask gen --help | cargo xtask bench-import [--rows N] [--pg URL] | cargo xtask gzip FILE… | cargo xtask nanp"
            )
        }
    }
    let flag = |name: &str| flag(&args, name);
    let rows: u64 = flag("--rows")
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let pg_base = flag("--pg").unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".to_owned());
    let root = root();
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work)?;

    sh(Command::new("cargo")
        .args(["build", "--release", "-p", "leadsift-cli"])
        .current_dir(&root))?;
    let leadsift = root.join("target/release/leadsift");
    let file = work.join(format!("leads-{rows}.csv"));
    if !file.exists() {
        eprintln!("generating {} ...", file.display());
        let spec = Spec {
            rows,
            ..Spec::default()
        };
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        generate(&spec, &mut out, None)?;
        out.flush()?;
    }
    let file_s = file.to_str().context("path")?;
    let mut table = Vec::new();

    // SQLite.
    let sqlite = fresh_sqlite(&work, "bench.db");
    let d = import_into(&leadsift, file_s, &sqlite, &[])?;
    let sqlite_rate = rows as f64 / d.as_secs_f64();
    // The ceiling: SQLite itself inserting the same stored rows into the same schema, in
    // transactions of the same 5,000 rows, with no parsing, cleaning or binding at all.
    let raw = fresh_sqlite(&work, "raw.db");
    sh(Command::new(&leadsift)
        .args(["migrate", "--database-url"])
        .arg(format!("sqlite://{}", raw.display())))?;
    let mut script = format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;\nATTACH '{}' AS src;\n",
        sqlite.display()
    );
    for first in (0..rows).step_by(5000) {
        script.push_str(&format!(
            "BEGIN; INSERT INTO leads SELECT * FROM src.leads WHERE id > {first} AND id <= {}; COMMIT;\n",
            first + 5000
        ));
    }
    let ceiling = timed(|| {
        sh(Command::new("sqlite3")
            .arg(&raw)
            .stdin(std::fs::File::open(write_script(&work, &script)?)?))
        .map(drop)
    });
    let note = match &ceiling {
        Ok(c) => format!(
            "{:.2} × SQLite's own INSERT … SELECT of the same rows (target ≥ 100,000 rows/s)",
            sqlite_rate / (rows as f64 / c.as_secs_f64())
        ),
        Err(e) => format!("target ≥ 100,000 rows/s (no sqlite3 for the ceiling: {e})"),
    };
    table.push(Row {
        what: "leadsift import → SQLite".into(),
        rows_per_s: sqlite_rate,
        note,
    });
    // What keeping each lead's original row costs: the same import with `--no-original`.
    let bare = fresh_sqlite(&work, "bare.db");
    let d_bare = import_into(&leadsift, file_s, &bare, &["--no-original"])?;
    let bare_rate = rows as f64 / d_bare.as_secs_f64();
    let (with, without) = (db_bytes(&sqlite), db_bytes(&bare));
    table.push(Row {
        what: "leadsift import → SQLite, --no-original".into(),
        rows_per_s: bare_rate,
        note: format!(
            "the original row costs {:.0} bytes a lead on disk ({} MB with it, {} MB without) and \
             runs the import at {:.2} × the speed without it",
            (with as f64 - without as f64) / rows as f64,
            with / 1_000_000,
            without / 1_000_000,
            sqlite_rate / bare_rate
        ),
    });
    if let Ok(c) = ceiling {
        table.push(Row {
            what: "SQLite INSERT … SELECT of the stored rows".into(),
            rows_per_s: rows as f64 / c.as_secs_f64(),
            note: "baseline: the same schema and transactions, no cleaning, no binding".into(),
        });
    }

    // PostgreSQL, and psql \copy of the same cleaned rows into a copy of the same table.
    let db = "leadsift_bench";
    psql(
        &format!("{pg_base}/postgres"),
        &format!("DROP DATABASE IF EXISTS {db}"),
    )?;
    psql(
        &format!("{pg_base}/postgres"),
        &format!("CREATE DATABASE {db}"),
    )?;
    let pg = format!("{pg_base}/{db}");
    let d_import = timed(|| {
        sh(Command::new(&leadsift).args([
            "import",
            file_s,
            "--batch-size",
            "5000",
            "--format",
            "json",
            "--database-url",
            &pg,
        ]))
        .map(drop)
    })?;
    let original_bytes = psql(
        &pg,
        "SELECT coalesce(sum(pg_column_size(original)), 0) || ' ' || pg_total_relation_size('leads') FROM leads",
    )?;
    let cleaned = work.join("cleaned.csv");
    psql(&pg, &format!("\\copy leads TO '{}' CSV", cleaned.display()))?;
    psql(&pg, "CREATE TABLE leads_copy (LIKE leads INCLUDING ALL)")?;
    let d_copy = timed(|| {
        psql(
            &pg,
            &format!("\\copy leads_copy FROM '{}' CSV", cleaned.display()),
        )
        .map(drop)
    })?;
    let (import_rate, copy_rate) = (
        rows as f64 / d_import.as_secs_f64(),
        rows as f64 / d_copy.as_secs_f64(),
    );
    table.push(Row {
        what: "leadsift import → PostgreSQL".into(),
        rows_per_s: import_rate,
        note: format!(
            "{:.2} × psql \\copy (target ≥ 0.5); the original rows take {} of the table's {} \
             (as pg_column_size counts them)",
            import_rate / copy_rate,
            original_bytes
                .split_whitespace()
                .next()
                .map_or("?".to_owned(), |b| format!(
                    "{} MB",
                    b.parse::<u64>().unwrap_or(0) / 1_000_000
                )),
            original_bytes
                .split_whitespace()
                .nth(1)
                .map_or("?".to_owned(), |b| format!(
                    "{} MB",
                    b.parse::<u64>().unwrap_or(0) / 1_000_000
                )),
        ),
    });
    table.push(Row {
        what: "psql \\copy of the cleaned rows".into(),
        rows_per_s: copy_rate,
        note: "baseline: no cleaning, no classification".into(),
    });

    // The HTTP batch API on loopback, batches of 5,000, and the server's peak RSS.
    let served = fresh_sqlite(&work, "served.db");
    let port = 18_000 + (std::process::id() % 1000) as u16;
    let mut server: Child = Command::new(&leadsift)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
        ])
        .arg(format!("sqlite://{}", served.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::sleep(Duration::from_secs(2));
    let d = timed(|| {
        sh(Command::new(&leadsift).args([
            "import",
            file_s,
            "--batch-size",
            "5000",
            "--format",
            "json",
            "--server",
            &format!("http://127.0.0.1:{port}"),
        ]))
        .map(drop)
    });
    let rss = peak_rss_kib(server.id());
    let _ = server.kill();
    let _ = server.wait();
    let d = d?;
    table.push(Row {
        what: "leadsift import --server (HTTP, SQLite)".into(),
        rows_per_s: rows as f64 / d.as_secs_f64(),
        note: format!(
            "server peak RSS {} MiB (targets ≥ 50,000 rows/s, ≤ 256 MiB)",
            rss.map_or("?".to_owned(), |k| (k / 1024).to_string())
        ),
    });

    // pandas, when it is installed.
    let pandas = format!(
        "import pandas, sqlalchemy, time\nt = time.time()\ndf = pandas.read_csv({file:?}, dtype=str)\ne = sqlalchemy.create_engine({url:?})\ndf.to_sql('leads_pandas', e, if_exists='replace', index=False, chunksize=10000)\nprint(time.time() - t)\n",
        file = file_s,
        url = pg.replace("postgres://", "postgresql+psycopg2://"),
    );
    match sh(Command::new("python3").args(["-c", &pandas])) {
        Ok(secs) => {
            let rate = rows as f64 / secs.trim().parse::<f64>().unwrap_or(f64::NAN);
            table.push(Row {
                what: "pandas read_csv + to_sql → PostgreSQL".into(),
                rows_per_s: rate,
                note: format!(
                    "leadsift is {:.2} × pandas (and pandas cleans nothing)",
                    import_rate / rate
                ),
            });
        }
        Err(e) => eprintln!("pandas skipped ({e}): pip install pandas sqlalchemy psycopg2-binary"),
    }
    psql(
        &format!("{pg_base}/postgres"),
        &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
    )?;

    println!(
        "\n{rows} rows, {} MB ({})",
        std::fs::metadata(&file)?.len() / 1_000_000,
        file.display()
    );
    println!("| what | rows/s | note |\n|---|---:|---|");
    for r in table {
        println!("| {} | {:.0} | {} |", r.what, r.rows_per_s, r.note);
    }
    Ok(())
}

/// The path of an SQLite database named `name` in `work`, with no file left from a run before.
fn fresh_sqlite(work: &Path, name: &str) -> PathBuf {
    let path = work.join(name);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    path
}

/// `leadsift import FILE` into the SQLite database `db` in batches of 5,000, timed.
fn import_into(leadsift: &Path, file: &str, db: &Path, flags: &[&str]) -> Result<Duration> {
    timed(|| {
        sh(Command::new(leadsift)
            .args(["import", file, "--batch-size", "5000", "--format", "json"])
            .args(flags)
            .arg("--database-url")
            .arg(format!("sqlite://{}", db.display())))
        .map(drop)
    })
}

/// An SQLite database's bytes on disk, its write-ahead log included.
fn db_bytes(path: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|ext| std::fs::metadata(format!("{}{ext}", path.display())).ok())
        .map(|m| m.len())
        .sum()
}

/// Writes an SQL script for the sqlite3 shell; returns its path.
fn write_script(work: &Path, sql: &str) -> Result<PathBuf> {
    let path = work.join("ceiling.sql");
    std::fs::write(&path, sql).with_context(|| format!("could not write {}", path.display()))?;
    Ok(path)
}

/// The high-water mark of a process's resident memory, from /proc.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status =
        std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
}
