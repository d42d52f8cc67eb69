/* test_feeds_alerts.c: the feed alerts against the real server and the
 * command line. A simulated night on acme-prod (a month ahead, so the
 * server's own minute clock never meets it) driven by `docket feeds tick
 * --at`, after five days of arrivals: customers on time raises nothing;
 * stock (required) goes missing, then arrives late: feed.missing, then
 * feed.recovered; purchases (required) fails, then is reloaded:
 * feed.failed, then feed.recovered; web_clicks (optional) goes missing
 * and then arrives with a fifth of its usual rows: feed.missing,
 * feed.recovered and feed.anomaly. Each alert once: ticking again, after
 * a server restart and with four ticks at the same time. The contract-
 * enforcing PagerDuty receiver gets each alert as an Events API v2 event:
 * a trigger (error for a required table, warning for an optional one and
 * for the anomaly), then a resolve with the same dedup_key. The inbox of
 * a client of acme holds acme's alerts; a client of globex only globex's.
 * The server's own tick raises an alert of the real clock once, also
 * across a restart, and prunes arrivals older than [feeds] keep_days
 * only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PY   "/usr/bin/python3"
#define RKEY "0123456789abcdef0123456789abcdef"

static h_server srv;
static char t_pat[128], t_ann[128], t_bob[128];
static char rx_dir[512], rx_record[700];
static pid_t rx_pid;
static int64_t day; /* the night's UTC day, a month ahead */
static char arch_expected[8];

/* ---- the PagerDuty receiver (tests/receivers/fake_receiver.py) ---- */

