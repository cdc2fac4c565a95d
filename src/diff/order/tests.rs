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
