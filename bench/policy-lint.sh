#!/usr/bin/env bash
# `stamp lint` speed: a generated GitOps repository of 20 apps (20 Compose files, 100 Dockerfiles,
# some violations, a policy with allow-lists and a waiver) linted in one warm JVM
# (bench/PolicyLintBench.java; the issue's target is under 1 s), then hadolint over the same 100
# Dockerfiles if it is installed. Not a test; needs no root.
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

echo "cold, one process: $( { /usr/bin/time -f '%e s' java -jar cli/target/stamp.jar lint \
  --format json "$work/repo" >/dev/null; } 2>&1 | tail -1 )"

if command -v hadolint >/dev/null; then
  mapfile -t files < <(find "$work/repo" -name Dockerfile | sort)
  t0=$(date +%s.%N)
  hadolint "${files[@]}" >/dev/null || true
  t1=$(date +%s.%N)
  echo "hadolint $(hadolint --version | head -1), same 100 Dockerfiles (no Compose):" \
    "$(echo "($t1 - $t0) * 1000" | bc -l | xargs printf '%.0f') ms"
else
  echo "hadolint: not installed here, no comparison"
fi
