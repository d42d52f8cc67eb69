/* page_request_extra.c: the sections triage adds to the request page
 * (GET /requests/{id}, page_requests.c): the plan (sprint, priority,
 * estimate, deploy per instance), the life-cycle actions the signed-in
 * user may take, the edit and migration links, and ONE chronological
 * timeline of status changes, comments and edits (with field-level diffs)
 * followed by the comment form. The actions post to the routes of
 * page_triage.c; the rules live in registry/triage.c. */
#include "requests_int.h"
#include "page_triage_int.h"
#include "mem.h"
#include "requests.h"
#include "str.h"
#include "triage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- the timeline ----------------------------------------------------- */

typedef struct entry {
    int64_t at;
    int64_t seq; /* tie-break: kind then id */
    char *html;
} entry;

typedef struct tl {
    web_req *req;
    int64_t id;
    entry *e;
    size_t n, cap;
    char *prev_copy; /* previous version's body */
    /* files of the comments */
    struct cfile {
        int64_t comment, id, size;
        char *name;
    } * files;
    size_t nfiles, fcap;
} tl;

static void tl_add(tl *t, int64_t at, int64_t seq, buf *b)
{
    xgrow(&t->e, &t->cap, t->n + 1, sizeof *t->e);
    t->e[t->n].at = at;
    t->e[t->n].seq = seq;
    t->e[t->n].html = buf_detach(b);
    t->n++;
}

static void time_el(buf *o, int64_t t)
{
    char iso[32];

    time_iso(iso, sizeof iso, t);
    buf_puts(o, "<time datetime=\"");
    buf_puts(o, iso);
    buf_puts(o, "\">");
    page_time(o, t);
    buf_puts(o, "</time>");
}

static void tl_event(void *ctx, const registry_request_event *e)
{
    tl *t = ctx;
    buf b = {0};

    buf_puts(&b, "<li class=\"event\">");
    time_el(&b, e->created_at);
    page_wrap(&b, "<span class=\"actor\">",
              *e->user_name ? e->user_name : "docket", "</span>");
    if (*e->from_status) {
        page_status_badge(&b, e->from_status);
        buf_puts(&b, " → ");
    }
    page_status_badge(&b, e->to_status);
    if (*e->instance) {
        page_wrap(&b, " on <strong>", e->instance, "</strong>");
    }
    if (*nz(e->note)) {
        buf_puts(&b, "<div class=\"text markdown\">");
        web_markdown(&b, e->note);
        buf_puts(&b, "</div>");
    }
    buf_puts(&b, "</li>");
    tl_add(t, e->created_at, e->id * 4 + 0, &b);
}

static void tl_file(void *ctx, int64_t comment_id, int64_t file_id,
                    const char *filename, int64_t size)
{
    tl *t = ctx;

    xgrow(&t->files, &t->fcap, t->nfiles + 1, sizeof *t->files);
    t->files[t->nfiles].comment = comment_id;
    t->files[t->nfiles].id = file_id;
    t->files[t->nfiles].size = size;
    t->files[t->nfiles].name = xstrdup(filename);
    t->nfiles++;
}

static void tl_comment(void *ctx, const registry_comment *c)
{
    tl *t = ctx;
    buf b = {0};
    int files = 0;

    buf_appendf(&b, "<li class=\"comment\" id=\"comment-%lld\">",
                (long long)c->id);
    time_el(&b, c->created_at);
    page_wrap(&b, "<span class=\"actor\">",
              *c->user_name ? c->user_name : "someone", "</span>");
    if (*c->user_role) {
        page_wrap(&b, "<span class=\"badge role\">", c->user_role, "</span>");
    }
    buf_puts(&b, "<div class=\"text markdown\">");
    web_markdown(&b, c->body);
    buf_puts(&b, "</div>");
    for (size_t i = 0; i < t->nfiles; i++) {
        if (t->files[i].comment != c->id)
            continue;
        if (!files++)
            buf_puts(&b, "<ul class=\"files\">");
        buf_appendf(&b,
                    "<li><a href=\"/requests/%lld/attachments/%lld\" "
                    "download>",
                    (long long)t->id, (long long)t->files[i].id);
        buf_append_html(&b, t->files[i].name);
        buf_appendf(&b, "</a> <span class=\"muted\">%lld bytes</span></li>",
                    (long long)t->files[i].size);
    }
    if (files)
        buf_puts(&b, "</ul>");
    buf_puts(&b, "</li>");
    tl_add(t, c->created_at, c->id * 4 + 1, &b);
}

