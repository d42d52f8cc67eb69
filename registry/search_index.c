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
 * whose tables and columns fill fewer than limit hits look at requests. */
#include "search_index.h"

#include "buf.h"
#include "mem.h"
#include "registry_int.h"
#include "str.h"

#include <assert.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_WORDS    REG_SEARCH_MAX_WORDS /* as registry_search_expr */
#define SNIPPET_TOKS 16 /* snippet(search_fts, 5, ..., 16) in catalog.c */
#define MAX_ORGS     4096
#define RETRY_US     (10 * 1000000) /* after a failed build */
/* Tables' texts are kept up to this size (10,000 tables: 2.7 MB); beyond
 * it, as for columns, hits read their rows from the database. */
#define TEXT_BUDGET  (6u << 20)

/* ---- the snapshot ------------------------------------------------------ */

/* A term's postings are two runs of LEB128 varints, one per section
 * (tables, then columns), each value (doc - previous doc) << 1 | the term
 * is in the name; the first previous doc of a run is -1. Docs are
 * numbered tables first, then columns, each by id, so doc order is the
 * rank order "kind, then id" and a query whose answer is all tables never
 * decodes a column. */
typedef struct ix_term {
    uint32_t str;  /* offset of the NUL-terminated term in pool */
    uint32_t post; /* first byte of its postings (table run) */
    uint32_t col;  /* first byte of its column run */
} ix_term;

/* Docs first.. (up to the next run's first) have value v + (doc - first)
 * (ids, which mostly rise by one) or v (organisations, shared by a
 * table's columns): a few thousand runs instead of an array per doc. */
typedef struct ix_run {
    uint32_t first;
    uint32_t v;
} ix_run;

typedef struct search_index {
    atomic_int refs;
    int64_t gen;            /* high half of registry_generation() */
    unsigned char *version; /* requests: FTS5's structure record */
    size_t nversion;
    uint8_t kinds[2]; /* rowid % 4 of the docs of sections 0 and 1 */
    uint32_t ntab;    /* docs [0, ntab) are tables */
    uint32_t ndocs;   /* docs [ntab, ndocs) are columns */
    ix_run *idrun;    /* table, column or request id of each doc */
    uint32_t nidrun;  /* (runs of ids never cross ntab) */
    ix_run *orgrun;   /* index into orgs of each doc */
    uint32_t norgrun;
    uint8_t *len;    /* tokens in name and body, at most 255 */
    int64_t *orgs;   /* org_id values */
    uint32_t norgs;  /* entries in orgs */
    ix_term *terms;  /* nterms + 1 (the last only ends the postings) */
    uint32_t nterms; /* sorted by memcmp of the terms, as FTS5 */
    char *pool;      /* term strings */
    unsigned char *posts;
    /* Name, instance and body of each table, NUL-terminated one after
       the other from text + tab_text[doc]: a page of tables needs no
       database read (10,000 tables are 2.7 MB; columns are read). NULL
       past TEXT_BUDGET. */
    char *text;
    uint32_t *tab_text;
    size_t bytes; /* memory held, for the stats */
} search_index;

static void index_free(search_index *ix)
{
    if (!ix)
        return;
    free(ix->idrun);
    free(ix->orgrun);
    free(ix->len);
    free(ix->orgs);
    free(ix->terms);
    free(ix->pool);
    free(ix->posts);
    free(ix->text);
    free(ix->tab_text);
    free(ix->version);
    free(ix);
}

static void index_release(search_index *ix)
{
    if (ix && atomic_fetch_sub(&ix->refs, 1) == 1)
        index_free(ix);
}

/* ---- process-wide state ------------------------------------------------ */

/* One slot per database file ever searched; never freed (a process opens
 * one database, tests a few). The file's device and inode tell a file
 * replaced under the same name (a restore) from the one indexed. */
typedef struct ix_slot {
    char *path;
    dev_t dev;
    ino_t ino;
    search_index *cur;   /* newest snapshot published, or NULL */
    int building;        /* a builder thread runs for this file */
    int64_t retry_after; /* time_mono_us() before which no build starts */
    search_index *req;   /* newest snapshot of the requests, or NULL */
    int req_building;    /* a builder thread of requests runs */
    int64_t req_after;   /* time_mono_us() before which none starts */
    struct ix_slot *next;
} ix_slot;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static ix_slot *g_slots;
static atomic_int g_on = 1;
static atomic_long g_served, g_fallbacks;
static long g_builds;
static size_t g_bytes, g_req_bytes;
static int64_t g_build_us, g_req_build_us;
static void (*g_hook)(void *ctx);
static void *g_hook_ctx;

void search_index_enable(int on)
{
    atomic_store(&g_on, on ? 1 : 0);
}

void search_index_set_build_hook(void (*fn)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&g_mu);
    g_hook = fn;
    g_hook_ctx = ctx;
    pthread_mutex_unlock(&g_mu);
}

void search_index_stats_get(search_index_stats *out)
{
    out->served = atomic_load(&g_served);
    out->fallbacks = atomic_load(&g_fallbacks);
    pthread_mutex_lock(&g_mu);
    out->builds = g_builds;
    out->bytes = g_bytes;
    out->build_us = g_build_us;
    out->req_bytes = g_req_bytes;
    out->req_build_us = g_req_build_us;
    pthread_mutex_unlock(&g_mu);
}

