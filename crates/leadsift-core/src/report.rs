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

/// The error report lines of one row: one line per issue.
pub fn error_report_lines(row: &Row) -> String {
    let mut out = String::new();
    for issue in &row.issues {
        let cells = [
            row.line.to_string(),
            row.record.to_string(),
            issue.column.clone().unwrap_or_default(),
            issue.field.map(|f| f.name().to_owned()).unwrap_or_default(),
            issue.code.as_str().to_owned(),
            match issue.severity {
                crate::Severity::Error => "error".to_owned(),
                crate::Severity::Warning => "warning".to_owned(),
            },
            issue.message.clone(),
            issue.raw.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
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
