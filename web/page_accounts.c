/* page_accounts.c: a user's own account: profile, password change (needs
 * the current password), personal API tokens (shown once), sign out
 * everywhere, and password reset by one-time link (sent through the
 * outbox as an account.reset event). Sign-in and sign-out are in auth.c. */
#include "web_int.h"
#include "log.h"
#include "notify.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

typedef struct token_ctx {
    web_req *req;
    int n;
} token_ctx;

static void token_row(void *ctx, const registry_token *t)
{
    token_ctx *tc = ctx;
    buf *o = &tc->req->out;
    char id[32];

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
        snprintf(id, sizeof id, "%lld", (long long)t->id);
        buf_puts(o, "<form method=\"post\" action=\"/account/tokens/");
        buf_puts(o, id);
        buf_puts(o, "/revoke\" data-confirm=\"Revoke this token? Scripts "
                    "using it stop working.\">");
        page_csrf_input(tc->req);
        buf_puts(o, "<button class=\"button small danger\" type=\"submit\">"
                    "Revoke</button></form>");
    }
    buf_puts(o, "</td></tr>");
}

static void account_page(web_req *req, const char *error, const char *new_token)
{
    buf *o = &req->out;
    token_ctx tc = {req, 0};

    page_begin(req, "Your account");
    buf_puts(o, "<h1>Your account</h1><section class=\"card\"><dl "
                "class=\"facts\"><dt>Name</dt><dd>");
    buf_append_html(o, req->user.name);
    buf_puts(o, "</dd><dt>E-mail</dt><dd>");
    buf_append_html(o, req->user.email);
    buf_puts(o, "</dd><dt>Role</dt><dd>");
    buf_append_html(o, req->user.role);
    buf_puts(o, "</dd>");
    if (req->user.org_id) {
        buf_puts(o, "<dt>Organisation</dt><dd>");
        buf_append_html(o, req->user.org_name);
        buf_puts(o, "</dd>");
    }
    buf_puts(o, "</dl></section>");

    buf_puts(o, "<section class=\"card\" id=\"password\"><h2>Change "
                "password</h2>");
    if (error) {
        buf_puts(o, "<div class=\"alert error\" role=\"alert\">");
        buf_append_html(o, error);
        buf_puts(o, "</div>");
    }
    buf_puts(o, "<form method=\"post\" action=\"/account/password\" "
                "class=\"stack\">");
    page_csrf_input(req);
    buf_puts(o, "<div class=\"field\"><label for=\"current\">Current "
                "password</label><input id=\"current\" name=\"current\" "
                "type=\"password\" autocomplete=\"current-password\" "
                "required></div><div class=\"field\"><label for=\"new\">New "
                "password</label><input id=\"new\" name=\"new\" "
                "type=\"password\" autocomplete=\"new-password\" "
                "minlength=\"12\" maxlength=\"128\" required "
                "aria-describedby=\"new-help\"><p class=\"help\" "
                "id=\"new-help\">12 to 128 characters.</p></div>"
                "<div class=\"field\"><label for=\"confirm\">New password "
                "again</label><input id=\"confirm\" name=\"confirm\" "
                "type=\"password\" autocomplete=\"new-password\" required>"
                "</div><button class=\"button primary\" type=\"submit\">"
                "Change password</button></form></section>");

    buf_puts(o, "<section class=\"card\" id=\"tokens\"><h2>API tokens</h2>"
                "<p class=\"help\">For scripts and <code>docket lookup "
                "--url</code>. A token acts as you; it is shown once.</p>");
    if (new_token) {
        buf_puts(o, "<div class=\"alert success\" role=\"status\"><p>Your "
                    "new token (copy it now, it is not shown again):</p>"
                    "<p><code class=\"token\" id=\"new-token\">");
        buf_append_html(o, new_token);
        buf_puts(o, "</code></p></div>");
    }
    buf_puts(o, "<table class=\"table\"><thead><tr><th scope=\"col\">Label"
                "</th><th scope=\"col\">Created</th><th scope=\"col\">Last "
                "used</th><th scope=\"col\"><span class=\"sr-only\">Actions"
                "</span></th></tr></thead><tbody>");
    registry_token_list(req->reg, req->user.id, token_row, &tc, NULL);
    if (!tc.n)
        buf_puts(o, "<tr><td colspan=\"4\" class=\"muted\">No tokens yet."
                    "</td></tr>");
    buf_puts(o, "</tbody></table><form method=\"post\" "
                "action=\"/account/tokens\" class=\"inline\">");
    page_csrf_input(req);
    buf_puts(o, "<label for=\"label\">Label</label><input id=\"label\" "
                "name=\"label\" required maxlength=\"200\" "
                "placeholder=\"e.g. jump host\"><button class=\"button\" "
                "type=\"submit\">Create token</button></form></section>");

    buf_puts(o, "<section class=\"card\"><h2>Sessions</h2><form "
                "method=\"post\" action=\"/account/signout-all\">");
    page_csrf_input(req);
    buf_puts(o, "<button class=\"button danger\" type=\"submit\">Sign out "
                "everywhere</button></form></section>");
    page_end(req);
}

