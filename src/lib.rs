//! meshc: a declarative deployment compiler.
//!
//! The pipeline, stage by stage (see [`pipeline`]):
//! `syntax` (text → document tree) → `ast::decode` (tree → AST with spans)
//! → `check` (AST → diagnostics) → `lower` (AST → target-neutral model)
//! → `emit` (model → artifacts) → `bundle` (artifacts → directory + lock).

pub mod ast;
pub mod bundle;
pub mod check;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod graph;
pub mod import;
pub mod lower;
pub mod model;
mod par;
pub mod pin;
pub mod pipeline;
pub mod source;
pub mod syntax;
