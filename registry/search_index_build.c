/* search_index_build.c: reading one snapshot of the search index (see
 * search_index.c) from the FTS5 index itself, in a read transaction of
 * its own connection: the documents' ids and organisations, then every
 * term instance through fts5vocab, encoded as runs of postings. */
#include "search_index_int.h"

#include "buf.h"
#include "mem.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

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
    xfree_all(b->tab_id.v, b->col_id.v, b->tab_org.v, b->col_org.v, b->orgs,
              b->runs[0].v, b->runs[1].v);
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

/* What build_read's row callbacks share: the builder, its spec, the
 * term being read and the id -> position maps of tables and columns. */
typedef struct reader {
    builder *b;
    const build_spec *spec;
    char *last; /* the current term (not NUL-terminated) */
    size_t last_len, last_cap;
    size_t nposmap[2];
    int32_t *posmap[2];
} reader;

/* The snapshot's version: the generation, or FTS5's structure record. */
static int version_row(sqlite3_stmt *st, void *ctx)
{
    search_index *ix = ctx;

    ix->gen = sqlite3_column_int64(st, 0);
    if (sqlite3_column_type(st, 0) == SQLITE_BLOB)
        ix->version = reg_col_blob(st, 0, &ix->nversion);
    return 0;
}

/* Keeps a table's name, instance and body (columns 2..4) while they fit
 * TEXT_BUDGET; past it no table keeps its text. */
static void text_add(builder *b, sqlite3_stmt *st)
{
    if (b->text.len > TEXT_BUDGET) {
        b->no_text = 1;
        buf_dispose(&b->text);
        free(b->tab_text.v);
        memset(&b->tab_text, 0, sizeof b->tab_text);
        return;
    }
    u32_push(&b->tab_text, (uint32_t)b->text.len);
    for (int c = 2; c <= 4; c++) {
        const unsigned char *t = sqlite3_column_text(st, c);
        buf_append(&b->text, t ? t : (const unsigned char *)"",
                   t ? (size_t)sqlite3_column_bytes(st, c) : 0);
        buf_append(&b->text, "", 1);
    }
}

/* One document: its id and organisation; -1 when it is beyond this
 * index's layout (then FTS5 answers). */
static int doc_row(sqlite3_stmt *st, void *ctx)
{
    reader *r = ctx;
    builder *b = r->b;
    int64_t rowid = sqlite3_column_int64(st, 0);
    int org = org_index(b, sqlite3_column_int64(st, 1));
    int sec = spec_section(r->spec, (int)(rowid & 3));

    if (sec < 0)
        return 0;
    if (org < 0 || rowid / 4 > UINT32_MAX)
        return -1;
    u32_push(sec ? &b->col_id : &b->tab_id, (uint32_t)(rowid / 4));
    u32_push(sec ? &b->col_org : &b->tab_org, (uint32_t)org);
    if (sec == 0 && r->spec->text && !b->no_text)
        text_add(b, st);
    return 0;
}

/* The sections' sizes and the id -> position maps for the 3.7 million
 * instance rows (ids are dense: a deletion leaves a -1), instead of a
 * binary search each. */
static void docs_done(reader *r)
{
    builder *b = r->b;
    search_index *ix = b->ix;

    ix->kinds[0] = (uint8_t)r->spec->kinds[0];
    ix->kinds[1] = (uint8_t)r->spec->kinds[1];
    ix->ntab = (uint32_t)b->tab_id.n;
    ix->ndocs = (uint32_t)(b->tab_id.n + b->col_id.n);
    ix->len = xcalloc(ix->ndocs ? ix->ndocs : 1, 1);
    for (int k = 0; k < 2; k++) {
        const u32vec *ids = k ? &b->col_id : &b->tab_id;
        uint32_t max = ids->n ? ids->v[ids->n - 1] : 0;
        if (!ids->n || max > 4 * ids->n + 1024)
            continue;
        r->nposmap[k] = (size_t)max + 1;
        r->posmap[k] = xmalloc(r->nposmap[k] * sizeof *r->posmap[k]);
        memset(r->posmap[k], 0xff, r->nposmap[k] * sizeof *r->posmap[k]);
        for (size_t i = 0; i < ids->n; i++)
            r->posmap[k][ids->v[i]] = (int32_t)i;
    }
}

/* The position of the doc of rowid in section sec, or -1. */
static int doc_pos(const reader *r, int sec, int64_t rowid)
{
    const builder *b = r->b;

    if (rowid / 4 > UINT32_MAX)
        return -1;
    if ((uint64_t)(rowid / 4) < r->nposmap[sec])
        return r->posmap[sec][rowid / 4];
    return find_u32(sec ? b->col_id.v : b->tab_id.v,
                    sec ? b->col_id.n : b->tab_id.n, (uint32_t)(rowid / 4));
}

