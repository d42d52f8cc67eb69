/* test_catalog.c: domain/catalog.c, who may edit and import the registry:
 * ops change the runbook but not the owner; a client of one organisation
 * cannot touch another's table and the answer names nothing of it; a
 * rejected edit writes nothing (no field, no history, no audit row); PMs
 * edit tables and columns; imports by PMs and the console only. */
#include "../registry/card_fixture.h"
#include "catalog_cases.h"

#include <stdio.h>
#include <stdlib.h>

static domain_actor actor(ufx *f, int64_t user_id, registry_user *u)
{
    errmsg err = {0};

    if (registry_user_get(f->reg, u, user_id, &err) < 0)
        fail_msg("user %lld: %s", (long long)user_id, err.msg);
    return domain_actor_of(u);
}

/* The table's owner and runbook, and the numbers of history and audit
 * rows: what a rejected edit must leave as it was. */
static char *snapshot(ufx *f)
{
    char *owner = ufx_text(f, "SELECT owner || '|' || runbook || '|' ||"
                              " expected_arrival FROM reg_tables WHERE"
                              " name = 'loyalty_members'");
    size_t size = strlen(owner) + 64;
    char *out = malloc(size);

    snprintf(out, size, "%s|%lld|%lld", owner,
             (long long)ufx_int(f, "SELECT count(*) FROM registry_history"),
             (long long)ufx_int(f, "SELECT count(*) FROM audit_log"));
    free(owner);
    return out;
}

static int edit(ufx *f, int64_t user_id, const char *inst, const char *table,
                const registry_field_value *set, size_t n, int *changed,
                errmsg *err)
{
    registry_user u;
    domain_actor a = actor(f, user_id, &u);
    domain_catalog_edit_in in = {inst, table,         NULL,       set,
                                 n,    "3 a.m. call", "127.0.0.1"};

    return domain_catalog_edit(f->reg, &a, &in, changed, err);
}

static void test_catalog__ops_runbook_not_owner(void **state)
{
    ufx *f = *state;
    const registry_field_value runbook[] = {{"runbook", "Page Kim, then Lee."}};
    const registry_field_value owner[] = {{"owner", "ops@platform.example"}};
    const registry_field_value both[] = {{"runbook", "Page nobody."},
                                         {"owner", "ops@platform.example"}};
    errmsg err = {0};
    char *before;
    int changed = -1;

    assert_int_equal(edit(f, f->ops, "acme-prod", "loyalty_members", runbook, 1,
                          &changed, &err),
                     0);
    assert_int_equal(changed, 1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history WHERE"
                                " field = 'runbook' AND reason = '3 a.m. call'"
                                " AND new_value = 'Page Kim, then Lee.'"),
                     1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM audit_log WHERE"
                                " action = 'registry.edit'"),
                     1);
    before = snapshot(f);
    assert_int_equal(edit(f, f->ops, "acme-prod", "loyalty_members", owner, 1,
                          &changed, &err),
                     ERR_FORBIDDEN);
    assert_string_equal(err.msg, "Ops may edit the runbook note only.");
    /* A runbook beside a forbidden field: not even the runbook. */
    err_clear(&err);
    assert_int_equal(edit(f, f->ops, "acme-prod", "loyalty_members", both, 2,
                          &changed, &err),
                     ERR_FORBIDDEN);
    {
        char *after = snapshot(f);
        assert_string_equal(after, before);
        free(after);
    }
    free(before);
}

static void test_catalog__client_cannot_touch_other_org(void **state)
{
    ufx *f = *state;
    const registry_field_value set[] = {{"owner", "ann@acme.example"}};
    errmsg other = {0}, missing = {0}, own = {0};
    char *margin_before =
        ufx_text(f, "SELECT group_concat(owner) FROM reg_tables");
    char *margin_after;

    assert_int_equal(edit(f, f->client_a, "globex-prod", "secret_orders", set,
                          1, NULL, &other),
                     ERR_NOTFOUND);
    assert_int_equal(edit(f, f->client_a, "globex-prod", "no_such_table", set,
                          1, NULL, &missing),
                     ERR_NOTFOUND);
    /* The same answer as for a table that does not exist, naming none of
       globex's columns. */
    assert_string_equal(other.msg,
                        "no table secret_orders in instance globex-prod");
    assert_string_equal(missing.msg,
                        "no table no_such_table in instance globex-prod");
    assert_null(strstr(other.msg, "hidden_margin"));
    assert_null(strstr(other.msg, "supplier_code"));
    /* A client's own table is theirs to read, not to edit. */
    assert_int_equal(edit(f, f->client_a, "acme-prod", "loyalty_members", set,
                          1, NULL, &own),
                     ERR_FORBIDDEN);
    margin_after = ufx_text(f, "SELECT group_concat(owner) FROM reg_tables");
    assert_string_equal(margin_after, margin_before);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM audit_log WHERE"
                                " action = 'registry.edit'"),
                     0);
    free(margin_before);
    free(margin_after);
}

