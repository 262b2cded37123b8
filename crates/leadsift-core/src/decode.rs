//! Text decoding for the encodings lead exports come in: UTF-8, UTF-16LE, UTF-16BE,
//! Windows-1252 (what Excel writes as "CSV" on Western Windows), Mac Roman ("CSV
//! (Macintosh)"), code page 437 ("CSV (MS-DOS)") and ISO-8859-15.
//!
//! Incremental (a chunk may end inside a character) and lossless where the bytes allow:
//! malformed input becomes U+FFFD exactly as the WHATWG Encoding Standard's decoders produce it
//! (a property test checks this against `encoding_rs`). Only these seven are supported, and
//! labels follow the Encoding Standard, so `latin1`, `iso-8859-1` and `ascii` mean
//! Windows-1252; code page 437, which the Standard lacks, has IANA's names. Keeping the set small keeps the CJK tables of a general decoder out of the
//! browser's wasm.

/// An encoding this crate decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
    /// Mac Roman, the Encoding Standard's `macintosh`.
    MacRoman,
    /// IBM code page 437, what MS-DOS and Excel's "CSV (MS-DOS)" write.
    Cp437,
    /// ISO-8859-15 (Latin-9).
    Iso8859_15,
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
    ("csmacintosh", Charset::MacRoman),
    ("mac", Charset::MacRoman),
    ("macintosh", Charset::MacRoman),
    ("x-mac-roman", Charset::MacRoman),
    ("csisolatin9", Charset::Iso8859_15),
    ("iso-8859-15", Charset::Iso8859_15),
    ("iso8859-15", Charset::Iso8859_15),
    ("iso885915", Charset::Iso8859_15),
    ("iso_8859-15", Charset::Iso8859_15),
    ("l9", Charset::Iso8859_15),
    // Not in the Encoding Standard: IANA's names for code page 437.
    ("437", Charset::Cp437),
    ("cp437", Charset::Cp437),
    ("cspc8codepage437", Charset::Cp437),
    ("ibm437", Charset::Cp437),
];

/// Windows-1252's bytes 0x80 to 0x9F (the rest are their own code points).
const W1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// Mac Roman's bytes 0x80 to 0xFF (Excel for Mac's "CSV (Macintosh)").
const MAC_ROMAN: [char; 128] = [
    '\u{00C4}', '\u{00C5}', '\u{00C7}', '\u{00C9}', '\u{00D1}', '\u{00D6}', '\u{00DC}', '\u{00E1}',
    '\u{00E0}', '\u{00E2}', '\u{00E4}', '\u{00E3}', '\u{00E5}', '\u{00E7}', '\u{00E9}', '\u{00E8}',
    '\u{00EA}', '\u{00EB}', '\u{00ED}', '\u{00EC}', '\u{00EE}', '\u{00EF}', '\u{00F1}', '\u{00F3}',
    '\u{00F2}', '\u{00F4}', '\u{00F6}', '\u{00F5}', '\u{00FA}', '\u{00F9}', '\u{00FB}', '\u{00FC}',
    '\u{2020}', '\u{00B0}', '\u{00A2}', '\u{00A3}', '\u{00A7}', '\u{2022}', '\u{00B6}', '\u{00DF}',
    '\u{00AE}', '\u{00A9}', '\u{2122}', '\u{00B4}', '\u{00A8}', '\u{2260}', '\u{00C6}', '\u{00D8}',
    '\u{221E}', '\u{00B1}', '\u{2264}', '\u{2265}', '\u{00A5}', '\u{00B5}', '\u{2202}', '\u{2211}',
    '\u{220F}', '\u{03C0}', '\u{222B}', '\u{00AA}', '\u{00BA}', '\u{03A9}', '\u{00E6}', '\u{00F8}',
    '\u{00BF}', '\u{00A1}', '\u{00AC}', '\u{221A}', '\u{0192}', '\u{2248}', '\u{2206}', '\u{00AB}',
    '\u{00BB}', '\u{2026}', '\u{00A0}', '\u{00C0}', '\u{00C3}', '\u{00D5}', '\u{0152}', '\u{0153}',
    '\u{2013}', '\u{2014}', '\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}', '\u{00F7}', '\u{25CA}',
    '\u{00FF}', '\u{0178}', '\u{2044}', '\u{20AC}', '\u{2039}', '\u{203A}', '\u{FB01}', '\u{FB02}',
    '\u{2021}', '\u{00B7}', '\u{201A}', '\u{201E}', '\u{2030}', '\u{00C2}', '\u{00CA}', '\u{00C1}',
    '\u{00CB}', '\u{00C8}', '\u{00CD}', '\u{00CE}', '\u{00CF}', '\u{00CC}', '\u{00D3}', '\u{00D4}',
    '\u{F8FF}', '\u{00D2}', '\u{00DA}', '\u{00DB}', '\u{00D9}', '\u{0131}', '\u{02C6}', '\u{02DC}',
    '\u{00AF}', '\u{02D8}', '\u{02D9}', '\u{02DA}', '\u{00B8}', '\u{02DD}', '\u{02DB}', '\u{02C7}',
];

