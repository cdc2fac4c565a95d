//! Along call chains, not edge by edge: how retries multiply from an entry
//! point (M308) and whether a caller's timeouts leave room for what its
//! callee waits for further down (M309).
//!
//! Both are dynamic programs over the call graph in topological order, so
//! they cost O(services + calls) and never enumerate paths (a diamond of
//! 10,000 services has more paths than atoms). A graph with a cycle is
//! left alone: M103 already reports it and nothing here is well defined.

use crate::ast::{Description, Mesh, Millis, Service, format_ms};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

/// Node visits the per-entry-point count may cost before it falls back to
/// one pass for all entry points together.
const WORK_BUDGET: usize = 20_000_000;
/// M308's default threshold.
pub const MAX_ATTEMPTS: u64 = 10;
/// Istio retries twice when a route sets no retry policy (SEMANTICS.md).
const ISTIO_IMPLICIT_RETRIES: u32 = 2;

pub fn check(desc: &Description, out: &mut Vec<Diagnostic>) {
    let Some(g) = Graph::new(desc) else { return };
    let attempts = g.attempts();
    amplification(desc, &g, &attempts, out);
    timeouts(&g, out);
}

/// The call graph once, in topological order, with each call's span.
struct Graph<'a> {
    services: Vec<&'a Service>,
    graph: DiGraph<usize, Span>,
    order: Vec<NodeIndex>,
    /// Each node's place in `order`.
    position: Vec<usize>,
    /// Tries per call to each service: its retries plus one.
    tries: Vec<u64>,
    /// Whether `tries` comes from the mesh's default rather than the description.
    implicit: Vec<bool>,
}

