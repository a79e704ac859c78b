#!/usr/bin/env bash
# Issue 4's data API targets, side by side with PostGraphile 4.14.1 in one run:
# the peer's dataset (200 divisions, 20,000 enterprises, 100,000 licences) imported
# into GDBOS through `gdbos import` (on SQLite and on PostgreSQL) and loaded into
# PostgreSQL for PostGraphile; the same two 3-level queries measured with the same
# load generator (hey) and the same number of clients, signed in as a reader whose
# only grant is a role binding at Harbin (230100).
#   up:   20 licences → their enterprise → its division
#   down: 20 divisions → 5 enterprises each → 3 licences each
# The three servers run side by side; the measurements alternate between them for
# ROUNDS rounds (the machine may be shared: each figure is the median of its rounds).
# Usage: bench/dataapi/run.sh [SECONDS=10] [CLIENTS=16] [ROUNDS=3]
# $PGURL is a PostgreSQL server URL whose user may create databases
# (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
clients=${2:-16}
rounds=${3:-3}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
C=${XDG_CACHE_HOME:-$HOME/.cache}/gdbos-peer
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; rm -rf "$work"' EXIT
dburl() { python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$PGURL" "$1"; }
fresh() { psql -q "$PGURL" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; dburl "$1"; }

[ -x "$C/hey" ] || GOBIN=$C go install github.com/rakyll/hey@v0.1.5
go build -o "$work/gdbos" ./cmd/gdbos
go build -o "$work/server" ./bench/dataapi/server
bench/peer-postgraphile.sh data "$work/csv" >/dev/null

# GDBOS's CSVs: the peer's, with field names in a header and relation ids for the
# peer's foreign keys (records are imported in file order into fresh tables, so the
# n-th row gets id n; the run checks it).
python3 - "$work/csv" <<'PY'
import csv, sys
D = sys.argv[1]
divs = list(csv.reader(open(f"{D}/division.csv")))
idx = {r[0]: i + 1 for i, r in enumerate(divs)}
with open(f"{D}/g-division.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["code", "name", "parentCode"]); w.writerows(divs)
with open(f"{D}/g-enterprise.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["uscc", "name", "division", "employees", "capital", "industry", "established"])
    for e in csv.reader(open(f"{D}/enterprise.csv")):
        w.writerow([e[1], e[2], idx[e[3]], e[4], e[5], e[6], e[7]])
with open(f"{D}/g-licence.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["enterprise", "kind", "issued", "status"])
    for l in csv.reader(open(f"{D}/licence.csv")):
        w.writerow([l[1], l[2], l[3], l[4]])
PY

up='{ licences(first: 20, orderBy: [{field: id}]) { nodes { kind status enterprise { uscc name division { code name } } } } }'
down='{ divisions(first: 20, orderBy: [{field: code}]) { nodes { code name enterprises(first: 5, orderBy: [{field: id}]) { nodes { uscc name licences(first: 3, orderBy: [{field: id}]) { nodes { kind status } } } } } } }'
body() { python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$1"; }

gql() { # gql URL TOKEN QUERY [VARIABLES]
  python3 - "$@" <<'PY'
import json, sys, urllib.request
url, tok, q = sys.argv[1:4]
v = json.loads(sys.argv[4]) if len(sys.argv) > 4 else None
req = urllib.request.Request(url, json.dumps({"query": q, "variables": v}).encode(), {"Content-Type": "application/json"})
if tok: req.add_header("Authorization", "Bearer " + tok)
d = json.load(urllib.request.urlopen(req))
if d.get("errors"): sys.exit("graphql: " + json.dumps(d["errors"], ensure_ascii=False))
print(json.dumps(d["data"], ensure_ascii=False))
PY
}

measure() { # measure URL TOKEN QUERY: prints requests/s
  local out auth=()
  [ -n "$2" ] && auth=(-H "Authorization: Bearer $2")
  out=$("$C/hey" -z "${secs}s" -c "$clients" -m POST -T application/json "${auth[@]}" -d "$(body "$3")" "$1")
  echo "$out" | grep -E "^ +\[[0-9]{3}\] +[0-9]+ responses" | grep -v "\[200\]" >&2 && { echo "requests failed: $1" >&2; exit 1; }
  echo "$out" | grep -q "\[200\]" || { echo "no answer: $1" >&2; echo "$out" | tail -5 >&2; exit 1; }
  echo "$out" | awk '/Requests\/sec/{print $2}'
}

login() { gql "$1" "" "mutation{login(username:\"$2\",password:\"bench-password-2\"){token}}" | python3 -c 'import json,sys;print(json.load(sys.stdin)["login"]["token"])'; }
cli() { GDBOS_SERVER=$server GDBOS_TOKEN=$1 GDBOS_CONFIG=$work/cred.json "$work/gdbos" "${@:2}"; }

gdbos_start() { # gdbos_start NAME PORT [DATABASE-URL]: sets url and token
  local name=$1 port=$2 db=${3:-} t0
  server=http://127.0.0.1:$port
  GDBOS_ADMIN_PASSWORD=bench-password-1 "$work/server" --data "$work/$name" ${db:+--database "$db"} --listen 127.0.0.1:$port &
  pids+=($!)
  for _ in $(seq 1 300); do curl -sf $server/readyz >/dev/null && break; sleep 0.1; done
  local api=$server/graphql admin sys sec writer reader
  admin=$(gql $api "" 'mutation{login(username:"admin",password:"bench-password-1"){token}}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["login"]["token"])')
  # The three administrators: the system administrator publishes the schemas and
  # makes the users, the security administrator grants records through roles.
  GDBOS_NEW_PASSWORD=bench-password-2 cli "$admin" appoint --system sys.admin --security sec.admin --audit audit.admin >/dev/null
  sys=$(login $api sys.admin); sec=$(login $api sec.admin)
  cli "$sys" apply -f bench/dataapi/schemas.yaml >/dev/null
  for u in bench.reader bench.writer; do
    gql $api "$sys" "mutation{createUser(input:{username:\"$u\",password:\"bench-password-2\",homeTenant:\"230100\"}){id}}" >/dev/null
  done
  cli "$sec" apply -f bench/dataapi/rbac.yaml >/dev/null
  writer=$(login $api bench.writer); reader=$(login $api bench.reader)
  t0=$(date +%s.%N)
  for e in division enterprise licence; do
    cli "$writer" import --quiet --entity $e --tenant 230100 "$work/csv/g-$e.csv" >/dev/null
  done
  printf '%-16s import of 120,200 rows (gdbos import): %.1f s\n' "$name" "$(echo "$(date +%s.%N) - $t0" | bc)"
  url=$server/data/230100/graphql token=$reader
  # The n-th row got id n: licence 100000 is the file's last row.
  gql $url "$reader" '{licence(id:"100000"){kind enterprise{uscc}} enterprises(first:1){totalCount}}' |
    python3 -c 'import csv,json,sys; d=json.load(sys.stdin); l=list(csv.reader(open(sys.argv[1])))[-1]; e=list(csv.reader(open(sys.argv[2])))[int(l[1])-1]
assert d["licence"]["kind"]==l[2] and d["licence"]["enterprise"]["uscc"]==e[1] and d["enterprises"]["totalCount"]==20000, d' "$work/csv/licence.csv" "$work/csv/enterprise.csv"
}

declare -A url token query
gdbos_start gdbos-sqlite 18097; url[gdbos-sqlite]=$url token[gdbos-sqlite]=$token
gdbos_start gdbos-postgres 18098 "$(fresh gdbos_bench)"; url[gdbos-postgres]=$url token[gdbos-postgres]=$token
peer=$(fresh gdbos_bench_peer)
bench/peer-postgraphile.sh load "$peer" "$work/csv" 2>/dev/null
bench/peer-postgraphile.sh run "$peer" 1 1 up >/dev/null # installs PostGraphile, checks it answers
(cd "$C/pgl" && exec ./node_modules/.bin/postgraphile -c "$peer" -s public --host 127.0.0.1 --port 18096 --dynamic-json --disable-query-log \
   --append-plugins @graphile-contrib/pg-simplify-inflector,postgraphile-plugin-connection-filter) >"$work/pgl.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf -X POST http://127.0.0.1:18096/graphql -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' >/dev/null && break; sleep 0.3; done
url[postgraphile]=http://127.0.0.1:18096/graphql token[postgraphile]=
# The peer script's queries, word for word.
query[postgraphile-up]='{ licences(first: 20, orderBy: ID_ASC) { nodes { kind status enterprise { uscc name divisionByDivisionCode { code name } } } } }'
query[postgraphile-down]='{ divisions(first: 20, orderBy: CODE_ASC) { nodes { code name enterprisesByDivisionCode(first: 5, orderBy: ID_ASC) { nodes { uscc name licences(first: 3, orderBy: ID_ASC) { nodes { kind status } } } } } } }'
for t in gdbos-sqlite gdbos-postgres; do query[$t-up]=$up query[$t-down]=$down; done

# The same rows in every answer: compare them as data.
for shape in up down; do
  for t in gdbos-sqlite gdbos-postgres postgraphile; do
    gql "${url[$t]}" "${token[$t]}" "${query[$t-$shape]}" | python3 -c '
import json,sys
def flat(v):
    if isinstance(v, dict):
        if "nodes" in v: return [flat(n) for n in v["nodes"]]
        return sorted((k if k not in ("divisionByDivisionCode","enterprisesByDivisionCode") else {"divisionByDivisionCode":"division","enterprisesByDivisionCode":"enterprises"}[k], flat(x)) for k, x in v.items())
    return v
print(json.dumps(flat(json.load(sys.stdin)), ensure_ascii=False, sort_keys=True))' >"$work/answer-$t-$shape"
  done
  cmp -s "$work/answer-gdbos-sqlite-$shape" "$work/answer-postgraphile-$shape" && cmp -s "$work/answer-gdbos-postgres-$shape" "$work/answer-postgraphile-$shape" ||
    { echo "the $shape answers differ"; head -c 300 "$work"/answer-*-$shape; exit 1; }
done
echo "the answers match PostGraphile's"

echo "hey -z ${secs}s -c $clients, $rounds rounds; $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(go version | cut -d' ' -f3), load average $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A rates
for r in $(seq 1 "$rounds"); do
  for shape in up down; do
    for t in gdbos-sqlite gdbos-postgres postgraphile; do
      rate=$(measure "${url[$t]}" "${token[$t]}" "${query[$t-$shape]}")
      rates[$t-$shape]+="$rate "
      printf 'round %d  %-20s %10s req/s\n' "$r" "$t $shape" "$rate"
    done
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "medians (req/s):"
for shape in up down; do
  g=$(echo "${rates[gdbos-sqlite-$shape]}" | median); p=$(echo "${rates[gdbos-postgres-$shape]}" | median); q=$(echo "${rates[postgraphile-$shape]}" | median)
  printf '  %-5s gdbos-sqlite %8.1f   gdbos-postgres %8.1f   postgraphile %8.1f   gdbos-postgres/postgraphile %.2fx\n' "$shape" "$g" "$p" "$q" "$(echo "$p / $q" | bc -l)"
done
