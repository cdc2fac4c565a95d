//! `meshc explain CODE`

use super::Outcome;
use meshc::diag::Code;

#[derive(clap::Args)]
pub struct Args {
    /// A code such as `M101`, or its name such as `unknown-service`; `all` lists every code.
    code: String,
}

pub fn run(args: Args) -> Outcome {
    if args.code == "all" {
        for c in Code::ALL {
            let r = c.rule();
            println!(
                "{}  {:<20} {:<8} {}",
                r.code,
                r.name,
                r.severity.as_str(),
                r.summary
            );
        }
        return Outcome::Clean;
    }
    match Code::parse(&args.code) {
        Some(code) => {
            print!("{}", code.explain());
            Outcome::Clean
        }
        None => Outcome::Failed(format!(
            "no diagnostic code `{}`; `meshc explain all` lists them",
            args.code
        )),
    }
}
