//! The command line: thin commands that parse arguments, call the library
//! and print. Exit status: 0 clean, 1 findings or changes, 2 usage or I/O.

mod build;
mod check;
mod diff;
mod explain;
mod graph;
mod import;
mod pin;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// `meshc --version`: the release and the commit it was built from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("MESHC_COMMIT"),
    ")"
);

#[derive(Parser)]
#[command(name = "meshc", version = VERSION, about = "Compile an application description into Kubernetes, mesh (Istio, Linkerd, Gateway API), Compose and Dockerfiles", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate descriptions and report every problem (exit 1 on findings).
    Check(check::Args),
    /// Compile a description into a bundle of Kubernetes, Istio and Docker files.
    Build(build::Args),
    /// Show what a change to the description does, as an ordered plan (exit 1 on changes).
    Diff(diff::Args),
    /// Draw the services, calls and traffic rules as a graph (DOT, Mermaid or JSON).
    Graph(graph::Args),
    /// Resolve tag-only images to digests and record them in meshc.images.lock.
    Pin(pin::Args),
    /// Explain a diagnostic code: what it checks, why, and examples.
    Explain(explain::Args),
    /// Print the JSON Schema of the description format.
    Schema,
    /// Convert a Docker Compose file into a meshc description (meshc.yaml beside it by default).
    Import(import::Args),
    /// Print a shell completion script (e.g. `meshc completions bash > /etc/bash_completion.d/meshc`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page, in roff (`meshc man | man -l -`).
    Man,
}

/// What a command ended with; `main` turns it into an exit status.
pub enum Outcome {
    /// Nothing to report.
    Clean,
    /// Findings (check) or differences (build --check, diff).
    Findings,
    /// The tool could not do its job (usage, I/O); the message is printed to stderr.
    Failed(String),
}

impl Outcome {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Findings => ExitCode::from(1),
            Outcome::Failed(_) => ExitCode::from(2),
        }
    }
}

pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Build(args) => build::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Import(args) => import::run(args),
        Command::Pin(args) => pin::run(args),
        Command::Schema => {
            print!("{}", meshc::ast::schema_text());
            Outcome::Clean
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "meshc", &mut std::io::stdout());
            Outcome::Clean
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            match clap_mangen::Man::new(cmd).render(&mut out) {
                Ok(()) => {
                    use std::io::Write;
                    match std::io::stdout().write_all(&out) {
                        Ok(()) => Outcome::Clean,
                        Err(e) => Outcome::Failed(format!("cannot write the manual page: {e}")),
                    }
                }
                Err(e) => Outcome::Failed(format!("cannot render the manual page: {e}")),
            }
        }
    }
}

/// `--color` as users know it from cargo and ripgrep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether output written to stdout should be coloured.
    pub fn for_stdout(self) -> bool {
        use std::io::IsTerminal;
        self.enabled(std::io::stdout().is_terminal())
    }

    /// Whether output written to stderr should be coloured.
    pub fn for_stderr(self) -> bool {
        use std::io::IsTerminal;
        self.enabled(std::io::stderr().is_terminal())
    }

    fn enabled(self, terminal: bool) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal,
        }
    }
}

/// `--mesh` and `--routing`: build one description for several meshes.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct MeshArgs {
    /// Build for this mesh instead of the description's `mesh`.
    #[arg(long, value_enum)]
    mesh: Option<MeshArg>,
    /// Route with this API instead of the description's `routing`.
    #[arg(long, value_enum)]
    routing: Option<RoutingArg>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum MeshArg {
    Istio,
    Linkerd,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum RoutingArg {
    Native,
    GatewayApi,
}

impl MeshArgs {
    pub fn overrides(self) -> meshc::pipeline::Overrides {
        use meshc::ast::{Mesh, Routing};
        meshc::pipeline::Overrides {
            mesh: self.mesh.map(|m| match m {
                MeshArg::Istio => Mesh::Istio,
                MeshArg::Linkerd => Mesh::Linkerd,
                MeshArg::None => Mesh::None,
            }),
            routing: self.routing.map(|r| match r {
                RoutingArg::Native => Routing::Native,
                RoutingArg::GatewayApi => Routing::GatewayApi,
            }),
        }
    }
}

/// The default description in the current directory.
pub fn default_input() -> Option<std::path::PathBuf> {
    ["meshc.yaml", "meshc.yml", "meshc.kdl"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists())
}

/// The built-in templates, with the files of `--templates DIR` replacing them by relative path.
pub fn load_templates(
    dir: Option<&std::path::Path>,
) -> Result<meshc::emit::docker::Templates, String> {
    let Some(dir) = dir else {
        return Ok(meshc::emit::docker::Templates::embedded());
    };
    let mut files = std::collections::BTreeMap::new();
    read_tree(dir, dir, &mut files)
        .map_err(|e| format!("cannot read templates from `{}`: {e}", dir.display()))?;
    Ok(meshc::emit::docker::Templates::with_overrides(files))
}

fn read_tree(
    root: &std::path::Path,
    dir: &std::path::Path,
    out: &mut std::collections::BTreeMap<String, String>,
) -> std::io::Result<()> {
    use std::io::{Error, Read};
    /// Far more than any template; a link to /dev/zero is not read forever.
    const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let ty = entry.file_type()?;
        if ty.is_dir() {
            read_tree(root, &path, out)?;
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        // Only templates are read; other files are ignored unopened.
        if !rel.ends_with(".hbs") {
            continue;
        }
        // A link could bring any file on the machine into the bundle.
        if ty.is_symlink() && !path.canonicalize()?.starts_with(root.canonicalize()?) {
            return Err(Error::other(format!(
                "`{rel}` is a link to outside the directory"
            )));
        }
        if !std::fs::metadata(&path)?.is_file() {
            return Err(Error::other(format!("`{rel}` is not a regular file")));
        }
        let mut text = String::new();
        std::fs::File::open(&path)?
            .take(MAX_TEMPLATE_BYTES + 1)
            .read_to_string(&mut text)?;
        if text.len() as u64 > MAX_TEMPLATE_BYTES {
            return Err(Error::other(format!("`{rel}` is larger than 1 MiB")));
        }
        out.insert(rel, text);
    }
    Ok(())
}

/// The description and build options `build` and `diff` share; `verb` says
/// what the user asked for, for the message when no description is found.
pub fn build_inputs(
    file: Option<&std::path::Path>,
    env: Option<&str>,
    targets: &[meshc::emit::Target],
    templates: Option<&std::path::Path>,
    overrides: meshc::pipeline::Overrides,
    verb: &str,
) -> Result<(std::path::PathBuf, meshc::pipeline::BuildOptions), String> {
    let Some(file) = file
        .map(std::path::Path::to_path_buf)
        .or_else(default_input)
    else {
        return Err(format!(
            "no meshc.yaml or meshc.kdl in this directory; name the description to {verb}"
        ));
    };
    let opts = meshc::pipeline::BuildOptions {
        env: env.map(str::to_string),
        overrides,
        targets: targets.to_vec(),
        templates: load_templates(templates)?,
        locked: false,
    };
    Ok((file, opts))
}
