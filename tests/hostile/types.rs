//! Duplicate keys at every level, and numbers where strings belong and back.

use super::*;

#[test]
fn duplicate_keys_at_every_level() {
    let dir = tempdir();
    let base = "app: shop\nservices:\n  web:\n    image: nginx\n    ports: { http: 80 }\n";
    let versioned = "app: shop\nservices:\n  web:\n    ports: { http: 80 }\n    versions:\n      v1: { image: a }\n      v2: { image: b }\n";
    let cases = [
        (
            "top level",
            format!("app: other\n{base}"),
            "`app` is defined twice in `description`",
        ),
        (
            "services",
            format!("{base}  web: {{ image: x }}\n"),
            "`web` is defined twice in `services`",
        ),
        (
            "a service",
            format!("{base}    image: nginx2\n"),
            "`image` is defined twice in `service`",
        ),
        (
            "ports",
            base.replace("{ http: 80 }", "{ http: 80, http: 81 }"),
            "`http` is defined twice in `ports`",
        ),
        (
            "env",
            format!("{base}    env: {{ A: \"1\", A: \"2\" }}\n"),
            "`A` is defined twice in `env`",
        ),
        (
            "versions",
            format!("{versioned}      v1: {{ image: c }}\n"),
            "`v1` is defined twice in `versions`",
        ),
        (
            "traffic split",
            format!("{versioned}    traffic: {{ split: {{ v1: 50, v1: 50 }} }}\n"),
            "`v1` is defined twice in `split`",
        ),
        (
            "environments",
            format!("{base}environments:\n  prod: {{}}\n  prod: {{}}\n"),
            "`prod` is defined twice in `environments`",
        ),
    ];
    for (level, text, message) in cases {
        write(dir.path(), "meshc.yaml", text);
        assert_refused(
            &format!("duplicate key: {level}"),
            dir.path(),
            "meshc.yaml",
            findings("M004", message),
        );
    }
}

#[test]
fn numbers_for_strings_and_strings_for_numbers() {
    let dir = tempdir();
    let cases = [
        (
            "replicas: \"two\"",
            "image: nginx, replicas: \"two\"",
            "expected a whole number for `replicas`, found a string",
        ),
        (
            "replicas: \"2\"",
            "image: nginx, replicas: \"2\"",
            "expected a whole number for `replicas`, found a string",
        ),
        (
            "port: 9080.5",
            "image: nginx, ports: { http: 9080.5 }",
            "expected a whole number for a port, found a decimal number",
        ),
        (
            "image: 123",
            "image: 123",
            "expected a string for `image`, found an integer",
        ),
        (
            "image: true",
            "image: true",
            "expected a string for `image`, found a boolean",
        ),
        ("ports: a list", "image: nginx, ports: [80]", "found a list"),
    ];
    for (case, fields, message) in cases {
        write(
            dir.path(),
            "meshc.yaml",
            format!("app: shop\nservices:\n  web: {{ {fields} }}\n"),
        );
        assert_refused(
            &format!("wrong type: {case}"),
            dir.path(),
            "meshc.yaml",
            findings("M003", message),
        );
    }
}
