/* test_inbox_api.c: the inbox and watches JSON API against the real
 * server: who gets which item as a request goes through its life
 * (submitted to the PM, needs_info to the requester, scheduled and
 * deployed to the requester and ops, never to the actor), watches of a
 * table (its rules edited, a request naming it scheduled) and of a
 * request (its comments), stopping a watch, tenant isolation (a client of
 * another organisation can neither watch nor hear of anything of acme,
 * and its 404 reads as for something missing), marking read and unread,
 * paging, the e-mail setting, and the 422 / 401 answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "harness.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static h_session ann, bob, pat, oz, ada;
static char t_ann[128], t_bob[128], t_pat[128], t_oz[128], t_ada[128];
static int64_t sprint_id;
static int counter;

/* acme's words that globex must never read. */
#define ACME_SECRET "Zanzibar plan"
#define ACME_TABLE  "zanzibar_vault"

static const char acme_dict[] =
    "table,column,type,nullable,description,campaign_dependency,owner\n"
    "customers,customer_id,bigint,no,Customer number,required,"
    "crm@acme.example\n" ACME_TABLE ",thing,integer,yes,Only at acme,"
    "optional,vault@acme.example\n";
static const char globex_dict[] =
    "table,column,type,nullable,description,campaign_dependency,owner\n"
    "orders,order_id,bigint,no,Order number,required,ops@globex.example\n";

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme globex acme-prod globex-prod");
    h_world(&srv, "ann+ bob+ pat+ oz+ ada+", &ann, &bob, &pat, &oz, &ada);
    h_import(&srv, "acme-prod", acme_dict);
    h_import(&srv, "globex-prod", globex_dict);
    h_token(&srv, "ann@acme.example", "t", t_ann, sizeof t_ann);
    h_token(&srv, "bob@globex.example", "t", t_bob, sizeof t_bob);
    h_token(&srv, "pat@platform.example", "t", t_pat, sizeof t_pat);
    h_token(&srv, "oz@platform.example", "t", t_oz, sizeof t_oz);
    h_token(&srv, "ada@platform.example", "t", t_ada, sizeof t_ada);
    /* Opening the queue creates the current and the next sprints. */
    h_get_expect(&srv, &pat, "/requests", 200, NULL);
    sprint_id = h_db_int(&srv, "SELECT id FROM sprints ORDER BY starts_on "
                               "LIMIT 1 OFFSET 1");
    assert_true(sprint_id > 0);
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

/* A call with an API token (json NULL: no body); fails the test unless
 * the status is want (0: any). Returns the parsed body (NULL when it is
 * not JSON); the raw answer in *raw when raw is not NULL (caller frees). */
static cJSON *call(const char *token, const char *method, const char *path,
                   const char *json, long want, h_resp *raw)
{
    h_resp r;
    cJSON *j;

    if (json || strcmp(method, "GET")) {
        h_send_json(&r, &srv, NULL, token, method, path, json);
    } else {
        char auth[200];
        const char *hdrs[] = {auth, NULL};
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h_request(&r, &srv, NULL, method, path, NULL, NULL, 0, hdrs);
    }
    if (want && r.status != want)
        fail_msg("%s %s: %ld, wanted %ld: %s", method, path, r.status, want,
                 r.body);
    j = cJSON_Parse(r.body);
    if (raw)
        *raw = r;
    else
        h_resp_free(&r);
    return j;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!cJSON_IsNumber(v))
        fail_msg("no number %s", key);
    return v->valuedouble;
}

/* The whole inbox of token's user (newest first), parsed. */
static cJSON *inbox(const char *token)
{
    return call(token, "GET", "/api/v1/inbox?limit=200", NULL, 200, NULL);
}

/* The items of inbox in with event for request number ("CR-12"; NULL: any
 * request or none). */
static int count(const cJSON *in, const char *event, const char *number)
{
    const cJSON *it;
    int n = 0;

    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(in, "items"))
    {
        const char *req = str_of(it, "request");
        if (event && strcmp(str_of(it, "event"), event) != 0)
            continue;
        if (number && (!req || strcmp(req, number) != 0))
            continue;
        n++;
    }
    return n;
}

/* How many items token's user has with event about request id. */
static int has(const char *token, const char *event, int64_t id)
{
    char number[32];
    cJSON *in = inbox(token);
    int n;

    snprintf(number, sizeof number, "CR-%lld", (long long)id);
    n = count(in, event, number);
    cJSON_Delete(in);
    return n;
}

/* The first item of the inbox with event for request number. */
static const cJSON *find(const cJSON *in, const char *event, const char *number)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(in, "items"))
    {
        const char *req = str_of(it, "request");
        if (!strcmp(str_of(it, "event"), event) &&
            (!number || (req && !strcmp(req, number))))
            return it;
    }
    fail_msg("no %s item for %s", event, number ? number : "-");
    return NULL;
}

static int64_t unread(const char *token)
{
    cJSON *in = inbox(token);
    int64_t n = (int64_t)num_of(in, "unread");

    cJSON_Delete(in);
    return n;
}

