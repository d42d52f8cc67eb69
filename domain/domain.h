/* domain.h: who is acting, for every use case of domain/.
 *
 * A use case is one function per thing a user does. It takes the actor
 * and a typed input, checks every rule (role, organisation, state), runs
 * its transaction in the registry and returns a typed result or an
 * errmsg (ERR_INVALID with field errors for a form, ERR_FORBIDDEN,
 * ERR_NOTFOUND, ERR_CONFLICT, ERR_DB...). web/ parses HTTP into the input
 * and renders the result; app/ and the tests call the same functions. */
#ifndef DOCKET_DOMAIN_H
#define DOCKET_DOMAIN_H

#include "err.h"
#include "registry.h"

#include <stdint.h>

typedef struct domain_actor {
    int64_t user_id;  /* 0: nobody signed in (or a system action) */
    docket_role role; /* one ROLE_* bit */
    int64_t org_id;   /* the client's (or bound service account's)
                         organisation; 0 for staff and unbound services */
    const char *email;
    const char *name;     /* display name (borrowed, like email) */
    const char *org_name; /* the client's organisation; "" for staff */
} domain_actor;

/* The actor of a registry user (role from its stored name). */
domain_actor domain_actor_of(const registry_user *u);
/* Is the actor one of the roles in mask? */
int domain_actor_is(const domain_actor *a, unsigned mask);
/* May the actor see things of organisation org_id? Staff see every
 * organisation, a client only its own, a service account its own when
 * bound to one and every one when not. */
int domain_actor_sees_org(const domain_actor *a, int64_t org_id);

/* The instance named name as who may see it, into *out (may be NULL): 0;
 * ERR_INVALID (field "instance") when no name is given; ERR_NOTFOUND
 * (field "instance", "no instance named NAME") when there is none or it
 * is another organisation's, worded alike so that a name reveals
 * nothing. who NULL is the console, which sees every instance. */
int domain_instance_visible(registry *reg, const domain_actor *who,
                            const char *name, registry_instance *out,
                            errmsg *err);

#endif
