/* page_admin.c: administration: users (create, edit, deactivate, set a
 * temporary password), organisations and their instances, and the audit
 * log. Every action is written to the audit log. The deliveries page is
 * in page_deliveries.c. */
#include "web_int.h"
#include "dialect.h"
#include "log.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

static void admin_tabs(web_req *req, const char *current)
{
    static const char *const tabs[][2] = {{"/admin/users", "Users"},
                                          {"/admin/orgs", "Organisations"},
                                          {"/admin/deliveries", "Deliveries"},
                                          {"/admin/audit", "Audit log"}};
    buf *o = &req->out;

    buf_puts(o, "<nav class=\"tabs\" aria-label=\"Administration\"><ul>");
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

static void alert(buf *o, const char *error)
{
    if (!error)
        return;
    buf_puts(o, "<div class=\"alert error\" role=\"alert\">");
    buf_append_html(o, error);
    buf_puts(o, "</div>");
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

    buf_puts(&req->out, "<option value=\"");
    buf_append_html(&req->out, org->name);
    buf_puts(&req->out, "\"");
    if (selected && !strcmp(selected, org->name))
        buf_puts(&req->out, " selected");
    buf_puts(&req->out, ">");
    buf_append_html(&req->out, org->name);
    buf_puts(&req->out, "</option>");
}

/* A <select> of the organisations; a negative ERR_* (in err) when they
 * cannot be read. */
static int org_select(web_req *req, const char *id, const char *selected,
                      errmsg *err)
{
    void *ctx[2] = {req, (void *)selected};
    int rc;

    buf_puts(&req->out, "<select id=\"");
    buf_puts(&req->out, id);
    buf_puts(&req->out, "\" name=\"org\"><option value=\"\">(none: staff)"
                        "</option>");
    rc = registry_org_list(req->reg, org_option, ctx, err);
    buf_puts(&req->out, "</select>");
    return rc;
}

static void role_select(web_req *req, const char *selected)
{
    static const char *const roles[] = {"client", "pm", "ops", "admin"};

    buf_puts(&req->out, "<select id=\"role\" name=\"role\">");
    for (int i = 0; i < 4; i++) {
        buf_puts(&req->out, "<option");
        if (selected && !strcmp(selected, roles[i]))
            buf_puts(&req->out, " selected");
        buf_puts(&req->out, ">");
        buf_puts(&req->out, roles[i]);
        buf_puts(&req->out, "</option>");
    }
    buf_puts(&req->out, "</select>");
}

static void users_page(web_req *req, const char *error)
{
    buf *o = &req->out;
    errmsg err = {0};

    page_begin(req, "Users");
    buf_puts(o, "<h1>Administration</h1>");
    admin_tabs(req, "/admin/users");
    buf_puts(o, "<section class=\"card\"><h2>Users</h2><table class=\"table\">"
                "<thead><tr><th scope=\"col\">E-mail</th><th scope=\"col\">"
                "Name</th><th scope=\"col\">Role</th><th scope=\"col\">"
                "Organisation</th><th scope=\"col\">State</th></tr></thead>"
                "<tbody>");
    if (registry_user_list(req->reg, NULL, user_row, req, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</tbody></table></section><section class=\"card\" "
                "id=\"new-user\"><h2>New user</h2>");
    alert(o, error);
    buf_puts(o, "<form method=\"post\" action=\"/admin/users\" "
                "class=\"grid-form\">");
    page_csrf_input(req);
    buf_puts(o, "<div class=\"field\"><label for=\"email\">E-mail</label>"
                "<input id=\"email\" name=\"email\" type=\"email\" required>"
                "</div><div class=\"field\"><label for=\"name\">Name</label>"
                "<input id=\"name\" name=\"name\" required maxlength=\"200\">"
                "</div><div class=\"field\"><label for=\"role\">Role</label>");
    role_select(req, "client");
    buf_puts(o, "</div><div class=\"field\"><label for=\"org\">Organisation "
                "(clients)</label>");
    if (org_select(req, "org", NULL, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</div><div class=\"field\"><label for=\"password\">"
                "Temporary password</label><input id=\"password\" "
                "name=\"password\" type=\"password\" minlength=\"12\" "
                "maxlength=\"128\" required autocomplete=\"new-password\" "
                "aria-describedby=\"pw-help\"><p class=\"help\" "
                "id=\"pw-help\">The user must change it at first sign-in."
                "</p></div><div class=\"actions\"><button class=\"button "
                "primary\" type=\"submit\">Create user</button></div></form>"
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
    const char *email = web_field_get(req, "email");
    const char *name = web_field_get(req, "name");
    const char *role = web_field_get(req, "role");
    const char *org = web_field_get(req, "org");
    const char *password = web_field_get(req, "password");
    int64_t id;
    errmsg err = {0};
    char target[300];

    if (org && !*org)
        org = NULL;
    if (registry_user_add(req->reg, &id, email ? email : "", name ? name : "",
                          role ? role : "", org, password ? password : "",
                          &err) < 0 ||
        registry_user_set_password(req->reg, id, password, 1, &err) < 0) {
        req->status = err.code == ERR_CONFLICT ? 409 : 422;
        users_page(req, err.msg);
        return;
    }
    snprintf(target, sizeof target, "%s (%s)", email, role);
    registry_audit(req->reg, req->user.id, req->user.email, "user.create",
                   target, org ? org : "", req->address);
    page_flash_set(req, "User created.");
    web_redirect(req, "/admin/users");
}

static void user_edit_page(web_req *req, const registry_user *u,
                           const char *error)
{
    buf *o = &req->out;
    errmsg err = {0};

    page_begin(req, u->email);
    buf_puts(o, "<h1>Administration</h1>");
    admin_tabs(req, "/admin/users");
    buf_puts(o, "<section class=\"card\"><h2>");
    buf_append_html(o, u->email);
    buf_puts(o, "</h2>");
    alert(o, error);
    buf_appendf(o,
                "<form method=\"post\" action=\"/admin/users/%lld\" "
                "class=\"grid-form\">",
                (long long)u->id);
    page_csrf_input(req);
    buf_puts(o, "<div class=\"field\"><label for=\"name\">Name</label><input "
                "id=\"name\" name=\"name\" required maxlength=\"200\" "
                "value=\"");
    buf_append_html(o, u->name);
    buf_puts(o, "\"></div><div class=\"field\"><label for=\"role\">Role"
                "</label>");
    role_select(req, u->role);
    buf_puts(o, "</div><div class=\"field\"><label for=\"org\">Organisation"
                "</label>");
    if (org_select(req, "org", u->org_name, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</div><div class=\"field\"><label for=\"active\">State"
                "</label><select id=\"active\" name=\"active\"><option "
                "value=\"1\"");
    if (u->active)
        buf_puts(o, " selected");
    buf_puts(o, ">active</option><option value=\"0\"");
    if (!u->active)
        buf_puts(o, " selected");
    buf_puts(o, ">deactivated</option></select></div><div class=\"field\">"
                "<label for=\"password\">New temporary password "
                "(optional)</label><input id=\"password\" name=\"password\" "
                "type=\"password\" minlength=\"12\" maxlength=\"128\" "
                "autocomplete=\"new-password\"></div><div class=\"actions\">"
                "<button class=\"button primary\" type=\"submit\">Save"
                "</button></div></form></section>");
    page_end(req);
}

/* GET /admin/users/{id} */
void page_admin_user_edit(web_req *req)
{
    registry_user u;
    errmsg err = {0};

    if (registry_user_get(req->reg, &u, web_arg_id(req, 0), &err) < 0) {
        web_reply_error(req, 404, "No such user.");
        return;
    }
    user_edit_page(req, &u, NULL);
}

/* POST /admin/users/{id} */
void page_admin_user_update(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    const char *name = web_field_get(req, "name");
    const char *role = web_field_get(req, "role");
    const char *org = web_field_get(req, "org");
    const char *active = web_field_get(req, "active");
    const char *password = web_field_get(req, "password");
    registry_user before, after;
    errmsg err = {0};
    int rc;

    if (registry_user_get(req->reg, &before, id, &err) < 0) {
        web_reply_error(req, 404, "No such user.");
        return;
    }
    if (id == req->user.id &&
        ((role && strcmp(role, "admin")) || (active && !strcmp(active, "0")))) {
        req->status = 422;
        user_edit_page(req, &before,
                       "You cannot remove your own admin rights.");
        return;
    }
    if ((rc = registry_begin(req->reg, &err)) < 0 ||
        (rc = registry_user_update(req->reg, id, name, role, org ? org : NULL,
                                   &err)) < 0 ||
        (active && (rc = registry_user_set_active(
                        req->reg, id, strcmp(active, "0"), &err)) < 0) ||
        (password && *password &&
         ((rc = registry_user_set_password(req->reg, id, password, 1, &err)) <
              0 ||
          /* A new password ends the user's sessions (not the admin's own
             current one). */
          (rc = registry_session_delete_others(
               req->reg, id, id == req->user.id ? req->session : "", &err)) <
              0)) ||
        (rc = registry_commit(req->reg, &err)) < 0) {
        registry_rollback(req->reg);
        req->status = 422;
        user_edit_page(req, &before, err.msg);
        return;
    }
    if (registry_user_get(req->reg, &after, id, &err) < 0) {
        /* Saved; only the audit detail is unknown. */
        log_warn("user %lld saved, but not read back: %s", (long long)id,
                 err.msg);
        after = before;
    }
    if (strcmp(before.role, after.role))
        registry_audit(req->reg, req->user.id, req->user.email, "user.role",
                       after.email, after.role, req->address);
    if (before.active != after.active)
        registry_audit(req->reg, req->user.id, req->user.email,
                       after.active ? "user.activate" : "user.deactivate",
                       after.email, "", req->address);
    if (password && *password)
        registry_audit(req->reg, req->user.id, req->user.email,
                       "user.password.set", after.email, "temporary",
                       req->address);
    registry_audit(req->reg, req->user.id, req->user.email, "user.update",
                   after.email, "", req->address);
    page_flash_set(req, "Saved.");
    web_redirect(req, "/admin/users");
}

static void instance_row(void *ctx, const registry_instance *i)
{
    web_req *req = ctx;
    buf *o = &req->out;

    buf_puts(o, "<tr><td>");
    buf_append_html(o, i->org_name);
    buf_puts(o, "</td><td>");
    buf_append_html(o, i->name);
    buf_puts(o, "</td><td>");
    buf_append_html(o, i->environment);
    buf_puts(o, "</td><td>");
    buf_append_html(o, i->dialect);
    buf_puts(o, "</td></tr>");
}

static void orgs_page(web_req *req, const char *error)
{
    buf *o = &req->out;
    errmsg err = {0};

    page_begin(req, "Organisations");
    buf_puts(o, "<h1>Administration</h1>");
    admin_tabs(req, "/admin/orgs");
    alert(o, error);
    buf_puts(o, "<section class=\"card\"><h2>Organisations and instances"
                "</h2><table class=\"table\"><thead><tr><th scope=\"col\">"
                "Organisation</th><th scope=\"col\">Instance</th><th "
                "scope=\"col\">Environment</th><th scope=\"col\">Dialect"
                "</th></tr></thead><tbody>");
    if (registry_instance_list(req->reg, 0, instance_row, req, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</tbody></table></section><section class=\"card\"><h2>New "
                "organisation</h2><form method=\"post\" action=\"/admin/orgs\" "
                "class=\"inline\">");
    page_csrf_input(req);
    buf_puts(o, "<label for=\"org-name\">Name</label><input id=\"org-name\" "
                "name=\"name\" required maxlength=\"100\" "
                "pattern=\"[A-Za-z0-9._-]+\"><button class=\"button\" "
                "type=\"submit\">Add</button></form></section>"
                "<section class=\"card\"><h2>New instance</h2><form "
                "method=\"post\" action=\"/admin/instances\" "
                "class=\"grid-form\">");
    page_csrf_input(req);
    buf_puts(o, "<div class=\"field\"><label for=\"i-org\">Organisation"
                "</label>");
    if (org_select(req, "i-org", NULL, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</div><div class=\"field\"><label for=\"i-name\">Name"
                "</label><input id=\"i-name\" name=\"name\" required "
                "maxlength=\"100\" placeholder=\"acme-prod\"></div>"
                "<div class=\"field\"><label for=\"i-env\">Environment"
                "</label><select id=\"i-env\" name=\"environment\"><option>"
                "qa</option><option selected>production</option><option>"
                "staging</option><option>development</option></select></div>"
                "<div class=\"field\"><label for=\"i-dialect\">Default SQL "
                "dialect</label><select id=\"i-dialect\" name=\"dialect\">");
    for (int d = 0; d < SQL_NDIALECTS; d++)
        buf_appendf(o, "<option>%s</option>", sql_dialect_name((sql_dialect)d));
    buf_puts(o, "</select></div><div class=\"actions\"><button "
                "class=\"button primary\" type=\"submit\">Add instance"
                "</button></div></form>"
                "</section>");
    page_end(req);
}

/* GET /admin/orgs */
void page_admin_orgs(web_req *req)
{
    orgs_page(req, NULL);
}

/* POST /admin/orgs */
void page_admin_org_create(web_req *req)
{
    const char *name = web_field_get(req, "name");
    errmsg err = {0};

    if (registry_org_add(req->reg, NULL, name ? name : "", &err) < 0) {
        req->status = err.code == ERR_CONFLICT ? 409 : 422;
        orgs_page(req, err.msg);
        return;
    }
    registry_audit(req->reg, req->user.id, req->user.email, "org.create", name,
                   "", req->address);
    page_flash_set(req, "Organisation added.");
    web_redirect(req, "/admin/orgs");
}

/* POST /admin/instances */
void page_admin_instance_create(web_req *req)
{
    const char *org = web_field_get(req, "org");
    const char *name = web_field_get(req, "name");
    const char *env = web_field_get(req, "environment");
    const char *dialect = web_field_get(req, "dialect");
    errmsg err = {0};

    if (registry_instance_add(req->reg, NULL, org ? org : "", name ? name : "",
                              env ? env : "", dialect ? dialect : "",
                              &err) < 0) {
        req->status = err.code == ERR_CONFLICT ? 409 : 422;
        orgs_page(req, err.msg);
        return;
    }
    registry_audit(req->reg, req->user.id, req->user.email, "instance.create",
                   name, org, req->address);
    page_flash_set(req, "Instance added.");
    web_redirect(req, "/admin/orgs");
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
    page_begin(req, "Audit log");
    buf_puts(o, "<h1>Administration</h1>");
    admin_tabs(req, "/admin/audit");
    buf_puts(o, "<section class=\"card\"><h2>Audit log</h2><table "
                "class=\"table\"><thead><tr><th scope=\"col\">When</th><th "
                "scope=\"col\">Who</th><th scope=\"col\">What</th><th "
                "scope=\"col\">Target</th><th scope=\"col\">Detail</th><th "
                "scope=\"col\">From</th></tr></thead><tbody>");
    if (registry_audit_list(req->reg, b, 200, audit_row, req, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</tbody></table></section>");
    page_end(req);
}

const web_route web_routes_admin[] = {
    {"GET", "/admin/users", ROLE_ADMIN, 0, page_admin_users},
    {"POST", "/admin/users", ROLE_ADMIN, 0, page_admin_user_create},
    {"GET", "/admin/users/{id}", ROLE_ADMIN, 0, page_admin_user_edit},
    {"POST", "/admin/users/{id}", ROLE_ADMIN, 0, page_admin_user_update},
    {"GET", "/admin/orgs", ROLE_ADMIN, 0, page_admin_orgs},
    {"POST", "/admin/orgs", ROLE_ADMIN, 0, page_admin_org_create},
    {"POST", "/admin/instances", ROLE_ADMIN, 0, page_admin_instance_create},
    {"GET", "/admin/audit", ROLE_ADMIN, 0, page_admin_audit},
    {NULL, NULL, 0, 0, NULL}};
