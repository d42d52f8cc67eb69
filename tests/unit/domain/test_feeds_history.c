/* test_feeds_history.c: the pure part of a table's recent slots and
 * today's state (domain/feeds_history.c): past slots as they ended, the
 * current one at `at`, slots before the first report "no record", a late
 * and a failed slot, readable row counts, and today's line in words for
 * every state (with the date of a time on another day, the campaign rule
 * when missing or failed, "This hour" for an hourly table). */
#include "feeds_cases.h"
#include "str.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static int64_t T(const char *iso)
{
    int64_t t = 0;

    assert_int_equal(time_parse_iso(&t, iso), 0);
    return t;
}

static registry_arrival arr(const char *iso, int failed, int64_t rows)
{
    registry_arrival a;

    memset(&a, 0, sizeof a);
    a.arrived_at = T(iso);
    a.failed = failed;
    a.rows = rows;
    return a;
}

static registry_feed_table daily(void)
{
    registry_feed_table t;

    memset(&t, 0, sizeof t);
    t.cadence = "daily";
    t.expected_arrival = "04:00";
    t.expected_day = "";
    t.late_after_minutes = 60;
    t.campaign_dependency = "required";
    return t;
}

static void test_feeds_history__past_slots(void **state)
{
    registry_feed_table t = daily();
    registry_arrival a[] = {
        arr("2026-03-01T04:10:00Z", 0, 100), /* on time */
        arr("2026-03-02T06:00:00Z", 0, 90),  /* late */
        /* 03-03: nothing: missing */
        arr("2026-03-04T04:20:00Z", 1, -1), /* failed */
        arr("2026-03-05T03:00:00Z", 0, 5),  /* after at: not counted */
    };
    int64_t at = T("2026-03-05T02:00:00Z");
    feed_past p[7];
    feed_slot cur;

    (void)state;
    assert_int_equal(domain_feed_slot(&cur, t.cadence, t.expected_arrival,
                                      t.expected_day, t.late_after_minutes, at),
                     1);
    domain_feed_past(p, 7, &t, &cur, a, sizeof a / sizeof *a, at);
    /* oldest first: 02-27, 02-28 before the first report */
    assert_int_equal(p[0].slot.due_at, T("2026-02-27T04:00:00Z"));
    assert_false(p[0].known);
    assert_false(p[1].known);
    assert_true(p[2].known);
    assert_int_equal(p[2].state, FEED_ARRIVED);
    assert_int_equal(p[2].arrived_at, T("2026-03-01T04:10:00Z"));
    assert_int_equal(p[2].rows, 100);
    assert_int_equal(p[3].state, FEED_ARRIVED_LATE);
    assert_int_equal(p[4].state, FEED_MISSING);
    assert_int_equal(p[4].arrived_at, 0);
    assert_int_equal(p[4].rows, -1);
    assert_int_equal(p[5].state, FEED_FAILED);
    /* the current slot at 02:00: waiting, the 03:00 report not yet */
    assert_int_equal(p[6].slot.start, cur.start);
    assert_true(p[6].known);
    assert_int_equal(p[6].state, FEED_WAITING);
    /* each slot ends where the next begins */
    for (int k = 0; k < 6; k++)
        assert_int_equal(p[k].slot.end, p[k + 1].slot.start);
}

static void test_feeds_history__no_report_at_all(void **state)
{
    registry_feed_table t = daily();
    int64_t at = T("2026-03-05T06:00:00Z");
    feed_past p[3];
    feed_slot cur;

    (void)state;
    domain_feed_slot(&cur, "daily", "04:00", "", 60, at);
    domain_feed_past(p, 3, &t, &cur, NULL, 0, at);
    assert_false(p[0].known);
    assert_false(p[1].known);
    assert_true(p[2].known);
    assert_int_equal(p[2].state, FEED_MISSING);
}

static void rows_is(int64_t rows, const char *want)
{
    buf b = {0};

    domain_feed_rows_text(&b, rows);
    assert_string_equal(buf_cstr(&b), want);
    buf_dispose(&b);
}

static void test_feeds_history__rows_for_people(void **state)
{
    (void)state;
    rows_is(-1, "");
    rows_is(0, "0 rows");
    rows_is(1, "1 row");
    rows_is(999, "999 rows");
    rows_is(1200, "1,200 rows");
    rows_is(123456, "123,456 rows");
    rows_is(999999, "999,999 rows");
    rows_is(1000000, "1.0 M rows");
    rows_is(1234567, "1.2 M rows");
    rows_is(123456789, "123 M rows");
    rows_is(3400000000LL, "3.4 G rows");
}

static void today_is(feed_state st, int required, int64_t arrived, int64_t rows,
                     const char *msg, const char *at, const char *want)
{
    feed_today t;
    buf b = {0};

    memset(&t, 0, sizeof t);
    t.tracked = 1;
    t.required = required;
    t.state = st;
    t.period = 86400;
    t.due_at = T("2026-03-03T04:00:00Z");
    t.missing_at = T("2026-03-03T05:00:00Z");
    t.arrived_at = arrived;
    t.rows = rows;
    t.message = msg;
    domain_feed_today_text(&b, &t, T(at));
    assert_string_equal(buf_cstr(&b), want);
    buf_dispose(&b);
}

static void test_feeds_history__today_in_words(void **state)
{
    const char *at = "2026-03-03T12:00:00Z";
    feed_today t;
    buf b = {0};
    cJSON *j;

    (void)state;
    today_is(FEED_WAITING, 1, 0, -1, "", at, "Today: due at 04:00 UTC");
    today_is(FEED_DUE, 1, 0, -1, "", at,
             "Today: due at 04:00 UTC, not arrived yet (missing after 05:00 "
             "UTC)");
    today_is(FEED_ARRIVED, 1, T("2026-03-03T04:52:00Z"), 1234567, "", at,
             "Today: arrived 04:52 UTC, 1.2 M rows");
    today_is(FEED_ARRIVED_LATE, 0, T("2026-03-03T07:12:00Z"), -1, "", at,
             "Today: arrived late 07:12 UTC");
    today_is(FEED_MISSING, 1, 0, -1, "", at,
             "Today: missing since 05:00 UTC — REQUIRED: hold campaigns");
    today_is(FEED_MISSING, 0, 0, -1, "", at,
             "Today: missing since 05:00 UTC — campaigns may run");
    today_is(FEED_FAILED, 1, T("2026-03-03T04:30:00Z"), -1, "bad checksum", at,
             "Today: load failed 04:30 UTC (bad checksum) — REQUIRED: hold "
             "campaigns");
    /* seen the next day, the times carry their date */
    today_is(FEED_MISSING, 1, 0, -1, "", "2026-03-04T00:10:00Z",
             "Today: missing since 2026-03-03 05:00 UTC — REQUIRED: hold "
             "campaigns");
    /* untracked, hourly */
    memset(&t, 0, sizeof t);
    domain_feed_today_text(&b, &t, T(at));
    assert_string_equal(buf_cstr(&b), "Today: not tracked");
    buf_reset(&b);
    assert_string_equal(domain_feed_period_label(3600), "This hour");
    assert_string_equal(domain_feed_period_label(7 * 86400), "This week");
    assert_string_equal(domain_feed_period_label(31 * 86400), "This month");
    j = domain_feed_today_json(&t, T(at));
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state")),
        "not_tracked");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "due_at")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "rows")));
    cJSON_Delete(j);
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feeds_history__past_slots),
        cmocka_unit_test(test_feeds_history__no_report_at_all),
        cmocka_unit_test(test_feeds_history__rows_for_people),
        cmocka_unit_test(test_feeds_history__today_in_words),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
