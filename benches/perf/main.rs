//! meshc's benchmark (issue 6): `cargo bench --bench perf` or `benches/run.sh`.
//!
//! For each size N it generates a description of N services (`generate.rs`),
//! then measures, as separate processes, `meshc check`, `meshc build` into a
//! fresh and into an up-to-date directory, `meshc build --check`, `meshc
//! diff` after a one-service change, and the floors, run by re-executing
//! this binary: `floor_same.rs` writes meshc's own files byte for byte,
//! `floor.rs` the four kinds of issue 6 in three layouts. Wall and CPU time
//! are the median (and the fastest) of several runs, peak memory the largest
//! max RSS seen (from `wait4`). It then times each pipeline stage in process
//! through the library, and prints the tables, the ratios and the issue's
//! targets, met or missed.
//!
//! Subcommands, for looking at the pieces by hand:
//!   perf gen N DIR             write DIR/meshc.yaml, DIR/meshc.kdl, DIR/changed/meshc.yaml,
//!                              DIR/clean/meshc.yaml (no findings: what `meshc check` is timed on)
//!   perf floor N DIR LAYOUT    run a floor: `same` (meshc's own files, byte for byte),
//!                              or issue 6's four kinds: one-file | per-service | per-target
//!   perf stages DIR [REPS]     time the stages on DIR/meshc.yaml (from `perf gen`)
//!   perf graph [N] [REPS] [DIR] time `meshc graph` (default N = 10,000; target 300 ms)
//!
//! The harness runs the generator and the stages in subprocesses too, so
//! that its own memory stays small: a child's max RSS (from `wait4`)
//! includes the parent's when it was spawned.

mod floor;
mod floor_same;
mod generate;
mod graph;
mod measure;
mod report;
mod stages;

use measure::{Cmd, Stats};
use std::path::{Path, PathBuf};

const MESHC: &str = env!("CARGO_BIN_EXE_meshc");
/// Tells the `stages` subprocess where `measure::discard` puts directories.
const TRASH_ENV: &str = "MESHC_BENCH_TRASH";

struct Options {
    sizes: Vec<usize>,
    /// Runs per measurement; `None`: 10 at N ≤ 100, 5 at N ≤ 1,000, 3 above.
    reps: Option<usize>,
    work: PathBuf,
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let code = match args.first().map(String::as_str) {
        Some("floor") => floor_command(&args[1..]),
        Some("gen") => gen_command(&args[1..]),
        Some("graph") => graph::command(&args[1..]),
        Some("stages") => stages_command(&args[1..]),
        Some("-h" | "--help") => {
            println!("{}", usage());
            0
        }
        _ => match options(&args) {
            Ok(opts) => bench(&opts),
            Err(e) => {
                eprintln!("error: {e}\n{}", usage());
                2
            }
        },
    };
    std::process::exit(code);
}

