//! Phone numbers: NANP as ten digits, elsewhere E.164; validity as libphonenumber decides.

use super::small::SmallText;
use super::{Note, Parsed};
use crate::issue::IssueCode;
use crate::text::trim;

/// A valid phone number: `5127891111`, `5127891111x22` or `+442079460958`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(SmallText);

impl Phone {
    /// The number that `raw` is when it holds only digits and the separators the parse skips (`(`,
    /// `)`, `-`, `+`, spaces), none a control character or a `*` (so the general path's scan for
    /// them could find nothing), as [`Phone::parse`] reads it with no note; `None` for anything
    /// else, which the general path reads.
    pub(super) fn at_once(raw: &str) -> Option<Phone> {
        digits_and_separators(raw)
            .then(|| Phone::parse(raw).ok())
            .flatten()
            .filter(|(_, note)| note.is_none())
            .map(|(phone, _)| phone)
    }

    pub fn parse(raw: &str) -> Parsed<Phone> {
        let invalid = |why: &str| {
            Note::new(
                IssueCode::InvalidPhone,
                format!("{why}, found {:?}", trim(raw)),
            )
        };
        let mut warning = None;
        let mut s = trim(raw);
        // Most numbers: no apostrophe, `.0`, exponent, line-type hint or extension can be there.
        let plain = digits_and_separators(s);

        // Spreadsheet damage: a leading apostrophe, a trailing `.0`, scientific notation.
        let scientific;
        if !plain {
            if let Some(rest) = s.strip_prefix('\'') {
                s = rest.trim_start();
                warning = Some(recovered("a leading apostrophe was removed"));
            }
            if let Some(digits) = from_scientific(s) {
                match digits {
                    Ok(d) => {
                        scientific = d;
                        s = &scientific;
                        warning = Some(recovered(
                            "a number a spreadsheet wrote in scientific notation was recovered",
                        ));
                    }
                    Err(()) => {
                        return Err(invalid(
                            "a spreadsheet rounded this number to scientific notation and digits were lost",
                        ));
                    }
                }
            } else if let Some(int) = s.strip_suffix(".0").or_else(|| s.strip_suffix(".00"))
                && !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
            {
                s = int;
                warning = Some(recovered("a trailing .0 a spreadsheet added was removed"));
            }
        }

        let (main, ext) = if plain {
            (s, None)
        } else {
            split_extension(strip_line_type_hint(s))
        };
        if let Some(e) = ext
            && (e.is_empty() || e.len() > 10)
        {
            return Err(invalid("the extension must be 1 to 10 digits"));
        }
        let plus = main.starts_with('+');
        // The digits, on the stack for any number that could be one (a longer cell is read
        // the same way, on the heap, to say what is wrong with it).
        let mut stack = [0u8; 32];
        let mut heap = Vec::new();
        let buf: &mut [u8] = if main.len() <= stack.len() {
            &mut stack
        } else {
            heap.resize(main.len(), 0);
            &mut heap
        };
        let mut n = 0;
        // Read by byte when ASCII (nearly always); by character otherwise (a no-break space).
        let ascii = main.is_ascii();
        let mut chars = main.chars();
        let mut bytes = main.bytes();
        while let Some(c) = if ascii {
            bytes.next().map(char::from)
        } else {
            chars.next()
        } {
            match c {
                '0'..='9' => {
                    // One byte each, so never more of them than `main` has bytes.
                    buf[n] = c as u8;
                    n += 1;
                }
                ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' => {}
                '+' if n == 0 => {}
                _ => return Err(invalid("expected a phone number")),
            }
        }
        let digits = std::str::from_utf8(&buf[..n]).unwrap_or_default();
        let (cc_plus, national) = if plus {
            (true, digits)
        } else if let Some(rest) = digits.strip_prefix("011") {
            (true, rest)
        } else {
            (false, digits)
        };
        // Too short to be a number anywhere; past this, libphonenumber decides (some countries
        // have numbers of five or six digits after the country code).
        if national.len() < 5 || (!cc_plus && national.len() < 7) {
            return Err(invalid("too few digits for a phone number"));
        }
        // Country code 1 is NANP: ten digits after it, always checked by the NANP table.
        if !cc_plus || national.starts_with('1') {
            let ten = match national.len() {
                10 if !cc_plus => national,
                11 if national.starts_with('1') => &national[1..],
                _ => return Err(invalid("a US or Canadian number has 10 digits")),
            };
            if !super::nanp::is_valid(ten) {
                return Err(invalid("not a valid phone number for its country"));
            }
            let out = match ext {
                None => SmallText::new(ten),
                Some(e) => format!("{ten}x{e}").into(),
            };
            return Ok((Phone(out), warning));
        }
        // Elsewhere: E.164 as libphonenumber formats it, accepted only when that form reads
        // back as itself (a dropped national prefix must not leave a number that is not one).
        let mut out = international(national)
            .filter(|e164| international(&e164[1..]).as_deref() == Some(e164.as_str()))
            .ok_or_else(|| invalid("not a valid phone number for its country"))?;
        if let Some(e) = ext {
            out.push('x');
            out.push_str(e);
        }
        Ok((Phone(out.into()), warning))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The number without its extension, for matching leads by phone.
    pub fn number(&self) -> &str {
        let s = self.0.as_str();
        s.split('x').next().unwrap_or(s)
    }
}

/// `+<cc><number>` for a valid non-NANP number given as digits after the `+`.
fn international(digits: &str) -> Option<String> {
    let number = phonenumber::parse(None, format!("+{digits}")).ok()?;
    (number.code().value() != 1 && phonenumber::is_valid(&number))
        .then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

/// Whether `s` holds only digits and the separators the parse skips (`(`, `)`, `-`, `+`,
/// spaces).
#[inline]
fn digits_and_separators(s: &str) -> bool {
    s.bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b' ' | b'-' | b'(' | b')' | b'+'))
}

