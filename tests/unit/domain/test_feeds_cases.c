/* test_feeds_cases.c: the arrival and gate use cases of domain/feeds.c
 * on a real temporary registry: a second report of a file changes
 * nothing and answers the stored arrival; a refused report (unknown
 * table, table of another instance, a client, bad numbers) writes
 * nothing; a client's gate is its own organisation's only, another's
 * worded as a missing instance; the store lists by table and time and
 * prunes by age; the gate of an instance with 500 tracked tables and
 * 14 days of arrivals (the time it took is printed, not asserted). */
#include "fixture.h"
#include "feeds_cases.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dfx {
    ufx *f;
    registry_user users[3];
    domain_actor ann, bob, ops;
} dfx;

static int64_t when(const char *iso)
{
    int64_t t = 0;

    assert_int_equal(time_parse_iso(&t, iso), 0);
    return t;
}

static domain_actor actor_of(dfx *t, int k, int64_t id)
{
    errmsg err = {0};

    assert_int_equal(registry_user_get(t->f->reg, &t->users[k], id, &err), 0);
    return domain_actor_of(&t->users[k]);
}

static int setup(void **state)
{
    dfx *t = xcalloc(1, sizeof *t);

    t->f = ufx_open("dfeeds");
    ufx_people(t->f, "postgres");
    t->ann = actor_of(t, 0, t->f->client_a);
    t->bob = actor_of(t, 1, t->f->client_b);
    t->ops = actor_of(t, 2, t->f->ops);
    ufx_import(t->f, "acme-prod",
               "table,column,type,cadence,expected_arrival,"
               "late_after_minutes,campaign_dependency\n"
               "customers,id,bigint,daily,04:00,60,required\n");
    ufx_import(t->f, "globex-prod",
               "table,column,type,cadence,expected_arrival,"
               "late_after_minutes,campaign_dependency\n"
               "orders,id,bigint,daily,03:00,60,required\n");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    dfx *t = *state;

    ufx_close(t->f);
    free(t);
    return 0;
}

static domain_arrival_input input(const char *inst, const char *table,
                                  const char *file, const char *at)
{
    domain_arrival_input in = {0};

    in.instance = inst;
    in.table = table;
    in.file = file;
    in.rows = 100;
    in.bytes = -1;
    in.arrived_at = at ? when(at) : 0;
    return in;
}

static void test_feeds__idempotent_report(void **state)
{
    dfx *t = *state;
    domain_arrival_input in =
        input("acme-prod", "customers", "c1.csv", "2026-03-03T04:10:00Z");
    registry_arrival a, b;
    errmsg err = {0};
    int created = -1;

    assert_int_equal(
        domain_arrival_report(t->f->reg, &t->ops, &in, &a, &created, &err), 0);
    assert_int_equal(created, 1);
    assert_string_equal(a.table, "customers");
    assert_string_equal(a.instance, "acme-prod");
    assert_int_equal(a.rows, 100);
    assert_int_equal(a.reported_by, t->f->ops);
    in.rows = 5;
    in.failed = 1;
    in.message = "other";
    assert_int_equal(
        domain_arrival_report(t->f->reg, &t->ops, &in, &b, &created, &err), 0);
    assert_int_equal(created, 0);
    assert_int_equal(b.id, a.id);
    assert_int_equal(b.rows, 100);
    assert_int_equal(b.failed, 0);
    assert_int_equal(ufx_int(t->f, "SELECT count(*) FROM arrivals"), 1);
}

static void refused(dfx *t, const domain_actor *who, domain_arrival_input in,
                    int code, const char *field)
{
    registry_arrival a;
    errmsg err = {0};
    int64_t before = ufx_int(t->f, "SELECT count(*) FROM arrivals");

    assert_int_equal(domain_arrival_report(t->f->reg, who, &in, &a, NULL, &err),
                     code);
    if (field)
        assert_string_equal(err.field, field);
    assert_int_equal(ufx_int(t->f, "SELECT count(*) FROM arrivals"), before);
}

