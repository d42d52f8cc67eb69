/* test_feeds_pages.c: tonight's feeds on the pages, against the real
 * server. /feeds during a simulated night with ?at= (WAIT before the
 * files, HOLD with the failed required table and its reasons, RUN once it
 * was reloaded, the optional missing table as a warning), readable rows,
 * the chart with its text alternative; hostile notes, escalations,
 * runbooks and failure messages escaped on the page and in the chart;
 * tenancy (another organisation's instance answers /feeds, the card and
 * the lookup exactly like a missing one); the rules card's "Today:" line
 * follows arrivals although the card is cached per registry generation
 * and arrivals do not change it; the lookup (page, API, `docket lookup`)
 * shows today's state beside the campaign dependency. */
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

static h_server srv;
static h_session ann, bob, oz;
static char t_pat[128], t_bob[128];

/* <img src=x onerror=alert(1)>&"' in a quoted CSV cell */
#define HOSTILE "<img src=x onerror=alert(1)>&\"\"'"

static const char acme_dict[] =
    "table,column,type,cadence,expected_arrival,late_after_minutes,"
    "campaign_dependency,campaign_note,escalation,runbook\n"
    "customers,customer_id,bigint,daily,04:00,60,required,No mailing "
    "without customers,oz@platform.example,Rerun the loader\n"
    "purchases,purchase_id,bigint,daily,05:00,30,required,\"" HOSTILE
    " note\",\"" HOSTILE " desk\",\"" HOSTILE " runbook\"\n"
    "web_clicks,click_id,bigint,daily,04:30,60,optional,,,\n"
    "adhoc_list,id,bigint,ad_hoc,,,required,,,\n";
static const char globex_dict[] =
    "table,column,type,cadence,expected_arrival,expected_day,"
    "late_after_minutes,campaign_dependency\n"
    "orders,order_id,bigint,daily,03:00,,60,required\n"
    "stock,sku,bigint,weekly,06:00,mon,60,optional\n";

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme globex acme-prod globex-prod");
    h_world(&srv, "ann+ bob+ pat oz+", &ann, &bob, &oz);
    h_import(&srv, "acme-prod", acme_dict);
    h_import(&srv, "globex-prod", globex_dict);
    h_token(&srv, "pat@platform.example", "t", t_pat, sizeof t_pat);
    h_token(&srv, "bob@globex.example", "t", t_bob, sizeof t_bob);
    return 0;
}

/* Reports a file of acme-prod as pat; fails unless 201. */
static void report(const char *table, const char *file, const char *at,
                   long rows, const char *status, const char *msg)
{
    char json[1200];
    h_resp r;

    snprintf(json, sizeof json,
             "{\"instance\":\"acme-prod\",\"table\":\"%s\",\"file\":\"%s\","
             "\"rows\":%ld,\"arrived_at\":\"%s\",\"status\":\"%s\","
             "\"message\":\"%s\"}",
             table, file, rows, at, status, msg);
    h_send_json(&r, &srv, NULL, t_pat, "POST", "/api/v1/arrivals", json);
    if (r.status != 201)
        fail_msg("report %s: %ld %s", table, r.status, r.body);
    h_resp_free(&r);
}

/* GET path as sess; fails unless 200; returns the body (caller frees). */
static char *page(h_session *sess, const char *path)
{
    h_resp r;
    char *body;

    h_get(&r, &srv, sess, path);
    if (r.status != 200)
        fail_msg("GET %s: %ld %.500s", path, r.status, r.body);
    body = r.body;
    r.body = NULL;
    h_resp_free(&r);
    return body;
}

static void has(const char *body, const char *s)
{
    if (!strstr(body, s))
        fail_msg("missing \"%s\" in: %.3000s", s, body);
}

static void lacks(const char *body, const char *s)
{
    if (strstr(body, s))
        fail_msg("unexpected \"%s\" in: %.3000s", s, strstr(body, s));
}

