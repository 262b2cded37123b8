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
    #[error(
        "the delimiter must be tab or one punctuation character such as , ; or | (not a quote), found {0:?}"
    )]
    BadDelimiter(String),
    #[error(
        "the gzip data inflates to more than {limit} bytes: it is refused as a decompression bomb (raise the limit for a file this large)"
    )]
    InflatedTooLarge { limit: u64 },
    #[error(
        "the gzip data inflates more than {limit} times its size (after {inflated} bytes from {compressed}): it is refused as a decompression bomb"
    )]
    InflationRatio {
        inflated: u64,
        compressed: u64,
        limit: u64,
    },
    #[error(
        "the header cell in column {column} on line {line} is {size} bytes, more than the limit of {limit}"
    )]
    HeaderCellTooLarge {
        line: u64,
        column: usize,
        size: usize,
        limit: usize,
    },
}
