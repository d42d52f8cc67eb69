/* test_feeds_slots.c: the pure slot, state and decision functions of
 * domain/feeds.c: a daily slot is the UTC day (before and after
 * midnight), a grace period that crosses midnight keeps yesterday's slot
 * current until it has been missing for a while, hourly slots, a late
 * arrival, a failed report followed by a good one, yesterday's arrival
 * not counting today, arrivals after `at` not counting, untracked
 * cadences, and the gate's decision. */
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

static registry_arrival arr(const char *iso, int failed)
{
    registry_arrival a;

    memset(&a, 0, sizeof a);
    a.arrived_at = T(iso);
    a.failed = failed;
    a.rows = 10;
    return a;
}

static feed_state state_at(const char *cadence, const char *expected, int late,
                           const registry_arrival *a, size_t n, const char *iso)
{
    feed_slot s;

    assert_int_equal(domain_feed_slot(&s, cadence, expected, late, T(iso)), 1);
    return domain_feed_state(&s, a, n, T(iso), NULL);
}

static void test_daily_slot_is_the_utc_day(void **state)
{
    feed_slot s;

    (void)state;
    assert_int_equal(
        domain_feed_slot(&s, "daily", "04:00", 60, T("2026-03-03T03:00:00Z")),
        1);
    assert_int_equal(s.start, T("2026-03-03T00:00:00Z"));
    assert_int_equal(s.due_at, T("2026-03-03T04:00:00Z"));
    assert_int_equal(s.missing_at, T("2026-03-03T05:00:00Z"));
    assert_int_equal(s.end, T("2026-03-04T00:00:00Z"));
    /* the first second of the day is today's slot, the last one before
       it yesterday's */
    assert_int_equal(
        domain_feed_slot(&s, "daily", "04:00", 60, T("2026-03-03T00:00:00Z")),
        1);
    assert_int_equal(s.due_at, T("2026-03-03T04:00:00Z"));
    assert_int_equal(
        domain_feed_slot(&s, "daily", "04:00", 60, T("2026-03-02T23:59:59Z")),
        1);
    assert_int_equal(s.due_at, T("2026-03-02T04:00:00Z"));
}

static void test_daily_states_without_arrival(void **state)
{
    (void)state;
    assert_int_equal(
        state_at("daily", "04:00", 60, NULL, 0, "2026-03-03T03:59:59Z"),
        FEED_WAITING);
    assert_int_equal(
        state_at("daily", "04:00", 60, NULL, 0, "2026-03-03T04:00:00Z"),
        FEED_DUE);
    assert_int_equal(
        state_at("daily", "04:00", 60, NULL, 0, "2026-03-03T04:59:59Z"),
        FEED_DUE);
    assert_int_equal(
        state_at("daily", "04:00", 60, NULL, 0, "2026-03-03T05:00:00Z"),
        FEED_MISSING);
    assert_int_equal(
        state_at("daily", "04:00", 60, NULL, 0, "2026-03-03T23:59:59Z"),
        FEED_MISSING);
    /* after midnight a new day waits again */
    assert_int_equal(
        state_at("daily", "04:00", 60, NULL, 0, "2026-03-04T00:00:01Z"),
        FEED_WAITING);
}

static void test_grace_across_midnight(void **state)
{
    feed_slot s;
    registry_arrival a = arr("2026-03-04T00:20:00Z", 0);

    (void)state;
    /* expected 23:30, an hour of grace: at 00:10 yesterday's slot is
       still due, from 00:30 it is missing */
    assert_int_equal(
        domain_feed_slot(&s, "daily", "23:30", 60, T("2026-03-04T00:10:00Z")),
        1);
    assert_int_equal(s.due_at, T("2026-03-03T23:30:00Z"));
    assert_int_equal(s.missing_at, T("2026-03-04T00:30:00Z"));
    assert_true(s.start <= T("2026-03-03T23:30:00Z") - 3600);
    assert_true(s.end > T("2026-03-04T00:30:00Z") + 3600);
    assert_int_equal(
        state_at("daily", "23:30", 60, NULL, 0, "2026-03-04T00:10:00Z"),
        FEED_DUE);
    assert_int_equal(
        state_at("daily", "23:30", 60, NULL, 0, "2026-03-04T00:31:00Z"),
        FEED_MISSING);
    /* a file at 00:20 is yesterday's, on time */
    assert_int_equal(
        state_at("daily", "23:30", 60, &a, 1, "2026-03-04T00:40:00Z"),
        FEED_ARRIVED);
    /* later that day the next slot waits, and the 00:20 file is not its */
    assert_int_equal(
        state_at("daily", "23:30", 60, &a, 1, "2026-03-04T20:00:00Z"),
        FEED_WAITING);
    assert_int_equal(
        domain_feed_slot(&s, "daily", "23:30", 60, T("2026-03-04T20:00:00Z")),
        1);
    assert_int_equal(s.due_at, T("2026-03-04T23:30:00Z"));
}

static void test_hourly(void **state)
{
    feed_slot s;
    registry_arrival a = arr("2026-03-03T10:12:00Z", 0);

    (void)state;
    /* the hour of expected_arrival does not matter, its minute does */
    assert_int_equal(
        domain_feed_slot(&s, "hourly", "07:15", 10, T("2026-03-03T10:20:00Z")),
        1);
    assert_int_equal(s.start, T("2026-03-03T10:00:00Z"));
    assert_int_equal(s.due_at, T("2026-03-03T10:15:00Z"));
    assert_int_equal(s.missing_at, T("2026-03-03T10:25:00Z"));
    assert_int_equal(s.end, T("2026-03-03T11:00:00Z"));
    assert_int_equal(
        state_at("hourly", "00:15", 10, NULL, 0, "2026-03-03T10:20:00Z"),
        FEED_DUE);
    assert_int_equal(
        state_at("hourly", "00:15", 10, NULL, 0, "2026-03-03T10:26:00Z"),
        FEED_MISSING);
    assert_int_equal(
        state_at("hourly", "00:15", 10, &a, 1, "2026-03-03T10:26:00Z"),
        FEED_ARRIVED);
    assert_int_equal(
        state_at("hourly", "00:15", 10, &a, 1, "2026-03-03T11:01:00Z"),
        FEED_WAITING);
}

