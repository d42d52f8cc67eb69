/* triage_cases.h: the use cases of a request after its submission: move it
 * through its life cycle (triage, ask, answer, schedule into a sprint,
 * start, deploy per instance, reject, withdraw), plan it (priority,
 * estimate), comment on it, edit it while it is open, and preview its
 * migration. Each takes the acting user (domain_actor) and a typed input,
 * checks who may do what to which request (another organisation's request
 * is ERR_NOTFOUND for a client, never ERR_FORBIDDEN), and calls the one
 * registry function that runs the transaction (registry/triage.h), so a
 * refused action writes nothing and says why in err. web/ parses HTTP
 * into the inputs and renders the results; the CLI and the tests call the
 * same functions. Implemented in triage.c (named triage_cases.h beside
 * registry/triage.h, which it includes). */
#ifndef DOCKET_DOMAIN_TRIAGE_CASES_H
#define DOCKET_DOMAIN_TRIAGE_CASES_H

#include "domain.h"
#include "form.h"
#include "migrate.h"
#include "triage.h"

#include <cjson/cJSON.h>

/* The registry_actor of a (the registry's view of who acts). */
registry_actor triage_actor(const domain_actor *a);

/* 0 when a may see request id; ERR_NOTFOUND ("There is no such
 * request.") when there is none or it is another organisation's, another
 * < 0 when the read failed. */
int triage_request_visible(registry *reg, const domain_actor *a, int64_t id,
                           errmsg *err);

/* ---- transitions -------------------------------------------------------- */

/* The fields of the HTML transition form as sent (NULL: absent). */
typedef struct triage_transition_form {
    const char *to, *note, *instance, *sprint, *priority, *estimate;
    const char *reason; /* a production deploy ahead of QA: why */
} triage_transition_form;

/* Parses the HTML form into t for actor a (strings borrowed from f):
 * priority and estimate count only for a PM or an admin (others' are
 * ignored, as the form does not show them). ERR_INVALID naming the field
 * for a sprint that is not a number or a priority out of -1000..1000. */
int triage_transition_from_form(registry_transition *t, const domain_actor *a,
                                const triage_transition_form *f, errmsg *err);

/* Parses the JSON body of POST /api/v1/requests/{id}/transitions into t
 * (strings borrowed from body): an object with only the keys to (string,
 * required), note, instance, reason, estimate (strings or null), sprint (a
 * positive whole number) and priority (a whole number from -1000 to
 * 1000). Any other key is ERR_INVALID naming it ("is not a field of a
 * transition"); so is a value of the wrong type. */
int triage_transition_from_json(registry_transition *t, const cJSON *body,
                                errmsg *err);

/* Moves request id as t asks, as actor a, in one transaction. Checks, in
 * this order: the request is visible to a (ERR_NOTFOUND), then, inside
 * the transaction of registry_transition_apply, the rules table of
 * registry/triage.h: t->to is a target (ERR_INVALID on "to"), a's role
 * may ever make it and set the planning fields (ERR_FORBIDDEN), the
 * stored status allows it (ERR_CONFLICT), the inputs are there
 * (ERR_INVALID naming the field). Nothing is written unless all pass.
 * *out_status (may be NULL) gets the new status. */
int triage_transition(registry *reg, const domain_actor *a, int64_t id,
                      const registry_transition *t, request_status *out_status,
                      errmsg *err);

/* Marks request id deployed to instance: the transition to REQ_DEPLOYED,
 * which applies the request to that instance's registry in the same
 * transaction. note is optional, except for a production instance while
 * a QA or staging instance of the request is not deployed yet: then it
 * is the required reason (ERR_INVALID on "reason"; see
 * registry_transition_apply). */
int triage_deploy(registry *reg, const domain_actor *a, int64_t id,
                  const char *instance, const char *note,
                  request_status *out_status, errmsg *err);

/* ---- what the actor is told after a transition ------------------------- */

/* Who reads the message: a client (the requester's side) or the staff
 * (PM, admin). */
typedef enum triage_reader {
    TRIAGE_FOR_CLIENT = 0,
    TRIAGE_FOR_STAFF,
    TRIAGE_NREADERS
} triage_reader;

/* What a transition did, as its message tells it (strings borrowed). */
typedef struct triage_outcome {
    int64_t id;
    request_status to;       /* the target asked for (REQ_ANSWERED too) */
    request_status status;   /* the status after it */
    const char *requester;   /* the requester's name */
    const char *instance;    /* deployed: the instance */
    int ninstances;          /* deployed: how many the request has */
    const char *const *todo; /* deployed: the environments (stored values,
                                in deploy order, one each) of the
                                instances still to deploy */
    size_t ntodo;
    const char *sprint; /* scheduled: the sprint's name */
    int64_t deploy_at;  /* scheduled: its deploy time */
} triage_outcome;

/* The message for reader about o, from one table of transitions x
 * readers: "Question sent to Ann Lee. CR-5 waits for the answer.",
 * "CR-5 is deployed to acme-qa. Production is still to do.", "CR-5 is
 * scheduled for Sprint 2026-12-15 (deploy Tue 15 Dec)." Statuses and
 * environments in words (registry_status_label,
 * registry_environment_label), never their stored values; a transition
 * the reader's role never makes reads "CR-5: <status>.". Plain text (the
 * page escapes it). Caller frees. */
