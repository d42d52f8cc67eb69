/* page_triage_actions.c: the actions on a request after its submission,
 * in the browser and the JSON API: life-cycle transitions, priority and
 * estimate, comments with files, and edits of an open request (re-using
 * the intake form). Each parses the form or the JSON body, calls one use
 * case of domain/triage_cases.h and redirects, renders or answers JSON. */
#include "page_triage_int.h"
#include "mem.h"
#include "notify.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- HTML actions ------------------------------------------------------ */

static void flash_redirect(web_req *req, int64_t id, const char *msg)
{
    char loc[48];

    snprintf(loc, sizeof loc, "/requests/%lld", (long long)id);
    page_flash_set(req, msg);
    web_redirect(req, loc);
}

typedef struct upload {
    registry_file *files;
    char **names, **types;
    size_t n;
} upload;

static void upload_dispose(upload *u)
{
    for (size_t i = 0; i < u->n; i++) {
        free(u->names[i]);
        free(u->types[i]);
    }
    free(u->names);
    free(u->types);
    free(u->files);
    memset(u, 0, sizeof *u);
}

/* The files of the "attachments" input, checked like intake's. Returns 0
 * or -1 with msg set. */
static int uploads_collect(web_req *req, upload *u, char *msg, size_t size)
{
    memset(u, 0, sizeof *u);
    for (size_t i = 0; i < req->nfields; i++) {
        const web_field *f = &req->fields[i];
        char *name = NULL, *type = NULL;
        if (strcmp(f->name, "attachments") != 0)
            continue;
        if (!f->filename) {
            if (f->value.len) {
                snprintf(msg, size,
                         "a file was sent without a readable "
                         "name");
                return -1;
            }
            continue;
        }
        if (!*f->filename && !f->value.len)
            continue;
        if (u->n >= FORM_MAX_ATTACHMENTS) {
            snprintf(msg, size, "at most %d files at once",
                     FORM_MAX_ATTACHMENTS);
            return -1;
        }
        if (intake_file_check(&name, &type, f->filename,
                              (const unsigned char *)buf_cstr(&f->value),
                              f->value.len, msg, size) < 0)
            return -1;
        u->files = xrealloc(u->files, (u->n + 1) * sizeof *u->files);
        u->names = xrealloc(u->names, (u->n + 1) * sizeof *u->names);
        u->types = xrealloc(u->types, (u->n + 1) * sizeof *u->types);
        u->names[u->n] = name;
        u->types[u->n] = type;
        u->files[u->n].filename = name;
        u->files[u->n].content_type = type;
        u->files[u->n].data = (const unsigned char *)buf_cstr(&f->value);
        u->files[u->n].size = f->value.len;
        u->n++;
    }
    return 0;
}

/* POST /requests/{id}/transitions (to, note, sprint, instance, priority,
 * estimate, reason; an answer also attachments, multipart like a
 * comment): the flash says what happened in words for its reader
 * (triage_move). */
void page_transition(web_req *req)
{
    domain_actor a = intake_actor(req);
    int64_t id = web_arg_id(req, 0);
    triage_transition_form f = {
        web_field_get(req, "to"),       web_field_get(req, "note"),
        web_field_get(req, "instance"), web_field_get(req, "sprint"),
        web_field_get(req, "priority"), web_field_get(req, "estimate"),
        web_field_get(req, "reason")};
    registry_transition t;
    triage_moved out = {0};
    upload u = {0};
    errmsg err = {0};
    char msg[256];
    int rc;

    /* Tenant first: another organisation's request stays a 404. */
    if (!triage_visible_id(req))
        goto done;
    rc = triage_transition_from_form(&t, &a, &f, &err);
    if (rc == 0 && uploads_collect(req, &u, msg, sizeof msg) < 0)
        rc = err_set_field(&err, ERR_INVALID, "attachments", "%s", msg);
    t.files = u.files;
    t.nfiles = u.n;
    if (rc == 0)
        rc = triage_move(req->reg, &a, id, &t, &out, &err);
    if (rc < 0) {
        web_reply_err(req, &err);
        goto done;
    }
    notify_wake();
    flash_redirect(req, id, out.message);
    triage_moved_dispose(&out);
done:
    upload_dispose(&u);
}

