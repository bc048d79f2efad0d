#!/usr/bin/env bash
# Push and pull one image of SIZE_MB incompressible megabytes through a local docker-registry,
# Stamp against skopeo (each with a registry of its own, so neither finds the other's blobs).
# Usage: bench/registry-transfer.sh [SIZE_MB]   (needs docker-registry, skopeo; run from the repo)
# Not a test: prints wall-clock seconds per step, from the CLI (a JVM each), from the CLI handing
# the command to a running agent of its root (the launcher's hand-off: no JVM starts), and in one
# warm JVM, and the load average at the start (the figures are noisy on a shared machine).
# The hand-off rows: `stamp agent` on a fresh root; one pull and one push to a registry of their
# own warm it up (an agent is long-lived), rmi empties the root, then the timed pull (a real
# download) and push (to one more fresh registry).
set -euo pipefail
size_mb=${1:-100}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/stamp-bench-registry.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # the agent's secrets tmpfs outlives it (its containers' secrets are kept there)
  ! mountpoint -q "$work/rootD/agent/secrets" 2>/dev/null || umount "$work/rootD/agent/secrets"
  rm -rf "$work"
}
trap cleanup EXIT

start_registry() { # NAME -> sets $registry to host:port (not a subshell: $pids must see the pid)
  local dir="$work/$1"
  mkdir -p "$dir"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log: {level: info, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $dir/storage}}
http: {addr: "127.0.0.1:0", secret: bench}
YAML
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    port=$(grep -so 'listening on 127.0.0.1:[0-9]*' "$dir/log" | cut -d: -f2 || true)
    [ -n "$port" ] && { registry="127.0.0.1:$port"; return; }
    sleep 0.05
  done
  echo "registry $1 did not start" >&2; exit 1
}

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

start_registry stamp; reg_stamp=$registry
start_registry skopeo; reg_skopeo=$registry
start_registry warm; reg_warm=$registry
start_registry agent; reg_agent=$registry
mkdir -p "$work/layer" "$work/rootA/images"
head -c $((size_mb * 1000 * 1000)) /dev/urandom >"$work/layer/data.bin"
tar -C "$work/layer" -cf - data.bin | gzip -1 >"$work/layer.tar.gz"
# skopeo's tarball: transport writes an OCI layout, which is what Stamp's store is.
skopeo --insecure-policy copy -q "tarball:$work/layer.tar.gz" "oci:$work/rootA/images:$reg_stamp/bench:1"
skopeo --insecure-policy copy -q "tarball:$work/layer.tar.gz" "oci:$work/skopeo-src:bench"
# build the jar, and the AppCDS archive the launcher keeps, outside the timings (a background
# dump would run during the first timed command)
STAMP_CDS=sync "$here/stamp" --version >/dev/null

echo "image: one ${size_mb} MB layer (gzip -1 of random bytes); load: $(cut -d' ' -f1-3 /proc/loadavg)"
sp=$(seconds "$here/stamp" --root "$work/rootA" push -q "$reg_stamp/bench:1")
kp=$(seconds skopeo --insecure-policy copy -q --dest-tls-verify=false \
  "oci:$work/skopeo-src:bench" "docker://$reg_skopeo/bench:1")
sl=$(seconds "$here/stamp" --root "$work/rootB" pull -q "$reg_stamp/bench:1")
kl=$(seconds skopeo --insecure-policy copy -q --src-tls-verify=false \
  "docker://$reg_skopeo/bench:1" "oci:$work/skopeo-dst:bench")
# Nothing to fetch: Stamp asks for the manifest digest only; skopeo copies into an OCI layout
# that holds every blob (it skips them after reading the manifest).
sn=$(seconds "$here/stamp" --root "$work/rootB" pull -q "$reg_stamp/bench:1")
kn=$(seconds skopeo --insecure-policy copy -q --src-tls-verify=false \
  "docker://$reg_skopeo/bench:1" "oci:$work/skopeo-dst:bench")
jvm=$(seconds "$here/stamp" --version)
# The CLI handing off to an agent of its root (see the header).
head -c 32 /dev/urandom | base64 >"$work/token"; chmod 600 "$work/token"
mkdir -p "$work/rootD"
STAMP_HANDOFF=0 "$here/stamp" --root "$work/rootD" agent --listen 127.0.0.1:0 \
  --token-file "$work/token" >"$work/agent.log" 2>&1 &
agent_pid=$!; pids+=($agent_pid)
for _ in $(seq 200); do [ -S "$work/rootD/agent/handoff/cli.sock" ] && break; sleep 0.05; done
[ -S "$work/rootD/agent/handoff/cli.sock" ] || { cat "$work/agent.log" >&2; echo "agent did not start" >&2; exit 1; }
"$here/stamp" --root "$work/rootD" pull -q "$reg_stamp/bench:1" >/dev/null
"$here/stamp" --root "$work/rootD" tag "$reg_stamp/bench:1" "$reg_warm/bench:1" >/dev/null
"$here/stamp" --root "$work/rootD" push -q "$reg_warm/bench:1" >/dev/null
"$here/stamp" --root "$work/rootD" rmi "$reg_stamp/bench:1" "$reg_warm/bench:1" >/dev/null
hl=$(seconds "$here/stamp" --root "$work/rootD" pull -q "$reg_stamp/bench:1")
"$here/stamp" --root "$work/rootD" tag "$reg_stamp/bench:1" "$reg_agent/bench:1" >/dev/null
hp=$(seconds "$here/stamp" --root "$work/rootD" push -q "$reg_agent/bench:1")
hn=$(seconds "$here/stamp" --root "$work/rootD" pull -q "$reg_stamp/bench:1")
# The same in one warm JVM (bench/RegistryWarmBench.java: medians of 3 rounds after a warm-up).
warm=$(java -XX:+UseSerialGC -cp "$here/cli/target/stamp.jar" "$here/bench/RegistryWarmBench.java" \
  "$work/rootA" "$reg_stamp/bench:1" 4 2>/dev/null)
wp=$(awk '$1 == "push_s" { print $2 }' <<<"$warm")
wl=$(awk '$1 == "pull_s" { print $2 }' <<<"$warm")
wn=$(awk '$1 == "noop_ms" { print $2 / 1000 }' <<<"$warm")
printf '%-26s %8s %8s %8s\n' step stamp skopeo "x skopeo"
row() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%-26s %8.3f %8.3f %8.2f\n", n, a, b, a / b }'; }
row "push (CLI)" "$sp" "$kp"
row "pull (CLI)" "$sl" "$kl"
row "no-op pull (CLI)" "$sn" "$kn"
row "push (CLI -> agent)" "$hp" "$kp"
row "pull (CLI -> agent)" "$hl" "$kl"
row "no-op pull (CLI -> agent)" "$hn" "$kn"
row "push (warm JVM)" "$wp" "$kp"
row "pull (warm JVM)" "$wl" "$kl"
row "no-op pull (warm JVM)" "$wn" "$kn"
awk -v j="$jvm" 'BEGIN { printf "seconds; stamp --version (JVM start, in every CLI figure): %.3f s\n", j }'
