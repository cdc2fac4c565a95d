//! The lock applied to a lowered model: every image it covers is written
//! `repository:tag@digest`, in manifests and in generated `FROM` lines alike.
//! No network: the lock is the only source of digests at build time.

use super::lock::ImageLock;
use super::reference::pinned;
use crate::model::App;

/// Rewrites the images of `app` the lock covers; returns how many it pinned.
pub fn apply(app: &mut App, lock: &ImageLock) -> usize {
    if lock.is_empty() {
        return 0;
    }
    let mut count = 0;
    let mut pin = |image: &mut String| {
        if let Some(digest) = lock.digest(image) {
            *image = pinned(image, digest);
            count += 1;
        }
    };
    for svc in &mut app.services {
        for w in &mut svc.workloads {
            // A built image is the build's output, not an input to pin.
            if w.build.is_none() && w.own_build.is_none() {
                pin(&mut w.image);
            }
            if let Some(b) = &mut w.build {
                pin(&mut b.images.build);
                pin(&mut b.images.probe);
                pin(&mut b.images.runtime);
            }
        }
    }
    count
}
