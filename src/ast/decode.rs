//! Document tree → AST. Every problem is recorded and decoding goes on, so
//! one run reports all of them: unknown fields (with the closest known name),
//! wrong types, duplicates, missing fields, malformed values.

use super::{Description, Name, Spanned};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::source::Span;
use crate::syntax::{Key, Node, Value};

/// Decodes a whole description; the AST is partial where diagnostics were raised.
pub fn decode(root: &Node) -> (Description, Vec<Diagnostic>) {
    let mut d = Decoder::default();
    let desc = super::fields::description(&mut d, root);
    (desc, d.diags)
}

/// Maps with at most this many keys find duplicates by scanning.
const SCAN_UP_TO: usize = 16;

#[derive(Default)]
pub struct Decoder {
    pub diags: Vec<Diagnostic>,
}

/// A map being decoded against its shape; fields are taken by name.
pub struct Obj<'n> {
    shape: &'static Object,
    entries: Vec<&'n (Key, Node)>,
    pub span: Span,
}

impl<'n> Obj<'n> {
    pub fn get(&self, name: &str) -> Option<&'n Node> {
        debug_assert!(
            self.shape.field(name).is_some(),
            "`{name}` is not in the schema of `{}`",
            self.shape.name
        );
        self.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(_, n)| n)
            .filter(|n| n.value != Value::Null)
    }

    pub fn key(&self, name: &str) -> Option<&'n Key> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(k, _)| k)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

impl Decoder {
    pub fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn wrong_type(&mut self, node: &Node, expected: &str, help: &str) {
        self.report(
            Diagnostic::new(
                Code::WrongType,
                node.span,
                format!("expected {expected}, found {}", node.kind()),
            )
            .label(format!("this is {}", node.kind()))
            .help(help.to_string()),
        );
    }

