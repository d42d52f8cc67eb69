/* requests_read.c: reading change requests: one request (as the form's
 * struct, or as a row of the list), the list with its filters and pages,
 * attachments, the status events of the timeline and the table names of
 * the form's autocomplete. Contracts in requests.h; the insert is
 * requests.c. Every query that a client can reach takes an organisation
 * filter and applies it in SQL; every read steps through reg_each or
 * reg_one, so a failed step is an error, never a shorter list. */
#include "requests.h"
#include "registry_int.h"
#include "buf.h"
#include "mem.h"
#include "parse.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- reading ---------------------------------------------------------- */

/* The columns every row query selects, in this order (row_fill). */
#define ROW_COLUMNS                                                            \
    "r.id, r.org_id, o.name, i.name, r.status, r.title, r.requester_name,"     \
    " r.requester_email, r.requester_id, coalesce(p.email, ''),"               \
    " coalesce(p.name, ''), r.consent_related, r.sprint_id, r.created_at,"     \
    " r.updated_at"
#define ROW_FROM                                                               \
    " FROM requests r JOIN organisations o ON o.id = r.org_id"                 \
    " JOIN instances i ON i.id = r.instance_id"                                \
    " LEFT JOIN users p ON p.id = r.pm_id"

static void row_fill(registry_request_row *o, sqlite3_stmt *st)
{
    memset(o, 0, sizeof *o);
    reg_cols(st, "iicccccciccniii", &o->id, &o->org_id, o->organisation,
             sizeof o->organisation, o->instance, sizeof o->instance, o->status,
             sizeof o->status, o->title, sizeof o->title, o->requester_name,
             sizeof o->requester_name, o->requester_email,
             sizeof o->requester_email, &o->requester_id, o->pm_email,
             sizeof o->pm_email, o->pm_name, sizeof o->pm_name,
             &o->consent_related, &o->sprint_id, &o->created_at,
             &o->updated_at);
}

static int row_read(sqlite3_stmt *st, void *ctx)
{
    row_fill(ctx, st);
    return 0;
}

/* A read of request id that found nothing: ERR_NOTFOUND naming it. */
static int request_missing(int rc, int64_t id, errmsg *err)
{
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no request CR-%lld", (long long)id);
    return rc;
}

int registry_request_org(registry *reg, int64_t id, int64_t *org_id,
                         errmsg *err)
{
    static const char sql[] = "SELECT org_id FROM requests WHERE id = :id";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", id));

    return request_missing(reg_count(reg, st, org_id, err), id, err);
}

int registry_request_row_get(registry *reg, registry_request_row *out,
                             int64_t id, int64_t org_filter, errmsg *err)
{
    static const char sql[] =
        "SELECT " ROW_COLUMNS ROW_FROM
        " WHERE r.id = :id AND (:org = 0 OR r.org_id = :org)";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", id),
                                REG_INT(":org", org_filter));

    return request_missing(reg_one(reg, st, row_read, out, err), id, err);
}

static int request_read(sqlite3_stmt *st, void *ctx)
{
    form_request *out = ctx;

    reg_cols(st, "dddddddbdddii", &out->organisation, &out->instance,
             &out->project_manager, &out->requester_name, &out->requester_email,
             &out->title, &out->summary, &out->consent_related,
             &out->consent_note, &out->desired_date, &out->status,
             &out->created_at, &out->updated_at);
    return 0;
}

static int load_request(registry *reg, form_request *out, int64_t id,
                        int64_t org_filter, errmsg *err)
{
    static const char sql[] =
        "SELECT o.name, i.name, coalesce(p.email, ''), r.requester_name,"
        " r.requester_email, r.title, r.summary, r.consent_related,"
        " r.consent_note, r.desired_date, r.status, r.created_at,"
        " r.updated_at FROM requests r"
        " JOIN organisations o ON o.id = r.org_id"
        " JOIN instances i ON i.id = r.instance_id"
        " LEFT JOIN users p ON p.id = r.pm_id"
        " WHERE r.id = :id AND (:org = 0 OR r.org_id = :org)";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", id),
                                REG_INT(":org", org_filter));

    out->id = id;
    return request_missing(reg_one(reg, st, request_read, out, err), id, err);
}

/* A growing list of the request being loaded: cap of out->instances,
 * items (with their ids) or attachments. */
typedef struct load_ctx {
    form_request *r;
    form_item *it; /* load_columns */
    size_t cap;
    int64_t *ids; /* load_items: the items' ids */
    size_t idcap;
} load_ctx;

