/* Tests of core/str.c: every function of str.h at its edges: empty
 * strings, NULL where the header allows it, the boundaries of each range,
 * and UTF-8 that is overlong, a surrogate, above U+10FFFF or cut short.
 * (str_local_path_ok has its own file, test_local_path.c.) */
#include "fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "str.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define VALID(s) str_utf8_valid(s, sizeof s - 1)

/* ---- str_utf8_valid ---- */

static void test_str__utf8_valid_accepts_every_length(void **state)
{
    (void)state;
    assert_int_equal(str_utf8_valid("", 0), 1);
    assert_int_equal(VALID("plain ascii"), 1);
    assert_int_equal(VALID("\x7f"), 1);
    assert_int_equal(VALID("\xc2\x80"), 1);         /* U+0080 */
    assert_int_equal(VALID("\xdf\xbf"), 1);         /* U+07FF */
    assert_int_equal(VALID("\xe0\xa0\x80"), 1);     /* U+0800 */
    assert_int_equal(VALID("\xed\x9f\xbf"), 1);     /* U+D7FF */
    assert_int_equal(VALID("\xee\x80\x80"), 1);     /* U+E000 */
    assert_int_equal(VALID("\xef\xbf\xbf"), 1);     /* U+FFFF */
    assert_int_equal(VALID("\xf0\x90\x80\x80"), 1); /* U+10000 */
    assert_int_equal(VALID("\xf4\x8f\xbf\xbf"), 1); /* U+10FFFF */
    assert_int_equal(VALID("Zürich – 東京 🙂"), 1);
    /* An embedded NUL is a character like any other: n counts. */
    assert_int_equal(str_utf8_valid("a\0b", 3), 1);
}

static void test_str__utf8_valid_refuses_overlongs(void **state)
{
    (void)state;
    assert_int_equal(VALID("\xc0\x80"), 0);         /* NUL in two bytes */
    assert_int_equal(VALID("\xc0\xaf"), 0);         /* '/' */
    assert_int_equal(VALID("\xc1\xbf"), 0);         /* U+007F */
    assert_int_equal(VALID("\xe0\x80\xaf"), 0);     /* '/' in three */
    assert_int_equal(VALID("\xe0\x9f\xbf"), 0);     /* U+07FF in three */
    assert_int_equal(VALID("\xf0\x80\x80\xaf"), 0); /* '/' in four */
    assert_int_equal(VALID("\xf0\x8f\xbf\xbf"), 0); /* U+FFFF in four */
}

static void test_str__utf8_valid_refuses_surrogates(void **state)
{
    (void)state;
    assert_int_equal(VALID("\xed\xa0\x80"), 0); /* U+D800 */
    assert_int_equal(VALID("\xed\xad\xbf"), 0); /* U+DB7F */
    assert_int_equal(VALID("\xed\xb0\x80"), 0); /* U+DC00 */
    assert_int_equal(VALID("\xed\xbf\xbf"), 0); /* U+DFFF */
    /* a CESU-8 pair for U+1F642 */
    assert_int_equal(VALID("\xed\xa0\xbd\xed\xb9\x82"), 0);
}

static void test_str__utf8_valid_refuses_out_of_range(void **state)
{
    (void)state;
    assert_int_equal(VALID("\xf4\x90\x80\x80"), 0); /* U+110000 */
    assert_int_equal(VALID("\xf5\x80\x80\x80"), 0);
    assert_int_equal(VALID("\xf7\xbf\xbf\xbf"), 0);
    assert_int_equal(VALID("\xf8\x88\x80\x80\x80"), 0); /* 5-byte form */
    assert_int_equal(VALID("\xfc\x84\x80\x80\x80\x80"), 0);
    assert_int_equal(VALID("\xfe"), 0);
    assert_int_equal(VALID("\xff"), 0);
}

static void test_str__utf8_valid_refuses_broken_sequences(void **state)
{
    (void)state;
    assert_int_equal(VALID("\x80"), 0); /* lone continuation */
    assert_int_equal(VALID("a\xbf"), 0);
    assert_int_equal(VALID("\xc3"), 0); /* cut at the end */
    assert_int_equal(VALID("\xe2\x82"), 0);
    assert_int_equal(VALID("\xf0\x9f\x99"), 0);
    assert_int_equal(VALID("\xc3(a"), 0); /* not a continuation */
    assert_int_equal(VALID("\xe2\x28\xa1"), 0);
    assert_int_equal(VALID("\xf0\x9f\x99\x28"), 0);
    /* n cuts a valid character: only n bytes count */
    assert_int_equal(str_utf8_valid("\xc3\xa9", 1), 0);
    assert_int_equal(str_utf8_valid("\xf0\x9f\x99\x82", 3), 0);
    assert_int_equal(str_utf8_valid("ab\xc3\xa9", 2), 1);
}

