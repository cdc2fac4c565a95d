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
//! kdl-rs recurses as it parses (into blocks, comments, `/-` and, after
//! every error at the top level, into the rest of the document) and slows
//! down sharply on some malformed strings, so hostile input could crash or
//! hang it. `prescan` therefore reads the text first, in one linear pass: it
//! refuses blocks nested deeper than [`MAX_DEPTH`], a `}` closing nothing,
//! unterminated strings and comments, and `/-` following `/-`; it blanks
//! block comments (kdl-rs never sees them); and it cuts the text where
//! top-level nodes end into batches of about 16 KiB. kdl-rs parses batch by
//! batch on a thread whose stack covers the most its recursion could take on
//! the largest batch, however it reads it, and reading stops after 32 syntax
//! errors. Spans are moved back from the batch to the file.

use super::{MAX_DEPTH, Node, Value, node::Key};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use kdl::{KdlDiagnostic, KdlDocument, KdlEntry, KdlIdentifier, KdlNode, KdlValue};
use std::ops::Range;

/// How a node's name decides where its value goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    /// Gathered into the named map, keyed by the node's first argument.
    Keyed {
        into: &'static str,
        example: &'static str,
    },
    /// Gathered, in order, into the named list.
    Listed { into: &'static str },
    /// Always a list of the node's arguments.
    List,
    /// Mapped by the general rule (null, scalar, list or map).
    Plain,
}

const SHAPES: &[(&str, Shape)] = &[
    ("service", keyed("services", "`service \"web\" { … }`")),
    ("version", keyed("versions", "`version \"v1\" image=\"…\"`")),
    ("port", keyed("ports", "`port \"http\" 8080`")),
    (
        "environment",
        keyed("environments", "`environment \"prod\" { … }`"),
    ),
    ("route", Shape::Listed { into: "routes" }),
    ("opt_out", Shape::Listed { into: "opt_outs" }),
    ("calls", Shape::List),
    ("command", Shape::List),
    ("paths", Shape::List),
    ("on", Shape::List),
    ("args", Shape::List),
];

const fn keyed(into: &'static str, example: &'static str) -> Shape {
    Shape::Keyed { into, example }
}

fn shape(name: &str) -> Shape {
    SHAPES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(Shape::Plain, |(_, s)| *s)
}

/// Parses a KDL description into its document tree, or every problem found.
pub fn parse(text: &str) -> Result<Node, Vec<Diagnostic>> {
    let scanned = prescan(text).map_err(|d| vec![d])?;
    let doc = read(&scanned)?;
    let mut convert = Convert {
        text,
        diags: Vec::new(),
    };
    let entries = convert.block(doc.nodes(), 0);
    if convert.diags.is_empty() {
        Ok(Node::new(Value::Map(entries), Span::new(0, text.len())))
    } else {
        Err(convert.diags)
    }
}

// ---------------------------------------------------------------------------
// Conversion: kdl-rs nodes → spanned tree.

struct Convert<'a> {
    text: &'a str,
    diags: Vec<Diagnostic>,
}

/// A gathered collection: its name and where its entry is.
struct Gathered {
    into: &'static str,
    at: usize,
}

