//! What the written descriptions share: the comment block at their top,
//! the one-line rendering of a note, build contexts made relative to the
//! output's directory, and the atomic write.

use super::draft::{Draft, Source};
use super::{Kind, Note};
use crate::source::SourceFile;
use std::path::{Component, Path, PathBuf};

/// `compose.yaml:12: services.web.privileged: not carried over: …`
pub fn note_line(file: &SourceFile, n: &Note) -> String {
    let (line, _) = file.line_col(n.span.start);
    let what = match n.kind {
        Kind::Dropped => "not carried over: ",
        Kind::Changed => "",
        Kind::Secret => "warning: ",
    };
    one_line(&format!(
        "{}:{line}: {}: {what}{}",
        file.name, n.path, n.message
    ))
}

/// Control characters (a newline in a key) cannot end a comment early.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The comment lines at the top of the description, without `#` or `//`.
pub fn header(file: &SourceFile, notes: &[Note]) -> Vec<String> {
    let name = Path::new(&file.name)
        .file_name()
        .map_or(file.name.clone(), |n| n.to_string_lossy().into_owned());
    let mut lines = vec![one_line(&format!(
        "Imported from {name} by `meshc import`; review it, then run `meshc check`."
    ))];
    let mut section = |title: &str, kinds: &[Kind]| {
        let picked: Vec<String> = notes
            .iter()
            .filter(|n| kinds.contains(&n.kind))
            .map(|n| format!("  {}", note_line(file, n)))
            .collect();
        if !picked.is_empty() {
            lines.push(String::new());
            lines.push(title.to_string());
            lines.extend(picked);
        }
    };
    section(
        "Secrets to create (their values were not copied):",
        &[Kind::Secret],
    );
    section("Not carried over:", &[Kind::Dropped]);
    section("Changed on the way:", &[Kind::Changed]);
    lines
}

/// Build contexts are relative to the Compose file; the description may be
/// written elsewhere. Below the output's directory they are rewritten;
/// anywhere else they are kept, with a note.
pub fn rebase(compose: &Path, out: &Path, draft: &mut Draft, notes: &mut Vec<Note>) {
    let from = crate::pipeline::base_dir(compose);
    let to = crate::pipeline::base_dir(out);
    let (Ok(from), Ok(to)) = (std::path::absolute(&from), std::path::absolute(&to)) else {
        return;
    };
    let (from, to) = (normal(&from), normal(&to));
    if from == to {
        return;
    }
    let prefix = from.strip_prefix(&to).ok().map(Path::to_path_buf);
    for s in &mut draft.services {
        let Source::Build { context, .. } = &mut s.source else {
            continue;
        };
        match &prefix {
            Some(p) => {
                let joined = normal(&p.join(context.as_str()));
                *context = format!("./{}", joined.to_string_lossy().replace('\\', "/"));
            }
            None => notes.push(Note {
                span: crate::source::Span::default(),
                path: format!("services.{}.build.context", s.name),
                kind: Kind::Changed,
                message: format!("`{context}` is relative to the Compose file's directory, and the description is written elsewhere; fix the path"),
            }),
        }
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Writes `text` to `path` through a temporary file in the same directory,
/// renamed over it, so a reader sees the old file or the new one, never half.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = crate::pipeline::base_dir(path);
    let name = path
        .file_name()
        .map_or("meshc".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
