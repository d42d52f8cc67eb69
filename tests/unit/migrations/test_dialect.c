/* test_dialect.c: the token level of migrations/ (dialect.c, and core's
 * dialect names and reserved words):
 * identifier quoting, string literals, comment text, the type of every form
 * type in every dialect, reserved words, names of dialects and formats. */
#include "fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "migrate.h"
#include "migrate_int.h"

#include <string.h>

static void want_ident(sql_dialect d, const char *id, const char *want)
{
    buf b = {0};

    assert_int_equal(migrate_quote_ident(&b, d, id), 0);
    ufx_buf_is(&b, want);
}

static void want_string(sql_dialect d, const char *s, const char *want)
{
    buf b = {0};

    migrate_quote_string(&b, d, s);
    ufx_buf_is(&b, want);
}

static void test_migrations__quote_ident(void **state)
{
    buf b = {0};

    (void)state;
    want_ident(SQL_POSTGRES, "Order_Total2", "\"Order_Total2\"");
    want_ident(SQL_POSTGRES, "a\"b", "\"a\"\"b\"");
    want_ident(SQL_SNOWFLAKE, "\"", "\"\"\"\"");
    want_ident(SQL_SQLITE, "x\"\"y", "\"x\"\"\"\"y\"");
    want_ident(SQL_POSTGRES, "a`b", "\"a`b\"");
    want_ident(SQL_MYSQL, "a`b", "`a``b`");
    want_ident(SQL_MYSQL, "a\"b", "`a\"b`");
    want_ident(SQL_MYSQL, "``", "``````");
    want_ident(SQL_MYSQL, "Kundennummer_\xc3\xa4", "`Kundennummer_\xc3\xa4`");
    /* Refused, and nothing appended. */
    assert_int_equal(migrate_quote_ident(&b, SQL_POSTGRES, ""), ERR_INVALID);
    assert_int_equal(migrate_quote_ident(&b, SQL_POSTGRES, NULL), ERR_INVALID);
    assert_int_equal(migrate_quote_ident(&b, SQL_MYSQL, "a\nb"), ERR_INVALID);
    assert_int_equal(migrate_quote_ident(&b, SQL_MYSQL, "a\x7f"), ERR_INVALID);
    assert_int_equal(migrate_quote_ident(&b, SQL_SQLITE, "\xc3("), ERR_INVALID);
    assert_int_equal(b.len, 0);
    buf_dispose(&b);
}

static void test_migrations__quote_string(void **state)
{
    (void)state;
    /* PostgreSQL: plain unless a backslash or control character. */
    want_string(SQL_POSTGRES, "O'Brien", "'O''Brien'");
    want_string(SQL_POSTGRES, "", "''");
    want_string(SQL_POSTGRES, NULL, "''");
    want_string(SQL_POSTGRES, "C:\\x", "E'C:\\\\x'");
    want_string(SQL_POSTGRES, "a\nb\r\tc'", "E'a\\nb\\r\\tc'''");
    want_string(SQL_POSTGRES, "bell\x07", "E'bell\\x07'");
    /* MySQL: backslash escapes (default sql_mode); '' for quotes. */
    want_string(SQL_MYSQL, "O'Brien", "'O''Brien'");
    want_string(SQL_MYSQL, "C:\\x\\", "'C:\\\\x\\\\'");
    want_string(SQL_MYSQL, "a\nb\r\tc\x1a", "'a\\nb\\r\\tc\\Z'");
    want_string(SQL_MYSQL, "100% _done_", "'100% _done_'");
    /* Snowflake: the same escapes, hex for other controls. */
    want_string(SQL_SNOWFLAKE, "it's \\ here\n", "'it''s \\\\ here\\n'");
    want_string(SQL_SNOWFLAKE, "\x01", "'\\x01'");
    /* SQLite: no escapes at all. */
    want_string(SQL_SQLITE, "O'Brien \\n", "'O''Brien \\n'");
    want_string(SQL_SQLITE, "a\nb", "'a\nb'");
}

