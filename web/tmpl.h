/* tmpl.h: page templates kept compressed, filled per request without
 * compressing anything. A template is rendered HTML with hole markers
 * (the HTML comments below: escaped user text can never contain "<", so
 * a marker cannot come from data). tmpl_compile cuts the text at the
 * markers and compresses each piece on its own as raw deflate ending on a
 * byte boundary (Z_SYNC_FLUSH). tmpl_gzip then writes a complete gzip
 * member (RFC 1952) by laying the pieces end to end with each hole's
 * value as a stored block in between, combining the pieces' CRC-32s
 * (crc32_combine) instead of reading their bytes: per request it copies
 * a few kilobytes and checksums the short values, nothing more.
 * Used by page_catalog.c (rules card pages) with cache.c holding the
 * compiled templates. */
#ifndef DOCKET_WEB_TMPL_H
#define DOCKET_WEB_TMPL_H

#include "buf.h"

#include <stddef.h>

/* Hole markers, by index. TMPL_BODY takes another template (the page
 * frame's content); the others take text that is already escaped (the
 * user's inbox link with its unread count, the watch button of what the
 * page shows, a table's "Today:" line and its arrival chart: HTML
 * rendered per request, since arrivals and the clock change them without
 * changing the version the card is cached with). */
enum {
    TMPL_TITLE,
    TMPL_USER,
    TMPL_CSRF,
    TMPL_BODY,
    TMPL_INBOX,
    TMPL_WATCH,
    TMPL_TODAY,
    TMPL_CHART,
    TMPL_NHOLES
};
#define TMPL_MARK_TITLE "<!--hole:title-->"
#define TMPL_MARK_USER  "<!--hole:user-->"
#define TMPL_MARK_CSRF  "<!--csrf-->"
#define TMPL_MARK_BODY  "<!--hole:body-->"
#define TMPL_MARK_INBOX "<!--hole:inbox-->"
#define TMPL_MARK_WATCH "<!--hole:watch-->"
#define TMPL_MARK_TODAY "<!--hole:today-->"
#define TMPL_MARK_CHART "<!--hole:chart-->"

/* Compiles text[0..len) into out (opaque bytes, appended). 0, or -1 when
 * zlib fails (out unchanged). */
int tmpl_compile(buf *out, const char *text, size_t len);

/* Appends one gzip member to out: frame with its holes filled from
 * vals (NULL: empty; every hole but TMPL_BODY) and its body hole from the
 * compiled template body (NULL: empty; holes inside body are filled from
 * vals too, a body hole inside body stays empty). 0, or -1 when a
 * template is malformed (out unchanged). */
int tmpl_gzip(buf *out, const buf *frame, const buf *body,
              const char *const vals[TMPL_NHOLES]);

/* The same page uncompressed, for clients that do not accept gzip. */
int tmpl_plain(buf *out, const buf *frame, const buf *body,
               const char *const vals[TMPL_NHOLES]);

/* tmpl_gzip and tmpl_plain where a hole i of frame or body whose
 * parts[i] is not NULL takes the compiled template parts[i] (holes in it
 * stay empty), laid down compressed as it is, instead of vals[i]: text
 * that is kept for a while (a card's arrival chart) costs its compressed
 * size on the wire and nothing to compress per request. parts NULL: as
 * tmpl_gzip. */
int tmpl_gzip_parts(buf *out, const buf *frame, const buf *body,
                    const char *const vals[TMPL_NHOLES],
                    const buf *const parts[TMPL_NHOLES]);
int tmpl_plain_parts(buf *out, const buf *frame, const buf *body,
                     const char *const vals[TMPL_NHOLES],
                     const buf *const parts[TMPL_NHOLES]);

/* Inflates the gzip member gz[0..n) onto out. 0, or -1 (out unchanged). */
int tmpl_gunzip(buf *out, const unsigned char *gz, size_t n);

#endif
