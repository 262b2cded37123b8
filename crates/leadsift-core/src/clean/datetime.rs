//! Dates and timestamps: US-first formats, ISO 8601, month names, epochs; output in UTC.

use chrono::{
    DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Utc,
};

use super::{Note, Parsed};
use crate::issue::IssueCode;
use crate::text::trim;

/// The zone of timestamps that carry none.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    Utc,
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

/// A time zone name that is neither `UTC`, an offset like `-05:00`, nor an IANA name.
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown time zone {0:?}: use UTC, an offset such as -05:00, or an IANA name such as America/Chicago"
)]
#[non_exhaustive]
pub struct ZoneError(pub String);

impl std::str::FromStr for Zone {
    type Err = ZoneError;

    fn from_str(s: &str) -> Result<Zone, ZoneError> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utc")
            || t.eq_ignore_ascii_case("z")
            || t.eq_ignore_ascii_case("gmt")
        {
            return Ok(Zone::Utc);
        }
        if let Some(off) = parse_offset(t) {
            return Ok(Zone::Fixed(off));
        }
        t.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| ZoneError(t.to_owned()))
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Zone::Utc => f.write_str("UTC"),
            Zone::Fixed(o) => write!(f, "{o}"),
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

impl Zone {
    pub(super) fn to_utc(&self, local: NaiveDateTime) -> Result<DateTime<Utc>, &'static str> {
        fn one<T: TimeZone>(r: LocalResult<DateTime<T>>) -> Result<DateTime<Utc>, &'static str> {
            match r {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
                LocalResult::None => {
                    Err("this local time does not exist in the time zone (a daylight-saving gap)")
                }
            }
        }
        match self {
            Zone::Utc => Ok(Utc.from_utc_datetime(&local)),
            Zone::Fixed(o) => one(o.from_local_datetime(&local)),
            Zone::Named(tz) => one(tz.from_local_datetime(&local)),
        }
    }
}

/// `+05:00`, `-0500`, `+05`.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &s[1..];
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || rest.matches(':').count() > 1 {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 18 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(NaiveDate);

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_number(token: &str) -> Option<u32> {
    let t = token.trim_end_matches('.');
    // A month's name starts with a letter; digits (most dates) are ruled out before any copy.
    if t.len() < 3 || !t.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let t = t.to_ascii_lowercase();
    let t = t.as_str();
    let i = MONTHS.iter().position(|m| t.starts_with(m))?;
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][i];
    (full.starts_with(t) || t == "sept").then_some(i as u32 + 1)
}

/// A spreadsheet's date serial (days since 1899-12-30, as Excel and LibreOffice count them
/// past February 1900): five digits, and a fraction of a day when `with_time`. The date and the
/// seconds into it.
fn spreadsheet_serial(t: &str, with_time: bool) -> Option<(NaiveDate, u32)> {
    let (days, frac) = match t.split_once('.') {
        Some((d, f)) if with_time && !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            (d, Some(f))
        }
        Some(_) => return None,
        None => (t, None),
    };
    if days.len() != 5 || !days.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let days: i64 = days.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(1899, 12, 30)?
        .checked_add_days(chrono::Days::new(u64::try_from(days).ok()?))?;
    let seconds = match frac {
        Some(f) => {
            let f: f64 = format!("0.{f}").parse().ok()?;
            ((f * 86_400.0).round() as u32).min(86_399)
        }
        None => 0,
    };
    Some((date, seconds))
}

/// The warning a recovered serial carries.
fn serial_note(t: &str, read: &str) -> Note {
    Note::new(
        IssueCode::SpreadsheetRecovered,
        format!("{t:?} was a spreadsheet date serial: read as {read}"),
    )
}

impl Date {
    /// The birth date that `raw` is in its commonest forms ([`plain_date`]), made of visible ASCII
    /// with no `*` (so the general path's scan for control characters and masks could find
    /// nothing), as [`Date::parse_past`] reads it; `None` for anything else, which the general path
    /// reads.
    pub(super) fn at_once(raw: &str, today: NaiveDate) -> Option<Date> {
        plain_date(raw).filter(|d| *d <= today).map(Date)
    }

