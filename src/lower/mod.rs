//! Lower: checked AST (+ an environment overlay) → the target-neutral model.
//!
//! Applies defaults, merges the overlay, resolves every reference (calls to
//! service ids, health checks to ports) and reads config files through the
//! caller's reader, so the model is complete and emitters cannot fail.
//! Runs only on a description `check` found no errors in.

use crate::ast::{self, Description, Spanned};
use crate::diag::{Code, Diagnostic};
use crate::emit::docker::stage_images;
use crate::model::{self, App, Mesh, Routing};
use indexmap::IndexMap;

mod calls;
mod traffic;

use calls::{address_port, resolve_calls};
use traffic::merge_traffic;

const DEFAULT_CPU: &str = "100m";
const DEFAULT_MEMORY: &str = "128Mi";
const DEFAULT_CPU_LIMIT: &str = "500m";
const DEFAULT_MEMORY_LIMIT: &str = "256Mi";
const DEFAULT_CPU_PERCENT: u32 = 80;
const DEFAULT_TRUST_DOMAIN: &str = "cluster.local";
const DEFAULT_STORAGE_SIZE: &str = "1Gi";
/// The Gateway API class of Istio's own controller, and the one meshc
/// assumes otherwise (Envoy Gateway's, as its quickstart names it).
const ISTIO_GATEWAY_CLASS: &str = "istio";
const DEFAULT_GATEWAY_CLASS: &str = "envoy-gateway";

/// Reads a config file by its description-relative path.
pub type ReadFile<'a> = dyn Fn(&str) -> Result<String, String> + Sync + 'a;

/// Why lowering could not finish.
#[derive(Debug)]
pub enum LowerError {
    /// `--env NAME` names no environment; carries the names that exist.
    UnknownEnvironment { name: String, known: Vec<String> },
    /// Problems found while resolving (unreadable config files).
    Diagnostics(Vec<Diagnostic>),
}

pub fn lower(desc: &Description, env: Option<&str>, read: &ReadFile) -> Result<App, LowerError> {
    let overlay = match env {
        None => None,
        Some(name) => {
            Some(
                desc.environments
                    .get(name)
                    .ok_or_else(|| LowerError::UnknownEnvironment {
                        name: name.to_string(),
                        known: desc.environments.keys().cloned().collect(),
                    })?,
            )
        }
    };
    let app_name = desc
        .app
        .as_ref()
        .map_or_else(String::new, |a| a.value.clone());
    let mesh = match desc.mesh.as_ref().map(|m| m.value) {
        Some(ast::Mesh::None) => Mesh::None,
        Some(ast::Mesh::Linkerd) => Mesh::Linkerd,
        Some(ast::Mesh::Istio) | None => Mesh::Istio,
    };
    let mut app = App {
        namespace: desc
            .namespace
            .as_ref()
            .map_or_else(|| app_name.clone(), |n| n.value.clone()),
        name: app_name,
        mesh,
        routing: match (mesh, desc.routing.as_ref().map(|r| r.value)) {
            (Mesh::Linkerd, _) | (_, Some(ast::Routing::GatewayApi)) => Routing::GatewayApi,
            _ => Routing::Native,
        },
        gateway_class: desc.gateway_class.as_ref().map_or_else(
            || match mesh {
                Mesh::Istio => ISTIO_GATEWAY_CLASS.to_string(),
                _ => DEFAULT_GATEWAY_CLASS.to_string(),
            },
            |c| c.value.clone(),
        ),
        trust_domain: desc
            .trust_domain
            .as_ref()
            .map_or_else(|| DEFAULT_TRUST_DOMAIN.to_string(), |t| t.value.clone()),
        services: Vec::with_capacity(desc.services.len()),
    };
    // Services lower independently: one core each takes a share, and the
    // problems come back in description order, as one loop would find them.
    let services: Vec<&ast::Service> = desc.services.values().collect();
    let mut diags = Vec::new();
    for (svc, found) in crate::par::map(&services, |svc| {
        let ov = overlay.and_then(|e| e.services.get(&svc.name.value));
        let mut found = Vec::new();
        (service(&app, desc, svc, ov, read, &mut found), found)
    }) {
        app.services.push(svc);
        diags.extend(found);
    }
    resolve_calls(desc, &mut app);
    resolve_gateways(&mut app);
    if diags.is_empty() {
        Ok(app)
    } else {
        Err(LowerError::Diagnostics(diags))
    }
}

