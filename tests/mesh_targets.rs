//! What each mesh target and the Gateway API routing promise the user,
//! checked on built bundles: a catch-all rule ends every mesh route, splits
//! keep their weights, Linkerd's policies name exactly the callers, and a
//! Linkerd or Gateway API bundle holds none of Istio's routing kinds.

mod common;

use meshc::emit::{Target, docker::Templates};
use meshc::pipeline::{self, BuildOptions};
use serde_json::{Value, json};
use std::path::Path;

/// Every object of the bundle: (file, tree).
fn build(path: &Path) -> Vec<(String, Value)> {
    let options = BuildOptions {
        env: None,
        overrides: Default::default(),
        targets: Target::DEFAULT.to_vec(),
        templates: Templates::embedded(),
        locked: false,
    };
    let compiled = pipeline::compile(path, &options)
        .unwrap_or_else(|e| panic!("{} does not build: {e:?}", path.display()));
    let mut out = Vec::new();
    for a in &compiled.bundle.artifacts {
        for r in &a.resources {
            out.push((a.path.clone(), a.tree(r).into_owned()));
        }
    }
    out
}

fn example(name: &str) -> Vec<(String, Value)> {
    build(
        &common::root()
            .join("examples")
            .join(name)
            .join("meshc.yaml"),
    )
}

fn inline(text: &str) -> Vec<(String, Value)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("meshc.yaml");
    std::fs::write(&path, text).expect("write");
    build(&path)
}

fn find<'a>(objects: &'a [(String, Value)], kind: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .map(|(_, o)| o)
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name}"))
}

fn has(objects: &[(String, Value)], kind: &str, name: &str) -> bool {
    objects
        .iter()
        .any(|(_, o)| o["kind"] == kind && o["metadata"]["name"] == name)
}

/// Routes attached to a Service (GAMMA), in any bundle.
fn mesh_routes(objects: &[(String, Value)]) -> Vec<&Value> {
    objects
        .iter()
        .map(|(_, o)| o)
        .filter(|o| o["apiVersion"] == "gateway.networking.k8s.io/v1")
        .filter(|o| o["spec"]["parentRefs"][0]["kind"] == "Service")
        .collect()
}

#[test]
fn every_mesh_route_ends_with_a_catch_all_rule() {
    for name in ["bookinfo-gateway-api", "bookinfo-linkerd"] {
        let objects = example(name);
        let routes = mesh_routes(&objects);
        assert!(!routes.is_empty(), "{name} has no mesh routes");
        for route in routes {
            let last = route["spec"]["rules"].as_array().unwrap().last().unwrap();
            let catches_all = match route["kind"].as_str() {
                Some("HTTPRoute") => {
                    last["matches"] == json!([{"path": {"type": "PathPrefix", "value": "/"}}])
                }
                _ => last.get("matches").is_none(),
            };
            assert!(
                catches_all,
                "{name}: {} ends with {last}",
                route["metadata"]["name"]
            );
        }
    }
}

#[test]
fn istio_gateway_api_splits_between_version_services_with_the_declared_weights() {
    let objects = example("bookinfo-gateway-api");
    let route = find(&objects, "HTTPRoute", "reviews");
    assert_eq!(
        route["spec"]["parentRefs"],
        json!([{"group": "", "kind": "Service", "name": "reviews", "port": 9080}])
    );
    let rules = route["spec"]["rules"].as_array().unwrap();
    assert_eq!(
        rules[0]["backendRefs"],
        json!([{"name": "reviews-v2", "port": 9080}])
    );
    assert_eq!(
        rules.last().unwrap()["backendRefs"],
        json!([
            {"name": "reviews-v1", "port": 9080, "weight": 50},
            {"name": "reviews-v3", "port": 9080, "weight": 50}
        ])
    );
    assert_eq!(rules[0]["timeouts"], json!({"request": "10s"}));
    assert!(
        rules[0].get("filters").is_none(),
        "jason's rule already goes to v2"
    );
    assert_eq!(
        rules.last().unwrap()["filters"][0]["requestMirror"],
        json!({"backendRef": {"name": "reviews-v2", "port": 9080}, "percent": 10})
    );
    for v in ["v1", "v2", "v3"] {
        let svc = find(&objects, "Service", &format!("reviews-{v}"));
        assert_eq!(
            svc["spec"]["selector"],
            json!({"app": "reviews", "version": v})
        );
    }
}