static void test_feeds_page__simulated_night(void **state)
{
    char *b;

    (void)state;
    /* 03:00: nothing due: WAIT, both required tables listed */
    b = page(&oz, "/feeds?instance=acme-prod&at=2026-03-03T03:00:00Z");
    has(b, "class=\"gate gate-wait\"");
    has(b, ">WAIT</h2>");
    has(b, "Campaign gate of <strong>acme-prod</strong> at 2026-03-03 03:00 "
           "UTC");
    has(b, "href=\"/tables/acme-prod/customers?at=2026-03-03T03%3A00%3A00Z\"");
    has(b, "not due yet");
    has(b, "Tracked tables <span class=\"muted\">(3)</span>");
    lacks(b, "adhoc_list"); /* ad hoc: not tracked */
    /* no arrivals yet: how the loading job reports */
    has(b, "docket arrived --instance acme-prod");
    has(b, "POST /api/v1/arrivals");
    free(b);

    /* the night: customers on time, purchases failed with a hostile
       message, web_clicks never */
    report("customers", "c-0302.csv", "2026-03-02T04:05:00Z", 1180000, "ok",
           "");
    report("customers", "c-0303.csv", "2026-03-03T04:52:00Z", 1234567, "ok",
           "");
    report("purchases", "p-0303.csv", "2026-03-03T05:10:00Z", 1200, "failed",
           "<script>alert(2)</script> checksum");
    b = page(&oz, "/feeds?instance=acme-prod&at=2026-03-03T05:15:00Z");
    has(b, ">HOLD</h2>");
    has(b, "class=\"gate gate-hold\"");
    has(b, "load failed 05:10 UTC");
    has(b, "Failed: &lt;script&gt;alert(2)&lt;/script&gt; checksum");
    lacks(b, "<script>alert(2)");
    /* the reasons: note, escalation and a link to the runbook */
    has(b, "Campaign note: &lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39; "
           "note");
    has(b, "Escalation: &lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39; "
           "desk");
    /* links to the cards as they read at that moment */
    has(b, "href=\"/tables/acme-prod/purchases?at=2026-03-03T05%3A15%3A00Z"
           "#runbook\"");
    lacks(b, "<img src=x");
    /* customers: readable rows, arrival time, chart and its text */
    has(b, "arrived 04:52 UTC, 1.2 M rows");
    has(b, "<svg class=\"fc\" role=\"img\" aria-label=\"Arrivals of "
           "customers, last 14 days: 1 on time, 12 with no record; now: on "
           "time\"");
    has(b, "<caption>Arrivals of customers</caption>");
    has(b, "<td>1.2 M rows</td>");
    lacks(b, "docket arrived --instance"); /* files have been reported */
    free(b);

    /* 06:30: purchases reloaded (late); web_clicks, optional, missing:
       RUN with a warning */
    report("purchases", "p-0303b.csv", "2026-03-03T06:00:00Z", 1200, "ok", "");
    b = page(&oz, "/feeds?instance=acme-prod&at=2026-03-03T06:30:00Z");
    has(b, ">RUN</h2>");
    has(b, "Optional files missing");
    has(b, "missing since 05:30 UTC — campaigns may run");
    has(b, "arrived late 06:00 UTC, 1,200 rows");
    free(b);

    /* the next day at 06:00: customers missing: HOLD; the chart marks
       yesterday's file and today's gap */
    b = page(&oz, "/feeds?instance=acme-prod&at=2026-03-04T06:00:00Z");
    has(b, ">HOLD</h2>");
    has(b, "missing since 05:00 UTC");
    has(b, "class=\"fc-miss\"");
    free(b);

    /* a bad ?at= is a clear error, not a page */
    h_get_expect(&srv, &oz, "/feeds?instance=acme-prod&at=yesterday", 422,
                 "ISO 8601", NULL);
}

static void test_feeds_page__tenancy(void **state)
{
    h_resp a, m;
    char *b;

    (void)state;
    {
        h_resp r;
        h_send_json(&r, &srv, NULL, t_pat, "POST", "/api/v1/arrivals",
                    "{\"instance\":\"globex-prod\",\"table\":\"stock\","
                    "\"rows\":40,\"arrived_at\":\"2026-03-02T06:30:00Z\"}");
        assert_int_equal(r.status, 201);
        h_resp_free(&r);
    }
    /* bob (globex) asks for acme's feeds: exactly like a missing one */
    h_get(&a, &srv, &bob, "/feeds?instance=acme-prod");
    h_get(&m, &srv, &bob, "/feeds?instance=nope-prod");
    assert_int_equal(a.status, 404);
    assert_int_equal(m.status, 404);
    lacks(a.body, "customers");
    h_resp_free(&a);
    h_resp_free(&m);
    /* his own page by default, with only his instances to choose */
    b = page(&bob, "/feeds?at=2026-03-04T12:00:00Z");
    has(b, "Campaign gate of <strong>globex-prod</strong>");
    has(b, "orders");
    lacks(b, "acme-prod");
    /* a weekly table's chart: 14 weeks, read from its own arrivals */
    has(b, "aria-label=\"Arrivals of stock, last 14 weeks: 13 with no record; "
           "now: on time\"");
    has(b, "This week: arrived 2026-03-02 06:30 UTC, 40 rows");
    free(b);
    /* ann sees her organisation's feeds */
    b = page(&ann, "/feeds?instance=acme-prod&at=2026-03-03T05:15:00Z");
    has(b, ">HOLD</h2>");
    free(b);
    /* the card and the lookup API */
    h_get_expect(&srv, &bob, "/tables/acme-prod/customers", 404, "!1.2 M rows",
                 "!Today:", NULL);
    h_get_expect(&srv, &bob, "/api/v1/lookup?q=customers", 200, "!acme-prod",
                 "!today", NULL);
    h_get_expect(&srv, &bob, "/lookup?q=cust", 200, "!acme-prod", NULL);
}

