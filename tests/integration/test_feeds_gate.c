/* test_feeds_gate.c: tonight's feeds against the real server. A
 * simulated night on acme-prod with ?at=: two required tables
 * (customers, purchases) and an optional one (web_clicks); the gate waits
 * before the files are due, waits while one is still due, holds when a
 * required load failed, runs once it was reloaded (late) while the
 * optional one is missing (a warning, never blocking), and holds the
 * next day when nothing came. Reports are idempotent on (instance,
 * table, file); an unknown table, a table of another instance, bad
 * fields and a client's report are refused with nothing written; a
 * client reads its own organisation's gate only (another's is 404 worded
 * as a missing instance); `docket gate` exits 0 / 4 / 5 and `docket
 * arrived` stores like the API. */
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
#include <zlib.h>

static h_server srv;
static h_session ann, bob, pat;
static char t_ann[128], t_bob[128], t_pat[128], t_oz[128];

static const char acme_dict[] =
    "table,column,type,cadence,expected_arrival,late_after_minutes,"
    "campaign_dependency,campaign_note,escalation,runbook\n"
    "customers,customer_id,bigint,daily,04:00,60,required,No mailing "
    "without customers,oz@platform.example,Rerun the loader\n"
    "purchases,purchase_id,bigint,daily,05:00,30,required,,"
    "pat@platform.example,Ask the shop\n"
    "web_clicks,click_id,bigint,daily,04:30,60,optional,,,\n"
    "adhoc_list,id,bigint,ad_hoc,,,required,,,\n";
static const char globex_dict[] =
    "table,column,type,cadence,expected_arrival,late_after_minutes,"
    "campaign_dependency\n"
    "orders,order_id,bigint,daily,03:00,60,required\n";

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme globex acme-prod globex-prod");
    h_world(&srv, "ann+ bob+ pat+ oz", &ann, &bob, &pat);
    h_import(&srv, "acme-prod", acme_dict);
    h_import(&srv, "globex-prod", globex_dict);
    h_token(&srv, "ann@acme.example", "t", t_ann, sizeof t_ann);
    h_token(&srv, "bob@globex.example", "t", t_bob, sizeof t_bob);
    h_token(&srv, "pat@platform.example", "t", t_pat, sizeof t_pat);
    h_token(&srv, "oz@platform.example", "t", t_oz, sizeof t_oz);
    return 0;
}

/* A call with an API token (json NULL: a GET); fails the test unless the
 * status is want. Returns the parsed body (caller deletes). */
static cJSON *call(const char *token, const char *method, const char *path,
                   const char *json, long want)
{
    h_resp r;
    cJSON *j;

    if (json) {
        h_send_json(&r, &srv, NULL, token, method, path, json);
    } else {
        char auth[200];
        const char *hdrs[] = {auth, NULL};
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h_request(&r, &srv, NULL, method, path, NULL, NULL, 0,
                  token ? hdrs : NULL);
    }
    if (r.status != want)
        fail_msg("%s %s: %ld, wanted %ld: %s", method, path, r.status, want,
                 r.body);
    j = cJSON_Parse(r.body);
    h_resp_free(&r);
    return j;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The member of array key of o whose "table" is name, or NULL. */
static const cJSON *entry(const cJSON *o, const char *key, const char *name)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, key))
    {
        const char *t = str_of(v, "table");
        if (t && !strcmp(t, name))
            return v;
    }
    return NULL;
}

static int count(const cJSON *o, const char *key)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The gate of acme-prod at iso, as pat sees it. */
static cJSON *gate(const char *iso)
{
    char path[200];

    snprintf(path, sizeof path, "/api/v1/instances/acme-prod/gate?at=%s", iso);
    return call(t_pat, "GET", path, NULL, 200);
}

/* Reports a file; returns the stored arrival. */
static cJSON *report(const char *token, const char *table, const char *file,
                     const char *at, const char *status, const char *msg,
                     long want)
{
    char json[800];

    snprintf(json, sizeof json,
             "{\"instance\":\"acme-prod\",\"table\":\"%s\",\"file\":\"%s\","
             "\"rows\":1200,\"bytes\":52000,\"arrived_at\":\"%s\","
             "\"status\":\"%s\",\"message\":\"%s\"}",
             table, file, at, status, msg);
    return call(token, "POST", "/api/v1/arrivals", json, want);
}

