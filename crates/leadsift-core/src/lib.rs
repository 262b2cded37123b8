//! leadsift-core: mapping, cleaning and validation of LeadConduit CSV exports.
//!
//! Sans-I/O: bytes go in ([`Validator::push`]), cleaned rows and issues come out. No file,
//! network, clock, async runtime, database or JavaScript binding lives here, so the browser
//! (wasm32), the server and the command line run exactly the same rules.

pub mod clean;
pub mod decode;
pub mod digest;
pub mod error;
pub mod field;
pub mod gzip;
pub mod issue;
pub mod judge;
pub mod lead;
pub mod mapping;
#[cfg(feature = "openapi")]
mod openapi;
pub mod plan;
pub mod reconcile;
pub mod records;
pub mod report;
pub mod returns;
mod seen;
pub mod sniff;
pub mod text;
pub mod validate;
pub mod wire;
mod word;

/// The date type of [`clean::CleanOptions::today`], for callers that say what day it is.
pub use chrono::NaiveDate;
pub use error::ReadError;
pub use field::{Field, FieldType, ImportSource, Surface};
pub use issue::{Issue, IssueCode, Severity};
pub use judge::{Outcome, Outcomes, Prior};
pub use mapping::{Mapping, MappingOverrides};
pub use records::Limits;
pub use validate::{
    Brief, BriefIssue, Cells, Lead, LeadKey, Options, ReadFacts, Replay, Replayer, Restand, Row,
    RowStatus, Standing, Summary, TextMap, Validator, validate_bytes, validate_pairs,
};
