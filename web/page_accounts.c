/* page_accounts.c: a user's own account: profile, password change (needs
 * the current password, throttled like sign-in, ends the other sessions),
 * personal API tokens (shown once; revoke one or all), sign out
 * everywhere, and password reset by one-time link (sent through the
 * outbox as an account.reset event by a background thread, so the answer
 * never waits for the database). Sign-in and sign-out are in auth.c. */
#include "page_form_int.h"
#include "accounts.h"
#include "log.h"
#include "mem.h"
#include "notify.h"
#include "str.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct token_ctx {
    web_req *req;
    int n;
    int active;
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
        tc->active++;
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

/* The forms of the account page (which one was posted). */
typedef enum account_form {
    ACCOUNT_NONE,
    ACCOUNT_PASSWORD,
    ACCOUNT_TOKEN
} account_form;

/* The card of who the user is: name, e-mail, role, organisation. */
static void account_facts(web_req *req)
{
    buf *o = &req->out;

    buf_puts(o, "<section class=\"card\"><dl class=\"facts\"><dt>Name</dt>"
                "<dd>");
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
}

/* The password change card of form f (its problem next to its field;
 * passwords are never shown again). */
static void account_password_card(const page_form *f)
{
    web_req *req = f->req;
    buf *o = &req->out;

    buf_puts(o, "<section class=\"card\" id=\"password\"><h2>Change "
                "password</h2>");
    if (req->user.must_change_password)
        page_alert(req, "warning",
                   "Choose a new password to go on: yours was set by an "
                   "administrator or generated, and docket opens nothing else "
                   "until it is changed.");
    buf_puts(o, "<form method=\"post\" action=\"/account/password\" "
                "class=\"stack\">");
    page_csrf_input(req);
    page_form_input(f, "current", "Current password",
                    "type=\"password\" autocomplete=\"current-password\" "
                    "required",
                    NULL, NULL);
    page_form_input(f, "new", "New password",
                    "type=\"password\" autocomplete=\"new-password\" "
                    "minlength=\"12\" maxlength=\"128\" required",
                    NULL, "12 to 128 characters.");
    page_form_input(f, "confirm", "New password again",
                    "type=\"password\" autocomplete=\"new-password\" required",
                    NULL, NULL);
    buf_puts(o, "<button class=\"button primary\" type=\"submit\">"
                "Change password</button></form></section>");
}

/* The API token card: new_token (shown once, may be NULL), the list and
 * the forms (f: the new-token form, its label kept after a problem).
 * Returns -1 when the list could not be read and the error was answered
 * instead of the page (only when there is no new_token). */
static int account_tokens_card(const page_form *f, const char *new_token)
{
    web_req *req = f->req;
    buf *o = &req->out;
    token_ctx tc = {req, 0, 0};
    errmsg err = {0};

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
    if (registry_token_list(req->reg, req->user.id, token_row, &tc, &err) < 0) {
        /* A token just created is shown once: keep the page for it. */
        if (!new_token) {
            web_reply_err(req, &err);
            return -1;
        }
        buf_puts(o, "<tr><td colspan=\"4\" class=\"alert error\">Your "
                    "tokens could not be listed; reload the page.</td></tr>");
    } else if (!tc.n)
        buf_puts(o, "<tr><td colspan=\"4\" class=\"muted\">No tokens yet."
                    "</td></tr>");
    buf_puts(o, "</tbody></table>");
    if (tc.active) {
        buf_puts(o, "<form method=\"post\" action=\"/account/tokens/"
                    "revoke-all\" class=\"inline\" data-confirm=\"Revoke "
                    "every token? Scripts using them stop working.\">");
        page_csrf_input(req);
        buf_puts(o, "<button class=\"button small danger\" type=\"submit\">"
                    "Revoke all tokens</button></form>");
    }
    buf_puts(o, "<form method=\"post\" action=\"/account/tokens\" "
                "class=\"grid-form\">");
    page_csrf_input(req);
    page_form_input(f, "label", "Label",
                    "required maxlength=\"200\" placeholder=\"e.g. jump host\"",
                    NULL, NULL);
    buf_puts(o, "<div class=\"actions\"><button class=\"button\" "
                "type=\"submit\">Create token</button></div></form>"
                "</section>");
    return 0;
}