/* GET /account */
void page_account(web_req *req)
{
    account_page(req, NULL, NULL);
}

/* POST /account/password */
void page_password_change(web_req *req)
{
    const char *cur = web_field_get(req, "current");
    const char *nw = web_field_get(req, "new");
    const char *confirm = web_field_get(req, "confirm");
    registry_user u;
    errmsg err = {0};

    if (!cur || !nw || !confirm) {
        req->status = 422;
        account_page(req, "Fill in all three fields.", NULL);
        return;
    }
    if (strcmp(nw, confirm) != 0) {
        req->status = 422;
        account_page(req, "The new passwords differ.", NULL);
        return;
    }
    if (registry_user_authenticate(req->reg, &u, req->user.email, cur, &err) <
        0) {
        registry_audit(req->reg, req->user.id, req->user.email,
                       "password.change.failure", req->user.email,
                       "wrong current password", req->address);
        req->status = 422;
        account_page(req, "The current password is wrong.", NULL);
        return;
    }
    err_clear(&err);
    if (registry_user_set_password(req->reg, req->user.id, nw, 0, &err) < 0) {
        req->status = 422;
        account_page(req, err.msg, NULL);
        return;
    }
    registry_audit(req->reg, req->user.id, req->user.email, "password.change",
                   req->user.email, "", req->address);
    page_flash_set(req, "Your password was changed.");
    web_redirect(req, "/account");
}

/* POST /account/tokens */
void page_token_create(web_req *req)
{
    const char *label = web_field_get(req, "label");
    char token[80];
    int64_t id;
    errmsg err = {0};

    if (registry_token_create(req->reg, token, &id, req->user.id,
                              label ? label : "", &err) < 0) {
        req->status = 422;
        account_page(req, err.msg, NULL);
        return;
    }
    registry_audit(req->reg, req->user.id, req->user.email, "token.create",
                   label, "", req->address);
    account_page(req, NULL, token);
}

/* POST /account/tokens/{id}/revoke */
void page_token_revoke(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    errmsg err = {0};

    if (!id || registry_token_revoke(req->reg, id, req->user.id, &err) < 0) {
        web_reply_error(req, 404, "No such token.");
        return;
    }
    registry_audit(req->reg, req->user.id, req->user.email, "token.revoke",
                   req->args[0], "", req->address);
    page_flash_set(req, "The token was revoked.");
    web_redirect(req, "/account#tokens");
}

static void reset_request_page(web_req *req, const char *notice)
{
    buf *o = &req->out;

    page_begin(req, "Reset your password");
    buf_puts(o, "<section class=\"card narrow\"><h1>Reset your password</h1>");
    if (notice) {
        buf_puts(o, "<div class=\"alert success\" role=\"status\">");
        buf_append_html(o, notice);
        buf_puts(o, "</div>");
    }
    buf_puts(o, "<form method=\"post\" action=\"/reset\" class=\"stack\">"
                "<div class=\"field\"><label for=\"email\">E-mail</label>"
                "<input id=\"email\" name=\"email\" type=\"email\" required "
                "autocomplete=\"username\"></div><button class=\"button "
                "primary\" type=\"submit\">Send me a link</button></form>"
                "<p class=\"help\">The link works once, for 30 minutes.</p>"
                "</section>");
    page_end(req);
}

/* GET /reset */
void page_reset_request_form(web_req *req)
{
    reset_request_page(req, NULL);
}

/* POST /reset: always the same answer, whether the account exists or
 * not. */
