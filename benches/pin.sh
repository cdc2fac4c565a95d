#!/usr/bin/env bash
# Times `meshc pin` of N images (default 1000) from a local docker-registry:
# one manifest pushed under N tags, one service per tag. Target: < 5 s.
#
#   benches/pin.sh [N]        (needs docker-registry, curl, sha256sum, python3)
#
# MESHC=path/to/meshc uses that binary instead of building a release one.
set -euo pipefail
n=${1:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v docker-registry >/dev/null || { echo "install docker-registry: apt-get install -y docker-registry" >&2; exit 2; }
if [ -z "${MESHC:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin meshc
  MESHC=${CARGO_TARGET_DIR:-$root/target}/release/meshc
fi
MESHC=$(realpath "$MESHC")
work=$(mktemp -d)
reg_pid=
cleanup() { [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
addr=127.0.0.1:$port
cat > "$work/config.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/data}}
http: {addr: $addr}
YAML
docker-registry serve "$work/config.yml" >/dev/null 2>&1 &
reg_pid=$!
for _ in $(seq 100); do curl -sf "http://$addr/v2/" >/dev/null && break; sleep 0.1; done

printf '{"architecture":"amd64","os":"linux"}' > "$work/config.json"
cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
loc=$(curl -sf -D - -o /dev/null -X POST "http://$addr/v2/bench/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
case $loc in *\?*) sep='&';; *) sep='?';; esac
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$work/config.json" "$loc${sep}digest=sha256:$cfg"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[]}' \
  "$cfg" "$(wc -c < "$work/config.json")" > "$work/manifest.json"

start=$(date +%s.%N)
seq 0 $((n - 1)) | xargs -P 8 -I{} curl -sf -o /dev/null -X PUT \
  -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  --data-binary "@$work/manifest.json" "http://$addr/v2/bench/manifests/t{}"
echo "pushed $n tags in $(awk "BEGIN{print $(date +%s.%N) - $start}") s"

{
  echo "app: bench"
  echo "mesh: none"
  echo "services:"
  for i in $(seq 0 $((n - 1))); do
    printf '  s%d:\n    image: %s/bench:t%d\n    ports: { http: 8080 }\n' "$i" "$addr" "$i"
  done
} > "$work/meshc.yaml"

run() {
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$work" && DOCKER_CONFIG="$work" "$MESHC" pin "$@")
  t1=$(date +%s.%N)
  echo "$label: $(awk "BEGIN{print $t1 - $t0}") s"
}
run "pin $n images (none locked)"
run "pin $n images (all locked)"
run "pin --update $n images" --update
echo "lock: $(($(wc -l < "$work/meshc.images.lock") - 1)) entries"
