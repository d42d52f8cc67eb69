/* adopt.c: tables and columns read from a live database written into the
 * registry (adopt.h) with the insertions of the import (cat_table_insert,
 * cat_column_add): every value checked first, then one transaction. */
#include "adopt.h"
#include "catalog_int.h"
#include "mem.h"
#include "str.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The field checks of an edit on value into *out (a normalised copy,
 * caller frees): 0 or ERR_INVALID naming where ("orders.id"). */
static int normalise(char **out, int column, const char *field,
                     const char *value, const char *where, errmsg *err)
{
    const cat_field_def *d = cat_field_def_get(column, field);
    errmsg e = {0};
    buf v = {0};

    if (cat_field_normalise(&v, d, value ? value : "", &e) < 0) {
        buf_dispose(&v);
        return err_set_field(err, ERR_INVALID, where, "%.200s: %s", where,
                             e.msg);
    }
    *out = buf_detach(&v);
    return 0;
}

/* The checked values of one table. */
typedef struct adopt_vals {
    char *desc;
    char **type, **cdesc; /* per column */
    size_t ncols;
} adopt_vals;

static void vals_dispose(adopt_vals *v)
{
    free(v->desc);
    for (size_t i = 0; i < v->ncols; i++) {
        free(v->type[i]);
        free(v->cdesc[i]);
    }
    free(v->type);
    free(v->cdesc);
}

static int check_table(adopt_vals *v, const registry_adopt_table *t,
                       errmsg *err)
{
    char msg[256], where[FORM_MAX_IDENT * 8 + 8];
    int rc;

    v->type = xcalloc(t->ncols + 1, sizeof *v->type);
    v->cdesc = xcalloc(t->ncols + 1, sizeof *v->cdesc);
    v->ncols = t->ncols;
    if (form_ident_check(cat_nz(t->name), msg, sizeof msg) < 0)
        return err_set_field(err, ERR_INVALID, "table", "table \"%.100s\": %s",
                             cat_nz(t->name), msg);
    rc = normalise(&v->desc, 0, "description", t->description, t->name, err);
    for (size_t i = 0; rc == 0 && i < t->ncols; i++) {
        const registry_adopt_column *c = &t->cols[i];
        snprintf(where, sizeof where, "%s.%s", t->name, cat_nz(c->name));
        if (form_ident_check(cat_nz(c->name), msg, sizeof msg) < 0)
            return err_set_field(err, ERR_INVALID, where,
                                 "column \"%.200s\": %s", where, msg);
        rc = normalise(&v->type[i], 1, "type", c->type, where, err);
        if (rc == 0)
            rc = normalise(&v->cdesc[i], 1, "description", c->description,
                           where, err);
    }
    return rc;
}

static int write_table(hctx *h, const registry_adopt_table *t,
                       const adopt_vals *v, int *tables, int *columns)
{
    char tname[FORM_MAX_IDENT * 4 + 1];
    int64_t tid;
    int rc = cat_table_find(h, t->name, &tid, tname, sizeof tname);

    if (rc == 0) {
        cat_table_vals tv = {t->name, v->desc, "active", 0};
        str_copy(tname, sizeof tname, t->name);
        rc = cat_table_insert(h, &tid, &tv);
        if (rc == 0)
            (*tables)++;
    } else if (rc > 0) {
        rc = 0;
    }
    for (size_t i = 0; rc >= 0 && i < t->ncols; i++) {
        col_vals c = {0};
        c.name = t->cols[i].name;
        c.type = v->type[i];
        c.description = v->cdesc[i];
        c.example = c.channel = c.rule = "";
        c.status = "active";
        c.nullable = t->cols[i].nullable != 0;
        c.primary_key = t->cols[i].primary_key != 0;
        rc = cat_column_add(h, tid, tname, &c);
        if (rc == 0)
            (*columns)++;
    }
    return rc < 0 ? rc : 0;
}

int registry_adopt(registry *reg, const char *instance, int64_t user_id,
                   const registry_adopt_table *t, size_t n, int dry_run,
                   int *out_tables, int *out_columns, errmsg *err)
{
    adopt_vals *v = xcalloc(n + 1, sizeof *v);
    int tables = 0, columns = 0, rc = 0;
    hctx h;

    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = check_table(&v[i], &t[i], err);
    if (rc == 0)
        rc = hctx_init(&h, reg, instance, 0, user_id, REGISTRY_ADOPT_REASON,
                       err);
    if (rc == 0) {
        h.kind = REGISTRY_CHANGE_IMPORT;
        rc = registry_begin(reg, err);
    }
    if (rc == 0) {
        for (size_t i = 0; rc >= 0 && i < n; i++)
            rc = write_table(&h, &t[i], &v[i], &tables, &columns);
        if (rc >= 0 && !dry_run)
            rc = registry_commit(reg, err);
        else
            registry_rollback(reg);
    }
    for (size_t i = 0; i < n; i++)
        vals_dispose(&v[i]);
    free(v);
    if (rc < 0)
        tables = columns = 0;
    if (out_tables)
        *out_tables = tables;
    if (out_columns)
        *out_columns = columns;
    return rc < 0 ? rc : 0;
}
