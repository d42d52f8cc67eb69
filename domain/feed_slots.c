/* feed_slots.c (domain): the pure part of tonight's feeds: the current
 * slot of a table, its state from the arrivals, and the gate's decision
 * (feeds_cases.h). No store, no clock: everything is passed in. */
#include "feeds_cases.h"
#include "str.h"
#include "validate.h"

#include <string.h>

static const char *const state_names[] = {
    [FEED_WAITING] = "waiting", [FEED_DUE] = "due",
    [FEED_ARRIVED] = "arrived", [FEED_ARRIVED_LATE] = "arrived_late",
    [FEED_MISSING] = "missing", [FEED_FAILED] = "failed"};

const char *domain_feed_state_name(feed_state s)
{
    return s >= FEED_WAITING && s <= FEED_FAILED ? state_names[s] : "";
}

const char *domain_feed_decision_name(feed_decision d)
{
    return d == GATE_HOLD ? "hold" : d == GATE_WAIT ? "wait" : "run";
}

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* A tracked cadence: period k (hours, days, weeks from Monday 1970-01-05
   or months since January 1970) begins at period_start(k); its slot is due
   at due_of(k) and missing grace seconds later. */
enum { CAD_HOURLY, CAD_DAILY, CAD_WEEKLY, CAD_MONTHLY };

typedef struct cadence_rule {
    int kind;
    int64_t offset; /* seconds into the period (monthly: into the day) */
    int mday;       /* monthly: 1..31 or FORM_MONTH_LAST */
    int64_t grace;  /* seconds */
} cadence_rule;

#define MONDAY_1970 (4 * 86400) /* 1970-01-05, the first Monday */

/* The start (UTC seconds) of month k (months since January 1970), by
   Howard Hinnant's days_from_civil: plain arithmetic, no timegm (several
   times faster, and the slots of a page of monthly tables are many). */
static int64_t month_start(int64_t k)
{
    int64_t y = 1970 + floor_div(k, 12);
    int64_t m = k - floor_div(k, 12) * 12 + 1; /* 1..12 */
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5; /* day 1 of the month */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400;
}

/* The month (months since January 1970) of day `days` since 1970-01-01
   (Hinnant's civil_from_days). */
static int64_t month_of_days(int64_t days)
{
    int64_t z = days + 719468, era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t m = mp < 10 ? mp + 3 : mp - 9; /* 1..12 */
    int64_t y = yoe + era * 400 + (m <= 2);

    return (y - 1970) * 12 + (m - 1);
}

static int64_t period_start(const cadence_rule *c, int64_t k)
{
    switch (c->kind) {
    case CAD_HOURLY: return k * 3600;
    case CAD_DAILY: return k * 86400;
    case CAD_WEEKLY: return k * 7 * 86400 + MONDAY_1970;
    default: return month_start(k);
    }
}

static int64_t period_of(const cadence_rule *c, int64_t at)
{
    switch (c->kind) {
    case CAD_HOURLY: return floor_div(at, 3600);
    case CAD_DAILY: return floor_div(at, 86400);
    case CAD_WEEKLY: return floor_div(at - MONDAY_1970, 7 * 86400);
    default: return month_of_days(floor_div(at, 86400));
    }
}

static int64_t due_of(const cadence_rule *c, int64_t k)
{
    int64_t p = period_start(c, k), days;

    if (c->kind != CAD_MONTHLY)
        return p + c->offset;
    days = (period_start(c, k + 1) - p) / 86400;
    return p + ((c->mday < days ? c->mday : days) - 1) * 86400 + c->offset;
}

/* Where slot k begins: at its period's start, unless the previous slot's
   grace period is not over by then: then halfway between that slot's
   missing time and its own due time. */
static int64_t slot_begin(const cadence_rule *c, int64_t k)
{
    int64_t p = period_start(c, k), d = due_of(c, k);
    int64_t prev_missing = due_of(c, k - 1) + c->grace;

    return prev_missing < p ? p : d - (d - prev_missing) / 2;
}

