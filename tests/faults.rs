//! Faults while writing a bundle, through the real binary: a build that
//! fails half way (a template error, a write error, a full disk), two builds
//! on one output directory at once, files meshc did not write, and
//! `build --check`. After each, OUT is byte for byte what it should be.

mod common;

use common::meshc;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Three services, one built from source (so every target has files), and a
/// second version of the app without `worker` and with another `api` image.
const A: &str = "app: shop
namespace: shop
services:
  web:
    build: { runtime: node, context: ./web, command: [node, server.js] }
    ports: { http: 8080 }
    calls: [api]
    env: { GREETING: hello }
  api:
    image: registry.example.com/api:1.0
    ports: { http: 9000 }
    calls: [worker]
  worker:
    image: registry.example.com/worker:1.0
    ports: { http: 9100 }
";

fn b() -> String {
    A.replace("    calls: [worker]\n", "")
        .replace("api:1.0", "api:2.0")
        .split("  worker:")
        .next()
        .unwrap()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A project directory holding `a.yaml`, `b.yaml` and the build context.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("web")).unwrap();
    std::fs::write(dir.path().join("web/package.json"), "{}\n").unwrap();
    std::fs::write(dir.path().join("a.yaml"), A).unwrap();
    std::fs::write(dir.path().join("b.yaml"), b()).unwrap();
    dir
}

fn build(dir: &Path, file: &str, out: &str) -> Output {
    let o = meshc(dir, &["build", file, "-o", out, "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    o
}

/// Every entry under `dir`: files with their bytes, links with their
/// targets, directories as such. "Byte for byte as it was" compares these.
#[derive(Debug, PartialEq, Eq, Clone)]
enum Entry {
    File(Vec<u8>),
    Link(PathBuf),
    Dir,
}

fn snapshot(dir: &Path) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let ty = e.file_type().unwrap();
            let entry = if ty.is_symlink() {
                Entry::Link(std::fs::read_link(&p).unwrap())
            } else if ty.is_dir() {
                stack.push(p.clone());
                Entry::Dir
            } else {
                Entry::File(std::fs::read(&p).unwrap())
            };
            out.insert(rel, entry);
        }
    }
    out
}

/// The files a bundle's lock lists, plus the lock itself.
fn locked_files(out: &Path) -> Vec<String> {
    let lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("meshc.lock.json")).unwrap()).unwrap();
    let mut files: Vec<String> = lock["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    files.push("meshc.lock.json".into());
    files
}

/// Names in `dir` that a build leaves behind only when it is interrupted.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".meshc-tmp-") || n.contains(".meshc-old-"))
        .collect()
}

/// Files a user keeps in OUT: at the top, beside meshc's files, in a
/// directory of their own, and a link.
fn add_foreign_files(out: &Path) {
    std::fs::write(out.join("README.md"), "# deployed by Argo CD\n").unwrap();
    std::fs::write(out.join("kubernetes/zz-extra.yaml"), "# kept by hand\n").unwrap();
    std::fs::create_dir_all(out.join("notes/deep")).unwrap();
    std::fs::write(out.join("notes/deep/todo.txt"), "rotate keys\n").unwrap();
    std::os::unix::fs::symlink("README.md", out.join("readme-link")).unwrap();
}

