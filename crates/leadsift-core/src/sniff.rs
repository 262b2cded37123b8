//! Sniffing: the encoding, the delimiter and the header row, from the first bytes of a file.

use serde::{Deserialize, Serialize};

use crate::decode::Charset;
use crate::error::ReadError;
use crate::mapping::Mapping;
use crate::records::{Limits, RecordSplitter};

/// How many bytes are looked at before deciding.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// The delimiters a LeadConduit export (or a spreadsheet's re-save of one) uses.
pub const DELIMITERS: &[u8] = b",;\t|";

/// What sniffing found, and how each was decided.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sniffed {
    /// The encoding's WHATWG name: `UTF-8`, `UTF-16LE`, `UTF-16BE` or `windows-1252`.
    pub encoding: String,
    /// Whether a byte-order mark was found (and removed).
    pub bom: bool,
    /// Whether the file was gzip-compressed.
    pub gzip: bool,
    /// The delimiter as a one-character string.
    pub delimiter: String,
    pub line_endings: LineEndings,
    /// The physical line of the header row.
    pub header_line: u64,
    /// Whether the encoding, the delimiter and the header row were detected or given.
    pub encoding_source: Found,
    pub delimiter_source: Found,
    pub header_source: Found,
}

/// How the file's lines end, from the first line end outside quotes in the sample.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineEndings {
    Crlf,
    Lf,
    Cr,
    /// The sample holds no line end (a one-line file).
    None,
}

impl LineEndings {
    /// `crlf`, `lf`, `cr` or `none`, as the summary's JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            LineEndings::Crlf => "crlf",
            LineEndings::Lf => "lf",
            LineEndings::Cr => "cr",
            LineEndings::None => "none",
        }
    }
}

/// Whether a reading choice was detected from the file or given as an override.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    Detected,
    Override,
}

impl Found {
    /// `detected` or `override`, as the summary's JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Found::Detected => "detected",
            Found::Override => "override",
        }
    }
}

/// The encoding a label names (`utf-8`, `utf-16le`, `latin1`, `windows-1252`, ...), or the error
/// that says which labels work: how every surface reads an encoding override.
pub fn charset_for_label(label: &str) -> Result<Charset, ReadError> {
    Charset::for_label(label).ok_or_else(|| ReadError::UnknownEncoding(label.to_owned()))
}

/// Whether `d` can separate fields: tab, or ASCII punctuation other than the quote `"` (a
/// letter, digit, space, quote or line break would split values or records apart).
pub fn check_delimiter(d: u8) -> Result<u8, ReadError> {
    if d == b'\t' || (d.is_ascii_punctuation() && d != b'"') {
        Ok(d)
    } else {
        Err(ReadError::BadDelimiter(char::from(d).to_string()))
    }
}

/// The delimiter a flag or option names: `tab`, `comma`, `semicolon`, `pipe`, `\t`, or the
/// character itself (see [`check_delimiter`]); the one rule every surface applies.
pub fn delimiter_for_label(label: &str) -> Result<u8, ReadError> {
    match label {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        "pipe" => Ok(b'|'),
        _ if label.len() == 1 => check_delimiter(label.as_bytes()[0]),
        _ => Err(ReadError::BadDelimiter(label.to_owned())),
    }
}

/// The encoding: a byte-order mark, else UTF-16 by its zero bytes, else strict UTF-8, else
/// Windows-1252. Returns the encoding and the length of the BOM.
/// For a sample read as Windows-1252: the legacy encoding its accented letters more likely
/// are, when one is. Each byte from 0x80 beside an ASCII lower-case letter is read in
/// Windows-1252, Mac Roman and code page 437; an encoding scores where that byte is a common
/// accented lower-case letter (as one inside a name is). `JosŽ` and `M\u{81}ller` score for
/// Mac Roman and code page 437, `José` for Windows-1252.
pub fn legacy_suspect(sample: &[u8]) -> Option<Charset> {
    const COMMON: &str = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿß";
    let candidates = [Charset::Windows1252, Charset::MacRoman, Charset::Cp437];
    let mut scores = [0usize; 3];
    for (i, &b) in sample.iter().enumerate() {
        if b < 0x80 {
            continue;
        }
        let lower = |j: Option<usize>| {
            j.and_then(|j| sample.get(j))
                .is_some_and(u8::is_ascii_lowercase)
        };
        if !lower(i.checked_sub(1)) && !lower(Some(i + 1)) {
            continue;
        }
        for (score, charset) in scores.iter_mut().zip(candidates) {
            let (c, _) = charset.decode(&[b]);
            if c.chars().next().is_some_and(|c| COMMON.contains(c)) {
                *score += 1;
            }
        }
    }
    let (best, &score) = scores
        .iter()
        .enumerate()
        .max_by_key(|(i, s)| (**s, usize::MAX - i))?;
    (best > 0 && score > scores[0]).then(|| candidates[best])
}

pub fn sniff_encoding(sample: &[u8], complete: bool) -> Result<(Charset, usize), ReadError> {
    if let Some(found) = Charset::for_bom(sample) {
        return Ok(found);
    }
    reject_binary(sample)?;
    let pairs = sample.len() / 2;
    if pairs >= 2 {
        let even_zero = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd_zero = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        if odd_zero * 10 >= pairs * 3 && even_zero * 10 < pairs {
            return Ok((Charset::Utf16Le, 0));
        }
        if even_zero * 10 >= pairs * 3 && odd_zero * 10 < pairs {
            return Ok((Charset::Utf16Be, 0));
        }
    }
    match std::str::from_utf8(sample) {
        Ok(_) => Ok((Charset::Utf8, 0)),
        // A sample cut inside a character is still UTF-8.
        Err(e) if e.error_len().is_none() && !complete => Ok((Charset::Utf8, 0)),
        Err(_) => Ok((Charset::Windows1252, 0)),
    }
}