/* A new request of acme on acme-prod (by ann, PM pat) with one item:
 * new_table a fresh table, or add_columns to table when it is given. */
static int64_t submit(const char *token, const char *title, const char *table)
{
    char json[2048], item[1024];
    int64_t id;
    h_resp r;
    int glob = token == t_bob;

    counter++;
    if (table)
        snprintf(item, sizeof item,
                 "{\"kind\":\"add_columns\",\"table\":\"%s\",\"columns\":"
                 "[{\"name\":\"extra_%d\",\"type\":\"integer\",\"nullable\":"
                 "true,\"description\":\"x\"}]}",
                 table, counter);
    else
        snprintf(item, sizeof item,
                 "{\"kind\":\"new_table\",\"table\":\"t_%d\",\"description\":"
                 "\"x\",\"source\":\"api\",\"cadence\":\"daily\","
                 "\"campaign_dependency\":\"optional\",\"columns\":[{\"name\":"
                 "\"member_id\",\"type\":\"bigint\",\"nullable\":false,"
                 "\"description\":\"m\"}]}",
                 counter);
    snprintf(json, sizeof json,
             "{\"instance\":\"%s\",\"project_manager\":"
             "\"pat@platform.example\",\"title\":\"%s\",\"summary\":\"Please."
             "\",\"items\":[%s]}",
             glob ? "globex-prod" : "acme-prod", title, item);
    h_send_json(&r, &srv, NULL, token, "POST", "/api/v1/requests", json);
    if (r.status != 201)
        fail_msg("submit: %ld %s", r.status, r.body);
    id = h_created(&r);
    h_resp_free(&r);
    return id;
}

/* The PM (or token) moves request id with the transition json. */
static void move(const char *token, int64_t id, const char *json)
{
    char path[96];
    cJSON *j;

    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)id);
    j = call(token, "POST", path, json, 200, NULL);
    cJSON_Delete(j);
}

static void schedule(int64_t id)
{
    char j[96];

    move(t_pat, id, "{\"to\":\"triaged\"}");
    snprintf(j, sizeof j, "{\"to\":\"scheduled\",\"sprint\":%lld}",
             (long long)sprint_id);
    move(t_pat, id, j);
}

static void comment(const char *token, int64_t id, const char *text)
{
    char path[96], json[256];
    cJSON *j;

    snprintf(path, sizeof path, "/api/v1/requests/%lld/comments",
             (long long)id);
    snprintf(json, sizeof json, "{\"body\":\"%s\"}", text);
    j = call(token, "POST", path, json, 201, NULL);
    cJSON_Delete(j);
}

/* The PM edits acme-prod/customers (its owner) through the form. */
static void edit_customers(const char *owner)
{
    char body[256];
    h_resp r;

    snprintf(body, sizeof body, "owner=%s&reason=rotation", h_urlenc(owner));
    h_post_form(&r, &srv, &pat, "/tables/acme-prod/customers/edit", body);
    if (r.status != 303)
        fail_msg("edit: %ld %s", r.status, r.body);
    h_resp_free(&r);
}

/* PUT, DELETE or GET of a watch: its JSON (status want). */
static cJSON *watch(const char *token, const char *method, const char *path,
                    long want)
{
    return call(token, method, path, NULL, want, NULL);
}

static int is_true(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!cJSON_IsBool(v))
        fail_msg("%s is not a boolean", key);
    return cJSON_IsTrue(v);
}

/* The answer is 422 {"errors": [...]} with a problem of field. */
static void is_422(const h_resp *r, const char *field)
{
    cJSON *root = cJSON_Parse(r->body), *e;
    int seen = 0;

    if (r->status != 422 || !root)
        fail_msg("want 422, got %ld: %s", r->status, r->body);
    assert_null(cJSON_GetObjectItemCaseSensitive(root, "error"));
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "errors"))
    {
        const char *f = str_of(e, "field"), *m = str_of(e, "message");
        assert_non_null(f);
        assert_true(m && *m);
        seen |= !strcmp(f, field);
    }
    if (!seen)
        fail_msg("no error on \"%s\": %s", field, r->body);
    cJSON_Delete(root);
}

/* ---- who gets what ------------------------------------------------------ */

static void test_inbox__submission_tells_the_pm_not_the_actor(void **state)
{
    int64_t id;
    char number[32], url[48];
    const cJSON *it;
    cJSON *in;

    (void)state;
    id = submit(t_ann, "Loyalty tiers", NULL);
    snprintf(number, sizeof number, "CR-%lld", (long long)id);
    snprintf(url, sizeof url, "/requests/%lld", (long long)id);
    in = inbox(t_pat);
    it = find(in, "request.submitted", number);
    assert_string_equal(str_of(it, "reason"), "pm");
    assert_false(is_true(it, "read"));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(it, "read_at")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(it, "table")));
    assert_non_null(strstr(str_of(it, "headline"), number));
    assert_true(strlen(str_of(it, "summary")) > 0);
    assert_string_equal(str_of(it, "url"), url);
    /* 2026-12-05T18:40:12Z */
    assert_int_equal(strlen(str_of(it, "created_at")), 20);
    assert_true(num_of(in, "unread") >= 1);
    cJSON_Delete(in);
    /* the actor hears nothing of its own act, ops nothing of a
       submission */
    assert_int_equal(has(t_ann, NULL, id), 0);
    assert_int_equal(has(t_oz, NULL, id), 0);
}