impl<'a> Graph<'a> {
    fn new(desc: &'a Description) -> Option<Graph<'a>> {
        let services: Vec<&Service> = desc.services.values().collect();
        let mut graph = DiGraph::with_capacity(services.len(), 0);
        let nodes: Vec<NodeIndex> = (0..services.len()).map(|i| graph.add_node(i)).collect();
        for (i, svc) in services.iter().enumerate() {
            let mut seen = std::collections::HashSet::new();
            let calls = svc
                .calls
                .iter()
                .chain(svc.versions.values().flat_map(|v| v.calls.iter()))
                .map(|c| (&c.service.value, c.service.span))
                .chain(addresses(svc));
            for (callee, span) in calls {
                if let Some(j) = desc.services.get_index_of(callee.as_str())
                    && seen.insert(j)
                {
                    graph.add_edge(nodes[i], nodes[j], span);
                }
            }
        }
        let order = petgraph::algo::toposort(&graph, None).ok()?;
        let mut position = vec![0; order.len()];
        for (k, n) in order.iter().enumerate() {
            position[n.index()] = k;
        }
        let mesh = desc.mesh.as_ref().map_or(Mesh::Istio, |m| m.value);
        let mut tries = Vec::with_capacity(services.len());
        let mut implicit = Vec::with_capacity(services.len());
        for svc in &services {
            let set = svc.traffic.as_ref().and_then(|t| t.retries.as_ref());
            let http = svc.ports.values().any(|p| p.protocol.is_http());
            let (retries, default) = match set {
                Some(r) => (r.attempts.value, false),
                None if mesh == Mesh::Istio && http => (ISTIO_IMPLICIT_RETRIES, true),
                None => (0, false),
            };
            tries.push(u64::from(retries) + 1);
            implicit.push(default);
        }
        Some(Graph {
            services,
            graph,
            order,
            position,
            tries,
            implicit,
        })
    }

    fn name(&self, n: NodeIndex) -> &str {
        &self.services[self.graph[n]].name.value
    }

    /// An entry point: reached from outside (an ingress), or by nobody here.
    fn is_entry(&self, n: NodeIndex) -> bool {
        let svc = self.services[self.graph[n]];
        svc.ingress.is_some()
            || self
                .graph
                .neighbors_directed(n, petgraph::Direction::Incoming)
                .next()
                .is_none()
    }

    /// Attempts reaching each service per request entering at `entry`
    /// (sums over paths), with the caller contributing the most.
    fn reached_from(&self, entry: NodeIndex) -> Vec<(u64, Option<NodeIndex>)> {
        let mut at: Vec<(u64, Option<NodeIndex>)> = vec![(0, None); self.services.len()];
        let mut heaviest = vec![0u64; self.services.len()];
        at[entry.index()].0 = 1;
        let start = self.position[entry.index()];
        for &n in &self.order[start..] {
            let here = at[n.index()].0;
            if here == 0 {
                continue;
            }
            for c in self.graph.neighbors(n) {
                let add = here.saturating_mul(self.tries[c.index()]);
                let slot = &mut at[c.index()];
                slot.0 = slot.0.saturating_add(add);
                if here > heaviest[c.index()] {
                    heaviest[c.index()] = here;
                    slot.1 = Some(n);
                }
            }
        }
        at
    }

    /// For each service, the most attempts one request at any single entry
    /// point causes there, and that entry point. Entry points are counted
    /// apart (a request enters at one of them), which costs one pass per
    /// entry point over what it reaches; past a budget of work, the counts
    /// of all entry points are added up in one pass instead (an upper bound).
    fn attempts(&self) -> Vec<(u64, NodeIndex)> {
        let entries: Vec<NodeIndex> = self
            .order
            .iter()
            .copied()
            .filter(|&n| self.is_entry(n))
            .collect();
        let size = self.services.len() + self.graph.edge_count();
        let mut best: Vec<(u64, NodeIndex)> = self.order.iter().map(|&n| (0, n)).collect();
        best.sort_by_key(|b| b.1);
        if entries.len().saturating_mul(size) > WORK_BUDGET {
            let mut at = vec![0u64; self.services.len()];
            for &n in &self.order {
                if self.is_entry(n) {
                    at[n.index()] = at[n.index()].saturating_add(1);
                }
                for c in self.graph.neighbors(n) {
                    let add = at[n.index()].saturating_mul(self.tries[c.index()]);
                    at[c.index()] = at[c.index()].saturating_add(add);
                }
            }
            let first = entries.first().copied().unwrap_or(NodeIndex::new(0));
            return at.into_iter().map(|a| (a, first)).collect();
        }
        for &e in &entries {
            for (i, (count, _)) in self.reached_from(e).into_iter().enumerate() {
                if count > best[i].0 {
                    best[i] = (count, e);
                }
            }
        }
        best
    }

    /// `entry` → … → `n`, following the heaviest caller.
    fn path(&self, entry: NodeIndex, n: NodeIndex) -> Vec<NodeIndex> {
        let at = self.reached_from(entry);
        let mut path = vec![n];
        let mut cur = n;
        while let Some(prev) = at[cur.index()].1 {
            path.push(prev);
            cur = prev;
            if path.len() > self.services.len() {
                break;
            }
        }
        path.reverse();
        path
    }

    fn span_of_call(&self, from: NodeIndex, to: NodeIndex) -> Option<Span> {
        self.graph.find_edge(from, to).map(|e| self.graph[e])
    }
}

fn addresses(svc: &Service) -> impl Iterator<Item = (&String, Span)> {
    svc.env
        .values()
        .chain(svc.versions.values().flat_map(|v| v.env.values()))
        .filter_map(|v| match &v.value {
            crate::ast::EnvValue::Address { service, .. } => Some((&service.value, service.span)),
            _ => None,
        })
}

/// M308, once per chain: at the last service of each chain where the count
/// is over the limit (none of its callees is over it too), so a long chain
/// is one report, not one per hop.
fn amplification(
    desc: &Description,
    g: &Graph,
    at: &[(u64, NodeIndex)],
    out: &mut Vec<Diagnostic>,
) {
    let limit = desc
        .max_attempts
        .as_ref()
        .map_or(MAX_ATTEMPTS, |m| u64::from(m.value));
    let over = |n: NodeIndex| at[n.index()].0 > limit;
    for &n in &g.order {
        if !over(n) || g.graph.neighbors(n).any(over) {
            continue;
        }
        let path = g.path(at[n.index()].1, n);
        let names: Vec<&str> = path.iter().map(|&p| g.name(p)).collect();
        // The hop that multiplies most (nearest the sink on ties): the one
        // whose retries to cut first.
        let Some(&worst) = path.iter().skip(1).max_by_key(|&&p| g.tries[p.index()]) else {
            continue;
        };
        let factors: Vec<String> = path
            .iter()
            .skip(1)
            .map(|&p| {
                let implicit = if g.implicit[p.index()] {
                    " (Istio's implicit 2 retries)"
                } else {
                    ""
                };
                format!("`{}` ×{}{implicit}", g.name(p), g.tries[p.index()])
            })
            .collect();
        let last = path[path.len() - 1];
        let span = path
            .len()
            .checked_sub(2)
            .and_then(|i| g.span_of_call(path[i], last))
            .unwrap_or(g.services[g.graph[n]].name.span);
        let svc = g.services[g.graph[worst]];
        let fix = if g.implicit[worst.index()] {
            format!(
                "set `retries: {{ attempts: 0 }}` on `{}` (it retries implicitly)",
                svc.name.value
            )
        } else {
            format!("lower `retries.attempts` on `{}`", svc.name.value)
        };
        let mut d = Diagnostic::new(
            Code::RetryAmplification,
            span,
            format!(
                "{}: up to {} attempts reach `{}` per request (more than {limit})",
                names.join(" → "),
                at[n.index()].0,
                g.name(n)
            ),
        )
        .label("the last hop of the chain")
        .help(format!(
            "each hop multiplies: {}; {fix}, or retry at one layer only",
            factors.join(", ")
        ));
        if let Some(r) = svc.traffic.as_ref().and_then(|t| t.retries.as_ref()) {
            d = d.also(r.span, format!("`{}` retries here", svc.name.value));
        }
        out.push(d);
    }
}

/// How long a call to each service may take in the worst case: its own
/// bound (`timeout`, or `per_try_timeout × tries`), else, when it sets none,
/// its tries times the slowest bounded service it calls (with the service
/// that bound comes from). `None`: nothing bounds it.
fn worst_cases(g: &Graph) -> Vec<Option<(Millis, bool, usize)>> {
    let mut worst: Vec<Option<(Millis, bool, usize)>> = vec![None; g.services.len()];
    for &n in g.order.iter().rev() {
        let i = n.index();
        let svc = g.services[g.graph[n]];
        if let Some(own) = svc.traffic.as_ref().and_then(|t| own_bound(t, g.tries[i])) {
            worst[i] = Some((own, true, i));
            continue;
        }
        let slowest = g
            .graph
            .neighbors(n)
            .filter_map(|c| worst[c.index()].map(|(ms, _, from)| (ms, from)))
            .max_by_key(|&(ms, from)| (ms, std::cmp::Reverse(from)));
        worst[i] = slowest.map(|(ms, from)| (ms.saturating_mul(g.tries[i]), false, from));
    }
    worst
}

fn own_bound(t: &crate::ast::Traffic, tries: u64) -> Option<Millis> {
    let per_try = t
        .retries
        .as_ref()
        .and_then(|r| r.per_try_timeout.as_ref())
        .map(|p| p.value.saturating_mul(tries));
    match (t.timeout.as_ref().map(|t| t.value), per_try) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// M309: per edge, the caller's per-try timeout against the callee's worst
/// case, and the caller's timeout against a worst case that comes from
/// further down (M307 has the callee's own bound).
fn timeouts(g: &Graph, out: &mut Vec<Diagnostic>) {
    let worst = worst_cases(g);
    for e in g.graph.edge_references() {
        let (from, to) = (e.source(), e.target());
        let caller = g.services[g.graph[from]];
        let Some(t) = caller.traffic.as_ref() else {
            continue;
        };
        let Some((ms, own, source)) = worst[to.index()] else {
            continue;
        };
        let callee = g.name(to);
        let via = if own {
            String::new()
        } else {
            format!(
                " (`{callee}` sets no bound of its own: it waits for `{}`, and calls to it are tried {} times)",
                g.services[source].name.value,
                g.tries[to.index()]
            )
        };
        let per_try = t.retries.as_ref().and_then(|r| r.per_try_timeout.as_ref());
        // The caller's policy bounds calls *to* it (as M307 reads it):
        // its callers cut each try, or the whole call, short while it
        // still waits for `callee`.
        let (limit, what, cut) = match (per_try, t.timeout.as_ref()) {
            (Some(p), _) if p.value < ms => (p, "per-try timeout", "each try to"),
            (_, Some(total)) if !own && total.value < ms => (total, "timeout", "a call to"),
            _ => continue,
        };
        out.push(
            Diagnostic::new(
                Code::ChainTimeout,
                e.weight().to_owned(),
                format!(
                    "{cut} `{}` is cut off after {} (its {what}), but its call to `{callee}` can take up to {}{via}",
                    caller.name.value,
                    format_ms(limit.value),
                    format_ms(ms)
                ),
            )
            .label("this call")
            .also(limit.span, format!("`{}`'s {what}", caller.name.value))
            .help(format!(
                "raise `{}`'s {what} above {}, or bound `{callee}` with a shorter timeout",
                caller.name.value,
                format_ms(ms)
            )),
        );
    }
}
