//! Cleaning: raw cell text becomes a typed value in its normal form, or a note saying why not.
//!
//! Every domain type here has one way in, its `parse` function, so a value of the type is always
//! in normal form; and `parse(value.as_str())` gives the value back (cleaning is idempotent).

mod contact;
mod datetime;
mod nanp;
mod number;
mod phone;
mod small;
pub(crate) mod tables;
mod web;

use std::borrow::Cow;

use serde::{Serialize, Serializer};

pub use self::contact::{Email, Gender, PostalCode, State};
pub(crate) use self::datetime::write_date;
pub use self::datetime::{Date, Timestamp, Zone, ZoneError};
pub use self::nanp::is_valid as nanp_is_valid;
pub use self::number::{DecimalSeparator, Number};
pub use self::phone::Phone;
pub(crate) use self::small::SmallText;
pub use self::web::{IpAddress, JornayaToken, TrustedFormUrl, Url};
use crate::field::{Field, FieldType};
use crate::issue::IssueCode;
use crate::text::{clean_text, trim};

/// Why a value was not taken as it stood: an error (the field becomes null) or a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub code: IssueCode,
    pub message: String,
}

impl Note {
    pub(crate) fn new(code: IssueCode, message: impl Into<String>) -> Self {
        Note {
            code,
            message: message.into(),
        }
    }
}

/// What a domain type's `parse` returns: the value and maybe a warning, or the error.
pub type Parsed<T> = Result<(T, Option<Note>), Note>;

/// Settings that change how values are read.
#[derive(Debug, Clone)]
pub struct CleanOptions {
    /// The zone of timestamps that carry none (LeadConduit exports are UTC).
    pub timezone: Zone,
    /// Today, for dates that must lie in the past (a two-digit birth year is read from it).
    pub today: chrono::NaiveDate,
    /// Which character separates decimals in numbers.
    pub decimal: DecimalSeparator,
}

impl CleanOptions {
    /// The defaults (UTC, a decimal dot) for a run on `today`. There is no `Default`: the core
    /// reads no clock, so the caller says what day it is.
    pub fn new(today: chrono::NaiveDate) -> CleanOptions {
        CleanOptions {
            timezone: Zone::Utc,
            today,
            decimal: DecimalSeparator::Dot,
        }
    }
}

/// A masked value as LeadConduit writes it (`512*******`): kept, flagged, never invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked(SmallText);

