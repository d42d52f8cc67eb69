/* feeds.h: the arrivals store (feeds.c). Every file the loading job
 * reports for a table of an instance is one row, unique on (instance,
 * table, file); the rules the gate reads (cadence, expected arrival,
 * grace, campaign dependency, escalation, runbook) are the table's own
 * (reg_tables). Slots, states and the gate are derived in domain/. */
#ifndef DOCKET_FEEDS_H
#define DOCKET_FEEDS_H

#include "registry.h"

#include <stddef.h>
#include <stdint.h>

#define REGISTRY_ARRIVAL_FILE_MAX    500
#define REGISTRY_ARRIVAL_MESSAGE_MAX 2000

/* One arrival as stored. */
typedef struct registry_arrival {
    int64_t id;
    int64_t instance_id;
    int64_t table_id;
    char instance[101];
    char table[256];
    char file[REGISTRY_ARRIVAL_FILE_MAX + 1];
    int64_t rows;  /* -1: not reported */
    int64_t bytes; /* -1: not reported */
    int64_t arrived_at;
    int failed; /* status: 0 ok, 1 failed */
    char message[REGISTRY_ARRIVAL_MESSAGE_MAX + 1];
    int64_t reported_by; /* user id, 0: none */
    int64_t created_at;
} registry_arrival;

/* A table of an instance with the rules the feeds read (strings owned,
 * freed by registry_feed_table_dispose). */
typedef struct registry_feed_table {
    int64_t id;
    int64_t instance_id;
    int64_t org_id;
    char *name;
    char *cadence;
    char *expected_arrival;
    char *expected_day; /* weekly "mon".."sun", monthly "1".."31"|"last" */
    int64_t late_after_minutes;
    int64_t anomaly_low_pct;   /* rows below this % of the median: 0 off */
    int64_t anomaly_high_pct;  /* rows above this % of the median: 0 off */
    char *campaign_dependency; /* required, optional or "" */
    char *campaign_note;
    char *escalation;
    char *runbook;
} registry_feed_table;
void registry_feed_table_dispose(registry_feed_table *t);

/* The active table name (any case) of instance_id into *out: ERR_NOTFOUND
 * (no message) when there is none. */
int registry_feed_table_get(registry *reg, registry_feed_table *out,
                            int64_t instance_id, const char *name, errmsg *err);
/* Every active table of instance_id with a cadence (tracked or not), by
 * name (any case): one query. *out (caller frees with
 * registry_feed_tables_free). */
int registry_feed_tables(registry *reg, int64_t instance_id,
                         registry_feed_table **out, size_t *out_n, errmsg *err);
void registry_feed_tables_free(registry_feed_table *t, size_t n);

/* Stores a (instance_id, table_id, file, rows, bytes, arrived_at, failed,
 * message, reported_by of *io) in one transaction. When that (instance,
 * table, file) is already stored, nothing changes. Either way *io
 * becomes the stored row and *out_created is 1 for a new row, 0 else. */
int registry_arrival_insert(registry *reg, registry_arrival *io,
                            int *out_created, errmsg *err);

/* Arrivals of instance_id (of table_id, 0: every table) with arrived_at
 * in [from, to], by table id, then oldest first; *out (caller frees). One
 * query, by the index of each table. */
int registry_arrival_list(registry *reg, int64_t instance_id, int64_t table_id,
                          int64_t from, int64_t to, registry_arrival **out,
                          size_t *out_n, errmsg *err);

/* The latest arrival at or before `at` (the greatest arrived_at, then
 * the greatest id: the one reported last) of each active table of
 * instance_id with a cadence (the tables registry_feed_tables lists) that
 * has one: read into dest(ctx, table_id) (NULL: skipped), every field
 * set. One query, one index seek per table: what a gate needs, since a
 * table's current slot holds `at`, so the latest arrival up to `at`
 * decides its state when it is in the slot and none does when it is
 * not. */
int registry_arrival_latest(registry *reg, int64_t instance_id, int64_t at,
                            registry_arrival *(*dest)(void *ctx,
                                                      int64_t table_id),
                            void *ctx, errmsg *err);

/* The id of the arrival reported last (0: none), or -1 when it cannot be
 * read: arrivals are only ever inserted (and old ones pruned), so a new
 * report changes it; what a cached answer built from today's state keys
 * on. */
int64_t registry_arrivals_last(registry *reg);

/* What the gate of instance_id is built from: *out_ver the largest
 * version (schema step 13) of its tables' rows, of its table names and
 * of pruning, *out_arrivals registry_arrivals_last, in one read. A
 * change to any of them changes one of the two. 0 or ERR_* (err set). */
int registry_feed_version(registry *reg, int64_t instance_id, int64_t *out_ver,
                          int64_t *out_arrivals, errmsg *err);

/* Deletes every arrival that arrived before `before` and, when there
 * were any, moves the version registry_feed_version reads; *out_n (may
 * be NULL) how many. Run it in the caller's transaction. */
int registry_arrival_prune(registry *reg, int64_t before, int64_t *out_n,
                           errmsg *err);

/* ---- feed alerts (feed_alerts.c) ---- */

/* One alert raised: the slot of a table and its kind. */
typedef struct registry_feed_alert {
    int64_t instance_id;
    int64_t table_id;
    int64_t slot_start; /* the slot's start (feed_slot.start) */
    char kind[12];      /* missing, recovered, failed, anomaly */
} registry_feed_alert;

/* The alerts raised for the tables of instance_id for slots that began
 * at or after from, by table and slot; *out (caller frees). */
int registry_feed_alerts_list(registry *reg, int64_t instance_id, int64_t from,
                              registry_feed_alert **out, size_t *out_n,
                              errmsg *err);

/* Raises alert a once: in one transaction, records (instance, table,
 * slot, kind) unless it is recorded already and, only when it was not,
 * writes the event named event with payload_json (registry_event_add:
 * outbox rows as [route] says and the inbox of those it concerns, about
 * the table, by nobody). *out_raised is 1 when the event was written, 0
 * when the alert had been raised before (by this process or another);
 * nothing is written on error. */
int registry_feed_alert_raise(registry *reg, const registry_feed_alert *a,
                              const char *event, const char *payload_json,
                              int *out_raised, errmsg *err);

/* The rows (>= 0) of the last max good (status ok) arrivals of table_id
 * with a row count that came before the arrival (arrived_at, id), newest
 * first, into out[0..*out_n). */
int registry_feed_rows_before(registry *reg, int64_t table_id,
                              int64_t arrived_at, int64_t id, int64_t *out,
                              size_t max, size_t *out_n, errmsg *err);

/* *out is 1 when table_id has an arrival (any status) before `before`,
 * else 0. */
int registry_feed_arrived_before(registry *reg, int64_t table_id,
                                 int64_t before, int *out, errmsg *err);

/* Deletes, in one transaction, the arrivals that arrived before `before`
 * and the alerts of slots that began before it; how many of each into
 * *out_arrivals and *out_alerts (either may be NULL). */
int registry_feed_prune(registry *reg, int64_t before, int64_t *out_arrivals,
                        int64_t *out_alerts, errmsg *err);

#endif