/* The sessions card: sign out everywhere. */
static void account_sessions_card(web_req *req)
{
    buf *o = &req->out;

    buf_puts(o, "<section class=\"card\"><h2>Sessions</h2><form "
                "method=\"post\" action=\"/account/signout-all\">");
    page_csrf_input(req);
    buf_puts(o, "<button class=\"button danger\" type=\"submit\">Sign out "
                "everywhere</button></form></section>");
}

/* The account page; error (may be NULL) is the problem of the form
 * posted (which), shown in the error summary and next to its field;
 * new_token (may be NULL) is shown once on the token card. */
static void account_page(web_req *req, account_form which, const errmsg *error,
                         const char *new_token)
{
    page_form pw = {req, which == ACCOUNT_PASSWORD ? error : NULL, NULL};
    page_form tok = {req, which == ACCOUNT_TOKEN ? error : NULL, NULL};

    page_begin(req, "Your account");
    buf_puts(&req->out, "<h1>Your account</h1>");
    page_form_summary(which == ACCOUNT_TOKEN ? &tok : &pw);
    account_facts(req);
    account_password_card(&pw);
    if (account_tokens_card(&tok, new_token) < 0)
        return;
    account_sessions_card(req);
    page_end(req);
}

/* The account page again after a problem of form which: message on
 * field (may be NULL). */
static void account_problem(web_req *req, account_form which, const char *field,
                            const char *message)
{
    errmsg e = {0};

    if (field)
        err_set_field(&e, ERR_INVALID, field, "%s", message);
    else
        err_set(&e, ERR_INVALID, "%s", message);
    account_page(req, which, &e, NULL);
}

/* GET /account */
void page_account(web_req *req)
{
    account_page(req, ACCOUNT_NONE, NULL, NULL);
}

/* The notice after a password change; tokens is the number of API
 * tokens still active, -1 when unknown. */
static void password_changed_notice(char *msg, size_t size, int tokens)
{
    static const char done[] = "Your password was changed and your other "
                               "sessions were signed out.";

    if (tokens < 0)
        snprintf(msg, size,
                 "%s Your API tokens, if you have any, still work: revoke "
                 "them below if someone else may know them.",
                 done);
    else if (tokens)
        snprintf(msg, size,
                 "%s Your %d API token%s still work%s: revoke them below if "
                 "someone else may know them.",
                 done, tokens, tokens == 1 ? "" : "s", tokens == 1 ? "s" : "");
    else
        snprintf(msg, size, "%s", done);
}

/* POST /account/password: throttled like sign-in (wrong guesses of the
 * current password count for the account and the address); the change
 * ends every other session of the user, keeps this one, and keeps API
 * tokens (the account page offers to revoke them all). */
void page_password_change(web_req *req)
{
    const char *cur = web_field_get(req, "current");
    const char *nw = web_field_get(req, "new");
    const char *confirm = web_field_get(req, "confirm");
    domain_actor a = domain_actor_of(&req->user);
    errmsg err = {0};
    int tokens = 0, rc;
    char msg[300];

    if (!cur || !*cur || !nw || !*nw || !confirm || !*confirm) {
        req->status = 422;
        account_problem(req, ACCOUNT_PASSWORD,
                        !cur || !*cur ? "current"
                        : !nw || !*nw ? "new"
                                      : "confirm",
                        "Fill in all three fields.");
        return;
    }
    if (web_throttled(req, web_guess_wait(req, req->user.email),
                      "password change", req->user.email)) {
        registry_audit(req->reg, req->user.id, req->user.email,
                       "password.change.throttled", req->user.email, "",
                       req->address);
        account_problem(req, ACCOUNT_PASSWORD, NULL,
                        "Too many wrong passwords. Wait a little and try "
                        "again.");
        return;
    }
    if (strcmp(nw, confirm) != 0) {
        req->status = 422;
        account_problem(req, ACCOUNT_PASSWORD, "confirm",
                        "The new passwords differ.");
        return;
    }
    rc = domain_password_change(req->reg, &a, cur, nw, req->session,
                                req->address, &tokens, &err);
    if (rc == ERR_INVALID && !strcmp(err.field, "current"))
        web_guess_failed(req, req->user.email);
    else if (rc == 0 || rc == ERR_INVALID)
        web_guess_passed(req, req->user.email);
    if (rc < 0) {
        if (web_form_err_or_reply(req, &err) == 0)
            account_page(req, ACCOUNT_PASSWORD, &err, NULL);
        return;
    }
    password_changed_notice(msg, sizeof msg, tokens);
    page_flash_set(req, msg);
    web_redirect(req, tokens ? "/account#tokens" : "/account");
}

