/* triage_queue.c: the PM's queue with its filters and counts, and the
 * tables a sprint (or the latest deploy day) changes. Contracts in
 * triage.h. */
#include "triage_int.h"
#include "buf.h"
#include "str.h"

#include <stdlib.h>

#define Q_FROM                                                                 \
    " FROM requests r JOIN organisations o ON o.id = r.org_id"                 \
    " JOIN instances i ON i.id = r.instance_id"                                \
    " LEFT JOIN users p ON p.id = r.pm_id"                                     \
    " LEFT JOIN sprints s ON s.id = r.sprint_id"                               \
    " LEFT JOIN request_events le ON le.id = (SELECT max(e.id) FROM"           \
    " request_events e WHERE e.request_id = r.id)"
#define Q_WHERE                                                                \
    " WHERE (:org = 0 OR r.org_id = :org)"                                     \
    " AND (:orgname = '' OR o.name = :orgname)"                                \
    " AND (:status = '' OR r.status = :status)"                                \
    " AND (:waiting = 0 OR r.status = 'needs_info')"                           \
    " AND (:inst = '' OR i.name = :inst OR EXISTS (SELECT 1 FROM"              \
    " request_instances ri JOIN instances i2 ON i2.id = ri.instance_id"        \
    " WHERE ri.request_id = r.id AND i2.name = :inst))"                        \
    " AND (:pm = '' OR (:pm = 'none' AND r.pm_id IS NULL) OR p.email = :pm)"   \
    " AND (:consent = 0 OR (:consent = 1 AND r.consent_related = 1)"           \
    " OR (:consent = -1 AND r.consent_related = 0))"                           \
    " AND (:age = 0 OR r.created_at <= :now - :age * 86400)"                   \
    " AND (:since = 0 OR coalesce(le.created_at, r.created_at) <="             \
    " :now - :since * 86400)"                                                  \
    " AND (:sprint = 0 OR r.sprint_id = :sprint)"                              \
    " AND (:q = '' OR r.title LIKE :like ESCAPE '\\'"                          \
    " OR r.summary LIKE :like ESCAPE '\\')"

char *reg_like_pattern(const char *q)
{
    buf b = {0};

    buf_putc(&b, '%');
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *p);
    }
    buf_putc(&b, '%');
    return buf_detach(&b);
}

/* The statement sql with the filter bound (status and waiting only when
 * with_status); NULL on error. *like is the pattern to free after the
 * statement is done. */
static sqlite3_stmt *q_stmt(registry *reg, const char *sql,
                            const registry_queue_filter *f, int with_status,
                            char **like, errmsg *err)
{
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    *like = NULL;
    if (!st)
        return NULL;
    *like = reg_like_pattern(tr_nz(f->q));
    reg_bind_int(st, ":org", f->org_id);
    reg_bind_text(st, ":orgname", tr_nz(f->organisation));
    reg_bind_text(st, ":status", with_status ? tr_nz(f->status) : "");
    reg_bind_int(st, ":waiting", with_status ? f->waiting != 0 : 0);
    reg_bind_text(st, ":inst", tr_nz(f->instance));
    reg_bind_text(st, ":pm", tr_nz(f->pm));
    reg_bind_int(st, ":consent", f->consent);
    reg_bind_int(st, ":age", f->age_days);
    reg_bind_int(st, ":since", f->since_days);
    reg_bind_int(st, ":now", f->now ? f->now : time_now());
    reg_bind_int(st, ":sprint", f->sprint_id);
    reg_bind_text(st, ":q", tr_nz(f->q));
    reg_bind_text(st, ":like", *like);
    return st;
}

static int queue_total(registry *reg, const registry_queue_filter *f,
                       int64_t *out, errmsg *err)
{
    static const char sql[] = "SELECT count(*)" Q_FROM Q_WHERE;
    char *like;
    sqlite3_stmt *st = q_stmt(reg, sql, f, 1, &like, err);
    int rc = reg_count(reg, st, out, err);

    free(like);
    return rc;
}

static void queue_read(registry_queue_row *r, sqlite3_stmt *st)
{
    r->id = sqlite3_column_int64(st, 0);
    r->organisation = reg_col_text(st, 1);
    r->instance = reg_col_text(st, 2);
    r->status = reg_col_text(st, 3);
    r->title = reg_col_text(st, 4);
    r->requester_name = reg_col_text(st, 5);
    r->requester_email = reg_col_text(st, 6);
    r->pm_email = reg_col_text(st, 7);
    r->pm_name = reg_col_text(st, 8);
    r->consent_related = sqlite3_column_int(st, 9);
    r->priority = sqlite3_column_int(st, 10);
    r->estimate = reg_col_text(st, 11);
    r->sprint_id = sqlite3_column_int64(st, 12);
    r->sprint_name = reg_col_text(st, 13);
    r->created_at = sqlite3_column_int64(st, 14);
    r->updated_at = sqlite3_column_int64(st, 15);
    r->status_since = sqlite3_column_int64(st, 16);
    r->last_note = reg_col_text(st, 17);
    r->instances = reg_col_text(st, 18);
}

REG_EACH_ADAPTER(queue, registry_queue_row, queue_read)

