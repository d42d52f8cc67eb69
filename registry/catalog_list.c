/* catalog_list.c: the registry read as lists (catalog.h): tables with
 * filters and sorting, history rows, the history grouped by the change
 * that wrote it, and the open requests that will change a table. One
 * table as a card is catalog_card.c. */
#include "catalog_int.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static int table_row(sqlite3_stmt *st, void *ctx)
{
    cat_emit *e = ctx;
    registry_table_row t;

    reg_cols(st, "iittttttttttttttnnnnii", &t.id, &t.org_id, &t.instance,
             &t.environment, &t.name, &t.description, &t.kind, &t.source,
             &t.cadence, &t.expected_arrival, &t.file_pattern,
             &t.campaign_dependency, &t.campaign_note, &t.owner, &t.escalation,
             &t.status, &t.late_after_minutes, &t.consent_relevant, &t.has_pii,
             &t.ncolumns, &t.updated_at, &e->total);
    CAT_EMIT_ROW(e, registry_table_row, &t);
    return 0;
}

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
    cat_emit lc = CAT_EMIT(fn, ctx);
    int rc;

    if (!st)
        return ERR_DB;
    if (!f)
        f = &none;
    reg_bind_all(
        st, REG_TEXT(":inst", cat_nz(f->instance)), REG_INT(":org", f->org_id),
        REG_TEXT(":dep", cat_nz(f->dependency)),
        REG_TEXT(":src", cat_nz(f->source)),
        REG_TEXT(":status", cat_nz(f->status)),
        REG_INT(":consent", f->consent != 0), REG_INT(":pii", f->pii != 0),
        REG_TEXT(":sort", f->sort ? f->sort : "name"),
        REG_INT(":desc", f->desc != 0),
        REG_INT(":lim", f->limit > 0 ? f->limit : -1),
        REG_INT(":off", f->offset > 0 ? f->offset : 0));
    rc = reg_each(reg, st, table_row, &lc, err);
    /* Past the last page no row carries the total: 0 then. */
    if (rc == 0 && out_total)
        *out_total = lc.total;
    return rc;
}

static const char *const change_kind_names[] = {"edit", "request", "import"};

const char *registry_change_kind_name(registry_change_kind k)
{
    return (unsigned)k < sizeof change_kind_names / sizeof *change_kind_names
               ? change_kind_names[k]
               : change_kind_names[0];
}

int registry_change_kind_parse(registry_change_kind *out, const char *s)
{
    for (size_t i = 0; i < sizeof change_kind_names / sizeof *change_kind_names;
         i++) {
        if (s && !strcmp(s, change_kind_names[i])) {
            *out = (registry_change_kind)i;
            return 0;
        }
    }
    return ERR_INVALID;
}

static void history_read(registry_history_row *h, sqlite3_stmt *st)
{
    reg_cols(st, "ittttzzittii", &h->id, &h->instance, &h->table, &h->column,
             &h->field, &h->old_value, &h->new_value, &h->request_id, &h->user,
             &h->reason, &h->created_at, &h->change_id);
}

static int history_row(sqlite3_stmt *st, void *ctx)
{
    registry_history_row h;

    history_read(&h, st);
    CAT_EMIT_ROW((cat_emit *)ctx, registry_history_row, &h);
    return 0;
}

int registry_history_list(registry *reg, const registry_history_filter *f,
                          void (*fn)(void *ctx, const registry_history_row *h),
                          void *ctx, errmsg *err)
{
    cat_emit hc = CAT_EMIT(fn, ctx);
    static const char sql[] =
        "SELECT h.id, i.name, h.table_name, h.column_name, h.field,"
        " h.old_value, h.new_value, coalesce(h.request_id, 0),"
        " coalesce(u.name, ''), h.reason, h.created_at,"
        " coalesce(h.change_id, 0)"
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

    if (!st)
        return ERR_DB;
    reg_bind_all(st, REG_TEXT(":inst", cat_nz(f->instance)),
                 REG_TEXT(":tbl", cat_nz(f->table)),
                 REG_INT(":hascol", f->column != NULL),
                 REG_TEXT(":col", cat_nz(f->column)),
                 REG_INT(":org", f->org_id), REG_INT(":from", f->from),
                 REG_INT(":to", f->to), REG_INT(":before", f->before_id),
                 REG_INT(":lim", f->limit > 0 ? f->limit : 200));
    return reg_each(reg, st, history_row, &hc, err);
}

/* ---- the history by change ---------------------------------------------- */

/* A change read from registry_changes, its strings and rows owned. */
typedef struct change_read {
    registry_change c;
    char *kind, *instance, *title, *user, *reason, *source;
    registry_history_row *rows;
    size_t cap;
} change_read;

typedef struct change_reads {
    change_read *v;
    size_t n, cap;
} change_reads;

