//! The everyday path: the block YAML descriptions are written in, read by
//! hand into a [`Node`] tree in one pass over the bytes.
//!
//! granit-parser (under serde-saphyr) pulls events at about 17 MB/s, which
//! is most of a 10,000-service `check`. Descriptions use a small part of
//! YAML: block maps and lists, one-line flow collections (`{ http: 8080 }`,
//! `[a, b]`), plain and one-line quoted scalars, comments. This reads
//! exactly that part, giving every node the span granit-parser gives it
//! (`quick_tests` holds the two to each other), and answers `None` for
//! anything else — a multi-line scalar, an anchor or tag, a tab, a
//! non-ASCII byte, any syntax error, a budget nearly reached — so the
//! caller reads the text through the full parser and its messages.

mod flow;

use super::events::{self, Counts};
use crate::source::Span;
use crate::syntax::{MAX_DEPTH, Node, Value, node::Key};

/// The tree of `text`, or `None` when the full parser must decide.
pub fn parse(text: &str) -> Option<Node> {
    parse_counted(text, 0).map(|(root, _)| root)
}

/// [`parse`] of a piece whose root sits `depth` levels deep in the whole
/// document, with what it used of the budget (as `events::parse_counted`).
pub fn parse_counted(text: &str, depth: usize) -> Option<(Node, Counts)> {
    // Tabs, carriage returns, control and non-ASCII characters have rules
    // of their own; none is needed to write a description.
    if !text
        .bytes()
        .all(|b| b == b'\n' || (b' '..=b'~').contains(&b))
    {
        return None;
    }
    // Document markers (and look-alike keys) are the full parser's.
    if ["---", "..."]
        .iter()
        .any(|m| text.starts_with(m) || text.contains(&format!("\n{m}")))
    {
        return None;
    }
    let mut r = Reader {
        s: text.as_bytes(),
        text,
        line: 0,
        counts: Counts {
            events: 4, // stream and document, start and end
            ..Counts::default()
        },
        entries: Vec::new(),
        items: Vec::new(),
    };
    let (start, col) = r.next_line()?;
    let root = r.block_node(start, col, depth)?;
    // Whatever is left (a line less indented than the root) is an error.
    if r.next_line().is_some() || !r.counts.within_budget() {
        return None;
    }
    Some((root, r.counts))
}

/// Nesting this deep is left to the full parser and its budget.
const DEEP: usize = MAX_DEPTH / 2;
/// YAML's limit on the length of an implicit key.
const MAX_KEY: usize = 1024;

struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    /// The start of the first line not read yet.
    line: usize,
    counts: Counts,
    /// The entries and items of the open collections, innermost last:
    /// each collection takes its own off the top when it closes, into a
    /// vector of exactly its length.
    entries: Vec<(Key, Node)>,
    items: Vec<Node>,
}

