/* live_int.h: what the readers of live/ share: building a live_schema,
 * parsing a declared type, a source URL and its redaction. */
#ifndef DOCKET_LIVE_INT_H
#define DOCKET_LIVE_INT_H

#include "live.h"

/* The table named name in s (exact), added (with comment, "" for NULL)
 * when absent. */
live_table *live_add_table(live_schema *s, const char *name,
                           const char *comment);
/* A new column at the end of t, its strings "" and numbers -1 (pk 0,
 * nullable 1), ordinal ncols. */
live_column *live_add_column(live_table *t, const char *name);
/* Tables by name (byte order), columns by ordinal. */
void live_schema_sort(live_schema *s);
/* A declared type ("VARCHAR(255)", "numeric(10, 2)", "INTEGER",
 * "datetime(6)") into its lower-case name without parentheses (heap) and,
 * for character types, its length, for exact numerics precision and
 * scale, for time types the digits of fractional seconds (left as they
 * are when the type has no such numbers). */
char *live_parse_type(const char *decl, int64_t *char_max, int *precision,
                      int *scale, int *time_precision);

/* A source URL scheme://user:password@host:port/path?k=v&k=v, decoded. */
typedef struct live_url {
    char *scheme, *user, *password, *host, *path; /* heap, "" when absent */
    int port;                                     /* 0 when absent */
    int has_password;
    char **keys, **values; /* the query, decoded */
    size_t nparams;
} live_url;

/* 0, or ERR_INVALID with err. */
int live_url_parse(live_url *u, const char *source, errmsg *err);
void live_url_dispose(live_url *u);
/* The value of query parameter key (exact), NULL when absent. */
const char *live_url_param(const live_url *u, const char *key);

/* The error text of a library, shortened for people: its first line, with
 * any occurrence of secret (when at least 4 bytes) replaced by "***", into
 * out. */
void live_short_error(char *out, size_t size, const char *text,
                      const char *secret);

int live_read_sqlite(live_schema *out, const char *path, const char *redacted,
                     const live_options *opt, errmsg *err);
int live_read_csv(live_schema *out, const char *path, const char *redacted,
                  const live_options *opt, errmsg *err);
int live_read_pg(live_schema *out, const char *source, const char *redacted,
                 const live_options *opt, errmsg *err);
int live_read_my(live_schema *out, const char *source, const char *redacted,
                 const live_options *opt, errmsg *err);

/* For the tests of read-only sessions: opens a session of a postgres:// or
 * mysql:// source exactly as live_read does and runs sql in it. 0 when the
 * server ran it, else a negative ERR_* with the server's words in err. */
int live_try_sql(const char *source, const live_options *opt, const char *sql,
                 errmsg *err);
int live_try_pg(const char *source, const char *red, const live_options *opt,
                const char *sql, errmsg *err);
int live_try_my(const char *source, const char *red, const live_options *opt,
                const char *sql, errmsg *err);

#endif