static void expect_state(const cJSON *g, const char *table, const char *state)
{
    const cJSON *t = entry(g, "tables", table);

    if (!t)
        fail_msg("%s is not in the gate's tables", table);
    assert_string_equal(str_of(t, "state"), state);
}

static void test_simulated_night(void **state)
{
    cJSON *g, *a, *again;
    const cJSON *b, *w;

    (void)state;
    /* 03:00: nothing due yet; the ad hoc table is not tracked */
    g = gate("2026-03-03T03:00:00Z");
    assert_string_equal(str_of(g, "decision"), "wait");
    assert_string_equal(str_of(g, "instance"), "acme-prod");
    assert_string_equal(str_of(g, "at"), "2026-03-03T03:00:00Z");
    assert_int_equal(count(g, "tables"), 3);
    assert_null(entry(g, "tables", "adhoc_list"));
    expect_state(g, "customers", "waiting");
    assert_int_equal(count(g, "blocking"), 2);
    assert_int_equal(count(g, "warnings"), 0);
    cJSON_Delete(g);

    /* 04:10: customers arrives on time; a second report of the file
       answers the stored arrival with 200 and writes nothing */
    a = report(t_oz, "customers", "cust-0303.csv", "2026-03-03T04:10:00Z", "ok",
               "", 201);
    assert_string_equal(str_of(a, "table"), "customers");
    assert_string_equal(str_of(a, "status"), "ok");
    assert_string_equal(str_of(a, "arrived_at"), "2026-03-03T04:10:00Z");
    again = report(t_pat, "customers", "cust-0303.csv", "2026-03-03T04:15:00Z",
                   "failed", "other", 200);
    assert_int_equal(
        cJSON_GetObjectItemCaseSensitive(a, "id")->valuedouble,
        cJSON_GetObjectItemCaseSensitive(again, "id")->valuedouble);
    assert_string_equal(str_of(again, "status"), "ok");
    assert_string_equal(str_of(again, "arrived_at"), "2026-03-03T04:10:00Z");
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM arrivals"), 1);
    cJSON_Delete(a);
    cJSON_Delete(again);

    /* 04:20: customers arrived, purchases still waiting */
    g = gate("2026-03-03T04:20:00Z");
    assert_string_equal(str_of(g, "decision"), "wait");
    expect_state(g, "customers", "arrived");
    expect_state(g, "purchases", "waiting");
    expect_state(g, "web_clicks", "waiting");
    assert_null(entry(g, "blocking", "customers"));
    assert_non_null(entry(g, "blocking", "purchases"));
    cJSON_Delete(g);

    /* 05:10: the purchases load fails: hold, with what ops needs */
    cJSON_Delete(report(t_oz, "purchases", "purch-0303.csv",
                        "2026-03-03T05:10:00Z", "failed", "checksum mismatch",
                        201));
    g = gate("2026-03-03T05:15:00Z");
    assert_string_equal(str_of(g, "decision"), "hold");
    b = entry(g, "blocking", "purchases");
    assert_non_null(b);
    assert_string_equal(str_of(b, "state"), "failed");
    assert_string_equal(str_of(b, "due_at"), "2026-03-03T05:00:00Z");
    assert_string_equal(str_of(b, "escalation"), "pat@platform.example");
    assert_string_equal(str_of(b, "runbook"), "Ask the shop");
    assert_true(
        cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(b, "missing_since")));
    /* web_clicks is only due: neither blocking nor a warning */
    assert_null(entry(g, "warnings", "web_clicks"));
    assert_null(entry(g, "blocking", "web_clicks"));
    cJSON_Delete(g);

    /* 05:40: reloaded, after the grace period: run, arrived late; the
       optional table still missing is a warning */
    cJSON_Delete(report(t_oz, "purchases", "purch-0303-retry.csv",
                        "2026-03-03T05:40:00Z", "ok", "", 201));
    g = gate("2026-03-03T06:00:00Z");
    assert_string_equal(str_of(g, "decision"), "run");
    expect_state(g, "purchases", "arrived_late");
    expect_state(g, "customers", "arrived");
    assert_int_equal(count(g, "blocking"), 0);
    w = entry(g, "warnings", "web_clicks");
    assert_non_null(w);
    assert_string_equal(str_of(w, "state"), "missing");
    assert_string_equal(str_of(w, "missing_since"), "2026-03-03T05:30:00Z");
    assert_null(entry(g, "blocking", "web_clicks"));
    cJSON_Delete(g);

    /* the past is evaluated from the stored arrivals: at 05:15 it was a
       hold, at 05:20 a still-due customers never was */
    g = gate("2026-03-03T05:15:00Z");
    assert_string_equal(str_of(g, "decision"), "hold");
    cJSON_Delete(g);

    /* the next day, yesterday's files do not count */
    g = gate("2026-03-04T03:00:00Z");
    assert_string_equal(str_of(g, "decision"), "wait");
    cJSON_Delete(g);
    g = gate("2026-03-04T05:01:00Z");
    assert_string_equal(str_of(g, "decision"), "hold");
    b = entry(g, "blocking", "customers");
    assert_non_null(b);
    assert_string_equal(str_of(b, "state"), "missing");
    assert_string_equal(str_of(b, "missing_since"), "2026-03-04T05:00:00Z");
    assert_string_equal(str_of(b, "campaign_note"),
                        "No mailing without customers");
    cJSON_Delete(g);
}

