/* buf.h: the growable output buffer every module writes through, with one
 * escaper per output context (HTML, URL component, JSON string, CSV cell).
 * Escape at output, never before storing. */
#ifndef DOCKET_BUF_H
#define DOCKET_BUF_H

#include <stddef.h>
#include <stdio.h>

#define BUF_DEFAULT_MAX ((size_t)256 * 1024 * 1024)

/* Growable byte buffer, always NUL-terminated once anything was appended.
 * Errors are sticky: once an append would pass max, later appends do
 * nothing and buf_error() returns ERR_TOOBIG. All-zero is a valid empty
 * buffer. */
typedef struct buf {
    char *data; /* NULL until the first append; read via buf_cstr() */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* limit on len; 0 means BUF_DEFAULT_MAX */
    int err;    /* 0 or the first ERR_* hit */
} buf;

void buf_append(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
/* Each line of text (split at '\n'; a final '\n' ends the last line
 * rather than starting another) as prefix, the line and '\n'. Nothing for
 * "". */
void buf_append_lines(buf *b, const char *text, const char *prefix);
/* printf-style; for numbers and literals only, never for user text. */
void buf_appendf(buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Text for HTML element content and "quoted" attribute values. */
void buf_append_html(buf *b, const char *s);
/* A name (table, column, file) for HTML element content: escaped, with
 * <wbr> after each "_" and "." inside it, so that a long name wraps only
 * there, never inside a word. */
void buf_append_html_ident(buf *b, const char *s);
/* One URL path segment or query value, percent-encoded (RFC 3986
 * unreserved characters pass through). */
void buf_append_url(buf *b, const char *s);
/* A JSON string literal, quotes included; control characters escaped, and
 * "<", ">", "&" escaped too so the JSON is safe inside HTML. The result
 * is always valid UTF-8: each ill-formed sequence in s (stray or missing
 * continuation bytes, overlongs, surrogates, code points above U+10FFFF)
 * becomes U+FFFD, one per maximal ill-formed subpart. */
void buf_append_json_str(buf *b, const char *s);
/* n bytes of s with each ill-formed UTF-8 sequence replaced by U+FFFD (as
 * buf_append_json_str does). For text that is already escaped for its
 * context but may hold bytes nobody checked, such as a serialised cJSON
 * document (cJSON copies string bytes as they are). */
void buf_append_utf8(buf *b, const char *s, size_t n);
/* One CSV cell (RFC 4180 quoting). Cells buf_csv_is_risky finds are
 * neutralised with a leading apostrophe (inside quotes) so spreadsheets
 * never run them as formulas. */
void buf_append_csv(buf *b, const char *s);
/* 1 when a spreadsheet could read CSV cell s as a formula or command: it
 * starts with = + - @ | ; TAB or CR, or with spaces, tabs, CRs or LFs
 * followed by = + - @. The one test every CSV writer (and the importer
 * undoing the apostrophe) uses. */
int buf_csv_is_risky(const char *s);

/* The contents as a C string ("" when empty); owned by b. */
const char *buf_cstr(const buf *b);
/* 0 or the sticky ERR_* code. */
int buf_error(const buf *b);
/* Empties b but keeps its memory. */
void buf_reset(buf *b);
/* Drops bytes after n (n <= len). */
void buf_truncate(buf *b, size_t n);
/* Frees the memory; b is left empty and reusable. */
void buf_dispose(buf *b);
/* Hands the memory to the caller (free() it); never NULL. b is left
 * empty. */
char *buf_detach(buf *b);

/* The whole of stream f, or of the file at path, as a NUL-terminated
 * string (free() it), its length in *len when len is not NULL; NULL when
 * the file cannot be opened or a read fails. */
char *buf_read_stream(FILE *f, size_t *len);
char *buf_read_file(const char *path, size_t *len);

#endif
