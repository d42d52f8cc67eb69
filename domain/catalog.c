/* catalog.c (domain): who may edit and import the registry of tables
 * (catalog_cases.h); the store's checks and history are registry/catalog_*.c.
 */
#include "catalog_cases.h"

#include <assert.h>
#include <string.h>

/* The roles that change the registry; ops only the runbook note. */
#define EDITORS (ROLE_PM | ROLE_ADMIN)

/* Is the instance one the actor may see? 0, ERR_NOTFOUND (no message) or
 * the error of the read. */
static int instance_visible(registry *reg, const domain_actor *who,
                            const char *instance, errmsg *err)
{
    int64_t org = 0;
    errmsg e = {0};
    int rc = registry_instance_org(reg, &org, instance, &e);

    if (rc == ERR_NOTFOUND || (rc == 0 && !domain_actor_sees_org(who, org)))
        return ERR_NOTFOUND;
    if (rc < 0)
        return err_set(err, e.code, "%s", e.msg);
    return 0;
}

/* What the actor may set: ERR_FORBIDDEN unless every field is allowed. */
static int edit_allowed(const domain_actor *who,
                        const domain_catalog_edit_in *in, errmsg *err)
{
    if (domain_actor_is(who, EDITORS))
        return 0;
    if (!domain_actor_is(who, ROLE_OPS))
        return err_set(err, ERR_FORBIDDEN,
                       "Only project managers and admins may edit the "
                       "registry.");
    for (size_t i = 0; i < in->nset; i++)
        if (in->column || strcmp(in->set[i].field, "runbook") != 0)
            return err_set(err, ERR_FORBIDDEN,
                           "Ops may edit the runbook note only.");
    return 0;
}

int domain_catalog_edit(registry *reg, const domain_actor *who,
                        const domain_catalog_edit_in *in, int *out_changed,
                        errmsg *err)
{
    int changed = 0;
    int rc;

    assert(reg && who && in && in->instance && in->table);
    assert(in->nset == 0 || in->set);
    /* Tenancy before anything else: another organisation's table reads
       exactly like a missing one. */
    rc = instance_visible(reg, who, in->instance, err);
    if (rc == 0)
        rc = registry_table_exists(reg, in->instance, in->table, err);
    if (rc == 0 || rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no table %.100s in instance %.100s",
                       in->table, in->instance);
    if (rc < 0)
        return rc;
    rc = edit_allowed(who, in, err);
    if (rc == 0)
        rc = registry_table_edit(reg, in->instance, in->table, in->column,
                                 in->set, in->nset, who->user_id, in->reason,
                                 &changed, err);
    if (rc < 0)
        return rc;
    registry_audit(reg, who->user_id, who->email ? who->email : "",
                   "registry.edit", in->table, in->instance,
                   in->address ? in->address : "");
    if (out_changed)
        *out_changed = changed;
    return 0;
}

int domain_catalog_import_allowed(registry *reg, const domain_actor *who,
                                  const char *instance, errmsg *err)
{
    int console = who->user_id == 0 && who->role == 0;
    int rc;

    assert(reg && who);
    if (!console && !domain_actor_is(who, EDITORS))
        return err_set(err, ERR_FORBIDDEN,
                       "Only project managers and admins may import a data "
                       "dictionary.");
    /* The console sees every instance; the import answers a missing
       one. */
    rc = console ? 0 : instance_visible(reg, who, instance, err);
    if (rc == ERR_NOTFOUND && (!instance || !*instance))
        return err_set(err, ERR_NOTFOUND,
                       "no instance was named (the name is empty)");
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no instance named %.100s", instance);
    return rc;
}

static void import_audit(registry *reg, const domain_actor *who,
                         const char *instance, const char *source,
                         const char *address)
{
    registry_audit(reg, who->user_id,
                   who->email && *who->email ? who->email : "cli",
                   "registry.import", instance, source ? source : "",
                   address ? address : "");
}

int domain_catalog_import(registry *reg, const domain_actor *who,
                          registry_import_report *rep, const char *instance,
                          const char *data, size_t len, const char *source,
                          const char *address, errmsg *err)
{
    int rc;

    assert(reg && who && rep && instance && (data || len == 0));
    rc = domain_catalog_import_allowed(reg, who, instance, err);
    if (rc == 0)
        rc = registry_import_csv_file(reg, rep, instance, data ? data : "", len,
                                      who->user_id, source, err);
    if (rc < 0)
        return rc;
    import_audit(reg, who, instance, source, address);
    return 0;
}

int domain_catalog_import_records(registry *reg, const domain_actor *who,
                                  registry_import_report *rep,
                                  const char *instance,
                                  const registry_import_recs *rs,
                                  const char *source, const char *address,
                                  errmsg *err)
{
    int rc;

    assert(reg && who && rep && instance && rs);
    rc = domain_catalog_import_allowed(reg, who, instance, err);
    if (rc == 0)
        rc = registry_import_records(reg, rep, instance, rs, who->user_id,
                                     source, err);
    if (rc < 0)
        return rc;
    import_audit(reg, who, instance, source, address);
    return 0;
}
