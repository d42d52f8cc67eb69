/* test_catalog.c: the registry over HTTP against the real server: rules
 * card and table JSON, `docket lookup --json` equal to the API byte for
 * byte (local and remote with a token), the cache shows a rules change on
 * the very next request, edits need a reason and ops may only touch the
 * runbook, a client never sees another organisation's tables (404 like a
 * missing one, nothing in search or lookup), the Atom feed. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char dict[] =
    "table,column,type,nullable,primary_key,description,pii,consent,"
    "consent_channel,campaign_dependency,campaign_note,expected_arrival,"
    "late_after_minutes,source,owner,escalation,table_description,runbook\n"
    "customers,customer_id,bigint,no,yes,Customer number,,,,required,"
    "Hold all sends.,05:00,120,flat_file_csv,crm@acme.example,"
    "+44 1 (on-call),People,\"Check the <b>drop</b> folder.\"\n"
    "customers,email,string(255),yes,,E-mail,yes,,,,,,,,,,,\n"
    "customer_scores,customer_id,bigint,no,yes,Customer,,,,optional,,,,,,,"
    "Scores,\n"
    "consents,email_opt_in,boolean,no,,Opt-in,,yes,email,required,,04:30,"
    "60,,,,,\n";

typedef struct world {
    h_server s;
    h_session pm, ops, acme, globex;
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);

    assert_non_null(w);
    h_server_start(&w->s, NULL);
    h_world(&w->s, "acme globex acme-prod globex-prod");
    h_import(&w->s, "acme-prod", dict);
    h_import(&w->s, "globex-prod", dict);
    h_world(&w->s, "pat+ oz+ ann+ bob+", &w->pm, &w->ops, &w->acme, &w->globex);
    *state = w;
    return 0;
}

static void test_catalog__card_and_json_equal_cli(void **state)
{
    world *w = *state;
    h_resp r;
    char *out = NULL;
    char token[200] = "";
    int rc;

    h_get(&r, &w->s, &w->pm, "/tables/acme-prod/customers");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "REQUIRED</strong>: hold campaigns"));
    assert_non_null(strstr(r.body, "05:00 UTC, missing after 07:00"));
    assert_non_null(strstr(r.body, "+44 1 (on-call)"));
    /* Markdown in safe mode: the raw <b> never reaches the page. */
    assert_null(strstr(r.body, "<b>drop</b>"));
    /* The edit form carries this session's CSRF token. */
    assert_non_null(strstr(r.body, w->pm.csrf));
    assert_null(strstr(r.body, "<!--csrf-->"));
    h_resp_free(&r);

    h_get(&r, &w->s, &w->pm, "/api/v1/instances/acme-prod/tables/customers");
    assert_int_equal(r.status, 200);
    rc = h_docket(&w->s, NULL, &out, "lookup", "customers", "--instance",
                  "acme-prod", "--json", NULL);
    assert_int_equal(rc, 0);
    assert_string_equal(out, r.body);
    free(out);
    /* Remote, with a token. */
    h_token(&w->s, "oz@platform.example", "cli", token, sizeof token);
    rc = h_docket(&w->s, NULL, &out, "lookup", "CUSTOMERS", "--instance",
                  "acme-prod", "--json", "--url", w->s.url, "--token", token,
                  NULL);
    assert_int_equal(rc, 0);
    assert_string_equal(out, r.body);
    free(out);
    rc = h_docket(&w->s, NULL, &out, "lookup", "custmers", "--url", w->s.url,
                  "--token", token, NULL);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "did you mean"));
    free(out);
    rc = h_docket(&w->s, NULL, &out, "lookup", "customers", "--url", w->s.url,
                  "--token", "dkt_wrong", NULL);
    assert_int_equal(rc, 2);
    free(out);
    h_resp_free(&r);
}

