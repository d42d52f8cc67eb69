/* auth.c: who is asking. Session cookies (tokens stored hashed by
 * registry/accounts.c), bearer API tokens, the trusted proxy header, the
 * CSRF check of every state-changing request, the pre-session CSRF check
 * of the sign-in and reset forms, the temporary-password gate, and
 * throttling of password guesses and reset requests (per account and per
 * address, growing delays, kept in memory). */
#include "web_int.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A stored role that is not one of ours is treated as signed out. */
static int role_of(const char *role)
{
    docket_role bit = registry_role_bit(role);

    return bit ? (int)bit : ROLE_ANON;
}

/* The role of a person signed in by a session or the proxy header: a
 * service account signs in with its API tokens only, so on these paths it
 * is treated as signed out. */
static int person_role_of(const char *role)
{
    int bit = role_of(role);

    return bit == ROLE_SERVICE ? ROLE_ANON : bit;
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

/* After a failed look-up of a token, proxy user or session: a missing one
 * leaves the request signed out (0); a failed read is the caller's error
 * to answer, never "signed out" (a busy database must not sign anyone
 * out or look like a wrong token). */
static int identify_failed(int rc, const errmsg *err, errmsg *out)
{
    if (rc == 0 || rc == ERR_NOTFOUND)
        return 0;
    if (out)
        *out = *err;
    return rc;
}

int web_auth_identify(web_req *req, errmsg *out)
{
    const char *authz = web_header(req, "Authorization");
    const char *cookie;
    errmsg err = {0};
    int rc;

    req->role = ROLE_ANON;
    memset(&req->user, 0, sizeof req->user);
    if (authz && !str_ncasecmp(authz, "Bearer ", 7)) {
        rc = registry_token_lookup(req->reg, &req->user, authz + 7, &err);
        if (rc == 0) {
            req->via_token = 1;
            req->role = role_of(req->user.role);
            return 0;
        }
        memset(&req->user, 0, sizeof req->user);
        return identify_failed(rc, &err, out);
    }
    if (*req->cfg->trusted_proxy &&
        !strcmp(req->address, req->cfg->trusted_proxy)) {
        const char *who = web_header(req, req->cfg->trusted_user_header);
        if (who && *who) {
            rc = registry_user_find(req->reg, &req->user, who, &err);
            if (rc == 0 && req->user.active &&
                person_role_of(req->user.role) != ROLE_ANON) {
                req->role = role_of(req->user.role);
                req->via_token = 1; /* no cookie session: CSRF by Origin */
                return 0;
            }
            memset(&req->user, 0, sizeof req->user);
            return identify_failed(rc, &err, out);
        }
    }
    cookie = web_cookie(req, web_cookie_name(req));
    if (!cookie || strlen(cookie) != 64)
        return 0;
    rc = registry_session_lookup(
        req->reg, &req->user, req->csrf, cookie,
        (int64_t)req->cfg->session_idle_minutes * 60,
        (int64_t)req->cfg->session_lifetime_hours * 3600, &err);
    if (rc == 0 && person_role_of(req->user.role) != ROLE_ANON) {
        str_copy(req->session, sizeof req->session, cookie);
        req->role = role_of(req->user.role);
        return 0;
    }
    memset(&req->user, 0, sizeof req->user);
    req->csrf[0] = '\0';
    return identify_failed(rc, &err, out);
}

/* origin ("scheme://host[:port]", n bytes) names this server: scheme and
 * Host of the request. */
static int origin_matches(web_req *req, const char *origin, size_t n)
{
    const char *host = web_header(req, "Host");
    char want[300];

    if (!host)
        return 0;
    snprintf(want, sizeof want, "%s://%s", req->secure ? "https" : "http",
             host);
    if (strlen(want) == n && !strncmp(origin, want, n))
        return 1;
    /* Behind a TLS-terminating proxy the browser says https. */
    snprintf(want, sizeof want, "https://%s", host);
    return *req->cfg->trusted_proxy && strlen(want) == n &&
           !strncmp(origin, want, n);
}

/* Origin, when sent, must name this server ("null" does not). */
static int origin_ok(web_req *req)
{
    const char *origin = web_header(req, "Origin");

    if (!origin)
        return 1; /* non-browser clients; the token still decides */
    return origin_matches(req, origin, strlen(origin));
}

/* For posts without a session: Origin must name this server, or, when a
 * browser sends no Origin, the Referer must. Neither: refused. */
static int origin_strict_ok(web_req *req)
{
    const char *origin = web_header(req, "Origin");
    const char *referer, *p;

    if (origin)
        return origin_matches(req, origin, strlen(origin));
    referer = web_header(req, "Referer");
    p = referer ? strstr(referer, "://") : NULL;
    if (!p)
        return 0;
    p += 3;
    return origin_matches(req, referer,
                          (size_t)(p - referer) + strcspn(p, "/?#"));
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

/* ---- pre-session CSRF: the sign-in and reset forms ---- */

/* The forms' token is an HMAC of the browser's random pre-session cookie
 * under a key made at start-up: another site can neither read the cookie
 * nor compute a token for one it sets. A restart makes open forms stale
 * (they are refused with "reload the page"). */
static unsigned char pre_key[crypto_auth_hmacsha256_KEYBYTES];
static pthread_once_t pre_once = PTHREAD_ONCE_INIT;

static void pre_key_init(void)
{
    crypto_auth_hmacsha256_keygen(pre_key);
}

static const char *pre_cookie_name(const web_req *req)
{
    return req->secure || is_loopback(req->address) ? "__Host-docket_pre"
                                                    : "docket_pre";
}

static int pre_nonce_ok(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* out (65 bytes): hex HMAC-SHA256 of the cookie's nonce. */
static void pre_token(char *out, const char *nonce)
{
    static const char label[] = "docket pre-session form:";
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;

    pthread_once(&pre_once, pre_key_init);
    crypto_auth_hmacsha256_init(&st, pre_key, sizeof pre_key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)label,
                                  sizeof label - 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)nonce,
                                  strlen(nonce));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

void page_presession_input(web_req *req)
{
    const char *nonce = web_cookie(req, pre_cookie_name(req));
    char fresh[65], token[65], cookie[200];

    if (!pre_nonce_ok(nonce)) {
        registry_random_hex(fresh, 32);
        snprintf(cookie, sizeof cookie,
                 "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
                 pre_cookie_name(req), fresh,
                 req->secure || is_loopback(req->address) ? "; Secure" : "");
        web_header_add(req, "Set-Cookie", cookie);
        nonce = fresh;
    }
    pre_token(token, nonce);
    buf_puts(&req->out, "<input type=\"hidden\" name=\"csrf\" value=\"");
    buf_puts(&req->out, token);
    buf_puts(&req->out, "\">");
}

int web_presession_check_or_reply(web_req *req)
{
    const char *nonce = web_cookie(req, pre_cookie_name(req));
    const char *token = web_field_get(req, "csrf");
    char want[65];

    if (!origin_strict_ok(req)) {
        log_warn("csrf: %s %s from %s without this site's Origin or "
                 "Referer refused",
                 req->method, req->path, req->address);
        web_reply_error(req, 403, "Cross-site request refused.");
        return -1;
    }
    if (pre_nonce_ok(nonce) && token && strlen(token) == 64) {
        pre_token(want, nonce);
        if (sodium_memcmp(want, token, 64) == 0)
            return 0;
    }
    log_warn("csrf: bad or missing form token on %s %s from %s", req->method,
             req->path, req->address);
    web_reply_error(req, 403,
                    "This form has expired or did not come from docket. "
                    "Reload the page and try again.");
    return -1;
}

/* ---- the temporary-password gate ---- */

int web_password_gate_or_reply(web_req *req, const web_route *route)
{
    static const web_handler open[] = {
        page_account, page_password_change, page_signout,     page_signout_all,
        page_static,  page_healthz,         page_signin_form, page_signin};

    /* Bearer tokens and the proxy's word are not the temporary password. */
    if (!req->user.id || !req->user.must_change_password || req->via_token)
        return 0;
    for (size_t i = 0; i < sizeof open / sizeof *open; i++)
        if (route->handler == open[i])
            return 0;
    if ((route->flags & WEB_JSON) || str_startswith(req->path, "/api/")) {
        web_reply_error(req, 403,
                        "Choose a new password first: this account has a "
                        "temporary password, and nothing else opens until "
                        "it is changed on the account page (/account).");
        return -1;
    }
    /* The password card says why, as a warning (a flash would read as
       a success). */
    web_redirect(req, "/account#password");
    return -1;
}

int web_session_start(web_req *req, const registry_user *u, errmsg *err)
{
    char token[65], csrf[65], cookie[200];
    int rc;

    /* A new token at every sign-in; the old session (if any) ends. */
    rc = req->session[0] ? registry_session_delete(req->reg, req->session, err)
                         : 0;
    if (rc < 0)
        return rc;
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
    req->role = role_of(u->role);
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

#define THROTTLE_SLOTS  4096
/* Failures are forgotten after an hour without any (and no delay left). */
#define THROTTLE_FORGET 3600

/* Free attempts before delays start, then base seconds doubling up to
 * cap. */
typedef struct throttle_rule {
    int free;
    int64_t base;
    int64_t cap;
} throttle_rule;

/* Password guesses (sign-in and password change) per account, and per
 * address (higher, since an office may share one address). */
static const throttle_rule guess_account = {5, 15, 900};
static const throttle_rule guess_address = {20, 15, 900};
/* Reset requests per e-mail address asked for (known or not, so the
 * answer tells nothing), and per client address. */
static const throttle_rule reset_email = {3, 300, 3600};
static const throttle_rule reset_address = {20, 60, 3600};

typedef struct throttle_slot {
    char key[300];
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

/* Seconds to wait before another attempt for key, 0 if allowed. Call
 * with throttle_mu held. */
static int64_t throttle_wait_locked(const char *key, int64_t now)
{
    throttle_slot *s = throttle_find(key, 0);

    return s && s->until > now ? s->until - now : 0;
}

static int64_t throttle_wait(const char *key, int64_t now)
{
    int64_t wait;

    pthread_mutex_lock(&throttle_mu);
    wait = throttle_wait_locked(key, now);
    pthread_mutex_unlock(&throttle_mu);
    return wait;
}

/* Counts one attempt for key. Call with throttle_mu held. */
static void throttle_fail_locked(const char *key, const throttle_rule *rule,
                                 int64_t now)
{
    throttle_slot *s = throttle_find(key, 1);

    if (s->last && s->until <= now && now - s->last > THROTTLE_FORGET)
        s->failures = 0;
    s->failures++;
    s->last = now;
    if (s->failures >= rule->free) {
        /* base, then doubling up to cap. */
        int shift = s->failures - rule->free;
        int64_t delay = shift > 16 ? rule->cap : rule->base << shift;
        s->until = now + (delay > rule->cap ? rule->cap : delay);
    }
}

static void throttle_fail(const char *key, const throttle_rule *rule,
                          int64_t now)
{
    pthread_mutex_lock(&throttle_mu);
    throttle_fail_locked(key, rule, now);
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

static void guess_keys(web_req *req, const char *email, char *akey,
                       size_t asize, char *ikey, size_t isize)
{
    snprintf(akey, asize, "acct:%s", email);
    str_lower(akey);
    snprintf(ikey, isize, "addr:%s", req->address);
}

int64_t web_guess_wait(web_req *req, const char *email)
{
    char akey[300], ikey[100];
    int64_t now = time_now(), wait, w2;

    guess_keys(req, email, akey, sizeof akey, ikey, sizeof ikey);
    wait = throttle_wait(akey, now);
    w2 = throttle_wait(ikey, now);
    return w2 > wait ? w2 : wait;
}

void web_guess_failed(web_req *req, const char *email)
{
    char akey[300], ikey[100];
    int64_t now = time_now();

    guess_keys(req, email, akey, sizeof akey, ikey, sizeof ikey);
    throttle_fail(akey, &guess_account, now);
    throttle_fail(ikey, &guess_address, now);
}

void web_guess_passed(web_req *req, const char *email)
{
    char akey[300], ikey[100];

    guess_keys(req, email, akey, sizeof akey, ikey, sizeof ikey);
    throttle_reset(akey);
}

int64_t web_reset_take(web_req *req, const char *email)
{
    char ekey[300], ikey[100];
    int64_t now = time_now(), wait, w2;

    snprintf(ekey, sizeof ekey, "reset:%s", email);
    str_lower(ekey);
    snprintf(ikey, sizeof ikey, "resetaddr:%s", req->address);
    /* Check and count under one lock: parallel requests cannot all pass. */
    pthread_mutex_lock(&throttle_mu);
    wait = throttle_wait_locked(ekey, now);
    w2 = throttle_wait_locked(ikey, now);
    if (w2 > wait)
        wait = w2;
    if (!wait) {
        throttle_fail_locked(ekey, &reset_email, now);
        throttle_fail_locked(ikey, &reset_address, now);
    }
    pthread_mutex_unlock(&throttle_mu);
    return wait;
}

int web_throttled(web_req *req, int64_t wait, const char *what, const char *who)
{
    char secs[32];

    if (wait <= 0)
        return 0;
    snprintf(secs, sizeof secs, "%lld", (long long)wait);
    web_header_add(req, "Retry-After", secs);
    if (who)
        log_warn("%s: throttled %s from %s (%llds)", what, who, req->address,
                 (long long)wait);
    else
        log_warn("%s: throttled a request from %s (%llds)", what, req->address,
                 (long long)wait);
    req->status = 429;
    return 1;
}

/* ---- pages ---- */

static void signin_form(web_req *req, const char *email, const char *next,
                        const char *error)
{
    buf *o = &req->out;

    page_begin(req, "Sign in");
    buf_puts(o, "<section class=\"card narrow\"><h1>Sign in to docket</h1>");
    page_alert(req, "error", error);
    buf_puts(o, "<form method=\"post\" action=\"/signin\" class=\"stack\">");
    page_presession_input(req);
    buf_puts(o, "<input type=\"hidden\" name=\"next\" value=\"");
    buf_append_html(o, next && str_local_path_ok(next) ? next : "/");
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
    int64_t wait;
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
    wait = web_guess_wait(req, email);
    if (web_throttled(req, wait, "signin", email)) {
        registry_audit(req->reg, 0, email, "signin.throttled", email, "",
                       req->address);
        signin_form(req, email, next,
                    "Too many attempts. Wait a little and try again.");
        return;
    }
    if (registry_user_authenticate(req->reg, &u, email, password, &err) < 0) {
        if (err.code != ERR_INVALID) {
            /* The database failed: not a wrong guess. */
            web_reply_err(req, &err);
            return;
        }
        web_guess_failed(req, email);
        log_warn("signin: failed for %s from %s", email, req->address);
        registry_audit(req->reg, 0, email, "signin.failure", email, "",
                       req->address);
        req->status = 401;
        signin_form(req, email, next, "Wrong e-mail or password.");
        return;
    }
    web_guess_passed(req, email);
    if (web_session_start(req, &u, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    registry_audit(req->reg, u.id, u.email, "signin.success", u.email, "",
                   req->address);
    if (u.must_change_password) {
        /* No flash: the password card says why, as a warning. */
        web_redirect(req, "/account#password");
        return;
    }
    web_redirect(req, next && str_local_path_ok(next) ? next : "/");
}

/* After ending sessions (rc, err): audited as action, the cookie cleared
 * and on to the sign-in page; a session that could not be ended is not
 * reported as signed out (the error is answered). */
static void signed_out(web_req *req, int rc, const errmsg *err,
                       const char *action)
{
    if (rc < 0) {
        web_reply_err(req, err);
        return;
    }
    registry_audit(req->reg, req->user.id, req->user.email, action,
                   req->user.email, "", req->address);
    session_clear_cookie(req);
    web_redirect(req, "/signin");
}

void page_signout(web_req *req)
{
    errmsg err = {0};
    int rc = req->session[0]
                 ? registry_session_delete(req->reg, req->session, &err)
                 : 0;

    signed_out(req, rc, &err, "signout");
}

void page_signout_all(web_req *req)
{
    errmsg err = {0};
    int rc = registry_session_delete_user(req->reg, req->user.id, &err);

    signed_out(req, rc, &err, "signout.all");
}
