//! Header mapping: each column to a canonical field, or to `extra`, and how it was matched.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::field::Field;

/// How a column's target was chosen.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The normalised header is the canonical name.
    Exact,
    /// The normalised header is in the alias table.
    Alias,
    /// Close enough to a known name to apply; shown with its confidence.
    Fuzzy,
    /// The user's mapping said so.
    Override,
    /// A second column aiming at a field another column already holds: kept in `extra`.
    Duplicate,
    /// A component of a field's family, such as `lead.phone_1.area`: kept in `extra`.
    Component,
    /// No field: kept in `extra`.
    Unmapped,
}

/// One column of the file and where its values go.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Zero-based position in the file.
    pub index: usize,
    /// The header as it stood in the file.
    pub header: String,
    /// The header after normalisation.
    pub normalized: String,
    /// The canonical field, or `None` when the values go to `extra`.
    pub field: Option<Field>,
    #[serde(rename = "match")]
    pub matched: MatchKind,
    /// 1.0 for exact, alias and override; the similarity for fuzzy matches and suggestions.
    pub confidence: f32,
    /// For an unmapped column: the closest field and its similarity, below the threshold.
    pub suggestion: Option<(Field, f32)>,
    /// The key under which unmapped values are kept in `extra`: the header, made unique.
    pub extra_key: String,
}

/// The mapping of a file's columns.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub columns: Vec<Column>,
}

/// Where the user wants a column to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Target {
    Field(Field),
    /// `"extra"` or `"ignore"`: the column maps to no field and its values stay in `extra`.
    Keep(KeepWord),
}

/// The words that send a column to `extra`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepWord {
    Extra,
    Ignore,
}

