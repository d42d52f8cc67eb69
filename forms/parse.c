/* parse.c: a change request from the API's JSON, and back to JSON (see
 * parse.h); the HTML form's fields are read by parse_fields.c. Both
 * readers are driven by the field table of def.c, so a field added there
 * is read and written without more code. Values are checked in
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

/* Marker byte written over NUL bytes before cJSON sees the text, so the
 * value holding one can be named (cJSON would cut the string there). */
#define NUL_MARK '\x01'

/* Keys written by form_request_to_json() that are not form fields. */
enum {
    X_ID,
    X_NUMBER,
    X_STATUS,
    X_CREATED,
    X_UPDATED,
    X_ATTACH,
    X_ITEMS,
    X_COLUMNS,
    X_OLD_TYPE,
    X_N
};
static const char *const extra_keys[X_N] = {
    "id",          "number", "status",  "created_at", "updated_at",
    "attachments", "items",  "columns", "old_type"};

static int extra_key(form_level level, const char *key)
{
    static const unsigned char at[X_N] = {
        FORM_LEVEL_REQUEST, FORM_LEVEL_REQUEST, FORM_LEVEL_REQUEST,
        FORM_LEVEL_REQUEST, FORM_LEVEL_REQUEST, FORM_LEVEL_REQUEST,
        FORM_LEVEL_REQUEST, FORM_LEVEL_ITEM,    FORM_LEVEL_COLUMN};

    for (int i = 0; i < X_N; i++)
        if (at[i] == level && !strcmp(extra_keys[i], key))
            return i;
    return -1;
}

void form_safe_name(char *out, size_t size, const char *s, size_t len)
{
    size_t o = 0;

    for (size_t i = 0; i < len && o + 1 < size && o < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c >= 0x20 && c < 0x7F && c != '"') ? (char)c : '?';
    }
    out[o] = '\0';
}

/* Prefix of the paths inside one object: "", "items[2].",
 * "items[2].columns[5].". */
static void obj_prefix(char *out, size_t size, form_level level, size_t item,
                       size_t col)
{
    if (level == FORM_LEVEL_REQUEST)
        out[0] = '\0';
    else if (level == FORM_LEVEL_ITEM)
        snprintf(out, size, "items[%zu].", item);
    else
        snprintf(out, size, "items[%zu].columns[%zu].", item, col);
}

static void column_defaults(form_column *c)
{
    c->nullable = 1;
    c->action = FORM_ACTION_ADD;
}

int form_text_ok(const char *path, const char *s, size_t len, form_errors *fe)
{
    if (memchr(s, '\0', len) || memchr(s, NUL_MARK, len)) {
        form_errors_add(fe, path, "Remove the NUL bytes.");
        return 0;
    }
    if (!str_utf8_valid(s, len)) {
        form_errors_add(fe, path, "Send valid UTF-8 text.");
        return 0;
    }
    return 1;
}

/* ---- JSON -------------------------------------------------------------- */

/* Scans the text once before cJSON: refuses nesting deeper than
 * FORM_MAX_DEPTH (cJSON recurses per level) and overwrites raw NUL bytes
 * and \u0000 escapes with NUL_MARK so the value can be named later. */
static int prescan(char *s, size_t len, form_errors *fe)
{
    int depth = 0, in_str = 0;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\0') {
            s[i] = NUL_MARK;
            continue;
        }
        if (in_str) {
            if (c == '\\' && i + 1 < len) {
                if (s[i + 1] == 'u' && i + 5 < len &&
                    !memcmp(s + i + 2, "0000", 4))
                    s[i + 5] = '1'; /* \u0001: NUL_MARK after decoding */
                i++;
            } else if (c == '"') {
                in_str = 0;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > FORM_MAX_DEPTH) {
                form_errors_add(fe, "",
                                "The JSON is nested more than %d levels deep.",
                                FORM_MAX_DEPTH);
                return ERR_INVALID;
            }
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return 0;
}

