/* test_names.c: which table and column names a request may use. docket
 * quotes every identifier in the dialect's own way, and the real-database
 * test (tests/integration/test_migrations_realdb.sh) creates tables and
 * columns named after every reserved word on PostgreSQL, MariaDB and
 * SQLite through the generated DDL: reserved words are therefore accepted
 * (the migration lint warns), and a name is refused only where a dialect
 * of the request's own instances refuses it even quoted: a PostgreSQL
 * system column name for a column, a "sqlite_" table in SQLite. The
 * suggestions need no English grammar ("query_value", not "querys"). */
#include "fixture.h"
#include "forms_test.h"

#include "dialect.h"
#include "parse.h"
#include "validate.h"

static const char *const instances[] = {"acme-qa", "acme-prod", "acme-lite"};

/* A valid request for the given instances (comma-free names) whose
 * new table is named table and whose second column is named column. */
static void request(form_request *r, const char *table, const char *column,
                    const char *inst1, const char *inst2)
{
    char json[2048];
    form_errors fe = {0};

    snprintf(json, sizeof json,
             "{\"title\":\"Names\",\"summary\":\"s\",\"instance\":\"%s\","
             "\"instances\":[\"%s\"%s%s%s],\"project_manager\":"
             "\"pm@platform.example\",\"items\":[{\"kind\":\"new_table\","
             "\"table\":\"%s\",\"description\":\"Activity history\","
             "\"source\":\"flat_file_csv\",\"cadence\":\"daily\","
             "\"campaign_dependency\":\"optional\",\"columns\":["
             "{\"name\":\"id\",\"type\":\"bigint\"},"
             "{\"name\":\"%s\",\"type\":\"text\"}]}]}",
             inst1, inst1, inst2 ? ",\"" : "", inst2 ? inst2 : "",
             inst2 ? "\"" : "", table, column);
    assert_int_equal(form_parse_json(r, json, strlen(json), &fe), 0);
    form_errors_dispose(&fe);
}

/* acme-qa is PostgreSQL, acme-prod MySQL, acme-lite SQLite. */
static const int dialects[] = {SQL_POSTGRES, SQL_MYSQL, SQL_SQLITE};

static form_context context(int with_dialects)
{
    form_context c = {0};

    c.instances = instances;
    c.ninstances = 3;
    if (with_dialects)
        c.instance_dialects = dialects;
    return c;
}

/* The error of field after validating r (NULL when valid); disposes r. */
static char *validate(form_request *r, const form_context *c, const char *field)
{
    form_errors fe = {0};
    const char *m;
    char *out = NULL;

    form_validate(r, c, &fe);
    m = form_errors_get(&fe, field);
    if (m)
        out = xstrdup(m);
    if (fe.n && !m)
        ft_dump(&fe);
    form_errors_dispose(&fe);
    form_request_dispose(r);
    return out;
}

static void test_names__reserved_words_are_accepted(void **state)
{
    static const char *const words[] = {"action", "query",  "plan",
                                        "order",  "select", "table",
                                        "user",   "group",  "window"};
    form_context c = context(1);

    (void)state;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        form_request r;
        char *m;
        /* as a column, in a request for every dialect */
        request(&r, "activity_history", words[i], "acme-qa", "acme-lite");
        m = validate(&r, &c, "items[0].columns[1].name");
        if (m)
            fail_msg("column \"%s\" refused: %s", words[i], m);
        /* as a table */
        request(&r, words[i], "note", "acme-prod", NULL);
        m = validate(&r, &c, "items[0].table");
        if (m)
            fail_msg("table \"%s\" refused: %s", words[i], m);
        assert_int_equal(form_ident_check(words[i], NULL, 0), 0);
    }
}

/* A PostgreSQL system column: refused where the request has a PostgreSQL
 * instance (naming it), accepted for MySQL and SQLite only. */
