//! Small text helpers shared by the cleaners and the reader.

use std::borrow::Cow;

/// What stands for U+0000 in everything leadsift keeps: PostgreSQL's text cannot hold NUL,
/// so no value, raw cell, header or message ever carries one to storage.
pub const NUL_STANDS_IN: char = '\u{fffd}';

/// `s` with every NUL replaced by [`NUL_STANDS_IN`].
pub fn without_nul(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{fffd}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// [`without_nul`] in place.
pub fn strip_nul(s: &mut String) {
    if s.contains('\0') {
        *s = s.replace('\0', "\u{fffd}");
    }
}

/// Lower-case hexadecimal of `bytes` (digests, checksums).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Cuts `s` to at most `max` characters, marking the cut with `…`.
pub fn truncate_chars(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((at, _)) => Cow::Owned(format!("{}…", &s[..at])),
    }
}

/// `s` without leading and trailing white space, exactly as [`str::trim`]; a cell that starts
/// and ends with a visible ASCII character (nearly every one) is answered from two bytes.
#[inline]
pub fn trim(s: &str) -> &str {
    let visible = |b: &u8| (0x21..0x7f).contains(b);
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if visible(first) && visible(last) => s,
        _ => trim_spaces(s),
    }
}

/// [`str::trim`], with ASCII white space (the only white space below 0x80: tab to carriage
/// return, and space) stripped a byte at a time; an end that then stands at a byte of a
/// longer character, which might be white space too, is left to `str::trim`.
fn trim_spaces(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !is_space(c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| !is_space(c))
        .map_or(start, |i| i + 1);
    // Both ends stand between characters (the bytes stripped are ASCII).
    let inner = s.get(start..end).unwrap_or_default();
    match (inner.as_bytes().first(), inner.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii() && last.is_ascii() => inner,
        (None, None) => inner,
        _ => inner.trim(),
    }
}

/// Whether byte `b` is white space (`char::is_whitespace` below 0x80: tab to carriage return,
/// and space).
#[inline]
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// Whether byte `b` may belong to a control character: a byte below 0x20, 0x7f, or 0xc2 (which
/// leads the C1 controls U+0080..U+009F). A comparison that vectorises in a pass over many
/// bytes; see [`maybe_control_by_table`] for a few.
#[inline]
pub(crate) const fn maybe_control(b: u8) -> bool {
    b < 0x20 || b == 0x7f || b == 0xc2
}

/// Whether some byte of `bytes` [may belong to a control character](maybe_control), and whether
/// a `*` is among them (a mask needs one): one pass without early exit, which rules out nearly
/// every cell.
#[inline]
pub(crate) fn scan_bytes(bytes: &[u8]) -> (bool, bool) {
    #[cfg(target_arch = "wasm32")]
    {
        scan_words(bytes)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        scan_by_byte(bytes)
    }
}

/// [`scan_bytes`] a byte at a time: natively the fold vectorises.
#[inline]
pub(crate) fn scan_by_byte(bytes: &[u8]) -> (bool, bool) {
    bytes.iter().fold((false, false), |(any, star), &b| {
        (any | maybe_control(b), star | (b == b'*'))
    })
}

/// [`scan_bytes`] eight bytes at a time in a `u64`: in wasm without SIMD the byte fold stays a
/// byte loop (validation ran 6 to 8 % faster under Node with this).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn scan_words(bytes: &[u8]) -> (bool, bool) {
    use crate::word;
    let (mut control, mut star) = (0, 0);
    let mut words = bytes.chunks_exact(8);
    for eight in &mut words {
        let w = word::read(eight.try_into().unwrap_or(&[0; 8]));
        control |= word::below(w, 0x20) | word::equal(w, 0x7f) | word::equal(w, 0xc2);
        star |= word::equal(w, b'*');
    }
    let (c, s) = scan_by_byte(words.remainder());
    (control != 0 || c, star != 0 || s)
}

/// [`maybe_control`] by one table look-up, so that a scan of a short cell costs a few
/// instructions a byte.
#[inline]
fn maybe_control_by_table(b: u8) -> bool {
    const TABLE: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = maybe_control(b as u8);
            b += 1;
        }
        table
    };
    TABLE[usize::from(b)]
}

/// Whether `text` may hold a control character (a byte that [may begin
/// one](maybe_control)): one pass without early exit clears nearly every cell, a byte at a
/// time by table when the cell is short (most names, cities, ids), else `scan_bytes` (a
/// comparison that vectorises natively, eight bytes at a time in wasm). `false` means
/// [`clean_text`] of the trimmed text is the text itself, which its caller may then take at
/// once.
#[inline]
pub(crate) fn may_hold_control(text: &str) -> bool {
    if text.len() < 16 {
        text.bytes()
            .fold(false, |any, b| any | maybe_control_by_table(b))
    } else {
        scan_bytes(text.as_bytes()).0
    }
}

/// Trims and removes control characters other than tab and newline; a CRLF becomes a newline.
/// Returns the text and whether anything other than surrounding white space was removed.
pub fn clean_text(raw: &str) -> (Cow<'_, str>, bool) {
    let trimmed = trim(raw);
    let control = may_hold_control(trimmed)
        && if trimmed.is_ascii() {
            trimmed
                .bytes()
                .any(|b| (b < 0x20 && b != b'\t' && b != b'\n') || b == 0x7f)
        } else {
            trimmed
                .chars()
                .any(|c| c.is_control() && c != '\t' && c != '\n')
        };
    if !control {
        return (Cow::Borrowed(trimmed), false);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut removed = false;
    let mut chars = trimmed.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        if c.is_control() && c != '\t' && c != '\n' {
            removed = true;
        } else {
            out.push(c);
        }
    }
    let kept = out.trim();
    (
        Cow::Owned(if kept.len() == out.len() {
            out
        } else {
            kept.to_owned()
        }),
        removed,
    )
}

/// Lower-cases ASCII letters and drops everything but ASCII letters and digits.
pub fn alnum_lower(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
