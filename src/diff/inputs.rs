//! The two sides `meshc diff` compares, gathered: a fresh build against a
//! bundle directory ([`against`]), or a description against itself at a git
//! revision ([`base`]).

use super::ReadError;
use super::git::{self, GitError};
use super::{CallGraph, Plan, Side as Build, Skipped, diff, read_locked};
use crate::emit::{self, Artifact, fingerprint};
use crate::model::{App, Service};
use crate::pin::{self, ImageLock};
use crate::pipeline::Lowered;
use crate::pipeline::{self, BuildError, BuildOptions};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Which build failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
}

#[derive(Debug)]
pub enum DiffError {
    Build { side: Side, error: BuildError },
    Read(ReadError),
    Git(GitError),
}

/// A plan and what was compared, in words for the report's header.
pub struct Comparison {
    pub old: String,
    pub new: String,
    pub plan: Plan,
    /// How many services were taken as unchanged by their fingerprint,
    /// without being emitted or compared.
    pub skipped: usize,
}

fn shown(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// A fresh build of `file` against the bundle in `dir`. Only the selected
/// targets' folders of the bundle are compared. The old side has no model,
/// so both call graphs are inferred from the bundles (see [`CallGraph::infer_pair`]);
/// the new model's graph still orders the plan.
///
/// Incremental: the bundle is read (and its files checked against its lock)
/// on a second thread while the description is parsed and checked. A
/// service whose fingerprint the lock already holds, with every file intact,
/// would be written exactly as it is (see [`crate::emit::fingerprint`]): it
/// is neither emitted nor compared, only counted as unchanged.
pub fn against(file: &Path, dir: &Path, opts: &BuildOptions) -> Result<Comparison, DiffError> {
    let (new, old) = lower_beside(file, opts, || read_locked(dir));
    let new = new?;
    let old = old.map_err(DiffError::Read)?;
    let fingerprints = fingerprint::services(&new.app, &opts.templates);
    let unchanged = old.unchanged(&new.app, &fingerprints, &opts.targets);
    let keep = |s: &Service| !unchanged.contains(s.name.as_str());
    let artifacts = emitted(&new.app, &keep, Side::New, opts)?;
    let (old, skipped) = old
        .artifacts(&opts.targets, &unchanged, &artifacts)
        .map_err(DiffError::Read)?;
    let graph = CallGraph::of(&new.app);
    let mut plan = diff(Build::new(&old), Build::with_graph(&artifacts, &graph));
    skipped.count_in(&mut plan);
    Ok(Comparison {
        old: format!("bundle {}", shown(dir)),
        new: shown(file),
        plan,
        skipped: unchanged.len(),
    })
}

/// Lowers the description in `file` while `other` (reading or lowering the
/// old side) runs on a second thread.
fn lower_beside<T: Send>(
    file: &Path,
    opts: &BuildOptions,
    other: impl FnOnce() -> T + Send,
) -> (Result<Lowered, DiffError>, T) {
    std::thread::scope(|s| {
        let other = s.spawn(other);
        let new = pipeline::lower_file(file, opts).map_err(|error| DiffError::Build {
            side: Side::New,
            error,
        });
        let other = other
            .join()
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload));
        (new, other)
    })
}

/// `app`'s files for the services `keep` picks, in bundle order (by path),
/// as a build writes them.
fn emitted(
    app: &App,
    keep: emit::Keep,
    side: Side,
    opts: &BuildOptions,
) -> Result<Vec<Artifact>, DiffError> {
    let mut artifacts =
        emit::emit_only(app, &opts.targets, &opts.templates, keep).map_err(|e| {
            DiffError::Build {
                side,
                error: BuildError::Emit(e),
            }
        })?;
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(artifacts)
}

/// `file` now against `file` at git revision `rev`, both built in memory
/// with the same options. A file that did not exist at `rev` compares as an
/// empty build (everything is created).
///
/// Config files and build contexts of the old revision are read from the
/// working tree: the pipeline reads them through the file system (see the
/// report on `compile_source` taking a reader). Only the description itself
/// comes from git.
///
/// Incremental like [`against`]: the old revision is read and lowered on a
/// second thread; services with the same fingerprint on both sides are
/// emitted on the new side only, to be counted, and never compared.
pub fn base(file: &Path, rev: &str, opts: &BuildOptions) -> Result<Comparison, DiffError> {
    let old_build = |error| DiffError::Build {
        side: Side::Old,
        error,
    };
    let (new, old) = lower_beside(file, opts, || -> Result<Option<Lowered>, DiffError> {
        let at = git::show(file, rev).map_err(DiffError::Git)?;
        let Some(bytes) = at.bytes else {
            return Ok(None);
        };
        // Named `REV:path` as git does; the extension still picks the syntax.
        let (source, early) = pipeline::from_bytes(format!("{rev}:{}", at.path), bytes);
        if !early.is_empty() {
            return Err(old_build(BuildError::Findings(source, early)));
        }
        // The digests the old revision built with: its own lock, from git.
        // One it cannot parse is M414 on the old side, as on the new.
        let lock = git::show_beside(file, pin::LOCK_FILE, rev).map_err(DiffError::Git)?;
        let lock = match lock.bytes {
            None => Ok(ImageLock::default()),
            Some(bytes) => ImageLock::parse(
                &String::from_utf8_lossy(&bytes),
                Path::new(&format!("{rev}:{}", lock.path)),
            ),
        };
        pipeline::lower_locked(source, &pipeline::base_dir(file), opts, &lock)
            .map(Some)
            .map_err(old_build)
    });
    let new = new?;
    let old = old?;
    let old_label = format!("{} at {rev}", shown(file));
    let new_graph = CallGraph::of(&new.app);
    let new_artifacts = emitted(&new.app, emit::ALL, Side::New, opts)?;
    let Some(old) = old else {
        let plan = diff(
            Build::with_graph(&[], &CallGraph::default()),
            Build::with_graph(&new_artifacts, &new_graph),
        );
        return Ok(Comparison {
            old: format!("{old_label} (no such file there)"),
            new: shown(file),
            plan,
            skipped: 0,
        });
    };
    let before = fingerprint::services(&old.app, &opts.templates);
    let after = fingerprint::services(&new.app, &opts.templates);
    let before: HashMap<&str, &String> = old
        .app
        .services
        .iter()
        .map(|s| s.name.as_str())
        .zip(&before)
        .collect();
    let unchanged: HashSet<&str> = new
        .app
        .services
        .iter()
        .zip(&after)
        .filter(|(s, fp)| before.get(s.name.as_str()) == Some(fp))
        .map(|(s, _)| s.name.as_str())
        .collect();
    let keep = |s: &Service| !unchanged.contains(s.name.as_str());
    let old_artifacts = emitted(&old.app, &keep, Side::Old, opts)?;
    // The unchanged services' files were emitted only to be counted.
    let mut skipped = Skipped::default();
    let compared: Vec<Artifact> = new_artifacts
        .into_iter()
        .filter(|a| {
            let skip = a.service.as_deref().is_some_and(|s| unchanged.contains(s));
            if skip {
                skipped.add(a.resources.len());
            }
            !skip
        })
        .collect();
    let old_graph = CallGraph::of(&old.app);
    let mut plan = diff(
        Build::with_graph(&old_artifacts, &old_graph),
        Build::with_graph(&compared, &new_graph),
    );
    skipped.count_in(&mut plan);
    Ok(Comparison {
        old: old_label,
        new: shown(file),
        plan,
        skipped: unchanged.len(),
    })
}
