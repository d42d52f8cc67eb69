/* test_drift_pages.c: drift in the server. A SQLite instance with
 * drift_source and drift_every = 30s: a table deployed through a request
 * and applied with docket's own up migration, then a hostile column and
 * a hostile table added by hand. The server's own background check (no
 * `docket drift` run) keeps a report: the API answers it in the shape of
 * `docket drift --json`; /drift/acme-prod shows it grouped by
 * table, with a link to the rules card of the documented table and "no
 * rules card" for the undocumented one, every name escaped; the rules
 * card shows a drift badge with the count, and loses it on the next
 * request after a report without findings on that table is kept (the
 * card is cached per registry generation). A client of another
 * organisation gets 404 on the page and the API, as for a missing
 * instance; an instance never checked says so; a failed check shows its
 * source and error, escaped. The page's earlier address,
 * /tables/acme-prod/drift, leads to it, unless the instance has a table
 * named "drift": then it is that table's rules card. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOSTILE_TABLE  "<script>alert(1)</script>"
#define HOSTILE_COLUMN "<img src=x onerror=alert(1)>"

static h_server srv;
static h_session ann, bob, pat;
static char ann_token[128], bob_token[128];
static char live[800];

static int up(void **state)
{
    char dir[600], path[80], cr[32], tmp[820], *sql;
    char pat_token[128];
    h_resp r;
    int64_t id, sprint;

    *state = &srv;
    h_tmpdir(dir, sizeof dir, "driftweb-live");
    snprintf(live, sizeof live, "%s/live.db", dir);
    snprintf(tmp, sizeof tmp, "%s/building.db", dir);
    setenv("DRIFTWEB_TEST_LIVE", live, 1);
    h_server_start(&srv, "[instance.acme-prod]\n"
                         "drift_source = sqlite:${DRIFTWEB_TEST_LIVE}\n"
                         "drift_every = 30s\n");
    h_world(&srv, "acme acme-prod:sqlite globex globex-prod ann+ bob+ pat+",
            &ann, &bob, &pat);
    h_token(&srv, "ann@acme.example", "tests", ann_token, sizeof ann_token);
    h_token(&srv, "bob@globex.example", "tests", bob_token, sizeof bob_token);
    h_token(&srv, "pat@platform.example", "tests", pat_token, sizeof pat_token);
    h_get_expect(&srv, &pat, "/requests", 200, NULL);
    sprint = h_db_int(&srv, "SELECT id FROM sprints ORDER BY starts_on "
                            "LIMIT 1 OFFSET 1");
    h_post_json_expect(
        &srv, ann_token, "/api/v1/requests",
        "{\"instance\":\"acme-prod\",\"project_manager\":"
        "\"pat@platform.example\",\"title\":\"Members\",\"summary\":\"New\","
        "\"items\":[{\"kind\":\"new_table\",\"table\":\"members\","
        "\"description\":\"Loyalty members\",\"source\":\"flat_file_csv\","
        "\"cadence\":\"daily\",\"campaign_dependency\":\"optional\","
        "\"columns\":["
        "{\"name\":\"id\",\"type\":\"bigint\",\"nullable\":false,"
        "\"primary_key\":true,\"description\":\"Member id\"},"
        "{\"name\":\"email\",\"type\":\"string(255)\",\"nullable\":false,"
        "\"description\":\"E-mail\"}"
        "]}]}",
        201, &r);
    id = h_created(&r);
    h_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)id);
    h_post_json_expect(&srv, pat_token, path, "{\"to\":\"triaged\"}", 200,
                       NULL);
    {
        char j[96];
        snprintf(j, sizeof j, "{\"to\":\"scheduled\",\"sprint\":%lld}",
                 (long long)sprint);
        h_post_json_expect(&srv, pat_token, path, j, 200, NULL);
    }
    h_post_json_expect(&srv, pat_token, path,
                       "{\"to\":\"deployed\",\"instance\":\"acme-prod\"}", 200,
                       NULL);
    snprintf(cr, sizeof cr, "CR-%lld", (long long)id);
    h_tmpdir(dir, sizeof dir, "driftweb-mig");
    h_cli(&srv, "migrate", cr, "--out", dir, "--dialect", "sqlite", NULL);
    sql = h_up_file(dir);
    /* built aside and renamed: a background check sees it whole or not */
    h_sqlite_exec(tmp, sql);
    free(sql);
    h_sqlite_exec(tmp,
                  "ALTER TABLE members ADD COLUMN \"" HOSTILE_COLUMN "\" TEXT;"
                  "CREATE TABLE \"" HOSTILE_TABLE "\" (x INTEGER);");
    assert_int_equal(rename(tmp, live), 0);
    /* The clock ticks at start and then every minute: a restart lets the
       first background check run now instead of up to a minute later
       (the test still waits only on the report appearing). */
    assert_int_equal(h_server_stop(&srv), 0);
    h_server_restart(&srv);
    return 0;
}

