/* test_deploy_order.c: deploys in environment order and the words after
 * each transition, against the real server: the request page lists its
 * deploy buttons qa, staging, production, then the others by name,
 * whatever order the client ticked; deploying production while a QA or
 * staging instance waits needs a reason (a required field on the page,
 * 422 from the form and the API without it, nothing written) that the
 * timeline and the event keep; the flash after a transition is written
 * for its reader; the sprint board lists a table once per instance; and
 * `docket demo` never shows a scheduled request without a sprint. */
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
#include <unistd.h>

static h_server srv;
static h_session ann, pat;
static char ann_token[128], pat_token[128];
static int64_t sprint1;
static int counter;

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme acme-qa acme-prod ann+ pat+", &ann, &pat);
    h_cli(&srv, "instance", "add", "acme", "acme-stage", "--env", "staging",
          "--dialect", "postgres", NULL);
    h_cli(&srv, "instance", "add", "acme", "acme-sandbox", "--env", "sandbox",
          "--dialect", "postgres", NULL);
    h_token(&srv, "ann@acme.example", "tests", ann_token, sizeof ann_token);
    h_token(&srv, "pat@platform.example", "tests", pat_token, sizeof pat_token);
    h_import(&srv, "acme-qa", "table,column,type\ncustomers,id,bigint\n");
    h_import(&srv, "acme-prod", "table,column,type\ncustomers,id,bigint\n");
    h_get_expect(&srv, &pat, "/requests", 200, NULL);
    sprint1 = h_db_int(&srv, "SELECT id FROM sprints ORDER BY starts_on "
                             "LIMIT 1 OFFSET 1");
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

/* A request of acme with a new table, its instances ticked as instances
 * says (a JSON list); returns its id. */
static int64_t create(const char *instances)
{
    char json[2048];
    h_resp r;
    int64_t id;

    counter++;
    snprintf(json, sizeof json,
             "{\"instance\":\"acme-prod\",\"instances\":[%s],"
             "\"project_manager\":\"pat@platform.example\",\"title\":\"Order "
             "%d\",\"summary\":\"Please.\",\"items\":[{\"kind\":\"new_table\","
             "\"table\":\"t_%d\",\"description\":\"x\",\"source\":"
             "\"flat_file_csv\",\"cadence\":\"daily\",\"campaign_dependency\":"
             "\"optional\",\"columns\":[{\"name\":\"member_id\",\"type\":"
             "\"string(20)\",\"nullable\":false,\"primary_key\":true,"
             "\"description\":\"m\"}]}]}",
             instances, counter, counter);
    h_send_json(&r, &srv, NULL, ann_token, "POST", "/api/v1/requests", json);
    if (r.status != 201)
        fail_msg("create: %ld %s", r.status, r.body);
    id = h_created(&r);
    h_resp_free(&r);
    return id;
}

static void api_move(int64_t id, const char *json, long want, h_resp *out)
{
    char path[96];
    h_resp r;

    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)id);
    h_send_json(&r, &srv, NULL, pat_token, "POST", path, json);
    if (r.status != want)
        fail_msg("%s: %ld, want %ld: %s", json, r.status, want, r.body);
    if (out)
        *out = r;
    else
        h_resp_free(&r);
}

static void scheduled(int64_t id)
{
    char j[96];

    api_move(id, "{\"to\":\"triaged\"}", 200, NULL);
    snprintf(j, sizeof j, "{\"to\":\"scheduled\",\"sprint\":%lld}",
             (long long)sprint1);
    api_move(id, j, 200, NULL);
}

/* POSTs the transition form body as s; fails unless the answer is want.
 * With a 303, the flash the next page shows is copied into flash. */
