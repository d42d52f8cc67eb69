/* test_triage.c: the triage life cycle against the real server: every
 * transition for every role from every status (table-driven; a refused
 * one answers 403/404/409/422 and leaves h_db_digest unchanged), the
 * per-instance deploy applying the registry atomically (a failing apply
 * changes nothing), the queue with its filters, counts and CSV export
 * (formulas neutralised), comments with attachments, edits with versions
 * and the diff on the request page, sprints, the migration preview and
 * downloads (zip, API, CLI), and tenant isolation of every new route. */
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

#define PW "correct horse battery"

static h_server srv;
static h_session ann, bob, pat, oz, ada;
static char ann_token[128], pat_token[128];
static int64_t sprint1, sprint2;
static int counter;

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme globex acme-qa acme-prod:mysql globex-prod");
    h_world(&srv, "ann+ bob+ pat+ oz+ ada+", &ann, &bob, &pat, &oz, &ada);
    h_token(&srv, "ann@acme.example", "tests", ann_token, sizeof ann_token);
    h_token(&srv, "pat@platform.example", "tests", pat_token, sizeof pat_token);
    /* Opening the queue creates the current and the next two sprints. */
    h_get_expect(&srv, &pat, "/requests", 200, NULL);
    assert_true(h_db_int(&srv, "SELECT count(*) FROM sprints") >= 3);
    sprint1 = h_db_int(&srv, "SELECT id FROM sprints ORDER BY starts_on "
                             "LIMIT 1 OFFSET 1");
    sprint2 = h_db_int(&srv, "SELECT id FROM sprints ORDER BY starts_on "
                             "LIMIT 1 OFFSET 2");
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

/* A new request of acme (QA and production) with a unique new table;
 * returns its id. */
static int64_t create(const char *title)
{
    char json[2048];
    h_resp r;
    int64_t id;

    counter++;
    snprintf(json, sizeof json,
             "{\"instance\":\"acme-prod\",\"instances\":[\"acme-qa\","
             "\"acme-prod\"],\"project_manager\":\"pat@platform.example\","
             "\"title\":\"%s\",\"summary\":\"Please.\",\"items\":[{\"kind\":"
             "\"new_table\",\"table\":\"t_%d\",\"description\":\"x\","
             "\"source\":\"flat_file_csv\",\"cadence\":\"daily\","
             "\"campaign_dependency\":\"optional\",\"columns\":[{\"name\":"
             "\"member_id\",\"type\":\"string(20)\",\"nullable\":false,"
             "\"primary_key\":true,\"description\":\"m\"},{\"name\":"
             "\"tier\",\"type\":\"string(10)\",\"description\":\"t\"}]}]}",
             title, counter);
    h_send_json(&r, &srv, NULL, ann_token, "POST", "/api/v1/requests", json);
    if (r.status != 201)
        fail_msg("create: %ld %s", r.status, r.body);
    id = h_created(&r);
    h_resp_free(&r);
    return id;
}

static long api_move(int64_t id, const char *json)
{
    char path[96];
    h_resp r;
    long st;

    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)id);
    h_send_json(&r, &srv, NULL, pat_token, "POST", path, json);
    st = r.status;
    if (st != 200)
        fprintf(stderr, "api_move %s: %ld %s\n", json, st, r.body);
    h_resp_free(&r);
    return st;
}

static void status_is(int64_t id, const char *want)
{
    char sql[128];

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM requests WHERE id = %lld AND status = "
             "'%s'",
             (long long)id, want);
    if (h_db_int(&srv, sql) != 1)
        fail_msg("CR-%lld is not %s", (long long)id, want);
}