/* The report of acme-prod as the API answers it once the server's
 * background check has kept one with findings (polled; the clock ticks
 * every minute and at start, and checks 30 s after the last report). */
static cJSON *wait_for_report(void)
{
    time_t until = time(NULL) + 240;
    long last = 0;

    for (;;) {
        h_resp r;
        cJSON *doc = NULL;
        h_send_json(&r, &srv, NULL, ann_token, "GET",
                    "/api/v1/instances/acme-prod/drift", NULL);
        last = r.status;
        if (r.status == 200) {
            doc = cJSON_Parse(r.body);
            if (!doc)
                fail_msg("not JSON: %s", r.body);
            if (cJSON_GetArraySize(cJSON_GetObjectItem(doc, "findings")) > 0) {
                h_resp_free(&r);
                return doc;
            }
            cJSON_Delete(doc);
        } else if (r.status != 404) {
            fail_msg("drift API: %ld %s", r.status, r.body);
        }
        h_resp_free(&r);
        if (time(NULL) > until)
            fail_msg("no drift report with findings from the background "
                     "check within 240 s (last answer %ld)",
                     last);
        {
            struct timespec ts = {0, 200 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

static void test_drift_pages__background_check_page_api_badge(void **state)
{
    cJSON *doc, *f;
    char want_source[820];
    int seen_col = 0, seen_table = 0;

    (void)state;
    doc = wait_for_report();
    /* the shape of docket drift --json */
    assert_string_equal(cJSON_GetObjectItem(doc, "instance")->valuestring,
                        "acme-prod");
    snprintf(want_source, sizeof want_source, "sqlite:%s", live);
    assert_string_equal(cJSON_GetObjectItem(doc, "source")->valuestring,
                        want_source);
    assert_non_null(cJSON_GetObjectItem(doc, "checked_at")->valuestring);
    assert_string_equal(cJSON_GetObjectItem(doc, "status")->valuestring, "ok");
    assert_int_equal(cJSON_GetObjectItem(doc, "tables_compared")->valueint, 1);
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc, "findings"))
    {
        const char *k = cJSON_GetObjectItem(f, "kind")->valuestring;
        const char *t = cJSON_GetObjectItem(f, "table")->valuestring;
        const char *c = cJSON_GetObjectItem(f, "column")->valuestring;
        assert_non_null(cJSON_GetObjectItem(f, "registry")->valuestring);
        assert_non_null(cJSON_GetObjectItem(f, "live")->valuestring);
        if (!strcmp(k, "undocumented_column") && !strcmp(t, "members") &&
            !strcmp(c, HOSTILE_COLUMN))
            seen_col++;
        else if (!strcmp(k, "undocumented_table") && !strcmp(t, HOSTILE_TABLE))
            seen_table++;
        else
            fail_msg("unexpected finding %s %s %s", k, t, c);
    }
    assert_int_equal(seen_col, 1);
    assert_int_equal(seen_table, 1);
    cJSON_Delete(doc);

    /* the page: grouped by table, card links, everything escaped */
    h_get_expect(&srv, &ann, "/drift/acme-prod", 200, "Drift of acme-prod",
                 "Tables compared", "href=\"/tables/acme-prod/members\"",
                 "undocumented column", "undocumented table",
                 "&lt;img src=x onerror=alert(1)&gt;",
                 "&lt;script&gt;alert(1)&lt;/script&gt;", "no rules card yet",
                 "!" HOSTILE_COLUMN, "!" HOSTILE_TABLE,
                 "!href=\"/tables/acme-prod/%3Cscript", NULL);

    /* the rules card's badge, linking to the drift page */
    h_get_expect(&srv, &ann, "/tables/acme-prod/members", 200,
                 "href=\"/drift/acme-prod\"", ">drift</span>",
                 "1 finding in the last drift check", NULL);

    /* the column goes away; a report kept by another process bumps the
       generation: the next request of the (cached) card has no badge */
    h_sqlite_exec(live,
                  "ALTER TABLE members DROP COLUMN \"" HOSTILE_COLUMN "\"");
    assert_int_equal(
        h_docket(&srv, NULL, NULL, "drift", "--instance", "acme-prod", NULL),
        6);
    h_get_expect(&srv, &ann, "/tables/acme-prod/members", 200,
                 "!in the last drift check", NULL);
    h_get_expect(&srv, &pat, "/drift/acme-prod", 200,
                 "&lt;script&gt;alert(1)&lt;/script&gt;", "!&lt;img src=x",
                 NULL);
}

static void test_drift_pages__tenancy_and_never_checked(void **state)
{
    h_resp r;

    (void)state;
    /* another organisation's instance answers as a missing one */
    h_get_expect(&srv, &bob, "/drift/acme-prod", 404,
                 "There is no instance acme-prod.", "!finding", NULL);
    h_get_expect(&srv, &bob, "/drift/no-such", 404,
                 "There is no instance no-such.", NULL);
    h_send_json(&r, &srv, NULL, bob_token, "GET",
                "/api/v1/instances/acme-prod/drift", NULL);
    assert_int_equal(r.status, 404);
    assert_null(strstr(r.body, "finding"));
    assert_non_null(strstr(r.body, "There is no instance acme-prod."));
    h_resp_free(&r);
    /* globex-prod has no drift_source: never checked */
    h_get_expect(&srv, &bob, "/drift/globex-prod", 200, "Never checked",
                 "drift_source", "docket drift", NULL);
    h_send_json(&r, &srv, NULL, bob_token, "GET",
                "/api/v1/instances/globex-prod/drift", NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "never checked"));
    h_resp_free(&r);
    /* the rules card of acme-prod stays another organisation's */
    h_get_expect(&srv, &bob, "/tables/acme-prod/members", 404, NULL);
    /* a source that cannot be read: a failed report, its source and
       one-line error shown escaped */
    assert_int_equal(h_docket(&srv, NULL, NULL, "drift", "--instance",
                              "acme-prod", "--from",
                              "sqlite:/nonexistent/<b>x</b>.db", NULL),
                     3);
    h_get_expect(&srv, &ann, "/drift/acme-prod", 200, ">failed</span>",
                 "sqlite:/nonexistent/&lt;b&gt;x&lt;/b&gt;.db", "!<b>x</b>",
                 "!drift-none", NULL);
}

/* ---- adopt from the drift page ---------------------------------------- */

/* A POST of body to path as sess (NULL: anonymous) without the CSRF
 * token (h_post_form appends it). */
static void post_without_csrf(h_resp *r, h_session *sess, const char *path,
                              const char *body)
{
    char cookie[340];
    const char *headers[] = {cookie, NULL};

    snprintf(cookie, sizeof cookie, "Cookie: %s", sess->cookie);
    h_request(r, &srv, NULL, "POST", path, "application/x-www-form-urlencoded",
              body, strlen(body), headers);
}

/* Two more live tables (one with a type docket has no kind for) and a
 * fresh kept report with their undocumented_table findings. */
static void seed_adoptable(void)
{
    static int done;

    if (done)
        return;
    done = 1;
    h_sqlite_exec(live,
                  "CREATE TABLE loyalty_points (member_id INTEGER NOT NULL "
                  "PRIMARY KEY, points INTEGER);"
                  "CREATE TABLE geo_shapes (g GEOMETRY);");
    assert_int_equal(
        h_docket(&srv, NULL, NULL, "drift", "--instance", "acme-prod", NULL),
        6);
}

static void test_drift_pages__adopt_form_and_preview(void **state)
{
    h_resp r;

    (void)state;
    seed_adoptable();
    h_get_expect(&srv, &pat, "/drift/acme-prod", 200, "Adopt selected tables",
                 "action=\"/drift/acme-prod/adopt\"",
                 "name=\"table\" value=\"loyalty_points\"",
                 "name=\"table\" value=\"geo_shapes\"", "name=\"csrf\"", NULL);
    /* a client sees the findings, no form */
    h_get_expect(&srv, &ann, "/drift/acme-prod", 200, "loyalty_points",
                 "!Adopt selected tables", "!/drift/adopt", NULL);
    /* the preview writes nothing and says what would be written; the
       source is the configured one, never the form's */
    h_post_form(&r, &srv, &pat, "/drift/acme-prod/adopt",
                "table=loyalty_points&action=preview&source=sqlite%3A%2F"
                "nonexistent%2Fother.db&from=sqlite%3A%2Fnonexistent%2F"
                "other.db");
    if (r.status != 200 || !strstr(r.body, "Preview") ||
        !strstr(r.body, live) || strstr(r.body, "other.db") ||
        !strstr(r.body, "loyalty_points") || !strstr(r.body, "member_id") ||
        !strstr(r.body, "points") || !strstr(r.body, "to complete") ||
        !strstr(r.body, "name=\"action\" value=\"adopt\"") ||
        !strstr(r.body, "type=\"hidden\" name=\"table\" "
                        "value=\"loyalty_points\""))
        fail_msg("preview: %ld %s", r.status, r.body);
    h_resp_free(&r);
    h_get_expect(&srv, &pat, "/tables/acme-prod/loyalty_points", 404, NULL);
    /* nothing selected */
    h_post_form(&r, &srv, &pat, "/drift/acme-prod/adopt", "action=preview");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "Select at least one table"));
    h_resp_free(&r);
}

