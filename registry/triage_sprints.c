/* triage_sprints.c: sprints cut from the [sprints] configuration and
 * their reads, the PM's queue with its filters and counts, the tables a
 * sprint (or the latest deploy day) changes, and the clock: the
 * deploy-day digest and the periodic tick. Contracts in triage.h. */
#include "triage_int.h"
#include "buf.h"
#include "catalog.h"
#include "mem.h"
#include "parse.h"
#include "requests.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sprints ---------------------------------------------------------- */

void registry_sprint_rules_from_config(registry_sprint_rules *out,
                                       const config *cfg)
{
    out->length_days = cfg ? cfg->sprint_days : 14;
    out->weekday = cfg ? cfg->deploy_weekday : 2;
    if (!cfg || time_parse_hhmm(&out->deploy_minutes, cfg->deploy_time) < 0)
        out->deploy_minutes = 600;
    if (out->length_days < 1 || out->length_days > 90)
        out->length_days = 14;
    if (out->weekday < 0 || out->weekday > 6)
        out->weekday = 2;
}

void registry_sprint_compute(registry_sprint *out,
                             const registry_sprint_rules *r, int64_t t,
                             int offset)
{
    int64_t len = ((r->length_days + 6) / 7) * 7;
    int64_t d0 = ((r->weekday - 4) % 7 + 7) % 7; /* 1970-01-01: Thursday */
    int64_t day = tr_floor_div(t, 86400);
    int64_t k = tr_floor_div(day - d0 + len - 1, len) + offset;
    int64_t end = d0 + k * len, start = end - len + 1;

    memset(out, 0, sizeof *out);
    time_date(out->starts_on, sizeof out->starts_on, start * 86400);
    time_date(out->ends_on, sizeof out->ends_on, end * 86400);
    out->deploy_at = end * 86400 + (int64_t)r->deploy_minutes * 60;
    snprintf(out->name, sizeof out->name, "Sprint %s", out->ends_on);
}

static int have_row(sqlite3_stmt *st, void *ctx)
{
    *(int *)ctx = sqlite3_column_int64(st, 0) != 0;
    return 0;
}

/* Is any of the sprints 0..ahead missing? */
static int sprints_missing(registry *reg, const registry_sprint_rules *rules,
                           int64_t now, int ahead, int *missing, errmsg *err)
{
    static const char have[] =
        "SELECT count(*) FROM sprints WHERE starts_on = :start";
    int rc = 0;

    *missing = 0;
    for (int k = 0; k <= ahead && rc == 0 && !*missing; k++) {
        registry_sprint s;
        sqlite3_stmt *st = reg_stmt_get(reg, have, err);
        int there = 0;
        if (!st)
            return ERR_DB;
        registry_sprint_compute(&s, rules, now, k);
        reg_bind_text(st, ":start", s.starts_on);
        rc = reg_one(reg, st, have_row, &there, err);
        *missing = rc == 0 && !there;
    }
    return rc;
}

typedef struct ensure_ctx {
    const registry_sprint_rules *rules;
    int64_t now;
    int ahead;
} ensure_ctx;

static int ensure_tx(registry *reg, void *ctx, errmsg *err)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO sprints(name, starts_on, ends_on, deploy_at)"
        " VALUES (:name, :start, :end, :at)";
    ensure_ctx *e = ctx;
    int rc = 0;

    for (int k = 0; k <= e->ahead && rc == 0; k++) {
        registry_sprint s;
        sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
        if (!st)
            return ERR_DB;
        registry_sprint_compute(&s, e->rules, e->now, k);
        reg_bind_all(st, REG_TEXT(":name", s.name),
                     REG_TEXT(":start", s.starts_on),
                     REG_TEXT(":end", s.ends_on), REG_INT(":at", s.deploy_at));
        rc = tr_exec(reg, st, err);
    }
    return rc;
}

int registry_sprints_ensure(registry *reg, const registry_sprint_rules *rules,
                            int64_t now, int ahead, errmsg *err)
{
    ensure_ctx e = {rules, now, ahead};
    int missing = 0;
    /* Look first: most calls find everything there and need no lock. */
    int rc = sprints_missing(reg, rules, now, ahead, &missing, err);

    if (rc < 0 || !missing)
        return rc;
    return tr_in_tx(reg, ensure_tx, &e, err);
}