static void test_inbox__life_cycle_reaches_requester_and_ops(void **state)
{
    int64_t id = submit(t_ann, "Purchase history", NULL);
    char j[96];

    (void)state;
    move(t_pat, id, "{\"to\":\"triaged\"}");
    move(t_pat, id, "{\"to\":\"needs_info\",\"note\":\"Which feed?\"}");
    assert_int_equal(has(t_ann, "request.needs_info", id), 1);
    {
        char number[32];
        cJSON *in = inbox(t_ann);
        snprintf(number, sizeof number, "CR-%lld", (long long)id);
        assert_string_equal(
            str_of(find(in, "request.needs_info", number), "reason"),
            "requester");
        cJSON_Delete(in);
    }
    assert_int_equal(has(t_oz, "request.needs_info", id), 0);
    assert_int_equal(has(t_pat, "request.needs_info", id), 0);
    move(t_ann, id, "{\"to\":\"answered\",\"note\":\"The API one.\"}");
    assert_int_equal(has(t_pat, "request.answered", id), 1);
    assert_int_equal(has(t_ann, "request.answered", id), 0);

    snprintf(j, sizeof j, "{\"to\":\"scheduled\",\"sprint\":%lld}",
             (long long)sprint_id);
    move(t_pat, id, j);
    assert_int_equal(has(t_ann, "request.scheduled", id), 1);
    assert_int_equal(has(t_oz, "request.scheduled", id), 1);
    assert_int_equal(has(t_pat, "request.scheduled", id), 0);
    assert_int_equal(has(t_ada, "request.scheduled", id), 0);
    {
        char number[32];
        cJSON *in = inbox(t_oz);
        snprintf(number, sizeof number, "CR-%lld", (long long)id);
        assert_string_equal(
            str_of(find(in, "request.scheduled", number), "reason"), "ops");
        cJSON_Delete(in);
    }

    move(t_pat, id, "{\"to\":\"deployed\",\"instance\":\"acme-prod\"}");
    assert_int_equal(has(t_ann, "request.deployed", id), 1);
    assert_int_equal(has(t_oz, "request.deployed", id), 1);
    assert_int_equal(has(t_pat, "request.deployed", id), 0);
    /* a client never gets another client's items */
    assert_int_equal(has(t_bob, NULL, id), 0);
}

/* An item's "url" is a path of this site or null: a payload whose url
 * names another host (or is no path at all) is not handed on. */
static void test_inbox__url_only_a_local_path(void **state)
{
    static const char *const bad[] = {"//evil.example/x",
                                      "https://evil.example/",
                                      "/\\evil.example", "javascript:alert(1)"};
    int64_t id = submit(t_ann, "Links", NULL);
    char sql[300], number[32];
    cJSON *in;

    (void)state;
    snprintf(number, sizeof number, "CR-%lld", (long long)id);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(sql, sizeof sql,
                 "UPDATE events SET payload = json_set(payload, '$.url', "
                 "'%s') WHERE request_id = %lld",
                 bad[i], (long long)id);
        h_db_exec(&srv, sql);
        in = inbox(t_pat);
        if (!cJSON_IsNull(cJSON_GetObjectItem(
                find(in, "request.submitted", number), "url")))
            fail_msg("url %s handed on", bad[i]);
        cJSON_Delete(in);
    }
}

/* ---- watches ------------------------------------------------------------ */

