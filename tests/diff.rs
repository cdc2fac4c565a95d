//! `meshc diff`: each pair under `examples/diff/<case>/{before,after}`
//! diffed and snapshotted in every format, the issue's acceptance checks, the
//! bundle-on-disk and git paths, and the exit codes.

mod common;

use common::{copy_dir, meshc, stderr, stdout};
use meshc::diff::{self, Action, CallGraph, NoteKind, Plan, Side, Subject, render};
use meshc::emit::{Target, docker::Templates};
use meshc::pipeline::{self, BuildOptions, Compiled};
use std::path::{Path, PathBuf};
use std::process::Command;

fn opts() -> BuildOptions {
    BuildOptions {
        env: None,
        overrides: Default::default(),
        targets: Target::DEFAULT.to_vec(),
        templates: Templates::default(),
        locked: false,
    }
}

fn description(case: &str, side: &str) -> PathBuf {
    common::root()
        .join("examples/diff")
        .join(case)
        .join(side)
        .join("meshc.yaml")
}

fn compile(path: &Path) -> Compiled {
    match pipeline::compile(path, &opts()) {
        Ok(c) => c,
        Err(e) => panic!("{} does not build: {e:?}", path.display()),
    }
}

/// The in-memory diff `--base` does: both sides built, both call graphs known.
fn plan(case: &str) -> Plan {
    let old = compile(&description(case, "before"));
    let new = compile(&description(case, "after"));
    let (g_old, g_new) = (CallGraph::of(&old.app), CallGraph::of(&new.app));
    diff::diff(
        Side::with_graph(&old.bundle.artifacts, &g_old),
        Side::with_graph(&new.bundle.artifacts, &g_new),
    )
}

/// Every pair under `examples/diff/`.
const CASES: [&str; 6] = [
    "canary_shift",
    "version_added",
    "version_retired",
    "service_removed",
    "port_change",
    "service_rename",
];

/// `got` renders exactly like the in-memory plan of `case` (`--format json`).
fn assert_plans_equal(case: &str, got: &Plan) {
    let (old, new) = header(case);
    let h = render::Header {
        old: &old,
        new: &new,
    };
    assert_eq!(render::json(got, h), render::json(&plan(case), h), "{case}");
}

fn header(case: &str) -> (String, String) {
    let at = |side: &str| format!("examples/diff/{case}/{side}/meshc.yaml");
    (at("before"), at("after"))
}

fn steps(plan: &Plan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|s| match &s.subject {
            Subject::Resource(k) => format!("{} {} {}", s.action.as_str(), k.kind, k.name),
            Subject::File(p) => format!("{} {p}", s.action.as_str()),
        })
        .collect()
}

fn position(plan: &Plan, step: &str) -> usize {
    let all = steps(plan);
    all.iter()
        .position(|s| s == step)
        .unwrap_or_else(|| panic!("no step `{step}` in {all:#?}"))
}

// --- snapshots -------------------------------------------------------------

macro_rules! snapshot_cases {
    ($($case:ident),* $(,)?) => {$(
        #[test]
        fn $case() {
            let case = stringify!($case);
            let plan = plan(case);
            let (old, new) = header(case);
            let h = render::Header { old: &old, new: &new };
            common::snapshots().bind(|| {
                insta::assert_snapshot!(format!("{case}__human"), render::human(&plan, h, false));
                insta::assert_snapshot!(format!("{case}__json"), render::json(&plan, h));
                insta::assert_snapshot!(format!("{case}__markdown"), render::markdown(&plan, h));
            });
        }
    )*};
}

snapshot_cases!(
    canary_shift,
    version_added,
    version_retired,
    service_removed,
    port_change,
    service_rename,
);

// --- what the issue asks for ------------------------------------------------

