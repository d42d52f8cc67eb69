/* test_feed_alerts.c: the alerts of tonight's feeds (domain/feed_alerts.c).
 * The pure rules: the median, the anomaly thresholds (at least 3 earlier
 * arrivals, 0 turns a side off), which alerts a slot raises and the
 * PagerDuty key. Then the tick on a real temporary registry: a missing
 * file raises feed.missing once however often the tick runs (also from a
 * second connection, as another process would), a tick that did not run
 * for a day still raises the previous slot's, never the one before; a
 * late file raises feed.recovered, a failed load feed.failed, a row
 * count far from the median feed.anomaly; a table never reported raises
 * nothing; each event reaches the inbox of ops, admins and the clients of
 * the table's organisation, never another organisation's; pruning
 * deletes old arrivals and alert records only. */
#include "fixture.h"
#include "feed_alerts.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the pure rules ---------------------------------------------------- */

static void test_feed_alerts__median(void **state)
{
    int64_t odd[] = {30, 10, 20}, even[] = {40, 10, 30, 20}, one[] = {7};

    (void)state;
    assert_true(domain_feed_median(odd, 3) == 20.0);
    assert_true(domain_feed_median(even, 4) == 25.0);
    assert_true(domain_feed_median(one, 1) == 7.0);
    assert_true(domain_feed_median(odd, 0) == 0.0);
    /* the input is left as it was */
    assert_int_equal(odd[0], 30);
    assert_int_equal(even[0], 40);
}

static void test_feed_alerts__anomaly_thresholds(void **state)
{
    int64_t h[] = {1000, 1200, 1100, 900, 1000}; /* median 1000 */
    double m = -1;

    (void)state;
    assert_int_equal(domain_feed_anomaly(400, h, 5, 50, 200, &m), -1);
    assert_true(m == 1000.0);
    assert_int_equal(domain_feed_anomaly(2500, h, 5, 50, 200, NULL), 1);
    /* on the threshold is no anomaly */
    assert_int_equal(domain_feed_anomaly(500, h, 5, 50, 200, NULL), 0);
    assert_int_equal(domain_feed_anomaly(2000, h, 5, 50, 200, NULL), 0);
    assert_int_equal(domain_feed_anomaly(499, h, 5, 50, 200, NULL), -1);
    assert_int_equal(domain_feed_anomaly(2001, h, 5, 50, 200, NULL), 1);
    /* 0 turns a side off */
    assert_int_equal(domain_feed_anomaly(1, h, 5, 0, 200, NULL), 0);
    assert_int_equal(domain_feed_anomaly(99999, h, 5, 50, 0, NULL), 0);
    /* per-table thresholds */
    assert_int_equal(domain_feed_anomaly(850, h, 5, 90, 110, NULL), -1);
    assert_int_equal(domain_feed_anomaly(1150, h, 5, 90, 110, NULL), 1);
    /* at least 3 earlier arrivals before judging */
    assert_int_equal(domain_feed_anomaly(1, h, 2, 50, 200, &m), 0);
    assert_true(m == 1100.0);
    assert_int_equal(domain_feed_anomaly(1, h, 3, 50, 200, NULL), -1);
    /* rows not reported */
    assert_int_equal(domain_feed_anomaly(-1, h, 5, 50, 200, NULL), 0);
    /* a table that always reports 0 rows: 0 is no anomaly */
    {
        int64_t z[] = {0, 0, 0};
        assert_int_equal(domain_feed_anomaly(0, z, 3, 50, 200, NULL), 0);
        assert_int_equal(domain_feed_anomaly(5, z, 3, 50, 200, NULL), 1);
    }
}

static unsigned due(feed_state s, int history, unsigned raised, int anomaly)
{
    feed_alert_facts f = {s, history, raised, anomaly};

    return domain_feed_alerts_due(&f);
}

