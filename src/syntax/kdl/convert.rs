//! Conversion: the kdl-rs document (spans already in the file) → the
//! spanned [`Node`] tree, by the mapping table in the module above: `SHAPES`
//! says which node names are gathered into a collection or always read as a
//! list. Problems (arguments next to properties, keyed nodes without a name,
//! blocks too deep) are collected in `diags`, every one of them.

use super::errors::{list_only, too_deep};
use super::on_chars;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::{MAX_DEPTH, Node, Value, node::Key};
use kdl::{KdlEntry, KdlIdentifier, KdlNode, KdlValue};

/// How a node's name decides where its value goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    /// Gathered into the named map, keyed by the node's first argument.
    Keyed {
        into: &'static str,
        example: &'static str,
    },
    /// Gathered, in order, into the named list.
    Listed { into: &'static str },
    /// Always a list of the node's arguments.
    List,
    /// Mapped by the general rule (null, scalar, list or map).
    Plain,
}

const SHAPES: &[(&str, Shape)] = &[
    ("service", keyed("services", "`service \"web\" { … }`")),
    ("version", keyed("versions", "`version \"v1\" image=\"…\"`")),
    ("port", keyed("ports", "`port \"http\" 8080`")),
    (
        "environment",
        keyed("environments", "`environment \"prod\" { … }`"),
    ),
    ("route", Shape::Listed { into: "routes" }),
    ("opt_out", Shape::Listed { into: "opt_outs" }),
    ("calls", Shape::List),
    ("command", Shape::List),
    ("paths", Shape::List),
    ("on", Shape::List),
    ("args", Shape::List),
];

const fn keyed(into: &'static str, example: &'static str) -> Shape {
    Shape::Keyed { into, example }
}

fn shape(name: &str) -> Shape {
    SHAPES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(Shape::Plain, |(_, s)| *s)
}

pub(super) struct Convert<'a> {
    pub(super) text: &'a str,
    pub(super) diags: Vec<Diagnostic>,
}

/// A gathered collection: its name and where its entry is.
struct Gathered {
    into: &'static str,
    at: usize,
}

