//! Notes for a reviewer: what the field changes mean. Traffic shifts per
//! service, services and versions added or removed, ports, callers gained
//! or lost, replicas and resources, security loosened, replacements.

use super::fields::Op;
use super::{Action, CallGraph, Index, Key, Step, Subject, label};
use crate::pin;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};

mod security;
mod traffic;

/// Riskiest first: the order notes are listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoteKind {
    Security,
    Replace,
    ServiceRemoved,
    VersionRemoved,
    Traffic,
    Callers,
    Ports,
    Image,
    ServiceAdded,
    VersionAdded,
    Replicas,
    Resources,
}

impl NoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Security => "security",
            NoteKind::Replace => "replace",
            NoteKind::ServiceRemoved => "service-removed",
            NoteKind::VersionRemoved => "version-removed",
            NoteKind::Traffic => "traffic",
            NoteKind::Callers => "callers",
            NoteKind::Ports => "ports",
            NoteKind::Image => "image",
            NoteKind::ServiceAdded => "service-added",
            NoteKind::VersionAdded => "version-added",
            NoteKind::Replicas => "replicas",
            NoteKind::Resources => "resources",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub kind: NoteKind,
    pub service: Option<String>,
    pub text: String,
}

pub(super) struct Input<'a> {
    pub old: &'a Index<'a>,
    pub new: &'a Index<'a>,
    pub steps: &'a [Step],
    pub old_graph: &'a CallGraph,
    pub new_graph: &'a CallGraph,
}

pub(super) fn collect(input: &Input) -> Vec<Note> {
    let mut notes = Notes::default();
    let old_services = services(input.old);
    let new_services = services(input.new);
    let gone: BTreeSet<&str> = old_services.difference(&new_services).copied().collect();
    let came: BTreeSet<&str> = new_services.difference(&old_services).copied().collect();
    let (old_callers, new_callers) = (input.old_graph.callers(), input.new_graph.callers());
    let called_by = |callers: &std::collections::HashMap<&str, BTreeSet<&str>>, s: &str| {
        callers.get(s).filter(|c| !c.is_empty()).map(|c| {
            c.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    for s in &gone {
        let text = match called_by(&old_callers, s) {
            Some(c) => format!("service `{s}` removed (called by {c} before this change)"),
            None => format!("service `{s}` removed"),
        };
        notes.add(NoteKind::ServiceRemoved, s, text);
    }
    for s in &came {
        let text = match called_by(&new_callers, s) {
            Some(c) => format!("service `{s}` added (called by {c})"),
            None => format!("service `{s}` added"),
        };
        notes.add(NoteKind::ServiceAdded, s, text);
    }
    security::opt_outs(input, &mut notes);
    let kept = |s: &str| !gone.contains(s) && !came.contains(s);
    versions(input, &kept, &mut notes);
    callers(input, &kept, &mut notes);
    traffic::traffic(input, &kept, &mut notes);
    for step in input.steps {
        let Subject::Resource(key) = &step.subject else {
            continue;
        };
        let service = step.service.as_deref().unwrap_or(&key.name);
        if step.action == Action::Replace {
            let reason = step.reason.as_deref().unwrap_or_default();
            // Claims outlive their StatefulSet, but a new template neither
            // resizes nor re-modes them, and a renamed volume starts empty.
            let data = if key.kind == "StatefulSet" && reason.contains("volumeClaimTemplates") {
                "; data is at stake: existing PersistentVolumeClaims are kept but not changed, and a renamed volume starts empty, so back up and migrate the data first"
            } else {
                ""
            };
            notes.add(
                NoteKind::Replace,
                service,
                format!("{key} is replaced (deleted, then created): {reason}{data}"),
            );
        }
        match key.kind.as_str() {
            "Service" => ports(input, key, step, service, &mut notes),
            "Deployment" | "StatefulSet" => workload(key, step, service, &mut notes),
            "HorizontalPodAutoscaler" => autoscaling(input, key, service, &mut notes),
            _ => {}
        }
        security::security(input, key, step, service, &kept, &mut notes);
    }
    notes.finish()
}

#[derive(Default)]
struct Notes {
    notes: BTreeSet<Note>,
    /// (service, what changed) → the workloads it changed in.
    grouped: BTreeMap<(NoteKind, String, String), Vec<String>>,
}

impl Notes {
    fn add(&mut self, kind: NoteKind, service: &str, text: String) {
        self.notes.insert(Note {
            kind,
            service: Some(service.to_string()),
            text,
        });
    }

    /// A change that several workloads (versions) of a service share.
    fn group(&mut self, kind: NoteKind, service: &str, what: String, workload: &str) {
        self.grouped
            .entry((kind, service.to_string(), what))
            .or_default()
            .push(workload.to_string());
    }

    fn finish(mut self) -> Vec<Note> {
        for ((kind, service, what), mut workloads) in std::mem::take(&mut self.grouped) {
            workloads.sort();
            workloads.dedup();
            let text = if workloads == [service.clone()] {
                format!("{service}: {what}")
            } else {
                format!("{service}: {what} ({})", workloads.join(", "))
            };
            self.add(kind, &service, text);
        }
        self.notes.into_iter().collect()
    }
}

/// Services with a workload or a Service object.
fn services<'a>(index: &'a Index) -> BTreeSet<&'a str> {
    index
        .resources
        .iter()
        .filter(|(k, _)| matches!(k.kind.as_str(), "Deployment" | "StatefulSet" | "Service"))
        .filter_map(|(_, e)| e.service)
        .collect()
}

/// The objects with a step: the only ones whose content can have changed,
/// and so the only ones a note needs to look inside.
fn changed<'s>(input: &Input<'s>) -> HashSet<&'s Key> {
    input
        .steps
        .iter()
        .filter_map(|s| match &s.subject {
            Subject::Resource(k) => Some(k),
            Subject::File(_) => None,
        })
        .collect()
}

