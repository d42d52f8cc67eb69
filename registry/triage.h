/* triage.h: the life of a change request after submission: status
 * transitions with their role rules, deploys per instance (applying the
 * request to that instance's registry in the same transaction), sprints
 * generated from the [sprints] configuration, comments with attachments,
 * edits with versions and field-level diffs, the PM's queue, dashboard
 * queries and the deploy-day digest. Implemented in triage_rules.c (the
 * vocabulary, the rules, payloads), triage_transition.c (transitions,
 * deploys, planning), triage_sprints.c (sprints, the queue, the digest)
 * and triage_edits.c (comments, edits, versions, diffs); it builds on
 * requests.h (store) and catalog.h (registry_request_apply).
 *
 * Every change runs in ONE transaction (BEGIN IMMEDIATE ... COMMIT; never
 * call these inside an open transaction) together with its request_events
 * row and its registry_event_add notification; on any error nothing is
 * written. Callers wake the notification worker after success. */
#ifndef DOCKET_TRIAGE_H
#define DOCKET_TRIAGE_H

#include "config.h"
#include "registry.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Who acts. role is one ROLE_* bit (registry.h); org_id is the client's
 * organisation (a client never finds another organisation's request:
 * ERR_NOTFOUND). name is shown in payloads ("actor"). */
typedef struct registry_actor {
    int64_t user_id;
    docket_role role;
    int64_t org_id;
    const char *name;
} registry_actor;

/* ---- the vocabulary: statuses and events, one name table each ---------- */

/* The statuses of a request as stored (requests.status, request_events)
 * and, after them, the transition targets that are not a status. */
typedef enum request_status {
    REQ_NONE = -1, /* not a status (parse failure) */
    REQ_SUBMITTED = 0,
    REQ_TRIAGED,
    REQ_NEEDS_INFO,
    REQ_SCHEDULED,
    REQ_IN_PROGRESS,
    REQ_DEPLOYED,
    REQ_REJECTED,
    REQ_WITHDRAWN,
    REQ_NSTATUSES, /* the number of stored statuses */
    /* A transition target only: the client's answer to needs_info goes
       back to the status before needs_info. */
    REQ_ANSWERED = REQ_NSTATUSES,
    REQ_NTARGETS
} request_status;

/* A set of statuses as bits. */
#define REQ_BIT(s) (1u << (unsigned)(s))

/* The stored name of s ("needs_info"), "answered" for REQ_ANSWERED; NULL
 * out of range. */
const char *registry_status_name(request_status s);
/* The status named s (stored statuses only), REQ_NONE otherwise (NULL
 * too). */
request_status registry_status_parse(const char *s);
/* A transition target: a status or "answered"; REQ_NONE otherwise. */
request_status registry_target_parse(const char *s);
/* 1 when s is one of the eight statuses. */
int registry_status_valid(const char *s);
/* The words for s on screen and in messages ("in progress", "needs
 * information", "answered"); "" out of range. Never a stored value. */
const char *registry_status_label(request_status s);

/* ---- deploy order ------------------------------------------------------ */

/* The rank of an instance's environment in deploy order, compared without
 * case: "qa" 0, "staging" 1, "production" 2, any other 3. Instances are
 * listed by rank, then by name (registry_request_instances). */
int registry_environment_rank(const char *environment);
/* The words for an environment: "QA" for qa, the value otherwise. */
const char *registry_environment_label(const char *environment);

/* The events the registry writes (events.name, the keys of [route]). */
typedef enum docket_event {
    EV_NONE = -1,
    EV_REQUEST_SUBMITTED = 0,
    EV_REQUEST_TRIAGED,
    EV_REQUEST_NEEDS_INFO,
    EV_REQUEST_SCHEDULED,
    EV_REQUEST_IN_PROGRESS,
    EV_REQUEST_DEPLOYED,
    EV_REQUEST_REJECTED,
    EV_REQUEST_WITHDRAWN,
    EV_REQUEST_ANSWERED, /* EV_REQUEST_SUBMITTED + a target, in order */
    EV_REQUEST_COMMENTED,
    EV_REQUEST_UPDATED,
    EV_DEPLOY_DIGEST,
    EV_ACCOUNT_RESET,
    EV_DELIVERY_FAILED,
    EV_REGISTRY_CHANGED, /* a table's rules edited by hand (registry.changed) */
    EV_INBOX_DIGEST,     /* one user's unread inbox items, by e-mail */
    EV_FEED_MISSING,     /* tonight's feeds (domain/feed_alerts.h) */
    EV_FEED_RECOVERED,
    EV_FEED_FAILED,
    EV_FEED_ANOMALY,
    EV_REGISTRY_DRIFT, /* new drift findings of an instance (registry/drift.h)
                        */
    EV_COUNT
} docket_event;

