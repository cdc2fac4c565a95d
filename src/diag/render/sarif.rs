//! The sarif format: SARIF 2.1.0 for code-scanning upload.

use super::{FileReport, position};
use crate::diag::{Code, Severity};
use serde_json::{Value, json};

pub fn render(reports: &[FileReport]) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            let r = c.rule();
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.why},
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics.iter().map(move |d| {
                let (line, col, end_line, end_col) = position(&r.file, d);
                let mut text = d.message.clone();
                if let Some(help) = &d.help {
                    text.push_str("\nhelp: ");
                    text.push_str(help);
                }
                json!({
                    "ruleId": d.code.as_str(),
                    "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                    "level": level(d.severity),
                    "message": {"text": text},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri(&r.file.name)},
                            "region": {
                                "startLine": line.max(1),
                                "startColumn": col.max(1),
                                "endLine": end_line.max(line).max(1),
                                "endColumn": end_col.max(1),
                            }
                        }
                    }],
                })
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "meshc",
                "informationUri": "https://github.com/meshc/meshc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// SARIF wants URIs: relative paths with `/`, spaces and `%` escaped.
fn uri(path: &str) -> String {
    path.replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20")
}
