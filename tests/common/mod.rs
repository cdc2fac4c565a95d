//! Helpers shared by the integration tests.
#![allow(dead_code)]

use meshc::diag::render::{self, FileReport, HumanOptions, OutputFormat};
use meshc::pipeline;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the meshc binary in `dir`, without colour.
pub fn meshc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("meshc runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Copies the tree under `from` into `to` (created if missing).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
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