static void test_watch__table_edits_and_scheduling(void **state)
{
    const char *path = "/api/v1/watches/table/acme-prod/customers";
    cJSON *j, *in, *w;
    const cJSON *it;
    int64_t id, before;

    (void)state;
    j = watch(t_oz, "PUT", path, 200);
    assert_string_equal(str_of(j, "kind"), "table");
    assert_string_equal(str_of(j, "ref"), "acme-prod/customers");
    assert_true(is_true(j, "watching"));
    assert_true(is_true(j, "changed"));
    cJSON_Delete(j);
    j = watch(t_oz, "PUT", path, 200); /* again: nothing changes */
    assert_false(is_true(j, "changed"));
    cJSON_Delete(j);
    j = watch(t_oz, "GET", path, 200);
    assert_true(is_true(j, "watching"));
    cJSON_Delete(j);
    j = watch(t_pat, "GET", path, 200); /* someone else: not watching */
    assert_false(is_true(j, "watching"));
    cJSON_Delete(j);
    w = watch(t_oz, "GET", "/api/v1/watches", 200);
    it = cJSON_GetArrayItem(cJSON_GetObjectItem(w, "watches"), 0);
    assert_non_null(it);
    assert_string_equal(str_of(it, "kind"), "table");
    assert_string_equal(str_of(it, "ref"), "acme-prod/customers");
    assert_string_equal(str_of(it, "path"), "/tables/acme-prod/customers");
    assert_non_null(strstr(str_of(it, "label"), "customers"));
    cJSON_Delete(w);

    /* the PM edits its rules: the watcher hears of it, the editor not */
    edit_customers("data@acme.example");
    in = inbox(t_oz);
    it = find(in, "registry.changed", NULL);
    assert_string_equal(str_of(it, "reason"), "watch");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(it, "request")));
    assert_string_equal(str_of(cJSON_GetObjectItem(it, "table"), "instance"),
                        "acme-prod");
    assert_string_equal(str_of(cJSON_GetObjectItem(it, "table"), "name"),
                        "customers");
    assert_string_equal(str_of(it, "url"), "/tables/acme-prod/customers");
    assert_non_null(strstr(str_of(it, "headline"), "customers"));
    cJSON_Delete(in);
    in = inbox(t_pat);
    assert_int_equal(count(in, "registry.changed", NULL), 0);
    cJSON_Delete(in);

    /* an admin (no role routing for scheduling) watching the table hears
       of a request that will change it when it is scheduled */
    j = watch(t_ada, "PUT", path, 200);
    cJSON_Delete(j);
    id = submit(t_ann, "More customer columns", "customers");
    schedule(id);
    assert_int_equal(has(t_ada, "request.scheduled", id), 1);
    {
        char number[32];
        snprintf(number, sizeof number, "CR-%lld", (long long)id);
        in = inbox(t_ada);
        assert_string_equal(
            str_of(find(in, "request.scheduled", number), "reason"), "watch");
        cJSON_Delete(in);
    }
    /* not watching: not told */
    id = submit(t_ann, "A table of its own", NULL);
    schedule(id);
    assert_int_equal(has(t_ada, "request.scheduled", id), 0);

    /* DELETE stops it */
    j = watch(t_oz, "DELETE", path, 200);
    assert_false(is_true(j, "watching"));
    assert_true(is_true(j, "changed"));
    cJSON_Delete(j);
    j = watch(t_oz, "DELETE", path, 200);
    assert_false(is_true(j, "changed"));
    cJSON_Delete(j);
    j = watch(t_ada, "DELETE", path, 200);
    cJSON_Delete(j);
    in = inbox(t_oz);
    before = count(in, "registry.changed", NULL);
    cJSON_Delete(in);
    edit_customers("other@acme.example");
    in = inbox(t_oz);
    assert_int_equal(count(in, "registry.changed", NULL), before);
    cJSON_Delete(in);
    id = submit(t_ann, "Even more customer columns", "customers");
    schedule(id);
    assert_int_equal(has(t_ada, "request.scheduled", id), 0);
    j = watch(t_oz, "GET", path, 200);
    assert_false(is_true(j, "watching"));
    cJSON_Delete(j);
}

static void test_watch__request_comments(void **state)
{
    int64_t id = submit(t_ann, "Consent flags", NULL);
    char path[96], alt[96], number[32];
    cJSON *j;

    (void)state;
    snprintf(number, sizeof number, "CR-%lld", (long long)id);
    snprintf(path, sizeof path, "/api/v1/watches/request/%lld", (long long)id);
    snprintf(alt, sizeof alt, "/api/v1/watches/request/cr-%lld", (long long)id);
    /* ops is not told of comments unless watching */
    comment(t_ann, id, "First note.");
    assert_int_equal(has(t_oz, "request.commented", id), 0);
    assert_int_equal(has(t_pat, "request.commented", id), 1);

    j = watch(t_oz, "PUT", alt, 200); /* "CR-12" names it too */
    assert_string_equal(str_of(j, "kind"), "request");
    assert_string_equal(str_of(j, "ref"), number);
    assert_true(is_true(j, "watching"));
    assert_true(is_true(j, "changed"));
    cJSON_Delete(j);
    j = watch(t_oz, "GET", path, 200);
    assert_true(is_true(j, "watching"));
    cJSON_Delete(j);
    comment(t_ann, id, "Second note.");
    assert_int_equal(has(t_oz, "request.commented", id), 1);
    {
        cJSON *in = inbox(t_oz);
        assert_string_equal(
            str_of(find(in, "request.commented", number), "reason"), "watch");
        cJSON_Delete(in);
    }
    /* the watcher's own comment is not news to it */
    comment(t_oz, id, "Noted.");
    assert_int_equal(has(t_oz, "request.commented", id), 1);
    assert_int_equal(has(t_ann, "request.commented", id), 1);

    j = watch(t_oz, "DELETE", path, 200);
    assert_true(is_true(j, "changed"));
    cJSON_Delete(j);
    comment(t_ann, id, "Third note.");
    assert_int_equal(has(t_oz, "request.commented", id), 1);
}

/* ---- tenant isolation --------------------------------------------------- */

