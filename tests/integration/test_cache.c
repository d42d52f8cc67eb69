/* test_cache.c: the rendered-response cache (web/cache.c) never serves a
 * stale rules card. test_catalog.c covers an edit through the web page;
 * this adds what it does not: a change written by another process (the
 * `docket import` CLI on the live database) seen on the very next request
 * by every server thread, for the table JSON and the card of every role
 * (client, ops, pm: different cached variants), with and without gzip,
 * under another spelling of the URL (the cache key ignores case), the
 * cached lookup answers, and the open-requests section of the card, which
 * changes with submissions. The card page is cached once for every user
 * of a role (web/tmpl.h): each user must still get their own name and
 * CSRF token, the same page with and without gzip, and a flash message
 * exactly once.
 *
 * Entries are kept per version of what they were built from (a table, the
 * open requests of a table name in an organisation, the table names of an
 * instance): a submission, a deploy or an edit makes the next request see
 * it, and leaves the cached answers about other tables and organisations
 * valid (counted with the hits and misses of /healthz). A user's new
 * name (shown in the history) is seen on the next card and JSON too. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static const char dict_v1[] =
    "table,column,type,nullable,primary_key,description,"
    "campaign_dependency,expected_arrival,late_after_minutes,runbook\n"
    "customers,customer_id,bigint,no,yes,Customer number,required,05:00,"
    "60,Check the drop folder.\n"
    "customers,email,string(255),yes,,E-mail,,,,\n";

static const char dict_v2[] =
    "table,column,type,nullable,primary_key,description,"
    "campaign_dependency,expected_arrival,late_after_minutes,runbook\n"
    "customers,customer_id,bigint,no,yes,Customer number,optional,07:45,"
    "60,Call the CRM team first.\n"
    "customers,email,string(255),yes,,E-mail,,,,\n"
    "customers,loyalty_tier,string(20),yes,,Tier of the loyalty "
    "programme,,,,\n";

typedef struct world {
    h_server s;
    h_session pm, ops, client;
    char auth[200]; /* "Authorization: Bearer <ops token>" */
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    char token[100];

    assert_non_null(w);
    h_server_start(&w->s, NULL);
    h_world(&w->s, "acme acme-prod");
    h_import(&w->s, "acme-prod", dict_v1);
    h_world(&w->s, "pat+ oz+ ann+", &w->pm, &w->ops, &w->client);
    h_token(&w->s, "oz@platform.example", "cli", token, sizeof token);
    snprintf(w->auth, sizeof w->auth, "Authorization: Bearer %s", token);
    *state = w;
    return 0;
}

/* GET path as ops with the bearer token; gzip asks for a compressed body
 * (which must then be labelled as such, or be plain). */
static void get_token(h_resp *r, world *w, const char *path, int gzip)
{
    const char *hdrs[3] = {w->auth, gzip ? "Accept-Encoding: gzip" : NULL,
                           NULL};

    h_request(r, &w->s, NULL, "GET", path, NULL, NULL, 0, hdrs);
    assert_int_equal(r->status, 200);
}

static int is_gzip(const h_resp *r)
{
    char enc[64];

    return h_resp_header(r, "Content-Encoding", enc, sizeof enc) &&
           strstr(enc, "gzip") != NULL;
}

/* Requests every cached variant of the customers table several times so
 * that each server thread holds (or has seen) it. */
static void fill(world *w)
{
    static const char *const paths[] = {
        "/api/v1/instances/acme-prod/tables/customers",
        "/api/v1/instances/ACME-PROD/tables/Customers"};
    h_session *sess[3] = {&w->client, &w->ops, &w->pm};
    h_resp r;

    for (int round = 0; round < 6; round++) {
        for (int p = 0; p < 2; p++) {
            get_token(&r, w, paths[p], round % 2);
            h_resp_free(&r);
        }
        for (int s = 0; s < 3; s++) {
            h_get_expect(&w->s, sess[s], "/tables/acme-prod/customers", 200,
                         NULL);
            h_get_expect(&w->s, sess[s], "/tables/Acme-Prod/CUSTOMERS", 200,
                         NULL);
        }
    }
}

static int gzip_seen; /* gzip replies checked */

