/* feed_slots.c (domain): the pure part of tonight's feeds: the current
 * slot of a table, its state from the arrivals, and the gate's decision
 * (feeds_cases.h). No store, no clock: everything is passed in. */
#include "feeds_cases.h"
#include "str.h"

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

int domain_feed_slot(feed_slot *out, const char *cadence, const char *expected,
                     int64_t late_after_minutes, int64_t at)
{
    int64_t period, e, grace, lead, k, begin;
    int minutes;

    if (!cadence || !expected || time_parse_hhmm(&minutes, expected) < 0)
        return 0;
    if (!strcmp(cadence, "daily")) {
        period = 86400;
        e = (int64_t)minutes * 60;
    } else if (!strcmp(cadence, "hourly")) {
        period = 3600;
        e = (int64_t)(minutes % 60) * 60;
    } else {
        return 0;
    }
    grace = late_after_minutes < 0 ? 0 : late_after_minutes;
    if (grace > period / 120) /* minutes of half a period */
        grace = period / 120;
    grace *= 60;
    /* The slot begins `lead` before it is due: at the period's start, or
       halfway between the previous slot's missing time and its own due
       time when its grace period runs past the period's end. */
    lead = e + grace < period ? e : (period - grace) / 2;
    begin = e - lead; /* offset of a slot's start in its period */
    k = floor_div(at - begin, period);
    out->start = k * period + begin;
    out->end = out->start + period;
    out->due_at = out->start + lead;
    out->missing_at = out->due_at + grace;
    return 1;
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
