/* Tests of core/buf.c: escaping per context and sticky limits. */
#include "fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

/* append(in) to an empty buf gives exactly want. */
static void appends(void (*append)(buf *, const char *), const char *in,
                    const char *want)
{
    buf b = {0};

    append(&b, in);
    ufx_buf_is(&b, want);
}

static void test_buf__html_escapes_all_five(void **state)
{
    (void)state;
    appends(buf_append_html, "<a href=\"x\" onclick='y'>&</a>",
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

static void test_buf__html_leaves_utf8_alone(void **state)
{
    (void)state;
    appends(buf_append_html, "Zürich – 東京", "Zürich – 東京");
}

static void test_buf__url_encodes_reserved(void **state)
{
    (void)state;
    appends(buf_append_url, "a b/c?d=e&f#g~h.i_j-k",
            "a%20b%2Fc%3Fd%3De%26f%23g~h.i_j-k");
    appends(buf_append_url, "é", "%C3%A9");
}

static void test_buf__json_escapes_quotes_controls_and_html(void **state)
{
    (void)state;
    appends(buf_append_json_str, "a\"b\\c\nd\x01</script>&",
            "\"a\\\"b\\\\c\\nd\\u0001\\u003c/script\\u003e\\u0026\"");
}

static void test_buf__csv_quotes_and_neutralises_formulas(void **state)
{
    buf b = {0};

    (void)state;
    buf_append_csv(&b, "plain");
    buf_putc(&b, ',');
    buf_append_csv(&b, "a,\"b\"");
    buf_putc(&b, ',');
    buf_append_csv(&b, "=HYPERLINK(\"http://x\")");
    buf_putc(&b, ',');
    buf_append_csv(&b, "-1");
    buf_putc(&b, ',');
    buf_append_csv(&b, "@cmd");
    ufx_buf_is(&b, "plain,\"a,\"\"b\"\"\",\"'=HYPERLINK(\"\"http://x\"\")"
                   "\",\"'-1\",\"'@cmd\"");
}

static void test_buf__limit_is_sticky(void **state)
{
    buf b = {0};

    (void)state;
    b.max = 8;
    buf_puts(&b, "12345");
    assert_int_equal(buf_error(&b), 0);
    buf_puts(&b, "6789");
    assert_int_equal(buf_error(&b), ERR_TOOBIG);
    buf_puts(&b, "x");
    assert_string_equal(buf_cstr(&b), "12345");
    assert_int_equal(b.len, 5);
    buf_dispose(&b);
}

static void test_buf__appendf_and_detach(void **state)
{
    buf b = {0};
    char *s;

    (void)state;
    assert_string_equal(buf_cstr(&b), "");
    buf_appendf(&b, "%d-%s", 42, "x");
    s = buf_detach(&b);
    assert_string_equal(s, "42-x");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(s);
    s = buf_detach(&b);
    assert_string_equal(s, "");
    free(s);
}

UFX_MAIN(cmocka_unit_test(test_buf__html_escapes_all_five),
         cmocka_unit_test(test_buf__html_leaves_utf8_alone),
         cmocka_unit_test(test_buf__url_encodes_reserved),
         cmocka_unit_test(test_buf__json_escapes_quotes_controls_and_html),
         cmocka_unit_test(test_buf__csv_quotes_and_neutralises_formulas),
         cmocka_unit_test(test_buf__limit_is_sticky),
         cmocka_unit_test(test_buf__appendf_and_detach))
