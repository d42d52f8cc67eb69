/* live_csv.c: the schema in a CSV export of information_schema.columns
 * (csv:FILE), read with core/csv.c. The header names the standard columns
 * in any order and any case: TABLE_NAME, COLUMN_NAME, DATA_TYPE and
 * IS_NULLABLE are required; TABLE_SCHEMA, ORDINAL_POSITION,
 * CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, COMMENT
 * (or COLUMN_COMMENT), TABLE_COMMENT and PRIMARY_KEY are read when present;
 * other columns are ignored. The primary key comes from PRIMARY_KEY (YES,
 * true, 1 or the column's position in the key) or from keys_file, a CSV of
 * TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION (an export of
 * key_column_usage; with a CONSTRAINT_TYPE column only its PRIMARY KEY
 * rows count). */
#include "live_int.h"
#include "buf.h"
#include "csv.h"
#include "mem.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

enum {
    C_SCHEMA,
    C_TABLE,
    C_COLUMN,
    C_ORDINAL,
    C_TYPE,
    C_NULLABLE,
    C_CHARMAX,
    C_PRECISION,
    C_SCALE,
    C_COMMENT,
    C_TABLE_COMMENT,
    C_PK,
    C_CONSTRAINT_TYPE,
    C_DATETIME_PRECISION,
    C_N
};

static const struct {
    const char *name, *alias;
} col_names[C_N] = {
    {"table_schema", NULL},
    {"table_name", NULL},
    {"column_name", NULL},
    {"ordinal_position", NULL},
    {"data_type", NULL},
    {"is_nullable", NULL},
    {"character_maximum_length", NULL},
    {"numeric_precision", NULL},
    {"numeric_scale", NULL},
    {"comment", "column_comment"},
    {"table_comment", NULL},
    {"primary_key", NULL},
    {"constraint_type", NULL},
    {"datetime_precision", NULL},
};

/* One CSV file: its records, the header map. */
typedef struct csv_file {
    const char *red; /* the source for messages */
    csv_rec *recs;
    size_t nrecs;
    int map[C_N];
} csv_file;

static void file_dispose(csv_file *f)
{
    csv_recs_free(f->recs, f->nrecs);
    f->recs = NULL;
    f->nrecs = 0;
}

/* The cell of column c in record r ("" when absent or short). */
static const char *cell(const csv_file *f, const csv_rec *r, int c)
{
    int k = f->map[c];

    return k >= 0 && (size_t)k < r->n ? r->cells[k] : "";
}

/* Reads path into f and maps its header; required lists the columns that
 * must be there (-1 ends it). */
static int file_read(csv_file *f, const char *path, const char *what,
                     const int *required, errmsg *err)
{
    size_t len = 0;
    char *data = buf_read_file(path, &len);
    errmsg e = {0};
    int line = 0;

    for (int c = 0; c < C_N; c++)
        f->map[c] = -1;
    if (!data)
        return err_set(err, ERR_IO,
                       "cannot read %s %.200s: no such file or "
                       "not readable",
                       what, path);
    if (memchr(data, '\0', len) || !str_utf8_valid(data, len)) {
        free(data);
        return err_set(err, ERR_INVALID, "%.200s: not UTF-8 text", path);
    }
    if (csv_read(&f->recs, &f->nrecs, data, len, &line, &e) < 0) {
        free(data);
        return err_set(err, ERR_INVALID, "%.200s:%d: %s", path, line, e.msg);
    }
    free(data);
    if (!f->nrecs)
        return err_set(err, ERR_INVALID, "%.200s: empty (no header)", path);
    for (size_t k = 0; k < f->recs[0].n; k++) {
        char *name = str_lower(str_trim_dup(f->recs[0].cells[k]));
        for (int c = 0; c < C_N; c++)
            if (!strcmp(name, col_names[c].name) ||
                (col_names[c].alias && !strcmp(name, col_names[c].alias))) {
                if (f->map[c] < 0)
                    f->map[c] = (int)k;
            }
        free(name);
    }
    for (; *required >= 0; required++)
        if (f->map[*required] < 0) {
            char upper[64];
            str_copy(upper, sizeof upper, col_names[*required].name);
            for (char *p = upper; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                    *p = (char)(*p - 'a' + 'A');
            return err_set(err, ERR_INVALID,
                           "%.200s:1: the header has no %s column", path,
                           upper);
        }
    return 0;
}

/* A number cell: -1 for "", NULL or null; else 0..max into *out, or
 * ERR_INVALID. */
static int number(int64_t *out, const char *s, int64_t max)
{
    char *t = str_trim_dup(s);
    int rc = 0;

    if (!*t || !str_casecmp(t, "null") || !str_casecmp(t, "\\N"))
        *out = -1;
    else if (str_to_i64(out, t) < 0 || *out < 0 || *out > max)
        rc = ERR_INVALID;
    free(t);
    return rc;
}

/* A yes/no cell: 1, 0, or -1 when neither. */
static int yes_no(const char *s)
{
    static const char *const yes[] = {"yes", "y", "true", "t", "1"};
    static const char *const no[] = {"no", "n", "false", "f", "0", ""};
    char *t = str_trim_dup(s);
    int v = -1;

    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!str_casecmp(t, yes[i]))
            v = 1;
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (!str_casecmp(t, no[i]))
            v = 0;
    free(t);
    return v;
}

