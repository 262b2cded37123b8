//! The validator: bytes in, cleaned rows with issues out, and a running summary.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clean::{self, CleanOptions, DecimalSeparator, Note, PostalCode, Value};
use crate::decode::{Charset, Decoder};
use crate::error::ReadError;
use crate::field::Field;
use crate::gzip::{Inflater, is_gzip};
use crate::issue::{Issue, IssueCode};
use crate::judge;
pub use crate::lead::{Cells, Lead, LeadKey, ReadFacts, Row, RowStatus, TextMap};
use crate::mapping::{Column, Mapping, MappingOverrides};
use crate::records::{Limits, RawRecord, RecordSplitter};
use crate::seen::SeenKeys;
use crate::sniff::{self, Found, SAMPLE_BYTES, Sniffed};
use crate::text::without_nul;

mod restand;
pub use restand::{Brief, BriefIssue, Restand, Standing};

/// Everything that changes how a file is read and judged.
#[derive(Debug, Clone)]
pub struct Options {
    pub clean: CleanOptions,
    /// `None`: a comma decimal separator for semicolon files, a dot otherwise.
    pub decimal: Option<DecimalSeparator>,
    /// Reject every row with any error, not only rows without identity or structure.
    pub strict: bool,
    /// An encoding instead of sniffing (from a label: [`sniff::charset_for_label`]).
    pub encoding: Option<Charset>,
    /// A delimiter instead of sniffing.
    pub delimiter: Option<u8>,
    /// The physical line (1-based) of the header row instead of sniffing.
    pub header_line: Option<u64>,
    pub mapping: MappingOverrides,
    pub limits: Limits,
    /// Keep each record's cells as read in [`Row::original`] (the original row an import
    /// stores, and the page's raw-value view); off by default.
    pub keep_original: bool,
    /// Keep each record's cells exactly as read in [`Row::cells`], from which a [`Replayer`]
    /// makes the row again (the browser's row store keeps these instead of the rows); off by
    /// default.
    pub keep_cells: bool,
}

impl Options {
    /// Sniff everything, map by name, clean with [`CleanOptions::new`]`(today)`, the default
    /// limits, nothing strict.
    pub fn new(today: chrono::NaiveDate) -> Options {
        Options {
            clean: CleanOptions::new(today),
            decimal: None,
            strict: false,
            encoding: None,
            delimiter: None,
            header_line: None,
            mapping: MappingOverrides::default(),
            limits: Limits::default(),
            keep_original: false,
            keep_cells: false,
        }
    }
}

/// The running account of a file. Every line is counted: rows = valid + warning + rejected + blank.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub rows: u64,
    pub valid: u64,
    pub warning: u64,
    pub rejected: u64,
    pub blank: u64,
    /// Rows that replace an earlier row with the same lead key.
    pub duplicates: u64,
    /// Lines before the header row.
    pub preamble: u64,
    pub bytes: u64,
    pub sniffed: Option<Sniffed>,
    pub mapping: Option<Mapping>,
    pub issues: BTreeMap<IssueCode, u64>,
    /// File-level remarks, such as an empty file or a header without rows.
    pub notes: Vec<String>,
}

enum Input {
    /// Waiting for the first two bytes, to see whether the data is gzip.
    Undecided(Vec<u8>),
    Plain,
    /// The inflater, out only while its steps are handed on.
    Gzip(Option<Box<Inflater>>),
}

/// Where the validator's rows go.
enum Sink<'a> {
    /// Into the list [`Validator::push`] returns.
    Collect,
    /// Lent, one after another, to [`Validator::push_each`]'s caller.
    Each(&'a mut dyn FnMut(&Replayer, &Row)),
}

