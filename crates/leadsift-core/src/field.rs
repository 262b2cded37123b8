//! The canonical lead: every field a column can map to, and the type that cleans it.

use serde::{Deserialize, Serialize};

/// How a field's raw text is cleaned (DESIGN.md, "Normal forms").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldType {
    Id,
    Timestamp,
    Text,
    Name,
    Email,
    Phone,
    State,
    PostalCode,
    Date,
    Gender,
    Number,
    Boolean,
    Ip,
    Url,
    TrustedForm,
    Jornaya,
}

macro_rules! fields {
    ($( $variant:ident = $column:ident : $ty:ident ),* $(,)?) => {
        /// A canonical field. `import_source` is absent on purpose: the system sets it, a file never does.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field { $( $variant ),* }

        impl Field {
            /// Every canonical field, in the order of DESIGN.md's table.
            pub const ALL: &'static [Field] = &[ $( Field::$variant ),* ];

            /// The canonical snake_case name.
            pub const fn name(self) -> &'static str {
                match self { $( Field::$variant => stringify!($column) ),* }
            }

            /// The type that cleans this field.
            pub const fn ty(self) -> FieldType {
                match self { $( Field::$variant => FieldType::$ty ),* }
            }

            /// The field whose canonical name is exactly `name`.
            pub fn from_name(name: &str) -> Option<Field> {
                match name { $( stringify!($column) => Some(Field::$variant), )* _ => None }
            }
        }
    };
}

/// The canonical fields, declared once: `Variant = column: Type`, in DESIGN.md's order. Every
/// other list of fields is derived from this one: [`Field`] here, and the `leads` table's
/// row and insert structs in `leadsift-store` (which pass their own macro as `$callback`).
/// Adding a field is a line here and one migration per backend (see ARCHITECTURE.md).
#[macro_export]
macro_rules! canonical_fields {
    ($callback:path) => {
        $callback! {
            LeadId = lead_id: Id,
            EventId = event_id: Id,
            SubmittedAt = submitted_at: Timestamp,
            FlowId = flow_id: Text,
            FlowName = flow_name: Text,
            SourceId = source_id: Text,
            SourceName = source_name: Text,
            Outcome = outcome: Text,
            Reason = reason: Text,
            FirstName = first_name: Name,
            LastName = last_name: Name,
            Email = email: Email,
            Phone1 = phone_1: Phone,
            Phone2 = phone_2: Phone,
            Phone3 = phone_3: Phone,
            Address1 = address_1: Text,
            Address2 = address_2: Text,
            City = city: Text,
            State = state: State,
            PostalCode = postal_code: PostalCode,
            Country = country: Text,
            Dob = dob: Date,
            Gender = gender: Gender,
            Campaign = campaign: Text,
            AdGroup = ad_group: Text,
            Keyword = keyword: Text,
            UtmSource = utm_source: Text,
            UtmMedium = utm_medium: Text,
            UtmCampaign = utm_campaign: Text,
            UtmTerm = utm_term: Text,
            UtmContent = utm_content: Text,
            QualityScore = quality_score: Number,
            LeadScore = lead_score: Number,
            Price = price: Number,
            IsDuplicate = is_duplicate: Boolean,
            IsTest = is_test: Boolean,
            Status = status: Text,
            Disposition = disposition: Text,
            IpAddress = ip_address: Ip,
            UserAgent = user_agent: Text,
            ReferringUrl = referring_url: Url,
            LandingPage = landing_page: Url,
            TrustedformCertUrl = trustedform_cert_url: TrustedForm,
            UniversalLeadid = universal_leadid: Jornaya,
            Comments = comments: Text,
        }
    };
}

canonical_fields!(fields);

impl Field {
    /// Number of canonical fields.
    pub const COUNT: usize = Field::ALL.len();

