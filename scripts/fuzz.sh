#!/usr/bin/env bash
# Runs every fuzz target for a fixed time, one after another, at the lowest
# CPU priority, seeded from examples/, and prints per target: seconds run,
# executions and crashes.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 600 s, all four targets
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain for
# the sanitizer flags; without nightly it uses stable with RUSTC_BOOTSTRAP=1.
# The fuzz crate (fuzz/) is its own workspace with its own target directory
# (fuzz/target); corpora grow in fuzz/corpus/<target>, findings land in
# fuzz/artifacts/<target> (all three ignored by git).
set -euo pipefail

seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(yaml_frontend kdl_frontend check_pipeline build_pipeline)
fi

root=$(cd "$(dirname "$0")/.." && pwd)
fuzz=$root/fuzz
cd "$root"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 2
fi
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=(+nightly)
else
    export RUSTC_BOOTSTRAP=1
fi

# Relative paths in fuzzed descriptions resolve against fuzz/base: the
# examples' files (sources, config) merged, so seeds reach lowering and emission.
rm -rf "$fuzz/base"
mkdir -p "$fuzz/base"
for ex in "$root"/examples/*/; do
    cp -r "$ex". "$fuzz/base/"
done

# Seeds: every example description, valid and invalid. The pipeline targets
# read KDL when the input starts with a `//kdl` line.
seed() { # target file [prefix]
    local dir=$fuzz/corpus/$1 name
    name=seed-$(realpath --relative-to="$root/examples" "$2" | tr '/' '-')
    mkdir -p "$dir"
    { printf '%s' "${3:-}"; cat "$2"; } >"$dir/$name"
}
while IFS= read -r f; do
    case $f in
    *.kdl)
        seed kdl_frontend "$f"
        seed check_pipeline "$f" $'//kdl\n'
        seed build_pipeline "$f" $'//kdl\n'
        ;;
    *)
        seed yaml_frontend "$f"
        seed check_pipeline "$f"
        seed build_pipeline "$f"
        ;;
    esac
done < <(find "$root/examples" -name 'meshc.yaml' -o -name 'meshc.kdl' | sort)

# A dictionary of the format's field names and values, from the JSON Schema.
dict=$fuzz/target/meshc.dict
mkdir -p "$fuzz/target"
{
    grep -o '"[a-z_0-9]*":' "$root/schemas/meshc.schema.json" | tr -d '":' | sort -u |
        sed 's/.*/"&: "/'
    printf '"%s"\n' istio none node python go rust java static http grpc tcp \
        5xx connect-failure '{' '}' '[' ']' '- ' ': ' '---' '&a ' '*a' '? ' '!!str ' \
        '\"' '\\' 'service \"' 'version \"' 'port \"' '{\x0A' '}\x0A' '\x0A  ' \
        '//kdl\x0A' '/-' 'r#\"' '#true' '#null'
} >"$dict"

# Optimized, with debug assertions and overflow checks (cargo-fuzz's
# defaults). No sanitizer unless SANITIZER=address: meshc is safe Rust, and
# the sanitizer costs most of the executions (and changes stack sizes, which
# the KDL front end budgets for the real binary).
sanitizer=${SANITIZER:-none}
echo "building the fuzz targets (fuzz/target, sanitizer: $sanitizer)..." >&2
for t in "${targets[@]}"; do
    nice -n 19 cargo "${toolchain[@]}" fuzz build -s "$sanitizer" "$t" >&2
done

summary=()
for t in "${targets[@]}"; do
    mkdir -p "$fuzz/artifacts/$t"
    before=$(find "$fuzz/artifacts/$t" -type f | wc -l)
    log=$fuzz/target/fuzz-$t.log
    start=$(date +%s)
    # One at a time, lowest priority: the machine is shared. A crash stops the
    # target early; its input is in fuzz/artifacts/<target>.
    set +e
    nice -n 19 cargo "${toolchain[@]}" fuzz run -s "$sanitizer" "$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -dict="$dict" -print_final_stats=1 >"$log" 2>&1
    status=$?
    set -e
    wall=$(($(date +%s) - start))
    # libFuzzer's own count of the seconds it fuzzed (a crash ends it early),
    # else the wall time.
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    took=${took:-$wall}
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    crashes=$(($(find "$fuzz/artifacts/$t" -type f | wc -l) - before))
    line=$(printf '%-16s %6s s %12s execs %3s crashes' "$t" "$took" "${execs:-?}" "$crashes")
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        line="$line  (exit $status, see $log)"
    fi
    echo "$line"
    summary+=("$line")
done

echo
echo "target           seconds        executions  crashes"
printf '%s\n' "${summary[@]}"
