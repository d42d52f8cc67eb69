/* search_index_query.c: search_index_run (search_index.h): one search
 * answered from the snapshots of search_index.c, with FTS5's highlight()
 * and snippet() rebuilt for the hits, and FTS5 for the requests while
 * their snapshot is stale. */
#include "search_index_int.h"

#include "buf.h"
#include "mem.h"
#include "str.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

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

/* What exact_docs collects: the keys of the docs of ix matching the
 * organisation orgi (-1: any). */
typedef struct exact_ctx {
    const search_index *ix;
    const si_overlay *ov; /* NULL: keys by doc, else by id (si_rank_ov) */
    int64_t org_id;
    int orgi, nw;
    uint64_t *v;
    size_t n, cap;
} exact_ctx;

static void exact_add(exact_ctx *e, uint64_t key)
{
    if (e->n == e->cap)
        xgrow(&e->v, &e->cap, e->n + 1, sizeof *e->v);
    e->v[e->n++] = key;
}

/* An exact hit with an overlay: its row's doc in the overlay when the
 * overlay has the row, else in the snapshot. */
static int exact_row_ov(exact_ctx *e, int64_t rowid)
{
    int kind = (int)(rowid & 3);
    uint32_t id = (uint32_t)(rowid / 4);
    uint64_t key = (uint64_t)(kind - 1) << 62;
    int64_t pos;

    if (si_ov_has(e->ov, rowid)) {
        const ov_doc *d = si_ov_find(e->ov, rowid);
        if (!d || (e->org_id && d->org != e->org_id))
            return 0;
        key |= (uint64_t)(MAX_WORDS - e->nw) << 40 | (uint64_t)d->len << 32;
    } else {
        pos = e->orgi == -2 ? -1 : si_id_doc(e->ix, kind - 1, id);
        if (pos < 0 || (e->orgi >= 0 &&
                        si_doc_org(e->ix, (uint32_t)pos) != (uint32_t)e->orgi))
            return 0;
        key |= (uint64_t)(MAX_WORDS - e->nw) << 40 | (uint64_t)e->ix->len[pos]
                                                         << 32;
    }
    exact_add(e, key | id);
    return 0;
}

static int exact_row(sqlite3_stmt *st, void *ctx)
{
    exact_ctx *e = ctx;
    int64_t rowid = sqlite3_column_int64(st, 0);
    int kind = (int)(rowid & 3);
    int64_t pos;
    uint32_t doc;

    if (rowid / 4 > UINT32_MAX)
        return 0;
    if (e->ov)
        return exact_row_ov(e, rowid);
    pos = si_id_doc(e->ix, kind - 1, (uint32_t)(rowid / 4));
    if (pos < 0)
        return 0;
    doc = (uint32_t)pos;
    if (e->orgi >= 0 && si_doc_org(e->ix, doc) != (uint32_t)e->orgi)
        return 0;
    /* Whole-index doc numbers keep tables ahead of columns. */
    exact_add(e, (uint64_t)(kind - 1) << 62 | si_rank_key(e->ix, doc, e->nw));
    return 0;
}

/* Exact name hits of kinds 1 and 2 as docs, org-filtered, the first max
 * in rank order into out. A name equal to the query (ASCII case folded,
 * as the NOCASE index compares) holds every query word's token, so it
 * matches. All are ranked before the first max are kept: a page of the
 * exact hits is the same slice of them whatever its size. */
static int exact_docs(registry *reg, const search_index *ix,
                      const si_overlay *ov, const char *raw, int orgi,
                      int64_t org_id, int nw, uint64_t *out, size_t max,
                      size_t *out_n, errmsg *err)
{
    static const char sql[] =
        "SELECT id * 4 + 1 FROM reg_tables WHERE name = :raw"
        " UNION ALL SELECT id * 4 + 2 FROM reg_columns WHERE name = :raw";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":raw", raw));
    exact_ctx e = {ix, ov, org_id, orgi, nw, NULL, 0, 0};
    int rc;

    rc = reg_each(reg, st, exact_row, &e, err);
    *out_n = 0;
    if (rc == 0 && e.n) {
        qsort(e.v, e.n, sizeof *e.v, si_cmp_u64);
        *out_n = e.n < max ? e.n : max;
        if (*out_n)
            memcpy(out, e.v, *out_n * sizeof *out);
    }
    free(e.v);
    return rc;
}