/* Whether record r of f is in the schema asked for. */
static int in_schema(const csv_file *f, const csv_rec *r, const char *schema)
{
    return !schema || !str_casecmp(cell(f, r, C_SCHEMA), schema);
}

static live_column *find_column(live_table *t, const char *name)
{
    for (size_t k = 0; k < t->ncols; k++)
        if (!strcmp(t->cols[k].name, name))
            return &t->cols[k];
    return NULL;
}

static live_table *find_table(live_schema *s, const char *name)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (!strcmp(s->tables[i].name, name))
            return &s->tables[i];
    return NULL;
}

static int pk_cmp(const void *a, const void *b)
{
    const live_column *x = *(live_column *const *)a;
    const live_column *y = *(live_column *const *)b;

    if (x->pk_position != y->pk_position)
        return x->pk_position < y->pk_position ? -1 : 1;
    return (x->ordinal > y->ordinal) - (x->ordinal < y->ordinal);
}

/* Key positions of each table as 1..k: by the position given, then by
 * ordinal (so "YES" or "1" on each key column numbers them in order). */
static void number_keys(live_schema *s)
{
    for (size_t i = 0; i < s->ntables; i++) {
        live_table *t = &s->tables[i];
        live_column **pk = xcalloc(t->ncols ? t->ncols : 1, sizeof *pk);
        size_t n = 0;
        for (size_t k = 0; k < t->ncols; k++)
            if (t->cols[k].pk_position > 0)
                pk[n++] = &t->cols[k];
        qsort(pk, n, sizeof *pk, pk_cmp);
        for (size_t k = 0; k < n; k++)
            pk[k]->pk_position = (int)k + 1;
        free(pk);
    }
}

/* One data record of the columns file into s. */
static int column_row(live_schema *s, const csv_file *f, const csv_rec *r,
                      errmsg *err)
{
    const char *path = f->red;
    const char *tname = cell(f, r, C_TABLE), *cname = cell(f, r, C_COLUMN);
    live_table *t;
    live_column *c;
    int64_t v;
    int yn;

    if (!*tname || !*cname)
        return err_set(err, ERR_INVALID, "%.200s:%d: %s is empty", path,
                       r->line, *tname ? "COLUMN_NAME" : "TABLE_NAME");
    t = live_add_table(s, tname, NULL);
    if (f->map[C_TABLE_COMMENT] >= 0 && !*t->comment &&
        *cell(f, r, C_TABLE_COMMENT)) {
        free(t->comment);
        t->comment = xstrdup(cell(f, r, C_TABLE_COMMENT));
    }
    if (find_column(t, cname))
        return err_set(err, ERR_INVALID, "%.200s:%d: %.60s.%.60s appears twice",
                       path, r->line, tname, cname);
    c = live_add_column(t, cname);
    if (f->map[C_ORDINAL] >= 0) {
        if (number(&v, cell(f, r, C_ORDINAL), 100000) < 0 || v < 1)
            return err_set(err, ERR_INVALID,
                           "%.200s:%d: ORDINAL_POSITION is not a positive "
                           "number",
                           path, r->line);
        c->ordinal = (int)v;
    }
    free(c->data_type);
    c->data_type =
        live_parse_type(cell(f, r, C_TYPE), &c->char_max, &c->num_precision,
                        &c->num_scale, &c->datetime_precision);
    if (!*c->data_type)
        return err_set(err, ERR_INVALID, "%.200s:%d: DATA_TYPE is empty", path,
                       r->line);
    yn = yes_no(cell(f, r, C_NULLABLE));
    if (yn < 0 || !*cell(f, r, C_NULLABLE))
        return err_set(err, ERR_INVALID,
                       "%.200s:%d: IS_NULLABLE is \"%.40s\", not YES or NO",
                       path, r->line, cell(f, r, C_NULLABLE));
    c->nullable = yn;
    if (number(&v, cell(f, r, C_CHARMAX), INT64_MAX / 2) < 0)
        return err_set(err, ERR_INVALID,
                       "%.200s:%d: CHARACTER_MAXIMUM_LENGTH is not a number",
                       path, r->line);
    if (v >= 0)
        c->char_max = v;
    if (number(&v, cell(f, r, C_PRECISION), 1000) < 0)
        return err_set(err, ERR_INVALID,
                       "%.200s:%d: NUMERIC_PRECISION is not a number", path,
                       r->line);
    if (v >= 0)
        c->num_precision = (int)v;
    if (number(&v, cell(f, r, C_SCALE), 1000) < 0)
        return err_set(err, ERR_INVALID,
                       "%.200s:%d: NUMERIC_SCALE is not a number", path,
                       r->line);
    if (v >= 0)
        c->num_scale = (int)v;
    if (number(&v, cell(f, r, C_DATETIME_PRECISION), 100) < 0)
        return err_set(err, ERR_INVALID,
                       "%.200s:%d: DATETIME_PRECISION is not a number", path,
                       r->line);
    if (v >= 0)
        c->datetime_precision = (int)v;
    free(c->comment);
    c->comment = xstrdup(cell(f, r, C_COMMENT));
    if (f->map[C_PK] >= 0) {
        const char *pk = cell(f, r, C_PK);
        yn = yes_no(pk);
        if (yn >= 0)
            c->pk_position = yn;
        else if (number(&v, pk, 10000) == 0 && v >= 1)
            c->pk_position = (int)v;
        else
            return err_set(err, ERR_INVALID,
                           "%.200s:%d: PRIMARY_KEY is \"%.40s\", not YES, NO "
                           "or a position",
                           path, r->line, pk);
    }
    return 0;
}

