//! What `validate` and `import` share: the flags that say how to read a file, opening it, and
//! the progress bar.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use leadsift_core::clean::{CleanOptions, Zone};
use leadsift_core::decode::Charset;
use leadsift_core::{Limits, MappingOverrides, Options};

/// A usage error found after parsing (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    /// The export to read (`-` for standard input); gzip is read as the CSV inside it.
    #[arg(default_value = "data/leadconduit_leads.csv")]
    pub file: PathBuf,
    /// A JSON object of mapping overrides: {"Header": "field" | "extra" | "ignore"}.
    #[arg(long, value_name = "PATH")]
    pub mapping: Option<PathBuf>,
    /// Reject every row that has any error.
    #[arg(long)]
    pub strict: bool,
    /// The zone of timestamps that carry none: UTC, an offset such as -05:00, or an IANA name.
    #[arg(long, default_value = "UTC", value_parser = parse_zone, allow_hyphen_values = true)]
    pub timezone: Zone,
    /// The encoding instead of detecting it: utf-8, utf-16le, utf-16be, windows-1252 (latin1),
    /// macintosh (Excel's "CSV (Macintosh)"), cp437 (Excel's "CSV (MS-DOS)"), iso-8859-15.
    #[arg(long, value_parser = parse_encoding)]
    pub encoding: Option<Charset>,
    /// The delimiter instead of detecting it: , ; | or tab.
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// The line of the header row instead of detecting it (1-based).
    #[arg(long, value_name = "LINE", value_parser = clap::value_parser!(u64).range(1..))]
    pub header_line: Option<u64>,
    /// The largest field accepted, in bytes.
    #[arg(long, default_value_t = Limits::default().max_field_bytes)]
    pub max_field_bytes: usize,
    /// The most columns accepted.
    #[arg(long, default_value_t = Limits::default().max_columns)]
    pub max_columns: usize,
    /// The most bytes a gzip file may inflate to (a decompression bomb is refused).
    #[arg(long, default_value_t = Limits::default().max_inflated_bytes)]
    pub max_inflated_bytes: u64,
    /// The most a gzip file may inflate per compressed byte, checked past 4 MiB inflated.
    #[arg(long, default_value_t = Limits::default().max_inflation_ratio, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_inflation_ratio: u64,
}

fn parse_zone(s: &str) -> Result<Zone, String> {
    s.parse::<Zone>().map_err(|e| e.to_string())
}

fn parse_encoding(s: &str) -> Result<Charset, String> {
    leadsift_core::sniff::charset_for_label(s).map_err(|e| e.to_string())
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    leadsift_core::sniff::delimiter_for_label(s).map_err(|e| e.to_string())
}

impl ReadArgs {
    /// The core's options from the flags (a mapping file that is not a mapping is a usage error).
    pub fn options(&self) -> Result<Options> {
        // The one clock read: the core is told what day it is.
        let today = chrono::Utc::now().date_naive();
        let mapping = match &self.mapping {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("could not read the mapping {}", path.display()))?;
                serde_json::from_str::<MappingOverrides>(&text).map_err(|e| {
                    Usage(format!(
                        "the mapping {} must be a JSON object of header to field name, \"extra\" or \"ignore\": {e}",
                        path.display()
                    ))
                })?
            }
            None => MappingOverrides::default(),
        };
        Ok(Options {
            clean: CleanOptions {
                timezone: self.timezone.clone(),
                ..CleanOptions::new(today)
            },
            strict: self.strict,
            encoding: self.encoding,
            delimiter: self.delimiter,
            header_line: self.header_line,
            mapping,
            limits: Limits {
                max_field_bytes: self.max_field_bytes,
                max_columns: self.max_columns,
                max_inflated_bytes: self.max_inflated_bytes,
                max_inflation_ratio: self.max_inflation_ratio,
                ..Limits::default()
            },
            ..Options::new(today)
        })
    }

    /// Whether the input is standard input.
    pub fn is_stdin(&self) -> bool {
        self.file.as_os_str() == "-"
    }

    /// The file's name for messages.
    pub fn name(&self) -> String {
        if self.is_stdin() {
            "standard input".to_owned()
        } else {
            self.file.display().to_string()
        }
    }

    /// Opens the input; returns it and its size when known.
    pub fn open(&self) -> Result<(Box<dyn Read + Send>, Option<u64>)> {
        if self.is_stdin() {
            return Ok((Box::new(io::stdin()), None));
        }
        let f = File::open(&self.file)
            .with_context(|| format!("could not open {}", self.file.display()))?;
        let meta = f
            .metadata()
            .with_context(|| format!("could not open {}", self.file.display()))?;
        if meta.is_dir() {
            anyhow::bail!("{} is a directory, not a file", self.file.display());
        }
        Ok((Box::new(f), Some(meta.len())))
    }
}

