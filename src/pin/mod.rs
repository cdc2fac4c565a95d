//! `meshc pin`: every tag-only image reference of a description resolved to
//! the digest its registry serves now, recorded in `meshc.images.lock`
//! beside the description. In: the references ([`images`]) and the old lock;
//! out: the new lock, written only when every reference resolved.

mod apply;
mod challenge;
mod client;
mod collect;
mod credentials;
mod error;
mod http;
mod lock;
mod reference;

pub use apply::apply;
pub use client::Settings;
pub use collect::{DIGEST_CHECK, Origin, each_image, opts_out_of_digests, to_pin};
pub use credentials::docker_config_path;
pub use error::{ImageError, Problem};
pub use lock::{ImageLock, LOCK_FILE, LockError, LockRead, read_lock, write_lock};
pub use reference::{Parts, Reference, is_digest, parts, pinned};

use client::Client;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which locked references are asked again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Update {
    /// Only references the lock does not have.
    #[default]
    Missing,
    All,
    /// These (as written, or their name without tag), and any missing.
    Only(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct Options {
    pub update: Update,
    pub settings: Settings,
    /// Requests in flight at once.
    pub jobs: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            update: Update::Missing,
            settings: Settings::default(),
            jobs: 8,
        }
    }
}

/// What a pin did, for the line `meshc pin` prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Asked of a registry in this run.
    pub resolved: usize,
    /// Kept from the lock unasked.
    pub kept: usize,
    /// Resolved to a digest other than the locked one.
    pub changed: usize,
    /// Locked references the description no longer names.
    pub removed: usize,
    /// Written with a digest already, so not locked.
    pub by_digest: usize,
    /// Whether the lock's bytes changed.
    pub written: bool,
}

#[derive(Debug)]
pub enum PinError {
    Lock(LockError),
    /// `--update` names that match no reference of the description.
    UnknownUpdate(Vec<String>),
    /// Every image that failed; the lock is left as it was.
    Images(Vec<ImageError>),
}

impl std::fmt::Display for PinError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PinError::Lock(e) => e.fmt(f),
            PinError::UnknownUpdate(names) => write!(
                f,
                "the description names no image {}; `--update` takes references as written in it, or their name without the tag",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            PinError::Images(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

impl From<LockError> for PinError {
    fn from(e: LockError) -> PinError {
        PinError::Lock(e)
    }
}

/// Pins `references` into the lock in `dir`. On any failure the lock is
/// not touched.
pub fn pin(dir: &Path, references: &[String], opts: &Options) -> Result<Summary, PinError> {
    let old = read_lock(dir)?;
    let (new, mut summary) = relock(references, &old, opts)?;
    summary.written = write_lock(dir, &new)?;
    Ok(summary)
}

/// The lock `references` should have, given the old one: locked entries
/// kept unless `opts.update` asks again, entries no longer named dropped.
pub fn relock(
    references: &[String],
    old: &ImageLock,
    opts: &Options,
) -> Result<(ImageLock, Summary), PinError> {
    let mut summary = Summary::default();
    let mut errors = Vec::new();
    let mut tagged = Vec::new();
    for written in references {
        match Reference::parse(written) {
            Ok(r) if r.digest.is_some() => summary.by_digest += 1,
            Ok(r) => tagged.push(r),
            Err(why) => errors.push(ImageError {
                reference: written.clone(),
                problem: Problem::BadReference(why),
            }),
        }
    }
    if let Update::Only(names) = &opts.update {
        let unknown: Vec<String> = names
            .iter()
            .filter(|n| {
                !tagged
                    .iter()
                    .any(|r| r.written == **n || r.name_written() == n.as_str())
            })
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(PinError::UnknownUpdate(unknown));
        }
    }
    let asked = |r: &Reference| match &opts.update {
        Update::All => true,
        Update::Missing => old.digest(&r.written).is_none(),
        Update::Only(names) => {
            old.digest(&r.written).is_none()
                || names
                    .iter()
                    .any(|n| r.written == *n || r.name_written() == n.as_str())
        }
    };
    let (ask, keep): (Vec<Reference>, Vec<Reference>) = tagged.into_iter().partition(asked);
    let mut new = ImageLock::default();
    for r in &keep {
        if let Some(d) = old.digest(&r.written) {
            new.insert(r.written.clone(), d.to_string());
        }
    }
    summary.kept = keep.len();
    let client = Client::new(opts.settings.clone());
    for (r, result) in ask.iter().zip(resolve_all(&client, &ask, opts.jobs)) {
        match result {
            Ok(digest) => {
                if old.digest(&r.written).is_some_and(|d| d != digest) {
                    summary.changed += 1;
                }
                new.insert(r.written.clone(), digest);
                summary.resolved += 1;
            }
            Err(problem) => errors.push(ImageError {
                reference: r.written.clone(),
                problem,
            }),
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.reference.cmp(&b.reference));
        return Err(PinError::Images(errors));
    }
    summary.removed = old
        .entries()
        .filter(|(r, _)| new.digest(r).is_none())
        .count();
    Ok((new, summary))
}

/// Resolves on `jobs` threads; results in the order of `refs`.
fn resolve_all(client: &Client, refs: &[Reference], jobs: usize) -> Vec<Result<String, Problem>> {
    let results: Vec<OnceLock<Result<String, Problem>>> =
        refs.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, 64).min(refs.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(r) = refs.get(i) else { break };
                    let _ = results[i].set(client.resolve(r));
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .unwrap_or_else(|| Err(Problem::BadReference("it was not resolved".into())))
        })
        .collect()
}
