//! Bundle: artifacts → a directory plus `meshc.lock.json`, the content-hash
//! index `diff` reads. Writing is atomic (see [`write`]); [`compare`] is the
//! read-only drift check behind `meshc build --check`.

mod compare;
mod lock;
mod write;

pub use compare::{Drift, compare};
pub use lock::{LOCK_FILE, Lock, LockedFile, LockedResource, Provenance};
pub use write::{WriteError, WriteSummary, write};

use crate::emit::Artifact;
use sha2::{Digest, Sha256};

/// Every file of one build, the lock file last.
#[derive(Clone, Debug)]
pub struct Bundle {
    pub artifacts: Vec<Artifact>,
    pub lock: Lock,
    /// `lock` as written: serialized once (22 MB at 10,000 services), read
    /// by the drift check, the in-the-way check and the writer.
    lock_bytes: Vec<u8>,
}

impl Bundle {
    /// Indexes the artifacts; `input` is the description's text.
    pub fn new(mut artifacts: Vec<Artifact>, input: &str, provenance: Provenance) -> Bundle {
        artifacts.sort_by(|a, b| a.path.cmp(&b.path));
        let lock = Lock::index(&artifacts, input, provenance);
        let lock_bytes = lock.to_bytes();
        Bundle {
            artifacts,
            lock,
            lock_bytes,
        }
    }

    /// Every file with its bytes, the lock file included.
    pub fn files(&self) -> impl Iterator<Item = (&str, std::borrow::Cow<'_, [u8]>)> {
        self.artifacts
            .iter()
            .map(|a| {
                (
                    a.path.as_str(),
                    std::borrow::Cow::Borrowed(a.bytes.as_slice()),
                )
            })
            .chain(std::iter::once((
                LOCK_FILE,
                std::borrow::Cow::Borrowed(self.lock_bytes.as_slice()),
            )))
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of a digest.
pub fn hex(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 * digest.len());
    for &b in digest {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}
