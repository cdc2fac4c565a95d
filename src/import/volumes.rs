//! Volumes: named volumes become `storage` (a claim per replica); bind
//! mounts of the host's files and anonymous volumes have no counterpart.

use super::compose::Service;
use super::draft::Storage;
use super::{Kind, Note};
use crate::source::Span;

/// A mount in either syntax: source, target, whether it binds a host path, mode, span, text as written.
type Mount = (
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
    Span,
    String,
);

/// The named volumes of a service as `storage`, with a note for every other mount.
pub fn storage(s: &Service, at: &str, notes: &mut Vec<Note>) -> Vec<Storage> {
    let mut out: Vec<Storage> = Vec::new();
    let mut mounts: Vec<Mount> = Vec::new();
    for v in &s.volumes {
        let parts: Vec<&str> = v.value.split(':').collect();
        let (source, target, mode) = match parts.as_slice() {
            [target] => (None, Some(target.to_string()), None),
            [source, target] => (Some(source.to_string()), Some(target.to_string()), None),
            [source, target, mode, ..] => (
                Some(source.to_string()),
                Some(target.to_string()),
                Some(mode.to_string()),
            ),
            [] => (None, None, None),
        };
        let bind = source
            .as_deref()
            .is_some_and(|s| s.starts_with(['.', '/', '~']) || s.contains('/'));
        mounts.push((source, target, bind, mode, v.span, v.value.clone()));
    }
    for v in &s.long_volumes {
        let bind = v.kind.as_deref() != Some("volume") && v.kind.is_some();
        let mode = v.read_only.then(|| "ro".to_string());
        let written = v.source.clone().unwrap_or_default();
        mounts.push((
            v.source.clone(),
            v.target.clone(),
            bind,
            mode,
            v.span,
            written,
        ));
    }
    for (source, target, bind, mode, span, written) in mounts {
        let path = format!("{at}.volumes[{written}]");
        let mut drop = |why: String| {
            notes.push(Note {
                span,
                path: path.clone(),
                kind: Kind::Dropped,
                message: why,
            })
        };
        let (Some(source), Some(target)) = (source, target) else {
            drop("an anonymous volume lasts as long as its container; meshc keeps `/tmp` writable, and `storage` keeps data".into());
            continue;
        };
        if bind {
            drop(format!(
                "a bind mount of `{source}` from the host; build the files into the image, or use `config` for configuration files"
            ));
            continue;
        }
        let name = super::names::dns(&source);
        let name = if name == "tmp" || name == "config" {
            format!("{name}-data")
        } else {
            name
        };
        if target.trim_end_matches('/') == "/tmp" || !target.starts_with('/') {
            drop(format!("`{target}` cannot be a volume's path in meshc"));
            continue;
        }
        if out.iter().any(|o| o.name == name) {
            drop(format!(
                "the volume `{name}` is already mounted in this service"
            ));
            continue;
        }
        if let Some(m) = mode {
            drop(format!(
                "carried as `storage.{name}`, but not its mode `{m}`: meshc mounts storage read-write"
            ));
        }
        out.push(Storage { name, path: target });
    }
    out
}
