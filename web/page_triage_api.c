/* page_triage_api.c: the JSON API of a request's life cycle: POST
 * /api/v1/requests/{id}/transitions and the comments (GET and POST
 * /api/v1/requests/{id}/comments). Each parses the body, calls one use
 * case of domain/triage_cases.h and answers JSON. */
#include "triage_int.h"
#include "notify.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

/* An error of a use case: one problem of a field as the one 422 shape
 * (web_reply_errors), a request that is not there (or not the user's) as
 * 404, the rest as web_reply_err. */
static void api_err(web_req *req, const errmsg *err)
{
    if (err->code == ERR_INVALID) {
        form_errors fe = {0};
        form_errors_add(&fe, err->field, "%s", err->msg);
        web_reply_errors(req, &fe);
        form_errors_dispose(&fe);
        return;
    }
    if (err->code == ERR_NOTFOUND) {
        triage_not_found(req);
        return;
    }
    web_reply_err(req, err);
}

/* The JSON body of a request's route; NULL after replying (404 without
 * a request id, 400/415 for a body that is not JSON). */
static cJSON *api_body(web_req *req, int64_t id)
{
    if (!id) {
        triage_not_found(req);
        return NULL;
    }
    return web_json_body_or_reply(req);
}

/* POST /api/v1/requests/{id}/transitions */
void api_transition(web_req *req)
{
    domain_actor a = intake_actor(req);
    int64_t id = web_arg_id(req, 0);
    registry_transition t;
    cJSON *body, *out;
    errmsg err = {0};
    int rc;

    body = api_body(req, id);
    if (!body)
        return;
    rc = triage_transition_from_json(&t, body, &err);
    if (rc == 0)
        rc = triage_transition(req->reg, &a, id, &t, NULL, &err);
    if (rc < 0) {
        api_err(req, &err);
        goto done;
    }
    notify_wake();
    out = triage_request_state(req->reg, &a, id, &err);
    if (out)
        web_reply_json(req, 200, out);
    else
        web_reply_err(req, &err);
done:
    cJSON_Delete(body);
}

typedef struct comments_json {
    cJSON *arr;
    int64_t id;
} comments_json;

static void comment_json(void *ctx, const registry_comment *c)
{
    comments_json *cj = ctx;
    cJSON *o = cJSON_CreateObject();
    char t[32];

    cJSON_AddNumberToObject(o, "id", (double)c->id);
    cJSON_AddStringToObject(o, "author", c->user_name);
    cJSON_AddStringToObject(o, "role", c->user_role);
    cJSON_AddStringToObject(o, "body", c->body);
    time_iso(t, sizeof t, c->created_at);
    cJSON_AddStringToObject(o, "created_at", t);
    cJSON_AddArrayToObject(o, "files");
    cJSON_AddItemToArray(cj->arr, o);
}

static void comment_file_json(void *ctx, int64_t comment_id, int64_t file_id,
                              const char *filename, int64_t size)
{
    comments_json *cj = ctx;
    cJSON *c;

    cJSON_ArrayForEach(c, cj->arr)
    {
        const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "id");
        cJSON *files, *f;
        char url[96];
        if (!cJSON_IsNumber(cid) || (int64_t)cid->valuedouble != comment_id)
            continue;
        files = cJSON_GetObjectItemCaseSensitive(c, "files");
        f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "id", (double)file_id);
        cJSON_AddStringToObject(f, "filename", filename);
        cJSON_AddNumberToObject(f, "size", (double)size);
        snprintf(url, sizeof url, "/requests/%lld/attachments/%lld",
                 (long long)cj->id, (long long)file_id);
        cJSON_AddStringToObject(f, "url", url);
        cJSON_AddItemToArray(files, f);
    }
}

/* GET /api/v1/requests/{id}/comments */
void api_comments_list(web_req *req)
{
    int64_t id = triage_visible_id(req);
    comments_json cj;
    cJSON *root;
    errmsg err = {0};

    if (!id)
        return;
    root = cJSON_CreateObject();
    cj.arr = cJSON_AddArrayToObject(root, "comments");
    cj.id = id;
    if (registry_comment_list(req->reg, id, triage_orgf(req), comment_json, &cj,
                              &err) < 0 ||
        registry_comment_files(req->reg, id, triage_orgf(req),
                               comment_file_json, &cj, &err) < 0) {
        cJSON_Delete(root);
        web_reply_err(req, &err);
        return;
    }
    web_reply_json(req, 200, root);
}

/* POST /api/v1/requests/{id}/comments {"body": "..."} */
void api_comments_add(web_req *req)
{
    domain_actor a = intake_actor(req);
    int64_t id = web_arg_id(req, 0), cid = 0;
    cJSON *body, *out;
    errmsg err = {0};
    const char *text = NULL;
    char loc[96], t[32];
    int rc;

    body = api_body(req, id);
    if (!body)
        return;
    rc = triage_comment_from_json(&text, body, &err);
    if (rc == 0)
        rc = triage_comment(req->reg, &a, id, text, NULL, 0, &cid, &err);
    if (rc < 0) {
        api_err(req, &err);
        goto done;
    }
    notify_wake();
    out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "id", (double)cid);
    cJSON_AddStringToObject(out, "author", req->user.name);
    cJSON_AddStringToObject(out, "role", req->user.role);
    cJSON_AddStringToObject(out, "body", text ? text : "");
    time_iso(t, sizeof t, time_now());
    cJSON_AddStringToObject(out, "created_at", t);
    cJSON_AddArrayToObject(out, "files");
    snprintf(loc, sizeof loc, "/api/v1/requests/%lld/comments", (long long)id);
    web_header_add(req, "Location", loc);
    web_reply_json(req, 201, out);
done:
    cJSON_Delete(body);
}
