//! Numbers: currency signs, thousands separators, accounting negatives; nothing guessed.

use serde::{Deserialize, Serialize, Serializer};

use super::Note;
use crate::issue::IssueCode;
use crate::text::trim;

/// Which character separates the decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecimalSeparator {
    /// `1,234.5`
    Dot,
    /// `1.234,5`, as in files written with semicolons by European spreadsheets.
    Comma,
}

/// A finite number. Serialises as a JSON integer when it is whole.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(f64);

const NULL_WORDS: &[&str] = &["n/a", "na", "none", "null", "nil", "-", "--", "—", "#n/a"];

impl Number {
    /// The number that `raw` is in its commonest form (plain digits, maybe after `$`), made of
    /// visible ASCII with no `*` (so the general path's scan for control characters and masks could
    /// find nothing), as [`Number::parse`] reads it; `None` for anything else, which the general
    /// path reads.
    pub(super) fn at_once(raw: &str, decimal: DecimalSeparator) -> Option<Number> {
        plain_decimal(raw.strip_prefix('$').unwrap_or(raw), decimal).map(Number)
    }

    /// `Ok(None)` for the placeholders that mean "no value" (`N/A`, `-`, `null`).
    pub fn parse(
        raw: &str,
        decimal: DecimalSeparator,
    ) -> Result<Option<(Number, Option<Note>)>, Note> {
        let t = trim(raw);
        // The common case, plain digits with at most one decimal dot, needs no rewriting: only
        // `1.234` under a decimal comma is read otherwise (as grouping), so it goes the long way.
        // A dollar sign before them (`$93.20`, a price as most exports write it) changes
        // nothing: the long way strips it and reads the same digits. (No placeholder below is
        // digits.)
        let digits = t.strip_prefix('$').unwrap_or(t);
        if let Some(v) = plain_decimal(digits, decimal) {
            return Ok(Some((Number(v), None)));
        }
        if NULL_WORDS.iter().any(|w| t.eq_ignore_ascii_case(w)) {
            return Ok(None);
        }
        let dots = digits.bytes().filter(|&b| b == b'.').count();
        let plain = !digits.is_empty()
            && digits != "."
            && dots <= 1
            && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let grouping_possible = dots == 1
            && decimal == DecimalSeparator::Comma
            && digits.rsplit('.').next().is_some_and(|f| f.len() == 3);
        if plain
            && !grouping_possible
            && let Ok(v) = digits.parse::<f64>()
            && v.is_finite()
        {
            return Ok(Some((Number(v), None)));
        }
        let invalid =
            |why: &str| Note::new(IssueCode::InvalidNumber, format!("{why}, found {t:?}"));
        let mut s = t;
        let mut negative = false;
        if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
            negative = true;
            s = inner.trim();
        }
        if let Some(rest) = s.strip_prefix('-') {
            if negative {
                return Err(invalid("a number has one minus sign"));
            }
            negative = true;
            s = rest.trim_start();
        } else if let Some(rest) = s.strip_prefix('+') {
            s = rest.trim_start();
        }
        for sym in ["USD", "CAD", "EUR", "GBP", "US$", "C$", "$", "€", "£", "¥"] {
            if let Some(rest) = s.strip_prefix(sym) {
                s = rest.trim_start();
                break;
            }
            if let Some(rest) = s.strip_suffix(sym) {
                s = rest.trim_end();
                break;
            }
        }
        if !negative && let Some(rest) = s.strip_prefix('-') {
            negative = true;
            s = rest.trim_start();
        }
        // `$1100 per month`: an amount with its period written after it is that amount.
        for period in [
            " per month",
            " per mo",
            " a month",
            "/month",
            "/mo",
            " per year",
            " per yr",
            " a year",
            "/year",
            "/yr",
            " per week",
            "/week",
            "/wk",
            " each",
            " ea",
        ] {
            if s.len() > period.len()
                && s.get(s.len() - period.len()..)
                    .is_some_and(|t| t.eq_ignore_ascii_case(period))
            {
                s = s[..s.len() - period.len()].trim_end();
                break;
            }
        }
        let (mantissa, exponent) = match s.find(['e', 'E']) {
            Some(at) => (&s[..at], Some(&s[at + 1..])),
            None => (s, None),
        };
        let body: String = mantissa
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
            .collect();
        if body.is_empty()
            || !body
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        {
            return Err(invalid("expected a number"));
        }
        let canonical = canonical_digits(&body, decimal).map_err(&invalid)?;
        let mut text = if negative {
            format!("-{canonical}")
        } else {
            canonical
        };
        if let Some(e) = exponent {
            let e = e.strip_prefix('+').unwrap_or(e);
            let digits = e.strip_prefix('-').unwrap_or(e);
            if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(invalid("the exponent must be a whole number"));
            }
            text.push('e');
            text.push_str(e);
        }
        let value: f64 = text.parse().map_err(|_| invalid("expected a number"))?;
        if !value.is_finite() {
            return Err(invalid("the number is out of range"));
        }
        Ok(Some((Number(value), None)))
    }

    pub fn value(self) -> f64 {
        self.0
    }

    fn as_whole(self) -> Option<i64> {
        (self.0.fract() == 0.0 && self.0.abs() < 9.0e15).then_some(self.0 as i64)
    }
}

