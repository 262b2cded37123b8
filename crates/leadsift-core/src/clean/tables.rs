//! Reference tables: states and provinces, and the ZIP prefixes that begin with zero.

/// A two-letter code's place in [`STATES`], by its letters (`AA` to `ZZ`, either case): the
/// index plus one, or 0 for no such code.
pub const STATE_BY_CODE: [u8; 26 * 26] = {
    let mut table = [0u8; 26 * 26];
    let mut i = 0;
    while i < STATES.len() {
        let code = STATES[i].0.as_bytes();
        table[(code[0] - b'A') as usize * 26 + (code[1] - b'A') as usize] = i as u8 + 1;
        i += 1;
    }
    table
};

/// Each name of [`STATES`] by its length and first letter ([`name_key`]), in the same order: a
/// name is looked for among the few with its key.
pub const STATE_NAME_KEYS: [u16; STATES.len()] = {
    let mut keys = [0u16; STATES.len()];
    let mut i = 0;
    while i < STATES.len() {
        keys[i] = name_key(STATES[i].1.as_bytes());
        i += 1;
    }
    keys
};

/// A text's length (to 255) and its first byte lower-cased, in one number.
pub const fn name_key(text: &[u8]) -> u16 {
    let len = if text.len() > 255 {
        255
    } else {
        text.len() as u16
    };
    let first = if text.is_empty() {
        0
    } else {
        text[0].to_ascii_lowercase() as u16
    };
    (len << 8) | first
}

/// USPS and Canada Post codes with their full names (lower case, ASCII).
pub const STATES: &[(&str, &str)] = &[
    ("AL", "alabama"),
    ("AK", "alaska"),
    ("AZ", "arizona"),
    ("AR", "arkansas"),
    ("CA", "california"),
    ("CO", "colorado"),
    ("CT", "connecticut"),
    ("DE", "delaware"),
    ("DC", "district of columbia"),
    ("FL", "florida"),
    ("GA", "georgia"),
    ("HI", "hawaii"),
    ("ID", "idaho"),
    ("IL", "illinois"),
    ("IN", "indiana"),
    ("IA", "iowa"),
    ("KS", "kansas"),
    ("KY", "kentucky"),
    ("LA", "louisiana"),
    ("ME", "maine"),
    ("MD", "maryland"),
    ("MA", "massachusetts"),
    ("MI", "michigan"),
    ("MN", "minnesota"),
    ("MS", "mississippi"),
    ("MO", "missouri"),
    ("MT", "montana"),
    ("NE", "nebraska"),
    ("NV", "nevada"),
    ("NH", "new hampshire"),
    ("NJ", "new jersey"),
    ("NM", "new mexico"),
    ("NY", "new york"),
    ("NC", "north carolina"),
    ("ND", "north dakota"),
    ("OH", "ohio"),
    ("OK", "oklahoma"),
    ("OR", "oregon"),
    ("PA", "pennsylvania"),
    ("RI", "rhode island"),
    ("SC", "south carolina"),
    ("SD", "south dakota"),
    ("TN", "tennessee"),
    ("TX", "texas"),
    ("UT", "utah"),
    ("VT", "vermont"),
    ("VA", "virginia"),
    ("WA", "washington"),
    ("WV", "west virginia"),
    ("WI", "wisconsin"),
    ("WY", "wyoming"),
    // Territories and freely associated states.
    ("AS", "american samoa"),
    ("GU", "guam"),
    ("MP", "northern mariana islands"),
    ("PR", "puerto rico"),
    ("VI", "virgin islands"),
    ("UM", "united states minor outlying islands"),
    ("FM", "federated states of micronesia"),
    ("MH", "marshall islands"),
    ("PW", "palau"),
    // Military mail.
    ("AA", "armed forces americas"),
    ("AE", "armed forces europe"),
    ("AP", "armed forces pacific"),
    // Canada.
    ("AB", "alberta"),
    ("BC", "british columbia"),
    ("MB", "manitoba"),
    ("NB", "new brunswick"),
    ("NL", "newfoundland and labrador"),
    ("NS", "nova scotia"),
    ("NT", "northwest territories"),
    ("NU", "nunavut"),
    ("ON", "ontario"),
    ("PE", "prince edward island"),
    ("QC", "quebec"),
    ("SK", "saskatchewan"),
    ("YT", "yukon"),
];

/// Other names people write for the same places.
pub const STATE_ALIASES: &[(&str, &str)] = &[
    ("washington dc", "DC"),
    ("washington d c", "DC"),
    ("d c", "DC"),
    ("us virgin islands", "VI"),
    ("u s virgin islands", "VI"),
    ("united states virgin islands", "VI"),
    ("newfoundland", "NL"),
    ("labrador", "NL"),
    ("quebec", "QC"),
    ("québec", "QC"),
    ("yukon territory", "YT"),
    ("pei", "PE"),
    ("n mariana islands", "MP"),
    ("commonwealth of puerto rico", "PR"),
];

/// Three-digit ZIP prefixes that begin with zero, and the state each belongs to.
/// A ZIP that lost its leading zeros is restored only when its state owns the padded prefix.
pub const ZERO_ZIP_PREFIXES: &[(u16, u16, &str)] = &[
    (5, 5, "NY"),
    (6, 7, "PR"),
    (8, 8, "VI"),
    (9, 9, "PR"),
    (10, 27, "MA"),
    (28, 29, "RI"),
    (30, 38, "NH"),
    (39, 49, "ME"),
    (50, 54, "VT"),
    (55, 55, "MA"),
    (56, 59, "VT"),
    (60, 69, "CT"),
    (70, 89, "NJ"),
    (90, 98, "AE"),
];
