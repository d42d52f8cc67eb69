/* test_adopt.c: adopting a live schema (domain/adopt.c) with built live
 * schemas: every type kind in every dialect comes back without drift, keys
 * (and a key order other than the column order), comments as
 * descriptions, only the tables asked for, a documented table getting
 * only its missing columns, history rows with the reason, all or nothing
 * on an error in the last table, dry run, roles and tenancy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "adopt_cases.h"
#include "drift_cases.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    c.datetime_precision = -1;
    return c;
}

static const domain_actor console = {0};

/* The drift findings of acme-prod against live, one a line. */
static char *drift_lines(ufx *f, const live_schema *live)
{
    static const char *const names[] = {"kinds", "orders", "pairs", "customers",
                                        "audit"};
    registry_card cards[5];
    registry_drift_report r;
    size_t n = 0;
    buf b = {0};
    errmsg err = {0};

    for (size_t i = 0; i < 5; i++)
        if (registry_table_card(f->reg, &cards[n], "acme-prod", names[i], 0,
                                &err) == 0)
            n++;
    domain_drift_compare(&r, cards, n, live);
    for (size_t i = 0; i < r.nfindings; i++)
        buf_appendf(&b, "%s %s.%s %s | %s\n", r.findings[i].kind,
                    r.findings[i].table, r.findings[i].column,
                    r.findings[i].registry, r.findings[i].live);
    for (size_t i = 0; i < n; i++)
        registry_card_free(&cards[i]);
    registry_drift_report_dispose(&r);
    buf_puts(&b, "");
    return buf_detach(&b);
}

/* ---- every kind in every dialect --------------------------------------- */

typedef struct live_t {
    const char *name;
    int64_t len;
    int prec, scale;
} live_t;

/* What each database reports for the column the generator writes for
 * form (postgres, mysql, snowflake, sqlite). */
static const struct {
    const char *form;
    live_t live[SQL_NDIALECTS];
} pairs[] = {
    {"string(255)",
     {{"character varying", 255, -1, -1},
      {"varchar", 255, -1, -1},
      {"text", 255, -1, -1},
      {"varchar", 255, -1, -1}}},
    {"text",
     {{"text", -1, -1, -1},
      {"longtext", 4294967295LL, -1, -1},
      {"text", 16777216, -1, -1},
      {"text", -1, -1, -1}}},
    {"integer",
     {{"integer", -1, 32, 0},
      {"int", -1, 10, 0},
      {"number", -1, 38, 0},
      {"integer", -1, -1, -1}}},
    {"bigint",
     {{"bigint", -1, 64, 0},
      {"bigint", -1, 19, 0},
      {"number", -1, 38, 0},
      {"bigint", -1, -1, -1}}},
    {"decimal(12,2)",
     {{"numeric", -1, 12, 2},
      {"decimal", -1, 12, 2},
      {"number", -1, 12, 2},
      {"decimal", -1, 12, 2}}},
    {"boolean",
     {{"boolean", -1, -1, -1},
      {"tinyint", -1, 3, 0},
      {"boolean", -1, -1, -1},
      {"boolean", -1, -1, -1}}},
    {"date",
     {{"date", -1, -1, -1},
      {"date", -1, -1, -1},
      {"date", -1, -1, -1},
      {"date", -1, -1, -1}}},
    {"timestamp",
     {{"timestamp without time zone", -1, -1, -1},
      {"datetime", -1, -1, -1},
      {"timestamp_ntz", -1, -1, -1},
      {"timestamp", -1, -1, -1}}},
    {"timestamp with time zone",
     {{"timestamp with time zone", -1, -1, -1},
      {"datetime", -1, -1, -1},
      {"timestamp_tz", -1, -1, -1},
      {"timestamptz", -1, -1, -1}}},
    {"json",
     {{"jsonb", -1, -1, -1},
      {"json", -1, -1, -1},
      {"variant", -1, -1, -1},
      {"text", -1, -1, -1}}},
};
#define NPAIRS (sizeof pairs / sizeof *pairs)

