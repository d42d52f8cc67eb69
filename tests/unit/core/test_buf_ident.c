/* Tests of buf_append_html_ident: a name escaped for HTML that may wrap
 * only after "_" or ".", never inside a word. */
#include "fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"

static void ident_is(const char *in, const char *want)
{
    buf b = {0};

    buf_append_html_ident(&b, in);
    ufx_buf_is(&b, want);
}

static void test_buf_ident__breaks_after_underscores_and_dots(void **state)
{
    (void)state;
    ident_is("store_visits", "store_<wbr>visits");
    ident_is("cr_1_up.sql", "cr_<wbr>1_<wbr>up.<wbr>sql");
    ident_is("customers", "customers");
}

static void test_buf_ident__none_at_the_ends(void **state)
{
    (void)state;
    ident_is("_a_", "_<wbr>a_");
    ident_is("", "");
    ident_is(".", ".");
}

static void test_buf_ident__escapes(void **state)
{
    (void)state;
    ident_is("<b>_\"x\"&'", "&lt;b&gt;_<wbr>&quot;x&quot;&amp;&#39;");
    ident_is("zürich_東京", "zürich_<wbr>東京");
}

static void test_buf_ident__null_writes_nothing(void **state)
{
    buf b = {0};

    (void)state;
    buf_append_html_ident(&b, NULL);
    assert_string_equal(buf_cstr(&b), "");
}

UFX_MAIN(cmocka_unit_test(test_buf_ident__breaks_after_underscores_and_dots),
         cmocka_unit_test(test_buf_ident__none_at_the_ends),
         cmocka_unit_test(test_buf_ident__escapes),
         cmocka_unit_test(test_buf_ident__null_writes_nothing))
