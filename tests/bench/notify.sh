#!/usr/bin/env bash
# notify.sh: the notify case of `make bench`. A running docket delivers
# request.submitted events to six channels on loopback (the fake
# receivers of tests/receivers/): a webhook that answers every request
# with 429 Retry-After: 30, a webhook that hangs (timeout 20 s), a healthy
# webhook, Slack (paced 1/s), Teams (300 ms) and PagerDuty (500 ms).
# Requests are submitted through the API
# a little slower than Slack's pace; for each healthy channel it reports
# how long an event took from its submission to its receiver, as JSON
# lines for run.sh's report:
#   {"name": "notify_webhook_beside_429_hang", "median_ms": ...,
#    "p99_ms": ..., "max_ms": ..., "events": N, "expected": N,
#    "blocked_requests": K}
# Target: every event reaches every other channel in < 2 s while the
# rate-limited one waits out its Retry-After (blocked_requests stays 1)
# and the hanging one times out.
#
#   tests/bench/notify.sh DOCKET_BIN WORK_DIR [EVENTS]
set -euo pipefail
bin=$1
work=$2
events=${3:-15}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=$work/notify
rm -rf "$dir"
mkdir -p "$dir"
rx_dir=$dir
rx_timeout=600
# shellcheck source=../receivers/receivers.sh
. "$root/tests/receivers/receivers.sh"
trap rx_kill EXIT
die() { echo "notify.sh: $*" >&2; tail -20 "$dir/server.log" >&2 || true; exit 3; }

start_rx limited webhook '429:30' --secret "$secret"
start_rx hung webhook hang --secret "$secret"
start_rx hook webhook ok --secret "$secret"
start_rx slack slack ok
start_rx teams teams ok
start_rx pd pagerduty ok
rx_ready limited hung hook slack teams pd || die "a receiver did not start"

cfg=$dir/docket.ini
{
  rx_ini warn limited hook slack teams pd hung
  printf 'timeout = 20\n[route]\n'
  printf 'request.submitted = limited, hung, hook, slack, teams, pd\n'
} >"$cfg"
serve "$cfg" || die "docket did not start"
seed_acme bench

# One request every 1.2 s (Slack's pace is 1/s): "Bench event NNN".
: >"$dir/submitted.tsv"
for i in $(seq 1 "$events"); do
  n=$(printf '%03d' "$i")
  t=$($rx_py -c 'import time;print(time.time())')
  code=$(submit_json "Bench event $n" "bench_$n")
  [ "$code" = 201 ] || die "submit answered $code"
  printf '%s\t%s\n' "$n" "$t" >>"$dir/submitted.tsv"
  sleep 1.2
done
# Until every healthy channel has every event (at most 120 s).
got() { accepted "$1" "$events"; }
all_got() { got hook && got slack && got teams && got pd; }
wait_for 120 all_got || echo "notify.sh: not every event arrived in 120 s" >&2

$rx_py - "$dir" "$events" <<'PY'
import json, re, sys
d, events = sys.argv[1], int(sys.argv[2])
sub = dict(l.split("\t") for l in open(f"{d}/submitted.tsv").read().split("\n") if l)
sub = {k: float(v) for k, v in sub.items()}
def recs(name):
    try:
        return [json.loads(l) for l in open(f"{d}/{name}.jsonl")]
    except FileNotFoundError:
        return []
blocked = len(recs("limited"))
for name, label in (("hook", "webhook"), ("slack", "slack"),
                    ("teams", "teams"), ("pd", "pagerduty")):
    lat = []
    for r in recs(name):
        m = re.search(r"Bench event (\d{3})", r["body"])
        if r["accepted"] and m and m.group(1) in sub:
            lat.append((r["time"] - sub[m.group(1)]) * 1000)
    lat.sort()
    n = len(lat)
    med = lat[n // 2] if n else -1
    p99 = lat[min(n - 1, int(n * 0.99))] if n else -1
    print(json.dumps({"name": f"notify_{label}_beside_429_hang",
                      "median_ms": round(med, 1), "p99_ms": round(p99, 1),
                      "max_ms": round(lat[-1] if n else -1, 1), "events": n,
                      "expected": events, "blocked_requests": blocked}))
PY
