/* test_history_groups.c: the registry history grouped by the change that
 * caused it (registry/catalog_field.c, catalog_change.c, catalog_import.c,
 * catalog_list.c, schema step 6) and as the card writer shows it
 * (domain/card*.c): a request deployed to an instance, an import and a
 * hand edit are one change each, whatever the number of field rows; a
 * database of schema 5 gets its old rows grouped on upgrade; a row
 * written without a change gets one of its own; registry_change_list
 * filters and pages by change; the writer says in one line what a change
 * did, with the form's labels, and keeps the fields in a collapsed
 * <details>. */
#include "fixture.h"
#include "card.h"
#include "catalog.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char *const reg_schema_steps[];

static int setup(void **state)
{
    ufx *f = ufx_open("histgroups");

    ufx_people(f, "postgres");
    *state = f;
    return 0;
}

static const char new_table_json[] = UFX_REQUEST(
    "Loyalty",
    "{\"kind\":\"new_table\",\"table\":\"loyalty_members\",\"description\":"
    "\"One row per member.\",\"source\":\"flat_file_csv\",\"cadence\":"
    "\"daily\",\"expected_arrival\":\"05:00\",\"late_after_minutes\":90,"
    "\"campaign_dependency\":\"required\",\"campaign_note\":\"Wait.\","
    "\"owner\":\"data@acme.example\",\"columns\":[{\"name\":\"member_id\","
    "\"type\":\"bigint\",\"nullable\":false,\"primary_key\":true},{\"name\":"
    "\"tier\",\"type\":\"string(20)\"},{\"name\":\"opt_in\",\"type\":"
    "\"boolean\",\"consent\":true,\"consent_channel\":\"email\"}]}");

static const char dict[] =
    "table,column,type,description,campaign_dependency,late_after_minutes\n"
    "customers,customer_id,bigint,Customer,required,60\n"
    "customers,email,string(255),E-mail,,\n"
    "purchases,purchase_id,bigint,Purchase,optional,30\n";

static void deploy(ufx *f, form_request *r, const char *inst)
{
    errmsg err = {0};

    assert_int_equal(registry_begin(f->reg, &err), 0);
    if (registry_request_apply(f->reg, r, inst, f->pm, &err) < 0)
        fail_msg("apply: %s", err.msg);
    assert_int_equal(registry_commit(f->reg, &err), 0);
}

/* What registry_change_list handed over, copied. */
typedef struct seen {
    int n;
    int64_t id[16];
    registry_change_kind kind[16];
    int64_t request[16];
    char source[16][64], reason[16][64], user[16][32], instance[16][32];
    size_t nrows[16];
    int64_t total[16];
    int rows_ordered; /* every change's rows oldest first, one change id */
} seen;

static void seen_change(void *ctx, const registry_change *c)
{
    seen *s = ctx;
    int i = s->n++;

    assert_true(i < 16);
    s->id[i] = c->id;
    s->kind[i] = c->kind;
    s->request[i] = c->request_id;
    str_copy(s->source[i], sizeof s->source[i], c->source);
    str_copy(s->reason[i], sizeof s->reason[i], c->reason);
    str_copy(s->user[i], sizeof s->user[i], c->user);
    str_copy(s->instance[i], sizeof s->instance[i], c->instance);
    s->nrows[i] = c->nrows;
    s->total[i] = c->nrows_total;
    for (size_t k = 0; k < c->nrows; k++) {
        if (c->rows[k].change_id != c->id ||
            (k && c->rows[k].id <= c->rows[k - 1].id))
            s->rows_ordered = 0;
    }
}

static void list(ufx *f, seen *s, const registry_history_filter *hf)
{
    errmsg err = {0};

    memset(s, 0, sizeof *s);
    s->rows_ordered = 1;
    if (registry_change_list(f->reg, hf, seen_change, s, &err) < 0)
        fail_msg("registry_change_list: %s", err.msg);
    assert_true(s->rows_ordered);
}

