//! `meshc import`: a Docker Compose file → a meshc description.
//!
//! read (text → spanned tree, through meshc's own YAML front end, YAML 1.2:
//! `yes` and `on` stay strings) → [`compose::read`] (tree → [`compose::Compose`])
//! → [`map::map`] (→ [`draft::Draft`] and a [`Note`] for everything not
//! carried over) → [`write_yaml`] or [`write_kdl`] (→ text, the notes as
//! comments at its top) → checked by meshc's own checker → written
//! atomically. Nothing is written when the Compose file is invalid.

mod compose;
pub mod draft;
mod map;
mod names;
mod ports;
mod reader;
mod reasons;
mod units;
mod volumes;
mod write;
mod write_kdl;
mod write_yaml;

use crate::diag::Diagnostic;
use crate::source::{SourceFile, Span};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use write::write_atomically;

/// Something in the Compose file that was not carried over as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub span: Span,
    /// Dotted path of the key: `services.web.privileged`.
    pub path: String,
    pub kind: Kind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Left out of the description.
    Dropped,
    /// Carried over, but not exactly as written (renamed, kept literally).
    Changed,
    /// A value that looks like a secret, written as a Secret reference without it.
    Secret,
}

/// Why the Compose file cannot be imported: a located problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub span: Span,
    pub path: String,
    pub message: String,
}

/// A Compose file turned into a description, not yet written.
pub struct Imported {
    /// The Compose file, for locating notes.
    pub compose: Arc<SourceFile>,
    pub notes: Vec<Note>,
    /// Where the description goes, and its text.
    pub out: PathBuf,
    pub text: String,
    /// What `meshc check` says about the description.
    pub diagnostics: Vec<Diagnostic>,
    pub checked: Arc<SourceFile>,
}

#[derive(Debug)]
pub enum ImportError {
    Io(String),
    /// The output exists and `--force` was not given.
    Exists(PathBuf),
    /// The Compose file is not valid: every problem, located.
    Invalid(Arc<SourceFile>, Vec<Problem>),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Io(m) => f.write_str(m),
            ImportError::Exists(p) => write!(
                f,
                "`{}` already exists; pass --force to overwrite it, or -o to write elsewhere",
                p.display()
            ),
            ImportError::Invalid(file, problems) => {
                let lines: Vec<String> = problems
                    .iter()
                    .map(|p| {
                        let (line, col) = file.line_col(p.span.start);
                        let path = if p.path.is_empty() {
                            String::new()
                        } else {
                            format!("{}: ", p.path)
                        };
                        format!("  {}:{line}:{col}: {path}{}", file.name, p.message)
                    })
                    .collect();
                write!(
                    f,
                    "`{}` cannot be imported:\n{}\nnothing was written",
                    file.name,
                    lines.join("\n")
                )
            }
        }
    }
}

/// The description's path when `-o` is not given: `meshc.yaml` beside the Compose file.
pub fn default_out(compose: &Path) -> PathBuf {
    match compose.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join("meshc.yaml"),
        _ => PathBuf::from("meshc.yaml"),
    }
}

/// Reads, maps, renders and checks; writes nothing (see [`write_atomically`]).
pub fn import(compose: &Path, out: Option<&Path>, force: bool) -> Result<Imported, ImportError> {
    let out = out.map_or_else(|| default_out(compose), Path::to_path_buf);
    if out.exists() && !force {
        return Err(ImportError::Exists(out));
    }
    let file = read(compose)?;
    let tree = crate::syntax::yaml::parse(&file.text).map_err(|d| {
        let problem = Problem {
            span: d.primary.span,
            path: String::new(),
            message: d.message,
        };
        ImportError::Invalid(file.clone(), vec![problem])
    })?;
    let mut reader = compose::Reader::new(&file.text);
    let parsed = compose::read(&mut reader, &tree);
    for s in &parsed.services {
        if s.image.is_none() && s.build.is_none() {
            reader.problems.push(Problem {
                span: s.name.span,
                path: format!("services.{}", s.name.value),
                message: "the service has neither `image` nor `build`".into(),
            });
        }
    }
    if !reader.problems.is_empty() {
        let problems = std::mem::take(&mut reader.problems);
        return Err(ImportError::Invalid(file.clone(), problems));
    }
    let mut mapped = map::map(&parsed, &fallback_name(compose));
    write::rebase(compose, &out, &mut mapped.draft, &mut mapped.notes);
    mapped.notes.sort_by_key(|n| n.span.start);
    let header = write::header(&file, &mapped.notes);
    let out_name = out.to_string_lossy().replace('\\', "/");
    let text = if out_name.ends_with(".kdl") {
        write_kdl::render(&header, &mapped.draft, &mut mapped.notes)
    } else {
        write_yaml::render(&header, &mapped.draft)
    };
    let checked = SourceFile::new(out_name, text.clone());
    let (_, diagnostics) = crate::pipeline::analyze(&checked, &crate::pipeline::base_dir(&out));
    Ok(Imported {
        compose: file,
        notes: mapped.notes,
        out,
        text,
        diagnostics,
        checked,
    })
}

/// The notes as stderr shows them: `compose.yaml:12: services.web.privileged: not carried over: …`.
pub fn render_notes(file: &SourceFile, notes: &[Note]) -> String {
    notes
        .iter()
        .map(|n| write::note_line(file, n) + "\n")
        .collect()
}

fn read(path: &Path) -> Result<Arc<SourceFile>, ImportError> {
    use std::io::Read;
    let fail =
        |e: std::io::Error| ImportError::Io(format!("cannot read `{}`: {e}", path.display()));
    let meta = std::fs::metadata(path).map_err(fail)?;
    if !meta.is_file() {
        return Err(ImportError::Io(format!(
            "cannot read `{}`: it is not a regular file",
            path.display()
        )));
    }
    let limit = crate::syntax::MAX_INPUT_BYTES as u64;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(fail)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    if bytes.len() as u64 > limit {
        return Err(ImportError::Io(format!(
            "`{}` is larger than {} MB",
            path.display(),
            limit / 1_000_000
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| ImportError::Io(format!("`{}` is not UTF-8 text", path.display())))?;
    let name = path.to_string_lossy().replace('\\', "/");
    Ok(SourceFile::new(
        name.strip_prefix("./").unwrap_or(&name),
        text,
    ))
}

/// The application's name when the Compose file has no `name`: the file's
/// stem (`shop.yaml`), or for `compose.yaml` and `docker-compose.yml` its directory's.
fn fallback_name(compose: &Path) -> String {
    let stem = compose
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !matches!(stem.as_str(), "compose" | "docker-compose" | "") {
        return stem;
    }
    std::path::absolute(compose)
        .ok()
        .and_then(|p| {
            p.parent()?
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "app".into())
}

/// The header's lines as comments of the output's language (`#`, `//`).
fn comments(header: &[String], marker: &str) -> String {
    header
        .iter()
        .map(|l| {
            if l.is_empty() {
                format!("{marker}\n")
            } else {
                format!("{marker} {l}\n")
            }
        })
        .collect()
}
