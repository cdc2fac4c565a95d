//! `meshc diff [FILE] --against DIR | --base REF`

use super::{Color, Outcome};
use meshc::diff::{self, DiffError, WhichSide, render};
use meshc::emit::Target;
use meshc::pipeline::BuildError;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("old").required(true).args(["against", "base"])))]
pub struct Args {
    /// The description (default: meshc.yaml or meshc.kdl here).
    file: Option<PathBuf>,
    /// Compare with the bundle a previous `meshc build` wrote into DIR.
    #[arg(long, value_name = "DIR")]
    against: Option<PathBuf>,
    /// Compare with the same file at git revision REF (e.g. `origin/main`, `HEAD~1`).
    #[arg(long, value_name = "REF")]
    base: Option<String>,
    #[command(flatten)]
    mesh: super::MeshArgs,
    /// Environment overlay to apply (from `environments:`), to both sides.
    #[arg(long)]
    env: Option<String>,
    /// Targets to compare, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = Target::DEFAULT)]
    target: Vec<Target>,
    /// Directory whose templates replace the built-in ones by name.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Colour in the human format (honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Exit 0 even when there are changes (errors still exit 2).
    #[arg(long)]
    exit_zero: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Markdown,
}

pub fn run(args: Args) -> Outcome {
    let (file, opts) = match super::build_inputs(
        args.file.as_deref(),
        args.env.as_deref(),
        &args.target,
        args.templates.as_deref(),
        args.mesh.overrides(),
        "compare",
    ) {
        Ok(inputs) => inputs,
        Err(e) => return Outcome::Failed(e),
    };
    let result = match (&args.against, &args.base) {
        (Some(dir), _) => diff::against(&file, dir, &opts),
        (None, Some(rev)) => diff::base(&file, rev, &opts),
        (None, None) => unreachable!("clap requires --against or --base"),
    };
    let comparison = match result {
        Ok(c) => c,
        Err(e) => return failed(e, args.color),
    };
    let header = render::Header {
        old: &comparison.old,
        new: &comparison.new,
    };
    let plan = &comparison.plan;
    print!(
        "{}",
        match args.format {
            Format::Human => render::human(plan, header, args.color.for_stdout()),
            Format::Json => render::json(plan, header),
            Format::Markdown => render::markdown(plan, header),
        }
    );
    if plan.is_empty() || args.exit_zero {
        Outcome::Clean
    } else {
        Outcome::Findings
    }
}

/// Every failure exits 2: exit 1 means "changes" for diff, so a description
/// with errors is an error here, not a finding.
fn failed(e: DiffError, color: Color) -> Outcome {
    match e {
        DiffError::Read(e) => Outcome::Failed(e.to_string()),
        DiffError::Git(e) => Outcome::Failed(e.to_string()),
        DiffError::Build { side, error } => {
            let which = match side {
                WhichSide::Old => "the description at the base revision",
                WhichSide::New => "the description",
            };
            match error {
                BuildError::Findings(file, diagnostics) => {
                    super::build::print_diagnostics(
                        meshc::diag::render::FileReport { file, diagnostics },
                        color,
                    );
                    Outcome::Failed(format!("{which} has errors; nothing was compared"))
                }
                other => match super::build::failed(other, color) {
                    Outcome::Failed(m) => Outcome::Failed(m),
                    _ => Outcome::Failed(format!("{which} could not be built")),
                },
            }
        }
    }
}
