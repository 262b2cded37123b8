//! Realistic LeadConduit-style exports, with the cleaned records they must give.
//!
//! Deterministic for a given seed. The CSV looks like an export that people opened and saved
//! again: phones in six spellings, mixed-case and padded e-mails, state names, ZIP+4 with a
//! space, three timestamp and three date spellings, booleans as `TRUE`/`yes`/`1`, prices with
//! `$`, names with stray spaces, a custom column, comments holding commas, quotes and line
//! breaks; in three header styles, four delimiters, four encodings and either line ending.
//! With `invalid = p`, about `p` of the typed cells hold a value that cannot be cleaned.
//!
//! The expected records (`docs/DESIGN.md`'s normal forms) are JSON lines:
//! `{"record": n, "lead": {field: cleaned value or null}, "invalid": [fields], "extra": {header: raw}}`.
//! `cargo run -p xtask -- gen --help` writes both files from the command line.

use std::io::{self, Write};

use serde_json::{Map, Value as Json, json};

/// How the export's headers are spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderStyle {
    /// LeadConduit's display names: `Phone 1`, `Submission Timestamp`.
    Display,
    /// `phone_1`, `submission_timestamp`.
    Snake,
    /// `primaryPhone`, `submissionTimestamp`.
    Camel,
}

/// The text encoding the export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// Windows-1252; characters it lacks become `?`, in the file and in the expected records.
    Windows1252,
    /// UTF-16 little-endian with a byte-order mark (Excel's "Unicode Text").
    Utf16,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub rows: u64,
    pub seed: u64,
    /// The share of typed cells replaced by a value that cannot be cleaned.
    pub invalid: f64,
    pub style: HeaderStyle,
    pub delimiter: u8,
    pub encoding: Encoding,
    pub crlf: bool,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            rows: 1000,
            seed: 1,
            invalid: 0.02,
            style: HeaderStyle::Display,
            delimiter: b',',
            encoding: Encoding::Utf8,
            crlf: false,
        }
    }
}

impl HeaderStyle {
    pub const ALL: [(&'static str, HeaderStyle); 3] = [
        ("lc", HeaderStyle::Display),
        ("snake", HeaderStyle::Snake),
        ("camel", HeaderStyle::Camel),
    ];
}

impl Encoding {
    pub const ALL: [(&'static str, Encoding); 4] = [
        ("utf-8", Encoding::Utf8),
        ("utf-8-sig", Encoding::Utf8Bom),
        ("cp1252", Encoding::Windows1252),
        ("utf-16", Encoding::Utf16),
    ];
}

/// The delimiters by the names the generator's command line takes.
pub const DELIMITERS: [(&str, u8); 4] = [
    ("comma", b','),
    ("semicolon", b';'),
    ("tab", b'\t'),
    ("pipe", b'|'),
];

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "José",
    "Zoë",
    "Renée",
    "Siobhan",
    "Nguyễn",
    "Aaliyah",
    "Mateo",
    "Chloé",
    "Liam",
    "Olivia",
    "Noah",
    "Emma",
    "Ava",
    "Sofía",
    "Björn",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "O'Brien",
    "Núñez",
    "Van der Berg",
    "Lee",
    "Walker",
    "Hall",
    "Allen",
    "Young",
    "King",
    "Wright",
    "López",
    "Hill",
    "Scott",
    "Green",
    "Adams",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "aol.com",
    "icloud.com",
    "comcast.net",
    "example.org",
    "mail.example.co.uk",
];
/// City, state code, state name, ZIP.
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Austin", "TX", "Texas", "78704"),
    ("Houston", "TX", "Texas", "77002"),
    ("Boston", "MA", "Massachusetts", "02134"),
    ("Hartford", "CT", "Connecticut", "06103"),
    ("Portland", "ME", "Maine", "04101"),
    ("Newark", "NJ", "New Jersey", "07102"),
    ("New York", "NY", "New York", "10001"),
    ("Miami", "FL", "Florida", "33101"),
    ("Chicago", "IL", "Illinois", "60601"),
    ("Seattle", "WA", "Washington", "98101"),
    ("Denver", "CO", "Colorado", "80202"),
    ("Atlanta", "GA", "Georgia", "30303"),
    ("Phoenix", "AZ", "Arizona", "85004"),
    ("San Jose", "CA", "California", "95112"),
    ("Washington", "DC", "District of Columbia", "20001"),
    ("San Juan", "PR", "Puerto Rico", "00901"),
];
/// Area codes in service (libphonenumber accepts numbers under them).
const AREA: &[&str] = &[
    "512", "212", "415", "305", "617", "713", "312", "206", "404", "303", "602", "860", "207",
    "973",
];
const STREETS: &[&str] = &[
    "Main",
    "Oak",
    "Guadalupe",
    "Congress",
    "Elm",
    "Maple",
    "Cedar",
    "Lake",
    "Hill",
    "Park",
];
const SUFFIX: &[&str] = &["St", "Street", "Ave", "Blvd", "Rd", "Ln", "Dr"];
const UAS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
];
const CAMPAIGNS: &[&str] = &[
    "spring-refi",
    "auto-ins-q3",
    "solar-leads",
    "medicare-aep",
    "debt-relief",
];
const SOURCES: &[(&str, &str)] = &[
    ("6571a1c2e4b0a1b2c3d4e5f6", "Acme Media"),
    ("6571a1c2e4b0a1b2c3d4e5f7", "LeadGenCo"),
    ("6571a1c2e4b0a1b2c3d4e5f8", "Web Form"),
];
const FLOWS: &[(&str, &str)] = &[
    ("5f2b1c3d4e5f6a7b8c9d0e1f", "Mortgage Refi"),
    ("5f2b1c3d4e5f6a7b8c9d0e20", "Auto Insurance"),
];
const STATUSES: &[&str] = &["new", "contacted", "qualified", "sold", "returned"];
const DISPOSITIONS: &[&str] = &[
    "",
    "no_answer",
    "appointment_set",
    "not_interested",
    "wrong_number",
];
const OUTCOMES: &[&str] = &["success", "success", "success", "failure", "error"];
const KEYWORDS: &[&str] = &[
    "refinance rates",
    "cheap car insurance",
    "solar panels cost",
    "medicare plans",
];
const COMMENTS: &[Option<&str>] = &[
    None,
    None,
    Some("Call after 5pm"),
    Some("Said \"maybe\", call back"),
    Some("Line one\nLine two"),
    Some("Prefers email, not phone"),
];