static void test_feeds__refused_reports_write_nothing(void **state)
{
    dfx *t = *state;
    domain_arrival_input in = input("acme-prod", "nosuch", NULL, NULL);

    refused(t, &t->ops, in, ERR_NOTFOUND, "table");
    in.table = "orders"; /* globex-prod's */
    refused(t, &t->ops, in, ERR_NOTFOUND, "table");
    in = input("nowhere", "orders", NULL, NULL);
    refused(t, &t->ops, in, ERR_NOTFOUND, "instance");
    in = input("acme-prod", "customers", NULL, NULL);
    refused(t, &t->ann, in, ERR_FORBIDDEN, NULL);
    in.rows = -2;
    refused(t, &t->ops, in, ERR_INVALID, "rows");
    in = input("acme-prod", "customers", "a\nb", NULL);
    refused(t, &t->ops, in, ERR_INVALID, "file");
}

static void test_feeds__client_gate_is_its_own(void **state)
{
    dfx *t = *state;
    domain_gate_result g;
    errmsg err = {0}, missing = {0};

    assert_int_equal(domain_gate(t->f->reg, &t->ann, "acme-prod",
                                 when("2026-03-03T03:00:00Z"), &g, &err),
                     0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.decision, GATE_WAIT);
    domain_gate_dispose(&g);
    assert_int_equal(domain_gate(t->f->reg, &t->bob, "acme-prod", 0, &g, &err),
                     ERR_NOTFOUND);
    assert_int_equal(
        domain_gate(t->f->reg, &t->bob, "acme-nope", 0, &g, &missing),
        ERR_NOTFOUND);
    assert_string_equal(err.msg, "no instance named acme-prod");
    assert_string_equal(missing.msg, "no instance named acme-nope");
}

static void test_feeds__list_and_prune(void **state)
{
    dfx *t = *state;
    const char *days[] = {"2026-01-01T04:00:00Z", "2026-02-01T04:00:00Z",
                          "2026-03-01T04:00:00Z"};
    registry_arrival *v = NULL, a;
    size_t n = 0;
    int64_t pruned = 0, inst, v0, v1, a0, a1;
    errmsg err = {0};

    for (size_t i = 0; i < 3; i++) {
        domain_arrival_input in =
            input("acme-prod", "customers", days[i], days[i]);
        assert_int_equal(
            domain_arrival_report(t->f->reg, &t->ops, &in, &a, NULL, &err), 0);
    }
    inst = a.instance_id;
    assert_int_equal(
        registry_arrival_list(t->f->reg, inst, 0, when("2026-01-15T00:00:00Z"),
                              when("2026-03-31T00:00:00Z"), &v, &n, &err),
        0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].file, days[1]);
    assert_string_equal(v[1].file, days[2]);
    free(v);
    /* a prune that removes arrivals moves the gate's version (a cached
       gate may show them); one that removes none leaves it */
    assert_int_equal(registry_feed_version(t->f->reg, inst, &v0, &a0, &err), 0);
    assert_int_equal(registry_arrival_prune(t->f->reg,
                                            when("2026-02-15T00:00:00Z"),
                                            &pruned, &err),
                     0);
    assert_int_equal(pruned, 2);
    assert_int_equal(ufx_int(t->f, "SELECT count(*) FROM arrivals"), 1);
    assert_int_equal(registry_feed_version(t->f->reg, inst, &v1, &a1, &err), 0);
    assert_true(v1 > v0);
    assert_int_equal(a1, a0);
    assert_int_equal(registry_arrival_prune(t->f->reg,
                                            when("2026-02-15T00:00:00Z"),
                                            &pruned, &err),
                     0);
    assert_int_equal(pruned, 0);
    assert_int_equal(registry_feed_version(t->f->reg, inst, &v0, &a0, &err), 0);
    assert_int_equal(v0, v1);
}