static void syntax_error(const char *s, size_t len, const char *at,
                         int trailing, form_errors *fe)
{
    size_t pos = at && at >= s && at <= s + len ? (size_t)(at - s) : len;
    size_t line = 1, col = 1;

    for (size_t i = 0; i < pos; i++) {
        if (s[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    if (trailing)
        form_errors_add(fe, "",
                        "Unexpected text after the JSON value at line %zu, "
                        "column %zu.",
                        line, col);
    else
        form_errors_add(fe, "", "Invalid JSON at line %zu, column %zu.", line,
                        col);
}

static int json_whole(const cJSON *v, double min, double max, int64_t *out)
{
    double d;

    if (!cJSON_IsNumber(v))
        return ERR_INVALID;
    d = v->valuedouble;
    if (!(d >= min && d <= max)) /* also false for NaN */
        return ERR_TOOBIG;
    if ((double)(int64_t)d != d)
        return ERR_INVALID;
    *out = (int64_t)d;
    return 0;
}

/* Reads a string-valued field f (text, kind, type or action) from JSON v
 * into its slot p. */
static void json_text(void *p, const form_field *f, const cJSON *v,
                      const char *path, form_errors *fe)
{
    errmsg err = {0};
    const char *s;

    if (!cJSON_IsString(v)) {
        form_errors_add(fe, path, "Send a string.");
        return;
    }
    s = v->valuestring;
    if (!form_text_ok(path, s, strlen(s), fe))
        return;
    if (f->value == FORM_VALUE_STRING) {
        free(*(char **)p);
        *(char **)p = xstrdup(s);
        if (f->input == FORM_INPUT_TEXTAREA)
            form_text_lf(*(char **)p);
    } else if (f->value == FORM_VALUE_KIND) {
        if (form_item_kind_parse(p, s) < 0)
            form_errors_add(fe, path,
                            "Unknown kind: send one of the values of "
                            "GET /api/v1/form (kinds).");
    } else if (f->value == FORM_VALUE_ACTION) {
        if (form_action_parse(p, s) < 0)
            form_errors_add(fe, path, "Send add, change or retire.");
    } else if (*s && form_type_parse(p, s, &err) < 0) {
        form_errors_add(fe, path, "%s", form_sentence(err.msg));
    }
}

/* Reads the instances list of request r from JSON array v. */
static void json_instances(form_request *r, const cJSON *v, const char *path,
                           form_errors *fe)
{
    const cJSON *e;
    size_t n = 0;

    if (!cJSON_IsArray(v)) {
        form_errors_add(fe, path, "Send a list of strings.");
        return;
    }
    if ((size_t)cJSON_GetArraySize(v) > FORM_MAX_INSTANCES) {
        form_errors_add(fe, path, "Send at most %d.", FORM_MAX_INSTANCES);
        return;
    }
    r->instances =
        xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *r->instances);
    cJSON_ArrayForEach(e, v)
    {
        char ep[192];
        snprintf(ep, sizeof ep, "%s[%zu]", path, n);
        if (!cJSON_IsString(e)) {
            form_errors_add(fe, ep, "Send a string.");
        } else if (form_text_ok(ep, e->valuestring, strlen(e->valuestring),
                                fe)) {
            r->instances[r->ninstances++] = xstrdup(e->valuestring);
        }
        n++;
    }
}

/* Reads one value of field f from JSON v into obj. */
static void json_value(void *obj, const form_field *f, const cJSON *v,
                       const char *path, form_errors *fe)
{
    void *p = form_field_ptr(obj, f);

    if (cJSON_IsNull(v))
        return; /* absent */
    switch (f->value) {
    case FORM_VALUE_STRING:
    case FORM_VALUE_KIND:
    case FORM_VALUE_TYPE:
    case FORM_VALUE_ACTION: json_text(p, f, v, path, fe); return;
    case FORM_VALUE_BOOL:
        if (!cJSON_IsBool(v)) {
            form_errors_add(fe, path, "Send true or false.");
            return;
        }
        *(int *)p = cJSON_IsTrue(v) ? 1 : 0;
        return;
    case FORM_VALUE_INT: {
        int64_t n;
        if (json_whole(v, f->min, f->max, &n) < 0) {
            form_errors_add(fe, path, "Send a whole number from %d to %d.",
                            f->min, f->max);
            return;
        }
        *(int *)p = (int)n;
        return;
    }
    case FORM_VALUE_STRINGS: json_instances(obj, v, path, fe); return;
    }
}

static void json_object(void *obj, form_level level, const cJSON *o,
                        size_t item, size_t col, form_errors *fe);

static void json_columns(form_item *it, const cJSON *v, size_t item,
                         form_errors *fe)
{
    char path[64];
    const cJSON *e;
    size_t n;

    snprintf(path, sizeof path, "items[%zu].columns", item);
    if (!cJSON_IsArray(v)) {
        form_errors_add(fe, path, "Send a list of columns.");
        return;
    }
    n = (size_t)cJSON_GetArraySize(v);
    if (n > FORM_MAX_COLUMNS) {
        form_errors_add(fe, path, "Send at most %d per change.",
                        FORM_MAX_COLUMNS);
        return;
    }
    it->columns = xcalloc(n ? n : 1, sizeof *it->columns);
    cJSON_ArrayForEach(e, v)
    {
        form_column *c = &it->columns[it->ncolumns];
        column_defaults(c);
        if (!cJSON_IsObject(e)) {
            char ep[80];
            snprintf(ep, sizeof ep, "%s[%zu]", path, it->ncolumns);
            form_errors_add(fe, ep, "Send an object.");
        } else {
            json_object(c, FORM_LEVEL_COLUMN, e, item, it->ncolumns, fe);
        }
        form_obj_fill_empty(c, FORM_LEVEL_COLUMN);
        it->ncolumns++;
    }
}

static void json_items(form_request *r, const cJSON *v, form_errors *fe)
{
    const cJSON *e;
    size_t n;

    if (!cJSON_IsArray(v)) {
        form_errors_add(fe, "items", "Send a list of changes.");
        return;
    }
    n = (size_t)cJSON_GetArraySize(v);
    if (n > FORM_MAX_ITEMS) {
        form_errors_add(fe, "items",
                        "Split the request: at most %d per request.",
                        FORM_MAX_ITEMS);
        return;
    }
    r->items = xcalloc(n ? n : 1, sizeof *r->items);
    cJSON_ArrayForEach(e, v)
    {
        form_item *it = &r->items[r->nitems];
        char ep[32];
        snprintf(ep, sizeof ep, "items[%zu]", r->nitems);
        if (!cJSON_IsObject(e)) {
            form_errors_add(fe, ep, "Send an object.");
        } else {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "kind");
            if (!k || cJSON_IsNull(k)) {
                char kp[48];
                snprintf(kp, sizeof kp, "%s.kind", ep);
                form_errors_add(fe, kp, "Choose what this change does.");
            }
            json_object(it, FORM_LEVEL_ITEM, e, r->nitems, 0, fe);
        }
        form_obj_fill_empty(it, FORM_LEVEL_ITEM);
        r->nitems++;
    }
}

/* ok, or 0 after the error "must be <what>" on path. */
static int json_must_be(int ok, const char *path, const char *what,
                        form_errors *fe)
{
    if (!ok)
        form_errors_add(fe, path, "Send %s.", what);
    return ok;
}

static void json_extra(void *obj, int x, const cJSON *v, const char *path,
                       form_errors *fe)
{
    form_request *r = obj;
    int64_t n;

    switch (x) {
    case X_ID:
        if (json_whole(v, 0, 9007199254740991.0, &n) < 0)
            form_errors_add(fe, path, "Send a whole number.");
        else
            r->id = n;
        break;
    case X_NUMBER:
        json_must_be(cJSON_IsString(v), path, "a string", fe);
        break; /* derived from id; nothing to store */
    case X_STATUS:
        if (json_must_be(cJSON_IsString(v), path, "a string", fe) &&
            form_text_ok(path, v->valuestring, strlen(v->valuestring), fe)) {
            free(r->status);
            r->status = xstrdup(v->valuestring);
        }
        break;
    case X_CREATED:
    case X_UPDATED:
        if (!cJSON_IsString(v) || time_parse_iso(&n, v->valuestring) < 0)
            form_errors_add(fe, path,
                            "Send a time such as 2026-03-03T14:00:00Z.");
        else if (x == X_CREATED)
            r->created_at = n;
        else
            r->updated_at = n;
        break;
    case X_ATTACH:
        json_must_be(cJSON_IsArray(v), path, "a list", fe);
        break; /* read-only metadata: attachments come as files */
    case X_ITEMS: json_items(r, v, fe); break;
    case X_OLD_TYPE: {
        form_column *c = obj;
        errmsg err = {0};
        if (!cJSON_IsString(v))
            form_errors_add(fe, path, "Send a string.");
        else if (*v->valuestring &&
                 form_type_parse(&c->old_type, v->valuestring, &err) < 0)
            form_errors_add(fe, path, "%s", form_sentence(err.msg));
        break;
    }
    default: break;
    }
}

static void json_object(void *obj, form_level level, const cJSON *o,
                        size_t item, size_t col, form_errors *fe)
{
    unsigned char seen[128] = {0};
    char prefix[64], path[160];
    const cJSON *v;

    obj_prefix(prefix, sizeof prefix, level, item, col);
    cJSON_ArrayForEach(v, o)
    {
        const char *key = v->string ? v->string : "";
        const form_field *f = form_def_field_key(level, key, strlen(key));
        int x = f ? -1 : extra_key(level, key);
        size_t slot;
        char safe[48];

        form_safe_name(safe, sizeof safe, key, strlen(key));
        snprintf(path, sizeof path, "%s%s", prefix, safe);
        if (!f && x < 0) {
            form_errors_add(fe, path,
                            "This is not a field of the form: \"%s\".", safe);
            continue;
        }
        slot = f ? form_def_index(f) : 100 + (size_t)x;
        if (seen[slot]) {
            form_errors_add(fe, path, "\"%s\" is given twice.", safe);
            continue;
        }
        seen[slot] = 1;
        if (f)
            json_value(obj, f, v, path, fe);
        else if (x == X_COLUMNS)
            json_columns(obj, v, item, fe);
        else if (!cJSON_IsNull(v))
            json_extra(obj, x, v, path, fe);
    }
}

int form_parse_json(form_request *out, const char *json, size_t len,
                    form_errors *fe)
{
    size_t nerr0 = fe->n;
    char *copy = NULL;
    cJSON *root = NULL;
    const char *end = NULL;

    memset(out, 0, sizeof *out);
    copy = xmalloc(len + 1);
    memcpy(copy, json, len);
    copy[len] = '\0';
    if (prescan(copy, len, fe) < 0)
        goto done;
    /* cJSON wants the terminating NUL inside the length to check that
     * nothing follows the value; the copy has it (and no other NUL). */
    root = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 1);
    if (!root) {
        cJSON *loose = cJSON_ParseWithLengthOpts(copy, len, NULL, 0);
        syntax_error(copy, len, end, loose != NULL, fe);
        cJSON_Delete(loose);
        goto done;
    }
    if (!cJSON_IsObject(root)) {
        form_errors_add(fe, "", "Send the request as a JSON object.");
        goto done;
    }
    json_object(out, FORM_LEVEL_REQUEST, root, 0, 0, fe);
done:
    form_obj_fill_empty(out, FORM_LEVEL_REQUEST);
    cJSON_Delete(root);
    free(copy);
    return fe->n > nerr0 ? ERR_INVALID : 0;
}

