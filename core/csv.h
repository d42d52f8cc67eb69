/* csv.h: an RFC 4180 reader (comma separated, "" inside quoted cells,
 * quoted cells may span lines, CRLF or LF, a UTF-8 byte order mark
 * skipped, blank lines skipped), shared by the data-dictionary import
 * (registry/catalog_import.c) and the live-schema CSV source
 * (live/live_csv.c). */
#ifndef DOCKET_CSV_H
#define DOCKET_CSV_H

#include "err.h"

#include <stddef.h>

/* One record: its cells (heap strings, never NULL), whether each was
 * quoted, and the line where it starts (1-based). */
typedef struct csv_rec {
    char **cells;
    unsigned char *quoted;
    size_t n, cap, qcap;
    int line;
} csv_rec;

/* Reads the records of d (len bytes) into *out / *nout (free with
 * csv_recs_free). Returns 0, or ERR_INVALID with *out empty, the line of
 * the problem in *err_line (may be NULL) and its words in err ("a quoted
 * cell is not closed"). */
int csv_read(csv_rec **out, size_t *nout, const char *d, size_t len,
             int *err_line, errmsg *err);
void csv_rec_dispose(csv_rec *r);
void csv_recs_free(csv_rec *recs, size_t n);

#endif
