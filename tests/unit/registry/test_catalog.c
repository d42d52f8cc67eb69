/* test_catalog.c: registry/catalog.c: applying requests builds the
 * registry and its history exactly; manual edits need a reason and write
 * history; search (prefix, exact first, organisation filter, quoting);
 * lookup (prefix through the index, substring, spelling); the CSV import
 * (good file, bad file writes nothing, idempotent re-import, apostrophe
 * undo); the table JSON. */
#include "fixture.h"
#include "catalog.h"
#include "requests.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    ufx *f = ufx_open("catalog");

    ufx_people(f, "postgres");
    *state = f;
    return 0;
}

static int apply(ufx *f, const form_request *r, const char *inst, errmsg *err)
{
    int rc;

    assert_int_equal(registry_begin(f->reg, err), 0);
    rc = registry_request_apply(f->reg, r, inst, f->pm, err);
    if (rc < 0)
        registry_rollback(f->reg);
    else
        assert_int_equal(registry_commit(f->reg, err), 0);
    return rc;
}

static const char new_table_json[] = UFX_REQUEST(
    "Loyalty",
    "{\"kind\":\"new_table\",\"table\":\"loyalty_members\",\"description\":"
    "\"One row "
    "per member.\",\"source\":\"flat_file_csv\",\"cadence\":\"daily\","
    "\"expected_arrival\":\"05:00\",\"late_after_minutes\":120,"
    "\"campaign_dependency\":\"required\",\"campaign_note\":\"Wait.\","
    "\"owner\":\"data@acme.example\",\"columns\":[{\"name\":\"member_id\","
    "\"type\":\"bigint\",\"nullable\":false,\"primary_key\":true},{\"name\":"
    "\"tier\",\"type\":\"string(20)\"},{\"name\":\"opt_in\",\"type\":"
    "\"boolean\",\"consent\":true,\"consent_channel\":\"email\"}]}");

static void test_catalog__apply_new_table_with_history(void **state)
{
    ufx *f = *state;
    form_request r;
    errmsg err = {0};
    cJSON *t;
    int64_t id;
    char sql[256];

    ufx_parse(&r, new_table_json);
    id = ufx_store(f, &r, 0, NULL);
    assert_int_equal(apply(f, &r, "acme-prod", &err), 0);
    t = registry_table_json(f->reg, "acme-prod", "LOYALTY_MEMBERS", &err);
    assert_non_null(t);
    ufx_json_str(t, "table", "loyalty_members");
    ufx_json_str(t, "rules.campaign_dependency", "required");
    ufx_json_str(t, "rules.missing_after", "07:00");
    ufx_json_true(t, "rules.consent_relevant");
    ufx_json_size(t, "columns", 3);
    ufx_json_int(t, "columns.0.added_by_request", id);
    ufx_json_int(t, "last_change.request", id);
    cJSON_Delete(t);
    /* 1 table + 7 rules + 3 columns + consent_relevant; every row names
       the request, the user and the reason CR-<id>. */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM registry_history WHERE request_id = %lld"
             " AND reason = 'CR-%lld' AND user_id IS NOT NULL",
             (long long)id, (long long)id);
    assert_int_equal(ufx_int(f, sql), 12);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"), 12);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history WHERE"
                                " field = 'column' AND old_value IS NULL"),
                     3);
    /* The same request again: conflict, nothing written. */
    assert_int_equal(apply(f, &r, "acme-prod", &err), ERR_CONFLICT);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"), 12);
    /* Other instance: its own registry. */
    err_clear(&err);
    assert_int_equal(apply(f, &r, "acme-qa", &err), 0);
    assert_int_equal(
        registry_table_exists(f->reg, "acme-qa", "loyalty_members", &err), 1);
    form_request_dispose(&r);
}

/* A new table whose key is the item's list of columns (none flagged):
 * the registry marks those columns as the key, as the generated CREATE
 * TABLE makes them. */
static void test_catalog__apply_key_from_item_list(void **state)
{
    ufx *f = *state;
    form_request r;
    errmsg err = {0};

    ufx_parse(&r, UFX_REQUEST("Visits",
                              "{\"kind\":\"new_table\",\"table\":\"visits\","
                              "\"primary_key\":\"member_id, Day_\","
                              "\"columns\":[{\"name\":\"member_id\",\"type\":"
                              "\"bigint\",\"nullable\":false},{\"name\":"
                              "\"Day_\",\"type\":\"date\",\"nullable\":false},"
                              "{\"name\":\"n\",\"type\":\"integer\"}]}"));
    ufx_store(f, &r, 0, NULL);
    assert_int_equal(apply(f, &r, "acme-prod", &err), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_columns WHERE"
                                " primary_key = 1 AND nullable = 0 AND"
                                " name IN ('member_id', 'Day_')"),
                     2);
    assert_int_equal(
        ufx_int(f, "SELECT primary_key FROM reg_columns WHERE name = 'n'"), 0);
    form_request_dispose(&r);
}

