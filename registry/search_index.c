/* search_index.c: an in-memory inverted index of registry tables and
 * columns (the search_fts rows of kinds 1 and 2), so registry_search
 * (catalog.c) does not run an FTS5 MATCH over 200,000 rows per query.
 *
 * One immutable snapshot per database file and registry generation (the
 * high half of registry_generation(), bumped by the triggers of schema.c
 * with every table or column change), shared read-only by all threads
 * through a reference count. A background thread builds it from the FTS5
 * index itself (fts5vocab 'instance' rows), so its terms are exactly the
 * unicode61 tokens FTS5 stored and no text is tokenised twice. Until the
 * snapshot of the generation a connection sees exists, searches take the
 * FTS5 path; a search never uses a snapshot of another generation.
 * Requests (kind 3) change with every submission: they have their own
 * snapshot, versioned by FTS5's structure record and rebuilt at most once
 * a second, and FTS5 answers for them while it is stale. Only queries
 * whose tables and columns fill fewer than limit hits look at requests.
 *
 * The snapshots live in a registry_index that a server creates and hands
 * to each of its connections (registry_index_attach), so two servers in
 * one process keep their own. This file: the snapshots' life, the
 * builder threads and waiting; see search_index_int.h for the others. */
#include "search_index_int.h"

#include "mem.h"
#include "str.h"

#include <assert.h>
#ifdef __GLIBC__
#endif
#include <stdlib.h>
#include <string.h>
#include <time.h>

void si_index_free(search_index *ix)
{
    if (!ix)
        return;
    si_qcache_free(&ix->qc);
    si_bits_free(ix);
    pthread_mutex_destroy(&ix->qmu);
    si_overlay_release(ix->ov);
    pthread_mutex_destroy(&ix->ovmu);
    /* Every array the snapshot owns (search_index_int.h). */
    void *owned[] = {ix->idrun,    ix->orgrun, ix->len,   ix->orgs,
                     ix->terms,    ix->pool,   ix->posts, ix->text,
                     ix->tab_text, ix->version};
    for (size_t i = 0; i < sizeof owned / sizeof *owned; i++)
        free(owned[i]);
    free(ix);
}

void si_index_release(search_index *ix)
{
    if (ix && atomic_fetch_sub(&ix->refs, 1) == 1)
        si_index_free(ix);
}

/* ---- the home of the snapshots ----------------------------------------- */

registry_index *registry_index_new(void)
{
    registry_index *x = xcalloc(1, sizeof *x);

    atomic_init(&x->refs, 1);
    atomic_init(&x->on, 1);
    pthread_mutex_init(&x->mu, NULL);
    pthread_cond_init(&x->cv, NULL);
    return x;
}

static registry_index *index_ref(registry_index *x)
{
    if (x)
        atomic_fetch_add(&x->refs, 1);
    return x;
}

void registry_index_release(registry_index *x)
{
    ix_slot *s, *next;

    if (!x || atomic_fetch_sub(&x->refs, 1) != 1)
        return;
    /* The last reference: no connection and no build uses it. */
    for (s = x->slots; s; s = next) {
        next = s->next;
        assert(!s->building && !s->req_building);
        si_index_release(s->cur);
        si_index_release(s->req);
        free(s->path);
        free(s);
    }
    pthread_cond_destroy(&x->cv);
    pthread_mutex_destroy(&x->mu);
    free(x);
}

void registry_index_attach(registry *reg, registry_index *x)
{
    registry_index *old = reg->index;

    reg->index = index_ref(x);
    registry_index_release(old);
}

void search_index_enable(registry_index *x, int on)
{
    assert(x);
    atomic_store(&x->on, on ? 1 : 0);
}

void search_index_set_build_hook(registry_index *x, void (*fn)(void *ctx),
                                 void *ctx)
{
    assert(x);
    pthread_mutex_lock(&x->mu);
    x->hook = fn;
    x->hook_ctx = ctx;
    pthread_mutex_unlock(&x->mu);
}

void search_index_stats_get(registry_index *x, search_index_stats *out)
{
    assert(x);
    out->served = atomic_load(&x->served);
    out->overlay = atomic_load(&x->overlay);
    out->fallbacks = atomic_load(&x->fallbacks);
    out->req_fts = atomic_load(&x->req_fts);
    pthread_mutex_lock(&x->mu);
    out->builds = x->builds;
    out->bytes = x->bytes;
    out->build_us = x->build_us;
    out->req_bytes = x->req_bytes;
    out->req_build_us = x->req_build_us;
    pthread_mutex_unlock(&x->mu);
}

int search_index_stats_of(registry *reg, search_index_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!reg->index)
        return ERR_NOTFOUND;
    search_index_stats_get(reg->index, out);
    return 0;
}

