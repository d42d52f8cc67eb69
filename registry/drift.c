/* drift.c: the store of drift checks (drift.h): the last report per
 * instance with its findings, and the announced set that makes each
 * finding's registry.drift event fire once. Tables of schema step 12. */
#include "drift.h"
#include "registry_int.h"
#include "buf.h"
#include "mem.h"
#include "str.h"
#include "triage.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_FINDINGS_MAX 20

static int write_report(registry *reg, const registry_drift_report *r,
                        errmsg *err)
{
    static const char del[] =
        "DELETE FROM drift_reports WHERE instance_id = :inst";
    static const char ins[] =
        "INSERT INTO drift_reports(instance_id, checked_at, source,"
        " schema_name, tables_compared, status, error) VALUES (:inst, :at,"
        " :source, :schema, :n, :status, :error)";
    static const char ins_f[] =
        "INSERT INTO drift_findings(instance_id, kind, table_name,"
        " column_name, registry, live) VALUES (:inst, :kind, :table, :col,"
        " :reg, :live)";
    sqlite3_stmt *st;
    int rc;

    /* the findings go with their report (ON DELETE CASCADE) */
    st = reg_stmt(reg, del, err, REG_INT(":inst", r->instance_id));
    rc = reg_exec_bound(reg, st, err);
    if (rc < 0)
        return rc;
    st = reg_stmt(reg, ins, err, REG_INT(":inst", r->instance_id),
                  REG_INT(":at", r->checked_at),
                  REG_TEXT(":source", r->source ? r->source : ""),
                  REG_TEXT(":schema", r->schema ? r->schema : ""),
                  REG_INT(":n", r->tables_compared),
                  REG_TEXT(":status", r->failed ? "failed" : "ok"),
                  REG_TEXT(":error", r->error ? r->error : ""));
    rc = reg_exec_bound(reg, st, err);
    for (size_t i = 0; rc >= 0 && i < r->nfindings; i++) {
        const registry_drift_finding *f = &r->findings[i];
        st = reg_stmt(reg, ins_f, err, REG_INT(":inst", r->instance_id),
                      REG_TEXT(":kind", f->kind), REG_TEXT(":table", f->table),
                      REG_TEXT(":col", f->column ? f->column : ""),
                      REG_TEXT(":reg", f->registry ? f->registry : ""),
                      REG_TEXT(":live", f->live ? f->live : ""));
        rc = reg_exec_bound(reg, st, err);
    }
    return rc < 0 ? rc : 0;
}

typedef struct inst_names {
    char name[101], org[201];
} inst_names;

static int inst_row(sqlite3_stmt *st, void *ctx)
{
    inst_names *n = ctx;

    reg_cols(st, "cc", n->name, sizeof n->name, n->org, sizeof n->org);
    return 0;
}

/* The registry id of table in the instance (case-insensitive), 0 when
 * it has none. */
static int table_id(registry *reg, int64_t inst, const char *table,
                    int64_t *out, errmsg *err)
{
    static const char sql[] =
        "SELECT id FROM reg_tables WHERE instance_id = :inst"
        " AND name = :table COLLATE NOCASE ORDER BY name = :table DESC, id"
        " LIMIT 1";
    int rc = reg_count(reg,
                       reg_stmt(reg, sql, err, REG_INT(":inst", inst),
                                REG_TEXT(":table", table)),
                       out, err);

    if (rc == ERR_NOTFOUND) {
        *out = 0;
        return 0;
    }
    return rc;
}

/* One registry.drift event for the findings fresh[0..n) (all of one
 * table, or all on undocumented tables when tid is 0). */
static int announce(registry *reg, const inst_names *in, int64_t tid,
                    const char *table, const registry_drift_finding *const *f,
                    size_t n, errmsg *err)
{
    registry_event_about about = {0};
    cJSON *p = cJSON_CreateObject(), *arr;
    buf url = {0};
    int rc;

    cJSON_AddStringToObject(p, "instance", in->name);
    cJSON_AddStringToObject(p, "organisation", in->org);
    cJSON_AddStringToObject(p, "table", tid ? table : "");
    cJSON_AddNumberToObject(p, "new_findings", (double)n);
    arr = cJSON_AddArrayToObject(p, "findings");
    for (size_t i = 0; i < n && i < EVENT_FINDINGS_MAX; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", f[i]->kind);
        cJSON_AddStringToObject(o, "table", f[i]->table);
        cJSON_AddStringToObject(o, "column", f[i]->column);
        cJSON_AddStringToObject(o, "registry", f[i]->registry);
        cJSON_AddStringToObject(o, "live", f[i]->live);
        cJSON_AddItemToArray(arr, o);
    }
    buf_puts(&url, "/drift/");
    buf_append_url(&url, in->name);
    cJSON_AddStringToObject(p, "url", buf_cstr(&url));
    about.table_id = tid;
    rc = registry_event_emit(reg, NULL, EV_REGISTRY_DRIFT, &about, p, err);
    buf_dispose(&url);
    cJSON_Delete(p);
    return rc;
}

/* Records each finding of r in the announced set; those that were not in
 * it yet are announced, grouped by table. */
