/* test_drift.c: the drift comparison (domain/drift.c) with built rules
 * cards and live schemas: every finding kind, the type table per
 * dialect, names as each dialect compares them, the order of findings;
 * then the check of a real SQLite file through the registry: the report
 * kept, registry.drift announced once per finding, to the table's
 * watchers, and another organisation's instance answered as a missing
 * one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drift_cases.h"
#include "fixture.h"
#include "inbox.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- built structs ---------------------------------------------------- */

static registry_card_column ccol(const char *name, const char *type,
                                 int nullable, int pk, const char *desc)
{
    registry_card_column c = {0};
    c.name = (char *)name;
    c.type = (char *)type;
    c.description = (char *)desc;
    c.nullable = nullable;
    c.primary_key = pk;
    return c;
}

static live_column lcol(const char *name, const char *type, int64_t len,
                        int prec, int scale, int nullable, int pk,
                        const char *comment)
{
    live_column c = {0};
    c.name = (char *)name;
    c.data_type = (char *)type;
    c.char_max = len;
    c.num_precision = prec;
    c.num_scale = scale;
    c.nullable = nullable;
    c.pk_position = pk;
    c.comment = (char *)comment;
    return c;
}

/* "kind table.column registry | live" of each finding, one a line. */
static char *lines(const registry_drift_report *r)
{
    buf b = {0};
    for (size_t i = 0; i < r->nfindings; i++) {
        const registry_drift_finding *f = &r->findings[i];
        buf_appendf(&b, "%s %s.%s %s | %s\n", f->kind, f->table, f->column,
                    f->registry, f->live);
    }
    return buf_detach(&b);
}

static void test_every_kind_postgres(void **state)
{
    registry_card_column cust_cols[] = {
        ccol("id", "bigint", 0, 1, "Customer id"),
        ccol("email", "string(255)", 0, 0, "E-mail address"),
        ccol("score", "decimal(12,2)", 1, 0, "Score"),
        ccol("gone", "text", 1, 0, "Dropped by hand"),
        ccol("old", "text", 1, 0, "Deprecated, dropped"),
        ccol("born", "date", 1, 0, "Birthday"),
    };
    registry_card cards[3] = {{0}};
    live_column cust_live[] = {
        lcol("id", "bigint", -1, 64, 0, 0, 0, "Customer id"),
        lcol("email", "character varying", 100, -1, -1, 1, 0,
             "E-mail   address"),
        lcol("score", "numeric", -1, 12, 2, 1, 0, "Score"),
        lcol("born", "date", -1, -1, -1, 1, 0, "Date of birth"),
        lcol("extra", "uuid", -1, -1, -1, 1, 0, ""),
    };
    live_table tables[] = {
        {"customers", "Customers", cust_live, 5},
        {"scratch", "", NULL, 0},
    };
    live_schema live = {
        SQL_POSTGRES, "postgres://app:***@db/x", "public", tables, 2, 0};
    registry_drift_report r;
    char *got;

    (void)state;
    cust_cols[4].status = REGISTRY_ENTRY_DEPRECATED;
    cards[0].table = "customers";
    cards[0].description = "Customers";
    cards[0].columns = cust_cols;
    cards[0].ncolumns = 6;
    cards[1].table = "orders";
    cards[1].ncolumns = 0;
    cards[2].table = "archive";
    cards[2].status = REGISTRY_ENTRY_DEPRECATED;
    domain_drift_compare(&r, cards, 3, &live);
    got = lines(&r);
    assert_string_equal(
        got, "comment customers.born Birthday | Date of birth\n"
             "type customers.email string(255) | character varying(100)\n"
             "nullable customers.email not null | null\n"
             "undocumented_column customers.extra  | uuid, null\n"
             "missing_column customers.gone text, null | \n"
             "primary_key customers.id primary key | not in the primary key\n"
             "missing_table orders. active table, 0 columns | \n"
             "undocumented_table scratch.  | 0 columns\n");
    assert_int_equal(r.tables_compared, 1);
    assert_string_equal(r.source, "postgres://app:***@db/x");
    assert_string_equal(r.schema, "public");
    free(got);
    registry_drift_report_dispose(&r);
}