typedef struct diff_out {
    buf *b;
    int n;
} diff_out;

static void diff_line(void *ctx, const char *path, const char *o, const char *n)
{
    diff_out *d = ctx;

    if (d->n++ >= 200)
        return;
    page_wrap(d->b, "<li><code>", path, "</code>: ");
    if (o && *o) {
        page_wrap(d->b, "<del>", o, "</del>");
    } else {
        buf_puts(d->b, "<span class=\"muted\">(empty)</span>");
    }
    buf_puts(d->b, " → ");
    if (n && *n) {
        page_wrap(d->b, "<ins>", n, "</ins>");
    } else {
        buf_puts(d->b, "<span class=\"muted\">(removed)</span>");
    }
    buf_puts(d->b, "</li>");
}

static void tl_version(void *ctx, const registry_version *v)
{
    tl *t = ctx;
    buf b = {0};
    diff_out d = {&b, 0};

    if (v->version > 1 && t->prev_copy) {
        buf_appendf(&b, "<li class=\"event edit\" id=\"version-%d\">",
                    v->version);
        time_el(&b, v->created_at);
        buf_puts(&b, "<span class=\"actor\">");
        buf_append_html(&b, *v->user_name ? v->user_name : "someone");
        buf_appendf(&b,
                    "</span>edited the request (version %d)"
                    "<div class=\"text\"><ul class=\"diff\">",
                    v->version);
        registry_version_diff(t->prev_copy, v->body, diff_line, &d);
        if (d.n > 200)
            buf_appendf(&b, "<li>… and %d more</li>", d.n - 200);
        buf_puts(&b, "</ul></div></li>");
        tl_add(t, v->created_at, (int64_t)v->version * 4 + 2, &b);
    }
    free(t->prev_copy);
    t->prev_copy = xstrdup(v->body);
}

static int entry_cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;

    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The timeline, or a negative ERR_* (in err), with nothing rendered, when
 * any of its reads fails: a timeline with a hole would tell a wrong
 * story. */
static int timeline(web_req *req, int64_t id, int64_t orgf, errmsg *err)
{
    buf *o = &req->out;
    tl t;
    int rc;

    memset(&t, 0, sizeof t);
    t.req = req;
    t.id = id;
    rc = registry_request_events(req->reg, id, tl_event, &t, err);
    if (rc == 0)
        rc = registry_comment_files(req->reg, id, orgf, tl_file, &t, err);
    if (rc == 0)
        rc = registry_comment_list(req->reg, id, orgf, tl_comment, &t, err);
    if (rc == 0)
        rc = registry_version_list(req->reg, id, orgf, tl_version, &t, err);
    if (rc == 0) {
        qsort(t.e, t.n, sizeof *t.e, entry_cmp);
        buf_puts(o, "<section class=\"card\" id=\"timeline\"><h2>Timeline "
                    "and conversation</h2><ol class=\"timeline\">");
        for (size_t i = 0; i < t.n; i++)
            buf_puts(o, t.e[i].html);
        buf_puts(o, "</ol>");
    }
    for (size_t i = 0; i < t.n; i++)
        free(t.e[i].html);
    free(t.e);
    free(t.prev_copy);
    for (size_t i = 0; i < t.nfiles; i++)
        free(t.files[i].name);
    free(t.files);
    return rc;
}

