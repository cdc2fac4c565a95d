use clap::Parser;
use std::process::ExitCode;

mod cli;

/// meshc builds one large tree per run and frees little of it before exit;
/// mimalloc serves that pattern with fewer page faults than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let outcome = cli::run(args);
    if let cli::Outcome::Failed(message) = &outcome {
        eprintln!("error: {message}");
    }
    outcome.exit_code()
}