/* Order: table, then column ("" first), then kind. */
static void test_order(void **state)
{
    registry_card_column cols[] = {ccol("a", "integer", 0, 0, "")};
    registry_card cards[1] = {{0}};
    live_column lc[] = {lcol("b", "integer", -1, 32, 0, 1, 0, ""),
                        lcol("a", "bigint", -1, 64, 0, 1, 1, "")};
    live_table t[] = {
        {"zeta", "", NULL, 0}, {"t", "", lc, 2}, {"alpha", "", NULL, 0}};
    live_schema live = {SQL_POSTGRES, "", "public", t, 3, 0};
    registry_drift_report r;
    char *got;

    (void)state;
    cards[0].table = "t";
    cards[0].columns = cols;
    cards[0].ncolumns = 1;
    domain_drift_compare(&r, cards, 1, &live);
    got = lines(&r);
    assert_string_equal(got, "undocumented_table alpha.  | 0 columns\n"
                             "type t.a integer | bigint\n"
                             "nullable t.a not null | null\n"
                             "primary_key t.a not in the primary key | "
                             "primary key\n"
                             "undocumented_column t.b  | integer, null\n"
                             "undocumented_table zeta.  | 0 columns\n");
    free(got);
    registry_drift_report_dispose(&r);
}

/* Names: PostgreSQL exactly (docket quotes them), MySQL and SQLite in any
 * case; the finding carries the live spelling. */
static void test_name_case(void **state)
{
    registry_card_column cols[] = {ccol("Email", "string(20)", 1, 0, "")};
    registry_card cards[1] = {{0}};
    live_column lc[] = {lcol("email", "varchar", 20, -1, -1, 1, 0, "")};
    live_table t[] = {{"customers", "", lc, 1}};
    live_schema live = {SQL_MYSQL, "", "shop", t, 1, 0};
    registry_drift_report r;
    char *got;

    (void)state;
    cards[0].table = "Customers";
    cards[0].columns = cols;
    cards[0].ncolumns = 1;
    domain_drift_compare(&r, cards, 1, &live);
    assert_int_equal(r.nfindings, 0);
    assert_int_equal(r.tables_compared, 1);
    registry_drift_report_dispose(&r);

    live.dialect = SQL_SQLITE;
    lc[0].data_type = "VARCHAR(20)";
    lc[0].char_max = -1;
    domain_drift_compare(&r, cards, 1, &live);
    assert_int_equal(r.nfindings, 0);
    registry_drift_report_dispose(&r);

    live.dialect = SQL_POSTGRES;
    lc[0].data_type = "character varying";
    lc[0].char_max = 20;
    domain_drift_compare(&r, cards, 1, &live);
    got = lines(&r);
    assert_string_equal(got, "missing_table Customers. active table, 1 "
                             "column | \n"
                             "undocumented_table customers.  | 1 column\n");
    free(got);
    registry_drift_report_dispose(&r);
}

/* The types docket writes per dialect read back equal: MySQL tinyint and
 * datetime, Snowflake NUMBER(38,0) and TEXT. */
static void test_types_per_dialect(void **state)
{
    registry_card_column cols[] = {
        ccol("flag", "boolean", 1, 0, ""),
        ccol("at", "timestamp with time zone", 1, 0, ""),
        ccol("n", "integer", 1, 0, ""),
        ccol("s", "string(40)", 1, 0, ""),
    };
    registry_card cards[1] = {{0}};
    live_column my[] = {lcol("flag", "tinyint", -1, 3, 0, 1, 0, ""),
                        lcol("at", "datetime", -1, -1, -1, 1, 0, ""),
                        lcol("n", "int", -1, 10, 0, 1, 0, ""),
                        lcol("s", "varchar", 40, -1, -1, 1, 0, "")};
    live_column sf[] = {lcol("flag", "boolean", -1, -1, -1, 1, 0, ""),
                        lcol("at", "timestamp_tz", -1, -1, -1, 1, 0, ""),
                        lcol("n", "number", -1, 38, 0, 1, 0, ""),
                        lcol("s", "text", 40, -1, -1, 1, 0, "")};
    live_table t[] = {{"t", "", my, 4}};
    live_schema live = {SQL_MYSQL, "", "", t, 1, 0};
    registry_drift_report r;

    (void)state;
    cards[0].table = "t";
    cards[0].columns = cols;
    cards[0].ncolumns = 4;
    domain_drift_compare(&r, cards, 1, &live);
    assert_int_equal(r.nfindings, 0);
    registry_drift_report_dispose(&r);
    t[0].cols = sf;
    live.dialect = SQL_SNOWFLAKE;
    domain_drift_compare(&r, cards, 1, &live);
    assert_int_equal(r.nfindings, 0);
    registry_drift_report_dispose(&r);
}

