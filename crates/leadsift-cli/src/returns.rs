//! `leadsift returns`: the feedback CSV that LeadConduit imports as returns (`Event ID,Reason`),
//! from an export, by the core's `returns` rule. Reads the file once; writes as it reads.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::ValueEnum;
use leadsift_core::Validator;
use leadsift_core::returns::{RETURNS_HEADER, ReturnRule, ReturnsSummary};

use crate::input::{ReadArgs, Usage, validate_stream};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Counts and price for people.
    Table,
    /// One JSON object: returned, price, by code, rows without an event id.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// The reasons that return a lead, comma-separated: issue codes (invalid_phone,
    /// invalid_email, duplicate_in_file, …) and is_test.
    #[arg(
        long,
        value_name = "CODES",
        default_value = "invalid_phone,invalid_email,duplicate_in_file,is_test"
    )]
    reason_codes: String,
    /// Write the returns file here; without it, it goes to standard output and the summary to
    /// standard error.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// The summary's format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub fn run(args: Args) -> Result<()> {
    let rule = ReturnRule::parse_list(&args.reason_codes)
        .map_err(|e| Usage(format!("--reason-codes: {e}")))?;
    let options = args.read.options()?;
    let (mut input, size) = args.read.open()?;
    let name = args.read.name();
    let (mut out, target): (Box<dyn Write>, String) = match &args.out {
        Some(p) => {
            let f = File::create(p)
                .with_context(|| format!("could not create the returns file {}", p.display()))?;
            (Box::new(BufWriter::new(f)), p.display().to_string())
        }
        None => (
            Box::new(BufWriter::new(io::stdout().lock())),
            "standard output".to_owned(),
        ),
    };
    out.write_all(RETURNS_HEADER.as_bytes())
        .context("could not write the returns file")?;
    let mut validator = Validator::new(options);
    let mut summary = ReturnsSummary::default();
    validate_stream(&mut input, &name, size, &mut validator, |row| {
        if let Some(r) = rule.judge(row) {
            summary.add(&r);
            if let Some(line) = r.to_csv() {
                out.write_all(line.as_bytes())
                    .context("could not write the returns file")?;
            }
        }
        Ok(true)
    })?;
    out.flush().context("could not write the returns file")?;
    drop(out);
    let report = match args.format {
        Format::Json => {
            let mut j = serde_json::to_value(&summary).context("could not encode the summary")?;
            j["price"] = serde_json::Value::String(summary.price());
            j["reason_codes"] = rule.codes().iter().map(|c| c.name()).collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&j).context("could not encode the summary")?
            )
        }
        Format::Table => table(&name, &target, &summary),
    };
    if args.out.is_some() {
        print!("{report}");
    } else {
        eprint!("{report}");
    }
    for note in &validator.summary().notes {
        eprintln!("note: {note}");
    }
    Ok(())
}

fn table(name: &str, target: &str, s: &ReturnsSummary) -> String {
    use std::fmt::Write as _;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{name}: {} lead{} to return, {} of price, written to {target}",
        s.returned,
        if s.returned == 1 { "" } else { "s" },
        s.price()
    );
    for (code, n) in &s.by_code {
        let _ = writeln!(t, "  {code:<28} {n:>8}");
    }
    if s.without_event_id > 0 {
        let shown: Vec<String> = s
            .without_event_id_lines
            .iter()
            .take(20)
            .map(u64::to_string)
            .collect();
        let more = s.without_event_id - shown.len() as u64;
        let _ = writeln!(
            t,
            "{} {} no event id and cannot be returned: line{} {}{}",
            s.without_event_id,
            if s.without_event_id == 1 {
                "row matches but has"
            } else {
                "rows match but have"
            },
            if s.without_event_id == 1 { "" } else { "s" },
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    t
}
