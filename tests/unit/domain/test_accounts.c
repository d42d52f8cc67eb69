/* test_accounts.c: the account use cases of domain/accounts.c on a real
 * temporary registry: who may do what, the rules of a user edit (own
 * admin rights, the last administrator), one transaction per use case
 * (nothing is written when any part fails) and the audit records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "accounts.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PW  "correct horse battery"
#define PW2 "another long password"

static char dbpath[256];
static registry *reg;
static domain_actor cli = {.role = ROLE_ADMIN, .email = "cli"};

static int setup(void **state)
{
    errmsg err = {0};

    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/docket-domain-accounts-%d.db",
             (int)getpid());
    unlink(dbpath);
    if (registry_open(&reg, dbpath, 0, &err) != 0)
        return -1;
    if (registry_org_add(reg, NULL, "acme", &err) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    char p[300];

    (void)state;
    registry_close(reg);
    reg = NULL;
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

/* Adds a user through the use case, as the command line; its id. */
static int64_t add(const char *email, const char *role, const char *org)
{
    domain_user_new in = {email, "Someone", role, org, PW, 0};
    errmsg err = {0};
    int64_t id = 0;

    assert_int_equal(domain_user_create(reg, &cli, &in, "local", &id, &err), 0);
    assert_true(id > 0);
    return id;
}

static domain_actor actor_of(int64_t id)
{
    static registry_user u; /* the actor's email points into it */
    errmsg err = {0};

    assert_int_equal(registry_user_get(reg, &u, id, &err), 0);
    return domain_actor_of(&u);
}

typedef struct audit_find {
    const char *action;
    const char *target;
    int n;
    char detail[200];
} audit_find;

static void audit_row(void *ctx, const registry_audit_row *r)
{
    audit_find *f = ctx;

    if (!strcmp(r->action, f->action) &&
        (!f->target || !strcmp(r->target, f->target))) {
        f->n++;
        snprintf(f->detail, sizeof f->detail, "%s", r->detail);
    }
}

/* How many audit records of action (on target, when not NULL). */
static int audited(const char *action, const char *target, char *detail,
                   size_t size)
{
    audit_find f = {action, target, 0, ""};
    errmsg err = {0};

    assert_int_equal(registry_audit_list(reg, 0, 1000, audit_row, &f, &err), 0);
    if (detail)
        snprintf(detail, size, "%s", f.detail);
    return f.n;
}

static void test_accounts__create_user(void **state)
{
    domain_user_new in = {"ann@acme.example", "Ann", "client", "acme", PW, 1};
    registry_user u;
    errmsg err = {0};
    char detail[200];
    int64_t id = 0;

    (void)state;
    assert_int_equal(domain_user_create(reg, &cli, &in, "local", &id, &err), 0);
    assert_int_equal(registry_user_get(reg, &u, id, &err), 0);
    assert_string_equal(u.role, "client");
    assert_string_equal(u.org_name, "acme");
    assert_int_equal(u.must_change_password, 1);
    assert_int_equal(
        audited("user.create", "ann@acme.example", detail, sizeof detail), 1);
    assert_string_equal(detail, "client of acme");
    /* The same address again: a conflict, nothing more written. */
    assert_int_equal(domain_user_create(reg, &cli, &in, "local", NULL, &err),
                     ERR_CONFLICT);
    assert_int_equal(audited("user.create", "ann@acme.example", NULL, 0), 1);
}

static void test_accounts__only_admins_manage_users(void **state)
{
    int64_t pm = add("pm@platform.example", "pm", NULL);
    domain_actor a = actor_of(pm);
    domain_user_new in = {"eve@acme.example", "Eve", "admin", NULL, PW, 1};
    domain_user_edit up = {NULL, "admin", NULL, -1, NULL, 0, NULL};
    errmsg err = {0};
    registry_user u;

    (void)state;
    assert_int_equal(domain_user_create(reg, &a, &in, "::1", NULL, &err),
                     ERR_FORBIDDEN);
    assert_int_equal(registry_user_find(reg, &u, "eve@acme.example", &err),
                     ERR_NOTFOUND);
    err_clear(&err);
    assert_int_equal(domain_user_update(reg, &a, pm, &up, "::1", &err),
                     ERR_FORBIDDEN);
    err_clear(&err);
    assert_int_equal(domain_org_create(reg, &a, "initech", "::1", &err),
                     ERR_FORBIDDEN);
    err_clear(&err);
    assert_int_equal(domain_instance_create(reg, &a, "acme", "acme-x", "qa",
                                            "postgres", "::1", &err),
                     ERR_FORBIDDEN);
    assert_int_equal(registry_user_get(reg, &u, pm, &err), 0);
    assert_string_equal(u.role, "pm");
}

