/* test_cache_owned.c: web/cache.c keeps no process-wide state: two caches
 * (two servers in one process) hold their own entries, versions,
 * counters and budget, and freeing one leaves the other as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cache.h"

#include <stdlib.h>

static void test_cache_owned__entries_are_per_cache(void **state)
{
    web_cache *a = web_cache_new(), *b = web_cache_new();
    buf out = {0};

    (void)state;
    web_cache_put(a, CACHE_TABLE_JSON, "acme-prod", "orders", 0, 5, 1, "{}", 2);
    assert_int_equal(web_cache_get(a, &out, NULL, CACHE_TABLE_JSON, "acme-prod",
                                   "orders", 0, 5),
                     1);
    assert_int_equal(web_cache_get(b, &out, NULL, CACHE_TABLE_JSON, "acme-prod",
                                   "orders", 0, 5),
                     0);
    web_cache_free(a);
    web_cache_free(b);
    buf_dispose(&out);
}

static void test_cache_owned__versions_are_per_cache(void **state)
{
    web_cache *a = web_cache_new(), *b = web_cache_new();
    web_cache_stats sa, sb;
    buf out = {0};

    (void)state;
    web_cache_put(a, CACHE_LOOKUP, "", "q", 0, 7, 0, "x", 1);
    web_cache_put(b, CACHE_LOOKUP, "", "q", 0, 3, 0, "y", 1);
    /* A newer version seen by b leaves a's entry. */
    assert_int_equal(web_cache_get(b, &out, NULL, CACHE_LOOKUP, "", "q", 0, 9),
                     0);
    assert_int_equal(web_cache_get(a, &out, NULL, CACHE_LOOKUP, "", "q", 0, 7),
                     1);
    web_cache_stats_get(a, &sa);
    web_cache_stats_get(b, &sb);
    assert_int_equal(sa.stale, 0);
    assert_int_equal(sb.stale, 1);
    assert_int_equal(sa.hits, 1);
    assert_int_equal(sa.misses, 0);
    assert_int_equal(sb.hits, 0);
    assert_int_equal(sb.misses, 1);
    assert_int_equal(sa.entries, 1);
    assert_int_equal(sb.entries, 0);
    web_cache_free(b);
    /* a is untouched by freeing b. */
    assert_int_equal(web_cache_get(a, &out, NULL, CACHE_LOOKUP, "", "q", 0, 7),
                     1);
    web_cache_free(a);
    buf_dispose(&out);
}

static void test_cache_owned__budget_read_when_made(void **state)
{
    web_cache *a, *b;
    web_cache_stats sa, sb;

    (void)state;
    setenv("DOCKET_CACHE_MB", "2", 1);
    a = web_cache_new();
    setenv("DOCKET_CACHE_MB", "0", 1);
    b = web_cache_new();
    web_cache_stats_get(a, &sa);
    web_cache_stats_get(b, &sb);
    assert_int_equal(sa.budget, (size_t)2 << 20);
    assert_int_equal(sb.budget, 0);
    /* A disabled cache stores nothing; the other still does. */
    web_cache_put(b, CACHE_LOOKUP, "", "q", 0, 1, 0, "x", 1);
    web_cache_put(a, CACHE_LOOKUP, "", "q", 0, 1, 0, "x", 1);
    web_cache_stats_get(a, &sa);
    web_cache_stats_get(b, &sb);
    assert_int_equal(sa.entries, 1);
    assert_int_equal(sb.entries, 0);
    web_cache_free(a);
    web_cache_free(b);
    unsetenv("DOCKET_CACHE_MB");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_owned__entries_are_per_cache),
        cmocka_unit_test(test_cache_owned__versions_are_per_cache),
        cmocka_unit_test(test_cache_owned__budget_read_when_made),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
