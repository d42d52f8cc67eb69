/* search_index_match.c: a query's words as FTS5 tokens, the docs that
 * hold them (decoding the postings of search_index_build.c), and the
 * ranking of the matches within a snapshot (see search_index.c). */
#include "search_index_int.h"

#include "mem.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* ---- the query's words ------------------------------------------------- */

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

int si_tokenizer_open(tokenizer *out, registry *reg)
{
    static const char sql[] = "SELECT fts5(?1)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, NULL);
    fts5_api *api = NULL;
    void *ud = NULL;

    if (!st)
        return -1;
    /* The one row carries nothing: fts5() writes the pointer into api. */
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    if (reg_one(reg, st, NULL, NULL, NULL) < 0)
        return -1;
    if (!api || api->iVersion < 2 ||
        api->xFindTokenizer(api, "unicode61", &ud, &out->mod) != SQLITE_OK ||
        out->mod.xCreate(ud, NULL, 0, &out->tok) != SQLITE_OK)
        return -1;
    return 0;
}

/* The words registry_search_expr makes phrases of, each as its token.
 * Returns their number, or -1 when one is not exactly one token (a phrase
 * of several tokens needs positions this index does not keep). */
int si_query_words(qword *w, tokenizer *tk, const char *q)
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

/* The LEB128 varint at *p (search_index_build.c's run_encode); moves *p
 * past it. */
static uint64_t varint_next(const unsigned char **p)
{
    uint64_t v = 0;
    int shift = 0;
    unsigned char c;

    do {
        c = *(*p)++;
        v |= (uint64_t)(c & 0x7f) << shift;
        shift += 7;
    } while (c & 0x80);
    return v;
}

