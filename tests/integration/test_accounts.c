/* Accounts, roles and sessions against the real server: the role matrix
 * over every route, sign-in throttling, session expiry, sign-out (here and
 * everywhere), CSRF and Origin checks, API tokens and their revocation,
 * password rules and changes, admin user management. */
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

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme acme-prod ann pat oz ada");
    return 0;
}

static void test_accounts__role_matrix_over_every_route(void **state)
{
    static const struct {
        int bit;
        const char *email;
    } roles[] = {{ROLE_ANON, NULL},
                 {ROLE_CLIENT, "ann@acme.example"},
                 {ROLE_PM, "pat@platform.example"},
                 {ROLE_OPS, "oz@platform.example"},
                 {ROLE_ADMIN, "ada@platform.example"}};
    h_session sess[5];
    int checked = 0;

    (void)state;
    for (int i = 1; i < 5; i++)
        assert_int_equal(h_signin(&sess[i], &srv, roles[i].email, H_PW), 303);
    for (const web_route *const *t = web_route_tables(); *t; t++) {
        for (const web_route *r = *t; r->method; r++) {
            char path[300];
            if (!strcmp(r->pattern, "/signin") ||
                !strcmp(r->pattern, "/signout") ||
                !strcmp(r->pattern, "/account/signout-all"))
                continue; /* these end sessions; tested on their own */
            if (r->flags & WEB_NOCSRF)
                continue; /* session-less forms: test_account_security */
            h_concrete_path(path, sizeof path, r->pattern);
            for (int i = 0; i < 5; i++) {
                h_resp resp;
                int allowed = (r->roles & roles[i].bit) != 0;
                h_session *s = i ? &sess[i] : NULL;
                if (!strcmp(r->method, "GET"))
                    h_get(&resp, &srv, s, path);
                else if (r->flags & WEB_RAWBODY)
                    h_send_json(&resp, &srv, s, NULL, r->method, path, "{}");
                else
                    h_post_form(&resp, &srv, s, path, "");
                if (allowed) {
                    if (resp.status == 401 || resp.status == 403)
                        fail_msg("%s %s as role %d: %ld, expected access",
                                 r->method, path, roles[i].bit, resp.status);
                } else if (i == 0) {
                    /* a sign-in redirect for a page, else 401 */
                    long want = strcmp(r->method, "GET") ||
                                        (r->flags & WEB_JSON) ||
                                        !strncmp(path, "/api/", 5)
                                    ? 401
                                    : 303;
                    if (resp.status != want)
                        fail_msg("%s %s anonymous: %ld, expected %ld",
                                 r->method, path, resp.status, want);
                } else if (resp.status != 403) {
                    fail_msg("%s %s as role %d: %ld, expected 403", r->method,
                             path, roles[i].bit, resp.status);
                }
                h_resp_free(&resp);
                checked++;
            }
        }
    }
    assert_true(checked >= 5 * 20);
}

static void test_accounts__signin_wrong_password_then_right(void **state)
{
    h_session s;

    (void)state;
    assert_int_equal(
        h_signin(&s, &srv, "pat@platform.example", "wrong one!!!!"), 401);
    assert_int_equal(h_signin(&s, &srv, "nobody@platform.example", H_PW), 401);
    assert_int_equal(h_signin(&s, &srv, "pat@platform.example", H_PW), 303);
    assert_true(h_db_int(&srv, "SELECT count(*) FROM audit_log WHERE action ="
                               " 'signin.failure'") >= 2);
    assert_true(h_db_int(&srv, "SELECT count(*) FROM audit_log WHERE action ="
                               " 'signin.success'") >= 1);
}

static void test_accounts__throttle_per_account(void **state)
{
    h_session s;
    h_resp r;
    char body[300], v[64];
    long st = 0;

    (void)state;
    h_user(&srv, "victim@platform.example", "Vic", "ops", NULL, H_PW);
    for (int i = 0; i < 5; i++)
        assert_int_equal(
            h_signin(&s, &srv, "victim@platform.example", "not the password"),
            401);
    /* Locked now: even the right password is refused with 429. */
    snprintf(body, sizeof body, "email=victim%%40platform.example&password=%s",
             h_urlenc(H_PW));
    h_browser_post(&r, &srv, "/signin", "/signin", body);
    st = r.status;
    assert_int_equal(st, 429);
    assert_true(h_resp_header(&r, "Retry-After", v, sizeof v));
    assert_true(atoi(v) >= 1);
    h_resp_free(&r);
    assert_true(h_db_int(&srv, "SELECT count(*) FROM audit_log WHERE action ="
                               " 'signin.throttled'") >= 1);
}