/* Replaces r's gzip body by its inflated text. */
static void gunzip_body(h_resp *r)
{
    z_stream zs;
    size_t cap = 1 << 20;
    char *text = calloc(1, cap + 1);
    int rc;

    assert_non_null(text);
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (unsigned char *)r->body;
    zs.avail_in = (uInt)r->len;
    zs.next_out = (unsigned char *)text;
    zs.avail_out = (uInt)cap;
    rc = inflate(&zs, Z_FINISH);
    assert_int_equal(rc, Z_STREAM_END);
    text[zs.total_out] = '\0';
    inflateEnd(&zs);
    free(r->body);
    r->body = text;
    r->len = zs.total_out;
}

static void expect_json(world *w, const char *path, int v2)
{
    for (int gzip = 0; gzip < 2; gzip++) {
        h_resp r;
        get_token(&r, w, path, gzip);
        if (is_gzip(&r)) {
            gunzip_body(&r);
            gzip_seen++;
        } else
            assert_non_null(strstr(r.body, "\"instance\""));
        if (v2) {
            assert_non_null(strstr(r.body, "\"campaign_dependency\":"
                                           "\"optional\""));
            assert_non_null(strstr(r.body, "\"expected_arrival\":\"07:45\""));
            assert_non_null(strstr(r.body, "Call the CRM team first."));
            assert_non_null(strstr(r.body, "\"name\":\"loyalty_tier\""));
        } else {
            assert_non_null(strstr(r.body, "\"campaign_dependency\":"
                                           "\"required\""));
            assert_null(strstr(r.body, "loyalty_tier"));
        }
        h_resp_free(&r);
    }
}

static void expect_card(world *w, h_session *sess, const char *path, int v2)
{
    h_resp r;

    h_get(&r, &w->s, sess, path);
    assert_int_equal(r.status, 200);
    if (v2) {
        assert_non_null(strstr(r.body, "OPTIONAL</strong>"));
        assert_non_null(strstr(r.body, "07:45 UTC"));
        assert_non_null(strstr(r.body, "loyalty_tier"));
        assert_null(strstr(r.body, "REQUIRED</strong>"));
    } else {
        assert_non_null(strstr(r.body, "REQUIRED</strong>"));
        assert_null(strstr(r.body, "loyalty_tier"));
    }
    h_resp_free(&r);
}

static void test_cache__cli_import_seen_on_next_request(void **state)
{
    world *w = *state;
    h_session *sess[3] = {&w->client, &w->ops, &w->pm};
    int64_t gen;

    fill(w);
    expect_json(w, "/api/v1/instances/acme-prod/tables/customers", 0);
    for (int s = 0; s < 3; s++)
        expect_card(w, sess[s], "/tables/acme-prod/customers", 0);
    for (int i = 0; i < 4; i++) {
        h_resp r;
        get_token(&r, w, "/api/v1/lookup?q=CUST", 0);
        assert_non_null(strstr(r.body, "\"campaign_dependency\":"
                                       "\"required\""));
        h_resp_free(&r);
    }
    gen = h_db_int(&w->s, "SELECT value FROM meta WHERE key='generation'");
    /* Another process changes the registry under the running server. */
    h_import(&w->s, "acme-prod", dict_v2);
    assert_true(h_db_int(&w->s, "SELECT value FROM meta WHERE "
                                "key='generation'") > gen);
    /* Every following request, on whichever thread, sees the change. */
    for (int round = 0; round < 4; round++) {
        expect_json(w, "/api/v1/instances/acme-prod/tables/customers", 1);
        expect_json(w, "/api/v1/instances/ACME-PROD/tables/Customers", 1);
        {
            h_resp r;
            get_token(&r, w, "/api/v1/lookup?q=cust", round % 2);
            if (is_gzip(&r))
                gunzip_body(&r);
            assert_non_null(strstr(r.body, "\"campaign_dependency\":"
                                           "\"optional\""));
            h_resp_free(&r);
        }
        for (int s = 0; s < 3; s++) {
            expect_card(w, sess[s], "/tables/acme-prod/customers", 1);
            expect_card(w, sess[s], "/tables/Acme-Prod/CUSTOMERS", 1);
        }
    }
    assert_true(gzip_seen > 0); /* the compressed copy was checked too */
}

/* oz (ops) edits the runbook note of acme-prod's customers. */
static void edit_runbook(world *w)
{
    h_resp r;

    h_post_form(&r, &w->s, &w->ops, "/tables/acme-prod/customers/edit",
                "runbook=Page+the+night+desk.&reason=new+rota");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
}