/* The slot of reg's database file, NULL for an in-memory database. */
static ix_slot *slot_for(registry *reg)
{
    const char *path = sqlite3_db_filename(reg->db, "main");
    struct stat sb;
    ix_slot *s;

    if (!path || !*path || stat(path, &sb) != 0)
        return NULL;
    pthread_mutex_lock(&g_mu);
    for (s = g_slots; s; s = s->next)
        if (!strcmp(s->path, path))
            break;
    if (!s) {
        s = xcalloc(1, sizeof *s);
        s->path = xstrdup(path);
        s->dev = sb.st_dev;
        s->ino = sb.st_ino;
        s->next = g_slots;
        g_slots = s;
    } else if (s->dev != sb.st_dev || s->ino != sb.st_ino) {
        /* Another file under the same name: its generations are not
           ours. A build of the old file still running publishes nothing
           usable (dev/ino are checked again there). */
        index_release(s->cur);
        s->cur = NULL;
        index_release(s->req);
        s->req = NULL;
        s->dev = sb.st_dev;
        s->ino = sb.st_ino;
    }
    pthread_mutex_unlock(&g_mu);
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

/* Starts a builder thread unless one runs. Caller holds g_mu. */
static void build_start_locked(ix_slot *s)
{
    if (s->building || time_mono_us() < s->retry_after)
        return;
    if (thread_start(build_main, s) == 0)
        s->building = 1;
    else
        s->retry_after = time_mono_us() + RETRY_US;
}

static void req_build_start_locked(ix_slot *s)
{
    if (s->req_building || time_mono_us() < s->req_after)
        return;
    if (thread_start(build_req_main, s) == 0)
        s->req_building = 1;
    else
        s->req_after = time_mono_us() + RETRY_US;
}

/* A reference to the snapshot of generation gen, or NULL (then a build
 * starts when the newest snapshot is older than gen). */
static search_index *index_acquire(ix_slot *s, int64_t gen)
{
    search_index *ix = NULL;

    pthread_mutex_lock(&g_mu);
    if (s->cur && s->cur->gen == gen) {
        ix = s->cur;
        atomic_fetch_add(&ix->refs, 1);
    } else if (!s->cur || s->cur->gen < gen) {
        build_start_locked(s);
    }
    pthread_mutex_unlock(&g_mu);
    return ix;
}

/* ---- building ---------------------------------------------------------- */

typedef struct u32vec {
    uint32_t *v;
    size_t n, cap;
} u32vec;

static void u32_push(u32vec *a, uint32_t x)
{
    if (a->n == a->cap)
        xgrow(&a->v, &a->cap, a->n + 1, sizeof *a->v);
    a->v[a->n++] = x;
}

/* Appends one run of postings; e holds doc << 1 | in-name, docs rising. */
static void run_encode(buf *out, const u32vec *e)
{
    uint32_t prev = UINT32_MAX;

    for (size_t i = 0; i < e->n; i++) {
        uint32_t doc = e->v[i] >> 1;
        uint64_t v = (uint64_t)(uint32_t)(doc - prev) << 1 | (e->v[i] & 1);
        unsigned char tmp[10];
        size_t k = 0;
        do {
            tmp[k] = (unsigned char)(v & 0x7f);
            v >>= 7;
            if (v)
                tmp[k] |= 0x80;
            k++;
        } while (v);
        buf_append(out, tmp, k);
        prev = doc;
    }
}

/* Adds doc (section-relative) to a term's run, or marks the last entry as
 * in-name: fts5vocab gives a term's instances by rowid, then column, then
 * offset, so repeats of a doc are adjacent. */
static void run_add(u32vec *r, uint32_t doc, int in_name)
{
    if (r->n && (r->v[r->n - 1] >> 1) == doc)
        r->v[r->n - 1] |= (uint32_t)in_name;
    else
        u32_push(r, doc << 1 | (uint32_t)in_name);
}

static int find_u32(const uint32_t *v, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x ? (int)lo : -1;
}

typedef struct builder {
    search_index *ix;
    u32vec tab_id, col_id; /* ids of tables and columns, rising */
    u32vec tab_org, col_org;
    int64_t *orgs;
    size_t norgs, orgs_cap;
    u32vec runs[2];        /* the current term's table and column runs */
    buf pool, posts, text; /* grown here, handed to the snapshot */
    u32vec tab_text;
    int no_text; /* the texts passed TEXT_BUDGET */
    ix_term *terms;
    size_t nterms, terms_cap;
} builder;

static void builder_dispose(builder *b)
{
    free(b->tab_id.v);
    free(b->col_id.v);
    free(b->tab_org.v);
    free(b->col_org.v);
    free(b->orgs);
    free(b->runs[0].v);
    free(b->runs[1].v);
    buf_dispose(&b->pool);
    buf_dispose(&b->posts);
    buf_dispose(&b->text);
    free(b->tab_text.v);
    free(b->terms);
}

static int org_index(builder *b, int64_t org)
{
    for (size_t i = 0; i < b->norgs; i++)
        if (b->orgs[i] == org)
            return (int)i;
    if (b->norgs >= MAX_ORGS)
        return -1;
    xgrow(&b->orgs, &b->orgs_cap, b->norgs + 1, sizeof *b->orgs);
    b->orgs[b->norgs] = org;
    return (int)b->norgs++;
}

/* Ends the current term: stores it when tables or columns hold it. */
static void term_flush(builder *b, const char *term, size_t len)
{
    ix_term *t;

    if (!b->runs[0].n && !b->runs[1].n)
        return;
    xgrow(&b->terms, &b->terms_cap, b->nterms + 2, sizeof *b->terms);
    t = &b->terms[b->nterms++];
    t->str = (uint32_t)b->pool.len;
    buf_append(&b->pool, term, len);
    buf_append(&b->pool, "", 1);
    t->post = (uint32_t)b->posts.len;
    run_encode(&b->posts, &b->runs[0]);
    t->col = (uint32_t)b->posts.len;
    run_encode(&b->posts, &b->runs[1]);
    b->runs[0].n = b->runs[1].n = 0;
}

/* What one kind of snapshot is built from. Both read the FTS5 index's
 * own tokens through fts5vocab 'instance' rows (term, doc, column, by
 * term then doc), so they hold exactly what FTS5 would match. */
typedef struct build_spec {
    const char *setup;   /* statements run before the transaction */
    const char *version; /* one row, one value: the snapshot's version */
    const char *fill;    /* run inside the transaction first, or NULL */
    const char *docs;    /* rowid, org_id[, name, instance, body] by rowid */
    const char *vocab;   /* term, doc (rowid), in the name column */
    int kinds[2];        /* rowid % 4 of sections 0 and 1 (0: none) */
    int text;            /* keep the texts of section 0 */
} build_spec;

/* Tables (section 0, texts kept) and columns (section 1), versioned by
 * the registry generation. */
static const build_spec registry_spec = {
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_index_vocab USING"
    " fts5vocab(main, search_fts, instance)",
    "SELECT value FROM meta WHERE key = 'generation'",
    NULL,
    /* FTS5's content table (c2 org_id, c3 instance, c4 name, c5 body):
       a plain scan, eight times faster than through the virtual table. */
    "SELECT id, CAST(c2 AS INTEGER), c4, c3, c5 FROM search_fts_content"
    " WHERE id % 4 IN (1, 2) ORDER BY id",
    "SELECT term, doc, col = 'name' FROM temp.search_index_vocab",
    {1, 2},
    1};

/* Requests, versioned by FTS5's structure record (the row of id 10 in
 * search_fts_data), which FTS5 rewrites with a new write counter on every
 * change to the index. Their rows are copied into a temporary FTS5 table
 * with the same tokenizer (a temporary file, not memory), so the vocabulary
 * of 20,000 requests is read without scanning every row's tokens. */
static const build_spec request_spec = {
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_index_req USING"
    " fts5(name, body, tokenize = 'unicode61');"
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_index_req_vocab USING"
    " fts5vocab(temp, search_index_req, instance);"
    "DELETE FROM temp.search_index_req",
    "SELECT block FROM search_fts_data WHERE id = 10",
    "INSERT INTO temp.search_index_req(rowid, name, body)"
    " SELECT id, c4, c5 FROM search_fts_content"
    " WHERE id IN (SELECT id * 4 + 3 FROM requests)",
    "SELECT id, CAST(c2 AS INTEGER) FROM search_fts_content"
    " WHERE id IN (SELECT id * 4 + 3 FROM requests) ORDER BY id",
    "SELECT term, doc, col = 'name' FROM temp.search_index_req_vocab",
    {3, 0},
    0};

static int spec_section(const build_spec *spec, int kind)
{
    return kind == spec->kinds[0] ? 0 : kind == spec->kinds[1] ? 1 : -1;
}

/* Reads the documents (ids and organisations) and the term instances
 * spec names in one read transaction of db. */
static int build_read(builder *b, sqlite3 *db, const build_spec *spec)
{
    search_index *ix = b->ix;
    sqlite3_stmt *st = NULL;
    char *last = NULL;
    size_t last_len = 0, last_cap = 0, nposmap[2] = {0, 0};
    int32_t *posmap[2] = {NULL, NULL};
    int rc = -1, src, began = 0;

    if (sqlite3_exec(db, spec->setup, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        goto done;
    began = 1;
    if (sqlite3_prepare_v2(db, spec->version, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        goto done;
    ix->gen = sqlite3_column_int64(st, 0);
    if (sqlite3_column_type(st, 0) == SQLITE_BLOB) {
        ix->nversion = (size_t)sqlite3_column_bytes(st, 0);
        ix->version = xmalloc(ix->nversion ? ix->nversion : 1);
        if (ix->nversion)
            memcpy(ix->version, sqlite3_column_blob(st, 0), ix->nversion);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (spec->fill &&
        sqlite3_exec(db, spec->fill, NULL, NULL, NULL) != SQLITE_OK)
        goto done;
    if (sqlite3_prepare_v2(db, spec->docs, -1, &st, NULL) != SQLITE_OK)
        goto done;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t rowid = sqlite3_column_int64(st, 0);
        int org = org_index(b, sqlite3_column_int64(st, 1));
        int sec = spec_section(spec, (int)(rowid & 3));
        if (sec < 0)
            continue;
        if (org < 0 || rowid / 4 > UINT32_MAX)
            goto done; /* beyond this index's layout: FTS5 answers */
        u32_push(sec ? &b->col_id : &b->tab_id, (uint32_t)(rowid / 4));
        u32_push(sec ? &b->col_org : &b->tab_org, (uint32_t)org);
        if (sec == 0 && spec->text && !b->no_text) {
            if (b->text.len > TEXT_BUDGET) {
                b->no_text = 1;
                buf_dispose(&b->text);
                free(b->tab_text.v);
                memset(&b->tab_text, 0, sizeof b->tab_text);
                continue;
            }
            u32_push(&b->tab_text, (uint32_t)b->text.len);
            for (int c = 2; c <= 4; c++) {
                const unsigned char *t = sqlite3_column_text(st, c);
                buf_append(&b->text, t ? t : (const unsigned char *)"",
                           t ? (size_t)sqlite3_column_bytes(st, c) : 0);
                buf_append(&b->text, "", 1);
            }
        }
    }
    if (src != SQLITE_DONE)
        goto done;
    sqlite3_finalize(st);
    st = NULL;
    ix->kinds[0] = (uint8_t)spec->kinds[0];
    ix->kinds[1] = (uint8_t)spec->kinds[1];
    ix->ntab = (uint32_t)b->tab_id.n;
    ix->ndocs = (uint32_t)(b->tab_id.n + b->col_id.n);
    ix->len = xcalloc(ix->ndocs ? ix->ndocs : 1, 1);
    /* id -> position maps for the 3.7 million instance rows (ids are
       dense: a deletion leaves a -1), instead of a binary search each. */
    for (int k = 0; k < 2; k++) {
        const u32vec *ids = k ? &b->col_id : &b->tab_id;
        uint32_t max = ids->n ? ids->v[ids->n - 1] : 0;
        if (!ids->n || max > 4 * ids->n + 1024)
            continue;
        nposmap[k] = (size_t)max + 1;
        posmap[k] = xmalloc(nposmap[k] * sizeof *posmap[k]);
        memset(posmap[k], 0xff, nposmap[k] * sizeof *posmap[k]);
        for (size_t i = 0; i < ids->n; i++)
            posmap[k][ids->v[i]] = (int32_t)i;
    }
    if (sqlite3_prepare_v2(db, spec->vocab, -1, &st, NULL) != SQLITE_OK)
        goto done;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(st, 0);
        size_t tlen = (size_t)sqlite3_column_bytes(st, 0);
        int64_t rowid = sqlite3_column_int64(st, 1);
        int sec = spec_section(spec, (int)(rowid & 3)), pos;
        uint32_t doc;

        if (sec < 0)
            continue;
        if (!last || tlen != last_len || memcmp(term, last, tlen)) {
            term_flush(b, last, last_len);
            if (tlen + 1 > last_cap)
                xgrow(&last, &last_cap, tlen + 1, 1);
            memcpy(last, term, tlen);
            last_len = tlen;
        }
        if (rowid / 4 > UINT32_MAX)
            pos = -1;
        else if ((uint64_t)(rowid / 4) < nposmap[sec])
            pos = posmap[sec][rowid / 4];
        else
            pos = find_u32(sec ? b->col_id.v : b->tab_id.v,
                           sec ? b->col_id.n : b->tab_id.n,
                           (uint32_t)(rowid / 4));
        if (pos < 0)
            continue; /* cannot happen within one transaction */
        doc = sec ? ix->ntab + (uint32_t)pos : (uint32_t)pos;
        if (ix->len[doc] < 255)
            ix->len[doc]++;
        run_add(&b->runs[sec], (uint32_t)pos, sqlite3_column_int(st, 2));
    }
    if (src != SQLITE_DONE)
        goto done;
    if (last)
        term_flush(b, last, last_len);
    rc = 0;
done:
    sqlite3_finalize(st);
    if (began)
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    free(posmap[0]);
    free(posmap[1]);
    free(last);
    return rc;
}

/* Builds the snapshot of the file at path; NULL on failure. */
static search_index *build(const char *path, const build_spec *spec)
{
    builder b;
    search_index *ix = xcalloc(1, sizeof *ix);
    sqlite3 *db = NULL;
    size_t idcap = 0, orgcap = 0, npool, nposts, ntext;
    int ok = 0;

    memset(&b, 0, sizeof b);
    b.ix = ix;
    atomic_init(&ix->refs, 1);
    /* NOMUTEX: only this thread uses the connection, and the build makes
       millions of calls that would each take its mutex. */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        goto done;
    sqlite3_busy_timeout(db, 5000);
    if (build_read(&b, db, spec) < 0)
        goto done;
    /* Move the arrays into their final, exact-size homes. */
    for (uint32_t i = 0; i < ix->ndocs; i++) {
        int tab = i < ix->ntab;
        size_t k = tab ? i : i - ix->ntab;
        uint32_t id = tab ? b.tab_id.v[k] : b.col_id.v[k];
        uint32_t org = tab ? b.tab_org.v[k] : b.col_org.v[k];
        const ix_run *last = ix->nidrun ? &ix->idrun[ix->nidrun - 1] : NULL;
        if (!last || i == ix->ntab || id != last->v + (i - last->first)) {
            xgrow(&ix->idrun, &idcap, ix->nidrun + 1, sizeof *ix->idrun);
            ix->idrun[ix->nidrun++] = (ix_run){i, id};
        }
        last = ix->norgrun ? &ix->orgrun[ix->norgrun - 1] : NULL;
        if (!last || org != last->v) {
            xgrow(&ix->orgrun, &orgcap, ix->norgrun + 1, sizeof *ix->orgrun);
            ix->orgrun[ix->norgrun++] = (ix_run){i, org};
        }
    }
    if (ix->nidrun)
        ix->idrun = xrealloc(ix->idrun, ix->nidrun * sizeof *ix->idrun);
    if (ix->norgrun)
        ix->orgrun = xrealloc(ix->orgrun, ix->norgrun * sizeof *ix->orgrun);
    ix->norgs = (uint32_t)b.norgs;
    ix->orgs = xmalloc((b.norgs ? b.norgs : 1) * sizeof *ix->orgs);
    if (b.norgs)
        memcpy(ix->orgs, b.orgs, b.norgs * sizeof *ix->orgs);
    xgrow(&b.terms, &b.terms_cap, b.nterms + 1, sizeof *b.terms);
    b.terms[b.nterms].post = b.terms[b.nterms].col = (uint32_t)b.posts.len;
    b.terms[b.nterms].str = 0;
    ix->nterms = (uint32_t)b.nterms;
    ix->terms = xrealloc(b.terms, (b.nterms + 1) * sizeof *b.terms);
    b.terms = NULL;
    npool = b.pool.len;
    nposts = b.posts.len;
    ntext = 0;
    ok = !buf_error(&b.pool) && !buf_error(&b.posts) && !buf_error(&b.text) &&
         nposts < UINT32_MAX && npool < UINT32_MAX;
    ix->pool = xrealloc(buf_detach(&b.pool), npool ? npool : 1);
    ix->posts = xrealloc(buf_detach(&b.posts), nposts ? nposts : 1);
    if (b.tab_text.n == ix->ntab && ix->ntab) {
        ntext = b.text.len;
        ix->text = xrealloc(buf_detach(&b.text), ntext ? ntext : 1);
        ix->tab_text =
            xrealloc(b.tab_text.v, b.tab_text.n * sizeof *ix->tab_text);
        b.tab_text.v = NULL;
    }
    ix->bytes = sizeof *ix + ix->ndocs +
                (ix->nidrun + ix->norgrun) * sizeof(ix_run) + b.norgs * 8 +
                (b.nterms + 1) * sizeof(ix_term) + npool + nposts + ntext +
                (ix->text ? ix->ntab * 4 : 0);
done:
    sqlite3_close(db);
    builder_dispose(&b);
    if (!ok) {
        index_free(ix);
        return NULL;
    }
    return ix;
}

/* A build frees several times the snapshot's size of scratch (growing
 * arrays, the builder connection's page cache) in its thread's malloc
 * arena; give those pages back so the resident size is the snapshot's. */
#ifdef __GLIBC__
static pthread_once_t trim_once = PTHREAD_ONCE_INIT;

static void trim_first(void)
{
    malloc_trim(0);
}
#endif

static void trim(void)
{
#ifdef __GLIBC__
    /* The first malloc_trim sets up glibc's allocator when nothing else
       has (under ASan, which replaces malloc); two builds doing that at
       once walk a half-made arena list and crash. Once is safe. */
    pthread_once(&trim_once, trim_first);
    malloc_trim(0);
#endif
}

/* The file at path is still the one the slot stands for and the one sb0
 * described when the build began. Caller holds g_mu. */
static int same_file(const ix_slot *s, const struct stat *sb0)
{
    return s->dev == sb0->st_dev && s->ino == sb0->st_ino;
}

static void *build_main(void *arg)
{
    ix_slot *s = arg;
    int64_t t0 = time_mono_us();
    struct stat sb;
    int ok = stat(s->path, &sb) == 0;
    search_index *ix = ok ? build(s->path, &registry_spec) : NULL, *old = NULL;
    int built = ix != NULL;
    void (*hook)(void *);
    void *hook_ctx;

    pthread_mutex_lock(&g_mu);
    hook = g_hook;
    hook_ctx = g_hook_ctx;
    pthread_mutex_unlock(&g_mu);
    if (hook)
        hook(hook_ctx);
    pthread_mutex_lock(&g_mu);
    if (ix && same_file(s, &sb) && (!s->cur || s->cur->gen < ix->gen)) {
        old = s->cur;
        s->cur = ix;
        g_builds++;
        g_bytes = ix->bytes;
        g_build_us = time_mono_us() - t0;
        ix = NULL;
    }
    if (!built)
        s->retry_after = time_mono_us() + RETRY_US;
    s->building = 0;
    /* The requests come next (the first query with few table and column
       hits would ask for them anyway). */
    if (built && !s->req)
        req_build_start_locked(s);
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
    index_release(old);
    index_free(ix);
    trim();
    return NULL;
}

static void *build_req_main(void *arg)
{
    ix_slot *s = arg;
    int64_t t0 = time_mono_us(), took, wait;
    struct stat sb;
    int ok = stat(s->path, &sb) == 0;
    search_index *ix = ok ? build(s->path, &request_spec) : NULL, *old = NULL;
    int built = ix != NULL;

    pthread_mutex_lock(&g_mu);
    took = time_mono_us() - t0;
    if (ix && same_file(s, &sb)) {
        old = s->req;
        s->req = ix;
        g_req_bytes = ix->bytes;
        g_req_build_us = took;
        ix = NULL;
    }
    /* While submissions keep coming every snapshot is soon stale (FTS5
       answers for requests meanwhile): build at most once a second and
       spend at most a fifth of the time on it. */
    wait = 4 * took > 1000000 ? 4 * took : 1000000;
    s->req_after = time_mono_us() + (built ? wait : RETRY_US);
    s->req_building = 0;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
    index_release(old);
    index_free(ix);
    trim();
    return NULL;
}

/* FTS5's structure record of search_fts as reg's transaction sees it:
 * the version of the requests snapshot. Borrowed until reg_done(*st). */
static const void *fts_version(registry *reg, sqlite3_stmt **st, size_t *n)
{
    static const char sql[] = "SELECT block FROM search_fts_data WHERE id = 10";

    *st = reg_stmt_get(reg, sql, NULL);
    if (!*st || sqlite3_step(*st) != SQLITE_ROW)
        return NULL;
    *n = (size_t)sqlite3_column_bytes(*st, 0);
    return sqlite3_column_blob(*st, 0);
}

/* A reference to the requests snapshot of the version reg's transaction
 * sees, or NULL (then a build starts when none runs). */
static search_index *req_acquire(registry *reg, ix_slot *s)
{
    sqlite3_stmt *st;
    search_index *ix = NULL;
    size_t n = 0;
    const void *v = fts_version(reg, &st, &n);

    if (v) {
        pthread_mutex_lock(&g_mu);
        if (s->req && s->req->nversion == n && !memcmp(s->req->version, v, n)) {
            ix = s->req;
            atomic_fetch_add(&ix->refs, 1);
        } else {
            req_build_start_locked(s);
        }
        pthread_mutex_unlock(&g_mu);
    }
    reg_done(st);
    return ix;
}

/* ---- the query's words ------------------------------------------------- */

typedef struct qword {
    char tok[128]; /* the word's single FTS5 token */
    size_t len;
    uint32_t lo, hi; /* terms starting with tok */
} qword;

typedef struct tok_one {
    qword *w;
    int n; /* tokens seen */
} tok_one;

static int tok_one_cb(void *ctx, int tflags, const char *tok, int ntok,
                      int start, int end)
{
    tok_one *t = ctx;

    (void)start;
    (void)end;
    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    if (t->n++ == 0 && (size_t)ntok < sizeof t->w->tok) {
        memcpy(t->w->tok, tok, (size_t)ntok);
        t->w->tok[ntok] = '\0';
        t->w->len = (size_t)ntok;
    } else {
        t->n = 99; /* too long: FTS5 answers */
    }
    return SQLITE_OK;
}

/* The tokenizer search_fts uses ("unicode61" without options), from
 * FTS5 itself through the fts5_api of reg's connection. */
typedef struct tokenizer {
    fts5_tokenizer mod;
    Fts5Tokenizer *tok;
} tokenizer;

static int tokenizer_open(tokenizer *out, registry *reg)
{
    static const char sql[] = "SELECT fts5(?1)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, NULL);
    fts5_api *api = NULL;
    void *ud = NULL;

    if (!st)
        return -1;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    reg_done(st);
    if (!api || api->iVersion < 2 ||
        api->xFindTokenizer(api, "unicode61", &ud, &out->mod) != SQLITE_OK ||
        out->mod.xCreate(ud, NULL, 0, &out->tok) != SQLITE_OK)
        return -1;
    return 0;
}

/* The words registry_search_expr makes phrases of, each as its token.
 * Returns their number, or -1 when one is not exactly one token (a phrase
 * of several tokens needs positions this index does not keep). */
static int query_words(qword *w, tokenizer *tk, const char *q)
{
    const char *p = q, *start;
    int n = 0, useful;
    size_t len;

    while ((len = reg_search_word(&p, &start, &useful)) > 0) {
        tok_one t;
        if (!useful || n >= MAX_WORDS)
            continue;
        t.w = &w[n];
        t.n = 0;
        if (tk->mod.xTokenize(tk->tok, &t,
                              FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, start,
                              (int)len, tok_one_cb) != SQLITE_OK ||
            t.n != 1)
            return -1;
        n++;
    }
    return n;
}

/* Sets w->lo/hi to the terms that start with w->tok. */
static void word_terms(const search_index *ix, qword *w)
{
    uint32_t lo = 0, hi = ix->nterms;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->pool + ix->terms[mid].str, w->tok) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    w->lo = lo;
    while (hi < ix->nterms &&
           !strncmp(ix->pool + ix->terms[hi].str, w->tok, w->len))
        hi++;
    w->hi = hi < lo ? lo : hi;
}

/* ---- matching ---------------------------------------------------------- */

/* Decodes one run into out (doc << 1 | in-name); returns the count. */
static size_t run_decode(uint32_t *out, const unsigned char *p,
                         const unsigned char *end)
{
    uint32_t prev = UINT32_MAX;
    size_t n = 0;

    while (p < end) {
        uint64_t v = 0;
        int shift = 0;
        unsigned char c;
        do {
            c = *p++;
            v |= (uint64_t)(c & 0x7f) << shift;
            shift += 7;
        } while (c & 0x80);
        prev += (uint32_t)(v >> 1);
        out[n++] = prev << 1 | (uint32_t)(v & 1);
    }
    return n;
}

static const unsigned char *run_start(const search_index *ix, uint32_t t,
                                      int sec)
{
    return ix->posts + (sec ? ix->terms[t].col : ix->terms[t].post);
}

static const unsigned char *run_end(const search_index *ix, uint32_t t, int sec)
{
    return ix->posts + (sec ? ix->terms[t + 1].post : ix->terms[t].col);
}

/* The docs of section sec (0 tables, 1 columns) holding a term that
 * starts with w->tok, as doc << 1 | in-name, rising. Caller frees. */
static uint32_t *word_docs(const search_index *ix, const qword *w, int sec,
                           size_t *out_n)
{
    size_t total = 0, n = 0;
    uint32_t *v;

    for (uint32_t t = w->lo; t < w->hi; t++)
        total += (size_t)(run_end(ix, t, sec) - run_start(ix, t, sec));
    v = xmalloc((total ? total : 1) * sizeof *v);
    if (w->hi - w->lo == 1) {
        n = run_decode(v, run_start(ix, w->lo, sec), run_end(ix, w->lo, sec));
    } else if (w->hi - w->lo <= 4) {
        /* A prefix of a few terms ("order", "orders"): merge their runs. */
        uint32_t *dec = xmalloc(total * sizeof *dec);
        uint32_t *out = xmalloc(total * sizeof *out);
        n = run_decode(v, run_start(ix, w->lo, sec), run_end(ix, w->lo, sec));
        for (uint32_t t = w->lo + 1; t < w->hi; t++) {
            size_t k =
                run_decode(dec, run_start(ix, t, sec), run_end(ix, t, sec));
            size_t i = 0, j = 0, m = 0;
            uint32_t *swap;
            while (i < n && j < k) {
                if (v[i] >> 1 < dec[j] >> 1)
                    out[m++] = v[i++];
                else if (dec[j] >> 1 < v[i] >> 1)
                    out[m++] = dec[j++];
                else
                    out[m++] = v[i++] | (dec[j++] & 1);
            }
            while (i < n)
                out[m++] = v[i++];
            while (j < k)
                out[m++] = dec[j++];
            swap = v;
            v = out;
            out = swap;
            n = m;
        }
        free(dec);
        free(out);
    } else if (w->hi > w->lo) {
        /* A prefix of many terms: flag the docs in a section-sized byte
           map, then read it in order. */
        uint32_t size = sec ? ix->ndocs - ix->ntab : ix->ntab;
        unsigned char *mark = xcalloc(size ? size : 1, 1);
        for (uint32_t t = w->lo; t < w->hi; t++) {
            size_t k =
                run_decode(v, run_start(ix, t, sec), run_end(ix, t, sec));
            for (size_t i = 0; i < k; i++)
                mark[v[i] >> 1] |= (unsigned char)(1 | (v[i] & 1) << 1);
        }
        for (uint32_t d = 0; d < size; d++)
            if (mark[d])
                v[n++] = d << 1 | (uint32_t)(mark[d] >> 1);
        free(mark);
    }
    *out_n = n;
    return v;
}

/* A hit of one section: its doc (section-relative) and how many words
 * matched in its name. */
typedef struct cand {
    uint32_t *doc;
    uint8_t *nname;
    size_t n;
} cand;

/* Docs of section sec matching every word (AND). */
static void section_match(cand *c, const search_index *ix, const qword *w,
                          int nw, int sec)
{
    uint32_t *lists[MAX_WORDS];
    size_t ns[MAX_WORDS];
    int order[MAX_WORDS];

    memset(c, 0, sizeof *c);
    for (int i = 0; i < nw; i++) {
        lists[i] = word_docs(ix, &w[i], sec, &ns[i]);
        order[i] = i;
    }
    /* Shortest list first: the intersection never grows. */
    for (int i = 1; i < nw; i++)
        for (int j = i; j > 0 && ns[order[j]] < ns[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    c->n = ns[order[0]];
    c->doc = xmalloc((c->n ? c->n : 1) * sizeof *c->doc);
    c->nname = xmalloc(c->n ? c->n : 1);
    for (size_t i = 0; i < c->n; i++) {
        c->doc[i] = lists[order[0]][i] >> 1;
        c->nname[i] = (uint8_t)(lists[order[0]][i] & 1);
    }
    for (int k = 1; k < nw && c->n; k++) {
        const uint32_t *l = lists[order[k]];
        size_t nl = ns[order[k]], j = 0, m = 0;
        for (size_t i = 0; i < c->n; i++) {
            uint32_t d = c->doc[i];
            if (nl > 16 * c->n) {
                /* Far longer list: binary search instead of a walk. */
                size_t lo = j, hi = nl;
                while (lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    if ((l[mid] >> 1) < d)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                j = lo;
            } else {
                while (j < nl && (l[j] >> 1) < d)
                    j++;
            }
            if (j < nl && (l[j] >> 1) == d) {
                c->doc[m] = d;
                c->nname[m] = (uint8_t)(c->nname[i] + (l[j] & 1));
                m++;
            }
        }
        c->n = m;
    }
    for (int i = 0; i < nw; i++)
        free(lists[i]);
}

/* Rank key within a kind: more words in the name, fewer tokens, lower
 * id (doc order). Smaller sorts first. */
static uint64_t rank_key(const search_index *ix, uint32_t doc, int nname)
{
    return (uint64_t)(MAX_WORDS - nname) << 40 | (uint64_t)ix->len[doc] << 32 |
           doc;
}

/* Keeps the k smallest keys of a stream in a max-heap, then sorts them. */
typedef struct topk {
    uint64_t *v;
    size_t n, k;
} topk;

static void topk_add(topk *t, uint64_t key)
{
    size_t i;

    if (t->n < t->k) {
        i = t->n++;
        while (i > 0 && t->v[(i - 1) / 2] < key) {
            t->v[i] = t->v[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        t->v[i] = key;
        return;
    }
    if (!t->k || key >= t->v[0])
        return;
    i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= t->n)
            break;
        if (c + 1 < t->n && t->v[c + 1] > t->v[c])
            c++;
        if (t->v[c] <= key)
            break;
        t->v[i] = t->v[c];
        i = c;
    }
    t->v[i] = key;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* ---- highlight and snippet (as FTS5's, for one-token phrases) ---------- */

typedef struct htok {
    int start, end; /* byte offsets in the text */
    uint32_t mask;  /* query words (phrases) this token matches */
} htok;

static int ascii_tokchar(unsigned char c)
{
    return (unsigned)((c | 0x20) - 'a') < 26 || (unsigned)(c - '0') < 10;
}

static unsigned char ascii_fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

typedef struct htoks {
    htok *v;
    size_t n, cap;
    int *first; /* snippet(): scratch of n entries */
    size_t first_cap;
    const qword *w;
    int nw;
} htoks;

static int htok_cb(void *ctx, int tflags, const char *tok, int ntok, int start,
                   int end)
{
    htoks *h = ctx;
    uint32_t mask = 0;

    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    for (int i = 0; i < h->nw; i++)
        if ((size_t)ntok >= h->w[i].len &&
            !memcmp(tok, h->w[i].tok, h->w[i].len))
            mask |= 1u << i;
    if (h->n == h->cap)
        xgrow(&h->v, &h->cap, h->n + 1, sizeof *h->v);
    h->v[h->n].start = start;
    h->v[h->n].end = end;
    h->v[h->n].mask = mask;
    h->n++;
    return SQLITE_OK;
}

/* The tokens of text into h. unicode61 makes tokens of the ASCII letters
 * and digits only, folded to lower case, and separators of every other
 * ASCII byte, so ASCII text (nearly all of it here) is split in one pass
 * without the tokenizer's per-token callback and folding buffer; text
 * with any other byte goes through FTS5's tokenizer itself. The tests
 * compare the results with FTS5's highlight() and snippet(). */
static void tokens_get(htoks *h, tokenizer *tk, const char *text)
{
    const unsigned char *s = (const unsigned char *)text, *p = s;

    h->n = 0;
    for (;;) {
        const unsigned char *start;
        uint32_t mask = 0;
        size_t len;
        while (*p && !ascii_tokchar(*p)) {
            if (*p >= 0x80)
                goto slow;
            p++;
        }
        if (!*p)
            return;
        start = p;
        while (ascii_tokchar(*p))
            p++;
        if (*p >= 0x80)
            goto slow;
        len = (size_t)(p - start);
        for (int i = 0; i < h->nw; i++) {
            const qword *w = &h->w[i];
            size_t k = 0;
            if (len < w->len || ascii_fold(*start) != (unsigned char)w->tok[0])
                continue;
            while (k < w->len &&
                   ascii_fold(start[k]) == (unsigned char)w->tok[k])
                k++;
            if (k == w->len)
                mask |= 1u << i;
        }
        if (h->n == h->cap)
            xgrow(&h->v, &h->cap, h->n + 1, sizeof *h->v);
        h->v[h->n].start = (int)(start - s);
        h->v[h->n].end = (int)(p - s);
        h->v[h->n].mask = mask;
        h->n++;
    }
slow:
    h->n = 0;
    tk->mod.xTokenize(tk->tok, h, FTS5_TOKENIZE_DOCUMENT, text,
                      (int)strlen(text), htok_cb);
}

/* highlight(): the whole text with every matched token marked. */
static void highlight(buf *out, const char *text, const htoks *h)
{
    int off = 0;

    for (size_t i = 0; i < h->n; i++) {
        if (!h->v[i].mask)
            continue;
        buf_append(out, text + off, (size_t)(h->v[i].start - off));
        buf_putc(out, '\x01');
        buf_append(out, text + h->v[i].start,
                   (size_t)(h->v[i].end - h->v[i].start));
        buf_putc(out, '\x02');
        off = h->v[i].end;
    }
    buf_puts(out, text + off);
}

/* fts5SnippetScore(): phrases in [pos, pos + SNIPPET_TOKS), 1000 for the
 * first hit of a phrase and 1 for each further one; *adj centres the
 * hits in the window. */
static int snippet_score(const htoks *h, int pos, int *adj)
{
    uint32_t seen = 0;
    int score = 0, first = -1, last = 0;
    int ndoc = (int)h->n;

    for (int i = pos; i < ndoc && i < pos + SNIPPET_TOKS; i++) {
        for (int p = 0; p < h->nw; p++) {
            if (!(h->v[i].mask >> p & 1))
                continue;
            score += seen >> p & 1 ? 1 : 1000;
            seen |= 1u << p;
            if (first < 0)
                first = i;
            last = i + 1;
        }
    }
    if (adj) {
        int a = first - (SNIPPET_TOKS - (last - first)) / 2;
        if (a + SNIPPET_TOKS > ndoc)
            a = ndoc - SNIPPET_TOKS;
        if (a < 0)
            a = 0;
        *adj = a;
    }
    return score;
}

/* snippet(search_fts, 5, char(1), char(2), '…', 16) of FTS5 (3.40's
 * fts5SnippetFunction for one column), for phrases of one token each:
 * the best window by snippet_score, preferring one that starts a
 * sentence ('.' or ':' before the blank ahead of a token). */
static void snippet(buf *out, const char *text, htoks *h)
{
    static const char ellipsis[] = "\xe2\x80\xa6";
    int ndoc = (int)h->n, best = 0, start = 0, end, off = 0;
    int *first;
    int nfirst = 0;

    if (h->first_cap < h->n + 1)
        xgrow(&h->first, &h->first_cap, h->n + 1, sizeof *h->first);
    first = h->first;
    for (int i = 0; i < ndoc; i++) {
        int j = h->v[i].start - 1;
        char c = 0;
        if (i == 0) {
            first[nfirst++] = 0;
            continue;
        }
        for (; j >= 0; j--) {
            c = text[j];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
        }
        if (j != h->v[i].start - 1 && (c == '.' || c == ':'))
            first[nfirst++] = i;
    }
    /* Instances in FTS5's order: by position, then phrase. */
    for (int i = 0; i < ndoc; i++) {
        for (int p = 0; p < h->nw; p++) {
            int adj, score, jj;
            if (!(h->v[i].mask >> p & 1))
                continue;
            score = snippet_score(h, i, &adj);
            if (score > best) {
                best = score;
                start = adj;
            }
            if (!nfirst || ndoc <= SNIPPET_TOKS)
                continue;
            for (jj = 0; jj < nfirst - 1; jj++)
                if (first[jj + 1] > i)
                    break;
            if (first[jj] < i) {
                score = snippet_score(h, first[jj], NULL) +
                        (first[jj] == 0 ? 120 : 100);
                if (score > best) {
                    best = score;
                    start = first[jj];
                }
            }
        }
    }
    end = start + SNIPPET_TOKS - 1;
    if (start > 0)
        buf_puts(out, ellipsis);
    for (int i = start; i < ndoc && i <= end; i++) {
        const htok *t = &h->v[i];
        if (start && i == start)
            off = t->start;
        if (t->mask) {
            buf_append(out, text + off, (size_t)(t->start - off));
            buf_putc(out, '\x01');
            buf_append(out, text + t->start, (size_t)(t->end - t->start));
            buf_putc(out, '\x02');
            off = t->end;
        }
        if (i == end) {
            buf_append(out, text + off, (size_t)(t->end - off));
            off = t->end;
        }
    }
    if (end >= ndoc - 1)
        buf_puts(out, text + off);
    else
        buf_puts(out, ellipsis);
}

/* ---- the search -------------------------------------------------------- */

/* The run of runs[lo..hi) that holds doc (the last first <= doc). */
static uint32_t run_of(const ix_run *runs, uint32_t lo, uint32_t hi,
                       uint32_t doc)
{
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (runs[mid].first <= doc)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t doc_id(const search_index *ix, uint32_t doc)
{
    const ix_run *r = &ix->idrun[run_of(ix->idrun, 0, ix->nidrun, doc)];

    return r->v + (doc - r->first);
}

static uint32_t doc_org(const search_index *ix, uint32_t doc)
{
    return ix->orgrun[run_of(ix->orgrun, 0, ix->norgrun, doc)].v;
}

/* The doc of id in section sec, or -1. Ids rise with docs in a section
 * and no run crosses into the next section. */
static int64_t id_doc(const search_index *ix, int sec, uint32_t id)
{
    uint32_t lo = 0, hi = ix->nidrun, end, r;

    while (lo < hi) { /* the first run of section 1 */
        uint32_t mid = lo + (hi - lo) / 2;
        if (ix->idrun[mid].first < ix->ntab)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (sec) {
        hi = ix->nidrun;
    } else {
        hi = lo;
        lo = 0;
    }
    if (lo == hi || id < ix->idrun[lo].v)
        return -1;
    end = hi;
    while (hi - lo > 1) { /* the last run whose first id <= id */
        uint32_t mid = lo + (hi - lo) / 2;
        if (ix->idrun[mid].v <= id)
            lo = mid;
        else
            hi = mid;
    }
    r = ix->idrun[lo].first + (id - ix->idrun[lo].v);
    if (r >=
        (lo + 1 < end ? ix->idrun[lo + 1].first : (sec ? ix->ndocs : ix->ntab)))
        return -1;
    return r;
}

typedef struct hit {
    int64_t rowid;
    int exact;
    int64_t doc; /* the hit's doc in the index, -1 for a request */
} hit;

/* Exact name hits of kinds 1 and 2 as docs, org-filtered, in rank order.
 * A name equal to the query (ASCII case folded, as the NOCASE index
 * compares) holds every query word's token, so it matches. */
static int exact_docs(registry *reg, const search_index *ix, const char *raw,
                      int orgi, int nw, uint64_t *out, size_t max,
                      size_t *out_n, errmsg *err)
{
    static const char sql[] =
        "SELECT id * 4 + 1 FROM reg_tables WHERE name = :raw"
        " UNION ALL SELECT id * 4 + 2 FROM reg_columns WHERE name = :raw";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    size_t n = 0;
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":raw", raw);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t rowid = sqlite3_column_int64(st, 0);
        int kind = (int)(rowid & 3);
        int64_t pos;
        uint32_t doc;
        if (rowid / 4 > UINT32_MAX)
            continue;
        pos = id_doc(ix, kind - 1, (uint32_t)(rowid / 4));
        if (pos < 0)
            continue;
        doc = (uint32_t)pos;
        if (orgi >= 0 && doc_org(ix, doc) != (uint32_t)orgi)
            continue;
        if (n == max)
            continue;
        /* Whole-index doc numbers keep tables ahead of columns. */
        out[n++] = (uint64_t)(kind - 1) << 62 | rank_key(ix, doc, nw);
    }
    if (rc != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
        reg_done(st);
        return rc;
    }
    reg_done(st);
    qsort(out, n, sizeof *out, cmp_u64);
    *out_n = n;
    return 0;
}

static int64_t doc_rowid(const search_index *ix, uint32_t doc)
{
    return (int64_t)doc_id(ix, doc) * 4 + ix->kinds[doc < ix->ntab ? 0 : 1];
}

/* Requests (kind 3) by bm25 from FTS5, after the first have hits. */
static int request_hits(registry *reg, const char *expr, int64_t org_id,
                        int need, hit *out, int *n, errmsg *err)
{
    static const char sql[] =
        "SELECT rowid FROM search_fts WHERE search_fts MATCH :expr"
        " AND rowid % 4 = 3"
        " AND (:org = 0 OR CAST(org_id AS INTEGER) = :org)"
        " ORDER BY bm25(search_fts) LIMIT :lim";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":expr", expr);
    reg_bind_int(st, ":org", org_id);
    reg_bind_int(st, ":lim", need);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && need-- > 0) {
        out[*n].rowid = sqlite3_column_int64(st, 0);
        out[*n].exact = 0;
        out[*n].doc = -1;
        (*n)++;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        rc = reg_db_error(reg, err);
        reg_done(st);
        return rc;
    }
    reg_done(st);
    return 0;
}

/* Reads each hit's row from the FTS5 content table (a rowid look-up, no
 * MATCH), marks it and hands it to fn. */
static int hits_emit(registry *reg, const search_index *ix, tokenizer *tk,
                     const qword *w, int nw, const hit *hits, int n,
                     void (*fn)(void *ctx, const registry_search_hit *h),
                     void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT c0, c1, c3, c4, c5, CASE c0 WHEN 'column' THEN"
        " (SELECT t.name FROM reg_columns c JOIN reg_tables t"
        "  ON t.id = c.table_id WHERE c.id = c1) ELSE '' END"
        " FROM search_fts_content WHERE id = :id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    buf name_hl = {0}, snip = {0};
    htoks h;
    int ret = 0;

    if (!st)
        return ERR_DB;
    memset(&h, 0, sizeof h);
    h.w = w;
    h.nw = nw;
    for (int i = 0; i < n; i++) {
        registry_search_hit sh;
        const char *name, *body;
        int rc;

        if (hits[i].doc >= 0 && hits[i].doc < ix->ntab && ix->text) {
            name = ix->text + ix->tab_text[hits[i].doc];
            sh.kind = "table";
            sh.ref = doc_id(ix, (uint32_t)hits[i].doc);
            sh.instance = name + strlen(name) + 1;
            sh.table = "";
            body = sh.instance + strlen(sh.instance) + 1;
        } else {
            sqlite3_reset(st);
            reg_bind_int(st, ":id", hits[i].rowid);
            rc = sqlite3_step(st);
            if (rc == SQLITE_DONE)
                continue; /* gone: cannot happen in one transaction */
            if (rc != SQLITE_ROW) {
                ret = reg_db_error(reg, err);
                break;
            }
            sh.kind = reg_col_text(st, 0);
            sh.ref = sqlite3_column_int64(st, 1);
            sh.instance = reg_col_text(st, 2);
            sh.table = reg_col_text(st, 5);
            name = reg_col_text(st, 3);
            body = reg_col_text(st, 4);
        }
        buf_reset(&name_hl);
        buf_reset(&snip);
        tokens_get(&h, tk, name);
        highlight(&name_hl, name, &h);
        tokens_get(&h, tk, body);
        snippet(&snip, body, &h);
        sh.name = name;
        sh.name_hl = buf_cstr(&name_hl);
        sh.snippet = buf_cstr(&snip);
        sh.exact = hits[i].exact;
        fn(ctx, &sh);
    }
    reg_done(st);
    free(h.v);
    free(h.first);
    buf_dispose(&name_hl);
    buf_dispose(&snip);
    return ret;
}

/* The ranked hits of kinds 1 and 2 (at most lim). */
static void rank(const search_index *ix, const qword *w, int nw,
                 const uint64_t *exact, size_t nexact, int orgi, int lim,
                 hit *out, int *n)
{
    for (size_t i = 0; i < nexact; i++) {
        uint32_t doc = (uint32_t)(exact[i] & 0xffffffffu);
        out[(*n)++] = (hit){doc_rowid(ix, doc), 1, doc};
    }
    for (int sec = 0; sec < 2 && *n < lim; sec++) {
        uint32_t base = sec ? ix->ntab : 0;
        if (sec == 1 && ix->ndocs == ix->ntab)
            break; /* requests: one section */
        cand c;
        topk t;

        section_match(&c, ix, w, nw, sec);
        t.k = (size_t)(lim - *n);
        t.n = 0;
        t.v = xmalloc(t.k * sizeof *t.v);
        for (size_t i = 0; i < c.n; i++) {
            uint32_t doc = base + c.doc[i];
            int is_exact = 0;
            if (orgi >= 0 && doc_org(ix, doc) != (uint32_t)orgi)
                continue;
            for (size_t j = 0; j < nexact; j++)
                if ((uint32_t)(exact[j] & 0xffffffffu) == doc)
                    is_exact = 1;
            if (!is_exact)
                topk_add(&t, rank_key(ix, doc, c.nname[i]));
        }
        qsort(t.v, t.n, sizeof *t.v, cmp_u64);
        for (size_t i = 0; i < t.n; i++) {
            uint32_t doc = (uint32_t)(t.v[i] & 0xffffffffu);
            out[(*n)++] = (hit){doc_rowid(ix, doc), 0, doc};
        }
        free(t.v);
        free(c.doc);
        free(c.nname);
    }
}

/* The index of org_id in ix->orgs for rank(): -1 for all (org_id 0), -2
 * when nothing can match (an organisation without docs, or a word no
 * doc holds); sets each word's term range. */
static int org_slot(const search_index *ix, qword *w, int nw, int64_t org_id)
{
    int orgi = -1;

    if (org_id) {
        orgi = -2;
        for (uint32_t i = 0; i < ix->norgs; i++)
            if (ix->orgs[i] == org_id)
                orgi = (int)i;
    }
    for (int i = 0; i < nw; i++) {
        word_terms(ix, &w[i]);
        if (w[i].lo == w[i].hi)
            orgi = -2;
    }
    return orgi;
}

int search_index_run(registry *reg, const char *q, int64_t org_id, int limit,
                     void (*fn)(void *ctx, const registry_search_hit *h),
                     void *ctx, errmsg *err)
{
    static const char begin_sql[] = "BEGIN";
    static const char commit_sql[] = "COMMIT";
    qword w[MAX_WORDS];
    tokenizer tk = {0};
    hit hits[200];
    uint64_t exact[200];
    size_t nexact = 0;
    char expr[1024];
    char *raw = NULL;
    ix_slot *slot;
    search_index *ix = NULL;
    int nw, n = 0, began = 0, orgi = -1, ret = SEARCH_INDEX_FALLBACK;
    int64_t gen;

    assert(limit > 0 && limit <= 200);
    if (!atomic_load(&g_on))
        goto done;
    raw = str_trim_dup(q);
    if (!str_ncasecmp(raw, "cr-", 3))
        goto done; /* an exact request name ranks first: FTS5 knows it */
    slot = slot_for(reg);
    if (!slot || tokenizer_open(&tk, reg) < 0)
        goto done;
    nw = query_words(w, &tk, q);
    if (nw <= 0 || registry_search_expr(expr, sizeof expr, q) != nw)
        goto done;
    /* One read transaction: the generation checked is the one read. */
    if (sqlite3_get_autocommit(reg->db)) {
        if (reg_exec(reg, begin_sql, NULL) < 0)
            goto done;
        began = 1;
    }
    gen = registry_generation(reg);
    if (gen < 0)
        goto done;
    ix = index_acquire(slot, gen >> 32);
    if (!ix)
        goto done;
    orgi = org_slot(ix, w, nw, org_id);
    ret = 0;
    if (orgi != -2) {
        ret = exact_docs(reg, ix, raw, orgi, nw, exact, (size_t)limit, &nexact,
                         err);
        if (ret < 0)
            goto done;
        rank(ix, w, nw, exact, nexact, orgi, limit, hits, &n);
    }
    if (n < limit) {
        /* Requests rank last: needed only now. */
        search_index *rq = req_acquire(reg, slot);
        if (rq) {
            qword rw[MAX_WORDS];
            int n0 = n, rorgi;
            memcpy(rw, w, (size_t)nw * sizeof *w);
            rorgi = org_slot(rq, rw, nw, org_id);
            if (rorgi != -2)
                rank(rq, rw, nw, NULL, 0, rorgi, limit, hits, &n);
            for (int i = n0; i < n; i++)
                hits[i].doc = -1; /* rows are read from the database */
            index_release(rq);
        } else {
            ret = request_hits(reg, expr, org_id, limit - n, hits, &n, err);
            if (ret < 0)
                goto done;
        }
    }
    ret = hits_emit(reg, ix, &tk, w, nw, hits, n, fn, ctx, err);
done:
    if (began)
        reg_exec(reg, commit_sql, NULL);
    if (tk.tok)
        tk.mod.xDelete(tk.tok);
    index_release(ix);
    free(raw);
    if (ret == SEARCH_INDEX_FALLBACK)
        atomic_fetch_add(&g_fallbacks, 1);
    else
        atomic_fetch_add(&g_served, 1);
    return ret;
}

int search_index_wait(registry *reg, int timeout_ms)
{
    ix_slot *slot = slot_for(reg);
    int64_t deadline = time_mono_us() + (int64_t)timeout_ms * 1000;
    int64_t gen = registry_generation(reg);
    unsigned char *ver = NULL;
    size_t nver = 0;
    sqlite3_stmt *st;
    const void *v;
    int ready = 0;

    if (!slot || gen < 0)
        return ERR_NOTFOUND;
    gen >>= 32;
    v = fts_version(reg, &st, &nver);
    if (v) {
        ver = xmalloc(nver ? nver : 1);
        memcpy(ver, v, nver);
    }
    reg_done(st);
    pthread_mutex_lock(&g_mu);
    for (;;) {
        struct timespec ts;
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
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&g_cv, &g_mu, &ts);
    }
    pthread_mutex_unlock(&g_mu);
    free(ver);
    return ready ? 0 : ERR_NOTFOUND;
}