static void test_accounts__session_idle_and_lifetime_expiry(void **state)
{
    h_session s;

    (void)state;
    assert_int_equal(h_signin(&s, &srv, "oz@platform.example", H_PW), 303);
    h_get_expect(&srv, &s, "/account", 200, NULL);
    /* Idle for 31 minutes: gone. */
    h_db_exec(&srv, "UPDATE sessions SET last_seen = last_seen - 31*60");
    h_get_expect(&srv, &s, "/account", 303, NULL);
    /* A session used recently but older than 12 hours: gone too. */
    assert_int_equal(h_signin(&s, &srv, "oz@platform.example", H_PW), 303);
    h_db_exec(&srv, "UPDATE sessions SET created_at = created_at - 13*3600");
    h_get_expect(&srv, &s, "/account", 303, NULL);
}

static void test_accounts__signout_invalidates_server_side(void **state)
{
    h_session s, copy;
    h_resp r;

    (void)state;
    assert_int_equal(h_signin(&s, &srv, "oz@platform.example", H_PW), 303);
    copy = s;
    h_post_form(&r, &srv, &s, "/signout", "");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    /* The old cookie no longer works even if a client kept it. */
    h_get_expect(&srv, &copy, "/account", 303, NULL);
}

static void test_accounts__signout_everywhere(void **state)
{
    h_session a, b;
    h_resp r;

    (void)state;
    assert_int_equal(h_signin(&a, &srv, "pat@platform.example", H_PW), 303);
    assert_int_equal(h_signin(&b, &srv, "pat@platform.example", H_PW), 303);
    assert_string_not_equal(a.cookie, b.cookie);
    h_post_form(&r, &srv, &a, "/account/signout-all", "");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    h_get_expect(&srv, &b, "/account", 303, NULL);
}

static void test_accounts__csrf_token_required(void **state)
{
    h_session s, nocsrf;
    h_resp r;
    int64_t before;

    (void)state;
    assert_int_equal(h_signin(&s, &srv, "oz@platform.example", H_PW), 303);
    before = h_db_int(&srv, "SELECT count(*) FROM api_tokens");
    nocsrf = s;
    nocsrf.csrf[0] = '\0';
    h_post_form(&r, &srv, &nocsrf, "/account/tokens", "label=sneaky");
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    h_post_form(&r, &srv, &nocsrf, "/account/tokens",
                "label=sneaky&csrf=00000000000000000000000000000000000000000"
                "00000000000000000000000");
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM api_tokens"), before);
}

static void test_accounts__cross_site_origin_refused(void **state)
{
    h_session s;
    h_resp r;
    char body[200];
    const char *hdrs[] = {"Origin: https://evil.example", NULL};
    int64_t before;

    (void)state;
    assert_int_equal(h_signin(&s, &srv, "oz@platform.example", H_PW), 303);
    before = h_db_int(&srv, "SELECT count(*) FROM api_tokens");
    snprintf(body, sizeof body, "label=x&csrf=%s", s.csrf);
    h_request(&r, &srv, &s, "POST", "/account/tokens",
              "application/x-www-form-urlencoded", body, strlen(body), hdrs);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM api_tokens"), before);
}

