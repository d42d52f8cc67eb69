/* requests.h: change requests in the store: the one-transaction insert of
 * a submitted request (items, columns, instances, attachments, first event
 * and version, outbox rows), loading and listing with the organisation
 * filter every client query needs, attachments and the request timeline.
 * The insert is implemented in requests.c, the reads in requests_read.c;
 * the life cycle after submission (triage, comments, sprints) builds on
 * these functions, and domain/submit.h is the use case that submits. */
#ifndef DOCKET_REQUESTS_H
#define DOCKET_REQUESTS_H

#include "registry.h"

#include <stddef.h>
#include <stdint.h>

/* Longest Idempotency-Key accepted (bytes of printable ASCII). */
#define REGISTRY_IDEM_MAX 200

/* Who submits, besides what (inputs of registry_request_insert). */
typedef struct registry_submit {
    int64_t requester_id;        /* the submitting account; 0 for none (then the
                                    idempotency key is ignored) */
    const char *actor;           /* display name written in the event payload;
                                    NULL or "": the request's requester_name */
    const char *idempotency_key; /* NULL or "": none */
} registry_submit;

/* Stores a validated request (run form_validate first) in ONE transaction
 * (BEGIN IMMEDIATE ... COMMIT; never call it inside an open transaction):
 * the requests row (status "submitted", version 1), request_instances
 * (r->instances in order, preceded by the main instance when the list
 * does not name it; repeats are ignored), request_items and item_columns in
 * order, attachments (bytes of r->attachments[i].data, SHA-256 computed here,
 * content type as given), a request_events row ('' -> 'submitted'), a
 * request_versions row (version 1, body = form_request_to_json(r) of the
 * request as submitted, i.e. without id/status) and the "request.submitted"
 * event with its outbox rows (registry_event_add). Any failure rolls everything
 * back.
 *
 * Names are resolved here: r->organisation must name an organisation,
 * r->instance and every r->instances[] an instance of it, and
 * r->project_manager (when not empty) the e-mail of an active pm account;
 * otherwise ERR_INVALID with err->field set to the field path
 * ("organisation", "instance", "instances[1]", "project_manager").
 *
 * Idempotency: with s->requester_id and s->idempotency_key set, a request
 * already stored by that requester with that key is looked up first. When
 * its version-1 body equals the body of r, nothing is written, *out_id is
 * its id and *out_replayed (may be NULL) is 1. When the bodies differ:
 * ERR_CONFLICT. A key longer than REGISTRY_IDEM_MAX or with bytes outside
 * printable ASCII is ERR_INVALID (field "Idempotency-Key").
 *
 * Returns 0 with *out_id set, or a negative ERR_* (nothing written). */
int registry_request_insert(registry *reg, int64_t *out_id, int *out_replayed,
                            const form_request *r, const registry_submit *s,
                            errmsg *err);

/* One submission prepared for registry_request_insert's work, so that it
 * can also be applied by the group-commit writer (writer.h) together with
 * others in one transaction. All-zero is empty. */
typedef struct registry_job {
    /* inputs (registry_job_init): borrowed until the job is done */
    const form_request *r; /* validated request */
    registry_submit sub;   /* copied; its strings are borrowed */
    /* results, set when the job is done */
    int rc;       /* 0 or the negative ERR_* of registry_request_insert */
    int64_t id;   /* the request's id when rc is 0 */
    int replayed; /* 1: an earlier request with the same key was found */
    errmsg err;   /* the error when rc < 0 */
    /* completion, for registry_writer_submit (may be NULL otherwise) */
    void (*done)(struct registry_job *job, void *ctx);
    void *ctx;
    /* private */
    char *body;                /* version-1 body (form_request_to_json) */
    struct registry_job *next; /* writer queue */
} registry_job;

/* Prepares job for r and s (both borrowed until the job is done): checks
 * the idempotency key (ERR_INVALID, field "Idempotency-Key", recorded in
 * err) and renders the request's version-1 body. Dispose with
 * registry_job_dispose, also after a failure. */
int registry_job_init(registry_job *job, const form_request *r,
                      const registry_submit *s, errmsg *err);
void registry_job_dispose(registry_job *job);
/* Applies job in its own transaction, exactly as registry_request_insert
 * (which is registry_job_init + registry_job_run). Sets job->rc, id,
 * replayed and err; returns job->rc. done is not called. */
int registry_job_run(registry *reg, registry_job *job);

/* The search rows (search_fts) of the requests queued in search_pending
 * (schema step 16: inserting a request queues its id), written in one
 * statement, and the queue emptied. registry_commit runs both before it
 * commits, so a request is found by the first search that can see it;
 * code that commits with sqlite3 directly (tests/bench/gen.c) runs them
 * itself before its COMMIT. A request whose row exists already (its title
 * was updated in the same transaction) is skipped. CROSS JOIN: the few
 * queued ids drive the join (the planner scanned every request). */
#define REGISTRY_SEARCH_FLUSH_SQL                                              \
    "INSERT INTO search_fts(rowid, kind, ref, org_id, instance, name, body)"   \
    " SELECT r.id * 4 + 3, 'request', r.id, r.org_id, i.name,"                 \
    " 'CR-' || r.id || ' ' || r.title, r.summary"                              \
    " FROM search_pending p CROSS JOIN requests r ON r.id = p.request_id"      \
    " JOIN instances i ON i.id = r.instance_id"                                \
    " WHERE NOT EXISTS (SELECT 1 FROM search_fts f"                            \
    " WHERE f.rowid = r.id * 4 + 3) ORDER BY p.request_id"
