//! `meshc import`: every Compose sample in tests/fixtures/import becomes a
//! description `meshc check` accepts, whose compiled model keeps the
//! services, images, ports and call edges of the Compose file.

mod common;

use common::{meshc, stderr};
use meshc::pipeline::{self, BuildOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn samples() -> Vec<PathBuf> {
    let dir = common::root().join("tests/fixtures/import");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("compose.yaml").is_file())
        .collect();
    out.sort();
    out
}

/// A copy of a sample in a fresh directory named like the sample (the
/// application's name when the Compose file has none).
fn copy(sample: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(sample.file_name().expect("name"));
    common::copy_dir(sample, &dir);
    (tmp, dir)
}

fn options() -> BuildOptions {
    BuildOptions {
        env: None,
        overrides: Default::default(),
        targets: vec![meshc::emit::Target::Kubernetes],
        templates: meshc::emit::docker::Templates::embedded(),
        locked: false,
    }
}

fn lower(path: &Path) -> meshc::model::App {
    match pipeline::lower_file(path, &options()) {
        Ok(l) => l.app,
        Err(pipeline::BuildError::Findings(_, d)) => {
            panic!("{} has findings: {d:#?}", path.display())
        }
        Err(e) => panic!("{} does not build: {e:?}", path.display()),
    }
}

/// What must survive the import, read from the Compose file itself.
#[derive(Debug, PartialEq)]
struct Shape {
    services: BTreeSet<String>,
    images: BTreeSet<(String, String)>,
    ports: BTreeSet<(String, u16)>,
    calls: BTreeSet<(String, String)>,
}

fn compose_shape(text: &str) -> Shape {
    let doc: serde_json::Value = serde_saphyr::from_str(text).expect("compose parses");
    let mut s = Shape {
        services: BTreeSet::new(),
        images: BTreeSet::new(),
        ports: BTreeSet::new(),
        calls: BTreeSet::new(),
    };
    for (name, svc) in doc["services"].as_object().expect("services") {
        s.services.insert(name.clone());
        if let Some(i) = svc["image"].as_str()
            && svc.get("build").is_none()
        {
            s.images.insert((name.clone(), i.to_string()));
        }
        for key in ["ports", "expose"] {
            for p in svc[key].as_array().into_iter().flatten() {
                let text = p.as_str().map_or_else(|| p.to_string(), str::to_string);
                let container = text
                    .rsplit(':')
                    .next()
                    .unwrap_or("")
                    .split('/')
                    .next()
                    .unwrap_or("");
                s.ports
                    .insert((name.clone(), container.parse().expect("port number")));
            }
        }
        // depends_on in its list form, or its map form (what meshc writes).
        let deps = &svc["depends_on"];
        let names = deps
            .as_array()
            .map(|a| a.iter().filter_map(|d| d.as_str()).collect::<Vec<_>>())
            .or_else(|| {
                deps.as_object()
                    .map(|m| m.keys().map(String::as_str).collect())
            })
            .unwrap_or_default();
        for d in names {
            s.calls.insert((name.clone(), d.to_string()));
        }
    }
    s
}

fn model_shape(app: &meshc::model::App) -> Shape {
    let mut s = Shape {
        services: BTreeSet::new(),
        images: BTreeSet::new(),
        ports: BTreeSet::new(),
        calls: BTreeSet::new(),
    };
    for svc in &app.services {
        s.services.insert(svc.name.clone());
        for w in &svc.workloads {
            if w.own_build.is_none() && w.build.is_none() {
                s.images.insert((svc.name.clone(), w.image.clone()));
            }
        }
        for p in &svc.ports {
            s.ports.insert((svc.name.clone(), p.number));
        }
        for &c in &svc.calls {
            s.calls
                .insert((svc.name.clone(), app.services[c].name.clone()));
        }
    }
    s
}