/// Canonical field, then its header in each style (display, snake, camel).
const FIELDS: &[[&str; 4]] = &[
    ["event_id", "Event ID", "event_id", "eventId"],
    ["lead_id", "Lead ID", "lead_id", "leadId"],
    [
        "submitted_at",
        "Submission Timestamp",
        "submission_timestamp",
        "submissionTimestamp",
    ],
    ["flow_id", "Flow ID", "flow_id", "flowId"],
    ["flow_name", "Flow", "flow_name", "flowName"],
    ["source_id", "Source ID", "source_id", "sourceId"],
    ["source_name", "Source", "source_name", "sourceName"],
    ["outcome", "Outcome", "outcome", "outcome"],
    ["reason", "Reason", "reason", "reason"],
    ["first_name", "First Name", "first_name", "firstName"],
    ["last_name", "Last Name", "last_name", "lastName"],
    ["email", "Email", "email", "emailAddress"],
    ["phone_1", "Phone 1", "phone_1", "primaryPhone"],
    ["phone_2", "Phone 2", "phone_2", "phone2"],
    ["address_1", "Address 1", "address_1", "streetAddress"],
    ["address_2", "Address 2", "address_2", "address2"],
    ["city", "City", "city", "city"],
    ["state", "State", "state", "state"],
    ["postal_code", "Postal Code", "postal_code", "zipCode"],
    ["dob", "Date of Birth", "dob", "dateOfBirth"],
    ["gender", "Gender", "gender", "gender"],
    ["ip_address", "IP Address", "ip_address", "ipAddress"],
    ["user_agent", "User Agent", "user_agent", "userAgent"],
    [
        "trustedform_cert_url",
        "TrustedForm Cert URL",
        "trustedform_cert_url",
        "xxTrustedFormCertUrl",
    ],
    [
        "universal_leadid",
        "Jornaya Lead Token",
        "universal_leadid",
        "universalLeadid",
    ],
    [
        "landing_page",
        "Landing Page",
        "landing_page",
        "landingPage",
    ],
    ["campaign", "Campaign", "campaign", "campaignName"],
    ["ad_group", "Ad Group", "ad_group", "adGroup"],
    ["keyword", "Keyword", "keyword", "keyword"],
    ["utm_source", "UTM Source", "utm_source", "utmSource"],
    ["utm_medium", "UTM Medium", "utm_medium", "utmMedium"],
    [
        "utm_campaign",
        "UTM Campaign",
        "utm_campaign",
        "utmCampaign",
    ],
    [
        "quality_score",
        "Quality Score",
        "quality_score",
        "qualityScore",
    ],
    ["lead_score", "Lead Score", "lead_score", "leadScore"],
    [
        "is_duplicate",
        "Is Duplicate",
        "is_duplicate",
        "isDuplicate",
    ],
    ["status", "Status", "status", "leadStatus"],
    ["disposition", "Disposition", "disposition", "disposition"],
    ["price", "Price", "price", "price"],
    ["comments", "Comments", "comments", "comments"],
];
/// The custom column every export carries: it is kept in `extra`.
pub const EXTRA_HEADER: &str = "home_owner_acme";

