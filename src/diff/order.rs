//! The order of the plan. Every ordering rule lives here, each with a test
//! below that fails if the order is wrong.
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
mod tests {
    use super::*;
    use crate::diff::{FieldChange, Key, Op};
    use serde_json::json;

    fn res(action: Action, kind: &str, name: &str, service: &str) -> Step {
        let api_version = match kind {
            "Deployment" => "apps/v1",
            "VirtualService" | "DestinationRule" => "networking.istio.io/v1",
            "AuthorizationPolicy" => "security.istio.io/v1",
            _ => "v1",
        };
        Step {
            action,
            subject: Subject::Resource(Key {
                api_version: api_version.into(),
                kind: kind.into(),
                namespace: Some("ns".into()),
                name: name.into(),
            }),
            service: (!service.is_empty()).then(|| service.to_string()),
            changes: vec![FieldChange {
                path: "spec.x".into(),
                op: Op::Changed {
                    old: json!(1),
                    new: json!(2),
                },
            }],
            text: None,
            reason: None,
        }
    }

    fn subsets(step: Step, added: &[&str], removed: &[&str]) -> Step {
        let change = |n: &&str, removed: bool| FieldChange {
            path: format!("spec.subsets[name={n}]"),
            op: if removed {
                Op::Removed(json!({ "name": n }))
            } else {
                Op::Added(json!({ "name": n }))
            },
        };
        Step {
            changes: added
                .iter()
                .map(|n| change(n, false))
                .chain(removed.iter().map(|n| change(n, true)))
                .collect(),
            ..step
        }
    }

