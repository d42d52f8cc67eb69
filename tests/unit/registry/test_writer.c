/* test_writer.c: the group-commit writer (registry/writer.c) beside the
 * background checkpointer (registry/storage.c), as a server runs them:
 * under a stream of 20-column submissions the WAL stays bounded; a reader
 * holding a snapshot (the checkpoint cannot complete past it) neither
 * blocks the submissions nor loses one, and once it is gone the WAL is
 * checkpointed and cut back. Every request is found by search (its row
 * of search_fts) once its submission is acknowledged. */
#include "fixture.h"
#include "registry_int.h"
#include "requests.h"
#include "storage.h"
#include "writer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The checkpointer's WAL limit here: small, so that a few hundred
 * submissions cross it many times. */
#define WAL_LIMIT (512 * 1024)
/* Submissions in flight: a batch of them writes about 1.5 MB of WAL. */
#define WAVE      64
/* What the WAL may reach: 4 x the limit, at which the writer copies
 * what the checkpointer has not yet, and the batch that crossed it
 * (with room to spare). Without a bound it grows by the whole stream,
 * about 22 MB. */
#define WAL_BOUND (4 * WAL_LIMIT + (3 << 20))
#define NSTREAM   1024

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wal_size(ufx *f)
{
    char path[400];
    struct stat sb;

    snprintf(path, sizeof path, "%s-wal", f->path);
    return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/* A stream of submissions: WAVE in flight from the start, each done
 * callback queueing the next, so the writer never runs out of work. */
typedef struct stream {
    registry_writer *w;
    form_request *rs;
    registry_job *jobs;
    int n, next, done, failed;
    sqlite3 *db; /* another connection, for the search rows */
    int unfound; /* acknowledged before its search row was visible */
} stream;

/* 1 when request id has its search row, as another connection sees it. */
static int search_row_visible(sqlite3 *db, int64_t id)
{
    sqlite3_stmt *st = NULL;
    int found = 0;

    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM search_fts WHERE rowid = ?1"
                           " * 4 + 3",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return found;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void job_done(registry_job *job, void *ctx)
{
    stream *s = ctx;
    registry_job *more = NULL;
    /* Acknowledged: the request is found by the very next search. */
    int found = job->rc == 0 && search_row_visible(s->db, job->id);

    pthread_mutex_lock(&mu);
    s->done++;
    if (job->rc != 0 || job->id <= 0)
        s->failed++;
    else if (!found)
        s->unfound++;
    if (s->next < s->n)
        more = &s->jobs[s->next++];
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    if (more && registry_writer_submit(s->w, more) != 0) {
        pthread_mutex_lock(&mu);
        s->failed++;
        s->done++;
        pthread_mutex_unlock(&mu);
    }
}

static void request_json(char *out, size_t size, int n)
{
    size_t len = 0;

    len += (size_t)snprintf(
        out + len, size - len,
        "{\"organisation\":\"acme\",\"instance\":\"acme-prod\","
        "\"requester_name\":\"Ann\",\"requester_email\":\"ann@acme.example\","
        "\"title\":\"Feed %d\",\"summary\":\"A daily file of attributes\","
        "\"items\":[{\"kind\":\"new_table\",\"table\":\"feed_%d\","
        "\"description\":\"d\",\"source\":\"flat_file_csv\",\"cadence\":"
        "\"daily\",\"campaign_dependency\":\"optional\",\"columns\":[",
        n, n);
    for (int c = 0; c < 20; c++)
        len += (size_t)snprintf(out + len, size - len,
                                "%s{\"name\":\"attribute_%02d\",\"type\":"
                                "\"bigint\",\"description\":\"Attribute %d "
                                "of the feed, as delivered daily.\"}",
                                c ? "," : "", c, c);
    snprintf(out + len, size - len, "]}]}");
}

/* Streams n submissions numbered from first through w and waits for all
 * (60 s at most: a bound on "never", not a speed). Returns the largest
 * WAL size seen meanwhile. */
static int64_t submit_stream(ufx *f, registry_writer *w, int first, int n)
{
    stream s = {w,
                calloc((size_t)n, sizeof(form_request)),
                calloc((size_t)n, sizeof(registry_job)),
                n,
                0,
                0,
                0,
                f->db,
                0};
    char json[8192];
    errmsg err = {0};
    int64_t deadline = now_ms() + 60000, most = 0;
    int done;

    assert_non_null(s.rs);
    assert_non_null(s.jobs);
    for (int i = 0; i < n; i++) {
        request_json(json, sizeof json, first + i);
        ufx_parse(&s.rs[i], json);
        assert_int_equal(registry_job_init(&s.jobs[i], &s.rs[i], NULL, &err),
                         0);
        s.jobs[i].done = job_done;
        s.jobs[i].ctx = &s;
    }
    pthread_mutex_lock(&mu);
    s.next = n < WAVE ? n : WAVE;
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < (n < WAVE ? n : WAVE); i++)
        assert_int_equal(registry_writer_submit(w, &s.jobs[i]), 0);
    pthread_mutex_lock(&mu);
    while (s.done < n && now_ms() < deadline) {
        struct timespec ts;
        int64_t size;
        pthread_mutex_unlock(&mu);
        size = wal_size(f);
        most = size > most ? size : most;
        pthread_mutex_lock(&mu);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 2 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&cv, &mu, &ts);
    }
    done = s.done;
    pthread_mutex_unlock(&mu);
    if (done < n)
        fail_msg("only %d of %d submissions done within 60 s", done, n);
    assert_int_equal(s.failed, 0);
    if (s.unfound)
        fail_msg("%d of %d requests were acknowledged before search found"
                 " them",
                 s.unfound, n);
    for (int i = 0; i < n; i++) {
        registry_job_dispose(&s.jobs[i]);
        form_request_dispose(&s.rs[i]);
    }
    free(s.jobs);
    free(s.rs);
    return most;
}