/* ---- back to JSON ------------------------------------------------------ */

static void put_value(cJSON *o, const void *obj, const form_field *f)
{
    const void *p = form_field_cptr(obj, f);
    char tbuf[64];

    switch (f->value) {
    case FORM_VALUE_STRING: {
        const char *s = *(char *const *)p;
        cJSON_AddStringToObject(o, f->key, s ? s : "");
        break;
    }
    case FORM_VALUE_BOOL:
        cJSON_AddBoolToObject(o, f->key, *(const int *)p);
        break;
    case FORM_VALUE_INT:
        cJSON_AddNumberToObject(o, f->key, *(const int *)p);
        break;
    case FORM_VALUE_STRINGS: {
        const form_request *r = obj;
        cJSON *a = cJSON_AddArrayToObject(o, f->key);
        for (size_t i = 0; i < r->ninstances; i++)
            cJSON_AddItemToArray(
                a, cJSON_CreateString(r->instances[i] ? r->instances[i] : ""));
        break;
    }
    case FORM_VALUE_KIND:
        cJSON_AddStringToObject(
            o, f->key, form_item_kind_name(*(const form_item_kind *)p));
        break;
    case FORM_VALUE_TYPE:
        form_type_format(tbuf, sizeof tbuf, p);
        cJSON_AddStringToObject(o, f->key, tbuf);
        break;
    case FORM_VALUE_ACTION:
        cJSON_AddStringToObject(o, f->key,
                                form_action_name(*(const form_action *)p));
        break;
    }
}

