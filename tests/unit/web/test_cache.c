/* Tests of web/cache.c, the rendered-response cache of cache.h: what is
 * put comes back byte for byte (plain and as one gzip member), keys
 * compare instance and table case-insensitively and kind and visibility
 * exactly, an entry is served only for the version it was built from (a
 * newer version makes that entry stale and no other; an older one neither
 * replaces it nor is served), and the byte budget holds by evicting
 * other entries (never the one just stored), with an entry larger than
 * the budget not stored at all.
 *
 * The budget is read from DOCKET_CACHE_MB when a cache is made: main()
 * sets it to 1 MiB, then makes the one cache the tests share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cache.h"
#include "tmpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUDGET ((size_t)1024 * 1024)

static int64_t gen = 1;
static web_cache *cache;

/* Every test starts with an empty cache and a version of its own. */
static int setup(void **state)
{
    (void)state;
    web_cache_clear(cache);
    gen++;
    return 0;
}

/* n bytes that gzip cannot shrink (xorshift), different per seed. */
static char *noise(size_t n, uint64_t seed)
{
    char *p = malloc(n);
    uint64_t x = seed * 2654435761u + 1;

    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (char)(x >> 24);
    }
    return p;
}

/* web_cache_get of the table JSON of instance "i", table, version g
 * (kind 0, no organisation). */
static int hit(buf *out, const char *table, int64_t g)
{
    return web_cache_get(cache, out, NULL, CACHE_TABLE_JSON, "i", table, 0, g);
}

/* out holds exactly the len bytes of want, and the organisation got is
 * want_org. */
static void holds(const buf *out, const char *want, size_t len, int64_t org,
                  int64_t want_org)
{
    assert_int_equal(out->len, len);
    assert_memory_equal(out->data, want, len);
    assert_int_equal(org, want_org);
}

static void test_cache__put_get_round_trip(void **state)
{
    static const char json[] = "{\"table\":\"customers\",\"columns\":[]}";
    buf out = {0};
    int64_t org = 0;

    (void)state;
    web_cache_put(cache, CACHE_TABLE_JSON, "acme-prod", "customers", 0, gen, 7,
                  json, sizeof json - 1);
    assert_int_equal(web_cache_get(cache, &out, &org, CACHE_TABLE_JSON,
                                   "acme-prod", "customers", 0, gen),
                     1);
    holds(&out, json, sizeof json - 1, org, 7);
    /* a hit appends: what out held stays in front */
    buf_reset(&out);
    buf_puts(&out, "head:");
    assert_int_equal(web_cache_get(cache, &out, NULL, CACHE_TABLE_JSON,
                                   "acme-prod", "customers", 0, gen),
                     1);
    assert_int_equal(out.len, 5 + sizeof json - 1);
    assert_memory_equal(buf_cstr(&out), "head:{", 6);
    buf_dispose(&out);
}

static void test_cache__stored_is_one_gzip_member(void **state)
{
    char *data = malloc(50000);
    buf gz = {0}, plain = {0};
    int64_t org = 0;

    (void)state;
    for (size_t i = 0; i < 50000; i++)
        data[i] = "abcdefgh\n"[i % 9];
    web_cache_put(cache, CACHE_TABLE_PAGE, "i", "t", 3, gen, 0, data, 50000);
    assert_int_equal(web_cache_get_stored(cache, &gz, &org, CACHE_TABLE_PAGE,
                                          "i", "t", 3, gen),
                     1);
    assert_true(gz.len > 18 && gz.len < 50000); /* compressed */
    assert_int_equal((unsigned char)buf_cstr(&gz)[0], 0x1f);
    assert_int_equal((unsigned char)buf_cstr(&gz)[1], 0x8b);
    assert_int_equal(
        tmpl_gunzip(&plain, (const unsigned char *)buf_cstr(&gz), gz.len), 0);
    assert_int_equal(plain.len, 50000);
    assert_memory_equal(buf_cstr(&plain), data, 50000);
    buf_dispose(&gz);
    buf_dispose(&plain);
    free(data);
}

static void test_cache__put_stored_keeps_bytes_as_they_are(void **state)
{
    static const char bytes[] = "\x00\x01 not gzip \xff";
    buf out = {0};
    int64_t org = 0;
    web_cache_stats st;

    (void)state;
    web_cache_put_stored(cache, CACHE_PAGE_FRAME, "", "tables", 4, gen, 3,
                         bytes, sizeof bytes - 1);
    assert_int_equal(web_cache_get_stored(cache, &out, &org, CACHE_PAGE_FRAME,
                                          "", "tables", 4, gen),
                     1);
    holds(&out, bytes, sizeof bytes - 1, org, 3);
    buf_dispose(&out);
    /* nothing to store: not stored */
    web_cache_put_stored(cache, CACHE_PAGE_FRAME, "", "empty", 4, gen, 3, "",
                         0);
    web_cache_stats_get(cache, &st);
    assert_int_equal(st.entries, 1);
}

