//! `meshc pin` against a real registry (Debian's `docker-registry`) and
//! against a hostile one (a TcpListener that lies, stalls and loops): exit
//! status, messages and the lock's bytes together.

#[path = "support/fake_registry.rs"]
mod fake;
#[path = "support/pin_project.rs"]
mod project;
#[path = "support/registry.rs"]
mod registry;

use fake::{Reply, reply};
use project::{Project, failed, succeeded};
use registry::Registry;
use std::path::Path;
use std::time::{Duration, Instant};

#[test]
fn a_tag_resolves_to_the_digest_the_registry_reports() {
    let reg = Registry::start();
    let digest = reg.push_image("team/app", "v1", "one");
    let image = format!("{}/team/app:v1", reg.addr);
    let p = Project::new(&[&image], "");
    let out = succeeded(&p.pin(&[]));
    assert_eq!(out, "pinned 1 image, 0 already locked\n");
    assert_eq!(p.digest(&image), Some(digest.clone()));
    assert!(
        p.lock().ends_with(&format!("\n{image} {digest}\n")),
        "{}",
        p.lock()
    );
    assert_eq!(
        meshc::pin::pinned(&image, &digest),
        format!("{image}@{digest}")
    );
}

#[test]
fn a_multi_platform_image_pins_the_index_digest() {
    let reg = Registry::start();
    let index = reg.push_index("multi", "1.0", "m");
    let image = format!("{}/multi:1.0", reg.addr);
    let p = Project::new(&[&image], "");
    succeeded(&p.pin(&[]));
    assert_eq!(p.digest(&image), Some(index));
}

#[test]
fn the_lock_is_sorted_and_the_same_bytes_every_time() {
    let reg = Registry::start();
    for repo in ["c", "a", "b"] {
        reg.push_image(repo, "t", repo);
    }
    let images: Vec<String> = ["c", "a", "b"]
        .iter()
        .map(|r| format!("{}/{r}:t", reg.addr))
        .collect();
    // One image only in an environment overlay, one only in a version.
    reg.push_image("envonly", "t", "e");
    reg.push_image("canary", "t", "k");
    let extra = format!(
        "  sv:\n    ports: {{ http: 8080 }}\n    versions:\n      v1: {{ image: {0}/canary:t }}\nenvironments:\n  prod:\n    services:\n      s0: {{ image: {0}/envonly:t }}\n",
        reg.addr
    );
    let refs: Vec<&str> = images.iter().map(String::as_str).collect();
    let p = Project::new(&refs, &extra);
    assert_eq!(
        succeeded(&p.pin(&[])),
        "pinned 5 images, 0 already locked\n"
    );
    let first = p.lock();
    let lines: Vec<&str> = first
        .lines()
        .skip(1)
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    assert_eq!(lines.len(), 5, "{first}");
    std::fs::remove_file(p.lock_path()).unwrap();
    succeeded(&p.pin(&[]));
    assert_eq!(p.lock(), first);
    // Nothing to ask: the file is not rewritten.
    assert_eq!(
        succeeded(&p.pin(&[])),
        "pinned 0 images, 5 already locked\n"
    );
    assert_eq!(p.lock(), first);
}

#[test]
fn locked_entries_are_kept_until_update_asks_again() {
    let reg = Registry::start();
    let old_app = reg.push_image("app", "v1", "old");
    let old_db = reg.push_image("db", "v1", "old");
    let app = format!("{}/app:v1", reg.addr);
    let db = format!("{}/db:v1", reg.addr);
    let p = Project::new(&[&app, &db], "");
    succeeded(&p.pin(&[]));
    let new_app = reg.push_image("app", "v1", "new");
    let new_db = reg.push_image("db", "v1", "new");
    assert_ne!(old_app, new_app);

    assert_eq!(
        succeeded(&p.pin(&[])),
        "pinned 0 images, 2 already locked\n"
    );
    assert_eq!(p.digest(&app), Some(old_app));

    // Only the image named (here by name without the tag) is asked again.
    let name = format!("{}/app", reg.addr);
    assert_eq!(
        succeeded(&p.pin(&["--update", &name])),
        "pinned 1 image, 1 already locked, 1 changed\n"
    );
    assert_eq!(p.digest(&app), Some(new_app));
    assert_eq!(p.digest(&db), Some(old_db));

    assert_eq!(
        succeeded(&p.pin(&["--update"])),
        "pinned 2 images, 0 already locked, 1 changed\n"
    );
    assert_eq!(p.digest(&db), Some(new_db));

    let err = failed(&p.pin(&["--update", "nginx"]));
    assert!(err.contains("names no image `nginx`"), "{err}");
}

