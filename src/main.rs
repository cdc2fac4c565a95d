use clap::Parser;
use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let outcome = cli::run(args);
    if let cli::Outcome::Failed(message) = &outcome {
        eprintln!("error: {message}");
    }
    outcome.exit_code()
}
