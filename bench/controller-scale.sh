#!/usr/bin/env bash
# The controller's full plan at scale (issue 11: 1,000 services in 100 apps on 100 simulated hosts,
# a full plan < 1 s, heap < 512 MB): bench/ControllerScaleBench.java against the CLI's jar (which
# holds the controller and everything it needs), in a JVM capped at -Xmx512m. A real bare Git
# repository of APPS apps x SERVICES services, each built from a Dockerfile of its own FROM base:1
# (imported into a temp controller root), hosts answering from memory. Prints p50/p90 of a full plan
# (read every compose.yaml from the commit's tree, every image decision, a rollout plan per app
# against every host), cold and warm catalogue, with the time per phase, the agent calls it makes,
# the warm plan again with each simulated host behind an HTTP server on 127.0.0.1 read by the real
# AgentClient (HTTP_RUNS times; 0: not), and the heap after GC.
# Needs git; no root. Not a test.
#   bench/controller-scale.sh [APPS] [SERVICES] [HOSTS] [WARMUP] [RUNS] [HTTP_RUNS]
set -euo pipefail
apps=${1:-100}
services=${2:-10}
hosts=${3:-100}
warmup=${4:-5}
runs=${5:-15}
http_runs=${6:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/stamp-bench-scale.XXXXXX)
trap 'rm -rf "$work"' EXIT
STAMP_CDS=sync "$here/stamp" --version >/dev/null # build the jar outside the timings

# a one-file base image (the planner only reads its digest)
mkdir -p "$work/rootfs/srv"
echo base >"$work/rootfs/srv/base.txt"
tar --sort=name --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .

echo "load: $(cut -d' ' -f1-3 /proc/loadavg); java -Xmx512m -XX:+UseSerialGC"
java -Xmx512m -XX:+UseSerialGC -cp "$here/cli/target/stamp.jar" "$here/bench/ControllerScaleBench.java" \
  "$work" "$work/rootfs.tar" "$apps" "$services" "$hosts" "$warmup" "$runs" "$http_runs" 2> >(grep -v -E '^SLF4J|INFO' >&2)