#[test]
fn an_unknown_tag_names_the_image_and_registry_and_leaves_the_lock() {
    let reg = Registry::start();
    reg.push_image("app", "v1", "x");
    let good = format!("{}/app:v1", reg.addr);
    let p = Project::new(&[&good], "");
    succeeded(&p.pin(&[]));
    let before = std::fs::read(p.lock_path()).unwrap();
    let bad = format!("{}/app:v9", reg.addr);
    let p2 = Project::new(&[&good, &bad], "");
    std::fs::write(p2.lock_path(), &before).unwrap();
    let err = failed(&p2.pin(&["--update"]));
    assert!(
        err.contains(&format!(
            "cannot pin `{bad}`: registry `{}` has no tag `v9` in repository `app`",
            reg.addr
        )),
        "{err}"
    );
    assert!(err.contains("was left as it was"), "{err}");
    assert_eq!(std::fs::read(p2.lock_path()).unwrap(), before);
}

#[test]
fn basic_auth_reads_the_docker_config() {
    let reg = Registry::with_basic_auth("ci", "s3cret");
    let digest = reg.push_image("private/app", "v1", "p");
    let image = format!("{}/private/app:v1", reg.addr);
    let p = Project::new(&[&image], "");
    let auth = registry::meshc_base64(b"ci:s3cret");
    p.docker_config(&format!(
        r#"{{"auths": {{"http://{}": {{"auth": "{auth}"}}}}}}"#,
        reg.addr
    ));
    succeeded(&p.pin(&[]));
    assert_eq!(p.digest(&image), Some(digest));
}

