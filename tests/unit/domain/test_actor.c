/* test_actor.c: who is acting, and which organisations they see. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain.h"
#include "fixture.h"

#include <stdio.h>
#include <string.h>

static registry_user user(const char *role, int64_t org)
{
    registry_user u;

    memset(&u, 0, sizeof u);
    u.id = 7;
    snprintf(u.role, sizeof u.role, "%s", role);
    snprintf(u.email, sizeof u.email, "%s@example.test", role);
    u.org_id = org;
    return u;
}

static void test_roles_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"client", "pm", "ops", "admin"};
    for (size_t i = 0; i < 4; i++) {
        docket_role b = registry_role_bit(names[i]);
        assert_int_not_equal(b, 0);
        assert_string_equal(registry_role_name(b), names[i]);
    }
    assert_int_equal(registry_role_bit("root"), 0);
    assert_int_equal(registry_role_bit(""), 0);
    assert_int_equal(registry_role_bit(NULL), 0);
    assert_null(registry_role_name(ROLE_STAFF));
    assert_true(registry_role_valid("ops"));
    assert_false(registry_role_valid("Ops"));
}

static void test_client_sees_only_its_org(void **state)
{
    (void)state;
    registry_user u = user("client", 3);
    domain_actor a = domain_actor_of(&u);
    assert_int_equal(a.role, ROLE_CLIENT);
    assert_int_equal(a.org_id, 3);
    assert_true(domain_actor_sees_org(&a, 3));
    assert_false(domain_actor_sees_org(&a, 4));
    assert_false(domain_actor_sees_org(&a, 0));
    assert_true(domain_actor_is(&a, ROLE_USER));
    assert_false(domain_actor_is(&a, ROLE_STAFF));
}

static void test_staff_see_every_org(void **state)
{
    (void)state;
    const char *staff[] = {"pm", "ops", "admin"};
    for (size_t i = 0; i < 3; i++) {
        registry_user u = user(staff[i], 9); /* a stray org id is ignored */
        domain_actor a = domain_actor_of(&u);
        assert_int_equal(a.org_id, 0);
        assert_true(domain_actor_sees_org(&a, 1));
        assert_true(domain_actor_sees_org(&a, 42));
        assert_true(domain_actor_is(&a, ROLE_STAFF));
    }
}

static void test_unknown_role_is_signed_out(void **state)
{
    (void)state;
    registry_user u = user("root", 1);
    domain_actor a = domain_actor_of(&u);
    assert_int_equal(a.role, ROLE_ANON);
    assert_false(domain_actor_sees_org(&a, 1));
    assert_false(domain_actor_is(&a, ROLE_USER));
    assert_false(domain_actor_sees_org(NULL, 1));
}

UFX_MAIN(cmocka_unit_test(test_roles_round_trip),
         cmocka_unit_test(test_client_sees_only_its_org),
         cmocka_unit_test(test_staff_see_every_org),
         cmocka_unit_test(test_unknown_role_is_signed_out))
