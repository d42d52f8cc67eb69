/* test_lookup_suggest.c: GET /api/v1/lookup answers close names while a
 * person types a misspelling: when no name starts with or contains the
 * query, the answer holds the names within a few edits of it (or of as
 * much of a name as has been typed), each marked "similar": true, without
 * the similar=1 parameter; a query far from every name answers nothing,
 * and a client sees only its own organisation's names. /lookup shows the
 * place where the script writes "Did you mean". */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char dict[] = "table,column,type\n"
                           "customers,customer_id,bigint\n"
                           "customer_scores,customer_id,bigint\n"
                           "loyalty_members,member_id,bigint\n"
                           "orders,order_id,bigint\n";

static const char other[] = "table,column,type\n"
                            "custodians,id,bigint\n";

typedef struct world {
    h_server s;
    h_session ops, acme;
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);

    assert_non_null(w);
    h_server_start(&w->s, NULL);
    h_world(&w->s, "acme globex acme-prod globex-prod");
    h_import(&w->s, "acme-prod", dict);
    h_import(&w->s, "globex-prod", other);
    h_world(&w->s, "oz+ ann+", &w->ops, &w->acme);
    *state = w;
    return 0;
}

/* The answer to GET path as JSON (an array), status 200. */
static cJSON *lookup(world *w, h_session *who, const char *path)
{
    h_resp r;
    cJSON *a;

    h_get(&r, &w->s, who, path);
    assert_int_equal(r.status, 200);
    a = cJSON_Parse(r.body);
    h_resp_free(&r);
    assert_true(cJSON_IsArray(a));
    return a;
}

/* 1 when the answer names table, marked similar as want. */
static int names(const cJSON *a, const char *table, int similar)
{
    const cJSON *h;

    cJSON_ArrayForEach(h, a)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(h, "table");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(h, "similar");
        if (cJSON_IsString(t) && !strcmp(t->valuestring, table) &&
            !!cJSON_IsTrue(s) == !!similar)
            return 1;
    }
    return 0;
}

static void test_lookup_suggest__misspelling_answers_close_names(void **state)
{
    world *w = *state;
    cJSON *a;

    /* The whole name misspelt. */
    a = lookup(w, &w->ops, "/api/v1/lookup?q=custmers");
    assert_true(names(a, "customers", 1));
    assert_false(names(a, "orders", 1));
    cJSON_Delete(a);
    /* Half typed, with a typo: close to the start of a name. */
    a = lookup(w, &w->ops, "/api/v1/lookup?q=loyatly");
    assert_true(names(a, "loyalty_members", 1));
    cJSON_Delete(a);
    /* A match is a match, not a suggestion. */
    a = lookup(w, &w->ops, "/api/v1/lookup?q=cust");
    assert_true(names(a, "customers", 0));
    assert_false(names(a, "customers", 1));
    cJSON_Delete(a);
    /* Nothing close: nothing. */
    a = lookup(w, &w->ops, "/api/v1/lookup?q=zqxjvw");
    assert_int_equal(cJSON_GetArraySize(a), 0);
    cJSON_Delete(a);
    /* Two letters match too much by spelling: no suggestion. */
    a = lookup(w, &w->ops, "/api/v1/lookup?q=zr");
    assert_int_equal(cJSON_GetArraySize(a), 0);
    cJSON_Delete(a);
}

static void test_lookup_suggest__client_sees_only_its_names(void **state)
{
    world *w = *state;
    cJSON *a = lookup(w, &w->acme, "/api/v1/lookup?q=custdians");

    assert_false(names(a, "custodians", 1));
    assert_false(names(a, "custodians", 0));
    cJSON_Delete(a);
    a = lookup(w, &w->ops, "/api/v1/lookup?q=custdians");
    assert_true(names(a, "custodians", 1));
    cJSON_Delete(a);
}

static void test_lookup_suggest__page_has_a_place_for_them(void **state)
{
    world *w = *state;

    h_get_expect(&w->s, &w->ops, "/lookup", 200, "id=\"lookup-status\"",
                 "aria-live=\"polite\"", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_suggest__misspelling_answers_close_names),
        cmocka_unit_test(test_lookup_suggest__client_sees_only_its_names),
        cmocka_unit_test(test_lookup_suggest__page_has_a_place_for_them),
    };
    return cmocka_run_group_tests(tests, setup, h_test_down);
}
