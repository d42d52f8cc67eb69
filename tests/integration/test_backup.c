/* test_backup.c: `docket backup` and `docket restore` against the real
 * server.
 *
 * 1. `docket restore` refuses (exit 3, saying how to stop the server)
 *    while a server uses the database, which stays unchanged; after a
 *    clean stop it restores and the restored data is served; after a
 *    kill -9 it restores too (no stale lock). While a restore holds the
 *    database, `docket serve` refuses to start; while another program has
 *    the database open, restore refuses.
 * 2. With the database made over 100 MB: a backup stopped by SIGTERM or
 *    SIGINT mid-copy leaves no FILE.tmp-* and no FILE; one killed with
 *    SIGKILL leaves a temporary file that the next backup to the same FILE
 *    removes (that backup's time is the idle time of 3).
 * 3. A backup of that database while 8 clients submit without pause
 *    finishes within 3 times the idle backup's time (measured in the same
 *    run) plus 10 s, and the copy is a consistent snapshot: it passes
 *    integrity_check and foreign_key_check, holds no partial request, and
 *    its requests are exactly the acknowledged ones up to its newest
 *    (request ids are given in commit order, so the copy holds ids 1..N
 *    with no gap, every one of them acknowledged).
 * The backup and restore code is registry/backup.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "harness.h"

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PW       "correct horse battery"
#define NCLIENTS 8
#define BULK_MIB 100 /* 1 MiB attachments that make the database big */

static h_server srv;
static char ann_token[128];
static pid_t kids[NCLIENTS]; /* client processes of test 3 while they run */
static long long big_seed;   /* test 2: the request with the bulk data */
static double idle_s;        /* test 2: seconds of a backup with no load */

static void setup_server(h_server *s, char *token, size_t size)
{
    char *out = NULL;

    h_server_start(s, NULL);
    assert_int_equal(h_docket(s, NULL, NULL, "org", "add", "acme", NULL), 0);
    assert_int_equal(h_docket(s, NULL, NULL, "instance", "add", "acme",
                              "acme-qa", "--env", "qa", "--dialect", "postgres",
                              NULL),
                     0);
    h_user(s, "ann@acme.example", "Ann", "client", "acme", PW);
    h_user(s, "pat@platform.example", "Pat", "pm", NULL, PW);
    assert_int_equal(h_docket(s, NULL, &out, "token", "create", "--email",
                              "ann@acme.example", "--label", "backup", NULL),
                     0);
    snprintf(token, size, "%s", out);
    token[strcspn(token, " \r\n")] = '\0';
    free(out);
}

static int up(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    setup_server(&srv, ann_token, sizeof ann_token);
    return 0;
}

static int down(void **state)
{
    (void)state;
    for (int c = 0; c < NCLIENTS; c++) {
        if (kids[c] > 0) {
            kill(kids[c], SIGKILL);
            waitpid(kids[c], NULL, 0);
        }
    }
    h_server_stop(&srv);
    h_server_cleanup(&srv);
    curl_global_cleanup();
    return 0;
}

/* ---- small tools ---------------------------------------------------------
 */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void json_body(buf *b, const char *title)
{
    h_minimal_json(b, title, "Sent during a backup.", "backup_members", NULL);
}

/* Submits one request through the JSON API; returns its id (the answer
 * must be 201). */
static long long submit(h_server *s, const char *token, const char *title)
{
    h_resp r;
    buf b = {0};
    long long id = 0;

    json_body(&b, title);
    h_send_json(&r, s, NULL, token, "POST", "/api/v1/requests", buf_cstr(&b));
    if (r.status != 201)
        fail_msg("submit %s: %ld %s", title, r.status, r.body);
    id = h_created(&r);
    h_resp_free(&r);
    buf_dispose(&b);
    return id;
}

