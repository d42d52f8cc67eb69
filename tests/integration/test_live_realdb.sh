#!/usr/bin/env bash
# test_live_realdb.sh: live_read (live/) against real PostgreSQL and MariaDB
# servers and SQLite files, through tests/tools/live_dump.c.
# - Every table and column of docket's own generated migrations (the
#   migration corpus, applied up) reads back with the names, types,
#   nullability and comments the corpus writer expects (on SQLite the
#   descriptions docket writes into CREATE TABLE).
# - A hand-made schema: composite key positions, table and column comments,
#   the schema from the URL or --schema, a missing schema or database.
# - A user with a password: the right one reads; a wrong one is exit 3 with
#   one line that never shows it.
# - A session opened as live_read opens it refuses an INSERT and a CREATE
#   (the user may write otherwise).
# - A closed port and a server that never answers give exit 3 with a clear
#   line within the connect timeout instead of hanging.
#   LIVE_DUMP, MIGRATE_CORPUS  the tools (set by tests/cmake/live.cmake)
set -euo pipefail
. "$(dirname "$0")/realdb.sh"

[ -n "${LIVE_DUMP:-}" ] && [ -x "$LIVE_DUMP" ] ||
  fail "LIVE_DUMP is not set to the built live_dump tool (ctest sets it)"
[ -n "${MIGRATE_CORPUS:-}" ] && [ -x "$MIGRATE_CORPUS" ] ||
  fail "MIGRATE_CORPUS is not set to the built migrate_corpus tool"
command -v python3 >/dev/null || fail "python3 not found; run scripts/deps.sh test"

realdb_start live-realdb
"$MIGRATE_CORPUS" "$tmp/corpus" >/dev/null || fail "migrate_corpus failed"
my -e 'CREATE DATABASE corpus CHARACTER SET utf8mb4'
say "corpus written"

status=0
bad() { echo "FAIL: $*" >&2; status=1; KEEP_TMP=1; }

pgsrc="postgres://postgres@/postgres?host=$pgdir"
mysrc="mysql://root@localhost/corpus?socket=$mysock"

# --- 1. the corpus on each engine --------------------------------------------
# Types compared as the engines spell them: PostgreSQL's format_type,
# MariaDB's COLUMN_TYPE without integer display widths, SQLite's declared
# type in lower case; blanks after commas dropped.
norm() { # engine
  case $1 in
  mysql) sed -E 's/(tinyint|smallint|mediumint|bigint|int)\([0-9]+\)/\1/' ;;
  sqlite) awk -F'|' -v OFS='|' '{ $3 = tolower($3); print }' ;;
  *) cat ;;
  esac | sed 's/, /,/g' | LC_ALL=C sort
}
for engine in postgres mysql sqlite; do
  dir=$tmp/corpus/$engine
  case $engine in
  postgres) pg -1 -f "$dir/base.sql" >/dev/null && pg -1 -f "$dir/up.sql" >/dev/null
            src=$pgsrc ;;
  mysql) my corpus <"$dir/base.sql" && my corpus <"$dir/up.sql"; src=$mysrc ;;
  sqlite) "$sqlite" -bail "$tmp/live.db" <"$dir/base.sql" &&
          "$sqlite" -bail "$tmp/live.db" <"$dir/up.sql"; src="sqlite:$tmp/live.db" ;;
  esac
  if ! "$LIVE_DUMP" --lines "$src" >"$tmp/$engine.lines" 2>"$tmp/$engine.err"; then
    bad "$engine: live_dump failed: $(cat "$tmp/$engine.err")"
    continue
  fi
  if diff -u <(norm $engine <"$dir/expected_up.txt") <(norm $engine <"$tmp/$engine.lines") \
       >"$tmp/$engine.diff"; then
    say "$engine: the corpus reads back as expected ($(grep -vc '|-|table|' "$tmp/$engine.lines") columns)"
  else
    bad "$engine: live schema differs from the corpus's (- expected, + live):"
    head -60 "$tmp/$engine.diff" >&2
  fi
done

# --- 2. a hand-made schema: keys, comments, schema choice --------------------
pg -c "CREATE SCHEMA shop;
  CREATE TABLE shop.order_items (order_id bigint NOT NULL, line integer NOT NULL,
    sku varchar(64), amount numeric(12,2) NOT NULL, note text,
    PRIMARY KEY (line, order_id));
  COMMENT ON TABLE shop.order_items IS 'One line of an order';
  COMMENT ON COLUMN shop.order_items.sku IS 'Stock keeping unit, e.g. \"A-1\"';
  CREATE ROLE app LOGIN PASSWORD 'Sekr3t-pw-123';
  GRANT USAGE, CREATE ON SCHEMA shop TO app;
  GRANT SELECT, INSERT ON shop.order_items TO app;"