static void test_history_groups__deploy_is_one_change(void **state)
{
    ufx *f = *state;
    registry_history_filter hf = {0};
    form_request r;
    char sql[200];
    int64_t rows;
    seen s;

    ufx_parse(&r, new_table_json);
    ufx_store(f, &r, 0, NULL);
    deploy(f, &r, "acme-prod");
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM registry_history WHERE request_id = %lld",
             (long long)r.id);
    rows = ufx_int(f, sql);
    assert_true(rows >= 10); /* table, rules, columns: many rows */
    assert_int_equal(ufx_int(f, "SELECT count(DISTINCT change_id) FROM "
                                "registry_history"),
                     1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history "
                                "WHERE change_id IS NULL"),
                     0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes WHERE "
                                "kind = 'request'"),
                     1);
    list(f, &s, &hf);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.kind[0], REGISTRY_CHANGE_REQUEST);
    assert_int_equal(s.request[0], r.id);
    assert_string_equal(s.instance[0], "acme-prod");
    assert_string_equal(s.user[0], "Pat");
    assert_int_equal((int64_t)s.nrows[0], rows);
    assert_int_equal(s.total[0], rows);

    /* The same request to the other instance: a second change. */
    deploy(f, &r, "acme-qa");
    list(f, &s, &hf);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.instance[0], "acme-qa");
    assert_true(s.id[0] > s.id[1]);
    form_request_dispose(&r);
}

static void test_history_groups__import_is_one_change(void **state)
{
    ufx *f = *state;
    registry_history_filter hf = {0};
    registry_import_report rep = {0};
    errmsg err = {0};
    seen s;

    assert_int_equal(registry_import_csv_file(
                         f->reg, &rep, "acme-prod", dict, strlen(dict), f->pm,
                         "/home/pat/dictionaries/acme.csv", &err),
                     0);
    registry_import_report_dispose(&rep);
    list(f, &s, &hf);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.kind[0], REGISTRY_CHANGE_IMPORT);
    assert_string_equal(s.source[0], "acme.csv"); /* no local path */
    assert_string_equal(s.reason[0], "import");
    assert_true(s.nrows[0] >= 5);
    /* The same file again changes nothing: no change either. */
    assert_int_equal(registry_import_csv_file(f->reg, &rep, "acme-prod", dict,
                                              strlen(dict), f->pm, "acme.csv",
                                              &err),
                     0);
    registry_import_report_dispose(&rep);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes"), 1);
    /* Without a file name (registry_import_csv), into another instance. */
    ufx_import(f, "acme-qa", dict);
    list(f, &s, &hf);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.source[0], "");
    assert_int_equal(s.kind[0], REGISTRY_CHANGE_IMPORT);
}

static void test_history_groups__edit_is_one_change(void **state)
{
    ufx *f = *state;
    registry_history_filter hf = {0};
    const registry_field_value set[] = {{"campaign_note", "Hold all."},
                                        {"owner", "crm@acme.example"},
                                        {"late_after_minutes", "90"}};
    errmsg err = {0};
    int changed = 0;
    seen s;

    ufx_import(f, "acme-prod", dict);
    assert_int_equal(registry_table_edit(f->reg, "acme-prod", "customers", NULL,
                                         set, 3, f->pm, "  CRM took over ",
                                         &changed, &err),
                     0);
    assert_int_equal(changed, 3);
    list(f, &s, &hf);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.kind[0], REGISTRY_CHANGE_EDIT);
    assert_string_equal(s.reason[0], "CRM took over");
    assert_int_equal((int)s.nrows[0], 3);
    /* Nothing changed: no change written. */
    assert_int_equal(registry_table_edit(f->reg, "acme-prod", "customers", NULL,
                                         set, 3, f->pm, "again", &changed,
                                         &err),
                     0);
    assert_int_equal(changed, 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes"), 2);
    /* One field alone (registry_table_update_field): a change too. */
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes"), 2);
    assert_int_equal(registry_begin(f->reg, &err), 0);
    assert_int_equal(registry_table_update_field(f->reg, "acme-prod",
                                                 "customers", "email", "pii",
                                                 "yes", f->pm, "GDPR", &err),
                     1);
    assert_int_equal(registry_commit(f->reg, &err), 0);
    list(f, &s, &hf);
    assert_int_equal(s.n, 3);
    assert_int_equal((int)s.nrows[0], 1);
}

