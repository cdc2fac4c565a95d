//! Mapping: KDL nodes → the tree the YAML twin gives, spans at what was
//! written, and the diagnostics of conversion.

use super::*;

const BOOKINFO_KDL: &str = r#"app "bookinfo"
namespace "bookinfo"
mesh "istio"
trust_domain "cluster.local"
defaults {
    replicas 1
    resources cpu="100m" memory="128Mi" cpu_limit="500m" memory_limit="256Mi"
}
service "productpage" {
    build runtime="python" context="./productpage" {
        command "python" "productpage.py" "9080"
    }
    port "http" 9080
    port "grpc" 50051 protocol="grpc"
    health http="/health"
    calls "details" "reviews"
    ingress host="bookinfo.example.com" tls_secret="bookinfo-cert" {
        paths "/productpage" "/static"
    }
    env {
        LOG_LEVEL "info"
        DB_PASSWORD secret="productpage-db/password"
    }
    config {
        "settings.json" "./productpage/settings.json"
    }
}
service "reviews" {
    port "http" 9080
    version "v1" image="docker.io/x/reviews-v1:1.20.1"
    version "v2" image="docker.io/x/reviews-v2:1.20.1" {
        calls "ratings"
    }
    autoscale min=2 max=10 cpu_percent=70
    traffic {
        split v1=50 v3=50
        route to="v2" {
            match {
                headers end-user="jason"
            }
        }
        timeout "10s"
        retries attempts=2 per_try_timeout="3s" {
            on "5xx" "connect-failure"
        }
        mirror to="v2" percent=10
        fault {
            delay fixed="7s" percent=100
            match {
                headers end-user="jason"
            }
        }
    }
    opt_out check="CKV_K8S_43" reason="tags are pinned by the release process"
}
environment "prod" {
    service "reviews" {
        replicas 3
    }
}
"#;

const BOOKINFO_YAML: &str = r#"app: bookinfo
namespace: bookinfo
mesh: istio
trust_domain: cluster.local
defaults:
  replicas: 1
  resources: { cpu: 100m, memory: 128Mi, cpu_limit: 500m, memory_limit: 256Mi }
services:
  productpage:
    build: { runtime: python, context: ./productpage, command: [python, productpage.py, "9080"] }
    ports: { http: 9080, grpc: { port: 50051, protocol: grpc } }
    health: { http: /health }
    calls: [details, reviews]
    ingress: { host: bookinfo.example.com, paths: [/productpage, /static], tls_secret: bookinfo-cert }
    env: { LOG_LEVEL: info, DB_PASSWORD: { secret: productpage-db/password } }
    config: { settings.json: ./productpage/settings.json }
  reviews:
    ports: { http: 9080 }
    versions:
      v1: { image: "docker.io/x/reviews-v1:1.20.1" }
      v2: { image: "docker.io/x/reviews-v2:1.20.1", calls: [ratings] }
    autoscale: { min: 2, max: 10, cpu_percent: 70 }
    traffic:
      split: { v1: 50, v3: 50 }
      routes:
        - match: { headers: { end-user: jason } }
          to: v2
      timeout: 10s
      retries: { attempts: 2, per_try_timeout: 3s, on: [5xx, connect-failure] }
      mirror: { to: v2, percent: 10 }
      fault: { delay: { fixed: 7s, percent: 100 }, match: { headers: { end-user: jason } } }
    opt_outs:
      - { check: CKV_K8S_43, reason: "tags are pinned by the release process" }
environments:
  prod:
    services:
      reviews: { replicas: 3 }
"#;

#[test]
fn bookinfo_reads_as_its_yaml_twin() {
    let kdl = parse(BOOKINFO_KDL).unwrap();
    let yaml = crate::syntax::yaml::parse(BOOKINFO_YAML).unwrap();
    assert_eq!(plain(&kdl), plain(&yaml));
}

#[test]
fn collections_are_gathered_where_the_first_item_stands() {
    let root = parse("app \"x\"\nservice \"a\"\nmesh \"istio\"\nservice \"b\"\n").unwrap();
    assert_eq!(names(&root), ["app", "services", "mesh"]);
    assert_eq!(names(&entry(&root, &["services"]).1), ["a", "b"]);
    let routes = at(&["routes"], "route to=\"a\"\nx 1\nroute to=\"b\"\n");
    let Value::Seq(routes) = routes else { panic!() };
    assert_eq!(routes.len(), 2);
    assert_eq!(entry(&routes[1], &["to"]).1.value, str("b"));
}

#[test]
fn duplicates_are_kept_for_the_decoder() {
    let root = parse("service \"a\" { replicas 1 }\nservice \"a\" { replicas 2 }\n").unwrap();
    assert_eq!(names(&entry(&root, &["services"]).1), ["a", "a"]);
    let root = parse("service \"a\"\nservices { b }\nreplicas 1\nreplicas 2\n").unwrap();
    assert_eq!(
        names(&root),
        ["services", "services", "replicas", "replicas"]
    );
}

#[test]
fn node_values_follow_their_shape() {
    assert_eq!(at(&["a"], "a"), Value::Null);
    assert_eq!(at(&["a"], "a 1"), Value::Int(1));
    assert_eq!(at(&["a"], "a 1 \"x\""), seq(vec![Value::Int(1), str("x")]));
    assert_eq!(at(&["a"], "a {}"), Value::Map(vec![]));
    assert_eq!(at(&["a", "b"], "a b=1 { c 2 }"), Value::Int(1));
    assert_eq!(
        names(&entry(&parse("a b=1 { c 2 }").unwrap(), &["a"]).1),
        ["b", "c"]
    );
    assert_eq!(at(&["calls"], "calls \"x\""), seq(vec![str("x")]));
    assert_eq!(at(&["calls"], "calls"), Value::Seq(vec![]));
    assert_eq!(
        at(&["on"], "on \"5xx\" \"reset\""),
        seq(vec![str("5xx"), str("reset")])
    );
}

