#!/usr/bin/env bash
# test_drift_realdb.sh: `docket drift` against real PostgreSQL and MariaDB
# servers (tests/integration/realdb.sh). A table with a column of every
# type docket has, created with the DDL the migration generator writes
# for each engine (types, NOT NULL, primary key, table and column
# comments), against a registry that documents it (docket import): no
# drift, exit 0, comments included. Then the live table is changed by
# hand (a column added, one dropped, a type changed, NOT NULL added, a
# comment changed): each finding, exit 6. A closed socket is exit 3 with
# one line.
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
say "schemas applied"

pgsrc="postgres://postgres@/postgres?host=$pgdir"
mysrc="mysql://root@localhost/shop?socket=$mysock"

for pair in "pg-prod $pgsrc" "my-prod $mysrc"; do
  set -- $pair
  rc=0; d drift --instance "$1" --from "$2" >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" = 0 ] || { bad "$1: own DDL: exit $rc"; cat "$tmp/out"; }
  grep -q "1 table compared, no drift" "$tmp/out" || bad "$1: no drift line"
done
say "no drift on either engine"

pg -c 'ALTER TABLE "members" ADD COLUMN "vip" BOOLEAN;
  ALTER TABLE "members" DROP COLUMN "born";
  ALTER TABLE "members" ALTER COLUMN "score" TYPE NUMERIC(10,2);
  ALTER TABLE "members" ALTER COLUMN "visits" SET NOT NULL;
  COMMENT ON COLUMN "members"."note" IS '"'"'Changed'"'"';'
my shop -e 'ALTER TABLE members ADD COLUMN vip BOOLEAN, DROP COLUMN born,
  MODIFY score DECIMAL(10,2) COMMENT "Score",
  MODIFY visits INT NOT NULL COMMENT "Visits",
  MODIFY note LONGTEXT COMMENT "Changed"'
for pair in "pg-prod $pgsrc" "my-prod $mysrc"; do
  set -- $pair
  rc=0; d drift --instance "$1" --from "$2" --json >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" = 6 ] || { bad "$1: drift: exit $rc"; cat "$tmp/out"; }
  got=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join(f["kind"]+":"+f["column"] for f in d["findings"]))' "$tmp/out")
  want="missing_column:born comment:note type:score undocumented_column:vip nullable:visits"
  [ "$got" = "$want" ] || bad "$1: findings \"$got\", want \"$want\""
done
say "hand changes found on both engines"

rc=0
d drift --instance pg-prod --from "postgres://app:hunter2@/x?host=$tmp/none" \
  >"$tmp/out" 2>&1 || rc=$?
[ "$rc" = 3 ] || bad "unreachable: exit $rc"
[ "$(wc -l <"$tmp/out")" = 1 ] || { bad "unreachable: not one line"; cat "$tmp/out"; }
grep -q hunter2 "$tmp/out" && bad "the password was printed"
exit $status