static void test_catalog__rejected_edit_writes_nothing(void **state)
{
    ufx *f = *state;
    const registry_field_value bad[] = {{"owner", "someone@acme.example"},
                                        {"expected_arrival", "25:00"}};
    const registry_field_value unknown[] = {{"colour", "red"}};
    const registry_field_value good[] = {{"owner", "someone@acme.example"}};
    registry_user u;
    domain_actor pm = actor(f, f->pm, &u);
    domain_catalog_edit_in no_reason = {
        "acme-prod", "loyalty_members", NULL, good, 1, "  ", NULL};
    errmsg err = {0};
    char *before = snapshot(f), *after;
    int changed = -1;

    assert_int_equal(
        edit(f, f->pm, "acme-prod", "loyalty_members", bad, 2, NULL, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "expected_arrival");
    err_clear(&err);
    assert_int_equal(
        edit(f, f->pm, "acme-prod", "loyalty_members", unknown, 1, NULL, &err),
        ERR_INVALID);
    err_clear(&err);
    assert_int_equal(domain_catalog_edit(f->reg, &pm, &no_reason, NULL, &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "reason");
    after = snapshot(f);
    assert_string_equal(after, before);
    free(after);
    /* The same edit, valid, goes through; again it changes nothing. */
    err_clear(&err);
    assert_int_equal(
        edit(f, f->pm, "acme-prod", "loyalty_members", good, 1, &changed, &err),
        0);
    assert_int_equal(changed, 1);
    assert_int_equal(
        edit(f, f->pm, "acme-prod", "loyalty_members", good, 1, &changed, &err),
        0);
    assert_int_equal(changed, 0);
    free(before);
}

static void test_catalog__pm_edits_a_column(void **state)
{
    ufx *f = *state;
    const registry_field_value set[] = {{"type", "string(40)"}, {"pii", "yes"}};
    registry_user u;
    domain_actor pm = actor(f, f->pm, &u), ops = actor(f, f->ops, &u);
    domain_catalog_edit_in in = {
        "acme-prod", "loyalty_members", "member_id", set, 2, "widen", "local"};
    errmsg err = {0};
    int changed = 0;

    assert_int_equal(domain_catalog_edit(f->reg, &ops, &in, NULL, &err),
                     ERR_FORBIDDEN);
    err_clear(&err);
    assert_int_equal(domain_catalog_edit(f->reg, &pm, &in, &changed, &err), 0);
    assert_int_equal(changed, 2);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_columns WHERE"
                                " name = 'member_id' AND type = 'string(40)'"
                                " AND pii = 1"),
                     1);
}

static void test_catalog__import_by_pm_and_console_only(void **state)
{
    ufx *f = *state;
    static const char csv[] = "table,column,type\nnew_feed,id,bigint\n";
    registry_import_report rep = {0};
    registry_user u;
    domain_actor console = {0};
    domain_actor ops = actor(f, f->ops, &u);
    domain_actor ann = actor(f, f->client_a, &u);
    domain_actor pm = actor(f, f->pm, &u);
    errmsg err = {0};

    assert_int_equal(domain_catalog_import(f->reg, &ops, &rep, "acme-prod", csv,
                                           sizeof csv - 1, "f.csv", "local",
                                           &err),
                     ERR_FORBIDDEN);
    err_clear(&err);
    assert_int_equal(domain_catalog_import(f->reg, &ann, &rep, "acme-prod", csv,
                                           sizeof csv - 1, "f.csv", "local",
                                           &err),
                     ERR_FORBIDDEN);
    assert_int_equal(
        ufx_int(f, "SELECT count(*) FROM reg_tables WHERE name = 'new_feed'"),
        0);
    err_clear(&err);
    assert_int_equal(domain_catalog_import(f->reg, &console, &rep, "nowhere",
                                           csv, sizeof csv - 1, "f.csv",
                                           "local", &err),
                     ERR_NOTFOUND);
    err_clear(&err);
    assert_int_equal(domain_catalog_import(f->reg, &pm, &rep, "globex-prod",
                                           csv, sizeof csv - 1, "f.csv",
                                           "local", &err),
                     0);
    registry_import_report_dispose(&rep);
    assert_int_equal(domain_catalog_import(f->reg, &console, &rep, "acme-prod",
                                           csv, sizeof csv - 1, "f.csv",
                                           "local", &err),
                     0);
    registry_import_report_dispose(&rep);
    assert_int_equal(
        ufx_int(f, "SELECT count(*) FROM reg_tables WHERE name = 'new_feed'"),
        2);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM audit_log WHERE"
                                " action = 'registry.import'"),
                     2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_catalog__ops_runbook_not_owner,
                                        cfx_setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(
            test_catalog__client_cannot_touch_other_org, cfx_setup,
            ufx_teardown),
        cmocka_unit_test_setup_teardown(
            test_catalog__rejected_edit_writes_nothing, cfx_setup,
            ufx_teardown),
        cmocka_unit_test_setup_teardown(test_catalog__pm_edits_a_column,
                                        cfx_setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(
            test_catalog__import_by_pm_and_console_only, cfx_setup,
            ufx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
