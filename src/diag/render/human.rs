//! The human format: miette's graphical report with source snippets.

use super::FileReport;
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceFile;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
        }
    }
}

pub fn render(reports: &[FileReport], opts: &HumanOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false);
    let mut out = String::new();
    let (mut errors, mut warnings) = (0, 0);
    for report in reports {
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            let shown = Shown::new(&report.file, d);
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut out, &shown);
            out.push('\n');
        }
    }
    if errors + warnings > 0 {
        out.push_str(&format!(
            "{} {}, {} {} in {} {}\n",
            errors,
            plural(errors, "error", "errors"),
            warnings,
            plural(warnings, "warning", "warnings"),
            reports.len(),
            plural(reports.len(), "file", "files"),
        ));
    }
    out
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A diagnostic dressed as a miette diagnostic for rendering.
struct Shown<'a> {
    d: &'a Diagnostic,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
}

impl<'a> Shown<'a> {
    fn new(file: &Arc<SourceFile>, d: &'a Diagnostic) -> Self {
        let label = |m: &str| (!m.is_empty()).then(|| m.to_string());
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            label(&d.primary.message),
            d.primary.span,
        )];
        labels.extend(
            d.secondary
                .iter()
                .map(|l| LabeledSpan::new_with_span(label(&l.message), l.span)),
        );
        Shown {
            d,
            source: NamedSource::new(file.name.clone(), file.text.clone()).with_language(
                match file.format {
                    crate::source::Format::Yaml => "yaml",
                    crate::source::Format::Kdl => "kdl",
                },
            ),
            labels,
        }
    }
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.d.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}
