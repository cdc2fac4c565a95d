//! Hostile and broken input, through the real binary: every case gets an
//! answer a user can act on (exit status, diagnostic code, message), within a
//! time bound, under a memory limit, and writes nothing.
//!
//! Each run prints its wall time (`cargo test --test hostile -- --nocapture`).
//! Times are asserted loosely (the machine may be shared); memory is bounded
//! by running meshc under an address-space limit, so a case that needs more
//! dies by a signal and fails the test.

#[path = "support/dockerfile.rs"]
mod dockerfile;
#[path = "support/yaml11.rs"]
mod yaml11;

#[path = "hostile/escape.rs"]
mod escape;
#[path = "hostile/files.rs"]
mod files;
#[path = "hostile/injection.rs"]
mod injection;
#[path = "hostile/regressions.rs"]
mod regressions;
#[path = "hostile/size.rs"]
mod size;
#[path = "hostile/types.rs"]
mod types;

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Address space meshc may map: "a few hundred MB". Calibrated on the debug
/// binary: small input needs under 20 MiB; the heaviest case here (16 MB of
/// values, just under the input limit) peaks at about 60 MB resident.
const MEMORY_LIMIT: u64 = 512 * 1024 * 1024;
/// The issue asks for "within a second" (the release figures in the README
/// meet it); the debug build on a shared 2-core CI machine gets ten times
/// that before the test calls it a hang. Measured times are printed.
const TIME_LIMIT: Duration = Duration::from_secs(10);

struct Run {
    exit: i32,
    stdout: String,
    stderr: String,
}

/// Runs meshc in `dir` under the memory limit; fails the test if it was
/// killed (a crash, or memory beyond the limit) or took too long.
fn meshc(case: &str, dir: &Path, args: &[&str]) -> Run {
    let bin = env!("CARGO_BIN_EXE_meshc");
    let mut cmd = if has_prlimit() {
        let mut c = Command::new("prlimit");
        c.arg(format!("--as={MEMORY_LIMIT}")).arg("--").arg(bin);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!(
                "ulimit -v {} && exec \"$0\" \"$@\"",
                MEMORY_LIMIT / 1024
            ))
            .arg(bin);
        c
    };
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    let start = Instant::now();
    let out = cmd.output().expect("meshc runs");
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    println!(
        "{case:<34} meshc {:<6} exit {:>4}  {:>7.3} s",
        args[0],
        format!("{:?}", out.status.code()),
        took.as_secs_f64()
    );
    let Some(exit) = out.status.code() else {
        panic!(
            "{case}: meshc was killed ({:?}): a crash, or more than {} MiB of address space\n{stderr}",
            out.status,
            MEMORY_LIMIT >> 20
        );
    };
    assert!(
        !stderr.contains("panicked"),
        "{case}: meshc panicked\n{stderr}"
    );
    assert!(took < TIME_LIMIT, "{case}: meshc {} took {took:?}", args[0]);
    Run {
        exit,
        stdout,
        stderr,
    }
}

fn has_prlimit() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        Command::new("prlimit")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Every file under `dir` with its size: what "wrote nothing" is checked against.
fn listing(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).expect("metadata");
            if meta.is_dir() {
                stack.push(p.clone());
            }
            out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), meta.len());
        }
    }
    out
}

/// The diagnostics of `meshc check --format json`, as (code, message).
fn diagnostics(run: &Run) -> Vec<(String, String)> {
    let items: Vec<Json> = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("check --format json printed no JSON ({e}):\n{}", run.stdout));
    items
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// What a user must see for one broken input.
struct Refusal {
    exit: i32,
    /// The diagnostic code; None for I/O failures, which are errors of the tool.
    code: Option<&'static str>,
    /// Part of the message.
    message: &'static str,
}

const fn findings(code: &'static str, message: &'static str) -> Refusal {
    Refusal {
        exit: 1,
        code: Some(code),
        message,
    }
}

const fn io_error(message: &'static str) -> Refusal {
    Refusal {
        exit: 2,
        code: None,
        message,
    }
}

/// `meshc check` and `meshc build` on `file` (relative to `dir`) both refuse
/// it the way `want` says, and the build writes nothing at all.
fn assert_refused(case: &str, dir: &Path, file: &str, want: Refusal) {
    let before = listing(dir);
    let check = meshc(case, dir, &["check", "--format", "json", file]);
    assert_eq!(
        check.exit, want.exit,
        "{case}: check exit\n{}{}",
        check.stdout, check.stderr
    );
    match want.code {
        Some(code) => {
            let diags = diagnostics(&check);
            assert!(
                diags
                    .iter()
                    .any(|(c, m)| c == code && m.contains(want.message)),
                "{case}: want {code} `{}`, got {diags:?}",
                want.message
            );
        }
        None => assert!(
            check.stderr.contains(want.message),
            "{case}: want `{}` on stderr, got {}",
            want.message,
            check.stderr
        ),
    }

    let build = meshc(case, dir, &["build", file, "-o", "out"]);
    assert_eq!(
        build.exit, want.exit,
        "{case}: build exit\n{}",
        build.stderr
    );
    assert!(
        build.stderr.contains(want.message),
        "{case}: build stderr lacks `{}`:\n{}",
        want.message,
        build.stderr
    );
    if let Some(code) = want.code {
        assert!(build.stderr.contains(code), "{}", build.stderr);
        assert!(
            build
                .stderr
                .contains("the description has errors; nothing was written"),
            "{}",
            build.stderr
        );
    }
    assert_eq!(listing(dir), before, "{case}: build wrote something");
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

const VALID: &str = "app: shop\nservices:\n  web: { image: nginx:1.27, ports: { http: 80 } }\n";
