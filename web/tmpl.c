/* tmpl.c: compiled page templates (tmpl.h).
 *
 * Compiled layout (native byte order; it never leaves the process):
 *
 *   uint32 nseg
 *   nseg x { uint32 clen, rlen, crc, op; int32 hole }   piece i, then hole
 *   compressed pieces, back to back
 *
 * Each piece is a raw deflate stream of its own (fresh window, so no
 * back-reference crosses into another piece) flushed with Z_SYNC_FLUSH:
 * it ends byte-aligned in a non-final block, so pieces and stored blocks
 * can follow one another and one final empty block closes the stream. */
#include "tmpl.h"
#include "mem.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

typedef struct seg {
    uint32_t clen, rlen, crc;
    uint32_t op;  /* crc32_combine_gen(rlen): appending the piece's CRC to
                     a running one costs one multiplication per request */
    int32_t hole; /* TMPL_* after this piece, -1 for none */
} seg;

static const char *const marks[TMPL_NHOLES] = {
    TMPL_MARK_TITLE, TMPL_MARK_USER,  TMPL_MARK_CSRF,  TMPL_MARK_BODY,
    TMPL_MARK_INBOX, TMPL_MARK_WATCH, TMPL_MARK_TODAY, TMPL_MARK_CHART};

/* The first marker at or after p in [p, end): its start in *at and its
 * index, or -1 (then *at = end). */
static int next_mark(const char *p, const char *end, const char **at)
{
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt)
            break;
        for (int i = 0; i < TMPL_NHOLES; i++) {
            size_t n = strlen(marks[i]);
            if ((size_t)(end - lt) >= n && !memcmp(lt, marks[i], n)) {
                *at = lt;
                return i;
            }
        }
        p = lt + 1;
    }
    *at = end;
    return -1;
}

/* Compresses p[0..n) onto z as a raw deflate piece ending in a sync flush. */
static int deflate_piece(z_stream *zs, buf *z, const char *p, size_t n)
{
    unsigned char chunk[16384];
    int rc;

    if (deflateReset(zs) != Z_OK)
        return -1;
    zs->next_in = (unsigned char *)p;
    zs->avail_in = (uInt)n;
    do {
        zs->next_out = chunk;
        zs->avail_out = sizeof chunk;
        rc = deflate(zs, Z_SYNC_FLUSH);
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return -1;
        buf_append(z, chunk, sizeof chunk - zs->avail_out);
    } while (zs->avail_out == 0 || zs->avail_in > 0);
    return buf_error(z) ? -1 : 0;
}

int tmpl_compile(buf *out, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    buf segs = {0}, z = {0};
    z_stream zs;
    uint32_t nseg = 0;
    int ret = -1;

    if (len > UINT32_MAX / 2)
        return -1;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    for (;;) {
        const char *at;
        int hole = next_mark(p, end, &at);
        size_t before = z.len;
        seg s;
        if (deflate_piece(&zs, &z, p, (size_t)(at - p)) < 0)
            goto done;
        s.clen = (uint32_t)(z.len - before);
        s.rlen = (uint32_t)(at - p);
        s.crc = (uint32_t)crc32(0L, (const Bytef *)p, (uInt)(at - p));
        s.op = (uint32_t)crc32_combine_gen((z_off_t)(at - p));
        s.hole = hole;
        buf_append(&segs, &s, sizeof s);
        nseg++;
        if (hole < 0)
            break;
        p = at + strlen(marks[hole]);
    }
    if (buf_error(&segs) || buf_error(&z))
        goto done;
    buf_append(out, &nseg, sizeof nseg);
    buf_append(out, segs.data, segs.len);
    buf_append(out, z.data, z.len);
    ret = buf_error(out) ? -1 : 0;
done:
    deflateEnd(&zs);
    buf_dispose(&segs);
    buf_dispose(&z);
    return ret;
}

/* Reads the header of a compiled template: its pieces and their bytes.
 * 0, or -1 when t is not a well-formed compiled template. */
static int parse(const buf *t, uint32_t *nseg, const seg **segs,
                 const unsigned char **data)
{
    uint64_t total = 0;

    if (!t || t->len < sizeof *nseg)
        return -1;
    memcpy(nseg, t->data, sizeof *nseg);
    if (*nseg == 0 || *nseg > (t->len - sizeof *nseg) / sizeof(seg))
        return -1;
    *segs = (const seg *)(const void *)(t->data + sizeof *nseg);
    *data = (const unsigned char *)t->data + sizeof *nseg + *nseg * sizeof(seg);
    for (uint32_t i = 0; i < *nseg; i++)
        total += (*segs)[i].clen;
    return total == t->len - sizeof *nseg - *nseg * sizeof(seg) ? 0 : -1;
}

typedef struct gz {
    buf *out;
    uLong crc;
    uint32_t isize; /* mod 2^32, as RFC 1952 wants */
} gz;

