/* test_type.c: column types as the form states them (form_type_parse):
 * the accepted spellings, and parameters that overflow an int or carry
 * junk, which are refused rather than read as something else. */
#include "fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "form.h"

#include <stdio.h>
#include <string.h>

static void test_type__accepted_spellings(void **state)
{
    form_type t;
    errmsg err = {0};

    (void)state;
    assert_int_equal(form_type_parse(&t, "string(50)", &err), 0);
    assert_int_equal(t.kind, FORM_TYPE_STRING);
    assert_int_equal(t.length, 50);
    assert_int_equal(form_type_parse(&t, "String( 50 )", &err), 0);
    assert_int_equal(t.length, 50);
    assert_int_equal(form_type_parse(&t, "decimal(12,2)", &err), 0);
    assert_int_equal(t.kind, FORM_TYPE_DECIMAL);
    assert_int_equal(t.precision, 12);
    assert_int_equal(t.scale, 2);
    assert_int_equal(form_type_parse(&t, "decimal( 12 , 2 )", &err), 0);
    assert_int_equal(t.scale, 2);
    assert_int_equal(form_type_parse(&t, "decimal(12)", &err), 0);
    assert_int_equal(t.precision, 12);
    assert_int_equal(t.scale, 0);
}

static void test_type__overflow_and_junk_refused(void **state)
{
    static const char *const bad[] = {
        "decimal(4294967306,2)", /* 2^32 + 10: once read as (10,2) */
        "decimal(12,4294967298)",
        "string(4294967346)",
        "string(2147483648)",
        "string(99999999999999999999)",
        "string(-5)",
        "string(50)x",
        "string(50",
        "string()",
        "string(,)",
        "decimal(12,2,3)",
        "decimal(12,)",
        "decimal(,2)",
        "string",
    };
    form_type t;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        errmsg err = {0};
        if (form_type_parse(&t, bad[i], &err) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(err.code, ERR_INVALID);
    }
}

UFX_MAIN(cmocka_unit_test(test_type__accepted_spellings),
         cmocka_unit_test(test_type__overflow_and_junk_refused))
