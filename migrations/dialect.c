/* dialect.c: what differs between PostgreSQL, MySQL, Snowflake and SQLite
 * at the token level: format names, identifier and string quoting, comment
 * text, column types, identifier limits. The dialects' names and reserved
 * words are core's (core/dialect.h); the statements built from these pieces
 * are in plan.c. */
#include "migrate.h"
#include "migrate_int.h"
#include "str.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *format_names[MIGRATE_NFORMATS] = {
    "plain", "flyway", "liquibase", "dbmate", "atlas", "goose"};

int migrate_format_parse(migrate_format *out, const char *s)
{
    if (!s)
        return ERR_INVALID;
    for (int i = 0; i < MIGRATE_NFORMATS; i++)
        if (!str_casecmp(s, format_names[i])) {
            *out = (migrate_format)i;
            return 0;
        }
    if (!str_casecmp(s, "golang-migrate")) {
        *out = MIGRATE_PLAIN;
        return 0;
    }
    return ERR_INVALID;
}

const char *migrate_format_name(migrate_format f)
{
    return (unsigned)f < MIGRATE_NFORMATS ? format_names[f] : "unknown";
}

int migrate_quote_ident(buf *b, sql_dialect d, const char *id)
{
    char q = d == SQL_MYSQL ? '`' : '"';
    const char *run;

    if (!id || !*id || !str_utf8_valid(id, strlen(id)))
        return ERR_INVALID;
    for (const char *p = id; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            return ERR_INVALID;
    buf_putc(b, q);
    run = id;
    for (const char *p = id; *p; p++) {
        if (*p != q)
            continue;
        /* Doubling is the only escape inside a quoted identifier. */
        buf_append(b, run, (size_t)(p - run + 1));
        buf_putc(b, q);
        run = p + 1;
    }
    buf_puts(b, run);
    buf_putc(b, q);
    return 0;
}

/* PostgreSQL: a plain literal unless s has a backslash or a control
 * character; then an E'' literal, whose meaning does not depend on
 * standard_conforming_strings. */
static void quote_string_pg(buf *b, const char *s)
{
    int escape = 0;

    for (const char *p = s; *p; p++)
        if (*p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7F)
            escape = 1;
    buf_puts(b, escape ? "E'" : "'");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'')
            buf_puts(b, "''");
        else if (escape && c == '\\')
            buf_puts(b, "\\\\");
        else if (c == '\n')
            buf_puts(b, "\\n");
        else if (c == '\r')
            buf_puts(b, "\\r");
        else if (c == '\t')
            buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7F)
            buf_appendf(b, "\\x%02X", c);
        else
            buf_putc(b, (char)c);
    }
    buf_putc(b, '\'');
}

/* MySQL (default sql_mode) and Snowflake: backslash escapes are always on.
 * A quote is written '' rather than \' so that tools that split scripts
 * without knowing about backslashes still find the same end of string. */
static void quote_string_bs(buf *b, sql_dialect d, const char *s)
{
    buf_putc(b, '\'');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '\'': buf_puts(b, "''"); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case 0x1A:
            if (d == SQL_MYSQL) {
                buf_puts(b, "\\Z");
                break;
            }
            buf_appendf(b, "\\x%02X", c);
            break;
        default:
            if ((c < 0x20 || c == 0x7F) && d == SQL_SNOWFLAKE)
                buf_appendf(b, "\\x%02X", c);
            else
                buf_putc(b, (char)c);
            break;
        }
    }
    buf_putc(b, '\'');
}

void migrate_quote_string(buf *b, sql_dialect d, const char *s)
{
    const char *run;

    if (!s)
        s = "";
    switch (d) {
    case SQL_POSTGRES: quote_string_pg(b, s); return;
    case SQL_MYSQL:
    case SQL_SNOWFLAKE: quote_string_bs(b, d, s); return;
    default: break;
    }
    buf_putc(b, '\'');
    run = s;
    for (const char *p = s; *p; p++) {
        if (*p != '\'')
            continue;
        buf_append(b, run, (size_t)(p - run + 1));
        buf_putc(b, '\'');
        run = p + 1;
    }
    buf_puts(b, run);
    buf_putc(b, '\'');
}