static void test_history_groups__filter_and_paging(void **state)
{
    ufx *f = *state;
    registry_history_filter hf = {0};
    const registry_field_value set[] = {{"rule", "Lower case."}};
    errmsg err = {0};
    seen s;

    ufx_import(f, "acme-prod", dict);
    ufx_import(f, "globex-prod", dict);
    assert_int_equal(registry_table_edit(f->reg, "acme-prod", "customers",
                                         "email", set, 1, f->pm, "why", NULL,
                                         &err),
                     0);
    /* One table: its changes, only its rows. */
    hf.instance = "acme-prod";
    hf.table = "PURCHASES";
    list(f, &s, &hf);
    assert_int_equal(s.n, 1);
    assert_true(s.nrows[0] >= 2 && (int64_t)s.nrows[0] == s.total[0]);
    assert_true(s.total[0] < ufx_int(f, "SELECT count(*) FROM "
                                        "registry_history h JOIN instances i "
                                        "ON i.id = h.instance_id WHERE "
                                        "i.name = 'acme-prod'"));
    /* One column. */
    hf.table = "customers";
    hf.column = "email";
    list(f, &s, &hf);
    assert_int_equal(s.n, 2);
    assert_int_equal((int)s.nrows[0], 1);
    /* An organisation sees its own. */
    memset(&hf, 0, sizeof hf);
    hf.org_id = f->org_b;
    list(f, &s, &hf);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.instance[0], "globex-prod");
    /* Pages of changes. */
    memset(&hf, 0, sizeof hf);
    hf.limit = 2;
    list(f, &s, &hf);
    assert_int_equal(s.n, 2);
    hf.before_id = s.id[1];
    list(f, &s, &hf);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.kind[0], REGISTRY_CHANGE_IMPORT);
    /* A time window. */
    memset(&hf, 0, sizeof hf);
    hf.from = 1;
    hf.to = 2;
    list(f, &s, &hf);
    assert_int_equal(s.n, 0);
}

static void test_history_groups__row_without_change_gets_one(void **state)
{
    ufx *f = *state;

    ufx_import(f, "acme-prod", dict);
    ufx_exec(f, "INSERT INTO registry_history(instance_id, table_name, field,"
                " old_value, new_value, reason, created_at) SELECT id,"
                " 'customers', 'owner', '', 'x', 'by hand', 5 FROM instances"
                " WHERE name = 'acme-prod'");
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history "
                                "WHERE change_id IS NULL"),
                     0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes WHERE "
                                "kind = 'edit' AND reason = 'by hand'"),
                     1);
}

static void test_history_groups__upgrade_groups_old_rows(void **state)
{
    char dir[256], path[300];
    sqlite3 *db;
    registry *reg = NULL;
    errmsg err = {0};
    char *msg = NULL;

    (void)state;
    ufx_tmpdir(dir, sizeof dir, "histupgrade");
    snprintf(path, sizeof path, "%s/docket.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (int v = 1; v <= 5; v++)
        if (sqlite3_exec(db, reg_schema_steps[v], NULL, NULL, &msg) !=
            SQLITE_OK)
            fail_msg("step %d: %s", v, msg);
    assert_int_equal(
        sqlite3_exec(
            db,
            "PRAGMA user_version = 5;"
            "INSERT INTO organisations(id, name, created_at)"
            " VALUES (1, 'acme', 1);"
            "INSERT INTO instances(id, org_id, name, created_at)"
            " VALUES (1, 1, 'acme-prod', 1);"
            "INSERT INTO users(id, email, name, role, created_at, updated_at)"
            " VALUES (1, 'pm@x.example', 'Pat', 'pm', 1, 1);"
            /* an import at 100: three rows */
            "INSERT INTO registry_history(id, instance_id, table_name, field,"
            " new_value, user_id, reason, created_at) VALUES"
            " (1, 1, 't', 'table', 'created', 1, 'import', 100),"
            " (2, 1, 't', 'owner', 'a', 1, 'import', 100),"
            " (3, 1, 't', 'source', 'json', 1, 'import', 100);"
            /* an edit at 200: two rows; another at 200 by nobody */
            "INSERT INTO registry_history(id, instance_id, table_name, field,"
            " old_value, new_value, user_id, reason, created_at) VALUES"
            " (4, 1, 't', 'owner', 'a', 'b', 1, 'moved', 200),"
            " (5, 1, 't', 'cadence', '', 'daily', 1, 'moved', 200),"
            " (6, 1, 't', 'runbook', '', 'x', NULL, 'note', 200);",
            NULL, NULL, &msg),
        SQLITE_OK);
    sqlite3_close(db);
    if (registry_open(&reg, path, 0, &err) < 0)
        fail_msg("registry_open: %s", err.msg);
    registry_close(reg);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    {
        sqlite3_stmt *st;
        const char *sql = "SELECT group_concat(id || ':' || coalesce(change_id,"
                          " 0), ' ') FROM registry_history";
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0),
                            "1:1 2:1 3:1 4:4 5:4 6:6");
        sqlite3_finalize(st);
        sql = "SELECT group_concat(id || ':' || kind, ' ') FROM"
              " registry_changes";
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0),
                            "1:import 4:edit 6:edit");
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    ufx_rmtree(dir);
}

/* ---- the card writer ---------------------------------------------------- */

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void collect_html(void *ctx, const registry_change *c)
{
    card_html_change_item(ctx, c);
}

