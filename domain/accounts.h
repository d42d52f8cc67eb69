/* accounts.h: the use cases of accounts: an administrator creating and
 * editing users, organisations and instances; a user changing their own
 * password and creating API tokens. Each checks its rules, runs its writes
 * and its audit record in one transaction and answers with an errmsg
 * (ERR_INVALID naming the field, ERR_CONFLICT, ERR_NOTFOUND,
 * ERR_FORBIDDEN, ERR_DB...). The web pages (page_admin.c,
 * page_accounts.c) and the command line (cmd_accounts.c) call the same
 * functions.
 *
 * from is where the actor acts from, for the audit log: the client
 * address, or "local" for the command line. The audit log names the actor
 * by actor->email. */
#ifndef DOCKET_DOMAIN_ACCOUNTS_H
#define DOCKET_DOMAIN_ACCOUNTS_H

#include "domain.h"

/* A new user. */
typedef struct domain_user_new {
    const char *email;
    const char *name;
    const char *role;     /* client, pm, ops, admin or service */
    const char *org;      /* organisation name; NULL or "" for staff and
                             for a service account of every organisation */
    const char *password; /* 12..128 characters; NULL for service */
    int temporary;        /* 1: to be changed at the first sign-in */
} domain_user_new;

/* Adds the user (administrators only) and audits "user.create". *out_id
 * (may be NULL) gets its id. ERR_CONFLICT when the e-mail is taken;
 * ERR_INVALID naming the field for bad input. A service account (a
 * machine: API tokens only, never a page) has no password (ERR_INVALID
 * on "password" when one is given) and is bound to org, or to none for
 * every organisation. Nothing is written on error. */
int domain_user_create(registry *reg, const domain_actor *actor,
                       const domain_user_new *in, const char *from,
                       int64_t *out_id, errmsg *err);

/* Changes to a user; every member may be left alone. */
typedef struct domain_user_edit {
    const char *name;     /* NULL: unchanged */
    const char *role;     /* NULL: unchanged */
    const char *org;      /* NULL: unchanged; "": none (staff) */
    int active;           /* -1: unchanged; 0: deactivate; 1: activate */
    const char *password; /* NULL or "": unchanged; else the new one */
    int temporary;        /* with password: to be changed at sign-in */
    /* With password: the session kept signed in (the actor's own, when
       they set their own password); NULL or "": every session ends. */
    const char *keep_session;
} domain_user_edit;

/* Edits user id (administrators only), in one transaction: profile,
 * active state, password (which ends the user's sessions but
 * keep_session); audits "user.role", "user.activate"/"user.deactivate",
 * "user.password.set" and, when name, role or organisation were given,
 * "user.update". Rules: nobody removes their own admin rights or
 * deactivates themselves (ERR_INVALID), the last active administrator
 * stays one (ERR_CONFLICT), and a service account gets no password
 * (ERR_INVALID on "password"). ERR_NOTFOUND when there is no such user.
 * Nothing is written on error. */
int domain_user_update(registry *reg, const domain_actor *actor, int64_t id,
                       const domain_user_edit *in, const char *from,
                       errmsg *err);

/* Adds an organisation (administrators only); audits "org.create". A
 * name refused is ERR_INVALID, a name taken ERR_CONFLICT, both on field
 * "name". */
int domain_org_create(registry *reg, const domain_actor *actor,
                      const char *name, const char *from, errmsg *err);

/* Adds an instance of organisation org (administrators only); audits
 * "instance.create". ERR_INVALID on field "org" when org is NULL, empty
 * or names no organisation; on "name", "environment" or "dialect" when
 * that one is refused; ERR_CONFLICT on "name" when the name is taken. */
int domain_instance_create(registry *reg, const domain_actor *actor,
                           const char *org, const char *name,
                           const char *environment, const char *dialect,
                           const char *from, errmsg *err);

/* The actor changes their own password: current must be right (else
 * ERR_INVALID on field "current", audited as "password.change.failure"),
 * fresh must pass the password rules (ERR_INVALID on field "new"). The
 * new password is set, every session of the actor but keep_session ends
 * and "password.change" is audited, in one transaction. API tokens are
 * kept: *out_tokens (may be NULL) gets how many are still active, or -1
 * when they could not be counted (the change is made all the same). A
 * failed database read is ERR_DB, never a wrong password. */
int domain_password_change(registry *reg, const domain_actor *actor,
                           const char *current, const char *fresh,
                           const char *keep_session, const char *from,
                           int *out_tokens, errmsg *err);

/* A new API token of user_id labelled label (the actor's own, or any
 * user's for an administrator); token_out (80 bytes) gets it, shown
 * once. Audits "token.create". A label refused is ERR_INVALID on field
 * "label". */
int domain_token_create(registry *reg, const domain_actor *actor,
                        int64_t user_id, const char *label, const char *from,
                        char *token_out, errmsg *err);

#endif