/* Body of bob's call, with the status checked. */
static char *bob_body(const char *method, const char *path, long want)
{
    h_resp r;
    char *s;
    cJSON *j = call(t_bob, method, path, NULL, want, &r);

    cJSON_Delete(j);
    s = strdup(r.body);
    h_resp_free(&r);
    return s;
}

static int leaks(const char *body)
{
    return strstr(body, ACME_SECRET) || strstr(body, ACME_TABLE) ||
           strstr(body, "acme") || strstr(body, "Customer number") ||
           strstr(body, "customers");
}

static void test_tenancy__foreign_watch_is_a_missing_one(void **state)
{
    static const char *const methods[] = {"PUT", "GET", "DELETE"};
    int64_t id = submit(t_ann, ACME_SECRET, NULL);
    char theirs[96];

    (void)state;
    snprintf(theirs, sizeof theirs, "/api/v1/watches/request/%lld",
             (long long)id);
    for (size_t m = 0; m < 3; m++) {
        char *a = bob_body(methods[m], theirs, 404);
        char *b = bob_body(methods[m], "/api/v1/watches/request/987654", 404);
        char *c = bob_body(methods[m],
                           "/api/v1/watches/table/acme-prod/" ACME_TABLE, 404);
        char *d = bob_body(methods[m],
                           "/api/v1/watches/table/acme-prod/nothing", 404);
        char *e =
            bob_body(methods[m], "/api/v1/watches/table/nowhere/nothing", 404);
        assert_string_equal(a, b);
        assert_string_equal(c, d);
        assert_string_equal(c, e);
        if (leaks(a) || leaks(c))
            fail_msg("%s names acme's things: %s %s", methods[m], a, c);
        free(a);
        free(b);
        free(c);
        free(d);
        free(e);
    }
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM watches WHERE "
                                    "user_id = (SELECT id FROM users WHERE "
                                    "email = 'bob@globex.example')"),
                     0);
    /* bob's own organisation's table: fine */
    cJSON_Delete(
        watch(t_bob, "PUT", "/api/v1/watches/table/globex-prod/orders", 200));
}

static void test_tenancy__no_item_about_another_organisation(void **state)
{
    int64_t id = submit(t_ann, ACME_SECRET " two", "customers");
    int64_t gid = submit(t_bob, "Globex orders", NULL);
    char path[400];
    h_resp r;
    cJSON *in, *it;

    (void)state;
    /* a watch of acme's request that bob never could have made through
       the API (as if left from before a move between organisations) */
    snprintf(path, sizeof path,
             "INSERT INTO watches(kind, ref, user_id, created_at) VALUES "
             "('request', %lld, (SELECT id FROM users WHERE email = "
             "'bob@globex.example'), 1)",
             (long long)id);
    h_db_exec(&srv, path);
    snprintf(path, sizeof path, "/api/v1/watches/request/%lld", (long long)id);
    cJSON_Delete(watch(t_bob, "PUT", path, 404));
    cJSON_Delete(
        watch(t_bob, "PUT", "/api/v1/watches/table/acme-prod/customers", 404));

    /* a full flow on acme */
    move(t_pat, id, "{\"to\":\"triaged\"}");
    move(t_pat, id, "{\"to\":\"needs_info\",\"note\":\"Zanzibar?\"}");
    move(t_ann, id, "{\"to\":\"answered\",\"note\":\"Zanzibar.\"}");
    comment(t_ann, id, "Zanzibar comment");
    {
        char j[96];
        snprintf(j, sizeof j, "{\"to\":\"scheduled\",\"sprint\":%lld}",
                 (long long)sprint_id);
        move(t_pat, id, j);
    }
    move(t_pat, id, "{\"to\":\"deployed\",\"instance\":\"acme-prod\"}");
    edit_customers("zanzibar@acme.example");
    /* and one thing of globex's own, so bob's inbox is not empty */
    move(t_pat, gid, "{\"to\":\"needs_info\",\"note\":\"Which orders?\"}");

    in = call(t_bob, "GET", "/api/v1/inbox?limit=200", NULL, 200, &r);
    if (leaks(r.body))
        fail_msg("bob's inbox names acme's things: %s", r.body);
    assert_int_equal(has(t_bob, "request.needs_info", gid), 1);
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(in, "items"))
    {
        char number[32];
        snprintf(number, sizeof number, "CR-%lld", (long long)gid);
        if (!str_of(it, "request") || strcmp(str_of(it, "request"), number))
            fail_msg("bob has an item not about globex's request: %s", r.body);
    }
    cJSON_Delete(in);
    h_resp_free(&r);
    in = call(t_bob, "GET", "/api/v1/watches", NULL, 200, &r);
    if (leaks(r.body))
        fail_msg("bob's watches name acme's things: %s", r.body);
    cJSON_Delete(in);
    h_resp_free(&r);
    /* bob's items were not even written */
    snprintf(path, sizeof path,
             "SELECT count(*) FROM inbox x JOIN events e ON e.id = x.event_id "
             "WHERE x.user_id = (SELECT id FROM users WHERE email = "
             "'bob@globex.example') AND e.request_id = %lld",
             (long long)id);
    assert_int_equal(h_db_int(&srv, path), 0);
}