/* Brings a fresh request to status. */
static int64_t at_status(const char *status)
{
    int64_t id = create("Matrix");
    char j[128];

    if (!strcmp(status, "submitted"))
        return id;
    if (!strcmp(status, "withdrawn")) {
        char path[96];
        h_resp r;
        snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
                 (long long)id);
        h_send_json(&r, &srv, NULL, ann_token, "POST", path,
                    "{\"to\":\"withdrawn\"}");
        assert_int_equal(r.status, 200);
        h_resp_free(&r);
        return id;
    }
    if (!strcmp(status, "rejected")) {
        assert_int_equal(api_move(id, "{\"to\":\"rejected\",\"note\":\"no\"}"),
                         200);
        return id;
    }
    assert_int_equal(api_move(id, "{\"to\":\"triaged\"}"), 200);
    if (!strcmp(status, "triaged"))
        return id;
    if (!strcmp(status, "needs_info")) {
        assert_int_equal(
            api_move(id, "{\"to\":\"needs_info\",\"note\":\"why?\"}"), 200);
        return id;
    }
    snprintf(j, sizeof j, "{\"to\":\"scheduled\",\"sprint\":%lld}",
             (long long)sprint1);
    assert_int_equal(api_move(id, j), 200);
    if (!strcmp(status, "scheduled"))
        return id;
    assert_int_equal(api_move(id, "{\"to\":\"in_progress\"}"), 200);
    if (!strcmp(status, "in_progress"))
        return id;
    assert_int_equal(
        api_move(id, "{\"to\":\"deployed\",\"instance\":\"acme-qa\"}"), 200);
    assert_int_equal(
        api_move(id, "{\"to\":\"deployed\",\"instance\":\"acme-prod\"}"), 200);
    status_is(id, "deployed");
    return id;
}

/* ---- the matrix --------------------------------------------------------- */

static const char *const statuses[] = {"submitted", "triaged",     "needs_info",
                                       "scheduled", "in_progress", "deployed",
                                       "rejected",  "withdrawn"};
static const char *const targets[] = {"triaged",   "needs_info",  "answered",
                                      "scheduled", "in_progress", "deployed",
                                      "rejected",  "withdrawn"};

/* The rules of the README, written out again independently. */
static int expect_allowed(const char *from, const char *to, const char *role)
{
    int staff = !strcmp(role, "pm") || !strcmp(role, "admin");
    int client = !strcmp(role, "client");
#define FROM(s) (strstr(" " s " ", from) != NULL)
    char f[20];

    snprintf(f, sizeof f, " %s ", from);
    from = f;
    if (!strcmp(to, "triaged"))
        return staff && FROM("submitted");
    if (!strcmp(to, "needs_info"))
        return staff && FROM("submitted triaged scheduled");
    if (!strcmp(to, "answered"))
        return (staff || client) && FROM("needs_info");
    if (!strcmp(to, "scheduled"))
        return staff && FROM("triaged scheduled");
    if (!strcmp(to, "in_progress"))
        return staff && FROM("scheduled");
    if (!strcmp(to, "deployed"))
        return staff && FROM("scheduled in_progress");
    if (!strcmp(to, "rejected"))
        return staff && FROM("submitted triaged needs_info scheduled");
    if (!strcmp(to, "withdrawn"))
        return client && FROM("submitted triaged needs_info scheduled");
#undef FROM
    return 0;
}

static int role_may_ever(const char *to, const char *role)
{
    for (size_t i = 0; i < 8; i++)
        if (expect_allowed(statuses[i], to, role))
            return 1;
    return 0;
}

typedef struct who {
    const char *role;
    h_session *s;
    int other_org;
} who;

static void post_transition(h_resp *r, h_session *s, int64_t id, const char *to)
{
    char path[96], body[256];

    snprintf(path, sizeof path, "/requests/%lld/transitions", (long long)id);
    snprintf(body, sizeof body,
             "to=%s&note=because&sprint=%lld&instance=acme-qa", to,
             (long long)sprint2);
    h_post_form(r, &srv, s, path, body);
}

