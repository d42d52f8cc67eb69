/* Account security against the real server: sign-in and reset forms
 * refuse posts from other sites (Origin/Referer and a pre-session token
 * bound to a cookie), "next" stays on this site, a temporary password
 * blocks every route but the password change, reset links are throttled
 * and die together, the reset answer never waits for the database, and a
 * password change is throttled, ends the other sessions and offers to
 * revoke every API token. One server for the group, a user of its own
 * per test; throttles live in the server's memory, so the two tests that
 * use up the per-address reset allowance start a server of their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"
#include "web_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PW "correct horse battery"

/* ---- helpers ---- */

/* POSTs body (+ "&csrf=token" when token is not NULL) to path with the
 * cookie (may be "") and one extra header line (may be NULL). */
static void post_raw(h_resp *r, h_server *s, const char *cookie,
                     const char *extra, const char *path, const char *body,
                     const char *token)
{
    char full[4096], ck[400];
    const char *hdrs[3] = {NULL, NULL, NULL};
    int n = 0;

    snprintf(full, sizeof full, "%s%s%s", body, token ? "&csrf=" : "",
             token ? token : "");
    if (cookie && *cookie) {
        snprintf(ck, sizeof ck, "Cookie: %s", cookie);
        hdrs[n++] = ck;
    }
    if (extra)
        hdrs[n++] = extra;
    h_request(r, s, NULL, "POST", path, "application/x-www-form-urlencoded",
              full, strlen(full), hdrs);
}

static long signin_status(h_server *s, const char *email, const char *pw,
                          char *location, size_t size)
{
    h_resp r;
    char body[600];
    long st;

    snprintf(body, sizeof body, "email=%s&password=", h_urlenc(email));
    strncat(body, h_urlenc(pw), sizeof body - strlen(body) - 1);
    h_browser_post(&r, s, "/signin", "/signin", body);
    st = r.status;
    if (location && !h_resp_header(&r, "Location", location, size))
        location[0] = '\0';
    h_resp_free(&r);
    return st;
}

/* The newest reset link's token for email from the outbox payloads ("" if
 * none). */
static void last_reset_token(h_server *s, const char *email, char *out)
{
    char like[300];

    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    out[0] = '\0';
    if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("open %s", s->db);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db,
                           "SELECT payload FROM events WHERE event ="
                           " 'account.reset' AND payload LIKE ?"
                           " ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s", sqlite3_errmsg(db));
    snprintf(like, sizeof like, "%%\"recipient\":\"%s\"%%", email);
    sqlite3_bind_text(st, 1, like, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *p =
            strstr((const char *)sqlite3_column_text(st, 0), "/reset/");
        if (p)
            snprintf(out, 65, "%.64s", p + 7);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits (at most 20 s) until the query answers at least want. */
static int64_t wait_for_count(h_server *s, const char *sql, int64_t want)
{
    int64_t v = -1;

    for (int i = 0; i < 200; i++) {
        v = h_db_int(s, sql);
        if (v >= want)
            break;
        sleep_ms(100);
    }
    return v;
}

/* Reset requests for email the server has finished (written the link,
 * or recorded that no account has the address). */
static int64_t resets_done(h_server *s, const char *email, int64_t want)
{
    char sql[400];

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE action IN"
             " ('password.reset.sent', 'password.reset.unknown')"
             " AND target = '%s'",
             email);
    return wait_for_count(s, sql, want);
}

static int64_t count_for(h_server *s, const char *fmt, const char *email)
{
    char sql[600];

    snprintf(sql, sizeof sql, fmt, email);
    return h_db_int(s, sql);
}

#define OF_USER "(SELECT id FROM users WHERE email = '%s')"

static const char mail_config[] = "[notify]\nallow_private = true\n"
                                  "[channel.mail]\ntype = email\n"
                                  "smtp_url = smtp://127.0.0.1:9\n"
                                  "starttls = false\n"
                                  "from = docket <docket@example.com>\n"
                                  "to = recipient\n"
                                  "[route]\naccount.reset = mail\n";

/* The group's server and the users of its tests. */
static h_server srv;

