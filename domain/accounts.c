/* accounts.c: the account use cases (accounts.h): rules first, then the
 * writes and their audit records in one transaction. */
#include "accounts.h"
#include "str.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* ERR_FORBIDDEN unless the actor is an administrator. */
static int admin_only(const domain_actor *actor, errmsg *err)
{
    if (domain_actor_is(actor, ROLE_ADMIN))
        return 0;
    return err_set(err, ERR_FORBIDDEN, "only an administrator can do this");
}

/* An administrator's change begins: ERR_FORBIDDEN for anyone else, else
 * the transaction is open (registry_begin). */
static int admin_begin(registry *reg, const domain_actor *actor, errmsg *err)
{
    int rc = admin_only(actor, err);

    return rc < 0 ? rc : registry_begin(reg, err);
}

/* Writes one audit record; ERR_DB (with a message) when it fails. */
static int audit(registry *reg, const domain_actor *actor, const char *action,
                 const char *target, const char *detail, const char *from,
                 errmsg *err)
{
    if (registry_audit(reg, actor->user_id, actor->email ? actor->email : "",
                       action, target ? target : "", detail ? detail : "",
                       from ? from : "") < 0)
        return err_set(err, ERR_DB, "cannot write the audit log");
    return 0;
}

/* An organisation named in a form must exist: ERR_INVALID on field "org"
 * when it does not (NULL and "" name none). */
static int org_known(registry *reg, const char *org, errmsg *err)
{
    registry_org o;
    errmsg e = {0};
    int rc;

    if (!org || !*org)
        return 0;
    rc = registry_org_get(reg, &o, org, &e);
    if (rc == ERR_NOTFOUND)
        return err_set_field(err, ERR_INVALID, "org", "%s", e.msg);
    if (rc < 0)
        return err_set(err, rc, "%s", e.msg);
    return 0;
}

/* Commits when rc is 0, else rolls back; returns the outcome. */
static int finish(registry *reg, int rc, errmsg *err)
{
    if (rc == 0)
        rc = registry_commit(reg, err);
    else
        registry_rollback(reg);
    return rc;
}

/* A service account (role "service") signs in with API tokens only: no
 * password is ever set on one. ERR_INVALID on field "password" when one
 * is given with that role. */
static int service_no_password(const char *role, const char *password,
                               errmsg *err)
{
    if (role && !strcmp(role, "service") && password && *password)
        return err_set_field(err, ERR_INVALID, "password",
                             "A service account has no password: it uses "
                             "API tokens only.");
    return 0;
}

int domain_user_create(registry *reg, const domain_actor *actor,
                       const domain_user_new *in, const char *from,
                       int64_t *out_id, errmsg *err)
{
    const char *org = in->org && *in->org ? in->org : NULL;
    int service = in->role && !strcmp(in->role, "service");
    char detail[300];
    int64_t id = 0;
    int rc;

    assert(reg && actor && in);
    rc = admin_begin(reg, actor, err);
    if (rc < 0)
        return rc;
    rc = service_no_password(in->role, in->password, err);
    if (rc == 0)
        rc = org_known(reg, org, err);
    /* A temporary password is hashed once, by set_password. */
    if (rc == 0)
        rc = registry_user_add(
            reg, &id, in->email ? in->email : "", in->name ? in->name : "",
            in->role ? in->role : "", org,
            in->temporary || service ? NULL : in->password, err);
    if (rc == 0 && in->temporary && !service)
        rc = registry_user_set_password(reg, id, in->password, 1, err);
    if (rc == 0) {
        snprintf(detail, sizeof detail, "%s%s%s", in->role, org ? " of " : "",
                 org ? org : "");
        rc = audit(reg, actor, "user.create", in->email, detail, from, err);
    }
    rc = finish(reg, rc, err);
    if (rc == 0 && out_id)
        *out_id = id;
    return rc;
}

static void count_active_admin(void *ctx, const registry_user *u)
{
    if (u->active)
        (*(int *)ctx)++;
}