typedef struct sprint_each {
    void (*fn)(void *ctx, const registry_sprint *s, int nrequests);
    void *ctx;
} sprint_each;

static int sprint_list_row(sqlite3_stmt *st, void *ctx)
{
    sprint_each *e = ctx;
    registry_sprint s;

    tr_sprint_row(st, &s);
    e->fn(e->ctx, &s, sqlite3_column_int(st, 5));
    return 0;
}

int registry_sprint_list(registry *reg, const char *from_day,
                         void (*fn)(void *ctx, const registry_sprint *s,
                                    int nrequests),
                         void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT s.id, s.name, s.starts_on, s.ends_on, s.deploy_at,"
        " (SELECT count(*) FROM requests r WHERE r.sprint_id = s.id AND"
        " r.status NOT IN ('rejected', 'withdrawn')) FROM sprints s"
        " WHERE s.ends_on >= :from ORDER BY s.starts_on";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_TEXT(":from", from_day ? from_day : ""));
    sprint_each e = {fn, ctx};

    return reg_each(reg, st, sprint_list_row, &e, err);
}

/* One sprint of sql (binding pname to v; text_v instead when set). */
static int sprint_one(registry *reg, const char *sql, const char *pname,
                      int64_t v, const char *text_v, registry_sprint *out,
                      errmsg *err)
{
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    if (text_v)
        reg_bind_text(st, pname, text_v);
    else
        reg_bind_int(st, pname, v);
    rc = reg_one(reg, st, tr_sprint_row, out, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "no such sprint");
    return rc;
}

int registry_sprint_get(registry *reg, registry_sprint *out, int64_t id,
                        errmsg *err)
{
    static const char sql[] = "SELECT id, name, starts_on, ends_on,"
                              " deploy_at FROM sprints WHERE id = :id";

    return sprint_one(reg, sql, ":id", id, NULL, out, err);
}

/* The first sprint deploying at or after now (next), or the last one
 * before it. */
static int sprint_around(registry *reg, registry_sprint *out, int64_t now,
                         int next, errmsg *err)
{
    static const char sql_next[] =
        "SELECT id, name, starts_on, ends_on, deploy_at FROM sprints"
        " WHERE deploy_at >= :now ORDER BY deploy_at, id LIMIT 1";
    static const char sql_last[] =
        "SELECT id, name, starts_on, ends_on, deploy_at FROM sprints"
        " WHERE deploy_at < :now ORDER BY deploy_at DESC, id DESC LIMIT 1";

    return sprint_one(reg, next ? sql_next : sql_last, ":now", now, NULL, out,
                      err);
}

int registry_sprint_next(registry *reg, registry_sprint *out, int64_t now,
                         errmsg *err)
{
    return sprint_around(reg, out, now, 1, err);
}

int registry_sprint_last(registry *reg, registry_sprint *out, int64_t now,
                         errmsg *err)
{
    return sprint_around(reg, out, now, 0, err);
}

/* ---- the clock: digest and tick --------------------------------------- */

typedef struct id_list {
    int64_t *ids;
    size_t n, cap;
} id_list;

static int id_list_row(sqlite3_stmt *st, void *ctx)
{
    id_list *l = ctx;

    xgrow(&l->ids, &l->cap, l->n + 1, sizeof *l->ids);
    l->ids[l->n++] = sqlite3_column_int64(st, 0);
    return 0;
}

static int digest_ids(registry *reg, int64_t sprint_id, id_list *out,
                      errmsg *err)
{
    static const char sql[] =
        "SELECT id FROM requests WHERE sprint_id = :id AND status IN"
        " ('scheduled', 'in_progress') ORDER BY priority DESC, id";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", sprint_id));

    return reg_each(reg, st, id_list_row, out, err);
}

typedef struct inst_names {
    char (*names)[101];
    size_t n;
} inst_names;

static void collect_undeployed(void *ctx, const registry_request_instance *i)
{
    inst_names *in = ctx;

    if (i->deployed_at)
        return;
    in->names = xrealloc(in->names, (in->n + 1) * sizeof *in->names);
    str_copy(in->names[in->n++], sizeof *in->names, i->name);
}

/* Adds request id to the digest and what its undeployed instances
 * change to tables. */
