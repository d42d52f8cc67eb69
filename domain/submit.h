/* submit.h: submitting a change request, the use case behind POST
 * /requests (the HTML form) and POST /api/v1/requests: the organisation,
 * instances and project manager are resolved for the acting user, the
 * request is validated with the registry facts that user may see, and the
 * insert is prepared as one registry_job (requests.h) that the caller
 * hands to the group-commit writer (web/defer.h) or runs itself
 * (domain_submit_run). The resolution and validation steps also serve the
 * edit of a request (web/page_triage.c). Implemented in submit.c. */
#ifndef DOCKET_DOMAIN_SUBMIT_H
#define DOCKET_DOMAIN_SUBMIT_H

#include "domain.h"
#include "form.h"
#include "requests.h"

/* The organisation a submission is for, with what validation needs.
 * All-zero is empty; dispose with submit_org_dispose. */
typedef struct submit_org {
    int64_t id; /* 0 when it could not be determined */
    char name[201];
    char **instances; /* names of its instances */
    int *dialects;    /* the sql_dialect of each (parallel to instances),
                         -1 when the registry's value is unknown */
    size_t ninstances;
    char **pms; /* the project manager the request names, when that is
                   an active one (at most one entry); validation needs
                   no other */
    size_t npms;
} submit_org;

void submit_org_dispose(submit_org *org);

/* Completes r for actor a and finds its organisation:
 * - clients: their organisation; a different non-empty r->organisation
 *   is an error on "organisation";
 * - staff: r->organisation ("there is no organisation of that name" when
 *   unknown), else the organisation of r->instance;
 * - requester_name / requester_email from the actor when empty;
 * - instances = [instance] when the list is empty.
 * Problems a user can fix are added to fe. Returns 0, or < 0 with err set
 * when the database failed. org is initialised here (dispose it also
 * after a failure). */
int domain_submit_resolve(registry *reg, const domain_actor *a, form_request *r,
                          submit_org *org, form_errors *fe, errmsg *err);

/* form_validate with the organisation's instances, its project managers,
 * the registry's tables and columns, today's date and require_requester.
 * The registry is asked only about instances of org (the request's names
 * are resolved against org->instances first): another organisation's
 * instance is answered exactly like a missing one. Returns 0,
 * ERR_INVALID (problems in fe) or another < 0 (err set: a registry read
 * failed). */
int domain_submit_validate(registry *reg, const form_request *r,
                           const submit_org *org, form_errors *fe, errmsg *err);

/* What is submitted. */
typedef struct submit_input {
    form_request *r;             /* parsed; completed in place by
                                    domain_submit and borrowed by the
                                    result's job until it is disposed */
    const char *idempotency_key; /* NULL or "": none */
} submit_input;

/* What a submission gives back. Zero it before domain_submit; dispose
 * with submit_result_dispose. */
typedef struct submit_result {
    form_errors fe;   /* problems a user can fix; may hold problems found
                         while parsing before the call */
    registry_job job; /* prepared when domain_submit returned 0; the
                         request's id (job.id), replayed flag and outcome
                         once run */
} submit_result;

/* Submits in->r as actor a: resolves and validates (above), then
 * prepares out->job (registry_job_init with the actor's id and name and
 * the idempotency key). Returns
 * - 0: out->job is ready: hand it to registry_writer_submit (through
 *   web_defer_job) or run it with domain_submit_run, then read the
 *   outcome with domain_submit_outcome;
 * - ERR_INVALID: the problems are in out->fe (also those out->fe held
 *   before the call: then nothing is prepared), a bad Idempotency-Key
 *   among them;
 * - another < 0 with err set: a registry read failed. */
int domain_submit(registry *reg, const domain_actor *a, const submit_input *in,
                  submit_result *out, errmsg *err);

/* The outcome of the job once it ran: 0 (out->job.id stored or, with
 * out->job.replayed, found again), ERR_INVALID with the store's field
 * problem added to out->fe (a name that no longer resolves), or the
 * job's error code (its message in out->job.err). */
int domain_submit_outcome(submit_result *out);

/* domain_submit, the job run at once in its own transaction, and
 * domain_submit_outcome: for callers that do not batch (the CLI, tests).
 * *out_id is set on success. */
int domain_submit_run(registry *reg, const domain_actor *a,
                      const submit_input *in, submit_result *out,
                      int64_t *out_id, errmsg *err);

void submit_result_dispose(submit_result *out);

#endif
