/* catalog.c: the registry of tables and columns (see catalog.h): reading
 * a table as JSON, lists, history, search and lookup, applying requests,
 * manual edits and the data-dictionary CSV import. The search index and
 * the generation counter are kept by the triggers of schema.c; the web
 * pages are in web/page_catalog.c, the CLI in app/cmd_catalog.c. */
#include "catalog.h"
#include "registry_int.h"
#include "search_index.h"
#include "buf.h"
#include "mem.h"
#include "str.h"
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int registry_table_exists(registry *reg, const char *instance,
                          const char *table, errmsg *err)
{
    static const char sql[] =
        "SELECT 1 FROM reg_tables t JOIN instances i ON i.id = t.instance_id"
        " WHERE i.name = :instance AND t.name = :table";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":instance", instance);
    reg_bind_text(st, ":table", table);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_column_exists(registry *reg, const char *instance,
                           const char *table, const char *column, errmsg *err)
{
    static const char sql[] =
        "SELECT 1 FROM reg_columns c JOIN reg_tables t ON t.id = c.table_id"
        " JOIN instances i ON i.id = t.instance_id"
        " WHERE i.name = :instance AND t.name = :table AND c.name = :column"
        " AND c.status <> 'retired'";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":instance", instance);
    reg_bind_text(st, ":table", table);
    reg_bind_text(st, ":column", column);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- reading ------------------------------------------------------------ */

int registry_table_list(registry *reg, const registry_table_filter *f,
                        void (*fn)(void *ctx, const registry_table_row *t),
                        void *ctx, int64_t *out_total, errmsg *err)
{
#define CONSENT_EXPR                                                           \
    "(t.consent_relevant OR EXISTS (SELECT 1 FROM reg_columns c"               \
    " WHERE c.table_id = t.id AND c.consent AND c.status <> 'retired'))"
#define PII_EXPR                                                               \
    "EXISTS (SELECT 1 FROM reg_columns c WHERE c.table_id = t.id"              \
    " AND c.pii AND c.status <> 'retired')"
#define NCOL_EXPR                                                              \
    "(SELECT count(*) FROM reg_columns c WHERE c.table_id = t.id"              \
    " AND c.status <> 'retired')"
#define SORT_KEY                                                               \
    "CASE :sort WHEN 'instance' THEN i.name"                                   \
    " WHEN 'arrival' THEN t.expected_arrival"                                  \
    " WHEN 'dependency' THEN t.campaign_dependency"                            \
    " WHEN 'columns' THEN ncol WHEN 'updated' THEN t.updated_at"               \
    " ELSE t.name END"
    static const char sql[] =
        "SELECT t.id, i.org_id, i.name, i.environment, t.name,"
        " t.description, t.kind, t.source, t.cadence, t.expected_arrival,"
        " t.file_pattern, t.campaign_dependency, t.campaign_note, t.owner,"
        " t.escalation, t.status, t.late_after_minutes, " CONSENT_EXPR
        " AS consent, " PII_EXPR " AS pii, " NCOL_EXPR " AS ncol,"
        " t.updated_at, count(*) OVER () AS total"
        " FROM instances i JOIN reg_tables t ON t.instance_id = i.id"
        " WHERE (:inst = '' OR i.name = :inst)"
        " AND (:org = 0 OR i.org_id = :org)"
        " AND (:dep = '' OR (:dep = 'none' AND t.campaign_dependency = '')"
        "  OR t.campaign_dependency = :dep)"
        " AND (:src = '' OR t.source = :src)"
        " AND (:status = '' OR t.status = :status)"
        " AND (:consent = 0 OR " CONSENT_EXPR ")"
        " AND (:pii = 0 OR " PII_EXPR ")"
        " ORDER BY CASE WHEN :desc = 0 THEN " SORT_KEY " END ASC,"
        " CASE WHEN :desc = 1 THEN " SORT_KEY " END DESC,"
        " t.name, i.name LIMIT :lim OFFSET :off";
#undef CONSENT_EXPR
#undef PII_EXPR
#undef NCOL_EXPR
#undef SORT_KEY
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    registry_table_filter none = {0};
    int64_t total = 0;
    int rc;

    if (!st)
        return ERR_DB;
    if (!f)
        f = &none;
    reg_bind_text(st, ":inst", nz(f->instance));
    reg_bind_int(st, ":org", f->org_id);
    reg_bind_text(st, ":dep", nz(f->dependency));
    reg_bind_text(st, ":src", nz(f->source));
    reg_bind_text(st, ":status", nz(f->status));
    reg_bind_int(st, ":consent", f->consent != 0);
    reg_bind_int(st, ":pii", f->pii != 0);
    reg_bind_text(st, ":sort", f->sort ? f->sort : "name");
    reg_bind_int(st, ":desc", f->desc != 0);
    reg_bind_int(st, ":lim", f->limit > 0 ? f->limit : -1);
    reg_bind_int(st, ":off", f->offset > 0 ? f->offset : 0);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_table_row t;
        t.id = sqlite3_column_int64(st, 0);
        t.org_id = sqlite3_column_int64(st, 1);
        t.instance = reg_col_text(st, 2);
        t.environment = reg_col_text(st, 3);
        t.name = reg_col_text(st, 4);
        t.description = reg_col_text(st, 5);
        t.kind = reg_col_text(st, 6);
        t.source = reg_col_text(st, 7);
        t.cadence = reg_col_text(st, 8);
        t.expected_arrival = reg_col_text(st, 9);
        t.file_pattern = reg_col_text(st, 10);
        t.campaign_dependency = reg_col_text(st, 11);
        t.campaign_note = reg_col_text(st, 12);
        t.owner = reg_col_text(st, 13);
        t.escalation = reg_col_text(st, 14);
        t.status = reg_col_text(st, 15);
        t.late_after_minutes = sqlite3_column_int(st, 16);
        t.consent_relevant = sqlite3_column_int(st, 17);
        t.has_pii = sqlite3_column_int(st, 18);
        t.ncolumns = sqlite3_column_int(st, 19);
        t.updated_at = sqlite3_column_int64(st, 20);
        total = sqlite3_column_int64(st, 21);
        fn(ctx, &t);
    }
    if (rc != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
        reg_done(st);
        return rc;
    }
    reg_done(st);
    /* Past the last page no row carries the total: 0 then. */
    if (out_total) {
        *out_total = total;
    }
    return 0;
}

int registry_history_list(registry *reg, const registry_history_filter *f,
                          void (*fn)(void *ctx, const registry_history_row *h),
                          void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT h.id, i.name, h.table_name, h.column_name, h.field,"
        " h.old_value, h.new_value, coalesce(h.request_id, 0),"
        " coalesce(u.name, ''), h.reason, h.created_at"
        " FROM registry_history h JOIN instances i ON i.id = h.instance_id"
        " LEFT JOIN users u ON u.id = h.user_id"
        " WHERE (:inst = '' OR i.name = :inst)"
        " AND (:tbl = '' OR h.table_name = :tbl COLLATE NOCASE)"
        " AND (:hascol = 0 OR h.column_name = :col COLLATE NOCASE)"
        " AND (:org = 0 OR i.org_id = :org)"
        " AND (:from = 0 OR h.created_at >= :from)"
        " AND (:to = 0 OR h.created_at < :to)"
        " AND (:before = 0 OR h.id < :before)"
        " ORDER BY h.id DESC LIMIT :lim";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":inst", nz(f->instance));
    reg_bind_text(st, ":tbl", nz(f->table));
    reg_bind_int(st, ":hascol", f->column != NULL);
    reg_bind_text(st, ":col", nz(f->column));
    reg_bind_int(st, ":org", f->org_id);
    reg_bind_int(st, ":from", f->from);
    reg_bind_int(st, ":to", f->to);
    reg_bind_int(st, ":before", f->before_id);
    reg_bind_int(st, ":lim", f->limit > 0 ? f->limit : 200);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_history_row h;
        h.id = sqlite3_column_int64(st, 0);
        h.instance = reg_col_text(st, 1);
        h.table = reg_col_text(st, 2);
        h.column = reg_col_text(st, 3);
        h.field = reg_col_text(st, 4);
        h.old_value = (const char *)sqlite3_column_text(st, 5);
        h.new_value = (const char *)sqlite3_column_text(st, 6);
        h.request_id = sqlite3_column_int64(st, 7);
        h.user = reg_col_text(st, 8);
        h.reason = reg_col_text(st, 9);
        h.created_at = sqlite3_column_int64(st, 10);
        fn(ctx, &h);
    }
    if (rc != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
        reg_done(st);
        return rc;
    }
    reg_done(st);
    return 0;
}

