/* test_type_from_live.c: the types a live database reports, mapped back
 * to the form's types with the table the generator writes from, per
 * dialect: what docket's own migrations create never reads as drift
 * (migrate_type_equal), and a live type comes back as the form's type
 * (migrate_type_from_live) where docket has a kind for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "migrate.h"

#include <string.h>

/* One type as a database reports it: the lower-case data_type without
 * sizes, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION and NUMERIC_SCALE. */
typedef struct live_t {
    const char *name;
    int64_t len;
    int prec, scale;
} live_t;

typedef struct pair {
    const char *form; /* the registry's spelling */
    live_t live[SQL_NDIALECTS];
} pair;

/* What each database reports for the column migrate_type_name writes. */
static const pair pairs[] = {
    {"string(255)",
     {{"character varying", 255, -1, -1},
      {"varchar", 255, -1, -1},
      {"text", 255, -1, -1},
      {"varchar", 255, -1, -1}}},
    {"string(1)",
     {{"character varying", 1, -1, -1},
      {"varchar", 1, -1, -1},
      {"text", 1, -1, -1},
      {"varchar", 1, -1, -1}}},
    {"text",
     {{"text", -1, -1, -1},
      {"longtext", 4294967295LL, -1, -1},
      {"text", 16777216, -1, -1},
      {"text", -1, -1, -1}}},
    {"integer",
     {{"integer", -1, 32, 0},
      {"int", -1, 10, 0},
      {"number", -1, 38, 0},
      {"integer", -1, -1, -1}}},
    {"bigint",
     {{"bigint", -1, 64, 0},
      {"bigint", -1, 19, 0},
      {"number", -1, 38, 0},
      {"bigint", -1, -1, -1}}},
    {"decimal(12,2)",
     {{"numeric", -1, 12, 2},
      {"decimal", -1, 12, 2},
      {"number", -1, 12, 2},
      {"decimal", -1, 12, 2}}},
    {"boolean",
     {{"boolean", -1, -1, -1},
      {"tinyint", -1, 3, 0},
      {"boolean", -1, -1, -1},
      {"boolean", -1, -1, -1}}},
    {"date",
     {{"date", -1, -1, -1},
      {"date", -1, -1, -1},
      {"date", -1, -1, -1},
      {"date", -1, -1, -1}}},
    {"timestamp",
     {{"timestamp without time zone", -1, -1, -1},
      {"datetime", -1, -1, -1},
      {"timestamp_ntz", -1, -1, -1},
      {"timestamp", -1, -1, -1}}},
    {"timestamp with time zone",
     {{"timestamp with time zone", -1, -1, -1},
      {"datetime", -1, -1, -1},
      {"timestamp_tz", -1, -1, -1},
      {"timestamptz", -1, -1, -1}}},
    {"json",
     {{"jsonb", -1, -1, -1},
      {"json", -1, -1, -1},
      {"variant", -1, -1, -1},
      {"text", -1, -1, -1}}},
};

static form_type parse(const char *s)
{
    form_type t;
    assert_int_equal(form_type_parse(&t, s, NULL), 0);
    return t;
}

/* Every kind in every dialect: what the generator writes is equal. */
static void test_generated_types_are_equal(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        form_type t = parse(pairs[i].form);
        for (int d = 0; d < SQL_NDIALECTS; d++) {
            const live_t *l = &pairs[i].live[d];
            if (!migrate_type_equal((sql_dialect)d, &t, l->name, l->len,
                                    l->prec, l->scale))
                fail_msg("%s in %s: %s not equal", pairs[i].form,
                         sql_dialect_name((sql_dialect)d), l->name);
        }
    }
}

/* The generator's own spelling in a SQLite declared type
 * ("VARCHAR(255)", "DECIMAL(12,2)") is read with its sizes. */
