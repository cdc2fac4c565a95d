//! The floor: the least a program can do to produce the benchmark's output.
//!
//! For each of N services (named as `generate.rs` names them) it builds the same
//! resources meshc emits — a Deployment per version, a Service, a
//! VirtualService with a 90/10 split and retries, a DestinationRule with two
//! subsets and outlier detection — from minimal typed structs, serializes
//! them with the same YAML library (serde-saphyr) and writes the files.
//! Nothing else: no input to read, no checks, no lock file, no fsync.

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// How the floor lays out its files.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Layout {
    /// Every resource in one file.
    OneFile,
    /// `<svc>.yaml`: one file per service.
    PerService,
    /// `kubernetes/<svc>.yaml` and `istio/<svc>.yaml`: meshc's files.
    PerTarget,
}

impl Layout {
    pub fn parse(s: &str) -> Option<Layout> {
        match s {
            "one-file" => Some(Layout::OneFile),
            "per-service" => Some(Layout::PerService),
            "per-target" => Some(Layout::PerTarget),
            _ => None,
        }
    }
}

type Map = BTreeMap<&'static str, String>;

#[derive(Serialize)]
struct Meta {
    name: String,
    namespace: &'static str,
    labels: Map,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Deployment {
    api_version: &'static str,
    kind: &'static str,
    metadata: Meta,
    spec: DeploymentSpec,
}

#[derive(Serialize)]
struct DeploymentSpec {
    replicas: u32,
    selector: Selector,
    template: PodTemplate,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Selector {
    match_labels: Map,
}

#[derive(Serialize)]
struct PodTemplate {
    metadata: PodMeta,
    spec: PodSpec,
}

#[derive(Serialize)]
struct PodMeta {
    labels: Map,
}

#[derive(Serialize)]
struct PodSpec {
    containers: Vec<Container>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Container {
    name: String,
    image: String,
    ports: Vec<ContainerPort>,
    env: Vec<Env>,
    resources: Resources,
    readiness_probe: Probe,
    liveness_probe: Probe,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContainerPort {
    name: &'static str,
    container_port: u16,
}

#[derive(Serialize)]
struct Env {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Resources {
    requests: Map,
    limits: Map,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    http_get: HttpGet,
}

#[derive(Serialize)]
struct HttpGet {
    path: &'static str,
    port: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Service {
    api_version: &'static str,
    kind: &'static str,
    metadata: Meta,
    spec: ServiceSpec,
}

#[derive(Serialize)]
struct ServiceSpec {
    selector: Map,
    ports: Vec<ServicePort>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServicePort {
    name: &'static str,
    port: u16,
    target_port: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VirtualService {
    api_version: &'static str,
    kind: &'static str,
    metadata: Meta,
    spec: VsSpec,
}

#[derive(Serialize)]
struct VsSpec {
    hosts: Vec<String>,
    http: Vec<HttpRoute>,
}

#[derive(Serialize)]
struct HttpRoute {
    route: Vec<Destination>,
    timeout: &'static str,
    retries: Retries,
}

#[derive(Serialize)]
struct Destination {
    destination: Dest,
    weight: u32,
}

#[derive(Serialize)]
struct Dest {
    host: String,
    subset: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Retries {
    attempts: u32,
    per_try_timeout: &'static str,
    retry_on: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DestinationRule {
    api_version: &'static str,
    kind: &'static str,
    metadata: Meta,
    spec: DrSpec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DrSpec {
    host: String,
    traffic_policy: TrafficPolicy,
    subsets: Vec<Subset>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TrafficPolicy {
    outlier_detection: Outlier,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Outlier {
    consecutive5xx_errors: u32,
    interval: &'static str,
    base_ejection_time: &'static str,
    max_ejection_percent: u32,
}

#[derive(Serialize)]
struct Subset {
    name: &'static str,
    labels: Map,
}

fn labels(svc: &str, version: Option<&'static str>) -> Map {
    let mut l = Map::new();
    l.insert("app", svc.to_string());
    if let Some(v) = version {
        l.insert("version", v.to_string());
    }
    l
}

fn meta(name: String, svc: &str, version: Option<&'static str>) -> Meta {
    Meta {
        name,
        namespace: "bench",
        labels: labels(svc, version),
    }
}

fn deployment(svc: &str, version: &'static str, tag: &str) -> Deployment {
    let q = |cpu: &str, memory: &str| {
        Map::from([("cpu", cpu.to_string()), ("memory", memory.to_string())])
    };
    let probe = || Probe {
        http_get: HttpGet {
            path: "/healthz",
            port: "http",
        },
    };
    Deployment {
        api_version: "apps/v1",
        kind: "Deployment",
        metadata: meta(format!("{svc}-{version}"), svc, Some(version)),
        spec: DeploymentSpec {
            replicas: 1,
            selector: Selector {
                match_labels: labels(svc, Some(version)),
            },
            template: PodTemplate {
                metadata: PodMeta {
                    labels: labels(svc, Some(version)),
                },
                spec: PodSpec {
                    containers: vec![Container {
                        name: svc.to_string(),
                        image: format!("registry.example.com/bench/{svc}:{tag}"),
                        ports: vec![ContainerPort {
                            name: "http",
                            container_port: 8080,
                        }],
                        env: vec![
                            Env {
                                name: "LOG_LEVEL",
                                value: "info".into(),
                            },
                            Env {
                                name: "SERVICE_NAME",
                                value: svc.to_string(),
                            },
                        ],
                        resources: Resources {
                            requests: q("100m", "128Mi"),
                            limits: q("500m", "256Mi"),
                        },
                        readiness_probe: probe(),
                        liveness_probe: probe(),
                    }],
                },
            },
        },
    }
}

/// The service's Kubernetes and Istio documents, each ending in a newline.
fn documents(svc: &str) -> (Vec<String>, Vec<String>) {
    let host = format!("{svc}.bench.svc.cluster.local");
    let kube = vec![
        serde_saphyr::to_string(&deployment(svc, "v1", "1.0.0")).expect("serializable"),
        serde_saphyr::to_string(&deployment(svc, "v2", "1.1.0")).expect("serializable"),
        serde_saphyr::to_string(&Service {
            api_version: "v1",
            kind: "Service",
            metadata: meta(svc.to_string(), svc, None),
            spec: ServiceSpec {
                selector: labels(svc, None),
                ports: vec![ServicePort {
                    name: "http",
                    port: 8080,
                    target_port: "http",
                }],
            },
        })
        .expect("serializable"),
    ];
    let dest = |subset, weight| Destination {
        destination: Dest {
            host: host.clone(),
            subset,
        },
        weight,
    };
    let istio = vec![
        serde_saphyr::to_string(&VirtualService {
            api_version: "networking.istio.io/v1",
            kind: "VirtualService",
            metadata: meta(svc.to_string(), svc, None),
            spec: VsSpec {
                hosts: vec![host.clone()],
                http: vec![HttpRoute {
                    route: vec![dest("v1", 90), dest("v2", 10)],
                    timeout: "10s",
                    retries: Retries {
                        attempts: 2,
                        per_try_timeout: "3s",
                        retry_on: "5xx,connect-failure",
                    },
                }],
            },
        })
        .expect("serializable"),
        serde_saphyr::to_string(&DestinationRule {
            api_version: "networking.istio.io/v1",
            kind: "DestinationRule",
            metadata: meta(svc.to_string(), svc, None),
            spec: DrSpec {
                host: host.clone(),
                traffic_policy: TrafficPolicy {
                    outlier_detection: Outlier {
                        consecutive5xx_errors: 5,
                        interval: "10s",
                        base_ejection_time: "30s",
                        max_ejection_percent: 50,
                    },
                },
                subsets: vec![
                    Subset {
                        name: "v1",
                        labels: labels(svc, Some("v1")),
                    },
                    Subset {
                        name: "v2",
                        labels: labels(svc, Some("v2")),
                    },
                ],
            },
        })
        .expect("serializable"),
    ];
    (kube, istio)
}

fn join(out: &mut String, docs: &[String]) {
    for d in docs {
        out.push_str("---\n");
        out.push_str(d);
    }
}

/// Writes the N services' resources under `dir`; returns (files, bytes).
pub fn run(n: usize, dir: &Path, layout: Layout) -> std::io::Result<(usize, usize)> {
    let (mut files, mut bytes) = (0, 0);
    let mut write = |path: &Path, text: &str| {
        files += 1;
        bytes += text.len();
        std::fs::write(path, text)
    };
    std::fs::create_dir_all(dir)?;
    if layout == Layout::PerTarget {
        std::fs::create_dir_all(dir.join("kubernetes"))?;
        std::fs::create_dir_all(dir.join("istio"))?;
    }
    let mut all = String::new();
    for i in 0..n {
        let svc = format!("svc-{i:05}");
        let (kube, istio) = documents(&svc);
        match layout {
            Layout::OneFile => {
                join(&mut all, &kube);
                join(&mut all, &istio);
            }
            Layout::PerService => {
                let mut text = String::new();
                join(&mut text, &kube);
                join(&mut text, &istio);
                write(&dir.join(format!("{svc}.yaml")), &text)?;
            }
            Layout::PerTarget => {
                let mut text = String::new();
                join(&mut text, &kube);
                write(&dir.join("kubernetes").join(format!("{svc}.yaml")), &text)?;
                text.clear();
                join(&mut text, &istio);
                write(&dir.join("istio").join(format!("{svc}.yaml")), &text)?;
            }
        }
    }
    if layout == Layout::OneFile {
        write(&dir.join("all.yaml"), &all)?;
    }
    Ok((files, bytes))
}
