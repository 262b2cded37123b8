//! Contact values: email, postal code, state, gender.

use super::small::SmallText;
use super::tables::{
    STATE_ALIASES, STATE_BY_CODE, STATE_NAME_KEYS, STATES, ZERO_ZIP_PREFIXES, name_key,
};
use super::{Note, Parsed};
use crate::issue::IssueCode;
use crate::text::trim;

/// A lower-case email address without white space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(SmallText);

impl Email {
    /// The address that `raw` is with nothing around it (no name, `<…>`, `mailto:` or white space),
    /// made of visible ASCII with no `*` (so the general path's scan for control characters and
    /// masks could find nothing), as [`Email::parse`] reads it; `None` for anything else, which the
    /// general path reads.
    pub(super) fn at_once(raw: &str) -> Option<Email> {
        (valid_at_once(raw.as_bytes()) && !raw.contains('*'))
            .then(|| Email(SmallText::ascii_lowercase(raw)))
    }

    pub fn parse(raw: &str) -> Parsed<Email> {
        let invalid = |why: &str| {
            Note::new(
                IssueCode::InvalidEmail,
                format!("{why}, found {:?}", trim(raw)),
            )
        };
        let mut s = trim(raw);
        // `John Doe <john@example.com>` yields the address.
        if s.ends_with('>')
            && let Some(open) = s.rfind('<')
        {
            s = &s[open + 1..s.len() - 1];
        }
        let s = s.strip_prefix("mailto:").unwrap_or(s);
        if valid_at_once(s.as_bytes()) {
            return Ok((Email(SmallText::ascii_lowercase(s)), None));
        }
        Email::by_rules(s, invalid)
    }

    /// [`Email::parse`] of the address `s` (trimmed, out of its `<…>` and `mailto:`), rule by
    /// rule: the address, or the first rule it breaks.
    pub(super) fn by_rules(s: &str, invalid: impl Fn(&str) -> Note) -> Parsed<Email> {
        let plain = s.is_ascii() && !s.bytes().any(crate::text::is_space);
        let addr: SmallText = if plain {
            SmallText::ascii_lowercase(s)
        } else {
            s.chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect::<String>()
                .into()
        };
        // Read by byte positions: `@` and `.` are ASCII, so every cut lies between characters.
        // No rule below depends on case, so plain ASCII is read as it came.
        let text = if plain { s } else { addr.as_str() };
        let Some(at) = text.bytes().position(|b| b == b'@') else {
            return Err(invalid("an email address needs an @"));
        };
        let (local, domain) = (
            text.get(..at).unwrap_or_default(),
            text.get(at + 1..).unwrap_or_default(),
        );
        if domain.bytes().any(|b| b == b'@') {
            return Err(invalid("an email address has exactly one @"));
        }
        if local.is_empty() || local.len() > 64 {
            return Err(invalid("the part before the @ must be 1 to 64 characters"));
        }
        if local.starts_with('.')
            || local.ends_with('.')
            || local.as_bytes().windows(2).any(|w| w == b"..")
        {
            return Err(invalid("the part before the @ has a misplaced dot"));
        }
        // Beyond ASCII (where every allowed symbol is), any letter or digit.
        let local_ok = |c: char| match u8::try_from(c) {
            Ok(b) if b.is_ascii() => LOCAL_ASCII[usize::from(b)],
            _ => c.is_alphanumeric(),
        };
        let local_fits = if local.is_ascii() {
            local.bytes().all(|b| LOCAL_ASCII[usize::from(b)])
        } else {
            local.chars().all(local_ok)
        };
        if !local_fits {
            return Err(invalid(
                "the part before the @ has a character an address cannot hold",
            ));
        }
        if !domain.bytes().any(|b| b == b'.') || domain.len() > 253 {
            return Err(invalid("the domain needs a dot, as in example.com"));
        }
        // Each label between dots, the last the top-level domain.
        let mut tld = "";
        let mut start = 0;
        let dots = domain.bytes().enumerate().filter(|(_, b)| *b == b'.');
        for end in dots.map(|(i, _)| i).chain([domain.len()]) {
            let label = domain.get(start..end).unwrap_or_default();
            if label.is_empty()
                || label.len() > 63
                || label.starts_with('-')
                || label.ends_with('-')
                || !label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.chars().all(|c| c.is_alphanumeric() || c == '-')
            {
                return Err(invalid("the domain is not a valid host name"));
            }
            tld = label;
            start = end + 1;
        }
        if tld.len() < 2 || tld.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("the domain has no valid top-level domain"));
        }
        Ok((Email(addr), None))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Whether `s` is an address that [`Email::by_rules`] takes as it stands, apart from case:
