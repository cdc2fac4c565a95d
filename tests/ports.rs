//! Service ports apart from container ports, on every target, on the
//! Online Boutique example: emailservice listens on 8080 and is called on
//! 5000; frontend listens on 8080 and is called on 80.

mod common;

use meshc::emit::{Target, docker::Templates};
use meshc::pipeline::{self, BuildOptions, Compiled};
use serde_json::{Value, json};
use std::sync::OnceLock;

fn boutique() -> &'static Compiled {
    static BUILT: OnceLock<Compiled> = OnceLock::new();
    BUILT.get_or_init(|| {
        let path = common::root().join("examples/online-boutique/meshc.yaml");
        let opts = BuildOptions {
            env: None,
            overrides: Default::default(),
            targets: Target::ALL.to_vec(),
            templates: Templates::embedded(),
            locked: false,
        };
        pipeline::compile(&path, &opts)
            .unwrap_or_else(|e| panic!("online-boutique does not build: {e:?}"))
    })
}

/// The object of `kind` named `name` in the bundle file at `path`.
fn object(path: &str, kind: &str, name: &str) -> Value {
    let c = boutique();
    let a = c
        .bundle
        .artifacts
        .iter()
        .find(|a| a.path == path)
        .unwrap_or_else(|| panic!("no {path}"));
    let r = a
        .resources
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {path}"));
    a.tree(r).into_owned()
}

fn env(container: &Value, name: &str) -> Value {
    container["env"]
        .as_array()
        .and_then(|e| e.iter().find(|v| v["name"] == name))
        .map(|v| v["value"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn the_service_port_maps_to_the_named_container_port() {
    let svc = object("kubernetes/emailservice.yaml", "Service", "emailservice");
    assert_eq!(
        svc["spec"]["ports"],
        json!([{"name": "grpc", "protocol": "TCP", "appProtocol": "kubernetes.io/h2c", "port": 5000, "targetPort": "grpc"}])
    );
    let deploy = object("kubernetes/emailservice.yaml", "Deployment", "emailservice");
    let c = &deploy["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["ports"][0]["containerPort"], 8080);
    // The probe asks the container, not the Service.
    assert_eq!(c["readinessProbe"]["grpc"]["port"], 8080);
}

#[test]
fn addresses_name_the_service_port_on_kubernetes() {
    let deploy = object(
        "kubernetes/checkoutservice.yaml",
        "Deployment",
        "checkoutservice",
    );
    let c = &deploy["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(env(c, "EMAIL_SERVICE_ADDR"), "emailservice:5000");
    assert_eq!(env(c, "PAYMENT_SERVICE_ADDR"), "paymentservice:50051");
    let lg = object(
        "kubernetes/loadgenerator.yaml",
        "Deployment",
        "loadgenerator",
    );
    let c = &lg["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(env(c, "FRONTEND_ADDR"), "frontend:80");
}

#[test]
fn network_policy_admits_callers_on_the_pod_port() {
    let np = object(
        "kubernetes/emailservice.yaml",
        "NetworkPolicy",
        "emailservice",
    );
    let rule = &np["spec"]["ingress"][0];
    assert_eq!(rule["ports"], json!([{"port": 8080, "protocol": "TCP"}]));
    assert_eq!(
        rule["from"][0]["podSelector"]["matchLabels"]["app"],
        "checkoutservice"
    );
}

#[test]
fn istio_routes_on_the_service_port_and_authorizes_the_container_port() {
    // The ingress route's destination is the Service port (80), not 8080.
    let vs = object("istio/frontend.yaml", "VirtualService", "frontend-ingress");
    assert_eq!(
        vs["spec"]["http"][0]["route"][0]["destination"]["port"]["number"],
        80
    );
    // Only the gateway calls frontend, on its only port: no port list.
    let ap = object("istio/frontend.yaml", "AuthorizationPolicy", "frontend");
    assert!(ap["spec"]["rules"][0].get("to").is_none());
    let ap = object(
        "istio/emailservice.yaml",
        "AuthorizationPolicy",
        "emailservice",
    );
    assert_eq!(
        ap["spec"]["rules"],
        json!([{"from": [{"source": {"principals": ["cluster.local/ns/boutique/sa/checkoutservice"]}}]}])
    );
}

#[test]
fn compose_callers_dial_the_container_port() {
    let c = boutique();
    let a = c
        .bundle
        .artifacts
        .iter()
        .find(|a| a.path == "compose/compose.yaml")
        .expect("compose file");
    let tree: Value = serde_saphyr::from_str(std::str::from_utf8(&a.bytes).unwrap()).unwrap();
    let s = &tree["services"];
    assert_eq!(
        s["checkoutservice"]["environment"]["EMAIL_SERVICE_ADDR"],
        "emailservice:8080"
    );
    assert_eq!(
        s["loadgenerator"]["environment"]["FRONTEND_ADDR"],
        "frontend:8080"
    );
    assert_eq!(s["frontend"]["ports"][0]["target"], 8080);
    // The worker's exec check is a Compose healthcheck.
    assert_eq!(
        s["loadgenerator"]["healthcheck"]["test"],
        json!(["CMD", "locust", "--version"])
    );
    // The cart's data is a named volume; only cartservice shares its network.
    assert_eq!(s["redis-cart"]["volumes"][0]["source"], "redis-cart-data");
    for (name, svc) in s.as_object().unwrap() {
        let on_redis = svc["networks"].get("redis-cart").is_some();
        assert_eq!(
            on_redis,
            name == "redis-cart" || name == "cartservice",
            "{name}"
        );
    }
}

#[test]
fn the_boutique_wires_every_service_through_address_references() {
    let app = &boutique().app;
    assert_eq!(app.services.len(), 12);
    let calls = |name: &str| -> Vec<&str> {
        let svc = app.services.iter().find(|s| s.name == name).unwrap();
        svc.calls
            .iter()
            .map(|&c| app.services[c].name.as_str())
            .collect()
    };
    assert_eq!(
        calls("frontend"),
        [
            "productcatalogservice",
            "currencyservice",
            "cartservice",
            "recommendationservice",
            "shippingservice",
            "checkoutservice",
            "adservice"
        ]
    );
    assert_eq!(calls("cartservice"), ["redis-cart"]);
    assert_eq!(calls("loadgenerator"), ["frontend"]);
    // Every service but the entry points is called by someone.
    for svc in &app.services {
        let entry = svc.name == "loadgenerator";
        assert_eq!(svc.callers.is_empty(), entry, "{}", svc.name);
    }
}
