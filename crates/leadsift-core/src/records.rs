//! An incremental, quote-aware record splitter over UTF-8 text.
//!
//! Bytes are pushed in chunks of any size; a record comes out when its line ends. Chunk
//! boundaries inside a quoted field, a quoted newline or a CRLF change nothing. Memory per
//! record is bounded by [`Limits`]: content past a limit is counted, flagged and dropped.

use crate::word;

/// Bounds that keep memory flat and turn oversized input into issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    pub max_field_bytes: usize,
    pub max_columns: usize,
    pub max_record_bytes: usize,
    /// The most bytes a gzip input may inflate to (a gzip bomb is refused, not read).
    #[serde(default = "default_inflated")]
    pub max_inflated_bytes: u64,
    /// The most a gzip input may inflate per compressed byte, checked once it has inflated
    /// past [`RATIO_FLOOR`] bytes (real exports inflate 5 to 30 times; a bomb, a thousand).
    #[serde(default = "default_ratio")]
    pub max_inflation_ratio: u64,
}

/// Inflated bytes below which the ratio is not checked (a small file's header alone can
/// compress very well).
pub const RATIO_FLOOR: u64 = 4 << 20;

fn default_inflated() -> u64 {
    Limits::default().max_inflated_bytes
}

fn default_ratio() -> u64 {
    Limits::default().max_inflation_ratio
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_field_bytes: 1 << 20,
            max_columns: 1000,
            max_record_bytes: 8 << 20,
            max_inflated_bytes: 16 << 30,
            max_inflation_ratio: 200,
        }
    }
}

/// One record as split from the text, before mapping, lent to the splitter's caller: its
/// fields lie in the chunk being split where they stood whole in it (no copy), else in the
/// splitter's buffer.
#[derive(Debug, Clone, Copy)]
pub struct RawRecord<'a> {
    /// The physical line (1-based) the record starts on.
    pub line: u64,
    /// Fields seen, including those past `max_columns` that were not kept.
    pub field_count: usize,
    /// The first field (zero-based) over `max_field_bytes`, and its size in bytes.
    pub oversized_field: Option<(usize, usize)>,
    /// The record's size when it went over `max_record_bytes`.
    pub oversized_record: Option<usize>,
    /// Set when the file ended inside a quoted field that opened on this line.
    pub unterminated_quote: Option<u64>,
    buf: &'a str,
    chunk: &'a str,
    spans: &'a [Span],
}

impl<'a> RawRecord<'a> {
    /// The kept fields as text.
    pub fn fields(&self) -> Vec<&'a str> {
        let mut out = Vec::with_capacity(self.spans.len());
        self.fields_into(&mut out);
        out
    }

    /// The kept fields as text, appended to `out` (a caller's buffer, used again record after
    /// record).
    pub fn fields_into(&self, out: &mut Vec<&'a str>) {
        out.extend(self.spans.iter().map(|s| self.text_of(*s)));
    }

    /// A field's text. Every span starts and ends where a field did in the text, between two
    /// characters (a limit cuts only between characters), so the slice never fails.
    #[inline]
    fn text_of(&self, span: Span) -> &'a str {
        let from = if span.lent { self.chunk } else { self.buf };
        from.get(span.start..span.end).unwrap_or_default()
    }

    /// Whether every field is empty (a blank line, or a line of delimiters only).
    pub fn is_blank(&self) -> bool {
        self.spans
            .iter()
            .all(|s| self.text_of(*s).bytes().all(|b| b.is_ascii_whitespace()))
            && self.oversized_field.is_none()
            && self.oversized_record.is_none()
            && self.unterminated_quote.is_none()
    }
}

/// Where a kept field lies: `start..end` of the chunk being split (`lent`), or of the
/// splitter's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    lent: bool,
}

/// The record being read.
#[derive(Debug, Default)]
struct Pending {
    line: u64,
    /// The fields not lent from the chunk, one after another.
    buf: String,
    spans: Vec<Span>,
    field_count: usize,
    oversized_field: Option<(usize, usize)>,
    oversized_record: Option<usize>,
    unterminated_quote: Option<u64>,
}

