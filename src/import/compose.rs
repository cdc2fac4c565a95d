//! Reading: a Compose file's document tree → [`Compose`], the parts the
//! importer understands, each with its span. Keys it does not read are kept
//! as [`Unread`] so the mapping can say why each one is not carried over.
//! Values of the wrong shape (a map where Compose wants a list) are errors.

use super::Problem;
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

/// The reader: the file's text (for scalars as written) and the problems found.
pub struct Reader<'a> {
    text: &'a str,
    pub problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            problems: Vec::new(),
        }
    }

    fn fail(&mut self, span: Span, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            span,
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// A scalar as the user wrote it: `1.10` stays `1.10`, `0777` keeps its zero.
    fn scalar(&mut self, node: &Node, path: &str) -> Option<Loc<String>> {
        let value = match &node.value {
            Value::Str(s) => s.clone(),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => self
                .text
                .get(node.span.start as usize..node.span.end as usize)
                .map(str::to_string)
                .or_else(|| node.scalar_text())?,
            other => {
                let found = Node::new(other.clone(), node.span).kind();
                self.fail(node.span, path, format!("expected a string, found {found}"));
                return None;
            }
        };
        Some(Loc {
            value,
            span: node.span,
        })
    }

    /// [`Self::scalar`] without its span, for the port reader.
    pub(super) fn scalar_at(&mut self, node: &Node, path: &str) -> Option<String> {
        self.scalar(node, path).map(|s| s.value)
    }

    fn entries<'n>(&mut self, node: &'n Node, path: &str) -> &'n [(Key, Node)] {
        match &node.value {
            Value::Map(m) => m,
            Value::Null => &[],
            _ => {
                self.fail(
                    node.span,
                    path,
                    format!("expected a map, found {}", node.kind()),
                );
                &[]
            }
        }
    }

    fn items<'n>(&mut self, node: &'n Node, path: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(s) => s,
            Value::Null => &[],
            _ => {
                self.fail(
                    node.span,
                    path,
                    format!("expected a list, found {}", node.kind()),
                );
                &[]
            }
        }
    }

    /// `KEY=VALUE` lists and `KEY: VALUE` maps alike (`environment`, `build.args`).
    fn pairs(&mut self, node: &Node, path: &str) -> Vec<(Loc<String>, Option<Loc<String>>)> {
        let mut out = Vec::new();
        if let Value::Seq(items) = &node.value {
            for item in items {
                let Some(s) = self.scalar(item, path) else {
                    continue;
                };
                let (k, v) = match s.value.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (s.value.clone(), None),
                };
                let loc = |value| Loc {
                    value,
                    span: s.span,
                };
                out.push((loc(k), v.map(loc)));
            }
            return out;
        }
        for (key, value) in self.entries(node, path) {
            let value = match value.value {
                Value::Null => None,
                _ => self.scalar(value, &format!("{path}.{}", key.name)),
            };
            out.push((
                Loc {
                    value: key.name.clone(),
                    span: key.span,
                },
                value,
            ));
        }
        out
    }

    /// Names in list form, or the keys of the map form (`depends_on`, `secrets`).
    fn names<'n>(&mut self, node: &'n Node, path: &str) -> Vec<(Loc<String>, Option<&'n Node>)> {
        if let Value::Map(m) = &node.value {
            return m
                .iter()
                .map(|(k, v)| {
                    let loc = Loc {
                        value: k.name.clone(),
                        span: k.span,
                    };
                    (loc, Some(v))
                })
                .collect();
        }
        let mut out = Vec::new();
        for item in self.items(node, path) {
            // The long form of `secrets` is `{ source: name, target: … }`.
            if let Value::Map(m) = &item.value
                && let Some((_, source)) = m.iter().find(|(k, _)| k.name == "source")
            {
                if let Some(s) = self.scalar(source, path) {
                    out.push((s, None));
                }
                continue;
            }
            if let Some(s) = self.scalar(item, path) {
                out.push((s, None));
            }
        }
        out
    }
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
