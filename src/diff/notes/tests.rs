use crate::diff::{CallGraph, Side, diff};
use crate::emit::{Artifact, Resource};
use serde_json::{Value, json};

fn artifact(objects: &[Value]) -> Vec<Artifact> {
    vec![Artifact {
        path: "k.yaml".into(),
        bytes: serde_json::to_vec(objects).unwrap(),
        resources: objects
            .iter()
            .map(|o| Resource::from_tree(crate::emit::yaml::sort(o.clone())))
            .collect(),
        service: None,
    }]
}

fn object(kind: &str, name: &str, app: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": kind,
           "metadata": {"name": name, "namespace": "ns", "labels": {"app": app}}, "spec": spec})
}

fn notes(old: &[Value], new: &[Value]) -> Vec<String> {
    let (a, b) = (artifact(old), artifact(new));
    diff(Side::new(&a), Side::new(&b))
        .notes
        .into_iter()
        .map(|n| format!("{}: {}", n.kind.as_str(), n.text))
        .collect()
}

fn deployment(name: &str, app: &str, image: &str) -> Value {
    object(
        "Deployment",
        name,
        app,
        json!({"template": {"spec": {"containers": [{"name": app, "image": image}]}}}),
    )
}

#[test]
fn a_re_pushed_tag_is_an_image_note_with_both_digests() {
    let a = "docker.io/istio/reviews:1.20.1@sha256:a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    let b = "docker.io/istio/reviews:1.20.1@sha256:c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2";
    let notes = notes(
        &[deployment("reviews-v1", "reviews", a)],
        &[deployment("reviews-v1", "reviews", b)],
    );
    assert_eq!(
        notes,
        ["image: reviews v1: 1.20.1 re-pushed, digest a1b2c3d4e5f6… → c3d4e5f60718…"]
    );
}

#[test]
fn a_digest_that_is_not_hex_is_shortened_without_a_panic() {
    let notes = notes(
        &[deployment("web", "web", "web:1.0@sha256:a€€€€€€€")],
        &[deployment("web", "web", "web:1.0@sha256:abc")],
    );
    assert_eq!(
        notes,
        ["image: web: 1.0 re-pushed, digest a€€€€€€€… → abc…"]
    );
}

#[test]
fn pinning_unpinning_and_new_tags_are_told_apart() {
    let d = "sha256:c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2";
    let case = |old: &str, new: &str| {
        notes(
            &[deployment("web", "web", old)],
            &[deployment("web", "web", new)],
        )
    };
    assert_eq!(
        case(
            "reg.example.com:5000/web:1.0",
            &format!("reg.example.com:5000/web:1.0@{d}")
        ),
        ["image: web: 1.0 pinned to digest c3d4e5f60718…"]
    );
    assert_eq!(
        case(&format!("web:1.0@{d}"), "web:1.0"),
        ["image: web: 1.0 no longer pinned by digest (was c3d4e5f60718…)"]
    );
    assert_eq!(
        case(
            "reg.example.com:5000/web:1.0",
            &format!("reg.example.com:5000/web:1.1@{d}")
        ),
        ["image: web: image 1.0 → 1.1"]
    );
    assert_eq!(
        case("web:1.0", "mirror.example.com/web:1.0"),
        ["image: web: image web:1.0 → mirror.example.com/web:1.0"]
    );
}

#[test]
fn weaker_mtls_is_a_security_note() {
    let pa = |mode: &str| {
        let mut o = object(
            "PeerAuthentication",
            "default",
            "",
            json!({"mtls": {"mode": mode}}),
        );
        o["apiVersion"] = json!("security.istio.io/v1");
        o
    };
    assert_eq!(
        notes(&[pa("STRICT")], &[pa("PERMISSIVE")]),
        ["security: PeerAuthentication ns/default: mTLS loosened, STRICT → PERMISSIVE"]
    );
    assert!(notes(&[pa("PERMISSIVE")], &[pa("STRICT")]).is_empty());
}

#[test]
fn a_writable_root_filesystem_is_loosened() {
    let d = |ro: bool| {
        object(
            "Deployment",
            "web",
            "web",
            json!({"template": {"spec": {"containers": [
            {"name": "web", "securityContext": {"readOnlyRootFilesystem": ro}}]}}}),
        )
    };
    assert_eq!(
        notes(&[d(true)], &[d(false)]),
        [
            "security: Deployment ns/web: securityContext loosened, spec.template.spec.containers[name=web].securityContext.readOnlyRootFilesystem true → false"
        ]
    );
}

#[test]
fn a_new_opt_out_is_noted_once_per_service() {
    let svc = |ann: Value| {
        let mut o = object("Service", "web", "web", json!({"ports": []}));
        o["metadata"]["annotations"] = ann;
        o
    };
    assert_eq!(
        notes(
            &[svc(json!({}))],
            &[svc(json!({"checkov.io/skip1": "CKV_K8S_8=no probe"}))]
        ),
        ["security: web: checkov opt-out `CKV_K8S_8` new for this service, on 1 object: no probe"]
    );
}

#[test]
fn callers_gained_and_lost() {
    let objects = [
        object("Service", "a", "a", json!({})),
        object("Service", "b", "b", json!({})),
        object("Service", "c", "c", json!({})),
    ];
    let a = artifact(&objects);
    let old = CallGraph::from_edges(["a", "b", "c"], [("a", "c")]);
    let new = CallGraph::from_edges(["a", "b", "c"], [("b", "c")]);
    let plan = diff(Side::with_graph(&a, &old), Side::with_graph(&a, &new));
    let texts: Vec<&str> = plan.notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(texts, ["c: gains caller `b`", "c: loses caller `a`"]);
}

#[test]
fn replicas_shared_by_versions_are_one_note() {
    let d = |name: &str, n: u32| object("Deployment", name, "web", json!({"replicas": n}));
    assert_eq!(
        notes(
            &[d("web-v1", 1), d("web-v2", 1)],
            &[d("web-v1", 3), d("web-v2", 3)]
        ),
        ["replicas: web: replicas 1 → 3 (web-v1, web-v2)"]
    );
}