static long get_status(h_server *s, const char *token, long long id)
{
    char path[64], auth[200];
    const char *hdrs[2] = {auth, NULL};
    h_resp r;
    long st;

    snprintf(path, sizeof path, "/api/v1/requests/%lld", id);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    h_request(&r, s, NULL, "GET", path, NULL, NULL, 0, hdrs);
    st = r.status;
    h_resp_free(&r);
    return st;
}

/* Waits up to secs for pid; 1 and *status when it ended, else 0. */
static int wait_upto(pid_t pid, double secs, int *status)
{
    double until = now_s() + secs;

    do {
        if (waitpid(pid, status, WNOHANG) == pid)
            return 1;
        usleep(2000);
    } while (now_s() < until);
    return 0;
}

/* Files in dir whose name starts with prefix; the size of the largest in
 * *largest when not NULL. */
static int count_prefixed(const char *dir, const char *prefix, off_t *largest)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (largest)
        *largest = 0;
    assert_non_null(d);
    while ((e = readdir(d))) {
        char path[1200];
        struct stat sb;
        if (strncmp(e->d_name, prefix, strlen(prefix)))
            continue;
        n++;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (largest && stat(path, &sb) == 0 && sb.st_size > *largest)
            *largest = sb.st_size;
    }
    closedir(d);
    return n;
}

static sqlite3 *open_ro(const char *path)
{
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("open %s: %s", path, db ? sqlite3_errmsg(db) : "?");
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void assert_intact(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;

    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    assert_int_equal(q_int(db, "SELECT count(*) FROM pragma_foreign_key_check"),
                     0);
}

/* ---- 1. restore -------------------------------------------------------------
 */

static void test_restore__refused_while_served(void **state)
{
    char bk[700], lock[700];
    char *out = NULL, *before;
    long long kept, lost, later;
    int rc;

    (void)state;
    kept = submit(&srv, ann_token, "in the backup");
    snprintf(bk, sizeof bk, "%s/restore-from.db", srv.dir);
    assert_int_equal(h_docket(&srv, NULL, NULL, "backup", bk, NULL), 0);
    lost = submit(&srv, ann_token, "after the backup");

    /* While the server runs: refused, nothing changed. */
    before = h_db_digest(&srv);
    rc = h_docket(&srv, NULL, &out, "restore", bk, NULL);
    if (rc != 3 || !strstr(out, "stop"))
        fail_msg("restore under a running server: exit %d: %s", rc, out);
    fprintf(stderr, "restore refused: %s", out);
    free(out);
    h_unchanged(&srv, before, NULL);
    free(before);
    assert_int_equal(get_status(&srv, ann_token, lost), 200);

    /* Stopped cleanly: restored, and the restored data is served. */
    assert_int_equal(h_server_stop(&srv), 0);
    rc = h_docket(&srv, NULL, &out, "restore", bk, NULL);
    if (rc != 0)
        fail_msg("restore after a stop: exit %d: %s", rc, out);
    free(out);
    h_server_restart(&srv);
    assert_int_equal(get_status(&srv, ann_token, kept), 200);
    assert_int_equal(get_status(&srv, ann_token, lost), 404);
    later = submit(&srv, ann_token, "after the restore");

    /* Killed with SIGKILL: its lock died with it. */
    h_server_kill(&srv);
    rc = h_docket(&srv, NULL, &out, "restore", bk, NULL);
    if (rc != 0)
        fail_msg("restore after kill -9: exit %d: %s", rc, out);
    free(out);
    h_server_restart(&srv);
    assert_int_equal(get_status(&srv, ann_token, kept), 200);
    assert_int_equal(get_status(&srv, ann_token, later), 404);
    assert_int_equal(h_server_stop(&srv), 0);

    /* A restore in progress (its lock held here): serve refuses. */
    {
        char outp[700];
        int fd, status;
        pid_t pid;
        snprintf(lock, sizeof lock, "%s.lock", srv.db);
        fd = open(lock, O_RDWR | O_CREAT, 0644);
        assert_true(fd >= 0);
        assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
        snprintf(outp, sizeof outp, "%s/serve.out", srv.dir);
        pid = h_spawn(&srv, outp, "serve", "--listen", "127.0.0.1:0", NULL);
        if (!wait_upto(pid, 20, &status)) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            close(fd);
            fail_msg("docket serve started while a restore held the "
                     "database");
        }
        close(fd);
        out = h_read(outp, NULL);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 3 ||
            !strstr(out, "restore"))
            fail_msg("serve during a restore: status %d: %s", status, out);
        free(out);
    }

    /* Another program has the database open: restore refuses too. */
    {
        sqlite3 *db = open_ro(srv.db);
        assert_true(q_int(db, "SELECT count(*) FROM requests") >= 1);
        rc = h_docket(&srv, NULL, &out, "restore", bk, NULL);
        sqlite3_close(db);
        if (rc != 3)
            fail_msg("restore with the database open elsewhere: exit %d: %s",
                     rc, out);
        free(out);
    }
    h_server_restart(&srv);
}

