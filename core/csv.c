/* csv.c: the RFC 4180 reader of csv.h. */
#include "csv.h"
#include "buf.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

void csv_rec_dispose(csv_rec *r)
{
    if (!r)
        return;
    xfree_strv(r->cells, r->n);
    free(r->quoted);
    memset(r, 0, sizeof *r);
}

void csv_recs_free(csv_rec *recs, size_t n)
{
    for (size_t k = 0; k < n; k++)
        csv_rec_dispose(&recs[k]);
    free(recs);
}

static void csv_push(csv_rec *r, buf *cell, int quoted)
{
    xgrow(&r->cells, &r->cap, r->n + 1, sizeof *r->cells);
    xgrow(&r->quoted, &r->qcap, r->n + 1, 1);
    r->cells[r->n] = cell->data ? buf_detach(cell) : xstrdup("");
    r->quoted[r->n] = (unsigned char)quoted;
    r->n++;
}

/* Where the reader is: the text, the offset and the line there, and where
 * a problem was found. */
typedef struct csv_pos {
    const char *d;
    size_t len, i;
    int line;
    int err_line;
} csv_pos;

/* A quoted cell, p->i just past its opening quote, into cell: 0, or -1
 * with the problem in err (at line, the line where the record starts). */
static int csv_quoted(buf *cell, csv_pos *p, int line, errmsg *err)
{
    const char *d = p->d;

    for (;;) {
        if (p->i >= p->len) {
            p->err_line = line;
            err_set(err, ERR_INVALID, "a quoted cell is not closed");
            return -1;
        }
        if (d[p->i] == '"' && p->i + 1 < p->len && d[p->i + 1] == '"') {
            buf_putc(cell, '"');
            p->i += 2;
            continue;
        }
        if (d[p->i] == '"')
            break;
        if (d[p->i] == '\n')
            p->line++;
        buf_putc(cell, d[p->i++]);
    }
    p->i++;
    if (p->i < p->len && d[p->i] != ',' && d[p->i] != '\r' && d[p->i] != '\n') {
        p->err_line = p->line;
        err_set(err, ERR_INVALID, "text after the closing quote of a cell");
        return -1;
    }
    return 0;
}

/* One record at p into r: 0, or -1 with the problem in err. */
static int csv_record(csv_rec *r, csv_pos *p, errmsg *err)
{
    const char *d = p->d;

    r->line = p->line;
    for (;;) {
        buf cell = {0};
        int quoted = p->i < p->len && d[p->i] == '"';
        if (quoted) {
            p->i++;
            if (csv_quoted(&cell, p, r->line, err) < 0) {
                buf_dispose(&cell);
                return -1;
            }
        } else {
            while (p->i < p->len && d[p->i] != ',' && d[p->i] != '\r' &&
                   d[p->i] != '\n')
                buf_putc(&cell, d[p->i++]);
        }
        csv_push(r, &cell, quoted);
        if (p->i < p->len && d[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->len && d[p->i] == '\r')
            p->i++;
        if (p->i < p->len && d[p->i] == '\n') {
            p->i++;
            p->line++;
        }
        return 0;
    }
}

int csv_read(csv_rec **out, size_t *nout, const char *d, size_t len,
             int *err_line, errmsg *err)
{
    csv_rec *recs = NULL;
    size_t n = 0, cap = 0;
    csv_pos p = {d, len, 0, 1, 0};

    *out = NULL;
    *nout = 0;
    if (len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3))
        p.i = 3;
    while (p.i < len) {
        csv_rec r = {0};
        if (csv_record(&r, &p, err) < 0) {
            csv_rec_dispose(&r);
            csv_recs_free(recs, n);
            if (err_line)
                *err_line = p.err_line;
            return ERR_INVALID;
        }
        if (r.n == 1 && !r.quoted[0] && !r.cells[0][0]) {
            csv_rec_dispose(&r);
            continue;
        }
        xgrow(&recs, &cap, n + 1, sizeof *recs);
        recs[n++] = r;
    }
    *out = recs;
    *nout = n;
    return 0;
}