static void form_move(h_session *s, int64_t id, const char *body, long want,
                      char *flash, size_t size, h_resp *out)
{
    char path[96], cookie[1200], hdr[1600];
    const char *headers[] = {hdr, NULL};
    h_resp r, page;
    char *a, *b;

    snprintf(path, sizeof path, "/requests/%lld/transitions", (long long)id);
    h_post_form(&r, &srv, s, path, body);
    if (r.status != want)
        fail_msg("%s: %ld, want %ld: %.600s", body, r.status, want, r.body);
    if (!flash) {
        if (out)
            *out = r;
        else
            h_resp_free(&r);
        return;
    }
    assert_true(h_resp_header(&r, "Set-Cookie", cookie, sizeof cookie));
    assert_true(strncmp(cookie, "docket_flash=", 13) == 0);
    *strchr(cookie, ';') = '\0';
    h_resp_free(&r);
    snprintf(hdr, sizeof hdr, "Cookie: %s; %s", s->cookie, cookie);
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_request(&page, &srv, NULL, "GET", path, NULL, NULL, 0, headers);
    assert_int_equal(page.status, 200);
    a = strstr(page.body, "class=\"flash\" role=\"status\">");
    if (!a)
        fail_msg("no flash after %s", body);
    a = strchr(a, '>') + 1;
    b = strstr(a, "</div>");
    assert_non_null(b);
    snprintf(flash, size, "%.*s", (int)(b - a), a);
    h_resp_free(&page);
}

static void flash_is(h_session *s, int64_t id, const char *body,
                     const char *want)
{
    char flash[600];

    form_move(s, id, body, 303, flash, sizeof flash, NULL);
    if (strcmp(flash, want) != 0)
        fail_msg("after %s: flash \"%s\", want \"%s\"", body, flash, want);
}

/* The request page as pat. Caller frees. */
static char *page_of(int64_t id)
{
    char path[64];
    h_resp r;
    char *body;

    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get(&r, &srv, &pat, path);
    assert_int_equal(r.status, 200);
    body = r.body;
    r.body = NULL;
    h_resp_free(&r);
    return body;
}

