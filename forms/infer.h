/* infer.h: proposes the columns of a table from a sample file (CSV, TSV
 * or semicolon-separated), for POST /api/v1/infer-columns and the "fill
 * from sample" button of the form. Pure: the caller hands in the bytes. */
#ifndef DOCKET_FORM_INFER_H
#define DOCKET_FORM_INFER_H

#include "form.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Headroom of the proposed types (the rules are below). */
#define INFER_EMAIL_LENGTH  254 /* longest e-mail address (RFC 5321) */
#define INFER_INT_DIGITS    7   /* integers of more digits: bigint */
#define INFER_DEC_GROWTH    4   /* integer digits added to a decimal */
#define INFER_MONEY_DIGITS  10  /* integer digits of money, at least */
#define INFER_EXAMPLE_ROWS  5   /* data rows in example_rows */
#define INFER_EXAMPLE_BYTES 2000

/* One proposed column. */
typedef struct form_inferred_column {
    char name[FORM_MAX_IDENT + 1]; /* a valid identifier */
    char *original; /* the header cell as written (heap, never NULL) */
    form_type type;
    int nullable;      /* 1: some row has it empty (or missing) */
    char *example;     /* first non-empty value, at most FORM_MAX_SHORT
                          bytes (heap, "" when every cell is empty) */
    size_t max_length; /* longest value, in characters */
    /* What the sample showed, for the proposal: "longest in sample: 18",
       "max in sample: 412.50", "in sample: -3.125 to 10.5", "no values
       in sample" or "" (booleans, dates, times). */
    char sample_note[128];
} form_inferred_column;

/* The result of form_infer_columns(); all-zero is empty. */
typedef struct form_inferred {
    form_inferred_column *columns;
    size_t ncolumns;
    size_t rows_read; /* data rows, header and blank lines excluded */
    char delimiter;   /* ',', '\t' or ';' */
    /* The header and the first INFER_EXAMPLE_ROWS rows as text, for the
       item's "Example rows": LF line ends, at most INFER_EXAMPLE_BYTES
       bytes cut at a line end (heap). */
    char *example_rows;
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
 *   digit gets "c_", an empty header "column_N" (N from 1), a name some
 *   dialect refuses for a column even quoted (PostgreSQL's xmin, ctid,
 *   ...) the suffix "_col", a repeated name "_2", "_3", ...; at most
 *   FORM_MAX_IDENT bytes. Reserved words such as "order" are kept:
 *   docket quotes every identifier. The header cell is kept in original.
 * - Types, from every non-empty cell (surrounding spaces ignored):
 *   integer (fits 32 bits), bigint (64 bits), decimal (numbers with a
 *   fraction, or integers too wide for 64 bits), boolean
 *   (true/false/yes/no in any case: 0/1 alone give integer, since such
 *   columns are as often counts or codes), date (YYYY-MM-DD), timestamp
 *   (date, "T" or space, HH:MM[:SS[.fraction]]; dates mixed in promote to
 *   timestamp), timestamp with time zone (the same ending in Z or
 *   +HH:MM/-HH:MM/+HHMM; every value must have one). Numbers with leading
 *   zeros (zip codes, "007") are strings.
 * - Sizes, with headroom: a sample is a few rows, the table will hold
 *   years of them, so a size is never the sample's own maximum.
 *   - string(n): n is the first of 20, 50, 100, 255, 500, 1000 and 4000
 *     that is at least twice the longest value (in characters); beyond
 *     4000, text. A column whose values all look like e-mail addresses,
 *     or whose name has the word "email" or "mail", gets at least 254
 *     (the longest address there can be), so string(255). A column with
 *     no values at all is string(255).
 *   - decimal(p,s): s is the widest fraction of the sample, and the
 *     integer part gets INFER_DEC_GROWTH more digits than the widest one
 *     (room to grow ten thousand times). Money (a name with a word such
 *     as amount, price, value, total, cost, balance, revenue, basket,
 *     fee, tax, discount, paid) gets s >= 2 and at least
 *     INFER_MONEY_DIGITS integer digits: at least decimal(12,2). p <= 38.
 *   - integer becomes bigint when the name ends in the word id, key,
 *     number, no, nr or ref (identifiers outgrow 32 bits), or when a
 *     value has more than INFER_INT_DIGITS digits (less than 200 times
 *     room below 2,147,483,647).
 *   sample_note says what the sample showed, to be shown beside the
 *   proposal.
 * - example_rows: the header and the first rows, as text.
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

/* {"delimiter": ",", "rows_read": 3, "example_rows": "...", "columns":
 * [{"name", "original", "type", "nullable", "example", "max_length",
 * "sample_note"}]}. Caller owns it. */
cJSON *form_inferred_to_json(const form_inferred *inf);

#endif