static void test_triage__every_transition_for_every_role(void **state)
{
    const who people[] = {{"client", &ann, 0},
                          {"client", &bob, 1},
                          {"pm", &pat, 0},
                          {"ops", &oz, 0},
                          {"admin", &ada, 0}};
    int64_t shared[8];

    (void)state;
    for (size_t s = 0; s < 8; s++)
        shared[s] = at_status(statuses[s]);
    for (size_t s = 0; s < 8; s++) {
        for (size_t p = 0; p < sizeof people / sizeof *people; p++) {
            for (size_t t = 0; t < 8; t++) {
                const char *role = people[p].role;
                int ok = !people[p].other_org &&
                         expect_allowed(statuses[s], targets[t], role);
                long want;
                h_resp r;
                if (ok) {
                    int64_t id = at_status(statuses[s]);
                    post_transition(&r, people[p].s, id, targets[t]);
                    if (r.status != 303)
                        fail_msg("%s %s -> %s: %ld %s", role, statuses[s],
                                 targets[t], r.status, r.body);
                    h_resp_free(&r);
                    if (!strcmp(targets[t], "answered"))
                        status_is(id, "triaged");
                    else if (!strcmp(targets[t], "deployed"))
                        status_is(id, "in_progress");
                    else
                        status_is(id, targets[t]);
                } else {
                    char *before = h_db_digest(&srv), *after;
                    if (people[p].other_org)
                        want = 404;
                    else if (!role_may_ever(targets[t], role))
                        want = 403;
                    else
                        want = 409;
                    post_transition(&r, people[p].s, shared[s], targets[t]);
                    if (r.status != want)
                        fail_msg("%s%s %s -> %s: %ld, expected %ld", role,
                                 people[p].other_org ? " (other org)" : "",
                                 statuses[s], targets[t], r.status, want);
                    h_resp_free(&r);
                    after = h_db_digest(&srv);
                    if (strcmp(before, after) != 0)
                        fail_msg("%s %s -> %s wrote something", role,
                                 statuses[s], targets[t]);
                    free(before);
                    free(after);
                }
            }
        }
    }
    /* Every transition wrote its event. */
    assert_true(h_db_int(&srv, "SELECT count(*) FROM events WHERE event = "
                               "'request.answered'") >= 3);
    assert_true(h_db_int(&srv, "SELECT count(*) FROM events WHERE event = "
                               "'request.withdrawn'") >= 5);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM events e WHERE "
                                    "e.event LIKE 'request.%' AND "
                                    "e.event NOT IN ('request.submitted') AND"
                                    " NOT EXISTS (SELECT 1 FROM "
                                    "request_events re WHERE re.request_id "
                                    "= e.request_id AND re.from_status <> "
                                    "'')"),
                     0);
}

static void test_triage__missing_fields_are_422(void **state)
{
    int64_t id = at_status("triaged");
    char *before = h_db_digest(&srv);
    char path[96];
    h_resp r;

    (void)state;
    snprintf(path, sizeof path, "/requests/%lld/transitions", (long long)id);
    h_post_form(&r, &srv, &pat, path, "to=needs_info&note=");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    h_post_form(&r, &srv, &pat, path, "to=scheduled");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)id);
    h_send_json(&r, &srv, NULL, pat_token, "POST", path,
                "{\"to\":\"rejected\"}");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "\"field\":\"note\""));
    h_resp_free(&r);
    h_send_json(&r, &srv, NULL, pat_token, "POST", path,
                "{\"to\":\"scheduled\",\"sprint\":\"x\"}");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    h_unchanged(&srv, before, NULL);
    free(before);
}

/* ---- deploys ------------------------------------------------------------ */

static void test_triage__deploy_is_atomic_per_instance(void **state)
{
    int64_t id = at_status("scheduled");
    char sql[512], path[96], *before;
    h_resp r;

    (void)state;
    /* The table is already in production's registry: applying fails. */
    snprintf(sql, sizeof sql,
             "INSERT INTO reg_tables(instance_id, name, created_at, "
             "updated_at) SELECT i.id, it.table_name, 0, 0 FROM instances i,"
             " request_items it WHERE i.name = 'acme-prod' AND "
             "it.request_id = %lld",
             (long long)id);
    h_db_exec(&srv, sql);
    before = h_db_digest(&srv);
    snprintf(path, sizeof path, "/requests/%lld/transitions", (long long)id);
    h_post_form(&r, &srv, &pat, path,
                "to=deployed&instance=acme-prod&reason=QA+later");
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(r.body, "t_"));
    h_resp_free(&r);
    h_unchanged(&srv, before, NULL);
    free(before);
    status_is(id, "scheduled");
    /* QA first works; the page shows the per-instance markers. */
    h_post_form(&r, &srv, &pat, path, "to=deployed&instance=acme-qa");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    status_is(id, "in_progress");
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM reg_tables t JOIN instances i ON i.id = "
             "t.instance_id JOIN request_items it ON it.table_name = t.name "
             "WHERE i.name = 'acme-qa' AND it.request_id = %lld AND "
             "t.created_by_request = %lld",
             (long long)id, (long long)id);
    assert_int_equal(h_db_int(&srv, sql), 1);
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get_expect(&srv, &ann, path, 200, "not yet deployed", "deployed</span> ",
                 NULL);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM events WHERE request_id = %lld AND event "
             "= 'request.deployed' AND json_extract(payload, '$.instance') = "
             "'acme-qa' AND json_array_length(payload, '$.tables') = 1",
             (long long)id);
    assert_int_equal(h_db_int(&srv, sql), 1);
}

