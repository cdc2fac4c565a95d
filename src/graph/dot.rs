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
        out.push_str("  ");
        write_id(&mut out, g, e.from);
        out.push_str(" -> ");
        write_id(&mut out, g, e.to);
        // Written straight into the output: a large graph has tens of
        // thousands of edges, and a string per attribute was most of its cost.
        let mut sep = " [";
        if !e.label.is_empty() {
            out.push_str(sep);
            out.push_str("label=");
            write_quoted(&mut out, &[&e.label]);
            sep = ", ";
        }
        if e.kind == Kind::Mirror {
            out.push_str(sep);
            out.push_str("style=dashed");
            sep = ", ";
        }
        if e.cycle {
            out.push_str(sep);
            out.push_str("color=red, fontcolor=red, penwidth=2");
            sep = ", ";
        }
        if sep == ", " {
            out.push(']');
        }
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

fn id(g: &Graph, n: Node) -> String {
    let mut out = String::new();
    write_id(&mut out, g, n);
    out
}

/// A node's quoted id, written to `out`.
fn write_id(out: &mut String, g: &Graph, n: Node) {
    match n {
        Node::Host(h) => write_quoted(out, &["ingress:", g.hosts[h].name]),
        Node::Service(s) => write_quoted(out, &[&g.app.services[s].name]),
        Node::Version(s, v) => {
            write_quoted(out, &[&g.app.services[s].name, "/", g.version_name(s, v)])
        }
    }
}

/// The parts, joined, as one DOT quoted string.
fn write_quoted(out: &mut String, parts: &[&str]) {
    out.push('"');
    for p in parts {
        escape_into(out, p);
    }
    out.push('"');
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_quoted(&mut out, &[s]);
    out
}

/// The inside of a DOT quoted string. Backslashes are doubled so that
/// Graphviz's label escapes (`\n`, `\N`, `\G`) cannot be written by a name.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    super::escape_into(out, s, |c| match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '\n' => Some("\\n"),
        '\r' => Some(""),
        _ => None,
    });
}
