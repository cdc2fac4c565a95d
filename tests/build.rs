//! `meshc build`: every example's bundle per target as a reviewed snapshot,
//! reproducible bytes, YAML/KDL twins, and changes that stay local.

mod common;

use common::copy_dir;
use meshc::bundle::Bundle;
use meshc::emit::{Target, docker::Templates, fingerprint};
use meshc::model::{App, Mesh};
use meshc::pipeline::{self, BuildOptions, Compiled};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn options(env: Option<&str>) -> BuildOptions {
    BuildOptions {
        env: env.map(str::to_string),
        overrides: Default::default(),
        targets: Target::ALL.to_vec(),
        templates: Templates::embedded(),
        locked: false,
    }
}

fn compile(path: &Path, env: Option<&str>) -> Compiled {
    match pipeline::compile(path, &options(env)) {
        Ok(c) => c,
        Err(e) => panic!("{} does not build: {e:?}", path.display()),
    }
}

fn examples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(common::root().join("examples")).expect("examples") {
        let dir = entry.expect("entry").path();
        let yaml = dir.join("meshc.yaml");
        if yaml.exists() {
            out.push(yaml);
        }
    }
    out.sort();
    out
}

/// One target's files, concatenated with their paths, for a snapshot.
fn target_text(bundle: &Bundle, target: Target) -> String {
    let mut text = String::new();
    for a in bundle
        .artifacts
        .iter()
        .filter(|a| Target::of_path(&a.path) == Some(target))
    {
        text.push_str(&format!("=== {} ===\n", a.path));
        text.push_str(&String::from_utf8_lossy(&a.bytes));
    }
    text
}

#[test]
fn every_example_bundle_matches_its_reviewed_snapshot() {
    let settings = common::snapshots();
    for path in examples() {
        let name = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let compiled = compile(&path, None);
        for target in Target::ALL {
            let text = target_text(&compiled.bundle, target);
            // The mesh's snapshot is named after the mesh it is for.
            let suffix = match target {
                Target::Mesh => compiled.app.mesh.as_str(),
                t => t.as_str(),
            };
            settings.bind(|| insta::assert_snapshot!(format!("{name}__{suffix}"), text));
        }
    }
}

#[test]
fn builds_are_byte_for_byte_reproducible() {
    for path in examples() {
        let a = compile(&path, None);
        let b = compile(&path, None);
        let files = |c: &Compiled| {
            c.bundle
                .files()
                .map(|(p, b)| (p.to_string(), b.into_owned()))
                .collect::<Vec<_>>()
        };
        assert_eq!(files(&a), files(&b), "{}", path.display());
    }
}

#[test]
fn the_lock_indexes_every_object_by_the_digest_of_its_document() {
    // What a user can check with `sha256sum` on a document cut out of a file:
    // each object's digest covers its text from after its `---` line to the
    // next one.
    let compiled = compile(&common::root().join("examples/bookinfo/meshc.yaml"), None);
    let lock = &compiled.bundle.lock;
    let mut indexed = 0;
    for a in compiled
        .bundle
        .artifacts
        .iter()
        .filter(|a| !a.resources.is_empty())
    {
        let text = String::from_utf8(a.bytes.clone()).unwrap();
        let docs: Vec<&str> = text.split("---\n").skip(1).collect();
        let locked: Vec<_> = lock.resources.iter().filter(|r| r.file == a.path).collect();
        assert_eq!(docs.len(), locked.len(), "{}", a.path);
        for (doc, r) in docs.iter().zip(locked) {
            assert_eq!(r.sha256, meshc::bundle::sha256_hex(doc.as_bytes()));
            assert!(doc.contains(&format!("kind: {}\n", r.kind)), "{doc}");
            assert!(doc.contains(&format!("name: {}\n", r.name)), "{doc}");
            indexed += 1;
        }
    }
    assert_eq!(indexed, lock.resources.len());
    assert!(indexed > 20);
}

