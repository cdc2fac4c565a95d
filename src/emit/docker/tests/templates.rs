//! Overrides, strict mode and the embedded set.

use super::*;

#[test]
fn templates_override_by_name() {
    let mine =
        "FROM {{images.runtime}}\nUSER {{uid}}\nHEALTHCHECK CMD [\"true\"]\nCMD {{json command}}\n";
    let a = app(vec![service(
        "page",
        Runtime::Python,
        &["python", "app.py"],
        None,
    )]);
    for key in ["python.Dockerfile.hbs", "docker/python.Dockerfile.hbs"] {
        let files = BTreeMap::from([
            (key.to_string(), mine.to_string()),
            ("README.md".into(), "notes".into()),
        ]);
        for templates in [
            Templates::with_overrides(files.clone()),
            Templates { files },
        ] {
            let out = emit(&a, &templates, crate::emit::ALL).unwrap();
            assert_eq!(
                text(&out[0]),
                "FROM python:3.12.7-slim-bookworm\nUSER 10001\nHEALTHCHECK CMD [\"true\"]\nCMD [\"python\", \"app.py\"]\n"
            );
            assert!(
                text(&out[1]).contains("**/__pycache__"),
                "the ignore template is still the built-in one"
            );
        }
    }
}

#[test]
fn an_unknown_template_name_is_an_error() {
    let files = BTreeMap::from([("pyhton.Dockerfile.hbs".to_string(), "FROM x".to_string())]);
    let e = emit(
        &every_runtime(),
        &Templates::with_overrides(files),
        crate::emit::ALL,
    )
    .unwrap_err();
    assert_eq!(e.target, Target::Docker);
    assert!(
        e.message.starts_with(
            "unknown template `pyhton.Dockerfile.hbs`; the templates are node.Dockerfile.hbs, "
        ),
        "{}",
        e.message
    );
}

#[test]
fn a_missing_variable_names_the_template_and_the_service() {
    let a = app(vec![service(
        "page",
        Runtime::Python,
        &["python", "app.py"],
        None,
    )]);
    let files = BTreeMap::from([(
        "python.Dockerfile.hbs".to_string(),
        "FROM {{images.runtime}}\nUSER {{user}}\n".to_string(),
    )]);
    let e = emit(&a, &Templates::with_overrides(files), crate::emit::ALL).unwrap_err();
    assert!(
        e.message.starts_with(
            "template `python.Dockerfile.hbs` line 2 failed for workload `page` of service `page`:"
        ),
        "{}",
        e.message
    );
    assert!(
        e.message.ends_with(": `user` is not a variable; the variables are app, service, name, runtime, context, dockerfile, image, images.build, images.runtime, images.probe, images.grpc_health_probe, command, ports, health.http, health.tcp, health.grpc, health.exec, health.none, health.declared, health.port, health.addr, health.url, uid"),
        "{}",
        e.message
    );
    // In a partial too.
    let files = BTreeMap::from([("header.hbs".to_string(), "# {{nope}}\n".to_string())]);
    let e = emit(&a, &Templates::with_overrides(files), crate::emit::ALL).unwrap_err();
    assert!(
        e.message.contains("(in `header.hbs`)") && e.message.contains("`page`"),
        "{}",
        e.message
    );
}

#[test]
fn a_template_that_does_not_parse_is_an_error() {
    let files = BTreeMap::from([(
        "go.Dockerfile.hbs".to_string(),
        "FROM {{#if x}}\n".to_string(),
    )]);
    let e = emit(
        &every_runtime(),
        &Templates::with_overrides(files),
        crate::emit::ALL,
    )
    .unwrap_err();
    assert!(
        e.message
            .starts_with("template `go.Dockerfile.hbs` does not parse:"),
        "{}",
        e.message
    );
}

#[test]
fn the_embedded_list_matches_the_templates_directory() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/docker");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = Templates::embedded().files.into_keys().collect();
    assert_eq!(embedded, on_disk);
    for (_, runtime) in Runtime::ALL {
        assert!(embedded.contains(&format!("{}.Dockerfile.hbs", runtime.as_str())));
    }
}
