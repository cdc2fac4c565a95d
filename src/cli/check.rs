//! `meshc check [FILES]...`

use super::{Color, Outcome};
use meshc::diag::Severity;
use meshc::diag::render::{self, FileReport, HumanOptions, OutputFormat};
use meshc::pipeline;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Descriptions to check (default: meshc.yaml or meshc.kdl here).
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Lowest severity that fails the check.
    #[arg(long, value_enum, default_value_t = Threshold::Error)]
    failure_threshold: Threshold,
    /// Fail on warnings too (same as `--failure-threshold warning`).
    #[arg(long)]
    deny_warnings: bool,
    #[command(flatten)]
    mesh: super::MeshArgs,
    /// Colour in human output (honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print nothing when there is nothing to report (no summary line).
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Threshold {
    Error,
    Warning,
}

pub fn run(args: Args) -> Outcome {
    let files = if args.files.is_empty() {
        match super::default_input() {
            Some(p) => vec![p],
            None => {
                return Outcome::Failed(
                    "no meshc.yaml or meshc.kdl in this directory; name the files to check".into(),
                );
            }
        }
    } else {
        args.files
    };
    let mut reports = Vec::with_capacity(files.len());
    let mut sizes = Vec::with_capacity(files.len());
    let mut io_errors = Vec::new();
    for path in &files {
        match pipeline::read(path) {
            Ok((file, mut diagnostics)) => {
                let mut services = 0;
                if diagnostics.is_empty() {
                    let base = pipeline::base_dir(path);
                    let mut analysis = pipeline::analysis_for(
                        &file,
                        &base,
                        &args.mesh.overrides(),
                        &meshc::pin::read_lock(&base),
                    );
                    diagnostics = std::mem::take(&mut analysis.diagnostics);
                    services = analysis
                        .description
                        .as_ref()
                        .map_or(0, |d| d.services.len());
                    // The process ends soon: leave the tree and the AST to it.
                    std::mem::forget(analysis);
                }
                sizes.push(services);
                reports.push(FileReport { file, diagnostics });
            }
            Err(e) => io_errors.push(e.to_string()),
        }
    }
    let human = HumanOptions {
        color: args.color.for_stdout(),
        width: 100,
    };
    let text = render::render(args.format, &reports, &human);
    // Machine formats always print (an empty array is an answer); human only when there is something to say.
    if args.format != OutputFormat::Human || !text.is_empty() {
        print!("{text}");
    } else if !args.quiet {
        // Nothing to report: say so, so a clean run is told from one that checked nothing.
        for (report, n) in reports.iter().zip(&sizes) {
            let plural = if *n == 1 { "" } else { "s" };
            println!("{}: {n} service{plural}, no problems", report.file.name);
        }
    }
    if !io_errors.is_empty() {
        return Outcome::Failed(io_errors.join("\n"));
    }
    let threshold = if args.deny_warnings || args.failure_threshold == Threshold::Warning {
        Severity::Warning
    } else {
        Severity::Error
    };
    let failing = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= threshold);
    if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