cJSON *form_request_to_json(const form_request *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *items;
    const form_field *fs;
    size_t nf;
    char tbuf[64];

    fs = form_def_fields(&nf);
    if (r->id > 0) {
        snprintf(tbuf, sizeof tbuf, "CR-%lld", (long long)r->id);
        cJSON_AddNumberToObject(root, "id", (double)r->id);
        cJSON_AddStringToObject(root, "number", tbuf);
    }
    for (size_t k = 0; k < nf; k++)
        if (fs[k].level == FORM_LEVEL_REQUEST)
            put_value(root, r, &fs[k]);
    items = cJSON_AddArrayToObject(root, "items");
    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        cJSON *io = cJSON_CreateObject();
        cJSON *cols;
        for (size_t k = 0; k < nf; k++)
            if (fs[k].level == FORM_LEVEL_ITEM &&
                (form_field_applies(&fs[k], (int)it->kind) ||
                 form_obj_field_set(it, &fs[k])))
                put_value(io, it, &fs[k]);
        cols = cJSON_AddArrayToObject(io, "columns");
        for (size_t c = 0; c < it->ncolumns; c++) {
            const form_column *col = &it->columns[c];
            cJSON *co = cJSON_CreateObject();
            for (size_t k = 0; k < nf; k++)
                if (fs[k].level == FORM_LEVEL_COLUMN &&
                    (form_field_applies(&fs[k], (int)it->kind) ||
                     form_obj_field_set(col, &fs[k])))
                    put_value(co, col, &fs[k]);
            if (col->old_type.kind != FORM_TYPE_NONE) {
                form_type_format(tbuf, sizeof tbuf, &col->old_type);
                cJSON_AddStringToObject(co, "old_type", tbuf);
            }
            cJSON_AddItemToArray(cols, co);
        }
        cJSON_AddItemToArray(items, io);
    }
    if (r->status && *r->status)
        cJSON_AddStringToObject(root, "status", r->status);
    if (r->created_at) {
        time_iso(tbuf, sizeof tbuf, r->created_at);
        cJSON_AddStringToObject(root, "created_at", tbuf);
    }
    if (r->updated_at) {
        time_iso(tbuf, sizeof tbuf, r->updated_at);
        cJSON_AddStringToObject(root, "updated_at", tbuf);
    }
    if (r->nattachments) {
        cJSON *a = cJSON_AddArrayToObject(root, "attachments");
        for (size_t i = 0; i < r->nattachments; i++) {
            const form_attachment *at = &r->attachments[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "filename",
                                    at->filename ? at->filename : "");
            cJSON_AddStringToObject(o, "content_type",
                                    at->content_type ? at->content_type : "");
            cJSON_AddNumberToObject(o, "size", (double)at->size);
            cJSON_AddItemToArray(a, o);
        }
    }
    return root;
}

