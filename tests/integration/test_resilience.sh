#!/usr/bin/env bash
# Resilience of the real server:
#  1. 500 idle or slow-drip connections, and a normal client is still served
#     within 1 s; a body trickling past the request deadline is cut off;
#  1b. 2,000 requests that send part of their headers or body and close
#     free their slots at once: /healthz still answers in seconds with a
#     60 s idle timeout, and no closed connection is left behind; half a
#     header block is dropped after the header timeout (10 s);
#  2. HTTPS with a self-signed certificate (--tls-cert/--tls-key), HSTS;
#  3. `docket backup` under write load, restored into a working server.
# Needs DOCKET_BIN (from ctest), curl, openssl, python3; loopback only.
set -euo pipefail
bin=${DOCKET_BIN:?run through ctest}
tmp=$(mktemp -d "${TEST_TMP:-/tmp}/resilience-XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_TEST_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/server.log" ] && tail -20 "$tmp/server.log"; exit 1; }
passed=0

# start NAME [extra serve args...]: starts a server, sets $url.
start() {
  local name=$1; shift
  local cfg="$tmp/$name.ini"
  printf '[server]\ndb = %s/%s.db\nlog_level = warn\ntimeout = %s\nrequest_deadline = 3\n' "$tmp" "$name" "${idle_timeout:-5}" >"$cfg"
  "$bin" --config "$cfg" serve --listen 127.0.0.1:0 "$@" >"$tmp/$name.out" 2>>"$tmp/server.log" &
  pids+=($!)
  server_pid=$!
  for _ in $(seq 200); do
    # up to the "/" after the port (a read during the server's write of
    # the line can see part of the port)
    url=$(grep -o 'https\?://127.0.0.1:[0-9]*/' "$tmp/$name.out" 2>/dev/null |
      sed -n '1s|/$||p' || true)
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  fail "server $name did not start"
}