static int64_t count_of(const char *hay, const char *needle)
{
    int64_t n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- deploy buttons in environment order -------------------------------- */

static void test_deploy_order__buttons_follow_the_environments(void **state)
{
    int64_t id = create("\"acme-sandbox\",\"acme-prod\",\"acme-stage\","
                        "\"acme-qa\"");
    const char *names[] = {"acme-qa", "acme-stage", "acme-prod",
                           "acme-sandbox"};
    const char *at[4];
    char *body, *actions, pat_s[96];

    (void)state;
    scheduled(id);
    body = page_of(id);
    actions = strstr(body, "id=\"actions\"");
    assert_non_null(actions);
    for (int i = 0; i < 4; i++) {
        snprintf(pat_s, sizeof pat_s, "name=\"instance\" value=\"%s\"",
                 names[i]);
        at[i] = strstr(actions, pat_s);
        if (!at[i])
            fail_msg("no deploy button for %s", names[i]);
        if (i && at[i] < at[i - 1])
            fail_msg("%s is before %s", names[i], names[i - 1]);
    }
    /* Only production, while QA and staging wait, asks for a reason. */
    assert_int_equal(count_of(actions, "name=\"reason\""), 1);
    {
        const char *reason = strstr(actions, "name=\"reason\"");
        const char *end = strstr(reason, "</form>");
        assert_true(reason > at[2] && reason < at[3]);
        assert_non_null(strstr(reason, "required"));
        assert_true(strstr(reason, "required") < end);
    }
    /* The plan card lists the instances in the same order. */
    assert_true(strstr(body, "<strong>acme-qa</strong>") <
                strstr(body, "<strong>acme-prod</strong>"));
    free(body);
    /* The API's deploys too. */
    {
        h_resp r;
        cJSON *doc, *d;
        api_move(id, "{\"to\":\"in_progress\"}", 200, &r);
        doc = cJSON_Parse(r.body);
        d = cJSON_GetObjectItem(doc, "deploys");
        for (int i = 0; i < 4; i++)
            assert_string_equal(
                cJSON_GetObjectItem(cJSON_GetArrayItem(d, i), "instance")
                    ->valuestring,
                names[i]);
        cJSON_Delete(doc);
        h_resp_free(&r);
    }
}

/* ---- production ahead of QA ---------------------------------------------- */

static void test_deploy_order__production_first_needs_a_reason(void **state)
{
    int64_t id = create("\"acme-prod\",\"acme-qa\"");
    char *before, sql[256], *body;
    h_resp r;
    char flash[600], want[200];

    (void)state;
    scheduled(id);
    before = h_db_digest(&srv);
    /* The form without a reason, and with a blank one. */
    form_move(&pat, id, "to=deployed&instance=acme-prod", 422, NULL, 0, &r);
    assert_non_null(strstr(r.body, "acme-qa"));
    assert_non_null(strstr(r.body, "reason"));
    h_resp_free(&r);
    form_move(&pat, id, "to=deployed&instance=acme-prod&reason=+++", 422, NULL,
              0, NULL);
    /* The API the same: one 422 shape naming the field. */
    api_move(id, "{\"to\":\"deployed\",\"instance\":\"acme-prod\"}", 422, &r);
    {
        cJSON *doc = cJSON_Parse(r.body), *e;
        e = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "errors"), 0);
        assert_non_null(e);
        assert_string_equal(cJSON_GetObjectItem(e, "field")->valuestring,
                            "reason");
        assert_non_null(
            strstr(cJSON_GetObjectItem(e, "message")->valuestring, "acme-qa"));
        cJSON_Delete(doc);
    }
    h_resp_free(&r);
    api_move(id,
             "{\"to\":\"deployed\",\"instance\":\"acme-prod\",\"reason\":7}",
             422, NULL);
    h_unchanged(&srv, before, "a production deploy without a reason");
    free(before);

    /* With a reason: deployed, and the reason is in the timeline. */
    form_move(&pat, id,
              "to=deployed&instance=acme-prod&reason=QA+is+down+until+"
              "Friday%3B+the+launch+is+Monday.",
              303, flash, sizeof flash, NULL);
    snprintf(want, sizeof want,
             "CR-%lld is deployed to acme-prod. QA is still to do.",
             (long long)id);
    assert_string_equal(flash, want);
    body = page_of(id);
    assert_non_null(strstr(strstr(body, "id=\"timeline\""),
                           "QA is down until Friday; the launch is Monday."));
    /* QA's button asks for nothing more now. */
    assert_int_equal(count_of(body, "name=\"reason\""), 0);
    free(body);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM events WHERE request_id = %lld AND event ="
             " 'request.deployed' AND json_extract(payload, '$.reason') LIKE"
             " 'QA is down%%' AND json_extract(payload, '$.ahead_of[0]') ="
             " 'acme-qa'",
             (long long)id);
    assert_int_equal(h_db_int(&srv, sql), 1);
    snprintf(want, sizeof want, "CR-%lld is deployed to every instance.",
             (long long)id);
    flash_is(&pat, id, "to=deployed&instance=acme-qa", want);
}

static void test_deploy_order__api_takes_the_reason(void **state)
{
    int64_t id = create("\"acme-qa\",\"acme-stage\",\"acme-prod\"");
    char sql[256];

    (void)state;
    scheduled(id);
    api_move(id, "{\"to\":\"deployed\",\"instance\":\"acme-qa\"}", 200, NULL);
    /* Staging still waits. */
    api_move(id, "{\"to\":\"deployed\",\"instance\":\"acme-prod\"}", 422, NULL);
    api_move(id,
             "{\"to\":\"deployed\",\"instance\":\"acme-prod\",\"reason\":"
             "\"Staging is being rebuilt.\"}",
             200, NULL);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM request_events WHERE request_id = %lld AND"
             " note LIKE '%%Staging is being rebuilt.%%' AND note LIKE"
             " '%%acme-stage%%'",
             (long long)id);
    assert_int_equal(h_db_int(&srv, sql), 1);
    /* Staging last needs no reason. */
    api_move(id, "{\"to\":\"deployed\",\"instance\":\"acme-stage\"}", 200,
             NULL);
}