static void test_sizes_inside_the_name(void **state)
{
    form_type s = parse("string(255)"), dec = parse("decimal(12,2)");
    char name[64];

    (void)state;
    assert_true(migrate_type_equal(SQL_SQLITE, &s, "VARCHAR(255)", -1, -1, -1));
    assert_false(
        migrate_type_equal(SQL_SQLITE, &s, "VARCHAR(100)", -1, -1, -1));
    assert_true(
        migrate_type_equal(SQL_SQLITE, &dec, "DECIMAL(12,2)", -1, -1, -1));
    assert_false(
        migrate_type_equal(SQL_SQLITE, &dec, "DECIMAL(12,3)", -1, -1, -1));
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        form_type t;
        migrate_type_name(name, sizeof name, (sql_dialect)d, &s);
        assert_int_equal(
            migrate_type_from_live(&t, (sql_dialect)d, name, -1, -1, -1), 0);
        assert_int_equal(t.kind, FORM_TYPE_STRING);
        assert_int_equal(t.length, 255);
    }
}

/* Sizes, other kinds and other names differ. */
static void test_differences(void **state)
{
    form_type s = parse("string(255)"), dec = parse("decimal(12,2)"),
              i = parse("integer"), b = parse("bigint"),
              ts = parse("timestamp");

    (void)state;
    assert_false(
        migrate_type_equal(SQL_POSTGRES, &s, "character varying", 100, -1, -1));
    assert_false(migrate_type_equal(SQL_POSTGRES, &s, "text", -1, -1, -1));
    assert_false(migrate_type_equal(SQL_MYSQL, &s, "varchar", 100, -1, -1));
    assert_false(migrate_type_equal(SQL_POSTGRES, &dec, "numeric", -1, 12, 3));
    assert_false(migrate_type_equal(SQL_MYSQL, &dec, "decimal", -1, 10, 2));
    assert_false(migrate_type_equal(SQL_POSTGRES, &i, "bigint", -1, 64, 0));
    assert_false(migrate_type_equal(SQL_POSTGRES, &b, "integer", -1, 32, 0));
    assert_false(migrate_type_equal(SQL_SNOWFLAKE, &i, "number", -1, 10, 0));
    assert_false(migrate_type_equal(SQL_POSTGRES, &ts,
                                    "timestamp with time zone", -1, -1, -1));
    assert_false(
        migrate_type_equal(SQL_SQLITE, &ts, "timestamptz", -1, -1, -1));
    assert_false(migrate_type_equal(SQL_POSTGRES, &i, "", -1, -1, -1));
    assert_false(migrate_type_equal(SQL_POSTGRES, &i, NULL, -1, -1, -1));
}

/* A long string is MEDIUMTEXT in MySQL (the generator's rule). */
static void test_mysql_long_string(void **state)
{
    form_type big = parse("string(20000)");
    (void)state;
    assert_true(
        migrate_type_equal(SQL_MYSQL, &big, "mediumtext", 16777215, -1, -1));
    assert_false(migrate_type_equal(SQL_MYSQL, &big, "longtext", -1, -1, -1));
}

