/* test_feeds_slots.c: the pure slot, state and decision functions of
 * domain/feeds.c: a daily slot is the UTC day (before and after
 * midnight), a grace period that crosses midnight keeps yesterday's slot
 * current until it has been missing for a while, hourly slots, a late
 * arrival, a failed report followed by a good one, yesterday's arrival
 * not counting today, arrivals after `at` not counting, untracked
 * cadences, and the gate's decision; weekly and monthly slots (every
 * weekday, week and year boundaries, short months, "last", a grace
 * period across midnight, summer time changing nothing) and the slot
 * before a slot for every cadence. */
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

    assert_int_equal(
        domain_feed_slot(&s, cadence, expected, NULL, late, T(iso)), 1);
    return domain_feed_state(&s, a, n, T(iso), NULL);
}

static void test_daily_slot_is_the_utc_day(void **state)
{
    feed_slot s;

    (void)state;
    assert_int_equal(domain_feed_slot(&s, "daily", "04:00", NULL, 60,
                                      T("2026-03-03T03:00:00Z")),
                     1);
    assert_int_equal(s.start, T("2026-03-03T00:00:00Z"));
    assert_int_equal(s.due_at, T("2026-03-03T04:00:00Z"));
    assert_int_equal(s.missing_at, T("2026-03-03T05:00:00Z"));
    assert_int_equal(s.end, T("2026-03-04T00:00:00Z"));
    /* the first second of the day is today's slot, the last one before
       it yesterday's */
    assert_int_equal(domain_feed_slot(&s, "daily", "04:00", NULL, 60,
                                      T("2026-03-03T00:00:00Z")),
                     1);
    assert_int_equal(s.due_at, T("2026-03-03T04:00:00Z"));
    assert_int_equal(domain_feed_slot(&s, "daily", "04:00", NULL, 60,
                                      T("2026-03-02T23:59:59Z")),
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
    assert_int_equal(domain_feed_slot(&s, "daily", "23:30", NULL, 60,
                                      T("2026-03-04T00:10:00Z")),
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
    assert_int_equal(domain_feed_slot(&s, "daily", "23:30", NULL, 60,
                                      T("2026-03-04T20:00:00Z")),
                     1);
    assert_int_equal(s.due_at, T("2026-03-04T23:30:00Z"));
}

static void test_hourly(void **state)
{
    feed_slot s;
    registry_arrival a = arr("2026-03-03T10:12:00Z", 0);

    (void)state;
    /* the hour of expected_arrival does not matter, its minute does */
    assert_int_equal(domain_feed_slot(&s, "hourly", "07:15", NULL, 10,
                                      T("2026-03-03T10:20:00Z")),
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
    assert_int_equal(domain_feed_slot(&s, "daily", "04:00", NULL, 60,
                                      T("2026-03-03T07:00:00Z")),
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
    assert_int_equal(domain_feed_slot(&s, "weekly", "04:00", NULL, 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "monthly", "04:00", NULL, 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "ad_hoc", "04:00", NULL, 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "", "04:00", NULL, 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, NULL, "04:00", NULL, 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "daily", "4am", NULL, 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "daily", "", NULL, 60, 0), 0);
    /* a grace of days is half a day; a negative one none */
    assert_int_equal(domain_feed_slot(&s, "daily", "04:00", NULL, 5000,
                                      T("2026-03-03T05:00:00Z")),
                     1);
    assert_int_equal(s.missing_at - s.due_at, 43200);
    assert_int_equal(domain_feed_slot(&s, "daily", "04:00", NULL, -5,
                                      T("2026-03-03T05:00:00Z")),
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

/* The slot of a weekly/monthly table at iso. */
static feed_slot slot_day(const char *cadence, const char *expected,
                          const char *day, int late, const char *iso)
{
    feed_slot s;

    memset(&s, 0, sizeof s);
    assert_int_equal(domain_feed_slot(&s, cadence, expected, day, late, T(iso)),
                     1);
    return s;
}

static void test_weekly_every_weekday(void **state)
{
    /* 2026-03-02 is a Monday */
    static const char *const days[7][3] = {
        {"mon", "Monday", "2026-03-02"},    {"tue", "TUE", "2026-03-03"},
        {"wed", "wednesday", "2026-03-04"}, {"thu", "Thu", "2026-03-05"},
        {"fri", "FRIDAY", "2026-03-06"},    {"sat", "sat", "2026-03-07"},
        {"sun", "Sunday", "2026-03-08"}};
    char due[32];

    (void)state;
    for (int i = 0; i < 7; i++) {
        for (int spelling = 0; spelling < 2; spelling++) {
            /* asked in the middle of the week: this week's slot */
            feed_slot s = slot_day("weekly", "04:00", days[i][spelling], 60,
                                   "2026-03-04T12:00:00Z");
            snprintf(due, sizeof due, "%sT04:00:00Z", days[i][2]);
            assert_int_equal(s.due_at, T(due));
            assert_int_equal(s.missing_at, T(due) + 3600);
            assert_int_equal(s.start, T("2026-03-02T00:00:00Z"));
            assert_int_equal(s.end, T("2026-03-09T00:00:00Z"));
        }
    }
}

static void test_weekly_states_and_week_boundary(void **state)
{
    registry_arrival a = arr("2026-03-06T04:30:00Z", 0);
    feed_slot s;

    (void)state;
    /* due Friday 04:00, an hour of grace */
    s = slot_day("weekly", "04:00", "fri", 60, "2026-03-02T00:00:00Z");
    assert_int_equal(
        domain_feed_state(&s, NULL, 0, T("2026-03-02T00:00:00Z"), NULL),
        FEED_WAITING);
    s = slot_day("weekly", "04:00", "fri", 60, "2026-03-06T04:10:00Z");
    assert_int_equal(
        domain_feed_state(&s, NULL, 0, T("2026-03-06T04:10:00Z"), NULL),
        FEED_DUE);
    s = slot_day("weekly", "04:00", "fri", 60, "2026-03-08T23:59:59Z");
    assert_int_equal(
        domain_feed_state(&s, NULL, 0, T("2026-03-08T23:59:59Z"), NULL),
        FEED_MISSING);
    assert_int_equal(
        domain_feed_state(&s, &a, 1, T("2026-03-08T23:59:59Z"), NULL),
        FEED_ARRIVED);
    /* Monday 00:00 begins the next week's slot: waiting again, last
       week's file does not count */
    s = slot_day("weekly", "04:00", "fri", 60, "2026-03-09T00:00:00Z");
    assert_int_equal(s.start, T("2026-03-09T00:00:00Z"));
    assert_int_equal(s.due_at, T("2026-03-13T04:00:00Z"));
    assert_int_equal(
        domain_feed_state(&s, &a, 1, T("2026-03-09T00:00:00Z"), NULL),
        FEED_WAITING);
    /* across a year boundary: Thursday 2026-12-31, then the week of
       Monday 2026-12-28 holds Friday 2027-01-01 */
    s = slot_day("weekly", "04:00", "fri", 60, "2026-12-31T12:00:00Z");
    assert_int_equal(s.start, T("2026-12-28T00:00:00Z"));
    assert_int_equal(s.due_at, T("2027-01-01T04:00:00Z"));
    assert_int_equal(s.end, T("2027-01-04T00:00:00Z"));
}

static void test_weekly_grace_near_midnight(void **state)
{
    registry_arrival a = arr("2026-03-09T00:20:00Z", 0);
    feed_slot s;

    (void)state;
    /* due Sunday 23:30 with an hour of grace: on Monday 00:10 Sunday's
       slot is still due, from 00:30 missing; a file at 00:20 is
       Sunday's, on time */
    s = slot_day("weekly", "23:30", "sun", 60, "2026-03-09T00:10:00Z");
    assert_int_equal(s.due_at, T("2026-03-08T23:30:00Z"));
    assert_int_equal(s.missing_at, T("2026-03-09T00:30:00Z"));
    assert_int_equal(
        domain_feed_state(&s, NULL, 0, T("2026-03-09T00:10:00Z"), NULL),
        FEED_DUE);
    s = slot_day("weekly", "23:30", "sun", 60, "2026-03-09T00:31:00Z");
    assert_int_equal(s.due_at, T("2026-03-08T23:30:00Z"));
    assert_int_equal(
        domain_feed_state(&s, NULL, 0, T("2026-03-09T00:31:00Z"), NULL),
        FEED_MISSING);
    assert_int_equal(
        domain_feed_state(&s, &a, 1, T("2026-03-09T00:31:00Z"), NULL),
        FEED_ARRIVED);
    /* halfway to the next Sunday's due time the next slot begins */
    s = slot_day("weekly", "23:30", "sun", 60, "2026-03-12T12:00:00Z");
    assert_int_equal(s.due_at, T("2026-03-15T23:30:00Z"));
    assert_true(s.start > T("2026-03-09T00:30:00Z"));
    assert_true(s.start <= T("2026-03-12T12:00:00Z"));
    /* a grace of two weeks is half a week */
    s = slot_day("weekly", "04:00", "wed", 20160, "2026-03-04T05:00:00Z");
    assert_int_equal(s.missing_at - s.due_at, 7 * 43200);
}

static void test_monthly_days(void **state)
{
    feed_slot s;

    (void)state;
    /* the 15th at 06:00 */
    s = slot_day("monthly", "06:00", "15", 120, "2026-04-20T00:00:00Z");
    assert_int_equal(s.start, T("2026-04-01T00:00:00Z"));
    assert_int_equal(s.due_at, T("2026-04-15T06:00:00Z"));
    assert_int_equal(s.missing_at, T("2026-04-15T08:00:00Z"));
    assert_int_equal(s.end, T("2026-05-01T00:00:00Z"));
    /* the 31st in a 30-day month is the 30th */
    s = slot_day("monthly", "06:00", "31", 60, "2026-04-02T00:00:00Z");
    assert_int_equal(s.due_at, T("2026-04-30T06:00:00Z"));
    s = slot_day("monthly", "06:00", "31", 60, "2026-05-02T00:00:00Z");
    assert_int_equal(s.due_at, T("2026-05-31T06:00:00Z"));
    /* February: the 28th of a common year, the 29th of a leap year */
    s = slot_day("monthly", "06:00", "31", 60, "2026-02-10T00:00:00Z");
    assert_int_equal(s.due_at, T("2026-02-28T06:00:00Z"));
    assert_int_equal(s.end, T("2026-03-01T00:00:00Z"));
    s = slot_day("monthly", "06:00", "30", 60, "2028-02-10T00:00:00Z");
    assert_int_equal(s.due_at, T("2028-02-29T06:00:00Z"));
    s = slot_day("monthly", "06:00", "29", 60, "2027-02-10T00:00:00Z");
    assert_int_equal(s.due_at, T("2027-02-28T06:00:00Z"));
    /* "last", a leading zero */
    s = slot_day("monthly", "06:00", "last", 60, "2028-02-01T00:00:00Z");
    assert_int_equal(s.due_at, T("2028-02-29T06:00:00Z"));
    s = slot_day("monthly", "06:00", "LAST", 60, "2026-06-01T00:00:00Z");
    assert_int_equal(s.due_at, T("2026-06-30T06:00:00Z"));
    s = slot_day("monthly", "06:00", "01", 60, "2026-06-01T05:00:00Z");
    assert_int_equal(s.due_at, T("2026-06-01T06:00:00Z"));
    /* year boundary: December's slot, then January's */
    s = slot_day("monthly", "06:00", "1", 60, "2026-12-31T23:59:59Z");
    assert_int_equal(s.due_at, T("2026-12-01T06:00:00Z"));
    assert_int_equal(s.end, T("2027-01-01T00:00:00Z"));
    s = slot_day("monthly", "06:00", "1", 60, "2027-01-01T00:00:00Z");
    assert_int_equal(s.start, T("2027-01-01T00:00:00Z"));
    assert_int_equal(s.due_at, T("2027-01-01T06:00:00Z"));
    assert_int_equal(
        domain_feed_state(&s, NULL, 0, T("2027-01-01T06:30:00Z"), NULL),
        FEED_DUE);
    assert_int_equal(
        domain_feed_state(&s, NULL, 0, T("2027-01-01T07:00:00Z"), NULL),
        FEED_MISSING);
}

static void test_monthly_last_day_grace_into_next_month(void **state)
{
    registry_arrival a = arr("2027-01-01T00:20:00Z", 0);
    feed_slot s;

    (void)state;
    /* the last day at 23:30, an hour of grace: on January 1st 00:10
       December's slot is still due; a file at 00:20 is December's */
    s = slot_day("monthly", "23:30", "last", 60, "2027-01-01T00:10:00Z");
    assert_int_equal(s.due_at, T("2026-12-31T23:30:00Z"));
    assert_int_equal(s.missing_at, T("2027-01-01T00:30:00Z"));
    assert_int_equal(
        domain_feed_state(&s, &a, 1, T("2027-01-01T00:40:00Z"), NULL),
        FEED_ARRIVED);
    s = slot_day("monthly", "23:30", "last", 60, "2027-01-20T00:00:00Z");
    assert_int_equal(s.due_at, T("2027-01-31T23:30:00Z"));
    assert_int_equal(
        domain_feed_state(&s, &a, 1, T("2027-01-20T00:00:00Z"), NULL),
        FEED_WAITING);
}

static void test_summer_time_changes_nothing(void **state)
{
    feed_slot s;

    (void)state;
    /* Europe and the US change clocks on 2026-03-29 and 2026-03-08: UTC
       slots stay where they are */
    s = slot_day("daily", "01:30", NULL, 60, "2026-03-29T02:00:00Z");
    assert_int_equal(s.due_at, T("2026-03-29T01:30:00Z"));
    assert_int_equal(s.end - s.start, 86400);
    s = slot_day("weekly", "02:30", "sun", 30, "2026-03-08T03:00:00Z");
    assert_int_equal(s.due_at, T("2026-03-08T02:30:00Z"));
    assert_int_equal(s.end - s.start, 7 * 86400);
    s = slot_day("monthly", "02:30", "last", 30, "2026-10-25T00:00:00Z");
    assert_int_equal(s.due_at, T("2026-10-31T02:30:00Z"));
    assert_int_equal(s.end - s.start, 31 * 86400);
}

static void test_weekly_monthly_need_a_day(void **state)
{
    feed_slot s;

    (void)state;
    assert_int_equal(domain_feed_slot(&s, "weekly", "04:00", "", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "weekly", "04:00", "15", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "weekly", "04:00", "mo", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "monthly", "04:00", "mon", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "monthly", "04:00", "0", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "monthly", "04:00", "32", 60, 0), 0);
    assert_int_equal(domain_feed_slot(&s, "monthly", "04:00", NULL, 60, 0), 0);
    /* a daily table's day is not read */
    assert_int_equal(domain_feed_slot(&s, "daily", "04:00", "mon", 60,
                                      T("2026-03-03T05:00:00Z")),
                     1);
    assert_int_equal(s.due_at, T("2026-03-03T04:00:00Z"));
}

/* Walks back n slots from `at` with domain_feed_slot_prev: each ends where
   the next begins, is the slot current at its own start, and its due time
   comes one period before. */
static void walk_back(const char *cadence, const char *expected,
                      const char *day, int late, const char *iso, int n)
{
    feed_slot cur, prev, again;

    assert_int_equal(
        domain_feed_slot(&cur, cadence, expected, day, late, T(iso)), 1);
    for (int i = 0; i < n; i++) {
        assert_int_equal(
            domain_feed_slot_prev(&prev, cadence, expected, day, late, &cur),
            1);
        assert_int_equal(prev.end, cur.start);
        assert_true(prev.start < prev.end);
        assert_true(prev.start <= prev.due_at);
        assert_true(prev.missing_at <= prev.end);
        assert_true(prev.due_at < cur.due_at);
        assert_int_equal(
            domain_feed_slot(&again, cadence, expected, day, late, prev.start),
            1);
        assert_memory_equal(&again, &prev, sizeof prev);
        assert_int_equal(domain_feed_slot(&again, cadence, expected, day, late,
                                          prev.end - 1),
                         1);
        assert_memory_equal(&again, &prev, sizeof prev);
        cur = prev;
    }
}

static void test_previous_slot(void **state)
{
    feed_slot cur, prev;

    (void)state;
    walk_back("hourly", "00:45", NULL, 20, "2026-03-03T00:10:00Z", 30);
    walk_back("daily", "04:00", NULL, 60, "2026-03-03T03:00:00Z", 30);
    walk_back("daily", "23:30", NULL, 60, "2026-03-01T00:10:00Z", 30);
    walk_back("weekly", "04:00", "mon", 60, "2026-01-05T03:00:00Z", 20);
    walk_back("weekly", "23:30", "sun", 600, "2026-01-05T00:10:00Z", 20);
    walk_back("monthly", "06:00", "31", 60, "2027-01-15T00:00:00Z", 30);
    walk_back("monthly", "23:30", "last", 120, "2027-01-01T01:00:00Z", 30);
    walk_back("monthly", "00:00", "1", 0, "2028-03-01T00:00:00Z", 30);
    /* the slot before today's daily one is yesterday's */
    assert_int_equal(domain_feed_slot(&cur, "daily", "04:00", NULL, 60,
                                      T("2026-03-03T12:00:00Z")),
                     1);
    assert_int_equal(
        domain_feed_slot_prev(&prev, "daily", "04:00", NULL, 60, &cur), 1);
    assert_int_equal(prev.due_at, T("2026-03-02T04:00:00Z"));
    /* before March's monthly slot of the 31st: February's 28th */
    assert_int_equal(domain_feed_slot(&cur, "monthly", "06:00", "31", 60,
                                      T("2026-03-03T12:00:00Z")),
                     1);
    assert_int_equal(
        domain_feed_slot_prev(&prev, "monthly", "06:00", "31", 60, &cur), 1);
    assert_int_equal(prev.due_at, T("2026-02-28T06:00:00Z"));
    assert_int_equal(
        domain_feed_slot_prev(&prev, "ad_hoc", "06:00", NULL, 60, &cur), 0);
}

/* Every month from 1970 to 2199: the 1st and the last day are where the
   calendar has them (leap years by the Gregorian rule, 2100 common). */
static void test_monthly_every_month(void **state)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char iso[32];
    feed_slot s;

    (void)state;
    for (int y = 1970; y < 2200; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            int last = mdays[m - 1] + (m == 2 && leap);
            snprintf(iso, sizeof iso, "%04d-%02d-15T12:00:00Z", y, m);
            assert_int_equal(
                domain_feed_slot(&s, "monthly", "00:00", "1", 0, T(iso)), 1);
            snprintf(iso, sizeof iso, "%04d-%02d-01T00:00:00Z", y, m);
            assert_int_equal(s.due_at, T(iso));
            assert_int_equal(s.start, T(iso));
            assert_int_equal(s.end - s.start, (int64_t)last * 86400);
            snprintf(iso, sizeof iso, "%04d-%02d-%02dT00:00:00Z", y, m, last);
            assert_int_equal(
                domain_feed_slot(&s, "monthly", "06:00", "last", 0, T(iso)), 1);
            assert_int_equal(s.due_at, T(iso) + 6 * 3600);
        }
    }
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
        cmocka_unit_test(test_weekly_every_weekday),
        cmocka_unit_test(test_weekly_states_and_week_boundary),
        cmocka_unit_test(test_weekly_grace_near_midnight),
        cmocka_unit_test(test_monthly_days),
        cmocka_unit_test(test_monthly_last_day_grace_into_next_month),
        cmocka_unit_test(test_summer_time_changes_nothing),
        cmocka_unit_test(test_weekly_monthly_need_a_day),
        cmocka_unit_test(test_previous_slot),
        cmocka_unit_test(test_monthly_every_month),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