/// Plain digits with at most one decimal dot, at least one digit and at most 15 (so that they
/// are exact as an integer): their value as `str::parse` reads it, from one division of exact
/// numbers, which rounds once and correctly as the parse does. `None` for anything else, and
/// for a dot before three digits under a decimal comma (grouping: the long way reads it).
pub(super) fn plain_decimal(digits: &str, decimal: DecimalSeparator) -> Option<f64> {
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (mut mantissa, mut count, mut dot, mut decimals) = (0u64, 0usize, false, 0usize);
    for &b in digits.as_bytes() {
        match b {
            b'0'..=b'9' if count < 15 => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
                decimals += usize::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => return None,
        }
    }
    if count == 0 || (dot && decimals == 3 && decimal == DecimalSeparator::Comma) {
        return None;
    }
    // At most 15 digits: a mantissa below 2^53 and a power of ten that are both exact.
    Some(mantissa as f64 / POWERS[decimals])
}

/// Turns `1,234.5` (or `1.234,5`) into `1234.5`. A lone separator followed by exactly three
/// digits could be either (`1,234`): the file's decimal separator decides it. A dot that
/// cannot be grouping is a decimal point in any file (the form every program writes); a comma
/// is a decimal separator only in a file whose decimals are commas, so `1,10` in a file of
/// decimal dots is an error, not a guess.
fn canonical_digits(body: &str, decimal: DecimalSeparator) -> Result<String, &'static str> {
    let (dots, commas) = (body.matches('.').count(), body.matches(',').count());
    let dec = match (dots, commas) {
        (0, 0) => None,
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let after = body.rsplit(sep).next().unwrap_or("");
            if dots + commas > 1 {
                None
            } else if after.len() != 3 && sep == ',' && decimal == DecimalSeparator::Dot {
                return Err(
                    "a comma that is not a thousands separator (groups of three digits), in a \
                     file whose decimal separator is a dot: write the number with a dot",
                );
            } else if after.len() != 3 {
                Some(sep)
            } else {
                Some(match decimal {
                    DecimalSeparator::Dot => '.',
                    DecimalSeparator::Comma => ',',
                })
                .filter(|d| *d == sep)
            }
        }
        _ => body.rfind(['.', ',']).map(|i| body.as_bytes()[i] as char),
    };
    let (int, frac) = match dec {
        Some(d) => body
            .rsplit_once(d)
            .map_or((body, None), |(i, f)| (i, Some(f))),
        None => (body, None),
    };
    if dec.is_some_and(|d| int.contains(d)) || frac.is_some_and(|f| f.contains(['.', ','])) {
        return Err("a number has at most one decimal separator");
    }
    let int = if int.contains(['.', ',']) {
        let group = if int.contains(',') { ',' } else { '.' };
        if int.contains(',') && int.contains('.') {
            return Err("the thousands separators are mixed");
        }
        grouped(int, group)?
    } else {
        int.to_owned()
    };
    if int.is_empty() && frac.is_none_or(str::is_empty) {
        return Err("expected a number");
    }
    let int = if int.is_empty() { "0".to_owned() } else { int };
    Ok(match frac {
        Some(f) if !f.is_empty() => format!("{int}.{f}"),
        _ => int,
    })
}

/// `1,234,567` → `1234567`, rejecting groups that are not three digits.
fn grouped(s: &str, sep: char) -> Result<String, &'static str> {
    let mut parts = s.split(sep);
    let first = parts.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 {
        return Err("the thousands separators are misplaced");
    }
    let mut out = first.to_owned();
    for p in parts {
        if p.len() != 3 {
            return Err("the thousands separators are misplaced");
        }
        out.push_str(p);
    }
    Ok(out)
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.as_whole() {
            Some(i) => write!(f, "{i}"),
            None => write!(f, "{}", self.0),
        }
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_whole() {
            Some(i) => s.serialize_i64(i),
            None => s.serialize_f64(self.0),
        }
    }
}