static void test_accounts__no_one_removes_their_own_admin_rights(void **state)
{
    int64_t ada = add("ada@platform.example", "admin", NULL);
    domain_actor a;
    domain_user_edit demote = {"Ada", "pm", NULL, -1, NULL, 0, NULL};
    domain_user_edit off = {NULL, NULL, NULL, 0, NULL, 0, NULL};
    errmsg err = {0};
    registry_user u;

    (void)state;
    add("bea@platform.example", "admin", NULL); /* not the last admin */
    a = actor_of(ada);
    assert_int_equal(domain_user_update(reg, &a, ada, &demote, "::1", &err),
                     ERR_INVALID);
    assert_string_equal(err.msg, "You cannot remove your own admin rights.");
    err_clear(&err);
    assert_int_equal(domain_user_update(reg, &a, ada, &off, "::1", &err),
                     ERR_INVALID);
    assert_int_equal(registry_user_get(reg, &u, ada, &err), 0);
    assert_string_equal(u.role, "admin");
    assert_int_equal(u.active, 1);
    assert_int_equal(audited("user.role", NULL, NULL, 0), 0);
}

static void test_accounts__the_last_admin_stays(void **state)
{
    int64_t ada = add("ada@platform.example", "admin", NULL);
    int64_t bea;
    domain_user_edit off = {NULL, NULL, NULL, 0, NULL, 0, NULL};
    domain_user_edit demote = {NULL, "ops", NULL, -1, NULL, 0, NULL};
    errmsg err = {0};
    registry_user u;

    (void)state;
    assert_int_equal(domain_user_update(reg, &cli, ada, &off, "local", &err),
                     ERR_CONFLICT);
    err_clear(&err);
    assert_int_equal(domain_user_update(reg, &cli, ada, &demote, "local", &err),
                     ERR_CONFLICT);
    err_clear(&err);
    assert_int_equal(registry_user_get(reg, &u, ada, &err), 0);
    assert_int_equal(u.active, 1);
    /* With a second administrator the first may go. */
    bea = add("bea@platform.example", "admin", NULL);
    assert_int_equal(domain_user_update(reg, &cli, ada, &off, "local", &err),
                     0);
    assert_int_equal(
        audited("user.deactivate", "ada@platform.example", NULL, 0), 1);
    assert_int_equal(audited("user.update", "ada@platform.example", NULL, 0),
                     0);
    /* Now bea is the last one. */
    assert_int_equal(domain_user_update(reg, &cli, bea, &demote, "local", &err),
                     ERR_CONFLICT);
}

static void test_accounts__an_edit_is_all_or_nothing(void **state)
{
    int64_t id = add("oz@platform.example", "ops", NULL);
    domain_user_edit up = {"Oz", "pm", NULL, 0, "short", 1, NULL};
    errmsg err = {0};
    registry_user u;

    (void)state;
    add("ada@platform.example", "admin", NULL);
    /* The password is refused after the role and state were written:
       neither stays. */
    assert_int_equal(domain_user_update(reg, &cli, id, &up, "local", &err),
                     ERR_INVALID);
    err_clear(&err);
    assert_int_equal(registry_user_get(reg, &u, id, &err), 0);
    assert_string_equal(u.role, "ops");
    assert_int_equal(u.active, 1);
    assert_int_equal(audited("user.role", NULL, NULL, 0), 0);
    /* No such user. */
    up.password = NULL;
    assert_int_equal(domain_user_update(reg, &cli, 999, &up, "local", &err),
                     ERR_NOTFOUND);
}

static void test_accounts__edit_password_ends_sessions(void **state)
{
    int64_t id = add("oz@platform.example", "ops", NULL);
    int64_t ada = add("ada@platform.example", "admin", NULL);
    domain_actor a = actor_of(ada);
    domain_user_edit up = {"Oz", "pm", "", 1, PW2, 1, NULL};
    char tok[65], csrf[65], detail[200];
    registry_user u;
    errmsg err = {0};

    (void)state;
    assert_int_equal(registry_session_create(reg, tok, csrf, id, "::1", &err),
                     0);
    assert_int_equal(domain_user_update(reg, &a, id, &up, "::1", &err), 0);
    assert_int_equal(
        registry_session_lookup(reg, &u, csrf, tok, 3600, 3600, &err),
        ERR_NOTFOUND);
    err_clear(&err);
    assert_int_equal(registry_user_get(reg, &u, id, &err), 0);
    assert_string_equal(u.role, "pm");
    assert_int_equal(u.must_change_password, 1);
    assert_int_equal(
        audited("user.role", "oz@platform.example", detail, sizeof detail), 1);
    assert_string_equal(detail, "pm");
    assert_int_equal(audited("user.password.set", "oz@platform.example", detail,
                             sizeof detail),
                     1);
    assert_string_equal(detail, "temporary");
    assert_int_equal(audited("user.update", "oz@platform.example", NULL, 0), 1);
}

