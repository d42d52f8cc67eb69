/* page_triage.c: what happens to a request after it was submitted, in
 * the browser and the API: the route table of the area and what its pages
 * share. The pages are in page_queue.c (the queue and its CSV),
 * page_dashboard.c (GET /), page_sprints.c (sprints, the board and their
 * API), page_triage_actions.c (transitions, priority, comments, edits),
 * page_triage_api.c (their JSON API) and page_triage_migrations.c (the
 * migration preview and downloads); the use cases in
 * domain/triage_cases.h, the store in registry/triage.h. */
#include "triage_int.h"
#include "str.h"
#include "log.h"

#include <string.h>

int64_t triage_orgf(const web_req *req)
{
    return req->role == ROLE_CLIENT ? req->user.org_id : 0;
}

void triage_sprints_ensure(web_req *req)
{
    registry_sprint_rules rules;
    errmsg err = {0};

    registry_sprint_rules_from_config(&rules, req->cfg);
    if (registry_sprints_ensure(req->reg, &rules, time_now(), 2, &err) < 0)
        log_msg(LOG_WARN, "sprints: %s", err.msg);
}

void triage_days_ago(buf *o, int64_t t, int64_t now)
{
    int64_t d = (now - t) / 86400;

    if (d <= 0)
        buf_puts(o, "today");
    else
        buf_appendf(o, "%lld day%s", (long long)d, d == 1 ? "" : "s");
}

void triage_not_found(web_req *req)
{
    web_reply_error(req, 404, "There is no such request.");
}

int64_t triage_visible_id(web_req *req)
{
    domain_actor a = intake_actor(req);
    int64_t id = web_arg_id(req, 0);
    errmsg err = {0};
    int rc = triage_request_visible(req->reg, &a, id, &err);

    if (rc == ERR_NOTFOUND)
        triage_not_found(req);
    else if (rc < 0)
        web_reply_err(req, &err);
    return rc < 0 ? 0 : id;
}

void triage_table_li(void *ctx, const registry_sprint_table *t)
{
    triage_tables_ctx *c = ctx;
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
