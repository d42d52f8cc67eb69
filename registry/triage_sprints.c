/* triage_sprints.c: sprints cut from the [sprints] configuration, their
 * reads, and the clock: the deploy-day digest and the periodic tick.
 * Contracts in triage.h. */
#include "triage_int.h"
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
        reg_bind_text(st, ":name", s.name);
        reg_bind_text(st, ":start", s.starts_on);
        reg_bind_text(st, ":end", s.ends_on);
        reg_bind_int(st, ":at", s.deploy_at);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    sprint_each e = {fn, ctx};

    reg_bind_text(st, ":from", from_day ? from_day : "");
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    reg_bind_int(st, ":id", sprint_id);
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
        rc = registry_event_emit(reg, NULL, EV_DEPLOY_DIGEST, 0, root, err);
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
