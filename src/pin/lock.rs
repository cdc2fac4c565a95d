//! `meshc.images.lock`: each image reference of a description and the digest
//! it resolved to. One line per reference, `<reference> <digest>`, sorted by
//! reference, after one comment line; no timestamps, so the same images give
//! the same bytes. Written atomically: a temporary file renamed over the old.

use super::reference::is_digest;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = "meshc.images.lock";
const HEADER: &str = "# meshc.images.lock: `<reference> <digest>` per line, written by `meshc pin`; commit it, do not edit it\n";
/// Far more than any description has images: a link to /dev/zero is not read forever.
const MAX_LOCK_BYTES: u64 = 16 * 1024 * 1024;

/// The pinned digests, by reference as written in the description.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageLock {
    entries: BTreeMap<String, String>,
}

#[derive(Debug)]
pub enum LockError {
    Io {
        path: PathBuf,
        message: String,
    },
    Malformed {
        path: PathBuf,
        line: usize,
        problem: String,
    },
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Io { path, message } => {
                write!(f, "cannot read or write `{}`: {message}", path.display())
            }
            LockError::Malformed {
                path,
                line,
                problem,
            } => write!(
                f,
                "`{}` line {line}: {problem}; delete the file and run `meshc pin` to write it again",
                path.display()
            ),
        }
    }
}

impl ImageLock {
    /// The digest `reference` (as written in the description) is pinned to.
    pub fn digest(&self, reference: &str) -> Option<&str> {
        self.entries.get(reference).map(String::as_str)
    }

    /// The entry for `reference`, borrowed from the lock: `(reference, digest)`.
    pub fn entry(&self, reference: &str) -> Option<(&str, &str)> {
        self.entries
            .get_key_value(reference)
            .map(|(r, d)| (r.as_str(), d.as_str()))
    }

    pub fn insert(&mut self, reference: String, digest: String) {
        self.entries.insert(reference, digest);
    }

    pub fn remove(&mut self, reference: &str) -> Option<String> {
        self.entries.remove(reference)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(reference, digest)`, sorted by reference.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(r, d)| (r.as_str(), d.as_str()))
    }

    /// The file's bytes: the same entries give the same bytes.
    pub fn to_text(&self) -> String {
        let mut out = String::from(HEADER);
        for (r, d) in &self.entries {
            out.push_str(r);
            out.push(' ');
            out.push_str(d);
            out.push('\n');
        }
        out
    }

    /// Parses a lock's text; `path` only names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<ImageLock, LockError> {
        // `meshc pin` writes the entries sorted: while they come in order,
        // they are only pushed, and the map is built from them in one pass
        // at the end instead of one search per entry. A hand-edited lock
        // out of order goes on through the map.
        let mut sorted: Vec<(String, String)> = Vec::new();
        let mut entries = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |problem: String| LockError::Malformed {
                path: path.to_path_buf(),
                line: i + 1,
                problem,
            };
            let mut parts = line.split_whitespace();
            let (Some(reference), Some(digest), None) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(bad("expected `<reference> <digest>`".into()));
            };
            if !is_digest(digest) {
                return Err(bad(format!("`{digest}` is not a `sha256:` digest")));
            }
            let in_order = entries.is_empty()
                && sorted
                    .last()
                    .is_none_or(|(last, _)| last.as_str() < reference);
            if in_order {
                sorted.push((reference.to_string(), digest.to_string()));
                continue;
            }
            if !sorted.is_empty() {
                entries.extend(sorted.drain(..));
            }
            if entries
                .insert(reference.to_string(), digest.to_string())
                .is_some()
            {
                return Err(bad(format!("`{reference}` is listed twice")));
            }
        }
        if entries.is_empty() {
            entries = BTreeMap::from_iter(sorted);
        }
        Ok(ImageLock { entries })
    }
}

/// A lock as read: the entries, or why the file could not be read (M414).
pub type LockRead = Result<ImageLock, LockError>;

/// The lock beside a description in `dir`; no file is an empty lock.
pub fn read_lock(dir: &Path) -> Result<ImageLock, LockError> {
    use std::io::Read;
    let path = dir.join(LOCK_FILE);
    let io = |e: std::io::Error| LockError::Io {
        path: path.clone(),
        message: e.to_string(),
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ImageLock::default()),
        Err(e) => return Err(io(e)),
    };
    if !file.metadata().map_err(io)?.is_file() {
        return Err(LockError::Io {
            path: path.clone(),
            message: "it is not a regular file".into(),
        });
    }
    let mut bytes = Vec::new();
    file.take(MAX_LOCK_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_LOCK_BYTES {
        return Err(LockError::Io {
            path: path.clone(),
            message: "it is larger than 16 MiB".into(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| LockError::Malformed {
        path: path.clone(),
        line: 0,
        problem: "it is not UTF-8 text".into(),
    })?;
    ImageLock::parse(&text, &path)
}

/// Writes the lock into `dir` through a temporary file and a rename, so a
/// reader sees the old lock or the new one, never half of one. Returns
/// whether the bytes changed; unchanged bytes are not rewritten.
pub fn write_lock(dir: &Path, lock: &ImageLock) -> Result<bool, LockError> {
    use std::io::Write;
    let path = dir.join(LOCK_FILE);
    let text = lock.to_text();
    if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(false);
    }
    let tmp = dir.join(format!(".{LOCK_FILE}.{}.tmp", std::process::id()));
    let io = |e: std::io::Error| LockError::Io {
        path: path.clone(),
        message: e.to_string(),
    };
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_sorted() {
        let mut lock = ImageLock::default();
        let d = format!("sha256:{}", "b".repeat(64));
        lock.insert("redis:7".into(), d.clone());
        lock.insert("nginx:1.27".into(), d.clone());
        let text = lock.to_text();
        assert!(text.find("nginx").unwrap() < text.find("redis").unwrap());
        assert_eq!(ImageLock::parse(&text, Path::new("x")).unwrap(), lock);
    }

    #[test]
    fn out_of_order_and_repeated_entries() {
        let d = format!("sha256:{}", "c".repeat(64));
        let text = format!("b {d}\nc {d}\na {d}\n");
        let lock = ImageLock::parse(&text, Path::new("l")).unwrap();
        assert_eq!(
            lock.entries().map(|(r, _)| r).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        for text in [
            format!("a {d}\nb {d}\nb {d}\n"),
            format!("b {d}\na {d}\nb {d}\n"),
        ] {
            let e = ImageLock::parse(&text, Path::new("l")).unwrap_err();
            assert!(
                e.to_string().contains("line 3") && e.to_string().contains("twice"),
                "{e}"
            );
        }
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let e = ImageLock::parse("# c\nnginx:1 sha256:zz\n", Path::new("l")).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(ImageLock::parse("a b c\n", Path::new("l")).is_err());
    }
}