static void test_every_kind_every_dialect(void **state)
{
    (void)state;
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        ufx *f = ufx_open("adopt-kinds");
        live_column cols[NPAIRS];
        char names[NPAIRS][8], sql[200];
        live_table t = {"kinds", "", cols, NPAIRS};
        live_schema live = {(sql_dialect)d, "x", "s", &t, 1, 0};
        domain_adopt_report r;
        errmsg err = {0};
        char *got;

        ufx_people(f, "postgres");
        snprintf(sql, sizeof sql,
                 "UPDATE instances SET dialect = '%s' WHERE name = "
                 "'acme-prod'",
                 sql_dialect_name((sql_dialect)d));
        ufx_exec(f, sql);
        for (size_t i = 0; i < NPAIRS; i++) {
            const live_t *l = &pairs[i].live[d];
            snprintf(names[i], sizeof names[i], "c%zu", i);
            cols[i] = lcol(names[i], l->name, l->len, l->prec, l->scale,
                           (int)(i % 2), i == 0, "");
            cols[i].ordinal = (int)i + 1;
        }
        if (domain_adopt(f->reg, &console, "acme-prod", &live, NULL, 0, 0, &r,
                         &err) != 0)
            fail_msg("%s: %s", sql_dialect_name((sql_dialect)d), err.msg);
        assert_int_equal(r.tables_created, 1);
        assert_int_equal(r.columns_added, (int)NPAIRS);
        got = drift_lines(f, &live);
        if (*got)
            fail_msg("%s: drift after adopt:\n%s",
                     sql_dialect_name((sql_dialect)d), got);
        free(got);
        if (d == SQL_POSTGRES)
            for (size_t i = 0; i < NPAIRS; i++) {
                char q[160], *type;
                snprintf(q, sizeof q,
                         "SELECT type FROM reg_columns WHERE name = 'c%zu'", i);
                type = ufx_text(f, q);
                assert_string_equal(type, pairs[i].form);
                assert_string_equal(r.tables[0].types[i], pairs[i].form);
                free(type);
            }
        domain_adopt_report_dispose(&r);
        ufx_close(f);
    }
}

/* ---- keys, comments, only the tables asked for, history ---------------- */

static void test_keys_comments_only_and_history(void **state)
{
    ufx *f = ufx_open("adopt-keys");
    live_column order_cols[] = {
        lcol("order_id", "bigint", -1, 64, 0, 0, 1, "The order"),
        lcol("line", "integer", -1, 32, 0, 0, 2, "Line \"number\"\non it"),
        lcol("note", "text", -1, -1, -1, 1, 0, "<script>alert(1)</script> é"),
    };
    live_column pair_cols[] = {
        lcol("a", "integer", -1, 32, 0, 0, 2, ""),
        lcol("b", "integer", -1, 32, 0, 0, 1, ""),
    };
    live_column skip_cols[] = {lcol("x", "integer", -1, 32, 0, 1, 0, "")};
    live_table tables[] = {
        {"orders", "Orders, one row a line", order_cols, 3},
        {"pairs", "", pair_cols, 2},
        {"skip", "", skip_cols, 1},
    };
    live_schema live = {
        SQL_POSTGRES, "postgres://app:***@db/x", "public", tables, 3, 0};
    const char *only[] = {"orders", "PAIRS"};
    domain_adopt_report r;
    errmsg err = {0};
    char *s;

    (void)state;
    ufx_people(f, "postgres");
    assert_int_equal(domain_adopt(f->reg, &console, "acme-prod", &live, only, 2,
                                  0, &r, &err),
                     0);
    assert_int_equal(r.ntables, 2);
    assert_int_equal(r.tables_created, 2);
    assert_int_equal(r.columns_added, 5);
    assert_string_equal(r.tables[0].name, "orders");
    assert_true(r.tables[0].created);
    assert_string_equal(r.tables[0].to_complete,
                        "campaign dependency, cadence, expected arrival, "
                        "owner, escalation");
    assert_string_equal(r.tables[0].key_note, "");
    assert_string_equal(r.tables[1].key_note,
                        "the live key is (b, a); the registry marks key "
                        "columns in column order");
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables WHERE name"
                                " = 'skip'"),
                     0);
    s = ufx_text(f, "SELECT group_concat(name || ':' || primary_key || ':' ||"
                    " nullable, ',') FROM (SELECT c.name, c.primary_key,"
                    " c.nullable FROM reg_columns c JOIN reg_tables t ON"
                    " t.id = c.table_id WHERE t.name = 'orders'"
                    " ORDER BY c.position)");
    assert_string_equal(s, "order_id:1:0,line:1:0,note:0:1");
    free(s);
    s = ufx_text(f, "SELECT description FROM reg_tables WHERE name ="
                    " 'orders'");
    assert_string_equal(s, "Orders, one row a line");
    free(s);
    s = ufx_text(f, "SELECT description FROM reg_columns WHERE name ="
                    " 'line'");
    assert_string_equal(s, "Line \"number\"\non it");
    free(s);
    s = ufx_text(f, "SELECT description FROM reg_columns WHERE name ="
                    " 'note'");
    assert_string_equal(s, "<script>alert(1)</script> é");
    free(s);
    /* One history row per table and column, all with the reason, one
       change. */
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"), 7);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"
                                " WHERE reason = 'adopted from live schema'"),
                     7);
    assert_int_equal(
        ufx_int(f, "SELECT count(DISTINCT change_id) FROM registry_history"),
        1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes WHERE"
                                " kind = 'import' AND reason = 'adopted from"
                                " live schema'"),
                     1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM audit_log WHERE action"
                                " = 'registry.adopt'"),
                     1);
    domain_adopt_report_dispose(&r);

    /* Adopting again: nothing left to adopt for those tables. */
    assert_int_equal(domain_adopt(f->reg, &console, "acme-prod", &live, only, 2,
                                  0, &r, &err),
                     0);
    assert_int_equal(r.ntables, 0);
    domain_adopt_report_dispose(&r);
    ufx_close(f);
}