ix_slot *si_slot_for(registry *reg)
{
    registry_index *x = reg->index;
    const char *path;
    struct stat sb;
    ix_slot *s;

    if (!x)
        return NULL;
    path = sqlite3_db_filename(reg->db, "main");
    if (!path || !*path || stat(path, &sb) != 0)
        return NULL;
    pthread_mutex_lock(&x->mu);
    for (s = x->slots; s; s = s->next)
        if (!strcmp(s->path, path))
            break;
    if (!s) {
        s = xcalloc(1, sizeof *s);
        s->path = xstrdup(path);
        s->dev = sb.st_dev;
        s->ino = sb.st_ino;
        s->home = x;
        s->next = x->slots;
        x->slots = s;
    } else if (s->dev != sb.st_dev || s->ino != sb.st_ino) {
        /* Another file under the same name: its generations are not
           ours. A build of the old file still running publishes nothing
           usable (dev/ino are checked again there). */
        si_index_release(s->cur);
        s->cur = NULL;
        si_index_release(s->req);
        s->req = NULL;
        s->dev = sb.st_dev;
        s->ino = sb.st_ino;
    }
    pthread_mutex_unlock(&x->mu);
    return s;
}

static void *build_main(void *arg);
static void *build_req_main(void *arg);

static int thread_start(void *(*fn)(void *), void *arg)
{
    pthread_attr_t at;
    pthread_t th;
    int rc;

    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&th, &at, fn, arg);
    pthread_attr_destroy(&at);
    return rc == 0 ? 0 : -1;
}

/* Starts a builder thread unless one runs (running: *flag; not before
 * *after). The thread holds a reference to the slot's index until it
 * ends. Caller holds the index's mu. */
static void start_locked(ix_slot *s, void *(*fn)(void *), int *flag,
                         int64_t *after)
{
    if (*flag || time_mono_us() < *after)
        return;
    index_ref(s->home);
    if (thread_start(fn, s) == 0) {
        *flag = 1;
    } else {
        atomic_fetch_sub(&s->home->refs, 1); /* the caller holds one */
        *after = time_mono_us() + RETRY_US;
    }
}

static void build_start_locked(ix_slot *s)
{
    start_locked(s, build_main, &s->building, &s->retry_after);
}

static void req_build_start_locked(ix_slot *s)
{
    start_locked(s, build_req_main, &s->req_building, &s->req_after);
}

search_index *si_index_acquire(ix_slot *s, int64_t gen, int *stale)
{
    search_index *ix = NULL;

    *stale = 0;
    pthread_mutex_lock(&s->home->mu);
    if (s->cur && s->cur->gen <= gen) {
        ix = s->cur;
        atomic_fetch_add(&ix->refs, 1);
        *stale = ix->gen != gen;
    } else if (!s->cur) {
        build_start_locked(s);
    }
    pthread_mutex_unlock(&s->home->mu);
    return ix;
}

void si_rebuild_due(ix_slot *s, search_index *ix, const si_overlay *ov,
                    int requests)
{
    int64_t now = time_mono_us();
    long long first = 0;

    /* The first search to find ix stale starts its clock. */
    if (atomic_compare_exchange_strong(&ix->stale_us, &first, now))
        first = now;
    if (ov && ov->nrids < OV_REBUILD_ROWS && now - first < OV_REBUILD_US)
        return;
    pthread_mutex_lock(&s->home->mu);
    if (requests ? s->req == ix : s->cur == ix) {
        if (requests)
            req_build_start_locked(s);
        else
            build_start_locked(s);
    }
    pthread_mutex_unlock(&s->home->mu);
}

/* The file at path is still the one the slot stands for and the one sb0
 * described when the build began. Caller holds the index's mu. */
static int same_file(const ix_slot *s, const struct stat *sb0)
{
    return s->dev == sb0->st_dev && s->ino == sb0->st_ino;
}

/* The end of a builder thread, called with x->mu held: wakes the
 * waiters, drops the snapshot replaced (old) and the one not published
 * (ix), gives the scratch memory back and lets go of x. */
static void *build_end(registry_index *x, search_index *old, search_index *ix)
{
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
    si_index_release(old);
    si_index_free(ix);
    /* a build frees several times the snapshot's size of scratch
       (growing arrays, the builder connection's page cache): give those
       pages back so the resident size is the snapshot's */
    mem_trim();
    registry_index_release(x); /* the thread's reference */
    return NULL;
}