char *triage_message(triage_reader reader, const triage_outcome *o);

/* What triage_move gives back; zero it, dispose with
 * triage_moved_dispose. */
typedef struct triage_moved {
    request_status status; /* the status after the transition */
    char *message;         /* for the actor (triage_message) */
} triage_moved;

void triage_moved_dispose(triage_moved *out);

/* triage_transition of request id as t asks, as actor a, then the message
 * for a, from the request as it is after the commit (a failed read of
 * those facts still gives a message, in fewer words). Errors as
 * triage_transition; out is filled only on success. */
int triage_move(registry *reg, const domain_actor *a, int64_t id,
                const registry_transition *t, triage_moved *out, errmsg *err);

/* Sets priority (text of a whole number from -1000 to 1000; NULL or ""
 * is 0) and estimate (NULL: unchanged) of request id: PM and admin only
 * (ERR_FORBIDDEN), after the visibility check. */
int triage_plan(registry *reg, const domain_actor *a, int64_t id,
                const char *priority, const char *estimate, errmsg *err);

/* The life-cycle state of request id as the transition API answers it:
 * the "request" object of registry_request_payload with "sprint" (or
 * null), "priority", "estimate", "version" and "deploys" (instance,
 * environment, deployed_at, deployed_by). Caller owns it; NULL with err
 * set on failure. For a request a may see (checked). */
cJSON *triage_request_state(registry *reg, const domain_actor *a, int64_t id,
                            errmsg *err);

/* ---- comments ----------------------------------------------------------- */

/* The body of POST /api/v1/requests/{id}/comments: an object with only
 * "body" (a string or null). *out_text is borrowed from body. */
int triage_comment_from_json(const char **out_text, const cJSON *body,
                             errmsg *err);

/* Adds a comment (Markdown) with files (checked by the caller) on
 * request id as actor a; every role may comment on what it sees.
 * ERR_NOTFOUND before any check of the text, then as
 * registry_comment_add. */
int triage_comment(registry *reg, const domain_actor *a, int64_t id,
                   const char *body, const registry_file *files, size_t nfiles,
                   int64_t *out_id, errmsg *err);

/* ---- edits -------------------------------------------------------------- */

/* May a edit a request of status s (client, PM, admin while submitted or
 * needs_info)? */
int triage_may_edit(const domain_actor *a, request_status s);

/* Loads request id for an edit by a into *stored (dispose it; zeroed on
 * failure): ERR_NOTFOUND when a may not see it, ERR_CONFLICT "This
 * request can be edited only while it is submitted or waiting for
 * information." when a may not edit it now. */
int triage_edit_open(registry *reg, const domain_actor *a, int64_t id,
                     form_request *stored, errmsg *err);

/* The organisation and requester do not change with an edit: copies
 * those of stored into r. */
void triage_edit_keep(form_request *r, const form_request *stored);

/* What an edit gives back; zero it, dispose with triage_edit_dispose. */
typedef struct triage_edit_result {
    form_errors fe;        /* problems a user can fix (ERR_INVALID) */
    request_status status; /* the status before the edit */
    int version;           /* the new version on success */
    char *answered;        /* the edit answered the question: what the
                              answer's transition tells its actor
                              (triage_message); else NULL */
} triage_edit_result;

void triage_edit_dispose(triage_edit_result *out);

/* Edits request id with r (parsed from the form; completed in place: the
 * organisation and requester stay the stored ones) as actor a: opens it
 * (above), resolves and validates it as a submission
 * (domain_submit_resolve/validate), and stores it as a new version
 * (registry_request_edit; answers: the edit also answers the open
 * question). out->fe may hold problems found while parsing r: they are
 * answered with the validation's. Returns 0, ERR_INVALID with the problems in
 * out->fe (also "nothing was changed"), or another < 0 with err set. */
int triage_edit(registry *reg, const domain_actor *a, int64_t id,
                form_request *r, int answers, triage_edit_result *out,
                errmsg *err);

/* ---- migrations ---------------------------------------------------------- */

/* What the migration preview asks for (NULL or "": the defaults: the
 * request's main instance, that instance's dialect, plain files). */
typedef struct triage_migration_query {
    const char *instance, *dialect, *format;
    const char *base_url; /* for the files' link line */
} triage_migration_query;

/* The migration of a request for one of its instances. Dispose with
 * triage_migration_dispose. */
typedef struct triage_migration {
    form_request r;
    registry_request_instance *insts; /* the request's instances */
    size_t ninsts;
    const char *instance; /* the chosen one (in insts) */
    sql_dialect dialect;
    migrate_format format;
    migrate_result res;
} triage_migration;

void triage_migration_dispose(triage_migration *m);

/* Loads request id (visible to a), chooses instance, dialect and format
 * and generates the files. ERR_NOTFOUND, ERR_INVALID (an instance the
 * request does not apply to, an unknown dialect or format), ERR_CONFLICT
 * (no instance, or the request cannot be turned into DDL). */
int triage_migration_load(registry *reg, const domain_actor *a, int64_t id,
                          const triage_migration_query *q, triage_migration *m,
                          errmsg *err);

#endif
