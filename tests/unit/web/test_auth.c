/* Tests of web/auth.c: the CSRF check of state-changing requests (Origin
 * must name this server when sent, "null" and other sites are refused;
 * the session's 64-character token must come along, bearer-token
 * requests and signed-out visitors need none), the strict Origin/Referer
 * rule of the session-less posts, and the throttling of password guesses
 * and reset requests (free attempts, then delays that double up to a cap;
 * per account case-insensitively and per client address).
 *
 * The CSRF checks read headers from the libmicrohttpd connection, so those
 * cases are HTTP requests to a small MHD daemon on 127.0.0.1 (as in
 * test_router.c). A session or token look-up that fails in the database
 * is an error for the caller, never "signed out" (a damaged table). */
#include "fixture.h"
#include "web_int.h"
#include "mem.h"
#include "str.h"

#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static config cfg;
static int port;
static int got_rc, got_status;
static registry *ident_reg; /* for X-Test-Call: identify */

static const char *hdr(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v ? v : "";
}

/* X-Test-Who: anon | session | bearer; X-Test-Call: csrf | presession. */
static void check(struct MHD_Connection *conn, const char *url,
                  const char *method, const char *body, size_t len)
{
    web_req req;
    const char *who = hdr(conn, "X-Test-Who");

    (void)body;
    (void)len;
    memset(&req, 0, sizeof req);
    req.conn = conn;
    req.cfg = &cfg;
    req.method = method;
    req.path = xstrdup(url);
    str_copy(req.address, sizeof req.address, "127.0.0.1");
    req.role = ROLE_ANON;
    if (strcmp(who, "anon") != 0) {
        req.role = ROLE_PM;
        req.user.id = 7;
        str_copy(req.user.role, sizeof req.user.role, "pm");
        req.via_token = !strcmp(who, "bearer");
        if (!req.via_token)
            str_copy(req.csrf, sizeof req.csrf, TOKEN);
    }
    if (!strcmp(hdr(conn, "X-Test-Call"), "identify")) {
        errmsg err = {0};
        req.reg = ident_reg;
        got_rc = web_auth_identify(&req, &err);
        got_status = req.role; /* the role found */
        goto done;
    }
    if (!strcmp(hdr(conn, "X-Test-Call"), "presession"))
        got_rc = web_presession_check_or_reply(&req);
    else
        got_rc = web_csrf_check_or_reply(&req);
    got_status = req.status;
done:
    ufx_req_dispose(&req);
}

/* POST /api/v1/x with the given headers ("Name: value\r\n" each); the
 * check's result is in got_rc and got_status afterwards. host NULL sends
 * Host: 127.0.0.1:<port>. */
static void post(const char *call, const char *who, const char *headers)
{
    char h[1024];

    snprintf(h, sizeof h, "X-Test-Call: %s\r\nX-Test-Who: %s\r\n%s", call, who,
             headers ? headers : "");
    ufx_http("POST", "/api/v1/x", h, NULL, 0);
}

static void expect(int status)
{
    if (status) {
        assert_int_equal(got_rc, -1);
        assert_int_equal(got_status, status);
    } else {
        assert_int_equal(got_rc, 0);
    }
}

static void test_auth__csrf_token_of_the_session(void **state)
{
    char origin[80], h[300];

    (void)state;
    snprintf(origin, sizeof origin, "Origin: http://127.0.0.1:%d\r\n", port);
    /* the right token, with or without this server's Origin */
    post("csrf", "session", "X-CSRF-Token: " TOKEN "\r\n");
    expect(0);
    snprintf(h, sizeof h, "%sX-CSRF-Token: %s\r\n", origin, TOKEN);
    post("csrf", "session", h);
    expect(0);
    /* no token, a short one, one character off */
    post("csrf", "session", origin);
    expect(403);
    post("csrf", "session", "X-CSRF-Token: 0123\r\n");
    expect(403);
    post("csrf", "session",
         "X-CSRF-Token: "
         "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF"
         "\r\n");
    expect(403);
    post("csrf", "session", "X-CSRF-Token: " TOKEN "0\r\n");
    expect(403);
}

