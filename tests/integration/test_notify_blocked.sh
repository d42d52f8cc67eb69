#!/usr/bin/env bash
# Notifications from the running server while one channel is rate-limited:
#  1. a webhook that answers every request with 429 Retry-After: 120 holds
#     up no other channel: a healthy webhook and Slack (paced 1/s) get
#     every event, in order, long before the Retry-After is over, while
#     the limited channel was asked once and its rows wait behind its
#     first, whose next attempt counts from the 429;
#  2. /admin/deliveries shows when the waiting row is tried next and
#     offers "retry now" for it; retry now sends it (and the rows behind
#     it) at once, without waiting out the Retry-After.
set -euo pipefail
src=${TEST_SOURCE_DIR:?}
# shellcheck source=../receivers/receivers.sh
. "$src/tests/receivers/receivers.sh"
rx_test_init notify-blocked
start_rx limited webhook '429:120' --secret "$secret"
start_rx hook webhook ok --secret "$secret"
start_rx slack slack ok
rx_ready limited hook slack || fail "a receiver did not start"

cfg="$tmp/docket.ini"
{
  rx_ini info limited hook slack
  printf '[route]\nrequest.submitted = limited, hook, slack\n'
} >"$cfg"
serve "$cfg" || fail "server did not start"
seed_acme test
seed_admin

# ---- 1: four requests; the healthy channels get them all ----
t0=$(date +%s)
for i in 1 2 3 4; do
  code=$(submit_json "Blocked test $i" "blocked_$i")
  [ "$code" = 201 ] || fail "submit $i answered $code"
done
wait_for 60 accepted hook 4 || fail "the healthy webhook did not get all four events"
wait_for 60 accepted slack 4 || fail "Slack did not get all four events"
[ $(( $(date +%s) - t0 )) -lt 110 ] || fail "too slow to tell (over 110 s)"
[ "$(grep -c . "$tmp/limited.jsonl")" = 1 ] ||
  fail "the rate-limited channel was asked $(grep -c . "$tmp/limited.jsonl") times, not once"
$rx_py - "$tmp" <<'PY' || fail "order or outbox state"
import json, sqlite3, sys
d = sys.argv[1]
db = sqlite3.connect(f"{d}/docket.db")
def uids(channel, state):
    return [r[0] for r in db.execute(
        "SELECT e.uid FROM outbox o JOIN events e ON e.id = o.event_id"
        " WHERE o.channel = ? AND o.state = ? ORDER BY o.id", (channel, state))]
def titles(name):
    return [json.loads(l)["body"] for l in open(f"{d}/{name}.jsonl")]
# In order per channel: the webhook ids are the uids in outbox order.
got = [json.loads(l)["headers"]["webhook-id"] for l in open(f"{d}/hook.jsonl")]
assert got == uids("hook", "delivered"), (got, uids("hook", "delivered"))
slack = titles("slack")
assert [("Blocked test %d" % i) in slack[i - 1] for i in (1, 2, 3, 4)] == [True] * 4
rows = list(db.execute(
    "SELECT attempts, last_status, next_attempt FROM outbox"
    " WHERE channel = 'limited' AND state = 'pending' ORDER BY id"))
assert len(rows) == 4, rows
assert rows[0][:2] == (1, 429), rows
assert [r[0] for r in rows[1:]] == [0, 0, 0], rows
first = json.loads(open(f"{d}/limited.jsonl").readline())["time"]
assert rows[0][2] >= first + 120, (rows[0][2], first)
PY
echo "a channel answering 429 Retry-After: 120 held up no other; order kept"
passed=$((passed + 1))

# ---- 2: the deliveries page and retry now for a pending row ----
page=$(curl -sS -H "Authorization: Bearer $admin_token" "$url/admin/deliveries?channel=limited")
echo "$page" | grep 'next attempt at <time' >/dev/null || fail "the page does not say when the next attempt is"
id=$(sqlite3 -cmd ".timeout 10000" "$tmp/docket.db" "SELECT min(id) FROM outbox WHERE channel='limited' AND state='pending'")
echo "$page" | grep "/admin/deliveries/$id/retry" >/dev/null || fail "no retry now for the waiting row $id"
curl -sS -o /dev/null -H 'Content-Type: text/plain' --data ok "http://127.0.0.1:$(p limited)/_control/script"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin_token" \
  --data "" "$url/admin/deliveries/$id/retry")
[ "$code" = 303 ] || fail "retry now answered $code"
wait_for 60 accepted limited 4 || fail "retry now did not send the waiting rows"
first=$($rx_py -c 'import json,sys;print(int(json.loads(open(sys.argv[1]).readline())["time"]))' "$tmp/limited.jsonl")
[ $(( $(date +%s) - first )) -lt 120 ] || fail "sent only after the Retry-After"
[ "$(sqlite3 -cmd ".timeout 10000" "$tmp/docket.db" "SELECT count(*) FROM outbox WHERE state='delivered'")" = 12 ] ||
  fail "not every row is delivered"
echo "deliveries page: next attempt shown; retry now sends a waiting row at once"
passed=$((passed + 1))

echo "$passed passed, 0 failed"