static int str_eq(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

static int type_eq(const form_type *a, const form_type *b)
{
    return a->kind == b->kind && a->length == b->length &&
           a->precision == b->precision && a->scale == b->scale;
}

static int obj_equal(const void *a, const void *b, form_level level)
{
    size_t nf;
    const form_field *fs = form_def_fields(&nf);

    for (size_t k = 0; k < nf; k++) {
        const form_field *f = &fs[k];
        const void *pa, *pb;
        if (f->level != level)
            continue;
        pa = form_field_cptr(a, f);
        pb = form_field_cptr(b, f);
        switch (f->value) {
        case FORM_VALUE_STRING:
            if (!str_eq(*(char *const *)pa, *(char *const *)pb))
                return 0;
            break;
        case FORM_VALUE_BOOL:
        case FORM_VALUE_INT:
            if (*(const int *)pa != *(const int *)pb)
                return 0;
            break;
        case FORM_VALUE_KIND:
            if (*(const form_item_kind *)pa != *(const form_item_kind *)pb)
                return 0;
            break;
        case FORM_VALUE_ACTION:
            if (*(const form_action *)pa != *(const form_action *)pb)
                return 0;
            break;
        case FORM_VALUE_TYPE:
            if (!type_eq(pa, pb))
                return 0;
            break;
        case FORM_VALUE_STRINGS: {
            const form_request *ra = a, *rb = b;
            if (ra->ninstances != rb->ninstances)
                return 0;
            for (size_t i = 0; i < ra->ninstances; i++)
                if (!str_eq(ra->instances[i], rb->instances[i]))
                    return 0;
            break;
        }
        }
    }
    return 1;
}

int form_request_equal(const form_request *a, const form_request *b)
{
    if (a->id != b->id || !str_eq(a->status, b->status) ||
        a->created_at != b->created_at || a->updated_at != b->updated_at ||
        a->nitems != b->nitems || a->nattachments != b->nattachments ||
        !obj_equal(a, b, FORM_LEVEL_REQUEST))
        return 0;
    for (size_t i = 0; i < a->nattachments; i++)
        if (!str_eq(a->attachments[i].filename, b->attachments[i].filename) ||
            !str_eq(a->attachments[i].content_type,
                    b->attachments[i].content_type) ||
            a->attachments[i].size != b->attachments[i].size)
            return 0;
    for (size_t i = 0; i < a->nitems; i++) {
        const form_item *x = &a->items[i], *y = &b->items[i];
        if (x->ncolumns != y->ncolumns || !obj_equal(x, y, FORM_LEVEL_ITEM))
            return 0;
        for (size_t c = 0; c < x->ncolumns; c++)
            if (!obj_equal(&x->columns[c], &y->columns[c], FORM_LEVEL_COLUMN) ||
                !type_eq(&x->columns[c].old_type, &y->columns[c].old_type))
                return 0;
    }
    return 1;
}
