/* api_requests.c: the requests JSON API (/api/v1/requests, /api/v1/form,
 * /api/v1/infer-columns, /api/v1/openapi.json) and the submission steps
 * the HTML form shares (requests_int.h). Routes are in the table of
 * page_requests.c; the store is registry/requests.c; the document of this
 * API is web/static/openapi.json. */
#include "requests_int.h"
#include "assets.h"
#include "catalog.h"
#include "def.h"
#include "infer.h"
#include "mem.h"
#include "notify.h"
#include "parse.h"
#include "requests.h"
#include "str.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- shared submission steps ------------------------------------------ */

int64_t intake_org_filter(const web_req *req)
{
    return req->role == ROLE_CLIENT ? req->user.org_id : 0;
}

static void add_instance(void *ctx, const registry_instance *i)
{
    intake_org *o = ctx;

    o->instances =
        xrealloc(o->instances, (o->ninstances + 1) * sizeof *o->instances);
    o->instances[o->ninstances++] = xstrdup(i->name);
}

static void add_pm(void *ctx, const registry_user *u)
{
    intake_org *o = ctx;

    if (!u->active)
        return;
    o->pms = xrealloc(o->pms, (o->npms + 1) * sizeof *o->pms);
    o->pms[o->npms++] = xstrdup(u->email);
}

void intake_org_dispose(intake_org *org)
{
    for (size_t i = 0; i < org->ninstances; i++)
        free(org->instances[i]);
    free(org->instances);
    for (size_t i = 0; i < org->npms; i++)
        free(org->pms[i]);
    free(org->pms);
    memset(org, 0, sizeof *org);
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

int intake_prepare(web_req *req, form_request *r, intake_org *org,
                   form_errors *fe, errmsg *err)
{
    int rc;

    memset(org, 0, sizeof *org);
    org->reg = req->reg;
    if (req->role == ROLE_CLIENT) {
        if (*nz(r->organisation) &&
            str_casecmp(r->organisation, req->user.org_name) != 0)
            form_errors_add(fe, "organisation",
                            "you can submit requests for your own "
                            "organisation (%.100s) only",
                            req->user.org_name);
        set_str(&r->organisation, req->user.org_name);
        org->id = req->user.org_id;
        str_copy(org->name, sizeof org->name, req->user.org_name);
    } else if (*nz(r->organisation)) {
        registry_org o;
        errmsg e2 = {0};
        rc = registry_org_get(req->reg, &o, r->organisation, &e2);
        if (rc == ERR_NOTFOUND)
            form_errors_add(fe, "organisation",
                            "there is no organisation "
                            "of that name");
        else if (rc < 0)
            return err_set(err, rc, "%s", e2.msg);
        else {
            org->id = o.id;
            str_copy(org->name, sizeof org->name, o.name);
            set_str(&r->organisation, o.name);
        }
    } else if (*nz(r->instance)) {
        registry_instance inst;
        errmsg e2 = {0};
        rc = registry_instance_get(req->reg, &inst, r->instance, &e2);
        if (rc == 0) {
            org->id = inst.org_id;
            str_copy(org->name, sizeof org->name, inst.org_name);
            set_str(&r->organisation, inst.org_name);
        } else if (rc != ERR_NOTFOUND) {
            return err_set(err, rc, "%s", e2.msg);
        }
    }
    if (!*nz(r->requester_name))
        set_str(&r->requester_name, req->user.name);
    if (!*nz(r->requester_email))
        set_str(&r->requester_email, req->user.email);
    if (!r->ninstances && *nz(r->instance)) {
        r->instances = xcalloc(1, sizeof *r->instances);
        r->instances[0] = xstrdup(r->instance);
        r->ninstances = 1;
    }
    if (org->id && (rc = registry_instance_list(req->reg, org->id, add_instance,
                                                org, err)) < 0)
        return rc;
    return registry_user_list(req->reg, "pm", add_pm, org, err);
}

/* 1 when instance is one of the organisation's. form_validate asks the
 * registry only about those (it resolves the request's names against the
 * same list first); the callbacks below check again, so that no registry
 * fact of another organisation's instance can reach an answer. */
static int org_has_instance(const intake_org *o, const char *instance)
{
    for (size_t i = 0; i < o->ninstances; i++)
        if (!strcmp(o->instances[i], instance))
            return 1;
    return 0;
}

static int cb_table(void *ctx, const char *instance, const char *table)
{
    intake_org *o = ctx;

    if (!org_has_instance(o, instance))
        return 0;
    return registry_table_exists(o->reg, instance, table, NULL);
}

static int cb_column(void *ctx, const char *instance, const char *table,
                     const char *column)
{
    intake_org *o = ctx;

    if (!org_has_instance(o, instance))
        return 0;
    return registry_column_exists(o->reg, instance, table, column, NULL);
}

int intake_validate(const form_request *r, intake_org *org, form_errors *fe,
                    errmsg *err)
{
    static const char *const none[1] = {""};
    form_context c = {0};
    char today[16];
    int rc;

    time_date(today, sizeof today, time_now());
    /* Without a known organisation no instance can be right; an empty
       list says so (and the organisation field already has its error). */
    c.instances = org->instances ? (const char *const *)org->instances
                                 : none; /* non-NULL with n 0: none */
    c.ninstances = org->ninstances;
    c.project_managers = org->pms ? (const char *const *)org->pms : none;
    c.nproject_managers = org->npms;
    c.require_requester = 1;
    c.today = today;
    c.table_exists = cb_table;
    c.column_exists = cb_column;
    c.cb_ctx = org;
    rc = form_validate(r, &c, fe);
    if (rc < 0 && rc != ERR_INVALID)
        return err_set(err, rc, "registry lookup failed during validation");
    return rc;
}

int intake_store_defer(web_req *req, registry_job *job, const form_request *r,
                       const char *idem_key, web_resume_fn fn, void *ctx,
                       void (*free_ctx)(void *ctx), errmsg *err)
{
    registry_submit s = {req->user.id, req->user.name, idem_key};
    int rc = registry_job_init(job, r, &s, err);

    if (rc < 0)
        return rc;
    web_defer_job(req, job, fn, ctx, free_ctx);
    return 0;
}

void intake_stored(const registry_job *job, form_errors *fe)
{
    if (job->rc == ERR_INVALID && job->err.field[0] && fe)
        form_errors_add(fe, job->err.field, "%s", job->err.msg);
    if (job->rc == 0 && !job->replayed)
        notify_wake();
}

/* ---- replies ----------------------------------------------------------- */

/* 422 {"errors": [{"field", "message"}]} */
static void reply_errors(web_req *req, const form_errors *fe)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(root, "errors");

    for (size_t i = 0; i < fe->n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "field", fe->errs[i].field);
        cJSON_AddStringToObject(e, "message", fe->errs[i].message);
        cJSON_AddItemToArray(arr, e);
    }
    web_reply_json(req, 422, root);
}