/* The rules of an edit of before: own admin rights, last administrator. */
static int user_edit_allowed(registry *reg, const domain_actor *actor,
                             const registry_user *before,
                             const domain_user_edit *in, errmsg *err)
{
    int demotes = in->role && strcmp(in->role, "admin") != 0;
    int deactivates = in->active == 0;
    int admins = 0;
    int rc;

    if (before->id == actor->user_id && (demotes || deactivates))
        return err_set_field(err, ERR_INVALID, demotes ? "role" : "active",
                             "You cannot remove your own admin rights.");
    if (strcmp(before->role, "admin") != 0 || !before->active ||
        !(demotes || deactivates))
        return 0;
    rc = registry_user_list(reg, "admin", count_active_admin, &admins, err);
    if (rc < 0)
        return rc;
    if (admins <= 1)
        return err_set_field(err, ERR_CONFLICT, demotes ? "role" : "active",
                             "%s is the last active administrator; make "
                             "another user an administrator first.",
                             before->email);
    return 0;
}

/* The writes of an edit (inside the transaction). */
static int user_edit_write(registry *reg, int64_t id,
                           const domain_user_edit *in, errmsg *err)
{
    int rc = org_known(reg, in->org, err);

    if (rc == 0 && (in->name || in->role || in->org))
        rc = registry_user_update(reg, id, in->name, in->role, in->org, err);
    if (rc == 0 && in->active >= 0)
        rc = registry_user_set_active(reg, id, in->active, err);
    if (rc == 0 && in->password && *in->password) {
        rc = registry_user_set_password(reg, id, in->password, in->temporary,
                                        err);
        if (rc == 0)
            rc = registry_session_delete_others(
                reg, id, in->keep_session ? in->keep_session : "", err);
    }
    return rc;
}

/* The audit records of an edit from before to after. */
static int user_edit_audit(registry *reg, const domain_actor *actor,
                           const registry_user *before,
                           const registry_user *after,
                           const domain_user_edit *in, const char *from,
                           errmsg *err)
{
    int rc = 0;

    if (strcmp(before->role, after->role) != 0)
        rc = audit(reg, actor, "user.role", after->email, after->role, from,
                   err);
    if (rc == 0 && before->active != after->active)
        rc = audit(reg, actor,
                   after->active ? "user.activate" : "user.deactivate",
                   after->email, "", from, err);
    if (rc == 0 && in->password && *in->password)
        rc = audit(reg, actor, "user.password.set", after->email,
                   in->temporary ? "temporary" : "", from, err);
    if (rc == 0 && (in->name || in->role || in->org))
        rc = audit(reg, actor, "user.update", after->email, "", from, err);
    return rc;
}

int domain_user_update(registry *reg, const domain_actor *actor, int64_t id,
                       const domain_user_edit *in, const char *from,
                       errmsg *err)
{
    registry_user before, after;
    int rc;

    assert(reg && actor && in);
    assert(in->active >= -1 && in->active <= 1);
    rc = admin_begin(reg, actor, err);
    if (rc < 0)
        return rc;
    rc = registry_user_get(reg, &before, id, err);
    if (rc == 0)
        rc = service_no_password(in->role ? in->role : before.role,
                                 in->password, err);
    if (rc == 0)
        rc = user_edit_allowed(reg, actor, &before, in, err);
    if (rc == 0)
        rc = user_edit_write(reg, id, in, err);
    if (rc == 0)
        rc = registry_user_get(reg, &after, id, err);
    if (rc == 0)
        rc = user_edit_audit(reg, actor, &before, &after, in, from, err);
    return finish(reg, rc, err);
}

int domain_org_create(registry *reg, const domain_actor *actor,
                      const char *name, const char *from, errmsg *err)
{
    int rc;

    assert(reg && actor);
    rc = admin_begin(reg, actor, err);
    if (rc < 0)
        return rc;
    rc = registry_org_add(reg, NULL, name ? name : "", err);
    if (rc == 0)
        rc = audit(reg, actor, "org.create", name, "", from, err);
    return finish(reg, rc, err);
}

