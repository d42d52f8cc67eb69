/* search_index.h: the in-memory search index of registry tables and
 * columns that registry_search (catalog.c) asks before FTS5. One immutable
 * snapshot per database file and registry generation, shared by the
 * connections a registry_index is attached to (registry.h: a server owns
 * one) and built in the background; see search_index.c. Used inside
 * registry/ only (and by its tests), but for the counters of /healthz. */
#ifndef DOCKET_SEARCH_INDEX_H
#define DOCKET_SEARCH_INDEX_H

#include "catalog.h"
#include "registry.h"

#include <stdint.h>

/* search_index_run's answer when it cannot serve a query and FTS5 must. */
#define SEARCH_INDEX_FALLBACK 1

/* Answers registry_search_paged(reg, q, org_id, pg) from the snapshot of
 * the generation reg's connection sees; requests (kind 3) from the
 * requests snapshot when it is current, else from FTS5. Calls fn for the
 * hits pg->offset .. pg->offset + pg->limit - 1 of the ranked list, in
 * rank order: exact name first, then tables before columns before
 * requests, then within a kind more query words in the name first, then
 * fewer tokens, then by id (requests from FTS5: by bm25), and sets
 * pg->total and pg->kinds to the count of every hit (of org_id's when it
 * is not 0). This replaces FTS5's bm25 order within a kind. name_hl and
 * snippet are exactly those FTS5's highlight() and snippet(…, 16) give.
 * Returns SEARCH_INDEX_FALLBACK without calling fn when it cannot answer:
 * a connection without an index (registry_index_attach), no snapshot of
 * this generation yet (one is then built in the background), a word that is not
 * exactly one token (a phrase such as "customer_id"), a "CR-…" query, or the
 * index is disabled. pg->limit must be 1..200 and offset + limit at most
 * REGISTRY_SEARCH_DEPTH. Returns 0 or ERR_DB. */
int search_index_run(registry *reg, const char *q, int64_t org_id,
                     registry_search_page *pg,
                     void (*fn)(void *ctx, const registry_search_hit *h),
                     void *ctx, errmsg *err);

/* Waits up to timeout_ms for the snapshots of the generation and of the
 * requests reg sees, starting their builds if none runs. 0 when ready,
 * ERR_NOTFOUND on timeout or when the connection cannot have one (no
 * index attached, in-memory database). */
int search_index_wait(registry *reg, int timeout_ms);

/* Turns the index x on (default) or off; off sends every search of its
 * connections to FTS5 (tests compare both paths). */
void search_index_enable(registry_index *x, int on);

/* Test hook: called by x's building thread after it read a snapshot and
 * before it publishes it; a test may block in it to search meanwhile.
 * NULL removes it. Set it while no build runs. */
void search_index_set_build_hook(registry_index *x, void (*fn)(void *ctx),
                                 void *ctx);

/* Searches of x's connections answered by the index and by the FTS5
 * fallback since x was made. */
typedef struct search_index_stats {
    long served;      /* answered from current snapshots alone */
    long overlay;     /* from a snapshot and the rows changed since it */
    long fallbacks;   /* sent to FTS5 */
    long req_fts;     /* of served and overlay: requests from FTS5 */
    long builds;      /* snapshots built */
    size_t bytes;     /* memory of the newest snapshot built */
    int64_t build_us; /* time the newest build took */
    size_t req_bytes; /* the same for the requests snapshot */
    int64_t req_build_us;
} search_index_stats;
void search_index_stats_get(registry_index *x, search_index_stats *out);
/* The same for the index reg's connection is attached to (/healthz);
 * ERR_NOTFOUND when it has none. */
int search_index_stats_of(registry *reg, search_index_stats *out);

#endif