static void reply_one_error(web_req *req, const char *field,
                            const char *message)
{
    form_errors fe = {0};

    form_errors_add(&fe, field, "%s", message);
    reply_errors(req, &fe);
    form_errors_dispose(&fe);
}

typedef struct att_ctx {
    cJSON *arr;
    int64_t request_id;
} att_ctx;

static void att_json(void *ctx, const registry_attachment *a)
{
    att_ctx *c = ctx;
    cJSON *o = cJSON_CreateObject();
    char url[96];

    snprintf(url, sizeof url, "/requests/%lld/attachments/%lld",
             (long long)c->request_id, (long long)a->id);
    cJSON_AddNumberToObject(o, "id", (double)a->id);
    cJSON_AddStringToObject(o, "filename", a->filename);
    cJSON_AddStringToObject(o, "content_type", a->content_type);
    cJSON_AddNumberToObject(o, "size", (double)a->size);
    cJSON_AddStringToObject(o, "sha256", a->sha256);
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddItemToArray(c->arr, o);
}

/* The stored request as the API shows it: form_request_to_json plus
 * attachment ids and URLs, and the page URL. NULL with err set when it
 * cannot be loaded (ERR_NOTFOUND for another organisation's). */
static cJSON *request_json(web_req *req, int64_t id, errmsg *err)
{
    form_request r;
    cJSON *root;
    att_ctx ac;
    char url[48];

    if (registry_request_load(req->reg, &r, id, intake_org_filter(req), err) <
        0)
        return NULL;
    root = form_request_to_json(&r);
    form_request_dispose(&r);
    cJSON_DeleteItemFromObjectCaseSensitive(root, "attachments");
    ac.arr = cJSON_AddArrayToObject(root, "attachments");
    ac.request_id = id;
    if (registry_attachment_list(req->reg, id, intake_org_filter(req), att_json,
                                 &ac, err) < 0) {
        cJSON_Delete(root);
        return NULL;
    }
    snprintf(url, sizeof url, "/requests/%lld", (long long)id);
    cJSON_AddStringToObject(root, "url", url);
    return root;
}

