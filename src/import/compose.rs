//! Reading: a Compose file's document tree → [`Compose`], the parts the
//! importer understands, each with its span. Keys it does not read are kept
//! as [`Unread`] so the mapping can say why each one is not carried over.
//! Values of the wrong shape (a map where Compose wants a list) are errors.

pub use super::reader::Reader;
use crate::source::Span;
use crate::syntax::{Key, Node, Value};

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Loc<T> {
    pub value: T,
    pub span: Span,
}

/// A key that was present but not read; `path` is dotted (`services.web.privileged`).
#[derive(Clone, Debug, PartialEq)]
pub struct Unread {
    pub path: String,
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct Compose {
    pub name: Option<Loc<String>>,
    pub services: Vec<Service>,
    /// Top-level `volumes`: each name and whether it has settings (driver, external…).
    pub volumes: Vec<(Loc<String>, bool)>,
    pub unread: Vec<Unread>,
}

#[derive(Debug)]
pub struct Service {
    pub name: Loc<String>,
    pub image: Option<Loc<String>>,
    pub build: Option<Build>,
    /// `ports` then `expose`, in written order.
    pub ports: Vec<super::ports::PortSpec>,
    pub environment: Vec<(Loc<String>, Option<Loc<String>>)>,
    pub depends_on: Vec<Dependency>,
    pub healthcheck: Option<Healthcheck>,
    pub replicas: Option<Loc<i64>>,
    pub limits: Vec<(Loc<String>, Loc<String>)>,
    pub reservations: Vec<(Loc<String>, Loc<String>)>,
    pub volumes: Vec<Loc<String>>,
    pub long_volumes: Vec<LongVolume>,
    pub secrets: Vec<Loc<String>>,
    pub unread: Vec<Unread>,
}

#[derive(Debug)]
pub struct Build {
    pub context: Loc<String>,
    pub dockerfile: Option<Loc<String>>,
    pub target: Option<Loc<String>>,
    pub args: Vec<(Loc<String>, Option<Loc<String>>)>,
    pub unread: Vec<Unread>,
}

#[derive(Debug)]
pub struct Dependency {
    pub service: Loc<String>,
    /// `condition` of the map form, when it is not `service_started`.
    pub condition: Option<Loc<String>>,
}

#[derive(Debug)]
pub struct Healthcheck {
    /// `None` when disabled (`disable: true` or `test: [NONE]`).
    pub test: Option<Loc<Vec<String>>>,
    pub span: Span,
    pub unread: Vec<Unread>,
}

/// A volume in the long syntax: `{ type, source, target, read_only }`.
#[derive(Debug)]
pub struct LongVolume {
    pub kind: Option<String>,
    pub source: Option<String>,
    pub target: Option<String>,
    pub read_only: bool,
    pub span: Span,
}

/// The whole file: `name`, `services` and `volumes`; other top-level keys are unread.
pub fn read(r: &mut Reader, root: &Node) -> Compose {
    let mut compose = Compose::default();
    for (key, value) in r.entries(root, "the file") {
        match key.name.as_str() {
            "name" => compose.name = r.scalar(value, "name"),
            "services" => {
                for (k, v) in r.entries(value, "services") {
                    let name = Loc {
                        value: k.name.clone(),
                        span: k.span,
                    };
                    compose.services.push(service(r, name, v));
                }
            }
            "volumes" => {
                for (k, v) in r.entries(value, "volumes") {
                    let configured = matches!(&v.value, Value::Map(m) if !m.is_empty());
                    let name = Loc {
                        value: k.name.clone(),
                        span: k.span,
                    };
                    compose.volumes.push((name, configured));
                }
            }
            _ => compose.unread.push(unread(&key.name, key)),
        }
    }
    if compose.services.is_empty() && r.problems.is_empty() {
        r.fail(root.span, "services", "the file defines no services");
    }
    compose
}

fn unread(path: &str, key: &Key) -> Unread {
    Unread {
        path: path.to_string(),
        span: key.span,
    }
}

fn service(r: &mut Reader, name: Loc<String>, node: &Node) -> Service {
    let at = format!("services.{}", name.value);
    let mut svc = Service {
        name,
        image: None,
        build: None,
        ports: Vec::new(),
        environment: Vec::new(),
        depends_on: Vec::new(),
        healthcheck: None,
        replicas: None,
        limits: Vec::new(),
        reservations: Vec::new(),
        volumes: Vec::new(),
        long_volumes: Vec::new(),
        secrets: Vec::new(),
        unread: Vec::new(),
    };
    for (key, value) in r.entries(node, &at) {
        let path = format!("{at}.{}", key.name);
        match key.name.as_str() {
            "image" => svc.image = r.scalar(value, &path),
            "build" => svc.build = build(r, value, &path),
            "ports" | "expose" => {
                let published = key.name == "ports";
                for item in r.items(value, &path) {
                    if let Some(p) = super::ports::read(r, item, &path, published) {
                        svc.ports.push(p);
                    }
                }
            }
            "environment" => svc.environment = r.pairs(value, &path),
            "depends_on" => {
                for (service, detail) in r.names(value, &path) {
                    let condition = detail
                        .and_then(|d| match &d.value {
                            Value::Map(m) => m.iter().find(|(k, _)| k.name == "condition"),
                            _ => None,
                        })
                        .and_then(|(_, c)| r.scalar(c, &path))
                        .filter(|c| c.value != "service_started");
                    svc.depends_on.push(Dependency { service, condition });
                }
            }
            "healthcheck" => svc.healthcheck = healthcheck(r, value, &path, key.span),
            "scale" => svc.replicas = int(r, value, &path),
            "deploy" => deploy(r, value, &path, &mut svc),
            "volumes" => {
                for item in r.items(value, &path) {
                    match &item.value {
                        Value::Map(m) => svc.long_volumes.push(long_volume(m, item.span)),
                        _ => svc.volumes.extend(r.scalar(item, &path)),
                    }
                }
            }
            "secrets" => {
                svc.secrets = r.names(value, &path).into_iter().map(|(n, _)| n).collect();
            }
            _ => svc.unread.push(unread(&path, key)),
        }
    }
    svc
}

fn int(r: &mut Reader, node: &Node, path: &str) -> Option<Loc<i64>> {
    let s = r.scalar(node, path)?;
    match s.value.parse() {
        Ok(value) => Some(Loc {
            value,
            span: s.span,
        }),
        Err(_) => {
            r.fail(
                s.span,
                path,
                format!("expected a whole number, found `{}`", s.value),
            );
            None
        }
    }
}

fn build(r: &mut Reader, node: &Node, path: &str) -> Option<Build> {
    if !matches!(node.value, Value::Map(_)) {
        let context = r.scalar(node, path)?;
        return Some(Build {
            context,
            dockerfile: None,
            target: None,
            args: Vec::new(),
            unread: Vec::new(),
        });
    }
    let mut context = None;
    let mut b = Build {
        context: Loc {
            value: ".".into(),
            span: node.span,
        },
        dockerfile: None,
        target: None,
        args: Vec::new(),
        unread: Vec::new(),
    };
    for (key, value) in r.entries(node, path) {
        let at = format!("{path}.{}", key.name);
        match key.name.as_str() {
            "context" => context = r.scalar(value, &at),
            "dockerfile" => b.dockerfile = r.scalar(value, &at),
            "target" => b.target = r.scalar(value, &at),
            "args" => b.args = r.pairs(value, &at),
            _ => b.unread.push(unread(&at, key)),
        }
    }
    if let Some(c) = context {
        b.context = c;
    }
    Some(b)
}

fn healthcheck(r: &mut Reader, node: &Node, path: &str, span: Span) -> Option<Healthcheck> {
    let mut h = Healthcheck {
        test: None,
        span,
        unread: Vec::new(),
    };
    let mut disabled = false;
    for (key, value) in r.entries(node, path) {
        let at = format!("{path}.{}", key.name);
        match key.name.as_str() {
            "test" => {
                let words = match &value.value {
                    Value::Seq(items) => {
                        let mut words = Vec::new();
                        for item in items {
                            words.extend(r.scalar(item, &at).map(|s| s.value));
                        }
                        words
                    }
                    _ => r
                        .scalar(value, &at)
                        .map(|s| vec!["CMD-SHELL".to_string(), s.value])
                        .unwrap_or_default(),
                };
                h.test = Some(Loc {
                    value: words,
                    span: value.span,
                });
            }
            "disable" => disabled = matches!(value.value, Value::Bool(true)),
            _ => h.unread.push(unread(&at, key)),
        }
    }
    if disabled
        || h.test
            .as_ref()
            .is_some_and(|t| t.value.first().is_some_and(|w| w == "NONE"))
    {
        h.test = None;
    }
    Some(h)
}

fn deploy(r: &mut Reader, node: &Node, path: &str, svc: &mut Service) {
    for (key, value) in r.entries(node, path) {
        let at = format!("{path}.{}", key.name);
        match key.name.as_str() {
            "replicas" => svc.replicas = int(r, value, &at),
            "resources" => {
                for (k, v) in r.entries(value, &at) {
                    let at = format!("{at}.{}", k.name);
                    let kind = k.name.as_str();
                    if kind != "limits" && kind != "reservations" {
                        svc.unread.push(unread(&at, k));
                        continue;
                    }
                    for (rk, rv) in r.entries(v, &at) {
                        let field = format!("{at}.{}", rk.name);
                        let Some(value) = r.scalar(rv, &field) else {
                            continue;
                        };
                        let name = Loc {
                            value: field.clone(),
                            span: rk.span,
                        };
                        if kind == "limits" {
                            svc.limits.push((name, value));
                        } else {
                            svc.reservations.push((name, value));
                        }
                    }
                }
            }
            _ => svc.unread.push(unread(&at, key)),
        }
    }
}

fn long_volume(m: &[(Key, Node)], span: Span) -> LongVolume {
    let text = |k: &str| {
        m.iter()
            .find(|(key, _)| key.name == k)
            .and_then(|(_, v)| v.scalar_text())
    };
    LongVolume {
        kind: text("type"),
        source: text("source"),
        target: text("target"),
        read_only: text("read_only").is_some_and(|v| v == "true"),
        span,
    }
}
