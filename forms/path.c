/* path.c: field paths such as "items[3].columns[2].name" (see
 * form_int.h), and field access through the definition table of def.c. */
#include "form_int.h"
#include "err.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads "[N]" or "[]" at *p; *idx gets N or SIZE_MAX. 0, ERR_INVALID or
 * ERR_TOOBIG. */
static int read_index(const char **p, const char *end, size_t *idx,
                      size_t limit)
{
    const char *s = *p;
    size_t v = 0;
    size_t ndig = 0;

    if (s >= end || *s != '[')
        return ERR_INVALID;
    s++;
    if (s < end && *s == ']') {
        *idx = SIZE_MAX;
        *p = s + 1;
        return 0;
    }
    while (s < end && *s >= '0' && *s <= '9') {
        if (ndig == 0 && *s == '0' && s + 1 < end && s[1] != ']')
            return ERR_INVALID; /* no leading zeros: one spelling each */
        if (ndig >= 9)
            return ERR_TOOBIG;
        v = v * 10 + (size_t)(*s - '0');
        ndig++;
        s++;
    }
    if (!ndig || s >= end || *s != ']')
        return ERR_INVALID;
    if (v >= limit)
        return ERR_TOOBIG;
    *idx = v;
    *p = s + 1;
    return 0;
}

/* read_index, then the '.' that must follow the index (skipped). */
static int read_index_dot(const char **p, const char *end, size_t *idx,
                          size_t limit)
{
    int rc = read_index(p, end, idx, limit);

    if (rc < 0)
        return rc;
    if (*p >= end || **p != '.')
        return ERR_INVALID;
    (*p)++;
    return 0;
}

int form_path_parse(form_path *out, const char *s, size_t len,
                    size_t item_limit, size_t col_limit)
{
    const char *p = s, *end = s + len;
    form_path r = {NULL, SIZE_MAX, SIZE_MAX};
    form_level level = FORM_LEVEL_ITEM;
    int rc;

    if (len < 6 || memcmp(s, "items[", 6) != 0) {
        r.field = form_def_field_key(FORM_LEVEL_REQUEST, s, len);
        if (!r.field)
            return ERR_NOTFOUND;
        *out = r;
        return 0;
    }
    p += 5;
    rc = read_index_dot(&p, end, &r.item, item_limit);
    if (rc < 0)
        return rc;
    if ((size_t)(end - p) > 8 && !memcmp(p, "columns[", 8)) {
        p += 7;
        rc = read_index_dot(&p, end, &r.column, col_limit);
        if (rc < 0)
            return rc;
        level = FORM_LEVEL_COLUMN;
    }
    /* A template has both indices empty or neither. */
    if (level == FORM_LEVEL_COLUMN &&
        ((r.item == SIZE_MAX) != (r.column == SIZE_MAX)))
        return ERR_INVALID;
    r.field = form_def_field_key(level, p, (size_t)(end - p));
    if (!r.field)
        return ERR_INVALID;
    *out = r;
    return 0;
}

void form_path_format(char *out, size_t size, const form_field *f, size_t item,
                      size_t column)
{
    switch (f->level) {
    case FORM_LEVEL_REQUEST: snprintf(out, size, "%s", f->key); break;
    case FORM_LEVEL_ITEM:
        snprintf(out, size, "items[%zu].%s", item, f->key);
        break;
    case FORM_LEVEL_COLUMN:
        snprintf(out, size, "items[%zu].columns[%zu].%s", item, column, f->key);
        break;
    }
}

void form_obj_fill_empty(void *obj, form_level level)
{
    size_t n;
    const form_field *fs = form_def_fields(&n);

    for (size_t i = 0; i < n; i++) {
        char **sp;
        if (fs[i].level != level || fs[i].value != FORM_VALUE_STRING)
            continue;
        sp = form_field_ptr(obj, &fs[i]);
        if (!*sp)
            *sp = xstrdup("");
    }
}

void form_obj_clear_field(void *obj, const form_field *f)
{
    void *p = form_field_ptr(obj, f);

    switch (f->value) {
    case FORM_VALUE_STRING:
        free(*(char **)p);
        *(char **)p = xstrdup("");
        break;
    case FORM_VALUE_BOOL:
        *(int *)p = f->default_value && !strcmp(f->default_value, "true");
        break;
    case FORM_VALUE_INT: *(int *)p = 0; break;
    case FORM_VALUE_TYPE: memset(p, 0, sizeof(form_type)); break;
    case FORM_VALUE_ACTION: *(form_action *)p = FORM_ACTION_ADD; break;
    case FORM_VALUE_KIND:
    case FORM_VALUE_STRINGS: break; /* never cleared */
    }
}

int form_obj_field_set(const void *obj, const form_field *f)
{
    const void *p = form_field_cptr(obj, f);

    switch (f->value) {
    case FORM_VALUE_STRING: {
        const char *s = *(char *const *)p;
        return s && *s;
    }
    case FORM_VALUE_BOOL: {
        int def = f->default_value && !strcmp(f->default_value, "true");
        return *(const int *)p != def;
    }
    case FORM_VALUE_INT: return *(const int *)p != 0;
    case FORM_VALUE_TYPE: return ((const form_type *)p)->kind != FORM_TYPE_NONE;
    case FORM_VALUE_ACTION: return *(const form_action *)p != FORM_ACTION_ADD;
    case FORM_VALUE_KIND:
    case FORM_VALUE_STRINGS: return 1;
    }
    return 0;
}
