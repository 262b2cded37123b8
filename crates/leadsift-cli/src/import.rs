//! `leadsift import`: the file through the core, in batches, into the database.
//! `leadsift migrate` and `leadsift history` live here too: they are the same database.

use std::sync::Mutex;

use std::time::Instant;

use anyhow::{Context, Result};
use clap::ValueEnum;
use leadsift_core::digest::FileDigest;
use leadsift_core::gzip::{GzipCheck, is_gzip};
use leadsift_core::judge::Outcomes;
use leadsift_core::plan::DryRun;
use leadsift_core::{ImportSource, Row, Summary, Validator};
use leadsift_server::config::Settings;
use leadsift_store::import::{self, Batch, RunOptions, WriteOrder};
use leadsift_store::models::RunStatus;
use leadsift_store::{Backend, Database, redact};

use crate::input::{ReadArgs, for_each_chunk, progress_bar};
use crate::remote::{Remote, ServerArgs};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// The database: sqlite://path.db (the default, sqlite://leadsift.db) or postgres://...
    /// Also read from DATABASE_URL and leadsift.toml.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

impl DbArgs {
    pub fn settings(&self) -> Result<Settings> {
        let mut s = Settings::load(None)?;
        if let Some(url) = &self.database_url {
            s.database_url = url.clone();
        }
        Ok(s)
    }

    pub fn open(&self) -> Result<Database> {
        let s = self.settings()?;
        Database::open(&s.database_url, 4)
            .with_context(|| format!("could not open the database {}", redact(&s.database_url)))
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    #[command(flatten)]
    db: DbArgs,
    /// Rows per batch; each batch commits in one transaction.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    batch_size: u64,
    /// Compute what would be created, updated, unchanged, existing and rejected; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Update existing leads whose content differs (otherwise they are left alone).
    #[arg(long)]
    force_refresh: bool,
    /// Do not store each lead's original row (its cells as read, header to text); by default
    /// every stored lead keeps it.
    #[arg(long)]
    no_original: bool,
    /// How to print the summary.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(flatten)]
    server: ServerArgs,
}

/// Where batches go.
enum Sink {
    Dry {
        db: Database,
        written: Mutex<DryRun>,
    },
    Database {
        db: Database,
        run: i64,
    },
    Server(Remote),
}

impl Sink {
    /// How many batches may be in flight at once: two on PostgreSQL, whose server works on
    /// one while this process prepares the other; one on SQLite (one writer at a time), in a
    /// dry run (whose prediction depends on every earlier batch) and to a leadsift server.
    /// (Two in flight to a server on SQLite ran 1.6 times faster on 100,000 rows, but on
    /// 1,000,000 its peak memory reached 341 MiB, over the 256 MiB budget, for no gain: there
    /// SQLite's own writes are the bound.)
    fn writers(&self) -> usize {
        match self {
            Sink::Database { db, .. } if db.backend() == Backend::Postgres => 2,
            _ => 1,
        }
    }

    fn write(&self, seq: i64, batch: &Batch, force_refresh: bool) -> Result<Outcomes> {
        Ok(match self {
            Sink::Dry { db, written } => {
                let mut written = written
                    .lock()
                    .map_err(|_| anyhow::anyhow!("a writing thread failed"))?;
                import::dry_batch(db, batch, force_refresh, &mut written)?
            }
            Sink::Database { db, run } => {
                import::apply_batch(db, *run, seq, batch)
                    .with_context(|| format!("batch {seq} was not written"))?
                    .counts
            }
            Sink::Server(remote) => remote
                .batch(seq, batch)
                .with_context(|| format!("batch {seq} was not accepted"))?,
        })
    }
}

impl Sink {
    /// Ends the run as failed (a database) or abandoned (a server), best effort: the error
    /// that caused it is what the user sees.
    fn fail(&self, why: &str) {
        match self {
            Sink::Dry { .. } => {}
            Sink::Database { db, run } => {
                let _ = import::fail_run(db, *run, why);
            }
            Sink::Server(remote) => {
                let _ = remote.abandon(why);
            }
        }
    }
}

/// A batch as the reading thread sends it: its number, and the batch that must be written
/// before it starts ([`WriteOrder::after`]).
struct Numbered {
    seq: i64,
    after: i64,
    batch: Batch,
}

/// The result of an import, as `--format json` prints it.
#[derive(Debug, serde::Serialize)]
struct Report<'a> {
    run_id: Option<i64>,
    dry_run: bool,
    file: String,
    file_sha256: String,
    #[serde(flatten)]
    outcomes: Outcomes,
    valid: u64,
    warning: u64,
    blank: u64,
    batches: u64,
    seconds: f64,
    notes: &'a [String],
}

