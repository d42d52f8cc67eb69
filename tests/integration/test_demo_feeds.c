/* test_demo_feeds.c: `docket demo` seeds a week of arrivals up to the
 * moment it runs, so /feeds and the gate show something at once: both
 * instances have files of every tracked table; on acme-prod one load
 * failed (purchase_items, with its message), one file came late
 * (purchases: arrived_late in the gate at that moment), one file has far
 * fewer rows than the others of its table (customers), and the required
 * unsubscribes file is missing for the last slot whose grace period was
 * over (the gate holds then); acme-qa's required files all arrived. The
 * gate of the demo answers through the API for the demo's project
 * manager. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static h_server demo;
static char pm_pw[64];

static int up(void **state)
{
    char path[700], *out = NULL, *p;

    *state = &demo;
    h_server_start(&demo, NULL);
    assert_int_equal(h_server_stop(&demo), 0);
    for (const char *ext = ""; ext; ext = *ext ? NULL : "-wal") {
        snprintf(path, sizeof path, "%s%s", demo.db, ext);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s-shm", demo.db);
    unlink(path);
    if (h_docket(&demo, NULL, &out, "demo", NULL) != 0)
        fail_msg("demo: %s", out);
    if (!strstr(out, "acme-prod: ") || !strstr(out, "files arrived"))
        fail_msg("demo says nothing of arrivals: %s", out);
    p = strstr(out, "pm@platform.example");
    assert_non_null(p);
    p = strstr(p, "password ");
    assert_non_null(p);
    sscanf(p + 9, "%63s", pm_pw);
    free(out);
    return 0;
}

static int down(void **state)
{
    (void)state;
    h_server_stop(&demo);
    h_server_cleanup(&demo);
    return 0;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *entry(const cJSON *o, const char *key, const char *name)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, key))
    {
        const char *t = str_of(v, "table");
        if (t && !strcmp(t, name))
            return v;
    }
    return NULL;
}

/* `docket gate --json` of instance at t (seconds). */
static cJSON *gate_at(const char *instance, int64_t t)
{
    char iso[32], *out = NULL;
    time_t tt = (time_t)t;
    struct tm tm;
    cJSON *g;

    gmtime_r(&tt, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    h_docket(&demo, NULL, &out, "gate", "--instance", instance, "--at", iso,
             "--json", NULL);
    g = cJSON_Parse(out);
    if (!g)
        fail_msg("gate of %s at %s: %s", instance, iso, out);
    free(out);
    return g;
}

static void expect_state(const cJSON *g, const char *table, const char *state)
{
    const cJSON *t = entry(g, "tables", table);

    if (!t)
        fail_msg("%s is not in the gate", table);
    if (strcmp(str_of(t, "state"), state))
        fail_msg("%s at %s is %s, not %s", table, str_of(g, "at"),
                 str_of(t, "state"), state);
}

#define PROD "(SELECT id FROM instances WHERE name = 'acme-prod')"
#define QA   "(SELECT id FROM instances WHERE name = 'acme-qa')"
#define TBL(inst, name)                                                        \
    "(SELECT id FROM reg_tables WHERE instance_id = " inst                     \
    " AND name = '" name "')"

static void test_demo__a_week_of_files(void **state)
{
    (void)state;
    /* both instances, every tracked table has files */
    assert_true(h_db_int(&demo, "SELECT count(*) FROM arrivals WHERE"
                                " instance_id = " PROD) >= 100);
    assert_true(h_db_int(&demo, "SELECT count(*) FROM arrivals WHERE"
                                " instance_id = " QA) >= 100);
    assert_int_equal(h_db_int(&demo,
                              "SELECT count(*) FROM reg_tables t WHERE"
                              " t.cadence IN ('daily', 'hourly') AND"
                              " NOT EXISTS (SELECT 1 FROM arrivals a WHERE"
                              " a.table_id = t.id)"),
                     0);
    /* daily files span a week */
    assert_true(h_db_int(&demo, "SELECT max(arrived_at) - min(arrived_at)"
                                " FROM arrivals WHERE table_id = " TBL(
                                    PROD, "customers")) >= 5 * 86400);
    /* one failed load, on acme-prod, with its message */
    assert_int_equal(h_db_int(&demo,
                              "SELECT count(*) FROM arrivals WHERE status = "
                              "'failed'"),
                     1);
    assert_int_equal(h_db_int(&demo,
                              "SELECT count(*) FROM arrivals WHERE status = "
                              "'failed' AND message LIKE 'Checksum mismatch%'"
                              " AND table_id = " TBL(PROD, "purchase_items")),
                     1);
    /* one customers file far below the others (an anomaly), the rest
       close to each other */
    assert_int_equal(h_db_int(&demo, "SELECT count(*) FROM arrivals WHERE"
                                     " rows < 600000 AND table_id = " TBL(
                                         PROD, "customers")),
                     1);
    assert_int_equal(
        h_db_int(&demo, "SELECT count(*) FROM arrivals WHERE"
                        " rows < 1100000 AND table_id = " TBL(QA, "customers")),
        0);
}

static void test_demo__late_missing_and_the_gate(void **state)
{
    int64_t late, now = (int64_t)time(NULL), day, missing_day = -1, at;
    cJSON *g;
    h_session pm = {0};
    h_resp r;

    (void)state;
    /* purchases (06:00, 90 minutes of grace) came late once */
    late = h_db_int(&demo, "SELECT arrived_at FROM arrivals WHERE table_id = "
                           "" TBL(PROD, "purchases") " AND arrived_at % 86400"
                                                     " >= 7 * 3600 + 30 * 60");
    assert_true(late > 0);
    g = gate_at("acme-prod", late + 60);
    expect_state(g, "purchases", "arrived_late");
    cJSON_Delete(g);

    /* unsubscribes (04:00, 30 minutes of grace): the last day whose
       grace period was over has no file; the gate held then */
    for (day = now - now % 86400; day > now - 8 * 86400; day -= 86400) {
        char sql[300];
        if (day + 4 * 3600 + 30 * 60 > now)
            continue;
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM arrivals WHERE table_id = " TBL(
                     PROD, "unsubscribes") " AND arrived_at >= %lld"
                                           " AND arrived_at < %lld",
                 (long long)day, (long long)day + 86400);
        if (h_db_int(&demo, sql) == 0) {
            missing_day = day;
            break;
        }
    }
    /* ... the last one over, not any earlier */
    assert_true(missing_day >= now - now % 86400 - 86400);
    at = missing_day + 12 * 3600 < now ? missing_day + 12 * 3600 : now;
    g = gate_at("acme-prod", at);
    expect_state(g, "unsubscribes", "missing");
    assert_string_equal(str_of(g, "decision"), "hold");
    assert_non_null(entry(g, "blocking", "unsubscribes"));
    cJSON_Delete(g);
    /* acme-qa's required files all came: yesterday noon, run */
    g = gate_at("acme-qa", now - now % 86400 - 12 * 3600);
    assert_string_equal(str_of(g, "decision"), "run");
    cJSON_Delete(g);

    /* the demo's project manager reads the gate through the API */
    h_server_restart(&demo);
    assert_int_equal(h_signin(&pm, &demo, "pm@platform.example", pm_pw), 303);
    h_get(&r, &demo, &pm, "/api/v1/instances/acme-prod/gate");
    assert_int_equal(r.status, 200);
    g = cJSON_Parse(r.body);
    assert_non_null(g);
    assert_non_null(entry(g, "tables", "unsubscribes"));
    assert_true(cJSON_GetArraySize(
                    cJSON_GetObjectItemCaseSensitive(g, "tables")) >= 10);
    cJSON_Delete(g);
    h_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo__a_week_of_files),
        cmocka_unit_test(test_demo__late_missing_and_the_gate),
    };
    return cmocka_run_group_tests(tests, up, down);
}
