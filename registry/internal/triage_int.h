/* triage_int.h: what the files of the triage store share (registry/
 * triage_*.c only): the request state read, the rules table, the event
 * rows and payloads, and small checks. The public contracts are in
 * triage.h. */
#ifndef DOCKET_TRIAGE_INT_H
#define DOCKET_TRIAGE_INT_H

#include "registry_int.h"
#include "triage.h"

#include <cjson/cJSON.h>

static inline const char *tr_nz(const char *s)
{
    return s ? s : "";
}

/* The organisation filter of who: its organisation for a client, 0 (any)
 * for staff. */
int64_t tr_org_filter(const registry_actor *who);
/* PM or admin? */
int tr_staff_writer(const registry_actor *who);

/* The cached statement sql with :id and :org (0: any organisation)
 * bound; NULL on error (reg_each and reg_one answer it with ERR_DB). */
sqlite3_stmt *tr_request_stmt(registry *reg, const char *sql, int64_t id,
                              int64_t org_filter, errmsg *err);

/* The state of request id as stored. */
typedef struct tr_state {
    request_status status;
    int64_t org_id;
    int64_t pm_id;
    int64_t sprint_id;
    int version;
} tr_state;

/* The state of request id (org_filter as for registry_request_load):
 * ERR_NOTFOUND naming the request when there is none (or it is another
 * organisation's). */
int tr_state_get(registry *reg, tr_state *out, int64_t id, int64_t org_filter,
                 errmsg *err);
/* The status before the last needs_info (REQ_SUBMITTED when unknown). */
int tr_prev_status(registry *reg, request_status *out, int64_t id, errmsg *err);
/* A request_events row (user and instance 0: NULL). */
int tr_event_row(registry *reg, int64_t id, int64_t user, request_status from,
                 request_status to, int64_t inst_id, const char *note,
                 int64_t now, errmsg *err);
/* registry_request_payload with extra and the event written; extra (may
 * be NULL) is called to add its keys. */
int tr_event_write(registry *reg, docket_event ev, int64_t id,
                   const registry_actor *who, const char *note,
                   void (*extra)(cJSON *payload, void *ctx), void *ctx,
                   errmsg *err);
/* A text of at most max bytes, valid UTF-8 without control characters;
 * ERR_INVALID naming field otherwise. NULL passes. */
int tr_text_check(const char *s, size_t max, const char *field, errmsg *err);
/* 1 for NULL and text of blanks only. */
int tr_blank(const char *s);
/* A count (first column of a one-row statement binding :id). */
int tr_count(registry *reg, const char *sql, int64_t id, int64_t *out,
             errmsg *err);
/* reg_exec_bound answering 0 instead of the number of rows changed. */
static inline int tr_exec(registry *reg, sqlite3_stmt *st, errmsg *err)
{
    int rc = reg_exec_bound(reg, st, err);

    return rc < 0 ? rc : 0;
}
/* Runs fn(reg, ctx, err) in one transaction: committed when it returns 0,
 * rolled back otherwise. */
int tr_in_tx(registry *reg, int (*fn)(registry *reg, void *ctx, errmsg *err),
             void *ctx, errmsg *err);
/* {"id", "name", "deploy_at"} of a sprint. Caller owns it. */
cJSON *tr_sprint_json(const registry_sprint *s);
/* Floor division (days of times before 1970 included). */
int64_t tr_floor_div(int64_t a, int64_t b);
/* Copies the sprint columns id, name, starts_on, ends_on, deploy_at. */
int tr_sprint_row(sqlite3_stmt *st, void *ctx);

/* The transition inside the caller's transaction (triage_transition.c);
 * an edit that answers a question runs it too. */
int tr_transition_tx(registry *reg, request_status *out_status, int64_t id,
                     const registry_actor *who, const registry_transition *t,
                     errmsg *err);

#endif
