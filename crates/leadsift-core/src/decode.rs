//! Text decoding for the encodings lead exports come in: UTF-8, UTF-16LE, UTF-16BE and
//! Windows-1252 (what Excel writes as "CSV" on Western Windows).
//!
//! Incremental (a chunk may end inside a character) and lossless where the bytes allow:
//! malformed input becomes U+FFFD exactly as the WHATWG Encoding Standard's decoders produce it
//! (a property test checks this against `encoding_rs`). Only these four are supported, and
//! labels follow the Encoding Standard, so `latin1`, `iso-8859-1` and `ascii` mean
//! Windows-1252. Keeping the set small keeps the CJK tables of a general decoder out of the
//! browser's wasm.

/// An encoding this crate decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

/// The Encoding Standard's labels of the four encodings.
const LABELS: &[(&str, Charset)] = &[
    ("unicode-1-1-utf-8", Charset::Utf8),
    ("unicode11utf8", Charset::Utf8),
    ("unicode20utf8", Charset::Utf8),
    ("utf-8", Charset::Utf8),
    ("utf8", Charset::Utf8),
    ("x-unicode20utf8", Charset::Utf8),
    ("csunicode", Charset::Utf16Le),
    ("iso-10646-ucs-2", Charset::Utf16Le),
    ("ucs-2", Charset::Utf16Le),
    ("unicode", Charset::Utf16Le),
    ("unicodefeff", Charset::Utf16Le),
    ("utf-16", Charset::Utf16Le),
    ("utf-16le", Charset::Utf16Le),
    ("unicodefffe", Charset::Utf16Be),
    ("utf-16be", Charset::Utf16Be),
    ("ansi_x3.4-1968", Charset::Windows1252),
    ("ascii", Charset::Windows1252),
    ("cp1252", Charset::Windows1252),
    ("cp819", Charset::Windows1252),
    ("csisolatin1", Charset::Windows1252),
    ("ibm819", Charset::Windows1252),
    ("iso-8859-1", Charset::Windows1252),
    ("iso-ir-100", Charset::Windows1252),
    ("iso8859-1", Charset::Windows1252),
    ("iso88591", Charset::Windows1252),
    ("iso_8859-1", Charset::Windows1252),
    ("iso_8859-1:1987", Charset::Windows1252),
    ("l1", Charset::Windows1252),
    ("latin1", Charset::Windows1252),
    ("us-ascii", Charset::Windows1252),
    ("windows-1252", Charset::Windows1252),
    ("x-cp1252", Charset::Windows1252),
];

/// Windows-1252's bytes 0x80 to 0x9F (the rest are their own code points).
const W1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

impl Charset {
    /// The encoding a label names (ASCII case and surrounding whitespace ignored).
    pub fn for_label(label: &str) -> Option<Charset> {
        let l = label
            .trim_matches(|c: char| c.is_ascii_whitespace())
            .to_ascii_lowercase();
        LABELS.iter().find(|(name, _)| *name == l).map(|(_, c)| *c)
    }

    /// The encoding's Encoding Standard name.
    pub fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Utf16Le => "UTF-16LE",
            Charset::Utf16Be => "UTF-16BE",
            Charset::Windows1252 => "windows-1252",
        }
    }

    /// The encoding a byte-order mark at the start of `bytes` names, and the mark's length.
    pub fn for_bom(bytes: &[u8]) -> Option<(Charset, usize)> {
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            Some((Charset::Utf8, 3))
        } else if bytes.starts_with(b"\xFF\xFE") {
            Some((Charset::Utf16Le, 2))
        } else if bytes.starts_with(b"\xFE\xFF") {
            Some((Charset::Utf16Be, 2))
        } else {
            None
        }
    }

    pub fn decoder(self) -> Decoder {
        Decoder {
            charset: self,
            pending: Vec::new(),
            lead_surrogate: None,
        }
    }

    /// All of `bytes` at once (no BOM handling); whether anything was replaced.
    pub fn decode(self, bytes: &[u8]) -> (String, bool) {
        let mut out = String::with_capacity(bytes.len());
        let replaced = self.decoder().decode_to_string(bytes, &mut out, true);
        (out, replaced)
    }
}

