//! Eight bytes tested at once in a `u64` (the splitter's search for a field's end, the cell
//! scan for control characters in wasm): where short runs of bytes make a vector search's setup
//! cost more than it saves, or where there is no vector unit (wasm without SIMD).
//!
//! A *mark* is a byte's high bit set in the result. The bytes are marked exactly when one of
//! them qualifies, and the lowest mark is always right; a mark above it may be wrong (a borrow
//! from the byte that qualified), so a search takes only the lowest.

const ONES: u64 = u64::from_ne_bytes([1; 8]);
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// `b` in each of the eight bytes.
#[inline]
const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// The eight bytes, the first in the lowest place.
#[inline]
pub(crate) fn read(eight: &[u8; 8]) -> u64 {
    u64::from_le_bytes(*eight)
}

/// Marks the bytes of `word` below `n` (`n` at most 0x80).
#[inline]
pub(crate) const fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(splat(n)) & !word & HIGH
}

/// Marks the bytes of `word` equal to `b`.
#[inline]
pub(crate) const fn equal(word: u64, b: u8) -> u64 {
    below(word ^ splat(b), 1)
}

/// The place of the lowest mark (of marks not zero).
#[inline]
pub(crate) const fn first(marks: u64) -> usize {
    (marks.trailing_zeros() / 8) as usize
}