/* ---- str_utf8_next ---- */

/* str_utf8_next(s, n) == want for each case. */
typedef struct next_case {
    int want;
    const char *s;
    size_t n;
} next_case;

static void next_all(const next_case *c, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (str_utf8_next(c[i].s, c[i].n) != c[i].want)
            fail_msg("case %zu: %d, not %d", i, str_utf8_next(c[i].s, c[i].n),
                     c[i].want);
}

static void test_str__utf8_next_lengths(void **state)
{
    /* the length of the first character; n bytes may be read */
    static const next_case cases[] = {
        {1, "a", 1},
        {1, "", 1}, /* NUL is one character */
        {2, "\xc2\x80", 2},
        {3, "\xe0\xa0\x80", 3},
        {3, "\xed\x9f\xbf", 3},
        {4, "\xf0\x90\x80\x80", 4},
        {4, "\xf4\x8f\xbf\xbf", 4},
        /* n larger than the character: only the character counts */
        {2, "\xc3\xa9xyz", 5},
    };

    (void)state;
    next_all(cases, UFX_NELEM(cases));
}

static void test_str__utf8_next_maximal_subparts(void **state)
{
    /* -k: the first k bytes are one maximal ill-formed subpart */
    static const next_case cases[] = {
        /* bytes that never start a character: one U+FFFD each */
        {-1, "\x80", 1},
        {-1, "\xbf", 1},
        {-1, "\xc0\x80", 2},
        {-1, "\xc1\xbf", 2},
        {-1, "\xf5\x80\x80\x80", 4},
        {-1, "\xff", 1},
        /* the second byte out of the lead's range (Unicode table 3-7) */
        {-1, "\xe0\x80\x80", 3}, /* overlong */
        {-1, "\xe0\x9f\xbf", 3},
        {-1, "\xed\xa0\x80", 3}, /* surrogate */
        {-1, "\xf0\x8f\xbf\xbf", 4},
        {-1, "\xf4\x90\x80\x80", 4}, /* >10FFFF */
        /* a good start cut by a byte that cannot continue it */
        {-1, "\xc3(", 2},
        {-2, "\xe2\x82(", 3},
        {-3, "\xf0\x9f\x99(", 4},
        /* ... or by the end of the n bytes (the NUL of a C string too) */
        {-2, "\xe2\x82", 2},
        {-3, "\xf0\x9f\x99\x82", 3},
        {-2, "\xf0\x9f", 4},
    };

    (void)state;
    next_all(cases, UFX_NELEM(cases));
}

/* ---- str_format_char_len, str_strip_format_dup ---- */

static void test_str__format_chars_found(void **state)
{
    static const char *const fmt[] = {
        "\xd8\x9c",     /* U+061C arabic letter mark */
        "\xe1\xa0\x8e", /* U+180E */
        "\xe2\x80\x8b", /* U+200B */
        "\xe2\x80\x8f", /* U+200F */
        "\xe2\x80\xa8", /* U+2028 */
        "\xe2\x80\xae", /* U+202E right-to-left override */
        "\xe2\x81\xa0", /* U+2060 */
        "\xe2\x81\xa4", /* U+2064 */
        "\xe2\x81\xa6", /* U+2066 */
        "\xe2\x81\xaf", /* U+206F */
        "\xef\xbb\xbf", /* U+FEFF */
        "\xef\xbf\xb9", /* U+FFF9 */
        "\xef\xbf\xbb", /* U+FFFB */
    };

    (void)state;
    for (size_t i = 0; i < sizeof fmt / sizeof *fmt; i++)
        assert_int_equal(str_format_char_len(fmt[i]), strlen(fmt[i]));
}

