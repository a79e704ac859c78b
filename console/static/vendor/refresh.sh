#!/usr/bin/env bash
# Refreshes the vendored GraphiQL page dependencies from the npm registry:
#   console/static/vendor/refresh.sh
# It needs only npm (for `npm pack`), not a build: the files are the packages' own
# prebuilt UMD bundles, copied byte for byte. Change the versions here to upgrade.
set -euo pipefail
cd "$(dirname "$0")"
GRAPHIQL=graphiql@3.8.3 REACT=react@18.3.1 REACT_DOM=react-dom@18.3.1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$GRAPHIQL" "$REACT" "$REACT_DOM" >/dev/null)
for t in "$tmp"/*.tgz; do d="$tmp/$(basename "$t" .tgz)"; mkdir -p "$d"; tar xzf "$t" -C "$d"; done
out=graphiql
cp "$tmp"/graphiql-*/package/graphiql.min.js "$tmp"/graphiql-*/package/graphiql.min.css "$out"/
cp "$tmp"/react-1*/package/umd/react.production.min.js "$out"/
cp "$tmp"/react-dom-*/package/umd/react-dom.production.min.js "$out"/
cp "$tmp"/graphiql-*/package/LICENSE "$out"/LICENSE.graphiql
cp "$tmp"/react-1*/package/LICENSE "$out"/LICENSE.react
cp "$tmp"/react-dom-*/package/LICENSE "$out"/LICENSE.react-dom
echo "$GRAPHIQL $REACT $REACT_DOM" > "$out"/VERSIONS