static void test_feed_alerts__what_a_slot_raises(void **state)
{
    (void)state;
    /* not due yet, or within the grace period: nothing */
    assert_int_equal(due(FEED_WAITING, 1, 0, 0), 0);
    assert_int_equal(due(FEED_DUE, 1, 0, 0), 0);
    /* missing, once, and only for a table reported before */
    assert_int_equal(due(FEED_MISSING, 1, 0, 0), FEED_ALERT_MISSING);
    assert_int_equal(due(FEED_MISSING, 1, FEED_ALERT_MISSING, 0), 0);
    assert_int_equal(due(FEED_MISSING, 0, 0, 0), 0);
    /* failed, once */
    assert_int_equal(due(FEED_FAILED, 1, 0, 0), FEED_ALERT_FAILED);
    assert_int_equal(due(FEED_FAILED, 0, 0, 0), FEED_ALERT_FAILED);
    assert_int_equal(due(FEED_FAILED, 1, FEED_ALERT_MISSING, 0),
                     FEED_ALERT_FAILED);
    assert_int_equal(due(FEED_FAILED, 1, FEED_ALERT_FAILED, 0), 0);
    /* a file after the alert: recovered, once */
    assert_int_equal(due(FEED_ARRIVED_LATE, 1, FEED_ALERT_MISSING, 0),
                     FEED_ALERT_RECOVERED);
    assert_int_equal(due(FEED_ARRIVED, 1, FEED_ALERT_FAILED, 0),
                     FEED_ALERT_RECOVERED);
    assert_int_equal(
        due(FEED_ARRIVED, 1, FEED_ALERT_FAILED | FEED_ALERT_RECOVERED, 0), 0);
    /* on time or late without an alert: nothing to recover from */
    assert_int_equal(due(FEED_ARRIVED, 1, 0, 0), 0);
    assert_int_equal(due(FEED_ARRIVED_LATE, 1, 0, 0), 0);
    /* an anomaly, once, beside a recovery */
    assert_int_equal(due(FEED_ARRIVED, 1, 0, -1), FEED_ALERT_ANOMALY);
    assert_int_equal(due(FEED_ARRIVED_LATE, 1, FEED_ALERT_MISSING, 1),
                     FEED_ALERT_RECOVERED | FEED_ALERT_ANOMALY);
    assert_int_equal(due(FEED_ARRIVED, 1, FEED_ALERT_ANOMALY, 1), 0);
    /* a failed load has no rows to judge */
    assert_int_equal(due(FEED_FAILED, 1, FEED_ALERT_FAILED, 1), 0);
}

static void test_feed_alerts__names_and_keys(void **state)
{
    char key[256], longname[300];

    (void)state;
    for (unsigned k = 1; k <= 8; k <<= 1) {
        assert_int_equal(domain_feed_alert_parse(domain_feed_alert_name(k)), k);
        assert_non_null(domain_feed_alert_event(k));
        assert_true(str_startswith(domain_feed_alert_event(k), "feed."));
    }
    assert_int_equal(domain_feed_alert_parse("late"), 0);
    assert_null(domain_feed_alert_event(16));
    domain_feed_dedup_key(key, sizeof key, "acme-prod", "customers", 1772510400,
                          0);
    assert_string_equal(key, "docket-feed-acme-prod-customers-1772510400");
    domain_feed_dedup_key(key, sizeof key, "acme-prod", "customers", 1772510400,
                          1);
    assert_string_equal(key, "docket-feed-acme-prod-customers-1772510400-rows");
    /* PagerDuty's 255 characters: a long name is hashed, stably */
    memset(longname, 'x', 250);
    longname[250] = '\0';
    domain_feed_dedup_key(key, sizeof key, "acme-prod", longname, 1, 1);
    assert_true(strlen(key) <= 255);
    assert_true(str_startswith(key, "docket-feed-"));
    {
        char again[256];
        domain_feed_dedup_key(again, sizeof again, "acme-prod", longname, 1, 1);
        assert_string_equal(key, again);
        domain_feed_dedup_key(again, sizeof again, "acme-prod", longname, 2, 1);
        assert_string_not_equal(key, again);
    }
}

/* ---- the tick on a registry --------------------------------------------- */

static int64_t when(const char *iso)
{
    int64_t t = 0;

    assert_int_equal(time_parse_iso(&t, iso), 0);
    return t;
}

static int setup(void **state)
{
    ufx *f = ufx_open("falerts");

    ufx_people(f, "postgres");
    ufx_route(f, "feed.missing", "ops-slack");
    ufx_import(f, "acme-prod",
               "table,column,type,cadence,expected_arrival,"
               "late_after_minutes,campaign_dependency,escalation,runbook\n"
               "customers,id,bigint,daily,04:00,60,required,"
               "oz@platform.example,Rerun the loader\n"
               "clicks,id,bigint,daily,04:30,30,optional,,\n"
               "never,id,bigint,daily,04:00,30,required,,\n"
               "adhoc,id,bigint,ad_hoc,,,required,,\n");
    ufx_import(f, "globex-prod",
               "table,column,type,cadence,expected_arrival,"
               "late_after_minutes,campaign_dependency\n"
               "orders,id,bigint,daily,03:00,60,required\n");
    *state = f;
    return 0;
}

