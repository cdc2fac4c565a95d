//! A file as it was at a git revision, read with the `git` command.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, PartialEq)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GitError {}

/// What `show` found.
pub struct AtRevision {
    /// The file's path from the repository root, `/`-separated.
    pub path: String,
    /// Its bytes at the revision; `None` when it did not exist there.
    pub bytes: Option<Vec<u8>>,
}

/// Reads `file` (a file in a git working tree) as it was at `rev`.
pub fn show(file: &Path, rev: &str) -> Result<AtRevision, GitError> {
    let (top, path) = locate(file, rev)?;
    read_at(&top, path, rev)
}

/// Reads the file named `sibling` in `file`'s directory as it was at `rev`
/// (the image lock beside a description), whether or not it exists now.
pub fn show_beside(file: &Path, sibling: &str, rev: &str) -> Result<AtRevision, GitError> {
    let (top, path) = locate(file, rev)?;
    let path = match path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{sibling}"),
        None => sibling.to_string(),
    };
    read_at(&top, path, rev)
}

/// The repository root and `file`'s path in it, once `rev` is known to name a commit.
fn locate(file: &Path, rev: &str) -> Result<(PathBuf, String), GitError> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(GitError(format!("`{rev}` is not a git revision")));
    }
    let full = file
        .canonicalize()
        .map_err(|e| GitError(format!("cannot resolve `{}`: {e}", file.display())))?;
    let dir = full
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let top = git(&dir, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        GitError(format!(
            "`{}` is not in a git repository ({e}); --base needs one",
            file.display()
        ))
    })?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches(['\n', '\r']))
        .canonicalize()
        .map_err(|e| GitError(format!("cannot resolve the repository root: {e}")))?;
    let path = full
        .strip_prefix(&top)
        .map_err(|_| {
            GitError(format!(
                "`{}` is outside the repository at `{}`",
                file.display(),
                top.display()
            ))
        })?
        .to_string_lossy()
        .replace('\\', "/");
    git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| GitError(format!("`{rev}` names no commit in this repository")))?;
    Ok((top, path))
}

fn read_at(top: &Path, path: String, rev: &str) -> Result<AtRevision, GitError> {
    let object = format!("{rev}:{path}");
    let Ok(size) = git(top, &["cat-file", "-s", &object]) else {
        return Ok(AtRevision { path, bytes: None });
    };
    let size: u64 = String::from_utf8_lossy(&size)
        .trim()
        .parse()
        .unwrap_or(u64::MAX);
    if size > crate::syntax::MAX_INPUT_BYTES as u64 {
        return Err(GitError(format!(
            "`{object}` is {} MB; meshc reads at most {} MB",
            size / 1_000_000,
            crate::syntax::MAX_INPUT_BYTES / 1_000_000
        )));
    }
    let bytes = git(top, &["cat-file", "blob", &object])
        .map_err(|e| GitError(format!("cannot read `{object}`: {e}")))?;
    Ok(AtRevision {
        path,
        bytes: Some(bytes),
    })
}

/// Runs git in `dir`; stdout on success, stderr's first line on failure.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err.lines().next().unwrap_or("git failed").to_string())
    }
}
