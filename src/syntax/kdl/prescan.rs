//! The pre-scan: the KDL text → the same text with block comments blanked,
//! cut where top-level nodes end into batches kdl-rs can read on a bounded
//! stack ([`Scanned`]), or the first problem that would make kdl-rs recurse
//! too deep or take too long (a [`Diagnostic`]). One linear pass, no
//! recursion.

use super::errors::{closes_nothing, slashdash_twice, too_deep, too_large, unterminated};
use crate::diag::Diagnostic;
use crate::source::Span;
use crate::syntax::MAX_DEPTH;
use std::ops::Range;

/// Top-level nodes are handed to kdl-rs in batches that may need at most
/// about this much stack (some 16 KiB of text), so that its recursion is
/// bounded by the batch, not by the file.
pub(super) const BATCH_STACK: usize = 24 << 20;
/// The most one level of kdl-rs's recursion was measured to take, with a
/// margin of about two: a restart after an error at the top level (any
/// byte), a block (`{`), a `/-` or `/*` (`/`). Every such byte in a batch is
/// counted, as kdl-rs may read strings differently from the pre-scan once it
/// has met an error. The measures hold for kdl-rs built with optimisation
/// (release, and dev through the profile's `opt-level = 1` for dependencies).
const STACK_PER_BYTE: usize = 1 << 10;
const STACK_PER_BRACE: usize = 12 << 10;
const STACK_PER_SLASH: usize = 10 << 10;
pub(super) const STACK_BASE: usize = 4 << 20;
/// The largest stack the parser thread gets; a batch needing more (one
/// top-level node of about 120 KiB) is refused.
const STACK_MAX: usize = 128 << 20;

/// The text kdl-rs reads (block comments blanked), cut into batches of whole
/// top-level nodes, and the stack the largest batch needs.
#[derive(Debug)]
pub(super) struct Scanned {
    pub(super) text: String,
    pub(super) batches: Vec<Range<usize>>,
    pub(super) stack: usize,
}

/// Reads the text once, without recursion, and refuses what kdl-rs cannot
/// read safely: blocks nested deeper than `MAX_DEPTH`, a `}` closing nothing,
/// unterminated strings and comments, and `/-` after `/-` (kdl-rs takes
/// quadratic time on a run of them). Strings are read as either KDL version
/// writes them. Block comments are blanked; the text is cut into batches
/// where a top-level node ends.
pub(super) fn prescan(text: &str) -> Result<Scanned, Diagnostic> {
    let b = text.as_bytes();
    let mut comments: Vec<(usize, usize)> = Vec::new();
    // Where top-level nodes end: the batches may be cut there.
    let mut node_ends: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    // A `/-` followed so far by nothing but space, newlines and comments.
    let mut slashdash: Option<usize> = None;
    // A `\` followed so far by nothing but space and comments: the node goes
    // on after the newline.
    let mut escline = false;
    let mut i = 0;
    while i < b.len() {
        if let Some(raw) = raw_start(b, i) {
            i = raw_end(b, i, raw)?;
            (slashdash, escline) = (None, false);
            continue;
        }
        let next = b.get(i + 1).copied();
        match b[i] {
            b'"' => {
                i = quoted_end(b, i)?;
                (slashdash, escline) = (None, false);
            }
            b'/' if next == Some(b'/') => i = line_end(text, i),
            b'/' if next == Some(b'*') => {
                let end = comment_end(b, i)?;
                comments.push((i, end));
                i = end;
            }
            b'/' if next == Some(b'-') => {
                if let Some(first) = slashdash {
                    return Err(slashdash_twice(first, i));
                }
                slashdash = Some(i);
                escline = false;
                i += 2;
            }
            b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(too_deep(Span::new(i, i + 1)));
                }
                (slashdash, escline) = (None, false);
                i += 1;
            }
            b'}' => {
                if depth == 0 {
                    return Err(closes_nothing(i));
                }
                depth -= 1;
                (slashdash, escline) = (None, false);
                i += 1;
            }
            b'\\' => {
                escline = true;
                i += 1;
            }
            // A CRLF newline is handled at its LF.
            b'\r' if next == Some(b'\n') => i += 1,
            b'\n' | b'\r' | b';' => {
                let ends_node = b[i] == b';' || !escline;
                if ends_node && depth == 0 && slashdash.is_none() {
                    node_ends.push(i + 1);
                }
                if b[i] == b';' {
                    slashdash = None;
                }
                escline = false;
                i += 1;
            }
            _ => {
                let c = text.get(i..).and_then(|t| t.chars().next());
                if !c.is_some_and(is_space) {
                    (slashdash, escline) = (None, false);
                }
                i += c.map_or(1, char::len_utf8);
            }
        }
    }
    let text = blank(text, &comments);
    let (batches, stack) = batches(&text, &node_ends)?;
    Ok(Scanned {
        text,
        batches,
        stack,
    })
}

