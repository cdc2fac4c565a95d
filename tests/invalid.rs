//! One bad description per diagnostic code, under `examples/invalid/<code>/`,
//! and the exact report users see for it.

mod common;

use meshc::diag::Code;

fn example(code: Code) -> Option<std::path::PathBuf> {
    let dir = common::root().join("examples/invalid").join(code.as_str());
    ["meshc.yaml", "meshc.kdl"]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.exists())
}

/// Codes that only `build` raises, for the target it builds: `check` knows
/// no target. Each has its own test (M207: tests/compose.rs).
const BUILD_ONLY: [Code; 1] = [Code::NotAppliedLocally];

#[test]
fn every_code_has_an_invalid_example_that_raises_it() {
    let mut missing = Vec::new();
    for &code in Code::ALL.iter().filter(|c| !BUILD_ONLY.contains(c)) {
        let Some(path) = example(code) else {
            missing.push(code.as_str());
            continue;
        };
        let (diags, text) = common::check_report(&path);
        assert!(
            diags.iter().any(|d| d.code == code),
            "{} does not raise {}:\n{text}",
            path.display(),
            code.as_str()
        );
    }
    assert!(
        missing.is_empty(),
        "codes without an example in examples/invalid/: {missing:?}"
    );
}

#[test]
fn invalid_examples_render_as_reviewed() {
    let settings = common::snapshots();
    for &code in Code::ALL {
        let Some(path) = example(code) else { continue };
        let (_, text) = common::check_report(&path);
        settings.bind(|| insta::assert_snapshot!(code.as_str(), text));
    }
}

#[test]
fn every_code_explains_itself() {
    for &code in Code::ALL {
        let text = code.explain();
        let r = code.rule();
        assert!(text.starts_with(&format!("{} {}", r.code, r.name)));
        for part in [r.summary, r.why, r.wrong, r.right] {
            assert!(!part.trim().is_empty(), "{} has an empty section", r.code);
        }
        assert_ne!(
            r.wrong, r.right,
            "{}: the right example must differ",
            r.code
        );
    }
}
