//! The worker's row store: every validated record, kept compressed so a million rows fit.
//!
//! A row is not kept: its record is (the cells exactly as read, its number and line, what
//! reading found), in a compact binary form, packed into blocks of
//! [`BLOCK_ROWS`] records, each block compressed on its own (LZ4: deflate took as long as
//! validating; LZ4 a tenth of that, for blocks about twice as large), once the worker is idle
//! or when the blocks left raw pass [`RAW_BUDGET`]. A page or a batch inflates only the
//! blocks it touches (the last few stay inflated) and the core's [`Replayer`] makes their rows
//! again, equal to the first. What may change without the cells changing is kept beside the
//! blocks, per row: its [`Brief`] (its issues by code and column, its lead key's hash: what a
//! remap in brief, [`leadsift_core::Restand`], makes the row's standing again from) and the
//! [`Facts`] drawn from it (the status, the line it replaces, bits of its issue codes and
//! columns), both set again after a remap or an edit, with the person's edits (the cells' new
//! text, applied when the row is made); the facts (and a class after a comparison) answer
//! the grid's filters without inflating anything.
//!
//! [`Replayer`]: leadsift_core::Replayer

use std::collections::BTreeMap;

use leadsift_core::reconcile::Class;
use leadsift_core::{Brief, Cells, IssueCode, ReadFacts, Replayer, Row, RowStatus, Standing};

/// Rows per compressed block.
pub const BLOCK_ROWS: usize = 1024;
/// Bytes of sealed blocks left uncompressed while rows arrive: compressing is then left for
/// when the worker is idle ([`RowStore::compress_some`]), so a file's rows are ready sooner
/// (LZ4 cost 30 to 40 % of validation's time in Chromium). Past it, the oldest are compressed
/// as rows arrive, which bounds the memory a big file takes.
pub const RAW_BUDGET: usize = 64 << 20;
/// Inflated blocks kept for scrolling back and forth.
const CACHED_BLOCKS: usize = 4;

/// The grid's row filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Rejected,
    Warning,
    /// Rows with at least one issue: warnings and rejections.
    Issues,
    /// Rows that a comparison with the delivered leads put in this class.
    Class(Class),
    /// Rows with an issue of this code.
    Code(IssueCode),
    /// Rows with an issue in this column (zero-based; the first 64 columns).
    Column(u8),
    /// Rows a person edited.
    Edited,
}

impl Filter {
    /// `all`, `rejected`, `warning`, `issues`, `edited`, `class:<class>` (`class:differs`),
    /// `code:<issue code>` (`code:invalid_phone`) or `column:<index>` (`column:3`).
    pub fn parse(name: &str) -> Filter {
        let (kind, arg) = name.split_once(':').unwrap_or((name, ""));
        let found = match kind {
            "rejected" => Some(Filter::Rejected),
            "warning" => Some(Filter::Warning),
            "issues" => Some(Filter::Issues),
            "edited" => Some(Filter::Edited),
            "class" => Class::ALL
                .into_iter()
                .find(|k| k.as_str() == arg)
                .map(Filter::Class),
            "code" => IssueCode::ALL
                .iter()
                .find(|c| c.as_str() == arg)
                .map(|c| Filter::Code(*c)),
            "column" => arg
                .parse::<u8>()
                .ok()
                .filter(|&c| c < 64)
                .map(Filter::Column),
            _ => None,
        };
        found.unwrap_or(Filter::All)
    }

    fn admits(self, facts: &Facts, class: Option<Class>, edited: bool) -> bool {
        match self {
            Filter::All => true,
            Filter::Rejected => facts.status == REJECTED,
            Filter::Warning => facts.status == WARNING,
            Filter::Issues => facts.status != VALID,
            Filter::Class(c) => class == Some(c),
            Filter::Code(c) => facts.codes & code_bit(c) != 0,
            Filter::Column(c) => facts.columns & (1u64 << c) != 0,
            Filter::Edited => edited,
        }
    }
}

fn code_bit(code: IssueCode) -> u32 {
    IssueCode::ALL
        .iter()
        .position(|c| *c == code)
        .map_or(0, |i| 1u32 << (i % 32))
}

