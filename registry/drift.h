/* drift.h: the store of drift checks (schema step 12): the last report
 * of each instance against its live database with its findings, and the
 * findings already announced, so that a registry.drift event is written
 * once per (kind, table, column) of an instance. The comparison is
 * domain/drift.c's; this file only keeps and reads what it found. */
#ifndef DOCKET_REGISTRY_DRIFT_H
#define DOCKET_REGISTRY_DRIFT_H

#include "registry.h"

#include <stddef.h>
#include <stdint.h>

/* One finding; the strings are never NULL ("" for a table's own finding's
 * column). In a report handed to registry_drift_store they are borrowed;
 * in one read by registry_drift_load they are owned by the report. */
typedef struct registry_drift_finding {
    char *kind;     /* "undocumented_table", "missing_column", "type", ... */
    char *table;    /* the live spelling, or the registry's when absent */
    char *column;   /* "" for a finding about the table */
    char *registry; /* what the registry says, for people ("" for none) */
    char *live;     /* what the database says ("" for none) */
} registry_drift_finding;

/* One check of an instance. */
typedef struct registry_drift_report {
    int64_t instance_id;
    int64_t checked_at; /* Unix seconds */
    char *source;       /* redacted (live_source_redact) */
    char *schema;       /* the schema or database read */
    int tables_compared;
    int failed;                       /* 1: the source could not be read */
    char *error;                      /* its one-line message, "" when ok */
    registry_drift_finding *findings; /* in the comparison's order */
    size_t nfindings;
} registry_drift_report;

/* Replaces the last report of r->instance_id with r and its findings,
 * and announces the findings of r not announced before for the instance:
 * per documented table with new findings one registry.drift event about
 * that table (its watchers get it in their inbox), and one event for the
 * new findings on tables the registry does not know; each payload is
 *   {"instance", "organisation", "table" ("" for undocumented tables),
 *    "new_findings": n, "findings": [{"kind", "table", "column",
 *    "registry", "live"}] (at most 20), "url": "/drift/<instance>"}.
 * A finding once announced is never announced again, also when it goes
 * away and comes back. A failed report announces nothing and keeps the
 * announced set. All in one transaction; *out_new (may be NULL) gets the
 * number of new findings. */
int registry_drift_store(registry *reg, const registry_drift_report *r,
                         int *out_new, errmsg *err);

/* The last report of instance_id into *out (strings owned; free with
 * registry_drift_report_dispose). ERR_NOTFOUND (no message) when the
 * instance was never checked. */
int registry_drift_load(registry *reg, registry_drift_report *out,
                        int64_t instance_id, errmsg *err);

/* Frees what a loaded report owns and leaves it all-zero. NULL-safe. */
void registry_drift_report_dispose(registry_drift_report *r);

#endif
