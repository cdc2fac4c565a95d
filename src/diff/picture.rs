//! The shape of a change, for the pull request: call edges added and
//! removed, and traffic splits whose shares move. `diff --format markdown`
//! draws it as a Mermaid flowchart, so a reviewer sees a canary shift at a
//! glance instead of reading weights out of YAML.

use super::{Action, CallGraph, Index, Step, Subject};
use crate::graph::mermaid::escape;
use serde_json::Value;
use std::collections::BTreeMap;

/// One edge that differs between the two builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeChange {
    pub from: String,
    /// A service, or `service/version` for a split.
    pub to: String,
    pub kind: EdgeKind,
    /// The share before and after (`50%`), `None` where there was none.
    pub before: Option<u32>,
    pub after: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// A call; `before`/`after` are 1 where the edge exists.
    Call,
    /// A share of the service's default route going to a version.
    Split,
}

/// Call edges from the two call graphs; split shares from the routing
/// objects the plan touches (a VirtualService's or a GAMMA route's last
/// rule, the one that takes what no header route matched).
pub(crate) fn changes(
    old: &CallGraph,
    new: &CallGraph,
    before: &Index,
    after: &Index,
    steps: &[Step],
) -> Vec<EdgeChange> {
    let mut out = Vec::new();
    let (a, b) = (old.edges(), new.edges());
    for (from, to) in b.difference(&a) {
        out.push(call(from, to, None, Some(1)));
    }
    for (from, to) in a.difference(&b) {
        out.push(call(from, to, Some(1), None));
    }
    for step in steps {
        let Subject::Resource(key) = &step.subject else {
            continue;
        };
        if !matches!(
            key.kind.as_str(),
            "VirtualService" | "HTTPRoute" | "GRPCRoute"
        ) {
            continue;
        }
        let share = |index: &Index| {
            index
                .resources
                .get(key)
                .and_then(|e| shares(e.tree()))
                .unwrap_or_default()
        };
        let (was, is) = match step.action {
            Action::Create => (BTreeMap::new(), share(after)),
            Action::Delete => (share(before), BTreeMap::new()),
            Action::Update | Action::Replace => (share(before), share(after)),
        };
        let Some(service) = step.service.clone() else {
            continue;
        };
        let versions: std::collections::BTreeSet<&String> = was.keys().chain(is.keys()).collect();
        for v in versions {
            let (x, y) = (was.get(v).copied(), is.get(v).copied());
            if x != y {
                out.push(EdgeChange {
                    from: service.clone(),
                    to: format!("{service}/{v}"),
                    kind: EdgeKind::Split,
                    before: x,
                    after: y,
                });
            }
        }
    }
    out
}

fn call(from: &str, to: &str, before: Option<u32>, after: Option<u32>) -> EdgeChange {
    EdgeChange {
        from: from.to_string(),
        to: to.to_string(),
        kind: EdgeKind::Call,
        before,
        after,
    }
}

/// Version → percent of a service route's default rule; `None` for an
/// edge (ingress) route or one that splits nothing.
fn shares(tree: &Value) -> Option<BTreeMap<String, u32>> {
    let spec = &tree["spec"];
    // (version, weight) of the default rule's destinations.
    let targets: Vec<(String, u64)> = if tree["kind"] == "VirtualService" {
        if spec.get("gateways").is_some() {
            return None;
        }
        let routes = spec["http"].as_array()?.last()?["route"].as_array()?;
        let single = routes.len() == 1;
        routes
            .iter()
            .filter_map(|r| {
                let subset = r["destination"]["subset"].as_str()?;
                let w = r["weight"].as_u64().unwrap_or(if single { 100 } else { 0 });
                Some((subset.to_string(), w))
            })
            .collect()
    } else {
        let parents = spec["parentRefs"].as_array()?;
        if parents.iter().any(|p| p["kind"] == "Gateway") {
            return None;
        }
        // Backends are the versions' Services, `<service>-<version>`.
        let prefix = format!("{}-", parents.first()?["name"].as_str()?);
        spec["rules"].as_array()?.last()?["backendRefs"]
            .as_array()?
            .iter()
            .filter_map(|b| {
                let name = b["name"].as_str()?;
                let version = name.strip_prefix(&prefix).unwrap_or(name);
                // The Gateway API's default weight is 1.
                Some((version.to_string(), b["weight"].as_u64().unwrap_or(1)))
            })
            .collect()
    };
    let total: u64 = targets.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    // Weights are relative (SEMANTICS.md): shown as percentages.
    Some(
        targets
            .into_iter()
            .map(|(v, w)| (v, u32::try_from(w * 100 / total).unwrap_or(100)))
            .collect(),
    )
}

/// The change as a Mermaid flowchart: new edges solid and labelled
/// `new`, removed ones dotted, moved shares as `50% → 80%`.
pub fn mermaid(changes: &[EdgeChange]) -> String {
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for c in changes {
        for n in [c.from.as_str(), c.to.as_str()] {
            let next = format!("n{}", ids.len());
            ids.entry(n).or_insert(next);
        }
    }
    let mut out = String::from("flowchart LR\n");
    for (name, id) in &ids {
        out.push_str(&format!("  {id}[\"{}\"]\n", escape(name)));
    }
    for c in changes {
        let (from, to) = (&ids[c.from.as_str()], &ids[c.to.as_str()]);
        let pct = |p: Option<u32>| p.map_or("0%".to_string(), |p| format!("{p}%"));
        let line = match (c.kind, c.before, c.after) {
            (EdgeKind::Call, None, _) => format!("  {from} -->|\"new call\"| {to}\n"),
            (EdgeKind::Call, _, None) => format!("  {from} -.->|\"call removed\"| {to}\n"),
            (EdgeKind::Call, _, _) => continue,
            (EdgeKind::Split, _, None) => {
                format!("  {from} -.->|\"{} → gone\"| {to}\n", pct(c.before))
            }
            (EdgeKind::Split, b, a) => format!("  {from} -->|\"{} → {}\"| {to}\n", pct(b), pct(a)),
        };
        out.push_str(&line);
    }
    out
}
