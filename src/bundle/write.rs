//! Atomic bundle writing.
//!
//! The new bundle is assembled in a temporary directory beside OUT (files
//! meshc did not write are carried over), then swapped in with two renames.
//! A failure at any point before the swap leaves OUT exactly as it was.
//! A lock file beside OUT keeps two builds from writing at once. An OUT
//! that already holds exactly this bundle is not touched.
//!
//! Files are not fsynced one by one: the bundle is derived data that the
//! next build rewrites, the rename already keeps readers from ever seeing a
//! half-written tree, and per-file fsync made a 1,000-service build ten
//! times slower on an ordinary disk.

use super::{Bundle, LOCK_FILE, Lock};
use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Default, PartialEq)]
pub struct WriteSummary {
    pub written: usize,
    pub removed: usize,
    pub kept: usize,
}

#[derive(Debug)]
pub enum WriteError {
    /// OUT has files but no lock file: it was not written by meshc.
    NotABundle(PathBuf),
    /// Another build holds the lock.
    Busy(PathBuf),
    /// An artifact path would land outside OUT.
    UnsafePath(String),
    /// Something meshc did not write stands where this build writes: a file
    /// of the user's, or a link where the bundle needs a directory.
    InTheWay(PathBuf),
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::NotABundle(p) => write!(
                f,
                "`{}` is not empty and has no {LOCK_FILE}, so meshc did not write it; choose an empty directory or pass --force to write into it (files meshc does not write are kept)",
                p.display()
            ),
            WriteError::Busy(p) => write!(
                f,
                "another meshc build is writing `{}`; wait for it to finish and run again",
                p.display()
            ),
            WriteError::UnsafePath(p) => write!(
                f,
                "refusing to write `{p}`: it would land outside the output directory"
            ),
            WriteError::InTheWay(p) => write!(
                f,
                "`{}` is in the way: meshc did not write it, and this build needs that path; move it elsewhere (meshc never replaces a file it did not write, nor writes through a symbolic link)",
                p.display()
            ),
            WriteError::Io { path, error } => {
                write!(f, "cannot write `{}`: {error}", path.display())
            }
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |error| WriteError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// A bundle-relative path that stays inside the bundle.
fn safe(rel: &str) -> Result<&Path, WriteError> {
    let p = Path::new(rel);
    let ok = !rel.is_empty()
        && !rel.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(p)
    } else {
        Err(WriteError::UnsafePath(rel.to_string()))
    }
}

pub fn write(out: &Path, bundle: &Bundle, force: bool) -> Result<WriteSummary, WriteError> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let base = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let guard_path = parent.join(format!(".{base}.meshc-lock"));
    let guard = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&guard_path)
        .map_err(io(&guard_path))?;
    match guard.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => return Err(WriteError::Busy(out.to_path_buf())),
        Err(fs::TryLockError::Error(e)) => return Err(io(&guard_path)(e)),
    }
    if let Ok(m) = fs::symlink_metadata(out)
        && m.file_type().is_symlink()
    {
        return Err(WriteError::UnsafePath(format!(
            "{} (a symbolic link)",
            out.display()
        )));
    }

    let (previous_lock, previous) = previous_files(out, force)?;
    // An up-to-date OUT is left alone: nothing to write, nothing to swap.
    if !previous.is_empty() && super::compare::drift(out, bundle, previous_lock.as_ref()).is_empty()
    {
        drop(guard);
        return Ok(WriteSummary::default());
    }
    in_the_way(out, bundle, &previous)?;
    let tmp = parent.join(format!(".{base}.meshc-tmp-{}", std::process::id()));
    let result = assemble(&tmp, out, bundle, &previous)
        .and_then(|summary| swap(out, &tmp, &parent, &base).map(|()| summary));
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    drop(guard);
    result
}

/// The previous build's lock and the files it wrote, or an error when OUT
/// is a foreign non-empty directory.
fn previous_files(out: &Path, force: bool) -> Result<(Option<Lock>, HashSet<String>), WriteError> {
    let entries = match fs::read_dir(out) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((None, HashSet::new())),
        Err(e) => return Err(io(out)(e)),
    };
    let lock = out.join(LOCK_FILE);
    match fs::read(&lock) {
        Ok(bytes) => {
            let lock = Lock::parse(&bytes).map_err(|e| WriteError::Io {
                path: lock.clone(),
                error: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })?;
            let mut files: HashSet<String> = lock.files.iter().map(|f| f.path.clone()).collect();
            files.insert(LOCK_FILE.to_string());
            Ok((Some(lock), files))
        }
        Err(_) if force || entries.count() == 0 => Ok((None, HashSet::new())),
        Err(_) => Err(WriteError::NotABundle(out.to_path_buf())),
    }
}

