/* api_requests.c: the requests JSON API (/api/v1/requests, /api/v1/form,
 * /api/v1/infer-columns, /api/v1/openapi.json). A submission is the use
 * case of domain/submit.h, as for the HTML form (page_request_new.c).
 * Routes are in the table of page_requests.c; the store is
 * registry/requests.c; the document of this API is
 * web/static/openapi.json. */
#include "requests_int.h"
#include "assets.h"
#include "def.h"
#include "infer.h"
#include "mem.h"
#include "parse.h"
#include "requests.h"
#include "str.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- replies ----------------------------------------------------------- */

/* 422 with one problem. */
static void reply_one_error(web_req *req, const char *field,
                            const char *message)
{
    form_errors fe = {0};

    form_errors_add(&fe, field, "%s", message);
    web_reply_errors(req, &fe);
    form_errors_dispose(&fe);
}

/* One attachment of the "attachments" array ctx. */
static void att_json(void *ctx, const registry_attachment *a)
{
    cJSON *o = cJSON_CreateObject();
    char url[96];

    snprintf(url, sizeof url, "/requests/%lld/attachments/%lld",
             (long long)a->request_id, (long long)a->id);
    cJSON_AddNumberToObject(o, "id", (double)a->id);
    cJSON_AddStringToObject(o, "filename", a->filename);
    cJSON_AddStringToObject(o, "content_type", a->content_type);
    cJSON_AddNumberToObject(o, "size", (double)a->size);
    cJSON_AddStringToObject(o, "sha256", a->sha256);
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddItemToArray(ctx, o);
}

/* The stored request as the API shows it: form_request_to_json plus
 * attachment ids and URLs, and the page URL. NULL with err set when it
 * cannot be loaded (ERR_NOTFOUND for another organisation's). */
static cJSON *request_json(web_req *req, int64_t id, errmsg *err)
{
    int64_t orgf = intake_org_filter(req);
    form_request r;
    cJSON *root, *arr;
    char url[48];
    int rc = registry_request_load(req->reg, &r, id, orgf, err);

    if (rc < 0)
        return NULL;
    root = form_request_to_json(&r);
    form_request_dispose(&r);
    cJSON_DeleteItemFromObjectCaseSensitive(root, "attachments");
    arr = cJSON_AddArrayToObject(root, "attachments");
    rc = registry_attachment_list(req->reg, id, orgf, att_json, arr, err);
    if (rc < 0) {
        cJSON_Delete(root);
        return NULL;
    }
    snprintf(url, sizeof url, "/requests/%lld", (long long)id);
    cJSON_AddStringToObject(root, "url", url);
    return root;
}