/* ---- a documented table gets only its missing columns ------------------ */

static void test_documented_table_gets_missing_columns(void **state)
{
    ufx *f = ufx_open("adopt-missing");
    live_column cols[] = {
        lcol("id", "bigint", -1, 64, 0, 0, 1, ""),
        lcol("email", "character varying", 100, -1, -1, 1, 0, ""),
        lcol("phone", "character varying", 30, -1, -1, 1, 0, "Phone"),
    };
    live_table t = {"customers", "", cols, 3};
    live_schema live = {SQL_POSTGRES, "x", "public", &t, 1, 0};
    domain_adopt_report r;
    errmsg err = {0};
    char *s;

    (void)state;
    ufx_people(f, "postgres");
    ufx_import(f, "acme-prod",
               "table,column,type,nullable,primary_key,description,owner\n"
               "customers,id,bigint,false,true,Id,crm-team\n"
               "customers,email,string(255),false,false,E-mail,\n");
    assert_int_equal(domain_adopt(f->reg, &console, "acme-prod", &live, NULL, 0,
                                  0, &r, &err),
                     0);
    assert_int_equal(r.ntables, 1);
    assert_false(r.tables[0].created);
    assert_int_equal(r.tables_created, 0);
    assert_int_equal(r.columns_added, 1);
    assert_int_equal(r.tables[0].ncolumns, 1);
    assert_string_equal(r.tables[0].columns[0], "phone");
    assert_string_equal(r.tables[0].types[0], "string(30)");
    /* owner is set by the import: not to complete */
    assert_string_equal(r.tables[0].to_complete,
                        "campaign dependency, cadence, expected arrival, "
                        "escalation");
    /* email's type and nullability differ live: that is drift, not adopt */
    s = ufx_text(f, "SELECT type || ':' || nullable FROM reg_columns WHERE"
                    " name = 'email'");
    assert_string_equal(s, "string(255):0");
    free(s);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history WHERE"
                                " reason = 'adopted from live schema'"),
                     1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history WHERE"
                                " reason = 'adopted from live schema' AND"
                                " column_name = 'phone'"),
                     1);
    domain_adopt_report_dispose(&r);
    ufx_close(f);
}

/* ---- all or nothing ------------------------------------------------------ */

