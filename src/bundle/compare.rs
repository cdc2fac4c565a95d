//! The drift check: a bundle in memory against what is on disk.

use super::{Bundle, LOCK_FILE, Lock};
use std::path::Path;

#[derive(Debug, Default, PartialEq)]
pub struct Drift {
    /// Files the build would write that are not there.
    pub missing: Vec<String>,
    /// Files that are there with other content.
    pub stale: Vec<String>,
    /// Files a previous build wrote that this one would remove.
    pub extra: Vec<String>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty() && self.extra.is_empty()
    }
}

pub fn compare(out: &Path, bundle: &Bundle) -> Drift {
    let old = std::fs::read(out.join(LOCK_FILE))
        .ok()
        .and_then(|b| Lock::parse(&b).ok());
    drift(out, bundle, old.as_ref())
}

/// [`compare`] with OUT's lock already read (`None`: there is none).
pub(super) fn drift(out: &Path, bundle: &Bundle, old: Option<&Lock>) -> Drift {
    let mut drift = Drift::default();
    for (path, bytes) in bundle.files() {
        match std::fs::read(out.join(path)) {
            Ok(on_disk) if on_disk == *bytes => {}
            Ok(_) => drift.stale.push(path.to_string()),
            Err(_) => drift.missing.push(path.to_string()),
        }
    }
    if let Some(old) = old {
        let new: std::collections::HashSet<&str> =
            bundle.lock.files.iter().map(|f| f.path.as_str()).collect();
        drift.extra = old
            .files
            .iter()
            .filter(|f| !new.contains(f.path.as_str()) && out.join(&f.path).exists())
            .map(|f| f.path.clone())
            .collect();
    }
    drift
}
