//! Issues: what validation found, with a stable code, a severity and a located message.

use serde::{Deserialize, Serialize};

use crate::field::Field;

/// How serious an issue is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The value was cleaned in a way a person should know about; the row is still imported.
    Warning,
    /// The value could not be cleaned (the field is null), or the row is broken.
    Error,
}

impl Severity {
    /// `warning` or `error`, as in JSON, reports and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! codes {
    ($( $variant:ident = $name:literal, $sev:ident, $rejects:literal; )*) => {
        /// A stable snake_case issue code. New codes may be added; existing ones never change.
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum IssueCode { $( $variant ),* }

        impl IssueCode {
            /// Every code, for documentation and summaries.
            pub const ALL: &'static [IssueCode] = &[ $( IssueCode::$variant ),* ];

            /// The stable snake_case code.
            pub const fn as_str(self) -> &'static str {
                match self { $( IssueCode::$variant => $name ),* }
            }

            /// The severity every issue with this code has.
            pub const fn severity(self) -> Severity {
                match self { $( IssueCode::$variant => Severity::$sev ),* }
            }

            /// Whether an issue with this code rejects its row even outside strict mode.
            pub const fn rejects(self) -> bool {
                match self { $( IssueCode::$variant => $rejects ),* }
            }
        }
    };
}

codes! {
    InvalidId = "invalid_id", Error, false;
    InvalidPhone = "invalid_phone", Error, false;
    InvalidEmail = "invalid_email", Error, false;
    InvalidPostalCode = "invalid_postal_code", Error, false;
    InvalidState = "invalid_state", Error, false;
    InvalidBoolean = "invalid_boolean", Error, false;
    InvalidNumber = "invalid_number", Error, false;
    InvalidDate = "invalid_date", Error, false;
    InvalidTimestamp = "invalid_timestamp", Error, false;
    InvalidIp = "invalid_ip", Error, false;
    InvalidUrl = "invalid_url", Error, false;
    InvalidGender = "invalid_gender", Error, false;
    InvalidTrustedformUrl = "invalid_trustedform_url", Error, false;
    InvalidJornayaToken = "invalid_jornaya_token", Error, false;
    Masked = "masked", Warning, false;
    SpreadsheetRecovered = "spreadsheet_recovered", Warning, false;
    LeadingZeroRestored = "leading_zero_restored", Warning, false;
    DayFirstDate = "day_first_date", Warning, false;
    TwoDigitYear = "two_digit_year", Warning, false;
    ControlCharactersRemoved = "control_characters_removed", Warning, false;
    EncodingReplaced = "encoding_replaced", Warning, false;
    DuplicateInFile = "duplicate_in_file", Warning, false;
    ShortRow = "short_row", Warning, false;
    ExtraEmptyFields = "extra_empty_fields", Warning, false;
    NoIdentity = "no_identity", Error, true;
    FieldCountMismatch = "field_count_mismatch", Error, true;
    FieldTooLarge = "field_too_large", Error, true;
    RecordTooLarge = "record_too_large", Error, true;
    TooManyColumns = "too_many_columns", Error, true;
    UnterminatedQuote = "unterminated_quote", Error, true;
    TamperedValue = "tampered_value", Error, true;
}

impl IssueCode {
    /// What an issue with this code does to its row, in words that agree with the row
    /// statuses (valid, warning, rejected) so that no screen contradicts another: "rejects the
    /// row" (the row is rejected; under `strict` every error does), "value left out" (an error
    /// that does not reject: the value failed cleaning, the field is imported empty and the row
    /// is a warning), or "note" (a warning: the value was fixed or kept, the row is a warning).
    pub const fn effect(self, strict: bool) -> &'static str {
        match self.severity() {
            _ if self.rejects() => "rejects the row",
            Severity::Error if strict => "rejects the row",
            Severity::Error => "value left out",
            Severity::Warning => "note",
        }
    }
}

impl std::fmt::Display for IssueCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in one row.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The canonical field, when the issue concerns one.
    pub field: Option<Field>,
    /// The original column header, when the issue concerns one column.
    pub column: Option<String>,
    pub code: IssueCode,
    pub severity: Severity,
    /// A lower-case human message without a trailing period.
    pub message: String,
    /// The raw value as it stood in the file (cut to 200 characters for oversized values).
    pub raw: Option<String>,
}

impl Issue {
    /// The field whose value failed cleaning (so the field is null and the raw value is in
    /// the issue), when this issue says so: an error about one field.
    pub fn failed_field(&self) -> Option<Field> {
        self.field.filter(|_| self.severity == Severity::Error)
    }

    /// The field whose raw value must be kept beside the lead: one that failed cleaning, or
    /// one that was masked (a value stored only in part).
    pub fn kept_raw_field(&self) -> Option<Field> {
        self.failed_field()
            .or_else(|| self.field.filter(|_| self.code == IssueCode::Masked))
    }

    /// An issue whose severity follows from its code.
    pub fn new(code: IssueCode, message: impl Into<String>) -> Self {
        Issue {
            field: None,
            column: None,
            code,
            severity: code.severity(),
            message: message.into(),
            raw: None,
        }
    }

    pub fn with_field(mut self, field: Field) -> Self {
        self.field = Some(field);
        self
    }

    pub fn with_column(mut self, column: impl Into<String>) -> Self {
        let mut column = column.into();
        crate::text::strip_nul(&mut column);
        self.column = Some(column);
        self
    }

    pub fn with_raw(mut self, raw: &str) -> Self {
        // A kept raw value never carries NUL to storage (`text::NUL_STANDS_IN`).
        let raw = crate::text::without_nul(raw);
        self.raw = Some(crate::text::truncate_chars(&raw, 200).into_owned());
        self
    }
}
