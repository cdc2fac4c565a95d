//! The draft as KDL: a kdl-rs document built node by node (kdl-rs quotes
//! and escapes), under the header as `//` comments. What KDL descriptions
//! cannot hold (build arguments: `args` is always a list there) becomes a note.

use super::draft::{Draft, Env, Service, Source};
use super::{Kind, Note};
use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};

pub fn render(header: &[String], draft: &Draft, notes: &mut Vec<Note>) -> String {
    let mut doc = KdlDocument::new();
    doc.nodes_mut().push(node("app", [draft.app.as_str()]));
    for s in &draft.services {
        doc.nodes_mut().push(service(s, notes));
    }
    doc.autoformat();
    let mut out = super::comments(header, "//");
    out.push_str(&doc.to_string());
    out
}

fn node<'a>(name: &str, args: impl IntoIterator<Item = &'a str>) -> KdlNode {
    let mut n = KdlNode::new(name);
    for a in args {
        n.entries_mut().push(KdlEntry::new(a));
    }
    n
}

fn props<'a>(name: &str, props: impl IntoIterator<Item = (&'a str, KdlValue)>) -> KdlNode {
    let mut n = KdlNode::new(name);
    for (k, v) in props {
        n.entries_mut().push(KdlEntry::new_prop(k, v));
    }
    n
}

fn service(s: &Service, notes: &mut Vec<Note>) -> KdlNode {
    let mut n = node("service", [s.name.as_str()]);
    let body = n.ensure_children();
    match &s.source {
        Source::Image(i) => body.nodes_mut().push(node("image", [i.as_str()])),
        Source::Build {
            context,
            dockerfile,
            target,
            image,
            args,
        } => {
            let mut fields = vec![("context", KdlValue::from(context.as_str()))];
            for (k, v) in [
                ("dockerfile", dockerfile),
                ("target", target),
                ("image", image),
            ] {
                if let Some(v) = v {
                    fields.push((k, KdlValue::from(v.as_str())));
                }
            }
            body.nodes_mut().push(props("build", fields));
            for (k, _) in args {
                notes.push(Note {
                    span: crate::source::Span::default(),
                    path: format!("services.{}.build.args.{k}", s.name),
                    kind: Kind::Dropped,
                    message: "KDL descriptions cannot hold build arguments; write the description as YAML (-o meshc.yaml) to keep them".into(),
                });
            }
        }
    }
    if let Some(r) = s.replicas {
        let mut r_node = KdlNode::new("replicas");
        r_node.entries_mut().push(KdlEntry::new(i128::from(r)));
        body.nodes_mut().push(r_node);
    }
    let resources = s.resources.fields();
    if !resources.is_empty() {
        body.nodes_mut().push(props(
            "resources",
            resources.into_iter().map(|(k, v)| (k, KdlValue::from(v))),
        ));
    }
    for (name, number) in &s.ports {
        let mut p = node("port", [name.as_str()]);
        p.entries_mut().push(KdlEntry::new(i128::from(*number)));
        body.nodes_mut().push(p);
    }
    if let Some(h) = &s.health {
        // One word would read back as a string, not a list: run it through a shell.
        let words: Vec<&str> = match h.as_slice() {
            [one] => vec!["sh", "-c", one.as_str()],
            many => many.iter().map(String::as_str).collect(),
        };
        let mut health = KdlNode::new("health");
        health
            .ensure_children()
            .nodes_mut()
            .push(node("exec", words));
        body.nodes_mut().push(health);
    }
    if !s.calls.is_empty() {
        body.nodes_mut()
            .push(node("calls", s.calls.iter().map(String::as_str)));
    }
    if !s.env.is_empty() {
        let mut env = KdlNode::new("env");
        let vars = env.ensure_children();
        for (k, v) in &s.env {
            vars.nodes_mut().push(match v {
                Env::Plain(p) => node(k, [p.as_str()]),
                Env::Secret(r) => props(k, [("secret", KdlValue::from(r.as_str()))]),
            });
        }
        body.nodes_mut().push(env);
    }
    if !s.storage.is_empty() {
        let mut storage = KdlNode::new("storage");
        let vols = storage.ensure_children();
        for v in &s.storage {
            vols.nodes_mut()
                .push(props(&v.name, [("path", KdlValue::from(v.path.as_str()))]));
        }
        body.nodes_mut().push(storage);
    }
    n
}