impl Convert<'_> {
    /// A document or `{ … }` block → map entries. `depth` counts the blocks
    /// around `nodes`.
    fn block(&mut self, nodes: &[KdlNode], depth: usize) -> Vec<(Key, Node)> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut gathered: Vec<Gathered> = Vec::new();
        for node in nodes {
            let name = node.name().value();
            match shape(name) {
                Shape::Keyed { into, example } => {
                    let Some((key, value)) = self.keyed_item(node, example, depth) else {
                        continue;
                    };
                    let at = self.collection(
                        &mut entries,
                        &mut gathered,
                        into,
                        node,
                        Value::Map(Vec::new()),
                    );
                    if let Value::Map(items) = &mut entries[at].1.value {
                        items.push((key, value));
                    }
                }
                Shape::Listed { into } => {
                    let value = self.value(node, false, depth);
                    let at = self.collection(
                        &mut entries,
                        &mut gathered,
                        into,
                        node,
                        Value::Seq(Vec::new()),
                    );
                    if let Value::Seq(items) = &mut entries[at].1.value {
                        items.push(value);
                    }
                }
                Shape::List => {
                    let value = self.list(node);
                    entries.push((self.key(node), value));
                }
                Shape::Plain => {
                    let value = self.value(node, false, depth);
                    entries.push((self.key(node), value));
                }
            }
        }
        entries
    }

    /// Where collection `into` lives in `entries`, creating it (`empty`, at
    /// `node`) the first time.
    fn collection(
        &self,
        entries: &mut Vec<(Key, Node)>,
        gathered: &mut Vec<Gathered>,
        into: &'static str,
        node: &KdlNode,
        empty: Value,
    ) -> usize {
        if let Some(g) = gathered.iter().find(|g| g.into == into) {
            return g.at;
        }
        let key = Key {
            name: into.to_string(),
            span: self.name_span(node),
        };
        entries.push((key, Node::new(empty, self.span(node.span()))));
        gathered.push(Gathered {
            into,
            at: entries.len() - 1,
        });
        entries.len() - 1
    }

    /// `service "web" …` → (`web`, the rest of the node's value).
    fn keyed_item(&mut self, node: &KdlNode, example: &str, depth: usize) -> Option<(Key, Node)> {
        let name = node.name().value();
        let first = node.entries().iter().find(|e| e.name().is_none());
        let key = first.and_then(|e| match e.value() {
            KdlValue::String(s) => Some(s.clone()),
            KdlValue::Integer(i) => Some(i.to_string()),
            _ => None,
        });
        let (Some(first), Some(key)) = (first, key) else {
            let at = first.map_or_else(|| self.name_span(node), |e| self.entry_span(e));
            self.diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    at,
                    format!("`{name}` needs a name: {example}"),
                )
                .label(if first.is_some() {
                    "not a name"
                } else {
                    "no name"
                })
                .help(format!(
                    "write the {name}'s name as a string right after `{name}`, as in {example}."
                )),
            );
            return None;
        };
        let key = Key {
            name: key,
            span: self.entry_span(first),
        };
        Some((key, self.value(node, true, depth)))
    }

    /// The general rule: null, a scalar, a list of scalars or a map.
    /// `keyed` drops the first argument (the key, already taken).
    fn value(&mut self, node: &KdlNode, keyed: bool, depth: usize) -> Node {
        let span = self.span(node.span());
        let mut args: Vec<&KdlEntry> = node
            .entries()
            .iter()
            .filter(|e| e.name().is_none())
            .collect();
        if keyed && !args.is_empty() {
            args.remove(0);
        }
        let props: Vec<(&KdlIdentifier, &KdlEntry)> = node
            .entries()
            .iter()
            .filter_map(|e| e.name().map(|n| (n, e)))
            .collect();
        let children = node.children();
        if props.is_empty() && children.is_none() {
            return match args.as_slice() {
                [] => Node::new(Value::Null, span),
                [one] => self.scalar(one),
                many => Node::new(
                    Value::Seq(many.iter().map(|e| self.scalar(e)).collect()),
                    span,
                ),
            };
        }
        let mut entries = Vec::new();
        let name = node.name().value();
        match args.as_slice() {
            [] => {}
            [port] if keyed && name == "port" => {
                let key = Key {
                    name: "port".into(),
                    span: self.entry_span(port),
                };
                entries.push((key, self.scalar(port)));
            }
            [first, ..] => self.diags.push(
                Diagnostic::new(
                    Code::Syntax,
                    self.entry_span(first),
                    format!("the arguments of `{name}` must be written as `name=value` properties"),
                )
                .label("argument next to properties or a block")
                .help(
                    "a node with properties or a `{ … }` block takes no bare arguments; name each value, as in `autoscale min=2 max=10`.",
                ),
            ),
        }
        for (name, prop) in props {
            let key = Key {
                name: name.value().to_string(),
                span: self.span(name.span()),
            };
            entries.push((key, self.scalar(prop)));
        }
        if let Some(children) = children {
            if depth >= MAX_DEPTH {
                self.diags.push(too_deep(span));
            } else {
                entries.extend(self.block(children.nodes(), depth + 1));
            }
        }
        Node::new(Value::Map(entries), span)
    }

    /// `calls "a" "b"` → a list of the arguments, whatever their number.
    fn list(&mut self, node: &KdlNode) -> Node {
        let name = node.name().value();
        if let Some(extra) = node.entries().iter().find(|e| e.name().is_some()) {
            self.diags
                .push(list_only(name, self.entry_span(extra), "property"));
        } else if node.children().is_some() {
            self.diags
                .push(list_only(name, self.name_span(node), "block"));
        }
        let items = node
            .entries()
            .iter()
            .filter(|e| e.name().is_none())
            .map(|e| self.scalar(e))
            .collect();
        Node::new(Value::Seq(items), self.span(node.span()))
    }

    fn scalar(&self, entry: &KdlEntry) -> Node {
        let value = match entry.value() {
            KdlValue::String(s) => Value::Str(s.clone()),
            KdlValue::Integer(i) => i64::try_from(*i).map_or(Value::Float(*i as f64), Value::Int),
            KdlValue::Float(f) => Value::Float(*f),
            KdlValue::Bool(b) => Value::Bool(*b),
            KdlValue::Null => Value::Null,
        };
        Node::new(value, self.value_span(entry))
    }

    fn key(&self, node: &KdlNode) -> Key {
        Key {
            name: node.name().value().to_string(),
            span: self.name_span(node),
        }
    }

    fn name_span(&self, node: &KdlNode) -> Span {
        let s = self.span(node.name().span());
        if s.is_empty() {
            self.span(node.span())
        } else {
            s
        }
    }

    fn entry_span(&self, entry: &KdlEntry) -> Span {
        self.span(entry.span())
    }

    /// The value part of an entry (`"grpc"` in `protocol="grpc"`), else the entry.
    fn value_span(&self, entry: &KdlEntry) -> Span {
        let whole = self.entry_span(entry);
        let repr = entry.format().map_or("", |f| f.value_repr.as_str());
        let text = self
            .text
            .get(whole.start as usize..whole.end as usize)
            .unwrap_or("");
        if repr.is_empty() || !text.ends_with(repr) {
            return whole;
        }
        Span::new(whole.end as usize - repr.len(), whole.end as usize)
    }

    fn span(&self, s: miette::SourceSpan) -> Span {
        let (start, end) = on_chars(self.text, s.offset(), s.offset() + s.len());
        Span::new(start, end)
    }
}

