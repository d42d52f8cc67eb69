#!/usr/bin/env bash
# test_drift_realdb.sh: `docket drift` against real PostgreSQL and MariaDB
# servers (tests/integration/realdb.sh). A table with a column of every
# type docket has, created with the DDL the migration generator writes
# for each engine (types, NOT NULL, primary key, table and column
# comments), against a registry that documents it (docket import): no
# drift, exit 0, comments included. Then the live table is changed by
# hand (a column added, one dropped, a type changed, NOT NULL added, a
# comment changed, the key changed, a table added; a documented table
# absent): every finding kind, exit 6, on PostgreSQL, MariaDB, a SQLite
# file (its comments in docket's CREATE TABLE form) and a CSV export of
# information_schema.columns; --dry-run keeps no report, a check without
# it does. Adopt then drift is no drift on PostgreSQL and MariaDB (every
# type docket has a kind for, a composite key, hostile comments); a uuid
# column refuses the adopt (exit 3, nothing written). A closed socket and
# a wrong password are exit 3 with one line without the password (the
# read-only session and live_read's failures: test_live_realdb.sh).
# The corpus property: every request of the migration corpus, its up
# migration applied to each engine and the request deployed in docket
# (migrate_corpus --deploy), is no drift on PostgreSQL, MariaDB and SQLite.
# One server start and one docket database for everything.
set -euo pipefail
. "$(dirname "$0")/realdb.sh"
bin=${DOCKET_BIN:?run through ctest}

realdb_start drift-realdb
status=0
bad() { echo "FAIL: $*" >&2; status=1; KEEP_TMP=1; }

db=$tmp/docket.db
d() { "$bin" --db "$db" "$@"; }
d org add acme >/dev/null
d instance add acme pg-prod --env production --dialect postgres >/dev/null
d instance add acme my-prod --env production --dialect mysql >/dev/null
d instance add acme sl-prod --env production --dialect sqlite >/dev/null
d instance add acme csv-prod --env production --dialect postgres >/dev/null
csv=$tmp/dict.csv
cat >"$csv" <<'CSV'
table,column,type,nullable,primary_key,description,table_description
members,id,bigint,false,true,Member id,Loyalty members
members,email,string(255),false,false,E-mail address,Loyalty members
members,score,"decimal(12,2)",true,false,Score,Loyalty members
members,active,boolean,true,false,Active?,Loyalty members
members,born,date,true,false,Birthday,Loyalty members
members,seen_at,timestamp,true,false,Last seen,Loyalty members
members,tz_at,timestamp with time zone,true,false,Zoned,Loyalty members
members,visits,integer,true,false,Visits,Loyalty members
members,note,text,true,false,Free text,Loyalty members
members,extra,json,true,false,Anything,Loyalty members
CSV
d import --instance pg-prod "$csv" >/dev/null
d import --instance my-prod "$csv" >/dev/null
d import --instance sl-prod "$csv" >/dev/null
d import --instance csv-prod "$csv" >/dev/null

# What the generator writes for PostgreSQL and MySQL (migrations/dialect.c).
pg -c 'CREATE TABLE "members" ("id" BIGINT NOT NULL, "email" VARCHAR(255)
  NOT NULL, "score" NUMERIC(12,2), "active" BOOLEAN, "born" DATE,
  "seen_at" TIMESTAMP, "tz_at" TIMESTAMPTZ, "visits" INTEGER, "note" TEXT,
  "extra" JSONB, PRIMARY KEY ("id"));
  COMMENT ON TABLE "members" IS '"'"'Loyalty members'"'"';
  COMMENT ON COLUMN "members"."id" IS '"'"'Member id'"'"';
  COMMENT ON COLUMN "members"."email" IS '"'"'E-mail address'"'"';
  COMMENT ON COLUMN "members"."score" IS '"'"'Score'"'"';
  COMMENT ON COLUMN "members"."active" IS '"'"'Active?'"'"';
  COMMENT ON COLUMN "members"."born" IS '"'"'Birthday'"'"';
  COMMENT ON COLUMN "members"."seen_at" IS '"'"'Last seen'"'"';
  COMMENT ON COLUMN "members"."tz_at" IS '"'"'Zoned'"'"';
  COMMENT ON COLUMN "members"."visits" IS '"'"'Visits'"'"';
  COMMENT ON COLUMN "members"."note" IS '"'"'Free text'"'"';
  COMMENT ON COLUMN "members"."extra" IS '"'"'Anything'"'"';'