/* ---- plan and actions ------------------------------------------------- */

/* The instances of a request, in the registry's order. */
typedef struct inst_ctx {
    registry_request_instance *list;
    size_t n, cap;
} inst_ctx;

static void inst_collect(void *ctx, const registry_request_instance *i)
{
    inst_ctx *c = ctx;

    xgrow(&c->list, &c->cap, c->n + 1, sizeof *c->list);
    c->list[c->n++] = *i;
}

typedef struct sprint_opts {
    buf *o;
    int n;
} sprint_opts;

static void sprint_option(void *ctx, const registry_sprint *s, int nreq)
{
    sprint_opts *so = ctx;

    so->n++;
    buf_appendf(so->o, "<option value=\"%lld\"%s>", (long long)s->id,
                so->n == 2 ? " selected" : "");
    buf_append_html(so->o, s->name);
    buf_puts(so->o, " (deploy ");
    page_time(so->o, s->deploy_at);
    buf_appendf(so->o, ", %d request%s)</option>", nreq, nreq == 1 ? "" : "s");
}

static void last_question(void *ctx, const registry_request_event *e)
{
    char **q = ctx;

    if (strcmp(e->to_status, "needs_info") != 0)
        return;
    free(*q);
    *q = xstrdup(nz(e->note));
}

/* <form> opening for a transition; multipart when it takes files. */
static void action_open_as(web_req *req, int64_t id, const char *to,
                           const char *cls, int multipart)
{
    buf *o = &req->out;

    buf_appendf(o,
                "<form method=\"post\" action=\"/requests/%lld/"
                "transitions\"%s class=\"",
                (long long)id,
                multipart ? " enctype=\"multipart/form-data\"" : "");
    buf_puts(o, cls);
    buf_puts(o, "\">");
    page_csrf_input(req);
    buf_puts(o, "<input type=\"hidden\" name=\"to\" value=\"");
    buf_puts(o, to);
    buf_puts(o, "\">");
}

static void action_open(web_req *req, int64_t id, const char *to,
                        const char *cls)
{
    action_open_as(req, id, to, cls, 0);
}

static void note_field(buf *o, const char *to, const char *label, int required)
{
    buf_puts(o, "<div class=\"field\"><label for=\"note-");
    buf_puts(o, to);
    buf_puts(o, "\">");
    buf_puts(o, label);
    if (!required)
        buf_puts(o, " <span class=\"muted\">(optional)</span>");
    buf_puts(o, "</label><textarea rows=\"3\" name=\"note\" id=\"note-");
    buf_puts(o, to);
    buf_puts(o, "\"");
    if (required)
        buf_puts(o, " required");
    buf_puts(o, "></textarea></div>");
}

/* The answer form, after the client's last question. */
static int answer_form(web_req *req, int64_t id, const char *status,
                       errmsg *err)
{
    buf *o = &req->out;
    char *q = NULL;
    int rc = registry_request_events(req->reg, id, last_question, &q, err);

    if (rc < 0) {
        free(q);
        return rc;
    }
    if (q) {
        buf_puts(o, "<div class=\"alert warning\" role=\"note\">"
                    "<strong>Waiting on the client.</strong> The "
                    "question:<div class=\"markdown\">");
        web_markdown(o, q);
        buf_puts(o, "</div></div>");
        free(q);
    }
    /* text required, files like a comment's */
    action_open_as(req, id, "answered", "stack", 1);
    note_field(o, "answered", "Your answer", 1);
    buf_appendf(o,
                "<div class=\"field\"><label for=\"answer-files\">Files "
                "<span class=\"muted\">(optional)</span></label><input "
                "type=\"file\" id=\"answer-files\" name=\"attachments\" "
                "multiple accept=\".csv,.tsv,.json,.parquet,.xlsx,.pdf,"
                ".txt\" aria-describedby=\"answer-files-help\"><p "
                "class=\"help\" id=\"answer-files-help\">Up to %d files "
                "of at most 10 MiB each: CSV, TSV, JSON, Parquet, XLSX, PDF "
                "or TXT. They join the request's attachments.</p></div>",
                FORM_MAX_ATTACHMENTS);
    buf_puts(o, "<div class=\"actions\"><button class=\"button primary\" "
                "type=\"submit\">Send the answer</button>");
    if (!strcmp(status, "needs_info"))
        buf_appendf(o,
                    " <a class=\"button\" href=\"/requests/%lld/"
                    "edit\">Answer by editing the request</a>",
                    (long long)id);
    buf_puts(o, "</div></form>");
    return 0;
}