impl Masked {
    /// A typed value that hides a run of its characters behind `**`. A single `*` is not a
    /// mask: it is a character some values (an email's local part) may hold.
    pub fn parse(raw: &str) -> Option<Masked> {
        let t = trim(raw);
        // Nearly every cell holds no `*` at all: one byte search rules it out.
        (t.as_bytes().contains(&b'*') && t.contains("**") && !t.chars().any(char::is_control))
            .then(|| Masked(SmallText::new(t)))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Trimmed text with control characters other than tab and newline removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(SmallText);

impl Text {
    pub fn parse(raw: &str) -> Parsed<Text> {
        let (text, removed) = clean_text(raw);
        Ok((
            Text(SmallText::new(&text)),
            removed.then(Text::controls_removed),
        ))
    }

    /// `text` as the value of `slot` (`None` when empty), made where it is kept: over the
    /// text the slot held (the last row's, in the validator), when both fit in place.
    fn into_slot(text: &str, slot: &mut Option<Value>) {
        if let Some(Value::Text(Text(small))) = slot
            && !text.is_empty()
            && small.set(text)
        {
            return;
        }
        *slot = (!text.is_empty()).then(|| Value::Text(Text(SmallText::new(text))));
    }

    fn controls_removed() -> Note {
        Note::new(
            IssueCode::ControlCharactersRemoved,
            "control characters were removed",
        )
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// A cleaned value in its normal form.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    Text(Text),
    Email(Email),
    Phone(Phone),
    State(State),
    PostalCode(PostalCode),
    Date(Date),
    Timestamp(Timestamp),
    Gender(Gender),
    Number(Number),
    Boolean(bool),
    Ip(IpAddress),
    Url(Url),
    TrustedForm(TrustedFormUrl),
    Jornaya(JornayaToken),
    Masked(Masked),
}

impl Value {
    /// The normal form as text (what a CSV cell or a database text column holds).
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            Value::Text(v) => Cow::Borrowed(v.as_str()),
            Value::Email(v) => Cow::Borrowed(v.as_str()),
            Value::Phone(v) => Cow::Borrowed(v.as_str()),
            Value::State(v) => Cow::Borrowed(v.as_str()),
            Value::PostalCode(v) => Cow::Borrowed(v.as_str()),
            Value::Date(v) => Cow::Owned(v.to_string()),
            Value::Timestamp(v) => Cow::Owned(v.to_string()),
            Value::Gender(v) => Cow::Borrowed(v.as_str()),
            Value::Number(v) => Cow::Owned(v.to_string()),
            Value::Boolean(v) => Cow::Borrowed(if *v { "true" } else { "false" }),
            Value::Ip(v) => Cow::Owned(v.to_string()),
            Value::Url(v) => Cow::Borrowed(v.as_str()),
            Value::TrustedForm(v) => Cow::Borrowed(v.as_str()),
            Value::Jornaya(v) => Cow::Borrowed(v.as_str()),
            Value::Masked(v) => Cow::Borrowed(v.as_str()),
        }
    }

    /// Whether the value is a masked placeholder rather than a real value.
    pub fn is_masked(&self) -> bool {
        matches!(self, Value::Masked(_))
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Number(n) => n.serialize(s),
            Value::Boolean(b) => s.serialize_bool(*b),
            other => s.serialize_str(&other.to_text()),
        }
    }
}

/// The result of cleaning one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    /// The value, or `None` for an empty cell or a value that could not be cleaned.
    pub value: Option<Value>,
    /// A warning about the value, or the error that made it null.
    pub note: Option<Note>,
}

/// The text of a spreadsheet text formula, `="…"` with its quotes doubled inside; `None` for
/// anything else (another formula is a value like any other).
fn text_formula(raw: &str) -> Option<String> {
    let inner = trim(raw).strip_prefix("=\"")?.strip_suffix('"')?;
    (!inner.replace("\"\"", "").contains('"')).then(|| inner.replace("\"\"", "\""))
}

/// Cleans one raw cell for `field`. An empty cell is null and never an issue.
pub fn clean(field: Field, raw: &str, options: &CleanOptions) -> Cleaned {
    let mut value = None;
    let note = clean_into(field, raw, options, &mut value);
    Cleaned { value, note }
}

/// [`clean`] into `slot` (the value, or `None`), returning the note, as the validator keeps a
/// row's values: text (more than half of a lead's cells) is made straight into the slot. Made
/// in a [`Cleaned`] and moved, each text value was read back as soon as it was written, byte by
/// byte, and the processor's store forwarding stalled (a third of `clean`'s time natively, by
/// `perf annotate`; validation 4 % faster without it).
pub fn clean_into(
    field: Field,
    raw: &str,
    options: &CleanOptions,
    slot: &mut Option<Value>,
) -> Option<Note> {
    if matches!(
        field.ty(),
        FieldType::Text | FieldType::Name | FieldType::Id
    ) {
        let trimmed = trim(raw);
        if !trimmed.starts_with("=\"") {
            // Nearly every cell: no control character, so the trimmed text is the text.
            if !crate::text::may_hold_control(trimmed) {
                Text::into_slot(trimmed, slot);
                return None;
            }
            let (text, removed) = crate::text::clean_text(trimmed);
            Text::into_slot(&text, slot);
            return removed.then(Text::controls_removed);
        }
    }
    let cleaned = clean_typed(field, raw, options);
    *slot = cleaned.value;
    cleaned.note
}