my -e 'CREATE DATABASE shop CHARACTER SET utf8mb4'
my shop -e "CREATE TABLE \`members\` (\`id\` BIGINT NOT NULL COMMENT 'Member id',
  \`email\` VARCHAR(255) NOT NULL COMMENT 'E-mail address',
  \`score\` DECIMAL(12,2) COMMENT 'Score', \`active\` BOOLEAN COMMENT 'Active?',
  \`born\` DATE COMMENT 'Birthday', \`seen_at\` DATETIME(6) COMMENT 'Last seen',
  \`tz_at\` DATETIME(6) COMMENT 'Zoned', \`visits\` INT COMMENT 'Visits',
  \`note\` LONGTEXT COMMENT 'Free text', \`extra\` JSON COMMENT 'Anything',
  PRIMARY KEY (\`id\`)) COMMENT 'Loyalty members'"
# SQLite: the generator's types, descriptions as docket writes them into
# CREATE TABLE (live/live_sqlite.c reads them back).
sl_members() { # file score-type visits-null note-comment extra-column key
  "$sqlite" -bail "$1" <<SQL
CREATE TABLE "members" (
  -- | Loyalty members
  "id" BIGINT NOT NULL, -- Member id
  "email" VARCHAR(255) NOT NULL, -- E-mail address
  "score" $2, -- Score
  "active" BOOLEAN, -- Active?
  $5
  "seen_at" TIMESTAMP, -- Last seen
  "tz_at" TIMESTAMPTZ, -- Zoned
  "visits" INTEGER $3, -- Visits
  "note" TEXT, -- $4
  "extra" TEXT, -- Anything
  PRIMARY KEY ($6)
);
SQL
}
sl_members "$tmp/before.db" 'NUMERIC(12,2)' '' 'Free text' \
  '"born" DATE, -- Birthday' '"id"'
sl_members "$tmp/after.db" 'NUMERIC(10,2)' 'NOT NULL' 'Changed' \
  '"vip" BOOLEAN,' '"id", "email"'
"$sqlite" -bail "$tmp/after.db" 'CREATE TABLE "extra" ("a" INTEGER)'
# A CSV export of information_schema.columns, before and after.
csvx() { # file score-precision visits-nullable note-comment changed
  { echo 'TABLE_SCHEMA,TABLE_NAME,COLUMN_NAME,ORDINAL_POSITION,DATA_TYPE,IS_NULLABLE,CHARACTER_MAXIMUM_LENGTH,NUMERIC_PRECISION,NUMERIC_SCALE,COMMENT,PRIMARY_KEY,TABLE_COMMENT'
    echo 'public,members,id,1,bigint,NO,,64,0,Member id,1,Loyalty members'
    echo "public,members,email,2,character varying,NO,255,,,E-mail address,${5:+2},Loyalty members"
    echo "public,members,score,3,numeric,YES,,$2,2,Score,,Loyalty members"
    echo 'public,members,active,4,boolean,YES,,,,Active?,,Loyalty members'
    if [ -n "$5" ]; then echo 'public,members,vip,5,boolean,YES,,,,,,Loyalty members'
    else echo 'public,members,born,5,date,YES,,,,Birthday,'; fi
    echo 'public,members,seen_at,6,timestamp without time zone,YES,,,,Last seen,,Loyalty members'
    echo 'public,members,tz_at,7,timestamp with time zone,YES,,,,Zoned,,Loyalty members'
    echo "public,members,visits,8,integer,$3,,32,0,Visits,,Loyalty members"
    echo "public,members,note,9,text,YES,,,,$4,,Loyalty members"
    echo 'public,members,extra,10,jsonb,YES,,,,Anything,,Loyalty members'
    [ -z "$5" ] || echo 'public,extra,a,1,integer,YES,,32,0,,'
  } >"$1"
}
csvx "$tmp/before.csv" 12 YES 'Free text' ''
csvx "$tmp/after.csv" 10 NO 'Changed' yes
say "schemas applied"

pgsrc="postgres://postgres@/postgres?host=$pgdir"
mysrc="mysql://root@localhost/shop?socket=$mysock"
all="pg-prod|$pgsrc my-prod|$mysrc sl-prod|sqlite:$tmp/before.db csv-prod|csv:$tmp/before.csv"

reports() { "$sqlite" "$db" 'SELECT count(*) FROM drift_findings'; }
for pair in $all; do
  IFS='|' read -r inst src <<<"$pair"
  rc=0; d drift --instance "$inst" --from "$src" >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" = 0 ] || { bad "$inst: own DDL: exit $rc"; cat "$tmp/out"; }
  grep -q "1 table compared, no drift" "$tmp/out" || bad "$inst: no drift line"
done
say "no drift on any engine"

pg -c 'ALTER TABLE "members" ADD COLUMN "vip" BOOLEAN;
  ALTER TABLE "members" DROP COLUMN "born";
  ALTER TABLE "members" ALTER COLUMN "score" TYPE NUMERIC(10,2);
  ALTER TABLE "members" ALTER COLUMN "visits" SET NOT NULL;
  ALTER TABLE "members" DROP CONSTRAINT "members_pkey";
  ALTER TABLE "members" ADD PRIMARY KEY ("id", "email");
  CREATE TABLE "extra" ("a" INTEGER);
  COMMENT ON COLUMN "members"."note" IS '"'"'Changed'"'"';'
my shop -e 'ALTER TABLE members ADD COLUMN vip BOOLEAN, DROP COLUMN born,
  MODIFY score DECIMAL(10,2) COMMENT "Score",
  MODIFY visits INT NOT NULL COMMENT "Visits",
  MODIFY note LONGTEXT COMMENT "Changed",
  DROP PRIMARY KEY, ADD PRIMARY KEY (id, email);
  CREATE TABLE extra (a INT)'
# A table documented after the first check, absent everywhere.
printf 'table,column,type,nullable,primary_key,description,table_description\nghosts,g,integer,true,false,,Never created\n' >"$tmp/ghosts.csv"
after="pg-prod|$pgsrc my-prod|$mysrc sl-prod|sqlite:$tmp/after.db csv-prod|csv:$tmp/after.csv"
want="undocumented_table:extra. missing_table:ghosts. missing_column:members.born primary_key:members.email comment:members.note type:members.score undocumented_column:members.vip nullable:members.visits"
for pair in $after; do
  IFS='|' read -r inst src <<<"$pair"
  d import --instance "$inst" "$tmp/ghosts.csv" >/dev/null
  n0=$(reports)
  rc=0; d drift --instance "$inst" --from "$src" --json --dry-run >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" = 6 ] || { bad "$inst: drift: exit $rc"; cat "$tmp/out"; }
  [ "$(reports)" = "$n0" ] || bad "$inst: --dry-run kept a report"
  got=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join(f["kind"]+":"+f["table"]+"."+f["column"] for f in d["findings"]))' "$tmp/out")
  [ "$got" = "$want" ] || bad "$inst: findings \"$got\", want \"$want\""
  rc=0; d drift --instance "$inst" --from "$src" --json >"$tmp/out2" 2>&1 || rc=$?
  [ "$rc" = 6 ] || bad "$inst: kept drift: exit $rc"
  [ "$(reports)" -gt "$n0" ] || bad "$inst: the report was not kept"
done
say "every finding kind on PostgreSQL, MariaDB, SQLite and CSV; --dry-run keeps nothing"

# --- adopt, then drift: no findings -------------------------------------------
hostile="It's \"quoted\" <script>alert(1)</script> -- */ \\ café ☃
second line"
export hostile
pg -c 'CREATE SCHEMA adopt;
  CREATE TABLE adopt.kinds (k1 bigint NOT NULL, k2 varchar(40) NOT NULL,
    s varchar(255), dc numeric(12,2), b boolean, dt date, ts timestamp,
    tz timestamptz, i integer NOT NULL, t text, j jsonb,
    PRIMARY KEY (k2, k1));' \
  -c "COMMENT ON TABLE adopt.kinds IS \$h\$$hostile\$h\$" \
  -c "COMMENT ON COLUMN adopt.kinds.s IS \$h\$$hostile\$h\$"
mycomment=$(python3 -c 'import os; print(os.environ["hostile"].replace("\\","\\\\").replace("\x27","\x27\x27"))')
my -e "CREATE DATABASE adopt CHARACTER SET utf8mb4;
  CREATE TABLE adopt.kinds (k1 bigint NOT NULL, k2 varchar(40) NOT NULL,
    s varchar(255) COMMENT '$mycomment', dc decimal(12,2), b boolean,
    dt date, ts datetime(6), i int NOT NULL, t longtext, j json,
    PRIMARY KEY (k2, k1)) COMMENT '$mycomment'"
d instance add acme pg-adopt --env production --dialect postgres >/dev/null
d instance add acme my-adopt --env production --dialect mysql >/dev/null
for pair in "pg-adopt|$pgsrc&schema=adopt" "my-adopt|mysql://root@localhost/adopt?socket=$mysock"; do
  IFS='|' read -r inst src <<<"$pair"
  rc=0; d adopt --instance "$inst" --from "$src" >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" = 0 ] || { bad "$inst: adopt: exit $rc"; cat "$tmp/out"; }
  rc=0; d drift --instance "$inst" --from "$src" --json >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" = 0 ] || { bad "$inst: drift after adopt: exit $rc"; cat "$tmp/out"; }
  python3 -c 'import json,sys,os
d=json.load(open(sys.argv[1]))
assert d["tables_compared"] == 1 and d["findings"] == [], d' "$tmp/out" ||
    bad "$inst: drift after adopt"
  [ "$("$sqlite" "$db" "SELECT count(*) FROM reg_tables t JOIN instances i
      ON i.id = t.instance_id WHERE i.name = '$inst' AND t.description =
      CAST(X'$(printf %s "$hostile" | od -An -tx1 | tr -d ' \n')' AS TEXT)")" = 1 ] ||
    bad "$inst: the hostile comment is not the description"
done
say "adopt then drift: no findings on PostgreSQL and MariaDB"

pg -c 'CREATE TABLE adopt.ids (id uuid PRIMARY KEY, n integer)'
d instance add acme pg-uuid --env production --dialect postgres >/dev/null
before=$("$sqlite" "$db" 'SELECT (SELECT count(*) FROM reg_tables) || "/" || (SELECT count(*) FROM reg_columns) || "/" || (SELECT count(*) FROM registry_history)' 2>/dev/null || echo x)
rc=0; d adopt --instance pg-uuid --from "$pgsrc&schema=adopt" >"$tmp/out" 2>&1 || rc=$?
[ "$rc" = 3 ] || { bad "uuid: adopt exit $rc, not 3"; cat "$tmp/out"; }
grep -q 'ids.id' "$tmp/out" || bad "uuid: the refusal does not name ids.id: $(cat "$tmp/out")"
after_=$("$sqlite" "$db" 'SELECT (SELECT count(*) FROM reg_tables) || "/" || (SELECT count(*) FROM reg_columns) || "/" || (SELECT count(*) FROM registry_history)' 2>/dev/null || echo y)
[ "$before" = "$after_" ] || bad "uuid: the refused adopt wrote ($before -> $after_)"
say "a uuid column refuses the adopt: $(head -n1 "$tmp/out")"

# --- the corpus property: docket's own migrations, deployed: no drift ---------
# Every request of the migration corpus (tests/tools/migrate_corpus.c) that
# an engine takes: its generated up migration applied to that engine, the
# request deployed in docket on the engine's instance (corpus-postgres,
# corpus-mysql, corpus-sqlite, made by migrate_corpus --deploy), then
# docket drift finds nothing, comments included.
if [ -n "${MIGRATE_CORPUS:-}" ] && [ -x "$MIGRATE_CORPUS" ]; then
  "$MIGRATE_CORPUS" "$tmp/corpus" >/dev/null
  "$MIGRATE_CORPUS" --deploy "$db" >/dev/null
  pg -c 'CREATE SCHEMA corpus'
  PGOPTIONS='-c search_path=corpus' pg -1 -f "$tmp/corpus/postgres/base.sql" \
    -f "$tmp/corpus/postgres/up.sql" >/dev/null
  my -e 'CREATE DATABASE corpus CHARACTER SET utf8mb4'
  cat "$tmp/corpus/mysql/base.sql" "$tmp/corpus/mysql/up.sql" | my corpus
  cat "$tmp/corpus/sqlite/base.sql" "$tmp/corpus/sqlite/up.sql" |
    "$sqlite" -bail "$tmp/corpus.db"
  # The steps the migrations leave to a person, done as their TODO lines
  # say (the tables are empty: nothing to backfill). PostgreSQL and
  # MariaDB: the commented SET NOT NULL of a NOT NULL column added to an
  # existing table.
  todo_not_null() { awk '/^-- TODO\(not-null\)/ { getline l
      if (l ~ /^-- ALTER TABLE/) print substr(l, 4) }' "$1"; }
  todo_not_null "$tmp/corpus/postgres/up.sql" |
    PGOPTIONS='-c search_path=corpus' pg -1 -f - >/dev/null
  todo_not_null "$tmp/corpus/mysql/up.sql" | my corpus
  # SQLite: the rebuilds (https://www.sqlite.org/lang_altertable.html#otheralter)
  # of a type change and of NOT NULL on an added column: the table made
  # again from its CREATE TABLE text with the column's new declaration.
  python3 - "$tmp/corpus.db" "$tmp/corpus/sqlite/up.sql" <<'PY'
import re, sqlite3, sys
text = open(sys.argv[2], encoding="utf-8").read()
steps = [(m.group(3), m.group(1), m.group(2), False) for m in re.finditer(
    r'TODO\(rebuild\): SQLite cannot change the type of "([^"]+)" in place '
    r'\(to (.+?)\)\. Rebuild "([^"]+)"', text)]
for m in re.finditer(r'TODO\(not-null\): the request wants "([^"]+)" NOT NULL', text):
    t = re.findall(r'ALTER TABLE "([^"]+)" ADD COLUMN "%s"' % re.escape(m.group(1)),
                   text[:m.start()])[-1]
    steps.append((t, m.group(1), None, True))
assert len(steps) == 6, steps
con = sqlite3.connect(sys.argv[1], isolation_level=None)
for t, col, typ, notnull in steps:
    sql = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' "
                      "AND name = ?", (t,)).fetchone()[0]
    def decl(m):
        return "%s %s%s" % (m.group(1), typ or m.group(2),
                            " NOT NULL" if notnull or m.group(3) else "")
    sql, n = re.subn(r'(?<=[\s,(])("%s")\s+([A-Z]+(?:\([0-9, ]*\))?)( NOT NULL)?'
                     % re.escape(col), decl, sql, count=1)
    assert n == 1, (t, col)
    sql = sql.replace('CREATE TABLE "%s"' % t, 'CREATE TABLE "rebuilt_"', 1)
    con.executescript('BEGIN; %s; INSERT INTO "rebuilt_" SELECT * FROM "%s"; '
                      'DROP TABLE "%s"; ALTER TABLE "rebuilt_" RENAME TO "%s"; '
                      'COMMIT;' % (sql, t, t, t))
PY
  for pair in "corpus-postgres|$pgsrc&schema=corpus" \
              "corpus-mysql|mysql://root@localhost/corpus?socket=$mysock" \
              "corpus-sqlite|sqlite:$tmp/corpus.db"; do
    IFS='|' read -r inst src <<<"$pair"
    rc=0; d drift --instance "$inst" --from "$src" --dry-run >"$tmp/out" 2>&1 || rc=$?
    [ "$rc" = 0 ] || { bad "$inst: the deployed corpus drifts: exit $rc"; cat "$tmp/out"; }
    grep -q "no drift" "$tmp/out" || bad "$inst: no \"no drift\" line"
  done
  say "the corpus, migrated and deployed: no drift on PostgreSQL, MariaDB and SQLite"
else
  bad "MIGRATE_CORPUS is not set to the built migrate_corpus tool"
fi

# --- failures: exit 3, one line, no password ------------------------------------
pg -c "CREATE ROLE app LOGIN PASSWORD 'Sekr3t-pw-123'" >/dev/null
my -e "CREATE USER 'app'@'localhost' IDENTIFIED BY 'Sekr3t-pw-123'"
as_pg sh -c "{ echo 'local all app scram-sha-256'; cat '$pgdir/data/pg_hba.conf'; } >'$pgdir/hba.new' &&
  cat '$pgdir/hba.new' >'$pgdir/data/pg_hba.conf'"
pg -c 'SELECT pg_reload_conf()' >/dev/null
for pair in "pg-prod|postgres://app:hunter2@/x?host=$tmp/none" \
            "pg-prod|postgres://app:hunter2@/postgres?host=$pgdir" \
            "my-prod|mysql://app:hunter2@localhost/shop?socket=$tmp/none.sock" \
            "my-prod|mysql://app:hunter2@localhost/shop?socket=$mysock"; do
  IFS='|' read -r inst src <<<"$pair"
  rc=0; d drift --instance "$inst" --from "$src" >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" = 3 ] || bad "$inst $src: exit $rc"
  [ "$(wc -l <"$tmp/out")" = 1 ] || { bad "$inst: not one line"; cat "$tmp/out"; }
  grep -q hunter2 "$tmp/out" && bad "$inst: the password was printed"
  say "$inst: $(cat "$tmp/out")"
done
exit $status