impl Reader<'_> {
    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(b'\n')
    }

    /// Whether `i` ends the line (a line break, or the end of the text).
    fn eol(&self, i: usize) -> bool {
        self.at(i) == b'\n'
    }

    fn spaces(&self, mut i: usize) -> usize {
        while self.at(i) == b' ' {
            i += 1;
        }
        i
    }

    fn line_end(&self, i: usize) -> usize {
        self.s[i.min(self.s.len())..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.s.len(), |n| i + n)
    }

    /// The next line with content (blank and comment lines skipped): the
    /// byte its content starts at and its indentation. It stays unread.
    fn next_line(&mut self) -> Option<(usize, usize)> {
        while self.line < self.s.len() {
            let start = self.spaces(self.line);
            if !matches!(self.at(start), b'\n' | b'#') {
                return Some((start, start - self.line));
            }
            self.line = self.line_end(start) + 1;
        }
        None
    }

    /// Whether a comment starts at `i` (a `#` after a space).
    fn comment(&self, i: usize) -> bool {
        self.at(i) == b'#' && i > 0 && self.at(i - 1) == b' '
    }

    /// Reads the rest of the line from `i`: spaces, then its end or a comment.
    fn finish_line(&mut self, i: usize) -> Option<()> {
        let j = self.spaces(i);
        if !self.eol(j) && !self.comment(j) {
            return None;
        }
        self.line = self.line_end(j) + 1;
        Some(())
    }

    fn count(&mut self, value: &Value) -> Option<()> {
        let c = &mut self.counts;
        c.nodes += 1;
        c.events += if matches!(value, Value::Seq(_) | Value::Map(_)) {
            2
        } else {
            1
        };
        if let Value::Str(s) = value {
            c.scalar_bytes += s.len();
        }
        c.within_budget().then_some(())
    }

    fn node(&mut self, value: Value, span: Span) -> Option<Node> {
        self.count(&value)?;
        Some(Node::new(value, span))
    }

    /// The block collection whose first line's content is at `i`, `col`
    /// columns in: a list when it starts with `- `, else a map.
    fn block_node(&mut self, i: usize, col: usize, depth: usize) -> Option<Node> {
        if depth > DEEP {
            return None;
        }
        if self.dash(i) {
            self.block_seq(i, col, depth, false)
        } else {
            self.block_map(i, col, depth)
        }
    }

    /// Whether a list item starts at `i`.
    fn dash(&self, i: usize) -> bool {
        self.at(i) == b'-' && matches!(self.at(i + 1), b' ' | b'\n')
    }

    /// A block map whose first key is at `i`, its keys `col` columns in.
    fn block_map(&mut self, mut i: usize, col: usize, depth: usize) -> Option<Node> {
        let base = self.entries.len();
        loop {
            let (key, colon) = self.block_key(i)?;
            let value = self.block_value(colon, col, depth)?;
            self.entries.push((key, value));
            match self.next_line() {
                Some((next, c)) if c == col && !self.dash(next) => i = next,
                Some((_, c)) if c >= col => return None,
                _ => break,
            }
        }
        // granit-parser places a block map where its first key starts.
        let first = self.entries[base].0.span.start as usize;
        let entries = self.entries.drain(base..).collect();
        self.node(Value::Map(entries), Span::new(first, first))
    }

    /// A mapping key at `i` and the position of its `:`; `None` unless it
    /// is a one-line key directly followed by `: ` or `:` and the line end.
    fn block_key(&mut self, i: usize) -> Option<(Key, usize)> {
        let (value, end) = match self.at(i) {
            b'"' | b'\'' => self.quoted(i)?,
            _ => {
                let mut j = i;
                while !(self.at(j) == b':' && matches!(self.at(j + 1), b' ' | b'\n')) {
                    if self.eol(j) || b"#[]{},".contains(&self.at(j)) {
                        return None;
                    }
                    j += 1;
                }
                if j == i || self.at(j - 1) == b' ' {
                    return None; // `key  :`, spaces the full parser trims
                }
                (self.plain(i, j)?, j)
            }
        };
        if self.at(end) != b':' || !matches!(self.at(end + 1), b' ' | b'\n') || end - i > MAX_KEY {
            return None;
        }
        self.count(&value)?;
        Some((events::key_of(value, Span::new(i, end))?, end))
    }

    /// The value after the `:` at `colon` of a key `col` columns in.
    fn block_value(&mut self, colon: usize, col: usize, depth: usize) -> Option<Node> {
        let i = self.spaces(colon + 1);
        if !self.eol(i) && self.at(i) != b'#' {
            let node = self.inline(i, depth)?;
            return self.after_inline(node, col);
        }
        self.finish_line(i)?;
        match self.next_line() {
            Some((next, c)) if c > col => self.block_node(next, c, depth + 1),
            Some((next, c)) if c == col && self.dash(next) => {
                self.block_seq(next, c, depth + 1, true)
            }
            _ => self.node(Value::Null, Span::new(colon, colon)),
        }
    }

    /// Ends a value written on its key's or dash's line: what follows may
    /// not be indented past `col` (it would continue a multi-line scalar).
    fn after_inline(&mut self, (node, end): (Node, usize), col: usize) -> Option<Node> {
        self.finish_line(end)?;
        match self.next_line() {
            Some((_, c)) if c > col => None,
            _ => Some(node),
        }
    }

    /// A block list whose first `-` is at `i`, `col` columns in;
    /// `indentless` when it sits at its key's indentation (`key:\n- a`).
    fn block_seq(
        &mut self,
        mut i: usize,
        col: usize,
        depth: usize,
        indentless: bool,
    ) -> Option<Node> {
        let base = self.items.len();
        let mut span = Span::new(i, i);
        loop {
            let j = self.spaces(i + 1);
            if j == i + 1 || self.eol(j) || self.at(j) == b'#' || self.dash(j) {
                return None; // an empty item, or a list in a list
            }
            if indentless && self.items.len() == base {
                // granit-parser places such a list at its first item.
                span = Span::new(j, j);
            }
            let item = if self.starts_key(j) {
                self.block_map(j, j - self.line, depth + 1)?
            } else {
                let node = self.inline(j, depth)?;
                self.after_inline(node, col)?
            };
            self.items.push(item);
            match self.next_line() {
                Some((next, c)) if c == col && self.dash(next) => i = next,
                Some((_, c)) if c > col || (c == col && !indentless) => return None,
                _ => break,
            }
        }
        let items = self.items.drain(base..).collect();
        self.node(Value::Seq(items), span)
    }

    /// Whether the line from `i` holds a mapping key (`name: ` before any
    /// comment), so that a list item there is a map.
    fn starts_key(&self, i: usize) -> bool {
        let mut j = match self.at(i) {
            b'[' | b'{' => return false,
            b'"' | b'\'' => return true, // a quoted scalar alone is left to the full parser
            _ => i,
        };
        loop {
            match self.at(j) {
                b'\n' => return false,
                b'#' if self.comment(j) => return false,
                b':' if matches!(self.at(j + 1), b' ' | b'\n') => return true,
                _ => j += 1,
            }
        }
    }
}