static void server_with_users(h_server *s, const char *const *users)
{
    h_server_start(s, mail_config);
    assert_int_equal(h_docket(s, NULL, NULL, "org", "add", "acme", NULL), 0);
    for (size_t i = 0; users[i]; i++) {
        int admin = strstr(users[i], "@platform.") != NULL;
        h_user(s, users[i], "Test User", admin ? "admin" : "client",
               admin ? NULL : "acme", PW);
    }
}

static void server_done(h_server *s)
{
    h_server_stop(s);
    h_server_cleanup(s);
}

static int up(void **state)
{
    static const char *const users[] = {"xsite@acme.example",
                                        "token@acme.example",
                                        "resetform@acme.example",
                                        "next@acme.example",
                                        "temp@platform.example",
                                        "tempclient@acme.example",
                                        "links@acme.example",
                                        "wait@acme.example",
                                        "guess@acme.example",
                                        "sessions@acme.example",
                                        "boss@platform.example",
                                        "reset-by-admin@acme.example",
                                        NULL};

    (void)state;
    server_with_users(&srv, users);
    return 0;
}

static int down(void **state)
{
    (void)state;
    server_done(&srv);
    return 0;
}

static int64_t sessions_of(h_server *s, const char *email)
{
    return count_for(
        s, "SELECT count(*) FROM sessions WHERE user_id = " OF_USER, email);
}

/* ---- 2: login CSRF ---- */

static void test_security__signin_from_another_site_refused(void **state)
{
    h_resp r;
    h_session f;
    char origin[120], referer[140], body[300];
    const char *cross[] = {"Origin: https://evil.example", "Origin: null",
                           "Referer: https://evil.example/login", NULL};

    (void)state;
    snprintf(body, sizeof body, "email=xsite%%40acme.example&password=%s",
             h_urlenc(PW));
    h_form_get(&f, &srv, "/signin");
    assert_true(f.cookie[0]);
    assert_int_equal(strlen(f.csrf), 64);
    /* Another site auto-submitting (the attacker's) credentials. */
    for (int i = 0; cross[i]; i++) {
        post_raw(&r, &srv, f.cookie, cross[i], "/signin", body, f.csrf);
        if (r.status != 403)
            fail_msg("%s: %ld", cross[i], r.status);
        assert_null(strstr(r.headers, "docket="));
        h_resp_free(&r);
    }
    /* Neither Origin nor Referer: refused too. */
    post_raw(&r, &srv, f.cookie, NULL, "/signin", body, f.csrf);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    assert_int_equal(sessions_of(&srv, "xsite@acme.example"), 0);
    /* This site: by Origin, or by Referer when there is no Origin. */
    snprintf(origin, sizeof origin, "Origin: %s", srv.url);
    post_raw(&r, &srv, f.cookie, origin, "/signin", body, f.csrf);
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    snprintf(referer, sizeof referer, "Referer: %s/signin", srv.url);
    post_raw(&r, &srv, f.cookie, referer, "/signin", body, f.csrf);
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    assert_int_equal(sessions_of(&srv, "xsite@acme.example"), 2);
}

static void test_security__signin_needs_presession_token(void **state)
{
    h_resp r;
    h_session a, b;
    char origin[120], body[300];

    (void)state;
    snprintf(origin, sizeof origin, "Origin: %s", srv.url);
    snprintf(body, sizeof body, "email=token%%40acme.example&password=%s",
             h_urlenc(PW));
    h_form_get(&a, &srv, "/signin");
    h_form_get(&b, &srv, "/signin");
    assert_string_not_equal(a.cookie, b.cookie);
    /* No token, a forged one, another form's token, no cookie. */
    post_raw(&r, &srv, a.cookie, origin, "/signin", body, NULL);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    post_raw(
        &r, &srv, a.cookie, origin, "/signin", body,
        "0000000000000000000000000000000000000000000000000000000000000000");
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    post_raw(&r, &srv, a.cookie, origin, "/signin", body, b.csrf);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    post_raw(&r, &srv, "", origin, "/signin", body, a.csrf);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    /* A cookie value taken as its own token is no token either. */
    post_raw(&r, &srv, a.cookie, origin, "/signin", body,
             strchr(a.cookie, '=') + 1);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    assert_int_equal(sessions_of(&srv, "token@acme.example"), 0);
    post_raw(&r, &srv, a.cookie, origin, "/signin", body, a.csrf);
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    /* The form keeps the browser's cookie (a second tab still works). */
    {
        char ck[400];
        const char *hdrs[] = {ck, NULL};
        snprintf(ck, sizeof ck, "Cookie: %s", b.cookie);
        h_request(&r, &srv, NULL, "GET", "/signin", NULL, NULL, 0, hdrs);
        assert_null(strstr(r.headers, "docket_pre="));
        assert_non_null(strstr(r.body, b.csrf));
        h_resp_free(&r);
    }
}