/* Where request_hits appends: out[*n], at most need more. */
typedef struct req_ctx {
    hit *out;
    int *n;
    int need;
} req_ctx;

static int request_row(sqlite3_stmt *st, void *ctx)
{
    req_ctx *r = ctx;

    if (r->need-- <= 0)
        return 0;
    r->out[*r->n] = (hit){sqlite3_column_int64(st, 0), 0, -1};
    (*r->n)++;
    return 0;
}

/* Requests (kind 3) by bm25 from FTS5, after the first have hits; their
 * number in *count. */
static int request_hits(registry *reg, const char *expr, int64_t org_id,
                        int need, hit *out, int *n, int64_t *count, errmsg *err)
{
    static const char sql[] =
        "SELECT rowid FROM search_fts WHERE search_fts MATCH :expr"
        " AND rowid % 4 = 3"
        " AND (:org = 0 OR CAST(org_id AS INTEGER) = :org)"
        " ORDER BY bm25(search_fts) LIMIT :lim";
    static const char count_sql[] =
        "SELECT count(*) FROM search_fts WHERE search_fts MATCH :expr"
        " AND rowid % 4 = 3"
        " AND (:org = 0 OR CAST(org_id AS INTEGER) = :org)";
    sqlite3_stmt *st;
    req_ctx r = {out, n, need};
    int rc = 0;

    if (need > 0) {
        st = reg_stmt(reg, sql, err, REG_TEXT(":expr", expr),
                      REG_INT(":org", org_id), REG_INT(":lim", need));
        rc = reg_each(reg, st, request_row, &r, err);
    }
    if (rc == 0) {
        st = reg_stmt(reg, count_sql, err, REG_TEXT(":expr", expr),
                      REG_INT(":org", org_id));
        rc = reg_count(reg, st, count, err);
    }
    return rc;
}

/* What hits_emit needs to mark a hit and hand it on. */
typedef struct emit_ctx {
    tokenizer *tk;
    htoks h;
    buf name_hl, snip;
    int exact;
    void (*fn)(void *ctx, const registry_search_hit *h);
    void *ctx;
} emit_ctx;

/* Highlights the name and cuts the snippet of sh, then calls fn. */
static void emit(emit_ctx *e, registry_search_hit *sh, const char *name,
                 const char *body)
{
    buf_reset(&e->name_hl);
    buf_reset(&e->snip);
    tokens_get(&e->h, e->tk, name);
    highlight(&e->name_hl, name, &e->h);
    tokens_get(&e->h, e->tk, body);
    snippet(&e->snip, body, &e->h);
    sh->name = name;
    sh->name_hl = buf_cstr(&e->name_hl);
    sh->snippet = buf_cstr(&e->snip);
    sh->exact = e->exact;
    e->fn(e->ctx, sh);
}

/* A hit read from the database: emitted while its row is current. */
static int emit_row(sqlite3_stmt *st, void *ctx)
{
    registry_search_hit sh;

    reg_cols(st, "tit", &sh.kind, &sh.ref, &sh.instance);
    sh.table = reg_col_text(st, 5);
    emit(ctx, &sh, reg_col_text(st, 3), reg_col_text(st, 4));
    return 0;
}

/* Emits the table of doc from the snapshot's own texts. */
static void emit_table(emit_ctx *e, const search_index *ix, uint32_t doc)
{
    const char *name = ix->text + ix->tab_text[doc];
    registry_search_hit sh;

    sh.kind = "table";
    sh.ref = si_doc_id(ix, doc);
    sh.instance = name + strlen(name) + 1;
    sh.table = "";
    emit(e, &sh, name, sh.instance + strlen(sh.instance) + 1);
}