static void test_catalog__cache_sees_change_next_request(void **state)
{
    world *w = *state;
    h_resp r;
    int64_t hist;

    /* Fill the caches (JSON and card), twice to be sure. */
    for (int i = 0; i < 2; i++) {
        h_get(&r, &w->s, &w->pm,
              "/api/v1/instances/acme-prod/tables/customers");
        assert_non_null(strstr(r.body, "\"campaign_dependency\":"
                                       "\"required\""));
        h_resp_free(&r);
        h_get_expect(&w->s, &w->ops, "/tables/acme-prod/customers", 200, NULL);
    }
    hist = h_db_int(&w->s, "SELECT count(*) FROM registry_history");
    /* No reason: refused, nothing written. */
    {
        char *before = h_db_digest(&w->s);
        h_post_form(&r, &w->s, &w->pm, "/tables/acme-prod/customers/edit",
                    "campaign_dependency=optional&reason=");
        assert_int_equal(r.status, 422);
        h_resp_free(&r);
        h_unchanged(&w->s, before, NULL);
        free(before);
    }
    /* Ops may not change the dependency... */
    h_post_form(&r, &w->s, &w->ops, "/tables/acme-prod/customers/edit",
                "campaign_dependency=optional&reason=test");
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    /* ...the PM may, and the very next request shows it. */
    h_post_form(&r, &w->s, &w->pm, "/tables/acme-prod/customers/edit",
                "campaign_dependency=optional&expected_arrival=06:15&reason="
                "file+moved+to+the+afternoon+batch");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    assert_int_equal(h_db_int(&w->s, "SELECT count(*) FROM registry_history"),
                     hist + 2);
    h_get(&r, &w->s, &w->pm, "/api/v1/instances/acme-prod/tables/customers");
    assert_non_null(strstr(r.body, "\"campaign_dependency\":\"optional\""));
    assert_non_null(strstr(r.body, "\"expected_arrival\":\"06:15\""));
    assert_non_null(strstr(r.body, "file moved to the afternoon batch"));
    h_resp_free(&r);
    h_get(&r, &w->s, &w->ops, "/tables/acme-prod/customers");
    assert_non_null(strstr(r.body, "OPTIONAL</strong>"));
    assert_non_null(strstr(r.body, "06:15 UTC"));
    h_resp_free(&r);
    /* Ops edits the runbook note. */
    h_post_form(&r, &w->s, &w->ops, "/tables/acme-prod/customers/edit",
                "runbook=Call+%2A%2ACRM%2A%2A+first.&reason=night+shift");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    h_get(&r, &w->s, &w->ops, "/tables/acme-prod/customers");
    assert_non_null(strstr(r.body, "<strong>CRM</strong>"));
    h_resp_free(&r);
}

static void test_catalog__tenant_isolation(void **state)
{
    world *w = *state;
    h_resp r, missing;

    h_get_expect(&w->s, &w->acme, "/tables/acme-prod/customers", 200,
                 "!Edit rules", NULL);
    /* Another organisation's table answers exactly like a missing one. */
    h_get_expect(&w->s, &w->globex, "/tables/acme-prod/customers", 404,
                 "There is no table customers in instance acme-prod.", NULL);
    h_get(&r, &w->s, &w->globex,
          "/api/v1/instances/acme-prod/tables/customers");
    h_get(&missing, &w->s, &w->pm,
          "/api/v1/instances/acme-prod/tables/nothing");
    assert_int_equal(r.status, 404);
    assert_int_equal(missing.status, 404);
    assert_non_null(strstr(r.body, "\"status\":404"));
    h_resp_free(&r);
    h_resp_free(&missing);
    h_get_expect(&w->s, &w->globex, "/api/v1/instances/acme-prod/tables", 404,
                 NULL);
    h_get_expect(&w->s, &w->globex, "/tables/acme-prod/customers/columns/email",
                 404, NULL);
    h_post_form(&r, &w->s, &w->globex, "/tables/acme-prod/customers/edit",
                "runbook=x&reason=y");
    /* clients may not edit the registry at all: the role table's 403,
       whichever instance is named */
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    /* Search, lookup and lists show only the client's organisation. */
    h_get_expect(&w->s, &w->globex, "/api/v1/search?q=cust", 200, "globex-prod",
                 "!acme-prod", NULL);
    h_get(&r, &w->s, &w->globex, "/api/v1/lookup?q=c");
    assert_null(strstr(r.body, "acme-prod"));
    assert_non_null(strstr(r.body, "globex-prod"));
    h_resp_free(&r);
    h_get(&r, &w->s, &w->globex, "/tables");
    assert_null(strstr(r.body, "acme-prod"));
    h_resp_free(&r);
    h_get(&r, &w->s, &w->globex, "/changes");
    assert_null(strstr(r.body, "acme-prod"));
    h_resp_free(&r);
    h_get_expect(&w->s, &w->globex, "/changes?instance=acme-prod", 404, NULL);
    h_get(&r, &w->s, &w->pm, "/api/v1/search?q=cust");
    assert_non_null(strstr(r.body, "acme-prod"));
    assert_non_null(strstr(r.body, "globex-prod"));
    h_resp_free(&r);
}

