//! `leadsift reconcile`: each lead of an export against what was delivered into the database,
//! by the core's `reconcile` rule, through the store's look-ups. Reads only: nothing is written
//! to the database.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use leadsift_core::Row;
use leadsift_core::Validator;
use leadsift_core::reconcile::{
    Class, Finding, RECONCILE_REPORT_HEADER, ReconcileSummary, Seen, Window,
};
use leadsift_store::reconcile::Reconciler;
use leadsift_store::{Database, redact};

use crate::import::{DbArgs, Format};
use crate::input::{ReadArgs, report_file, validate_stream};
use crate::remote::{Remote, ServerArgs};

const LOOKED_UP: &str =
    "could not look the leads up in the database (is it migrated? `leadsift migrate`)";

/// A reconciliation under way: against a database, or through a leadsift server (which keeps
/// nothing, so the client keeps what it matched and the export's window).
enum Running<'a> {
    Database(Reconciler<'a>),
    Server {
        remote: Remote,
        seen: Seen,
        window: Window,
    },
}

impl Running<'_> {
    fn batch(&mut self, rows: &[Row]) -> Result<Vec<Finding>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        match self {
            Running::Database(r) => r.batch(rows).context(LOOKED_UP),
            Running::Server {
                remote,
                seen,
                window,
            } => {
                let findings = remote.reconcile(rows)?;
                for r in rows {
                    window.add(r);
                }
                for f in &findings {
                    seen.add(f);
                }
                Ok(findings)
            }
        }
    }

    /// The deliveries of the export's window that no row is.
    fn not_exported(&mut self, note: &mut impl FnMut(Finding) -> Result<()>) -> Result<()> {
        match self {
            Running::Database(r) => r.not_exported(note).context(LOOKED_UP),
            Running::Server {
                remote,
                seen,
                window,
            } => {
                let Some((from, to)) = window.bounds() else {
                    return Ok(());
                };
                let mut after = 0;
                loop {
                    let page = remote.deliveries(&from, &to, after)?;
                    for key in &page.keys {
                        if let Some(f) = seen.not_exported(key) {
                            note(f)?;
                        }
                    }
                    match page.next {
                        Some(n) => after = n,
                        None => return Ok(()),
                    }
                }
            }
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    server: ServerArgs,
    /// Write every finding here as CSV: one line per lead, and per differing field.
    #[arg(long, value_name = "PATH")]
    report: Option<PathBuf>,
    /// Rows looked up at once (through a server, at most its max_batch_rows: 500 by default).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    batch_size: u64,
    /// How the summary is written.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub fn run(args: Args) -> Result<()> {
    let options = args.read.options()?;
    let (mut input, size) = args.read.open()?;
    let name = args.read.name();
    let mut report = report_file(
        args.report.as_deref(),
        RECONCILE_REPORT_HEADER,
        "the report",
    )?;
    let mut summary = ReconcileSummary::default();
    let mut note = |f: Finding| -> Result<()> {
        summary.add(&f);
        if let Some(w) = report.as_mut() {
            w.write_all(f.to_csv().as_bytes())
                .context("could not write the report")?;
        }
        Ok(())
    };
    let db;
    let mut reconciler = match args.server.remote()? {
        Some((url, token)) => Running::Server {
            remote: Remote::connect(&url, token)?,
            seen: Seen::default(),
            window: Window::default(),
        },
        None => {
            let settings = args.db.settings()?;
            // Connected, not migrated: a reconciliation writes nothing, not even the schema.
            db = Database::connect(&settings.database_url, 2).with_context(|| {
                format!(
                    "could not open the database {}",
                    redact(&settings.database_url)
                )
            })?;
            Running::Database(Reconciler::new(&db))
        }
    };
    let mut validator = Validator::new(options);
    let size_limit = args.batch_size as usize;
    let mut pending = Vec::new();
    validate_stream(&mut input, &name, size, &mut validator, |row| {
        pending.push(row.clone());
        while pending.len() >= size_limit {
            let batch: Vec<_> = pending.drain(..size_limit).collect();
            for f in reconciler.batch(&batch)? {
                note(f)?;
            }
        }
        Ok(true)
    })?;
    for f in reconciler.batch(&pending)? {
        note(f)?;
    }
    reconciler.not_exported(&mut note)?;
    if let Some(mut w) = report {
        w.flush().context("could not write the report")?;
    }
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&summary).context("could not encode the summary")?
        ),
        Format::Table => print!("{}", table(&name, &summary)),
    }
    for n in &validator.summary().notes {
        eprintln!("note: {n}");
    }
    Ok(())
}

fn table(name: &str, s: &ReconcileSummary) -> String {
    use std::fmt::Write as _;
    let mut t = String::new();
    let _ = writeln!(t, "{name}: {} rows against the delivered leads", s.rows);
    for c in Class::ALL {
        let _ = writeln!(t, "  {:<26} {:>9}", c.label(), s.count(c));
    }
    if !s.fields.is_empty() {
        let fields: Vec<String> = s.fields.iter().map(|(f, n)| format!("{f} {n}")).collect();
        let _ = writeln!(t, "differing fields: {}", fields.join(", "));
    }
    t
}