impl Pending {
    fn lent<'a>(&'a self, chunk: &'a str) -> RawRecord<'a> {
        RawRecord {
            line: self.line,
            field_count: self.field_count,
            oversized_field: self.oversized_field,
            oversized_record: self.oversized_record,
            unterminated_quote: self.unterminated_quote,
            buf: &self.buf,
            chunk,
            spans: &self.spans,
        }
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.spans.clear();
        self.field_count = 0;
        self.oversized_field = None;
        self.oversized_record = None;
        self.unterminated_quote = None;
    }

    /// Copies the fields lent from `chunk` into the buffer, before the chunk goes: the bytes
    /// from `partial_from` on (a field still being read) stay last.
    fn keep_lent(&mut self, chunk: &str, partial_from: usize) -> usize {
        if !self.spans.iter().any(|s| s.lent) {
            return partial_from;
        }
        let partial = self.buf.split_off(partial_from);
        for span in self.spans.iter_mut().filter(|s| s.lent) {
            let start = self.buf.len();
            self.buf
                .push_str(chunk.get(span.start..span.end).unwrap_or_default());
            *span = Span {
                start,
                end: self.buf.len(),
                lent: false,
            };
        }
        let at = self.buf.len();
        self.buf.push_str(&partial);
        at
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// Inside an unquoted field.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: `""` or the end of the quotes.
    QuoteInQuoted,
}

/// Line ends in quoted text: each LF, and each CR not followed by an LF.
fn count_line_ends(chunk: &[u8], prev_cr: bool) -> u64 {
    // Most quoted text (a user agent, a list with commas) holds none: found so by a vector
    // search, where the count below reads a byte at a time.
    if memchr::memchr2(b'\n', b'\r', chunk).is_none() {
        return 0;
    }
    let mut n = 0;
    let mut cr = prev_cr;
    for &b in chunk {
        match b {
            b'\n' if cr => cr = false,
            b'\n' => n += 1,
            b'\r' => {
                n += 1;
                cr = true;
            }
            _ => cr = false,
        }
    }
    n
}

/// Splits UTF-8 text into records.
#[derive(Debug)]
pub struct RecordSplitter {
    delimiter: u8,
    limits: Limits,
    state: State,
    record: Pending,
    field_start: usize,
    field_bytes: usize,
    record_bytes: usize,
    line: u64,
    prev_cr: bool,
    quote_line: u64,
    /// Whether the last byte inside the current quoted run was a CR (a CRLF split by a chunk).
    prev_cr_in_quotes: bool,
    /// Whether anything (even an empty field) has been read for the current record.
    started: bool,
}

impl RecordSplitter {
    pub fn new(delimiter: u8, limits: Limits) -> Self {
        RecordSplitter {
            delimiter,
            limits,
            state: State::FieldStart,
            record: Pending {
                line: 1,
                ..Pending::default()
            },
            field_start: 0,
            field_bytes: 0,
            record_bytes: 0,
            line: 1,
            prev_cr: false,
            quote_line: 0,
            prev_cr_in_quotes: false,
            started: false,
        }
    }

    /// Appends field content, keeping within the limits: what is past one is counted, not kept.
    #[inline]
    fn push_slice(&mut self, bytes: &str) {
        self.field_bytes += bytes.len();
        self.record_bytes += bytes.len();
        if self.within_limits() {
            self.record.buf.push_str(bytes);
        } else {
            self.push_slice_past_a_limit(bytes);
        }
    }

    /// Whether the bytes counted so far are all kept.
    #[inline]
    fn within_limits(&self) -> bool {
        self.record.oversized_record.is_none()
            && self.record.spans.len() < self.limits.max_columns
            && self.record_bytes <= self.limits.max_record_bytes
            && self.field_bytes <= self.limits.max_field_bytes
    }

    /// Ends a field that is `text[start..end]`, whole in the chunk and with nothing of it in
    /// the buffer: lent when it is kept whole, else copied as any field is.
    #[inline(always)]
    fn end_lent_field(&mut self, text: &str, start: usize, end: usize) {
        self.field_bytes += end - start;
        self.record_bytes += end - start;
        if self.within_limits() {
            self.record.spans.push(Span {
                start,
                end,
                lent: true,
            });
            self.record.field_count += 1;
            self.field_bytes = 0;
            self.state = State::FieldStart;
        } else {
            // Counted again by the copy.
            self.field_bytes -= end - start;
            self.record_bytes -= end - start;
            self.push_slice(text.get(start..end).unwrap_or_default());
            self.end_field();
        }
    }