/* ---- marking read ------------------------------------------------------- */

/* POST /api/v1/inbox/read as token: {changed, unread} (-1: any). */
static void mark(const char *token, const char *json, int64_t want_changed,
                 int64_t want_unread)
{
    cJSON *j = call(token, "POST", "/api/v1/inbox/read", json, 200, NULL);

    if (want_changed >= 0)
        assert_int_equal((int64_t)num_of(j, "changed"), want_changed);
    if (want_unread >= 0)
        assert_int_equal((int64_t)num_of(j, "unread"), want_unread);
    cJSON_Delete(j);
}

static void test_read__mark_by_ids_all_and_unread(void **state)
{
    int64_t id = submit(t_ann, "Marking", NULL), n, first, second, ann_item;
    char json[160];
    cJSON *in;
    const cJSON *it;

    (void)state;
    submit(t_ann, "Marking two", NULL);
    mark(t_pat, "{\"all\":true}", unread(t_pat), 0);
    mark(t_pat, "{\"all\":true,\"read\":false}", -1, -1);
    n = unread(t_pat);
    assert_true(n >= 3);
    in = inbox(t_pat);
    first = (int64_t)num_of(
        cJSON_GetArrayItem(cJSON_GetObjectItem(in, "items"), 0), "id");
    second = (int64_t)num_of(
        cJSON_GetArrayItem(cJSON_GetObjectItem(in, "items"), 1), "id");
    cJSON_Delete(in);

    snprintf(json, sizeof json, "{\"ids\":[%lld]}", (long long)first);
    mark(t_pat, json, 1, n - 1);
    mark(t_pat, json, 0, n - 1); /* already read */
    in = inbox(t_pat);
    it = cJSON_GetArrayItem(cJSON_GetObjectItem(in, "items"), 0);
    assert_true(is_true(it, "read"));
    assert_int_equal(strlen(str_of(it, "read_at")), 20);
    cJSON_Delete(in);
    in =
        call(t_pat, "GET", "/api/v1/inbox?unread=1&limit=200", NULL, 200, NULL);
    assert_int_equal(count(in, NULL, NULL), n - 1);
    cJSON_Delete(in);

    snprintf(json, sizeof json, "{\"ids\":[%lld,%lld],\"read\":false}",
             (long long)first, (long long)second);
    mark(t_pat, json, 1, n); /* second was unread already */

    /* someone else's item: nothing changes, for either of them */
    in = inbox(t_ann);
    it = cJSON_GetArrayItem(cJSON_GetObjectItem(in, "items"), 0);
    assert_non_null(it);
    ann_item = (int64_t)num_of(it, "id");
    assert_false(is_true(it, "read"));
    cJSON_Delete(in);
    snprintf(json, sizeof json, "{\"ids\":[%lld]}", (long long)ann_item);
    mark(t_pat, json, 0, n);
    in = inbox(t_ann);
    assert_false(is_true(
        cJSON_GetArrayItem(cJSON_GetObjectItem(in, "items"), 0), "read"));
    cJSON_Delete(in);

    /* all up to an id: the newer ones stay unread */
    snprintf(json, sizeof json, "{\"all\":true,\"up_to\":%lld}",
             (long long)second);
    mark(t_pat, json, n - 1, 1);
    mark(t_pat, "{\"all\":true}", 1, 0);
    assert_int_equal(unread(t_pat), 0);
    (void)id;
}

static void test_read__session_needs_the_csrf_header(void **state)
{
    h_resp r;
    const char *hdrs[] = {NULL};

    (void)state;
    /* the cookie without the CSRF header: refused, nothing changed */
    mark(t_pat, "{\"all\":true,\"read\":false}", -1, -1);
    h_request(&r, &srv, &pat, "POST", "/api/v1/inbox/read", "application/json",
              "{\"all\":true}", strlen("{\"all\":true}"), hdrs);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    assert_true(unread(t_pat) > 0);
    /* with it: fine */
    h_send_json(&r, &srv, &pat, NULL, "POST", "/api/v1/inbox/read",
                "{\"all\":true}");
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    assert_int_equal(unread(t_pat), 0);
    h_send_json(&r, &srv, &oz, NULL, "PUT",
                "/api/v1/watches/table/acme-prod/customers", NULL);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    h_request(&r, &srv, &oz, "DELETE",
              "/api/v1/watches/table/acme-prod/customers", NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    h_send_json(&r, &srv, &oz, NULL, "DELETE",
                "/api/v1/watches/table/acme-prod/customers", NULL);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
}

static void test_read__paging(void **state)
{
    cJSON *p1, *p2;
    const char *next;
    int64_t a, b;

    (void)state;
    p1 = call(t_pat, "GET", "/api/v1/inbox?limit=1", NULL, 200, NULL);
    assert_int_equal(count(p1, NULL, NULL), 1);
    next = str_of(p1, "next");
    assert_non_null(next);
    a = (int64_t)num_of(cJSON_GetArrayItem(cJSON_GetObjectItem(p1, "items"), 0),
                        "id");
    {
        char want[96];
        snprintf(want, sizeof want, "/api/v1/inbox?before=%lld&limit=1",
                 (long long)a);
        assert_string_equal(next, want);
    }
    p2 = call(t_pat, "GET", next, NULL, 200, NULL);
    b = (int64_t)num_of(cJSON_GetArrayItem(cJSON_GetObjectItem(p2, "items"), 0),
                        "id");
    assert_true(b < a);
    cJSON_Delete(p1);
    cJSON_Delete(p2);
    /* the last page has no next */
    p1 = call(t_pat, "GET", "/api/v1/inbox?before=1", NULL, 200, NULL);
    assert_int_equal(count(p1, NULL, NULL), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(p1, "next")));
    cJSON_Delete(p1);
}