/// Values that no cleaner accepts, per field.
fn invalid_values(field: &str) -> &'static [&'static str] {
    match field {
        "phone_1" => &["123", "555-555-5555", "N/A", "call me"],
        "email" => &["bob@", "no-at-sign.example.com", "user@@example.com"],
        "state" => &["Dexus", "ZZ"],
        "postal_code" => &["ABCDE", "123456"],
        "dob" => &["13/45/1990", "not a date"],
        "submitted_at" => &["yesterday", "2024-13-45 99:99:99"],
        "ip_address" => &["999.1.1.1", "localhost-ish"],
        "gender" => &["unknown-value"],
        "is_duplicate" => &["maybe"],
        "quality_score" => &["high"],
        _ => &[],
    }
}

/// SplitMix64: small, fast, and the same stream on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `lo..hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.range(0, xs.len() as u64) as usize]
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[self.range(0, 16) as usize]))
            .collect()
    }
}

/// A ten-digit number libphonenumber accepts: an area code in service, no N11 or 555 exchange.
fn nanp(r: &mut Rng) -> String {
    let mut exchange = r.range(200, 1000);
    while exchange % 100 == 11 || exchange == 555 {
        exchange = r.range(200, 1000);
    }
    format!("{}{exchange}{:04}", r.pick(AREA), r.range(0, 10000))
}

fn round(x: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (x * k).round() / k
}

