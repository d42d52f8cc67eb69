/* live_dump.c: prints the schema live_read reads from a source, for the
 * real-database tests and for looking at a source by hand.
 *   live_dump [options] SOURCE          the live_schema as JSON
 *   live_dump --lines [options] SOURCE  one line per column and table:
 *       table|column|type|YES or NO|HEX(comment) and table|-|table|-|HEX
 *       (type: data_type with "(length)" or "(precision,scale)")
 *   live_dump --try SQL [options] SOURCE  runs SQL in a session opened as
 *       live_read opens it (exit 0 when the server ran it, 1 with its
 *       words on stderr when it refused)
 * options: --schema S, --dialect D (csv), --keys FILE (csv),
 * --connect-timeout S, --statement-timeout S.
 * Exit 0, 2 usage, 3 when the source cannot be read (its message on
 * stderr). */
#include "live.h"
#include "live_int.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_hex(const char *s)
{
    for (; *s; s++)
        printf("%02X", (unsigned char)*s);
}

/* Lengths only of character types (MySQL gives text types one too), time
 * precision only for MySQL (PostgreSQL's format_type omits its default). */
static void type_text(char *out, size_t size, const live_column *c,
                      sql_dialect d)
{
    if (c->char_max >= 0 && strstr(c->data_type, "char"))
        snprintf(out, size, "%s(%lld)", c->data_type, (long long)c->char_max);
    else if (c->num_precision >= 0)
        snprintf(out, size, "%s(%d,%d)", c->data_type, c->num_precision,
                 c->num_scale < 0 ? 0 : c->num_scale);
    else if (d == SQL_MYSQL && c->datetime_precision > 0)
        snprintf(out, size, "%s(%d)", c->data_type, c->datetime_precision);
    else
        snprintf(out, size, "%s", c->data_type);
}

static void print_lines(const live_schema *s)
{
    char type[160];

    for (size_t i = 0; i < s->ntables; i++) {
        const live_table *t = &s->tables[i];
        printf("%s|-|table|-|", t->name);
        put_hex(t->comment);
        putchar('\n');
        for (size_t k = 0; k < t->ncols; k++) {
            const live_column *c = &t->cols[k];
            type_text(type, sizeof type, c, s->dialect);
            printf("%s|%s|%s|%s|", t->name, c->name, type,
                   c->nullable ? "YES" : "NO");
            put_hex(c->comment);
            putchar('\n');
        }
    }
}

static void print_json(const live_schema *s)
{
    cJSON *o = cJSON_CreateObject(), *tables = cJSON_CreateArray();
    char *text;

    cJSON_AddStringToObject(o, "dialect", sql_dialect_name(s->dialect));
    cJSON_AddStringToObject(o, "source", s->source);
    cJSON_AddStringToObject(o, "schema", s->schema);
    for (size_t i = 0; i < s->ntables; i++) {
        const live_table *t = &s->tables[i];
        cJSON *jt = cJSON_CreateObject(), *cols = cJSON_CreateArray();
        cJSON_AddStringToObject(jt, "name", t->name);
        cJSON_AddStringToObject(jt, "comment", t->comment);
        for (size_t k = 0; k < t->ncols; k++) {
            const live_column *c = &t->cols[k];
            cJSON *jc = cJSON_CreateObject();
            cJSON_AddStringToObject(jc, "name", c->name);
            cJSON_AddNumberToObject(jc, "ordinal", c->ordinal);
            cJSON_AddStringToObject(jc, "data_type", c->data_type);
            cJSON_AddNumberToObject(jc, "char_max", (double)c->char_max);
            cJSON_AddNumberToObject(jc, "num_precision", c->num_precision);
            cJSON_AddNumberToObject(jc, "num_scale", c->num_scale);
            cJSON_AddBoolToObject(jc, "nullable", c->nullable);
            cJSON_AddNumberToObject(jc, "pk_position", c->pk_position);
            cJSON_AddNumberToObject(jc, "datetime_precision",
                                    c->datetime_precision);
            cJSON_AddStringToObject(jc, "comment", c->comment);
            cJSON_AddItemToArray(cols, jc);
        }
        cJSON_AddItemToObject(jt, "columns", cols);
        cJSON_AddItemToArray(tables, jt);
    }
    cJSON_AddItemToObject(o, "tables", tables);
    text = cJSON_Print(o);
    puts(text);
    free(text);
    cJSON_Delete(o);
}

static int usage(void)
{
    fprintf(stderr, "usage: live_dump [--lines | --try SQL] [--schema S] "
                    "[--dialect D] [--keys FILE] [--connect-timeout S] "
                    "[--statement-timeout S] SOURCE\n");
    return 2;
}

int main(int argc, char **argv)
{
    live_options opt = {0};
    live_schema s;
    errmsg err = {0};
    const char *source = NULL, *try_sql = NULL;
    int lines = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--lines"))
            lines = 1;
        else if (!strcmp(a, "--try") && more)
            try_sql = argv[++i];
        else if (!strcmp(a, "--schema") && more)
            opt.schema = argv[++i];
        else if (!strcmp(a, "--keys") && more)
            opt.keys_file = argv[++i];
        else if (!strcmp(a, "--dialect") && more) {
            if (sql_dialect_parse(&opt.dialect, argv[++i]) < 0)
                return usage();
        } else if (!strcmp(a, "--connect-timeout") && more) {
            if (str_to_int(&opt.connect_timeout_s, argv[++i], 1, 3600) < 0)
                return usage();
        } else if (!strcmp(a, "--statement-timeout") && more) {
            if (str_to_int(&opt.statement_timeout_s, argv[++i], 1, 3600) < 0)
                return usage();
        } else if (a[0] == '-' || source)
            return usage();
        else
            source = a;
    }
    if (!source)
        return usage();
    if (try_sql) {
        if (live_try_sql(source, &opt, try_sql, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        return 0;
    }
    if (live_read(&s, source, &opt, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 3;
    }
    if (lines)
        print_lines(&s);
    else
        print_json(&s);
    live_schema_dispose(&s);
    return 0;
}
