/* migrate.h: migration stubs generated from a change request, for four SQL
 * dialects and six migration-tool file formats, with lint warnings.
 * Pure: a form_request (forms/form.h) goes in, file names and text come out;
 * no database, no files, no clock. Quoting and type mapping are in
 * dialect.c, the statements in plan.c, the lint rules in lint.c and the
 * file formats in format.c. */
#ifndef DOCKET_MIGRATE_H
#define DOCKET_MIGRATE_H

#include "buf.h"
#include "dialect.h"
#include "err.h"
#include "form.h"

#include <stddef.h>
#include <stdint.h>

/* The dialects are core's one enum, sql_dialect (SQL_POSTGRES, SQL_MYSQL,
 * SQL_SNOWFLAKE, SQL_SQLITE), named and parsed by sql_dialect_name() and
 * sql_dialect_parse(), reserved words by sql_reserved() (core/dialect.h). */

typedef enum migrate_format {
    MIGRATE_PLAIN = 0, /* golang-migrate: V_slug.up.sql + V_slug.down.sql */
    MIGRATE_FLYWAY,    /* VV__slug.sql + UV__slug.sql (undo) */
    MIGRATE_LIQUIBASE, /* V_slug.sql, formatted SQL, changesets+rollback */
    MIGRATE_DBMATE,    /* V_slug.sql with -- migrate:up / -- migrate:down */
    MIGRATE_ATLAS,     /* V_slug.sql, up only (down as reference text) */
    MIGRATE_GOOSE,     /* V_slug.sql with -- +goose Up / -- +goose Down */
    MIGRATE_NFORMATS
} migrate_format;

/* "plain" (also "golang-migrate"), "flyway", "liquibase", "dbmate",
 * "atlas", "goose"; case-insensitive. 0 or ERR_INVALID. */
int migrate_format_parse(migrate_format *out, const char *s);
const char *migrate_format_name(migrate_format f);

/* What generation needs besides the request. */
typedef struct migrate_options {
    const char *base_url; /* docket's address; NULL or "": no link line */
    int64_t generated_at; /* Unix seconds shown in the header; 0: no line */
    const char *instance; /* instance the files are for; NULL: the
                             request's main instance. Must be one of the
                             request's instances when it has any. */
} migrate_options;

/* One generated file; both strings are owned by the migrate_result. */
typedef struct migrate_file {
    char *name;    /* file name only, no directory */
    char *content; /* the SQL text, ends with a newline */
} migrate_file;

/* The lint rules; migrate_lint_name() gives their stable names. */
typedef enum migrate_lint {
    MIGRATE_LINT_NOT_NULL_NO_DEFAULT = 0, /* NOT NULL added to a table that
                                             exists: added as nullable */
    MIGRATE_LINT_LOSSY_CHANGE,            /* type change that may lose data */
    MIGRATE_LINT_OLD_TYPE_UNKNOWN, /* change without form_column.old_type */
    MIGRATE_LINT_NAME_TOO_LONG,    /* over the dialect's identifier limit */
    MIGRATE_LINT_RESERVED_WORD,    /* reserved in the dialect (quoted) */
    MIGRATE_LINT_PII_NO_DESCRIPTION,
    MIGRATE_LINT_CONSENT_NOT_FLAGGED, /* consent column, request not marked
                                         consent_related */
    MIGRATE_LINT_CAMPAIGN_NO_ARRIVAL, /* campaign-required table without an
                                         expected arrival time */
    MIGRATE_LINT_COMMENT_TRUNCATED,   /* MySQL comment limits */
    MIGRATE_LINT_MANUAL_CHANGE,       /* type change the dialect cannot do in
                                         place (SQLite, some Snowflake) */
    MIGRATE_LINT_MODIFY_RESTATES,     /* MySQL MODIFY COLUMN restates NULL,
                                         DEFAULT and COMMENT */
    MIGRATE_LINT_PLACEHOLDER,         /* "${" in text (Flyway, Liquibase) */
    MIGRATE_LINT_PRIMARY_KEY,         /* primary key that cannot be applied */
    MIGRATE_LINT_NO_TYPE,             /* attribute added without a type */
    MIGRATE_LINT_UNUSABLE_NAME,       /* a name the dialect refuses even
                                         quoted (sql_unusable) */
    MIGRATE_NLINTS
} migrate_lint;

