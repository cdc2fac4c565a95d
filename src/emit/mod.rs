//! Emit: model → artifacts, one module per target. Emitters are pure
//! functions of the model: no clock, argv, environment or file system.
//! Kubernetes and mesh resources are typed values serialized to YAML; only
//! Dockerfiles come from text templates.

pub mod compose;
pub mod docker;
pub mod edge;
pub mod fingerprint;
pub mod gateway_api;
pub mod istio;
pub mod kubernetes;
pub mod linkerd;
mod meta;
pub mod yaml;

pub use meta::{ObjectMeta, SpecObject, labels, opt_out_annotations, selector_labels};

use crate::model::{App, Service};
use serde::Serialize;
use std::borrow::Cow;
use std::ops::Range;

/// What `meshc build --target` selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Target {
    Kubernetes,
    /// The mesh's resources (`istio/` or `linkerd/`; without a mesh, the
    /// Gateway API ingress in `gateway-api/` when routing asks for it).
    #[value(alias = "istio", alias = "linkerd")]
    Mesh,
    Docker,
    /// A Compose file for a laptop or Swarm; built only when asked for.
    Compose,
}

impl Target {
    pub const ALL: [Target; 4] = [
        Target::Kubernetes,
        Target::Mesh,
        Target::Docker,
        Target::Compose,
    ];
    /// What `build` and `diff` emit unless `--target` says otherwise.
    pub const DEFAULT: [Target; 3] = [Target::Kubernetes, Target::Mesh, Target::Docker];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Kubernetes => "kubernetes",
            Target::Mesh => "mesh",
            Target::Docker => "docker",
            Target::Compose => "compose",
        }
    }

    /// The bundle's top folders this target writes.
    pub fn dirs(self) -> &'static [&'static str] {
        match self {
            Target::Kubernetes => &["kubernetes"],
            Target::Mesh => &["istio", "linkerd", "gateway-api"],
            Target::Docker => &["docker"],
            Target::Compose => &["compose"],
        }
    }

    /// The target a bundle path belongs to, by its top folder.
    pub fn of_path(path: &str) -> Option<Target> {
        let top = path.split('/').next().unwrap_or_default();
        Target::ALL.into_iter().find(|t| t.dirs().contains(&top))
    }
}

/// One output file, its path relative to the bundle root (`/`-separated).
#[derive(Clone, Debug, PartialEq)]
pub struct Artifact {
    pub path: String,
    pub bytes: Vec<u8>,
    /// The Kubernetes objects in this file, in document order (empty for
    /// Dockerfiles and other plain files).
    pub resources: Vec<Resource>,
    /// The service whose files this is one of: written from that service's
    /// model and what its [`fingerprint`] covers, nothing else. `None` for
    /// the app-wide files (the Namespace, the mesh policy, kustomization).
    pub service: Option<String>,
}

/// The labels that name an object's service, in order of preference.
pub const SERVICE_LABELS: [&str; 2] = ["app", "app.kubernetes.io/name"];

/// Any object with `apiVersion`, `kind` and `metadata`: what a [`Manifest`] holds.
pub trait ApiObject: Serialize {
    fn api_version(&self) -> &str;
    fn kind(&self) -> &str;
    fn metadata(&self) -> &ObjectMeta;
}

/// One object of a file: its identity and where its document is. The
/// object's content is the YAML itself; [`Artifact::tree`] parses it back
/// when someone (`diff`) needs to look inside.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// The service it belongs to: the first of [`SERVICE_LABELS`] it carries.
    pub service: Option<String>,
    /// sha256 (hex) of the object's YAML document as written; empty for an
    /// object read back from a file that differs from what meshc wrote.
    pub sha256: String,
    /// The document's bytes within the file (empty when `canonical` is set).
    pub doc: Range<usize>,
    /// The object already parsed (read back from a bundle), as [`yaml::canonical`] gives it.
    pub canonical: Option<serde_json::Value>,
}

impl Resource {
    /// An object read back as a tree (from a bundle's file).
    pub fn from_tree(canonical: serde_json::Value) -> Resource {
        let text = |v: Option<&serde_json::Value>| v.and_then(|x| x.as_str()).map(str::to_string);
        let meta = canonical.get("metadata");
        let labels = meta.and_then(|m| m.get("labels"));
        Resource {
            api_version: text(canonical.get("apiVersion")).unwrap_or_default(),
            kind: text(canonical.get("kind")).unwrap_or_default(),
            namespace: text(meta.and_then(|m| m.get("namespace"))),
            name: text(meta.and_then(|m| m.get("name"))).unwrap_or_default(),
            service: SERVICE_LABELS
                .iter()
                .find_map(|k| text(labels.and_then(|l| l.get(*k)))),
            sha256: String::new(),
            doc: 0..0,
            canonical: Some(canonical),
        }
    }
}