static int instance_read(sqlite3_stmt *st, void *ctx)
{
    load_ctx *c = ctx;
    form_request *r = c->r;

    xgrow(&r->instances, &c->cap, r->ninstances + 1, sizeof *r->instances);
    r->instances[r->ninstances++] = xstrdup(reg_col_text(st, 0));
    return 0;
}

static int load_instances(registry *reg, form_request *out, errmsg *err)
{
    static const char sql[] = "SELECT i.name FROM request_instances ri"
                              " JOIN instances i ON i.id = ri.instance_id"
                              " WHERE ri.request_id = :id ORDER BY ri.position";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", out->id));
    load_ctx c = {out, NULL, 0, NULL, 0};

    return reg_each(reg, st, instance_read, &c, err);
}

static void type_load(form_type *t, const char *s)
{
    memset(t, 0, sizeof *t);
    if (*s && form_type_parse(t, s, NULL) < 0)
        memset(t, 0, sizeof *t);
}

static int column_read(sqlite3_stmt *st, void *ctx)
{
    load_ctx *lc = ctx;
    form_item *it = lc->it;
    form_column *c;

    xgrow(&it->columns, &lc->cap, it->ncolumns + 1, sizeof *it->columns);
    c = &it->columns[it->ncolumns++];
    memset(c, 0, sizeof *c);
    c->name = xstrdup(reg_col_text(st, 0));
    type_load(&c->type, reg_col_text(st, 1));
    c->nullable = sqlite3_column_int(st, 2) != 0;
    c->primary_key = sqlite3_column_int(st, 3) != 0;
    c->description = xstrdup(reg_col_text(st, 4));
    c->example = xstrdup(reg_col_text(st, 5));
    c->pii = sqlite3_column_int(st, 6) != 0;
    c->consent = sqlite3_column_int(st, 7) != 0;
    c->consent_channel = xstrdup(reg_col_text(st, 8));
    if (form_action_parse(&c->action, reg_col_text(st, 9)) < 0)
        c->action = FORM_ACTION_ADD;
    c->rule = xstrdup(reg_col_text(st, 10));
    return 0;
}

static int load_columns(registry *reg, form_item *it, int64_t item_id,
                        errmsg *err)
{
    static const char sql[] =
        "SELECT name, type, nullable, primary_key, description, example,"
        " pii, consent, consent_channel, action, rule FROM item_columns"
        " WHERE item_id = :item ORDER BY position";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":item", item_id));
    load_ctx c = {NULL, it, 0, NULL, 0};

    return reg_each(reg, st, column_read, &c, err);
}

static int item_read(sqlite3_stmt *st, void *ctx)
{
    load_ctx *c = ctx;
    form_request *r = c->r;
    form_item *it;
    const char *kind;

    xgrow(&r->items, &c->cap, r->nitems + 1, sizeof *r->items);
    xgrow(&c->ids, &c->idcap, r->nitems + 1, sizeof *c->ids);
    it = &r->items[r->nitems];
    memset(it, 0, sizeof *it);
    reg_cols(st, "itddddddndddddddnnd", &c->ids[r->nitems], &kind, &it->table,
             &it->description, &it->primary_key, &it->source, &it->cadence,
             &it->expected_arrival, &it->late_after_minutes, &it->file_pattern,
             &it->campaign_dependency, &it->campaign_note, &it->owner,
             &it->escalation, &it->examples, &it->notes, &it->anomaly_low_pct,
             &it->anomaly_high_pct, &it->expected_day);
    r->nitems++;
    if (form_item_kind_parse(&it->kind, kind) < 0)
        it->kind = FORM_ITEM_NEW_TABLE;
    return 0;
}

static int load_items(registry *reg, form_request *out, errmsg *err)
{
    static const char sql[] =
        "SELECT id, kind, table_name, description, primary_key, source,"
        " cadence, expected_arrival, late_after_minutes, file_pattern,"
        " campaign_dependency, campaign_note, owner, escalation, examples,"
        " notes, max(anomaly_low_pct, 0), max(anomaly_high_pct, 0),"
        " expected_day FROM request_items WHERE request_id = :id"
        " ORDER BY position";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", out->id));
    load_ctx c = {out, NULL, 0, NULL, 0};
    int rc;

    rc = reg_each(reg, st, item_read, &c, err);
    /* Columns once the item query is finished (ids were kept). */
    for (size_t i = 0; rc == 0 && i < out->nitems; i++)
        rc = load_columns(reg, &out->items[i], c.ids[i], err);
    free(c.ids);
    return rc;
}