/* "request.scheduled"...; NULL out of range. */
const char *registry_event_name(docket_event e);
/* The event named name, EV_NONE for another name. */
docket_event registry_event_parse(const char *name);
/* The event of a transition to target to ("request.<to>"). */
docket_event registry_event_of_target(request_status to);
/* registry_event_add of event e with payload serialised (NULL: "{}"),
 * inside the caller's transaction. */
int registry_event_emit(registry *reg, int64_t *out_id, docket_event e,
                        const registry_event_about *about, const cJSON *payload,
                        errmsg *err);

/* ---- life cycle ------------------------------------------------------- */

/* The status of request id (org_filter as for registry_request_load):
 * ERR_NOTFOUND "no request CR-n" when there is none or it is another
 * organisation's. */
int registry_request_status(registry *reg, int64_t id, int64_t org_filter,
                            request_status *out, errmsg *err);

/* What a transition asks for. to is a status, or REQ_ANSWERED (the
 * client's answer to needs_info: back to the status before needs_info);
 * REQ_NONE is answered as an unknown status. */
typedef struct registry_transition {
    request_status to;
    const char *note;     /* question (needs_info), reason (rejected),
                             else optional; Markdown */
    int64_t sprint_id;    /* scheduled: required (an existing sprint) */
    const char *instance; /* deployed: required, one of the request's
                             instances not yet deployed */
    const char *reason;   /* deployed: why production goes ahead of a QA
                             or staging instance of the request that is
                             not deployed yet (required then; the note
                             stands in when it is blank) */
    int set_priority;     /* 1: priority below is stored (PM/admin) */
    int priority;
    const char *estimate; /* NULL: unchanged (PM/admin) */
    /* answered: files sent with the answer (checked by the caller like a
       comment's, at most FORM_MAX_ATTACHMENTS), stored as attachments of
       the request in the transition's transaction; any other target
       refuses files */
    const struct registry_file *files;
    size_t nfiles;
} registry_transition;

/* The rules, transitions x roles (PM and admin alike; ops never):
 *
 *   from                            to           who
 *   submitted                       triaged      pm, admin
 *   submitted, triaged, scheduled   needs_info   pm, admin (note required)
 *   needs_info                      answered     client, pm, admin
 *                                   (= the status before needs_info;
 *                                   note required, files allowed)
 *   triaged, scheduled              scheduled    pm, admin (sprint)
 *   scheduled                       in_progress  pm, admin
 *   scheduled, in_progress          deployed     pm, admin (instance)
 *   submitted, triaged, needs_info,
 *   scheduled                       rejected     pm, admin (note required)
 *   submitted, triaged, needs_info,
 *   scheduled                       withdrawn    client
 *
 * A deploy marks one instance (request_instances.deployed_at/by) and
 * applies the request to that instance's registry (registry_request_apply)
 * in the same transaction; the status becomes "deployed" when every
 * instance is, "in_progress" until then. Deploys go in environment order:
 * a deploy to a production instance while a qa or staging instance of
 * the request is not deployed yet needs a reason (t->reason, else the
 * note; ERR_INVALID on "reason" without one), and its event row's note
 * says which instances it went ahead of, with the reason; its payload
 * adds "reason" and "ahead_of" (their names). A PM triaging a request
 * without a project manager becomes its project manager.
 *
 * Writes a request_events row (from, to, note, instance, user) and the
 * event "request.<to>" ("request.answered" for an answer) with the payload
 * of registry_request_payload (deploys add "instance" and the "tables"
 * the deploy changes). *out_status (may be NULL) gets the new status.
 *
 * Errors (nothing written): ERR_NOTFOUND (no such request, or another
 * organisation's for a client), ERR_INVALID (unknown status, missing
 * note, sprint or instance; err->field names it), ERR_FORBIDDEN (the role
 * may never make this transition), ERR_CONFLICT (not allowed from the
 * current status, instance already deployed, or registry_request_apply
 * failed: its message), ERR_DB. */
int registry_transition_apply(registry *reg, request_status *out_status,
                              int64_t id, const registry_actor *who,
                              const registry_transition *t, errmsg *err);