/* The form that schedules the request in a sprint. */
static int schedule_form(web_req *req, int64_t id,
                         const registry_request_plan_info *plan, errmsg *err)
{
    buf *o = &req->out;
    sprint_opts so = {o, 0};
    char today[16];
    int rc;

    action_open(req, id, "scheduled", "grid-form");
    buf_puts(o, "<div class=\"field\"><label for=\"sprint\">Sprint"
                "</label><select id=\"sprint\" name=\"sprint\" "
                "required>");
    time_date(today, sizeof today, time_now());
    rc = registry_sprint_list(req->reg, today, sprint_option, &so, err);
    if (rc < 0)
        return rc;
    buf_puts(o, "</select></div><div class=\"field\"><label "
                "for=\"priority\">Priority</label><input id=\"priority\" "
                "name=\"priority\" type=\"number\" min=\"-1000\" "
                "max=\"1000\"");
    buf_appendf(o,
                " value=\"%d\"><p class=\"help\">Higher goes first."
                "</p></div>",
                plan->priority);
    page_wrap(o,
              "<div class=\"field\"><label for=\"estimate\">Estimate"
              "</label><input id=\"estimate\" name=\"estimate\" "
              "maxlength=\"200\" value=\"",
              plan->estimate, "\" placeholder=\"e.g. 2 days\"></div>");
    note_field(o, "scheduled", "Note", 0);
    buf_puts(o, "<div class=\"actions\"><button class=\"button primary\" "
                "type=\"submit\">Schedule</button></div></form>");
    return 0;
}

/* The transitions that are one form: a note (or none) and a button. */
typedef struct simple_action {
    const char *to;
    const char *note; /* label of the note; NULL: no note */
    int note_required;
    const char *button; /* class and attributes of the button */
    const char *label;
} simple_action;

static const simple_action simple_actions[] = {
    {"triaged", "Note", 0, "button primary\" type=\"submit\"",
     "Mark as triaged"},
    {"needs_info", "Question for the client", 1, "button\" type=\"submit\"",
     "Ask the client"},
    {"in_progress", NULL, 0, "button\" type=\"submit\"", "Start work"},
    {"rejected", "Reason for rejecting", 1,
     "button danger\" type=\"submit\" data-confirm=\"Reject this request?\"",
     "Reject"},
    {"withdrawn", "Why you withdraw it", 0,
     "button danger\" type=\"submit\" data-confirm=\"Withdraw this "
     "request? This cannot be undone.\"",
     "Withdraw the request"}};

static void simple_form(web_req *req, int64_t id, const simple_action *a)
{
    buf *o = &req->out;

    action_open(req, id, a->to, "stack");
    if (a->note)
        note_field(o, a->to, a->note, a->note_required);
    buf_puts(o, "<div class=\"actions\"><button class=\"");
    buf_puts(o, a->button);
    buf_puts(o, ">");
    buf_puts(o, a->label);
    buf_puts(o, "</button></div></form>");
}

