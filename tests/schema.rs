//! The checked-in JSON Schema is generated from the same shape tables the
//! decoder reads fields through; this fails when it is stale.

mod common;

#[test]
fn checked_in_schema_is_current() {
    let path = common::root().join("schemas/meshc.schema.json");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    let fresh = meshc::ast::schema_text();
    if std::env::var_os("MESHC_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).expect("write schema");
        return;
    }
    assert!(
        on_disk == fresh,
        "schemas/meshc.schema.json is stale: run `cargo run -- schema > schemas/meshc.schema.json` (or MESHC_UPDATE_SCHEMA=1 cargo test --test schema)"
    );
}

#[test]
fn schema_closes_every_object() {
    // Every object forbids unknown properties, as the decoder does.
    let schema = meshc::ast::json_schema();
    let defs = schema["$defs"].as_object().expect("$defs");
    assert!(defs.len() > 10);
    for (name, def) in defs {
        assert_eq!(
            def["additionalProperties"],
            serde_json::Value::Bool(false),
            "{name}"
        );
    }
    assert_eq!(schema["required"], serde_json::json!(["app", "services"]));
}
