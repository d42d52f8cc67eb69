/* test_multiline_text.c: multi-line descriptions in the registry: the CSV
 * import (a quoted cell over several lines) and a manual edit keep every
 * line, with CR LF and a lone CR made LF as the form does, and the
 * history keeps the same text; names stay single-line. */
#include "fixture.h"
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    ufx *f = ufx_open("multiline");

    ufx_people(f, "postgres");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    ufx_close(*state);
    return 0;
}

static void expect_text(ufx *f, const char *sql, const char *want)
{
    char *got = ufx_text(f, sql);

    if (strcmp(got, want))
        fail_msg("%s\ngave [%s]\nnot  [%s]", sql, got, want);
    free(got);
}

static void test_multiline__import(void **state)
{
    ufx *f = *state;
    /* the file's records end in CR LF, the cells hold CR LF and a lone CR */
    static const char csv[] =
        "table,column,type,description,table_description\r\n"
        "visits,,,,\"One row per visit.\r\nFrom the shop.\rSee "
        "\"\"wiki\"\".\"\r\n"
        "visits,visit_id,bigint,\"Key;\r\n-- not SQL */\r\n\r\nlast\",\r\n";

    ufx_import(f, "acme-prod", csv);
    expect_text(f, "SELECT description FROM reg_tables WHERE name = 'visits'",
                "One row per visit.\nFrom the shop.\nSee \"wiki\".");
    expect_text(f,
                "SELECT description FROM reg_columns WHERE name = 'visit_id'",
                "Key;\n-- not SQL */\n\nlast");
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history WHERE"
                                " instr(coalesce(new_value, ''), char(13))"),
                     0);
    /* the same text again (now with LF) changes nothing */
    ufx_import(f, "acme-prod",
               "table,column,type,description\n"
               "visits,visit_id,bigint,\"Key;\n-- not SQL */\n\nlast\"\n");
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history WHERE"
                                " field = 'description' AND old_value <> ''"),
                     0);
}

static void test_multiline__edit(void **state)
{
    ufx *f = *state;
    registry_field_value set[] = {{"description", "first\r\nsecond\rthird"}};
    errmsg err = {0};
    int changed = 0;

    ufx_import(f, "acme-prod", "table,column,type\nvisits,visit_id,bigint\n");
    assert_int_equal(
        registry_table_edit(f->reg, "acme-prod", "visits", "visit_id", set, 1,
                            f->pm, "from the data dictionary", &changed, &err),
        0);
    assert_int_equal(changed, 1);
    expect_text(f,
                "SELECT description FROM reg_columns WHERE name = 'visit_id'",
                "first\nsecond\nthird");
    expect_text(f,
                "SELECT new_value FROM registry_history WHERE field ="
                " 'description' ORDER BY id DESC LIMIT 1",
                "first\nsecond\nthird");
    /* a single-line field refuses a line break */
    set[0].field = "example";
    set[0].value = "a\nb";
    assert_int_equal(registry_table_edit(f->reg, "acme-prod", "visits",
                                         "visit_id", set, 1, f->pm, "x", NULL,
                                         &err),
                     ERR_INVALID);
}

UFX_MAIN(cmocka_unit_test_setup_teardown(test_multiline__import, setup,
                                         teardown),
         cmocka_unit_test_setup_teardown(test_multiline__edit, setup, teardown))