fn usage() -> &'static str {
    "usage: benches/run.sh [--sizes 100,1000,10000] [--reps N] [--work DIR]
       perf gen N DIR
       perf floor N DIR same|one-file|per-service|per-target
       perf stages DIR [REPS] [--raw]
       perf graph [N] [REPS] [DIR]"
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        sizes: vec![100, 1_000, 10_000],
        reps: None,
        work: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("meshc-bench"),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("`{a}` needs a value"));
        match a.as_str() {
            "--sizes" => {
                opts.sizes = value()?
                    .split(',')
                    .map(|s| {
                        s.replace('_', "")
                            .parse()
                            .map_err(|_| format!("bad size `{s}`"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--reps" => {
                let v = value()?;
                opts.reps = Some(v.parse().map_err(|_| format!("bad --reps `{v}`"))?);
            }
            "--work" => opts.work = PathBuf::from(value()?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(opts)
}

fn floor_command(args: &[String]) -> i32 {
    let parsed = match args {
        [n, dir, layout] => n.parse::<usize>().ok().and_then(|n| {
            let layout = match layout.as_str() {
                "same" => None,
                other => Some(floor::Layout::parse(other)?),
            };
            Some((n, Path::new(dir), layout))
        }),
        _ => None,
    };
    let Some((n, dir, layout)) = parsed else {
        eprintln!("{}", usage());
        return 2;
    };
    let result = match layout {
        None => floor_same::run(n, dir),
        Some(layout) => floor::run(n, dir, layout),
    };
    match result {
        Ok((files, bytes)) => {
            println!("{files} {bytes}");
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

fn gen_command(args: &[String]) -> i32 {
    let [n, dir] = args else {
        eprintln!("{}", usage());
        return 2;
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("{}", usage());
        return 2;
    };
    match write_inputs(n, Path::new(dir)) {
        Ok(_) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

fn stages_command(args: &[String]) -> i32 {
    let raw = args.last().is_some_and(|a| a == "--raw");
    let args = &args[..args.len() - usize::from(raw)];
    let (dir, reps) = match args {
        [dir] => (Path::new(dir), 5),
        [dir, reps] => match reps.parse() {
            Ok(r) => (Path::new(dir), r),
            Err(_) => {
                eprintln!("{}", usage());
                return 2;
            }
        },
        _ => {
            eprintln!("{}", usage());
            return 2;
        }
    };
    if let Some(trash) = std::env::var_os(TRASH_ENV) {
        measure::set_trash(PathBuf::from(trash));
    }
    match stages::measure(
        &dir.join("meshc.yaml"),
        &dir.join("meshc.kdl"),
        &dir.join("stages"),
        reps,
    ) {
        Ok(s) if raw => {
            print!("{}", s.to_raw());
            0
        }
        Ok(s) => {
            println!("{:<10} {:>10} {:>16}", "stage", "median", "RSS after (1st)");
            for ((name, t), m) in stages::NAMES.iter().zip(s.times).zip(s.rss_after) {
                println!("{name:<10} {:>10} {:>16}", report::ms(t), report::mb(m));
            }
            println!("{:<10} {:>10}", "KDL parse", report::ms(s.kdl_parse));
            println!(
                "{:<10} {:>10}",
                "YAML events only",
                report::ms(s.yaml_events)
            );
            println!(
                "{} files, {} bytes, {} errors, {} warnings",
                s.files, s.bytes, s.errors, s.warnings
            );
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// The inputs of one size.
struct Inputs {
    yaml: PathBuf,
    kdl: PathBuf,
    changed: PathBuf,
    /// The same services with no findings (`generate::yaml_layered`).
    clean: PathBuf,
}

impl Inputs {
    fn in_dir(dir: &Path) -> Inputs {
        Inputs {
            yaml: dir.join("meshc.yaml"),
            kdl: dir.join("meshc.kdl"),
            changed: dir.join("changed").join("meshc.yaml"),
            clean: dir.join("clean").join("meshc.yaml"),
        }
    }
}

fn write_inputs(n: usize, dir: &Path) -> std::io::Result<Inputs> {
    let inputs = Inputs::in_dir(dir);
    std::fs::create_dir_all(dir.join("changed"))?;
    std::fs::create_dir_all(dir.join("clean"))?;
    std::fs::write(&inputs.clean, generate::yaml_layered(n))?;
    let lock = generate::lock(n, generate::Changed::No);
    for d in [dir, &dir.join("clean")] {
        std::fs::write(d.join(meshc::pin::LOCK_FILE), &lock)?;
    }
    std::fs::write(
        dir.join("changed").join(meshc::pin::LOCK_FILE),
        generate::lock(n, generate::Changed::middle(n)),
    )?;
    std::fs::write(&inputs.yaml, generate::yaml(n, generate::Changed::No))?;
    std::fs::write(&inputs.kdl, generate::kdl(n, generate::Changed::No))?;
    std::fs::write(
        &inputs.changed,
        generate::yaml(n, generate::Changed::middle(n)),
    )?;
    Ok(inputs)
}

/// Everything measured at one size.
pub struct Size {
    pub n: usize,
    pub reps: usize,
    pub input_yaml: u64,
    pub input_kdl: u64,
    pub commands: Vec<(&'static str, Stats)>,
    pub stages: stages::Stages,
    /// Files and bytes the matched floor wrote, and how many of its files
    /// are identical to meshc's (identical, compared, first that differs).
    pub floor_files: usize,
    pub floor_bytes: usize,
    pub floor_identical: (usize, usize, Option<String>),
    /// Why the harness could not build this size (the rows show `fail`).
    pub setup_error: Option<String>,
}

impl Size {
    /// A size the harness could not measure beyond `commands`.
    fn failed(n: usize, reps: usize, commands: Vec<(&'static str, Stats)>, why: String) -> Size {
        Size {
            n,
            reps,
            input_yaml: 0,
            input_kdl: 0,
            commands,
            stages: stages::Stages::default(),
            floor_files: 0,
            floor_bytes: 0,
            floor_identical: (0, 0, None),
            setup_error: Some(why),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Stats> {
        self.commands
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, s)| s)
    }
}

pub const CHECK: &str = "meshc check";
pub const CHECK_FINDINGS: &str = "meshc check, findings input";
pub const CHECK_KDL: &str = "meshc check (KDL input)";
pub const BUILD_FRESH: &str = "meshc build, fresh dir";
pub const BUILD_SAME: &str = "meshc build, up-to-date dir";
pub const BUILD_CHECK: &str = "meshc build --check";
pub const DIFF: &str = "meshc diff, one service changed";
pub const FLOOR_SAME: &str = "floor, meshc's exact files";
pub const FLOOR_TARGET: &str = "floor (4 kinds), 2 files/service";
pub const FLOOR_SERVICE: &str = "floor (4 kinds), 1 file/service";
pub const FLOOR_ONE: &str = "floor (4 kinds), one file";

fn bench(opts: &Options) -> i32 {
    // A previous run's files are deleted at the end, with this run's trash
    // (see `measure::discard`).
    let old = opts
        .work
        .with_extension(format!("old-{}", std::process::id()));
    let _ = std::fs::rename(&opts.work, &old);
    if let Err(e) = std::fs::create_dir_all(&opts.work) {
        eprintln!("error: cannot create `{}`: {e}", opts.work.display());
        return 2;
    }
    measure::set_trash(opts.work.join("trash"));
    // SAFETY: single-threaded here; read by the `stages` subprocesses.
    unsafe { std::env::set_var(TRASH_ENV, opts.work.join("trash")) };
    let have_diff = measure::succeeds(&[MESHC, "diff", "--help"]);
    let mut sizes = Vec::new();
    let started = std::time::Instant::now();
    let load_before = measure::loadavg();
    for &n in &opts.sizes {
        let reps = opts.reps.unwrap_or(match n {
            0..=100 => 10,
            101..=1_000 => 5,
            _ => 3,
        });
        eprintln!("measuring N = {n} ({reps} runs each) …");
        match bench_size(n, reps, have_diff, &opts.work.join(n.to_string())) {
            Ok(s) => sizes.push(s),
            Err(e) => {
                eprintln!("error: N = {n}: {e}");
                sizes.push(Size::failed(n, reps, Vec::new(), e));
            }
        }
    }
    // Last, because each of these runs deletes the previous tree.
    for size in sizes.iter_mut().filter(|s| s.setup_error.is_none()) {
        eprintln!(
            "measuring N = {}: build into an up-to-date directory …",
            size.n
        );
        let dir = opts.work.join(size.n.to_string());
        let (yaml, out) = (dir.join("meshc.yaml"), dir.join("out"));
        let build_same = Cmd::new(&[
            MESHC,
            "build",
            &yaml.to_string_lossy(),
            "-o",
            &out.to_string_lossy(),
            "-q",
        ]);
        let st = measure::repeat(size.reps, &build_same, || {});
        size.commands.push((BUILD_SAME, st));
    }
    let load = (load_before, measure::loadavg());
    let took = started.elapsed();
    print!(
        "{}",
        report::render(&sizes, have_diff, took, load, &opts.work)
    );
    eprintln!("cleaning up …");
    let _ = std::fs::remove_dir_all(opts.work.join("trash"));
    let _ = std::fs::remove_dir_all(&old);
    0
}

/// Measures one size, except `build` into an up-to-date directory: that
/// deletes the previous tree on every run, and on some file systems (see
/// `measure::discard`) deleting slows down what is measured next, so
/// [`bench`] runs it for every size at the very end.
fn bench_size(n: usize, reps: usize, have_diff: bool, dir: &Path) -> Result<Size, String> {
    let io = |e: std::io::Error| e.to_string();
    let me = std::env::current_exe().map_err(io)?;
    let me = me.to_string_lossy().into_owned();
    let n_s = n.to_string();
    let dir_s = dir.to_string_lossy().into_owned();
    let generated = measure::run(&Cmd::new(&[&me, "gen", &n_s, &dir_s]));
    if generated.status != 0 {
        return Err(format!("the generator failed: {}", generated.stderr));
    }
    let inputs = Inputs::in_dir(dir);
    let out = dir.join("out");
    let base = dir.join("base");
    let fresh = dir.join("fresh");
    let floor_dir = dir.join("floor");
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let (yaml, kdl, changed) = (s(&inputs.yaml), s(&inputs.kdl), s(&inputs.changed));
    let (out_s, base_s, fresh_s, floor_s) = (s(&out), s(&base), s(&fresh), s(&floor_dir));
    let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);

    // The up-to-date directory, and the base `diff` compares against.
    for d in [&out_s, &base_s] {
        let st = measure::run(&Cmd::new(&[MESHC, "build", &yaml, "-o", d, "-q"]));
        if st.status != 0 {
            let check = measure::repeat(1, &Cmd::new(&[MESHC, "check", &yaml]), || {});
            let first: Vec<&str> = st
                .stderr
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(2)
                .collect();
            let mut size = Size::failed(
                n,
                reps,
                vec![(CHECK, check)],
                format!("`meshc build` exited {}: {}", st.status, first.join(" ")),
            );
            size.input_yaml = len(&inputs.yaml);
            size.input_kdl = len(&inputs.kdl);
            return Ok(size);
        }
    }

    let mut commands = Vec::new();
    // The floor with meshc's exact files: checked equal once, then timed
    // below, alternating with the build it is the floor of.
    let floor_same = Cmd::new(&[&me, "floor", &n_s, &floor_s, "same"]);
    measure::discard(&floor_dir);
    let floor_out = measure::run(&floor_same)
        .stdout
        .split_once(' ')
        .and_then(|(f, b)| Some((f.parse().ok()?, b.trim().parse().ok()?)))
        .unwrap_or((0, 0));
    let floor_identical = floor_same::compare(&floor_dir, &out);
    for (name, layout) in [
        (FLOOR_TARGET, "per-target"),
        (FLOOR_SERVICE, "per-service"),
        (FLOOR_ONE, "one-file"),
    ] {
        let cmd = Cmd::new(&[&me, "floor", &n_s, &floor_s, layout]);
        let st = measure::repeat(reps, &cmd, || measure::discard(&floor_dir));
        commands.push((name, st));
    }
    measure::discard(&floor_dir);

    // On the clean input; the chained one, whose ~20,000 warnings are
    // mostly rendering, is measured beside it.
    let check = Cmd::new(&[MESHC, "check", &s(&inputs.clean)]);
    commands.push((CHECK, measure::repeat(reps, &check, || {})));
    let check = Cmd::new(&[MESHC, "check", &yaml]);
    commands.push((CHECK_FINDINGS, measure::repeat(reps, &check, || {})));
    let check_kdl = Cmd::new(&[MESHC, "check", &kdl]);
    commands.push((CHECK_KDL, measure::repeat(reps, &check_kdl, || {})));
    let build_fresh = Cmd::new(&[MESHC, "build", &yaml, "-o", &fresh_s, "-q"]);
    let [build, floor] = measure::interleaved(
        reps,
        [
            (&build_fresh, &mut || measure::discard(&fresh)),
            (&floor_same, &mut || measure::discard(&floor_dir)),
        ],
    );
    commands.push((BUILD_FRESH, build));
    commands.push((FLOOR_SAME, floor));
    measure::discard(&fresh);
    measure::discard(&floor_dir);
    let build_check = Cmd::new(&[MESHC, "build", &yaml, "-o", &out_s, "--check", "-q"]);
    commands.push((BUILD_CHECK, measure::repeat(reps, &build_check, || {})));
    if have_diff {
        let diff = Cmd::new(&[MESHC, "diff", &changed, "--against", &base_s]).ok_codes(&[0, 1]);
        commands.push((DIFF, measure::repeat(reps, &diff, || {})));
    }
    let raw = measure::run(&Cmd::new(&[
        &me,
        "stages",
        &dir_s,
        &reps.min(5).to_string(),
        "--raw",
    ]));
    if raw.status != 0 {
        return Err(format!("timing the stages failed: {}", raw.stderr.trim()));
    }
    let stages = stages::Stages::from_raw(&raw.stdout).ok_or("unreadable stage figures")?;
    Ok(Size {
        n,
        reps,
        input_yaml: len(&inputs.yaml),
        input_kdl: len(&inputs.kdl),
        commands,
        stages,
        floor_files: floor_out.0,
        floor_bytes: floor_out.1,
        floor_identical,
        setup_error: None,
    })
}
