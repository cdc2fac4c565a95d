//! Images by tag only (M412), against the image lock beside the description:
//! every image a service, version, overlay or generated Dockerfile pulls must
//! carry a digest or have one in `meshc.images.lock`, unless the service opts
//! out of CKV_K8S_43. Also lock entries nothing names (M413) and a lock that
//! cannot be read (M414).

use crate::ast::Description;
use crate::diag::{Code, Diagnostic};
use crate::pin::{self, ImageLock, LockError, LockRead, Origin, Reference};
use crate::source::Span;
use indexmap::IndexMap;
use std::collections::HashSet;

pub fn check(desc: &Description, lock: &LockRead, out: &mut Vec<Diagnostic>) {
    let empty = ImageLock::default();
    let lock = match lock {
        Ok(lock) => lock,
        Err(e) => {
            out.push(unreadable(e));
            &empty
        }
    };
    // One walk: the lock entries something names (for M413) and the
    // tag-only images the lock misses (M412), the latter only for services
    // that want digests. A lookup in the lock comes first: in a pinned
    // description it answers for nearly every image.
    let mut used: HashSet<&str> = HashSet::new();
    let mut unpinned: IndexMap<String, Vec<Use>> = IndexMap::new();
    for svc in desc.services.values() {
        let wants = !pin::opts_out_of_digests(svc);
        pin::each_image(desc, svc, &mut |image, span, from| {
            if let Some((reference, _)) = lock.entry(image) {
                used.insert(reference);
            } else if wants && is_tag_only(image) {
                unpinned.entry(image.to_string()).or_default().push(Use {
                    service: svc.name.value.clone(),
                    span,
                    from,
                });
            }
        });
    }
    for (image, uses) in &unpinned {
        out.push(warning(image, uses));
    }
    for (reference, _) in lock.entries().filter(|(r, _)| !used.contains(r)) {
        out.push(
            Diagnostic::new(
                Code::UnusedLockEntry,
                Span::default(),
                format!(
                    "`{}` pins `{reference}`, which the description does not name",
                    pin::LOCK_FILE
                ),
            )
            .help("run `meshc pin`: it drops the entries nothing uses"),
        );
    }
}

struct Use {
    service: String,
    span: Span,
    from: Origin,
}

/// A reference without a digest. One that does not parse is M406's.
fn is_tag_only(image: &str) -> bool {
    Reference::parse(image).is_ok_and(|r| r.digest.is_none())
}

/// How many other uses a warning names and points at; an image a whole
/// fleet shares is one warning, not a page.
const SHOWN: usize = 3;

/// One warning per image, at its first use; a few others are listed.
fn warning(image: &str, uses: &[Use]) -> Diagnostic {
    let first = &uses[0];
    let mut services: Vec<&str> = uses.iter().map(|u| u.service.as_str()).collect();
    services.dedup();
    let whose = match first.from {
        Origin::Written if pin::parts(image).tag.is_none() => {
            format!("`{image}` names neither a tag nor a digest (it means `:latest`)")
        }
        Origin::Written => format!("`{image}` is given by tag only"),
        Origin::Template => {
            format!("the Dockerfile meshc generates pulls `{image}` by tag only")
        }
    };
    let label = match first.from {
        Origin::Written => "no digest, and no entry in the lock",
        Origin::Template => "this runtime's Dockerfile",
    };
    let used_by = match services.len() {
        0 | 1 => String::new(),
        n if n <= SHOWN + 1 => format!(" (used by {})", services.join(", ")),
        n => format!(
            " (used by {} and {} more)",
            services[..SHOWN].join(", "),
            n - SHOWN
        ),
    };
    let mut d =
        Diagnostic::new(Code::UnpinnedImage, first.span, format!("{whose}{used_by}")).label(label);
    let mut others: Vec<Span> = uses.iter().skip(1).map(|u| u.span).collect();
    others.dedup();
    for &span in others.iter().filter(|&&s| s != first.span).take(SHOWN) {
        d = d.also(span, "also here");
    }
    d.help(format!(
        "run `meshc pin` to record its digest in `{}`, and commit the lock",
        pin::LOCK_FILE
    ))
}

/// Located in the description, so it names the lock by its file name: the
/// one beside the description, wherever that is checked out.
fn unreadable(e: &LockError) -> Diagnostic {
    let (message, help) = match e {
        LockError::Io { message, .. } => (
            format!("cannot read `{}`: {message}", pin::LOCK_FILE),
            "make it a readable file, or delete it and run `meshc pin` to write it again",
        ),
        LockError::Malformed { line, problem, .. } => (
            format!("`{}` line {line}: {problem}", pin::LOCK_FILE),
            "delete the lock and run `meshc pin` to write it again",
        ),
    };
    Diagnostic::new(Code::ImageLockUnreadable, Span::default(), message).help(help)
}