/// Refuses files that are plainly not text, naming what they look like.
fn reject_binary(sample: &[u8]) -> Result<(), ReadError> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"%PDF-", "a PDF document"),
        (
            b"PK\x03\x04",
            "a ZIP archive (an .xlsx workbook is one: save it as CSV)",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an Excel 97-2003 workbook (save it as CSV)",
        ),
        (b"GIF8", "a GIF image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"\x7FELF", "an executable"),
        (b"BZh", "a bzip2 archive"),
        (b"\xFD7zXZ\x00", "an xz archive"),
        (b"SQLite format 3\x00", "an SQLite database"),
    ];
    for (magic, what) in MAGIC {
        if sample.starts_with(magic) {
            return Err(ReadError::NotText {
                what: (*what).to_owned(),
                offset: 0,
            });
        }
    }
    Ok(())
}

/// After decoding: a sample that is mostly control characters is binary data.
pub fn check_text(sample: &str) -> Result<(), ReadError> {
    let mut total = 0usize;
    let mut control = 0usize;
    let mut first = None;
    for (at, c) in sample.char_indices().take(16 * 1024) {
        total += 1;
        if (c.is_control() && !matches!(c, '\t' | '\r' | '\n')) || c == '\u{fffd}' {
            control += 1;
            first.get_or_insert(at);
        }
    }
    if total >= 16 && control * 10 > total {
        return Err(ReadError::NotText {
            what: "binary data, not text".to_owned(),
            offset: first.unwrap_or(0) as u64,
        });
    }
    Ok(())
}

/// The delimiter whose field counts agree best over the first records, the header included.
/// Decimal commas do not fool it: the header row has none, so `,` disagrees with the rows.
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (b',', -1.0f64);
    for &d in DELIMITERS {
        let counts = field_counts(text, d, 50);
        if counts.is_empty() {
            continue;
        }
        let mode = mode(&counts);
        if mode < 2 {
            continue;
        }
        let agree = counts.iter().filter(|&&c| c == mode).count() as f64 / counts.len() as f64;
        // Agreement first; more columns break ties (a stray `|` in one cell makes few).
        let score = agree * 1000.0 + (mode as f64).min(999.0);
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn field_counts(text: &str, d: u8, max: usize) -> Vec<usize> {
    let mut splitter = RecordSplitter::new(d, Limits::default());
    let mut counts = Vec::new();
    let mut whole = Vec::new();
    splitter.push(text, &mut |r| {
        if !r.is_blank() {
            whole.push(r.field_count);
        }
    });
    // The last record of a sample may be cut: use it only when nothing else ended.
    if whole.is_empty() {
        splitter.finish(&mut |r| whole.push(r.field_count));
    }
    whole.truncate(max);
    counts.extend(whole);
    counts
}

fn mode(counts: &[usize]) -> usize {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let mut best = (0, 0);
    let mut i = 0;
    while i < sorted.len() {
        let j = sorted[i..].iter().take_while(|&&c| c == sorted[i]).count();
        if j > best.1 {
            best = (sorted[i], j);
        }
        i += j;
    }
    best.0
}

/// How lines end, from the first line end in the sample.
pub fn sniff_line_endings(text: &str) -> LineEndings {
    match text.find(['\r', '\n']) {
        None => LineEndings::None,
        Some(at) if text[at..].starts_with("\r\n") => LineEndings::Crlf,
        Some(at) if text[at..].starts_with('\r') => LineEndings::Cr,
        Some(_) => LineEndings::Lf,
    }
}

/// The header row: among the first ten records that are not empty lines, the first that maps
/// at least two columns onto canonical fields by name or alias; else the first that holds
/// names (not all blank, no e-mail address or long number); else the first.
/// A line of delimiters only is a candidate: it is a header of blanks, not a blank line.
pub fn sniff_header_line(text: &str, delimiter: u8) -> u64 {
    let mut splitter = RecordSplitter::new(delimiter, Limits::default());
    // (line, known headers, whether the row is all blank cells or holds values)
    let mut candidates: Vec<(u64, usize, bool)> = Vec::new();
    let mut consider = |r: &crate::records::RawRecord| {
        let empty_line = r.field_count == 1 && r.is_blank();
        if !empty_line && candidates.len() < 10 {
            let headers = r.fields();
            // An e-mail address or a long number is a value, not a column name.
            let data = headers
                .iter()
                .any(|h| h.contains('@') || h.bytes().filter(u8::is_ascii_digit).count() >= 5);
            candidates.push((r.line, Mapping::known_count(&headers), r.is_blank() || data));
        }
    };
    splitter.push(text, &mut consider);
    splitter.finish(&mut consider);
    // A row that maps two fields; else the first row of names (a row of delimiters above the
    // real header is not the header, nor is a data row under a header of blanks); else the
    // first row.
    candidates
        .iter()
        .find(|(_, m, _)| *m >= 2)
        .or_else(|| candidates.iter().find(|(_, _, blank)| !blank))
        .or(candidates.first())
        .map_or(1, |(l, _, _)| *l)
}