int registry_table_open_requests(registry *reg, const char *instance,
                                 const char *table, int64_t org_id,
                                 void (*fn)(void *ctx,
                                            const registry_open_request *r),
                                 void *ctx, errmsg *err)
{
    /* Driven from the instance (unique name) and the table's items
       (request_items_table_nocase, schema step 4), then each request by
       its key: the cost follows the number of requests naming this
       table, not the size of the organisation's history. The store only
       accepts instances of the request's organisation, so r.org_id =
       i.org_id drops nothing. */
    static const char sql[] =
        "SELECT r.id, r.title, r.status, min(it.kind), r.updated_at"
        " FROM instances i CROSS JOIN request_items it"
        " JOIN requests r ON r.id = it.request_id AND r.org_id = i.org_id"
        " WHERE i.name = :inst AND it.table_name = :table COLLATE NOCASE"
        " AND r.status NOT IN ('deployed', 'rejected', 'withdrawn')"
        " AND (:org = 0 OR r.org_id = :org)"
        " AND (r.instance_id = i.id OR EXISTS (SELECT 1 FROM"
        "  request_instances ri WHERE ri.request_id = r.id"
        "  AND ri.instance_id = i.id))"
        " AND NOT EXISTS (SELECT 1 FROM request_instances ri"
        "  WHERE ri.request_id = r.id AND ri.instance_id = i.id"
        "  AND ri.deployed_at > 0)"
        " GROUP BY r.id ORDER BY r.id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":table", table);
    reg_bind_text(st, ":inst", instance);
    reg_bind_int(st, ":org", org_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_open_request r;
        r.id = sqlite3_column_int64(st, 0);
        r.title = reg_col_text(st, 1);
        r.status = reg_col_text(st, 2);
        r.kind = reg_col_text(st, 3);
        r.updated_at = sqlite3_column_int64(st, 4);
        fn(ctx, &r);
    }
    if (rc != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
        reg_done(st);
        return rc;
    }
    reg_done(st);
    return 0;
}

/* ---- search and lookup -------------------------------------------------- */

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
    const char *p = nz(q), *start;
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

int registry_search(registry *reg, const char *q, int64_t org_id, int limit,
                    void (*fn)(void *ctx, const registry_search_hit *h),
                    void *ctx, errmsg *err)
{
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
    char expr[1024];
    char *raw = NULL;
    int64_t rid[SEARCH_MAX];
    int exact[SEARCH_MAX];
    int n = 0, kmax = 1, lim = limit > 0 ? limit : 50, ret = 0;
    buf ids = {0};
    sqlite3_stmt *st = NULL;
    int rc;

    if (lim > SEARCH_MAX)
        lim = SEARCH_MAX;
    /* Tables and columns from the in-memory index of this generation when
       it is ready (search_index.c); FTS5 below answers otherwise. */
    ret = search_index_run(reg, q, org_id, lim, fn, ctx, err);
    if (ret != SEARCH_INDEX_FALLBACK)
        return ret;
    ret = 0;
    if (registry_search_expr(expr, sizeof expr, q) == 0)
        return 0;
    raw = str_trim_dup(q);
    for (;;) {
        int again = 0;
        st = reg_stmt_get(reg, rank_sql, err);
        if (!st) {
            ret = ERR_DB;
            goto done;
        }
        reg_bind_text(st, ":raw", raw);
        reg_bind_int(st, ":cr", !str_ncasecmp(raw, "cr-", 3));
        reg_bind_text(st, ":expr", expr);
        reg_bind_int(st, ":org", org_id);
        reg_bind_int(st, ":kmax", kmax);
        reg_bind_int(st, ":lim", lim);
        n = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < lim) {
            int k = sqlite3_column_int(st, 2);
            rid[n] = sqlite3_column_int64(st, 0);
            exact[n] = sqlite3_column_int(st, 1);
            if (!exact[n] && k > kmax) {
                kmax = k;
                again = 1;
            }
            n++;
        }
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            ret = reg_db_error(reg, err);
            goto done;
        }
        reg_done(st);
        st = NULL;
        if (!again)
            break;
    }
    if (!n)
        goto done;
    buf_putc(&ids, '[');
    for (int i = 0; i < n; i++)
        buf_appendf(&ids, "%s%lld", i ? "," : "", (long long)rid[i]);
    buf_putc(&ids, ']');
    st = reg_stmt_get(reg, rows_sql, err);
    if (!st) {
        ret = ERR_DB;
        goto done;
    }
    reg_bind_text(st, ":ids", buf_cstr(&ids));
    reg_bind_text(st, ":expr", expr);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_search_hit h;
        int pos = sqlite3_column_int(st, 7);
        h.kind = reg_col_text(st, 0);
        h.ref = sqlite3_column_int64(st, 1);
        h.instance = reg_col_text(st, 2);
        h.name = reg_col_text(st, 3);
        h.name_hl = reg_col_text(st, 4);
        h.snippet = reg_col_text(st, 5);
        h.table = reg_col_text(st, 6);
        h.exact = pos >= 0 && pos < n ? exact[pos] : 0;
        fn(ctx, &h);
    }
    if (rc != SQLITE_DONE) {
        ret = reg_db_error(reg, err);
        goto done;
    }

done:
    if (st)
        reg_done(st);
    buf_dispose(&ids);
    free(raw);
    return ret;
}

void registry_search_warm(registry *reg)
{
    /* A 1 ms wait starts both builds (tables and columns, requests) and
       returns; the snapshots are published when ready. */
    search_index_wait(reg, 1);
}

static void lookup_hit_from(registry_lookup_hit *h, sqlite3_stmt *st)
{
    h->instance = reg_col_text(st, 0);
    h->environment = reg_col_text(st, 1);
    h->table = reg_col_text(st, 2);
    h->campaign_dependency = reg_col_text(st, 3);
    h->status = reg_col_text(st, 4);
    h->exact = sqlite3_column_int(st, 5);
}

int registry_lookup(registry *reg, const char *q, int mode,
                    const char *instance, int64_t org_id, int limit,
                    void (*fn)(void *ctx, const registry_lookup_hit *h),
                    void *ctx, errmsg *err)
{
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
    char *lo, *hi;
    int rc, n = 0;

    if (!q || !*q)
        return 0;
    st = reg_stmt_get(
        reg, mode == REGISTRY_LOOKUP_SUBSTRING ? sql_sub : sql_prefix, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":q", q);
    reg_bind_text(st, ":inst", nz(instance));
    reg_bind_int(st, ":org", org_id);
    reg_bind_int(st, ":lim", limit > 0 ? limit : 20);
    if (mode != REGISTRY_LOOKUP_SUBSTRING) {
        /* NOCASE folds ASCII upper case to lower case; every byte of a
           UTF-8 name sorts below 0xff. */
        size_t len = strlen(q);
        lo = str_lower(xstrdup(q));
        hi = xmalloc(len + 2);
        memcpy(hi, lo, len);
        hi[len] = (char)0xff;
        hi[len + 1] = '\0';
        reg_bind_text(st, ":lo", lo);
        reg_bind_text(st, ":hi", hi);
        free(lo);
        free(hi);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_lookup_hit h;
        lookup_hit_from(&h, st);
        fn(ctx, &h);
        n++;
    }
    if (rc != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
        reg_done(st);
        return rc;
    }
    reg_done(st);
    return n;
}

typedef struct similar {
    char *instance, *environment, *table, *dependency, *status;
    int dist;
} similar;

static int similar_cmp(const void *a, const void *b)
{
    const similar *x = a, *y = b;
    int c;

    if (x->dist != y->dist)
        return x->dist - y->dist;
    c = strcmp(x->table, y->table);
    return c ? c : strcmp(x->instance, y->instance);
}