/* Stores an arrival of table on instance at iso with rows (-1: none). */
static void arrive(ufx *f, const char *inst, const char *table, const char *iso,
                   int64_t rows, int failed)
{
    registry_arrival a;
    registry_instance i;
    registry_feed_table t = {0};
    errmsg err = {0};

    assert_int_equal(registry_instance_get(f->reg, &i, inst, &err), 0);
    assert_int_equal(registry_feed_table_get(f->reg, &t, i.id, table, &err), 0);
    memset(&a, 0, sizeof a);
    a.instance_id = i.id;
    a.table_id = t.id;
    str_copy(a.file, sizeof a.file, iso);
    a.rows = rows;
    a.bytes = -1;
    a.arrived_at = when(iso);
    a.failed = failed;
    if (failed)
        str_copy(a.message, sizeof a.message, "checksum mismatch");
    registry_feed_table_dispose(&t);
    assert_int_equal(registry_arrival_insert(f->reg, &a, NULL, &err), 0);
}

/* One tick at iso on reg; the number of alerts raised. */
static size_t tick_on(registry *reg, const char *iso)
{
    domain_feeds_tick_result r;
    errmsg err = {0};
    size_t n;

    if (domain_feeds_tick(reg, when(iso), 400, &r, &err) < 0)
        fail_msg("tick: %s", err.msg);
    n = r.n;
    domain_feeds_tick_dispose(&r);
    return n;
}

static size_t tick(ufx *f, const char *iso)
{
    return tick_on(f->reg, iso);
}

static int64_t events(ufx *f, const char *event, const char *table)
{
    char sql[300];

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM events WHERE event = '%s'"
             " AND json_extract(payload, '$.table.name') = '%s'",
             event, table);
    return ufx_int(f, sql);
}

static void test_feed_alerts__missing_once_then_recovered(void **state)
{
    ufx *f = *state;
    registry *other;
    errmsg err = {0};

    /* customers and clicks were reported the day before (a history);
       `never` never was */
    arrive(f, "acme-prod", "customers", "2026-03-02T04:05:00Z", 1000, 0);
    arrive(f, "acme-prod", "clicks", "2026-03-02T04:35:00Z", 50, 0);
    /* 04:30: customers is due, within its grace period */
    assert_int_equal(tick(f, "2026-03-03T04:30:00Z"), 0);
    /* 05:01: missing; clicks (04:30 + 30) too, as a warning */
    assert_int_equal(tick(f, "2026-03-03T05:01:00Z"), 2);
    assert_int_equal(events(f, "feed.missing", "customers"), 1);
    assert_int_equal(events(f, "feed.missing", "clicks"), 1);
    assert_int_equal(events(f, "feed.missing", "never"), 0);
    assert_int_equal(events(f, "feed.missing", "adhoc"), 0);
    /* once: again on this connection, and from another one as a second
       process would */
    assert_int_equal(tick(f, "2026-03-03T05:02:00Z"), 0);
    assert_int_equal(registry_open(&other, f->path, 0, &err), 0);
    assert_int_equal(tick_on(other, "2026-03-03T05:03:00Z"), 0);
    assert_int_equal(events(f, "feed.missing", "customers"), 1);
    /* the routed channel got one outbox row per alert */
    assert_int_equal(
        ufx_int(f, "SELECT count(*) FROM outbox o JOIN events e"
                   " ON e.id = o.event_id WHERE e.event = 'feed.missing'"),
        2);
    /* the file comes late: recovered, once */
    arrive(f, "acme-prod", "customers", "2026-03-03T05:40:00Z", 1010, 0);
    assert_int_equal(tick_on(other, "2026-03-03T05:45:00Z"), 1);
    assert_int_equal(tick(f, "2026-03-03T05:46:00Z"), 0);
    assert_int_equal(events(f, "feed.recovered", "customers"), 1);
    assert_int_equal(events(f, "feed.recovered", "clicks"), 0);
    registry_close(other);
    /* the payload says what ops needs */
    {
        char *p = ufx_text(f, "SELECT payload FROM events WHERE event ="
                              " 'feed.missing' AND json_extract(payload,"
                              " '$.table.name') = 'customers'");
        cJSON *j = ufx_json_parse(p);
        ufx_json_str(j, "table.name", "customers");
        ufx_json_str(j, "table.instance", "acme-prod");
        ufx_json_str(j, "campaign_rule", "REQUIRED: hold campaigns");
        ufx_json_str(j, "escalation", "oz@platform.example");
        ufx_json_str(j, "runbook", "Rerun the loader");
        ufx_json_str(j, "url", "/tables/acme-prod/customers");
        ufx_json_str(j, "due_at", "2026-03-03T04:00:00Z");
        ufx_json_str(j, "missing_at", "2026-03-03T05:00:00Z");
        ufx_json_str(j, "dedup_key",
                     "docket-feed-acme-prod-customers-1772496000");
        cJSON_Delete(j);
        free(p);
        p = ufx_text(f, "SELECT payload FROM events WHERE event ="
                        " 'feed.missing' AND json_extract(payload,"
                        " '$.table.name') = 'clicks'");
        j = ufx_json_parse(p);
        ufx_json_str(j, "campaign_rule", "optional: campaigns may run");
        cJSON_Delete(j);
        free(p);
    }
}

