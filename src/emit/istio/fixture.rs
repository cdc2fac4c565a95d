//! Test fixture: a hand-built Bookinfo-like model, and helpers that run the
//! emitter and parse its YAML back, so tests check the text that ships.

use super::emit;
use crate::ast::Protocol;
use crate::model::*;
use crate::source::Span;
use serde_json::Value;

pub fn port(name: &str, number: u16, protocol: Protocol) -> Port {
    Port {
        name: name.into(),
        number,
        service_port: number,
        protocol,
    }
}

pub fn http(number: u16) -> Vec<Port> {
    vec![port("http", number, Protocol::Http)]
}

pub fn service(name: &str, ports: Vec<Port>, versions: &[&str]) -> Service {
    let workload = |version: Option<&str>| Workload {
        name: version.map_or_else(|| name.to_string(), |v| format!("{name}-{v}")),
        version: version.map(str::to_string),
        image: format!("example/{name}:1"),
        own_build: None,
        build: None,
        replicas: 1,
        calls: vec![],
        env: Vec::new(),
    };
    Service {
        name: name.into(),
        span: Span::default(),
        ports,
        workloads: if versions.is_empty() {
            vec![workload(None)]
        } else {
            versions.iter().map(|v| workload(Some(v))).collect()
        },
        versioned: !versions.is_empty(),
        call_ports: Default::default(),
        calls: Vec::new(),
        callers: Vec::new(),
        health: None,
        ingress: None,
        config: Vec::new(),
        autoscale: None,
        resources: Resources {
            cpu: "100m".into(),
            memory: "128Mi".into(),
            cpu_limit: "500m".into(),
            memory_limit: "256Mi".into(),
        },
        traffic: None,
        storage: Vec::new(),
        opt_outs: Vec::new(),
    }
}

pub fn jason() -> Match {
    Match {
        headers: vec![("end-user".into(), StringMatch::Exact("jason".into()))],
        ..Match::default()
    }
}

/// productpage (ingress, calls details and reviews), details, reviews
/// v1/v2/v3 (split, jason route, policies, mirror), ratings (fault).
pub fn bookinfo() -> App {
    let mut productpage = service("productpage", http(9080), &[]);
    productpage.ingress = Some(Ingress {
        host: "bookinfo.example.com".into(),
        paths: vec!["/productpage".into(), "/static".into()],
        tls_secret: Some("bookinfo-cert".into()),
        local_port: 9080,
        port: port("http", 9080, Protocol::Http),
        gateway_owner: "productpage".into(),
    });
    productpage.calls = vec![1, 2];
    let mut details = service("details", http(9080), &[]);
    details.callers = vec![0];
    let mut reviews = service("reviews", http(9080), &["v1", "v2", "v3"]);
    reviews.calls = vec![3];
    reviews.callers = vec![0];
    reviews.traffic = Some(Traffic {
        routes: vec![Route {
            matches: jason(),
            to: "v2".into(),
        }],
        split: vec![("v1".into(), 50), ("v3".into(), 50)],
        timeout: Some(10_000),
        retries: Some(Retries {
            attempts: 2,
            per_try_timeout: Some(3_000),
            on: vec!["5xx".into(), "connect-failure".into()],
        }),
        circuit_breaker: Some(CircuitBreaker {
            consecutive_errors: 5,
            interval: 10_000,
            ejection_time: 30_000,
            max_ejection_percent: 50,
        }),
        connection_pool: Some(ConnectionPool {
            max_connections: Some(100),
            max_pending_requests: Some(50),
            max_requests_per_connection: None,
            connect_timeout: None,
        }),
        mirror: Some(Mirror {
            to: "v2".into(),
            percent: 10,
        }),
        fault: None,
    });
    let mut ratings = service("ratings", http(9080), &[]);
    ratings.callers = vec![2];
    ratings.traffic = Some(Traffic {
        fault: Some(Fault {
            delay: Some((7_000, 100)),
            abort: None,
            matches: jason(),
        }),
        ..Traffic::default()
    });
    App {
        name: "bookinfo".into(),
        namespace: "bookinfo".into(),
        mesh: Mesh::Istio,
        routing: crate::model::Routing::Native,
        gateway_class: "istio".into(),
        trust_domain: "example.org".into(),
        services: vec![productpage, details, reviews, ratings],
    }
}

/// The documents of one emitted file, parsed back from its YAML text.
pub fn file(app: &App, path: &str) -> Vec<Value> {
    let artifacts = emit(app, crate::emit::ALL);
    let artifact = artifacts
        .iter()
        .find(|a| a.path == path)
        .unwrap_or_else(|| panic!("no {path} in {:?}", paths(app)));
    let text = String::from_utf8(artifact.bytes.clone()).unwrap();
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap();
    docs.into_iter().filter(|d| !d.is_null()).collect()
}

pub fn paths(app: &App) -> Vec<String> {
    emit(app, crate::emit::ALL)
        .into_iter()
        .map(|a| a.path)
        .collect()
}

pub fn kinds(docs: &[Value]) -> Vec<(&str, &str)> {
    docs.iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap(),
                d["metadata"]["name"].as_str().unwrap(),
            )
        })
        .collect()
}

pub const REVIEWS: &str = "reviews.bookinfo.svc.cluster.local";