/* Reads each hit's row from the FTS5 content table (a rowid look-up, no
 * MATCH) unless the snapshot has its text, marks it and hands it to fn. */
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
    emit_ctx e;
    int ret = 0;

    memset(&e, 0, sizeof e);
    e.tk = tk;
    e.h.w = w;
    e.h.nw = nw;
    e.fn = fn;
    e.ctx = ctx;
    for (int i = 0; i < n && ret == 0; i++) {
        sqlite3_stmt *st;

        e.exact = hits[i].exact;
        if (hits[i].doc >= 0 && hits[i].doc < ix->ntab && ix->text) {
            emit_table(&e, ix, (uint32_t)hits[i].doc);
            continue;
        }
        st = reg_stmt_get(reg, sql, err);
        reg_bind_int(st, ":id", hits[i].rowid);
        ret = reg_one(reg, st, emit_row, &e, err);
        if (ret == ERR_NOTFOUND)
            ret = 0; /* gone: cannot happen in one transaction */
    }
    free(e.h.v);
    free(e.h.first);
    buf_dispose(&e.name_hl);
    buf_dispose(&e.snip);
    return ret;
}

/* ---- the query cache ---------------------------------------------------- */

/* The ranked tables and columns of a query and their counts, kept in the
 * snapshot they were ranked in: the pages of one search, and the same
 * search again, rank and count nothing. Keyed by organisation and the
 * query as typed (ASCII folded: the exact-name look-up compares NOCASE,
 * and the words' tokens follow from it). A full cache is emptied. */
#define QCACHE_SLOTS 4096 /* a power of two */
#define QCACHE_MAX   2048 /* entries before it is emptied */

typedef struct qentry {
    char *key; /* NULL: free slot */
    int64_t counts[2];
    int lim; /* ranked up to this many (n < lim: all of them) */
    int n;
    hit *hits;
} qentry;

struct si_qcache {
    qentry slot[QCACHE_SLOTS];
    int used;
};

void si_qcache_free(struct si_qcache **qc)
{
    if (!*qc)
        return;
    for (int i = 0; i < QCACHE_SLOTS; i++) {
        free((*qc)->slot[i].key);
        free((*qc)->slot[i].hits);
    }
    free(*qc);
    *qc = NULL;
}

static uint32_t qhash(const char *key)
{
    uint32_t h = 2166136261u;

    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 16777619u;
    return h;
}

/* The cache key of (org_id, raw) into out (the caller disposes). */
static void qkey(buf *out, int64_t org_id, const char *raw)
{
    buf_appendf(out, "%lld\x1f", (long long)org_id);
    for (const char *p = raw; *p; p++)
        buf_putc(out, (char)ascii_fold((unsigned char)*p));
}

/* The cached ranking of key good for lim hits: copies its hits (at most
 * lim) to out, the count to *n and the section counts; 1 on a hit. */
static int qcache_get(pthread_mutex_t *mu, struct si_qcache **qcp,
                      const char *key, int lim, hit *out, int *n,
                      int64_t *counts)
{
    struct si_qcache *qc;
    int found = 0;

    pthread_mutex_lock(mu);
    qc = *qcp;
    if (qc) {
        for (uint32_t i = qhash(key) & (QCACHE_SLOTS - 1); qc->slot[i].key;
             i = (i + 1) & (QCACHE_SLOTS - 1)) {
            qentry *e = &qc->slot[i];
            if (strcmp(e->key, key))
                continue;
            if (e->lim >= lim || e->n < e->lim) {
                *n = e->n < lim ? e->n : lim;
                memcpy(out, e->hits, (size_t)*n * sizeof *out);
                counts[0] = e->counts[0];
                counts[1] = e->counts[1];
                found = 1;
            }
            break;
        }
    }
    pthread_mutex_unlock(mu);
    return found;
}

static void qcache_put(pthread_mutex_t *mu, struct si_qcache **qcp,
                       const char *key, int lim, const hit *hits, int n,
                       const int64_t *counts)
{
    qentry *e = NULL;

    pthread_mutex_lock(mu);
    if (*qcp && (*qcp)->used >= QCACHE_MAX)
        si_qcache_free(qcp);
    if (!*qcp)
        *qcp = xcalloc(1, sizeof **qcp);
    for (uint32_t i = qhash(key) & (QCACHE_SLOTS - 1);;
         i = (i + 1) & (QCACHE_SLOTS - 1)) {
        e = &(*qcp)->slot[i];
        if (!e->key) {
            e->key = xstrdup(key);
            (*qcp)->used++;
            break;
        }
        if (!strcmp(e->key, key))
            break;
    }
    free(e->hits);
    e->hits = xmalloc((size_t)(n ? n : 1) * sizeof *e->hits);
    memcpy(e->hits, hits, (size_t)n * sizeof *hits);
    e->n = n;
    e->lim = lim;
    e->counts[0] = counts[0];
    e->counts[1] = counts[1];
    pthread_mutex_unlock(mu);
}

