/* live.h: the schema of a live database, read read-only, as plain structs
 * (no registry, no domain): domain/ compares it with the registry (drift)
 * and writes it into the registry (adopt). Sources, by URL:
 *   postgres://... postgresql://...  libpq (unix sockets through ?host=/dir)
 *   mysql://...    mariadb://...     libmariadb
 *   sqlite:PATH                      the file, opened read-only
 *   csv:FILE                         an export of information_schema.columns
 * Connections are read-only at the session level, with connect and
 * statement timeouts. Only live/ talks to databases other than docket's
 * own. Credentials never leave this module unredacted (live_source_redact). */
#ifndef DOCKET_LIVE_H
#define DOCKET_LIVE_H

#include "dialect.h"
#include "err.h"

#include <stddef.h>
#include <stdint.h>

/* The code of a source that cannot be reached or read (core/err.h has no
 * ERR_IO of its own: it is ERR_NET, "only logged" there, but live_read's
 * messages are for people). */
#ifndef ERR_IO
#define ERR_IO ERR_NET
#endif

/* One column as the database describes it. Strings are heap copies, never
 * NULL ("" when absent). */
typedef struct live_column {
    char *name;
    int ordinal;       /* 1-based position in the table */
    char *data_type;   /* the database's type name, lower case, without
                          length or precision: "character varying",
                          "varchar", "numeric", "integer", "text" ... */
    int64_t char_max;  /* CHARACTER_MAXIMUM_LENGTH, -1 when none */
    int num_precision; /* NUMERIC_PRECISION of exact numerics, -1 when none */
    int num_scale;     /* NUMERIC_SCALE, -1 when none */
    int nullable;      /* 1 when IS_NULLABLE */
    int pk_position;   /* 1.. its position in the primary key, 0 not in it */
    char *comment;     /* the column comment, "" when none */
    int datetime_precision; /* DATETIME_PRECISION: digits of fractional
                               seconds of a time type (6 for MySQL's
                               datetime(6)), -1 when none */
} live_column;

typedef struct live_table {
    char *name;
    char *comment;     /* "" when none */
    live_column *cols; /* by ordinal */
    size_t ncols;
} live_table;

typedef struct live_schema {
    sql_dialect dialect; /* of the source (csv: live_options.dialect) */
    char *source;        /* redacted, for reports */
    char *schema;        /* the schema (PostgreSQL, CSV) or database
                            (MySQL) read; "main" for SQLite */
    live_table *tables;  /* by name (byte order) */
    size_t ntables;
    int no_table_comments; /* 1 when the source cannot say a table's
                              comment (a CSV export without a
                              TABLE_COMMENT column): table comments are
                              then not compared; 0 for every reader that
                              reads them */
} live_schema;

typedef struct live_options {
    const char *schema;      /* NULL: from the URL, else "public" (PostgreSQL)
                                or the URL's database (MySQL); CSV: only
                                rows of this TABLE_SCHEMA when set */
    int connect_timeout_s;   /* 0: 10 */
    int statement_timeout_s; /* 0: 30 */
    sql_dialect dialect;     /* csv: which dialect the types are in */
    const char *keys_file;   /* csv: NULL or a second CSV of key columns
                                (TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME,
                                ORDINAL_POSITION) */
} live_options;

/* Reads the tables and columns of source into *out (dispose with
 * live_schema_dispose). On failure a negative ERR_* code with a message
 * for people in err ("cannot connect to postgres://app:***@db/x: password
 * authentication failed"), never the password, never a page of library
 * text; *out is then empty. ERR_INVALID for a source it cannot parse,
 * ERR_IO when the database cannot be reached or read. */
int live_read(live_schema *out, const char *source, const live_options *opt,
              errmsg *err);
void live_schema_dispose(live_schema *s);

/* source with any password (and a token-like query parameter: password=,
 * sslpassword=) replaced by "***", into out (always terminated). */
void live_source_redact(char *out, size_t size, const char *source);

/* The table named name (exact, then any case), NULL when none. */
const live_table *live_table_find(const live_schema *s, const char *name);

#endif