/* ---- for 2. and 3.: a big database, clients, timed backups ---------------
 */

static volatile sig_atomic_t child_stop;

static void on_term(int sig)
{
    (void)sig;
    child_stop = 1;
}

static size_t on_bytes(char *p, size_t size, size_t n, void *ud)
{
    buf_append(ud, p, size * n);
    return size * n;
}

/* A client process: submits until SIGTERM, one line "id" per 201 in its
 * record file, "unexpected ..." for anything else. */
static void client_main(int client, const char *record)
{
    FILE *f = fopen(record, "w");
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL;
    char url[128], auth[200];

    signal(SIGTERM, on_term);
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
    snprintf(url, sizeof url, "%s/api/v1/requests", srv.url);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", ann_token);
    hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    hl = curl_slist_append(hl, auth);
    for (int seq = 0; !child_stop; seq++) {
        buf body = {0}, out = {0};
        char title[64];
        long status = 0;
        const char *p;
        snprintf(title, sizeof title, "load c%d s%d", client, seq);
        json_body(&body, title);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_bytes);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (curl_easy_perform(c) == CURLE_OK) {
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            p = strstr(buf_cstr(&out), "\"id\":");
            if (status == 201 && p)
                fprintf(f, "%lld\n", strtoll(p + 5, NULL, 10));
            else
                fprintf(f, "unexpected %ld %s\n", status, buf_cstr(&out));
        } else {
            fprintf(f, "unexpected transfer failure\n");
        }
        fflush(f);
        buf_dispose(&body);
        buf_dispose(&out);
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    fclose(f);
    _exit(0);
}

/* Writes BULK_MIB attachments of 1 MiB of random bytes to request id. */
static void make_big(long long id)
{
    sqlite3 *db = NULL;
    char sql[800];
    char *msg = NULL;
    int64_t bytes;

    assert_int_equal(sqlite3_open(srv.db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    /* Test data: no fsync, one checkpoint at the end. */
    sqlite3_exec(db, "PRAGMA synchronous = OFF; PRAGMA wal_autocheckpoint = 0",
                 NULL, NULL, NULL);
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
             " WHERE i < %d)"
             " INSERT INTO attachments(request_id, filename, content_type,"
             " size, sha256, data, created_at)"
             " SELECT %lld, 'bulk-' || i || '.bin',"
             " 'application/octet-stream', 1048576, printf('%%064d', i),"
             " randomblob(1048576), 0 FROM n",
             BULK_MIB, id);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("bulk insert: %s", msg);
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    bytes = q_int(db, "SELECT page_count * page_size FROM pragma_page_count,"
                      " pragma_page_size");
    sqlite3_close(db);
    fprintf(stderr, "backup: database of %.1f MB\n", (double)bytes / 1e6);
    assert_true(bytes >= 100000000);
}

/* Runs `docket backup path` to its end; returns the seconds it took. */
static double timed_backup(const char *path, double limit)
{
    char out[700];
    double t0 = now_s(), took;
    pid_t pid;
    int status;

    snprintf(out, sizeof out, "%s/backup.out", srv.dir);
    pid = h_spawn(&srv, out, "backup", path, NULL);
    if (!wait_upto(pid, limit, &status)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("docket backup did not finish within %.1f s", limit);
    }
    took = now_s() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *text = h_read(out, NULL);
        fail_msg("docket backup failed (%d): %s", status, text);
    }
    return took;
}