static void test_card__today_line_follows_arrivals(void **state)
{
    int64_t gen;
    char *b;

    (void)state;
    /* 2026-03-05 04:30: customers due, nothing yet */
    b = page(&oz, "/tables/acme-prod/customers?at=2026-03-05T04:30:00Z");
    has(b, "<strong>Today:</strong> due at 04:00 UTC, not arrived yet "
           "(missing after 05:00 UTC)");
    has(b, "href=\"/feeds?instance=acme-prod\"");
    has(b, "aria-label=\"Arrivals of customers, last 30 days:");
    free(b);
    b = page(&oz, "/tables/acme-prod/customers?at=2026-03-05T05:30:00Z");
    has(b, "<strong>Today:</strong> missing since 05:00 UTC — REQUIRED: hold "
           "campaigns");
    free(b);
    gen = h_db_int(&srv, "SELECT value FROM meta WHERE key = 'generation'");
    report("customers", "c-0305.csv", "2026-03-05T04:40:00Z", 1200000, "ok",
           "");
    /* arrivals do not change the registry generation: the cached card
       is served, its today line is not */
    assert_int_equal(
        h_db_int(&srv, "SELECT value FROM meta WHERE key = 'generation'"), gen);
    b = page(&oz, "/tables/acme-prod/customers?at=2026-03-05T05:30:00Z");
    has(b, "<strong>Today:</strong> arrived 04:40 UTC, 1.2 M rows");
    lacks(b, "missing since");
    free(b);
    /* and by the clock: a file reported now is today's */
    b = page(&oz, "/tables/acme-prod/web_clicks");
    lacks(b, "<strong>Today:</strong> arrived");
    free(b);
    {
        h_resp r;
        h_send_json(&r, &srv, NULL, t_pat, "POST", "/api/v1/arrivals",
                    "{\"instance\":\"acme-prod\",\"table\":\"web_clicks\","
                    "\"rows\":5}");
        assert_int_equal(r.status, 201);
        h_resp_free(&r);
    }
    b = page(&oz, "/tables/acme-prod/web_clicks");
    has(b, "<strong>Today:</strong> arrived");
    has(b, "5 rows");
    free(b);
    /* a table without a tracked cadence */
    b = page(&oz, "/tables/acme-prod/adhoc_list");
    has(b, "<strong>Today:</strong> not tracked");
    lacks(b, "class=\"fc\"");
    free(b);
    /* the card escapes the runbook and notes as ever */
    b = page(&oz, "/tables/acme-prod/purchases");
    lacks(b, "<img src=x");
    has(b, "id=\"runbook\"");
    free(b);
}

