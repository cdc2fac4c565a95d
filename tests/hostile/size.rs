//! Size and shape: input over and just under the limit, long strings, deep
//! nesting, alias bombs and a hundred thousand services.

use super::*;

/// A syntactically valid description of `size` bytes: services with a
/// long environment value each.
fn dense(size: usize) -> String {
    let mut text = String::with_capacity(size + 300);
    text.push_str("app: big\nservices:\n");
    let mut i = 0;
    while text.len() < size {
        text.push_str(&format!(
            "  s{i}:\n    image: nginx:1.27\n    env: {{ A: \"{}\" }}\n",
            "x".repeat(200)
        ));
        i += 1;
    }
    text
}

/// 50 MB is over meshc's input limit (16 MiB): refused by its size, before a
/// byte is parsed.
#[test]
fn fifty_megabytes() {
    let dir = tempdir();
    write(dir.path(), "meshc.yaml", dense(50_000_000));
    assert_refused(
        "50 MB file",
        dir.path(),
        "meshc.yaml",
        findings(
            "M007",
            "the description is 50 MB; meshc reads at most 16 MB",
        ),
    );
}

/// Just under the input limit: dense values run into the parser's value
/// budget; comments and one long string have nothing for it to count and
/// are read whole. Each must still answer in time and memory.
#[test]
fn just_under_the_input_limit() {
    const SIZE: usize = 16_000_000;
    let dir = tempdir();
    write(dir.path(), "dense.yaml", dense(SIZE));
    assert_refused(
        "16 MB of values",
        dir.path(),
        "dense.yaml",
        findings(
            "M007",
            "the description is too large: it has 63790 services, more than the 10000 meshc builds at once",
        ),
    );
    let comments = format!("{VALID}{}", "# padding padding padding\n".repeat(SIZE / 26));
    write(dir.path(), "comments.yaml", comments);
    let run = meshc("16 MB of comments", dir.path(), &["check", "comments.yaml"]);
    assert_eq!(run.exit, 0, "{}{}", run.stdout, run.stderr);

    let string = format!("{VALID}label: \"{}\"\n", "x".repeat(SIZE));
    write(dir.path(), "string.yaml", string);
    assert_refused(
        "one 16 MB string",
        dir.path(),
        "string.yaml",
        findings("M002", "`label`"),
    );
}

/// Far over the limit: a sparse file, so the test costs no disk.
#[test]
fn larger_than_the_input_limit() {
    let dir = tempdir();
    let f = std::fs::File::create(dir.path().join("meshc.yaml")).unwrap();
    f.set_len(100_000_000).unwrap();
    assert_refused(
        "100 MB file (sparse)",
        dir.path(),
        "meshc.yaml",
        findings(
            "M007",
            "the description is 100 MB; meshc reads at most 16 MB",
        ),
    );
}

/// A description that is a link to a device or a named pipe would be read
/// forever (or block on open): refused before it is opened.
#[test]
fn a_device_or_a_pipe() {
    let dir = tempdir();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yaml")).unwrap();
    assert_refused(
        "link to /dev/zero",
        dir.path(),
        "zero.yaml",
        io_error(
            "cannot read `zero.yaml`: it is not a regular file (a device, a pipe or a socket)",
        ),
    );
    let fifo = Command::new("mkfifo")
        .arg(dir.path().join("pipe.yaml"))
        .status();
    if !fifo.is_ok_and(|s| s.success()) {
        println!("a named pipe: no mkfifo here, not tested");
        return;
    }
    assert_refused(
        "named pipe",
        dir.path(),
        "pipe.yaml",
        io_error(
            "cannot read `pipe.yaml`: it is not a regular file (a device, a pipe or a socket)",
        ),
    );
}

