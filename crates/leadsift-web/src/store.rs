//! The worker's row store: every validated row, kept compressed so a million rows fit.
//!
//! Rows arrive as the core's JSON (`Row` without `raw`) plus their raw cells as a JSON array.
//! They are packed into blocks of [`BLOCK_ROWS`] rows, each block deflated on its own; a page
//! or a batch inflates only the blocks it touches (the last few stay inflated). A status byte
//! per row answers the grid's filters without inflating anything.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use leadsift_core::reconcile::Class;

/// Rows per compressed block.
pub const BLOCK_ROWS: usize = 1024;
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
}

impl Filter {
    /// `all`, `rejected`, `warning`, `issues`, or `class:<class>` (`class:differs`).
    pub fn parse(name: &str) -> Filter {
        match name {
            "rejected" => Filter::Rejected,
            "warning" => Filter::Warning,
            "issues" => Filter::Issues,
            _ => name
                .strip_prefix("class:")
                .and_then(|c| Class::ALL.into_iter().find(|k| k.as_str() == c))
                .map_or(Filter::All, Filter::Class),
        }
    }

    fn admits(self, status: u8, class: Option<Class>) -> bool {
        match self {
            Filter::All => true,
            Filter::Rejected => status == REJECTED,
            Filter::Warning => status == WARNING,
            Filter::Issues => status != VALID,
            Filter::Class(c) => class == Some(c),
        }
    }
}

pub const VALID: u8 = 0;
pub const WARNING: u8 = 1;
pub const REJECTED: u8 = 2;

/// One stored row: the core's row JSON and its original cells as a JSON object (header → cell,
/// in column order): the grid's raw view and the batches' `original`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub row: String,
    pub raw: String,
}

#[derive(Debug, Default)]
pub struct RowStore {
    blocks: Vec<Vec<u8>>,
    /// Rows of the block being filled, as `row\nraw\n` text.
    open: String,
    open_rows: usize,
    statuses: Vec<u8>,
    /// Each row's class from a comparison with the delivered leads (empty until one ran).
    classes: Vec<Option<Class>>,
    cache: Vec<(usize, Vec<Stored>)>,
    /// Row positions per filter, built on first use.
    views: Vec<(Filter, Vec<u32>)>,
    compressed_bytes: usize,
}

impl RowStore {
    pub fn new() -> RowStore {
        RowStore::default()
    }

    pub fn len(&self) -> usize {
        self.statuses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.statuses.is_empty()
    }

    /// Bytes held: compressed blocks plus the open block and the status bytes.
    pub fn memory(&self) -> usize {
        self.compressed_bytes + self.open.len() + self.statuses.len()
    }

    /// Adds a row. JSON never holds a raw newline, so a newline separates the parts.
    pub fn push(&mut self, status: u8, row: &str, raw: &str) {
        debug_assert!(!row.contains('\n') && !raw.contains('\n'));
        self.open.push_str(row);
        self.open.push('\n');
        self.open.push_str(raw);
        self.open.push('\n');
        self.open_rows += 1;
        self.statuses.push(status);
        self.views.clear();
        if self.open_rows == BLOCK_ROWS {
            self.seal();
        }
    }

    fn seal(&mut self) {
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::fast());
        // Writing to a Vec cannot fail.
        let _ = enc.write_all(self.open.as_bytes());
        let block = enc.finish().unwrap_or_default();
        self.compressed_bytes += block.len();
        self.blocks.push(block);
        self.open.clear();
        self.open_rows = 0;
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
        let rows: Vec<u32> = (0..self.statuses.len() as u32)
            .filter(|&i| {
                let class = self.classes.get(i as usize).copied().flatten();
                filter.admits(self.statuses[i as usize], class)
            })
            .collect();
        self.views.push((filter, rows));
        &self.views[self.views.len() - 1].1
    }

    /// Up to `count` rows passing `filter`, from the `from`-th such row on.
    pub fn page(&mut self, filter: Filter, from: usize, count: usize) -> Vec<Stored> {
        let positions: Vec<usize> = match filter {
            Filter::All => (from..(from + count).min(self.len())).collect(),
            f => {
                let view = self.view(f);
                view.iter()
                    .skip(from)
                    .take(count)
                    .map(|&i| i as usize)
                    .collect()
            }
        };
        self.many(positions)
    }

    /// Rows `from..to` in file order (clipped to what is stored).
    pub fn range(&mut self, from: usize, to: usize) -> Vec<Stored> {
        self.many((from..to.min(self.len())).collect())
    }

    fn many(&mut self, positions: Vec<usize>) -> Vec<Stored> {
        let mut open: Option<Vec<Stored>> = None;
        let mut out = Vec::with_capacity(positions.len());
        for i in positions {
            let (block, offset) = (i / BLOCK_ROWS, i % BLOCK_ROWS);
            let found = if block == self.blocks.len() {
                open.get_or_insert_with(|| parse_block(&self.open))
                    .get(offset)
                    .cloned()
            } else {
                self.get(i)
            };
            out.extend(found);
        }
        out
    }

    pub fn get(&mut self, i: usize) -> Option<Stored> {
        let (block, offset) = (i / BLOCK_ROWS, i % BLOCK_ROWS);
        if block == self.blocks.len() {
            return parse_block(&self.open).into_iter().nth(offset);
        }
        if let Some((_, rows)) = self.cache.iter().find(|(b, _)| *b == block) {
            return rows.get(offset).cloned();
        }
        let data = self.blocks.get(block)?;
        let mut text = String::new();
        DeflateDecoder::new(data.as_slice())
            .read_to_string(&mut text)
            .ok()?;
        let rows = parse_block(&text);
        let found = rows.get(offset).cloned();
        if self.cache.len() == CACHED_BLOCKS {
            self.cache.remove(0);
        }
        self.cache.push((block, rows));
        found
    }
}

fn parse_block(text: &str) -> Vec<Stored> {
    let mut lines = text.split_terminator('\n');
    let mut out = Vec::new();
    while let (Some(row), Some(raw)) = (lines.next(), lines.next()) {
        out.push(Stored {
            row: row.to_owned(),
            raw: raw.to_owned(),
        });
    }
    out
}

#[cfg(test)]
mod tests;