/* One allowed transition to `to`: its form or buttons. */
static int action(web_req *req, int64_t id, const char *to, const char *status,
                  const registry_request_plan_info *plan, const inst_ctx *ic,
                  errmsg *err)
{
    if (!strcmp(to, "answered"))
        return answer_form(req, id, status, err);
    if (!strcmp(to, "scheduled"))
        return schedule_form(req, id, plan, err);
    if (!strcmp(to, "deployed")) {
        triage_deploy_forms(req, id, ic->list, ic->n);
        return 0;
    }
    for (size_t i = 0; i < sizeof simple_actions / sizeof *simple_actions; i++)
        if (!strcmp(to, simple_actions[i].to))
            simple_form(req, id, &simple_actions[i]);
    return 0;
}

/* The "What next" card with the transitions the user may take, in this
 * order; a negative ERR_* (in err) when a read fails. */
static int actions(web_req *req, int64_t id, const char *status,
                   const registry_request_plan_info *plan, const inst_ctx *ic,
                   errmsg *err)
{
    static const char *const order[] = {
        "answered",    "triaged",  "scheduled", "needs_info",
        "in_progress", "deployed", "rejected",  "withdrawn"};
    const size_t n = sizeof order / sizeof *order;
    const char *role = req->user.role;
    size_t any = 0;
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        any += registry_transition_allowed(status, order[i], role) != 0;
    if (!any)
        return 0;
    buf_puts(&req->out, "<section class=\"card\" id=\"actions\"><h2>What "
                        "next</h2><div class=\"stack\">");
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (registry_transition_allowed(status, order[i], role))
            rc = action(req, id, order[i], status, plan, ic, err);
    if (rc == 0)
        buf_puts(&req->out, "</div></section>");
    return rc;
}

/* The instances of the request, each with its deploy. */
static void deploys_list(buf *o, const inst_ctx *ic)
{
    for (size_t i = 0; i < ic->n; i++) {
        const registry_request_instance *ri = &ic->list[i];
        page_wrap(o, "<li><strong>", ri->name,
                  "</strong> <span class=\"muted\">");
        buf_append_html(o, ri->environment);
        buf_puts(o, "</span>: ");
        if (ri->deployed_at) {
            buf_puts(o, "<span class=\"badge status-deployed\">deployed"
                        "</span> ");
            page_time(o, ri->deployed_at);
            if (*ri->deployed_by) {
                buf_puts(o, " by ");
                buf_append_html(o, ri->deployed_by);
            }
        } else {
            buf_puts(o, "<span class=\"badge muted\">not yet deployed"
                        "</span>");
        }
        buf_puts(o, "</li>");
    }
}