static void *build_main(void *arg)
{
    ix_slot *s = arg;
    int64_t t0 = time_mono_us();
    struct stat sb;
    int ok = stat(s->path, &sb) == 0;
    search_index *ix = ok ? si_build(s->path, 0) : NULL, *old = NULL;
    registry_index *x = s->home;
    int built = ix != NULL;
    void (*hook)(void *);
    void *hook_ctx;

    pthread_mutex_lock(&x->mu);
    hook = x->hook;
    hook_ctx = x->hook_ctx;
    pthread_mutex_unlock(&x->mu);
    if (hook)
        hook(hook_ctx);
    pthread_mutex_lock(&x->mu);
    if (ix && same_file(s, &sb) && (!s->cur || s->cur->gen < ix->gen)) {
        old = s->cur;
        s->cur = ix;
        x->builds++;
        x->bytes = ix->bytes;
        x->build_us = time_mono_us() - t0;
        ix = NULL;
    }
    if (!built)
        s->retry_after = time_mono_us() + RETRY_US;
    s->building = 0;
    /* The requests come next (the first query with few table and column
       hits would ask for them anyway). */
    if (built && !s->req)
        req_build_start_locked(s);
    return build_end(x, old, ix);
}

static void *build_req_main(void *arg)
{
    ix_slot *s = arg;
    int64_t t0 = time_mono_us(), took, wait;
    struct stat sb;
    int ok = stat(s->path, &sb) == 0;
    search_index *ix = ok ? si_build(s->path, 1) : NULL, *old = NULL;
    registry_index *x = s->home;
    int built = ix != NULL;

    pthread_mutex_lock(&x->mu);
    took = time_mono_us() - t0;
    if (ix && same_file(s, &sb)) {
        old = s->req;
        s->req = ix;
        x->req_bytes = ix->bytes;
        x->req_build_us = took;
        ix = NULL;
    }
    /* While submissions keep coming every snapshot is soon stale (FTS5
       answers for requests meanwhile): build at most once a second and
       spend at most a fifth of the time on it. */
    wait = 4 * took > 1000000 ? 4 * took : 1000000;
    s->req_after = time_mono_us() + (built ? wait : RETRY_US);
    s->req_building = 0;
    return build_end(x, old, ix);
}

/* A copy of a blob column (never NULL; the caller frees). */
typedef struct blob_copy {
    unsigned char *p;
    size_t n;
} blob_copy;

static int blob_row(sqlite3_stmt *st, void *ctx)
{
    blob_copy *b = ctx;

    b->p = reg_col_blob(st, 0, &b->n);
    return 0;
}

/* FTS5's structure record of search_fts as reg's transaction sees it:
 * the version of the requests snapshot, copied into *out (the caller
 * frees out->p). 0, or < 0 when it cannot be read. */
static int fts_version(registry *reg, blob_copy *out)
{
    static const char sql[] = "SELECT block FROM search_fts_data WHERE id = 10";

    memset(out, 0, sizeof *out);
    return reg_one(reg, reg_stmt_get(reg, sql, NULL), blob_row, out, NULL);
}

search_index *si_req_acquire(registry *reg, ix_slot *s, int *stale)
{
    search_index *ix = NULL;
    blob_copy v;

    *stale = 0;
    if (fts_version(reg, &v) < 0)
        return NULL;
    pthread_mutex_lock(&s->home->mu);
    if (s->req) {
        ix = s->req;
        atomic_fetch_add(&ix->refs, 1);
        *stale = ix->nversion != v.n || memcmp(ix->version, v.p, v.n);
    } else {
        req_build_start_locked(s);
    }
    pthread_mutex_unlock(&s->home->mu);
    free(v.p);
    return ix;
}

int search_index_wait(registry *reg, int timeout_ms)
{
    ix_slot *slot = si_slot_for(reg);
    int64_t deadline = time_mono_us() + (int64_t)timeout_ms * 1000;
    int64_t gen = registry_generation(reg);
    blob_copy v = {0};
    unsigned char *ver;
    size_t nver;
    int ready = 0;

    if (!slot || gen < 0)
        return ERR_NOTFOUND;
    gen >>= 32;
    fts_version(reg, &v); /* none (v.p NULL): no requests to wait for */
    ver = v.p;
    nver = v.n;
    pthread_mutex_lock(&slot->home->mu);
    for (;;) {
        struct timespec ts;
        int64_t left;
        int req_ok = !ver || (slot->req && slot->req->nversion == nver &&
                              !memcmp(slot->req->version, ver, nver));
        if (slot->cur && slot->cur->gen == gen && req_ok) {
            ready = 1;
            break;
        }
        if (time_mono_us() >= deadline)
            break;
        /* Asked for explicitly: no waiting out the pause between builds. */
        if (!slot->cur || slot->cur->gen < gen) {
            slot->retry_after = 0;
            build_start_locked(slot);
        }
        if (!req_ok && !slot->req_building) {
            slot->req_after = 0;
            req_build_start_locked(slot);
        }
        /* wake at least every 20 ms, and at the deadline if sooner */
        left = deadline - time_mono_us();
        if (left < 1)
            left = 1;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)(left < 20000 ? left : 20000) * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&slot->home->cv, &slot->home->mu, &ts);
    }
    pthread_mutex_unlock(&slot->home->mu);
    free(ver);
    return ready ? 0 : ERR_NOTFOUND;
}
