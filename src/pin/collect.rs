//! Every image a description names: services' and versions' `image`,
//! environment overlays' images, and for meshc-built images the Dockerfile's
//! stages (`build.base` or the runtime's default, the runtime's toolchain,
//! and the health probe's toolchain).

use crate::ast::{Build, Description, Source};
use crate::emit::docker::stage_images;
use std::collections::BTreeSet;

/// The references as written, sorted and without repeats; those with a digest included.
pub fn images(desc: &Description) -> Vec<String> {
    let mut out = BTreeSet::new();
    for svc in desc.services.values() {
        source(svc.source.as_ref(), &mut out);
        for v in svc.versions.values() {
            source(v.source.as_ref(), &mut out);
        }
    }
    for env in desc.environments.values() {
        for svc in env.services.values() {
            out.extend(svc.image.as_ref().map(|i| i.value.clone()));
            for v in svc.versions.values() {
                out.extend(v.image.as_ref().map(|i| i.value.clone()));
            }
        }
    }
    out.retain(|i| !i.is_empty());
    out.into_iter().collect()
}

fn source(source: Option<&Source>, out: &mut BTreeSet<String>) {
    match source {
        Some(Source::Image(i)) => {
            out.insert(i.value.clone());
        }
        Some(Source::Build(b)) => build(b, out),
        None => {}
    }
}

/// `build.image` is what the build produces, not an input: it is not pinned.
fn build(b: &Build, out: &mut BTreeSet<String>) {
    if let Some(runtime) = &b.runtime {
        let images = stage_images(runtime.value, b.base.as_ref().map(|s| s.value.as_str()));
        out.extend([images.build, images.probe, images.runtime]);
    }
}