/// Validates a file pushed in chunks of any size.
pub struct Validator {
    options: Options,
    clean: CleanOptions,
    input: Input,
    sample: Vec<u8>,
    decoder: Option<Decoder>,
    text: String,
    splitter: Option<RecordSplitter>,
    mapping: Option<Mapping>,
    /// Makes each row from its cells, once the header has been read.
    replayer: Option<Replayer>,
    header_line: u64,
    next_record: u64,
    seen: SeenKeys,
    summary: Summary,
    fatal: Option<ReadError>,
    out: Vec<Row>,
    /// The row lent to [`Validator::push_each`]'s caller, made again record after record.
    lent: Option<Row>,
    /// The buffer a record's cells are listed in (empty between records).
    cells: Vec<&'static str>,
    finished: bool,
    /// Whether the decoder has replaced any invalid bytes so far.
    replaced: bool,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator")
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

impl Validator {
    pub fn new(options: Options) -> Validator {
        Validator {
            clean: options.clean.clone(),
            options,
            input: Input::Undecided(Vec::new()),
            sample: Vec::new(),
            decoder: None,
            text: String::new(),
            splitter: None,
            mapping: None,
            replayer: None,
            header_line: 1,
            next_record: 0,
            seen: SeenKeys::default(),
            summary: Summary::default(),
            fatal: None,
            out: Vec::new(),
            lent: None,
            cells: Vec::new(),
            finished: false,
            replaced: false,
        }
    }

    /// What sniffing found, once enough bytes have been seen.
    pub fn sniffed(&self) -> Option<&Sniffed> {
        self.summary.sniffed.as_ref()
    }

    /// The mapping, once the header row has been read.
    pub fn mapping(&self) -> Option<&Mapping> {
        self.mapping.as_ref()
    }

    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// What makes a row again from its cells and [`ReadFacts`], once the header has been read:
    /// the same mapping, options and column count as this file's rows were made with.
    pub fn replayer(&self) -> Option<&Replayer> {
        self.replayer.as_ref()
    }

    /// Pushes the next chunk of the file; returns the rows that it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<Row>, ReadError> {
        self.push_to(chunk, &mut Sink::Collect)?;
        Ok(self.take_rows())
    }

    /// Pushes the next chunk of the file and hands each row it completed to `each`, in file
    /// order, as [`Validator::push`] would return them, with the [`Replayer`] that made it. The
    /// row is lent: one buffer serves every record, so that a caller who keeps few rows (a
    /// report writer, a counter, a store of cells) pays for no row's allocation; clone the
    /// ones to keep.
    pub fn push_each(
        &mut self,
        chunk: &[u8],
        each: &mut dyn FnMut(&Replayer, &Row),
    ) -> Result<(), ReadError> {
        self.push_to(chunk, &mut Sink::Each(each))
    }

    /// Ends the file; returns the last rows. The summary is then complete.
    pub fn finish(&mut self) -> Result<Vec<Row>, ReadError> {
        self.finish_to(&mut Sink::Collect)?;
        Ok(self.take_rows())
    }

    /// Ends the file, handing the last rows to `each` as [`Validator::push_each`] does. The
    /// summary is then complete.
    pub fn finish_each(&mut self, each: &mut dyn FnMut(&Replayer, &Row)) -> Result<(), ReadError> {
        self.finish_to(&mut Sink::Each(each))
    }

    /// The rows collected so far, leaving room for about as many more (the next chunk makes
    /// about as many rows: room for them now, not by doubling).
    fn take_rows(&mut self) -> Vec<Row> {
        let room = self.out.len();
        std::mem::replace(&mut self.out, Vec::with_capacity(room))
    }

    fn push_to(&mut self, chunk: &[u8], sink: &mut Sink<'_>) -> Result<(), ReadError> {
        if let Some(e) = &self.fatal {
            return Err(e.clone());
        }
        self.summary.bytes += chunk.len() as u64;
        let result = self.route(chunk, false, sink);
        self.settle(result)
    }

    fn finish_to(&mut self, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        if let Some(e) = &self.fatal {
            return Err(e.clone());
        }
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        let result = self.route(&[], true, sink);
        self.settle(result)?;
        if self.mapping.is_none() {
            self.summary.notes.push(match self.options.header_line {
                _ if self.summary.bytes == 0 => "the file is empty".to_owned(),
                Some(line) if self.summary.preamble < line => format!(
                    "the header was to be on line {line}, but the file has {} lines",
                    self.summary.preamble
                ),
                _ => "the file holds no header row".to_owned(),
            });
        } else if self.next_record == 0 {
            self.summary
                .notes
                .push("the file has a header but no data rows".to_owned());
        }
        Ok(())
    }

    fn settle(&mut self, result: Result<(), ReadError>) -> Result<(), ReadError> {
        result.inspect_err(|e| self.fatal = Some(e.clone()))
    }