/// One lead as it should come out of cleaning, plus its custom column's raw value.
fn canonical(r: &mut Rng) -> (Map<String, Json>, String) {
    use chrono::{Duration, NaiveDate, NaiveDateTime};
    let first = r.pick(FIRST);
    let last = r.pick(LAST);
    let (city, st, _, zip5) = r.pick(PLACES);
    let flow = r.pick(FLOWS);
    let source = r.pick(SOURCES);
    let outcome = r.pick(OUTCOMES);
    let epoch: NaiveDateTime = NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a real date");
    let when = epoch + Duration::seconds(r.range(0, 2 * 365 * 86_400) as i64);
    let dob = NaiveDate::from_ymd_opt(1940, 1, 1).expect("a real date")
        + Duration::days(r.range(0, 65 * 365) as i64);
    let local: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let phone = nanp(r);
    let phone2 = nanp(r);
    let four = format!("{:04}", r.range(1, 10000));
    let reason = match outcome {
        "failure" => json!("lead.state must not be equal to FL"),
        "error" => json!("recipient timed out"),
        _ => Json::Null,
    };
    let email = format!("{local}{}@{}", r.range(1, 999), r.pick(DOMAINS));
    let phone_2 = if r.chance(0.4) {
        json!(phone2)
    } else {
        Json::Null
    };
    let address_1 = format!(
        "{} {} {}",
        r.range(1, 9999),
        r.pick(STREETS),
        r.pick(SUFFIX)
    );
    let address_2 = if r.chance(0.2) {
        json!(format!("Apt {}", r.range(1, 400)))
    } else {
        Json::Null
    };
    let postal = if r.chance(0.3) {
        format!("{zip5}-{four}")
    } else {
        zip5.to_owned()
    };
    let gender = r.pick(&["male", "female"]);
    let ip = format!(
        "{}.{}.{}.{}",
        r.range(11, 223),
        r.range(0, 256),
        r.range(0, 256),
        r.range(1, 255)
    );
    let ua = r.pick(UAS);
    let cert = format!("https://cert.trustedform.com/{}", r.hex(40));
    let token = format!(
        "{}-{}-{}-{}-{}",
        r.hex(8),
        r.hex(4),
        r.hex(4),
        r.hex(4),
        r.hex(12)
    )
    .to_uppercase();
    let landing = format!(
        "https://apply.example.com/{}?src={}",
        r.pick(CAMPAIGNS),
        r.range(1, 50)
    );
    let values: Vec<(&str, Json)> = vec![
        ("event_id", json!(r.hex(24))),
        ("lead_id", json!(r.hex(24))),
        (
            "submitted_at",
            json!(when.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        ),
        ("flow_id", json!(flow.0)),
        ("flow_name", json!(flow.1)),
        ("source_id", json!(source.0)),
        ("source_name", json!(source.1)),
        ("outcome", json!(outcome)),
        ("reason", reason),
        ("first_name", json!(first)),
        ("last_name", json!(last)),
        ("email", json!(email)),
        ("phone_1", json!(phone)),
        ("phone_2", phone_2),
        ("address_1", json!(address_1)),
        ("address_2", address_2),
        ("city", json!(city)),
        ("state", json!(st)),
        ("postal_code", json!(postal)),
        ("dob", json!(dob.format("%Y-%m-%d").to_string())),
        ("gender", json!(gender)),
        ("ip_address", json!(ip)),
        ("user_agent", json!(ua)),
        ("trustedform_cert_url", json!(cert)),
        ("universal_leadid", json!(token)),
        ("landing_page", json!(landing)),
        ("campaign", json!(r.pick(CAMPAIGNS))),
        ("ad_group", json!(format!("ag-{}", r.range(1, 20)))),
        ("keyword", json!(r.pick(KEYWORDS))),
        (
            "utm_source",
            json!(r.pick(&["google", "facebook", "bing", "newsletter"])),
        ),
        ("utm_medium", json!(r.pick(&["cpc", "social", "email"]))),
        ("utm_campaign", json!(r.pick(CAMPAIGNS))),
        ("quality_score", json!(r.range(0, 101))),
        ("lead_score", json!(round(r.unit() * 10.0, 1))),
        ("is_duplicate", json!(r.chance(0.05))),
        ("status", json!(r.pick(STATUSES))),
        ("disposition", {
            let d = r.pick(DISPOSITIONS);
            if d.is_empty() { Json::Null } else { json!(d) }
        }),
        ("price", json!(round(1.0 + r.unit() * 119.0, 2))),
        (
            "comments",
            r.pick(COMMENTS).map_or(Json::Null, |c| json!(c)),
        ),
    ];
    let extra = r.pick(&["yes", "no", ""]).to_owned();
    (
        values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        extra,
    )
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// The raw cell a messy export holds for a cleaned value.
fn render(r: &mut Rng, field: &str, value: &Json) -> String {
    let text = match value {
        Json::Null => return String::new(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        _ => unreachable!("a lead value is a scalar"),
    };
    match field {
        "phone_1" | "phone_2" => {
            let (a, e, l) = (&text[..3], &text[3..6], &text[6..]);
            match r.range(0, 6) {
                0 => format!("{a}{e}{l}"),
                1 => format!("({a}) {e}-{l}"),
                2 => format!("{a}-{e}-{l}"),
                3 => format!("{a}.{e}.{l}"),
                4 => format!("+1 {a} {e} {l}"),
                _ => format!("1-{a}-{e}-{l}"),
            }
        }
        "email" => match r.range(0, 4) {
            0 => text,
            1 => text.to_uppercase(),
            2 => format!(" {text} "),
            _ => capitalize(&text),
        },
        "state" => {
            let name = PLACES
                .iter()
                .find(|p| p.1 == text)
                .map_or(text.as_str(), |p| p.2);
            match r.range(0, 4) {
                0 => text.clone(),
                1 => text.to_lowercase(),
                2 => name.to_owned(),
                _ => name.to_uppercase(),
            }
        }
        "postal_code" if text.contains('-') => {
            if r.chance(0.5) {
                text
            } else {
                text.replace('-', " ")
            }
        }
        "submitted_at" => match r.range(0, 3) {
            0 => text.replace('T', " ").replace('Z', ""),
            1 => text,
            _ => text.replace('Z', ".000Z"),
        },
        "dob" => {
            let (y, m, d) = (&text[..4], &text[5..7], &text[8..10]);
            let num = |s: &str| s.trim_start_matches('0').to_owned();
            match r.range(0, 3) {
                0 => text.clone(),
                1 => format!("{m}/{d}/{y}"),
                _ => format!("{}/{}/{y}", num(m), num(d)),
            }
        }
        "gender" => match r.range(0, 3) {
            0 => text.clone(),
            1 => text[..1].to_uppercase(),
            _ => capitalize(&text),
        },
        "is_duplicate" => {
            let spellings = if value == &Json::Bool(true) {
                ["true", "TRUE", "yes", "1"]
            } else {
                ["false", "FALSE", "no", "0"]
            };
            r.pick(&spellings).to_owned()
        }
        "price" => {
            let v = value.as_f64().unwrap_or_default();
            match r.range(0, 3) {
                0 => format!("{v:.2}"),
                _ => format!("${v:.2}"),
            }
        }
        "lead_score" => format!("{:.1}", value.as_f64().unwrap_or_default()),
        "first_name" | "last_name" | "city" => match r.range(0, 3) {
            2 => format!(" {text} "),
            _ => text,
        },
        _ => text,
    }
}

/// Windows-1252's repertoire, for what survives the legacy encoding.
fn windows_1252(c: char) -> Option<u8> {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    (!unmappable && bytes.len() == 1).then(|| bytes[0])
}

/// `text` as it reads back from Windows-1252: what the code page lacks is `?`.
fn through_1252(text: &str) -> String {
    text.chars()
        .map(|c| if windows_1252(c).is_some() { c } else { '?' })
        .collect()
}

fn write_record(line: &mut String, cells: &[String], delimiter: u8, crlf: bool) {
    let delim = char::from(delimiter);
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(delim);
        }
        if cell.contains([delim, '"', '\r', '\n']) {
            line.push('"');
            line.push_str(&cell.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(cell);
        }
    }
    line.push_str(if crlf { "\r\n" } else { "\n" });
}

fn encode(out: &mut impl Write, text: &str, encoding: Encoding) -> io::Result<()> {
    match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => out.write_all(text.as_bytes()),
        Encoding::Windows1252 => {
            let bytes: Vec<u8> = text
                .chars()
                .map(|c| windows_1252(c).unwrap_or(b'?'))
                .collect();
            out.write_all(&bytes)
        }
        Encoding::Utf16 => {
            let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            out.write_all(&bytes)
        }
    }
}

/// Writes the export to `csv` and, when given, its expected records to `expected`.
pub fn generate(
    spec: &Spec,
    csv: &mut impl Write,
    mut expected: Option<&mut dyn Write>,
) -> io::Result<()> {
    let mut r = Rng(spec.seed);
    let col = match spec.style {
        HeaderStyle::Display => 1,
        HeaderStyle::Snake => 2,
        HeaderStyle::Camel => 3,
    };
    match spec.encoding {
        Encoding::Utf8Bom => csv.write_all(b"\xEF\xBB\xBF")?,
        Encoding::Utf16 => csv.write_all(b"\xFF\xFE")?,
        _ => {}
    }
    let mut headers: Vec<String> = FIELDS.iter().map(|f| f[col].to_owned()).collect();
    headers.push(EXTRA_HEADER.to_owned());
    let mut line = String::new();
    write_record(&mut line, &headers, spec.delimiter, spec.crlf);
    encode(csv, &line, spec.encoding)?;
    for record in 0..spec.rows {
        let (mut lead, extra) = canonical(&mut r);
        if spec.encoding == Encoding::Windows1252 {
            for v in lead.values_mut() {
                if let Json::String(s) = v {
                    *s = through_1252(s);
                }
            }
        }
        let mut cells = Vec::with_capacity(FIELDS.len() + 1);
        let mut invalid = Vec::new();
        for f in FIELDS {
            let name = f[0];
            let mut cell = render(&mut r, name, &lead[name]);
            let bad = invalid_values(name);
            if !bad.is_empty() && !lead[name].is_null() && r.chance(spec.invalid) {
                cell = r.pick(bad).to_owned();
                invalid.push(name);
                lead[name] = Json::Null;
            }
            cells.push(cell);
        }
        cells.push(extra.clone());
        line.clear();
        write_record(&mut line, &cells, spec.delimiter, spec.crlf);
        encode(csv, &line, spec.encoding)?;
        if let Some(exp) = expected.as_deref_mut() {
            let mut kept = Map::new();
            if !extra.is_empty() {
                kept.insert(EXTRA_HEADER.to_owned(), json!(extra));
            }
            let rec = json!({"record": record, "lead": lead, "invalid": invalid, "extra": kept});
            writeln!(exp, "{rec}")?;
        }
    }
    Ok(())
}

/// The export and its expected records, in memory.
pub fn generate_to_vec(spec: &Spec) -> (Vec<u8>, String) {
    let mut csv = Vec::new();
    let mut expected = Vec::new();
    generate(spec, &mut csv, Some(&mut expected)).expect("writing to memory cannot fail");
    (
        csv,
        String::from_utf8(expected).expect("the expected records are UTF-8"),
    )
}
