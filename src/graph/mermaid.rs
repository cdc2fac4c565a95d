//! [`Graph`] → a Mermaid `flowchart LR`, as GitHub renders it in Markdown.
//!
//! Ids are made from names, keeping only ASCII letters, digits and `_`,
//! behind a prefix (`s_` service, `v_` version, `h_` host, `g_` group), so
//! no id is a Mermaid keyword such as `end`; a clash gets `_2`, `_3`. Every
//! label is quoted with `"`, `#`, `<`, `>`, `&`, `|` and backticks written
//! as entity codes. A versioned service is a `subgraph` holding the service
//! and its versions. Call cycles are red (`linkStyle`, class `cycle`),
//! services nothing reaches dashed and grey (class `unreached`), mirrors
//! dotted.

use super::{Graph, Kind, Node};
use std::collections::HashSet;
use std::fmt::Write;

const CYCLE_STYLE: &str = "stroke:#d00,stroke-width:2px,color:#d00";
const UNREACHED_STYLE: &str = "stroke-dasharray:5 5,stroke:#888,color:#888";

pub fn render(g: &Graph) -> String {
    let ids = Ids::new(g);
    let cyclic = g.cycle_members();
    let mut out = String::with_capacity(96 * (g.app.services.len() + g.edges.len()));
    out.push_str("flowchart LR\n");
    for (h, host) in g.hosts.iter().enumerate() {
        let mut label = escape(host.name);
        if host.tls {
            label.push_str("<br/>(tls)");
        }
        let _ = writeln!(out, "  {}([\"{label}\"])", ids.hosts[h]);
    }
    for (i, svc) in g.app.services.iter().enumerate() {
        let mut label = escape(&svc.name);
        for p in &svc.ports {
            let _ = write!(label, "<br/>{}/{}", p.service_port, escape(&p.name));
        }
        if g.unreached[i] {
            label.push_str("<br/>(unreached)");
        }
        let node = format!("{}[\"{label}\"]", ids.services[i]);
        if !svc.versioned {
            let _ = writeln!(out, "  {node}");
            continue;
        }
        let _ = writeln!(
            out,
            "  subgraph {} [\"{}\"]",
            ids.groups[i],
            escape(&svc.name)
        );
        let _ = writeln!(out, "    {node}");
        for (v, vid) in ids.versions[i].iter().enumerate() {
            let _ = writeln!(out, "    {vid}(\"{}\")", escape(g.version_name(i, v)));
        }
        out.push_str("  end\n");
    }
    let mut cycle_links = Vec::new();
    for (k, e) in g.edges.iter().enumerate() {
        let arrow = if e.kind == Kind::Mirror {
            "-.->"
        } else {
            "-->"
        };
        // Written straight into the output: a string per edge was most of
        // the cost of a large graph.
        out.push_str("  ");
        out.push_str(ids.of(e.from));
        out.push(' ');
        out.push_str(arrow);
        if !e.label.is_empty() {
            out.push_str("|\"");
            escape_into(&mut out, &e.label);
            out.push_str("\"|");
        }
        out.push(' ');
        out.push_str(ids.of(e.to));
        out.push('\n');
        if e.cycle {
            cycle_links.push(k.to_string());
        }
    }
    let unreached: Vec<&str> = select(&ids.services, &g.unreached);
    let cycle_nodes: Vec<&str> = select(&ids.services, &cyclic);
    if !unreached.is_empty() {
        let _ = writeln!(out, "  classDef unreached {UNREACHED_STYLE}");
        let _ = writeln!(out, "  class {} unreached", unreached.join(","));
    }
    if !cycle_nodes.is_empty() {
        let _ = writeln!(out, "  classDef cycle {CYCLE_STYLE}");
        let _ = writeln!(out, "  class {} cycle", cycle_nodes.join(","));
        let _ = writeln!(out, "  linkStyle {} {CYCLE_STYLE}", cycle_links.join(","));
    }
    out
}

fn select<'a>(ids: &'a [String], keep: &[bool]) -> Vec<&'a str> {
    ids.iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(id, _)| id.as_str())
        .collect()
}

/// Every node's id, made once in model order (so the same input gives the
/// same ids).
struct Ids {
    hosts: Vec<String>,
    services: Vec<String>,
    groups: Vec<String>,
    versions: Vec<Vec<String>>,
}

impl Ids {
    fn new(g: &Graph) -> Ids {
        let mut taken = HashSet::new();
        let hosts = g
            .hosts
            .iter()
            .map(|h| unique(&mut taken, "h", &[h.name]))
            .collect();
        let n = g.app.services.len();
        let (mut services, mut groups, mut versions) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for (i, svc) in g.app.services.iter().enumerate() {
            services.push(unique(&mut taken, "s", &[&svc.name]));
            if !svc.versioned {
                groups.push(String::new());
                versions.push(Vec::new());
                continue;
            }
            groups.push(unique(&mut taken, "g", &[&svc.name]));
            versions.push(
                (0..svc.workloads.len())
                    .map(|v| unique(&mut taken, "v", &[&svc.name, g.version_name(i, v)]))
                    .collect(),
            );
        }
        Ids {
            hosts,
            services,
            groups,
            versions,
        }
    }

    fn of(&self, n: Node) -> &str {
        match n {
            Node::Host(h) => &self.hosts[h],
            Node::Service(s) => &self.services[s],
            Node::Version(s, v) => &self.versions[s][v],
        }
    }
}

/// `prefix_part_part`, with every character but `[A-Za-z0-9_]` as `_`,
/// and a number behind it when that id is already taken.
fn unique(taken: &mut HashSet<String>, prefix: &str, parts: &[&str]) -> String {
    let mut id = String::from(prefix);
    for part in parts {
        id.push('_');
        id.extend(
            part.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
        );
    }
    if taken.insert(id.clone()) {
        return id;
    }
    let mut k = 2;
    loop {
        let candidate = format!("{id}_{k}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        k += 1;
    }
}

/// The inside of a quoted Mermaid label.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    super::escape_into(out, s, |c| match c {
        '"' => Some("#quot;"),
        '#' => Some("#35;"),
        '<' => Some("#lt;"),
        '>' => Some("#gt;"),
        '&' => Some("#amp;"),
        '|' => Some("#124;"),
        '`' => Some("#96;"),
        '\n' | '\r' => Some(" "),
        _ => None,
    });
}
