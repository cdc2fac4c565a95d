//! `meshc graph`: every example drawn as a reviewed Mermaid, JSON and DOT
//! snapshot, the DOT rendered by real Graphviz, call cycles and unreached
//! services marked, labels escaped, and the exit status users see.

mod common;

use common::{stderr, stdout};
use meshc::graph::{self, Kind, load};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn examples() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(common::root().join("examples"))
        .expect("examples")
        .map(|e| e.expect("entry").path().join("meshc.yaml"))
        .filter(|p| p.exists())
        .collect();
    out.sort();
    out
}

fn name_of(path: &Path) -> String {
    path.parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The three renderings of a description, drawn through the library.
fn draw(path: &Path, env: Option<&str>) -> (String, String, String) {
    let loaded = match load::load(path, env) {
        Ok(l) => l,
        Err(e) => panic!("{} cannot be drawn: {e:?}", path.display()),
    };
    let g = graph::graph(&loaded.app);
    (
        graph::dot::render(&g),
        graph::mermaid::render(&g),
        graph::json::render(&g),
    )
}

/// A description written to a fresh directory.
fn description(yaml: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("meshc.yaml");
    std::fs::write(&path, yaml).expect("write");
    (dir, path)
}

/// Runs `dot -Tsvg` on `text`. Graphviz is a test dependency: CI installs
/// it, and a machine without it fails here rather than skipping silently.
fn graphviz(text: &str, what: &str) {
    let child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => panic!(
            "Graphviz `dot` cannot be run ({e}); these tests render every graph with it: \
             install it (`apt-get install -y graphviz`) and run them again"
        ),
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to dot");
    let out = child.wait_with_output().expect("dot runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.trim().is_empty(),
        "dot rejects the graph of {what}:\n{err}\n{text}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("<svg"),
        "dot wrote no SVG for {what}"
    );
}

#[test]
fn every_example_graph_matches_its_reviewed_snapshot() {
    let settings = common::snapshots();
    for path in examples() {
        let name = name_of(&path);
        let (dot, mermaid, json) = draw(&path, None);
        settings.bind(|| {
            insta::assert_snapshot!(format!("{name}__mermaid"), mermaid);
            insta::assert_snapshot!(format!("{name}__json"), json);
            insta::assert_snapshot!(format!("{name}__dot"), dot);
        });
    }
}

#[test]
fn every_example_renders_through_graphviz() {
    for path in examples() {
        graphviz(&draw(&path, None).0, &path.display().to_string());
    }
}

#[test]
fn the_same_description_draws_the_same_bytes() {
    for path in examples() {
        assert_eq!(draw(&path, None), draw(&path, None), "{}", path.display());
    }
}

#[test]
fn an_environment_overlay_changes_the_split() {
    let path = common::root().join("examples/shop/meshc.yaml");
    let (_, _, base) = draw(&path, None);
    let (_, _, prod) = draw(&path, Some("prod"));
    assert_ne!(base, prod);
    let json: serde_json::Value = serde_json::from_str(&prod).expect("json");
    let splits: Vec<(String, u64)> = json["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["kind"] == "split" && e["from"] == "checkout")
        .map(|e| {
            (
                e["to"].as_str().expect("to").to_string(),
                e["weight"].as_u64().expect("weight"),
            )
        })
        .collect();
    assert_eq!(
        splits,
        [("checkout/v1".into(), 50), ("checkout/v2".into(), 50)]
    );
}

const CYCLE: &str = r#"app: loop
services:
  web: { image: "r.example.com/web:1", ports: { http: 80 }, calls: [a], ingress: { host: loop.example.com } }
  a: { image: "r.example.com/a:1", ports: { http: 80 }, calls: [b] }
  b: { image: "r.example.com/b:1", ports: { http: 80, admin: 81 }, calls: [a, c] }
  c: { image: "r.example.com/c:1", ports: { http: 80 }, calls: [c] }
"#;

#[test]
fn call_cycles_are_marked_and_only_they() {
    let (_dir, path) = description(CYCLE);
    let loaded = load::load(&path, None).expect("a description with a cycle is still drawn");
    assert!(loaded.has_errors(), "the cycle is an error (M103)");
    let g = graph::graph(&loaded.app);
    let name = |n: graph::Node| match n {
        graph::Node::Service(s) => g.app.services[s].name.as_str(),
        _ => "?",
    };
    let calls: Vec<(&str, &str, bool)> = g
        .edges
        .iter()
        .filter(|e| e.kind == Kind::Call)
        .map(|e| (name(e.from), name(e.to), e.cycle))
        .collect();
    assert_eq!(
        calls,
        [
            ("web", "a", false),
            ("a", "b", true),
            ("b", "a", true),
            ("b", "c", false),
            ("c", "c", true),
        ]
    );
    // The ingress edge is link 0, then web -> a, a -> b (2), b -> a (3), b -> c, c -> c (5).
    let mermaid = graph::mermaid::render(&g);
    assert!(
        mermaid.contains("  linkStyle 2,3,5 stroke:#d00"),
        "{mermaid}"
    );
    assert!(mermaid.contains("  class s_a,s_b,s_c cycle\n"), "{mermaid}");
    let dot = graph::dot::render(&g);
    assert!(
        dot.contains("\"a\" -> \"b\" [label=\"80/http, 81/admin\", color=red"),
        "{dot}"
    );
    assert!(dot.contains("\"b\" -> \"c\" [label=\"80/http\"];"), "{dot}");
    graphviz(&dot, "the cycle");
}

#[test]
fn the_invalid_cycle_example_is_drawn_with_its_cycle() {
    let o = common::meshc(
        &common::root(),
        &[
            "graph",
            "examples/invalid/M103/meshc.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json on stdout");
    let edges = json["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 3);
    assert!(edges.iter().all(|e| e["cycle"] == true), "{json}");
    let err = stderr(&o);
    assert!(err.contains("call cycle: a -> b -> c -> a"), "{err}");
    assert!(err.contains("the graph shows what could be drawn"), "{err}");
}

const UNREACHED: &str = r#"app: lonely
services:
  web: { image: "r.example.com/web:1", ports: { http: 80 }, calls: [api], ingress: { host: lonely.example.com } }
  api: { image: "r.example.com/api:1", ports: { http: 80 } }
  batch: { image: "r.example.com/batch:1", ports: { http: 80 }, calls: [api, batch] }
"#;

#[test]
fn a_service_nobody_reaches_is_marked() {
    let (dir, path) = description(UNREACHED);
    let (dot, mermaid, json) = draw(&path, None);
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    // Calling itself does not reach `batch`.
    assert_eq!(json["unreached"], serde_json::json!(["batch"]));
    assert!(mermaid.contains("  class s_batch unreached\n"), "{mermaid}");
    assert!(
        mermaid.contains("s_batch[\"batch<br/>80/http<br/>(unreached)\"]"),
        "{mermaid}"
    );
    assert!(
        dot.contains("\"batch\" [label=\"batch\\n80/http\\n(unreached)\", style=dashed"),
        "{dot}"
    );
    graphviz(&dot, "the unreached service");
    drop(dir);
}

const HOSTILE: &str = r#"app: "a\"pp"
services:
  web:
    image: "r.example.com/web:1"
    ports: { http: 80 }
    ingress: { host: "w.example.com", paths: ["/a|b", "/<x>"] }
    versions: { end: {}, "v\"2": {} }
    traffic:
      routes:
        - match: { headers: { x-q: "say \"hi\" | #1 <b> & `c` \\N" } }
          to: end
"#;

#[test]
fn labels_are_escaped_and_ids_sanitized() {
    let (_dir, path) = description(HOSTILE);
    let loaded = load::load(&path, None).expect("drawn");
    let g = graph::graph(&loaded.app);
    let mermaid = graph::mermaid::render(&g);
    // `end` closes a subgraph in Mermaid: it is never an id.
    assert!(mermaid.contains("    v_web_end(\"end\")\n"), "{mermaid}");
    assert!(
        mermaid.contains("    v_web_v_2(\"v#quot;2\")\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains(
            "|\"header x-q=say #quot;hi#quot; #124; #35;1 #lt;b#gt; #amp; #96;c#96; \\N\"| v_web_end"
        ),
        "{mermaid}"
    );
    for line in mermaid.lines() {
        // Inside a quoted label only the delimiters are quotes.
        let quotes = line.matches('"').count();
        assert!(quotes % 2 == 0, "unbalanced quotes: {line}");
    }
    let dot = graph::dot::render(&g);
    assert!(dot.starts_with("digraph \"a\\\"pp\" {"), "{dot}");
    assert!(dot.contains("\\\\N"), "a backslash is doubled: {dot}");
    graphviz(&dot, "hostile labels");
}

#[test]
fn every_invalid_example_is_drawn_or_refused_without_a_panic() {
    for entry in std::fs::read_dir(common::root().join("examples/invalid")).expect("invalid") {
        let dir = entry.expect("entry").path();
        for f in ["meshc.yaml", "meshc.kdl"] {
            let path = dir.join(f);
            if !path.exists() {
                continue;
            }
            let o = common::meshc(&dir, &["graph", f]);
            let code = o.status.code();
            assert!(
                code == Some(0) || code == Some(1),
                "{}: exit {code:?}\n{}",
                path.display(),
                stderr(&o)
            );
            if !stdout(&o).is_empty() {
                graphviz(&stdout(&o), &path.display().to_string());
            }
        }
    }
}

#[test]
fn exit_status_and_streams() {
    let root = common::root();
    let clean = common::meshc(&root, &["graph", "examples/bookinfo/meshc.yaml"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert!(stdout(&clean).starts_with("digraph \"bookinfo\" {"));
    assert_eq!(stderr(&clean), "");

    let kdl = common::meshc(
        &root,
        &[
            "graph",
            "examples/bookinfo/meshc.kdl",
            "--format",
            "mermaid",
        ],
    );
    let yaml = common::meshc(
        &root,
        &[
            "graph",
            "examples/bookinfo/meshc.yaml",
            "--format",
            "mermaid",
        ],
    );
    assert_eq!(stdout(&kdl), stdout(&yaml), "KDL and YAML twins draw alike");

    let missing = common::meshc(&root, &["graph", "no/such/meshc.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no such file"),
        "{}",
        stderr(&missing)
    );

    let env = common::meshc(
        &root,
        &["graph", "examples/shop/meshc.yaml", "--env", "nope"],
    );
    assert_eq!(env.status.code(), Some(2));
    assert!(
        stderr(&env).contains("no environment `nope`"),
        "{}",
        stderr(&env)
    );
    assert_eq!(stdout(&env), "");

    let (dir, path) = description("app: x\nservices: [\n");
    let broken = common::meshc(dir.path(), &["graph", &path.to_string_lossy()]);
    assert_eq!(broken.status.code(), Some(1));
    assert_eq!(stdout(&broken), "", "nothing to draw");
    assert!(stderr(&broken).contains("M001"), "{}", stderr(&broken));
    assert!(stderr(&broken).contains("no graph was drawn"));

    let empty = tempfile::tempdir().expect("tempdir");
    let none = common::meshc(empty.path(), &["graph"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("name the description to draw"));
}

#[test]
fn out_writes_the_file_and_nothing_to_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("graph.json");
    let o = common::meshc(
        &common::root(),
        &[
            "graph",
            "examples/plain/meshc.yaml",
            "--format",
            "json",
            "-o",
            &out.to_string_lossy(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let written = std::fs::read_to_string(&out).expect("written");
    assert_eq!(
        written,
        draw(&common::root().join("examples/plain/meshc.yaml"), None).2
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind");
}