#[test]
fn every_sample_imports_checks_and_keeps_its_shape() {
    let samples = samples();
    assert!(samples.len() >= 6, "the samples are missing");
    for sample in samples {
        let name = sample
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let (_tmp, dir) = copy(&sample);
        let o = meshc(dir.as_path(), &["import", "compose.yaml"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{name}: {err}");
        let out = dir.as_path().join("meshc.yaml");
        let text = std::fs::read_to_string(&out).expect("written");
        let (diags, report) = common::check_report(&out);
        assert!(
            !diags.iter().any(meshc::diag::Diagnostic::is_error),
            "{name}:\n{report}"
        );
        common::snapshots().bind(|| {
            insta::assert_snapshot!(format!("{name}-yaml"), text);
            insta::assert_snapshot!(format!("{name}-stderr"), err);
        });
        // Round trip: the compiled model keeps what the Compose file said.
        let compose = std::fs::read_to_string(dir.as_path().join("compose.yaml")).expect("compose");
        let want = compose_shape(&compose);
        let got = model_shape(&lower(&out));
        assert_eq!(got.services, want.services, "{name}");
        assert_eq!(got.images, want.images, "{name}");
        assert_eq!(got.ports, want.ports, "{name}");
        assert!(
            got.calls.is_superset(&want.calls),
            "{name}: {:?} lacks {:?}",
            got.calls,
            want.calls
        );
        // And back out: the description builds for Compose, whose file has
        // the original's services, ports and edges again.
        let back = pipeline::compile(
            &out,
            &BuildOptions {
                targets: vec![meshc::emit::Target::Compose],
                ..options()
            },
        )
        .unwrap_or_else(|e| panic!("{name}: no compose build: {e:?}"));
        let file = back
            .bundle
            .artifacts
            .iter()
            .find(|a| a.path == "compose/compose.yaml")
            .expect("compose file");
        let again = compose_shape(std::str::from_utf8(&file.bytes).expect("utf-8"));
        assert_eq!(again.services, want.services, "{name}: compose round trip");
        assert_eq!(again.ports, want.ports, "{name}: compose round trip");
        assert!(
            again.calls.is_superset(&want.calls),
            "{name}: compose round trip"
        );
        // KDL says the same.
        let o = meshc(
            dir.as_path(),
            &["import", "compose.yaml", "-o", "meshc.kdl"],
        );
        assert_eq!(o.status.code(), Some(0), "{name} kdl: {}", stderr(&o));
        let kdl = model_shape(&lower(&dir.as_path().join("meshc.kdl")));
        assert_eq!(kdl, got, "{name}: KDL and YAML differ");
    }
}

#[test]
fn refuses_to_overwrite_without_force() {
    let (_tmp, dir) = copy(&common::root().join("tests/fixtures/import/gitea-postgres"));
    std::fs::write(dir.as_path().join("meshc.yaml"), "mine\n").expect("write");
    let o = meshc(dir.as_path(), &["import", "compose.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: `meshc.yaml` already exists; pass --force to overwrite it, or -o to write elsewhere\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.as_path().join("meshc.yaml")).expect("read"),
        "mine\n"
    );
    let o = meshc(dir.as_path(), &["import", "compose.yaml", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(dir.as_path().join("meshc.yaml"))
            .expect("read")
            .contains("  gitea:\n    image: gitea/gitea:latest\n")
    );
}

#[test]
fn malformed_compose_is_located_and_nothing_is_written() {
    let cases = [
        (
            "services:\n  web:\n    image: [unclosed\n",
            "  compose.yaml:3:12: invalid YAML: unclosed bracket",
        ),
        (
            "services:\n  web:\n    image: nginx\n    ports:\n      http: 80\n",
            "error: `compose.yaml` cannot be imported:\n  compose.yaml:5:7: services.web.ports: expected a list, found a map\nnothing was written\n",
        ),
        (
            "services:\n  web:\n    restart: always\n",
            "  compose.yaml:2:3: services.web: the service has neither `image` nor `build`",
        ),
    ];
    for (text, want) in cases {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(tmp.path().join("compose.yaml"), text).expect("write");
        let o = meshc(tmp.path(), &["import", "compose.yaml"]);
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert!(stderr(&o).contains(want), "{text}: {}", stderr(&o));
        assert!(!tmp.path().join("meshc.yaml").exists(), "{text}");
    }
}

#[test]
fn yaml_1_1_lookalikes_stay_strings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let compose = "services:\n  web:\n    image: nginx:1.27\n    environment:\n      ENABLED: yes\n      MODE: on\n      VERSION: 1.10\n      MASK: 0777\n";
    std::fs::write(tmp.path().join("compose.yaml"), compose).expect("write");
    for out in ["meshc.yaml", "meshc.kdl"] {
        let o = meshc(tmp.path(), &["import", "compose.yaml", "-o", out]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let app = lower(&tmp.path().join(out));
        let env: Vec<(String, String)> = app.services[0].workloads[0]
            .env
            .iter()
            .map(|e| match &e.value {
                meshc::model::EnvValue::Plain(v) => (e.name.clone(), v.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        let want = [
            ("ENABLED", "yes"),
            ("MODE", "on"),
            ("VERSION", "1.10"),
            ("MASK", "0777"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(env, want, "{out}");
    }
}