/* A source without any comment (SQLite) reports no comment finding; one
 * with comments reports an empty one against a description. */
static void test_comments_only_where_kept(void **state)
{
    registry_card_column cols[] = {ccol("a", "text", 1, 0, "Some text"),
                                   ccol("b", "text", 1, 0, "More")};
    registry_card cards[1] = {{0}};
    live_column lc[] = {lcol("a", "text", -1, -1, -1, 1, 0, ""),
                        lcol("b", "text", -1, -1, -1, 1, 0, "")};
    live_table t[] = {{"t", "", lc, 2}};
    live_schema live = {SQL_POSTGRES, "", "", t, 1, 0};
    registry_drift_report r;
    char *got;

    (void)state;
    cards[0].table = "t";
    cards[0].description = "A table";
    cards[0].columns = cols;
    cards[0].ncolumns = 2;
    domain_drift_compare(&r, cards, 1, &live);
    assert_int_equal(r.nfindings, 0);
    registry_drift_report_dispose(&r);
    lc[1].comment = "More";
    domain_drift_compare(&r, cards, 1, &live);
    got = lines(&r);
    assert_string_equal(got, "comment t. A table | \n"
                             "comment t.a Some text | \n");
    free(got);
    registry_drift_report_dispose(&r);
}

/* A retirement is documentation ("do not use"; the drop is manual): a
 * retired column still live is no finding, nor is one that is gone. */
static void test_retired_column_live(void **state)
{
    registry_card_column cols[] = {ccol("a", "text", 1, 0, ""),
                                   ccol("gone", "text", 1, 0, "")};
    registry_card cards[1] = {{0}};
    live_column lc[] = {lcol("a", "text", -1, -1, -1, 1, 0, "")};
    live_table t[] = {{"t", "", lc, 1}};
    live_schema live = {SQL_POSTGRES, "", "", t, 1, 0};
    registry_drift_report r;

    (void)state;
    cols[0].status = REGISTRY_ENTRY_RETIRED;
    cols[1].status = REGISTRY_ENTRY_RETIRED;
    cards[0].table = "t";
    cards[0].columns = cols;
    cards[0].ncolumns = 2;
    domain_drift_compare(&r, cards, 1, &live);
    assert_int_equal(r.nfindings, 0);
    registry_drift_report_dispose(&r);
}

/* A column documented without a type (an attribute a request adds with a
 * rule but no type) has no migration that creates it: absent live it is
 * no missing_column; live, it is compared like any other. */
static void test_untyped_column(void **state)
{
    registry_card_column cols[] = {
        ccol("a", "text", 1, 0, ""), ccol("household", "", 1, 0, ""),
        ccol("notype", NULL, 1, 0, ""), ccol("live_untyped", "", 0, 0, "")};
    registry_card cards[1] = {{0}};
    live_column lc[] = {lcol("a", "text", -1, -1, -1, 1, 0, ""),
                        lcol("live_untyped", "text", -1, -1, -1, 1, 0, "")};
    live_table t[] = {{"t", "", lc, 2}};
    live_schema live = {SQL_POSTGRES, "", "", t, 1, 0};
    registry_drift_report r;
    char *got;

    (void)state;
    cards[0].table = "t";
    cards[0].columns = cols;
    cards[0].ncolumns = 4;
    domain_drift_compare(&r, cards, 1, &live);
    got = lines(&r);
    assert_string_equal(got, "nullable t.live_untyped not null | null\n");
    free(got);
    registry_drift_report_dispose(&r);
}

/* SQLite keeps a description only inside CREATE TABLE: a column added by
 * ALTER TABLE ADD COLUMN has none live, which is no comment finding; a
 * live comment that differs still is one. */
