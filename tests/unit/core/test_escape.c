/* Tests of the output escapers against hostile bytes: the JSON string
 * escaper never emits ill-formed UTF-8 (overlongs, surrogates, code points
 * above U+10FFFF, stray continuation bytes and sequences cut at the end
 * each become U+FFFD), the CSV cell neutraliser covers every prefix a
 * spreadsheet reads as a formula, and bidi / invisible format characters
 * can be stripped from names. */
#include "fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define FFFD "\xEF\xBF\xBD"

/* The escaper's output for s: valid UTF-8, parses as a JSON string, and
 * equals want (without the quotes). */
static void json_is(const char *s, const char *want)
{
    buf b = {0};
    cJSON *j;

    buf_append_json_str(&b, s);
    assert_true(str_utf8_valid(buf_cstr(&b), b.len));
    j = cJSON_Parse(buf_cstr(&b));
    assert_non_null(j);
    assert_true(cJSON_IsString(j));
    assert_string_equal(j->valuestring, want);
    cJSON_Delete(j);
    buf_dispose(&b);
}

static void test_escape__json_keeps_valid_utf8(void **state)
{
    (void)state;
    json_is("Zürich – 東京 😀", "Zürich – 東京 😀");
    json_is("\xEF\xBF\xBD", FFFD);                   /* U+FFFD itself */
    json_is("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"); /* U+10FFFF */
    json_is("\xED\x9F\xBF", "\xED\x9F\xBF");         /* U+D7FF */
    json_is("\xEE\x80\x80", "\xEE\x80\x80");         /* U+E000 */
}

