/* Tests of the list functions of registry/accounts.c: a read that fails
 * in the middle of a list (here SQLITE_INTERRUPT from a progress handler
 * once the first row has been handed out, as a BUSY or I/O error would)
 * is returned as an error, never as a shorter list. */
#include "fixture.h"
#include "registry_int.h"

static ufx *fx_;
static registry *reg;
static int rows;     /* rows handed to the callback */
static int stop_now; /* the progress handler interrupts once set */

static int progress(void *ctx)
{
    (void)ctx;
    return stop_now;
}

static int setup(void **state)
{
    fx_ = ufx_open("accounts");
    reg = fx_->reg;
    rows = 0;
    stop_now = 0;
    *state = fx_;
    return 0;
}

/* From the next step on, every statement of reg's connection fails. */
static void fail_after_this_row(void)
{
    rows++;
    stop_now = 1;
    sqlite3_progress_handler(reg->db, 1, progress, NULL);
}

/* The list callbacks: each row ends the reads. */
#define ON_ROW(name, type)                                                     \
    static void name(void *ctx, const type *row)                               \
    {                                                                          \
        (void)ctx;                                                             \
        (void)row;                                                             \
        fail_after_this_row();                                                 \
    }
ON_ROW(on_org, registry_org)
ON_ROW(on_instance, registry_instance)
ON_ROW(on_user, registry_user)
ON_ROW(on_token, registry_token)
ON_ROW(on_audit, registry_audit_row)

static void add_orgs(void)
{
    errmsg err = {0};

    assert_int_equal(registry_org_add(reg, NULL, "Acme", &err), 0);
    assert_int_equal(registry_org_add(reg, NULL, "Beta", &err), 0);
    assert_int_equal(registry_org_add(reg, NULL, "Gamma", &err), 0);
}

static void test_accounts__org_list_error_midway_is_an_error(void **state)
{
    errmsg err = {0};

    (void)state;
    add_orgs();
    assert_true(registry_org_list(reg, on_org, NULL, &err) < 0);
    assert_int_equal(rows, 1);
    assert_true(err.msg[0] != '\0');
}

static void test_accounts__instance_list_error_midway_is_an_error(void **state)
{
    errmsg err = {0};

    (void)state;
    add_orgs();
    assert_int_equal(
        registry_instance_add(reg, NULL, "Acme", "qa", "qa", "postgres", &err),
        0);
    assert_int_equal(registry_instance_add(reg, NULL, "Acme", "prod",
                                           "production", "postgres", &err),
                     0);
    assert_true(registry_instance_list(reg, 0, on_instance, NULL, &err) < 0);
    assert_int_equal(rows, 1);
}

static void test_accounts__user_list_error_midway_is_an_error(void **state)
{
    errmsg err = {0};

    (void)state;
    assert_int_equal(registry_user_add(reg, NULL, "a@example.com", "A", "pm",
                                       NULL, NULL, &err),
                     0);
    assert_int_equal(registry_user_add(reg, NULL, "b@example.com", "B", "pm",
                                       NULL, NULL, &err),
                     0);
    assert_true(registry_user_list(reg, NULL, on_user, NULL, &err) < 0);
    assert_int_equal(rows, 1);
}

static void test_accounts__token_list_error_midway_is_an_error(void **state)
{
    errmsg err = {0};
    char tok[128];
    int64_t uid;

    (void)state;
    assert_int_equal(registry_user_add(reg, &uid, "a@example.com", "A", "pm",
                                       NULL, NULL, &err),
                     0);
    assert_int_equal(registry_token_create(reg, tok, NULL, uid, "one", &err),
                     0);
    assert_int_equal(registry_token_create(reg, tok, NULL, uid, "two", &err),
                     0);
    assert_true(registry_token_list(reg, uid, on_token, NULL, &err) < 0);
    assert_int_equal(rows, 1);
}

static void test_accounts__audit_list_error_midway_is_an_error(void **state)
{
    errmsg err = {0};

    (void)state;
    assert_int_equal(registry_audit(reg, 0, "cli", "one", "", "", ""), 0);
    assert_int_equal(registry_audit(reg, 0, "cli", "two", "", "", ""), 0);
    assert_true(registry_audit_list(reg, 0, 10, on_audit, NULL, &err) < 0);
    assert_int_equal(rows, 1);
}

static void count_org(void *ctx, const registry_org *o)
{
    (void)o;
    (*(int *)ctx)++;
}

static void test_accounts__org_list_whole_when_reads_work(void **state)
{
    errmsg err = {0};
    int n = 0;

    (void)state;
    add_orgs();
    assert_int_equal(registry_org_list(reg, count_org, &n, &err), 0);
    assert_int_equal(n, 3);
}

/* A single-row read that fails says so: it is not "not found" (which
 * would sign a user out, refuse a token or a password, or report a
 * missing organisation when the database was only busy). */
static void test_accounts__single_row_read_error_is_not_notfound(void **state)
{
    errmsg err = {0};
    registry_user u;
    registry_org o;
    registry_instance i;
    char tok[128], csrf[65], session[65];
    int64_t uid;
    int rc;

    (void)state;
    add_orgs();
    assert_int_equal(
        registry_instance_add(reg, NULL, "Acme", "qa", "qa", "postgres", &err),
        0);
    assert_int_equal(registry_user_add(reg, &uid, "a@example.com", "A", "pm",
                                       NULL, "a long password 1", &err),
                     0);
    assert_int_equal(registry_token_create(reg, tok, NULL, uid, "one", &err),
                     0);
    assert_int_equal(
        registry_session_create(reg, session, csrf, uid, NULL, &err), 0);
    stop_now = 1;
    sqlite3_progress_handler(reg->db, 1, progress, NULL);
#define FAILS_NOT_NOTFOUND(call)                                               \
    do {                                                                       \
        err_clear(&err);                                                       \
        rc = (call);                                                           \
        assert_true(rc < 0);                                                   \
        assert_int_not_equal(rc, ERR_NOTFOUND);                                \
        assert_int_not_equal(err.code, ERR_NOTFOUND);                          \
    } while (0)
    FAILS_NOT_NOTFOUND(registry_org_get(reg, &o, "Acme", &err));
    FAILS_NOT_NOTFOUND(registry_instance_get(reg, &i, "qa", &err));
    FAILS_NOT_NOTFOUND(registry_user_get(reg, &u, uid, &err));
    FAILS_NOT_NOTFOUND(registry_user_find(reg, &u, "a@example.com", &err));
    FAILS_NOT_NOTFOUND(registry_user_authenticate(reg, &u, "a@example.com",
                                                  "a long password 1", &err));
    FAILS_NOT_NOTFOUND(
        registry_session_lookup(reg, &u, csrf, session, 3600, 86400, &err));
    FAILS_NOT_NOTFOUND(registry_token_lookup(reg, &u, tok, &err));
#undef FAILS_NOT_NOTFOUND
}

UFX_MAIN(
    cmocka_unit_test_setup_teardown(
        test_accounts__org_list_error_midway_is_an_error, setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_accounts__instance_list_error_midway_is_an_error, setup,
        ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_accounts__user_list_error_midway_is_an_error, setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_accounts__token_list_error_midway_is_an_error, setup,
        ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_accounts__audit_list_error_midway_is_an_error, setup,
        ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_accounts__org_list_whole_when_reads_work, setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_accounts__single_row_read_error_is_not_notfound, setup,
        ufx_teardown))
