/* test_feeds_latest.c: the gate reads one arrival per table. The store's
 * registry_arrival_latest gives, per tracked table of an instance, the
 * arrival reported last up to a moment (ties of time go to the later
 * report; later arrivals, other instances, deprecated tables and tables
 * without a cadence are left out; every field is read); domain_gate, built on
 * it, gives the same state and deciding arrival as the slot rules applied to
 * all of a table's arrivals, at every quarter hour of three days of
 * daily, hourly and weekly tables whose grace periods run past midnight
 * or the hour; and the gate's JSON, written straight into a buffer, has
 * the API's fields, times as time_iso writes them, and valid, escaped
 * text for any stored bytes. */
#include "fixture.h"
#include "feeds_cases.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lfx {
    ufx *f;
    registry_user ops_user;
    domain_actor ops;
    int64_t inst;
} lfx;

static int64_t when(const char *iso)
{
    int64_t t = 0;

    assert_int_equal(time_parse_iso(&t, iso), 0);
    return t;
}

static int setup(void **state)
{
    lfx *t = xcalloc(1, sizeof *t);
    errmsg err = {0};

    t->f = ufx_open("dlatest");
    ufx_people(t->f, "postgres");
    assert_int_equal(
        registry_user_get(t->f->reg, &t->ops_user, t->f->ops, &err), 0);
    t->ops = domain_actor_of(&t->ops_user);
    ufx_import(t->f, "acme-prod",
               "table,column,type,cadence,expected_arrival,"
               "late_after_minutes,campaign_dependency,table_status\n"
               "customers,id,bigint,daily,04:00,60,required,active\n"
               "late_night,id,bigint,daily,23:30,60,required,active\n"
               "clicks,id,bigint,hourly,00:15,20,optional,active\n"
               "hour_end,id,bigint,hourly,00:50,30,required,active\n"
               "stores,id,bigint,daily,06:00,120,optional,active\n"
               "old_feed,id,bigint,daily,04:00,60,required,deprecated\n"
               "adhoc,id,bigint,ad_hoc,,,required,active\n"
               "no_rules,id,bigint,,,,,active\n");
    /* weekly on Tuesdays (set here, whatever the importer asks of it) */
    ufx_exec(t->f, "UPDATE reg_tables SET cadence = 'weekly',"
                   " expected_day = 'tue' WHERE name = 'stores'");
    ufx_import(t->f, "globex-prod",
               "table,column,type,cadence,expected_arrival,"
               "late_after_minutes,campaign_dependency\n"
               "customers,id,bigint,daily,04:00,60,required\n");
    t->inst = ufx_int(t->f, "SELECT id FROM instances WHERE name = "
                            "'acme-prod'");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    lfx *t = *state;

    ufx_close(t->f);
    free(t);
    return 0;
}

static int64_t table_id(lfx *t, const char *inst, const char *name)
{
    char sql[300];

    snprintf(sql, sizeof sql,
             "SELECT t.id FROM reg_tables t JOIN instances i"
             " ON i.id = t.instance_id WHERE i.name = '%s' AND t.name = '%s'",
             inst, name);
    return ufx_int(t->f, sql);
}

/* Stores an arrival straight into the table (id order = report order). */
static void arrival(lfx *t, const char *inst, const char *table,
                    const char *file, int64_t at, int failed, int64_t rows)
{
    char sql[800];

    snprintf(sql, sizeof sql,
             "INSERT INTO arrivals(instance_id, table_id, file, rows, bytes,"
             " arrived_at, status, message, created_at)"
             " SELECT i.id, t.id, '%s', %lld, 7, %lld, '%s', '%s', 99"
             " FROM reg_tables t JOIN instances i ON i.id = t.instance_id"
             " WHERE i.name = '%s' AND t.name = '%s'",
             file, (long long)rows, (long long)at, failed ? "failed" : "ok",
             failed ? "disk full" : "", inst, table);
    ufx_exec(t->f, sql);
}