/* ---- the words after each transition ------------------------------------- */

static void test_deploy_order__messages_for_their_reader(void **state)
{
    int64_t id = create("\"acme-prod\",\"acme-stage\",\"acme-qa\"");
    char body[256], flash[600], want[200];

    (void)state;
    snprintf(want, sizeof want,
             "CR-%lld is triaged. Next: schedule it in a sprint, or ask the "
             "client.",
             (long long)id);
    flash_is(&pat, id, "to=triaged", want);
    snprintf(want, sizeof want,
             "Question sent to Ann. CR-%lld waits for the answer.",
             (long long)id);
    flash_is(&pat, id, "to=needs_info&note=Which+tiers%3F", want);
    flash_is(&ann, id, "to=answered&note=Gold",
             "Thanks — your answer was sent to the project manager.");
    snprintf(body, sizeof body, "to=scheduled&sprint=%lld", (long long)sprint1);
    form_move(&pat, id, body, 303, flash, sizeof flash, NULL);
    snprintf(want, sizeof want, "CR-%lld is scheduled for Sprint ",
             (long long)id);
    if (strncmp(flash, want, strlen(want)) != 0 || !strstr(flash, " (deploy "))
        fail_msg("schedule: \"%s\"", flash);
    snprintf(want, sizeof want, "CR-%lld is in progress: work has started.",
             (long long)id);
    flash_is(&pat, id, "to=in_progress", want);
    snprintf(want, sizeof want,
             "CR-%lld is deployed to acme-qa. Staging and production are "
             "still to do.",
             (long long)id);
    flash_is(&pat, id, "to=deployed&instance=acme-qa", want);
    snprintf(want, sizeof want,
             "CR-%lld is deployed to acme-stage. Production is still to do.",
             (long long)id);
    flash_is(&pat, id, "to=deployed&instance=acme-stage", want);
    snprintf(want, sizeof want, "CR-%lld is deployed to every instance.",
             (long long)id);
    flash_is(&pat, id, "to=deployed&instance=acme-prod", want);

    /* Rejected and withdrawn. */
    id = create("\"acme-prod\"");
    snprintf(want, sizeof want,
             "CR-%lld is withdrawn. The project manager is "
             "told.",
             (long long)id);
    flash_is(&ann, id, "to=withdrawn", want);
    id = create("\"acme-prod\"");
    snprintf(want, sizeof want, "CR-%lld is rejected. Ann is told why.",
             (long long)id);
    flash_is(&pat, id, "to=rejected&note=Out+of+scope", want);
}

/* ---- the sprint board ------------------------------------------------------
 */