static void test_lookup__today_beside_the_dependency(void **state)
{
    h_resp r;
    cJSON *arr, *hit, *today;
    char *out = NULL;
    int rc;

    (void)state;
    /* the API: a today object on each hit, also when served from the
       cache (asked twice) */
    for (int k = 0; k < 2; k++) {
        h_get(&r, &srv, &oz, "/api/v1/lookup?q=custom&instance=acme-prod");
        assert_int_equal(r.status, 200);
        arr = cJSON_Parse(r.body);
        h_resp_free(&r);
        assert_int_equal(cJSON_GetArraySize(arr), 1);
        hit = cJSON_GetArrayItem(arr, 0);
        today = cJSON_GetObjectItemCaseSensitive(hit, "today");
        assert_true(cJSON_IsObject(today));
        assert_non_null(cJSON_GetObjectItemCaseSensitive(today, "state"));
        assert_non_null(cJSON_GetObjectItemCaseSensitive(today, "due_at"));
        assert_non_null(cJSON_GetObjectItemCaseSensitive(today, "missing_at"));
        assert_non_null(cJSON_GetObjectItemCaseSensitive(today, "arrived_at"));
        assert_non_null(cJSON_GetObjectItemCaseSensitive(today, "rows"));
        assert_non_null(
            strstr(cJSON_GetStringValue(
                       cJSON_GetObjectItemCaseSensitive(today, "text")),
                   "Today: "));
        cJSON_Delete(arr);
    }
    /* a table reported now reads arrived at once (no generation change);
       on time or late depends on the hour the test runs at (due 04:30,
       missing after 05:30), so either counts */
    h_get(&r, &srv, &oz, "/api/v1/lookup?q=web_cl");
    arr = cJSON_Parse(r.body);
    h_resp_free(&r);
    today =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "today");
    {
        const char *st = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(today, "state"));
        assert_non_null(st);
        if (strcmp(st, "arrived") && strcmp(st, "arrived_late"))
            fail_msg("web_clicks reported now reads %s, not arrived", st);
    }
    assert_int_equal(
        (int)cJSON_GetObjectItemCaseSensitive(today, "rows")->valuedouble, 5);
    cJSON_Delete(arr);
    /* The whole answer is cached (per minute, with the versions of the
       names, the registry and the arrivals): asked again it is the same,
       and gzip as stored to a client that takes it; a new arrival and a
       change of the table's rules show on the very next answer. */
    {
        h_resp a, again, z;
        char auth[200], enc[32] = "";
        const char *hdrs[] = {auth, "Accept-Encoding: gzip", NULL};
        const char *st;

        h_get(&a, &srv, &oz, "/api/v1/lookup?q=purch&instance=acme-prod");
        h_get(&again, &srv, &oz, "/api/v1/lookup?q=purch&instance=acme-prod");
        assert_int_equal(again.status, 200);
        assert_string_equal(again.body, a.body);
        lacks(a.body, "\"state\":\"arrived");
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", t_pat);
        h_request(&z, &srv, NULL, "GET",
                  "/api/v1/lookup?q=purch&instance=acme-prod", NULL, NULL, 0,
                  hdrs);
        assert_int_equal(z.status, 200);
        assert_true(h_resp_header(&z, "Content-Encoding", enc, sizeof enc));
        assert_string_equal(enc, "gzip");
        assert_true(z.len > 2 && (unsigned char)z.body[0] == 0x1f &&
                    (unsigned char)z.body[1] == 0x8b);
        h_resp_free(&z);
        h_resp_free(&again);
        h_resp_free(&a);
        h_post_json_expect(&srv, t_pat, "/api/v1/arrivals",
                           "{\"instance\":\"acme-prod\",\"table\":"
                           "\"purchases\",\"file\":\"p-now.csv\","
                           "\"rows\":7}",
                           201, NULL);
        h_get(&a, &srv, &oz, "/api/v1/lookup?q=purch&instance=acme-prod");
        arr = cJSON_Parse(a.body);
        h_resp_free(&a);
        st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0),
                                             "today"),
            "state"));
        assert_non_null(st);
        if (strcmp(st, "arrived") && strcmp(st, "arrived_late"))
            fail_msg("purchases reported now reads %s, not arrived", st);
        cJSON_Delete(arr);
        /* the rules change in another process (the trigger of the table
           bumps the registry generation): not tracked, then tracked */
        h_get(&a, &srv, &oz, "/api/v1/lookup?q=adhoc&instance=acme-prod");
        has(a.body, "\"state\":\"not_tracked\"");
        h_resp_free(&a);
        h_db_exec(&srv,
                  "UPDATE reg_tables SET cadence = 'hourly',"
                  " expected_arrival = '00:10' WHERE name = 'adhoc_list'");
        h_get(&a, &srv, &oz, "/api/v1/lookup?q=adhoc&instance=acme-prod");
        lacks(a.body, "\"state\":\"not_tracked\"");
        h_resp_free(&a);
        h_db_exec(&srv, "UPDATE reg_tables SET cadence = 'ad_hoc',"
                        " expected_arrival = '' WHERE name = 'adhoc_list'");
    }
    /* an untracked table */
    h_get(&r, &srv, &oz, "/api/v1/lookup?q=adhoc");
    arr = cJSON_Parse(r.body);
    h_resp_free(&r);
    today =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "today");
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(today, "state")),
        "not_tracked");
    cJSON_Delete(arr);
    /* the page: state beside the badge */
    h_get_expect(&srv, &oz, "/lookup?q=i", 200, "web_clicks", "Today: arrived",
                 "Today: not tracked", NULL);
    /* the terminal, local and through the server */
    rc = h_docket(&srv, NULL, &out, "lookup", "web_clicks", NULL);
    assert_int_equal(rc, 0);
    has(out, "OPTIONAL");
    has(out, "Today: arrived");
    free(out);
    rc = h_docket(&srv, NULL, &out, "lookup", "web_clicks", "--url", srv.url,
                  "--token", t_pat, NULL);
    assert_int_equal(rc, 0);
    has(out, "Today: arrived");
    free(out);
}