static void test_cache__runbook_edit_seen_in_json(void **state)
{
    world *w = *state;
    h_resp r;

    fill(w);
    edit_runbook(w);
    for (int round = 0; round < 4; round++) {
        get_token(&r, w, "/api/v1/instances/acme-prod/tables/customers", 0);
        assert_non_null(strstr(r.body, "Page the night desk."));
        h_resp_free(&r);
        h_get(&r, &w->s, &w->client, "/tables/acme-prod/customers");
        assert_non_null(strstr(r.body, "Page the night desk."));
        h_resp_free(&r);
    }
}

/* The open-requests section changes with submissions: the next card of
 * every role shows the new request. */
static void test_cache__open_requests_seen_on_next_request(void **state)
{
    world *w = *state;
    static const char body[] =
        "{\"instance\":\"acme-prod\",\"project_manager\":\"pat@platform."
        "example\","
        "\"title\":\"Loyalty points on customers\",\"summary\":\"Points.\","
        "\"consent_related\":false,\"consent_note\":\"\",\"desired_date\":"
        "\"\",\"items\":[{\"kind\":\"add_columns\",\"table\":\"customers\","
        "\"description\":\"\",\"source\":\"\",\"cadence\":\"\","
        "\"expected_arrival\":\"\",\"late_after_minutes\":0,"
        "\"file_pattern\":\"\",\"campaign_dependency\":\"\","
        "\"campaign_note\":\"\",\"owner\":\"\",\"escalation\":\"\","
        "\"examples\":\"\",\"notes\":\"\",\"columns\":[{\"name\":"
        "\"points\",\"type\":\"integer\",\"nullable\":true,\"description\":"
        "\"Points\",\"example\":\"10\",\"pii\":false,\"consent\":false,"
        "\"consent_channel\":\"\",\"action\":\"add\",\"rule\":\"\"}]}]}";
    h_session *sess[3] = {&w->client, &w->ops, &w->pm};
    h_resp r;
    char want[64];
    int64_t id;

    fill(w);
    for (int s = 0; s < 3; s++) {
        h_get(&r, &w->s, sess[s], "/tables/acme-prod/customers");
        assert_non_null(strstr(r.body, "No open request changes"));
        h_resp_free(&r);
    }
    h_send_json(&r, &w->s, &w->client, NULL, "POST", "/api/v1/requests", body);
    if (r.status != 201)
        fail_msg("submission: %ld %s", r.status, r.body);
    h_resp_free(&r);
    id = h_db_int(&w->s, "SELECT max(id) FROM requests");
    snprintf(want, sizeof want, "/requests/%lld\"", (long long)id);
    for (int round = 0; round < 4; round++)
        for (int s = 0; s < 3; s++) {
            h_get(&r, &w->s, sess[s], "/tables/Acme-Prod/customers");
            assert_non_null(strstr(r.body, want));
            assert_non_null(strstr(r.body, "Loyalty points on customers"));
            h_resp_free(&r);
        }
}

/* Inflates a gzip reply or keeps a plain one; the text, caller frees. */
static char *page_text(h_resp *r)
{
    char *text;

    if (is_gzip(r))
        gunzip_body(r);
    text = strdup(r->body);
    assert_non_null(text);
    return text;
}

static void get_page(h_resp *r, world *w, h_session *sess, const char *path,
                     int gzip)
{
    const char *hdrs[2] = {gzip ? "Accept-Encoding: gzip" : NULL, NULL};

    h_request(r, &w->s, sess, "GET", path, NULL, NULL, 0, hdrs);
    assert_int_equal(r->status, 200);
}