#[test]
fn a_large_build_is_reproducible_and_keeps_service_order() {
    // Enough services that emitting and writing run on several threads.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("app: big\nnamespace: big\nmesh: istio\nservices:\n");
    for i in 0..600 {
        let calls = if i < 599 {
            format!("s{}", i + 1)
        } else {
            String::new()
        };
        text.push_str(&format!(
            "  s{i}: {{ image: \"registry.example.com/s{i}:1.0\", ports: {{ http: 8080 }}, calls: [{calls}] }}\n"
        ));
    }
    let path = dir.path().join("meshc.yaml");
    std::fs::write(&path, &text).unwrap();
    let first = compile(&path, None);
    let second = compile(&path, None);
    let files = |c: &Compiled| -> Vec<(String, Vec<u8>)> {
        c.bundle
            .files()
            .map(|(p, b)| (p.to_string(), b.into_owned()))
            .collect()
    };
    assert!(files(&first) == files(&second), "two builds differ");
    let kustomization = first
        .bundle
        .artifacts
        .iter()
        .find(|a| a.path == "kubernetes/kustomization.yaml")
        .unwrap();
    let listed: Vec<String> = String::from_utf8(kustomization.bytes.clone())
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- ").map(str::to_string))
        .collect();
    let expected: Vec<String> = std::iter::once("namespace.yaml".to_string())
        .chain((0..600).map(|i| format!("s{i}.yaml")))
        .collect();
    assert_eq!(listed, expected);
    let istio: Vec<&str> = first
        .bundle
        .lock
        .resources
        .iter()
        .filter(|r| r.kind == "AuthorizationPolicy")
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(istio.len(), 600);
}

#[test]
fn yaml_and_kdl_twins_give_identical_manifests() {
    let mut twins = 0;
    for yaml in examples() {
        let kdl = yaml.with_extension("kdl");
        if !kdl.exists() {
            continue;
        }
        twins += 1;
        let a = compile(&yaml, None);
        let b = compile(&kdl, None);
        let files = |c: &Compiled| {
            c.bundle
                .artifacts
                .iter()
                .map(|a| (a.path.clone(), a.bytes.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            files(&a),
            files(&b),
            "{} and its KDL twin differ",
            yaml.display()
        );
        assert_eq!(a.bundle.lock.files, b.bundle.lock.files);
    }
    assert!(twins >= 1, "no YAML/KDL twins under examples/");
}

#[test]
fn editing_one_image_changes_only_that_services_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = common::root().join("examples/bookinfo");
    copy_dir(&src, dir.path());
    let path = dir.path().join("meshc.yaml");
    let before = compile(&path, None);
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replace(
            "examples-bookinfo-details-v1:1.20.1",
            "examples-bookinfo-details-v1:1.20.2",
        ),
    )
    .expect("write");
    let after = compile(&path, None);
    let changed: Vec<&str> = before
        .bundle
        .lock
        .files
        .iter()
        .zip(&after.bundle.lock.files)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.path.as_str())
        .collect();
    assert_eq!(
        before.bundle.lock.files.len(),
        after.bundle.lock.files.len()
    );
    // The one Compose file holds every service, so it changes with any.
    assert_eq!(changed, ["compose/compose.yaml", "kubernetes/details.yaml"]);
    let changed_resources: Vec<String> = before
        .bundle
        .lock
        .resources
        .iter()
        .zip(&after.bundle.lock.resources)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| format!("{}/{}", a.kind, a.name))
        .collect();
    assert_eq!(changed_resources, ["Deployment/details"]);
}

#[test]
fn environment_overlays_change_what_they_name() {
    let path = common::root().join("examples/shop/meshc.yaml");
    let base = compile(&path, None);
    let prod = compile(&path, Some("prod"));
    let redis = |c: &Compiled| {
        c.app
            .services
            .iter()
            .find(|s| s.name == "redis")
            .map(|s| s.resources.memory.clone())
    };
    assert_eq!(redis(&base).as_deref(), Some("256Mi"));
    assert_eq!(redis(&prod).as_deref(), Some("1Gi"));
    let split = |c: &Compiled| {
        c.app
            .services
            .iter()
            .find(|s| s.name == "checkout")
            .and_then(|s| s.traffic.clone())
            .map(|t| t.split)
    };
    assert_eq!(
        split(&prod),
        Some(vec![("v1".to_string(), 50), ("v2".to_string(), 50)])
    );
    match pipeline::compile(&path, &options(Some("staging"))) {
        Err(pipeline::BuildError::Usage(m)) => assert!(
            m.contains("no environment `staging`") && m.contains("`prod`"),
            "{m}"
        ),
        _ => panic!("an unknown environment is a usage error"),
    }
}