int registry_lookup_similar(registry *reg, const char *q, const char *instance,
                            int64_t org_id, int max_dist, int limit,
                            void (*fn)(void *ctx, const registry_lookup_hit *h),
                            void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT i.name, i.environment, t.name, t.campaign_dependency,"
        " t.status, 0 FROM instances i"
        " JOIN reg_tables t ON t.instance_id = i.id"
        " WHERE (:inst = '' OR i.name = :inst)"
        " AND (:org = 0 OR i.org_id = :org)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    similar *v = NULL;
    size_t n = 0, cap = 0;
    char *lq;
    int rc, out = 0;

    if (!st)
        return ERR_DB;
    if (limit <= 0)
        limit = 5;
    lq = str_lower(xstrdup(nz(q)));
    reg_bind_text(st, ":inst", nz(instance));
    reg_bind_int(st, ":org", org_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *name = str_lower(xstrdup(reg_col_text(st, 2)));
        int d = str_edit_distance(lq, name, max_dist);
        free(name);
        if (d > max_dist)
            continue;
        xgrow(&v, &cap, n + 1, sizeof *v);
        v[n].instance = xstrdup(reg_col_text(st, 0));
        v[n].environment = xstrdup(reg_col_text(st, 1));
        v[n].table = xstrdup(reg_col_text(st, 2));
        v[n].dependency = xstrdup(reg_col_text(st, 3));
        v[n].status = xstrdup(reg_col_text(st, 4));
        v[n].dist = d;
        n++;
    }
    if (rc != SQLITE_DONE)
        out = reg_db_error(reg, err);
    reg_done(st);
    free(lq);
    if (out == 0 && n) {
        qsort(v, n, sizeof *v, similar_cmp);
        for (size_t i = 0; i < n && out < limit; i++) {
            registry_lookup_hit h = {v[i].instance, v[i].environment,
                                     v[i].table,    v[i].dependency,
                                     v[i].status,   0};
            fn(ctx, &h);
            out++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(v[i].instance);
        free(v[i].environment);
        free(v[i].table);
        free(v[i].dependency);
        free(v[i].status);
    }
    free(v);
    return out;
}

/* ---- changing the registry ---------------------------------------------- */

/* Who changes the registry, and why: shared by every history row of one
 * apply, edit or import. */
typedef struct hctx {
    registry *reg;
    int64_t instance_id;
    int64_t request_id; /* 0: none */
    int64_t user_id;    /* 0: none */
    const char *reason;
    int64_t now;
    errmsg *err;
} hctx;

static int hist_add(hctx *h, int64_t table_id, int64_t column_id,
                    const char *table, const char *column, const char *field,
                    const char *old_value, const char *new_value)
{
    static const char sql[] =
        "INSERT INTO registry_history(instance_id, table_id, column_id,"
        " table_name, column_name, field, old_value, new_value, request_id,"
        " user_id, reason, created_at) VALUES (:inst, :tid, :cid, :tname,"
        " :cname, :field, :old, :new, :req, :user, :reason, :now)";
    sqlite3_stmt *st = reg_stmt_get(h->reg, sql, h->err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":inst", h->instance_id);
    if (table_id > 0)
        reg_bind_int(st, ":tid", table_id);
    else
        reg_bind_null(st, ":tid");
    if (column_id > 0)
        reg_bind_int(st, ":cid", column_id);
    else
        reg_bind_null(st, ":cid");
    reg_bind_text(st, ":tname", table);
    reg_bind_text(st, ":cname", nz(column));
    reg_bind_text(st, ":field", field);
    if (old_value)
        reg_bind_text(st, ":old", old_value);
    else
        reg_bind_null(st, ":old");
    if (new_value)
        reg_bind_text(st, ":new", new_value);
    else
        reg_bind_null(st, ":new");
    if (h->request_id > 0)
        reg_bind_int(st, ":req", h->request_id);
    else
        reg_bind_null(st, ":req");
    if (h->user_id > 0)
        reg_bind_int(st, ":user", h->user_id);
    else
        reg_bind_null(st, ":user");
    reg_bind_text(st, ":reason", nz(h->reason));
    reg_bind_int(st, ":now", h->now);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(h->reg, h->err);
    reg_done(st);
    return rc;
}

/* Finds table name in the instance: 1 (id and stored name set), 0, < 0. */
static int table_find(hctx *h, const char *name, int64_t *out_id,
                      char *out_name, size_t size)
{
    static const char sql[] =
        "SELECT id, name FROM reg_tables WHERE instance_id = :inst"
        " AND name = :name";
    sqlite3_stmt *st = reg_stmt_get(h->reg, sql, h->err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":inst", h->instance_id);
    reg_bind_text(st, ":name", name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out_id = sqlite3_column_int64(st, 0);
        if (out_name)
            reg_col_copy(out_name, size, st, 1);
        rc = 1;
    } else {
        rc = rc == SQLITE_DONE ? 0 : reg_db_error(h->reg, h->err);
    }
    reg_done(st);
    return rc;
}

/* Finds a column of a table (any status): 1, 0 or < 0. */
static int column_find(hctx *h, int64_t table_id, const char *name,
                       int64_t *out_id, char *status, size_t ssize,
                       char *out_name, size_t nsize)
{
    static const char sql[] =
        "SELECT id, status, name FROM reg_columns WHERE table_id = :tid"
        " AND name = :name";
    sqlite3_stmt *st = reg_stmt_get(h->reg, sql, h->err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":tid", table_id);
    reg_bind_text(st, ":name", name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out_id = sqlite3_column_int64(st, 0);
        if (status)
            reg_col_copy(status, ssize, st, 1);
        if (out_name)
            reg_col_copy(out_name, nsize, st, 2);
        rc = 1;
    } else {
        rc = rc == SQLITE_DONE ? 0 : reg_db_error(h->reg, h->err);
    }
    reg_done(st);
    return rc;
}

/* The value of one field of a table (column_id 0) or column as text;
 * caller frees. Field names were checked by the caller. */
static char *field_get(hctx *h, int64_t table_id, int64_t column_id,
                       const char *field)
{
    static const char sql_t[] =
        "SELECT CASE :f WHEN 'description' THEN description"
        " WHEN 'kind' THEN kind WHEN 'source' THEN source"
        " WHEN 'cadence' THEN cadence"
        " WHEN 'expected_arrival' THEN expected_arrival"
        " WHEN 'late_after_minutes' THEN CAST(late_after_minutes AS TEXT)"
        " WHEN 'file_pattern' THEN file_pattern"
        " WHEN 'campaign_dependency' THEN campaign_dependency"
        " WHEN 'campaign_note' THEN campaign_note"
        " WHEN 'consent_relevant' THEN CAST(consent_relevant AS TEXT)"
        " WHEN 'owner' THEN owner WHEN 'escalation' THEN escalation"
        " WHEN 'runbook' THEN runbook WHEN 'status' THEN status END"
        " FROM reg_tables WHERE id = :id";
    static const char sql_c[] =
        "SELECT CASE :f WHEN 'type' THEN type"
        " WHEN 'nullable' THEN CAST(nullable AS TEXT)"
        " WHEN 'primary_key' THEN CAST(primary_key AS TEXT)"
        " WHEN 'description' THEN description WHEN 'example' THEN example"
        " WHEN 'pii' THEN CAST(pii AS TEXT)"
        " WHEN 'consent' THEN CAST(consent AS TEXT)"
        " WHEN 'consent_channel' THEN consent_channel"
        " WHEN 'rule' THEN rule WHEN 'status' THEN status END"
        " FROM reg_columns WHERE id = :id";
    sqlite3_stmt *st = reg_stmt_get(h->reg, column_id ? sql_c : sql_t, h->err);
    char *v = NULL;

    if (!st)
        return NULL;
    reg_bind_text(st, ":f", field);
    reg_bind_int(st, ":id", column_id ? column_id : table_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = xstrdup(reg_col_text(st, 0));
    else
        reg_db_error(h->reg, h->err);
    reg_done(st);
    return v;
}

static int field_put(hctx *h, int64_t table_id, int64_t column_id,
                     const char *field, const char *value)
{
    static const char sql_t[] =
        "UPDATE reg_tables SET"
        " description = CASE :f WHEN 'description' THEN :v"
        "  ELSE description END,"
        " kind = CASE :f WHEN 'kind' THEN :v ELSE kind END,"
        " source = CASE :f WHEN 'source' THEN :v ELSE source END,"
        " cadence = CASE :f WHEN 'cadence' THEN :v ELSE cadence END,"
        " expected_arrival = CASE :f WHEN 'expected_arrival' THEN :v"
        "  ELSE expected_arrival END,"
        " late_after_minutes = CASE :f WHEN 'late_after_minutes'"
        "  THEN CAST(:v AS INTEGER) ELSE late_after_minutes END,"
        " file_pattern = CASE :f WHEN 'file_pattern' THEN :v"
        "  ELSE file_pattern END,"
        " campaign_dependency = CASE :f WHEN 'campaign_dependency' THEN :v"
        "  ELSE campaign_dependency END,"
        " campaign_note = CASE :f WHEN 'campaign_note' THEN :v"
        "  ELSE campaign_note END,"
        " consent_relevant = CASE :f WHEN 'consent_relevant'"
        "  THEN CAST(:v AS INTEGER) ELSE consent_relevant END,"
        " owner = CASE :f WHEN 'owner' THEN :v ELSE owner END,"
        " escalation = CASE :f WHEN 'escalation' THEN :v"
        "  ELSE escalation END,"
        " runbook = CASE :f WHEN 'runbook' THEN :v ELSE runbook END,"
        " status = CASE :f WHEN 'status' THEN :v ELSE status END,"
        " updated_at = :now WHERE id = :id";
    static const char sql_c[] =
        "UPDATE reg_columns SET"
        " type = CASE :f WHEN 'type' THEN :v ELSE type END,"
        " nullable = CASE :f WHEN 'nullable' THEN CAST(:v AS INTEGER)"
        "  ELSE nullable END,"
        " primary_key = CASE :f WHEN 'primary_key' THEN CAST(:v AS INTEGER)"
        "  ELSE primary_key END,"
        " description = CASE :f WHEN 'description' THEN :v"
        "  ELSE description END,"
        " example = CASE :f WHEN 'example' THEN :v ELSE example END,"
        " pii = CASE :f WHEN 'pii' THEN CAST(:v AS INTEGER) ELSE pii END,"
        " consent = CASE :f WHEN 'consent' THEN CAST(:v AS INTEGER)"
        "  ELSE consent END,"
        " consent_channel = CASE :f WHEN 'consent_channel' THEN :v"
        "  ELSE consent_channel END,"
        " rule = CASE :f WHEN 'rule' THEN :v ELSE rule END,"
        " status = CASE :f WHEN 'status' THEN :v ELSE status END,"
        " updated_at = :now WHERE id = :id";
    static const char sql_touch[] =
        "UPDATE reg_tables SET updated_at = :now WHERE id = :id";
    sqlite3_stmt *st = reg_stmt_get(h->reg, column_id ? sql_c : sql_t, h->err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":f", field);
    reg_bind_text(st, ":v", value);
    reg_bind_int(st, ":now", h->now);
    reg_bind_int(st, ":id", column_id ? column_id : table_id);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(h->reg, h->err);
    reg_done(st);
    if (rc == 0 && column_id) {
        /* The table's "last updated" covers its columns. */
        st = reg_stmt_get(h->reg, sql_touch, h->err);
        if (!st)
            return ERR_DB;
        reg_bind_int(st, ":now", h->now);
        reg_bind_int(st, ":id", table_id);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? 0 : reg_db_error(h->reg, h->err);
        reg_done(st);
    }
    return rc;
}

/* Sets a field when it differs, with a history row: 1 changed, 0 same,
 * < 0 error. value is already normalised. */
static int field_set(hctx *h, int64_t table_id, const char *table,
                     int64_t column_id, const char *column, const char *field,
                     const char *value)
{
    char *old = field_get(h, table_id, column_id, field);
    int rc;

    if (!old)
        return ERR_DB;
    if (!strcmp(old, value)) {
        free(old);
        return 0;
    }
    rc = field_put(h, table_id, column_id, field, value);
    if (rc == 0)
        rc = hist_add(h, table_id, column_id, table, column, field, old, value);
    free(old);
    return rc < 0 ? rc : 1;
}

enum {
    FV_TEXT,
    FV_SHORT,
    FV_FLAG,
    FV_TIME,
    FV_MINUTES,
    FV_DEP,
    FV_TYPE,
    FV_TSTATUS,
    FV_CSTATUS,
    FV_CHANNEL
};

typedef struct field_def {
    const char *name;
    int column; /* 0 table field, 1 column field */
    int kind;   /* FV_* */
} field_def;

static const field_def field_defs[] = {{"description", 0, FV_TEXT},
                                       {"kind", 0, FV_SHORT},
                                       {"source", 0, FV_SHORT},
                                       {"cadence", 0, FV_SHORT},
                                       {"expected_arrival", 0, FV_TIME},
                                       {"late_after_minutes", 0, FV_MINUTES},
                                       {"file_pattern", 0, FV_SHORT},
                                       {"campaign_dependency", 0, FV_DEP},
                                       {"campaign_note", 0, FV_TEXT},
                                       {"consent_relevant", 0, FV_FLAG},
                                       {"owner", 0, FV_SHORT},
                                       {"escalation", 0, FV_SHORT},
                                       {"runbook", 0, FV_TEXT},
                                       {"status", 0, FV_TSTATUS},
                                       {"type", 1, FV_TYPE},
                                       {"nullable", 1, FV_FLAG},
                                       {"primary_key", 1, FV_FLAG},
                                       {"description", 1, FV_TEXT},
                                       {"example", 1, FV_SHORT},
                                       {"pii", 1, FV_FLAG},
                                       {"consent", 1, FV_FLAG},
                                       {"consent_channel", 1, FV_CHANNEL},
                                       {"rule", 1, FV_TEXT},
                                       {"status", 1, FV_CSTATUS},
                                       {NULL, 0, 0}};

static const field_def *field_def_get(int column, const char *name)
{
    for (const field_def *d = field_defs; d->name; d++)
        if (d->column == column && !strcmp(d->name, name))
            return d;
    return NULL;
}

/* Parses a yes/no value; -1 when it is none. */
static int flag_parse(const char *s)
{
    static const char *const yes[] = {"1", "true", "yes", "y", "on"};
    static const char *const no[] = {"0", "false", "no", "n", "off"};

    for (size_t i = 0; i < 5; i++) {
        if (!str_casecmp(s, yes[i]))
            return 1;
        if (!str_casecmp(s, no[i]))
            return 0;
    }
    return -1;
}

/* Checks and normalises value for field d into out (caller disposes).
 * ERR_INVALID with a message naming the field. */
static int field_normalise(buf *out, const field_def *d, const char *value,
                           errmsg *err)
{
    const char *v = nz(value);
    size_t len = strlen(v);
    form_type t;
    char tmp[64];
    int n;

    if (!str_utf8_valid(v, len))
        return err_set_field(err, ERR_INVALID, d->name, "%s is not valid UTF-8",
                             d->name);
    if (d->kind != FV_TEXT && str_has_ctl(v))
        return err_set_field(err, ERR_INVALID, d->name,
                             "%s may not contain control characters", d->name);
    if (d->kind != FV_TEXT && strchr(v, '\n'))
        return err_set_field(err, ERR_INVALID, d->name,
                             "%s must be a single line", d->name);
    switch (d->kind) {
    case FV_TEXT:
        if (str_utf8_len(v) > FORM_MAX_TEXT)
            return err_set_field(err, ERR_INVALID, d->name,
                                 "%s is longer than %d characters", d->name,
                                 FORM_MAX_TEXT);
        for (const char *p = v; *p; p++)
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\r' &&
                *p != '\t')
                return err_set_field(err, ERR_INVALID, d->name,
                                     "%s may not contain control "
                                     "characters",
                                     d->name);
        buf_puts(out, v);
        return 0;
    case FV_SHORT:
    case FV_CHANNEL:
        if (str_utf8_len(v) > FORM_MAX_SHORT)
            return err_set_field(err, ERR_INVALID, d->name,
                                 "%s is longer than %d characters", d->name,
                                 FORM_MAX_SHORT);
        if (d->kind == FV_CHANNEL && *v && strcmp(v, "email") &&
            strcmp(v, "sms") && strcmp(v, "push") && strcmp(v, "direct_mail"))
            return err_set_field(err, ERR_INVALID, d->name,
                                 "consent_channel must be email, sms, push "
                                 "or direct_mail");
        buf_puts(out, v);
        return 0;
    case FV_FLAG:
        n = flag_parse(v);
        if (n < 0)
            return err_set_field(err, ERR_INVALID, d->name,
                                 "%s must be yes or no (1/0, true/false)",
                                 d->name);
        buf_puts(out, n ? "1" : "0");
        return 0;
    case FV_TIME:
        if (*v && !form_time_valid(v))
            return err_set_field(err, ERR_INVALID, d->name,
                                 "expected_arrival must be a time of day "
                                 "HH:MM (UTC), such as 05:00");
        buf_puts(out, v);
        return 0;
    case FV_MINUTES:
        if (!*v)
            v = "0";
        if (str_to_int(&n, v, 0, 1440) < 0)
            return err_set_field(err, ERR_INVALID, d->name,
                                 "late_after_minutes must be a whole "
                                 "number of minutes from 0 to 1440");
        buf_appendf(out, "%d", n);
        return 0;
    case FV_DEP:
        if (*v && strcmp(v, "required") && strcmp(v, "optional"))
            return err_set_field(err, ERR_INVALID, d->name,
                                 "campaign_dependency must be required or "
                                 "optional");
        buf_puts(out, v);
        return 0;
    case FV_TYPE:
        if (form_type_parse(&t, v, err) < 0) {
            str_copy(err->field, sizeof err->field, d->name);
            return ERR_INVALID;
        }
        if (t.kind == FORM_TYPE_NONE)
            return err_set_field(err, ERR_INVALID, d->name, "type is required");
        form_type_format(tmp, sizeof tmp, &t);
        buf_puts(out, tmp);
        return 0;
    case FV_TSTATUS:
        if (strcmp(v, "active") && strcmp(v, "deprecated"))
            return err_set_field(err, ERR_INVALID, d->name,
                                 "a table's status is active or "
                                 "deprecated");
        buf_puts(out, v);
        return 0;
    case FV_CSTATUS:
        if (strcmp(v, "active") && strcmp(v, "deprecated") &&
            strcmp(v, "retired"))
            return err_set_field(err, ERR_INVALID, d->name,
                                 "a column's status is active, deprecated "
                                 "or retired");
        buf_puts(out, v);
        return 0;
    default: return err_set(err, ERR_INTERNAL, "unknown field kind");
    }
}

/* Sets a named field after checking the value: 1, 0 or < 0. */
static int field_set_checked(hctx *h, int64_t table_id, const char *table,
                             int64_t column_id, const char *column,
                             const char *field, const char *value)
{
    const field_def *d = field_def_get(column_id != 0, field);
    buf v = {0};
    int rc;

    if (!d)
        return err_set_field(
            h->err, ERR_INVALID, "field", "unknown %s field %.60s (one of %s)",
            column_id ? "column" : "table", field,
            column_id ? REGISTRY_COLUMN_FIELDS : REGISTRY_TABLE_FIELDS);
    rc = field_normalise(&v, d, value, h->err);
    if (rc == 0)
        rc = field_set(h, table_id, table, column_id, column, field,
                       buf_cstr(&v));
    buf_dispose(&v);
    return rc;
}

static int hctx_init(hctx *h, registry *reg, const char *instance,
                     int64_t request_id, int64_t user_id, const char *reason,
                     errmsg *err)
{
    registry_instance inst;
    int rc;

    memset(h, 0, sizeof *h);
    rc = registry_instance_get(reg, &inst, instance, err);
    if (rc < 0)
        return rc;
    h->reg = reg;
    h->instance_id = inst.id;
    h->request_id = request_id;
    h->user_id = user_id;
    h->reason = reason;
    h->now = time_now();
    h->err = err;
    return 0;
}

/* A new table row with its rules; history "table" created. */
static int table_insert(hctx *h, int64_t *out_id, const char *name,
                        const char *description, const char *kind,
                        const char *source, const char *cadence,
                        const char *arrival, int late, const char *file_pattern,
                        const char *dependency, const char *note, int consent,
                        const char *owner, const char *escalation,
                        const char *runbook, const char *status)
{
    static const char sql[] =
        "INSERT INTO reg_tables(instance_id, name, description, kind,"
        " source, cadence, expected_arrival, late_after_minutes,"
        " file_pattern, campaign_dependency, campaign_note,"
        " consent_relevant, owner, escalation, runbook, status,"
        " created_by_request, created_at, updated_at) VALUES (:inst,"
        " :name, :description, :kind, :source, :cadence, :arrival, :late,"
        " :pattern, :dep, :note, :consent, :owner, :escalation, :runbook,"
        " :status, :req, :now, :now)";
    sqlite3_stmt *st = reg_stmt_get(h->reg, sql, h->err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":inst", h->instance_id);
    reg_bind_text(st, ":name", name);
    reg_bind_text(st, ":description", description);
    reg_bind_text(st, ":kind", kind);
    reg_bind_text(st, ":source", source);
    reg_bind_text(st, ":cadence", cadence);
    reg_bind_text(st, ":arrival", arrival);
    reg_bind_int(st, ":late", late);
    reg_bind_text(st, ":pattern", file_pattern);
    reg_bind_text(st, ":dep", dependency);
    reg_bind_text(st, ":note", note);
    reg_bind_int(st, ":consent", consent != 0);
    reg_bind_text(st, ":owner", owner);
    reg_bind_text(st, ":escalation", escalation);
    reg_bind_text(st, ":runbook", runbook);
    reg_bind_text(st, ":status", *nz(status) ? status : "active");
    if (h->request_id > 0)
        reg_bind_int(st, ":req", h->request_id);
    else
        reg_bind_null(st, ":req");
    reg_bind_int(st, ":now", h->now);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(h->reg, h->err);
    reg_done(st);
    if (rc < 0)
        return rc;
    *out_id = sqlite3_last_insert_rowid(h->reg->db);
    return hist_add(h, *out_id, 0, name, "", "table", NULL, "created");
}

/* One column as stored (strings borrowed). */
typedef struct col_vals {
    const char *name, *type, *description, *example, *channel, *rule;
    const char *status;
    int nullable, primary_key, pii, consent;
} col_vals;

/* Adds a column, or brings back a retired one of that name. ERR_CONFLICT
 * when it already exists otherwise. */
static int column_add(hctx *h, int64_t table_id, const char *table,
                      const col_vals *c)
{
    static const char sql[] =
        "INSERT INTO reg_columns(table_id, position, name, type, nullable,"
        " primary_key, description, example, pii, consent, consent_channel,"
        " rule, status, created_by_request, created_at, updated_at)"
        " VALUES (:tid, (SELECT coalesce(max(position), 0) + 1 FROM"
        " reg_columns WHERE table_id = :tid), :name, :type, :nullable, :pk,"
        " :description, :example, :pii, :consent, :channel, :rule, :status,"
        " :req, :now, :now)";
    sqlite3_stmt *st;
    int64_t cid;
    char status[16], stored[FORM_MAX_IDENT * 4 + 1];
    int rc = column_find(h, table_id, c->name, &cid, status, sizeof status,
                         stored, sizeof stored);

    if (rc < 0)
        return rc;
    if (rc == 1) {
        const char *flags[][2] = {{"nullable", c->nullable ? "1" : "0"},
                                  {"primary_key", c->primary_key ? "1" : "0"},
                                  {"pii", c->pii ? "1" : "0"},
                                  {"consent", c->consent ? "1" : "0"}};
        if (strcmp(status, "retired") != 0)
            return err_set(h->err, ERR_CONFLICT,
                           "column %s already exists on table %s", c->name,
                           table);
        /* A retired column comes back with the new definition. */
        if ((rc = field_set(h, table_id, table, cid, stored, "type", c->type)) <
                0 ||
            (rc = field_set(h, table_id, table, cid, stored, "description",
                            c->description)) < 0 ||
            (rc = field_set(h, table_id, table, cid, stored, "example",
                            c->example)) < 0 ||
            (rc = field_set(h, table_id, table, cid, stored, "consent_channel",
                            c->channel)) < 0 ||
            (rc = field_set(h, table_id, table, cid, stored, "rule", c->rule)) <
                0)
            return rc;
        for (size_t i = 0; i < 4; i++)
            if ((rc = field_set(h, table_id, table, cid, stored, flags[i][0],
                                flags[i][1])) < 0)
                return rc;
        rc = field_set(h, table_id, table, cid, stored, "status",
                       *nz(c->status) ? c->status : "active");
        return rc < 0 ? rc : 0;
    }
    st = reg_stmt_get(h->reg, sql, h->err);
    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":tid", table_id);
    reg_bind_text(st, ":name", c->name);
    reg_bind_text(st, ":type", c->type);
    reg_bind_int(st, ":nullable", c->nullable != 0);
    reg_bind_int(st, ":pk", c->primary_key != 0);
    reg_bind_text(st, ":description", c->description);
    reg_bind_text(st, ":example", c->example);
    reg_bind_int(st, ":pii", c->pii != 0);
    reg_bind_int(st, ":consent", c->consent != 0);
    reg_bind_text(st, ":channel", c->channel);
    reg_bind_text(st, ":rule", c->rule);
    reg_bind_text(st, ":status", *nz(c->status) ? c->status : "active");
    if (h->request_id > 0)
        reg_bind_int(st, ":req", h->request_id);
    else
        reg_bind_null(st, ":req");
    reg_bind_int(st, ":now", h->now);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(h->reg, h->err);
    reg_done(st);
    if (rc < 0)
        return rc;
    cid = sqlite3_last_insert_rowid(h->reg->db);
    return hist_add(h, table_id, cid, table, c->name, "column", NULL, c->type);
}

