/* test_group_commit.c: submissions stored by the group-commit writer
 * (registry/writer.c, web/server.c web_defer_job), through real HTTP with
 * many requests in flight at once (libcurl multi):
 * 1. 56 JSON and 8 HTML form submissions at once: every one is answered
 *    (201 / 303) and stored exactly once under the id it was answered
 *    with, complete (items, columns, event, version, outbox row).
 * 2. 16 submissions with one Idempotency-Key at once, 12 with the same
 *    body and 4 with others: one request is stored; the answers that match
 *    its body carry its id (all but one replayed), the others are 409.
 * 3. A job that fails inside the writer (a trigger injected for the test
 *    rejects a column name) is answered 409 and leaves nothing behind,
 *    while the submissions around it are stored.
 * 4. SIGTERM with submissions in flight: the server stops cleanly and
 *    every submission that was answered is stored.
 * Crash safety under kill -9 is test_crash.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "harness.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static h_server srv;
static h_session ann;
static char ann_token[128];

/* Every submission writes one outbox row (the webhook's port is closed,
   so rows stay pending). */
static const char extra_config[] = H_CLOSED_HOOK_CONFIG;

static int up(void **state)
{
    *state = &srv;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    h_server_start(&srv, extra_config);
    h_world(&srv, "acme acme-qa ann+ pat", &ann);
    h_token(&srv, "ann@acme.example", "group", ann_token, sizeof ann_token);
    return 0;
}

static int down(void **state)
{
    h_group_down(state);
    curl_global_cleanup();
    return 0;
}

/* ---- many requests at once --------------------------------------------- */

typedef struct sub {
    char title[64];
    char column[32]; /* name of the second column */
    int form;        /* 1: HTML form, else JSON API */
    char key[64];    /* Idempotency-Key ("" none; JSON only) */
    buf body;
    buf out;
    buf headers;
    long status;
    long long id; /* from the answer; 0 when none */
    int replayed;
    struct curl_slist *hl;
    CURL *c;
} sub;

static size_t on_bytes(char *p, size_t size, size_t n, void *ud)
{
    buf_append(ud, p, size * n);
    return size * n;
}

#define SUMMARY "Sent with many others."

static void json_body(buf *b, const char *title, const char *column)
{
    h_minimal_json(b, title, SUMMARY, "group_members", column);
}

static void form_body(buf *b, const char *title, const char *column)
{
    h_form_field(b, "csrf", ann.csrf);
    h_minimal_fields(b, h_form_field, title, SUMMARY, "group_members", column);
}

static void sub_prepare(sub *s)
{
    char url[256], line[400];

    if (!s->body.len) {
        if (s->form)
            form_body(&s->body, s->title, s->column);
        else
            json_body(&s->body, s->title, s->column);
    }
    s->c = curl_easy_init();
    snprintf(url, sizeof url, "%s%s", srv.url,
             s->form ? "/requests" : "/api/v1/requests");
    curl_easy_setopt(s->c, CURLOPT_URL, url);
    curl_easy_setopt(s->c, CURLOPT_POST, 1L);
    curl_easy_setopt(s->c, CURLOPT_POSTFIELDS, s->body.data);
    curl_easy_setopt(s->c, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)s->body.len);
    curl_easy_setopt(s->c, CURLOPT_WRITEFUNCTION, on_bytes);
    curl_easy_setopt(s->c, CURLOPT_WRITEDATA, &s->out);
    curl_easy_setopt(s->c, CURLOPT_HEADERFUNCTION, on_bytes);
    curl_easy_setopt(s->c, CURLOPT_HEADERDATA, &s->headers);
    curl_easy_setopt(s->c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(s->c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->c, CURLOPT_PRIVATE, s);
    s->hl = curl_slist_append(s->hl, "Expect:");
    if (s->form) {
        s->hl = curl_slist_append(
            s->hl, "Content-Type: application/x-www-form-urlencoded");
        snprintf(line, sizeof line, "Cookie: %s", ann.cookie);
        s->hl = curl_slist_append(s->hl, line);
    } else {
        s->hl = curl_slist_append(s->hl, "Content-Type: application/json");
        snprintf(line, sizeof line, "Authorization: Bearer %s", ann_token);
        s->hl = curl_slist_append(s->hl, line);
        if (*s->key) {
            snprintf(line, sizeof line, "Idempotency-Key: %s", s->key);
            s->hl = curl_slist_append(s->hl, line);
        }
    }
    curl_easy_setopt(s->c, CURLOPT_HTTPHEADER, s->hl);
}

/* The answer's id and replay flag. */
static void sub_answer(sub *s)
{
    const char *p;

    curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &s->status);
    if (s->form && s->status == 303 &&
        (p = strstr(buf_cstr(&s->headers), "Location: /requests/")))
        s->id = strtoll(p + 20, NULL, 10);
    if (!s->form && s->status == 201 &&
        (p = strstr(buf_cstr(&s->headers), "Location: /api/v1/requests/")))
        s->id = strtoll(p + 27, NULL, 10);
    s->replayed =
        strstr(buf_cstr(&s->headers), "Idempotent-Replayed: true") != NULL;
}

