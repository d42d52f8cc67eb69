#!/usr/bin/env bash
# Storage seams of the real server, each on its own small tmpfs volume in a
# private mount namespace (made with unshare; the test reports 77, skipped,
# where none can be made):
#  1. a database on a read-only file system, an immutable database, -wal or
#     -shm: `docket serve` refuses to start (exit 2) naming the file and the
#     reason; `--read-only` serves it: lookups work, writes get 503 "this
#     server is read-only", no notification worker, /healthz ok with
#     "mode":"read-only", nothing written;
#  2. a full disk (an 8 MiB volume filled by submissions): 507 with the
#     out-of-space message, never 500, nothing partial stored, the WAL stays
#     bounded, /healthz degraded (503) with the reason, and once space is
#     freed writes succeed and /healthz is ok again;
#  3. a database made unwritable while serving: /healthz degraded;
#  4. a damaged b-tree: the failed write makes /healthz degraded.
# Needs DOCKET_BIN (from ctest), curl, sqlite3; loopback only.
set -euo pipefail
bin=${DOCKET_BIN:?run through ctest}

if [ -z "${DOCKET_STORAGE_NS:-}" ]; then
  if [ "$(id -u)" = 0 ]; then ns=(unshare -m --propagation private)
  else ns=(unshare -r -m --propagation private); fi
  if ! "${ns[@]}" true 2>/dev/null; then
    echo "SKIP: no private mount namespace here (unshare)"
    exit 77
  fi
  DOCKET_STORAGE_NS=1 exec "${ns[@]}" bash "$0" "$@"
fi

mkdir -p "${TEST_TMP:-/tmp}"
tmp=$(mktemp -d "${TEST_TMP:-/tmp}/storage-XXXXXX")
pids=()
mounts=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  chattr -R -i "$tmp" 2>/dev/null || true
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done
  [ -n "${KEEP_TEST_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/server.log" ] && tail -20 "$tmp/server.log"; exit 1; }
passed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }

# volume DIR SIZE: a fresh tmpfs at DIR.
volume() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" ||
    { echo "SKIP: cannot mount tmpfs"; exit 77; }
  mounts+=("$1")
}

# serve DB [args]: starts a server, sets $url and $server_pid.
serve() {
  local db=$1; shift
  : >"$tmp/out.txt"
  env --default-signal=INT,TERM "$bin" --config "$tmp/docket.ini" --db "$db" \
    serve --listen 127.0.0.1:0 "$@" >"$tmp/out.txt" 2>>"$tmp/server.log" &
  server_pid=$!
  pids+=($server_pid)
  for _ in $(seq 400); do
    # up to the "/" after the port (a read during the server's write of
    # the line can see part of the port)
    url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$tmp/out.txt" 2>/dev/null |
      sed -n '1s|/$||p' || true)
    [ -n "$url" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || fail "server on $db ended at start-up"
    sleep 0.05
  done
  fail "server on $db did not start"
}

stop() {
  local rc=0
  kill -TERM "$server_pid"
  wait "$server_pid" || rc=$?
  [ "$rc" = 0 ] || fail "server stopped with status $rc"
}

# seed DB: schema, first admin, an organisation with an instance, a client
# with an API token (in $tmp/token) and a project manager.
pw='correct horse battery staple'
seed() {
  local db=$1
  serve "$db"
  stop
  "$bin" --db "$db" org add acme >/dev/null
  "$bin" --db "$db" instance add acme acme-qa --env qa --dialect postgres >/dev/null
  echo "$pw" | "$bin" --db "$db" user add --email ann@acme.example --name Ann \
    --role client --org acme --password-stdin >/dev/null
  echo "$pw" | "$bin" --db "$db" user add --email pat@platform.example \
    --name Pat --role pm --password-stdin >/dev/null
  "$bin" --db "$db" token create --email ann@acme.example --label t |
    grep -o 'dkt_[0-9a-f]*' >"$tmp/token"
}