static void col_vals_from(col_vals *v, const form_column *c, char *type,
                          size_t tsize)
{
    form_type_format(type, tsize, &c->type);
    v->name = c->name;
    v->type = c->type.kind == FORM_TYPE_NONE ? "" : type;
    v->description = nz(c->description);
    v->example = nz(c->example);
    v->channel = nz(c->consent_channel);
    v->rule = nz(c->rule);
    v->status = "active";
    v->nullable = c->nullable;
    v->primary_key = c->primary_key;
    v->pii = c->pii;
    v->consent = c->consent;
}

/* The rules an item may carry, as (field, value) pairs; value NULL when
 * the item leaves it alone. */
static void item_rules(const form_item *it, const char *v[][2], char *late,
                       size_t lsize)
{
    snprintf(late, lsize, "%d", it->late_after_minutes);
    v[0][0] = "source";
    v[0][1] = *nz(it->source) ? it->source : NULL;
    v[1][0] = "cadence";
    v[1][1] = *nz(it->cadence) ? it->cadence : NULL;
    v[2][0] = "expected_arrival";
    v[2][1] = *nz(it->expected_arrival) ? it->expected_arrival : NULL;
    v[3][0] = "late_after_minutes";
    v[3][1] = it->late_after_minutes > 0 ? late : NULL;
    v[4][0] = "file_pattern";
    v[4][1] = *nz(it->file_pattern) ? it->file_pattern : NULL;
    v[5][0] = "campaign_dependency";
    v[5][1] = *nz(it->campaign_dependency) ? it->campaign_dependency : NULL;
    v[6][0] = "campaign_note";
    v[6][1] = *nz(it->campaign_note) ? it->campaign_note : NULL;
    v[7][0] = "owner";
    v[7][1] = *nz(it->owner) ? it->owner : NULL;
    v[8][0] = "escalation";
    v[8][1] = *nz(it->escalation) ? it->escalation : NULL;
}
#define ITEM_NRULES 9

