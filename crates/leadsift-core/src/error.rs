//! Errors that stop a file from being read at all. Row problems are never errors: they are issues.

/// Why a file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("this is not a CSV file: it looks like {what} (at byte {offset})")]
    NotText { what: String, offset: u64 },
    #[error("the gzip data is damaged: {0}")]
    Gzip(String),
    #[error("the header on line {line} has {columns} columns, more than the limit of {limit}")]
    TooManyColumns {
        line: u64,
        columns: usize,
        limit: usize,
    },
    #[error("unknown encoding {0:?}: use utf-8, utf-16le, utf-16be or windows-1252")]
    UnknownEncoding(String),
    #[error("the delimiter must be one character such as , ; | or tab, found {0:?}")]
    BadDelimiter(String),
    #[error("the file has no data after the header line {0}: it ends before the header")]
    HeaderLineMissing(u64),
}