/* 1 when role may make transition to from status from (the table above;
 * REQ_ANSWERED for the answer), 0 otherwise. role_may answers the role
 * half (may the role ever move a request to to?), from_ok the status half
 * (is to reachable from from?). allowed takes the stored names (for
 * showing buttons). */
int registry_transition_may(request_status from, request_status to,
                            docket_role role);
int registry_transition_role_may(request_status to, docket_role role);
int registry_transition_from_ok(request_status from, request_status to);
int registry_transition_allowed(const char *from, const char *to,
                                const char *role);

/* PM/admin: sets priority and estimate (NULL: unchanged) without a status
 * change (an event row is not written; updated_at is). ERR_NOTFOUND (also
 * another organisation's request for a client), then ERR_FORBIDDEN for
 * roles other than pm/admin, ERR_INVALID (estimate too long). */
int registry_request_plan(registry *reg, int64_t id, const registry_actor *who,
                          int priority, const char *estimate, errmsg *err);

/* The notification payload of request id (see the README): {"event",
 * "request": {"id", "number", "title", "status", "organisation",
 * "instance", "instances", "requester_name", "requester_email",
 * "project_manager", "consent_related", "consent_note"}, "actor", "note",
 * "url", and "sprint": {"id", "name", "deploy_at"} when scheduled}.
 * NULL on a database error. Caller owns it. */
cJSON *registry_request_payload(registry *reg, int64_t id, const char *event,
                                const char *actor, const char *note,
                                errmsg *err);

/* ---- per-instance deploy state ---------------------------------------- */

typedef struct registry_request_instance {
    char name[101];
    char environment[33];
    char dialect[17];
    int64_t deployed_at; /* 0: not yet */
    char deployed_by[201];
} registry_request_instance;

/* Calls fn for each instance of request id in deploy order (by
 * registry_environment_rank, then name; org_filter as for
 * registry_request_load; nothing for another organisation's). */
int registry_request_instances(registry *reg, int64_t id, int64_t org_filter,
                               void (*fn)(void *ctx,
                                          const registry_request_instance *i),
                               void *ctx, errmsg *err);

/* Pure: the instances of list (n, in deploy order) that a deploy to
 * list[k] would go ahead of: none unless list[k] is a production instance
 * not yet deployed, else the qa and staging ones not yet deployed. Their
 * indexes go to ahead (n slots; may be NULL); returns how many. */
size_t registry_deploy_ahead(const registry_request_instance *list, size_t n,
                             size_t k, size_t *ahead);

/* The request's planning fields. */
typedef struct registry_request_plan_info {
    int priority;
    char estimate[201];
    int64_t sprint_id;
    char sprint_name[101];
    int64_t sprint_deploy_at;
    char prev_status[16]; /* needs_info: the status to go back to */
    int version;
} registry_request_plan_info;

int registry_request_plan_get(registry *reg, registry_request_plan_info *out,
                              int64_t id, int64_t org_filter, errmsg *err);

/* ---- sprints ---------------------------------------------------------- */

/* How sprints are cut. A sprint ENDS on its deploy day: it runs from the
 * day after the previous deploy day to its own deploy day, inclusive.
 * Deploy days fall on `weekday` every `length_days` days, rounded up to
 * whole weeks (so every deploy day is that weekday); the series is
 * anchored on the first such weekday on or after 1970-01-01 (for 14 days:
 * 1970-01-06, 1970-01-20, ... for Tuesdays). deploy_minutes is the deploy
 * time of day in minutes after 00:00 UTC. */
typedef struct registry_sprint_rules {
    int length_days; /* 1..90; default 14 */
    int weekday;     /* 0 = Sunday .. 6 */
    int deploy_minutes;
} registry_sprint_rules;

/* The rules of the configuration ([sprints]); defaults when cfg is
 * NULL. */
void registry_sprint_rules_from_config(registry_sprint_rules *out,
                                       const config *cfg);

typedef struct registry_sprint {
    int64_t id;         /* 0 for a computed, unstored sprint */
    char name[101];     /* "Sprint 2026-03-10" (its deploy day) */
    char starts_on[11]; /* YYYY-MM-DD */
    char ends_on[11];   /* the deploy day */
    int64_t deploy_at;  /* Unix seconds */
} registry_sprint;

/* Pure: the sprint containing the day of time t shifted by offset sprints
 * (0: current, 1: next, -1: previous). */