static void test_catalog__apply_columns_and_attributes(void **state)
{
    ufx *f = *state;
    form_request r, a, bad;
    errmsg err = {0};
    int64_t before, id;
    cJSON *t;

    ufx_parse(&r, new_table_json);
    ufx_store(f, &r, 0, NULL);
    assert_int_equal(apply(f, &r, "acme-prod", &err), 0);
    before = ufx_int(f, "SELECT count(*) FROM registry_history");
    ufx_parse(
        &a,
        UFX_REQUEST(
            "Attrs",
            "{\"kind\":\"add_columns\",\"table\":\"loyalty_members\","
            "\"expected_arrival\":\"06:00\",\"columns\":[{\"name\":\"joined\","
            "\"type\":\"date\"}]},{\"kind\":\"customer_attributes\",\"table\":"
            "\"loyalty_members\",\"columns\":[{\"name\":\"tier\",\"action\":"
            "\"change\",\"type\":\"string(50)\",\"rule\":\"gold/silver\"},"
            "{\"name\":\"opt_in\",\"action\":\"retire\"}]}"));
    id = ufx_store(f, &a, 0, NULL);
    assert_int_equal(apply(f, &a, "acme-prod", &err), 0);
    /* expected_arrival, joined added, tier type + rule, opt_in retired: 5
       rows (an update item leaves the table's kind). */
    assert_int_equal(
        ufx_int(f, "SELECT count(*) FROM registry_history") - before, 5);
    t = registry_table_json(f->reg, "acme-prod", "loyalty_members", &err);
    assert_non_null(t);
    ufx_json_str(t, "kind", "");
    ufx_json_str(t, "columns.1.type", "string(50)");
    ufx_json_str(t, "columns.1.rule", "gold/silver");
    ufx_json_str(t, "columns.2.status", "retired");
    ufx_json_str(t, "columns.3.name", "joined");
    ufx_json_int(t, "columns.3.added_by_request", id);
    cJSON_Delete(t);
    {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM registry_history WHERE column_name ="
                 " 'tier' AND field = 'type' AND old_value = 'string(20)'"
                 " AND new_value = 'string(50)' AND request_id = %lld",
                 (long long)id);
        assert_int_equal(ufx_int(f, sql), 1);
    }
    /* Attributes of a missing table: a clear conflict. */
    ufx_parse(&bad,
              UFX_REQUEST("x",
                          "{\"kind\":\"purchase_history\",\"table\":"
                          "\"nowhere\",\"columns\":[{\"name\":\"x\",\"action\":"
                          "\"retire\"}]}"));
    err_clear(&err);
    assert_int_equal(apply(f, &bad, "acme-prod", &err), ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "nowhere"));
    form_request_dispose(&r);
    form_request_dispose(&a);
    form_request_dispose(&bad);
}

static void test_catalog__manual_edit_needs_reason(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    form_request r;

    ufx_parse(&r, new_table_json);
    assert_int_equal(apply(f, &r, "acme-prod", &err), 0);
    assert_int_equal(registry_begin(f->reg, &err), 0);
    assert_int_equal(registry_table_update_field(
                         f->reg, "acme-prod", "loyalty_members", NULL,
                         "campaign_dependency", "optional", f->pm, "  ", &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "reason");
    err_clear(&err);
    assert_int_equal(registry_table_update_field(
                         f->reg, "acme-prod", "loyalty_members", NULL,
                         "campaign_dependency", "maybe", f->pm, "x", &err),
                     ERR_INVALID);
    err_clear(&err);
    assert_int_equal(
        registry_table_update_field(f->reg, "acme-prod", "loyalty_members",
                                    NULL, "password", "x", f->pm, "x", &err),
        ERR_INVALID);
    err_clear(&err);
    assert_int_equal(
        registry_table_update_field(f->reg, "acme-prod", "loyalty_members",
                                    NULL, "campaign_dependency", "optional",
                                    f->pm, "reporting only now", &err),
        1);
    assert_int_equal(
        registry_table_update_field(f->reg, "acme-prod", "loyalty_members",
                                    NULL, "campaign_dependency", "optional",
                                    f->pm, "again", &err),
        0);
    assert_int_equal(registry_table_update_field(
                         f->reg, "acme-prod", "loyalty_members", "tier", "type",
                         "STRING(30)", f->pm, "longer names", &err),
                     1);
    assert_int_equal(
        registry_table_update_field(f->reg, "acme-prod", "loyalty_members",
                                    "nope", "type", "text", f->pm, "x", &err),
        ERR_NOTFOUND);
    assert_int_equal(registry_commit(f->reg, &err), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history WHERE"
                                " reason = 'reporting only now' AND old_value"
                                " = 'required' AND new_value = 'optional' AND"
                                " request_id IS NULL"),
                     1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_columns WHERE name ="
                                " 'tier' AND type = 'string(30)'"),
                     1);
    form_request_dispose(&r);
}