static void plan_card(web_req *req, int64_t id, const char *status,
                      const registry_request_plan_info *plan,
                      const inst_ctx *ic)
{
    buf *o = &req->out;
    int staff_writer =
        !strcmp(req->user.role, "pm") || !strcmp(req->user.role, "admin");
    int editable =
        (!strcmp(status, "submitted") || !strcmp(status, "needs_info")) &&
        strcmp(req->user.role, "ops") != 0;

    buf_puts(o, "<section class=\"card\" id=\"plan\"><div "
                "class=\"page-head\"><h2>Plan and deploys</h2><div "
                "class=\"actions\">");
    if (editable)
        buf_appendf(o,
                    "<a class=\"button\" href=\"/requests/%lld/edit\">"
                    "Edit request</a>",
                    (long long)id);
    buf_appendf(o,
                "<a class=\"button\" href=\"/requests/%lld/migrations\">"
                "Migration preview</a></div></div><dl class=\"facts\">"
                "<dt>Status</dt><dd>",
                (long long)id);
    page_status_badge(o, status);
    buf_puts(o, "</dd><dt>Sprint</dt><dd>");
    if (plan->sprint_id) {
        if (req->role != ROLE_CLIENT) {
            buf_appendf(o, "<a href=\"/sprints/%lld\">",
                        (long long)plan->sprint_id);
            buf_append_html(o, plan->sprint_name);
            buf_puts(o, "</a>");
        } else {
            buf_append_html(o, plan->sprint_name);
        }
        buf_puts(o, " · deploy ");
        page_time(o, plan->sprint_deploy_at);
    } else {
        buf_puts(o, "<span class=\"muted\">not scheduled</span>");
    }
    buf_appendf(o, "</dd><dt>Priority</dt><dd>%d</dd><dt>Estimate</dt><dd>",
                plan->priority);
    if (*plan->estimate)
        buf_append_html(o, plan->estimate);
    else
        buf_puts(o, "<span class=\"muted\">—</span>");
    buf_appendf(o,
                "</dd><dt>Version</dt><dd>%d</dd></dl><h3>Instances"
                "</h3><ul class=\"deploys\">",
                plan->version);
    deploys_list(o, ic);
    buf_puts(o, "</ul>");
    if (staff_writer && strcmp(status, "deployed") &&
        strcmp(status, "rejected") && strcmp(status, "withdrawn")) {
        buf_appendf(o,
                    "<form method=\"post\" action=\"/requests/%lld/plan\" "
                    "class=\"inline\">",
                    (long long)id);
        page_csrf_input(req);
        buf_appendf(o,
                    "<label for=\"plan-priority\">Priority</label><input "
                    "id=\"plan-priority\" name=\"priority\" "
                    "type=\"number\" min=\"-1000\" max=\"1000\" "
                    "value=\"%d\"><label for=\"plan-estimate\">Estimate"
                    "</label><input id=\"plan-estimate\" name=\"estimate\" "
                    "maxlength=\"200\" value=\"",
                    plan->priority);
        buf_append_html(o, plan->estimate);
        buf_puts(o, "\"><button class=\"button small\" type=\"submit\">Save"
                    "</button></form>");
    }
    buf_puts(o, "</section>");
}

static void comment_form(web_req *req, int64_t id)
{
    buf *o = &req->out;

    buf_appendf(o,
                "<form method=\"post\" action=\"/requests/%lld/comments\" "
                "enctype=\"multipart/form-data\" class=\"stack\" "
                "id=\"comment-form\">",
                (long long)id);
    page_csrf_input(req);
    buf_puts(o, "<div class=\"field\"><label for=\"comment-body\">Add a "
                "comment</label><textarea id=\"comment-body\" name=\"body\" "
                "rows=\"4\" maxlength=\"20000\" "
                "aria-describedby=\"comment-help\"></textarea><p "
                "class=\"help\" id=\"comment-help\">Markdown works. Everyone "
                "who can see this request can read it.</p></div><div "
                "class=\"field\"><label for=\"comment-files\">Files "
                "<span class=\"muted\">(optional)</span></label><input "
                "type=\"file\" id=\"comment-files\" name=\"attachments\" "
                "multiple accept=\".csv,.tsv,.json,.parquet,.xlsx,.pdf,.txt\">"
                "</div><div class=\"actions\"><button class=\"button "
                "primary\" type=\"submit\" data-busy>Comment</button></div>"
                "</form></section>");
}

int page_request_extra(web_req *req, int64_t id, errmsg *err)
{
    int64_t orgf = intake_org_filter(req);
    registry_request_row row;
    registry_request_plan_info plan;
    inst_ctx ic = {NULL, 0, 0};
    int rc = registry_request_row_get(req->reg, &row, id, orgf, err);

    if (rc == 0)
        rc = registry_request_plan_get(req->reg, &plan, id, orgf, err);
    if (rc == 0)
        rc = registry_request_instances(req->reg, id, orgf, inst_collect, &ic,
                                        err);
    if (rc == 0) {
        plan_card(req, id, row.status, &plan, &ic);
        rc = actions(req, id, row.status, &plan, &ic, err);
    }
    if (rc == 0)
        rc = timeline(req, id, orgf, err);
    if (rc == 0)
        comment_form(req, id);
    free(ic.list);
    return rc;
}
