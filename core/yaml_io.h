/* yaml_io.h: YAML out and in through libyaml (Debian libyaml-dev), for the
 * dbt sources (domain/dbt.c) and ODCS contracts (domain/odcs.c). Output
 * goes through libyaml's emitter, never string concatenation: a string
 * that would read back as another type (true, no, null, ~, 1e3, 07:00,
 * 2026-01-01, ...) is quoted, multi-line text is a literal block where
 * YAML allows one. Input is read with libyaml's document loader after an
 * event pass that refuses anchors and aliases (no "billion laughs"),
 * nesting deeper than YAML_IO_MAX_DEPTH, more than YAML_IO_MAX_NODES
 * nodes, files over YAML_IO_MAX_SIZE, non-UTF-8 text and more than one
 * document. (Named yaml_io, not yaml, so that <yaml.h> stays libyaml's.) */
#ifndef DOCKET_YAML_IO_H
#define DOCKET_YAML_IO_H

#include "buf.h"
#include "err.h"

#include <stddef.h>
#include <yaml.h>

#define YAML_IO_MAX_SIZE  ((size_t)64 * 1024 * 1024)
#define YAML_IO_MAX_DEPTH 64
#define YAML_IO_MAX_NODES 2000000

/* ---- out ---------------------------------------------------------------- */

/* An emitter writing block-style YAML (UTF-8, 2-space indent, unicode
 * kept as it is, long lines never folded) into a buf. Errors are sticky:
 * after the first, calls do nothing; yaml_out_end returns it. */
typedef struct yaml_out {
    yaml_emitter_t em;
    buf *out; /* borrowed */
    int err;  /* 0 or the first ERR_* */
    int open; /* the emitter is initialised */
} yaml_out;

/* Starts the stream and its one document, appending to out (borrowed
 * until yaml_out_end). A "---" line is written only when explicit. */
void yaml_out_begin(yaml_out *y, buf *out, int explicit_start);
/* Ends the document and the stream, flushes, frees the emitter. Returns 0
 * or ERR_INTERNAL (libyaml refused an event: a nesting mistake) or
 * ERR_TOOBIG (out's limit). Always call it once after yaml_out_begin. */
int yaml_out_end(yaml_out *y);
void yaml_out_map_begin(yaml_out *y);
void yaml_out_map_end(yaml_out *y);
void yaml_out_seq_begin(yaml_out *y);
/* A sequence written inline: [a, b]. */
void yaml_out_seq_begin_flow(yaml_out *y);
void yaml_out_seq_end(yaml_out *y);
/* A string scalar (NULL: ""): plain when libyaml allows it and it would
 * not read back as null, a boolean, a number, a date or a merge key;
 * quoted otherwise; a multi-line string as a literal block when allowed
 * (else double-quoted). Keys are strings too. */
void yaml_out_str(yaml_out *y, const char *s);
/* key: then the value (a shortcut for yaml_out_str(key) + value). */
void yaml_out_kstr(yaml_out *y, const char *key, const char *s);
void yaml_out_kint(yaml_out *y, const char *key, long long v);
void yaml_out_kbool(yaml_out *y, const char *key, int v);
void yaml_out_int(yaml_out *y, long long v); /* plain 42 */
void yaml_out_bool(yaml_out *y, int v);      /* plain true / false */
void yaml_out_null(yaml_out *y);             /* plain null */
/* 1 when s, written plain, would be read back by a YAML 1.1 or 1.2
 * parser as something other than the string s (null, ~, yes, On, 12,
 * 0x1f, 1e3, .inf, 07:00, 2026-01-01, <<, "", ...). */
int yaml_out_needs_quotes(const char *s);

/* ---- in ----------------------------------------------------------------- */

/* A loaded document. */
typedef struct yaml_doc {
    yaml_document_t doc;
    int loaded;
} yaml_doc;

/* Parses data (len bytes, UTF-8) as one YAML document into d. 0, or
 * ERR_INVALID with *err_line (may be NULL) the 1-based line of the
 * problem and err "yaml: <problem>" (libyaml's words, or: anchors and
 * aliases are not accepted; nested deeper than 64; more than N nodes;
 * more than one document; the file is empty; not UTF-8), or ERR_TOOBIG
 * (over YAML_IO_MAX_SIZE). Dispose d with yaml_doc_dispose (also after a
 * failure). */
int yaml_doc_load(yaml_doc *d, const char *data, size_t len, int *err_line,
                  errmsg *err);
void yaml_doc_dispose(yaml_doc *d);
/* The root node, NULL for an empty document. */
yaml_node_t *yaml_doc_root(yaml_doc *d);
/* The 1-based line where node n starts (0 for NULL). */
int yaml_doc_line(const yaml_node_t *n);
/* 1 when n is a mapping / sequence / scalar. */
int yaml_doc_is_map(const yaml_node_t *n);
int yaml_doc_is_seq(const yaml_node_t *n);
int yaml_doc_is_scalar(const yaml_node_t *n);
/* 1 when n is NULL (absent) or a plain null scalar (null, Null, NULL, ~,
 * or nothing). */
int yaml_doc_is_null(const yaml_node_t *n);
/* The value of key in mapping map (the first pair whose key is the
 * scalar key), NULL when absent or map is not a mapping. */
yaml_node_t *yaml_doc_get(yaml_doc *d, const yaml_node_t *map, const char *key);
/* Pairs of a mapping and items of a sequence: the count (0 when n is
 * not one), and the i-th key / value / item. */
size_t yaml_doc_map_size(const yaml_node_t *map);
yaml_node_t *yaml_doc_map_key(yaml_doc *d, const yaml_node_t *map, size_t i);
yaml_node_t *yaml_doc_map_value(yaml_doc *d, const yaml_node_t *map, size_t i);
size_t yaml_doc_seq_size(const yaml_node_t *seq);
yaml_node_t *yaml_doc_seq_item(yaml_doc *d, const yaml_node_t *seq, size_t i);
/* A scalar's text (borrowed from d), NULL when n is not a scalar. */
const char *yaml_doc_str(const yaml_node_t *n);
/* A scalar as text for a docket field: strings as they are, plain
 * booleans as "yes"/"no", numbers as written. 0, or ERR_INVALID "is a
 * mapping, not a text" / "is a list, not a text" (n NULL: ERR_NOTFOUND). */
int yaml_doc_text(const char **out, const yaml_node_t *n, errmsg *err);
/* A plain integer scalar (decimal, optional sign) into *out: 0 or
 * ERR_INVALID "is not a whole number". */
int yaml_doc_int(long long *out, const yaml_node_t *n, errmsg *err);
/* A plain boolean scalar (true/false, yes/no, on/off in any of YAML's
 * spellings) into *out (1/0): 0 or ERR_INVALID "is not true or false". */
int yaml_doc_bool(int *out, const yaml_node_t *n, errmsg *err);

#endif