static void test_cache__card_page_per_user(void **state)
{
    world *w = *state;
    h_session ops2;
    char *plain[2], *zipped[2], want[200];
    h_session *who[2] = {&w->ops, &ops2};
    const char *names[2] = {"Oz", "Oma &lt;night&gt;"};
    h_resp r;

    h_user(&w->s, "oma@t.example", "Oma <night>", "ops", NULL,
           "oma-password-123");
    assert_int_equal(
        h_signin(&ops2, &w->s, "oma@t.example", "oma-password-123"), 303);
    fill(w);
    for (int round = 0; round < 3; round++) {
        for (int u = 0; u < 2; u++) {
            get_page(&r, w, who[u], "/tables/acme-prod/customers", 1);
            assert_true(is_gzip(&r));
            zipped[u] = page_text(&r);
            h_resp_free(&r);
            get_page(&r, w, who[u], "/tables/acme-prod/customers", 0);
            assert_false(is_gzip(&r));
            plain[u] = page_text(&r);
            h_resp_free(&r);
            /* The same page either way, with this user's own parts. */
            assert_string_equal(zipped[u], plain[u]);
            snprintf(want, sizeof want, "class=\"me\">%s <span", names[u]);
            assert_non_null(strstr(plain[u], want));
            snprintf(want, sizeof want, "name=\"csrf\" value=\"%s\"",
                     who[u]->csrf);
            assert_non_null(strstr(plain[u], want));
            assert_null(strstr(plain[u], "<!--"));
            assert_non_null(strstr(plain[u], "<title>customers · docket"));
        }
        assert_null(strstr(plain[0], ops2.csrf));
        assert_null(strstr(plain[1], w->ops.csrf));
        assert_null(strstr(plain[0], "Oma"));
        for (int u = 0; u < 2; u++) {
            free(plain[u]);
            free(zipped[u]);
        }
    }
    /* The title is the name as asked for, whichever spelling was cached. */
    get_page(&r, w, &w->ops, "/tables/acme-prod/CUSTOMERS", 1);
    plain[0] = page_text(&r);
    assert_non_null(strstr(plain[0], "<title>CUSTOMERS · docket"));
    free(plain[0]);
    h_resp_free(&r);
}

/* A flash message (set by the edit's redirect) shows on the next card
 * page once, although that page is otherwise cached. */
static void test_cache__card_page_flash(void **state)
{
    world *w = *state;
    char flash[300], cookie[700];
    const char *hdrs[3] = {cookie, "Accept-Encoding: gzip", NULL};
    h_resp r;
    char *text;

    fill(w);
    h_post_form(&r, &w->s, &w->ops, "/tables/acme-prod/customers/edit",
                "runbook=Page+the+night+desk.&reason=new+rota");
    assert_int_equal(r.status, 303);
    assert_true(h_resp_header(&r, "Set-Cookie", flash, sizeof flash));
    h_resp_free(&r);
    assert_true(strncmp(flash, "docket_flash=", 13) == 0);
    *strchr(flash, ';') = '\0';
    snprintf(cookie, sizeof cookie, "Cookie: %s; %s", w->ops.cookie, flash);
    h_request(&r, &w->s, NULL, "GET", "/tables/acme-prod/customers", NULL, NULL,
              0, hdrs);
    assert_int_equal(r.status, 200);
    text = page_text(&r);
    assert_non_null(strstr(text, "class=\"flash\""));
    assert_non_null(strstr(text, "Page the night desk."));
    assert_non_null(strstr(text, "class=\"me\">Oz"));
    assert_null(strstr(text, "<!--"));
    free(text);
    h_resp_free(&r);
    /* Without the cookie (the browser dropped it): no flash. */
    get_page(&r, w, &w->ops, "/tables/acme-prod/customers", 1);
    text = page_text(&r);
    assert_null(strstr(text, "class=\"flash\""));
    assert_non_null(strstr(text, "Page the night desk."));
    free(text);
    h_resp_free(&r);
}

/* ---- what a change leaves valid ----------------------------------------- */

static const char dict_orders[] =
    "table,column,type,nullable,primary_key,description,campaign_dependency\n"
    "orders,order_id,bigint,no,yes,Order number,optional\n";

static const char dict_globex[] =
    "table,column,type,nullable,primary_key,description,campaign_dependency\n"
    "customers,customer_id,bigint,no,yes,Globex customer,required\n";

/* The usual world, and beside acme-prod's customers its orders table and
 * another organisation (globex, client bob) with a customers table of
 * its own. */
static int setup_two(void **state)
{
    world *w;

    setup(state);
    w = *state;
    h_import(&w->s, "acme-prod", dict_orders);
    h_world(&w->s, "acme-qa globex-prod");
    h_import(&w->s, "globex-prod", dict_globex);
    return 0;
}

/* The UTC minute of ask_bystanders (-1: it straddled two). A whole
 * lookup answer is cached per minute (today's state of each hit), so a
 * lookup in another minute is a legitimate miss. */