static void test_sqlite_added_column_comment(void **state)
{
    registry_card_column cols[] = {ccol("a", "text", 1, 0, "Kept"),
                                   ccol("added", "text", 1, 0, "Added later"),
                                   ccol("other", "text", 1, 0, "Registry")};
    registry_card cards[1] = {{0}};
    live_column lc[] = {lcol("a", "text", -1, -1, -1, 1, 0, "Kept"),
                        lcol("added", "text", -1, -1, -1, 1, 0, ""),
                        lcol("other", "text", -1, -1, -1, 1, 0, "Live")};
    live_table t[] = {{"t", "A table", lc, 3}};
    live_schema live = {SQL_SQLITE, "", "", t, 1, 0};
    registry_drift_report r;
    char *got;

    (void)state;
    cards[0].table = "t";
    cards[0].description = "A table";
    cards[0].columns = cols;
    cards[0].ncolumns = 3;
    domain_drift_compare(&r, cards, 1, &live);
    got = lines(&r);
    assert_string_equal(got, "comment t.other Registry | Live\n");
    free(got);
    registry_drift_report_dispose(&r);
    /* PostgreSQL keeps every comment: an empty one is a finding there */
    live.dialect = SQL_POSTGRES;
    domain_drift_compare(&r, cards, 1, &live);
    assert_int_equal(r.nfindings, 2);
    registry_drift_report_dispose(&r);
}

/* A CSV export without a TABLE_COMMENT column cannot say a table's
 * comment: table comments are not compared, column comments are. */
static void test_no_table_comments(void **state)
{
    registry_card_column cols[] = {ccol("a", "text", 1, 0, "Some text")};
    registry_card cards[1] = {{0}};
    live_column lc[] = {lcol("a", "text", -1, -1, -1, 1, 0, "Other")};
    live_table t[] = {{"t", "", lc, 1}};
    live_schema live = {SQL_SNOWFLAKE, "", "", t, 1, 0};
    registry_drift_report r;
    char *got;

    (void)state;
    live.no_table_comments = 1;
    cards[0].table = "t";
    cards[0].description = "A table";
    cards[0].columns = cols;
    cards[0].ncolumns = 1;
    domain_drift_compare(&r, cards, 1, &live);
    got = lines(&r);
    assert_string_equal(got, "comment t.a Some text | Other\n");
    free(got);
    registry_drift_report_dispose(&r);
}

/* ---- the check through the registry and a SQLite file ---------------- */

static void sqlite_file(const char *path, const char *sql)
{
    sqlite3 *db;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s", msg);
    sqlite3_close(db);
}

