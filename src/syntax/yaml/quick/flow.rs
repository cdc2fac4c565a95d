//! The one-line parts of [`super`]: values written on their key's or
//! dash's line — flow collections, plain and quoted scalars.

use super::{DEEP, MAX_KEY, Reader};
use crate::source::Span;
use crate::syntax::yaml::events;
use crate::syntax::{Node, Value, node::Key};
use serde_saphyr::granit_parser::ScalarStyle;
use std::borrow::Cow;

/// What may not follow `-`, `?` or `:` at the start of a plain scalar, or
/// a `:` inside one in a flow collection.
const ENDS_PLAIN: &[u8] = b" \n,[]{}";

impl Reader<'_> {
    /// A value on one line, at `i`: a quoted or plain scalar or a flow
    /// collection, with the byte after it.
    pub(super) fn inline(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let (value, end) = match self.at(i) {
            b'[' | b'{' => return self.flow(i, depth + 1),
            b'"' | b'\'' => self.quoted(i)?,
            _ => {
                let (mut j, mut end) = (i, i);
                while !self.eol(j) && !self.comment(j) {
                    match self.at(j) {
                        b':' if matches!(self.at(j + 1), b' ' | b'\n') => return None, // `a: b: c`
                        b' ' => {}
                        _ => end = j + 1,
                    }
                    j += 1;
                }
                (self.plain(i, end)?, end)
            }
        };
        let node = self.node(value, Span::new(i, end))?;
        Some((node, end))
    }

    /// A flow collection opened at `i` and closed on the same line.
    fn flow(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        if depth > DEEP {
            return None;
        }
        let map = self.at(i) == b'{';
        let close = if map { b'}' } else { b']' };
        let mut j = self.spaces(i + 1);
        let (items, entries) = (self.items.len(), self.entries.len());
        if self.at(j) != close {
            loop {
                if map {
                    let (key, colon) = self.flow_key(j)?;
                    let (value, end) = self.flow_value(self.spaces(colon + 1), depth)?;
                    self.entries.push((key, value));
                    j = end;
                } else {
                    let (item, end) = self.flow_value(j, depth)?;
                    self.items.push(item);
                    j = end;
                }
                j = self.spaces(j);
                match self.at(j) {
                    b',' => j = self.spaces(j + 1),
                    c if c == close => break,
                    _ => return None,
                }
                if self.at(j) == close {
                    return None; // a trailing comma
                }
            }
        }
        let value = if map {
            Value::Map(self.entries.drain(entries..).collect())
        } else {
            Value::Seq(self.items.drain(items..).collect())
        };
        let node = self.node(value, Span::new(i, i + 1))?;
        Some((node, j + 1))
    }

    /// A key in a flow map at `i`, and the position of its `:` (which a
    /// space must follow).
    fn flow_key(&mut self, i: usize) -> Option<(Key, usize)> {
        let (value, end) = match self.at(i) {
            b'"' | b'\'' => self.quoted(i)?,
            _ => {
                let (value, end, _) = self.flow_plain(i)?;
                (value, end)
            }
        };
        if self.at(end) != b':' || self.at(end + 1) != b' ' || end - i > MAX_KEY {
            return None;
        }
        self.count(&value)?;
        Some((events::key_of(value, Span::new(i, end))?, end))
    }

    /// An item or value in a flow collection at `i`, with the byte after it.
    fn flow_value(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let (value, end) = match self.at(i) {
            b'[' | b'{' => return self.flow(i, depth + 1),
            b'"' | b'\'' => self.quoted(i)?,
            _ => {
                let (value, end, stop) = self.flow_plain(i)?;
                if self.at(stop) == b':' {
                    return None; // `[a: b]`, `{a: b: c}`
                }
                (value, end)
            }
        };
        Some((self.node(value, Span::new(i, end))?, end))
    }

    /// A plain scalar in a flow collection at `i`: its value, where its text
    /// ends and where reading stopped (a flow indicator or a `:` that is
    /// not part of the text).
    fn flow_plain(&self, i: usize) -> Option<(Value, usize, usize)> {
        let (mut j, mut end) = (i, i);
        loop {
            match self.at(j) {
                b'\n' | b',' | b'[' | b']' | b'{' | b'}' => break,
                b'#' if self.comment(j) => return None,
                b':' if ENDS_PLAIN.contains(&self.at(j + 1)) => {
                    break;
                }
                b' ' => {}
                _ => end = j + 1,
            }
            j += 1;
        }
        Some((self.plain(i, end)?, end, j))
    }

    /// The plain scalar `i..end`, resolved; `None` when it is empty or
    /// does not start as one (YAML's `ns-plain-first`).
    pub(super) fn plain(&self, i: usize, end: usize) -> Option<Value> {
        let first = self.at(i);
        let starts = match first {
            b'-' | b'?' | b':' => !ENDS_PLAIN.contains(&self.at(i + 1)),
            _ => !b",[]{}#&*!|>'\"%@`".contains(&first),
        };
        if end <= i || !starts {
            return None;
        }
        events::scalar(Cow::Borrowed(&self.text[i..end]), ScalarStyle::Plain)
    }

    /// A quoted scalar opened at `i` and closed on the same line, with the
    /// byte after its closing quote.
    pub(super) fn quoted(&self, i: usize) -> Option<(Value, usize)> {
        let quote = self.at(i);
        let mut out = String::new();
        let mut j = i + 1;
        let mut run = j;
        loop {
            match self.at(j) {
                b'\n' => return None,
                b'\'' if quote == b'\'' && self.at(j + 1) == b'\'' => {
                    out.push_str(&self.text[run..=j]);
                    j += 2;
                    run = j;
                }
                b'\\' if quote == b'"' => {
                    out.push_str(&self.text[run..j]);
                    out.push(match self.at(j + 1) {
                        b'\\' => '\\',
                        b'"' => '"',
                        b'/' => '/',
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'0' => '\0',
                        _ => return None,
                    });
                    j += 2;
                    run = j;
                }
                c if c == quote => break,
                _ => j += 1,
            }
        }
        out.push_str(&self.text[run..j]);
        Some((Value::Str(out), j + 1))
    }
}
