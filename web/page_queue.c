/* page_queue.c: the queue of change requests (GET /requests) with its
 * filters, status tabs and pages, and its CSV export (GET
 * /requests.csv). The rows come from registry_queue_list. */
#include "page_triage_int.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

#define QUEUE_PER_PAGE 50

static const char *tw_nz(const char *s)
{
    return s ? s : "";
}

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

    f->org_id = intake_org_filter(req);
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
    page_status_badge(o, r->status);
    buf_puts(o, "</td>");
    if (c->staff)
        page_wrap(o, "<td>", r->organisation, "</td>");
    page_wrap(o, "<td>", r->instances, "</td><td>");
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
    triage_days_ago(o, r->created_at, c->now);
    buf_puts(o, "</td><td>");
    triage_days_ago(o, r->status_since, c->now);
    buf_puts(o, "</td><td>");
    page_time(o, r->updated_at);
    buf_puts(o, "</td></tr>");
}

typedef struct count_ctx {
    int64_t n[REQ_NSTATUSES];
} count_ctx;

static void count_cb(void *ctx, const char *status, int64_t n)
{
    count_ctx *c = ctx;
    request_status s = registry_status_parse(status);

    if (s != REQ_NONE)
        c->n[s] = n;
}

typedef struct opt_ctx {
    buf *o;
    const char *selected;
} opt_ctx;

/* An option of a list read from the registry, selected when its value is
 * c->selected. */
