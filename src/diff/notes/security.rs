//! Security notes: mTLS weakened, pods given more power, checkov
//! opt-outs new for a service.

use super::{Input, NoteKind, Notes, change};
use crate::diff::fields::{FieldChange, Op};
use crate::diff::{Action, Index, Key, Step};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// checkov opt-outs (`checkov.io/skip<N>: CHECK=reason` annotations) a
/// service has now and had on none of its objects before.
pub(super) fn opt_outs(input: &Input, notes: &mut Notes) {
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

pub(super) fn security(
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
