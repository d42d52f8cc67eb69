/* page_triage.c: what happens to a request after it was submitted, in
 * the browser and the API: role dashboards (GET /), the queue (GET
 * /requests and its CSV export), sprints and the sprint board, life-cycle
 * transitions, priority and estimate, comments with files, edits of a
 * submitted request (re-using the intake form, requests_int.h), the
 * migration preview and downloads, and their JSON API. The request page's
 * own sections are in page_request_extra.c; the rules in
 * registry/triage.c. */
#include "requests_int.h"
#include "catalog.h"
#include "log.h"
#include "mem.h"
#include "migrate.h"
#include "notify.h"
#include "parse.h"
#include "requests.h"
#include "str.h"
#include "triage.h"

#ifdef HAVE_LIBZIP
#include <zip.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_PER_PAGE 50
#define DASH_ROWS      15

static const char *nz(const char *s)
{
    return s ? s : "";
}

static void actor_of(registry_actor *a, const web_req *req)
{
    a->user_id = req->user.id;
    a->role = req->user.role;
    a->org_id = req->user.org_id;
    a->name = req->user.name;
}

static int64_t orgf(const web_req *req)
{
    return req->role == ROLE_CLIENT ? req->user.org_id : 0;
}

static void ensure_sprints(web_req *req)
{
    registry_sprint_rules rules;
    errmsg err = {0};

    registry_sprint_rules_from_config(&rules, req->cfg);
    if (registry_sprints_ensure(req->reg, &rules, time_now(), 2, &err) < 0)
        log_msg(LOG_WARN, "sprints: %s", err.msg);
}

static void status_badge(buf *o, const char *status)
{
    buf_puts(o, "<span class=\"badge status-");
    buf_append_html(o, status);
    buf_puts(o, "\">");
    for (const char *p = status; *p; p++)
        buf_putc(o, *p == '_' ? ' ' : *p);
    buf_puts(o, "</span>");
}

static void days_ago(buf *o, int64_t t, int64_t now)
{
    int64_t d = (now - t) / 86400;

    if (d <= 0)
        buf_puts(o, "today");
    else
        buf_appendf(o, "%lld day%s", (long long)d, d == 1 ? "" : "s");
}

static void not_found(web_req *req)
{
    web_reply_error(req, 404, "There is no such request.");
}

/* A request id the user may see (404 already replied when not). */
static int64_t visible_id(web_req *req)
{
    int64_t id = web_arg_id(req, 0), org = 0;

    if (!id || registry_request_org(req->reg, id, &org) < 0 ||
        (req->role == ROLE_CLIENT && org != req->user.org_id)) {
        not_found(req);
        return 0;
    }
    return id;
}

/* ---- the queue (GET /requests, /requests.csv) -------------------------- */

static const char *const all_statuses[] = {
    "submitted",   "triaged",  "needs_info", "scheduled",
    "in_progress", "deployed", "rejected",   "withdrawn"};

typedef struct qparams {
    const char *status, *org, *instance, *pm, *consent, *waiting, *age, *since,
        *sort, *q, *sprint;
    int page;
} qparams;

static const char *qv(web_req *req, const char *name)
{
    const char *v = web_query(req, name);

    return v && *v ? v : NULL;
}

static int int_param(const char *s, int min, int max)
{
    int v = 0;

    if (!s || str_to_int(&v, s, min, max) < 0)
        return 0;
    return v;
}

static void qparams_read(web_req *req, qparams *p, registry_queue_filter *f)
{
    memset(p, 0, sizeof *p);
    memset(f, 0, sizeof *f);
    p->status = qv(req, "status");
    if (p->status && !registry_status_valid(p->status))
        p->status = NULL;
    p->org = req->role == ROLE_CLIENT ? NULL : qv(req, "organisation");
    p->instance = qv(req, "instance");
    p->pm = req->role == ROLE_CLIENT ? NULL : qv(req, "pm");
    p->consent = qv(req, "consent");
    if (p->consent && strcmp(p->consent, "yes") && strcmp(p->consent, "no"))
        p->consent = NULL;
    p->waiting = qv(req, "waiting");
    if (p->waiting && strcmp(p->waiting, "1"))
        p->waiting = NULL;
    p->age = qv(req, "age");
    if (p->age && !int_param(p->age, 1, 3650))
        p->age = NULL;
    p->since = qv(req, "since");
    if (p->since && !int_param(p->since, 1, 3650))
        p->since = NULL;
    p->sprint = qv(req, "sprint");
    if (p->sprint && !int_param(p->sprint, 1, 1000000000))
        p->sprint = NULL;
    p->sort = qv(req, "sort");
    if (p->sort && strcmp(p->sort, "age") && strcmp(p->sort, "priority") &&
        strcmp(p->sort, "updated"))
        p->sort = NULL;
    p->q = qv(req, "q");
    if (p->q && strlen(p->q) > FORM_MAX_SHORT)
        p->q = NULL;
    p->page = int_param(qv(req, "page"), 1, 100000);
    if (!p->page)
        p->page = 1;

    f->org_id = orgf(req);
    f->organisation = p->org;
    f->status = p->status;
    f->instance = p->instance;
    f->pm = p->pm;
    f->consent = p->consent ? (!strcmp(p->consent, "yes") ? 1 : -1) : 0;
    f->waiting = p->waiting != NULL;
    f->age_days = int_param(p->age, 1, 3650);
    f->since_days = int_param(p->since, 1, 3650);
    f->sprint_id = int_param(p->sprint, 1, 1000000000);
    f->q = p->q;
    f->sort = p->sort;
}

/* The query string of p with one parameter replaced (value NULL: drop). */
static void qstring(buf *b, const qparams *p, const char *key,
                    const char *value)
{
    const char *keys[] = {"status",  "organisation", "instance", "pm",
                          "consent", "waiting",      "age",      "since",
                          "sprint",  "sort",         "q"};
    const char *vals[] = {p->status,  p->org,     p->instance, p->pm,
                          p->consent, p->waiting, p->age,      p->since,
                          p->sprint,  p->sort,    p->q};
    int first = 1;

    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const char *v = key && !strcmp(key, keys[i]) ? value : vals[i];
        if (!v || !*v)
            continue;
        buf_putc(b, first ? '?' : '&');
        first = 0;
        buf_puts(b, keys[i]);
        buf_putc(b, '=');
        buf_append_url(b, v);
    }
    if (key && !strcmp(key, "page") && value) {
        buf_putc(b, first ? '?' : '&');
        buf_puts(b, "page=");
        buf_append_url(b, value);
    }
}

typedef struct queue_ctx {
    web_req *req;
    buf *o;
    int64_t now;
    int n;
    int staff;
} queue_ctx;

static void queue_row_html(void *ctx, const registry_queue_row *r)
{
    queue_ctx *c = ctx;
    buf *o = c->o;

    c->n++;
    buf_appendf(o, "<tr><td><a href=\"/requests/%lld\">CR-%lld</a></td><td>",
                (long long)r->id, (long long)r->id);
    buf_appendf(o, "<a href=\"/requests/%lld\">", (long long)r->id);
    buf_append_html(o, r->title);
    buf_puts(o, "</a>");
    if (r->consent_related)
        buf_puts(o, " <span class=\"badge consent\">consent</span>");
    buf_puts(o, "</td><td>");
    status_badge(o, r->status);
    buf_puts(o, "</td>");
    if (c->staff) {
        buf_puts(o, "<td>");
        buf_append_html(o, r->organisation);
        buf_puts(o, "</td>");
    }
    buf_puts(o, "<td>");
    buf_append_html(o, r->instances);
    buf_puts(o, "</td><td>");
    if (*r->pm_name)
        buf_append_html(o, r->pm_name);
    else
        buf_puts(o, "<span class=\"muted\">—</span>");
    buf_appendf(o, "</td><td class=\"num\">%d</td><td>", r->priority);
    if (r->sprint_id) {
        if (c->staff)
            buf_appendf(o, "<a href=\"/sprints/%lld\">",
                        (long long)r->sprint_id);
        buf_append_html(o, r->sprint_name);
        if (c->staff)
            buf_puts(o, "</a>");
    }
    buf_puts(o, "</td><td>");
    days_ago(o, r->created_at, c->now);
    buf_puts(o, "</td><td>");
    days_ago(o, r->status_since, c->now);
    buf_puts(o, "</td><td>");
    page_time(o, r->updated_at);
    buf_puts(o, "</td></tr>");
}

typedef struct count_ctx {
    int64_t n[8];
} count_ctx;

static void count_cb(void *ctx, const char *status, int64_t n)
{
    count_ctx *c = ctx;

    for (size_t i = 0; i < 8; i++)
        if (!strcmp(status, all_statuses[i]))
            c->n[i] = n;
}

typedef struct opt_ctx {
    buf *o;
    const char *selected;
} opt_ctx;