/* The rule of a table; 0 when it is not tracked. */
static int cadence_rule_of(cadence_rule *c, const char *cadence,
                           const char *expected, const char *expected_day,
                           int64_t late_after_minutes)
{
    int minutes, max_grace; /* minutes: half the shortest gap */

    memset(c, 0, sizeof *c);
    if (!cadence || !expected || time_parse_hhmm(&minutes, expected) < 0)
        return 0;
    if (!strcmp(cadence, "daily")) {
        c->kind = CAD_DAILY;
        c->offset = (int64_t)minutes * 60;
        max_grace = 12 * 60;
    } else if (!strcmp(cadence, "hourly")) {
        c->kind = CAD_HOURLY;
        c->offset = (int64_t)(minutes % 60) * 60;
        max_grace = 30;
    } else if (!strcmp(cadence, "weekly")) {
        int wd = form_weekday(expected_day);
        if (wd < 0)
            return 0;
        c->kind = CAD_WEEKLY;
        c->offset = (int64_t)wd * 86400 + (int64_t)minutes * 60;
        max_grace = 7 * 12 * 60;
    } else if (!strcmp(cadence, "monthly")) {
        c->mday = form_month_day(expected_day);
        if (c->mday < 0)
            return 0;
        c->kind = CAD_MONTHLY;
        c->offset = (int64_t)minutes * 60;
        max_grace = 14 * 24 * 60; /* February's 28 days between slots */
    } else {
        return 0;
    }
    c->grace = late_after_minutes < 0 ? 0 : late_after_minutes;
    if (c->grace > max_grace)
        c->grace = max_grace;
    c->grace *= 60;
    return 1;
}

int domain_feed_slot(feed_slot *out, const char *cadence, const char *expected,
                     const char *expected_day, int64_t late_after_minutes,
                     int64_t at)
{
    cadence_rule c;
    int64_t k;

    if (!cadence_rule_of(&c, cadence, expected, expected_day,
                         late_after_minutes))
        return 0;
    k = period_of(&c, at);
    if (at < slot_begin(&c, k))
        k--;
    out->start = slot_begin(&c, k);
    out->end = slot_begin(&c, k + 1);
    out->due_at = due_of(&c, k);
    out->missing_at = out->due_at + c.grace;
    return 1;
}

int domain_feed_slot_prev(feed_slot *out, const char *cadence,
                          const char *expected, const char *expected_day,
                          int64_t late_after_minutes, const feed_slot *cur)
{
    return domain_feed_slot(out, cadence, expected, expected_day,
                            late_after_minutes, cur->start - 1);
}

feed_state domain_feed_state(const feed_slot *s, const registry_arrival *a,
                             size_t n, int64_t at, int *out_latest)
{
    int latest = -1;

    for (size_t i = 0; i < n; i++) {
        int64_t t = a[i].arrived_at;
        if (t < s->start || t >= s->end || t > at)
            continue;
        if (latest < 0 || t > a[latest].arrived_at ||
            (t == a[latest].arrived_at && a[i].id > a[latest].id))
            latest = (int)i;
    }
    if (out_latest)
        *out_latest = latest;
    if (latest >= 0) {
        if (a[latest].failed)
            return FEED_FAILED;
        return a[latest].arrived_at < s->missing_at ? FEED_ARRIVED
                                                    : FEED_ARRIVED_LATE;
    }
    if (at < s->due_at)
        return FEED_WAITING;
    return at < s->missing_at ? FEED_DUE : FEED_MISSING;
}

feed_decision domain_feed_decide(const feed_state *states, const int *required,
                                 size_t n)
{
    feed_decision d = GATE_RUN;

    for (size_t i = 0; i < n; i++) {
        if (!required[i])
            continue;
        if (states[i] == FEED_MISSING || states[i] == FEED_FAILED)
            return GATE_HOLD;
        if (states[i] == FEED_WAITING || states[i] == FEED_DUE)
            d = GATE_WAIT;
    }
    return d;
}
