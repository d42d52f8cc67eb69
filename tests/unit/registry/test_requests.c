/* test_requests.c: registry/requests.c: the one-transaction insert and an
 * exact round trip through load, the rows written beside it (event,
 * version, outbox, timeline), Idempotency-Key semantics, the organisation
 * filter on every read, name resolution errors, listing with filters and
 * paging, and that a failure in the middle (an attachment insert) leaves
 * nothing behind. */
#include "requests.h"
#include "registry.h"
#include "config.h"
#include "mem.h"
#include "parse.h"
#include "str.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fx {
    char path[256];
    config cfg;
    registry *reg;
    int64_t client_a, client_b, pm;
    int64_t org_a, org_b;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    errmsg err = {0};
    int fd;

    snprintf(f->path, sizeof f->path, "/tmp/docket-requests-XXXXXX");
    fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(f->path);
    cfg_init(&f->cfg);
    cfg_set(&f->cfg, "channel.ops", "type", "slack", &err);
    cfg_set(&f->cfg, "route", "request.submitted", "ops", &err);
    g_config = &f->cfg;
    registry_routes_set(f->cfg.routes, f->cfg.nroutes);
    if (registry_open(&f->reg, f->path, 0, &err) < 0 ||
        registry_org_add(f->reg, &f->org_a, "acme", &err) < 0 ||
        registry_org_add(f->reg, &f->org_b, "globex", &err) < 0 ||
        registry_instance_add(f->reg, NULL, "acme", "acme-qa", "qa", "postgres",
                              &err) < 0 ||
        registry_instance_add(f->reg, NULL, "acme", "acme-prod", "production",
                              "postgres", &err) < 0 ||
        registry_instance_add(f->reg, NULL, "globex", "globex-prod",
                              "production", "snowflake", &err) < 0 ||
        registry_user_add(f->reg, &f->client_a, "ann@acme.example", "Ann",
                          "client", "acme", NULL, &err) < 0 ||
        registry_user_add(f->reg, &f->client_b, "bob@globex.example", "Bob",
                          "client", "globex", NULL, &err) < 0 ||
        registry_user_add(f->reg, &f->pm, "pm@platform.example", "Pat", "pm",
                          NULL, NULL, &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char side[300];

    registry_close(f->reg);
    g_config = NULL;
    registry_routes_set(NULL, 0);
    cfg_dispose(&f->cfg);
    unlink(f->path);
    snprintf(side, sizeof side, "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", f->path);
    unlink(side);
    free(f);
    return 0;
}

static char *read_data(const char *rel, size_t *len)
{
    char path[512];
    FILE *fp;
    char *data;
    long n;

    snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, rel);
    fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    data = xmalloc((size_t)n + 1);
    assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
    data[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return data;
}

/* The example request of tests/data/intake/request.json. */
static void example(form_request *r)
{
    form_errors fe = {0};
    size_t len;
    char *json = read_data("intake/request.json", &len);

    assert_int_equal(form_parse_json(r, json, len, &fe), 0);
    free(json);
    form_errors_dispose(&fe);
}

static const unsigned char csv_bytes[] = "member_id,tier\n1,gold\n";

static void with_attachment(form_request *r)
{
    r->attachments = xcalloc(2, sizeof *r->attachments);
    r->nattachments = 2;
    r->attachments[0].filename = xstrdup("members.csv");
    r->attachments[0].content_type = xstrdup("text/csv");
    r->attachments[0].data = csv_bytes;
    r->attachments[0].size = sizeof csv_bytes - 1;
    r->attachments[1].filename = xstrdup("empty.txt");
    r->attachments[1].content_type = xstrdup("text/plain");
    r->attachments[1].data = NULL;
    r->attachments[1].size = 0;
}

static int64_t count(fx *f, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t n = -1;

    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static char *text_of(fx *f, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *s = NULL;

    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        s = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return s;
}

static int64_t insert(fx *f, const form_request *r, int64_t user,
                      const char *key, int *replayed, errmsg *err)
{
    registry_submit s = {user, "Ann", key};
    int64_t id = 0;
    int rc = registry_request_insert(f->reg, &id, replayed, r, &s, err);

    return rc < 0 ? rc : id;
}

static void test_requests__round_trip_exact(void **state)
{
    fx *f = *state;
    form_request r, back;
    errmsg err = {0};
    int64_t id;
    cJSON *a, *b;
    char *sa, *sb;

    example(&r);
    with_attachment(&r);
    id = insert(f, &r, f->client_a, NULL, NULL, &err);
    if (id < 0)
        fail_msg("insert: %s", err.msg);
    assert_int_equal(registry_request_load(f->reg, &back, id, 0, &err), 0);
    assert_int_equal(back.id, id);
    assert_string_equal(back.status, "submitted");
    assert_true(back.created_at > 0);
    assert_int_equal(back.created_at, back.updated_at);
    assert_int_equal(back.nattachments, 2);
    assert_null(back.attachments[0].data);
    /* Everything else equals what was submitted. */
    r.id = back.id;
    r.status = xstrdup(back.status);
    r.created_at = back.created_at;
    r.updated_at = back.updated_at;
    a = form_request_to_json(&r);
    b = form_request_to_json(&back);
    sa = cJSON_PrintUnformatted(a);
    sb = cJSON_PrintUnformatted(b);
    assert_string_equal(sa, sb);
    assert_true(form_request_equal(&r, &back));
    cJSON_free(sa);
    cJSON_free(sb);
    cJSON_Delete(a);
    cJSON_Delete(b);
    form_request_dispose(&back);
    form_request_dispose(&r);
}

static void test_requests__rows_beside_the_request(void **state)
{
    fx *f = *state;
    form_request r;
    errmsg err = {0};
    int64_t id;
    char *payload, *body, *sha;
    cJSON *p, *req, *tables, *t0;

    example(&r);
    with_attachment(&r);
    id = insert(f, &r, f->client_a, NULL, NULL, &err);
    assert_true(id > 0);
    assert_int_equal(count(f, "SELECT count(*) FROM request_events WHERE "
                              "from_status = '' AND to_status = "
                              "'submitted'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM request_versions WHERE "
                              "version = 1"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM request_instances"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM item_columns"), 5);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE channel = "
                              "'ops'"),
                     1);
    sha = text_of(f, "SELECT sha256 FROM attachments WHERE filename = "
                     "'empty.txt'");
    assert_string_equal(sha, "e3b0c44298fc1c149afbf4c8996fb924"
                             "27ae41e4649b934ca495991b7852b855");
    free(sha);
    body = text_of(f, "SELECT body FROM request_versions");
    assert_non_null(strstr(body, "\"title\":\"Loyalty tiers\""));
    free(body);
    payload = text_of(f, "SELECT payload FROM events WHERE event = "
                         "'request.submitted'");
    p = cJSON_Parse(payload);
    assert_non_null(p);
    assert_string_equal(cJSON_GetObjectItem(p, "event")->valuestring,
                        "request.submitted");
    assert_string_equal(cJSON_GetObjectItem(p, "actor")->valuestring, "Ann");
    assert_string_equal(cJSON_GetObjectItem(p, "url")->valuestring,
                        "/requests/1");
    req = cJSON_GetObjectItem(p, "request");
    assert_string_equal(cJSON_GetObjectItem(req, "number")->valuestring,
                        "CR-1");
    assert_string_equal(cJSON_GetObjectItem(req, "organisation")->valuestring,
                        "acme");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(req, "instances")),
                     2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(req, "consent_related")));
    assert_string_equal(
        cJSON_GetObjectItem(req, "project_manager")->valuestring,
        "pm@platform.example");
    tables = cJSON_GetObjectItem(p, "tables");
    /* loyalty_members, customers (two items merged) */
    assert_int_equal(cJSON_GetArraySize(tables), 2);
    t0 = cJSON_GetArrayItem(tables, 0);
    assert_string_equal(cJSON_GetObjectItem(t0, "table")->valuestring,
                        "loyalty_members");
    assert_string_equal(
        cJSON_GetObjectItem(t0, "campaign_dependency")->valuestring,
        "required");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(t0, "consent")));
    assert_string_equal(cJSON_GetObjectItem(t0, "url")->valuestring,
                        "/tables/acme-prod/loyalty_members");
    assert_string_equal(
        cJSON_GetArrayItem(cJSON_GetObjectItem(t0, "changes"), 0)->valuestring,
        "new table");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
                         cJSON_GetArrayItem(tables, 1), "changes")),
                     2); /* 1 column added, 1 attribute changed */
    cJSON_Delete(p);
    free(payload);
    form_request_dispose(&r);
}