    fn route(&mut self, chunk: &[u8], last: bool, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        if let Input::Undecided(head) = &mut self.input {
            head.extend_from_slice(chunk);
            if head.len() < 2 && !last {
                return Ok(());
            }
            let head = std::mem::take(head);
            if is_gzip(&head) {
                self.input = Input::Gzip(Some(Box::new(Inflater::new(self.options.limits))));
            } else {
                self.input = Input::Plain;
            }
            return self.route_decided(&head, last, sink);
        }
        self.route_decided(chunk, last, sink)
    }

    fn route_decided(
        &mut self,
        chunk: &[u8],
        last: bool,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let Input::Gzip(slot) = &mut self.input else {
            return self.plain(chunk, last, sink);
        };
        // The inflater is taken out while its steps are handed to `plain`.
        let Some(mut inflater) = slot.take() else {
            return Ok(());
        };
        let result = inflater.push(chunk, last, |bytes, end| self.plain(bytes, end, sink));
        self.input = Input::Gzip(Some(inflater));
        result
    }

    fn plain(&mut self, bytes: &[u8], last: bool, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        if self.decoder.is_none() {
            self.sample.extend_from_slice(bytes);
            if self.sample.len() < SAMPLE_BYTES && !last {
                return Ok(());
            }
            let sample = std::mem::take(&mut self.sample);
            let bom = self.sniff(&sample, last)?;
            return self.decode(&sample[bom..], last, sink);
        }
        self.decode(bytes, last, sink)
    }

    /// Decides encoding, delimiter and header row from the sample; returns the BOM length.
    fn sniff(&mut self, sample: &[u8], complete: bool) -> Result<usize, ReadError> {
        let (encoding, bom, encoding_source) = match &self.options.encoding {
            Some(enc) => {
                let enc = *enc;
                let bom = Charset::for_bom(sample)
                    .filter(|(e, _)| *e == enc)
                    .map_or(0, |(_, n)| n);
                (enc, bom, Found::Override)
            }
            None => {
                let (enc, bom) = sniff::sniff_encoding(sample, complete)?;
                if enc == Charset::Windows1252
                    && let Some(likely) = sniff::legacy_suspect(sample)
                {
                    let what = match likely {
                        Charset::MacRoman => "Mac Roman (Excel's \"CSV (Macintosh)\")",
                        _ => "code page 437 (Excel's \"CSV (MS-DOS)\")",
                    };
                    self.summary.notes.push(format!(
                        "the file was read as windows-1252, but its accented letters look like {what}: if names read wrong, choose the encoding {}",
                        likely.name()
                    ));
                }
                (enc, bom, Found::Detected)
            }
        };
        let (text, _) = encoding.decode(&sample[bom..]);
        sniff::check_text(&text)?;
        let (delimiter, delimiter_source) = match self.options.delimiter {
            Some(d) => (sniff::check_delimiter(d)?, Found::Override),
            None => (sniff::sniff_delimiter(&text), Found::Detected),
        };
        let (header_line, header_source) = match self.options.header_line {
            Some(l) => (l.max(1), Found::Override),
            None => (sniff::sniff_header_line(&text, delimiter), Found::Detected),
        };
        self.header_line = header_line;
        self.clean.decimal = self.options.decimal.unwrap_or(if delimiter == b';' {
            DecimalSeparator::Comma
        } else {
            DecimalSeparator::Dot
        });
        self.summary.sniffed = Some(Sniffed {
            encoding: encoding.name().to_owned(),
            bom: bom > 0,
            gzip: matches!(self.input, Input::Gzip(_)),
            delimiter: (delimiter as char).to_string(),
            line_endings: sniff::sniff_line_endings(&text),
            header_line,
            encoding_source,
            delimiter_source,
            header_source,
        });
        self.decoder = Some(encoding.decoder());
        self.splitter = Some(RecordSplitter::new(delimiter, self.options.limits));
        Ok(bom)
    }

    fn decode(&mut self, bytes: &[u8], last: bool, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        let Some(decoder) = self.decoder.as_mut() else {
            return Ok(());
        };
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        let borrowed = decoder.as_text(bytes);
        if borrowed.is_none() {
            self.replaced |= decoder.decode_to_string(bytes, &mut text, last);
        }
        let mut splitter = self.splitter.take();
        let mut fatal = None;
        if let Some(sp) = splitter.as_mut() {
            let mut emit = |r: &RawRecord| {
                if fatal.is_none()
                    && let Err(e) = self.record(r, sink)
                {
                    fatal = Some(e);
                }
            };
            sp.push(borrowed.unwrap_or(&text), &mut emit);
            if last {
                sp.finish(&mut emit);
            }
        }
        self.splitter = splitter;
        self.text = text;
        fatal.map_or(Ok(()), Err)
    }