/* Every refused report leaves the database as it was. */
static void refused(const char *token, const char *json, long want,
                    const char *field)
{
    char *before = h_db_digest(&srv), *after;
    cJSON *j = call(token, "POST", "/api/v1/arrivals", json, want);

    if (field) {
        const cJSON *e = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(j, "errors"), 0);
        assert_non_null(e);
        assert_string_equal(str_of(e, "field"), field);
    }
    cJSON_Delete(j);
    after = h_db_digest(&srv);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_refused_reports(void **state)
{
    (void)state;
    refused(t_pat, "{\"instance\":\"acme-prod\",\"table\":\"nosuch\"}", 422,
            "table");
    /* a table of another instance is as unknown */
    refused(t_pat, "{\"instance\":\"acme-prod\",\"table\":\"orders\"}", 422,
            "table");
    refused(t_pat, "{\"instance\":\"nowhere\",\"table\":\"orders\"}", 422,
            "instance");
    refused(t_pat,
            "{\"instance\":\"acme-prod\",\"table\":\"customers\","
            "\"rows\":-3}",
            422, "rows");
    refused(t_pat,
            "{\"instance\":\"acme-prod\",\"table\":\"customers\","
            "\"status\":\"meh\"}",
            422, "status");
    refused(t_pat,
            "{\"instance\":\"acme-prod\",\"table\":\"customers\","
            "\"arrived_at\":\"yesterday\"}",
            422, "arrived_at");
    refused(t_pat,
            "{\"instance\":\"acme-prod\",\"table\":\"customers\","
            "\"colour\":\"red\"}",
            422, "colour");
    refused(t_pat, "{\"table\":\"customers\"}", 422, "instance");
    /* clients do not report arrivals, not even their own */
    refused(t_ann, "{\"instance\":\"acme-prod\",\"table\":\"customers\"}", 403,
            NULL);
    refused(NULL, "{\"instance\":\"acme-prod\",\"table\":\"customers\"}", 401,
            NULL);
}

static void test_client_gates(void **state)
{
    cJSON *mine, *theirs, *none;
    h_resp r;

    (void)state;
    mine = call(t_ann, "GET", "/api/v1/instances/acme-prod/gate", NULL, 200);
    assert_string_equal(str_of(mine, "instance"), "acme-prod");
    cJSON_Delete(mine);
    /* another organisation's instance reads as a missing one */
    theirs = call(t_bob, "GET", "/api/v1/instances/acme-prod/gate", NULL, 404);
    none = call(t_bob, "GET", "/api/v1/instances/acme-nope/gate", NULL, 404);
    {
        char *a = cJSON_PrintUnformatted(theirs);
        char *b = cJSON_PrintUnformatted(none);
        char *p = strstr(a, "acme-prod");
        /* the same words, but for the name typed */
        assert_non_null(p);
        memcpy(p, "acme-nope", 9);
        assert_string_equal(a, b);
        cJSON_free(a);
        cJSON_free(b);
    }
    cJSON_Delete(theirs);
    cJSON_Delete(none);
    /* and the browser session of a client the same */
    h_get(&r, &srv, &bob, "/api/v1/instances/acme-prod/gate");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    cJSON_Delete(
        call(t_bob, "GET", "/api/v1/instances/globex-prod/gate", NULL, 200));
    cJSON_Delete(call(t_pat, "GET", "/api/v1/instances/acme-prod/gate?at=soon",
                      NULL, 422));
}

