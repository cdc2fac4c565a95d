//! Diff: two builds → an ordered, semantic change plan.
//!
//! In: two [`Side`]s, each the artifacts of one build (from
//! [`crate::pipeline::compile`] or read back from a bundle directory by
//! [`read_bundle`]) and, when the model is at hand, its [`CallGraph`].
//! Out: a [`Plan`]: the steps in the order they should be applied, the notes
//! a reviewer needs, and counts. [`render`] turns a plan into text; the
//! entry points that gather both sides for `meshc diff` are [`against`]
//! (a fresh build against a bundle directory) and [`base`] (a description
//! now against the same file at a git revision).
//!
//! Resources are identified by apiVersion, kind, namespace and name and
//! indexed in hash maps, so diffing is linear in the size of the builds.
//! Files without resources (Dockerfiles, `kustomization.yaml`) are compared
//! as text.
//!
//! # JSON output (`--format json`), schema `meshc.diff/v1`
//!
//! Fields are never removed or renamed within `v1`; new fields may appear.
//!
//! ```text
//! {
//!   "schema": "meshc.diff/v1",
//!   "old": string,                  // what was compared: a bundle dir or FILE@REF
//!   "new": string,
//!   "changed": bool,                // false exactly when `plan` is empty
//!   "summary": {
//!     "resources": { "create": n, "update": n, "replace": n, "delete": n, "unchanged": n },
//!     "files":     { "create": n, "update": n, "delete": n, "unchanged": n }
//!   },
//!   "notes": [ {
//!     "kind": "security" | "replace" | "service-removed" | "version-removed"
//!           | "traffic" | "callers" | "ports" | "image" | "service-added"
//!           | "version-added" | "replicas" | "resources",
//!     "service": string | null,
//!     "text": string                // e.g. "reviews: v1 50% → 20%, v3 50% → 80%"
//!   } ],
//!   "plan": [ {                     // in apply order
//!     "step": n,                    // 1-based
//!     "action": "create" | "update" | "replace" | "delete",
//!     "resource": { "apiVersion": s, "kind": s, "namespace": s | null, "name": s } | null,
//!     "file": string | null,        // set instead of `resource` for plain files
//!     "service": string | null,     // the `app` label of the resource
//!     "reason": string | null,      // why a replace, or which half of a split update
//!     "changes": [ {                // update and replace only
//!       "path": string,             // `spec.http[1].route[0].weight`, `containers[name=app].image`
//!       "op": "changed" | "added" | "removed" | "moved",
//!       "old": any,                 // changed, removed
//!       "new": any,                 // changed, added
//!       "from": n, "to": n          // moved: positions in the old and new list
//!     } ],
//!     "diff": string | null         // files: a unified diff
//!   } ]
//! }
//! ```
//!
//! Paths: `.key` (or `["key"]` when the key is not a plain word);
//! `[name=X]` for an item of a list whose items all carry a unique `name`
//! (containers, ports, env, volumes, subsets), matched by name; `[N]` for an
//! item of any other list, its position in the new list (in the old list
//! for a removed item), and `[M→N]` for an item that changed and moved from
//! position M to N. Those lists are aligned by content, so an inserted item
//! does not show every later one as changed.

mod fields;
mod git;
mod graph;
mod immutable;
mod inputs;
mod load;
mod notes;
mod order;
pub mod picture;
pub mod render;

pub use fields::{FieldChange, Op};
pub use graph::CallGraph;
pub use inputs::{Comparison, DiffError, Side as WhichSide, against, base};
pub use load::{Locked, ReadError, Skipped, read_bundle, read_locked};
pub use notes::{Note, NoteKind};

use crate::emit::{Artifact, Resource, Target};
use indexmap::IndexMap;
use serde_json::Value;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

/// One build to compare: its artifacts and, when known, its call graph.
/// Without a graph on either side, both are inferred from the bundles'
/// AuthorizationPolicies (see [`CallGraph::infer_pair`]).
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub artifacts: &'a [Artifact],
    pub graph: Option<&'a CallGraph>,
}