static void opt(const opt_ctx *c, const char *value, const char *label)
{
    web_option(c->o, value, label, c->selected);
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
    for (int i = 0; i < REQ_NSTATUSES; i++) {
        char label[32];
        str_copy(label, sizeof label, registry_status_name((request_status)i));
        for (char *c = label; *c; c++)
            if (*c == '_')
                *c = ' ';
        web_option(o, registry_status_name((request_status)i), label,
                   p->status);
    }
    buf_puts(o, "</select></div>");
    if (staff) {
        select_open(o, "organisation", "Organisation", "any");
        oc.selected = p->org;
        rc = registry_org_list(req->reg, opt_org, &oc, err);
        if (rc < 0)
            return rc;
        buf_puts(o, "</select></div>");
    }
    select_open(o, "instance", "Instance", "any");
    oc.selected = p->instance;
    rc = registry_instance_list(req->reg, intake_org_filter(req), opt_inst, &oc,
                                err);
    if (rc < 0)
        return rc;
    buf_puts(o, "</select></div>");
    if (staff) {
        select_open(o, "pm", "Project manager", "any");
        web_option(o, "none", "none assigned", p->pm);
        oc.selected = p->pm;
        rc = registry_user_list(req->reg, "pm", opt_pm, &oc, err);
        if (rc < 0)
            return rc;
        buf_puts(o, "</select></div>");
    }
    select_open(o, "consent", "Consent-related", "any");
    web_option(o, "yes", "yes", p->consent);
    web_option(o, "no", "no", p->consent);
    buf_puts(o, "</select></div>");
    buf_puts(o, "<div class=\"field\"><label for=\"f-age\">Older than "
                "(days)</label><input id=\"f-age\" name=\"age\" "
                "type=\"number\" min=\"1\" max=\"3650\" value=\"");
    buf_append_html(o, tw_nz(p->age));
    buf_puts(o, "\"></div>");
    select_open(o, "sort", "Sort by", "age (oldest first)");
    web_option(o, "priority", "priority (highest first)", p->sort);
    web_option(o, "updated", "last update (latest first)", p->sort);
    buf_puts(o, "</select></div><div class=\"field\"><label for=\"f-q\">"
                "Text</label><input id=\"f-q\" name=\"q\" type=\"search\" "
                "value=\"");
    buf_append_html(o, tw_nz(p->q));
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

/* href="base?query" of p with one parameter replaced (qstring). */
static void queue_href(buf *o, const qparams *p, const char *base,
                       const char *key, const char *value)
{
    buf link = {0};

    buf_puts(&link, base);
    qstring(&link, p, key, value);
    buf_puts(o, "href=\"");
    buf_append_html(o, buf_cstr(&link));
    buf_puts(o, "\"");
    buf_dispose(&link);
}

/* A tab of the status tabs (status NULL: all). */
static void queue_tab(buf *o, const qparams *p, const char *status, int64_t n)
{
    int current = status ? p->status && !strcmp(p->status, status) : !p->status;

    buf_puts(o, "<li><a ");
    queue_href(o, p, "/requests", "status", status);
    if (current)
        buf_puts(o, " aria-current=\"page\"");
    buf_puts(o, ">");
    if (!status) {
        buf_appendf(o, "All <span class=\"badge muted\">%lld</span></a></li>",
                    (long long)n);
        return;
    }
    for (const char *c = status; *c; c++)
        buf_putc(o, *c == '_' ? ' ' : *c);
    buf_appendf(o,
                " <span class=\"badge muted\" data-status=\"%s\">"
                "%lld</span></a></li>",
                status, (long long)n);
}

static void queue_head(web_req *req, const qparams *p, const count_ctx *counts)
{
    buf *o = &req->out;
    int64_t all = 0;

    buf_puts(o, "<div class=\"page-head\"><h1>Requests</h1><div "
                "class=\"actions\"><a class=\"button\" ");
    queue_href(o, p, "/requests.csv", NULL, NULL);
    buf_puts(o, " download>Export CSV</a>");
    if (req->role != ROLE_OPS)
        buf_puts(o, " <a class=\"button primary\" href=\"/requests/new\">"
                    "New request</a>");
    /* tabs-wrap: every status stays in sight, at any width (the row
       wraps instead of scrolling the last tabs out of view). */
    buf_puts(o, "</div></div><nav class=\"tabs tabs-wrap\" "
                "aria-label=\"Status\"><ul>");
    for (int i = 0; i < REQ_NSTATUSES; i++)
        all += counts->n[i];
    queue_tab(o, p, NULL, all);
    for (int i = 0; i < REQ_NSTATUSES; i++)
        queue_tab(o, p, registry_status_name((request_status)i), counts->n[i]);
    buf_puts(o, "</ul></nav>");
}

static void queue_pages(buf *o, const qparams *p, int64_t total)
{
    int pages = (int)((total + QUEUE_PER_PAGE - 1) / QUEUE_PER_PAGE);
    char pg[16];

    if (total <= QUEUE_PER_PAGE)
        return;
    buf_puts(o, "<nav class=\"pagination\" aria-label=\"Pages\">");
    for (int i = 1; i <= pages && i <= 200; i++) {
        snprintf(pg, sizeof pg, "%d", i);
        if (i == p->page) {
            buf_appendf(o, "<span aria-current=\"page\">%d</span>", i);
            continue;
        }
        buf_puts(o, "<a ");
        queue_href(o, p, "/requests", "page", pg);
        buf_appendf(o, ">%d</a>", i);
    }
    buf_puts(o, "</nav>");
}

/* GET /requests */
void page_queue(web_req *req)
{
    qparams p;
    registry_queue_filter f;
    count_ctx counts = {{0}};
    queue_ctx qc = {req, &req->out, time_now(), 0, req->role != ROLE_CLIENT};
    buf *o = &req->out;
    errmsg err = {0};
    int64_t total = 0;

    triage_sprints_ensure(req);
    qparams_read(req, &p, &f);
    f.limit = QUEUE_PER_PAGE;
    f.offset = (p.page - 1) * QUEUE_PER_PAGE;
    if (registry_queue_counts(req->reg, &f, count_cb, &counts, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    page_begin(req, "Requests");
    queue_head(req, &p, &counts);
    if (queue_filters(req, &p, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    /* The box scrolls sideways on a phone: it takes the focus so the
       keyboard can scroll it too, also when it has no links (no rows). */
    buf_puts(o, "<div class=\"table-wrap\" role=\"region\" "
                "aria-label=\"Change requests\" tabindex=\"0\"><table "
                "class=\"table queue\">"
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
        buf_reset(o);
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</tbody></table></div>");
    if (!qc.n)
        buf_puts(o, "<p class=\"empty\">No request matches these filters."
                    "</p>");
    queue_pages(o, &p, total);
    buf_appendf(o, "<p class=\"muted\">%lld request%s.</p>", (long long)total,
                total == 1 ? "" : "s");
    page_end(req);
}

static void csv_row(void *ctx, const registry_queue_row *r)
{
    buf *o = ctx;
    char num[32], prio[16], t[3][32];
    const char *cells[17];
    size_t n = 0;

    snprintf(num, sizeof num, "CR-%lld", (long long)r->id);
    snprintf(prio, sizeof prio, "%d", r->priority);
    time_iso(t[0], sizeof t[0], r->created_at);
    time_iso(t[1], sizeof t[1], r->updated_at);
    time_iso(t[2], sizeof t[2], r->status_since);
    cells[n++] = num;
    cells[n++] = r->title;
    cells[n++] = r->status;
    cells[n++] = r->organisation;
    cells[n++] = r->instance;
    cells[n++] = r->instances;
    cells[n++] = r->requester_name;
    cells[n++] = r->requester_email;
    cells[n++] = r->pm_email;
    cells[n++] = prio;
    cells[n++] = r->estimate;
    cells[n++] = r->sprint_name;
    cells[n++] = r->consent_related ? "yes" : "no";
    cells[n++] = t[0];
    cells[n++] = t[1];
    cells[n++] = t[2];
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(o, ',');
        buf_append_csv(o, cells[i]);
    }
    buf_puts(o, "\r\n");
}

/* GET /requests.csv: the current view of the queue, every page. */
void page_queue_csv(web_req *req)
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
