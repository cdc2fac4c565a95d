//! The properties the fuzz targets assert, beyond "did not crash": spans
//! inside the input, reproducible bundles, YAML that parses back to exactly
//! the objects meshc built and reads the same under YAML 1.1, and Dockerfiles
//! made only of the instructions meshc writes.

#[path = "../../tests/support/dockerfile.rs"]
pub mod dockerfile;
#[path = "../../tests/support/yaml11.rs"]
pub mod yaml11;

use meshc::bundle::Bundle;
use meshc::diag::Diagnostic;
use meshc::diag::render::{self, FileReport, HumanOptions, OutputFormat};
use meshc::source::{SourceFile, Span};
use meshc::syntax::{Node, Value};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Inputs starting with this line are KDL (the rest of the input), others YAML.
pub const KDL_MARKER: &[u8] = b"//kdl\n";

/// The file name that selects the front end, and the description's bytes.
pub fn split(data: &[u8]) -> (&'static str, &[u8]) {
    match data.strip_prefix(KDL_MARKER) {
        Some(rest) => ("fuzz.kdl", rest),
        None => ("fuzz.yaml", data),
    }
}

/// Where relative paths in fuzzed descriptions resolve: `fuzz/base`, which
/// `scripts/fuzz.sh` fills with the examples' files so seeds reach lowering
/// and emission. Without it paths are missing (M403) and the targets still run.
pub fn base() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("base")
}

/// A span lies inside the text and on character boundaries, so every
/// renderer can point at it.
pub fn assert_span(text: &str, span: Span, what: &str) {
    let (s, e) = (span.start as usize, span.end as usize);
    assert!(
        s <= e && e <= text.len(),
        "{what}: span {s}..{e} outside the input ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(s) && text.is_char_boundary(e),
        "{what}: span {s}..{e} splits a character"
    );
}

pub fn assert_diagnostics(text: &str, diags: &[Diagnostic]) {
    for d in diags {
        let what = format!("{} `{}`", d.code.as_str(), d.message);
        assert_span(text, d.primary.span, &what);
        for l in &d.secondary {
            assert_span(text, l.span, &what);
        }
    }
}

pub fn assert_tree(text: &str, node: &Node) {
    assert_span(text, node.span, "node");
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| assert_tree(text, n)),
        Value::Map(entries) => {
            for (k, v) in entries {
                assert_span(text, k.span, "key");
                assert_tree(text, v);
            }
        }
        _ => {}
    }
}

/// Renders a report in every format; none may panic.
pub fn render_all(file: Arc<SourceFile>, diagnostics: Vec<Diagnostic>) {
    let reports = [FileReport { file, diagnostics }];
    let human = HumanOptions {
        color: false,
        width: 100,
    };
    for format in [
        OutputFormat::Human,
        OutputFormat::Json,
        OutputFormat::Github,
        OutputFormat::Sarif,
    ] {
        let _ = render::render(format, &reports, &human);
    }
}

/// Every file of a bundle, bytes included (the lock last).
pub fn files(bundle: &Bundle) -> Vec<(String, Vec<u8>)> {
    bundle
        .files()
        .map(|(p, b)| (p.to_string(), b.into_owned()))
        .collect()
}

/// The properties of a bundle built from any input.
pub fn assert_bundle(bundle: &Bundle) {
    let mut seen = std::collections::HashSet::new();
    for a in &bundle.artifacts {
        let p = Path::new(&a.path);
        assert!(
            !a.path.is_empty()
                && !a.path.contains('\\')
                && p.components().all(|c| matches!(c, Component::Normal(_))),
            "artifact path `{}` could leave the bundle",
            a.path
        );
        assert!(seen.insert(a.path.clone()), "`{}` emitted twice", a.path);
        let text = std::str::from_utf8(&a.bytes).expect("artifacts are UTF-8");
        if a.path.ends_with(".yaml") || a.path.ends_with(".yml") {
            assert_yaml(&a.path, text, a);
        } else if a.path.ends_with("Dockerfile") {
            assert_dockerfile(&a.path, text);
        }
    }
}

/// The file parses back, one document per object meshc built: each with
/// the identity meshc recorded, the digest of its text, and the same tree
/// whether the file is read whole (serde-saphyr) or the document alone
/// (meshc's reader, what `diff` uses); and no plain scalar reads
/// differently under YAML 1.1.
fn assert_yaml(path: &str, text: &str, artifact: &meshc::emit::Artifact) {
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(text)
        .unwrap_or_else(|e| panic!("{path} does not parse back: {e}\n{text}"));
    let resources = &artifact.resources;
    if !resources.is_empty() {
        assert_eq!(
            docs.len(),
            resources.len(),
            "{path}: documents vs objects\n{text}"
        );
        for (doc, r) in docs.into_iter().zip(resources) {
            let whole = meshc::emit::Resource::from_tree(meshc::emit::yaml::sort(doc));
            let same_identity = (
                &whole.api_version,
                &whole.kind,
                &whole.namespace,
                &whole.name,
                &whole.service,
            ) == (&r.api_version, &r.kind, &r.namespace, &r.name, &r.service);
            assert!(
                same_identity,
                "{path}: {} `{}` reads back as another object\n{text}",
                r.kind, r.name
            );
            assert_eq!(
                whole.canonical.as_ref(),
                Some(&*artifact.tree(r)),
                "{path}: {} `{}` reads differently alone\n{text}",
                r.kind,
                r.name
            );
            assert_eq!(
                meshc::bundle::sha256_hex(text[r.doc.clone()].as_bytes()),
                r.sha256,
                "{path}: {} `{}`: digest",
                r.kind,
                r.name
            );
        }
    }
    let ambiguous = yaml11::ambiguous_plain_scalars(text).expect("parsed above");
    assert!(
        ambiguous.is_empty(),
        "{path}: plain scalars a YAML 1.1 reader takes differently: {ambiguous:?}\n{text}"
    );
}

/// The instructions meshc's templates use.
const INSTRUCTIONS: [&str; 12] = [
    "FROM",
    "WORKDIR",
    "ENV",
    "COPY",
    "RUN",
    "LABEL",
    "USER",
    "EXPOSE",
    "HEALTHCHECK",
    "CMD",
    "ARG",
    "ENTRYPOINT",
];

fn assert_dockerfile(path: &str, text: &str) {
    for (kw, rest) in dockerfile::instructions(text) {
        assert!(
            INSTRUCTIONS.contains(&kw.as_str()),
            "{path}: unexpected instruction `{kw}`\n{text}"
        );
        // Exec form must stay valid JSON, or Docker runs it through a shell.
        if let Some(e) = dockerfile::exec_form(&kw, &rest) {
            let v: Result<Vec<String>, _> = serde_json::from_str(&e);
            assert!(
                v.is_ok(),
                "{path}: exec form is not a JSON array of strings: {e}\n{text}"
            );
        }
    }
}
