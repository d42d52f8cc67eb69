#!/usr/bin/env bash
# A stop signal at any moment of `docket serve`'s start-up ends it cleanly:
# exit status 0, never a death by the signal. The signals are sent at many
# points: before the server listens (while the database opens and the first
# admin is created), during the background build of the search index on a
# database large enough for the build to take a while, and after start-up.
# docket takes over SIGINT/SIGTERM as the first thing main() does; the test
# waits for that (SigBlk in /proc/PID/status), since a signal that lands
# while the dynamic loader still runs takes its default action in any
# program.
# Needs DOCKET_BIN and DOCKET_GEN (from ctest), curl; loopback only.
set -euo pipefail
bin=${DOCKET_BIN:?run through ctest}
gen=${DOCKET_GEN:?run through ctest}
mkdir -p "${TEST_TMP:-/tmp}"
tmp=$(mktemp -d "${TEST_TMP:-/tmp}/stopsig-XXXXXX")
pid=""
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "${KEEP_TEST_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/err.txt" ] && tail -20 "$tmp/err.txt"; exit 1; }

# The database: 1,000 tables, 10,000 columns, 2,000 requests (the index
# build at start-up takes tens to hundreds of milliseconds here).
"$gen" --db "$tmp/big.db" --out "$tmp" --scale 0.1 --columns 10 --gate-tables 0 >/dev/null ||
  fail "cannot generate the database"

# Waits until process $1 blocks SIGTERM (bit 15, mask 0x4000) or serves
# (its main thread then waits in sigwait, which shows the mask without the
# signals it waits for); 1 if it ended first.
wait_blocked() {
  local m
  for _ in $(seq 4000); do
    m=$(awk '/^SigBlk/{print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$m" ] || return 1
    if [ $((0x$m & 0x4000)) -ne 0 ]; then return 0; fi
    grep -q 'serving http://127.0.0.1:[0-9]*/' "$tmp/out.txt" 2>/dev/null && return 0
    sleep 0.002
  done
  return 1
}

# one DB SIGNAL DELAY: starts a server on DB, sends SIGNAL DELAY seconds
# after it took over the stop signals, and checks that it ended with 0.
one() {
  local db=$1 sig=$2 delay=$3 rc=0
  # A background job of a script starts with SIGINT ignored: undo that.
  env --default-signal=INT,TERM "$bin" --db "$db" serve --listen 127.0.0.1:0 \
    >"$tmp/out.txt" 2>"$tmp/err.txt" &
  pid=$!
  wait_blocked "$pid" || { wait "$pid" || true; fail "server ended before blocking signals"; }
  sleep "$delay"
  kill -"$sig" "$pid"
  wait "$pid" || rc=$?
  pid=""
  if [ "$rc" -ne 0 ]; then
    if [ "$rc" -gt 128 ]; then
      fail "SIG$sig after ${delay}s on $(basename "$db"): killed by signal $((rc - 128))"
    fi
    fail "SIG$sig after ${delay}s on $(basename "$db"): exit status $rc"
  fi
}

runs=0
# A fresh database each time: the first-run work (schema, first admin,
# Argon2 hashing of its password) is part of start-up too.
for delay in 0 0 0.001 0.003 0.005 0.01 0.02 0.05 0.1; do
  rm -f "$tmp"/fresh.db*
  one "$tmp/fresh.db" TERM "$delay"
  runs=$((runs + 1))
done
echo "SIGTERM during first-run start-up: $runs clean stops"

# The search index is built in the background from start-up on.
for delay in 0 0 0 0.002 0.005 0.01 0.015 0.02 0.03 0.04 0.05 0.07 0.1 0.15 \
             0.2 0.3 0.5; do
  one "$tmp/big.db" TERM "$delay"
  runs=$((runs + 1))
done
for delay in 0 0.01 0.05 0.2; do
  one "$tmp/big.db" INT "$delay"
  runs=$((runs + 1))
done
echo "SIGTERM/SIGINT during the index build: $runs clean stops in all"

# After start-up the server still stops cleanly and says so.
"$bin" --db "$tmp/big.db" serve --listen 127.0.0.1:0 >"$tmp/out.txt" 2>"$tmp/err.txt" &
pid=$!
for _ in $(seq 400); do
  grep -q 'serving http://127.0.0.1:[0-9]*/' "$tmp/out.txt" && break
  sleep 0.025
done
url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$tmp/out.txt" | sed -n '1s|/$||p') ||
  fail "did not start"
curl -sS "$url/healthz" | grep '"status":"ok"' >/dev/null || fail "not healthy"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" = 0 ] || fail "stop after start-up: exit status $rc"
grep -q 'docket: stopped' "$tmp/out.txt" || fail "no 'stopped' line"
echo "$((runs + 1)) passed, 0 failed"