    fn record(&mut self, r: &RawRecord, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        if self.mapping.is_none() {
            if r.line < self.header_line || (r.field_count == 1 && r.is_blank()) {
                self.summary.preamble += 1;
                return Ok(());
            }
            if r.field_count > self.options.limits.max_columns {
                return Err(ReadError::TooManyColumns {
                    line: r.line,
                    columns: r.field_count,
                    limit: self.options.limits.max_columns,
                });
            }
            if let Some((column, size)) = r.oversized_field {
                return Err(ReadError::HeaderCellTooLarge {
                    line: r.line,
                    column: column + 1,
                    size,
                    limit: self.options.limits.max_field_bytes,
                });
            }
            let headers = r.fields();
            let mapping = Mapping::build(&headers, &self.options.mapping);
            let notes_at = self.summary.notes.len();
            let unused = unused_override_notes(&headers, &self.options.mapping);
            let mapping_notes = unused.len();
            self.summary.notes.extend(unused);
            self.replayer = Some(Replayer {
                columns: mapping.columns.clone(),
                headers: headers.iter().map(|h| (*h).to_owned()).collect(),
                notes_at,
                mapping_notes,
                header_fields: r.field_count,
                clean: self.clean.clone(),
                limits: self.options.limits,
                strict: self.options.strict,
                keep_original: self.options.keep_original,
                keep_cells: self.options.keep_cells,
                mapped: mapped_fields(&mapping.columns),
            });
            self.summary.mapping = Some(mapping.clone());
            self.mapping = Some(mapping);
            return Ok(());
        }
        self.summary.rows += 1;
        if r.is_blank() {
            self.summary.blank += 1;
            return Ok(());
        }
        let record = self.next_record;
        self.next_record += 1;
        let read = ReadFacts {
            field_count: r.field_count,
            oversized_field: r.oversized_field,
            oversized_record: r.oversized_record,
            unterminated_quote: r.unterminated_quote,
            replaced: self.replaced,
        };
        // Never reached without one: rows come only after the header, which makes the replayer.
        let Some(replayer) = self.replayer.as_ref() else {
            return Ok(());
        };
        // One buffer of cells for every record: empty between records, so that it borrows
        // nothing past this one. Emptied, it goes back to its `'static` type by an in-place
        // collect, which keeps the allocation (the standard library reuses a `vec::IntoIter`'s
        // buffer for items of the same size).
        let mut cells: Vec<&str> = std::mem::take(&mut self.cells);
        r.fields_into(&mut cells);
        match sink {
            Sink::Collect => {
                let mut row = replayer.made(&cells, record, r.line, read);
                tally(replayer, &mut self.seen, &mut self.summary, &mut row);
                self.out.push(row);
            }
            Sink::Each(each) => {
                let row = self.lent.get_or_insert_with(|| Row::empty(record, r.line));
                replayer.made_into(&cells, record, r.line, read, row);
                tally(replayer, &mut self.seen, &mut self.summary, row);
                each(replayer, row);
            }
        }
        cells.clear();
        self.cells = cells.into_iter().map(|_| "").collect();
        Ok(())
    }
}

/// The notes for the overrides that name no column of `headers`.
fn unused_override_notes(headers: &[&str], overrides: &MappingOverrides) -> Vec<String> {
    Mapping::unused_overrides(headers, overrides)
        .into_iter()
        .map(|key| {
            format!(
                "the mapping names a column the file does not have: {:?}",
                without_nul(&key)
            )
        })
        .collect()
}

/// Marks `row` as replacing the earlier row with its lead key, if `seen` has one, and counts
/// it in `summary`; rows come in file order. The validator's and a [`Replay`]'s.
fn tally(replayer: &Replayer, seen: &mut SeenKeys, summary: &mut Summary, row: &mut Row) {
    if let Some(k) = row.standing_key() {
        let line = u32::try_from(row.line).unwrap_or(u32::MAX);
        if let Some(prev_line) = seen.insert(restand::key_hash(k), line) {
            replayer.replaces(row, u64::from(prev_line));
        }
    }
    summary.add_row(row);
}