static void test_check_stores_and_announces_once(void **state)
{
    ufx *f = ufx_open("drift");
    domain_actor staff = {0}, globex = {0};
    domain_drift_request rq = {0};
    registry_drift_report r = {0}, back = {0};
    char file[400], src[420];
    errmsg err = {0};
    int nnew = -1;
    int64_t tid;

    (void)state;
    ufx_people(f, "sqlite");
    ufx_route(f, "registry.drift", "ops-slack");
    ufx_exec(f, "UPDATE instances SET dialect = 'sqlite'"
                " WHERE name = 'acme-prod'");
    ufx_import(f, "acme-prod",
               "table,column,type,nullable,primary_key,description\n"
               "customers,id,bigint,false,true,Id\n"
               "customers,email,string(255),false,false,E-mail\n"
               "orders,id,bigint,false,true,Id\n");
    tid = ufx_int(f, "SELECT id FROM reg_tables WHERE name = 'customers'");
    {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "INSERT INTO watches(user_id, kind, ref, created_at)"
                 " VALUES (%lld, 'table', %lld, 1)",
                 (long long)f->ops, (long long)tid);
        ufx_exec(f, sql);
    }
    snprintf(file, sizeof file, "%s/live.db", f->dir);
    snprintf(src, sizeof src, "sqlite:%s", file);
    sqlite_file(file, "CREATE TABLE \"customers\" (\"id\" BIGINT NOT NULL,"
                      " \"email\" VARCHAR(255) NOT NULL, PRIMARY KEY (\"id\"));"
                      "CREATE TABLE \"orders\" (\"id\" BIGINT NOT NULL"
                      " PRIMARY KEY);");
    staff.role = ROLE_PM;
    rq.instance = "acme-prod";
    rq.source = src;
    rq.store = 1;
    rq.now = 1772510400;
    assert_int_equal(domain_drift_check(f->reg, &staff, &rq, &r, &nnew, &err),
                     0);
    assert_int_equal(r.nfindings, 0);
    assert_int_equal(r.tables_compared, 2);
    assert_int_equal(nnew, 0);
    registry_drift_report_dispose(&r);
    assert_int_equal(
        ufx_int(f,
                "SELECT count(*) FROM events WHERE event = 'registry.drift'"),
        0);

    /* drift by hand: a column added, one made nullable, a table added */
    sqlite_file(file, "ALTER TABLE customers ADD COLUMN note TEXT;"
                      "CREATE TABLE tmp (x INTEGER);"
                      "DROP TABLE orders;"
                      "CREATE TABLE orders (id BIGINT PRIMARY KEY);");
    assert_int_equal(domain_drift_check(f->reg, &staff, &rq, &r, &nnew, &err),
                     0);
    {
        char *got = lines(&r);
        assert_string_equal(got,
                            "undocumented_column customers.note  | text, null\n"
                            "nullable orders.id not null | null\n"
                            "undocumented_table tmp.  | 1 column\n");
        free(got);
    }
    assert_int_equal(nnew, 3);
    registry_drift_report_dispose(&r);
    /* one event per documented table with news, one for the rest */
    assert_int_equal(
        ufx_int(f,
                "SELECT count(*) FROM events WHERE event = 'registry.drift'"),
        3);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM outbox o JOIN events e"
                                " ON e.id = o.event_id"
                                " WHERE e.event = 'registry.drift'"),
                     3);
    /* the watcher of customers has its event in the inbox */
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM inbox x JOIN events e"
                                " ON e.id = x.event_id"
                                " WHERE e.event = 'registry.drift'"),
                     1);
    {
        char *p = ufx_text(f, "SELECT payload FROM events WHERE event ="
                              " 'registry.drift' AND table_id IS NOT NULL"
                              " ORDER BY id LIMIT 1");
        cJSON *j = ufx_json_parse(p);
        ufx_json_str(j, "instance", "acme-prod");
        ufx_json_str(j, "url", "/drift/acme-prod");
        ufx_json_int(j, "new_findings", 1);
        cJSON_Delete(j);
        free(p);
    }

    /* the same findings again: kept, not announced again */
    rq.now += 3600;
    assert_int_equal(domain_drift_check(f->reg, &staff, &rq, &r, &nnew, &err),
                     0);
    assert_int_equal(nnew, 0);
    assert_int_equal(r.nfindings, 3);
    registry_drift_report_dispose(&r);
    assert_int_equal(
        ufx_int(f,
                "SELECT count(*) FROM events WHERE event = 'registry.drift'"),
        3);
    assert_int_equal(
        registry_drift_load(f->reg, &back,
                            ufx_int(f, "SELECT id FROM instances"
                                       " WHERE name = 'acme-prod'"),
                            &err),
        0);
    assert_int_equal(back.checked_at, 1772510400 + 3600);
    assert_int_equal(back.nfindings, 3);
    assert_string_equal(back.findings[2].table, "tmp");
    assert_int_equal(back.failed, 0);
    registry_drift_report_dispose(&back);

    /* an unreadable source: a failed report, the code of live_read */
    rq.source = "sqlite:/nonexistent/dir/x.db";
    assert_true(domain_drift_check(f->reg, &staff, &rq, &r, &nnew, &err) < 0);
    assert_int_equal(r.failed, 1);
    assert_true(strlen(r.error) > 0);
    registry_drift_report_dispose(&r);

    /* another organisation's instance reads as a missing one */
    globex.role = ROLE_CLIENT;
    globex.org_id = f->org_b;
    rq.source = src;
    memset(&err, 0, sizeof err);
    assert_int_equal(domain_drift_check(f->reg, &globex, &rq, &r, &nnew, &err),
                     ERR_NOTFOUND);
    assert_string_equal(err.msg, "no instance named acme-prod");
    rq.instance = "nope";
    memset(&err, 0, sizeof err);
    assert_int_equal(domain_drift_check(f->reg, &staff, &rq, &r, &nnew, &err),
                     ERR_NOTFOUND);
    assert_string_equal(err.msg, "no instance named nope");
    ufx_close(f);
}