my -e "CREATE DATABASE shop CHARACTER SET utf8mb4;
  CREATE TABLE shop.order_items (order_id bigint NOT NULL, line int NOT NULL,
    sku varchar(64) COMMENT 'Stock keeping unit, e.g. \"A-1\"',
    amount decimal(12,2) NOT NULL, note text,
    PRIMARY KEY (line, order_id)) COMMENT='One line of an order';
  CREATE USER 'app'@'localhost' IDENTIFIED BY 'Sekr3t-pw-123';
  GRANT SELECT, INSERT, CREATE ON shop.* TO 'app'@'localhost';"
# Passwords for app over the socket (postgres stays trusted).
as_pg sh -c "{ echo 'local all app scram-sha-256'; cat '$pgdir/data/pg_hba.conf'; } >'$pgdir/hba.new' &&
  cat '$pgdir/hba.new' >'$pgdir/data/pg_hba.conf'"
pg -c 'SELECT pg_reload_conf()' >/dev/null

expect_shop() { # engine json-file
  python3 - "$1" "$2" <<'PY' || return 1
import json, sys
engine, path = sys.argv[1], sys.argv[2]
s = json.load(open(path))
assert s["schema"] == "shop", s["schema"]
t = [t for t in s["tables"] if t["name"] == "order_items"]
assert len(t) == 1, [t["name"] for t in s["tables"]]
t = t[0]
assert t["comment"] == "One line of an order", t["comment"]
c = {c["name"]: c for c in t["columns"]}
assert [c["name"] for c in t["columns"]] == ["order_id", "line", "sku", "amount", "note"]
assert [c["ordinal"] for c in t["columns"]] == [1, 2, 3, 4, 5]
assert c["line"]["pk_position"] == 1 and c["order_id"]["pk_position"] == 2
assert c["sku"]["pk_position"] == 0
assert not c["order_id"]["nullable"] and c["sku"]["nullable"]
assert c["sku"]["comment"] == 'Stock keeping unit, e.g. "A-1"', c["sku"]["comment"]
assert c["note"]["comment"] == ""
assert c["sku"]["char_max"] == 64
assert (c["amount"]["num_precision"], c["amount"]["num_scale"]) == (12, 2)
want = {"postgres": ("bigint", "character varying", "numeric"),
        "mysql": ("bigint", "varchar", "decimal")}[engine]
got = (c["order_id"]["data_type"], c["sku"]["data_type"], c["amount"]["data_type"])
assert got == want, got
assert "Sekr3t" not in json.dumps(s)
PY
}

pgapp="postgres://app:Sekr3t-pw-123@/postgres?host=$pgdir"
myapp="mysql://app:Sekr3t-pw-123@localhost/shop?socket=$mysock"
for case in "postgres|$pgapp&schema=shop|" "postgres|$pgapp|--schema shop" \
            "postgres|$pgapp&currentSchema=shop|" "mysql|$myapp|"; do
  IFS='|' read -r engine src extra <<<"$case"
  # shellcheck disable=SC2086
  if "$LIVE_DUMP" $extra "$src" >"$tmp/shop.json" 2>"$tmp/shop.err" &&
     expect_shop "$engine" "$tmp/shop.json"; then
    say "$engine: keys, comments and types of shop.order_items (${extra:-from the URL})"
  else
    bad "$engine: shop.order_items read wrong ($extra): $(cat "$tmp/shop.err")"
  fi
done
grep -q 'app:\*\*\*@' "$tmp/shop.json" || bad "the source in the JSON is not redacted"

# --- 3. failures: exit 3, one line, never the password ------------------------
expect_fail() { # what pattern source [options...]
  local what=$1 pat=$2 src=$3 rc=0
  shift 3
  timeout 60 "$LIVE_DUMP" "$@" "$src" >/dev/null 2>"$tmp/fail.err" || rc=$?
  if [ "$rc" != 3 ]; then
    bad "$what: exit $rc, not 3: $(cat "$tmp/fail.err")"
  elif [ "$(wc -l <"$tmp/fail.err")" != 1 ]; then
    bad "$what: not one line:"; cat "$tmp/fail.err" >&2
  elif grep -q -e 'Sekr3t' -e 'wrong-pw-456' "$tmp/fail.err"; then
    bad "$what: the password is shown: $(cat "$tmp/fail.err")"
  elif ! grep -q -E "$pat" "$tmp/fail.err"; then
    bad "$what: \"$(cat "$tmp/fail.err")\" does not say /$pat/"
  else
    say "$what: $(cat "$tmp/fail.err")"
  fi
}
expect_fail "postgres wrong password" 'app:\*\*\*@.*password authentication failed' \
  "postgres://app:wrong-pw-456@/postgres?host=$pgdir"
expect_fail "mysql wrong password" 'app:\*\*\*@.*Access denied' \
  "mysql://app:wrong-pw-456@localhost/shop?socket=$mysock"
