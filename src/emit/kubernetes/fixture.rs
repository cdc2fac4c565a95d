//! A small hand-built model for the tests: `reviews` (versions v1 and v2, one
//! HTTP port, no health check, calls `web`) and `web` (HTTP and gRPC ports,
//! HTTP health, a config file, autoscaling, an ingress, a secret env var, an
//! opt-out).

use crate::ast::Protocol;
use crate::model::{
    App, Autoscale, ConfigFile, EnvValue, EnvVar, Ingress, Mesh, OptOut, Port, Probe, Resources,
    Service, Workload,
};
use crate::source::Span;

fn port(name: &str, number: u16, protocol: Protocol) -> Port {
    Port {
        name: name.into(),
        number,
        service_port: number,
        protocol,
    }
}

fn workload(name: &str, version: Option<&str>, image: &str, env: Vec<EnvVar>) -> Workload {
    Workload {
        name: name.into(),
        version: version.map(Into::into),
        image: image.into(),
        own_build: None,
        build: None,
        replicas: 1,
        calls: vec![],
        env,
    }
}

fn resources() -> Resources {
    Resources {
        cpu: "100m".into(),
        memory: "128Mi".into(),
        cpu_limit: "500m".into(),
        memory_limit: "256Mi".into(),
    }
}

pub fn app() -> App {
    let image = "registry.example.com/shop/reviews@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let reviews = Service {
        name: "reviews".into(),
        span: Span::default(),
        ports: vec![port("http", 9080, Protocol::Http)],
        workloads: vec![
            workload("reviews-v1", Some("v1"), image, Vec::new()),
            workload("reviews-v2", Some("v2"), image, Vec::new()),
        ],
        versioned: true,
        call_ports: Default::default(),
        calls: vec![1],
        callers: Vec::new(),
        health: None,
        ingress: None,
        config: Vec::new(),
        autoscale: None,
        resources: resources(),
        traffic: None,
        storage: Vec::new(),
        opt_outs: Vec::new(),
    };
    let http = port("http", 8080, Protocol::Http);
    let env = vec![
        EnvVar {
            name: "LOG_LEVEL".into(),
            value: EnvValue::Plain("info".into()),
        },
        EnvVar {
            name: "DB_PASSWORD".into(),
            value: EnvValue::Secret {
                name: "web-db".into(),
                key: "password".into(),
            },
        },
    ];
    let web = Service {
        name: "web".into(),
        span: Span::default(),
        ports: vec![http.clone(), port("grpc", 9090, Protocol::Grpc)],
        workloads: vec![workload("web", None, "shop/web:1.2.3", env)],
        versioned: false,
        call_ports: Default::default(),
        calls: Vec::new(),
        callers: vec![0],
        health: Some(Probe::Http {
            path: "/healthz".into(),
            port: http.clone(),
        }),
        ingress: Some(Ingress {
            host: "web.example.com".into(),
            paths: vec!["/".into(), "/api".into()],
            tls_secret: Some("web-tls".into()),
            local_port: 8080,
            port: http,
            gateway_owner: "web".into(),
        }),
        config: vec![
            ConfigFile {
                name: "settings.json".into(),
                data: "{\"debug\": false}\n".into(),
            },
            ConfigFile {
                name: "motd.txt".into(),
                data: "yes\n".into(),
            },
        ],
        autoscale: Some(Autoscale {
            min: 3,
            max: 6,
            cpu_percent: 70,
        }),
        resources: resources(),
        traffic: None,
        storage: Vec::new(),
        opt_outs: vec![OptOut {
            check: "CKV_K8S_43".into(),
            reason: "built in CI; the release overlay pins the digest".into(),
        }],
    };
    App {
        name: "shop".into(),
        namespace: "shop".into(),
        mesh: Mesh::Istio,
        routing: crate::model::Routing::Native,
        gateway_class: "istio".into(),
        trust_domain: "cluster.local".into(),
        services: vec![reviews, web],
    }
}
