//! The service graph: model → nodes and edges, for `meshc graph`.
//!
//! In: a lowered [`App`]. Out: a [`Graph`] that borrows it, with every edge
//! the description implies (ingress, calls, traffic splits, header routes,
//! mirrors) in model order, the call edges that lie on a cycle marked, and
//! the services nothing reaches. Renderers ([`dot`], [`mermaid`], [`json`])
//! turn it into text and add nothing of their own. Linear in services plus
//! edges.

pub mod dot;
pub mod json;
pub mod load;
pub mod mermaid;

use crate::model::{App, Match, Service, ServiceId, StringMatch};
use petgraph::graph::{DiGraph, NodeIndex};

/// A drawable picture of one application.
pub struct Graph<'a> {
    pub app: &'a App,
    /// Ingress hosts, in order of first appearance.
    pub hosts: Vec<Host<'a>>,
    pub edges: Vec<Edge>,
    /// Per service: nobody else calls it and it has no ingress.
    pub unreached: Vec<bool>,
}

/// An ingress host: the entry point from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Host<'a> {
    pub name: &'a str,
    /// Some service on this host terminates TLS.
    pub tls: bool,
}

/// One end of an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// Index into [`Graph::hosts`].
    Host(usize),
    Service(ServiceId),
    /// A service and the index of the version's workload.
    Version(ServiceId, usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Ingress,
    Call,
    Split,
    Route,
    Mirror,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ingress => "ingress",
            Kind::Call => "call",
            Kind::Split => "split",
            Kind::Route => "route",
            Kind::Mirror => "mirror",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: Node,
    pub to: Node,
    pub kind: Kind,
    /// What the edge carries: ports called, `80%`, `header end-user=jason`,
    /// ingress paths; empty when there is nothing to say.
    pub label: String,
    /// The percentage of a split or a mirror.
    pub weight: Option<u32>,
    /// A call that lies on a call cycle.
    pub cycle: bool,
}

/// The text formats a graph is rendered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphviz (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart, for Markdown on GitHub.
    Mermaid,
    /// Services, edges and unreached services, for scripts.
    Json,
}

pub fn render(g: &Graph, format: Format) -> String {
    match format {
        Format::Dot => dot::render(g),
        Format::Mermaid => mermaid::render(g),
        Format::Json => json::render(g),
    }
}

/// The graph of `app`.
pub fn graph(app: &App) -> Graph<'_> {
    let on_cycle = cyclic_components(app);
    let mut hosts: Vec<Host> = Vec::new();
    let mut host_ids = std::collections::HashMap::new();
    let mut edges = Vec::new();
    for (i, svc) in app.services.iter().enumerate() {
        if let Some(ing) = &svc.ingress {
            let h = *host_ids.entry(ing.host.as_str()).or_insert_with(|| {
                hosts.push(Host {
                    name: &ing.host,
                    tls: false,
                });
                hosts.len() - 1
            });
            hosts[h].tls |= ing.tls_secret.is_some();
            let everything = ing.paths.len() == 1 && ing.paths[0] == "/";
            edges.push(edge(
                Node::Host(h),
                Node::Service(i),
                Kind::Ingress,
                if everything {
                    String::new()
                } else {
                    ing.paths.join(" ")
                },
            ));
        }
        traffic_edges(i, svc, &mut edges);
        for &j in &svc.calls {
            let ports: Vec<String> = app
                .called_ports(svc, j)
                .iter()
                .map(|p| format!("{}/{}", p.service_port, p.name))
                .collect();
            let mut e = edge(
                Node::Service(i),
                Node::Service(j),
                Kind::Call,
                ports.join(", "),
            );
            e.cycle = on_cycle[i].is_some() && on_cycle[i] == on_cycle[j];
            edges.push(e);
        }
    }
    let unreached = app
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| s.ingress.is_none() && s.callers.iter().all(|&c| c == i))
        .collect();
    Graph {
        app,
        hosts,
        edges,
        unreached,
    }
}

fn edge(from: Node, to: Node, kind: Kind, label: String) -> Edge {
    Edge {
        from,
        to,
        kind,
        label,
        weight: None,
        cycle: false,
    }
}

