//! The json format: a stable array of diagnostics, one object each.
//!
//! Fields: `file`, `code`, `name`, `severity`, `message`, `help` (or null),
//! `line`, `column`, `end_line`, `end_column` (1-based), `offset` and
//! `length` (bytes), and `labels` (secondary spans with their messages).

use super::{FileReport, position};
use serde_json::{Value, json};

pub fn render(reports: &[FileReport]) -> String {
    let items: Vec<Value> = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics.iter().map(move |d| {
                let (line, column, end_line, end_column) = position(&r.file, d);
                let labels: Vec<Value> = d
                    .secondary
                    .iter()
                    .map(|l| {
                        let (line, column) = r.file.line_col(l.span.start);
                        json!({"line": line, "column": column, "message": l.message})
                    })
                    .collect();
                json!({
                    "file": r.file.name,
                    "code": d.code.as_str(),
                    "name": d.code.rule().name,
                    "severity": d.severity.as_str(),
                    "message": d.message,
                    "help": d.help,
                    "line": line,
                    "column": column,
                    "end_line": end_line,
                    "end_column": end_column,
                    "offset": d.primary.span.start,
                    "length": d.primary.span.len(),
                    "labels": labels,
                })
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).unwrap_or_default();
    out.push('\n');
    out
}
