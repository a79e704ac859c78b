#!/usr/bin/env bash
# Issue 2's throughput target: tenant(code:"230100"){children{code name}} with a valid
# token, on embedded SQLite, load generator on the same machine.
# Usage: bench/tenant-children.sh [clients] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-16}
secs=${2:-10}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/gdbos" ./cmd/gdbos
go build -o "$work/load" ./bench/load
port=18089
GDBOS_RATE_TOKEN=-1 GDBOS_ADMIN_PASSWORD=bench-password-1 GDBOS_LOG_LEVEL=warn "$work/gdbos" serve --demo --data "$work/data" --listen 127.0.0.1:$port &
pid=$!
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.1; done
token=$(curl -s http://127.0.0.1:$port/graphql -H 'Content-Type: application/json' \
  -d '{"query":"mutation{login(username:\"admin\",password:\"bench-password-1\"){token}}"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
"$work/load" -url http://127.0.0.1:$port/graphql -token "$token" -c "$clients" -d "${secs}s" -expect '"230102"'