static int attachment_meta_read(sqlite3_stmt *st, void *ctx)
{
    load_ctx *c = ctx;
    form_request *r = c->r;
    form_attachment *a;

    xgrow(&r->attachments, &c->cap, r->nattachments + 1,
          sizeof *r->attachments);
    a = &r->attachments[r->nattachments++];
    memset(a, 0, sizeof *a);
    a->filename = xstrdup(reg_col_text(st, 0));
    a->content_type = xstrdup(reg_col_text(st, 1));
    a->size = (size_t)sqlite3_column_int64(st, 2);
    return 0;
}

static int load_attachments(registry *reg, form_request *out, errmsg *err)
{
    static const char sql[] =
        "SELECT filename, content_type, size FROM attachments"
        " WHERE request_id = :id AND comment_id IS NULL ORDER BY id";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", out->id));
    load_ctx c = {out, NULL, 0, NULL, 0};

    return reg_each(reg, st, attachment_meta_read, &c, err);
}

int registry_request_load(registry *reg, form_request *out, int64_t id,
                          int64_t org_filter, errmsg *err)
{
    form_request r;
    int rc;

    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    rc = load_request(reg, &r, id, org_filter, err);
    if (rc == 0)
        rc = load_instances(reg, &r, err);
    if (rc == 0)
        rc = load_items(reg, &r, err);
    if (rc == 0)
        rc = load_attachments(reg, &r, err);
    if (rc < 0) {
        form_request_dispose(&r);
        return rc;
    }
    *out = r;
    return 0;
}

/* ---- the list --------------------------------------------------------- */

#define LIST_WHERE                                                             \
    " WHERE (:org = 0 OR r.org_id = :org)"                                     \
    " AND (:status = '' OR r.status = :status)"                                \
    " AND (:inst = '' OR i.name = :inst OR EXISTS (SELECT 1 FROM"              \
    " request_instances ri JOIN instances i2 ON i2.id = ri.instance_id"        \
    " WHERE ri.request_id = r.id AND i2.name = :inst))"                        \
    " AND (:q = '' OR r.title LIKE :like ESCAPE '\\'"                          \
    " OR r.summary LIKE :like ESCAPE '\\')"

static void list_bind(sqlite3_stmt *st, const registry_request_query *q,
                      const char *like)
{
    reg_bind_all(st, REG_INT(":org", q->org_id),
                 REG_TEXT(":status", nz(q->status)),
                 REG_TEXT(":inst", nz(q->instance)), REG_TEXT(":q", nz(q->q)),
                 REG_TEXT(":like", like));
}

REG_EACH_ADAPTER(request_row, registry_request_row, row_fill)

int registry_request_list(registry *reg, const registry_request_query *q,
                          void (*fn)(void *ctx,
                                     const registry_request_row *row),
                          void *ctx, int64_t *total, errmsg *err)
{
    static const char count_sql[] = "SELECT count(*)" ROW_FROM LIST_WHERE;
    static const char page_sql[] =
        "SELECT " ROW_COLUMNS ROW_FROM LIST_WHERE
        " ORDER BY r.id DESC LIMIT :limit OFFSET :offset";
    registry_request_query zero = {0};
    struct request_row_each e = {fn, ctx};
    sqlite3_stmt *st;
    char *like;
    int page, per_page, rc = 0;

    if (!q)
        q = &zero;
    page = q->page < 1 ? 1 : q->page;
    per_page = q->per_page < 1 || q->per_page > REGISTRY_MAX_PER_PAGE
                   ? REGISTRY_PER_PAGE
                   : q->per_page;
    like = reg_like_pattern(nz(q->q));
    if (total) {
        st = reg_stmt_get(reg, count_sql, err);
        list_bind(st, q, like);
        rc = reg_count(reg, st, total, err);
    }
    if (rc == 0) {
        st = reg_stmt_get(reg, page_sql, err);
        list_bind(st, q, like);
        reg_bind_all(st, REG_INT(":limit", per_page),
                     REG_INT(":offset", (int64_t)(page - 1) * per_page));
        rc = reg_each(reg, st, request_row_each_row, &e, err);
    }
    free(like);
    return rc;
}

/* ---- attachments ------------------------------------------------------ */

#define ATTACHMENT_COLUMNS                                                     \
    "a.id, a.request_id, a.filename, a.content_type, a.size, a.sha256,"        \
    " a.created_at"