/* registry_arrival_latest into an array indexed by table id. */
typedef struct found {
    registry_arrival a[64];
    int asked[64];
    int64_t skip; /* a table id whose dest is NULL */
} found;

static registry_arrival *dest(void *ctx, int64_t id)
{
    found *f = ctx;

    assert_true(id > 0 && id < 64);
    f->asked[id]++;
    return id == f->skip ? NULL : &f->a[id];
}

static void test_latest__one_per_table_up_to_at(void **state)
{
    lfx *t = *state;
    int64_t day = when("2026-03-03T00:00:00Z");
    int64_t cust = table_id(t, "acme-prod", "customers");
    int64_t clicks = table_id(t, "acme-prod", "clicks");
    int64_t old = table_id(t, "acme-prod", "old_feed");
    int64_t adhoc = table_id(t, "acme-prod", "adhoc");
    int64_t theirs = table_id(t, "globex-prod", "customers");
    int64_t nr = table_id(t, "acme-prod", "no_rules");
    found *f = xcalloc(1, sizeof *f);
    errmsg err = {0};

    arrival(t, "acme-prod", "customers", "c-0302.csv", day - 86400 + 14400, 0,
            10);
    arrival(t, "acme-prod", "customers", "c-0303.csv", day + 14400, 1, -1);
    /* the same moment, reported later: this one decides */
    arrival(t, "acme-prod", "customers", "c-0303-b.csv", day + 14400, 0, 30);
    arrival(t, "acme-prod", "customers", "c-0304.csv", day + 86400 + 14400, 0,
            40);
    arrival(t, "acme-prod", "clicks", "k-01.json", day + 3600 + 900, 0, 5);
    arrival(t, "acme-prod", "old_feed", "o.csv", day + 14400, 0, 1);
    arrival(t, "acme-prod", "adhoc", "a.csv", day + 14400, 0, 1);
    arrival(t, "acme-prod", "no_rules", "n.csv", day + 14400, 0, 1);
    arrival(t, "globex-prod", "customers", "g.csv", day + 14400, 0, 1);

    assert_int_equal(
        registry_arrival_latest(t->f->reg, t->inst, day + 43200, dest, f, &err),
        0);
    assert_int_equal(f->asked[cust], 1);
    assert_string_equal(f->a[cust].file, "c-0303-b.csv");
    assert_int_equal(f->a[cust].rows, 30);
    assert_int_equal(f->a[cust].bytes, 7);
    assert_int_equal(f->a[cust].failed, 0);
    assert_int_equal(f->a[cust].arrived_at, day + 14400);
    assert_int_equal(f->a[cust].instance_id, t->inst);
    assert_int_equal(f->a[cust].table_id, cust);
    assert_string_equal(f->a[cust].instance, "acme-prod");
    assert_string_equal(f->a[cust].table, "customers");
    assert_string_equal(f->a[cust].message, "");
    assert_int_equal(f->a[cust].created_at, 99);
    assert_int_equal(f->asked[clicks], 1);
    assert_string_equal(f->a[clicks].file, "k-01.json");
    /* deprecated tables, tables without a cadence and another instance's
       tables: never asked; tables without an arrival up to at neither.
       An ad hoc table has a cadence (registry_feed_tables lists it too):
       the caller passes over it */
    assert_int_equal(f->asked[old], 0);
    assert_int_equal(f->asked[adhoc], 1);
    assert_int_equal(f->asked[nr], 0);
    assert_int_equal(f->asked[theirs], 0);
    assert_int_equal(f->asked[table_id(t, "acme-prod", "late_night")], 0);

    /* just before the second report of 03-03: the failed one is latest
       ... and before any of 03-03, the day before's */
    memset(f, 0, sizeof *f);
    assert_int_equal(registry_arrival_latest(t->f->reg, t->inst,
                                             day + 14400 - 1, dest, f, &err),
                     0);
    assert_string_equal(f->a[cust].file, "c-0302.csv");
    /* a NULL destination skips the table */
    memset(f, 0, sizeof *f);
    f->skip = cust;
    assert_int_equal(registry_arrival_latest(t->f->reg, t->inst,
                                             day + 3 * 86400, dest, f, &err),
                     0);
    assert_int_equal(f->asked[cust], 1);
    assert_int_equal(f->a[cust].id, 0);
    assert_string_equal(f->a[clicks].file, "k-01.json");
    free(f);
}

