//! What a Dockerfile template sees: one [`Workload`] with its service's ports
//! and health check, resolved to plain values (see `templates/docker/`).

use super::images::{Images, images};
use crate::model::{App, Build, Probe, RUN_AS_USER, Service, Workload};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Vars<'a> {
    pub app: &'a str,
    pub service: &'a str,
    /// The workload's name: `<service>` or `<service>-<version>`.
    pub name: &'a str,
    /// `node`, `python`, `go`, `rust`, `java` or `static`.
    pub runtime: &'static str,
    /// The build context, relative to the description's directory.
    pub context: &'a str,
    /// Where the Dockerfile is, relative to the bundle root.
    pub dockerfile: String,
    /// The tag the Deployment runs.
    pub image: &'a str,
    pub images: Images<'a>,
    /// Exec-form arguments; may be empty (the template then keeps the base image's command).
    pub command: &'a [String],
    pub ports: Vec<PortVars<'a>>,
    pub health: Health,
    pub uid: u32,
}

#[derive(Debug, Serialize)]
pub struct PortVars<'a> {
    pub name: &'a str,
    pub number: u16,
    pub protocol: &'static str,
}

/// The container's own health check. Exactly one of `http`, `tcp`, `grpc`,
/// `exec` (non-empty), `none` is true. Without a declared check the first port is probed over TCP;
/// without ports either, the check only proves the runtime starts.
#[derive(Debug, Default, Serialize)]
pub struct Health {
    pub http: bool,
    pub tcp: bool,
    pub grpc: bool,
    /// The declared command of an `exec` check, run as it is (exec form).
    pub exec: Vec<String>,
    pub none: bool,
    /// Whether the description declares the check (`false`: meshc's fallback).
    pub declared: bool,
    /// 0 when `none`.
    pub port: u16,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    /// `http://127.0.0.1:<port><path>` for `http`, else empty.
    pub url: String,
}

impl Health {
    fn of(svc: &Service) -> Health {
        let at = |port: u16| Health {
            port,
            addr: format!("127.0.0.1:{port}"),
            ..Health::default()
        };
        match &svc.health {
            Some(Probe::Http { path, port }) => {
                let sep = if path.starts_with('/') { "" } else { "/" };
                Health {
                    http: true,
                    declared: true,
                    url: format!("http://127.0.0.1:{}{sep}{path}", port.number),
                    ..at(port.number)
                }
            }
            Some(Probe::Tcp { port }) => Health {
                tcp: true,
                declared: true,
                ..at(port.number)
            },
            Some(Probe::Grpc { port }) => Health {
                grpc: true,
                declared: true,
                ..at(port.number)
            },
            Some(Probe::Exec { command }) => Health {
                exec: command.clone(),
                declared: true,
                ..Health::default()
            },
            None => match svc.ports.first() {
                Some(p) => Health {
                    tcp: true,
                    ..at(p.number)
                },
                None => Health {
                    none: true,
                    ..Health::default()
                },
            },
        }
    }
}

/// `docker/<workload>/` in the bundle.
pub fn dir(w: &Workload) -> String {
    format!("docker/{}", w.name)
}

pub fn vars<'a>(app: &'a App, svc: &'a Service, w: &'a Workload, build: &'a Build) -> Vars<'a> {
    Vars {
        app: &app.name,
        service: &svc.name,
        name: &w.name,
        runtime: build.runtime.as_str(),
        context: &build.context,
        dockerfile: format!("{}/Dockerfile", dir(w)),
        image: &w.image,
        images: images(build),
        command: &build.command,
        ports: svc
            .ports
            .iter()
            .map(|p| PortVars {
                name: &p.name,
                number: p.number,
                protocol: p.protocol.as_str(),
            })
            .collect(),
        health: Health::of(svc),
        uid: RUN_AS_USER,
    }
}

/// Every variable a template can name, as paths (`images.runtime`,
/// `ports[].number`), in declaration order: for error messages.
pub fn names(vars: &Vars<'_>) -> Vec<String> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&path, v, out);
                }
            }
            serde_json::Value::Array(items) => match items.first() {
                Some(first @ serde_json::Value::Object(_)) => {
                    walk(&format!("{prefix}[]"), first, out)
                }
                _ => out.push(prefix.to_string()),
            },
            _ => out.push(prefix.to_string()),
        }
    }
    let mut out = Vec::new();
    walk(
        "",
        &serde_json::to_value(vars).unwrap_or_default(),
        &mut out,
    );
    out
}
