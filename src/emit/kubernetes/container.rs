//! The one container of a workload's pod: image, named ports, env (secrets by
//! reference), resources, probes and a locked-down security context. Model
//! service + workload in, [`Container`] out.

use super::config;
use super::types::{
    Capabilities, Container, ContainerPort, EnvVar, EnvVarSource, ExecAction, GrpcAction,
    HttpGetAction, KeySelector, Probe, Quantities, ResourceRequirements, SecurityContext,
    TcpSocketAction, VolumeMount,
};
use crate::model::{self, App, EnvValue, Service, Workload};

/// The emptyDir that gives a read-only root file system a writable `/tmp`.
pub const TMP_VOLUME: &str = "tmp";

pub fn container(app: &App, svc: &Service, w: &Workload) -> Container {
    let probe = probe_handler(svc);
    let mut volume_mounts = vec![VolumeMount {
        name: TMP_VOLUME.into(),
        mount_path: "/tmp".into(),
        read_only: false,
    }];
    volume_mounts.extend(config::mount(svc));
    volume_mounts.extend(svc.storage.iter().map(|v| VolumeMount {
        name: v.name.clone(),
        mount_path: v.path.clone(),
        read_only: false,
    }));
    Container {
        name: svc.name.clone(),
        image: w.image.clone(),
        // Tags move; pulling every time makes the node check the registry,
        // so a pod never runs an image its node cached from someone else.
        image_pull_policy: "Always",
        ports: svc
            .ports
            .iter()
            .map(|p| ContainerPort {
                name: p.name.clone(),
                container_port: p.number,
                protocol: "TCP",
            })
            .collect(),
        env: w.env.iter().map(|e| env_var(app, e)).collect(),
        resources: ResourceRequirements {
            requests: Quantities {
                cpu: svc.resources.cpu.clone(),
                memory: svc.resources.memory.clone(),
            },
            limits: Quantities {
                cpu: svc.resources.cpu_limit.clone(),
                memory: svc.resources.memory_limit.clone(),
            },
        },
        startup_probe: probe.clone().map(|p| timed(p, Timing::STARTUP)),
        readiness_probe: probe.clone().map(|p| timed(p, Timing::READINESS)),
        liveness_probe: probe.map(|p| timed(p, Timing::LIVENESS)),
        security_context: SecurityContext {
            allow_privilege_escalation: false,
            privileged: false,
            read_only_root_filesystem: true,
            run_as_non_root: true,
            capabilities: Capabilities { drop: vec!["ALL"] },
        },
        volume_mounts,
    }
}

fn env_var(app: &App, e: &model::EnvVar) -> EnvVar {
    match &e.value {
        EnvValue::Address {
            service,
            service_port,
            fqdn,
            ..
        } => EnvVar {
            name: e.name.clone(),
            value: Some(if *fqdn {
                format!(
                    "{service}.{}.svc.cluster.local:{service_port}",
                    app.namespace
                )
            } else {
                format!("{service}:{service_port}")
            }),
            value_from: None,
        },
        EnvValue::Plain(v) => EnvVar {
            name: e.name.clone(),
            value: Some(v.clone()),
            value_from: None,
        },
        EnvValue::Secret { name, key } => EnvVar {
            name: e.name.clone(),
            value: None,
            value_from: Some(EnvVarSource {
                secret_key_ref: KeySelector {
                    name: name.clone(),
                    key: key.clone(),
                },
            }),
        },
    }
}

/// The check the description asks for; without one, a TCP connect to the
/// first port (the process at least listens). No ports and no health: no
/// probes, as there is nothing to ask.
fn probe_handler(svc: &Service) -> Option<Probe> {
    let probe = match &svc.health {
        Some(model::Probe::Http { path, port }) => Probe {
            http_get: Some(HttpGetAction {
                path: path.clone(),
                port: port.name.clone(),
            }),
            ..Probe::default()
        },
        Some(model::Probe::Tcp { port }) => tcp(port),
        Some(model::Probe::Grpc { port }) => Probe {
            grpc: Some(GrpcAction { port: port.number }),
            ..Probe::default()
        },
        Some(model::Probe::Exec { command }) => Probe {
            exec: Some(ExecAction {
                command: command.clone(),
            }),
            ..Probe::default()
        },
        None => tcp(svc.ports.first()?),
    };
    Some(probe)
}

fn tcp(port: &model::Port) -> Probe {
    Probe {
        tcp_socket: Some(TcpSocketAction {
            port: port.name.clone(),
        }),
        ..Probe::default()
    }
}

/// Probe timing. The startup probe gives a slow starter (a JVM) two minutes
/// before liveness takes over, so liveness can stay quick without killing
/// pods that are still booting.
struct Timing {
    period: u32,
    timeout: u32,
    failures: u32,
}

impl Timing {
    const STARTUP: Timing = Timing {
        period: 5,
        timeout: 2,
        failures: 24,
    };
    const READINESS: Timing = Timing {
        period: 5,
        timeout: 2,
        failures: 3,
    };
    const LIVENESS: Timing = Timing {
        period: 10,
        timeout: 2,
        failures: 3,
    };
}

fn timed(mut p: Probe, t: Timing) -> Probe {
    p.period_seconds = t.period;
    p.timeout_seconds = t.timeout;
    p.failure_threshold = t.failures;
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::kubernetes::fixture;

    #[test]
    fn secret_env_is_a_secret_key_ref() {
        let app = fixture::app();
        let web = &app.services[1];
        let c = container(&app, web, &web.workloads[0]);
        let json = serde_json::to_value(&c.env).unwrap();
        assert_eq!(
            json[0],
            serde_json::json!({"name": "LOG_LEVEL", "value": "info"})
        );
        assert_eq!(
            json[1],
            serde_json::json!({"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "web-db", "key": "password"}}})
        );
    }

    #[test]
    fn probes_follow_health_or_fall_back_to_the_first_port() {
        let app = fixture::app();
        let reviews = &app.services[0];
        let web = &app.services[1];
        let c = container(&app, reviews, &reviews.workloads[0]);
        let tcp = c.readiness_probe.unwrap().tcp_socket.unwrap();
        assert_eq!(tcp.port, "http");
        let c = container(&app, web, &web.workloads[0]);
        let http = c.liveness_probe.unwrap().http_get.unwrap();
        assert_eq!(
            (http.path.as_str(), http.port.as_str()),
            ("/healthz", "http")
        );
    }

    #[test]
    fn grpc_probe_uses_the_port_number() {
        let mut app = fixture::app();
        let web = &mut app.services[1];
        web.health = Some(model::Probe::Grpc {
            port: web.ports[1].clone(),
        });
        let web = &app.services[1];
        let c = container(&app, web, &web.workloads[0]);
        assert_eq!(c.startup_probe.unwrap().grpc.unwrap().port, 9090);
    }

    #[test]
    fn no_ports_and_no_health_means_no_probes() {
        let mut app = fixture::app();
        let web = &mut app.services[1];
        web.health = None;
        web.ports.clear();
        let web = &app.services[1];
        let c = container(&app, web, &web.workloads[0]);
        assert!(c.readiness_probe.is_none() && c.liveness_probe.is_none());
    }
}
