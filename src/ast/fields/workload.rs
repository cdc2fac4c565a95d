//! The fields of what runs: how the image is built, its ports, its health
//! check, its environment and its volumes.

use super::one_of;
use crate::ast::decode::{self as dec, Decoder, name};
use crate::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::syntax::{Node, Value};

pub(super) fn build(d: &mut Decoder, node: &Node) -> Option<Build> {
    let o = d.object(node, &dec::BUILD)?;
    let runtime = o
        .get("runtime")
        .and_then(|n| d.choice(n, "runtime", &Runtime::ALL, Code::UnknownRuntime));
    // A misspelt runtime is not a request for the team's own Dockerfile.
    if runtime.is_none() && o.has("runtime") {
        return None;
    }
    let context = o
        .get("context")
        .and_then(|n| d.string(n, "`build.context`"));
    let command = o
        .get("command")
        .map(|n| d.strings(n, "`command`"))
        .unwrap_or_default();
    let base = o.get("base").and_then(|n| d.string(n, "`build.base`"));
    let image = o.get("image").and_then(|n| d.string(n, "`build.image`"));
    let dockerfile = o
        .get("dockerfile")
        .and_then(|n| d.string(n, "`build.dockerfile`"));
    let target = o.get("target").and_then(|n| d.string(n, "`build.target`"));
    let mut args = Vec::new();
    if let Some(n) = o.get("args") {
        for (key, value) in d.entries(n, "`build.args`") {
            if let Some(v) = d.text(value, "a build argument") {
                args.push((name(key), v));
            }
        }
    }
    // A generated Dockerfile and the team's own take different fields.
    let (theirs, ours): (&[&str], &[&str]) =
        (&["dockerfile", "target", "args"], &["command", "base"]);
    let misplaced = if runtime.is_some() { theirs } else { ours };
    for field in misplaced {
        if let Some(k) = o.key(field) {
            let help = if runtime.is_some() {
                format!("remove `{field}`, or remove `runtime` to build with your own Dockerfile")
            } else {
                format!("add a `runtime` for meshc to generate the Dockerfile, or remove `{field}`")
            };
            d.report(
                Diagnostic::new(
                    Code::UnknownField,
                    k.span,
                    if runtime.is_some() {
                        format!("`{field}` only goes with your own Dockerfile, and this build has a `runtime`")
                    } else {
                        format!("`{field}` only goes with a generated Dockerfile, and this build has no `runtime`")
                    },
                )
                .label("not used here")
                .help(help),
            );
        }
    }
    Some(Build {
        runtime,
        context: context?,
        command,
        base,
        image,
        dockerfile,
        target,
        args,
        span: o
            .key("runtime")
            .or(o.key("context"))
            .map_or(node.span, |k| k.span),
    })
}

pub(super) fn port(d: &mut Decoder, name: Name, node: &Node) -> Option<Port> {
    let range = (1, 65535);
    let protocols = &Protocol::ALL;
    let mut service_port = None;
    let (number, protocol) = match &node.value {
        Value::Map(_) => {
            let o = d.object(node, &dec::PORT_OBJECT)?;
            let number = o
                .get("port")
                .and_then(|n| d.int(n, "a port", range, Code::PortRange));
            let protocol = o
                .get("protocol")
                .and_then(|n| d.choice(n, "protocol", protocols, Code::PortRange));
            service_port = o
                .get("service_port")
                .and_then(|n| d.int(n, "a port", range, Code::PortRange))
                .map(|n| Spanned::new(u16::try_from(n.value).unwrap_or(0), n.span));
            (number?, protocol.map(|p| p.value))
        }
        _ => (d.int(node, "a port", range, Code::PortRange)?, None),
    };
    Some(Port {
        service_port,
        protocol: protocol.unwrap_or_else(|| Protocol::infer(&name.value)),
        number: Spanned::new(u16::try_from(number.value).unwrap_or(0), number.span),
        name,
    })
}