/// Three services, two of them on one ingress host.
const SHARED_HOSTS: &str = "\
app: shared
services:
  web:
    image: r.example.com/web:1.0.0
    ports: { http: 8080 }
    calls: [api]
    ingress: { host: shop.example.com, paths: [/] }
  api:
    image: r.example.com/api:1.0.0
    ports: { http: 9000 }
    ingress: { host: shop.example.com, paths: [/api] }
  admin:
    image: r.example.com/admin:1.0.0
    ports: { http: 9100 }
    ingress: { host: admin.example.com }
";

/// Two services on one ingress host: the first declared owns the Gateway,
/// the second binds to it. Ownership is resolved once, in lowering.
#[test]
fn services_sharing_an_ingress_host_bind_to_the_first_ones_gateway() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("meshc.yaml");
    std::fs::write(&path, SHARED_HOSTS).expect("write");
    let built = compile(&path, None);
    let objects = |file: &str| -> Vec<String> {
        let a = built
            .bundle
            .artifacts
            .iter()
            .find(|a| a.path == file)
            .unwrap_or_else(|| panic!("{file} is missing"));
        a.resources
            .iter()
            .map(|r| {
                let tree = a.tree(r);
                let gateways = tree["spec"]["gateways"].to_string();
                format!("{}/{} {gateways}", r.kind, r.name)
            })
            .collect()
    };
    assert_eq!(
        objects("istio/web.yaml")[1..],
        [
            "Gateway/web-gateway null",
            "VirtualService/web-ingress [\"web-gateway\"]"
        ]
    );
    assert_eq!(
        objects("istio/api.yaml")[1..],
        ["VirtualService/api-ingress [\"web-gateway\"]"]
    );
    assert_eq!(
        objects("istio/admin.yaml")[1..],
        [
            "Gateway/admin-gateway null",
            "VirtualService/admin-ingress [\"admin-gateway\"]"
        ]
    );
}

// --- fingerprints ----------------------------------------------------------------

/// Each service's files (path, bytes), by service name.
fn files_by_service(app: &App, templates: &Templates) -> BTreeMap<String, Vec<(String, Vec<u8>)>> {
    let mut by = BTreeMap::new();
    for a in meshc::emit::emit(app, &Target::ALL, templates).expect("emits") {
        if let Some(s) = a.service {
            by.entry(s).or_insert_with(Vec::new).push((a.path, a.bytes));
        }
    }
    by
}

/// `app` with service `j` moved to the front, every reference renumbered.
fn moved_to_front(mut app: App, j: usize) -> App {
    let new_id = |old: usize| match old {
        o if o == j => 0,
        o if o < j => o + 1,
        o => o,
    };
    let svc = app.services.remove(j);
    app.services.insert(0, svc);
    for s in &mut app.services {
        for id in s.calls.iter_mut().chain(s.callers.iter_mut()) {
            *id = new_id(*id);
        }
        s.call_ports = std::mem::take(&mut s.call_ports)
            .into_iter()
            .map(|(id, ports)| (new_id(id), ports))
            .collect();
    }
    app
}

type Change = Box<dyn Fn(&mut App)>;