static void test_security__reset_forms_refuse_other_sites(void **state)
{
    static const char email[] = "resetform@acme.example";
    h_resp r;
    h_session f;
    char token[80], path[120], body[200];

    (void)state;
    h_form_get(&f, &srv, "/reset");
    post_raw(&r, &srv, f.cookie, "Origin: https://evil.example", "/reset",
             "email=resetform%40acme.example", f.csrf);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    post_raw(&r, &srv, f.cookie, NULL, "/reset",
             "email=resetform%40acme.example", NULL);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    /* A real link, then a cross-site post of a new password to it. */
    h_browser_post(&r, &srv, "/reset", "/reset",
                   "email=resetform%40acme.example");
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    assert_int_equal(resets_done(&srv, email, 1), 1);
    assert_int_equal(count_for(&srv,
                               "SELECT count(*) FROM password_resets WHERE"
                               " user_id = " OF_USER,
                               email),
                     1);
    last_reset_token(&srv, email, token);
    assert_int_equal(strlen(token), 64);
    snprintf(path, sizeof path, "/reset/%s", token);
    h_form_get(&f, &srv, path);
    snprintf(body, sizeof body, "new=%s", h_urlenc("attacker chosen pw"));
    post_raw(&r, &srv, f.cookie, "Origin: null", path, body, f.csrf);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    assert_int_equal(count_for(&srv,
                               "SELECT count(*) FROM password_resets WHERE"
                               " used_at = 0 AND user_id = " OF_USER,
                               email),
                     1);
    assert_int_equal(signin_status(&srv, email, PW, NULL, 0), 303);
}

/* ---- 3: next stays on this site ---- */

static void test_security__next_after_signin_stays_on_this_site(void **state)
{
    /* Every shape is in tests/unit/core/test_local_path.c; here the ones
       of the report, through the real sign-in. */
    static const char *const bad[] = {
        "/\t/evil.example", "/%09/evil.example",   "//evil.example",
        "/%5Cevil.example", "/%252F/evil.example", "/requests%0d%0aX-Evil:1"};
    char loc[300], body[600];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        h_resp r;
        /* As the sign-in redirect carries it: already URL-encoded once. */
        snprintf(body, sizeof body,
                 "email=next%%40acme.example&password=%s&next=%s", h_urlenc(PW),
                 h_urlenc(bad[i]));
        h_browser_post(&r, &srv, "/signin", "/signin", body);
        assert_int_equal(r.status, 303);
        assert_true(h_resp_header(&r, "Location", loc, sizeof loc));
        if (strcmp(loc, "/") != 0)
            fail_msg("next=%s led to Location: %s", bad[i], loc);
        h_resp_free(&r);
    }
    {
        h_resp r;
        snprintf(body, sizeof body,
                 "email=next%%40acme.example&password=%s&next=%s", h_urlenc(PW),
                 h_urlenc("/requests?status=submitted#list"));
        h_browser_post(&r, &srv, "/signin", "/signin", body);
        assert_true(h_resp_header(&r, "Location", loc, sizeof loc));
        assert_string_equal(loc, "/requests?status=submitted#list");
        h_resp_free(&r);
    }
    /* The form does not carry a bad next either. */
    {
        h_get_expect(&srv, NULL, "/signin?next=/%09/evil.example", 200,
                     "!evil.example", NULL);
    }
}

/* ---- 4: a temporary password blocks everything else ---- */

