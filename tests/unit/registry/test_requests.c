/* test_requests.c: registry/requests.c: the one-transaction insert and an
 * exact round trip through load, the rows written beside it (event,
 * version, outbox, timeline), Idempotency-Key semantics, the organisation
 * filter on every read, name resolution errors, listing with filters and
 * paging, and that a failure in the middle (an attachment insert) leaves
 * nothing behind. */
#include "fixture.h"
#include "registry_int.h"
#include "requests.h"
#include "mem.h"
#include "parse.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    ufx *f = ufx_open("requests");

    ufx_people(f, "snowflake");
    ufx_route(f, "request.submitted", "ops");
    *state = f;
    return 0;
}

/* The example request of tests/data/intake/request.json. */
static void example(form_request *r)
{
    char *json = ufx_read_data("intake/request.json", NULL);

    ufx_parse(r, json);
    free(json);
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

static int64_t insert(ufx *f, const form_request *r, int64_t user,
                      const char *key, int *replayed, errmsg *err)
{
    registry_submit s = {user, "Ann", key};
    int64_t id = 0;
    int rc = registry_request_insert(f->reg, &id, replayed, r, &s, err);

    return rc < 0 ? rc : id;
}

static void test_requests__round_trip_exact(void **state)
{
    ufx *f = *state;
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
    static const struct {
        const char *sql;
        int64_t n;
    } rows[] = {
        {"SELECT count(*) FROM request_events WHERE from_status = '' AND"
         " to_status = 'submitted'",
         1},
        {"SELECT count(*) FROM request_versions WHERE version = 1", 1},
        {"SELECT count(*) FROM request_instances", 2},
        {"SELECT count(*) FROM item_columns", 5},
        {"SELECT count(*) FROM outbox WHERE channel = 'ops'", 1},
    };
    ufx *f = *state;
    char *payload, *body, *sha;
    form_request r;
    errmsg err = {0};
    int64_t id;
    cJSON *p;

    example(&r);
    with_attachment(&r);
    id = insert(f, &r, f->client_a, NULL, NULL, &err);
    assert_true(id > 0);
    for (size_t i = 0; i < UFX_NELEM(rows); i++)
        if (ufx_int(f, rows[i].sql) != rows[i].n)
            fail_msg("%s: %lld, not %lld", rows[i].sql,
                     (long long)ufx_int(f, rows[i].sql), (long long)rows[i].n);
    sha = ufx_text(f, "SELECT sha256 FROM attachments WHERE filename = "
                      "'empty.txt'");
    assert_string_equal(sha, "e3b0c44298fc1c149afbf4c8996fb924"
                             "27ae41e4649b934ca495991b7852b855");
    free(sha);
    body = ufx_text(f, "SELECT body FROM request_versions");
    assert_non_null(strstr(body, "\"title\":\"Loyalty tiers\""));
    free(body);
    payload = ufx_text(f, "SELECT payload FROM events WHERE event = "
                          "'request.submitted'");
    p = ufx_json_parse(payload);
    ufx_json_str(p, "event", "request.submitted");
    ufx_json_str(p, "actor", "Ann");
    ufx_json_str(p, "url", "/requests/1");
    ufx_json_str(p, "request.number", "CR-1");
    ufx_json_str(p, "request.organisation", "acme");
    ufx_json_size(p, "request.instances", 2);
    ufx_json_true(p, "request.consent_related");
    ufx_json_str(p, "request.project_manager", "pm@platform.example");
    /* loyalty_members, customers (two items merged) */
    ufx_json_size(p, "tables", 2);
    ufx_json_str(p, "tables.0.table", "loyalty_members");
    ufx_json_str(p, "tables.0.campaign_dependency", "required");
    ufx_json_true(p, "tables.0.consent");
    ufx_json_str(p, "tables.0.url", "/tables/acme-prod/loyalty_members");
    ufx_json_str(p, "tables.0.changes.0", "new table");
    /* 1 column added, 1 attribute changed */
    ufx_json_size(p, "tables.1.changes", 2);
    cJSON_Delete(p);
    free(payload);
    form_request_dispose(&r);
}

static void test_requests__idempotency(void **state)
{
    ufx *f = *state;
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
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM requests"), 1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM events"), 1);

    /* Same key, other body: a conflict, nothing written. */
    ufx_set(&r.title, "Loyalty tiers, take two");
    id3 = insert(f, &r, f->client_a, "key-1", &replayed, &err);
    assert_int_equal(id3, ERR_CONFLICT);
    assert_string_equal(err.field, "Idempotency-Key");
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM requests"), 1);

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
    ufx *f = *state;
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
    assert_int_equal(registry_request_org(f->reg, id, &org, &err), 0);
    assert_int_equal(org, f->org_a);
    assert_int_equal(registry_request_org(f->reg, id + 100, &org, NULL),
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

/* An insert of r that is refused naming field. */
static void refused_naming(ufx *f, form_request *r, const char *field)
{
    errmsg err = {0};

    assert_int_equal(insert(f, r, f->client_a, NULL, NULL, &err), ERR_INVALID);
    assert_string_equal(err.field, field);
}

static void test_requests__names_resolved(void **state)
{
    ufx *f = *state;
    form_request r;

    example(&r);
    ufx_set(&r.instance, "globex-prod"); /* another organisation's */
    refused_naming(f, &r, "instance");
    ufx_set(&r.instance, "acme-prod");
    ufx_set(&r.instances[0], "nowhere");
    refused_naming(f, &r, "instances[0]");
    ufx_set(&r.instances[0], "acme-qa");
    ufx_set(&r.project_manager, "ann@acme.example"); /* not a pm */
    refused_naming(f, &r, "project_manager");
    ufx_set(&r.organisation, "initech");
    refused_naming(f, &r, "organisation");
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM requests"), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM request_items"), 0);
    form_request_dispose(&r);
}

