//! Each pipeline stage timed in process, through the library, as
//! `pipeline::compile_source` and `bundle::write` call them.

use crate::measure::median;
use meshc::bundle::{self, Bundle};
use meshc::emit::{self, Target, docker::Templates};
use meshc::{ast, check, diag, lower, pipeline, syntax};
use std::path::Path;
use std::time::{Duration, Instant};

pub const NAMES: [&str; 7] = [
    "read", "parse", "validate", "lower", "emit", "index", "write",
];

#[derive(Default)]
pub struct Stages {
    /// Median time of each stage in [`NAMES`] order.
    pub times: [Duration; 7],
    pub kdl_parse: Duration,
    /// Why the KDL front end refused the description, if it did.
    pub kdl_error: Option<String>,
    /// The parse floor: only pulling the YAML events out of serde-saphyr's
    /// parser (granit-parser), building nothing.
    pub yaml_events: Duration,
    /// Files and bytes of the bundle, lock file included.
    pub files: usize,
    pub bytes: usize,
    /// Errors and warnings the description produced (expected: none).
    pub errors: usize,
    pub warnings: usize,
    /// Resident memory after each stage of the first run, in bytes.
    pub rss_after: [u64; 7],
    /// `diff --against`'s second thread: the bundle's lock and every file
    /// read and checked against the lock's digests.
    pub bundle_read: Duration,
    /// Every service's fingerprint (part of `index` in a build).
    pub fingerprints: Duration,
}

/// This process's resident memory, from /proc (0 elsewhere).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn timed<T>(slot: &mut Vec<Duration>, rss_after: &mut u64, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let v = f();
    slot.push(start.elapsed());
    if slot.len() == 1 {
        *rss_after = rss();
    }
    v
}

pub fn measure(yaml: &Path, kdl: &Path, scratch: &Path, reps: usize) -> Result<Stages, String> {
    let mut t: Vec<Vec<Duration>> = vec![Vec::new(); NAMES.len()];
    let mut kdl_t = Vec::new();
    let mut events_t = Vec::new();
    let base = pipeline::base_dir(yaml);
    let read_config =
        |rel: &str| std::fs::read_to_string(base.join(rel)).map_err(|e| e.to_string());
    let templates = Templates::default();
    let out = scratch.join("out");
    let (mut files, mut bytes, mut errors, mut warnings) = (0, 0, 0, 0);
    let mut r = [0u64; 7];
    let mut kdl_rss = 0;
    let mut kdl_error = None;
    let (mut bundle_t, mut fingerprint_t) = (Vec::new(), Vec::new());
    for _ in 0..reps.max(1) {
        let (file, _) =
            timed(&mut t[0], &mut r[0], || pipeline::read(yaml)).map_err(|e| e.to_string())?;
        let tree = timed(&mut t[1], &mut r[1], || syntax::parse(&file))
            .map_err(|d| format!("the generated YAML does not parse: {:?}", d.first()))?;
        let (desc, diags) = timed(&mut t[2], &mut r[2], || {
            let (desc, mut diags) = ast::decode::decode(&tree);
            diags.extend(check::check(&desc, &base, &meshc::pin::read_lock(&base)));
            diag::sort(&mut diags);
            (desc, diags)
        });
        errors = diags.iter().filter(|d| d.is_error()).count();
        warnings = diags.len() - errors;
        let app = timed(&mut t[3], &mut r[3], || {
            lower::lower(&desc, None, &read_config)
        })
        .map_err(|e| format!("lowering failed: {e:?}"))?;
        let artifacts = timed(&mut t[4], &mut r[4], || {
            emit::emit(&app, &Target::ALL, &templates)
        })
        .map_err(|e| e.to_string())?;
        let opts = pipeline::BuildOptions {
            env: None,
            overrides: Default::default(),
            targets: Target::ALL.to_vec(),
            templates: templates.clone(),
            locked: false,
        };
        let bundle = timed(&mut t[5], &mut r[5], || {
            Bundle::new(artifacts, &file.text, pipeline::provenance(&app, &opts))
        });
        crate::measure::discard(scratch);
        crate::measure::sync();
        timed(&mut t[6], &mut r[6], || bundle::write(&out, &bundle, false))
            .map_err(|e| e.to_string())?;
        let mut none = 0;
        timed(&mut fingerprint_t, &mut none, || {
            emit::fingerprint::services(&app, &templates)
        });
        timed(&mut bundle_t, &mut none, || meshc::diff::read_locked(&out))
            .map_err(|e| e.to_string())?;
        files = bundle.artifacts.len() + 1;
        bytes = bundle.files().map(|(_, b)| b.len()).sum();
        drop((tree, desc, app, bundle));

        let mut none = 0;
        timed(&mut events_t, &mut none, || {
            let parser = serde_saphyr::granit_parser::Parser::new_from_str(&file.text);
            parser.take_while(Result::is_ok).count()
        });

        let (kfile, _) = pipeline::read(kdl).map_err(|e| e.to_string())?;
        kdl_error = timed(&mut kdl_t, &mut kdl_rss, || syntax::parse(&kfile))
            .err()
            .map(|d| {
                d.first()
                    .map(|d| format!("{}: {}", d.code.as_str(), d.message))
                    .unwrap_or_default()
            });
    }
    crate::measure::discard(scratch);
    let med = |mut v: Vec<Duration>| {
        v.sort();
        median(&v)
    };
    let mut times = [Duration::ZERO; 7];
    for (slot, v) in times.iter_mut().zip(t) {
        *slot = med(v);
    }
    Ok(Stages {
        times,
        kdl_parse: med(kdl_t),
        kdl_error,
        yaml_events: med(events_t),
        files,
        bytes,
        errors,
        warnings,
        rss_after: r,
        bundle_read: med(bundle_t),
        fingerprints: med(fingerprint_t),
    })
}