/* <option value="value">label</option>, selected when value is. */
static void opt(const opt_ctx *c, const char *value, const char *label)
{
    buf_puts(c->o, "<option");
    if (c->selected && !strcmp(c->selected, value))
        buf_puts(c->o, " selected");
    buf_puts(c->o, " value=\"");
    buf_append_html(c->o, value);
    buf_puts(c->o, "\">");
    buf_append_html(c->o, label);
    buf_puts(c->o, "</option>");
}

static void opt_org(void *ctx, const registry_org *org)
{
    opt(ctx, org->name, org->name);
}

static void opt_inst(void *ctx, const registry_instance *i)
{
    opt(ctx, i->name, i->name);
}

static void opt_pm(void *ctx, const registry_user *u)
{
    opt(ctx, u->email, u->name);
}

static void select_open(buf *o, const char *id, const char *label,
                        const char *any)
{
    buf_appendf(o,
                "<div class=\"field\"><label for=\"f-%s\">%s</label>"
                "<select id=\"f-%s\" name=\"%s\"><option value=\"\">%s"
                "</option>",
                id, label, id, id, any);
}

static void select_choice(buf *o, const char *value, const char *label,
                          const char *current)
{
    buf_puts(o, "<option value=\"");
    buf_puts(o, value);
    buf_puts(o, "\"");
    if (current && !strcmp(current, value))
        buf_puts(o, " selected");
    buf_puts(o, ">");
    buf_puts(o, label);
    buf_puts(o, "</option>");
}

/* The filter form; a negative ERR_* (in err) when its choices cannot be
 * read. */
static int queue_filters(web_req *req, const qparams *p, errmsg *err)
{
    buf *o = &req->out;
    opt_ctx oc = {o, NULL};
    int staff = req->role != ROLE_CLIENT;
    int rc;

    buf_puts(o, "<form method=\"get\" action=\"/requests\" class=\"toolbar "
                "grid-form\" aria-label=\"Filters\">");
    select_open(o, "status", "Status", "any");
    for (size_t i = 0; i < 8; i++) {
        char label[32];
        str_copy(label, sizeof label, all_statuses[i]);
        for (char *c = label; *c; c++)
            if (*c == '_')
                *c = ' ';
        select_choice(o, all_statuses[i], label, p->status);
    }
    buf_puts(o, "</select></div>");
    if (staff) {
        select_open(o, "organisation", "Organisation", "any");
        oc.selected = p->org;
        if ((rc = registry_org_list(req->reg, opt_org, &oc, err)) < 0)
            return rc;
        buf_puts(o, "</select></div>");
    }
    select_open(o, "instance", "Instance", "any");
    oc.selected = p->instance;
    if ((rc = registry_instance_list(req->reg, orgf(req), opt_inst, &oc, err)) <
        0)
        return rc;
    buf_puts(o, "</select></div>");
    if (staff) {
        select_open(o, "pm", "Project manager", "any");
        select_choice(o, "none", "none assigned", p->pm);
        oc.selected = p->pm;
        if ((rc = registry_user_list(req->reg, "pm", opt_pm, &oc, err)) < 0)
            return rc;
        buf_puts(o, "</select></div>");
    }
    select_open(o, "consent", "Consent-related", "any");
    select_choice(o, "yes", "yes", p->consent);
    select_choice(o, "no", "no", p->consent);
    buf_puts(o, "</select></div>");
    buf_puts(o, "<div class=\"field\"><label for=\"f-age\">Older than "
                "(days)</label><input id=\"f-age\" name=\"age\" "
                "type=\"number\" min=\"1\" max=\"3650\" value=\"");
    buf_append_html(o, nz(p->age));
    buf_puts(o, "\"></div>");
    select_open(o, "sort", "Sort by", "age (oldest first)");
    select_choice(o, "priority", "priority (highest first)", p->sort);
    select_choice(o, "updated", "last update (latest first)", p->sort);
    buf_puts(o, "</select></div><div class=\"field\"><label for=\"f-q\">"
                "Text</label><input id=\"f-q\" name=\"q\" type=\"search\" "
                "value=\"");
    buf_append_html(o, nz(p->q));
    buf_puts(o, "\"></div><div class=\"field\"><label class=\"check\">"
                "<input type=\"checkbox\" name=\"waiting\" value=\"1\"");
    if (p->waiting)
        buf_puts(o, " checked");
    buf_puts(o, "> Waiting on the client</label></div>");
    if (p->sprint) {
        buf_puts(o, "<input type=\"hidden\" name=\"sprint\" value=\"");
        buf_append_html(o, p->sprint);
        buf_puts(o, "\">");
    }
    buf_puts(o, "<div class=\"actions\"><button class=\"button primary\" "
                "type=\"submit\">Apply</button> <a class=\"button\" "
                "href=\"/requests\">Clear</a></div></form>");
    return 0;
}

