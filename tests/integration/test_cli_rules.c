/* test_cli_rules.c: the command line runs the same use cases as the web,
 * with the same rules: `docket import --user EMAIL` imports with that
 * user's rights (project managers and admins; ops and clients are refused
 * and nothing is written), without --user as the console. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;

static int setup(void **state)
{
    h_server_start(&srv, NULL);
    h_world(&srv, "acme-prod pat oz ann");
    *state = &srv;
    return 0;
}

static const char *csv_file(const char *name, const char *table)
{
    static char path[700];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s.csv", srv.dir, name);
    f = fopen(path, "w");
    if (!f ||
        fprintf(f, "table,column,type\n%s,member_id,bigint\n", table) < 0 ||
        fclose(f) != 0)
        fail_msg("cannot write %s", path);
    return path;
}

static void test_import_refused_to_ops_and_clients(void **state)
{
    (void)state;
    const char *who[] = {"oz@platform.example", "ann@acme.example"};

    for (size_t i = 0; i < 2; i++) {
        char *before = h_db_digest(&srv);
        char *out = NULL;
        int rc = h_docket(&srv, NULL, &out, "import", "--instance", "acme-prod",
                          csv_file("refused", "refused_members"), "--user",
                          who[i], NULL);
        assert_int_equal(rc, 2);
        assert_non_null(strstr(out, "Only project managers and admins"));
        h_unchanged(&srv, before, who[i]);
        free(out);
        free(before);
    }
}

static void test_import_as_pm_and_console(void **state)
{
    (void)state;
    char *out = NULL;

    assert_int_equal(h_docket(&srv, NULL, &out, "import", "--instance",
                              "acme-prod", csv_file("pm", "pm_members"),
                              "--user", "pat@platform.example", NULL),
                     0);
    assert_non_null(strstr(out, "1 table created"));
    free(out);
    out = NULL;
    assert_int_equal(h_docket(&srv, NULL, &out, "import", "--instance",
                              "acme-prod", csv_file("cli", "cli_members"),
                              NULL),
                     0);
    free(out);
    assert_int_equal(h_db_int(&srv,
                              "SELECT count(*) FROM reg_tables WHERE name IN "
                              "('pm_members', 'cli_members')"),
                     2);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM audit_log WHERE "
                                    "action = 'registry.import'"),
                     2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_refused_to_ops_and_clients),
        cmocka_unit_test(test_import_as_pm_and_console),
    };
    return cmocka_run_group_tests(tests, setup, h_group_down);
}