/// Routes, then the split (every version when there is none), then the
/// mirror. A version the description does not define is not drawn.
fn traffic_edges(i: ServiceId, svc: &Service, edges: &mut Vec<Edge>) {
    let version = |name: &str| {
        svc.workloads
            .iter()
            .position(|w| w.version.as_deref() == Some(name))
            .map(|v| Node::Version(i, v))
    };
    let traffic = svc.traffic.as_ref();
    for route in traffic.map_or(&[][..], |t| &t.routes) {
        if let Some(to) = version(&route.to) {
            edges.push(edge(
                Node::Service(i),
                to,
                Kind::Route,
                match_label(&route.matches),
            ));
        }
    }
    match traffic.map(|t| &t.split).filter(|s| !s.is_empty()) {
        Some(split) => {
            for (name, percent) in split {
                if let Some(to) = version(name) {
                    let mut e = edge(Node::Service(i), to, Kind::Split, format!("{percent}%"));
                    e.weight = Some(*percent);
                    edges.push(e);
                }
            }
        }
        None if svc.versioned => {
            for v in 0..svc.workloads.len() {
                edges.push(edge(
                    Node::Service(i),
                    Node::Version(i, v),
                    Kind::Split,
                    String::new(),
                ));
            }
        }
        None => {}
    }
    if let Some(m) = traffic.and_then(|t| t.mirror.as_ref())
        && let Some(to) = version(&m.to)
    {
        let mut e = edge(
            Node::Service(i),
            to,
            Kind::Mirror,
            format!("mirror {}%", m.percent),
        );
        e.weight = Some(m.percent);
        edges.push(e);
    }
}

/// `header end-user=jason`, `uri=/api*` (a prefix), `header x~re` (a regex).
fn match_label(m: &Match) -> String {
    let value = |s: &StringMatch| match s {
        StringMatch::Exact(v) => format!("={v}"),
        StringMatch::Prefix(v) => format!("={v}*"),
        StringMatch::Regex(v) => format!("~{v}"),
    };
    let mut parts: Vec<String> = m
        .headers
        .iter()
        .map(|(k, v)| format!("header {k}{}", value(v)))
        .collect();
    if let Some(u) = &m.uri {
        parts.push(format!("uri{}", value(u)));
    }
    if let Some(method) = &m.method {
        parts.push(format!("method={method}"));
    }
    if parts.is_empty() {
        "any request".into()
    } else {
        parts.join(", ")
    }
}

/// Per service, the strongly connected component it belongs to when that
/// component holds a cycle (two services or more, or a service calling itself).
fn cyclic_components(app: &App) -> Vec<Option<usize>> {
    let n = app.services.len();
    let edges: usize = app.services.iter().map(|s| s.calls.len()).sum();
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, edges);
    let nodes: Vec<NodeIndex> = (0..n).map(|_| g.add_node(())).collect();
    for (i, svc) in app.services.iter().enumerate() {
        for &j in &svc.calls {
            g.add_edge(nodes[i], nodes[j], ());
        }
    }
    let mut component = vec![None; n];
    for (k, scc) in petgraph::algo::tarjan_scc(&g).into_iter().enumerate() {
        let cyclic = scc.len() > 1 || g.find_edge(scc[0], scc[0]).is_some();
        if cyclic {
            for n in scc {
                component[n.index()] = Some(k);
            }
        }
    }
    component
}

impl Graph<'_> {
    /// The services on a call cycle, in model order, computed once.
    pub fn cycle_members(&self) -> Vec<bool> {
        let mut on = vec![false; self.app.services.len()];
        for e in self.edges.iter().filter(|e| e.cycle) {
            for n in [e.from, e.to] {
                if let Node::Service(s) = n {
                    on[s] = true;
                }
            }
        }
        on
    }

    /// `version` of a version node's workload.
    pub fn version_name(&self, svc: ServiceId, v: usize) -> &str {
        self.app.services[svc].workloads[v]
            .version
            .as_deref()
            .unwrap_or("")
    }
}

/// `s` appended to `out` with every character `with` names replaced by
/// its text; most names need none, so the runs between are copied whole.
fn escape_into(out: &mut String, s: &str, with: fn(char) -> Option<&'static str>) {
    let mut run = 0;
    for (i, c) in s.char_indices() {
        if let Some(w) = with(c) {
            out.push_str(&s[run..i]);
            out.push_str(w);
            run = i + c.len_utf8();
        }
    }
    out.push_str(&s[run..]);
}
