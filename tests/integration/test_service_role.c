/* The service role against the real server: a machine account made on the
 * command line without a password, given an API token. Its token reaches
 * the routes whose mask names ROLE_SERVICE (the arrival and gate routes)
 * and nothing else: every other route of the route table, API or page,
 * answers 403 and changes nothing. It never signs in with a password (the
 * same answer as a wrong one, even with a hash planted in the database),
 * a session or proxy header naming it is signed out, and a service
 * account bound to one organisation gets 404 for another organisation's
 * instance exactly like a missing one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"
#include "web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static h_session ada;
static char bound_token[100], free_token[100];

#define BOUND "loader@acme.example"
#define FREE  "nightly@platform.example"

static const char dictionary[] =
    "table,column,type,nullable,primary_key,description,pii,campaign_"
    "dependency,expected_arrival,source,cadence,owner,table_description\n"
    "customers,customer_id,bigint,false,true,Customer number,false,required,"
    "05:00,flat_file_csv,daily,crm@example.test,Customers\n";

static int up(void **state)
{
    char *out = NULL;

    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme globex acme-prod globex-prod ada+", &ada);
    h_import(&srv, "acme-prod", dictionary);
    h_import(&srv, "globex-prod", dictionary);
    /* No password is asked for, made or printed. */
    if (h_docket(&srv, NULL, &out, "user", "add", "--email", BOUND, "--name",
                 "Acme loader", "--role", "service", "--org", "acme",
                 NULL) != 0)
        fail_msg("user add: %s", out);
    assert_null(strstr(out, "temporary password"));
    free(out);
    h_cli(&srv, "user", "add", "--email", FREE, "--name", "Night loader",
          "--role", "service", NULL);
    h_token(&srv, BOUND, "acme nightly load", bound_token, sizeof bound_token);
    h_token(&srv, FREE, "all loads", free_token, sizeof free_token);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM users WHERE role ="
                                    " 'service' AND password_hash IS NULL"),
                     2);
    return 0;
}

/* The route of the table with this method and pattern, or NULL. */
static const web_route *route_named(const char *method, const char *pattern)
{
    for (const web_route *const *t = web_route_tables(); *t; t++)
        for (const web_route *rt = *t; rt->method; rt++)
            if (!strcmp(rt->method, method) && !strcmp(rt->pattern, pattern))
                return rt;
    return NULL;
}

/* Every route without ROLE_SERVICE in its mask answers a service token
 * 403 (401 would do too: never 2xx, 3xx or 404), whether page or API,
 * and nothing in the database changes. */
static void test_service__every_other_route_refused(void **state)
{
    char *before;
    int walked = 0, open = 0;
    h_resp r;

    (void)state;
    before = h_db_digest(&srv);
    for (const web_route *const *t = web_route_tables(); *t; t++) {
        for (const web_route *rt = *t; rt->method; rt++) {
            char path[300];
            if (rt->roles & ROLE_SERVICE) {
                /* never a page: only JSON routes of the API name it */
                if (!(rt->flags & WEB_JSON) ||
                    strncmp(rt->pattern, "/api/", 5) != 0)
                    fail_msg("%s %s lets a service account reach a page",
                             rt->method, rt->pattern);
                open++;
                continue;
            }
            h_concrete_path(path, sizeof path, rt->pattern);
            for (int k = 0; k < 2; k++) {
                h_send_json(&r, &srv, NULL, k ? free_token : bound_token,
                            rt->method, path,
                            strcmp(rt->method, "GET") ? "{}" : NULL);
                if (r.status != 403 && r.status != 401)
                    fail_msg("%s %s with a service token: %ld %.200s",
                             rt->method, path, r.status, r.body);
                h_resp_free(&r);
            }
            walked++;
        }
    }
    assert_true(walked >= 60);
    /* only the feed routes name the service role */
    assert_true(open <= 2);
    h_unchanged(&srv, before, "a service token on routes not its own");
    free(before);
    /* The pages a person starts from, by name. */
    static const char *const pages[] = {
        "/",          "/requests",        "/tables",
        "/lookup",    "/account",         "/admin/users",
        "/api/v1/me", "/api/v1/requests", "/api/v1/search?q=customers"};
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        h_send_json(&r, &srv, NULL, bound_token, "GET", pages[i], NULL);
        if (r.status != 403)
            fail_msg("GET %s: %ld", pages[i], r.status);
        h_resp_free(&r);
    }
}

