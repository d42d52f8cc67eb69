/* catalog_search.c: search and lookup over the registry (catalog.h): the
 * words of search text, the FTS5 expression, full-text search (the
 * in-memory index of search_index.c first), table-name lookup by prefix,
 * substring and spelling. */
#include "catalog_int.h"
#include "search_index.h"
#include "mem.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

size_t reg_search_word(const char **p, const char **start, int *useful)
{
    const char *s = *p;

    *useful = 0;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    *start = s;
    while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c >= 0x80)
            *useful = 1;
        s++;
    }
    *p = s;
    return (size_t)(s - *start);
}

int registry_search_expr(char *out, size_t size, const char *q)
{
    buf b = {0};
    int n = 0;
    const char *p = cat_nz(q), *start;
    int useful;
    size_t len;

    b.max = size > 0 ? size - 1 : 0;
    while ((len = reg_search_word(&p, &start, &useful)) > 0) {
        if (!useful || n >= REG_SEARCH_MAX_WORDS)
            continue;
        if (n)
            buf_putc(&b, ' ');
        buf_putc(&b, '"');
        for (const char *c = start; c < start + len; c++) {
            if (*c == '"')
                buf_putc(&b, '"');
            buf_putc(&b, *c);
        }
        buf_puts(&b, "\"*");
        n++;
    }
    if (buf_error(&b))
        n = 0;
    str_copy(out, size, n ? buf_cstr(&b) : "");
    buf_dispose(&b);
    return n;
}

/* Search runs in two statements. The first ranks the hits by their sort
 * keys alone: exact name (an indexed look-up in reg_tables/reg_columns;
 * a request's name is read only when the query starts with "CR-"), kind
 * (rowid % 4: 1 table, 2 column, 3 request) and bm25, computed only for
 * exact hits and kinds up to :kmax, so a query whose first :lim hits are
 * all tables does not rank thousands of columns. When a kind beyond :kmax
 * reaches the answer it runs again with a larger :kmax. The second reads
 * names, highlight and snippet for the chosen rows only, in that order
 * (the "+" keeps SQLite from seeking the FTS index once per rowid, which
 * re-expands every prefix term). */
#define SEARCH_MAX 200

/* One search on FTS5: the query, the ranked row ids and the caller. */
typedef struct search_run {
    const char *raw;  /* the query, trimmed */
    const char *expr; /* its MATCH expression */
    int64_t org_id;
    int offset; /* ranked rows skipped before rid */
    int lim, kmax, again;
    int seen; /* ranked rows read (offset of them skipped) */
    int n;    /* ranked rows in rid/exact */
    int64_t rid[SEARCH_MAX];
    int exact[SEARCH_MAX];
    void (*fn)(void *ctx, const registry_search_hit *h);
    void *ctx;
} search_run;

static int rank_row(sqlite3_stmt *st, void *ctx)
{
    search_run *s = ctx;
    int k = sqlite3_column_int(st, 2);

    int exact = sqlite3_column_int(st, 1);

    if (s->seen >= s->offset + s->lim)
        return 0;
    /* Rows skipped by the offset are ranked too: the order of the page
       depends on theirs. */
    if (!exact && k > s->kmax) {
        s->kmax = k;
        s->again = 1;
    }
    if (s->seen++ < s->offset)
        return 0;
    s->rid[s->n] = sqlite3_column_int64(st, 0);
    s->exact[s->n] = exact;
    s->n++;
    return 0;
}

/* The first pass: rid/exact of the rows s->offset .. s->offset + s->lim
 * - 1 of the ranking. */
static int search_rank(registry *reg, search_run *s, errmsg *err)
{
    sqlite3_stmt *st;
    int rc;
    static const char rank_sql[] =
        "SELECT f.rowid, CASE"
        "  WHEN f.rowid IN (SELECT id * 4 + 1 FROM reg_tables"
        "   WHERE name = :raw UNION ALL SELECT id * 4 + 2 FROM reg_columns"
        "   WHERE name = :raw) THEN 1"
        "  WHEN :cr AND f.rowid % 4 = 3 THEN lower(f.name) = lower(:raw)"
        "  ELSE 0 END AS exact,"
        " f.rowid % 4 AS k"
        " FROM search_fts f WHERE search_fts MATCH :expr"
        " AND (:org = 0 OR CAST(f.org_id AS INTEGER) = :org)"
        " ORDER BY exact DESC, k,"
        "  CASE WHEN exact OR k <= :kmax THEN bm25(search_fts) END"
        " LIMIT :lim";

    do {
        st = reg_stmt_get(reg, rank_sql, err);
        if (!st)
            return ERR_DB;
        reg_bind_all(st, REG_TEXT(":raw", s->raw),
                     REG_INT(":cr", !str_ncasecmp(s->raw, "cr-", 3)),
                     REG_TEXT(":expr", s->expr), REG_INT(":org", s->org_id),
                     REG_INT(":kmax", s->kmax),
                     REG_INT(":lim", s->offset + s->lim));
        s->n = 0;
        s->seen = 0;
        s->again = 0;
        rc = reg_each(reg, st, rank_row, s, err);
    } while (rc == 0 && s->again);
    return rc;
}