static void collect_hit(void *ctx, const registry_search_hit *h)
{
    char *out = ctx;
    size_t n = strlen(out);

    snprintf(out + n, 2048 - n, "%s:%s:%s%s;", h->kind, h->instance, h->name,
             h->exact ? "!" : "");
}

static const char dict[] =
    "table,column,type,pii,consent,consent_channel,campaign_dependency,"
    "expected_arrival,late_after_minutes,table_description,runbook\n"
    "customers,customer_id,bigint,,,,required,05:00,120,People,\"Page "
    "on-call, then wait.\"\n"
    "customers,email,string(255),yes,,,,,,,\n"
    "customer_scores,customer_id,bigint,,,,optional,,,Scores of customers,\n"
    "customer_scores,score,integer,,,,,,,,\n"
    "consents,email_opt_in,boolean,,yes,email,required,,,,\n";

static void test_catalog__search_prefix_exact_first_and_tenant(void **state)
{
    ufx *f = *state;
    char out[2048] = "", expr[256];
    errmsg err = {0};
    int64_t acme, globex;

    ufx_import(f, "acme-prod", dict);
    ufx_import(f, "globex-prod",
               "table,column,type\ncustomers_globex,id,bigint\n");
    assert_int_equal(registry_instance_org(f->reg, &acme, "acme-prod", &err),
                     0);
    assert_int_equal(
        registry_instance_org(f->reg, &globex, "globex-prod", &err), 0);
    /* Prefix: "cust" finds tables and columns; exact name first. */
    assert_int_equal(
        registry_search(f->reg, "customers", 0, 50, collect_hit, out, &err), 0);
    assert_true(str_startswith(out, "table:acme-prod:customers!;"));
    assert_non_null(strstr(out, "customer_scores"));
    assert_non_null(strstr(out, "customers_globex"));
    /* A client of acme never sees globex. */
    out[0] = '\0';
    assert_int_equal(
        registry_search(f->reg, "cust", acme, 50, collect_hit, out, &err), 0);
    assert_non_null(strstr(out, "customer_scores"));
    assert_null(strstr(out, "globex"));
    out[0] = '\0';
    registry_search(f->reg, "cust", globex, 50, collect_hit, out, &err);
    assert_null(strstr(out, "acme"));
    /* User syntax never reaches MATCH: quotes, operators, column filters. */
    assert_int_equal(
        registry_search_expr(expr, sizeof expr, "a\"b OR name:x* -- NEAR("), 4);
    assert_string_equal(expr, "\"a\"\"b\"* \"OR\"* \"name:x*\"* \"NEAR(\"*");
    assert_int_equal(registry_search_expr(expr, sizeof expr, " ** -- "), 0);
    out[0] = '\0';
    assert_int_equal(registry_search(f->reg, "\"on-call\" OR )(", 0, 50,
                                     collect_hit, out, &err),
                     0);
}

static void collect_lookup(void *ctx, const registry_lookup_hit *h)
{
    char *out = ctx;
    size_t n = strlen(out);

    snprintf(out + n, 1024 - n, "%s/%s%s;", h->instance, h->table,
             h->exact ? "!" : "");
}