    /// Map entries with duplicate keys reported (the first one wins).
    pub fn entries<'n>(&mut self, node: &'n Node, what: &str) -> Vec<&'n (Key, Node)> {
        self.entries_named(node, &|| what.to_string())
    }

    /// [`Decoder::entries`] with the words for the map made only when a
    /// problem is reported: decoding 10,000 services opens 200,000 maps.
    fn entries_named<'n>(
        &mut self,
        node: &'n Node,
        what: &dyn Fn() -> String,
    ) -> Vec<&'n (Key, Node)> {
        match &node.value {
            Value::Null => Vec::new(),
            Value::Map(entries) => {
                let mut out: Vec<&'n (Key, Node)> = Vec::with_capacity(entries.len());
                // Most maps have a handful of keys: a scan of those kept is
                // cheaper than hashing each one; `services` has thousands.
                let mut seen: Option<std::collections::HashMap<&str, &Key>> = (entries.len()
                    > SCAN_UP_TO)
                    .then(|| std::collections::HashMap::with_capacity(entries.len()));
                for entry in entries {
                    let name = entry.0.name.as_str();
                    let first = match &mut seen {
                        Some(seen) => match seen.entry(name) {
                            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                            std::collections::hash_map::Entry::Vacant(e) => {
                                e.insert(&entry.0);
                                None
                            }
                        },
                        None => out.iter().map(|(k, _)| k).find(|k| k.name == name),
                    };
                    if let Some(first) = first {
                        self.report(
                            Diagnostic::new(
                                Code::DuplicateKey,
                                entry.0.span,
                                format!("`{}` is defined twice in {}", entry.0.name, what()),
                            )
                            .label("defined again here")
                            .also(first.span, "first defined here")
                            .help("remove one of the two, or rename it; meshc never picks one silently"),
                        );
                    } else {
                        out.push(entry);
                    }
                }
                out
            }
            _ => {
                let what = what();
                self.wrong_type(
                    node,
                    &format!("a map for {what}"),
                    &format!("write {what} as `name: value` pairs"),
                );
                Vec::new()
            }
        }
    }

    /// Opens a map as an object of `shape`: unknown and missing fields are reported here.
    pub fn object<'n>(&mut self, node: &'n Node, shape: &'static Object) -> Option<Obj<'n>> {
        if !matches!(node.value, Value::Map(_) | Value::Null) {
            self.wrong_type(
                node,
                &format!("a map for `{}`", shape.name),
                &format!(
                    "`{}` takes the fields {}",
                    shape.name,
                    shape
                        .names()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return None;
        }
        let entries = self.entries_named(node, &|| format!("`{}`", shape.name));
        for (key, _) in &entries {
            if shape.field(&key.name).is_none() {
                self.unknown_field(key, shape);
            }
        }
        let obj = Obj {
            shape,
            entries,
            span: node.span,
        };
        for required in shape.required {
            if obj.key(required).is_none() {
                self.report(
                    Diagnostic::new(
                        Code::MissingField,
                        node.span,
                        format!(
                            "`{}` is missing the required field `{required}`",
                            shape.name
                        ),
                    )
                    .label(format!("`{required}` is needed here"))
                    .help(format!(
                        "add `{required}`: {}",
                        shape.field(required).map_or("", |f| f.doc)
                    )),
                );
            }
        }
        Some(obj)
    }

    fn unknown_field(&mut self, key: &Key, shape: &'static Object) {
        let mut d = Diagnostic::new(
            Code::UnknownField,
            key.span,
            format!("unknown field `{}` in `{}`", key.name, shape.name),
        );
        d = match did_you_mean(&key.name, shape.names()) {
            Some(s) => d
                .label(format!("did you mean `{s}`?"))
                .help(format!("rename it to `{s}`")),
            None => d.label("not a field of this map").help(format!(
                "`{}` takes the fields {}",
                shape.name,
                shape
                    .names()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        self.report(d);
    }

    pub fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        match &node.value {
            Value::Str(s) => Some(Spanned::new(s.clone(), node.span)),
            _ => {
                self.wrong_type(
                    node,
                    &format!("a string for {what}"),
                    "quote the value to make it a string",
                );
                None
            }
        }
    }

    /// A scalar taken as text (`PORT: 8080` is the string `8080`).
    pub fn text(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        match node.scalar_text() {
            Some(s) => Some(Spanned::new(s, node.span)),
            None => {
                self.wrong_type(
                    node,
                    &format!("a string for {what}"),
                    "write a single value, quoted if it contains special characters",
                );
                None
            }
        }
    }

    pub fn int(
        &mut self,
        node: &Node,
        what: &str,
        (min, max): (i64, i64),
        range_code: Code,
    ) -> Option<Spanned<i64>> {
        let Value::Int(i) = node.value else {
            let help = match &node.value {
                Value::Str(s) if s.trim().parse::<i64>().is_ok() => {
                    format!("remove the quotes: `{}`", s.trim())
                }
                _ => format!("write a whole number from {min} to {max}"),
            };
            self.wrong_type(node, &format!("a whole number for {what}"), &help);
            return None;
        };
        if i < min || i > max {
            self.report(
                Diagnostic::new(
                    range_code,
                    node.span,
                    format!("{what} must be between {min} and {max}, found {i}"),
                )
                .label("out of range")
                .help(format!("use a value from {min} to {max}")),
            );
            return None;
        }
        Some(Spanned::new(i, node.span))
    }

    pub fn uint(
        &mut self,
        node: &Node,
        what: &str,
        range: (i64, i64),
        code: Code,
    ) -> Option<Spanned<u32>> {
        self.int(node, what, range, code)
            .map(|s| Spanned::new(u32::try_from(s.value).unwrap_or(u32::MAX), s.span))
    }

    pub fn percent(&mut self, node: &Node, what: &str) -> Option<Spanned<u32>> {
        self.uint(node, what, (0, 100), Code::PercentRange)
    }

    pub fn duration(&mut self, node: &Node, what: &str) -> Option<Spanned<u64>> {
        let parsed = match &node.value {
            Value::Str(s) => parse_duration(s),
            _ => None,
        };
        if parsed.is_none() {
            let help = match &node.value {
                Value::Int(i) => format!("add a unit: `{i}s` or `{i}ms`"),
                _ => "write a number and a unit: `250ms`, `10s`, `5m` or `1h`".to_string(),
            };
            self.report(
                Diagnostic::new(
                    Code::InvalidDuration,
                    node.span,
                    format!(
                        "{what} is not a duration: {}",
                        node.scalar_text()
                            .map_or_else(|| node.kind().into(), |t| format!("`{t}`"))
                    ),
                )
                .label("expected a duration such as `10s`")
                .help(help),
            );
        }
        parsed.map(|ms| Spanned::new(ms, node.span))
    }

    pub fn quantity(&mut self, node: &Node, what: &str, cpu: bool) -> Option<Spanned<String>> {
        let text = node.scalar_text();
        match text {
            Some(t) if is_quantity(&t) => Some(Spanned::new(t, node.span)),
            text => {
                let example = if cpu {
                    "`100m` or `1`"
                } else {
                    "`128Mi` or `1Gi`"
                };
                self.report(
                    Diagnostic::new(
                        Code::InvalidQuantity,
                        node.span,
                        format!(
                            "{what} is not a Kubernetes quantity: {}",
                            text.map_or_else(|| node.kind().into(), |t| format!("`{t}`"))
                        ),
                    )
                    .label("not a quantity")
                    .help(format!(
                        "write a number with an optional suffix (m, Ki, Mi, Gi, k, M, G), e.g. {example}"
                    )),
                );
                None
            }
        }
    }

    pub fn list<'n>(&mut self, node: &'n Node, what: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(items) => items,
            Value::Null => &[],
            _ => {
                self.wrong_type(
                    node,
                    &format!("a list for {what}"),
                    "write a list: `[a, b]`, or one `- item` per line",
                );
                &[]
            }
        }
    }

    /// A list of strings.
    pub fn strings(&mut self, node: &Node, what: &str) -> Vec<Spanned<String>> {
        let items = self.list(node, what);
        items.iter().filter_map(|n| self.string(n, what)).collect()
    }

    /// One value out of a fixed set of names.
    pub fn choice<T: Copy>(
        &mut self,
        node: &Node,
        what: &str,
        options: &[(&'static str, T)],
        code: Code,
    ) -> Option<Spanned<T>> {
        let s = self.string(node, what)?;
        if let Some((_, v)) = options.iter().find(|(n, _)| *n == s.value) {
            return Some(Spanned::new(*v, s.span));
        }
        let names = options.iter().map(|(n, _)| *n);
        let list = names
            .clone()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut d = Diagnostic::new(code, s.span, format!("unknown {what} `{}`", s.value));
        d = match did_you_mean(&s.value, names) {
            Some(m) => d
                .label(format!("did you mean `{m}`?"))
                .help(format!("use one of {list}")),
            None => d
                .label(format!("not a known {what}"))
                .help(format!("use one of {list}")),
        };
        self.report(d);
        None
    }
}

/// Key of a map entry as a spanned name.
pub fn name(key: &Key) -> Name {
    Spanned::new(key.name.clone(), key.span)
}

/// `250ms`, `10s`, `1.5s`, `5m`, `1h` → milliseconds.
pub fn parse_duration(s: &str) -> Option<u64> {
    let (number, unit_ms) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1_000.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3_600_000.0)
    } else {
        return None;
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let ms = value * unit_ms;
    (ms.is_finite() && ms <= 365.0 * 86_400_000.0 && ms.fract() == 0.0).then_some(ms as u64)
}

/// Kubernetes resource quantity: a decimal with an optional SI or binary suffix.
pub fn is_quantity(s: &str) -> bool {
    const SUFFIXES: [&str; 13] = [
        "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "k", "M", "G", "T", "P", "E",
    ];
    let number = SUFFIXES
        .iter()
        .find_map(|suf| s.strip_suffix(suf))
        .unwrap_or(s);
    let mut parts = number.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty()
        && whole.len() <= 18
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac
            .is_none_or(|f| !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()))
}

/// Shape tables, re-exported for the field decoders.
pub use super::schema::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Some(250));
        assert_eq!(parse_duration("10s"), Some(10_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500));
        assert_eq!(parse_duration("2m"), Some(120_000));
        assert_eq!(parse_duration("1h"), Some(3_600_000));
        for bad in ["", "s", "10", "10 s", "-1s", "1e3s", "0.0001ms", "10sec"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn quantities() {
        for ok in ["100m", "1", "0.5", "128Mi", "1Gi", "2k"] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["", "1 core", "128MB", "Mi", "1.", "-1", "1.5.2"] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }
}