static void test_deploy_order__board_lists_a_table_once(void **state)
{
    const char *json =
        "{\"instance\":\"acme-prod\",\"instances\":[\"acme-qa\","
        "\"acme-prod\"],\"project_manager\":\"pat@platform.example\","
        "\"title\":\"Customers %d\",\"summary\":\"Please.\",\"items\":[{"
        "\"kind\":\"add_columns\",\"table\":\"customers\",\"columns\":[{"
        "\"name\":\"c_%d\",\"type\":\"integer\",\"description\":\"d\"}]}]}";
    char j[1024], path[64];
    int64_t ids[2];
    h_resp r;

    (void)state;
    for (int i = 0; i < 2; i++) {
        snprintf(j, sizeof j, json, i, i);
        h_send_json(&r, &srv, NULL, ann_token, "POST", "/api/v1/requests", j);
        ids[i] = h_created(&r);
        h_resp_free(&r);
        scheduled(ids[i]);
    }
    snprintf(path, sizeof path, "/sprints/%lld", (long long)sprint1);
    h_get(&r, &srv, &pat, path);
    assert_int_equal(r.status, 200);
    assert_int_equal(count_of(r.body, "href=\"/tables/acme-qa/customers\""), 1);
    assert_int_equal(count_of(r.body, "href=\"/tables/acme-prod/customers\""),
                     1);
    snprintf(j, sizeof j, "CR-%lld, CR-%lld", (long long)ids[0],
             (long long)ids[1]);
    assert_non_null(strstr(r.body, j));
    h_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/sprints/%lld", (long long)sprint1);
    h_get(&r, &srv, &pat, path);
    {
        cJSON *doc = cJSON_Parse(r.body), *t;
        int n = 0;
        cJSON_ArrayForEach(t, cJSON_GetObjectItem(doc, "tables"))
        {
            if (strcmp(cJSON_GetObjectItem(t, "table")->valuestring,
                       "customers") != 0)
                continue;
            n++;
            assert_int_equal(
                cJSON_GetArraySize(cJSON_GetObjectItem(t, "requests")), 2);
        }
        assert_int_equal(n, 2);
        cJSON_Delete(doc);
    }
    h_resp_free(&r);
}

/* ---- the demo -------------------------------------------------------------
 */

static void test_deploy_order__demo_schedules_in_a_sprint(void **state)
{
    h_server demo;
    h_session pm = {0};
    char path[700], *out = NULL, pw[64] = "", *p;
    int64_t n;

    (void)state;
    h_server_start(&demo, NULL);
    assert_int_equal(h_server_stop(&demo), 0);
    for (const char *ext = ""; ext; ext = *ext ? NULL : "-wal") {
        snprintf(path, sizeof path, "%s%s", demo.db, ext);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s-shm", demo.db);
    unlink(path);
    if (h_docket(&demo, NULL, &out, "demo", NULL) != 0)
        fail_msg("demo: %s", out);
    p = strstr(out, "pm@platform.example");
    assert_non_null(p);
    p = strstr(p, "password ");
    assert_non_null(p);
    sscanf(p + 9, "%63s", pw);
    free(out);
    /* Every request past triage is in a sprint, and got there through
       its life cycle (an event row per step). */
    n = h_db_int(&demo, "SELECT count(*) FROM requests WHERE status IN "
                        "('scheduled', 'in_progress', 'deployed') AND "
                        "sprint_id IS NULL");
    assert_int_equal(n, 0);
    assert_true(h_db_int(&demo, "SELECT count(*) FROM requests WHERE status"
                                " = 'scheduled'") >= 1);
    assert_int_equal(h_db_int(&demo, "SELECT count(*) FROM requests r WHERE"
                                     " status <> 'submitted' AND NOT EXISTS"
                                     " (SELECT 1 FROM request_events e WHERE"
                                     " e.request_id = r.id AND e.to_status ="
                                     " r.status)"),
                     0);
    h_server_restart(&demo);
    assert_int_equal(h_signin(&pm, &demo, "pm@platform.example", pw), 303);
    n = h_db_int(&demo, "SELECT id FROM requests WHERE status = 'scheduled' "
                        "ORDER BY id LIMIT 1");
    snprintf(path, sizeof path, "/requests/%lld", (long long)n);
    h_get_expect(&demo, &pm, path, 200, "!not scheduled", "/sprints/", NULL);
    assert_int_equal(h_server_stop(&demo), 0);
    h_server_cleanup(&demo);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_deploy_order__buttons_follow_the_environments),
    cmocka_unit_test(test_deploy_order__production_first_needs_a_reason),
    cmocka_unit_test(test_deploy_order__api_takes_the_reason),
    cmocka_unit_test(test_deploy_order__messages_for_their_reader),
    cmocka_unit_test(test_deploy_order__board_lists_a_table_once),
    cmocka_unit_test(test_deploy_order__demo_schedules_in_a_sprint),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
