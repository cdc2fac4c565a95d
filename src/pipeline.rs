//! The driver: each stage called in order, nothing else.

use crate::ast::{self, Description};
use crate::bundle::{Bundle, Provenance};
use crate::check;
use crate::diag::{self, Code, Diagnostic};
use crate::emit::{self, EmitError, Target, docker::Templates};
use crate::lower::{self, LowerError};
use crate::model::App;
use crate::pin::{self, LockRead};
use crate::source::{SourceFile, Span};
use crate::syntax;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A description read from disk. I/O failures (missing file, a directory,
/// no permission) are errors of the tool, not findings: exit status 2.
#[derive(Debug)]
pub struct IoError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read `{}`: {}", self.path.display(), self.message)
    }
}

/// Reads a description. Content problems (not UTF-8, NUL bytes, too large,
/// empty) come back as a file with a diagnostic, so they render like any other.
pub fn read(path: &Path) -> Result<(Arc<SourceFile>, Vec<Diagnostic>), IoError> {
    let io = |e: std::io::Error| IoError {
        path: path.to_path_buf(),
        message: match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".into(),
            std::io::ErrorKind::PermissionDenied => "permission denied".into(),
            std::io::ErrorKind::IsADirectory => "it is a directory, not a file".into(),
            _ => e.to_string(),
        },
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    let refuse = |message: &str| IoError {
        path: path.to_path_buf(),
        message: message.into(),
    };
    if meta.is_dir() {
        return Err(refuse("it is a directory, not a file"));
    }
    // A link to /dev/zero or a named pipe would be read forever (or block).
    if !meta.is_file() {
        return Err(refuse(
            "it is not a regular file (a device, a pipe or a socket)",
        ));
    }
    let name = display_name(path);
    let too_large = |len: u64| {
        let d = Diagnostic::new(
            Code::UnreadableInput,
            Span::default(),
            format!(
                "the description is {} MB; meshc reads at most {} MB",
                len / 1_000_000,
                syntax::MAX_INPUT_BYTES / 1_000_000
            ),
        )
        .help("split the application into several descriptions");
        (SourceFile::new(name.clone(), String::new()), vec![d])
    };
    if meta.len() > syntax::MAX_INPUT_BYTES as u64 {
        return Ok(too_large(meta.len()));
    }
    // The size can change after `metadata`: read no more than the limit allows.
    let bytes = read_at_most(path, syntax::MAX_INPUT_BYTES as u64).map_err(io)?;
    if bytes.len() > syntax::MAX_INPUT_BYTES {
        return Ok(too_large(bytes.len() as u64));
    }
    Ok(from_bytes(name, bytes))
}

/// Up to `limit + 1` bytes of a file: one more than allowed tells "too large".
fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The most a config file may hold: a ConfigMap stores at most 1 MiB.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A config file's text, read no further than a ConfigMap could hold.
fn read_config(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    let bytes = read_at_most(path, MAX_CONFIG_BYTES).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err("it is larger than 1 MiB, the most a ConfigMap holds".into());
    }
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".into())
}

/// A path as users should see it in reports: relative, with `/`.
fn display_name(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Checks that the bytes are text meshc can read.
pub fn from_bytes(name: String, bytes: Vec<u8>) -> (Arc<SourceFile>, Vec<Diagnostic>) {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let mut diags = Vec::new();
            if let Some(at) = text.find('\0') {
                diags.push(
                    Diagnostic::new(
                        Code::UnreadableInput,
                        Span::new(at, at + 1),
                        "the description contains a NUL byte",
                    )
                    .label("NUL byte")
                    .help(
                        "descriptions are text files; remove the NUL byte (is this a binary file?)",
                    ),
                );
            } else if text.trim().is_empty()
                || text.lines().all(|l| {
                    let l = l.trim();
                    l.is_empty() || l.starts_with('#') || l.starts_with("//")
                })
            {
                diags.push(
                    Diagnostic::new(Code::UnreadableInput, Span::new(0, text.len()), "the description is empty")
                        .label("nothing here")
                        .help("describe at least `app:` and one service; `meshc explain M005` shows a minimal description"),
                );
            }
            (SourceFile::new(name, text), diags)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The invalid bytes are shown as U+FFFD: point at all of it.
            let d = Diagnostic::new(
                Code::UnreadableInput,
                Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8()),
                format!("the description is not UTF-8 text (invalid byte at offset {at})"),
            )
            .label("not UTF-8")
            .help("save the file as UTF-8; descriptions are text");
            (SourceFile::new(name, text), vec![d])
        }
    }
}