static void test_migrations__literals_never_span_lines(void **state)
{
    const char *nasty = "one\ntwo\r\nthree\rfour -- five; ' \\ \" `";

    (void)state;
    for (int d = 0; d < SQL_SQLITE; d++) {
        buf b = {0};
        migrate_quote_string(&b, (sql_dialect)d, nasty);
        assert_null(strchr(buf_cstr(&b), '\n'));
        assert_null(strchr(buf_cstr(&b), '\r'));
        buf_dispose(&b);
    }
}

static void test_migrations__quote_comment(void **state)
{
    buf b = {0};

    (void)state;
    migrate_quote_comment(
        &b, "line one\nrollback DROP TABLE x;\r\nthree\rfour\x01");
    assert_string_equal(buf_cstr(&b),
                        "line one rollback DROP TABLE x; three four ");
    buf_reset(&b);
    mig_comment_lines(&b, "", "Item 1\n--rollback DROP TABLE x;\n");
    /* A later line cannot start a tool directive. */
    assert_string_equal(buf_cstr(&b), "-- Item 1\n-- | --rollback DROP "
                                      "TABLE x;\n-- |\n");
    buf_reset(&b);
    mig_comment_lines(&b, "Note: ", "a\n-- migrate:down");
    ufx_buf_is(&b, "-- Note: a\n-- Note: -- migrate:down\n");
}

static void want_type(const char *form, const char *pg, const char *my,
                      const char *sf, const char *sl)
{
    const char *want[SQL_NDIALECTS] = {pg, my, sf, sl};
    form_type t = {0};
    char out[64];

    assert_int_equal(form_type_parse(&t, form, NULL), 0);
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        migrate_type_name(out, sizeof out, (sql_dialect)d, &t);
        if (strcmp(out, want[d]))
            fail_msg("%s in %s: got %s, want %s", form,
                     sql_dialect_name((sql_dialect)d), out, want[d]);
    }
}

static void test_migrations__type_of_every_form_type(void **state)
{
    form_type none = {0};
    char out[64] = "x";

    (void)state;
    /*           form type            PostgreSQL      MySQL
     *           Snowflake            SQLite */
    want_type("string(20)", "VARCHAR(20)", "VARCHAR(20)", "VARCHAR(20)",
              "VARCHAR(20)");
    want_type("string(65535)", "VARCHAR(65535)", "MEDIUMTEXT", "VARCHAR(65535)",
              "VARCHAR(65535)");
    want_type("text", "TEXT", "LONGTEXT", "VARCHAR", "TEXT");
    want_type("integer", "INTEGER", "INT", "INTEGER", "INTEGER");
    want_type("bigint", "BIGINT", "BIGINT", "BIGINT", "BIGINT");
    want_type("decimal(12,2)", "NUMERIC(12,2)", "DECIMAL(12,2)", "NUMBER(12,2)",
              "DECIMAL(12,2)");
    want_type("boolean", "BOOLEAN", "BOOLEAN", "BOOLEAN", "BOOLEAN");
    want_type("date", "DATE", "DATE", "DATE", "DATE");
    want_type("timestamp", "TIMESTAMP", "DATETIME(6)", "TIMESTAMP_NTZ",
              "TIMESTAMP");
    want_type("timestamp with time zone", "TIMESTAMPTZ", "DATETIME(6)",
              "TIMESTAMP_TZ", "TIMESTAMPTZ");
    want_type("json", "JSONB", "JSON", "VARIANT", "TEXT");
    migrate_type_name(out, sizeof out, SQL_POSTGRES, &none);
    assert_string_equal(out, "");
}