static void test_feed_alerts__previous_slot_once_and_no_further(void **state)
{
    ufx *f = *state;

    arrive(f, "acme-prod", "customers", "2026-03-01T04:05:00Z", 1000, 0);
    /* no tick ran on the 2nd and the 3rd: the tick of the 4th at 03:00
       (the 4th's slot is waiting) raises the 3rd's missing file, not the
       2nd's */
    assert_int_equal(tick(f, "2026-03-04T03:00:00Z"), 1);
    assert_int_equal(events(f, "feed.missing", "customers"), 1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM feed_alerts WHERE"
                                " slot_start = 1772496000"), /* 3 March */
                     1);
    /* at 05:01 the 4th's too; the 3rd's is not raised again */
    assert_int_equal(tick(f, "2026-03-04T05:01:00Z"), 1);
    assert_int_equal(tick(f, "2026-03-04T05:02:00Z"), 0);
    assert_int_equal(events(f, "feed.missing", "customers"), 2);
}

static void test_feed_alerts__failed_and_anomaly(void **state)
{
    ufx *f = *state;
    const char *days[] = {"2026-03-01T04:05:00Z", "2026-03-02T04:05:00Z",
                          "2026-03-03T04:05:00Z", "2026-03-04T04:05:00Z"};

    for (int i = 0; i < 4; i++)
        arrive(f, "acme-prod", "customers", days[i], 1000 + i * 10, 0);
    /* the 4th's (1030) is no anomaly of 1000, 1010, 1020 */
    assert_int_equal(tick(f, "2026-03-04T04:30:00Z"), 0);
    /* the 5th's load fails, then a reload brings 400 rows */
    arrive(f, "acme-prod", "customers", "2026-03-05T04:10:00Z", -1, 1);
    assert_int_equal(tick(f, "2026-03-05T04:20:00Z"), 1);
    assert_int_equal(events(f, "feed.failed", "customers"), 1);
    arrive(f, "acme-prod", "customers", "2026-03-05T04:40:00Z", 400, 0);
    assert_int_equal(tick(f, "2026-03-05T04:45:00Z"), 2);
    assert_int_equal(events(f, "feed.recovered", "customers"), 1);
    assert_int_equal(events(f, "feed.anomaly", "customers"), 1);
    assert_int_equal(tick(f, "2026-03-05T04:50:00Z"), 0);
    {
        char *p = ufx_text(f, "SELECT payload FROM events WHERE event ="
                              " 'feed.anomaly'");
        cJSON *j = ufx_json_parse(p);
        ufx_json_str(j, "anomaly.direction", "below");
        ufx_json_int(j, "anomaly.median_rows", 1015);
        ufx_json_int(j, "anomaly.arrivals", 4);
        ufx_json_int(j, "arrival.rows", 400);
        ufx_json_str(j, "dedup_key",
                     "docket-feed-acme-prod-customers-1772668800-rows");
        cJSON_Delete(j);
        free(p);
    }
    /* per-table thresholds: with the low side off, a small file of the
       6th raises nothing */
    ufx_exec(f, "UPDATE reg_tables SET anomaly_low_pct = 0"
                " WHERE name = 'customers'");
    arrive(f, "acme-prod", "customers", "2026-03-06T04:05:00Z", 3, 0);
    assert_int_equal(tick(f, "2026-03-06T04:30:00Z"), 0);
}

