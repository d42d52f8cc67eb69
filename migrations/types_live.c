/* types_live.c: the column types a live database reports, read back into
 * the form's types with the names migrate_type_name writes (dialect.c),
 * so that what docket's own migrations create compares equal. */
#include "migrate.h"
#include "str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a name's sizes must be for a kind. */
enum size_rule {
    SZ_NONE = 0, /* sizes are not part of the type */
    SZ_LENGTH,   /* char_max is the string's length */
    SZ_PS,       /* precision and scale are the decimal's */
    SZ_N38,      /* Snowflake's integers: NUMBER(38,0) */
    SZ_LONG,     /* MySQL MEDIUMTEXT: a string longer than 16383 */
    SZ_ANY       /* any length (Snowflake's TEXT is VARCHAR(16777216)) */
};

#define PG (1u << SQL_POSTGRES)
#define MY (1u << SQL_MYSQL)
#define SF (1u << SQL_SNOWFLAKE)
#define SL (1u << SQL_SQLITE)

/* One name a database reports for a kind written by the generator. In
 * the order migrate_type_from_live tries them; back = 0 marks an alias
 * that is only accepted as equal (the name means another kind first). */
static const struct live_name {
    unsigned dialects;
    const char *name;
    form_type_kind kind;
    enum size_rule size;
    int back;
} names[] = {
    {PG, "character varying", FORM_TYPE_STRING, SZ_LENGTH, 1},
    {PG | MY | SL, "varchar", FORM_TYPE_STRING, SZ_LENGTH, 1},
    {SF, "text", FORM_TYPE_STRING, SZ_LENGTH, 1},
    {SF, "varchar", FORM_TYPE_STRING, SZ_LENGTH, 1},
    {MY, "mediumtext", FORM_TYPE_STRING, SZ_LONG, 0},
    {PG | SL, "text", FORM_TYPE_TEXT, SZ_NONE, 1},
    {MY, "longtext", FORM_TYPE_TEXT, SZ_NONE, 1},
    {SF, "text", FORM_TYPE_TEXT, SZ_ANY, 1},
    {SF, "varchar", FORM_TYPE_TEXT, SZ_ANY, 1},
    {PG | SL, "integer", FORM_TYPE_INTEGER, SZ_NONE, 1},
    {PG, "int4", FORM_TYPE_INTEGER, SZ_NONE, 1},
    {MY | SL, "int", FORM_TYPE_INTEGER, SZ_NONE, 1},
    {MY, "integer", FORM_TYPE_INTEGER, SZ_NONE, 1},
    {SF, "number", FORM_TYPE_BIGINT, SZ_N38, 1},
    {SF, "number", FORM_TYPE_INTEGER, SZ_N38, 0},
    {SF, "integer", FORM_TYPE_INTEGER, SZ_NONE, 1},
    {PG | MY | SF | SL, "bigint", FORM_TYPE_BIGINT, SZ_NONE, 1},
    {PG, "int8", FORM_TYPE_BIGINT, SZ_NONE, 1},
    {PG, "numeric", FORM_TYPE_DECIMAL, SZ_PS, 1},
    {PG | MY | SL, "decimal", FORM_TYPE_DECIMAL, SZ_PS, 1},
    {MY | SL, "numeric", FORM_TYPE_DECIMAL, SZ_PS, 1},
    {SF, "number", FORM_TYPE_DECIMAL, SZ_PS, 1},
    {PG | MY | SF | SL, "boolean", FORM_TYPE_BOOLEAN, SZ_NONE, 1},
    {PG | MY, "bool", FORM_TYPE_BOOLEAN, SZ_NONE, 1},
    {MY, "tinyint", FORM_TYPE_BOOLEAN, SZ_NONE, 1},
    {PG | MY | SF | SL, "date", FORM_TYPE_DATE, SZ_NONE, 1},
    {PG, "timestamp without time zone", FORM_TYPE_TIMESTAMP, SZ_NONE, 1},
    {PG | SL, "timestamp", FORM_TYPE_TIMESTAMP, SZ_NONE, 1},
    {MY | SL, "datetime", FORM_TYPE_TIMESTAMP, SZ_NONE, 1},
    {SF, "timestamp_ntz", FORM_TYPE_TIMESTAMP, SZ_NONE, 1},
    {PG, "timestamp with time zone", FORM_TYPE_TIMESTAMPTZ, SZ_NONE, 1},
    {PG | SL, "timestamptz", FORM_TYPE_TIMESTAMPTZ, SZ_NONE, 1},
    {MY, "datetime", FORM_TYPE_TIMESTAMPTZ, SZ_NONE, 0},
    {SF, "timestamp_tz", FORM_TYPE_TIMESTAMPTZ, SZ_NONE, 1},
    {PG, "jsonb", FORM_TYPE_JSON, SZ_NONE, 1},
    {MY, "json", FORM_TYPE_JSON, SZ_NONE, 1},
    {MY, "longtext", FORM_TYPE_JSON, SZ_NONE, 0},
    {SF, "variant", FORM_TYPE_JSON, SZ_NONE, 1},
    {SL, "text", FORM_TYPE_JSON, SZ_NONE, 0},
};

