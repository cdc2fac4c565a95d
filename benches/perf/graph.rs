//! `perf graph [N] [REPS] [DIR]`: `meshc graph` on the generated clean
//! description of N services (10,000 by default), in each format, as separate processes
//! (with `meshc check` beside it: reading and checking are most of a
//! graph), then the graph stage alone in process, through the library.
//! The target is 300 ms for the whole command at N = 10,000.

use crate::measure::{self, Cmd, median};
use crate::report::{mb, ms};
use crate::{MESHC, generate};
use meshc::graph::{self, load};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TARGET: Duration = Duration::from_millis(300);

pub fn command(args: &[String]) -> i32 {
    let n = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let reps = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let dir = args.get(2).map_or_else(
        || PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("meshc-bench-graph"),
        PathBuf::from,
    );
    match run(n, reps, &dir) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// Prints the table and whether every format met the target, on the clean
/// input (`generate::yaml_layered`); then `check` and `graph` once more on
/// the chained input, whose ~20,000 warnings both print, not held to it.
fn run(n: usize, reps: usize, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let yaml = dir.join("meshc.yaml");
    let findings = dir.join("findings.yaml");
    std::fs::write(&yaml, generate::yaml_layered(n)).map_err(|e| e.to_string())?;
    std::fs::write(&findings, generate::yaml(n, generate::Changed::No))
        .map_err(|e| e.to_string())?;
    // Both inputs pin the same images; without the lock, the clean input
    // would carry 20,000 M412 warnings and time their rendering.
    std::fs::write(
        dir.join(meshc::pin::LOCK_FILE),
        generate::lock(n, generate::Changed::No),
    )
    .map_err(|e| e.to_string())?;
    let (y, f) = (
        yaml.to_string_lossy().into_owned(),
        findings.to_string_lossy().into_owned(),
    );
    clean(&y)?;
    println!("meshc graph, N = {n} services, {reps} runs each");
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>10}",
        "command", "median", "fastest", "CPU", "max RSS"
    );
    let row = |name: &str, cmd: &Cmd| {
        let st = measure::repeat(reps, cmd, || {});
        if let Some((code, err)) = &st.failure {
            println!("{name:<34} failed: exit {code}: {err}");
            return None;
        }
        println!(
            "{name:<34} {:>10} {:>10} {:>10} {:>10}",
            ms(st.median),
            ms(st.min),
            ms(st.cpu),
            mb(st.max_rss)
        );
        Some(st.median)
    };
    let graph = |input: &str, format: &str| {
        let out = dir.join(format!("graph.{format}"));
        Cmd::new(&[
            MESHC,
            "graph",
            input,
            "--format",
            format,
            "-o",
            &out.to_string_lossy(),
        ])
    };
    row("meshc check", &Cmd::new(&[MESHC, "check", &y]));
    let mut met = true;
    for format in ["dot", "mermaid", "json"] {
        let t = row(
            &format!("meshc graph --format {format}"),
            &graph(&y, format),
        );
        met &= t.is_some_and(|t| t <= TARGET);
    }
    row(
        "meshc check, findings input",
        &Cmd::new(&[MESHC, "check", &f]),
    );
    row("meshc graph, findings input", &graph(&f, "dot"));
    let (load, build, renders) = in_process(&yaml, reps)?;
    println!(
        "in process (system allocator, results dropped): load (read, parse, check, lower) {}, graph::graph {}, {renders}",
        ms(load),
        ms(build)
    );
    println!(
        "target: meshc graph under {} at N = 10,000: {}",
        ms(TARGET),
        if met { "met" } else { "missed" }
    );
    Ok(())
}

/// Loading (dropped after, as a library caller would), then the graph
/// stage and each renderer alone.
fn in_process(yaml: &Path, reps: usize) -> Result<(Duration, Duration, String), String> {
    let loaded = load::load(yaml, None).map_err(|e| format!("{e:?}"))?;
    let time = |f: &dyn Fn() -> usize| {
        let mut t: Vec<Duration> = (0..reps.max(1))
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect();
        t.sort();
        median(&t)
    };
    let load = time(&|| load::load(yaml, None).map_or(0, |l| l.app.services.len()));
    let build = time(&|| graph::graph(&loaded.app).edges.len());
    let g = graph::graph(&loaded.app);
    let renders = [
        ("dot", time(&|| graph::dot::render(&g).len())),
        ("mermaid", time(&|| graph::mermaid::render(&g).len())),
        ("json", time(&|| graph::json::render(&g).len())),
    ]
    .iter()
    .map(|(f, t)| format!("{f} {}", ms(*t)))
    .collect::<Vec<_>>()
    .join(", ");
    Ok((load, build, renders))
}

/// The clean input must be clean: a stray finding would time its rendering.
fn clean(path: &str) -> Result<(), String> {
    let out = std::process::Command::new(MESHC)
        .args(["check", path])
        .output()
        .map_err(|e| e.to_string())?;
    let summary = String::from_utf8_lossy(&out.stdout);
    if out.status.success() && summary.contains("no problems") {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    Err(format!(
        "{path} is meant to have no findings; `meshc check` says: {}",
        err.lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or(&summary)
    ))
}