/* One term instance (term, doc, in the name), by term then doc. */
static int vocab_row(sqlite3_stmt *st, void *ctx)
{
    reader *r = ctx;
    builder *b = r->b;
    const char *term = reg_col_text(st, 0);
    size_t tlen = (size_t)sqlite3_column_bytes(st, 0);
    int64_t rowid = sqlite3_column_int64(st, 1);
    int sec = spec_section(r->spec, (int)(rowid & 3)), pos;
    uint32_t doc;

    if (sec < 0)
        return 0;
    if (!r->last || tlen != r->last_len || memcmp(term, r->last, tlen)) {
        term_flush(b, r->last, r->last_len);
        if (tlen + 1 > r->last_cap)
            xgrow(&r->last, &r->last_cap, tlen + 1, 1);
        assert(r->last && r->last_cap > tlen);
        memcpy(r->last, term, tlen);
        r->last_len = tlen;
    }
    pos = doc_pos(r, sec, rowid);
    if (pos < 0)
        return 0; /* cannot happen within one transaction */
    doc = sec ? b->ix->ntab + (uint32_t)pos : (uint32_t)pos;
    if (b->ix->len[doc] < 255)
        b->ix->len[doc]++;
    run_add(&b->runs[sec], (uint32_t)pos, sqlite3_column_int(st, 2));
    return 0;
}

/* The snapshot's log position: max(seq) of search_log (0: empty). */
static const char log_sql[] = "SELECT coalesce(max(seq), 0) FROM search_log";

static int seq_row(sqlite3_stmt *st, void *ctx)
{
    search_index *ix = ctx;

    ix->seq = sqlite3_column_int64(st, 0);
    return 0;
}

/* Reads the documents (ids and organisations) and the term instances
 * spec names in one read transaction of reg (the builder's own). */
static int build_read(builder *b, registry *reg, const build_spec *spec)
{
    reader r;
    int rc = -1, began = 0;

    memset(&r, 0, sizeof r);
    r.b = b;
    r.spec = spec;
    if (sqlite3_exec(reg->db, spec->setup, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(reg->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        goto done;
    began = 1;
    if (reg_one(reg, reg_stmt_get(reg, spec->version, NULL), version_row, b->ix,
                NULL) < 0)
        goto done;
    /* The log position it includes (none: no overlay is made on it). */
    if (reg_one(reg, reg_stmt_get(reg, log_sql, NULL), seq_row, b->ix, NULL) <
        0)
        b->ix->seq = -1;
    if (spec->fill &&
        sqlite3_exec(reg->db, spec->fill, NULL, NULL, NULL) != SQLITE_OK)
        goto done;
    if (reg_each(reg, reg_stmt_get(reg, spec->docs, NULL), doc_row, &r, NULL) <
        0)
        goto done;
    docs_done(&r);
    if (reg_each(reg, reg_stmt_get(reg, spec->vocab, NULL), vocab_row, &r,
                 NULL) < 0)
        goto done;
    if (r.last)
        term_flush(b, r.last, r.last_len);
    rc = 0;
done:
    if (began)
        sqlite3_exec(reg->db, "COMMIT", NULL, NULL, NULL);
    xfree_all(r.posmap[0], r.posmap[1], r.last);
    return rc;
}

/* Builds the snapshot spec describes of the file at path; NULL on
 * failure. */
static search_index *build(const char *path, const build_spec *spec)
{
    builder b;
    search_index *ix = xcalloc(1, sizeof *ix);
    registry *reg = NULL;
    size_t idcap = 0, orgcap = 0, npool, nposts, ntext;
    int ok = 0;

    pthread_mutex_init(&ix->qmu, NULL);
    pthread_mutex_init(&ix->ovmu, NULL);
    ix->seq = ix->ov_fail = -1;
    memset(&b, 0, sizeof b);
    b.ix = ix;
    atomic_init(&ix->refs, 1);
    /* A read-only connection of its own (NOMUTEX, as every registry
       connection: only this thread uses it, and the build makes millions
       of calls that would each take its mutex). */
    if (registry_open(&reg, path, REGISTRY_READONLY, NULL) < 0 ||
        build_read(&b, reg, spec) < 0)
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
    registry_close(reg);
    builder_dispose(&b);
    if (!ok) {
        si_index_free(ix);
        return NULL;
    }
    return ix;
}

search_index *si_build(const char *path, int requests)
{
    return build(path, requests ? &request_spec : &registry_spec);
}
