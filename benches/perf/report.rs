//! The printed tables: times, memory, stages, ratios, and the targets.

use crate::measure::Stats;
use crate::stages::NAMES;
use crate::*;
use std::fmt::Write;
use std::time::Duration;

const COMMANDS: [&str; 11] = [
    CHECK,
    CHECK_FINDINGS,
    CHECK_KDL,
    BUILD_FRESH,
    BUILD_SAME,
    BUILD_CHECK,
    DIFF,
    FLOOR_SAME,
    FLOOR_TARGET,
    FLOOR_SERVICE,
    FLOOR_ONE,
];

/// The meshc commands the scaling and memory targets are about.
const MESHC: [&str; 5] = [CHECK, BUILD_FRESH, BUILD_SAME, BUILD_CHECK, DIFF];

pub fn ms(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.01 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.2} ms", s * 1e3)
    }
}

pub fn mb(bytes: u64) -> String {
    let m = bytes as f64 / 1e6;
    if m >= 10.0 {
        format!("{m:.0} MB")
    } else {
        format!("{m:.1} MB")
    }
}

fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn times(r: f64) -> String {
    format!("{r:.2}×")
}

/// A command's figure, or why there is none.
fn cell(s: &Size, name: &str, f: impl Fn(&Stats) -> String) -> String {
    match s.get(name) {
        Some(Stats {
            failure: Some((code, _)),
            ..
        }) => format!("fail({code})"),
        Some(st) => f(st),
        None if s.setup_error.is_some() => "fail".into(),
        None => "n/a".into(),
    }
}

/// A command's stats when it ran and succeeded.
fn ok<'a>(s: &'a Size, name: &str) -> Option<&'a Stats> {
    s.get(name).filter(|st| st.failure.is_none())
}

/// A stage's time, or `fail` when the harness could not build this size.
fn stage(s: &Size, d: Duration) -> String {
    if s.setup_error.is_some() {
        "fail".into()
    } else {
        ms(d)
    }
}

struct Table {
    out: String,
    scale: bool,
}

impl Table {
    fn header(&mut self, title: &str, sizes: &[Size], scaling: bool) {
        let _ = write!(self.out, "\n{title:<36}");
        for s in sizes {
            let _ = write!(self.out, "{:>12}", count(s.n));
        }
        if scaling && self.scale {
            let _ = write!(self.out, "{:>10}", "10k/1k");
        }
        self.out.push('\n');
    }

    fn row(&mut self, label: &str, cells: Vec<String>, scaling: Option<Option<f64>>) {
        let _ = write!(self.out, "{label:<36}");
        for c in cells {
            let _ = write!(self.out, "{c:>12}");
        }
        if let Some(r) = scaling.filter(|_| self.scale) {
            let _ = write!(
                self.out,
                "{:>10}",
                r.map_or("-".into(), |r| format!("{r:.1}×"))
            );
        }
        self.out.push('\n');
    }
}

/// f(10,000) / f(1,000) when both sizes have a figure.
fn scaling(sizes: &[Size], f: impl Fn(&Size) -> Option<Duration>) -> Option<f64> {
    let at = |n| {
        sizes
            .iter()
            .find(|s| s.n == n && s.setup_error.is_none())
            .and_then(&f)
    };
    let (a, b) = (at(1_000)?, at(10_000)?);
    Some(b.as_secs_f64() / a.as_secs_f64())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| format!(", Linux {}", s.trim()))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores{kernel}")
}