fn versions(input: &Input, kept: &dyn Fn(&str) -> bool, notes: &mut Notes) {
    // (service, version) → the first container's image, of the Deployments
    // that changed (an unchanged one says the same on both sides).
    let changed = changed(input);
    let of = |index: &Index| -> BTreeMap<(String, String), String> {
        index
            .resources
            .iter()
            .filter(|(k, _)| k.kind == "Deployment" && changed.contains(k))
            .filter_map(|(_, e)| {
                let app = e.service?;
                let version = label(e.tree(), "version")?;
                let image = e.tree()["spec"]["template"]["spec"]["containers"][0]["image"]
                    .as_str()
                    .unwrap_or_default();
                Some(((app.to_string(), version.to_string()), image.to_string()))
            })
            .collect()
    };
    let (old, new) = (of(input.old), of(input.new));
    for (s, v) in old.keys().filter(|k| !new.contains_key(*k) && kept(&k.0)) {
        notes.add(
            NoteKind::VersionRemoved,
            s,
            format!("{s}: version {v} removed"),
        );
    }
    for ((s, v), image) in new
        .iter()
        .filter(|(k, _)| !old.contains_key(*k) && kept(&k.0))
    {
        notes.add(
            NoteKind::VersionAdded,
            s,
            format!("{s}: version {v} added, image {image}"),
        );
    }
}