static int hit_row(sqlite3_stmt *st, void *ctx)
{
    search_run *s = ctx;
    registry_search_hit h;
    int pos;

    reg_cols(st, "titttttn", &h.kind, &h.ref, &h.instance, &h.name, &h.name_hl,
             &h.snippet, &h.table, &pos);
    h.exact = pos >= 0 && pos < s->n ? s->exact[pos] : 0;
    s->fn(s->ctx, &h);
    return 0;
}

/* The second pass: the ranked rows' names, highlight and snippet, in
 * rank order, to the caller. */
static int search_rows(registry *reg, search_run *s, errmsg *err)
{
    buf ids = {0};
    static const char rows_sql[] =
        "SELECT f.kind, f.ref, f.instance, f.name,"
        " highlight(search_fts, 4, char(1), char(2)),"
        " snippet(search_fts, 5, char(1), char(2), '…', 16),"
        " CASE f.kind WHEN 'column' THEN (SELECT t.name FROM reg_columns c"
        "  JOIN reg_tables t ON t.id = c.table_id WHERE c.id = f.ref)"
        "  ELSE '' END,"
        " (SELECT j.key FROM json_each(:ids) j WHERE j.value = f.rowid) AS pos"
        " FROM search_fts f WHERE search_fts MATCH :expr"
        " AND +f.rowid IN (SELECT value FROM json_each(:ids))"
        " ORDER BY pos";
    sqlite3_stmt *st = reg_stmt_get(reg, rows_sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    buf_putc(&ids, '[');
    for (int i = 0; i < s->n; i++)
        buf_appendf(&ids, "%s%lld", i ? "," : "", (long long)s->rid[i]);
    buf_putc(&ids, ']');
    reg_bind_all(st, REG_TEXT(":ids", buf_cstr(&ids)),
                 REG_TEXT(":expr", s->expr));
    rc = reg_each(reg, st, hit_row, s, err);
    buf_dispose(&ids);
    return rc;
}

static int count_row(sqlite3_stmt *st, void *ctx)
{
    int64_t *kinds = ctx;
    int k = sqlite3_column_int(st, 0);

    if (k >= 1 && k <= 3)
        kinds[k - 1] = sqlite3_column_int64(st, 1);
    return 0;
}

/* The number of hits of each kind (kinds[0..2]) for the fallback. */
static int search_count(registry *reg, search_run *s, int64_t *kinds,
                        errmsg *err)
{
    static const char sql[] =
        "SELECT rowid % 4, count(*) FROM search_fts"
        " WHERE search_fts MATCH :expr"
        " AND (:org = 0 OR CAST(org_id AS INTEGER) = :org) GROUP BY 1";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":expr", s->expr),
                                REG_INT(":org", s->org_id));

    return reg_each(reg, st, count_row, kinds, err);
}

int registry_search_paged(registry *reg, const char *q, int64_t org_id,
                          registry_search_page *pg,
                          void (*fn)(void *ctx, const registry_search_hit *h),
                          void *ctx, errmsg *err)
{
    char expr[1024];
    char *raw;
    search_run *s;
    int rc;

    pg->total = 0;
    memset(pg->kinds, 0, sizeof pg->kinds);
    if (pg->limit <= 0)
        pg->limit = 50;
    if (pg->limit > SEARCH_MAX)
        pg->limit = SEARCH_MAX;
    if (pg->offset < 0)
        pg->offset = 0;
    if (pg->offset + pg->limit > REGISTRY_SEARCH_DEPTH)
        return err_set_field(err, ERR_INVALID, "page",
                             "only the first %d hits can be paged through",
                             REGISTRY_SEARCH_DEPTH);
    /* Tables and columns from the in-memory index of this generation when
       it is ready (search_index.c); FTS5 below answers otherwise. */
    rc = search_index_run(reg, q, org_id, pg, fn, ctx, err);
    if (rc != SEARCH_INDEX_FALLBACK)
        return rc;
    if (registry_search_expr(expr, sizeof expr, q) == 0)
        return 0;
    raw = str_trim_dup(q);
    s = xcalloc(1, sizeof *s);
    s->raw = raw;
    s->expr = expr;
    s->org_id = org_id;
    s->offset = pg->offset;
    s->lim = pg->limit;
    s->kmax = 1;
    s->fn = fn;
    s->ctx = ctx;
    rc = search_rank(reg, s, err);
    if (rc == 0 && s->n)
        rc = search_rows(reg, s, err);
    if (rc == 0)
        rc = search_count(reg, s, pg->kinds, err);
    if (rc == 0)
        pg->total = pg->kinds[0] + pg->kinds[1] + pg->kinds[2];
    free(s);
    free(raw);
    return rc;
}