static int64_t lookup_minute = -1;

/* Asks for the cached answers about everything but acme-prod's customers
 * table: globex's customers (JSON, card, its instance's lookup) and
 * acme-prod's orders (JSON, card of a client and of ops), checking each
 * answer; returns how many cache lookups that made. */
static int ask_bystanders(world *w)
{
    int64_t m0 = (int64_t)time(NULL) / 60;
    h_resp r;
    int n = 0;

    for (int gzip = 0; gzip < 2; gzip++) {
        get_token(&r, w, "/api/v1/instances/globex-prod/tables/customers",
                  gzip);
        if (is_gzip(&r))
            gunzip_body(&r);
        assert_non_null(strstr(r.body, "Globex customer"));
        h_resp_free(&r);
        get_token(&r, w, "/api/v1/instances/acme-prod/tables/orders", gzip);
        if (is_gzip(&r))
            gunzip_body(&r);
        assert_non_null(strstr(r.body, "Order number"));
        h_resp_free(&r);
        n += 2;
    }
    get_token(&r, w, "/api/v1/lookup?q=cust&instance=globex-prod", 0);
    assert_non_null(strstr(r.body, "\"instance\":\"globex-prod\""));
    assert_null(strstr(r.body, "customer_scores"));
    h_resp_free(&r);
    n++;
    /* A card page is three lookups: its content, the page frame, and
       its "Today:" line with the arrival chart. */
    h_get_expect(&w->s, &w->ops, "/tables/globex-prod/customers", 200,
                 "Globex customer", "No open request changes", NULL);
    h_get_expect(&w->s, &w->ops, "/tables/acme-prod/orders", 200,
                 "Order number", NULL);
    h_get_expect(&w->s, &w->client, "/tables/acme-prod/orders", 200,
                 "Order number", "No open request changes", NULL);
    lookup_minute = (int64_t)time(NULL) / 60 == m0 ? m0 : -1;
    return n + 9;
}

/* Fails unless asking for the bystanders again hits the cache every time. */
static void bystanders_still_cached(world *w, const char *after)
{
    int64_t h0, m0, h1, m1, before = lookup_minute;
    int n, minute_turned;

    h_cache_counts(&w->s, &h0, &m0);
    n = ask_bystanders(w);
    h_cache_counts(&w->s, &h1, &m1);
    /* in another minute the lookup's whole answer is built again (one
       miss) from its cached hits (still a hit); the cards' "Today:" line
       of these untracked tables holds whatever the clock */
    minute_turned = before < 0 || lookup_minute < 0 || before != lookup_minute;
    if (m1 - m0 != 0 && !(minute_turned && m1 - m0 == 1))
        fail_msg("after %s: %lld misses and %lld hits of %d unrelated "
                 "answers, want 0 misses",
                 after, (long long)(m1 - m0), (long long)(h1 - h0), n);
    if (h1 - h0 != n)
        fail_msg("after %s: %lld misses and %lld hits of %d unrelated "
                 "answers, want 0 misses",
                 after, (long long)(m1 - m0), (long long)(h1 - h0), n);
}

static const char submit_points[] =
    "{\"instance\":\"acme-prod\",\"project_manager\":\"pat@platform."
    "example\",\"title\":\"Loyalty points on customers\",\"summary\":"
    "\"Points.\",\"items\":[{\"kind\":\"add_columns\",\"table\":"
    "\"customers\",\"columns\":[{\"name\":\"points\",\"type\":\"integer\","
    "\"nullable\":true,\"description\":\"Loyalty points\"}]},"
    "{\"kind\":\"new_table\",\"table\":\"customer_scores\",\"description\":"
    "\"Scores\",\"source\":\"flat_file_csv\",\"cadence\":\"daily\","
    "\"campaign_dependency\":\"optional\",\"columns\":[{\"name\":"
    "\"customer_id\",\"type\":\"bigint\",\"nullable\":false,"
    "\"primary_key\":true,\"description\":\"Customer\"}]}]}";

/* ann submits submit_points; its id. */
static int64_t submit(world *w)
{
    h_resp r;
    int64_t id;

    h_send_json(&r, &w->s, &w->client, NULL, "POST", "/api/v1/requests",
                submit_points);
    id = h_created(&r);
    h_resp_free(&r);
    return id;
}

