/* feeds.c: the arrivals store and the rules of the tables the feeds read
 * (feeds.h). */
#include "feeds.h"
#include "registry_int.h"
#include "mem.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

/* ---- tables ------------------------------------------------------------- */

#define FEED_TABLE_SQL                                                         \
    "SELECT t.id, t.instance_id, i.org_id, t.name, t.cadence,"                 \
    " t.expected_arrival, t.late_after_minutes, t.campaign_dependency,"        \
    " t.campaign_note, t.escalation, t.runbook, t.expected_day,"               \
    " t.anomaly_low_pct, t.anomaly_high_pct"                                   \
    " FROM reg_tables t JOIN instances i ON i.id = t.instance_id"

static void feed_table_read(registry_feed_table *t, sqlite3_stmt *st)
{
    reg_cols(st, "iiidddidddddii", &t->id, &t->instance_id, &t->org_id,
             &t->name, &t->cadence, &t->expected_arrival,
             &t->late_after_minutes, &t->campaign_dependency, &t->campaign_note,
             &t->escalation, &t->runbook, &t->expected_day, &t->anomaly_low_pct,
             &t->anomaly_high_pct);
}

void registry_feed_table_dispose(registry_feed_table *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->cadence);
    free(t->expected_arrival);
    free(t->expected_day);
    free(t->campaign_dependency);
    free(t->campaign_note);
    free(t->escalation);
    free(t->runbook);
    memset(t, 0, sizeof *t);
}

static int feed_table_one(sqlite3_stmt *st, void *ctx)
{
    feed_table_read(ctx, st);
    return 0;
}

int registry_feed_table_get(registry *reg, registry_feed_table *out,
                            int64_t instance_id, const char *name, errmsg *err)
{
    static const char sql[] =
        FEED_TABLE_SQL " WHERE t.instance_id = :inst AND t.name = :name"
                       " AND t.status = 'active'";
    registry_feed_table t = {0};
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":inst", instance_id),
                                REG_TEXT(":name", name));
    int rc = reg_one(reg, st, feed_table_one, &t, err);

    if (rc == 0)
        *out = t;
    return rc;
}

typedef struct table_vec {
    registry_feed_table *v;
    size_t n, cap;
} table_vec;

static int feed_table_push(sqlite3_stmt *st, void *ctx)
{
    table_vec *tv = ctx;

    xgrow(&tv->v, &tv->cap, tv->n + 1, sizeof *tv->v);
    memset(&tv->v[tv->n], 0, sizeof tv->v[tv->n]);
    feed_table_read(&tv->v[tv->n++], st);
    return 0;
}

int registry_feed_tables(registry *reg, int64_t instance_id,
                         registry_feed_table **out, size_t *out_n, errmsg *err)
{
    static const char sql[] =
        FEED_TABLE_SQL " WHERE t.instance_id = :inst AND t.status = 'active'"
                       " AND t.cadence <> '' ORDER BY t.name, t.id";
    table_vec tv = {0};
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":inst", instance_id));
    int rc = reg_each(reg, st, feed_table_push, &tv, err);

    if (rc < 0) {
        registry_feed_tables_free(tv.v, tv.n);
        return rc;
    }
    *out = tv.v;
    *out_n = tv.n;
    return 0;
}

void registry_feed_tables_free(registry_feed_table *t, size_t n)
{
    for (size_t i = 0; t && i < n; i++)
        registry_feed_table_dispose(&t[i]);
    free(t);
}

/* ---- arrivals ----------------------------------------------------------- */

#define ARRIVAL_SQL                                                            \
    "SELECT a.id, a.instance_id, a.table_id, i.name, t.name, a.file, a.rows,"  \
    " a.bytes, a.arrived_at, a.status = 'failed', a.message,"                  \
    " coalesce(a.reported_by, 0), a.created_at"                                \
    " FROM arrivals a JOIN instances i ON i.id = a.instance_id"                \
    " JOIN reg_tables t ON t.id = a.table_id"

static void arrival_read(registry_arrival *a, sqlite3_stmt *st)
{
    memset(a, 0, sizeof *a);
    reg_cols(st, "iiiccciiibcii", &a->id, &a->instance_id, &a->table_id,
             a->instance, sizeof a->instance, a->table, sizeof a->table,
             a->file, sizeof a->file, &a->rows, &a->bytes, &a->arrived_at,
             &a->failed, a->message, sizeof a->message, &a->reported_by,
             &a->created_at);
}

