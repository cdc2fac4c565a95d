//! Every image a description names: services' and versions' `image`,
//! environment overlays' images, and for meshc-built images the Dockerfile's
//! stages (`build.base` or the runtime's default, the runtime's toolchain,
//! and the health probe's toolchain). `pin` resolves them; `check` (M412,
//! M413) walks the same list with the spans that name them.

use crate::ast::{Description, Service, Source};
use crate::emit::docker::stage_images;
use crate::source::Span;
use std::collections::BTreeSet;

/// The checkov check a digest satisfies. A service that opts out of it
/// wants no digests: `meshc pin` resolves none for it, and `check` does not
/// warn about its tags (M412).
pub const DIGEST_CHECK: &str = "CKV_K8S_43";

pub fn opts_out_of_digests(svc: &Service) -> bool {
    svc.opt_outs.iter().any(|o| o.check.value == DIGEST_CHECK)
}

/// Where an image is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `image`, `build.base`, an overlay's `image`: the span is the value.
    Written,
    /// A stage of the Dockerfile meshc generates: the span is `build.runtime`.
    Template,
}

/// Every image `svc` pulls, with the span that names it: its own and its
/// versions' sources, then the overlays' images. `build.image` is what a
/// build produces, not an input; a team's own Dockerfile (no `runtime`)
/// has its own `FROM` lines.
pub fn each_image(desc: &Description, svc: &Service, f: &mut impl FnMut(&str, Span, Origin)) {
    let sources = svc
        .source
        .iter()
        .chain(svc.versions.values().filter_map(|v| v.source.as_ref()));
    for source in sources {
        match source {
            Source::Image(i) => f(&i.value, i.span, Origin::Written),
            Source::Build(b) => {
                let Some(runtime) = &b.runtime else {
                    continue;
                };
                let base = b.base.as_ref();
                let stages = stage_images(runtime.value, base.map(|s| s.value.as_str()));
                f(&stages.build, runtime.span, Origin::Template);
                f(&stages.probe, runtime.span, Origin::Template);
                match base {
                    Some(b) => f(&b.value, b.span, Origin::Written),
                    None => f(&stages.runtime, runtime.span, Origin::Template),
                }
            }
        }
    }
    for env in desc.environments.values() {
        let Some(o) = env.services.get(&svc.name.value) else {
            continue;
        };
        let images = o
            .image
            .iter()
            .chain(o.versions.values().filter_map(|v| v.image.as_ref()));
        for i in images {
            f(&i.value, i.span, Origin::Written);
        }
    }
}

/// The references `meshc pin` resolves, sorted and without repeats (those
/// with a digest included): every image of the services that want digests.
pub fn to_pin(desc: &Description) -> Vec<String> {
    let mut out = BTreeSet::new();
    for svc in desc.services.values().filter(|s| !opts_out_of_digests(s)) {
        each_image(desc, svc, &mut |image, _, _| {
            if !image.is_empty() {
                out.insert(image.to_string());
            }
        });
    }
    out.into_iter().collect()
}