# submit TITLE [SUMMARY_BYTES]: POST /api/v1/requests (a new table named
# after a counter, a summary of words of that size); prints the status,
# the body goes to $tmp/answer.
words=(consent loyalty orders email daily feed opt-in campaign segment store
       customer history)
nsub=0
submit() {
  local size=${2:-100} text="" i=0
  if [ ! -f "$tmp/summary.$size" ]; then
    while [ ${#text} -lt "$size" ]; do
      text+="${words[$((i * 7 % 12))]}$i "
      i=$((i + 1))
    done
    printf '%s' "$text" >"$tmp/summary.$size"
  fi
  nsub=$((nsub + 1))
  printf '{"instance":"acme-qa","project_manager":"pat@platform.example","title":"%s","summary":"%s","items":[{"kind":"new_table","table":"fill_%d","description":"d","source":"api","cadence":"daily","campaign_dependency":"optional","columns":[{"name":"member_id","type":"bigint"}]}]}' \
    "$1" "$(cat "$tmp/summary.$size")" "$nsub" >"$tmp/body.json"
  curl -sS -o "$tmp/answer" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $(cat "$tmp/token")" \
    -H 'Content-Type: application/json' --data-binary @"$tmp/body.json" \
    "$url/api/v1/requests"
}

health() { curl -sS -o "$tmp/health" -w '%{http_code}' "$url/healthz"; }

printf '[server]\nlog_level = info\nmin_free_mb = 1\nwal_limit_mb = 1\ncheckpoint_ms = 100\n' >"$tmp/docket.ini"
can_chattr=0
touch "$tmp/probe" && chattr +i "$tmp/probe" 2>/dev/null && can_chattr=1
chattr -i "$tmp/probe" 2>/dev/null || true

# ---- 1. read-only files ----------------------------------------------------
volume "$tmp/ro" 8m
seed "$tmp/ro/d.db"
mount -o remount,ro "$tmp/ro"
rc=0
"$bin" --config "$tmp/docket.ini" --db "$tmp/ro/d.db" serve --listen 127.0.0.1:0 \
  >"$tmp/out.txt" 2>"$tmp/err.txt" || rc=$?
[ "$rc" = 2 ] || fail "serve on a read-only file system: exit $rc, want 2"
grep -q "$tmp/ro/d.db" "$tmp/err.txt" || fail "refusal does not name the database: $(cat "$tmp/err.txt")"
grep -q "Read-only file system" "$tmp/err.txt" || fail "refusal does not say why: $(cat "$tmp/err.txt")"
grep -q -- "--read-only" "$tmp/err.txt" || fail "refusal does not mention --read-only"
ok "read-only file system refused: $(cat "$tmp/err.txt")"

: >"$tmp/server.log"
serve "$tmp/ro/d.db" --read-only
[ "$(health)" = 200 ] || fail "read-only health: $(cat "$tmp/health")"
grep -q '"status":"ok"' "$tmp/health" || fail "read-only health not ok: $(cat "$tmp/health")"
grep -q '"mode":"read-only"' "$tmp/health" || fail "read-only health mode: $(cat "$tmp/health")"
code=$(curl -sS -o "$tmp/answer" -w '%{http_code}' -H "Authorization: Bearer $(cat "$tmp/token")" \
  "$url/api/v1/instances/acme-qa/tables")
[ "$code" = 200 ] || fail "lookup on a read-only server: $code $(cat "$tmp/answer")"
code=$(submit "on a read-only copy")
[ "$code" = 503 ] || fail "write on a read-only server: $code $(cat "$tmp/answer")"
grep -qi 'read-only' "$tmp/answer" || fail "503 does not say read-only: $(cat "$tmp/answer")"
if grep -q 'notify: worker started' "$tmp/server.log"; then fail "notification worker started read-only"; fi
stop
ok "--read-only on a read-only file system: lookups 200, writes 503, health ok (read-only)"

if [ $can_chattr = 1 ]; then
  volume "$tmp/imm" 8m
  seed "$tmp/imm/d.db"
  chattr +i "$tmp/imm/d.db"
  rc=0
  "$bin" --config "$tmp/docket.ini" --db "$tmp/imm/d.db" serve --listen 127.0.0.1:0 \
    >"$tmp/out.txt" 2>"$tmp/err.txt" || rc=$?
  [ "$rc" = 2 ] || fail "serve on an immutable database: exit $rc"
  grep -q "$tmp/imm/d.db: Operation not permitted" "$tmp/err.txt" || fail "immutable: $(cat "$tmp/err.txt")"
  # --read-only beside it, in a writable directory: nothing is written.
  sum=$(sha256sum <"$tmp/imm/d.db")
  serve "$tmp/imm/d.db" --read-only
  code=$(submit "read-only beside")
  [ "$code" = 503 ] || fail "write on a read-only server (writable directory): $code"
  stop
  [ "$(sha256sum <"$tmp/imm/d.db")" = "$sum" ] || fail "read-only server changed the database"
  chattr -i "$tmp/imm/d.db"
  # a -wal and a -shm that cannot be written
  for f in wal shm; do
    sqlite3 "$tmp/imm/d.db" ".filectrl persist_wal 1" "SELECT count(*) FROM users" >/dev/null
    [ -f "$tmp/imm/d.db-$f" ] || fail "no -$f to make immutable"
    chattr +i "$tmp/imm/d.db-$f"
    rc=0
    "$bin" --config "$tmp/docket.ini" --db "$tmp/imm/d.db" serve --listen 127.0.0.1:0 \
      >"$tmp/out.txt" 2>"$tmp/err.txt" || rc=$?
    chattr -i "$tmp/imm/d.db-$f"
    [ "$rc" = 2 ] || fail "serve with an immutable -$f: exit $rc"
    grep -q "d.db-$f: Operation not permitted" "$tmp/err.txt" || fail "-$f: $(cat "$tmp/err.txt")"
  done
  ok "immutable database, -wal and -shm refused; --read-only writes nothing"

  # ---- 3. unwritable while serving ----
  serve "$tmp/imm/d.db"
  [ "$(health)" = 200 ] || fail "health before: $(cat "$tmp/health")"
  chattr +i "$tmp/imm/d.db"
  code=$(health)
  chattr -i "$tmp/imm/d.db"
  [ "$code" = 503 ] || fail "health of an unwritable database: $code $(cat "$tmp/health")"
  grep -q '"status":"degraded"' "$tmp/health" || fail "not degraded: $(cat "$tmp/health")"
  grep -q 'not writable' "$tmp/health" || fail "no reason: $(cat "$tmp/health")"
  [ "$(health)" = 200 ] || fail "health after: $(cat "$tmp/health")"
  stop
  ok "database made unwritable while serving: health degraded, then ok again"
else
  echo "note: chattr +i does not work here; immutable cases left out"
fi

# ---- 2. a full disk ----------------------------------------------------------
volume "$tmp/full" 8m
seed "$tmp/full/d.db"
head -c $((3 * 1024 * 1024)) /dev/zero >"$tmp/full/filler"
serve "$tmp/full/d.db"
[ "$(health)" = 200 ] || fail "health before filling: $(cat "$tmp/health")"
: >"$tmp/stored"
max_wal=0
first_fail=""
for i in $(seq 1 3000); do
  code=$(submit "fill-$i" 12000)
  w=$(stat -c %s "$tmp/full/d.db-wal" 2>/dev/null || echo 0)
  [ "$w" -gt "$max_wal" ] && max_wal=$w
  case $code in
    201) echo "fill-$i" >>"$tmp/stored" ;;
    *) first_fail=$code; break ;;
  esac