static void test_feed_alerts__inbox_of_the_organisation(void **state)
{
    ufx *f = *state;
    char sql[300];

    arrive(f, "acme-prod", "customers", "2026-03-02T04:05:00Z", 1000, 0);
    arrive(f, "globex-prod", "orders", "2026-03-02T03:05:00Z", 10, 0);
    assert_int_equal(tick(f, "2026-03-03T05:01:00Z"), 2);
    /* acme's customers: ops, admin and Ann (acme's client), not Bob */
    snprintf(sql, sizeof sql,
             "SELECT group_concat(x.user_id || ':' || x.reason, ' ') FROM"
             " (SELECT x.user_id, x.reason FROM inbox x JOIN events e"
             " ON e.id = x.event_id WHERE json_extract(e.payload,"
             " '$.table.name') = 'customers' ORDER BY x.user_id) x");
    {
        char *who = ufx_text(f, sql), want[200];
        int64_t ids[3] = {f->client_a, f->ops, f->admin};
        const char *why[3] = {"client", "ops", "admin"};
        buf b = {0};
        /* by user id */
        for (int i = 0; i < 3; i++)
            for (int j = i + 1; j < 3; j++)
                if (ids[j] < ids[i]) {
                    int64_t t = ids[i];
                    const char *w = why[i];
                    ids[i] = ids[j];
                    why[i] = why[j];
                    ids[j] = t;
                    why[j] = w;
                }
        for (int i = 0; i < 3; i++)
            buf_appendf(&b, "%s%lld:%s", i ? " " : "", (long long)ids[i],
                        why[i]);
        str_copy(want, sizeof want, buf_cstr(&b));
        buf_dispose(&b);
        assert_string_equal(who, want);
        free(who);
    }
    snprintf(sql, sizeof sql, "SELECT count(*) FROM inbox WHERE user_id = %lld",
             (long long)f->client_b);
    /* Bob gets globex's orders only */
    assert_int_equal(ufx_int(f, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM inbox x JOIN events e ON e.id = x.event_id"
             " WHERE x.user_id = %lld AND json_extract(e.payload,"
             " '$.table.name') = 'orders'",
             (long long)f->client_b);
    assert_int_equal(ufx_int(f, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM inbox x JOIN events e ON e.id = x.event_id"
             " WHERE x.user_id = %lld AND json_extract(e.payload,"
             " '$.table.name') = 'orders'",
             (long long)f->client_a);
    assert_int_equal(ufx_int(f, sql), 0);
}

static void test_feed_alerts__prune(void **state)
{
    ufx *f = *state;
    int64_t now = time_now();
    char old[32], young[32], sql[200];
    domain_feeds_tick_result r;
    errmsg err = {0};

    time_iso(old, sizeof old, now - 401 * 86400);
    time_iso(young, sizeof young, now - 399 * 86400);
    arrive(f, "acme-prod", "customers", old, 1, 0);
    arrive(f, "acme-prod", "customers", young, 1, 0);
    snprintf(sql, sizeof sql,
             "INSERT INTO feed_alerts(instance_id, table_id, slot_start, kind,"
             " created_at) SELECT instance_id, table_id, %lld, 'missing', 0"
             " FROM arrivals LIMIT 1",
             (long long)(now - 401 * 86400));
    ufx_exec(f, sql);
    /* a tick "in the future" prunes by the clock, not by its --at */
    assert_int_equal(
        domain_feeds_tick(f->reg, now + 100 * 86400, 400, &r, &err), 0);
    assert_int_equal(r.pruned_arrivals, 1);
    assert_int_equal(r.pruned_alerts, 1);
    domain_feeds_tick_dispose(&r);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM arrivals"), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM arrivals WHERE file = '%s'",
             young);
    assert_int_equal(ufx_int(f, sql), 1);
    /* keep_days is configurable */
    assert_int_equal(domain_feeds_tick(f->reg, 0, 300, &r, &err), 0);
    assert_int_equal(r.pruned_arrivals, 1);
    domain_feeds_tick_dispose(&r);
    assert_int_equal(domain_feeds_tick(f->reg, 0, 0, &r, &err), ERR_INVALID);
    domain_feeds_tick_dispose(&r);
}

/* A weekly table's slots reach back further than the daily tables'
 * shared list: its own arrivals decide it, once; a monthly table's too. */
static void test_feed_alerts__weekly_and_monthly(void **state)
{
    ufx *f = *state;

    ufx_import(f, "acme-qa",
               "table,column,type,cadence,expected_arrival,"
               "late_after_minutes,campaign_dependency,expected_day\n"
               "weekly_report,id,bigint,weekly,04:00,60,required,mon\n"
               "monthly_report,id,bigint,monthly,04:00,60,required,1\n");
    /* reported on Monday 23 February and on 1 February */
    arrive(f, "acme-qa", "weekly_report", "2026-02-23T04:10:00Z", 70, 0);
    arrive(f, "acme-qa", "monthly_report", "2026-02-01T04:10:00Z", 70, 0);
    /* Monday 2 March's and 1 March's files never came: on Wednesday the
       4th both are missing, raised once */
    assert_int_equal(tick(f, "2026-03-04T10:00:00Z"), 2);
    assert_int_equal(events(f, "feed.missing", "weekly_report"), 1);
    assert_int_equal(events(f, "feed.missing", "monthly_report"), 1);
    assert_int_equal(tick(f, "2026-03-05T10:00:00Z"), 0);
    /* the weekly file comes on Thursday: recovered */
    arrive(f, "acme-qa", "weekly_report", "2026-03-05T11:00:00Z", 71, 0);
    assert_int_equal(tick(f, "2026-03-05T11:05:00Z"), 1);
    assert_int_equal(events(f, "feed.recovered", "weekly_report"), 1);
    assert_int_equal(tick(f, "2026-03-06T11:05:00Z"), 0);
}

/* The tick over 500 tracked tables with 14 days of arrivals each: the
 * first one raises what is due, the next ones (every minute of a
 * server) raise nothing; their time is printed, not asserted. */
static void test_feed_alerts__tick_of_500_tables(void **state)
{
    ufx *f = *state;
    buf csv = {0};
    domain_feeds_tick_result r;
    errmsg err = {0};
    int64_t t0, first, best = -1, at = when("2026-03-03T12:00:00Z");
    size_t raised;

    buf_puts(&csv, "table,column,type,cadence,expected_arrival,"
                   "late_after_minutes,campaign_dependency\n");
    for (int i = 0; i < 500; i++)
        buf_appendf(&csv, "feed_%03d,id,bigint,%s,%02d:%02d,60,%s\n", i,
                    i % 10 ? "daily" : "hourly", i % 6, i % 60,
                    i % 3 ? "required" : "optional");
    ufx_import(f, "acme-qa", buf_cstr(&csv));
    buf_dispose(&csv);
    ufx_exec(f, "WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1"
                " FROM d WHERE k < 13) INSERT INTO arrivals(instance_id,"
                " table_id, file, rows, bytes, arrived_at, status, created_at)"
                " SELECT t.instance_id, t.id, 'f-' || k || '.csv', 1000, 10,"
                " 1772510400 - k * 86400 + 3 * 3600, 'ok', 0"
                " FROM reg_tables t, d WHERE t.name LIKE 'feed_%'");
    t0 = time_mono_us();
    assert_int_equal(domain_feeds_tick(f->reg, at, 400, &r, &err), 0);
    first = time_mono_us() - t0;
    raised = r.n;
    domain_feeds_tick_dispose(&r);
    assert_true(raised > 0);
    for (int i = 0; i < 5; i++) {
        t0 = time_mono_us();
        assert_int_equal(domain_feeds_tick(f->reg, at + 60, 400, &r, &err), 0);
        t0 = time_mono_us() - t0;
        if (best < 0 || t0 < best)
            best = t0;
        assert_int_equal(r.n, 0);
        domain_feeds_tick_dispose(&r);
    }
    fprintf(stderr,
            "tick of 500 tracked tables, 7000 arrivals: first %lld us"
            " (%zu alerts raised), then best of 5 %lld us\n",
            (long long)first, raised, (long long)best);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, ufx_teardown)

UFX_MAIN(cmocka_unit_test(test_feed_alerts__median),
         cmocka_unit_test(test_feed_alerts__anomaly_thresholds),
         cmocka_unit_test(test_feed_alerts__what_a_slot_raises),
         cmocka_unit_test(test_feed_alerts__names_and_keys),
         T(test_feed_alerts__missing_once_then_recovered),
         T(test_feed_alerts__previous_slot_once_and_no_further),
         T(test_feed_alerts__failed_and_anomaly),
         T(test_feed_alerts__inbox_of_the_organisation),
         T(test_feed_alerts__prune), T(test_feed_alerts__weekly_and_monthly),
         T(test_feed_alerts__tick_of_500_tables))