/* GET /requests */
static void page_queue(web_req *req)
{
    qparams p;
    registry_queue_filter f;
    count_ctx counts = {{0}};
    queue_ctx qc = {req, &req->out, time_now(), 0, req->role != ROLE_CLIENT};
    buf *o = &req->out;
    buf link = {0};
    errmsg err = {0};
    int64_t total = 0, all = 0;
    char pg[16];

    ensure_sprints(req);
    qparams_read(req, &p, &f);
    f.limit = QUEUE_PER_PAGE;
    f.offset = (p.page - 1) * QUEUE_PER_PAGE;
    if (registry_queue_counts(req->reg, &f, count_cb, &counts, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    page_begin(req, "Requests");
    buf_puts(o, "<div class=\"page-head\"><h1>Requests</h1><div "
                "class=\"actions\">");
    buf_puts(&link, "/requests.csv");
    qstring(&link, &p, NULL, NULL);
    buf_puts(o, "<a class=\"button\" href=\"");
    buf_append_html(o, buf_cstr(&link));
    buf_puts(o, "\" download>Export CSV</a>");
    if (req->role != ROLE_OPS)
        buf_puts(o, " <a class=\"button primary\" href=\"/requests/new\">"
                    "New request</a>");
    buf_puts(o, "</div></div><nav class=\"tabs\" aria-label=\"Status\"><ul>");
    for (size_t i = 0; i < 8; i++)
        all += counts.n[i];
    buf_reset(&link);
    buf_puts(&link, "/requests");
    qstring(&link, &p, "status", NULL);
    buf_puts(o, "<li><a href=\"");
    buf_append_html(o, buf_cstr(&link));
    buf_puts(o, "\"");
    if (!p.status)
        buf_puts(o, " aria-current=\"page\"");
    buf_appendf(o, ">All <span class=\"badge muted\">%lld</span></a></li>",
                (long long)all);
    for (size_t i = 0; i < 8; i++) {
        buf_reset(&link);
        buf_puts(&link, "/requests");
        qstring(&link, &p, "status", all_statuses[i]);
        buf_puts(o, "<li><a href=\"");
        buf_append_html(o, buf_cstr(&link));
        buf_puts(o, "\"");
        if (p.status && !strcmp(p.status, all_statuses[i]))
            buf_puts(o, " aria-current=\"page\"");
        buf_puts(o, ">");
        for (const char *c = all_statuses[i]; *c; c++)
            buf_putc(o, *c == '_' ? ' ' : *c);
        buf_appendf(o,
                    " <span class=\"badge muted\" data-status=\"%s\">"
                    "%lld</span></a></li>",
                    all_statuses[i], (long long)counts.n[i]);
    }
    buf_puts(o, "</ul></nav>");
    if (queue_filters(req, &p, &err) < 0) {
        buf_dispose(&link);
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "<div class=\"table-wrap\"><table class=\"table queue\">"
                "<caption class=\"sr-only\">Change requests</caption><thead>"
                "<tr><th scope=\"col\">Number</th><th scope=\"col\">Title"
                "</th><th scope=\"col\">Status</th>");
    if (qc.staff)
        buf_puts(o, "<th scope=\"col\">Organisation</th>");
    buf_puts(o, "<th scope=\"col\">Instances</th><th scope=\"col\">PM</th>"
                "<th scope=\"col\" class=\"num\">Priority</th><th "
                "scope=\"col\">Sprint</th><th scope=\"col\">Age</th><th "
                "scope=\"col\">In status</th><th scope=\"col\">Updated</th>"
                "</tr></thead><tbody>");
    if (registry_queue_list(req->reg, &f, queue_row_html, &qc, &total, &err) <
        0) {
        buf_dispose(&link);
        buf_reset(o);
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</tbody></table></div>");
    if (!qc.n)
        buf_puts(o, "<p class=\"empty\">No request matches these filters."
                    "</p>");
    if (total > QUEUE_PER_PAGE) {
        int pages = (int)((total + QUEUE_PER_PAGE - 1) / QUEUE_PER_PAGE);
        buf_puts(o, "<nav class=\"pagination\" aria-label=\"Pages\">");
        for (int i = 1; i <= pages && i <= 200; i++) {
            snprintf(pg, sizeof pg, "%d", i);
            if (i == p.page) {
                buf_appendf(o, "<span aria-current=\"page\">%d</span>", i);
                continue;
            }
            buf_reset(&link);
            buf_puts(&link, "/requests");
            qstring(&link, &p, "page", pg);
            buf_puts(o, "<a href=\"");
            buf_append_html(o, buf_cstr(&link));
            buf_appendf(o, "\">%d</a>", i);
        }
        buf_puts(o, "</nav>");
    }
    buf_appendf(o, "<p class=\"muted\">%lld request%s.</p>", (long long)total,
                total == 1 ? "" : "s");
    buf_dispose(&link);
    page_end(req);
}

static void csv_row(void *ctx, const registry_queue_row *r)
{
    buf *o = ctx;
    char num[32], t[32];

    snprintf(num, sizeof num, "CR-%lld", (long long)r->id);
    buf_append_csv(o, num);
    buf_putc(o, ',');
    buf_append_csv(o, r->title);
    buf_putc(o, ',');
    buf_append_csv(o, r->status);
    buf_putc(o, ',');
    buf_append_csv(o, r->organisation);
    buf_putc(o, ',');
    buf_append_csv(o, r->instance);
    buf_putc(o, ',');
    buf_append_csv(o, r->instances);
    buf_putc(o, ',');
    buf_append_csv(o, r->requester_name);
    buf_putc(o, ',');
    buf_append_csv(o, r->requester_email);
    buf_putc(o, ',');
    buf_append_csv(o, r->pm_email);
    buf_putc(o, ',');
    snprintf(t, sizeof t, "%d", r->priority);
    buf_append_csv(o, t);
    buf_putc(o, ',');
    buf_append_csv(o, r->estimate);
    buf_putc(o, ',');
    buf_append_csv(o, r->sprint_name);
    buf_putc(o, ',');
    buf_append_csv(o, r->consent_related ? "yes" : "no");
    buf_putc(o, ',');
    time_iso(t, sizeof t, r->created_at);
    buf_append_csv(o, t);
    buf_putc(o, ',');
    time_iso(t, sizeof t, r->updated_at);
    buf_append_csv(o, t);
    buf_putc(o, ',');
    time_iso(t, sizeof t, r->status_since);
    buf_append_csv(o, t);
    buf_puts(o, "\r\n");
}

/* GET /requests.csv: the current view of the queue, every page. */
static void page_queue_csv(web_req *req)
{
    qparams p;
    registry_queue_filter f;
    errmsg err = {0};

    qparams_read(req, &p, &f);
    buf_reset(&req->out);
    buf_puts(&req->out, "number,title,status,organisation,instance,"
                        "instances,requester_name,requester_email,"
                        "project_manager,priority,estimate,sprint,"
                        "consent_related,created_at,updated_at,"
                        "status_since\r\n");
    if (registry_queue_list(req->reg, &f, csv_row, &req->out, NULL, &err) < 0) {
        buf_reset(&req->out);
        web_reply_err(req, &err);
        return;
    }
    web_header_add(req, "Content-Disposition",
                   "attachment; filename=\"requests.csv\"");
    web_header_add(req, "X-Content-Type-Options", "nosniff");
    web_reply_type(req, 200, "text/csv; charset=utf-8");
}

/* ---- the dashboard (GET /) --------------------------------------------- */

typedef struct dash_ctx {
    buf *o;
    int64_t now;
    int n;
    int question; /* show the last note as the question */
} dash_ctx;

static void dash_row(void *ctx, const registry_queue_row *r)
{
    dash_ctx *c = ctx;
    buf *o = c->o;

    c->n++;
    buf_appendf(o, "<li><a href=\"/requests/%lld\">CR-%lld ", (long long)r->id,
                (long long)r->id);
    buf_append_html(o, r->title);
    buf_puts(o, "</a> ");
    status_badge(o, r->status);
    buf_puts(o, " <span class=\"muted\">");
    if (*r->organisation) {
        buf_append_html(o, r->organisation);
        buf_puts(o, " · ");
    }
    buf_puts(o, "in this status for ");
    days_ago(o, r->status_since, c->now);
    buf_puts(o, "</span>");
    if (c->question && *r->last_note) {
        buf_puts(o, "<div class=\"markdown question\">");
        web_markdown(o, r->last_note);
        buf_puts(o, "</div>");
    }
    buf_puts(o, "</li>");
}

/* The cards of the dashboard record the first failed read in err (the
 * page then answers it instead of a card that looks empty). */
static void dash_list(web_req *req, const char *heading, const char *empty,
                      registry_queue_filter *f, int question, const char *more,
                      errmsg *err)
{
    buf *o = &req->out;
    dash_ctx c = {o, time_now(), 0, question};
    int64_t total = 0;

    buf_puts(o, "<section class=\"card\"><h2>");
    buf_puts(o, heading);
    buf_puts(o, "</h2><ul class=\"stack results\">");
    f->limit = DASH_ROWS;
    registry_queue_list(req->reg, f, dash_row, &c, &total, err);
    buf_puts(o, "</ul>");
    if (!c.n) {
        buf_puts(o, "<p class=\"empty\">");
        buf_puts(o, empty);
        buf_puts(o, "</p>");
    }
    if (more && total > c.n) {
        buf_puts(o, "<p><a href=\"");
        buf_puts(o, more);
        buf_appendf(o, "\">All %lld</a></p>", (long long)total);
    }
    buf_puts(o, "</section>");
}

typedef struct tables_ctx {
    buf *o;
    int n;
    int deployed; /* show deploy state */
} tables_ctx;

static void table_li(void *ctx, const registry_sprint_table *t)
{
    tables_ctx *c = ctx;
    buf *o = c->o;

    c->n++;
    buf_puts(o, "<li><a href=\"/tables/");
    buf_append_url(o, t->instance);
    buf_putc(o, '/');
    buf_append_url(o, t->table);
    buf_puts(o, "\"><code>");
    buf_append_html(o, t->table);
    buf_puts(o, "</code> on ");
    buf_append_html(o, t->instance);
    buf_puts(o, "</a> ");
    if (!strcmp(t->campaign_dependency, "required"))
        buf_puts(o, "<span class=\"badge required\">REQUIRED</span> ");
    else if (!strcmp(t->campaign_dependency, "optional"))
        buf_puts(o, "<span class=\"badge optional\">OPTIONAL</span> ");
    buf_appendf(o, "<span class=\"muted\">CR-%lld", (long long)t->request_id);
    if (c->deployed && t->deployed_at) {
        buf_puts(o, ", deployed ");
        page_time(o, t->deployed_at);
    }
    buf_puts(o, "</span></li>");
}

static void next_deploy_card(web_req *req, int with_requests, errmsg *err)
{
    buf *o = &req->out;
    registry_sprint s;
    tables_ctx tc = {o, 0, 1};
    errmsg e = {0};
    int rc;

    buf_puts(o, "<section class=\"card\" id=\"next-deploy\"><h2>Next deploy"
                "</h2>");
    if ((rc = registry_sprint_next(req->reg, &s, time_now(), &e)) < 0) {
        if (rc != ERR_NOTFOUND)
            err_set(err, rc, "%s", e.msg);
        buf_puts(o, "<p class=\"empty\">No sprint is planned.</p></section>");
        return;
    }
    buf_appendf(o, "<p><a href=\"/sprints/%lld\">", (long long)s.id);
    buf_append_html(o, s.name);
    buf_puts(o, "</a>: deploy ");
    page_time(o, s.deploy_at);
    buf_puts(o, "</p>");
    if (with_requests) {
        registry_queue_filter f = {0};
        dash_ctx c = {o, time_now(), 0, 0};
        f.sprint_id = s.id;
        f.sort = "priority";
        buf_puts(o, "<h3>Scheduled requests</h3><ul class=\"stack "
                    "results\">");
        registry_queue_list(req->reg, &f, dash_row, &c, NULL, err);
        buf_puts(o, "</ul>");
        if (!c.n)
            buf_puts(o, "<p class=\"empty\">Nothing is scheduled yet.</p>");
    }
    buf_puts(o, "<h3>Tables whose rules change</h3><ul class=\"stack\">");
    registry_sprint_tables(req->reg, s.id, 0, table_li, &tc, err);
    buf_puts(o, "</ul>");
    if (!tc.n)
        buf_puts(o, "<p class=\"empty\">No table changes in this deploy."
                    "</p>");
    buf_puts(o, "</section>");
}

static void last_deploy_card(web_req *req, errmsg *err)
{
    buf *o = &req->out;
    tables_ctx tc = {o, 0, 1};

    buf_puts(o, "<section class=\"card\" id=\"last-deploy\"><h2>Last deploy"
                "</h2><ul class=\"stack\">");
    registry_last_deploy_tables(req->reg, 0, table_li, &tc, err);
    buf_puts(o, "</ul>");
    if (!tc.n)
        buf_puts(o, "<p class=\"empty\">Nothing was deployed yet.</p>");
    buf_puts(o, "<p><a href=\"/changes\">All registry changes</a></p>"
                "</section>");
}

static void lookup_box(buf *o)
{
    buf_puts(o, "<section class=\"card\"><form class=\"lookup-box\" "
                "action=\"/lookup\" role=\"search\"><label for=\"q-home\">"
                "Look up a table</label><input id=\"q-home\" name=\"q\" "
                "type=\"search\" placeholder=\"Table name\"></form>"
                "</section>");
}

/* GET /: what each role needs first. */
void page_dashboard(web_req *req)
{
    buf *o = &req->out;
    registry_queue_filter f;
    errmsg err = {0};

    ensure_sprints(req);
    page_begin(req, "Home");
    buf_puts(o, "<h1>Welcome, ");
    buf_append_html(o, req->user.name);
    buf_puts(o, "</h1>");
    if (req->role == ROLE_CLIENT) {
        buf_puts(o, "<p class=\"actions\"><a class=\"button primary\" "
                    "href=\"/requests/new\">New change request</a></p>"
                    "<div class=\"grid\">");
        memset(&f, 0, sizeof f);
        f.org_id = req->user.org_id;
        f.waiting = 1;
        dash_list(req, "Waiting on you", "Nothing is waiting on you.", &f, 1,
                  "/requests?waiting=1", &err);
        memset(&f, 0, sizeof f);
        f.org_id = req->user.org_id;
        f.sort = "updated";
        dash_list(req, "Your organisation's requests", "No requests yet.", &f,
                  0, "/requests?sort=updated", &err);
        buf_puts(o, "</div>");
        lookup_box(o);
    } else if (req->role == ROLE_OPS) {
        lookup_box(o);
        buf_puts(o, "<div class=\"grid\">");
        next_deploy_card(req, 0, &err);
        last_deploy_card(req, &err);
        buf_puts(o, "</div>");
    } else {
        buf_puts(o, "<div class=\"grid\">");
        memset(&f, 0, sizeof f);
        f.status = "submitted";
        dash_list(req, "Triage queue", "Nothing waits for triage.", &f, 0,
                  "/requests?status=submitted", &err);
        memset(&f, 0, sizeof f);
        f.status = "needs_info";
        f.since_days = 7;
        dash_list(req, "Waiting on the client for more than 7 days",
                  "No question is older than a week.", &f, 1,
                  "/requests?status=needs_info&amp;since=7", &err);
        memset(&f, 0, sizeof f);
        f.status = "submitted";
        f.since_days = 3;
        dash_list(req, "Submitted more than 3 days ago",
                  "Nothing has waited for triage that long.", &f, 0,
                  "/requests?status=submitted&amp;since=3", &err);
        next_deploy_card(req, 1, &err);
        buf_puts(o, "</div>");
        if (req->role == ROLE_ADMIN)
            buf_puts(o, "<p><a class=\"button\" href=\"/admin/deliveries\">"
                        "Notification deliveries</a></p>");
        lookup_box(o);
    }
    if (err.code) {
        web_reply_err(req, &err);
        return;
    }
    page_end(req);
}

/* ---- sprints ----------------------------------------------------------- */

typedef struct sprint_list_ctx {
    buf *o;
    char today[16]; /* the current sprint contains this day */
    cJSON *arr;     /* API */
} sprint_list_ctx;

static int sprint_current(const sprint_list_ctx *c, const registry_sprint *s)
{
    return strcmp(s->starts_on, c->today) <= 0 &&
           strcmp(s->ends_on, c->today) >= 0;
}

static void sprint_li(void *ctx, const registry_sprint *s, int n)
{
    sprint_list_ctx *c = ctx;
    buf *o = c->o;

    buf_puts(o, "<tr");
    if (sprint_current(c, s))
        buf_puts(o, " class=\"current\" aria-current=\"date\"");
    buf_appendf(o, "><td><a href=\"/sprints/%lld\">", (long long)s->id);
    buf_append_html(o, s->name);
    buf_puts(o, "</a>");
    if (sprint_current(c, s))
        buf_puts(o, " <span class=\"badge status-in_progress\">current"
                    "</span>");
    buf_puts(o, "</td><td>");
    buf_append_html(o, s->starts_on);
    buf_puts(o, "</td><td>");
    buf_append_html(o, s->ends_on);
    buf_puts(o, "</td><td>");
    page_time(o, s->deploy_at);
    buf_appendf(o, "</td><td class=\"num\">%d</td></tr>", n);
}

/* GET /sprints */
static void page_sprints(web_req *req)
{
    buf *o = &req->out;
    sprint_list_ctx c = {o, "", NULL};
    registry_sprint last;
    char from[16] = "";
    errmsg err = {0};

    ensure_sprints(req);
    time_date(c.today, sizeof c.today, time_now());
    /* From the last deployed sprint on; older ones with ?all=1. */
    if (!web_query(req, "all") &&
        registry_sprint_last(req->reg, &last, time_now(), NULL) == 0)
        str_copy(from, sizeof from, last.ends_on);
    page_begin(req, "Sprints");
    buf_appendf(o,
                "<div class=\"page-head\"><h1>Sprints</h1><div "
                "class=\"actions\"><a class=\"button\" href=\"%s\">%s"
                "</a></div></div>",
                *from ? "/sprints?all=1" : "/sprints",
                *from ? "Show past sprints" : "Hide past sprints");
    buf_appendf(
        o,
        "<p class=\"lead\">Sprints of %d days end on their "
        "deploy day (%s at %s UTC).</p>",
        req->cfg ? req->cfg->sprint_days : 14,
        (const char *[]){"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
                         "Friday",
                         "Saturday"}[req->cfg ? req->cfg->deploy_weekday : 2],
        req->cfg && req->cfg->deploy_time ? req->cfg->deploy_time : "10:00");
    buf_puts(o, "<div class=\"table-wrap\"><table class=\"table\"><caption "
                "class=\"sr-only\">Sprints</caption><thead><tr><th "
                "scope=\"col\">Sprint</th><th scope=\"col\">Starts</th><th "
                "scope=\"col\">Ends (deploy day)</th><th "
                "scope=\"col\">Deploy</th><th scope=\"col\" "
                "class=\"num\">Requests</th></tr></thead><tbody>");
    if (registry_sprint_list(req->reg, *from ? from : NULL, sprint_li, &c,
                             &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</tbody></table></div>");
    page_end(req);
}

typedef struct board_ctx {
    buf *o;
    const char *status;
    int n;
    web_req *req;
    errmsg *err; /* the first failed read */
} board_ctx;

typedef struct deploy_marks {
    buf *o;
} deploy_marks;

static void board_inst(void *ctx, const registry_request_instance *i)
{
    deploy_marks *d = ctx;

    buf_puts(d->o, "<li>");
    buf_append_html(d->o, i->name);
    buf_puts(d->o, ": ");
    if (i->deployed_at) {
        buf_puts(d->o, "<span class=\"badge status-deployed\">deployed"
                       "</span>");
    } else {
        buf_puts(d->o, "<span class=\"badge muted\">to deploy</span>");
    }
    buf_puts(d->o, "</li>");
}

static void board_row(void *ctx, const registry_queue_row *r)
{
    board_ctx *c = ctx;
    buf *o = c->o;
    deploy_marks d = {o};

    if (strcmp(r->status, c->status) != 0)
        return;
    c->n++;
    buf_appendf(o, "<li class=\"card\"><a href=\"/requests/%lld\">CR-%lld ",
                (long long)r->id, (long long)r->id);
    buf_append_html(o, r->title);
    buf_puts(o, "</a><p class=\"muted\">");
    buf_append_html(o, r->organisation);
    buf_appendf(o, " · priority %d", r->priority);
    if (*r->estimate) {
        buf_puts(o, " · ");
        buf_append_html(o, r->estimate);
    }
    buf_puts(o, "</p><ul class=\"deploys\">");
    registry_request_instances(c->req->reg, r->id, 0, board_inst, &d, c->err);
    buf_puts(o, "</ul></li>");
}

/* GET /sprints/{id}: the board, requests by status and instance. */
static void page_sprint_board(web_req *req)
{
    buf *o = &req->out;
    registry_sprint s;
    registry_queue_filter f = {0};
    tables_ctx tc = {o, 0, 1};
    errmsg err = {0};
    int64_t id = web_arg_id(req, 0);
    char title[128];

    if (!id || registry_sprint_get(req->reg, &s, id, &err) < 0) {
        if (!id || err.code == ERR_NOTFOUND)
            web_reply_error(req, 404, "There is no such sprint.");
        else
            web_reply_err(req, &err);
        return;
    }
    snprintf(title, sizeof title, "%s", s.name);
    page_begin(req, title);
    buf_puts(o, "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a "
                "href=\"/sprints\">Sprints</a></nav><h1>");
    buf_append_html(o, s.name);
    buf_puts(o, "</h1><p class=\"lead\">");
    buf_append_html(o, s.starts_on);
    buf_puts(o, " to ");
    buf_append_html(o, s.ends_on);
    buf_puts(o, " · deploy ");
    page_time(o, s.deploy_at);
    buf_puts(o, "</p><div class=\"grid board\">");
    f.sprint_id = id;
    f.sort = "priority";
    {
        static const char *const cols[] = {"scheduled", "in_progress",
                                           "needs_info", "deployed"};
        for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
            board_ctx bc = {o, cols[i], 0, req, &err};
            buf_appendf(o,
                        "<section class=\"board-column\" "
                        "aria-labelledby=\"col-%s\"><h2 id=\"col-%s\">",
                        cols[i], cols[i]);
            status_badge(o, cols[i]);
            buf_puts(o, "</h2><ul class=\"stack\">");
            registry_queue_list(req->reg, &f, board_row, &bc, NULL, &err);
            buf_puts(o, "</ul>");
            if (!bc.n)
                buf_puts(o, "<p class=\"empty\">None.</p>");
            buf_puts(o, "</section>");
        }
    }
    buf_puts(o, "</div><section class=\"card\"><h2>Tables whose rules "
                "change</h2><ul class=\"stack\">");
    registry_sprint_tables(req->reg, id, 0, table_li, &tc, &err);
    buf_puts(o, "</ul>");
    if (!tc.n)
        buf_puts(o, "<p class=\"empty\">No table changes.</p>");
    buf_puts(o, "</section>");
    if (err.code) {
        web_reply_err(req, &err);
        return;
    }
    page_end(req);
}

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
static void page_transition(web_req *req)
{
    int64_t id = web_arg_id(req, 0), sprint = 0;
    registry_actor who;
    registry_transition t = {0};
    const char *prio = web_field_get(req, "priority");
    errmsg err = {0};
    char status[16], msg[160];

    if (!id) {
        not_found(req);
        return;
    }
    actor_of(&who, req);
    t.to = web_field_get(req, "to");
    t.note = web_field_get(req, "note");
    t.instance = web_field_get(req, "instance");
    if (web_field_get(req, "sprint") &&
        str_to_i64(&sprint, web_field_get(req, "sprint")) < 0) {
        web_reply_error(req, 422, "choose a sprint from the list");
        return;
    }
    t.sprint_id = sprint;
    if (prio && *prio && (req->role & (ROLE_PM | ROLE_ADMIN))) {
        if (str_to_int(&t.priority, prio, -1000, 1000) < 0) {
            web_reply_error(req, 422,
                            "the priority is a whole number from "
                            "-1000 to 1000");
            return;
        }
        t.set_priority = 1;
    }
    if (req->role & (ROLE_PM | ROLE_ADMIN))
        t.estimate = web_field_get(req, "estimate");
    if (registry_transition_apply(req->reg, status, id, &who, &t, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    notify_wake();
    snprintf(msg, sizeof msg, "CR-%lld is now %s.", (long long)id, status);
    for (char *c = msg; *c; c++)
        if (*c == '_')
            *c = ' ';
    flash_redirect(req, id, msg);
}

/* POST /requests/{id}/plan (priority, estimate) */
static void page_plan(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    registry_actor who;
    const char *prio = web_field_get(req, "priority");
    errmsg err = {0};
    int p = 0;

    if (!id) {
        not_found(req);
        return;
    }
    if (prio && *prio && str_to_int(&p, prio, -1000, 1000) < 0) {
        web_reply_error(req, 422,
                        "the priority is a whole number from "
                        "-1000 to 1000");
        return;
    }
    actor_of(&who, req);
    if (registry_request_plan(req->reg, id, &who, p,
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
static void page_comment(web_req *req)
{
    int64_t id = web_arg_id(req, 0), cid = 0;
    registry_actor who;
    upload u;
    errmsg err = {0};
    char msg[256];

    if (!id) {
        not_found(req);
        return;
    }
    actor_of(&who, req);
    if (uploads_collect(req, &u, msg, sizeof msg) < 0) {
        /* Tenant first: another organisation's request stays a 404. */
        if (!visible_id(req))
            goto done;
        web_reply_error(req, 422, msg);
        goto done;
    }
    if (registry_comment_add(req->reg, &cid, id, &who,
                             web_field_get(req, "body"), u.files, u.n,
                             &err) < 0) {
        web_reply_err(req, &err);
        goto done;
    }
    notify_wake();
    {
        char loc[64];
        snprintf(loc, sizeof loc, "/requests/%lld#comment-%lld", (long long)id,
                 (long long)cid);
        page_flash_set(req, "Your comment was added.");
        web_redirect(req, loc);
    }
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

static int may_edit(web_req *req, const char *status)
{
    return req->role != ROLE_OPS &&
           (!strcmp(status, "submitted") || !strcmp(status, "needs_info"));
}

/* GET /requests/{id}/edit */
static void page_edit_form(web_req *req)
{
    int64_t id = visible_id(req);
    form_request r;
    intake_form_mode m = {0};
    errmsg err = {0};
    char heading[64], action[64];

    if (!id)
        return;
    if (registry_request_load(req->reg, &r, id, orgf(req), &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    if (!may_edit(req, nz(r.status))) {
        web_reply_error(req, 409,
                        "This request can be edited only while it "
                        "is submitted or waiting for "
                        "information.");
        form_request_dispose(&r);
        return;
    }
    snprintf(heading, sizeof heading, "Edit CR-%lld", (long long)id);
    snprintf(action, sizeof action, "/requests/%lld/edit", (long long)id);
    m.heading = heading;
    m.action = action;
    m.submit = "Save changes";
    m.no_files = 1;
    m.more_rows_item = -1;
    if (!strcmp(nz(r.status), "needs_info"))
        m.extra = answers_box;
    intake_form_show(req, &r, NULL, &m, 0);
    form_request_dispose(&r);
}

/* POST /requests/{id}/edit */
static void page_edit(web_req *req)
{
    int64_t id = visible_id(req);
    form_request r, stored;
    form_errors fe = {0}, none = {0};
    intake_org org = {0};
    intake_form_mode m = {0};
    registry_actor who;
    errmsg err = {0};
    form_kv *kv;
    size_t nkv = 0;
    const char *add_rows = web_field_get(req, "add_rows");
    char heading[64], action[64], msg[96];
    int version = 0, rc, answers;

    if (!id)
        return;
    memset(&stored, 0, sizeof stored);
    if (registry_request_load(req->reg, &stored, id, orgf(req), &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    kv = xcalloc(req->nfields ? req->nfields : 1, sizeof *kv);
    for (size_t i = 0; i < req->nfields; i++) {
        const web_field *f = &req->fields[i];
        if (f->filename || !strcmp(f->name, "answers"))
            continue;
        kv[nkv].name = f->name;
        kv[nkv].value = buf_cstr(&f->value);
        kv[nkv].len = f->value.len;
        nkv++;
    }
    form_parse_fields(&r, kv, nkv, &fe);
    /* The organisation and requester do not change with an edit. */
    free(r.organisation);
    r.organisation = xstrdup(stored.organisation);
    free(r.requester_name);
    r.requester_name = xstrdup(stored.requester_name);
    free(r.requester_email);
    r.requester_email = xstrdup(stored.requester_email);
    snprintf(heading, sizeof heading, "Edit CR-%lld", (long long)id);
    snprintf(action, sizeof action, "/requests/%lld/edit", (long long)id);
    m.heading = heading;
    m.action = action;
    m.submit = "Save changes";
    m.no_files = 1;
    m.more_rows_item = -1;
    answers = web_field_get(req, "answers") != NULL;
    if (!strcmp(nz(stored.status), "needs_info"))
        m.extra = answers_box;
    if (!may_edit(req, nz(stored.status))) {
        web_reply_error(req, 409,
                        "This request can be edited only while it "
                        "is submitted or waiting for "
                        "information.");
        goto done;
    }
    if (web_field_get(req, "add_item") || add_rows) {
        long item = -1;
        char *end;
        if (add_rows) {
            item = strtol(add_rows, &end, 10);
            if (*end || item < 0)
                item = -1;
            if (item >= (long)r.nitems)
                item = r.nitems ? (long)r.nitems - 1 : 0;
        }
        m.more_rows_item = item;
        m.add_item = web_field_get(req, "add_item") != NULL;
        intake_form_show(req, &r, &none, &m, 0);
        goto done;
    }
    if (intake_prepare(req, &r, &org, &fe, &err) < 0 ||
        ((rc = intake_validate(&r, &org, &fe, &err)) < 0 &&
         rc != ERR_INVALID)) {
        web_reply_err(req, &err);
        goto done;
    }
    if (!fe.n) {
        actor_of(&who, req);
        rc = registry_request_edit(req->reg, &version, id, &who, &r, answers,
                                   &err);
        if (rc == ERR_INVALID && err.field[0])
            form_errors_add(&fe, err.field, "%s", err.msg);
        else if (rc == ERR_CONFLICT && !strcmp(err.msg, "nothing was changed"))
            form_errors_add(&fe, "title",
                            "nothing was changed: edit a "
                            "field, then save");
        else if (rc < 0) {
            web_reply_err(req, &err);
            goto done;
        }
    }
    if (fe.n) {
        intake_form_show(req, &r, &fe, &m, 422);
        goto done;
    }
    notify_wake();
    snprintf(msg, sizeof msg, "CR-%lld was saved as version %d.", (long long)id,
             version);
    flash_redirect(req, id, msg);
done:
    free(kv);
    intake_org_dispose(&org);
    form_errors_dispose(&fe);
    form_errors_dispose(&none);
    form_request_dispose(&r);
    form_request_dispose(&stored);
}

/* ---- migrations -------------------------------------------------------- */

typedef struct mig_inst {
    registry_request_instance *list;
    size_t n;
} mig_inst;

static void mig_inst_cb(void *ctx, const registry_request_instance *i)
{
    mig_inst *m = ctx;

    m->list = xrealloc(m->list, (m->n + 1) * sizeof *m->list);
    m->list[m->n++] = *i;
}

typedef struct mig {
    form_request r;
    mig_inst insts;
    const char *instance;
    sql_dialect dialect;
    migrate_format format;
    migrate_result res;
} mig;

static void mig_dispose(mig *m)
{
    form_request_dispose(&m->r);
    free(m->insts.list);
    migrate_result_dispose(&m->res);
}

/* Loads request id (tenant-checked) and generates its migration for the
 * query's instance/dialect/format. Replies and returns -1 on failure. */
static int mig_load(web_req *req, mig *m, int64_t id)
{
    const char *inst = web_query(req, "instance");
    const char *dia = web_query(req, "dialect");
    const char *fmt = web_query(req, "format");
    migrate_options opt = {0};
    errmsg err = {0};
    size_t k = 0;

    memset(m, 0, sizeof *m);
    if (registry_request_load(req->reg, &m->r, id, orgf(req), &err) < 0 ||
        registry_request_instances(req->reg, id, orgf(req), mig_inst_cb,
                                   &m->insts, &err) < 0) {
        if (err.code == ERR_NOTFOUND)
            not_found(req);
        else
            web_reply_err(req, &err);
        return -1;
    }
    if (inst && *inst) {
        for (k = 0; k < m->insts.n; k++)
            if (!strcmp(m->insts.list[k].name, inst))
                break;
        if (k == m->insts.n) {
            web_reply_error(req, 422,
                            "the request does not apply to that "
                            "instance");
            return -1;
        }
    } else {
        for (k = 0; k < m->insts.n; k++)
            if (!strcmp(m->insts.list[k].name, nz(m->r.instance)))
                break;
        if (k == m->insts.n)
            k = 0;
    }
    if (!m->insts.n) {
        web_reply_error(req, 409, "the request applies to no instance");
        return -1;
    }
    m->instance = m->insts.list[k].name;
    if (sql_dialect_parse(&m->dialect,
                          dia && *dia ? dia : m->insts.list[k].dialect) < 0) {
        if (dia && *dia) {
            web_reply_error(req, 422,
                            "unknown dialect: use postgres, mysql, "
                            "snowflake or sqlite");
            return -1;
        }
        m->dialect = SQL_POSTGRES;
    }
    if (fmt && *fmt) {
        if (migrate_format_parse(&m->format, fmt) < 0) {
            web_reply_error(req, 422,
                            "unknown format: use plain, flyway, "
                            "liquibase, dbmate, atlas or goose");
            return -1;
        }
    } else {
        m->format = MIGRATE_PLAIN;
    }
    if (registry_request_old_types(req->reg, &m->r, m->instance, &err) < 0) {
        web_reply_err(req, &err);
        return -1;
    }
    opt.base_url = req->cfg ? req->cfg->base_url : NULL;
    opt.instance = m->instance;
    if (migrate_generate(&m->res, &m->r, m->dialect, m->format, &opt, &err) <
        0) {
        if (err.code == ERR_INVALID)
            err.code = ERR_CONFLICT; /* the request, not the query */
        web_reply_err(req, &err);
        return -1;
    }
    return 0;
}

static void mig_query(buf *b, const mig *m, const char *extra)
{
    buf_puts(b, "?instance=");
    buf_append_url(b, m->instance);
    buf_puts(b, "&dialect=");
    buf_puts(b, sql_dialect_name(m->dialect));
    buf_puts(b, "&format=");
    buf_puts(b, migrate_format_name(m->format));
    if (extra)
        buf_puts(b, extra);
}

/* GET /requests/{id}/migrations */
static void page_migrations(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    buf *o = &req->out;
    buf q = {0};
    char title[64];
    mig m;

    if (!id) {
        not_found(req);
        return;
    }
    if (mig_load(req, &m, id) < 0) {
        mig_dispose(&m);
        return;
    }
    snprintf(title, sizeof title, "Migration of CR-%lld", (long long)id);
    page_begin(req, title);
    buf_appendf(o,
                "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a "
                "href=\"/requests/%lld\">CR-%lld</a></nav><h1>",
                (long long)id, (long long)id);
    buf_append_html(o, title);
    buf_appendf(o,
                "</h1><form method=\"get\" action=\"/requests/%lld/"
                "migrations\" class=\"toolbar grid-form\" "
                "aria-label=\"Migration options\"><div class=\"field\">"
                "<label for=\"m-instance\">Instance</label><select "
                "id=\"m-instance\" name=\"instance\">",
                (long long)id);
    for (size_t i = 0; i < m.insts.n; i++) {
        buf_puts(o, "<option value=\"");
        buf_append_html(o, m.insts.list[i].name);
        buf_puts(o, "\"");
        if (!strcmp(m.insts.list[i].name, m.instance))
            buf_puts(o, " selected");
        buf_puts(o, ">");
        buf_append_html(o, m.insts.list[i].name);
        buf_puts(o, " (");
        buf_append_html(o, m.insts.list[i].environment);
        buf_puts(o, ", ");
        buf_append_html(o, m.insts.list[i].dialect);
        buf_puts(o, ")</option>");
    }
    buf_puts(o, "</select></div><div class=\"field\"><label "
                "for=\"m-dialect\">Dialect</label><select id=\"m-dialect\" "
                "name=\"dialect\">");
    for (int d = 0; d < SQL_NDIALECTS; d++)
        buf_appendf(o, "<option value=\"%s\"%s>%s</option>",
                    sql_dialect_name((sql_dialect)d),
                    d == (int)m.dialect ? " selected" : "",
                    sql_dialect_name((sql_dialect)d));
    buf_puts(o, "</select></div><div class=\"field\"><label "
                "for=\"m-format\">File format</label><select id=\"m-format\" "
                "name=\"format\">");
    for (int f = 0; f < MIGRATE_NFORMATS; f++)
        buf_appendf(o, "<option value=\"%s\"%s>%s</option>",
                    migrate_format_name((migrate_format)f),
                    f == (int)m.format ? " selected" : "",
                    migrate_format_name((migrate_format)f));
    buf_puts(o, "</select></div><div class=\"actions\"><button "
                "class=\"button primary\" type=\"submit\">Show</button>");
#ifdef HAVE_LIBZIP
    buf_appendf(o,
                " <a class=\"button\" href=\"/requests/%lld/migrations/"
                "download",
                (long long)id);
    mig_query(&q, &m, "&zip=1");
    buf_append_html(o, buf_cstr(&q));
    buf_puts(o, "\" download>Download all (.zip)</a>");
#endif
    buf_puts(o, "</div></form>");
    if (m.res.nwarnings) {
        buf_puts(o, "<section class=\"alert warning\" id=\"warnings\"><h2>"
                    "Check before you run it</h2><ul>");
        for (size_t i = 0; i < m.res.nwarnings; i++) {
            buf_puts(o, "<li><code>");
            buf_puts(o, migrate_lint_name(m.res.warnings[i].rule));
            buf_puts(o, "</code> ");
            buf_append_html(o, m.res.warnings[i].message);
            buf_puts(o, "</li>");
        }
        buf_puts(o, "</ul></section>");
    } else {
        buf_puts(o, "<p class=\"alert success\">No lint warnings.</p>");
    }
    for (size_t i = 0; i < m.res.nfiles; i++) {
        buf_reset(&q);
        mig_query(&q, &m, "&file=");
        buf_append_url(&q, m.res.files[i].name);
        buf_puts(o, "<section class=\"card\"><div class=\"page-head\"><h2>"
                    "<code>");
        buf_append_html(o, m.res.files[i].name);
        buf_appendf(o,
                    "</code></h2><div class=\"actions\"><a "
                    "class=\"button small\" href=\"/requests/%lld/"
                    "migrations/download",
                    (long long)id);
        buf_append_html(o, buf_cstr(&q));
        buf_puts(o, "\" download>Download</a></div></div><pre "
                    "class=\"sql\" tabindex=\"0\"><code>");
        buf_append_html(o, m.res.files[i].content);
        buf_puts(o, "</code></pre></section>");
    }
    buf_dispose(&q);
    page_end(req);
    mig_dispose(&m);
}

static void content_disposition(web_req *req, const char *name)
{
    buf cd = {0};

    buf_puts(&cd, "attachment; filename=\"");
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        buf_putc(&cd, c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ||
                              c == ';' || c == '%'
                          ? '_'
                          : (char)c);
    }
    buf_puts(&cd, "\"; filename*=UTF-8''");
    buf_append_url(&cd, name);
    web_header_add(req, "Content-Disposition", buf_cstr(&cd));
    buf_dispose(&cd);
}

#ifdef HAVE_LIBZIP
/* The files as a zip archive built in memory; 0 or -1. */
static int zip_build(buf *out, const migrate_result *res)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za;
    zip_int64_t size;
    int rc = -1;

    zip_error_init(&ze);
    src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!src)
        goto done;
    za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!za) {
        zip_source_free(src);
        goto done;
    }
    zip_source_keep(src);
    for (size_t i = 0; i < res->nfiles; i++) {
        zip_source_t *fs = zip_source_buffer(za, res->files[i].content,
                                             strlen(res->files[i].content), 0);
        if (!fs || zip_file_add(za, res->files[i].name, fs,
                                ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
            zip_source_free(fs);
            zip_discard(za);
            zip_source_free(src);
            goto done;
        }
    }
    if (zip_close(za) < 0) {
        zip_discard(za);
        zip_source_free(src);
        goto done;
    }
    if (zip_source_open(src) < 0) {
        zip_source_free(src);
        goto done;
    }
    zip_source_seek(src, 0, SEEK_END);
    size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    if (size > 0) {
        char chunk[8192];
        zip_int64_t n;
        while ((n = zip_source_read(src, chunk, sizeof chunk)) > 0)
            buf_append(out, chunk, (size_t)n);
    }
    zip_source_close(src);
    zip_source_free(src);
    rc = size > 0 ? 0 : -1;
done:
    zip_error_fini(&ze);
    return rc;
}
#endif

/* GET /requests/{id}/migrations/download?...&file=NAME | &zip=1 */
static void page_migrations_download(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    const char *file = web_query(req, "file");
    const char *zip = web_query(req, "zip");
    char name[96];
    mig m;

    if (!id) {
        not_found(req);
        return;
    }
    if (mig_load(req, &m, id) < 0) {
        mig_dispose(&m);
        return;
    }
    buf_reset(&req->out);
    if (zip && !strcmp(zip, "1")) {
#ifdef HAVE_LIBZIP
        if (zip_build(&req->out, &m.res) < 0) {
            errmsg err = {0};
            err_set(&err, ERR_INTERNAL, "zip archive failed");
            buf_reset(&req->out);
            web_reply_err(req, &err);
            mig_dispose(&m);
            return;
        }
        snprintf(name, sizeof name, "cr-%lld-%s-%s-%s.zip", (long long)id,
                 m.instance, sql_dialect_name(m.dialect),
                 migrate_format_name(m.format));
        content_disposition(req, name);
        web_reply_type(req, 200, "application/zip");
#else
        (void)name;
        web_reply_error(req, 404,
                        "This docket was built without zip "
                        "support.");
#endif
        mig_dispose(&m);
        return;
    }
    for (size_t i = 0; file && i < m.res.nfiles; i++) {
        if (strcmp(m.res.files[i].name, file) != 0)
            continue;
        buf_puts(&req->out, m.res.files[i].content);
        content_disposition(req, m.res.files[i].name);
        web_header_add(req, "X-Content-Type-Options", "nosniff");
        web_reply_type(req, 200, "application/sql; charset=utf-8");
        mig_dispose(&m);
        return;
    }
    web_reply_error(req, 404, "There is no such file in this migration.");
    mig_dispose(&m);
}

/* ---- the JSON API ------------------------------------------------------ */

static void api_err(web_req *req, const errmsg *err)
{
    if (err->code == ERR_INVALID) {
        cJSON *root = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(root, "errors");
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "field", err->field);
        cJSON_AddStringToObject(e, "message", err->msg);
        cJSON_AddItemToArray(arr, e);
        web_reply_json(req, 422, root);
        return;
    }
    if (err->code == ERR_NOTFOUND) {
        web_reply_error(req, 404, "There is no such request.");
        return;
    }
    web_reply_err(req, err);
}

static void api_one_error(web_req *req, const char *field, const char *msg)
{
    errmsg err = {0};

    err_set_field(&err, ERR_INVALID, field, "%s", msg);
    api_err(req, &err);
}

static void deploy_json(void *ctx, const registry_request_instance *i)
{
    cJSON *arr = ctx, *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "instance", i->name);
    cJSON_AddStringToObject(o, "environment", i->environment);
    if (i->deployed_at) {
        char t[32];
        time_iso(t, sizeof t, i->deployed_at);
        cJSON_AddStringToObject(o, "deployed_at", t);
        cJSON_AddStringToObject(o, "deployed_by", i->deployed_by);
    } else {
        cJSON_AddNullToObject(o, "deployed_at");
        cJSON_AddNullToObject(o, "deployed_by");
    }
    cJSON_AddItemToArray(arr, o);
}

/* The request's life-cycle state as the transition API answers it. */
static cJSON *state_json(web_req *req, int64_t id, errmsg *err)
{
    cJSON *p = registry_request_payload(req->reg, id, "", "", "", err);
    cJSON *root, *arr;
    registry_request_plan_info plan;

    if (!p)
        return NULL;
    root = cJSON_DetachItemFromObjectCaseSensitive(p, "request");
    if (cJSON_GetObjectItemCaseSensitive(p, "sprint"))
        cJSON_AddItemToObject(
            root, "sprint",
            cJSON_DetachItemFromObjectCaseSensitive(p, "sprint"));
    else
        cJSON_AddNullToObject(root, "sprint");
    cJSON_Delete(p);
    if (registry_request_plan_get(req->reg, &plan, id, 0, err) < 0) {
        cJSON_Delete(root);
        return NULL;
    }
    cJSON_AddNumberToObject(root, "priority", plan.priority);
    cJSON_AddStringToObject(root, "estimate", plan.estimate);
    cJSON_AddNumberToObject(root, "version", plan.version);
    arr = cJSON_AddArrayToObject(root, "deploys");
    if (registry_request_instances(req->reg, id, 0, deploy_json, arr, err) <
        0) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static const char *jstr(const cJSON *o, const char *key, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!v || cJSON_IsNull(v))
        return NULL;
    if (!cJSON_IsString(v)) {
        *bad = 1;
        return NULL;
    }
    return v->valuestring;
}

/* POST /api/v1/requests/{id}/transitions */
static void api_transition(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    registry_actor who;
    registry_transition t = {0};
    cJSON *body, *v, *out;
    errmsg err = {0};
    int bad = 0;

    if (!id) {
        not_found(req);
        return;
    }
    body = web_json_body_or_reply(req);
    if (!body)
        return;
    if (!cJSON_IsObject(body)) {
        api_one_error(req, "", "send a JSON object");
        goto done;
    }
    cJSON_ArrayForEach(v, body)
    {
        static const char *const known[] = {"to",       "note",     "sprint",
                                            "instance", "priority", "estimate"};
        int ok = 0;
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            ok |= !strcmp(v->string, known[i]);
        if (!ok) {
            api_one_error(req, v->string, "is not a field of a transition");
            goto done;
        }
    }
    t.to = jstr(body, "to", &bad);
    t.note = jstr(body, "note", &bad);
    t.instance = jstr(body, "instance", &bad);
    t.estimate = jstr(body, "estimate", &bad);
    if (bad || !t.to) {
        api_one_error(req, bad ? "" : "to",
                      bad ? "to, note, instance and estimate are strings"
                          : "say which status to move the request to");
        goto done;
    }
    v = cJSON_GetObjectItemCaseSensitive(body, "sprint");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 1e15 ||
            v->valuedouble != (double)(int64_t)v->valuedouble) {
            api_one_error(req, "sprint", "is the id of a sprint");
            goto done;
        }
        t.sprint_id = (int64_t)v->valuedouble;
    }
    v = cJSON_GetObjectItemCaseSensitive(body, "priority");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsNumber(v) || v->valuedouble < -1000 ||
            v->valuedouble > 1000 ||
            v->valuedouble != (double)(int)v->valuedouble) {
            api_one_error(req, "priority",
                          "is a whole number from -1000 to 1000");
            goto done;
        }
        t.priority = (int)v->valuedouble;
        t.set_priority = 1;
    }
    actor_of(&who, req);
    if (registry_transition_apply(req->reg, NULL, id, &who, &t, &err) < 0) {
        api_err(req, &err);
        goto done;
    }
    notify_wake();
    out = state_json(req, id, &err);
    if (!out) {
        web_reply_err(req, &err);
        goto done;
    }
    web_reply_json(req, 200, out);
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
static void api_comments_list(web_req *req)
{
    int64_t id = visible_id(req);
    comments_json cj;
    cJSON *root;
    errmsg err = {0};

    if (!id)
        return;
    root = cJSON_CreateObject();
    cj.arr = cJSON_AddArrayToObject(root, "comments");
    cj.id = id;
    if (registry_comment_list(req->reg, id, orgf(req), comment_json, &cj,
                              &err) < 0 ||
        registry_comment_files(req->reg, id, orgf(req), comment_file_json, &cj,
                               &err) < 0) {
        cJSON_Delete(root);
        web_reply_err(req, &err);
        return;
    }
    web_reply_json(req, 200, root);
}

/* POST /api/v1/requests/{id}/comments {"body": "..."} */
static void api_comments_add(web_req *req)
{
    int64_t id = web_arg_id(req, 0), cid = 0;
    registry_actor who;
    cJSON *body, *v, *out;
    errmsg err = {0};
    int bad = 0;
    const char *text;
    char loc[96], t[32];

    if (!id) {
        not_found(req);
        return;
    }
    body = web_json_body_or_reply(req);
    if (!body)
        return;
    if (!cJSON_IsObject(body)) {
        api_one_error(req, "", "send a JSON object");
        goto done;
    }
    cJSON_ArrayForEach(v, body)
    {
        if (strcmp(v->string, "body") != 0) {
            api_one_error(req, v->string, "is not a field of a comment");
            goto done;
        }
    }
    text = jstr(body, "body", &bad);
    if (bad) {
        api_one_error(req, "body", "is a string");
        goto done;
    }
    actor_of(&who, req);
    if (registry_comment_add(req->reg, &cid, id, &who, text, NULL, 0, &err) <
        0) {
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

static cJSON *sprint_obj(const registry_sprint *s)
{
    cJSON *o = cJSON_CreateObject();
    char t[32], url[48];

    cJSON_AddNumberToObject(o, "id", (double)s->id);
    cJSON_AddStringToObject(o, "name", s->name);
    cJSON_AddStringToObject(o, "starts_on", s->starts_on);
    cJSON_AddStringToObject(o, "ends_on", s->ends_on);
    time_iso(t, sizeof t, s->deploy_at);
    cJSON_AddStringToObject(o, "deploy_at", t);
    snprintf(url, sizeof url, "/sprints/%lld", (long long)s->id);
    cJSON_AddStringToObject(o, "url", url);
    return o;
}

static void sprint_json_cb(void *ctx, const registry_sprint *s, int n)
{
    sprint_list_ctx *c = ctx;
    cJSON *o = sprint_obj(s);

    cJSON_AddNumberToObject(o, "requests", n);
    cJSON_AddBoolToObject(o, "current", sprint_current(c, s));
    cJSON_AddItemToArray(c->arr, o);
}

/* GET /api/v1/sprints */
static void api_sprints_list(web_req *req)
{
    sprint_list_ctx c = {NULL, "", NULL};
    cJSON *root = cJSON_CreateObject();
    errmsg err = {0};

    ensure_sprints(req);
    time_date(c.today, sizeof c.today, time_now());
    c.arr = cJSON_AddArrayToObject(root, "sprints");
    if (registry_sprint_list(req->reg, NULL, sprint_json_cb, &c, &err) < 0) {
        cJSON_Delete(root);
        web_reply_err(req, &err);
        return;
    }
    web_reply_json(req, 200, root);
}

static void sprint_req_json(void *ctx, const registry_queue_row *r)
{
    cJSON *arr = ctx, *o = cJSON_CreateObject();
    char num[32], url[48];

    snprintf(num, sizeof num, "CR-%lld", (long long)r->id);
    snprintf(url, sizeof url, "/requests/%lld", (long long)r->id);
    cJSON_AddNumberToObject(o, "id", (double)r->id);
    cJSON_AddStringToObject(o, "number", num);
    cJSON_AddStringToObject(o, "title", r->title);
    cJSON_AddStringToObject(o, "status", r->status);
    cJSON_AddStringToObject(o, "organisation", r->organisation);
    cJSON_AddStringToObject(o, "instances", r->instances);
    cJSON_AddNumberToObject(o, "priority", r->priority);
    cJSON_AddStringToObject(o, "estimate", r->estimate);
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddItemToArray(arr, o);
}

static void sprint_table_json(void *ctx, const registry_sprint_table *t)
{
    cJSON *arr = ctx, *o = cJSON_CreateObject();
    buf url = {0};

    cJSON_AddStringToObject(o, "instance", t->instance);
    cJSON_AddStringToObject(o, "table", t->table);
    cJSON_AddStringToObject(o, "campaign_dependency", t->campaign_dependency);
    cJSON_AddNumberToObject(o, "request", (double)t->request_id);
    buf_puts(&url, "/tables/");
    buf_append_url(&url, t->instance);
    buf_putc(&url, '/');
    buf_append_url(&url, t->table);
    cJSON_AddStringToObject(o, "url", buf_cstr(&url));
    buf_dispose(&url);
    cJSON_AddItemToArray(arr, o);
}

/* GET /api/v1/sprints/{id} */
static void api_sprint_get(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    registry_sprint s;
    registry_queue_filter f = {0};
    errmsg err = {0};
    cJSON *root, *arr, *tables;

    if (!id || registry_sprint_get(req->reg, &s, id, &err) < 0) {
        if (!id || err.code == ERR_NOTFOUND)
            web_reply_error(req, 404, "There is no such sprint.");
        else
            web_reply_err(req, &err);
        return;
    }
    root = sprint_obj(&s);
    arr = cJSON_AddArrayToObject(root, "requests");
    tables = cJSON_AddArrayToObject(root, "tables");
    f.sprint_id = id;
    f.sort = "priority";
    if (registry_queue_list(req->reg, &f, sprint_req_json, arr, NULL, &err) <
            0 ||
        registry_sprint_tables(req->reg, id, 0, sprint_table_json, tables,
                               &err) < 0) {
        cJSON_Delete(root);
        web_reply_err(req, &err);
        return;
    }
    web_reply_json(req, 200, root);
}

/* GET /api/v1/requests/{id}/migrations?instance=&dialect=&format= */
static void api_migrations(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    cJSON *root, *files, *warns;
    mig m;

    if (!id) {
        not_found(req);
        return;
    }
    if (mig_load(req, &m, id) < 0) {
        mig_dispose(&m);
        return;
    }
    root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "request", (double)id);
    cJSON_AddStringToObject(root, "instance", m.instance);
    cJSON_AddStringToObject(root, "dialect", sql_dialect_name(m.dialect));
    cJSON_AddStringToObject(root, "format", migrate_format_name(m.format));
    files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < m.res.nfiles; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", m.res.files[i].name);
        cJSON_AddStringToObject(o, "content", m.res.files[i].content);
        cJSON_AddItemToArray(files, o);
    }
    warns = cJSON_AddArrayToObject(root, "warnings");
    for (size_t i = 0; i < m.res.nwarnings; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "rule",
                                migrate_lint_name(m.res.warnings[i].rule));
        if (m.res.warnings[i].item >= 0)
            cJSON_AddNumberToObject(o, "item", m.res.warnings[i].item);
        else
            cJSON_AddNullToObject(o, "item");
        if (m.res.warnings[i].column >= 0)
            cJSON_AddNumberToObject(o, "column", m.res.warnings[i].column);
        else
            cJSON_AddNullToObject(o, "column");
        cJSON_AddStringToObject(o, "message", m.res.warnings[i].message);
        cJSON_AddItemToArray(warns, o);
    }
    mig_dispose(&m);
    web_reply_json(req, 200, root);
}

const web_route web_routes_triage[] = {
    {"GET", "/requests", ROLE_USER, 0, page_queue},
    {"GET", "/requests.csv", ROLE_USER, 0, page_queue_csv},
    {"POST", "/requests/{id}/transitions", ROLE_USER, 0, page_transition},
    {"POST", "/requests/{id}/plan", ROLE_USER, 0, page_plan},
    {"POST", "/requests/{id}/comments", ROLE_USER, 0, page_comment},
    {"GET", "/requests/{id}/edit", ROLE_CLIENT | ROLE_PM | ROLE_ADMIN, 0,
     page_edit_form},
    {"POST", "/requests/{id}/edit", ROLE_CLIENT | ROLE_PM | ROLE_ADMIN, 0,
     page_edit},
    {"GET", "/requests/{id}/migrations", ROLE_USER, 0, page_migrations},
    {"GET", "/requests/{id}/migrations/download", ROLE_USER, 0,
     page_migrations_download},
    {"GET", "/sprints", ROLE_STAFF, 0, page_sprints},
    {"GET", "/sprints/{id}", ROLE_STAFF, 0, page_sprint_board},
    {"POST", "/api/v1/requests/{id}/transitions", ROLE_USER,
     WEB_JSON | WEB_RAWBODY, api_transition},
    {"GET", "/api/v1/requests/{id}/comments", ROLE_USER, WEB_JSON,
     api_comments_list},
    {"POST", "/api/v1/requests/{id}/comments", ROLE_USER,
     WEB_JSON | WEB_RAWBODY, api_comments_add},
    {"GET", "/api/v1/requests/{id}/migrations", ROLE_USER, WEB_JSON,
     api_migrations},
    {"GET", "/api/v1/sprints", ROLE_STAFF, WEB_JSON, api_sprints_list},
    {"GET", "/api/v1/sprints/{id}", ROLE_STAFF, WEB_JSON, api_sprint_get},
    {NULL, NULL, 0, 0, NULL}};