/* A type as reported, normalised: lower case, blanks trimmed, sizes
 * written inside the name ("VARCHAR(255)", "DECIMAL(12,2)") moved to
 * the numbers where the database gave none. */
typedef struct live_type {
    char name[64];
    int64_t len;
    int prec, scale;
} live_type;

static int normalise(live_type *t, const char *data_type, int64_t char_max,
                     int precision, int scale)
{
    const char *s = data_type, *paren;
    size_t n;

    if (!s)
        return ERR_INVALID;
    while (isspace((unsigned char)*s))
        s++;
    paren = strchr(s, '(');
    n = paren ? (size_t)(paren - s) : strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n >= sizeof t->name)
        return ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        t->name[i] = (char)tolower((unsigned char)s[i]);
    t->name[n] = '\0';
    t->len = char_max;
    t->prec = precision;
    t->scale = scale;
    if (paren) {
        char *end;
        long a = strtol(paren + 1, &end, 10), b = -1;
        if (end == paren + 1)
            return 0;
        while (isspace((unsigned char)*end))
            end++;
        if (*end == ',')
            b = strtol(end + 1, &end, 10);
        if (b >= 0 || !strcmp(t->name, "decimal") ||
            !strcmp(t->name, "numeric") || !strcmp(t->name, "number")) {
            if (t->prec < 0) {
                t->prec = (int)a;
                t->scale = b >= 0 ? (int)b : 0;
            }
        } else if (t->len < 0) {
            t->len = a;
        }
    }
    return 0;
}

static int sizes_fit(const struct live_name *e, const form_type *t,
                     const live_type *l)
{
    switch (e->size) {
    case SZ_LENGTH: return l->len == t->length;
    case SZ_PS:
        return l->prec == t->precision &&
               (l->scale < 0 ? 0 : l->scale) == t->scale;
    case SZ_N38: return (l->prec == 38 || l->prec < 0) && l->scale <= 0;
    case SZ_LONG: return t->length > 16383;
    default: return 1;
    }
}

int migrate_type_equal(sql_dialect d, const form_type *t, const char *data_type,
                       int64_t char_max, int precision, int scale)
{
    live_type l;

    if (!t || (unsigned)d >= SQL_NDIALECTS ||
        normalise(&l, data_type, char_max, precision, scale) < 0)
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const struct live_name *e = &names[i];
        if ((e->dialects & (1u << d)) && e->kind == t->kind &&
            !strcmp(e->name, l.name) && sizes_fit(e, t, &l))
            return 1;
    }
    return 0;
}

int migrate_type_from_live(form_type *out, sql_dialect d, const char *data_type,
                           int64_t char_max, int precision, int scale)
{
    live_type l;

    if ((unsigned)d >= SQL_NDIALECTS ||
        normalise(&l, data_type, char_max, precision, scale) < 0)
        return ERR_INVALID;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const struct live_name *e = &names[i];
        form_type t = {e->kind, 0, 0, 0};
        if (!e->back || !(e->dialects & (1u << d)) || strcmp(e->name, l.name))
            continue;
        switch (e->size) {
        case SZ_LENGTH:
            /* Snowflake's VARCHAR without a length is its TEXT */
            if (l.len < 1 || l.len > 65535)
                continue;
            t.length = (int)l.len;
            break;
        case SZ_PS:
            if (l.prec < 1 || l.prec > 38)
                continue;
            t.precision = l.prec;
            t.scale = l.scale < 0 ? 0 : l.scale;
            if (t.scale > t.precision)
                continue;
            break;
        case SZ_N38:
            if (!sizes_fit(e, &t, &l))
                continue;
            break;
        default: break;
        }
        *out = t;
        return 0;
    }
    return ERR_INVALID;
}

void migrate_live_type_format(char *out, size_t size, const char *data_type,
                              int64_t char_max, int precision, int scale)
{
    live_type l;
    size_t n;

    if (!size)
        return;
    if (normalise(&l, data_type, char_max, precision, scale) < 0) {
        snprintf(out, size, "%s", data_type ? data_type : "");
        return;
    }
    n = strlen(l.name);
    if (!strcmp(l.name, "numeric") || !strcmp(l.name, "decimal") ||
        !strcmp(l.name, "number")) {
        if (l.prec > 0) {
            snprintf(out, size, "%s(%d,%d)", l.name, l.prec,
                     l.scale < 0 ? 0 : l.scale);
            return;
        }
    } else if (l.len > 0 && l.len < 16777216 &&
               !(n >= 4 &&
                 (!strcmp(l.name + n - 4, "text") ||
                  !strcmp(l.name + n - 4, "blob")) &&
                 strcmp(l.name, "text"))) {
        snprintf(out, size, "%s(%lld)", l.name, (long long)l.len);
        return;
    }
    snprintf(out, size, "%s", l.name);
}
