//! The spanned document tree both front ends produce.
//!
//! YAML and KDL are parsed into this one shape: maps (with the position of
//! every key), sequences and scalars, each node carrying the byte span of the
//! text it came from. The decoder turns it into the AST; nothing after the
//! decoder sees it.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in written order; duplicates are kept so the decoder can
    /// report both places.
    Map(Vec<(Key, Node)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

impl Value {
    /// A scalar as the text of a mapping key (`null` for an empty key);
    /// `None` for a list or a map, which cannot be keys.
    pub fn into_key_text(self) -> Option<String> {
        Some(match self {
            Value::Str(s) => s,
            Value::Null => "null".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Seq(_) | Value::Map(_) => return None,
        })
    }
}

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span }
    }

    /// What the node is, as words for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a decimal number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }

    /// A scalar's text as the user would recognise it (for names and keys).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}
