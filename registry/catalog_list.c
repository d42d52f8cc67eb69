/* catalog_list.c: the registry read as lists (catalog.h): tables with
 * filters and sorting, history rows, and the open requests that will
 * change a table. One table as a card is catalog_card.c. */
#include "catalog_int.h"

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

static int history_row(sqlite3_stmt *st, void *ctx)
{
    registry_history_row h;

    reg_cols(st, "ittttzzitti", &h.id, &h.instance, &h.table, &h.column,
             &h.field, &h.old_value, &h.new_value, &h.request_id, &h.user,
             &h.reason, &h.created_at);
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
