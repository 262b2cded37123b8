//! leadsift-wasm: `leadsift-core` for JavaScript, through wasm-bindgen.
//!
//! Translation only: options come in as a plain JS object, chunks as `Uint8Array`, and rows,
//! issues, the mapping and the summary go out as plain JS objects (serde-wasm-bindgen, JSON
//! compatible). Errors are JS exceptions with the core's message. No rule lives here.

use leadsift_core::clean::{CleanOptions, Zone};
use leadsift_core::{Limits, MappingOverrides, Options};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[cfg(feature = "exports")]
mod exports;
#[cfg(feature = "exports")]
pub use exports::{Validator, batch_body_js, batch_checksum_js, checksum_of};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
export interface ValidatorOptions {
  /** Header → canonical field name, "extra" or "ignore". */
  mapping?: Record<string, string>;
  strict?: boolean;
  /** "UTC" (default), an offset such as "-05:00", or an IANA name. */
  timezone?: string;
  /** An encoding label instead of sniffing: "utf-8", "utf-16le", "windows-1252", ... */
  encoding?: string;
  /** One character instead of sniffing: ",", ";", "\t" or "|". */
  delimiter?: string;
  /** The header's physical line (1-based) instead of sniffing. */
  headerLine?: number;
  maxFieldBytes?: number;
  maxColumns?: number;
  /** Today as YYYY-MM-DD (for birth dates); the browser's date when absent. */
  today?: string;
}
export interface Issue {
  field: string | null; column: string | null; code: string;
  severity: "warning" | "error"; message: string; raw: string | null;
}
export interface Row {
  record: number; line: number; status: "valid" | "warning" | "rejected"; key: string | null;
  lead: Record<string, string | number | boolean | null>; extra: Record<string, string>;
  issues: Issue[]; replaces_line: number | null;
}
export interface Summary {
  rows: number; valid: number; warning: number; rejected: number; blank: number;
  duplicates: number; preamble: number; bytes: number;
  sniffed: { encoding: string; bom: boolean; gzip: boolean; delimiter: string; line_endings: string;
             header_line: number; encoding_source: string; delimiter_source: string; header_source: string } | null;
  mapping: { columns: Array<{ index: number; header: string; normalized: string; field: string | null;
             match: string; confidence: number; suggestion: [string, number] | null; extra_key: string }> } | null;
  issues: Record<string, number>;
  notes: string[];
}
"#;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsOptions {
    mapping: MappingOverrides,
    strict: bool,
    timezone: Option<String>,
    encoding: Option<String>,
    delimiter: Option<String>,
    header_line: Option<u64>,
    max_field_bytes: Option<usize>,
    max_columns: Option<usize>,
    today: Option<String>,
}

fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Today from the JS clock (the core reads no clock).
fn today() -> Option<String> {
    let d = js_sys::Date::new_0();
    let (y, m, day) = (d.get_full_year(), d.get_month() + 1, d.get_date());
    (y > 0).then(|| format!("{y:04}-{m:02}-{day:02}"))
}

impl JsOptions {
    fn into_core(self) -> Result<Options, JsError> {
        let timezone = match &self.timezone {
            Some(z) => z.parse::<Zone>().map_err(js_error)?,
            None => Zone::Utc,
        };
        let today_text = self
            .today
            .or_else(today)
            .unwrap_or_else(|| "1970-01-01".to_owned());
        let today = leadsift_core::clean::Timestamp::parse(&today_text, &Zone::Utc)
            .map(|(t, _)| t.utc().date_naive())
            .map_err(|n| {
                js_error(format!(
                    "today must be a date such as 2026-11-29: {}",
                    n.message
                ))
            })?;
        let delimiter = self
            .delimiter
            .as_deref()
            .map(leadsift_core::sniff::delimiter_for_label)
            .transpose()
            .map_err(js_error)?;
        let encoding = self
            .encoding
            .as_deref()
            .map(leadsift_core::sniff::charset_for_label)
            .transpose()
            .map_err(js_error)?;
        let defaults = Limits::default();
        Ok(Options {
            clean: CleanOptions {
                timezone,
                ..CleanOptions::new(today)
            },
            strict: self.strict,
            encoding,
            delimiter,
            header_line: self.header_line,
            mapping: self.mapping,
            limits: Limits {
                max_field_bytes: self.max_field_bytes.unwrap_or(defaults.max_field_bytes),
                max_columns: self.max_columns.unwrap_or(defaults.max_columns),
                ..defaults
            },
            ..Options::new(today)
        })
    }
}

/// The core's options from a `ValidatorOptions` object (undefined or null: the defaults).
/// A misspelt option is an error, not a silently ignored one.
pub fn options_from_js(options: JsValue) -> Result<Options, JsError> {
    let o: JsOptions = if options.is_undefined() || options.is_null() {
        JsOptions::default()
    } else {
        const KNOWN: &[&str] = &[
            "mapping",
            "strict",
            "timezone",
            "encoding",
            "delimiter",
            "headerLine",
            "maxFieldBytes",
            "maxColumns",
            "today",
        ];
        // A misspelt option is an error, not a silently ignored one.
        if let Some(obj) = options.dyn_ref::<js_sys::Object>() {
            for key in js_sys::Object::keys(obj)
                .iter()
                .filter_map(|k| k.as_string())
            {
                if !KNOWN.contains(&key.as_str()) {
                    return Err(js_error(format!(
                        "unknown option {key:?}: the options are {}",
                        KNOWN.join(", ")
                    )));
                }
            }
        }
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| js_error(format!("invalid options: {e}")))?
    };
    o.into_core()
}
