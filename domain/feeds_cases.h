/* feeds_cases.h (domain): tonight's feeds. The loading job reports each
 * file of a table (domain_arrival_report); each tracked table has, at any
 * moment, a current slot (when its file is expected) and a state for it
 * derived from its arrivals; the campaign gate of an instance is run,
 * wait or hold from its required tables' states (domain_gate). The slot
 * and state functions are pure; the store is registry/feeds.h; web/
 * (api_feeds.c) and app/ (cmd_feeds.c) parse into these.
 *
 * Slots. A `daily` table is expected every UTC day at expected_arrival
 * ("HH:MM"), an `hourly` one every hour at that minute (the hour of
 * expected_arrival is ignored), a `weekly` one every week on its
 * expected_day ("mon".."sun") at expected_arrival, a `monthly` one every
 * month on its expected_day ("1".."31": a shorter month uses its last
 * day; or "last") at expected_arrival. All in UTC: summer time changes
 * nothing. Its slot is due at that moment and missing late_after_minutes
 * later (the grace period, at most half the shortest gap between two
 * slots: 30 minutes hourly, 12 hours daily, 3.5 days weekly, 14 days
 * monthly). A slot is current from the start of its period (the UTC hour,
 * day, week from Monday 00:00, month) to the start of the next slot,
 * unless the previous slot's grace period is not over by then: then the
 * slot begins halfway between the previous slot's missing time and its
 * own due time, so that a file expected at 23:30 with an hour of grace is
 * still "due" at 00:10 and "missing" from 00:30 (likewise a weekly file
 * of Sunday 23:30 on Monday, a monthly one of the last day on the 1st).
 * Slots follow one another without gap: a slot's end is the next one's
 * start, so the slot before slot s is the one current at s.start - 1
 * (domain_feed_slot_prev). An arrival counts for the slot whose window
 * holds its arrived_at. expected_day is read only for weekly and monthly
 * tables (the form and the registry keep it empty for the others); a
 * weekly or monthly table without a valid one, `ad_hoc` and anything
 * else are not tracked. */
#ifndef DOCKET_FEEDS_CASES_H
#define DOCKET_FEEDS_CASES_H

#include "domain.h"
#include "feeds.h"
#include "buf.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef enum feed_state {
    FEED_WAITING,      /* not due yet */
    FEED_DUE,          /* due, within the grace period */
    FEED_ARRIVED,      /* arrived by the end of the grace period */
    FEED_ARRIVED_LATE, /* arrived after the grace period */
    FEED_MISSING,      /* grace period over, nothing arrived */
    FEED_FAILED        /* the last report for the slot says failed */
} feed_state;

typedef enum feed_decision {
    GATE_RUN,  /* every required table arrived */
    GATE_WAIT, /* a required table is waiting or due */
    GATE_HOLD  /* a required table is missing or failed */
} feed_decision;

/* "waiting", "due", "arrived", "arrived_late", "missing", "failed". */
const char *domain_feed_state_name(feed_state s);
/* "run", "wait", "hold". */
const char *domain_feed_decision_name(feed_decision d);

/* One slot of a table (seconds since the epoch, UTC). */
typedef struct feed_slot {
    int64_t start;      /* the slot is current from here ... */
    int64_t end;        /* ... up to here (excluded) */
    int64_t due_at;     /* when the file is expected */
    int64_t missing_at; /* when the grace period is over */
} feed_slot;

/* The current slot at `at` of a table with these rules: 1 (tracked, *out
 * set), 0 when cadence is not tracked (ad_hoc, "", unknown), expected is
 * not "HH:MM", or a weekly (monthly) table's expected_day is not a
 * weekday (day of the month, form_weekday / form_month_day). A negative
 * late_after counts as 0, one longer than half the shortest gap between
 * slots as that. */
int domain_feed_slot(feed_slot *out, const char *cadence, const char *expected,
                     const char *expected_day, int64_t late_after_minutes,
                     int64_t at);

/* The slot just before cur (a slot of the same rules, as
 * domain_feed_slot gave it): the one current at cur->start - 1, so
 * out->end == cur->start. Call it again on *out to walk further back
 * (the last 14 slots of a chart, the slot before the current one for an
 * alert). 1, or 0 when the rules are not tracked. */
int domain_feed_slot_prev(feed_slot *out, const char *cadence,
                          const char *expected, const char *expected_day,
                          int64_t late_after_minutes, const feed_slot *cur);

/* The state at `at` of slot s from the arrivals of its table (any order;
 * those outside the slot's window or after `at` are passed over): the
 * latest arrival that counts decides (ok: arrived or arrived_late by its
 * time, failed: failed); without one, waiting before due_at, due before
 * missing_at, missing after. *out_latest (may be NULL) is the index of
 * the deciding arrival in a, or -1. */