    /// [`RecordSplitter::push_slice`] once a limit is reached: the text is cut or dropped, and
    /// the record says so. Decided as if the bytes came one at a time, so that where the chunks
    /// end changes nothing: the bytes before the first limit they cross are kept (cut between
    /// characters), and that limit is flagged (the record's stops the record).
    #[cold]
    fn push_slice_past_a_limit(&mut self, bytes: &str) {
        if self.record.oversized_record.is_some()
            || self.record.spans.len() >= self.limits.max_columns
        {
            return;
        }
        let len = bytes.len();
        // How many of these bytes each limit lets in.
        let field_room = self
            .limits
            .max_field_bytes
            .saturating_sub(self.field_bytes - len);
        let record_room = self
            .limits
            .max_record_bytes
            .saturating_sub(self.record_bytes - len);
        let mut cut = len.min(field_room).min(record_room);
        while !bytes.is_char_boundary(cut) {
            cut -= 1;
        }
        self.record.buf.push_str(&bytes[..cut]);
        if field_room < len && field_room < record_room && self.record.oversized_field.is_none() {
            self.record.oversized_field = Some((self.record.field_count, self.field_bytes));
        }
        if record_room < len {
            self.record.oversized_record = Some(self.record_bytes);
        }
    }

    fn end_field(&mut self) {
        if let Some((col, size)) = &mut self.record.oversized_field
            && *col == self.record.field_count
        {
            *size = self.field_bytes;
        }
        if let Some(size) = &mut self.record.oversized_record {
            *size = self.record_bytes;
        }
        if self.record.spans.len() < self.limits.max_columns {
            self.record.spans.push(Span {
                start: self.field_start,
                end: self.record.buf.len(),
                lent: false,
            });
        }
        self.record.field_count += 1;
        self.field_start = self.record.buf.len();
        self.field_bytes = 0;
        self.state = State::FieldStart;
    }

    /// Ends the record after its last field (ended by the caller), lending it to `emit`.
    fn end_record(&mut self, chunk: &str, emit: &mut dyn FnMut(&RawRecord)) {
        emit(&self.record.lent(chunk));
        self.record.clear();
        self.record_bytes = 0;
        self.started = false;
        self.field_start = 0;
    }

    /// Splits `text`; `emit` is called for every record that ends inside it. A chunk may end
    /// anywhere but inside a character.
    pub fn push(&mut self, text: &str, emit: &mut impl FnMut(&RawRecord)) {
        self.split(text, emit);
    }

    /// [`RecordSplitter::push`], made once whoever calls it (a call through `emit` a record
    /// costs nothing measurable; a copy of the splitter for each caller costs the app's size).
    fn split(&mut self, text: &str, emit: &mut dyn FnMut(&RawRecord)) {
        let d = self.delimiter;
        // Every position the loop stops at is at an ASCII byte (a quote, the delimiter, a line
        // end) or the end, so every slice taken below lies between characters.
        let slice = |from: usize, to: usize| text.get(from..to).unwrap_or_default();
        let text_bytes = text.as_bytes();
        let mut i = 0;
        while i < text.len() {
            let b = text_bytes[i];
            if self.prev_cr {
                self.prev_cr = false;
                if b == b'\n' {
                    i += 1;
                    if self.state == State::Quoted {
                        self.push_slice("\n");
                    }
                    continue;
                }
            }
            if !self.started {
                self.started = true;
                self.record.line = self.line;
            }
            match self.state {
                State::FieldStart | State::Unquoted => {
                    if b == b'"' && self.state == State::FieldStart {
                        i += 1;
                        self.quote_line = self.line;
                        self.prev_cr_in_quotes = false;
                        if let Some(next) = self.lend_quoted(text, i, emit) {
                            i = next;
                        } else {
                            self.state = State::Quoted;
                        }
                        continue;
                    }
                    // The rest of an unquoted field, up to a delimiter or a line end, in one go,
                    // and that delimiter or line end at once.
                    let Some(n) = field_end(d, &text_bytes[i..]) else {
                        self.state = State::Unquoted;
                        self.push_slice(slice(i, text.len()));
                        break;
                    };
                    // A field that starts here lies whole in the chunk: lent, not copied.
                    if self.state == State::FieldStart {
                        self.end_lent_field(text, i, i + n);
                    } else {
                        if n > 0 {
                            self.push_slice(slice(i, i + n));
                        }
                        self.end_field();
                    }
                    let b = text_bytes[i + n];
                    i += n + 1;
                    if b != d {
                        self.prev_cr = b == b'\r';
                        self.line += 1;
                        self.end_record(text, emit);
                    }
                }
                State::Quoted => {
                    let end = memchr::memchr(b'"', &text_bytes[i..]).map_or(text.len(), |n| i + n);
                    let chunk = slice(i, end);
                    self.count_quoted_lines(chunk);
                    self.push_slice(chunk);
                    i = end;
                    if end < text.len() {
                        self.state = State::QuoteInQuoted;
                        i += 1;
                    }
                }
                State::QuoteInQuoted => {
                    if !matches!(b, b'"' | b'\n' | b'\r') && b != d {
                        // `"abc"def`: text after the closing quote belongs to the field, read
                        // as an unquoted field's rest.
                        self.state = State::Unquoted;
                        continue;
                    }
                    i += 1;
                    if b == b'"' {
                        self.push_slice("\"");
                        self.state = State::Quoted;
                        self.prev_cr_in_quotes = false;
                    } else if b == d {
                        self.end_field();
                    } else {
                        self.prev_cr = b == b'\r';
                        self.line += 1;
                        self.end_field();
                        self.end_record(text, emit);
                    }
                }
            }
        }
        // The chunk goes: what the record being read holds of it is copied.
        if self.started {
            self.field_start = self.record.keep_lent(text, self.field_start);
        }
    }

