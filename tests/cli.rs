//! The command line as users and CI see it: exit status, stdout and stderr.

mod common;

use common::{stderr, stdout};
use std::process::{Command, Output};

/// meshc run from the repository root.
fn meshc(args: &[&str]) -> Output {
    common::meshc(&common::root(), args)
}

#[test]
fn clean_examples_pass_with_a_one_line_summary() {
    for (ex, n) in [
        ("examples/bookinfo/meshc.yaml", 4),
        ("examples/shop/meshc.yaml", 11),
    ] {
        let o = meshc(&["check", "--deny-warnings", ex]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{ex}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert_eq!(stdout(&o), format!("{ex}: {n} services, no problems\n"));
        // --quiet: a pre-commit hook that says nothing when all is well.
        let o = meshc(&["check", "--quiet", ex]);
        assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), ""));
    }
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let o = meshc(&["--version"]);
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!("meshc {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(out.trim_end().ends_with(')'), "{out}");
}

#[test]
fn completions_and_the_manual_come_from_the_same_definitions() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = meshc(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let out = stdout(&o);
        for sub in ["check", "build", "diff", "graph", "import"] {
            assert!(out.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    // The bash script is valid bash.
    let script = stdout(&meshc(&["completions", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("meshc.bash");
    std::fs::write(&path, script).unwrap();
    let bash = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash runs");
    assert!(
        bash.status.success(),
        "{}",
        String::from_utf8_lossy(&bash.stderr)
    );
    let man = stdout(&meshc(&["man"]));
    assert!(man.contains(".TH meshc 1"), "{man}");
    assert!(
        man.contains("meshc\\-check(1)") || man.contains("check"),
        "{man}"
    );
    let o = meshc(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn findings_exit_1_and_render_every_problem() {
    let o = meshc(&[
        "check",
        "examples/invalid/M103/meshc.yaml",
        "examples/invalid/M101/meshc.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("call cycle: a -> b -> c -> a"), "{out}");
    assert!(out.contains("did you mean `payment`?"), "{out}");
    // The examples' images are tag-only: M412 once per image, 3 + 2.
    assert!(out.contains("2 errors, 5 warnings in 2 files"), "{out}");
}

#[test]
fn warnings_fail_only_when_asked() {
    let ex = "examples/invalid/M404/meshc.yaml";
    assert_eq!(meshc(&["check", ex]).status.code(), Some(0));
    assert_eq!(
        meshc(&["check", "--deny-warnings", ex]).status.code(),
        Some(1)
    );
    assert_eq!(
        meshc(&["check", "--failure-threshold", "warning", ex])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn io_errors_exit_2_with_a_clear_message() {
    let o = meshc(&["check", "no/such/meshc.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read `no/such/meshc.yaml`: no such file"),
        "{}",
        stderr(&o)
    );
    let o = meshc(&["check", "examples"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("it is a directory"), "{}", stderr(&o));
    assert_eq!(meshc(&["check", "--format", "xml"]).status.code(), Some(2));
}

#[test]
fn json_format_is_a_stable_array() {
    let o = meshc(&[
        "check",
        "--format",
        "json",
        "examples/invalid/M101/meshc.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let all = v.as_array().expect("array");
    let codes: Vec<&str> = all.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["M412", "M101", "M412"], "sorted by position: {v:#}");
    let d = &all[1];
    assert_eq!(d["name"], "unknown-service");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "examples/invalid/M101/meshc.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(6), Some(13))
    );
    assert!(d["help"].as_str().unwrap_or("").contains("payment"));
    let clean = meshc(&["check", "--format", "json", "examples/bookinfo/meshc.yaml"]);
    assert_eq!(stdout(&clean).trim(), "[]");
}

#[test]
fn github_format_annotates_lines() {
    let o = meshc(&[
        "check",
        "--format",
        "github",
        "examples/invalid/M101/meshc.yaml",
    ]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "one line per diagnostic: {out}");
    assert!(
        lines[1].starts_with("::error file=examples/invalid/M101/meshc.yaml,line=6,col=13,endLine=6,endColumn=19,title=M101 unknown-service::`paymnt` is not a service"),
        "{out}"
    );
    assert!(
        lines[0].starts_with("::warning file=examples/invalid/M101/meshc.yaml,line=4,col=12,"),
        "{out}"
    );
}

#[test]
fn sarif_format_is_sarif_2_1_0() {
    let o = meshc(&[
        "check",
        "--format",
        "sarif",
        "examples/invalid/M202/meshc.yaml",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), meshc::diag::Code::ALL.len());
    let results = run["results"].as_array().expect("results");
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "M202")
        .expect("an M202 result");
    assert_eq!(result["level"], "error");
    let idx = result["ruleIndex"].as_u64().expect("index") as usize;
    assert_eq!(rules[idx]["id"], "M202");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].as_u64() >= Some(1));
}

#[test]
fn explain_prints_every_code_and_rejects_unknown_ones() {
    let o = meshc(&["explain", "M103"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("M103 call-cycle (error)"), "{out}");
    assert!(out.contains("Wrong:") && out.contains("Right:"));
    assert_eq!(
        meshc(&["explain", "unknown-service"]).status.code(),
        Some(0)
    );
    let all = stdout(&meshc(&["explain", "all"]));
    assert_eq!(all.lines().count(), meshc::diag::Code::ALL.len());
    let bad = meshc(&["explain", "M999"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("no diagnostic code `M999`"));
}

#[test]
fn schema_command_prints_the_checked_in_schema() {
    let o = meshc(&["schema"]);
    let on_disk = std::fs::read_to_string(common::root().join("schemas/meshc.schema.json"))
        .unwrap_or_default();
    assert_eq!(stdout(&o), on_disk);
}

#[test]
fn ten_mistakes_give_ten_diagnostics_in_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("meshc.yaml");
    std::fs::write(
        &path,
        r#"app: Shop
services:
  web:
    image: "registry.example.com/web:1.0"
    replica: 2
    ports: { http: 80800 }
    calls: [paymnt]
    traffic: { timeout: 10 seconds }
  payment:
    image: 42
    ports: { http: 8080 }
    resources: { memory: 128MB }
    autoscale: { min: 5, max: 2 }
  reviews:
    ports: { http: 9080 }
    versions:
      v1: { image: "registry.example.com/reviews:1" }
    traffic: { split: { v1: 60, v2: 30 } }
"#,
    )
    .expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let codes: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["code"].as_str())
        // The two tag-only images are warned about too; not one of the ten.
        .filter(|&c| c != "M412")
        .collect();
    assert_eq!(
        codes,
        [
            "M006", "M002", "M303", "M101", "M301", "M003", "M302", "M305", "M202", "M201"
        ],
        "{v:#}"
    );
}