/* The masks of the two feed routes, when the routes are there. */
static void test_service__feed_routes_name_it(void **state)
{
    const web_route *post = route_named("POST", "/api/v1/arrivals");
    const web_route *gate = route_named("GET", "/api/v1/instances/{instance}"
                                               "/gate");

    (void)state;
    if (!post || !gate)
        skip();
    assert_true(post->roles & ROLE_SERVICE);
    assert_true(gate->roles & ROLE_SERVICE);
    assert_false(post->roles & ROLE_CLIENT);
}

/* A service token calls the two feed routes; a bound one only for its
 * organisation, where another organisation's instance answers exactly
 * like a missing one. */
static void test_service__feeds_and_tenancy(void **state)
{
    static const char arrival[] =
        "{\"instance\":\"%s\",\"table\":\"customers\",\"file\":\"c-%s.csv\","
        "\"rows\":1200,\"status\":\"ok\"}";
    char body[400];
    h_resp r, missing;

    (void)state;
    if (!route_named("POST", "/api/v1/arrivals") ||
        !route_named("GET", "/api/v1/instances/{instance}/gate"))
        skip();
    snprintf(body, sizeof body, arrival, "acme-prod", "a");
    h_send_json(&r, &srv, NULL, bound_token, "POST", "/api/v1/arrivals", body);
    if (r.status != 201)
        fail_msg("arrival: %ld %s", r.status, r.body);
    h_resp_free(&r);
    h_send_json(&r, &srv, NULL, bound_token, "GET",
                "/api/v1/instances/acme-prod/gate", NULL);
    if (r.status != 200 || !strstr(r.body, "\"decision\""))
        fail_msg("gate: %ld %s", r.status, r.body);
    h_resp_free(&r);

    /* another organisation: like a missing instance, nothing written */
    int64_t n = h_db_int(&srv, "SELECT count(*) FROM arrivals");
    h_send_json(&r, &srv, NULL, bound_token, "GET",
                "/api/v1/instances/globex-prod/gate", NULL);
    h_send_json(&missing, &srv, NULL, bound_token, "GET",
                "/api/v1/instances/no-such-prod/gate", NULL);
    assert_int_equal(r.status, 404);
    assert_int_equal(missing.status, 404);
    {
        /* the same answer but for the name asked about */
        char *a = strstr(r.body, "globex-prod");
        char *b = strstr(missing.body, "no-such-prod");
        if (a && b) {
            assert_int_equal(a - r.body, b - missing.body);
            assert_string_equal(a + strlen("globex-prod"),
                                b + strlen("no-such-prod"));
        } else {
            assert_null(a);
            assert_null(b);
            assert_string_equal(r.body, missing.body);
        }
    }
    h_resp_free(&r);
    h_resp_free(&missing);
    snprintf(body, sizeof body, arrival, "globex-prod", "g");
    h_send_json(&r, &srv, NULL, bound_token, "POST", "/api/v1/arrivals", body);
    snprintf(body, sizeof body, arrival, "no-such-prod", "g");
    h_send_json(&missing, &srv, NULL, bound_token, "POST", "/api/v1/arrivals",
                body);
    assert_true(r.status >= 400 && r.status < 500);
    assert_int_equal(r.status, missing.status);
    h_resp_free(&r);
    h_resp_free(&missing);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM arrivals"), n);

    /* the unbound account reaches every organisation */
    h_send_json(&r, &srv, NULL, free_token, "GET",
                "/api/v1/instances/globex-prod/gate", NULL);
    if (r.status != 200)
        fail_msg("unbound gate: %ld %s", r.status, r.body);
    h_resp_free(&r);
}

