#!/usr/bin/env bash
# Pull one image of SIZE_MB incompressible megabytes (one layer) through the controller's
# distribution endpoint (serving its image store) and through Debian's docker-registry holding the
# same image: in one warm JVM with Stamp's registry client (bench/ControllerDistributionBench.java,
# medians of ROUNDS-1 rounds after a warm-up), and with skopeo copy into an OCI layout.
# Usage: bench/controller-distribution.sh [SIZE_MB] [ROUNDS]   (needs docker-registry, skopeo)
# Not a test: prints wall-clock seconds and the ratio endpoint / docker-registry (noisy on a shared
# machine; the load average at the start is printed too).
set -euo pipefail
size_mb=${1:-100}
rounds=${2:-6}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/stamp-bench-dist.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/registry" "$work/layer" "$work/controller/images"
cat >"$work/registry/config.yml" <<YAML
version: 0.1
log: {level: info, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry/storage}}
http: {addr: "127.0.0.1:0", secret: bench}
YAML
docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
pids+=($!)
registry=
for _ in $(seq 100); do
  port=$(grep -so 'listening on 127.0.0.1:[0-9]*' "$work/registry/log" | cut -d: -f2 || true)
  [ -n "$port" ] && { registry="127.0.0.1:$port"; break; }
  sleep 0.05
done
[ -n "$registry" ] || { echo "docker-registry did not start" >&2; exit 1; }

head -c $((size_mb * 1000 * 1000)) /dev/urandom >"$work/layer/data.bin"
tar -C "$work/layer" -cf - data.bin | gzip -1 >"$work/layer.tar.gz"
# the controller's store is an OCI layout: skopeo writes the image straight into it
skopeo --insecure-policy copy -q "tarball:$work/layer.tar.gz" \
  "oci:$work/controller/images:docker.io/bench/web:1"
skopeo --insecure-policy copy -q --dest-tls-verify=false \
  "oci:$work/controller/images:docker.io/bench/web:1" "docker://$registry/bench/web:1"
STAMP_CDS=sync "$here/stamp" --version >/dev/null # build the jar outside the timings

echo "image: one ${size_mb} MB layer (gzip -1 of random bytes); load: $(cut -d' ' -f1-3 /proc/loadavg)"
java -XX:+UseSerialGC -cp "$here/cli/target/stamp.jar" "$here/bench/ControllerDistributionBench.java" \
  "$work/controller" bench/web:1 "$registry" "$rounds" 600 >"$work/warm.out" 2>/dev/null &
pids+=($!)
for _ in $(seq 1200); do
  grep -q '^endpoint ' "$work/warm.out" 2>/dev/null && break
  sleep 0.5
done
grep -q '^endpoint ' "$work/warm.out" || { echo "the warm bench did not finish" >&2; cat "$work/warm.out" >&2; exit 1; }
we=$(awk '$1 == "endpoint_s" { print $2 }' "$work/warm.out")
wr=$(awk '$1 == "registry_s" { print $2 }' "$work/warm.out")
wem=$(awk '$1 == "endpoint_min_s" { print $2 }' "$work/warm.out")
wrm=$(awk '$1 == "registry_min_s" { print $2 }' "$work/warm.out")
read -r _ endpoint password < <(grep '^endpoint ' "$work/warm.out")

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
skopeo_pull() { # SOURCE DEST [CREDS...]
  local src=$1 dst=$2; shift 2
  rm -rf "$dst"
  seconds skopeo --insecure-policy copy -q --src-tls-verify=false "$@" "docker://$src/bench/web:1" "oci:$dst:x"
}
ke=() kr=()
for i in 1 2 3; do
  ke+=("$(skopeo_pull "$endpoint" "$work/k-e" --src-creds "stamp:$password")")
  kr+=("$(skopeo_pull "$registry" "$work/k-r")")
done
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
min3() { printf '%s\n' "$@" | sort -g | sed -n 1p; }
se=$(median3 "${ke[@]}")
sr=$(median3 "${kr[@]}")

printf '%-34s %9s %9s %9s\n' "pull of the image" endpoint registry "ratio"
row() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%-34s %9.3f %9.3f %9.2f\n", n, a, b, a / b }'; }
row "stamp ImagePuller, warm (median)" "$we" "$wr"
row "stamp ImagePuller, warm (best)" "$wem" "$wrm"
row "skopeo copy (median of 3)" "$se" "$sr"
row "skopeo copy (best of 3)" "$(min3 "${ke[@]}")" "$(min3 "${kr[@]}")"
echo "seconds; ratio = endpoint / docker-registry (below 1: the endpoint is faster)"