static void test_accounts__api_token_and_revocation(void **state)
{
    h_session s;
    h_resp r;
    char *out = NULL, token[100], auth[200], path[100];
    const char *hdrs[2] = {auth, NULL};
    int64_t id;

    (void)state;
    assert_int_equal(h_docket(&srv, NULL, &out, "token", "create", "--email",
                              "oz@platform.example", "--label", "jump host",
                              NULL),
                     0);
    assert_int_equal(sscanf(out, "%99s", token), 1);
    free(out);
    assert_int_equal(strlen(token), 68);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM api_tokens WHERE "
                                    "token_hash LIKE 'dkt_%'"),
                     0); /* stored hashed, not as given */
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    h_request(&r, &srv, NULL, "GET", "/api/v1/me", NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"email\":\"oz@platform.example\""));
    assert_non_null(strstr(r.body, "\"role\":\"ops\""));
    h_resp_free(&r);
    /* Revoke it from the account page. */
    id = h_db_int(&srv, "SELECT max(id) FROM api_tokens");
    assert_int_equal(h_signin(&s, &srv, "oz@platform.example", H_PW), 303);
    snprintf(path, sizeof path, "/account/tokens/%lld/revoke", (long long)id);
    h_post_form(&r, &srv, &s, path, "");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    h_request(&r, &srv, NULL, "GET", "/api/v1/me", NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);
}

static void test_accounts__token_of_another_user_cannot_be_revoked(void **state)
{
    h_session s;
    h_resp r;
    char path[100];
    int64_t id;

    (void)state;
    assert_int_equal(h_docket(&srv, NULL, NULL, "token", "create", "--email",
                              "pat@platform.example", "--label", "pm script",
                              NULL),
                     0);
    id = h_db_int(&srv, "SELECT max(id) FROM api_tokens");
    assert_int_equal(h_signin(&s, &srv, "oz@platform.example", H_PW), 303);
    snprintf(path, sizeof path, "/account/tokens/%lld/revoke", (long long)id);
    h_post_form(&r, &srv, &s, path, "");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT revoked_at FROM api_tokens WHERE "
                                    "id = (SELECT max(id) FROM api_tokens)"),
                     0);
}

static void test_accounts__password_change_needs_current(void **state)
{
    h_session s, again;
    h_resp r;
    char body[400];

    (void)state;
    h_user(&srv, "changer@platform.example", "Chang", "ops", NULL, H_PW);
    assert_int_equal(h_signin(&s, &srv, "changer@platform.example", H_PW), 303);
    h_post_form(&r, &srv, &s, "/account/password",
                "current=wrong+password+x&new=another+long+password&confirm="
                "another+long+password");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "current password is wrong"));
    h_resp_free(&r);
    h_post_form(&r, &srv, &s, "/account/password",
                "current=correct+horse+battery&new=short&confirm=short");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "12 to 128"));
    h_resp_free(&r);
    snprintf(body, sizeof body,
             "current=%s&new=another+long+password&"
             "confirm=another+long+password",
             h_urlenc(H_PW));
    h_post_form(&r, &srv, &s, "/account/password", body);
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    assert_int_equal(h_signin(&again, &srv, "changer@platform.example", H_PW),
                     401);
    assert_int_equal(h_signin(&again, &srv, "changer@platform.example",
                              "another long password"),
                     303);
}

static void test_accounts__huge_password_is_refused_quickly(void **state)
{
    size_t n = 10 * 1024 * 1024;
    char *body = malloc(n + 100);
    h_resp r;

    (void)state;
    strcpy(body, "email=pm%40platform.example&password=");
    memset(body + strlen(body), 'a', n);
    body[38 + n] = '\0';
    h_browser_post(&r, &srv, "/signin", "/signin", body);
    assert_int_equal(r.status, 413); /* over the body cap */
    h_resp_free(&r);
    free(body);
}