int registry_search(registry *reg, const char *q, int64_t org_id, int limit,
                    void (*fn)(void *ctx, const registry_search_hit *h),
                    void *ctx, errmsg *err)
{
    registry_search_page pg = {0, limit > 0 ? limit : 50, 0, {0, 0, 0}};

    return registry_search_paged(reg, q, org_id, &pg, fn, ctx, err);
}

void registry_search_warm(registry *reg)
{
    /* A 1 ms wait starts both builds (tables and columns, requests) and
       returns; the snapshots are published when ready. */
    search_index_wait(reg, 1);
}

static int lookup_row(sqlite3_stmt *st, void *ctx)
{
    registry_lookup_hit h;

    reg_cols(st, "tttttn", &h.instance, &h.environment, &h.table,
             &h.campaign_dependency, &h.status, &h.exact);
    CAT_EMIT_ROW((cat_emit *)ctx, registry_lookup_hit, &h);
    return 0;
}

/* Binds :lo and :hi, the range of names starting with q: NOCASE folds
 * ASCII upper case to lower case; every byte of a UTF-8 name sorts below
 * 0xff. */
static void bind_prefix_range(sqlite3_stmt *st, const char *q)
{
    size_t len = strlen(q);
    char *lo = str_lower(xstrdup(q));
    char *hi = xmalloc(len + 2);

    memcpy(hi, lo, len);
    hi[len] = (char)0xff;
    hi[len + 1] = '\0';
    reg_bind_all(st, REG_TEXT(":lo", lo), REG_TEXT(":hi", hi));
    free(lo);
    free(hi);
}

int registry_lookup(registry *reg, const char *q, int mode,
                    const char *instance, int64_t org_id, int limit,
                    void (*fn)(void *ctx, const registry_lookup_hit *h),
                    void *ctx, errmsg *err)
{
    cat_emit lc = CAT_EMIT(fn, ctx);
    /* Prefix: a range on the (instance_id, name COLLATE NOCASE) unique
       index for each instance, never a scan of every table. CROSS JOIN
       fixes the loop order (instances outside) for the planner. */
    static const char sql_prefix[] =
        "SELECT i.name, i.environment, t.name, t.campaign_dependency,"
        " t.status, t.name = :q AS exact"
        " FROM instances i CROSS JOIN reg_tables t ON t.instance_id = i.id"
        " AND t.name >= :lo AND t.name < :hi"
        " WHERE (:inst = '' OR i.name = :inst)"
        " AND (:org = 0 OR i.org_id = :org)"
        " ORDER BY exact DESC, t.status <> 'active', length(t.name),"
        " t.name, i.name LIMIT :lim";
    static const char sql_sub[] =
        "SELECT i.name, i.environment, t.name, t.campaign_dependency,"
        " t.status, t.name = :q AS exact"
        " FROM instances i JOIN reg_tables t ON t.instance_id = i.id"
        " WHERE instr(lower(t.name), lower(:q)) > 0"
        " AND (:inst = '' OR i.name = :inst)"
        " AND (:org = 0 OR i.org_id = :org)"
        " ORDER BY exact DESC, t.status <> 'active', length(t.name),"
        " t.name, i.name LIMIT :lim";
    sqlite3_stmt *st;
    int rc;

    if (!q || !*q)
        return 0;
    st = reg_stmt_get(
        reg, mode == REGISTRY_LOOKUP_SUBSTRING ? sql_sub : sql_prefix, err);
    if (!st)
        return ERR_DB;
    reg_bind_all(st, REG_TEXT(":q", q), REG_TEXT(":inst", cat_nz(instance)),
                 REG_INT(":org", org_id),
                 REG_INT(":lim", limit > 0 ? limit : 20));
    if (mode != REGISTRY_LOOKUP_SUBSTRING)
        bind_prefix_range(st, q);
    rc = reg_each(reg, st, lookup_row, &lc, err);
    return rc < 0 ? rc : lc.n;
}

