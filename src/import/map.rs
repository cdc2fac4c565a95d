//! Mapping: [`Compose`] → [`Draft`], and a [`Note`] for everything that is
//! not carried over as it was written. Names are made Kubernetes names
//! first, so every reference (calls, addresses) uses the new ones.

use super::compose::{Compose, Loc, Service as CService, Unread};
use super::draft::{Draft, Env, Service, Source};
use super::{Kind, Note, names, ports, reasons, units, volumes};
use crate::source::Span;

pub struct Mapped {
    pub draft: Draft,
    pub notes: Vec<Note>,
}

/// `fallback` names the application when the file has no `name`.
pub fn map(compose: &Compose, fallback: &str) -> Mapped {
    let mut m = Mapper {
        notes: Vec::new(),
        renames: names::services(compose),
    };
    let app = match &compose.name {
        Some(n) => m.renamed(n, "name", names::dns(&n.value)),
        None => names::dns(fallback),
    };
    for u in &compose.unread {
        m.unread(u);
    }
    for (name, configured) in &compose.volumes {
        if *configured {
            m.dropped(name.span, &format!("volumes.{}", name.value), "volume settings (driver, external, labels) are the cluster's storage class to decide");
        }
    }
    let mut services: Vec<Service> = compose.services.iter().map(|s| m.service(s)).collect();
    m.calls(compose, &mut services);
    Mapped {
        draft: Draft { app, services },
        notes: m.notes,
    }
}

struct Mapper {
    notes: Vec<Note>,
    /// Compose name → meshc name, in file order.
    renames: Vec<(String, String)>,
}

impl Mapper {
    fn note(&mut self, span: Span, path: &str, kind: Kind, message: impl Into<String>) {
        self.notes.push(Note {
            span,
            path: path.to_string(),
            kind,
            message: message.into(),
        });
    }

    fn dropped(&mut self, span: Span, path: &str, why: impl Into<String>) {
        self.note(span, path, Kind::Dropped, why);
    }

    fn unread(&mut self, u: &Unread) {
        let key = u.path.rsplit('.').next().unwrap_or(&u.path);
        self.dropped(u.span, &u.path, reasons::unread(key));
    }

    fn renamed(&mut self, n: &Loc<String>, path: &str, new: String) -> String {
        if new != n.value {
            self.note(
                n.span,
                path,
                Kind::Changed,
                format!("renamed `{}` to `{new}`, a Kubernetes name", n.value),
            );
        }
        new
    }

    fn meshc_name(&self, compose: &str) -> Option<&str> {
        self.renames
            .iter()
            .find(|(c, _)| c == compose)
            .map(|(_, m)| m.as_str())
    }

    fn service(&mut self, s: &CService) -> Service {
        let at = format!("services.{}", s.name.value);
        let name = self
            .meshc_name(&s.name.value)
            .unwrap_or(&s.name.value)
            .to_string();
        if name != s.name.value {
            self.note(
                s.name.span,
                &at,
                Kind::Changed,
                format!("renamed `{}` to `{name}`, a Kubernetes name", s.name.value),
            );
        }
        for u in &s.unread {
            self.unread(u);
        }
        let source = self.source(s, &at);
        let ports = self.ports(s, &at);
        let health = self.health(s, &at);
        let env = self.env(s, &name, &at);
        let replicas = s
            .replicas
            .as_ref()
            .and_then(|r| match u32::try_from(r.value) {
                Ok(n) if n <= 1000 => Some(n),
                _ => {
                    self.dropped(
                        r.span,
                        &format!("{at}.deploy.replicas"),
                        "meshc runs 0 to 1000 replicas",
                    );
                    None
                }
            });
        let resources = units::resources(s, &mut self.notes);
        let storage = volumes::storage(s, &at, &mut self.notes);
        for secret in &s.secrets {
            self.dropped(
                secret.span,
                &format!("{at}.secrets.{}", secret.value),
                reasons::unread("secrets"),
            );
        }
        Service {
            name,
            source,
            replicas,
            resources,
            ports,
            health,
            calls: Vec::new(),
            env,
            storage,
        }
    }

    fn source(&mut self, s: &CService, at: &str) -> Source {
        let Some(b) = &s.build else {
            return Source::Image(
                s.image
                    .as_ref()
                    .map_or_else(String::new, |i| i.value.clone()),
            );
        };
        for u in &b.unread {
            self.unread(u);
        }
        let mut args = Vec::new();
        for (k, v) in &b.args {
            match v {
                Some(v) => args.push((k.value.clone(), v.value.clone())),
                None => self.dropped(k.span, &format!("{at}.build.args.{}", k.value), "its value comes from the environment of `docker compose build`; give it a value"),
            }
        }
        Source::Build {
            context: b.context.value.clone(),
            dockerfile: b.dockerfile.as_ref().map(|d| d.value.clone()),
            target: b.target.as_ref().map(|t| t.value.clone()),
            image: s.image.as_ref().map(|i| i.value.clone()),
            args,
        }
    }