/// [`clean`] for every field type: text too (a text formula, `="…"`, comes here). A typed
/// value in its commonest form is read at once ([`at_once`]), without the scan for control
/// characters and masks that could find nothing in it.
fn clean_typed(field: Field, raw: &str, options: &CleanOptions) -> Cleaned {
    match at_once(field.ty(), raw, options) {
        Some(value) => Cleaned {
            value: Some(value),
            note: None,
        },
        None => clean_typed_generally(field, raw, options),
    }
}

/// The value `raw` is when it stands in its type's commonest form, made only of characters
/// that are no control character and no `*`: what [`clean_typed_generally`] reads of it, with
/// no note. `None` for the rest.
fn at_once(ty: FieldType, raw: &str, options: &CleanOptions) -> Option<Value> {
    match ty {
        FieldType::Number => Number::at_once(raw, options.decimal).map(Value::Number),
        FieldType::Date => Date::at_once(raw, options.today).map(Value::Date),
        FieldType::Timestamp => Timestamp::at_once(raw, &options.timezone).map(Value::Timestamp),
        FieldType::Ip => IpAddress::at_once(raw).map(Value::Ip),
        FieldType::Email => Email::at_once(raw).map(Value::Email),
        FieldType::Phone => Phone::at_once(raw).map(Value::Phone),
        FieldType::TrustedForm => TrustedFormUrl::at_once(raw).map(Value::TrustedForm),
        FieldType::Jornaya => JornayaToken::at_once(raw).map(Value::Jornaya),
        _ => None,
    }
}

/// [`clean_typed`] without the values read at once.
fn clean_typed_generally(field: Field, raw: &str, options: &CleanOptions) -> Cleaned {
    let ty = field.ty();
    let trimmed = trim(raw);
    if trimmed.is_empty() {
        return Cleaned {
            value: None,
            note: None,
        };
    }
    // Excel's text formula (`="02134"`, written to keep leading zeros): its text, said so.
    if trimmed.starts_with("=\"")
        && let Some(inner) = text_formula(raw)
    {
        let mut cleaned = clean(field, &inner, options);
        if cleaned.value.is_some() && cleaned.note.is_none() {
            cleaned.note = Some(Note::new(
                IssueCode::SpreadsheetRecovered,
                "a spreadsheet text formula (=\"…\") was unwrapped",
            ));
        }
        return cleaned;
    }
    let typed = !matches!(ty, FieldType::Text | FieldType::Name | FieldType::Id);
    let (control, star) = if typed { scan(raw) } else { (false, false) };
    // NUL and other control characters never belong in a typed value: remove them, say so.
    if control {
        let kept: String = raw
            .chars()
            .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let mut cleaned = clean(field, &kept, options);
        if cleaned.value.is_some() && cleaned.note.is_none() {
            cleaned.note = Some(Note::new(
                IssueCode::ControlCharactersRemoved,
                "control characters were removed",
            ));
        }
        return cleaned;
    }
    if star && let Some(m) = Masked::parse(raw) {
        let note = Note::new(IssueCode::Masked, "the value is masked in the export");
        return Cleaned {
            value: Some(Value::Masked(m)),
            note: Some(note),
        };
    }
    let parsed: Parsed<Value> = match ty {
        // Text keeps what it can (its parse never fails), straight to its result. Trimmed
        // already (and trimming twice changes nothing).
        FieldType::Id | FieldType::Text | FieldType::Name => {
            return match Text::parse(trimmed) {
                // Text that held only control characters is empty once cleaned: null, as an
                // empty cell.
                Ok((t, note)) if t.0.is_empty() => Cleaned { value: None, note },
                Ok((t, note)) => Cleaned {
                    value: Some(Value::Text(t)),
                    note,
                },
                Err(note) => Cleaned {
                    value: None,
                    note: Some(note),
                },
            };
        }
        FieldType::Email => Email::parse(raw).map(wrap(Value::Email)),
        FieldType::Phone => Phone::parse(raw).map(wrap(Value::Phone)),
        FieldType::State => State::parse(raw).map(wrap(Value::State)),
        FieldType::PostalCode => PostalCode::parse(raw).map(wrap(Value::PostalCode)),
        FieldType::Date => Date::parse_past(raw, options.today).map(wrap(Value::Date)),
        FieldType::Timestamp => {
            Timestamp::parse(raw, &options.timezone).map(wrap(Value::Timestamp))
        }
        FieldType::Gender => Gender::parse(raw).map(wrap(Value::Gender)),
        FieldType::Number => match Number::parse(raw, options.decimal) {
            Ok(Some(n)) => Ok((Value::Number(n.0), n.1)),
            Ok(None) => {
                return Cleaned {
                    value: None,
                    note: None,
                };
            }
            Err(e) => Err(e),
        },
        // The original tool read `duplicate` in a duplicate column as yes; so does leadsift.
        FieldType::Boolean
            if field == Field::IsDuplicate
                && ["duplicate", "dup", "dupe"]
                    .iter()
                    .any(|w| trim(raw).eq_ignore_ascii_case(w)) =>
        {
            Ok((Value::Boolean(true), None))
        }
        FieldType::Boolean => parse_bool(raw).map(|b| (Value::Boolean(b), None)),
        FieldType::Ip => IpAddress::parse(raw).map(wrap(Value::Ip)),
        FieldType::Url => Url::parse(raw).map(wrap(Value::Url)),
        FieldType::TrustedForm => TrustedFormUrl::parse(raw).map(wrap(Value::TrustedForm)),
        FieldType::Jornaya => JornayaToken::parse(raw).map(wrap(Value::Jornaya)),
    };
    match parsed {
        Ok((value, note)) => Cleaned {
            value: Some(value),
            note,
        },
        Err(note) => Cleaned {
            value: None,
            note: Some(note),
        },
    }
}

