//! `meshc build --target compose`: what a laptop or Swarm run gets from the
//! description, read back from the emitted compose.yaml as Compose reads it.

mod common;

use meshc::emit::{Target, docker::Templates};
use meshc::pipeline::{self, BuildOptions, Compiled};
use serde_json::Value;
use std::path::Path;

fn options() -> BuildOptions {
    BuildOptions {
        env: None,
        overrides: Default::default(),
        targets: vec![Target::Compose],
        templates: Templates::embedded(),
        locked: false,
    }
}

fn compile(path: &Path) -> Compiled {
    match pipeline::compile(path, &options()) {
        Ok(c) => c,
        Err(e) => panic!("{} does not build: {e:?}", path.display()),
    }
}

/// The compose file's text and its tree.
fn compose(c: &Compiled) -> (String, Value) {
    let a = c
        .bundle
        .artifacts
        .iter()
        .find(|a| a.path == "compose/compose.yaml")
        .expect("compose/compose.yaml is written");
    let text = String::from_utf8(a.bytes.clone()).expect("utf-8");
    let tree: Value = serde_saphyr::from_str(&text).expect("the compose file parses");
    (text, tree)
}

fn example(name: &str) -> (String, Value) {
    compose(&compile(
        &common::root()
            .join("examples")
            .join(name)
            .join("meshc.yaml"),
    ))
}

fn from_text(yaml: &str) -> (Compiled, String, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("meshc.yaml");
    std::fs::write(&path, yaml).expect("write");
    let c = compile(&path);
    let (text, tree) = compose(&c);
    (c, text, tree)
}

fn networks(tree: &Value, service: &str) -> Vec<String> {
    tree["services"][service]["networks"]
        .as_object()
        .unwrap_or_else(|| panic!("{service} has networks"))
        .keys()
        .cloned()
        .collect()
}

fn shares_a_network(tree: &Value, a: &str, b: &str) -> bool {
    let nb = networks(tree, b);
    networks(tree, a).iter().any(|n| nb.contains(n))
}

#[test]
fn services_that_do_not_call_each_other_share_no_network() {
    let (_, tree) = example("bookinfo");
    // productpage → reviews → (v2, v3) → ratings
    assert!(!shares_a_network(&tree, "productpage", "ratings"));
    assert!(!shares_a_network(&tree, "reviews-v1", "ratings"));
    assert!(shares_a_network(&tree, "reviews-v2", "ratings"));
    assert!(shares_a_network(&tree, "reviews-v3", "ratings"));
    assert!(shares_a_network(&tree, "productpage", "reviews-v1"));
    assert!(!shares_a_network(&tree, "details", "reviews-v1"));
    // productpage has no callers, so no network of its own.
    assert_eq!(networks(&tree, "productpage"), ["details", "reviews"]);
    assert!(tree["networks"].get("productpage").is_none());
}

#[test]
fn every_version_answers_to_the_service_name() {
    let (_, tree) = example("bookinfo");
    for v in ["reviews-v1", "reviews-v2", "reviews-v3"] {
        assert_eq!(
            tree["services"][v]["networks"]["reviews"]["aliases"],
            serde_json::json!(["reviews"]),
            "{v}"
        );
        assert_eq!(
            tree["services"][v]["labels"]["dev.meshc.service"],
            "reviews"
        );
    }
}

#[test]
fn callers_wait_for_every_version_of_their_callees() {
    let (_, tree) = example("bookinfo");
    let deps = tree["services"]["productpage"]["depends_on"]
        .as_object()
        .expect("depends_on");
    let names: Vec<&str> = deps.keys().map(String::as_str).collect();
    assert_eq!(names, ["details", "reviews-v1", "reviews-v2", "reviews-v3"]);
    // Images meshc did not build carry no probe it can run: started, not healthy.
    assert_eq!(deps["details"]["condition"], "service_started");
    assert!(tree["services"]["details"].get("depends_on").is_none());
}

