/* drift_cases.h (domain): is the documentation true? One instance's
 * registry (its active and deprecated tables and columns, as rules cards)
 * compared with the schema of its live database (live/live.h). The
 * comparison (domain_drift_compare) is pure; domain_drift_check reads
 * both sides, compares and keeps the report (registry/drift.h), which
 * announces new findings once as registry.drift events.
 *
 * Findings, each {kind, table, column, registry, live}:
 *   undocumented_table   a live table the registry does not have
 *   undocumented_column  a live column of a documented table that the
 *                        registry does not have (or has as retired)
 *   missing_table        an active registry table absent live
 *   missing_column       an active registry column absent live
 *   type                 the registry's type is not what the generator
 *                        writes for the live type (migrate_type_equal,
 *                        per the live database's dialect)
 *   nullable             null / not null differ
 *   primary_key          in the primary key on one side only
 *   comment              informational: the description differs from the
 *                        live comment (blanks and line breaks count as one
 *                        space). Only when the source keeps comments at
 *                        all (some table or column has one): SQLite keeps
 *                        none, and a database whose comments were never
 *                        written would otherwise report every description.
 * Deprecated tables and columns absent live are no finding (deprecation
 * precedes the drop). Names are compared as the dialect does: exactly
 * first (docket quotes every name), then, for MySQL and SQLite, in any
 * case. A finding's table is the live spelling when the table exists live.
 * Sorted by table (byte order), then column ("" first), then kind in the
 * order above. registry and live are short texts for people: a whole
 * column as "string(255), not null, primary key", one aspect as
 * "string(255)", "not null", "primary key" / "not in the primary key", a
 * comment as its text; "" where that side has nothing. */
#ifndef DOCKET_DRIFT_CASES_H
#define DOCKET_DRIFT_CASES_H

#include "catalog.h"
#include "domain.h"
#include "drift.h"
#include "live.h"

typedef enum drift_kind {
    DRIFT_UNDOCUMENTED_TABLE = 0,
    DRIFT_UNDOCUMENTED_COLUMN,
    DRIFT_MISSING_TABLE,
    DRIFT_MISSING_COLUMN,
    DRIFT_TYPE,
    DRIFT_NULLABLE,
    DRIFT_PRIMARY_KEY,
    DRIFT_COMMENT,
    DRIFT_NKINDS
} drift_kind;

/* "undocumented_table", ...; "" out of range. */
const char *domain_drift_kind_name(drift_kind k);
/* The kind named s, or -1. */
int domain_drift_kind_parse(const char *s);

/* Compares cards[0..ncards) (one instance's tables, any order) with live
 * into *out: its findings (owned: free with
 * registry_drift_report_dispose), tables_compared (registry tables found
 * live), source and schema copied from live. instance_id and checked_at
 * are left to the caller. Never fails. */
void domain_drift_compare(registry_drift_report *out,
                          const registry_card *cards, size_t ncards,
                          const live_schema *live);

/* What domain_drift_check is asked. */
typedef struct domain_drift_request {
    const char *instance; /* required */
    const char *source;   /* required: a live_read source (credentials
                             expanded; printed only redacted) */
    const char *schema;   /* NULL: the source's default */
    int store;            /* 1: keep the report and announce */
    int64_t now;          /* checked_at; 0: the clock */
} domain_drift_request;

/* Every table card of instance (active, deprecated and retired tables,
 * as the registry keeps them) into *out, n in *out_n: what the check and
 * adopt compare with a live schema. Free with domain_drift_free_cards. */
int domain_drift_load_cards(registry *reg, const char *instance,
                            registry_card **out, size_t *out_n, errmsg *err);
void domain_drift_free_cards(registry_card *cards, size_t n);

/* Checks the instance: reads its registry (as actor may see it: another
 * organisation's instance is ERR_NOTFOUND with the message of a missing
 * one, "no instance I") and the live schema, compares, and with store
 * keeps the report (also a failed one) and announces new findings
 * (*out_new, may be NULL). *out is filled (dispose it) also when the
 * source cannot be read: then out->failed and out->error, and the
 * return is live_read's code (ERR_INVALID: a source it cannot parse,
 * ERR_IO: unreachable, refused, unreadable) with the same message in
 * err. ERR_NOTFOUND/ERR_DB leave *out empty. */
int domain_drift_check(registry *reg, const domain_actor *actor,
                       const domain_drift_request *rq,
                       registry_drift_report *out, int *out_new, errmsg *err);

#endif
