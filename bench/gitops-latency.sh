#!/usr/bin/env bash
# Commit → serving through the GitOps controller, against the same change made by hand with the CLI.
# A real `stamp agent` and a real `stamp controller -c FILE` (processes, each on a temp state root of
# its own; the controller watches one file:// bare repository with `poll: off` and a GitHub webhook
# secret, has the agent as its one host, and serves images to it from its embedded distribution
# endpoint on 127.0.0.1). The app: one busybox httpd service built FROM base:1 (a busybox rootfs
# imported with `stamp import` into the controller's root: a cached base). COMMITS rounds of: change
# the page, commit, then time `git push` + the signed webhook (X-Hub-Signature-256) until the
# published port serves the new page; then `git revert HEAD`, timed the same way back to the old page
# (the revert reuses the image by its build key: no build).
# By hand, on a separate root with an agent of its own: the same commits and reverts in a plain
# directory, each timed from the start of `stamp up -f shop/compose.yaml` (build the image, replace
# the service on the local agent, as `docker compose up -d --build` would) until the port serves it.
# The service runs with `init: true`: busybox httpd as PID 1 ignores SIGTERM, so each replaced
# container would take the 10 s stop grace to go, and the app's next sync waits for the previous
# rollout to end (a commit 10.8-11.1 s instead of ~0.6 s when pushed right after the last one).
# Timing and polling: bench/GitOpsLatencyBench.java. Needs root, git, busybox-static, curl.
# Not a test: prints p50/p90 and the ratios to the issue's targets (commit < 3 s, revert < 1 s).
#   bench/gitops-latency.sh [COMMITS]   (default 10)
set -euo pipefail
commits=${1:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
stamp="$here/stamp"
work=$(mktemp -d /tmp/stamp-bench-gitops.XXXXXX)
pids=()
agents=()

# Services first (through each agent, which must still run: containers outlive their agent), then
# the processes, then whatever a root left (containers, its bridge), then the files.
cleanup() {
  set +e
  for a in "${agents[@]}"; do
    [ -f "$work/$a/down" ] && down "$a"
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  for a in "${agents[@]}"; do
    r="$work/$a/root"
    for id in $("$stamp" --root "$r" ps -a -q 2>/dev/null); do
      "$stamp" --root "$r" rm -f "$id" >/dev/null 2>&1
    done
    for b in $(grep -hso '"bridge" *: *"[^"]*"' "$r"/networks/*.json 2>/dev/null | sed 's/.*"\([^"]*\)"$/\1/'); do
      ip link del "$b" 2>/dev/null
    done
    mountpoint -q "$r/agent/secrets" 2>/dev/null && umount "$r/agent/secrets"
    # the root's published ports (NftRuleset.tableName), if a service outlived its agent
    table="stamp_$(printf '%s' "$r" | sha256sum | cut -c1-10)"
    nft list table ip "$table" >/dev/null 2>&1 && nft delete table ip "$table"
  done
  rm -rf "$work"
}
# down AGENT: the app's services removed through the agent, waiting until it lists none (it removes
# them in the background; killed before that, it would leave their published ports behind)
down() {
  local dir="$work/$1"
  "$stamp" --root "$dir/root" down -f "$(cat "$dir/down")" >/dev/null 2>&1 || true
  local listed
  for _ in $(seq 600); do
    # an agent that no longer answers (stopped) leaves its containers to the cleanup below
    listed=$(curl -fsS --max-time 2 -H "Authorization: Bearer $(cat "$dir/token")" \
      "$(cat "$dir/url")/v1/services" 2>/dev/null) || break
    [ "$(tr -d ' \n' <<<"$listed")" = "[]" ] && break
    sleep 0.1
  done
  rm -f "$dir/down"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

STAMP_CDS=sync "$stamp" --version >/dev/null # build the jar (and its CDS archive) outside the timings
jar="$here/cli/target/stamp.jar"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
secret() { printf '%s' "$2" >"$1"; chmod 600 "$1"; }
wait_line() { # FILE PATTERN -> the first matching line
  for _ in $(seq 600); do
    grep -m1 -so "$2" "$1" && return 0
    sleep 0.1
  done
  echo "no '$2' in $1:" >&2; cat "$1" >&2; exit 1
}

# the base image: Debian's static busybox as a rootfs tar (as testkit BusyboxRootfs lays it out)
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{bin,etc,tmp,proc,dev,sys,root,srv}
cp "$(readlink -f /bin/busybox)" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
  >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"
tar --sort=name --numeric-owner -C "$rootfs" -cf "$work/rootfs.tar" .

# start_agent NAME -> $agent_url; the agent's token is $work/NAME/token
start_agent() {
  local dir="$work/$1"
  mkdir -p "$dir"
  agents+=("$1")
  secret "$dir/token" "bench-agent-token-$RANDOM$RANDOM-0123456789"
  "$stamp" --root "$dir/root" agent --listen 127.0.0.1:0 --token-file "$dir/token" \
    >"$dir/log" 2>&1 &
  pids+=($!)
  agent_url=$(wait_line "$dir/log" 'http[s]*://127\.0\.0\.1:[0-9]*')
  echo "$agent_url" >"$dir/url"
}

web_port=$(free_port)
compose() {
  cat <<YAML
services:
  web:
    build: ./web
    command: [httpd, -f, -p, '80', -h, /srv]
    ports: ['127.0.0.1:$web_port:80']
    healthcheck: {test: [CMD, wget, -q, -O, /dev/null, 'http://127.0.0.1/index.html'], interval: 200ms, retries: 50}
    init: true
    deploy: {resources: {limits: {memory: 64m, pids: 100}}}
YAML
}
app() { # DIR: the app's files, version 0
  mkdir -p "$1/shop/web"
  compose >"$1/shop/compose.yaml"
  printf 'FROM base:1\nCOPY index.html /srv/index.html\n' >"$1/shop/web/Dockerfile"
  echo v0 >"$1/shop/web/index.html"
}
gitc() { git -c user.name=bench -c user.email=bench@example.com "$@"; }
settle() { # PORT PAGE: until the port serves PAGE (bounded)
  for _ in $(seq 1200); do
    [ "$(curl -fsS --max-time 1 "http://127.0.0.1:$1/index.html" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  echo "port $1 never served $2" >&2; exit 1
}

echo "load: $(cut -d' ' -f1-3 /proc/loadavg); $commits commits and $commits reverts each"

# --- GitOps: agent + controller processes, a bare repository, webhooks
start_agent gitops-agent
mkdir -p "$work/controller"
"$stamp" --root "$work/controller/root" import "$work/rootfs.tar" base:1 >/dev/null
git init -q --bare -b main "$work/shop.git"
git clone -q "$work/shop.git" "$work/clone" 2>/dev/null
app "$work/clone"
echo "$work/clone/shop/compose.yaml" >"$work/gitops-agent/down"
(cd "$work/clone" && gitc add -A && gitc commit -q -m "shop: v0" && git push -q origin main)
secret "$work/controller/api-token" "bench-api-token-$RANDOM$RANDOM-0123456789"
secret "$work/controller/hook-secret" "bench-hook-secret-$RANDOM$RANDOM"
cat >"$work/controller/controller.yaml" <<YAML
api: {listen: 127.0.0.1:0, tokenFile: $work/controller/api-token}
repositories:
  - {name: shop, url: file://$work/shop.git, poll: off, webhook: {provider: github, secretFile: $work/controller/hook-secret}}
hosts:
  - {name: a, agent: $agent_url, tokenFile: $work/gitops-agent/token}
images: {distribution: embedded, listen: 127.0.0.1:0}
YAML
"$stamp" --root "$work/controller/root" controller -c "$work/controller/controller.yaml" \
  >"$work/controller/log" 2>&1 &
pids+=($!)
api=$(wait_line "$work/controller/log" 'API http://127\.0\.0\.1:[0-9]*' | cut -d' ' -f2)
settle "$web_port" v0 # the first release (the controller syncs every app when it starts)
java -XX:+UseSerialGC -cp "$jar" "$here/bench/GitOpsLatencyBench.java" gitops "$work/clone" \
  "$api/hooks/github" "$work/controller/hook-secret" "$web_port" "$commits" | tee "$work/gitops.out"
down gitops-agent

# --- by hand: an agent of its own on another root, stamp up in a directory
start_agent hand-agent
"$stamp" --root "$work/hand-agent/root" import "$work/rootfs.tar" base:1 >/dev/null
mkdir -p "$work/hand"
app "$work/hand"
echo "$work/hand/shop/compose.yaml" >"$work/hand-agent/down"
(cd "$work/hand" && git init -q -b main && gitc add -A && gitc commit -q -m "shop: v0")
"$stamp" --root "$work/hand-agent/root" up -f "$work/hand/shop/compose.yaml" >/dev/null
settle "$web_port" v0
java -XX:+UseSerialGC -cp "$jar" "$here/bench/GitOpsLatencyBench.java" cli "$work/hand" \
  "$stamp" "$work/hand-agent/root" "$web_port" "$commits" | tee "$work/hand.out"

field() { awk -v k="$2" -v f="$3" '$1 == k { for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }' "$1"; }
echo
printf '%-44s %9s %9s %9s %9s %9s\n' "step (p50 / p90, seconds)" gitops "by hand" "x hand" target "x target"
row() { # NAME KEY STAT TARGET
  awk -v n="$1 $3" -v a="$(field "$work/gitops.out" "$2" "$3")" -v b="$(field "$work/hand.out" "$2" "$3")" \
    -v t="$4" 'BEGIN { printf "%-44s %9.3f %9.3f %9.2f %9.1f %9.2f\n", n, a / 1000, b / 1000, a / b, t, a / 1000 / t }'
}
row "commit → new page served" commit_ms p50 3
row "commit → new page served" commit_ms p90 3
row "revert → old page served" revert_ms p50 1
row "revert → old page served" revert_ms p90 1
echo "gitops: git push + signed webhook → published port serves it; by hand: stamp up (a JVM each)"
echo "(x target below 1: within the issue's target; Argo CD polls Git every 120-180 s by default)"
