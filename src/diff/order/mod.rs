//! The order of the plan. Every ordering rule lives here, each with a test
//! in `order/tests.rs` that fails if the order is wrong.
//!
//! 1. Two phases. *Up*: creates, updates and replaces. *Down*: deletes, and
//!    updates that only take something away (a DestinationRule losing
//!    subsets, an AuthorizationPolicy losing principals). Up comes first, so
//!    nothing is removed while something still depends on it.
//! 2. Tiers. Up runs them in this order, down in reverse:
//!    files (images to build) → Namespace → identity (ServiceAccount, RBAC)
//!    → config (ConfigMap, Secret, anything unknown) → policy
//!    (PeerAuthentication, Linkerd's MeshTLSAuthentication,
//!    AuthorizationPolicy, NetworkPolicy, then Linkerd's Server: a Server
//!    denies what no policy admits the moment it exists) → workloads
//!    (Service, Deployment, HorizontalPodAutoscaler, PodDisruptionBudget)
//!    → subsets (DestinationRule) → routing (Gateway, VirtualService, Ingress).
//! 3. Make before break, which follows from 1 and 2: a new version's
//!    Deployment, then the DestinationRule with its subset, then the
//!    VirtualService sending traffic to it; a retired version's route goes
//!    first (an up-phase update), then its subset, then its Deployment.
//! 4. A DestinationRule update that both adds and removes subsets is split:
//!    the additions (and any other change) in the up phase, the removals in
//!    the down phase, so the VirtualService change sits between them.
//! 5. Within a tier, services by the call graph: callees before callers on
//!    the way up, callers before callees on the way down.
//! 6. Within a service and tier, kinds in the tier's order (Service before
//!    Deployment before autoscaler) on the way up, reversed on the way down;
//!    then by name.

use super::{Action, CallGraph, FieldChange, Op, Step, Subject};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Files,
    Namespace,
    Identity,
    Config,
    Policy,
    Workload,
    Subsets,
    Routing,
}

/// A kind's tier and its place within the tier.
fn tier(kind: &str) -> (Tier, u8) {
    match kind {
        "Namespace" => (Tier::Namespace, 0),
        "ServiceAccount" => (Tier::Identity, 0),
        "Role" | "ClusterRole" => (Tier::Identity, 1),
        "RoleBinding" | "ClusterRoleBinding" => (Tier::Identity, 2),
        "ConfigMap" | "Secret" => (Tier::Config, 0),
        "ServiceEntry" => (Tier::Config, 1),
        "PeerAuthentication" | "RequestAuthentication" => (Tier::Policy, 0),
        // Linkerd: who a policy admits, then the policy, then the Server
        // that starts denying everything else once it selects a port.
        "MeshTLSAuthentication" | "NetworkAuthentication" => (Tier::Policy, 0),
        "AuthorizationPolicy" => (Tier::Policy, 1),
        "NetworkPolicy" => (Tier::Policy, 2),
        "Server" => (Tier::Policy, 3),
        "Service" => (Tier::Workload, 0),
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => (Tier::Workload, 1),
        "HorizontalPodAutoscaler" => (Tier::Workload, 2),
        "PodDisruptionBudget" => (Tier::Workload, 3),
        "DestinationRule" => (Tier::Subsets, 0),
        "Gateway" => (Tier::Routing, 0),
        "VirtualService" | "HTTPRoute" | "GRPCRoute" | "TCPRoute" => (Tier::Routing, 1),
        "Ingress" => (Tier::Routing, 2),
        _ => (Tier::Config, 9),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Up,
    Down,
}

fn phase(step: &Step) -> Phase {
    let only_removes =
        |f: fn(&FieldChange) -> bool| !step.changes.is_empty() && step.changes.iter().all(f);
    match (step.action, step.kind()) {
        (Action::Delete, _) => Phase::Down,
        (Action::Update, Some("DestinationRule"))
            if only_removes(|c| removed_subset(c).is_some()) =>
        {
            Phase::Down
        }
        (Action::Update, Some("AuthorizationPolicy"))
            if only_removes(|c| matches!(c.op, Op::Removed(_))) =>
        {
            Phase::Down
        }
        _ => Phase::Up,
    }
}

/// The subsets a change to a DestinationRule takes away.
fn removed_subset(c: &FieldChange) -> Option<Vec<String>> {
    let Op::Removed(old) = &c.op else {
        return None;
    };
    if c.path == "spec.subsets" {
        let names = old.as_array()?.iter().filter_map(|s| s["name"].as_str());
        return Some(names.map(str::to_string).collect());
    }
    let name = c
        .path
        .strip_prefix("spec.subsets[name=")?
        .strip_suffix(']')?;
    (!name.contains(']')).then(|| vec![name.to_string()])
}

/// Rule 4: a DestinationRule update that adds and removes subsets becomes
/// two steps; a removal-only update gets its reason.
fn split(mut step: Step) -> Vec<Step> {
    if step.action != Action::Update || step.kind() != Some("DestinationRule") {
        return vec![step];
    }
    let (removals, rest): (Vec<FieldChange>, Vec<FieldChange>) = step
        .changes
        .drain(..)
        .partition(|c| removed_subset(c).is_some());
    if removals.is_empty() {
        step.changes = rest;
        return vec![step];
    }
    let names: Vec<String> = removals
        .iter()
        .flat_map(|c| removed_subset(c).unwrap_or_default())
        .map(|n| format!("`{n}`"))
        .collect();
    let mut down = step.clone();
    down.changes = removals;
    down.reason = Some(format!(
        "remove subset {} once no route sends traffic to it",
        names.join(", ")
    ));
    if rest.is_empty() {
        return vec![down];
    }
    step.changes = rest;
    step.reason = Some(format!(
        "first half: apply the other changes but keep subset {} until routes stop using it",
        names.join(", ")
    ));
    vec![step, down]
}

pub fn order(steps: Vec<Step>, graph: &CallGraph) -> Vec<Step> {
    let ranks = graph.ranks();
    let mut keyed: Vec<(SortKey, Step)> = steps
        .into_iter()
        .flat_map(split)
        .map(|s| (sort_key(&s, &ranks), s))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, s)| s).collect()
}

/// (phase, tier, rank, service, kind place, kind, namespace, name or path);
/// the numbers are negated on the way down.
type SortKey = (Phase, i64, i64, String, i64, String, String, String);

fn sort_key(step: &Step, ranks: &HashMap<&str, usize>) -> SortKey {
    let phase = phase(step);
    let (t, place) = match &step.subject {
        Subject::File(_) => (Tier::Files, 0),
        Subject::Resource(k) => tier(&k.kind),
    };
    let rank = step
        .service
        .as_deref()
        .and_then(|s| ranks.get(s))
        .copied()
        .unwrap_or(0) as i64;
    let sign = if phase == Phase::Up { 1 } else { -1 };
    let (kind, namespace, name) = match &step.subject {
        Subject::File(p) => (String::new(), String::new(), p.clone()),
        Subject::Resource(k) => (
            k.kind.clone(),
            k.namespace.clone().unwrap_or_default(),
            k.name.clone(),
        ),
    };
    (
        phase,
        sign * t as i64,
        sign * rank,
        step.service.clone().unwrap_or_default(),
        sign * place as i64,
        kind,
        namespace,
        name,
    )
}

#[cfg(test)]
mod tests;