static void test_migrations__reserved_words(void **state)
{
    (void)state;
    /* The table is core's (core/reserved.c); tests/unit/forms and
     * test_vocab.c check its order and that forms/ agrees. */
    assert_string_equal(sql_reserved(SQL_POSTGRES, "order"), "order");
    assert_string_equal(sql_reserved(SQL_MYSQL, "Key"), "key");
    assert_string_equal(sql_reserved(SQL_SNOWFLAKE, "QUALIFY"), "qualify");
    assert_string_equal(sql_reserved(SQL_SQLITE, "action"), "action");
    assert_null(sql_reserved(SQL_POSTGRES, "key"));
    assert_null(sql_reserved(SQL_SNOWFLAKE, "key"));
    assert_null(sql_reserved(SQL_MYSQL, "Order_Total2"));
    assert_null(sql_reserved(SQL_SQLITE, ""));
    assert_null(sql_reserved(SQL_SQLITE, NULL));
    assert_null(sql_reserved(SQL_NDIALECTS, "order"));
}

static void test_migrations__names_and_limits(void **state)
{
    sql_dialect d = SQL_SQLITE;
    migrate_format f = MIGRATE_GOOSE;
    char v[32];

    (void)state;
    assert_int_equal(sql_dialect_parse(&d, "mariadb"), 0);
    assert_int_equal(d, SQL_MYSQL);
    assert_int_equal(sql_dialect_parse(&d, "PostgreSQL"), 0);
    assert_int_equal(d, SQL_POSTGRES);
    assert_int_equal(sql_dialect_parse(&d, "oracle"), ERR_INVALID);
    assert_int_equal(d, SQL_POSTGRES);
    assert_int_equal(sql_dialect_parse(&d, NULL), ERR_INVALID);
    assert_int_equal(sql_dialect_parse(&d, "pg"), 0);
    assert_int_equal(d, SQL_POSTGRES);
    assert_int_equal(sql_dialect_parse(&d, " mysql"), ERR_INVALID);
    assert_int_equal(sql_dialect_parse(&d, "SQLite"), 0);
    assert_int_equal(d, SQL_SQLITE);
    assert_int_equal(migrate_format_parse(&f, "golang-migrate"), 0);
    assert_int_equal(f, MIGRATE_PLAIN);
    assert_int_equal(migrate_format_parse(&f, "sqitch"), ERR_INVALID);
    for (int i = 0; i < SQL_NDIALECTS; i++) {
        assert_int_equal(
            sql_dialect_parse(&d, sql_dialect_name((sql_dialect)i)), 0);
        assert_int_equal(d, i);
    }
    for (int i = 0; i < MIGRATE_NFORMATS; i++) {
        assert_int_equal(
            migrate_format_parse(&f, migrate_format_name((migrate_format)i)),
            0);
        assert_int_equal(f, i);
    }
    assert_string_equal(sql_dialect_name(SQL_NDIALECTS), "unknown");
    assert_string_equal(sql_dialect_title(SQL_MYSQL), "MySQL/MariaDB");
    assert_string_equal(sql_dialect_title(SQL_NDIALECTS), "unknown");
    assert_int_equal(migrate_name_limit(SQL_POSTGRES), 63);
    assert_int_equal(migrate_name_limit(SQL_MYSQL), 64);
    assert_int_equal(migrate_name_limit(SQL_SNOWFLAKE), 255);
    assert_int_equal(migrate_name_limit(SQL_SQLITE), 0);
    migrate_version(v, sizeof v, 1772546400); /* 2026-03-03T14:00:00Z */
    assert_string_equal(v, "20260303140000");
    for (int i = 0; i < MIGRATE_NLINTS; i++)
        assert_string_not_equal(migrate_lint_name((migrate_lint)i), "unknown");
}

UFX_MAIN(cmocka_unit_test(test_migrations__quote_ident),
         cmocka_unit_test(test_migrations__quote_string),
         cmocka_unit_test(test_migrations__literals_never_span_lines),
         cmocka_unit_test(test_migrations__quote_comment),
         cmocka_unit_test(test_migrations__type_of_every_form_type),
         cmocka_unit_test(test_migrations__reserved_words),
         cmocka_unit_test(test_migrations__names_and_limits))