/// Code page 437's bytes 0x80 to 0xFF (Excel's "CSV (MS-DOS)"; not in the Encoding Standard).
const CP437: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}',
    '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}',
    '\u{00C9}', '\u{00E6}', '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}',
    '\u{00FF}', '\u{00D6}', '\u{00DC}', '\u{00A2}', '\u{00A3}', '\u{00A5}', '\u{20A7}', '\u{0192}',
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}',
    '\u{00BF}', '\u{2310}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}', '\u{00AB}', '\u{00BB}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{2561}', '\u{2562}', '\u{2556}',
    '\u{2555}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{255C}', '\u{255B}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{255E}', '\u{255F}',
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{2567}',
    '\u{2568}', '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}', '\u{256B}',
    '\u{256A}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{258C}', '\u{2590}', '\u{2580}',
    '\u{03B1}', '\u{00DF}', '\u{0393}', '\u{03C0}', '\u{03A3}', '\u{03C3}', '\u{00B5}', '\u{03C4}',
    '\u{03A6}', '\u{0398}', '\u{03A9}', '\u{03B4}', '\u{221E}', '\u{03C6}', '\u{03B5}', '\u{2229}',
    '\u{2261}', '\u{00B1}', '\u{2265}', '\u{2264}', '\u{2320}', '\u{2321}', '\u{00F7}', '\u{2248}',
    '\u{00B0}', '\u{2219}', '\u{00B7}', '\u{221A}', '\u{207F}', '\u{00B2}', '\u{25A0}', '\u{00A0}',
];

