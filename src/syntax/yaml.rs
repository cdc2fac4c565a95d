//! YAML front end: text → [`Node`].
//!
//! The YAML descriptions are written in is read by hand (`quick`); plain
//! YAML it declines (no anchors, aliases, tags or merge keys) is built
//! straight from granit-parser's events (`events`), about three times
//! faster than through serde. A large file is cut in two and its pieces
//! read on two threads (`split`), by hand when the hand reader reads both,
//! else from events.
//! Everything else, and every error, goes through serde-saphyr, which
//! gives every value its byte span (`Spanned`), enforces a parse budget
//! (depth, aliases, events) so hostile input cannot exhaust memory, and hands
//! duplicate keys through so the decoder can point at both.

mod events;
mod quick;
#[cfg(test)]
mod quick_tests;
mod split;
#[cfg(test)]
mod split_tests;
#[cfg(test)]
mod tests;

use super::{MAX_DEPTH, Node, Value, node::Key};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Location, Spanned};
use std::fmt;

/// serde-saphyr's budget: room for `MAX_SERVICES` services of about
/// seventy values each.
const MAX_NODES: usize = 1_000_000;
const MAX_EVENTS: usize = 3_000_000;

pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let cut = split::cut(text);
    if let Some(root) = cut
        .as_ref()
        .and_then(|c| split::parse(text, c, quick::parse_counted))
    {
        return Ok(root);
    }
    if let Some(root) = quick::parse(text) {
        return Ok(root);
    }
    if let Some(root) = cut
        .as_ref()
        .and_then(|c| split::parse(text, c, events::parse_counted))
    {
        return Ok(root);
    }
    parse_serial(text)
}

/// [`parse`] on one thread.
fn parse_serial(text: &str) -> Result<Node, Diagnostic> {
    match events::parse(text) {
        Some(root) => Ok(root),
        None => parse_serde(text),
    }
}

/// The full YAML reading (and every error message) of serde-saphyr.
fn parse_serde(text: &str) -> Result<Node, Diagnostic> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_documents: 1,
            max_nodes: MAX_NODES,
            max_events: MAX_EVENTS,
        },
        // A real description shares a few blocks; a "billion laughs" stops here, early.
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 10_000,
        },
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
        // YAML 1.2: `on`, `yes`, `no` are strings, and `0777` keeps its zero.
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
    };
    match serde_saphyr::from_str_with_options::<Spanned<Raw>>(text, options) {
        Ok(root) => Ok(Node::new(root.value.0, span(&root.referenced))),
        Err(e) => Err(syntax_error(text, &e)),
    }
}

fn syntax_error(text: &str, e: &serde_saphyr::Error) -> Diagnostic {
    let at = e
        .location()
        .map(|l| match l.span().byte_offset() {
            Some(_) if l.span().byte_offset() != Some(0) || l.line() <= 1 => span(&l),
            _ => offset_of(text, l.line(), l.column()),
        })
        .unwrap_or_else(|| Span::new(text.len(), text.len()));
    if let Some(d) = over_budget(e, at) {
        return d;
    }
    let message = first_line(&e.without_snippet().to_string());
    Diagnostic::new(Code::Syntax, at, format!("invalid YAML: {message}"))
        .label("here")
        .help("fix the YAML syntax at this point; `meshc explain M001` shows a valid description")
}

/// A parse budget exceeded: the YAML may well be valid, but meshc will not
/// read that much of it (M007, not a syntax error).
fn over_budget(e: &serde_saphyr::Error, at: Span) -> Option<Diagnostic> {
    use serde_saphyr::budget::BudgetBreach as B;
    use serde_saphyr::{Error as E, ExternalMessageSource as X, granit_parser::ErrorKind};
    let mut e = e;
    while let E::WithSnippet { error, .. } | E::AliasError { error, .. } = e {
        e = error;
    }
    let (code, message, help) = match e {
        E::Budget {
            breach: B::Depth { .. },
            ..
        } => deep(),
        // `[[[…` is stopped by the scanner before the depth budget sees it.
        E::ExternalMessage { source, .. } if matches!(&**source, X::Parser(s) if matches!(s.kind(), ErrorKind::RecursionLimitExceeded)) => {
            deep()
        }
        E::Budget {
            breach:
                B::Aliases { .. }
                | B::Anchors { .. }
                | B::AliasAnchorRatio { .. }
                | B::RecordedAnchorEvents { .. }
                | B::RecordedAnchorBytes { .. }
                | B::MergeKeys { .. },
            ..
        }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => (
            Code::UnreadableInput,
            "the description expands YAML aliases (`*name`) into more than meshc reads".into(),
            "write the repeated values out, or use `defaults` and `environments` instead of aliases",
        ),
        E::Budget {
            breach: B::Documents { .. },
            ..
        } => (
            Code::Syntax,
            "the file holds more than one YAML document".into(),
            "keep one description per file; remove the `---` separator",
        ),
        E::Budget { .. } => (
            Code::UnreadableInput,
            "the description is too large: it has more values than meshc reads".into(),
            "split the application into several descriptions",
        ),
        _ => return None,
    };
    Some(
        Diagnostic::new(code, at, message)
            .label("meshc stopped reading here")
            .help(help),
    )
}

fn deep() -> (Code, String, &'static str) {
    (
        Code::UnreadableInput,
        format!("the description is nested more than {MAX_DEPTH} levels deep"),
        "descriptions need fewer than ten levels; is this file generated by mistake?",
    )
}

/// The byte span of one character at a 1-based line and column.
fn offset_of(text: &str, line: u64, column: u64) -> Span {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let rest = &text[line_start.min(text.len())..];
    let col: usize = rest
        .chars()
        .take(column.saturating_sub(1) as usize)
        .map(char::len_utf8)
        .sum();
    let at = (line_start + col).min(text.len());
    let width = text[at..].chars().next().map_or(0, char::len_utf8);
    Span::new(at, at + width)
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    // serde-saphyr appends " at line X column Y"; the report shows that already.
    match line.find(" at line ") {
        Some(i) => line[..i].to_string(),
        None => line.to_string(),
    }
}

fn span(l: &Location) -> Span {
    let s = l.span();
    let start = s.byte_offset().unwrap_or(0) as usize;
    let len = s.byte_len().unwrap_or(0) as usize;
    Span::new(start, start + len)
}

/// A value without its own span (the enclosing `Spanned` carries it).
struct Raw(Value);

/// A mapping key: any scalar, kept as the text the user wrote.
struct KeyText(String);

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw(Value::Int(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw(match i64::try_from(v) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(v as f64),
        }))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw(match i64::try_from(v) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(v as f64),
        }))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw(match i64::try_from(v) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(v as f64),
        }))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw(Value::Float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw(Value::Str(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw(Value::Str(v)))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw(Value::Str(String::from_utf8_lossy(v).into_owned())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Raw>>()? {
            items.push(Node::new(item.value.0, span(&item.referenced)));
        }
        Ok(Raw(Value::Seq(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyText>>()? {
            let value = map.next_value::<Spanned<Raw>>()?;
            entries.push((
                Key {
                    name: key.value.0,
                    span: span(&key.referenced),
                },
                Node::new(value.value.0, span(&value.referenced)),
            ));
        }
        Ok(Raw(Value::Map(entries)))
    }
}

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Raw::deserialize(d)?;
        raw.0
            .into_key_text()
            .map(KeyText)
            .ok_or_else(|| de::Error::custom("a mapping key must be a plain name"))
    }
}