fn service(
    app: &App,
    desc: &Description,
    svc: &ast::Service,
    ov: Option<&ast::ServiceOverride>,
    read: &ReadFile,
    diags: &mut Vec<Diagnostic>,
) -> model::Service {
    let ports: Vec<model::Port> = svc
        .ports
        .values()
        .map(|p| model::Port {
            name: p.name.value.clone(),
            number: p.number.value,
            service_port: p.service_port.as_ref().map_or(p.number.value, |s| s.value),
            protocol: p.protocol,
        })
        .collect();
    let port = |name: &str| ports.iter().find(|p| p.name == name).cloned();
    let health = svc.health.as_ref().and_then(|h| match h {
        ast::Health::Http { path, port: p } => {
            let port = match p {
                Some(p) => port(&p.value),
                None => ports.first().cloned(),
            }?;
            Some(model::Probe::Http {
                path: path.value.clone(),
                port,
            })
        }
        ast::Health::Tcp { port: p } => port(&p.value).map(|port| model::Probe::Tcp { port }),
        ast::Health::Grpc { port: p } => port(&p.value).map(|port| model::Probe::Grpc { port }),
        ast::Health::Exec { command, .. } => Some(model::Probe::Exec {
            command: command.iter().map(|c| c.value.clone()).collect(),
        }),
    });
    let ingress = svc.ingress.as_ref().and_then(|i| {
        let port = ports
            .iter()
            .find(|p| p.protocol.is_http())
            .or(ports.first())?
            .clone();
        Some(model::Ingress {
            host: ov
                .and_then(|o| o.ingress_host.as_ref())
                .map_or_else(|| i.host.value.clone(), |h| h.value.clone()),
            paths: if i.paths.is_empty() {
                vec!["/".to_string()]
            } else {
                i.paths.iter().map(|p| p.value.clone()).collect()
            },
            tls_secret: i.tls_secret.as_ref().map(|s| s.value.clone()),
            local_port: i
                .local_port
                .as_ref()
                .and_then(|p| u16::try_from(p.value).ok())
                .unwrap_or(port.number),
            port,
            gateway_owner: svc.name.value.clone(),
        })
    });
    let config = svc
        .config
        .values()
        .filter_map(|f| match read(&f.path.value) {
            Ok(data) => Some(model::ConfigFile {
                name: f.name.value.clone(),
                data,
            }),
            Err(e) => {
                diags.push(
                    Diagnostic::new(
                        Code::MissingFile,
                        f.path.span,
                        format!("cannot read config file `{}`: {e}", f.path.value),
                    )
                    .label("unreadable")
                    .help("config files are mounted from a ConfigMap and must be UTF-8 text"),
                );
                None
            }
        })
        .collect();
    let autoscale = ov
        .and_then(|o| o.autoscale.as_ref())
        .or(svc.autoscale.as_ref())
        .map(|a| model::Autoscale {
            min: a.min.value,
            max: a.max.value,
            cpu_percent: a
                .cpu_percent
                .as_ref()
                .map_or(DEFAULT_CPU_PERCENT, |c| c.value),
        });
    let service_replicas = ov
        .and_then(|o| o.replicas.as_ref())
        .or(svc.replicas.as_ref())
        .or(desc.defaults.replicas.as_ref())
        .map_or(1, |r| r.value);
    let env = merge_env(desc, &svc.env, ov.map(|o| &o.env));
    let workloads = if svc.versions.is_empty() {
        let image_override = ov.and_then(|o| o.image.as_ref());
        vec![workload(
            app,
            svc,
            None,
            svc.source.as_ref(),
            image_override,
            service_replicas,
            env.clone(),
        )]
    } else {
        svc.versions
            .values()
            .map(|v| {
                let vo = ov.and_then(|o| o.versions.get(&v.name.value));
                let replicas = vo
                    .and_then(|o| o.replicas.as_ref())
                    .or(v.replicas.as_ref())
                    .map_or(service_replicas, |r| r.value);
                let mut env = env.clone();
                env.extend(merge_env(desc, &v.env, None));
                workload(
                    app,
                    svc,
                    Some(v),
                    v.source.as_ref(),
                    vo.and_then(|o| o.image.as_ref()),
                    replicas,
                    env,
                )
            })
            .collect()
    };
    let traffic = merge_traffic(svc.traffic.as_ref(), ov.and_then(|o| o.traffic.as_ref()));
    model::Service {
        name: svc.name.value.clone(),
        span: svc.name.span,
        ports,
        versioned: !svc.versions.is_empty(),
        workloads,
        calls: Vec::new(),
        call_ports: IndexMap::new(),
        callers: Vec::new(),
        health,
        ingress,
        config,
        autoscale,
        resources: resources(desc, svc, ov),
        traffic,
        storage: svc
            .storage
            .values()
            .map(|v| model::Volume {
                name: v.name.value.clone(),
                path: v.path.value.clone(),
                size: v
                    .size
                    .as_ref()
                    .map_or_else(|| DEFAULT_STORAGE_SIZE.to_string(), |s| s.value.clone()),
                access: v
                    .access
                    .as_ref()
                    .map_or(ast::Access::ReadWriteOnce, |a| a.value),
            })
            .collect(),
        opt_outs: svc
            .opt_outs
            .iter()
            .map(|o| model::OptOut {
                check: o.check.value.clone(),
                reason: o.reason.value.clone(),
            })
            .collect(),
    }
}

