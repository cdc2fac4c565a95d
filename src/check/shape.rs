//! Workload shape: where images come from, referenced files, secrets written
//! inline, autoscaling bounds, and environment overlays that name nothing.

use crate::ast::{Description, EnvValue, EnvVar, Service, Source, Spanned};
use crate::diag::{Code, Diagnostic, Suggestions, did_you_mean};
use indexmap::IndexMap;
use std::path::{Component, Path};

pub fn check(desc: &Description, base: &Path, out: &mut Vec<Diagnostic>) {
    for svc in desc.services.values() {
        sources(svc, out);
        files(svc, base, out);
        inline_secrets(&svc.env, out);
        storage(svc, out);
        for v in svc.versions.values() {
            inline_secrets(&v.env, out);
        }
        if let Some(a) = &svc.autoscale
            && a.min.value > a.max.value
        {
            out.push(
                Diagnostic::new(
                    Code::AutoscaleRange,
                    a.min.span,
                    format!(
                        "`autoscale.min` ({}) is above `autoscale.max` ({})",
                        a.min.value, a.max.value
                    ),
                )
                .label("minimum")
                .also(a.max.span, "maximum")
                .help("make `min` at most `max`"),
            );
        }
    }
    overlays(desc, out);
}

/// Volume names are Kubernetes names and must not take the pod's own
/// volumes (`tmp`, `config`); mount paths must not shadow theirs.
fn storage(svc: &Service, out: &mut Vec<Diagnostic>) {
    const TAKEN: [(&str, &str); 2] = [("tmp", "/tmp"), ("config", crate::model::CONFIG_DIR)];
    for v in svc.storage.values() {
        let n = &v.name.value;
        let dns = !n.is_empty()
            && n.len() <= 63
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && n.starts_with(|c: char| c.is_ascii_lowercase())
            && !n.ends_with('-');
        if !dns {
            out.push(
                Diagnostic::new(
                    Code::InvalidName,
                    v.name.span,
                    format!("`{n}` is not a valid volume name"),
                )
                .label("not a DNS-1123 label")
                .help("use lowercase letters, digits and `-`, starting with a letter, e.g. `data`"),
            );
        }
        for (name, path) in TAKEN {
            if n == name || v.path.value.trim_end_matches('/') == path {
                out.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        if n == name { v.name.span } else { v.path.span },
                        format!(
                            "volume `{n}` collides with the pod's own `{name}` volume at `{path}`"
                        ),
                    )
                    .label("already used by meshc")
                    .help("choose another name and mount path, e.g. `data` at `/data`"),
                );
            }
        }
    }
}

fn sources(svc: &Service, out: &mut Vec<Diagnostic>) {
    let builds = svc
        .source
        .iter()
        .chain(svc.versions.values().filter_map(|v| v.source.as_ref()));
    for source in builds {
        if let Source::Build(b) = source
            && let Some(runtime) = &b.runtime
            && b.command.is_empty()
            && runtime.value != crate::ast::Runtime::Static
        {
            out.push(
                Diagnostic::new(Code::MissingField, b.span, format!("a `{}` build needs a `command`", runtime.value.as_str()))
                    .label("what would the container run?")
                    .help("add the command the image starts with, e.g. `command: [node, server.js]`; only `static` sites have a default (nginx)"),
            );
        }
    }
    if svc.versions.is_empty() {
        if svc.source_span.is_none() {
            out.push(
                Diagnostic::new(Code::ImageOrBuild, svc.name.span, format!("service `{}` has neither `image` nor `build`", svc.name.value))
                    .label("nothing to deploy")
                    .help("add `image: registry/name:tag` to deploy an image, or `build: { runtime, context }` to build one"),
            );
        }
        return;
    }
    if let Some(span) = svc.source_span {
        out.push(
            Diagnostic::new(
                Code::ImageOrBuild,
                span,
                format!(
                    "service `{}` has versions, so its image belongs to each version",
                    svc.name.value
                ),
            )
            .label("set on the service")
            .help("move `image` or `build` into each entry of `versions`"),
        );
    }
    for v in svc.versions.values() {
        if v.source_span.is_none() {
            out.push(
                Diagnostic::new(
                    Code::ImageOrBuild,
                    v.name.span,
                    format!(
                        "version `{}` of `{}` has neither `image` nor `build`",
                        v.name.value, svc.name.value
                    ),
                )
                .label("nothing to deploy")
                .help("give each version its own `image` or `build`"),
            );
        }
    }
}

fn files(svc: &Service, base: &Path, out: &mut Vec<Diagnostic>) {
    let builds = svc
        .source
        .iter()
        .chain(svc.versions.values().filter_map(|v| v.source.as_ref()))
        .filter_map(|s| match s {
            Source::Build(b) => Some(b),
            Source::Image(_) => None,
        });
    for b in builds {
        let before = out.len();
        local_path(&b.context, base, "build context", true, out);
        // The team's own Dockerfile must be there too, inside the context.
        if b.runtime.is_none() && out.len() == before {
            let name = b
                .dockerfile
                .as_ref()
                .map_or("Dockerfile", |d| d.value.as_str());
            let joined = Spanned::new(
                format!("{}/{name}", b.context.value.trim_end_matches('/')),
                b.dockerfile.as_ref().map_or(b.context.span, |d| d.span),
            );
            local_path(&joined, base, "Dockerfile", false, out);
        }
    }
    for file in svc.config.values() {
        local_path(&file.path, base, "config file", false, out);
    }
}