static void test_feeds__gate_of_500_tables(void **state)
{
    dfx *t = *state;
    buf csv = {0};
    domain_gate_result g;
    errmsg err = {0};
    int64_t inst, t0, best = -1;

    buf_puts(&csv, "table,column,type,cadence,expected_arrival,"
                   "late_after_minutes,campaign_dependency\n");
    for (int i = 0; i < 500; i++)
        buf_appendf(&csv, "feed_%03d,id,bigint,%s,%02d:%02d,60,%s\n", i,
                    i % 10 ? "daily" : "hourly", i % 6, i % 60,
                    i % 3 ? "required" : "optional");
    ufx_import(t->f, "acme-qa", buf_cstr(&csv));
    buf_dispose(&csv);
    inst = ufx_int(t->f, "SELECT id FROM instances WHERE name = 'acme-qa'");
    /* 14 days of one arrival per table a day */
    ufx_exec(t->f,
             "WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d"
             " WHERE k < 13) INSERT INTO arrivals(instance_id, table_id, file,"
             " rows, bytes, arrived_at, status, created_at)"
             " SELECT t.instance_id, t.id, 'f-' || k || '.csv', 1000, 10,"
             " 1772510400 - k * 86400 + 3 * 3600, 'ok', 0"
             " FROM reg_tables t, d WHERE t.name LIKE 'feed_%'");
    (void)inst;
    for (int i = 0; i < 5; i++) {
        t0 = time_mono_us();
        assert_int_equal(domain_gate(t->f->reg, &t->ops, "acme-qa",
                                     1772510400 + 12 * 3600, &g, &err),
                         0);
        t0 = time_mono_us() - t0;
        if (best < 0 || t0 < best)
            best = t0;
        assert_int_equal(g.n, 500);
        domain_gate_dispose(&g);
    }
    fprintf(stderr,
            "gate of 500 tracked tables, 7000 arrivals: best of 5 %lld us\n",
            (long long)best);
}

/* A table's history says up to when it reads the same: the next due,
 * missing or end time of its slot, or an arrival reported already for a
 * later time (not counted at `at`), whichever comes first. */
static void test_feeds__history_until(void **state)
{
    dfx *t = *state;
    domain_arrival_input in;
    domain_feed_history h;
    registry_arrival a;
    errmsg err = {0};

    assert_int_equal(
        domain_feed_table_history(t->f->reg, &t->ops, "acme-prod", "customers",
                                  when("2026-03-03T04:20:10Z"), 3, &h, &err),
        0);
    assert_int_equal(h.tracked, 1);
    assert_true(h.until == when("2026-03-03T05:00:00Z"));
    assert_int_equal(h.now.state, FEED_DUE);
    domain_feed_history_dispose(&h);
    in = input("acme-prod", "customers", "c-0303.csv", "2026-03-03T04:20:40Z");
    assert_int_equal(
        domain_arrival_report(t->f->reg, &t->ops, &in, &a, NULL, &err), 0);
    /* 30 s before it: not arrived yet, and only until then */
    assert_int_equal(
        domain_feed_table_history(t->f->reg, &t->ops, "acme-prod", "customers",
                                  when("2026-03-03T04:20:10Z"), 3, &h, &err),
        0);
    assert_int_equal(h.now.state, FEED_DUE);
    assert_true(h.until == when("2026-03-03T04:20:40Z"));
    domain_feed_history_dispose(&h);
    /* from its second on, arrived, until the grace period ends */
    assert_int_equal(
        domain_feed_table_history(t->f->reg, &t->ops, "acme-prod", "customers",
                                  when("2026-03-03T04:20:40Z"), 3, &h, &err),
        0);
    assert_int_equal(h.now.state, FEED_ARRIVED);
    assert_true(h.until == when("2026-03-03T05:00:00Z"));
    domain_feed_history_dispose(&h);
    /* a table without a tracked cadence does not change with the clock */
    assert_int_equal(
        domain_feed_table_history(t->f->reg, &t->ops, "acme-prod", "nosuch",
                                  when("2026-03-03T04:20:10Z"), 3, &h, &err),
        0);
    assert_int_equal(h.tracked, 0);
    assert_true(h.until == INT64_MAX);
    domain_feed_history_dispose(&h);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
UFX_MAIN(T(test_feeds__idempotent_report),
         T(test_feeds__refused_reports_write_nothing),
         T(test_feeds__client_gate_is_its_own), T(test_feeds__list_and_prune),
         T(test_feeds__gate_of_500_tables), T(test_feeds__history_until))
