/* dialect.h: the SQL dialects docket writes DDL for, with the one name
 * table (config values, form values, CLI flags, JSON), the one
 * reserved-word table per dialect and the few names a dialect refuses even
 * quoted. docket quotes every name, so forms/ refuses only the latter
 * (for the dialects of the request's instances) and migrations/ lints
 * both, from the same tables. Names and titles are in dialect.c, the
 * word lists (with the sources each entry was checked against) in
 * reserved.c. */
#ifndef DOCKET_DIALECT_H
#define DOCKET_DIALECT_H

#include <stddef.h>

typedef enum sql_dialect {
    SQL_POSTGRES = 0,
    SQL_MYSQL, /* MySQL 8 and MariaDB 10.5+, default sql_mode */
    SQL_SNOWFLAKE,
    SQL_SQLITE, /* 3.35+ (ALTER TABLE ... DROP COLUMN) */
    SQL_NDIALECTS
} sql_dialect;

/* "postgres" (also "postgresql", "pg"), "mysql" (also "mariadb"),
 * "snowflake", "sqlite"; case-insensitive, no surrounding blanks. 0, or
 * ERR_INVALID with *out untouched (also for NULL). */
int sql_dialect_parse(sql_dialect *out, const char *s);
/* The canonical short name ("postgres", "mysql", "snowflake", "sqlite"),
 * the spelling stored in the database and shown in URLs and JSON;
 * "unknown" when d is out of range. */
const char *sql_dialect_name(sql_dialect d);
/* The product name for people ("PostgreSQL", "MySQL/MariaDB", "Snowflake",
 * "SQLite"); "unknown" when d is out of range. */
const char *sql_dialect_title(sql_dialect d);

/* The reserved-word table of dialect d: the listed spelling (lower case)
 * when word, in any case, is reserved there, else NULL (also for NULL, "",
 * anything that is not plain ASCII letters, digits and _, and d out of
 * range). */
const char *sql_reserved(sql_dialect d, const char *word);
/* Every dialect in which word is reserved, as a bit mask (bit d set for
 * dialect d); 0 when none. */
unsigned sql_reserved_mask(const char *word);
/* Why dialect d refuses name for a column (is_column 1) or a table (0)
 * even when it is quoted, as words that follow the name ("is the name of
 * a PostgreSQL system column"), or NULL when d takes it. The cases:
 * PostgreSQL's system column names tableoid, xmin, cmin, xmax, cmax and
 * ctid for a column (exactly so: a quoted "Xmin" is another name), and
 * any table name starting with "sqlite_" (any case) in SQLite. Every
 * reserved word can be used quoted and is not among them. */
const char *sql_unusable(sql_dialect d, const char *name, int is_column);

/* The table of dialect d, sorted by strcmp() and free of duplicates;
 * *n gets its length. NULL and *n = 0 when d is out of range. */
const char *const *sql_reserved_list(sql_dialect d, size_t *n);

#endif