impl Artifact {
    /// One of this file's objects as canonical JSON (sorted keys): what
    /// `diff` compares. Parsed from the document meshc wrote, so it is
    /// exactly what `kubectl` reads; `null` if that text does not parse
    /// (meshc's own output always does: the fuzz targets read it back).
    /// An object read back from a bundle was parsed with the whole file.
    pub fn tree<'a>(&'a self, r: &'a Resource) -> Cow<'a, serde_json::Value> {
        if let Some(v) = &r.canonical {
            return Cow::Borrowed(v);
        }
        let text = self
            .bytes
            .get(r.doc.clone())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default();
        Cow::Owned(yaml::read_back(text))
    }
}

/// Collects the objects of one YAML file.
pub struct Manifest {
    text: String,
    resources: Vec<Resource>,
}

impl Default for Manifest {
    fn default() -> Manifest {
        Manifest::new()
    }
}

impl Manifest {
    pub fn new() -> Manifest {
        Manifest {
            text: String::from(
                "# Generated by meshc. Do not edit: change the description and rebuild.\n",
            ),
            resources: Vec::new(),
        }
    }

    /// Appends one document: serialized once, hashed as written.
    pub fn push<T: ApiObject>(&mut self, object: &T) {
        let meta = object.metadata();
        self.text.push_str("---\n");
        let start = self.text.len();
        yaml::write(&mut self.text, object);
        let doc = &self.text[start..];
        self.resources.push(Resource {
            api_version: object.api_version().to_string(),
            kind: object.kind().to_string(),
            namespace: meta.namespace.clone(),
            name: meta.name.clone(),
            service: SERVICE_LABELS
                .iter()
                .find_map(|k| meta.labels.get(*k))
                .cloned(),
            sha256: crate::bundle::sha256_hex(doc.as_bytes()),
            doc: start..self.text.len(),
            canonical: None,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// The file: a header comment, then the documents separated by `---`;
    /// `service` as in [`Artifact::service`].
    pub fn into_artifact(self, path: impl Into<String>, service: Option<&str>) -> Artifact {
        Artifact {
            path: path.into(),
            bytes: self.text.into_bytes(),
            resources: self.resources,
            service: service.map(str::to_string),
        }
    }
}

/// Why an emitter could not produce its output (a user template failed to render).
#[derive(Debug, Clone, PartialEq)]
pub struct EmitError {
    pub target: Target,
    pub message: String,
}

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.target.as_str(), self.message)
    }
}

/// Which services' files to write: all of them, or only those `keep` picks.
/// App-wide files are always written.
pub type Keep<'a> = &'a (dyn Fn(&Service) -> bool + Sync);

/// Every service.
pub const ALL: Keep<'static> = &|_| true;

/// The services `keep` picks, in service order: what each emitter writes
/// per-service files for.
fn kept<'a>(app: &'a App, keep: Keep) -> Vec<&'a Service> {
    app.services.iter().filter(|s| keep(s)).collect()
}

/// The resources of the mesh the description chose.
fn mesh(app: &App, keep: Keep) -> Vec<Artifact> {
    match app.mesh {
        crate::model::Mesh::Istio => istio::emit(app, keep),
        crate::model::Mesh::Linkerd => linkerd::emit(app, keep),
        crate::model::Mesh::None => gateway_api::emit(app, keep),
    }
}

/// Runs the selected emitters in target order.
pub fn emit(
    app: &App,
    targets: &[Target],
    templates: &docker::Templates,
) -> Result<Vec<Artifact>, EmitError> {
    emit_only(app, targets, templates, ALL)
}

/// [`emit`], writing the per-service files of the services `keep` picks
/// only: `diff` skips those whose [`fingerprint`] it already has.
pub fn emit_only(
    app: &App,
    targets: &[Target],
    templates: &docker::Templates,
    keep: Keep,
) -> Result<Vec<Artifact>, EmitError> {
    let mut out = Vec::new();
    for target in Target::ALL.iter().filter(|t| targets.contains(t)) {
        match target {
            Target::Kubernetes => out.extend(kubernetes::emit(app, keep)),
            Target::Mesh => out.extend(mesh(app, keep)),
            Target::Docker => out.extend(docker::emit(app, templates, keep)?),
            Target::Compose => out.extend(compose::emit(app, templates)?),
        }
    }
    Ok(out)
}
