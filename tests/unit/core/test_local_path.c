/* Tests of str_local_path_ok, the one check behind web_redirect and the
 * "next" of the sign-in page: paths on this site pass, everything a
 * browser could read as another site (or that hides a second slash behind
 * whitespace, controls or percent-escapes) is refused. */
#include "fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "str.h"

#include <stdlib.h>
#include <string.h>

static void test_local_path__same_site_paths_pass(void **state)
{
    static const char *const ok[] = {
        "/",
        "/requests",
        "/requests/12",
        "/account#password",
        "/requests/12#comment-3",
        "/tables/acme-prod/customers",
        "/tables/acme-prod/web%5Fsessions",
        "/signin?next=%2Frequests%2F12",
        "/search?q=two%20words&x=%252F",
        "/lookup?q=caf%C3%A9",
        "/a/b/../c",
        "/100%zz",
    };

    (void)state;
    ufx_each_is(str_local_path_ok, ok, UFX_NELEM(ok), 1);
}

static void test_local_path__other_sites_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "requests",
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "\t//evil.example",
        "/ /evil.example",
        "/\x7f/evil.example",
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%2F/evil.example",
        "/%2f%2fevil.example",
        "/%5Cevil.example",
        "/%5c/evil.example",
        "/%252F/evil.example",
        "/%25252F/evil.example",
        "/%2525252F/evil.example",
        "/%20/evil.example",
        "/x\\y",
        "/caf\xc3\xa9",
        "/requests?next=%0d%0aSet-Cookie:x",
        "/requests#%00",
    };

    (void)state;
    assert_false(str_local_path_ok(NULL));
    ufx_each_is(str_local_path_ok, bad, UFX_NELEM(bad), 0);
}

static void test_local_path__long_paths_refused(void **state)
{
    char *s = malloc(5000);

    (void)state;
    s[0] = '/';
    memset(s + 1, 'a', 4998);
    s[4999] = '\0';
    assert_false(str_local_path_ok(s));
    s[100] = '\0';
    assert_true(str_local_path_ok(s));
    free(s);
}

UFX_MAIN(cmocka_unit_test(test_local_path__same_site_paths_pass),
         cmocka_unit_test(test_local_path__other_sites_refused),
         cmocka_unit_test(test_local_path__long_paths_refused))