static void test_str__format_chars_neighbours_not_found(void **state)
{
    static const char *const other[] = {
        "",
        "a",
        "\xd8\x9b",     /* U+061B */
        "\xe1\xa0\x8d", /* U+180D */
        "\xe2\x80\x8a", /* U+200A hair space: visible width */
        "\xe2\x80\x90", /* U+2010 */
        "\xe2\x80\xa7", /* U+2027 */
        "\xe2\x80\xaf", /* U+202F */
        "\xe2\x81\x9f", /* U+205F */
        "\xe2\x81\xa5", /* U+2065 unassigned */
        "\xe2\x81\xb0", /* U+2070 */
        "\xef\xbb\xbe", /* U+FEFE */
        "\xef\xbf\xb8", /* U+FFF8 */
        "\xef\xbf\xbc", /* U+FFFC */
        "\xe2\x80",     /* cut short */
        "\xe2",
        "\xe0\x80\x8b", /* overlong U+000B */
    };

    (void)state;
    for (size_t i = 0; i < sizeof other / sizeof *other; i++)
        if (str_format_char_len(other[i]) != 0)
            fail_msg("item %zu counted as a format character", i);
}

static void test_str__strip_format_dup(void **state)
{
    char *s;

    (void)state;
    s = str_strip_format_dup("\xe2\x80\xae"
                             "exe.csv");
    assert_string_equal(s, "exe.csv");
    free(s);
    s = str_strip_format_dup("a\xe2\x80\x8b"
                             "b\xef\xbb\xbf"
                             "c\xd8\x9c");
    assert_string_equal(s, "abc");
    free(s);
    s = str_strip_format_dup("");
    assert_string_equal(s, "");
    free(s);
    s = str_strip_format_dup("Zürich – 東京");
    assert_string_equal(s, "Zürich – 東京");
    free(s);
    /* only format characters: nothing left */
    s = str_strip_format_dup("\xe2\x81\xa6\xe2\x81\xa9");
    assert_string_equal(s, "");
    free(s);
}

/* ---- str_utf8_len, str_has_ctl ---- */

static void test_str__utf8_len(void **state)
{
    (void)state;
    assert_int_equal(str_utf8_len(""), 0);
    assert_int_equal(str_utf8_len("abc"), 3);
    assert_int_equal(str_utf8_len("é"), 1);
    assert_int_equal(str_utf8_len("東京"), 2);
    assert_int_equal(str_utf8_len("🙂x"), 2);
}

static void test_str__has_ctl(void **state)
{
    static const char *const plain[] = {"", "tab\tnewline\ncr\r", "space ~ é"};
    /* DEL counts too (the code's rule; the header names only < 0x20) */
    static const char *const ctl[] = {"\x01", "bell\a", "esc\x1b[0m", "x\x1f",
                                      "\v",   "\f",     "del\x7f"};

    (void)state;
    ufx_each_is(str_has_ctl, plain, UFX_NELEM(plain), 0);
    ufx_each_is(str_has_ctl, ctl, UFX_NELEM(ctl), 1);
}

/* ---- comparison ---- */

static void test_str__casecmp(void **state)
{
    (void)state;
    assert_int_equal(str_casecmp("", ""), 0);
    assert_int_equal(str_casecmp("Customers", "cUSTOMERS"), 0);
    assert_int_equal(str_casecmp("A_Z@[`{", "a_z@[`{"), 0);
    assert_true(str_casecmp("a", "b") < 0);
    assert_true(str_casecmp("B", "a") > 0);
    assert_true(str_casecmp("abc", "ab") > 0);
    assert_true(str_casecmp("", "a") < 0);
    /* '@' and '[' sit next to 'A' and 'Z' but have no case */
    assert_int_not_equal(str_casecmp("@", "`"), 0);
    assert_int_not_equal(str_casecmp("[", "{"), 0);
    /* ASCII only: no locale folds É into é */
    assert_int_not_equal(str_casecmp("\xc3\x89", "\xc3\xa9"), 0);
    /* bytes above 0x7F compare as unsigned */
    assert_true(str_casecmp("\xff", "a") > 0);
}

static void test_str__ncasecmp(void **state)
{
    (void)state;
    assert_int_equal(str_ncasecmp("abc", "xyz", 0), 0);
    assert_int_equal(str_ncasecmp("ABCdef", "abcXYZ", 3), 0);
    assert_true(str_ncasecmp("ABCdef", "abcXYZ", 4) < 0);
    assert_int_equal(str_ncasecmp("ab", "AB", 10), 0);
    assert_true(str_ncasecmp("ab", "abc", 10) < 0);
    assert_int_equal(str_ncasecmp("", "", 5), 0);
}

static void test_str__startswith(void **state)
{
    (void)state;
    assert_int_equal(str_startswith("/api/v1", "/api/"), 1);
    assert_int_equal(str_startswith("/api", "/api/"), 0);
    assert_int_equal(str_startswith("anything", ""), 1);
    assert_int_equal(str_startswith("", ""), 1);
    assert_int_equal(str_startswith("", "a"), 0);
    assert_int_equal(str_startswith("/API/v1", "/api/"), 0);
}