/* Appends text as stored blocks (at most 65,535 bytes each). */
static void put_stored(gz *g, const char *s, size_t n)
{
    g->crc = crc32(g->crc, (const Bytef *)s, (uInt)n);
    g->isize += (uint32_t)n;
    while (n > 0) {
        size_t k = n > 65535 ? 65535 : n;
        unsigned char h[5] = {
            0x00, (unsigned char)(k & 0xff), (unsigned char)(k >> 8),
            (unsigned char)(~k & 0xff), (unsigned char)((~k >> 8) & 0xff)};
        buf_append(g->out, h, sizeof h);
        buf_append(g->out, s, k);
        s += k;
        n -= k;
    }
}

/* Lays down the pieces of t with its holes filled; depth 0 is the frame. */
static int put_template(gz *g, const buf *t, const buf *body,
                        const char *const vals[TMPL_NHOLES],
                        const buf *const parts[TMPL_NHOLES], int depth)
{
    uint32_t nseg;
    const seg *segs;
    const unsigned char *data;

    if (parse(t, &nseg, &segs, &data) < 0)
        return -1;
    for (uint32_t i = 0; i < nseg; i++) {
        seg s;
        memcpy(&s, &segs[i], sizeof s);
        buf_append(g->out, data, s.clen);
        data += s.clen;
        g->crc = crc32_combine_op(g->crc, s.crc, s.op);
        g->isize += s.rlen;
        if (s.hole == TMPL_BODY) {
            if (depth == 0 && body &&
                put_template(g, body, NULL, vals, parts, 1) < 0)
                return -1;
        } else if (s.hole >= 0 && s.hole < TMPL_NHOLES && parts &&
                   parts[s.hole]) {
            if (depth < 2 &&
                put_template(g, parts[s.hole], NULL, NULL, NULL, 2) < 0)
                return -1;
        } else if (s.hole >= 0 && s.hole < TMPL_NHOLES && vals &&
                   vals[s.hole]) {
            put_stored(g, vals[s.hole], strlen(vals[s.hole]));
        }
    }
    return 0;
}

int tmpl_gzip(buf *out, const buf *frame, const buf *body,
              const char *const vals[TMPL_NHOLES])
{
    return tmpl_gzip_parts(out, frame, body, vals, NULL);
}

int tmpl_gzip_parts(buf *out, const buf *frame, const buf *body,
                    const char *const vals[TMPL_NHOLES],
                    const buf *const parts[TMPL_NHOLES])
{
    /* mtime 0, no flags, OS unknown: the same bytes for the same page. */
    static const unsigned char head[10] = {0x1f, 0x8b, 8, 0, 0,
                                           0,    0,    0, 0, 0xff};
    /* A final, empty block with fixed codes: BFINAL=1, BTYPE=01, EOB. */
    static const unsigned char last[2] = {0x03, 0x00};
    size_t before = out->len;
    gz g = {out, crc32(0L, Z_NULL, 0), 0};
    unsigned char tail[8];

    buf_append(out, head, sizeof head);
    if (put_template(&g, frame, body, vals, parts, 0) < 0) {
        buf_truncate(out, before);
        return -1;
    }
    buf_append(out, last, sizeof last);
    for (int i = 0; i < 4; i++) {
        tail[i] = (unsigned char)(g.crc >> (8 * i));
        tail[4 + i] = (unsigned char)(g.isize >> (8 * i));
    }
    buf_append(out, tail, sizeof tail);
    return buf_error(out) ? -1 : 0;
}

int tmpl_gunzip(buf *out, const unsigned char *gzdata, size_t n)
{
    z_stream zs;
    unsigned char chunk[16384];
    size_t before = out->len;
    int rc;

    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return -1;
    zs.next_in = (unsigned char *)gzdata;
    zs.avail_in = (uInt)n;
    do {
        zs.next_out = chunk;
        zs.avail_out = sizeof chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            break;
        buf_append(out, chunk, sizeof chunk - zs.avail_out);
    } while (rc != Z_STREAM_END);
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || buf_error(out)) {
        buf_truncate(out, before);
        return -1;
    }
    return 0;
}

int tmpl_plain(buf *out, const buf *frame, const buf *body,
               const char *const vals[TMPL_NHOLES])
{
    return tmpl_plain_parts(out, frame, body, vals, NULL);
}

int tmpl_plain_parts(buf *out, const buf *frame, const buf *body,
                     const char *const vals[TMPL_NHOLES],
                     const buf *const parts[TMPL_NHOLES])
{
    buf z = {0};
    int rc = tmpl_gzip_parts(&z, frame, body, vals, parts);

    if (rc == 0)
        rc = tmpl_gunzip(out, (const unsigned char *)z.data, z.len);
    buf_dispose(&z);
    return rc;
}