    /// A date that must not lie after `today` (a birth date); a two-digit year is the latest
    /// year with those digits that is not in the future.
    pub fn parse_past(raw: &str, today: NaiveDate) -> Parsed<Date> {
        let t = trim(raw);
        // The commonest forms, read by position; their two-digit year check is moot (the year
        // has four digits).
        if let Some(date) = Date::at_once(t, today) {
            return Ok((date, None));
        }
        let invalid = |why: &str| Note::new(IssueCode::InvalidDate, format!("{why}, found {t:?}"));
        // A spreadsheet serial is looked for only when the text is no date.
        let (date, note) = match parse_date(t, today) {
            Ok(parsed) => parsed,
            Err(why) => match spreadsheet_serial(t, false) {
                Some((date, _)) => (date, Some(serial_note(t, &date.to_string()))),
                None => return Err(invalid(why)),
            },
        };
        if date > today {
            return Err(invalid("a birth date cannot lie in the future"));
        }
        let (date, note) = match two_digit_year(t) {
            Some(yy) if note.is_none() => adult_century(date, yy, today),
            _ => (date, note),
        };
        Ok((Date(date), note))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_date(f, self.0)
    }
}

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d` writes it (a year past 9999 with `+`, one before year 0
/// with `-` and four digits), without a format string: the cleaned CSV writes two dates a row,
/// and the browser app carries no format-string interpreter (13 KB of wasm).
pub(crate) fn write_date(f: &mut impl std::fmt::Write, d: NaiveDate) -> std::fmt::Result {
    use chrono::Datelike;
    let year = d.year();
    match year {
        0..=9999 => write!(f, "{year:04}"),
        10000.. => write!(f, "+{year}"),
        _ => write!(f, "-{:04}", year.unsigned_abs()),
    }?;
    write!(f, "-{:02}-{:02}", d.month(), d.day())
}

/// The two digits of a date's year when it is written with two (`6/2/80`), else `None`.
pub(super) fn two_digit_year(t: &str) -> Option<&str> {
    // Read by byte: the characters looked for are ASCII, and no byte of a longer character is
    // an ASCII digit, so the runs are the same as by character.
    let date = match t.bytes().position(|b| matches!(b, b'T' | b' ')) {
        Some(at) if at >= 6 => t.get(..at).unwrap_or_default(),
        _ => t,
    };
    // Exactly three runs of digits, none of four, the last of two (kept in place: no copy).
    let mut runs: [&[u8]; 3] = [b""; 3];
    let mut count = 0;
    for run in date
        .as_bytes()
        .split(|b| !b.is_ascii_digit())
        .filter(|r| !r.is_empty())
    {
        if count == runs.len() {
            return None;
        }
        runs[count] = run;
        count += 1;
    }
    (count == 3 && runs[2].len() == 2 && !runs.iter().any(|r| r.len() == 4))
        .then(|| std::str::from_utf8(runs[2]).ok())
        .flatten()
}

/// A birth date whose year was written with two digits: the latest century that is not in the
/// future was chosen; when that makes the person younger than 18 the century before is taken
/// (a lead is an adult). Either way, when the choice was not the plain one, a warning says
/// which century it was.
fn adult_century(date: NaiveDate, yy: &str, today: NaiveDate) -> (NaiveDate, Option<Note>) {
    let adult = today.with_year(today.year() - 18).unwrap_or(today);
    let this_century = today.year() / 100 * 100 + date.year() % 100;
    let note = |d: NaiveDate, why: &str| {
        Some(Note::new(
            IssueCode::TwoDigitYear,
            format!("the two-digit year {yy} was read as {}: {why}", d.year()),
        ))
    };
    if date > adult {
        let earlier = date.with_year(date.year() - 100).unwrap_or(date);
        return (
            earlier,
            note(
                earlier,
                "a later century would make the lead younger than 18",
            ),
        );
    }
    if date.year() != this_century {
        return (date, note(date, "a later century would lie in the future"));
    }
    (date, None)
}

fn year_of(token: &str, today: NaiveDate) -> Option<i32> {
    if !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match token.len() {
        4 => token.parse().ok(),
        2 => {
            let yy: i32 = token.parse().ok()?;
            let century = today.year() / 100 * 100;
            Some(if century + yy <= today.year() {
                century + yy
            } else {
                century - 100 + yy
            })
        }
        _ => None,
    }
}

fn small(token: &str) -> Option<u32> {
    (token.len() <= 2 && !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()))
        .then(|| token.parse().ok())
        .flatten()
}

/// A weekday's name or its three-letter abbreviation, any case.
fn is_weekday(t: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let t = t.to_ascii_lowercase();
    t.len() >= 3 && DAYS.iter().any(|d| d.starts_with(&t))
}

/// The commonest written dates, `YYYY-MM-DD` and `M/D/YYYY` (the month and day of one or two
/// digits, any of `/`, `-` and `.` between the parts), read by position: the date
/// [`parse_date_generally`] reads, when it is a day of the calendar from 1800 on; else `None`,
/// and the general reading answers and says why. (A first part over 12, which the general
/// reading takes for the day, with a note, is no month here: `None`.)
pub(super) fn plain_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    // Three runs of digits (value, length), a separator between each two.
    let mut runs = [(0u32, 0usize); 3];
    let mut at = 0;
    for (k, run) in runs.iter_mut().enumerate() {
        if k > 0 {
            if !matches!(b.get(at), Some(b'/' | b'-' | b'.')) {
                return None;
            }
            at += 1;
        }
        let start = at;
        while let Some(&d) = b.get(at).filter(|d| d.is_ascii_digit()) {
            if at - start == 4 {
                return None;
            }
            run.0 = run.0 * 10 + u32::from(d - b'0');
            at += 1;
        }
        run.1 = at - start;
    }
    if at != b.len() {
        return None;
    }
    let (y, m, d) = match runs.map(|r| r.1) {
        [4, 1 | 2, 1 | 2] => (runs[0].0, runs[1].0, runs[2].0),
        [1 | 2, 1 | 2, 4] => (runs[2].0, runs[0].0, runs[1].0),
        _ => return None,
    };
    let y = i32::try_from(y).ok().filter(|y| *y >= 1800)?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The date part of a date or a date-time.
fn parse_date(t: &str, today: NaiveDate) -> Result<(NaiveDate, Option<Note>), &'static str> {
    match plain_date(t) {
        Some(date) => Ok((date, None)),
        None => parse_date_generally(t, today),
    }
}

/// [`parse_date`] for every form (the commonest are also read by [`plain_date`]).
pub(super) fn parse_date_generally(
    t: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, Option<Note>), &'static str> {
    const EXPECTED: &str = "expected a date such as 6/2/1980, 1980-06-02 or June 2, 1980";
    // A date-time whose time is midnight, as spreadsheets write birth dates: keep the date.
    let t = match t.split_once(['T', ' ']) {
        Some((d, time))
            if d.len() >= 8
                && time.trim_start().starts_with(|c: char| c.is_ascii_digit())
                && time.contains(':') =>
        {
            d
        }
        _ => t,
    };
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let (y, m, d) = (
            t[..4].parse().unwrap_or(0),
            t[4..6].parse().unwrap_or(0),
            t[6..].parse().unwrap_or(0),
        );
        return NaiveDate::from_ymd_opt(y, m, d)
            .filter(|_| y >= 1800)
            .map(|d| (d, None))
            .ok_or(EXPECTED);
    }
    // At most four tokens are ever read (a weekday and a date), so they are kept in place: a
    // date costs no allocation. A fifth token makes the text no date.
    let mut found = [""; 4];
    let mut count = 0;
    for token in t.split(['/', '-', '.', ' ', ',']).filter(|s| !s.is_empty()) {
        if count == found.len() {
            return Err(EXPECTED);
        }
        found[count] = token;
        count += 1;
    }
    // `Mon Jun 02 2014`, `Fri 18 July 2014`: a weekday before the date says nothing more.
    let tokens = match count {
        4 if is_weekday(found[0]) => &found[1..],
        3 => &found[..3],
        _ => return Err(EXPECTED),
    };
    let mut note = None;
    let (y, m, d) = if tokens[0].len() == 4 && tokens[0].bytes().all(|b| b.is_ascii_digit()) {
        let m = small(tokens[1])
            .or_else(|| month_number(tokens[1]))
            .ok_or(EXPECTED)?;
        (
            year_of(tokens[0], today).ok_or(EXPECTED)?,
            m,
            small(tokens[2]).ok_or(EXPECTED)?,
        )
    } else if let Some(m) = month_number(tokens[0]) {
        (
            year_of(tokens[2], today).ok_or(EXPECTED)?,
            m,
            small(tokens[1]).ok_or(EXPECTED)?,
        )
    } else if let Some(m) = month_number(tokens[1]) {
        (
            year_of(tokens[2], today).ok_or(EXPECTED)?,
            m,
            small(tokens[0]).ok_or(EXPECTED)?,
        )
    } else {
        let (a, b) = (
            small(tokens[0]).ok_or(EXPECTED)?,
            small(tokens[1]).ok_or(EXPECTED)?,
        );
        let y = year_of(tokens[2], today).ok_or(EXPECTED)?;
        if a > 12 && (1..=12).contains(&b) {
            note = Some(Note::new(
                IssueCode::DayFirstDate,
                format!("read as day/month/year because {a} cannot be a month"),
            ));
            (y, b, a)
        } else {
            (y, a, b)
        }
    };
    if y < 1800 {
        return Err(EXPECTED);
    }
    NaiveDate::from_ymd_opt(y, m, d)
        .map(|date| (date, note))
        .ok_or("no such day in the calendar")
}

/// An instant in UTC, shown as `YYYY-MM-DDTHH:MM:SSZ` with non-zero fractions kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The instant that `raw` is in its commonest form ([`iso_seconds`]), made of visible ASCII
    /// with no `*` (so the general path's scan for control characters and masks could find
    /// nothing), as [`Timestamp::parse`] reads it; `None` for anything else, which the general path
    /// reads.
    pub(super) fn at_once(raw: &str, zone: &Zone) -> Option<Timestamp> {
        let (local, utc) = iso_seconds(raw)?;
        let instant = if utc {
            Utc.from_utc_datetime(&local)
        } else {
            zone.to_utc(local).ok()?
        };
        Some(Timestamp(instant))
    }

    /// Reads a timestamp; one without a zone is read in `zone`.
    pub fn parse(raw: &str, zone: &Zone) -> Parsed<Timestamp> {
        let t = trim(raw);
        let invalid =
            |why: &str| Note::new(IssueCode::InvalidTimestamp, format!("{why}, found {t:?}"));
        match parse_timestamp(t, zone) {
            Ok(ts) => Ok((Timestamp(ts), None)),
            Err(why) => {
                // A serial is taken only from 1990 to 2100: a lead's submission, not a count.
                let Some((date, secs)) =
                    spreadsheet_serial(t, true).filter(|(d, _)| (1990..2100).contains(&d.year()))
                else {
                    return Err(invalid(why));
                };
                let local = format!(
                    "{date} {:02}:{:02}:{:02}",
                    secs / 3600,
                    secs / 60 % 60,
                    secs % 60
                );
                let ts = parse_timestamp(&local, zone).map_err(invalid)?;
                let read = Timestamp(ts).to_string();
                Ok((Timestamp(ts), Some(serial_note(t, &read))))
            }
        }
    }

    pub fn utc(self) -> DateTime<Utc> {
        self.0
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use chrono::Timelike;
        let t = self.0.naive_utc();
        write_date(f, t.date())?;
        write!(f, "T{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())?;
        let nanos = self.0.timestamp_subsec_nanos();
        if nanos != 0 {
            let frac = format!("{nanos:09}");
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

const EXPECTED_TS: &str =
    "expected a timestamp such as 2024-03-05 14:22:10, 2024-03-05T14:22:10Z or 3/5/2024 2:22 PM";

fn parse_timestamp(t: &str, zone: &Zone) -> Result<DateTime<Utc>, &'static str> {
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t.parse().map_err(|_| EXPECTED_TS)?;
        let ts = match t.len() {
            9 | 10 => DateTime::from_timestamp(n, 0),
            12 | 13 => DateTime::from_timestamp_millis(n),
            8 => None,
            _ => return Err("an epoch timestamp has 10 digits (seconds) or 13 (milliseconds)"),
        };
        if let Some(ts) = ts {
            return Ok(ts);
        }
    }
    match iso_seconds(t) {
        Some((local, true)) => Ok(Utc.from_utc_datetime(&local)),
        Some((local, false)) => zone.to_utc(local),
        None => parse_timestamp_generally(t, zone),
    }
}

/// [`parse_timestamp`] for every form (the commonest one is also read by [`iso_seconds`]).
pub(super) fn parse_timestamp_generally(
    t: &str,
    zone: &Zone,
) -> Result<DateTime<Utc>, &'static str> {
    // Split off the zone: Z, UTC/GMT, or a numeric offset after the time.
    let (body, offset) = split_zone(t)?;
    let (date_part, time_part) = match body.find(['T', ' ']) {
        Some(at) => (&body[..at], Some(body[at + 1..].trim())),
        None => (body, None),
    };
    let today = NaiveDate::from_ymd_opt(2100, 1, 1).unwrap_or_default();
    let (date, _) = parse_date(date_part, today).map_err(|_| EXPECTED_TS)?;
    let time = match time_part {
        None | Some("") => NaiveTime::MIN,
        Some(tp) => parse_time(tp)?,
    };
    let local = date.and_time(time);
    match offset {
        Some(off) => off
            .from_local_datetime(&local)
            .single()
            .map(|d| d.with_timezone(&Utc))
            .ok_or(EXPECTED_TS),
        None => zone.to_utc(local),
    }
}

/// The commonest forms, `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, maybe with a fraction
/// of a second (`.123`, up to nine digits, or after a comma) and maybe with `Z`, read by
/// position: the local time and whether it is UTC. `None` for any other text, and for a day
/// or time that does not exist (the general reading then says why), so this answers exactly
/// as that reading does, sooner.
pub(super) fn iso_seconds(t: &str) -> Option<(NaiveDateTime, bool)> {
    let b = t.as_bytes();
    let (body, utc) = match b.split_last() {
        Some((b'Z' | b'z', body)) => (body, true),
        _ => (b, false),
    };
    if body.len() < 19 {
        return None;
    }
    let fraction = &body[19..];
    let nanos = match fraction.split_first() {
        None => 0,
        Some((b'.' | b',', digits))
            if digits.len() <= 9 && digits.iter().all(u8::is_ascii_digit) =>
        {
            let n = digits
                .iter()
                .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
            // Nine digits of nanoseconds: the fraction's digits, then zeros.
            n * 10u32.pow(9 - digits.len() as u32)
        }
        Some(_) => return None,
    };
    let digits = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = i32::try_from(digits(0, 4)?).ok().filter(|y| *y >= 1800)?;
    let date = NaiveDate::from_ymd_opt(year, digits(5, 7)?, digits(8, 10)?)?;
    let time =
        NaiveTime::from_hms_nano_opt(digits(11, 13)?, digits(14, 16)?, digits(17, 19)?, nanos)?;
    Some((date.and_time(time), utc))
}

