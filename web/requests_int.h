/* requests_int.h: what page_requests.c (the HTML form and request page)
 * and api_requests.c (the JSON API) share: resolving the organisation of
 * a submission, validation with the registry as context, and storing. */
#ifndef DOCKET_REQUESTS_INT_H
#define DOCKET_REQUESTS_INT_H

#include "web_int.h"
#include "defer.h"
#include "form.h"

/* The organisation a submission is for, with what validation needs. */
typedef struct intake_org {
    int64_t id; /* 0 when it could not be determined */
    char name[201];
    char **instances; /* names of its instances */
    size_t ninstances;
    char **pms; /* e-mails of the active project managers */
    size_t npms;
    registry *reg; /* for the registry callbacks of validation */
} intake_org;

/* Completes r from the account and finds its organisation:
 * - clients: the account's organisation; a different non-empty
 *   r->organisation is an error on "organisation";
 * - staff: r->organisation, else the organisation of r->instance;
 * - requester_name / requester_email from the account when empty;
 * - instances = [instance] when the list is empty.
 * Problems a user can fix go into fe. Returns 0, or < 0 with err set when
 * the database failed. Dispose org with intake_org_dispose. */
int intake_prepare(web_req *req, form_request *r, intake_org *org,
                   form_errors *fe, errmsg *err);
void intake_org_dispose(intake_org *org);

/* form_validate with the organisation's instances, the project managers,
 * the registry's tables and columns, today's date and require_requester.
 * The registry is asked only about instances of org (the request's names
 * are resolved against org->instances first): another organisation's
 * instance is answered exactly like a missing one. Every submission and
 * edit path (API, HTML form, edit form) goes through here.
 * Returns 0, ERR_INVALID (problems in fe) or another < 0 (err set). */
int intake_validate(const form_request *r, intake_org *org, form_errors *fe,
                    errmsg *err);

/* registry_request_insert for the signed-in user, through the group-commit
 * writer (defer.h): prepares job for r and idem_key (job, r and what they
 * borrow must live in ctx until free_ctx) and hands it over; the handler
 * then returns, and fn(req, job, ctx) replies once the request is durable
 * (or failed), followed by free_ctx(ctx). fn should start with
 * intake_stored. Returns 0, or < 0 with err set when nothing was handed
 * over (a bad Idempotency-Key: ERR_INVALID naming the field); the caller
 * then replies and frees ctx itself. */
int intake_store_defer(web_req *req, registry_job *job, const form_request *r,
                       const char *idem_key, web_resume_fn fn, void *ctx,
                       void (*free_ctx)(void *ctx), errmsg *err);
/* After a stored job: wakes the notification worker for a new request and
 * adds an ERR_INVALID naming a field to fe (may be NULL). */
void intake_stored(const registry_job *job, form_errors *fe);

/* The organisation filter of the signed-in user: their organisation for
 * clients, 0 (any) for staff. */
int64_t intake_org_filter(const web_req *req);

/* How page_triage.c reuses the form for edits (GET/POST
 * /requests/{id}/edit). All-zero is the new-request form. */
typedef struct intake_form_mode {
    const char *heading; /* NULL: "New change request" */
    const char *action;  /* NULL: "/requests" */
    const char *submit;  /* NULL: "Submit request" */
    int no_files;        /* 1: no attachments section */
    long more_rows_item; /* item that gets more blank rows, or -1 */
    int add_item;        /* 1: one more blank item */
    /* Extra inputs just before the submit button (may be NULL). */
    void (*extra)(web_req *req, void *ctx);
    void *ctx;
} intake_form_mode;

/* Renders the request form for r (NULL: blank) with the problems in fe
 * (may be NULL) and the choices of the signed-in user; status 0 is 200. */
void intake_form_show(web_req *req, const form_request *r,
                      const form_errors *fe, const intake_form_mode *mode,
                      int status);

/* The intake's checks of one uploaded file (name, extension, size,
 * content): 0 with *out_name / *out_type heap copies (caller frees), or
 * -1 with a message for the user in msg. */
int intake_file_check(char **out_name, char **out_type, const char *name,
                      const unsigned char *data, size_t len, char *msg,
                      size_t msgsize);

/* JSON API handlers (api_requests.c). */
void api_requests_create(web_req *req);
void api_requests_get(web_req *req);
void api_requests_list(web_req *req);
void api_form_get(web_req *req);
void api_infer_columns(web_req *req);
void api_openapi_get(web_req *req);

#endif