/* "not-null-without-default", "lossy-type-change", ...; "unknown" when out
 * of range. */
const char *migrate_lint_name(migrate_lint rule);

/* One lint warning. item and column are 0-based indexes into the request
 * (r->items[item].columns[column]); -1 when the warning is not about one. */
typedef struct migrate_warning {
    migrate_lint rule;
    int item;
    int column;
    char message[256]; /* one English sentence for the PM's page */
} migrate_warning;

typedef struct migrate_result {
    migrate_file *files; /* in the order a tool would list them */
    size_t nfiles;
    migrate_warning *warnings; /* the same warnings are written, as SQL
                                  comments, at the top of every file */
    size_t nwarnings;
} migrate_result;

/* Generates the migration of request r for dialect d in format f.
 * Statements that the request states precisely (new tables, new columns,
 * type changes, descriptions) are written to run as they are; what needs a
 * human (calculation rules, backfills, retiring a column, type changes the
 * dialect cannot do in place) is written as a clearly marked, commented
 * stub starting with "-- TODO(". Down migrations undo what can be undone and
 * say why where they cannot; they are never empty.
 *
 * Descriptions may span lines (CR LF and a lone CR count as line ends).
 * PostgreSQL and Snowflake get COMMENT ON ... IS '...', MySQL an inline
 * COMMENT '...', all with the escapes of migrate_quote_string (a literal
 * never spans lines). SQLite has no comments on objects, but keeps the
 * text of CREATE TABLE, comments included, in sqlite_schema.sql; a new
 * table's descriptions are written there, one "--" comment line per line
 * of text, so that a line break can never end the comment:
 *     CREATE TABLE "t" (
 *         -- | first line of the table's description
 *         -- | second line ("-- |" alone for an empty line)
 *         "a" BIGINT NOT NULL, -- first line of a's description
 *             -- | its second line
 *         "b" TEXT
 *     );
 * The "| " keeps a line of text from reading as a migration tool's
 * directive (Liquibase takes "--rollback" even after leading blanks).
 * Columns added to an existing table keep their description only as a
 * comment in the file (SQLite's ALTER TABLE keeps no comment).
 *
 * File names carry a version: r->created_at (the request's submission
 * time, which never changes) as UTC YYYYMMDDHHMMSS, the same for every
 * instance and every time the files are generated, so the QA and the
 * production files of one request are one migration; then
 * "cr_<id>_<slug of the title>". Only the header's "Instance:" and
 * "Generated:" lines differ between instances and generations.
 *
 * On success *out is filled (release it with migrate_result_dispose()).
 * Fails with ERR_INVALID (err names the field, e.g. "items[1].table") when
 * the request lacks what a statement needs: a table or column name that is
 * empty or not quotable, a new table without columns, a column of a new
 * table or added columns without a type, or an options.instance that is not
 * one of the request's instances; ERR_TOOBIG when the text passes the
 * buffer limit. *out is untouched on failure. */
int migrate_generate(migrate_result *out, const form_request *r, sql_dialect d,
                     migrate_format f, const migrate_options *opt, errmsg *err);

/* Frees everything res owns; res is left zeroed. NULL-safe. */
void migrate_result_dispose(migrate_result *res);

/* Appends id as a quoted identifier of dialect d: "x" with "" doubled for
 * PostgreSQL, Snowflake and SQLite, `x` with `` doubled for MySQL. Returns
 * 0, or ERR_INVALID (appending nothing) when id is NULL, empty, not valid
 * UTF-8 or has a control character; length limits are lint's business. */