/// Cuts the text where top-level nodes end into batches needing at most
/// `BATCH_STACK` each (one node alone may need more, up to `STACK_MAX`), and
/// returns them with the stack the most demanding one needs.
fn batches(text: &str, node_ends: &[usize]) -> Result<(Vec<Range<usize>>, usize), Diagnostic> {
    let mut done = Vec::new();
    let (mut start, mut end, mut cost, mut most) = (0, 0, 0usize, 0);
    for &next in node_ends.iter().chain([text.len()].iter()) {
        let node = stack_cost(&text.as_bytes()[end..next]);
        if node > STACK_MAX {
            return Err(too_large(text, end));
        }
        if cost.saturating_add(node) > BATCH_STACK && end > start {
            done.push(start..end);
            (start, cost) = (end, 0);
        }
        (cost, end) = (cost.saturating_add(node), next);
        most = most.max(cost);
    }
    if start < text.len() || done.is_empty() {
        done.push(start..text.len());
    }
    Ok((done, STACK_BASE + most))
}

/// The stack kdl-rs may need for these bytes, however it reads them.
fn stack_cost(bytes: &[u8]) -> usize {
    let count = |c: u8| bytes.iter().filter(|&&b| b == c).count();
    (bytes.len().saturating_mul(STACK_PER_BYTE))
        .saturating_add(count(b'{').saturating_mul(STACK_PER_BRACE))
        .saturating_add(count(b'/').saturating_mul(STACK_PER_SLASH))
}

pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

fn is_newline(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// A raw string's opening: `#"`, `##"""` (KDL 2) or `r"`, `r#"` (KDL 1).
#[derive(Clone, Copy)]
struct Raw {
    /// Where the first `"` is.
    quote: usize,
    hashes: usize,
    multi_line: bool,
}

fn raw_start(b: &[u8], i: usize) -> Option<Raw> {
    let (after, v1) = match b[i] {
        b'#' => (i, false),
        b'r' if token_start(b, i) => (i + 1, true),
        _ => return None,
    };
    let hashes = b[after..].iter().take_while(|&&c| c == b'#').count();
    let quote = after + hashes;
    if b.get(quote) != Some(&b'"') {
        return None;
    }
    let multi_line = !v1 && b[quote..].starts_with(b"\"\"\"");
    Some(Raw {
        quote,
        hashes,
        multi_line,
    })
}

/// Whether `b[i]` starts a token (so an `r` there may open a KDL 1 raw string).
fn token_start(b: &[u8], i: usize) -> bool {
    i == 0
        || b[i - 1].is_ascii_whitespace()
        || b"(){}[];=,<>\\".contains(&b[i - 1])
        || (i >= 2 && &b[i - 2..i] == b"/-")
}

/// The end of the raw string opened at `start`: the first `"` (`"""` when
/// multi-line) followed by as many `#` as opened it. Linear: each run of `#`
/// is counted once.
fn raw_end(b: &[u8], start: usize, raw: Raw) -> Result<usize, Diagnostic> {
    let quotes = if raw.multi_line { 3 } else { 1 };
    let mut j = raw.quote + quotes;
    while j < b.len() {
        if b[j..].starts_with(&b"\"\"\""[..quotes]) {
            let run = b[j + quotes..].iter().take_while(|&&c| c == b'#').count();
            if run >= raw.hashes {
                return Ok(j + quotes + raw.hashes);
            }
            // A closing quote can start right after a lone `"`, not within a run of `#`.
            j += if run == 0 { 1 } else { quotes + run };
        } else {
            j += 1;
        }
    }
    Err(unterminated(
        start,
        raw.quote + quotes - start,
        "raw string",
    ))
}

/// The end of the string opened at `start`: `"…"` (which KDL 1 lets span
/// lines) or `"""…"""`, skipping `\` escapes.
fn quoted_end(b: &[u8], start: usize) -> Result<usize, Diagnostic> {
    let close: &[u8] = if b[start..].starts_with(b"\"\"\"") {
        b"\"\"\""
    } else {
        b"\""
    };
    let mut j = start + close.len();
    while j < b.len() {
        if b[j] == b'\\' {
            j += 2;
        } else if b[j..].starts_with(close) {
            return Ok(j + close.len());
        } else {
            j += 1;
        }
    }
    Err(unterminated(start, close.len(), "string"))
}

/// The end of the (nestable) block comment opened at `start`.
fn comment_end(b: &[u8], start: usize) -> Result<usize, Diagnostic> {
    let mut open = 0usize;
    let mut j = start;
    while j + 1 < b.len() {
        match (b[j], b[j + 1]) {
            (b'/', b'*') => {
                open += 1;
                j += 2;
            }
            (b'*', b'/') => {
                open -= 1;
                j += 2;
                if open == 0 {
                    return Ok(j);
                }
            }
            _ => j += 1,
        }
    }
    Err(unterminated(start, 2, "comment"))
}

/// Where the `//` comment at `start` ends (its newline stays code).
fn line_end(text: &str, start: usize) -> usize {
    text[start..]
        .find(is_newline)
        .map_or(text.len(), |k| start + k)
}

/// The text with every block comment replaced by as many spaces, so spans
/// stay the same and kdl-rs never recurses into a comment.
fn blank(text: &str, comments: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for &(start, end) in comments {
        out.push_str(&text[last..start]);
        out.extend(std::iter::repeat_n(' ', end - start));
        last = end;
    }
    out.push_str(&text[last..]);
    out
}