/* POST /account/tokens */
void page_token_create(web_req *req)
{
    domain_actor a = domain_actor_of(&req->user);
    char token[80];
    errmsg err = {0};
    int rc = domain_token_create(req->reg, &a, req->user.id,
                                 web_field_get(req, "label"), req->address,
                                 token, &err);

    if (rc < 0) {
        if (web_form_err_or_reply(req, &err) == 0)
            account_page(req, ACCOUNT_TOKEN, &err, NULL);
        return;
    }
    account_page(req, ACCOUNT_NONE, NULL, token);
}

/* POST /account/tokens/{id}/revoke */
void page_token_revoke(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    errmsg err = {0};
    int rc = id ? registry_token_revoke(req->reg, id, req->user.id, &err)
                : ERR_NOTFOUND;

    if (web_found_or_reply(req, rc, &err, "No such token.") < 0)
        return;
    registry_audit(req->reg, req->user.id, req->user.email, "token.revoke",
                   req->args[0], "", req->address);
    page_flash_set(req, "The token was revoked.");
    web_redirect(req, "/account#tokens");
}

/* POST /account/tokens/revoke-all */
void page_token_revoke_all(web_req *req)
{
    int64_t n = 0;
    char detail[32];
    errmsg err = {0};

    if (registry_token_revoke_all(req->reg, &n, req->user.id, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    snprintf(detail, sizeof detail, "%lld revoked", (long long)n);
    registry_audit(req->reg, req->user.id, req->user.email, "token.revoke.all",
                   req->user.email, detail, req->address);
    page_flash_set(req, n == 1   ? "Your API token was revoked."
                        : n == 0 ? "You had no API tokens to revoke."
                                 : "All your API tokens were revoked.");
    web_redirect(req, "/account#tokens");
}

static void reset_request_page(web_req *req, const char *notice,
                               const char *error)
{
    buf *o = &req->out;

    page_begin(req, "Reset your password");
    buf_puts(o, "<section class=\"card narrow\"><h1>Reset your password</h1>");
    page_alert(req, "success", notice);
    page_alert(req, "error", error);
    buf_puts(o, "<form method=\"post\" action=\"/reset\" class=\"stack\">");
    page_presession_input(req);
    buf_puts(o, "<div class=\"field\"><label for=\"email\">E-mail</label>"
                "<input id=\"email\" name=\"email\" type=\"email\" required "
                "autocomplete=\"username\"></div><button class=\"button "
                "primary\" type=\"submit\">Send me a link</button></form>"
                "<p class=\"help\">The link works once, for 30 minutes; a "
                "newer link replaces it.</p></section>");
    page_end(req);
}

/* GET /reset */
void page_reset_request_form(web_req *req)
{
    reset_request_page(req, NULL, NULL);
}

/* ---- reset requests, handled off the request path ----
 * The answer to POST /reset must not tell whether the address has an
 * account, not even by its timing. So the handler does the same for
 * every address (check, throttle, queue) and answers; this thread then
 * looks the address up and writes the link, its outbox rows and the
 * audit record (registry_reset_request) on a connection of its own. The
 * queue is in memory: requests still queued when the server stops are
 * dropped (the user asks again). */

#define RESET_QUEUE 256

typedef struct reset_job {
    char email[256];
    char address[64];
} reset_job;

static pthread_mutex_t reset_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reset_cv = PTHREAD_COND_INITIALIZER;
static reset_job reset_q[RESET_QUEUE];
static int reset_head, reset_n, reset_started;
static char *reset_db; /* database path, copied when the thread starts */

static void reset_handle(registry **reg, const reset_job *job)
{
    errmsg err = {0};
    int sent = 0;

    /* The database may be busy (a backup, a long write): try a few
       times before giving up on this request. */
    for (int attempt = 0; attempt < 5; attempt++) {
        struct timespec pause = {1, 0};
        err_clear(&err);
        if (!*reg &&
            registry_open(reg, reset_db, REGISTRY_NOCREATE, &err) < 0) {
            *reg = NULL;
        } else if (registry_reset_request(*reg, &sent, job->email, job->address,
                                          30 * 60, &err) == 0) {
            if (sent)
                notify_wake();
            return;
        }
        if (err.code != ERR_DB)
            break;
        nanosleep(&pause, NULL);
    }
    log_error("password reset request from %s: %s", job->address, err.msg);
}

static void *reset_thread(void *arg)
{
    registry *reg = NULL;

    (void)arg;
    for (;;) {
        reset_job job;
        pthread_mutex_lock(&reset_mu);
        while (!reset_n)
            pthread_cond_wait(&reset_cv, &reset_mu);
        job = reset_q[reset_head];
        reset_head = (reset_head + 1) % RESET_QUEUE;
        reset_n--;
        pthread_mutex_unlock(&reset_mu);
        reset_handle(&reg, &job);
    }
    return NULL;
}

/* Queues a request; 0, or -1 when the queue is full or no thread runs. */
static int reset_enqueue(web_req *req, const char *email)
{
    int rc = -1;

    pthread_mutex_lock(&reset_mu);
    if (!reset_started) {
        pthread_t t;
        pthread_attr_t attr;
        reset_db = xstrdup(req->cfg->db);
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, reset_thread, NULL) == 0)
            reset_started = 1;
        pthread_attr_destroy(&attr);
    }
    if (reset_started && reset_n < RESET_QUEUE) {
        reset_job *j = &reset_q[(reset_head + reset_n) % RESET_QUEUE];
        str_copy(j->email, sizeof j->email, email);
        str_copy(j->address, sizeof j->address, req->address);
        reset_n++;
        pthread_cond_signal(&reset_cv);
        rc = 0;
    }
    pthread_mutex_unlock(&reset_mu);
    return rc;
}