#[test]
fn a_canary_shift_changes_exactly_the_virtual_service() {
    let plan = plan("canary_shift");
    assert_eq!(steps(&plan), ["update VirtualService reviews"]);
    let s = &plan.summary;
    assert_eq!(
        (s.resources.changed(), s.resources.update, s.files.changed()),
        (1, 1, 0)
    );
    let paths: Vec<&str> = plan.steps[0]
        .changes
        .iter()
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "spec.http[1].route[0].weight",
            "spec.http[1].route[1].weight"
        ]
    );
    let traffic: Vec<&str> = plan
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Traffic)
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(traffic, ["reviews: v1 50% → 20%, v3 50% → 80%"]);
}

#[test]
fn a_new_version_is_running_and_known_before_traffic_goes_to_it() {
    let plan = plan("version_added");
    let deployment = position(&plan, "create Deployment reviews-v4");
    let subset = position(&plan, "update DestinationRule reviews");
    let route = position(&plan, "update VirtualService reviews");
    assert!(deployment < subset && subset < route, "{:#?}", steps(&plan));
}

#[test]
fn a_retired_version_loses_traffic_then_its_subset_then_its_deployment() {
    let plan = plan("version_retired");
    let route = position(&plan, "update VirtualService reviews");
    let subset = position(&plan, "update DestinationRule reviews");
    let deployment = position(&plan, "delete Deployment reviews-v1");
    assert!(route < subset && subset < deployment, "{:#?}", steps(&plan));
    assert!(
        plan.notes
            .iter()
            .any(|n| n.text == "reviews: version v1 removed")
    );
}

#[test]
fn a_removed_service_goes_after_its_callers_change_and_policy_last() {
    let plan = plan("service_removed");
    assert!(
        plan.steps
            .iter()
            .all(|s| s.action == Action::Delete || matches!(&s.subject, Subject::File(_)))
    );
    let deployment = position(&plan, "delete Deployment details");
    let policy = position(&plan, "delete AuthorizationPolicy details");
    let account = position(&plan, "delete ServiceAccount details");
    assert!(
        deployment < policy && policy < account,
        "{:#?}",
        steps(&plan)
    );
    assert!(plan.notes.iter().any(|n| n.kind == NoteKind::ServiceRemoved
        && n.text.contains("`details`")
        && n.text.contains("`productpage`")));
}

#[test]
fn a_rename_creates_the_new_service_before_deleting_the_old() {
    let plan = plan("service_rename");
    let created = position(&plan, "create Deployment book-details");
    let deleted = position(&plan, "delete Deployment details");
    assert!(created < deleted, "{:#?}", steps(&plan));
}

#[test]
fn a_port_change_is_noted() {
    let plan = plan("port_change");
    assert!(
        plan.notes
            .iter()
            .any(|n| n.kind == NoteKind::Ports && n.text == "details: ports http:9080 → http:8080"),
        "{:#?}",
        plan.notes
    );
}

#[test]
fn every_example_diffed_with_itself_has_no_changes() {
    let examples = ["bookinfo", "shop", "all-features", "plain"];
    for name in examples {
        let path = common::root()
            .join("examples")
            .join(name)
            .join("meshc.yaml");
        if !path.exists() {
            continue;
        }
        let a = compile(&path);
        let b = compile(&path);
        let plan = diff::diff(
            Side::new(&a.bundle.artifacts),
            Side::new(&b.bundle.artifacts),
        );
        assert!(plan.is_empty(), "{name}: {:#?}", steps(&plan));
        assert!(plan.notes.is_empty(), "{name}: {:#?}", plan.notes);
        assert_eq!(
            plan.summary.resources.unchanged,
            a.bundle.lock.resources.len()
        );
    }
}

// --- a bundle on disk ---------------------------------------------------------

fn build_into(dir: &Path, description: &Path) {
    let compiled = compile(description);
    meshc::bundle::write(dir, &compiled.bundle, false).expect("bundle written");
}

#[test]
fn a_bundle_read_back_from_disk_diffs_like_the_build_in_memory() {
    for case in CASES {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        build_into(&out, &description(case, "before"));
        let on_disk = diff::against(&description(case, "after"), &out, &opts()).unwrap();
        assert_plans_equal(case, &on_disk.plan);
    }
}

