/* page_sprints.c: the home page (GET /: what each role needs first:
 * clients what waits on them, PMs the triage queue and the next deploy,
 * ops the next and the last deploy with the tables they change), sprints
 * (GET /sprints), the sprint board (GET /sprints/{id}: requests by
 * status, deploys per instance, the tables the sprint changes) and their
 * JSON API (/api/v1/sprints). */
#include "page_triage_int.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

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
void page_sprints(web_req *req)
{
    buf *o = &req->out;
    sprint_list_ctx c = {o, "", NULL};
    registry_sprint last;
    char from[16] = "";
    errmsg err = {0};

    triage_sprints_ensure(req);
    time_date(c.today, sizeof c.today, time_now());
    /* From the last deployed sprint on; older ones with ?all=1. */
    if (!web_query(req, "all")) {
        int rc = registry_sprint_last(req->reg, &last, time_now(), &err);
        if (rc < 0 && rc != ERR_NOTFOUND) {
            web_reply_err(req, &err);
            return;
        }
        err_clear(&err);
        if (rc == 0)
            str_copy(from, sizeof from, last.ends_on);
    }
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
    request_status status;
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

    if (registry_status_parse(r->status) != c->status)
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

/* Sprint id of the route into *s; -1 after replying (404 for a sprint
 * that is not there, the error of a failed read). */
static int sprint_or_reply(web_req *req, registry_sprint *s, int64_t id)
{
    errmsg err = {0};

    if (id && registry_sprint_get(req->reg, s, id, &err) == 0)
        return 0;
    if (!id || err.code == ERR_NOTFOUND)
        web_reply_error(req, 404, "There is no such sprint.");
    else
        web_reply_err(req, &err);
    return -1;
}

/* GET /sprints/{id}: the board, requests by status and instance. */
void page_sprint_board(web_req *req)
{
    buf *o = &req->out;
    registry_sprint s;
    registry_queue_filter f = {0};
    triage_tables_ctx tc = {o, 0, 1};
    errmsg err = {0};
    int64_t id = web_arg_id(req, 0);
    char title[128];

    if (sprint_or_reply(req, &s, id) < 0)
        return;
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
        static const request_status cols[] = {REQ_SCHEDULED, REQ_IN_PROGRESS,
                                              REQ_NEEDS_INFO, REQ_DEPLOYED};
        for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
            const char *name = registry_status_name(cols[i]);
            board_ctx bc = {o, cols[i], 0, req, &err};
            buf_appendf(o,
                        "<section class=\"board-column\" "
                        "aria-labelledby=\"col-%s\"><h2 id=\"col-%s\">",
                        name, name);
            page_status_badge(o, name);
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
    registry_sprint_tables(req->reg, id, 0, triage_table_li, &tc, &err);
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
static cJSON *sprint_obj(const registry_sprint *s)
{
    const char *const kv[] = {"name",       s->name,   "starts_on",
                              s->starts_on, "ends_on", s->ends_on};
    cJSON *o = cJSON_CreateObject();
    char url[48];

    cJSON_AddNumberToObject(o, "id", (double)s->id);
    web_json_strings(o, kv, sizeof kv / sizeof *kv / 2);
    web_json_add_time(o, "deploy_at", s->deploy_at);
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
void api_sprints_list(web_req *req)
{
    sprint_list_ctx c = {NULL, "", NULL};
    cJSON *root = cJSON_CreateObject();
    errmsg err = {0};

    triage_sprints_ensure(req);
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
    char url[48];

    snprintf(url, sizeof url, "/requests/%lld", (long long)r->id);
    web_json_request_head(o, r->id, r->title, r->status, r->organisation);
    cJSON_AddStringToObject(o, "instances", r->instances);
    cJSON_AddNumberToObject(o, "priority", r->priority);
    cJSON_AddStringToObject(o, "estimate", r->estimate);
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddItemToArray(arr, o);
}

/* [4, 7] of the ids "4,7". */
static cJSON *request_ids_json(const char *ids)
{
    cJSON *arr = cJSON_CreateArray();
    double v = 0;
    int digits = 0;

    for (const char *p = ids;; p++) {
        if (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p - '0');
            digits++;
            continue;
        }
        if (digits)
            cJSON_AddItemToArray(arr, cJSON_CreateNumber(v));
        v = 0;
        digits = 0;
        if (!*p)
            return arr;
    }
}

static void sprint_table_json(void *ctx, const registry_sprint_table *t)
{
    cJSON *arr = ctx, *o = cJSON_CreateObject();
    buf url = {0};

    cJSON_AddStringToObject(o, "instance", t->instance);
    cJSON_AddStringToObject(o, "table", t->table);
    cJSON_AddStringToObject(o, "campaign_dependency", t->campaign_dependency);
    cJSON_AddNumberToObject(o, "request", (double)t->request_id);
    cJSON_AddItemToObject(o, "requests", request_ids_json(t->requests));
    buf_puts(&url, "/tables/");
    buf_append_url(&url, t->instance);
    buf_putc(&url, '/');
    buf_append_url(&url, t->table);
    cJSON_AddStringToObject(o, "url", buf_cstr(&url));
    buf_dispose(&url);
    cJSON_AddItemToArray(arr, o);
}

/* GET /api/v1/sprints/{id} */
void api_sprint_get(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    registry_sprint s;
    registry_queue_filter f = {0};
    errmsg err = {0};
    cJSON *root, *arr, *tables;

    if (sprint_or_reply(req, &s, id) < 0)
        return;
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

/* ---- the dashboard (GET /) --------------------------------------------- */

#define DASH_ROWS 15

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
    page_status_badge(o, r->status);
    buf_puts(o, " <span class=\"muted\">");
    if (*r->organisation) {
        buf_append_html(o, r->organisation);
        buf_puts(o, " · ");
    }
    buf_puts(o, "in this status for ");
    triage_days_ago(o, r->status_since, c->now);
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

static void next_deploy_card(web_req *req, int with_requests, errmsg *err)
{
    buf *o = &req->out;
    registry_sprint s;
    triage_tables_ctx tc = {o, 0, 1};
    errmsg e = {0};
    int rc;

    buf_puts(o, "<section class=\"card\" id=\"next-deploy\"><h2>Next deploy"
                "</h2>");
    rc = registry_sprint_next(req->reg, &s, time_now(), &e);
    if (rc < 0) {
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
    registry_sprint_tables(req->reg, s.id, 0, triage_table_li, &tc, err);
    buf_puts(o, "</ul>");
    if (!tc.n)
        buf_puts(o, "<p class=\"empty\">No table changes in this deploy."
                    "</p>");
    buf_puts(o, "</section>");
}

static void last_deploy_card(web_req *req, errmsg *err)
{
    buf *o = &req->out;
    triage_tables_ctx tc = {o, 0, 1};

    buf_puts(o, "<section class=\"card\" id=\"last-deploy\"><h2>Last deploy"
                "</h2><ul class=\"stack\">");
    registry_last_deploy_tables(req->reg, 0, triage_table_li, &tc, err);
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

/* A card of the dashboard: the queue filter by status, waiting and days
 * in the status, for the client's organisation (own) or all. */
typedef struct dash_card {
    const char *heading, *empty, *more;
    const char *status, *sort;
    int waiting, since_days, question, own;
} dash_card;

static const dash_card client_cards[] = {
    {"Waiting on you", "Nothing is waiting on you.", "/requests?waiting=1",
     NULL, NULL, 1, 0, 1, 1},
    {"Your organisation's requests", "No requests yet.",
     "/requests?sort=updated", NULL, "updated", 0, 0, 0, 1},
};

static const dash_card pm_cards[] = {
    {"Triage queue", "Nothing waits for triage.", "/requests?status=submitted",
     "submitted", NULL, 0, 0, 0, 0},
    {"Waiting on the client for more than 7 days",
     "No question is older than a week.",
     "/requests?status=needs_info&amp;since=7", "needs_info", NULL, 0, 7, 1, 0},
    {"Submitted more than 3 days ago",
     "Nothing has waited for triage that long.",
     "/requests?status=submitted&amp;since=3", "submitted", NULL, 0, 3, 0, 0},
};

static void dash_cards(web_req *req, const dash_card *cards, size_t n,
                       errmsg *err)
{
    for (size_t i = 0; i < n; i++) {
        registry_queue_filter f = {0};
        f.org_id = cards[i].own ? req->user.org_id : 0;
        f.status = cards[i].status;
        f.sort = cards[i].sort;
        f.waiting = cards[i].waiting;
        f.since_days = cards[i].since_days;
        dash_list(req, cards[i].heading, cards[i].empty, &f, cards[i].question,
                  cards[i].more, err);
    }
}

/* GET /: what each role needs first. */
void page_dashboard(web_req *req)
{
    buf *o = &req->out;
    errmsg err = {0};

    triage_sprints_ensure(req);
    page_begin(req, "Home");
    buf_puts(o, "<h1>Welcome, ");
    buf_append_html(o, req->user.name);
    buf_puts(o, "</h1>");
    if (req->role == ROLE_CLIENT) {
        buf_puts(o, "<p class=\"actions\"><a class=\"button primary\" "
                    "href=\"/requests/new\">New change request</a></p>"
                    "<div class=\"grid\">");
        dash_cards(req, client_cards,
                   sizeof client_cards / sizeof *client_cards, &err);
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
        dash_cards(req, pm_cards, sizeof pm_cards / sizeof *pm_cards, &err);
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
