/* test_catalog_edit.c: POST /tables/{instance}/{table}/edit against the
 * real server: ops may set the runbook note only (403 with its message,
 * nothing written, also when the runbook comes along), a missing table
 * answers 404 with the page's wording, a bad value is refused with
 * nothing written, a PM's edit lands in the card and its history in one
 * go, and an edit that changes nothing leaves no history. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char dict[] =
    "table,column,type,nullable,description,campaign_dependency,owner,"
    "runbook\n"
    "customers,customer_id,bigint,no,Customer number,required,"
    "crm@acme.example,Check the drop folder.\n";

typedef struct world {
    h_server s;
    h_session pm, ops;
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);

    assert_non_null(w);
    h_server_start(&w->s, NULL);
    h_world(&w->s, "acme acme-prod");
    h_import(&w->s, "acme-prod", dict);
    h_world(&w->s, "pat+ oz+", &w->pm, &w->ops);
    *state = w;
    return 0;
}

/* The table's JSON as the PM reads it. */
static void table_json(h_resp *r, world *w)
{
    h_get(r, &w->s, &w->pm, "/api/v1/instances/acme-prod/tables/customers");
    assert_int_equal(r->status, 200);
}

static void test_catalog_edit__ops_runbook_only(void **state)
{
    world *w = *state;
    h_resp r;

    /* another field, even together with the runbook: refused, nothing
       written */
    h_post_form(&r, &w->s, &w->ops, "/tables/acme-prod/customers/edit",
                "runbook=Call+first.&owner=mallory%40evil.example&reason=x");
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "Ops may edit the runbook note only."));
    h_resp_free(&r);
    table_json(&r, w);
    assert_non_null(strstr(r.body, "crm@acme.example"));
    assert_null(strstr(r.body, "mallory"));
    assert_null(strstr(r.body, "Call first."));
    h_resp_free(&r);
    /* the runbook alone: saved */
    h_post_form(&r, &w->s, &w->ops, "/tables/acme-prod/customers/edit",
                "runbook=Call+first.&reason=night+shift");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    table_json(&r, w);
    assert_non_null(strstr(r.body, "Call first."));
    assert_non_null(strstr(r.body, "night shift"));
    h_resp_free(&r);
}

static void test_catalog_edit__missing_table(void **state)
{
    world *w = *state;
    h_resp r;

    h_post_form(&r, &w->s, &w->pm, "/tables/acme-prod/nothing/edit",
                "owner=x%40y.example&reason=r");
    assert_int_equal(r.status, 404);
    assert_non_null(
        strstr(r.body, "There is no table nothing in instance acme-prod."));
    h_resp_free(&r);
    h_post_form(&r, &w->s, &w->pm, "/tables/nowhere/customers/edit",
                "owner=x%40y.example&reason=r");
    assert_int_equal(r.status, 404);
    assert_non_null(
        strstr(r.body, "There is no table customers in instance nowhere."));
    h_resp_free(&r);
}

static void test_catalog_edit__bad_value_writes_nothing(void **state)
{
    world *w = *state;
    h_resp r;

    /* a good field first, then a bad one: all or nothing */
    h_post_form(&r, &w->s, &w->pm, "/tables/acme-prod/customers/edit",
                "campaign_dependency=optional&expected_arrival=25%3A99"
                "&reason=r");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    table_json(&r, w);
    assert_non_null(strstr(r.body, "\"campaign_dependency\":\"required\""));
    h_resp_free(&r);
}

static void test_catalog_edit__pm_saves_and_history(void **state)
{
    world *w = *state;
    h_resp r;

    h_post_form(&r, &w->s, &w->pm, "/tables/acme-prod/customers/edit",
                "campaign_dependency=optional&owner=data%40acme.example"
                "&reason=moved+to+the+afternoon");
    assert_int_equal(r.status, 303);
    assert_non_null(strstr(r.headers, "/tables/acme-prod/customers\r\n"));
    assert_non_null(strstr(r.headers, "docket_flash="));
    h_resp_free(&r);
    h_get_expect(&w->s, &w->pm, "/tables/acme-prod/customers", 200,
                 "OPTIONAL</strong>: campaigns may run",
                 "reason: moved to the afternoon", NULL);
    /* the same values again: nothing changes */
    h_post_form(&r, &w->s, &w->pm, "/tables/acme-prod/customers/edit",
                "campaign_dependency=optional&reason=again");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    table_json(&r, w);
    assert_null(strstr(r.body, "again"));
    h_resp_free(&r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_catalog_edit__ops_runbook_only),
    cmocka_unit_test(test_catalog_edit__missing_table),
    cmocka_unit_test(test_catalog_edit__bad_value_writes_nothing),
    cmocka_unit_test(test_catalog_edit__pm_saves_and_history),
};

int main(void)
{
    return cmocka_run_group_tests(tests, setup, h_test_down);
}