static void test_accounts__orgs_and_instances(void **state)
{
    errmsg err = {0};
    char detail[200];

    (void)state;
    assert_int_equal(domain_org_create(reg, &cli, "globex", "local", &err), 0);
    assert_int_equal(domain_org_create(reg, &cli, "globex", "local", &err),
                     ERR_CONFLICT);
    err_clear(&err);
    assert_int_equal(audited("org.create", "globex", NULL, 0), 1);
    assert_int_equal(domain_instance_create(reg, &cli, "globex", "globex-qa",
                                            "qa", "postgres", "local", &err),
                     0);
    assert_int_equal(
        audited("instance.create", "globex-qa", detail, sizeof detail), 1);
    assert_string_equal(detail, "globex");
    assert_true(domain_instance_create(reg, &cli, "nobody", "x-qa", "qa",
                                       "postgres", "local", &err) < 0);
    assert_int_equal(audited("instance.create", "x-qa", NULL, 0), 0);
}

static void test_accounts__password_change(void **state)
{
    int64_t id = add("oz@platform.example", "ops", NULL);
    domain_actor a = actor_of(id);
    char mine[65], other[65], csrf[65], token[80];
    registry_user u;
    errmsg err = {0};
    int tokens = -2;

    (void)state;
    assert_int_equal(registry_session_create(reg, mine, csrf, id, "::1", &err),
                     0);
    assert_int_equal(registry_session_create(reg, other, csrf, id, "::1", &err),
                     0);
    assert_int_equal(
        domain_token_create(reg, &a, id, "jump host", "::1", token, &err), 0);
    /* A wrong current password: field "current", audited. */
    assert_int_equal(domain_password_change(reg, &a, "wrong password!", PW2,
                                            mine, "::1", &tokens, &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "current");
    assert_int_equal(audited("password.change.failure", NULL, NULL, 0), 1);
    err_clear(&err);
    /* A new password too short: field "new". */
    assert_int_equal(domain_password_change(reg, &a, PW, "short", mine, "::1",
                                            &tokens, &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "new");
    err_clear(&err);
    assert_int_equal(
        domain_password_change(reg, &a, PW, PW2, mine, "::1", &tokens, &err),
        0);
    assert_int_equal(tokens, 1);
    assert_int_equal(
        registry_session_lookup(reg, &u, csrf, mine, 3600, 3600, &err), 0);
    assert_int_equal(
        registry_session_lookup(reg, &u, csrf, other, 3600, 3600, &err),
        ERR_NOTFOUND);
    err_clear(&err);
    assert_int_equal(
        registry_user_authenticate(reg, &u, "oz@platform.example", PW2, &err),
        0);
    assert_int_equal(audited("password.change", "oz@platform.example", NULL, 0),
                     1);
}

static void test_accounts__tokens_of_others_need_an_admin(void **state)
{
    int64_t oz = add("oz@platform.example", "ops", NULL);
    int64_t pat = add("pat@platform.example", "pm", NULL);
    domain_actor a = actor_of(oz);
    char token[80], detail[200];
    errmsg err = {0};

    (void)state;
    assert_int_equal(domain_token_create(reg, &a, pat, "x", "::1", token, &err),
                     ERR_FORBIDDEN);
    err_clear(&err);
    assert_int_equal(
        domain_token_create(reg, &cli, pat, "deploy bot", "local", token, &err),
        0);
    assert_int_equal(
        audited("token.create", "pat@platform.example", detail, sizeof detail),
        1);
    assert_string_equal(detail, "deploy bot");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accounts__create_user, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accounts__only_admins_manage_users,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_accounts__no_one_removes_their_own_admin_rights, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_accounts__the_last_admin_stays,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_accounts__an_edit_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_accounts__edit_password_ends_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts__orgs_and_instances,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts__password_change, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_accounts__tokens_of_others_need_an_admin, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