#[test]
fn a_generated_dockerfile_is_inlined_and_its_healthcheck_is_waited_for() {
    let (_, _, tree) = from_text(
        "app: two\nmesh: none\nservices:\n  \
           web: { image: web:1, ports: { http: 8080 }, calls: [api] }\n  \
           api:\n    build: { runtime: go, context: ., command: [/app/api] }\n    ports: { http: 9000 }\n    health: { http: /healthz }\n",
    );
    let build = &tree["services"]["api"]["build"];
    assert_eq!(build["context"], "${MESHC_SOURCE:-../..}");
    let inline = build["dockerfile_inline"]
        .as_str()
        .expect("inline Dockerfile");
    assert!(inline.contains("HEALTHCHECK"), "{inline}");
    assert!(inline.contains("http://127.0.0.1:9000/healthz"), "{inline}");
    assert_eq!(
        tree["services"]["web"]["depends_on"]["api"]["condition"],
        "service_healthy"
    );
}

#[test]
fn workers_with_an_exec_check_get_a_compose_healthcheck() {
    let (_, _, tree) = from_text(
        "app: jobs\nmesh: none\nservices:\n  \
           front: { image: front:1, ports: { http: 8080 }, calls: [queue] }\n  \
           queue: { image: queue:1, ports: { amqp: { port: 5672, protocol: tcp } }, health: { exec: [queue-ctl, ping, \"$HOST\"] } }\n",
    );
    let hc = &tree["services"]["queue"]["healthcheck"];
    // `$` is Compose's interpolation: a literal one is doubled.
    assert_eq!(
        hc["test"],
        serde_json::json!(["CMD", "queue-ctl", "ping", "$$HOST"])
    );
    assert_eq!(
        tree["services"]["front"]["depends_on"]["queue"]["condition"],
        "service_healthy"
    );
}

#[test]
fn containers_are_locked_down_like_their_pods() {
    let (text, tree) = example("plain");
    for (name, svc) in tree["services"].as_object().expect("services") {
        assert_eq!(svc["user"], "10001:10001", "{name}");
        assert_eq!(svc["read_only"], true, "{name}");
        assert_eq!(svc["cap_drop"], serde_json::json!(["ALL"]), "{name}");
        assert_eq!(
            svc["security_opt"],
            serde_json::json!(["no-new-privileges:true"]),
            "{name}"
        );
        assert_eq!(svc["tmpfs"], serde_json::json!(["/tmp"]), "{name}");
        assert!(svc["deploy"]["resources"]["limits"]["memory"].is_string());
    }
    // Only the ingress service publishes a port, on loopback, one per replica.
    assert!(tree["services"]["api"].get("ports").is_none());
    assert!(tree["services"]["store"].get("ports").is_none());
    let ports = &tree["services"]["frontend"]["ports"][0];
    assert_eq!(ports["target"], 8080);
    assert_eq!(ports["published"], "8080-8081", "autoscale min is 2");
    assert_eq!(ports["host_ip"], "127.0.0.1");
    // A secret reference: a Compose secret from the host's environment, and
    // the same variable as on Kubernetes.
    assert_eq!(
        tree["secrets"]["guestbook-store_password"]["environment"],
        "MESHC_SECRET_GUESTBOOK_STORE_PASSWORD"
    );
    assert_eq!(
        tree["services"]["api"]["environment"]["STORE_PASSWORD"],
        "${MESHC_SECRET_GUESTBOOK_STORE_PASSWORD:?}"
    );
    assert!(text.contains(
        "#   MESHC_SECRET_GUESTBOOK_STORE_PASSWORD = the secret guestbook-store/password\n"
    ));
}