static int arrival_one(sqlite3_stmt *st, void *ctx)
{
    arrival_read(ctx, st);
    return 0;
}

int registry_arrival_insert(registry *reg, registry_arrival *io,
                            int *out_created, errmsg *err)
{
    static const char ins[] =
        "INSERT INTO arrivals(instance_id, table_id, file, rows, bytes,"
        " arrived_at, status, message, reported_by, created_at)"
        " VALUES (:inst, :table, :file, :rows, :bytes, :at, :status, :msg,"
        " :by, :now) ON CONFLICT (instance_id, table_id, file) DO NOTHING";
    static const char get[] =
        ARRIVAL_SQL " WHERE a.instance_id = :inst AND a.table_id = :table"
                    " AND a.file = :file";
    registry_arrival stored;
    sqlite3_stmt *st;
    int rc;

    rc = registry_begin(reg, err);
    if (rc < 0)
        return rc;
    st = reg_stmt(reg, ins, err, REG_INT(":inst", io->instance_id),
                  REG_INT(":table", io->table_id), REG_TEXT(":file", io->file),
                  REG_INT(":rows", io->rows), REG_INT(":bytes", io->bytes),
                  REG_INT(":at", io->arrived_at),
                  REG_TEXT(":status", io->failed ? "failed" : "ok"),
                  REG_TEXT(":msg", io->message), REG_ID(":by", io->reported_by),
                  REG_INT(":now", time_now()));
    rc = reg_exec_bound(reg, st, err);
    if (rc < 0)
        goto fail;
    if (out_created)
        *out_created = rc > 0;
    st = reg_stmt(reg, get, err, REG_INT(":inst", io->instance_id),
                  REG_INT(":table", io->table_id), REG_TEXT(":file", io->file));
    rc = reg_one(reg, st, arrival_one, &stored, err);
    if (rc < 0)
        goto fail;
    rc = registry_commit(reg, err);
    if (rc < 0)
        return rc;
    *io = stored;
    return 0;
fail:
    registry_rollback(reg);
    return rc;
}

typedef struct arrival_vec {
    registry_arrival *v;
    size_t n, cap;
} arrival_vec;

static int arrival_push(sqlite3_stmt *st, void *ctx)
{
    arrival_vec *av = ctx;

    xgrow(&av->v, &av->cap, av->n + 1, sizeof *av->v);
    arrival_read(&av->v[av->n++], st);
    return 0;
}

int registry_arrival_list(registry *reg, int64_t instance_id, int64_t table_id,
                          int64_t from, int64_t to, registry_arrival **out,
                          size_t *out_n, errmsg *err)
{
    /* from the instance's tables to each one's arrivals by the index
       arrivals_table_time, in that order (CROSS JOIN): never a scan of
       the instance's whole history by arrivals_file */
    static const char sql[] =
        "SELECT a.id, a.instance_id, a.table_id, i.name, t.name, a.file,"
        " a.rows, a.bytes, a.arrived_at, a.status = 'failed', a.message,"
        " coalesce(a.reported_by, 0), a.created_at"
        " FROM instances i CROSS JOIN reg_tables t CROSS JOIN arrivals a"
        " WHERE i.id = :inst AND t.instance_id = i.id"
        " AND (:table = 0 OR t.id = :table) AND a.table_id = t.id"
        " AND a.arrived_at BETWEEN :from AND :to"
        " ORDER BY a.table_id, a.arrived_at, a.id";
    arrival_vec av = {0};
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":inst", instance_id),
                                REG_INT(":table", table_id),
                                REG_INT(":from", from), REG_INT(":to", to));
    int rc = reg_each(reg, st, arrival_push, &av, err);

    if (rc < 0) {
        free(av.v);
        return rc;
    }
    *out = av.v;
    *out_n = av.n;
    return 0;
}

typedef struct latest_ctx {
    registry_arrival *(*dest)(void *ctx, int64_t table_id);
    void *ctx;
} latest_ctx;

static int arrival_latest_row(sqlite3_stmt *st, void *ctx)
{
    latest_ctx *lc = ctx;
    registry_arrival *a = lc->dest(lc->ctx, sqlite3_column_int64(st, 2));

    /* every field is set: no need to clear the 3 KB first */
    if (a)
        reg_cols(st, "iiiccciiibcii", &a->id, &a->instance_id, &a->table_id,
                 a->instance, sizeof a->instance, a->table, sizeof a->table,
                 a->file, sizeof a->file, &a->rows, &a->bytes, &a->arrived_at,
                 &a->failed, a->message, sizeof a->message, &a->reported_by,
                 &a->created_at);
    return 0;
}