static int change_head_row(sqlite3_stmt *st, void *ctx)
{
    change_reads *l = ctx;
    change_read *r;

    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    r = &l->v[l->n++];
    memset(r, 0, sizeof *r);
    reg_cols(st, "iddiddddi", &r->c.id, &r->kind, &r->instance,
             &r->c.request_id, &r->title, &r->user, &r->reason, &r->source,
             &r->c.created_at);
    if (registry_change_kind_parse(&r->c.kind, r->kind) < 0)
        r->c.kind = REGISTRY_CHANGE_EDIT;
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static int change_field_row(sqlite3_stmt *st, void *ctx)
{
    change_read *r = ctx;
    registry_history_row h, *d;

    history_read(&h, st);
    r->c.nrows_total = sqlite3_column_int64(st, 12);
    xgrow(&r->rows, &r->cap, r->c.nrows + 1, sizeof *r->rows);
    d = &r->rows[r->c.nrows++];
    *d = h;
    d->instance = xstrdup(h.instance);
    d->table = xstrdup(h.table);
    d->column = xstrdup(h.column);
    d->field = xstrdup(h.field);
    d->old_value = dup_or_null(h.old_value);
    d->new_value = dup_or_null(h.new_value);
    d->user = xstrdup(h.user);
    d->reason = xstrdup(h.reason);
    return 0;
}

static void change_read_dispose(change_read *r)
{
    for (size_t i = 0; i < r->c.nrows; i++) {
        const registry_history_row *h = &r->rows[i];
        xfree_all((char *)h->instance, (char *)h->table, (char *)h->column,
                  (char *)h->field, (char *)h->old_value, (char *)h->new_value,
                  (char *)h->user, (char *)h->reason);
    }
    free(r->rows);
    xfree_all(r->kind, r->instance, r->title, r->user, r->reason, r->source);
}

/* The rows of change r (those of f's table and column when it names
 * them), oldest first, at most REGISTRY_CHANGE_ROWS_MAX. */
static int change_fields(registry *reg, change_read *r,
                         const registry_history_filter *f, errmsg *err)
{
    static const char sql[] =
        "SELECT h.id, i.name, h.table_name, h.column_name, h.field,"
        " h.old_value, h.new_value, coalesce(h.request_id, 0),"
        " coalesce(u.name, ''), h.reason, h.created_at, h.change_id,"
        " count(*) OVER ()"
        " FROM registry_history h JOIN instances i ON i.id = h.instance_id"
        " LEFT JOIN users u ON u.id = h.user_id"
        " WHERE h.change_id = :change"
        " AND (:tbl = '' OR h.table_name = :tbl COLLATE NOCASE)"
        " AND (:hascol = 0 OR h.column_name = :col COLLATE NOCASE)"
        " ORDER BY h.id LIMIT :lim";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":change", r->c.id),
                                REG_TEXT(":tbl", cat_nz(f->table)),
                                REG_INT(":hascol", f->column != NULL),
                                REG_TEXT(":col", cat_nz(f->column)),
                                REG_INT(":lim", REGISTRY_CHANGE_ROWS_MAX));

    return reg_each(reg, st, change_field_row, r, err);
}

int registry_change_list(registry *reg, const registry_history_filter *f,
                         void (*fn)(void *ctx, const registry_change *c),
                         void *ctx, errmsg *err)
{
    /* The changes first (a page of them), then the rows of each: a
       change's rows are read by the index on change_id. */
    static const char sql[] =
        "SELECT c.id, c.kind, i.name, coalesce(c.request_id, 0),"
        " coalesce(r.title, ''), coalesce(u.name, ''), c.reason, c.source,"
        " c.created_at"
        " FROM registry_changes c JOIN instances i ON i.id = c.instance_id"
        " LEFT JOIN users u ON u.id = c.user_id"
        " LEFT JOIN requests r ON r.id = c.request_id"
        " WHERE (:inst = '' OR i.name = :inst)"
        " AND (:org = 0 OR i.org_id = :org)"
        " AND (:from = 0 OR c.created_at >= :from)"
        " AND (:to = 0 OR c.created_at < :to)"
        " AND (:before = 0 OR c.id < :before)"
        " AND (:tbl = '' OR EXISTS (SELECT 1 FROM registry_history h"
        "  WHERE h.change_id = c.id AND h.table_name = :tbl COLLATE NOCASE"
        "  AND (:hascol = 0 OR h.column_name = :col COLLATE NOCASE)))"
        " ORDER BY c.id DESC LIMIT :lim";
    registry_history_filter none = {0};
    change_reads l = {0};
    sqlite3_stmt *st;
    int rc;

    if (!f)
        f = &none;
    st = reg_stmt(reg, sql, err, REG_TEXT(":inst", cat_nz(f->instance)),
                  REG_INT(":org", f->org_id), REG_INT(":from", f->from),
                  REG_INT(":to", f->to), REG_INT(":before", f->before_id),
                  REG_TEXT(":tbl", cat_nz(f->table)),
                  REG_INT(":hascol", f->column != NULL),
                  REG_TEXT(":col", cat_nz(f->column)),
                  REG_INT(":lim", f->limit > 0 ? f->limit : 50));
    rc = reg_each(reg, st, change_head_row, &l, err);
    for (size_t i = 0; rc == 0 && i < l.n; i++)
        rc = change_fields(reg, &l.v[i], f, err);
    for (size_t i = 0; i < l.n; i++) {
        change_read *r = &l.v[i];
        if (rc == 0) {
            r->c.instance = r->instance;
            r->c.request_title = r->title;
            r->c.user = r->user;
            r->c.reason = r->reason;
            r->c.source = r->source;
            r->c.rows = r->rows;
            fn(ctx, &r->c);
        }
        change_read_dispose(r);
    }
    free(l.v);
    return rc;
}

static int open_row(sqlite3_stmt *st, void *ctx)
{
    registry_open_request r;

    reg_cols(st, "ittti", &r.id, &r.title, &r.status, &r.kind, &r.updated_at);
    CAT_EMIT_ROW((cat_emit *)ctx, registry_open_request, &r);
    return 0;
}

int registry_table_open_requests(registry *reg, const char *instance,
                                 const char *table, int64_t org_id,
                                 void (*fn)(void *ctx,
                                            const registry_open_request *r),
                                 void *ctx, errmsg *err)
{
    cat_emit oc = CAT_EMIT(fn, ctx);
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

    if (st) {
        reg_bind_all(st, REG_TEXT(":table", table), REG_TEXT(":inst", instance),
                     REG_INT(":org", org_id));
    }
    return reg_each(reg, st, open_row, &oc, err); /* ERR_DB for st NULL */
}
