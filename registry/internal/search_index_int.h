/* search_index_int.h: the pieces of the in-memory search index shared by
 * its files (registry/ only): search_index.c (snapshots' life, the home
 * a server owns, background builds, waiting), search_index_build.c
 * (reading a snapshot from FTS5), search_index_match.c (the query's
 * words, matching and ranking) and search_index_query.c (highlight,
 * snippet and search_index_run). */
#ifndef DOCKET_SEARCH_INDEX_INT_H
#define DOCKET_SEARCH_INDEX_INT_H

#include "search_index.h"

#include "registry_int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>

#define MAX_WORDS    REG_SEARCH_MAX_WORDS /* as registry_search_expr */
#define SNIPPET_TOKS 16 /* snippet(search_fts, 5, ..., 16) in catalog.c */
#define MAX_ORGS     4096
#define RETRY_US     (10 * 1000000) /* after a failed build */
/* Tables' texts are kept up to this size (10,000 tables: 2.7 MB); beyond
 * it, as for columns, hits read their rows from the database. */
#define TEXT_BUDGET  (6u << 20)
/* Word bitmaps of one snapshot (a bit per doc: 26 KB a word at 10,000
 * tables and 200,000 columns); past it, matches are counted by decoding
 * the postings. */
#define BITS_BUDGET  (8u << 20)
#define BITS_BUCKETS 256 /* a power of two */

/* ---- the snapshot ------------------------------------------------------ */

/* A term's postings are two runs of LEB128 varints, one per section
 * (tables, then columns), each value (doc - previous doc) << 1 | the term
 * is in the name; the first previous doc of a run is -1. Docs are
 * numbered tables first, then columns, each by id, so doc order is the
 * rank order "kind, then id" and a query whose answer is all tables never
 * decodes a column. */
typedef struct ix_term {
    uint32_t str;  /* offset of the NUL-terminated term in pool */
    uint32_t post; /* first byte of its postings (table run) */
    uint32_t col;  /* first byte of its column run */
} ix_term;

/* Docs first.. (up to the next run's first) have value v + (doc - first)
 * (ids, which mostly rise by one) or v (organisations, shared by a
 * table's columns): a few thousand runs instead of an array per doc. */
typedef struct ix_run {
    uint32_t first;
    uint32_t v;
} ix_run;

typedef struct search_index {
    atomic_int refs;
    int64_t gen;            /* high half of registry_generation() */
    int64_t seq;            /* max(seq) of search_log read with it; -1: none */
    unsigned char *version; /* requests: FTS5's structure record */
    size_t nversion;
    uint8_t kinds[2]; /* rowid % 4 of the docs of sections 0 and 1 */
    uint32_t ntab;    /* docs [0, ntab) are tables */
    uint32_t ndocs;   /* docs [ntab, ndocs) are columns */
    ix_run *idrun;    /* table, column or request id of each doc */
    uint32_t nidrun;  /* (runs of ids never cross ntab) */
    ix_run *orgrun;   /* index into orgs of each doc */
    uint32_t norgrun;
    uint8_t *len;    /* tokens in name and body, at most 255 */
    int64_t *orgs;   /* org_id values */
    uint32_t norgs;  /* entries in orgs */
    ix_term *terms;  /* nterms + 1 (the last only ends the postings) */
    uint32_t nterms; /* sorted by memcmp of the terms, as FTS5 */
    char *pool;      /* term strings */
    unsigned char *posts;
    /* Name, instance and body of each table, NUL-terminated one after
       the other from text + tab_text[doc]: a page of tables needs no
       database read (10,000 tables are 2.7 MB; columns are read). NULL
       past TEXT_BUDGET. */
    char *text;
    uint32_t *tab_text;
    size_t bytes; /* memory held, for the stats */
    /* Ranked tables and columns of recent queries (search_index_query.c),
       built lazily, under qmu; freed with the snapshot, so an entry never
       outlives its generation. */
    pthread_mutex_t qmu;
    struct si_qcache *qc;
    /* Under qmu too: the docs of recent query words as bitmaps, for
       counting the matches a page does not show (search_index_match.c);
       at most BITS_BUDGET bytes, kept until the snapshot goes. */
    struct si_bits *bits[BITS_BUCKETS]; /* by a hash of the word */
    size_t bits_bytes;
    /* The newest overlay made on it (search_index_overlay.c), under
       ovmu; ov_fail: the log position at which no overlay could be made
       (too many rows, or the log no longer reaches back to seq). */
    pthread_mutex_t ovmu;
    struct si_overlay *ov;
    int64_t ov_fail;
    /* time_mono_us() when a search first found it stale, or 0. */
    atomic_llong stale_us;
} search_index;

