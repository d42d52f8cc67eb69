/* test_redact.c: live_source_redact hides passwords (in the user part and
 * in password-like query parameters) and leaves everything else as it
 * was; live_read's errors carry the redacted source only. */
#include "fixture.h"
#include "live.h"

#include <string.h>

static void redacts(const char *source, const char *want)
{
    char out[512];

    live_source_redact(out, sizeof out, source);
    assert_string_equal(out, want);
}

static void test_password_in_user_part(void **state)
{
    (void)state;
    redacts("postgres://app:s3cret@db.example:5432/shop",
            "postgres://app:***@db.example:5432/shop");
    redacts("postgresql://app:p%40ss@db/shop?schema=sales",
            "postgresql://app:***@db/shop?schema=sales");
    redacts("mysql://root:a:b@c@127.0.0.1/x", "mysql://root:***@127.0.0.1/x");
    redacts("mariadb://u:pw@localhost/db?socket=/tmp/m.sock",
            "mariadb://u:***@localhost/db?socket=/tmp/m.sock");
}

static void test_password_in_query(void **state)
{
    (void)state;
    redacts("postgres://app@db/shop?password=hunter22&sslmode=require",
            "postgres://app@db/shop?password=***&sslmode=require");
    redacts("postgres:///shop?host=/tmp/pg&sslpassword=k3y",
            "postgres:///shop?host=/tmp/pg&sslpassword=***");
    redacts("mysql://u@h/d?PASSWORD=x&token=t",
            "mysql://u@h/d?PASSWORD=***&token=***");
}

static void test_nothing_to_hide(void **state)
{
    (void)state;
    redacts("postgres://app@db/shop", "postgres://app@db/shop");
    redacts("postgres:///shop?host=/tmp/pg", "postgres:///shop?host=/tmp/pg");
    redacts("sqlite:/var/lib/app.db", "sqlite:/var/lib/app.db");
    redacts("csv:/tmp/columns.csv", "csv:/tmp/columns.csv");
    redacts("", "");
}

static void test_truncated_output_is_terminated(void **state)
{
    char out[12];

    (void)state;
    memset(out, 'x', sizeof out);
    live_source_redact(out, sizeof out, "postgres://app:secret@db/shop");
    assert_int_equal(strlen(out), sizeof out - 1);
    assert_null(strstr(out, "secret"));
}

static void test_errors_never_show_the_password(void **state)
{
    live_schema s;
    errmsg err = {0};
    live_options opt = {.connect_timeout_s = 2};

    (void)state;
    /* A port that cannot be read as a number: refused before connecting. */
    assert_int_equal(
        live_read(&s, "postgres://app:topsecret@127.0.0.1:99999/x", &opt, &err),
        ERR_INVALID);
    assert_null(strstr(err.msg, "topsecret"));
    assert_non_null(strstr(err.msg, "postgres://app:***@127.0.0.1:99999/x"));
    assert_non_null(strstr(err.msg, "port"));
    err_clear(&err);
    assert_int_equal(live_read(&s, "mysql://app:topsecret@[::1/x", &opt, &err),
                     ERR_INVALID);
    assert_null(strstr(err.msg, "topsecret"));
    assert_non_null(strstr(err.msg, "mysql://app:***@"));
    err_clear(&err);
    assert_int_equal(
        live_read(&s, "mysql://app:topsecret@localhost", &opt, &err),
        ERR_INVALID);
    assert_non_null(strstr(err.msg, "names no database"));
    assert_int_equal(s.ntables, 0);
    err_clear(&err);
    assert_int_equal(live_read(&s, "oracle://u:topsecret@h/x", &opt, &err),
                     ERR_INVALID);
    assert_null(strstr(err.msg, "topsecret"));
    assert_non_null(strstr(err.msg, "oracle://u:***@h/x"));
}

UFX_MAIN(cmocka_unit_test(test_password_in_user_part),
         cmocka_unit_test(test_password_in_query),
         cmocka_unit_test(test_nothing_to_hide),
         cmocka_unit_test(test_truncated_output_is_terminated),
         cmocka_unit_test(test_errors_never_show_the_password))
