/* page_admin.c: administration: users (create, edit, deactivate, set a
 * temporary password; the API tokens of a service account), organisations
 * and their instances, and the audit log. Every action is written to the audit
 * log. The deliveries page is in page_deliveries.c. */
#include "page_form_int.h"
#include "accounts.h"
#include "dialect.h"
#include "str.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void page_admin_begin(web_req *req, const char *title, const char *current)
{
    static const char *const tabs[][2] = {{"/admin/users", "Users"},
                                          {"/admin/orgs", "Organisations"},
                                          {"/admin/deliveries", "Deliveries"},
                                          {"/admin/audit", "Audit log"}};
    buf *o = &req->out;

    page_begin(req, title);
    buf_puts(o, "<h1>Administration</h1>");
    buf_puts(
        o, "<nav class=\"tabs tabs-wrap\" aria-label=\"Administration\"><ul>");
    for (size_t i = 0; i < sizeof tabs / sizeof *tabs; i++) {
        buf_puts(o, "<li><a href=\"");
        buf_puts(o, tabs[i][0]);
        buf_puts(o, "\"");
        if (!strcmp(tabs[i][0], current))
            buf_puts(o, " aria-current=\"page\"");
        buf_puts(o, ">");
        buf_puts(o, tabs[i][1]);
        buf_puts(o, "</a></li>");
    }
    buf_puts(o, "</ul></nav>");
}

/* A table row of text cells (escaped). */
static void text_row(buf *o, const char *const *cells, size_t n)
{
    buf_puts(o, "<tr>");
    for (size_t i = 0; i < n; i++) {
        buf_puts(o, "<td>");
        buf_append_html(o, cells[i]);
        buf_puts(o, "</td>");
    }
    buf_puts(o, "</tr>");
}

static void user_row(void *ctx, const registry_user *u)
{
    web_req *req = ctx;
    buf *o = &req->out;

    buf_appendf(o, "<tr><td><a href=\"/admin/users/%lld\">", (long long)u->id);
    buf_append_html(o, u->email);
    buf_puts(o, "</a></td><td>");
    buf_append_html(o, u->name);
    buf_puts(o, "</td><td><span class=\"badge role\">");
    buf_append_html(o, u->role);
    buf_puts(o, "</span></td><td>");
    buf_append_html(o, u->org_name);
    buf_puts(o, "</td><td>");
    buf_puts(o, u->active ? "active"
                          : "<span class=\"badge muted\">"
                            "deactivated</span>");
    buf_puts(o, "</td></tr>");
}

static void org_option(void *ctx, const registry_org *org)
{
    void **c = ctx;
    web_req *req = c[0];
    const char *selected = c[1];

    web_option(&req->out, org->name, org->name, selected);
}

/* The organisation field (input "org") of form f: its <div>, label (HTML)
 * and a <select> of the organisations after a first option labelled
 * none (value ""; with required, the browser asks for another one);
 * selected is chosen when f is fresh. A negative ERR_*
 * (in err) after replying when they cannot be read. */
static int org_field(const page_form *f, const char *label, const char *none,
                     int required, const char *selected, errmsg *err)
{
    buf *o = &f->req->out;
    const char *chosen = page_form_value(f, "org", selected);
    void *ctx[2] = {f->req, (void *)(chosen ? chosen : "")};
    int rc;

    buf_puts(o, "<div class=\"field\">");
    page_form_label(f, "org", label);
    buf_puts(o, "<select");
    page_form_attrs(f, "org", NULL);
    buf_puts(o, required ? " required>" : ">");
    web_option(o, "", none, chosen ? chosen : "");
    rc = registry_org_list(f->req->reg, org_option, ctx, err);
    buf_puts(o, "</select>");
    page_form_error_line(f, "org");
    buf_puts(o, "</div>");
    if (rc < 0)
        web_reply_err(f->req, err);
    return rc;
}

static const char *const roles[] = {"client", NULL,    "pm", NULL,      "ops",
                                    NULL,     "admin", NULL, "service", NULL};

/* The role field of form f, selected chosen when it is fresh. */
static void role_field(const page_form *f, const char *selected)
{
    buf_puts(&f->req->out, "<div class=\"field\">");
    page_form_label(f, "role", "Role");
    page_form_select(f, "role", roles, sizeof roles / sizeof *roles / 2,
                     selected);
    page_form_error_line(f, "role");
    buf_puts(&f->req->out, "</div>");
}

