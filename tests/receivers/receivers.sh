# receivers.sh: sourced by the shell tests and benches that run docket
# beside the fake receivers of this directory (test_notify_server.sh,
# test_notify_blocked.sh, tests/bench/notify.sh). Before sourcing, set
#   bin      the docket binary
#   rx_dir   where receivers and the server keep their files
# and optionally rx_timeout (seconds a receiver lives, default 170); or,
# in a test run by ctest, call rx_test_init NAME, which sets bin (from
# DOCKET_BIN), tmp and rx_dir (a fresh directory under TEST_TMP), kills
# every process and removes the directory at exit (kept with
# KEEP_TEST_TMP), and defines fail MESSAGE and passed=0.
# Gives:
#   pids                 processes started here
#   rx_kill [SIGNAL]     kills them (default TERM) and waits for them
#   secret               a fresh Standard Webhooks secret (whsec_...)
#   wait_for SECS CMD... runs CMD every 50 ms until it succeeds (1 if never)
#   accepted NAME N      receiver NAME accepted at least N requests
#   start_rx NAME KIND SCRIPT [ARGS...]  starts fake_receiver.py (records
#                        in $rx_dir/NAME.jsonl, log NAME.log)
#   rx_ini LEVEL NAME... the configuration (on stdout) of a server on
#                        $rx_dir/docket.db with log_level LEVEL, loopback
#                        deliveries allowed, and a channel for each
#                        receiver NAME, of its kind (the last section is
#                        the last channel's: more of its keys may follow)
#   rx_ready NAME...     waits up to 10 s for each receiver's port; 1 if not
#   p NAME               the port of receiver NAME
#   serve CFG [PORT]     starts `docket serve` (stdout $rx_dir/out, stderr
#                        appended to $rx_dir/server.log); sets server, url
#                        and port; 1 when it does not start in 20 s
#   d ARGS...            docket with $cfg
#   seed_acme LABEL      org acme, instance acme-prod (postgres), users
#                        client@acme.example (client) and
#                        pm@platform.example (pm); sets token (the
#                        client's, labelled LABEL)
#   seed_admin           user admin@platform.example (admin); sets
#                        admin_token
#   submit_json TITLE TABLE  submits a one-table request through the API
#                        as the client; prints the HTTP status
# shellcheck shell=bash
rx_py=/usr/bin/python3
rx_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rx_timeout=${rx_timeout:-170}
pids=()
declare -A rx_kind

wait_for() {
  local t=$1
  shift
  for _ in $(seq $((t * 20))); do "$@" && return 0; sleep 0.05; done
  return 1
}

accepted() {
  [ "$(grep -c '"accepted": true' "$rx_dir/$1.jsonl" 2>/dev/null)" -ge "$2" ]
}

secret=whsec_$($rx_py -c 'import base64,os;print(base64.b64encode(os.urandom(24)).decode())')

rx_kill() {
  local p
  for p in "${pids[@]}"; do kill "${1:--TERM}" "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

rx_test_init() {
  bin=${DOCKET_BIN:?run through ctest}
  tmp=$(mktemp -d "${TEST_TMP:-/tmp}/$1-XXXXXX")
  rx_dir=$tmp
  trap 'rx_kill -KILL; [ -n "${KEEP_TEST_TMP:-}" ] || rm -rf "$tmp"' EXIT
  passed=0
}

fail() {
  echo "FAIL: $*"
  tail -30 "$rx_dir/server.log" 2>/dev/null
  exit 1
}

start_rx() {
  local name=$1 kind=$2 script=$3
  shift 3
  $rx_py "$rx_here/fake_receiver.py" --kind "$kind" --script "$script" \
    --record "$rx_dir/$name.jsonl" --port-file "$rx_dir/$name.port" \
    --timeout "$rx_timeout" "$@" 2>"$rx_dir/$name.log" &
  pids+=($!)
  rx_kind[$name]=$kind
}

rx_ini() {
  local n u
  printf '[server]\ndb = %s/docket.db\nbase_url = http://docket.test\n' "$rx_dir"
  printf 'log_level = %s\n[notify]\nallow_private = true\nallow_http = true\n' "$1"
  shift
  for n in "$@"; do
    u=http://127.0.0.1:$(p "$n")
    printf '[channel.%s]\ntype = %s\n' "$n" "${rx_kind[$n]}"
    case ${rx_kind[$n]} in
    webhook) printf 'url = %s/hook\nsecret = %s\n' "$u" "$secret" ;;
    slack) printf 'url = %s/services/T0/B0/X\n' "$u" ;;
    teams) printf 'url = %s/workflows/a/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x\n' "$u" ;;
    pagerduty) printf 'routing_key = 0123456789abcdef0123456789abcdef\nurl = %s/v2/change/enqueue\n' "$u" ;;
    esac
  done
}

rx_ready() {
  local n
  for n in "$@"; do
    wait_for 10 test -s "$rx_dir/$n.port" || { echo "receiver $n did not start" >&2; return 1; }
  done
}

p() { cat "$rx_dir/$1.port"; }

serve() {
  : >"$rx_dir/out"
  "$bin" --config "$1" serve --listen "127.0.0.1:${2:-0}" >"$rx_dir/out" 2>>"$rx_dir/server.log" &
  server=$!
  pids+=($server)
  # the whole address, up to the "/" after the port: a read while the
  # server writes the line can see only part of the port
  wait_for 20 grep -q 'serving http://127.0.0.1:[0-9]*/' "$rx_dir/out" || return 1
  url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$rx_dir/out" | sed -n '1s|/$||p')
  port=${url##*:}
}

d() { "$bin" --config "$cfg" "$@"; }

seed_acme() {
  d org add acme >/dev/null
  d instance add acme acme-prod --env production --dialect postgres >/dev/null
  echo 'correct horse battery' | d user add --email client@acme.example --name Cleo --role client --org acme --password-stdin >/dev/null
  echo 'correct horse battery' | d user add --email pm@platform.example --name Pat --role pm --password-stdin >/dev/null
  token=$(d token create --email client@acme.example --label "$1")
}

seed_admin() {
  echo 'correct horse battery' | d user add --email admin@platform.example --name Ada --role admin --password-stdin >/dev/null
  admin_token=$(d token create --email admin@platform.example --label test)
}

submit_json() {
  local body='{"instance":"acme-prod","project_manager":"pm@platform.example","title":"'$1'","summary":"Why","consent_related":false,"items":[{"kind":"new_table","table":"'$2'","description":"T","source":"flat_file_csv","cadence":"daily","campaign_dependency":"optional","expected_arrival":"05:00","columns":[{"name":"id","type":"bigint","nullable":false,"primary_key":true,"description":"Id"}],"primary_key":"id"}]}'
  curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' --data "$body" "$url/api/v1/requests"
}