#[test]
fn yaml_1_1_booleans_and_numbers_stay_strings() {
    let (_, text, tree) = from_text(
        "app: trap\nmesh: none\nservices:\n  \
           web:\n    image: web:1\n    ports: { http: 8080 }\n    env: { A: \"yes\", B: \"on\", C: \"1.10\", D: \"NO\", E: \"0777\" }\n",
    );
    for (k, v) in [
        ("A", "yes"),
        ("B", "on"),
        ("C", "1.10"),
        ("D", "NO"),
        ("E", "0777"),
    ] {
        assert_eq!(tree["services"]["web"]["environment"][k], v);
        assert!(
            text.contains(&format!("{k}: \"{v}\"")) || text.contains(&format!("{k}: '{v}'")),
            "{k} is quoted for YAML 1.1 readers:\n{text}"
        );
    }
}

#[test]
fn storage_is_a_named_volume_per_workload() {
    let (_, _, tree) = from_text(
        "app: data\nmesh: none\nservices:\n  \
           api: { image: api:1, ports: { http: 8080 }, calls: [db] }\n  \
           db:\n    image: postgres:17\n    ports: { pg: { port: 5432, protocol: tcp } }\n    storage: { data: { path: /var/lib/postgresql/data, size: 5Gi } }\n",
    );
    let db = &tree["services"]["db"];
    assert_eq!(
        db["volumes"],
        serde_json::json!([{"type": "volume", "source": "db-data", "target": "/var/lib/postgresql/data", "read_only": false}])
    );
    assert!(tree["volumes"]["db-data"].is_object());
    // Never two containers on one volume during an update.
    assert_eq!(db["deploy"]["update_config"]["order"], "stop-first");
    assert_eq!(
        tree["services"]["api"]["deploy"]["update_config"]["order"],
        "start-first"
    );
}

#[test]
fn addresses_use_the_container_port_and_host_ports_do_not_collide() {
    let (_, text, tree) = from_text(
        "app: ports\nmesh: none\nservices:\n  \
           a: { image: a:1, ports: { http: 8080 }, ingress: { host: a.example.com }, env: { B: { address: b:http } } }\n  \
           b: { image: b:1, ports: { http: { port: 8080, service_port: 80 } }, ingress: { host: b.example.com } }\n  \
           c: { image: c:1, ports: { http: 9000 }, ingress: { host: c.example.com, local_port: 7000 } }\n",
    );
    // No Service in between: the alias answers on the container port.
    assert_eq!(tree["services"]["a"]["environment"]["B"], "b:8080");
    assert_eq!(tree["services"]["a"]["ports"][0]["published"], "8080");
    assert_eq!(tree["services"]["b"]["ports"][0]["published"], "8081");
    assert_eq!(tree["services"]["c"]["ports"][0]["published"], "7000");
    assert!(
        text.contains(
            "# b is published on 8081: its ingress port was taken by an earlier service.\n"
        )
    );
}

#[test]
fn the_build_says_once_per_service_what_compose_does_not_apply() {
    let dir = common::root().join("examples/bookinfo");
    let out = tempfile::tempdir().expect("tempdir");
    let o = out.path().to_string_lossy().into_owned();
    let run = common::meshc(
        &dir,
        &["build", "meshc.yaml", "--target", "compose", "-o", &o],
    );
    let err = common::stderr(&run);
    assert!(run.status.success(), "{err}");
    assert_eq!(err.matches("M207").count(), 4, "{err}");
    assert!(
        err.contains("under Compose, `reviews` runs without the traffic split"),
        "{err}"
    );
    assert!(
        err.contains("retries; the timeout; circuit breaking"),
        "{err}"
    );
    assert!(
        err.contains("meshc.yaml:34:3"),
        "located on the service: {err}"
    );
    assert!(
        err.contains("under Compose, `ratings` runs without fault injection"),
        "{err}"
    );
    assert!(out.path().join("compose/compose.yaml").is_file());
    // Kubernetes builds say nothing of the sort.
    let run = common::meshc(&dir, &["build", "meshc.yaml", "-o", &o, "--force"]);
    assert!(!common::stderr(&run).contains("M207"));
}
