//! `meshc import COMPOSE [-o OUT] [--force]`

use super::{Color, Outcome};
use meshc::diag::render::{self, FileReport, HumanOptions, OutputFormat};
use meshc::import::{self, ImportError};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The Docker Compose file to convert.
    file: PathBuf,
    /// Where to write the description (default: meshc.yaml beside the Compose file);
    /// a name ending in .kdl writes KDL.
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Overwrite OUT if it exists.
    #[arg(long)]
    force: bool,
    /// Colour in the check report (honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

pub fn run(args: Args) -> Outcome {
    let imported = match import::import(&args.file, args.out.as_deref(), args.force) {
        Ok(i) => i,
        Err(e @ (ImportError::Io(_) | ImportError::Exists(_) | ImportError::Invalid(..))) => {
            return Outcome::Failed(e.to_string());
        }
    };
    eprint!(
        "{}",
        import::render_notes(&imported.compose, &imported.notes)
    );
    if let Err(e) = import::write_atomically(&imported.out, &imported.text) {
        return Outcome::Failed(format!("cannot write `{}`: {e}", imported.out.display()));
    }
    eprintln!("wrote {}", imported.out.display());
    let report = FileReport {
        file: imported.checked.clone(),
        diagnostics: imported.diagnostics.clone(),
    };
    let human = HumanOptions {
        color: args.color.for_stderr(),
        width: 100,
    };
    let text = render::render(OutputFormat::Human, &[report], &human);
    eprint!("{text}");
    if imported
        .diagnostics
        .iter()
        .any(meshc::diag::Diagnostic::is_error)
    {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
