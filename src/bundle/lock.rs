//! `meshc.lock.json`: what a build wrote, for the next build, `--check` and
//! `diff`. The only bundle file that names the meshc version.

use super::sha256_hex;
use crate::emit::{Artifact, Target};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

pub const LOCK_FILE: &str = "meshc.lock.json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lock {
    /// The meshc version that wrote the bundle.
    pub meshc: String,
    /// sha256 of the description's text.
    pub input_sha256: String,
    /// The targets the build wrote (absent in bundles of older meshc). Names,
    /// not an enum: a lock from a meshc with more targets still reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    pub files: Vec<LockedFile>,
    pub resources: Vec<LockedResource>,
    /// Each service's fingerprint (see `emit::fingerprint`), in service
    /// order: what `meshc diff` compares to skip the unchanged ones.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub services: IndexMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LockedFile {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    /// The service the file belongs to (see `emit::Artifact::service`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockedResource {
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub namespace: Option<String>,
    pub name: String,
    pub file: String,
    /// sha256 of the object's YAML document as written (from `---` exclusive
    /// to the next one).
    pub sha256: String,
}

/// What a build adds to its lock for incremental diffs.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    pub targets: Vec<Target>,
    /// Service name → fingerprint, in service order.
    pub services: IndexMap<String, String>,
}

impl Lock {
    pub fn index(artifacts: &[Artifact], input: &str, provenance: Provenance) -> Lock {
        let mut files = Vec::with_capacity(artifacts.len());
        let mut resources = Vec::new();
        // Hashing every byte of the bundle is most of indexing: on all cores.
        let digests = crate::par::map(artifacts, |a| sha256_hex(&a.bytes));
        for (a, sha256) in artifacts.iter().zip(digests) {
            files.push(LockedFile {
                path: a.path.clone(),
                sha256,
                size: a.bytes.len() as u64,
                service: a.service.clone(),
            });
            for r in &a.resources {
                resources.push(LockedResource {
                    api_version: r.api_version.clone(),
                    kind: r.kind.clone(),
                    namespace: r.namespace.clone(),
                    name: r.name.clone(),
                    file: a.path.clone(),
                    sha256: r.sha256.clone(),
                });
            }
        }
        Lock {
            meshc: env!("CARGO_PKG_VERSION").to_string(),
            input_sha256: sha256_hex(input.as_bytes()),
            targets: provenance
                .targets
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            files,
            resources,
            services: provenance.services,
        }
    }

    /// JSON with one file, object or service per line: a change to the
    /// bundle is a change to its lines in a text diff, and the lock is a
    /// third smaller and faster to write and read than pretty-printed.
    pub fn to_bytes(&self) -> Vec<u8> {
        fn json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
            // Strings and numbers only: serializing them cannot fail.
            let _ = serde_json::to_writer(&mut *out, value);
        }
        fn list<T: Serialize>(out: &mut Vec<u8>, key: &str, items: &[T], last: bool) {
            out.extend_from_slice(format!("  \"{key}\": [").as_bytes());
            for (i, item) in items.iter().enumerate() {
                out.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
                json(out, item);
            }
            out.extend_from_slice(if items.is_empty() { b"]" } else { b"\n  ]" });
            out.extend_from_slice(if last { b"\n" } else { b",\n" });
        }
        let mut out = Vec::with_capacity(256 * (self.files.len() + self.resources.len()));
        out.extend_from_slice(b"{\n  \"meshc\": ");
        json(&mut out, &self.meshc);
        out.extend_from_slice(b",\n  \"input_sha256\": ");
        json(&mut out, &self.input_sha256);
        if !self.targets.is_empty() {
            out.extend_from_slice(b",\n  \"targets\": ");
            json(&mut out, &self.targets);
        }
        out.extend_from_slice(b",\n");
        list(&mut out, "files", &self.files, false);
        let services = !self.services.is_empty();
        list(&mut out, "resources", &self.resources, !services);
        if services {
            out.extend_from_slice(b"  \"services\": {");
            for (i, (name, fingerprint)) in self.services.iter().enumerate() {
                out.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
                json(&mut out, name);
                out.extend_from_slice(b": ");
                json(&mut out, fingerprint);
            }
            out.extend_from_slice(b"\n  }\n");
        }
        out.extend_from_slice(b"}\n");
        out
    }

    pub fn parse(bytes: &[u8]) -> Result<Lock, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(files: usize, services: bool) -> Lock {
        Lock {
            meshc: "0.1.0".into(),
            input_sha256: "ab\"c".into(),
            targets: vec!["kubernetes".into(), "istio".into()],
            files: (0..files)
                .map(|i| LockedFile {
                    path: format!("k/{i}.yaml"),
                    sha256: "cd".into(),
                    size: i as u64,
                    service: (i % 2 == 0).then(|| format!("s{i}")),
                })
                .collect(),
            resources: (0..files)
                .map(|i| LockedResource {
                    api_version: "v1".into(),
                    kind: "Service".into(),
                    namespace: (i % 2 == 1).then(|| "ns".into()),
                    name: format!("s{i}"),
                    file: format!("k/{i}.yaml"),
                    sha256: "ef".into(),
                })
                .collect(),
            services: if services {
                (0..files).map(|i| (format!("s{i}"), "12".into())).collect()
            } else {
                IndexMap::new()
            },
        }
    }

    /// The lock is written by hand, a line per entry: it must read back as
    /// the same lock, with and without each optional part.
    #[test]
    fn the_lock_reads_back_as_written() {
        for (files, services) in [(0, false), (1, true), (3, true), (3, false)] {
            let lock = sample(files, services);
            let bytes = lock.to_bytes();
            assert_eq!(Lock::parse(&bytes), Ok(lock.clone()), "{files} {services}");
            let text = String::from_utf8(bytes).unwrap();
            assert_eq!(
                text.lines().count(),
                if files == 0 { 7 } else { 9 + 2 * files }
                    + if services && files > 0 { 2 + files } else { 0 },
                "{text}"
            );
        }
        let text = String::from_utf8(sample(1, true).to_bytes()).unwrap();
        assert!(
            text.contains(
                "\n    {\"path\":\"k/0.yaml\",\"sha256\":\"cd\",\"size\":0,\"service\":\"s0\"}\n"
            ),
            "{text}"
        );
    }

    /// A lock written by an older meshc (no targets, fingerprints or file
    /// services) and one from a newer meshc (a target and a field this one
    /// does not know) both read: `build` checks OUT through its lock.
    #[test]
    fn older_and_newer_locks_read() {
        let older = r#"{"meshc": "0.0.9", "input_sha256": "ab", "files": [{"path": "k/a.yaml", "sha256": "cd", "size": 3}], "resources": []}"#;
        let lock = Lock::parse(older.as_bytes()).unwrap();
        assert!(lock.targets.is_empty() && lock.services.is_empty());
        assert_eq!(lock.files[0].service, None);

        let newer = r#"{"meshc": "9.0.0", "input_sha256": "ab", "targets": ["kubernetes", "linkerd"], "sbom": {},
            "files": [{"path": "k/a.yaml", "sha256": "cd", "size": 3, "service": "a"}], "resources": [],
            "services": {"a": "ef"}}"#;
        let lock = Lock::parse(newer.as_bytes()).unwrap();
        assert_eq!(lock.targets, ["kubernetes", "linkerd"]);
        assert_eq!(lock.services["a"], "ef");
        assert_eq!(lock.files[0].service.as_deref(), Some("a"));
    }
}