/* (a) A submission in acme names customers: the cards of customers in
 * acme show it on the very next request, and nothing cached about
 * globex's customers or acme's orders is thrown away. The request's id. */
static int64_t submission_keeps_other_entries(world *w)
{
    char want[64];
    int64_t id;

    fill(w);
    ask_bystanders(w);
    bystanders_still_cached(w, "nothing");
    id = submit(w);
    bystanders_still_cached(w, "a submission in acme");
    snprintf(want, sizeof want, "/requests/%lld\"", (long long)id);
    h_get_expect(&w->s, &w->client, "/tables/acme-prod/customers", 200, want,
                 "Loyalty points on customers", NULL);
    h_get_expect(&w->s, &w->pm, "/tables/ACME-PROD/customers", 200, want, NULL);
    /* The JSON of customers has no open requests: still cached. */
    {
        int64_t h0, m0, h1, m1;
        h_resp r;
        h_cache_counts(&w->s, &h0, &m0);
        get_token(&r, w, "/api/v1/instances/acme-prod/tables/customers", 1);
        h_resp_free(&r);
        h_cache_counts(&w->s, &h1, &m1);
        assert_int_equal(m1, m0);
        assert_int_equal(h1, h0 + 1);
    }
    return id;
}

/* A PM token's transition of request id; fails unless 200. */
static void move(world *w, const char *pm_token, int64_t id, const char *json)
{
    char path[96];
    h_resp r;

    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)id);
    h_send_json(&r, &w->s, NULL, pm_token, "POST", path, json);
    if (r.status != 200)
        fail_msg("%s: %ld %s", json, r.status, r.body);
    h_resp_free(&r);
}

/* (c) Deploying request id (submit_points) to acme-prod changes customers
 * (a new column), adds customer_scores, and so changes customers' JSON and
 * card and acme-prod's lookup on the very next request, and nothing
 * else. */
static void deploy_changes_its_tables_only(world *w, int64_t id)
{
    char pm_token[100], json[96];
    int64_t sprint;
    h_resp r;

    h_token(&w->s, "pat@platform.example", "cli", pm_token, sizeof pm_token);
    h_get_expect(&w->s, &w->pm, "/requests", 200, NULL); /* the sprints */
    sprint = h_db_int(&w->s, "SELECT id FROM sprints ORDER BY starts_on "
                             "LIMIT 1 OFFSET 1");
    move(w, pm_token, id, "{\"to\":\"triaged\"}");
    snprintf(json, sizeof json, "{\"to\":\"scheduled\",\"sprint\":%lld}",
             (long long)sprint);
    move(w, pm_token, id, json);
    fill(w);
    ask_bystanders(w);
    for (int i = 0; i < 2; i++) {
        get_token(&r, w, "/api/v1/lookup?q=cust&instance=acme-prod", 0);
        assert_null(strstr(r.body, "customer_scores"));
        h_resp_free(&r);
        get_token(&r, w, "/api/v1/lookup?q=cust", 0);
        assert_null(strstr(r.body, "customer_scores"));
        h_resp_free(&r);
    }
    move(w, pm_token, id, "{\"to\":\"deployed\",\"instance\":\"acme-prod\"}");
    /* The very next request of each sees the deploy. */
    get_token(&r, w, "/api/v1/instances/acme-prod/tables/customers", 1);
    if (is_gzip(&r))
        gunzip_body(&r);
    assert_non_null(strstr(r.body, "\"name\":\"points\""));
    h_resp_free(&r);
    h_get_expect(&w->s, &w->client, "/tables/acme-prod/customers", 200,
                 "points", "No open request changes", NULL);
    get_token(&r, w, "/api/v1/lookup?q=cust&instance=acme-prod", 0);
    assert_non_null(strstr(r.body, "customer_scores"));
    h_resp_free(&r);
    get_token(&r, w, "/api/v1/lookup?q=cust", 0);
    assert_non_null(strstr(r.body, "customer_scores"));
    h_resp_free(&r);
    bystanders_still_cached(w, "a deploy of acme's customers");
}

/* (d) An edit of customers, by the web page and by another process (the
 * CLI's import), is seen at once and leaves the other tables cached. */
