/* test_notify_links.c: every link docket sends resolves. A real server
 * (harness) with real data: an organisation, instances, a request moved
 * through triage to deployed (so a request, a sprint and a table exist).
 * Every message type is rendered for every channel type (Slack, Teams,
 * PagerDuty change and alert, webhook, e-mail) with base_url set to the
 * server's URL, from the events the server itself wrote, from the
 * fixtures of tests/data/notify/payloads (their ids and names replaced by
 * the real ones) and from the test message. Every URL that points at the
 * server is then requested signed in as an admin (so authorisation is
 * never the reason) and must answer 200, or 303 to a page that answers
 * 200. Registered in tests/cmake/notify.cmake. */
#include "harness.h"
#include "notify_int.h"
#include "buf.h"
#include "str.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static h_session ada;
static char ann_token[128], pat_token[128];
static int64_t req_id, sprint_id;

static void move(const char *json)
{
    char path[96];
    h_resp r;

    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)req_id);
    h_send_json(&r, &srv, NULL, pat_token, "POST", path, json);
    if (r.status != 200)
        fail_msg("move %s: %ld %s", json, r.status, r.body);
    h_resp_free(&r);
}

static int up(void **state)
{
    h_session pat;
    h_resp r;
    char json[256];

    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme acme-qa acme-prod:mysql ann pat+ ada+", &pat, &ada);
    h_token(&srv, "ann@acme.example", "tests", ann_token, sizeof ann_token);
    h_token(&srv, "pat@platform.example", "tests", pat_token, sizeof pat_token);
    h_get(&r, &srv, &pat, "/requests"); /* creates the sprints */
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    sprint_id = h_db_int(&srv, "SELECT id FROM sprints ORDER BY starts_on "
                               "LIMIT 1 OFFSET 1");

    h_send_json(
        &r, &srv, NULL, ann_token, "POST", "/api/v1/requests",
        "{\"instance\":\"acme-prod\",\"instances\":[\"acme-qa\",\"acme-prod\"],"
        "\"project_manager\":\"pat@platform.example\",\"title\":\"Loyalty "
        "tiers\",\"summary\":\"Please.\",\"items\":[{\"kind\":\"new_table\","
        "\"table\":\"loyalty_members\",\"description\":\"x\",\"source\":"
        "\"flat_file_csv\",\"cadence\":\"daily\",\"campaign_dependency\":"
        "\"optional\",\"columns\":[{\"name\":\"member_id\",\"type\":"
        "\"string(20)\",\"nullable\":false,\"primary_key\":true,"
        "\"description\":\"m\"},{\"name\":\"tier\",\"type\":\"string(10)\","
        "\"description\":\"t\"}]}]}");
    if (r.status != 201)
        fail_msg("create: %ld %s", r.status, r.body);
    req_id = h_created(&r);
    h_resp_free(&r);
    move("{\"to\":\"triaged\"}");
    snprintf(json, sizeof json, "{\"to\":\"scheduled\",\"sprint\":%lld}",
             (long long)sprint_id);
    move(json);
    move("{\"to\":\"in_progress\"}");
    move("{\"to\":\"deployed\",\"instance\":\"acme-qa\"}");
    move("{\"to\":\"deployed\",\"instance\":\"acme-prod\"}");
    /* A hand edit of the deployed table: a registry.changed event. */
    h_post_form(&r, &srv, &pat, "/tables/acme-prod/loyalty_members/edit",
                "runbook=Call+the+loyalty+team&reason=on+call");
    if (r.status != 303)
        fail_msg("edit: %ld %s", r.status, r.body);
    h_resp_free(&r);
    return 0;
}

/* ---- collecting the links ---- */

typedef struct links {
    char *url[512];
    int n;
    int per_type[8];
} links;

static int url_char(unsigned char c)
{
    return c > ' ' && c < 127 && !strchr("\"'<>|\\`)]", c);
}

