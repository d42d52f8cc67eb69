/* parse_fields.c: a change request from the HTML form's fields
 * (form_parse_fields, see parse.h): the rows of items and columns as the
 * browser numbers them, blank rows left out, driven by the field table of
 * def.c like the JSON reader of parse.c. Values are checked in
 * validate.c. */
#include "parse.h"
#include "def.h"
#include "form_int.h"
#include "mem.h"
#include "str.h"
#include "validate.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- HTML form fields -------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The value of kv as a heap string: trimmed unless f is multi-line, and
 * then with its line ends made LF (browsers send CR LF). */
static char *kv_value(const form_field *f, const form_kv *kv)
{
    const char *s = kv->value ? kv->value : "";
    size_t len = kv->value ? kv->len : 0;

    if (f->input == FORM_INPUT_TEXTAREA)
        return form_text_lf(xstrndup(s, len));
    while (len && is_space(*s)) {
        s++;
        len--;
    }
    while (len && is_space(s[len - 1]))
        len--;
    return xstrndup(s, len);
}

/* 1 when kv carries something a person typed (booleans, kind and action
 * do not count: controls have them set even in a blank row). */
static int kv_nonblank(const form_field *f, const form_kv *kv)
{
    if (f->value == FORM_VALUE_BOOL || f->value == FORM_VALUE_KIND ||
        f->value == FORM_VALUE_ACTION || !kv->value)
        return 0;
    for (size_t i = 0; i < kv->len; i++)
        if (!is_space(kv->value[i]))
            return 1;
    return 0;
}

static int parse_bool(int *out, const char *s)
{
    static const char *const yes[] = {"on", "1", "yes", "true"};
    static const char *const no[] = {"", "0", "no", "off", "false"};

    for (size_t i = 0; i < 4; i++)
        if (!str_casecmp(s, yes[i])) {
            *out = 1;
            return 0;
        }
    for (size_t i = 0; i < 5; i++)
        if (!str_casecmp(s, no[i])) {
            *out = 0;
            return 0;
        }
    return ERR_INVALID;
}

const char *form_sentence(char *msg)
{
    size_t n = strlen(msg);

    if (msg[0] >= 'a' && msg[0] <= 'z')
        msg[0] = (char)(msg[0] - 32);
    if (n && msg[n - 1] != '.' && n + 1 < sizeof(((errmsg *)0)->msg)) {
        msg[n] = '.';
        msg[n + 1] = '\0';
    }
    return msg;
}

/* Stores one decoded field value into obj (s is a heap string, taken). */
static void field_store(void *obj, const form_field *f, char *s,
                        const char *path, form_errors *fe)
{
    void *p = form_field_ptr(obj, f);
    errmsg err = {0};

    switch (f->value) {
    case FORM_VALUE_STRING:
        free(*(char **)p);
        *(char **)p = s;
        return;
    case FORM_VALUE_BOOL:
        if (parse_bool(p, s) < 0)
            form_errors_add(fe, path, "Choose yes or no.");
        break;
    case FORM_VALUE_INT:
        if (*s && str_to_int(p, s, f->min, f->max) < 0)
            form_errors_add(fe, path, "Enter a whole number from %d to %d.",
                            f->min, f->max);
        break;
    case FORM_VALUE_KIND:
        if (form_item_kind_parse(p, s) < 0)
            form_errors_add(fe, path, "Choose what this change does.");
        break;
    case FORM_VALUE_TYPE:
        if (*s && form_type_parse(p, s, &err) < 0)
            form_errors_add(fe, path, "%s", form_sentence(err.msg));
        break;
    case FORM_VALUE_ACTION:
        if (*s && form_action_parse(p, s) < 0)
            form_errors_add(fe, path, "Choose Add, Change or Retire.");
        break;
    case FORM_VALUE_STRINGS: break; /* handled by the caller */
    }
    free(s);
}

/* The state of one form_parse_fields() call: the rows as the browser
 * numbers them, their compacted indices, and which fields were seen. */
typedef struct {
    form_request *out;
    const form_kv *kv;
    size_t n;
    form_errors *fe;
    size_t nf, ncols, ninst;
    signed char *ok;
    form_path *paths;
    unsigned char item_live[FORM_MAX_ITEMS];
    unsigned char item_seen[FORM_MAX_ITEMS]; /* any field of it was sent */
    unsigned char item_kind[FORM_MAX_ITEMS];
    unsigned char *col_live[FORM_MAX_ITEMS];
    size_t item_map[FORM_MAX_ITEMS];
    size_t *col_map[FORM_MAX_ITEMS];
    size_t col_base[FORM_MAX_ITEMS];
    unsigned char rseen[128];
    unsigned char *iseen, *cseen;
} field_pass;