/// ISO-8859-15's bytes 0x80 to 0xFF (Latin-9: Latin-1 with the euro sign and eight letters).
const ISO_8859_15: [char; 128] = [
    '\u{0080}', '\u{0081}', '\u{0082}', '\u{0083}', '\u{0084}', '\u{0085}', '\u{0086}', '\u{0087}',
    '\u{0088}', '\u{0089}', '\u{008A}', '\u{008B}', '\u{008C}', '\u{008D}', '\u{008E}', '\u{008F}',
    '\u{0090}', '\u{0091}', '\u{0092}', '\u{0093}', '\u{0094}', '\u{0095}', '\u{0096}', '\u{0097}',
    '\u{0098}', '\u{0099}', '\u{009A}', '\u{009B}', '\u{009C}', '\u{009D}', '\u{009E}', '\u{009F}',
    '\u{00A0}', '\u{00A1}', '\u{00A2}', '\u{00A3}', '\u{20AC}', '\u{00A5}', '\u{0160}', '\u{00A7}',
    '\u{0161}', '\u{00A9}', '\u{00AA}', '\u{00AB}', '\u{00AC}', '\u{00AD}', '\u{00AE}', '\u{00AF}',
    '\u{00B0}', '\u{00B1}', '\u{00B2}', '\u{00B3}', '\u{017D}', '\u{00B5}', '\u{00B6}', '\u{00B7}',
    '\u{017E}', '\u{00B9}', '\u{00BA}', '\u{00BB}', '\u{0152}', '\u{0153}', '\u{0178}', '\u{00BF}',
    '\u{00C0}', '\u{00C1}', '\u{00C2}', '\u{00C3}', '\u{00C4}', '\u{00C5}', '\u{00C6}', '\u{00C7}',
    '\u{00C8}', '\u{00C9}', '\u{00CA}', '\u{00CB}', '\u{00CC}', '\u{00CD}', '\u{00CE}', '\u{00CF}',
    '\u{00D0}', '\u{00D1}', '\u{00D2}', '\u{00D3}', '\u{00D4}', '\u{00D5}', '\u{00D6}', '\u{00D7}',
    '\u{00D8}', '\u{00D9}', '\u{00DA}', '\u{00DB}', '\u{00DC}', '\u{00DD}', '\u{00DE}', '\u{00DF}',
    '\u{00E0}', '\u{00E1}', '\u{00E2}', '\u{00E3}', '\u{00E4}', '\u{00E5}', '\u{00E6}', '\u{00E7}',
    '\u{00E8}', '\u{00E9}', '\u{00EA}', '\u{00EB}', '\u{00EC}', '\u{00ED}', '\u{00EE}', '\u{00EF}',
    '\u{00F0}', '\u{00F1}', '\u{00F2}', '\u{00F3}', '\u{00F4}', '\u{00F5}', '\u{00F6}', '\u{00F7}',
    '\u{00F8}', '\u{00F9}', '\u{00FA}', '\u{00FB}', '\u{00FC}', '\u{00FD}', '\u{00FE}', '\u{00FF}',
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
            Charset::MacRoman => "macintosh",
            Charset::Cp437 => "IBM437",
            Charset::Iso8859_15 => "ISO-8859-15",
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
    /// The text of `input` as it stands, without a copy, when nothing needs decoding: UTF-8
    /// whole in itself, with nothing pending from the input before (nearly every chunk of a
    /// UTF-8 file). `None` for anything else, with nothing read: then
    /// [`Decoder::decode_to_string`].
    pub fn as_text<'a>(&self, input: &'a [u8]) -> Option<&'a str> {
        if self.charset != Charset::Utf8 || !self.pending.is_empty() {
            return None;
        }
        std::str::from_utf8(input).ok()
    }

    /// Appends the text of `input` to `out`; `last` ends the stream (an unfinished character
    /// becomes U+FFFD). Returns whether any malformed input was replaced.
    pub fn decode_to_string(&mut self, input: &[u8], out: &mut String, last: bool) -> bool {
        match self.charset {
            Charset::Utf8 => self.utf8(input, out, last),
            Charset::Utf16Le => self.utf16(input, out, last, u16::from_le_bytes),
            Charset::Utf16Be => self.utf16(input, out, last, u16::from_be_bytes),
            Charset::Windows1252 => {
                single_byte(input, out, |b| match b {
                    0x80..=0x9F => W1252_HIGH[usize::from(b - 0x80)],
                    _ => char::from(b),
                });
                false
            }
            Charset::MacRoman => {
                single_byte(input, out, |b| MAC_ROMAN[usize::from(b - 0x80)]);
                false
            }
            Charset::Cp437 => {
                single_byte(input, out, |b| CP437[usize::from(b - 0x80)]);
                false
            }
            Charset::Iso8859_15 => {
                single_byte(input, out, |b| ISO_8859_15[usize::from(b - 0x80)]);
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

/// A single-byte encoding whose lower half is ASCII: `high` gives the character of each byte
/// from 0x80 on.
fn single_byte(input: &[u8], out: &mut String, high: impl Fn(u8) -> char) {
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
            out.push(high(b));
            rest = tail;
        } else {
            rest = tail;
        }
    }
}

#[cfg(test)]
mod tests;
