#!/usr/bin/env bash
# test_migrations_realdb.sh: applies docket's generated migrations to real
# databases and checks the schema they leave. For PostgreSQL, MariaDB and
# SQLite: apply a base schema, apply every corpus request's up migration,
# compare the schema (names, types, nullability, comments) with what the
# corpus writer expects, apply the down migrations in reverse, and check the
# schema is the base again. The comments are read back exactly as the
# server keeps them (pg_description, information_schema, and for SQLite
# the CREATE TABLE text in sqlite_schema), so descriptions of several
# lines with quotes, backslashes, "--", "*/" and ";" must come back byte
# for byte. The corpus names tables and columns after every reserved word
# of every dialect (docket quotes them; the form accepts them); the few
# names a dialect refuses even quoted are applied to the other engines,
# and each engine must refuse the up migration the corpus writer left in
# its refused/ directory.
#   MIGRATE_CORPUS  path of the corpus writer (tests/tools/migrate_corpus.c,
#                   set by tests/cmake/migrations.cmake)
#   TEST_TMP        where to put the temporary servers (default /tmp)
# The servers listen on unix sockets in a temporary directory only (no TCP)
# and are stopped on every exit. A missing server binary is a failure, not
# a skip: scripts/deps.sh test installs them all.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
say() { printf '[%5.1fs] %s\n' "$(( $(date +%s%N) / 1000000 - t0 ))e-3" "$*"; }
t0=$(( $(date +%s%N) / 1000000 ))

[ -n "${MIGRATE_CORPUS:-}" ] && [ -x "$MIGRATE_CORPUS" ] ||
  fail "MIGRATE_CORPUS is not set to the built migrate_corpus tool" \
       "(build the migrate_corpus target; ctest sets the variable)"

# --- find the binaries ---------------------------------------------------
pgbin=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] &&
    { pgbin=$d; break; }
done
if [ -z "$pgbin" ] && command -v pg_config >/dev/null 2>&1; then
  d=$(pg_config --bindir)
  [ -x "$d/initdb" ] && pgbin=$d
fi
[ -n "$pgbin" ] || fail "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; run scripts/deps.sh test"
psql=$(command -v psql || true)
[ -x "$pgbin/psql" ] && psql=$pgbin/psql
[ -n "$psql" ] || fail "psql not found; run scripts/deps.sh test"

first() { for c in "$@"; do command -v "$c" 2>/dev/null && return 0; done; return 1; }
mysqld=$(first mariadbd mysqld || ls /usr/sbin/mariadbd /usr/sbin/mysqld 2>/dev/null | head -n1 || true)
[ -n "$mysqld" ] || fail "MariaDB server (mariadbd) not found; run scripts/deps.sh test"
installdb=$(first mariadb-install-db mysql_install_db) ||
  fail "mariadb-install-db not found; run scripts/deps.sh test"
mysql=$(first mariadb mysql) || fail "mariadb client not found; run scripts/deps.sh test"
sqlite=$(first sqlite3) || fail "sqlite3 command-line shell not found; run scripts/deps.sh test"
runuser=$(first runuser) || fail "runuser not found (util-linux)"

# --- temporary directory and clean-up -------------------------------------
base=${TEST_TMP:-/tmp}
mkdir -p "$base"
tmp=$(mktemp -d "$base/migrations-realdb.XXXXXX")
# PostgreSQL refuses to run as root: its files belong to an unprivileged
# user, in a directory that user can reach (a 0700 parent would stop it).
pgdir=$(mktemp -d /tmp/docket-pg.XXXXXX)
chmod 755 "$pgdir"
pguser=nobody
if [ "$(id -u)" = 0 ]; then
  id "$pguser" >/dev/null 2>&1 || fail "user $pguser is missing"
  as_pg() { "$runuser" -u "$pguser" -- "$@"; }
  chown "$pguser" "$pgdir"
  mysql_user=(--user=root)
else
  as_pg() { "$@"; }
  mysql_user=()
fi
mydir=$tmp/mariadb
mysock=$mydir/mysqld.sock
mypid=""

cleanup() {
  set +e
  if [ -f "$pgdir/data/postmaster.pid" ]; then
    as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1
  fi
  if [ -n "$mypid" ] && kill -0 "$mypid" 2>/dev/null; then
    kill "$mypid"
    for _ in $(seq 1 100); do kill -0 "$mypid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$mypid" 2>/dev/null
  fi
  if [ -n "${KEEP_TMP:-}" ]; then
    echo "kept $tmp and $pgdir"
  else
    rm -rf "$tmp" "$pgdir"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- the corpus ------------------------------------------------------------
"$MIGRATE_CORPUS" "$tmp/corpus" || fail "migrate_corpus failed"
say "corpus written"

# --- start both servers in parallel ---------------------------------------
(
  as_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust \
    --locale=C -E UTF8 --no-sync >"$pgdir/initdb.log" 2>&1 ||
    { cat "$pgdir/initdb.log" >&2; exit 1; }
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $pgdir -c fsync=off -c full_page_writes=off" \
    start >/dev/null || { cat "$pgdir/server.log" >&2; exit 1; }
) &
pg_start=$!

mkdir -p "$mydir"
"$installdb" --no-defaults --datadir="$mydir/data" "${mysql_user[@]}" \
  --auth-root-authentication-method=normal --skip-test-db \
  >"$mydir/install.log" 2>&1 || { cat "$mydir/install.log" >&2; fail "mariadb-install-db failed"; }
"$mysqld" --no-defaults --datadir="$mydir/data" --socket="$mysock" \
  --skip-networking --pid-file="$mydir/mysqld.pid" "${mysql_user[@]}" \
  --log-error="$mydir/error.log" --innodb-buffer-pool-size=16M \
  --innodb-log-file-size=8M --skip-log-bin --open-files-limit=1024 --table-open-cache=200 --max-connections=20 --character-set-server=utf8mb4 \
  --collation-server=utf8mb4_bin &
mypid=$!
wait "$pg_start" || fail "PostgreSQL did not start"
say "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') up"

my() { "$mysql" --no-defaults --socket="$mysock" -uroot \
         --default-character-set=utf8mb4 "$@"; }
for _ in $(seq 1 300); do
  my -e 'SELECT 1' >/dev/null 2>&1 && break
  kill -0 "$mypid" 2>/dev/null || { cat "$mydir/error.log" >&2; fail "MariaDB exited"; }
  sleep 0.1
done
my -e 'SELECT 1' >/dev/null 2>&1 || { cat "$mydir/error.log" >&2; fail "MariaDB did not start"; }
my -e 'CREATE DATABASE corpus CHARACTER SET utf8mb4'
say "MariaDB $(my -N -B -e 'SELECT VERSION()') up"

# --- per-engine apply and dump ---------------------------------------------
pg() { "$psql" -X -q -v ON_ERROR_STOP=1 -h "$pgdir" -U postgres -d postgres "$@"; }

apply() { # engine file
  case $1 in
  postgres) pg -1 -f "$2" >/dev/null ;;
  mysql) my corpus <"$2" ;;
  sqlite) "$sqlite" -bail "$tmp/sqlite.db" <"$2" ;;
  esac
}

