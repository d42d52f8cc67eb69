/* triage_diff.c: field-level differences between two version bodies of a
 * request (registry_version_diff). Pure; contract in triage.h. */
#include "triage_int.h"
#include "buf.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct diff_ctx {
    void (*fn)(void *ctx, const char *path, const char *o, const char *n);
    void *ctx;
    int n;
} diff_ctx;

static int diff_skip(const char *key)
{
    static const char *const skip[] = {
        "attachments", "id",         "number", "status",
        "created_at",  "updated_at", "url",    "old_type"};

    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (!strcmp(key, skip[i]))
            return 1;
    return 0;
}

/* A leaf as text (caller frees); NULL for absent/null. */
static char *leaf_text(const cJSON *v)
{
    char num[48];

    if (!v || cJSON_IsNull(v))
        return NULL;
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    if (cJSON_IsBool(v))
        return xstrdup(cJSON_IsTrue(v) ? "yes" : "no");
    if (cJSON_IsNumber(v)) {
        snprintf(num, sizeof num, "%g", v->valuedouble);
        return xstrdup(num);
    }
    if (cJSON_IsArray(v)) {
        buf b = {0};
        const cJSON *e;
        cJSON_ArrayForEach(e, v)
        {
            char *t = leaf_text(e);
            if (b.len)
                buf_puts(&b, ", ");
            buf_puts(&b, t ? t : "");
            free(t);
        }
        return buf_detach(&b);
    }
    return xstrdup("…");
}

/* "new_table orders" for an item, "email string(255)" for a column. */
static char *object_summary(const cJSON *o)
{
    static const char *const keys[] = {"kind", "table", "name", "type"};
    buf b = {0};

    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
        if (cJSON_IsString(v) && *v->valuestring) {
            if (b.len)
                buf_putc(&b, ' ');
            buf_puts(&b, v->valuestring);
        }
    }
    return buf_detach(&b);
}

static void diff_emit(diff_ctx *d, const char *path, const char *o,
                      const char *n)
{
    d->n++;
    if (d->fn)
        d->fn(d->ctx, path, o, n);
}

static void diff_value(diff_ctx *d, const char *path, const cJSON *a,
                       const cJSON *b);

static int is_object_array(const cJSON *v)
{
    return cJSON_IsArray(v) &&
           (cJSON_GetArraySize(v) == 0 || cJSON_IsObject(v->child));
}

/* path.key into p (key alone at the top). */
static const char *key_path(buf *p, const char *path, const char *key)
{
    buf_reset(p);
    if (*path) {
        buf_puts(p, path);
        buf_putc(p, '.');
    }
    buf_puts(p, key);
    return buf_cstr(p);
}

static void diff_object(diff_ctx *d, const char *path, const cJSON *a,
                        const cJSON *b)
{
    const cJSON *e;
    buf p = {0};

    cJSON_ArrayForEach(e, a)
    {
        if (!e->string || diff_skip(e->string))
            continue;
        diff_value(d, key_path(&p, path, e->string), e,
                   cJSON_GetObjectItemCaseSensitive(b, e->string));
    }
    cJSON_ArrayForEach(e, b)
    {
        if (!e->string || diff_skip(e->string) ||
            cJSON_GetObjectItemCaseSensitive(a, e->string))
            continue;
        diff_value(d, key_path(&p, path, e->string), NULL, e);
    }
    buf_dispose(&p);
}

static void diff_value(diff_ctx *d, const char *path, const cJSON *a,
                       const cJSON *b)
{
    if ((a && cJSON_IsObject(a)) || (b && cJSON_IsObject(b))) {
        if (a && b && cJSON_IsObject(a) && cJSON_IsObject(b)) {
            diff_object(d, path, a, b);
        } else {
            char *o = a ? object_summary(a) : NULL;
            char *n = b ? object_summary(b) : NULL;
            diff_emit(d, path, o, n);
            free(o);
            free(n);
        }
        return;
    }
    if ((a && is_object_array(a) && cJSON_GetArraySize(a)) ||
        (b && is_object_array(b) && cJSON_GetArraySize(b))) {
        int na = a && cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
        int nb = b && cJSON_IsArray(b) ? cJSON_GetArraySize(b) : 0;
        int n = na > nb ? na : nb;
        char p[200];
        for (int i = 0; i < n; i++) {
            snprintf(p, sizeof p, "%s[%d]", path, i);
            diff_value(d, p, i < na ? cJSON_GetArrayItem(a, i) : NULL,
                       i < nb ? cJSON_GetArrayItem(b, i) : NULL);
        }
        return;
    }
    {
        char *o = leaf_text(a), *n = leaf_text(b);
        /* Absent, null and "" read the same in a form. */
        const char *os = o ? o : "", *ns = n ? n : "";
        if (strcmp(os, ns) != 0)
            diff_emit(d, path, o, n);
        free(o);
        free(n);
    }
}

int registry_version_diff(const char *old_json, const char *new_json,
                          void (*fn)(void *ctx, const char *path,
                                     const char *old_value,
                                     const char *new_value),
                          void *ctx)
{
    cJSON *a = cJSON_Parse(tr_nz(old_json)), *b = cJSON_Parse(tr_nz(new_json));
    diff_ctx d = {fn, ctx, 0};
    int rc;

    if (!a || !b) {
        rc = ERR_INVALID;
        goto done;
    }
    diff_value(&d, "", a, b);
    rc = d.n;
done:
    cJSON_Delete(a);
    cJSON_Delete(b);
    return rc;
}