static void test_escape__json_replaces_invalid_bytes(void **state)
{
    (void)state;
    json_is("\xff\xfe", FFFD FFFD);
    json_is("a\x80"
            "b",
            "a" FFFD "b");          /* stray continuation byte */
    json_is("\xC0\xAF", FFFD FFFD); /* overlong '/' */
    json_is("\xC1\xBF", FFFD FFFD);
    json_is("\xE0\x80\xAF", FFFD FFFD FFFD); /* overlong, 3 bytes */
    json_is("\xF0\x80\x80\xAF", FFFD FFFD FFFD FFFD);
    json_is("\xED\xA0\x80", FFFD FFFD FFFD);          /* surrogate U+D800 */
    json_is("\xED\xBF\xBF", FFFD FFFD FFFD);          /* surrogate U+DFFF */
    json_is("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* U+110000 */
    json_is("\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD);
    json_is("\xF8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD);
}

static void test_escape__json_replaces_truncated_sequences(void **state)
{
    (void)state;
    /* One U+FFFD per maximal ill-formed subpart (as browsers decode). */
    json_is("ab\xE2\x82", "ab" FFFD);
    json_is("ab\xF0\x9F\x98", "ab" FFFD);
    json_is("ab\xC3", "ab" FFFD);
    json_is("\xE2\x82x", FFFD "x");
    json_is("\xF0\x9F\x98\"", FFFD "\"");
    json_is("\xE2\x82\xE2\x82\xAC", FFFD "\xE2\x82\xAC");
}

static void test_escape__json_still_escapes_markup(void **state)
{
    buf b = {0};

    (void)state;
    buf_append_json_str(&b, "\xff<script>\"\n");
    ufx_buf_is(&b, "\"" FFFD "\\u003cscript\\u003e\\\"\\n\"");
}

static void test_escape__utf8_next_lengths(void **state)
{
    static const struct {
        const char *s;
        size_t n;
        int want;
    } cases[] = {
        {"a", 1, 1},
        {"\xC3\xA9", 2, 2},
        {"\xE2\x82\xAC", 3, 3},
        {"\xF0\x9F\x98\x80", 4, 4},
        {"\xC3\xA9", 1, -1}, /* cut by n */
        {"\xE2\x82\xAC", 2, -2},
        {"\xED\xA0\x80", 3, -1},
        {"\xF4\x90\x80\x80", 4, -1},
        {"\xF0\x9F\x98z", 4, -3},
        {"\x80", 1, -1},
    };

    (void)state;
    for (size_t i = 0; i < UFX_NELEM(cases); i++)
        if (str_utf8_next(cases[i].s, cases[i].n) != cases[i].want)
            fail_msg("case %zu: %d, not %d", i,
                     str_utf8_next(cases[i].s, cases[i].n), cases[i].want);
}

static void test_escape__append_utf8_scrubs(void **state)
{
    buf b = {0};
    const char in[] = "{\"q\":\"\xff\xC0\xAF\xE2\x82\"}";

    (void)state;
    buf_append_utf8(&b, in, sizeof in - 1);
    ufx_buf_is(&b, "{\"q\":\"" FFFD FFFD FFFD FFFD "\"}");
    buf_append_utf8(&b, "plain é", strlen("plain é"));
    ufx_buf_is(&b, "plain é");
}

static void csv_is(const char *s, const char *want)
{
    buf b = {0};

    buf_append_csv(&b, s);
    ufx_buf_is(&b, want);
}

static void test_escape__csv_neutralises_formula_prefixes(void **state)
{
    (void)state;
    csv_is("=1+1", "\"'=1+1\"");
    csv_is("+1", "\"'+1\"");
    csv_is("-1", "\"'-1\"");
    csv_is("@SUM(A1)", "\"'@SUM(A1)\"");
    csv_is("\tx", "\"'\tx\"");
    csv_is("\rx", "\"'\rx\"");
    /* whitespace before the formula character */
    csv_is(" =1+1", "\"' =1+1\"");
    csv_is("  @x", "\"'  @x\"");
    csv_is("\t=cmd", "\"'\t=cmd\"");
    csv_is("\n+1", "\"'\n+1\"");
    csv_is("\r\n-1", "\"'\r\n-1\"");
    /* DDE-style pipes and separators */
    csv_is("|cmd", "\"'|cmd\"");
    csv_is(";x", "\"';x\"");
    /* harmless cells stay as they are */
    csv_is("a=b", "a=b");
    csv_is(" a", " a");
    csv_is("x|y", "x|y");
    csv_is("", "");
    assert_true(buf_csv_is_risky(" \t=1"));
    assert_false(buf_csv_is_risky("1-2"));
    assert_false(buf_csv_is_risky(""));
}

static void strip_is(const char *s, const char *want)
{
    char *got = str_strip_format_dup(s);

    assert_string_equal(got, want);
    free(got);
}

static void test_escape__strip_bidi_and_invisible(void **state)
{
    (void)state;
    /* U+202E RIGHT-TO-LEFT OVERRIDE: "exe.csv" would show as "vsc.exe" */
    strip_is("\xE2\x80\xAE"
             "exe.csv",
             "exe.csv");
    strip_is("a\xE2\x80\xAA"
             "b\xE2\x80\xAB"
             "c\xE2\x80\xAC"
             "d\xE2\x80\xAD"
             "e",
             "abcde");
    strip_is("a\xE2\x81\xA6"
             "b\xE2\x81\xA7"
             "c\xE2\x81\xA8"
             "d\xE2\x81\xA9"
             "e",
             "abcde");
    strip_is("z\xE2\x80\x8B"
             "w\xE2\x80\x8C"
             "n\xE2\x80\x8D"
             "j\xE2\x80\x8E"
             "l\xE2\x80\x8F"
             "r",
             "zwnjlr");
    strip_is("\xEF\xBB\xBF"
             "bom.txt",
             "bom.txt");
    strip_is("x\xD8\x9C"
             "y",
             "xy"); /* U+061C ARABIC LETTER MARK */
    strip_is("x\xE2\x81\xA0"
             "y",
             "xy"); /* U+2060 WORD JOINER */
    /* other text is kept */
    strip_is("Zürich – 東京 ٣.csv", "Zürich – 東京 ٣.csv");
    strip_is("", "");
}

UFX_MAIN(cmocka_unit_test(test_escape__json_keeps_valid_utf8),
         cmocka_unit_test(test_escape__json_replaces_invalid_bytes),
         cmocka_unit_test(test_escape__json_replaces_truncated_sequences),
         cmocka_unit_test(test_escape__json_still_escapes_markup),
         cmocka_unit_test(test_escape__utf8_next_lengths),
         cmocka_unit_test(test_escape__append_utf8_scrubs),
         cmocka_unit_test(test_escape__csv_neutralises_formula_prefixes),
         cmocka_unit_test(test_escape__strip_bidi_and_invisible))