# ---- 1. many idle and slow clients ----
start slow
port=${url##*:}
/usr/bin/python3 - "$port" <<'PY' || fail "slow clients"
import socket, sys, time, urllib.request
port = int(sys.argv[1])
socks = []
# 250 connections that never send a byte, 250 that drip a header slowly.
for i in range(500):
    s = socket.create_connection(("127.0.0.1", port))
    if i % 2:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    socks.append(s)
worst = 0.0
for round_ in range(5):
    for s in socks[1::2]:
        try:
            s.sendall(b"a")
        except OSError:
            pass
    t0 = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
        assert r.status == 200, r.status
        assert b'"status":"ok"' in r.read()
    worst = max(worst, time.monotonic() - t0)
    time.sleep(0.2)
print(f"normal client served in at most {worst*1000:.1f} ms with 500 slow connections open")
assert worst < 1.0, worst
for s in socks:
    s.close()
PY
passed=$((passed + 1))

/usr/bin/python3 - "$port" <<'PY' || fail "request deadline"
import socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(10)
s.sendall(b"POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n")
t0 = time.monotonic()
answer = b""
try:
    for _ in range(100):
        s.sendall(b"a")
        time.sleep(0.5)
        s.setblocking(False)
        try:
            answer += s.recv(200)
        except BlockingIOError:
            pass
        s.setblocking(True)
        if answer:
            break
except (BrokenPipeError, ConnectionResetError):
    pass
elapsed = time.monotonic() - t0
assert (answer.startswith(b"HTTP/1.1 408") or answer == b""), answer[:80]
assert elapsed < 8, elapsed
print(f"slow body cut off after {elapsed:.1f} s: {answer[:30]!r}")
PY
passed=$((passed + 1))

# ---- 1b. clients that close half-way ----
idle_timeout=60 start aborts
/usr/bin/python3 - "${url##*:}" "$server_pid" <<'PY' || fail "aborted requests hold their slots"
import socket, subprocess, sys, time, urllib.request
port, pid = int(sys.argv[1]), sys.argv[2]
t0 = time.monotonic()
for i in range(2000):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        if i % 2:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Partial: ")
        else:
            s.sendall(b"POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: "
                      b"application/x-www-form-urlencoded\r\nContent-Length: "
                      b"1000\r\n\r\nemail=a")
    except OSError:
        pass
    s.close()
sent = time.monotonic() - t0
# The connection limit is 1,000: had the aborts kept their slots, this
# would wait for the 60 s idle timeout (or the 10 s header timeout).
t0 = time.monotonic()
with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as r:
    assert r.status == 200, r.status
took = time.monotonic() - t0
print(f"2000 aborted requests sent in {sent:.2f} s; /healthz then answered in {took*1000:.0f} ms")
assert took < 8, took
def held():
    out = subprocess.run(["ss", "-tanpH"], capture_output=True, text=True).stdout
    return sum(1 for l in out.splitlines() if f"pid={pid}," in l and "LISTEN" not in l)
until = time.monotonic() + 8
while held() and time.monotonic() < until:
    time.sleep(0.2)
assert held() == 0, f"{held()} connections still held"
# A client that sent half a header block and waits is dropped after the
# header timeout (10 s), not the 60 s idle timeout.
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(40)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
t0 = time.monotonic()
try:
    got = s.recv(100)
except ConnectionResetError:
    got = b""
waited = time.monotonic() - t0
print(f"half a header block dropped after {waited:.1f} s (idle timeout 60 s)")
assert got == b"" and waited < 30, (got, waited)
PY
passed=$((passed + 1))

# ---- 1c. a large upload when the temporary files' disk is full ----
# (needs a tmpfs mount: skipped where mounting is not allowed)
mkdir -p "$tmp/tiny"
if mount -t tmpfs -o size=2m tmpfs "$tmp/tiny" 2>/dev/null; then
  cleanup_mount() { umount "$tmp/tiny" 2>/dev/null || true; }
  trap 'cleanup_mount; cleanup' EXIT
  printf 'correct horse battery\n' |
    "$bin" --config "$tmp/aborts.ini" user add --email up@x.example --name Up \
      --role pm >/dev/null 2>&1 || fail "user add"
  token=$("$bin" --config "$tmp/aborts.ini" token create --email up@x.example \
    --label t 2>/dev/null | cut -d' ' -f1)
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  TMPDIR=$tmp/tiny idle_timeout=60 start aborts
  head -c 5000000 /dev/zero | tr '\0' 'a' | sed 's/a\{99\}/&\n/g' >"$tmp/big.csv"
  code=$(curl -s -o "$tmp/full.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: text/csv' --data-binary @"$tmp/big.csv" "$url/api/v1/infer-columns")
  [ "$code" = 507 ] || fail "upload onto a full disk answered $code: $(cat "$tmp/full.json")"
  curl -sS "$url/healthz" | grep '"status"' >/dev/null || fail "server unhealthy after a full disk"
  echo "upload onto a full temporary disk: 507, server still answers"
  cleanup_mount
  passed=$((passed + 1))
else
  echo "skipped: the full-disk upload (tmpfs cannot be mounted here)"
fi

# ---- 2. HTTPS ----
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
start tls --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
case $url in https://*) ;; *) fail "TLS server printed $url";; esac
out=$(curl -sS --cacert "$tmp/cert.pem" -D - "$url/healthz") || fail "HTTPS request"
echo "$out" | grep -i '^strict-transport-security: max-age=' >/dev/null || fail "no HSTS header over TLS; the answer: $out"
echo "$out" | grep '"status":"ok"' >/dev/null || fail "healthz over TLS"
curl -sS --cacert "$tmp/cert.pem" -D - -o /dev/null "$url/signin" | grep -i 'content-security-policy' >/dev/null || fail "CSP over TLS"
if curl -sS --max-time 3 "http://127.0.0.1:${url##*:}/healthz" >/dev/null 2>&1; then
  fail "plain HTTP answered on the TLS port"
fi
echo "HTTPS with HSTS ok"
passed=$((passed + 1))
"$bin" serve --tls-cert "$tmp/cert.pem" --listen 127.0.0.1:0 --db "$tmp/x.db" >/dev/null 2>&1 && fail "cert without key accepted"
passed=$((passed + 1))

# ---- 3. backup under write load, restore ----
start live
cfg="$tmp/live.ini"
for i in $(seq 1 5); do "$bin" --config "$cfg" org add "seed$i" >/dev/null; done
# The writer adds organisations one after another until the backup has
# finished (at most 200): the backup starts once the first of them is
# written and runs while the others are (each CLI call takes about as long
# as the backup), without waiting for writes that come after it.
(
  for i in $(seq 1 200); do
    "$bin" --config "$cfg" org add "load$i" >/dev/null 2>&1 || true
    echo "$i" >"$tmp/written"
    [ -e "$tmp/backup.done" ] && break
  done
) &
writer=$!
for _ in $(seq 600); do [ -s "$tmp/written" ] && break; sleep 0.05; done
[ -s "$tmp/written" ] || fail "the writer did not start"
"$bin" --config "$cfg" backup "$tmp/backup.db" >/dev/null || fail "backup under load"
touch "$tmp/backup.done"
wait $writer
n_backup=$(sqlite3 "$tmp/backup.db" 'SELECT count(*) FROM organisations')
[ "$(sqlite3 "$tmp/backup.db" 'PRAGMA integrity_check')" = ok ] || fail "backup not intact"
[ "$(sqlite3 "$tmp/backup.db" 'PRAGMA foreign_key_check' | wc -l)" = 0 ] || fail "backup foreign keys"
[ "$n_backup" -ge 5 ] || fail "backup lost seeded rows ($n_backup)"
printf '[server]\ndb = %s/restored.db\n' "$tmp" >"$tmp/restored.ini"
"$bin" --config "$tmp/restored.ini" restore "$tmp/backup.db" >/dev/null || fail "restore"
start restored
curl -sS "$url/healthz" | grep '"database":true' >/dev/null || fail "restored server unhealthy"
n_restored=$(sqlite3 "$tmp/restored.db" 'SELECT count(*) FROM organisations')
[ "$n_restored" = "$n_backup" ] || fail "restored $n_restored rows, backup had $n_backup"
"$bin" --config "$tmp/restored.ini" restore "$tmp/nonexistent.db" >/dev/null 2>&1 && fail "restore of a missing file succeeded"
echo "backup of $n_backup organisations under load restored and served"
passed=$((passed + 1))

echo "$passed passed, 0 failed"