static void test_catalog__lookup_prefix_substring_similar(void **state)
{
    ufx *f = *state;
    char out[1024] = "";
    errmsg err = {0};
    sqlite3_stmt *st;
    int uses_index = 0;

    ufx_import(f, "acme-prod", dict);
    ufx_import(f, "acme-qa", dict);
    assert_int_equal(registry_lookup(f->reg, "Customers",
                                     REGISTRY_LOOKUP_PREFIX, NULL, 0, 20,
                                     collect_lookup, out, &err),
                     2);
    assert_string_equal(out, "acme-prod/customers!;acme-qa/customers!;");
    out[0] = '\0';
    assert_int_equal(registry_lookup(f->reg, "CUSTOMER", REGISTRY_LOOKUP_PREFIX,
                                     NULL, 0, 20, collect_lookup, out, &err),
                     4);
    assert_string_equal(out, "acme-prod/customers;acme-qa/customers;"
                             "acme-prod/customer_scores;"
                             "acme-qa/customer_scores;");
    out[0] = '\0';
    assert_int_equal(registry_lookup(f->reg, "scor", REGISTRY_LOOKUP_PREFIX,
                                     "acme-qa", 0, 20, collect_lookup, out,
                                     &err),
                     0);
    assert_int_equal(registry_lookup(f->reg, "scor", REGISTRY_LOOKUP_SUBSTRING,
                                     "acme-qa", 0, 20, collect_lookup, out,
                                     &err),
                     1);
    assert_string_equal(out, "acme-qa/customer_scores;");
    out[0] = '\0';
    assert_int_equal(registry_lookup_similar(f->reg, "custmers", "acme-qa", 0,
                                             2, 5, collect_lookup, out, &err),
                     1);
    assert_string_equal(out, "acme-qa/customers;");
    /* The prefix lookup is a range on the (instance_id, name) index. */
    assert_int_equal(sqlite3_prepare_v2(
                         f->db,
                         "EXPLAIN QUERY PLAN SELECT t.name FROM instances i"
                         " CROSS JOIN reg_tables t ON t.instance_id = i.id AND"
                         " t.name >= 'cu' AND t.name < 'cu\xff'",
                         -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(st, 3);
        if (strstr(d, "reg_tables") && strstr(d, "name>?"))
            uses_index = 1;
    }
    sqlite3_finalize(st);
    assert_true(uses_index);
}

static void test_catalog__import_good_bad_and_again(void **state)
{
    ufx *f = *state;
    registry_import_report rep = {0};
    errmsg err = {0};
    int64_t hist;
    static const char bad[] =
        "table,column,type,nullable,campaign_dependency,expected_arrival\n"
        "good_table,id,bigint,no,,\n"
        "9order,id,bigint,no,,\n"
        "t2,x,varchar(20),maybe,sometimes,25:00\n"
        "t2,x,integer,,,\n";
    static const char unknown[] = "table,column,colour\nt,c,red\n";

    assert_int_equal(registry_import_csv(f->reg, &rep, "acme-prod", bad,
                                         sizeof bad - 1, 0, &err),
                     ERR_INVALID);
    /* 9order bad; type, nullable, dependency, time bad; duplicate. */
    assert_true(rep.nproblems >= 6);
    assert_int_equal(rep.problems[0].line, 3);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables"), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"), 0);
    registry_import_report_dispose(&rep);
    err_clear(&err);
    assert_int_equal(registry_import_csv(f->reg, &rep, "acme-prod", unknown,
                                         sizeof unknown - 1, 0, &err),
                     ERR_INVALID);
    assert_string_equal(rep.problems[0].field, "colour");
    registry_import_report_dispose(&rep);

    ufx_import(f, "acme-prod", dict);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables"), 3);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_columns"), 5);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history WHERE"
                                " reason <> 'import'"),
                     0);
    assert_int_equal(ufx_int(f, "SELECT consent_relevant FROM reg_tables WHERE"
                                " name = 'consents'"),
                     1);
    hist = ufx_int(f, "SELECT count(*) FROM registry_history");
    /* The same file again changes nothing. */
    err_clear(&err);
    assert_int_equal(registry_import_csv(f->reg, &rep, "acme-prod", dict,
                                         sizeof dict - 1, 0, &err),
                     0);
    assert_int_equal(rep.tables_created + rep.tables_updated +
                         rep.columns_added + rep.columns_updated,
                     0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"), hist);
    registry_import_report_dispose(&rep);
    /* A quoted neutralised cell loses its apostrophe; unquoted keeps it. */
    ufx_import(f, "acme-qa",
               "table,column,type,description,example\n"
               "t,a,text,\"'=SUM(A1)\",'=x\n");
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_columns WHERE"
                                " description = '=SUM(A1)' AND example ="
                                " '''=x'"),
                     1);
    /* Unknown instance. */
    err_clear(&err);
    assert_int_equal(registry_import_csv(f->reg, &rep, "nope", dict,
                                         sizeof dict - 1, 0, &err),
                     ERR_NOTFOUND);
    registry_import_report_dispose(&rep);
}

