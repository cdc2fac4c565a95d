#!/bin/sh
# meshc's benchmark (issue 6): builds meshc and the driver in release mode
# (cargo's bench profile, = release), then prints the tables for
# N = 100, 1,000 and 10,000 services: about 3-4 minutes on 2 cores.
#   benches/run.sh                             the whole benchmark
#   benches/run.sh --sizes 100,1000            fewer sizes
#   benches/run.sh --reps 3                    runs per command (default 10, 5, 3 by size)
#   benches/run.sh --work /dev/shm/meshc-bench write on tmpfs: CPU cost without the disk
# The same as `cargo bench --bench perf -- [ARGS]`. Pieces by hand: see benches/perf/main.rs.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench --quiet --bench perf -- "$@"