/* POST /reset: the same answer, after the same work, whether the account
 * exists or not; throttled per e-mail asked for and per client address. */
void page_reset_request(web_req *req)
{
    const char *email = web_field_get(req, "email");
    int64_t wait;

    if (!email || !*email || strlen(email) > 254 || str_has_ctl(email) ||
        !str_utf8_valid(email, strlen(email))) {
        req->status = 422;
        reset_request_page(req, NULL,
                           "Enter the e-mail address of your "
                           "account.");
        return;
    }
    wait = web_reset_take(req, email);
    if (web_throttled(req, wait, "reset", NULL)) {
        char text[200];
        snprintf(text, sizeof text,
                 "Too many reset requests. Wait %lld minute%s and try again; "
                 "the newest link you got still works.",
                 (long long)(wait + 59) / 60, wait > 60 ? "s" : "");
        reset_request_page(req, NULL, text);
        return;
    }
    if (reset_enqueue(req, email) < 0)
        log_error("reset: queue full, a request from %s was dropped",
                  req->address);
    reset_request_page(req,
                       "If an account uses that address, a link is on its "
                       "way.",
                       NULL);
}

static void reset_form(web_req *req, const char *error)
{
    buf *o = &req->out;

    page_begin(req, "Choose a new password");
    buf_puts(o, "<section class=\"card narrow\"><h1>Choose a new password"
                "</h1>");
    page_alert(req, "error", error);
    buf_puts(o, "<form method=\"post\" class=\"stack\" action=\"/reset/");
    buf_append_url(o, req->args[0]);
    buf_puts(o, "\">");
    page_presession_input(req);
    buf_puts(o, "<div class=\"field\"><label for=\"new\">New password"
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
        if (web_form_err_or_reply(req, &err) == 0)
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
    {"POST", "/account/tokens/revoke-all", ROLE_USER, 0, page_token_revoke_all},
    {"GET", "/reset", ROLE_ANY, 0, page_reset_request_form},
    {"POST", "/reset", ROLE_ANY, WEB_NOCSRF, page_reset_request},
    {"GET", "/reset/{token}", ROLE_ANY, 0, page_reset_form},
    {"POST", "/reset/{token}", ROLE_ANY, WEB_NOCSRF, page_reset},
    {NULL, NULL, 0, 0, NULL}};
