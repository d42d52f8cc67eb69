/* test_reserved.c: reserved words per dialect and the identifier check
 * (forms/reserved.c, form_ident_check in forms/validate.c). */
#include "forms_test.h"

#include "validate.h"

static void test_reserved__lists_sorted_and_found(void **state)
{
    (void)state;
    for (int d = 0; d < FORM_DIALECT_N; d++) {
        size_t n;
        const char *const *w = form_reserved_list((form_dialect)d, &n);
        assert_non_null(w);
        assert_true(n > 50);
        for (size_t i = 0; i < n; i++) {
            for (const char *p = w[i]; *p; p++)
                assert_true((*p >= 'a' && *p <= 'z') || *p == '_' ||
                            (*p >= '0' && *p <= '9'));
            if (i)
                assert_true(strcmp(w[i - 1], w[i]) < 0);
            assert_true(form_reserved_in_dialect(w[i], (form_dialect)d));
            assert_non_null(strstr(form_reserved_in(w[i]),
                                   form_dialect_name((form_dialect)d)));
        }
    }
}

static void test_reserved__postgres(void **state)
{
    (void)state;
    /* Reserved, and reserved that can be a function or type name. */
    assert_true(form_reserved_in_dialect("analyse", FORM_DIALECT_POSTGRES));
    assert_true(form_reserved_in_dialect("verbose", FORM_DIALECT_POSTGRES));
    assert_true(form_reserved_in_dialect("freeze", FORM_DIALECT_POSTGRES));
    assert_string_equal(form_reserved_in("verbose"), "PostgreSQL");
    assert_string_equal(form_reserved_in("variadic"), "PostgreSQL");
    /* Non-reserved key words stay usable. */
    assert_false(form_reserved_in_dialect("name", FORM_DIALECT_POSTGRES));
    assert_false(form_reserved_in_dialect("owner", FORM_DIALECT_POSTGRES));
}

static void test_reserved__mysql_mariadb(void **state)
{
    (void)state;
    assert_string_equal(form_reserved_in("zerofill"), "MySQL/MariaDB");
    assert_string_equal(form_reserved_in("tinyint"), "MySQL/MariaDB");
    assert_true(form_reserved_in_dialect("rank", FORM_DIALECT_MYSQL));
    assert_true(form_reserved_in_dialect("rownum", FORM_DIALECT_MYSQL));
    assert_true(form_reserved_in_dialect("key", FORM_DIALECT_MYSQL));
    assert_false(form_reserved_in_dialect("status", FORM_DIALECT_MYSQL));
}

static void test_reserved__snowflake(void **state)
{
    (void)state;
    assert_string_equal(form_reserved_in("minus"), "Snowflake");
    assert_string_equal(form_reserved_in("qualify"), "Snowflake");
    assert_true(form_reserved_in_dialect("try_cast", FORM_DIALECT_SNOWFLAKE));
    assert_true(form_reserved_in_dialect("ilike", FORM_DIALECT_SNOWFLAKE));
    assert_false(form_reserved_in_dialect("limit", FORM_DIALECT_SNOWFLAKE));
}

static void test_reserved__sqlite(void **state)
{
    (void)state;
    assert_string_equal(form_reserved_in("autoincrement"), "SQLite");
    assert_string_equal(form_reserved_in("pragma"), "SQLite");
    assert_true(form_reserved_in_dialect("glob", FORM_DIALECT_SQLITE));
    assert_false(form_reserved_in_dialect("glob", FORM_DIALECT_POSTGRES));
}

static void test_reserved__all_and_none(void **state)
{
    (void)state;
    assert_string_equal(form_reserved_in("order"),
                        "PostgreSQL, MySQL/MariaDB, Snowflake, SQLite");
    assert_string_equal(form_reserved_in("ORDER"),
                        "PostgreSQL, MySQL/MariaDB, Snowflake, SQLite");
    assert_string_equal(form_reserved_in("returning"),
                        "PostgreSQL, MySQL/MariaDB, SQLite");
    assert_null(form_reserved_in("customer"));
    assert_null(form_reserved_in("loyalty_tier"));
    assert_null(form_reserved_in(""));
    assert_null(form_reserved_in("or der"));
}

static void test_reserved__ident_check(void **state)
{
    char msg[256];
    (void)state;

    assert_int_equal(form_ident_check("loyalty_tier", msg, sizeof msg), 0);
    assert_int_equal(form_ident_check("_x9", msg, sizeof msg), 0);
    assert_int_equal(form_ident_check("CustomerID", msg, sizeof msg), 0);
    assert_int_equal(form_ident_check("order", msg, sizeof msg), ERR_INVALID);
    assert_non_null(strstr(msg, "order_value or orders"));
    assert_non_null(strstr(msg, "PostgreSQL"));
    /* A suggestion is never itself reserved ("keys" is, in MySQL). */
    assert_int_equal(form_ident_check("key", msg, sizeof msg), ERR_INVALID);
    assert_null(strstr(msg, " keys"));
    assert_non_null(strstr(msg, "key_value"));
    assert_int_equal(form_ident_check("", msg, sizeof msg), ERR_INVALID);
    assert_int_equal(form_ident_check("9lives", msg, sizeof msg), ERR_INVALID);
    assert_non_null(strstr(msg, "c_9lives"));
    assert_int_equal(form_ident_check("First Name", msg, sizeof msg),
                     ERR_INVALID);
    assert_non_null(strstr(msg, "first_name"));
    assert_int_equal(form_ident_check("\xd0\xb0ge", msg, sizeof msg),
                     ERR_INVALID); /* Cyrillic a */
    assert_non_null(strstr(msg, "U+0430"));
    assert_int_equal(form_ident_check("\xef\xbd\x81", msg, sizeof msg),
                     ERR_INVALID); /* full-width a */
    assert_non_null(strstr(msg, "U+FF41"));
    {
        char longname[80];
        memset(longname, 'a', 64);
        longname[64] = '\0';
        assert_int_equal(form_ident_check(longname, msg, sizeof msg),
                         ERR_INVALID);
        longname[63] = '\0';
        assert_int_equal(form_ident_check(longname, msg, sizeof msg), 0);
    }
    assert_int_equal(form_ident_check("tab\there", NULL, 0), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserved__lists_sorted_and_found),
        cmocka_unit_test(test_reserved__postgres),
        cmocka_unit_test(test_reserved__mysql_mariadb),
        cmocka_unit_test(test_reserved__snowflake),
        cmocka_unit_test(test_reserved__sqlite),
        cmocka_unit_test(test_reserved__all_and_none),
        cmocka_unit_test(test_reserved__ident_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
