/* infer.h: proposes the columns of a table from a sample file (CSV, TSV
 * or semicolon-separated), for POST /api/v1/infer-columns and the "fill
 * from sample" button of the form. Pure: the caller hands in the bytes. */
#ifndef DOCKET_FORM_INFER_H
#define DOCKET_FORM_INFER_H

#include "form.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* One proposed column. */
typedef struct form_inferred_column {
    char name[FORM_MAX_IDENT + 1]; /* a valid, unreserved identifier */
    char *original; /* the header cell as written (heap, never NULL) */
    form_type type;
    int nullable;      /* 1: some row has it empty (or missing) */
    char *example;     /* first non-empty value, at most FORM_MAX_SHORT
                          bytes (heap, "" when every cell is empty) */
    size_t max_length; /* longest value, in characters */
} form_inferred_column;

/* The result of form_infer_columns(); all-zero is empty. */
typedef struct form_inferred {
    form_inferred_column *columns;
    size_t ncolumns;
    size_t rows_read; /* data rows, header and blank lines excluded */
    char delimiter;   /* ',', '\t' or ';' */
} form_inferred;

/* Reads data[0..len): the first record is the header, the rest are rows.
 *
 * - Delimiter: whichever of comma, tab and semicolon occurs most in the
 *   header line outside quotes (comma on a tie).
 * - A UTF-8 byte order mark is skipped; lines end in LF or CRLF; RFC 4180
 *   quoting ("a, b", "say ""hi""", line breaks inside quotes). Blank lines
 *   are skipped. A row with more fields than the header is an error; a
 *   shorter row leaves the missing cells empty.
 * - Names: lower case, every run of other characters one "_", a leading
 *   digit gets "c_", an empty header "column_N" (N from 1), a reserved
 *   word the suffix "_col", a repeated name "_2", "_3", ...; at most
 *   FORM_MAX_IDENT bytes. The header cell is kept in original.
 * - Types, from every non-empty cell (surrounding spaces ignored):
 *   integer (fits 32 bits), bigint (64 bits), decimal(p,s) with p and s
 *   from the widest integer and fraction parts (p <= 38), boolean
 *   (true/false/yes/no in any case: 0/1 alone give integer, since such
 *   columns are as often counts or codes), date (YYYY-MM-DD), timestamp
 *   (date, "T" or space, HH:MM[:SS[.fraction]]; dates mixed in promote to
 *   timestamp), timestamp with time zone (the same ending in Z or
 *   +HH:MM/-HH:MM/+HHMM; every value must have one). Numbers with leading
 *   zeros (zip codes, "007") are strings. Anything else gives string(n),
 *   n the longest value rounded up to 10, 20, 50, 100, 255, 500, 1000,
 *   2000, 4000, 8000, 16000, 32000 or 65535, and text beyond 65535. A
 *   column with no values at all is string(255).
 * - Cells are never copied one by one: one pass over the data, memory in
 *   proportion to the number of columns.
 *
 * Returns 0 and fills *out (free with form_inferred_dispose), or
 * ERR_INVALID (empty sample, invalid UTF-8, an unclosed quote, a row
 * longer than the header, text after a closing quote; the line is named)
 * or ERR_TOOBIG (more than FORM_MAX_COLUMNS columns), with a message in
 * err. *out is untouched on error. */
int form_infer_columns(form_inferred *out, const char *data, size_t len,
                       errmsg *err);

void form_inferred_dispose(form_inferred *inf);

/* {"delimiter": ",", "rows_read": 3, "columns": [{"name", "original",
 * "type", "nullable", "example", "max_length"}]}. Caller owns it. */
cJSON *form_inferred_to_json(const form_inferred *inf);

#endif
