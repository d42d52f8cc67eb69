/* test_search_index.c: registry/search_index.c: on a generated data set the
 * in-memory index gives the same hits as FTS5 (same rows, same exact-first
 * and kind order, same highlights and snippets, tenant filter); a change to
 * a table or column, also from another connection, is visible to the very
 * next search; searches during a rebuild answer correctly and never from a
 * snapshot of another generation. */
#include "fixture.h"
#include "catalog.h"
#include "requests.h"
#include "search_index.h"
#include "str.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Descriptions draw on few words so that every word matches many rows;
 * "café" checks diacritics folding ("cafe" finds it), "Émile" case and
 * diacritics together. */
static const char *const vocab[] = {
    "email",  "opens",   "clicks",  "consent", "order",   "orders",
    "refund", "loyalty", "points",  "daily",   "weekly",  "segment",
    "café",   "Émile",   "store",   "online",  "mobile",  "push",
    "budget", "spend",   "session", "page",    "catalog", "customer"};
#define NVOCAB (sizeof vocab / sizeof *vocab)

static unsigned rnd_state = 12345;

static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) & 0x7fff;
}

static void words(char *out, size_t size, int n)
{
    size_t len = 0;

    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        len += (size_t)snprintf(out + len, size - len, "%s%s%s", i ? " " : "",
                                vocab[rnd() % NVOCAB], i % 5 == 4 ? "." : "");
        if (len >= size)
            break;
    }
}

