/* adopt.h: writing tables and columns read from a live database into an
 * instance's registry (the store's side of `docket adopt`,
 * domain/adopt_cases.h): the insertions of the data-dictionary import
 * (catalog_import.c), one transaction, every value checked first. */
#ifndef DOCKET_REGISTRY_ADOPT_H
#define DOCKET_REGISTRY_ADOPT_H

#include "registry.h"

#include <stddef.h>
#include <stdint.h>

/* The reason of every history row an adopt writes. */
#define REGISTRY_ADOPT_REASON "adopted from live schema"

/* One column to document (strings borrowed). type is a form type
 * ("string(255)", "bigint"); description may be "" or NULL. */
typedef struct registry_adopt_column {
    const char *name, *type, *description;
    int nullable, primary_key;
} registry_adopt_column;

/* One table: created when the instance has no table of that name (with
 * description), else only its columns are added (description ignored). */
typedef struct registry_adopt_table {
    const char *name, *description;
    const registry_adopt_column *cols; /* in the table's column order */
    size_t ncols;
} registry_adopt_table;

/* Writes t[0..n) into the registry of instance as user_id (0: none), all
 * or nothing in one transaction: new tables with a "created" history
 * row, their columns (and the missing columns of tables already there; a
 * retired column of that name comes back) with one history row each, all
 * one change of kind "import" with reason REGISTRY_ADOPT_REASON. Rules a
 * database cannot know (campaign dependency, cadence, arrival, owner,
 * escalation) are left empty. Every name (form_ident_check), type
 * (form_type_parse) and description (the field checks of an edit) is
 * checked before anything is written: ERR_INVALID naming "table.column".
 * With dry_run everything is written and then rolled back (the same
 * checks, nothing kept). *out_tables / *out_columns (may be NULL) get
 * the tables created and the columns added. Returns 0, ERR_INVALID,
 * ERR_NOTFOUND (no such instance), ERR_CONFLICT (a column that already
 * exists) or ERR_DB; nothing is written on error. */
int registry_adopt(registry *reg, const char *instance, int64_t user_id,
                   const registry_adopt_table *t, size_t n, int dry_run,
                   int *out_tables, int *out_columns, errmsg *err);

#endif
