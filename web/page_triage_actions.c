/* page_triage_actions.c: the HTML actions on a request after its
 * submission: life-cycle transitions, priority and estimate, comments
 * with files, and edits of an open request (re-using the intake form).
 * Each parses the form, calls one use case of domain/triage_cases.h and
 * redirects or renders. */
#include "triage_int.h"
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

/* POST /requests/{id}/transitions (to, note, sprint, instance, priority,
 * estimate) */
void page_transition(web_req *req)
{
    domain_actor a = intake_actor(req);
    int64_t id = web_arg_id(req, 0);
    triage_transition_form f = {
        web_field_get(req, "to"),       web_field_get(req, "note"),
        web_field_get(req, "instance"), web_field_get(req, "sprint"),
        web_field_get(req, "priority"), web_field_get(req, "estimate")};
    registry_transition t;
    request_status status = REQ_NONE;
    errmsg err = {0};
    char msg[160];
    int rc = triage_transition_from_form(&t, &a, &f, &err);

    if (rc == 0)
        rc = triage_transition(req->reg, &a, id, &t, &status, &err);
    if (rc < 0) {
        web_reply_err(req, &err);
        return;
    }
    notify_wake();
    snprintf(msg, sizeof msg, "CR-%lld is now %s.", (long long)id,
             registry_status_name(status));
    for (char *c = msg; *c; c++)
        if (*c == '_')
            *c = ' ';
    flash_redirect(req, id, msg);
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
            snprintf(msg, size, "at most %d files per comment",
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

/* POST /requests/{id}/edit */
void page_edit(web_req *req)
{
    domain_actor a = intake_actor(req);
    int64_t id = web_arg_id(req, 0);
    form_request r, stored;
    triage_edit_result res = {0};
    errmsg err = {0};
    char msg[96];
    long more;
    int rc, add_item = 0;

    /* Checked first: the form is not parsed for a request the user may not
       edit (another organisation's stays a 404). */
    if (triage_edit_open(req->reg, &a, id, &stored, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    intake_parse_fields(req, &r, "answers", &res.fe);
    more = intake_more_rows(req, &r, &add_item);
    if (add_item || web_field_get(req, "add_rows")) {
        form_errors none = {0};
        triage_edit_keep(&r, &stored);
        edit_form_show(req, id, &r, registry_status_parse(stored.status), &none,
                       more, add_item, 0);
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
    snprintf(msg, sizeof msg, "CR-%lld was saved as version %d.", (long long)id,
             res.version);
    flash_redirect(req, id, msg);
done:
    triage_edit_dispose(&res);
    form_request_dispose(&r);
    form_request_dispose(&stored);
}