/* ---- the queue ---------------------------------------------------------- */

static void test_triage__queue_filters_and_csv(void **state)
{
    int64_t evil = create("=HYPERLINK(\\\"http://x\\\")"), waiting;
    char path[96], hdr[200];
    h_resp r;

    (void)state;
    waiting = at_status("needs_info");
    h_get(&r, &srv, &pat, "/requests?waiting=1");
    assert_int_equal(r.status, 200);
    snprintf(path, sizeof path, "href=\"/requests/%lld\"", (long long)waiting);
    assert_non_null(strstr(r.body, path));
    snprintf(path, sizeof path, "href=\"/requests/%lld\"", (long long)evil);
    assert_null(strstr(r.body, path));
    assert_non_null(strstr(r.body, "data-status=\"needs_info\""));
    h_resp_free(&r);
    h_get_expect(&srv, &pat, "/requests?status=submitted&sort=priority&age=1",
                 200, "No request matches", NULL);
    /* Bookmarkable: the filters are in the links. */
    h_get_expect(&srv, &pat, "/requests?organisation=acme&consent=no", 200,
                 "/requests.csv?organisation=acme&amp;"
                 "consent=no",
                 NULL);
    h_get(&r, &srv, &pat, "/requests.csv?status=submitted");
    assert_int_equal(r.status, 200);
    assert_true(h_resp_header(&r, "Content-Disposition", hdr, sizeof hdr));
    assert_non_null(strstr(hdr, "attachment"));
    assert_true(h_resp_header(&r, "Content-Type", hdr, sizeof hdr));
    assert_non_null(strstr(hdr, "text/csv"));
    assert_non_null(strstr(r.body, "\"'=HYPERLINK(\"\"http://x\"\")\""));
    assert_null(strstr(r.body, ",=HYPERLINK"));
    assert_null(strstr(r.body, ",needs_info,"));
    h_resp_free(&r);
    /* A client sees only the organisation's requests. */
    h_get_expect(&srv, &bob, "/requests", 200, "!HYPERLINK", NULL);
    h_get_expect(&srv, &bob, "/requests.csv", 200, "!CR-", NULL);
    h_get(&r, &srv, &ann, "/requests.csv");
    assert_non_null(strstr(r.body, "HYPERLINK"));
    h_resp_free(&r);
    /* Dashboards. */
    h_get_expect(&srv, &ann, "/", 200, "Waiting on you", "why?", NULL);
    h_get(&r, &srv, &pat, "/");
    assert_non_null(strstr(r.body, "Triage queue"));
    assert_non_null(strstr(r.body, "Next deploy"));
    h_resp_free(&r);
    h_get(&r, &srv, &oz, "/");
    assert_non_null(strstr(r.body, "Last deploy"));
    assert_non_null(strstr(r.body, "lookup-box"));
    h_resp_free(&r);
    h_get(&r, &srv, &ada, "/");
    assert_non_null(strstr(r.body, "/admin/deliveries"));
    h_resp_free(&r);
}

/* ---- comments ----------------------------------------------------------- */

static void comment_post(h_resp *r, h_session *s, int64_t id, const char *body,
                         const char *filename, const char *data)
{
    buf b = {0};
    char path[96];

    h_mp_field(&b, "csrf", s->csrf);
    h_mp_field(&b, "body", body);
    if (filename)
        h_mp_file(&b, "attachments", filename, strlen(filename),
                  "application/octet-stream", data, strlen(data));
    snprintf(path, sizeof path, "/requests/%lld/comments", (long long)id);
    h_post_multipart(r, &srv, s, path, &b, NULL);
}

