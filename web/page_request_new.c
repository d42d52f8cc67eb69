/* page_request_new.c: a new change request from the HTML form: GET
 * /requests/new, and POST /requests, which reads the posted fields and
 * files (new uploads and those kept from the last attempt as hidden
 * base64 fields), calls the submission use case (domain/submit.h) and
 * answers with a redirect once the writer stored it, or with the form
 * again and every problem. The rules of a file are forms/attachment.h. */
#include "request_form_int.h"
#include "attachment.h"
#include "mem.h"
#include "notify.h"
#include "parse.h"
#include "requests.h"
#include "str.h"
#include "submit.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- uploaded files ---------------------------------------------------- */

static void files_dispose(kept_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].filename);
        free(f[i].content_type);
        free(f[i].data);
    }
    free(f);
}

/* "kept[3].data" -> 3 and "data"; -1 when not a kept field. */
static int kept_index(const char *name, const char **suffix)
{
    int i = 0;
    const char *p = name + 5;

    if (!str_startswith(name, "kept[") || *p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9' && i < 100)
        i = i * 10 + (*p++ - '0');
    if (*p != ']' || p[1] != '.' || i >= MAX_KEPT)
        return -1;
    *suffix = p + 2;
    return i;
}

static void add_file(kept_file **files, size_t *n, const char *name,
                     const unsigned char *d, size_t len, form_errors *fe)
{
    kept_file f = {0};
    errmsg err = {0};

    if (*n >= FORM_MAX_ATTACHMENTS) {
        if (!form_errors_get(fe, "attachments") ||
            !strstr(form_errors_get(fe, "attachments"), "at most"))
            form_errors_add(fe, "attachments",
                            "at most %d files per request: %.100s was not "
                            "added",
                            FORM_MAX_ATTACHMENTS, name);
        return;
    }
    if (form_file_check(&f.filename, &f.content_type, name, d, len, &err) < 0) {
        form_errors_add(fe, "attachments", "%s", err.msg);
        return;
    }
    f.data = xmalloc(len ? len : 1);
    if (len)
        memcpy(f.data, d, len);
    f.size = len;
    *files = xrealloc(*files, (*n + 1) * sizeof **files);
    (*files)[(*n)++] = f;
}

/* The files of this post: those carried from the last rendering (kept
 * and still ticked) first, then new uploads of the "attachments" input.
 * Problems go into fe under "attachments". */
static void files_collect(web_req *req, kept_file **files, size_t *n,
                          form_errors *fe)
{
    const char *names[MAX_KEPT] = {0}, *data[MAX_KEPT] = {0};
    size_t datalen[MAX_KEPT] = {0};
    int keep[MAX_KEPT] = {0};

    *files = NULL;
    *n = 0;
    for (size_t i = 0; i < req->nfields; i++) {
        const web_field *f = &req->fields[i];
        const char *suffix;
        int k = f->filename ? -1 : kept_index(f->name, &suffix);
        if (k < 0)
            continue;
        if (!strcmp(suffix, "name"))
            names[k] = buf_cstr(&f->value);
        else if (!strcmp(suffix, "data")) {
            data[k] = buf_cstr(&f->value);
            datalen[k] = f->value.len;
        } else if (!strcmp(suffix, "keep"))
            keep[k] = 1;
    }
    for (int k = 0; k < MAX_KEPT; k++) {
        unsigned char *bin;
        size_t binlen = 0, max;
        if (!keep[k] || !names[k] || !data[k])
            continue;
        max = datalen[k] / 4 * 3 + 3;
        if (max > FORM_MAX_ATTACHMENT + 3)
            continue;
        bin = xmalloc(max ? max : 1);
        if (sodium_base642bin(bin, max, data[k], datalen[k], NULL, &binlen,
                              NULL, sodium_base64_VARIANT_ORIGINAL) == 0)
            add_file(files, n, names[k], bin, binlen, fe);
        free(bin);
    }
    for (size_t i = 0; i < req->nfields; i++) {
        const web_field *f = &req->fields[i];
        if (strcmp(f->name, "attachments") != 0)
            continue;
        if (!f->filename) {
            /* A file part whose name MHD could not read (a NUL or a line
               break in filename="...") arrives without one: refuse it
               rather than drop the file silently. */
            if (f->value.len)
                form_errors_add(fe, "attachments",
                                "a file was sent without a readable name");
            continue;
        }
        if (!*f->filename && !f->value.len)
            continue; /* the empty file input */
        add_file(files, n, f->filename,
                 (const unsigned char *)buf_cstr(&f->value), f->value.len, fe);
    }
}

/* ---- the draft kept in the browser ------------------------------------ */

/* Inside the form: the key under which app.js keeps a draft of this
 * form in the browser's localStorage, one per user ("new-request:u12"),
 * so a half-filled form survives leaving the page and another account
 * signed in on the same browser is not offered it. The element has no
 * name and is never sent. Every rendering of the new-request form has
 * it (the first, the answer of a mistake, the longer form), which tells
 * app.js that a submission came back instead of being stored. */
static void draft_hook(web_req *req, void *ctx)
{
    (void)ctx;
    buf_appendf(&req->out,
                "<input type=\"hidden\" data-draft-key=\"new-request:u%lld\">",
                (long long)req->user.id);
}

static const intake_form_mode new_request_mode = {
    .more_rows_item = -1,
    .extra = draft_hook,
};

/* GET /requests/new */
void page_request_new(web_req *req)
{
    form_request r;
    rform_view v;
    char sid[33];

    memset(&r, 0, sizeof r);
    memset(&v, 0, sizeof v);
    r.requester_name = xstrdup(req->user.name);
    r.requester_email = xstrdup(req->user.email);
    if (req->role == ROLE_CLIENT)
        r.organisation = xstrdup(req->user.org_name);
    registry_random_hex(sid, 16);
    v.req = req;
    v.r = &r;
    v.more_rows_item = -1;
    v.submission_id = sid;
    v.mode = &new_request_mode;
    rform_reply(&v, 0);
    form_request_dispose(&r);
}

/* A submission id as page_request_new makes it: 32 lowercase hex digits. */
static int sid_ok(const char *s)
{
    return s && strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

/* What a form submission keeps while the writer stores it: the request,
 * its files (the attachments' bytes), the submission id (its
 * Idempotency-Key) and the use case's result with the job, for the
 * redirect or, when the store rejects a field, the form again. */
typedef struct create_ctx {
    form_request r;
    kept_file *files;
    size_t nfiles;
    char sid[33];
    submit_result res;
} create_ctx;

/* The form view of a submission: the request, its kept files and id. */
static void create_view(rform_view *v, web_req *req, create_ctx *c)
{
    memset(v, 0, sizeof *v);
    v->req = req;
    v->r = &c->r;
    v->files = c->files;
    v->nfiles = c->nfiles;
    v->submission_id = c->sid;
    v->more_rows_item = -1;
    v->mode = &new_request_mode;
}

/* The form again with the problems of the submission (422). */
static void create_reply_errors(web_req *req, create_ctx *c)
{
    rform_view v;

    create_view(&v, req, c);
    v.fe = &c->res.fe;
    v.nraw =
        rform_raw_values_find(req, v.fe, v.raw, sizeof v.raw / sizeof *v.raw);
    rform_reply(&v, 422);
}

static void create_ctx_free(void *ctx)
{
    create_ctx *c = ctx;

    submit_result_dispose(&c->res);
    files_dispose(c->files, c->nfiles);
    form_request_dispose(&c->r);
    free(c);
}

/* The reply once the request is stored: a redirect to its page with a
 * flash message, or the form with the problem. */
static void create_finish(web_req *req, registry_job *job, void *ctx)
{
    create_ctx *c = ctx;
    int rc = intake_outcome_or_reply(req, &c->res);
    char msg[96], loc[48];

    assert(job == &c->res.job);
    if (rc == ERR_INVALID)
        create_reply_errors(req, c);
    if (rc < 0)
        return;
    snprintf(msg, sizeof msg, "Request CR-%lld was submitted.",
             (long long)job->id);
    snprintf(loc, sizeof loc, "/requests/%lld", (long long)job->id);
    page_flash_set(req, msg);
    web_redirect(req, loc);
}

/* The files of the submission as the request's attachments (the bytes
 * stay with c->files). */
static void create_attach(create_ctx *c)
{
    form_request *r = &c->r;

    r->attachments = xcalloc(c->nfiles ? c->nfiles : 1, sizeof *r->attachments);
    for (size_t i = 0; i < c->nfiles; i++) {
        r->attachments[i].filename = xstrdup(c->files[i].filename);
        r->attachments[i].content_type = xstrdup(c->files[i].content_type);
        r->attachments[i].data = c->files[i].data;
        r->attachments[i].size = c->files[i].size;
    }
    r->nattachments = c->nfiles;
}

/* "Add another change" / "More column rows": the same form, longer, with
 * only the problems of the files (the rest is not finished yet). */
static void create_longer(web_req *req, create_ctx *c)
{
    form_errors shown = {0};
    const form_errors *fe = &c->res.fe;
    rform_view v;

    create_view(&v, req, c);
    v.more_rows_item = intake_more_rows(req, &c->r, &v.add_item);
    for (size_t i = 0; i < fe->n; i++)
        if (!strcmp(fe->errs[i].field, "attachments"))
            form_errors_add(&shown, "attachments", "%s", fe->errs[i].message);
    v.fe = &shown;
    rform_reply(&v, 0);
    form_errors_dispose(&shown);
}

/* POST /requests: parse, submit, and wait for the writer (or answer the
 * problems at once). */
void page_request_create(web_req *req)
{
    create_ctx *c = xcalloc(1, sizeof *c);
    domain_actor a = domain_actor_of(&req->user);
    submit_input in = {&c->r, c->sid};
    const char *sid = web_field_get(req, "submission_id");
    errmsg err = {0};
    int rc;

    intake_parse_fields(req, &c->r, "kept[", &c->res.fe);
    files_collect(req, &c->files, &c->nfiles, &c->res.fe);
    if (sid_ok(sid))
        memcpy(c->sid, sid, sizeof c->sid);
    else
        registry_random_hex(c->sid, 16);
    if (web_field_get(req, "add_item") || web_field_get(req, "add_rows")) {
        create_longer(req, c);
        goto done;
    }
    create_attach(c);
    rc = domain_submit(req->reg, &a, &in, &c->res, &err);
    if (rc == 0) {
        /* The writer's continuation owns c now. */
        web_defer_job(req, &c->res.job, create_finish, c, create_ctx_free);
        return;
    }
    if (rc == ERR_INVALID)
        create_reply_errors(req, c);
    else
        web_reply_err(req, &err);
done:
    create_ctx_free(c);
}

/* ---- shared with page_triage.c (requests_int.h) ------------------------ */

int intake_file_check(char **out_name, char **out_type, const char *name,
                      const unsigned char *data, size_t len, char *msg,
                      size_t msgsize)
{
    errmsg err = {0};

    if (form_file_check(out_name, out_type, name, data, len, &err) < 0) {
        snprintf(msg, msgsize, "%s", err.msg);
        return -1;
    }
    return 0;
}

int intake_outcome_or_reply(web_req *req, submit_result *res)
{
    int rc = domain_submit_outcome(res);

    if (rc < 0 && rc != ERR_INVALID)
        web_reply_err(req, &res->job.err);
    if (rc == 0 && !res->job.replayed)
        notify_wake();
    return rc;
}

domain_actor intake_actor(const web_req *req)
{
    return domain_actor_of(&req->user);
}

int64_t intake_org_filter(const web_req *req)
{
    return req->role == ROLE_CLIENT ? req->user.org_id : 0;
}

int intake_prepare(web_req *req, form_request *r, intake_org *org,
                   form_errors *fe, errmsg *err)
{
    domain_actor a = intake_actor(req);

    org->reg = req->reg;
    return domain_submit_resolve(req->reg, &a, r, &org->o, fe, err);
}

void intake_org_dispose(intake_org *org)
{
    submit_org_dispose(&org->o);
}

int intake_validate(const form_request *r, intake_org *org, form_errors *fe,
                    errmsg *err)
{
    return domain_submit_validate(org->reg, r, &org->o, fe, err);
}

void intake_parse_fields(web_req *req, form_request *r, const char *skip,
                         form_errors *fe)
{
    form_kv *kv = xcalloc(req->nfields ? req->nfields : 1, sizeof *kv);
    size_t nkv = 0;

    for (size_t i = 0; i < req->nfields; i++) {
        const web_field *f = &req->fields[i];
        if (f->filename || (skip && str_startswith(f->name, skip)))
            continue;
        kv[nkv].name = f->name;
        kv[nkv].value = buf_cstr(&f->value);
        kv[nkv].len = f->value.len;
        nkv++;
    }
    form_parse_fields(r, kv, nkv, fe);
    free(kv);
}

long intake_more_rows(web_req *req, const form_request *r, int *add_item)
{
    const char *add_rows = web_field_get(req, "add_rows");
    long item = -1;
    char *end;

    *add_item = web_field_get(req, "add_item") != NULL;
    if (!add_rows)
        return -1;
    item = strtol(add_rows, &end, 10);
    if (*end || item < 0)
        item = -1;
    if (item >= (long)r->nitems)
        item = r->nitems ? (long)r->nitems - 1 : 0;
    return item;
}