impl Target {
    /// A target from its name: a canonical field, `extra` or `ignore`; else the error that
    /// says what is accepted and which fields are nearest.
    pub fn parse(name: &str) -> Result<Target, String> {
        match name {
            "extra" => return Ok(Target::Keep(KeepWord::Extra)),
            "ignore" => return Ok(Target::Keep(KeepWord::Ignore)),
            _ => {}
        }
        if let Some(f) = Field::from_name(name) {
            return Ok(Target::Field(f));
        }
        let mut near: Vec<(f32, &str)> = Field::ALL
            .iter()
            .map(|f| (similarity(name, f.name()), f.name()))
            .filter(|(s, _)| *s >= 0.5)
            .collect();
        near.sort_by(|a, b| b.0.total_cmp(&a.0));
        let hint = match near.as_slice() {
            [] => String::new(),
            near => format!(
                " (nearest: {})",
                near.iter()
                    .take(3)
                    .map(|(_, n)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Err(format!(
            "{name:?} is not a canonical field, \"extra\" or \"ignore\"{hint}"
        ))
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Target::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// User overrides, keyed by the header as it stands in the file (or its normalised form).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct MappingOverrides(pub BTreeMap<String, Target>);

impl<'de> Deserialize<'de> for MappingOverrides {
    /// A JSON object of header to target; a bad target names its header.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<String, String>::deserialize(d)?;
        let mut out = BTreeMap::new();
        for (header, name) in raw {
            let target = Target::parse(&name)
                .map_err(|e| serde::de::Error::custom(format!("{header:?}: {e}")))?;
            out.insert(header, target);
        }
        Ok(MappingOverrides(out))
    }
}

/// Fuzzy matches at or above this similarity are applied (and reported as `fuzzy`).
pub const FUZZY_APPLY: f32 = 0.86;
/// Fuzzy matches at or above this similarity are suggested, not applied.
pub const FUZZY_SUGGEST: f32 = 0.6;

/// Normalises a header: BOM, trim, `lead.`/`vars.lead.` prefix, camelCase, spaces, hyphens and
/// dots to `_`, lower case. Dots are kept as `.` in the returned family path (see [`family`]).
pub fn normalize_header(raw: &str) -> String {
    let t = raw.trim_start_matches('\u{feff}').trim();
    let mut out = String::with_capacity(t.len() + 4);
    let mut prev: Option<char> = None;
    let chars: Vec<char> = t.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            if let Some(p) = prev {
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
                let boundary = (c.is_uppercase() && (p.is_lowercase() || p.is_ascii_digit()))
                    || (c.is_uppercase() && p.is_uppercase() && next_lower)
                    || (c.is_ascii_digit() && p.is_alphabetic());
                if boundary && !out.ends_with('_') && !out.ends_with('.') {
                    out.push('_');
                }
            }
            out.extend(c.to_lowercase());
        } else if c == '.' {
            while out.ends_with('_') {
                out.pop();
            }
            if !out.is_empty() && !out.ends_with('.') {
                out.push('.');
            }
        } else if !out.is_empty() && !out.ends_with('_') && !out.ends_with('.') {
            out.push('_');
        }
        prev = Some(c);
    }
    while out.ends_with(['_', '.']) {
        out.pop();
    }
    let stripped = out
        .strip_prefix("vars.lead.")
        .or_else(|| out.strip_prefix("lead."))
        .unwrap_or(&out);
    stripped.to_owned()
}

/// `lead.id` (or `vars.lead.id`), any case: the lead's id in an event export.
fn is_lead_scoped_id(header: &str) -> bool {
    let h = header
        .trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase();
    h == "lead.id" || h == "vars.lead.id"
}

/// The normalised header with dots turned into `_`: the form looked up in the tables.
fn flat(normalized: &str) -> String {
    normalized.replace('.', "_")
}

/// Aliases, as normalised headers.
const ALIASES: &[(&str, Field)] = {
    use Field::*;
    &[
        ("id", LeadId),
        // Jornaya's brand spelling (`LeadiD`) is its token, not LeadConduit's lead id.
        ("leadi_d", UniversalLeadid),
        ("start_timestamp", SubmittedAt),
        ("contact_phone_number", Phone1),
        ("contact_phone", Phone1),
        ("state_province", State),
        ("zip_postal_code", PostalCode),
        ("dup", IsDuplicate),
        ("duplicate_lead", IsDuplicate),
        ("ref_url", ReferringUrl),
        ("lp", LandingPage),
        ("trusted_form_certificate", TrustedformCertUrl),
        ("trustedform_certificate", TrustedformCertUrl),
        ("leadid", LeadId),
        ("lead", LeadId),
        ("lc_lead_id", LeadId),
        ("leadconduit_id", LeadId),
        ("event", EventId),
        ("eventid", EventId),
        ("submission_timestamp", SubmittedAt),
        ("submitted", SubmittedAt),
        ("submission_time", SubmittedAt),
        ("submission_date", SubmittedAt),
        ("timestamp", SubmittedAt),
        ("created_at", SubmittedAt),
        ("date_submitted", SubmittedAt),
        ("received_at", SubmittedAt),
        ("lead_date", SubmittedAt),
        ("date_added", SubmittedAt),
        ("created", SubmittedAt),
        ("flow", FlowName),
        ("flow_name", FlowName),
        ("flow_id", FlowId),
        ("source", SourceName),
        ("source_name", SourceName),
        ("source_id", SourceId),
        ("vendor", SourceName),
        ("supplier", SourceName),
        ("result", Outcome),
        ("outcome", Outcome),
        ("reason", Reason),
        ("outcome_reason", Reason),
        ("fname", FirstName),
        ("first", FirstName),
        ("firstname", FirstName),
        ("given_name", FirstName),
        ("lname", LastName),
        ("last", LastName),
        ("lastname", LastName),
        ("surname", LastName),
        ("family_name", LastName),
        ("email_address", Email),
        ("e_mail", Email),
        ("emailaddress", Email),
        ("mail", Email),
        ("primary_email", Email),
        ("phone", Phone1),
        ("primary_phone", Phone1),
        ("phone_number", Phone1),
        ("phone1", Phone1),
        ("telephone", Phone1),
        ("home_phone", Phone1),
        ("day_phone", Phone1),
        ("mobile_phone", Phone1),
        ("cell_phone", Phone1),
        ("tel", Phone1),
        ("secondary_phone", Phone2),
        ("phone2", Phone2),
        ("work_phone", Phone2),
        ("evening_phone", Phone2),
        ("alt_phone", Phone2),
        ("phone3", Phone3),
        ("other_phone", Phone3),
        ("address", Address1),
        ("street_address", Address1),
        ("street", Address1),
        ("address1", Address1),
        ("address_line_1", Address1),
        ("street_1", Address1),
        ("address2", Address2),
        ("address_line_2", Address2),
        ("street_2", Address2),
        ("apt", Address2),
        ("unit", Address2),
        ("town", City),
        ("state_code", State),
        ("province", State),
        ("region", State),
        ("st", State),
        ("zip", PostalCode),
        ("zip_code", PostalCode),
        ("zipcode", PostalCode),
        ("postal", PostalCode),
        ("postcode", PostalCode),
        ("zip_5", PostalCode),
        ("country_code", Country),
        ("date_of_birth", Dob),
        ("birth_date", Dob),
        ("birthdate", Dob),
        ("birthday", Dob),
        ("sex", Gender),
        ("campaign_name", Campaign),
        ("ad_group_name", AdGroup),
        ("adgroup", AdGroup),
        ("ad_set", AdGroup),
        ("kw", Keyword),
        ("search_term", Keyword),
        ("keywords", Keyword),
        ("search_keyword", Keyword),
        ("utmsource", UtmSource),
        ("utmmedium", UtmMedium),
        ("utmcampaign", UtmCampaign),
        ("utmterm", UtmTerm),
        ("utmcontent", UtmContent),
        ("campaign_source", UtmSource),
        ("campaign_medium", UtmMedium),
        ("campaign_term", UtmTerm),
        ("campaign_content", UtmContent),
        ("campaign_campaign", UtmCampaign),
        ("score", QualityScore),
        ("quality", QualityScore),
        ("leadscore", LeadScore),
        // `price` is what the buyer paid for the lead. Other money columns (`cost`, `revenue`,
        // `margin`, `amount`) are different quantities: they stay custom columns in `extra`,
        // so that no column's order decides which one becomes the price.
        ("purchase_price", Price),
        ("lead_price", Price),
        ("duplicate", IsDuplicate),
        ("dupe", IsDuplicate),
        ("is_dupe", IsDuplicate),
        ("test", IsTest),
        ("test_lead", IsTest),
        ("is_test_lead", IsTest),
        ("lead_status", Status),
        ("leadstatus", Status),
        ("ip", IpAddress),
        ("ip_addr", IpAddress),
        ("ipaddress", IpAddress),
        ("client_ip", IpAddress),
        ("useragent", UserAgent),
        ("browser", UserAgent),
        ("ua", UserAgent),
        ("referrer", ReferringUrl),
        ("referer", ReferringUrl),
        ("referring_url", ReferringUrl),
        ("referrer_url", ReferringUrl),
        ("landing_page_url", LandingPage),
        ("landing_url", LandingPage),
        ("page_url", LandingPage),
        ("url", LandingPage),
        ("trusted_form_cert_url", TrustedformCertUrl),
        ("xx_trusted_form_cert_url", TrustedformCertUrl),
        ("trustedform_cert", TrustedformCertUrl),
        ("trustedform_url", TrustedformCertUrl),
        ("trusted_form_url", TrustedformCertUrl),
        ("trustedform", TrustedformCertUrl),
        ("cert_url", TrustedformCertUrl),
        ("jornaya_lead_token", UniversalLeadid),
        ("jornaya_lead_id", UniversalLeadid),
        ("leadid_token", UniversalLeadid),
        ("universal_lead_id", UniversalLeadid),
        ("jornaya_token", UniversalLeadid),
        ("jornaya", UniversalLeadid),
        ("lead_id_token", UniversalLeadid),
        ("universalleadid", UniversalLeadid),
        ("comment", Comments),
        ("notes", Comments),
        ("note", Comments),
    ]
};

/// Every alias (a normalised header with dots as `_`) and the field it names, in the table's
/// order: for the mapping reference in the docs.
pub fn aliases() -> impl Iterator<Item = (&'static str, Field)> {
    ALIASES.iter().copied()
}

/// The field a flat normalised header names exactly, or through an alias.
fn lookup(flat: &str) -> Option<(Field, MatchKind)> {
    if let Some(f) = Field::from_name(flat) {
        return Some((f, MatchKind::Exact));
    }
    ALIASES
        .iter()
        .find(|(a, _)| *a == flat)
        .map(|(_, f)| (*f, MatchKind::Alias))
}

/// For a dotted header such as `phone_1.area` or `email.valid`: the field whose family it
/// belongs to. Such a column is never mapped onto the field itself.
pub fn family(normalized: &str) -> Option<Field> {
    let (head, rest) = normalized.split_once('.')?;
    if rest.is_empty() {
        return None;
    }
    lookup(head).map(|(f, _)| f)
}

/// Damerau (optimal string alignment) similarity in 0..=1.
fn similarity(a: &str, b: &str) -> f32 {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return 0.0;
    }
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    1.0 - d[n][m] as f32 / n.max(m) as f32
}

/// Words that say a header holds something else than a field it resembles: a TrustedForm
/// *ping* URL is not the certificate, *counties* are not a country.
const NOT_THE_SAME: &[(&str, Field)] = &[
    ("ping", Field::TrustedformCertUrl),
    ("county", Field::Country),
    ("counties", Field::Country),
];

/// Whether suggesting `field` for `flat` would put a different thing in it.
fn crosses_family(flat: &str, field: Field) -> bool {
    NOT_THE_SAME
        .iter()
        .any(|(word, f)| *f == field && flat.split('_').any(|w| w == *word))
}

/// The closest known name (canonical or alias) and its similarity.
fn closest(flat: &str) -> Option<(Field, f32)> {
    if flat.chars().count() < 4 {
        return None;
    }
    let names = Field::ALL
        .iter()
        .map(|f| (f.name(), *f))
        .chain(ALIASES.iter().map(|(a, f)| (*a, *f)));
    // Linear in the header's length: a name whose length differs too much could never reach
    // FUZZY_SUGGEST (similarity is at most 1 - |n - m| / max(n, m)), so it is not compared,
    // and a header longer than every name by that much is compared with none.
    let n = flat.chars().count();
    let reachable = |m: usize| {
        let (lo, hi) = (n.min(m) as f32, n.max(m) as f32);
        lo / hi >= FUZZY_SUGGEST
    };
    names
        .filter(|(name, _)| name.len() >= 4 && reachable(name.chars().count()))
        .map(|(name, f)| (f, similarity(flat, name)))
        .fold(None, |best: Option<(Field, f32)>, (f, s)| match best {
            Some((_, bs)) if bs >= s => best,
            _ => Some((f, s)),
        })
}

/// How the rows of a mapping can be told apart: what its identity fields allow
/// (`docs/DESIGN.md`, identity: `lead_id`, else `event_id`, else e-mail and phones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// `lead_id` or `event_id` is mapped.
    Ids,
    /// Neither id, but an e-mail or a phone: a lead whose contact changes becomes a new lead.
    Contact,
    /// No identity field: every row is rejected (`no_identity`).
    None,
}

