//! `MESHC_ENGINE`: a digest of everything that decides the bytes meshc
//! writes for a given model: its sources, its templates, its manifest and
//! the locked dependency versions (serde-saphyr's quoting is part of the
//! output). A bundle records it inside each service's fingerprint (see
//! `emit::fingerprint`), so a diff by another meshc build never takes a
//! service's old files for what this build would write. It only has to
//! differ when the inputs differ; a stray change (a comment) merely turns
//! incremental diffs into full ones for the old bundles.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let mut inputs = Vec::new();
    for dir in ["src", "templates"] {
        println!("cargo:rerun-if-changed={dir}");
        files(Path::new(dir), &mut inputs);
    }
    for file in ["Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={file}");
        inputs.push(PathBuf::from(file));
    }
    inputs.sort();
    // Two keyed SipHash passes: 128 bits, no dependency for the build script.
    let mut digest = [DefaultHasher::new(), DefaultHasher::new()];
    digest[1].write(b"meshc engine, second half");
    for path in &inputs {
        // A missing Cargo.lock (a path dependency's build) hashes as absent.
        // Line ends are normalized: a checkout with CRLF (git on Windows)
        // is the same meshc and must write the same lock.
        let bytes = std::fs::read(path)
            .unwrap_or_default()
            .into_iter()
            .filter(|&b| b != b'\r')
            .collect::<Vec<u8>>();
        for h in &mut digest {
            h.write(path.to_string_lossy().replace('\\', "/").as_bytes());
            h.write_usize(bytes.len());
            h.write(&bytes);
        }
    }
    println!(
        "cargo:rustc-env=MESHC_ENGINE={:016x}{:016x}",
        digest[0].finish(),
        digest[1].finish()
    );
    println!("cargo:rustc-env=MESHC_COMMIT={}", commit());
}

/// The commit this meshc is built from, for `--version` (never for the
/// bundle: output must not depend on it): `git rev-parse`, with `-dirty`
/// when the work tree has changes; `unknown` outside a git checkout (a
/// crate from crates.io) or without git.
fn commit() -> String {
    for file in [".git/HEAD", ".git/index"] {
        if Path::new(file).exists() {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(hash) if !hash.is_empty() => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty { format!("{hash}-dirty") } else { hash }
        }
        _ => "unknown".to_string(),
    }
}
