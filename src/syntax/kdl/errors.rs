//! Diagnostics: every problem the KDL front end reports, worded in one
//! place. In: what went wrong and where (byte offsets in the file, or a
//! kdl-rs diagnostic and the batch it came from); out: [`Diagnostic`]s, the
//! syntax errors in file order and capped at `MAX_SYNTAX_ERRORS`.

use super::prescan::is_space;
use super::{MAX_SYNTAX_ERRORS, on_chars};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::MAX_DEPTH;
use kdl::KdlDiagnostic;
use std::ops::Range;

pub(super) fn list_only(name: &str, at: Span, what: &str) -> Diagnostic {
    Diagnostic::new(Code::Syntax, at, format!("`{name}` takes only arguments"))
        .label(format!("a {what} here"))
        .help(format!(
            "`{name}` is a list; write its items as arguments, as in `{name} \"a\" \"b\"`."
        ))
}

pub(super) fn too_deep(at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnreadableInput,
        at,
        format!("the description is nested more than {MAX_DEPTH} levels deep"),
    )
    .label("too deep")
    .help("a meshc description needs fewer than ten levels of `{ … }`; flatten the blocks.")
}

pub(super) fn slashdash_twice(first: usize, second: usize) -> Diagnostic {
    Diagnostic::new(
        Code::Syntax,
        Span::new(second, second + 2),
        "`/-` after `/-`",
    )
    .label("second `/-`")
    .also(Span::new(first, first + 2), "first `/-`")
    .help("one `/-` comments out the node, argument or block after it; remove the other.")
}

pub(super) fn closes_nothing(at: usize) -> Diagnostic {
    Diagnostic::new(Code::Syntax, Span::new(at, at + 1), "`}` closes no block")
        .label("no `{` before it")
        .help("remove the `}`, or add the `{` it should close.")
}

/// A top-level node (starting after `from`) too large to parse safely.
pub(super) fn too_large(text: &str, from: usize) -> Diagnostic {
    let at = text[from..]
        .find(|c: char| !is_space(c))
        .map_or(from, |k| from + k);
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    Diagnostic::new(
        Code::UnreadableInput,
        Span::new(at, end),
        "this node is too large for meshc's KDL reader",
    )
    .label("the node starts here")
    .help("write it as several top-level nodes (`service \"a\" { … }` rather than one `services { … }`), or write the description in YAML.")
}

pub(super) fn unterminated(start: usize, len: usize, what: &str) -> Diagnostic {
    let closer = match what {
        "comment" => "`*/`",
        "raw string" => "the same `\"` and number of `#` that open it",
        _ => "the same quotes that open it",
    };
    Diagnostic::new(
        Code::Syntax,
        Span::new(start, start + len),
        format!("unterminated {what}"),
    )
    .label(format!("this {what} never ends"))
    .help(format!("close the {what} with {closer}."))
}

/// Where a kdl-rs error is, in the file: its span moved out of the batch and
/// cut to its last line (kdl-rs spans some errors from the document's start).
pub(super) fn error_span(text: &str, batch: &Range<usize>, span: miette::SourceSpan) -> Span {
    let start = (batch.start + span.offset()).min(batch.end);
    let (start, end) = on_chars(text, start, (start + span.len()).min(batch.end));
    let last_line = text[start..end]
        .trim_end()
        .rfind('\n')
        .map_or(start, |k| start + k + 1);
    Span::new(last_line, end)
}

pub(super) fn syntax_error(span: Span, found: &KdlDiagnostic) -> Diagnostic {
    let message = found.message.as_deref().unwrap_or("unexpected input");
    let help = found.help.clone().unwrap_or_else(|| {
        "fix the KDL syntax at this point; `meshc explain M001` shows a valid description".into()
    });
    Diagnostic::new(
        Code::Syntax,
        span,
        format!("invalid KDL: {}", lowercase(message)),
    )
    .label(found.label.as_deref().unwrap_or("here"))
    .help(help)
}

/// Syntax errors in file order, duplicates dropped, at most
/// `MAX_SYNTAX_ERRORS` and a note when there were more.
pub(super) fn summarise(mut errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    errors.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.primary.span.start, d.primary.span.end, d.message.clone());
        key(a).cmp(&key(b))
    });
    errors.dedup_by(|a, b| a.primary.span == b.primary.span && a.message == b.message);
    if errors.len() > MAX_SYNTAX_ERRORS {
        errors.truncate(MAX_SYNTAX_ERRORS);
        let last = errors[MAX_SYNTAX_ERRORS - 1].primary.span;
        errors.push(
            Diagnostic::new(
                Code::Syntax,
                last,
                format!("meshc stopped reading after {MAX_SYNTAX_ERRORS} KDL syntax errors"),
            )
            .label("the last one shown")
            .help("fix the errors shown first; the others often follow from them."),
        );
    }
    errors
}

/// `Expected end of document.` → `expected end of document`.
fn lowercase(message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    let mut chars = message.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
