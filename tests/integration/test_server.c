/* The walking skeleton against the real server: /healthz, the 404 page,
 * security headers, static assets, 405, clean shutdown, and the command
 * line's answers to bad flags and configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static h_server srv;

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    return 0;
}

static void assert_security_headers(const h_resp *r)
{
    char v[600];

    assert_true(h_resp_header(r, "Content-Security-Policy", v, sizeof v));
    assert_non_null(strstr(v, "script-src 'self'"));
    assert_null(strstr(v, "unsafe-inline"));
    assert_non_null(strstr(v, "frame-ancestors 'none'"));
    assert_true(h_resp_header(r, "X-Content-Type-Options", v, sizeof v));
    assert_string_equal(v, "nosniff");
    assert_true(h_resp_header(r, "Referrer-Policy", v, sizeof v));
    assert_true(h_resp_header(r, "X-Frame-Options", v, sizeof v));
    assert_string_equal(v, "DENY");
}

static void test_server__healthz(void **state)
{
    h_resp r;
    char v[200];

    (void)state;
    h_get(&r, &srv, NULL, "/healthz");
    assert_int_equal(r.status, 200);
    assert_true(h_resp_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "application/json");
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    assert_non_null(strstr(r.body, "\"database\":true"));
    assert_non_null(strstr(r.body, "\"version\":\""));
    /* How the in-memory search index answered (none asked yet). */
    assert_non_null(strstr(r.body, "\"search\":{\"snapshot\":0,"));
    assert_security_headers(&r);
    h_resp_free(&r);
}

static void test_server__not_found_page(void **state)
{
    h_resp r;

    (void)state;
    h_get(&r, &srv, NULL, "/no/such/page");
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "<h1>Not found</h1>"));
    assert_security_headers(&r);
    h_resp_free(&r);
}

static void test_server__not_found_escapes_nothing_of_the_url(void **state)
{
    (void)state;
    h_get_expect(&srv, NULL, "/%3Cscript%3Ealert(1)%3C/script%3E", 404,
                 "!<script>alert", NULL);
}

static void test_server__static_assets_long_cache(void **state)
{
    h_resp r;
    char v[200], css[200] = "";
    const char *p;

    (void)state;
    h_get(&r, &srv, NULL, "/signin");
    assert_int_equal(r.status, 200);
    p = strstr(r.body, "/static/app.css?v=");
    assert_non_null(p);
    sscanf(p, "%199[^\"]", css);
    h_resp_free(&r);
    h_get(&r, &srv, NULL, css);
    assert_int_equal(r.status, 200);
    assert_true(h_resp_header(&r, "Cache-Control", v, sizeof v));
    assert_non_null(strstr(v, "immutable"));
    assert_true(h_resp_header(&r, "Content-Type", v, sizeof v));
    assert_non_null(strstr(v, "text/css"));
    assert_true(r.len > 0);
    h_resp_free(&r);
    h_get_expect(&srv, NULL, "/static/../docket.db", 404, NULL);
}

static void test_server__method_not_allowed(void **state)
{
    h_resp r;
    char v[100];

    (void)state;
    h_request(&r, &srv, NULL, "DELETE", "/healthz", NULL, NULL, 0, NULL);
    assert_int_equal(r.status, 405);
    assert_true(h_resp_header(&r, "Allow", v, sizeof v));
    assert_string_equal(v, "GET");
    h_resp_free(&r);
}

static void test_server__anonymous_is_sent_to_signin(void **state)
{
    h_resp r;
    char v[200];

    (void)state;
    h_get(&r, &srv, NULL, "/account");
    assert_int_equal(r.status, 303);
    assert_true(h_resp_header(&r, "Location", v, sizeof v));
    assert_string_equal(v, "/signin?next=%2Faccount");
    h_resp_free(&r);
    h_get_expect(&srv, NULL, "/api/v1/me", 401, "\"error\"", NULL);
}

static void test_server__clean_shutdown(void **state)
{
    h_server s2;
    char *out = NULL;
    int rc;

    (void)state;
    h_server_start(&s2, NULL);
    assert_int_equal(h_server_stop(&s2), 0);
    /* The database is closed cleanly and intact. */
    rc = h_docket(&s2, NULL, &out, "backup", "/dev/null/x", NULL);
    assert_int_not_equal(rc, 0); /* unwritable target is an error */
    free(out);
    assert_int_equal(h_db_int(&s2, "SELECT count(*) FROM users"), 1);
    assert_int_equal(h_db_int(&s2, "SELECT count(*) FROM pragma_integrity_check"
                                   " WHERE integrity_check = 'ok'"),
                     1);
    h_server_cleanup(&s2);
}

static void test_server__cli_usage_errors_exit_2(void **state)
{
    char *out = NULL;

    (void)state;
    assert_int_equal(h_docket(&srv, NULL, &out, "--help", NULL), 0);
    assert_non_null(strstr(out, "usage: docket"));
    free(out);
    assert_int_equal(h_docket(&srv, NULL, &out, "--version", NULL), 0);
    assert_non_null(strstr(out, "docket "));
    free(out);
    assert_int_equal(h_docket(&srv, NULL, &out, "frobnicate", NULL), 2);
    assert_non_null(strstr(out, "unknown command"));
    free(out);
    assert_int_equal(h_docket(&srv, NULL, &out, "serve", "--bogus", NULL), 2);
    assert_non_null(strstr(out, "unknown option --bogus"));
    free(out);
    assert_int_equal(
        h_docket(&srv, NULL, &out, "serve", "--listen", "not-an-address", NULL),
        2);
    assert_non_null(strstr(out, "ADDR:PORT"));
    free(out);
}

static void test_server__bad_config_file_exit_2(void **state)
{
    char dir[512], path[600], cmd[1400];
    FILE *f;
    int rc;

    (void)state;
    h_tmpdir(dir, sizeof dir, "badcfg");
    snprintf(path, sizeof path, "%s/bad.ini", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("[server]\nthreads = many\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s --config %s serve >%s/out 2>&1",
             getenv("DOCKET_BIN"), path, dir);
    rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 2);
    snprintf(cmd, sizeof cmd, "grep -q 'bad.ini:2: server.threads' %s/out",
             dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_server__env_overrides_config(void **state)
{
    char *out = NULL;

    (void)state;
    /* DOCKET_DB points the CLI elsewhere than the config's database. */
    setenv("DOCKET_DB", "/nonexistent-dir/x.db", 1);
    assert_int_equal(h_docket(&srv, NULL, &out, "user", "list", NULL), 2);
    assert_non_null(strstr(out, "/nonexistent-dir/x.db"));
    free(out);
    unsetenv("DOCKET_DB");
    assert_int_equal(h_docket(&srv, NULL, &out, "user", "list", NULL), 0);
    assert_non_null(strstr(out, "admin@docket.local"));
    free(out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_server__healthz),
    cmocka_unit_test(test_server__not_found_page),
    cmocka_unit_test(test_server__not_found_escapes_nothing_of_the_url),
    cmocka_unit_test(test_server__static_assets_long_cache),
    cmocka_unit_test(test_server__method_not_allowed),
    cmocka_unit_test(test_server__anonymous_is_sent_to_signin),
    cmocka_unit_test(test_server__clean_shutdown),
    cmocka_unit_test(test_server__cli_usage_errors_exit_2),
    cmocka_unit_test(test_server__bad_config_file_exit_2),
    cmocka_unit_test(test_server__env_overrides_config),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