static void test_catalog__search_lookup_changes(void **state)
{
    world *w = *state;
    h_resp r;
    char loc[300];

    /* Exact name first, highlighted and escaped. */
    h_get_expect(&w->s, &w->pm, "/search?q=customers", 200,
                 "<mark>customers</mark>", NULL);
    h_get_expect(&w->s, &w->pm, "/search?q=%22%3Cscript%3E%20OR%20*", 200,
                 "!<script>", NULL);
    /* One match: straight to its rules card. */
    h_get(&r, &w->s, &w->acme, "/lookup?q=consen");
    assert_int_equal(r.status, 303);
    assert_true(h_resp_header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, "/tables/acme-prod/consents");
    h_resp_free(&r);
    h_get_expect(&w->s, &w->pm, "/lookup", 200, "autofocus", "lookup.js", NULL);
    h_get_expect(&w->s, &w->pm, "/api/v1/lookup?q=CUST&instance=acme-prod", 200,
                 "\"url\":\"/tables/acme-prod/customers\"", NULL);
    h_get_expect(&w->s, &w->pm, "/changes?instance=acme-prod&from=2000-01-01",
                 200, "table created", NULL);
    h_get(&r, &w->s, &w->pm, "/changes?to=2000-01-01");
    assert_non_null(strstr(r.body, "No change in this period"));
    h_resp_free(&r);
    h_get(&r, &w->s, &w->pm, "/changes.atom");
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.body, "<?xml", 5) == 0);
    assert_non_null(strstr(r.body, "<feed xmlns=\"http://www.w3.org/2005/"
                                   "Atom\">"));
    assert_non_null(strstr(r.body, "<entry>"));
    h_resp_free(&r);
    h_get_expect(&w->s, &w->pm, "/tables?dependency=required&consent=1", 200,
                 "consents", "!>customer_scores<", NULL);
}

/* The search API's answer to sess for path, parsed (the caller frees). */
static cJSON *search_json(world *w, h_session *sess, const char *path)
{
    h_resp r;
    cJSON *j;

    h_get(&r, &w->s, sess, path);
    assert_int_equal(r.status, 200);
    j = cJSON_Parse(r.body);
    h_resp_free(&r);
    assert_non_null(j);
    return j;
}

