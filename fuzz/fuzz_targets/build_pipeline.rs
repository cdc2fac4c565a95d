//! `meshc build` into an in-memory bundle on any bytes (YAML, or KDL after a
//! `//kdl` line), with no environment and with each one the description
//! defines: findings point inside the input; a bundle is reproducible, stays
//! inside its directory, parses back exactly, reads the same under YAML 1.1,
//! and its Dockerfiles hold only meshc's instructions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc::emit::{self, Artifact, Target, docker::Templates};
use meshc::model::App;
use meshc::pipeline::{self, BuildError, BuildOptions};
use meshc::source::SourceFile;
use meshc_fuzz::{assert_bundle, assert_diagnostics, base, files, render_all, split};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What `diff` relies on to skip services: a service's files are the same
/// whichever other services are emitted with it, and every per-service file
/// names a service of the app.
fn assert_services_apart(app: &App, all: &[Artifact], opts: &BuildOptions) {
    let names: HashSet<&str> = app.services.iter().map(|s| s.name.as_str()).collect();
    let every_other: HashSet<&str> = app
        .services
        .iter()
        .step_by(2)
        .map(|s| s.name.as_str())
        .collect();
    let keep = |s: &meshc::model::Service| every_other.contains(s.name.as_str());
    let some = emit::emit_only(app, &opts.targets, &opts.templates, &keep)
        .unwrap_or_else(|e| panic!("emitting some services failed where all succeeded: {e:?}"));
    let by_path: HashMap<&str, &Artifact> = all.iter().map(|a| (a.path.as_str(), a)).collect();
    for a in &some {
        assert!(
            by_path
                .get(a.path.as_str())
                .is_some_and(|full| full.bytes == a.bytes),
            "{} differs when only some services are emitted",
            a.path
        );
    }
    for a in all {
        if let Some(s) = &a.service {
            assert!(names.contains(s.as_str()), "{} names no service", a.path);
            assert_eq!(
                every_other.contains(s.as_str()),
                some.iter().any(|b| b.path == a.path),
                "{}: emitted alone or not as its service was kept",
                a.path
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (name, bytes) = split(data);
    let (file, early) = pipeline::from_bytes(name.to_string(), bytes.to_vec());
    if !early.is_empty() {
        assert_diagnostics(&file.text, &early);
        return;
    }
    if !build(&file, None) {
        return;
    }
    let Some(desc) = pipeline::analyze(&file, &base()).0 else {
        return;
    };
    for env in desc.environments.keys().take(3) {
        build(&file, Some(env.clone()));
    }
});

/// One build and its properties; whether it produced a bundle.
fn build(file: &Arc<SourceFile>, env: Option<String>) -> bool {
    let opts = BuildOptions {
        env,
        targets: Target::ALL.to_vec(),
        templates: Templates::embedded(),
    };
    match pipeline::compile_source(file.clone(), &base(), &opts) {
        Ok(first) => {
            assert_diagnostics(&file.text, &first.warnings);
            assert_bundle(&first.bundle);
            let again = pipeline::compile_source(file.clone(), &base(), &opts)
                .unwrap_or_else(|_| panic!("the second build of the same input failed"));
            assert!(
                files(&first.bundle) == files(&again.bundle),
                "two builds of the same input differ"
            );
            assert_services_apart(&first.app, &first.bundle.artifacts, &opts);
            true
        }
        Err(BuildError::Findings(file, diags)) => {
            assert_diagnostics(&file.text, &diags);
            render_all(file, diags);
            false
        }
        Err(BuildError::Usage(_)) => false,
        Err(e @ (BuildError::Emit(_) | BuildError::Io(_))) => {
            panic!("a checked description must build with the embedded templates: {e:?}")
        }
    }
}