static int announce_new(registry *reg, const registry_drift_report *r,
                        int *out_new, errmsg *err)
{
    static const char ins[] =
        "INSERT OR IGNORE INTO drift_announced(instance_id, kind,"
        " table_name, column_name, created_at) VALUES (:inst, :kind,"
        " :table, :col, :now)";
    static const char inst_sql[] =
        "SELECT i.name, o.name FROM instances i JOIN organisations o"
        " ON o.id = i.org_id WHERE i.id = :inst";
    const registry_drift_finding **fresh;
    size_t nfresh = 0;
    inst_names in = {{0}, {0}};
    int64_t now = time_now();
    int rc = 0;

    fresh = xcalloc(r->nfindings + 1, sizeof *fresh);
    for (size_t i = 0; rc >= 0 && i < r->nfindings; i++) {
        const registry_drift_finding *f = &r->findings[i];
        sqlite3_stmt *st = reg_stmt(
            reg, ins, err, REG_INT(":inst", r->instance_id),
            REG_TEXT(":kind", f->kind), REG_TEXT(":table", f->table),
            REG_TEXT(":col", f->column ? f->column : ""), REG_INT(":now", now));
        rc = reg_exec_bound(reg, st, err);
        if (rc > 0)
            fresh[nfresh++] = f;
    }
    if (rc >= 0 && nfresh)
        rc = reg_one(
            reg, reg_stmt(reg, inst_sql, err, REG_INT(":inst", r->instance_id)),
            inst_row, &in, err);
    /* the findings come sorted by table: one event per run of a table */
    {
        const registry_drift_finding **undoc;
        size_t nundoc = 0;
        undoc = xcalloc(nfresh + 1, sizeof *undoc);
        for (size_t i = 0; rc >= 0 && i < nfresh;) {
            size_t j = i + 1;
            int64_t tid = 0;
            while (j < nfresh && !strcmp(fresh[j]->table, fresh[i]->table))
                j++;
            rc = table_id(reg, r->instance_id, fresh[i]->table, &tid, err);
            if (rc >= 0 && tid)
                rc = announce(reg, &in, tid, fresh[i]->table, fresh + i, j - i,
                              err);
            else
                for (size_t k = i; k < j; k++)
                    undoc[nundoc++] = fresh[k];
            i = j;
        }
        if (rc >= 0 && nundoc)
            rc = announce(reg, &in, 0, "", undoc, nundoc, err);
        free(undoc);
    }
    free(fresh);
    if (rc < 0)
        return rc;
    if (out_new)
        *out_new = (int)nfresh;
    return 0;
}

int registry_drift_store(registry *reg, const registry_drift_report *r,
                         int *out_new, errmsg *err)
{
    int nnew = 0;
    int rc = registry_begin(reg, err);

    if (rc < 0)
        return rc;
    rc = write_report(reg, r, err);
    if (rc == 0 && !r->failed)
        rc = announce_new(reg, r, &nnew, err);
    /* the rules cards (cached per generation) show the report's badges */
    if (rc == 0)
        rc = reg_generation_bump(reg, err);
    if (rc == 0)
        rc = registry_commit(reg, err);
    if (rc < 0) {
        registry_rollback(reg);
        return rc;
    }
    if (out_new)
        *out_new = nnew;
    return 0;
}

static int report_row(sqlite3_stmt *st, void *ctx)
{
    registry_drift_report *r = ctx;
    const char *status = "";

    reg_cols(st, "iiddntd", &r->instance_id, &r->checked_at, &r->source,
             &r->schema, &r->tables_compared, &status, &r->error);
    r->failed = strcmp(status, "ok") != 0;
    return 0;
}

typedef struct finding_vec {
    registry_drift_report *r;
    size_t cap;
} finding_vec;

static int finding_row(sqlite3_stmt *st, void *ctx)
{
    finding_vec *v = ctx;
    registry_drift_finding *f;

    xgrow(&v->r->findings, &v->cap, v->r->nfindings + 1,
          sizeof *v->r->findings);
    f = &v->r->findings[v->r->nfindings++];
    reg_cols(st, "ddddd", &f->kind, &f->table, &f->column, &f->registry,
             &f->live);
    return 0;
}

int registry_drift_load(registry *reg, registry_drift_report *out,
                        int64_t instance_id, errmsg *err)
{
    static const char sql[] =
        "SELECT instance_id, checked_at, source, schema_name,"
        " tables_compared, status, error FROM drift_reports"
        " WHERE instance_id = :inst";
    static const char sql_f[] =
        "SELECT kind, table_name, column_name, registry, live"
        " FROM drift_findings WHERE instance_id = :inst ORDER BY id";
    registry_drift_report r = {0};
    finding_vec v = {&r, 0};
    int rc =
        reg_one(reg, reg_stmt(reg, sql, err, REG_INT(":inst", instance_id)),
                report_row, &r, err);

    if (rc == 0)
        rc = reg_each(reg,
                      reg_stmt(reg, sql_f, err, REG_INT(":inst", instance_id)),
                      finding_row, &v, err);
    if (rc < 0) {
        registry_drift_report_dispose(&r);
        return rc;
    }
    *out = r;
    return 0;
}

void registry_drift_report_dispose(registry_drift_report *r)
{
    if (!r)
        return;
    free(r->source);
    free(r->schema);
    free(r->error);
    for (size_t i = 0; i < r->nfindings; i++) {
        registry_drift_finding *f = &r->findings[i];
        free(f->kind);
        free(f->table);
        free(f->column);
        free(f->registry);
        free(f->live);
    }
    free(r->findings);
    memset(r, 0, sizeof *r);
}
