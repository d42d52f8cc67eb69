/* test_version.c: one request has one migration version, whatever the
 * instance its files are generated for and whenever they are generated.
 * The QA and production stubs of one request once got versions one
 * second apart (the version was created_at plus the instance's index):
 * the same change would then be two migrations to a tool that keeps both
 * files in one directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "migrate.h"
#include "fixture.h"
#include "migrations_test.h"

#include <stdio.h>

/* text without its "-- Instance: " and "-- Generated: " header lines, the
 * only lines allowed to name the instance or the time (caller frees). */
static char *without_instance_and_time(const char *text)
{
    buf b = {0};
    const char *line = text;

    while (*line) {
        size_t n = strcspn(line, "\n");
        if (!str_startswith(line, "-- Instance: ") &&
            !str_startswith(line, "-- Generated: "))
            buf_append(&b, line, n);
        line += n;
        if (*line == '\n') {
            buf_putc(&b, '\n');
            line++;
        }
    }
    return buf_detach(&b);
}

static void generate_for(migrate_result *res, const form_request *r,
                         sql_dialect d, migrate_format f, const char *instance,
                         int64_t now)
{
    migrate_options opt = {"https://docket.example.com", now, instance};
    errmsg err = {0};

    memset(res, 0, sizeof *res);
    if (migrate_generate(res, r, d, f, &opt, &err) < 0)
        fail_msg("migrate_generate for %s: %s", instance ? instance : "(main)",
                 err.msg);
}

/* QA at one wall-clock second, production at the next and an hour later,
 * and the main instance without a time: the same file names (so the same
 * version) and the same statements, in every dialect and format. */
static void test_version__same_for_every_instance_and_time(void **state)
{
    form_request r;
    int64_t now = 0;

    (void)state;
    fixture_request(&r);
    time_parse_iso(&now, "2026-12-05T16:27:12Z");
    for (int d = 0; d < SQL_NDIALECTS; d++)
        for (int f = 0; f < MIGRATE_NFORMATS; f++) {
            migrate_result qa, prod, later, main_inst;
            generate_for(&qa, &r, (sql_dialect)d, (migrate_format)f, "acme_qa",
                         now);
            generate_for(&prod, &r, (sql_dialect)d, (migrate_format)f,
                         "acme_prod", now + 1);
            generate_for(&later, &r, (sql_dialect)d, (migrate_format)f,
                         "acme_prod", now + 3600);
            generate_for(&main_inst, &r, (sql_dialect)d, (migrate_format)f,
                         NULL, 0);
            assert_int_equal(qa.nfiles, prod.nfiles);
            assert_int_equal(qa.nfiles, later.nfiles);
            assert_int_equal(qa.nfiles, main_inst.nfiles);
            for (size_t i = 0; i < qa.nfiles; i++) {
                char *a = without_instance_and_time(qa.files[i].content);
                char *b = without_instance_and_time(prod.files[i].content);
                char *c = without_instance_and_time(later.files[i].content);
                if (strcmp(qa.files[i].name, prod.files[i].name))
                    fail_msg("%s %s: QA gets %s, production %s",
                             sql_dialect_name((sql_dialect)d),
                             migrate_format_name((migrate_format)f),
                             qa.files[i].name, prod.files[i].name);
                assert_string_equal(qa.files[i].name, later.files[i].name);
                assert_string_equal(qa.files[i].name, main_inst.files[i].name);
                /* the version is the request's submission time */
                assert_non_null(strstr(qa.files[i].name, "20260303140000"));
                assert_string_equal(a, b);
                assert_string_equal(a, c);
                free(a);
                free(b);
                free(c);
            }
            /* the header still says which instance the file is for */
            assert_non_null(
                strstr(qa.files[0].content, "-- Instance: acme_qa ("));
            assert_non_null(
                strstr(prod.files[0].content, "-- Instance: acme_prod ("));
            migrate_result_dispose(&qa);
            migrate_result_dispose(&prod);
            migrate_result_dispose(&later);
            migrate_result_dispose(&main_inst);
        }
    form_request_dispose(&r);
}

/* The order the instances are listed in does not matter either. */
static void test_version__instance_order_does_not_matter(void **state)
{
    form_request r;
    migrate_result a, b;
    char *tmp;

    (void)state;
    fixture_request(&r);
    generate_for(&a, &r, SQL_POSTGRES, MIGRATE_FLYWAY, "acme_prod", 0);
    tmp = r.instances[0];
    r.instances[0] = r.instances[1];
    r.instances[1] = tmp;
    generate_for(&b, &r, SQL_POSTGRES, MIGRATE_FLYWAY, "acme_prod", 0);
    assert_string_equal(a.files[0].name, b.files[0].name);
    assert_string_equal(a.files[0].name,
                        "V20260303140000__cr_12_add_loyalty_tier.sql");
    migrate_result_dispose(&a);
    migrate_result_dispose(&b);
    form_request_dispose(&r);
}

UFX_MAIN(cmocka_unit_test(test_version__same_for_every_instance_and_time),
         cmocka_unit_test(test_version__instance_order_does_not_matter))
