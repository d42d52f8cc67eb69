#!/usr/bin/env bash
# `docket serve --export-every 1h --export-dir DIR` keeps a fresh HTML
# export on disk: one is written when the server starts, swapped into place
# whole, and it holds the registry's tables.
set -euo pipefail
bin=${DOCKET_BIN:?run through ctest}
tmp=$(mktemp -d "${TEST_TMP:-/tmp}/export-every-XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$tmp/log" 2>/dev/null | tail -20; exit 1; }

db=$tmp/docket.db
"$bin" --db "$db" org add acme >/dev/null
"$bin" --db "$db" instance add acme acme-prod --env production --dialect postgres >/dev/null
printf 'table,column,type,description,campaign_dependency\nnight_file,id,integer,Id,required\n' >"$tmp/d.csv"
"$bin" --db "$db" import --instance acme-prod "$tmp/d.csv" >/dev/null
"$bin" --db "$db" serve --listen 127.0.0.1:0 --export-every 1h --export-dir "$tmp/site" >/dev/null 2>"$tmp/log" &
pid=$!
for _ in $(seq 200); do [ -f "$tmp/site/index.html" ] && break; sleep 0.05; done
[ -f "$tmp/site/index.html" ] || fail "no export appeared"
grep -q night_file "$tmp/site/index.html" || fail "the export lacks the table"
[ -f "$tmp/site/acme-prod/night_file.html" ] || fail "no table page"
grep -q 'REQUIRED' "$tmp/site/acme-prod/night_file.html" || fail "no rules card"
[ ! -e "$tmp/site.new" ] || fail "temporary export left behind"
"$bin" --db "$db" serve --export-every soon --export-dir "$tmp/x" >/dev/null 2>&1 && fail "bad duration accepted"
echo "1 passed, 0 failed"
