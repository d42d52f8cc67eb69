/* page_dashboard.c: the home page (GET /), what each role needs first:
 * clients what waits on them, PMs the triage queue and the next deploy,
 * ops the next and the last deploy with the tables they change. */
#include "triage_int.h"
#include "str.h"

#include <string.h>

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