static void test_auth__csrf_origin(void **state)
{
    char h[300];

    (void)state;
    static const char *const foreign[] = {
        "Origin: null\r\n", "Origin: http://evil.example\r\n",
        "Origin: https://127.0.0.1\r\n",
        "Origin: http://127.0.0.1\r\n", /* port missing */
    };
    for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
        /* even with the right token */
        snprintf(h, sizeof h, "%sX-CSRF-Token: %s\r\n", foreign[i], TOKEN);
        post("csrf", "session", h);
        expect(403);
        /* and for bearer tokens and signed-out visitors too */
        post("csrf", "bearer", foreign[i]);
        expect(403);
        post("csrf", "anon", foreign[i]);
        expect(403);
    }
    /* https of this host is this server only behind a trusted proxy */
    snprintf(h, sizeof h,
             "Origin: https://127.0.0.1:%d\r\nX-CSRF-Token: %s\r\n", port,
             TOKEN);
    post("csrf", "session", h);
    expect(403);
    {
        char *saved = cfg.trusted_proxy, proxy[] = "127.0.0.9";
        cfg.trusted_proxy = proxy;
        post("csrf", "session", h);
        cfg.trusted_proxy = saved;
        expect(0);
    }
}

static void test_auth__csrf_exempt(void **state)
{
    (void)state;
    /* bearer tokens are not sent by browsers on their own */
    post("csrf", "bearer", NULL);
    expect(0);
    /* signed out: no session to ride on */
    post("csrf", "anon", NULL);
    expect(0);
}

static void test_auth__presession_origin_strict(void **state)
{
    char h[300];

    (void)state;
    /* neither Origin nor Referer: refused (before the token is looked at) */
    post("presession", "anon", NULL);
    expect(403);
    post("presession", "anon", "Origin: null\r\n");
    expect(403);
    post("presession", "anon", "Referer: http://evil.example/signin\r\n");
    expect(403);
    snprintf(h, sizeof h, "Referer: http://127.0.0.1:%d.evil.example/\r\n",
             port);
    post("presession", "anon", h);
    expect(403);
    /* this site's Referer passes the origin rule, then the missing form
       token refuses it all the same */
    snprintf(h, sizeof h, "Referer: http://127.0.0.1:%d/signin?next=/\r\n",
             port);
    post("presession", "anon", h);
    expect(403);
}

/* ---- throttling: no connection needed ---- */

static void addr(web_req *req, const char *a)
{
    memset(req, 0, sizeof *req);
    str_copy(req->address, sizeof req->address, a);
}

static void test_auth__guesses_per_account(void **state)
{
    web_req req, req2, clean;
    int64_t w;

    (void)state;
    addr(&req, "192.0.2.1");
    addr(&req2, "192.0.2.2");
    addr(&clean, "192.0.2.3");
    for (int i = 0; i < 4; i++) {
        web_guess_failed(&req, "ann@acme.example");
        assert_int_equal(web_guess_wait(&req, "ann@acme.example"), 0);
    }
    web_guess_failed(&req, "ann@acme.example"); /* the fifth */
    w = web_guess_wait(&req, "ann@acme.example");
    assert_true(w > 0 && w <= 15);
    /* the same account in any case, from any address */
    assert_true(web_guess_wait(&clean, "ANN@Acme.Example") > 0);
    /* another account from the same address is not held */
    assert_int_equal(web_guess_wait(&req, "bob@acme.example"), 0);
    /* doubling: 15, 30, 60, 120, 240, 480, then the 900 s cap */
    for (int i = 0; i < 5; i++)
        web_guess_failed(&req, "ann@acme.example");
    w = web_guess_wait(&clean, "ann@acme.example");
    assert_true(w > 240 && w <= 480);
    /* (from a second address: the first stays below its own limit) */
    for (int i = 0; i < 10; i++)
        web_guess_failed(&req2, "ann@acme.example");
    w = web_guess_wait(&clean, "ann@acme.example");
    assert_true(w > 450 && w <= 900);
    /* a right password clears the account */
    web_guess_passed(&clean, "Ann@acme.example");
    assert_int_equal(web_guess_wait(&clean, "ann@acme.example"), 0);
}

static void test_auth__guesses_per_address(void **state)
{
    web_req req, other;
    char email[64];

    (void)state;
    addr(&req, "198.51.100.7");
    addr(&other, "198.51.100.8");
    /* 20 wrong guesses from one address, each for another account */
    for (int i = 0; i < 19; i++) {
        snprintf(email, sizeof email, "u%d@x.example", i);
        web_guess_failed(&req, email);
        assert_int_equal(web_guess_wait(&req, "new@x.example"), 0);
    }
    web_guess_failed(&req, "u19@x.example");
    assert_true(web_guess_wait(&req, "new@x.example") > 0);
    /* another address is not held */
    assert_int_equal(web_guess_wait(&other, "new@x.example"), 0);
}

static void test_auth__reset_requests(void **state)
{
    web_req req, other;
    int64_t w;

    (void)state;
    addr(&req, "203.0.113.5");
    addr(&other, "203.0.113.6");
    /* three requests for one e-mail go through, the fourth waits */
    for (int i = 0; i < 3; i++)
        assert_int_equal(web_reset_take(&req, "cy@acme.example"), 0);
    w = web_reset_take(&req, "CY@acme.example");
    assert_true(w > 0 && w <= 300);
    /* from another address too: the e-mail is what is protected */
    assert_true(web_reset_take(&other, "cy@acme.example") > 0);
    /* another e-mail is not held */
    assert_int_equal(web_reset_take(&req, "dee@acme.example"), 0);
}

