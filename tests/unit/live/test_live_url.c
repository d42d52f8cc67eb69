/* test_live_url.c: the pieces of live/ under the readers: source URLs
 * (user, password, host, IPv6, port, database, decoded query), declared
 * types split into name and numbers, library messages cut to one line
 * without the password. */
#include "fixture.h"
#include "live_int.h"

#include <string.h>

static void test_url_parts(void **state)
{
    live_url u;
    errmsg err = {0};

    (void)state;
    assert_int_equal(live_url_parse(&u,
                                    "postgresql://app:p%40ss%3Aw@db.example:"
                                    "6432/shop%20db?host=%2Ftmp%2Fpg&schema="
                                    "sales&flag",
                                    &err),
                     0);
    assert_string_equal(u.scheme, "postgresql");
    assert_string_equal(u.user, "app");
    assert_string_equal(u.password, "p@ss:w");
    assert_true(u.has_password);
    assert_string_equal(u.host, "db.example");
    assert_int_equal(u.port, 6432);
    assert_string_equal(u.path, "shop db");
    assert_int_equal(u.nparams, 3);
    assert_string_equal(live_url_param(&u, "host"), "/tmp/pg");
    assert_string_equal(live_url_param(&u, "schema"), "sales");
    assert_string_equal(live_url_param(&u, "flag"), "");
    assert_null(live_url_param(&u, "Schema"));
    live_url_dispose(&u);

    assert_int_equal(live_url_parse(&u, "mysql://[::1]:3307/x", &err), 0);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 3307);
    assert_string_equal(u.user, "");
    assert_false(u.has_password);
    live_url_dispose(&u);

    assert_int_equal(live_url_parse(&u, "postgres:///db?host=/run/pg", &err),
                     0);
    assert_string_equal(u.host, "");
    assert_int_equal(u.port, 0);
    assert_string_equal(u.path, "db");
    live_url_dispose(&u);

    assert_int_equal(live_url_parse(&u, "mysql://u:@h/d", &err), 0);
    assert_true(u.has_password); /* an empty password is a password */
    assert_string_equal(u.password, "");
    live_url_dispose(&u);

    assert_int_equal(live_url_parse(&u, "mysql://h:0/d", &err), ERR_INVALID);
    assert_int_equal(live_url_parse(&u, "mysql://h:x/d", &err), ERR_INVALID);
    assert_int_equal(live_url_parse(&u, "mysql://h:/d", &err), ERR_INVALID);
    assert_int_equal(live_url_parse(&u, "sqlite:/x", &err), ERR_INVALID);
}

static void type_is(const char *decl, const char *name, long long len, int prec,
                    int scale, int tprec)
{
    int64_t l = -1;
    int p = -1, s = -1, t = -1;
    char *got = live_parse_type(decl, &l, &p, &s, &t);

    assert_string_equal(got, name);
    assert_int_equal(l, len);
    assert_int_equal(p, prec);
    assert_int_equal(s, scale);
    assert_int_equal(t, tprec);
    free(got);
}

static void test_declared_types(void **state)
{
    (void)state;
    type_is("VARCHAR(255)", "varchar", 255, -1, -1, -1);
    type_is("  character varying ( 40 ) ", "character varying", 40, -1, -1, -1);
    type_is("NUMERIC(12, 2)", "numeric", -1, 12, 2, -1);
    type_is("decimal(9)", "decimal", -1, 9, 0, -1);
    type_is("NUMBER(38,0)", "number", -1, 38, 0, -1);
    type_is("INTEGER", "integer", -1, -1, -1, -1);
    type_is("int(11) unsigned", "int unsigned", -1, -1, -1, -1);
    type_is("DATETIME(6)", "datetime", -1, -1, -1, 6);
    type_is("timestamp(3) with time zone", "timestamp with time zone", -1, -1,
            -1, 3);
    type_is("TEXT", "text", -1, -1, -1, -1);
    type_is("", "", -1, -1, -1, -1);
    type_is("varchar(", "varchar", -1, -1, -1, -1);
    type_is("varchar(x)", "varchar", -1, -1, -1, -1);
}

static void test_short_error(void **state)
{
    char out[200];

    (void)state;
    live_short_error(out, sizeof out,
                     "connection failed: FATAL:  password abcd-1234 "
                     "rejected.\nDETAIL: more\n",
                     "abcd-1234");
    assert_string_equal(out,
                        "connection failed: FATAL:  password *** rejected");
    live_short_error(out, sizeof out, "short pw abc here", "abc");
    assert_string_equal(out, "short pw abc here"); /* too short to scrub */
    live_short_error(out, sizeof out, NULL, NULL);
    assert_string_equal(out, "");
}

UFX_MAIN(cmocka_unit_test(test_url_parts),
         cmocka_unit_test(test_declared_types),
         cmocka_unit_test(test_short_error))