/* The ranked requests of rq (and rov when not NULL) for q into
 * out[*n..*n + need) and their count, from the query cache of rq (rov)
 * when it has them (key NULL: none). */
static void requests_from(search_index *rq, si_overlay *rov, const qword *w,
                          int nw, const char *key, int64_t org_id, int need,
                          hit *out, int *n, int64_t *count)
{
    pthread_mutex_t *mu = rov ? &rov->qmu : &rq->qmu;
    struct si_qcache **qc = rov ? &rov->qc : &rq->qc;
    hit *tmp = xmalloc((size_t)(need > 0 ? need : 1) * sizeof *tmp);
    int64_t counts[2] = {0, 0};
    int m = 0;

    if (need < 0)
        need = 0;
    if (!key || !qcache_get(mu, qc, key, need, tmp, &m, counts)) {
        qword rw[MAX_WORDS];
        int rorgi;
        memcpy(rw, w, (size_t)nw * sizeof *w);
        rorgi = si_org_slot(rq, rw, nw, org_id);
        if (rov)
            si_rank_ov(rq, rov, rw, nw, NULL, 0, si_org_index(rq, org_id),
                       org_id, need, tmp, &m, counts);
        else if (rorgi != -2)
            si_rank(rq, rw, nw, NULL, 0, rorgi, need, tmp, &m, counts);
        if (key)
            qcache_put(mu, qc, key, need, tmp, m, counts);
    }
    for (int i = 0; i < m; i++) {
        out[*n] = tmp[i];
        out[*n].doc = -1; /* rows are read from the database */
        (*n)++;
    }
    *count = counts[0];
    free(tmp);
}

/* How a search was answered, for the counters. */
enum { VIA_SNAPSHOT, VIA_OVERLAY };

/* Appends the requests that match to hits[*n..limit) and counts them
 * all into *count: from the requests snapshot of the version reg sees,
 * or from an older one and the requests changed since (then *via is
 * VIA_OVERLAY), else from FTS5 by bm25 (expr). */
static int requests_rank(registry *reg, ix_slot *slot, tokenizer *tk,
                         const qword *w, int nw, const char *expr,
                         const char *key, int64_t org_id, int limit, hit *hits,
                         int *n, int64_t *count, int *via, errmsg *err)
{
    int stale = 0;
    search_index *rq = si_req_acquire(reg, slot, &stale);
    si_overlay *rov = NULL;

    if (rq && stale) {
        rov = si_overlay_get(reg, rq, tk);
        si_rebuild_due(slot, rq, rov, 1);
        if (!rov) {
            si_index_release(rq);
            rq = NULL;
        } else {
            *via = VIA_OVERLAY;
        }
    }
    if (!rq) {
        atomic_fetch_add(&reg->index->req_fts, 1);
        return request_hits(reg, expr, org_id, limit - *n, hits, n, count, err);
    }
    requests_from(rq, rov, w, nw, key, org_id, limit - *n, hits, n, count);
    si_overlay_release(rov);
    si_index_release(rq);
    return 0;
}