impl Summary {
    /// Counts `row`: its status, its issues, and a duplicate when it replaces an earlier row.
    pub fn add_row(&mut self, row: &Row) {
        self.count(row, true);
    }

    /// Takes back what [`Summary::add_row`] counted for `row`.
    pub fn remove_row(&mut self, row: &Row) {
        self.count(row, false);
    }

    /// Counts `new` in place of `old`, the same record made again after an edit; false, with
    /// nothing changed, when the edit changed the row's [`Row::standing_key`]: then which rows
    /// replace which may have changed anywhere in the file, and only a [`Replay`] of the whole
    /// file counts it right.
    pub fn replace_row(&mut self, old: &Row, new: &Row) -> bool {
        if old.standing_key() != new.standing_key() {
            return false;
        }
        self.remove_row(old);
        self.add_row(new);
        true
    }

    fn count(&mut self, row: &Row, add: bool) {
        self.count_parts(
            row.status,
            row.replaces_line.is_some(),
            row.issues.iter().map(|i| i.code),
            add,
        );
    }

    /// Counts (or takes back) a row with this status, whether it replaces an earlier row, and
    /// these issue codes.
    fn count_parts(
        &mut self,
        status: RowStatus,
        duplicate: bool,
        codes: impl Iterator<Item = IssueCode>,
        add: bool,
    ) {
        let step = |n: &mut u64| *n = if add { *n + 1 } else { n.saturating_sub(1) };
        step(match status {
            RowStatus::Valid => &mut self.valid,
            RowStatus::Warning => &mut self.warning,
            RowStatus::Rejected => &mut self.rejected,
        });
        if duplicate {
            step(&mut self.duplicates);
        }
        for code in codes {
            let n = self.issues.entry(code).or_default();
            step(n);
            if *n == 0 {
                self.issues.remove(&code);
            }
        }
    }
}

/// A file's rows made again from their kept cells under other choices (another mapping,
/// strict or not) and counted afresh, in file order: what validating the file again with
/// those choices gives, without reading it again. Made by [`Replayer::replay`].
#[derive(Debug)]
pub struct Replay {
    replayer: Replayer,
    seen: SeenKeys,
    summary: Summary,
}

impl Replay {
    /// The replayer of the new choices.
    pub fn replayer(&self) -> &Replayer {
        &self.replayer
    }

    /// The next kept record's row (records in file order, each once), duplicates marked and
    /// counted.
    pub fn row(&mut self, cells: &[&str], record: u64, line: u64, read: ReadFacts) -> Row {
        let mut row = self.replayer.made(cells, record, line, read);
        tally(&self.replayer, &mut self.seen, &mut self.summary, &mut row);
        row
    }

    /// [`Replay::row`] for a record a person edited ([`Replayer::edited_row`]).
    pub fn edited_row(
        &mut self,
        cells: &[&str],
        edits: &[(usize, String)],
        record: u64,
        line: u64,
        read: ReadFacts,
    ) -> Row {
        let mut row = self
            .replayer
            .edited_row(cells, edits, record, line, read, None);
        tally(&self.replayer, &mut self.seen, &mut self.summary, &mut row);
        row
    }

    /// The account so far; complete once every kept record has been made again.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The replayer of the new choices (to make the rows again later) and the account.
    pub fn finish(self) -> (Replayer, Summary) {
        (self.replayer, self.summary)
    }
}

/// Makes a file's rows from their cells: the validator makes every row with one, and a store
/// that kept only cells ([`Options::keep_cells`]) makes them again, equal to the first.
#[derive(Debug, Clone)]
pub struct Replayer {
    columns: Vec<Column>,
    /// The header row's cells as read, to map them again.
    headers: Vec<String>,
    /// Where the notes of the mapping's unused overrides stand in the summary's notes, and
    /// how many there are: a [`Replay`] puts its own in their place.
    notes_at: usize,
    mapping_notes: usize,
    header_fields: usize,
    clean: CleanOptions,
    limits: Limits,
    strict: bool,
    keep_original: bool,
    keep_cells: bool,
    /// The lead fields some column maps ([`mapped_fields`]): their slots are written by every
    /// record that reaches their column, so a row made again need not empty them first.
    mapped: u64,
}