static void test_drift_pages__adopt_refused_writes_nothing(void **state)
{
    h_resp r;

    (void)state;
    seed_adoptable();
    /* a type without a kind refuses the whole adopt, named */
    h_post_form(&r, &srv, &pat, "/drift/acme-prod/adopt",
                "table=loyalty_points&table=geo_shapes&action=adopt");
    if (r.status != 422 || !strstr(r.body, "geo_shapes.g") ||
        !strstr(r.body, "Nothing was adopted"))
        fail_msg("refused adopt: %ld %s", r.status, r.body);
    h_resp_free(&r);
    h_post_form(&r, &srv, &pat, "/drift/acme-prod/adopt",
                "table=geo_shapes&action=preview");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "geo_shapes.g"));
    h_resp_free(&r);
    /* a table the source does not have: named, escaped */
    h_post_form(&r, &srv, &pat, "/drift/acme-prod/adopt",
                "table=%3Cb%3Enope%3C%2Fb%3E&action=adopt");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "&lt;b&gt;nope"));
    assert_null(strstr(r.body, "<b>nope"));
    h_resp_free(&r);
    h_get_expect(&srv, &pat, "/tables/acme-prod/loyalty_points", 404, NULL);
}

static void test_drift_pages__adopt_roles_csrf_tenancy(void **state)
{
    h_session oz;
    h_resp r;

    (void)state;
    seed_adoptable();
    h_world(&srv, "oz+", &oz);
    h_get_expect(&srv, &oz, "/drift/acme-prod", 200, "loyalty_points",
                 "!Adopt selected tables", NULL);
    h_post_form(&r, &srv, &oz, "/drift/acme-prod/adopt",
                "table=loyalty_points&action=adopt");
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    h_post_form(&r, &srv, &ann, "/drift/acme-prod/adopt",
                "table=loyalty_points&action=adopt");
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    /* another organisation's instance: as a missing one */
    h_post_form(&r, &srv, &bob, "/drift/acme-prod/adopt",
                "table=loyalty_points&action=adopt");
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "There is no instance acme-prod."));
    h_resp_free(&r);
    /* a PM's POST without the CSRF token is refused */
    post_without_csrf(&r, &pat, "/drift/acme-prod/adopt",
                      "table=loyalty_points&action=adopt");
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    h_get_expect(&srv, &pat, "/tables/acme-prod/loyalty_points", 404, NULL);
}