/// A decoder that keeps what a chunk ended in the middle of for the next chunk.
#[derive(Debug, Clone)]
pub struct Decoder {
    charset: Charset,
    /// Bytes of an unfinished character (UTF-8) or code unit (UTF-16).
    pending: Vec<u8>,
    /// A UTF-16 lead surrogate waiting for its trail.
    lead_surrogate: Option<u16>,
}

impl Decoder {
    /// Appends the text of `input` to `out`; `last` ends the stream (an unfinished character
    /// becomes U+FFFD). Returns whether any malformed input was replaced.
    pub fn decode_to_string(&mut self, input: &[u8], out: &mut String, last: bool) -> bool {
        match self.charset {
            Charset::Utf8 => self.utf8(input, out, last),
            Charset::Utf16Le => self.utf16(input, out, last, u16::from_le_bytes),
            Charset::Utf16Be => self.utf16(input, out, last, u16::from_be_bytes),
            Charset::Windows1252 => {
                windows_1252(input, out);
                false
            }
        }
    }

    fn utf8(&mut self, input: &[u8], out: &mut String, last: bool) -> bool {
        let joined;
        let mut rest = if self.pending.is_empty() {
            input
        } else {
            let mut j = std::mem::take(&mut self.pending);
            j.extend_from_slice(input);
            joined = j;
            &joined[..]
        };
        let mut replaced = false;
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    out.push_str(text);
                    return replaced;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    match e.error_len() {
                        Some(n) => {
                            out.push('\u{FFFD}');
                            replaced = true;
                            rest = &after[n..];
                        }
                        None if last => {
                            out.push('\u{FFFD}');
                            return true;
                        }
                        None => {
                            self.pending = after.to_vec();
                            return replaced;
                        }
                    }
                }
            }
        }
    }

    fn utf16(
        &mut self,
        input: &[u8],
        out: &mut String,
        last: bool,
        unit: fn([u8; 2]) -> u16,
    ) -> bool {
        let mut replaced = false;
        let mut bytes = input;
        if let Some(&first) = self.pending.first() {
            match bytes.split_first() {
                Some((&second, tail)) => {
                    self.pending.clear();
                    replaced |= self.unit(unit([first, second]), out);
                    bytes = tail;
                }
                None if !last => return false,
                None => {}
            }
        }
        let mut pairs = bytes.chunks_exact(2);
        for pair in &mut pairs {
            replaced |= self.unit(unit([pair[0], pair[1]]), out);
        }
        let odd = pairs.remainder();
        if last {
            // An unpaired lead surrogate, or half a code unit, at the end: one replacement.
            let lead = self.lead_surrogate.take().is_some();
            if lead || !odd.is_empty() || !self.pending.is_empty() {
                self.pending.clear();
                out.push('\u{FFFD}');
                replaced = true;
            }
        } else {
            self.pending.extend_from_slice(odd);
        }
        replaced
    }

    /// One UTF-16 code unit; whether it (or a surrogate before it) was replaced.
    fn unit(&mut self, u: u16, out: &mut String) -> bool {
        let mut replaced = false;
        if let Some(lead) = self.lead_surrogate.take() {
            if (0xDC00..0xE000).contains(&u) {
                let c = 0x10000 + ((u32::from(lead) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                return false;
            }
            out.push('\u{FFFD}');
            replaced = true;
        }
        match u {
            0xD800..0xDC00 => self.lead_surrogate = Some(u),
            0xDC00..0xE000 => {
                out.push('\u{FFFD}');
                replaced = true;
            }
            _ => out.push(char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}')),
        }
        replaced
    }
}

fn windows_1252(input: &[u8], out: &mut String) {
    out.reserve(input.len());
    let mut rest = input;
    while !rest.is_empty() {
        // ASCII runs go across as they are.
        let ascii = rest
            .iter()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(ascii);
        out.push_str(std::str::from_utf8(run).unwrap_or_default());
        if let Some((&b, tail)) = tail.split_first() {
            out.push(match b {
                0x80..=0x9F => W1252_HIGH[usize::from(b - 0x80)],
                _ => char::from(b),
            });
            rest = tail;
        } else {
            rest = tail;
        }
    }
}

#[cfg(test)]
mod tests;
