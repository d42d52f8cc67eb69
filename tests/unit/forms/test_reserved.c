/* test_reserved.c: reserved words per dialect (core/reserved.c), the
 * message naming them (forms/reserved.c) and the identifier check
 * (form_ident_check in forms/validate.c, which no longer refuses
 * them: see test_names.c). */
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

/* Calls fn(word, arg) for every word of words (separated by spaces). */
static void each_word(const char *words, void (*fn)(const char *, const void *),
                      const void *arg)
{
    char w[64];

    for (const char *p = words; *p;) {
        size_t n = strcspn(p, " ");
        snprintf(w, sizeof w, "%.*s", (int)n, p);
        fn(w, arg);
        p += n + (p[n] == ' ');
    }
}

static void is_reserved(const char *w, const void *d)
{
    if (!RESERVED_IN(w, *(const sql_dialect *)d))
        fail_msg("\"%s\" is not reserved in %s", w,
                 sql_dialect_name(*(const sql_dialect *)d));
}

static void not_reserved(const char *w, const void *d)
{
    if (RESERVED_IN(w, *(const sql_dialect *)d))
        fail_msg("\"%s\" is reserved in %s", w,
                 sql_dialect_name(*(const sql_dialect *)d));
}

static void is_named(const char *w, const void *titles)
{
    assert_string_equal(form_reserved_in(w), (const char *)titles);
}

/* The words of yes are reserved in d, those of no are not. */
static void reserved_in(sql_dialect d, const char *yes, const char *no)
{
    each_word(yes, is_reserved, &d);
    each_word(no, not_reserved, &d);
}

static void test_reserved__postgres(void **state)
{
    (void)state;
    /* Reserved, and reserved that can be a function or type name;
       non-reserved key words (name, owner) stay usable. */
    reserved_in(SQL_POSTGRES, "analyse verbose freeze", "name owner");
    each_word("verbose variadic", is_named, "PostgreSQL");
}

static void test_reserved__mysql_mariadb(void **state)
{
    (void)state;
    each_word("zerofill tinyint", is_named, "MySQL/MariaDB");
    /* ROWNUM is a MariaDB function, a bare keyword only under
     * sql_mode=ORACLE, and no MySQL keyword at all. */
    reserved_in(SQL_MYSQL, "rank key", "rownum status");
    assert_null(form_reserved_in("rownum"));
    assert_int_equal(form_ident_check("rownum", NULL, 0), 0);
}

static void test_reserved__snowflake(void **state)
{
    (void)state;
    each_word("minus qualify", is_named, "Snowflake");
    /* Named reserved in Snowflake's own page (ASC, DESC) or reserved by
     * ANSI, all of whose words Snowflake reserves (WINDOW). */
    reserved_in(SQL_SNOWFLAKE, "try_cast ilike asc DESC window", "limit");
    each_word("window", is_named,
              "PostgreSQL, MySQL/MariaDB, Snowflake, SQLite");
}

static void test_reserved__sqlite(void **state)
{
    (void)state;
    each_word("autoincrement pragma", is_named, "SQLite");
    reserved_in(SQL_SQLITE, "glob", "");
    reserved_in(SQL_POSTGRES, "", "glob");
}

static void test_reserved__all_and_none(void **state)
{
    (void)state;
    each_word("order ORDER", is_named,
              "PostgreSQL, MySQL/MariaDB, Snowflake, SQLite");
    each_word("returning", is_named, "PostgreSQL, MySQL/MariaDB, SQLite");
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
    /* Reserved words pass the spelling check: docket quotes every name
     * (tests/unit/forms/test_names.c has the rest). */
    assert_int_equal(form_ident_check("order", msg, sizeof msg), 0);
    assert_int_equal(form_ident_check("key", msg, sizeof msg), 0);
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
