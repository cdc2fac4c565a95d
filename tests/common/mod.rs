//! Helpers shared by the integration tests.
#![allow(dead_code)]

use meshc::diag::render::{self, FileReport, HumanOptions, OutputFormat};
use meshc::pipeline;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// insta settings that keep every snapshot in the top-level `snapshots/`.
pub fn snapshots() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(root().join("snapshots"));
    s.set_prepend_module_to_snapshot(true);
    s.set_omit_expression(true);
    s
}

/// Checks a description the way `meshc check` does and renders the report
/// without colour at a fixed width. Paths are shown relative to the repository.
pub fn check_report(path: &Path) -> (Vec<meshc::diag::Diagnostic>, String) {
    let rel = path.strip_prefix(root()).unwrap_or(path);
    let (file, mut diags) = pipeline::read(&root().join(rel)).expect("readable");
    let file =
        meshc::source::SourceFile::new(rel.to_string_lossy().replace('\\', "/"), file.text.clone());
    if diags.is_empty() {
        diags = pipeline::analyze(&file, &pipeline::base_dir(&root().join(rel))).1;
    }
    let report = FileReport {
        file,
        diagnostics: diags.clone(),
    };
    let text = render::render(
        OutputFormat::Human,
        &[report],
        &HumanOptions {
            color: false,
            width: 100,
        },
    );
    (diags, text)
}