fn workload(
    app: &App,
    svc: &ast::Service,
    version: Option<&ast::Version>,
    source: Option<&ast::Source>,
    image_override: Option<&Spanned<String>>,
    replicas: u32,
    env: Vec<model::EnvVar>,
) -> model::Workload {
    let name = match version {
        Some(v) => format!("{}-{}", svc.name.value, v.name.value),
        None => svc.name.value.clone(),
    };
    let (image, build, own_build) = match source {
        Some(ast::Source::Build(b)) => {
            let image = b
                .image
                .as_ref()
                .map_or_else(|| format!("{}/{}:dev", app.name, name), |i| i.value.clone());
            let context = normalize_path(&b.context.value);
            match &b.runtime {
                Some(runtime) => (
                    image,
                    Some(model::Build {
                        runtime: runtime.value,
                        context,
                        command: b.command.iter().map(|c| c.value.clone()).collect(),
                        images: stage_images(
                            runtime.value,
                            b.base.as_ref().map(|s| s.value.as_str()),
                        ),
                    }),
                    None,
                ),
                None => (
                    image,
                    None,
                    Some(model::OwnBuild {
                        context,
                        dockerfile: b
                            .dockerfile
                            .as_ref()
                            .map_or_else(|| "Dockerfile".to_string(), |d| normalize_path(&d.value)),
                        target: b.target.as_ref().map(|t| t.value.clone()),
                        args: b
                            .args
                            .iter()
                            .map(|(k, v)| (k.value.clone(), v.value.clone()))
                            .collect(),
                    }),
                ),
            }
        }
        Some(ast::Source::Image(i)) => (i.value.clone(), None, None),
        None => (String::new(), None, None),
    };
    model::Workload {
        image: image_override.map_or(image, |i| i.value.clone()),
        name,
        version: version.map(|v| v.name.value.clone()),
        build,
        own_build,
        replicas,
        calls: Vec::new(),
        env,
    }
}

/// `./web/` → `web`; `.` → `.`. `check` has already refused `..` and absolute paths.
fn normalize_path(p: &str) -> String {
    let parts: Vec<&str> = p
        .split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

fn merge_env(
    desc: &Description,
    base: &IndexMap<String, ast::EnvVar>,
    overlay: Option<&IndexMap<String, ast::EnvVar>>,
) -> Vec<model::EnvVar> {
    let mut merged: IndexMap<&str, &ast::EnvVar> =
        base.iter().map(|(k, v)| (k.as_str(), v)).collect();
    if let Some(o) = overlay {
        for (k, v) in o {
            merged.insert(k.as_str(), v);
        }
    }
    merged
        .values()
        .map(|v| model::EnvVar {
            name: v.name.value.clone(),
            value: match &v.value {
                ast::EnvValue::Plain(s) => model::EnvValue::Plain(s.value.clone()),
                ast::EnvValue::Secret { name, key, .. } => model::EnvValue::Secret {
                    name: name.value.clone(),
                    key: key.clone(),
                },
                ast::EnvValue::Address {
                    service,
                    port,
                    fqdn,
                    ..
                } => {
                    let p = address_port(desc, &service.value, port.as_ref());
                    model::EnvValue::Address {
                        service: service.value.clone(),
                        service_port: p.map_or(0, |p| {
                            p.service_port.as_ref().map_or(p.number.value, |s| s.value)
                        }),
                        container_port: p.map_or(0, |p| p.number.value),
                        fqdn: *fqdn,
                    }
                }
            },
        })
        .collect()
}

fn resources(
    desc: &Description,
    svc: &ast::Service,
    ov: Option<&ast::ServiceOverride>,
) -> model::Resources {
    let layers = [
        ov.map(|o| &o.resources),
        Some(&svc.resources),
        Some(&desc.defaults.resources),
    ];
    let pick = |get: fn(&ast::Resources) -> &Option<Spanned<String>>, default: &str| {
        layers
            .iter()
            .flatten()
            .find_map(|r| get(r).as_ref().map(|s| s.value.clone()))
            .unwrap_or_else(|| default.to_string())
    };
    model::Resources {
        cpu: pick(|r| &r.cpu, DEFAULT_CPU),
        memory: pick(|r| &r.memory, DEFAULT_MEMORY),
        cpu_limit: pick(|r| &r.cpu_limit, DEFAULT_CPU_LIMIT),
        memory_limit: pick(|r| &r.memory_limit, DEFAULT_MEMORY_LIMIT),
    }
}

/// Services sharing an ingress host share the first one's Gateway.
fn resolve_gateways(app: &mut App) {
    let mut owners: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for svc in &mut app.services {
        if let Some(i) = &mut svc.ingress {
            i.gateway_owner = owners
                .entry(i.host.clone())
                .or_insert_with(|| svc.name.clone())
                .clone();
        }
    }
}
