/* feed_alerts.h (domain): the alerts of tonight's feeds. A tick (the
 * server's minute clock, or `docket feeds tick [--at T]`) looks at the
 * current and the previous slot of every tracked table of every instance
 * and raises, through the outbox and the in-app inbox:
 *
 *   feed.missing    the slot passed its grace period without an arrival
 *                   (only for a table that had an arrival before the
 *                   slot began: tracking starts with the first report)
 *   feed.failed     the report that decides the slot says failed
 *   feed.recovered  a good file decides a slot that raised feed.missing
 *                   or feed.failed
 *   feed.anomaly    the deciding file's rows are below anomaly_low_pct %
 *                   or above anomaly_high_pct % of the median of the
 *                   table's last 14 good arrivals before it (at least 3;
 *                   0 turns a side off)
 *
 * Each fires once per (instance, table, slot, kind), also across
 * restarts and ticks running at the same time in several processes: the
 * store (registry/feeds.h, feed_alerts.c) records the key and writes the
 * event in one transaction, or neither. The tick also prunes arrivals
 * (and alert records) older than [feeds] keep_days. The slot and state
 * rules are feeds_cases.h's; the rules here are pure and tested alone. */
#ifndef DOCKET_FEED_ALERTS_H
#define DOCKET_FEED_ALERTS_H

#include "feeds_cases.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* The kinds, as bits (a set of them is the alerts raised for a slot). */
typedef enum feed_alert_kind {
    FEED_ALERT_MISSING = 1,
    FEED_ALERT_RECOVERED = 2,
    FEED_ALERT_FAILED = 4,
    FEED_ALERT_ANOMALY = 8
} feed_alert_kind;
#define FEED_ALERT_ALL 15

/* "missing", "recovered", "failed", "anomaly" (the stored kind); "" for
 * anything else. */
const char *domain_feed_alert_name(feed_alert_kind k);
/* "feed.missing", ... (the event and the key of [route]); NULL for
 * anything else. */
const char *domain_feed_alert_event(feed_alert_kind k);
/* The kind named name ("missing", ...); 0 for anything else. */
feed_alert_kind domain_feed_alert_parse(const char *name);

/* How many earlier good arrivals the median is taken over, and how many
 * it needs before it judges. */
#define FEED_ANOMALY_HISTORY     14
#define FEED_ANOMALY_MIN_HISTORY 3
/* The thresholds of a table whose rules carry none (before they were
 * stored per table): 50 % and 200 %. */
#define FEED_ANOMALY_LOW_PCT     50
#define FEED_ANOMALY_HIGH_PCT    200

/* The median of v[0..n) (n > 0): the middle value, or the mean of the
 * two middle ones. v is not changed. */
double domain_feed_median(const int64_t *v, size_t n);

/* Whether rows is an anomaly against history[0..n) (rows of earlier good
 * arrivals): -1 below low_pct % of their median, 1 above high_pct %, 0
 * otherwise, also when rows < 0 (not reported), when n is below
 * FEED_ANOMALY_MIN_HISTORY or when the side's percentage is 0 (off).
 * *out_median (may be NULL) gets the median when n > 0, else 0. */
int domain_feed_anomaly(int64_t rows, const int64_t *history, size_t n,
                        int64_t low_pct, int64_t high_pct, double *out_median);

/* What is known of one slot of a table at the tick. */
typedef struct feed_alert_facts {
    feed_state state; /* at the tick (domain_feed_state) */
    int history;      /* the table had an arrival before the slot began */
    unsigned raised;  /* FEED_ALERT_* already raised for the slot */
    int anomaly;      /* domain_feed_anomaly of the deciding arrival */
} feed_alert_facts;

/* The FEED_ALERT_* the slot raises now (none already raised): missing
 * when the state is missing and the table has a history; failed when it
 * is failed; recovered when it arrived (on time or late) after missing
 * or failed was raised; anomaly when it arrived with an anomaly. */
unsigned domain_feed_alerts_due(const feed_alert_facts *f);

/* The PagerDuty dedup_key of a table's slot (at most 255 bytes, into out
 * of at least 256): "docket-feed-<instance>-<table>-<slot start, unix
 * seconds>", or "docket-feed-" and the hex SHA-256 of that when it would
 * be longer. feed.missing, feed.failed and feed.recovered of a slot share
 * it (the recovery resolves the incident); feed.anomaly adds "-rows". */
void domain_feed_dedup_key(char *out, size_t size, const char *instance,
                           const char *table, int64_t slot_start, int anomaly);

/* ---- the tick ---- */

/* One alert a tick raised. */
typedef struct domain_feed_alert {
    feed_alert_kind kind;
    char instance[101];
    char table[256];
    int64_t slot_start;
} domain_feed_alert;

typedef struct domain_feeds_tick_result {
    domain_feed_alert *raised; /* in the order raised (owned) */
    size_t n;
    int64_t pruned_arrivals; /* arrivals deleted as older than keep_days */
    int64_t pruned_alerts;   /* alert records deleted with them */
} domain_feeds_tick_result;

/* The tick at `at` (0: now) over every instance: raises what is due
 * (above) for the current and the previous slot of each tracked table,
 * each alert in a transaction of its own, then deletes arrivals and
 * alert records older than keep_days (>= 1) before at, or before now
 * when at is later (a tick "in the future" never prunes what the clock
 * keeps). A system action: no user is told of it as their own. On error
 * (ERR_DB...) the alerts raised so far stay raised and listed in *out;
 * the next tick goes on from there. Dispose with
 * domain_feeds_tick_dispose. */
int domain_feeds_tick(registry *reg, int64_t at, int keep_days,
                      domain_feeds_tick_result *out, errmsg *err);
void domain_feeds_tick_dispose(domain_feeds_tick_result *r);

#endif