static void test_history_groups__writer_one_entry_with_labels(void **state)
{
    ufx *f = *state;
    registry_history_filter hf = {0};
    const registry_field_value set[] = {
        {"campaign_note", "<script>alert(1)</script>"},
        {"owner", "crm@acme.example"},
        {"late_after_minutes", "90"}};
    const registry_field_value col[] = {{"rule", "Lower case."}};
    buf o = {0};
    card_html_list hl = {&o, 0, 0, 1};
    registry_card card = {0};
    form_request r;
    errmsg err = {0};
    const char *s;

    ufx_import(f, "acme-prod", dict);
    ufx_parse(&r, new_table_json);
    ufx_store(f, &r, 0, NULL);
    deploy(f, &r, "acme-prod");
    assert_int_equal(registry_table_edit(f->reg, "acme-prod", "customers", NULL,
                                         set, 3, f->pm, "CRM took over", NULL,
                                         &err),
                     0);
    assert_int_equal(registry_table_edit(f->reg, "acme-prod", "customers",
                                         "email", col, 1, f->pm, "tidy", NULL,
                                         &err),
                     0);
    assert_int_equal(registry_change_list(f->reg, &hf, collect_html, &hl, &err),
                     0);
    s = buf_cstr(&o);
    assert_int_equal(hl.n, 4);
    assert_int_equal(count(s, "<li class=\"change\""), 4);
    assert_int_equal(count(s, "<details>"), 4);
    assert_non_null(strstr(s, "new table <a href=\"/tables/acme-prod/"
                              "loyalty_members\">loyalty_members</a> with 3 "
                              "columns"));
    assert_non_null(strstr(s, "3 fields of <a href=\"/tables/acme-prod/"
                              "customers\">customers</a> changed: Campaign "
                              "note, Owner, Late after (minutes)"));
    assert_non_null(strstr(s, "1 field of <a href=\"/tables/acme-prod/"
                              "customers\">customers</a> changed: Rule of "
                              "email"));
    assert_non_null(strstr(s, "2 new tables with 3 columns"));
    assert_non_null(strstr(s, "Late after (minutes)"));
    assert_null(strstr(s, "late_after_minutes"));
    assert_null(strstr(s, "<script>"));
    assert_non_null(strstr(s, "&lt;script&gt;"));
    /* Values in words: a flag is yes/no, a source its label. */
    assert_non_null(strstr(s, "Flat file (CSV)"));
    assert_null(strstr(s, "flat_file_csv"));
    {
        char link[64];
        snprintf(link, sizeof link, "<a href=\"/requests/%lld\">CR-%lld</a>",
                 (long long)r.id, (long long)r.id);
        assert_non_null(strstr(s, link));
    }
    buf_dispose(&o);

    /* The rules card: the same grouping, for its own table. */
    assert_int_equal(
        registry_table_card(f->reg, &card, "acme-prod", "customers", 0, &err),
        0);
    assert_true(card.nhistory >= 6);
    card_write(&o, &card, CARD_HTML, NULL);
    s = strstr(buf_cstr(&o), "<h2>History</h2>");
    assert_non_null(s);
    assert_int_equal(count(s, "<li class=\"change\""), 3);
    assert_non_null(strstr(s, "Late after (minutes)"));
    buf_reset(&o);
    card_write(&o, &card, CARD_HTML_EXPORT, NULL);
    s = strstr(buf_cstr(&o), "<h2>History</h2>");
    assert_non_null(s);
    assert_int_equal(count(s, "<li class=\"change\""), 3);
    assert_int_equal(count(s, "<details>"), 3);
    /* "Last change" says what the whole newest change did. */
    buf_reset(&o);
    card_write(&o, &card, CARD_TERMINAL, NULL);
    assert_non_null(strstr(buf_cstr(&o), " tidy (1 field of customers "
                                         "changed: Rule of email)\n"));
    buf_reset(&o);
    card_write(&o, &card, CARD_HTML, NULL);
    assert_non_null(strstr(buf_cstr(&o), "tidy: 1 field of customers "
                                         "changed: Rule of email</dd>"));
    buf_reset(&o);
    card_write(&o, &card, CARD_MARKDOWN, NULL);
    s = strstr(buf_cstr(&o), "## History");
    assert_non_null(s);
    /* One top-level bullet per change, its fields indented below. */
    assert_int_equal(count(s, "\n- "), 3);
    assert_non_null(strstr(s, "3 fields of customers changed: Campaign note, "
                              "Owner, Late after \\(minutes\\)") ||
                    strstr(s, "3 fields of customers changed: Campaign note, "
                              "Owner, Late after (minutes)"));
    assert_non_null(strstr(s, "\n  - "));
    assert_null(strstr(s, "late\\_after\\_minutes"));
    registry_card_free(&card);
    buf_dispose(&o);
    form_request_dispose(&r);
}

