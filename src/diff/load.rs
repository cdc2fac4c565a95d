//! Reading a bundle directory back: `meshc.lock.json` says which files the
//! build wrote and which of them hold cluster objects; those are parsed back
//! into canonical JSON (sorted keys), the rest are kept as bytes.

use crate::bundle::{LOCK_FILE, Lock, sha256_hex};
use crate::emit::{Artifact, Resource, Target, yaml};
use crate::model::App;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

#[derive(Debug)]
pub enum ReadError {
    /// DIR has no lock file: not a bundle `meshc build` wrote.
    NoLock(PathBuf),
    Lock {
        path: PathBuf,
        message: String,
    },
    /// A file the lock lists is not there (or cannot be read).
    File {
        path: PathBuf,
        message: String,
    },
    /// A path in the lock would leave the bundle.
    UnsafePath(String),
    Yaml {
        path: PathBuf,
        message: String,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NoLock(dir) => write!(
                f,
                "`{}` has no {LOCK_FILE}, so it is not a bundle `meshc build` wrote; build the previous revision into it first, or use --base REF",
                dir.display()
            ),
            ReadError::Lock { path, message } => {
                write!(f, "cannot read `{}`: {message}", path.display())
            }
            ReadError::File { path, message } => write!(
                f,
                "cannot read `{}`, which the bundle's lock lists: {message}",
                path.display()
            ),
            ReadError::UnsafePath(p) => write!(
                f,
                "the bundle's lock lists `{p}`, a path outside the bundle; refusing to read it"
            ),
            ReadError::Yaml { path, message } => {
                write!(f, "`{}` is not valid YAML: {message}", path.display())
            }
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads every file the bundle's lock lists, in lock order.
pub fn read_bundle(dir: &Path) -> Result<Vec<Artifact>, ReadError> {
    Ok(read_locked(dir)?
        .artifacts(&Target::ALL, &HashSet::new(), &[])?
        .0)
}

/// A bundle as its lock describes it: the lock, and the bytes of every file
/// it lists, with whether each still has the digest the lock records.
pub struct Locked {
    dir: PathBuf,
    lock: Lock,
    /// In the order of `lock.files`.
    files: Vec<Vec<u8>>,
    intact: Vec<bool>,
}

/// The objects and plain files of the services left out of
/// [`Locked::artifacts`]: unchanged by definition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    pub resources: usize,
    pub files: usize,
}

impl Skipped {
    /// One skipped file holding `objects` objects (0: a plain file).
    pub fn add(&mut self, objects: usize) {
        match objects {
            0 => self.files += 1,
            n => self.resources += n,
        }
    }

    /// Counts what was skipped as unchanged in `plan`.
    pub fn count_in(self, plan: &mut super::Plan) {
        plan.summary.resources.unchanged += self.resources;
        plan.summary.files.unchanged += self.files;
    }
}

/// Reads the lock of the bundle in `dir` and every file it lists, checking
/// each against the lock's digest. Nothing is parsed yet.
pub fn read_locked(dir: &Path) -> Result<Locked, ReadError> {
    let lock_path = dir.join(LOCK_FILE);
    let bytes = match std::fs::read(&lock_path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReadError::NoLock(dir.to_path_buf()));
        }
        Err(e) => {
            return Err(ReadError::Lock {
                path: lock_path,
                message: e.to_string(),
            });
        }
    };
    let lock = Lock::parse(&bytes).map_err(|message| ReadError::Lock {
        path: lock_path.clone(),
        message,
    })?;
    // Only a lock with fingerprints lets a service be skipped, and only then
    // does it matter whether its files are intact.
    let checked = !lock.services.is_empty();
    let mut files = Vec::with_capacity(lock.files.len());
    let mut intact = Vec::with_capacity(lock.files.len());
    for f in &lock.files {
        let path = dir.join(safe(&f.path)?);
        let bytes = std::fs::read(&path).map_err(|e| ReadError::File {
            path: path.clone(),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".into(),
                _ => e.to_string(),
            },
        })?;
        intact.push(checked && bytes.len() as u64 == f.size && sha256_hex(&bytes) == f.sha256);
        files.push(bytes);
    }
    Ok(Locked {
        dir: dir.to_path_buf(),
        lock,
        files,
        intact,
    })
}