static void test_names__postgres_system_columns(void **state)
{
    static const char *const sys[] = {"xmin", "xmax", "cmin",
                                      "cmax", "ctid", "tableoid"};
    form_context c = context(1);

    (void)state;
    for (size_t i = 0; i < sizeof sys / sizeof *sys; i++) {
        form_request r;
        char *m, want[64];
        request(&r, "visits", sys[i], "acme-prod", "acme-qa");
        m = validate(&r, &c, "items[0].columns[1].name");
        assert_non_null(m);
        assert_non_null(strstr(m, "PostgreSQL"));
        assert_non_null(strstr(m, "acme-qa"));
        snprintf(want, sizeof want, "%s_value", sys[i]);
        assert_non_null(strstr(m, want));
        free(m);
        request(&r, "visits", sys[i], "acme-prod", "acme-lite");
        assert_null(validate(&r, &c, "items[0].columns[1].name"));
        /* a table may be named so, even in PostgreSQL */
        request(&r, sys[i], "note", "acme-qa", NULL);
        assert_null(validate(&r, &c, "items[0].table"));
    }
    /* PostgreSQL compares quoted names exactly: "Xmin" is a column of its
     * own there */
    {
        form_request r;
        request(&r, "visits", "Xmin", "acme-qa", NULL);
        assert_null(validate(&r, &c, "items[0].columns[1].name"));
    }
}

/* SQLite keeps names starting with sqlite_ (any case) for itself. */
static void test_names__sqlite_internal_tables(void **state)
{
    form_context c = context(1);
    form_request r;
    char *m;

    (void)state;
    request(&r, "SQLite_stats", "note", "acme-lite", NULL);
    m = validate(&r, &c, "items[0].table");
    assert_non_null(m);
    assert_non_null(strstr(m, "SQLite"));
    assert_non_null(strstr(m, "acme-lite"));
    free(m);
    request(&r, "sqlite_stats", "note", "acme-qa", "acme-prod");
    assert_null(validate(&r, &c, "items[0].table"));
    /* a column may start with sqlite_ */
    request(&r, "visits", "sqlite_note", "acme-lite", NULL);
    assert_null(validate(&r, &c, "items[0].columns[1].name"));
}

/* Without the instances' dialects every dialect counts. */
static void test_names__unknown_dialects_count_as_all(void **state)
{
    form_context c = context(0);
    form_request r;
    char *m;

    (void)state;
    request(&r, "visits", "ctid", "acme-lite", NULL);
    m = validate(&r, &c, "items[0].columns[1].name");
    assert_non_null(m);
    free(m);
    request(&r, "visits", "order", "acme-lite", NULL);
    assert_null(validate(&r, &c, "items[0].columns[1].name"));
    request(&r, "visits", "ctid", "acme-lite", NULL);
    m = validate(&r, NULL, "items[0].columns[1].name");
    assert_non_null(m);
    free(m);
}

/* Suggestions: suffixes, never an English plural, never reserved. */
static void test_names__suggestions(void **state)
{
    static const char *const words[] = {"query", "class", "key",  "order",
                                        "index", "plan",  "xmin", "by"};
    char out[160];

    (void)state;
    form_ident_suggest(out, sizeof out, "query");
    assert_string_equal(out, "query_value or query_name");
    form_ident_suggest(out, sizeof out, "ORDER");
    assert_string_equal(out, "order_value or order_name");
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        char a[80], b[80];
        form_ident_suggest(out, sizeof out, words[i]);
        assert_int_equal(sscanf(out, "%79s or %79s", a, b), 2);
        assert_null(form_reserved_in(a));
        assert_null(form_reserved_in(b));
        assert_int_equal(form_ident_check(a, NULL, 0), 0);
        assert_int_equal(form_ident_check(b, NULL, 0), 0);
        assert_null(strstr(out, "ys "));
        assert_null(strstr(out, "ss "));
    }
}

UFX_MAIN(cmocka_unit_test(test_names__reserved_words_are_accepted),
         cmocka_unit_test(test_names__postgres_system_columns),
         cmocka_unit_test(test_names__sqlite_internal_tables),
         cmocka_unit_test(test_names__unknown_dialects_count_as_all),
         cmocka_unit_test(test_names__suggestions))