static void test_error_in_last_table_writes_nothing(void **state)
{
    ufx *f = ufx_open("adopt-none");
    live_column a_cols[] = {lcol("id", "bigint", -1, 64, 0, 0, 1, "")};
    live_column z_cols[] = {
        lcol("id", "bigint", -1, 64, 0, 0, 1, ""),
        lcol("location", "geometry", -1, -1, -1, 1, 0, ""),
    };
    live_column y_cols[] = {lcol("id", "bigint", -1, 64, 0, 0, 1, "bad\x01")};
    live_table tables[] = {{"alpha", "", a_cols, 1}, {"zeta", "", z_cols, 2}};
    live_table tables2[] = {{"alpha", "", a_cols, 1}, {"yak", "", y_cols, 1}};
    live_schema live = {SQL_POSTGRES, "x", "public", tables, 2, 0};
    live_schema live2 = {SQL_POSTGRES, "x", "public", tables2, 2, 0};
    domain_adopt_report r;
    errmsg err = {0};

    (void)state;
    ufx_people(f, "postgres");
    assert_int_equal(domain_adopt(f->reg, &console, "acme-prod", &live, NULL, 0,
                                  0, &r, &err),
                     ERR_INVALID);
    assert_non_null(strstr(err.msg, "zeta.location"));
    assert_non_null(strstr(err.msg, "geometry"));
    assert_non_null(strstr(err.msg, "nothing was adopted"));
    assert_int_equal(r.ntables, 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables"), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"), 0);

    /* A comment docket refuses (a control character) in the last table:
       the registry refuses it after the first table was checked. */
    err = (errmsg){0};
    assert_int_equal(domain_adopt(f->reg, &console, "acme-prod", &live2, NULL,
                                  0, 0, &r, &err),
                     ERR_INVALID);
    assert_non_null(strstr(err.msg, "yak.id"));
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables"), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes"), 0);

    /* A failure while writing, in the last table (PostgreSQL names "id"
       and "ID" apart, the registry does not: the second is a conflict):
       the first tables are rolled back too. */
    {
        live_column w_cols[] = {lcol("id", "bigint", -1, 64, 0, 0, 1, ""),
                                lcol("ID", "bigint", -1, 64, 0, 1, 0, "")};
        live_table tables3[] = {{"alpha", "", a_cols, 1},
                                {"wide", "", w_cols, 2}};
        live_schema live3 = {SQL_POSTGRES, "x", "public", tables3, 2, 0};
        err = (errmsg){0};
        assert_int_equal(domain_adopt(f->reg, &console, "acme-prod", &live3,
                                      NULL, 0, 0, &r, &err),
                         ERR_CONFLICT);
        assert_int_equal(r.ntables, 0);
        assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables"), 0);
        assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_columns"), 0);
        assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"),
                         0);
        assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes"),
                         0);
    }

    /* Leaving the table out adopts the rest. */
    {
        const char *only[] = {"alpha"};
        err = (errmsg){0};
        assert_int_equal(domain_adopt(f->reg, &console, "acme-prod", &live,
                                      only, 1, 0, &r, &err),
                         0);
        assert_int_equal(r.tables_created, 1);
        domain_adopt_report_dispose(&r);
    }
    ufx_close(f);
}

/* ---- dry run, roles, tenancy, tables not in the source ------------------- */

static void test_dry_run_roles_tenancy(void **state)
{
    ufx *f = ufx_open("adopt-roles");
    live_column cols[] = {lcol("id", "bigint", -1, 64, 0, 0, 1, "")};
    live_table t = {"audit", "", cols, 1};
    live_schema live = {SQL_POSTGRES, "x", "public", &t, 1, 0};
    domain_actor ops = {0}, pm = {0}, ann = {0};
    const char *missing[] = {"nope"};
    domain_adopt_report r;
    errmsg err = {0};

    (void)state;
    ufx_people(f, "postgres");
    ops.user_id = f->ops;
    ops.role = ROLE_OPS;
    pm.user_id = f->pm;
    pm.role = ROLE_PM;
    pm.email = "pm@platform.example";
    ann.user_id = f->client_a;
    ann.role = ROLE_CLIENT;
    ann.org_id = f->org_a;

    assert_int_equal(
        domain_adopt(f->reg, &ops, "acme-prod", &live, NULL, 0, 0, &r, &err),
        ERR_FORBIDDEN);
    err = (errmsg){0};
    assert_int_equal(
        domain_adopt(f->reg, &ann, "acme-prod", &live, NULL, 0, 0, &r, &err),
        ERR_FORBIDDEN);
    err = (errmsg){0};
    assert_int_equal(
        domain_adopt(f->reg, &pm, "no-such", &live, NULL, 0, 0, &r, &err),
        ERR_NOTFOUND);
    assert_string_equal(err.msg, "no instance named no-such");
    err = (errmsg){0};
    assert_int_equal(
        domain_adopt(f->reg, &pm, "acme-prod", &live, missing, 1, 0, &r, &err),
        ERR_NOTFOUND);
    assert_string_equal(err.msg, "no table nope in the source");

    err = (errmsg){0};
    assert_int_equal(
        domain_adopt(f->reg, &pm, "acme-prod", &live, NULL, 0, 1, &r, &err), 0);
    assert_true(r.dry_run);
    assert_int_equal(r.tables_created, 1);
    assert_int_equal(r.ntables, 1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables"), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"), 0);
    domain_adopt_report_dispose(&r);

    assert_int_equal(
        domain_adopt(f->reg, &pm, "acme-prod", &live, NULL, 0, 0, &r, &err), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history WHERE"
                                " user_id IS NOT NULL"),
                     2);
    domain_adopt_report_dispose(&r);
    ufx_close(f);
}

UFX_MAIN(cmocka_unit_test(test_every_kind_every_dialect),
         cmocka_unit_test(test_keys_comments_only_and_history),
         cmocka_unit_test(test_documented_table_gets_missing_columns),
         cmocka_unit_test(test_error_in_last_table_writes_nothing),
         cmocka_unit_test(test_dry_run_roles_tenancy))