done
n_ok=$(wc -l <"$tmp/stored")
[ -n "$first_fail" ] || fail "the volume never filled"
[ "$first_fail" = 507 ] || fail "first failure on a full disk: $first_fail $(cat "$tmp/answer")"
grep -q 'out of disk space' "$tmp/answer" || fail "507 without the message: $(cat "$tmp/answer")"
grep -q 'nothing you sent was saved' "$tmp/answer" || fail "507 does not say nothing was saved"
for i in 1 2 3 4 5; do
  code=$(submit "more-$i" 12000)
  case $code in
    507) ;;
    201) echo "more-$i" >>"$tmp/stored" ;;
    *) fail "on a full disk: $code $(cat "$tmp/answer")" ;;
  esac
done
code=$(health)
[ "$code" = 503 ] || fail "health on a full disk: $code $(cat "$tmp/health")"
grep -q '"status":"degraded"' "$tmp/health" || fail "full disk not degraded"
grep -Eq 'out of disk space|disk nearly full' "$tmp/health" || fail "no reason: $(cat "$tmp/health")"
echo "full after $n_ok submissions; largest WAL seen $max_wal bytes; health: $(cat "$tmp/health")"
# wal_limit_mb = 1: the WAL stays near 1 MiB instead of filling the volume.
[ "$max_wal" -le $((3 * 1024 * 1024)) ] || fail "the WAL grew to $max_wal bytes"
ok "full disk: 507 with the out-of-space message, health degraded, WAL at most $max_wal bytes"