static void test_cli(void **state)
{
    char *out = NULL;
    int rc;

    (void)state;
    rc = h_docket(&srv, NULL, &out, "gate", "--instance", "globex-prod", "--at",
                  "2026-03-03T02:00:00Z", NULL);
    assert_int_equal(rc, 4);
    assert_non_null(strstr(out, "WAIT"));
    free(out);
    rc = h_docket(&srv, NULL, &out, "gate", "--instance", "globex-prod", "--at",
                  "2026-03-03T04:30:00Z", NULL);
    assert_int_equal(rc, 5);
    free(out);
    rc = h_docket(&srv, NULL, &out, "arrived", "--instance", "globex-prod",
                  "orders", "--rows", "77", "--file", "orders.csv", "--at",
                  "2026-03-03T03:05:00Z", NULL);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "stored"));
    free(out);
    rc = h_docket(&srv, NULL, &out, "gate", "--instance", "globex-prod", "--at",
                  "2026-03-03T04:30:00Z", "--json", NULL);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "\"decision\":\t\"run\""));
    free(out);
    rc = h_docket(&srv, NULL, &out, "arrived", "--instance", "globex-prod",
                  "nosuch", NULL);
    assert_int_equal(rc, 2);
    free(out);
    rc = h_docket(&srv, NULL, &out, "gate", NULL);
    assert_int_equal(rc, 2);
    free(out);
    /* the gate from the server, as lookup --url: the same decision, and a
       client's token only for its own organisation */
    rc = h_docket(&srv, NULL, &out, "gate", "--url", srv.url, "--token", t_pat,
                  "--instance", "acme-prod", "--at", "2026-03-04T05:01:00Z",
                  NULL);
    assert_int_equal(rc, 5);
    assert_non_null(strstr(out, "HOLD"));
    assert_non_null(strstr(out, "customers"));
    free(out);
    rc = h_docket(&srv, NULL, &out, "gate", "--url", srv.url, "--token", t_ann,
                  "--instance", "acme-prod", "--at", "2026-03-03T06:00:00Z",
                  "--json", NULL);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "\"decision\":\t\"run\""));
    free(out);
    rc = h_docket(&srv, NULL, &out, "gate", "--url", srv.url, "--token", t_bob,
                  "--instance", "acme-prod", NULL);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "404"));
    free(out);
}

/* ---- weekly and monthly tables ---- */

static const char days_dict[] =
    "table,column,type,cadence,expected_day,expected_arrival,"
    "late_after_minutes,campaign_dependency\n"
    "stock,sku,bigint,weekly,mon,06:00,120,required\n"
    "bills,bill_id,bigint,monthly,31,05:00,60,required\n"
    "summary,id,bigint,monthly,last,23:30,60,optional\n";

/* The gate of acme-qa at iso, as pat sees it. */
static cJSON *qa_gate(const char *iso)
{
    char path[200];

    snprintf(path, sizeof path, "/api/v1/instances/acme-qa/gate?at=%s", iso);
    return call(t_pat, "GET", path, NULL, 200);
}

static void qa_report(const char *table, const char *file, const char *at)
{
    char json[600];

    snprintf(json, sizeof json,
             "{\"instance\":\"acme-qa\",\"table\":\"%s\",\"file\":\"%s\","
             "\"rows\":10,\"arrived_at\":\"%s\"}",
             table, file, at);
    cJSON_Delete(call(t_oz, "POST", "/api/v1/arrivals", json, 201));
}

/* A weekly table due Mondays 06:00 (two hours' grace), a monthly one due
   on the 31st at 05:00 (April: the 30th) and an optional one due on the
   last day at 23:30, through April 2026 and into May. */