void page_reset_request(web_req *req)
{
    const char *email = web_field_get(req, "email");
    registry_user u;
    errmsg err = {0};
    char token[65];

    if (email && strlen(email) < 255 &&
        registry_user_find(req->reg, &u, email, &err) == 0 && u.active) {
        cJSON *p = cJSON_CreateObject();
        buf url = {0};
        char *json;
        buf_puts(&url, "/reset/");
        if (registry_begin(req->reg, &err) == 0 &&
            registry_reset_create(req->reg, token, u.id, 30 * 60, &err) == 0) {
            buf_puts(&url, token);
            cJSON_AddStringToObject(p, "event", "account.reset");
            cJSON_AddStringToObject(p, "recipient", u.email);
            cJSON_AddStringToObject(p, "name", u.name);
            cJSON_AddStringToObject(p, "url", buf_cstr(&url));
            json = cJSON_PrintUnformatted(p);
            if (registry_event_add(req->reg, NULL, "account.reset", 0, json,
                                   &err) == 0 &&
                registry_commit(req->reg, &err) == 0) {
                registry_audit(req->reg, u.id, u.email, "password.reset.sent",
                               u.email, "", req->address);
                notify_wake();
            }
            cJSON_free(json);
        }
        registry_rollback(req->reg);
        cJSON_Delete(p);
        buf_dispose(&url);
        if (err.code)
            log_error("password reset for user %lld: %s", (long long)u.id,
                      err.msg);
    }
    reset_request_page(req, "If an account uses that address, a link is on "
                            "its way.");
}

static void reset_form(web_req *req, const char *error)
{
    buf *o = &req->out;

    page_begin(req, "Choose a new password");
    buf_puts(o, "<section class=\"card narrow\"><h1>Choose a new password"
                "</h1>");
    if (error) {
        buf_puts(o, "<div class=\"alert error\" role=\"alert\">");
        buf_append_html(o, error);
        buf_puts(o, "</div>");
    }
    buf_puts(o, "<form method=\"post\" class=\"stack\" action=\"/reset/");
    buf_append_url(o, req->args[0]);
    buf_puts(o, "\"><div class=\"field\"><label for=\"new\">New password"
                "</label><input id=\"new\" name=\"new\" type=\"password\" "
                "autocomplete=\"new-password\" minlength=\"12\" "
                "maxlength=\"128\" required></div><button class=\"button "
                "primary\" type=\"submit\">Set password</button></form>"
                "</section>");
    page_end(req);
}

/* GET /reset/{token} */
void page_reset_form(web_req *req)
{
    reset_form(req, NULL);
}

/* POST /reset/{token} */
void page_reset(web_req *req)
{
    const char *nw = web_field_get(req, "new");
    int64_t user = 0;
    errmsg err = {0};

    if (registry_reset_use(req->reg, &user, req->args[0], nw ? nw : "", &err) <
        0) {
        req->status = err.code == ERR_NOTFOUND ? 404 : 422;
        reset_form(req, err.msg);
        return;
    }
    registry_audit(req->reg, user, "", "password.reset.used", "", "",
                   req->address);
    page_flash_set(req, "Your password was set. Sign in with it.");
    web_redirect(req, "/signin");
}

const web_route web_routes_accounts[] = {
    {"GET", "/signin", ROLE_ANY, 0, page_signin_form},
    {"POST", "/signin", ROLE_ANY, WEB_NOCSRF, page_signin},
    {"POST", "/signout", ROLE_USER, 0, page_signout},
    {"POST", "/account/signout-all", ROLE_USER, 0, page_signout_all},
    {"GET", "/account", ROLE_USER, 0, page_account},
    {"POST", "/account/password", ROLE_USER, 0, page_password_change},
    {"POST", "/account/tokens", ROLE_USER, 0, page_token_create},
    {"POST", "/account/tokens/{id}/revoke", ROLE_USER, 0, page_token_revoke},
    {"GET", "/reset", ROLE_ANY, 0, page_reset_request_form},
    {"POST", "/reset", ROLE_ANY, WEB_NOCSRF, page_reset_request},
    {"GET", "/reset/{token}", ROLE_ANY, 0, page_reset_form},
    {"POST", "/reset/{token}", ROLE_ANY, WEB_NOCSRF, page_reset},
    {NULL, NULL, 0, 0, NULL}};
