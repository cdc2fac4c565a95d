//! The model `meshc graph` draws: path → [`Loaded`].
//!
//! A clean description goes through [`pipeline::lower_file`] like `build`.
//! A description with errors is still drawn when it decodes: the graph is
//! how one sees a call cycle, so refusing to draw it would hide the very
//! thing to look at. It is then lowered without reading config files (a
//! picture needs none), and the errors come back with the model.

use crate::diag::{Code, Diagnostic};
use crate::emit::docker::Templates;
use crate::lower;
use crate::model::App;
use crate::pipeline::{self, BuildError, BuildOptions, Overrides};
use crate::source::SourceFile;
use std::path::Path;
use std::sync::Arc;

/// A model to draw, and what `check` found in its description.
pub struct Loaded {
    pub file: Arc<SourceFile>,
    pub app: App,
    /// Warnings, and errors too when the description has them.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads and lowers `path` for the environment `env`. Errors are
/// [`BuildError::Findings`] only when nothing can be drawn.
pub fn load(path: &Path, env: Option<&str>) -> Result<Loaded, BuildError> {
    let opts = BuildOptions {
        env: env.map(str::to_string),
        overrides: Overrides::default(),
        targets: Vec::new(),
        templates: Templates::embedded(),
    };
    match pipeline::lower_file(path, &opts) {
        Ok(l) => Ok(Loaded {
            file: l.file,
            app: l.app,
            diagnostics: l.warnings,
        }),
        Err(BuildError::Findings(file, diagnostics)) => {
            match lenient(&file, &pipeline::base_dir(path), env, &diagnostics) {
                Some(app) => Ok(Loaded {
                    file,
                    app,
                    diagnostics,
                }),
                None => Err(BuildError::Findings(file, diagnostics)),
            }
        }
        Err(e) => Err(e),
    }
}

/// The model of a description with errors, when it has a document at all.
fn lenient(
    file: &SourceFile,
    base: &Path,
    env: Option<&str>,
    diagnostics: &[Diagnostic],
) -> Option<App> {
    // Not text, empty or too large: there is no document to draw.
    if diagnostics.iter().any(|d| d.code == Code::UnreadableInput) {
        return None;
    }
    let desc = pipeline::analysis(file, base).description?;
    lower::lower(&desc, env, &|_| Ok(String::new())).ok()
}