/* Overwrites every page that the b-trees of table (the table and its
 * indexes) start on, in a database no connection has open. */
static void damage_table(const char *path, const char *table)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t roots[8];
    int n = 0, psize = 0;
    FILE *f;
    char junk[65536];

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    psize = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT rootpage FROM sqlite_schema WHERE"
                           " tbl_name = ?1 AND rootpage > 0",
                           -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while (n < 8 && sqlite3_step(st) == SQLITE_ROW)
        roots[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(n > 0 && psize > 0 && psize <= (int)sizeof junk);
    memset(junk, 0xa5, sizeof junk);
    f = fopen(path, "r+b");
    assert_non_null(f);
    for (int i = 0; i < n; i++) {
        assert_int_equal(fseek(f, (long)((roots[i] - 1) * psize), SEEK_SET), 0);
        assert_int_equal(fwrite(junk, 1, (size_t)psize, f), (size_t)psize);
    }
    fclose(f);
}

/* A database that fails while a session or API token is looked up is an
 * error for the caller to answer, never "signed out". */
static void test_auth__identify_failed_read_is_an_error(void **state)
{
    char dir[256], path[600], cookie[300], bearer[300], tok[65], csrf[65],
        btok[80];
    registry *reg = NULL;
    errmsg err = {0};
    int64_t uid = 0, tid = 0;

    (void)state;
    ufx_tmpdir(dir, sizeof dir, "auth");
    snprintf(path, sizeof path, "%s/d.db", dir);
    assert_int_equal(registry_open(&reg, path, 0, &err), 0);
    assert_int_equal(registry_user_add(reg, &uid, "ops@x.example", "Ops", "ops",
                                       NULL, "correct horse battery", &err),
                     0);
    assert_int_equal(
        registry_session_create(reg, tok, csrf, uid, "127.0.0.1", &err), 0);
    assert_int_equal(registry_token_create(reg, btok, &tid, uid, "t", &err), 0);
    snprintf(cookie, sizeof cookie, "Cookie: __Host-docket=%s; docket=%s\r\n",
             tok, tok);
    snprintf(bearer, sizeof bearer, "Authorization: Bearer %s\r\n", btok);

    /* intact: both name the user */
    ident_reg = reg;
    post("identify", "anon", cookie);
    assert_int_equal(got_rc, 0);
    assert_int_equal(got_status, ROLE_OPS);
    post("identify", "anon", bearer);
    assert_int_equal(got_rc, 0);
    assert_int_equal(got_status, ROLE_OPS);
    /* an unknown token is simply signed out */
    post("identify", "anon", "Authorization: Bearer dkt_nothing\r\n");
    assert_int_equal(got_rc, 0);
    assert_int_equal(got_status, ROLE_ANON);

    /* damaged sessions and api_tokens: the reads fail */
    registry_close(reg);
    damage_table(path, "sessions");
    damage_table(path, "api_tokens");
    assert_int_equal(registry_open(&reg, path, REGISTRY_NOCREATE, &err), 0);
    ident_reg = reg;
    post("identify", "anon", cookie);
    assert_true(got_rc < 0);
    assert_true(got_rc != ERR_NOTFOUND);
    assert_int_equal(got_status, ROLE_ANON);
    post("identify", "anon", bearer);
    assert_true(got_rc < 0);
    assert_true(got_rc != ERR_NOTFOUND);
    /* no credentials at all needs no read */
    post("identify", "anon", NULL);
    assert_int_equal(got_rc, 0);
    registry_close(reg);
    ident_reg = NULL;
    ufx_rmtree(dir);
}

static int up(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    cfg_init(&cfg);
    ufx_http_start(check);
    port = ufx_http_port();
    return 0;
}

static int down(void **state)
{
    (void)state;
    ufx_http_stop();
    cfg_dispose(&cfg);
    return 0;
}

UFX_MAIN_GROUP(up, down, cmocka_unit_test(test_auth__csrf_token_of_the_session),
               cmocka_unit_test(test_auth__csrf_origin),
               cmocka_unit_test(test_auth__csrf_exempt),
               cmocka_unit_test(test_auth__presession_origin_strict),
               cmocka_unit_test(test_auth__guesses_per_account),
               cmocka_unit_test(test_auth__guesses_per_address),
               cmocka_unit_test(test_auth__reset_requests),
               cmocka_unit_test(test_auth__identify_failed_read_is_an_error))