/// Refuses when OUT holds, at a path this build writes, something the
/// previous build did not write (the user's file survives; the same bytes
/// would lose nothing), or a link or file where the bundle needs a
/// directory (never written through).
fn in_the_way(out: &Path, bundle: &Bundle, previous: &HashSet<String>) -> Result<(), WriteError> {
    for (rel, bytes) in bundle.files() {
        let parts: Vec<Component> = safe(rel)?.components().collect();
        let mut at = PathBuf::new();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let here = out.join(&at);
            let Ok(meta) = fs::symlink_metadata(&here) else {
                break;
            };
            let in_the_way = if i + 1 < parts.len() {
                !meta.is_dir()
            } else {
                let ours = previous.contains(&at.to_string_lossy().replace('\\', "/"));
                let same = || meta.is_file() && fs::read(&here).is_ok_and(|b| b == *bytes);
                meta.is_dir() || !(ours || same())
            };
            if in_the_way {
                return Err(WriteError::InTheWay(here));
            }
        }
    }
    Ok(())
}

fn assemble(
    tmp: &Path,
    out: &Path,
    bundle: &Bundle,
    previous: &HashSet<String>,
) -> Result<WriteSummary, WriteError> {
    let _ = fs::remove_dir_all(tmp);
    fs::create_dir_all(tmp).map_err(io(tmp))?;
    let mut summary = WriteSummary::default();
    let files: Vec<_> = bundle.files().collect();
    // Each directory once, then the files in parallel (the first error in
    // bundle order is reported).
    let mut dirs = BTreeSet::new();
    for (rel, _) in &files {
        if let Some(dir) = safe(rel)?.parent() {
            dirs.insert(dir);
        }
    }
    for dir in dirs {
        let dir = tmp.join(dir);
        fs::create_dir_all(&dir).map_err(io(&dir))?;
    }
    let written = crate::par::map(&files, |(rel, bytes)| {
        let dest = tmp.join(rel);
        fs::File::create(&dest)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(io(&dest))
    });
    for result in written {
        result?;
        summary.written += 1;
    }
    let ours: HashSet<String> = files.iter().map(|(rel, _)| rel.to_string()).collect();
    if out.exists() {
        carry_foreign(out, tmp, Path::new(""), previous, &ours, &mut summary)?;
        summary.removed = previous
            .iter()
            .filter(|p| !ours.contains(*p) && out.join(p).exists())
            .count();
    }
    Ok(summary)
}

/// Copies every file in OUT that meshc did not write into the new tree.
fn carry_foreign(
    out: &Path,
    tmp: &Path,
    rel: &Path,
    previous: &HashSet<String>,
    ours: &HashSet<String>,
    summary: &mut WriteSummary,
) -> Result<(), WriteError> {
    let dir = out.join(rel);
    for entry in fs::read_dir(&dir).map_err(io(&dir))? {
        let entry = entry.map_err(io(&dir))?;
        let rel_path = rel.join(entry.file_name());
        let key = rel_path.to_string_lossy().replace('\\', "/");
        let src = entry.path();
        let dest = tmp.join(&rel_path);
        let ty = entry.file_type().map_err(io(&src))?;
        if ty.is_dir() {
            fs::create_dir_all(&dest).map_err(io(&dest))?;
            carry_foreign(out, tmp, &rel_path, previous, ours, summary)?;
        } else if previous.contains(&key) || ours.contains(&key) {
            // Written by meshc before (replaced or removed now), or replaced by this build.
        } else if ty.is_symlink() {
            let target = fs::read_link(&src).map_err(io(&src))?;
            symlink(&target, &dest).map_err(io(&dest))?;
            summary.kept += 1;
        } else {
            if let Some(d) = dest.parent() {
                fs::create_dir_all(d).map_err(io(d))?;
            }
            fs::copy(&src, &dest).map_err(io(&src))?;
            summary.kept += 1;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    fs::copy(target, link).map(|_| ())
}

/// Moves the old tree aside, the new one in, and deletes the old one.
fn swap(out: &Path, tmp: &Path, parent: &Path, base: &str) -> Result<(), WriteError> {
    if !out.exists() {
        return fs::rename(tmp, out).map_err(io(out));
    }
    let old = parent.join(format!(".{base}.meshc-old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&old);
    fs::rename(out, &old).map_err(io(out))?;
    if let Err(e) = fs::rename(tmp, out) {
        // Put the old tree back; OUT is as it was.
        let _ = fs::rename(&old, out);
        return Err(io(out)(e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}
