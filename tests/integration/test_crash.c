/* test_crash.c: crash safety of the real server.
 *
 * 1. Four client processes submit change requests without pause (half as
 *    multipart HTML forms with an attachment, half through the JSON API)
 *    while the server is killed with SIGKILL at random moments, 20 times,
 *    and restarted each time. Afterwards every submission that was
 *    answered (303 or 201) is present and complete (title, summary, items,
 *    columns, attachment bytes and sha256 size), no request is partial
 *    (items, columns, instances, its submitted event, version row and
 *    events row all present), every request.submitted event has its outbox
 *    row for the configured route, and PRAGMA integrity_check and
 *    foreign_key_check are clean.
 * 2. A write that fails inside the server (the database held locked past
 *    busy_timeout) answers 500 with an incident id that is also in the
 *    log, and the page shows no SQL or internal detail.
 * Related: tests/integration/test_resilience.sh (slow clients, backup). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "harness.h"

#include <curl/curl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NCLIENTS 4
#define NKILLS   20

static h_server srv;
static h_session ann;
static char ann_token[128];

/* The configured route makes every submission write one outbox row; the
   webhook's port is closed, so rows stay pending (retried) and never
   vanish. */
static const char extra_config[] = H_CLOSED_HOOK_CONFIG;

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, extra_config);
    h_world(&srv, "acme acme-qa ann+ pat", &ann);
    h_token(&srv, "ann@acme.example", "crash", ann_token, sizeof ann_token);
    return 0;
}

/* ---- what a client sends ------------------------------------------------- */

/* The attachment of submission (client, seq): UTF-8 CSV text. */
static void attachment_of(buf *b, int client, int seq)
{
    buf_puts(b, "member_id,tier\n");
    for (int i = 0; i < 20 + seq % 50; i++)
        buf_appendf(b, "%d,tier-%d-%d-%d\n", i, client, seq, i * 7919 % 1000);
}

static void title_of(char *out, size_t size, int client, int seq)
{
    snprintf(out, size, "crash c%d s%d", client, seq);
}

#define SUMMARY "Sent while the server is being killed."

static void form_body(buf *b, int client, int seq)
{
    char title[64];
    buf att = {0};

    title_of(title, sizeof title, client, seq);
    h_mp_field(b, "csrf", ann.csrf);
    h_minimal_fields(b, h_mp_field, title, SUMMARY, "crash_members", "tier");
    attachment_of(&att, client, seq);
    h_mp_file(b, "attachments", "sample.csv", 10, "text/csv", att.data,
              att.len);
    buf_puts(b, "--" H_BOUNDARY "--\r\n");
    buf_dispose(&att);
}

static void json_body(buf *b, int client, int seq)
{
    char title[64];

    title_of(title, sizeof title, client, seq);
    h_minimal_json(b, title, SUMMARY, "crash_members", "tier");
}

typedef struct answer {
    long status;
    buf body;
    buf headers;
} answer;

static size_t on_bytes(char *p, size_t size, size_t n, void *ud)
{
    buf_append(ud, p, size * n);
    return size * n;
}

/* One POST; 0 when the transfer completed (any status). */
static int child_post(answer *a, const char *path, const char *type,
                      const buf *body, const char *header)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL;
    char url[256], line[400];
    CURLcode rc;

    snprintf(url, sizeof url, "%s%s", srv.url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_bytes);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_bytes);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &a->headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    snprintf(line, sizeof line, "Content-Type: %s", type);
    hl = curl_slist_append(hl, line);
    hl = curl_slist_append(hl, "Expect:");
    snprintf(line, sizeof line, "Cookie: %s", ann.cookie);
    hl = curl_slist_append(hl, line);
    if (header)
        hl = curl_slist_append(hl, header);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}

static volatile sig_atomic_t child_stop;

static void on_term(int sig)
{
    (void)sig;
    child_stop = 1;
}

/* A client process: submits until SIGTERM; every answered submission is
 * one line "id client seq kind" in its record file. */
static void child_main(int client, const char *record)
{
    FILE *f = fopen(record, "w");
    char auth[200];

    signal(SIGTERM, on_term);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", ann_token);
    for (int seq = 0; !child_stop; seq++) {
        answer a = {0};
        buf body = {0};
        int form = seq % 2 == 0;
        long long id = 0;
        const char *p;
        if (form)
            form_body(&body, client, seq);
        else
            json_body(&body, client, seq);
        if (child_post(&a, form ? "/requests" : "/api/v1/requests",
                       form ? H_MULTIPART : "application/json", &body,
                       form ? NULL : auth) == 0) {
            if (form && a.status == 303 &&
                (p = strstr(buf_cstr(&a.headers), "Location: /requests/")))
                id = strtoll(p + 20, NULL, 10);
            else if (!form && a.status == 201 &&
                     (p = strstr(buf_cstr(&a.body), "\"id\":")))
                id = strtoll(p + 5, NULL, 10);
            else if (a.status != 503 && a.status != 500)
                fprintf(f, "unexpected %ld %d %d %s\n", a.status, client, seq,
                        buf_cstr(&a.body));
        } else {
            usleep(20000); /* the server is down: try again soon */
        }
        if (id > 0)
            fprintf(f, "%lld %d %d %s\n", id, client, seq,
                    form ? "form" : "json");
        fflush(f);
        buf_dispose(&body);
        buf_dispose(&a.body);
        buf_dispose(&a.headers);
    }
    fclose(f);
    _exit(0);
}