static int rx_start(void)
{
    char port_file[700];
    int port = 0;

    h_tmpdir(rx_dir, sizeof rx_dir, "pd");
    snprintf(port_file, sizeof port_file, "%s/pd.port", rx_dir);
    snprintf(rx_record, sizeof rx_record, "%s/pd.jsonl", rx_dir);
    rx_pid = fork();
    assert_true(rx_pid >= 0);
    if (rx_pid == 0) {
        execl(PY, PY, h_source("tests/receivers/fake_receiver.py"), "--kind",
              "pagerduty", "--port-file", port_file, "--record", rx_record,
              "--timeout", "280", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 400 && !port; i++) {
        FILE *pf = fopen(port_file, "r");
        if (pf) {
            if (fscanf(pf, "%d", &port) != 1)
                port = 0;
            fclose(pf);
        }
        if (!port)
            usleep(50000);
    }
    if (!port)
        fail_msg("the PagerDuty receiver did not start");
    return port;
}

/* ---- times of the night ---- */

/* The night's day plus offset days at hh:mm, ISO 8601 (a rotation of 8
 * static buffers). */
static const char *at(int offset, const char *hhmm)
{
    static char out[8][32];
    static int k;
    char *o = out[k++ % 8];
    int h = 0, m = 0;

    sscanf(hhmm, "%d:%d", &h, &m);
    {
        time_t t = (time_t)(day + offset * 86400 + h * 3600 + m * 60);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(o, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    return o;
}

/* ---- calls ---- */

static cJSON *call(const char *token, const char *method, const char *path,
                   const char *json, long want)
{
    h_resp r;
    cJSON *j;

    if (json) {
        h_send_json(&r, &srv, NULL, token, method, path, json);
    } else {
        char auth[200];
        const char *hdrs[] = {auth, NULL};
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h_request(&r, &srv, NULL, method, path, NULL, NULL, 0, hdrs);
    }
    if (r.status != want)
        fail_msg("%s %s: %ld, wanted %ld: %s", method, path, r.status, want,
                 r.body);
    j = cJSON_Parse(r.body);
    h_resp_free(&r);
    return j;
}

/* Reports a file of table at when (rows -1: none; msg: a failed load). */
static void report(const char *inst, const char *table, const char *when,
                   int64_t rows, const char *msg)
{
    char json[800], count[40] = "";

    if (rows >= 0)
        snprintf(count, sizeof count, "\"rows\":%lld,", (long long)rows);
    snprintf(json, sizeof json,
             "{\"instance\":\"%s\",\"table\":\"%s\",\"file\":\"%s-%s\","
             "%s\"arrived_at\":\"%s\",\"status\":\"%s\","
             "\"message\":\"%s\"}",
             inst, table, table, when, count, when, msg ? "failed" : "ok",
             msg ? msg : "");
    cJSON_Delete(call(t_pat, "POST", "/api/v1/arrivals", json, 201));
}

/* `docket feeds tick --at when` (when NULL: now): its output (caller
 * frees); exit 0 or the test fails. */
static char *tick(const char *when)
{
    char *out = NULL;
    int rc =
        when ? h_docket(&srv, NULL, &out, "feeds", "tick", "--at", when, NULL)
             : h_docket(&srv, NULL, &out, "feeds", "tick", NULL);

    if (rc != 0)
        fail_msg("feeds tick: exit %d: %s", rc, out);
    return out;
}

/* A tick that raises exactly n alerts, each line of want[] among them. */
static void tick_raises(const char *when, int n, ...)
{
    char *out = tick(when), line[64];
    va_list ap;
    const char *w;

    snprintf(line, sizeof line, "raised %d alert%s;", n, n == 1 ? "" : "s");
    if (!strstr(out, line))
        fail_msg("tick at %s: wanted \"%s\":\n%s", when, line, out);
    va_start(ap, n);
    while ((w = va_arg(ap, const char *)) != NULL)
        if (!strstr(out, w))
            fail_msg("tick at %s: no \"%s\" in:\n%s", when, w, out);
    va_end(ap);
    free(out);
}

static int64_t feed_events(void)
{
    return h_db_int(&srv, "SELECT count(*) FROM events WHERE event LIKE"
                          " 'feed.%'");
}

/* Events of one (table, slot, kind) written more than once. */
static int64_t duplicates(void)
{
    return h_db_int(&srv,
                    "SELECT count(*) FROM (SELECT 1 FROM events WHERE event"
                    " LIKE 'feed.%' GROUP BY event, json_extract(payload,"
                    " '$.instance'), json_extract(payload, '$.table.name'),"
                    " json_extract(payload, '$.slot_start')"
                    " HAVING count(*) > 1)");
}

/* ---- the world ---- */

static int up(void **state)
{
    char cfg[1200], csv[1200];
    int port = rx_start(), hour;
    time_t now = time(NULL);
    struct tm tm;

    *state = &srv;
    day = ((int64_t)now / 86400 + 30) * 86400;
    /* the table of the real clock: due twelve hours from now, so no
       missing time passes while the test runs */
    gmtime_r(&now, &tm);
    hour = (tm.tm_hour + 12) % 24;
    snprintf(arch_expected, sizeof arch_expected, "%02d:00", hour);
    snprintf(cfg, sizeof cfg,
             "log_level = debug\n"
             "[notify]\nallow_private = true\nallow_http = true\n"
             "[channel.oncall]\ntype = pagerduty\nrouting_key = " RKEY "\n"
             "url = http://127.0.0.1:%d/v2/change/enqueue\n"
             "alert_url = http://127.0.0.1:%d/v2/enqueue\npace_ms = 0\n"
             "[route]\nfeed.missing = oncall\nfeed.recovered = oncall\n"
             "feed.failed = oncall\nfeed.anomaly = oncall\n",
             port, port);
    h_server_start(&srv, cfg);
    h_world(&srv, "acme globex acme-prod globex-prod ann bob pat oz ada");
    snprintf(csv, sizeof csv,
             "table,column,type,cadence,expected_arrival,late_after_minutes,"
             "campaign_dependency,campaign_note,escalation,runbook\n"
             "customers,id,bigint,daily,04:00,60,required,,"
             "oz@platform.example,Rerun the loader\n"
             "stock,id,bigint,daily,04:00,30,required,No stock no mail,"
             "oz@platform.example,Call the warehouse\n"
             "purchases,id,bigint,daily,05:00,30,required,,"
             "pat@platform.example,Ask the shop\n"
             "web_clicks,id,bigint,daily,04:30,60,optional,,,\n"
             "archive,id,bigint,daily,%s,60,required,,,\n",
             arch_expected);
    h_import(&srv, "acme-prod", csv);
    h_import(&srv, "globex-prod",
             "table,column,type,cadence,expected_arrival,late_after_minutes,"
             "campaign_dependency\n"
             "orders,id,bigint,daily,03:00,60,required\n");
    h_token(&srv, "pat@platform.example", "t", t_pat, sizeof t_pat);
    h_token(&srv, "ann@acme.example", "t", t_ann, sizeof t_ann);
    h_token(&srv, "bob@globex.example", "t", t_bob, sizeof t_bob);
    /* five days of files: every table reported before the night */
    for (int i = 0; i < 5; i++) {
        int d = i - 5;
        report("acme-prod", "customers", at(d, "04:10"), 1000 + i * 10, NULL);
        report("acme-prod", "stock", at(d, "04:05"), 300, NULL);
        report("acme-prod", "purchases", at(d, "05:05"), 500, NULL);
        report("acme-prod", "web_clicks", at(d, "04:35"), 100 + i, NULL);
        report("globex-prod", "orders", at(d, "03:05"), 70, NULL);
    }
    return 0;
}

static int down(void **state)
{
    if (rx_pid > 0) {
        kill(rx_pid, SIGTERM);
        waitpid(rx_pid, NULL, 0);
    }
    if (!getenv("KEEP_TEST_TMP")) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", rx_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", rx_dir);
    }
    return h_group_down(state);
}

/* ---- the night ---- */

static void test_feeds_alerts__a_night(void **state)
{
    char stock_missing[120];

    (void)state;
    snprintf(stock_missing, sizeof stock_missing,
             "feed.missing acme-prod/stock slot %s", at(0, "00:00"));
    report("globex-prod", "orders", at(0, "03:05"), 70, NULL);
    tick_raises(at(0, "03:00"), 0, NULL);
    /* customers on time: no alert */
    report("acme-prod", "customers", at(0, "04:10"), 1050, NULL);
    tick_raises(at(0, "04:20"), 0, NULL);
    /* stock (04:00, 30 min of grace) late: missing, then recovered */
    tick_raises(at(0, "04:31"), 1, stock_missing, NULL);
    report("acme-prod", "stock", at(0, "05:00"), 301, NULL);
    tick_raises(at(0, "05:01"), 1, "feed.recovered acme-prod/stock", NULL);
    /* purchases fails, then is reloaded */
    report("acme-prod", "purchases", at(0, "05:10"), -1, "checksum mismatch");
    tick_raises(at(0, "05:15"), 1, "feed.failed acme-prod/purchases", NULL);
    report("acme-prod", "purchases", at(0, "05:40"), 500, NULL);
    /* ... while the optional web_clicks passed 05:30 without a file */
    tick_raises(at(0, "05:45"), 2, "feed.recovered acme-prod/purchases",
                "feed.missing acme-prod/web_clicks", NULL);
    /* web_clicks comes with a fifth of its rows */
    report("acme-prod", "web_clicks", at(0, "06:10"), 20, NULL);
    tick_raises(at(0, "06:15"), 2, "feed.recovered acme-prod/web_clicks",
                "feed.anomaly acme-prod/web_clicks", NULL);
    /* each alert once */
    tick_raises(at(0, "06:15"), 0, NULL);
    tick_raises(at(0, "06:20"), 0, NULL);
    assert_int_equal(feed_events(), 7);
    /* the customers on time and globex's orders raised nothing */
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM events WHERE event"
                                    " LIKE 'feed.%' AND json_extract(payload,"
                                    " '$.table.name') IN ('customers',"
                                    " 'orders')"),
                     0);
    /* what the alert says: the rule, the contact, the runbook, the card */
    assert_int_equal(h_db_int(&srv,
                              "SELECT count(*) FROM events WHERE event ="
                              " 'feed.missing' AND json_extract(payload,"
                              " '$.campaign_rule') = 'REQUIRED: hold campaigns'"
                              " AND json_extract(payload, '$.escalation') ="
                              " 'oz@platform.example' AND json_extract(payload,"
                              " '$.runbook') = 'Call the warehouse' AND"
                              " json_extract(payload, '$.url') ="
                              " '/tables/acme-prod/stock'"),
                     1);
}