pub fn render(
    sizes: &[Size],
    have_diff: bool,
    took: Duration,
    load: (Option<f64>, Option<f64>),
    work: &Path,
) -> String {
    let mut t = Table {
        out: String::new(),
        scale: sizes.iter().any(|s| s.n == 1_000) && sizes.iter().any(|s| s.n == 10_000),
    };
    let _ = writeln!(
        t.out,
        "\nmeshc benchmark (issue 6) on {}\noutput written under {}\nwall time: median of the runs; peak memory: largest max RSS; runs per command: {}",
        machine(),
        work.display(),
        sizes
            .iter()
            .map(|s| format!("{} at N = {}", s.reps, count(s.n)))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let each = |f: &dyn Fn(&Size) -> String| sizes.iter().map(f).collect::<Vec<_>>();
    t.header("input and output", sizes, false);
    t.row("description, YAML", each(&|s| mb(s.input_yaml)), None);
    t.row("description, KDL", each(&|s| mb(s.input_kdl)), None);
    let failed = |s: &Size, text: String| {
        if s.setup_error.is_some() {
            "fail".into()
        } else {
            text
        }
    };
    t.row(
        "meshc bundle: files",
        each(&|s| failed(s, count(s.stages.files))),
        None,
    );
    t.row(
        "meshc bundle: bytes",
        each(&|s| failed(s, mb(s.stages.bytes as u64))),
        None,
    );
    t.row(
        "matched floor: files",
        each(&|s| failed(s, count(s.floor_files))),
        None,
    );
    t.row(
        "matched floor: bytes",
        each(&|s| failed(s, mb(s.floor_bytes as u64))),
        None,
    );
    t.row(
        "matched floor: identical to meshc's",
        each(&|s| {
            let (same, total, _) = &s.floor_identical;
            failed(s, format!("{}/{}", count(*same), count(*total)))
        }),
        None,
    );
    t.row(
        "diagnostics (errors/warnings)",
        each(&|s| failed(s, format!("{}/{}", s.stages.errors, s.stages.warnings))),
        None,
    );

    t.header("wall time, median", sizes, true);
    for name in COMMANDS {
        let sc = scaling(sizes, |s| ok(s, name).map(|st| st.median));
        t.row(name, each(&|s| cell(s, name, |st| ms(st.median))), Some(sc));
    }

    t.header("wall time, fastest run", sizes, true);
    for name in COMMANDS {
        let sc = scaling(sizes, |s| ok(s, name).map(|st| st.min));
        t.row(name, each(&|s| cell(s, name, |st| ms(st.min))), Some(sc));
    }

    t.header("CPU time (user + sys), median", sizes, true);
    for name in COMMANDS {
        let sc = scaling(sizes, |s| ok(s, name).map(|st| st.cpu));
        t.row(name, each(&|s| cell(s, name, |st| ms(st.cpu))), Some(sc));
    }

    t.header("peak memory (max RSS)", sizes, false);
    for name in COMMANDS {
        t.row(name, each(&|s| cell(s, name, |st| mb(st.max_rss))), None);
    }
    t.row(
        "build (fresh) peak / output bytes",
        each(&|s| {
            failed(
                s,
                ok(s, BUILD_FRESH).map_or("-".into(), |st| {
                    times(st.max_rss as f64 / s.stages.bytes.max(1) as f64)
                }),
            )
        }),
        None,
    );

    t.header("pipeline stages, in process (median)", sizes, true);
    // A duration per size, and how it scales from 1,000 to 10,000.
    let timed = |t: &mut Table, label: &str, get: &dyn Fn(&Size) -> Duration| {
        t.row(
            label,
            each(&|s| stage(s, get(s))),
            Some(scaling(sizes, |s| Some(get(s)))),
        );
    };
    for (i, name) in NAMES.iter().enumerate() {
        timed(&mut t, name, &|s| s.stages.times[i]);
    }
    timed(&mut t, "total", &|s| s.stages.times.iter().sum());
    timed(&mut t, "parse floor: YAML events only", &|s| {
        s.stages.yaml_events
    });
    t.row(
        "parse (KDL input)",
        each(&|s| match &s.stages.kdl_error {
            Some(_) => "refused".into(),
            None => stage(s, s.stages.kdl_parse),
        }),
        None,
    );
    timed(&mut t, "fingerprints (part of index)", &|s| {
        s.stages.fingerprints
    });
    timed(&mut t, "diff: read + check the bundle", &|s| {
        s.stages.bundle_read
    });
    t.row(
        "RSS after emit",
        each(&|s| failed(s, mb(s.stages.rss_after[4]))),
        None,
    );

    t.header("ratios", sizes, false);
    for (label, build, floor) in [
        ("build fresh / floor, exact files", BUILD_FRESH, FLOOR_SAME),
        ("build up-to-date / floor, exact", BUILD_SAME, FLOOR_SAME),
        (
            "build fresh / floor (4), 2 files/svc",
            BUILD_FRESH,
            FLOOR_TARGET,
        ),
        (
            "build fresh / floor (4), 1 file/svc",
            BUILD_FRESH,
            FLOOR_SERVICE,
        ),
        ("build fresh / floor (4), one file", BUILD_FRESH, FLOOR_ONE),
    ] {
        let r = |s: &Size| match (ok(s, build), ok(s, floor)) {
            (Some(b), Some(f)) if !f.median.is_zero() => {
                times(b.median.as_secs_f64() / f.median.as_secs_f64())
            }
            _ => "-".into(),
        };
        t.row(label, each(&r), None);
    }

    t.out.push_str(&targets(sizes, have_diff));
    let failures: Vec<String> = sizes
        .iter()
        .flat_map(|s| {
            let setup = s
                .setup_error
                .as_ref()
                .map(|e| format!("  N = {}: nothing else measured: {e}", count(s.n)));
            let kdl = s
                .stages
                .kdl_error
                .as_ref()
                .map(|e| format!("  N = {}: the KDL input is refused: {e}", count(s.n)));
            s.commands
                .iter()
                .filter_map(move |(name, st)| {
                    st.failure.as_ref().map(|(code, err)| {
                        format!("  N = {}: {name} exited {code}: {err}", count(s.n))
                    })
                })
                .chain(setup)
                .chain(kdl)
        })
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(t.out, "\nnotes:\n{}", failures.join("\n"));
    }
    let f = |l: Option<f64>| l.map_or("?".into(), |l| format!("{l:.2}"));
    let busy = [load.0, load.1].iter().flatten().any(|&l| l > 1.0);
    let _ = writeln!(
        t.out,
        "\nbenchmark took {:.0} s; 1-minute load average {} before, {} after{}",
        took.as_secs_f64(),
        f(load.0),
        f(load.1),
        if busy {
            " (other jobs were running: the figures are noisy; run again on an idle machine)"
        } else {
            ""
        }
    );
    t.out
}

