//! The draft as YAML: a typed value serialized by serde-saphyr (strings a
//! YAML 1.1 reader would misread, `yes` or `1.10`, come out quoted), under
//! the header as `#` comments.

use super::draft::{Draft, Env, Service, Source};
use serde_json::{Map, Value, json};

pub fn render(header: &[String], draft: &Draft) -> String {
    let mut out = super::comments(header, "#");
    out.push_str(&crate::emit::yaml::to_string(&value(draft)));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The description as a JSON-shaped value, keys in the order meshc's examples use.
pub fn value(draft: &Draft) -> Value {
    let services: Map<String, Value> = draft
        .services
        .iter()
        .map(|s| (s.name.clone(), service(s)))
        .collect();
    json!({ "app": draft.app, "services": services })
}

fn service(s: &Service) -> Value {
    let mut o = Map::new();
    match &s.source {
        Source::Image(i) => {
            o.insert("image".into(), json!(i));
        }
        Source::Build {
            context,
            dockerfile,
            target,
            image,
            args,
        } => {
            let mut b = Map::new();
            b.insert("context".into(), json!(context));
            for (k, v) in [
                ("dockerfile", dockerfile),
                ("target", target),
                ("image", image),
            ] {
                if let Some(v) = v {
                    b.insert(k.into(), json!(v));
                }
            }
            if !args.is_empty() {
                let args: Map<String, Value> =
                    args.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                b.insert("args".into(), Value::Object(args));
            }
            o.insert("build".into(), Value::Object(b));
        }
    }
    if let Some(r) = s.replicas {
        o.insert("replicas".into(), json!(r));
    }
    let resources = s.resources.fields();
    if !resources.is_empty() {
        let r: Map<String, Value> = resources
            .into_iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        o.insert("resources".into(), Value::Object(r));
    }
    if !s.ports.is_empty() {
        let p: Map<String, Value> = s.ports.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        o.insert("ports".into(), Value::Object(p));
    }
    if let Some(h) = &s.health {
        o.insert("health".into(), json!({ "exec": h }));
    }
    if !s.calls.is_empty() {
        o.insert("calls".into(), json!(s.calls));
    }
    if !s.env.is_empty() {
        let e: Map<String, Value> = s
            .env
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Env::Plain(p) => json!(p),
                    Env::Secret(r) => json!({ "secret": r }),
                };
                (k.clone(), v)
            })
            .collect();
        o.insert("env".into(), Value::Object(e));
    }
    if !s.storage.is_empty() {
        let st: Map<String, Value> = s
            .storage
            .iter()
            .map(|v| (v.name.clone(), json!({ "path": v.path })))
            .collect();
        o.insert("storage".into(), Value::Object(st));
    }
    Value::Object(o)
}
