//! Notes for a reviewer: what the field changes mean. Traffic shifts per
//! service, services and versions added or removed, ports, callers gained
//! or lost, replicas and resources, security loosened, replacements.

use super::fields::{FieldChange, Op};
use super::{Action, CallGraph, Index, Key, Step, Subject, label};
use crate::pin;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};

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
    opt_outs(input, &mut notes);
    let kept = |s: &str| !gone.contains(s) && !came.contains(s);
    versions(input, &kept, &mut notes);
    callers(input, &kept, &mut notes);
    traffic(input, &kept, &mut notes);
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
        security(input, key, step, service, &kept, &mut notes);
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

// --- traffic -------------------------------------------------------------

/// One HTTP route: what selects it and where its traffic goes.
struct RouteShare {
    label: String,
    split: Vec<(String, f64)>,
    mirror: Option<(String, f64)>,
}

fn traffic(input: &Input, kept: &dyn Fn(&str) -> bool, notes: &mut Notes) {
    let keys: BTreeSet<&Key> = changed(input)
        .into_iter()
        .filter(|k| k.kind == "VirtualService")
        .collect();
    for key in keys {
        let old = input.old.resource(key);
        let new = input.new.resource(key);
        // Keys with a step: created, deleted, or with a different tree.
        let Some(r) = new.or(old) else { continue };
        let service = r.service.unwrap_or(&key.name).to_string();
        if !kept(&service) {
            continue;
        }
        let routes = |r: Option<&super::Entry>| r.map(|r| shares(r.tree())).unwrap_or_default();
        let (before, after) = (routes(old), routes(new));
        let at = |label: &str| {
            if label.is_empty() {
                service.clone()
            } else {
                format!("{service} ({label})")
            }
        };
        for a in &after {
            let b = before.iter().find(|b| b.label == a.label);
            let shifts = shift(b.map_or(&[][..], |b| &b.split), &a.split);
            if !shifts.is_empty() {
                notes.add(
                    NoteKind::Traffic,
                    &service,
                    format!("{}: {shifts}", at(&a.label)),
                );
            }
            let was = b.and_then(|b| b.mirror.as_ref());
            if was != a.mirror.as_ref() {
                let m = |m: Option<&(String, f64)>| {
                    m.map_or("none".to_string(), |(d, p)| format!("{d} {}", percent(*p)))
                };
                notes.add(
                    NoteKind::Traffic,
                    &service,
                    format!(
                        "{}: mirror {} → {}",
                        at(&a.label),
                        m(was),
                        m(a.mirror.as_ref())
                    ),
                );
            }
        }
        for b in before
            .iter()
            .filter(|b| !after.iter().any(|a| a.label == b.label))
        {
            let to: Vec<String> = b
                .split
                .iter()
                .map(|(d, p)| format!("{d} {}", percent(*p)))
                .collect();
            notes.add(
                NoteKind::Traffic,
                &service,
                format!(
                    "{}: route removed (it sent {})",
                    at(&b.label),
                    to.join(", ")
                ),
            );
        }
    }
}