/// Ways to change one service `j` (each of which may reach others through
/// names and calls), and the app-wide settings.
fn changes(app: &App) -> Vec<(String, Change)> {
    let mut out: Vec<(String, Change)> = Vec::new();
    for j in 0..app.services.len() {
        let name = &app.services[j].name;
        out.push((
            format!("rename {name}"),
            Box::new(move |a: &mut App| a.services[j].name.push_str("-x")),
        ));
        out.push((
            format!("renumber {name}'s ports"),
            Box::new(move |a: &mut App| {
                for p in &mut a.services[j].ports {
                    p.number += 1;
                }
            }),
        ));
        out.push((
            format!("{name} calls nobody, nobody calls it"),
            Box::new(move |a: &mut App| {
                a.services[j].calls.clear();
                a.services[j].callers.clear();
            }),
        ));
        out.push((
            format!("{name} is called by the first service"),
            Box::new(move |a: &mut App| a.services[j].callers.insert(0, 0)),
        ));
        out.push((
            format!("a new image for {name}"),
            Box::new(move |a: &mut App| a.services[j].workloads[0].image.push_str("-next")),
        ));
        out.push((
            format!("{name} on another ingress host"),
            Box::new(move |a: &mut App| {
                if let Some(i) = &mut a.services[j].ingress {
                    i.host = format!("other.{}", i.host);
                }
            }),
        ));
        out.push((
            format!("{name} without traffic policy or versions"),
            Box::new(move |a: &mut App| {
                let s = &mut a.services[j];
                s.traffic = None;
                s.workloads.truncate(1);
                s.workloads[0].version = None;
                s.versioned = false;
            }),
        ));
        out.push((
            format!("{name} moved to the front"),
            Box::new(move |a: &mut App| *a = moved_to_front(a.clone(), j)),
        ));
    }
    out.push((
        "another namespace".into(),
        Box::new(|a: &mut App| a.namespace.push_str("-x")),
    ));
    out.push((
        "another trust domain".into(),
        Box::new(|a: &mut App| a.trust_domain = "example.org".into()),
    ));
    out.push((
        "the mesh switched".into(),
        Box::new(|a: &mut App| {
            a.mesh = match a.mesh {
                Mesh::Istio => Mesh::Linkerd,
                Mesh::Linkerd => Mesh::None,
                Mesh::None => Mesh::Istio,
            }
        }),
    ));
    out.push((
        "the routing API switched".into(),
        Box::new(|a: &mut App| {
            a.routing = match a.routing {
                meshc::model::Routing::Native => meshc::model::Routing::GatewayApi,
                meshc::model::Routing::GatewayApi => meshc::model::Routing::Native,
            }
        }),
    ));
    out
}

/// What `meshc diff` relies on to skip a service: whatever else changes, a
/// service whose fingerprint stays the same keeps its files byte for byte.
/// Every example, changed one way at a time (another service renamed,
/// renumbered, moved, called differently; app-wide settings; templates).
/// Each change must also reach some file, or the check would prove nothing.
#[test]
fn a_service_whose_fingerprint_stays_keeps_its_files() {
    let embedded = Templates::embedded();
    let mut overridden = Templates::default();
    overridden
        .files
        .insert("header.hbs".into(), "# our header\n".into());
    let (mut kept, mut changed, mut effective, mut total) = (0, 0, 0, 0);
    let dir = tempfile::tempdir().expect("tempdir");
    let shared = dir.path().join("meshc.yaml");
    std::fs::write(&shared, SHARED_HOSTS).expect("write");
    for path in examples().into_iter().chain([shared]) {
        let base = compile(&path, None).app;
        let before = files_by_service(&base, &embedded);
        let prints = |app: &App, t: &Templates| -> BTreeMap<String, String> {
            app.services
                .iter()
                .map(|s| s.name.clone())
                .zip(fingerprint::services(app, t))
                .collect()
        };
        let fp_before = prints(&base, &embedded);
        let mut cases: Vec<(String, App, Templates)> = changes(&base)
            .into_iter()
            .map(|(what, change)| {
                let mut app = base.clone();
                change(&mut app);
                (what, app, embedded.clone())
            })
            .collect();
        cases.push((
            "a template overridden".into(),
            base.clone(),
            overridden.clone(),
        ));
        for (what, app, templates) in cases {
            let after = files_by_service(&app, &templates);
            let fp_after = prints(&app, &templates);
            total += 1;
            if before != after {
                effective += 1;
            }
            for (service, fp) in &fp_after {
                if fp_before.get(service) == Some(fp) {
                    kept += 1;
                    // Not assert_eq: the files are kilobytes of bytes.
                    assert!(
                        before.get(service) == after.get(service),
                        "{}: after `{what}`, {service} has the same fingerprint but other files",
                        path.display()
                    );
                } else {
                    changed += 1;
                }
            }
        }
    }
    // Most changes reach a file (an ingress host changes nothing for a
    // service without ingress), and both outcomes occur often.
    assert!(
        effective * 3 >= total * 2 && kept > 1000 && changed > 200,
        "{effective} of {total} changes reached a file; fingerprints kept {kept}, changed {changed}"
    );
    assert!(
        kept > 100 && changed > 100,
        "kept {kept}, changed {changed}"
    );
}
