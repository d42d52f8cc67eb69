/* feed_alerts.c: the store of the feed alerts (feeds.h): which alerts were
 * raised for which slot of which table, raising one once (the record and
 * its event in one transaction), the row counts the anomaly rule reads,
 * and pruning. The rules are domain/feed_alerts.c's; the table is step
 * 11 of schema.c. */
#include "feeds.h"
#include "registry_int.h"
#include "mem.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

typedef struct alert_vec {
    registry_feed_alert *v;
    size_t n, cap;
} alert_vec;

static int alert_push(sqlite3_stmt *st, void *ctx)
{
    alert_vec *av = ctx;
    registry_feed_alert *a;

    xgrow(&av->v, &av->cap, av->n + 1, sizeof *av->v);
    a = &av->v[av->n++];
    memset(a, 0, sizeof *a);
    reg_cols(st, "iiic", &a->instance_id, &a->table_id, &a->slot_start, a->kind,
             sizeof a->kind);
    return 0;
}

int registry_feed_alerts_list(registry *reg, int64_t instance_id, int64_t from,
                              registry_feed_alert **out, size_t *out_n,
                              errmsg *err)
{
    static const char sql[] =
        "SELECT instance_id, table_id, slot_start, kind FROM feed_alerts"
        " WHERE instance_id = :inst AND slot_start >= :from"
        " ORDER BY table_id, slot_start, kind";
    alert_vec av = {0};
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":inst", instance_id),
                                REG_INT(":from", from));
    int rc = reg_each(reg, st, alert_push, &av, err);

    if (rc < 0) {
        free(av.v);
        return rc;
    }
    *out = av.v;
    *out_n = av.n;
    return 0;
}

int registry_feed_alert_raise(registry *reg, const registry_feed_alert *a,
                              const char *event, const char *payload_json,
                              int *out_raised, errmsg *err)
{
    static const char ins[] =
        "INSERT OR IGNORE INTO feed_alerts(instance_id, table_id, slot_start,"
        " kind, created_at) VALUES (:inst, :table, :slot, :kind, :now)";
    static const char set_event[] =
        "UPDATE feed_alerts SET event_id = :event WHERE id = :id";
    registry_event_about about = {0};
    sqlite3_stmt *st;
    int64_t id, event_id = 0;
    int rc;

    /* BEGIN IMMEDIATE: a tick of another process that raises the same
       alert waits here, then finds the record and writes nothing. */
    rc = registry_begin(reg, err);
    if (rc < 0)
        return rc;
    st = reg_stmt(reg, ins, err, REG_INT(":inst", a->instance_id),
                  REG_INT(":table", a->table_id),
                  REG_INT(":slot", a->slot_start), REG_TEXT(":kind", a->kind),
                  REG_INT(":now", time_now()));
    rc = reg_exec_bound(reg, st, err);
    if (rc <= 0) {
        /* 0: raised before; nothing to write */
        registry_rollback(reg);
        if (rc == 0 && out_raised)
            *out_raised = 0;
        return rc < 0 ? rc : 0;
    }
    id = sqlite3_last_insert_rowid(reg->db);
    about.table_id = a->table_id;
    rc = registry_event_add(reg, &event_id, event, &about, payload_json, err);
    if (rc == 0) {
        st = reg_stmt(reg, set_event, err, REG_INT(":event", event_id),
                      REG_INT(":id", id));
        rc = reg_exec_bound(reg, st, err);
    }
    if (rc >= 0)
        rc = registry_commit(reg, err);
    if (rc < 0) {
        registry_rollback(reg);
        return rc;
    }
    if (out_raised)
        *out_raised = 1;
    return 0;
}

typedef struct rows_out {
    int64_t *v;
    size_t n, max;
} rows_out;

static int rows_push(sqlite3_stmt *st, void *ctx)
{
    rows_out *r = ctx;

    if (r->n < r->max)
        r->v[r->n++] = sqlite3_column_int64(st, 0);
    return 0;
}

int registry_feed_rows_before(registry *reg, int64_t table_id,
                              int64_t arrived_at, int64_t id, int64_t *out,
                              size_t max, size_t *out_n, errmsg *err)
{
    /* by the index arrivals_table_time, newest first */
    static const char sql[] =
        "SELECT rows FROM arrivals WHERE table_id = :table"
        " AND (arrived_at < :at OR (arrived_at = :at AND id < :id))"
        " AND status = 'ok' AND rows >= 0"
        " ORDER BY arrived_at DESC, id DESC LIMIT :max";
    rows_out r = {out, 0, max};
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":table", table_id),
                                REG_INT(":at", arrived_at), REG_INT(":id", id),
                                REG_INT(":max", (int64_t)max));
    int rc = reg_each(reg, st, rows_push, &r, err);

    if (rc < 0)
        return rc;
    *out_n = r.n;
    return 0;
}

int registry_feed_arrived_before(registry *reg, int64_t table_id,
                                 int64_t before, int *out, errmsg *err)
{
    static const char sql[] =
        "SELECT EXISTS (SELECT 1 FROM arrivals WHERE table_id = :table"
        " AND arrived_at < :before)";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":table", table_id),
                                REG_INT(":before", before));
    int64_t n = 0;
    int rc = reg_count(reg, st, &n, err);

    if (rc < 0)
        return rc;
    *out = n != 0;
    return 0;
}

int registry_feed_prune(registry *reg, int64_t before, int64_t *out_arrivals,
                        int64_t *out_alerts, errmsg *err)
{
    static const char sql_alerts[] =
        "DELETE FROM feed_alerts WHERE slot_start < :before";
    int64_t na = 0, nl = 0;
    int rc = registry_begin(reg, err);

    if (rc < 0)
        return rc;
    rc = registry_arrival_prune(reg, before, &na, err);
    if (rc == 0)
        rc = reg_exec_count(
            reg, reg_stmt(reg, sql_alerts, err, REG_INT(":before", before)),
            &nl, err);
    if (rc == 0)
        rc = registry_commit(reg, err);
    if (rc < 0) {
        registry_rollback(reg);
        return rc;
    }
    if (out_arrivals)
        *out_arrivals = na;
    if (out_alerts)
        *out_alerts = nl;
    return 0;
}
