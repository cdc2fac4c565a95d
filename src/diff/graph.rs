//! Who calls whom, by service name: from the model when it is at hand, else
//! inferred from a bundle's AuthorizationPolicies.

use crate::emit::Artifact;
use crate::model::App;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Service → the services it calls. Every known service is a key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallGraph {
    calls: BTreeMap<String, BTreeSet<String>>,
}

impl CallGraph {
    /// The call graph of a compiled model (`app.services[i].calls`).
    pub fn of(app: &App) -> CallGraph {
        let mut g = CallGraph::default();
        for svc in &app.services {
            let callees = svc
                .calls
                .iter()
                .filter_map(|&id| app.services.get(id))
                .map(|s| s.name.clone())
                .collect();
            g.calls.insert(svc.name.clone(), callees);
        }
        g
    }

    /// Builds a graph from explicit edges; `services` may list callers
    /// and callees that have no edge.
    pub fn from_edges<'a>(
        services: impl IntoIterator<Item = &'a str>,
        edges: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> CallGraph {
        let mut g = CallGraph::default();
        for s in services {
            g.calls.entry(s.to_string()).or_default();
        }
        for (from, to) in edges {
            g.calls.entry(to.to_string()).or_default();
            g.calls
                .entry(from.to_string())
                .or_default()
                .insert(to.to_string());
        }
        g
    }

    /// Each build's graph, inferred from its bundle: its services (the
    /// service label of its Deployments and Services) and, from each
    /// AuthorizationPolicy selecting `app: X`, an edge `Y → X` for every
    /// principal `…/sa/Y` naming one of those services. Callers outside the
    /// bundle (the ingress gateway) are left out; a bundle without
    /// AuthorizationPolicies (no Istio target) gives no edges. A policy both
    /// builds hold (the same document, by digest) is read once.
    pub fn infer_pair(old: &[Artifact], new: &[Artifact]) -> (CallGraph, CallGraph) {
        let mut read = HashMap::new();
        let old = Self::infer_reading(old, &mut read);
        (old, Self::infer_reading(new, &mut read))
    }

    /// `read`: digest → the policy's callee and the service accounts it admits.
    fn infer_reading<'a>(
        artifacts: &'a [Artifact],
        read: &mut HashMap<&'a str, Option<(String, Vec<String>)>>,
    ) -> CallGraph {
        let resources = || artifacts.iter().flat_map(|a| &a.resources);
        let services: HashSet<&str> = resources()
            .filter(|r| matches!(r.kind.as_str(), "Deployment" | "Service"))
            .filter_map(|r| r.service.as_deref())
            .collect();
        let policy = |a: &Artifact, r| {
            let tree = a.tree(r);
            let spec = &tree["spec"];
            let callee = spec["selector"]["matchLabels"]["app"].as_str()?.to_string();
            let accounts = principals(spec)
                .filter_map(|p| p.rsplit_once("/sa/").map(|(_, sa)| sa.to_string()))
                .collect();
            Some((callee, accounts))
        };
        let mut edges: Vec<(String, String)> = Vec::new();
        for a in artifacts {
            for r in a
                .resources
                .iter()
                .filter(|r| r.kind == "AuthorizationPolicy")
            {
                let parsed;
                let found = if r.sha256.is_empty() {
                    parsed = policy(a, r);
                    &parsed
                } else {
                    read.entry(r.sha256.as_str())
                        .or_insert_with(|| policy(a, r))
                };
                let Some((callee, accounts)) = found else {
                    continue;
                };
                for sa in accounts.iter().filter(|sa| services.contains(sa.as_str())) {
                    edges.push((sa.clone(), callee.clone()));
                }
            }
        }
        CallGraph::from_edges(
            services.iter().copied(),
            edges.iter().map(|(a, b)| (a.as_str(), b.as_str())),
        )
    }

    /// Every edge of both graphs.
    pub fn union(&self, other: &CallGraph) -> CallGraph {
        let mut g = self.clone();
        for (from, to) in &other.calls {
            g.calls
                .entry(from.clone())
                .or_default()
                .extend(to.iter().cloned());
        }
        g
    }

    /// Every call edge, (caller, callee).
    pub fn edges(&self) -> BTreeSet<(&str, &str)> {
        self.calls
            .iter()
            .flat_map(|(from, to)| to.iter().map(move |t| (from.as_str(), t.as_str())))
            .collect()
    }

    pub fn contains(&self, service: &str) -> bool {
        self.calls.contains_key(service)
    }

    /// The services that call `service`.
    pub fn callers(&self) -> HashMap<&str, BTreeSet<&str>> {
        let mut callers: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for (from, callees) in &self.calls {
            callers.entry(from).or_default();
            for to in callees {
                callers.entry(to).or_default().insert(from);
            }
        }
        callers
    }

    /// Each service's height: 0 for a service that calls nothing known,
    /// else one more than its highest callee. Callees always rank below
    /// their callers. An edge closing a cycle (the checker rejects them, but
    /// the union of two revisions can hold one) is ignored. Iterative, so a
    /// call chain of any length is fine.
    pub fn ranks(&self) -> HashMap<&str, usize> {
        let mut rank: HashMap<&str, usize> = HashMap::with_capacity(self.calls.len());
        let mut on_path: HashSet<&str> = HashSet::new();
        for root in self.calls.keys() {
            if rank.contains_key(root.as_str()) {
                continue;
            }
            // (service, whether its callees have been pushed)
            let mut stack: Vec<(&str, bool)> = vec![(root, false)];
            while let Some((s, expanded)) = stack.pop() {
                if expanded {
                    on_path.remove(s);
                    let r = self.calls[s]
                        .iter()
                        .filter_map(|c| rank.get(c.as_str()))
                        .map(|r| r + 1)
                        .max()
                        .unwrap_or(0);
                    rank.insert(s, r);
                    continue;
                }
                if rank.contains_key(s) || !on_path.insert(s) {
                    continue;
                }
                stack.push((s, true));
                for c in &self.calls[s] {
                    if !rank.contains_key(c.as_str()) && !on_path.contains(c.as_str()) {
                        stack.push((c, false));
                    }
                }
            }
        }
        rank
    }
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn principals(spec: &Value) -> impl Iterator<Item = &str> {
    list(&spec["rules"])
        .iter()
        .flat_map(move |rule| list(&rule["from"]))
        .flat_map(move |from| list(&from["source"]["principals"]))
        .filter_map(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callees_rank_below_callers() {
        let g = CallGraph::from_edges(
            ["web"],
            [
                ("web", "api"),
                ("api", "db"),
                ("web", "db"),
                ("api", "cache"),
            ],
        );
        let r = g.ranks();
        assert_eq!((r["db"], r["cache"], r["api"], r["web"]), (0, 0, 1, 2));
    }

    #[test]
    fn a_cycle_does_not_hang_or_panic() {
        let g = CallGraph::from_edges([], [("a", "b"), ("b", "a"), ("b", "c")]);
        let r = g.ranks();
        assert_eq!(r.len(), 3);
        assert!(r["c"] < r["b"]);
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let names: Vec<String> = (0..100_000).map(|i| format!("s{i}")).collect();
        let edges = names.windows(2).map(|w| (w[0].as_str(), w[1].as_str()));
        let g = CallGraph::from_edges([], edges);
        assert_eq!(g.ranks()["s0"], 99_999);
    }
}
