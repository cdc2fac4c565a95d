//! Validation: AST → every problem in relations between values, at once.
//!
//! The decoder has checked each value on its own; the rules here look at
//! names, the call graph, traffic policies, workload shape and files. Rules
//! never stop at the first problem, and none compares every pair of anything.

mod addresses;
mod capabilities;
mod chains;
mod graph;
mod images;
mod names;
mod shape;
mod traffic;

pub use shape::looks_like_secret;

use crate::ast::Description;
use crate::diag::Diagnostic;
use crate::pin::LockRead;
use std::path::Path;

/// Runs every rule. `base` is the description's directory, against which
/// `config` and `build.context` paths are resolved; `lock` is the image
/// lock the build would apply (read by the caller: beside the description,
/// or from git for `diff --base`).
pub fn check(desc: &Description, base: &Path, lock: &LockRead) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    names::check(desc, &mut diags);
    shape::check(desc, base, &mut diags);
    graph::check(desc, &mut diags);
    traffic::check(desc, &mut diags);
    chains::check(desc, &mut diags);
    capabilities::check(desc, &mut diags);
    addresses::check(desc, &mut diags);
    images::check(desc, lock, &mut diags);
    diags
}
