//! Names and paths that try to leave their directory: service names, config
//! files, build contexts and templates, by `..`, absolute paths and links; and
//! links in the output directory.

use super::*;

#[test]
fn service_name_that_climbs_out() {
    let dir = tempdir();
    write(
        dir.path(),
        "meshc.yaml",
        "app: shop\nservices:\n  ../../etc/passwd: { image: nginx }\n",
    );
    assert_refused(
        "service `../../etc/passwd`",
        dir.path(),
        "meshc.yaml",
        findings("M006", "`../../etc/passwd` is not a valid service name"),
    );
    for name in ["/etc/passwd", "..", "a/b", "a\\\\b"] {
        write(
            dir.path(),
            "meshc.yaml",
            format!("app: shop\nservices:\n  \"{name}\": {{ image: nginx }}\n"),
        );
        assert_refused(
            &format!("service `{name}`"),
            dir.path(),
            "meshc.yaml",
            findings("M006", "is not a valid service name"),
        );
    }
    write(
        dir.path(),
        "meshc.yaml",
        "app: ../../etc\nservices:\n  web: { image: nginx }\n",
    );
    assert_refused(
        "app `../../etc`",
        dir.path(),
        "meshc.yaml",
        findings("M006", "is not a valid app name"),
    );
}

/// Config files and build contexts stay inside the description's directory.
#[test]
fn paths_that_climb_out() {
    let dir = tempdir();
    let app = dir.path().join("app");
    write(&app, "web/index.js", "");
    write(dir.path(), "secret.txt", "outside");
    let cases = [
        (
            "config /etc/passwd",
            "config: { passwd: /etc/passwd }",
            "config file `/etc/passwd` is outside the description's directory",
        ),
        (
            "config ../../etc/passwd",
            "config: { passwd: ../../etc/passwd }",
            "config file `../../etc/passwd` is outside",
        ),
        (
            "config ./web/../../secret.txt",
            "config: { s: ./web/../../secret.txt }",
            "is outside the description's directory",
        ),
        (
            "config ../secret.txt",
            "config: { s: ../secret.txt }",
            "config file `../secret.txt` is outside",
        ),
        (
            "build.context /",
            "build: { runtime: node, context: / }",
            "build context `/` is outside",
        ),
        (
            "build.context ..",
            "build: { runtime: node, context: .. }",
            "build context `..` is outside",
        ),
        (
            "build.context ./web/../..",
            "build: { runtime: node, context: ./web/../.. }",
            "is outside the description's directory",
        ),
    ];
    for (case, field, message) in cases {
        let image = if field.starts_with("build") {
            ""
        } else {
            "image: nginx, "
        };
        write(
            &app,
            "meshc.yaml",
            format!("app: shop\nservices:\n  web: {{ {image}{field} }}\n"),
        );
        assert_refused(case, &app, "meshc.yaml", findings("M405", message));
    }
}

/// A link inside the description's directory that points outside it is as
/// much an escape as `..`.
#[test]
fn symlinked_config_and_context_pointing_outside() {
    let dir = tempdir();
    let app = dir.path().join("app");
    write(&app, "web/index.js", "");
    write(dir.path(), "outside/secret.txt", "outside");
    std::os::unix::fs::symlink(
        dir.path().join("outside/secret.txt"),
        app.join("settings.json"),
    )
    .unwrap();
    std::os::unix::fs::symlink("/etc/passwd", app.join("passwd")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("outside"), app.join("ctx")).unwrap();
    std::os::unix::fs::symlink("../../outside", app.join("web/up")).unwrap();
    let cases = [
        (
            "config -> ../outside/secret.txt",
            "image: nginx, config: { s.json: ./settings.json }",
            "config file `./settings.json` leads outside the description's directory through a link",
        ),
        (
            "config -> /etc/passwd",
            "image: nginx, config: { passwd: passwd }",
            "config file `passwd` leads outside",
        ),
        (
            "config through a linked dir",
            "image: nginx, config: { s: ./web/up/secret.txt }",
            "leads outside the description's directory through a link",
        ),
        (
            "build.context -> ../outside",
            "build: { runtime: node, context: ./ctx }",
            "build context `./ctx` leads outside",
        ),
    ];
    for (case, fields, message) in cases {
        write(
            &app,
            "meshc.yaml",
            format!("app: shop\nservices:\n  web: {{ {fields} }}\n"),
        );
        assert_refused(case, &app, "meshc.yaml", findings("M405", message));
    }
}