fn recovered(what: &str) -> Note {
    Note::new(IssueCode::SpreadsheetRecovered, what)
}

/// `5.127891111E9` or `5.127891111E+09`: `Some(Ok(digits))` when no digit was lost,
/// `Some(Err(()))` when the spreadsheet rounded, `None` when the text is not in that form.
pub(super) fn from_scientific(s: &str) -> Option<Result<String, ()>> {
    // Found by byte (`e` is ASCII): most cells hold none, and are ruled out in one pass.
    let at = s.bytes().position(|b| b == b'e' || b == b'E')?;
    let (mantissa, exp) = (s.get(..at)?, s.get(at + 1..)?);
    let exp: u32 = exp.strip_prefix('+').unwrap_or(exp).parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let total = int.len() + exp as usize;
    if !(7..=15).contains(&total) || frac.len() > exp as usize {
        return None;
    }
    // `5.12789E+09` may stand for 5127890000 or for 5127891111: only a full mantissa is certain.
    if frac.len() < exp as usize {
        return Some(Err(()));
    }
    let d = format!("{int}{frac}");
    Some(Ok(d))
}

/// Removes `h:`, `(w)`, `m ` and `c-` style line-type hints at either end.
pub(super) fn strip_line_type_hint(s: &str) -> &str {
    const HINTS: &[&str] = &["h", "w", "m", "c", "home", "work", "mobile", "cell"];
    let s = trim(s);
    let first = s.as_bytes().first().copied().unwrap_or(b'0');
    let last = s.as_bytes().last().copied().unwrap_or(b'0');
    // Only text that starts or ends with a letter, or ends with `)`, can carry a hint.
    if !first.is_ascii_alphabetic() && first != b'(' && !last.is_ascii_alphabetic() && last != b')'
    {
        return s;
    }
    let starts =
        |p: &str| s.len() > p.len() && s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    // `8004m`: a one-letter hint written straight after the last digit.
    if let [.., d, l] = s.as_bytes()
        && d.is_ascii_digit()
        && matches!(l.to_ascii_lowercase(), b'h' | b'w' | b'm' | b'c')
    {
        return &s[..s.len() - 1];
    }
    for hint in HINTS {
        // `h: `, `h-`, `h ` before the number.
        for sep in [':', ' ', '-'] {
            if starts(hint) && s[hint.len()..].starts_with(sep) {
                return s[hint.len() + 1..].trim_start();
            }
        }
        // `(h)` before or after it.
        let wrapped = |t: &str| {
            t.len() == hint.len() + 2
                && t.starts_with('(')
                && t.ends_with(')')
                && t[1..t.len() - 1].eq_ignore_ascii_case(hint)
        };
        let n = hint.len() + 2;
        if s.len() > n && s.get(..n).is_some_and(wrapped) {
            return s[n..].trim_start();
        }
        if s.len() > n && s.get(s.len() - n..).is_some_and(wrapped) {
            return s[..s.len() - n].trim_end();
        }
    }
    s
}

/// Splits `... ext. 22`, `... x22`, `... #22` into the number and the extension digits.
pub(super) fn split_extension(s: &str) -> (&str, Option<&str>) {
    if !s.bytes().any(|b| b.is_ascii_alphabetic() || b == b'#') {
        return (s, None);
    }
    let lower = s.to_ascii_lowercase();
    for marker in ["extension", "ext.", "ext", "x", "#"] {
        if let Some(at) = lower.rfind(marker) {
            let after = s[at + marker.len()..].trim_start_matches([' ', '.', ':']);
            if after.bytes().all(|b| b.is_ascii_digit()) && at > 0 {
                let main = s[..at].trim_end_matches([' ', ',', ';']);
                // `512-789-1111x`: an extension marker with nothing after it is no extension.
                return (main, (!after.is_empty()).then_some(after));
            }
        }
    }
    (s, None)
}