#[test]
fn a_credential_helper_is_asked_for_the_registry() {
    let reg = Registry::with_basic_auth("ci", "helper-pass");
    let digest = reg.push_image("app", "v1", "h");
    let image = format!("{}/app:v1", reg.addr);
    let p = Project::new(&[&image], "");
    let bin = p.docker.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let helper = bin.join("docker-credential-meshctest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread server\n[ \"$server\" = \"{}\" ] || {{ echo 'credentials not found'; exit 1; }}\necho '{{\"Username\":\"ci\",\"Secret\":\"helper-pass\"}}'\n",
            reg.addr
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.docker_config(&format!(
        r#"{{"credHelpers": {{"{}": "meshctest"}}}}"#,
        reg.addr
    ));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    succeeded(&p.pin_with(&[], &[("PATH", &path)]));
    assert_eq!(p.digest(&image), Some(digest));
}

#[test]
fn unauthorized_names_the_credential_sources_tried() {
    let reg = Registry::with_basic_auth("ci", "s3cret");
    reg.push_image("app", "v1", "u");
    let image = format!("{}/app:v1", reg.addr);
    let p = Project::new(&[&image], "");
    let err = failed(&p.pin(&[]));
    let config = p.docker.path().join("config.json");
    assert!(
        err.contains(&format!(
            "registry `{}` answered 401 Unauthorized",
            reg.addr
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("`{}` (not found)", config.display())),
        "{err}"
    );
    assert!(err.contains(&format!("docker login {}", reg.addr)), "{err}");
    assert!(!p.lock_path().exists());

    // Wrong credentials: refused, and the source is named.
    let auth = registry::meshc_base64(b"ci:wrong");
    p.docker_config(&format!(
        r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#,
        reg.addr
    ));
    let err = failed(&p.pin(&[]));
    assert!(err.contains("refused the credentials"), "{err}");
    assert!(
        err.contains(&format!("`auths` of `{}`", config.display())),
        "{err}"
    );
}

/// Docker Hub's protocol: 401 with a Bearer challenge, a token from the
/// realm for the repository's pull scope, then the manifest with the token.
#[test]
fn a_bearer_challenge_is_answered_with_a_token() {
    let digest = format!("sha256:{}", "d".repeat(64));
    let d = digest.clone();
    let realm: std::sync::Arc<std::sync::OnceLock<String>> = Default::default();
    let r = realm.clone();
    let hub = fake::serve(move |req| {
        if req.target.starts_with("/token?") {
            return reply(200, &[], br#"{"token":"tok123","expires_in":300}"#);
        }
        if req.header("authorization") == Some("Bearer tok123") {
            return reply(200, &[("Docker-Content-Digest", &d)], b"");
        }
        let challenge = format!(
            r#"Bearer realm="{}",service="fake.registry",scope="repository:library/app:pull""#,
            r.get().unwrap()
        );
        reply(401, &[("WWW-Authenticate", &challenge)], b"")
    });
    realm.set(format!("http://{}/token", hub.addr)).unwrap();
    let image = format!("{}/library/app:1", hub.addr);
    let p = Project::new(&[&image], "");
    succeeded(&p.pin(&[]));
    assert_eq!(p.digest(&image), Some(digest));
    let requests = hub.requests.lock().unwrap();
    let token = requests
        .iter()
        .find(|r| r.target.starts_with("/token"))
        .expect("token asked");
    assert_eq!(
        token.target,
        "/token?service=fake.registry&scope=repository%3Alibrary%2Fapp%3Apull"
    );
}

/// Runs a failing pin against `handler` with a lock already in place and
/// returns stderr and how long it took; the lock must be untouched.
fn hostile(
    handler: impl Fn(&fake::Request) -> Reply + Send + Sync + 'static,
) -> (String, Duration) {
    let server = fake::serve(handler);
    let image = format!("{}/app:v1", server.addr);
    let p = Project::new(&[&image], "");
    let before = format!("# old\n{image} sha256:{}\n", "0".repeat(64));
    std::fs::write(p.lock_path(), &before).unwrap();
    let start = Instant::now();
    let err = failed(&p.pin(&["--update", "--timeout", "2"]));
    let took = start.elapsed();
    assert_eq!(p.lock(), before, "the lock changed");
    assert_only_lock(p.dir.path());
    (err, took)
}

/// No temporary file is left behind.
fn assert_only_lock(dir: &Path) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["meshc.images.lock", "meshc.yaml"]);
}

#[test]
fn a_huge_manifest_is_refused() {
    let (err, _) = hostile(|req| match req.method.as_str() {
        "HEAD" => reply(200, &[], b""),
        _ => Reply::Huge(64 * 1024 * 1024),
    });
    assert!(err.contains("the manifest is larger than 4 MiB"), "{err}");
}

#[test]
fn a_digest_header_that_does_not_match_the_body_is_refused() {
    let lie = format!("sha256:{}", "1".repeat(64));
    let (err, _) = hostile(move |req| match req.method.as_str() {
        "HEAD" => reply(405, &[], b""),
        _ => reply(
            200,
            &[("Docker-Content-Digest", &lie)],
            br#"{"schemaVersion":2}"#,
        ),
    });
    assert!(
        err.contains("the registry says the manifest's digest is `sha256:111"),
        "{err}"
    );
    assert!(err.contains("but its bytes hash to `sha256:"), "{err}");
}

#[test]
fn a_redirect_loop_is_named() {
    let (err, _) = hostile(|req| {
        let next = if req.target.ends_with("/a") {
            "/b"
        } else {
            "/a"
        };
        reply(302, &[("Location", next)], b"")
    });
    assert!(err.contains("the registry redirects in a loop"), "{err}");
}

#[test]
fn a_registry_slower_than_the_timeout_is_given_up_on() {
    let (err, took) =
        hostile(|_| Reply::Late(Duration::from_secs(30), Box::new(reply(200, &[], b""))));
    assert!(err.contains("did not answer within 2 s"), "{err}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn server_errors_are_retried_a_bounded_number_of_times() {
    let (err, took) = hostile(|_| reply(503, &[], b""));
    assert!(err.contains("answered HTTP 503 after 4 attempts"), "{err}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn an_unreachable_registry_names_host_and_port() {
    let port = registry::free_port();
    let image = format!("127.0.0.1:{port}/app:v1");
    let p = Project::new(&[&image], "");
    let err = failed(&p.pin(&[]));
    assert!(
        err.contains(&format!("cannot reach `127.0.0.1:{port}`")),
        "{err}"
    );
    assert!(!p.lock_path().exists());
}

#[test]
fn images_with_a_digest_are_not_locked() {
    let image = format!("127.0.0.1:1/app@sha256:{}", "a".repeat(64));
    let p = Project::new(&[&image], "");
    assert_eq!(
        succeeded(&p.pin(&[])),
        "pinned 0 images, 0 already locked, 1 written with a digest\n"
    );
}

#[test]
fn a_description_with_errors_pins_nothing() {
    let p = Project::new(&["UPPER/Case:1"], "");
    let err = failed(&p.pin(&[]));
    assert!(
        err.contains("the description has errors; nothing was pinned"),
        "{err}"
    );
    assert!(!p.lock_path().exists());
}

#[test]
fn a_malformed_lock_is_named_and_kept() {
    let p = Project::new(&["127.0.0.1:1/app:v1"], "");
    std::fs::write(p.lock_path(), "127.0.0.1:1/app:v1 not-a-digest\n").unwrap();
    let err = failed(&p.pin(&[]));
    assert!(
        err.contains("meshc.images.lock` line 1: `not-a-digest` is not a `sha256:` digest"),
        "{err}"
    );
    assert_eq!(p.lock(), "127.0.0.1:1/app:v1 not-a-digest\n");
}

/// Docker's order: the registry's helper answers before `auths`.
#[test]
fn a_helper_without_credentials_falls_back_to_auths_and_both_are_named() {
    let reg = Registry::with_basic_auth("ci", "s3cret");
    reg.push_image("app", "v1", "f");
    let image = format!("{}/app:v1", reg.addr);
    let p = Project::new(&[&image], "");
    p.docker_config(&format!(
        r#"{{"credsStore": "meshc-missing-helper", "auths": {{"{}": {{}}}}}}"#,
        reg.addr
    ));
    let err = failed(&p.pin(&[]));
    assert!(
        err.contains("`docker-credential-meshc-missing-helper` (credsStore; it failed: it is not installed (not on PATH))"),
        "{err}"
    );
    assert!(err.contains("(the entry has no `auth`)"), "{err}");
}