/// Parse, decode and check one description: every diagnostic, sorted, and
/// the AST when there was a document to decode.
pub fn analyze(file: &SourceFile, base: &Path) -> (Option<Description>, Vec<Diagnostic>) {
    let analysis = analysis(file, base);
    (analysis.description, analysis.diagnostics)
}

/// Everything [`analyze`] builds, the document tree included, for a caller
/// that wants to decide when (or whether) to free it: `meshc check` exits
/// right after, and freeing a 10,000-service tree one node at a time is 7%
/// of its run.
pub struct Analysis {
    pub tree: Option<syntax::Node>,
    pub description: Option<Description>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks `file` against the image lock beside it.
pub fn analysis(file: &SourceFile, base: &Path) -> Analysis {
    analysis_for(file, base, &Overrides::default(), &pin::read_lock(base))
}

/// What the command line may set over the description (`--mesh`,
/// `--routing`), so one description builds for several meshes in CI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    pub mesh: Option<ast::Mesh>,
    pub routing: Option<ast::Routing>,
}

impl Overrides {
    /// Sets the description's fields; a value from the command line has no
    /// place in the file, so its span is empty.
    pub fn apply(&self, desc: &mut Description) {
        if let Some(m) = self.mesh {
            desc.mesh = Some(ast::Spanned::new(m, Span::default()));
        }
        if let Some(r) = self.routing {
            desc.routing = Some(ast::Spanned::new(r, Span::default()));
        }
    }
}

/// [`analysis`] with the command line's [`Overrides`] applied before `check`,
/// and the image lock given.
pub fn analysis_for(
    file: &SourceFile,
    base: &Path,
    overrides: &Overrides,
    lock: &LockRead,
) -> Analysis {
    let (tree, early) = syntax::parse_recovering(file);
    let Some(tree) = tree else {
        let mut diagnostics = early;
        diag::sort(&mut diagnostics);
        return Analysis {
            tree: None,
            description: None,
            diagnostics,
        };
    };
    let (mut desc, mut diagnostics) = ast::decode::decode(&tree);
    diagnostics.extend(early);
    overrides.apply(&mut desc);
    diagnostics.extend(check::check(&desc, base, lock));
    diag::sort(&mut diagnostics);
    Analysis {
        tree: Some(tree),
        description: Some(desc),
        diagnostics,
    }
}

/// The directory relative paths in a description are resolved against.
pub fn base_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What `build` and `diff` need besides the description.
pub struct BuildOptions {
    pub env: Option<String>,
    pub overrides: Overrides,
    pub targets: Vec<Target>,
    pub templates: Templates,
    /// `--locked`: an image the image lock does not pin is an error, not a warning.
    pub locked: bool,
}

/// Why a build produced no bundle.
#[derive(Debug)]
pub enum BuildError {
    Io(IoError),
    /// The description has errors; nothing is written.
    Findings(Arc<SourceFile>, Vec<Diagnostic>),
    /// Usage problems (`--env` naming no environment).
    Usage(String),
    Emit(EmitError),
}

/// A successful compilation: the bundle, and the warnings worth showing.
pub struct Compiled {
    pub file: Arc<SourceFile>,
    pub app: App,
    pub bundle: Bundle,
    pub warnings: Vec<Diagnostic>,
}

/// A description read, checked and lowered: what emitting starts from.
pub struct Lowered {
    pub file: Arc<SourceFile>,
    pub app: App,
    pub warnings: Vec<Diagnostic>,
}

/// Read, check, lower, emit and index one description, all in memory.
pub fn compile(path: &Path, opts: &BuildOptions) -> Result<Compiled, BuildError> {
    finish(lower_file(path, opts)?, opts)
}

/// [`compile`] for a description already in memory (`diff --base` reads it from git).
pub fn compile_source(
    file: Arc<SourceFile>,
    base: &Path,
    opts: &BuildOptions,
) -> Result<Compiled, BuildError> {
    finish(lower_source(file, base, opts)?, opts)
}