# Nothing partial: exactly the answered requests are stored, complete.
sqlite3 -readonly "$tmp/full/d.db" "SELECT title FROM requests WHERE title LIKE 'fill-%' OR title LIKE 'more-%' ORDER BY title" >"$tmp/in_db"
sort "$tmp/stored" >"$tmp/stored.sorted"
diff -q "$tmp/stored.sorted" "$tmp/in_db" >/dev/null ||
  fail "stored requests differ from the answered ones: $(diff "$tmp/stored.sorted" "$tmp/in_db" | sed -n 1,5p)"
orphans=$(sqlite3 -readonly "$tmp/full/d.db" "SELECT count(*) FROM requests r WHERE NOT EXISTS (SELECT 1 FROM request_items i WHERE i.request_id = r.id)")
[ "$orphans" = 0 ] || fail "$orphans requests without their items"
ok "nothing partial: the $(wc -l <"$tmp/in_db") answered requests and no others are stored"

rm -f "$tmp/full/filler"
code=$(submit "after-freeing" 12000)
[ "$code" = 201 ] || fail "after freeing space: $code $(cat "$tmp/answer")"
code=$(health)
[ "$code" = 200 ] || fail "health after freeing space: $code $(cat "$tmp/health")"
grep -q '"status":"ok"' "$tmp/health" || fail "not ok after freeing space"
stop
[ "$(sqlite3 "$tmp/full/d.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity after a full disk"
ok "space freed: writes succeed and health is ok again"

# ---- 4. a damaged b-tree ------------------------------------------------------
mkdir -p "$tmp/bad"
seed "$tmp/bad/d.db"
root=$(sqlite3 "$tmp/bad/d.db" "SELECT rootpage FROM sqlite_schema WHERE name = 'requests'")
psize=$(sqlite3 "$tmp/bad/d.db" "PRAGMA page_size")
[ "$root" -gt 1 ] || fail "no root page for requests"
# Page header of the requests table: an impossible page type and counts.
printf '\x07\xff\xff\xff\xff\xff\xff\xff' |
  dd of="$tmp/bad/d.db" bs=1 seek=$(((root - 1) * psize)) conv=notrunc status=none
: >"$tmp/server.log"
serve "$tmp/bad/d.db"
code=$(submit "into a damaged table")
[ "$code" != 201 ] || fail "a write into a damaged b-tree succeeded"
code=$(health)
[ "$code" = 503 ] || fail "health of a damaged database: $code $(cat "$tmp/health")"
grep -q 'damaged' "$tmp/health" || fail "no reason: $(cat "$tmp/health")"
stop
ok "damaged b-tree: the failed write makes health degraded ($(cat "$tmp/health"))"

echo "$passed passed, 0 failed"