    fn names(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|s| match &s.subject {
                Subject::Resource(k) => format!("{} {} {}", s.action.as_str(), k.kind, k.name),
                Subject::File(p) => format!("{} {p}", s.action.as_str()),
            })
            .collect()
    }

    /// Orders `steps` given in the reverse of the expected order, and in
    /// the expected order, and checks both come out as expected.
    fn assert_order(steps: Vec<Step>, graph: &CallGraph, expected: &[&str]) {
        for input in [steps.iter().rev().cloned().collect(), steps] {
            assert_eq!(names(&order(input, graph)), expected);
        }
    }

    fn no_graph() -> CallGraph {
        CallGraph::default()
    }

    #[test]
    fn rule_1_up_before_down() {
        assert_order(
            vec![
                res(Action::Create, "Deployment", "new", "new"),
                res(Action::Delete, "ConfigMap", "old", "old"),
            ],
            &no_graph(),
            &["create Deployment new", "delete ConfigMap old"],
        );
    }

    #[test]
    fn rule_2_namespace_identity_config_before_workloads() {
        assert_order(
            vec![
                res(Action::Create, "Namespace", "ns", ""),
                res(Action::Create, "ServiceAccount", "a", "a"),
                res(Action::Update, "ConfigMap", "a-config", "a"),
                res(Action::Create, "AuthorizationPolicy", "a", "a"),
                res(Action::Create, "Service", "a", "a"),
                res(Action::Create, "Deployment", "a", "a"),
            ],
            &no_graph(),
            &[
                "create Namespace ns",
                "create ServiceAccount a",
                "update ConfigMap a-config",
                "create AuthorizationPolicy a",
                "create Service a",
                "create Deployment a",
            ],
        );
    }

    #[test]
    fn rule_2_a_linkerd_server_comes_after_the_policy_that_admits_its_callers() {
        assert_order(
            vec![
                res(
                    Action::Create,
                    "MeshTLSAuthentication",
                    "ratings-http",
                    "ratings",
                ),
                res(
                    Action::Create,
                    "AuthorizationPolicy",
                    "ratings-http",
                    "ratings",
                ),
                res(Action::Create, "Server", "ratings-http", "ratings"),
                res(Action::Create, "Service", "ratings", "ratings"),
            ],
            &no_graph(),
            &[
                "create MeshTLSAuthentication ratings-http",
                "create AuthorizationPolicy ratings-http",
                "create Server ratings-http",
                "create Service ratings",
            ],
        );
    }

    #[test]
    fn rule_2_removal_runs_the_tiers_backwards() {
        assert_order(
            vec![
                res(Action::Delete, "VirtualService", "a", "a"),
                res(Action::Delete, "DestinationRule", "a", "a"),
                res(Action::Delete, "Deployment", "a", "a"),
                res(Action::Delete, "Service", "a", "a"),
                res(Action::Delete, "AuthorizationPolicy", "a", "a"),
                res(Action::Delete, "ConfigMap", "a-config", "a"),
                res(Action::Delete, "ServiceAccount", "a", "a"),
                res(Action::Delete, "Namespace", "ns", ""),
            ],
            &no_graph(),
            &[
                "delete VirtualService a",
                "delete DestinationRule a",
                "delete Deployment a",
                "delete Service a",
                "delete AuthorizationPolicy a",
                "delete ConfigMap a-config",
                "delete ServiceAccount a",
                "delete Namespace ns",
            ],
        );
    }

    #[test]
    fn rule_2_images_are_built_first_and_dropped_last() {
        let file = |action, path: &str| Step {
            subject: Subject::File(path.into()),
            service: None,
            ..res(action, "", "", "")
        };
        assert_order(
            vec![
                file(Action::Update, "docker/web/Dockerfile"),
                res(Action::Update, "Deployment", "web", "web"),
                res(Action::Delete, "Deployment", "old", "old"),
                file(Action::Delete, "docker/old/Dockerfile"),
            ],
            &no_graph(),
            &[
                "update docker/web/Dockerfile",
                "update Deployment web",
                "delete Deployment old",
                "delete docker/old/Dockerfile",
            ],
        );
    }

    #[test]
    fn rule_3_a_new_version_is_made_before_traffic_goes_to_it() {
        let dr = subsets(
            res(Action::Update, "DestinationRule", "reviews", "reviews"),
            &["v4"],
            &[],
        );
        assert_order(
            vec![
                res(Action::Create, "Deployment", "reviews-v4", "reviews"),
                dr,
                res(Action::Update, "VirtualService", "reviews", "reviews"),
            ],
            &no_graph(),
            &[
                "create Deployment reviews-v4",
                "update DestinationRule reviews",
                "update VirtualService reviews",
            ],
        );
    }

    #[test]
    fn rule_3_a_retired_version_loses_traffic_before_it_goes() {
        let dr = subsets(
            res(Action::Update, "DestinationRule", "reviews", "reviews"),
            &[],
            &["v1"],
        );
        assert_order(
            vec![
                res(Action::Update, "VirtualService", "reviews", "reviews"),
                dr,
                res(Action::Delete, "Deployment", "reviews-v1", "reviews"),
            ],
            &no_graph(),
            &[
                "update VirtualService reviews",
                "update DestinationRule reviews",
                "delete Deployment reviews-v1",
            ],
        );
    }

    #[test]
    fn rule_4_a_subset_swap_is_split_around_the_route_change() {
        let dr = subsets(
            res(Action::Update, "DestinationRule", "reviews", "reviews"),
            &["v4"],
            &["v1"],
        );
        let steps = vec![
            res(Action::Update, "VirtualService", "reviews", "reviews"),
            dr,
            res(Action::Create, "Deployment", "reviews-v4", "reviews"),
            res(Action::Delete, "Deployment", "reviews-v1", "reviews"),
        ];
        let out = order(steps, &no_graph());
        assert_eq!(
            names(&out),
            [
                "create Deployment reviews-v4",
                "update DestinationRule reviews",
                "update VirtualService reviews",
                "update DestinationRule reviews",
                "delete Deployment reviews-v1",
            ]
        );
        assert_eq!(out[1].changes[0].path, "spec.subsets[name=v4]");
        assert_eq!(out[3].changes[0].path, "spec.subsets[name=v1]");
        assert!(out[3].reason.as_deref().unwrap().contains("`v1`"));
    }

    #[test]
    fn rule_5_callees_first_on_the_way_up() {
        let g = CallGraph::from_edges([], [("web", "api"), ("api", "db"), ("web", "db")]);
        assert_order(
            vec![
                res(Action::Update, "Deployment", "db", "db"),
                res(Action::Create, "Deployment", "api", "api"),
                res(Action::Update, "Deployment", "web", "web"),
            ],
            &g,
            &[
                "update Deployment db",
                "create Deployment api",
                "update Deployment web",
            ],
        );
    }

    #[test]
    fn rule_5_callers_first_on_the_way_down() {
        let g = CallGraph::from_edges([], [("web", "api"), ("api", "db")]);
        assert_order(
            vec![
                res(Action::Delete, "Deployment", "web", "web"),
                res(Action::Delete, "Deployment", "api", "api"),
                res(Action::Delete, "Deployment", "db", "db"),
            ],
            &g,
            &[
                "delete Deployment web",
                "delete Deployment api",
                "delete Deployment db",
            ],
        );
    }

    #[test]
    fn rule_1_narrowing_a_policy_waits_for_the_callers() {
        let mut ap = res(Action::Update, "AuthorizationPolicy", "db", "db");
        ap.changes = vec![FieldChange {
            path: "spec.rules[0].from[0].source.principals[1]".into(),
            op: Op::Removed(json!("cluster.local/ns/ns/sa/web")),
        }];
        assert_order(
            vec![res(Action::Update, "Deployment", "web", "web"), ap],
            &CallGraph::from_edges([], [("web", "db")]),
            &["update Deployment web", "update AuthorizationPolicy db"],
        );
    }

    #[test]
    fn rule_6_service_before_deployment_up_and_after_it_down() {
        assert_order(
            vec![
                res(Action::Create, "Service", "a", "a"),
                res(Action::Create, "Deployment", "a", "a"),
                res(Action::Create, "HorizontalPodAutoscaler", "a", "a"),
                res(Action::Delete, "HorizontalPodAutoscaler", "b", "b"),
                res(Action::Delete, "Deployment", "b", "b"),
                res(Action::Delete, "Service", "b", "b"),
            ],
            &no_graph(),
            &[
                "create Service a",
                "create Deployment a",
                "create HorizontalPodAutoscaler a",
                "delete HorizontalPodAutoscaler b",
                "delete Deployment b",
                "delete Service b",
            ],
        );
    }

    #[test]
    fn a_replace_keeps_an_updates_place() {
        assert_order(
            vec![
                res(Action::Create, "ConfigMap", "a", "a"),
                res(Action::Replace, "Deployment", "a", "a"),
                res(Action::Update, "VirtualService", "a", "a"),
            ],
            &no_graph(),
            &[
                "create ConfigMap a",
                "replace Deployment a",
                "update VirtualService a",
            ],
        );
    }
}