static void test_cache__empty_value_is_a_hit(void **state)
{
    buf out = {0};

    (void)state;
    web_cache_put(cache, CACHE_LOOKUP, "i", "q", 0, gen, 0, "", 0);
    assert_int_equal(
        web_cache_get(cache, &out, NULL, CACHE_LOOKUP, "i", "q", 0, gen), 1);
    assert_int_equal(out.len, 0);
    buf_dispose(&out);
}

static void test_cache__key_parts(void **state)
{
    buf out = {0};

    (void)state;
    web_cache_put(cache, CACHE_TABLE_JSON, "Acme-Prod", "Customers", 1, gen, 0,
                  "x", 1);
    /* instance and table: any case */
    assert_int_equal(web_cache_get(cache, &out, NULL, CACHE_TABLE_JSON,
                                   "ACME-PROD", "customers", 1, gen),
                     1);
    assert_string_equal(buf_cstr(&out), "x");
    /* every other difference is a miss */
    assert_int_equal(web_cache_get(cache, &out, NULL, CACHE_TABLE_PAGE,
                                   "acme-prod", "customers", 1, gen),
                     0);
    assert_int_equal(web_cache_get(cache, &out, NULL, CACHE_TABLE_JSON,
                                   "acme-prod", "customers", 2, gen),
                     0);
    assert_int_equal(web_cache_get(cache, &out, NULL, CACHE_TABLE_JSON,
                                   "acme-qa", "customers", 1, gen),
                     0);
    assert_int_equal(web_cache_get(cache, &out, NULL, CACHE_TABLE_JSON,
                                   "acme-prod", "customer", 1, gen),
                     0);
    /* the parts do not run into each other: ("ab", "c") is not ("a", "bc") */
    web_cache_put(cache, CACHE_TABLE_JSON, "ab", "c", 0, gen, 0, "1", 1);
    assert_int_equal(
        web_cache_get(cache, &out, NULL, CACHE_TABLE_JSON, "a", "bc", 0, gen),
        0);
    /* a miss leaves out as it was */
    assert_string_equal(buf_cstr(&out), "x");
    buf_dispose(&out);
}

static void test_cache__put_replaces(void **state)
{
    buf out = {0};
    int64_t org = 0;
    web_cache_stats st;

    (void)state;
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "t", 0, gen, 1, "old", 3);
    web_cache_put(cache, CACHE_TABLE_JSON, "I", "T", 0, gen, 2, "new!", 4);
    web_cache_stats_get(cache, &st);
    assert_int_equal(st.entries, 1);
    assert_int_equal(
        web_cache_get(cache, &out, &org, CACHE_TABLE_JSON, "i", "t", 0, gen),
        1);
    assert_string_equal(buf_cstr(&out), "new!");
    assert_int_equal(org, 2);
    buf_dispose(&out);
}

static void test_cache__newer_version_makes_that_entry_stale(void **state)
{
    buf out = {0};
    web_cache_stats before, after;

    (void)state;
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "a", 0, gen, 0, "a", 1);
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "b", 0, gen, 0, "b", 1);
    web_cache_stats_get(cache, &before);
    assert_int_equal(before.entries, 2);
    /* a reader that sees a newer version of a's data misses a ... */
    assert_int_equal(hit(&out, "a", gen + 1), 0);
    web_cache_stats_get(cache, &after);
    assert_int_equal(after.stale, before.stale + 1);
    /* ... which is gone, while b, of unchanged data, stays */
    assert_int_equal(after.entries, 1);
    assert_int_equal(hit(&out, "a", gen), 0);
    assert_int_equal(hit(&out, "b", gen), 1);
    buf_dispose(&out);
}

static void test_cache__newer_version_put_replaces(void **state)
{
    web_cache_stats st;
    buf out = {0};

    (void)state;
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "a", 0, gen, 0, "a", 1);
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "b", 0, gen, 0, "b", 1);
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "a", 0, gen + 1, 0, "A", 1);
    web_cache_stats_get(cache, &st);
    assert_int_equal(st.entries, 2);
    assert_int_equal(hit(&out, "a", gen + 1), 1);
    assert_string_equal(buf_cstr(&out), "A");
    assert_int_equal(hit(&out, "b", gen), 1);
    buf_dispose(&out);
}

static void test_cache__older_version_neither_stored_nor_served(void **state)
{
    buf out = {0};
    web_cache_stats st;

    (void)state;
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "t", 0, gen, 0, "now", 3);
    /* a writer that read before the last change comes late */
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "t", 0, gen - 1, 0, "old", 3);
    web_cache_stats_get(cache, &st);
    assert_int_equal(st.entries, 1);
    /* a reader that still sees an older version gets a miss */
    assert_int_equal(hit(&out, "t", gen - 1), 0);
    /* ... and leaves the newer entry */
    assert_int_equal(hit(&out, "t", gen), 1);
    assert_string_equal(buf_cstr(&out), "now");
    /* a negative version (unknown) is always a miss, and never stored */
    assert_int_equal(hit(&out, "t", -1), 0);
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "u", 0, -1, 0, "x", 1);
    assert_int_equal(hit(&out, "u", -1), 0);
    web_cache_stats_get(cache, &st);
    assert_int_equal(st.entries, 1);
    buf_dispose(&out);
}

