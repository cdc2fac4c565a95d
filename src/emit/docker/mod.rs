//! Docker: model → one Dockerfile and its ignore file per workload built from
//! source (`build:`), rendered from handlebars templates.
//!
//! In: the [`App`] and the [`Templates`] (embedded defaults, with the files
//! of `--templates DIR` replacing them by name). Out, per workload:
//! `docker/<workload>/Dockerfile` and `docker/<workload>/Dockerfile.dockerignore`
//! (BuildKit's per-Dockerfile ignore file: the context lives elsewhere, so a
//! plain `.dockerignore` here would never be read).
//!
//! Templates render in strict mode: a variable a template names but the model
//! does not provide fails the build. How values are escaped: see [`escape`].

mod context;
mod escape;
mod images;
#[cfg(test)]
mod tests;

pub use images::{default_base, stage_images, toolchain};

use super::{Artifact, EmitError, Keep, Target};
use crate::model::{App, Build, Service, Workload};
use handlebars::{Context, Handlebars, RenderError, RenderErrorReason};
use std::collections::BTreeMap;

/// The built-in templates, by file name. Names ending in `.Dockerfile.hbs`
/// are per runtime; the others are the ignore file and two partials
/// (`{{> header}}`, `{{> probe}}`).
const EMBEDDED: [(&str, &str); 9] = [
    (
        "node.Dockerfile.hbs",
        include_str!("../../../templates/docker/node.Dockerfile.hbs"),
    ),
    (
        "python.Dockerfile.hbs",
        include_str!("../../../templates/docker/python.Dockerfile.hbs"),
    ),
    (
        "go.Dockerfile.hbs",
        include_str!("../../../templates/docker/go.Dockerfile.hbs"),
    ),
    (
        "rust.Dockerfile.hbs",
        include_str!("../../../templates/docker/rust.Dockerfile.hbs"),
    ),
    (
        "java.Dockerfile.hbs",
        include_str!("../../../templates/docker/java.Dockerfile.hbs"),
    ),
    (
        "static.Dockerfile.hbs",
        include_str!("../../../templates/docker/static.Dockerfile.hbs"),
    ),
    (
        "dockerignore.hbs",
        include_str!("../../../templates/docker/dockerignore.hbs"),
    ),
    (
        "header.hbs",
        include_str!("../../../templates/docker/header.hbs"),
    ),
    (
        "probe.hbs",
        include_str!("../../../templates/docker/probe.hbs"),
    ),
];

/// Dockerfile templates by file name (`node.Dockerfile.hbs`, …): the embedded
/// defaults, with files from `--templates DIR` replacing them by name. Loaded
/// before emitting so the emitter itself does no I/O. A name missing from
/// `files` falls back to the embedded template, so `Templates::default()`
/// means "no overrides".
#[derive(Clone, Debug, Default)]
pub struct Templates {
    pub files: BTreeMap<String, String>,
}

impl Templates {
    /// Every built-in template.
    pub fn embedded() -> Templates {
        Templates {
            files: EMBEDDED
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        }
    }

    /// The built-in templates with `files` replacing them by name. Names may
    /// carry a `docker/` prefix (a copy of the repository's `templates/`);
    /// files not ending in `.hbs` are ignored.
    pub fn with_overrides(files: BTreeMap<String, String>) -> Templates {
        let mut t = Templates::embedded();
        for (name, text) in files {
            let name = name.strip_prefix("docker/").unwrap_or(&name).to_string();
            if name.ends_with(".hbs") {
                t.files.insert(name, text);
            }
        }
        t
    }

    /// Each template as the emitter will use it, by file name, in a fixed
    /// order: what Dockerfiles depend on (see [`super::fingerprint`]).
    pub fn effective(&self) -> impl Iterator<Item = (&'static str, &str)> {
        EMBEDDED
            .iter()
            .map(|&(file, embedded)| (file, self.text(file, embedded)))
    }

    fn text(&self, file: &'static str, embedded: &'static str) -> &str {
        let key = |k: &str| self.files.get(k).map(String::as_str);
        key(file)
            .or_else(|| key(&format!("docker/{file}")))
            .unwrap_or(embedded)
    }
}

fn err(message: String) -> EmitError {
    EmitError {
        target: Target::Docker,
        message,
    }
}

/// The registry name of a template file: `python.Dockerfile.hbs` → `python.Dockerfile`.
fn stem(file: &str) -> &str {
    file.strip_suffix(".hbs").unwrap_or(file)
}