static void gen_instance(ufx *f, const char *inst, int ntables)
{
    static const char *const cols[] = {"customer_id", "email", "opens",
                                       "order_total", "consent_flag"};
    buf csv = {0};
    char desc[400], runbook[400], cdesc[200];

    buf_puts(&csv, "table,column,type,description,table_description,"
                   "runbook\n");
    for (int t = 0; t < ntables; t++) {
        char table[64];
        snprintf(table, sizeof table, "%s_%s_%d", vocab[rnd() % NVOCAB],
                 vocab[rnd() % NVOCAB], t);
        /* Names: lower case ASCII identifiers (the café word stays in
           descriptions). */
        for (char *p = table; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = 'x';
        words(desc, sizeof desc, 4 + (int)(rnd() % 12));
        words(runbook, sizeof runbook, (int)(rnd() % 30));
        for (int c = 0; c < 5; c++) {
            if (c > 0 && rnd() % 4 == 0)
                continue;
            words(cdesc, sizeof cdesc, 2 + (int)(rnd() % 8));
            buf_appendf(&csv, "%s,%s,bigint,\"%s\",\"%s\",\"%s\"\n", table,
                        cols[c], cdesc, c == 0 ? desc : "",
                        c == 0 ? runbook : "");
        }
    }
    ufx_import(f, inst, buf_cstr(&csv));
    buf_dispose(&csv);
}

/* Stores a request with a random title, or title when not NULL. */
static void add_request(ufx *f, const char *org, const char *inst,
                        const char *fixed)
{
    char title[120], summary[300], json[1200];

    words(title, sizeof title, 3);
    if (fixed)
        snprintf(title, sizeof title, "%s", fixed);
    words(summary, sizeof summary, 12);
    for (char *p = title; *p; p++)
        if (*p == '.')
            *p = ' ';
    snprintf(json, sizeof json,
             "{\"organisation\":\"%s\",\"instance\":\"%s\","
             "\"requester_name\":\"Ann\",\"requester_email\":\"ann@x.example\","
             "\"title\":\"%s\",\"summary\":\"%s\",\"items\":[{\"kind\":"
             "\"new_table\",\"table\":\"req_table\",\"description\":\"d\","
             "\"source\":\"flat_file_csv\",\"cadence\":\"daily\","
             "\"campaign_dependency\":\"optional\","
             "\"columns\":[{\"name\":\"id\",\"type\":\"bigint\"}]}]}",
             org, inst, title, summary);
    ufx_submit(f, json, 0, NULL);
}

/* The snapshots of the test's connection (a server makes one the same
 * way for its connections). */
static registry_index *ix;

static int setup(void **state)
{
    ufx *f = ufx_open("sindex");

    ix = registry_index_new();
    registry_index_attach(f->reg, ix);
    ufx_people(f, "postgres");
    rnd_state = 12345;
    gen_instance(f, "acme-qa", 40);
    gen_instance(f, "acme-prod", 40);
    gen_instance(f, "globex-prod", 30);
    for (int i = 0; i < 30; i++)
        add_request(f, i % 3 ? "acme" : "globex",
                    i % 3 ? "acme-prod" : "globex-prod", NULL);
    /* Gaps in the ids, as deletions leave them (the index keeps ids as
       runs of consecutive values). */
    ufx_exec(f, "DELETE FROM reg_columns WHERE id % 7 = 3 OR table_id IN"
                " (SELECT id FROM reg_tables WHERE id % 11 = 5);"
                "DELETE FROM reg_tables WHERE id % 11 = 5;"
                "DELETE FROM requests WHERE id % 5 = 2;");
    search_index_enable(ix, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    int rc;

    search_index_enable(ix, 1);
    search_index_set_build_hook(ix, NULL, NULL);
    rc = ufx_teardown(state);
    registry_index_release(ix);
    ix = NULL;
    return rc;
}

/* ---- collecting hits ---- */

#define MAXHITS 200

typedef struct hits {
    char *row[MAXHITS]; /* everything a caller sees of a hit */
    char key[MAXHITS];  /* exact and kind: 'A' + exact * 4 + kind */
    int n;
    int64_t total, kinds[3]; /* registry_search_paged's counts */
} hits;

static void collect(void *ctx, const registry_search_hit *h)
{
    hits *hs = ctx;
    buf b = {0};

    assert_true(hs->n < MAXHITS);
    buf_appendf(&b, "%s|%lld|%s|%s|%s|%d|%s|%s", h->kind, (long long)h->ref,
                h->instance, h->name, h->table, h->exact, h->name_hl,
                h->snippet);
    hs->row[hs->n] = buf_detach(&b);
    hs->key[hs->n] = (char)('A' + (h->exact ? 0 : 4) +
                            (h->kind[0] == 't'   ? 0
                             : h->kind[0] == 'c' ? 1
                                                 : 2));
    hs->n++;
}

static void hits_free(hits *hs)
{
    for (int i = 0; i < hs->n; i++)
        free(hs->row[i]);
    hs->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The hits [offset, offset + limit) of q and the counts of all. */
static void search_page(ufx *f, hits *out, const char *q, int64_t org,
                        int offset, int limit)
{
    registry_search_page pg = {offset, limit, -1, {-1, -1, -1}};
    errmsg err = {0};

    memset(out, 0, sizeof *out);
    if (registry_search_paged(f->reg, q, org, &pg, collect, out, &err) < 0)
        fail_msg("search %s: %s", q, err.msg);
    out->total = pg.total;
    memcpy(out->kinds, pg.kinds, sizeof out->kinds);
}

static void search(ufx *f, hits *out, const char *q, int64_t org, int limit)
{
    search_page(f, out, q, org, 0, limit);
}

static int has_row(const hits *hs, const char *needle)
{
    for (int i = 0; i < hs->n; i++)
        if (strstr(hs->row[i], needle))
            return 1;
    return 0;
}

/* Both paths give the same hits for q: the same exact/kind sequence, and
 * when the answer is not cut by the limit, the same rows with the same
 * highlights and snippets. Returns 1 when the index answered. */
static int same_as_fts(ufx *f, const char *q, int64_t org, int limit)
{
    hits a, b;
    search_index_stats s0, s1;
    int served;

    search_index_enable(ix, 0);
    search(f, &a, q, org, limit);
    search_index_enable(ix, 1);
    search_index_stats_get(ix, &s0);
    search(f, &b, q, org, limit);
    search_index_stats_get(ix, &s1);
    served = s1.served > s0.served;
    if (a.n != b.n)
        fail_msg("%s (org %lld): %d hits from FTS5, %d from the index", q,
                 (long long)org, a.n, b.n);
    /* The same counts, and of the organisation's hits only: a page that
       is not cut by the limit holds them all. */
    for (int k = 0; k < 3; k++)
        if (a.kinds[k] != b.kinds[k])
            fail_msg("%s (org %lld): %lld hits of kind %d from FTS5, %lld "
                     "from the index",
                     q, (long long)org, (long long)a.kinds[k], k + 1,
                     (long long)b.kinds[k]);
    assert_int_equal(a.total, a.kinds[0] + a.kinds[1] + a.kinds[2]);
    assert_int_equal(b.total, a.total);
    if (a.n < limit)
        assert_int_equal(a.total, a.n);
    else
        assert_true(a.total >= a.n);
    for (int i = 0; i < a.n; i++)
        if (a.key[i] != b.key[i])
            fail_msg("%s: hit %d is %c from FTS5, %c from the index", q, i,
                     a.key[i], b.key[i]);
    if (a.n < limit) {
        qsort(a.row, (size_t)a.n, sizeof *a.row, cmp_str);
        qsort(b.row, (size_t)b.n, sizeof *b.row, cmp_str);
        for (int i = 0; i < a.n; i++)
            if (strcmp(a.row[i], b.row[i]))
                fail_msg("%s:\n FTS5  %s\n index %s", q, a.row[i], b.row[i]);
    }
    if (org) {
        const char *other = org == f->org_a ? "|globex-prod|" : "|acme-";
        for (int i = 0; i < b.n; i++)
            if (strstr(b.row[i], other))
                fail_msg("%s: org %lld sees %s", q, (long long)org, b.row[i]);
    }
    hits_free(&a);
    hits_free(&b);
    return served;
}

static void wait_ready(ufx *f)
{
    assert_int_equal(search_index_wait(f->reg, 20000), 0);
}

static void test_search_index__same_hits_as_fts5(void **state)
{
    ufx *f = *state;
    const int64_t orgs[] = {0, f->org_a, f->org_b};
    char q[200];
    int served = 0, nq = 0;

    wait_ready(f);
    for (size_t o = 0; o < 3; o++) {
        for (size_t i = 0; i < NVOCAB; i++) {
            /* One word, its prefix, two words, upper case. */
            served += same_as_fts(f, vocab[i], orgs[o], MAXHITS);
            snprintf(q, sizeof q, "%.3s", vocab[i]);
            served += same_as_fts(f, q, orgs[o], MAXHITS);
            snprintf(q, sizeof q, "%s %s", vocab[i],
                     vocab[(i * 7 + 3) % NVOCAB]);
            served += same_as_fts(f, q, orgs[o], MAXHITS);
            served += same_as_fts(f, q, orgs[o], 7);
            snprintf(q, sizeof q, "  %s\t%.2s ", vocab[(i * 5 + 1) % NVOCAB],
                     vocab[i]);
            served += same_as_fts(f, q, orgs[o], 50);
            nq += 5;
        }
        /* Exact names first (a column name is in every table). */
        served += same_as_fts(f, "email", orgs[o], MAXHITS);
        served += same_as_fts(f, "EMAIL", orgs[o], 30);
        served += same_as_fts(f, "opens", orgs[o], 5);
        /* Folding: "cafe" finds "café", "emile" finds "Émile". */
        served += same_as_fts(f, "cafe", orgs[o], MAXHITS);
        served += same_as_fts(f, "EMI", orgs[o], MAXHITS);
        /* Prefixes of many terms ("1": 1, 10..19, ...). */
        served += same_as_fts(f, "c", orgs[o], MAXHITS);
        served += same_as_fts(f, "1 s", orgs[o], MAXHITS);
        served += same_as_fts(f, "2", orgs[o], 20);
        /* Nothing, requests only, odd input, phrases (FTS5 answers). */
        served += same_as_fts(f, "zzzz", orgs[o], 50);
        served += same_as_fts(f, "budget spend", orgs[o], MAXHITS);
        served += same_as_fts(f, "customer_id", orgs[o], 50);
        served += same_as_fts(f, "\"on-call\" OR )(", orgs[o], 50);
        served += same_as_fts(f, "CR-3", orgs[o], 50);
        nq += 13;
    }
    /* The comparison means something only when the index answered. */
    assert_true(served > nq / 2);
}

static void test_search_index__exact_first_and_tenant(void **state)
{
    ufx *f = *state;
    hits h;

    wait_ready(f);
    ufx_import(f, "acme-prod",
               "table,column,type\nsegment,segment_id,bigint\n");
    wait_ready(f);
    search(f, &h, "segment", 0, 50);
    assert_true(h.n > 1);
    assert_true(str_startswith(h.row[0], "table|"));
    assert_non_null(strstr(h.row[0], "|acme-prod|segment||1|"));
    assert_non_null(strstr(h.row[0], "\x01segment\x02"));
    hits_free(&h);
    search(f, &h, "segment", f->org_b, 50);
    assert_false(has_row(&h, "|acme-"));
    hits_free(&h);
}

/* Pages of q of per hits, one after the other, are the one long answer
 * cut in pieces, with the same counts on every page. */
static void pages_are_the_whole(ufx *f, const char *q, int64_t org, int per)
{
    hits all, page;
    int at = 0;

    search_page(f, &all, q, org, 0, MAXHITS);
    /* Past the last page too, when the long answer holds every hit. */
    for (int off = 0; off < all.n + (all.n < MAXHITS ? per : 0); off += per) {
        search_page(f, &page, q, org, off, per);
        assert_int_equal(page.total, all.total);
        for (int k = 0; k < 3; k++)
            assert_int_equal(page.kinds[k], all.kinds[k]);
        for (int i = 0; i < page.n && (all.n < MAXHITS || at < all.n);
             i++, at++)
            if (at >= all.n || strcmp(page.row[i], all.row[at]))
                fail_msg("%s (org %lld) hit %d: page at %d of %d gives\n %s"
                         "\n instead of\n %s",
                         q, (long long)org, at, off, per, page.row[i],
                         at < all.n ? all.row[at] : "(none)");
        hits_free(&page);
    }
    assert_int_equal(at, all.n);
    hits_free(&all);
}

static void test_search_index__pages_and_totals(void **state)
{
    ufx *f = *state;
    const int64_t orgs[] = {0, f->org_a, f->org_b};
    const char *const qs[] = {"email",        "c",           "order cust",
                              "budget spend", "customer_id", "cafe"};
    hits h;
    errmsg err = {0};
    registry_search_page deep = {REGISTRY_SEARCH_DEPTH - 10, 20, 0, {0}};

    wait_ready(f);
    for (int on = 1; on >= 0; on--) {
        /* The index, then FTS5. */
        search_index_enable(ix, on);
        for (size_t o = 0; o < 3; o++)
            for (size_t i = 0; i < sizeof qs / sizeof *qs; i++)
                pages_are_the_whole(f, qs[i], orgs[o], on ? 7 : 20);
    }
    search_index_enable(ix, 1);
    /* An organisation's total counts its own hits only. */
    search(f, &h, "email", f->org_b, 5);
    {
        hits mine;
        search(f, &mine, "email", f->org_b, MAXHITS);
        assert_true(mine.n < MAXHITS);
        assert_int_equal(h.total, mine.n);
        hits_free(&mine);
    }
    hits_free(&h);
    /* Deeper than the paging depth: refused, nothing reported. */
    assert_int_equal(
        registry_search_paged(f->reg, "email", 0, &deep, collect, &h, &err),
        ERR_INVALID);
}

/* Edits a table's description through reg (another handle when other). */
static void edit(registry *reg, ufx *f, const char *inst, const char *table,
                 const char *column, const char *field, const char *value)
{
    errmsg err = {0};

    assert_int_equal(registry_begin(reg, &err), 0);
    if (registry_table_update_field(reg, inst, table, column, field, value,
                                    f->pm, "test", &err) < 0)
        fail_msg("edit: %s", err.msg);
    assert_int_equal(registry_commit(reg, &err), 0);
}

static void test_search_index__change_visible_to_next_search(void **state)
{
    ufx *f = *state;
    registry *other;
    errmsg err = {0};
    hits h;

    ufx_import(f, "acme-prod",
               "table,column,type,description\nzoo,zoo_id,bigint,plain\n");
    wait_ready(f);
    search(f, &h, "zebra", 0, 50);
    assert_int_equal(h.n, 0);
    hits_free(&h);
    /* Table description: the very next search finds it. */
    edit(f->reg, f, "acme-prod", "zoo", NULL, "description", "zebra stripes");
    search(f, &h, "zebra", 0, 50);
    assert_int_equal(h.n, 1);
    assert_true(str_startswith(h.row[0], "table|"));
    assert_non_null(strstr(h.row[0], "\x01zebra\x02 stripes"));
    hits_free(&h);
    /* A column, changed through another connection (as `docket catalog
       import` in another process would). */
    assert_int_equal(registry_open(&other, f->path, 0, &err), 0);
    wait_ready(f);
    edit(other, f, "acme-prod", "zoo", "zoo_id", "description", "zebra id");
    search(f, &h, "zebra", 0, 50);
    assert_int_equal(h.n, 2);
    assert_true(has_row(&h, "column|"));
    hits_free(&h);
    /* And away again: no stale hit from the snapshot of before. */
    wait_ready(f);
    edit(other, f, "acme-prod", "zoo", NULL, "description", "plain");
    search(f, &h, "zebra", 0, 50);
    assert_int_equal(h.n, 1);
    assert_true(has_row(&h, "column|"));
    hits_free(&h);
    wait_ready(f);
    search(f, &h, "zebra", 0, 50);
    assert_int_equal(h.n, 1);
    hits_free(&h);
    /* Requests: a new one is found by the next search, not hidden by the
       snapshot of the requests before it. */
    search(f, &h, "quokka", 0, 50);
    assert_int_equal(h.n, 0);
    hits_free(&h);
    add_request(f, "globex", "globex-prod", "quokka feed");
    search(f, &h, "quokka", 0, 50);
    assert_int_equal(h.n, 1);
    assert_true(str_startswith(h.row[0], "request|"));
    assert_non_null(strstr(h.row[0], "\x01quokka\x02 feed"));
    hits_free(&h);
    search(f, &h, "quokka", f->org_a, 50);
    assert_int_equal(h.n, 0);
    hits_free(&h);
    wait_ready(f);
    search(f, &h, "quok", f->org_b, 50);
    assert_int_equal(h.n, 1);
    hits_free(&h);
    registry_close(other);
}

/* A build hook that holds the builder until the test lets it go. */
static pthread_mutex_t hook_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hook_cv = PTHREAD_COND_INITIALIZER;
static int hook_entered, hook_release;

static void hold_build(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&hook_mu);
    hook_entered = 1;
    pthread_cond_broadcast(&hook_cv);
    while (!hook_release)
        pthread_cond_wait(&hook_cv, &hook_mu);
    pthread_mutex_unlock(&hook_mu);
}

static void test_search_index__search_during_rebuild(void **state)
{
    ufx *f = *state;
    search_index_stats s0, s1;
    hits h;
    int entered;

    ufx_import(f, "acme-prod",
               "table,column,type,description\nzoo,zoo_id,bigint,plain\n");
    wait_ready(f);
    hook_entered = hook_release = 0;
    search_index_set_build_hook(ix, hold_build, NULL);
    edit(f->reg, f, "acme-prod", "zoo", NULL, "description", "yak wool");
    /* A change no longer makes a rebuild urgent (the overlay answers);
       asking for the snapshot of now starts one. */
    search_index_stats_get(ix, &s0);
    assert_int_equal(search_index_wait(f->reg, 1), ERR_NOTFOUND);
    pthread_mutex_lock(&hook_mu);
    for (int i = 0; i < 2000 && !hook_entered; i++) {
        pthread_mutex_unlock(&hook_mu);
        usleep(5000);
        pthread_mutex_lock(&hook_mu);
    }
    entered = hook_entered;
    pthread_mutex_unlock(&hook_mu);
    assert_true(entered);
    /* While the build is held: correct answers, from the snapshot of
       before and the rows changed since; a second change makes the
       snapshot being built stale before it is out. */
    search(f, &h, "yak wool", 0, 50);
    assert_int_equal(h.n, 1);
    hits_free(&h);
    edit(f->reg, f, "acme-prod", "zoo", "zoo_id", "description", "yak id");
    search(f, &h, "yak", 0, 50);
    assert_int_equal(h.n, 2);
    hits_free(&h);
    search_index_stats_get(ix, &s1);
    assert_int_equal(s1.served, s0.served);
    assert_int_equal(s1.fallbacks, s0.fallbacks);
    assert_int_equal(s1.overlay, s0.overlay + 2);
    search_index_set_build_hook(ix, NULL, NULL);
    pthread_mutex_lock(&hook_mu);
    hook_release = 1;
    pthread_cond_broadcast(&hook_cv);
    pthread_mutex_unlock(&hook_mu);
    /* The held snapshot is one change old: never used alone. */
    search(f, &h, "yak", 0, 50);
    assert_int_equal(h.n, 2);
    hits_free(&h);
    wait_ready(f);
    search_index_stats_get(ix, &s0);
    search(f, &h, "yak", 0, 50);
    assert_int_equal(h.n, 2);
    assert_true(has_row(&h, "column|"));
    hits_free(&h);
    search_index_stats_get(ix, &s1);
    assert_int_equal(s1.served, s0.served + 1);
}

/* ---- the overlay: a snapshot and the rows changed since it ---- */

/* The whole answer of q for org: every hit of the long page and of two
 * short ones (rows in order, highlights, snippets) and the counts. */
static char *answer(ufx *f, const char *q, int64_t org)
{
    static const int pages[][2] = {{0, MAXHITS}, {0, 7}, {7, 7}, {3, 5}};
    buf b = {0};
    hits h;

    for (size_t p = 0; p < sizeof pages / sizeof *pages; p++) {
        search_page(f, &h, q, org, pages[p][0], pages[p][1]);
        buf_appendf(&b, "[%d+%d] total %lld = %lld %lld %lld\n", pages[p][0],
                    pages[p][1], (long long)h.total, (long long)h.kinds[0],
                    (long long)h.kinds[1], (long long)h.kinds[2]);
        for (int i = 0; i < h.n; i++)
            buf_appendf(&b, " %s\n", h.row[i]);
        hits_free(&h);
    }
    return buf_detach(&b);
}

/* The queries the overlay tests ask, each for every organisation. */
static const char *const ov_queries[] = {
    "yak",          "yak wool", "email",   "EMAIL",   "opens",
    "order",        "ord cust", "c",       "cafe",    "segment",
    "quokka",       "quok",     "email o", "budget",  "zzzz",
    "weekly daily", "push",     "2",       "yakshed", "store"};
#define NOVQ (sizeof ov_queries / sizeof *ov_queries)

/* Answers of every ov_queries entry and organisation into out (3 * NOVQ
 * entries, the caller frees), with fts each compared with FTS5 (kinds,
 * counts and, when not cut, rows). */
static void answers(ufx *f, char **out, int fts)
{
    const int64_t orgs[] = {0, f->org_a, f->org_b};

    for (size_t o = 0; o < 3; o++)
        for (size_t i = 0; i < NOVQ; i++) {
            if (fts)
                same_as_fts(f, ov_queries[i], orgs[o], MAXHITS);
            out[o * NOVQ + i] = answer(f, ov_queries[i], orgs[o]);
        }
}

static void answers_equal(char **a, char **b)
{
    for (size_t i = 0; i < 3 * NOVQ; i++) {
        if (strcmp(a[i], b[i]))
            fail_msg("%s (org #%zu): snapshot and overlay gave\n%s\nthe "
                     "fresh snapshot\n%s",
                     ov_queries[i % NOVQ], i / NOVQ, a[i], b[i]);
        free(a[i]);
        free(b[i]);
    }
}

static void hook_hold(void)
{
    hook_entered = hook_release = 0;
    search_index_set_build_hook(ix, hold_build, NULL);
}

/* Lets a held build go and takes the hook away. */
static void hook_let_go(void)
{
    search_index_set_build_hook(ix, NULL, NULL);
    pthread_mutex_lock(&hook_mu);
    hook_release = 1;
    pthread_cond_broadcast(&hook_cv);
    pthread_mutex_unlock(&hook_mu);
}

/* Changes of every kind after a snapshot: the answers from the snapshot
 * and the rows changed since (no rebuild may publish meanwhile) are
 * those of a fresh snapshot, and the overlay served them, not FTS5. */
static void test_search_index__overlay_same_as_fresh(void **state)
{
    ufx *f = *state;
    search_index_stats s0, s1;
    char *before[3 * NOVQ], *after[3 * NOVQ];
    char sql[300];
    int64_t tab, req;

    ufx_import(f, "acme-prod",
               "table,column,type,description\nzoo,zoo_id,bigint,plain\n"
               "zoo,zoo_email,text,plain email\n");
    wait_ready(f);
    hook_hold();
    /* New tables and columns, in both organisations. */
    ufx_import(f, "acme-prod",
               "table,column,type,description,table_description,runbook\n"
               "yakshed,yak_id,bigint,yak wool email,yak wool store,"
               "shear the yak weekly\n"
               "yakshed,email,text,the yak email,,\n"
               "yakfarm,yak_id,bigint,daily yak,order of yak,\n");
    ufx_import(f, "globex-prod",
               "table,column,type,description\n"
               "yak_orders,order_id,bigint,yak order customer\n");
    /* A table's description, runbook and name; a column's description
       and name (a column moving up in rank: the words now in its name). */
    edit(f->reg, f, "acme-prod", "zoo", NULL, "description", "yak wool");
    edit(f->reg, f, "acme-prod", "zoo", NULL, "runbook", "email the keeper");
    edit(f->reg, f, "acme-prod", "zoo", "zoo_id", "description",
         "yak email opens");
    ufx_exec(f, "UPDATE reg_columns SET name = 'email_opens' WHERE name ="
                " 'zoo_email'");
    tab = ufx_int(f, "SELECT min(id) FROM reg_tables WHERE name LIKE"
                     " 'email%'");
    snprintf(sql, sizeof sql,
             "UPDATE reg_tables SET name = 'yak_%lld' WHERE id = %lld",
             (long long)tab, (long long)tab);
    ufx_exec(f, sql);
    /* A table with its columns gone (hits leave the pages), and one
       column of another. */
    tab = ufx_int(f, "SELECT max(id) FROM reg_tables WHERE name LIKE"
                     " 'order%'");
    snprintf(sql, sizeof sql,
             "DELETE FROM reg_columns WHERE table_id = %lld;"
             "DELETE FROM reg_tables WHERE id = %lld;"
             "DELETE FROM reg_columns WHERE id = (SELECT min(id) FROM"
             " reg_columns WHERE name = 'email');",
             (long long)tab, (long long)tab);
    ufx_exec(f, sql);
    /* Requests: new ones, a title changed, one gone. */
    add_request(f, "globex", "globex-prod", "quokka feed");
    add_request(f, "acme", "acme-prod", "yak email weekly");
    req = ufx_int(f, "SELECT min(id) FROM requests");
    snprintf(sql, sizeof sql,
             "UPDATE requests SET title = 'quokka order' WHERE id = %lld;"
             "DELETE FROM requests WHERE id = (SELECT max(id) FROM requests"
             " WHERE id < (SELECT max(id) FROM requests) - 1);",
             (long long)req);
    ufx_exec(f, sql);
    search_index_stats_get(ix, &s0);
    answers(f, before, 1);
    search_index_stats_get(ix, &s1);
    /* Every search the index can answer (all of these; FTS5 asked by
       same_as_fts is not counted) came from the snapshot and the
       overlay. */
    assert_int_equal(s1.fallbacks - s0.fallbacks, 3 * (long)NOVQ);
    assert_int_equal(s1.served, s0.served);
    assert_int_equal(s1.overlay - s0.overlay, 3 * (long)NOVQ * 5);
    assert_int_equal(s1.builds, s0.builds);
    hook_let_go();
    wait_ready(f);
    search_index_stats_get(ix, &s0);
    answers(f, after, 0);
    search_index_stats_get(ix, &s1);
    assert_int_equal(s1.served - s0.served, 3 * (long)NOVQ * 4);
    answers_equal(before, after);
    /* The log jumps 200,000 ahead: the next change drops every row the
       snapshot would need, and FTS5 answers (rightly) until a rebuild. */
    {
        int64_t top = ufx_int(f, "SELECT max(seq) FROM search_log");
        hits h;
        wait_ready(f);
        hook_hold();
        snprintf(sql, sizeof sql,
                 "INSERT INTO search_log(seq, rid) VALUES (%lld, 5)",
                 (long long)(top + 200000));
        ufx_exec(f, sql);
        edit(f->reg, f, "acme-prod", "zoo", NULL, "description", "yak hair");
        assert_int_equal(ufx_int(f, "SELECT count(*) FROM search_log"), 2);
        search_index_stats_get(ix, &s0);
        search(f, &h, "yak hair", 0, 50);
        assert_int_equal(h.n, 1);
        hits_free(&h);
        same_as_fts(f, "yak", 0, 50);
        search_index_stats_get(ix, &s1);
        assert_int_equal(s1.overlay, s0.overlay);
        assert_int_equal(s1.fallbacks - s0.fallbacks, 3);
        hook_let_go();
        wait_ready(f);
        search_index_stats_get(ix, &s0);
        search(f, &h, "yak hair", 0, 50);
        assert_int_equal(h.n, 1);
        hits_free(&h);
        search_index_stats_get(ix, &s1);
        assert_int_equal(s1.served, s0.served + 1);
    }
}

/* search_log has a row for each change; searches from several threads,
 * each with its own connection, while a writer changes tables, columns
 * and requests: every answer is one the registry had (the word counted
 * is in as many rows as were written), and the last equals a fresh
 * snapshot's. */
typedef struct searcher {
    const char *path;
    int rounds;
    int bad;
} searcher;

static void *search_thread(void *arg)
{
    searcher *s = arg;
    registry *reg;
    errmsg err = {0};

    if (registry_open(&reg, s->path, 0, &err) < 0) {
        s->bad = 1;
        return NULL;
    }
    registry_index_attach(reg, ix);
    for (int i = 0; i < s->rounds; i++) {
        registry_search_page pg = {0, 20, -1, {-1, -1, -1}};
        hits h;
        memset(&h, 0, sizeof h);
        if (registry_search_paged(reg, i % 2 ? "gnu" : "gnu herd", 0, &pg,
                                  collect, &h, &err) < 0)
            s->bad = 1;
        /* Each change writes the word into one table and one column at
           once: the counts of both kinds are equal in any state. */
        if (pg.kinds[0] != pg.kinds[1] || pg.total != 2 * pg.kinds[0])
            s->bad = 1;
        hits_free(&h);
    }
    registry_close(reg);
    return NULL;
}

static void test_search_index__overlay_threads(void **state)
{
    ufx *f = *state;
    searcher s[3];
    pthread_t th[3];
    static const char *const qs[] = {"gnu", "gnu herd", "gnat", "email"};
#define NQS (sizeof qs / sizeof *qs)
    char *a[NQS];
    int64_t n0, req;
    char sql[400];

    /* search_log: a row for each change of a table, a column and a
       request's title or summary. */
    n0 = ufx_int(f, "SELECT count(*) FROM search_log");
    ufx_import(f, "acme-prod",
               "table,column,type,description\nzoo,zoo_id,bigint,plain\n");
    assert_true(ufx_int(f, "SELECT count(*) FROM search_log WHERE rid ="
                           " (SELECT id * 4 + 1 FROM reg_tables WHERE"
                           " name = 'zoo')") >= 1);
    assert_true(ufx_int(f, "SELECT count(*) FROM search_log WHERE rid ="
                           " (SELECT id * 4 + 2 FROM reg_columns WHERE"
                           " name = 'zoo_id')") >= 1);
    n0 = ufx_int(f, "SELECT count(*) FROM search_log");
    ufx_exec(f, "UPDATE reg_tables SET description = 'x' WHERE name = 'zoo';"
                "UPDATE reg_columns SET description = 'x' WHERE name ="
                " 'zoo_id'");
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM search_log"), n0 + 2);
    add_request(f, "acme", "acme-prod", "wombat");
    req = ufx_int(f, "SELECT max(id) FROM requests");
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM search_log WHERE rid = %lld * 4 + 3",
             (long long)req);
    assert_int_equal(ufx_int(f, sql), 1);
    n0 = ufx_int(f, "SELECT count(*) FROM search_log");
    snprintf(sql, sizeof sql,
             "UPDATE requests SET title = 'wombat two' WHERE id = %lld;"
             "UPDATE requests SET status = status WHERE id = %lld;"
             "DELETE FROM requests WHERE id = (SELECT min(id) FROM"
             " requests)",
             (long long)req, (long long)req);
    ufx_exec(f, sql);
    /* The title and the deletion (of the oldest: an id is never reused
       while newer ones exist); a status change changes no search row. */
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM search_log"), n0 + 2);

    wait_ready(f);
    for (int i = 0; i < 3; i++) {
        s[i] = (searcher){f->path, 60, 0};
        assert_int_equal(pthread_create(&th[i], NULL, search_thread, &s[i]), 0);
    }
    for (int i = 0; i < 20; i++) {
        snprintf(sql, sizeof sql,
                 "BEGIN;"
                 "UPDATE reg_tables SET description = 'gnu herd %d' WHERE id"
                 " = (SELECT id FROM reg_tables ORDER BY id LIMIT 1"
                 " OFFSET %d);"
                 "UPDATE reg_columns SET description = 'gnu herd %d' WHERE id"
                 " = (SELECT id FROM reg_columns ORDER BY id LIMIT 1"
                 " OFFSET %d);"
                 "COMMIT",
                 i, i, i, i);
        ufx_exec(f, sql);
        if (i % 5 == 0)
            add_request(f, "acme", "acme-prod", "gnat");
        usleep(2000);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(s[i].bad, 0);
    }
    /* The answers of the snapshot and the overlay are those of a fresh
       snapshot. */
    hook_hold();
    for (size_t i = 0; i < NQS; i++)
        a[i] = answer(f, qs[i], 0);
    hook_let_go();
    wait_ready(f);
    for (size_t i = 0; i < NQS; i++) {
        char *b = answer(f, qs[i], 0);
        assert_string_equal(a[i], b);
        free(a[i]);
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_search_index__same_hits_as_fts5,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_search_index__exact_first_and_tenant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_index__pages_and_totals,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_search_index__change_visible_to_next_search, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_search_index__search_during_rebuild, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_search_index__overlay_same_as_fresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_index__overlay_threads,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