/// Reads `input` in 256 KiB chunks, calling `each` with every chunk; retries interrupted reads.
pub fn for_each_chunk(
    input: &mut dyn Read,
    name: &str,
    mut each: impl FnMut(&[u8]) -> Result<bool>,
) -> Result<()> {
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(|| format!("could not read {name}")),
        };
        if !each(&buf[..n])? {
            return Ok(());
        }
    }
}

/// A report file at `path` (when one is asked for), created with its header line; `what`
/// names it in errors ("the error report").
pub fn report_file(
    path: Option<&std::path::Path>,
    header: &str,
    what: &str,
) -> Result<Option<io::BufWriter<File>>> {
    let Some(p) = path else { return Ok(None) };
    let f = File::create(p).with_context(|| format!("could not create {what} {}", p.display()))?;
    let mut w = io::BufWriter::new(f);
    io::Write::write_all(&mut w, header.as_bytes())
        .with_context(|| format!("could not write {what}"))?;
    Ok(Some(w))
}

/// Streams `input` through `validator`, lending each row to `each` in file order, with a
/// progress bar; `each` returns false to stop (a closed pipe), and an error from it stops the
/// run with that error. Returns whether the whole file was read.
pub fn validate_stream(
    input: &mut dyn Read,
    name: &str,
    size: Option<u64>,
    validator: &mut leadsift_core::Validator,
    mut each: impl FnMut(&leadsift_core::Row) -> Result<bool>,
) -> Result<bool> {
    let progress = progress_bar(size);
    // What stopped the rows being handed on: the caller's error, or its wish (`Ok`).
    let mut stop: Option<Result<()>> = None;
    for_each_chunk(input, name, |chunk| {
        if let Some(p) = &progress {
            p.inc(chunk.len() as u64);
        }
        validator
            .push_each(chunk, &mut lend(&mut each, &mut stop))
            .with_context(|| format!("could not read {name}"))?;
        Ok(stop.is_none())
    })?;
    if stop.is_none() {
        validator
            .finish_each(&mut lend(&mut each, &mut stop))
            .with_context(|| format!("could not read {name}"))?;
    }
    match stop {
        Some(Err(e)) => return Err(e),
        Some(Ok(())) => return Ok(false),
        None => {}
    }
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    Ok(true)
}

/// Hands rows to `each` until it fails or asks to stop, which `stop` then records; the rows
/// after that are not handed on.
fn lend<'a>(
    each: &'a mut impl FnMut(&leadsift_core::Row) -> Result<bool>,
    stop: &'a mut Option<Result<()>>,
) -> impl FnMut(&leadsift_core::Replayer, &leadsift_core::Row) + 'a {
    move |_, row| {
        if stop.is_none() {
            match each(row) {
                Ok(true) => {}
                Ok(false) => *stop = Some(Ok(())),
                Err(e) => *stop = Some(Err(e)),
            }
        }
    }
}

/// A progress bar on stderr when stderr is a terminal: bytes, rows/s in the message, ETA.
pub fn progress_bar(size: Option<u64>) -> Option<ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = match size {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::new_spinner(),
    };
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