int registry_queue_list(registry *reg, const registry_queue_filter *f,
                        void (*fn)(void *ctx, const registry_queue_row *r),
                        void *ctx, int64_t *out_total, errmsg *err)
{
    static const char sql[] =
        "SELECT r.id, o.name, i.name, r.status, r.title, r.requester_name,"
        " r.requester_email, coalesce(p.email, ''), coalesce(p.name, ''),"
        " r.consent_related, r.priority, r.estimate, coalesce(r.sprint_id,"
        " 0), coalesce(s.name, ''), r.created_at, r.updated_at,"
        " coalesce(le.created_at, r.created_at), coalesce(le.note, ''),"
        " (SELECT group_concat(n, ', ') FROM (SELECT i3.name AS n FROM"
        " request_instances ri3 JOIN instances i3 ON i3.id = ri3.instance_id"
        " WHERE ri3.request_id = r.id ORDER BY ri3.position))" Q_FROM Q_WHERE
        " ORDER BY CASE :sort WHEN 'priority' THEN -r.priority"
        " WHEN 'updated' THEN -r.updated_at ELSE r.created_at END, r.id"
        " LIMIT :limit OFFSET :offset";
    registry_queue_filter zero = {0};
    struct queue_each e = {fn, ctx};
    sqlite3_stmt *st;
    char *like;
    int rc;

    if (!f)
        f = &zero;
    if (out_total) {
        rc = queue_total(reg, f, out_total, err);
        if (rc < 0)
            return rc;
    }
    st = q_stmt(reg, sql, f, 1, &like, err);
    if (st) {
        reg_bind_text(st, ":sort", tr_nz(f->sort));
        reg_bind_int(st, ":limit", f->limit > 0 ? f->limit : -1);
        reg_bind_int(st, ":offset", f->offset > 0 ? f->offset : 0);
    }
    rc = reg_each(reg, st, queue_each_row, &e, err);
    free(like);
    return rc;
}

typedef struct count_each {
    void (*fn)(void *ctx, const char *status, int64_t n);
    void *ctx;
} count_each;

static int count_row(sqlite3_stmt *st, void *ctx)
{
    count_each *e = ctx;

    e->fn(e->ctx, reg_col_text(st, 0), sqlite3_column_int64(st, 1));
    return 0;
}

int registry_queue_counts(registry *reg, const registry_queue_filter *f,
                          void (*fn)(void *ctx, const char *status, int64_t n),
                          void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT r.status, count(*)" Q_FROM Q_WHERE " GROUP BY r.status";
    registry_queue_filter zero = {0};
    count_each e = {fn, ctx};
    char *like;
    sqlite3_stmt *st;
    int rc;

    if (!f)
        f = &zero;
    st = q_stmt(reg, sql, f, 0, &like, err);
    rc = reg_each(reg, st, count_row, &e, err);
    free(like);
    return rc;
}

/* ---- tables of a sprint ----------------------------------------------- */

static void table_read(registry_sprint_table *t, sqlite3_stmt *st)
{
    t->instance = reg_col_text(st, 0);
    t->table = reg_col_text(st, 1);
    t->kind = reg_col_text(st, 2);
    t->campaign_dependency = reg_col_text(st, 3);
    t->request_id = sqlite3_column_int64(st, 4);
    t->deployed_at = sqlite3_column_int64(st, 5);
}

REG_EACH_ADAPTER(table, registry_sprint_table, table_read)

int registry_sprint_tables(registry *reg, int64_t sprint_id, int64_t org_filter,
                           void (*fn)(void *ctx,
                                      const registry_sprint_table *t),
                           void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT i.name, it.table_name, it.kind, it.campaign_dependency,"
        " r.id, ri.deployed_at FROM requests r"
        " JOIN request_instances ri ON ri.request_id = r.id"
        " JOIN instances i ON i.id = ri.instance_id"
        " JOIN request_items it ON it.request_id = r.id"
        " WHERE r.sprint_id = :sprint AND (:org = 0 OR r.org_id = :org)"
        " AND r.status NOT IN ('rejected', 'withdrawn')"
        " ORDER BY i.name, it.table_name, r.id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    struct table_each e = {fn, ctx};

    reg_bind_int(st, ":sprint", sprint_id);
    reg_bind_int(st, ":org", org_filter);
    return reg_each(reg, st, table_each_row, &e, err);
}

int registry_last_deploy_tables(registry *reg, int64_t org_filter,
                                void (*fn)(void *ctx,
                                           const registry_sprint_table *t),
                                void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT i.name, it.table_name, it.kind, it.campaign_dependency,"
        " r.id, ri.deployed_at FROM request_instances ri"
        " JOIN requests r ON r.id = ri.request_id"
        " JOIN instances i ON i.id = ri.instance_id"
        " JOIN request_items it ON it.request_id = r.id"
        " WHERE (:org = 0 OR r.org_id = :org) AND ri.deployed_at > 0"
        " AND ri.deployed_at / 86400 = (SELECT max(ri2.deployed_at) / 86400"
        " FROM request_instances ri2 JOIN requests r2 ON r2.id ="
        " ri2.request_id WHERE ri2.deployed_at > 0 AND (:org = 0 OR"
        " r2.org_id = :org))"
        " ORDER BY i.name, it.table_name, r.id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    struct table_each e = {fn, ctx};

    reg_bind_int(st, ":org", org_filter);
    return reg_each(reg, st, table_each_row, &e, err);
}