/* ---- str_trim_dup, str_lower, str_copy ---- */

static void test_str__trim_dup(void **state)
{
    static const char *const cases[][2] = {
        {"", ""},
        {"   ", ""},
        {" \t\r\n", ""},
        {"a", "a"},
        {"  a b  ", "a b"},
        {"\tx\n", "x"},
        {"\va\v", "\va\v"}, /* only space, tab, CR and LF are trimmed */
        {"\xc2\xa0x\xc2\xa0", "\xc2\xa0x\xc2\xa0"}, /* no-break space */
    };
    char *s;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        s = str_trim_dup(cases[i][0]);
        assert_string_equal(s, cases[i][1]);
        free(s);
    }
    s = str_trim_dup(NULL);
    assert_string_equal(s, "");
    free(s);
}

static void test_str__lower(void **state)
{
    char s[] = "AbC_Z09@[\xc3\x89";
    char e[] = "";

    (void)state;
    assert_ptr_equal(str_lower(s), s);
    assert_string_equal(s, "abc_z09@[\xc3\x89");
    assert_ptr_equal(str_lower(e), e);
    assert_string_equal(e, "");
}

static void test_str__copy(void **state)
{
    char d[6];

    (void)state;
    assert_int_equal(str_copy(d, sizeof d, "hello"), 0); /* just fits */
    assert_string_equal(d, "hello");
    assert_int_equal(str_copy(d, sizeof d, "hello!"), 1); /* one too many */
    assert_string_equal(d, "hello");
    assert_int_equal(str_copy(d, sizeof d, ""), 0);
    assert_string_equal(d, "");
    assert_int_equal(str_copy(d, sizeof d, NULL), 0); /* NULL copies as "" */
    assert_string_equal(d, "");
    assert_int_equal(str_copy(d, 1, "x"), 1);
    assert_string_equal(d, "");
    assert_int_equal(str_copy(d, 1, ""), 0);
}

/* ---- numbers ---- */

static void test_str__to_i64(void **state)
{
    int64_t v = 7;

    (void)state;
    assert_int_equal(str_to_i64(&v, "0"), 0);
    assert_int_equal(v, 0);
    assert_int_equal(str_to_i64(&v, "-42"), 0);
    assert_int_equal(v, -42);
    assert_int_equal(str_to_i64(&v, "007"), 0);
    assert_int_equal(v, 7);
    assert_int_equal(str_to_i64(&v, "9223372036854775807"), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(str_to_i64(&v, "-9223372036854775808"), 0);
    assert_true(v == INT64_MIN);

    v = 99;
    assert_int_equal(str_to_i64(&v, "9223372036854775808"), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, "-9223372036854775809"), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, NULL), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, ""), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, " 1"), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, "1 "), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, "+1"), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, "-"), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, "1e3"), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, "0x10"), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, "12abc"), ERR_INVALID);
    /* out is written only on success */
    assert_int_equal(v, 99);
}

static void test_str__to_int(void **state)
{
    int v = 5;

    (void)state;
    assert_int_equal(str_to_int(&v, "1", 1, 10), 0);
    assert_int_equal(v, 1);
    assert_int_equal(str_to_int(&v, "10", 1, 10), 0);
    assert_int_equal(v, 10);
    assert_int_equal(str_to_int(&v, "-3", -3, 3), 0);
    assert_int_equal(v, -3);
    assert_int_equal(str_to_int(&v, "2147483647", INT_MIN, INT_MAX), 0);
    assert_int_equal(v, INT_MAX);
    assert_int_equal(str_to_int(&v, "-2147483648", INT_MIN, INT_MAX), 0);
    assert_int_equal(v, INT_MIN);

    v = 5;
    assert_int_equal(str_to_int(&v, "0", 1, 10), ERR_INVALID);
    assert_int_equal(str_to_int(&v, "11", 1, 10), ERR_INVALID);
    assert_int_equal(str_to_int(&v, "2147483648", INT_MIN, INT_MAX),
                     ERR_INVALID);
    assert_int_equal(str_to_int(&v, "4294967297", INT_MIN, INT_MAX),
                     ERR_INVALID); /* would wrap to 1 */
    assert_int_equal(str_to_int(&v, "", 0, 10), ERR_INVALID);
    assert_int_equal(str_to_int(&v, NULL, 0, 10), ERR_INVALID);
    assert_int_equal(str_to_int(&v, "3.0", 0, 10), ERR_INVALID);
    assert_int_equal(v, 5);
}