static void test_triage__comments_with_attachments(void **state)
{
    int64_t id = create("Comments"), fid;
    char path[128], *before, sql[160];
    h_resp r;

    (void)state;
    comment_post(&r, &ann, id, "Here is a **sample** <script>x</script>",
                 "sample.csv", "member_id,tier\n1,gold\n");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    snprintf(sql, sizeof sql,
             "SELECT max(id) FROM attachments WHERE request_id = %lld AND "
             "comment_id IS NOT NULL",
             (long long)id);
    fid = h_db_int(&srv, sql);
    assert_true(fid > 0);
    /* ops may comment too */
    comment_post(&r, &oz, id, "Ops: the file arrives at 05:00.", NULL, NULL);
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get(&r, &srv, &pat, path);
    assert_non_null(strstr(r.body, "<strong>sample</strong>"));
    assert_null(strstr(r.body, "<script>x"));
    assert_non_null(strstr(r.body, "sample.csv"));
    assert_non_null(strstr(r.body, "the file arrives at 05:00"));
    h_resp_free(&r);
    snprintf(path, sizeof path, "/requests/%lld/attachments/%lld",
             (long long)id, (long long)fid);
    h_get_expect(&srv, &pat, path, 200, "1,gold", NULL);
    h_get_expect(&srv, &bob, path, 404, NULL);
    /* A program is refused and nothing is written. */
    before = h_db_digest(&srv);
    comment_post(&r, &ann, id, "exe", "tool.csv", "MZ\x90\x01rest");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    comment_post(&r, &ann, id, "   ", NULL, NULL);
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    h_unchanged(&srv, before, NULL);
    free(before);
    /* The API lists and adds. */
    snprintf(path, sizeof path, "/api/v1/requests/%lld/comments",
             (long long)id);
    h_send_json(&r, &srv, NULL, pat_token, "POST", path,
                "{\"body\":\"From the API\"}");
    assert_int_equal(r.status, 201);
    h_resp_free(&r);
    h_get(&r, &srv, &ann, path);
    assert_int_equal(r.status, 200);
    {
        cJSON *j = cJSON_Parse(r.body);
        cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "comments");
        cJSON *first = cJSON_GetArrayItem(arr, 0);
        assert_int_equal(cJSON_GetArraySize(arr), 3);
        assert_int_equal(cJSON_GetArraySize(
                             cJSON_GetObjectItemCaseSensitive(first, "files")),
                         1);
        cJSON_Delete(j);
    }
    h_resp_free(&r);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM events WHERE request_id = %lld AND event "
             "= 'request.commented'",
             (long long)id);
    assert_int_equal(h_db_int(&srv, sql), 3);
}

/* ---- edits -------------------------------------------------------------- */

static char *edit_body(const char *title, int answers)
{
    buf b = {0};

    buf_puts(&b, "instance=acme-prod&instances=acme-qa&instances=acme-prod"
                 "&project_manager=pat%40platform.example&title=");
    buf_puts(&b, h_urlenc(title));
    buf_puts(&b, "&summary=Please.&items%5B0%5D.kind=new_table"
                 "&items%5B0%5D.table=t_edit&items%5B0%5D.description=x"
                 "&items%5B0%5D.source=flat_file_csv"
                 "&items%5B0%5D.cadence=daily"
                 "&items%5B0%5D.campaign_dependency=optional"
                 "&items%5B0%5D.columns%5B0%5D.name=member_id"
                 "&items%5B0%5D.columns%5B0%5D.type=string%2840%29"
                 "&items%5B0%5D.columns%5B0%5D.primary_key=on"
                 "&items%5B0%5D.columns%5B0%5D.description=m");
    if (answers)
        buf_puts(&b, "&answers=yes");
    return buf_detach(&b);
}