static void test_accounts__admin_creates_and_deactivates_user(void **state)
{
    h_session admin, client, newbie;
    h_resp r;
    char path[100];
    int64_t id;

    (void)state;
    assert_int_equal(h_signin(&admin, &srv, "ada@platform.example", H_PW), 303);
    assert_int_equal(h_signin(&client, &srv, "ann@acme.example", H_PW), 303);
    /* A client may not. */
    h_post_form(&r, &srv, &client, "/admin/users",
                "email=x%40acme.example&name=X&role=admin&password="
                "long+enough+pass");
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM users WHERE email ="
                                    " 'x@acme.example'"),
                     0);
    /* The admin may; the new user must change the temporary password. */
    h_post_form(&r, &srv, &admin, "/admin/users",
                "email=new%40acme.example&name=New+Client&role=client&org=acme"
                "&password=temporary+pass+1");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    id =
        h_db_int(&srv, "SELECT id FROM users WHERE email = 'new@acme.example'");
    assert_true(id > 0);
    assert_int_equal(h_db_int(&srv, "SELECT must_change_password FROM users "
                                    "WHERE email = 'new@acme.example'"),
                     1);
    assert_int_equal(
        h_signin(&newbie, &srv, "new@acme.example", "temporary pass 1"), 303);
    /* A client without an organisation is refused with the field named. */
    h_post_form(&r, &srv, &admin, "/admin/users",
                "email=orphan%40acme.example&name=Orphan&role=client&org=&"
                "password=temporary+pass+1");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "organisation"));
    h_resp_free(&r);
    /* Deactivation ends the user's sessions. */
    snprintf(path, sizeof path, "/admin/users/%lld", (long long)id);
    h_post_form(&r, &srv, &admin, path,
                "name=New+Client&role=client&org=acme&active=0");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    h_get_expect(&srv, &newbie, "/account", 303, NULL);
    assert_true(h_db_int(&srv, "SELECT count(*) FROM audit_log WHERE action ="
                               " 'user.deactivate'") >= 1);
    /* The audit page shows it to the admin. */
    h_get_expect(&srv, &admin, "/admin/audit", 200, "user.deactivate",
                 "!temporary pass 1", NULL);
}

static void test_accounts__first_admin_password_works_once_shown(void **state)
{
    h_session s;
    h_resp r;
    char v[200];

    (void)state;
    assert_true(strlen(srv.admin_password) >= 16);
    assert_int_equal(
        h_signin(&s, &srv, "admin@docket.local", srv.admin_password), 303);
    /* It must be changed: the sign-in leads to the account page. */
    memset(&s, 0, sizeof s);
    {
        char body[300];
        snprintf(body, sizeof body, "email=admin%%40docket.local&password=%s",
                 h_urlenc(srv.admin_password));
        h_browser_post(&r, &srv, "/signin", "/signin", body);
    }
    assert_int_equal(r.status, 303);
    assert_true(h_resp_header(&r, "Location", v, sizeof v));
    assert_string_equal(v, "/account#password");
    h_resp_free(&r);
}

static void test_accounts__trusted_proxy_header(void **state)
{
    h_server p;
    h_resp r;
    const char *hdrs[] = {"X-Forwarded-User: sso@platform.example", NULL};

    (void)state;
    h_server_start(&p, "trusted_proxy = 127.0.0.1\n");
    h_user(&p, "sso@platform.example", "Sso User", "ops", NULL, H_PW);
    h_request(&r, &p, NULL, "GET", "/api/v1/me", NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "sso@platform.example"));
    h_resp_free(&r);
    h_server_stop(&p);
    h_server_cleanup(&p);
    /* Without the setting the header means nothing. */
    h_request(&r, &srv, NULL, "GET", "/api/v1/me", NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 401);
    h_resp_free(&r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_accounts__role_matrix_over_every_route),
    cmocka_unit_test(test_accounts__signin_wrong_password_then_right),
    cmocka_unit_test(test_accounts__throttle_per_account),
    cmocka_unit_test(test_accounts__session_idle_and_lifetime_expiry),
    cmocka_unit_test(test_accounts__signout_invalidates_server_side),
    cmocka_unit_test(test_accounts__signout_everywhere),
    cmocka_unit_test(test_accounts__csrf_token_required),
    cmocka_unit_test(test_accounts__cross_site_origin_refused),
    cmocka_unit_test(test_accounts__api_token_and_revocation),
    cmocka_unit_test(test_accounts__token_of_another_user_cannot_be_revoked),
    cmocka_unit_test(test_accounts__password_change_needs_current),
    cmocka_unit_test(test_accounts__huge_password_is_refused_quickly),
    cmocka_unit_test(test_accounts__admin_creates_and_deactivates_user),
    cmocka_unit_test(test_accounts__first_admin_password_works_once_shown),
    cmocka_unit_test(test_accounts__trusted_proxy_header),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