    /// A quoted field whose text starts at `from` (just past its opening quote), lent when it
    /// lies whole in the chunk with no quote inside and a delimiter or a line end right after
    /// its closing quote (nearly every quoted field); the position past that delimiter or line
    /// end. `None`, with nothing read, for any other: the quoted states read it.
    #[inline]
    fn lend_quoted(
        &mut self,
        text: &str,
        from: usize,
        emit: &mut dyn FnMut(&RawRecord),
    ) -> Option<usize> {
        let bytes = text.as_bytes();
        let close = from + memchr::memchr(b'"', bytes.get(from..)?)?;
        let after = *bytes.get(close + 1)?;
        if after != self.delimiter && after != b'\n' && after != b'\r' {
            return None;
        }
        self.count_quoted_lines(text.get(from..close).unwrap_or_default());
        self.end_lent_field(text, from, close);
        if after != self.delimiter {
            self.prev_cr = after == b'\r';
            self.line += 1;
            self.end_record(text, emit);
        }
        Some(close + 2)
    }

    /// Counts the line ends in quoted text (a CRLF split by a chunk once).
    fn count_quoted_lines(&mut self, quoted: &str) {
        self.line += count_line_ends(quoted.as_bytes(), self.prev_cr_in_quotes);
        self.prev_cr_in_quotes = quoted
            .as_bytes()
            .last()
            .map_or(self.prev_cr_in_quotes, |&l| l == b'\r');
    }

    /// Ends the text: a last record without a line end is emitted, flagged when a quote is open.
    pub fn finish(&mut self, emit: &mut impl FnMut(&RawRecord)) {
        if !self.started {
            return;
        }
        if self.state == State::Quoted {
            self.record.unterminated_quote = Some(self.quote_line);
        }
        self.end_field();
        // Every lent field was copied when its chunk ended.
        self.end_record("", emit);
    }
}

/// Where an unquoted field's text ends: the first delimiter or line end, eight bytes at a time
/// (fields are 15 bytes on average: `memchr3`'s setup cost more than its vectors saved, the
/// splitter took 20 % longer natively with it, and in wasm without SIMD it falls back to 4-byte
/// words, 16 % of validation's time under Node).
fn field_end(delimiter: u8, bytes: &[u8]) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    for (at, eight) in (0..).step_by(8).zip(&mut words) {
        let w = word::read(eight.try_into().unwrap_or(&[0; 8]));
        let marks = word::equal(w, delimiter) | word::equal(w, b'\n') | word::equal(w, b'\r');
        if marks != 0 {
            return Some(at + word::first(marks));
        }
    }
    let rest = words.remainder();
    let at = bytes.len() - rest.len();
    rest.iter()
        .position(|&b| b == delimiter || b == b'\n' || b == b'\r')
        .map(|n| at + n)
}

#[cfg(test)]
mod tests;