static int open_while_temporary(const web_route *r)
{
    static const char *const open[] = {
        "GET /account",    "POST /account/password",
        "POST /signout",   "POST /account/signout-all",
        "GET /static/{*}", "GET /healthz",
        "GET /signin",     "POST /signin"};
    char key[300];

    snprintf(key, sizeof key, "%s %s", r->method, r->pattern);
    for (size_t i = 0; i < sizeof open / sizeof *open; i++)
        if (!strcmp(key, open[i]))
            return 1;
    return 0;
}

static void test_security__temporary_password_blocks_every_route(void **state)
{
    static const char email[] = "temp@platform.example";
    h_session sess;
    h_resp r;
    char loc[300], body[400];
    int walked = 0;
    int64_t tokens;

    (void)state;
    h_db_exec(&srv, "UPDATE users SET must_change_password = 1 WHERE email ="
                    " 'temp@platform.example'");
    assert_int_equal(signin_status(&srv, email, PW, loc, sizeof loc), 303);
    assert_string_equal(loc, "/account#password");
    assert_int_equal(h_signin(&sess, &srv, email, PW), 303);
    tokens = h_db_int(&srv, "SELECT count(*) FROM api_tokens");
    for (const web_route *const *t = web_route_tables(); *t; t++) {
        for (const web_route *rt = *t; rt->method; rt++) {
            char path[300];
            int json =
                (rt->flags & WEB_JSON) || !strncmp(rt->pattern, "/api/", 5);
            if (open_while_temporary(rt) || !(rt->roles & ROLE_ADMIN))
                continue; /* open, or 403 to an admin anyway */
            h_concrete_path(path, sizeof path, rt->pattern);
            if (!strcmp(rt->method, "GET"))
                h_get(&r, &srv, &sess, path);
            else if (rt->flags & WEB_RAWBODY)
                h_send_json(&r, &srv, &sess, NULL, rt->method, path, "{}");
            else
                h_post_form(&r, &srv, &sess, path, "label=x&name=x");
            if (json) {
                if (r.status != 403 || !strstr(r.body, "new password"))
                    fail_msg("%s %s: %ld %.200s", rt->method, path, r.status,
                             r.body);
            } else {
                if (r.status != 303 ||
                    !h_resp_header(&r, "Location", loc, sizeof loc) ||
                    strcmp(loc, "/account#password") != 0)
                    fail_msg("%s %s: %ld, expected 303 to the password form",
                             rt->method, path, r.status);
            }
            h_resp_free(&r);
            walked++;
        }
    }
    assert_true(walked >= 20);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM api_tokens"), tokens);
    /* What stays open: the account page (with the reason), assets. */
    h_get_expect(&srv, &sess, "/account", 200, "Choose a new password", NULL);
    h_get_expect(&srv, &sess, "/static/app.css", 200, NULL);
    h_get_expect(&srv, &sess, "/api/v1/me", 403, "\"error\"", NULL);
    /* The change opens everything. */
    snprintf(body, sizeof body,
             "current=%s&new=a+brand+new+password&confirm=a+brand+new+"
             "password",
             h_urlenc(PW));
    h_post_form(&r, &srv, &sess, "/account/password", body);
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    {
        static const char *const pages[] = {"/", "/requests", "/tables",
                                            "/requests/new", "/api/v1/me"};
        for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
            h_get(&r, &srv, &sess, pages[i]);
            if (r.status != 200)
                fail_msg("%s after the change: %ld", pages[i], r.status);
            h_resp_free(&r);
        }
    }
}

static void test_security__temporary_password_signout_works(void **state)
{
    static const char email[] = "tempclient@acme.example";
    h_session sess;
    h_resp r;

    (void)state;
    h_db_exec(&srv, "UPDATE users SET must_change_password = 1 WHERE email ="
                    " 'tempclient@acme.example'");
    assert_int_equal(h_signin(&sess, &srv, email, PW), 303);
    h_get_expect(&srv, &sess, "/requests/new", 303, NULL);
    h_post_form(&r, &srv, &sess, "/signout", "");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    assert_int_equal(sessions_of(&srv, email), 0);
}

/* An admin's new temporary password ends the user's sessions; the next
 * sign-in leads to the password form. */