static int64_t count_requests(registry *reg)
{
    int64_t n = -1;
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_prepare_v2(reg->db,
                                        "SELECT count(*) FROM requests", -1,
                                        &st, NULL),
                     SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int setup(void **state)
{
    ufx *f = ufx_open("writer");
    errmsg err = {0};

    ufx_people(f, "postgres");
    assert_int_equal(registry_checkpointer_start(f->path, 50, WAL_LIMIT, &err),
                     0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    registry_checkpointer_stop();
    return ufx_teardown(state);
}

static void test_writer__wal_stays_bounded(void **state)
{
    ufx *f = *state;
    registry_writer *w;
    errmsg err = {0};
    int64_t most = 0, before = count_requests(f->reg);

    assert_int_equal(registry_writer_start(&w, f->path, &err), 0);
    most = submit_stream(f, w, 0, NSTREAM);
    registry_writer_free(w);
    assert_int_equal(count_requests(f->reg), before + NSTREAM);
    if (most > WAL_BOUND)
        fail_msg("the WAL grew to %lld bytes (bound %d)", (long long)most,
                 WAL_BOUND);
}

static void test_writer__reader_snapshot_blocks_nothing(void **state)
{
    ufx *f = *state;
    registry_writer *w;
    registry *reader;
    errmsg err = {0};
    int64_t before = count_requests(f->reg), deadline;
    sqlite3 *rdb;

    assert_int_equal(registry_writer_start(&w, f->path, &err), 0);
    submit_stream(f, w, 0, WAVE);
    /* A reader keeps its snapshot open: no checkpoint can complete past
       it and the WAL cannot start over. */
    assert_int_equal(registry_open(&reader, f->path, REGISTRY_NOCREATE, &err),
                     0);
    rdb = reader->db;
    assert_int_equal(sqlite3_exec(rdb, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(count_requests(reader), before + WAVE);
    submit_stream(f, w, WAVE, 8 * WAVE);
    /* Every submission was stored; the reader still sees its snapshot. */
    assert_int_equal(count_requests(f->reg), before + 9 * WAVE);
    assert_int_equal(count_requests(reader), before + WAVE);
    assert_true(wal_size(f) > WAL_LIMIT);
    assert_int_equal(sqlite3_exec(rdb, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    registry_close(reader);
    /* Once it is gone and the writes pause, the WAL is checkpointed and
       cut back (10 s: a bound on "never"). */
    deadline = now_ms() + 10000;
    while (wal_size(f) > WAL_LIMIT && now_ms() < deadline)
        usleep(20 * 1000);
    if (wal_size(f) > WAL_LIMIT)
        fail_msg("the WAL stayed at %lld bytes", (long long)wal_size(f));
    submit_stream(f, w, 9 * WAVE, WAVE);
    registry_writer_free(w);
    assert_int_equal(count_requests(f->reg), before + 10 * WAVE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_writer__wal_stays_bounded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_writer__reader_snapshot_blocks_nothing, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