static void test_weekly_monthly_gate(void **state)
{
    cJSON *g;
    const cJSON *t;

    (void)state;
    h_world(&srv, "acme-qa");
    h_import(&srv, "acme-qa", days_dict);

    /* Monday 2026-04-06 05:00: everything waiting */
    g = qa_gate("2026-04-06T05:00:00Z");
    assert_string_equal(str_of(g, "decision"), "wait");
    assert_int_equal(count(g, "tables"), 3);
    expect_state(g, "stock", "waiting");
    t = entry(g, "tables", "stock");
    assert_string_equal(str_of(t, "due_at"), "2026-04-06T06:00:00Z");
    expect_state(g, "bills", "waiting");
    t = entry(g, "tables", "bills");
    assert_string_equal(str_of(t, "due_at"), "2026-04-30T05:00:00Z");
    cJSON_Delete(g);

    /* 07:00: due within the grace; 08:30: missing, hold */
    g = qa_gate("2026-04-06T07:00:00Z");
    expect_state(g, "stock", "due");
    assert_string_equal(str_of(g, "decision"), "wait");
    cJSON_Delete(g);
    g = qa_gate("2026-04-06T08:30:00Z");
    expect_state(g, "stock", "missing");
    assert_string_equal(str_of(g, "decision"), "hold");
    cJSON_Delete(g);

    /* it comes late; the next Monday's slot waits again, and the file of
       Monday 2026-04-27 is on time */
    qa_report("stock", "stock-0406.csv", "2026-04-06T09:00:00Z");
    g = qa_gate("2026-04-06T09:30:00Z");
    expect_state(g, "stock", "arrived_late");
    cJSON_Delete(g);
    g = qa_gate("2026-04-13T00:00:00Z");
    expect_state(g, "stock", "waiting");
    cJSON_Delete(g);
    qa_report("stock", "stock-0427.csv", "2026-04-27T05:50:00Z");

    /* Thursday 2026-04-30 06:30: April's bill (due on its 30th) is
       missing: hold, blocking with its due time */
    g = qa_gate("2026-04-30T06:30:00Z");
    assert_string_equal(str_of(g, "decision"), "hold");
    expect_state(g, "stock", "arrived");
    t = entry(g, "blocking", "bills");
    assert_non_null(t);
    assert_string_equal(str_of(t, "state"), "missing");
    assert_string_equal(str_of(t, "due_at"), "2026-04-30T05:00:00Z");
    cJSON_Delete(g);

    /* the bill comes late: run, the optional summary still waiting */
    qa_report("bills", "bills-2026-04.csv", "2026-04-30T07:00:00Z");
    g = qa_gate("2026-04-30T08:00:00Z");
    assert_string_equal(str_of(g, "decision"), "run");
    expect_state(g, "bills", "arrived_late");
    expect_state(g, "summary", "waiting");
    cJSON_Delete(g);

    /* May 1st 00:10: April's summary (last day 23:30, an hour of grace) is
       still due; the bill's May slot waits for May 31st */
    g = qa_gate("2026-05-01T00:10:00Z");
    expect_state(g, "summary", "due");
    t = entry(g, "tables", "summary");
    assert_string_equal(str_of(t, "due_at"), "2026-04-30T23:30:00Z");
    expect_state(g, "bills", "waiting");
    t = entry(g, "tables", "bills");
    assert_string_equal(str_of(t, "due_at"), "2026-05-31T05:00:00Z");
    assert_string_equal(str_of(g, "decision"), "wait");
    cJSON_Delete(g);

    /* 01:00: the summary is missing, a warning that never blocks */
    g = qa_gate("2026-05-01T01:00:00Z");
    expect_state(g, "summary", "missing");
    assert_non_null(entry(g, "warnings", "summary"));
    assert_null(entry(g, "blocking", "summary"));
    cJSON_Delete(g);
}

/* `docket arrived --url URL --token T`: the report through the server's
 * API, printed and exited on as the local form; the server's refusals
 * (an unknown table, a client, a bad token) exit 2 with its words, write
 * nothing and never print the token; an unreachable server exits 3. */