static void test_security__admin_set_password_ends_sessions(void **state)
{
    static const char email[] = "reset-by-admin@acme.example";
    h_session user, admin;
    h_resp r;
    char path[100], loc[200];

    (void)state;
    assert_int_equal(h_signin(&user, &srv, email, PW), 303);
    assert_int_equal(h_signin(&admin, &srv, "boss@platform.example", PW), 303);
    snprintf(path, sizeof path, "/admin/users/%lld",
             (long long)count_for(&srv,
                                  "SELECT id FROM users WHERE email ="
                                  " '%s'",
                                  email));
    h_post_form(&r, &srv, &admin, path,
                "name=Test+User&role=client&org=acme&active=1&password="
                "temporary+pass+9");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    h_get_expect(&srv, &user, "/account", 303, NULL);
    assert_int_equal(sessions_of(&srv, email), 0);
    assert_int_equal(
        signin_status(&srv, email, "temporary pass 9", loc, sizeof loc), 303);
    assert_string_equal(loc, "/account#password");
    /* The admin's own session is untouched. */
    h_get_expect(&srv, &admin, "/admin/users", 200, NULL);
}

/* ---- 5: password reset ---- */

static void test_security__reset_throttled_per_address(void **state)
{
    static const char *const users[] = {"cleo@acme.example", NULL};
    h_server s;
    int ok = 0, throttled = 0;

    (void)state;
    server_with_users(&s, users);
    for (int i = 0; i < 30; i++) {
        h_resp r;
        h_browser_post(&r, &s, "/reset", "/reset", "email=cleo%40acme.example");
        if (r.status == 200)
            ok++;
        else if (r.status == 429)
            throttled++;
        else
            fail_msg("reset %d: %ld", i, r.status);
        h_resp_free(&r);
    }
    assert_true(ok >= 1 && ok <= 3);
    assert_int_equal(ok + throttled, 30);
    assert_int_equal(resets_done(&s, "cleo@acme.example", ok), ok);
    assert_int_equal(h_db_int(&s, "SELECT count(*) FROM events WHERE event ="
                                  " 'account.reset'"),
                     ok);
    assert_int_equal(h_db_int(&s, "SELECT count(*) FROM outbox"), ok);
    /* Only the newest link works. */
    assert_int_equal(h_db_int(&s, "SELECT count(*) FROM password_resets"
                                  " WHERE used_at = 0 AND expires_at >"
                                  " CAST(strftime('%s','now') AS INTEGER)"),
                     1);
    server_done(&s);
}

static void test_security__reset_throttled_per_client(void **state)
{
    static const char *const users[] = {NULL};
    h_server s;
    int ok = 0, throttled = 0;

    (void)state;
    server_with_users(&s, users);
    for (int i = 0; i < 40; i++) {
        h_resp r;
        char body[100];
        snprintf(body, sizeof body, "email=someone%d%%40acme.example", i);
        h_browser_post(&r, &s, "/reset", "/reset", body);
        if (r.status == 200)
            ok++;
        else if (r.status == 429)
            throttled++;
        h_resp_free(&r);
    }
    assert_true(ok < 40);
    assert_true(throttled > 0);
    assert_int_equal(ok + throttled, 40);
    server_done(&s);
}