/* ---- handlers ---------------------------------------------------------- */

/* What a submission keeps while the writer stores it. */
typedef struct api_create {
    form_request r;
    registry_job job;
} api_create;

static void api_create_free(void *ctx)
{
    api_create *c = ctx;

    registry_job_dispose(&c->job);
    form_request_dispose(&c->r);
    free(c);
}

/* The reply once the request is stored: 201 with the stored request,
 * Location, and Idempotent-Replayed for a replay. */
static void api_create_finish(web_req *req, registry_job *job, void *ctx)
{
    form_errors fe = {0};
    errmsg err = {0};
    cJSON *out;
    char loc[64];

    (void)ctx;
    intake_stored(job, &fe);
    if (job->rc == ERR_INVALID && fe.n) {
        reply_errors(req, &fe);
        goto done;
    }
    if (job->rc < 0) {
        web_reply_err(req, &job->err);
        goto done;
    }
    out = request_json(req, job->id, &err);
    if (!out) {
        web_reply_err(req, &err);
        goto done;
    }
    snprintf(loc, sizeof loc, "/api/v1/requests/%lld", (long long)job->id);
    web_header_add(req, "Location", loc);
    if (job->replayed)
        web_header_add(req, "Idempotent-Replayed", "true");
    web_reply_json(req, 201, out);
done:
    form_errors_dispose(&fe);
}

/* POST /api/v1/requests */
void api_requests_create(web_req *req)
{
    api_create *c = xcalloc(1, sizeof *c);
    form_request *r = &c->r;
    form_errors fe = {0};
    intake_org org = {0};
    errmsg err = {0};
    const char *key = web_header(req, "Idempotency-Key");
    int rc;

    if (!req->content_type || strcmp(req->content_type, "application/json")) {
        web_reply_error(req, 415, "send Content-Type: application/json");
        goto fail;
    }
    form_parse_json(r, buf_cstr(&req->body), req->body.len, &fe);
    /* Read-only keys of the response shape are ignored on input. */
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
    if (intake_prepare(req, r, &org, &fe, &err) < 0 ||
        ((rc = intake_validate(r, &org, &fe, &err)) < 0 && rc != ERR_INVALID)) {
        web_reply_err(req, &err);
        goto fail;
    }
    if (fe.n) {
        reply_errors(req, &fe);
        goto fail;
    }
    rc = intake_store_defer(req, &c->job, r, key, api_create_finish, c,
                            api_create_free, &err);
    if (rc < 0) {
        if (rc == ERR_INVALID && err.field[0])
            reply_one_error(req, err.field, err.msg);
        else
            web_reply_err(req, &err);
        goto fail;
    }
    c = NULL; /* the writer's continuation owns it now */
fail:
    if (c)
        api_create_free(c);
    intake_org_dispose(&org);
    form_errors_dispose(&fe);
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
    cJSON *arr = ctx;
    cJSON *o = cJSON_CreateObject();
    char tbuf[32];

    cJSON_AddNumberToObject(o, "id", (double)row->id);
    snprintf(tbuf, sizeof tbuf, "CR-%lld", (long long)row->id);
    cJSON_AddStringToObject(o, "number", tbuf);
    cJSON_AddStringToObject(o, "title", row->title);
    cJSON_AddStringToObject(o, "status", row->status);
    cJSON_AddStringToObject(o, "organisation", row->organisation);
    cJSON_AddStringToObject(o, "instance", row->instance);
    cJSON_AddStringToObject(o, "requester_name", row->requester_name);
    cJSON_AddStringToObject(o, "requester_email", row->requester_email);
    cJSON_AddStringToObject(o, "project_manager", row->pm_email);
    cJSON_AddBoolToObject(o, "consent_related", row->consent_related);
    time_iso(tbuf, sizeof tbuf, row->created_at);
    cJSON_AddStringToObject(o, "created_at", tbuf);
    time_iso(tbuf, sizeof tbuf, row->updated_at);
    cJSON_AddStringToObject(o, "updated_at", tbuf);
    snprintf(tbuf, sizeof tbuf, "/requests/%lld", (long long)row->id);
    cJSON_AddStringToObject(o, "url", tbuf);
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
        reply_errors(req, &fe);
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