impl Convert<'_> {
    /// A document or `{ … }` block → map entries. `depth` counts the blocks
    /// around `nodes`.
    pub(super) fn block(&mut self, nodes: &[KdlNode], depth: usize) -> Vec<(Key, Node)> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut gathered: Vec<Gathered> = Vec::new();
        for node in nodes {
            let name = node.name().value();
            match shape(name) {
                Shape::Keyed { into, example } => {
                    let Some((key, value)) = self.keyed_item(node, example, depth) else {
                        continue;
                    };
                    let at = self.collection(
                        &mut entries,
                        &mut gathered,
                        into,
                        node,
                        Value::Map(Vec::new()),
                    );
                    if let Value::Map(items) = &mut entries[at].1.value {
                        items.push((key, value));
                    }
                }
                Shape::Listed { into } => {
                    let value = self.value(node, false, depth);
                    let at = self.collection(
                        &mut entries,
                        &mut gathered,
                        into,
                        node,
                        Value::Seq(Vec::new()),
                    );
                    if let Value::Seq(items) = &mut entries[at].1.value {
                        items.push(value);
                    }
                }
                Shape::List => {
                    let value = self.list(node);
                    entries.push((self.key(node), value));
                }
                Shape::Plain if depth == 0 && name == "app" => self.app(node, &mut entries),
                Shape::Plain => {
                    let value = self.value(node, false, depth);
                    entries.push((self.key(node), value));
                }
            }
        }
        entries
    }

    /// The document's `app` node. `app "shop"` is the name; as for
    /// `service "web" …`, its properties and block are fields, here the
    /// document's own: `app "shop" namespace="shop" mesh="linkerd"`.
    fn app(&mut self, node: &KdlNode, entries: &mut Vec<(Key, Node)>) {
        let has_fields =
            node.children().is_some() || node.entries().iter().any(|e| e.name().is_some());
        let first = node.entries().iter().find(|e| e.name().is_none());
        let (Some(first), true) = (first, has_fields) else {
            let value = self.value(node, false, 0);
            entries.push((self.key(node), value));
            return;
        };
        let named = self.value(node, true, 0);
        entries.push((self.key(node), self.scalar(first)));
        if let Value::Map(fields) = named.value {
            entries.extend(fields);
        }
    }

    /// Where collection `into` lives in `entries`, creating it (`empty`, at
    /// `node`) the first time.
    fn collection(
        &self,
        entries: &mut Vec<(Key, Node)>,
        gathered: &mut Vec<Gathered>,
        into: &'static str,
        node: &KdlNode,
        empty: Value,
    ) -> usize {
        if let Some(g) = gathered.iter().find(|g| g.into == into) {
            return g.at;
        }
        let key = Key {
            name: into.to_string(),
            span: self.name_span(node),
        };
        entries.push((key, Node::new(empty, self.span(node.span()))));
        gathered.push(Gathered {
            into,
            at: entries.len() - 1,
        });
        entries.len() - 1
    }

    /// `service "web" …` → (`web`, the rest of the node's value).
    fn keyed_item(&mut self, node: &KdlNode, example: &str, depth: usize) -> Option<(Key, Node)> {
        let name = node.name().value();
        let first = node.entries().iter().find(|e| e.name().is_none());
        let key = first.and_then(|e| match e.value() {
            KdlValue::String(s) => Some(s.clone()),
            KdlValue::Integer(i) => Some(i.to_string()),
            _ => None,
        });
        let (Some(first), Some(key)) = (first, key) else {
            let at = first.map_or_else(|| self.name_span(node), |e| self.entry_span(e));
            self.diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    at,
                    format!("`{name}` needs a name: {example}"),
                )
                .label(if first.is_some() {
                    "not a name"
                } else {
                    "no name"
                })
                .help(format!(
                    "write the {name}'s name as a string right after `{name}`, as in {example}."
                )),
            );
            return None;
        };
        let key = Key {
            name: key,
            span: self.entry_span(first),
        };
        Some((key, self.value(node, true, depth)))
    }

    /// The general rule: null, a scalar, a list of scalars or a map.
    /// `keyed` drops the first argument (the key, already taken).
    fn value(&mut self, node: &KdlNode, keyed: bool, depth: usize) -> Node {
        let span = self.span(node.span());
        let mut args: Vec<&KdlEntry> = node
            .entries()
            .iter()
            .filter(|e| e.name().is_none())
            .collect();
        if keyed && !args.is_empty() {
            args.remove(0);
        }
        let props: Vec<(&KdlIdentifier, &KdlEntry)> = node
            .entries()
            .iter()
            .filter_map(|e| e.name().map(|n| (n, e)))
            .collect();
        let children = node.children();
        if props.is_empty() && children.is_none() {
            return match args.as_slice() {
                [] => Node::new(Value::Null, span),
                [one] => self.scalar(one),
                many => Node::new(
                    Value::Seq(many.iter().map(|e| self.scalar(e)).collect()),
                    span,
                ),
            };
        }
        let mut entries = Vec::new();
        let name = node.name().value();
        match args.as_slice() {
            [] => {}
            [port] if keyed && name == "port" => {
                let key = Key {
                    name: "port".into(),
                    span: self.entry_span(port),
                };
                entries.push((key, self.scalar(port)));
            }
            [first, ..] => self.diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    self.entry_span(first),
                    format!("the arguments of `{name}` must be written as `name=value` properties"),
                )
                .label("argument next to properties or a block")
                .help(
                    "a node with properties or a `{ … }` block takes no bare arguments; name each value, as in `autoscale min=2 max=10`.",
                ),
            ),
        }
        for (name, prop) in props {
            let key = Key {
                name: name.value().to_string(),
                span: self.span(name.span()),
            };
            entries.push((key, self.scalar(prop)));
        }
        if let Some(children) = children {
            if depth >= MAX_DEPTH {
                self.diags.push(too_deep(span));
            } else {
                entries.extend(self.block(children.nodes(), depth + 1));
            }
        }
        Node::new(Value::Map(entries), span)
    }

    /// `calls "a" "b"` → a list of the arguments, whatever their number.
    fn list(&mut self, node: &KdlNode) -> Node {
        let name = node.name().value();
        if let Some(extra) = node.entries().iter().find(|e| e.name().is_some()) {
            self.diags
                .push(list_only(name, self.entry_span(extra), "property"));
        } else if node.children().is_some() {
            self.diags
                .push(list_only(name, self.name_span(node), "block"));
        }
        let items = node
            .entries()
            .iter()
            .filter(|e| e.name().is_none())
            .map(|e| self.scalar(e))
            .collect();
        Node::new(Value::Seq(items), self.span(node.span()))
    }

    fn scalar(&self, entry: &KdlEntry) -> Node {
        let value = match entry.value() {
            KdlValue::String(s) => Value::Str(s.clone()),
            KdlValue::Integer(i) => i64::try_from(*i).map_or(Value::Float(*i as f64), Value::Int),
            KdlValue::Float(f) => Value::Float(*f),
            KdlValue::Bool(b) => Value::Bool(*b),
            KdlValue::Null => Value::Null,
        };
        Node::new(value, self.value_span(entry))
    }

    fn key(&self, node: &KdlNode) -> Key {
        Key {
            name: node.name().value().to_string(),
            span: self.name_span(node),
        }
    }

    fn name_span(&self, node: &KdlNode) -> Span {
        let s = self.span(node.name().span());
        if s.is_empty() {
            self.span(node.span())
        } else {
            s
        }
    }

    fn entry_span(&self, entry: &KdlEntry) -> Span {
        self.span(entry.span())
    }

    /// The value part of an entry (`"grpc"` in `protocol="grpc"`), else the entry.
    fn value_span(&self, entry: &KdlEntry) -> Span {
        let whole = self.entry_span(entry);
        let repr = entry.format().map_or("", |f| f.value_repr.as_str());
        let text = self
            .text
            .get(whole.start as usize..whole.end as usize)
            .unwrap_or("");
        if repr.is_empty() || !text.ends_with(repr) {
            return whole;
        }
        Span::new(whole.end as usize - repr.len(), whole.end as usize)
    }

    fn span(&self, s: miette::SourceSpan) -> Span {
        let (start, end) = on_chars(self.text, s.offset(), s.offset() + s.len());
        Span::new(start, end)
    }
}
