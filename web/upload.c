/* upload.c: reading request bodies. Form bodies go through
 * libmicrohttpd's post processor; this file decides which of its callbacks
 * continue a field and which start a new one, and keeps large values on
 * disk instead of in the heap.
 *
 * Field boundaries. The post processor calls back with (key, filename,
 * offset, bytes) pieces. Within one MHD_post_process call, a field's
 * first piece has offset 0 and later pieces a growing offset. Across
 * calls that does not hold: when a value starts just before the end of
 * the bytes of a call, 0.9.75 reports an empty first piece at offset 0
 * and, on the next call, the value again at offset 0 (urlencoded: the
 * "key=" seen, the value not yet; multipart: too few bytes after the part
 * headers to rule out a boundary). An empty field followed by a field of
 * the same name gives exactly the same callbacks, so the pieces alone
 * cannot tell the two apart. The bytes can: this file watches the stream
 * for the ends of fields ("&", or CR/LF, for urlencoded; the delimiter
 * "\r\n--boundary" for multipart), knows after each call whether the last
 * field is still open, and when it is, first feeds the post processor only
 * the bytes up to the end of that field: every callback of that call
 * continues the open field. The rest follows as a separate call, in which
 * offset 0 means a new field. */
#define _GNU_SOURCE /* memmem, mkostemp, O_TMPFILE */
#include "web_int.h"
#include "err.h"
#include "mem.h"
#include "str.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define WEB_MAX_FIELDS 20000

void web_body_fail(web_req *req, int status, const char *message)
{
    if (!req->body_error) {
        req->body_error = status;
        str_copy(req->body_error_msg, sizeof req->body_error_msg, message);
    }
}

/* ---- values on disk ---- */

void web_spool_fail(web_req *req)
{
    if (errno == ENOSPC || errno == EDQUOT)
        web_body_fail(req, 507,
                      "the server's disk is full: nothing was saved; try "
                      "again later");
    else
        web_body_fail(req, 503,
                      "the server has no room for the upload right now");
}

/* An unlinked temporary file in $TMPDIR (or /tmp); -1 on failure. */
static int spool_open(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    int fd;

    if (!dir || !*dir)
        dir = "/tmp";
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
#endif
    if (snprintf(path, sizeof path, "%s/docket-upload-XXXXXX", dir) >=
        (int)sizeof path)
        return -1;
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    return fd;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int web_spool_append(buf *b, web_spool *s, const void *p, size_t n,
                     size_t spool_at)
{
    size_t max = b->max ? b->max : BUF_DEFAULT_MAX;
    uint64_t len = s->active ? s->size : b->len;

    if (b->err)
        return 0;
    if (len + n > max) {
        b->err = ERR_TOOBIG;
        return 0;
    }
    if (!s->active && spool_at && len + n > spool_at) {
        s->fd = spool_open();
        if (s->fd < 0 || (b->len && write_all(s->fd, b->data, b->len) < 0)) {
            if (s->fd >= 0)
                close(s->fd);
            s->fd = -1;
            return -1;
        }
        s->active = 1;
        s->size = b->len;
        buf_dispose(b);
        b->max = max;
    }
    if (!s->active) {
        buf_append(b, p, n);
        return 0;
    }
    if (n && write_all(s->fd, p, n) < 0)
        return -1;
    s->size += n;
    return 0;
}

int web_spool_finish(buf *b, web_spool *s)
{
    void *map;

    if (!s->active || s->map_len)
        return 0;
    /* A NUL after the bytes: buf_cstr() of the mapping is a C string. */
    if (write_all(s->fd, "", 1) < 0)
        return -1;
    map = mmap(NULL, (size_t)s->size + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE,
               s->fd, 0);
    if (map == MAP_FAILED)
        return -1;
    close(s->fd);
    s->fd = -1;
    s->map_len = (size_t)s->size + 1;
    b->data = map;
    b->len = (size_t)s->size;
    b->cap = s->map_len;
    b->max = b->len; /* appends fail instead of reallocating the mapping */
    b->err = 0;
    return 0;
}

void web_spool_dispose(buf *b, web_spool *s)
{
    if (s->active) {
        if (s->map_len)
            munmap(b->data, s->map_len);
        else if (s->fd >= 0)
            close(s->fd);
        if (s->map_len)
            memset(b, 0, sizeof *b);
    }
    memset(s, 0, sizeof *s);
    buf_dispose(b);
}

void web_fields_free(web_req *req)
{
    for (size_t i = 0; i < req->nfields; i++) {
        free(req->fields[i].name);
        free(req->fields[i].filename);
        free(req->fields[i].content_type);
        web_spool_dispose(&req->fields[i].value, &req->fields[i].spool);
    }
    free(req->fields);
    req->fields = NULL;
    req->nfields = req->fields_cap = 0;
}

/* ---- form bodies ---- */

struct web_form {
    web_req *req;
    struct MHD_PostProcessor *pp;
    int multipart;
    int open;     /* the last field goes on in the next bytes */
    int in_value; /* urlencoded: the bytes so far end inside a value */
    int cont;     /* in this call, pieces of the last field's name (and
                     filename) continue it, even at offset 0 */
    size_t first; /* req->fields[first..] came from this body */
    size_t parts; /* fields started by this body */
    /* multipart: "--boundary", the bytes of the stream before the current
       call that a delimiter may start in, and the delimiters seen */
    char *delim;
    size_t dlen;
    char *carry;
    size_t ncarry;
    int opened;        /* the first delimiter was seen */
    size_t delimiters; /* delimiters seen, the first one included */
    char *scratch;     /* carry + the bytes of a call */
    size_t scratch_cap;
};

static int same_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return !strcmp(a, b);
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *filename,
                                const char *content_type,
                                const char *transfer_encoding, const char *data,
                                uint64_t off, size_t size)
{
    web_form *fr = cls;
    web_req *req = fr->req;
    web_field *f = NULL;

    (void)kind;
    (void)transfer_encoding;
    if (req->body_error)
        return MHD_NO;
    if (!key) {
        web_body_fail(req, 400, "a form field has no name");
        return MHD_NO;
    }
    if (fr->parts && (off > 0 || fr->cont)) {
        f = &req->fields[req->nfields - 1];
        if (strcmp(f->name, key) != 0 || !same_str(f->filename, filename))
            f = NULL;
    }
    if (!f) {
        if (req->nfields >= WEB_MAX_FIELDS) {
            web_body_fail(req, 413, "too many form fields");
            return MHD_NO;
        }
        xgrow(&req->fields, &req->fields_cap, req->nfields + 1,
              sizeof *req->fields);
        f = &req->fields[req->nfields++];
        memset(f, 0, sizeof *f);
        f->name = xstrdup(key);
        if (filename) {
            f->filename = xstrdup(filename);
            f->content_type = xstrdup(
                content_type ? content_type : "application/octet-stream");
        }
        f->value.max = (size_t)req->cfg->max_body;
        fr->parts++;
    }
    /* Only files go to disk: handlers read other values as C strings. */
    if (web_spool_append(&f->value, &f->spool, data, size,
                         f->filename ? WEB_SPOOL_AT : 0) < 0) {
        web_spool_fail(req);
        return MHD_NO;
    }
    if (f->value.len == 0 && !f->value.data && !f->spool.active)
        buf_append(&f->value, "", 0);
    return MHD_YES;
}