/// A path must stay inside the description's directory and exist there.
fn local_path(p: &Spanned<String>, base: &Path, what: &str, dir: bool, out: &mut Vec<Diagnostic>) {
    let path = Path::new(&p.value);
    let escapes = p.value.is_empty()
        || path.is_absolute()
        || p.value.starts_with('\\')
        || p.value.contains('\0')
        || path.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::Prefix(_) | Component::RootDir
            )
        });
    if escapes {
        out.push(
            Diagnostic::new(
                Code::PathEscape,
                p.span,
                format!(
                    "{what} `{}` is outside the description's directory",
                    p.value.escape_debug()
                ),
            )
            .label("absolute, or climbs out with `..`")
            .help(
                "use a relative path below the directory that holds the description, e.g. `./web`",
            ),
        );
        return;
    }
    let full = base.join(path);
    // A symlink that points outside is as much an escape as `..`.
    let inside = match (full.canonicalize(), base.canonicalize()) {
        (Ok(f), Ok(b)) => Some(f.starts_with(b)),
        _ => None,
    };
    match (full.metadata(), inside) {
        (_, Some(false)) => out.push(
            Diagnostic::new(Code::PathEscape, p.span, format!("{what} `{}` leads outside the description's directory through a link", p.value))
                .label("resolves outside")
                .help("replace the symbolic link with the file itself"),
        ),
        (Ok(m), _) if m.is_dir() == dir => {}
        (Ok(_), _) => out.push(
            Diagnostic::new(Code::MissingFile, p.span, format!("{what} `{}` is a {}", p.value, if dir { "file, not a directory" } else { "directory, not a file" }))
                .label("wrong kind of path")
                .help(if dir { "point `build.context` at the directory holding the sources" } else { "point at the file to mount" }),
        ),
        (Err(_), _) => out.push(
            Diagnostic::new(Code::MissingFile, p.span, format!("{what} `{}` does not exist", p.value))
                .label("not found")
                .help("paths are relative to the directory that holds the description; create it or fix the path"),
        ),
    }
}

/// Whether an environment variable's name says it holds a secret
/// (`DB_PASSWORD`, `API_TOKEN`); `meshc import` moves such values to Secrets.
pub fn looks_like_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "TOKEN", "SECRET", "KEY", "CREDENTIAL"]
        .iter()
        .any(|w| upper.contains(w))
}

fn inline_secrets(env: &IndexMap<String, EnvVar>, out: &mut Vec<Diagnostic>) {
    for var in env.values() {
        if let (true, EnvValue::Plain(v)) = (looks_like_secret(&var.name.value), &var.value)
            && !v.value.is_empty()
        {
            out.push(
                Diagnostic::new(Code::InlineSecret, v.span, format!("`{}` looks like a secret but its value is written inline", var.name.value))
                    .label("committed in clear text")
                    .also(var.name.span, "named like a secret")
                    .help(format!("store it in a Kubernetes Secret and write `{}: {{ secret: <secret-name>/<key> }}`", var.name.value)),
            );
        }
    }
}

fn overlays(desc: &Description, out: &mut Vec<Diagnostic>) {
    let mut suggest = Suggestions::default();
    for env in desc.environments.values() {
        for ov in env.services.values() {
            let Some(svc) = desc.services.get(&ov.name.value) else {
                let mut d = Diagnostic::new(
                    Code::UnknownEnvironment,
                    ov.name.span,
                    format!(
                        "environment `{}` overrides unknown service `{}`",
                        env.name.value, ov.name.value
                    ),
                )
                .label("no such service");
                d = match suggest
                    .did_you_mean(&ov.name.value, desc.services.keys().map(String::as_str))
                {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("override only services defined under `services`"),
                };
                out.push(d);
                continue;
            };
            for v in ov.versions.values() {
                if !svc.versions.contains_key(&v.name.value) {
                    let mut d = Diagnostic::new(
                        Code::UnknownEnvironment,
                        v.name.span,
                        format!(
                            "environment `{}` overrides unknown version `{}` of `{}`",
                            env.name.value, v.name.value, svc.name.value
                        ),
                    )
                    .label("no such version");
                    d = match did_you_mean(&v.name.value, svc.versions.keys().map(String::as_str)) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => {
                            d.help("override only versions listed under the service's `versions`")
                        }
                    };
                    out.push(d);
                }
            }
            if let Some(image) = &ov.image
                && !svc.versions.is_empty()
            {
                out.push(
                    Diagnostic::new(
                        Code::ImageOrBuild,
                        image.span,
                        format!(
                            "`{}` has versions, so an override sets each version's image",
                            svc.name.value
                        ),
                    )
                    .label("set on the service")
                    .help("write the image under `versions: { <version>: { image: … } }`"),
                );
            }
            if let Some(a) = &ov.autoscale
                && a.min.value > a.max.value
            {
                out.push(
                    Diagnostic::new(
                        Code::AutoscaleRange,
                        a.min.span,
                        "`autoscale.min` is above `autoscale.max`",
                    )
                    .label("minimum")
                    .also(a.max.span, "maximum")
                    .help("make `min` at most `max`"),
                );
            }
            inline_secrets(&ov.env, out);
        }
    }
}
