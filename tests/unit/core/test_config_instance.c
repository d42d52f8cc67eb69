/* test_config_instance.c: [instance.NAME] drift_source and drift_every:
 * the source with ${VAR} expanded, durations, refusals naming the key;
 * dbt_schema and dbt_loaded_at_field (one line of text), dbt_config
 * (yes or no). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_instance_keys(void **state)
{
    config c;
    errmsg err = {0};
    const cfg_instance *in;
    char dir[256], path[300];

    (void)state;
    cfg_init(&c);
    setenv("DOCKET_TEST_DRIFT_PW", "s3cret", 1);
    ufx_tmpdir(dir, sizeof dir, "cfginst");
    snprintf(path, sizeof path, "%s/docket.ini", dir);
    ufx_write_file(path, "[instance.acme-prod]\n"
                         "drift_source = postgres://app:${DOCKET_TEST_DRIFT_PW}"
                         "@db/shop\n"
                         "drift_every = 6h\n"
                         "[instance.globex-prod]\n"
                         "drift_every = 90\n");
    assert_int_equal(cfg_load_file(&c, path, &err), 0);
    in = cfg_instance_find(&c, "ACME-PROD");
    assert_non_null(in);
    assert_string_equal(in->drift_source, "postgres://app:s3cret@db/shop");
    assert_int_equal(in->drift_every, 6 * 3600);
    in = cfg_instance_find(&c, "globex-prod");
    assert_non_null(in);
    assert_null(in->drift_source);
    assert_int_equal(in->drift_every, 90);
    assert_null(cfg_instance_find(&c, "other"));
    cfg_dispose(&c);
    ufx_rmtree(dir);
}

static void test_refusals(void **state)
{
    config c;
    errmsg err = {0};
    int secs = 0;

    (void)state;
    cfg_init(&c);
    assert_int_equal(cfg_set(&c, "instance.a", "drift_every", "5s", &err),
                     ERR_INVALID);
    assert_non_null(strstr(err.msg, "instance.a.drift_every"));
    memset(&err, 0, sizeof err);
    assert_int_equal(cfg_set(&c, "instance.a", "drift_every", "6x", &err),
                     ERR_INVALID);
    memset(&err, 0, sizeof err);
    assert_int_equal(cfg_set(&c, "instance.a", "drift_sauce", "x", &err),
                     ERR_INVALID);
    assert_non_null(strstr(err.msg, "unknown setting instance.a.drift_sauce"));
    memset(&err, 0, sizeof err);
    assert_int_equal(cfg_set(&c, "instance.a b", "drift_every", "6h", &err),
                     ERR_INVALID);
    assert_int_equal(cfg_duration_parse(&secs, "15m"), 0);
    assert_int_equal(secs, 900);
    assert_int_equal(cfg_duration_parse(&secs, "1d"), 0);
    assert_int_equal(secs, 86400);
    assert_int_equal(cfg_duration_parse(&secs, "-1"), ERR_INVALID);
    assert_int_equal(cfg_duration_parse(&secs, "h"), ERR_INVALID);
    assert_int_equal(cfg_duration_parse(&secs, ""), ERR_INVALID);
    cfg_dispose(&c);
}

static void test_dbt_keys(void **state)
{
    config c;
    errmsg err = {0};
    const cfg_instance *in;

    (void)state;
    cfg_init(&c);
    assert_int_equal(
        cfg_set(&c, "instance.acme-prod", "dbt_schema", "raw_acme", &err), 0);
    assert_int_equal(cfg_set(&c, "instance.acme-prod", "dbt_loaded_at_field",
                             "cast(_synced as timestamp)", &err),
                     0);
    in = cfg_instance_find(&c, "acme-prod");
    assert_non_null(in);
    assert_string_equal(in->dbt_schema, "raw_acme");
    assert_string_equal(in->dbt_loaded_at_field, "cast(_synced as timestamp)");
    assert_null(in->drift_source);
    assert_int_equal(in->dbt_config, 0);
    assert_int_equal(
        cfg_set(&c, "instance.acme-prod", "dbt_config", "yes", &err), 0);
    assert_int_equal(in->dbt_config, 1);
    assert_int_equal(
        cfg_set(&c, "instance.acme-prod", "dbt_config", "maybe", &err),
        ERR_INVALID);
    assert_non_null(strstr(err.msg, "instance.acme-prod.dbt_config"));
    memset(&err, 0, sizeof err);
    assert_int_equal(cfg_set(&c, "instance.b", "dbt_schema", "", &err),
                     ERR_INVALID);
    assert_non_null(strstr(err.msg, "instance.b.dbt_schema"));
    memset(&err, 0, sizeof err);
    assert_int_equal(
        cfg_set(&c, "instance.b", "dbt_loaded_at_field", "a\nb", &err),
        ERR_INVALID);
    assert_null(cfg_instance_find(&c, "b"));
    cfg_dispose(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instance_keys),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_dbt_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
