//! [`Graph`] → Graphviz DOT.
//!
//! Node ids are quoted: a service is its name, a version `service/version`,
//! an ingress host `ingress:HOST`. A versioned service is a
//! `subgraph cluster_<service>` holding the service and its versions.
//! Call cycles are red, services nothing reaches dashed and grey, mirrors
//! dashed.

use super::{Graph, Kind, Node};
use std::fmt::Write;

pub fn render(g: &Graph) -> String {
    let mut out = String::with_capacity(128 * (g.app.services.len() + g.edges.len()));
    let cyclic = g.cycle_members();
    let _ = writeln!(out, "digraph {} {{", quote(&g.app.name));
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (h, host) in g.hosts.iter().enumerate() {
        let label = if host.tls {
            format!("{}\\n(tls)", escape(host.name))
        } else {
            escape(host.name)
        };
        let _ = writeln!(
            out,
            "  {} [label=\"{label}\", shape=house];",
            id(g, Node::Host(h))
        );
    }
    for (i, svc) in g.app.services.iter().enumerate() {
        let mut label = escape(&svc.name);
        for p in &svc.ports {
            let _ = write!(label, "\\n{}/{}", p.service_port, escape(&p.name));
        }
        let mut attrs = Vec::new();
        if g.unreached[i] {
            label.push_str("\\n(unreached)");
            attrs.push("style=dashed, color=grey50, fontcolor=grey50");
        }
        if cyclic[i] {
            attrs.push("color=red");
        }
        let attrs: String = attrs.iter().map(|a| format!(", {a}")).collect();
        let node = format!("{} [label=\"{label}\"{attrs}];", id(g, Node::Service(i)));
        if !svc.versioned {
            let _ = writeln!(out, "  {node}");
            continue;
        }
        let _ = writeln!(
            out,
            "  subgraph {} {{",
            quote(&format!("cluster_{}", svc.name))
        );
        let _ = writeln!(out, "    label={};", quote(&svc.name));
        out.push_str("    style=rounded;\n");
        let _ = writeln!(out, "    {node}");
        for v in 0..svc.workloads.len() {
            let _ = writeln!(
                out,
                "    {} [label={}, shape=ellipse];",
                id(g, Node::Version(i, v)),
                quote(g.version_name(i, v))
            );
        }
        out.push_str("  }\n");
    }
    for e in &g.edges {
        let mut attrs = Vec::new();
        if !e.label.is_empty() {
            attrs.push(format!("label={}", quote(&e.label)));
        }
        if e.kind == Kind::Mirror {
            attrs.push("style=dashed".into());
        }
        if e.cycle {
            attrs.push("color=red, fontcolor=red, penwidth=2".into());
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        let _ = writeln!(out, "  {} -> {}{attrs};", id(g, e.from), id(g, e.to));
    }
    out.push_str("}\n");
    out
}

fn id(g: &Graph, n: Node) -> String {
    match n {
        Node::Host(h) => quote(&format!("ingress:{}", g.hosts[h].name)),
        Node::Service(s) => quote(&g.app.services[s].name),
        Node::Version(s, v) => quote(&format!(
            "{}/{}",
            g.app.services[s].name,
            g.version_name(s, v)
        )),
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// The inside of a DOT quoted string. Backslashes are doubled so that
/// Graphviz's label escapes (`\n`, `\N`, `\G`) cannot be written by a name.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}