static int digest_add(registry *reg, int64_t id, cJSON *digest, cJSON *tables,
                      errmsg *err)
{
    cJSON *p = registry_request_payload(reg, id, "deploy.digest", "", "", err);
    form_request r;
    inst_names in = {0};
    int rc;

    if (!p)
        return ERR_DB;
    cJSON_AddItemToArray(digest,
                         cJSON_DetachItemFromObjectCaseSensitive(p, "request"));
    cJSON_Delete(p);
    rc = registry_request_load(reg, &r, id, 0, err);
    if (rc < 0)
        return rc;
    rc = registry_request_instances(reg, id, 0, collect_undeployed, &in, err);
    for (size_t k = 0; rc == 0 && k < in.n; k++) {
        cJSON *arr =
            registry_request_changes_json(reg, &r, in.names[k], "", err);
        if (!arr) {
            rc = ERR_DB;
            break;
        }
        for (cJSON *e = cJSON_DetachItemFromArray(arr, 0); e;
             e = cJSON_DetachItemFromArray(arr, 0))
            cJSON_AddItemToArray(tables, e);
        cJSON_Delete(arr);
    }
    free(in.names);
    form_request_dispose(&r);
    return rc;
}

typedef struct digest_ctx {
    const char *day;
    int written;
} digest_ctx;

static int digest_tx(registry *reg, void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT id, name, starts_on, ends_on, deploy_at FROM sprints"
        " WHERE ends_on = :day ORDER BY id LIMIT 1";
    static const char sql_done[] =
        "SELECT count(*) FROM events WHERE event = 'deploy.digest' AND"
        " json_extract(payload, '$.sprint.id') = :id";
    digest_ctx *d = ctx;
    registry_sprint s;
    id_list ids = {0};
    int64_t done = 0;
    cJSON *root = NULL, *digest, *tables;
    int rc = sprint_one(reg, sql, ":day", 0, d->day, &s, err);

    if (rc == ERR_NOTFOUND) {
        err_clear(err);
        return 0; /* not a deploy day */
    }
    if (rc == 0)
        rc = tr_count(reg, sql_done, s.id, &done, err);
    if (rc == 0 && !done)
        rc = digest_ids(reg, s.id, &ids, err);
    if (rc < 0 || done || !ids.n)
        goto out;
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "event", "deploy.digest");
    cJSON_AddItemToObject(root, "sprint", tr_sprint_json(&s));
    digest = cJSON_AddArrayToObject(root, "digest");
    tables = cJSON_AddArrayToObject(root, "tables");
    cJSON_AddStringToObject(root, "actor", "docket");
    cJSON_AddStringToObject(root, "url", "/sprints");
    for (size_t i = 0; i < ids.n && rc == 0; i++)
        rc = digest_add(reg, ids.ids[i], digest, tables, err);
    if (rc == 0)
        rc = registry_event_emit(reg, NULL, EV_DEPLOY_DIGEST, NULL, root, err);
    d->written = rc == 0;
out:
    cJSON_Delete(root);
    free(ids.ids);
    return rc;
}

int registry_deploy_digest(registry *reg, const registry_sprint_rules *rules,
                           int64_t now, int *out_written, errmsg *err)
{
    int64_t day_start = tr_floor_div(now, 86400) * 86400;
    int minutes = rules->deploy_minutes < 360 ? rules->deploy_minutes : 360;
    char day[16];
    digest_ctx d = {day, 0};
    int rc;

    if (out_written)
        *out_written = 0;
    if (now < day_start + (int64_t)minutes * 60)
        return 0;
    time_date(day, sizeof day, now);
    rc = tr_in_tx(reg, digest_tx, &d, err);
    if (out_written)
        *out_written = rc == 0 && d.written;
    return rc;
}

int registry_triage_tick(registry *reg, const registry_sprint_rules *rules,
                         int64_t now, int *out_notify, errmsg *err)
{
    int rc = registry_sprints_ensure(reg, rules, now, 2, err);

    if (out_notify)
        *out_notify = 0;
    if (rc == 0)
        rc = registry_deploy_digest(reg, rules, now, out_notify, err);
    return rc;
}

