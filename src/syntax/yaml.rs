//! YAML front end: text → [`Node`] through serde-saphyr.
//!
//! serde-saphyr gives every value its byte span (`Spanned`), enforces a parse
//! budget (depth, aliases, events) so hostile input cannot exhaust memory,
//! and hands duplicate keys through so the decoder can point at both.

use super::{MAX_DEPTH, Node, Value, node::Key};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Location, Spanned};
use std::fmt;

pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_documents: 1,
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
    let message = first_line(&e.without_snippet().to_string());
    Diagnostic::new(Code::Syntax, at, format!("invalid YAML: {message}"))
        .label("here")
        .help("fix the YAML syntax at this point; `meshc explain M001` shows a valid description")
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
        match raw.0 {
            Value::Str(s) => Ok(KeyText(s)),
            Value::Int(i) => Ok(KeyText(i.to_string())),
            Value::Float(f) => Ok(KeyText(f.to_string())),
            Value::Bool(b) => Ok(KeyText(b.to_string())),
            Value::Null => Ok(KeyText("null".into())),
            Value::Seq(_) | Value::Map(_) => {
                Err(de::Error::custom("a mapping key must be a plain name"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: &Node) -> Vec<(&str, Span)> {
        match &n.value {
            Value::Map(m) => m.iter().map(|(k, _)| (k.name.as_str(), k.span)).collect(),
            _ => panic!("not a map"),
        }
    }

    #[test]
    fn keeps_key_and_value_spans() {
        let text = "app: shop\nservices:\n  web: { image: nginx }\n";
        let root = parse(text).unwrap();
        let k = keys(&root);
        assert_eq!(k[0].0, "app");
        assert_eq!(&text[k[0].1.start as usize..k[0].1.end as usize], "app");
        let Value::Map(m) = &root.value else { panic!() };
        assert_eq!(m[0].1.value, Value::Str("shop".into()));
        assert_eq!(m[0].1.span.start, 5);
    }

    #[test]
    fn duplicate_keys_pass_through() {
        let root = parse("a: 1\na: 2\n").unwrap();
        assert_eq!(keys(&root).len(), 2);
    }

    #[test]
    fn scalars_are_yaml_1_2() {
        let root = parse("a: yes\nb: 0777\nc: '9080'\nd: 9080\n").unwrap();
        let Value::Map(m) = root.value else { panic!() };
        assert_eq!(m[0].1.value, Value::Str("yes".into()));
        assert_eq!(m[2].1.value, Value::Str("9080".into()));
        assert_eq!(m[3].1.value, Value::Int(9080));
    }

    #[test]
    fn deep_nesting_is_a_diagnostic() {
        let text = "[".repeat(10_000);
        let d = parse(&text).unwrap_err();
        assert_eq!(d.code, Code::Syntax);
    }
}