/* The boundary parameter of a multipart Content-Type, as MHD reads it. */
static char *boundary_of(const char *ct)
{
    const char *b = ct ? strstr(ct, "boundary=") : NULL;

    if (!b)
        return NULL;
    b += strlen("boundary=");
    return *b ? xstrdup(b) : NULL;
}

web_form *web_form_begin(web_req *req)
{
    web_form *fr = xcalloc(1, sizeof *fr);

    fr->req = req;
    fr->first = req->nfields;
    fr->multipart =
        req->content_type && !strcmp(req->content_type, "multipart/form-data");
    if (fr->multipart) {
        char *b = boundary_of(web_header(req, "Content-Type"));
        if (b) {
            fr->dlen = strlen(b) + 2;
            fr->delim = xmalloc(fr->dlen + 1);
            fr->delim[0] = fr->delim[1] = '-';
            memcpy(fr->delim + 2, b, fr->dlen - 1);
            fr->carry = xmalloc(fr->dlen + 2);
            free(b);
        }
    }
    fr->pp = MHD_create_post_processor(req->conn, 64 * 1024, on_field, fr);
    if (!fr->pp || (fr->multipart && !fr->delim)) {
        web_body_fail(req, 400,
                      "malformed form body (multipart without a valid "
                      "boundary?)");
        web_form_abort(fr);
        return NULL;
    }
    return fr;
}

void web_form_abort(web_form *fr)
{
    if (!fr)
        return;
    if (fr->pp)
        MHD_destroy_post_processor(fr->pp);
    free(fr->delim);
    free(fr->carry);
    free(fr->scratch);
    free(fr);
}

static int pp_feed(web_form *fr, const char *data, size_t n, int cont)
{
    fr->cont = cont;
    if (n && MHD_post_process(fr->pp, data, n) != MHD_YES) {
        web_body_fail(fr->req, 400, "malformed form body");
        fr->cont = 0;
        return -1;
    }
    fr->cont = 0;
    return fr->req->body_error ? -1 : 0;
}

/* urlencoded: a field ends at "&" or at the CR/LF that ends the form. */
static const char *url_end(const char *p, const char *e)
{
    for (; p < e; p++)
        if (*p == '&' || *p == '\r' || *p == '\n')
            return p;
    return NULL;
}