int migrate_quote_ident(buf *b, sql_dialect d, const char *id);

/* Appends s as one string literal of dialect d. Except in SQLite, the
 * literal never spans lines (so line-based tools such as goose, Liquibase
 * and dbmate cannot misread it), and a quote is always written '' (never
 * \'), so splitters that ignore backslashes find the same end:
 *  - PostgreSQL: 'x' with '' doubled; E'...' (with \\ \n \r \t \xHH) when
 *    s has a backslash or a control character, so the meaning does not
 *    depend on standard_conforming_strings;
 *  - MySQL: 'x' with '' doubled and \\ \n \r \t \Z escapes (default
 *    sql_mode, that is without NO_BACKSLASH_ESCAPES); other control bytes
 *    stay as they are;
 *  - Snowflake: 'x' with '' doubled and \\ \n \r \t \xHH escapes;
 *  - SQLite: 'x' with '' doubled (SQLite has no escapes; a newline stays a
 *    newline; docket writes no SQLite literals into files, descriptions go
 *    to comments there).
 * s NULL is treated as "". */
void migrate_quote_string(buf *b, sql_dialect d, const char *s);

/* Appends s so that it stays inside one "-- " SQL comment line: CR, LF and
 * other control characters become spaces. s NULL is treated as "". */
void migrate_quote_comment(buf *b, const char *s);

/* The dialect's column type for t ("VARCHAR(20)", "NUMERIC(12,2)", ...),
 * written into out (64 bytes are always enough). "" for FORM_TYPE_NONE. */
void migrate_type_name(char *out, size_t size, sql_dialect d,
                       const form_type *t);

/* The dialect's identifier length limit (PostgreSQL 63 bytes, MySQL 64
 * characters, Snowflake 255 characters), 0 when it has none (SQLite). */
size_t migrate_name_limit(sql_dialect d);

/* The version used in file names: created_at as UTC YYYYMMDDHHMMSS, into
 * out (15+ bytes). One per request: it depends on nothing else. */
void migrate_version(char *out, size_t size, int64_t created_at);

/* ---- types as a live database reports them (types_live.c) ----
 * data_type is the database's type name (information_schema DATA_TYPE,
 * or SQLite's declared type), any case, with or without its sizes
 * ("varchar" with char_max 255, or "VARCHAR(255)"); char_max, precision
 * and scale are CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION and
 * NUMERIC_SCALE, -1 when none. The tables are those of
 * migrate_type_name, read backwards: the column the generator writes for
 * a type is equal to it in every dialect. */

/* 1 when a column created as t in dialect d reads back as data_type with
 * these sizes, 0 otherwise. Aliases a database reports for the one type
 * docket writes count as equal: MySQL's tinyint for BOOLEAN, DATETIME for
 * both timestamps, LONGTEXT for JSON (MariaDB); Snowflake's NUMBER(38,0)
 * for INTEGER and BIGINT; SQLite's TEXT for JSON. */
int migrate_type_equal(sql_dialect d, const form_type *t, const char *data_type,
                       int64_t char_max, int precision, int scale);
/* The form's type of a live column into *out: the first kind whose
 * generated type reads as data_type (MySQL datetime: timestamp; tinyint:
 * boolean; Snowflake NUMBER(38,0): bigint). 0, or ERR_INVALID with *out
 * untouched for a type docket has no kind for (uuid, geometry, ...). */
int migrate_type_from_live(form_type *out, sql_dialect d, const char *data_type,
                           int64_t char_max, int precision, int scale);
/* A live type for people, lower case: "character varying(255)",
 * "numeric(12,2)", "longtext" (sizes only where they are part of the
 * type's name in DDL). */
void migrate_live_type_format(char *out, size_t size, const char *data_type,
                              int64_t char_max, int precision, int scale);

#endif