/// The lead fields the columns map, a bit each ([`Field::index`]).
fn mapped_fields(columns: &[Column]) -> u64 {
    const { assert!(Field::COUNT <= 64) };
    columns
        .iter()
        .filter_map(|c| c.field)
        .fold(0, |mask, f| mask | 1 << f.index())
}

impl Replayer {
    /// This replayer, its rows keeping a copy of their cells ([`Row::cells`]) or not: a store
    /// that already holds the cells makes rows (and replays) without copying them again.
    pub fn keeping_cells(mut self, keep: bool) -> Replayer {
        self.keep_cells = keep;
        self
    }

    /// The mapping the rows are made with.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// What the cell `raw` of column `column` becomes under this mapping: its normal form
    /// (`Ok`, empty for an empty cell), or why it fails (`Err`, the issue's message); `None`
    /// for a column mapped to no field. A mapping screen's sample values.
    pub fn cleaned_cell(&self, column: usize, raw: &str) -> Option<Result<String, String>> {
        let field = self.columns.get(column)?.field?;
        let cleaned = clean::clean(field, raw, &self.clean);
        Some(match (cleaned.value, cleaned.note) {
            (Some(v), _) => Ok(v.to_text().into_owned()),
            (None, Some(note)) => Err(note.message),
            (None, None) => Ok(String::new()),
        })
    }

    /// Starts making the file's rows again under `overrides` (the whole mapping choice, as
    /// [`Options::mapping`]) and `strict`, from `read`, the file's summary as validated: what
    /// reading found (rows, blank lines, preamble, bytes, sniffing, its notes) is kept, and
    /// everything the mapping decides is counted again.
    pub fn replay(&self, read: &Summary, overrides: &MappingOverrides, strict: bool) -> Replay {
        let headers: Vec<&str> = self.headers.iter().map(String::as_str).collect();
        let mapping = Mapping::build(&headers, overrides);
        let unused = unused_override_notes(&headers, overrides);
        let mut notes = read.notes.clone();
        let at = self.notes_at.min(notes.len());
        let end = (at + self.mapping_notes).min(notes.len());
        let mapping_notes = unused.len();
        notes.splice(at..end, unused);
        let replayer = Replayer {
            columns: mapping.columns.clone(),
            mapping_notes,
            strict,
            mapped: mapped_fields(&mapping.columns),
            ..self.clone()
        };
        Replay {
            replayer,
            seen: SeenKeys::default(),
            summary: Summary {
                rows: read.rows,
                blank: read.blank,
                preamble: read.preamble,
                bytes: read.bytes,
                sniffed: read.sniffed.clone(),
                mapping: Some(mapping),
                notes,
                ..Summary::default()
            },
        }
    }

    /// The row of record `record` (zero-based among data records) on `line`, whose cells and
    /// reading facts these are; `replaces_line` is the line of the earlier row with its key
    /// that it replaced ([`Row::replaces_line`]).
    pub fn row(
        &self,
        cells: &[&str],
        record: u64,
        line: u64,
        read: ReadFacts,
        replaces_line: Option<u64>,
    ) -> Row {
        let mut row = self.made(cells, record, line, read);
        if let Some(prev) = replaces_line {
            self.replaces(&mut row, prev);
        }
        row
    }

    /// The row of a record whose cells a person edited: `edits` gives, per column (zero-based),
    /// the text that replaces the cell as read (a column past the record's cells is
    /// ignored). The row is made from the edited cells exactly as from cells read, and says
    /// which columns were edited ([`Row::edited`]).
    pub fn edited_row(
        &self,
        cells: &[&str],
        edits: &[(usize, String)],
        record: u64,
        line: u64,
        read: ReadFacts,
        replaces_line: Option<u64>,
    ) -> Row {
        let mut edited: Vec<&str> = cells.to_vec();
        let mut columns: Vec<usize> = Vec::new();
        for (column, text) in edits {
            if let Some(cell) = edited.get_mut(*column) {
                *cell = text;
                if !columns.contains(column) {
                    columns.push(*column);
                }
            }
        }
        columns.sort_unstable();
        let mut row = self.row(&edited, record, line, read, replaces_line);
        row.edited = columns.into_iter().map(|i| self.key_of(i)).collect();
        // The cells and the original row stay as read: the edit is in the values and `edited`.
        if let Some(c) = row.cells.as_mut() {
            *c = Cells::new(cells);
        }
        if self.keep_original {
            row.original = self.original(cells);
        }
        row
    }