static int item_has_consent(const form_item *it)
{
    for (size_t c = 0; c < it->ncolumns; c++)
        if (it->columns[c].consent &&
            it->columns[c].action != FORM_ACTION_RETIRE)
            return 1;
    return 0;
}

static int apply_item(hctx *h, const form_item *it)
{
    const char *rules[ITEM_NRULES][2];
    char late[16], tname[FORM_MAX_IDENT * 4 + 1], type[64];
    int64_t tid;
    int rc;

    item_rules(it, rules, late, sizeof late);
    rc = table_find(h, it->table, &tid, tname, sizeof tname);
    if (rc < 0)
        return rc;
    if (it->kind == FORM_ITEM_NEW_TABLE) {
        if (rc == 1)
            return err_set(h->err, ERR_CONFLICT,
                           "table %s already exists in this instance",
                           it->table);
        str_copy(tname, sizeof tname, it->table);
        rc = table_insert(h, &tid, tname, nz(it->description), "", "", "", "",
                          0, "", "", "", 0, "", "", "", "active");
        if (rc < 0)
            return rc;
    } else if (rc == 0) {
        return err_set(h->err, ERR_CONFLICT,
                       "table %s does not exist in this instance (a %s "
                       "item needs an existing table)",
                       it->table, form_item_kind_name(it->kind));
    }
    /* Rules given on the item replace the table's. */
    for (size_t i = 0; i < ITEM_NRULES; i++)
        if (rules[i][1] &&
            (rc = field_set_checked(h, tid, tname, 0, NULL, rules[i][0],
                                    rules[i][1])) < 0)
            return rc;
    /* The table's kind is not the item's: an update item leaves it. */
    for (size_t c = 0; c < it->ncolumns; c++) {
        const form_column *fc = &it->columns[c];
        col_vals v;
        int64_t cid;
        char status[16], cname[FORM_MAX_IDENT * 4 + 1];
        col_vals_from(&v, fc, type, sizeof type);
        if (fc->action == FORM_ACTION_ADD) {
            if ((rc = column_add(h, tid, tname, &v)) < 0)
                return rc;
            continue;
        }
        rc = column_find(h, tid, fc->name, &cid, status, sizeof status, cname,
                         sizeof cname);
        if (rc < 0)
            return rc;
        if (rc == 0 || !strcmp(status, "retired"))
            return err_set(h->err, ERR_CONFLICT,
                           "attribute %s does not exist on table %s", fc->name,
                           tname);
        if (fc->action == FORM_ACTION_RETIRE) {
            if ((rc = field_set(h, tid, tname, cid, cname, "status",
                                "retired")) < 0)
                return rc;
            continue;
        }
        /* FORM_ACTION_CHANGE: what the item states replaces the stored. */
        if (*v.type &&
            (rc = field_set(h, tid, tname, cid, cname, "type", v.type)) < 0)
            return rc;
        if (*v.description &&
            (rc = field_set(h, tid, tname, cid, cname, "description",
                            v.description)) < 0)
            return rc;
        if (*v.rule &&
            (rc = field_set(h, tid, tname, cid, cname, "rule", v.rule)) < 0)
            return rc;
        if (*v.example && (rc = field_set(h, tid, tname, cid, cname, "example",
                                          v.example)) < 0)
            return rc;
        if (fc->pii &&
            (rc = field_set(h, tid, tname, cid, cname, "pii", "1")) < 0)
            return rc;
        if (fc->consent &&
            (rc = field_set(h, tid, tname, cid, cname, "consent", "1")) < 0)
            return rc;
        if (*v.channel && (rc = field_set(h, tid, tname, cid, cname,
                                          "consent_channel", v.channel)) < 0)
            return rc;
    }
    if (item_has_consent(it) &&
        (rc = field_set(h, tid, tname, 0, NULL, "consent_relevant", "1")) < 0)
        return rc;
    return 0;
}