#define REGISTRY_SEARCH_CLEAR_SQL "DELETE FROM search_pending"
/* Runs both inside the open transaction when anything is queued: 0, or
 * the error of the insert (the caller rolls back). */
int registry_search_flush(registry *reg, errmsg *err);

/* Loads request id into *out (initialised here; free with
 * form_request_dispose): every form field, items and columns in order,
 * instances (in stored order), status, created_at, updated_at and attachment
 * metadata (filename, content_type, size; data is NULL). org_filter: 0
 * for any organisation, otherwise only a request of that organisation is
 * found. ERR_NOTFOUND for a missing request and for one of another
 * organisation alike (*out is then left empty). */
int registry_request_load(registry *reg, form_request *out, int64_t id,
                          int64_t org_filter, errmsg *err);

/* The organisation of request id into *org_id: 0, ERR_NOTFOUND (with a
 * message) when there is no such request, or ERR_DB when the read
 * failed. */
int registry_request_org(registry *reg, int64_t id, int64_t *org_id,
                         errmsg *err);

/* One request as listed (and the header of the request page). Strings
 * are NUL-terminated copies, truncated to their array size. */
typedef struct registry_request_row {
    int64_t id;
    int64_t org_id;
    char organisation[201];
    char instance[101]; /* main instance */
    char status[16];
    char title[801]; /* FORM_MAX_SHORT code points of UTF-8 */
    char requester_name[801];
    char requester_email[256];
    int64_t requester_id; /* 0 when unknown */
    char pm_email[256];   /* "" when none */
    char pm_name[201];
    int consent_related;
    int64_t sprint_id; /* 0 when not scheduled */
    int64_t created_at;
    int64_t updated_at;
} registry_request_row;

/* Fills *out for request id (org_filter as for registry_request_load);
 * ERR_NOTFOUND when missing or of another organisation. */
int registry_request_row_get(registry *reg, registry_request_row *out,
                             int64_t id, int64_t org_filter, errmsg *err);

/* Filters of registry_request_list; all-zero lists everything, first
 * page of REGISTRY_PER_PAGE. */
typedef struct registry_request_query {
    int64_t org_id;       /* 0: every organisation */
    const char *status;   /* NULL/"": any status */
    const char *instance; /* NULL/"": any; else the main instance or one
                             the request applies to */
    const char *q;        /* NULL/"": none; else a case-insensitive
                             substring of the title or the summary */
    int page;             /* 1-based; < 1 means 1 */
    int per_page;         /* 1..REGISTRY_MAX_PER_PAGE; else the default */
} registry_request_query;

#define REGISTRY_PER_PAGE     25
#define REGISTRY_MAX_PER_PAGE 100

/* Calls fn for each request of the page, newest first, and sets *total
 * (may be NULL) to the number of requests matching the filters. */
int registry_request_list(registry *reg, const registry_request_query *q,
                          void (*fn)(void *ctx,
                                     const registry_request_row *row),
                          void *ctx, int64_t *total, errmsg *err);

/* An attachment's metadata. */
typedef struct registry_attachment {
    int64_t id;
    int64_t request_id;
    char filename[801];
    char content_type[128];
    int64_t size;
    char sha256[65]; /* hex */
    int64_t created_at;
} registry_attachment;

/* Calls fn for each attachment of the request (not of its comments), in
 * upload order. org_filter as for registry_request_load: another
 * organisation's request has no attachments (and ERR_NOTFOUND). */
int registry_attachment_list(registry *reg, int64_t request_id,
                             int64_t org_filter,
                             void (*fn)(void *ctx,
                                        const registry_attachment *a),
                             void *ctx, errmsg *err);

/* Attachment id of request request_id: metadata into *meta and, when data
 * is not NULL, a heap copy of the bytes into *data (caller frees; never
 * NULL on success). ERR_NOTFOUND when missing, of another request, or of
 * another organisation than org_filter (when not 0). */
int registry_attachment_get(registry *reg, registry_attachment *meta,
                            unsigned char **data, int64_t request_id,
                            int64_t id, int64_t org_filter, errmsg *err);

/* One status change of a request (request_events). */
typedef struct registry_request_event {
    int64_t id;
    char from_status[16]; /* "" for the submission */
    char to_status[16];
    char user_name[201]; /* "" when unknown */
    char instance[101];  /* deploys: the instance; else "" */
    const char *note;    /* borrowed: valid during the callback */
    int64_t created_at;
} registry_request_event;

/* Calls fn for each event of request_id, oldest first. */
int registry_request_events(registry *reg, int64_t request_id,
                            void (*fn)(void *ctx,
                                       const registry_request_event *e),
                            void *ctx, errmsg *err);

/* Calls fn with the instance and table names of the registry (active and
 * deprecated tables) of every instance of org_id (0: all), by instance
 * then table; at most limit rows. For the form's table autocomplete. */
int registry_request_table_names(registry *reg, int64_t org_id, int limit,
                                 void (*fn)(void *ctx, const char *instance,
                                            const char *table),
                                 void *ctx, errmsg *err);

#endif