#[test]
fn every_object_reads_back_from_disk_exactly_as_built() {
    for name in ["bookinfo", "shop", "all-features", "plain"] {
        let path = common::root()
            .join("examples")
            .join(name)
            .join("meshc.yaml");
        if !path.exists() {
            continue;
        }
        let compiled = compile(&path);
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        meshc::bundle::write(&out, &compiled.bundle, false).unwrap();
        let read = diff::read_bundle(&out).unwrap();
        assert_eq!(read.len(), compiled.bundle.artifacts.len(), "{name}");
        for (a, b) in read.iter().zip(&compiled.bundle.artifacts) {
            assert_eq!(a.path, b.path, "{name}");
            assert_eq!(a.resources.len(), b.resources.len(), "{name}: {}", a.path);
            // Identity from the typed object = identity from the parsed
            // file, and the whole file parsed = each document parsed alone.
            for (ra, rb) in a.resources.iter().zip(&b.resources) {
                let id = |r: &meshc::emit::Resource| {
                    (
                        r.api_version.clone(),
                        r.kind.clone(),
                        r.namespace.clone(),
                        r.name.clone(),
                        r.service.clone(),
                    )
                };
                assert_eq!(id(ra), id(rb), "{name}: {}", a.path);
                let tree = b.tree(rb);
                assert!(tree.is_object(), "{name}: {}", a.path);
                assert_eq!(a.tree(ra), tree, "{name}: {}", a.path);
            }
        }
    }
}