static void test_triage__edits_keep_versions_and_show_a_diff(void **state)
{
    int64_t id = at_status("needs_info");
    char path[96], sql[200], *body, *before;
    h_resp r;

    (void)state;
    snprintf(path, sizeof path, "/requests/%lld/edit", (long long)id);
    h_get_expect(&srv, &ann, path, 200, "name=\"answers\"", "Save changes",
                 NULL);
    h_get_expect(&srv, &oz, path, 403, NULL);
    body = edit_body("Matrix v2", 1);
    h_post_form(&r, &srv, &ann, path, body);
    free(body);
    if (r.status != 303)
        fail_msg("edit: %ld %s", r.status, r.body);
    h_resp_free(&r);
    status_is(id, "triaged"); /* the edit answered the question */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM request_versions WHERE request_id = %lld",
             (long long)id);
    assert_int_equal(h_db_int(&srv, sql), 2);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM events WHERE request_id = %lld AND event "
             "IN ('request.updated', 'request.answered')",
             (long long)id);
    assert_int_equal(h_db_int(&srv, sql), 2);
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get(&r, &srv, &pat, path);
    assert_non_null(strstr(r.body, "version 2"));
    assert_non_null(strstr(r.body, "<del>Matrix</del> → <ins>Matrix v2</ins>"));
    assert_non_null(strstr(r.body, "<ins>string(40)</ins>"));
    h_resp_free(&r);
    /* Not while triaged: 409 and nothing written. */
    before = h_db_digest(&srv);
    snprintf(path, sizeof path, "/requests/%lld/edit", (long long)id);
    body = edit_body("Matrix v3", 0);
    h_post_form(&r, &srv, &ann, path, body);
    assert_int_equal(r.status, 409);
    h_resp_free(&r);
    h_post_form(&r, &srv, &bob, path, body);
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    free(body);
    h_unchanged(&srv, before, NULL);
    free(before);
}

/* ---- sprints and migrations --------------------------------------------- */

static void test_triage__sprints_and_migrations(void **state)
{
    int64_t id = at_status("scheduled");
    char path[200], hdr[300], *out = NULL, dir[600];
    h_resp r;

    (void)state;
    h_get_expect(&srv, &pat, "/sprints", 200, "aria-current=\"date\"", NULL);
    h_get_expect(&srv, &ann, "/sprints", 403, NULL);
    snprintf(path, sizeof path, "/sprints/%lld", (long long)sprint1);
    h_get(&r, &srv, &oz, path);
    assert_int_equal(r.status, 200);
    snprintf(path, sizeof path, "/requests/%lld\"", (long long)id);
    assert_non_null(strstr(r.body, path));
    h_resp_free(&r);
    h_request(&r, &srv, NULL, "GET", "/api/v1/sprints", NULL, NULL, 0,
              (const char *const[]){"Authorization: Bearer x", NULL});
    assert_int_equal(r.status, 401);
    h_resp_free(&r);
    h_get_expect(&srv, &pat, "/api/v1/sprints", 200, "\"current\":true", NULL);
    /* The preview: production uses MySQL by default. */
    snprintf(path, sizeof path, "/requests/%lld/migrations?instance=acme-prod",
             (long long)id);
    h_get_expect(&srv, &ann, path, 200, "<option value=\"mysql\" selected>",
                 "CREATE TABLE", NULL);
    snprintf(path, sizeof path,
             "/requests/%lld/migrations/download?instance=acme-qa&dialect="
             "postgres&format=flyway&zip=1",
             (long long)id);
    h_get(&r, &srv, &pat, path);
    assert_int_equal(r.status, 200);
    assert_true(r.len > 22 && !memcmp(r.body, "PK\x03\x04", 4));
    assert_true(h_resp_header(&r, "Content-Disposition", hdr, sizeof hdr));
    assert_non_null(strstr(hdr, ".zip"));
    h_resp_free(&r);
    snprintf(path, sizeof path,
             "/api/v1/requests/%lld/migrations?instance=acme-qa&format=plain",
             (long long)id);
    h_get(&r, &srv, &pat, path);
    assert_int_equal(r.status, 200);
    {
        cJSON *j = cJSON_Parse(r.body);
        cJSON *files = cJSON_GetObjectItemCaseSensitive(j, "files");
        const char *name = cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetArrayItem(files, 0), "name")
                               ->valuestring;
        h_resp f;
        assert_int_equal(cJSON_GetArraySize(files), 2);
        snprintf(path, sizeof path,
                 "/requests/%lld/migrations/download?instance=acme-qa&"
                 "format=plain&file=%s",
                 (long long)id, h_urlenc(name));
        h_get(&f, &srv, &pat, path);
        assert_int_equal(f.status, 200);
        assert_non_null(strstr(f.body, "CREATE TABLE"));
        h_resp_free(&f);
        cJSON_Delete(j);
    }
    h_resp_free(&r);
    snprintf(path, sizeof path, "/requests/%lld/migrations?dialect=oracle",
             (long long)id);
    h_get_expect(&srv, &pat, path, 422, NULL);
    /* The command line. */
    snprintf(dir, sizeof dir, "%s/mig", srv.dir);
    snprintf(path, sizeof path, "CR-%lld", (long long)id);
    assert_int_equal(h_docket(&srv, NULL, &out, "migrate", path, "--instance",
                              "acme-prod", "--format", "flyway", "--out", dir,
                              NULL),
                     0);
    assert_non_null(strstr(out, dir));
    assert_non_null(strstr(out, ".sql"));
    free(out);
    out = NULL;
    assert_int_equal(
        h_docket(&srv, NULL, &out, "migrate", "CR-99999", "--out", dir, NULL),
        1);
    free(out);
}