static void test_requests__idempotency(void **state)
{
    fx *f = *state;
    form_request r;
    errmsg err = {0};
    int64_t id1, id2, id3;
    int replayed = -1;

    example(&r);
    id1 = insert(f, &r, f->client_a, "key-1", &replayed, &err);
    assert_true(id1 > 0);
    assert_int_equal(replayed, 0);
    id2 = insert(f, &r, f->client_a, "key-1", &replayed, &err);
    assert_int_equal(id2, id1);
    assert_int_equal(replayed, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM requests"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM events"), 1);

    /* Same key, other body: a conflict, nothing written. */
    free(r.title);
    r.title = xstrdup("Loyalty tiers, take two");
    id3 = insert(f, &r, f->client_a, "key-1", &replayed, &err);
    assert_int_equal(id3, ERR_CONFLICT);
    assert_string_equal(err.field, "Idempotency-Key");
    assert_int_equal(count(f, "SELECT count(*) FROM requests"), 1);

    /* The key is per requester. */
    err_clear(&err);
    id3 = insert(f, &r, f->pm, "key-1", &replayed, &err);
    assert_true(id3 > id1);
    assert_int_equal(replayed, 0);

    /* Bad keys. */
    err_clear(&err);
    assert_int_equal(insert(f, &r, f->client_a, "bad key", NULL, &err),
                     ERR_INVALID);
    form_request_dispose(&r);
}

