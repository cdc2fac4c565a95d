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
//! every diagnostic are exactly the serial ones. Either reader reads the
//! pieces ([`Piece`]): the hand reader first, granit-parser's events when
//! the hand reader declines a piece.

use super::events::Counts;
use crate::source::Span;
use crate::syntax::{Node, Value};

/// Below this, a thread costs more than it saves.
const MIN_BYTES: usize = 512 * 1024;

/// Parses a piece whose root sits the given number of levels deep, with
/// what it used of the budget: `quick::parse_counted` or
/// `events::parse_counted`.
pub type Piece = fn(&str, usize) -> Option<(Node, Counts)>;

/// Where `text` can be cut for two threads, or `None` (parse serially):
/// too small to be worth a thread, one core, or not plainly safe to cut.
pub fn cut(text: &str) -> Option<Cut> {
    if text.len() < MIN_BYTES || std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        return None;
    }
    plan(text)
}

/// The tree of `text` cut at `cut`, each piece read by `piece`, or `None`
/// (a piece did not answer, or the stitch is in doubt).
pub fn parse(text: &str, cut: &Cut, piece: Piece) -> Option<Node> {
    let rest = [&text[..cut.mid], &text[cut.end..]].concat();
    let later = &text[cut.mid..cut.end];
    let (a, b) = std::thread::scope(|s| {
        // The piece's root is the `services` map, one level below the root.
        let b = s.spawn(|| piece(later, 1));
        let a = piece(&rest, 0);
        (a, b.join().ok().flatten())
    });
    let ((a, ca), (b, cb)) = (a?, b?);
    if !ca.add(cb).within_budget() {
        return None;
    }
    stitch(a, b, cut)
}

/// [`parse`] without the size and core thresholds (for tests).
#[cfg(test)]
pub fn parse_split(text: &str, piece: Piece) -> Option<Node> {
    parse(text, &plan(text)?, piece)
}

/// Where the text is cut: the `services:` key, and the byte range of the
/// entries parsed apart (from an entry's first line to the end of the map).
#[derive(Debug, PartialEq)]
pub struct Cut {
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

/// What a byte can do to a line, for [`plain_line`].
const TEXT: u8 = 0;
const OTHER: u8 = 1; // not printable ASCII
const INDICATOR: u8 = 2; // starts an anchor, alias, tag, block scalar, quote, directive
const OPEN: u8 = 3;
const CLOSE: u8 = 4;
const HASH: u8 = 5;

const CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0x20;
    while b < 0x7f {
        t[b] = TEXT;
        b += 1;
    }
    let indicators = b"&*!|>\"'%`@";
    let mut i = 0;
    while i < indicators.len() {
        t[indicators[i] as usize] = INDICATOR;
        i += 1;
    }
    t[b'[' as usize] = OPEN;
    t[b'{' as usize] = OPEN;
    t[b']' as usize] = CLOSE;
    t[b'}' as usize] = CLOSE;
    t[b'#' as usize] = HASH;
    t
};

/// Whether nothing on the line (without its line break) can reach past
/// it. A whole-line comment is ignored by YAML outside quotes and block
/// scalars, which other lines may not hold, so it may hold anything ASCII.
/// Otherwise: none of the indicators, no document marker, and every `[`
/// and `{` closed on the line, counted without knowing which are
/// indicators (never below zero, back to zero at the end), with no
/// comment that could hide a bracket. One pass over the bytes: this reads
/// every line of a large description.
fn plain_line(line: &str) -> bool {
    let comment = line.trim_start_matches(' ').starts_with('#');
    let (mut depth, mut brackets, mut hash, mut indicator) = (0i32, false, false, false);
    for &b in line.as_bytes() {
        match CLASS[b as usize] {
            TEXT => {}
            OTHER => return false,
            INDICATOR => indicator = true,
            OPEN => {
                depth += 1;
                brackets = true;
            }
            CLOSE => {
                depth -= 1;
                brackets = true;
                if depth < 0 && !comment {
                    return false;
                }
            }
            _ => hash = true,
        }
    }
    comment
        || !(indicator
            || line.starts_with("---")
            || line.starts_with("...")
            || depth != 0
            || (brackets && hash))
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