/* A Snowflake instance checked from a CSV export of
 * information_schema.columns: the types read in the instance's dialect
 * (TEXT(255), NUMBER(38,0), TIMESTAMP_NTZ), comments compared. */
static void test_check_from_csv(void **state)
{
    ufx *f = ufx_open("driftcsv");
    domain_actor staff = {0};
    domain_drift_request rq = {0};
    registry_drift_report r = {0};
    char file[400], src[420];
    errmsg err = {0};
    char *got;

    (void)state;
    ufx_people(f, "snowflake");
    ufx_import(f, "globex-prod",
               "table,column,type,nullable,primary_key,description,"
               "table_description\n"
               "orders,id,bigint,false,true,Order id,Orders\n"
               "orders,code,string(255),true,false,Code,Orders\n"
               "orders,at,timestamp,true,false,When,Orders\n"
               "orders,total,\"decimal(12,2)\",true,false,Total,Orders\n");
    snprintf(file, sizeof file, "%s/columns.csv", f->dir);
    snprintf(src, sizeof src, "csv:%s", file);
    ufx_write_file(file,
                   "TABLE_SCHEMA,TABLE_NAME,COLUMN_NAME,ORDINAL_POSITION,"
                   "DATA_TYPE,IS_NULLABLE,CHARACTER_MAXIMUM_LENGTH,"
                   "NUMERIC_PRECISION,NUMERIC_SCALE,COMMENT,TABLE_COMMENT,"
                   "PRIMARY_KEY\n"
                   "PUBLIC,orders,id,1,NUMBER,NO,,38,0,Order id,Orders,YES\n"
                   "PUBLIC,orders,code,2,TEXT,YES,255,,,Code,Orders,NO\n"
                   "PUBLIC,orders,at,3,TIMESTAMP_NTZ,YES,,,,When,Orders,NO\n"
                   "PUBLIC,orders,total,4,NUMBER,YES,,12,2,Total,Orders,NO\n");
    staff.role = ROLE_PM;
    rq.instance = "globex-prod";
    rq.source = src;
    rq.store = 1;
    assert_int_equal(domain_drift_check(f->reg, &staff, &rq, &r, NULL, &err),
                     0);
    assert_int_equal(r.nfindings, 0);
    assert_int_equal(r.tables_compared, 1);
    registry_drift_report_dispose(&r);
    ufx_write_file(file,
                   "TABLE_SCHEMA,TABLE_NAME,COLUMN_NAME,ORDINAL_POSITION,"
                   "DATA_TYPE,IS_NULLABLE,CHARACTER_MAXIMUM_LENGTH,"
                   "NUMERIC_PRECISION,NUMERIC_SCALE,COMMENT,TABLE_COMMENT,"
                   "PRIMARY_KEY\n"
                   "PUBLIC,orders,id,1,NUMBER,NO,,38,0,Order id,Orders,YES\n"
                   "PUBLIC,orders,code,2,TEXT,YES,100,,,Code,Orders,NO\n"
                   "PUBLIC,orders,at,3,TIMESTAMP_TZ,YES,,,,When,Orders,NO\n"
                   "PUBLIC,orders,total,4,NUMBER,YES,,12,2,Sum,Orders,NO\n");
    assert_int_equal(domain_drift_check(f->reg, &staff, &rq, &r, NULL, &err),
                     0);
    got = lines(&r);
    assert_string_equal(got, "type orders.at timestamp | timestamp_tz\n"
                             "type orders.code string(255) | text(100)\n"
                             "comment orders.total Total | Sum\n");
    free(got);
    registry_drift_report_dispose(&r);
    ufx_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_postgres),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_name_case),
        cmocka_unit_test(test_types_per_dialect),
        cmocka_unit_test(test_comments_only_where_kept),
        cmocka_unit_test(test_retired_column_live),
        cmocka_unit_test(test_untyped_column),
        cmocka_unit_test(test_sqlite_added_column_comment),
        cmocka_unit_test(test_no_table_comments),
        cmocka_unit_test(test_check_stores_and_announces_once),
        cmocka_unit_test(test_check_from_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