/* Back to the form's types: the first kind of the generator's table. */
static void test_from_live(void **state)
{
    static const struct {
        sql_dialect d;
        live_t l;
        const char *form;
    } cases[] = {
        {SQL_POSTGRES, {"character varying", 80, -1, -1}, "string(80)"},
        {SQL_POSTGRES, {"text", -1, -1, -1}, "text"},
        {SQL_POSTGRES, {"integer", -1, 32, 0}, "integer"},
        {SQL_POSTGRES, {"bigint", -1, 64, 0}, "bigint"},
        {SQL_POSTGRES, {"numeric", -1, 10, 4}, "decimal(10,4)"},
        {SQL_POSTGRES, {"boolean", -1, -1, -1}, "boolean"},
        {SQL_POSTGRES, {"date", -1, -1, -1}, "date"},
        {SQL_POSTGRES,
         {"timestamp without time zone", -1, -1, -1},
         "timestamp"},
        {SQL_POSTGRES,
         {"timestamp with time zone", -1, -1, -1},
         "timestamp with time zone"},
        {SQL_POSTGRES, {"jsonb", -1, -1, -1}, "json"},
        {SQL_MYSQL, {"varchar", 40, -1, -1}, "string(40)"},
        {SQL_MYSQL, {"longtext", 4294967295LL, -1, -1}, "text"},
        {SQL_MYSQL, {"int", -1, 10, 0}, "integer"},
        {SQL_MYSQL, {"tinyint", -1, 3, 0}, "boolean"},
        {SQL_MYSQL, {"datetime", -1, -1, -1}, "timestamp"},
        {SQL_MYSQL, {"decimal", -1, 12, 2}, "decimal(12,2)"},
        {SQL_MYSQL, {"json", -1, -1, -1}, "json"},
        {SQL_SNOWFLAKE, {"text", 30, -1, -1}, "string(30)"},
        {SQL_SNOWFLAKE, {"text", 16777216, -1, -1}, "text"},
        {SQL_SNOWFLAKE, {"number", -1, 38, 0}, "bigint"},
        {SQL_SNOWFLAKE, {"number", -1, 9, 2}, "decimal(9,2)"},
        {SQL_SNOWFLAKE,
         {"timestamp_tz", -1, -1, -1},
         "timestamp with time zone"},
        {SQL_SNOWFLAKE, {"variant", -1, -1, -1}, "json"},
        {SQL_SQLITE, {"varchar", 12, -1, -1}, "string(12)"},
        {SQL_SQLITE, {"text", -1, -1, -1}, "text"},
        {SQL_SQLITE, {"timestamptz", -1, -1, -1}, "timestamp with time zone"},
    };
    char s[64];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        form_type t;
        int rc = migrate_type_from_live(&t, cases[i].d, cases[i].l.name,
                                        cases[i].l.len, cases[i].l.prec,
                                        cases[i].l.scale);
        if (rc != 0)
            fail_msg("%s: %s refused", sql_dialect_name(cases[i].d),
                     cases[i].l.name);
        form_type_format(s, sizeof s, &t);
        assert_string_equal(s, cases[i].form);
    }
}

/* No kind of docket's: ERR_INVALID, and the raw type for people. */
static void test_unknown_types(void **state)
{
    form_type t = {FORM_TYPE_TEXT, 0, 0, 0};
    char s[64];

    (void)state;
    assert_int_equal(
        migrate_type_from_live(&t, SQL_POSTGRES, "uuid", -1, -1, -1),
        ERR_INVALID);
    assert_int_equal(
        migrate_type_from_live(&t, SQL_MYSQL, "geometry", -1, -1, -1),
        ERR_INVALID);
    assert_int_equal(migrate_type_from_live(&t, SQL_SQLITE, "", -1, -1, -1),
                     ERR_INVALID);
    migrate_live_type_format(s, sizeof s, "character varying", 255, -1, -1);
    assert_string_equal(s, "character varying(255)");
    migrate_live_type_format(s, sizeof s, "numeric", -1, 12, 2);
    assert_string_equal(s, "numeric(12,2)");
    migrate_live_type_format(s, sizeof s, "longtext", 4294967295LL, -1, -1);
    assert_string_equal(s, "longtext");
    migrate_live_type_format(s, sizeof s, "int", -1, 10, 0);
    assert_string_equal(s, "int");
    migrate_live_type_format(s, sizeof s, "VARCHAR(20)", -1, -1, -1);
    assert_string_equal(s, "varchar(20)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_types_are_equal),
        cmocka_unit_test(test_sizes_inside_the_name),
        cmocka_unit_test(test_differences),
        cmocka_unit_test(test_mysql_long_string),
        cmocka_unit_test(test_from_live),
        cmocka_unit_test(test_unknown_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