/// Read, check and lower one description.
pub fn lower_file(path: &Path, opts: &BuildOptions) -> Result<Lowered, BuildError> {
    let (file, early) = read(path).map_err(BuildError::Io)?;
    if !early.is_empty() {
        return Err(BuildError::Findings(file, early));
    }
    lower_source(file, &base_dir(path), opts)
}

/// [`lower_file`] for a description already in memory, with the image lock beside it.
pub fn lower_source(
    file: Arc<SourceFile>,
    base: &Path,
    opts: &BuildOptions,
) -> Result<Lowered, BuildError> {
    lower_locked(file, base, opts, &pin::read_lock(base))
}

/// [`lower_source`] with the image lock given (`diff --base` reads it from
/// git). `check` and the build see the same lock; one that cannot be read
/// is M414, an error, so nothing is built from it.
pub fn lower_locked(
    file: Arc<SourceFile>,
    base: &Path,
    opts: &BuildOptions,
    lock: &LockRead,
) -> Result<Lowered, BuildError> {
    let analysis = analysis_for(&file, base, &opts.overrides, lock);
    let (desc, mut diags) = (analysis.description, analysis.diagnostics);
    if opts.locked {
        for d in diags.iter_mut().filter(|d| d.code == Code::UnpinnedImage) {
            d.severity = diag::Severity::Error;
            d.help = Some(format!(
                "--locked builds only what `{}` pins: run `meshc pin` and commit the lock",
                pin::LOCK_FILE
            ));
        }
    }
    let desc = match desc {
        Some(d) if !diags.iter().any(Diagnostic::is_error) => d,
        _ => return Err(BuildError::Findings(file, diags)),
    };
    let read = |rel: &str| read_config(&base.join(rel));
    let mut app = match lower::lower(&desc, opts.env.as_deref(), &read) {
        Ok(app) => app,
        Err(LowerError::UnknownEnvironment { name, known }) => {
            return Err(BuildError::Usage(if known.is_empty() {
                format!("no environment `{name}`: the description defines no `environments`")
            } else {
                format!(
                    "no environment `{name}`; the description defines {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }));
        }
        Err(LowerError::Diagnostics(mut d)) => {
            d.extend(diags);
            diag::sort(&mut d);
            return Err(BuildError::Findings(file, d));
        }
    };
    if let Ok(lock) = lock {
        pin::apply(&mut app, lock);
    }
    Ok(Lowered {
        file,
        app,
        warnings: diags,
    })
}

/// Emit and index a lowered description.
fn finish(lowered: Lowered, opts: &BuildOptions) -> Result<Compiled, BuildError> {
    let Lowered {
        file,
        app,
        mut warnings,
    } = lowered;
    if opts.targets.contains(&Target::Compose) {
        warnings.extend(not_applied_locally(&app));
        diag::sort(&mut warnings);
    }
    let artifacts = emit::emit(&app, &opts.targets, &opts.templates).map_err(BuildError::Emit)?;
    let bundle = Bundle::new(artifacts, &file.text, provenance(&app, opts));
    Ok(Compiled {
        file,
        app,
        bundle,
        warnings,
    })
}

/// One warning per service whose settings the Compose file leaves out.
fn not_applied_locally(app: &App) -> Vec<Diagnostic> {
    app.services
        .iter()
        .filter_map(|svc| {
            let missing = emit::compose::not_applied(app, svc);
            (!missing.is_empty()).then(|| {
                Diagnostic::new(
                    Code::NotAppliedLocally,
                    svc.span,
                    format!(
                        "under Compose, `{}` runs without {}",
                        svc.name,
                        missing.join("; ")
                    ),
                )
                .help("Compose has no mesh, autoscaler or ingress controller; these apply on Kubernetes")
            })
        })
        .collect()
}

/// What the lock records for incremental diffs: the targets built and each
/// service's fingerprint (from [`emit::fingerprint::services`]).
pub fn provenance(app: &App, opts: &BuildOptions) -> Provenance {
    let fingerprints = emit::fingerprint::services(app, &opts.templates);
    let mut targets = opts.targets.clone();
    targets.sort();
    targets.dedup();
    Provenance {
        targets,
        services: app
            .services
            .iter()
            .map(|s| s.name.clone())
            .zip(fingerprints)
            .collect(),
    }
}