/* The answer to a password sign-in of email: its status and body. */
static long signin(const char *email, const char *password, char **body)
{
    char form[600];
    h_resp r;
    long status;

    snprintf(form, sizeof form, "email=%s", h_urlenc(email));
    snprintf(form + strlen(form), sizeof form - strlen(form), "&password=%s",
             h_urlenc(password));
    h_browser_post(&r, &srv, "/signin", "/signin", form);
    status = r.status;
    *body = r.body;
    r.body = NULL;
    h_resp_free(&r);
    return status;
}

/* No password sign-in, even with a password hash planted behind the
 * rules' back: the answer is a wrong password's, word for word. */
static void test_service__no_password_sign_in(void **state)
{
    char *svc = NULL, *wrong = NULL;
    h_session s;

    (void)state;
    h_db_exec(&srv, "UPDATE users SET password_hash = (SELECT password_hash"
                    " FROM users WHERE email = 'ada@platform.example')"
                    " WHERE email = '" BOUND "'");
    assert_int_equal(signin(BOUND, H_PW, &svc), 401);
    assert_int_equal(signin("nobody@acme.example", H_PW, &wrong), 401);
    assert_non_null(strstr(svc, "Wrong e-mail or password."));
    assert_non_null(strstr(wrong, "Wrong e-mail or password."));
    free(svc);
    free(wrong);
    assert_int_not_equal(h_signin(&s, &srv, BOUND, H_PW), 303);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM sessions s JOIN"
                                    " users u ON u.id = s.user_id WHERE"
                                    " u.role = 'service'"),
                     0);
    h_db_exec(&srv,
              "UPDATE users SET password_hash = NULL WHERE email = '" BOUND
              "'");
}

/* A session row for a service account (planted) is signed out. */
static void test_service__session_is_signed_out(void **state)
{
    static const char tok[] =
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char hash[65], sql[600];
    h_session s;

    (void)state;
    registry_hash_token(hash, tok);
    snprintf(sql, sizeof sql,
             "INSERT INTO sessions(token_hash, user_id, csrf, created_at,"
             " last_seen) SELECT '%s', id, 'x', strftime('%%s','now'),"
             " strftime('%%s','now') FROM users WHERE email = '" BOUND "'",
             hash);
    h_db_exec(&srv, sql);
    memset(&s, 0, sizeof s);
    snprintf(s.cookie, sizeof s.cookie, "__Host-docket=%s", tok);
    h_get_expect(&srv, &s, "/api/v1/me", 401, NULL);
    h_db_exec(&srv, "DELETE FROM sessions WHERE user_id IN (SELECT id FROM"
                    " users WHERE role = 'service')");
}

/* The trusted proxy's header naming a service account signs nobody in. */
static void test_service__proxy_header_signs_nobody_in(void **state)
{
    h_server p;
    h_resp r;
    const char *hdrs[] = {"X-Forwarded-User: " FREE, NULL};

    (void)state;
    h_server_start(&p, "trusted_proxy = 127.0.0.1\n");
    h_cli(&p, "user", "add", "--email", FREE, "--name", "Night loader",
          "--role", "service", NULL);
    h_request(&r, &p, NULL, "GET", "/api/v1/me", NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);
    h_server_stop(&p);
    h_server_cleanup(&p);
}

/* The rules on the command line: no password for a service account. */
static void test_service__cli_refuses_a_password(void **state)
{
    char *out = NULL;

    (void)state;
    assert_int_not_equal(h_docket(&srv, "correct horse battery\n", &out, "user",
                                  "add", "--email", "pw@x.example", "--name",
                                  "X", "--role", "service", "--password-stdin",
                                  NULL),
                         0);
    assert_non_null(strstr(out, "no password"));
    free(out);
    assert_int_not_equal(
        h_docket(&srv, NULL, &out, "user", "passwd", "--email", BOUND, NULL),
        0);
    free(out);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM users WHERE email ="
                                    " 'pw@x.example'"),
                     0);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM users WHERE email ="
                                    " '" BOUND "' AND password_hash IS NULL"),
                     1);
}