/// A config file is read no further than a ConfigMap could hold (1 MiB).
#[test]
fn a_config_file_larger_than_a_config_map() {
    let dir = tempdir();
    let f = std::fs::File::create(dir.path().join("huge.json")).unwrap();
    f.set_len(10_000_000_000).unwrap(); // 10 GB, sparse
    write(
        dir.path(),
        "meshc.yaml",
        "app: shop\nservices:\n  web: { image: nginx:1.27, config: { huge.json: ./huge.json } }\n",
    );
    let before = listing(dir.path());
    let run = meshc(
        "10 GB config file (sparse)",
        dir.path(),
        &["build", "meshc.yaml", "-o", "out"],
    );
    assert_eq!(run.exit, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "cannot read config file `./huge.json`: it is larger than 1 MiB, the most a ConfigMap holds"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("M403"), "{}", run.stderr);
    assert_eq!(listing(dir.path()), before);
}

/// A 1 MB string is refused where it cannot fit (a name, an image) and
/// accepted where it can (an environment value), in time either way.
#[test]
fn one_megabyte_string() {
    let dir = tempdir();
    let big = "a".repeat(1_000_000);
    // YAML caps implicit keys at 1024 characters: as a plain key it is a
    // syntax error, as an explicit key (`? name`) it reaches the name check.
    write(
        dir.path(),
        "name.yaml",
        format!("app: shop\nservices:\n  {big}: {{ image: nginx }}\n"),
    );
    assert_refused(
        "1 MB service name",
        dir.path(),
        "name.yaml",
        findings(
            "M001",
            "invalid YAML: mapping values are not allowed in this context",
        ),
    );
    write(
        dir.path(),
        "name.yaml",
        format!("app: shop\nservices:\n  ? {big}\n  : {{ image: nginx }}\n"),
    );
    assert_refused(
        "1 MB service name (`? key`)",
        dir.path(),
        "name.yaml",
        findings("M006", "is not a valid service name"),
    );
    write(
        dir.path(),
        "image.yaml",
        format!("app: shop\nservices:\n  web: {{ image: \"{big}:1\" }}\n"),
    );
    assert_refused(
        "1 MB image name",
        dir.path(),
        "image.yaml",
        findings("M406", "is not a valid image reference"),
    );
    write(
        dir.path(),
        "env.yaml",
        format!("app: shop\nservices:\n  web:\n    image: nginx\n    env: {{ BIG: \"{big}\" }}\n"),
    );
    let run = meshc("1 MB env value", dir.path(), &["check", "env.yaml"]);
    assert_eq!(run.exit, 0, "{}{}", run.stdout, run.stderr);
    let run = meshc(
        "1 MB env value",
        dir.path(),
        &["build", "env.yaml", "-o", "out", "--quiet"],
    );
    assert_eq!(run.exit, 0, "{}", run.stderr);
}

