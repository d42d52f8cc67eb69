/* catalog.h: the registry of tables and columns per instance (living
 * documentation): reading, applying requests, history, search. Implemented
 * in catalog.c. */
#ifndef DOCKET_CATALOG_H
#define DOCKET_CATALOG_H

#include "registry.h"

/* 1 when an active or deprecated table of that name exists in the
 * instance, 0 when not, < 0 on error. Case-insensitive. */
int registry_table_exists(registry *reg, const char *instance,
                          const char *table, errmsg *err);
/* 1 when the column exists on that table of the instance, 0 when not,
 * < 0 on error. Case-insensitive. */
int registry_column_exists(registry *reg, const char *instance,
                           const char *table, const char *column,
                           errmsg *err);

#endif
