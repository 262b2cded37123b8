//! Reports for spreadsheets: the error report and the cleaned CSV, formula-escaped.

use crate::field::Field;
use crate::validate::Row;

/// The error report's header line.
pub const ERROR_REPORT_HEADER: &str = "line,record,column,field,code,severity,message,raw\n";

/// A cell safe to open in a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or CR is escaped
/// with `'` so that it is not executed as a formula; then quoted as CSV needs.
pub fn csv_cell(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_csv_cell(&mut out, value);
    out
}

/// [`csv_cell`], appended to `out`.
pub fn push_csv_cell(out: &mut String, value: &str) {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    // The `'` a formula gets needs no quoting itself: the value alone decides.
    let quote = value
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    if quote {
        let mut parts = value.split('"');
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for part in parts {
            out.push_str("\"\"");
            out.push_str(part);
        }
        out.push('"');
    } else {
        out.push_str(value);
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
        let mut out = String::new();
        self.push_csv(&mut out);
        out
    }

    /// [`ErrorLine::to_csv`], appended to `out`.
    pub fn push_csv(&self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = write!(out, "{},{},", self.line, self.record);
        for (i, cell) in [
            self.column,
            self.field,
            self.code,
            self.severity,
            self.message,
            self.raw,
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                out.push(',');
            }
            push_csv_cell(out, cell);
        }
        out.push('\n');
    }
}

/// The error report lines of one row: one line per issue.
pub fn error_report_lines(row: &Row) -> String {
    let mut out = String::new();
    for issue in &row.issues {
        ErrorLine {
            line: row.line,
            record: row.record,
            column: issue.column.as_deref().unwrap_or_default(),
            field: issue.field.map(|f| f.name()).unwrap_or_default(),
            code: issue.code.as_str(),
            severity: issue.severity.as_str(),
            message: &issue.message,
            raw: issue.raw.as_deref().unwrap_or_default(),
        }
        .push_csv(&mut out);
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
    use std::fmt::Write as _;
    let status = match row.status {
        crate::RowStatus::Valid => "valid",
        crate::RowStatus::Warning => "warning",
        crate::RowStatus::Rejected => "rejected",
    };
    let key = row.key.as_ref().map(|k| k.as_str()).unwrap_or_default();
    let mut out = String::with_capacity(512);
    let _ = write!(out, "{},{status},", row.line);
    push_csv_cell(&mut out, key);
    for (_, v) in row.lead.iter() {
        out.push(',');
        if let Some(v) = v {
            push_csv_cell(&mut out, &v.to_text());
        }
    }
    out.push('\n');
    out
}
