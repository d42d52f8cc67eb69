/* requests_int.h: what page_requests.c (the HTML form and request page)
 * and api_requests.c (the JSON API) share: resolving the organisation of
 * a submission, validation with the registry as context, and storing. */
#ifndef DOCKET_REQUESTS_INT_H
#define DOCKET_REQUESTS_INT_H

#include "web_int.h"
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
 * Returns 0, ERR_INVALID (problems in fe) or another < 0 (err set). */
int intake_validate(const form_request *r, intake_org *org, form_errors *fe,
                    errmsg *err);

/* registry_request_insert for the signed-in user. An ERR_INVALID naming a
 * field is also added to fe. On success (new request) the notification
 * worker is woken. */
int intake_store(web_req *req, const form_request *r, const char *idem_key,
                 int64_t *out_id, int *out_replayed, form_errors *fe,
                 errmsg *err);

/* The organisation filter of the signed-in user: their organisation for
 * clients, 0 (any) for staff. */
int64_t intake_org_filter(const web_req *req);

/* JSON API handlers (api_requests.c). */
void api_requests_create(web_req *req);
void api_requests_get(web_req *req);
void api_requests_list(web_req *req);
void api_form_get(web_req *req);
void api_infer_columns(web_req *req);
void api_openapi_get(web_req *req);

#endif