/* A failure in the middle: the attachment insert is made to fail (by a
 * trigger added behind the registry's back); nothing may remain. */
static void test_requests__failure_rolls_back_everything(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    form_request r;
    int64_t id;

    ufx_exec(f, "CREATE TRIGGER boom BEFORE INSERT ON attachments "
                "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;");
    example(&r);
    with_attachment(&r);
    id = insert(f, &r, f->client_a, "k", NULL, &err);
    assert_true(id < 0);
    assert_non_null(strstr(err.msg, "disk on fire"));
    assert_int_equal(ufx_int(f, "SELECT (SELECT count(*) FROM requests) +"
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

static void list_row(void *ctx, const registry_request_row *row)
{
    ufx_ids_add(ctx, row->id);
}

/* The requests listed under q (into *s, emptied first); the total. */
static int64_t listed(ufx *f, const registry_request_query *q, ufx_ids *s)
{
    errmsg err = {0};
    int64_t total = -1;

    memset(s, 0, sizeof *s);
    assert_int_equal(
        registry_request_list(f->reg, q, list_row, s, &total, &err), 0);
    return total;
}

static void test_requests__list_filters_and_pages(void **state)
{
    ufx *f = *state;
    form_request r;
    errmsg err = {0};
    registry_request_query q = {0};
    ufx_ids s;

    example(&r);
    for (int i = 0; i < 5; i++) {
        char title[64];
        snprintf(title, sizeof title, "Request %d%s", i,
                 i == 3 ? " 100%_done" : "");
        ufx_set(&r.title, title);
        assert_true(insert(f, &r, f->client_a, NULL, NULL, &err) > 0);
    }
    ufx_set(&r.organisation, "globex");
    ufx_set(&r.instance, "globex-prod");
    free(r.instances[0]);
    free(r.instances[1]);
    r.ninstances = 0;
    assert_true(insert(f, &r, f->client_b, NULL, NULL, &err) > 0);

    assert_int_equal(listed(f, &q, &s), 6);
    assert_int_equal(s.n, 6);
    assert_int_equal(s.ids[0], 6); /* newest first */

    q.org_id = f->org_a;
    q.per_page = 2;
    q.page = 2;
    assert_int_equal(listed(f, &q, &s), 5);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], 3);
    assert_int_equal(s.ids[1], 2);

    memset(&q, 0, sizeof q);
    q.q = "100%_";
    assert_int_equal(listed(f, &q, &s), 1);
    assert_int_equal(s.ids[0], 4);

    memset(&q, 0, sizeof q);
    q.q = "LOYALTY programme"; /* summary, any case */
    q.instance = "acme-qa";    /* not the main instance, but listed */
    assert_int_equal(listed(f, &q, &s), 5);

    memset(&q, 0, sizeof q);
    q.status = "deployed";
    assert_int_equal(listed(f, &q, &s), 0);
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
    ufx *f = *state;
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

/* FTS5's count of the index leaves written so far (nWriteCounter of the
 * structure record of search_fts: a 4-byte cookie, then varints: levels,
 * segments, the counter). Each write of pending rows adds at least one. */
static int64_t fts_leaves_written(ufx *f)
{
    sqlite3_stmt *st = NULL;
    const unsigned char *p;
    int64_t v[3] = {0, 0, 0};
    int n, i = 4;

    assert_int_equal(sqlite3_prepare_v2(f->db,
                                        "SELECT block FROM search_fts_data"
                                        " WHERE id = 10",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    p = sqlite3_column_blob(st, 0);
    n = sqlite3_column_bytes(st, 0);
    for (int k = 0; k < 3; k++) {
        /* SQLite's varint: 7 bits a byte, high bit set on all but the
           last; a ninth byte has 8. */
        for (int b = 0; b < 9 && i < n; b++) {
            unsigned char c = p[i++];
            if (b == 8) {
                v[k] = (v[k] << 8) | c;
                break;
            }
            v[k] = (v[k] << 7) | (c & 0x7f);
            if (!(c & 0x80))
                break;
        }
    }
    sqlite3_finalize(st);
    return v[2];
}

/* The search row of request id: 1 when it is there with its number and
 * title as the name, 0 when not (-1 when it is there but differs). */
static int search_row_is(ufx *f, int64_t id, const char *title)
{
    char sql[256], *name;
    int ok;

    snprintf(sql, sizeof sql,
             "SELECT name FROM search_fts WHERE rowid = %lld * 4 + 3"
             " AND kind = 'request' AND ref = %lld",
             (long long)id, (long long)id);
    name = ufx_text(f, sql);
    if (!name)
        return 0;
    snprintf(sql, sizeof sql, "CR-%lld %s", (long long)id, title);
    ok = strcmp(name, sql) ? -1 : 1;
    free(name);
    return ok;
}

#define NBATCH 24

/* A batch of submissions in one transaction, as the group-commit writer
 * applies them: every request has its search row when the transaction
 * commits, written once for the batch (FTS5 wrote a segment of the index
 * per request when a trigger inserted each row). */
static void test_requests__search_rows_once_per_batch(void **state)
{
    ufx *f = *state;
    form_request rs[NBATCH];
    registry_job jobs[NBATCH];
    registry_submit s = {0, "Ann", NULL};
    errmsg err = {0};
    int64_t before, written;
    char json[512], title[64];

    s.requester_id = f->client_a;
    before = fts_leaves_written(f);
    assert_int_equal(registry_begin(f->reg, &err), 0);
    for (int i = 0; i < NBATCH; i++) {
        snprintf(json, sizeof json,
                 UFX_REQUEST("Batch okapi %d",
                             "{\"kind\":\"new_table\",\"table\":\"t%d\","
                             "\"columns\":[{\"name\":\"id\","
                             "\"type\":\"bigint\"}]}"),
                 i, i);
        ufx_parse(&rs[i], json);
        assert_int_equal(registry_job_init(&jobs[i], &rs[i], &s, &err), 0);
        if (reg_job_apply(f->reg, &jobs[i]) != 0)
            fail_msg("job %d: %s", i, jobs[i].err.msg);
    }
    /* Nothing is visible to another connection before the commit. */
    assert_int_equal(ufx_int(f,
                             "SELECT count(*) FROM search_fts WHERE search_fts"
                             " MATCH 'okapi'"),
                     0);
    assert_int_equal(registry_commit(f->reg, &err), 0);
    written = fts_leaves_written(f) - before;
    if (written > 4)
        fail_msg("the batch of %d requests wrote %lld index leaves", NBATCH,
                 (long long)written);
    for (int i = 0; i < NBATCH; i++) {
        snprintf(title, sizeof title, "Batch okapi %d", i);
        assert_int_equal(search_row_is(f, jobs[i].id, title), 1);
        registry_job_dispose(&jobs[i]);
        form_request_dispose(&rs[i]);
    }
    assert_int_equal(ufx_int(f,
                             "SELECT count(*) FROM search_fts WHERE search_fts"
                             " MATCH 'okapi'"),
                     NBATCH);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM search_pending"), 0);
    ufx_exec(f, "INSERT INTO search_fts(search_fts) VALUES('integrity-check')");
}

/* Every way a request is inserted leaves its search row: alone
 * (registry_request_insert), retitled in the transaction that inserted it
 * (one row, the new title), and undone by a savepoint (no row). */
static void test_requests__search_rows_every_path(void **state)
{
    ufx *f = *state;
    form_request r;
    registry_job job;
    registry_submit s = {0, "Ann", NULL};
    errmsg err = {0};
    int64_t alone, retitled, undone;
    char sql[160];

    s.requester_id = f->client_a;
    alone = ufx_submit(f, UFX_REQUEST("Alone zebu", ""), f->client_a, "Ann");
    assert_int_equal(search_row_is(f, alone, "Alone zebu"), 1);

    ufx_parse(&r, UFX_REQUEST("First title", ""));
    assert_int_equal(registry_begin(f->reg, &err), 0);
    assert_int_equal(registry_job_init(&job, &r, &s, &err), 0);
    assert_int_equal(reg_job_apply(f->reg, &job), 0);
    retitled = job.id;
    snprintf(sql, sizeof sql,
             "UPDATE requests SET title = 'Second title' WHERE id = %lld",
             (long long)retitled);
    assert_int_equal(reg_exec(f->reg, sql, &err), 0);
    registry_job_dispose(&job);
    assert_int_equal(reg_exec(f->reg, "SAVEPOINT one", &err), 0);
    assert_int_equal(registry_job_init(&job, &r, &s, &err), 0);
    assert_int_equal(reg_job_apply(f->reg, &job), 0);
    undone = job.id;
    assert_int_equal(reg_exec(f->reg, "ROLLBACK TO one", &err), 0);
    assert_int_equal(reg_exec(f->reg, "RELEASE one", &err), 0);
    registry_job_dispose(&job);
    assert_int_equal(registry_commit(f->reg, &err), 0);
    form_request_dispose(&r);

    assert_int_equal(search_row_is(f, retitled, "Second title"), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM search_fts WHERE rowid = %lld * 4 + 3",
             (long long)retitled);
    assert_int_equal(ufx_int(f, sql), 1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM search_fts WHERE"
                                " search_fts MATCH 'name:first'"),
                     0);
    assert_int_equal(search_row_is(f, undone, "First title"), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM search_pending"), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM search_fts WHERE"
                                " kind = 'request'"),
                     ufx_int(f, "SELECT count(*) FROM requests"));
    ufx_exec(f, "INSERT INTO search_fts(search_fts) VALUES('integrity-check')");
}

/* The version of cache scope scope (-1 without a row). */
static int64_t scope_version(ufx *f, const char *scope)
{
    char sql[200];

    snprintf(sql, sizeof sql, "SELECT v FROM cache_versions WHERE scope = '%s'",
             scope);
    return ufx_int(f, sql);
}

/* A submission bumps the open-requests version of each table its items
 * name, in its organisation (lower-case name), to the newest version,
 * whether the scope had a row or not, and leaves the other tables'
 * alone. */
static void test_requests__item_bumps_open_scope(void **state)
{
    ufx *f = *state;
    char cust[64], ord[64], other[64];
    int64_t v_ord;

    snprintf(cust, sizeof cust, "o%lld:customers", (long long)f->org_a);
    snprintf(ord, sizeof ord, "o%lld:orders", (long long)f->org_a);
    snprintf(other, sizeof other, "o%lld:customers", (long long)f->org_b);
    assert_int_equal(scope_version(f, cust), -1);
    ufx_submit(f,
               UFX_REQUEST("Two tables",
                           "{\"kind\":\"new_table\",\"table\":"
                           "\"Customers\"},{\"kind\":\"new_table\","
                           "\"table\":\"orders\"}"),
               f->client_a, "Ann");
    v_ord = scope_version(f, ord);
    assert_true(v_ord > 0);
    assert_true(scope_version(f, cust) > 0);
    assert_int_equal(ufx_int(f, "SELECT max(v) FROM cache_versions"),
                     ufx_int(f, "SELECT value FROM meta WHERE key ="
                                " 'versions'"));
    ufx_submit(f,
               UFX_REQUEST("Again", "{\"kind\":\"new_table\",\"table\":"
                                    "\"customers\"}"),
               f->client_a, "Ann");
    assert_int_equal(scope_version(f, cust),
                     ufx_int(f, "SELECT value FROM meta WHERE key ="
                                " 'versions'"));
    assert_true(scope_version(f, cust) > v_ord);
    assert_int_equal(scope_version(f, ord), v_ord);
    assert_int_equal(scope_version(f, other), -1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM cache_versions WHERE"
                                " scope LIKE 'o%:customers'"),
                     1);
}

UFX_MAIN(
    cmocka_unit_test_setup_teardown(test_requests__round_trip_exact, setup,
                                    ufx_teardown),
    cmocka_unit_test_setup_teardown(test_requests__rows_beside_the_request,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_requests__idempotency, setup,
                                    ufx_teardown),
    cmocka_unit_test_setup_teardown(test_requests__org_filter, setup,
                                    ufx_teardown),
    cmocka_unit_test_setup_teardown(test_requests__names_resolved, setup,
                                    ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_requests__failure_rolls_back_everything, setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_requests__list_filters_and_pages,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_requests__timeline_and_table_names,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_requests__search_rows_once_per_batch,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_requests__search_rows_every_path,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_requests__item_bumps_open_scope, setup,
                                    ufx_teardown))
