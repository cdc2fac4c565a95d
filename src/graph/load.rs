//! The model `meshc graph` draws: path → [`Loaded`].
//!
//! The description is read and checked as `check` does ([`pipeline::read`],
//! [`pipeline::analysis`]) and lowered ([`lower::lower`]) without reading
//! config files: a picture needs none, and `check` already reports a
//! missing one. A description with errors is still drawn when it decodes:
//! the graph is how one sees a call cycle, so refusing to draw it would
//! hide the very thing to look at. Its errors come back with the model.

use crate::diag::Diagnostic;
use crate::lower::{self, LowerError};
use crate::model::App;
use crate::pipeline::{self, Analysis, BuildError};
use crate::source::SourceFile;
use std::path::Path;
use std::sync::Arc;

/// A model to draw, and what `check` found in its description.
pub struct Loaded {
    pub file: Arc<SourceFile>,
    pub app: App,
    /// Warnings, and errors too when the description has them.
    pub diagnostics: Vec<Diagnostic>,
    /// The document tree and AST the model was lowered from, kept so that
    /// a caller about to exit can leave them to the process (freeing a
    /// 10,000-service tree node by node is a tenth of a `graph` run).
    pub analysis: Analysis,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads, checks and lowers `path` for the environment `env`. Errors are
/// [`BuildError::Findings`] only when there is nothing to draw (the file is
/// not text, or does not parse).
pub fn load(path: &Path, env: Option<&str>) -> Result<Loaded, BuildError> {
    let (file, early) = pipeline::read(path).map_err(BuildError::Io)?;
    if !early.is_empty() {
        return Err(BuildError::Findings(file, early));
    }
    let mut analysis = pipeline::analysis(&file, &pipeline::base_dir(path));
    let diagnostics = std::mem::take(&mut analysis.diagnostics);
    let Some(desc) = &analysis.description else {
        return Err(BuildError::Findings(file, diagnostics));
    };
    match lower::lower(desc, env, &|_| Ok(String::new())) {
        Ok(app) => Ok(Loaded {
            file,
            app,
            diagnostics,
            analysis,
        }),
        // The description's errors come first: they are what to fix.
        Err(_) if diagnostics.iter().any(Diagnostic::is_error) => {
            Err(BuildError::Findings(file, diagnostics))
        }
        Err(LowerError::UnknownEnvironment { name, known }) => {
            Err(BuildError::Usage(unknown_environment(&name, &known)))
        }
        // Only reading a config file fails in `lower`, and none is read.
        Err(LowerError::Diagnostics(d)) => Err(BuildError::Findings(file, d)),
    }
}

/// The same words as `build --env`.
fn unknown_environment(name: &str, known: &[String]) -> String {
    if known.is_empty() {
        return format!("no environment `{name}`: the description defines no `environments`");
    }
    let known: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
    format!(
        "no environment `{name}`; the description defines {}",
        known.join(", ")
    )
}