fn callers(input: &Input, kept: &dyn Fn(&str) -> bool, notes: &mut Notes) {
    let (old, new) = (input.old_graph.callers(), input.new_graph.callers());
    let empty = BTreeSet::new();
    for (s, now) in &new {
        if !kept(s) || !input.old_graph.contains(s) {
            continue;
        }
        let before = old.get(s).unwrap_or(&empty);
        let list = |set: Vec<&&str>| {
            set.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let gained: Vec<&&str> = now.difference(before).collect();
        let lost: Vec<&&str> = before.difference(now).collect();
        if !gained.is_empty() {
            let word = if gained.len() == 1 {
                "caller"
            } else {
                "callers"
            };
            notes.add(
                NoteKind::Callers,
                s,
                format!("{s}: gains {word} {}", list(gained)),
            );
        }
        if !lost.is_empty() {
            let word = if lost.len() == 1 { "caller" } else { "callers" };
            notes.add(
                NoteKind::Callers,
                s,
                format!("{s}: loses {word} {}", list(lost)),
            );
        }
    }
}

// --- per resource -------------------------------------------------------

fn ports(input: &Input, key: &Key, step: &Step, service: &str, notes: &mut Notes) {
    if key.group() != ""
        || !step
            .changes
            .iter()
            .any(|c| c.path.starts_with("spec.ports"))
    {
        return;
    }
    let list = |index: &Index| -> String {
        let r = index.resource(key);
        let ports = r
            .and_then(|r| r.tree()["spec"]["ports"].as_array().cloned())
            .unwrap_or_default();
        ports
            .iter()
            .map(|p| format!("{}:{}", p["name"].as_str().unwrap_or("-"), p["port"]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    notes.add(
        NoteKind::Ports,
        service,
        format!("{service}: ports {} → {}", list(input.old), list(input.new)),
    );
}

fn workload(key: &Key, step: &Step, service: &str, notes: &mut Notes) {
    for c in &step.changes {
        if c.path.contains("containers[")
            && c.path.ends_with("].image")
            && let Op::Changed { old, new } = &c.op
            && let (Some(old), Some(new)) = (old.as_str(), new.as_str())
        {
            let version = key
                .name
                .strip_prefix(service)
                .and_then(|v| v.strip_prefix('-'))
                .filter(|v| !v.is_empty());
            let who = match version {
                Some(v) => format!("{service} {v}"),
                None => service.to_string(),
            };
            notes.add(
                NoteKind::Image,
                service,
                format!("{who}: {}", image_change(old, new)),
            );
        }
        if c.path == "spec.replicas" {
            notes.group(
                NoteKind::Replicas,
                service,
                format!("replicas {}", change(&c.op)),
                &key.name,
            );
        }
        if let Some((_, what)) = c.path.split_once(".resources.")
            && c.path.contains("containers[")
        {
            notes.group(
                NoteKind::Resources,
                service,
                format!("{what} {}", change(&c.op)),
                &key.name,
            );
        }
    }
}

fn autoscaling(input: &Input, key: &Key, service: &str, notes: &mut Notes) {
    let range = |index: &Index| {
        index.resource(key).map(|r| {
            let s = &r.tree()["spec"];
            format!("{}–{}", s["minReplicas"], s["maxReplicas"])
        })
    };
    // A new or retired workload's autoscaler is part of the version note.
    if let (Some(old), Some(new)) = (range(input.old), range(input.new))
        && old != new
    {
        notes.group(
            NoteKind::Replicas,
            service,
            format!("autoscaling {old} → {new} replicas"),
            &key.name,
        );
    }
}

/// `sha256:3f1c…` shortened to its first twelve hex digits, as `docker images` does.
fn short(digest: &str) -> String {
    // By characters: a bundle read back from disk may hold anything there.
    let hex = digest.split_once(':').map_or(digest, |(_, h)| h);
    format!("{}…", hex.chars().take(12).collect::<String>())
}

/// What an image change means: the same tag pushed again (its digest moved),
/// a tag newly pinned or unpinned, or another tag or image.
fn image_change(old: &str, new: &str) -> String {
    let (a, b) = (pin::parts(old), pin::parts(new));
    if a.tagged == b.tagged {
        let tag = b.tag.unwrap_or(b.name);
        return match (a.digest, b.digest) {
            (Some(x), Some(y)) => format!("{tag} re-pushed, digest {} → {}", short(x), short(y)),
            (None, Some(y)) => format!("{tag} pinned to digest {}", short(y)),
            (Some(x), None) => format!("{tag} no longer pinned by digest (was {})", short(x)),
            (None, None) => format!("image {old} → {new}"),
        };
    }
    match (a.tag, b.tag) {
        (Some(x), Some(y)) if a.name == b.name => format!("image {x} → {y}"),
        _ => format!("image {} → {}", a.tagged, b.tagged),
    }
}

/// `50 → 80`, `+ 3`, `- 1` for a note.
fn change(op: &Op) -> String {
    let v = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match op {
        Op::Changed { old, new } => format!("{} → {}", v(old), v(new)),
        Op::Added(n) => format!("(none) → {}", v(n)),
        Op::Removed(o) => format!("{} → (none)", v(o)),
        Op::Moved { from, to } => format!("moved {from} → {to}"),
    }
}

#[cfg(test)]
mod tests;