/// ASCII without white space, read in one pass. `false` for anything else, which the rules
/// then read (and say what is wrong).
pub(super) fn valid_at_once(s: &[u8]) -> bool {
    // The part before the @: symbols of the table, no dot first, last or doubled.
    let mut at = 0;
    let mut after_dot = true;
    while let Some(&b) = s.get(at).filter(|b| **b != b'@') {
        let dot = b == b'.';
        if (dot && after_dot) || !LOCAL_ASCII.get(usize::from(b)).copied().unwrap_or(false) {
            return false;
        }
        after_dot = dot;
        at += 1;
    }
    let Some(domain) = s.get(at + 1..) else {
        return false;
    };
    if at == 0 || at > 64 || after_dot || domain.len() > 253 {
        return false;
    }
    // Labels of letters, digits and hyphens (not first or last), 1 to 63 long, between dots;
    // the last of two or more, not all digits.
    let (mut dots, mut label, mut digits, mut hyphen) = (0, 0, true, false);
    for &b in domain {
        match b {
            b'.' if label > 0 && !hyphen => {
                dots += 1;
                label = 0;
                digits = true;
                continue;
            }
            b'-' if label > 0 => digits = false,
            b if b.is_ascii_alphanumeric() => digits &= b.is_ascii_digit(),
            _ => return false,
        }
        hyphen = b == b'-';
        label += 1;
        if label > 63 {
            return false;
        }
    }
    dots > 0 && label >= 2 && !hyphen && !digits
}

/// The ASCII characters the part of an address before the @ may hold: letters, digits and
/// RFC 5322's symbols.
const LOCAL_ASCII: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'/'
                    | b'='
                    | b'?'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'{'
                    | b'|'
                    | b'}'
                    | b'~'
                    | b'.'
                    | b'-'
            );
        b += 1;
    }
    table
};

/// A two-letter USPS or Canada Post code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State(&'static str);

impl State {
    pub fn parse(raw: &str) -> Parsed<State> {
        // The common cases, a code or a name as the table spells it, need no rewriting.
        let t = trim(raw);
        if let [a, b] = *t.as_bytes()
            && a.is_ascii_alphabetic()
            && b.is_ascii_alphabetic()
        {
            let letter = |c: u8| usize::from(c.to_ascii_uppercase() - b'A');
            if let Some(i) = STATE_BY_CODE[letter(a) * 26 + letter(b)].checked_sub(1) {
                return Ok((State(STATES[usize::from(i)].0), None));
            }
        }
        // A name as the table spells it, in any case (a code was looked up above), among the
        // names of its length and first letter.
        let key = name_key(t.as_bytes());
        if let Some(((code, _), _)) = STATES
            .iter()
            .zip(STATE_NAME_KEYS)
            .find(|((_, n), k)| *k == key && n.eq_ignore_ascii_case(t))
        {
            return Ok((State(code), None));
        }
        let key: String = raw
            .trim()
            .chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    ' '
                }
            })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let code = if key.len() == 2 {
            STATES
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(&key))
                .map(|(c, _)| *c)
        } else {
            None
        };
        let code = code
            .or_else(|| {
                let compact = key.replace(' ', "");
                (compact.len() == 2)
                    .then(|| {
                        STATES
                            .iter()
                            .find(|(c, _)| c.eq_ignore_ascii_case(&compact))
                            .map(|(c, _)| *c)
                    })
                    .flatten()
            })
            .or_else(|| STATES.iter().find(|(_, n)| *n == key).map(|(c, _)| *c))
            .or_else(|| {
                STATE_ALIASES
                    .iter()
                    .find(|(n, _)| *n == key)
                    .map(|(_, c)| *c)
            })
            .and_then(|c| STATES.iter().find(|(s, _)| *s == c).map(|(s, _)| *s));
        match code {
            Some(c) => Ok((State(c), None)),
            None => Err(Note::new(
                IssueCode::InvalidState,
                format!(
                    "expected a US state, territory or Canadian province, found {:?}",
                    trim(raw)
                ),
            )),
        }
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