static void
test_feeds_alerts__once_across_restart_and_concurrent_ticks(void **state)
{
    char out[4][700];
    pid_t pids[4];
    int raised = 0;

    (void)state;
    assert_int_equal(h_server_stop(&srv), 0);
    h_server_restart(&srv);
    tick_raises(at(0, "06:15"), 0, NULL);
    tick_raises(at(0, "06:30"), 0, NULL);
    assert_int_equal(feed_events(), 7);
    /* the next day, four ticks at the same moment: customers, stock and
       globex's orders are missing, each raised by one of them */
    for (int i = 0; i < 4; i++) {
        snprintf(out[i], sizeof out[i], "%s/tick%d.out", srv.dir, i);
        pids[i] = h_spawn(&srv, out[i], "feeds", "tick", "--at", at(1, "05:01"),
                          NULL);
    }
    for (int i = 0; i < 4; i++) {
        int status = 0;
        char *text, *p;
        int n = 0;
        waitpid(pids[i], &status, 0);
        text = h_read(out[i], NULL);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("tick %d: %s", i, text);
        p = strstr(text, "raised ");
        assert_non_null(p);
        assert_int_equal(sscanf(p, "raised %d", &n), 1);
        raised += n;
        free(text);
    }
    assert_int_equal(raised, 3);
    assert_int_equal(feed_events(), 10);
    assert_int_equal(duplicates(), 0);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM feed_alerts"), 10);
}