/* Pass 1: which rows exist and carry anything. */
static void mark_rows(field_pass *fp)
{
    for (size_t i = 0; i < fp->n; i++) {
        const form_kv *kv = &fp->kv[i];
        const char *name = kv->name ? kv->name : "";
        form_path *p = &fp->paths[i];
        char safe[48];
        int rc = form_path_parse(p, name, strlen(name), FORM_MAX_ITEMS,
                                 FORM_MAX_COLUMNS);

        form_safe_name(safe, sizeof safe, name, strlen(name));
        if (rc == ERR_NOTFOUND)
            continue;
        if (rc == ERR_TOOBIG) {
            form_errors_add(fp->fe, safe,
                            "Too many rows: at most %d changes of %d "
                            "columns each.",
                            FORM_MAX_ITEMS, FORM_MAX_COLUMNS);
            continue;
        }
        if (rc < 0 ||
            (p->field->level != FORM_LEVEL_REQUEST && p->item == SIZE_MAX)) {
            form_errors_add(fp->fe, safe, "This form has no field \"%s\".",
                            safe);
            continue;
        }
        fp->ok[i] = 1;
        if (p->field->level != FORM_LEVEL_REQUEST)
            fp->item_seen[p->item] = 1;
        if (p->field->level == FORM_LEVEL_ITEM && kv_nonblank(p->field, kv))
            fp->item_live[p->item] = 1;
        if (p->field->level == FORM_LEVEL_COLUMN) {
            if (!fp->col_live[p->item])
                fp->col_live[p->item] = xcalloc(FORM_MAX_COLUMNS, 1);
            if (kv_nonblank(p->field, kv)) {
                fp->col_live[p->item][p->column] = 1;
                fp->item_live[p->item] = 1;
            }
        }
    }
}

/* A form sent with every change blank keeps its first change, so that
 * what it lacks is named on screen ("Enter its name" under its table)
 * instead of one "Add at least one change". */
static void keep_first_change(field_pass *fp)
{
    for (size_t i = 0; i < FORM_MAX_ITEMS; i++)
        if (fp->item_live[i])
            return;
    for (size_t i = 0; i < FORM_MAX_ITEMS; i++)
        if (fp->item_seen[i]) {
            fp->item_live[i] = 1;
            return;
        }
}

/* Compaction: live rows keep their order, blank ones go. */
static void compact_rows(field_pass *fp)
{
    form_request *out = fp->out;

    for (size_t i = 0; i < FORM_MAX_ITEMS; i++) {
        fp->item_map[i] = SIZE_MAX;
        if (!fp->item_live[i])
            continue;
        fp->item_map[i] = out->nitems++;
    }
    out->items = xcalloc(out->nitems ? out->nitems : 1, sizeof *out->items);
    for (size_t i = 0; i < FORM_MAX_ITEMS; i++) {
        form_item *it;
        size_t nc = 0;
        if (fp->item_map[i] == SIZE_MAX)
            continue;
        it = &out->items[fp->item_map[i]];
        fp->col_base[i] = fp->ncols;
        if (fp->col_live[i]) {
            fp->col_map[i] = xmalloc(FORM_MAX_COLUMNS * sizeof(size_t));
            for (size_t c = 0; c < FORM_MAX_COLUMNS; c++)
                fp->col_map[i][c] = fp->col_live[i][c] ? nc++ : SIZE_MAX;
        }
        it->columns = xcalloc(nc ? nc : 1, sizeof *it->columns);
        it->ncolumns = nc;
        for (size_t c = 0; c < nc; c++)
            it->columns[c].action = FORM_ACTION_ADD;
        fp->ncols += nc;
    }
    fp->iseen = xcalloc((out->nitems ? out->nitems : 1) * fp->nf, 1);
    fp->cseen = xcalloc((fp->ncols ? fp->ncols : 1) * fp->nf, 1);
}

/* Where the value of path p goes: its object, its seen mark and its
 * compacted item and column. 0, or -1 when its row was left out. */
static int locate_value(field_pass *fp, const form_path *p, void **obj,
                        unsigned char **seen, size_t *it, size_t *col)
{
    const form_field *f = p->field;
    size_t col_at;

    if (f->level == FORM_LEVEL_REQUEST) {
        *obj = fp->out;
        *seen = &fp->rseen[form_def_index(f)];
        return 0;
    }
    if (fp->item_map[p->item] == SIZE_MAX)
        return -1;
    *it = fp->item_map[p->item];
    if (f->level == FORM_LEVEL_ITEM) {
        *obj = &fp->out->items[*it];
        *seen = &fp->iseen[*it * fp->nf + form_def_index(f)];
        return 0;
    }
    if (!fp->col_map[p->item] || fp->col_map[p->item][p->column] == SIZE_MAX)
        return -1;
    *col = fp->col_map[p->item][p->column];
    *obj = &fp->out->items[*it].columns[*col];
    col_at = fp->col_base[p->item] + *col;
    *seen = &fp->cseen[col_at * fp->nf + form_def_index(f)];
    return 0;
}

