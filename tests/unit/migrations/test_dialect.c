/* test_dialect.c: the token level of migrations/ (dialect.c, reserved.c):
 * identifier quoting, string literals, comment text, the type of every form
 * type in every dialect, reserved words, names of dialects and formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "migrate.h"
#include "migrate_int.h"

#include <string.h>

static void want_ident(migrate_dialect d, const char *id, const char *want)
{
    buf b = {0};

    assert_int_equal(migrate_quote_ident(&b, d, id), 0);
    assert_string_equal(buf_cstr(&b), want);
    buf_dispose(&b);
}

static void want_string(migrate_dialect d, const char *s, const char *want)
{
    buf b = {0};

    migrate_quote_string(&b, d, s);
    assert_string_equal(buf_cstr(&b), want);
    buf_dispose(&b);
}

static void test_migrations__quote_ident(void **state)
{
    buf b = {0};

    (void)state;
    want_ident(MIGRATE_POSTGRES, "Order_Total2", "\"Order_Total2\"");
    want_ident(MIGRATE_POSTGRES, "a\"b", "\"a\"\"b\"");
    want_ident(MIGRATE_SNOWFLAKE, "\"", "\"\"\"\"");
    want_ident(MIGRATE_SQLITE, "x\"\"y", "\"x\"\"\"\"y\"");
    want_ident(MIGRATE_POSTGRES, "a`b", "\"a`b\"");
    want_ident(MIGRATE_MYSQL, "a`b", "`a``b`");
    want_ident(MIGRATE_MYSQL, "a\"b", "`a\"b`");
    want_ident(MIGRATE_MYSQL, "``", "``````");
    want_ident(MIGRATE_MYSQL, "Kundennummer_\xc3\xa4",
               "`Kundennummer_\xc3\xa4`");
    /* Refused, and nothing appended. */
    assert_int_equal(migrate_quote_ident(&b, MIGRATE_POSTGRES, ""),
                     ERR_INVALID);
    assert_int_equal(migrate_quote_ident(&b, MIGRATE_POSTGRES, NULL),
                     ERR_INVALID);
    assert_int_equal(migrate_quote_ident(&b, MIGRATE_MYSQL, "a\nb"),
                     ERR_INVALID);
    assert_int_equal(migrate_quote_ident(&b, MIGRATE_MYSQL, "a\x7f"),
                     ERR_INVALID);
    assert_int_equal(migrate_quote_ident(&b, MIGRATE_SQLITE, "\xc3("),
                     ERR_INVALID);
    assert_int_equal(b.len, 0);
    buf_dispose(&b);
}

static void test_migrations__quote_string(void **state)
{
    (void)state;
    /* PostgreSQL: plain unless a backslash or control character. */
    want_string(MIGRATE_POSTGRES, "O'Brien", "'O''Brien'");
    want_string(MIGRATE_POSTGRES, "", "''");
    want_string(MIGRATE_POSTGRES, NULL, "''");
    want_string(MIGRATE_POSTGRES, "C:\\x", "E'C:\\\\x'");
    want_string(MIGRATE_POSTGRES, "a\nb\r\tc'", "E'a\\nb\\r\\tc'''");
    want_string(MIGRATE_POSTGRES, "bell\x07", "E'bell\\x07'");
    /* MySQL: backslash escapes (default sql_mode); '' for quotes. */
    want_string(MIGRATE_MYSQL, "O'Brien", "'O''Brien'");
    want_string(MIGRATE_MYSQL, "C:\\x\\", "'C:\\\\x\\\\'");
    want_string(MIGRATE_MYSQL, "a\nb\r\tc\x1a", "'a\\nb\\r\\tc\\Z'");
    want_string(MIGRATE_MYSQL, "100% _done_", "'100% _done_'");
    /* Snowflake: the same escapes, hex for other controls. */
    want_string(MIGRATE_SNOWFLAKE, "it's \\ here\n", "'it''s \\\\ here\\n'");
    want_string(MIGRATE_SNOWFLAKE, "\x01", "'\\x01'");
    /* SQLite: no escapes at all. */
    want_string(MIGRATE_SQLITE, "O'Brien \\n", "'O''Brien \\n'");
    want_string(MIGRATE_SQLITE, "a\nb", "'a\nb'");
}