typedef struct similar {
    char *instance, *environment, *table, *dependency, *status;
    int exact; /* always 0 */
    int dist;
} similar;

typedef struct similar_ctx {
    const char *lq; /* the query in lower case */
    int max_dist;
    similar *v;
    size_t n, cap;
} similar_ctx;

static int similar_cmp(const void *a, const void *b)
{
    const similar *x = a, *y = b;
    int c;

    if (x->dist != y->dist)
        return x->dist - y->dist;
    c = strcmp(x->table, y->table);
    return c ? c : strcmp(x->instance, y->instance);
}

/* The edits between q and the start of name as long as q (one shorter or
 * longer too): how far a half-typed name is from becoming name. */
static int prefix_distance(const char *q, const char *name, int max)
{
    size_t n = strlen(q), len = strlen(name);
    int best = max + 1;

    for (size_t k = n > 1 ? n - 1 : n; k <= n + 1 && k <= len; k++) {
        char *start = xstrndup(name, k);
        int d = str_edit_distance(q, start, max);
        free(start);
        if (d < best)
            best = d;
    }
    return best;
}

static int similar_row(sqlite3_stmt *st, void *ctx)
{
    similar_ctx *c = ctx;
    similar v;
    char *name = str_lower(xstrdup(reg_col_text(st, 2)));

    v.dist = str_edit_distance(c->lq, name, c->max_dist);
    /* A half-typed name with a typo ("loyatly" of loyalty_members): the
       edits from the start of a name, plus one, from four characters
       typed on. */
    if (v.dist > c->max_dist && strlen(c->lq) >= 4 && c->max_dist > 1) {
        int d = prefix_distance(c->lq, name, c->max_dist - 1);
        if (d + 1 < v.dist)
            v.dist = d + 1;
    }
    free(name);
    if (v.dist > c->max_dist)
        return 0;
    reg_cols(st, "dddddn", &v.instance, &v.environment, &v.table, &v.dependency,
             &v.status, &v.exact);
    xgrow(&c->v, &c->cap, c->n + 1, sizeof *c->v);
    c->v[c->n++] = v;
    return 0;
}

static void similar_free(similar_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const similar *v = &c->v[i];
        xfree_all(v->instance, v->environment, v->table, v->dependency,
                  v->status);
    }
    free(c->v);
}

int registry_lookup_similar(registry *reg, const char *q, const char *instance,
                            int64_t org_id, int max_dist, int limit,
                            void (*fn)(void *ctx, const registry_lookup_hit *h),
                            void *ctx, errmsg *err)
{
    similar_ctx c = {0};
    static const char sql[] =
        "SELECT i.name, i.environment, t.name, t.campaign_dependency,"
        " t.status, 0 FROM instances i"
        " JOIN reg_tables t ON t.instance_id = i.id"
        " WHERE (:inst = '' OR i.name = :inst)"
        " AND (:org = 0 OR i.org_id = :org)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    char *lq;
    int rc, out = 0;

    if (!st)
        return ERR_DB;
    if (limit <= 0)
        limit = 5;
    lq = str_lower(xstrdup(cat_nz(q)));
    c.lq = lq;
    /* A short query is near too many names: one edit per three
       characters (1 for up to 3, 2 for up to 6, ...), at most max_dist. */
    c.max_dist = ((int)strlen(lq) + 2) / 3;
    if (c.max_dist > max_dist)
        c.max_dist = max_dist;
    reg_bind_all(st, REG_TEXT(":inst", cat_nz(instance)),
                 REG_INT(":org", org_id));
    rc = reg_each(reg, st, similar_row, &c, err);
    free(lq);
    if (rc == 0 && c.n)
        qsort(c.v, c.n, sizeof *c.v, similar_cmp);
    for (size_t i = 0; rc == 0 && i < c.n && out < limit; i++) {
        registry_lookup_hit h = {c.v[i].instance, c.v[i].environment,
                                 c.v[i].table,    c.v[i].dependency,
                                 c.v[i].status,   0};
        fn(ctx, &h);
        out++;
    }
    similar_free(&c);
    return rc < 0 ? rc : out;
}