static void test_security__reset_links_die_together(void **state)
{
    static const char email[] = "links@acme.example";
    h_session sess;
    h_resp r;
    char t1[80], t2[80], t3[80], path[120], body[300];

    (void)state;
    h_browser_post(&r, &srv, "/reset", "/reset", "email=links%40acme.example");
    h_resp_free(&r);
    assert_int_equal(resets_done(&srv, email, 1), 1);
    last_reset_token(&srv, email, t1);
    h_browser_post(&r, &srv, "/reset", "/reset", "email=links%40acme.example");
    h_resp_free(&r);
    assert_int_equal(resets_done(&srv, email, 2), 2);
    last_reset_token(&srv, email, t2);
    assert_string_not_equal(t1, t2);
    /* A new link invalidates the older one. */
    snprintf(path, sizeof path, "/reset/%s", t1);
    h_browser_post(&r, &srv, path, path, "new=first+new+password");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    /* Two valid links (as from an older version): using one kills both. */
    h_db_exec(&srv, "UPDATE password_resets SET expires_at ="
                    " CAST(strftime('%s','now') AS INTEGER) + 600 WHERE"
                    " user_id = (SELECT id FROM users WHERE email ="
                    " 'links@acme.example')");
    assert_int_equal(count_for(&srv,
                               "SELECT count(*) FROM password_resets WHERE"
                               " used_at = 0 AND user_id = " OF_USER,
                               email),
                     2);
    snprintf(path, sizeof path, "/reset/%s", t2);
    h_browser_post(&r, &srv, path, path, "new=second+new+password");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    snprintf(path, sizeof path, "/reset/%s", t1);
    h_browser_post(&r, &srv, path, path, "new=third+new+password");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    assert_int_equal(signin_status(&srv, email, "second new password", NULL, 0),
                     303);
    /* A password change kills an outstanding link. */
    h_browser_post(&r, &srv, "/reset", "/reset", "email=links%40acme.example");
    h_resp_free(&r);
    assert_int_equal(resets_done(&srv, email, 3), 3);
    last_reset_token(&srv, email, t3);
    assert_int_equal(h_signin(&sess, &srv, email, "second new password"), 303);
    snprintf(body, sizeof body,
             "current=second+new+password&new=fourth+new+password&confirm="
             "fourth+new+password");
    h_post_form(&r, &srv, &sess, "/account/password", body);
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    snprintf(path, sizeof path, "/reset/%s", t3);
    h_browser_post(&r, &srv, path, path, "new=fifth+new+password");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    assert_int_equal(count_for(&srv,
                               "SELECT count(*) FROM password_resets WHERE"
                               " used_at = 0 AND expires_at >"
                               " CAST(strftime('%%s','now') AS INTEGER)"
                               " AND user_id = " OF_USER,
                               email),
                     0);
}

/* The answer to a reset request is built before, and without, any
 * database work: with the database locked by someone else, a known
 * address is answered at once, exactly like an unknown one, and the link
 * is written once the lock is gone. */
