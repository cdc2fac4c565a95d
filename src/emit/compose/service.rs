//! One workload → one Compose service: the image or its build, the same
//! lock-down as the Kubernetes container (uid 10001, read-only root, no
//! capabilities, no privilege escalation, a tmpfs `/tmp`), env with
//! secrets and addresses resolved for a local run, the networks the graph
//! allows, and `deploy:` for Swarm.

use super::plan::{Plan, config_name, secret_name, secret_var, volume_name};
use super::types::{
    Attachment, Build, ComposeService, ConfigMount, Deploy, DeployResources, Healthcheck, Limits,
    Published, RestartPolicy, UpdateConfig, VolumeMount,
};
use super::units;
use crate::model::{App, CONFIG_DIR, EnvValue, Probe, RUN_AS_USER, Service, Workload};
use indexmap::IndexMap;

/// Config files are data: r--r--r--.
const CONFIG_MODE: u32 = 0o444;

pub fn service(app: &App, plan: &Plan, svc: &Service, w: &Workload) -> ComposeService {
    ComposeService {
        image: escape(&w.image),
        build: build(plan, w),
        labels: labels(app, svc, w),
        user: format!("{RUN_AS_USER}:{RUN_AS_USER}"),
        read_only: true,
        cap_drop: vec!["ALL"],
        security_opt: vec!["no-new-privileges:true"],
        tmpfs: vec!["/tmp"],
        environment: w
            .env
            .iter()
            .map(|e| (e.name.clone(), env_value(&e.value)))
            .collect(),
        ports: published(plan, svc, w),
        expose: svc.ports.iter().map(|p| p.number.to_string()).collect(),
        healthcheck: healthcheck(svc),
        secrets: secrets(w),
        configs: svc
            .config
            .iter()
            .map(|f| ConfigMount {
                source: config_name(svc, f),
                target: format!("{CONFIG_DIR}/{}", f.name),
                mode: CONFIG_MODE,
            })
            .collect(),
        volumes: svc
            .storage
            .iter()
            .map(|v| VolumeMount {
                kind: "volume",
                source: volume_name(w, v),
                target: v.path.clone(),
                read_only: false,
            })
            .collect(),
        networks: networks(app, plan, svc, w),
        depends_on: w
            .calls
            .iter()
            .flat_map(|&c| &app.services[c].workloads)
            .map(|cw| (cw.name.clone(), plan.dependency(cw)))
            .collect(),
        deploy: deploy(svc, w),
    }
}

/// Compose interpolates `$` in every value; a literal one is written `$$`.
pub fn escape(s: &str) -> String {
    s.replace('$', "$$")
}

fn labels(app: &App, svc: &Service, w: &Workload) -> IndexMap<&'static str, String> {
    let mut l = IndexMap::from([
        ("dev.meshc.app", app.name.clone()),
        ("dev.meshc.service", svc.name.clone()),
    ]);
    if let Some(v) = &w.version {
        l.insert("dev.meshc.version", v.clone());
    }
    l
}

/// Sources are found from the compose file's folder: `${MESHC_SOURCE}`, by
/// default `../..`, the description's directory when the bundle is `out/`
/// beside it (`meshc build`'s default).
pub const SOURCE: &str = "${MESHC_SOURCE:-../..}";

fn source(context: &str) -> String {
    match context.trim_start_matches("./").trim_end_matches('/') {
        "" | "." => SOURCE.to_string(),
        rel => format!("{SOURCE}/{}", escape(rel)),
    }
}

fn build(plan: &Plan, w: &Workload) -> Option<Build> {
    if let Some(b) = &w.build {
        return Some(Build {
            context: source(&b.context),
            dockerfile: None,
            // The Dockerfile meshc generates, inline: the compose file then
            // needs nothing from the bundle but itself.
            dockerfile_inline: plan.dockerfile(w).map(escape),
            target: None,
            args: IndexMap::new(),
        });
    }
    let own = w.own_build.as_ref()?;
    Some(Build {
        context: source(&own.context),
        dockerfile: Some(escape(&own.dockerfile)),
        dockerfile_inline: None,
        target: own.target.as_ref().map(|t| escape(t)),
        args: own
            .args
            .iter()
            .map(|(k, v)| (k.clone(), escape(v)))
            .collect(),
    })
}