static void test_catalog__changes_summary(void **state)
{
    ufx *f = *state;
    form_request r;
    errmsg err = {0};
    cJSON *arr;
    char *s;

    ufx_parse(&r, new_table_json);
    arr = registry_request_changes_json(f->reg, &r, "acme-prod",
                                        "https://docket.example", &err);
    assert_int_equal(cJSON_GetArraySize(arr), 1);
    ufx_json_str(arr, "0.url",
                 "https://docket.example/tables/acme-prod/loyalty_members");
    ufx_json_true(arr, "0.consent");
    s = cJSON_PrintUnformatted(ufx_json_at(arr, "0.changes"));
    assert_non_null(strstr(s, "new table"));
    assert_non_null(strstr(s, "add column tier string(20)"));
    cJSON_free(s);
    cJSON_Delete(arr);
    form_request_dispose(&r);
}

/* A request's items carry a feed's day and the row anomaly thresholds:
   a new table gets the defaults (50, 200), an update sets what it gives
   (the day in its short form) and leaves the rest; an edit that leaves a
   weekly table without a fitting day is refused. */
static void test_catalog__apply_feed_day_and_thresholds(void **state)
{
    ufx *f = *state;
    form_request r, a, b;
    errmsg err = {0};
    registry_field_value set[] = {{"cadence", "daily"}};
    cJSON *t;
    int changed = -1;

    ufx_parse(&r, new_table_json);
    ufx_store(f, &r, 0, NULL);
    assert_int_equal(apply(f, &r, "acme-prod", &err), 0);
    t = registry_table_json(f->reg, "acme-prod", "loyalty_members", &err);
    ufx_json_str(t, "rules.expected_day", "");
    ufx_json_int(t, "rules.anomaly_low_pct", 50);
    ufx_json_int(t, "rules.anomaly_high_pct", 200);
    cJSON_Delete(t);
    ufx_parse(&a, UFX_REQUEST("Weekly",
                              "{\"kind\":\"add_columns\",\"table\":"
                              "\"loyalty_members\",\"cadence\":\"weekly\","
                              "\"expected_day\":\"Friday\","
                              "\"anomaly_low_pct\":20,\"columns\":[{\"name\":"
                              "\"week\",\"type\":\"date\"}]}"));
    ufx_store(f, &a, 0, NULL);
    assert_int_equal(apply(f, &a, "acme-prod", &err), 0);
    t = registry_table_json(f->reg, "acme-prod", "loyalty_members", &err);
    ufx_json_str(t, "rules.cadence", "weekly");
    ufx_json_str(t, "rules.expected_day", "fri");
    ufx_json_int(t, "rules.anomaly_low_pct", 20);
    ufx_json_int(t, "rules.anomaly_high_pct", 200);
    cJSON_Delete(t);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history WHERE"
                                " field = 'expected_day' AND new_value ="
                                " 'fri'"),
                     1);
    ufx_parse(&b, UFX_REQUEST("More rows",
                              "{\"kind\":\"add_columns\",\"table\":"
                              "\"loyalty_members\",\"anomaly_high_pct\":500,"
                              "\"columns\":[{\"name\":\"region\",\"type\":"
                              "\"string(10)\"}]}"));
    ufx_store(f, &b, 0, NULL);
    assert_int_equal(apply(f, &b, "acme-prod", &err), 0);
    t = registry_table_json(f->reg, "acme-prod", "loyalty_members", &err);
    ufx_json_str(t, "rules.expected_day", "fri");
    ufx_json_int(t, "rules.anomaly_low_pct", 20);
    ufx_json_int(t, "rules.anomaly_high_pct", 500);
    cJSON_Delete(t);
    /* daily with Friday still stored: refused on expected_day */
    assert_int_equal(registry_table_edit(f->reg, "acme-prod", "loyalty_members",
                                         NULL, set, 1, f->pm, "daily now",
                                         &changed, &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "expected_day");
    assert_int_equal(changed, -1);
    t = registry_table_json(f->reg, "acme-prod", "loyalty_members", &err);
    ufx_json_str(t, "rules.cadence", "weekly");
    cJSON_Delete(t);
    form_request_dispose(&r);
    form_request_dispose(&a);
    form_request_dispose(&b);
}

UFX_MAIN(
    cmocka_unit_test_setup_teardown(test_catalog__apply_new_table_with_history,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_catalog__apply_key_from_item_list,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_catalog__apply_columns_and_attributes,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_catalog__manual_edit_needs_reason,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_catalog__search_prefix_exact_first_and_tenant, setup,
        ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_catalog__lookup_prefix_substring_similar, setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_catalog__import_good_bad_and_again,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_catalog__changes_summary, setup,
                                    ufx_teardown),
    cmocka_unit_test_setup_teardown(test_catalog__apply_feed_day_and_thresholds,
                                    setup, ufx_teardown))