/* POST /requests/{id}/plan (priority, estimate) */
void page_plan(web_req *req)
{
    domain_actor a = intake_actor(req);
    int64_t id = web_arg_id(req, 0);
    errmsg err = {0};

    if (triage_plan(req->reg, &a, id, web_field_get(req, "priority"),
                    web_field_get(req, "estimate"), &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    flash_redirect(req, id, "Priority and estimate were saved.");
}

/* POST /requests/{id}/comments (body, attachments) */
void page_comment(web_req *req)
{
    domain_actor a = intake_actor(req);
    int64_t id = triage_visible_id(req), cid = 0;
    upload u = {0};
    errmsg err = {0};
    char msg[256], loc[64];

    /* Tenant first: another organisation's request stays a 404. */
    if (!id)
        return;
    if (uploads_collect(req, &u, msg, sizeof msg) < 0) {
        web_reply_error(req, 422, msg);
        goto done;
    }
    if (triage_comment(req->reg, &a, id, web_field_get(req, "body"), u.files,
                       u.n, &cid, &err) < 0) {
        web_reply_err(req, &err);
        goto done;
    }
    notify_wake();
    snprintf(loc, sizeof loc, "/requests/%lld#comment-%lld", (long long)id,
             (long long)cid);
    page_flash_set(req, "Your comment was added.");
    web_redirect(req, loc);
done:
    upload_dispose(&u);
}

/* ---- edits ------------------------------------------------------------- */

static void answers_box(web_req *req, void *ctx)
{
    (void)ctx;
    buf_puts(&req->out, "<section class=\"card\"><label class=\"check\">"
                        "<input type=\"checkbox\" name=\"answers\" "
                        "value=\"yes\" checked> This answers the question "
                        "(the request goes back to the project manager)"
                        "</label></section>");
}

/* The edit form of request id with r (fe: its problems, may be NULL). */
static void edit_form_show(web_req *req, int64_t id, const form_request *r,
                           request_status status, const form_errors *fe,
                           long more_rows_item, int add_item, int code)
{
    intake_form_mode m = {0};
    char heading[64], action[64];

    snprintf(heading, sizeof heading, "Edit CR-%lld", (long long)id);
    snprintf(action, sizeof action, "/requests/%lld/edit", (long long)id);
    m.heading = heading;
    m.action = action;
    m.submit = "Save changes";
    m.no_files = 1;
    m.more_rows_item = more_rows_item;
    m.add_item = add_item;
    if (status == REQ_NEEDS_INFO)
        m.extra = answers_box;
    intake_form_show(req, r, fe, &m, code);
}

/* GET /requests/{id}/edit */
void page_edit_form(web_req *req)
{
    domain_actor a = intake_actor(req);
    form_request r;
    errmsg err = {0};
    int64_t id = web_arg_id(req, 0);

    if (triage_edit_open(req->reg, &a, id, &r, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    edit_form_show(req, id, &r, registry_status_parse(r.status), NULL, -1, 0,
                   0);
    form_request_dispose(&r);
}

/* The "Add another change" and "More column rows" buttons: the form
 * again, with the blank rows asked for and no check yet. */
static void edit_more(web_req *req, const domain_actor *a, int64_t id,
                      form_request *r)
{
    form_request stored;
    form_errors none = {0};
    errmsg err = {0};
    int add_item = 0;
    long more = intake_more_rows(req, r, &add_item);

    if (triage_edit_open(req->reg, a, id, &stored, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    triage_edit_keep(r, &stored);
    edit_form_show(req, id, r, registry_status_parse(stored.status), &none,
                   more, add_item, 0);
    form_request_dispose(&stored);
}

/* POST /requests/{id}/edit */
void page_edit(web_req *req)
{
    domain_actor a = intake_actor(req);
    int64_t id = web_arg_id(req, 0);
    form_request r;
    triage_edit_result res = {0};
    errmsg err = {0};
    char msg[1024];
    int rc;

    intake_parse_fields(req, &r, "answers", &res.fe);
    if (web_field_get(req, "add_item") || web_field_get(req, "add_rows")) {
        edit_more(req, &a, id, &r);
        goto done;
    }
    rc = triage_edit(req->reg, &a, id, &r,
                     web_field_get(req, "answers") != NULL, &res, &err);
    if (rc == ERR_INVALID && res.fe.n) {
        edit_form_show(req, id, &r, res.status, &res.fe, -1, 0, 422);
        goto done;
    }
    if (rc < 0) {
        web_reply_err(req, &err);
        goto done;
    }
    notify_wake();
    snprintf(msg, sizeof msg, "CR-%lld was saved as version %d.%s%s",
             (long long)id, res.version, res.answered ? " " : "",
             res.answered ? res.answered : "");
    flash_redirect(req, id, msg);
done:
    triage_edit_dispose(&res);
    form_request_dispose(&r);
}

/* ---- the JSON API ------------------------------------------------------ */

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

/* After a use case that changes a request: its failure answered (0), or
 * the notifier woken for what it queued (1). */
static int api_changed(web_req *req, int rc, const errmsg *err)
{
    if (rc < 0) {
        api_err(req, err);
        return 0;
    }
    notify_wake();
    return 1;
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
    if (api_changed(req, rc, &err)) {
        out = triage_request_state(req->reg, &a, id, &err);
        if (out)
            web_reply_json(req, 200, out);
        else
            web_reply_err(req, &err);
    }
    cJSON_Delete(body);
}

typedef struct comments_json {
    cJSON *arr;
    int64_t id;
} comments_json;

/* One comment of the API, its "files" empty (comment_file_json fills
 * them in). */
static cJSON *comment_obj(int64_t id, const char *author, const char *role,
                          const char *body, int64_t created_at)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "id", (double)id);
    cJSON_AddStringToObject(o, "author", author);
    cJSON_AddStringToObject(o, "role", role);
    cJSON_AddStringToObject(o, "body", body);
    web_json_add_time(o, "created_at", created_at);
    cJSON_AddArrayToObject(o, "files");
    return o;
}

static void comment_json(void *ctx, const registry_comment *c)
{
    comments_json *cj = ctx;

    cJSON_AddItemToArray(cj->arr, comment_obj(c->id, c->user_name, c->user_role,
                                              c->body, c->created_at));
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
    if (registry_comment_list(req->reg, id, intake_org_filter(req),
                              comment_json, &cj, &err) < 0 ||
        registry_comment_files(req->reg, id, intake_org_filter(req),
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
    char loc[96];
    int rc;

    body = api_body(req, id);
    if (!body)
        return;
    rc = triage_comment_from_json(&text, body, &err);
    if (rc == 0)
        rc = triage_comment(req->reg, &a, id, text, NULL, 0, &cid, &err);
    if (api_changed(req, rc, &err)) {
        out = comment_obj(cid, req->user.name, req->user.role, text ? text : "",
                          time_now());
        snprintf(loc, sizeof loc, "/api/v1/requests/%lld/comments",
                 (long long)id);
        web_header_add(req, "Location", loc);
        web_reply_json(req, 201, out);
    }
    cJSON_Delete(body);
}