/* More tracked tables than a page: a hundred to a page with previous and
 * next links that keep the instance, the moment and the filter; and the
 * tables that need attention alone, worst first. */
static void test_feeds_page__pages_and_attention(void **state)
{
    buf csv = {0};
    char *b;

    (void)state;
    h_world(&srv, "acme-qa");
    buf_puts(&csv, "table,column,type,cadence,expected_arrival,"
                   "late_after_minutes,campaign_dependency\n");
    /* t000..t129 due 04:00, missing after 05:00; t007 optional */
    for (int i = 0; i < 130; i++)
        buf_appendf(&csv, "t%03d,id,bigint,daily,04:00,60,%s\n", i,
                    i == 7 ? "optional" : "required");
    h_import(&srv, "acme-qa", buf_cstr(&csv));
    buf_dispose(&csv);
    /* every table but t005 and t007 arrived at 04:10, t009 late at 05:30;
       t003 failed (written straight into the database: 128 reports
       through the API would cost more than the page they set up; the API
       path is the other tests') */
    h_db_exec(&srv,
              "INSERT INTO arrivals(instance_id, table_id, file, rows,"
              " arrived_at, status, created_at)"
              " SELECT t.instance_id, t.id, 'f-' || t.name, 10,"
              "  CASE t.name WHEN 't009' THEN 1772515800 ELSE 1772511000 END,"
              "  CASE t.name WHEN 't003' THEN 'failed' ELSE 'ok' END, 0"
              " FROM reg_tables t JOIN instances i ON i.id = t.instance_id"
              " WHERE i.name = 'acme-qa' AND t.name NOT IN ('t005', 't007')");
    /* page 1: the first hundred by name, a link to the second */
    b = page(&oz, "/feeds?instance=acme-qa&at=2026-03-03T06:00:00Z");
    has(b, "Tracked tables <span class=\"muted\">(130)");
    has(b, "Tables 1–100 of 130");
    has(b, "href=\"/feeds?instance=acme-qa&amp;at=2026-03-03T06%3A00%3A00Z"
           "&amp;page=2\">Next page</a>");
    has(b, ">t099</a>");
    lacks(b, ">t100</a>");
    lacks(b, "Previous page");
    free(b);
    b = page(&oz, "/feeds?instance=acme-qa&at=2026-03-03T06:00:00Z&page=2");
    has(b, "Tables 101–130 of 130");
    has(b, ">t100</a>");
    has(b, ">t129</a>");
    lacks(b, ">t099</a>");
    has(b, "Previous page");
    lacks(b, "Next page");
    free(b);
    /* a page past the end shows the last one */
    b = page(&oz, "/feeds?instance=acme-qa&at=2026-03-03T06:00:00Z&page=9");
    has(b, "Tables 101–130 of 130");
    free(b);
    /* attention: failed t003, missing required t005, missing optional
       t007, late t009, in that order; no pager for four */
    b = page(&oz, "/feeds?instance=acme-qa&at=2026-03-03T06:00:00Z"
                  "&show=attention");
    has(b, "<option value=\"attention\" selected");
    {
        const char *f3 = strstr(b, ">t003</a>"), *f5 = strstr(b, ">t005</a>"),
                   *f7 = strstr(b, ">t007</a>"), *f9 = strstr(b, ">t009</a>");
        assert_non_null(f3);
        assert_non_null(f5);
        assert_non_null(f7);
        assert_non_null(f9);
        assert_true(f3 < f5 && f5 < f7 && f7 < f9);
    }
    lacks(b, ">t000</a>");
    lacks(b, ">t010</a>");
    lacks(b, "Tables 1–");
    free(b);
    /* the banner names the worst ten at most: at 03:00 all 129 required
       tables are waiting */
    b = page(&oz, "/feeds?instance=acme-qa&at=2026-03-03T03:00:00Z");
    {
        const char *gate = strstr(b, "class=\"gate gate-wait\"");
        const char *end = gate ? strstr(gate, "</section>") : NULL;
        int items = 0;
        assert_non_null(end);
        for (const char *q = gate; (q = strstr(q, "<li>")) && q < end; q++)
            items++;
        assert_int_equal(items, 10);
        has(gate, "and 119 more required tables: <a href=\"/feeds?instance="
                  "acme-qa&amp;at=2026-03-03T03%3A00%3A00Z&amp;show="
                  "attention#feeds-tables\">");
    }
    free(b);
    /* and worst first: the failed t003 before the missing t005 */
    b = page(&oz, "/feeds?instance=acme-qa&at=2026-03-03T06:00:00Z");
    {
        const char *gate = strstr(b, "class=\"gate gate-hold\"");
        assert_non_null(gate);
        assert_true(strstr(gate, ">t003</a>") < strstr(gate, ">t005</a>"));
        lacks(gate, "more required tables");
    }
    free(b);
    /* before anything is due nothing needs attention: said, with a way
       back to every table */
    b = page(&oz, "/feeds?instance=acme-qa&at=2026-03-03T02:00:00Z"
                  "&show=attention");
    has(b, "No tracked table needs attention");
    has(b, "Show every tracked table");
    free(b);
    /* bad values: the field named, like a bad ?at= */
    h_get_expect(&srv, &oz, "/feeds?instance=acme-qa&page=0", 422, "page",
                 NULL);
    h_get_expect(&srv, &oz, "/feeds?instance=acme-qa&page=two", 422, "page",
                 NULL);
    h_get_expect(&srv, &oz, "/feeds?instance=acme-qa&show=everything", 422,
                 "show", NULL);
}

