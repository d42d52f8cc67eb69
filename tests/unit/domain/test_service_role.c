/* test_service_role.c: the service role (machine accounts: API tokens
 * only, optionally bound to one organisation). Its bit is outside every
 * mask that means "a signed-in person"; it sees its own organisation when
 * bound and every one when not; only an administrator creates one, and
 * without a password; it never signs in with a password, even one set
 * behind the rules' back; schema step 9 lets an older database store it
 * and keeps every row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "accounts.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PW "correct horse battery"

static char dbpath[256];
static registry *reg;
static domain_actor cli = {.role = ROLE_ADMIN, .email = "cli"};

static void remove_db(void)
{
    char p[300];

    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
}

static int setup(void **state)
{
    errmsg err = {0};

    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/docket-service-role-%d.db",
             (int)getpid());
    remove_db();
    if (registry_open(&reg, dbpath, 0, &err) != 0)
        return -1;
    if (registry_org_add(reg, NULL, "acme", &err) < 0 ||
        registry_org_add(reg, NULL, "globex", &err) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    registry_close(reg);
    reg = NULL;
    remove_db();
    return 0;
}

static registry_user user(const char *role, int64_t org)
{
    registry_user u;

    memset(&u, 0, sizeof u);
    u.id = 7;
    snprintf(u.role, sizeof u.role, "%s", role);
    snprintf(u.email, sizeof u.email, "%s@example.test", role);
    snprintf(u.org_name, sizeof u.org_name, "%s", org ? "acme" : "");
    u.org_id = org;
    return u;
}

static void test_role_name_and_bit(void **state)
{
    (void)state;
    assert_int_equal(registry_role_bit("service"), ROLE_SERVICE);
    assert_string_equal(registry_role_name(ROLE_SERVICE), "service");
    assert_true(registry_role_valid("service"));
    assert_false(registry_role_valid("Service"));
    /* "service" fills registry_user.role exactly */
    assert_int_equal(strlen("service") + 1, sizeof(((registry_user *)0)->role));
}

/* No mask that means "a person" or "anyone" lets a service account in. */
static void test_masks(void **state)
{
    (void)state;
    assert_int_equal(ROLE_USER & ROLE_SERVICE, 0);
    assert_int_equal(ROLE_STAFF & ROLE_SERVICE, 0);
    assert_int_equal(ROLE_AUTHOR & ROLE_SERVICE, 0);
    assert_int_equal(ROLE_ANY & ROLE_SERVICE, 0);
    assert_int_equal(ROLE_SERVICE & (ROLE_ANON | ROLE_CLIENT | ROLE_PM |
                                     ROLE_OPS | ROLE_ADMIN),
                     0);
    assert_int_equal(ROLE_FEEDS,
                     ROLE_PM | ROLE_OPS | ROLE_ADMIN | ROLE_SERVICE);
    assert_int_equal(ROLE_FEEDS & (ROLE_CLIENT | ROLE_ANON), 0);
}

static void test_bound_service_sees_its_org_only(void **state)
{
    (void)state;
    registry_user u = user("service", 3);
    domain_actor a = domain_actor_of(&u);
    assert_int_equal(a.role, ROLE_SERVICE);
    assert_int_equal(a.org_id, 3);
    assert_string_equal(a.org_name, "acme");
    assert_true(domain_actor_sees_org(&a, 3));
    assert_false(domain_actor_sees_org(&a, 4));
    assert_false(domain_actor_sees_org(&a, 0));
    assert_false(domain_actor_is(&a, ROLE_USER));
    assert_false(domain_actor_is(&a, ROLE_STAFF));
    assert_true(domain_actor_is(&a, ROLE_FEEDS));
}

static void test_unbound_service_sees_every_org(void **state)
{
    (void)state;
    registry_user u = user("service", 0);
    domain_actor a = domain_actor_of(&u);
    assert_int_equal(a.role, ROLE_SERVICE);
    assert_int_equal(a.org_id, 0);
    assert_true(domain_actor_sees_org(&a, 1));
    assert_true(domain_actor_sees_org(&a, 42));
    assert_false(domain_actor_is(&a, ROLE_USER));
}

