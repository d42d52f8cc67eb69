/* actor.c: who is acting, and what that lets them see. */
#include "domain.h"

#include <assert.h>

domain_actor domain_actor_of(const registry_user *u)
{
    domain_actor a = {0};

    assert(u);
    a.user_id = u->id;
    a.role = registry_role_bit(u->role);
    if (!a.role)
        a.role = ROLE_ANON;
    /* A client always has an organisation; a service account may be
       bound to one; staff see every organisation. */
    a.org_id = a.role & (ROLE_CLIENT | ROLE_SERVICE) ? u->org_id : 0;
    a.email = u->email;
    a.name = u->name;
    a.org_name = a.org_id ? u->org_name : "";
    return a;
}

int domain_actor_is(const domain_actor *a, unsigned mask)
{
    return a && (a->role & mask) != 0;
}

int domain_actor_sees_org(const domain_actor *a, int64_t org_id)
{
    if (!a)
        return 0;
    if (a->role & ROLE_STAFF)
        return 1;
    if (a->role == ROLE_SERVICE)
        return a->org_id == 0 || a->org_id == org_id;
    return a->role == ROLE_CLIENT && a->org_id != 0 && a->org_id == org_id;
}

int domain_instance_visible(registry *reg, const domain_actor *who,
                            const char *name, registry_instance *out,
                            errmsg *err)
{
    registry_instance scratch;
    errmsg inner = {0};
    int rc;

    if (!name || !*name)
        return err_set_field(err, ERR_INVALID, "instance",
                             "Name the instance.");
    if (!out)
        out = &scratch;
    rc = registry_instance_get(reg, out, name, &inner);
    if ((rc == 0 && who && !domain_actor_sees_org(who, out->org_id)) ||
        rc == ERR_NOTFOUND)
        return err_set_field(err, ERR_NOTFOUND, "instance",
                             "no instance named %.100s", name);
    if (rc < 0)
        return err_set(err, rc, "%s", inner.msg);
    return 0;
}