/* The administration pages: the new-user form makes a service account
 * without a password, its page offers no password but API tokens (made
 * and shown once, revoked), and a person's page has no such tokens. */
static void test_service__admin_pages(void **state)
{
    h_resp r;
    char path[120], body[200], token[100] = "", *p;
    int64_t id, pm;

    (void)state;
    h_post_form(&r, &srv, &ada, "/admin/users",
                "email=feed%40acme.example&name=Feed&role=service&org=acme"
                "&password=");
    if (r.status != 303)
        fail_msg("create: %ld %.300s", r.status, r.body);
    h_resp_free(&r);
    id = h_db_int(&srv, "SELECT id FROM users WHERE email = "
                        "'feed@acme.example' AND role = 'service' AND "
                        "password_hash IS NULL AND must_change_password = 0");
    assert_true(id > 0);
    /* with a password: refused, on the password field */
    h_post_form(&r, &srv, &ada, "/admin/users",
                "email=feed2%40acme.example&name=Feed&role=service&org="
                "&password=correct+horse+battery");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "no password"));
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM users WHERE email ="
                                    " 'feed2@acme.example'"),
                     0);

    /* a person still needs one (the field is no longer required in the
       browser, the rules still ask for it) */
    h_post_form(&r, &srv, &ada, "/admin/users",
                "email=pat2%40platform.example&name=Pat&role=pm&org="
                "&password=");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM users WHERE email ="
                                    " 'pat2@platform.example'"),
                     0);

    snprintf(path, sizeof path, "/admin/users/%lld", (long long)id);
    h_get_expect(&srv, &ada, path, 200, "API tokens", "Create token",
                 "!New temporary password", NULL);
    snprintf(path, sizeof path, "/admin/users/%lld/tokens", (long long)id);
    h_post_form(&r, &srv, &ada, path, "label=nightly+load");
    assert_int_equal(r.status, 200);
    p = strstr(r.body, "dkt_");
    assert_non_null(p);
    snprintf(token, sizeof token, "%.68s", p);
    h_resp_free(&r);
    /* the token is the service account: refused a person's route, not
       signed out */
    h_send_json(&r, &srv, NULL, token, "GET", "/api/v1/me", NULL);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    snprintf(body, sizeof body, "/admin/users/%lld/tokens/%lld/revoke",
             (long long)id,
             (long long)h_db_int(&srv, "SELECT max(id) FROM api_tokens"));
    h_post_form(&r, &srv, &ada, body, "");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    h_send_json(&r, &srv, NULL, token, "GET", "/api/v1/me", NULL);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);

    /* a person gets no token from an administrator here */
    pm = h_db_int(&srv, "SELECT id FROM users WHERE email ="
                        " 'ada@platform.example'");
    snprintf(path, sizeof path, "/admin/users/%lld", (long long)pm);
    h_get_expect(&srv, &ada, path, 200, "New temporary password",
                 "!Create token", NULL);
    snprintf(path, sizeof path, "/admin/users/%lld/tokens", (long long)pm);
    h_post_form(&r, &srv, &ada, path, "label=x");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_service__every_other_route_refused),
        cmocka_unit_test(test_service__feed_routes_name_it),
        cmocka_unit_test(test_service__feeds_and_tenancy),
        cmocka_unit_test(test_service__no_password_sign_in),
        cmocka_unit_test(test_service__session_is_signed_out),
        cmocka_unit_test(test_service__proxy_header_signs_nobody_in),
        cmocka_unit_test(test_service__cli_refuses_a_password),
        cmocka_unit_test(test_service__admin_pages),
    };
    return cmocka_run_group_tests(tests, up, h_group_down);
}
