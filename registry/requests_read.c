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

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- reading rows by column maps ------------------------------------- */

/* Where column i of a row goes in a struct: a char array (copied,
 * truncated), an int or an int64_t. */
typedef struct col_map {
    size_t off;
    size_t size; /* of the char array; 0 for numbers */
    char kind;   /* 't' text, 'i' int, 'l' int64_t */
} col_map;

#define COL_TEXT(T, f)                                                         \
    {                                                                          \
        offsetof(T, f), sizeof((T *)0)->f, 't'                                 \
    }
#define COL_INT(T, f)                                                          \
    {                                                                          \
        offsetof(T, f), 0, 'i'                                                 \
    }
#define COL_I64(T, f)                                                          \
    {                                                                          \
        offsetof(T, f), 0, 'l'                                                 \
    }

/* Zeroes out (size bytes), then reads column i of st into map[i] of out. */
static void cols_read(void *out, size_t size, sqlite3_stmt *st,
                      const col_map *map, size_t n)
{
    char *base = out;

    memset(out, 0, size);
    for (size_t i = 0; i < n; i++) {
        char *p = base + map[i].off;
        assert(map[i].off + (map[i].size ? map[i].size : 1) <= size);
        if (map[i].kind == 't')
            reg_col_copy(p, map[i].size, st, (int)i);
        else if (map[i].kind == 'i')
            *(int *)(void *)p = sqlite3_column_int(st, (int)i);
        else
            *(int64_t *)(void *)p = sqlite3_column_int64(st, (int)i);
    }
}

#define COLS_READ(out, st, map)                                                \
    cols_read(out, sizeof *(out), st, map, sizeof(map) / sizeof *(map))

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

static const col_map row_cols[] = {
    COL_I64(registry_request_row, id),
    COL_I64(registry_request_row, org_id),
    COL_TEXT(registry_request_row, organisation),
    COL_TEXT(registry_request_row, instance),
    COL_TEXT(registry_request_row, status),
    COL_TEXT(registry_request_row, title),
    COL_TEXT(registry_request_row, requester_name),
    COL_TEXT(registry_request_row, requester_email),
    COL_I64(registry_request_row, requester_id),
    COL_TEXT(registry_request_row, pm_email),
    COL_TEXT(registry_request_row, pm_name),
    COL_INT(registry_request_row, consent_related),
    COL_I64(registry_request_row, sprint_id),
    COL_I64(registry_request_row, created_at),
    COL_I64(registry_request_row, updated_at)};

static void row_fill(registry_request_row *o, sqlite3_stmt *st)
{
    COLS_READ(o, st, row_cols);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    reg_bind_int(st, ":id", id);
    return request_missing(reg_count(reg, st, org_id, err), id, err);
}

int registry_request_row_get(registry *reg, registry_request_row *out,
                             int64_t id, int64_t org_filter, errmsg *err)
{
    static const char sql[] =
        "SELECT " ROW_COLUMNS ROW_FROM
        " WHERE r.id = :id AND (:org = 0 OR r.org_id = :org)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":org", org_filter);
    return request_missing(reg_one(reg, st, row_read, out, err), id, err);
}

static int request_read(sqlite3_stmt *st, void *ctx)
{
    form_request *out = ctx;

    out->organisation = xstrdup(reg_col_text(st, 0));
    out->instance = xstrdup(reg_col_text(st, 1));
    out->project_manager = xstrdup(reg_col_text(st, 2));
    out->requester_name = xstrdup(reg_col_text(st, 3));
    out->requester_email = xstrdup(reg_col_text(st, 4));
    out->title = xstrdup(reg_col_text(st, 5));
    out->summary = xstrdup(reg_col_text(st, 6));
    out->consent_related = sqlite3_column_int(st, 7) != 0;
    out->consent_note = xstrdup(reg_col_text(st, 8));
    out->desired_date = xstrdup(reg_col_text(st, 9));
    out->status = xstrdup(reg_col_text(st, 10));
    out->created_at = sqlite3_column_int64(st, 11);
    out->updated_at = sqlite3_column_int64(st, 12);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":org", org_filter);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    load_ctx c = {out, NULL, 0, NULL, 0};

    reg_bind_int(st, ":id", out->id);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    load_ctx c = {NULL, it, 0, NULL, 0};

    reg_bind_int(st, ":item", item_id);
    return reg_each(reg, st, column_read, &c, err);
}