    /// The record's cells under their columns' keys (the header, `Email (column 3)` for a
    /// repeated one, `column_N` past the header): [`Row::original`].
    pub fn original(&self, cells: &[&str]) -> Vec<(String, String)> {
        cells
            .iter()
            .enumerate()
            .map(|(i, cell)| (self.key_of(i), without_nul(cell).into_owned()))
            .collect()
    }

    fn key_of(&self, i: usize) -> String {
        self.columns
            .get(i)
            .map(|c| c.extra_key.clone())
            .unwrap_or_else(|| format!("column_{}", i + 1))
    }

    /// Marks `row` as replacing the earlier row with its key, on `prev_line`.
    fn replaces(&self, row: &mut Row, prev_line: u64) {
        row.replaces_line = Some(prev_line);
        row.issues.push(Issue::new(
            IssueCode::DuplicateInFile,
            format!("same lead key as the row on line {prev_line}, which this row replaces"),
        ));
        row.status = judge::status(&row.issues, self.strict);
    }

    /// The row before in-file duplicates are known.
    fn made(&self, fields: &[&str], record: u64, line: u64, read: ReadFacts) -> Row {
        let mut row = Row::empty(record, line);
        self.made_into(fields, record, line, read, &mut row);
        row
    }

    /// [`Replayer::made`] into `row`, whatever it held before: its buffers (the lead's slots,
    /// the issue and extra lists) are used again, so a validator that hands out each row by
    /// reference ([`Validator::push_each`]) allocates none of them per record.
    fn made_into(&self, fields: &[&str], record: u64, line: u64, read: ReadFacts, row: &mut Row) {
        let mapping = self.columns.as_slice();
        row.record = record;
        row.line = line;
        row.replaces_line = None;
        row.read = read;
        row.edited.clear();
        if self.keep_original {
            row.original = self.original(fields);
        } else {
            row.original.clear();
        }
        let lead = &mut row.lead;
        // Every slot a column of this record writes is written below, whatever it held (a
        // text value is then made in place over the last one); the rest are emptied.
        let written = if fields.len() >= mapping.len() {
            self.mapped
        } else {
            mapped_fields(&mapping[..fields.len()])
        };
        lead.clear_except(written);
        let extra = &mut row.extra;
        extra.clear();
        let issues = &mut row.issues;
        issues.clear();
        let mut postal_raw: Option<(usize, &str)> = None;

        if let Some(line) = read.unterminated_quote {
            issues.push(Issue::new(
                IssueCode::UnterminatedQuote,
                format!("a quote opened on line {line} is never closed: the field runs to the end of the file"),
            ));
        }
        if let Some((col, size)) = read.oversized_field {
            issues.push(
                Issue::new(
                    IssueCode::FieldTooLarge,
                    format!(
                        "the field in column {} holds {size} bytes, more than the limit of {}",
                        col + 1,
                        self.limits.max_field_bytes
                    ),
                )
                .with_column(self.key_of(col)),
            );
        }
        if let Some(size) = read.oversized_record {
            issues.push(Issue::new(
                IssueCode::RecordTooLarge,
                format!(
                    "the record holds {size} bytes, more than the limit of {}",
                    self.limits.max_record_bytes
                ),
            ));
        }
        if read.field_count > self.limits.max_columns {
            issues.push(Issue::new(
                IssueCode::TooManyColumns,
                format!("the record has {} fields, more than the limit of {}; the fields past it were not kept", read.field_count, self.limits.max_columns),
            ));
        }

        for (i, &raw) in fields.iter().enumerate() {
            let Some(col) = mapping.get(i) else {
                if !crate::text::trim(raw).is_empty() {
                    extra.push((format!("column_{}", i + 1), without_nul(raw).into_owned()));
                }
                continue;
            };
            // Only once the decoder has replaced bytes: a U+FFFD written in the file is text.
            if read.replaced
                && raw.contains('\u{fffd}')
                && !issues
                    .iter()
                    .any(|i: &Issue| i.code == IssueCode::EncodingReplaced)
            {
                issues.push(
                    Issue::new(
                        IssueCode::EncodingReplaced,
                        "bytes that are not valid in the file's encoding were replaced by \u{fffd}",
                    )
                    .with_column(col.extra_key.clone())
                    .with_raw(raw),
                );
            }
            let Some(field) = col.field else {
                if !raw.is_empty() {
                    extra.push((col.extra_key.clone(), without_nul(raw).into_owned()));
                }
                continue;
            };
            let slot = lead.slot(field);
            let note = clean::clean_into(field, raw, &self.clean, slot);
            if field == Field::PostalCode && slot.is_none() && note.is_some() {
                postal_raw = Some((issues.len(), raw));
            }
            if let Some(Note { code, message }) = note {
                issues.push(
                    Issue::new(code, message)
                        .with_field(field)
                        .with_column(col.header.clone())
                        .with_raw(raw),
                );
            }
        }

        if let Some((at, raw)) = postal_raw {
            recover_zip(lead, issues, at, raw);
        }

        let n = read.field_count;
        let expected = self.header_fields;
        if n < expected {
            issues.push(Issue::new(
                IssueCode::ShortRow,
                format!("the record has {n} fields and the header {expected}; the missing fields at the end are empty"),
            ));
        } else if n > expected && n <= self.limits.max_columns {
            if fields[expected.min(fields.len())..]
                .iter()
                .all(|f| f.trim().is_empty())
            {
                issues.push(Issue::new(
                    IssueCode::ExtraEmptyFields,
                    format!("the record has {n} fields and the header {expected}; the extra fields are empty"),
                ));
            } else {
                issues.push(Issue::new(
                    IssueCode::FieldCountMismatch,
                    format!("the record has {n} fields and the header {expected}; the values cannot be aligned to the columns (kept in extra as column_N)"),
                ));
            }
        }

        row.key = judge::identify(lead, issues);
        row.status = judge::status(issues, self.strict);
        match (&mut row.cells, self.keep_cells) {
            (Some(cells), true) => cells.refill(fields),
            (slot, keep) => *slot = keep.then(|| Cells::new(fields)),
        }
    }
}