fn foreign(snap: &BTreeMap<String, Entry>) -> BTreeMap<String, Entry> {
    snap.iter()
        .filter(|(k, _)| {
            k.starts_with("README")
                || k.starts_with("notes")
                || k.starts_with("readme-link")
                || k.ends_with("zz-extra.yaml")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

// ---------------------------------------------------------------------------
// A build that fails half way
// ---------------------------------------------------------------------------

/// A user template that fails on the fifth of six services: the first four
/// Dockerfiles render, the build fails, and OUT is as it was.
#[test]
fn template_error_on_the_fifth_service_leaves_out_as_it_was() {
    let dir = project();
    build(dir.path(), "a.yaml", "out");
    add_foreign_files(&dir.path().join("out"));
    let before = snapshot(&dir.path().join("out"));

    node_services(
        dir.path(),
        "six.yaml",
        6,
        "FROM {{images.runtime}}\n{{#if (eq service \"s5\")}}RUN {{no_such_variable}}\n{{/if}}",
    );
    let o = meshc(
        dir.path(),
        &["build", "six.yaml", "-o", "out", "--templates", "templates"],
    );
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("s5"), "{stderr}");
    assert!(stderr.contains("no_such_variable"), "{stderr}");
    assert_eq!(snapshot(&dir.path().join("out")), before);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// `n` services `s1`… built from `./web` by node, written to `file` in
/// `dir`, and `template` as the user's `templates/node.Dockerfile.hbs`.
fn node_services(dir: &Path, file: &str, n: usize, template: &str) {
    let mut text = String::from("app: shop\nservices:\n");
    for i in 1..=n {
        text.push_str(&format!(
            "  s{i}: {{ build: {{ runtime: node, context: ./web, command: [node, s.js] }}, ports: {{ http: 8080 }} }}\n"
        ));
    }
    std::fs::write(dir.join(file), text).unwrap();
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("node.Dockerfile.hbs"), template).unwrap();
}

/// With enough services to render on several threads, the error reported
/// is still the first in service order, every time.
#[test]
fn the_first_failing_service_is_reported_whatever_the_threads() {
    let dir = project();
    node_services(
        dir.path(),
        "many.yaml",
        400,
        "FROM {{images.runtime}}\n{{#if (eq service \"s150\")}}RUN {{first_missing}}\n{{/if}}{{#if (eq service \"s390\")}}RUN {{second_missing}}\n{{/if}}",
    );
    let args = [
        "build",
        "many.yaml",
        "-o",
        "out",
        "--templates",
        "templates",
    ];
    let first = meshc(dir.path(), &args);
    let stderr = text(&first.stderr);
    assert_eq!(first.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("s150") && stderr.contains("first_missing"),
        "{stderr}"
    );
    assert!(!stderr.contains("second_missing"), "{stderr}");
    for _ in 0..3 {
        assert_eq!(text(&meshc(dir.path(), &args).stderr), stderr);
    }
    assert!(!dir.path().join("out").exists());
}

/// A write error part way through assembling the new tree (the file size
/// limit makes the first large file fail with EFBIG, after smaller files
/// were written): OUT is as it was and the temporary tree is gone.
#[test]
fn write_error_half_way_leaves_out_as_it_was() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        println!("skipped: no prlimit to set a file size limit");
        return;
    }
    let dir = project();
    build(dir.path(), "a.yaml", "out");
    add_foreign_files(&dir.path().join("out"));
    let before = snapshot(&dir.path().join("out"));

    // B with one large value: its Deployment outgrows the limit.
    let big = b().replace(
        "GREETING: hello",
        &format!("GREETING: {}", "x".repeat(200_000)),
    );
    std::fs::write(dir.path().join("big.yaml"), big).unwrap();
    // SIGXFSZ would kill meshc; ignored (inherited through exec), the write
    // returns EFBIG instead and meshc must clean up.
    let o = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; exec prlimit --fsize=65536 -- \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_meshc"))
        .args(["build", "big.yaml", "-o", "out"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert_eq!(snapshot(&dir.path().join("out")), before);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// A full disk: OUT's parent is a small tmpfs, mounted in a private mount
/// namespace (needs CAP_SYS_ADMIN, which CI has as root; skipped otherwise).
/// The disk is filled so that about half the new bundle fits.
#[test]
fn full_disk_half_way_leaves_out_as_it_was() {
    let dir = project();
    let disk = dir.path().join("disk");
    let keep = dir.path().join("keep");
    std::fs::create_dir_all(&disk).unwrap();
    std::fs::create_dir_all(&keep).unwrap();
    let script = r#"
set -u
disk=$1 keep=$2 meshc=$3 project=$4
mount -t tmpfs -o size=2m tmpfs "$disk" || exit 77
cd "$disk" || exit 1
cp -r "$project/web" "$project/a.yaml" "$project/b.yaml" .
"$meshc" build a.yaml -o out --quiet || exit 10
cp -a out "$keep/before"
files=$(grep -c '"path"' out/meshc.lock.json)
dd if=/dev/zero of=fill bs=4096 2>/dev/null
# Free about half of what the new bundle needs (tmpfs spends a page per file).
truncate -s -$(( (files + 1) / 2 * 4096 )) fill
NO_COLOR=1 "$meshc" build b.yaml -o out 2>"$keep/stderr"
echo $? >"$keep/exit"
cp -a out "$keep/after"
ls -a >"$keep/listing"
"#;
    let o = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", script, "sh"])
        .arg(&disk)
        .arg(&keep)
        .arg(env!("CARGO_BIN_EXE_meshc"))
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output();
    let o = match o {
        Ok(o) if o.status.code() == Some(0) => o,
        Ok(o) => {
            println!(
                "skipped: cannot mount a tmpfs here (exit {:?}): {}",
                o.status.code(),
                text(&o.stderr)
            );
            return;
        }
        Err(e) => {
            println!("skipped: no unshare ({e})");
            return;
        }
    };
    let _ = o;
    let exit = std::fs::read_to_string(keep.join("exit")).unwrap();
    let stderr = std::fs::read_to_string(keep.join("stderr")).unwrap();
    assert_eq!(exit.trim(), "2", "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_eq!(
        snapshot(&keep.join("after")),
        snapshot(&keep.join("before"))
    );
    let listing = std::fs::read_to_string(keep.join("listing")).unwrap();
    assert!(
        !listing.contains(".meshc-tmp-") && !listing.contains(".meshc-old-"),
        "{listing}"
    );
}

// ---------------------------------------------------------------------------
// Two builds at once
// ---------------------------------------------------------------------------

/// While another build holds the lock, a build refuses with a clear message
/// and touches nothing.
#[test]
fn a_build_waits_for_no_one_and_says_so() {
    let dir = project();
    build(dir.path(), "a.yaml", "out");
    let before = snapshot(&dir.path().join("out"));
    let guard = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join(".out.meshc-lock"))
        .expect("the lock file beside OUT");
    guard.try_lock().expect("lock");
    let o = meshc(dir.path(), &["build", "b.yaml", "-o", "out"]);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    // The description's warnings (its images are tag-only) come first; the
    // refusal is the one error and the last line.
    assert!(
        stderr.ends_with(
            "\n0 errors, 4 warnings in 1 file\n\
             error: another meshc build is writing `out`; wait for it to finish and run again\n"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert_eq!(snapshot(&dir.path().join("out")), before);
    drop(guard);
    build(dir.path(), "b.yaml", "out");
}

/// Two builds of different descriptions race for one OUT, many times. Each
/// either succeeds or is refused with the lock message, and afterwards OUT is
/// exactly one of the two bundles (with foreign files kept), never a mixture.
#[test]
fn two_builds_at_once_never_mix() {
    let dir = project();
    build(dir.path(), "a.yaml", "ref-a");
    build(dir.path(), "b.yaml", "ref-b");
    let ref_a = snapshot(&dir.path().join("ref-a"));
    let ref_b = snapshot(&dir.path().join("ref-b"));
    let bin = env!("CARGO_BIN_EXE_meshc");
    let (mut both, mut one_refused) = (0, 0);
    for round in 0..30 {
        let spawn = |file: &str| {
            Command::new(bin)
                .args(["build", file, "-o", "out", "--quiet"])
                .current_dir(dir.path())
                .env("NO_COLOR", "1")
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = if round % 2 == 0 {
            ("a.yaml", "b.yaml")
        } else {
            ("b.yaml", "a.yaml")
        };
        let (p, q) = (spawn(first), spawn(second));
        let (p, q) = (p.wait_with_output().unwrap(), q.wait_with_output().unwrap());
        let mut refused = 0;
        for o in [&p, &q] {
            match o.status.code() {
                Some(0) => {}
                Some(2) => {
                    assert!(
                        text(&o.stderr).contains("another meshc build is writing `out`"),
                        "round {round}: {}",
                        text(&o.stderr)
                    );
                    refused += 1;
                }
                other => panic!("round {round}: exit {other:?}: {}", text(&o.stderr)),
            }
        }
        assert!(refused < 2, "round {round}: both builds refused");
        if refused == 0 {
            both += 1;
        } else {
            one_refused += 1;
        }
        let out = snapshot(&dir.path().join("out"));
        assert!(
            out == ref_a || out == ref_b,
            "round {round}: OUT is neither bundle: {:?}",
            out.keys().collect::<Vec<_>>()
        );
        assert_eq!(leftovers(dir.path()), Vec::<String>::new(), "round {round}");
    }
    println!(
        "two builds at once, 30 rounds: both succeeded in turn {both}, one refused {one_refused}"
    );
}

// ---------------------------------------------------------------------------
// Files meshc did not write
// ---------------------------------------------------------------------------

#[test]
fn foreign_files_survive_every_build_and_stale_files_go() {
    let dir = project();
    let out = dir.path().join("out");
    build(dir.path(), "a.yaml", "out");
    let a_files = locked_files(&out);
    add_foreign_files(&out);
    let mine = foreign(&snapshot(&out));
    assert_eq!(mine.len(), 6, "{:?}", mine.keys());

    let o = meshc(dir.path(), &["build", "b.yaml", "-o", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let b_files = locked_files(&out);
    let gone: Vec<&String> = a_files.iter().filter(|f| !b_files.contains(f)).collect();
    assert!(!gone.is_empty(), "B should drop `worker`'s files");
    for f in &gone {
        assert!(!out.join(f).exists(), "stale `{f}` was not removed");
    }
    assert!(
        text(&o.stdout).contains(&format!(
            "removed {} file(s) the previous build wrote",
            gone.len()
        )),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(foreign(&snapshot(&out)), mine);

    for file in ["a.yaml", "a.yaml", "b.yaml"] {
        build(dir.path(), file, "out");
        assert_eq!(foreign(&snapshot(&out)), mine, "after building {file}");
    }
    // Exactly B's bundle plus the user's files: nothing stale, nothing lost.
    let mut want = snapshot(&dir.path().join("out"));
    want.retain(|k, _| !mine.contains_key(k));
    build(dir.path(), "b.yaml", "ref-b");
    let mut ref_b = snapshot(&dir.path().join("ref-b"));
    ref_b.retain(|_, v| *v != Entry::Dir);
    want.retain(|_, v| *v != Entry::Dir);
    assert_eq!(want, ref_b);
}

/// A file the user put where this build now writes one is not replaced.
#[test]
fn a_user_file_in_the_way_is_not_replaced() {
    let dir = project();
    let out = dir.path().join("out");
    build(dir.path(), "b.yaml", "out");
    let b_files = locked_files(&out);
    build(dir.path(), "a.yaml", "ref-a");
    let new: Vec<String> = locked_files(&dir.path().join("ref-a"))
        .into_iter()
        .filter(|f| !b_files.contains(f))
        .collect();
    let victim = new.first().expect("A writes files B does not");
    std::fs::write(out.join(victim), "# mine\n").unwrap();
    let before = snapshot(&out);
    let o = meshc(dir.path(), &["build", "a.yaml", "-o", "out"]);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("`out/{victim}`")), "{stderr}");
    assert!(stderr.contains("meshc did not write"), "{stderr}");
    assert_eq!(snapshot(&out), before);
}

/// Without its lock, OUT's files are not known to be meshc's: `--force`
/// rewrites those it would write byte for byte, and refuses an edited one.
#[test]
fn a_lost_lock_with_force_keeps_edited_files() {
    let dir = project();
    let out = dir.path().join("out");
    build(dir.path(), "a.yaml", "out");
    let files = locked_files(&out);
    std::fs::remove_file(out.join("meshc.lock.json")).unwrap();
    let o = meshc(
        dir.path(),
        &["build", "a.yaml", "-o", "out", "--force", "--quiet"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    std::fs::remove_file(out.join("meshc.lock.json")).unwrap();
    std::fs::write(out.join(&files[0]), "# edited by hand\n").unwrap();
    let before = snapshot(&out);
    let o = meshc(dir.path(), &["build", "a.yaml", "-o", "out", "--force"]);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("`out/{}` is in the way", files[0])),
        "{stderr}"
    );
    assert_eq!(snapshot(&out), before);
}

/// `--force` writes into a directory meshc did not create and keeps its files;
/// without it such a directory is refused.
#[test]
fn a_directory_meshc_did_not_write_needs_force() {
    let dir = project();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("kubernetes")).unwrap();
    std::fs::write(out.join("kubernetes/zz-extra.yaml"), "# kept by hand\n").unwrap();
    let before = snapshot(&out);
    let o = meshc(dir.path(), &["build", "a.yaml", "-o", "out"]);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`out` is not empty and has no meshc.lock.json"),
        "{stderr}"
    );
    assert_eq!(snapshot(&out), before);
    let o = meshc(dir.path(), &["build", "a.yaml", "-o", "out", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(out.join("kubernetes/zz-extra.yaml")).unwrap(),
        "# kept by hand\n"
    );
}

// ---------------------------------------------------------------------------
// build --check
// ---------------------------------------------------------------------------

#[test]
fn build_check_reports_missing_stale_and_extra() {
    let dir = project();
    let out = dir.path().join("out");
    let check = |file: &str| meshc(dir.path(), &["build", file, "-o", "out", "--check"]);

    let o = check("a.yaml");
    assert_eq!(o.status.code(), Some(1), "nothing built yet");
    assert!(
        text(&o.stdout).contains("missing  out/meshc.lock.json"),
        "{}",
        text(&o.stdout)
    );

    build(dir.path(), "a.yaml", "out");
    add_foreign_files(&out);
    let before = snapshot(&out);
    let o = check("a.yaml");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert_eq!(text(&o.stdout), "out is up to date\n");

    let files = locked_files(&out);
    let (stale, missing) = (&files[0], &files[1]);
    std::fs::write(out.join(stale), "# edited by hand\n").unwrap();
    std::fs::remove_file(out.join(missing)).unwrap();
    let o = check("a.yaml");
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("  stale  out/{stale}\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("missing  out/{missing}\n")),
        "{stdout}"
    );
    assert!(stdout.contains("(1 missing, 1 stale, 0 extra)"), "{stdout}");

    build(dir.path(), "a.yaml", "out");
    let o = check("b.yaml");
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    let extra: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("extra  out/"))
        .collect();
    assert!(
        !extra.is_empty() && extra.iter().all(|f| f.contains("worker")),
        "{stdout}"
    );
    assert!(
        !stdout.contains("README") && !stdout.contains("notes"),
        "{stdout}"
    );
    // --check writes nothing.
    let mut now = snapshot(&out);
    now.retain(|k, _| before.contains_key(k));
    assert_eq!(now, before);
}