/* The card's "Today:" line and arrival chart are kept until its state
 * can next change (with the table's version and its last arrival): a
 * card asked again is built from the cache alone (page frame, card,
 * today's line), and a change of the table's cadence written by another
 * process is seen on the very next ask. (An arrival:
 * test_card__today_line_follows_arrivals; the moments a table's history
 * changes at: the domain's unit test.) */
static void test_card__today_cached(void **state)
{
    static const char daily[] =
        "table,column,type,cadence,expected_arrival,late_after_minutes,"
        "campaign_dependency\n"
        "adhoc_list,id,bigint,daily,04:00,60,required\n";
    static const char adhoc[] =
        "table,column,type,cadence,expected_arrival,late_after_minutes,"
        "campaign_dependency\n"
        "adhoc_list,id,bigint,ad_hoc,,,required\n";
    int64_t h0, m0, h1, m1;
    char *b;

    (void)state;
    free(page(&oz, "/tables/acme-prod/adhoc_list"));
    h_cache_counts(&srv, &h0, &m0);
    b = page(&oz, "/tables/acme-prod/adhoc_list");
    h_cache_counts(&srv, &h1, &m1);
    has(b, "<strong>Today:</strong> not tracked");
    free(b);
    assert_int_equal(m1 - m0, 0);
    assert_true(h1 - h0 >= 3);
    h_import(&srv, "acme-prod", daily);
    b = page(&oz, "/tables/acme-prod/adhoc_list");
    lacks(b, "not tracked");
    has(b, "class=\"fc\"");
    has(b, "aria-label=\"Arrivals of adhoc_list, last 30 days:");
    free(b);
    h_import(&srv, "acme-prod", adhoc);
    b = page(&oz, "/tables/acme-prod/adhoc_list");
    has(b, "<strong>Today:</strong> not tracked");
    lacks(b, "class=\"fc\"");
    free(b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_feeds_page__simulated_night),
    cmocka_unit_test(test_feeds_page__tenancy),
    cmocka_unit_test(test_card__today_line_follows_arrivals),
    cmocka_unit_test(test_card__today_cached),
    cmocka_unit_test(test_lookup__today_beside_the_dependency),
    cmocka_unit_test(test_feeds_page__pages_and_attention),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