static void edit_changes_one_table(world *w)
{
    h_resp r;

    fill(w);
    ask_bystanders(w);
    h_post_form(&r, &w->s, &w->ops, "/tables/acme-prod/customers/edit",
                "runbook=Page+the+night+desk.&reason=new+rota");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    h_get_expect(&w->s, &w->client, "/tables/acme-prod/customers", 200,
                 "Page the night desk.", NULL);
    bystanders_still_cached(w, "an edit of customers");
    h_import(&w->s, "acme-prod", dict_v2);
    expect_json(w, "/api/v1/instances/acme-prod/tables/customers", 1);
    expect_card(w, &w->ops, "/tables/acme-prod/customers", 1);
    bystanders_still_cached(w, "an import of customers");
}

/* The form fields of a request of acme-qa adding the column points to
 * table, titled title. */
static void add_points_fields(buf *b, const char *title, const char *table)
{
    const char *const f[][2] = {{"instance", "acme-qa"},
                                {"project_manager", "pat@platform.example"},
                                {"title", title},
                                {"summary", "Please."},
                                {"items[0].kind", "add_columns"},
                                {"items[0].table", table},
                                {"items[0].columns[0].name", "points"},
                                {"items[0].columns[0].type", "integer"},
                                {"items[0].columns[0].description", "P"}};

    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        h_form_field(b, f[i][0], f[i][1]);
}

/* (e) A client's edit of a submitted request that named stores so that it
 * names visits instead (its items are written again) moves it from the
 * one card to the other on the very next request. On acme-qa. */
static void request_edit_moves_open_request(world *w)
{
    char path[64], want[64];
    buf b = {0};
    h_resp r;
    int64_t id;

    h_import(&w->s, "acme-qa",
             "table,column,type\nstores,store_id,bigint\n"
             "visits,visit_id,bigint\n");
    h_get_expect(&w->s, &w->client, "/tables/acme-qa/stores", 200,
                 "No open request changes", NULL);
    h_get_expect(&w->s, &w->client, "/tables/acme-qa/visits", 200,
                 "No open request changes", NULL);
    add_points_fields(&b, "Stores by region", "stores");
    h_post_form(&r, &w->s, &w->client, "/requests", buf_cstr(&b));
    id = h_created(&r);
    h_resp_free(&r);
    buf_dispose(&b);
    snprintf(want, sizeof want, "/requests/%lld\"", (long long)id);
    h_get_expect(&w->s, &w->client, "/tables/acme-qa/stores", 200, want, NULL);
    snprintf(path, sizeof path, "/requests/%lld/edit", (long long)id);
    add_points_fields(&b, "Visits by region", "visits");
    h_post_form(&r, &w->s, &w->client, path, buf_cstr(&b));
    if (r.status != 303)
        fail_msg("edit: %ld %s", r.status, r.body);
    h_resp_free(&r);
    buf_dispose(&b);
    h_get_expect(&w->s, &w->client, "/tables/acme-qa/stores", 200,
                 "No open request changes", NULL);
    h_get_expect(&w->s, &w->ops, "/tables/acme-qa/visits", 200, want,
                 "Visits by region", NULL);
}

/* The cache's size on /healthz: "bytes" (what the entries hold) grows by
 * the entries a first ask stores, stays the same on a second ask (a hit
 * stores nothing) and within "budget", which is DOCKET_CACHE_MB when the
 * environment sets it and 24 MiB when not. */
static void cache_size(world *w, double *entries, double *bytes, double *budget,
                       double *evictions)
{
    h_resp r;
    cJSON *doc, *c;

    h_request(&r, &w->s, NULL, "GET", "/healthz", NULL, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    doc = cJSON_Parse(r.body);
    assert_non_null(doc);
    c = cJSON_GetObjectItemCaseSensitive(doc, "cache");
    assert_non_null(c);
    *entries = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "entries"));
    *bytes = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "bytes"));
    *budget = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "budget"));
    *evictions = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "evictions"));
    cJSON_Delete(doc);
    h_resp_free(&r);
}

