/* auth.c: who is asking. Session cookies (tokens stored hashed by
 * registry/accounts.c), bearer API tokens, the trusted proxy header, the
 * CSRF check of every state-changing request, and sign-in throttling
 * (per account and per address, growing delays, kept in memory). */
#include "web_int.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int role_bit(const char *role)
{
    if (!strcmp(role, "client"))
        return ROLE_CLIENT;
    if (!strcmp(role, "pm"))
        return ROLE_PM;
    if (!strcmp(role, "ops"))
        return ROLE_OPS;
    if (!strcmp(role, "admin"))
        return ROLE_ADMIN;
    return ROLE_ANON;
}

static int is_loopback(const char *addr)
{
    return str_startswith(addr, "127.") || !strcmp(addr, "::1");
}

const char *web_cookie_name(const web_req *req)
{
    /* Browsers accept the __Host- prefix only with Secure, which they
       allow over HTTPS and on loopback addresses. */
    return req->secure || is_loopback(req->address) ? "__Host-docket"
                                                    : "docket";
}

void web_auth_identify(web_req *req)
{
    const char *authz = web_header(req, "Authorization");
    const char *cookie;
    errmsg err = {0};

    req->role = ROLE_ANON;
    memset(&req->user, 0, sizeof req->user);
    if (authz && !str_ncasecmp(authz, "Bearer ", 7)) {
        if (registry_token_lookup(req->reg, &req->user, authz + 7, &err) == 0) {
            req->via_token = 1;
            req->role = role_bit(req->user.role);
        } else {
            memset(&req->user, 0, sizeof req->user);
        }
        return;
    }
    if (*req->cfg->trusted_proxy &&
        !strcmp(req->address, req->cfg->trusted_proxy)) {
        const char *who = web_header(req, req->cfg->trusted_user_header);
        if (who && *who) {
            if (registry_user_find(req->reg, &req->user, who, &err) == 0 &&
                req->user.active) {
                req->role = role_bit(req->user.role);
                req->via_token = 1; /* no cookie session: CSRF by Origin */
            } else {
                memset(&req->user, 0, sizeof req->user);
            }
            return;
        }
    }
    cookie = web_cookie(req, web_cookie_name(req));
    if (!cookie || strlen(cookie) != 64)
        return;
    if (registry_session_lookup(
            req->reg, &req->user, req->csrf, cookie,
            (int64_t)req->cfg->session_idle_minutes * 60,
            (int64_t)req->cfg->session_lifetime_hours * 3600, &err) == 0) {
        str_copy(req->session, sizeof req->session, cookie);
        req->role = role_bit(req->user.role);
    } else {
        memset(&req->user, 0, sizeof req->user);
    }
}

/* Origin must name this server: scheme and Host of the request. */
static int origin_ok(web_req *req)
{
    const char *origin = web_header(req, "Origin");
    const char *host = web_header(req, "Host");
    char want[300];

    if (!origin)
        return 1; /* non-browser clients; the token still decides */
    if (!host)
        return 0;
    snprintf(want, sizeof want, "%s://%s", req->secure ? "https" : "http",
             host);
    if (!strcmp(origin, want))
        return 1;
    /* Behind a TLS-terminating proxy the browser says https. */
    snprintf(want, sizeof want, "https://%s", host);
    return *req->cfg->trusted_proxy && !strcmp(origin, want);
}

int web_csrf_check_or_reply(web_req *req)
{
    const char *token;

    if (!origin_ok(req)) {
        log_warn("csrf: cross-site %s %s from %s refused", req->method,
                 req->path, req->address);
        web_reply_error(req, 403, "Cross-site request refused.");
        return -1;
    }
    if (req->via_token || req->role == ROLE_ANON)
        return 0;
    token = web_header(req, "X-CSRF-Token");
    if (!token)
        token = web_field_get(req, "csrf");
    if (!token || strlen(token) != 64 || !req->csrf[0] ||
        sodium_memcmp(token, req->csrf, 64) != 0) {
        log_warn("csrf: bad or missing token on %s %s for %s", req->method,
                 req->path, req->user.email);
        web_reply_error(req, 403,
                        "This form has expired or did not come from "
                        "docket. Reload the page and try again.");
        return -1;
    }
    return 0;
}

