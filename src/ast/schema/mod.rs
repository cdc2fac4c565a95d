//! The shape of the input format, as data: every object, its fields, their
//! types and documentation. The decoder asks for fields through these tables
//! (so it cannot accept a field the schema lacks) and suggests their names for
//! typos; `meshc schema` turns the same tables into JSON Schema.

use serde_json::{Map, Value, json};

mod description;
mod traffic;
mod workload;

pub use description::*;
pub use traffic::*;
pub use workload::*;

pub struct Object {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: &'static [Field],
    pub required: &'static [&'static str],
}

pub struct Field {
    pub name: &'static str,
    pub doc: &'static str,
    pub ty: Ty,
}

pub enum Ty {
    Str,
    /// A string that must match a regular expression (documented, checked by the decoder).
    Pattern(&'static str),
    /// An integer in an inclusive range.
    Int(i64, i64),
    Duration,
    Quantity,
    Enum(&'static [&'static str]),
    List(&'static Ty),
    /// A map from user-chosen names to values.
    Map(&'static Ty),
    Object(&'static Object),
    OneOf(&'static [Ty]),
}

impl Object {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// How messages name this object: the root is "the description", others `name`.
    pub fn what(&self) -> String {
        if std::ptr::eq(self, &DESCRIPTION) {
            "the description".to_string()
        } else {
            format!("`{}`", self.name)
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|f| f.name)
    }
}

const fn f(name: &'static str, doc: &'static str, ty: Ty) -> Field {
    Field { name, doc, ty }
}

pub const DNS_LABEL: &str = "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$";
const DURATION_RE: &str = "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$";
const URL_PATH_RE: &str = "^/[^\\s]*$";
const QUANTITY_RE: &str = "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";

/// The JSON Schema (draft 2020-12) of the input format.
pub fn json_schema() -> Value {
    let mut defs = Map::new();
    let root = object_schema(&DESCRIPTION, &mut defs);
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://meshc.dev/schemas/meshc.schema.json",
        "title": "meshc application description",
    });
    if let (Some(s), Value::Object(r)) = (schema.as_object_mut(), root) {
        s.extend(r);
        s.insert("$defs".into(), Value::Object(defs));
    }
    schema
}

/// The schema as the text of `schemas/meshc.schema.json`.
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&json_schema()).unwrap_or_default();
    s.push('\n');
    s
}

fn def_name(o: &Object) -> String {
    o.name.replace(' ', "_")
}

fn object_schema(o: &'static Object, defs: &mut Map<String, Value>) -> Value {
    let mut props = Map::new();
    for field in o.fields {
        let mut s = ty_schema(&field.ty, defs);
        if let Value::Object(m) = &mut s {
            m.insert("description".into(), field.doc.into());
        }
        props.insert(field.name.into(), s);
    }
    let mut out = json!({
        "type": "object",
        "description": o.doc,
        "properties": props,
        "additionalProperties": false,
    });
    if !o.required.is_empty() {
        out["required"] = json!(o.required);
    }
    out
}

fn ty_schema(ty: &'static Ty, defs: &mut Map<String, Value>) -> Value {
    match ty {
        Ty::Str => json!({"type": "string"}),
        Ty::Pattern(p) => json!({"type": "string", "pattern": p}),
        Ty::Int(min, max) => json!({"type": "integer", "minimum": min, "maximum": max}),
        Ty::Duration => json!({"type": "string", "pattern": DURATION_RE}),
        Ty::Quantity => json!({"type": ["string", "number"], "pattern": QUANTITY_RE}),
        Ty::Enum(values) => json!({"enum": values}),
        Ty::List(item) => json!({"type": "array", "items": ty_schema(item, defs)}),
        Ty::Map(value) => json!({
            "type": "object",
            "propertyNames": {"pattern": "^[^\\s]+$"},
            "additionalProperties": ty_schema(value, defs),
        }),
        Ty::Object(o) => {
            let name = def_name(o);
            if !defs.contains_key(&name) {
                defs.insert(name.clone(), Value::Null);
                let s = object_schema(o, defs);
                defs.insert(name.clone(), s);
            }
            json!({"$ref": format!("#/$defs/{name}")})
        }
        Ty::OneOf(options) => json!({
            "oneOf": options.iter().map(|t| ty_schema(t, defs)).collect::<Vec<_>>()
        }),
    }
}