impl Identity {
    /// What a person should know before importing, when there is something to know.
    pub fn warning(self) -> Option<&'static str> {
        match self {
            Identity::Ids => None,
            Identity::Contact => Some(
                "no column is mapped to lead_id or event_id: leads are told apart by e-mail and phone, so one whose e-mail or phone changed is stored as a new lead",
            ),
            Identity::None => Some(
                "no column is mapped to lead_id, event_id, email or a phone: every row will be rejected (no_identity); map the column that identifies a lead",
            ),
        }
    }
}

impl Mapping {
    /// What the mapped fields allow as a lead's identity.
    pub fn identity(&self) -> Identity {
        let mapped = |f: Field| self.columns.iter().any(|c| c.field == Some(f));
        if mapped(Field::LeadId) || mapped(Field::EventId) {
            Identity::Ids
        } else if [Field::Email, Field::Phone1, Field::Phone2, Field::Phone3]
            .into_iter()
            .any(mapped)
        {
            Identity::Contact
        } else {
            Identity::None
        }
    }

    /// Maps a header row. The first column that claims a field wins; later ones go to `extra`.
    pub fn build(headers: &[&str], overrides: &MappingOverrides) -> Mapping {
        let mut taken: HashSet<Field> = HashSet::new();
        let mut keys: HashSet<String> = HashSet::new();
        let mut columns = Vec::with_capacity(headers.len());
        // LeadConduit's event exports carry the event's id in `id` and the lead's in `lead.id`:
        // with a `lead.id` in the row, a bare `id` is the event id.
        let has_lead_id = headers.iter().any(|h| is_lead_scoped_id(h));
        for (index, raw) in headers.iter().enumerate() {
            let header = crate::text::without_nul(raw.trim_start_matches('\u{feff}')).into_owned();
            let normalized = normalize_header(&header);
            let flat = flat(&normalized);
            let over = overrides
                .0
                .get(header.trim())
                .or_else(|| overrides.0.get(&normalized))
                .or_else(|| overrides.0.get(&flat));
            let (mut field, mut matched, mut confidence, mut suggestion) =
                (None, MatchKind::Unmapped, 0.0, None);
            match over {
                Some(Target::Field(f)) => {
                    (field, matched, confidence) = (Some(*f), MatchKind::Override, 1.0)
                }
                Some(Target::Keep(_)) => (matched, confidence) = (MatchKind::Override, 1.0),
                None => {
                    if has_lead_id && flat == "id" && !is_lead_scoped_id(&header) {
                        (field, matched, confidence) =
                            (Some(Field::EventId), MatchKind::Alias, 1.0);
                    } else if let Some((f, how)) = lookup(&flat) {
                        (field, matched, confidence) = (Some(f), how, 1.0);
                    } else if family(&normalized).is_some() {
                        matched = MatchKind::Component;
                    } else if let Some((f, s)) =
                        closest(&flat).filter(|(f, _)| !crosses_family(&flat, *f))
                    {
                        if s >= FUZZY_APPLY {
                            (field, matched, confidence) = (Some(f), MatchKind::Fuzzy, s);
                        } else if s >= FUZZY_SUGGEST {
                            suggestion = Some((f, s));
                        }
                    }
                }
            }
            if let Some(f) = field
                && !taken.insert(f)
            {
                field = None;
                matched = MatchKind::Duplicate;
            }
            let base = if header.trim().is_empty() {
                format!("column_{}", index + 1)
            } else {
                header.trim().to_owned()
            };
            let mut extra_key = base.clone();
            if !keys.insert(extra_key.clone()) {
                extra_key = format!("{base} (column {})", index + 1);
                keys.insert(extra_key.clone());
            }
            columns.push(Column {
                index,
                header,
                normalized,
                field,
                matched,
                confidence,
                suggestion,
                extra_key,
            });
        }
        Mapping { columns }
    }

