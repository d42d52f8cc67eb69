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
# The servers (started by tests/integration/realdb.sh) listen on unix
# sockets in a temporary directory only (no TCP) and are stopped on every
# exit. A missing server binary is a failure, not a skip: scripts/deps.sh
# test installs them all.
set -euo pipefail

. "$(dirname "$0")/realdb.sh"

[ -n "${MIGRATE_CORPUS:-}" ] && [ -x "$MIGRATE_CORPUS" ] ||
  fail "MIGRATE_CORPUS is not set to the built migrate_corpus tool" \
       "(build the migrate_corpus target; ctest sets the variable)"

# --- the servers (tests/integration/realdb.sh) and the corpus ---------------
realdb_start migrations-realdb
my -e 'CREATE DATABASE corpus CHARACTER SET utf8mb4'
"$MIGRATE_CORPUS" "$tmp/corpus" || fail "migrate_corpus failed"
say "corpus written"

# --- per-engine apply and dump ---------------------------------------------

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