/* Frees a snapshot's word bitmaps (search_index_match.c). */
void si_bits_free(search_index *ix);
/* Frees a query cache (search_index_query.c). */
void si_qcache_free(struct si_qcache **qc);

/* ---- the overlay (search_index_overlay.c) ------------------------------ */

/* A snapshot and the search rows changed since it was read: the rows
 * search_log names after the snapshot's seq, as they are at the log
 * position seq, tokenised as FTS5 does. The snapshot's docs of those
 * rows are ignored and the rows that still exist are matched on their
 * own, so that snapshot + overlay answer as a snapshot of the log
 * position seq would. Immutable once made; shared by reference. */
#define OV_MAX          4096           /* rows; more: FTS5 answers */
#define OV_REBUILD_ROWS 1000           /* rows that make a rebuild due */
#define OV_REBUILD_US   (30 * 1000000) /* or the time stale */

typedef struct ov_doc {
    int64_t rowid; /* id * 4 + kind */
    int64_t org;   /* org_id */
    uint32_t term; /* its first term in pool */
    uint32_t nterm;
    uint8_t len; /* tokens in name and body, at most 255 (as the build) */
} ov_doc;

typedef struct si_overlay {
    atomic_int refs;
    int64_t seq;   /* the log position it brings the snapshot to */
    int64_t *rids; /* rows logged since the snapshot, rising */
    size_t nrids;
    ov_doc *docs; /* those that exist at seq, by rowid */
    size_t ndocs;
    /* Each doc's distinct terms: a flag byte (1: in the name), then the
       NUL-terminated term. */
    char *pool;
    size_t npool, pool_cap;
    uint32_t *gone; /* the snapshot's docs of rids, rising */
    size_t ngone;
    pthread_mutex_t qmu; /* the ranked answers of queries, as ix->qc */
    struct si_qcache *qc;
} si_overlay;

struct tokenizer;
struct qword;
/* The overlay that brings ix (of the kinds ix->kinds) to the log
 * position reg's transaction sees, made now or shared; NULL when there
 * can be none (the log does not reach back to ix->seq, too many rows,
 * a read transaction older than ix, an error). */
si_overlay *si_overlay_get(registry *reg, search_index *ix,
                           struct tokenizer *tk);
void si_overlay_release(si_overlay *ov);
/* The doc of rowid in ov, or NULL; whether rowid is one of ov's rows. */
const ov_doc *si_ov_find(const si_overlay *ov, int64_t rowid);
int si_ov_has(const si_overlay *ov, int64_t rowid);
/* Whether doc matches every word; *nname: the words in its name. */
int si_ov_match(const si_overlay *ov, const ov_doc *d, const struct qword *w,
                int nw, int *nname);

/* Frees a snapshot now; drops one reference (freeing at the last). */
void si_index_free(search_index *ix);
void si_index_release(search_index *ix);

/* ---- the home of the snapshots (search_index.c) ------------------------ */

/* ---- process-wide state ------------------------------------------------ */

/* One slot per database file ever searched; never freed (a process opens
 * one database, tests a few). The file's device and inode tell a file
 * replaced under the same name (a restore) from the one indexed. */
typedef struct ix_slot {
    char *path;
    dev_t dev;
    ino_t ino;
    search_index *cur;   /* newest snapshot published, or NULL */
    int building;        /* a builder thread runs for this file */
    int64_t retry_after; /* time_mono_us() before which no build starts */
    search_index *req;   /* newest snapshot of the requests, or NULL */
    int req_building;    /* a builder thread of requests runs */
    int64_t req_after;   /* time_mono_us() before which none starts */
    struct ix_slot *next;
    registry_index *home; /* the index this slot belongs to */
} ix_slot;

/* What was process-wide state: one per server (registry_index_new),
 * shared by its connections (registry_index_attach). Everything but the
 * counters is under mu. */