/* Sets *dst to a copy of v. */
static void set_copy(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

/* The request as stored and read back by registry_request_load, made from
 * r as validated and written (domain_submit completed it; the job has
 * stored it as request id) and the stored request's row (status, times,
 * the names as the registry spells them): what request_json answers,
 * without reading the items and columns back. r is changed in place.
 * NULL with err set when the row cannot be read; 1 in *fallback (and
 * NULL) for a request this does not render (no main instance). */
static cJSON *created_json(web_req *req, form_request *r, int64_t id,
                           int *fallback, errmsg *err)
{
    registry_request_row row;
    int listed = 0;
    cJSON *root;
    char url[48];

    *fallback = !r->instance || !*r->instance;
    if (*fallback)
        return NULL;
    if (registry_request_row_get(req->reg, &row, id, intake_org_filter(req),
                                 err) < 0)
        return NULL;
    r->id = id;
    set_copy(&r->organisation, row.organisation);
    set_copy(&r->instance, row.instance);
    set_copy(&r->project_manager, row.pm_email);
    set_copy(&r->status, row.status);
    r->created_at = row.created_at;
    r->updated_at = row.updated_at;
    /* The instances as reg_request_rows_insert stores them: the main one
       first when the list does not name it. */
    for (size_t i = 0; i < r->ninstances && !listed; i++)
        listed = r->instances[i] && !str_casecmp(r->instances[i], r->instance);
    if (!listed) {
        r->instances =
            xrealloc(r->instances, (r->ninstances + 1) * sizeof *r->instances);
        memmove(r->instances + 1, r->instances,
                r->ninstances * sizeof *r->instances);
        r->instances[0] = xstrdup(r->instance);
        r->ninstances++;
    }
    /* Percentages are stored as -1 when not above 0 and read as 0. */
    for (size_t i = 0; i < r->nitems; i++) {
        if (r->items[i].anomaly_low_pct < 0)
            r->items[i].anomaly_low_pct = 0;
        if (r->items[i].anomaly_high_pct < 0)
            r->items[i].anomaly_high_pct = 0;
    }
    root = form_request_to_json(r);
    cJSON_DeleteItemFromObjectCaseSensitive(root, "attachments");
    cJSON_AddArrayToObject(root, "attachments"); /* a new request has none */
    snprintf(url, sizeof url, "/requests/%lld", (long long)id);
    cJSON_AddStringToObject(root, "url", url);
    return root;
}

/* ---- handlers ---------------------------------------------------------- */

/* What a submission keeps while the writer stores it. */
typedef struct api_create {
    form_request r;
    submit_result res;
} api_create;

static void api_create_free(void *ctx)
{
    api_create *c = ctx;

    submit_result_dispose(&c->res);
    form_request_dispose(&c->r);
    free(c);
}

/* The reply once the request is stored: 201 with the stored request,
 * Location, and Idempotent-Replayed for a replay. */
static void api_create_finish(web_req *req, registry_job *job, void *ctx)
{
    api_create *c = ctx;
    int rc = intake_outcome_or_reply(req, &c->res);
    errmsg err = {0};
    int fallback = 1;
    cJSON *out;
    char loc[64];

    assert(job == &c->res.job);
    if (rc == ERR_INVALID)
        web_reply_errors(req, &c->res.fe);
    if (rc < 0)
        return;
    /* A replay answers the earlier request, which may differ: read it. */
    out = job->replayed ? NULL
                        : created_json(req, &c->r, job->id, &fallback, &err);
    if (!out && fallback)
        out = request_json(req, job->id, &err);
    if (!out) {
        web_reply_err(req, &err);
        return;
    }
    snprintf(loc, sizeof loc, "/api/v1/requests/%lld", (long long)job->id);
    web_header_add(req, "Location", loc);
    if (job->replayed)
        web_header_add(req, "Idempotent-Replayed", "true");
    web_reply_json(req, 201, out);
}

/* Read-only keys of the response shape are ignored on input. */
static void drop_read_only(form_request *r)
{
    r->id = 0;
    free(r->status);
    r->status = NULL;
    r->created_at = r->updated_at = 0;
    for (size_t i = 0; i < r->nattachments; i++) {
        free(r->attachments[i].filename);
        free(r->attachments[i].content_type);
    }
    free(r->attachments);
    r->attachments = NULL;
    r->nattachments = 0;
    for (size_t i = 0; i < r->nitems; i++)
        for (size_t k = 0; k < r->items[i].ncolumns; k++)
            memset(&r->items[i].columns[k].old_type, 0,
                   sizeof r->items[i].columns[k].old_type);
}

/* POST /api/v1/requests: parse, submit, and wait for the writer (or
 * answer the problems at once). */
void api_requests_create(web_req *req)
{
    api_create *c = xcalloc(1, sizeof *c);
    domain_actor a = intake_actor(req);
    submit_input in = {&c->r, web_header(req, "Idempotency-Key")};
    errmsg err = {0};
    int rc;

    if (!req->content_type || strcmp(req->content_type, "application/json")) {
        web_reply_error(req, 415, "send Content-Type: application/json");
        goto done;
    }
    form_parse_json(&c->r, buf_cstr(&req->body), req->body.len, &c->res.fe);
    drop_read_only(&c->r);
    rc = domain_submit(req->reg, &a, &in, &c->res, &err);
    if (rc == 0) {
        /* The writer's continuation owns c now. */
        web_defer_job(req, &c->res.job, api_create_finish, c, api_create_free);
        return;
    }
    if (rc == ERR_INVALID)
        web_reply_errors(req, &c->res.fe);
    else
        web_reply_err(req, &err);
done:
    api_create_free(c);
}

/* GET /api/v1/requests/{id} */
void api_requests_get(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    errmsg err = {0};
    cJSON *out;

    if (!id) {
        web_reply_error(req, 404, "There is no such request.");
        return;
    }
    out = request_json(req, id, &err);
    if (!out) {
        if (err.code == ERR_NOTFOUND)
            web_reply_error(req, 404, "There is no such request.");
        else
            web_reply_err(req, &err);
        return;
    }
    web_reply_json(req, 200, out);
}

static int status_known(const char *s)
{
    static const char *const all[] = {"submitted", "triaged",     "needs_info",
                                      "scheduled", "in_progress", "deployed",
                                      "rejected",  "withdrawn"};

    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (!strcmp(s, all[i]))
            return 1;
    return 0;
}

static void list_row(void *ctx, const registry_request_row *row)
{
    const char *const kv[] = {"instance",        row->instance,
                              "requester_name",  row->requester_name,
                              "requester_email", row->requester_email,
                              "project_manager", row->pm_email};
    cJSON *arr = ctx;
    cJSON *o = cJSON_CreateObject();
    char url[48];

    web_json_request_head(o, row->id, row->title, row->status,
                          row->organisation);
    web_json_strings(o, kv, sizeof kv / sizeof *kv / 2);
    cJSON_AddBoolToObject(o, "consent_related", row->consent_related);
    web_json_add_time(o, "created_at", row->created_at);
    web_json_add_time(o, "updated_at", row->updated_at);
    snprintf(url, sizeof url, "/requests/%lld", (long long)row->id);
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddItemToArray(arr, o);
}

/* GET /api/v1/requests?status=&instance=&q=&page=&per_page= */
void api_requests_list(web_req *req)
{
    registry_request_query q = {0};
    const char *page = web_query(req, "page");
    const char *per = web_query(req, "per_page");
    form_errors fe = {0};
    errmsg err = {0};
    int64_t total = 0;
    cJSON *root, *arr;

    q.org_id = intake_org_filter(req);
    q.status = web_query(req, "status");
    q.instance = web_query(req, "instance");
    q.q = web_query(req, "q");
    q.page = 1;
    q.per_page = REGISTRY_PER_PAGE;
    if (page && *page && str_to_int(&q.page, page, 1, 1000000) < 0)
        form_errors_add(&fe, "page", "must be a whole number from 1");
    if (per && *per &&
        str_to_int(&q.per_page, per, 1, REGISTRY_MAX_PER_PAGE) < 0)
        form_errors_add(&fe, "per_page", "must be a whole number from 1 to %d",
                        REGISTRY_MAX_PER_PAGE);
    if (q.status && *q.status && !status_known(q.status))
        form_errors_add(&fe, "status", "is not a status of a request");
    if (q.q && strlen(q.q) > FORM_MAX_SHORT)
        form_errors_add(&fe, "q", "is longer than %d bytes", FORM_MAX_SHORT);
    if (fe.n) {
        web_reply_errors(req, &fe);
        form_errors_dispose(&fe);
        return;
    }
    root = cJSON_CreateObject();
    arr = cJSON_AddArrayToObject(root, "requests");
    if (registry_request_list(req->reg, &q, list_row, arr, &total, &err) < 0) {
        cJSON_Delete(root);
        web_reply_err(req, &err);
        return;
    }
    cJSON_AddNumberToObject(root, "page", q.page);
    cJSON_AddNumberToObject(root, "per_page", q.per_page);
    cJSON_AddNumberToObject(root, "total", (double)total);
    cJSON_AddNumberToObject(root, "pages",
                            (double)((total + q.per_page - 1) / q.per_page));
    web_reply_json(req, 200, root);
}

/* GET /api/v1/form */
void api_form_get(web_req *req)
{
    web_reply_json(req, 200, form_def_to_json());
}

/* POST /api/v1/infer-columns: multipart with a "file" field, or the raw
 * sample as text/csv (text/tab-separated-values, text/plain). */
void api_infer_columns(web_req *req)
{
    const char *data = NULL;
    size_t len = 0;
    form_inferred inf = {0};
    errmsg err = {0};
    const char *ct = req->content_type ? req->content_type : "";

    if (!strcmp(ct, "multipart/form-data")) {
        for (size_t i = 0; i < req->nfields; i++)
            if (!strcmp(req->fields[i].name, "file")) {
                data = buf_cstr(&req->fields[i].value);
                len = req->fields[i].value.len;
                break;
            }
        if (!data) {
            reply_one_error(req, "file",
                            "send the sample in a field named "
                            "\"file\"");
            return;
        }
    } else if (!strcmp(ct, "text/csv") ||
               !strcmp(ct, "text/tab-separated-values") ||
               !strcmp(ct, "text/plain")) {
        data = buf_cstr(&req->body);
        len = req->body.len;
    } else {
        web_reply_error(req, 415,
                        "send the sample as multipart/form-data "
                        "(field \"file\") or as text/csv");
        return;
    }
    if (len > FORM_MAX_ATTACHMENT) {
        web_reply_error(req, 413,
                        "the sample is larger than 10 MiB: send "
                        "the first rows only");
        return;
    }
    if (form_infer_columns(&inf, data, len, &err) < 0) {
        if (err.code == ERR_TOOBIG || err.code == ERR_INVALID)
            reply_one_error(req, "file", err.msg);
        else
            web_reply_err(req, &err);
        return;
    }
    web_reply_json(req, 200, form_inferred_to_json(&inf));
    form_inferred_dispose(&inf);
}

/* GET /api/v1/openapi.json: the embedded web/static/openapi.json. */
void api_openapi_get(web_req *req)
{
    for (size_t i = 0; web_assets[i].name; i++) {
        if (strcmp(web_assets[i].name, "openapi.json") != 0)
            continue;
        req->static_data = web_assets[i].data;
        req->static_len = web_assets[i].size;
        web_header_add(req, "Cache-Control", "public, max-age=300");
        web_reply_type(req, 200, "application/json");
        return;
    }
    web_reply_error(req, 404, "The API description is not built in.");
}
