/* search_index_overlay.c: a stale snapshot brought up to date by the rows
 * changed since it was read (search_index_int.h, si_overlay). Schema
 * step 15's search_log names each search row (search_fts rowid) written,
 * with a rising seq; a snapshot records the seq it includes. A search that
 * finds its snapshot stale reads the rows logged after it (at most
 * OV_MAX) from FTS5's content table as its own transaction sees them,
 * tokenises them with FTS5's tokenizer, and ranks them with the snapshot's
 * docs, whose copies of those rows it ignores. One overlay per log
 * position is made and shared: the next one starts from it and reads only
 * the rows logged since. */
#include "search_index_int.h"

#include "mem.h"

#include <stdlib.h>
#include <string.h>

void si_overlay_release(si_overlay *ov)
{
    if (!ov || atomic_fetch_sub(&ov->refs, 1) != 1)
        return;
    si_qcache_free(&ov->qc);
    pthread_mutex_destroy(&ov->qmu);
    xfree_all(ov->rids, ov->docs, ov->pool, ov->gone);
    free(ov);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

int si_ov_has(const si_overlay *ov, int64_t rowid)
{
    return bsearch(&rowid, ov->rids, ov->nrids, sizeof *ov->rids, cmp_i64) !=
           NULL;
}

const ov_doc *si_ov_find(const si_overlay *ov, int64_t rowid)
{
    size_t lo = 0, hi = ov->ndocs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ov->docs[mid].rowid < rowid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ov->ndocs && ov->docs[lo].rowid == rowid ? &ov->docs[lo] : NULL;
}

int si_ov_match(const si_overlay *ov, const ov_doc *d, const qword *w, int nw,
                int *nname)
{
    *nname = 0;
    for (int i = 0; i < nw; i++) {
        const char *p = ov->pool + d->term;
        int found = 0;
        for (uint32_t t = 0; t < d->nterm; t++) {
            size_t len = strlen(p + 1);
            /* A term starting with the word: prefix queries, as FTS5's
               and the snapshot's term ranges. */
            if (len >= w[i].len && !memcmp(p + 1, w[i].tok, w[i].len)) {
                found |= 1 | (*p ? 2 : 0);
                if (found & 2)
                    break;
            }
            p += len + 2;
        }
        if (!found)
            return 0;
        if (found & 2)
            (*nname)++;
    }
    return 1;
}

/* ---- making one ---------------------------------------------------------- */

/* One doc's distinct terms while it is tokenised. */
typedef struct doc_terms {
    si_overlay *ov;
    ov_doc *d;
    int in_name;
    unsigned ntok; /* tokens, for len */
} doc_terms;

static int term_cb(void *ctx, int tflags, const char *tok, int ntok, int start,
                   int end)
{
    doc_terms *dt = ctx;
    si_overlay *ov = dt->ov;
    char *p, *end_p;

    (void)start;
    (void)end;
    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    dt->ntok++;
    /* Already a term of this doc: at most mark it in the name. */
    p = ov->pool + dt->d->term;
    end_p = ov->pool + ov->npool;
    while (p < end_p) {
        size_t len = strlen(p + 1);
        if (len == (size_t)ntok && !memcmp(p + 1, tok, len)) {
            *p |= (char)dt->in_name;
            return SQLITE_OK;
        }
        p += len + 2;
    }
    if (ov->npool + (size_t)ntok + 2 > ov->pool_cap)
        xgrow(&ov->pool, &ov->pool_cap, ov->npool + (size_t)ntok + 2, 1);
    p = ov->pool + ov->npool;
    p[0] = (char)dt->in_name;
    memcpy(p + 1, tok, (size_t)ntok);
    p[1 + ntok] = '\0';
    ov->npool += (size_t)ntok + 2;
    dt->d->nterm++;
    return SQLITE_OK;
}

/* What a read of one row hands back. */
typedef struct row_ctx {
    si_overlay *ov;
    tokenizer *tk;
    int64_t rowid;
    int ok;
} row_ctx;

/* A row of search_fts_content (org_id, name, body): tokenised into a new
 * doc of the overlay. */
static int content_row(sqlite3_stmt *st, void *ctx)
{
    row_ctx *r = ctx;
    si_overlay *ov = r->ov;
    ov_doc *d;
    doc_terms dt;

    ov->docs[ov->ndocs] = (ov_doc){r->rowid, sqlite3_column_int64(st, 0),
                                   (uint32_t)ov->npool, 0, 0};
    d = &ov->docs[ov->ndocs];
    dt = (doc_terms){ov, d, 1, 0};
    for (int c = 1; c <= 2; c++) {
        const char *text = (const char *)sqlite3_column_text(st, c);
        int n = sqlite3_column_bytes(st, c);
        dt.in_name = c == 1;
        if (text && n > 0 &&
            r->tk->mod.xTokenize(r->tk->tok, &dt, FTS5_TOKENIZE_DOCUMENT, text,
                                 n, term_cb) != SQLITE_OK)
            return -1;
    }
    d->len = (uint8_t)(dt.ntok < 255 ? dt.ntok : 255);
    ov->ndocs++;
    r->ok = 1;
    return 0;
}

/* Copies doc d of the overlay from (its terms included) into ov. */
static void doc_copy(si_overlay *ov, const si_overlay *from, const ov_doc *d)
{
    const char *p = from->pool + d->term, *q = p;
    size_t n;

    for (uint32_t t = 0; t < d->nterm; t++)
        q += strlen(q + 1) + 2;
    n = (size_t)(q - p);
    if (ov->npool + n > ov->pool_cap)
        xgrow(&ov->pool, &ov->pool_cap, ov->npool + n, 1);
    if (n)
        memcpy(ov->pool + ov->npool, p, n);
    ov->docs[ov->ndocs] = *d;
    ov->docs[ov->ndocs].term = (uint32_t)ov->npool;
    ov->npool += n;
    ov->ndocs++;
}

typedef struct i64vec {
    int64_t *v;
    size_t n, cap;
} i64vec;

static int rid_row(sqlite3_stmt *st, void *ctx)
{
    i64vec *a = ctx;

    if (a->n == a->cap)
        xgrow(&a->v, &a->cap, a->n + 1, sizeof *a->v);
    a->v[a->n++] = sqlite3_column_int64(st, 0);
    return 0;
}

static int log_row(sqlite3_stmt *st, void *ctx)
{
    int64_t *v = ctx;

    v[0] = sqlite3_column_int64(st, 0);
    v[1] = sqlite3_column_type(st, 1) == SQLITE_NULL
               ? -1
               : sqlite3_column_int64(st, 1);
    return 0;
}

/* The overlay of ix at log position seq: base's rows (base NULL: none,
 * else an overlay of ix at an older position), those logged after from
 * and read now. NULL when there are more than OV_MAX or a read fails. */
static si_overlay *make(registry *reg, const search_index *ix,
                        const si_overlay *base, int64_t from, int64_t seq,
                        tokenizer *tk)
{
    static const char log_sql[] =
        "SELECT DISTINCT rid FROM search_log WHERE seq > :from"
        " AND rid % 4 IN (:k0, :k1) LIMIT :lim";
    static const char row_sql[] =
        "SELECT CAST(c2 AS INTEGER), c4, c5 FROM search_fts_content"
        " WHERE id = :id";
    i64vec fresh = {0};
    si_overlay *ov = NULL;
    sqlite3_stmt *st;
    size_t i, j, k;

    st = reg_stmt_get(reg, log_sql, NULL);
    reg_bind_int(st, ":from", from);
    reg_bind_int(st, ":k0", ix->kinds[0]);
    reg_bind_int(st, ":k1", ix->kinds[1] ? ix->kinds[1] : ix->kinds[0]);
    reg_bind_int(st, ":lim", OV_MAX + 1);
    if (reg_each(reg, st, rid_row, &fresh, NULL) < 0 || fresh.n > OV_MAX)
        goto fail;
    if (fresh.n)
        qsort(fresh.v, fresh.n, sizeof *fresh.v, cmp_i64);
    ov = xcalloc(1, sizeof *ov);
    atomic_init(&ov->refs, 1);
    pthread_mutex_init(&ov->qmu, NULL);
    ov->seq = seq;
    /* The rows: base's and the fresh ones, merged. */
    ov->rids =
        xmalloc((fresh.n + (base ? base->nrids : 0) + 1) * sizeof *ov->rids);
    for (i = j = 0; i < fresh.n || (base && j < base->nrids);) {
        int64_t r;
        if (!base || j >= base->nrids ||
            (i < fresh.n && fresh.v[i] <= base->rids[j])) {
            r = fresh.v[i++];
            if (base && j < base->nrids && base->rids[j] == r)
                j++;
        } else {
            r = base->rids[j++];
        }
        ov->rids[ov->nrids++] = r;
    }
    if (ov->nrids > OV_MAX)
        goto fail;
    ov->docs = xmalloc((ov->nrids + 1) * sizeof *ov->docs);
    for (i = k = 0; i < ov->nrids; i++) {
        int64_t r = ov->rids[i];
        while (k < fresh.n && fresh.v[k] < r)
            k++;
        if (base && !(k < fresh.n && fresh.v[k] == r)) {
            /* Not changed since base: its doc (or its absence) stands. */
            const ov_doc *d = si_ov_find(base, r);
            if (d)
                doc_copy(ov, base, d);
            continue;
        }
        {
            row_ctx rc = {ov, tk, r, 0};
            int ret;
            st = reg_stmt_get(reg, row_sql, NULL);
            reg_bind_int(st, ":id", r);
            ret = reg_one(reg, st, content_row, &rc, NULL);
            if (ret < 0 && ret != ERR_NOTFOUND)
                goto fail;
        }
    }
    /* The snapshot's docs of those rows. */
    ov->gone = xmalloc((ov->nrids + 1) * sizeof *ov->gone);
    for (i = 0; i < ov->nrids; i++) {
        int64_t r = ov->rids[i];
        int kind = (int)(r & 3);
        int sec = kind == ix->kinds[0] ? 0 : kind == ix->kinds[1] ? 1 : -1;
        int64_t doc;
        if (sec < 0 || r / 4 > UINT32_MAX)
            continue;
        doc = si_id_doc(ix, sec, (uint32_t)(r / 4));
        if (doc >= 0)
            ov->gone[ov->ngone++] = (uint32_t)doc;
    }
    qsort(ov->gone, ov->ngone, sizeof *ov->gone, cmp_u32);
    free(fresh.v);
    return ov;
fail:
    free(fresh.v);
    si_overlay_release(ov);
    return NULL;
}

si_overlay *si_overlay_get(registry *reg, search_index *ix, tokenizer *tk)
{
    static const char sql[] = "SELECT (SELECT max(seq) FROM search_log),"
                              " (SELECT min(seq) FROM search_log)";
    int64_t pos[2] = {0, -1}, seq, lo;
    si_overlay *ov = NULL, *base;

    if (ix->seq < 0 ||
        reg_one(reg, reg_stmt_get(reg, sql, NULL), log_row, pos, NULL) < 0)
        return NULL;
    seq = pos[0];
    lo = pos[1];
    if (seq < ix->seq)
        return NULL; /* a transaction older than the snapshot */
    pthread_mutex_lock(&ix->ovmu);
    if (ix->ov && ix->ov->seq == seq) {
        ov = ix->ov;
        atomic_fetch_add(&ov->refs, 1);
    } else if (ix->ov_fail != seq && (seq == ix->seq || lo <= ix->seq + 1)) {
        /* The log reaches back to the snapshot. A newer position starts
           from the newest overlay; an older transaction makes its own. */
        base = ix->ov && ix->ov->seq < seq ? ix->ov : NULL;
        ov = make(reg, ix, base, base ? base->seq : ix->seq, seq, tk);
        if (!ov) {
            ix->ov_fail = seq;
        } else if (!ix->ov || ix->ov->seq < seq) {
            si_overlay_release(ix->ov);
            ix->ov = ov;
            atomic_fetch_add(&ov->refs, 1);
        }
    }
    pthread_mutex_unlock(&ix->ovmu);
    return ov;
}
