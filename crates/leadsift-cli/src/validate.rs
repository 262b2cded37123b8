//! `leadsift validate`: runs the core over a file and reports, without a database.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::ValueEnum;
use leadsift_core::report::{
    ERROR_REPORT_HEADER, cleaned_csv_header, cleaned_csv_line, error_report_lines,
};
use leadsift_core::{Row, Summary, Validator};

use crate::input::{ReadArgs, report_file, validate_stream};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The summary, the mapping and the first problems, for people.
    Table,
    /// One JSON object per data record, in input order.
    Ndjson,
    /// One JSON object: counts, detection, mapping and issues by code.
    Summary,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Output format; `table` on a terminal, `ndjson` otherwise.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write an error report CSV (line, column, field, code, message, raw) here.
    #[arg(long, value_name = "PATH")]
    errors: Option<PathBuf>,
    /// Write the cleaned values as CSV (line, row status, lead key, every field) here.
    #[arg(long, value_name = "PATH")]
    cleaned: Option<PathBuf>,
    /// How many problems the table shows.
    #[arg(long, default_value_t = 20)]
    show: usize,
}

/// An error chain as one sentence: "could not open x: no such file or directory".
pub fn sentence(e: &anyhow::Error) -> String {
    let s = e
        .chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s,
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let options = args.read.options()?;
    let (mut input, size) = args.read.open()?;
    let name = args.read.name();
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Ndjson
    });
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut errors = report_file(
        args.errors.as_deref(),
        ERROR_REPORT_HEADER,
        "the error report",
    )?;
    let mut cleaned = report_file(
        args.cleaned.as_deref(),
        &cleaned_csv_header(),
        "the cleaned CSV",
    )?;

    let mut validator = Validator::new(options);
    let mut problems: Vec<Row> = Vec::new();
    let mut write_row = |row: &Row, out: &mut BufWriter<io::StdoutLock<'_>>| -> Result<bool> {
        if let Some(w) = errors.as_mut() {
            w.write_all(error_report_lines(row).as_bytes())
                .context("could not write the error report")?;
        }
        if let Some(w) = cleaned.as_mut() {
            w.write_all(cleaned_csv_line(row).as_bytes())
                .context("could not write the cleaned CSV")?;
        }
        match format {
            Format::Ndjson => {
                let line = serde_json::to_string(row).context("could not encode a row")?;
                if !write_ok(writeln!(out, "{line}"))? {
                    return Ok(false);
                }
            }
            Format::Table if !row.issues.is_empty() && problems.len() < args.show => {
                problems.push(row.clone())
            }
            _ => {}
        }
        Ok(true)
    };
    if !validate_stream(&mut input, &name, size, &mut validator, |row| {
        write_row(row, &mut out)
    })? {
        return Ok(ExitCode::SUCCESS);
    }
    let summary = validator.summary();
    match format {
        Format::Ndjson => {}
        Format::Summary => {
            let line = serde_json::to_string_pretty(&summary_json(summary))
                .context("could not encode the summary")?;
            write_ok(writeln!(out, "{line}"))?;
        }
        Format::Table => {
            write_ok(write!(out, "{}", table(&name, summary, &problems)))?;
        }
    }
    write_ok(out.flush())?;
    if let Some(mut w) = errors {
        w.flush().context("could not write the error report")?;
    }
    if let Some(mut w) = cleaned {
        w.flush().context("could not write the cleaned CSV")?;
    }
    for note in &summary.notes {
        eprintln!("note: {note}");
    }
    // The table says it in its mapping; the machine formats leave their output as it is.
    if format != Format::Table
        && let Some(w) = summary
            .mapping
            .as_ref()
            .and_then(|m| m.identity().warning())
    {
        eprintln!("warning: {w}");
    }
    Ok(ExitCode::SUCCESS)
}

/// A closed pipe (`leadsift validate | head`) ends the output quietly.
fn write_ok(r: io::Result<()>) -> Result<bool> {
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e).context("could not write the output"),
    }
}

/// The summary as the `--format summary` object.
pub fn summary_json(s: &Summary) -> serde_json::Value {
    let sniffed = s.sniffed.as_ref();
    let unmapped: Vec<&str> = s
        .mapping
        .iter()
        .flat_map(|m| m.unmapped())
        .map(|c| c.header.as_str())
        .collect();
    serde_json::json!({
        "rows": s.rows,
        "valid": s.valid,
        "warning": s.warning,
        "rejected": s.rejected,
        "blank": s.blank,
        "duplicates": s.duplicates,
        "preamble": s.preamble,
        "bytes": s.bytes,
        "encoding": sniffed.map(|x| x.encoding.clone()),
        "delimiter": sniffed.map(|x| x.delimiter.clone()),
        "detected": sniffed,
        "mapping": s.mapping.as_ref().map(|m| &m.columns),
        "unmapped": unmapped,
        "issues": s.issues,
        "notes": s.notes,
    })
}

fn table(name: &str, s: &Summary, problems: &[Row]) -> String {
    use std::fmt::Write as _;
    let mut t = String::new();
    let _ = writeln!(t, "{name}");
    if let Some(d) = &s.sniffed {
        let delim = if d.delimiter == "\t" {
            "tab".to_owned()
        } else {
            d.delimiter.clone()
        };
        let _ = writeln!(
            t,
            "  encoding {}{}{}, delimiter {delim}, line endings {}, header on line {}",
            d.encoding,
            if d.bom { " with BOM" } else { "" },
            if d.gzip { " (gzip)" } else { "" },
            d.line_endings.as_str(),
            d.header_line
        );
    }
    let _ = writeln!(
        t,
        "\n  rows {:>9}\n  valid {:>8}\n  warning {:>6}\n  rejected {:>5}\n  blank {:>8}\n  duplicates {:>3}",
        s.rows, s.valid, s.warning, s.rejected, s.blank, s.duplicates
    );
    if let Some(m) = &s.mapping {
        let _ = writeln!(t, "\nmapping");
        for c in &m.columns {
            let target = c.field.map_or("extra".to_owned(), |f| f.name().to_owned());
            let how = serde_json::to_value(c.matched)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let mut line = format!("  {:<28} → {:<22} {how}", ellipsis(&c.header, 28), target);
            if c.matched == leadsift_core::mapping::MatchKind::Fuzzy {
                let _ = write!(line, " ({:.0}%)", c.confidence * 100.0);
            }
            if let Some((f, conf)) = c.suggestion {
                let _ = write!(line, " (did you mean {f}? {:.0}%)", conf * 100.0);
            }
            let _ = writeln!(t, "{line}");
        }
        if let Some(w) = m.identity().warning() {
            let _ = writeln!(t, "  warning: {w}");
        }
    }
    if !s.issues.is_empty() {
        let _ = writeln!(t, "\nissues");
        for (code, n) in &s.issues {
            let _ = writeln!(t, "  {:<28} {n}", code.as_str());
        }
    }
    if !problems.is_empty() {
        let _ = writeln!(t, "\nfirst problems");
        for row in problems {
            for i in &row.issues {
                let col = i.column.as_deref().unwrap_or("-");
                let _ = writeln!(
                    t,
                    "  line {:<6} {:<20} {:<24} {}",
                    row.line,
                    ellipsis(col, 20),
                    i.code.as_str(),
                    i.message
                );
            }
        }
    }
    t
}

pub fn ellipsis(s: &str, n: usize) -> String {
    leadsift_core::text::truncate_chars(s, n.saturating_sub(1)).into_owned()
}