static void test_late_arrival(void **state)
{
    registry_arrival a = arr("2026-03-03T06:00:00Z", 0);
    feed_slot s;
    int latest = 7;

    (void)state;
    /* before it arrived (evaluated in the past) it was missing */
    assert_int_equal(
        state_at("daily", "04:00", 60, &a, 1, "2026-03-03T05:30:00Z"),
        FEED_MISSING);
    assert_int_equal(
        domain_feed_slot(&s, "daily", "04:00", 60, T("2026-03-03T07:00:00Z")),
        1);
    assert_int_equal(
        domain_feed_state(&s, &a, 1, T("2026-03-03T07:00:00Z"), &latest),
        FEED_ARRIVED_LATE);
    assert_int_equal(latest, 0);
    /* within the grace period is on time */
    a = arr("2026-03-03T04:59:00Z", 0);
    assert_int_equal(
        state_at("daily", "04:00", 60, &a, 1, "2026-03-03T07:00:00Z"),
        FEED_ARRIVED);
    /* an early file (before due) of the same day counts too */
    a = arr("2026-03-03T01:00:00Z", 0);
    assert_int_equal(
        state_at("daily", "04:00", 60, &a, 1, "2026-03-03T02:00:00Z"),
        FEED_ARRIVED);
}

static void test_failed_then_ok(void **state)
{
    registry_arrival a[2] = {arr("2026-03-03T04:40:00Z", 0),
                             arr("2026-03-03T04:10:00Z", 1)};

    (void)state;
    assert_int_equal(
        state_at("daily", "04:00", 60, a, 2, "2026-03-03T04:20:00Z"),
        FEED_FAILED);
    assert_int_equal(
        state_at("daily", "04:00", 60, a, 2, "2026-03-03T04:50:00Z"),
        FEED_ARRIVED);
    /* a failed report after the grace period stays failed */
    assert_int_equal(
        state_at("daily", "04:00", 60, a + 1, 1, "2026-03-03T09:00:00Z"),
        FEED_FAILED);
}

static void test_yesterday_does_not_count(void **state)
{
    registry_arrival a = arr("2026-03-02T04:05:00Z", 0);

    (void)state;
    assert_int_equal(
        state_at("daily", "04:00", 60, &a, 1, "2026-03-03T03:00:00Z"),
        FEED_WAITING);
    assert_int_equal(
        state_at("daily", "04:00", 60, &a, 1, "2026-03-03T06:00:00Z"),
        FEED_MISSING);
    assert_int_equal(
        state_at("daily", "04:00", 60, &a, 1, "2026-03-02T06:00:00Z"),
        FEED_ARRIVED);
}

static void test_untracked(void **state)
{
    feed_slot s;

    (void)state;
    assert_int_equal(domain_feed_slot(&s, "weekly", "04:00", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "monthly", "04:00", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "ad_hoc", "04:00", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "", "04:00", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, NULL, "04:00", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "daily", "4am", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "daily", "", 60, 0), 0);
    /* a grace of days is half a day; a negative one none */
    assert_int_equal(
        domain_feed_slot(&s, "daily", "04:00", 5000, T("2026-03-03T05:00:00Z")),
        1);
    assert_int_equal(s.missing_at - s.due_at, 43200);
    assert_int_equal(
        domain_feed_slot(&s, "daily", "04:00", -5, T("2026-03-03T05:00:00Z")),
        1);
    assert_int_equal(s.missing_at, s.due_at);
}

static void test_decide(void **state)
{
    feed_state st[3];
    int req[3];

    (void)state;
    assert_int_equal(domain_feed_decide(NULL, NULL, 0), GATE_RUN);
    st[0] = FEED_MISSING, req[0] = 1;
    st[1] = FEED_WAITING, req[1] = 1;
    assert_int_equal(domain_feed_decide(st, req, 2), GATE_HOLD);
    st[0] = FEED_MISSING, req[0] = 0;
    assert_int_equal(domain_feed_decide(st, req, 2), GATE_WAIT);
    st[1] = FEED_DUE;
    assert_int_equal(domain_feed_decide(st, req, 2), GATE_WAIT);
    st[1] = FEED_ARRIVED_LATE;
    st[2] = FEED_FAILED, req[2] = 0;
    assert_int_equal(domain_feed_decide(st, req, 3), GATE_RUN);
    st[2] = FEED_FAILED, req[2] = 1;
    assert_int_equal(domain_feed_decide(st, req, 3), GATE_HOLD);
    assert_string_equal(domain_feed_state_name(FEED_ARRIVED_LATE),
                        "arrived_late");
    assert_string_equal(domain_feed_decision_name(GATE_HOLD), "hold");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daily_slot_is_the_utc_day),
        cmocka_unit_test(test_daily_states_without_arrival),
        cmocka_unit_test(test_grace_across_midnight),
        cmocka_unit_test(test_hourly),
        cmocka_unit_test(test_late_arrival),
        cmocka_unit_test(test_failed_then_ok),
        cmocka_unit_test(test_yesterday_does_not_count),
        cmocka_unit_test(test_untracked),
        cmocka_unit_test(test_decide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