static void attachment_fill(registry_attachment *a, sqlite3_stmt *st)
{
    memset(a, 0, sizeof *a);
    reg_cols(st, "iiccici", &a->id, &a->request_id, a->filename,
             sizeof a->filename, a->content_type, sizeof a->content_type,
             &a->size, a->sha256, sizeof a->sha256, &a->created_at);
}

REG_EACH_ADAPTER(attachment, registry_attachment, attachment_fill)

int registry_attachment_list(
    registry *reg, int64_t request_id, int64_t org_filter,
    void (*fn)(void *ctx, const registry_attachment *a), void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT " ATTACHMENT_COLUMNS " FROM attachments a"
        " JOIN requests r ON r.id = a.request_id"
        " WHERE a.request_id = :req AND a.comment_id IS NULL"
        " AND (:org = 0 OR r.org_id = :org) ORDER BY a.id";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":req", request_id),
                                REG_INT(":org", org_filter));
    struct attachment_each e = {fn, ctx};

    return reg_each(reg, st, attachment_each_row, &e, err);
}

/* registry_attachment_get's row: the metadata, and the bytes when
 * wanted. */
typedef struct attachment_out {
    registry_attachment *meta;
    unsigned char **data; /* NULL: metadata only */
} attachment_out;

static int attachment_read(sqlite3_stmt *st, void *ctx)
{
    attachment_out *o = ctx;
    size_t n;

    attachment_fill(o->meta, st);
    if (!o->data)
        return 0;
    *o->data = reg_col_blob(st, 7, &n);
    o->meta->size = (int64_t)n;
    return 0;
}

int registry_attachment_get(registry *reg, registry_attachment *meta,
                            unsigned char **data, int64_t request_id,
                            int64_t id, int64_t org_filter, errmsg *err)
{
    static const char sql[] =
        "SELECT " ATTACHMENT_COLUMNS ", a.data FROM attachments a"
        " JOIN requests r ON r.id = a.request_id"
        " WHERE a.id = :id AND a.request_id = :req"
        " AND (:org = 0 OR r.org_id = :org)";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_INT(":id", id), REG_INT(":req", request_id),
                 REG_INT(":org", org_filter));
    attachment_out o = {meta, data};
    int rc;

    rc = reg_one(reg, st, attachment_read, &o, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "no such attachment");
    return rc;
}

/* ---- timeline and autocomplete ---------------------------------------- */

static void event_fill(registry_request_event *e, sqlite3_stmt *st)
{
    memset(e, 0, sizeof *e);
    reg_cols(st, "iccccti", &e->id, e->from_status, sizeof e->from_status,
             e->to_status, sizeof e->to_status, e->user_name,
             sizeof e->user_name, e->instance, sizeof e->instance, &e->note,
             &e->created_at);
}

REG_EACH_ADAPTER(event, registry_request_event, event_fill)

int registry_request_events(registry *reg, int64_t request_id,
                            void (*fn)(void *ctx,
                                       const registry_request_event *e),
                            void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT e.id, e.from_status, e.to_status, coalesce(u.name, ''),"
        " coalesce(i.name, ''), e.note, e.created_at FROM request_events e"
        " LEFT JOIN users u ON u.id = e.user_id"
        " LEFT JOIN instances i ON i.id = e.instance_id"
        " WHERE e.request_id = :req ORDER BY e.id";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":req", request_id));
    struct event_each e = {fn, ctx};

    return reg_each(reg, st, event_each_row, &e, err);
}

/* The callback of registry_request_table_names. */
typedef struct names_each {
    void (*fn)(void *ctx, const char *instance, const char *table);
    void *ctx;
} names_each;

static int names_row(sqlite3_stmt *st, void *ctx)
{
    names_each *e = ctx;

    e->fn(e->ctx, reg_col_text(st, 0), reg_col_text(st, 1));
    return 0;
}

int registry_request_table_names(registry *reg, int64_t org_id, int limit,
                                 void (*fn)(void *ctx, const char *instance,
                                            const char *table),
                                 void *ctx, errmsg *err)
{
    static const char sql[] = "SELECT i.name, t.name FROM reg_tables t"
                              " JOIN instances i ON i.id = t.instance_id"
                              " WHERE (:org = 0 OR i.org_id = :org)"
                              " ORDER BY i.name, t.name LIMIT :limit";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":org", org_id),
                                REG_INT(":limit", limit));
    names_each e = {fn, ctx};

    return reg_each(reg, st, names_row, &e, err);
}