/// The ZIP code `raw` (which failed cleaning) with its leading zeros restored, when the
/// lead's state makes the original certain.
fn restored_zip(lead: &Lead, raw: &str) -> Option<(PostalCode, Note)> {
    match lead.get(Field::State) {
        Some(Value::State(state)) => PostalCode::restore_leading_zeros(raw, state),
        _ => None,
    }
}

/// Validates a whole file held in memory.
pub fn validate_bytes(bytes: &[u8], options: Options) -> Result<(Vec<Row>, Summary), ReadError> {
    let mut v = Validator::new(options);
    let mut rows = v.push(bytes)?;
    rows.extend(v.finish()?);
    Ok((rows, v.summary().clone()))
}

/// Validates one lead given as (name, value) pairs (a posted delivery), exactly as a file
/// with that header and one record: the names are mapped like headers, the values cleaned
/// like cells. `None` when there is nothing to validate (no pairs, or only empty values).
pub fn validate_pairs(
    pairs: &[(String, String)],
    options: Options,
) -> Result<Option<Row>, ReadError> {
    if pairs.is_empty() {
        return Ok(None);
    }
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let header: Vec<String> = pairs.iter().map(|(k, _)| quote(k)).collect();
    let values: Vec<String> = pairs.iter().map(|(_, v)| quote(v)).collect();
    let text = format!("{}\n{}\n", header.join(","), values.join(","));
    let options = Options {
        header_line: Some(1),
        delimiter: Some(b','),
        encoding: Some(Charset::Utf8),
        ..options
    };
    let (rows, _) = validate_bytes(text.as_bytes(), options)?;
    Ok(rows.into_iter().next())
}

/// A ZIP code that failed cleaning (`issue_at` is its issue) but that lost its leading zeros in a
/// spreadsheet, restored when the row's state makes the original certain.
fn recover_zip(lead: &mut Lead, issues: &mut [Issue], issue_at: usize, raw: &str) {
    if let Some((zip, note)) = restored_zip(lead, raw) {
        let issue = &mut issues[issue_at];
        issue.code = note.code;
        issue.severity = note.code.severity();
        issue.message = note.message;
        lead.set(Field::PostalCode, Some(Value::PostalCode(zip)));
    }
}