/// `--templates DIR` often names a directory in the repository, which a pull
/// request can fill: a link in it must not bring a file from elsewhere on
/// the machine into the bundle, and a link to a device must not be read
/// forever. Files that are not templates are not opened at all.
#[test]
fn template_links_that_leave_the_directory() {
    let dir = tempdir();
    write(dir.path(), "web/package.json", "{}\n");
    write(
        dir.path(),
        "meshc.yaml",
        "app: shop\nservices:\n  web: { build: { runtime: node, context: ./web, command: [node, a.js] }, ports: { http: 80 } }\n",
    );
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::os::unix::fs::symlink("/dev/zero", templates.join("notes.bin")).unwrap();
    let run = meshc(
        "templates: link to /dev/zero, not a template",
        dir.path(),
        &[
            "build",
            "meshc.yaml",
            "-o",
            "out",
            "--templates",
            "templates",
            "--quiet",
        ],
    );
    assert_eq!(run.exit, 0, "{}", run.stderr);

    for (name, target) in [
        ("node.Dockerfile.hbs", "/etc/hostname"),
        ("docker/node.Dockerfile.hbs", "/dev/zero"),
    ] {
        let link = templates.join(name);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, &link).unwrap();
        let before = listing(dir.path());
        let run = meshc(
            &format!("templates: {name} -> {target}"),
            dir.path(),
            &[
                "build",
                "meshc.yaml",
                "-o",
                "out2",
                "--templates",
                "templates",
            ],
        );
        assert_eq!(run.exit, 2, "{}", run.stderr);
        assert_eq!(
            run.stderr,
            format!(
                "error: cannot read templates from `templates`: `{name}` is a link to outside the directory\n"
            )
        );
        assert_eq!(listing(dir.path()), before);
        std::fs::remove_file(&link).unwrap();
    }
}

/// A bundle of two services in `dir`, built once into `dir/out`.
fn built(dir: &Path) {
    write(
        dir,
        "meshc.yaml",
        "app: shop\nservices:\n  web: { image: nginx:1.27, ports: { http: 80 } }\n  api: { image: nginx:1.27, ports: { http: 80 } }\n",
    );
    let run = meshc(
        "links: first build",
        dir,
        &["build", "meshc.yaml", "-o", "out", "--quiet"],
    );
    assert_eq!(run.exit, 0, "{}", run.stderr);
}

/// OUT/kubernetes replaced by a link to a directory elsewhere: the build
/// must not write through it.
#[test]
fn a_linked_subdirectory_of_out_is_not_written_through() {
    let dir = tempdir();
    let elsewhere = tempdir();
    write(elsewhere.path(), "precious.txt", "do not touch\n");
    built(dir.path());
    let out = dir.path().join("out");
    std::fs::remove_dir_all(out.join("kubernetes")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), out.join("kubernetes")).unwrap();
    let theirs = listing(elsewhere.path());
    let ours = listing(&out);
    let run = meshc(
        "OUT/kubernetes -> elsewhere",
        dir.path(),
        &["build", "meshc.yaml", "-o", "out"],
    );
    assert_eq!(
        listing(elsewhere.path()),
        theirs,
        "meshc wrote through the link"
    );
    assert_eq!(
        std::fs::read_to_string(elsewhere.path().join("precious.txt")).unwrap(),
        "do not touch\n"
    );
    assert_eq!(run.exit, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`out/kubernetes`"), "{}", run.stderr);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(listing(&out), ours);
}

/// A file meshc wrote, replaced by a link to a file elsewhere: the build
/// replaces the link and leaves the target alone.
#[test]
fn a_linked_file_in_out_is_replaced_not_followed() {
    let dir = tempdir();
    let elsewhere = tempdir();
    write(elsewhere.path(), "victim.yaml", "do not touch\n");
    built(dir.path());
    let target = dir.path().join("out/kubernetes/web.yaml");
    std::fs::remove_file(&target).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("victim.yaml"), &target).unwrap();
    let run = meshc(
        "OUT file -> elsewhere",
        dir.path(),
        &["build", "meshc.yaml", "-o", "out", "--quiet"],
    );
    assert_eq!(run.exit, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(elsewhere.path().join("victim.yaml")).unwrap(),
        "do not touch\n"
    );
    assert!(
        !std::fs::symlink_metadata(&target)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// A link of the user's own in OUT is kept as a link and never followed.
#[test]
fn a_foreign_link_in_out_is_kept_not_followed() {
    let dir = tempdir();
    let elsewhere = tempdir();
    write(elsewhere.path(), "notes.txt", "mine\n");
    built(dir.path());
    let link = dir.path().join("out/notes");
    std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
    let theirs = listing(elsewhere.path());
    let run = meshc(
        "foreign link in OUT",
        dir.path(),
        &["build", "meshc.yaml", "-o", "out", "--quiet"],
    );
    assert_eq!(run.exit, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_link(&link).unwrap(), elsewhere.path());
    assert_eq!(listing(elsewhere.path()), theirs);
}

/// OUT itself a link: refused, and nothing is written where it points.
#[test]
fn out_itself_a_link_is_refused() {
    let dir = tempdir();
    let elsewhere = tempdir();
    write(dir.path(), "meshc.yaml", VALID);
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("out")).unwrap();
    let run = meshc(
        "OUT -> elsewhere",
        dir.path(),
        &["build", "meshc.yaml", "-o", "out"],
    );
    assert_eq!(run.exit, 2, "{}", run.stderr);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(listing(elsewhere.path()), BTreeMap::new());
}
