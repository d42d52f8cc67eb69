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
} search_index;

/* Frees a snapshot's query cache (search_index_query.c). */
void si_qcache_free(search_index *ix);

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
    atomic_long served, fallbacks;
    long builds;
    size_t bytes, req_bytes;
    int64_t build_us, req_build_us;
    void (*hook)(void *ctx);
    void *hook_ctx;
};

/* The slot of reg's database file in reg's index; NULL for a connection
 * without an index, or an in-memory database. */
ix_slot *si_slot_for(registry *reg);
/* A reference to the snapshot of generation gen, or NULL (then a build
 * starts when the newest snapshot is older than gen). */
search_index *si_index_acquire(ix_slot *s, int64_t gen);
/* A reference to the requests snapshot of the version reg's transaction
 * sees, or NULL (then a build starts when none runs). */
search_index *si_req_acquire(registry *reg, ix_slot *s);

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
/* A doc's id and organisation (index into ix->orgs); the doc of id in
 * section sec, or -1; the rank key of a doc within a kind; the order of
 * rank keys for qsort. */
uint32_t si_doc_id(const search_index *ix, uint32_t doc);
uint32_t si_doc_org(const search_index *ix, uint32_t doc);
int64_t si_id_doc(const search_index *ix, int sec, uint32_t id);
uint64_t si_rank_key(const search_index *ix, uint32_t doc, int nname);
int si_cmp_u64(const void *a, const void *b);

#endif
