/* writer.c: the group-commit writer of submissions (contract in writer.h).
 * Handler threads queue prepared jobs; this thread applies all that are
 * waiting in one transaction and commits once (see run_batch for how a
 * failing job is kept from failing the others). While
 * one batch is committing (its fsync), the next one gathers, so batches
 * grow with the load without any added delay. The per-job work is
 * reg_job_apply in requests.c, the same as registry_request_insert. */
#include "writer.h"
#include "registry_int.h"
#include "storage.h"
#include "log.h"
#include "mem.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

/* At most this many jobs per transaction: bounds how long the write lock
 * is held (other writers of the process wait for it) and the latency of
 * the first job of a long queue. */
#define BATCH_MAX 128

struct registry_writer {
    registry *reg; /* the writer thread's own connection */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    registry_job *head, *tail; /* queue, guarded by mu */
    int stopping;              /* guarded by mu */
    int joined;                /* the thread has ended */
};

/* Fails every job of the list with rc and err (nothing of it is stored). */
static void fail_all(registry_job *jobs, int rc, const errmsg *err)
{
    for (registry_job *j = jobs; j; j = j->next) {
        j->rc = rc;
        j->id = 0;
        j->replayed = 0;
        j->err = *err;
        if (!j->err.code)
            err_set(&j->err, ERR_DB, "database: the batch failed");
    }
}

/* Applies the jobs in the open transaction. With savepoints, a failing
 * job is undone alone; without, the first failure stops the pass and
 * returns 1 (the caller rolls back and retries with savepoints). Returns
 * 0, 1, or < 0 when the transaction itself failed (err set). */
static int apply_jobs(registry *reg, registry_job *jobs, int savepoints,
                      errmsg *err)
{
    static const char sp[] = "SAVEPOINT job";
    static const char sp_undo[] = "ROLLBACK TO job";
    static const char sp_release[] = "RELEASE job";
    int rc = 0;

    for (registry_job *j = jobs; rc == 0 && j; j = j->next) {
        if (savepoints)
            rc = reg_exec(reg, sp, err);
        if (rc == 0 && reg_job_apply(reg, j) < 0) {
            /* Errors such as SQLITE_FULL or an I/O error end the whole
               transaction: then the earlier jobs are lost too. */
            if (sqlite3_get_autocommit(reg->db)) {
                *err = j->err;
                return j->rc;
            }
            if (!savepoints)
                return 1;
            rc = reg_exec(reg, sp_undo, err);
        }
        if (rc == 0 && savepoints)
            rc = reg_exec(reg, sp_release, err);
    }
    return rc;
}

/* One transaction for the batch. The first pass runs without savepoints:
 * FTS5 writes its pending index data out at every SAVEPOINT once it is
 * part of the transaction, which made a batch cost almost as many search
 * index writes as separate transactions. Jobs rarely fail; when one does,
 * the pass is rolled back and the batch runs again with a savepoint per
 * job, which gives each job its own outcome. */
static void run_batch(registry *reg, registry_job *jobs, size_t n)
{
    errmsg err = {0};
    int rc = registry_begin(reg, &err);

    if (rc == 0) {
        rc = apply_jobs(reg, jobs, 0, &err);
        if (rc == 1) {
            log_debug("writer: a job failed; the batch of %zu runs again"
                      " with savepoints",
                      n);
            registry_rollback(reg);
            rc = registry_begin(reg, &err);
            if (rc == 0)
                rc = apply_jobs(reg, jobs, 1, &err);
        }
    }
    if (rc == 0)
        rc = registry_commit(reg, &err);
    else
        registry_rollback(reg);
    if (rc < 0) {
        log_error("writer: a batch of %zu submissions failed: %s", n, err.msg);
        fail_all(jobs, rc, &err);
    }
}

static void *writer_main(void *arg)
{
    registry_writer *w = arg;

    /* Named, so a profile (perf, top -H) tells its time from the
       handlers'. */
    prctl(PR_SET_NAME, "docket-writer", 0, 0, 0);

    for (;;) {
        registry_job *jobs, *last;
        size_t n = 1;

        pthread_mutex_lock(&w->mu);
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->cond, &w->mu);
        if (!w->head) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        jobs = last = w->head;
        while (last->next && n < BATCH_MAX) {
            last = last->next;
            n++;
        }
        w->head = last->next;
        if (!w->head)
            w->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&w->mu);

        run_batch(w->reg, jobs, n);
        /* Between two transactions: the WAL's bound (storage.h). */
        registry_wal_bound(w->reg);
        /* After the commit: each reply may now be sent. done may free
           the job, so read next first. */
        while (jobs) {
            registry_job *next = jobs->next;
            jobs->next = NULL;
            jobs->done(jobs, jobs->ctx);
            jobs = next;
        }
    }
    return NULL;
}

int registry_writer_start(registry_writer **out, const char *path, errmsg *err)
{
    registry_writer *w = xcalloc(1, sizeof *w);
    int rc;

    if (registry_read_only_get()) {
        /* Nothing to write: a writer that was stopped from the start, so
           each submission is run where it arrived and refused there
           (ERR_READONLY). */
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cond, NULL);
        w->stopping = 1;
        w->joined = 1;
        *out = w;
        return 0;
    }
    rc = registry_open(&w->reg, path, REGISTRY_NOCREATE, err);
    if (rc < 0) {
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cond, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->mu);
        registry_close(w->reg);
        free(w);
        return err_set(err, ERR_INTERNAL, "cannot start the writer thread");
    }
    *out = w;
    return 0;
}

int registry_writer_submit(registry_writer *w, registry_job *job)
{
    int rc = 0;

    assert(job->done && job->body);
    job->next = NULL;
    pthread_mutex_lock(&w->mu);
    if (w->stopping) {
        rc = ERR_INTERNAL;
    } else {
        if (w->tail)
            w->tail->next = job;
        else
            w->head = job;
        w->tail = job;
        pthread_cond_signal(&w->cond);
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void registry_writer_stop(registry_writer *w)
{
    if (!w || w->joined)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mu);
    /* The thread leaves only with an empty queue: every job is done. */
    pthread_join(w->thread, NULL);
    w->joined = 1;
}

void registry_writer_free(registry_writer *w)
{
    if (!w)
        return;
    registry_writer_stop(w);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->mu);
    registry_close(w->reg);
    free(w);
}