/// `v1 50% → 20%, v3 50% → 80%`: every destination whose share changed.
fn shift(before: &[(String, f64)], after: &[(String, f64)]) -> String {
    let share = |list: &[(String, f64)], d: &str| {
        list.iter().find(|(x, _)| x == d).map_or(0.0, |(_, p)| *p)
    };
    let dests: BTreeSet<&str> = after
        .iter()
        .chain(before)
        .map(|(d, _)| d.as_str())
        .collect();
    dests
        .into_iter()
        .filter_map(|d| {
            let (b, a) = (share(before, d), share(after, d));
            ((b - a).abs() > 1e-9).then(|| format!("{d} {} → {}", percent(b), percent(a)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn percent(p: f64) -> String {
    if (p - p.round()).abs() < 0.05 {
        format!("{}%", p.round())
    } else {
        format!("{p:.1}%")
    }
}

fn shares(vs: &Value) -> Vec<RouteShare> {
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    list(&vs["spec"]["http"])
        .iter()
        .map(|route| {
            let dests = list(&route["route"]);
            let weights: Vec<f64> = dests
                .iter()
                .map(|d| d["weight"].as_f64().unwrap_or(0.0))
                .collect();
            let total: f64 = weights.iter().sum();
            let split = dests
                .iter()
                .zip(&weights)
                .map(|(d, w)| {
                    let p = if total > 0.0 {
                        w / total * 100.0
                    } else {
                        100.0 / dests.len() as f64
                    };
                    (destination(&d["destination"]), p)
                })
                .collect();
            let mirror = route.get("mirror").map(|m| {
                let p = route["mirrorPercentage"]["value"].as_f64().unwrap_or(100.0);
                (destination(m), p)
            });
            let label = match route["name"].as_str() {
                Some(name) => format!("route `{name}`"),
                None => describe_match(&route["match"]),
            };
            RouteShare {
                label,
                split,
                mirror,
            }
        })
        .collect()
}

fn destination(d: &Value) -> String {
    match d["subset"].as_str() {
        Some(s) => s.to_string(),
        None => d["host"]
            .as_str()
            .map(|h| h.split('.').next().unwrap_or(h).to_string())
            .unwrap_or_default(),
    }
}

/// `end-user=jason`, `uri^=/api`; empty for a catch-all route.
fn describe_match(m: &Value) -> String {
    let string = |v: &Value| {
        if let Some(x) = v["exact"].as_str() {
            format!("={x}")
        } else if let Some(x) = v["prefix"].as_str() {
            format!("^={x}")
        } else if let Some(x) = v["regex"].as_str() {
            format!("~={x}")
        } else {
            format!("={v}")
        }
    };
    let alternatives: Vec<String> = m
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|one| {
            let mut parts = Vec::new();
            if let Some(u) = one.get("uri") {
                parts.push(format!("uri{}", string(u)));
            }
            if let Some(m) = one.get("method") {
                parts.push(format!("method{}", string(m)));
            }
            if let Some(h) = one.get("headers").and_then(Value::as_object) {
                parts.extend(h.iter().map(|(k, v)| format!("{k}{}", string(v))));
            }
            if let Some(p) = one.get("port") {
                parts.push(format!("port={p}"));
            }
            parts.join(" and ")
        })
        .collect();
    alternatives.join(" or ")
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

// --- security -------------------------------------------------------------

/// checkov opt-outs (`checkov.io/skip<N>: CHECK=reason` annotations) a
/// service has now and had on none of its objects before.
fn opt_outs(input: &Input, notes: &mut Notes) {
    // Only a service with a changed object can have gained one.
    let touched: BTreeSet<&str> = input
        .steps
        .iter()
        .filter_map(|s| s.service.as_deref())
        .collect();
    let of = |index: &Index| -> BTreeMap<String, BTreeMap<String, usize>> {
        let mut by_service: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for e in index.resources.values() {
            let Some(service) = e.service.filter(|s| touched.contains(s)) else {
                continue;
            };
            let v = e.tree();
            let found: BTreeSet<&str> = [
                &v["metadata"]["annotations"],
                &v["spec"]["template"]["metadata"]["annotations"],
            ]
            .into_iter()
            .filter_map(Value::as_object)
            .flat_map(|m| m.iter())
            .filter(|(k, _)| k.starts_with("checkov.io/skip"))
            .filter_map(|(_, v)| v.as_str())
            .collect();
            for o in found {
                *by_service
                    .entry(service.to_string())
                    .or_default()
                    .entry(o.to_string())
                    .or_default() += 1;
            }
        }
        by_service
    };
    let (old, new) = (of(input.old), of(input.new));
    for (service, found) in &new {
        for (o, count) in found {
            if old.get(service).is_some_and(|had| had.contains_key(o)) {
                continue;
            }
            let (check, reason) = o.split_once('=').unwrap_or((o, ""));
            let on = if *count == 1 {
                "1 object".to_string()
            } else {
                format!("{count} objects")
            };
            notes.add(
                NoteKind::Security,
                service,
                format!(
                    "{service}: checkov opt-out `{check}` new for this service, on {on}: {reason}"
                ),
            );
        }
    }
}

fn security(
    input: &Input,
    key: &Key,
    step: &Step,
    service: &str,
    kept: &dyn Fn(&str) -> bool,
    notes: &mut Notes,
) {
    let old = input.old.resource(key).map(|r| r.tree());
    let new = input.new.resource(key).map(|r| r.tree());
    match key.kind.as_str() {
        "PeerAuthentication" => {
            let mode = |v: Option<&Value>| {
                v.and_then(|v| v["spec"]["mtls"]["mode"].as_str())
                    .unwrap_or("UNSET")
                    .to_string()
            };
            let (was, now) = (mode(old), mode(new));
            if strength(&now) < strength(&was) {
                notes.add(
                    NoteKind::Security,
                    service,
                    format!("{key}: mTLS loosened, {was} → {now}"),
                );
            }
        }
        "DestinationRule" => {
            let tls = |v: Option<&Value>| {
                v.and_then(|v| v["spec"]["trafficPolicy"]["tls"]["mode"].as_str())
                    .map(str::to_string)
            };
            let (was, now) = (tls(old), tls(new));
            let mutual =
                |m: &Option<String>| matches!(m.as_deref(), Some("ISTIO_MUTUAL" | "MUTUAL"));
            if mutual(&was) && !mutual(&now) && new.is_some() {
                notes.add(
                    NoteKind::Security,
                    service,
                    format!(
                        "{key}: client TLS loosened, {} → {}",
                        was.unwrap_or_default(),
                        now.unwrap_or_else(|| "unset".into())
                    ),
                );
            }
        }
        "AuthorizationPolicy" | "NetworkPolicy"
            if step.action == Action::Delete && kept(service) =>
        {
            notes.add(
                NoteKind::Security,
                service,
                format!("{key} removed while `{service}` stays: its access control is loosened"),
            );
        }
        _ => {}
    }
    for c in &step.changes {
        if c.path.contains("securityContext") {
            let how = if loosens(c) { "loosened" } else { "changed" };
            notes.add(
                NoteKind::Security,
                service,
                format!("{key}: securityContext {how}, {} {}", c.path, change(&c.op)),
            );
        } else if c.path.ends_with("automountServiceAccountToken") && loosens(c) {
            notes.add(
                NoteKind::Security,
                service,
                format!(
                    "{key}: service account token now mounted, {} {}",
                    c.path,
                    change(&c.op)
                ),
            );
        }
    }
}

/// How much a PeerAuthentication mode protects; UNSET inherits, which
/// without a mesh-wide policy means PERMISSIVE.
fn strength(mode: &str) -> u8 {
    match mode {
        "STRICT" => 3,
        "PERMISSIVE" | "UNSET" => 2,
        _ => 0,
    }
}

/// Whether a securityContext (or token) change gives the pod more power.
fn loosens(c: &FieldChange) -> bool {
    let field = c.path.rsplit('.').next().unwrap_or_default();
    let field = field.split('[').next().unwrap_or_default();
    let (old, new) = match &c.op {
        Op::Changed { old, new } => (Some(old), Some(new)),
        Op::Added(v) => (None, Some(v)),
        Op::Removed(v) => (Some(v), None),
        Op::Moved { .. } => return false,
    };
    let t = Some(&Value::Bool(true));
    match field {
        "runAsNonRoot" | "readOnlyRootFilesystem" => old == t && new != t,
        "allowPrivilegeEscalation" | "privileged" | "automountServiceAccountToken" => {
            new == t && old != t
        }
        "runAsUser" => new.and_then(Value::as_u64) == Some(0),
        "drop" => new.is_none() || c.path.contains("drop[") && matches!(c.op, Op::Removed(_)),
        "add" => matches!(c.op, Op::Added(_)),
        "type" => {
            c.path.contains("seccompProfile")
                && new.and_then(Value::as_str) != Some("RuntimeDefault")
        }
        _ => c.path.ends_with("seccompProfile") && new.is_none(),
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
mod tests {
    use crate::diff::{CallGraph, Side, diff};
    use crate::emit::{Artifact, Resource};
    use serde_json::{Value, json};

    fn artifact(objects: &[Value]) -> Vec<Artifact> {
        vec![Artifact {
            path: "k.yaml".into(),
            bytes: serde_json::to_vec(objects).unwrap(),
            resources: objects
                .iter()
                .map(|o| Resource::from_tree(crate::emit::yaml::sort(o.clone())))
                .collect(),
            service: None,
        }]
    }

    fn object(kind: &str, name: &str, app: &str, spec: Value) -> Value {
        json!({"apiVersion": "v1", "kind": kind,
               "metadata": {"name": name, "namespace": "ns", "labels": {"app": app}}, "spec": spec})
    }

    fn notes(old: &[Value], new: &[Value]) -> Vec<String> {
        let (a, b) = (artifact(old), artifact(new));
        diff(Side::new(&a), Side::new(&b))
            .notes
            .into_iter()
            .map(|n| format!("{}: {}", n.kind.as_str(), n.text))
            .collect()
    }

    fn deployment(name: &str, app: &str, image: &str) -> Value {
        object(
            "Deployment",
            name,
            app,
            json!({"template": {"spec": {"containers": [{"name": app, "image": image}]}}}),
        )
    }

    #[test]
    fn a_re_pushed_tag_is_an_image_note_with_both_digests() {
        let a = "docker.io/istio/reviews:1.20.1@sha256:a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
        let b = "docker.io/istio/reviews:1.20.1@sha256:c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2";
        let notes = notes(
            &[deployment("reviews-v1", "reviews", a)],
            &[deployment("reviews-v1", "reviews", b)],
        );
        assert_eq!(
            notes,
            ["image: reviews v1: 1.20.1 re-pushed, digest a1b2c3d4e5f6… → c3d4e5f60718…"]
        );
    }

    #[test]
    fn a_digest_that_is_not_hex_is_shortened_without_a_panic() {
        let notes = notes(
            &[deployment("web", "web", "web:1.0@sha256:a€€€€€€€")],
            &[deployment("web", "web", "web:1.0@sha256:abc")],
        );
        assert_eq!(
            notes,
            ["image: web: 1.0 re-pushed, digest a€€€€€€€… → abc…"]
        );
    }

    #[test]
    fn pinning_unpinning_and_new_tags_are_told_apart() {
        let d = "sha256:c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2";
        let case = |old: &str, new: &str| {
            notes(
                &[deployment("web", "web", old)],
                &[deployment("web", "web", new)],
            )
        };
        assert_eq!(
            case(
                "reg.example.com:5000/web:1.0",
                &format!("reg.example.com:5000/web:1.0@{d}")
            ),
            ["image: web: 1.0 pinned to digest c3d4e5f60718…"]
        );
        assert_eq!(
            case(&format!("web:1.0@{d}"), "web:1.0"),
            ["image: web: 1.0 no longer pinned by digest (was c3d4e5f60718…)"]
        );
        assert_eq!(
            case(
                "reg.example.com:5000/web:1.0",
                &format!("reg.example.com:5000/web:1.1@{d}")
            ),
            ["image: web: image 1.0 → 1.1"]
        );
        assert_eq!(
            case("web:1.0", "mirror.example.com/web:1.0"),
            ["image: web: image web:1.0 → mirror.example.com/web:1.0"]
        );
    }

    #[test]
    fn weaker_mtls_is_a_security_note() {
        let pa = |mode: &str| {
            let mut o = object(
                "PeerAuthentication",
                "default",
                "",
                json!({"mtls": {"mode": mode}}),
            );
            o["apiVersion"] = json!("security.istio.io/v1");
            o
        };
        assert_eq!(
            notes(&[pa("STRICT")], &[pa("PERMISSIVE")]),
            ["security: PeerAuthentication ns/default: mTLS loosened, STRICT → PERMISSIVE"]
        );
        assert!(notes(&[pa("PERMISSIVE")], &[pa("STRICT")]).is_empty());
    }

    #[test]
    fn a_writable_root_filesystem_is_loosened() {
        let d = |ro: bool| {
            object(
                "Deployment",
                "web",
                "web",
                json!({"template": {"spec": {"containers": [
                {"name": "web", "securityContext": {"readOnlyRootFilesystem": ro}}]}}}),
            )
        };
        assert_eq!(
            notes(&[d(true)], &[d(false)]),
            [
                "security: Deployment ns/web: securityContext loosened, spec.template.spec.containers[name=web].securityContext.readOnlyRootFilesystem true → false"
            ]
        );
    }

    #[test]
    fn a_new_opt_out_is_noted_once_per_service() {
        let svc = |ann: Value| {
            let mut o = object("Service", "web", "web", json!({"ports": []}));
            o["metadata"]["annotations"] = ann;
            o
        };
        assert_eq!(
            notes(
                &[svc(json!({}))],
                &[svc(json!({"checkov.io/skip1": "CKV_K8S_8=no probe"}))]
            ),
            [
                "security: web: checkov opt-out `CKV_K8S_8` new for this service, on 1 object: no probe"
            ]
        );
    }

    #[test]
    fn callers_gained_and_lost() {
        let objects = [
            object("Service", "a", "a", json!({})),
            object("Service", "b", "b", json!({})),
            object("Service", "c", "c", json!({})),
        ];
        let a = artifact(&objects);
        let old = CallGraph::from_edges(["a", "b", "c"], [("a", "c")]);
        let new = CallGraph::from_edges(["a", "b", "c"], [("b", "c")]);
        let plan = diff(Side::with_graph(&a, &old), Side::with_graph(&a, &new));
        let texts: Vec<&str> = plan.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(texts, ["c: gains caller `b`", "c: loses caller `a`"]);
    }

    #[test]
    fn replicas_shared_by_versions_are_one_note() {
        let d = |name: &str, n: u32| object("Deployment", name, "web", json!({"replicas": n}));
        assert_eq!(
            notes(
                &[d("web-v1", 1), d("web-v2", 1)],
                &[d("web-v1", 3), d("web-v2", 3)]
            ),
            ["replicas: web: replicas 1 → 3 (web-v1, web-v2)"]
        );
    }
}