static int feed_urlencoded(web_form *fr, const char *data, size_t n)
{
    const char *p = data, *e = data + n, *last = NULL, *eq;

    if (fr->open) {
        const char *end = url_end(p, e);
        if (!end)
            return pp_feed(fr, p, n, 1);
        if (pp_feed(fr, p, (size_t)(end - p), 1) < 0)
            return -1;
        fr->open = fr->in_value = 0;
        p = end;
    }
    if (pp_feed(fr, p, (size_t)(e - p), 0) < 0)
        return -1;
    /* Where the bytes end: in a key, or in a value ("=" after the last
       end of a field). A value's field has had its first callback once a
       byte after its "=" was fed: only then is it open. */
    for (const char *q = p; (q = url_end(q, e)) != NULL; q++)
        last = q;
    if (last) {
        fr->in_value = 0;
        p = last + 1;
    }
    if (!fr->in_value) {
        eq = memchr(p, '=', (size_t)(e - p));
        if (!eq)
            return 0;
        fr->in_value = 1;
        p = eq + 1;
    }
    fr->open = p < e;
    return 0;
}

/* multipart: the delimiters of the stream, as the post processor finds
 * them: the first "--boundary" anywhere (what comes before is skipped),
 * then each "\r\n--boundary". Searches fr->scratch (the carry, then the
 * n bytes of this call) from *at; returns the index in those n bytes just
 * after the next delimiter that ends in them (counted in fr->delimiters),
 * or 0 when there is none. */
static size_t next_delimiter(web_form *fr, size_t n, size_t *at)
{
    size_t nc = fr->ncarry, m = nc + n;
    const char *s = fr->scratch;

    while (*at + fr->dlen <= m) {
        const char *hit = memmem(s + *at, m - *at, fr->delim, fr->dlen);
        size_t pos, end;
        if (!hit)
            break;
        pos = (size_t)(hit - s);
        end = pos + fr->dlen;
        if (fr->opened &&
            (pos < 2 || s[pos - 2] != '\r' || s[pos - 1] != '\n')) {
            *at = pos + 1; /* "--boundary" inside a value */
            continue;
        }
        *at = end;
        if (end <= nc)
            continue; /* ended in an earlier call: counted then */
        fr->opened = 1;
        fr->delimiters++;
        return end - nc;
    }
    *at = m;
    return 0;
}

static int feed_multipart(web_form *fr, const char *data, size_t n)
{
    size_t keep = fr->dlen + 2, at = 0, end, pos = 0;

    /* scratch = the carry (last bytes before this call) + data */
    if (fr->scratch_cap < fr->ncarry + n) {
        free(fr->scratch);
        fr->scratch_cap = fr->ncarry + n;
        fr->scratch = xmalloc(fr->scratch_cap);
    }
    memcpy(fr->scratch, fr->carry, fr->ncarry);
    memcpy(fr->scratch + fr->ncarry, data, n);
    if (fr->open) {
        end = next_delimiter(fr, n, &at);
        if (!end) {
            if (pp_feed(fr, data, n, 1) < 0)
                return -1;
            goto carry;
        }
        /* Up to and with the delimiter that closes the open part. */
        if (pp_feed(fr, data, end, 1) < 0)
            return -1;
        fr->open = 0;
        pos = end;
    }
    while (next_delimiter(fr, n, &at))
        ;
    if (pp_feed(fr, data + pos, n - pos, 0) < 0)
        return -1;
    /* Every delimiter but the last opens a part, and each part calls back
       at least once: the last part is open while no delimiter followed
       it. */
    fr->open = fr->parts > 0 && fr->parts == fr->delimiters;
carry:
    if (fr->ncarry + n <= keep) {
        fr->ncarry += n;
        memcpy(fr->carry, fr->scratch, fr->ncarry);
    } else {
        memcpy(fr->carry, fr->scratch + fr->ncarry + n - keep, keep);
        fr->ncarry = keep;
    }
    return 0;
}

int web_form_feed(web_form *fr, const char *data, size_t n)
{
    if (fr->req->body_error)
        return -1;
    if (!n)
        return 0;
    return fr->multipart ? feed_multipart(fr, data, n)
                         : feed_urlencoded(fr, data, n);
}

int web_form_end(web_form *fr)
{
    web_req *req = fr->req;
    int rc = 0;

    /* urlencoded: the post processor ends the last value itself */
    fr->cont = fr->open;
    if (MHD_destroy_post_processor(fr->pp) != MHD_YES && !req->body_error)
        web_body_fail(req, 400, "malformed or unterminated form body");
    fr->pp = NULL;
    for (size_t i = fr->first; i < req->nfields && !req->body_error; i++) {
        web_field *f = &req->fields[i];
        if (buf_error(&f->value))
            web_body_fail(req, 413, "a form field is too large");
        else if (web_spool_finish(&f->value, &f->spool) < 0)
            web_spool_fail(req);
    }
    if (req->body_error)
        rc = -1;
    web_form_abort(fr);
    return rc;
}
