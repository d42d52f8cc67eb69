/* test_feed_chart.c: the arrival chart (web/feed_chart.c): the same
 * slots give the same bytes; a hostile table name is escaped in the
 * summary, the <title>s and the hidden table; each state has its own
 * shape (dot, square, cross, ring, no-record dot); bars for rows; the
 * summary counts the slots; a failed slot's rows draw no bar. */
#include "fixture.h"
#include "feed_chart.h"
#include "str.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static int64_t T(const char *iso)
{
    int64_t t = 0;

    assert_int_equal(time_parse_iso(&t, iso), 0);
    return t;
}

/* Six daily slots due at 04:00, grace 60: no record, on time, late,
 * missing, failed, and today still due. */
static void six(feed_past *p)
{
    static const char *const days[] = {"2026-02-26", "2026-02-27",
                                       "2026-02-28", "2026-03-01",
                                       "2026-03-02", "2026-03-03"};
    char iso[32];

    memset(p, 0, 6 * sizeof *p);
    for (int k = 0; k < 6; k++) {
        snprintf(iso, sizeof iso, "%sT00:00:00Z", days[k]);
        p[k].slot.start = T(iso);
        p[k].slot.end = p[k].slot.start + 86400;
        p[k].slot.due_at = p[k].slot.start + 4 * 3600;
        p[k].slot.missing_at = p[k].slot.due_at + 3600;
        p[k].known = k > 0;
        p[k].rows = -1;
    }
    p[1].state = FEED_ARRIVED;
    p[1].arrived_at = T("2026-02-27T04:10:00Z");
    p[1].rows = 1200000;
    p[2].state = FEED_ARRIVED_LATE;
    p[2].arrived_at = T("2026-02-28T06:30:00Z");
    p[2].rows = 600000;
    p[3].state = FEED_MISSING;
    p[4].state = FEED_FAILED;
    p[4].arrived_at = T("2026-03-02T04:20:00Z");
    p[4].rows = 50;
    p[5].state = FEED_DUE;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_feed_chart__deterministic_and_shaped(void **state)
{
    feed_past p[6];
    buf a = {0}, b = {0};
    const char *s;

    (void)state;
    six(p);
    feed_chart_svg(&a, "customers", p, 6);
    feed_chart_svg(&b, "customers", p, 6);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    s = buf_cstr(&a);
    assert_non_null(strstr(s, "<div class=\"feed-chart\"><svg class=\"fc\" "
                              "role=\"img\" aria-label=\"Arrivals of "
                              "customers, last 6 days: 1 on time, 1 late, 1 "
                              "missing, 1 failed, 1 with no record; now: "
                              "due\""));
    assert_int_equal(count(s, "class=\"fc-ok\""), 1);
    assert_int_equal(count(s, "class=\"fc-late\""), 1);
    assert_int_equal(count(s, "class=\"fc-miss\""), 1);
    assert_int_equal(count(s, "class=\"fc-fail\""), 1);
    assert_int_equal(count(s, "class=\"fc-wait\""), 1);
    assert_int_equal(count(s, "class=\"fc-none\""), 1);
    /* bars for the two good files only, the tallest full height */
    assert_int_equal(count(s, "class=\"fc-bar\""), 2);
    assert_non_null(strstr(s, "height=\"16\"/>"));
    assert_non_null(strstr(s, "height=\"8\"/>"));
    /* per slot titles and the hidden table, newest first */
    assert_non_null(
        strstr(s, "<title>2026-02-28: late, arrived 06:30 UTC, 600,000 rows"
                  "</title>"));
    assert_non_null(
        strstr(s, "<title>2026-03-02: failed, reported 04:20 UTC</title>"));
    assert_non_null(strstr(s, "<title>2026-02-26: no record</title>"));
    assert_non_null(strstr(s,
                           "<div class=\"sr-only\"><table><caption>Arrivals of "
                           "customers</caption>"));
    assert_true(strstr(s, "<th scope=\"row\">2026-03-03</th><td>due</td>") <
                strstr(s, "<th scope=\"row\">2026-02-26</th><td>no record"));
    assert_non_null(strstr(s, "<td>1.2 M rows</td>"));
    assert_int_equal(count(s, "<tr><th scope=\"row\">"), 6);
    /* no script, no style attribute (the CSP allows neither inline) */
    assert_null(strstr(s, "style="));
    assert_null(strstr(s, "<script"));
    buf_dispose(&a);
    buf_dispose(&b);
}

static void test_feed_chart__hostile_name_escaped(void **state)
{
    feed_past p[6];
    buf a = {0};
    const char *s;

    (void)state;
    six(p);
    feed_chart_svg(&a, "<script>alert(1)</script>\"'&", p, 6);
    s = buf_cstr(&a);
    assert_null(strstr(s, "<script>"));
    assert_null(strstr(s, "\"'&"));
    assert_int_equal(count(s, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;"
                              "&#39;&amp;"),
                     3); /* aria-label, <title>, caption */
    buf_dispose(&a);
}

static void test_feed_chart__hourly_and_empty(void **state)
{
    feed_past p[2];
    buf a = {0};

    (void)state;
    memset(p, 0, sizeof p);
    for (int k = 0; k < 2; k++) {
        p[k].slot.start = T("2026-03-03T04:00:00Z") + k * 3600;
        p[k].slot.end = p[k].slot.start + 3600;
        p[k].slot.due_at = p[k].slot.start + 600;
        p[k].slot.missing_at = p[k].slot.due_at + 900;
        p[k].known = 1;
        p[k].rows = -1;
        p[k].state = FEED_MISSING;
    }
    p[1].state = FEED_WAITING;
    feed_chart_svg(&a, "clicks", p, 2);
    assert_non_null(strstr(buf_cstr(&a), "last 2 hours: 1 missing; now: not "
                                         "due yet"));
    assert_non_null(strstr(buf_cstr(&a), "<title>2026-03-03 04:10 UTC: "
                                         "missing</title>"));
    buf_reset(&a);
    feed_chart_svg(&a, "clicks", p, 0);
    assert_int_equal(a.len, 0);
    buf_dispose(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_chart__deterministic_and_shaped),
        cmocka_unit_test(test_feed_chart__hostile_name_escaped),
        cmocka_unit_test(test_feed_chart__hourly_and_empty),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