/// A US ZIP (`12345`, `12345-6789`), Canadian (`A1A 1A1`) or UK (`SW1A 1AA`) postal code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalCode(SmallText);

/// Where a postal code's one separator stands: `Some(None)` for none, `Some(Some(n))` after
/// `n` letters and digits, `None` for more than one separator or one with two hyphens. A
/// separator is a run of spaces and hyphens holding at most one hyphen.
fn separator(t: &str) -> Option<Option<usize>> {
    let mut at = None;
    let (mut seen, mut in_run, mut hyphens) = (0usize, false, 0);
    for c in t.chars() {
        if matches!(c, ' ' | '-') {
            if !in_run {
                if at.is_some() {
                    return None;
                }
                at = Some(seen);
                in_run = true;
            }
            hyphens += usize::from(c == '-');
            if hyphens > 1 {
                return None;
            }
        } else {
            in_run = false;
            seen += 1;
        }
    }
    Some(at)
}

impl PostalCode {
    pub fn parse(raw: &str) -> Parsed<PostalCode> {
        let t = trim(raw);
        // A ZIP code a spreadsheet turned into a number: `78704.0`.
        if let Some(whole) = t.strip_suffix(".0")
            && (5..=9).contains(&whole.len())
            && whole.bytes().all(|b| b.is_ascii_digit())
        {
            let (zip, note) = PostalCode::parse(whole)?;
            let note = note.or_else(|| {
                Some(Note::new(
                    IssueCode::SpreadsheetRecovered,
                    format!("{t:?} was a ZIP code stored as a number: the \".0\" was removed"),
                ))
            });
            return Ok((zip, note));
        }
        // Nearly every cell is a plain five-digit ZIP code or a ZIP+4 with one hyphen or space:
        // as the general path below takes them, without its copies.
        let digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
        if t.len() == 5 && digits(t.as_bytes()) {
            return Ok((PostalCode(SmallText::new(t)), None));
        }
        if let [zip @ .., sep, _, _, _, _] = t.as_bytes()
            && zip.len() == 5
            && matches!(sep, b'-' | b' ')
            && digits(zip)
            && digits(&t.as_bytes()[6..])
        {
            let mut code = [b'-'; 10];
            code[..5].copy_from_slice(zip);
            code[6..].copy_from_slice(&t.as_bytes()[6..]);
            // Ten ASCII bytes, so the check never fails.
            let code = std::str::from_utf8(&code).unwrap_or_default();
            return Ok((PostalCode(SmallText::new(code)), None));
        }
        let compact: String = t
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let b = compact.as_bytes();
        let digits = b.iter().all(u8::is_ascii_digit);
        // One separator between the two parts, as LeadConduit reads it: a hyphen or a space,
        // or a run of spaces around at most one hyphen (`78704 - 1234`, `Q2E      4U7`).
        let split = separator(t);
        let separators_ok = split.is_some();
        let split = split.flatten();
        if digits && separators_ok {
            if b.len() == 5 && split.is_none() {
                return Ok((PostalCode(compact.into()), None));
            }
            if b.len() == 9 && split.is_none_or(|at| at == 5) {
                return Ok((
                    PostalCode(format!("{}-{}", &compact[..5], &compact[5..]).into()),
                    None,
                ));
            }
            if matches!(b.len(), 3 | 4) {
                return Err(Note::new(
                    IssueCode::InvalidPostalCode,
                    format!(
                        "a ZIP code has 5 digits; {t:?} may have lost leading zeros, but the state does not show which"
                    ),
                ));
            }
        }
        if b.len() == 6 && split.is_none_or(|at| at == 3) && separators_ok && is_canadian(b) {
            return Ok((
                PostalCode(format!("{} {}", &compact[..3], &compact[3..]).into()),
                None,
            ));
        }
        if (5..=7).contains(&b.len())
            && split.is_none_or(|at| at + 3 == b.len())
            && separators_ok
            && is_uk(b)
        {
            let split = b.len() - 3;
            return Ok((
                PostalCode(format!("{} {}", &compact[..split], &compact[split..]).into()),
                None,
            ));
        }
        Err(Note::new(
            IssueCode::InvalidPostalCode,
            format!(
                "expected a US ZIP code (12345 or 12345-6789), a Canadian or a UK postal code, found {t:?}"
            ),
        ))
    }