/// What the grid filters by, per row, drawn from its standing: set when the row is stored,
/// and again when a remap or an edit makes it anew.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    pub status: u8,
    /// The line of the earlier row this one replaces, plus one; 0 for none.
    replaces: u32,
    /// One bit per issue code ([`IssueCode::ALL`]'s order).
    codes: u32,
    /// One bit per column (the first 64) that an issue names.
    columns: u64,
}

impl Facts {
    /// The facts of a row that stands so.
    pub fn of(standing: &Standing) -> Facts {
        let mut codes = 0;
        let mut columns = 0u64;
        for i in &standing.brief.issues {
            codes |= code_bit(i.code);
            if let Some(c) = i.column.filter(|&c| c < 64) {
                columns |= 1 << c;
            }
        }
        Facts {
            status: match standing.status {
                RowStatus::Valid => VALID,
                RowStatus::Warning => WARNING,
                RowStatus::Rejected => REJECTED,
            },
            replaces: standing
                .replaces_line
                .map_or(0, |l| u32::try_from(l + 1).unwrap_or(u32::MAX)),
            codes,
            columns,
        }
    }

    pub fn replaces_line(&self) -> Option<u64> {
        self.replaces.checked_sub(1).map(u64::from)
    }
}

pub const VALID: u8 = 0;
pub const WARNING: u8 = 1;
pub const REJECTED: u8 = 2;

/// One kept record: what its row is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub record: u64,
    pub line: u64,
    /// From the row's [`Facts`] (not in the record's bytes: a remap or an edit changes it).
    pub replaces_line: Option<u64>,
    pub read: ReadFacts,
    pub cells: Cells,
    /// The person's edits of this record's cells: column (zero-based) and new text.
    pub edits: Vec<(usize, String)>,
}

impl Kept {
    /// Column `column`'s text as it now stands: the person's last edit, else as read.
    pub fn text(&self, column: usize) -> Option<String> {
        match self.edits.iter().rev().find(|(c, _)| *c == column) {
            Some((_, t)) => Some(t.clone()),
            None => self.cells.get().get(column).map(|c| (*c).to_owned()),
        }
    }

    /// Reads one record from `input`, advancing it; `None` when the bytes are not a record.
    fn decode(input: &mut &[u8]) -> Option<Kept> {
        let record = read_varint(input)?;
        let line = read_varint(input)?;
        let field_count = usize::try_from(read_varint(input)?).ok()?;
        let (&flags, rest) = input.split_first()?;
        *input = rest;
        let size = |input: &mut &[u8]| usize::try_from(read_varint(input)?).ok();
        let oversized_field = if flags & 1 != 0 {
            Some((size(input)?, size(input)?))
        } else {
            None
        };
        let oversized_record = if flags & 2 != 0 {
            Some(size(input)?)
        } else {
            None
        };
        let unterminated_quote = if flags & 4 != 0 {
            Some(read_varint(input)?)
        } else {
            None
        };
        let n = size(input)?;
        let ends = (0..n)
            .map(|_| u32::try_from(read_varint(input)?).ok())
            .collect::<Option<Vec<u32>>>()?;
        let len = size(input)?;
        let text = input.get(..len)?;
        *input = &input[len..];
        let cells = Cells::from_parts(String::from_utf8(text.to_vec()).ok()?, ends)?;
        Some(Kept {
            record,
            line,
            replaces_line: None,
            read: ReadFacts {
                field_count,
                oversized_field,
                oversized_record,
                unterminated_quote,
                replaced: flags & 8 != 0,
            },
            cells,
            edits: Vec::new(),
        })
    }
}

