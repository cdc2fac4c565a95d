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
        for a in artifacts {
            files.push(LockedFile {
                path: a.path.clone(),
                sha256: sha256_hex(&a.bytes),
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

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }

    pub fn parse(bytes: &[u8]) -> Result<Lock, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