/* ---- PagerDuty ---- */

/* The records of the receiver (caller deletes). */
static cJSON *rx_records(void)
{
    cJSON *arr = cJSON_CreateArray();
    char *text = h_read(rx_record, NULL), *line = text, *nl;

    for (; *line; line = nl + 1) {
        cJSON *j;
        nl = strchr(line, '\n');
        if (!nl)
            nl = line + strlen(line) - 1;
        else
            *nl = '\0';
        j = cJSON_Parse(line);
        if (j)
            cJSON_AddItemToArray(arr, j);
        if (!nl[1])
            break;
    }
    free(text);
    return arr;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The actions ("trigger:error", "resolve") sent for dedup_key, in order,
 * joined by spaces into out. */
static void actions_of(const cJSON *recs, const char *key, char *out,
                       size_t size)
{
    const cJSON *r;

    out[0] = '\0';
    cJSON_ArrayForEach(r, recs)
    {
        cJSON *body = cJSON_Parse(jstr(r, "body"));
        const cJSON *payload =
            cJSON_GetObjectItemCaseSensitive(body, "payload");
        char one[64];
        if (!strcmp(jstr(body, "dedup_key"), key)) {
            if (!strcmp(jstr(r, "path"), "/v2/enqueue") &&
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "accepted")))
                snprintf(one, sizeof one, "%s%s%s", jstr(body, "event_action"),
                         payload ? ":" : "", jstr(payload, "severity"));
            else
                snprintf(one, sizeof one, "refused(%s)", jstr(r, "path"));
            snprintf(out + strlen(out), size - strlen(out), "%s%s",
                     *out ? " " : "", one);
        }
        cJSON_Delete(body);
    }
}