int registry_arrival_latest(registry *reg, int64_t instance_id, int64_t at,
                            registry_arrival *(*dest)(void *ctx,
                                                      int64_t table_id),
                            void *ctx, errmsg *err)
{
    /* the instance's tables by its (instance, name) index, and for each
       one seek backwards from `at` in arrivals_table_time (whose entries
       end in the rowid, so "arrived_at DESC, id DESC" is its order) */
    static const char sql[] =
        "SELECT a.id, a.instance_id, a.table_id, i.name, t.name, a.file,"
        " a.rows, a.bytes, a.arrived_at, a.status = 'failed', a.message,"
        " coalesce(a.reported_by, 0), a.created_at"
        " FROM instances i CROSS JOIN reg_tables t CROSS JOIN arrivals a"
        " WHERE i.id = :inst AND t.instance_id = i.id"
        " AND t.status = 'active' AND t.cadence <> ''"
        " AND a.id = (SELECT b.id FROM arrivals b WHERE b.table_id = t.id"
        " AND b.arrived_at <= :at ORDER BY b.arrived_at DESC, b.id DESC"
        " LIMIT 1)";
    latest_ctx lc = {dest, ctx};
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":inst", instance_id),
                                REG_INT(":at", at));

    return reg_each(reg, st, arrival_latest_row, &lc, err);
}

int64_t registry_arrivals_last(registry *reg)
{
    static const char sql[] = "SELECT coalesce(max(id), 0) FROM arrivals";
    int64_t n = -1;

    if (reg_count(reg, reg_stmt_get(reg, sql, NULL), &n, NULL) < 0)
        return -1;
    return n;
}

static int feed_version_row(sqlite3_stmt *st, void *ctx)
{
    int64_t *v = ctx;

    v[0] = sqlite3_column_int64(st, 0);
    v[1] = sqlite3_column_int64(st, 1);
    return 0;
}

int registry_feed_version(registry *reg, int64_t instance_id, int64_t *out_ver,
                          int64_t *out_arrivals, errmsg *err)
{
    /* the versions (schema step 13) of each table of the instance (any
       change of its row), of the instance's table names (a table added
       or removed) and of pruning ('p', registry_arrival_prune), and the
       last arrival: one seek per table */
    static const char sql[] =
        "SELECT max(coalesce((SELECT max(c.v) FROM reg_tables t"
        "  JOIN cache_versions c ON c.scope = 't' || t.id"
        "  WHERE t.instance_id = :inst), 0),"
        " coalesce((SELECT v FROM cache_versions"
        "  WHERE scope = 'l' || :inst), 0),"
        " coalesce((SELECT v FROM cache_versions WHERE scope = 'p'), 0)),"
        " (SELECT coalesce(max(id), 0) FROM arrivals)";
    int64_t v[2] = {-1, -1};
    int rc =
        reg_one(reg, reg_stmt(reg, sql, err, REG_INT(":inst", instance_id)),
                feed_version_row, v, err);

    if (rc < 0)
        return rc;
    *out_ver = v[0];
    *out_arrivals = v[1];
    return 0;
}

int registry_arrival_prune(registry *reg, int64_t before, int64_t *out_n,
                           errmsg *err)
{
    static const char sql[] = "DELETE FROM arrivals WHERE arrived_at < :before";
    /* a pruned arrival may have decided a state: the version 'p' of
       registry_feed_version moves (the sequence of schema step 13) */
    static const char bump[] =
        "UPDATE meta SET value = value + 1 WHERE key = 'versions'";
    static const char put[] =
        "INSERT INTO cache_versions(scope, v) SELECT 'p', value FROM meta"
        " WHERE key = 'versions' ON CONFLICT (scope) DO UPDATE SET v = "
        "excluded.v";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":before", before));
    int64_t n = 0;
    int rc = reg_exec_count(reg, st, &n, err);

    if (rc == 0 && n > 0)
        rc = reg_exec(reg, bump, err);
    if (rc == 0 && n > 0)
        rc = reg_exec(reg, put, err);
    if (rc == 0 && out_n)
        *out_n = n;
    return rc;
}