static void test_security__reset_answer_does_not_wait(void **state)
{
    h_resp known, unknown;
    sqlite3 *db = NULL;
    h_session f;
    char origin[120];

    (void)state;
    snprintf(origin, sizeof origin, "Origin: %s", srv.url);
    h_form_get(&f, &srv, "/reset");
    assert_int_equal(sqlite3_open(srv.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                     SQLITE_OK);
    post_raw(&known, &srv, f.cookie, origin, "/reset",
             "email=wait%40acme.example", f.csrf);
    post_raw(&unknown, &srv, f.cookie, origin, "/reset",
             "email=nobody-wait%40acme.example", f.csrf);
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(known.status, 200);
    assert_int_equal(unknown.status, 200);
    assert_int_equal(known.len, unknown.len);
    assert_memory_equal(known.body, unknown.body, known.len);
    h_resp_free(&known);
    h_resp_free(&unknown);
    /* Both were handled after the lock was released: one link, one
       "unknown" record. */
    assert_int_equal(resets_done(&srv, "wait@acme.example", 1), 1);
    assert_int_equal(resets_done(&srv, "nobody-wait@acme.example", 1), 1);
    assert_int_equal(count_for(&srv,
                               "SELECT count(*) FROM password_resets WHERE"
                               " user_id = " OF_USER,
                               "wait@acme.example"),
                     1);
    assert_int_equal(count_for(&srv,
                               "SELECT count(*) FROM audit_log WHERE action ="
                               " 'password.reset.unknown' AND target = '%s'",
                               "nobody-wait@acme.example"),
                     1);
}

/* ---- 6: password change ---- */

static void test_security__password_change_is_throttled(void **state)
{
    static const char email[] = "guess@acme.example";
    h_session sess;
    h_resp r;
    char body[400], v[40];

    (void)state;
    assert_int_equal(h_signin(&sess, &srv, email, PW), 303);
    for (int i = 0; i < 5; i++) {
        snprintf(body, sizeof body,
                 "current=guess+number+%d&new=a+brand+new+password&confirm="
                 "a+brand+new+password",
                 i);
        h_post_form(&r, &srv, &sess, "/account/password", body);
        assert_int_equal(r.status, 422);
        h_resp_free(&r);
    }
    /* The right one now waits, like a sign-in would. */
    snprintf(body, sizeof body,
             "current=%s&new=a+brand+new+password&confirm=a+brand+new+"
             "password",
             h_urlenc(PW));
    h_post_form(&r, &srv, &sess, "/account/password", body);
    assert_int_equal(r.status, 429);
    assert_true(h_resp_header(&r, "Retry-After", v, sizeof v));
    assert_true(atoi(v) >= 1);
    h_resp_free(&r);
    assert_int_equal(count_for(&srv,
                               "SELECT count(*) FROM audit_log WHERE action ="
                               " 'password.change' AND target = '%s'",
                               email),
                     0);
    assert_true(count_for(&srv,
                          "SELECT count(*) FROM audit_log WHERE action ="
                          " 'password.change.throttled' AND target = '%s'",
                          email) >= 1);
}

static void test_security__password_change_ends_other_sessions(void **state)
{
    static const char email[] = "sessions@acme.example";
    h_session a, b;
    h_resp r;
    char *out = NULL, token[100], auth[200], body[400];
    const char *hdrs[2] = {auth, NULL};

    (void)state;
    assert_int_equal(h_docket(&srv, NULL, &out, "token", "create", "--email",
                              email, "--label", "nightly", NULL),
                     0);
    assert_int_equal(sscanf(out, "%99s", token), 1);
    free(out);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    assert_int_equal(h_signin(&a, &srv, email, PW), 303);
    assert_int_equal(h_signin(&b, &srv, email, PW), 303);
    snprintf(body, sizeof body,
             "current=%s&new=a+brand+new+password&confirm=a+brand+new+"
             "password",
             h_urlenc(PW));
    h_post_form(&r, &srv, &a, "/account/password", body);
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    /* The other session is gone, this one stays, tokens keep working. */
    h_get_expect(&srv, &b, "/account", 303, NULL);
    h_get_expect(&srv, &a, "/account", 200, "nightly",
                 "action=\"/account/tokens/revoke-all\"", NULL);
    assert_int_equal(sessions_of(&srv, email), 1);
    h_request(&r, &srv, NULL, "GET", "/api/v1/me", NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    /* Revoke all: a POST with the CSRF token, audit-logged. */
    {
        h_session nocsrf = a;
        nocsrf.csrf[0] = '\0';
        h_post_form(&r, &srv, &nocsrf, "/account/tokens/revoke-all", "");
        assert_int_equal(r.status, 403);
        h_resp_free(&r);
    }
    h_request(&r, &srv, NULL, "GET", "/api/v1/me", NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    h_post_form(&r, &srv, &a, "/account/tokens/revoke-all", "");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    h_request(&r, &srv, NULL, "GET", "/api/v1/me", NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);
    assert_int_equal(count_for(&srv,
                               "SELECT count(*) FROM api_tokens WHERE"
                               " revoked_at = 0 AND user_id = " OF_USER,
                               email),
                     0);
    assert_int_equal(count_for(&srv,
                               "SELECT count(*) FROM audit_log WHERE action ="
                               " 'token.revoke.all' AND target = '%s'",
                               email),
                     1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_security__signin_from_another_site_refused),
    cmocka_unit_test(test_security__signin_needs_presession_token),
    cmocka_unit_test(test_security__reset_forms_refuse_other_sites),
    cmocka_unit_test(test_security__next_after_signin_stays_on_this_site),
    cmocka_unit_test(test_security__temporary_password_blocks_every_route),
    cmocka_unit_test(test_security__temporary_password_signout_works),
    cmocka_unit_test(test_security__admin_set_password_ends_sessions),
    cmocka_unit_test(test_security__reset_throttled_per_address),
    cmocka_unit_test(test_security__reset_throttled_per_client),
    cmocka_unit_test(test_security__reset_links_die_together),
    cmocka_unit_test(test_security__reset_answer_does_not_wait),
    cmocka_unit_test(test_security__password_change_is_throttled),
    cmocka_unit_test(test_security__password_change_ends_other_sessions),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, down);
}