#[test]
fn scalars_map_one_to_one() {
    let text =
        "s \"x\"\ni -3\nf 1.5\nt #true\nn #null\nbig 99999999999999999999\nty (duration)\"10s\"\n";
    let root = parse(text).unwrap();
    let values: Vec<&Value> = entries(&root).iter().map(|(_, v)| &v.value).collect();
    assert_eq!(
        values,
        [
            &str("x"),
            &Value::Int(-3),
            &Value::Float(1.5),
            &Value::Bool(true),
            &Value::Null,
            &Value::Float(1e20),
            &str("10s")
        ]
    );
}

#[test]
fn ports_keep_their_number_next_to_properties() {
    let root = parse("port \"grpc\" 50051 protocol=\"grpc\"\nport 8080 9080\n").unwrap();
    let ports = &entry(&root, &["ports"]).1;
    assert_eq!(names(ports), ["grpc", "8080"]);
    assert_eq!(names(&entry(ports, &["grpc"]).1), ["port", "protocol"]);
    assert_eq!(entry(ports, &["grpc", "port"]).1.value, Value::Int(50051));
    assert_eq!(entry(ports, &["8080"]).1.value, Value::Int(9080));
}

#[test]
fn spans_point_at_what_was_written() {
    let text = BOOKINFO_KDL;
    let root = parse(text).unwrap();
    assert_eq!(root.span, Span::new(0, text.len()));
    let (key, value) = entry(&root, &["services", "productpage"]);
    assert_eq!(slice(text, key.span), "\"productpage\"");
    assert!(slice(text, value.span).starts_with("service \"productpage\" {"));
    let (key, _) = entry(&root, &["services"]);
    assert_eq!(slice(text, key.span), "service");
    let (key, value) = entry(&root, &["defaults", "replicas"]);
    assert_eq!(
        (slice(text, key.span), slice(text, value.span)),
        ("replicas", "1")
    );
    let (key, value) = entry(&root, &["defaults", "resources", "memory"]);
    assert_eq!(
        (slice(text, key.span), slice(text, value.span)),
        ("memory", "\"128Mi\"")
    );
    let (_, value) = entry(&root, &["services", "reviews", "traffic", "timeout"]);
    assert_eq!(slice(text, value.span), "\"10s\"");
    let (key, value) = entry(&root, &["services", "productpage", "ports", "grpc", "port"]);
    assert_eq!(
        (slice(text, key.span), slice(text, value.span)),
        ("50051", "50051")
    );
}

#[test]
fn spans_survive_blanked_comments_and_wide_characters() {
    let text = "/* { é } */ app /* x */ \"é\" // {\nmesh \"istio\"\n";
    let root = parse(text).unwrap();
    let (key, value) = entry(&root, &["app"]);
    assert_eq!(
        (slice(text, key.span), slice(text, value.span)),
        ("app", "\"é\"")
    );
    assert_eq!(value.value, str("é"));
    assert_eq!(slice(text, entry(&root, &["mesh"]).1.span), "\"istio\"");
}

#[test]
fn arguments_next_to_properties_are_reported_each() {
    let text = "autoscale 2 max=10\nservice \"a\" {\n    health \"/h\" { x 1 }\n}\n";
    let diags = errors(text);
    assert_eq!(diags.len(), 2);
    assert!(diags.iter().all(|d| d.code == Code::Syntax));
    assert!(
        diags[0].message.contains("`autoscale`"),
        "{}",
        diags[0].message
    );
    assert_eq!(slice(text, diags[0].primary.span), "2");
    assert_eq!(slice(text, diags[1].primary.span), "\"/h\"");
    assert!(diags[1].help.as_deref().unwrap().ends_with('.'));
}

#[test]
fn keyed_nodes_need_a_name() {
    let diags = errors("service {\n    replicas 1\n}\n");
    assert_eq!(
        diags[0].message,
        "`service` needs a name: `service \"web\" { … }`"
    );
    let text = "version #true image=\"x\"";
    let diags = errors(text);
    assert_eq!(slice(text, diags[0].primary.span), "#true");
}

#[test]
fn lists_take_only_arguments() {
    let diags = errors("calls \"a\" b=1\n");
    assert_eq!(diags[0].message, "`calls` takes only arguments");
}

#[test]
fn kdl_1_is_read_through_the_fallback() {
    let text = "app \"shop\"\nflag true\nopts key=true other=null\nnothing null\npath r\"C:\\dir\\\"\nraw r#\"a\"b\"#\nmulti \"a\nb\"\n";
    let root = parse(text).unwrap();
    assert_eq!(at(&["flag"], text), Value::Bool(true));
    assert_eq!(at(&["opts", "key"], text), Value::Bool(true));
    assert_eq!(at(&["opts", "other"], text), Value::Null);
    assert_eq!(at(&["nothing"], text), Value::Null);
    assert_eq!(at(&["path"], text), str("C:\\dir\\"));
    assert_eq!(at(&["raw"], text), str("a\"b"));
    assert_eq!(at(&["multi"], text), str("a\nb"));
    assert_eq!(slice(text, entry(&root, &["opts", "key"]).1.span), "true");
}
