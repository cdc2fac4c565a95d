//! The fast path: granit-parser events → [`Node`], for plain YAML.
//!
//! A description is almost always plain YAML: maps, lists and scalars with no
//! anchors, aliases, tags or merge keys. For that subset this builds the tree
//! straight from the parser's events, resolving scalars the way serde-saphyr
//! does with meshc's options. Anything outside the subset — or any error,
//! or input near a parse budget — returns `None`, and the caller reads the
//! file through serde-saphyr instead, so behaviour and messages stay its.

use super::super::{MAX_DEPTH, Node, Value, node::Key};
use crate::source::Span;
use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle, Span as Marks};
use std::borrow::Cow;

/// Counts kept below serde-saphyr's budget, with room to spare, so that
/// whether a budget is breached is always serde-saphyr's decision.
const MAX_NODES: usize = super::MAX_NODES - 1_000;
const MAX_EVENTS: usize = super::MAX_EVENTS - 1_000;
const MAX_SCALAR_BYTES: usize = 60 * 1024 * 1024;

/// The tree of `text`, or `None` when serde-saphyr must decide.
pub fn parse(text: &str) -> Option<Node> {
    let (root, counts) = parse_counted(text, 0)?;
    counts.within_budget().then_some(root)
}

/// What one parse used of the budget, so that pieces parsed apart
/// (`split`) can be held to the budget of the whole.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub events: usize,
    pub nodes: usize,
    pub scalar_bytes: usize,
}

impl Counts {
    pub fn add(self, o: Counts) -> Counts {
        Counts {
            events: self.events + o.events,
            nodes: self.nodes + o.nodes,
            scalar_bytes: self.scalar_bytes + o.scalar_bytes,
        }
    }

    pub fn within_budget(self) -> bool {
        self.events <= MAX_EVENTS
            && self.nodes <= MAX_NODES
            && self.scalar_bytes <= MAX_SCALAR_BYTES
    }
}

/// [`parse`] of a piece whose root sits `depth` levels deep in the whole
/// document, with what it used of the budget.
pub fn parse_counted(text: &str, depth: usize) -> Option<(Node, Counts)> {
    // As serde-saphyr configures the parser from meshc's budget.
    let mut options = Options::default();
    options.flow_nesting_limit = MAX_DEPTH;
    options.block_nesting_limit = options.block_nesting_limit.max(MAX_DEPTH + 1);
    let mut b = Builder {
        depth,
        ..Builder::default()
    };
    let mut documents = 0;
    for item in Parser::new_from_str_with_options(text, options) {
        let (event, marks) = item.ok()?;
        b.events += 1;
        if b.events > MAX_EVENTS {
            return None;
        }
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
            }
            Event::Scalar(value, style, 0, None) => {
                let node = Node::new(scalar(value, style)?, span(&marks));
                b.push(node)?;
            }
            Event::SequenceStart(_, 0, None) => b.open(Open::Seq(Vec::new()), span(&marks))?,
            Event::MappingStart(_, 0, None) => b.open(Open::Map(Vec::new(), None), span(&marks))?,
            Event::SequenceEnd | Event::MappingEnd => b.close()?,
            // Anchors, aliases, tags and anything else: serde-saphyr's semantics.
            _ => return None,
        }
    }
    if !b.stack.is_empty() {
        return None;
    }
    let counts = Counts {
        events: b.events,
        nodes: b.nodes,
        scalar_bytes: b.scalar_bytes,
    };
    Some((b.root?, counts))
}

fn span(marks: &Marks) -> Span {
    let start = marks.start.byte_offset().unwrap_or(0);
    let end = marks.end.byte_offset().unwrap_or(start);
    Span::new(start, end)
}

/// A container still being read, with its span.
enum Open {
    Seq(Vec<Node>),
    /// Entries so far and the key waiting for its value.
    Map(Vec<(Key, Node)>, Option<Key>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Open, Span)>,
    /// Levels above this piece's root in the whole document.
    depth: usize,
    root: Option<Node>,
    events: usize,
    nodes: usize,
    scalar_bytes: usize,
}

impl Builder {
    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    fn open(&mut self, open: Open, span: Span) -> Option<()> {
        self.count()?;
        // A container as a mapping key is refused by serde-saphyr's wording.
        if let Some((Open::Map(_, None), _)) = self.stack.last() {
            return None;
        }
        if self.depth + self.stack.len() + 1 >= MAX_DEPTH {
            return None;
        }
        self.stack.push((open, span));
        Some(())
    }

    fn close(&mut self) -> Option<()> {
        let (open, span) = self.stack.pop()?;
        let value = match open {
            Open::Seq(items) => Value::Seq(items),
            Open::Map(entries, None) => Value::Map(entries),
            Open::Map(_, Some(_)) => return None,
        };
        self.place(Node::new(value, span))
    }