int registry_request_apply(registry *reg, const form_request *r,
                           const char *instance, int64_t user_id, errmsg *err)
{
    char reason[40];
    hctx h;
    int rc;

    if (r->id > 0)
        snprintf(reason, sizeof reason, "CR-%lld", (long long)r->id);
    else
        str_copy(reason, sizeof reason, "request");
    rc = hctx_init(&h, reg, instance, r->id, user_id, reason, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < r->nitems; i++)
        if ((rc = apply_item(&h, &r->items[i])) < 0)
            return rc;
    return 0;
}

int registry_table_update_field(registry *reg, const char *instance,
                                const char *table, const char *column,
                                const char *field, const char *value,
                                int64_t user_id, const char *reason,
                                errmsg *err)
{
    char tname[FORM_MAX_IDENT * 4 + 1], cname[FORM_MAX_IDENT * 4 + 1];
    char status[16];
    char *why = str_trim_dup(nz(reason));
    int64_t tid, cid = 0;
    hctx h;
    int rc;

    if (!*why) {
        rc = err_set_field(err, ERR_INVALID, "reason",
                           "say why you change it (the reason is kept in "
                           "the history)");
        goto done;
    }
    if (strlen(why) > FORM_MAX_TEXT || !str_utf8_valid(why, strlen(why))) {
        rc = err_set_field(err, ERR_INVALID, "reason",
                           "the reason is too long or not valid UTF-8");
        goto done;
    }
    if ((rc = hctx_init(&h, reg, instance, 0, user_id, why, err)) < 0)
        goto done;
    rc = table_find(&h, table, &tid, tname, sizeof tname);
    if (rc == 0)
        rc = err_set(err, ERR_NOTFOUND, "no table %.100s in instance %.100s",
                     table, instance);
    if (rc < 0)
        goto done;
    if (column) {
        rc = column_find(&h, tid, column, &cid, status, sizeof status, cname,
                         sizeof cname);
        if (rc == 0)
            rc = err_set(err, ERR_NOTFOUND, "no column %.100s on table %.100s",
                         column, tname);
        if (rc < 0)
            goto done;
    }
    rc = field_set_checked(&h, tid, tname, cid, column ? cname : NULL, field,
                           value);
done:
    free(why);
    return rc;
}

cJSON *registry_request_changes_json(registry *reg, const form_request *r,
                                     const char *instance, const char *base_url,
                                     errmsg *err)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        cJSON *o = NULL, *changes;
        const char *rules[ITEM_NRULES][2];
        char late[16], type[64], line[512];
        buf url = {0};
        int consent = r->consent_related || item_has_consent(it);

        /* One entry per table: items on the same table share it. */
        for (cJSON *e = arr->child; e; e = e->next)
            if (!str_casecmp(cJSON_GetObjectItem(e, "table")->valuestring,
                             it->table))
                o = e;
        if (!o) {
            char *dep = NULL;
            o = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, o);
            cJSON_AddStringToObject(o, "instance", nz(instance));
            cJSON_AddStringToObject(o, "table", it->table);
            if (!*nz(it->campaign_dependency) &&
                it->kind != FORM_ITEM_NEW_TABLE) {
                cJSON *cur =
                    registry_table_json(reg, instance, it->table, NULL);
                cJSON *rl = cJSON_GetObjectItem(cur, "rules");
                cJSON *d = cJSON_GetObjectItem(rl, "campaign_dependency");
                if (cJSON_IsString(d))
                    dep = xstrdup(d->valuestring);
                cJSON_Delete(cur);
            }
            cJSON_AddStringToObject(o, "campaign_dependency",
                                    dep ? dep : nz(it->campaign_dependency));
            free(dep);
            cJSON_AddBoolToObject(o, "consent", consent);
            cJSON_AddArrayToObject(o, "changes");
            buf_puts(&url, nz(base_url));
            buf_puts(&url, "/tables/");
            buf_append_url(&url, nz(instance));
            buf_putc(&url, '/');
            buf_append_url(&url, it->table);
            cJSON_AddStringToObject(o, "url", buf_cstr(&url));
            buf_dispose(&url);
        } else {
            if (*nz(it->campaign_dependency))
                cJSON_ReplaceItemInObject(
                    o, "campaign_dependency",
                    cJSON_CreateString(it->campaign_dependency));
            if (consent)
                cJSON_ReplaceItemInObject(o, "consent", cJSON_CreateTrue());
        }
        changes = cJSON_GetObjectItem(o, "changes");
        if (it->kind == FORM_ITEM_NEW_TABLE)
            cJSON_AddItemToArray(changes, cJSON_CreateString("new table"));
        item_rules(it, rules, late, sizeof late);
        for (size_t k = 0; k < ITEM_NRULES; k++) {
            if (!rules[k][1])
                continue;
            snprintf(line, sizeof line, "%s: %.400s", rules[k][0], rules[k][1]);
            cJSON_AddItemToArray(changes, cJSON_CreateString(line));
        }
        for (size_t c = 0; c < it->ncolumns; c++) {
            const form_column *fc = &it->columns[c];
            form_type_format(type, sizeof type, &fc->type);
            if (fc->action == FORM_ACTION_ADD)
                snprintf(line, sizeof line, "add column %s %s%s%s", fc->name,
                         type, fc->pii ? " (PII)" : "",
                         fc->consent ? " (consent)" : "");
            else if (fc->action == FORM_ACTION_RETIRE)
                snprintf(line, sizeof line, "retire column %s", fc->name);
            else if (fc->type.kind != FORM_TYPE_NONE)
                snprintf(line, sizeof line, "change column %s type to %s",
                         fc->name, type);
            else
                snprintf(line, sizeof line, "change column %s", fc->name);
            cJSON_AddItemToArray(changes, cJSON_CreateString(line));
        }
    }
    (void)err;
    return arr;
}

/* ---- data-dictionary CSV import ----------------------------------------- */

enum {
    CSV_TABLE,
    CSV_COLUMN,
    CSV_TYPE,
    CSV_NULLABLE,
    CSV_PRIMARY_KEY,
    CSV_DESCRIPTION,
    CSV_EXAMPLE,
    CSV_PII,
    CSV_CONSENT,
    CSV_CONSENT_CHANNEL,
    CSV_RULE,
    CSV_COLUMN_STATUS,
    CSV_CAMPAIGN_DEPENDENCY,
    CSV_CAMPAIGN_NOTE,
    CSV_EXPECTED_ARRIVAL,
    CSV_LATE_AFTER,
    CSV_SOURCE,
    CSV_CADENCE,
    CSV_FILE_PATTERN,
    CSV_OWNER,
    CSV_ESCALATION,
    CSV_TABLE_DESCRIPTION,
    CSV_RUNBOOK,
    CSV_TABLE_KIND,
    CSV_TABLE_STATUS,
    CSV_CONSENT_RELEVANT,
    CSV_NCOLS
};

const char *const registry_csv_columns[] = {"table",
                                            "column",
                                            "type",
                                            "nullable",
                                            "primary_key",
                                            "description",
                                            "example",
                                            "pii",
                                            "consent",
                                            "consent_channel",
                                            "rule",
                                            "column_status",
                                            "campaign_dependency",
                                            "campaign_note",
                                            "expected_arrival",
                                            "late_after_minutes",
                                            "source",
                                            "cadence",
                                            "file_pattern",
                                            "owner",
                                            "escalation",
                                            "table_description",
                                            "runbook",
                                            "table_kind",
                                            "table_status",
                                            "consent_relevant",
                                            NULL};
const size_t registry_csv_ncolumns = CSV_NCOLS;

