//! The model `meshc graph` draws: path → [`Loaded`], or straight to text
//! with [`draw`].
//!
//! The description is read, parsed and decoded as `check` does; then
//! `check` runs on one thread while the other lowers it ([`lower::lower`])
//! and draws (the two only read the AST; at 10,000 services checking takes
//! about 110 ms, lowering and drawing about 80). Lowering reads no config file: a picture needs none, and
//! `check` already reports a missing one. A description with errors is
//! still drawn when it decodes: the graph is how one sees a call cycle, so
//! refusing to draw it would hide the very thing to look at. Its errors
//! come back with the model.

use super::Format;
use crate::ast::{self, Description};
use crate::diag::{self, Diagnostic};
use crate::lower::{self, LowerError};
use crate::model::App;
use crate::pin;
use crate::pipeline::{self, BuildError};
use crate::source::SourceFile;
use crate::{check, syntax};
use std::path::Path;
use std::sync::Arc;

/// A model to draw, and what `check` found in its description.
pub struct Loaded {
    pub file: Arc<SourceFile>,
    pub app: App,
    /// Warnings, and errors too when the description has them; sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// The document tree and AST the model was lowered from, kept so that
    /// a caller about to exit can leave them to the process (freeing a
    /// 10,000-service tree node by node is a tenth of a `graph` run).
    pub tree: syntax::Node,
    pub description: Description,
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
    run(path, env, |_| ()).map(|(loaded, ())| loaded)
}

/// [`load`], and the graph rendered in `format`, drawn while `check` runs.
pub fn draw(
    path: &Path,
    env: Option<&str>,
    format: Format,
) -> Result<(Loaded, String), BuildError> {
    run(path, env, |app| super::render(&super::graph(app), format))
}

/// Loads `path`, running `then` on the model beside `check`.
fn run<R: Send>(
    path: &Path,
    env: Option<&str>,
    then: impl FnOnce(&App) -> R + Send,
) -> Result<(Loaded, R), BuildError> {
    let (file, early) = pipeline::read(path).map_err(BuildError::Io)?;
    if !early.is_empty() {
        return Err(BuildError::Findings(file, early));
    }
    let tree = syntax::parse(&file).map_err(|mut d| {
        diag::sort(&mut d);
        BuildError::Findings(file.clone(), d)
    })?;
    let (description, mut diagnostics) = ast::decode::decode(&tree);
    let base = pipeline::base_dir(path);
    let (found, lowered) = std::thread::scope(|s| {
        let checking = s.spawn(|| check::check(&description, &base, &pin::read_lock(&base)));
        let lowered = lower::lower(&description, env, &|_| Ok(String::new())).map(|app| {
            let r = then(&app);
            (app, r)
        });
        let found = match checking.join() {
            Ok(found) => found,
            Err(payload) => std::panic::resume_unwind(payload),
        };
        (found, lowered)
    });
    diagnostics.extend(found);
    diag::sort(&mut diagnostics);
    match lowered {
        Ok((app, r)) => Ok((
            Loaded {
                file,
                app,
                diagnostics,
                tree,
                description,
            },
            r,
        )),
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
