//! What every generated Dockerfile has: stages, pins, user, ports, health check, command.

use super::*;

#[test]
fn one_dockerfile_and_ignore_file_per_built_workload() {
    let mut a = every_runtime();
    let mut image_only = service("redis", Runtime::Go, &[], tcp(6379));
    image_only.workloads[0].build = None;
    a.services.push(image_only);
    let out = emit(&a, &Templates::default(), crate::emit::ALL).unwrap();
    let paths: Vec<&str> = out.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(paths.len(), 2 * 13);
    assert_eq!(
        paths[..2],
        [
            "docker/web/Dockerfile",
            "docker/web/Dockerfile.dockerignore"
        ]
    );
    assert!(!paths.iter().any(|p| p.contains("redis")));
    assert!(out.iter().all(|a| a.resources.is_empty()));
}

#[test]
fn output_is_deterministic() {
    let a = every_runtime();
    assert_eq!(
        emit(&a, &Templates::default(), crate::emit::ALL),
        emit(&a, &Templates::embedded(), crate::emit::ALL)
    );
    assert_eq!(
        emit(&a, &Templates::default(), crate::emit::ALL),
        emit(&a, &Templates::default(), crate::emit::ALL)
    );
}

#[test]
fn dockerfiles_are_multi_stage_pinned_non_root_and_health_checked() {
    let a = every_runtime();
    let out = emit(&a, &Templates::default(), crate::emit::ALL).unwrap();
    for svc in &a.services {
        let text = dockerfile(&out, &svc.name);
        let ins = instructions(text);
        let froms: Vec<&str> = ins
            .iter()
            .filter(|(k, _)| k == "FROM")
            .map(|(_, a)| a.as_str())
            .collect();
        assert!(froms.len() >= 2, "{}: not multi-stage", svc.name);
        for from in &froms {
            let image = from.split_whitespace().next().unwrap();
            let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or("");
            assert!(
                !tag.is_empty() && tag != "latest" && !tag.contains('/'),
                "{}: {image}",
                svc.name
            );
        }
        let build = svc.workloads[0].build.as_ref().unwrap();
        assert_eq!(froms.last().unwrap(), &default_base(build.runtime));
        assert!(!ins.iter().any(|(k, _)| k == "ADD"), "{}", svc.name);
        assert_eq!(last(&ins, "USER"), "10001:10001", "{}", svc.name);
        let workdir = last(&ins, "WORKDIR");
        assert!(workdir.starts_with('/'), "{}", svc.name);
        for (k, args) in &ins {
            if k == "COPY" && args.contains("--from=") {
                assert!(
                    args.contains("--chown=10001:10001"),
                    "{}: COPY {args}",
                    svc.name
                );
            }
        }
        let exposed: Vec<&str> = ins
            .iter()
            .filter(|(k, _)| k == "EXPOSE")
            .map(|(_, a)| a.as_str())
            .collect();
        let mut declared: Vec<String> = svc
            .ports
            .iter()
            .map(|p| format!("{}/tcp", p.number))
            .collect();
        if declared.is_empty() && build.runtime == Runtime::Static {
            declared.push("8080/tcp".into());
        }
        assert_eq!(exposed, declared, "{}", svc.name);
        let health = last(&ins, "HEALTHCHECK");
        assert!(!health.trim().eq_ignore_ascii_case("NONE"));
        assert!(!exec_form(health).is_empty(), "{}", svc.name);
        let cmd = ins.iter().filter(|(k, _)| k == "CMD").collect::<Vec<_>>();
        if build.command.is_empty() {
            assert!(
                build.runtime == Runtime::Static || cmd.is_empty(),
                "{}",
                svc.name
            );
        } else {
            assert_eq!(cmd.len(), 1);
            assert_eq!(exec_form(&cmd[0].1), build.command, "{}", svc.name);
        }
        assert!(
            !ins.iter().any(|(k, _)| k == "ENTRYPOINT"),
            "{}: keep the base image's",
            svc.name
        );
    }
}

#[test]
fn health_checks_follow_the_declared_probe() {
    let out = emit(&every_runtime(), &Templates::default(), crate::emit::ALL).unwrap();
    let health = |name: &str| exec_form(last(&instructions(dockerfile(&out, name)), "HEALTHCHECK"));
    assert_eq!(
        health("page").last().unwrap(),
        "http://127.0.0.1:9080/health"
    );
    assert_eq!(health("api")[1..], ["http", "http://127.0.0.1:8080/ready"]);
    assert_eq!(health("edge")[1..], ["tcp", "127.0.0.1:9000"]);
    assert_eq!(
        health("cart")[..2],
        ["/usr/local/bin/grpc-health-probe", "-addr=127.0.0.1:7070"]
    );
    assert_eq!(health("ad")[0], "/usr/local/bin/grpc-health-probe");
    assert_eq!(health("orders")[0], "curl");
    assert_eq!(health("site").last().unwrap(), "http://127.0.0.1:8080/");
    // Nothing declared: the runtime itself (there is no port to probe).
    assert_eq!(health("worker"), ["python", "-c", "pass"]);
    // A port but no check: TCP on the first port.
    let mut a = app(vec![service("w", Runtime::Node, &["node", "w.js"], None)]);
    a.services[0].ports = vec![
        port("http", 3000, Protocol::Http),
        port("admin", 3001, Protocol::Http),
    ];
    let out = emit(&a, &Templates::default(), crate::emit::ALL).unwrap();
    assert_eq!(health_of(&out).last().unwrap(), "3000");
}

fn health_of(out: &[Artifact]) -> Vec<String> {
    exec_form(last(&instructions(text(&out[0])), "HEALTHCHECK"))
}

#[test]
fn the_probe_stage_is_only_added_where_needed() {
    let out = emit(&every_runtime(), &Templates::default(), crate::emit::ALL).unwrap();
    let stages = |name: &str| {
        instructions(dockerfile(&out, name))
            .iter()
            .filter(|(k, _)| k == "FROM")
            .count()
    };
    assert_eq!(
        stages("page"),
        2,
        "python with an HTTP check uses python itself"
    );
    assert_eq!(stages("email"), 3, "gRPC needs grpc-health-probe");
    assert_eq!(stages("api"), 3, "distroless has nothing to probe with");
    assert_eq!(stages("site"), 2);
}

#[test]
fn base_replaces_the_runtime_stage_only() {
    let mut a = app(vec![service(
        "page",
        Runtime::Python,
        &["python", "app.py"],
        http(80, "/"),
    )]);
    a.services[0].workloads[0]
        .build
        .as_mut()
        .unwrap()
        .images
        .runtime = "registry.example.com/python:3.12.7-hardened".into();
    let out = emit(&a, &Templates::default(), crate::emit::ALL).unwrap();
    let ins = instructions(text(&out[0]));
    let froms: Vec<&str> = ins
        .iter()
        .filter(|(k, _)| k == "FROM")
        .map(|(_, a)| a.as_str())
        .collect();
    assert_eq!(
        froms,
        [
            "python:3.12.7-bookworm AS build",
            "registry.example.com/python:3.12.7-hardened"
        ]
    );
}

#[test]
fn every_runtime_has_pinned_images() {
    for (_, runtime) in Runtime::ALL {
        for image in [default_base(runtime), toolchain(runtime)] {
            let (_, tag) = image.rsplit_once(':').unwrap();
            assert!(!tag.is_empty() && tag != "latest", "{image}");
        }
    }
}
