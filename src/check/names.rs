//! Names that become Kubernetes names, labels and keys, and values that end
//! up verbatim in resources (hosts, paths, images, secret references).

use crate::ast::{Description, EnvValue, EnvVar, Name, Service, Source};
use crate::diag::{Code, Diagnostic};
use indexmap::IndexMap;

pub fn check(desc: &Description, out: &mut Vec<Diagnostic>) {
    if let Some(app) = &desc.app {
        dns_label(app, "app name", 63, out);
    }
    if let Some(ns) = &desc.namespace {
        dns_label(ns, "namespace", 63, out);
    }
    if let Some(td) = &desc.trust_domain
        && !is_dns_subdomain(&td.value)
    {
        out.push(invalid_value(
            td,
            "trust domain",
            "a DNS name such as `cluster.local`",
        ));
    }
    let mut hosts: std::collections::HashMap<&str, &crate::ast::Ingress> =
        std::collections::HashMap::new();
    for svc in desc.services.values() {
        service(svc, out);
        if let Some(ing) = &svc.ingress {
            match hosts.get(ing.host.value.as_str()) {
                Some(first) if first.tls_secret.as_ref().map(|s| &s.value) != ing.tls_secret.as_ref().map(|s| &s.value) => out.push(
                    Diagnostic::new(Code::InvalidValue, ing.host.span, format!("ingress host `{}` is shared with a different TLS secret", ing.host.value))
                        .label("this TLS setting")
                        .also(first.host.span, "differs from this one")
                        .help("services sharing a host are served by one gateway: give them the same `tls_secret`"),
                ),
                Some(_) => {}
                None => {
                    hosts.insert(&ing.host.value, ing);
                }
            }
        }
    }
    for env in desc.environments.values() {
        dns_label(&env.name, "environment name", 63, out);
        for ov in env.services.values() {
            if let Some(image) = &ov.image {
                image_ref(image, out);
            }
            for v in ov.versions.values() {
                if let Some(image) = &v.image {
                    image_ref(image, out);
                }
            }
            env_vars(&ov.env, out);
        }
    }
}

/// Names whose files would collide with the bundle's own files.
const RESERVED: [&str; 3] = ["kustomization", "namespace", "mesh"];