fn split_zone(t: &str) -> Result<(&str, Option<FixedOffset>), &'static str> {
    let upper_end = |suffix: &str| {
        t.len() > suffix.len()
            && t.is_char_boundary(t.len() - suffix.len())
            && t[t.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    for z in [" UTC", " GMT", "Z"] {
        if upper_end(z) {
            return Ok((t[..t.len() - z.len()].trim_end(), FixedOffset::east_opt(0)));
        }
    }
    // An offset follows the time: find the last + or - after a ':'.
    if let Some(colon) = t.find(':')
        && let Some(at) = t[colon..].rfind(['+', '-']).map(|i| i + colon)
    {
        let off = parse_offset(t[at..].trim()).ok_or(EXPECTED_TS)?;
        return Ok((t[..at].trim_end(), Some(off)));
    }
    Ok((t, None))
}

/// `14:22`, `14:22:10`, `14:22:10.123`, `2:22 PM`, `2:22:10pm`.
fn parse_time(t: &str) -> Result<NaiveTime, &'static str> {
    // `AM`/`PM` in any case; the rest is digits and separators, so it needs no lower-casing.
    let meridiem_of = |suffix: &str| {
        t.len() >= 2
            && t.is_char_boundary(t.len() - 2)
            && t[t.len() - 2..].eq_ignore_ascii_case(suffix)
    };
    let (clock, meridiem) = if meridiem_of("am") {
        (t[..t.len() - 2].trim_end(), Some(false))
    } else if meridiem_of("pm") {
        (t[..t.len() - 2].trim_end(), Some(true))
    } else {
        (t, None)
    };
    let mut parts = clock.split(':');
    let num = |s: Option<&str>| -> Result<u32, &'static str> {
        let s = s.ok_or(EXPECTED_TS)?;
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EXPECTED_TS);
        }
        s.parse().map_err(|_| EXPECTED_TS)
    };
    let mut h = num(parts.next())?;
    let m = num(parts.next())?;
    let (s, nanos) = match parts.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once(['.', ',']).unwrap_or((sec, ""));
            if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(EXPECTED_TS);
            }
            let nanos = if frac.is_empty() {
                0
            } else {
                format!("{frac:0<9}").parse().map_err(|_| EXPECTED_TS)?
            };
            (num(Some(whole))?, nanos)
        }
    };
    if parts.next().is_some() {
        return Err(EXPECTED_TS);
    }
    if let Some(pm) = meridiem {
        if !(1..=12).contains(&h) {
            return Err("an AM/PM hour runs from 1 to 12");
        }
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    NaiveTime::from_hms_nano_opt(h, m, s, nanos).ok_or("no such time of day")
}