/* ---- str_edit_distance ---- */

static void test_str__edit_distance(void **state)
{
    char long_a[300], long_b[300];

    (void)state;
    assert_int_equal(str_edit_distance("", "", 3), 0);
    assert_int_equal(str_edit_distance("abc", "abc", 3), 0);
    assert_int_equal(str_edit_distance("", "abc", 5), 3);
    assert_int_equal(str_edit_distance("abc", "", 5), 3);
    assert_int_equal(str_edit_distance("customers", "custmers", 3), 1);
    assert_int_equal(str_edit_distance("customers", "customer", 3), 1);
    assert_int_equal(str_edit_distance("customers", "cusotmers", 3), 2);
    assert_int_equal(str_edit_distance("kitten", "sitting", 5), 3);
    /* case does not count */
    assert_int_equal(str_edit_distance("Orders", "oRDERS", 2), 0);
    /* capped at max + 1 */
    assert_int_equal(str_edit_distance("kitten", "sitting", 2), 3);
    assert_int_equal(str_edit_distance("abc", "xyzxyzxyz", 1), 2);
    assert_int_equal(str_edit_distance("a", "b", 0), 1);
    /* strings longer than 256 bytes are never near (max + 1) */
    memset(long_a, 'a', sizeof long_a - 1);
    long_a[sizeof long_a - 1] = '\0';
    memcpy(long_b, long_a, sizeof long_b);
    assert_int_equal(str_edit_distance(long_a, long_b, 3), 4);
    long_a[256] = '\0';
    long_b[256] = '\0';
    long_b[0] = 'b';
    assert_int_equal(str_edit_distance(long_a, long_b, 3), 1);
}

/* ---- time ---- */

static void test_str__time_clocks(void **state)
{
    int64_t s = time_now(), us = time_now_us(), m1, m2;

    (void)state;
    assert_true(s > 1700000000);        /* after 2023 */
    assert_true(us / 1000000 - s <= 1); /* same clock */
    assert_true(us / 1000000 - s >= -1);
    m1 = time_mono_us();
    m2 = time_mono_us();
    assert_true(m2 >= m1);
}

static void test_str__time_format(void **state)
{
    char out[32];

    (void)state;
    time_iso(out, sizeof out, 0);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    time_iso(out, sizeof out, 1772546400);
    assert_string_equal(out, "2026-03-03T14:00:00Z");
    time_date(out, sizeof out, 1772546400);
    assert_string_equal(out, "2026-03-03");
    time_iso(out, sizeof out, 951782400); /* 2000-02-29 */
    assert_string_equal(out, "2000-02-29T00:00:00Z");
    time_iso(out, sizeof out, 253402300799); /* last second of 9999 */
    assert_string_equal(out, "9999-12-31T23:59:59Z");
}

static void test_str__time_parse_iso_accepts(void **state)
{
    static const struct {
        const char *s;
        int64_t t;
    } ok[] = {
        {"1970-01-01", 0},
        {"2026-03-03", 1772496000},
        {"2026-03-03T14:00:00Z", 1772546400},
        {"2026-03-03T14:00:00", 1772546400},
        {"2026-03-03 14:00:00Z", 1772546400},
        {"2000-02-29", 951782400}, /* 400-year */
        {"2024-02-29T23:59:59Z", 1709251199},
        {"9999-12-31T23:59:59Z", 253402300799},
        /* a leap second is let through as the next second */
        {"2016-12-31T23:59:60Z", 1483228800},
    };

    (void)state;
    for (size_t i = 0; i < UFX_NELEM(ok); i++) {
        int64_t t = -1;
        assert_int_equal(time_parse_iso(&t, ok[i].s), 0);
        if (t != ok[i].t)
            fail_msg("%s: %lld, not %lld", ok[i].s, (long long)t,
                     (long long)ok[i].t);
    }
    /* round trip with time_iso */
    for (int64_t x = 0; x < 4102444800; x += 86400 * 397 + 3661) {
        char s[32];
        int64_t back = -1;
        time_iso(s, sizeof s, x);
        assert_int_equal(time_parse_iso(&back, s), 0);
        assert_true(back == x);
    }
}

