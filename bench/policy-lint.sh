#!/usr/bin/env bash
# `stamp lint` speed: a generated GitOps repository of 20 apps (20 Compose files, 100 Dockerfiles,
# some violations, a policy with allow-lists and a waiver) linted in one warm JVM
# (bench/PolicyLintBench.java; the issue's target is under 1 s), then the peers over the same 100
# Dockerfiles: hadolint if it is installed (it is not packaged for Debian 12 and PyPI is not
# reachable here), and dockerfilelint (npm, installed by this script into ~/.cache/stamp-bench on
# first use). Stamp's cold single process is the like-for-like figure against a peer's process; its
# warm figure is what the controller pays. Not a test; needs no root.
#   bench/policy-lint.sh [WARMUP] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-20}
runs=${2:-30}
if [ ! -f cli/target/stamp.jar ]; then
  echo "bench/policy-lint.sh: building the CLI jar" >&2
  mvn -B -q -o -DskipTests -Dspotless.check.skip=true -Denforcer.skip=true package -pl cli -am >/dev/null
fi
work=$(mktemp -d /tmp/stamp-bench-lint.XXXXXX)
trap 'rm -rf "$work"' EXIT

java -cp cli/target/stamp.jar bench/PolicyLintBench.java "$work/repo" "$warmup" "$runs"

ms() { echo "($2 - $1) * 1000" | bc -l | xargs printf '%.0f'; }
mapfile -t files < <(find "$work/repo" -name Dockerfile | sort)
t0=$(date +%s.%N)
java -jar cli/target/stamp.jar lint --format json "${files[@]}" >/dev/null || true
t1=$(date +%s.%N)
stamp_cold=$(ms "$t0" "$t1")
echo "stamp lint, cold, one process, the same 100 Dockerfiles: ${stamp_cold} ms"
echo "cold, one process, the whole repository: $( { /usr/bin/time -f '%e s' java -jar cli/target/stamp.jar lint \
  --format json "$work/repo" >/dev/null; } 2>&1 | tail -1 )"

dfl=$(command -v dockerfilelint || true)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/stamp-bench/dockerfilelint"
if [ -z "$dfl" ] && [ -x "$cache/node_modules/.bin/dockerfilelint" ]; then
  dfl="$cache/node_modules/.bin/dockerfilelint"
fi
if [ -z "$dfl" ] && command -v npm >/dev/null; then
  npm install --silent --prefix "$cache" dockerfilelint@1.8.0 >/dev/null 2>&1 || true
  [ -x "$cache/node_modules/.bin/dockerfilelint" ] && dfl="$cache/node_modules/.bin/dockerfilelint"
fi
if [ -n "$dfl" ]; then
  t0=$(date +%s.%N)
  "$dfl" "${files[@]}" >/dev/null || true
  t1=$(date +%s.%N)
  peer=$(ms "$t0" "$t1")
  echo "dockerfilelint $("$dfl" --version), one process, the same 100 Dockerfiles: ${peer} ms" \
    "-> stamp cold / dockerfilelint = $(echo "$stamp_cold / $peer" | bc -l | xargs printf '%.2f')x"
else
  echo "dockerfilelint: npm not available, no comparison"
fi

if command -v hadolint >/dev/null; then
  t0=$(date +%s.%N)
  hadolint "${files[@]}" >/dev/null || true
  t1=$(date +%s.%N)
  echo "hadolint $(hadolint --version | head -1), same 100 Dockerfiles (no Compose):" \
    "$(echo "($t1 - $t0) * 1000" | bc -l | xargs printf '%.0f') ms"
else
  echo "hadolint: not installed here, no comparison"
fi