struct registry_index {
    atomic_int refs; /* the creator, each connection, each running build */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ix_slot *slots;
    atomic_int on;
    atomic_long served, overlay, fallbacks, req_fts;
    long builds;
    size_t bytes, req_bytes;
    int64_t build_us, req_build_us;
    void (*hook)(void *ctx);
    void *hook_ctx;
};

/* The slot of reg's database file in reg's index; NULL for a connection
 * without an index, or an in-memory database. */
ix_slot *si_slot_for(registry *reg);
/* A reference to the snapshot of generation gen (*stale 0), else to the
 * newest one when it is older than gen (*stale 1: it needs an overlay);
 * NULL when there is none or it is newer (then a build starts when none
 * is, or the newest is older than gen). */
search_index *si_index_acquire(ix_slot *s, int64_t gen, int *stale);
/* A reference to the requests snapshot of the version reg's transaction
 * sees (*stale 0), else to the newest one (*stale 1); NULL when there is
 * none (then a build starts when none runs). */
search_index *si_req_acquire(registry *reg, ix_slot *s, int *stale);
/* A stale snapshot ix (of the requests or not) answered with overlay ov
 * (NULL: none could be made, FTS5 answers): starts its rebuild when ov is
 * NULL, has OV_REBUILD_ROWS rows, or ix has been stale OV_REBUILD_US. */
void si_rebuild_due(ix_slot *s, search_index *ix, const si_overlay *ov,
                    int requests);

/* ---- building (search_index_build.c) ----------------------------------- */

/* Builds the snapshot of tables and columns (requests: of the requests)
 * of the file at path; NULL on failure. */
search_index *si_build(const char *path, int requests);

/* ---- the query's words and matching (search_index_match.c) ------------- */

typedef struct qword {
    char tok[128]; /* the word's single FTS5 token */
    size_t len;
    uint32_t lo, hi; /* terms starting with tok */
} qword;

/* The tokenizer search_fts uses ("unicode61" without options), from
 * FTS5 itself through the fts5_api of reg's connection. */
typedef struct tokenizer {
    fts5_tokenizer mod;
    Fts5Tokenizer *tok;
} tokenizer;

typedef struct hit {
    int64_t rowid;
    int exact;
    int64_t doc; /* the hit's doc in the index, -1 for a request */
} hit;

int si_tokenizer_open(tokenizer *out, registry *reg);
/* The words registry_search_expr makes phrases of, each as its token.
 * Returns their number, or -1 when one is not exactly one token. */
int si_query_words(qword *w, tokenizer *tk, const char *q);
/* The index of org_id in ix->orgs for si_rank(): -1 for all (org_id 0),
 * -2 when nothing can match; sets each word's term range. */
int si_org_slot(const search_index *ix, qword *w, int nw, int64_t org_id);
/* The ranked hits of kinds 1 and 2 (at most lim) appended to out; with
 * counts (two entries, or one for the requests snapshot), the matches of
 * each section that orgi may see, however many lim leaves out. */
void si_rank(const search_index *ix, const qword *w, int nw,
             const uint64_t *exact, size_t nexact, int orgi, int lim, hit *out,
             int *n, int64_t *counts);
/* si_rank on ix and the overlay ov: the docs of ov's rows are ov's, the
 * others ix's (orgi: si_org_index; org_id for ov's docs). Exact keys and
 * rank keys carry the id instead of the doc (ids order a kind as docs
 * do), so that ix's docs and ov's rank together. */
void si_rank_ov(const search_index *ix, const si_overlay *ov, const qword *w,
                int nw, const uint64_t *exact, size_t nexact, int orgi,
                int64_t org_id, int lim, hit *out, int *n, int64_t *counts);
/* The index of org_id in ix->orgs, -1 for all (0), -2 when ix has no
 * doc of it. */
int si_org_index(const search_index *ix, int64_t org_id);
/* A doc's id and organisation (index into ix->orgs); the doc of id in
 * section sec, or -1; the rank key of a doc within a kind; the order of
 * rank keys for qsort. */
uint32_t si_doc_id(const search_index *ix, uint32_t doc);
uint32_t si_doc_org(const search_index *ix, uint32_t doc);
int64_t si_id_doc(const search_index *ix, int sec, uint32_t id);
uint64_t si_rank_key(const search_index *ix, uint32_t doc, int nname);
int si_cmp_u64(const void *a, const void *b);

#endif