/* ---- the queue -------------------------------------------------------- */

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
    reg_bind_all(st, REG_INT(":org", f->org_id),
                 REG_TEXT(":orgname", tr_nz(f->organisation)),
                 REG_TEXT(":status", with_status ? tr_nz(f->status) : ""),
                 REG_INT(":waiting", with_status ? f->waiting != 0 : 0),
                 REG_TEXT(":inst", tr_nz(f->instance)),
                 REG_TEXT(":pm", tr_nz(f->pm)), REG_INT(":consent", f->consent),
                 REG_INT(":age", f->age_days), REG_INT(":since", f->since_days),
                 REG_INT(":now", f->now ? f->now : time_now()),
                 REG_INT(":sprint", f->sprint_id), REG_TEXT(":q", tr_nz(f->q)),
                 REG_TEXT(":like", *like));
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
    reg_cols(st, "ittttttttnntitiiitt", &r->id, &r->organisation, &r->instance,
             &r->status, &r->title, &r->requester_name, &r->requester_email,
             &r->pm_email, &r->pm_name, &r->consent_related, &r->priority,
             &r->estimate, &r->sprint_id, &r->sprint_name, &r->created_at,
             &r->updated_at, &r->status_since, &r->last_note, &r->instances);
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
        reg_bind_all(st, REG_TEXT(":sort", tr_nz(f->sort)),
                     REG_INT(":limit", f->limit > 0 ? f->limit : -1),
                     REG_INT(":offset", f->offset > 0 ? f->offset : 0));
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
    reg_cols(st, "ttttiti", &t->instance, &t->table, &t->kind,
             &t->campaign_dependency, &t->request_id, &t->requests,
             &t->deployed_at);
}

/* One row per instance and table from the rows of a FROM clause (aliases
 * r, ri, i, it) that are already in request order: the first request and
 * item, all the requests, the strongest dependency, the latest deploy
 * once every one of them is deployed. */
#define TABLE_ROWS(from_where)                                                 \
    "SELECT instance, table_name, min(kind), CASE WHEN max(dep = 'required')"  \
    " THEN 'required' WHEN max(dep = 'optional') THEN 'optional' ELSE ''"      \
    " END, min(request_id), group_concat(DISTINCT request_id),"                \
    " CASE WHEN min(deployed_at) > 0 THEN max(deployed_at) ELSE 0 END"         \
    " FROM (SELECT i.name AS instance, it.table_name AS table_name,"           \
    " it.kind AS kind, it.campaign_dependency AS dep, r.id AS request_id,"     \
    " ri.deployed_at AS deployed_at " from_where                               \
    " ORDER BY r.id, it.position) GROUP BY instance, table_name"               \
    " ORDER BY instance, table_name"

REG_EACH_ADAPTER(table, registry_sprint_table, table_read)

int registry_sprint_tables(registry *reg, int64_t sprint_id, int64_t org_filter,
                           void (*fn)(void *ctx,
                                      const registry_sprint_table *t),
                           void *ctx, errmsg *err)
{
    static const char sql[] = TABLE_ROWS(
        "FROM requests r"
        " JOIN request_instances ri ON ri.request_id = r.id"
        " JOIN instances i ON i.id = ri.instance_id"
        " JOIN request_items it ON it.request_id = r.id"
        " WHERE r.sprint_id = :sprint AND (:org = 0 OR r.org_id = :org)"
        " AND r.status NOT IN ('rejected', 'withdrawn')");
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":sprint", sprint_id),
                                REG_INT(":org", org_filter));
    struct table_each e = {fn, ctx};

    return reg_each(reg, st, table_each_row, &e, err);
}

int registry_last_deploy_tables(registry *reg, int64_t org_filter,
                                void (*fn)(void *ctx,
                                           const registry_sprint_table *t),
                                void *ctx, errmsg *err)
{
    static const char sql[] = TABLE_ROWS(
        "FROM request_instances ri"
        " JOIN requests r ON r.id = ri.request_id"
        " JOIN instances i ON i.id = ri.instance_id"
        " JOIN request_items it ON it.request_id = r.id"
        " WHERE (:org = 0 OR r.org_id = :org) AND ri.deployed_at > 0"
        " AND ri.deployed_at / 86400 = (SELECT max(ri2.deployed_at) / 86400"
        " FROM request_instances ri2 JOIN requests r2 ON r2.id ="
        " ri2.request_id WHERE ri2.deployed_at > 0 AND (:org = 0 OR"
        " r2.org_id = :org))");
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":org", org_filter));
    struct table_each e = {fn, ctx};

    return reg_each(reg, st, table_each_row, &e, err);
}