/* A group built by hand: a table's sentences name it once; the runbook
 * is Markdown without raw HTML; a retired column; words for values. */
static void test_history_groups__writer_wording(void **state)
{
    const card_change_view rows[] = {
        {"t", "tier", "column", NULL, "string(20)", 7, "Pat", "CR-7", NULL,
         NULL},
        {"t", "email", "rule", "", "Lower case.", 7, "Pat", "CR-7", NULL, NULL},
        {"t", "fax", "status", "active", "retired", 7, "Pat", "CR-7", NULL,
         NULL},
        {"t", "", "runbook", "", "**Do not** <b>x</b>", 7, "Pat", "CR-7", NULL,
         NULL},
        {"t", "", "consent_relevant", "0", "1", 7, "Pat", "CR-7", NULL, NULL},
        {"t", "", "campaign_dependency", "", "required", 7, "Pat", "CR-7", NULL,
         NULL}};
    card_group g = {42,
                    REGISTRY_CHANGE_REQUEST,
                    "2026-12-01T10:00Z",
                    "acme-prod",
                    "customers",
                    7,
                    "Loyalty <tier>",
                    "Pat",
                    "CR-7",
                    "",
                    rows,
                    sizeof rows / sizeof *rows,
                    6};
    card_html_links links = {NULL, 1, NULL};
    buf o = {0};
    const char *s;

    (void)state;
    card_html_group(&o, &g, &links);
    s = buf_cstr(&o);
    assert_non_null(strstr(s, "<li class=\"change\" id=\"change-42\">"));
    assert_non_null(strstr(s, "<strong>column tier added to customers; "
                              "column fax retired; 4 fields changed: Rule of "
                              "email, Runbook note, Consent-relevant, "
                              "Campaigns and this data</strong>"));
    assert_non_null(strstr(s, "Deployed <a href=\"/requests/7\">CR-7</a> "
                              "“Loyalty &lt;tier&gt;” to acme-prod by Pat"));
    assert_non_null(strstr(s, "<strong>Do not</strong>"));
    assert_null(strstr(s, "<b>x</b>"));
    assert_non_null(strstr(s, "<del>no</del> → <ins>yes</ins>"));
    assert_non_null(strstr(s, "<ins>REQUIRED</ins>"));
    assert_non_null(strstr(s, "<details><summary>6 field changes</summary>"));
    buf_reset(&o);
    card_md_group(&o, &g);
    s = buf_cstr(&o);
    assert_non_null(strstr(s, "**column tier added to customers; column fax "
                              "retired; 4 fields changed: "));
    assert_non_null(strstr(s, "Deployed CR-7 “Loyalty \\<tier\\>” to "
                              "acme-prod by Pat\n"));
    assert_non_null(strstr(s, "\n  - `email` Rule: (empty) → Lower case.\n"));
    buf_dispose(&o);
}

/* A card from JSON (docket lookup --url) groups as the one from SQLite. */
static void test_history_groups__card_json_keeps_change(void **state)
{
    ufx *f = *state;
    registry_card card = {0}, back = {0};
    errmsg err = {0};
    cJSON *j;

    ufx_import(f, "acme-prod", dict);
    assert_int_equal(
        registry_table_card(f->reg, &card, "acme-prod", "customers", 0, &err),
        0);
    j = registry_card_json(&card);
    ufx_json_int(j, "history.0.change", card.history[0].change_id);
    ufx_json_str(j, "history.0.change_kind", "import");
    ufx_json_str(j, "history.0.field", card.history[0].field);
    assert_int_equal(card_from_json(&back, j), 0);
    assert_int_equal(back.history[0].change_id, card.history[0].change_id);
    assert_int_equal(back.history[0].change_kind, REGISTRY_CHANGE_IMPORT);
    cJSON_Delete(j);
    registry_card_free(&back);
    registry_card_free(&card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_history_groups__deploy_is_one_change, setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(
            test_history_groups__import_is_one_change, setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(test_history_groups__edit_is_one_change,
                                        setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(test_history_groups__filter_and_paging,
                                        setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(
            test_history_groups__row_without_change_gets_one, setup,
            ufx_teardown),
        cmocka_unit_test(test_history_groups__upgrade_groups_old_rows),
        cmocka_unit_test_setup_teardown(
            test_history_groups__writer_one_entry_with_labels, setup,
            ufx_teardown),
        cmocka_unit_test(test_history_groups__writer_wording),
        cmocka_unit_test_setup_teardown(
            test_history_groups__card_json_keeps_change, setup, ufx_teardown),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