/* ---- tenants ------------------------------------------------------------ */

static void test_triage__other_organisation_gets_404_everywhere(void **state)
{
    int64_t id = at_status("needs_info");
    char *before = h_db_digest(&srv);
    char path[160];
    h_resp r;
    static const char *const gets[] = {
        "/requests/%lld/edit",
        "/requests/%lld/migrations",
        "/requests/%lld/migrations/download?zip=1",
        "/requests/%lld/migrations/download?file=x.sql",
        "/api/v1/requests/%lld/migrations",
        "/api/v1/requests/%lld/comments"};
    static const char *const posts[] = {
        "/requests/%lld/transitions", "/requests/%lld/plan",
        "/requests/%lld/comments", "/requests/%lld/edit"};

    (void)state;
    for (size_t i = 0; i < sizeof gets / sizeof *gets; i++) {
        snprintf(path, sizeof path, gets[i], (long long)id);
        h_get(&r, &srv, &bob, path);
        if (r.status != 404)
            fail_msg("GET %s: %ld", path, r.status);
        h_resp_free(&r);
        /* exactly like a missing one */
        snprintf(path, sizeof path, gets[i], 999999LL);
        h_get(&r, &srv, &bob, path);
        if (r.status != 404)
            fail_msg("GET %s: %ld", path, r.status);
        h_resp_free(&r);
    }
    for (size_t i = 0; i < sizeof posts / sizeof *posts; i++) {
        snprintf(path, sizeof path, posts[i], (long long)id);
        h_post_form(&r, &srv, &bob, path,
                    "to=answered&note=x&body=x&priority=3&title=x");
        if (r.status != 404)
            fail_msg("POST %s: %ld", path, r.status);
        h_resp_free(&r);
    }
    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)id);
    /* with bob's own CSRF token, so that the tenant check answers */
    h_send_json(&r, &srv, &bob, NULL, "POST", path, "{\"to\":\"answered\"}");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/requests/%lld/comments",
             (long long)id);
    {
        char hdr[100];
        const char *hdrs[2] = {hdr, NULL};
        snprintf(hdr, sizeof hdr, "X-CSRF-Token: %s", bob.csrf);
        h_request(&r, &srv, &bob, "POST", path, "application/json",
                  "{\"body\":\"x\"}", 12, hdrs);
        assert_int_equal(r.status, 404);
        h_resp_free(&r);
        snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
                 (long long)id);
        h_request(&r, &srv, &bob, "POST", path, "application/json",
                  "{\"to\":\"answered\"}", 17, hdrs);
        assert_int_equal(r.status, 404);
        h_resp_free(&r);
    }
    h_unchanged(&srv, before, NULL);
    free(before);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_triage__every_transition_for_every_role),
    cmocka_unit_test(test_triage__missing_fields_are_422),
    cmocka_unit_test(test_triage__deploy_is_atomic_per_instance),
    cmocka_unit_test(test_triage__queue_filters_and_csv),
    cmocka_unit_test(test_triage__comments_with_attachments),
    cmocka_unit_test(test_triage__edits_keep_versions_and_show_a_diff),
    cmocka_unit_test(test_triage__sprints_and_migrations),
    cmocka_unit_test(test_triage__other_organisation_gets_404_everywhere),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