impl Stages {
    /// One `key values…` line per field, durations in nanoseconds: how the
    /// `stages` subcommand hands its figures to the harness.
    pub fn to_raw(&self) -> String {
        let ns = |d: &Duration| d.as_nanos().to_string();
        let list = |v: Vec<String>| v.join(" ");
        format!(
            "times {}\nrss {}\nkdl {}\nevents {}\nbundle_read {}\nfingerprints {}\nfiles {}\nbytes {}\nerrors {}\nwarnings {}\nkdl_error {}\n",
            list(self.times.iter().map(ns).collect()),
            list(self.rss_after.iter().map(u64::to_string).collect()),
            ns(&self.kdl_parse),
            ns(&self.yaml_events),
            ns(&self.bundle_read),
            ns(&self.fingerprints),
            self.files,
            self.bytes,
            self.errors,
            self.warnings,
            self.kdl_error.as_deref().unwrap_or("").replace('\n', " ")
        )
    }

    pub fn from_raw(text: &str) -> Option<Stages> {
        let mut s = Stages::default();
        for line in text.lines() {
            let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
            let nums = || rest.split_whitespace().map(|v| v.parse::<u64>().ok());
            let dur = || rest.trim().parse::<u64>().ok().map(Duration::from_nanos);
            match key {
                "times" => {
                    for (slot, v) in s.times.iter_mut().zip(nums()) {
                        *slot = Duration::from_nanos(v?);
                    }
                }
                "rss" => {
                    for (slot, v) in s.rss_after.iter_mut().zip(nums()) {
                        *slot = v?;
                    }
                }
                "kdl" => s.kdl_parse = dur()?,
                "events" => s.yaml_events = dur()?,
                "bundle_read" => s.bundle_read = dur()?,
                "fingerprints" => s.fingerprints = dur()?,
                "files" => s.files = rest.trim().parse().ok()?,
                "bytes" => s.bytes = rest.trim().parse().ok()?,
                "errors" => s.errors = rest.trim().parse().ok()?,
                "warnings" => s.warnings = rest.trim().parse().ok()?,
                "kdl_error" if !rest.trim().is_empty() => s.kdl_error = Some(rest.trim().into()),
                _ => {}
            }
        }
        Some(s)
    }
}
