//! Front ends: text → spanned [`Node`] tree, for YAML and KDL alike.

pub mod kdl;
pub mod node;
pub mod yaml;

pub use node::{Key, Node, Value};

use crate::diag::Diagnostic;
use crate::source::{Format, SourceFile};

/// The largest description meshc reads; larger input is refused before parsing.
/// Far above any real description (10,000 services take about 9 MB), and
/// small enough that a refused file costs nothing to read.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// Deepest nesting accepted; the format itself needs fewer than ten levels.
pub const MAX_DEPTH: usize = 64;
/// Most services one description may hold: far beyond any one application,
/// and what bounds a build's memory (each service becomes a dozen objects).
pub const MAX_SERVICES: usize = 10_000;

/// Parses a description into its document tree, or the syntax errors found.
/// [`parse`], keeping what could be read next to what could not (a KDL
/// node that maps to nothing is reported and left out); `None` when there
/// is no tree at all (the text does not parse).
pub fn parse_recovering(file: &SourceFile) -> (Option<Node>, Vec<Diagnostic>) {
    match file.format {
        Format::Yaml => match yaml::parse(&file.text) {
            Ok(tree) => (Some(tree), Vec::new()),
            Err(d) => (None, vec![d]),
        },
        Format::Kdl => kdl::parse_recovering(&file.text),
    }
}

pub fn parse(file: &SourceFile) -> Result<Node, Vec<Diagnostic>> {
    match file.format {
        Format::Yaml => yaml::parse(&file.text).map_err(|d| vec![d]),
        Format::Kdl => kdl::parse(&file.text),
    }
}