static int64_t audit_count(const char *action, const char *target);

static void test_admin_creates_service_without_password(void **state)
{
    domain_user_new bound = {
        "loader@acme.test", "Acme loader", "service", "acme", NULL, 0};
    domain_user_new all = {
        "loader@ops.test", "Night loader", "service", "", NULL, 0};
    registry_user u;
    errmsg err = {0};
    int64_t id = 0;

    (void)state;
    assert_int_equal(domain_user_create(reg, &cli, &bound, "local", &id, &err),
                     0);
    assert_int_equal(registry_user_get(reg, &u, id, &err), 0);
    assert_string_equal(u.role, "service");
    assert_string_equal(u.org_name, "acme");
    assert_int_equal(u.must_change_password, 0);
    assert_int_equal(audit_count("user.create", "loader@acme.test"), 1);

    assert_int_equal(domain_user_create(reg, &cli, &all, "local", &id, &err),
                     0);
    assert_int_equal(registry_user_get(reg, &u, id, &err), 0);
    assert_string_equal(u.role, "service");
    assert_int_equal(u.org_id, 0);
}

static void test_service_with_password_refused(void **state)
{
    domain_user_new in = {"pw@acme.test", "Loader", "service", NULL, PW, 0};
    domain_user_new tmp = {"tmp@acme.test", "Loader", "service", NULL, PW, 1};
    registry_user u;
    errmsg err = {0};

    (void)state;
    assert_int_equal(domain_user_create(reg, &cli, &in, "local", NULL, &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "password");
    assert_int_equal(registry_user_find(reg, &u, "pw@acme.test", &err),
                     ERR_NOTFOUND);
    err_clear(&err);
    assert_int_equal(domain_user_create(reg, &cli, &tmp, "local", NULL, &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "password");
    assert_int_equal(audit_count("user.create", "pw@acme.test"), 0);
}

static void test_only_admin_creates_service(void **state)
{
    const char *roles[] = {"pm", "ops", "client", "service"};
    domain_user_new in = {"x@acme.test", "Loader", "service", NULL, NULL, 0};
    registry_user u;

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        registry_user who = user(roles[i], 1);
        domain_actor a = domain_actor_of(&who);
        errmsg err = {0};
        assert_int_equal(domain_user_create(reg, &a, &in, "local", NULL, &err),
                         ERR_FORBIDDEN);
    }
    errmsg err = {0};
    assert_int_equal(registry_user_find(reg, &u, "x@acme.test", &err),
                     ERR_NOTFOUND);
}

static void test_unknown_org_refused(void **state)
{
    domain_user_new in = {"y@acme.test", "Loader", "service",
                          "initech",     NULL,     0};
    errmsg err = {0};

    (void)state;
    assert_int_equal(domain_user_create(reg, &cli, &in, "local", NULL, &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "org");
}

static int64_t service(const char *email, const char *org)
{
    domain_user_new in = {email, "Loader", "service", org, NULL, 0};
    errmsg err = {0};
    int64_t id = 0;

    assert_int_equal(domain_user_create(reg, &cli, &in, "local", &id, &err), 0);
    return id;
}

/* No password for a service account through an edit either, and a role
 * change to service with a password in the same edit is refused whole. */
static void test_edit_sets_no_password(void **state)
{
    int64_t id = service("svc@acme.test", "acme");
    domain_user_edit pw = {NULL, NULL, NULL, -1, PW, 0, NULL};
    domain_user_new human = {"human@acme.test", "Human", "pm", NULL, PW, 0};
    domain_user_edit to_service = {NULL, "service", NULL, -1, PW, 0, NULL};
    registry_user u;
    errmsg err = {0};
    int64_t hid = 0;

    (void)state;
    assert_int_equal(domain_user_update(reg, &cli, id, &pw, "local", &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "password");
    err_clear(&err);
    assert_int_equal(domain_user_create(reg, &cli, &human, "local", &hid, &err),
                     0);
    assert_int_equal(
        domain_user_update(reg, &cli, hid, &to_service, "local", &err),
        ERR_INVALID);
    assert_string_equal(err.field, "password");
    assert_int_equal(registry_user_get(reg, &u, hid, &err), 0);
    assert_string_equal(u.role, "pm");
}

/* Even with a password hash put there behind the rules' back, a service
 * account's password sign-in answers exactly like a wrong password. */
static void test_password_sign_in_refused(void **state)
{
    int64_t id = service("svc2@acme.test", NULL);
    registry_user u;
    errmsg err = {0}, wrong = {0};

    (void)state;
    assert_int_equal(registry_user_set_password(reg, id, PW, 0, &err), 0);
    assert_int_equal(
        registry_user_authenticate(reg, &u, "svc2@acme.test", PW, &err),
        ERR_INVALID);
    assert_int_equal(
        registry_user_authenticate(reg, &u, "nobody@acme.test", PW, &wrong),
        ERR_INVALID);
    assert_string_equal(err.msg, wrong.msg);
    assert_string_equal(err.field, wrong.field);
}

/* An administrator makes API tokens for it; the token is the account. */
static void test_token_for_service(void **state)
{
    int64_t id = service("svc3@acme.test", "globex");
    char token[80];
    registry_user u;
    errmsg err = {0};

    (void)state;
    assert_int_equal(domain_token_create(reg, &cli, id, "nightly load", "local",
                                         token, &err),
                     0);
    assert_int_equal(registry_token_lookup(reg, &u, token, &err), 0);
    assert_string_equal(u.role, "service");
    assert_string_equal(u.org_name, "globex");
    domain_actor a = domain_actor_of(&u);
    assert_int_equal(a.role, ROLE_SERVICE);
    assert_true(a.org_id > 0);
}

/* A service account is never offered a password-reset link. */
static void test_no_reset_link(void **state)
{
    int sent = -1;
    errmsg err = {0};

    (void)state;
    service("svc4@acme.test", NULL);
    assert_int_equal(registry_reset_request(reg, &sent, "svc4@acme.test",
                                            "127.0.0.1", 3600, &err),
                     0);
    assert_int_equal(sent, 0);
}

/* The triggers of schema step 13 (cache versions). */
static const char *const step13_triggers[] = {
    "reg_tables_ver_ai", "reg_tables_ver_au", "reg_tables_ver_names_au",
    "reg_tables_ver_ad", "reg_columns_ver_ai", "reg_columns_ver_au",
    "reg_columns_ver_ad", "registry_history_ver_ai", "drift_reports_ver_ai",
    "drift_reports_ver_ad", "request_items_ver_ai", "request_items_ver_au",
    "request_items_ver_ad", "requests_ver_au", "requests_ver_bd",
    "request_instances_ver_ai", "request_instances_ver_au",
    "request_instances_ver_ad",
    /* step 14 */
    "reg_tables_ver_today_au",
    /* step 15 */
    "reg_tables_log_ai", "reg_tables_log_au", "reg_tables_log_ad",
    "reg_columns_log_ai", "reg_columns_log_au", "reg_columns_log_ad",
    "requests_log_ai", "requests_log_au", "requests_log_ad",
    /* step 16 */
    "requests_fts_pending_ai",
    /* step 17 */
    "users_ver_name_au"};

/* A database of schema 8 (the role list without service) upgrades: the
 * rows and the sessions hanging on them stay, and service fits. */
static void test_schema_step_9_upgrades(void **state)
{
    sqlite3 *db;
    char csrf[65], stok[65];
    registry_user u;
    errmsg err = {0};
    int64_t id = 0, sid = 0;

    (void)state;
    domain_user_new pm = {"pm@acme.test", "Pm", "pm", NULL, PW, 0};
    assert_int_equal(domain_user_create(reg, &cli, &pm, "local", &id, &err), 0);
    assert_int_equal(
        registry_session_create(reg, stok, csrf, id, "127.0.0.1", &err), 0);
    registry_close(reg);
    reg = NULL;

    /* back to step 8's text of the users table; what the steps after 9
       added goes too, so that the upgrade runs them again (each later
       step adds its undo here) */
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    /* step 13, first: its triggers on older tables name its table */
    for (size_t i = 0; i < sizeof step13_triggers / sizeof *step13_triggers;
         i++) {
        char sql[80];
        snprintf(sql, sizeof sql, "DROP TRIGGER %s", step13_triggers[i]);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TABLE cache_versions;"
                                  "DELETE FROM meta WHERE key = 'versions';"
                                  /* steps 15 and 16 (which drops step 1's
                                     trigger of a request's search row) */
                                  "DROP TABLE search_log;"
                                  "DROP TABLE search_pending;"
                                  "CREATE TRIGGER requests_fts_ai AFTER"
                                  " INSERT ON requests BEGIN SELECT 1; END;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "DELETE FROM users WHERE role = 'service';"
                     "PRAGMA writable_schema = ON;"
                     "UPDATE sqlite_schema SET sql = replace(sql,"
                     " ',''service''))', '))') WHERE name = 'users';"
                     "PRAGMA writable_schema = RESET;"
                     /* step 10 */
                     "ALTER TABLE reg_tables DROP COLUMN expected_day;"
                     "ALTER TABLE reg_tables DROP COLUMN anomaly_low_pct;"
                     "ALTER TABLE reg_tables DROP COLUMN anomaly_high_pct;"
                     "ALTER TABLE request_items DROP COLUMN expected_day;"
                     "ALTER TABLE request_items DROP COLUMN anomaly_low_pct;"
                     "ALTER TABLE request_items DROP COLUMN anomaly_high_pct;"
                     /* step 11 */
                     "DROP TABLE IF EXISTS feed_alerts;"
                     /* step 12 */
                     "DROP TABLE IF EXISTS drift_findings;"
                     "DROP TABLE IF EXISTS drift_announced;"
                     "DROP TABLE IF EXISTS drift_reports;"
                     "PRAGMA user_version = 8;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(db,
                     "INSERT INTO users(email, name, role, created_at,"
                     " updated_at) VALUES ('a@b.test','A','service',0,0)",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(registry_open(&reg, dbpath, 0, &err), 0);
    assert_int_equal(registry_schema_version(reg), REGISTRY_SCHEMA_VERSION);
    assert_int_equal(
        registry_session_lookup(reg, &u, csrf, stok, 3600, 3600, &err), 0);
    assert_string_equal(u.email, "pm@acme.test");
    sid = service("after@acme.test", "acme");
    assert_true(sid > 0);
    assert_int_equal(registry_integrity(reg, &err), 0);
    /* the CHECK still refuses what is no role */
    assert_int_not_equal(
        registry_user_add(reg, NULL, "r@b.test", "R", "root", NULL, NULL, &err),
        0);
}

typedef struct audit_find {
    const char *action, *target;
    int64_t n;
} audit_find;

static void audit_row(void *ctx, const registry_audit_row *r)
{
    audit_find *f = ctx;

    if (!strcmp(r->action, f->action) && !strcmp(r->target, f->target))
        f->n++;
}

static int64_t audit_count(const char *action, const char *target)
{
    audit_find f = {action, target, 0};
    errmsg err = {0};

    assert_int_equal(registry_audit_list(reg, 0, 1000, audit_row, &f, &err), 0);
    return f.n;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_name_and_bit),
        cmocka_unit_test(test_masks),
        cmocka_unit_test(test_bound_service_sees_its_org_only),
        cmocka_unit_test(test_unbound_service_sees_every_org),
        cmocka_unit_test_setup_teardown(
            test_admin_creates_service_without_password, setup, teardown),
        cmocka_unit_test_setup_teardown(test_service_with_password_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_admin_creates_service, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_org_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_edit_sets_no_password, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_password_sign_in_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_token_for_service, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_no_reset_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_step_9_upgrades, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
