//! Renderers: one small module per output format. All take the same input,
//! the diagnostics of each checked file, already sorted.

mod github;
mod human;
mod json;
mod sarif;

pub use human::HumanOptions;

use super::Diagnostic;
use crate::source::SourceFile;
use std::sync::Arc;

/// The diagnostics found in one file.
pub struct FileReport {
    pub file: Arc<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
    Github,
    Sarif,
}

pub fn render(format: OutputFormat, reports: &[FileReport], human: &HumanOptions) -> String {
    match format {
        OutputFormat::Human => human::render(reports, human),
        OutputFormat::Json => json::render(reports),
        OutputFormat::Github => github::render(reports),
        OutputFormat::Sarif => sarif::render(reports),
    }
}

/// A diagnostic's position as users count it (1-based line and column).
pub(crate) fn position(file: &SourceFile, d: &Diagnostic) -> (usize, usize, usize, usize) {
    let (line, col) = file.line_col(d.primary.span.start);
    let (end_line, end_col) = file.line_col(d.primary.span.end);
    (line, col, end_line, end_col)
}