/* A deterministic stream of numbers. */
static uint64_t rng = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void test_latest__gate_equals_the_rules_over_all_arrivals(void **state)
{
    lfx *t = *state;
    static const char *const tables[] = {"customers", "late_night", "clicks",
                                         "hour_end", "stores"};
    int64_t day = when("2026-03-02T00:00:00Z"); /* a Monday */
    buf sql = {0};
    errmsg err = {0};
    int checked = 0, with_arrival = 0;

    /* four days of arrivals at random moments, some failed, some at the
       same second as another */
    buf_puts(&sql, "INSERT INTO arrivals(instance_id, table_id, file, rows,"
                   " bytes, arrived_at, status, message, created_at) VALUES");
    for (int k = 0; k < 400; k++) {
        const char *name = tables[rnd(5)];
        int64_t at = day - 86400 + (int64_t)rnd(4 * 86400) / 60 * 60;
        buf_appendf(&sql, "%s(%lld, %lld, 'f-%d', %u, 1, %lld, '%s', 'm%d', 0)",
                    k ? "," : "", (long long)t->inst,
                    (long long)table_id(t, "acme-prod", name), k, rnd(1000),
                    (long long)at, rnd(5) == 0 ? "failed" : "ok", k);
        if (rnd(10) == 0) /* a second report at that very second */
            buf_appendf(&sql, ",(%lld, %lld, 'g-%d', 1, 1, %lld, 'ok', '', 0)",
                        (long long)t->inst,
                        (long long)table_id(t, "acme-prod", name), k,
                        (long long)at);
    }
    ufx_exec(t->f, buf_cstr(&sql));
    buf_dispose(&sql);

    for (int64_t at = day; at < day + 3 * 86400; at += 900) {
        domain_gate_result g;
        assert_int_equal(
            domain_gate(t->f->reg, &t->ops, "acme-prod", at, &g, &err), 0);
        assert_int_equal(g.n, 5);
        for (size_t i = 0; i < g.n; i++) {
            const domain_gate_table *gt = &g.tables[i];
            registry_arrival *all = NULL;
            size_t n = 0;
            int latest = -1;
            feed_state want;
            assert_int_equal(registry_arrival_list(t->f->reg, t->inst, gt->t.id,
                                                   0, at, &all, &n, &err),
                             0);
            want = domain_feed_state(&gt->slot, all, n, at, &latest);
            if (gt->state != want)
                fail_msg("%s at %lld: %s, the rules say %s", gt->t.name,
                         (long long)at, domain_feed_state_name(gt->state),
                         domain_feed_state_name(want));
            assert_int_equal(gt->has_arrival, latest >= 0);
            if (latest >= 0) {
                assert_int_equal(gt->arrival.id, all[latest].id);
                assert_string_equal(gt->arrival.file, all[latest].file);
                assert_string_equal(gt->arrival.message, all[latest].message);
                assert_int_equal(gt->arrival.rows, all[latest].rows);
                with_arrival++;
            } else {
                assert_int_equal(gt->arrival.id, 0);
            }
            free(all);
            checked++;
        }
        domain_gate_dispose(&g);
    }
    /* both kinds were seen many times */
    assert_true(with_arrival > 100);
    assert_true(checked - with_arrival > 100);
}