/* CSV column -> (is column field, registry field name). */
static const struct {
    int csv;
    int column;
    const char *field;
} csv_fields[] = {
    {CSV_TYPE, 1, "type"},
    {CSV_NULLABLE, 1, "nullable"},
    {CSV_PRIMARY_KEY, 1, "primary_key"},
    {CSV_DESCRIPTION, 1, "description"},
    {CSV_EXAMPLE, 1, "example"},
    {CSV_PII, 1, "pii"},
    {CSV_CONSENT, 1, "consent"},
    {CSV_CONSENT_CHANNEL, 1, "consent_channel"},
    {CSV_RULE, 1, "rule"},
    {CSV_COLUMN_STATUS, 1, "status"},
    {CSV_TABLE_DESCRIPTION, 0, "description"},
    {CSV_TABLE_KIND, 0, "kind"},
    {CSV_SOURCE, 0, "source"},
    {CSV_CADENCE, 0, "cadence"},
    {CSV_EXPECTED_ARRIVAL, 0, "expected_arrival"},
    {CSV_LATE_AFTER, 0, "late_after_minutes"},
    {CSV_FILE_PATTERN, 0, "file_pattern"},
    {CSV_CAMPAIGN_DEPENDENCY, 0, "campaign_dependency"},
    {CSV_CAMPAIGN_NOTE, 0, "campaign_note"},
    {CSV_CONSENT_RELEVANT, 0, "consent_relevant"},
    {CSV_OWNER, 0, "owner"},
    {CSV_ESCALATION, 0, "escalation"},
    {CSV_RUNBOOK, 0, "runbook"},
    {CSV_TABLE_STATUS, 0, "status"},
};
#define NCSV_FIELDS (sizeof csv_fields / sizeof *csv_fields)

void registry_import_report_dispose(registry_import_report *rep)
{
    if (!rep)
        return;
    free(rep->problems);
    memset(rep, 0, sizeof *rep);
}

static void problem_add(registry_import_report *rep, int line,
                        const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem_add(registry_import_report *rep, int line,
                        const char *field, const char *fmt, ...)
{
    registry_import_problem *p;
    va_list ap;

    if (rep->nproblems >= 1000)
        return; /* enough to act on */
    xgrow(&rep->problems, &rep->cap, rep->nproblems + 1, sizeof *rep->problems);
    p = &rep->problems[rep->nproblems++];
    p->line = line;
    str_copy(p->field, sizeof p->field, nz(field));
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
}

typedef struct csv_rec {
    char **cells;
    unsigned char *quoted;
    size_t n, cap, qcap;
    int line;
} csv_rec;

static void csv_rec_dispose(csv_rec *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->cells[i]);
    free(r->cells);
    free(r->quoted);
}

static void csv_push(csv_rec *r, buf *cell, int quoted)
{
    xgrow(&r->cells, &r->cap, r->n + 1, sizeof *r->cells);
    xgrow(&r->quoted, &r->qcap, r->n + 1, 1);
    r->cells[r->n] = cell->data ? buf_detach(cell) : xstrdup("");
    r->quoted[r->n] = (unsigned char)quoted;
    r->n++;
}

/* RFC 4180 reader: fills *out with the records (blank lines skipped).
 * Returns 0 or ERR_INVALID with a problem in rep. */
static int csv_read(csv_rec **out, size_t *nout, const char *d, size_t len,
                    registry_import_report *rep)
{
    csv_rec *recs = NULL;
    size_t n = 0, cap = 0, i = 0;
    int line = 1;

    if (len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3))
        i = 3;
    while (i < len) {
        csv_rec r = {0};
        r.line = line;
        for (;;) {
            buf cell = {0};
            int quoted = 0;
            if (i < len && d[i] == '"') {
                quoted = 1;
                i++;
                for (;;) {
                    if (i >= len) {
                        problem_add(rep, r.line, "",
                                    "a quoted cell is not closed");
                        buf_dispose(&cell);
                        csv_rec_dispose(&r);
                        goto fail;
                    }
                    if (d[i] == '"') {
                        if (i + 1 < len && d[i + 1] == '"') {
                            buf_putc(&cell, '"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (d[i] == '\n')
                        line++;
                    buf_putc(&cell, d[i++]);
                }
                if (i < len && d[i] != ',' && d[i] != '\r' && d[i] != '\n') {
                    problem_add(rep, line, "",
                                "text after the closing quote of a cell");
                    buf_dispose(&cell);
                    csv_rec_dispose(&r);
                    goto fail;
                }
            } else {
                while (i < len && d[i] != ',' && d[i] != '\r' && d[i] != '\n')
                    buf_putc(&cell, d[i++]);
            }
            csv_push(&r, &cell, quoted);
            if (i < len && d[i] == ',') {
                i++;
                continue;
            }
            if (i < len && d[i] == '\r')
                i++;
            if (i < len && d[i] == '\n') {
                i++;
                line++;
            }
            break;
        }
        if (r.n == 1 && !r.quoted[0] && !r.cells[0][0]) {
            csv_rec_dispose(&r);
            continue;
        }
        xgrow(&recs, &cap, n + 1, sizeof *recs);
        recs[n++] = r;
    }
    *out = recs;
    *nout = n;
    return 0;
fail:
    for (size_t k = 0; k < n; k++)
        csv_rec_dispose(&recs[k]);
    free(recs);
    return ERR_INVALID;
}

/* One checked data record. */
typedef struct imp_rec {
    int line;
    char *table;
    char *column;       /* "" for a table-only record */
    char *v[CSV_NCOLS]; /* normalised values, NULL when empty/absent */
} imp_rec;

static int imp_cmp_name(const void *a, const void *b)
{
    const imp_rec *x = *(imp_rec *const *)a, *y = *(imp_rec *const *)b;
    int c = str_casecmp(x->table, y->table);

    if (c)
        return c;
    c = str_casecmp(x->column, y->column);
    return c ? c : x->line - y->line;
}

static int imp_cmp_line(const void *a, const void *b)
{
    const imp_rec *x = *(imp_rec *const *)a, *y = *(imp_rec *const *)b;
    int c = str_casecmp(x->table, y->table);

    return c ? c : x->line - y->line;
}

/* Checks one record against the header map; fills *out. */
static void imp_check(imp_rec *out, const csv_rec *r, const int *map,
                      registry_import_report *rep)
{
    char msg[256];

    memset(out, 0, sizeof *out);
    out->line = r->line;
    for (int c = 0; c < CSV_NCOLS; c++) {
        const char *cell;
        if (map[c] < 0 || (size_t)map[c] >= r->n)
            continue;
        cell = r->cells[map[c]];
        /* Undo the export's spreadsheet neutralisation (quoted cells). */
        if (r->quoted[map[c]] && cell[0] == '\'' &&
            (cell[1] == '\'' || buf_csv_is_risky(cell + 1)))
            cell++;
        if (c == CSV_TABLE || c == CSV_COLUMN) {
            out->v[c] = str_trim_dup(cell);
            continue;
        }
        if (*cell)
            out->v[c] = xstrdup(cell);
    }
    out->table = out->v[CSV_TABLE] ? out->v[CSV_TABLE] : xstrdup("");
    out->column = out->v[CSV_COLUMN] ? out->v[CSV_COLUMN] : xstrdup("");
    out->v[CSV_TABLE] = out->v[CSV_COLUMN] = NULL;
    if (form_ident_check(out->table, msg, sizeof msg) < 0)
        problem_add(rep, r->line, "table", "%s",
                    *out->table ? msg : "the table is empty");
    if (*out->column && form_ident_check(out->column, msg, sizeof msg) < 0)
        problem_add(rep, r->line, "column", "%s", msg);
    if (*out->column && !out->v[CSV_TYPE])
        problem_add(rep, r->line, "type", "a column needs a type");
    if (!*out->column) {
        for (size_t k = 0; k < NCSV_FIELDS; k++)
            if (csv_fields[k].column && out->v[csv_fields[k].csv])
                problem_add(rep, r->line,
                            registry_csv_columns[csv_fields[k].csv],
                            "a record without a column may only describe "
                            "the table");
    }
    for (size_t k = 0; k < NCSV_FIELDS; k++) {
        int c = csv_fields[k].csv;
        const field_def *d;
        errmsg e = {0};
        buf v = {0};
        if (!out->v[c])
            continue;
        d = field_def_get(csv_fields[k].column, csv_fields[k].field);
        if (field_normalise(&v, d, out->v[c], &e) < 0) {
            problem_add(rep, r->line, registry_csv_columns[c], "%s", e.msg);
        } else {
            free(out->v[c]);
            out->v[c] = buf_detach(&v);
        }
        buf_dispose(&v);
    }
}

static void imp_rec_dispose(imp_rec *r)
{
    free(r->table);
    free(r->column);
    for (int c = 0; c < CSV_NCOLS; c++)
        free(r->v[c]);
}

static const char *vv(const imp_rec *r, int c, const char *dflt)
{
    return r->v[c] ? r->v[c] : dflt;
}

/* Writes one table's records (sorted by line). */
static int imp_table(hctx *h, imp_rec **g, size_t n, const char *const *tv,
                     registry_import_report *rep)
{
    char tname[FORM_MAX_IDENT * 4 + 1];
    int64_t tid;
    int rc, changed = 0;
    int created = 0;

    rc = table_find(h, g[0]->table, &tid, tname, sizeof tname);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        int consent = 0;
        for (size_t i = 0; i < n; i++)
            if (g[i]->v[CSV_CONSENT] && !strcmp(g[i]->v[CSV_CONSENT], "1"))
                consent = 1;
        str_copy(tname, sizeof tname, g[0]->table);
        rc = table_insert(h, &tid, tname, "", "", "", "", "", 0, "", "", "",
                          tv[CSV_CONSENT_RELEVANT] ? 0 : consent, "", "", "",
                          "active");
        if (rc < 0)
            return rc;
        created = 1;
        rep->tables_created++;
    }
    for (size_t k = 0; k < NCSV_FIELDS; k++) {
        int c = csv_fields[k].csv;
        if (csv_fields[k].column || !tv[c])
            continue;
        rc = field_set(h, tid, tname, 0, NULL, csv_fields[k].field, tv[c]);
        if (rc < 0)
            return rc;
        changed |= rc;
    }
    for (size_t i = 0; i < n; i++) {
        const imp_rec *r = g[i];
        char cname[FORM_MAX_IDENT * 4 + 1];
        int64_t cid;
        int cchanged = 0;
        if (!*r->column)
            continue;
        rc = column_find(h, tid, r->column, &cid, NULL, 0, cname, sizeof cname);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            col_vals v;
            v.name = r->column;
            v.type = vv(r, CSV_TYPE, "");
            v.description = vv(r, CSV_DESCRIPTION, "");
            v.example = vv(r, CSV_EXAMPLE, "");
            v.channel = vv(r, CSV_CONSENT_CHANNEL, "");
            v.rule = vv(r, CSV_RULE, "");
            v.status = vv(r, CSV_COLUMN_STATUS, "active");
            v.nullable = !strcmp(vv(r, CSV_NULLABLE, "1"), "1");
            v.primary_key = !strcmp(vv(r, CSV_PRIMARY_KEY, "0"), "1");
            v.pii = !strcmp(vv(r, CSV_PII, "0"), "1");
            v.consent = !strcmp(vv(r, CSV_CONSENT, "0"), "1");
            if ((rc = column_add(h, tid, tname, &v)) < 0)
                return rc;
            rep->columns_added++;
            continue;
        }
        for (size_t k = 0; k < NCSV_FIELDS; k++) {
            int c = csv_fields[k].csv;
            if (!csv_fields[k].column || !r->v[c])
                continue;
            rc = field_set(h, tid, tname, cid, cname, csv_fields[k].field,
                           r->v[c]);
            if (rc < 0)
                return rc;
            cchanged |= rc;
        }
        rep->columns_updated += cchanged;
    }
    if (!created && changed)
        rep->tables_updated++;
    return 0;
}

