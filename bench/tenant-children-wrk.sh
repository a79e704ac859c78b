#!/usr/bin/env bash
# Issue 2's throughput target measured with wrk (Debian's package) as the load
# generator: tenant(code:"230100"){children{code name}} with a valid token, embedded
# SQLite, both on this machine. Usage: bench/tenant-children-wrk.sh [connections] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-8}
secs=${2:-10}
command -v wrk >/dev/null || { echo "install wrk: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/gdbos" ./cmd/gdbos
port=18090
GDBOS_RATE_TOKEN=-1 GDBOS_ADMIN_PASSWORD=bench-password-1 GDBOS_LOG_LEVEL=warn "$work/gdbos" serve --demo --data "$work/data" --listen 127.0.0.1:$port &
pid=$!
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.1; done
export GDBOS_TOKEN=$(curl -s http://127.0.0.1:$port/graphql -H 'Content-Type: application/json' \
  -d '{"query":"mutation{login(username:\"admin\",password:\"bench-password-1\"){token}}"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
wrk -t1 -c"$conns" -d"${secs}s" --latency -s bench/tenant-children.lua http://127.0.0.1:$port/graphql
