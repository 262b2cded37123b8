//! Gzip input, inflated in bounded steps under the limits of [`Limits`].
//!
//! Each step inflates at most the decoder's own buffer (32 KiB) and hands it on before the
//! next, so memory stays flat whatever the compression ratio, and a decompression bomb is
//! refused as soon as it crosses [`Limits::max_inflated_bytes`] or
//! [`Limits::max_inflation_ratio`].

use std::io::Write;

use crate::error::ReadError;
use crate::records::{Limits, RATIO_FLOOR};

/// Whether `head` (the first two bytes or more) starts a gzip stream.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// An incremental, bounded gzip inflater (several members in a row are one stream).
pub struct Inflater {
    gz: flate2::write::MultiGzDecoder<Vec<u8>>,
    limits: Limits,
    compressed: u64,
    inflated: u64,
}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflater")
            .field("compressed", &self.compressed)
            .field("inflated", &self.inflated)
            .finish_non_exhaustive()
    }
}

impl Inflater {
    pub fn new(limits: Limits) -> Inflater {
        Inflater {
            gz: flate2::write::MultiGzDecoder::new(Vec::new()),
            limits,
            compressed: 0,
            inflated: 0,
        }
    }

    /// Bytes inflated so far.
    pub fn inflated(&self) -> u64 {
        self.inflated
    }

    /// Inflates `chunk`, handing every step's bytes to `out` (with `true` on the very last
    /// step when `last`: the stream then must be complete, its checksums right).
    pub fn push(
        &mut self,
        chunk: &[u8],
        last: bool,
        mut out: impl FnMut(&[u8], bool) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        let damaged = |e: std::io::Error| ReadError::Gzip(e.to_string());
        let mut rest = chunk;
        loop {
            let used = if rest.is_empty() {
                0
            } else {
                self.gz.write(rest).map_err(damaged)?
            };
            rest = &rest[used..];
            // What the decoder has consumed, not what it was given: the ratio is exact.
            self.compressed += used as u64;
            let done = rest.is_empty();
            if last && done {
                self.gz.try_finish().map_err(damaged)?;
            }
            let plain = std::mem::take(self.gz.get_mut());
            if used == 0 && plain.is_empty() && !done {
                return Err(ReadError::Gzip(
                    "bytes follow the end of the gzip data".to_owned(),
                ));
            }
            self.count(plain.len() as u64)?;
            out(&plain, last && done)?;
            // The buffer goes back to the decoder, so the next step does not allocate.
            let mut plain = plain;
            plain.clear();
            *self.gz.get_mut() = plain;
            if done {
                return Ok(());
            }
        }
    }

    fn count(&mut self, more: u64) -> Result<(), ReadError> {
        self.inflated += more;
        let limits = &self.limits;
        if self.inflated > limits.max_inflated_bytes {
            return Err(ReadError::InflatedTooLarge {
                limit: limits.max_inflated_bytes,
            });
        }
        let compressed = self.compressed.max(1);
        if self.inflated > RATIO_FLOOR && self.inflated / compressed >= limits.max_inflation_ratio {
            return Err(ReadError::InflationRatio {
                inflated: self.inflated,
                compressed,
                limit: limits.max_inflation_ratio,
            });
        }
        Ok(())
    }
}

/// Checks a whole gzip stream pushed in chunks without keeping what it inflates: that it is
/// complete and undamaged and within the limits. What a reader runs before the first row of
/// a compressed file is committed, so a damaged file commits nothing.
#[derive(Debug)]
pub struct GzipCheck(Inflater);

impl GzipCheck {
    pub fn new(limits: Limits) -> GzipCheck {
        GzipCheck(Inflater::new(limits))
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ReadError> {
        self.0.push(chunk, false, |_, _| Ok(()))
    }

    /// Ends the stream; returns the inflated size.
    pub fn finish(mut self) -> Result<u64, ReadError> {
        self.0.push(&[], true, |_, _| Ok(()))?;
        Ok(self.0.inflated())
    }
}