static double num(const cJSON *j, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

/* The pages of a search are the one long answer in pieces; total counts
 * every hit, a client's only its organisation's; next and prev link the
 * pages, on the HTML page too. */
static void test_catalog__search_pages(void **state)
{
    world *w = *state;
    cJSON *all = search_json(w, &w->pm, "/api/v1/search?q=c&per_page=100");
    cJSON *mine, *page, *hit;
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(all, "results");
    int total = (int)num(all, "total"), at = 0;
    char path[200];

    assert_true(total > 2 && total <= 100);
    assert_int_equal(cJSON_GetArraySize(res), total);
    for (int p = 1; p <= (total + 1) / 2; p++) {
        const cJSON *next, *prev;
        snprintf(path, sizeof path, "/api/v1/search?q=c&per_page=2&page=%d", p);
        page = search_json(w, &w->pm, path);
        assert_int_equal((int)num(page, "total"), total);
        assert_int_equal((int)num(page, "pages"), (total + 1) / 2);
        assert_int_equal((int)num(page, "page"), p);
        assert_int_equal((int)num(page, "per_page"), 2);
        cJSON_ArrayForEach(hit,
                           cJSON_GetObjectItemCaseSensitive(page, "results"))
        {
            char *a = cJSON_PrintUnformatted(hit);
            char *b = cJSON_PrintUnformatted(cJSON_GetArrayItem(res, at++));
            assert_string_equal(a, b);
            cJSON_free(a);
            cJSON_free(b);
        }
        next = cJSON_GetObjectItemCaseSensitive(page, "next");
        prev = cJSON_GetObjectItemCaseSensitive(page, "prev");
        if (p < (total + 1) / 2) {
            snprintf(path, sizeof path, "/api/v1/search?q=c&page=%d&per_page=2",
                     p + 1);
            assert_string_equal(cJSON_GetStringValue(next), path);
        } else {
            assert_true(cJSON_IsNull(next));
        }
        if (p > 1)
            assert_non_null(cJSON_GetStringValue(prev));
        else
            assert_true(cJSON_IsNull(prev));
        cJSON_Delete(page);
    }
    assert_int_equal(at, total);
    /* 20 a page unless asked. */
    page = search_json(w, &w->pm, "/api/v1/search?q=c");
    assert_int_equal((int)num(page, "per_page"), 20);
    assert_int_equal(
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(page, "results")),
        total < 20 ? total : 20);
    cJSON_Delete(page);
    /* A client's total is of its own organisation's hits. */
    mine = search_json(w, &w->globex, "/api/v1/search?q=c&per_page=1");
    page = search_json(w, &w->globex, "/api/v1/search?q=c&per_page=100");
    assert_int_equal(
        (int)num(mine, "total"),
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(page, "results")));
    assert_true(num(mine, "total") < total);
    cJSON_ArrayForEach(hit, cJSON_GetObjectItemCaseSensitive(page, "results"))
    {
        assert_string_equal(
            cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(hit, "instance")),
            "globex-prod");
    }
    cJSON_Delete(mine);
    cJSON_Delete(page);
    cJSON_Delete(all);
    /* The page: counts, next and previous. */
    h_get_expect(
        &w->s, &w->pm, "/search?q=c&per_page=2&page=2", 200, "Hits 3–4 of",
        "rel=\"prev\" href=\"/search?q=c&amp;per_page=2\"",
        "rel=\"next\" href=\"/search?q=c&amp;page=3&amp;per_page=2\"", NULL);
    h_get_expect(&w->s, &w->pm, "/search?q=c&per_page=0", 422, NULL);
    h_get_expect(&w->s, &w->pm, "/api/v1/search?q=c&page=x", 422,
                 "\"field\":\"page\"", NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_catalog__card_and_json_equal_cli,
                                    setup, h_test_down),
    cmocka_unit_test_setup_teardown(
        test_catalog__cache_sees_change_next_request, setup, h_test_down),
    cmocka_unit_test_setup_teardown(test_catalog__tenant_isolation, setup,
                                    h_test_down),
    cmocka_unit_test_setup_teardown(test_catalog__search_lookup_changes, setup,
                                    h_test_down),
    cmocka_unit_test_setup_teardown(test_catalog__search_pages, setup,
                                    h_test_down),
};

int main(void)
{
    return cmocka_run_group_tests(tests, NULL, NULL);
}