/* The ids answered 201 in the client record files, sorted; *n their
 * count. The caller frees. */
static long long *answered_ids(char records[][700], int nrec, size_t *n)
{
    long long *ids = NULL;
    size_t cap = 0;

    *n = 0;
    for (int c = 0; c < nrec; c++) {
        FILE *f = fopen(records[c], "r");
        char line[4096];
        assert_non_null(f);
        while (fgets(line, sizeof line, f)) {
            if (!strncmp(line, "unexpected", 10))
                fail_msg("client %d: %s", c, line);
            if (*n == cap) {
                cap = cap ? cap * 2 : 1024;
                ids = realloc(ids, cap * sizeof *ids);
            }
            ids[(*n)++] = strtoll(line, NULL, 10);
        }
        fclose(f);
    }
    return ids;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* ---- 2. interrupted backups -------------------------------------------------
 */

/* Starts a backup to dir/name and sends sig once its temporary file has
 * data. Returns 1 when the signal hit it mid-copy (0 when the backup was
 * already done; the caller tries again). */
static int interrupt_backup(const char *name, int sig)
{
    char out[700], path[700], prefix[128];
    pid_t pid;
    int status, caught = 0;
    off_t largest = 0;

    snprintf(out, sizeof out, "%s/interrupt.out", srv.dir);
    snprintf(path, sizeof path, "%s/%s", srv.dir, name);
    snprintf(prefix, sizeof prefix, "%s.tmp-", name);
    unlink(path);
    pid = h_spawn(&srv, out, "backup", path, NULL);
    for (int i = 0; i < 20000 && !caught; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return 0; /* finished before we saw its temporary file */
        if (count_prefixed(srv.dir, prefix, &largest) > 0 && largest > 1 << 20)
            caught = 1;
        else
            usleep(500);
    }
    assert_true(caught);
    kill(pid, sig);
    assert_true(wait_upto(pid, 30, &status));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0; /* it renamed into place just before the signal */
    return 1;
}

static void test_backup__interrupted_leaves_no_temporary_file(void **state)
{
    static const int sigs[] = {SIGTERM, SIGINT};
    char path[700];
    sqlite3 *db;
    int hit;

    (void)state;
    big_seed = submit(&srv, ann_token, "seed");
    make_big(big_seed);
    for (size_t s = 0; s < sizeof sigs / sizeof *sigs; s++) {
        hit = 0;
        for (int tries = 0; tries < 3 && !hit; tries++)
            hit = interrupt_backup("stopped.db", sigs[s]);
        assert_true(hit);
        if (count_prefixed(srv.dir, "stopped.db.tmp-", NULL) != 0)
            fail_msg("signal %d left a stopped.db.tmp-* file", sigs[s]);
        assert_int_equal(count_prefixed(srv.dir, "stopped.db", NULL), 0);
    }

    /* SIGKILL cannot clean up: the next backup to the same file does. */
    hit = 0;
    for (int tries = 0; tries < 3 && !hit; tries++)
        hit = interrupt_backup("killed.db", SIGKILL);
    assert_true(hit);
    assert_true(count_prefixed(srv.dir, "killed.db.tmp-", NULL) > 0);
    /* This next backup, with nothing else running, is also the idle time
       of test 3. */
    snprintf(path, sizeof path, "%s/killed.db", srv.dir);
    idle_s = timed_backup(path, 120);
    if (count_prefixed(srv.dir, "killed.db.tmp-", NULL) != 0)
        fail_msg("a killed backup's temporary file is still there after the "
                 "next backup");
    db = open_ro(path);
    assert_intact(db);
    sqlite3_close(db);
}

/* ---- 3. backup under write load ----------------------------------------
 */

static void test_backup__finishes_under_load_as_a_snapshot(void **state)
{
    char records[NCLIENTS][700];
    char load_path[700];
    long long seed, *acked, max_copy;
    size_t nacked, in_copy = 0;
    double idle, loaded, limit;
    sqlite3 *db;

    (void)state;
    assert_true(big_seed > 0 && idle_s > 0); /* test 2 made the database */
    seed = big_seed;
    idle = idle_s;
    snprintf(load_path, sizeof load_path, "%s/load.db", srv.dir);
    /* the constant absorbs other I/O of a busy machine */
    limit = 3 * idle + 10;

    for (int c = 0; c < NCLIENTS; c++) {
        snprintf(records[c], sizeof records[c], "%s/client%d.txt", srv.dir, c);
        kids[c] = fork();
        assert_true(kids[c] >= 0);
        if (kids[c] == 0)
            client_main(c, records[c]);
    }
    /* Let every client have answers before the backup starts. */
    for (int i = 0; i < 500; i++) {
        int ready = 0;
        for (int c = 0; c < NCLIENTS; c++) {
            struct stat sb;
            ready += stat(records[c], &sb) == 0 && sb.st_size > 0;
        }
        if (ready == NCLIENTS)
            break;
        usleep(10000);
    }
    loaded = timed_backup(load_path, limit);
    usleep(300000); /* writes after the backup too */
    for (int c = 0; c < NCLIENTS; c++)
        kill(kids[c], SIGTERM);
    for (int c = 0; c < NCLIENTS; c++) {
        int status;
        waitpid(kids[c], &status, 0);
        kids[c] = 0;
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }

    /* seed and the requests before it were answered too */
    acked = answered_ids(records, NCLIENTS, &nacked);
    acked = realloc(acked, (nacked + (size_t)seed) * sizeof *acked);
    for (long long id = 1; id <= seed; id++)
        acked[nacked++] = id;
    qsort(acked, nacked, sizeof *acked, cmp_ll);

    db = open_ro(load_path);
    assert_intact(db);
    assert_int_equal(q_int(db, "SELECT count(*) FROM requests r WHERE NOT "
                               "EXISTS (SELECT 1 FROM request_items i WHERE "
                               "i.request_id = r.id)"),
                     0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM attachments"), BULK_MIB);
    max_copy = q_int(db, "SELECT max(id) FROM requests");
    /* ids 1..max_copy, no gap: nothing committed before the snapshot is
       missing from it */
    assert_int_equal(q_int(db, "SELECT count(*) FROM requests"), max_copy);
    assert_int_equal(q_int(db, "SELECT min(id) FROM requests"), 1);
    sqlite3_close(db);
    /* exactly the acknowledged requests up to max_copy */
    for (size_t i = 0; i < nacked; i++) {
        if (i > 0 && acked[i] == acked[i - 1])
            fail_msg("id %lld answered twice", acked[i]);
        if (acked[i] <= max_copy)
            in_copy++;
    }
    if ((long long)in_copy != max_copy)
        fail_msg("the copy holds requests 1..%lld, but %zu of them were "
                 "acknowledged",
                 max_copy, in_copy);
    fprintf(stderr,
            "backup: idle %.2f s, with %d clients submitting %.2f s (limit "
            "%.2f s); %zu submissions acknowledged, %lld in the copy\n",
            idle, NCLIENTS, loaded, limit, nacked, max_copy);
    /* the load ran on both sides of the snapshot */
    assert_true(max_copy > seed + NCLIENTS);
    assert_true(acked[nacked - 1] > max_copy);
    free(acked);
    assert_int_equal(count_prefixed(srv.dir, "load.db.tmp-", NULL), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_restore__refused_while_served),
    cmocka_unit_test(test_backup__interrupted_leaves_no_temporary_file),
    cmocka_unit_test(test_backup__finishes_under_load_as_a_snapshot),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, down);
}
