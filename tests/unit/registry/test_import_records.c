/* test_import_records.c: registry_import_records, the import engine the
 * YAML readers use: the same records as a CSV give the same registry and
 * one change of kind import named after the file; a bad value and a
 * reader's own problem are listed together at their FILE:LINE and
 * nothing is written; unknown vocabulary names are refused by
 * registry_import_recs_set. */
#include "fixture.h"
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    ufx *f = ufx_open("import_records");

    ufx_people(f, "postgres");
    *state = f;
    return 0;
}

static const char csv[] =
    "table,column,type,nullable,primary_key,description,pii,"
    "campaign_dependency,expected_arrival,cadence,owner\n"
    "orders,id,bigint,no,yes,\"The id: #1\",no,required,07:00,daily,Ann\n"
    "orders,email,string(255),yes,no,\"multi\nline\",yes,,,,\n"
    "empty_t,,,,,,,optional,,,\n";

/* The records of csv above, built by hand as a reader would. */
static void fill(registry_import_recs *rs)
{
    size_t i = registry_import_recs_add(rs, "orders.yml", 3);

    registry_import_recs_set(rs, i, "table", "orders");
    registry_import_recs_set(rs, i, "column", "id");
    registry_import_recs_set(rs, i, "type", "bigint");
    registry_import_recs_set(rs, i, "nullable", "no");
    registry_import_recs_set(rs, i, "primary_key", "yes");
    registry_import_recs_set(rs, i, "description", "The id: #1");
    registry_import_recs_set(rs, i, "pii", "no");
    registry_import_recs_set(rs, i, "campaign_dependency", "required");
    registry_import_recs_set(rs, i, "expected_arrival", "07:00");
    registry_import_recs_set(rs, i, "cadence", "daily");
    registry_import_recs_set(rs, i, "owner", "Ann");
    i = registry_import_recs_add(rs, "orders.yml", 9);
    registry_import_recs_set(rs, i, "table", "orders");
    registry_import_recs_set(rs, i, "column", "email");
    registry_import_recs_set(rs, i, "type", "string(255)");
    registry_import_recs_set(rs, i, "nullable", "yes");
    registry_import_recs_set(rs, i, "description", "multi\nline");
    registry_import_recs_set(rs, i, "pii", "yes");
    i = registry_import_recs_add(rs, NULL, 20);
    registry_import_recs_set(rs, i, "table", "empty_t");
    registry_import_recs_set(rs, i, "campaign_dependency", "optional");
}

/* The registry of instance as one text (tables and columns). */
static char *dump(ufx *f, const char *instance)
{
    char sql[1024];

    snprintf(sql, sizeof sql,
             "SELECT group_concat(x, '|') FROM (SELECT t.name || ':' ||"
             " t.description || ':' || t.campaign_dependency || ':' ||"
             " t.expected_arrival || ':' || t.cadence || ':' || t.owner ||"
             " ':' || coalesce(c.name || ':' || c.type || ':' || c.nullable"
             " || ':' || c.primary_key || ':' || c.description || ':' ||"
             " c.pii, '') AS x FROM reg_tables t JOIN instances i ON i.id ="
             " t.instance_id LEFT JOIN reg_columns c ON c.table_id = t.id"
             " WHERE i.name = '%s' ORDER BY t.name, c.position)",
             instance);
    return ufx_text(f, sql);
}

static void test_import_records__same_as_the_csv(void **state)
{
    ufx *f = *state;
    registry_import_recs rs = {0};
    registry_import_report rep = {0};
    errmsg err = {0};
    char *a, *b;

    ufx_import(f, "acme-qa", csv);
    fill(&rs);
    assert_int_equal(registry_import_records(f->reg, &rep, "acme-prod", &rs,
                                             f->pm, "/tmp/x/orders.yml", &err),
                     0);
    assert_int_equal(rep.records, 3);
    assert_int_equal(rep.tables_created, 2);
    assert_int_equal(rep.columns_added, 2);
    registry_import_report_dispose(&rep);
    a = dump(f, "acme-qa");
    b = dump(f, "acme-prod");
    assert_non_null(a);
    assert_string_equal(a, b);
    free(a);
    free(b);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes c JOIN"
                                " instances i ON i.id = c.instance_id WHERE"
                                " i.name = 'acme-prod' AND kind = 'import'"
                                " AND source = 'orders.yml'"),
                     1);
    /* Again: nothing changes. */
    assert_int_equal(registry_import_records(f->reg, &rep, "acme-prod", &rs,
                                             f->pm, "orders.yml", &err),
                     0);
    assert_int_equal(rep.tables_created + rep.tables_updated +
                         rep.columns_added + rep.columns_updated,
                     0);
    registry_import_report_dispose(&rep);
    registry_import_recs_dispose(&rs);
}

static void test_import_records__problems_listed_nothing_written(void **state)
{
    ufx *f = *state;
    registry_import_recs rs = {0};
    registry_import_report rep = {0};
    errmsg err = {0};
    size_t i;

    fill(&rs);
    i = registry_import_recs_add(&rs, "other.yml", 7);
    registry_import_recs_set(&rs, i, "table", "orders");
    registry_import_recs_set(&rs, i, "column", "id"); /* also in orders.yml */
    registry_import_recs_set(&rs, i, "type", "bigint");
    registry_import_recs_set(&rs, i, "nullable", "perhaps");
    assert_int_equal(registry_import_recs_set(&rs, i, "colour", "red"), -1);
    registry_import_problem_add(&rep, "orders.yml", 2, "sources",
                                "is a text, not a list");
    assert_int_equal(registry_import_records(f->reg, &rep, "acme-prod", &rs,
                                             f->pm, "orders.yml", &err),
                     ERR_INVALID);
    assert_true(rep.nproblems >= 3);
    assert_string_equal(rep.problems[0].file, "orders.yml");
    assert_int_equal(rep.problems[0].line, 2);
    assert_string_equal(rep.problems[0].field, "sources");
    {
        int nullable = 0, twice = 0;
        for (size_t k = 0; k < rep.nproblems; k++) {
            const registry_import_problem *p = &rep.problems[k];
            if (!strcmp(p->field, "nullable") && p->line == 7 &&
                !strcmp(p->file, "other.yml"))
                nullable = 1;
            if (!strcmp(p->field, "column") && strstr(p->message, "line") &&
                strstr(p->message, ".yml"))
                twice = 1;
        }
        assert_true(nullable);
        assert_true(twice);
    }
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables"), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes WHERE"
                                " kind = 'import'"),
                     0);
    registry_import_report_dispose(&rep);
    err_clear(&err);
    assert_int_equal(registry_import_records(f->reg, &rep, "nope", &rs, f->pm,
                                             "x.yml", &err),
                     ERR_NOTFOUND);
    registry_import_report_dispose(&rep);
    registry_import_recs_dispose(&rs);
    assert_int_equal(registry_csv_column_index("table"), 0);
    assert_int_equal(registry_csv_column_index("anomaly_high_pct"),
                     REGISTRY_IMPORT_NFIELDS - 1);
    assert_int_equal(registry_csv_column_index("nope"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_records__same_as_the_csv,
                                        setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(
            test_import_records__problems_listed_nothing_written, setup,
            ufx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