int web_session_start(web_req *req, const registry_user *u, errmsg *err)
{
    char token[65], csrf[65], cookie[200];
    int rc;

    /* A new token at every sign-in; the old session (if any) ends. */
    if (req->session[0])
        registry_session_delete(req->reg, req->session, NULL);
    rc = registry_session_create(req->reg, token, csrf, u->id, req->address,
                                 err);
    if (rc < 0)
        return rc;
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
             web_cookie_name(req), token,
             req->secure || is_loopback(req->address) ? "; Secure" : "");
    web_header_add(req, "Set-Cookie", cookie);
    str_copy(req->session, sizeof req->session, token);
    str_copy(req->csrf, sizeof req->csrf, csrf);
    req->user = *u;
    req->role = role_bit(u->role);
    return 0;
}

static void session_clear_cookie(web_req *req)
{
    char cookie[200];

    snprintf(cookie, sizeof cookie,
             "%s=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0%s",
             web_cookie_name(req),
             req->secure || is_loopback(req->address) ? "; Secure" : "");
    web_header_add(req, "Set-Cookie", cookie);
}

/* ---- throttling ---- */

#define THROTTLE_SLOTS        4096
/* Failures before delays start: per account, and per address (higher,
 * since an office may share one address). */
#define THROTTLE_FREE_ACCOUNT 5
#define THROTTLE_FREE_ADDRESS 20

typedef struct throttle_slot {
    char key[200];
    int failures;
    int64_t until; /* no attempts before this time */
    int64_t last;
} throttle_slot;

static throttle_slot throttle[THROTTLE_SLOTS];
static pthread_mutex_t throttle_mu = PTHREAD_MUTEX_INITIALIZER;

static throttle_slot *throttle_find(const char *key, int create)
{
    unsigned h = 5381;
    throttle_slot *oldest = NULL;

    for (const char *p = key; *p; p++)
        h = h * 33 + (unsigned char)*p;
    /* Small open-addressing window; the oldest slot is reused. */
    for (unsigned i = 0; i < 8; i++) {
        throttle_slot *s = &throttle[(h + i) % THROTTLE_SLOTS];
        if (!strcmp(s->key, key))
            return s;
        if (!oldest || s->last < oldest->last)
            oldest = s;
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof *oldest);
    str_copy(oldest->key, sizeof oldest->key, key);
    return oldest;
}

/* Seconds to wait before another attempt for key, 0 if allowed. */
static int64_t throttle_wait(const char *key, int64_t now)
{
    throttle_slot *s;
    int64_t wait = 0;

    pthread_mutex_lock(&throttle_mu);
    s = throttle_find(key, 0);
    if (s && s->until > now)
        wait = s->until - now;
    pthread_mutex_unlock(&throttle_mu);
    return wait;
}

static void throttle_fail(const char *key, int free_failures, int64_t now)
{
    throttle_slot *s;

    pthread_mutex_lock(&throttle_mu);
    s = throttle_find(key, 1);
    s->failures++;
    s->last = now;
    if (s->failures >= free_failures) {
        /* 15 s, then doubling up to 15 minutes. */
        int shift = s->failures - free_failures;
        int64_t delay = shift > 6 ? 900 : (int64_t)15 << shift;
        s->until = now + (delay > 900 ? 900 : delay);
    }
    pthread_mutex_unlock(&throttle_mu);
}

static void throttle_reset(const char *key)
{
    throttle_slot *s;

    pthread_mutex_lock(&throttle_mu);
    s = throttle_find(key, 0);
    if (s)
        memset(s, 0, sizeof *s);
    pthread_mutex_unlock(&throttle_mu);
}

/* ---- pages ---- */

