/* cache.c: the rendered-response cache of cache.h: a chained hash map
 * keyed by (kind, instance, table, visibility) plus an array of all
 * entries for eviction, behind one mutex. When the budget is exceeded a
 * random entry goes: LRU misses on every request once a working set read
 * in a cycle is larger than the budget, random replacement keeps a hit
 * rate near budget / working set (card pages with a 10 MiB budget for
 * ~19 MiB of them: 5,244 against 4,849 req/s with LRU, misses dominating
 * both), and a hit writes nothing shared.
 * Each entry keeps the version of what it was built from (registry.h:
 * registry_table_version, registry_lookup_version); a lookup hits only
 * an entry of the version the reader has just read, so a change makes
 * the entries it changes stale and leaves every other one valid. The
 * budget
 * is read from DOCKET_CACHE_MB when the cache is made (web_cache_new, by
 * the server: each server has its own). Data is kept as one gzip member
 * (zlib, compressed outside the lock); plain readers inflate their copy
 * after the lock is released. */
#include "cache.h"
#include "mem.h"
#include "str.h"
#include "tmpl.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct entry {
    struct entry *next; /* hash chain */
    size_t slot;        /* index in all[] */
    uint64_t hash;
    int kind, vis;
    char *instance, *table; /* lower case */
    int64_t org_id;
    int64_t version; /* of what it was built from */
    char *data;
    size_t len;
} entry;

#define NBUCKETS 16384

struct web_cache {
    pthread_mutex_t lock; /* everything below */
    entry *buckets[NBUCKETS];
    entry **all; /* every entry, for random eviction */
    size_t all_cap;
    uint64_t rng;
    size_t bytes, nentries, budget;
    web_cache_stats stats;
};

web_cache *web_cache_new(void)
{
    web_cache *c = xcalloc(1, sizeof *c);
    const char *e = getenv("DOCKET_CACHE_MB");
    int mb;

    pthread_mutex_init(&c->lock, NULL);
    c->rng = 0x9e3779b97f4a7c15ULL;
    c->budget = (size_t)WEB_CACHE_DEFAULT_MB * 1024 * 1024;
    if (e && str_to_int(&mb, e, 0, 1 << 20) == 0)
        c->budget = (size_t)mb * 1024 * 1024;
    return c;
}

static uint64_t hash_of(int kind, const char *instance, const char *table,
                        int vis)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    const char *parts[2] = {instance, table};

    assert(instance && table); /* "" for none, never NULL */
    h = (h ^ (uint64_t)kind) * 1099511628211ULL;
    h = (h ^ (uint64_t)vis) * 1099511628211ULL;
    for (int i = 0; i < 2; i++) {
        for (const char *p = parts[i]; *p; p++) {
            unsigned char c = (unsigned char)*p;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            h = (h ^ c) * 1099511628211ULL;
        }
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    return h;
}

static size_t entry_size(const entry *e)
{
    return sizeof *e + e->len + strlen(e->instance) + strlen(e->table) + 2;
}

static void all_add(web_cache *c, entry *e)
{
    if (c->nentries == c->all_cap)
        xgrow(&c->all, &c->all_cap, c->nentries + 1, sizeof *c->all);
    e->slot = c->nentries;
    c->all[c->nentries] = e;
}

static void all_remove(web_cache *c, entry *e)
{
    /* nentries still counts e here. */
    assert(c->nentries > 0 && c->all[e->slot] == e);
    c->all[e->slot] = c->all[c->nentries - 1];
    c->all[e->slot]->slot = e->slot;
}

/* A random entry (xorshift64*: eviction needs no better). */
static entry *random_entry(web_cache *c)
{
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return c->all[(c->rng * 2685821657736338717ULL >> 11) % c->nentries];
}

static void entry_free(entry *e)
{
    free(e->instance);
    free(e->table);
    free(e->data);
    free(e);
}

/* Unlinks e from its chain and the entry array and frees it. */
static void entry_remove(web_cache *c, entry *e)
{
    entry **pp = &c->buckets[e->hash % NBUCKETS];

    while (*pp && *pp != e)
        pp = &(*pp)->next;
    if (*pp)
        *pp = e->next;
    all_remove(c, e);
    c->bytes -= entry_size(e);
    c->nentries--;
    entry_free(e);
}

static void clear_locked(web_cache *c)
{
    for (size_t i = 0; i < NBUCKETS; i++) {
        entry *e = c->buckets[i];
        while (e) {
            entry *next = e->next;
            entry_free(e);
            e = next;
        }
        c->buckets[i] = NULL;
    }
    c->bytes = c->nentries = 0;
}