int domain_instance_create(registry *reg, const domain_actor *actor,
                           const char *org, const char *name,
                           const char *environment, const char *dialect,
                           const char *from, errmsg *err)
{
    int rc;

    assert(reg && actor);
    rc = admin_begin(reg, actor, err);
    if (rc < 0)
        return rc;
    if (!org || !*org)
        rc = err_set_field(err, ERR_INVALID, "org",
                           "Choose the organisation this instance belongs "
                           "to.");
    if (rc == 0)
        rc = org_known(reg, org, err);
    if (rc == 0)
        rc = registry_instance_add(reg, NULL, org ? org : "", name ? name : "",
                                   environment ? environment : "",
                                   dialect ? dialect : "", err);
    if (rc == 0)
        rc = audit(reg, actor, "instance.create", name, org, from, err);
    return finish(reg, rc, err);
}

static void count_active_token(void *ctx, const registry_token *t)
{
    if (!t->revoked_at)
        (*(int *)ctx)++;
}

/* Checks the actor's current password. ERR_INVALID on field "current"
 * (audited) when it is wrong; a failed read stays what it is. */
static int current_password_check(registry *reg, const domain_actor *actor,
                                  const char *current, const char *from,
                                  errmsg *err)
{
    registry_user u;
    errmsg e = {0};
    int rc = registry_user_authenticate(reg, &u, actor->email, current, &e);

    if (rc == 0 && u.id == actor->user_id)
        return 0;
    if (rc < 0 && e.code != ERR_INVALID)
        return err_set(err, e.code, "%s", e.msg); /* not a wrong guess */
    registry_audit(reg, actor->user_id, actor->email, "password.change.failure",
                   actor->email, "wrong current password", from);
    return err_set_field(err, ERR_INVALID, "current",
                         "The current password is wrong.");
}

int domain_password_change(registry *reg, const domain_actor *actor,
                           const char *current, const char *fresh,
                           const char *keep_session, const char *from,
                           int *out_tokens, errmsg *err)
{
    errmsg e = {0};
    int rc, tokens = 0;

    assert(reg && actor);
    if (!actor->user_id || !actor->email)
        return err_set(err, ERR_FORBIDDEN, "sign in to change your password");
    rc = current_password_check(reg, actor, current ? current : "", from, err);
    if (rc < 0)
        return rc;
    if (registry_password_check(fresh ? fresh : "", &e) < 0)
        return err_set_field(err, ERR_INVALID, "new", "%s", e.msg);
    rc = registry_begin(reg, err);
    if (rc < 0)
        return rc;
    rc = registry_user_set_password(reg, actor->user_id, fresh, 0, err);
    if (rc == 0)
        rc = registry_session_delete_others(
            reg, actor->user_id, keep_session ? keep_session : "", err);
    if (rc == 0)
        rc = audit(reg, actor, "password.change", actor->email,
                   "other sessions ended", from, err);
    rc = finish(reg, rc, err);
    if (rc < 0)
        return rc;
    err_clear(&e);
    if (registry_token_list(reg, actor->user_id, count_active_token, &tokens,
                            &e) < 0)
        tokens = -1;
    if (out_tokens)
        *out_tokens = tokens;
    return 0;
}

int domain_token_create(registry *reg, const domain_actor *actor,
                        int64_t user_id, const char *label, const char *from,
                        char *token_out, errmsg *err)
{
    registry_user owner;
    int rc;

    assert(reg && actor && token_out);
    if (!actor->user_id || user_id != actor->user_id) {
        rc = admin_only(actor, err);
        if (rc < 0)
            return rc;
    }
    rc = registry_begin(reg, err);
    if (rc < 0)
        return rc;
    rc = registry_user_get(reg, &owner, user_id, err);
    if (rc == 0) {
        rc = registry_token_create(reg, token_out, NULL, user_id,
                                   label ? label : "", err);
        /* The only input a new token is refused for is its label. */
        if (rc == ERR_INVALID && !err->field[0])
            str_copy(err->field, sizeof err->field, "label");
    }
    if (rc == 0)
        rc = audit(reg, actor, "token.create", owner.email, label, from, err);
    return finish(reg, rc, err);
}