    fn ports(&mut self, s: &CService, at: &str) -> Vec<(String, u16)> {
        let mut numbers: Vec<u16> = Vec::new();
        for p in &s.ports {
            let path = format!("{at}.ports[{}]", p.written);
            let Some(n) = p.container.filter(|_| p.protocol == "tcp") else {
                let why = if p.protocol != "tcp" {
                    format!("meshc carries TCP ports only, not {}", p.protocol)
                } else {
                    "meshc takes one container port per entry, as a number".to_string()
                };
                self.dropped(p.span, &path, why);
                continue;
            };
            if let Some(host) = &p.published {
                self.dropped(p.span, &path, format!("the host port {host} is not published; callers in the cluster reach port {n}, and `ingress: {{ host: … }}` exposes an HTTP port outside"));
            }
            if !numbers.contains(&n) {
                numbers.push(n);
            }
        }
        ports::names(&numbers).into_iter().zip(numbers).collect()
    }

    fn health(&mut self, s: &CService, at: &str) -> Option<Vec<String>> {
        let h = s.healthcheck.as_ref()?;
        for u in &h.unread {
            self.unread(u);
        }
        let Some(test) = &h.test else {
            self.dropped(
                h.span,
                &format!("{at}.healthcheck"),
                "the check is disabled; meshc probes the service's ports instead",
            );
            return None;
        };
        let command: Vec<String> = match test.value.split_first() {
            Some((first, rest)) if first == "CMD" => rest.to_vec(),
            Some((first, rest)) if first == "CMD-SHELL" => {
                vec!["sh".into(), "-c".into(), rest.join(" ")]
            }
            _ => test.value.clone(),
        };
        if command.is_empty() || command.iter().all(|w| w.trim().is_empty()) {
            self.dropped(
                test.span,
                &format!("{at}.healthcheck.test"),
                "the test runs no command",
            );
            return None;
        }
        Some(command)
    }

    fn env(&mut self, s: &CService, service: &str, at: &str) -> Vec<(String, Env)> {
        let mut out = Vec::new();
        for (k, v) in &s.environment {
            let path = format!("{at}.environment.{}", k.value);
            let Some(v) = v else {
                self.dropped(k.span, &path, "its value comes from the environment `docker compose` runs in; give it a value");
                continue;
            };
            let secret_file = v.value.starts_with("/run/secrets/");
            if crate::check::looks_like_secret(&k.value) && !secret_file && !v.value.is_empty() {
                let secret = format!("{service}-env");
                self.note(v.span, &path, Kind::Secret, format!("looks like a secret: written as `{{ secret: {secret}/{} }}`, without its value; create the Secret `{secret}` with key `{}` before deploying", k.value, k.value));
                out.push((
                    k.value.clone(),
                    Env::Secret(format!("{secret}/{}", k.value)),
                ));
                continue;
            }
            if secret_file {
                self.note(v.span, &path, Kind::Changed, "kept as written, but meshc mounts no secret files at `/run/secrets`; pass the secret itself as `{ secret: name/key }`");
            }
            if v.value.contains('$') {
                self.note(
                    v.span,
                    &path,
                    Kind::Changed,
                    "kept as written: meshc does not interpolate `${…}` variables",
                );
            }
            out.push((k.value.clone(), Env::Plain(v.value.clone())));
        }
        out
    }

    /// `depends_on` and addresses in env values become `calls`; a callee
    /// without ports has nothing to call and gets a note instead.
    fn calls(&mut self, compose: &Compose, services: &mut [Service]) {
        for (i, s) in compose.services.iter().enumerate() {
            let at = format!("services.{}", s.name.value);
            let mut wanted: Vec<(String, Span, String)> = Vec::new();
            for d in &s.depends_on {
                let path = format!("{at}.depends_on.{}", d.service.value);
                if let Some(c) = &d.condition {
                    self.dropped(c.span, &format!("{path}.condition"), format!("`{}`: pods start independently and readiness probes hold traffic back until a service is ready", c.value));
                }
                wanted.push((d.service.value.clone(), d.service.span, path));
            }
            for (k, v) in &s.environment {
                let Some(v) = v else { continue };
                if let Some(host) = names::address_host(&k.value, &v.value)
                    && self.meshc_name(host).is_some()
                {
                    wanted.push((
                        host.to_string(),
                        v.span,
                        format!("{at}.environment.{}", k.value),
                    ));
                }
            }
            let me = services[i].name.clone();
            let mut calls: Vec<String> = Vec::new();
            for (callee, span, path) in wanted {
                let Some(target) = self.meshc_name(&callee).map(str::to_string) else {
                    self.dropped(span, &path, format!("there is no service `{callee}`"));
                    continue;
                };
                if target == me || calls.contains(&target) {
                    continue;
                }
                if services
                    .iter()
                    .any(|t| t.name == target && t.ports.is_empty())
                {
                    self.dropped(span, &path, format!("`{target}` declares no ports, so there is no call to declare; the start order is not carried over"));
                    continue;
                }
                calls.push(target);
            }
            services[i].calls = calls;
        }
    }
}