feed_state domain_feed_state(const feed_slot *s, const registry_arrival *a,
                             size_t n, int64_t at, int *out_latest);

/* The decision over states of required[i] tables (1 required, 0
 * optional): hold if a required one is missing or failed, wait if one is
 * waiting or due, run otherwise; optional tables never count. */
feed_decision domain_feed_decide(const feed_state *states, const int *required,
                                 size_t n);

/* ---- use cases ---- */

/* A report of one file. */
typedef struct domain_arrival_input {
    const char *instance;
    const char *table;
    const char *file;    /* NULL or "": the time of arrival in ISO 8601 */
    int64_t rows;        /* -1: not given */
    int64_t bytes;       /* -1: not given */
    int64_t arrived_at;  /* 0: now */
    int failed;          /* 1: the load failed */
    const char *message; /* NULL: none; the failure's text */
} domain_arrival_input;

/* Stores the arrival in (who: pm, ops, admin or service; a service
 * account bound to an organisation, like a client, only for its own
 * instances). ERR_FORBIDDEN for other roles; ERR_NOTFOUND for an
 * instance who may not see or a table the instance does not have
 * (worded as for a missing one); ERR_INVALID with a field for bad input
 * (rows or bytes below -1, a file or message too long, a failure without
 * a message is fine). Nothing is written on error. A second report of
 * the same (instance, table, file) changes nothing: *out is the stored
 * arrival and *out_created 0 (1 for a new one). */
int domain_arrival_report(registry *reg, const domain_actor *who,
                          const domain_arrival_input *in, registry_arrival *out,
                          int *out_created, errmsg *err);

/* One tracked table in a gate. */
typedef struct domain_gate_table {
    registry_feed_table t; /* its rules (owned) */
    int required;
    feed_slot slot;
    feed_state state;
    int has_arrival; /* arrival below is the deciding one */
    registry_arrival arrival;
} domain_gate_table;

typedef struct domain_gate_result {
    char instance[101];
    int64_t at;
    feed_decision decision;
    domain_gate_table *tables; /* tracked tables by name */
    size_t n;
} domain_gate_result;

/* The gate of instance at `at` (0: now) for who (pm, ops, admin,
 * service; a client or bound service account for its own organisation's
 * instances only, another's is ERR_NOTFOUND as a missing one). Two
 * queries whatever the number of tables: the tables, and the latest
 * arrival up to `at` of each (registry_arrival_latest). Dispose with
 * domain_gate_dispose. */
int domain_gate(registry *reg, const domain_actor *who, const char *instance,
                int64_t at, domain_gate_result *out, errmsg *err);
void domain_gate_dispose(domain_gate_result *g);

/* What the gate of an instance is built from, besides the moment: a
 * cached gate stays valid while these stay the same. */
typedef struct domain_gate_key {
    int64_t instance_id;
    int64_t ver;      /* its tables' rules, names and pruning */
    int64_t arrivals; /* the last arrival reported (any instance) */
} domain_gate_key;

/* The version of the gate of instance for who, with domain_gate's
 * checks and errors, in one read (registry_feed_version). */
int domain_gate_version(registry *reg, const domain_actor *who,
                        const char *instance, domain_gate_key *out,
                        errmsg *err);

/* The JSON of a gate: {"instance", "at", "decision", "blocking",
 * "warnings", "tables"} (the API's and `docket gate --json`'s), appended
 * to o as one line without a newline: valid UTF-8 (each ill-formed
 * sequence of a stored text becomes U+FFFD) with "<", ">", "&" escaped,
 * as buf_append_json_str writes strings. Written straight, not through
 * cJSON: the gate of 500 tables is some 160 KB. */
void domain_gate_json_write(buf *o, const domain_gate_result *g);
/* The same as a cJSON tree (caller deletes). */
cJSON *domain_gate_json(const domain_gate_result *g);
/* The JSON of a stored arrival. */
cJSON *domain_arrival_json(const registry_arrival *a);

/* ---- a table's recent slots and today's state (feeds_history.c) ---- */

/* One slot of a table's history. */
typedef struct feed_past {
    feed_slot slot;
    feed_state state;   /* the current slot's at `at`, a past one's as it
                           ended */
    int known;          /* 0: before the first report of the table in the
                           slots asked for: no record, not "missing" */
    int64_t arrived_at; /* the deciding arrival's time, 0: none */
    int64_t rows;       /* its rows, -1: none or not reported */
} feed_past;