static void test_feeds_alerts__pagerduty_trigger_then_resolve(void **state)
{
    char key[200], got[300];
    cJSON *recs, *r;
    int64_t slot = day;
    int n = 0;

    (void)state;
    /* deliver what is due, with the server stopped (it may have sent some
       rows already: each row is sent once) */
    assert_int_equal(h_server_stop(&srv), 0);
    {
        char *out = NULL;
        int rc = h_docket(&srv, NULL, &out, "notify", "run", NULL);
        if (rc != 0)
            fail_msg("notify run: %d %s", rc, out);
        free(out);
    }
    h_server_restart(&srv);
    recs = rx_records();
    cJSON_ArrayForEach(r, recs)
    {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "accepted")))
            fail_msg("refused by the receiver: %s", jstr(r, "body"));
        assert_string_equal(jstr(r, "path"), "/v2/enqueue");
        n++;
    }
    assert_int_equal(n, 10);
    snprintf(key, sizeof key, "docket-feed-acme-prod-stock-%lld",
             (long long)slot);
    actions_of(recs, key, got, sizeof got);
    assert_string_equal(got, "trigger:error resolve");
    snprintf(key, sizeof key, "docket-feed-acme-prod-purchases-%lld",
             (long long)slot);
    actions_of(recs, key, got, sizeof got);
    assert_string_equal(got, "trigger:error resolve");
    snprintf(key, sizeof key, "docket-feed-acme-prod-web_clicks-%lld",
             (long long)slot);
    actions_of(recs, key, got, sizeof got);
    assert_string_equal(got, "trigger:warning resolve");
    snprintf(key, sizeof key, "docket-feed-acme-prod-web_clicks-%lld-rows",
             (long long)slot);
    actions_of(recs, key, got, sizeof got);
    assert_string_equal(got, "trigger:warning");
    snprintf(key, sizeof key, "docket-feed-globex-prod-orders-%lld",
             (long long)(slot + 86400));
    actions_of(recs, key, got, sizeof got);
    assert_string_equal(got, "trigger:error");
    cJSON_Delete(recs);
}

/* ---- the inbox ---- */

/* The feed items of token's inbox: how many, and whether all are of
 * instance inst with reason. */
static int inbox_feeds(const char *token, const char *inst, const char *reason)
{
    cJSON *j = call(token, "GET", "/api/v1/inbox?limit=200", NULL, 200);
    const cJSON *it;
    int n = 0;

    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "items"))
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "table");
        if (strncmp(jstr(it, "event"), "feed.", 5))
            continue;
        assert_string_equal(jstr(t, "instance"), inst);
        assert_string_equal(jstr(it, "reason"), reason);
        n++;
    }
    cJSON_Delete(j);
    return n;
}

static void test_feeds_alerts__inbox_of_the_organisation(void **state)
{
    char oz[128];

    (void)state;
    /* acme's client: acme's 9 alerts (the night's 7, customers and stock
       of the next day) */
    assert_int_equal(inbox_feeds(t_ann, "acme-prod", "client"), 9);
    /* globex's client: globex's orders only */
    assert_int_equal(inbox_feeds(t_bob, "globex-prod", "client"), 1);
    /* ops: every one */
    h_token(&srv, "oz@platform.example", "t", oz, sizeof oz);
    {
        cJSON *j = call(oz, "GET", "/api/v1/inbox?limit=200", NULL, 200);
        int n = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "items"))
        {
            if (!strncmp(jstr(it, "event"), "feed.", 5)) {
                assert_string_equal(jstr(it, "reason"), "ops");
                n++;
            }
        }
        assert_int_equal(n, 10);
        cJSON_Delete(j);
    }
    /* the PM is not told of feeds */
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM inbox x JOIN users u"
                                    " ON u.id = x.user_id JOIN events e ON"
                                    " e.id = x.event_id WHERE u.role = 'pm'"
                                    " AND e.event LIKE 'feed.%'"),
                     0);
}

