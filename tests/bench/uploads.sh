#!/usr/bin/env bash
# uploads.sh: the uploads case of `make bench`. A fresh docket receives
# 16 concurrent 95 MB uploads from a signed-in client (bearer token) to
# /api/v1/infer-columns, half as a raw text/csv body and half as a
# multipart file part, while the server's resident memory (VmRSS) is
# sampled every 20 ms; then 8 concurrent 95 MB uploads without
# credentials. Large bodies go to temporary files (TMPDIR), at most 8 at
# once: the other uploads are told 503 with Retry-After and curl retries
# them. Prints one JSON line for run.sh's report:
#   {"name": "uploads_16x95MB", "seconds": S, "uploads": 16,
#    "statuses": "413x16", "rss_start_mib": A, "rss_peak_mib": B,
#    "anon_statuses": "401x8", "anon_rss_peak_mib": C}
# Target: rss_peak_mib < 256 (the samples are over 10 MiB, so every
# authenticated upload ends 413 after it was received in full).
#
#   tests/bench/uploads.sh DOCKET_BIN WORK_DIR
set -euo pipefail
bin=$1
work=$2
dir=$work/uploads
rm -rf "$dir"
mkdir -p "$dir/tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$dir/sample.csv"
}
trap cleanup EXIT
die() { echo "uploads.sh: $*" >&2; tail -20 "$dir/server.log" >&2 || true; exit 3; }

cfg=$dir/docket.ini
printf '[server]\ndb = %s/uploads.db\nlog_level = warn\n' "$dir" >"$cfg"
printf 'correct horse battery\n' |
  "$bin" --config "$cfg" user add --email up@bench.example --name Up \
    --role pm >/dev/null 2>&1 || die "user add"
token=$("$bin" --config "$cfg" token create --email up@bench.example \
  --label bench 2>/dev/null | sed -n 1p | cut -d' ' -f1)
[ -n "$token" ] || die "no token"

# a 95 MB CSV
/usr/bin/python3 - "$dir/sample.csv" <<'PY'
import sys
row = b"".join(b"%d,member%d,gold,2024-01-01\n" % (i, i) for i in range(1000))
with open(sys.argv[1], "wb") as f:
    n = 0
    while n < 95_000_000:
        f.write(row[: 95_000_000 - n])
        n += min(len(row), 95_000_000 - n)
PY

TMPDIR=$dir/tmp "$bin" --config "$cfg" serve --listen 127.0.0.1:0 \
  >"$dir/server.out" 2>"$dir/server.log" &
server=$!
pids+=($server)
url=""
for _ in $(seq 200); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$dir/server.out" 2>/dev/null |
    sed -n '1s|/$||p' || true)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || die "server did not start"

rss() { awk '/^VmRSS/ {print $2}' /proc/$server/status; }
# sample VmRSS until told to stop; prints the peak in KiB
sampler() {
  local peak=0 v
  while [ ! -f "$dir/stop" ]; do
    v=$(rss 2>/dev/null || echo 0)
    [ "$v" -gt "$peak" ] && peak=$v
    sleep 0.02
  done
  echo "$peak" >"$dir/peak"
}

# upload N MODE AUTH: N concurrent uploads; statuses into $dir/codes
upload() {
  local n=$1 mode=$2 auth=$3 i
  local cpids=()
  : >"$dir/codes"
  rm -f "$dir"/code.*
  for i in $(seq 1 "$n"); do
    if [ "$mode" = mixed ] && [ $((i % 2)) = 0 ]; then
      curl -s -o "$dir/body.$i" -w '%{http_code}\n' --retry 30 --retry-all-errors --retry-delay 3 --retry-max-time 300 \
        ${auth:+-H "Authorization: Bearer $auth"} \
        -F "file=@$dir/sample.csv;type=text/csv" \
        "$url/api/v1/infer-columns" >"$dir/code.$i" 2>&1 &
    else
      curl -s -o "$dir/body.$i" -w '%{http_code}\n' --retry 30 --retry-all-errors --retry-delay 3 --retry-max-time 300 \
        ${auth:+-H "Authorization: Bearer $auth"} \
        -H 'Content-Type: text/csv' --data-binary "@$dir/sample.csv" \
        "$url/api/v1/infer-columns" >"$dir/code.$i" 2>&1 &
    fi
    cpids+=($!)
  done
  for i in "${!cpids[@]}"; do
    wait "${cpids[$i]}" || echo " curl exit $?" >>"$dir/code.$((i + 1))"
  done
  for i in $(seq 1 "$n"); do
    tr -d '\n' <"$dir/code.$i" >>"$dir/codes"
    echo >>"$dir/codes"
  done
}
summary() { sort "$dir/codes" | uniq -c | awk '{printf "%s%sx%s", (NR > 1 ? "," : ""), $2, $1}'; }

start_kib=$(rss)
rm -f "$dir/stop"
sampler &
spid=$!
t0=$(date +%s%N)
upload 16 mixed "$token"
t1=$(date +%s%N)
touch "$dir/stop"
wait $spid
peak_kib=$(cat "$dir/peak")
statuses=$(summary)

rm -f "$dir/stop"
sampler &
spid=$!
upload 8 raw ""
touch "$dir/stop"
wait $spid
anon_peak_kib=$(cat "$dir/peak")
anon_statuses=$(summary)
spooled=$(find "$dir/tmp" -type f | wc -l)

mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
printf '{"name": "uploads_16x95MB", "seconds": %.2f, "uploads": 16, "statuses": "%s", "rss_start_mib": %s, "rss_peak_mib": %s, "anon_statuses": "%s", "anon_rss_peak_mib": %s, "temp_files_left": %d}\n' \
  "$(( (t1 - t0) / 1000000 ))e-3" "$statuses" "$(mib "$start_kib")" \
  "$(mib "$peak_kib")" "$anon_statuses" "$(mib "$anon_peak_kib")" "$spooled"