#[test]
fn a_fresh_build_against_itself_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let bookinfo = common::root().join("examples/bookinfo/meshc.yaml");
    build_into(&out, &bookinfo);
    let o = meshc(
        &common::root(),
        &[
            "diff",
            bookinfo.to_str().unwrap(),
            "--against",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).starts_with("meshc diff: no changes\n"),
        "{}",
        stdout(&o)
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn changes_exit_1_unless_exit_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build_into(&out, &description("canary_shift", "before"));
    let after = description("canary_shift", "after");
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "diff".to_string(),
            after.to_string_lossy().into_owned(),
            "--against".into(),
            out.to_string_lossy().into_owned(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |extra: &[&'static str]| {
        let a = args(extra);
        meshc(
            &common::root(),
            &a.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("reviews: v1 50% → 20%, v3 50% → 80%"));
    assert_eq!(run(&["--exit-zero"]).status.code(), Some(0));

    let json = run(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json output");
    assert_eq!(v["schema"], "meshc.diff/v1");
    assert_eq!(v["changed"], true);
    assert_eq!(v["plan"][0]["resource"]["kind"], "VirtualService");

    let md = run(&["--format", "markdown"]);
    assert!(stdout(&md).starts_with("### meshc diff: 1 change"));

    assert!(!stdout(&o).contains('\x1b'), "NO_COLOR output has escapes");
    assert!(stdout(&run(&["--color", "always"])).contains("\x1b["));
}

#[test]
fn target_limits_both_sides() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build_into(&out, &description("version_added", "before"));
    let only = |targets: Vec<Target>| {
        let opts = BuildOptions { targets, ..opts() };
        let plan = diff::against(&description("version_added", "after"), &out, &opts)
            .unwrap()
            .plan;
        steps(&plan)
    };
    assert_eq!(
        only(vec![Target::Mesh]),
        [
            "update DestinationRule reviews",
            "update VirtualService reviews"
        ]
    );
    assert_eq!(
        only(vec![Target::Kubernetes]),
        [
            "create Deployment reviews-v4",
            "create HorizontalPodAutoscaler reviews-v4"
        ]
    );
    assert!(only(vec![Target::Docker]).is_empty());
}

#[test]
fn a_selector_change_is_a_replace() {
    // A bundle whose Deployment selects on one more label, as a different
    // meshc version might have written: the selector cannot change in place.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let bookinfo = common::root().join("examples/bookinfo/meshc.yaml");
    build_into(&out, &bookinfo);
    let file = out.join("kubernetes/details.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen(
        "  selector:\n    matchLabels:\n      app: details\n  template:",
        "  selector:\n    matchLabels:\n      app: details\n      tier: backend\n  template:",
        1,
    );
    assert_ne!(text, edited, "the Deployment selector was not found");
    std::fs::write(&file, edited).unwrap();
    let plan = diff::against(&bookinfo, &out, &opts()).unwrap().plan;
    assert_eq!(steps(&plan), ["replace Deployment details"]);
    assert_eq!(
        plan.steps[0].reason.as_deref(),
        Some("`spec.selector` cannot change in place: delete and create")
    );
    assert!(plan.notes.iter().any(|n| n.kind == NoteKind::Replace));
}

// --- git ---------------------------------------------------------------------

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=meshc",
            "-c",
            "user.email=meshc@example.com",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

#[test]
fn base_compares_with_a_git_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    let app = repo.join("deploy");
    copy_dir(
        description("canary_shift", "before").parent().unwrap(),
        &app,
    );
    git(repo, &["init", "-q"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "before"]);

    // Unchanged working tree: no changes.
    let o = meshc(&app, &["diff", "--base", "HEAD"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    std::fs::copy(description("canary_shift", "after"), app.join("meshc.yaml")).unwrap();
    let o = meshc(&app, &["diff", "--base", "HEAD"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("old: meshc.yaml at HEAD"), "{text}");
    assert!(
        text.contains("reviews: v1 50% → 20%, v3 50% → 80%"),
        "{text}"
    );

    // `--base HEAD~1` from the repository root, after committing the change.
    git(repo, &["commit", "-q", "-am", "after"]);
    let o = meshc(repo, &["diff", "deploy/meshc.yaml", "--base", "HEAD~1"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("1 to update"), "{}", stdout(&o));

    // A file the revision does not have: everything is created.
    copy_dir(&app, &repo.join("fresh"));
    let o = meshc(
        repo,
        &[
            "diff",
            "fresh/meshc.yaml",
            "--base",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["old"], "fresh/meshc.yaml at HEAD (no such file there)");
    assert_eq!(v["summary"]["resources"]["unchanged"], 0);
    assert!(
        v["plan"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["action"] == "create")
    );

    let o = meshc(&app, &["diff", "--base", "no-such-ref"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`no-such-ref` names no commit"),
        "{}",
        stderr(&o)
    );
}

/// The old side builds with the lock it had at the revision, so a tag that
/// was pushed again shows as its two digests, and nothing else changes.
#[test]
fn base_reads_the_image_lock_of_the_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    let image = "registry.example.com/shop/web:1.4.0";
    std::fs::write(
        repo.join("meshc.yaml"),
        format!("app: shop\nmesh: none\nservices:\n  web:\n    image: {image}\n    ports: {{ http: 8080 }}\n"),
    )
    .unwrap();
    let lock = |hex: char| {
        format!(
            "# meshc.images.lock: written by `meshc pin`; commit it.\n{image} sha256:{}\n",
            hex.to_string().repeat(64)
        )
    };
    std::fs::write(repo.join("meshc.images.lock"), lock('a')).unwrap();
    git(repo, &["init", "-q"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "pinned"]);
    let o = meshc(repo, &["diff", "--base", "HEAD"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    // `meshc pin --update` after the tag was pushed again.
    std::fs::write(repo.join("meshc.images.lock"), lock('c')).unwrap();
    let o = meshc(repo, &["diff", "--base", "HEAD", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let notes: Vec<String> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{}: {}",
                n["kind"].as_str().unwrap(),
                n["text"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        notes,
        ["image: web: 1.4.0 re-pushed, digest aaaaaaaaaaaa… → cccccccccccc…"],
        "{v:#}"
    );
    let updated: Vec<&str> = v["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["resource"]["kind"].as_str())
        .collect();
    assert_eq!(updated, ["Deployment"], "{v:#}");
}

#[test]
fn base_outside_a_repository_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    copy_dir(
        description("canary_shift", "before").parent().unwrap(),
        &app,
    );
    let o = meshc(&app, &["diff", "--base", "HEAD"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not in a git repository"),
        "{}",
        stderr(&o)
    );
}

// --- errors ------------------------------------------------------------------

#[test]
fn errors_exit_2() {
    let root = common::root();
    let bookinfo = "examples/bookinfo/meshc.yaml";
    let o = meshc(&root, &["diff", bookinfo, "--against", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has no meshc.lock.json"),
        "{}",
        stderr(&o)
    );

    let tmp = tempfile::tempdir().unwrap();
    let o = meshc(
        &root,
        &[
            "diff",
            "examples/invalid/M101/meshc.yaml",
            "--against",
            tmp.path().to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the description has errors"),
        "{}",
        stderr(&o)
    );

    let o = meshc(&root, &["diff", bookinfo]);
    assert_eq!(o.status.code(), Some(2), "--against or --base is required");
}

// --- size ----------------------------------------------------------------------

/// A description of `n` services, each calling up to two others (a binary
/// tree), every other one with two versions and a split; `changed` moves one
/// service's split and image.
fn large(n: usize, changed: bool) -> String {
    use std::fmt::Write;
    let mut out = String::from("app: big\nnamespace: big\nmesh: istio\nservices:\n");
    let mid = n / 2;
    for i in 0..n {
        let _ = writeln!(out, "  svc{i:05}:\n    ports: {{ http: 8080 }}");
        let callees: Vec<String> = [2 * i + 1, 2 * i + 2]
            .iter()
            .filter(|j| **j < n)
            .map(|j| format!("svc{j:05}"))
            .collect();
        if !callees.is_empty() {
            let _ = writeln!(out, "    calls: [{}]", callees.join(", "));
        }
        if i % 2 == 0 {
            let (tag, split) = if changed && i == mid {
                ("2.0.1", "{ v1: 70, v2: 30 }")
            } else {
                ("2.0.0", "{ v1: 90, v2: 10 }")
            };
            let _ = writeln!(
                out,
                "    versions:\n      v1: {{ image: registry.example.com/svc{i:05}:1.0.0 }}\n      v2: {{ image: registry.example.com/svc{i:05}:{tag} }}\n    traffic: {{ split: {split} }}"
            );
        } else {
            let _ = writeln!(out, "    image: registry.example.com/svc{i:05}:1.0.0");
        }
    }
    out
}

// --- incremental ---------------------------------------------------------------

/// The bundle in `dir` as an older meshc wrote it: no fingerprints, so
/// `diff --against` has to emit and compare every service.
fn forget_fingerprints(dir: &Path) {
    let path = dir.join("meshc.lock.json");
    let mut lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let object = lock.as_object_mut().unwrap();
    assert!(
        object.remove("services").is_some(),
        "the lock has fingerprints"
    );
    std::fs::write(&path, serde_json::to_vec_pretty(&lock).unwrap()).unwrap();
}

fn json(c: &diff::Comparison) -> String {
    render::json(
        &c.plan,
        render::Header {
            old: &c.old,
            new: &c.new,
        },
    )
}

/// Skipping services by fingerprint changes how much work a diff does,
/// never its result: the plan, notes and counts equal those of the full
/// comparison, at a size where emitting runs on several threads.
#[test]
fn an_incremental_diff_equals_the_full_one() {
    let n = 300;
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old.yaml"), tmp.path().join("new.yaml"));
    std::fs::write(&old, large(n, false)).unwrap();
    std::fs::write(&new, large(n, true)).unwrap();
    let out = tmp.path().join("out");
    build_into(&out, &old);

    let incremental = diff::against(&new, &out, &opts()).unwrap();
    assert_eq!(incremental.skipped, n - 1, "all but the changed service");
    assert_eq!(
        steps(&incremental.plan),
        [
            "update Deployment svc00150-v2",
            "update VirtualService svc00150"
        ]
    );
    let same = diff::against(&old, &out, &opts()).unwrap();
    assert_eq!(same.skipped, n);
    assert!(same.plan.is_empty());

    forget_fingerprints(&out);
    let full = diff::against(&new, &out, &opts()).unwrap();
    assert_eq!(full.skipped, 0);
    assert_eq!(json(&incremental), json(&full));
    let full_same = diff::against(&old, &out, &opts()).unwrap();
    assert_eq!(json(&same), json(&full_same));
}

/// A file of the bundle edited by hand no longer has the digest the lock
/// records: its service is compared, and the plan puts the file back. A
/// bundle built for fewer targets than compared skips nothing.
#[test]
fn a_hand_edited_bundle_and_a_narrower_build_are_compared_in_full() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let bookinfo = common::root().join("examples/bookinfo/meshc.yaml");
    build_into(&out, &bookinfo);
    let deployment = out.join("kubernetes/ratings.yaml");
    let text = std::fs::read_to_string(&deployment).unwrap();
    assert!(text.contains("replicas: 1"), "{text}");
    std::fs::write(&deployment, text.replacen("replicas: 1", "replicas: 5", 1)).unwrap();
    let c = diff::against(&bookinfo, &out, &opts()).unwrap();
    assert_eq!(c.skipped, 3, "every service but ratings");
    assert_eq!(steps(&c.plan), ["update Deployment ratings"]);
    assert_eq!(
        c.plan.steps[0].changes[0].path, "spec.replicas",
        "{:?}",
        c.plan.steps[0].changes
    );

    let narrow = tmp.path().join("narrow");
    let kubernetes_only = BuildOptions {
        targets: vec![Target::Kubernetes],
        ..opts()
    };
    let compiled = pipeline::compile(&bookinfo, &kubernetes_only).unwrap();
    meshc::bundle::write(&narrow, &compiled.bundle, false).unwrap();
    let c = diff::against(&bookinfo, &narrow, &opts()).unwrap();
    assert_eq!(c.skipped, 0);
    assert!(
        steps(&c.plan)
            .iter()
            .any(|s| s == "create AuthorizationPolicy ratings"),
        "{:?}",
        steps(&c.plan)
    );
    let same_targets = diff::against(&bookinfo, &narrow, &kubernetes_only).unwrap();
    assert_eq!(same_targets.skipped, 4);
    assert!(same_targets.plan.is_empty());
}

/// `--base` skips the services both revisions fingerprint alike; its plans
/// equal those of the two full builds compared in memory.
#[test]
fn an_incremental_base_diff_equals_the_full_one() {
    for case in CASES {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path();
        copy_dir(description(case, "before").parent().unwrap(), repo);
        git(repo, &["init", "-q"]);
        git(repo, &["add", "."]);
        git(repo, &["commit", "-q", "-m", "before"]);
        let file = repo.join("meshc.yaml");
        std::fs::copy(description(case, "after"), &file).unwrap();
        let incremental = diff::base(&file, "HEAD", &opts()).unwrap();
        assert!(incremental.skipped > 0, "{case}: nothing skipped");
        assert_plans_equal(case, &incremental.plan);
    }
}

#[test]
fn a_storage_change_replaces_the_stateful_set_and_says_data_is_at_stake() {
    let plan = plan("storage_resize");
    assert!(
        steps(&plan).contains(&"replace StatefulSet db".to_string()),
        "{:#?}",
        steps(&plan)
    );
    let note = plan
        .notes
        .iter()
        .find(|n| n.text.contains("StatefulSet"))
        .expect("a replace note");
    assert!(
        note.text.contains("spec.volumeClaimTemplates") && note.text.contains("data is at stake"),
        "{}",
        note.text
    );
}

// --- the Gateway API and Linkerd ----------------------------------------------

/// [`plan`] with the mesh and routing the command line would choose, on a
/// copy of the case without the policies the Gateway API and Linkerd
/// cannot express (M206 would refuse them).
fn plan_with(case: &str, mesh: meshc::ast::Mesh, routing: meshc::ast::Routing) -> Plan {
    let with = BuildOptions {
        overrides: pipeline::Overrides {
            mesh: Some(mesh),
            routing: Some(routing),
        },
        ..opts()
    };
    let tmp = tempfile::tempdir().unwrap();
    let build = |side: &str| {
        let dir = tmp.path().join(side);
        copy_dir(
            &common::root().join("examples/diff").join(case).join(side),
            &dir,
        );
        let path = dir.join("meshc.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let unsupported = [
            "retries:",
            "fault:",
            "mirror:",
            "circuit_breaker:",
            "connection_pool:",
        ];
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !unsupported.iter().any(|u| l.trim_start().starts_with(u)))
            .collect();
        std::fs::write(&path, kept.join("\n") + "\n").unwrap();
        pipeline::compile(&path, &with)
            .unwrap_or_else(|e| panic!("{case}/{side} does not build: {e:?}"))
    };
    let (old, new) = (build("before"), build("after"));
    let (g_old, g_new) = (CallGraph::of(&old.app), CallGraph::of(&new.app));
    diff::diff(
        Side::with_graph(&old.bundle.artifacts, &g_old),
        Side::with_graph(&new.bundle.artifacts, &g_new),
    )
}

#[test]
fn a_versions_service_exists_before_a_route_sends_to_it_and_goes_after() {
    use meshc::ast::{Mesh, Routing};
    for mesh in [Mesh::Istio, Mesh::Linkerd] {
        let added = plan_with("version_added", mesh, Routing::GatewayApi);
        let all = steps(&added);
        let create = all
            .iter()
            .position(|s| s.starts_with("create Service reviews-v"))
            .unwrap_or_else(|| panic!("{mesh:?}: no version Service created in {all:#?}"));
        let route = all
            .iter()
            .position(|s| s.starts_with("update HTTPRoute reviews"))
            .unwrap_or_else(|| panic!("{mesh:?}: no route update in {all:#?}"));
        assert!(create < route, "{mesh:?}: {all:#?}");
        let retired = plan_with("version_retired", mesh, Routing::GatewayApi);
        let all = steps(&retired);
        let route = all
            .iter()
            .position(|s| s.starts_with("update HTTPRoute reviews"))
            .unwrap_or_else(|| panic!("{mesh:?}: no route update in {all:#?}"));
        let delete = all
            .iter()
            .position(|s| s.starts_with("delete Service reviews-v"))
            .unwrap_or_else(|| panic!("{mesh:?}: no version Service deleted in {all:#?}"));
        assert!(route < delete, "{mesh:?}: {all:#?}");
    }
}

#[test]
fn the_picture_reads_shares_from_gamma_routes_as_from_virtual_services() {
    use meshc::ast::{Mesh, Routing};
    use meshc::diff::picture::EdgeKind;
    let native = plan("canary_shift");
    for p in [
        &native,
        &plan_with("canary_shift", Mesh::Istio, Routing::GatewayApi),
        &plan_with("canary_shift", Mesh::Linkerd, Routing::GatewayApi),
    ] {
        let moved: Vec<(String, Option<u32>, Option<u32>)> = p
            .edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Split)
            .map(|e| (e.to.clone(), e.before, e.after))
            .collect();
        assert_eq!(
            moved,
            [
                ("reviews/v1".to_string(), Some(50), Some(20)),
                ("reviews/v3".to_string(), Some(50), Some(80))
            ]
        );
    }
    let md = render::markdown(&native, render::Header { old: "a", new: "b" });
    assert!(md.contains("```mermaid\nflowchart LR\n"), "{md}");
    assert!(md.contains("-->|\"50% → 80%\"|"), "{md}");
}
