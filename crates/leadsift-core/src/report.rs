//! Reports for spreadsheets: the error report and the cleaned CSV, formula-escaped.

use crate::field::Field;
use crate::validate::Row;

/// The error report's header line.
pub const ERROR_REPORT_HEADER: &str = "line,record,column,field,code,severity,message,raw\n";

/// A cell safe to open in a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or CR is escaped
/// with `'` so that it is not executed as a formula; then quoted as CSV needs.
pub fn csv_cell(value: &str) -> String {
    let escaped = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if escaped.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", escaped.replace('"', "\"\""))
    } else {
        escaped
    }
}

/// One line of the error report, from wherever the issue is kept (a row being validated, or
/// a stored issue read back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorLine<'a> {
    pub line: u64,
    pub record: u64,
    pub column: &'a str,
    pub field: &'a str,
    pub code: &'a str,
    pub severity: &'a str,
    pub message: &'a str,
    pub raw: &'a str,
}

impl ErrorLine<'_> {
    /// The line, formula-escaped, with its newline.
    pub fn to_csv(&self) -> String {
        let cells = [
            &self.line.to_string(),
            &self.record.to_string(),
            self.column,
            self.field,
            self.code,
            self.severity,
            self.message,
            self.raw,
        ];
        let mut out = cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
        out
    }
}

/// The error report lines of one row: one line per issue.
pub fn error_report_lines(row: &Row) -> String {
    let mut out = String::new();
    for issue in &row.issues {
        out.push_str(
            &ErrorLine {
                line: row.line,
                record: row.record,
                column: issue.column.as_deref().unwrap_or_default(),
                field: issue.field.map(|f| f.name()).unwrap_or_default(),
                code: issue.code.as_str(),
                severity: issue.severity.as_str(),
                message: &issue.message,
                raw: issue.raw.as_deref().unwrap_or_default(),
            }
            .to_csv(),
        );
    }
    out
}

/// The cleaned CSV's header: line, the row's status and lead key, then every canonical field.
/// (`row_status`, because `status` is a LeadConduit field.)
pub fn cleaned_csv_header() -> String {
    let mut cells = vec![
        "line".to_owned(),
        "row_status".to_owned(),
        "lead_key".to_owned(),
    ];
    cells.extend(Field::ALL.iter().map(|f| f.name().to_owned()));
    cells.join(",") + "\n"
}

/// One row of the cleaned CSV.
pub fn cleaned_csv_line(row: &Row) -> String {
    let status = match row.status {
        crate::RowStatus::Valid => "valid",
        crate::RowStatus::Warning => "warning",
        crate::RowStatus::Rejected => "rejected",
    };
    let key = row.key.as_ref().map(|k| k.as_str()).unwrap_or_default();
    let mut cells = vec![row.line.to_string(), status.to_owned(), csv_cell(key)];
    cells.extend(
        row.lead
            .iter()
            .map(|(_, v)| v.map(|v| csv_cell(&v.to_text())).unwrap_or_default()),
    );
    cells.join(",") + "\n"
}