static void test_drift_pages__adopt_writes_and_checks_again(void **state)
{
    h_resp r;
    char loc[400], flash[1200], cookie[1600];
    const char *headers[] = {cookie, NULL};
    char *f, *e;

    (void)state;
    seed_adoptable();
    h_post_form(&r, &srv, &pat, "/drift/acme-prod/adopt",
                "table=loyalty_points&action=adopt");
    if (r.status != 303)
        fail_msg("adopt: %ld %s", r.status, r.body);
    assert_true(h_resp_header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, "/drift/acme-prod?adopted=loyalty_points");
    f = strstr(r.headers, "docket_flash=");
    assert_non_null(f);
    e = strpbrk(f, ";\r");
    assert_non_null(e);
    snprintf(flash, sizeof flash, "%.*s", (int)(e - f), f);
    h_resp_free(&r);
    /* the flash, the link to the new card, and the fresh check: the
       adopted table is no finding any more */
    snprintf(cookie, sizeof cookie, "Cookie: %s; %s", pat.cookie, flash);
    h_request(&r, &srv, NULL, "GET", loc, NULL, NULL, 0, headers);
    if (r.status != 200 || !strstr(r.body, "Adopted 1 table, 2 columns") ||
        !strstr(r.body, "to complete") ||
        !strstr(r.body, "href=\"/tables/acme-prod/loyalty_points\"") ||
        strstr(r.body, "value=\"loyalty_points\""))
        fail_msg("after adopt: %ld %s", r.status, r.body);
    h_resp_free(&r);
    h_get_expect(&srv, &pat, "/tables/acme-prod/loyalty_points", 200,
                 "member_id", "points", NULL);
    assert_true(h_db_int(&srv, "SELECT count(*) FROM registry_history "
                               "WHERE table_name = 'loyalty_points' AND "
                               "reason = 'adopted from live schema'") > 0);
    /* a forged ?adopted= of a table that has no card links nothing */
    h_get_expect(&srv, &pat, "/drift/acme-prod?adopted=nope", 200,
                 "!href=\"/tables/acme-prod/nope\"", NULL);
}