static void test_str__time_parse_iso_refuses(void **state)
{
    static const char *const bad[] = {
        "",
        "2026",
        "2026-03",
        "2026-3-03",
        "2026-03-3",
        "26-03-03",
        "1969-12-31", /* before the epoch */
        "10000-01-01",
        "2026-00-10",
        "2026-13-01",
        "2026-01-00",
        "2026-01-32",
        "2026-04-31",
        "2026-02-29", /* not a leap year */
        "1900-02-29",
        "2100-02-29",
        "2026-03-03T",
        "2026-03-03T14:00",
        "2026-03-03T14:00:00+01:00",
        "2026-03-03T14:00:00ZZ",
        "2026-03-03t14:00:00Z",
        "2026-03-03X14:00:00Z",
        "2026-03-03T24:00:00Z",
        "2026-03-03T23:60:00Z",
        "2026-03-03T23:59:61Z",
        "2026-03-03T14:00:00.5Z",
        "2026-03-03junk",
        "2026/03/03",
    };
    int64_t t = 42;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (time_parse_iso(&t, bad[i]) != ERR_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(time_parse_iso(&t, NULL), ERR_INVALID);
    assert_int_equal(t, 42); /* untouched on failure */
}

/* Every field of an ISO time is digits only: sscanf's %2d, used once,
 * skipped spaces and took a sign, so "2026-01-01T-1:00:00Z" read as 23:00
 * the day before and "2026- 1- 1" as a date. */
static void test_str__time_parse_iso_refuses_signs_and_spaces(void **state)
{
    static const char *const bad[] = {
        "2026-01-01T-1:00:00Z", "2026-01-01T+1:00:00Z", "2026-01-01T00:-5:00Z",
        "2026-01-01T 1: 2: 3Z", "2026- 1- 1",           "2026-+1-01",
        "2026-01--1",
    };
    int64_t t;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (time_parse_iso(&t, bad[i]) != ERR_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
}

static void test_str__time_parse_hhmm(void **state)
{
    static const char *const bad[] = {
        " 1: 2",  "+1:+2", "1:02", "01:2",  "24:00", "23:60", "-1:00",
        "01:00 ", "0100",  "",     "01-00", "01:0x", "ab:cd",
    };
    int m = 7;

    (void)state;
    assert_int_equal(time_parse_hhmm(&m, "00:00"), 0);
    assert_int_equal(m, 0);
    assert_int_equal(time_parse_hhmm(&m, "10:30"), 0);
    assert_int_equal(m, 630);
    assert_int_equal(time_parse_hhmm(&m, "23:59"), 0);
    assert_int_equal(m, 23 * 60 + 59);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (time_parse_hhmm(&m, bad[i]) != ERR_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(time_parse_hhmm(&m, NULL), ERR_INVALID);
    assert_int_equal(m, 23 * 60 + 59); /* untouched on failure */
}

UFX_MAIN(cmocka_unit_test(test_str__utf8_valid_accepts_every_length),
         cmocka_unit_test(test_str__utf8_valid_refuses_overlongs),
         cmocka_unit_test(test_str__utf8_valid_refuses_surrogates),
         cmocka_unit_test(test_str__utf8_valid_refuses_out_of_range),
         cmocka_unit_test(test_str__utf8_valid_refuses_broken_sequences),
         cmocka_unit_test(test_str__utf8_next_lengths),
         cmocka_unit_test(test_str__utf8_next_maximal_subparts),
         cmocka_unit_test(test_str__format_chars_found),
         cmocka_unit_test(test_str__format_chars_neighbours_not_found),
         cmocka_unit_test(test_str__strip_format_dup),
         cmocka_unit_test(test_str__utf8_len),
         cmocka_unit_test(test_str__has_ctl),
         cmocka_unit_test(test_str__casecmp),
         cmocka_unit_test(test_str__ncasecmp),
         cmocka_unit_test(test_str__startswith),
         cmocka_unit_test(test_str__trim_dup),
         cmocka_unit_test(test_str__lower), cmocka_unit_test(test_str__copy),
         cmocka_unit_test(test_str__to_i64), cmocka_unit_test(test_str__to_int),
         cmocka_unit_test(test_str__edit_distance),
         cmocka_unit_test(test_str__time_clocks),
         cmocka_unit_test(test_str__time_format),
         cmocka_unit_test(test_str__time_parse_iso_accepts),
         cmocka_unit_test(test_str__time_parse_iso_refuses),
         cmocka_unit_test(test_str__time_parse_iso_refuses_signs_and_spaces),
         cmocka_unit_test(test_str__time_parse_hhmm))