fn service(svc: &Service, out: &mut Vec<Diagnostic>) {
    dns_label(&svc.name, "service name", 63, out);
    if RESERVED.contains(&svc.name.value.as_str()) {
        out.push(
            Diagnostic::new(
                Code::InvalidName,
                svc.name.span,
                format!("`{}` is a reserved name", svc.name.value),
            )
            .label("reserved")
            .help(format!(
                "meshc writes its own `{}.yaml`; name the service differently, e.g. `{}-svc`",
                svc.name.value, svc.name.value
            )),
        );
    }
    if let Some(ing) = &svc.ingress
        && !svc.ports.values().any(|p| p.protocol.is_http())
    {
        out.push(
            Diagnostic::new(
                Code::UnknownPort,
                ing.host.span,
                format!("`{}` has an ingress but no HTTP port", svc.name.value),
            )
            .label("nothing to route HTTP requests to")
            .help("declare the HTTP port the service serves, e.g. `ports: { http: 8080 }`"),
        );
    }
    for v in svc.versions.values() {
        // The Deployment is named `<service>-<version>`.
        let budget = 62usize.saturating_sub(svc.name.value.len()).max(1);
        dns_label(&v.name, "version name", budget, out);
        env_vars(&v.env, out);
    }
    for source in svc
        .source
        .iter()
        .chain(svc.versions.values().filter_map(|v| v.source.as_ref()))
    {
        match source {
            Source::Image(image) => image_ref(image, out),
            Source::Build(b) => {
                for image in b.image.iter().chain(b.base.iter()) {
                    image_ref(image, out);
                }
            }
        }
    }
    for port in svc.ports.values() {
        port_name(&port.name, out);
    }
    env_vars(&svc.env, out);
    for file in svc.config.values() {
        let n = &file.name.value;
        if n.is_empty()
            || n.len() > 253
            || n == "."
            || n == ".."
            || !n
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        {
            out.push(
                Diagnostic::new(
                    Code::InvalidName,
                    file.name.span,
                    format!("`{n}` is not a valid config file name"),
                )
                .label("becomes a ConfigMap key and a file name")
                .help("use letters, digits, `-`, `_` and `.` only, e.g. `settings.json`"),
            );
        }
    }
    if let Some(crate::ast::Health::Http { path, .. }) = &svc.health
        && !is_url_path(&path.value)
    {
        out.push(invalid_value(
            path,
            "health check path",
            "a URL path starting with `/`",
        ));
    }
    if let Some(ing) = &svc.ingress {
        let host = ing.host.value.strip_prefix("*.").unwrap_or(&ing.host.value);
        if !is_dns_subdomain(host) || !host.contains('.') {
            out.push(invalid_value(
                &ing.host,
                "ingress host",
                "a DNS name such as `shop.example.com`",
            ));
        }
        for p in &ing.paths {
            if !is_url_path(&p.value) {
                out.push(invalid_value(
                    p,
                    "ingress path",
                    "a URL path starting with `/`",
                ));
            }
        }
        if let Some(s) = &ing.tls_secret
            && !is_dns_subdomain(&s.value)
        {
            out.push(invalid_value(
                s,
                "TLS secret name",
                "a Kubernetes object name",
            ));
        }
    }
    for o in &svc.opt_outs {
        let c = &o.check.value;
        let ok = c.starts_with("CKV")
            && c.split('_').count() == 3
            && c.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            out.push(invalid_value(
                &o.check,
                "checkov check id",
                "an id such as `CKV_K8S_43`",
            ));
        }
        if o.reason.value.trim().len() < 10 {
            out.push(
                Diagnostic::new(Code::InvalidValue, o.reason.span, "an opt-out needs a real reason")
                    .label("too short to explain anything")
                    .help("say why the exception is justified; the reason is written into the resource for reviewers"),
            );
        }
    }
    if let Some(traffic) = &svc.traffic {
        for m in traffic
            .routes
            .iter()
            .filter_map(|r| r.matches.as_ref())
            .chain(traffic.fault.as_ref().and_then(|f| f.matches.as_ref()))
        {
            for (h, _) in &m.headers {
                if h.value.is_empty()
                    || !h.value.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b)
                    })
                {
                    out.push(invalid_value(
                        h,
                        "header name",
                        "a lowercase header name such as `end-user`",
                    ));
                }
            }
        }
    }
}

fn env_vars(env: &IndexMap<String, EnvVar>, out: &mut Vec<Diagnostic>) {
    for var in env.values() {
        let n = &var.name.value;
        if n.is_empty() || n.contains('=') || !n.bytes().all(|b| b.is_ascii_graphic()) {
            out.push(
                Diagnostic::new(
                    Code::InvalidName,
                    var.name.span,
                    format!("`{n}` is not a valid environment variable name"),
                )
                .label("not a variable name")
                .help("use letters, digits and `_`, e.g. `LOG_LEVEL`"),
            );
        }
        if let EnvValue::Secret { name, key, span } = &var.value
            && (!is_dns_subdomain(&name.value)
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)))
        {
            out.push(
                Diagnostic::new(Code::InvalidValue, *span, format!("`{}/{key}` is not a valid secret reference", name.value))
                    .label("expected `secret-name/key`")
                    .help("the Secret's name is a lowercase Kubernetes name; the key uses letters, digits, `-`, `_` and `.`"),
            );
        }
    }
}

fn invalid_value(v: &Name, what: &str, expected: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidValue,
        v.span,
        format!("`{}` is not a valid {what}", v.value.escape_debug()),
    )
    .label(format!("expected {expected}"))
    .help(format!("write {expected}"))
}