/// LEB128: seven bits a byte, low first.
fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_varint(input: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = input.split_first()?;
        *input = rest;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

#[derive(Debug)]
pub struct RowStore {
    blocks: Vec<Block>,
    /// Blocks sealed and not yet compressed, oldest first, and their bytes.
    raw: std::collections::VecDeque<usize>,
    raw_bytes: usize,
    /// [`RAW_BUDGET`], but for tests.
    raw_budget: usize,
    /// Records of the block being filled, in their binary form.
    open: Vec<u8>,
    open_rows: usize,
    facts: Vec<Facts>,
    /// Each row's brief, beside its facts.
    briefs: Vec<Brief>,
    /// The person's edits, by row position: column and new text, in the order made.
    edits: BTreeMap<usize, Vec<(usize, String)>>,
    /// Each row's class from a comparison with the delivered leads (empty until one ran).
    classes: Vec<Option<Class>>,
    cache: Vec<(usize, Vec<Kept>)>,
    /// Row positions per filter, built on first use.
    views: Vec<(Filter, Vec<u32>)>,
    compressed_bytes: usize,
}

impl Default for RowStore {
    fn default() -> RowStore {
        RowStore::new()
    }
}

impl RowStore {
    pub fn new() -> RowStore {
        RowStore {
            blocks: Vec::new(),
            raw: std::collections::VecDeque::new(),
            raw_bytes: 0,
            raw_budget: RAW_BUDGET,
            open: Vec::new(),
            open_rows: 0,
            facts: Vec::new(),
            briefs: Vec::new(),
            edits: BTreeMap::new(),
            classes: Vec::new(),
            cache: Vec::new(),
            views: Vec::new(),
            compressed_bytes: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// Bytes held: the blocks (compressed or not yet) plus the open block, the facts and the
    /// briefs.
    pub fn memory(&self) -> usize {
        let issues: usize = self.briefs.iter().map(|b| b.issues.len()).sum();
        self.compressed_bytes
            + self.raw_bytes
            + self.open.len()
            + self.facts.len() * (size_of::<Facts>() + size_of::<Brief>())
            + issues * size_of::<leadsift_core::BriefIssue>()
    }

    /// Keeps record `record` on `line` (its reading facts and cells exactly as read) with its
    /// standing; a row lent by the validator passes its own (`Options::keep_cells`).
    pub fn push(
        &mut self,
        standing: Standing,
        record: u64,
        line: u64,
        read: &ReadFacts,
        cells: &Cells,
    ) {
        encode(record, line, read, cells, &mut self.open);
        self.open_rows += 1;
        self.facts.push(Facts::of(&standing));
        self.briefs.push(standing.brief);
        self.views.clear();
        if self.open_rows == BLOCK_ROWS {
            self.seal();
        }
    }

    /// Keeps a row the validator lent (`Validator::push_each` with `Options::keep_cells`): its
    /// record and its standing.
    pub fn keep_lent(&mut self, replayer: &Replayer, row: &Row) {
        let none = Cells::default();
        let cells = row.cells.as_ref().unwrap_or(&none);
        self.push(
            replayer.standing(row),
            row.record,
            row.line,
            &row.read,
            cells,
        );
    }

    fn seal(&mut self) {
        let block = std::mem::take(&mut self.open);
        self.open = Vec::with_capacity(block.len());
        self.raw_bytes += block.len();
        self.raw.push_back(self.blocks.len());
        self.blocks.push(Block::Raw(block));
        self.open_rows = 0;
        while self.raw_bytes > self.raw_budget && self.compress_some(1) {}
    }

    /// Compresses up to `n` of the blocks left uncompressed, oldest first; whether some remain.
    pub fn compress_some(&mut self, n: usize) -> bool {
        for _ in 0..n {
            let Some(at) = self.raw.pop_front() else {
                return false;
            };
            if let Some(block) = self.blocks.get_mut(at)
                && let Block::Raw(bytes) = block
            {
                let packed = lz4_flex::compress_prepend_size(bytes);
                self.raw_bytes -= bytes.len();
                self.compressed_bytes += packed.len();
                *block = Block::Lz4(packed);
            }
        }
        !self.raw.is_empty()
    }

    /// Row `i`'s standing, made again (a remap, an edit).
    pub fn set_standing(&mut self, i: usize, standing: Standing) {
        let facts = Facts::of(&standing);
        if let Some(b) = self.briefs.get_mut(i) {
            *b = standing.brief;
        }
        if let Some(f) = self.facts.get_mut(i)
            && *f != facts
        {
            *f = facts;
            self.views
                .retain(|(f, _)| matches!(f, Filter::Class(_) | Filter::Edited));
        }
    }

    pub fn facts(&self, i: usize) -> Option<Facts> {
        self.facts.get(i).copied()
    }

    pub fn brief(&self, i: usize) -> Option<&Brief> {
        self.briefs.get(i)
    }

    /// Sets column `column` of row `i` to `text` (a later edit of the cell replaces an
    /// earlier one); false when there is no such row.
    pub fn edit(&mut self, i: usize, column: usize, text: String) -> bool {
        if i >= self.len() {
            return false;
        }
        let edits = self.edits.entry(i).or_default();
        edits.retain(|(c, _)| *c != column);
        edits.push((column, text));
        self.views.retain(|(f, _)| *f != Filter::Edited);
        true
    }

    /// Every edit, by row position.
    pub fn edits(&self) -> &BTreeMap<usize, Vec<(usize, String)>> {
        &self.edits
    }

    /// Forgets every edit.
    pub fn clear_edits(&mut self) {
        self.edits.clear();
        self.views.retain(|(f, _)| *f != Filter::Edited);
    }

    /// Records that a comparison put row `i` in `class`.
    pub fn set_class(&mut self, i: usize, class: Class) {
        if i >= self.len() {
            return;
        }
        if self.classes.len() < self.len() {
            self.classes.resize(self.len(), None);
        }
        self.classes[i] = Some(class);
        self.views.retain(|(f, _)| !matches!(f, Filter::Class(_)));
    }

    /// Forgets every row's class (a comparison starts again).
    pub fn clear_classes(&mut self) {
        self.classes.clear();
        self.views.retain(|(f, _)| !matches!(f, Filter::Class(_)));
    }

    /// How many rows pass `filter`.
    pub fn count(&mut self, filter: Filter) -> usize {
        match filter {
            Filter::All => self.len(),
            f => self.view(f).len(),
        }
    }

    fn view(&mut self, filter: Filter) -> &[u32] {
        if let Some(i) = self.views.iter().position(|(f, _)| *f == filter) {
            return &self.views[i].1;
        }
        let rows: Vec<u32> = (0..self.facts.len() as u32)
            .filter(|&i| {
                let class = self.classes.get(i as usize).copied().flatten();
                let edited = self.edits.contains_key(&(i as usize));
                filter.admits(&self.facts[i as usize], class, edited)
            })
            .collect();
        self.views.push((filter, rows));
        &self.views[self.views.len() - 1].1
    }

    /// Up to `count` records passing `filter`, from the `from`-th such row on.
    pub fn page(&mut self, filter: Filter, from: usize, count: usize) -> Vec<Kept> {
        let positions = self.positions(filter, from, count);
        self.many(positions)
    }

    /// The records at `positions` (from [`RowStore::positions`]), as they now stand.
    pub fn at(&mut self, positions: &[usize]) -> Vec<Kept> {
        self.many(positions.to_vec())
    }

    /// The positions of up to `count` rows passing `filter`, from the `from`-th such row on.
    pub fn positions(&mut self, filter: Filter, from: usize, count: usize) -> Vec<usize> {
        match filter {
            Filter::All => (from..(from + count).min(self.len())).collect(),
            f => {
                let view = self.view(f);
                view.iter()
                    .skip(from)
                    .take(count)
                    .map(|&i| i as usize)
                    .collect()
            }
        }
    }

    /// Records `from..to` in file order (clipped to what is stored).
    pub fn range(&mut self, from: usize, to: usize) -> Vec<Kept> {
        self.many((from..to.min(self.len())).collect())
    }

    fn many(&mut self, positions: Vec<usize>) -> Vec<Kept> {
        let mut open: Option<Vec<Kept>> = None;
        let mut out = Vec::with_capacity(positions.len());
        for i in positions {
            let (block, offset) = (i / BLOCK_ROWS, i % BLOCK_ROWS);
            let found = if block == self.blocks.len() {
                open.get_or_insert_with(|| decode_block(&self.open))
                    .get(offset)
                    .cloned()
                    .map(|k| self.completed(i, k))
            } else {
                self.get(i)
            };
            out.extend(found);
        }
        out
    }

    /// Hands each record `from..to` to `f` in file order with its position, as it now stands,
    /// a block inflated at a time and nothing copied out of it (a remap, a download: every
    /// row once, so no block is cached either).
    pub fn visit(&mut self, from: usize, to: usize, mut f: impl FnMut(usize, Kept)) {
        self.visit_briefly(from, to, |i, k, _| f(i, k));
    }

    /// [`RowStore::visit`], each record with its row's brief (a remap in brief).
    pub fn visit_briefly(
        &mut self,
        from: usize,
        to: usize,
        mut f: impl FnMut(usize, Kept, &Brief),
    ) {
        let to = to.min(self.len());
        let mut i = from;
        while i < to {
            let block = i / BLOCK_ROWS;
            let rows = if block == self.blocks.len() {
                decode_block(&self.open)
            } else if let Some((_, rows)) = self.cache.iter().find(|(b, _)| *b == block) {
                rows.clone()
            } else {
                match self.blocks.get(block).and_then(Block::rows) {
                    Some(rows) => rows,
                    None => return,
                }
            };
            let first = block * BLOCK_ROWS;
            let end = (first + BLOCK_ROWS).min(to);
            for (j, k) in rows.into_iter().enumerate().skip(i - first).take(end - i) {
                let brief = &self.briefs[first + j];
                f(first + j, self.completed(first + j, k), brief);
            }
            i = end;
        }
    }

    /// `kept` as row `i` now stands: the line it replaces, and the person's edits.
    fn completed(&self, i: usize, mut kept: Kept) -> Kept {
        kept.replaces_line = self.facts.get(i).and_then(Facts::replaces_line);
        kept.edits = self.edits.get(&i).cloned().unwrap_or_default();
        kept
    }

    pub fn get(&mut self, i: usize) -> Option<Kept> {
        let found = self.get_as_read(i)?;
        Some(self.completed(i, found))
    }

    fn get_as_read(&mut self, i: usize) -> Option<Kept> {
        let (block, offset) = (i / BLOCK_ROWS, i % BLOCK_ROWS);
        if block == self.blocks.len() {
            return decode_block(&self.open).into_iter().nth(offset);
        }
        if let Some((_, rows)) = self.cache.iter().find(|(b, _)| *b == block) {
            return rows.get(offset).cloned();
        }
        let rows = self.blocks.get(block)?.rows()?;
        let found = rows.get(offset).cloned();
        if self.cache.len() == CACHED_BLOCKS {
            self.cache.remove(0);
        }
        self.cache.push((block, rows));
        found
    }
}

/// A sealed block of records: compressed, or not yet ([`RAW_BUDGET`]).
#[derive(Debug)]
enum Block {
    Raw(Vec<u8>),
    Lz4(Vec<u8>),
}

impl Block {
    fn rows(&self) -> Option<Vec<Kept>> {
        match self {
            Block::Raw(bytes) => Some(decode_block(bytes)),
            Block::Lz4(packed) => Some(decode_block(
                &lz4_flex::decompress_size_prepended(packed).ok()?,
            )),
        }
    }
}

/// Every record of a block, until the bytes end (or stop being records).
fn decode_block(mut bytes: &[u8]) -> Vec<Kept> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        match Kept::decode(&mut bytes) {
            Some(k) => out.push(k),
            None => break,
        }
    }
    out
}

/// A record in the block's binary form, appended to `out`: its number, line, reading facts and
/// cells (a person's edits are kept apart, and the standing in [`Facts`]).
fn encode(record: u64, line: u64, r: &ReadFacts, cells: &Cells, out: &mut Vec<u8>) {
    varint(out, record);
    varint(out, line);
    varint(out, r.field_count as u64);
    let flags = u8::from(r.oversized_field.is_some())
        | u8::from(r.oversized_record.is_some()) << 1
        | u8::from(r.unterminated_quote.is_some()) << 2
        | u8::from(r.replaced) << 3;
    out.push(flags);
    if let Some((column, size)) = r.oversized_field {
        varint(out, column as u64);
        varint(out, size as u64);
    }
    if let Some(size) = r.oversized_record {
        varint(out, size as u64);
    }
    if let Some(line) = r.unterminated_quote {
        varint(out, line);
    }
    let ends = cells.ends();
    varint(out, ends.len() as u64);
    for &end in ends {
        varint(out, u64::from(end));
    }
    let text = cells.text().as_bytes();
    varint(out, text.len() as u64);
    out.extend_from_slice(text);
}

#[cfg(test)]
mod tests;