static void test_cache__healthz_reports_size(void **state)
{
    world *w = *state;
    const char *mb = getenv("DOCKET_CACHE_MB");
    double e0, b0, cap0, ev0, e1, b1, cap1, ev1, e2, b2, cap2, ev2;
    h_resp r;

    cache_size(w, &e0, &b0, &cap0, &ev0);
    assert_true(cap0 == (mb && *mb ? atof(mb) : 24.0) * 1024.0 * 1024.0);
    get_token(&r, w, "/api/v1/instances/acme-prod/tables/customers", 1);
    h_resp_free(&r);
    get_token(&r, w, "/tables/acme-prod/customers", 1);
    h_resp_free(&r);
    cache_size(w, &e1, &b1, &cap1, &ev1);
    if (!(e1 >= e0 + 2 && b1 > b0 + 500 && b1 <= cap1))
        fail_msg("after two first asks: %.0f entries of %.0f bytes (before "
                 "%.0f of %.0f), budget %.0f",
                 e1, b1, e0, b0, cap1);
    get_token(&r, w, "/api/v1/instances/acme-prod/tables/customers", 1);
    h_resp_free(&r);
    cache_size(w, &e2, &b2, &cap2, &ev2);
    assert_true(e2 == e1 && b2 == b1 && cap2 == cap1);
    assert_true(ev0 == 0 && ev2 == 0);
}

/* The history of the card and of the JSON names who changed the table:
 * once an admin renames that user, the very next card and JSON say the
 * new name, though nothing of the table changed. */
static void test_cache__renamed_user_seen_on_next_request(void **state)
{
    world *w = *state;
    h_session ada;
    char path[64];
    int64_t oz;
    h_resp r;

    fill(w);
    edit_runbook(w);
    for (int round = 0; round < 2; round++) {
        get_token(&r, w, "/api/v1/instances/acme-prod/tables/customers", 0);
        assert_non_null(strstr(r.body, "\"user\":\"Oz\""));
        h_resp_free(&r);
        h_get_expect(&w->s, &w->pm, "/tables/acme-prod/customers", 200, "by Oz",
                     "!Oswald", NULL);
    }
    h_world(&w->s, "ada+", &ada);
    oz = h_db_int(&w->s,
                  "SELECT id FROM users WHERE email = 'oz@platform.example'");
    snprintf(path, sizeof path, "/admin/users/%lld", (long long)oz);
    h_post_form(&r, &w->s, &ada, path, "name=Oswald+Nightly");
    if (r.status != 303)
        fail_msg("rename: %ld %s", r.status, r.body);
    h_resp_free(&r);
    get_token(&r, w, "/api/v1/instances/acme-prod/tables/customers", 1);
    h_resp_free(&r);
    get_token(&r, w, "/api/v1/instances/acme-prod/tables/customers", 0);
    if (!strstr(r.body, "\"user\":\"Oswald Nightly\"") ||
        strstr(r.body, "\"user\":\"Oz\""))
        fail_msg("the JSON after the rename: %s", r.body);
    h_resp_free(&r);
    h_get_expect(&w->s, &w->pm, "/tables/acme-prod/customers", 200,
                 "by Oswald Nightly", "!by Oz", NULL);
    h_get_expect(&w->s, &w->client, "/tables/acme-prod/customers", 200,
                 "Page the night desk.", NULL);
}

/* A submission, its deploy, edits of one table and the edit of a request,
 * one after the other on one server, each leaving the unrelated answers
 * cached. */
static void test_cache__changes_keep_unrelated_entries(void **state)
{
    world *w = *state;
    int64_t id = submission_keeps_other_entries(w);

    deploy_changes_its_tables_only(w, id);
    edit_changes_one_table(w);
    request_edit_moves_open_request(w);
    bystanders_still_cached(w, "an edit of a request on acme-qa");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_cache__cli_import_seen_on_next_request,
                                    setup, h_test_down),
    cmocka_unit_test_setup_teardown(test_cache__runbook_edit_seen_in_json,
                                    setup, h_test_down),
    cmocka_unit_test_setup_teardown(
        test_cache__open_requests_seen_on_next_request, setup, h_test_down),
    cmocka_unit_test_setup_teardown(test_cache__card_page_per_user, setup,
                                    h_test_down),
    cmocka_unit_test_setup_teardown(test_cache__card_page_flash, setup,
                                    h_test_down),
    cmocka_unit_test_setup_teardown(test_cache__changes_keep_unrelated_entries,
                                    setup_two, h_test_down),
    cmocka_unit_test_setup_teardown(test_cache__healthz_reports_size, setup,
                                    h_test_down),
    cmocka_unit_test_setup_teardown(
        test_cache__renamed_user_seen_on_next_request, setup, h_test_down),
};

int main(void)
{
    return cmocka_run_group_tests(tests, NULL, NULL);
}