#[test]
fn istio_gateway_api_keeps_only_what_the_gateway_api_cannot_say() {
    let objects = example("bookinfo-gateway-api");
    for (file, o) in &objects {
        let kind = o["kind"].as_str().unwrap();
        let istio = o["apiVersion"] == "networking.istio.io/v1";
        assert!(
            !(istio && (kind == "VirtualService" || kind == "Gateway")),
            "{file}: {kind}"
        );
    }
    let rules: Vec<&str> = objects
        .iter()
        .filter(|(_, o)| o["kind"] == "DestinationRule")
        .map(|(_, o)| o["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["reviews", "reviews-v1", "reviews-v2", "reviews-v3"]);
    let gateway = find(&objects, "Gateway", "productpage-gateway");
    assert_eq!(gateway["spec"]["gatewayClassName"], "istio");
    assert_eq!(
        gateway["spec"]["listeners"][0]["tls"]["certificateRefs"],
        json!([{"name": "bookinfo-cert"}])
    );
    let policy = find(&objects, "AuthorizationPolicy", "productpage");
    assert_eq!(
        policy["spec"]["rules"][0]["from"][0]["source"]["principals"],
        json!(["cluster.local/ns/bookinfo/sa/productpage-gateway-istio"])
    );
    assert!(!has(&objects, "Ingress", "productpage"));
}

#[test]
fn a_linkerd_bundle_has_no_istio_kinds() {
    let objects = example("bookinfo-linkerd");
    for (file, o) in &objects {
        let api = o["apiVersion"].as_str().unwrap();
        assert!(!api.contains("istio.io"), "{file}: {api} {}", o["kind"]);
        assert!(!file.starts_with("istio/"), "{file}");
    }
    let ns = find(&objects, "Namespace", "bookinfo");
    assert_eq!(
        ns["metadata"]["annotations"]["linkerd.io/inject"],
        "enabled"
    );
    assert!(ns["metadata"]["labels"].get("istio-injection").is_none());
}

#[test]
fn linkerd_authentications_list_exactly_the_callers() {
    let objects = example("bookinfo-linkerd");
    let refs =
        |name: &str| find(&objects, "MeshTLSAuthentication", name)["spec"]["identityRefs"].clone();
    assert_eq!(
        refs("reviews-http"),
        json!([{"kind": "ServiceAccount", "name": "productpage"}])
    );
    assert_eq!(
        refs("details-http"),
        json!([{"kind": "ServiceAccount", "name": "productpage"}])
    );
    assert_eq!(
        refs("ratings-grpc"),
        json!([{"kind": "ServiceAccount", "name": "reviews"}])
    );
    assert_eq!(
        refs("productpage-http"),
        json!([{"kind": "ServiceAccount", "namespace": "envoy-gateway-system"}]),
        "only the ingress controller calls productpage"
    );
    let policy = find(&objects, "AuthorizationPolicy", "reviews-http");
    assert_eq!(
        policy["spec"]["targetRef"],
        json!({"group": "policy.linkerd.io", "kind": "Server", "name": "reviews-http"})
    );
    let server = find(&objects, "Server", "ratings-grpc");
    assert_eq!(server["spec"]["port"], "grpc");
    assert_eq!(server["spec"]["proxyProtocol"], "gRPC");
}

#[test]
fn linkerd_policy_reads_from_annotations() {
    let objects = example("bookinfo-linkerd");
    let route = find(&objects, "HTTPRoute", "details");
    assert_eq!(
        route["metadata"]["annotations"],
        json!({
            "timeout.linkerd.io/request": "1500ms",
            "retry.linkerd.io/http": "5xx,429",
            "retry.linkerd.io/limit": "2",
            "retry.linkerd.io/timeout": "500ms"
        })
    );
    assert!(route["spec"]["rules"][0].get("timeouts").is_none());
    for name in ["reviews", "reviews-v1", "reviews-v3"] {
        let svc = find(&objects, "Service", name);
        assert_eq!(
            svc["metadata"]["annotations"]["balancer.linkerd.io/failure-accrual"], "consecutive",
            "{name}"
        );
        assert_eq!(
            svc["metadata"]["annotations"]["balancer.linkerd.io/failure-accrual-consecutive-max-failures"],
            "5"
        );
    }
    let np = find(&objects, "NetworkPolicy", "reviews");
    let ports = &np["spec"]["ingress"][0]["ports"];
    assert!(
        ports.as_array().unwrap().iter().any(|p| p["port"] == 4143),
        "meshed calls arrive on Linkerd's inbound port: {ports}"
    );
}

#[test]
fn a_port_nobody_calls_has_a_server_and_no_authorization() {
    let objects = inline(
        "\
app: narrow
mesh: linkerd
services:
  web:
    image: r.example.com/web:1.0.0
    ports: { http: 8080 }
    calls: [api:http]
  api:
    image: r.example.com/api:1.0.0
    ports: { http: 9000, admin: 9100 }
",
    );
    assert!(has(&objects, "Server", "api-admin"));
    assert!(!has(&objects, "MeshTLSAuthentication", "api-admin"));
    assert!(!has(&objects, "AuthorizationPolicy", "api-admin"));
    assert_eq!(
        find(&objects, "MeshTLSAuthentication", "api-http")["spec"]["identityRefs"],
        json!([{"kind": "ServiceAccount", "name": "web"}])
    );
}

#[test]
fn without_a_mesh_the_gateway_api_carries_the_ingress_alone() {
    let objects = inline(
        "\
app: plain
mesh: none
routing: gateway-api
services:
  web:
    image: r.example.com/web:1.0.0
    ports: { http: 8080 }
    ingress: { host: shop.example.com, paths: [/shop] }
",
    );
    let files: Vec<&str> = objects
        .iter()
        .filter(|(_, o)| o["apiVersion"] == "gateway.networking.k8s.io/v1")
        .map(|(f, _)| f.as_str())
        .collect();
    assert_eq!(files, ["gateway-api/web.yaml", "gateway-api/web.yaml"]);
    let gateway = find(&objects, "Gateway", "web-gateway");
    assert_eq!(gateway["spec"]["gatewayClassName"], "envoy-gateway");
    assert_eq!(
        gateway["spec"]["listeners"],
        json!([{"name": "http", "hostname": "shop.example.com", "port": 80, "protocol": "HTTP"}])
    );
    let route = find(&objects, "HTTPRoute", "web-ingress");
    assert_eq!(
        route["spec"]["rules"],
        json!([{
            "matches": [{"path": {"type": "PathPrefix", "value": "/shop"}}],
            "backendRefs": [{"name": "web", "port": 8080}]
        }])
    );
    assert!(mesh_routes(&objects).is_empty());
    assert!(!has(&objects, "Ingress", "web"));
}

#[test]
fn a_split_on_a_tcp_only_service_is_refused_under_the_gateway_api() {
    let text = "app: t\nmesh: MESH\nrouting: gateway-api\nservices:\n  web: { image: registry.example.com/w:1, ports: { http: 8080 }, calls: [db] }\n  db:\n    ports: { pg: { port: 5432, protocol: tcp } }\n    versions:\n      v1: { image: registry.example.com/db:1 }\n      v2: { image: registry.example.com/db:2 }\n    traffic: { split: { v1: 90, v2: 10 } }\n";
    for mesh in ["istio", "linkerd"] {
        let file = meshc::source::SourceFile::new("meshc.yaml", text.replace("MESH", mesh));
        let (_, diags) = meshc::pipeline::analyze(&file, std::path::Path::new("."));
        assert!(
            diags
                .iter()
                .any(|d| d.code == meshc::diag::Code::UnsupportedFeature
                    && d.message.contains("without HTTP or gRPC ports")),
            "{mesh}: {diags:#?}"
        );
    }
}