fn list_only(name: &str, at: Span, what: &str) -> Diagnostic {
    Diagnostic::new(Code::Syntax, at, format!("`{name}` takes only arguments"))
        .label(format!("a {what} here"))
        .help(format!(
            "`{name}` is a list; write its items as arguments, as in `{name} \"a\" \"b\"`."
        ))
}

fn too_deep(at: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnreadableInput,
        at,
        format!("the description is nested more than {MAX_DEPTH} levels deep"),
    )
    .label("too deep")
    .help("a meshc description needs fewer than ten levels of `{ … }`; flatten the blocks.")
}

fn slashdash_twice(first: usize, second: usize) -> Diagnostic {
    Diagnostic::new(
        Code::Syntax,
        Span::new(second, second + 2),
        "`/-` after `/-`",
    )
    .label("second `/-`")
    .also(Span::new(first, first + 2), "first `/-`")
    .help("one `/-` comments out the node, argument or block after it; remove the other.")
}

fn closes_nothing(at: usize) -> Diagnostic {
    Diagnostic::new(Code::Syntax, Span::new(at, at + 1), "`}` closes no block")
        .label("no `{` before it")
        .help("remove the `}`, or add the `{` it should close.")
}

/// A top-level node (starting after `from`) too large to parse safely.
fn too_large(text: &str, from: usize) -> Diagnostic {
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

// ---------------------------------------------------------------------------
// Reading: the pre-scan, then kdl-rs, batch by batch, on a thread whose stack
// covers whatever kdl-rs makes of the largest batch.

/// Top-level nodes are handed to kdl-rs in batches that may need at most
/// about this much stack (some 16 KiB of text), so that its recursion is
/// bounded by the batch, not by the file.
const BATCH_STACK: usize = 24 << 20;
/// The most one level of kdl-rs's recursion was measured to take, with a
/// margin of about two: a restart after an error at the top level (any
/// byte), a block (`{`), a `/-` or `/*` (`/`). Every such byte in a batch is
/// counted, as kdl-rs may read strings differently from the pre-scan once it
/// has met an error. The measures hold for kdl-rs built with optimisation
/// (release, and dev through the profile's `opt-level = 1` for dependencies).
const STACK_PER_BYTE: usize = 1 << 10;
const STACK_PER_BRACE: usize = 12 << 10;
const STACK_PER_SLASH: usize = 10 << 10;
const STACK_BASE: usize = 4 << 20;
/// The largest stack the parser thread gets; a batch needing more (one
/// top-level node of about 120 KiB) is refused.
const STACK_MAX: usize = 128 << 20;
/// At most this many syntax errors are reported; reading stops after them.
const MAX_SYNTAX_ERRORS: usize = 32;

/// The text kdl-rs reads (block comments blanked), cut into batches of whole
/// top-level nodes, and the stack the largest batch needs.
#[derive(Debug)]
struct Scanned {
    text: String,
    batches: Vec<Range<usize>>,
    stack: usize,
}

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

/// Where a kdl-rs error is, in the file: its span moved out of the batch and
/// cut to its last line (kdl-rs spans some errors from the document's start).
fn error_span(text: &str, batch: &Range<usize>, span: miette::SourceSpan) -> Span {
    let start = (batch.start + span.offset()).min(batch.end);
    let (start, end) = on_chars(text, start, (start + span.len()).min(batch.end));
    let last_line = text[start..end]
        .trim_end()
        .rfind('\n')
        .map_or(start, |k| start + k + 1);
    Span::new(last_line, end)
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

fn syntax_error(span: Span, found: &KdlDiagnostic) -> Diagnostic {
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
fn summarise(mut errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
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

/// Reads the text once, without recursion, and refuses what kdl-rs cannot
/// read safely: blocks nested deeper than `MAX_DEPTH`, a `}` closing nothing,
/// unterminated strings and comments, and `/-` after `/-` (kdl-rs takes
/// quadratic time on a run of them). Strings are read as either KDL version
/// writes them. Block comments are blanked; the text is cut into batches
/// where a top-level node ends.
fn prescan(text: &str) -> Result<Scanned, Diagnostic> {
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

fn is_space(c: char) -> bool {
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

fn unterminated(start: usize, len: usize, what: &str) -> Diagnostic {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    const BOOKINFO_KDL: &str = r#"app "bookinfo"
namespace "bookinfo"
mesh "istio"
trust_domain "cluster.local"
defaults {
    replicas 1
    resources cpu="100m" memory="128Mi" cpu_limit="500m" memory_limit="256Mi"
}
service "productpage" {
    build runtime="python" context="./productpage" {
        command "python" "productpage.py" "9080"
    }
    port "http" 9080
    port "grpc" 50051 protocol="grpc"
    health http="/health"
    calls "details" "reviews"
    ingress host="bookinfo.example.com" tls_secret="bookinfo-cert" {
        paths "/productpage" "/static"
    }
    env {
        LOG_LEVEL "info"
        DB_PASSWORD secret="productpage-db/password"
    }
    config {
        "settings.json" "./productpage/settings.json"
    }
}
service "reviews" {
    port "http" 9080
    version "v1" image="docker.io/x/reviews-v1:1.20.1"
    version "v2" image="docker.io/x/reviews-v2:1.20.1" {
        calls "ratings"
    }
    autoscale min=2 max=10 cpu_percent=70
    traffic {
        split v1=50 v3=50
        route to="v2" {
            match {
                headers end-user="jason"
            }
        }
        timeout "10s"
        retries attempts=2 per_try_timeout="3s" {
            on "5xx" "connect-failure"
        }
        mirror to="v2" percent=10
        fault {
            delay fixed="7s" percent=100
            match {
                headers end-user="jason"
            }
        }
    }
    opt_out check="CKV_K8S_43" reason="tags are pinned by the release process"
}
environment "prod" {
    service "reviews" {
        replicas 3
    }
}
"#;

    const BOOKINFO_YAML: &str = r#"app: bookinfo
namespace: bookinfo
mesh: istio
trust_domain: cluster.local
defaults:
  replicas: 1
  resources: { cpu: 100m, memory: 128Mi, cpu_limit: 500m, memory_limit: 256Mi }
services:
  productpage:
    build: { runtime: python, context: ./productpage, command: [python, productpage.py, "9080"] }
    ports: { http: 9080, grpc: { port: 50051, protocol: grpc } }
    health: { http: /health }
    calls: [details, reviews]
    ingress: { host: bookinfo.example.com, paths: [/productpage, /static], tls_secret: bookinfo-cert }
    env: { LOG_LEVEL: info, DB_PASSWORD: { secret: productpage-db/password } }
    config: { settings.json: ./productpage/settings.json }
  reviews:
    ports: { http: 9080 }
    versions:
      v1: { image: "docker.io/x/reviews-v1:1.20.1" }
      v2: { image: "docker.io/x/reviews-v2:1.20.1", calls: [ratings] }
    autoscale: { min: 2, max: 10, cpu_percent: 70 }
    traffic:
      split: { v1: 50, v3: 50 }
      routes:
        - match: { headers: { end-user: jason } }
          to: v2
      timeout: 10s
      retries: { attempts: 2, per_try_timeout: 3s, on: [5xx, connect-failure] }
      mirror: { to: v2, percent: 10 }
      fault: { delay: { fixed: 7s, percent: 100 }, match: { headers: { end-user: jason } } }
    opt_outs:
      - { check: CKV_K8S_43, reason: "tags are pinned by the release process" }
environments:
  prod:
    services:
      reviews: { replicas: 3 }
"#;

    /// The tree without spans, each map's entries sorted by key (stably, so
    /// duplicates stay in order): what the decoder would see either way.
    fn plain(node: &Node) -> Node {
        let value = match &node.value {
            Value::Seq(items) => Value::Seq(items.iter().map(plain).collect()),
            Value::Map(entries) => {
                let mut entries: Vec<(Key, Node)> = entries
                    .iter()
                    .map(|(k, v)| {
                        let key = Key {
                            name: k.name.clone(),
                            span: Span::default(),
                        };
                        (key, plain(v))
                    })
                    .collect();
                entries.sort_by(|a, b| a.0.name.cmp(&b.0.name));
                Value::Map(entries)
            }
            scalar => scalar.clone(),
        };
        Node::new(value, Span::default())
    }

    fn entries(node: &Node) -> &[(Key, Node)] {
        match &node.value {
            Value::Map(entries) => entries,
            other => panic!("expected a map, found {other:?}"),
        }
    }

    /// The entry at `path` (first match at each step).
    fn entry<'a>(node: &'a Node, path: &[&str]) -> &'a (Key, Node) {
        let (first, rest) = path.split_first().expect("a non-empty path");
        let found = entries(node)
            .iter()
            .find(|(k, _)| k.name == *first)
            .unwrap_or_else(|| panic!("no `{first}`"));
        if rest.is_empty() {
            found
        } else {
            entry(&found.1, rest)
        }
    }

    /// The value at `path`, without spans.
    fn at(path: &[&str], text: &str) -> Value {
        plain(&entry(&parse(text).unwrap(), path).1).value
    }

    fn seq(items: Vec<Value>) -> Value {
        Value::Seq(
            items
                .into_iter()
                .map(|v| Node::new(v, Span::default()))
                .collect(),
        )
    }

    fn names(node: &Node) -> Vec<&str> {
        entries(node).iter().map(|(k, _)| k.name.as_str()).collect()
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    fn errors(text: &str) -> Vec<Diagnostic> {
        parse(text).expect_err("a diagnostic")
    }

    fn str(s: &str) -> Value {
        Value::Str(s.into())
    }

    #[test]
    fn bookinfo_reads_as_its_yaml_twin() {
        let kdl = parse(BOOKINFO_KDL).unwrap();
        let yaml = crate::syntax::yaml::parse(BOOKINFO_YAML).unwrap();
        assert_eq!(plain(&kdl), plain(&yaml));
    }

    #[test]
    fn collections_are_gathered_where_the_first_item_stands() {
        let root = parse("app \"x\"\nservice \"a\"\nmesh \"istio\"\nservice \"b\"\n").unwrap();
        assert_eq!(names(&root), ["app", "services", "mesh"]);
        assert_eq!(names(&entry(&root, &["services"]).1), ["a", "b"]);
        let routes = at(&["routes"], "route to=\"a\"\nx 1\nroute to=\"b\"\n");
        let Value::Seq(routes) = routes else { panic!() };
        assert_eq!(routes.len(), 2);
        assert_eq!(entry(&routes[1], &["to"]).1.value, str("b"));
    }

    #[test]
    fn duplicates_are_kept_for_the_decoder() {
        let root = parse("service \"a\" { replicas 1 }\nservice \"a\" { replicas 2 }\n").unwrap();
        assert_eq!(names(&entry(&root, &["services"]).1), ["a", "a"]);
        let root = parse("service \"a\"\nservices { b }\nreplicas 1\nreplicas 2\n").unwrap();
        assert_eq!(
            names(&root),
            ["services", "services", "replicas", "replicas"]
        );
    }

    #[test]
    fn node_values_follow_their_shape() {
        assert_eq!(at(&["a"], "a"), Value::Null);
        assert_eq!(at(&["a"], "a 1"), Value::Int(1));
        assert_eq!(at(&["a"], "a 1 \"x\""), seq(vec![Value::Int(1), str("x")]));
        assert_eq!(at(&["a"], "a {}"), Value::Map(vec![]));
        assert_eq!(at(&["a", "b"], "a b=1 { c 2 }"), Value::Int(1));
        assert_eq!(
            names(&entry(&parse("a b=1 { c 2 }").unwrap(), &["a"]).1),
            ["b", "c"]
        );
        assert_eq!(at(&["calls"], "calls \"x\""), seq(vec![str("x")]));
        assert_eq!(at(&["calls"], "calls"), Value::Seq(vec![]));
        assert_eq!(
            at(&["on"], "on \"5xx\" \"reset\""),
            seq(vec![str("5xx"), str("reset")])
        );
    }

    #[test]
    fn scalars_map_one_to_one() {
        let text = "s \"x\"\ni -3\nf 1.5\nt #true\nn #null\nbig 99999999999999999999\nty (duration)\"10s\"\n";
        let root = parse(text).unwrap();
        let values: Vec<&Value> = entries(&root).iter().map(|(_, v)| &v.value).collect();
        assert_eq!(
            values,
            [
                &str("x"),
                &Value::Int(-3),
                &Value::Float(1.5),
                &Value::Bool(true),
                &Value::Null,
                &Value::Float(1e20),
                &str("10s")
            ]
        );
    }

    #[test]
    fn ports_keep_their_number_next_to_properties() {
        let root = parse("port \"grpc\" 50051 protocol=\"grpc\"\nport 8080 9080\n").unwrap();
        let ports = &entry(&root, &["ports"]).1;
        assert_eq!(names(ports), ["grpc", "8080"]);
        assert_eq!(names(&entry(ports, &["grpc"]).1), ["port", "protocol"]);
        assert_eq!(entry(ports, &["grpc", "port"]).1.value, Value::Int(50051));
        assert_eq!(entry(ports, &["8080"]).1.value, Value::Int(9080));
    }

    #[test]
    fn spans_point_at_what_was_written() {
        let text = BOOKINFO_KDL;
        let root = parse(text).unwrap();
        assert_eq!(root.span, Span::new(0, text.len()));
        let (key, value) = entry(&root, &["services", "productpage"]);
        assert_eq!(slice(text, key.span), "\"productpage\"");
        assert!(slice(text, value.span).starts_with("service \"productpage\" {"));
        let (key, _) = entry(&root, &["services"]);
        assert_eq!(slice(text, key.span), "service");
        let (key, value) = entry(&root, &["defaults", "replicas"]);
        assert_eq!(
            (slice(text, key.span), slice(text, value.span)),
            ("replicas", "1")
        );
        let (key, value) = entry(&root, &["defaults", "resources", "memory"]);
        assert_eq!(
            (slice(text, key.span), slice(text, value.span)),
            ("memory", "\"128Mi\"")
        );
        let (_, value) = entry(&root, &["services", "reviews", "traffic", "timeout"]);
        assert_eq!(slice(text, value.span), "\"10s\"");
        let (key, value) = entry(&root, &["services", "productpage", "ports", "grpc", "port"]);
        assert_eq!(
            (slice(text, key.span), slice(text, value.span)),
            ("50051", "50051")
        );
    }

    #[test]
    fn spans_survive_blanked_comments_and_wide_characters() {
        let text = "/* { é } */ app /* x */ \"é\" // {\nmesh \"istio\"\n";
        let root = parse(text).unwrap();
        let (key, value) = entry(&root, &["app"]);
        assert_eq!(
            (slice(text, key.span), slice(text, value.span)),
            ("app", "\"é\"")
        );
        assert_eq!(value.value, str("é"));
        assert_eq!(slice(text, entry(&root, &["mesh"]).1.span), "\"istio\"");
    }

    #[test]
    fn arguments_next_to_properties_are_reported_each() {
        let text = "autoscale 2 max=10\nservice \"a\" {\n    health \"/h\" { x 1 }\n}\n";
        let diags = errors(text);
        assert_eq!(diags.len(), 2);
        assert!(diags.iter().all(|d| d.code == Code::Syntax));
        assert!(
            diags[0].message.contains("`autoscale`"),
            "{}",
            diags[0].message
        );
        assert_eq!(slice(text, diags[0].primary.span), "2");
        assert_eq!(slice(text, diags[1].primary.span), "\"/h\"");
        assert!(diags[1].help.as_deref().unwrap().ends_with('.'));
    }

    #[test]
    fn keyed_nodes_need_a_name() {
        let diags = errors("service {\n    replicas 1\n}\n");
        assert_eq!(
            diags[0].message,
            "`service` needs a name: `service \"web\" { … }`"
        );
        let text = "version #true image=\"x\"";
        let diags = errors(text);
        assert_eq!(slice(text, diags[0].primary.span), "#true");
    }

    #[test]
    fn lists_take_only_arguments() {
        let diags = errors("calls \"a\" b=1\n");
        assert_eq!(diags[0].message, "`calls` takes only arguments");
    }

    #[test]
    fn kdl_1_is_read_through_the_fallback() {
        let text = "app \"shop\"\nflag true\nopts key=true other=null\nnothing null\npath r\"C:\\dir\\\"\nraw r#\"a\"b\"#\nmulti \"a\nb\"\n";
        let root = parse(text).unwrap();
        assert_eq!(at(&["flag"], text), Value::Bool(true));
        assert_eq!(at(&["opts", "key"], text), Value::Bool(true));
        assert_eq!(at(&["opts", "other"], text), Value::Null);
        assert_eq!(at(&["nothing"], text), Value::Null);
        assert_eq!(at(&["path"], text), str("C:\\dir\\"));
        assert_eq!(at(&["raw"], text), str("a\"b"));
        assert_eq!(at(&["multi"], text), str("a\nb"));
        assert_eq!(slice(text, entry(&root, &["opts", "key"]).1.span), "true");
    }

    #[test]
    fn parse_errors_become_m001_each() {
        let text = "a \"b\" {\n    c 1\n";
        let diags = errors(text);
        assert!(!diags.is_empty());
        for d in &diags {
            assert_eq!(d.code, Code::Syntax);
            assert!(d.message.starts_with("invalid KDL: "), "{}", d.message);
            let first = d.message["invalid KDL: ".len()..].chars().next().unwrap();
            assert!(!first.is_uppercase(), "{}", d.message);
            assert!(d.primary.span.end as usize <= text.len());
            assert!(d.help.is_some());
        }
    }

    #[test]
    fn many_parse_errors_are_summarised() {
        let diags = errors(&"a=\n".repeat(200));
        assert_eq!(diags.len(), MAX_SYNTAX_ERRORS + 1);
        assert!(
            diags[MAX_SYNTAX_ERRORS]
                .message
                .starts_with("meshc stopped reading after 32 KDL syntax errors")
        );
    }

    /// `n` services in the shape the benchmark generates.
    fn services(n: usize) -> String {
        let mut text = String::from("app \"big\"\n");
        for i in 0..n {
            text.push_str(&format!(
                "service \"svc-{i}\" {{\n    port \"http\" 8080\n    calls \"svc-{}\"\n    env {{\n        LOG_LEVEL \"info\" // {{ \\\n    }}\n    version \"v1\" image=\"registry.example.com/x/svc-{i}:1.0.0\"\n}}\n",
                i + 1
            ));
        }
        text
    }

    #[test]
    fn large_descriptions_are_read_in_batches() {
        let text = services(2_000);
        let scanned = prescan(&text).unwrap();
        assert!(scanned.batches.len() > 20);
        assert!(scanned.batches.windows(2).all(|w| w[0].end == w[1].start));
        assert!(scanned.stack <= STACK_BASE + BATCH_STACK);
        let root = survives("2,000 services", &text).unwrap();
        let services = &entry(&root, &["services"]).1;
        assert_eq!(entries(services).len(), 2_000);
        let (key, value) = entry(services, &["svc-1999"]);
        assert_eq!(slice(&text, key.span), "\"svc-1999\"");
        assert!(slice(&text, value.span).starts_with("service \"svc-1999\" {"));
        let (_, image) = entry(services, &["svc-1999", "versions", "v1", "image"]);
        assert_eq!(
            slice(&text, image.span),
            "\"registry.example.com/x/svc-1999:1.0.0\""
        );
    }

    #[test]
    fn nodes_continue_across_lines_within_a_batch() {
        // Every piece needs more than half a batch's stack, so a batch would
        // be cut wherever the pre-scan thought a node ended. An escaped
        // newline, and a `/-` before a newline, do not end the node.
        let pad = format!("\"{}\"", "x".repeat(13 << 10));
        let comment = format!("/*{}*/", "x".repeat(13 << 10));
        let text =
            format!("a {pad} \\ // more\n  {pad}\n/- {comment}\nb {pad}\nc {pad}\nd {pad}\n");
        for text in [text.clone(), text.replace('\n', "\r\n")] {
            assert_eq!(prescan(&text).unwrap().batches.len(), 4);
            let root = parse(&text).unwrap();
            assert_eq!(names(&root), ["a", "c", "d"]);
            let Value::Seq(a) = &entry(&root, &["a"]).1.value else {
                panic!()
            };
            assert_eq!(a.len(), 2);
        }
    }

    #[test]
    fn syntax_errors_point_into_the_file_from_any_batch() {
        let text = format!("{}a \"b\" c=\n", services(100));
        let diags = errors(&text);
        assert_eq!(diags.len(), 1);
        assert_eq!(slice(&text, diags[0].primary.span).trim_end(), "a \"b\" c=");
    }

    #[test]
    fn reading_stops_after_many_errors() {
        let text = "=\n".repeat(100_000);
        let diags = survives("100k lines of junk", &text).unwrap_err();
        assert_eq!(diags.len(), MAX_SYNTAX_ERRORS + 1);
    }

    #[test]
    fn prescan_refuses_what_kdl_rs_cannot_read_safely() {
        let cases: &[(&str, Code, &str)] = &[
            ("a 1\n}\n", Code::Syntax, "`}` closes no block"),
            ("a \"b\n", Code::Syntax, "unterminated string"),
            ("a \"\"\"\nb\n", Code::Syntax, "unterminated string"),
            ("a #\"b\"\n", Code::Syntax, "unterminated raw string"),
            ("a /* b /* c */\n", Code::Syntax, "unterminated comment"),
            ("/- /- a\n", Code::Syntax, "`/-` after `/-`"),
            ("a /-\n  /* c */ /- 1\n", Code::Syntax, "`/-` after `/-`"),
        ];
        for (text, code, message) in cases {
            let diags = errors(text);
            assert_eq!(
                (diags.len(), diags[0].code, diags[0].message.as_str()),
                (1, *code, *message),
                "{text:?}"
            );
        }
        // One `/-` is fine, on nodes, arguments and blocks.
        let root = parse("/- service \"x\"\nservice \"y\" /- { a 1 }\nb 1 /-2 3\n").unwrap();
        assert_eq!(names(&entry(&root, &["services"]).1), ["y"]);
        assert_eq!(
            at(&["b"], "b 1 /-2 3"),
            seq(vec![Value::Int(1), Value::Int(3)])
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!("{}{}", "a {\n".repeat(MAX_DEPTH), "}\n".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let text = format!(
            "{}{}",
            "a {\n".repeat(MAX_DEPTH + 1),
            "}\n".repeat(MAX_DEPTH + 1)
        );
        let diags = errors(&text);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::UnreadableInput);
        assert_eq!(
            diags[0].message,
            "the description is nested more than 64 levels deep"
        );
        assert_eq!(
            diags[0].primary.span.start as usize,
            text.rfind('{').unwrap()
        );
    }

    /// Parses `text` on a test thread's small stack, failing if it takes
    /// longer than a (generous) bound.
    fn survives(name: &str, text: &str) -> Result<Node, Vec<Diagnostic>> {
        let started = Instant::now();
        let result = parse(text);
        let took = started.elapsed();
        eprintln!("{name}: {took:?}, {} bytes", text.len());
        assert!(took < Duration::from_secs(5), "{name} took {took:?}");
        result
    }

    fn code_of(result: Result<Node, Vec<Diagnostic>>) -> Option<Code> {
        result.err().map(|d| d[0].code)
    }

    #[test]
    fn hostile_nesting_is_refused_quickly() {
        let m007 = Some(Code::UnreadableInput);
        assert_eq!(code_of(survives("100k {", &"{".repeat(100_000))), m007);
        assert_eq!(code_of(survives("40k a {", &"a {".repeat(40_000))), m007);
        assert_eq!(
            code_of(survives("25k a /-{", &"a /-{".repeat(25_000))),
            m007
        );
        assert_eq!(
            code_of(survives("100k }", &"}".repeat(100_000))),
            Some(Code::Syntax)
        );
        let comments = format!("{}{}a 1\n", "/*".repeat(30_000), "*/".repeat(30_000));
        assert!(survives("30k nested comments", &comments).is_ok());
        let stars = format!("/* {} */\na 1\n", "* / ".repeat(30_000));
        assert!(survives("comment pieces", &stars).is_ok());
        assert_eq!(
            code_of(survives("slashdash run", &"/-".repeat(50_000))),
            Some(Code::Syntax)
        );
        assert_eq!(
            code_of(survives("(( x 100k", &format!("a {}", "(".repeat(100_000)))),
            Some(Code::Syntax)
        );
    }

    #[test]
    fn hostile_errors_do_not_exhaust_the_stack() {
        // Each of these makes kdl-rs restart (and recurse) once per character.
        for junk in ["=", ")", "a}", "\\ ", ";{}"] {
            let text = junk.repeat(40_000 / junk.len());
            assert_eq!(
                code_of(survives(junk, &text)),
                Some(Code::Syntax),
                "{junk:?}"
            );
        }
        // Braces the pre-scan reads as a string, but kdl-rs reads as blocks
        // after recovering from the bad number before them.
        let text = format!("a 1x\"  {}\"\n", "{".repeat(5_000));
        assert!(survives("hidden braces", &text).is_err());
    }

    #[test]
    fn hostile_strings_are_quick() {
        assert_eq!(
            code_of(survives(
                "unterminated",
                &format!("a \"{}", "x".repeat(120_000))
            )),
            Some(Code::Syntax)
        );
        assert_eq!(
            code_of(survives(
                "unterminated raw",
                &format!("a ##\"{}\"#", "x\"#".repeat(33_000))
            )),
            Some(Code::Syntax)
        );
        // kdl-rs takes quadratic time on these; the pre-scan stops them.
        assert_eq!(
            code_of(survives(
                "raw multi-line openers",
                &"#\"\"\"\n".repeat(20_000)
            )),
            Some(Code::Syntax)
        );
        assert_eq!(
            code_of(survives("escaped closers", &"\"\"\"\n \\".repeat(20_000))),
            Some(Code::Syntax)
        );
        let big = format!("a \"{}\"\n", "x".repeat(120_000));
        assert_eq!(at(&["a"], &big), str(&"x".repeat(120_000)));
        survives("120 KB string", &big).unwrap();
        let too_big = format!("a \"{}\"\n", "x".repeat(1_000_000));
        assert_eq!(
            code_of(survives("1 MB string", &too_big)),
            Some(Code::UnreadableInput)
        );
    }

    #[test]
    fn hostile_lines_and_garbage_are_quick() {
        let line = format!("a{}\n", " 1".repeat(50_000));
        let root = survives("long line", &line).unwrap();
        let Value::Seq(items) = &entry(&root, &["a"]).1.value else {
            panic!()
        };
        assert_eq!(items.len(), 50_000);
        // Deterministic pseudo-random bytes, read as text the way meshc reads files.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let bytes: Vec<u8> = (0..40_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect();
        let garbage = String::from_utf8_lossy(&bytes);
        assert!(survives("binary garbage", &garbage).is_err());
        // Without the bytes the pre-scan stops at, so that kdl-rs reads it.
        let garbage = garbage.replace(['"', '{', '}', '/', '#'], "");
        let diags = survives("binary garbage for kdl-rs", &garbage).unwrap_err();
        assert!(
            diags[0].message.starts_with("invalid KDL: "),
            "{}",
            diags[0].message
        );
    }

    /// Every span inside the text and on character boundaries.
    fn assert_spans(text: &str, result: &Result<Node, Vec<Diagnostic>>) {
        let check = |span: Span| {
            let (s, e) = (span.start as usize, span.end as usize);
            assert!(s <= e && e <= text.len(), "{s}..{e} in {text:?}");
            assert!(
                text.is_char_boundary(s) && text.is_char_boundary(e),
                "{s}..{e} in {text:?}"
            );
        };
        fn walk(node: &Node, check: &dyn Fn(Span)) {
            check(node.span);
            match &node.value {
                Value::Seq(items) => items.iter().for_each(|n| walk(n, check)),
                Value::Map(entries) => entries.iter().for_each(|(k, v)| {
                    check(k.span);
                    walk(v, check);
                }),
                _ => {}
            }
        }
        match result {
            Ok(node) => walk(node, &check),
            Err(diags) => {
                assert!(!diags.is_empty());
                for d in diags {
                    check(d.primary.span);
                    d.secondary.iter().for_each(|l| check(l.span));
                }
            }
        }
    }

    #[test]
    fn errors_at_wide_characters_stay_on_character_boundaries() {
        for text in ["a 1 é=", "é\u{1F600}}", "a \"b\" 😀😀\n{", "a (😀)", "😀=1"] {
            assert_spans(text, &parse(text));
        }
    }

    #[test]
    fn random_kdl_shaped_input_never_crashes() {
        const ALPHABET: &[&str] = &[
            "{", "}", "(", ")", "=", "/-", "/*", "*/", "//", "\"", "\"\"\"", "#\"", "\"#", "r#\"",
            "#", "\\", " ", "\n", ";", "a", "1", "1.5", "#true", "true", "é",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let started = Instant::now();
        for _ in 0..200 {
            let len = (next() % 4_000) as usize;
            let text: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            assert_spans(&text, &parse(&text));
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }
}
