/* cache.h: rendered responses of the registry (a table's JSON, the body
 * of its rules card page, lookup answers) kept in memory, each with the
 * version of what it was built from (registry_table_version,
 * registry_lookup_version), so the pages an ops engineer opens at 3 a.m.
 * cost one small query and a change throws away only the answers it
 * changes. One per
 * server (web_server owns it, handlers reach it as req->cache), shared by
 * its threads (mutex inside); bounded by a byte budget with random
 * eviction. Entries are stored gzip-compressed (about 5x smaller, so the
 * whole registry of a large installation fits a small budget) and served
 * as they are to clients that accept gzip. Implemented in cache.c; used
 * by page_catalog.c. */
#ifndef DOCKET_WEB_CACHE_H
#define DOCKET_WEB_CACHE_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

/* What is cached (part of the key). */
enum {
    CACHE_TABLE_JSON = 1,   /* GET /api/v1/instances/{i}/tables/{t} */
    CACHE_TABLE_PAGE = 2,   /* a rules card page's content (card and open
                               requests) as a compiled template (tmpl.h);
                               vis is card visibility | org filter << 2 */
    CACHE_LOOKUP = 3,       /* GET /api/v1/lookup: "table" is the query key */
    CACHE_PAGE_FRAME = 4,   /* a page frame as a compiled template; vis is
                               the role, table the section ("tables");
                               built from nothing that changes: version 0 */
    CACHE_LOOKUP_TODAY = 5, /* a whole lookup answer with today's state of
                               each hit: "table" is the query key with the
                               versions of the names (and arrival rules)
                               and the arrivals; the version is the UTC
                               minute */
    CACHE_GATE = 6,         /* GET /api/v1/instances/{i}/gate (api_feeds.c) */
    CACHE_CARD_FEED = 7     /* a rules card's "Today:" line and arrival chart
                               (page_catalog_card.c) */
};

/* Default budget of stored bytes: 24 MiB, room for the JSON of most of
 * the 10,000 tables of the benchmark (20 columns each, ~2.3 KB compressed)
 * or of their card pages (DOCKET_CACHE_MB overrides it, 0 disables).
 * Counted against the server's RSS, which should stay within 64 MiB there
 * together with the in-memory search index (~7 MB). */
#define WEB_CACHE_DEFAULT_MB 24

typedef struct web_cache web_cache;

/* An empty cache with the budget of DOCKET_CACHE_MB (read now; 0
 * disables it) or else WEB_CACHE_DEFAULT_MB. Free with web_cache_free
 * (NULL: nothing) once no thread uses it. */
web_cache *web_cache_new(void);
void web_cache_free(web_cache *c);

/* Looks up (kind, instance, table, vis) of version ver: the version of
 * what the entry is built from, read by this request (a negative one is
 * unknown: a miss). An entry of another version is a miss (stale); one of
 * an older version is dropped. On a hit appends the bytes to out
 * (decompressed), sets *org_id to the organisation stored with them and
 * returns 1; 0 on a miss. instance and table compare case-insensitively
 * and are never NULL ("" for none). */
int web_cache_get(web_cache *c, buf *out, int64_t *org_id, int kind,
                  const char *instance, const char *table, int vis,
                  int64_t ver);

/* Stores a gzip-compressed copy of data[0..len) built from version ver
 * (dropped when the cache holds the key for a newer version already, for
 * a negative ver, or when the entry alone exceeds the budget); evicts
 * random entries to stay in budget. Compression runs outside the lock. */
void web_cache_put(web_cache *c, int kind, const char *instance,
                   const char *table, int vis, int64_t ver, int64_t org_id,
                   const char *data, size_t len);

/* Stores data[0..len) as it is (already compressed, e.g. a compiled
 * template), under the same rules as web_cache_put. */
void web_cache_put_stored(web_cache *c, int kind, const char *instance,
                          const char *table, int vis, int64_t ver,
                          int64_t org_id, const char *data, size_t len);
/* The same as web_cache_get, but appends the stored bytes as they are:
 * for web_cache_put entries one gzip member (RFC 1952), the body of a
 * reply with Content-Encoding: gzip; for web_cache_put_stored entries
 * what was stored. 1 on a hit. */
int web_cache_get_stored(web_cache *c, buf *out, int64_t *org_id, int kind,
                         const char *instance, const char *table, int vis,
                         int64_t ver);

/* Counters for tests and /healthz. stale counts the misses on an entry
 * of another version. */
typedef struct web_cache_stats {
    uint64_t hits, misses, evictions, stale;
    size_t entries, bytes, budget;
} web_cache_stats;
void web_cache_stats_get(web_cache *c, web_cache_stats *out);

/* Drops everything (tests). */
void web_cache_clear(web_cache *c);

#endif