/* ---- checks ---------------------------------------------------------------
 */

static sqlite3 *db_open(void)
{
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(srv.db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("open %s", srv.db);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int64_t q_int(sqlite3 *db, const char *sql, int64_t id)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_bind_parameter_count(st))
        sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* One answered submission is stored exactly as sent. */
static void check_answered(sqlite3 *db, long long id, int client, int seq,
                           const char *kind)
{
    sqlite3_stmt *st = NULL;
    char title[64];
    int ok;

    title_of(title, sizeof title, client, seq);
    sqlite3_prepare_v2(db,
                       "SELECT title, summary, status FROM requests"
                       " WHERE id = ?1",
                       -1, &st, NULL);
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("answered CR-%lld (%s %d/%d) is missing", id, kind, client,
                 seq);
    ok = !strcmp((const char *)sqlite3_column_text(st, 0), title) &&
         !strcmp((const char *)sqlite3_column_text(st, 1),
                 "Sent while the server is being killed.") &&
         !strcmp((const char *)sqlite3_column_text(st, 2), "submitted");
    sqlite3_finalize(st);
    if (!ok)
        fail_msg("CR-%lld is not what was sent", id);
    if (q_int(db,
              "SELECT group_concat(c.name || ':' || c.type, ',') = "
              "'member_id:bigint,tier:string(20)' FROM (SELECT c.name, "
              "c.type FROM request_items i JOIN item_columns c ON "
              "c.item_id = i.id WHERE i.request_id = ?1 AND i.table_name = "
              "'crash_members' ORDER BY c.position) c",
              id) != 1)
        fail_msg("CR-%lld: columns differ", id);
    if (!strcmp(kind, "form")) {
        buf att = {0};
        attachment_of(&att, client, seq);
        sqlite3_prepare_v2(db,
                           "SELECT data, size, length(sha256) FROM "
                           "attachments WHERE request_id = ?1",
                           -1, &st, NULL);
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) != SQLITE_ROW)
            fail_msg("CR-%lld: attachment missing", id);
        ok = (size_t)sqlite3_column_bytes(st, 0) == att.len &&
             !memcmp(sqlite3_column_blob(st, 0), att.data, att.len) &&
             sqlite3_column_int64(st, 1) == (int64_t)att.len &&
             sqlite3_column_int(st, 2) == 64;
        if (sqlite3_step(st) != SQLITE_DONE)
            ok = 0;
        sqlite3_finalize(st);
        buf_dispose(&att);
        if (!ok)
            fail_msg("CR-%lld: attachment differs", id);
    }
}

/* Counts of requests lacking one of their parts (must all be 0). */
static void check_no_partial(sqlite3 *db)
{
    static const struct {
        const char *what, *sql;
    } checks[] = {
        {"without items", "SELECT count(*) FROM requests r WHERE NOT EXISTS "
                          "(SELECT 1 FROM request_items i WHERE "
                          "i.request_id = r.id)"},
        {"items without columns",
         "SELECT count(*) FROM request_items i WHERE NOT EXISTS (SELECT 1 "
         "FROM item_columns c WHERE c.item_id = i.id)"},
        {"without instances",
         "SELECT count(*) FROM requests r WHERE NOT EXISTS (SELECT 1 FROM "
         "request_instances x WHERE x.request_id = r.id)"},
        {"without a submitted event",
         "SELECT count(*) FROM requests r WHERE NOT EXISTS (SELECT 1 FROM "
         "request_events e WHERE e.request_id = r.id AND e.to_status = "
         "'submitted')"},
        {"without a version row",
         "SELECT count(*) FROM requests r WHERE NOT EXISTS (SELECT 1 FROM "
         "request_versions v WHERE v.request_id = r.id)"},
        {"without an events row",
         "SELECT count(*) FROM requests r WHERE NOT EXISTS (SELECT 1 FROM "
         "events e WHERE e.request_id = r.id AND e.event = "
         "'request.submitted')"},
        {"submitted events without their outbox row",
         "SELECT count(*) FROM events e WHERE e.event = 'request.submitted' "
         "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.id AND "
         "o.channel = 'hook')"},
        {"form submissions without their attachment",
         "SELECT count(*) FROM requests r WHERE r.title LIKE 'crash c% s%' "
         "AND CAST(substr(r.title, instr(r.title, ' s') + 2) AS INTEGER) % 2 "
         "= 0 AND NOT EXISTS (SELECT 1 FROM attachments a WHERE "
         "a.request_id = r.id)"},
        {"foreign key violations",
         "SELECT count(*) FROM pragma_foreign_key_check"},
    };

    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
        int64_t n = q_int(db, checks[i].sql, 0);
        if (n != 0)
            fail_msg("%lld requests %s", (long long)n, checks[i].what);
    }
    {
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
        sqlite3_finalize(st);
    }
}