#[test]
fn ten_thousand_levels_of_yaml() {
    let dir = tempdir();
    let n = 10_000;
    let cases = [
        (
            "block sequences",
            format!("app: a\nservices:\n{}x\n", "- ".repeat(n)),
        ),
        (
            "flow sequences",
            format!("app: a\nservices: {}{}\n", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "flow maps",
            format!("app: a\nservices: {}1{}\n", "{a: ".repeat(n), "}".repeat(n)),
        ),
        // Unclosed: the parser must not recurse into the missing end.
        (
            "unclosed flow",
            format!("app: a\nservices: {}\n", "[{a: ".repeat(n)),
        ),
    ];
    for (what, text) in cases {
        write(dir.path(), "meshc.yaml", text);
        assert_refused(
            &format!("10,000 levels, YAML {what}"),
            dir.path(),
            "meshc.yaml",
            findings("M007", "the description is nested more than 64 levels deep"),
        );
    }
}

/// The `kdl` crate parses recursively and overflows the main thread's
/// stack at 10,000 levels: the front end must refuse before handing it over.
#[test]
fn ten_thousand_levels_of_kdl() {
    let dir = tempdir();
    let n = 10_000;
    let cases = [
        (
            "children",
            format!(
                "app \"a\"\nservice \"web\" {}{}\n",
                "a {\n".repeat(n),
                "}\n".repeat(n)
            ),
        ),
        (
            "unclosed children",
            format!("app \"a\"\n{}\n", "a {".repeat(n)),
        ),
    ];
    for (what, text) in cases {
        write(dir.path(), "meshc.kdl", text);
        assert_refused(
            &format!("10,000 levels, KDL {what}"),
            dir.path(),
            "meshc.kdl",
            findings("M007", "nested more than 64 levels deep"),
        );
    }
}

/// "Billion laughs": nine anchors, each a list of nine aliases of the one
/// before: a few hundred bytes that expand to 9⁹ strings.
#[test]
fn yaml_alias_bomb() {
    let dir = tempdir();
    let mut text =
        String::from("app: lol\nx-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..9 {
        text.push_str(&format!(
            "x-{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    text.push_str("services: { web: { image: nginx, env: { LOL: *a8 } } }\n");
    write(dir.path(), "meshc.yaml", text);
    assert_refused(
        "YAML alias bomb",
        dir.path(),
        "meshc.yaml",
        findings(
            "M007",
            "the description expands YAML aliases (`*name`) into more than meshc reads",
        ),
    );
}

/// 100,000 services is far beyond any real application; meshc must either
/// build it or refuse it cleanly, in time and under the memory limit.
#[test]
fn a_hundred_thousand_services() {
    let dir = tempdir();
    let mut text = String::from("app: many\nservices:\n");
    for i in 0..100_000 {
        text.push_str(&format!("  s{i}: {{ image: nginx:1.27 }}\n"));
    }
    write(dir.path(), "meshc.yaml", &text);
    let before = listing(dir.path());
    let check = meshc(
        "100,000 services",
        dir.path(),
        &["check", "--format", "json", "meshc.yaml"],
    );
    let build = meshc(
        "100,000 services",
        dir.path(),
        &["build", "meshc.yaml", "-o", "out", "--quiet"],
    );
    match check.exit {
        0 => assert_eq!(build.exit, 0, "{}", build.stderr),
        1 => {
            assert_eq!(
                diagnostics(&check),
                [(
                    "M007".to_string(),
                    "the description is too large: it has 100000 services, more than the 10000 meshc builds at once".to_string()
                )]
            );
            assert_eq!(build.exit, 1, "{}", build.stderr);
            assert_eq!(
                listing(dir.path()),
                before,
                "a refused build wrote something"
            );
        }
        other => panic!("exit {other}: {}{}", check.stdout, check.stderr),
    }
}

/// 10,000 services, each calling a misspelt name: every call is reported,
/// and "did you mean" (which compares a name with every service) stops
/// suggesting once its budget is spent instead of comparing every pair
/// (this took 15 s in a release build before the budget).
#[test]
fn ten_thousand_misspelt_callees() {
    let dir = tempdir();
    let n = 10_000;
    let mut text = String::from("app: typos\nservices:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  svc-{i:05}:\n    image: r.example.com/s:1.0.0\n    ports: {{ http: 8080 }}\n    calls: [svx-{:05}]\n",
            (i + 1) % n
        ));
    }
    write(dir.path(), "meshc.yaml", text);
    let run = meshc(
        "10,000 misspelt callees",
        dir.path(),
        &["check", "meshc.yaml", "--format", "json"],
    );
    assert_eq!(run.exit, 1, "{}", run.stderr);
    let items: Vec<Json> = serde_json::from_str(&run.stdout).expect("JSON");
    let unknown: Vec<&Json> = items.iter().filter(|d| d["code"] == "M101").collect();
    assert_eq!(unknown.len(), n);
    let help = |d: &Json| d["help"].as_str().unwrap_or_default().to_string();
    assert!(
        help(unknown[0]).contains("svc-00001"),
        "{}",
        help(unknown[0])
    );
    assert_eq!(
        help(unknown[n - 1]),
        "call only services defined under `services`"
    );
}