/// Parses every template once; each workload is then only a render.
fn registry(templates: &Templates) -> Result<Handlebars<'static>, EmitError> {
    let known = |n: &str| EMBEDDED.iter().any(|(f, _)| *f == n);
    if let Some(unknown) = templates
        .files
        .keys()
        .map(|n| n.strip_prefix("docker/").unwrap_or(n))
        .find(|n| n.ends_with(".hbs") && !known(n))
    {
        let names: Vec<&str> = EMBEDDED.iter().map(|(f, _)| *f).collect();
        return Err(err(format!(
            "unknown template `{unknown}`; the templates are {}",
            names.join(", ")
        )));
    }
    let mut reg = Handlebars::new();
    reg.set_strict_mode(true);
    escape::install(&mut reg);
    for (file, embedded) in EMBEDDED {
        reg.register_template_string(stem(file), templates.text(file, embedded))
            .map_err(|e| err(format!("template `{file}` does not parse: {}", e.reason())))?;
    }
    Ok(reg)
}

/// One artifact pair per workload with `build`, in service and version order.
/// Only the services `keep` picks are rendered.
pub fn emit(app: &App, templates: &Templates, keep: Keep) -> Result<Vec<Artifact>, EmitError> {
    let kept = super::kept(app, keep);
    let builds = kept
        .iter()
        .flat_map(|s| &s.workloads)
        .any(|w| w.build.is_some());
    if !builds {
        // Nothing to render: skip parsing the templates (a fixed few ms).
        return Ok(Vec::new());
    }
    let reg = registry(templates)?;
    // Services render in parallel; the first error in service order wins.
    let per_service = crate::par::map(&kept, |svc| {
        let mut out = Vec::new();
        for w in &svc.workloads {
            let Some(build) = &w.build else { continue };
            let (dockerfile, ignore) = render(&reg, app, svc, w, build)?;
            let dir = context::dir(w);
            out.push(artifact(format!("{dir}/Dockerfile"), dockerfile, svc));
            out.push(artifact(
                format!("{dir}/Dockerfile.dockerignore"),
                ignore,
                svc,
            ));
        }
        Ok(out)
    });
    let mut out = Vec::new();
    for files in per_service {
        out.extend(files?);
    }
    Ok(out)
}

/// The Dockerfile of every workload built from source, by workload name, in
/// service and version order: what the Compose target builds from.
pub fn dockerfiles(
    app: &App,
    templates: &Templates,
) -> Result<BTreeMap<String, String>, EmitError> {
    let mut out = BTreeMap::new();
    if !app
        .services
        .iter()
        .flat_map(|s| &s.workloads)
        .any(|w| w.build.is_some())
    {
        return Ok(out);
    }
    let reg = registry(templates)?;
    for svc in &app.services {
        for w in &svc.workloads {
            if let Some(build) = &w.build {
                out.insert(w.name.clone(), render(&reg, app, svc, w, build)?.0);
            }
        }
    }
    Ok(out)
}

/// One workload's Dockerfile and ignore file.
fn render(
    reg: &Handlebars<'static>,
    app: &App,
    svc: &Service,
    w: &Workload,
    build: &Build,
) -> Result<(String, String), EmitError> {
    let vars = context::vars(app, svc, w, build);
    let data =
        Context::wraps(&vars).map_err(|e| err(format!("cannot prepare `{}`: {e}", w.name)))?;
    let render = |file: &str| {
        reg.render_with_context(stem(file), &data)
            .map_err(|e| render_error(&e, file, &vars))
    };
    let dockerfile = render(&format!("{}.Dockerfile.hbs", vars.runtime))?;
    Ok((dockerfile, render("dockerignore.hbs")?))
}

/// `template `python.Dockerfile.hbs` (in `header.hbs`) line 3 failed for
/// workload `web` of service `web`: …`, listing the variables when one is missing.
fn render_error(e: &RenderError, file: &str, vars: &context::Vars<'_>) -> EmitError {
    let partial = e
        .template_name
        .as_deref()
        .filter(|n| *n != stem(file))
        .map(|n| format!(" (in `{n}.hbs`)"))
        .unwrap_or_default();
    let line = e.line_no.map(|l| format!(" line {l}")).unwrap_or_default();
    let why = match e.reason() {
        RenderErrorReason::MissingVariable(Some(path)) => format!(
            "`{path}` is not a variable; the variables are {}",
            context::names(vars).join(", ")
        ),
        reason => reason.to_string(),
    };
    err(format!(
        "template `{file}`{partial}{line} failed for workload `{}` of service `{}`: {why}",
        vars.name, vars.service
    ))
}

fn artifact(path: String, text: String, svc: &Service) -> Artifact {
    Artifact {
        path,
        bytes: text.into_bytes(),
        resources: vec![],
        service: Some(svc.name.clone()),
    }
}