static void sub_dispose(sub *s)
{
    buf_dispose(&s->body);
    buf_dispose(&s->out);
    buf_dispose(&s->headers);
    curl_slist_free_all(s->hl);
    if (s->c)
        curl_easy_cleanup(s->c);
    memset(s, 0, sizeof *s);
}

/* Sends all n at once (one connection each) and waits for every answer.
 * on_sent (may be NULL) runs once every request has been sent. */
static void send_all(sub *subs, size_t n, void (*on_sent)(void))
{
    CURLM *m = curl_multi_init();
    int running = 1, uploaded = 0;

    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
    for (size_t i = 0; i < n; i++) {
        sub_prepare(&subs[i]);
        curl_multi_add_handle(m, subs[i].c);
    }
    while (running) {
        CURLMsg *msg;
        int left;
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)))
            if (msg->msg == CURLMSG_DONE) {
                sub *s = NULL;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &s);
                sub_answer(s);
            }
        if (!uploaded && on_sent) {
            curl_off_t done_bytes;
            size_t all = 0;
            for (size_t i = 0; i < n; i++) {
                curl_easy_getinfo(subs[i].c, CURLINFO_SIZE_UPLOAD_T,
                                  &done_bytes);
                all += (size_t)done_bytes == subs[i].body.len;
            }
            if (all == n) {
                uploaded = 1;
                on_sent();
            }
        }
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    for (size_t i = 0; i < n; i++)
        curl_multi_remove_handle(m, subs[i].c);
    curl_multi_cleanup(m);
}

static int64_t q_id(const char *fmt, const char *arg)
{
    char sql[512];

    snprintf(sql, sizeof sql, fmt, arg);
    return h_db_int(&srv, sql);
}

/* s was stored once, under s->id, complete. */
static void check_stored(const sub *s)
{
    char sql[1024];

    if (q_id("SELECT count(*) FROM requests WHERE title = '%s'", s->title) != 1)
        fail_msg("%s: stored %lld times", s->title,
                 (long long)q_id("SELECT count(*) FROM requests WHERE "
                                 "title = '%s'",
                                 s->title));
    assert_int_equal(
        q_id("SELECT id FROM requests WHERE title = '%s'", s->title), s->id);
    snprintf(sql, sizeof sql,
             "SELECT group_concat(name, ',') = 'member_id,%s' FROM (SELECT"
             " c.name FROM request_items i JOIN item_columns c ON c.item_id"
             " = i.id WHERE i.request_id = %lld ORDER BY c.position)",
             s->column, s->id);
    assert_int_equal(h_db_int(&srv, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM request_events WHERE request_id ="
             " %lld AND to_status = 'submitted') + (SELECT count(*) FROM"
             " request_versions WHERE request_id = %lld) + (SELECT count(*)"
             " FROM events e JOIN outbox o ON o.event_id = e.id WHERE"
             " e.request_id = %lld AND e.event = 'request.submitted')",
             s->id, s->id, s->id);
    assert_int_equal(h_db_int(&srv, sql), 3);
}

/* ---- tests ---------------------------------------------------------------
 */

#define NMANY 64

static void test_group__many_at_once_stored_once(void **state)
{
    static sub subs[NMANY];
    int64_t before = h_db_int(&srv, "SELECT count(*) FROM requests");

    (void)state;
    for (int i = 0; i < NMANY; i++) {
        snprintf(subs[i].title, sizeof subs[i].title, "many %d", i);
        snprintf(subs[i].column, sizeof subs[i].column, "tier_%d", i);
        subs[i].form = i % 8 == 0;
        if (!subs[i].form && i % 2)
            snprintf(subs[i].key, sizeof subs[i].key, "many-key-%d", i);
    }
    send_all(subs, NMANY, NULL);
    for (int i = 0; i < NMANY; i++) {
        if (subs[i].status != (subs[i].form ? 303 : 201))
            fail_msg("%s answered %ld: %s", subs[i].title, subs[i].status,
                     buf_cstr(&subs[i].out));
        assert_true(subs[i].id > 0);
        assert_false(subs[i].replayed);
        check_stored(&subs[i]);
    }
    for (int i = 0; i < NMANY; i++)
        for (int j = i + 1; j < NMANY; j++)
            assert_true(subs[i].id != subs[j].id);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM requests"),
                     before + NMANY);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM events e WHERE"
                                    " e.event = 'request.submitted' AND NOT"
                                    " EXISTS (SELECT 1 FROM outbox o WHERE"
                                    " o.event_id = e.id)"),
                     0);
    for (int i = 0; i < NMANY; i++)
        sub_dispose(&subs[i]);
}

#define NSAME 16