    fn push(&mut self, node: Node) -> Option<()> {
        self.count()?;
        if let Value::Str(s) = &node.value {
            self.scalar_bytes += s.len();
            if self.scalar_bytes > MAX_SCALAR_BYTES {
                return None;
            }
        }
        self.place(node)
    }

    /// Puts a finished node where it belongs: item, key, value or root.
    fn place(&mut self, node: Node) -> Option<()> {
        match self.stack.last_mut() {
            None if self.root.is_none() => self.root = Some(node),
            None => return None,
            Some((Open::Seq(items), _)) => items.push(node),
            Some((Open::Map(entries, pending), _)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => *pending = Some(key(node)?),
            },
        }
        Some(())
    }
}

/// A scalar node as a mapping key: its text as meshc keeps it.
fn key(node: Node) -> Option<Key> {
    key_of(node.value, node.span)
}

/// A scalar at `span` as a mapping key; `None` for the merge key `<<`,
/// which serde-saphyr expands.
pub(super) fn key_of(value: Value, span: Span) -> Option<Key> {
    if matches!(&value, Value::Str(s) if s == "<<") {
        return None;
    }
    Some(Key {
        name: value.into_key_text()?,
        span,
    })
}

/// An untagged scalar resolved as serde-saphyr does with meshc's options
/// (YAML 1.2 core schema, strict booleans, leading zeros kept as text).
/// `None` for a value serde-saphyr would refuse (`.inf`, `.nan`, `1e999`).
pub(super) fn scalar(value: Cow<str>, style: ScalarStyle) -> Option<Value> {
    // Only `~`, `null`, `true`, `false` and numbers resolve to more than
    // text, and each starts with one of these (a plain scalar never starts
    // with a space); most scalars stop here.
    let keyword_or_number = |b: &u8| b"0123456789+-.~nNtTfF".contains(b);
    if style != ScalarStyle::Plain
        || value
            .as_bytes()
            .first()
            .is_some_and(|b| !keyword_or_number(b))
    {
        return Some(Value::Str(value.into_owned()));
    }
    let t = value.trim_matches([' ', '\t', '\r', '\n']);
    Some(match t {
        _ if matches!(&*value, "" | "~" | "null" | "Null" | "NULL") => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if leading_zero_decimal(t) => Value::Str(value.into_owned()),
        _ => match number(t) {
            Some(Ok(v)) => Value::Int(v),
            Some(Err(f)) if f.is_finite() => Value::Float(f),
            Some(Err(_)) => return None,
            None => Value::Str(value.into_owned()),
        },
    })
}

/// `0127`, `+0127`, `-0127`: decimal digits with a redundant leading zero.
fn leading_zero_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// An integer (`Ok`) or a float (`Err`, also for integers beyond `i64`),
/// or `None` when `t` is no number.
fn number(t: &str) -> Option<Result<i64, f64>> {
    // Only text starting like a number can be one; most scalars stop here.
    let first = *t.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    if let Some(i) = integer(t) {
        return Some(i64::try_from(i).map_err(|_| i as f64));
    }
    float(t).map(Err)
}

/// serde-saphyr's integer forms: decimal with optional sign and single
/// underscores between digits, and `0x`, `0o`, `0b` with any sign (a `-`
/// only through its signed path), as `i128`.
fn integer(t: &str) -> Option<i128> {
    let (neg, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t),
        },
    };
    let prefixed = |p: &str, q: &str| rest.strip_prefix(p).or_else(|| rest.strip_prefix(q));
    let (radix, digits) = if let Some(d) = prefixed("0x", "0X") {
        (16, d)
    } else if let Some(d) = prefixed("0o", "0O") {
        (8, d)
    } else if let Some(d) = prefixed("0b", "0B") {
        (2, d)
    } else {
        if rest.starts_with('0') && rest != "0" {
            return None;
        }
        (10, rest)
    };
    let mag = digits_u128(digits, radix)?;
    if !neg {
        // serde-saphyr reads non-negative integers as u64: larger is a float.
        return i128::try_from(mag).ok().filter(|&v| v <= u64::MAX as i128);
    }
    // And negative ones as i64; beyond that they are floats.
    let v = if mag == (i128::MAX as u128) + 1 {
        i128::MIN
    } else {
        -i128::try_from(mag).ok()?
    };
    (v >= i64::MIN as i128).then_some(v)
}

fn digits_u128(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut val: u128 = 0;
    let mut saw = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let prev_ok = i > 0 && bytes[i - 1] != b'_';
            let next_ok = i + 1 < bytes.len() && bytes[i + 1] != b'_';
            if !prev_ok || !next_ok {
                return None;
            }
            continue;
        }
        let d = (b as char).to_digit(radix)?;
        val = val
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        saw = true;
    }
    saw.then_some(val)
}

/// YAML 1.2 floats as serde-saphyr reads them: `.inf`/`.nan` forms, Rust's
/// float syntax, and a digit-led literal that overflows to infinity.
fn float(t: &str) -> Option<f64> {
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match unsigned {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        Ok(v) if unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) => Some(v),
        _ => None,
    }
}