impl Locked {
    /// The services whose files a build of `app` with `fingerprints` (see
    /// [`crate::emit::fingerprint`]) would write exactly as the bundle holds
    /// them: the same fingerprint, every selected target built into the
    /// bundle, and every file of the service as the lock records it (one
    /// edited by hand is compared like any other). Empty for a bundle whose
    /// lock has no fingerprints (older meshc).
    pub fn unchanged<'a>(
        &self,
        app: &'a App,
        fingerprints: &[String],
        targets: &[Target],
    ) -> HashSet<&'a str> {
        let built = |t: &Target| self.lock.targets.iter().any(|b| b == t.as_str());
        if !targets.iter().all(built) {
            return HashSet::new();
        }
        let mut edited: HashSet<&str> = HashSet::new();
        for (f, ok) in self.lock.files.iter().zip(&self.intact) {
            if let (Some(s), false) = (&f.service, ok) {
                edited.insert(s);
            }
        }
        app.services
            .iter()
            .zip(fingerprints)
            .filter(|(s, fp)| {
                self.lock.services.get(&s.name) == Some(*fp) && !edited.contains(s.name.as_str())
            })
            .map(|(s, _)| s.name.as_str())
            .collect()
    }

    /// The bundle's files in the selected targets (and any outside a target
    /// folder), in lock order, except those of the services in `skip`, which
    /// are only counted. A file whose bytes equal those of a `known`
    /// artifact at the same path (the fresh build's) takes that artifact's
    /// objects instead of being parsed again: parsing YAML is most of the
    /// cost of reading a bundle.
    pub fn artifacts(
        self,
        targets: &[Target],
        skip: &HashSet<&str>,
        known: &[Artifact],
    ) -> Result<(Vec<Artifact>, Skipped), ReadError> {
        let known: HashMap<&str, &Artifact> = known.iter().map(|a| (a.path.as_str(), a)).collect();
        let mut documents: HashMap<&str, usize> = HashMap::new();
        for r in &self.lock.resources {
            *documents.entry(r.file.as_str()).or_default() += 1;
        }
        let mut skipped = Skipped::default();
        let mut out = Vec::new();
        for (f, bytes) in self.lock.files.iter().zip(self.files) {
            if !super::selected(&f.path, targets) {
                continue;
            }
            let documents = documents.get(f.path.as_str()).copied();
            if f.service.as_deref().is_some_and(|s| skip.contains(s)) {
                skipped.add(documents.unwrap_or(0));
                continue;
            }
            let resources = match (documents, known.get(f.path.as_str())) {
                (None, _) => Vec::new(),
                (Some(_), Some(k)) if k.bytes == bytes => k.resources.clone(),
                (Some(n), _) => parse(&self.dir.join(&f.path), &bytes, n)?,
            };
            out.push(Artifact {
                path: f.path.clone(),
                bytes,
                resources,
                service: f.service.clone(),
            });
        }
        Ok((out, skipped))
    }
}

/// A lock path that stays inside the bundle.
fn safe(rel: &str) -> Result<&Path, ReadError> {
    let p = Path::new(rel);
    let ok = !rel.is_empty()
        && !rel.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    ok.then_some(p)
        .ok_or_else(|| ReadError::UnsafePath(rel.to_string()))
}

/// The objects of one multi-document YAML file. `expected` (from the lock)
/// sizes the parser's document budget; the other limits scale with the file.
fn parse(path: &Path, bytes: &[u8], expected: usize) -> Result<Vec<Resource>, ReadError> {
    let err = |message: String| ReadError::Yaml {
        path: path.to_path_buf(),
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| err(e.to_string()))?;
    let mut options = serde_saphyr::Options::default();
    let mut budget = serde_saphyr::Budget::default();
    budget.max_documents = budget.max_documents.max(expected + 16);
    budget.max_nodes = budget.max_nodes.max(text.len());
    budget.max_events = budget.max_events.max(2 * text.len());
    options.budget = Some(budget);
    let docs: Vec<Value> =
        serde_saphyr::from_multiple_with_options(text, options).map_err(|e| err(e.to_string()))?;
    Ok(docs
        .into_iter()
        .filter(|d| !d.is_null())
        .map(|d| Resource::from_tree(yaml::sort(d)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documents_come_back_as_canonical_objects() {
        let text = "# header\n---\nkind: Service\napiVersion: v1\nmetadata: {name: a, namespace: ns}\nspec:\n  ports: [{port: 9080, name: http}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: '0777'}\n";
        let rs = parse(Path::new("x.yaml"), text.as_bytes(), 2).unwrap();
        assert_eq!(rs.len(), 2);
        assert_eq!(
            (
                rs[0].kind.as_str(),
                rs[0].namespace.as_deref(),
                rs[0].name.as_str()
            ),
            ("Service", Some("ns"), "a")
        );
        assert_eq!(
            rs[0].canonical,
            Some(
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "namespace": "ns"},
                   "spec": {"ports": [{"name": "http", "port": 9080}]}})
            )
        );
        assert_eq!(
            rs[1].canonical.as_ref().unwrap()["data"]["x"],
            json!("0777")
        );
        assert_eq!(rs[1].namespace, None);
    }

    #[test]
    fn paths_outside_the_bundle_are_refused() {
        assert!(safe("../etc/passwd").is_err());
        assert!(safe("/etc/passwd").is_err());
        assert!(safe("kubernetes/a.yaml").is_ok());
    }
}
