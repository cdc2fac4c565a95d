//! `meshc graph [FILE] --format dot|mermaid|json [--env ENV] [-o OUT]`

use super::Color;
use super::Outcome;
use super::build::print_diagnostics;
use meshc::diag::render::FileReport;
use meshc::graph::{Format, load};
use meshc::pipeline::BuildError;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The description (default: meshc.yaml or meshc.kdl here).
    file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Dot)]
    format: Format,
    /// Environment overlay to apply (from `environments:`).
    #[arg(long)]
    env: Option<String>,
    /// Write the graph to this file instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    out: Option<PathBuf>,
    /// Colour in diagnostics (honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

pub fn run(args: Args) -> Outcome {
    let Some(file) = args.file.clone().or_else(super::default_input) else {
        return Outcome::Failed(
            "no meshc.yaml or meshc.kdl in this directory; name the description to draw".into(),
        );
    };
    let (loaded, text) = match load::draw(&file, args.env.as_deref(), args.format) {
        Ok(l) => l,
        Err(BuildError::Findings(file, diagnostics)) => {
            print_diagnostics(FileReport { file, diagnostics }, args.color);
            eprintln!("error: the description cannot be read; no graph was drawn");
            return Outcome::Findings;
        }
        Err(BuildError::Io(e)) => return Outcome::Failed(e.to_string()),
        Err(BuildError::Usage(m)) => return Outcome::Failed(m),
        Err(BuildError::Emit(e)) => return Outcome::Failed(e.to_string()),
    };
    match &args.out {
        Some(out) => {
            if let Err(e) = write_atomically(out, &text) {
                return Outcome::Failed(format!("cannot write `{}`: {e}", out.display()));
            }
        }
        None => print!("{text}"),
    }
    let errors = loaded.has_errors();
    if !loaded.diagnostics.is_empty() {
        print_diagnostics(
            FileReport {
                file: loaded.file.clone(),
                diagnostics: loaded.diagnostics.clone(),
            },
            args.color,
        );
    }
    // The process ends next; freeing the tree, the AST and the model one
    // node at a time would only cost time.
    std::mem::forget((text, loaded));
    if errors {
        eprintln!("error: the description has errors; the graph shows what could be drawn");
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// A reader never sees half a graph: write beside `out`, then rename.
fn write_atomically(out: &Path, text: &str) -> std::io::Result<()> {
    let name = out.file_name().map_or_else(
        || std::ffi::OsString::from("graph"),
        std::ffi::OsStr::to_os_string,
    );
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(&name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = out.with_file_name(tmp_name);
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, out).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