/* One value of the instances list, kept unless blank or one too many. */
static void add_instance(field_pass *fp, const form_field *f, const form_kv *kv,
                         const char *path)
{
    char *s = kv_value(f, kv);

    if (!*s) {
        free(s);
    } else if (fp->ninst >= FORM_MAX_INSTANCES) {
        if (fp->ninst++ == FORM_MAX_INSTANCES)
            form_errors_add(fp->fe, path, "Choose at most %d.",
                            FORM_MAX_INSTANCES);
        free(s);
    } else {
        fp->out->instances =
            xrealloc(fp->out->instances, (fp->ninst + 1) * sizeof(char *));
        fp->out->instances[fp->ninst++] = s;
        fp->out->ninstances = fp->ninst;
    }
}

/* Pass 2: values, with paths in compacted indices. */
static void store_values(field_pass *fp)
{
    for (size_t i = 0; i < fp->n; i++) {
        const form_kv *kv = &fp->kv[i];
        const form_field *f = fp->paths[i].field;
        unsigned char *seen = NULL;
        void *obj = NULL;
        size_t it = 0, col = 0;
        char path[160];

        if (!fp->ok[i])
            continue;
        if (locate_value(fp, &fp->paths[i], &obj, &seen, &it, &col) < 0)
            continue;
        form_path_format(path, sizeof path, f, it, col);
        if (kv->value && !form_text_ok(path, kv->value, kv->len, fp->fe))
            continue;
        if (f->value == FORM_VALUE_STRINGS) {
            add_instance(fp, f, kv, path);
            continue;
        }
        if (*seen) {
            if (*seen == 1)
                form_errors_add(fp->fe, path, "Given more than once.");
            *seen = 2;
            continue;
        }
        *seen = 1;
        {
            char *s = kv_value(f, kv);
            form_item_kind k;
            if (f->value == FORM_VALUE_KIND && form_item_kind_parse(&k, s) == 0)
                fp->item_kind[it] = 1;
            field_store(obj, f, s, path, fp->fe);
        }
    }
}

/* Item i: the kind must be known; drop values of other kinds. */
static void settle_item(field_pass *fp, size_t i)
{
    form_item *it = &fp->out->items[i];
    size_t nf;
    const form_field *fs = form_def_fields(&nf);

    if (!fp->item_kind[i]) {
        char path[48];
        snprintf(path, sizeof path, "items[%zu].kind", i);
        if (!form_errors_get(fp->fe, path))
            form_errors_add(fp->fe, path, "Choose what this change does.");
    }
    form_obj_fill_empty(it, FORM_LEVEL_ITEM);
    for (size_t c = 0; c < it->ncolumns; c++)
        form_obj_fill_empty(&it->columns[c], FORM_LEVEL_COLUMN);
    if (!fp->item_kind[i])
        return;
    for (size_t k = 0; k < nf; k++) {
        if (form_field_applies(&fs[k], (int)it->kind))
            continue;
        if (fs[k].level == FORM_LEVEL_ITEM)
            form_obj_clear_field(it, &fs[k]);
        else if (fs[k].level == FORM_LEVEL_COLUMN)
            for (size_t c = 0; c < it->ncolumns; c++)
                form_obj_clear_field(&it->columns[c], &fs[k]);
    }
    /* A cleared "nullable" would read true; HTML's absent box is
     * false, and nullable applies to every kind, so it is untouched. */
}

int form_parse_fields(form_request *out, const form_kv *kv, size_t n,
                      form_errors *fe)
{
    size_t nerr0 = fe->n;
    field_pass *fp = xcalloc(1, sizeof *fp);

    memset(out, 0, sizeof *out);
    fp->out = out;
    fp->kv = kv;
    fp->n = n;
    fp->fe = fe;
    form_def_fields(&fp->nf);
    assert(fp->nf <= 128);
    fp->ok = xcalloc(n ? n : 1, sizeof *fp->ok);
    fp->paths = xcalloc(n ? n : 1, sizeof *fp->paths);

    mark_rows(fp);
    keep_first_change(fp);
    compact_rows(fp);
    store_values(fp);
    for (size_t i = 0; i < out->nitems; i++)
        settle_item(fp, i);
    form_obj_fill_empty(out, FORM_LEVEL_REQUEST);
    for (size_t i = 0; i < FORM_MAX_ITEMS; i++) {
        free(fp->col_live[i]);
        free(fp->col_map[i]);
    }
    free(fp->iseen);
    free(fp->cseen);
    free(fp->paths);
    free(fp->ok);
    free(fp);
    return fe->n > nerr0 ? ERR_INVALID : 0;
}