    /// Position in [`Field::ALL`], for dense per-field arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The field as a person reads it ("Phone 1", "TrustedForm certificate URL"): what the
    /// page shows in place of the name.
    pub const fn label(self) -> &'static str {
        match self {
            Field::LeadId => "Lead ID",
            Field::EventId => "Event ID",
            Field::SubmittedAt => "Submitted at",
            Field::FlowId => "Flow ID",
            Field::FlowName => "Flow name",
            Field::SourceId => "Source ID",
            Field::SourceName => "Source name",
            Field::Outcome => "Outcome",
            Field::Reason => "Reason",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::Email => "Email",
            Field::Phone1 => "Phone 1",
            Field::Phone2 => "Phone 2",
            Field::Phone3 => "Phone 3",
            Field::Address1 => "Address line 1",
            Field::Address2 => "Address line 2",
            Field::City => "City",
            Field::State => "State",
            Field::PostalCode => "Postal code",
            Field::Country => "Country",
            Field::Dob => "Date of birth",
            Field::Gender => "Gender",
            Field::Campaign => "Campaign",
            Field::AdGroup => "Ad group",
            Field::Keyword => "Keyword",
            Field::UtmSource => "UTM source",
            Field::UtmMedium => "UTM medium",
            Field::UtmCampaign => "UTM campaign",
            Field::UtmTerm => "UTM term",
            Field::UtmContent => "UTM content",
            Field::QualityScore => "Quality score",
            Field::LeadScore => "Lead score",
            Field::Price => "Price",
            Field::IsDuplicate => "Is duplicate",
            Field::IsTest => "Is test",
            Field::Status => "Status",
            Field::Disposition => "Disposition",
            Field::IpAddress => "IP address",
            Field::UserAgent => "User agent",
            Field::ReferringUrl => "Referring URL",
            Field::LandingPage => "Landing page",
            Field::TrustedformCertUrl => "TrustedForm certificate URL",
            Field::UniversalLeadid => "Jornaya LeadiD",
            Field::Comments => "Comments",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(d)?;
        Field::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown field {name:?}")))
    }
}

/// Where a stored lead came from: the system field `import_source`, set by leadsift and never
/// read from a file.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportSource {
    /// A CSV file (`leadsift import`, the batch API, an upload).
    #[default]
    Csv,
    /// A lead posted on its own (`POST /api/v1/leads`, LeadConduit's delivery).
    Api,
    /// An event report.
    Events,
}

impl ImportSource {
    /// Every source, in the documented order.
    pub const ALL: [ImportSource; 3] = [ImportSource::Csv, ImportSource::Api, ImportSource::Events];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportSource::Csv => "csv",
            ImportSource::Api => "api",
            ImportSource::Events => "events",
        }
    }

    /// The source a stored name means.
    pub fn parse(name: &str) -> Option<ImportSource> {
        ImportSource::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Where an import run was started: the history tells a browser's run from the command
/// line's. Set by the client that starts a run through the API (`browser`, `cli`, `api`, the
/// default) and by the server for an upload; `unknown` for runs stored before it was kept.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    /// The page, in a browser.
    Browser,
    /// `leadsift import`, into the database or through the API.
    Cli,
    /// A file uploaded whole (`POST /api/v1/uploads`).
    Upload,
    /// Any other client of the batch API.
    #[default]
    Api,
    /// A run stored before the surface was kept.
    Unknown,
}

impl Surface {
    pub const ALL: [Surface; 5] = [
        Surface::Browser,
        Surface::Cli,
        Surface::Upload,
        Surface::Api,
        Surface::Unknown,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Browser => "browser",
            Surface::Cli => "cli",
            Surface::Upload => "upload",
            Surface::Api => "api",
            Surface::Unknown => "unknown",
        }
    }

    /// The surface as a person reads it in the history.
    pub fn label(self) -> &'static str {
        match self {
            Surface::Browser => "browser",
            Surface::Cli => "command line",
            Surface::Upload => "upload",
            Surface::Api => "API",
            Surface::Unknown => "unknown",
        }
    }

    /// Whether a client may say it started a run from here (an upload and the unknown are
    /// the server's to say).
    pub fn client_may_claim(self) -> bool {
        matches!(self, Surface::Browser | Surface::Cli | Surface::Api)
    }
}

impl TryFrom<String> for Surface {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        Surface::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| format!("{name:?} is not a surface"))
    }
}

/// A stored name that is no import source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an import source (csv, api or events)")]
pub struct UnknownSource(pub String);

impl TryFrom<String> for ImportSource {
    type Error = UnknownSource;
    fn try_from(name: String) -> Result<Self, UnknownSource> {
        ImportSource::parse(&name).ok_or(UnknownSource(name))
    }
}

impl std::fmt::Display for ImportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}