/* The users page; error (may be NULL) is the problem of the new-user
 * form just posted, shown with what was typed. */
static void users_page(web_req *req, const errmsg *error)
{
    buf *o = &req->out;
    errmsg err = {0};
    page_form f = {req, error, NULL};

    page_admin_begin(req, "Users", "/admin/users");
    page_form_summary(&f);
    buf_puts(o, "<section class=\"card\"><h2>Users</h2><div "
                "class=\"table-wrap\"><table class=\"table\">"
                "<thead><tr><th scope=\"col\">E-mail</th><th scope=\"col\">"
                "Name</th><th scope=\"col\">Role</th><th scope=\"col\">"
                "Organisation</th><th scope=\"col\">State</th></tr></thead>"
                "<tbody>");
    if (registry_user_list(req->reg, NULL, user_row, req, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</tbody></table></div></section><section class=\"card\" "
                "id=\"new-user\"><h2>New user</h2>");
    buf_puts(o, "<form method=\"post\" action=\"/admin/users\" "
                "class=\"grid-form\">");
    page_csrf_input(req);
    page_form_input(&f, "email", "E-mail",
                    "type=\"email\" required maxlength=\"254\" "
                    "autocomplete=\"off\"",
                    NULL, NULL);
    page_form_input(&f, "name", "Name", "required maxlength=\"200\"", NULL,
                    NULL);
    role_field(&f, "client");
    if (org_field(&f, "Organisation (clients; a service account's optional)",
                  "(none: staff, or a service account of all)", 0, NULL,
                  &err) < 0)
        return;
    page_form_input(&f, "password", "Temporary password",
                    "type=\"password\" minlength=\"12\" maxlength=\"128\" "
                    "autocomplete=\"new-password\"",
                    NULL,
                    "12 to 128 characters; the user must change it at "
                    "first sign-in. Leave it empty for a service account: "
                    "it has none and uses API tokens only.");
    buf_puts(o, "<div class=\"actions\"><button class=\"button primary\" "
                "type=\"submit\">Create user</button></div></form>"
                "</section>");
    page_end(req);
}

/* GET /admin/users */
void page_admin_users(web_req *req)
{
    users_page(req, NULL);
}

/* POST /admin/users */
void page_admin_user_create(web_req *req)
{
    domain_actor a = domain_actor_of(&req->user);
    domain_user_new in = {
        web_field_get(req, "email"),    web_field_get(req, "name"),
        web_field_get(req, "role"),     web_field_get(req, "org"),
        web_field_get(req, "password"), 1 /* changed at the first sign-in */
    };
    errmsg err = {0};
    int rc = domain_user_create(req->reg, &a, &in, req->address, NULL, &err);

    if (rc < 0) {
        if (web_form_err_or_reply(req, &err) == 0)
            users_page(req, &err);
        return;
    }
    page_flash_set(req, "User created.");
    web_redirect(req, "/admin/users");
}

typedef struct admin_token_ctx {
    web_req *req;
    int64_t user_id;
    int n;
} admin_token_ctx;

static void admin_token_row(void *ctx, const registry_token *t)
{
    admin_token_ctx *tc = ctx;
    buf *o = &tc->req->out;

    tc->n++;
    buf_puts(o, "<tr><td>");
    buf_append_html(o, t->label);
    buf_puts(o, "</td><td>");
    page_time(o, t->created_at);
    buf_puts(o, "</td><td>");
    page_time(o, t->last_used);
    buf_puts(o, "</td><td>");
    if (t->revoked_at) {
        buf_puts(o, "<span class=\"badge muted\">revoked</span>");
    } else {
        buf_appendf(o,
                    "<form method=\"post\" action=\"/admin/users/%lld/"
                    "tokens/%lld/revoke\" data-confirm=\"Revoke this token? "
                    "Jobs using it stop working.\">",
                    (long long)tc->user_id, (long long)t->id);
        page_csrf_input(tc->req);
        buf_puts(o, "<button class=\"button small danger\" type=\"submit\">"
                    "Revoke</button></form>");
    }
    buf_puts(o, "</td></tr>");
}

/* The API tokens of service account u: new_token (shown once, may be
 * NULL), the list and the new-token form (f: its label kept after a
 * problem). */
static void service_tokens_card(const page_form *f, const registry_user *u,
                                const char *new_token)
{
    web_req *req = f->req;
    buf *o = &req->out;
    admin_token_ctx tc = {req, u->id, 0};
    errmsg err = {0};

    buf_puts(o, "<section class=\"card\" id=\"tokens\"><h2>API tokens</h2>"
                "<p class=\"help\">A service account signs in with these "
                "only. Each is shown once.</p>");
    if (new_token) {
        buf_puts(o, "<div class=\"alert success\" role=\"status\"><p>The "
                    "new token (copy it now, it is not shown again):</p>"
                    "<p><code class=\"token\" id=\"new-token\">");
        buf_append_html(o, new_token);
        buf_puts(o, "</code></p></div>");
    }
    buf_puts(o, "<table class=\"table\"><thead><tr><th scope=\"col\">Label"
                "</th><th scope=\"col\">Created</th><th scope=\"col\">Last "
                "used</th><th scope=\"col\"><span class=\"sr-only\">Actions"
                "</span></th></tr></thead><tbody>");
    if (registry_token_list(req->reg, u->id, admin_token_row, &tc, &err) < 0)
        buf_puts(o, "<tr><td colspan=\"4\" class=\"alert error\">The "
                    "tokens could not be listed; reload the page.</td></tr>");
    else if (!tc.n)
        buf_puts(o, "<tr><td colspan=\"4\" class=\"muted\">No tokens yet."
                    "</td></tr>");
    buf_appendf(o,
                "</tbody></table><form method=\"post\" "
                "action=\"/admin/users/%lld/tokens\" class=\"grid-form\">",
                (long long)u->id);
    page_csrf_input(req);
    page_form_input(f, "label", "Label",
                    "required maxlength=\"200\" placeholder=\"e.g. nightly "
                    "load\"",
                    NULL, NULL);
    buf_puts(o, "<div class=\"actions\"><button class=\"button\" "
                "type=\"submit\">Create token</button></div></form>"
                "</section>");
}

/* The edit page of user u; error (may be NULL) is the problem of the
 * edit just posted, shown with what was typed instead of u's values;
 * token_error (may be NULL) that of a new token of a service account,
 * new_token (may be NULL) the token just made, shown once. */
static void user_edit_page_tokens(web_req *req, const registry_user *u,
                                  const errmsg *error,
                                  const errmsg *token_error,
                                  const char *new_token);

static void user_edit_page(web_req *req, const registry_user *u,
                           const errmsg *error)
{
    user_edit_page_tokens(req, u, error, NULL, NULL);
}

static void user_edit_page_tokens(web_req *req, const registry_user *u,
                                  const errmsg *error,
                                  const errmsg *token_error,
                                  const char *new_token)
{
    int service = !strcmp(u->role, "service");
    static const char *const states[] = {"1", "active", "0", "deactivated"};
    buf *o = &req->out;
    errmsg err = {0};
    page_form f = {req, error, NULL};

    page_admin_begin(req, u->email, "/admin/users");
    page_form_summary(&f);
    buf_puts(o, "<section class=\"card\"><h2>");
    buf_append_html(o, u->email);
    buf_puts(o, "</h2>");
    buf_appendf(o,
                "<form method=\"post\" action=\"/admin/users/%lld\" "
                "class=\"grid-form\">",
                (long long)u->id);
    page_csrf_input(req);
    page_form_input(&f, "name", "Name", "required maxlength=\"200\"", u->name,
                    NULL);
    role_field(&f, u->role);
    if (org_field(&f, "Organisation", "(none: staff)", 0, u->org_name, &err) <
        0)
        return;
    buf_puts(o, "<div class=\"field\">");
    page_form_label(&f, "active", "State");
    page_form_select(&f, "active", states, 2, u->active ? "1" : "0");
    page_form_error_line(&f, "active");
    buf_puts(o, "</div>");
    if (service)
        buf_puts(o, "<p class=\"help\">A service account has no password: "
                    "it uses the API tokens below, for the arrival and gate "
                    "API only.</p>");
    else
        page_form_input(&f, "password", "New temporary password (optional)",
                        "type=\"password\" minlength=\"12\" "
                        "maxlength=\"128\" autocomplete=\"new-password\"",
                        NULL, NULL);
    buf_puts(o, "<div class=\"actions\"><button class=\"button primary\" "
                "type=\"submit\">Save</button></div></form></section>");
    if (service) {
        page_form tf = {req, token_error, NULL};
        service_tokens_card(&tf, u, new_token);
    }
    page_end(req);
}

/* GET /admin/users/{id} */
void page_admin_user_edit(web_req *req)
{
    registry_user u;
    errmsg err = {0};
    int rc = registry_user_get(req->reg, &u, web_arg_id(req, 0), &err);

    if (web_found_or_reply(req, rc, &err, "No such user.") < 0)
        return;
    user_edit_page(req, &u, NULL);
}

/* POST /admin/users/{id} */
void page_admin_user_update(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    const char *active = web_field_get(req, "active");
    domain_actor a = domain_actor_of(&req->user);
    domain_user_edit in = {
        web_field_get(req, "name"), web_field_get(req, "role"),
        web_field_get(req, "org"), active ? strcmp(active, "0") != 0 : -1,
        web_field_get(req, "password"),
        1, /* a temporary password, changed at the next sign-in */
        /* the admin's own session stays when they set their own */
        id == req->user.id ? req->session : NULL};
    registry_user before;
    errmsg err = {0}, rerr = {0};
    int rc = domain_user_update(req->reg, &a, id, &in, req->address, &err);

    if (rc == 0) {
        page_flash_set(req, "Saved.");
        web_redirect(req, "/admin/users");
        return;
    }
    if (rc == ERR_NOTFOUND) {
        web_reply_error(req, 404, "No such user.");
        return;
    }
    if (web_form_err_or_reply(req, &err) < 0)
        return;
    /* The form again with what was typed (nothing was saved). */
    rc = registry_user_get(req->reg, &before, id, &rerr);
    if (web_found_or_reply(req, rc, &rerr, "No such user.") < 0)
        return;
    user_edit_page(req, &before, &err);
}

/* The service account of the route's {id}: 0, or -1 after a 404 (no
 * such user, or one that is not a service account). */
static int service_or_reply(web_req *req, registry_user *u)
{
    errmsg err = {0};
    int rc = registry_user_get(req->reg, u, web_arg_id(req, 0), &err);

    if (rc == 0 && strcmp(u->role, "service") != 0)
        rc = err_set(&err, ERR_NOTFOUND, "no such service account");
    return web_found_or_reply(req, rc, &err, "No such service account.");
}

/* POST /admin/users/{id}/tokens: a token for a service account, shown
 * once on its page. */
static void page_admin_token_create(web_req *req)
{
    domain_actor a = domain_actor_of(&req->user);
    registry_user u;
    char token[80];
    errmsg err = {0};
    int rc;

    if (service_or_reply(req, &u) < 0)
        return;
    rc = domain_token_create(req->reg, &a, u.id, web_field_get(req, "label"),
                             req->address, token, &err);
    if (rc < 0) {
        if (web_form_err_or_reply(req, &err) == 0)
            user_edit_page_tokens(req, &u, NULL, &err, NULL);
        return;
    }
    user_edit_page_tokens(req, &u, NULL, NULL, token);
    sodium_memzero(token, sizeof token);
}

/* POST /admin/users/{id}/tokens/{tid}/revoke */
static void page_admin_token_revoke(web_req *req)
{
    registry_user u;
    char where[80];
    errmsg err = {0};
    int64_t tid = web_arg_id(req, 1);
    int rc;

    if (service_or_reply(req, &u) < 0)
        return;
    rc = tid ? registry_token_revoke(req->reg, tid, u.id, &err) : ERR_NOTFOUND;
    if (web_found_or_reply(req, rc, &err, "No such token.") < 0)
        return;
    registry_audit(req->reg, req->user.id, req->user.email, "token.revoke",
                   u.email, req->args[1], req->address);
    page_flash_set(req, "The token was revoked.");
    snprintf(where, sizeof where, "/admin/users/%lld#tokens", (long long)u.id);
    web_redirect(req, where);
}

static void instance_row(void *ctx, const registry_instance *i)
{
    web_req *req = ctx;
    const char *cells[] = {i->org_name, i->name, i->environment, i->dialect};

    text_row(&req->out, cells, sizeof cells / sizeof *cells);
}

/* The forms of the organisations page (which one was posted). */
typedef enum orgs_form { ORGS_NONE, ORGS_ORG, ORGS_INSTANCE } orgs_form;

/* The new-instance form; f shown again or fresh. */
static int instance_form(const page_form *f, errmsg *err)
{
    static const char *const envs[] = {"qa",      NULL, "production",  NULL,
                                       "staging", NULL, "development", NULL};
    const char *dialects[2 * SQL_NDIALECTS];
    buf *o = &f->req->out;

    for (int d = 0; d < SQL_NDIALECTS; d++) {
        dialects[2 * d] = sql_dialect_name((sql_dialect)d);
        dialects[2 * d + 1] = NULL;
    }
    buf_puts(o, "<section class=\"card\"><h2>New instance</h2><form "
                "method=\"post\" action=\"/admin/instances\" "
                "class=\"grid-form\">");
    page_csrf_input(f->req);
    if (org_field(f, "Organisation", "(choose one)", 1, NULL, err) < 0)
        return ERR_DB;
    page_form_input(f, "name", "Name",
                    "required maxlength=\"100\" placeholder=\"acme-prod\"",
                    NULL, NULL);
    buf_puts(o, "<div class=\"field\">");
    page_form_label(f, "environment", "Environment");
    page_form_select(f, "environment", envs, sizeof envs / sizeof *envs / 2,
                     "production");
    page_form_error_line(f, "environment");
    buf_puts(o, "</div><div class=\"field\">");
    page_form_label(f, "dialect", "Default SQL dialect");
    page_form_select(f, "dialect", dialects, SQL_NDIALECTS, NULL);
    page_form_error_line(f, "dialect");
    buf_puts(o, "</div><div class=\"actions\"><button class=\"button "
                "primary\" type=\"submit\">Add instance</button></div></form>"
                "</section>");
    return 0;
}

/* The organisations page; error (may be NULL) is the problem of the
 * form posted (which), shown with what was typed. */
static void orgs_page(web_req *req, orgs_form which, const errmsg *error)
{
    static const char *const org_ids[] = {"name", "org-name", NULL};
    static const char *const instance_ids[] = {
        "org",   "i-org",   "name",      "i-name", "environment",
        "i-env", "dialect", "i-dialect", NULL};
    buf *o = &req->out;
    errmsg err = {0};
    page_form org = {req, which == ORGS_ORG ? error : NULL, org_ids};
    page_form inst = {req, which == ORGS_INSTANCE ? error : NULL, instance_ids};

    page_admin_begin(req, "Organisations", "/admin/orgs");
    page_form_summary(which == ORGS_ORG ? &org : &inst);
    buf_puts(o, "<section class=\"card\"><h2>Organisations and instances"
                "</h2><div class=\"table-wrap\" role=\"region\" "
                "aria-label=\"Organisations and instances\" tabindex=\"0\">"
                "<table class=\"table\"><thead><tr><th scope=\"col\">"
                "Organisation</th><th scope=\"col\">Instance</th><th "
                "scope=\"col\">Environment</th><th scope=\"col\">Dialect"
                "</th></tr></thead><tbody>");
    if (registry_instance_list(req->reg, 0, instance_row, req, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</tbody></table></div></section><section class=\"card\">"
                "<h2>New "
                "organisation</h2><form method=\"post\" action=\"/admin/orgs\" "
                "class=\"grid-form\">");
    page_csrf_input(req);
    /* The pattern is read with the v flag, where a '-' in a class must
       be escaped. */
    page_form_input(&org, "name", "Name",
                    "required maxlength=\"100\" "
                    "pattern=\"[A-Za-z0-9._\\-]+\"",
                    NULL,
                    "Letters, digits, '-', '_' and '.' only: it is used in "
                    "links.");
    buf_puts(o, "<div class=\"actions\"><button class=\"button primary\" "
                "type=\"submit\">Add organisation</button></div></form>"
                "</section>");
    if (instance_form(&inst, &err) < 0)
        return;
    page_end(req);
}

/* GET /admin/orgs */
void page_admin_orgs(web_req *req)
{
    orgs_page(req, ORGS_NONE, NULL);
}

/* After form which of the organisations page: back to it with done, or
 * the page again with the problem (or the error page). */
static void orgs_form_done(web_req *req, orgs_form which, int rc,
                           const errmsg *err, const char *done)
{
    if (rc == 0) {
        page_flash_set(req, done);
        web_redirect(req, "/admin/orgs");
    } else if (web_form_err_or_reply(req, err) == 0) {
        orgs_page(req, which, err);
    }
}

/* POST /admin/orgs */
void page_admin_org_create(web_req *req)
{
    domain_actor a = domain_actor_of(&req->user);
    errmsg err = {0};
    int rc = domain_org_create(req->reg, &a, web_field_get(req, "name"),
                               req->address, &err);

    orgs_form_done(req, ORGS_ORG, rc, &err, "Organisation added.");
}

/* POST /admin/instances */
void page_admin_instance_create(web_req *req)
{
    domain_actor a = domain_actor_of(&req->user);
    errmsg err = {0};
    int rc = domain_instance_create(
        req->reg, &a, web_field_get(req, "org"), web_field_get(req, "name"),
        web_field_get(req, "environment"), web_field_get(req, "dialect"),
        req->address, &err);

    orgs_form_done(req, ORGS_INSTANCE, rc, &err, "Instance added.");
}

static void audit_row(void *ctx, const registry_audit_row *r)
{
    web_req *req = ctx;
    buf *o = &req->out;

    buf_puts(o, "<tr><td>");
    page_time(o, r->created_at);
    buf_puts(o, "</td><td>");
    buf_append_html(o, r->actor);
    buf_puts(o, "</td><td><code>");
    buf_append_html(o, r->action);
    buf_puts(o, "</code></td><td>");
    buf_append_html(o, r->target);
    buf_puts(o, "</td><td>");
    buf_append_html(o, r->detail);
    buf_puts(o, "</td><td>");
    buf_append_html(o, r->address);
    buf_puts(o, "</td></tr>");
}

/* GET /admin/audit?before=ID */
void page_admin_audit(web_req *req)
{
    const char *before = web_query(req, "before");
    int64_t b = 0;
    buf *o = &req->out;
    errmsg err = {0};

    if (before && str_to_i64(&b, before) < 0)
        b = 0;
    page_admin_begin(req, "Audit log", "/admin/audit");
    buf_puts(o, "<section class=\"card\"><h2>Audit log</h2><div "
                "class=\"table-wrap\" role=\"region\" aria-label=\"Audit log\" "
                "tabindex=\"0\"><table class=\"table\"><thead><tr><th "
                "scope=\"col\">When</th><th "
                "scope=\"col\">Who</th><th scope=\"col\">What</th><th "
                "scope=\"col\">Target</th><th scope=\"col\">Detail</th><th "
                "scope=\"col\">From</th></tr></thead><tbody>");
    if (registry_audit_list(req->reg, b, 200, audit_row, req, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</tbody></table></div></section>");
    page_end(req);
}

const web_route web_routes_admin[] = {
    WEB_ADMIN_ROUTE("GET", "/admin/users", page_admin_users),
    WEB_ADMIN_ROUTE("POST", "/admin/users", page_admin_user_create),
    WEB_ADMIN_ROUTE("GET", "/admin/users/{id}", page_admin_user_edit),
    WEB_ADMIN_ROUTE("POST", "/admin/users/{id}", page_admin_user_update),
    WEB_ADMIN_ROUTE("POST", "/admin/users/{id}/tokens",
                    page_admin_token_create),
    WEB_ADMIN_ROUTE("POST", "/admin/users/{id}/tokens/{tid}/revoke",
                    page_admin_token_revoke),
    WEB_ADMIN_ROUTE("GET", "/admin/orgs", page_admin_orgs),
    WEB_ADMIN_ROUTE("POST", "/admin/orgs", page_admin_org_create),
    WEB_ADMIN_ROUTE("POST", "/admin/instances", page_admin_instance_create),
    WEB_ADMIN_ROUTE("GET", "/admin/audit", page_admin_audit),
    {NULL, NULL, 0, 0, NULL}};