void registry_sprint_compute(registry_sprint *out,
                             const registry_sprint_rules *rules, int64_t t,
                             int offset);

/* Creates, when missing, the current sprint and the next `ahead` ones
 * (INSERT OR IGNORE on starts_on). Own transaction. */
int registry_sprints_ensure(registry *reg, const registry_sprint_rules *rules,
                            int64_t now, int ahead, errmsg *err);

/* All sprints from `from_day` (YYYY-MM-DD, NULL: all) by start date, each
 * with the number of requests assigned. */
int registry_sprint_list(registry *reg, const char *from_day,
                         void (*fn)(void *ctx, const registry_sprint *s,
                                    int nrequests),
                         void *ctx, errmsg *err);
int registry_sprint_get(registry *reg, registry_sprint *out, int64_t id,
                        errmsg *err);
/* The first sprint whose deploy_at >= now (next_deploy) or the last whose
 * deploy_at < now (last_deploy). ERR_NOTFOUND when none. */
int registry_sprint_next(registry *reg, registry_sprint *out, int64_t now,
                         errmsg *err);
int registry_sprint_last(registry *reg, registry_sprint *out, int64_t now,
                         errmsg *err);

/* ---- the queue -------------------------------------------------------- */

/* Filters of the queue; all-zero lists everything, oldest first. */
typedef struct registry_queue_filter {
    int64_t org_id;           /* tenant filter: 0 for staff */
    const char *organisation; /* staff filter by organisation name */
    const char *status;       /* "" any */
    const char *instance;     /* main instance or one it applies to */
    const char *pm;           /* project manager e-mail; "none" for none */
    int consent;              /* 1 consent-related only, -1 not, 0 any */
    int waiting;              /* 1: needs_info only (waiting on client) */
    int age_days;             /* created at least this many days ago */
    int since_days;           /* in its status for at least this long */
    int64_t sprint_id;        /* 0 any */
    const char *q;            /* substring of title/summary */
    const char *sort;         /* "age" (oldest first, default),
                                 "priority" (highest first), "updated"
                                 (latest first) */
    int64_t now;              /* for the day filters; 0: time_now() */
    int limit;                /* 0: no limit */
    int offset;
} registry_queue_filter;

/* A queue row; strings borrowed for the callback only. */
typedef struct registry_queue_row {
    int64_t id;
    const char *organisation, *instance, *status, *title;
    const char *requester_name, *requester_email, *pm_email, *pm_name;
    int consent_related;
    int priority;
    const char *estimate;
    int64_t sprint_id;
    const char *sprint_name;
    int64_t created_at, updated_at;
    int64_t status_since;  /* time of the last event */
    const char *last_note; /* note of the last event ("" none) */
    const char *instances; /* comma-separated instance names */
} registry_queue_row;

int registry_queue_list(registry *reg, const registry_queue_filter *f,
                        void (*fn)(void *ctx, const registry_queue_row *r),
                        void *ctx, int64_t *out_total, errmsg *err);
/* Counts per status of the rows f matches when its status, waiting and
 * paging are ignored: fn(status, n) for statuses with n > 0. */
int registry_queue_counts(registry *reg, const registry_queue_filter *f,
                          void (*fn)(void *ctx, const char *status, int64_t n),
                          void *ctx, errmsg *err);

/* One table a sprint changes (or changed) on one instance, with the
 * requests that change it. */
typedef struct registry_sprint_table {
    const char *instance, *table, *kind, *campaign_dependency;
    int64_t request_id;   /* the first of them */
    const char *requests; /* all their ids, ascending: "4,7" */
    int64_t deployed_at;  /* the latest deploy once all are, else 0 */
} registry_sprint_table;

/* Tables that the requests of sprint_id change (not withdrawn/rejected),
 * once per instance and table, by instance and table name; kind is one
 * of their items' kinds, campaign_dependency the strongest stated
 * ("required", then "optional", else ""). */
int registry_sprint_tables(registry *reg, int64_t sprint_id, int64_t org_filter,
                           void (*fn)(void *ctx,
                                      const registry_sprint_table *t),
                           void *ctx, errmsg *err);
/* Tables of the latest deploy day (every instance deploy on the UTC day
 * of the latest deployed_at). */
int registry_last_deploy_tables(registry *reg, int64_t org_filter,
                                void (*fn)(void *ctx,
                                           const registry_sprint_table *t),
                                void *ctx, errmsg *err);