fn targets(sizes: &[Size], have_diff: bool) -> String {
    let mut out = String::from("\ntargets (issue 6)\n");
    let at = |n: usize| sizes.iter().find(|s| s.n == n);
    let time = |n: usize, name: &str| at(n).and_then(|s| ok(s, name)).map(|s| s.median);
    let mut line = |met: Option<bool>, text: String| {
        let mark = match met {
            Some(true) => "met ",
            Some(false) => "MISS",
            None => "n/a ",
        };
        let _ = writeln!(out, "  [{mark}] {text}");
    };
    let shown = |d: Option<Duration>| d.map_or("not measured".into(), ms);
    let secs = Duration::from_secs_f64;
    for (n, limit) in [(1_000, 0.05), (10_000, 0.5)] {
        let t = time(n, CHECK);
        line(
            t.map(|t| t < secs(limit)),
            format!(
                "meshc check, {} services < {}: {} (the findings input, not held to it: {})",
                count(n),
                ms(secs(limit)),
                shown(t),
                shown(time(n, CHECK_FINDINGS))
            ),
        );
    }
    let b = time(1_000, BUILD_FRESH);
    let (f, f4) = (time(1_000, FLOOR_SAME), time(1_000, FLOOR_TARGET));
    let r = |f: Option<Duration>| b.zip(f).map(|(b, f)| b.as_secs_f64() / f.as_secs_f64());
    line(
        r(f).map(|r| r <= 1.5),
        format!(
            "meshc build, 1,000 services ≤ 1.5× the floor (same files): {} vs {} = {} (the 4-kind floor in the same layout: {})",
            shown(b),
            shown(f),
            r(f).map_or("-".into(), times),
            r(f4).map_or("-".into(), times)
        ),
    );
    let b = time(10_000, BUILD_FRESH);
    line(
        b.map(|b| b < secs(3.0)),
        format!("meshc build, 10,000 services < 3 s: {}", shown(b)),
    );
    let d = time(10_000, DIFF);
    line(
        d.map(|d| d < secs(1.0)),
        format!(
            "meshc diff, 10,000 services, one change < 1 s: {}",
            if have_diff {
                shown(d)
            } else {
                "n/a (no `meshc diff` command yet)".into()
            }
        ),
    );
    let worst = MESHC
        .iter()
        .filter_map(|name| Some((scaling(sizes, |s| ok(s, name).map(|st| st.median))?, *name)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let missing = MESHC
        .iter()
        .filter(|name| scaling(sizes, |s| ok(s, name).map(|st| st.median)).is_none())
        .count();
    line(
        worst.filter(|_| missing == 0).map(|(r, _)| r <= 12.0),
        format!(
            "every command's time(10k) ≤ 12× time(1k): worst {}{}",
            worst.map_or("-".into(), |(r, n)| format!("{r:.1}× ({n})")),
            if missing > 0 {
                format!("; {missing} command(s) without both sizes")
            } else {
                String::new()
            }
        ),
    );
    // Judged at the largest size measured: at small sizes the process's own
    // few megabytes outweigh the output.
    let ratio = |s: &Size| {
        MESHC
            .iter()
            .filter_map(|name| {
                ok(s, name).map(|st| (st.max_rss as f64 / s.stages.bytes.max(1) as f64, *name))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0))
    };
    let big = sizes
        .iter()
        .filter(|s| s.setup_error.is_none())
        .max_by_key(|s| s.n);
    let worst = big.and_then(|s| ratio(s).map(|r| (r, s.n)));
    line(
        worst.map(|((r, _), _)| r < 5.0),
        format!(
            "peak memory < 5× output size, at the largest size measured: {}",
            worst.map_or("-".into(), |((r, name), n)| format!(
                "worst {} ({name} at N = {})",
                times(r),
                count(n)
            ))
        ),
    );
    out
}
