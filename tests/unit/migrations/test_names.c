/* test_names.c: the lint of table and column names. A reserved word is
 * quoted and warned about, with names to use instead (suffixes, no
 * English plurals); a name the dialect refuses even quoted (a PostgreSQL
 * system column, a "sqlite_" table in SQLite) gets its own warning, since
 * the statement will fail there: the form refuses such names only for the
 * dialects of the request's instances, and a PM may preview another. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "migrate.h"
#include "fixture.h"
#include "migrations_test.h"

static const migrate_warning *find(const migrate_result *res, migrate_lint rule,
                                   int item, int column)
{
    for (size_t i = 0; i < res->nwarnings; i++)
        if (res->warnings[i].rule == rule && res->warnings[i].item == item &&
            res->warnings[i].column == column)
            return &res->warnings[i];
    return NULL;
}

static void request(form_request *r)
{
    form_item *it;

    fx_request_init(r, 40, "Activity names");
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "sqlite_stats");
    fx_col(it, "query", "text", 1, "");
    fx_col(it, "xmin", "integer", 1, "");
    fx_col(it, "plan", "text", 1, "");
    fx_col(it, "Xmin", "integer", 1, "");
}

static void test_names__reserved_word_suggests_suffixes(void **state)
{
    form_request r;
    migrate_result res = {0};
    const migrate_warning *w;

    (void)state;
    request(&r);
    assert_int_equal(
        migrate_generate(&res, &r, SQL_SQLITE, MIGRATE_PLAIN, NULL, NULL), 0);
    w = find(&res, MIGRATE_LINT_RESERVED_WORD, 0, 0);
    assert_non_null(w);
    assert_non_null(strstr(w->message, "query_value or query_name"));
    assert_null(strstr(w->message, "querys"));
    assert_non_null(find(&res, MIGRATE_LINT_RESERVED_WORD, 0, 2)); /* plan */
    /* the text of the warning is in the files too */
    assert_non_null(strstr(res.files[0].content, "query_value or query_name"));
    migrate_result_dispose(&res);
    form_request_dispose(&r);
}

static void test_names__unusable_names(void **state)
{
    form_request r;
    migrate_result res = {0};
    const migrate_warning *w;

    (void)state;
    request(&r);
    assert_string_equal(migrate_lint_name(MIGRATE_LINT_UNUSABLE_NAME),
                        "name-refused-by-dialect");
    /* PostgreSQL: the column xmin, not "Xmin", not the table */
    assert_int_equal(
        migrate_generate(&res, &r, SQL_POSTGRES, MIGRATE_PLAIN, NULL, NULL), 0);
    w = find(&res, MIGRATE_LINT_UNUSABLE_NAME, 0, 1);
    assert_non_null(w);
    assert_non_null(strstr(w->message, "PostgreSQL"));
    assert_non_null(strstr(w->message, "xmin_value"));
    assert_null(find(&res, MIGRATE_LINT_UNUSABLE_NAME, 0, 3));
    assert_null(find(&res, MIGRATE_LINT_UNUSABLE_NAME, 0, -1));
    migrate_result_dispose(&res);
    /* SQLite: the table */
    assert_int_equal(
        migrate_generate(&res, &r, SQL_SQLITE, MIGRATE_PLAIN, NULL, NULL), 0);
    assert_non_null(find(&res, MIGRATE_LINT_UNUSABLE_NAME, 0, -1));
    assert_null(find(&res, MIGRATE_LINT_UNUSABLE_NAME, 0, 1));
    migrate_result_dispose(&res);
    /* MySQL takes both */
    assert_int_equal(
        migrate_generate(&res, &r, SQL_MYSQL, MIGRATE_PLAIN, NULL, NULL), 0);
    for (size_t i = 0; i < res.nwarnings; i++)
        assert_int_not_equal(res.warnings[i].rule, MIGRATE_LINT_UNUSABLE_NAME);
    migrate_result_dispose(&res);
    form_request_dispose(&r);
}

UFX_MAIN(cmocka_unit_test(test_names__reserved_word_suggests_suffixes),
         cmocka_unit_test(test_names__unusable_names))