/// An image reference: `[registry/]path[:tag][@digest]`, no spaces or control characters.
fn image_ref(image: &Name, out: &mut Vec<Diagnostic>) {
    let s = &image.value;
    let (name, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (s.as_str(), None),
    };
    let last = name.rsplit('/').next().unwrap_or("");
    let (path, tag) = match last.split_once(':') {
        Some((_, t)) => (&name[..name.len() - t.len() - 1], Some(t)),
        None => (name, None),
    };
    let path_ok = !path.is_empty()
        && path.len() <= 255
        && path.split('/').enumerate().all(|(i, part)| {
            !part.is_empty()
                && part.bytes().all(|b| {
                    b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b"._-".contains(&b)
                        || (i == 0 && (b == b':' || b.is_ascii_uppercase()))
                })
        });
    let tag_ok = tag.is_none_or(|t| {
        !t.is_empty()
            && t.len() <= 128
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    });
    let digest_ok = digest.is_none_or(|d| {
        d.split_once(':').is_some_and(|(alg, hex)| {
            !alg.is_empty() && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
        })
    });
    if !(path_ok && tag_ok && digest_ok) {
        out.push(
            Diagnostic::new(Code::InvalidValue, image.span, format!("`{}` is not a valid image reference", s.escape_debug()))
                .label("not an image reference")
                .help("write `registry/repository:tag` or `repository@sha256:<digest>`, lowercase, without spaces"),
        );
    }
}

fn port_name(name: &Name, out: &mut Vec<Diagnostic>) {
    let n = &name.value;
    let problem = if n.is_empty() {
        Some("it is empty".to_string())
    } else if n.len() > 15 {
        Some(format!(
            "it is {} characters long; the limit is 15",
            n.len()
        ))
    } else if let Some(c) = n
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        Some(format!("`{}` is not allowed", c.escape_debug()))
    } else if n.starts_with('-') || n.ends_with('-') || n.contains("--") {
        Some("`-` may not start or end it, or appear twice in a row".into())
    } else if !n.chars().any(|c| c.is_ascii_lowercase()) {
        Some("it needs at least one letter".into())
    } else {
        None
    };
    if let Some(p) = problem {
        out.push(
            Diagnostic::new(Code::InvalidName, name.span, format!("`{}` is not a valid port name: {p}", n.escape_debug()))
                .label("invalid port name")
                .help("port names are at most 15 lowercase letters, digits and `-`, e.g. `http` or `grpc-api`"),
        );
    }
}

/// Checks a DNS-1123 label that must also start with a letter, pointing at
/// the first offending character.
pub fn dns_label(name: &Name, what: &str, max: usize, out: &mut Vec<Diagnostic>) {
    let n = &name.value;
    let bad = n
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'));
    let problem = if n.is_empty() {
        Some("it is empty".to_string())
    } else if let Some((_, c)) = bad {
        let hint = if c.is_ascii_uppercase() {
            format!(" (use `{}`)", c.to_ascii_lowercase())
        } else if c == '_' || c == '.' {
            " (use `-`)".to_string()
        } else {
            String::new()
        };
        Some(format!("`{}` is not allowed{hint}", c.escape_debug()))
    } else if !n.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("it must start with a lowercase letter".into())
    } else if n.ends_with('-') {
        Some("it must end with a letter or digit".into())
    } else if n.len() > max {
        Some(format!(
            "it is {} characters long; the limit here is {max}",
            n.len()
        ))
    } else {
        None
    };
    if let Some(p) = problem {
        let suggestion: String = n
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .trim_matches('-')
            .to_string();
        let mut d = Diagnostic::new(
            Code::InvalidName,
            name.span,
            format!("`{}` is not a valid {what}: {p}", n.escape_debug()),
        )
        .label("becomes a Kubernetes name");
        d = if !suggestion.is_empty()
            && suggestion.len() <= max
            && suggestion.starts_with(|c: char| c.is_ascii_lowercase())
            && suggestion != *n
        {
            d.help(format!(
                "names use lowercase letters, digits and `-`; try `{suggestion}`"
            ))
        } else {
            d.help(format!("names use lowercase letters, digits and `-`, start with a letter and are at most {max} characters"))
        };
        out.push(d);
    }
}

/// A URL path as probes and routes take it: starts with `/`, no whitespace
/// or control characters (the schema's pattern `^/[^\s]*$` says the same).
fn is_url_path(s: &str) -> bool {
    s.starts_with('/') && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}