static void count_row(void *ctx, const registry_attachment *a)
{
    (void)a;
    ++*(int *)ctx;
}

static void test_requests__org_filter(void **state)
{
    fx *f = *state;
    form_request r, back;
    registry_request_row row;
    registry_attachment meta;
    unsigned char *data = NULL;
    errmsg err = {0};
    int64_t id, org = 0;
    int n = 0;

    example(&r);
    with_attachment(&r);
    id = insert(f, &r, f->client_a, NULL, NULL, &err);
    assert_true(id > 0);
    assert_int_equal(registry_request_org(f->reg, id, &org), 0);
    assert_int_equal(org, f->org_a);
    assert_int_equal(registry_request_org(f->reg, id + 100, &org),
                     ERR_NOTFOUND);

    assert_int_equal(registry_request_load(f->reg, &back, id, f->org_a, &err),
                     0);
    form_request_dispose(&back);
    /* Another organisation's request is missing, exactly like a missing
       one. */
    assert_int_equal(registry_request_load(f->reg, &back, id, f->org_b, &err),
                     ERR_NOTFOUND);
    assert_null(back.title);
    assert_int_equal(registry_request_row_get(f->reg, &row, id, f->org_b, &err),
                     ERR_NOTFOUND);
    assert_int_equal(registry_request_row_get(f->reg, &row, id, f->org_a, &err),
                     0);
    assert_string_equal(row.pm_name, "Pat");
    assert_string_equal(row.instance, "acme-prod");

    assert_int_equal(
        registry_attachment_list(f->reg, id, f->org_b, count_row, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(
        registry_attachment_list(f->reg, id, f->org_a, count_row, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(
        registry_attachment_get(f->reg, &meta, &data, id, 1, f->org_b, &err),
        ERR_NOTFOUND);
    assert_int_equal(
        registry_attachment_get(f->reg, &meta, &data, id + 1, 1, 0, &err),
        ERR_NOTFOUND);
    assert_int_equal(
        registry_attachment_get(f->reg, &meta, &data, id, 1, f->org_a, &err),
        0);
    assert_int_equal(meta.size, sizeof csv_bytes - 1);
    assert_memory_equal(data, csv_bytes, sizeof csv_bytes - 1);
    assert_string_equal(meta.filename, "members.csv");
    free(data);
    form_request_dispose(&r);
}

static void test_requests__names_resolved(void **state)
{
    fx *f = *state;
    form_request r;
    errmsg err = {0};

    example(&r);
    free(r.instance);
    r.instance = xstrdup("globex-prod"); /* another organisation's */
    assert_int_equal(insert(f, &r, f->client_a, NULL, NULL, &err), ERR_INVALID);
    assert_string_equal(err.field, "instance");
    err_clear(&err);
    free(r.instance);
    r.instance = xstrdup("acme-prod");
    free(r.instances[0]);
    r.instances[0] = xstrdup("nowhere");
    assert_int_equal(insert(f, &r, f->client_a, NULL, NULL, &err), ERR_INVALID);
    assert_string_equal(err.field, "instances[0]");
    err_clear(&err);
    free(r.instances[0]);
    r.instances[0] = xstrdup("acme-qa");
    free(r.project_manager);
    r.project_manager = xstrdup("ann@acme.example"); /* not a pm */
    assert_int_equal(insert(f, &r, f->client_a, NULL, NULL, &err), ERR_INVALID);
    assert_string_equal(err.field, "project_manager");
    err_clear(&err);
    free(r.organisation);
    r.organisation = xstrdup("initech");
    assert_int_equal(insert(f, &r, f->client_a, NULL, NULL, &err), ERR_INVALID);
    assert_string_equal(err.field, "organisation");
    assert_int_equal(count(f, "SELECT count(*) FROM requests"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM request_items"), 0);
    form_request_dispose(&r);
}

/* A failure in the middle: the attachment insert is made to fail (by a
 * trigger added behind the registry's back); nothing may remain. */
static void test_requests__failure_rolls_back_everything(void **state)
{
    fx *f = *state;
    form_request r;
    errmsg err = {0};
    sqlite3 *db;
    int64_t id;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TRIGGER boom BEFORE INSERT ON attachments "
                     "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    example(&r);
    with_attachment(&r);
    id = insert(f, &r, f->client_a, "k", NULL, &err);
    assert_true(id < 0);
    assert_non_null(strstr(err.msg, "disk on fire"));
    assert_int_equal(count(f, "SELECT (SELECT count(*) FROM requests) +"
                              " (SELECT count(*) FROM request_items) +"
                              " (SELECT count(*) FROM item_columns) +"
                              " (SELECT count(*) FROM request_instances) +"
                              " (SELECT count(*) FROM attachments) +"
                              " (SELECT count(*) FROM request_events) +"
                              " (SELECT count(*) FROM request_versions) +"
                              " (SELECT count(*) FROM events) +"
                              " (SELECT count(*) FROM outbox)"),
                     0);
    /* The connection is usable again and not inside a transaction. */
    form_request_dispose(&r);
    example(&r);
    err_clear(&err);
    assert_true(insert(f, &r, f->client_a, "k", NULL, &err) > 0);
    form_request_dispose(&r);
}

typedef struct seen {
    int64_t ids[64];
    int n;
} seen;

static void list_row(void *ctx, const registry_request_row *row)
{
    seen *s = ctx;

    s->ids[s->n++] = row->id;
}

static void test_requests__list_filters_and_pages(void **state)
{
    fx *f = *state;
    form_request r;
    errmsg err = {0};
    registry_request_query q = {0};
    seen s;
    int64_t total = -1;

    example(&r);
    for (int i = 0; i < 5; i++) {
        char title[64];
        snprintf(title, sizeof title, "Request %d%s", i,
                 i == 3 ? " 100%_done" : "");
        free(r.title);
        r.title = xstrdup(title);
        assert_true(insert(f, &r, f->client_a, NULL, NULL, &err) > 0);
    }
    free(r.organisation);
    r.organisation = xstrdup("globex");
    free(r.instance);
    r.instance = xstrdup("globex-prod");
    free(r.instances[0]);
    free(r.instances[1]);
    r.ninstances = 0;
    assert_true(insert(f, &r, f->client_b, NULL, NULL, &err) > 0);

    memset(&s, 0, sizeof s);
    assert_int_equal(
        registry_request_list(f->reg, &q, list_row, &s, &total, &err), 0);
    assert_int_equal(total, 6);
    assert_int_equal(s.n, 6);
    assert_int_equal(s.ids[0], 6); /* newest first */

    memset(&s, 0, sizeof s);
    q.org_id = f->org_a;
    q.per_page = 2;
    q.page = 2;
    assert_int_equal(
        registry_request_list(f->reg, &q, list_row, &s, &total, &err), 0);
    assert_int_equal(total, 5);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], 3);
    assert_int_equal(s.ids[1], 2);

    memset(&s, 0, sizeof s);
    memset(&q, 0, sizeof q);
    q.q = "100%_";
    assert_int_equal(
        registry_request_list(f->reg, &q, list_row, &s, &total, &err), 0);
    assert_int_equal(total, 1);
    assert_int_equal(s.ids[0], 4);

    memset(&s, 0, sizeof s);
    memset(&q, 0, sizeof q);
    q.q = "LOYALTY programme"; /* summary, any case */
    q.instance = "acme-qa";    /* not the main instance, but listed */
    assert_int_equal(
        registry_request_list(f->reg, &q, list_row, &s, &total, &err), 0);
    assert_int_equal(total, 5);

    memset(&s, 0, sizeof s);
    memset(&q, 0, sizeof q);
    q.status = "deployed";
    assert_int_equal(
        registry_request_list(f->reg, &q, list_row, &s, &total, &err), 0);
    assert_int_equal(total, 0);
    assert_int_equal(s.n, 0);
    form_request_dispose(&r);
}

static void ev_row(void *ctx, const registry_request_event *e)
{
    char *out = ctx;

    snprintf(out, 64, "%.15s>%.15s by %.20s", e->from_status, e->to_status,
             e->user_name);
}

static void tn_row(void *ctx, const char *instance, const char *table)
{
    (void)instance;
    (void)table;
    ++*(int *)ctx;
}

static void test_requests__timeline_and_table_names(void **state)
{
    fx *f = *state;
    form_request r;
    errmsg err = {0};
    char line[64] = "";
    int n = 0;
    int64_t id;

    example(&r);
    id = insert(f, &r, f->client_a, NULL, NULL, &err);
    assert_int_equal(registry_request_events(f->reg, id, ev_row, line, &err),
                     0);
    assert_string_equal(line, ">submitted by Ann");
    assert_int_equal(
        registry_request_table_names(f->reg, f->org_a, 100, tn_row, &n, &err),
        0);
    assert_int_equal(n, 0);
    form_request_dispose(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_requests__round_trip_exact, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_requests__rows_beside_the_request,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_requests__idempotency, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_requests__org_filter, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_requests__names_resolved, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_requests__failure_rolls_back_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requests__list_filters_and_pages,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_requests__timeline_and_table_names,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