pub(super) fn health(d: &mut Decoder, node: &Node) -> Option<Health> {
    let o = d.object(node, &dec::HEALTH)?;
    let kind = one_of(
        d,
        &o,
        "`health`",
        &["http", "tcp", "grpc", "exec"],
        "write `{ http: /health }`, `{ tcp: <port name> }`, `{ grpc: <port name> }` or `{ exec: [command, args...] }`",
    )?;
    let port = o.get("port").and_then(|n| d.string(n, "a port name"));
    let field = |d: &mut Decoder, k: &str| o.get(k).and_then(|n| d.string(n, "`health`"));
    match kind {
        "http" => Some(Health::Http {
            path: field(d, "http")?,
            port,
        }),
        "exec" => {
            let n = o.get("exec")?;
            let command = d.strings(n, "`health.exec`");
            if command.is_empty() {
                d.report(
                    Diagnostic::new(Code::MissingField, n.span, "`health.exec` has no command")
                        .label("empty")
                        .help("name the command and its arguments, e.g. `{ exec: [/bin/grpc_health_probe, -addr=:8080] }`"),
                );
                return None;
            }
            if let Some(p) = &port {
                d.report(
                    Diagnostic::new(
                        Code::UnknownField,
                        p.span,
                        "`port` only goes with an `http` check, not `exec`",
                    )
                    .label("not used here")
                    .help("remove `port`; the command itself decides what it checks"),
                );
            }
            Some(Health::Exec {
                command,
                span: n.span,
            })
        }
        kind => {
            if let Some(p) = &port {
                d.report(
                    Diagnostic::new(
                        Code::UnknownField,
                        p.span,
                        format!("`port` only goes with an `http` check, not `{kind}`"),
                    )
                    .label("not used here")
                    .help(format!(
                        "name the port as the value: `{{ {kind}: <port name> }}`"
                    )),
                );
            }
            let port = field(d, kind)?;
            Some(if kind == "tcp" {
                Health::Tcp { port }
            } else {
                Health::Grpc { port }
            })
        }
    }
}

pub(super) fn env(d: &mut Decoder, node: &Node) -> IndexMap<String, EnvVar> {
    let mut out = IndexMap::new();
    for (key, value) in d.entries(node, "`env`") {
        let v = match &value.value {
            Value::Map(entries) if entries.iter().any(|(k, _)| k.name == "address") => {
                match address(d, value) {
                    Some(a) => a,
                    None => continue,
                }
            }
            Value::Map(_) => {
                let Some(o) = d.object(value, &dec::SECRET_REF) else {
                    continue;
                };
                let Some(s) = o.get("secret").and_then(|n| d.string(n, "`secret`")) else {
                    continue;
                };
                match s.value.split_once('/') {
                    Some((secret, k)) if !secret.is_empty() && !k.is_empty() => EnvValue::Secret {
                        name: Spanned::new(secret.to_string(), s.span),
                        key: k.to_string(),
                        span: s.span,
                    },
                    _ => {
                        d.report(
                            Diagnostic::new(
                                Code::InvalidValue,
                                s.span,
                                format!("secret reference `{}` has no key", s.value),
                            )
                            .label("expected `secret-name/key`")
                            .help("name the Secret and the key inside it, e.g. `{ secret: db-credentials/password }`"),
                        );
                        continue;
                    }
                }
            }
            _ => match d.text(value, "an environment value") {
                Some(t) => EnvValue::Plain(t),
                None => continue,
            },
        };
        out.insert(
            key.name.clone(),
            EnvVar {
                name: name(key),
                value: v,
            },
        );
    }
    out
}

/// `{ address: service:port, form: short|fqdn }`.
fn address(d: &mut Decoder, node: &Node) -> Option<EnvValue> {
    let o = d.object(node, &dec::ADDRESS_REF)?;
    let a = o.get("address").and_then(|n| d.string(n, "`address`"))?;
    let form = o.get("form").and_then(|n| {
        d.choice(
            n,
            "address form",
            &[("short", false), ("fqdn", true)],
            Code::InvalidValue,
        )
    });
    let text = a.value.as_str();
    let (svc, port) = match text.split_once(':') {
        Some((s, p)) => (s, Some(p)),
        None => (text, None),
    };
    // The value's own span, without quotes, for each half.
    let quoted = a.span.len() >= text.len() + 2;
    let base = a.span.start as usize + usize::from(quoted);
    let at = |from: usize, len: usize| {
        if a.span.len() < text.len() {
            a.span
        } else {
            crate::source::Span::new(base + from, base + from + len)
        }
    };
    if svc.is_empty() || port.is_some_and(str::is_empty) {
        d.report(
            Diagnostic::new(Code::InvalidValue, a.span, format!("`{text}` is not an address reference"))
                .label("expected `service` or `service:port`")
                .help("name a service of this description and, if it has several ports, the port: `{ address: cart:grpc }`"),
        );
        return None;
    }
    Some(EnvValue::Address {
        service: Spanned::new(svc.to_string(), at(0, svc.len())),
        port: port.map(|p| Spanned::new(p.to_string(), at(svc.len() + 1, p.len()))),
        fqdn: form.is_some_and(|f| f.value),
        span: a.span,
    })
}

/// One entry of `storage`.
pub(super) fn storage(d: &mut Decoder, name: Name, node: &Node) -> Option<Storage> {
    let o = d.object(node, &dec::STORAGE)?;
    let path = o.get("path").and_then(|n| d.string(n, "`storage.path`"));
    let size = o
        .get("size")
        .and_then(|n| d.quantity(n, "`storage.size`", false));
    let access = o
        .get("access")
        .and_then(|n| d.choice(n, "access mode", &Access::ALL, Code::InvalidValue));
    Some(Storage {
        span: name.span,
        name,
        path: path?,
        size,
        access,
    })
}