expect_fail "postgres missing schema" 'schema "nope" does not exist' "$pgapp&schema=nope"
expect_fail "postgres missing database" 'database "nope" does not exist' \
  "postgres://postgres@/nope?host=$pgdir"
expect_fail "mysql missing database" "Unknown database 'nope'" \
  "mysql://root@localhost/nope?socket=$mysock"

# A closed port on 127.0.0.1, and a port that accepts and never answers.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_fail "postgres closed port" 'cannot connect to .*(refused|could not connect)' \
  "postgres://app:Sekr3t-pw-123@127.0.0.1:$port/x" --connect-timeout 2
expect_fail "mysql closed port" "cannot connect to .*Can't connect" \
  "mysql://app:Sekr3t-pw-123@127.0.0.1:$port/x" --connect-timeout 2
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
end = time.time() + 90
while time.time() < end:
    s.settimeout(1)
    try: conns.append(s.accept()[0])
    except OSError: pass
' >"$tmp/silent.port" &
silent=$!
for _ in $(seq 1 100); do [ -s "$tmp/silent.port" ] && break; sleep 0.1; done
sport=$(cat "$tmp/silent.port")
expect_fail "postgres server that never answers" 'cannot connect to .*timeout' \
  "postgres://app:Sekr3t-pw-123@127.0.0.1:$sport/x" --connect-timeout 2
expect_fail "mysql server that never answers" 'cannot connect to ' \
  "mysql://app:Sekr3t-pw-123@127.0.0.1:$sport/x" --connect-timeout 2 --statement-timeout 2
kill "$silent" 2>/dev/null || true
wait "$silent" 2>/dev/null || true

# --- 4. the session is read-only ------------------------------------------------
try() { # engine source sql pattern-of-refusal
  local rc=0
  "$LIVE_DUMP" --try "$3" "$2" 2>"$tmp/try.err" || rc=$?
  if [ "$rc" = 0 ]; then
    bad "$1: the read-only session ran: $3"
  elif ! grep -q -i -E "$4" "$tmp/try.err"; then
    bad "$1: refused for another reason: $(cat "$tmp/try.err")"
  else
    say "$1 refuses \"$3\": $(cat "$tmp/try.err")"
  fi
}
"$LIVE_DUMP" --try 'SELECT count(*) FROM shop.order_items' "$pgapp" ||
  bad "postgres: a SELECT in the session failed"
"$LIVE_DUMP" --try 'SELECT count(*) FROM order_items' "$myapp" ||
  bad "mysql: a SELECT in the session failed"
try postgres "$pgapp" "INSERT INTO shop.order_items VALUES (1, 1, 'x', 1, NULL)" 'read-only transaction'
try postgres "$pgapp" "CREATE TABLE shop.t (a int)" 'read-only transaction'
try mysql "$myapp" "INSERT INTO order_items VALUES (1, 1, 'x', 1, NULL)" 'READ ONLY transaction'
# The statement timeout of the session ends a long statement.
rc=0
timeout 60 "$LIVE_DUMP" --statement-timeout 1 --try 'SELECT pg_sleep(20)' "$pgapp" 2>"$tmp/try.err" || rc=$?
if [ "$rc" = 1 ] && grep -q 'statement timeout' "$tmp/try.err"; then
  say "postgres: $(cat "$tmp/try.err")"
else
  bad "postgres: pg_sleep(20) with a 1 s statement timeout: exit $rc: $(cat "$tmp/try.err")"
fi
rc=0
# A computation of hours (10^12 SHA-512s) under a 1 s statement timeout.
# MariaDB ends it either with an error or, when the kill lands between two
# of BENCHMARK's loops, with a quiet early result (as SLEEP() always does):
# both are the timeout at work; what may not happen is running to the
# 60 s bound.
started=$SECONDS
timeout 60 "$LIVE_DUMP" --statement-timeout 1 --try "SELECT BENCHMARK(1000000000000, SHA2('x', 512))" "$myapp" 2>"$tmp/try.err" || rc=$?
took=$((SECONDS - started))
if [ "$rc" = 1 ] && grep -q -E 'max_statement_time|interrupted|Lost connection' "$tmp/try.err"; then
  say "mysql: $(cat "$tmp/try.err")"
elif [ "$rc" = 0 ] && [ "$took" -lt 50 ]; then
  say "mysql: BENCHMARK cut short by the statement timeout after ${took} s"
else
  bad "mysql: BENCHMARK with a 1 s statement timeout: exit $rc after ${took} s: $(cat "$tmp/try.err")"
fi
# The user may write outside such a session: the refusals above are the
# session's.
pg -c "SET ROLE app; INSERT INTO shop.order_items VALUES (1, 1, 'x', 1, NULL)" ||
  bad "postgres: app cannot insert at all"
my -e "INSERT INTO shop.order_items VALUES (1, 1, 'x', 1, NULL)" ||
  bad "mysql: cannot insert at all"

say "done"
exit $status