    /// How many of `headers` name a canonical field exactly or through an alias (no fuzzy
    /// matching): how header-like a row is.
    pub fn known_count(headers: &[&str]) -> usize {
        headers
            .iter()
            .filter(|h| lookup(&flat(&normalize_header(h))).is_some())
            .count()
    }

    /// The override keys that name no column of `headers` (as written, normalised or flat):
    /// a typo in a mapping file, which the summary reports instead of ignoring.
    pub fn unused_overrides(headers: &[&str], overrides: &MappingOverrides) -> Vec<String> {
        let known: HashSet<String> = headers
            .iter()
            .flat_map(|h| {
                let h = h.trim_start_matches('\u{feff}').trim();
                let n = normalize_header(h);
                [h.to_owned(), flat(&n), n]
            })
            .collect();
        overrides
            .0
            .keys()
            .filter(|k| !known.contains(k.as_str()))
            .cloned()
            .collect()
    }

    /// How many columns map onto a canonical field.
    pub fn mapped_count(&self) -> usize {
        self.columns.iter().filter(|c| c.field.is_some()).count()
    }

    /// The columns whose values go to `extra`.
    pub fn unmapped(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.field.is_none())
    }

    /// The overrides that reproduce this mapping exactly, for saving a reviewed mapping.
    pub fn to_overrides(&self) -> MappingOverrides {
        MappingOverrides(
            self.columns
                .iter()
                .filter(|c| !c.header.trim().is_empty())
                .map(|c| {
                    (
                        c.header.trim().to_owned(),
                        c.field.map_or(Target::Keep(KeepWord::Extra), Target::Field),
                    )
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests;