/* ---- comments --------------------------------------------------------- */

/* A file of a comment (bytes borrowed; checked by the caller). */
typedef struct registry_file {
    const char *filename;
    const char *content_type;
    const unsigned char *data;
    size_t size;
} registry_file;

#define REGISTRY_COMMENT_MAX 20000

/* Adds a comment (Markdown, 1..REGISTRY_COMMENT_MAX bytes of UTF-8) with
 * its files, and the "request.commented" event, in one transaction. Every
 * role may comment on requests it can see. ERR_NOTFOUND, ERR_INVALID
 * (empty, too long, too many files), ERR_DB. */
int registry_comment_add(registry *reg, int64_t *out_id, int64_t id,
                         const registry_actor *who, const char *body,
                         const registry_file *files, size_t nfiles,
                         errmsg *err);

typedef struct registry_comment {
    int64_t id;
    int64_t user_id;
    const char *user_name, *user_role, *body; /* borrowed */
    int64_t created_at;
} registry_comment;

int registry_comment_list(registry *reg, int64_t id, int64_t org_filter,
                          void (*fn)(void *ctx, const registry_comment *c),
                          void *ctx, errmsg *err);
/* The files of the comments of request id (comment_id set). */
int registry_comment_files(registry *reg, int64_t id, int64_t org_filter,
                           void (*fn)(void *ctx, int64_t comment_id,
                                      int64_t file_id, const char *filename,
                                      int64_t size),
                           void *ctx, errmsg *err);

/* ---- edits and versions ----------------------------------------------- */

/* Replaces the content of request id with r (validated by the caller;
 * organisation and requester are kept) while it is submitted or
 * needs_info: items, columns, instances, title, summary, consent, desired
 * date, project manager; version + 1 with a request_versions row (body =
 * form_request_to_json of r without id/status/attachments), the
 * "request.updated" event, and, when answers is set and the request is
 * needs_info, the answer transition (event row and "request.answered").
 * Who: the client of the organisation, pm, admin (ops: ERR_FORBIDDEN).
 * ERR_CONFLICT when the status does not allow edits or nothing changed;
 * ERR_INVALID for names that do not resolve (err->field set). */
int registry_request_edit(registry *reg, int *out_version, int64_t id,
                          const registry_actor *who, const form_request *r,
                          int answers, errmsg *err);

typedef struct registry_version {
    int version;
    const char *body; /* JSON; borrowed */
    const char *user_name;
    int64_t created_at;
} registry_version;

int registry_version_list(registry *reg, int64_t id, int64_t org_filter,
                          void (*fn)(void *ctx, const registry_version *v),
                          void *ctx, errmsg *err);

/* Pure: field-level differences between two version bodies: fn(path,
 * old, new) per changed leaf ("title", "items[0].columns[1].type"), old
 * NULL for added, new NULL for removed values (items and columns shown as
 * one line "items[2]" with "new_table orders"). "attachments" is
 * ignored. Returns the number of differences, < 0 for invalid JSON. */
int registry_version_diff(const char *old_json, const char *new_json,
                          void (*fn)(void *ctx, const char *path,
                                     const char *old_value,
                                     const char *new_value),
                          void *ctx);

/* ---- migrations ------------------------------------------------------- */

/* Fills old_type of every "change" column of r from the registry of
 * instance (reg_columns.type), leaving it FORM_TYPE_NONE when unknown. */
int registry_request_old_types(registry *reg, form_request *r,
                               const char *instance, errmsg *err);

/* ---- the clock -------------------------------------------------------- */

/* The deploy-day digest: on the deploy day of a sprint (from 06:00 UTC,
 * or the deploy time when earlier, until the day ends) writes once the
 * "deploy.digest" event to ops: {"event", "sprint", "digest": [request
 * objects of the sprint still to deploy], "tables": [what they change]}.
 * Guarded by the events table (one digest per sprint). *out_written
 * (may be NULL) is 1 when written. Own transaction. */
int registry_deploy_digest(registry *reg, const registry_sprint_rules *rules,
                           int64_t now, int *out_written, errmsg *err);

/* What the periodic tick does: registry_sprints_ensure (current + 2) and
 * registry_deploy_digest. *out_notify is 1 when events were written. */
int registry_triage_tick(registry *reg, const registry_sprint_rules *rules,
                         int64_t now, int *out_notify, errmsg *err);

#endif
