//! YAML output through serde-saphyr: strings that a YAML 1.1 reader would
//! take for booleans, numbers or null (`yes`, `on`, `NO`, `1.10`, `0777`,
//! `~`) are quoted, so kubectl reads back exactly the string meshc wrote.

use serde::Serialize;

pub fn to_string<T: Serialize>(value: &T) -> String {
    // Serializing plain data structs cannot fail; an empty document would be
    // caught by the bundle's self-check.
    serde_saphyr::to_string(value).unwrap_or_default()
}

/// Appends `value` as one YAML document, serialized straight into `out`.
pub fn write<T: Serialize>(out: &mut String, value: &T) {
    let start = out.len();
    // As in `to_string`: plain data structs cannot fail; never leave half a document.
    if serde_saphyr::to_fmt_writer(out, value).is_err() {
        out.truncate(start);
    }
}

/// JSON with every object's keys sorted: the canonical form of a resource.
pub fn canonical<T: Serialize>(value: &T) -> serde_json::Value {
    sort(serde_json::to_value(value).unwrap_or_default())
}

/// Sorts every object's keys in place (no rebuilt maps: 12% of `emit`).
pub fn sort(mut v: serde_json::Value) -> serde_json::Value {
    v.sort_all_objects();
    v
}

/// One YAML document meshc wrote, read back as canonical JSON (sorted
/// keys); `null` when it does not parse. Through meshc's own YAML front end:
/// its fast path reads plain YAML, which is all meshc writes, three times
/// faster than deserializing through serde.
pub fn read_back(text: &str) -> serde_json::Value {
    match crate::syntax::yaml::parse(text) {
        Ok(node) => sort(json(node)),
        Err(_) => serde_json::Value::Null,
    }
}

fn json(node: crate::syntax::Node) -> serde_json::Value {
    use crate::syntax::Value as V;
    use serde_json::Value as J;
    match node.value {
        V::Null => J::Null,
        V::Bool(b) => J::Bool(b),
        V::Int(i) => J::from(i),
        V::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        V::Str(s) => J::String(s),
        V::Seq(items) => J::Array(items.into_iter().map(json).collect()),
        V::Map(entries) => J::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.name, json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn canonical_sorts_nested_keys_and_keeps_array_order() {
        let v = serde_json::json!({"b": {"z": 1, "a": [{"y": 1, "x": 2}, 3]}, "a": 0});
        assert_eq!(
            serde_json::to_string(&sort(v)).unwrap(),
            r#"{"a":0,"b":{"a":[{"x":2,"y":1},3],"z":1}}"#
        );
    }

    #[test]
    fn yaml_1_1_lookalikes_are_quoted() {
        let risky = [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "NO",
            "1.10",
            "0777",
            "2024-01-01",
            "~",
            "null",
            "",
        ];
        let map: BTreeMap<&str, &str> = risky.iter().map(|s| (*s, *s)).collect();
        let text = to_string(&map);
        for s in risky {
            let quoted_single = format!("'{s}'");
            let quoted_double = format!("\"{s}\"");
            assert!(
                text.contains(&quoted_single) || text.contains(&quoted_double),
                "`{s}` is not quoted in:\n{text}"
            );
        }
    }
}