/* Decodes one run into out (doc << 1 | in-name); returns the count. */
static size_t run_decode(uint32_t *out, const unsigned char *p,
                         const unsigned char *end)
{
    uint32_t prev = UINT32_MAX;
    size_t n = 0;

    while (p < end) {
        uint64_t v = varint_next(&p);
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
    if (w->hi <= w->lo) {
        /* No term: nothing (a word only an overlay's rows may hold). */
    } else if (w->hi - w->lo == 1) {
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

    /* si_query_words gives at least one word (none: FTS5 answers). */
    assert(nw >= 1 && nw <= MAX_WORDS);
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
uint64_t si_rank_key(const search_index *ix, uint32_t doc, int nname)
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

int si_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* ---- counting on bitmaps ------------------------------------------------ */

/* The docs (both sections) holding a term that starts with tok, a bit
 * each. */
typedef struct si_bits {
    struct si_bits *next;
    uint64_t *v;
    char tok[128];
} si_bits;

void si_bits_free(search_index *ix)
{
    si_bits *b, *next;

    for (int i = 0; i < BITS_BUCKETS; i++) {
        for (b = ix->bits[i]; b; b = next) {
            next = b->next;
            free(b->v);
            free(b);
        }
        ix->bits[i] = NULL;
    }
    ix->bits_bytes = 0;
}

/* The bucket of tok in ix->bits (FNV-1a). */
static uint32_t bits_bucket(const char *tok)
{
    uint32_t h = 2166136261u;

    for (; *tok; tok++)
        h = (h ^ (unsigned char)*tok) * 16777619u;
    return h & (BITS_BUCKETS - 1);
}

/* Sets the bit of each doc of one run (base: the section's first doc). */
static void run_mark(uint64_t *bits, uint32_t base, const unsigned char *p,
                     const unsigned char *end)
{
    uint32_t prev = UINT32_MAX;

    while (p < end) {
        uint64_t v = varint_next(&p);
        prev += (uint32_t)(v >> 1);
        bits[(base + prev) >> 6] |= (uint64_t)1 << ((base + prev) & 63);
    }
}

/* The bitmap of w's docs from ix's cache, made now when it is not there
 * (NULL when the budget is spent). Entries live as long as ix. */
static const uint64_t *word_bits(const search_index *cix, const qword *w)
{
    search_index *ix = (search_index *)cix; /* the cache, under qmu */
    size_t words = ((size_t)ix->ndocs + 63) / 64 + 1;
    uint32_t k = bits_bucket(w->tok);
    si_bits *b, *mine;
    int room;

    pthread_mutex_lock(&ix->qmu);
    for (b = ix->bits[k]; b; b = b->next)
        if (!strcmp(b->tok, w->tok))
            break;
    room = ix->bits_bytes + words * 8 <= BITS_BUDGET;
    pthread_mutex_unlock(&ix->qmu);
    if (b)
        return b->v;
    if (!room)
        return NULL;
    mine = xcalloc(1, sizeof *mine);
    mine->v = xcalloc(words, sizeof *mine->v);
    memcpy(mine->tok, w->tok, sizeof mine->tok);
    for (uint32_t t = w->lo; t < w->hi; t++) {
        run_mark(mine->v, 0, run_start(ix, t, 0), run_end(ix, t, 0));
        if (ix->ndocs > ix->ntab)
            run_mark(mine->v, ix->ntab, run_start(ix, t, 1), run_end(ix, t, 1));
    }
    pthread_mutex_lock(&ix->qmu);
    for (b = ix->bits[k]; b; b = b->next)
        if (!strcmp(b->tok, w->tok))
            break;
    if (!b && ix->bits_bytes + words * 8 <= BITS_BUDGET) {
        mine->next = ix->bits[k];
        ix->bits[k] = mine;
        ix->bits_bytes += words * 8;
        b = mine;
        mine = NULL;
    }
    pthread_mutex_unlock(&ix->qmu);
    if (mine) {
        free(mine->v);
        free(mine);
    }
    return b ? b->v : NULL;
}

/* The docs in [lo, hi) set in every bitmap of b. */
static int64_t bits_count(const uint64_t *const *b, int nw, uint32_t lo,
                          uint32_t hi)
{
    int64_t n = 0;

    while (lo < hi) {
        uint32_t i = lo >> 6, bit = lo & 63;
        uint64_t m = ~(uint64_t)0 << bit, x;
        if (hi - (lo - bit) < 64)
            m &= ((uint64_t)1 << (hi & 63)) - 1;
        x = m;
        for (int k = 0; k < nw && x; k++)
            x &= b[k][i];
        n += __builtin_popcountll(x);
        lo = (lo - bit) + 64;
    }
    return n;
}

static int bits_all(const uint64_t *const *b, int nw, uint32_t doc)
{
    for (int k = 0; k < nw; k++)
        if (!(b[k][doc >> 6] >> (doc & 63) & 1))
            return 0;
    return 1;
}

/* The docs of section sec matching every word that orgi (-1: any) may
 * see, less those in gone (whole-index docs, rising), counted on the
 * words' bitmaps; -1 when a word has none (the budget is spent). */
static int64_t section_count(const search_index *ix, const qword *w, int nw,
                             int sec, int orgi, const uint32_t *gone,
                             size_t ngone)
{
    const uint64_t *b[MAX_WORDS];
    uint32_t lo = sec ? ix->ntab : 0, hi = sec ? ix->ndocs : ix->ntab;
    int64_t n = 0;

    for (int i = 0; i < nw; i++)
        if (w[i].hi <= w[i].lo)
            return 0;
    for (int i = 0; i < nw; i++)
        if (!(b[i] = word_bits(ix, &w[i])))
            return -1;
    if (orgi < 0) {
        n = bits_count(b, nw, lo, hi);
    } else {
        for (uint32_t r = 0; r < ix->norgrun; r++) {
            uint32_t a = ix->orgrun[r].first;
            uint32_t z =
                r + 1 < ix->norgrun ? ix->orgrun[r + 1].first : ix->ndocs;
            if (ix->orgrun[r].v != (uint32_t)orgi || z <= lo || a >= hi)
                continue;
            n += bits_count(b, nw, a > lo ? a : lo, z < hi ? z : hi);
        }
    }
    for (size_t g = 0; g < ngone; g++)
        if (gone[g] >= lo && gone[g] < hi && bits_all(b, nw, gone[g]) &&
            (orgi < 0 || si_doc_org(ix, gone[g]) == (uint32_t)orgi))
            n--;
    return n;
}

/* ---- ranking ----------------------------------------------------------- */

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

uint32_t si_doc_id(const search_index *ix, uint32_t doc)
{
    const ix_run *r = &ix->idrun[run_of(ix->idrun, 0, ix->nidrun, doc)];

    return r->v + (doc - r->first);
}

uint32_t si_doc_org(const search_index *ix, uint32_t doc)
{
    return ix->orgrun[run_of(ix->orgrun, 0, ix->norgrun, doc)].v;
}

/* The doc of id in section sec, or -1. Ids rise with docs in a section
 * and no run crosses into the next section. */
int64_t si_id_doc(const search_index *ix, int sec, uint32_t id)
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

static int64_t doc_rowid(const search_index *ix, uint32_t doc)
{
    return (int64_t)si_doc_id(ix, doc) * 4 + ix->kinds[doc < ix->ntab ? 0 : 1];
}

/* The ranked hits of kinds 1 and 2 (at most lim), and with counts the
 * number of matches of each section (the organisation's only): then both
 * sections are matched even when the first fills lim. */
void si_rank(const search_index *ix, const qword *w, int nw,
             const uint64_t *exact, size_t nexact, int orgi, int lim, hit *out,
             int *n, int64_t *counts)
{
    for (size_t i = 0; i < nexact && *n < lim; i++) {
        uint32_t doc = (uint32_t)(exact[i] & 0xffffffffu);
        out[(*n)++] = (hit){doc_rowid(ix, doc), 1, doc};
    }
    for (int sec = 0; sec < 2 && (*n < lim || counts); sec++) {
        uint32_t base = sec ? ix->ntab : 0;
        int64_t matched = 0;
        if (sec == 1 && ix->ndocs == ix->ntab)
            break; /* requests: one section */
        cand c;
        topk t;

        /* Only counted (the page is full): on the words' bitmaps. */
        if (*n >= lim && counts &&
            (matched = section_count(ix, w, nw, sec, orgi, NULL, 0)) >= 0) {
            counts[sec] = matched;
            continue;
        }
        matched = 0;
        section_match(&c, ix, w, nw, sec);
        t.k = *n < lim ? (size_t)(lim - *n) : 0;
        t.n = 0;
        t.v = xmalloc((t.k ? t.k : 1) * sizeof *t.v);
        for (size_t i = 0; i < c.n; i++) {
            uint32_t doc = base + c.doc[i];
            int is_exact = 0;
            if (orgi >= 0 && si_doc_org(ix, doc) != (uint32_t)orgi)
                continue;
            matched++;
            if (!t.k)
                continue;
            for (size_t j = 0; j < nexact; j++)
                if ((uint32_t)(exact[j] & 0xffffffffu) == doc)
                    is_exact = 1;
            if (!is_exact)
                topk_add(&t, si_rank_key(ix, doc, c.nname[i]));
        }
        qsort(t.v, t.n, sizeof *t.v, si_cmp_u64);
        for (size_t i = 0; i < t.n; i++) {
            uint32_t doc = (uint32_t)(t.v[i] & 0xffffffffu);
            out[(*n)++] = (hit){doc_rowid(ix, doc), 0, doc};
        }
        if (counts)
            counts[sec] = matched;
        xfree_all(t.v, c.doc, c.nname);
    }
}

/* The index of org_id in ix->orgs for si_rank(): -1 for all (org_id 0), -2
 * when nothing can match (an organisation without docs, or a word no
 * doc holds); sets each word's term range. */
int si_org_slot(const search_index *ix, qword *w, int nw, int64_t org_id)
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

int si_org_index(const search_index *ix, int64_t org_id)
{
    if (!org_id)
        return -1;
    for (uint32_t i = 0; i < ix->norgs; i++)
        if (ix->orgs[i] == org_id)
            return (int)i;
    return -2;
}

/* A rank key with the id in place of the doc (si_rank_ov). */
static uint64_t id_key(int nname, unsigned len, uint32_t id)
{
    return (uint64_t)(MAX_WORDS - nname) << 40 | (uint64_t)len << 32 | id;
}

/* The hit of id in section sec: ov's doc (read from the database) when
 * ov has the row, else ix's. */
static hit ov_hit(const search_index *ix, const si_overlay *ov, int sec,
                  uint32_t id, int exact)
{
    int64_t rowid = (int64_t)id * 4 + ix->kinds[sec];

    if (si_ov_has(ov, rowid))
        return (hit){rowid, exact, -1};
    return (hit){rowid, exact, si_id_doc(ix, sec, id)};
}

static int is_exact(const uint64_t *exact, size_t nexact, int sec, uint32_t id)
{
    for (size_t j = 0; j < nexact; j++)
        if ((int)(exact[j] >> 62) == sec &&
            (uint32_t)(exact[j] & 0xffffffffu) == id)
            return 1;
    return 0;
}

void si_rank_ov(const search_index *ix, const si_overlay *ov, const qword *w,
                int nw, const uint64_t *exact, size_t nexact, int orgi,
                int64_t org_id, int lim, hit *out, int *n, int64_t *counts)
{
    for (size_t i = 0; i < nexact && *n < lim; i++)
        out[(*n)++] = ov_hit(ix, ov, (int)(exact[i] >> 62),
                             (uint32_t)(exact[i] & 0xffffffffu), 1);
    for (int sec = 0; sec < 2 && (*n < lim || counts); sec++) {
        uint32_t base = sec ? ix->ntab : 0;
        int kind = ix->kinds[sec];
        int64_t matched = 0;
        size_t g = 0;
        topk t;

        if (!kind)
            break; /* requests: one section */
        t.k = *n < lim ? (size_t)(lim - *n) : 0;
        t.n = 0;
        t.v = xmalloc((t.k ? t.k : 1) * sizeof *t.v);
        /* The snapshot's docs but those of the overlay's rows: counted
           on bitmaps when only counted, else matched. */
        if (orgi != -2 && !t.k &&
            (matched = section_count(ix, w, nw, sec, orgi, ov->gone,
                                     ov->ngone)) >= 0) {
        } else if (orgi != -2) {
            matched = 0;
            cand c;
            section_match(&c, ix, w, nw, sec);
            for (size_t i = 0; i < c.n; i++) {
                uint32_t doc = base + c.doc[i], id;
                if (orgi >= 0 && si_doc_org(ix, doc) != (uint32_t)orgi)
                    continue;
                while (g < ov->ngone && ov->gone[g] < doc)
                    g++;
                if (g < ov->ngone && ov->gone[g] == doc)
                    continue;
                matched++;
                if (!t.k)
                    continue;
                id = si_doc_id(ix, doc);
                if (!is_exact(exact, nexact, sec, id))
                    topk_add(&t, id_key(c.nname[i], ix->len[doc], id));
            }
            xfree_all(c.doc, c.nname);
        }
        /* The overlay's docs of this kind. */
        for (size_t i = 0; i < ov->ndocs; i++) {
            const ov_doc *d = &ov->docs[i];
            uint32_t id = (uint32_t)(d->rowid / 4);
            int nname;
            if ((int)(d->rowid & 3) != kind || (org_id && d->org != org_id) ||
                !si_ov_match(ov, d, w, nw, &nname))
                continue;
            matched++;
            if (t.k && !is_exact(exact, nexact, sec, id))
                topk_add(&t, id_key(nname, d->len, id));
        }
        qsort(t.v, t.n, sizeof *t.v, si_cmp_u64);
        for (size_t i = 0; i < t.n; i++)
            out[(*n)++] =
                ov_hit(ix, ov, sec, (uint32_t)(t.v[i] & 0xffffffffu), 0);
        if (counts)
            counts[sec] = matched;
        free(t.v);
    }
}
