/* test_reserved.c: reserved words per dialect (core/reserved.c), the
 * message naming them (forms/reserved.c) and the identifier check
 * (form_ident_check in forms/validate.c). */
#include "fixture.h"
#include "forms_test.h"

#include "dialect.h"
#include "validate.h"

/* 1 when word is reserved in dialect d (core's one table). */
#define RESERVED_IN(word, d) (sql_reserved((d), (word)) != NULL)

static void test_reserved__lists_sorted_and_found(void **state)
{
    (void)state;
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        size_t n;
        const char *const *w = sql_reserved_list((sql_dialect)d, &n);
        assert_non_null(w);
        assert_true(n > 50);
        for (size_t i = 0; i < n; i++) {
            for (const char *p = w[i]; *p; p++)
                assert_true((*p >= 'a' && *p <= 'z') || *p == '_' ||
                            (*p >= '0' && *p <= '9'));
            if (i && strcmp(w[i - 1], w[i]) >= 0)
                fail_msg("%s table: \"%s\" before \"%s\"",
                         sql_dialect_name((sql_dialect)d), w[i - 1], w[i]);
            assert_ptr_equal(sql_reserved((sql_dialect)d, w[i]), w[i]);
        }
    }
    assert_null(sql_reserved_list(SQL_NDIALECTS, &(size_t){0}));
}

/* The message names exactly the dialects whose table has the word, by
 * their titles, in enum order. */
static void test_reserved__message_names_the_dialects(void **state)
{
    (void)state;
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        size_t n;
        const char *const *w = sql_reserved_list((sql_dialect)d, &n);
        for (size_t i = 0; i < n; i++) {
            unsigned mask = sql_reserved_mask(w[i]);
            const char *text = form_reserved_in(w[i]);
            const char *at = text;
            assert_non_null(text);
            assert_true(mask & (1u << d));
            for (int e = 0; e < SQL_NDIALECTS; e++) {
                const char *t = strstr(text, sql_dialect_title((sql_dialect)e));
                if (!(mask & (1u << e))) {
                    assert_null(t);
                    continue;
                }
                assert_non_null(t);
                assert_true(t >= at);
                at = t;
            }
        }
    }
}

static void test_reserved__postgres(void **state)
{
    (void)state;
    /* Reserved, and reserved that can be a function or type name. */
    assert_true(RESERVED_IN("analyse", SQL_POSTGRES));
    assert_true(RESERVED_IN("verbose", SQL_POSTGRES));
    assert_true(RESERVED_IN("freeze", SQL_POSTGRES));
    assert_string_equal(form_reserved_in("verbose"), "PostgreSQL");
    assert_string_equal(form_reserved_in("variadic"), "PostgreSQL");
    /* Non-reserved key words stay usable. */
    assert_false(RESERVED_IN("name", SQL_POSTGRES));
    assert_false(RESERVED_IN("owner", SQL_POSTGRES));
}

static void test_reserved__mysql_mariadb(void **state)
{
    (void)state;
    assert_string_equal(form_reserved_in("zerofill"), "MySQL/MariaDB");
    assert_string_equal(form_reserved_in("tinyint"), "MySQL/MariaDB");
    assert_true(RESERVED_IN("rank", SQL_MYSQL));
    /* ROWNUM is a MariaDB function, a bare keyword only under
     * sql_mode=ORACLE, and no MySQL keyword at all. */
    assert_false(RESERVED_IN("rownum", SQL_MYSQL));
    assert_null(form_reserved_in("rownum"));
    assert_int_equal(form_ident_check("rownum", NULL, 0), 0);
    assert_true(RESERVED_IN("key", SQL_MYSQL));
    assert_false(RESERVED_IN("status", SQL_MYSQL));
}

static void test_reserved__snowflake(void **state)
{
    (void)state;
    assert_string_equal(form_reserved_in("minus"), "Snowflake");
    assert_string_equal(form_reserved_in("qualify"), "Snowflake");
    assert_true(RESERVED_IN("try_cast", SQL_SNOWFLAKE));
    assert_true(RESERVED_IN("ilike", SQL_SNOWFLAKE));
    assert_false(RESERVED_IN("limit", SQL_SNOWFLAKE));
    /* Named reserved in Snowflake's own page (ASC, DESC) or reserved by
     * ANSI, all of whose words Snowflake reserves (WINDOW). */
    assert_true(RESERVED_IN("asc", SQL_SNOWFLAKE));
    assert_true(RESERVED_IN("DESC", SQL_SNOWFLAKE));
    assert_true(RESERVED_IN("window", SQL_SNOWFLAKE));
    assert_string_equal(form_reserved_in("window"),
                        "PostgreSQL, MySQL/MariaDB, Snowflake, SQLite");
}

static void test_reserved__sqlite(void **state)
{
    (void)state;
    assert_string_equal(form_reserved_in("autoincrement"), "SQLite");
    assert_string_equal(form_reserved_in("pragma"), "SQLite");
    assert_true(RESERVED_IN("glob", SQL_SQLITE));
    assert_false(RESERVED_IN("glob", SQL_POSTGRES));
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

UFX_MAIN(cmocka_unit_test(test_reserved__lists_sorted_and_found),
         cmocka_unit_test(test_reserved__message_names_the_dialects),
         cmocka_unit_test(test_reserved__postgres),
         cmocka_unit_test(test_reserved__mysql_mariadb),
         cmocka_unit_test(test_reserved__snowflake),
         cmocka_unit_test(test_reserved__sqlite),
         cmocka_unit_test(test_reserved__all_and_none),
         cmocka_unit_test(test_reserved__ident_check))