dump() { # engine -> schema lines on stdout
  case $1 in
  postgres)
    pg -A -t -F '|' -c "
      SELECT c.table_name, c.column_name,
             format_type(a.atttypid, a.atttypmod), c.is_nullable,
             coalesce(upper(encode(convert_to(
               col_description(a.attrelid, a.attnum), 'UTF8'), 'hex')), '')
        FROM information_schema.columns c
        JOIN pg_attribute a
          ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass
         AND a.attname = c.column_name
       WHERE c.table_schema = 'public'
      UNION ALL
      SELECT t.table_name, '-', 'table', '-',
             coalesce(upper(encode(convert_to(obj_description(
               format('%I.%I', t.table_schema, t.table_name)::regclass,
               'pg_class'), 'UTF8'), 'hex')), '')
        FROM information_schema.tables t
       WHERE t.table_schema = 'public'" ;;
  mysql)
    my -N -B -r corpus -e "
      SELECT CONCAT_WS('|', TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE,
                       HEX(COLUMN_COMMENT))
        FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'corpus'
      UNION ALL
      SELECT CONCAT_WS('|', TABLE_NAME, '-', 'table', '-', HEX(TABLE_COMMENT))
        FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'corpus'" ;;
  sqlite)
    # The descriptions docket keeps in each CREATE TABLE text, read by the
    # corpus writer (see tests/tools/migrate_corpus.c), joined on
    # table|column.
    "$sqlite" -bail -separator '|' "$tmp/sqlite.db" "
      SELECT name, hex(sql) FROM sqlite_schema WHERE type = 'table'" |
      "$MIGRATE_CORPUS" --sqlite-comments >"$tmp/sqlite.comments"
    "$sqlite" -bail -separator '|' "$tmp/sqlite.db" "
      SELECT m.name, p.name, p.type,
             CASE p.\"notnull\" WHEN 1 THEN 'NO' ELSE 'YES' END
        FROM sqlite_schema m JOIN pragma_table_info(m.name) p
       WHERE m.type = 'table'
      UNION ALL
      SELECT name, '-', 'table', '-' FROM sqlite_schema
       WHERE type = 'table'" |
      awk -F'|' -v comments="$tmp/sqlite.comments" '
        BEGIN { while ((getline l < comments) > 0) {
                  split(l, a, "|"); c[a[1] "|" a[2]] = a[3] } }
        { print $0 "|" c[$1 "|" $2] }' ;;
  esac
}

# Each file in refused/ must fail on the engine: a name it refuses even
# quoted (docket refuses the name for that dialect's instances).
refused() { # engine dir
  local f n=0
  for f in "$2"/refused/*.sql; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    if apply "$1" "$f" >"$tmp/refused.out" 2>&1; then
      echo "$1 accepted $f, whose name docket refuses for it" >&2
      return 1
    fi
    grep -q -i -E 'system column|reserved for internal use' "$tmp/refused.out" || {
      echo "$1 refused $f for another reason:" >&2; cat "$tmp/refused.out" >&2
      return 1; }
  done
  say "$1: $n refused name(s) refused by the server as well"
}

check() { # engine expected-file step
  local got=$tmp/$1.$3.txt
  dump "$1" | LC_ALL=C sort >"$got"
  if ! diff -u <(LC_ALL=C sort "$2") "$got" >"$tmp/$1.$3.diff"; then
    echo "schema of $1 after $3 differs from the expected one" \
         "(- expected, + actual; hex columns are comments):" >&2
    cat "$tmp/$1.$3.diff" >&2
    KEEP_TMP=1
    return 1
  fi
}

status=0
for engine in postgres mysql sqlite; do
  dir=$tmp/corpus/$engine
  step=base
  if apply "$engine" "$dir/base.sql" && check "$engine" "$dir/expected_base.txt" base &&
     step=up && apply "$engine" "$dir/up.sql" && check "$engine" "$dir/expected_up.txt" up &&
     step=down && apply "$engine" "$dir/down.sql" && check "$engine" "$dir/expected_base.txt" down &&
     step=refused && refused "$engine" "$dir"; then
    say "$engine: base, up, down: schema as expected"
  else
    echo "FAIL: $engine at step '$step' (files in $dir)" >&2
    KEEP_TMP=1
    status=1
  fi
done
say "done"
exit $status