/// The file's SHA-256 (the run's record of what was imported), read before anything is
/// written; a gzip file is checked whole on the way (complete, undamaged, within the limits
/// of the core's `Limits`), so that a damaged one commits nothing.
fn file_digest(args: &ReadArgs, limits: leadsift_core::Limits) -> Result<String> {
    if args.is_stdin() {
        return Ok(String::new());
    }
    let (mut input, _) = args.open()?;
    let name = args.name();
    let mut h = FileDigest::new();
    let mut gzip: Option<Option<GzipCheck>> = None;
    let damaged = |e: leadsift_core::ReadError| {
        anyhow::Error::new(e).context(format!("could not read {name}"))
    };
    for_each_chunk(&mut input, &name, |c| {
        h.update(c);
        let check = gzip.get_or_insert_with(|| is_gzip(c).then(|| GzipCheck::new(limits)));
        if let Some(check) = check {
            check.push(c).map_err(damaged)?;
        }
        Ok(true)
    })?;
    if let Some(Some(check)) = gzip {
        check.finish().map_err(damaged)?;
    }
    Ok(h.finish())
}

pub fn run(args: Args) -> Result<()> {
    let server = args.server.remote()?;
    let mut options = args.read.options()?;
    options.keep_original = !args.no_original;
    let name = args.read.name();
    let digest = file_digest(&args.read, options.limits)?;
    let started = Instant::now();
    let run_options = RunOptions {
        file_name: name.clone(),
        file_sha256: digest.clone(),
        dry_run: args.dry_run,
        force_refresh: args.force_refresh,
        strict: args.read.strict,
        import_source: ImportSource::Csv,
        mapping: serde_json::to_value(&options.mapping).unwrap_or_default(),
        surface: leadsift_core::Surface::Cli,
    };
    let sink = match server {
        Some((url, token)) => {
            let body = serde_json::to_value(&run_options).context("could not encode the run")?;
            Sink::Server(
                Remote::start(&url, token, body)
                    .with_context(|| format!("could not start an import on {url}"))?,
            )
        }
        None if args.dry_run => Sink::Dry {
            db: args.db.open()?,
            written: Mutex::new(DryRun::default()),
        },
        None => {
            let db = args.db.open()?;
            let run = import::start_run(&db, &run_options)?.id;
            Sink::Database { db, run }
        }
    };
    let (input, size) = args.read.open()?;
    let progress = progress_bar(size);
    let batch = usize::try_from(args.batch_size).unwrap_or(500);
    // The reader validates the next batches while writers write: one writer, or two on
    // PostgreSQL. The channel holds two batches, so memory stays bounded whatever the size.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Numbered>(2);
    let reader = {
        let (name, progress) = (name.clone(), progress.clone());
        // Only a server compares a batch's checksum (a batch may be sent to it twice).
        let checksums = matches!(sink, Sink::Server(_));
        std::thread::Builder::new()
            .name("validate".to_owned())
            .spawn(move || read_batches(input, &name, options, batch, checksums, progress, &tx))
            .context("could not start the reading thread")?
    };
    let mut totals = Outcomes::default();
    let mut batches = 0u64;
    let rx = Mutex::new(rx);
    let order = WriteOrder::default();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<Result<Outcomes>>();
    let written: Result<()> = std::thread::scope(|s| {
        for _ in 0..sink.writers() {
            let done_tx = done_tx.clone();
            let (rx, order, sink) = (&rx, &order, &sink);
            s.spawn(move || {
                loop {
                    let next = rx.lock().ok().and_then(|r| r.recv().ok());
                    let Some(Numbered { seq, after, batch }) = next else {
                        break;
                    };
                    if !order.wait_until(after) {
                        break;
                    }
                    let result = sink.write(seq, &batch, args.force_refresh);
                    match &result {
                        Ok(_) => order.written(seq),
                        Err(_) => order.fail(),
                    }
                    if done_tx.send(result).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut failed = None;
        for result in done_rx {
            match result {
                Ok(counts) => {
                    batches += 1;
                    totals.merge(&counts);
                    if let Some(p) = &progress {
                        let secs = started.elapsed().as_secs_f64().max(1e-3);
                        p.set_message(format!(
                            "{} rows, {:.0} rows/s",
                            totals.rows,
                            totals.rows as f64 / secs
                        ));
                    }
                }
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        failed.map_or(Ok(()), Err)
    });
    // A failed write drops the receiver, which stops the reader at its next batch.
    drop(rx);
    let read = reader
        .join()
        .map_err(|_| anyhow::anyhow!("the reading thread failed"))?;
    // Whatever stopped the import ends its run, with the reason, so the history never shows
    // a dead import as running; the batches committed before it stay.
    let outcome = written.and(read);
    if let Err(e) = &outcome {
        sink.fail(&crate::validate::sentence(e));
    }
    let summary = outcome?;
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    let run_id = match &sink {
        Sink::Dry { .. } => None,
        Sink::Database { db, run } => {
            import::finish_run(db, *run)?;
            Some(*run)
        }
        Sink::Server(remote) => {
            remote.finish()?;
            Some(remote.run_id())
        }
    };
    let report = Report {
        run_id,
        dry_run: args.dry_run,
        file: name,
        file_sha256: digest,
        outcomes: totals,
        valid: summary.valid,
        warning: summary.warning,
        blank: summary.blank,
        batches,
        seconds: started.elapsed().as_secs_f64(),
        notes: &summary.notes,
    };
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).context("could not encode the summary")?
        ),
        Format::Table => print!("{}", table(&report)),
    }
    Ok(())
}

/// Validates `input` and sends its rows in batches of `batch`, with their content hashes and,
/// when `checksums`, their checksums; returns the file's summary. Stops early, without an
/// error, when the receiving side has gone away.
fn read_batches(
    mut input: Box<dyn std::io::Read + Send>,
    name: &str,
    options: leadsift_core::Options,
    batch: usize,
    checksums: bool,
    progress: Option<indicatif::ProgressBar>,
    tx: &std::sync::mpsc::SyncSender<Numbered>,
) -> Result<Summary> {
    let mut validator = Validator::new(options);
    let mut pending: Vec<Row> = Vec::with_capacity(batch);
    let (mut open, mut seq, mut previous_first_line) = (true, 0i64, None);
    let mut send = |rows: Vec<Row>| {
        let batch = if checksums {
            Batch::new(rows)
        } else {
            Batch::written_once(rows)
        };
        seq += 1;
        let after = WriteOrder::after(seq, &batch, previous_first_line);
        previous_first_line = batch.first_line();
        tx.send(Numbered { seq, after, batch }).is_ok()
    };
    let mut take = |rows: Vec<Row>, pending: &mut Vec<Row>, last: bool| {
        for row in rows {
            pending.push(row);
            if pending.len() == batch {
                let full = std::mem::replace(pending, Vec::with_capacity(batch));
                open = open && send(full);
            }
        }
        if last && !pending.is_empty() {
            open = open && send(std::mem::take(pending));
        }
        open
    };
    for_each_chunk(&mut input, name, |chunk| {
        if let Some(p) = &progress {
            p.inc(chunk.len() as u64);
        }
        let rows = validator
            .push(chunk)
            .with_context(|| format!("could not read {name}"))?;
        Ok(take(rows, &mut pending, false))
    })?;
    let rows = validator
        .finish()
        .with_context(|| format!("could not read {name}"))?;
    take(rows, &mut pending, true);
    Ok(validator.summary().clone())
}

fn table(r: &Report<'_>) -> String {
    let o = &r.outcomes;
    let title = match (r.dry_run, r.run_id) {
        (true, _) => format!("dry run of {} (nothing was written)", r.file),
        (false, Some(id)) => format!("import run {id}: {}", r.file),
        (false, None) => r.file.clone(),
    };
    let rate = if r.seconds > 0.0 {
        o.rows as f64 / r.seconds
    } else {
        0.0
    };
    let lines = [
        ("rows", o.rows),
        (
            if r.dry_run { "would create" } else { "created" },
            o.created,
        ),
        (
            if r.dry_run { "would update" } else { "updated" },
            o.updated,
        ),
        ("unchanged", o.unchanged),
        ("existing", o.existing),
        ("rejected", o.rejected),
        ("duplicates", o.duplicates),
    ];
    let mut t = format!("{title}\n\n");
    for (label, n) in lines {
        t.push_str(&format!("  {label:<13}{n:>10}\n"));
    }
    t.push_str(&format!(
        "\n  {} batches in {:.1} s ({rate:.0} rows/s)\n",
        r.batches, r.seconds
    ));
    t
}

#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    db: DbArgs,
}

pub fn migrate(args: MigrateArgs) -> Result<()> {
    let s = args.db.settings()?;
    let db = Database::connect(&s.database_url, 1)
        .with_context(|| format!("could not open the database {}", redact(&s.database_url)))?;
    let applied = db.migrate()?;
    if applied.is_empty() {
        println!("{} is up to date", redact(&s.database_url));
    } else {
        for m in applied {
            println!("applied {m}");
        }
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    db: DbArgs,
    /// How many runs to show, newest first.
    #[arg(long, default_value_t = 20)]
    limit: i64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn history(args: HistoryArgs) -> Result<()> {
    let db = args.db.open()?;
    let runs = import::list_runs(&db, args.limit, None)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&runs)?);
        return Ok(());
    }
    println!(
        "{:>5}  {:<19}  {:<9}  {:>8} {:>8} {:>8} {:>9} {:>8} {:>8}  file",
        "run",
        "started",
        "status",
        "rows",
        "created",
        "updated",
        "unchanged",
        "existing",
        "rejected"
    );
    for r in runs {
        println!(
            "{:>5}  {:<19}  {:<9}  {:>8} {:>8} {:>8} {:>9} {:>8} {:>8}  {}{}",
            r.id,
            r.started_at.format("%Y-%m-%d %H:%M:%S"),
            r.status,
            r.rows_read,
            r.created,
            r.updated,
            r.unchanged,
            r.existing,
            r.rejected,
            printable(&r.file_name),
            if r.dry_run { " (dry run)" } else { "" }
        );
        if let Some(why) = &r.failure
            && r.status != RunStatus::Running
        {
            println!("{:>7}{}", "", printable(why));
        }
    }
    Ok(())
}

/// `s` with control characters (ANSI escapes, CR, tabs) written as `\u{..}`, so that a file
/// name cannot move the cursor or rewrite the terminal.
fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}
