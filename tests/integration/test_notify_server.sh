#!/usr/bin/env bash
# Notifications from the running server, end to end on loopback:
#  1. a request submitted through the API reaches a signed webhook (the
#     fake receiver verifies the Standard Webhooks signature);
#  2. docket killed with SIGKILL while a delivery hangs loses nothing: after
#     a restart the same event (same webhook-id) is delivered;
#  3. a password-reset link travels through the outbox to a real SMTP
#     server (aiosmtpd), works once, and sets the password;
#  4. the admin deliveries page shows the deliveries.
set -euo pipefail
rx_timeout=90
src=${TEST_SOURCE_DIR:?}
# shellcheck source=../receivers/receivers.sh
. "$src/tests/receivers/receivers.sh"
rx_test_init notify-server
start_rx hooks webhook "hang,ok" --secret "$secret"
$rx_py "$src/tests/receivers/smtp_receiver.py" --maildir "$tmp/mail" \
  --port-file "$tmp/smtp.port" --timeout 90 2>"$tmp/smtp.log" &
pids+=($!)
rx_ready hooks smtp || fail "a receiver did not start"
smtp_port=$(p smtp)

cfg="$tmp/docket.ini"
{
  rx_ini info hooks
  cat <<INI
timeout = 60
[channel.mail]
type = email
smtp_url = smtp://127.0.0.1:$smtp_port
starttls = false
from = docket <docket@example.com>
to = recipient
[route]
request.submitted = hooks
account.reset = mail
INI
} >"$cfg"

start() { serve "$cfg" "${port:-0}" || fail "server did not start"; }
start
seed_acme test
seed_admin

# ---- 1 and 2: submit; the first delivery hangs; kill -9; restart ----
body='{"instance":"acme-prod","project_manager":"pm@platform.example","title":"Loyalty tiers","summary":"Why","consent_related":false,"items":[{"kind":"new_table","table":"loyalty_members","description":"Members","source":"flat_file_csv","cadence":"daily","campaign_dependency":"required","expected_arrival":"05:00","columns":[{"name":"member_id","type":"bigint","nullable":false,"primary_key":true,"description":"Member number"}],"primary_key":"member_id"}]}'
status=$(curl -sS -o "$tmp/created.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' --data "$body" "$url/api/v1/requests")
[ "$status" = 201 ] || fail "submit answered $status: $(cat "$tmp/created.json")"
# The worker picked the row up and is waiting on the hanging receiver.
wait_for 20 grep -q 'hanging POST /hook' "$tmp/hooks.log" ||
  fail "the hanging receiver was never asked"
sleep 0.5
[ "$(sqlite3 -cmd ".timeout 10000" "$tmp/docket.db" "SELECT state FROM outbox WHERE channel='hooks'")" = pending ] ||
  fail "the row is not pending while the receiver hangs"
kill -9 "$server"
wait "$server" 2>/dev/null || true
start
wait_for 30 grep -q '"accepted": true' "$tmp/hooks.jsonl" || fail "event not delivered after restart"
[ "$(sqlite3 -cmd ".timeout 10000" "$tmp/docket.db" "SELECT state FROM outbox WHERE channel='hooks'")" = delivered ] ||
  fail "outbox row not marked delivered"
$rx_py - "$tmp/hooks.jsonl" <<'PY' || fail "delivered webhook content"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
ok = [r for r in recs if r["accepted"]]
assert len(ok) == 1, f"{len(ok)} accepted deliveries"
body = json.loads(ok[0]["body"])
assert "request.submitted" in json.dumps(body), body
assert "Loyalty tiers" in ok[0]["body"]
assert "http://docket.test/requests/1" in ok[0]["body"], ok[0]["body"][:300]
ids = {r["headers"].get("webhook-id") for r in recs}
assert len(ids) == 1, f"webhook-id changed across retries: {ids}"
PY
echo "webhook delivered once after kill -9 mid-delivery, same webhook-id"
passed=$((passed + 1))

# ---- 3: password reset e-mail ----
# POSTs a session-less form (reset, sign-in) as a browser does: the form
# page first (its pre-session cookie and token), then the POST from this
# origin. Prints the status.
form_post() { # form_path post_path data
  page=$(curl -sS -D "$tmp/form.h" "$url$1")
  tok=$(printf '%s' "$page" | grep -o 'name="csrf" value="[0-9a-f]*"' | sed -n '1{s/.*value="//; s/"$//; p}')
  ck=$(grep -i '^set-cookie: [^=]*docket_pre=' "$tmp/form.h" | sed -n '1{s/^[^:]*: //; s/;.*//; p}' | tr -d '\r')
  curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $ck" -H "Origin: $url" --data "$3&csrf=$tok" "$url$2"
}
form_post /reset /reset 'email=client%40acme.example' | grep 200 >/dev/null ||
  fail "reset request"
form_post /reset /reset 'email=nobody%40acme.example' >/dev/null
wait_for 20 sh -c "ls '$tmp/mail/new' 2>/dev/null | grep -q ." || fail "no reset e-mail arrived"
sleep 0.3
[ "$(ls "$tmp/mail/new" | wc -l)" = 1 ] || fail "expected exactly one e-mail (none for unknown addresses)"
mailfile=$(ls "$tmp/mail/new/"* | sed -n 1p)
link=$($rx_py - "$mailfile" <<'PY'
import email, re, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"))
assert msg["To"].strip().endswith("client@acme.example"), msg["To"]
text = "".join(p.get_payload(decode=True).decode() for p in msg.walk()
               if p.get_content_type() == "text/plain")
m = re.search(r"http://docket\.test(/reset/[0-9a-f]{64})", text)
assert m, text
print(m.group(1))
PY
) || fail "reset e-mail content"
code=$(form_post "$link" "$link" 'new=a+brand+new+password')
[ "$code" = 303 ] || fail "using the reset link answered $code"
code=$(form_post "$link" "$link" 'new=another+new+password')
[ "$code" = 404 ] || fail "second use of the reset link answered $code"
code=$(form_post /signin /signin 'email=client%40acme.example&password=a+brand+new+password')
[ "$code" = 303 ] || fail "sign-in with the new password answered $code"
echo "password reset by e-mail works once"
passed=$((passed + 1))

# ---- 4: the admin page ----
page=$(curl -sS -H "Authorization: Bearer $admin_token" "$url/admin/deliveries")
echo "$page" | grep 'request.submitted' >/dev/null || fail "deliveries page lacks the event"
echo "$page" | grep 'delivered' >/dev/null || fail "deliveries page lacks the state"
echo "$page" | grep "$secret" >/dev/null && fail "the webhook secret appears on the page"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/admin/deliveries")
[ "$code" = 403 ] || fail "a client reached the deliveries page ($code)"
grep -q "$secret" "$tmp/server.log" && fail "the webhook secret appears in the log"
echo "deliveries page shows the deliveries, no secrets"
passed=$((passed + 1))

echo "$passed passed, 0 failed"