static int item_read(sqlite3_stmt *st, void *ctx)
{
    load_ctx *c = ctx;
    form_request *r = c->r;
    form_item *it;

    xgrow(&r->items, &c->cap, r->nitems + 1, sizeof *r->items);
    xgrow(&c->ids, &c->idcap, r->nitems + 1, sizeof *c->ids);
    c->ids[r->nitems] = sqlite3_column_int64(st, 0);
    it = &r->items[r->nitems++];
    memset(it, 0, sizeof *it);
    if (form_item_kind_parse(&it->kind, reg_col_text(st, 1)) < 0)
        it->kind = FORM_ITEM_NEW_TABLE;
    it->table = xstrdup(reg_col_text(st, 2));
    it->description = xstrdup(reg_col_text(st, 3));
    it->primary_key = xstrdup(reg_col_text(st, 4));
    it->source = xstrdup(reg_col_text(st, 5));
    it->cadence = xstrdup(reg_col_text(st, 6));
    it->expected_arrival = xstrdup(reg_col_text(st, 7));
    it->late_after_minutes = sqlite3_column_int(st, 8);
    it->file_pattern = xstrdup(reg_col_text(st, 9));
    it->campaign_dependency = xstrdup(reg_col_text(st, 10));
    it->campaign_note = xstrdup(reg_col_text(st, 11));
    it->owner = xstrdup(reg_col_text(st, 12));
    it->escalation = xstrdup(reg_col_text(st, 13));
    it->examples = xstrdup(reg_col_text(st, 14));
    it->notes = xstrdup(reg_col_text(st, 15));
    return 0;
}

static int load_items(registry *reg, form_request *out, errmsg *err)
{
    static const char sql[] =
        "SELECT id, kind, table_name, description, primary_key, source,"
        " cadence, expected_arrival, late_after_minutes, file_pattern,"
        " campaign_dependency, campaign_note, owner, escalation, examples,"
        " notes FROM request_items WHERE request_id = :id ORDER BY position";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    load_ctx c = {out, NULL, 0, NULL, 0};
    int rc;

    reg_bind_int(st, ":id", out->id);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    load_ctx c = {out, NULL, 0, NULL, 0};

    reg_bind_int(st, ":id", out->id);
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
    reg_bind_int(st, ":org", q->org_id);
    reg_bind_text(st, ":status", nz(q->status));
    reg_bind_text(st, ":inst", nz(q->instance));
    reg_bind_text(st, ":q", nz(q->q));
    reg_bind_text(st, ":like", like);
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
        reg_bind_int(st, ":limit", per_page);
        reg_bind_int(st, ":offset", (int64_t)(page - 1) * per_page);
        rc = reg_each(reg, st, request_row_each_row, &e, err);
    }
    free(like);
    return rc;
}

/* ---- attachments ------------------------------------------------------ */

#define ATTACHMENT_COLUMNS                                                     \
    "a.id, a.request_id, a.filename, a.content_type, a.size, a.sha256,"        \
    " a.created_at"

static const col_map attachment_cols[] = {
    COL_I64(registry_attachment, id),
    COL_I64(registry_attachment, request_id),
    COL_TEXT(registry_attachment, filename),
    COL_TEXT(registry_attachment, content_type),
    COL_I64(registry_attachment, size),
    COL_TEXT(registry_attachment, sha256),
    COL_I64(registry_attachment, created_at)};

static void attachment_fill(registry_attachment *a, sqlite3_stmt *st)
{
    COLS_READ(a, st, attachment_cols);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    struct attachment_each e = {fn, ctx};

    reg_bind_int(st, ":req", request_id);
    reg_bind_int(st, ":org", org_filter);
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
    const void *p;
    size_t n;

    attachment_fill(o->meta, st);
    if (!o->data)
        return 0;
    p = sqlite3_column_blob(st, 7);
    n = (size_t)sqlite3_column_bytes(st, 7);
    *o->data = xmalloc(n ? n : 1);
    if (n)
        memcpy(*o->data, p, n);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    attachment_out o = {meta, data};
    int rc;

    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":req", request_id);
    reg_bind_int(st, ":org", org_filter);
    rc = reg_one(reg, st, attachment_read, &o, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "no such attachment");
    return rc;
}

/* ---- timeline and autocomplete ---------------------------------------- */

/* The columns of an event but its note (column 5, borrowed from st). */
static const col_map event_cols[] = {
    COL_I64(registry_request_event, id),
    COL_TEXT(registry_request_event, from_status),
    COL_TEXT(registry_request_event, to_status),
    COL_TEXT(registry_request_event, user_name),
    COL_TEXT(registry_request_event, instance)};

static void event_fill(registry_request_event *e, sqlite3_stmt *st)
{
    COLS_READ(e, st, event_cols);
    e->note = reg_col_text(st, 5);
    e->created_at = sqlite3_column_int64(st, 6);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    struct event_each e = {fn, ctx};

    reg_bind_int(st, ":req", request_id);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    names_each e = {fn, ctx};

    reg_bind_int(st, ":org", org_id);
    reg_bind_int(st, ":limit", limit);
    return reg_each(reg, st, names_row, &e, err);
}
