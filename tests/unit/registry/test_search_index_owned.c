/* test_search_index_owned.c: the in-memory search index keeps no
 * process-wide state: two registry_index (two servers in one process) on
 * the same database build, count and switch off their own snapshots; a
 * connection without one answers from FTS5 with the same hits; an index
 * released by its owner lives on for the connections still attached. */
#include "fixture.h"
#include "catalog.h"
#include "search_index.h"

#include <stdio.h>
#include <string.h>

static void count_hit(void *ctx, const registry_search_hit *h)
{
    (void)h;
    (*(int *)ctx)++;
}

static int search_n(registry *reg, const char *q)
{
    errmsg err = {0};
    int n = 0;

    if (registry_search(reg, q, 0, 50, count_hit, &n, &err) < 0)
        fail_msg("search %s: %s", q, err.msg);
    return n;
}

static int setup(void **state)
{
    ufx *f = ufx_open("sindex_owned");

    ufx_people(f, "postgres");
    ufx_import(f, "acme-prod",
               "table,column,type,description\n"
               "orders,order_id,bigint,the order\n"
               "orders,total,integer,order total\n"
               "refunds,order_id,bigint,refunded order\n");
    *state = f;
    return 0;
}

static void test_search_index_owned__two_indexes_count_apart(void **state)
{
    ufx *f = *state;
    registry *other;
    registry_index *a = registry_index_new(), *b = registry_index_new();
    search_index_stats sa, sb;
    errmsg err = {0};
    int n;

    assert_int_equal(registry_open(&other, f->path, 0, &err), 0);
    registry_index_attach(f->reg, a);
    registry_index_attach(other, b);
    assert_int_equal(search_index_wait(f->reg, 20000), 0);
    n = search_n(f->reg, "order");
    assert_true(n > 0);
    search_index_stats_get(a, &sa);
    search_index_stats_get(b, &sb);
    assert_int_equal(sa.served, 1);
    assert_true(sa.builds >= 1);
    /* b has built nothing and answered nothing yet. */
    assert_int_equal(sb.served + sb.fallbacks, 0);
    assert_int_equal(sb.builds, 0);
    /* Switching a off leaves b on. */
    search_index_enable(a, 0);
    assert_int_equal(search_index_wait(other, 20000), 0);
    assert_int_equal(search_n(other, "order"), n);
    assert_int_equal(search_n(f->reg, "order"), n);
    search_index_stats_get(a, &sa);
    search_index_stats_get(b, &sb);
    assert_int_equal(sa.fallbacks, 1);
    assert_int_equal(sb.served, 1);
    registry_close(other);
    registry_index_release(a);
    registry_index_release(b);
}

static void test_search_index_owned__no_index_answers_from_fts5(void **state)
{
    ufx *f = *state;
    registry_index *a = registry_index_new();
    search_index_stats s;
    int plain;

    /* Without an index: FTS5, and nothing to wait for. */
    assert_int_equal(search_index_wait(f->reg, 1), ERR_NOTFOUND);
    plain = search_n(f->reg, "order");
    assert_true(plain > 0);
    registry_index_attach(f->reg, a);
    /* The creator lets go: the attached connection keeps it alive. */
    registry_index_release(a);
    assert_int_equal(search_index_wait(f->reg, 20000), 0);
    assert_int_equal(search_n(f->reg, "order"), plain);
    search_index_stats_get(a, &s);
    assert_int_equal(s.served, 1);
    registry_index_attach(f->reg, NULL); /* the last reference */
    assert_int_equal(search_index_wait(f->reg, 1), ERR_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_search_index_owned__two_indexes_count_apart, setup,
            ufx_teardown),
        cmocka_unit_test_setup_teardown(
            test_search_index_owned__no_index_answers_from_fts5, setup,
            ufx_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
