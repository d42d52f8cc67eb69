/* requests_int.h: what the files of the requests area share: the HTML
 * form (page_request_new.c, page_request_form.c,
 * page_request_sections.c), the request page (page_requests.c,
 * page_request_extra.c), the JSON API (api_requests.c) and the edit form
 * of page_triage.c. The submission itself is the use case of
 * domain/submit.h. */
#ifndef DOCKET_REQUESTS_INT_H
#define DOCKET_REQUESTS_INT_H

#include "web_int.h"
#include "defer.h"
#include "form.h"
#include "submit.h"

/* The organisation a submission or an edit is for, with what validation
 * needs (domain/submit.h), and the registry validation asks. */
typedef struct intake_org {
    submit_org o;
    registry *reg;
} intake_org;

/* The acting user of req for the use cases of domain/. */
domain_actor intake_actor(const web_req *req);

/* domain_submit_resolve for the signed-in user (see submit.h): completes
 * r, finds its organisation, problems a user can fix into fe. Returns 0,
 * or < 0 with err set when the database failed. Dispose org with
 * intake_org_dispose. */
int intake_prepare(web_req *req, form_request *r, intake_org *org,
                   form_errors *fe, errmsg *err);
void intake_org_dispose(intake_org *org);

/* domain_submit_validate for org: returns 0, ERR_INVALID (problems in fe)
 * or another < 0 (err set). Every submission and edit path (API, HTML
 * form, edit form) validates through domain_submit_validate. */
int intake_validate(const form_request *r, intake_org *org, form_errors *fe,
                    errmsg *err);

/* The organisation filter of the signed-in user: their organisation for
 * clients, 0 (any) for staff. */
int64_t intake_org_filter(const web_req *req);

/* form_parse_fields over the posted fields of req, leaving out files and
 * the fields whose name starts with skip (may be NULL). */
void intake_parse_fields(web_req *req, form_request *r, const char *skip,
                         form_errors *fe);

/* For the "Add another change" (add_item) and "More column rows"
 * (add_rows=N) buttons: the item that gets more rows (-1: none; N is
 * clamped to r's items) and, in *add_item, whether a blank item is
 * added. */
long intake_more_rows(web_req *req, const form_request *r, int *add_item);

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

/* The outcome of a submission once the writer ran res->job
 * (domain_submit_outcome): 0 when stored (the notification worker is
 * woken for a new request), ERR_INVALID with the problems in res->fe (the
 * caller shows them), or another < 0 after replying with the job's
 * error. */
int intake_outcome_or_reply(web_req *req, submit_result *res);

/* The HTML form's handlers (page_request_new.c). */
web_handler_fn page_request_new, page_request_create;

/* The status of a request as a badge ("in progress"). */
void page_status_badge(buf *o, const char *status);

/* JSON API handlers (api_requests.c). */
web_handler_fn api_requests_create, api_requests_get, api_requests_list,
    api_form_get, api_infer_columns, api_openapi_get;

#endif
