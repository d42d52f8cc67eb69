/* catalog_int.h: helpers shared by the catalog_*.c files of registry/
 * only (the card, lists, search, changes and import of catalog.h). */
#ifndef DOCKET_CATALOG_INT_H
#define DOCKET_CATALOG_INT_H

#include "catalog.h"
#include "registry_int.h"
#include "buf.h"

/* s, or "" when NULL. */
static inline const char *cat_nz(const char *s)
{
    return s ? s : "";
}

/* Binds v > 0 as an integer, anything else as NULL (optional ids). */
static inline void cat_bind_id(sqlite3_stmt *st, const char *name, int64_t v)
{
    if (v > 0)
        reg_bind_int(st, name, v);
    else
        reg_bind_null(st, name);
}

/* Binds text, or NULL when v is NULL. */
static inline void cat_bind_text_or_null(sqlite3_stmt *st, const char *name,
                                         const char *v)
{
    if (v)
        reg_bind_text(st, name, v);
    else
        reg_bind_null(st, name);
}

/* A caller's typed row callback and its context, for the row readers of
 * reg_each: fn is converted to a generic function pointer and back to
 * its own type before the call (C11 6.3.2.3p8). n counts the rows passed
 * on; total is the reader's to use. */
typedef struct cat_emit {
    void (*fn)(void);
    void *ctx;
    int n;
    int64_t total;
} cat_emit;
#define CAT_EMIT(f, c)                                                         \
    {                                                                          \
        (void (*)(void))(f), (c), 0, 0                                         \
    }
/* Passes row (a const T *) to the callback of the cat_emit *e. */
#define CAT_EMIT_ROW(e, T, row)                                                \
    (((void (*)(void *, const T *))(e)->fn)((e)->ctx, (row)), (e)->n++)

/* Steps st (bound, no rows expected) once and resets it: 0 or the error
 * of reg_db_error; ERR_DB for st NULL (reg_stmt_get recorded why). */
int cat_step_done(registry *reg, sqlite3_stmt *st, errmsg *err);

/* "/tables/<instance>/<table>" with each part URL-escaped, after base
 * (NULL or "" for a relative link), into out. */
void cat_table_url(buf *out, const char *base, const char *instance,
                   const char *table);

/* ---- changing the registry (catalog_change.c, catalog_field.c) ---- */

/* Who changes the registry, and why: shared by every history row of one
 * apply, edit or import, which are one change (registry_changes). */
typedef struct hctx {
    registry *reg;
    int64_t instance_id;
    int64_t request_id; /* 0: none */
    int64_t user_id;    /* 0: none */
    const char *reason;
    int64_t now;
    errmsg *err;
    registry_change_kind kind; /* set by the caller after hctx_init */
    const char *source;        /* an import's file name, or NULL */
    int64_t change_id;         /* 0 until the first history row */
} hctx;

/* Fills h for instance (ERR_NOTFOUND when there is none), kind
 * REGISTRY_CHANGE_EDIT, no change yet: the first history row writes it. */
int hctx_init(hctx *h, registry *reg, const char *instance, int64_t request_id,
              int64_t user_id, const char *reason, errmsg *err);

/* Finds table name in the instance: 1 (id and stored name set), 0, < 0. */
int cat_table_find(hctx *h, const char *name, int64_t *out_id, char *out_name,
                   size_t size);
/* Finds a column of a table (any status): 1, 0 or < 0. status and
 * out_name may be NULL. */
int cat_column_find(hctx *h, int64_t table_id, const char *name,
                    int64_t *out_id, char *status, size_t ssize, char *out_name,
                    size_t nsize);

/* Sets a field of a table (column_id 0) or column when it differs, with
 * a history row: 1 changed, 0 same, < 0 error. value is already
 * normalised (cat_field_normalise). */
int cat_field_set(hctx *h, int64_t table_id, const char *table,
                  int64_t column_id, const char *column, const char *field,
                  const char *value);
/* After cadence or expected_day of table table_id changed: the pair must
 * fit (form_expected_day), else ERR_INVALID on "expected_day". */
int cat_feed_day_check(hctx *h, int64_t table_id);
/* cat_field_set after checking and normalising the value of a named
 * field (ERR_INVALID naming the field for an unknown one or a bad value). */
int cat_field_set_checked(hctx *h, int64_t table_id, const char *table,
                          int64_t column_id, const char *column,
                          const char *field, const char *value);

/* One editable field: its name, whether it belongs to a column, and how
 * its value is checked. */
typedef struct cat_field_def cat_field_def;
/* The field name of a column (column 1) or table (0); NULL when none. */
const cat_field_def *cat_field_def_get(int column, const char *name);
/* Checks and normalises value for field d into out (caller disposes).
 * ERR_INVALID with a message naming the field. */
int cat_field_normalise(buf *out, const cat_field_def *d, const char *value,
                        errmsg *err);

/* A new table row (every rule "" or 0 but its description, the consent
 * flag and status) with a history row "table" created. */
typedef struct cat_table_vals {
    const char *name, *description, *status;
    int consent_relevant;
} cat_table_vals;
int cat_table_insert(hctx *h, int64_t *out_id, const cat_table_vals *t);

/* One column as stored (strings borrowed). */
typedef struct col_vals {
    const char *name, *type, *description, *example, *channel, *rule;
    const char *status;
    int nullable, primary_key, pii, consent;
} col_vals;

/* Adds a column, or brings back a retired one of that name. ERR_CONFLICT
 * when it already exists otherwise. */
int cat_column_add(hctx *h, int64_t table_id, const char *table,
                   const col_vals *c);

#endif