/* ---- the server's own clock, and pruning ---- */

/* Lines of the server's log holding text. */
static int log_count(const char *text)
{
    char *log = h_read(srv.log, NULL);
    int n = 0;

    for (const char *p = log; (p = strstr(p, text)) != NULL; p++)
        n++;
    free(log);
    return n;
}

static void wait_for_tick(int before)
{
    for (int i = 0; i < 600 && log_count("feed alerts: ") <= before; i++)
        usleep(50000);
    if (log_count("feed alerts: ") <= before)
        fail_msg("the server's clock did not run its feed tick in 30 s");
}

static void test_feeds_alerts__server_clock_once_and_pruning(void **state)
{
    time_t now = time(NULL);
    char old[32], young[32], sql[300];
    int64_t archive_alerts;
    int before;
    struct tm tm;

    (void)state;
    gmtime_r(&(time_t){now - 401 * 86400}, &tm);
    strftime(old, sizeof old, "%Y-%m-%dT%H:%M:%SZ", &tm);
    gmtime_r(&(time_t){now - 399 * 86400}, &tm);
    strftime(young, sizeof young, "%Y-%m-%dT%H:%M:%SZ", &tm);
    report("acme-prod", "archive", old, 5, NULL);
    report("acme-prod", "archive", young, 5, NULL);
    /* at its start the server's clock ticks: the archive table (reported
       before) has missed its files of the real yesterday (and today), and
       the arrival older than 400 days goes */
    assert_int_equal(h_server_stop(&srv), 0);
    before = log_count("feed alerts: ");
    h_server_restart(&srv);
    wait_for_tick(before);
    archive_alerts = h_db_int(&srv, "SELECT count(*) FROM events WHERE"
                                    " json_extract(payload, '$.table.name')"
                                    " = 'archive'");
    assert_true(archive_alerts >= 1);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM arrivals a JOIN"
                                    " reg_tables t ON t.id = a.table_id"
                                    " WHERE t.name = 'archive'"),
                     1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM arrivals WHERE file = 'archive-%s'", young);
    assert_int_equal(h_db_int(&srv, sql), 1);
    /* once: a restart, and a tick from the command line meanwhile */
    before = log_count("feed alerts: ");
    assert_int_equal(h_server_stop(&srv), 0);
    h_server_restart(&srv);
    free(tick(NULL));
    wait_for_tick(before);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM events WHERE"
                                    " json_extract(payload, '$.table.name')"
                                    " = 'archive'"),
                     archive_alerts);
    assert_int_equal(duplicates(), 0);
    /* the night's arrivals, a month ahead, are all kept */
    assert_true(h_db_int(&srv, "SELECT count(*) FROM arrivals") >= 30);
    /* keep_days is checked: a bad value stops the command */
    {
        char *out = NULL;
        setenv("DOCKET_KEEP_DAYS", "0", 1);
        assert_int_equal(h_docket(&srv, NULL, &out, "feeds", "tick", NULL), 2);
        unsetenv("DOCKET_KEEP_DAYS");
        assert_non_null(strstr(out, "keep_days"));
        free(out);
        assert_int_equal(h_docket(&srv, NULL, &out, "feeds", "tock", NULL), 2);
        free(out);
        assert_int_equal(
            h_docket(&srv, NULL, &out, "feeds", "tick", "--at", "soon", NULL),
            2);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feeds_alerts__a_night),
        cmocka_unit_test(
            test_feeds_alerts__once_across_restart_and_concurrent_ticks),
        cmocka_unit_test(test_feeds_alerts__pagerduty_trigger_then_resolve),
        cmocka_unit_test(test_feeds_alerts__inbox_of_the_organisation),
        cmocka_unit_test(test_feeds_alerts__server_clock_once_and_pruning),
    };
    return cmocka_run_group_tests(tests, up, down);
}