/* Today's state of one table in short: what the rules card, the lookup
 * and the feeds page say beside the campaign banner. */
typedef struct feed_today {
    int tracked;  /* 0: cadence not tracked (the rest is 0) */
    int required; /* the campaign dependency is required */
    feed_state state;
    int64_t period; /* slot length in seconds: "Today", "This hour" */
    int64_t due_at, missing_at;
    int64_t arrived_at;  /* 0: nothing arrived in the slot */
    int64_t rows;        /* -1: not reported or nothing arrived */
    const char *message; /* a failed load's message ("" none; borrowed) */
} feed_today;

/* The history of one table: its rules and current slot as in a gate,
 * then nslots slots, oldest first, the current one last. */
typedef struct domain_feed_history {
    int tracked; /* 0: not an active table with a tracked cadence
                    (then now.t may be empty and n is 0) */
    domain_gate_table now;
    feed_past *slots;
    size_t n;
    int64_t until; /* the history reads the same at every moment from
                      `at` up to here (excluded): the next end, due or
                      missing time of the current slot, UTC midnight
                      (times of another day carry their date) or the time
                      of an arrival reported already for later, whichever
                      comes first; INT64_MAX when not tracked. What a
                      page may keep it for. */
} domain_feed_history;

/* The last nslots (1..400) slots of instance/table at `at` (0: now) for
 * who (as domain_gate: clients and bound service accounts only for their
 * own organisation; another's instance is ERR_NOTFOUND as a missing
 * one). A table the instance does not have (or not as an active table)
 * or whose cadence is not tracked is tracked 0, not an error. Reads the
 * instance, the table and one list of that table's arrivals. Dispose with
 * domain_feed_history_dispose. */
int domain_feed_table_history(registry *reg, const domain_actor *who,
                              const char *instance, const char *table,
                              int64_t at, size_t nslots,
                              domain_feed_history *out, errmsg *err);
void domain_feed_history_dispose(domain_feed_history *h);

/* The feeds of an instance: its gate, and for each of its tables
 * (gate.tables[i]) nslots slots, oldest first, at
 * slots[i * nslots .. (i + 1) * nslots). Who and errors as domain_gate.
 * One more query than the gate for the tables with slots of a day or
 * less (the arrivals of the slots shown), and one for each weekly or
 * monthly table (months of its own arrivals only). */
typedef struct domain_feeds_view {
    domain_gate_result gate;
    feed_past *slots;
    size_t nslots;
} domain_feeds_view;
int domain_feeds_view_get(registry *reg, const domain_actor *who,
                          const char *instance, int64_t at, size_t nslots,
                          domain_feeds_view *out, errmsg *err);
void domain_feeds_view_dispose(domain_feeds_view *v);

/* Fills the past slots out[0..n) of table t whose current slot is cur
 * (from its arrivals a[0..na), any order) at `at`: the pure part of the
 * two use cases above. */
void domain_feed_past(feed_past *out, size_t n, const registry_feed_table *t,
                      const feed_slot *cur, const registry_arrival *a,
                      size_t na, int64_t at);

/* Today's state of gate table t (tracked). */
feed_today domain_feed_today_of(const domain_gate_table *t);

/* Today's state in words, plain text (escape it for the medium): "Today:
 * arrived 04:52 UTC, 1.2 M rows", "Today: due at 06:00 UTC", "Today:
 * missing since 07:00 UTC — REQUIRED: hold campaigns", "Today: load
 * failed 04:52 UTC (message) — ...", "Today: not tracked"; "This hour:"
 * for an hourly table. A time on another UTC day than `at` carries its
 * date. */
void domain_feed_today_text(buf *o, const feed_today *t, int64_t at);
/* The same without the "Today: " label ("arrived 04:52 UTC, ..."). */
void domain_feed_today_words(buf *o, const feed_today *t, int64_t at);
/* "HH:MM UTC" of t, with its date before it ("2026-03-02 23:30 UTC")
 * when t is on another UTC day than at. */
void domain_feed_time_text(buf *o, int64_t t, int64_t at);
/* "Today" or "This hour" (also "This week", "This month" by the slot's
 * length). */
const char *domain_feed_period_label(int64_t period);
/* A row count for people: "1 row", "12,345 rows", "1.2 M rows",
 * "3.4 G rows"; nothing for a negative count. */
void domain_feed_rows_text(buf *o, int64_t rows);
/* The JSON of today's state: {"state" ("not_tracked" when untracked),
 * "due_at", "missing_at", "arrived_at", "rows" (null when unknown),
 * "text" (domain_feed_today_text)}. */
cJSON *domain_feed_today_json(const feed_today *t, int64_t at);

#endif