static void test_cache__counts_hits_and_misses(void **state)
{
    buf out = {0};
    web_cache_stats before, after;

    (void)state;
    web_cache_stats_get(cache, &before);
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "t", 0, gen, 0, "x", 1);
    hit(&out, "t", gen);
    hit(&out, "t", gen);
    hit(&out, "u", gen);
    web_cache_stats_get(cache, &after);
    assert_int_equal(after.hits - before.hits, 2);
    assert_int_equal(after.misses - before.misses, 1);
    assert_int_equal(after.budget, BUDGET);
    buf_dispose(&out);
}

static void test_cache__entry_larger_than_budget_not_stored(void **state)
{
    char *big = noise(BUDGET, 1);
    buf out = {0};
    web_cache_stats st;

    (void)state;
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "small", 0, gen, 0, "x", 1);
    web_cache_put_stored(cache, CACHE_TABLE_PAGE, "i", "big", 0, gen, 0, big,
                         BUDGET);
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "big", 0, gen, 0, big, BUDGET);
    web_cache_stats_get(cache, &st);
    assert_int_equal(st.entries, 1); /* the small one stays */
    assert_int_equal(hit(&out, "big", gen), 0);
    assert_int_equal(hit(&out, "small", gen), 1);
    buf_dispose(&out);
    free(big);
}

static void test_cache__budget_holds_by_eviction(void **state)
{
    const size_t each = 100 * 1024;
    web_cache_stats before, st;
    buf out = {0};
    int kept = 0;

    (void)state;
    web_cache_stats_get(cache, &before);
    for (int i = 0; i < 40; i++) {
        char name[16], *data = noise(each, (uint64_t)i + 10);
        snprintf(name, sizeof name, "t%d", i);
        web_cache_put_stored(cache, CACHE_TABLE_PAGE, "i", name, 0, gen, i,
                             data, each);
        free(data);
        web_cache_stats_get(cache, &st);
        assert_true(st.bytes <= BUDGET);
        /* the entry just stored is never the one evicted */
        buf_reset(&out);
        assert_int_equal(web_cache_get_stored(cache, &out, NULL,
                                              CACHE_TABLE_PAGE, "i", name, 0,
                                              gen),
                         1);
        assert_int_equal(out.len, each);
    }
    web_cache_stats_get(cache, &st);
    assert_true(st.entries >= 8 && st.entries <= 10);
    assert_true(st.evictions - before.evictions >= 30);
    assert_int_equal(st.evictions - before.evictions, 40 - st.entries);
    /* what is left is exactly what was stored under each key */
    for (int i = 0; i < 40; i++) {
        char name[16], *data = noise(each, (uint64_t)i + 10);
        int64_t org = -1;
        snprintf(name, sizeof name, "t%d", i);
        buf_reset(&out);
        if (web_cache_get_stored(cache, &out, &org, CACHE_TABLE_PAGE, "i", name,
                                 0, gen)) {
            kept++;
            assert_int_equal(out.len, each);
            assert_memory_equal(buf_cstr(&out), data, each);
            assert_int_equal(org, i);
        }
        free(data);
    }
    assert_int_equal(kept, st.entries);
    buf_dispose(&out);
}

static void test_cache__clear(void **state)
{
    web_cache_stats st;
    buf out = {0};

    (void)state;
    web_cache_put(cache, CACHE_TABLE_JSON, "i", "t", 0, gen, 0, "x", 1);
    web_cache_clear(cache);
    web_cache_stats_get(cache, &st);
    assert_int_equal(st.entries, 0);
    assert_int_equal(st.bytes, 0);
    assert_int_equal(hit(&out, "t", gen), 0);
    buf_dispose(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cache__put_get_round_trip, setup),
        cmocka_unit_test_setup(test_cache__stored_is_one_gzip_member, setup),
        cmocka_unit_test_setup(test_cache__put_stored_keeps_bytes_as_they_are,
                               setup),
        cmocka_unit_test_setup(test_cache__empty_value_is_a_hit, setup),
        cmocka_unit_test_setup(test_cache__key_parts, setup),
        cmocka_unit_test_setup(test_cache__put_replaces, setup),
        cmocka_unit_test_setup(test_cache__newer_version_makes_that_entry_stale,
                               setup),
        cmocka_unit_test_setup(test_cache__newer_version_put_replaces, setup),
        cmocka_unit_test_setup(
            test_cache__older_version_neither_stored_nor_served, setup),
        cmocka_unit_test_setup(test_cache__counts_hits_and_misses, setup),
        cmocka_unit_test_setup(test_cache__entry_larger_than_budget_not_stored,
                               setup),
        cmocka_unit_test_setup(test_cache__budget_holds_by_eviction, setup),
        cmocka_unit_test_setup(test_cache__clear, setup),
    };

    int rc;

    setenv("DOCKET_CACHE_MB", "1", 1);
    cache = web_cache_new();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    web_cache_free(cache);
    return rc;
}
