#!/usr/bin/env bash
# Issue 2's cold start: `gdbos serve` on a SQLite database holding 10,000 resources,
# from exec until /readyz answers. Usage: bench/coldstart.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/gdbos" ./cmd/gdbos
port=18091
export GDBOS_ADMIN_PASSWORD=bench-password-1 GDBOS_LOG_LEVEL=warn GDBOS_CONFIG="$work/creds.json"
start() {
  "$work/gdbos" serve --demo --data "$work/data" --listen 127.0.0.1:$port &
  pid=$!
  until curl -sf http://127.0.0.1:$port/readyz >/dev/null; do sleep 0.002; done
}
start
GDBOS_PASSWORD=$GDBOS_ADMIN_PASSWORD "$work/gdbos" login --server http://127.0.0.1:$port >/dev/null
codes=(230000 230100 230102 230103 230104 230200 230300 230102001)
for i in $(seq 0 9999); do
  printf -- '---\napiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: "%s", name: m%05d}\nspec: {enabled: true, settings: {index: %d}}\n' "${codes[$((i % 8))]}" "$i" "$i"
done > "$work/many.yaml"
/usr/bin/time -f "apply of 10,000 resources: %e s" "$work/gdbos" apply -f "$work/many.yaml" --server http://127.0.0.1:$port | tail -n 1
kill $pid; wait $pid 2>/dev/null || true
for _ in $(seq 1 "$runs"); do
  t0=$(date +%s%N)
  start
  t1=$(date +%s%N)
  echo "cold start to ready: $(( (t1 - t0) / 1000000 )) ms"
  kill $pid; wait $pid 2>/dev/null || true
done