/* ---- the e-mail setting ------------------------------------------------- */

static void test_settings__without_an_email_channel(void **state)
{
    h_resp r;
    cJSON *j;

    (void)state;
    j = call(t_ann, "GET", "/api/v1/inbox/settings", NULL, 200, NULL);
    assert_string_equal(str_of(j, "email"), "off");
    assert_false(is_true(j, "email_available"));
    cJSON_Delete(j);
    h_send_json(&r, &srv, NULL, t_ann, "PUT", "/api/v1/inbox/settings",
                "{\"email\":\"each\"}");
    assert_int_equal(r.status, 409);
    h_resp_free(&r);
    j = call(t_ann, "PUT", "/api/v1/inbox/settings", "{\"email\":\"off\"}", 200,
             NULL);
    assert_string_equal(str_of(j, "email"), "off");
    cJSON_Delete(j);
}

static int mail_up(void **state)
{
    h_server *s = calloc(1, sizeof *s);

    assert_non_null(s);
    h_server_start(s, "[notify]\nallow_private = true\n"
                      "[channel.mail]\ntype = email\n"
                      "smtp_url = smtp://127.0.0.1:9\n"
                      "starttls = false\n"
                      "from = docket <docket@example.com>\n"
                      "to = ops@platform.example\n");
    h_world(s, "acme acme-prod ann");
    *state = s;
    return 0;
}

static void test_settings__with_an_email_channel(void **state)
{
    h_server *s = *state;
    char tok[128];
    h_resp r;
    cJSON *j;

    h_token(s, "ann@acme.example", "t", tok, sizeof tok);
    h_send_json(&r, s, NULL, tok, "PUT", "/api/v1/inbox/settings",
                "{\"email\":\"daily\"}");
    assert_int_equal(r.status, 200);
    j = cJSON_Parse(r.body);
    assert_string_equal(str_of(j, "email"), "daily");
    assert_true(is_true(j, "email_available"));
    cJSON_Delete(j);
    h_resp_free(&r);
    {
        char auth[200];
        const char *hdrs[] = {auth, NULL};
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
        h_request(&r, s, NULL, "GET", "/api/v1/inbox/settings", NULL, NULL, 0,
                  hdrs);
    }
    assert_int_equal(r.status, 200);
    j = cJSON_Parse(r.body);
    assert_string_equal(str_of(j, "email"), "daily");
    assert_true(is_true(j, "email_available"));
    cJSON_Delete(j);
    h_resp_free(&r);
    assert_int_equal(h_db_int(s, "SELECT count(*) FROM users WHERE "
                                 "inbox_email = 'daily'"),
                     1);
    h_send_json(&r, s, NULL, tok, "PUT", "/api/v1/inbox/settings",
                "{\"email\":\"weekly\"}");
    is_422(&r, "email");
    h_resp_free(&r);
}

static int mail_down(void **state)
{
    h_server *s = *state;

    assert_int_equal(h_server_stop(s), 0);
    h_server_cleanup(s);
    free(s);
    return 0;
}

/* ---- refusals ----------------------------------------------------------- */

