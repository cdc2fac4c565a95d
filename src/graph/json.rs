//! [`Graph`] → JSON, a stable shape for scripts:
//!
//! ```json
//! {
//!   "app": "bookinfo",
//!   "services": [
//!     { "name": "reviews", "versions": ["v1", "v2"],
//!       "ports": [{ "name": "http", "port": 9080, "target_port": 9080, "protocol": "http" }],
//!       "ingress": { "host": "bookinfo.example.com", "paths": ["/"], "tls": true } }
//!   ],
//!   "edges": [
//!     { "from": "reviews", "to": "reviews/v1", "kind": "split", "label": "50%", "weight": 50, "cycle": false }
//!   ],
//!   "unreached": ["worker"]
//! }
//! ```
//!
//! `ingress` is absent when the service has none; `versions` is empty for
//! an unversioned service. An edge end is a service's name, a version as
//! `service/version`, or (the `from` of `kind: ingress`) the ingress host.
//! `kind` is one of `ingress`, `call`, `split`, `route`, `mirror`; `weight`
//! (the percentage of a split or mirror) is absent otherwise; `cycle` is
//! true for a call on a call cycle. Services, then edges, are in the
//! description's order.

use super::{Graph, Node};
use serde::Serialize;
use std::borrow::Cow;

#[derive(Serialize)]
struct Doc<'a> {
    app: &'a str,
    services: Vec<Service<'a>>,
    edges: Vec<Edge<'a>>,
    unreached: Vec<&'a str>,
}

#[derive(Serialize)]
struct Service<'a> {
    name: &'a str,
    versions: Vec<&'a str>,
    ports: Vec<Port<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ingress: Option<Ingress<'a>>,
}

#[derive(Serialize)]
struct Port<'a> {
    name: &'a str,
    /// The port callers address.
    port: u16,
    /// The container's port.
    target_port: u16,
    protocol: &'a str,
}

#[derive(Serialize)]
struct Ingress<'a> {
    host: &'a str,
    paths: &'a [String],
    tls: bool,
}

#[derive(Serialize)]
struct Edge<'a> {
    /// Borrowed but for a version, whose `service/version` is made here.
    from: Cow<'a, str>,
    to: Cow<'a, str>,
    kind: &'a str,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    weight: Option<u32>,
    cycle: bool,
}

pub fn render(g: &Graph) -> String {
    let services = g
        .app
        .services
        .iter()
        .map(|s| Service {
            name: &s.name,
            versions: s
                .workloads
                .iter()
                .filter_map(|w| w.version.as_deref())
                .collect(),
            ports: s
                .ports
                .iter()
                .map(|p| Port {
                    name: &p.name,
                    port: p.service_port,
                    target_port: p.number,
                    protocol: p.protocol.as_str(),
                })
                .collect(),
            ingress: s.ingress.as_ref().map(|i| Ingress {
                host: &i.host,
                paths: &i.paths,
                tls: i.tls_secret.is_some(),
            }),
        })
        .collect();
    let name = |n: Node| match n {
        Node::Host(h) => Cow::Borrowed(g.hosts[h].name),
        Node::Service(s) => Cow::Borrowed(g.app.services[s].name.as_str()),
        Node::Version(s, v) => Cow::Owned(format!(
            "{}/{}",
            g.app.services[s].name,
            g.version_name(s, v)
        )),
    };
    let edges = g
        .edges
        .iter()
        .map(|e| Edge {
            from: name(e.from),
            to: name(e.to),
            kind: e.kind.as_str(),
            label: &e.label,
            weight: e.weight,
            cycle: e.cycle,
        })
        .collect();
    let unreached = g
        .app
        .services
        .iter()
        .zip(&g.unreached)
        .filter(|(_, u)| **u)
        .map(|(s, _)| s.name.as_str())
        .collect();
    let doc = Doc {
        app: &g.app.name,
        services,
        edges,
        unreached,
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("the graph serializes");
    text.push('\n');
    text
}