static void test_crash__kill_9_loses_no_answered_submission(void **state)
{
    pid_t kids[NCLIENTS];
    char records[NCLIENTS][700];
    int answered = 0, total_lines = 0;
    struct timespec ts;
    sqlite3 *db;

    (void)state;
    clock_gettime(CLOCK_REALTIME, &ts);
    srand((unsigned)ts.tv_nsec);
    for (int c = 0; c < NCLIENTS; c++) {
        snprintf(records[c], sizeof records[c], "%s/client%d.txt", srv.dir, c);
        kids[c] = fork();
        if (kids[c] == 0)
            child_main(c, records[c]);
    }
    for (int k = 0; k < NKILLS; k++) {
        /* 100..900 ms of traffic, then SIGKILL mid-whatever */
        usleep((useconds_t)(100000 + rand() % 800000));
        h_server_kill(&srv);
        h_server_restart(&srv);
    }
    usleep(300000);
    for (int c = 0; c < NCLIENTS; c++)
        kill(kids[c], SIGTERM);
    for (int c = 0; c < NCLIENTS; c++) {
        int status;
        waitpid(kids[c], &status, 0);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    /* Stop cleanly so every check reads a quiet database. */
    assert_int_equal(h_server_stop(&srv), 0);

    db = db_open();
    for (int c = 0; c < NCLIENTS; c++) {
        FILE *f = fopen(records[c], "r");
        char line[4096];
        assert_non_null(f);
        while (fgets(line, sizeof line, f)) {
            long long id;
            int client, seq;
            char kind[8];
            total_lines++;
            if (!strncmp(line, "unexpected", 10))
                fail_msg("client %d: %s", c, line);
            if (sscanf(line, "%lld %d %d %7s", &id, &client, &seq, kind) != 4)
                fail_msg("bad record line: %s", line);
            check_answered(db, id, client, seq, kind);
            answered++;
        }
        fclose(f);
    }
    check_no_partial(db);
    fprintf(stderr,
            "crash: %d answered submissions survived %d kills; %lld requests "
            "stored in all\n",
            answered, NKILLS,
            (long long)q_int(db, "SELECT count(*) FROM requests", 0));
    sqlite3_close(db);
    assert_true(answered >= NKILLS); /* the load really ran */
    (void)total_lines;
    h_server_restart(&srv);
}

/* ---- 500 pages ------------------------------------------------------------
 */

static void test_crash__error_page_shows_incident_not_sql(void **state)
{
    sqlite3 *db = NULL;
    h_resp r;
    const char *p;
    char incident[17] = "", *log = NULL;
    FILE *f;
    long n;
    buf body = {0};

    (void)state;
    /* Hold the write lock past the server's busy_timeout (5 s). */
    assert_int_equal(sqlite3_open(srv.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL),
                     SQLITE_OK);
    json_body(&body, 9, 1);
    {
        char csrf[120];
        const char *hdrs[2] = {csrf, NULL};
        snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", ann.csrf);
        /* the HTML form: an error page */
        buf form = {0};
        form_body(&form, 9, 2);
        h_request(&r, &srv, &ann, "POST", "/requests", H_MULTIPART, form.data,
                  form.len, hdrs);
        buf_dispose(&form);
    }
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    if (r.status != 500)
        fail_msg("write under a held lock: %ld", r.status);
    p = strstr(r.body, "Incident <code>");
    if (!p)
        fail_msg("no incident id on the error page: %.500s", r.body);
    sscanf(p + strlen("Incident <code>"), "%16[0-9a-f]", incident);
    assert_int_equal(strlen(incident), 16);
    {
        static const char *const leaks[] = {
            "SQLITE",    "sqlite", "database is locked",
            "INSERT",    "SELECT", "BEGIN",
            "registry/", ".c:",    "errmsg"};
        for (size_t i = 0; i < sizeof leaks / sizeof *leaks; i++)
            if (strstr(r.body, leaks[i]))
                fail_msg("the error page shows \"%s\"", leaks[i]);
    }
    h_resp_free(&r);
    f = fopen(srv.log, "r");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    log = calloc(1, (size_t)n + 1);
    assert_true(fread(log, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    if (!strstr(log, incident))
        fail_msg("incident %s is not in the server log", incident);
    free(log);
    /* nothing was stored, and the server recovered */
    assert_int_equal(h_db_int(&srv,
                              "SELECT count(*) FROM requests WHERE title = "
                              "'crash c9 s2'"),
                     0);
    h_get_expect(&srv, NULL, "/healthz", 200, NULL);
    buf_dispose(&body);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_crash__error_page_shows_incident_not_sql),
    cmocka_unit_test(test_crash__kill_9_loses_no_answered_submission),
};

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return cmocka_run_group_tests(tests, up, h_group_down);
}
