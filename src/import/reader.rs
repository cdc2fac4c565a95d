//! The reader's primitives: scalars as written, maps, lists, `KEY=VALUE`
//! pairs and name lists, each recording a located [`Problem`] when a value
//! has the wrong shape.

use super::Problem;
use super::compose::Loc;
use crate::source::Span;
use crate::syntax::{Key, Node, Value};

/// The reader: the file's text (for scalars as written) and the problems found.
pub struct Reader<'a> {
    text: &'a str,
    pub problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            problems: Vec::new(),
        }
    }

    pub(super) fn fail(&mut self, span: Span, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            span,
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// A scalar as the user wrote it: `1.10` stays `1.10`, `0777` keeps its zero.
    pub(super) fn scalar(&mut self, node: &Node, path: &str) -> Option<Loc<String>> {
        let value = match &node.value {
            Value::Str(s) => s.clone(),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => self
                .text
                .get(node.span.start as usize..node.span.end as usize)
                .map(str::to_string)
                .or_else(|| node.scalar_text())?,
            other => {
                let found = Node::new(other.clone(), node.span).kind();
                self.fail(node.span, path, format!("expected a string, found {found}"));
                return None;
            }
        };
        Some(Loc {
            value,
            span: node.span,
        })
    }

    /// [`Self::scalar`] without its span, for the port reader.
    pub(super) fn scalar_at(&mut self, node: &Node, path: &str) -> Option<String> {
        self.scalar(node, path).map(|s| s.value)
    }

    pub(super) fn entries<'n>(&mut self, node: &'n Node, path: &str) -> &'n [(Key, Node)] {
        match &node.value {
            Value::Map(m) => m,
            Value::Null => &[],
            _ => {
                self.fail(
                    node.span,
                    path,
                    format!("expected a map, found {}", node.kind()),
                );
                &[]
            }
        }
    }

    pub(super) fn items<'n>(&mut self, node: &'n Node, path: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(s) => s,
            Value::Null => &[],
            _ => {
                self.fail(
                    node.span,
                    path,
                    format!("expected a list, found {}", node.kind()),
                );
                &[]
            }
        }
    }

    /// `KEY=VALUE` lists and `KEY: VALUE` maps alike (`environment`, `build.args`).
    pub(super) fn pairs(
        &mut self,
        node: &Node,
        path: &str,
    ) -> Vec<(Loc<String>, Option<Loc<String>>)> {
        let mut out = Vec::new();
        if let Value::Seq(items) = &node.value {
            for item in items {
                let Some(s) = self.scalar(item, path) else {
                    continue;
                };
                let (k, v) = match s.value.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (s.value.clone(), None),
                };
                let loc = |value| Loc {
                    value,
                    span: s.span,
                };
                out.push((loc(k), v.map(loc)));
            }
            return out;
        }
        for (key, value) in self.entries(node, path) {
            let value = match value.value {
                Value::Null => None,
                _ => self.scalar(value, &format!("{path}.{}", key.name)),
            };
            out.push((
                Loc {
                    value: key.name.clone(),
                    span: key.span,
                },
                value,
            ));
        }
        out
    }

    /// Names in list form, or the keys of the map form (`depends_on`, `secrets`).
    pub(super) fn names<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
    ) -> Vec<(Loc<String>, Option<&'n Node>)> {
        if let Value::Map(m) = &node.value {
            return m
                .iter()
                .map(|(k, v)| {
                    let loc = Loc {
                        value: k.name.clone(),
                        span: k.span,
                    };
                    (loc, Some(v))
                })
                .collect();
        }
        let mut out = Vec::new();
        for item in self.items(node, path) {
            // The long form of `secrets` is `{ source: name, target: … }`.
            if let Value::Map(m) = &item.value
                && let Some((_, source)) = m.iter().find(|(k, _)| k.name == "source")
            {
                if let Some(s) = self.scalar(source, path) {
                    out.push((s, None));
                }
                continue;
            }
            if let Some(s) = self.scalar(item, path) {
                out.push((s, None));
            }
        }
        out
    }
}