void web_cache_free(web_cache *c)
{
    if (!c)
        return;
    clear_locked(c);
    free(c->all);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static entry *find_locked(web_cache *c, uint64_t h, int kind,
                          const char *instance, const char *table, int vis)
{
    for (entry *e = c->buckets[h % NBUCKETS]; e; e = e->next)
        if (e->hash == h && e->kind == kind && e->vis == vis &&
            !str_casecmp(e->instance, instance) &&
            !str_casecmp(e->table, table))
            return e;
    return NULL;
}

/* Appends the stored bytes of the entry to out when it is of version
 * ver; 1 on a hit. An entry of an older version is stale: dropped. */
static int lookup(web_cache *c, buf *out, int64_t *org_id, int kind,
                  const char *instance, const char *table, int vis, int64_t ver)
{
    uint64_t h = hash_of(kind, instance, table, vis);
    entry *e;
    int hit = 0;

    assert(c && out);
    if (ver < 0)
        return 0;
    pthread_mutex_lock(&c->lock);
    e = find_locked(c, h, kind, instance, table, vis);
    if (e && e->version == ver) {
        buf_append(out, e->data, e->len);
        if (org_id)
            *org_id = e->org_id;
        c->stats.hits++;
        hit = 1;
    } else {
        c->stats.misses++;
        if (e)
            c->stats.stale++;
        /* A reader of an older version (a snapshot from before the last
           change) leaves the newer entry alone. */
        if (e && e->version < ver)
            entry_remove(c, e);
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

int web_cache_get_stored(web_cache *c, buf *out, int64_t *org_id, int kind,
                         const char *instance, const char *table, int vis,
                         int64_t ver)
{
    return lookup(c, out, org_id, kind, instance, table, vis, ver);
}

int web_cache_get(web_cache *c, buf *out, int64_t *org_id, int kind,
                  const char *instance, const char *table, int vis, int64_t ver)
{
    buf gz = {0};
    size_t before = out->len;
    int hit = lookup(c, &gz, org_id, kind, instance, table, vis, ver);

    if (hit &&
        tmpl_gunzip(out, (const unsigned char *)buf_cstr(&gz), gz.len) < 0) {
        /* Cannot happen with our own data; answer as a miss. */
        buf_truncate(out, before);
        hit = 0;
    }
    buf_dispose(&gz);
    return hit;
}

/* data[0..len) as one gzip member in *out (malloc'd); its size or 0.
 * Level 1: half the time of level 6 on a rules card (a cache miss pays
 * it) for ~10% more bytes. The member is written into a scratch buffer
 * of the worst-case size (the input's), freed with zlib's state once the
 * entry has its own allocation of the exact size: shrinking the scratch
 * in place (realloc) left a free hole of about four times the entry
 * right behind every entry kept, so the long-lived entries were spread
 * over pages the heap could not give back. */
static size_t gzip_of(unsigned char **out, const char *data, size_t len)
{
    z_stream zs;
    uLong cap;
    unsigned char *z;
    size_t n = 0;

    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return 0;
    cap = deflateBound(&zs, (uLong)len);
    z = xmalloc(cap);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = z;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) == Z_STREAM_END)
        n = cap - zs.avail_out;
    deflateEnd(&zs);
    if (n) {
        *out = xmalloc(n);
        memcpy(*out, z, n);
    }
    free(z);
    return n;
}

/* Files data[0..len) (malloc'd, taken over) under the key for version
 * ver, unless the entry there is of a newer version (this writer read an
 * older snapshot). */
static void insert(web_cache *c, int kind, const char *instance,
                   const char *table, int vis, int64_t ver, int64_t org_id,
                   char *data, size_t len)
{
    uint64_t h = hash_of(kind, instance, table, vis);
    entry *e, *old;

    pthread_mutex_lock(&c->lock);
    old = find_locked(c, h, kind, instance, table, vis);
    if (ver < 0 || len + 4096 > c->budget || (old && old->version > ver)) {
        pthread_mutex_unlock(&c->lock);
        free(data);
        return;
    }
    if (old)
        entry_remove(c, old);
    e = xcalloc(1, sizeof *e);
    e->hash = h;
    e->kind = kind;
    e->vis = vis;
    e->instance = xstrdup(instance);
    e->table = xstrdup(table);
    e->org_id = org_id;
    e->version = ver;
    e->data = data;
    e->len = len;
    e->next = c->buckets[h % NBUCKETS];
    c->buckets[h % NBUCKETS] = e;
    all_add(c, e);
    c->bytes += entry_size(e);
    c->nentries++;
    while (c->bytes > c->budget && c->nentries > 1) {
        entry *victim = random_entry(c);
        if (victim == e)
            continue;
        entry_remove(c, victim);
        c->stats.evictions++;
    }
    pthread_mutex_unlock(&c->lock);
}

void web_cache_put(web_cache *c, int kind, const char *instance,
                   const char *table, int vis, int64_t ver, int64_t org_id,
                   const char *data, size_t len)
{
    unsigned char *gz = NULL;
    size_t gzlen;

    /* The budget never changes after web_cache_new: no lock to read it. */
    if (c->budget == 0 || len > (size_t)UINT32_MAX / 2)
        return;
    gzlen = gzip_of(&gz, data, len);
    if (gzlen)
        insert(c, kind, instance, table, vis, ver, org_id, (char *)gz, gzlen);
}

void web_cache_put_stored(web_cache *c, int kind, const char *instance,
                          const char *table, int vis, int64_t ver,
                          int64_t org_id, const char *data, size_t len)
{
    char *copy;

    if (c->budget == 0 || len == 0)
        return;
    copy = xmalloc(len);
    memcpy(copy, data, len);
    insert(c, kind, instance, table, vis, ver, org_id, copy, len);
}

void web_cache_stats_get(web_cache *c, web_cache_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    out->entries = c->nentries;
    out->bytes = c->bytes;
    out->budget = c->budget;
    pthread_mutex_unlock(&c->lock);
}

void web_cache_clear(web_cache *c)
{
    pthread_mutex_lock(&c->lock);
    clear_locked(c);
    pthread_mutex_unlock(&c->lock);
}