/* The page's earlier address, /tables/{instance}/drift (in notifications
 * sent before), leads to /drift/{instance} with its note; an instance the
 * user may not see is 404 there too; once the instance has a registry
 * table named "drift", that address is its rules card and the drift page
 * stays at /drift/{instance}. A page loaded before still adopts through
 * the earlier form address. */
static void expect_redirect(h_session *who, const char *path, const char *to)
{
    char loc[300];
    h_resp r;

    h_request(&r, &srv, who, "GET", path, NULL, NULL, 0, NULL);
    if (r.status != 303 || !h_resp_header(&r, "Location", loc, sizeof loc) ||
        strcmp(loc, to) != 0)
        fail_msg("GET %s: %ld, want 303 to %s", path, r.status, to);
    h_resp_free(&r);
}

static void
test_drift_pages__earlier_address_and_table_named_drift(void **state)
{
    h_resp r;

    (void)state;
    expect_redirect(&ann, "/tables/acme-prod/drift", "/drift/acme-prod");
    expect_redirect(&ann, "/tables/ACME-PROD/drift?adopted=a%20b",
                    "/drift/ACME-PROD?adopted=a%20b");
    expect_redirect(&bob, "/tables/globex-prod/drift", "/drift/globex-prod");
    h_get_expect(&srv, &bob, "/tables/acme-prod/drift", 404,
                 "There is no instance acme-prod.", NULL);
    h_get_expect(&srv, &bob, "/tables/no-such/drift", 404,
                 "There is no instance no-such.", NULL);

    h_import(&srv, "globex-prod",
             "table,column,type,description\n"
             "drift,drift_id,bigint,Which way the fleet went\n");
    h_get_expect(&srv, &bob, "/tables/globex-prod/drift", 200,
                 "Which way the fleet went", "drift_id", "!Never checked",
                 NULL);
    h_get_expect(&srv, &bob, "/tables/globex-prod/drift/columns/drift_id", 200,
                 "Which way the fleet went", NULL);
    h_get_expect(&srv, &bob, "/drift/globex-prod", 200, "Never checked",
                 "!Which way the fleet went", NULL);
    /* still another organisation's for ann */
    h_get_expect(&srv, &ann, "/tables/globex-prod/drift", 404,
                 "There is no instance globex-prod.", "!drift_id", NULL);

    h_sqlite_exec(live, "CREATE TABLE store_visits (visit_id INTEGER NOT "
                        "NULL PRIMARY KEY)");
    assert_int_equal(
        h_docket(&srv, NULL, NULL, "drift", "--instance", "acme-prod", NULL),
        6);
    h_post_form(&r, &srv, &pat, "/tables/acme-prod/drift/adopt",
                "table=store_visits&action=preview");
    if (r.status != 200 || !strstr(r.body, "Preview") ||
        !strstr(r.body, "action=\"/drift/acme-prod/adopt\""))
        fail_msg("preview at the earlier address: %ld %s", r.status, r.body);
    h_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drift_pages__background_check_page_api_badge),
        cmocka_unit_test(test_drift_pages__tenancy_and_never_checked),
        cmocka_unit_test(test_drift_pages__adopt_form_and_preview),
        cmocka_unit_test(test_drift_pages__adopt_refused_writes_nothing),
        cmocka_unit_test(test_drift_pages__adopt_roles_csrf_tenancy),
        cmocka_unit_test(test_drift_pages__adopt_writes_and_checks_again),
        cmocka_unit_test(
            test_drift_pages__earlier_address_and_table_named_drift),
    };
    return cmocka_run_group_tests(tests, up, h_group_down);
}