impl<'a> Side<'a> {
    pub fn new(artifacts: &'a [Artifact]) -> Side<'a> {
        Side {
            artifacts,
            graph: None,
        }
    }

    pub fn with_graph(artifacts: &'a [Artifact], graph: &'a CallGraph) -> Side<'a> {
        Side {
            artifacts,
            graph: Some(graph),
        }
    }
}

/// What a resource is known by in the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl Key {
    pub fn of(r: &Resource) -> Key {
        Key {
            api_version: r.api_version.clone(),
            kind: r.kind.clone(),
            namespace: r.namespace.clone(),
            name: r.name.clone(),
        }
    }

    /// The API group: `apps` for `apps/v1`, empty for the core `v1`.
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    pub fn object(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.object())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Create,
    Update,
    /// Delete and create: an immutable field changed.
    Replace,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

/// What a step changes: a cluster object, or a plain file of the bundle.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Resource(Key),
    File(String),
}

/// One entry of the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub action: Action,
    pub subject: Subject,
    /// The service the object belongs to (its `app` label).
    pub service: Option<String>,
    /// Field-level changes (update and replace).
    pub changes: Vec<FieldChange>,
    /// Unified diff of a plain file.
    pub text: Option<String>,
    /// Why a replace, or which half of a split update this is.
    pub reason: Option<String>,
}

impl Step {
    fn new(action: Action, subject: Subject, service: Option<String>) -> Step {
        Step {
            action,
            subject,
            service,
            changes: Vec::new(),
            text: None,
            reason: None,
        }
    }

    pub fn kind(&self) -> Option<&str> {
        match &self.subject {
            Subject::Resource(k) => Some(&k.kind),
            Subject::File(_) => None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub unchanged: usize,
}

impl Counts {
    fn count(&mut self, action: Action) {
        match action {
            Action::Create => self.create += 1,
            Action::Update => self.update += 1,
            Action::Replace => self.replace += 1,
            Action::Delete => self.delete += 1,
        }
    }

    pub fn changed(&self) -> usize {
        self.create + self.update + self.replace + self.delete
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub resources: Counts,
    pub files: Counts,
}

/// The result: ordered steps, reviewer notes, counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub notes: Vec<Note>,
    pub summary: Summary,
    /// Call edges added or removed and split shares that move.
    pub edges: Vec<picture::EdgeChange>,
}

impl Plan {
    /// No resource or file differs.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// Compares two builds. Linear in their size: resources are matched by
/// identity through hash maps, never pairwise.
pub fn diff(old: Side, new: Side) -> Plan {
    let before = Index::new(old.artifacts);
    let after = Index::new(new.artifacts);
    let mut summary = Summary::default();
    let mut steps = Vec::new();
    let same = before.same_files(&after);

    for (key, e) in &after.resources {
        let service = e.service.map(str::to_string);
        let step = match before.resources.get(key) {
            None => Step::new(Action::Create, Subject::Resource(key.clone()), service),
            // The same bytes in the same file, or the same document: nothing
            // to compare, and no need to parse either side.
            Some(o) if o.file == e.file && same.contains(e.file) => {
                summary.resources.unchanged += 1;
                continue;
            }
            Some(o) if !e.resource.sha256.is_empty() && o.resource.sha256 == e.resource.sha256 => {
                summary.resources.unchanged += 1;
                continue;
            }
            Some(o) if o.tree() == e.tree() => {
                summary.resources.unchanged += 1;
                continue;
            }
            Some(o) => {
                let changes = fields::diff(o.tree(), e.tree());
                let fixed = immutable::violations(key, o.tree(), &changes);
                let action = if fixed.is_empty() {
                    Action::Update
                } else {
                    Action::Replace
                };
                let mut step = Step::new(action, Subject::Resource(key.clone()), service);
                if !fixed.is_empty() {
                    step.reason = Some(format!(
                        "{} cannot change in place: delete and create",
                        fixed.join(", ")
                    ));
                }
                step.changes = changes;
                step
            }
        };
        summary.resources.count(step.action);
        steps.push(step);
    }
    for (key, e) in &before.resources {
        if !after.resources.contains_key(key) {
            summary.resources.count(Action::Delete);
            let service = e.service.map(str::to_string);
            steps.push(Step::new(
                Action::Delete,
                Subject::Resource(key.clone()),
                service,
            ));
        }
    }

    for (path, a) in &after.files {
        let action = match before.files.get(path) {
            None => Action::Create,
            Some(o) if o.bytes == a.bytes => {
                summary.files.unchanged += 1;
                continue;
            }
            Some(_) => Action::Update,
        };
        let mut step = Step::new(action, Subject::File(path.to_string()), None);
        if let Some(o) = before.files.get(path).filter(|_| action == Action::Update) {
            step.text = Some(text_diff(path, &o.bytes, &a.bytes));
        }
        summary.files.count(action);
        steps.push(step);
    }
    for path in before.files.keys() {
        if !after.files.contains_key(path) {
            summary.files.count(Action::Delete);
            steps.push(Step::new(
                Action::Delete,
                Subject::File(path.to_string()),
                None,
            ));
        }
    }

    let inferred;
    let (g_old, g_new) = match (old.graph, new.graph) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            inferred = CallGraph::infer_pair(old.artifacts, new.artifacts);
            (&inferred.0, &inferred.1)
        }
    };
    let mut ordering = g_old.union(g_new);
    for g in [old.graph, new.graph].into_iter().flatten() {
        ordering = ordering.union(g);
    }
    let notes = notes::collect(&notes::Input {
        old: &before,
        new: &after,
        steps: &steps,
        old_graph: g_old,
        new_graph: g_new,
    });
    let edges = picture::changes(g_old, g_new, &before, &after, &steps);
    Plan {
        steps: order::order(steps, &ordering),
        notes,
        summary,
        edges,
    }
}

/// Whether a bundle path is in one of `targets` (by its top folder), or
/// outside every target's folder.
pub(crate) fn selected(path: &str, targets: &[Target]) -> bool {
    Target::of_path(path).is_none_or(|t| targets.contains(&t))
}

/// One side, indexed: resources by identity (first wins) with the file
/// each came from, plain files by path, and every file's bytes.
pub(crate) struct Index<'a> {
    pub resources: IndexMap<Key, Entry<'a>>,
    pub files: IndexMap<&'a str, &'a Artifact>,
    bytes: HashMap<&'a str, &'a [u8]>,
}