/* The key columns of keys_file into s. */
static int read_keys(live_schema *s, const char *path, const char *schema,
                     errmsg *err)
{
    static const int req[] = {C_TABLE, C_COLUMN, -1};
    csv_file f = {.red = path};
    int rc = file_read(&f, path, "the keys file", req, err);

    if (rc < 0) {
        file_dispose(&f);
        return rc;
    }
    if (schema && f.map[C_SCHEMA] < 0) {
        file_dispose(&f);
        return err_set(err, ERR_INVALID,
                       "%.200s:1: the header has no TABLE_SCHEMA column "
                       "(needed to pick schema %.60s)",
                       path, schema);
    }
    for (size_t i = 1; i < f.nrecs && rc == 0; i++) {
        const csv_rec *r = &f.recs[i];
        live_table *t;
        live_column *c;
        int64_t v = -1;
        if (!in_schema(&f, r, schema))
            continue;
        if (f.map[C_CONSTRAINT_TYPE] >= 0 &&
            str_casecmp(cell(&f, r, C_CONSTRAINT_TYPE), "PRIMARY KEY"))
            continue;
        t = find_table(s, cell(&f, r, C_TABLE));
        c = t ? find_column(t, cell(&f, r, C_COLUMN)) : NULL;
        if (!c) {
            rc = err_set(err, ERR_INVALID,
                         "%.200s:%d: %.60s.%.60s is not in the columns file",
                         path, r->line, cell(&f, r, C_TABLE),
                         cell(&f, r, C_COLUMN));
            break;
        }
        if (f.map[C_ORDINAL] >= 0 &&
            (number(&v, cell(&f, r, C_ORDINAL), 10000) < 0 || v == 0)) {
            rc = err_set(err, ERR_INVALID,
                         "%.200s:%d: ORDINAL_POSITION is not a positive "
                         "number",
                         path, r->line);
            break;
        }
        /* Without a position the rows' order is the key's. */
        c->pk_position = v > 0 ? (int)v : (int)i;
    }
    file_dispose(&f);
    return rc;
}

int live_read_csv(live_schema *out, const char *path, const char *red,
                  const live_options *opt, errmsg *err)
{
    static const int req[] = {C_TABLE, C_COLUMN, C_TYPE, C_NULLABLE, -1};
    csv_file f = {.red = path};
    char *seen = NULL; /* the one TABLE_SCHEMA of the rows read */
    int several = 0, rc;

    (void)red;
    out->dialect = opt->dialect;
    if (!*path)
        return err_set(err, ERR_INVALID, "csv: needs a file (csv:FILE)");
    rc = file_read(&f, path, "the columns file", req, err);
    if (rc == 0 && opt->schema && f.map[C_SCHEMA] < 0)
        rc = err_set(err, ERR_INVALID,
                     "%.200s:1: the header has no TABLE_SCHEMA column "
                     "(needed to pick schema %.60s)",
                     path, opt->schema);
    /* information_schema.columns has no table comments: without a
     * TABLE_COMMENT column the export cannot say them */
    out->no_table_comments = rc == 0 && f.map[C_TABLE_COMMENT] < 0;
    for (size_t i = 1; rc == 0 && i < f.nrecs; i++) {
        const csv_rec *r = &f.recs[i];
        if (!in_schema(&f, r, opt->schema))
            continue;
        if (!seen)
            seen = xstrdup(cell(&f, r, C_SCHEMA));
        else if (strcmp(seen, cell(&f, r, C_SCHEMA)))
            several = 1;
        rc = column_row(out, &f, r, err);
    }
    file_dispose(&f);
    if (rc == 0 && several && !opt->schema)
        rc = err_set(err, ERR_INVALID,
                     "%.200s: rows of several schemas (%.60s and others): "
                     "choose one with --schema",
                     path, seen);
    if (rc == 0 && opt->keys_file)
        rc = read_keys(out, opt->keys_file, opt->schema, err);
    if (rc == 0) {
        number_keys(out);
        out->schema = xstrdup(opt->schema ? opt->schema : seen ? seen : "");
    }
    free(seen);
    return rc;
}