static void signin_form(web_req *req, const char *email, const char *next,
                        const char *error)
{
    buf *o = &req->out;

    page_begin(req, "Sign in");
    buf_puts(o, "<section class=\"card narrow\"><h1>Sign in to docket</h1>");
    if (error) {
        buf_puts(o, "<div class=\"alert error\" role=\"alert\">");
        buf_append_html(o, error);
        buf_puts(o, "</div>");
    }
    buf_puts(o, "<form method=\"post\" action=\"/signin\" class=\"stack\">"
                "<input type=\"hidden\" name=\"next\" value=\"");
    buf_append_html(o, next ? next : "/");
    buf_puts(o, "\"><div class=\"field\"><label for=\"email\">E-mail</label>"
                "<input id=\"email\" name=\"email\" type=\"email\" "
                "autocomplete=\"username\" required autofocus value=\"");
    buf_append_html(o, email ? email : "");
    buf_puts(o, "\"></div><div class=\"field\"><label for=\"password\">"
                "Password</label><input id=\"password\" name=\"password\" "
                "type=\"password\" autocomplete=\"current-password\" "
                "required></div><button class=\"button primary\" "
                "type=\"submit\">Sign in</button></form>"
                "<p class=\"muted\"><a href=\"/reset\">Forgot your "
                "password?</a></p></section>");
    page_end(req);
}

void page_signin_form(web_req *req)
{
    if (req->user.id) {
        web_redirect(req, "/");
        return;
    }
    signin_form(req, NULL, web_query(req, "next"), NULL);
}

void page_signin(web_req *req)
{
    const char *email = web_field_get(req, "email");
    const char *password = web_field_get(req, "password");
    const char *next = web_field_get(req, "next");
    char akey[300], ikey[100];
    int64_t now = time_now(), wait;
    registry_user u;
    errmsg err = {0};

    if (!email || !password) {
        req->status = 422;
        signin_form(req, email, next, "Enter your e-mail and password.");
        return;
    }
    if (strlen(email) > 254 || strlen(password) > 4 * 128) {
        req->status = 422;
        signin_form(req, NULL, next, "Wrong e-mail or password.");
        return;
    }
    snprintf(akey, sizeof akey, "acct:%s", email);
    str_lower(akey);
    snprintf(ikey, sizeof ikey, "addr:%s", req->address);
    wait = throttle_wait(akey, now);
    if (throttle_wait(ikey, now) > wait)
        wait = throttle_wait(ikey, now);
    if (wait > 0) {
        char secs[32];
        snprintf(secs, sizeof secs, "%lld", (long long)wait);
        web_header_add(req, "Retry-After", secs);
        log_warn("signin: throttled %s from %s (%llds)", email, req->address,
                 (long long)wait);
        registry_audit(req->reg, 0, email, "signin.throttled", email, "",
                       req->address);
        req->status = 429;
        signin_form(req, email, next,
                    "Too many attempts. Wait a little and try again.");
        return;
    }
    if (registry_user_authenticate(req->reg, &u, email, password, &err) < 0) {
        throttle_fail(akey, THROTTLE_FREE_ACCOUNT, now);
        throttle_fail(ikey, THROTTLE_FREE_ADDRESS, now);
        log_warn("signin: failed for %s from %s", email, req->address);
        registry_audit(req->reg, 0, email, "signin.failure", email, "",
                       req->address);
        req->status = 401;
        signin_form(req, email, next, "Wrong e-mail or password.");
        return;
    }
    throttle_reset(akey);
    if (web_session_start(req, &u, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    registry_audit(req->reg, u.id, u.email, "signin.success", u.email, "",
                   req->address);
    if (u.must_change_password) {
        page_flash_set(req, "Choose a new password to go on.");
        web_redirect(req, "/account#password");
        return;
    }
    web_redirect(req, next && next[0] == '/' ? next : "/");
}

void page_signout(web_req *req)
{
    if (req->session[0])
        registry_session_delete(req->reg, req->session, NULL);
    registry_audit(req->reg, req->user.id, req->user.email, "signout",
                   req->user.email, "", req->address);
    session_clear_cookie(req);
    web_redirect(req, "/signin");
}

void page_signout_all(web_req *req)
{
    errmsg err = {0};

    if (registry_session_delete_user(req->reg, req->user.id, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    registry_audit(req->reg, req->user.id, req->user.email, "signout.all",
                   req->user.email, "", req->address);
    session_clear_cookie(req);
    web_redirect(req, "/signin");
}