int registry_import_csv(registry *reg, registry_import_report *rep,
                        const char *instance, const char *data, size_t len,
                        int64_t user_id, errmsg *err)
{
    csv_rec *recs = NULL;
    size_t nrecs = 0, nimp = 0;
    imp_rec *imp = NULL;
    imp_rec **idx = NULL;
    int map[CSV_NCOLS];
    int rc = 0, began = 0;
    hctx h;

    if ((rc = hctx_init(&h, reg, instance, 0, user_id, "import", err)) < 0)
        return rc;
    if (memchr(data, '\0', len) || !str_utf8_valid(data, len)) {
        problem_add(rep, 0, "", "the file is not UTF-8 text");
        rc = err_set(err, ERR_INVALID, "the file is not UTF-8 text");
        goto done;
    }
    if (csv_read(&recs, &nrecs, data, len, rep) < 0) {
        rc = err_set(err, ERR_INVALID, "the file is not valid CSV");
        goto done;
    }
    if (nrecs == 0) {
        problem_add(rep, 1, "", "the file is empty (no header)");
        rc = err_set(err, ERR_INVALID, "the file is empty");
        goto done;
    }
    for (int c = 0; c < CSV_NCOLS; c++)
        map[c] = -1;
    for (size_t k = 0; k < recs[0].n; k++) {
        char *name = str_lower(str_trim_dup(recs[0].cells[k]));
        int found = -1;
        for (int c = 0; c < CSV_NCOLS; c++)
            if (!strcmp(name, registry_csv_columns[c]))
                found = c;
        if (found < 0)
            problem_add(rep, 1, name,
                        "unknown column \"%.60s\" in the header (known: "
                        "table, column, type, nullable, primary_key, ...; "
                        "see docket import --help)",
                        name);
        else if (map[found] >= 0)
            problem_add(rep, 1, name, "the header names %s twice", name);
        else
            map[found] = (int)k;
        free(name);
    }
    if (map[CSV_TABLE] < 0)
        problem_add(rep, 1, "table", "the header has no \"table\" column");
    if (map[CSV_COLUMN] < 0)
        problem_add(rep, 1, "column", "the header has no \"column\" column");
    if (rep->nproblems) {
        rc = err_set(err, ERR_INVALID, "the header is not valid");
        goto done;
    }
    imp = xcalloc(nrecs, sizeof *imp);
    idx = xcalloc(nrecs, sizeof *idx);
    for (size_t r = 1; r < nrecs; r++) {
        if (recs[r].n > recs[0].n)
            problem_add(rep, recs[r].line, "",
                        "the record has %zu cells, the header %zu", recs[r].n,
                        recs[0].n);
        imp_check(&imp[nimp], &recs[r], map, rep);
        idx[nimp] = &imp[nimp];
        nimp++;
    }
    rep->records = (int)nimp;
    /* Duplicate columns, and table cells that disagree. */
    qsort(idx, nimp, sizeof *idx, imp_cmp_name);
    for (size_t i = 1; i < nimp; i++)
        if (*idx[i]->column && !str_casecmp(idx[i]->table, idx[i - 1]->table) &&
            !str_casecmp(idx[i]->column, idx[i - 1]->column))
            problem_add(rep, idx[i]->line, "column",
                        "column %s of table %s is also on line %d",
                        idx[i]->column, idx[i]->table, idx[i - 1]->line);
    qsort(idx, nimp, sizeof *idx, imp_cmp_line);
    for (size_t i = 0; i < nimp;) {
        size_t j = i;
        while (j < nimp && !str_casecmp(idx[j]->table, idx[i]->table))
            j++;
        for (size_t k = 0; k < NCSV_FIELDS; k++) {
            int c = csv_fields[k].csv;
            const imp_rec *first = NULL;
            if (csv_fields[k].column)
                continue;
            for (size_t m = i; m < j; m++) {
                if (!idx[m]->v[c])
                    continue;
                if (!first)
                    first = idx[m];
                else if (strcmp(first->v[c], idx[m]->v[c]))
                    problem_add(rep, idx[m]->line, registry_csv_columns[c],
                                "differs from line %d for table %s",
                                first->line, idx[m]->table);
            }
        }
        i = j;
    }
    if (rep->nproblems) {
        rc = err_set(err, ERR_INVALID,
                     "%zu problem%s found: nothing was "
                     "imported",
                     rep->nproblems, rep->nproblems == 1 ? "" : "s");
        goto done;
    }
    if ((rc = registry_begin(reg, err)) < 0)
        goto done;
    began = 1;
    for (size_t i = 0; i < nimp;) {
        const char *tv[CSV_NCOLS] = {0};
        size_t j = i;
        while (j < nimp && !str_casecmp(idx[j]->table, idx[i]->table))
            j++;
        for (size_t m = i; m < j; m++)
            for (int c = 0; c < CSV_NCOLS; c++)
                if (!tv[c] && idx[m]->v[c])
                    tv[c] = idx[m]->v[c];
        if ((rc = imp_table(&h, &idx[i], j - i, tv, rep)) < 0)
            goto done;
        i = j;
    }
    rc = registry_commit(reg, err);
    began = rc < 0;
done:
    if (began)
        registry_rollback(reg);
    if (rc < 0 && began) {
        rep->tables_created = rep->tables_updated = 0;
        rep->columns_added = rep->columns_updated = 0;
    }
    for (size_t i = 0; i < nimp; i++)
        imp_rec_dispose(&imp[i]);
    free(imp);
    free(idx);
    for (size_t i = 0; i < nrecs; i++)
        csv_rec_dispose(&recs[i]);
    free(recs);
    return rc;
}

/* ---- demo helpers ------------------------------------------------------- */

int registry_demo_request_status(registry *reg, int64_t id, const char *status,
                                 const char *instance, int64_t at, errmsg *err)
{
    static const char sql_s[] =
        "UPDATE requests SET status = :status, updated_at = :at"
        " WHERE id = :id";
    static const char sql_d[] =
        "UPDATE request_instances SET deployed_at = :at WHERE"
        " request_id = :id AND instance_id = (SELECT id FROM instances"
        " WHERE name = :inst)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql_s, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":status", status);
    reg_bind_int(st, ":at", at);
    reg_bind_int(st, ":id", id);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    if (rc < 0 || !instance)
        return rc;
    st = reg_stmt_get(reg, sql_d, err);
    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":at", at);
    reg_bind_int(st, ":id", id);
    reg_bind_text(st, ":inst", instance);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_is_empty(registry *reg)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM organisations)"
        " + (SELECT count(*) FROM users) + (SELECT count(*) FROM requests)"
        " + (SELECT count(*) FROM reg_tables)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, NULL);
    int empty = 0;

    if (st && sqlite3_step(st) == SQLITE_ROW)
        empty = sqlite3_column_int64(st, 0) == 0;
    reg_done(st);
    return empty;
}