static void test_migrations__literals_never_span_lines(void **state)
{
    const char *nasty = "one\ntwo\r\nthree\rfour -- five; ' \\ \" `";

    (void)state;
    for (int d = 0; d < MIGRATE_SQLITE; d++) {
        buf b = {0};
        migrate_quote_string(&b, (migrate_dialect)d, nasty);
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
    assert_string_equal(buf_cstr(&b), "-- Note: a\n-- Note: -- migrate:down\n");
    buf_dispose(&b);
}

static void want_type(const char *form, const char *pg, const char *my,
                      const char *sf, const char *sl)
{
    const char *want[MIGRATE_NDIALECTS] = {pg, my, sf, sl};
    form_type t = {0};
    char out[64];

    assert_int_equal(form_type_parse(&t, form, NULL), 0);
    for (int d = 0; d < MIGRATE_NDIALECTS; d++) {
        migrate_type_name(out, sizeof out, (migrate_dialect)d, &t);
        if (strcmp(out, want[d]))
            fail_msg("%s in %s: got %s, want %s", form,
                     migrate_dialect_name((migrate_dialect)d), out, want[d]);
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
    migrate_type_name(out, sizeof out, MIGRATE_POSTGRES, &none);
    assert_string_equal(out, "");
}

static void test_migrations__reserved_words(void **state)
{
    (void)state;
    assert_string_equal(migrate_reserved(MIGRATE_POSTGRES, "order"), "ORDER");
    assert_string_equal(migrate_reserved(MIGRATE_MYSQL, "Key"), "KEY");
    assert_string_equal(migrate_reserved(MIGRATE_SNOWFLAKE, "qualify"),
                        "QUALIFY");
    assert_string_equal(migrate_reserved(MIGRATE_SQLITE, "action"), "ACTION");
    assert_null(migrate_reserved(MIGRATE_POSTGRES, "key"));
    assert_null(migrate_reserved(MIGRATE_SNOWFLAKE, "key"));
    assert_null(migrate_reserved(MIGRATE_MYSQL, "Order_Total2"));
    assert_null(migrate_reserved(MIGRATE_SQLITE, ""));
    assert_null(migrate_reserved(MIGRATE_SQLITE, NULL));
    /* bsearch() needs every list sorted and free of duplicates. */
    for (int d = 0; d < MIGRATE_NDIALECTS; d++) {
        const char *const *w;
        size_t n;
        assert_int_equal(mig_reserved_list(&w, &n, (migrate_dialect)d), 0);
        assert_true(n > 50);
        for (size_t i = 1; i < n; i++)
            if (strcmp(w[i - 1], w[i]) >= 0)
                fail_msg("%s list: %s before %s",
                         migrate_dialect_name((migrate_dialect)d), w[i - 1],
                         w[i]);
        for (size_t i = 0; i < n; i++)
            assert_non_null(migrate_reserved((migrate_dialect)d, w[i]));
    }
}

static void test_migrations__names_and_limits(void **state)
{
    migrate_dialect d = MIGRATE_SQLITE;
    migrate_format f = MIGRATE_GOOSE;
    char v[32];

    (void)state;
    assert_int_equal(migrate_dialect_parse(&d, "mariadb"), 0);
    assert_int_equal(d, MIGRATE_MYSQL);
    assert_int_equal(migrate_dialect_parse(&d, "PostgreSQL"), 0);
    assert_int_equal(d, MIGRATE_POSTGRES);
    assert_int_equal(migrate_dialect_parse(&d, "oracle"), ERR_INVALID);
    assert_int_equal(d, MIGRATE_POSTGRES);
    assert_int_equal(migrate_format_parse(&f, "golang-migrate"), 0);
    assert_int_equal(f, MIGRATE_PLAIN);
    assert_int_equal(migrate_format_parse(&f, "sqitch"), ERR_INVALID);
    for (int i = 0; i < MIGRATE_NDIALECTS; i++) {
        assert_int_equal(
            migrate_dialect_parse(&d, migrate_dialect_name((migrate_dialect)i)),
            0);
        assert_int_equal(d, i);
    }
    for (int i = 0; i < MIGRATE_NFORMATS; i++) {
        assert_int_equal(
            migrate_format_parse(&f, migrate_format_name((migrate_format)i)),
            0);
        assert_int_equal(f, i);
    }
    assert_string_equal(migrate_dialect_name(MIGRATE_NDIALECTS), "unknown");
    assert_int_equal(migrate_name_limit(MIGRATE_POSTGRES), 63);
    assert_int_equal(migrate_name_limit(MIGRATE_MYSQL), 64);
    assert_int_equal(migrate_name_limit(MIGRATE_SNOWFLAKE), 255);
    assert_int_equal(migrate_name_limit(MIGRATE_SQLITE), 0);
    migrate_version(v, sizeof v, 1772546400, 0); /* 2026-03-03T14:00:00Z */
    assert_string_equal(v, "20260303140000");
    migrate_version(v, sizeof v, 1772546400, 1);
    assert_string_equal(v, "20260303140001");
    for (int i = 0; i < MIGRATE_NLINTS; i++)
        assert_string_not_equal(migrate_lint_name((migrate_lint)i), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrations__quote_ident),
        cmocka_unit_test(test_migrations__quote_string),
        cmocka_unit_test(test_migrations__literals_never_span_lines),
        cmocka_unit_test(test_migrations__quote_comment),
        cmocka_unit_test(test_migrations__type_of_every_form_type),
        cmocka_unit_test(test_migrations__reserved_words),
        cmocka_unit_test(test_migrations__names_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
