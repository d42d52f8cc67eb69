/* catalog_cases.h (domain): the use cases of the registry of tables: a manual
 * edit of a table's rules or a column, and the data-dictionary CSV
 * import, with who may do what. The store's side (fields, checks,
 * history) is registry/catalog.h; web/page_catalog*.c and
 * app/cmd_catalog.c parse their input into these calls. */
#ifndef DOCKET_CATALOG_CASES_H
#define DOCKET_CATALOG_CASES_H

#include "domain.h"
#include "catalog.h"

#include <stddef.h>

/* One edit: fields of a table, or of one of its columns, with a reason. */
typedef struct domain_catalog_edit_in {
    const char *instance;
    const char *table;
    const char *column;              /* NULL: the table's own fields */
    const registry_field_value *set; /* in order; nset 0: nothing to do */
    size_t nset;
    const char *reason;  /* required when a field is set (the history) */
    const char *address; /* where the actor acts from, for the audit log
                            ("local" for the command line); NULL: none */
} domain_catalog_edit_in;

/* Edits the registry as who: PMs and admins any field of
 * REGISTRY_TABLE_FIELDS / REGISTRY_COLUMN_FIELDS, ops the table's
 * "runbook" only, nobody else anything. The rules come first:
 *
 * - a table the actor may not see (another organisation's, or none) is
 *   ERR_NOTFOUND "no table T in instance I", the same answer whether or
 *   not it exists, naming nothing of it;
 * - a role that may not edit (client, anonymous) is ERR_FORBIDDEN;
 * - ops setting any field but the table's runbook is ERR_FORBIDDEN "Ops
 *   may edit the runbook note only.";
 *
 * then every field in one transaction (registry_table_edit): bad values,
 * unknown fields and a missing reason are ERR_INVALID (err->field names
 * the input), nothing written. On success *out_changed (may be NULL) gets
 * the number of fields that changed, and one "registry.edit" audit row is
 * written (also when nothing changed). Returns 0 or ERR_*. */
int domain_catalog_edit(registry *reg, const domain_actor *who,
                        const domain_catalog_edit_in *in, int *out_changed,
                        errmsg *err);

/* Imports a data dictionary into instance as who (registry_import_csv:
 * all or nothing, problems in rep). Allowed to PMs, admins and the
 * console (a system actor: user_id 0, role 0); ops, clients and the
 * anonymous get ERR_FORBIDDEN, an instance the actor may not see
 * ERR_NOTFOUND "no instance named I" as for a missing one. A
 * "registry.import" audit row names source (the file) and address on
 * success. Returns 0 or ERR_*. */
int domain_catalog_import(registry *reg, const domain_actor *who,
                          registry_import_report *rep, const char *instance,
                          const char *data, size_t len, const char *source,
                          const char *address, errmsg *err);

/* The rights of an import (domain_catalog_import's): 0, ERR_FORBIDDEN or
 * ERR_NOTFOUND "no instance named I" (an instance who may not see; the
 * console is told of a missing one by the import itself). */
int domain_catalog_import_allowed(registry *reg, const domain_actor *who,
                                  const char *instance, errmsg *err);
/* domain_catalog_import for the records a YAML reader made (dbt sources,
 * ODCS contracts): the same rights, registry_import_records, the same
 * audit row naming source. Returns 0 or ERR_*. */
int domain_catalog_import_records(registry *reg, const domain_actor *who,
                                  registry_import_report *rep,
                                  const char *instance,
                                  const registry_import_recs *rs,
                                  const char *source, const char *address,
                                  errmsg *err);

#endif