int search_index_run(registry *reg, const char *q, int64_t org_id,
                     registry_search_page *pg,
                     void (*fn)(void *ctx, const registry_search_hit *h),
                     void *ctx, errmsg *err)
{
    static const char begin_sql[] = "BEGIN";
    static const char commit_sql[] = "COMMIT";
    qword w[MAX_WORDS];
    tokenizer tk = {0};
    hit *hits = NULL;
    uint64_t *exact = NULL;
    size_t nexact = 0;
    char expr[1024];
    char *raw = NULL;
    ix_slot *slot;
    search_index *ix = NULL;
    si_overlay *ov = NULL;
    int nw, n = 0, began = 0, orgi = -1, ret = SEARCH_INDEX_FALLBACK;
    int lim = pg->offset + pg->limit, stale = 0, via = VIA_SNAPSHOT;
    int64_t counts[2] = {0, 0}, nreq = 0;
    int64_t gen;
    buf key = {0};
    const char *keys;

    assert(pg->limit > 0 && pg->limit <= 200 && pg->offset >= 0 &&
           lim <= REGISTRY_SEARCH_DEPTH);
    if (!reg->index || !atomic_load(&reg->index->on))
        goto done;
    raw = str_trim_dup(q);
    if (!str_ncasecmp(raw, "cr-", 3))
        goto done; /* an exact request name ranks first: FTS5 knows it */
    slot = si_slot_for(reg);
    if (!slot || si_tokenizer_open(&tk, reg) < 0)
        goto done;
    nw = si_query_words(w, &tk, q);
    if (nw <= 0 || registry_search_expr(expr, sizeof expr, q) != nw)
        goto done;
    /* One read transaction: the generation checked is the one read, and
       the rows of an overlay are those of this transaction. */
    if (sqlite3_get_autocommit(reg->db)) {
        if (reg_exec(reg, begin_sql, NULL) < 0)
            goto done;
        began = 1;
    }
    gen = registry_generation(reg);
    if (gen < 0)
        goto done;
    ix = si_index_acquire(slot, gen >> 32, &stale);
    if (!ix)
        goto done;
    if (stale) {
        ov = si_overlay_get(reg, ix, &tk);
        si_rebuild_due(slot, ix, ov, 0);
        if (!ov)
            goto done;
        via = VIA_OVERLAY;
    }
    hits = xmalloc((size_t)lim * sizeof *hits);
    exact = xmalloc((size_t)lim * sizeof *exact);
    orgi = si_org_slot(ix, w, nw, org_id);
    if (ov)
        orgi = si_org_index(ix, org_id);
    ret = 0;
    qkey(&key, org_id, raw);
    keys = buf_error(&key) ? NULL : buf_cstr(&key);
    /* Answers with an overlay are cached in it: its log position is part
       of their key. */
    if ((ov || orgi != -2) && keys &&
        !qcache_get(ov ? &ov->qmu : &ix->qmu, ov ? &ov->qc : &ix->qc, keys, lim,
                    hits, &n, counts)) {
        ret = exact_docs(reg, ix, ov, raw, orgi, org_id, nw, exact, (size_t)lim,
                         &nexact, err);
        if (ret < 0)
            goto done;
        if (ov)
            si_rank_ov(ix, ov, w, nw, exact, nexact, orgi, org_id, lim, hits,
                       &n, counts);
        else
            si_rank(ix, w, nw, exact, nexact, orgi, lim, hits, &n, counts);
        qcache_put(ov ? &ov->qmu : &ix->qmu, ov ? &ov->qc : &ix->qc, keys, lim,
                   hits, n, counts);
    }
    /* Requests rank last; their count is part of the total. */
    ret = requests_rank(reg, slot, &tk, w, nw, expr, keys, org_id, lim, hits,
                        &n, &nreq, &via, err);
    if (ret < 0)
        goto done;
    pg->kinds[0] = counts[0];
    pg->kinds[1] = counts[1];
    pg->kinds[2] = nreq;
    pg->total = counts[0] + counts[1] + nreq;
    if (n > pg->offset)
        ret = hits_emit(reg, ix, &tk, w, nw, hits + pg->offset, n - pg->offset,
                        fn, ctx, err);
done:
    if (began)
        reg_exec(reg, commit_sql, NULL);
    if (tk.tok)
        tk.mod.xDelete(tk.tok);
    si_overlay_release(ov);
    si_index_release(ix);
    free(raw);
    free(hits);
    free(exact);
    buf_dispose(&key);
    if (reg->index)
        atomic_fetch_add(ret == SEARCH_INDEX_FALLBACK ? &reg->index->fallbacks
                         : via == VIA_OVERLAY         ? &reg->index->overlay
                                                      : &reg->index->served,
                         1);
    return ret;
}
