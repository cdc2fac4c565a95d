//! Running a command as a separate process: wall time, CPU time and peak
//! memory (max RSS) of that one child, from `wait4`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Cmd {
    argv: Vec<String>,
    ok: Vec<i32>,
}

impl Cmd {
    pub fn new(argv: &[&str]) -> Cmd {
        Cmd {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            ok: vec![0],
        }
    }

    /// Exit statuses that count as success (`diff` exits 1 when it finds changes).
    pub fn ok_codes(mut self, ok: &[i32]) -> Cmd {
        self.ok = ok.to_vec();
        self
    }
}

/// One run.
pub struct Run {
    pub wall: Duration,
    pub cpu: Duration,
    pub max_rss: u64,
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Several runs of one command.
#[derive(Clone, Debug)]
pub struct Stats {
    pub median: Duration,
    pub min: Duration,
    pub cpu: Duration,
    /// Bytes; the largest over the runs.
    pub max_rss: u64,
    /// `None` when every run exited with an accepted status; else the first
    /// unexpected status and the start of its stderr.
    pub failure: Option<(i32, String)>,
}

pub fn succeeds(argv: &[&str]) -> bool {
    run(&Cmd::new(argv)).status == 0
}

/// `setup` runs before each timed run, untimed (e.g. removing the output),
/// followed by a `sync` so that no run pays for the previous one's writeback.
/// One untimed warm-up run comes first when the runs are short (≤ 3 runs:
/// the harness's own setup builds have warmed the caches already).
pub fn repeat(reps: usize, cmd: &Cmd, mut setup: impl FnMut()) -> Stats {
    let [stats] = interleaved(reps, [(cmd, &mut setup)]);
    stats
}

/// [`repeat`] for commands compared with each other (a build and its
/// floor): their runs alternate, a b a b …, so a slow spell of a shared
/// machine slows both instead of skewing their ratio.
pub fn interleaved<const N: usize>(
    reps: usize,
    mut cmds: [(&Cmd, &mut dyn FnMut()); N],
) -> [Stats; N] {
    if reps > 3 {
        for (cmd, setup) in cmds.iter_mut() {
            setup();
            let _ = run(cmd);
        }
    }
    let mut runs: [Vec<Run>; N] = std::array::from_fn(|_| Vec::with_capacity(reps));
    for _ in 0..reps.max(1) {
        for ((cmd, setup), runs) in cmds.iter_mut().zip(runs.iter_mut()) {
            setup();
            sync();
            runs.push(run(cmd));
        }
    }
    std::array::from_fn(|i| stats(cmds[i].0, &runs[i]))
}

fn stats(cmd: &Cmd, runs: &[Run]) -> Stats {
    let failure = runs.iter().find(|r| !cmd.ok.contains(&r.status)).map(|r| {
        let first: String = r.stderr.lines().take(3).collect::<Vec<_>>().join(" | ");
        (r.status, first)
    });
    let mut walls: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
    walls.sort();
    let mut cpus: Vec<Duration> = runs.iter().map(|r| r.cpu).collect();
    cpus.sort();
    Stats {
        median: median(&walls),
        min: walls[0],
        cpu: median(&cpus),
        max_rss: runs.iter().map(|r| r.max_rss).max().unwrap_or(0),
        failure,
    }
}

pub fn median(sorted: &[Duration]) -> Duration {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

pub fn run(cmd: &Cmd) -> Run {
    let out = tempfile::tempfile().expect("a temporary file");
    let err = tempfile::tempfile().expect("a temporary file");
    let read = |mut f: std::fs::File| {
        use std::io::{Read, Seek};
        let mut s = String::new();
        let _ = f.seek(std::io::SeekFrom::Start(0));
        let _ = f.read_to_string(&mut s);
        s
    };
    let start = Instant::now();
    let child = Command::new(&cmd.argv[0])
        .args(&cmd.argv[1..])
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("dup"))
        .stderr(err.try_clone().expect("dup"))
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return Run {
                wall: start.elapsed(),
                cpu: Duration::ZERO,
                max_rss: 0,
                status: 127,
                stdout: String::new(),
                stderr: format!("cannot run `{}`: {e}", cmd.argv[0]),
            };
        }
    };
    let (status, cpu, max_rss) = wait(&mut child);
    let wall = start.elapsed();
    Run {
        wall,
        cpu,
        max_rss,
        status,
        stdout: read(out),
        stderr: read(err),
    }
}

static TRASH: OnceLock<PathBuf> = OnceLock::new();

/// Where [`discard`] puts directories; emptied when the benchmark ends.
pub fn set_trash(dir: PathBuf) {
    let _ = std::fs::create_dir_all(&dir);
    let _ = TRASH.set(dir);
}

/// Moves a directory out of the way instead of deleting it. On ext4 without
/// a journal (this benchmark's machine), creating files within a minute of
/// deleting many others is slow: the inode allocator skips recently deleted
/// inodes one by one. Deleting between runs would charge each run for the
/// previous run's cleanup, so nothing is deleted until the end.
pub fn discard(dir: &Path) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    if !dir.exists() {
        return;
    }
    match TRASH.get() {
        Some(trash) => {
            let to = trash.join(NEXT.fetch_add(1, Ordering::Relaxed).to_string());
            if std::fs::rename(dir, &to).is_err() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        None => {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Flushes every dirty page to disk.
pub fn sync() {
    #[cfg(unix)]
    {
        unsafe extern "C" {
            fn sync();
        }
        // SAFETY: sync(2) takes no arguments and cannot fail.
        unsafe { sync() };
    }
}

/// The 1-minute load average, when the system reports it.
pub fn loadavg() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(target_os = "linux")]
fn wait(child: &mut std::process::Child) -> (i32, Duration, u64) {
    #[repr(C)]
    struct Timeval {
        sec: std::ffi::c_long,
        usec: std::ffi::c_long,
    }
    #[repr(C)]
    struct Rusage {
        utime: Timeval,
        stime: Timeval,
        maxrss: std::ffi::c_long,
        rest: [std::ffi::c_long; 13],
    }
    unsafe extern "C" {
        fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut Rusage) -> i32;
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 writes it and `status`.
    let mut ru: Rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as i32;
    loop {
        // SAFETY: pointers to live locals; the child is ours and not yet reaped.
        let r = unsafe { wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            break;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return (-1, Duration::ZERO, 0);
        }
    }
    let tv = |t: &Timeval| Duration::new(t.sec as u64, (t.usec * 1000) as u32);
    let code = if status & 0x7f == 0 {
        (status >> 8) & 0xff
    } else {
        -(status & 0x7f)
    };
    (code, tv(&ru.utime) + tv(&ru.stime), ru.maxrss as u64 * 1024)
}

#[cfg(not(target_os = "linux"))]
fn wait(child: &mut std::process::Child) -> (i32, Duration, u64) {
    let status = child.wait().map(|s| s.code().unwrap_or(-1)).unwrap_or(-1);
    (status, Duration::ZERO, 0)
}