void migrate_quote_comment(buf *b, const char *s)
{
    const char *run;

    if (!s)
        return;
    run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != 0x7F)
            continue;
        buf_append(b, run, (size_t)(p - run));
        /* "\r\n" becomes one space, like "\n". */
        if (!(c == '\n' && p > s && p[-1] == '\r'))
            buf_putc(b, ' ');
        run = p + 1;
    }
    buf_puts(b, run);
}

/* The column type of each plain kind in each dialect (postgres, mysql,
 * snowflake, sqlite); string and decimal, which take sizes, are written
 * by migrate_type_name. MySQL has no zone-aware type (TIMESTAMP converts
 * through the session zone and ends in 2038): DATETIME(6) holding UTC. */
static const char *const type_names[FORM_TYPE_NKINDS][SQL_NDIALECTS] = {
    [FORM_TYPE_TEXT] = {"TEXT", "LONGTEXT", "VARCHAR", "TEXT"},
    [FORM_TYPE_INTEGER] = {"INTEGER", "INT", "INTEGER", "INTEGER"},
    [FORM_TYPE_BIGINT] = {"BIGINT", "BIGINT", "BIGINT", "BIGINT"},
    [FORM_TYPE_BOOLEAN] = {"BOOLEAN", "BOOLEAN", "BOOLEAN", "BOOLEAN"},
    [FORM_TYPE_DATE] = {"DATE", "DATE", "DATE", "DATE"},
    [FORM_TYPE_TIMESTAMP] = {"TIMESTAMP", "DATETIME(6)", "TIMESTAMP_NTZ",
                             "TIMESTAMP"},
    [FORM_TYPE_TIMESTAMPTZ] = {"TIMESTAMPTZ", "DATETIME(6)", "TIMESTAMP_TZ",
                               "TIMESTAMPTZ"},
    [FORM_TYPE_JSON] = {"JSONB", "JSON", "VARIANT", "TEXT"},
};

void migrate_type_name(char *out, size_t size, sql_dialect d,
                       const form_type *t)
{
    const char *name = NULL;

    assert((unsigned)d < SQL_NDIALECTS);
    switch (t->kind) {
    case FORM_TYPE_STRING:
        /* utf8mb4 VARCHAR holds at most 16383 characters (65535 bytes). */
        if (d == SQL_MYSQL && t->length > 16383)
            snprintf(out, size, "MEDIUMTEXT");
        else
            snprintf(out, size, "VARCHAR(%d)", t->length);
        return;
    case FORM_TYPE_DECIMAL:
        snprintf(out, size, "%s(%d,%d)",
                 d == SQL_POSTGRES    ? "NUMERIC"
                 : d == SQL_SNOWFLAKE ? "NUMBER"
                                      : "DECIMAL",
                 t->precision, t->scale);
        return;
    default:
        if ((unsigned)t->kind < FORM_TYPE_NKINDS)
            name = type_names[t->kind][d];
        break;
    }
    snprintf(out, size, "%s", name ? name : "");
}

size_t migrate_name_limit(sql_dialect d)
{
    switch (d) {
    case SQL_POSTGRES: return 63;
    case SQL_MYSQL: return 64;
    case SQL_SNOWFLAKE: return 255;
    default: return 0;
    }
}

/* PostgreSQL counts bytes (NAMEDATALEN - 1), the others characters. */
size_t mig_name_length(sql_dialect d, const char *name)
{
    return d == SQL_POSTGRES ? strlen(name) : str_utf8_len(name);
}

void migrate_version(char *out, size_t size, int64_t created_at)
{
    time_t t = (time_t)created_at;
    struct tm tm;

    if (!gmtime_r(&t, &tm)) {
        snprintf(out, size, "%s", "00000000000000");
        return;
    }
    strftime(out, size, "%Y%m%d%H%M%S", &tm);
}
