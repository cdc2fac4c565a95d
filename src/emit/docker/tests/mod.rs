use super::*;
use crate::ast::{Protocol, Runtime};
use crate::model::{Build, Mesh, Port, Probe, Resources, Service, Workload};
use crate::source::Span;

mod hostile;
mod shape;
mod templates;

fn port(name: &str, number: u16, protocol: Protocol) -> Port {
    Port {
        name: name.into(),
        number,
        service_port: number,
        protocol,
    }
}

fn service(name: &str, runtime: Runtime, command: &[&str], health: Option<Probe>) -> Service {
    let ports = match &health {
        Some(Probe::Http { port, .. } | Probe::Tcp { port } | Probe::Grpc { port }) => {
            vec![port.clone()]
        }
        Some(Probe::Exec { .. }) | None => vec![],
    };
    Service {
        name: name.into(),
        span: Span::default(),
        ports,
        workloads: vec![Workload {
            name: name.into(),
            version: None,
            image: format!("shop/{name}:dev"),
            own_build: None,
            build: Some(Build {
                runtime,
                context: format!("src/{name}"),
                command: command.iter().map(|s| s.to_string()).collect(),
                images: crate::emit::docker::stage_images(runtime, None),
            }),
            replicas: 1,
            calls: vec![],
            env: vec![],
        }],
        versioned: false,
        call_ports: Default::default(),
        calls: vec![],
        callers: vec![],
        health,
        ingress: None,
        config: vec![],
        autoscale: None,
        resources: Resources {
            cpu: "100m".into(),
            memory: "128Mi".into(),
            cpu_limit: "500m".into(),
            memory_limit: "256Mi".into(),
        },
        traffic: None,
        storage: Vec::new(),
        opt_outs: vec![],
    }
}

fn app(services: Vec<Service>) -> App {
    App {
        name: "shop".into(),
        namespace: "shop".into(),
        mesh: Mesh::Istio,
        routing: crate::model::Routing::Native,
        gateway_class: "istio".into(),
        trust_domain: "cluster.local".into(),
        services,
    }
}

fn http(number: u16, path: &str) -> Option<Probe> {
    Some(Probe::Http {
        path: path.into(),
        port: port("http", number, Protocol::Http),
    })
}

fn grpc(number: u16) -> Option<Probe> {
    Some(Probe::Grpc {
        port: port("grpc", number, Protocol::Grpc),
    })
}

fn tcp(number: u16) -> Option<Probe> {
    Some(Probe::Tcp {
        port: port("tcp", number, Protocol::Tcp),
    })
}

/// One service per runtime and health-check kind.
fn every_runtime() -> App {
    use Runtime::*;
    app(vec![
        service("web", Node, &["node", "server.js"], http(8080, "/healthz")),
        service("currency", Node, &["node", "server.js"], grpc(7000)),
        service(
            "page",
            Python,
            &["python", "app.py", "9080"],
            http(9080, "/health"),
        ),
        service("email", Python, &["python", "email_server.py"], grpc(8080)),
        service("worker", Python, &["python", "worker.py"], None),
        service("cart", Go, &["/app/cart"], grpc(7070)),
        service("api", Go, &["/app/api"], http(8080, "/ready")),
        service("shipping", Rust, &["/usr/local/bin/shipping"], grpc(50052)),
        service("edge", Rust, &["/usr/local/bin/edge"], tcp(9000)),
        service("ad", Java, &["java", "-jar", "/app/ad.jar"], grpc(9555)),
        service(
            "orders",
            Java,
            &["java", "-jar", "/app/orders.jar"],
            http(8080, "/actuator/health"),
        ),
        service("site", Static, &[], http(8080, "/")),
        service("docs", Static, &[], None),
    ])
}

fn text(a: &Artifact) -> &str {
    std::str::from_utf8(&a.bytes).unwrap()
}

fn dockerfile<'a>(out: &'a [Artifact], name: &str) -> &'a str {
    let path = format!("docker/{name}/Dockerfile");
    text(out.iter().find(|a| a.path == path).unwrap())
}

/// `(KEYWORD, arguments)` per instruction, the way Docker's parser splits a
/// file: blank lines and comments dropped, lines ending in `\` joined with
/// the next (the conservative rule: `\\` at the end continues too).
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.split('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (body, continues) = match line.trim_end().strip_suffix('\\') {
            Some(body) => (body, true),
            None => (line, false),
        };
        current.get_or_insert_with(String::new).push_str(body);
        if !continues {
            let joined = current.take().unwrap();
            let joined = joined.trim();
            let (keyword, rest) = joined.split_once([' ', '\t']).unwrap_or((joined, ""));
            out.push((keyword.to_uppercase(), rest.trim().to_string()));
        }
    }
    assert!(current.is_none(), "the file ends inside a continued line");
    out
}

fn kinds(text: &str) -> Vec<String> {
    instructions(text).into_iter().map(|(k, _)| k).collect()
}

/// The exec-form array of `CMD` or `HEALTHCHECK … CMD`, parsed as JSON.
fn exec_form(args: &str) -> Vec<String> {
    let json = args.rsplit_once("CMD ").map_or(args, |(_, j)| j);
    serde_json::from_str(json).unwrap_or_else(|e| panic!("not a JSON array ({e}): {args}"))
}

fn last<'a>(ins: &'a [(String, String)], keyword: &str) -> &'a str {
    &ins.iter().rev().find(|(k, _)| k == keyword).unwrap().1
}

#[test]
fn a_thousand_workloads_render_quickly() {
    let runtimes = every_runtime().services;
    let services = (0..1000)
        .map(|i| {
            let mut s = runtimes[i % runtimes.len()].clone();
            s.name = format!("svc-{i}");
            s.workloads[0].name = s.name.clone();
            s
        })
        .collect();
    let a = app(services);
    let start = std::time::Instant::now();
    let out = emit(&a, &Templates::default(), crate::emit::ALL).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(out.len(), 2000);
    eprintln!("1,000 workloads: {elapsed:?}");
    assert!(elapsed < std::time::Duration::from_secs(5), "{elapsed:?}");
}

/// Writes every runtime's Dockerfile for `validate --strict`:
/// `MESHC_DOCKER_OUT=/tmp/d cargo test --lib emit::docker -- --ignored`.
#[test]
#[ignore]
fn write_for_validation() {
    let dir = std::env::var("MESHC_DOCKER_OUT").unwrap_or("/tmp/meshc-docker".into());
    for a in emit(&every_runtime(), &Templates::default(), crate::emit::ALL).unwrap() {
        let path = std::path::Path::new(&dir).join(&a.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &a.bytes).unwrap();
    }
}
