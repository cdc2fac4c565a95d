//! The github format: workflow commands that GitHub Actions turns into
//! annotations on the pull request.

use super::{FileReport, position};
use crate::diag::Severity;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in &r.diagnostics {
            let (line, col, end_line, end_col) = position(&r.file, d);
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            out.push_str(&format!(
                "::{level} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
                escape_property(&r.file.name),
                escape_property(&format!("{} {}", d.code.as_str(), d.code.rule().name)),
                escape_data(&message),
            ));
        }
    }
    out
}

/// Escaping for the message part, as the Actions toolkit does it.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for `key=value` properties, which also reserve `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