static void test_cli_remote_arrived(void **state)
{
    char *out = NULL, *before, *after;
    cJSON *g;
    const cJSON *t;
    int rc;

    (void)state;
    rc = h_docket(&srv, NULL, &out, "arrived", "--url", srv.url, "--token",
                  t_oz, "--instance", "acme-prod", "customers", "--rows", "900",
                  "--file", "remote-0305.csv", "--at", "2026-03-05T04:05:00Z",
                  NULL);
    if (rc != 0)
        fail_msg("arrived --url: %d: %s", rc, out);
    assert_non_null(strstr(out, "stored acme-prod/customers: arrived at "
                                "2026-03-05T04:05:00Z, 900 rows (file "
                                "remote-0305.csv)"));
    assert_null(strstr(out, t_oz));
    free(out);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM arrivals WHERE file"
                                    " = 'remote-0305.csv' AND rows = 900"),
                     1);
    /* the same file again: already reported, exit 0, nothing new */
    rc = h_docket(&srv, NULL, &out, "arrived", "--url", srv.url, "--token",
                  t_pat, "--instance", "acme-prod", "customers", "--file",
                  "remote-0305.csv", "--failed", "other", NULL);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "already reported acme-prod/customers: "
                                "arrived at 2026-03-05T04:05:00Z"));
    free(out);
    /* a failed load, its message printed */
    rc = h_docket(&srv, NULL, &out, "arrived", "--url", srv.url, "--token",
                  t_oz, "--instance", "acme-prod", "purchases", "--file",
                  "purch-0305.csv", "--failed", "disk full", "--at",
                  "2026-03-05T05:01:00Z", NULL);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "stored acme-prod/purchases: failed at "
                                "2026-03-05T05:01:00Z (file purch-0305.csv): "
                                "disk full"));
    free(out);
    /* the gate sees both, from the server as from the database */
    g = gate("2026-03-05T05:10:00Z");
    expect_state(g, "customers", "arrived");
    t = entry(g, "tables", "customers");
    assert_int_equal(
        (int)cJSON_GetObjectItemCaseSensitive(t, "rows")->valuedouble, 900);
    expect_state(g, "purchases", "failed");
    assert_string_equal(str_of(g, "decision"), "hold");
    cJSON_Delete(g);

    /* refusals: exit 2 with the server's words, nothing written */
    before = h_db_digest(&srv);
    rc = h_docket(&srv, NULL, &out, "arrived", "--url", srv.url, "--token",
                  t_oz, "--instance", "acme-prod", "nosuch", NULL);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "answered 422: table no table nosuch in "
                                "instance acme-prod"));
    free(out);
    rc = h_docket(&srv, NULL, &out, "arrived", "--url", srv.url, "--token",
                  t_oz, "--instance", "globex-nope", "orders", NULL);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "no instance named globex-nope"));
    free(out);
    rc = h_docket(&srv, NULL, &out, "arrived", "--url", srv.url, "--token",
                  t_ann, "--instance", "acme-prod", "customers", NULL);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "answered 403"));
    assert_null(strstr(out, t_ann));
    free(out);
    rc = h_docket(&srv, NULL, &out, "arrived", "--url", srv.url, "--token",
                  "dkt_not-a-token-at-all", "--instance", "acme-prod",
                  "customers", NULL);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "answered 401"));
    assert_non_null(strstr(out, "valid token"));
    assert_null(strstr(out, "dkt_not-a-token-at-all"));
    free(out);
    rc = h_docket(&srv, NULL, &out, "arrived", "--url", srv.url, "--instance",
                  "acme-prod", "customers", NULL);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "answered 401"));
    free(out);
    /* bad input is refused before asking */
    rc =
        h_docket(&srv, NULL, &out, "arrived", "--url", srv.url, "--token", t_oz,
                 "--instance", "acme-prod", "customers", "--rows", "-4", NULL);
    assert_int_equal(rc, 2);
    free(out);
    after = h_db_digest(&srv);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* the gate's bad token alike */
    rc = h_docket(&srv, NULL, &out, "gate", "--url", srv.url, "--token",
                  "dkt_not-a-token-at-all", "--instance", "acme-prod", NULL);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "answered 401"));
    assert_null(strstr(out, "dkt_not-a-token-at-all"));
    free(out);
    /* no server there: 3; not an http(s) URL: 2 */
    rc =
        h_docket(&srv, NULL, &out, "arrived", "--url", "http://127.0.0.1:9",
                 "--token", t_oz, "--instance", "acme-prod", "customers", NULL);
    assert_int_equal(rc, 3);
    assert_null(strstr(out, t_oz));
    free(out);
    rc =
        h_docket(&srv, NULL, &out, "arrived", "--url", "ftp://127.0.0.1/",
                 "--token", t_oz, "--instance", "acme-prod", "customers", NULL);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "http:// or https://"));
    free(out);
}

/* The gate of acme-prod at iso as pat sees it, asked with gzip: the
 * same JSON as without, once inflated. */