fn wrap<T>(f: fn(T) -> Value) -> impl Fn((T, Option<Note>)) -> (Value, Option<Note>) {
    move |(v, n)| (f(v), n)
}

/// Whether `raw` holds a control character other than tab, newline and carriage return, and
/// whether it holds a `*` (which a mask needs).
fn scan(raw: &str) -> (bool, bool) {
    // One pass without early exit (a vector scan natively, eight bytes at a time in wasm)
    // rules out nearly every cell: a control character is a byte below 0x20, 0x7f, or (C1,
    // U+0080..U+009F) a sequence led by 0xc2.
    let (maybe, star) = crate::text::scan_bytes(raw.as_bytes());
    (maybe && has_control(raw), star)
}

/// Whether `raw` holds a control character other than tab, newline and carriage return.
fn has_control(raw: &str) -> bool {
    if raw.is_ascii() {
        raw.bytes()
            .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
    } else {
        raw.chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    }
}

/// `true` / `false` from the spellings people and spreadsheets use.
pub fn parse_bool(raw: &str) -> Result<bool, Note> {
    let t = trim(raw);
    const TRUE: &[&str] = &["true", "t", "yes", "y", "1", "on", "1.0"];
    const FALSE: &[&str] = &["false", "f", "no", "n", "0", "off", "0.0"];
    // `Yes!`, `no.`: a word with an exclamation mark or a full stop is still that word.
    let word = t.trim_end_matches(['!', '.']);
    let is = |words: &[&str]| {
        words
            .iter()
            .any(|w| t.eq_ignore_ascii_case(w) || word.eq_ignore_ascii_case(w))
    };
    if is(TRUE) {
        Ok(true)
    } else if is(FALSE) {
        Ok(false)
    } else {
        Err(Note::new(
            IssueCode::InvalidBoolean,
            format!("expected yes/no, true/false or 1/0, found {t:?}"),
        ))
    }
}

#[cfg(test)]
mod tests;