fn env_value(v: &EnvValue) -> String {
    match v {
        EnvValue::Plain(s) => escape(s),
        // The alias answers on the container's port: there is no Service
        // in between to map a Service port to it.
        EnvValue::Address {
            service,
            container_port,
            ..
        } => format!("{service}:{container_port}"),
        // The same contract as on Kubernetes (the value in the variable),
        // from the host's environment at `up`; `:?` stops `up` when unset.
        EnvValue::Secret { name, key } => format!("${{{}:?}}", secret_var(name, key)),
    }
}

fn secrets(w: &Workload) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in &w.env {
        if let EnvValue::Secret { name, key } = &e.value {
            let s = secret_name(name, key);
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn published(plan: &Plan, svc: &Service, w: &Workload) -> Vec<Published> {
    let (Some(ingress), Some(range)) = (&svc.ingress, plan.published(w)) else {
        return Vec::new();
    };
    vec![Published {
        target: ingress.port.number,
        published: if range.start() == range.end() {
            range.start().to_string()
        } else {
            format!("{}-{}", range.start(), range.end())
        },
        // A laptop's run is for its user, not its network.
        host_ip: "127.0.0.1",
        protocol: "tcp",
    }]
}

/// A declared `exec` check runs in any image; the other kinds need a probe
/// in the image, which only meshc's generated Dockerfiles carry (as their
/// own `HEALTHCHECK`).
fn healthcheck(svc: &Service) -> Option<Healthcheck> {
    let Some(Probe::Exec { command }) = &svc.health else {
        return None;
    };
    let mut test = vec!["CMD".to_string()];
    test.extend(command.iter().map(|c| escape(c)));
    Some(Healthcheck {
        test,
        interval: "10s",
        timeout: "2s",
        retries: 3,
        start_period: "60s",
    })
}

/// The service's own network (when it has callers), under its name as
/// alias so every version answers to it, and the network of each service
/// this workload calls (a version's own calls are its alone).
fn networks(app: &App, plan: &Plan, svc: &Service, w: &Workload) -> IndexMap<String, Attachment> {
    let mut out = IndexMap::new();
    if plan.has_network(svc) {
        out.insert(
            svc.name.clone(),
            Attachment {
                aliases: if svc.versioned {
                    vec![svc.name.clone()]
                } else {
                    Vec::new()
                },
            },
        );
    }
    for &c in &w.calls {
        out.insert(
            app.services[c].name.clone(),
            Attachment {
                aliases: Vec::new(),
            },
        );
    }
    out
}

/// What a local run starts: the autoscaler's floor when there is one.
pub fn replicas(svc: &Service, w: &Workload) -> u32 {
    svc.autoscale.as_ref().map_or(w.replicas, |a| a.min)
}

fn deploy(svc: &Service, w: &Workload) -> Deploy {
    let r = &svc.resources;
    Deploy {
        mode: "replicated",
        replicas: replicas(svc, w),
        resources: DeployResources {
            limits: Limits {
                cpus: units::cpus(&r.cpu_limit),
                memory: units::memory(&r.memory_limit),
            },
            reservations: Limits {
                cpus: units::cpus(&r.cpu),
                memory: units::memory(&r.memory),
            },
        },
        restart_policy: RestartPolicy {
            condition: "any",
            delay: "5s",
        },
        update_config: UpdateConfig {
            parallelism: 1,
            // Two containers on one volume at once is what StatefulSets avoid.
            order: if svc.storage.is_empty() {
                "start-first"
            } else {
                "stop-first"
            },
            failure_action: "rollback",
        },
    }
}
