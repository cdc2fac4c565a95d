//! Tests of the KDL front end, through [`parse`](super::parse) (and the
//! pre-scan where batches are counted): KDL text in, the tree or the exact
//! diagnostics out. The helpers here flatten and walk the tree.

mod convert;
mod hostile;
mod prescan;
mod read;

use super::parse;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::{MAX_DEPTH, Node, Value, node::Key};
use std::time::{Duration, Instant};

/// The tree without spans, each map's entries sorted by key (stably, so
/// duplicates stay in order): what the decoder would see either way.
fn plain(node: &Node) -> Node {
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(items.iter().map(plain).collect()),
        Value::Map(entries) => {
            let mut entries: Vec<(Key, Node)> = entries
                .iter()
                .map(|(k, v)| {
                    let key = Key {
                        name: k.name.clone(),
                        span: Span::default(),
                    };
                    (key, plain(v))
                })
                .collect();
            entries.sort_by(|a, b| a.0.name.cmp(&b.0.name));
            Value::Map(entries)
        }
        scalar => scalar.clone(),
    };
    Node::new(value, Span::default())
}

fn entries(node: &Node) -> &[(Key, Node)] {
    match &node.value {
        Value::Map(entries) => entries,
        other => panic!("expected a map, found {other:?}"),
    }
}

/// The entry at `path` (first match at each step).
fn entry<'a>(node: &'a Node, path: &[&str]) -> &'a (Key, Node) {
    let (first, rest) = path.split_first().expect("a non-empty path");
    let found = entries(node)
        .iter()
        .find(|(k, _)| k.name == *first)
        .unwrap_or_else(|| panic!("no `{first}`"));
    if rest.is_empty() {
        found
    } else {
        entry(&found.1, rest)
    }
}

/// The value at `path`, without spans.
fn at(path: &[&str], text: &str) -> Value {
    plain(&entry(&parse(text).unwrap(), path).1).value
}

fn seq(items: Vec<Value>) -> Value {
    Value::Seq(
        items
            .into_iter()
            .map(|v| Node::new(v, Span::default()))
            .collect(),
    )
}

fn names(node: &Node) -> Vec<&str> {
    entries(node).iter().map(|(k, _)| k.name.as_str()).collect()
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

fn errors(text: &str) -> Vec<Diagnostic> {
    parse(text).expect_err("a diagnostic")
}

fn str(s: &str) -> Value {
    Value::Str(s.into())
}

/// Parses `text` on a test thread's small stack, failing if it takes
/// longer than a (generous) bound.
fn survives(name: &str, text: &str) -> Result<Node, Vec<Diagnostic>> {
    let started = Instant::now();
    let result = parse(text);
    let took = started.elapsed();
    eprintln!("{name}: {took:?}, {} bytes", text.len());
    assert!(took < Duration::from_secs(5), "{name} took {took:?}");
    result
}
