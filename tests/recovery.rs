//! One mistake never hides another: each code's example in
//! `examples/invalid/` gets a second, unrelated mistake, and both are
//! reported; the same for every way a KDL node can fail to map.

mod common;

use meshc::diag::{Code, Diagnostic};
use meshc::pipeline;
use meshc::source::SourceFile;
use std::path::Path;

/// The diagnostics, less M412: these texts name images by tag, and an
/// unpinned image is not the mistake any of them is about.
fn check(name: &str, text: &str) -> Vec<Diagnostic> {
    let file = SourceFile::new(name, text.to_string());
    let mut diags = pipeline::analyze(&file, Path::new(".")).1;
    diags.retain(|d| d.code != meshc::diag::Code::UnpinnedImage);
    diags
}

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

/// Codes whose example cannot take a second mistake: the text is not YAML
/// at all (M001: no tree to read further), or is not text (M007).
const NO_TREE: [&str; 2] = ["M001", "M007"];

#[test]
fn every_codes_example_with_a_second_mistake_reports_both() {
    let mut checked = 0;
    for &code in Code::ALL {
        let path = common::root()
            .join("examples/invalid")
            .join(code.as_str())
            .join("meshc.yaml");
        if NO_TREE.contains(&code.as_str()) || !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        // The extra mistake: a new first service calling one that does not
        // exist (M101), or, for M101's own example, a port out of range.
        let (extra, also) = if code == Code::UnknownService {
            (
                "  zzextra:\n    image: registry.example.com/zz:1.0\n    ports: { http: 99999 }\n",
                "M303",
            )
        } else {
            (
                "  zzextra:\n    image: registry.example.com/zz:1.0\n    ports: { http: 8080 }\n    calls: [zznowhere]\n",
                "M101",
            )
        };
        let at = if text.starts_with("services:\n") {
            0
        } else {
            match text.find("\nservices:\n") {
                Some(at) => at + 1,
                None => panic!("{}: no `services:` block", path.display()),
            }
        } + "services:\n".len();
        let doubled = format!("{}{extra}{}", &text[..at], &text[at..]);
        let base = path.parent().expect("dir");
        let file = SourceFile::new("meshc.yaml", doubled.clone());
        let diags = pipeline::analyze(&file, base).1;
        let found = codes(&diags);
        assert!(
            found.contains(&code.as_str()) && found.contains(&also),
            "{}: expected {} and {also}, got {found:?}\n{doubled}",
            code.as_str(),
            code.as_str()
        );
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} codes checked");
}

#[test]
fn kdl_app_takes_its_fields_as_properties() {
    let text = "app \"shop\" namespace=\"store\" mesh=\"none\"\n\
                service \"web\" {\n    image \"registry.example.com/web:1.0\"\n    port \"http\" 8080\n    calls \"apii\"\n}\n\
                service \"api\" {\n    image \"registry.example.com/api:1.0\"\n    port \"http\" 8080\n}\n";
    let diags = check("meshc.kdl", text);
    // Only the misspelt callee: the `app` line is the app's name and fields.
    assert_eq!(codes(&diags), ["M101"], "{diags:#?}");
    assert!(diags[0].help.as_deref().unwrap_or("").contains("`api`"));
    let file = SourceFile::new("meshc.kdl", text.replace("\"apii\"", "\"api\""));
    let (desc, diags) = pipeline::analyze(&file, Path::new("."));
    assert!(
        diags
            .iter()
            .all(|d| d.code == meshc::diag::Code::UnpinnedImage),
        "{diags:#?}"
    );
    let desc = desc.expect("decoded");
    assert_eq!(desc.app.expect("app").value, "shop");
    assert_eq!(desc.namespace.expect("namespace").value, "store");
}

#[test]
fn a_kdl_node_that_maps_to_nothing_hides_nothing_else() {
    let tail = "service \"api\" {\n    image \"registry.example.com/api:1.0\"\n    port \"http\" 8080\n}\n\
                service \"web\" {\n    image \"registry.example.com/web:1.0\"\n    port \"http\" 8080\n    calls \"apii\"\n}\n";
    let broken = [
        // an argument next to properties
        "app \"shop\"\ndefaults {\n    resources \"big\" cpu=\"1\"\n}\n",
        // a keyed node without a name
        "app \"shop\"\nservice {\n    image \"x:1\"\n}\n",
        // a list node with a property
        "app \"shop\"\nservice \"w\" {\n    image \"registry.example.com/w:1.0\"\n    port \"http\" 8080\n    calls \"api\" port=\"http\"\n}\n",
    ];
    for head in broken {
        let diags = check("meshc.kdl", &format!("{head}{tail}"));
        let found = codes(&diags);
        assert!(found.contains(&"M001"), "{head}: {found:?}");
        assert!(
            found.contains(&"M101"),
            "{head}: the misspelt callee is still found: {found:?}"
        );
    }
}
