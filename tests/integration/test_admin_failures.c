/* test_admin_failures.c: administration and account pages when the
 * database refuses a read or a write, over real HTTP: the deliveries page
 * answers a failed read with the error page, not a page that looks empty;
 * a user edit whose audit record cannot be written is not saved (the
 * edit and its audit record are one transaction) and is answered as a
 * server error, not as a form problem; a sign-out whose session cannot be
 * ended is not reported as done. Failures are made with a renamed table
 * or a trigger that refuses the write, undone after each test. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;

static int group_setup(void **state)
{
    h_server_start(&srv, H_CLOSED_HOOK_CONFIG);
    *state = &srv;
    h_world(&srv, "oz ada");
    return 0;
}

static void test_admin_failures__deliveries_read_fails(void **state)
{
    h_session ada;
    h_resp r = {0};

    (void)state;
    assert_int_equal(h_signin(&ada, &srv, "ada@platform.example", H_PW), 303);
    h_get_expect(&srv, &ada, "/admin/deliveries", 200, NULL);
    h_db_exec(&srv, "ALTER TABLE outbox RENAME TO outbox_away");
    h_get(&r, &srv, &ada, "/admin/deliveries");
    h_db_exec(&srv, "ALTER TABLE outbox_away RENAME TO outbox");
    assert_int_equal(r.status, 500);
    assert_null(strstr(r.body, "Notification deliveries"));
    h_resp_free(&r);
}

static void test_admin_failures__edit_not_audited_is_not_saved(void **state)
{
    h_session ada;
    h_resp r = {0};
    char path[64], body[200];
    int64_t oz = h_db_int(&srv, "SELECT id FROM users WHERE email ="
                                " 'oz@platform.example'");

    (void)state;
    assert_int_equal(h_signin(&ada, &srv, "ada@platform.example", H_PW), 303);
    snprintf(path, sizeof path, "/admin/users/%lld", (long long)oz);
    snprintf(body, sizeof body, "name=Oz&role=pm&org=&active=1&password=");
    h_db_exec(&srv, "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log"
                    " BEGIN SELECT RAISE(ABORT, 'audit log refused'); END");
    h_post_form(&r, &srv, &ada, path, body);
    h_db_exec(&srv, "DROP TRIGGER no_audit");
    assert_int_equal(r.status, 500);
    assert_null(strstr(r.body, "audit log refused"));
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM users WHERE email ="
                                    " 'oz@platform.example' AND role = 'ops'"),
                     1);
    /* The same edit with a working audit log is saved. */
    h_post_form(&r, &srv, &ada, path, body);
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM users WHERE email ="
                                    " 'oz@platform.example' AND role = 'pm'"),
                     1);
}

static void test_admin_failures__signout_that_fails(void **state)
{
    h_session ada;
    h_resp r = {0};

    (void)state;
    assert_int_equal(h_signin(&ada, &srv, "ada@platform.example", H_PW), 303);
    h_db_exec(&srv, "CREATE TRIGGER keep_sessions BEFORE DELETE ON sessions"
                    " BEGIN SELECT RAISE(ABORT, 'sessions stay'); END");
    h_post_form(&r, &srv, &ada, "/signout", "");
    h_db_exec(&srv, "DROP TRIGGER keep_sessions");
    assert_int_equal(r.status, 409);
    h_resp_free(&r);
    /* Still signed in: the session was not ended. */
    h_get_expect(&srv, &ada, "/account", 200, NULL);
    h_post_form(&r, &srv, &ada, "/signout", "");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    h_get(&r, &srv, &ada, "/account");
    assert_int_not_equal(r.status, 200);
    h_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_failures__deliveries_read_fails),
        cmocka_unit_test(test_admin_failures__edit_not_audited_is_not_saved),
        cmocka_unit_test(test_admin_failures__signout_that_fails),
    };
    return cmocka_run_group_tests(tests, group_setup, h_group_down);
}