    /// A 3- or 4-digit ZIP code that lost its leading zeros in a spreadsheet, restored when
    /// the row's state owns the padded prefix, which makes the original certain.
    pub fn restore_leading_zeros(raw: &str, state: &State) -> Option<(PostalCode, Note)> {
        let t = trim(raw);
        let (zip, plus4) = match t.split_once(['-', ' ']) {
            Some((z, p)) if p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()) => (z, Some(p)),
            Some(_) => return None,
            None => (t, None),
        };
        if !matches!(zip.len(), 3 | 4) || !zip.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let padded = format!("{zip:0>5}");
        let prefix: u16 = padded[..3].parse().ok()?;
        let owner = ZERO_ZIP_PREFIXES
            .iter()
            .find(|(lo, hi, _)| (*lo..=*hi).contains(&prefix))?
            .2;
        if owner != state.as_str() {
            return None;
        }
        let value = match plus4 {
            Some(p) => format!("{padded}-{p}"),
            None => padded.clone(),
        };
        let note = Note::new(
            IssueCode::LeadingZeroRestored,
            format!(
                "the ZIP code {zip:?} lost its leading zeros in a spreadsheet; {state} ZIP codes begin {}",
                &padded[..3],
                state = state.as_str()
            ),
        );
        Some((PostalCode(value.into()), note))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// `A1A 1A1` by shape. DESIGN.md's own example (`q2e4u7` → `Q2E 4U7`) uses letters Canada
/// Post never assigns, so the letters are not restricted further.
fn is_canadian(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, c)| {
        if i % 2 == 0 {
            c.is_ascii_uppercase()
        } else {
            c.is_ascii_digit()
        }
    })
}

/// UK postcodes: outward code `A9`, `A99`, `AA9`, `AA99`, `A9A` or `AA9A`, then inward `9AA`.
fn is_uk(b: &[u8]) -> bool {
    let (out, inward) = b.split_at(b.len() - 3);
    let inward_ok = inward[0].is_ascii_digit()
        && inward[1].is_ascii_uppercase()
        && inward[2].is_ascii_uppercase();
    let a = |i: usize| out.get(i).is_some_and(u8::is_ascii_uppercase);
    let d = |i: usize| out.get(i).is_some_and(u8::is_ascii_digit);
    let out_ok = match out.len() {
        2 => a(0) && d(1),
        3 => (a(0) && d(1) && d(2)) || (a(0) && a(1) && d(2)) || (a(0) && d(1) && a(2)),
        4 => a(0) && a(1) && d(2) && (d(3) || a(3)),
        _ => false,
    };
    inward_ok && out_ok
}

/// `male`, `female` or `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
    Other,
}

impl Gender {
    pub fn parse(raw: &str) -> Parsed<Gender> {
        const WORDS: &[(&str, Gender)] = &[
            ("m", Gender::Male),
            ("male", Gender::Male),
            ("man", Gender::Male),
            ("masculine", Gender::Male),
            ("f", Gender::Female),
            ("female", Gender::Female),
            ("woman", Gender::Female),
            ("feminine", Gender::Female),
            ("o", Gender::Other),
            ("other", Gender::Other),
            ("x", Gender::Other),
            ("nonbinary", Gender::Other),
            ("non-binary", Gender::Other),
            ("non binary", Gender::Other),
            ("nb", Gender::Other),
        ];
        let t = trim(raw);
        let g = match WORDS.iter().find(|(w, _)| w.eq_ignore_ascii_case(t)) {
            Some((_, g)) => *g,
            None => {
                return Err(Note::new(
                    IssueCode::InvalidGender,
                    format!("expected male, female or other, found {:?}", trim(raw)),
                ));
            }
        };
        Ok((g, None))
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::Other => "other",
        }
    }
}
