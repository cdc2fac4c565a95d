//! The human format: miette's graphical report with source snippets.

use super::FileReport;
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceFile;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
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
        }
        // Each report is rendered apart from the others, so thousands of
        // them are split across the cores and joined in order.
        let rendered = crate::par::map(&report.diagnostics, |d| {
            let mut one = String::new();
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut one, &Shown::new(&report.file, d));
            one.push('\n');
            one
        });
        out.reserve(rendered.iter().map(String::len).sum());
        for one in &rendered {
            out.push_str(one);
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

/// Lines longer than this are not shown: miette pads up to a label's column
/// with a format width, which panics past 65,535, and a megabyte-long line
/// helps no one. The report then names the position instead.
const LONGEST_SHOWN_LINE: usize = 4096;
/// A label spanning more lines than this points at its first character only.
const MOST_LABELLED_LINES: usize = 20;

/// A diagnostic dressed as a miette diagnostic for rendering.
struct Shown<'a> {
    d: &'a Diagnostic,
    message: String,
    source: Option<Snippets>,
    labels: Vec<LabeledSpan>,
}

impl<'a> Shown<'a> {
    fn new(file: &Arc<SourceFile>, d: &'a Diagnostic) -> Self {
        let text = file.text.as_str();
        let spans = std::iter::once(&d.primary).chain(&d.secondary);
        if spans
            .clone()
            .any(|l| longest_line(text, l.span) > LONGEST_SHOWN_LINE)
        {
            let (line, column) = file.line_col(d.primary.span.start);
            return Shown {
                d,
                message: format!(
                    "{} (at {}:{line}:{column}, in a line too long to show)",
                    d.message, file.name
                ),
                source: None,
                labels: Vec::new(),
            };
        }
        let label = |m: &str| (!m.is_empty()).then(|| m.to_string());
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            label(&d.primary.message),
            shown_span(text, d.primary.span),
        )];
        labels.extend(
            d.secondary
                .iter()
                .map(|l| LabeledSpan::new_with_span(label(&l.message), shown_span(text, l.span))),
        );
        Shown {
            d,
            message: d.message.clone(),
            source: Some(Snippets(file.clone())),
            labels,
        }
    }
}

/// The longest of the lines a span starts and ends on.
fn longest_line(text: &str, span: crate::source::Span) -> usize {
    let line_at = |at: usize| {
        let at = at.min(text.len());
        let start = text.as_bytes()[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let end = text.as_bytes()[at..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(text.len(), |i| at + i);
        end - start
    };
    line_at(span.start as usize).max(line_at(span.end as usize))
}

/// A span as shown: one spanning many lines points at its start instead
/// (an "empty" file of a million comment lines is not printed whole).
fn shown_span(text: &str, span: crate::source::Span) -> crate::source::Span {
    let covered = text
        .get(span.start as usize..span.end as usize)
        .map_or(0, |t| t.bytes().filter(|b| *b == b'\n').count());
    if covered > MOST_LABELLED_LINES {
        crate::source::Span::new(span.start as usize, span.start as usize)
    } else {
        span
    }
}

/// The description's text as miette reads it. miette finds a span's lines by
/// scanning from the first byte; this hands it only the lines around the
/// span (and fixes the numbers up), so each report costs the same in a large
/// file as in a small one, and the text is never copied.
struct Snippets(Arc<SourceFile>);

impl miette::SourceCode for Snippets {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text = self.0.text.as_str();
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).clamp(start, text.len());
        // From the start of the line `before` lines above the span's first
        // line, to the end of the line `after + 1` lines below its last.
        let from = text.as_bytes()[..start]
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, b)| **b == b'\n')
            .nth(before)
            .map_or(0, |(i, _)| i + 1);
        let to = text.as_bytes()[end..]
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(after + 1)
            .map_or(text.len(), |(i, _)| end + i + 1);
        let window = &text[from..to];
        let inner = miette::SourceCode::read_span(
            window,
            &miette::SourceSpan::new((start - from).into(), end - start),
            before,
            after,
        )?;
        let skipped = self.0.line_col(from as u32).0 - 1;
        let language = match self.0.format {
            crate::source::Format::Yaml => "yaml",
            crate::source::Format::Kdl => "kdl",
        };
        Ok(Box::new(
            miette::MietteSpanContents::new_named(
                self.0.name.clone(),
                inner.data(),
                miette::SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
                inner.line() + skipped,
                inner.column(),
                inner.line_count() + skipped,
            )
            .with_language(language),
        ))
    }
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
}
