//! KDL front end: text → [`Node`], the same tree the YAML front end builds
//! for the equivalent YAML, so the decoder never knows which format it read.
//!
//! kdl-rs (KDL 2, with its KDL 1 fallback) parses the text; this module maps
//! its nodes onto maps, lists and scalars:
//!
//! | KDL                                       | tree                                                |
//! | ----------------------------------------- | --------------------------------------------------- |
//! | the document, a `{ … }` block             | a map, one entry per node, keyed by the node's name |
//! | `service "web" …`                         | entry `web` of the one `services` map (*)           |
//! | `version …`, `port …`, `environment …`    | likewise: `versions`, `ports`, `environments` (*)   |
//! | `route …`, `opt_out …`                    | the next item of the one `routes`, `opt_outs` (*)   |
//! | `calls`, `command`, `paths`, `on`, `args` | always a list of the arguments, even of one or none |
//! | `name`                                    | null                                                |
//! | `name 1`                                  | the scalar                                          |
//! | `name 1 2`                                | a list of the scalars                               |
//! | `name a=1 { b 2 }`                        | a map: the properties, then the block's entries     |
//! | `port "grpc" 50051 protocol="grpc"`       | `grpc: { port: 50051, protocol: grpc }`             |
//!
//! (*) gathered into one entry, placed where the first such node stands.
//!
//! A keyed node's first argument is its key (a string, or an integer taken
//! as its text); what remains is mapped like any other node. Arguments mixed
//! with properties or a block are an error (except for `port`), as is a keyed
//! node without a name. Plural blocks (`services { web { … } }`) are plain
//! maps; written next to singular nodes they give a second entry, which the
//! decoder reports as a duplicate. Maps keep duplicates and written order.
//! Scalars: strings, integers (beyond `i64` they become decimals), decimals,
//! `#true`/`#false` and `#null`; type annotations like `(duration)"10s"` are
//! ignored. Keys are spanned at the name, values at the value.
//!
//! kdl-rs recurses as it parses (into blocks, comments, `/-` and, after every
//! error at the top level, into the rest of the document) and slows down
//! sharply on some malformed strings, so hostile input could crash or hang
//! it. `prescan` therefore reads the text first, in one linear pass: it
//! refuses blocks nested deeper than [`MAX_DEPTH`](super::MAX_DEPTH), a `}`
//! closing nothing, unterminated strings and comments, and `/-` following
//! `/-`; it blanks block comments (kdl-rs never sees them); and it cuts the
//! text where top-level nodes end into batches of about 16 KiB. kdl-rs parses
//! batch by batch on a thread whose stack covers the most its recursion could
//! take on the largest batch, however it reads it, and reading stops after 32
//! syntax errors. Spans are moved back from the batch to the file.
//!
//! The stages live apart: `prescan` (text → checked, blanked text cut into
//! batches), the reading below (batches → one kdl-rs document, spans in the
//! file), `convert` (kdl-rs nodes → [`Node`] tree) and `errors` (every
//! diagnostic this front end words).

mod convert;
mod errors;
mod prescan;
#[cfg(test)]
mod tests;

use super::{Node, Value};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use convert::Convert;
use errors::{error_span, summarise, syntax_error};
use kdl::{KdlDocument, KdlNode};
use prescan::{Scanned, prescan};

/// Parses a KDL description into its document tree, or every problem found.
pub fn parse(text: &str) -> Result<Node, Vec<Diagnostic>> {
    match parse_recovering(text) {
        (Some(tree), diags) if diags.is_empty() => Ok(tree),
        (_, diags) => Err(diags),
    }
}

/// [`parse`], keeping the tree when only some nodes could not be mapped:
/// those are reported and left out, and the rest of the document is still
/// there to decode and check, so one mistake never hides another. `None`
/// when the text is not KDL at all.
pub fn parse_recovering(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
    let scanned = match prescan(text) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let doc = match read(&scanned) {
        Ok(doc) => doc,
        Err(diags) => return (None, diags),
    };
    let mut convert = Convert {
        text,
        diags: Vec::new(),
    };
    let entries = convert.block(doc.nodes(), 0);
    (
        Some(Node::new(Value::Map(entries), Span::new(0, text.len()))),
        convert.diags,
    )
}

// ---------------------------------------------------------------------------
// Reading: kdl-rs, batch by batch, on a thread whose stack covers whatever
// kdl-rs makes of the largest batch (see `prescan`).

/// At most this many syntax errors are reported; reading stops after them.
const MAX_SYNTAX_ERRORS: usize = 32;

/// Parses every batch and joins the nodes, spans made relative to the file.
fn read(scanned: &Scanned) -> Result<KdlDocument, Vec<Diagnostic>> {
    let outcome = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("kdl".into())
            .stack_size(scanned.stack)
            .spawn_scoped(scope, || read_batches(scanned))
            .map(|handle| handle.join())
    });
    let unreadable = |message: &str, help: &str| {
        vec![
            Diagnostic::new(Code::UnreadableInput, Span::new(0, 0), message)
                .label("this file")
                .help(help),
        ]
    };
    match outcome {
        Ok(Ok(result)) => result,
        Ok(Err(_panic)) => Err(unreadable(
            "the KDL parser failed on this description",
            "this is a bug in meshc or kdl-rs; please report it with the file that caused it.",
        )),
        Err(_) => Err(unreadable(
            "not enough memory to read this KDL description",
            "free some memory and try again, or write the description in YAML.",
        )),
    }
}

fn read_batches(scanned: &Scanned) -> Result<KdlDocument, Vec<Diagnostic>> {
    let mut doc = KdlDocument::new();
    let mut errors = Vec::new();
    for batch in &scanned.batches {
        match KdlDocument::parse(&scanned.text[batch.clone()]) {
            Ok(mut part) => {
                for node in part.nodes_mut() {
                    shift(node, batch.start);
                }
                doc.nodes_mut().append(part.nodes_mut());
            }
            Err(error) => {
                for found in &error.diagnostics {
                    let span = error_span(&scanned.text, batch, found.span);
                    errors.push(syntax_error(span, found));
                }
                if errors.len() >= MAX_SYNTAX_ERRORS {
                    break;
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(doc)
    } else {
        Err(summarise(errors))
    }
}

/// `start..end` inside `text`, widened to whole characters.
fn on_chars(text: &str, start: usize, end: usize) -> (usize, usize) {
    let mut start = start.min(text.len());
    let mut end = end.clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end)
}

/// Moves a node's spans (and its children's) from its batch into the file.
fn shift(node: &mut KdlNode, by: usize) {
    let moved = |s: miette::SourceSpan| miette::SourceSpan::new((s.offset() + by).into(), s.len());
    node.set_span(moved(node.span()));
    let name = moved(node.name().span());
    node.name_mut().set_span(name);
    for entry in node.entries_mut() {
        entry.set_span(moved(entry.span()));
        if let Some(name) = entry.name_mut() {
            name.set_span(moved(name.span()));
        }
    }
    if let Some(children) = node.children_mut() {
        for child in children.nodes_mut() {
            shift(child, by);
        }
    }
}