static void test_refusals__422_with_field_names(void **state)
{
    static const struct {
        const char *path, *field;
    } gets[] = {
        {"/api/v1/inbox?limit=0", "limit"},
        {"/api/v1/inbox?limit=201", "limit"},
        {"/api/v1/inbox?limit=ten", "limit"},
        {"/api/v1/inbox?before=-4", "before"},
        {"/api/v1/inbox?before=x", "before"},
        {"/api/v1/inbox?unread=maybe", "unread"},
    };
    static const struct {
        const char *json, *field;
    } posts[] = {
        {"{}", "ids"},
        {"{\"ids\":[]}", "ids"},
        {"{\"ids\":\"1\"}", "ids"},
        {"{\"ids\":[1,0]}", "ids[1]"},
        {"{\"ids\":[1.5]}", "ids[0]"},
        {"{\"all\":\"yes\"}", "all"},
        {"{\"all\":true,\"read\":1}", "read"},
        {"{\"all\":true,\"up_to\":-1}", "up_to"},
        {"{\"up_to\":5}", "up_to"},
        {"{\"all\":true,\"ids\":[1]}", "ids"},
        {"{\"all\":true,\"colour\":\"red\"}", "colour"},
        {"[1,2]", ""},
    };
    h_resp r;
    buf many = {0};
    char *before = h_db_digest(&srv);

    (void)state;
    for (size_t i = 0; i < sizeof gets / sizeof *gets; i++) {
        cJSON_Delete(call(t_pat, "GET", gets[i].path, NULL, 0, &r));
        is_422(&r, gets[i].field);
        h_resp_free(&r);
    }
    for (size_t i = 0; i < sizeof posts / sizeof *posts; i++) {
        cJSON_Delete(
            call(t_pat, "POST", "/api/v1/inbox/read", posts[i].json, 0, &r));
        is_422(&r, posts[i].field);
        h_resp_free(&r);
    }
    /* more than 500 ids at once */
    buf_puts(&many, "{\"ids\":[");
    for (int i = 1; i <= 501; i++)
        buf_appendf(&many, "%s%d", i > 1 ? "," : "", i);
    buf_puts(&many, "]}");
    cJSON_Delete(
        call(t_pat, "POST", "/api/v1/inbox/read", buf_cstr(&many), 0, &r));
    is_422(&r, "ids");
    h_resp_free(&r);
    buf_dispose(&many);
    /* settings */
    cJSON_Delete(call(t_pat, "PUT", "/api/v1/inbox/settings",
                      "{\"email\":\"weekly\"}", 0, &r));
    is_422(&r, "email");
    h_resp_free(&r);
    cJSON_Delete(
        call(t_pat, "PUT", "/api/v1/inbox/settings", "{\"email\":1}", 0, &r));
    is_422(&r, "email");
    h_resp_free(&r);
    cJSON_Delete(call(t_pat, "PUT", "/api/v1/inbox/settings",
                      "{\"mail\":\"off\"}", 0, &r));
    is_422(&r, "mail");
    h_resp_free(&r);
    /* not JSON at all: 400 */
    cJSON_Delete(call(t_pat, "POST", "/api/v1/inbox/read", "{", 400, NULL));
    h_unchanged(&srv, before, "refused calls");
    free(before);
    /* a kind that is not watched: no such address */
    cJSON_Delete(watch(t_pat, "PUT", "/api/v1/watches/sprint/1", 404));
    cJSON_Delete(watch(t_pat, "PUT", "/api/v1/watches/request/abc", 404));
}

static void test_refusals__401_without_auth(void **state)
{
    static const struct {
        const char *method, *path;
    } routes[] = {
        {"GET", "/api/v1/inbox"},
        {"POST", "/api/v1/inbox/read"},
        {"GET", "/api/v1/inbox/settings"},
        {"PUT", "/api/v1/inbox/settings"},
        {"GET", "/api/v1/watches"},
        {"GET", "/api/v1/watches/request/1"},
        {"PUT", "/api/v1/watches/request/1"},
        {"DELETE", "/api/v1/watches/request/1"},
        {"GET", "/api/v1/watches/table/acme-prod/customers"},
        {"PUT", "/api/v1/watches/table/acme-prod/customers"},
        {"DELETE", "/api/v1/watches/table/acme-prod/customers"},
    };
    h_resp r;
    char hdr[64];

    (void)state;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        h_request(&r, &srv, NULL, routes[i].method, routes[i].path,
                  strcmp(routes[i].method, "GET") ? "application/json" : NULL,
                  strcmp(routes[i].method, "GET") ? "{}" : NULL,
                  strcmp(routes[i].method, "GET") ? 2 : 0, NULL);
        if (r.status != 401)
            fail_msg("%s %s: %ld", routes[i].method, routes[i].path, r.status);
        assert_true(h_resp_header(&r, "WWW-Authenticate", hdr, sizeof hdr));
        assert_non_null(strstr(r.body, "\"error\""));
        h_resp_free(&r);
    }
    /* a token that is not one */
    cJSON_Delete(call("dkt_nonsense", "GET", "/api/v1/inbox", NULL, 401, NULL));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_inbox__submission_tells_the_pm_not_the_actor),
    cmocka_unit_test(test_inbox__life_cycle_reaches_requester_and_ops),
    cmocka_unit_test(test_inbox__url_only_a_local_path),
    cmocka_unit_test(test_watch__table_edits_and_scheduling),
    cmocka_unit_test(test_watch__request_comments),
    cmocka_unit_test(test_tenancy__foreign_watch_is_a_missing_one),
    cmocka_unit_test(test_tenancy__no_item_about_another_organisation),
    cmocka_unit_test(test_read__mark_by_ids_all_and_unread),
    cmocka_unit_test(test_read__session_needs_the_csrf_header),
    cmocka_unit_test(test_read__paging),
    cmocka_unit_test(test_settings__without_an_email_channel),
    cmocka_unit_test_setup_teardown(test_settings__with_an_email_channel,
                                    mail_up, mail_down),
    cmocka_unit_test(test_refusals__422_with_field_names),
    cmocka_unit_test(test_refusals__401_without_auth),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