static cJSON *gate_gzip(const char *iso)
{
    char path[200], auth[200];
    const char *hdrs[] = {auth, "Accept-Encoding: gzip", NULL};
    unsigned char text[1 << 16];
    char enc[32] = "";
    z_stream zs;
    h_resp r;
    cJSON *j, *plain;
    char *a, *b;

    snprintf(path, sizeof path, "/api/v1/instances/acme-prod/gate?at=%s", iso);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", t_pat);
    h_request(&r, &srv, NULL, "GET", path, NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 200);
    if (h_resp_header(&r, "Content-Encoding", enc, sizeof enc) &&
        strstr(enc, "gzip")) {
        memset(&zs, 0, sizeof zs);
        assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
        zs.next_in = (unsigned char *)r.body;
        zs.avail_in = (uInt)r.len;
        zs.next_out = text;
        zs.avail_out = sizeof text - 1;
        assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
        text[zs.total_out] = '\0';
        inflateEnd(&zs);
        j = cJSON_Parse((const char *)text);
    } else {
        j = cJSON_Parse(r.body);
    }
    h_resp_free(&r);
    assert_non_null(j);
    plain = gate(iso);
    a = cJSON_PrintUnformatted(j);
    b = cJSON_PrintUnformatted(plain);
    assert_string_equal(a, b);
    cJSON_free(a);
    cJSON_free(b);
    cJSON_Delete(plain);
    return j;
}

/* A gate asked again at the same moment is served from the cache, gzip
 * as stored to clients that take it; a new arrival, an edit of a table's
 * rules or runbook from another process (`docket import`) and a new
 * table are seen on the very next ask; a change in another instance
 * keeps the entry. */
static void test_gate_cached(void **state)
{
    static const char acme_v2[] =
        "table,column,type,cadence,expected_arrival,late_after_minutes,"
        "campaign_dependency,campaign_note,escalation,runbook\n"
        "purchases,purchase_id,bigint,daily,05:00,30,required,,"
        "pat@platform.example,Call the shop at six\n"
        "loyalty,member_id,bigint,daily,02:00,30,required,,,\n";
    static const char globex_v2[] =
        "table,column,type,cadence,expected_arrival,late_after_minutes,"
        "campaign_dependency,runbook\n"
        "orders,order_id,bigint,daily,03:00,60,required,Page the shop\n";
    const char *at = "2026-04-07T04:30:00Z";
    int64_t h0, m0, h1, m1;
    const cJSON *b;
    cJSON *g;

    (void)state;
    cJSON_Delete(gate(at));
    h_cache_counts(&srv, &h0, &m0);
    g = gate_gzip(at); /* two asks, both answered from the cache */
    h_cache_counts(&srv, &h1, &m1);
    assert_int_equal(m1 - m0, 0);
    assert_int_equal(h1 - h0, 2);
    expect_state(g, "customers", "due");
    assert_string_equal(str_of(g, "decision"), "wait");
    cJSON_Delete(g);

    /* an arrival is seen on the next ask */
    cJSON_Delete(report(t_oz, "customers", "cust-0407.csv",
                        "2026-04-07T04:10:00Z", "ok", "", 201));
    g = gate_gzip(at);
    expect_state(g, "customers", "arrived");
    b = entry(g, "blocking", "purchases");
    assert_non_null(b);
    assert_string_equal(str_of(b, "runbook"), "Ask the shop");
    cJSON_Delete(g);

    /* the runbook and a new required table, written by another process */
    h_import(&srv, "acme-prod", acme_v2);
    g = gate(at);
    b = entry(g, "blocking", "purchases");
    assert_non_null(b);
    assert_string_equal(str_of(b, "runbook"), "Call the shop at six");
    expect_state(g, "loyalty", "missing");
    assert_non_null(entry(g, "blocking", "loyalty"));
    cJSON_Delete(g);

    /* another instance's change keeps acme-prod's gate cached */
    h_import(&srv, "globex-prod", globex_v2);
    h_cache_counts(&srv, &h0, &m0);
    g = gate(at);
    h_cache_counts(&srv, &h1, &m1);
    assert_int_equal(m1 - m0, 0);
    assert_int_equal(h1 - h0, 1);
    expect_state(g, "loyalty", "missing");
    cJSON_Delete(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simulated_night),
        cmocka_unit_test(test_refused_reports),
        cmocka_unit_test(test_client_gates),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_weekly_monthly_gate),
        cmocka_unit_test(test_cli_remote_arrived),
        cmocka_unit_test(test_gate_cached),
    };
    return cmocka_run_group_tests(tests, up, h_group_down);
}