pub(crate) struct Entry<'a> {
    pub resource: &'a Resource,
    artifact: &'a Artifact,
    pub file: &'a str,
    /// The `app` label.
    pub service: Option<&'a str>,
    /// The object's content, parsed the first time it is asked for: most
    /// objects of a large build are unchanged and never need it.
    tree: OnceCell<Cow<'a, Value>>,
}

impl Entry<'_> {
    pub fn tree(&self) -> &Value {
        self.tree.get_or_init(|| self.artifact.tree(self.resource))
    }
}

impl<'a> Index<'a> {
    fn new(artifacts: &'a [Artifact]) -> Index<'a> {
        let mut resources = IndexMap::new();
        let mut files = IndexMap::new();
        let mut bytes = HashMap::with_capacity(artifacts.len());
        for a in artifacts {
            bytes.insert(a.path.as_str(), a.bytes.as_slice());
            if a.resources.is_empty() {
                files.entry(a.path.as_str()).or_insert(a);
            }
            for r in &a.resources {
                resources.entry(Key::of(r)).or_insert(Entry {
                    resource: r,
                    artifact: a,
                    file: &a.path,
                    service: r.service.as_deref(),
                    tree: OnceCell::new(),
                });
            }
        }
        Index {
            resources,
            files,
            bytes,
        }
    }

    pub fn resource(&self, key: &Key) -> Option<&Entry<'a>> {
        self.resources.get(key)
    }

    /// The paths of files both sides hold with the same bytes.
    fn same_files(&self, other: &Index<'a>) -> HashSet<&'a str> {
        other
            .bytes
            .iter()
            .filter(|(path, bytes)| self.bytes.get(*path) == Some(*bytes))
            .map(|(path, _)| *path)
            .collect()
    }
}

pub(crate) fn label<'v>(object: &'v Value, name: &str) -> Option<&'v str> {
    object.get("metadata")?.get("labels")?.get(name)?.as_str()
}

fn text_diff(path: &str, old: &[u8], new: &[u8]) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
