//! `meshc pin [FILE] [--update [IMAGE...]] [--insecure-registry HOST:PORT]...`

use super::{Color, Outcome};
use meshc::diag::Diagnostic;
use meshc::diag::render::FileReport;
use meshc::pin::{self, Options, Settings, Update};
use meshc::pipeline;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The description (default: meshc.yaml or meshc.kdl here).
    file: Option<PathBuf>,
    /// Resolve locked images again: all of them, or only those named (as written, or without the tag).
    #[arg(long, num_args = 0.., value_name = "IMAGE")]
    update: Option<Vec<String>>,
    /// A registry (`host:port`) to reach over plain HTTP; loopback registries always are.
    #[arg(long = "insecure-registry", value_name = "HOST:PORT")]
    insecure_registry: Vec<String>,
    /// Seconds each request to a registry may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Print nothing on success.
    #[arg(short, long)]
    quiet: bool,
    /// Colour in diagnostics (honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

pub fn run(args: Args) -> Outcome {
    let Some(file) = args.file.clone().or_else(super::default_input) else {
        return Outcome::Failed(
            "no meshc.yaml or meshc.kdl in this directory; name the description to pin".into(),
        );
    };
    let (source, early) = match pipeline::read(&file) {
        Ok(read) => read,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let dir = pipeline::base_dir(&file);
    let (desc, diagnostics) = if early.is_empty() {
        pipeline::analyze(&source, &dir)
    } else {
        (None, early)
    };
    let desc = match desc {
        Some(d) if !diagnostics.iter().any(Diagnostic::is_error) => d,
        _ => {
            super::build::print_diagnostics(
                FileReport {
                    file: source,
                    diagnostics,
                },
                args.color,
            );
            return Outcome::Failed("the description has errors; nothing was pinned".into());
        }
    };
    let opts = Options {
        update: match args.update {
            None => Update::Missing,
            Some(names) if names.is_empty() => Update::All,
            Some(names) => Update::Only(names),
        },
        settings: Settings {
            timeout: Duration::from_secs(args.timeout),
            insecure: args.insecure_registry,
            docker_config: pin::docker_config_path(),
        },
        ..Options::default()
    };
    match pin::pin(&dir, &pin::to_pin(&desc), &opts) {
        Ok(summary) => {
            if !args.quiet {
                println!("{}", summary_line(&summary));
            }
            Outcome::Clean
        }
        Err(e) => {
            let lock = if dir == std::path::Path::new(".") {
                PathBuf::from(pin::LOCK_FILE)
            } else {
                dir.join(pin::LOCK_FILE)
            };
            Outcome::Failed(format!("{e}\n{} was left as it was", lock.display()))
        }
    }
}

/// `pinned 3 images, 2 already locked`, and what else changed.
fn summary_line(s: &pin::Summary) -> String {
    let plural = |n: usize| if n == 1 { "image" } else { "images" };
    let mut line = format!(
        "pinned {} {}, {} already locked",
        s.resolved,
        plural(s.resolved),
        s.kept
    );
    if s.changed > 0 {
        line.push_str(&format!(", {} changed", s.changed));
    }
    if s.removed > 0 {
        line.push_str(&format!(", {} no longer used removed", s.removed));
    }
    if s.by_digest > 0 {
        line.push_str(&format!(", {} written with a digest", s.by_digest));
    }
    line
}
