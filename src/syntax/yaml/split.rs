//! A large plain description parsed on two threads.
//!
//! Most of a big description is its `services:` map, one entry per service
//! at one indentation. When the text is provably plain enough that no YAML
//! construct can cross a line at that indentation ([`plan`]), the second
//! half of the entries is parsed on its own thread as a standalone map while
//! the rest of the document (head, first half, tail) is parsed here; the
//! pieces are then stitched back with every span moved to where it is in
//! the whole text. Whenever anything is in doubt — a piece does not parse,
//! a span touches the cut, the budget of the whole is near — this answers
//! `None` and the caller parses the whole text serially, so the tree and
//! every diagnostic are exactly the serial ones.

use super::events;
use crate::source::Span;
use crate::syntax::{Node, Value};

/// Below this, a thread costs more than it saves.
const MIN_BYTES: usize = 512 * 1024;

/// The tree of `text` parsed in two pieces, or `None` (parse serially).
pub fn parse(text: &str) -> Option<Node> {
    if text.len() < MIN_BYTES || std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        return None;
    }
    parse_split(text)
}

/// [`parse`] without the size and core thresholds (for tests).
pub fn parse_split(text: &str) -> Option<Node> {
    let cut = plan(text)?;
    let rest = [&text[..cut.mid], &text[cut.end..]].concat();
    let piece = &text[cut.mid..cut.end];
    let (a, b) = std::thread::scope(|s| {
        // The piece's root is the `services` map, one level below the root.
        let b = s.spawn(|| events::parse_counted(piece, 1));
        let a = events::parse_counted(&rest, 0);
        (a, b.join().ok().flatten())
    });
    let ((a, ca), (b, cb)) = (a?, b?);
    if !ca.add(cb).within_budget() {
        return None;
    }
    stitch(a, b, &cut)
}

/// Where the text is cut: the `services:` key, and the byte range of the
/// entries parsed apart (from an entry's first line to the end of the map).
#[derive(Debug, PartialEq)]
struct Cut {
    key: usize,
    mid: usize,
    end: usize,
}

/// The cut, when the text is plain enough for it to be safe: ASCII without
/// tabs, carriage returns or control characters; outside whole-line
/// comments, none of the characters that start anchors, aliases, tags,
/// block scalars, quotes or directives, no document markers, every flow collection closed on the line it opens
/// (and no comment on a line with one); a `services:` line at column 0
/// whose entries all sit at one indentation, the cut at one of them.
fn plan(text: &str) -> Option<Cut> {
    let half = text.len() / 2;
    let (mut key, mut mid, mut end) = (None, None, None);
    let mut indent = None;
    let mut first_entry = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let line = line.strip_suffix('\n').unwrap_or(line);
        if !plain_line(line) {
            return None;
        }
        if key.is_none() {
            if line == "services:" {
                key = Some(start);
            }
            continue;
        }
        if end.is_some() {
            continue;
        }
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let n = line.len() - content.len();
        if n == 0 {
            end = Some(start);
            continue;
        }
        let k = *indent.get_or_insert(n);
        if n < k {
            return None;
        }
        if n == k {
            if content.starts_with(['-', '?', ':', '[', '{']) {
                return None;
            }
            match first_entry {
                None => first_entry = Some(start),
                Some(_) if mid.is_none() && start >= half => mid = Some(start),
                Some(_) => {}
            }
        }
    }
    Some(Cut {
        key: key?,
        mid: mid?,
        end: end.unwrap_or(text.len()),
    })
}

/// Whether nothing on the line (without its line break) can reach past
/// it. A whole-line comment is ignored by YAML outside quotes and block
/// scalars, which other lines may not hold, so it may hold anything ASCII.
fn plain_line(line: &str) -> bool {
    let ascii = line.bytes().all(|b| (0x20..0x7f).contains(&b));
    if line.trim_start_matches(' ').starts_with('#') {
        return ascii;
    }
    ascii
        && !line.bytes().any(|b| b"&*!|>\"'%`@".contains(&b))
        && !line.starts_with("---")
        && !line.starts_with("...")
        && flow_closed(line)
}

/// Whether every `[` and `{` on the line closes on it, counted without
/// knowing which are indicators: never below zero, back to zero at the end,
/// and no comment that could hide a bracket.
fn flow_closed(line: &str) -> bool {
    let mut depth = 0i32;
    let mut any = false;
    for b in line.bytes() {
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth -= 1,
            _ => continue,
        }
        any = true;
        if depth < 0 {
            return false;
        }
    }
    depth == 0 && !(any && line.contains('#'))
}

/// The serial tree from the two pieces: `a` (head, first entries and tail,
/// with the tail `end - mid` bytes early) and `b` (the later entries, from
/// byte 0), or `None` if any span touches the cut.
fn stitch(mut a: Node, b: Node, cut: &Cut) -> Option<Node> {
    let (mid, shift) = (cut.mid as u32, (cut.end - cut.mid) as u32);
    let len = shift;
    let Value::Map(more) = b.value else {
        return None;
    };
    // The tail moves to where it is; nothing but the tail may reach the cut.
    let mut tail = |s: &mut Span| {
        if s.start >= mid {
            s.start += shift;
            s.end += shift;
        } else if s.end > mid {
            return None;
        }
        Some(())
    };
    tail(&mut a.span)?;
    let Value::Map(root) = &mut a.value else {
        return None;
    };
    let mut services = None;
    for (k, v) in root.iter_mut() {
        if k.span.start as usize == cut.key {
            // The first entries must end before the cut, whole.
            walk(v, &mut |s| (s.start < mid && s.end <= mid).then_some(()))?;
            services = Some(v);
        } else {
            tail(&mut k.span)?;
            walk(v, &mut tail)?;
        }
    }
    let Value::Map(entries) = &mut services?.value else {
        return None;
    };
    entries.reserve(more.len());
    for (mut k, mut v) in more {
        // The later entries move to the cut; none may touch their end.
        let mut moved = |s: &mut Span| {
            if s.start >= len || s.end > len {
                return None;
            }
            s.start += mid;
            s.end += mid;
            Some(())
        };
        moved(&mut k.span)?;
        walk(&mut v, &mut moved)?;
        entries.push((k, v));
    }
    Some(a)
}

/// Applies `f` to the span of `node` and of everything inside it.
fn walk(node: &mut Node, f: &mut impl FnMut(&mut Span) -> Option<()>) -> Option<()> {
    f(&mut node.span)?;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().try_for_each(|n| walk(n, f)),
        Value::Map(entries) => entries.iter_mut().try_for_each(|(k, v)| {
            f(&mut k.span)?;
            walk(v, f)
        }),
        _ => Some(()),
    }
}