static void test_group__same_key_at_once_one_request(void **state)
{
    static sub subs[NSAME];
    int64_t stored_id;
    int created = 0, replayed = 0, conflicts = 0;
    char winner[sizeof subs[0].title] = "";

    (void)state;
    for (int i = 0; i < NSAME; i++) {
        /* 12 identical bodies, 4 different ones, one key. */
        snprintf(subs[i].title, sizeof subs[i].title, "same key %d",
                 i < 12 ? 0 : i);
        snprintf(subs[i].column, sizeof subs[i].column, "tier");
        snprintf(subs[i].key, sizeof subs[i].key, "one-key-for-all");
    }
    send_all(subs, NSAME, NULL);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM requests WHERE"
                                    " idempotency_key = 'one-key-for-all'"),
                     1);
    stored_id = h_db_int(&srv, "SELECT id FROM requests WHERE"
                               " idempotency_key = 'one-key-for-all'");
    for (int i = 0; i < NSAME; i++)
        if (subs[i].status == 201 && !subs[i].replayed)
            memcpy(winner, subs[i].title, sizeof winner);
    assert_true(*winner);
    assert_int_equal(
        q_id("SELECT count(*) FROM requests WHERE title = '%s'", winner), 1);
    for (int i = 0; i < NSAME; i++) {
        if (!strcmp(subs[i].title, winner)) {
            if (subs[i].status != 201)
                fail_msg("same body answered %ld: %s", subs[i].status,
                         buf_cstr(&subs[i].out));
            assert_int_equal(subs[i].id, stored_id);
            if (subs[i].replayed)
                replayed++;
            else
                created++;
        } else {
            if (subs[i].status != 409)
                fail_msg("other body answered %ld: %s", subs[i].status,
                         buf_cstr(&subs[i].out));
            conflicts++;
        }
    }
    assert_int_equal(created, 1);
    assert_int_equal(created + replayed + conflicts, NSAME);
    for (int i = 0; i < NSAME; i++)
        sub_dispose(&subs[i]);
}

#define NFAIL 32

static void test_group__failing_job_spares_neighbours(void **state)
{
    static sub subs[NFAIL];

    (void)state;
    /* A failure in the middle of a job, after its requests row was
       written: the writer must undo that job alone. */
    h_db_exec(&srv, "CREATE TRIGGER test_inject_failure BEFORE INSERT ON"
                    " item_columns WHEN new.name = 'boom' BEGIN"
                    " SELECT RAISE(ABORT, 'injected failure'); END");
    for (int i = 0; i < NFAIL; i++) {
        int bad = i % 8 == 3;
        snprintf(subs[i].title, sizeof subs[i].title, "%s %d",
                 bad ? "doomed" : "neighbour", i);
        snprintf(subs[i].column, sizeof subs[i].column, "%s",
                 bad ? "boom" : "tier");
        subs[i].form = i % 8 == 5;
    }
    send_all(subs, NFAIL, NULL);
    h_db_exec(&srv, "DROP TRIGGER test_inject_failure");
    for (int i = 0; i < NFAIL; i++) {
        if (!strcmp(subs[i].column, "boom")) {
            if (subs[i].status != 409)
                fail_msg("%s answered %ld", subs[i].title, subs[i].status);
            assert_int_equal(q_id("SELECT count(*) FROM requests WHERE"
                                  " title = '%s'",
                                  subs[i].title),
                             0);
            continue;
        }
        if (subs[i].status != (subs[i].form ? 303 : 201))
            fail_msg("%s answered %ld: %s", subs[i].title, subs[i].status,
                     buf_cstr(&subs[i].out));
        check_stored(&subs[i]);
    }
    /* Nothing of the failed jobs is left anywhere. */
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM item_columns"
                                    " WHERE name = 'boom'"),
                     0);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM request_items i"
                                    " WHERE NOT EXISTS (SELECT 1 FROM"
                                    " requests r WHERE r.id = i.request_id)"),
                     0);
    for (int i = 0; i < NFAIL; i++)
        sub_dispose(&subs[i]);
}

static void stop_server(void)
{
    kill(srv.pid, SIGTERM);
}

#define NSTOP 48

static void test_group__stop_with_submissions_in_flight(void **state)
{
    static sub subs[NSTOP];
    int status = 0, answered = 0;

    (void)state;
    for (int i = 0; i < NSTOP; i++) {
        snprintf(subs[i].title, sizeof subs[i].title, "stopping %d", i);
        snprintf(subs[i].column, sizeof subs[i].column, "tier");
        subs[i].form = i % 6 == 0;
    }
    /* SIGTERM as soon as every body is on its way. */
    send_all(subs, NSTOP, stop_server);
    assert_int_equal(waitpid(srv.pid, &status, 0), srv.pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    h_server_restart(&srv);
    for (int i = 0; i < NSTOP; i++) {
        if (subs[i].id <= 0)
            continue;
        answered++;
        check_stored(&subs[i]);
    }
    print_message("%d of %d answered before the stop\n", answered, NSTOP);
    for (int i = 0; i < NSTOP; i++)
        sub_dispose(&subs[i]);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_group__many_at_once_stored_once),
    cmocka_unit_test(test_group__same_key_at_once_one_request),
    cmocka_unit_test(test_group__failing_job_spares_neighbours),
    cmocka_unit_test(test_group__stop_with_submissions_in_flight),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, down);
}