/* Adds every URL of text that starts with the server's URL. */
static void scan(links *l, int type, const char *text)
{
    size_t blen = strlen(srv.url);
    const char *p = text;

    while ((p = strstr(p, srv.url)) != NULL) {
        size_t n = blen;
        char u[1024];
        while (url_char((unsigned char)p[n]) && n < sizeof u - 1)
            n++;
        memcpy(u, p, n);
        u[n] = '\0';
        p += n;
        /* In HTML, & is written &amp;. */
        for (char *a; (a = strstr(u, "&amp;")) != NULL;)
            memmove(a + 1, a + 5, strlen(a + 5) + 1);
        l->per_type[type]++;
        for (int i = 0; i < l->n; i++)
            if (!strcmp(l->url[i], u))
                goto next;
        assert_true(l->n < 512);
        l->url[l->n++] = strdup(u);
    next:;
    }
}

static void scan_json(links *l, int type, const cJSON *j)
{
    const cJSON *c;

    if (cJSON_IsString(j))
        scan(l, type, j->valuestring);
    cJSON_ArrayForEach(c, j) scan_json(l, type, c);
}

/* The base64 parts of a MIME message, decoded, and the headers. */
static void scan_mail(links *l, int type, const char *msg)
{
    const char *p = msg;
    static const char tag[] = "Content-Transfer-Encoding: base64\r\n\r\n";

    scan(l, type, msg);
    while ((p = strstr(p, tag)) != NULL) {
        const char *end;
        size_t n, len;
        unsigned char *out;

        p += strlen(tag);
        end = strstr(p, "\r\n--");
        n = end ? (size_t)(end - p) : strlen(p);
        out = malloc(n + 1);
        assert_int_equal(sodium_base642bin(out, n, p, n, "\r\n", &len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        out[len] = '\0';
        scan(l, type, (const char *)out);
        free(out);
        p += n;
    }
}

enum { SLACK, TEAMS, PD_CHANGE, PD_ALERT, WEBHOOK, EMAIL, NTYPES };

static void render_all(links *l, const char *event, const char *uid,
                       const char *payload_json)
{
    static const char *const to[] = {"pm@platform.example"};
    cJSON *payload = cJSON_Parse(payload_json);
    notify_event ev = {uid, event, 1764928800, NULL, NULL};
    notify_view v;
    buf out = {0};

    if (!cJSON_IsObject(payload))
        fail_msg("payload of %s is not JSON", event);
    ev.payload = payload;
    notify_view_build(&v, &ev, srv.url);
    for (int t = 0; t < NTYPES; t++) {
        cJSON *j;
        int rc;
        buf_reset(&out);
        switch (t) {
        case SLACK: rc = notify_render_slack(&out, &v); break;
        case TEAMS: rc = notify_render_teams(&out, &v, NOTIFY_TEAMS_MAX); break;
        case PD_CHANGE:
        case PD_ALERT:
            rc = notify_render_pagerduty(&out, &v, &ev,
                                         "0123456789abcdef0123456789abcdef",
                                         t == PD_ALERT);
            break;
        case WEBHOOK: rc = notify_render_webhook(&out, &v, &ev); break;
        default:
            rc = notify_render_email(&out, &v, &ev,
                                     "Docket <docket@platform.example>", to, 1,
                                     1764928800);
            break;
        }
        assert_int_equal(rc, 0);
        if (t == EMAIL) {
            scan_mail(l, t, buf_cstr(&out));
            continue;
        }
        j = cJSON_Parse(buf_cstr(&out));
        assert_non_null(j);
        scan_json(l, t, j);
        cJSON_Delete(j);
    }
    buf_dispose(&out);
    notify_view_dispose(&v);
    cJSON_Delete(payload);
}

/* text with every from replaced by to (caller frees). */
static char *replace(char *text, const char *from, const char *to)
{
    buf b = {0};
    const char *p = text, *q;

    while ((q = strstr(p, from)) != NULL) {
        buf_append(&b, p, (size_t)(q - p));
        buf_puts(&b, to);
        p = q + strlen(from);
    }
    buf_puts(&b, p);
    free(text);
    return buf_detach(&b);
}

static char *read_fixture(const char *event)
{
    char rel[200];

    snprintf(rel, sizeof rel, "tests/data/notify/payloads/%s.json", event);
    return h_read(h_source(rel), NULL);
}

static const char *fixtures[] = {
    "request.submitted",  "request.updated",  "request.commented",
    "request.needs_info", "request.answered", "request.scheduled",
    "request.deployed",   "request.rejected", "deploy.digest",
    "delivery.failed",    "registry.changed", "inbox.digest",
    "feed.missing",       "feed.recovered",   "feed.failed",
    "feed.anomaly",
};

/* GET path as the admin: 200, or a 303 to a page that answers 200. */
static void resolves(const char *url)
{
    const char *path = url + strlen(srv.url);
    char p[1024], loc[1024];
    h_resp r;

    str_copy(p, sizeof p, *path ? path : "/");
    p[strcspn(p, "#")] = '\0'; /* the fragment stays in the browser */
    h_get(&r, &srv, &ada, p);
    if (r.status == 303 && h_resp_header(&r, "Location", loc, sizeof loc)) {
        h_resp_free(&r);
        if (!strncmp(loc, srv.url, strlen(srv.url)))
            memmove(loc, loc + strlen(srv.url),
                    strlen(loc + strlen(srv.url)) + 1);
        h_get(&r, &srv, &ada, loc);
    }
    if (r.status != 200)
        fail_msg("link %s answers %ld", url, r.status);
    h_resp_free(&r);
}

static void test_notify_links__every_link_resolves(void **state)
{
    links l;
    char id[32], sprint[32];
    sqlite3 *db;
    sqlite3_stmt *st;
    int nreal = 0, admin_link = 0;

    (void)state;
    memset(&l, 0, sizeof l);
    /* The events the server wrote for the real request. */
    assert_int_equal(sqlite3_open_v2(srv.db, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT event, uid, payload FROM "
                                        "events ORDER BY id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        render_all(&l, (const char *)sqlite3_column_text(st, 0),
                   (const char *)sqlite3_column_text(st, 1),
                   (const char *)sqlite3_column_text(st, 2));
        nreal++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(nreal >= 5);

    /* Every message type from the fixtures, pointing at the real data. */
    snprintf(id, sizeof id, "%lld", (long long)req_id);
    snprintf(sprint, sizeof sprint, "%lld", (long long)sprint_id);
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        char *p = read_fixture(fixtures[i]), path[64];
        snprintf(path, sizeof path, "/requests/%s", id);
        p = replace(p, "/requests/12", path);
        p = replace(p, "\"id\": 12,", "\"id\": 0,");
        p = replace(p, "\"id\": 14,", "\"id\": 0,");
        p = replace(p, "\"id\": 0,", "\"id\": ID,");
        snprintf(path, sizeof path, "\"id\": %s,", id);
        p = replace(p, "\"id\": ID,", path);
        snprintf(path, sizeof path, "/sprints/%s", sprint);
        p = replace(p, "/sprints/3", path);
        p = replace(p, "/loyalty_events", "/loyalty_members");
        render_all(&l, fixtures[i], "0f9e8d7c6b5a49382716", p);
        free(p);
    }
    /* The test message. */
    {
        cJSON *t = notify_test_payload("ops-slack");
        char *txt = cJSON_PrintUnformatted(t);
        render_all(&l, "notify.test", "0f9e8d7c6b5a49382717", txt);
        free(txt);
        cJSON_Delete(t);
    }
    for (int t = 0; t < NTYPES; t++)
        if (l.per_type[t] == 0)
            fail_msg("channel type %d sent no link", t);
    assert_true(l.n >= 4);
    print_message("%d events of the server, %d distinct links\n", nreal, l.n);
    for (int i = 0; i < l.n; i++) {
        if (strstr(l.url[i], "/admin/deliveries"))
            admin_link = 1;
        resolves(l.url[i]);
        free(l.url[i]);
    }
    assert_true(admin_link);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_notify_links__every_link_resolves),
};

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, up, h_group_down);
}