static void test_latest__json_fields_times_and_text(void **state)
{
    lfx *t = *state;
    int64_t day = when("2026-03-03T00:00:00Z");
    domain_gate_result g;
    errmsg err = {0};
    buf b = {0};
    cJSON *j, *viacjson;
    const cJSON *v;
    int seen = 0;

    /* hostile and ill-formed text in the rules and the failure message */
    ufx_exec(t->f, "UPDATE reg_tables SET runbook = 'Call \"ops\" <b>&</b>'"
                   " || char(10) || 'then' || CAST(x'ff41' AS TEXT),"
                   " escalation = 'Zoë'"
                   " WHERE name = 'customers'");
    arrival(t, "acme-prod", "customers", "c\\\"1.csv", day + 14400, 1, -1);
    assert_int_equal(domain_gate(t->f->reg, &t->ops, "acme-prod",
                                 day + 5 * 3600 + 1, &g, &err),
                     0);
    domain_gate_json_write(&b, &g);
    assert_null(strchr(buf_cstr(&b), '<'));
    assert_null(strchr(buf_cstr(&b), '\n'));
    j = ufx_json_parse(buf_cstr(&b));
    ufx_json_str(j, "instance", "acme-prod");
    ufx_json_str(j, "at", "2026-03-03T05:00:01Z");
    ufx_json_str(j, "decision", "hold");
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "blocking"))
    {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(v, "table")->valuestring,
                   "customers"))
            continue;
        seen = 1;
        ufx_json_str(v, "state", "failed");
        ufx_json_str(v, "due_at", "2026-03-03T04:00:00Z");
        ufx_json_str(v, "runbook",
                     "Call \"ops\" <b>&</b>\nthen\xef\xbf\xbd"
                     "A");
        ufx_json_str(v, "escalation", "Zoë");
        ufx_json_str(v, "message", "disk full");
        assert_true(
            cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(v, "missing_since")));
    }
    assert_true(seen);
    v = ufx_json_at(j, "tables.0");
    ufx_json_str(v, "table", "clicks");
    ufx_json_str(v, "campaign_dependency", "optional");
    ufx_json_str(v, "cadence", "hourly");
    ufx_json_str(v, "slot_start", "2026-03-03T05:00:00Z");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(v, "rows")));
    v = ufx_json_at(j, "tables.1");
    ufx_json_str(v, "table", "customers");
    ufx_json_str(v, "file", "c\\\"1.csv");
    ufx_json_str(v, "arrived_at", "2026-03-03T04:00:00Z");
    ufx_json_str(v, "missing_at", "2026-03-03T05:00:00Z");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(v, "rows")));
    ufx_json_size(j, "tables", 5);
    /* the cJSON form is the same document */
    viacjson = domain_gate_json(&g);
    assert_true(cJSON_Compare(j, viacjson, 1));
    cJSON_Delete(viacjson);
    cJSON_Delete(j);
    buf_dispose(&b);
    domain_gate_dispose(&g);

    /* times as time_iso writes them, over the years a gate can name */
    for (int k = 0; k < 2000; k++) {
        domain_gate_result one;
        char iso[32], want[160];
        int64_t at = (int64_t)rnd(4000000) * 60000 + rnd(60000);
        memset(&one, 0, sizeof one);
        str_copy(one.instance, sizeof one.instance, "x");
        one.at = at;
        domain_gate_json_write(&b, &one);
        time_iso(iso, sizeof iso, at);
        snprintf(want, sizeof want,
                 "{\"instance\":\"x\",\"at\":\"%s\",\"decision\":\"run\","
                 "\"blocking\":[],\"warnings\":[],\"tables\":[]}",
                 iso);
        ufx_buf_is(&b, want);
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
UFX_MAIN(T(test_latest__one_per_table_up_to_at),
         T(test_latest__gate_equals_the_rules_over_all_arrivals),
         T(test_latest__json_fields_times_and_text))
